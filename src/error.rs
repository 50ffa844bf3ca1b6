//! Errors that stop an operation (as opposed to [`crate::diag`] diagnostics).

use std::path::PathBuf;

/// What went wrong opening or reading an input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The input.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The input is in a format oomlens does not read, with a hint on what to do.
    #[error("{path}: {what}")]
    Unsupported {
        /// The input.
        path: PathBuf,
        /// What it is and what to run instead.
        what: String,
    },
}

/// Result alias for the library.
pub type Result<T> = std::result::Result<T, Error>;

//! Diagnostics: problems in the data or the inputs that do not stop the run.
//!
//! A bad line or an unreadable file is reported here with where it happened, and the
//! run goes on. Errors (an input that could not be read, a corrupt archive) make the
//! exit code 2; warnings and notes do not.

use serde::{Deserialize, Serialize};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something oomlens noticed that may explain a result.
    Note,
    /// Data that could not be used as it stands.
    Warning,
    /// An input, or part of one, could not be read.
    Error,
}

/// One diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// A stable short code, e.g. `unreadable`, `corrupt-gzip`, `long-line`.
    pub code: String,
    /// The input it is about (`-` for standard input).
    pub path: String,
    /// The 1-based line it is about, if any.
    pub line: Option<u64>,
    /// What was wrong, in words.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic about `path`, optionally at `line`.
    pub fn new(
        severity: Severity,
        code: &str,
        path: &str,
        line: Option<u64>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code: code.to_string(),
            path: path.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match self.line {
            Some(l) => write!(f, "{sev}: {}:{l}: {}", self.path, self.message),
            None => write!(f, "{sev}: {}: {}", self.path, self.message),
        }
    }
}

/// Collects diagnostics with a cap per code and input, so that a hostile file cannot
/// make the list grow without bound; what was dropped is counted and said at the end.
#[derive(Debug, Default)]
pub struct DiagSink {
    items: Vec<Diagnostic>,
    per_key: std::collections::HashMap<(String, String), usize>,
    suppressed: std::collections::BTreeMap<(String, String), (Severity, usize)>,
    cap: usize,
}

impl DiagSink {
    /// A sink that keeps at most `cap` diagnostics per (input, code).
    pub fn with_cap(cap: usize) -> Self {
        DiagSink {
            cap,
            ..Default::default()
        }
    }

    /// Adds one diagnostic (or counts it if its kind is over the cap).
    pub fn push(&mut self, d: Diagnostic) {
        let key = (d.path.clone(), d.code.clone());
        let n = self.per_key.entry(key.clone()).or_insert(0);
        *n += 1;
        if self.cap == 0 || *n <= self.cap {
            self.items.push(d);
        } else {
            let e = self.suppressed.entry(key).or_insert((d.severity, 0));
            e.1 += 1;
        }
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
            || self.suppressed.values().any(|(s, _)| *s == Severity::Error)
    }

    /// The diagnostics, with one closing line per kind that went over the cap.
    pub fn into_vec(mut self) -> Vec<Diagnostic> {
        for ((path, code), (severity, n)) in std::mem::take(&mut self.suppressed) {
            self.items.push(Diagnostic::new(
                severity,
                &code,
                &path,
                None,
                format!("{n} more `{code}` diagnostics not shown"),
            ));
        }
        self.items
    }

    /// Appends everything from another sink.
    pub fn extend(&mut self, other: DiagSink) {
        for d in other.into_vec() {
            self.push(d);
        }
    }
}

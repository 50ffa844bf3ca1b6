//! oomlens: forensics for Linux OOM kills from kernel logs.
//!
//! The crate is laid out along the data flow:
//! bytes ([`input`]) → lines ([`input::lines`]) → records ([`record`]) →
//! events ([`event`]) → analysis ([`analysis`]) → report ([`report`]) → renderers ([`render`]).
//! [`pipeline`] wires them together for a set of inputs.

// Unsafe code is confined to `input::mapped` (memory-mapped reading).
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod analysis;
pub mod diag;
pub mod error;
mod escapes;
pub mod event;
pub mod input;
pub mod live;
pub mod pipeline;
pub mod record;
pub mod render;
pub mod report;

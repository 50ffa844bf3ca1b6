//! oomlens: forensics for Linux OOM kills from kernel logs.
//!
//! The crate is laid out along the data flow:
//! bytes ([`input`]) → lines ([`input::lines`]) → records ([`record`]) →
//! events ([`event`]) → analysis ([`analysis`]) → report ([`report`]) → renderers ([`render`]).
//! [`pipeline`] is the driver that wires them together, for a batch of logs and for
//! live sources. Text that came from a log is a [`text::LogString`] at every layer: it
//! has no `Display`, so it reaches an output only through a renderer's escaper.
//!
//! As a library: depend on it with `default-features = false` (the default `cli`
//! feature only adds what the `oomlens` command needs: argument parsing, completions,
//! a progress bar). A program that wants large plain logs searched memory-mapped calls
//! [`input::install_sigbus_guard`] once at startup; without it they are read instead.

//! # What is API
//!
//! Documented items are the API: the event model ([`event::OomEvent`] and its parts),
//! the analysis facts ([`analysis`]), the drivers ([`pipeline`]), the report
//! ([`report`]) and the renderers ([`render::Format`], [`render::Renderer`]). Public
//! enums and structs that will grow are `#[non_exhaustive]`. Items hidden from the
//! documentation (the line reader, the prefilter, the classifier and its table of line
//! kinds, the assembler, the event store, the record parser, each renderer's module)
//! are public only so that this crate's own tests, benchmarks and fuzz targets can
//! drive them; they are not part of the API and change without notice.

// Unsafe code is confined to `input::mapped` (memory-mapped reading) and the one call
// that maps an input (`pipeline::batch`).
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod analysis;
pub mod diag;
pub mod error;
mod escapes;
pub mod event;
pub mod input;
pub mod pipeline;
pub mod record;
pub mod render;
pub mod report;
pub mod text;

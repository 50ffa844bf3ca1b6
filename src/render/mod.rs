//! Renderers: the same [`Report`] as a terminal report, JSON, NDJSON or Markdown.
//!
//! Renderers make no decisions about the environment (terminal, colour, width): the
//! binary decides once and passes plain [`RenderOptions`].

pub mod json;
pub mod markdown;
pub mod sanitize;
pub mod table;

use std::io::{self, Write};

use crate::report::{EventReport, Report};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Human report for the terminal.
    #[default]
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per event per line.
    Ndjson,
    /// Markdown for tickets.
    Markdown,
}

/// How to render.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Use colour (terminal format only).
    pub color: bool,
    /// Rows of the ranking to show per event.
    pub top: usize,
    /// Print only the aggregate view.
    pub summary_only: bool,
    /// Terminal width, when known.
    pub width: Option<usize>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            top: 10,
            summary_only: false,
            width: None,
        }
    }
}

/// Writes the whole report in `format`.
pub fn render(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::report(report, opts, out),
        Format::Json => json::document(report, out),
        Format::Ndjson if opts.summary_only => {
            serde_json::to_writer(&mut *out, &report.summary).map_err(io::Error::from)?;
            out.write_all(b"\n")
        }
        Format::Ndjson => json::lines(report, out),
        Format::Markdown => markdown::report(report, opts, out),
    }
}

/// Writes one event on its own (live mode: events are printed as they complete).
pub fn render_event(
    ev: &EventReport,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::event(ev, opts, out),
        Format::Json | Format::Ndjson => json::event_line(ev, out),
        Format::Markdown => markdown::event(ev, opts, out),
    }
}

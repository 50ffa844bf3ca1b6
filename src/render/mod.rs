//! Renderers: the same [`Report`] as a terminal report, JSON, NDJSON or Markdown.
//!
//! Renderers make no decisions about the environment (terminal, colour, width): the
//! binary decides once and passes plain [`RenderOptions`].

pub mod json;
pub mod markdown;
pub mod sanitize;
pub mod table;

use std::io::{self, Write};

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;

use crate::analysis::badness::{Badness, Ranked};
use crate::analysis::human_kb;
use crate::event::{Evidence, Killed};
use crate::report::{Counted, EventReport, Report};

/// Renders every event of `report` with `render` and hands the text to `write`, in
/// time order. Reading an event back and ranking its tasks costs more than writing it,
/// so a batch of events is rendered in parallel at a time, into buffers reused from
/// batch to batch; memory stays bounded by the batch.
pub(crate) fn each_event<R, W>(report: &Report, render: R, mut write: W) -> io::Result<()>
where
    R: Fn(&EventReport, &mut Vec<u8>) -> io::Result<()> + Sync,
    W: FnMut(&[u8]) -> io::Result<()>,
{
    const BATCH: usize = 64;
    // Each buffer with whether it holds an event (one that cannot be read back does
    // not).
    let mut texts: Vec<(bool, Vec<u8>)> = Vec::new();
    for from in (0..report.len()).step_by(BATCH) {
        let n = BATCH.min(report.len() - from);
        texts.resize_with(n.max(texts.len()), Default::default);
        texts[..n]
            .par_iter_mut()
            .enumerate()
            .try_for_each(|(k, (full, text))| {
                text.clear();
                *full = false;
                if let Some(ev) = report.event(from + k) {
                    render(&ev, text)?;
                    *full = true;
                }
                Ok::<(), io::Error>(())
            })?;
        for (_, text) in texts[..n].iter().filter(|(full, _)| *full) {
            write(text)?;
        }
    }
    Ok(())
}

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
        Format::Json => json::document(report, opts.summary_only, out),
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

// ---- pieces the terminal and Markdown renderers share -------------------------------

/// A time cell: the wall time in `fmt` when the log has one, else seconds after boot.
pub(crate) fn stamp(
    wall: Option<DateTime<FixedOffset>>,
    uptime_s: Option<f64>,
    fmt: &str,
) -> String {
    match (wall, uptime_s) {
        (Some(t), _) => t.format(fmt).to_string(),
        (None, Some(u)) => format!("+{u:.0} s"),
        (None, None) => "-".into(),
    }
}

/// An event's time for its heading: the wall time in `fmt`, else seconds after boot.
pub(crate) fn event_time(ev: &EventReport, fmt: &str) -> String {
    match (ev.time, ev.uptime_s()) {
        (Some(t), _) => t.format(fmt).to_string(),
        (None, Some(u)) => format!("{u:.3} s after boot"),
        (None, None) => "time unknown".into(),
    }
}

/// Seconds after boot, `a` to `b`, for logs without wall time.
pub(crate) fn uptime_span(a: f64, b: f64) -> String {
    if a == b {
        format!("{a:.0} s after boot")
    } else {
        format!("{a:.0} s → {b:.0} s after boot")
    }
}

/// `key (n), …` for the first `n` entries of a count list (kills or events), keys
/// escaped for the output by `esc`.
pub(crate) fn top_counts(
    v: &[Counted],
    n: usize,
    kills: bool,
    esc: impl Fn(&str) -> String,
) -> String {
    v.iter()
        .take(n)
        .map(|c| {
            format!(
                "{} ({})",
                esc(&c.key),
                if kills { c.kills } else { c.events }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ranking rows to show: the first `top` (at least one), then every victim ranked
/// below them.
pub(crate) fn shown_rows<'a>(b: &'a Badness, victims: &[u32], top: usize) -> Vec<&'a Ranked> {
    let mut rows: Vec<&Ranked> = b.ranking.iter().take(top.max(1)).collect();
    for r in &b.ranking {
        if victims.contains(&r.pid) && !rows.iter().any(|x| x.pid == r.pid) {
            rows.push(r);
        }
    }
    rows
}

/// A kill in one line: name (escaped for the output by `esc`), pid, uid, and the sizes
/// the kill line gives (a zero shmem is left out).
pub(crate) fn kill_facts(k: &Killed, esc: impl Fn(&str) -> String) -> String {
    let mut s = format!("{} (pid {}", esc(&k.comm), k.pid);
    if let Some(u) = k.uid {
        s.push_str(&format!(", uid {u}"));
    }
    s.push(')');
    let sizes: Vec<String> = [
        k.anon_rss_kb.map(|v| format!("anon {}", human_kb(v))),
        k.file_rss_kb.map(|v| format!("file {}", human_kb(v))),
        k.shmem_rss_kb
            .filter(|v| *v > 0)
            .map(|v| format!("shmem {}", human_kb(v))),
        k.oom_score_adj.map(|v| format!("oom_score_adj {v}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !sizes.is_empty() {
        s.push_str(&format!(": {}", sizes.join(", ")));
    }
    s
}

/// How the log names a kill, when not by its own `Killed process` line.
pub(crate) fn evidence_note(k: &Killed) -> Option<&'static str> {
    match k.evidence {
        Evidence::KilledLine if k.group => Some("memory.oom.group"),
        Evidence::KilledLine => None,
        Evidence::Summary => Some("named by the oom-kill line only"),
        Evidence::Selection => Some("selected; kill line not in log"),
        Evidence::Reaper => Some("named by oom_reaper only"),
        Evidence::SharedMm => Some("shared its memory"),
    }
}

//! Renderers: the same [`Report`] as a terminal report, JSON, NDJSON, Markdown or HTML.
//!
//! Each format is one [`Renderer`] in its own file, chosen in one place
//! ([`Format::renderer`]); a new format is a new file and a match arm. The words come
//! from [`vocab`] (so every format says the same thing), text from logs is
//! [`sanitize::LogText`] (written only through the medium's escaper), and rows that
//! several formats show are neutral facts in [`overview`].
//!
//! Renderers make no decisions about the environment (terminal, colour, width): the
//! binary decides once and passes plain [`RenderOptions`].

#[doc(hidden)]
pub mod fit;
#[doc(hidden)]
pub mod html;
#[doc(hidden)]
pub mod json;
#[doc(hidden)]
pub mod killer;
#[doc(hidden)]
pub mod markdown;
#[doc(hidden)]
pub mod ndjson;
#[doc(hidden)]
pub mod overview;
pub mod sanitize;
#[doc(hidden)]
pub mod svg;
#[doc(hidden)]
pub mod table;
#[doc(hidden)]
pub mod vocab;

pub use table::PROBLEMS_LISTED;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use chrono::{DateTime, FixedOffset};

use crate::analysis::badness::{Badness, Ranked};
use crate::event::{Evidence, Killed};
use crate::render::sanitize::LogText;
use crate::render::vocab::human_kb;
use crate::report::{Counted, EventReport, Report};

/// Renders every event of `report` with `render` and hands the text to `write`, in
/// time order. Reading an event back and ranking its tasks costs more than writing it,
/// so worker threads render events in parallel while this thread writes them out in
/// order. Workers take the next event as soon as they are free (events differ a lot in
/// cost: a batch that waits for its slowest event left the other core idle), but stay
/// at most [`WINDOW`] events ahead of the writer, so memory stays bounded; buffers are
/// reused.
pub(crate) fn each_event<R, W>(report: &Report, render: R, write: W) -> io::Result<()>
where
    R: Fn(&EventReport, &mut Vec<u8>) -> io::Result<()> + Sync,
    W: FnMut(&[u8]) -> io::Result<()>,
{
    let workers = rayon::current_num_threads().clamp(1, 16);
    each_event_with(report, report.len(), workers, render, write)
}

/// [`each_event`] for the first `n` events only (a report that shows a bounded number
/// of events in full does not read back the rest).
pub(crate) fn first_events<R, W>(report: &Report, n: usize, render: R, write: W) -> io::Result<()>
where
    R: Fn(&EventReport, &mut Vec<u8>) -> io::Result<()> + Sync,
    W: FnMut(&[u8]) -> io::Result<()>,
{
    let workers = rayon::current_num_threads().clamp(1, 16);
    each_event_with(report, n.min(report.len()), workers, render, write)
}

/// [`each_event`] over the first `n` events with up to `workers` rendering threads (0:
/// the writer renders).
fn each_event_with<R, W>(
    report: &Report,
    n: usize,
    workers: usize,
    render: R,
    mut write: W,
) -> io::Result<()>
where
    R: Fn(&EventReport, &mut Vec<u8>) -> io::Result<()> + Sync,
    W: FnMut(&[u8]) -> io::Result<()>,
{
    if n == 0 {
        return Ok(());
    }
    let workers = workers.min(n);
    let shared = Window::new();
    let next = AtomicUsize::new(0);
    // Event `i` rendered into `buf`; `None` if it cannot be read back.
    let rendered = |i: usize, mut buf: Vec<u8>| -> io::Result<Option<Vec<u8>>> {
        buf.clear();
        match report.event(i) {
            Some(ev) => render(&ev, &mut buf).map(|()| Some(buf)),
            None => Ok(None),
        }
    };
    std::thread::scope(|s| {
        let mut spawned = 0;
        for _ in 0..workers {
            let worker = std::thread::Builder::new().spawn_scoped(s, || {
                // A panicking renderer must not leave the writer waiting for its event.
                let _guard = StopOnPanic(&shared);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return;
                    }
                    let Some(buf) = shared.claim(i) else {
                        return;
                    };
                    shared.finish(i, rendered(i, buf));
                }
            });
            spawned += usize::from(worker.is_ok());
        }
        // If no thread could be started, this one renders each event before writing it.
        let res = (0..n).try_for_each(|i| {
            let text = if spawned == 0 {
                rendered(i, shared.lock().spare.pop().unwrap_or_default())?
            } else {
                shared.take(i)?
            };
            let r = text.as_deref().map_or(Ok(()), &mut write);
            shared.written(i + 1, text);
            r
        });
        if res.is_err() {
            shared.stop();
        }
        res
    })
}

/// How far workers may render ahead of the writer.
const WINDOW: usize = 64;

struct Window {
    state: Mutex<WindowState>,
    /// The event the writer waits for is done (or the run stopped).
    ready: Condvar,
    /// The writer moved on: workers waiting for room may go on.
    room: Condvar,
}

#[derive(Default)]
struct WindowState {
    /// Rendered events waiting for the writer (`None`: could not be read back).
    done: BTreeMap<usize, Option<Vec<u8>>>,
    /// Events written; the writer waits for event `written`.
    written: usize,
    writer_waits: bool,
    workers_waiting: usize,
    spare: Vec<Vec<u8>>,
    /// The first render error, for the writer.
    failed: Option<io::Error>,
    /// The run is over (an error or a panic): workers quit.
    stop: bool,
}

impl Window {
    fn new() -> Self {
        Window {
            state: Mutex::new(WindowState::default()),
            ready: Condvar::new(),
            room: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, WindowState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until event `i` is within the window; a buffer to render it into.
    fn claim(&self, i: usize) -> Option<Vec<u8>> {
        let mut st = self.lock();
        while i >= st.written + WINDOW && !st.stop {
            st.workers_waiting += 1;
            st = self.room.wait(st).unwrap_or_else(|e| e.into_inner());
            st.workers_waiting -= 1;
        }
        (!st.stop).then(|| st.spare.pop().unwrap_or_default())
    }

    fn finish(&self, i: usize, done: io::Result<Option<Vec<u8>>>) {
        let mut st = self.lock();
        let wake = match done {
            Ok(text) => {
                st.done.insert(i, text);
                i == st.written
            }
            Err(e) => {
                st.failed.get_or_insert(e);
                true
            }
        };
        // Waking the writer for an event it does not wait for yet would only cost a
        // context switch per event.
        if wake && st.writer_waits {
            self.ready.notify_one();
        }
    }

    /// Waits for event `i` (the writer takes them in order).
    fn take(&self, i: usize) -> io::Result<Option<Vec<u8>>> {
        let mut st = self.lock();
        loop {
            if let Some(text) = st.done.remove(&i) {
                return Ok(text);
            }
            if let Some(e) = st.failed.take() {
                return Err(e);
            }
            if st.stop {
                return Err(io::Error::other("an event renderer failed"));
            }
            st.writer_waits = true;
            st = self.ready.wait(st).unwrap_or_else(|e| e.into_inner());
            st.writer_waits = false;
        }
    }

    fn written(&self, upto: usize, buf: Option<Vec<u8>>) {
        let mut st = self.lock();
        st.written = upto;
        st.spare.extend(buf);
        if st.workers_waiting > 0 {
            self.room.notify_all();
        }
    }

    fn stop(&self) {
        self.lock().stop = true;
        self.ready.notify_all();
        self.room.notify_all();
    }
}

struct StopOnPanic<'a>(&'a Window);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
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
    /// One self-contained HTML page with SVG charts.
    Html,
}

impl Format {
    /// The renderer of this format (the one place formats are chosen).
    pub fn renderer(self) -> &'static dyn Renderer {
        match self {
            Format::Table => &table::Table,
            Format::Json => &json::Json,
            Format::Ndjson => &ndjson::Ndjson,
            Format::Markdown => &markdown::Markdown,
            Format::Html => &html::Html,
        }
    }
}

/// One output format.
pub trait Renderer: Sync {
    /// Writes the whole report.
    fn report(&self, report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()>;

    /// Writes one event on its own (live mode: events are printed as they complete).
    fn event(&self, ev: &EventReport, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()>;
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
    /// Size budget of an HTML page, bytes (`None`: [`html::BUDGET`]).
    pub max_chars: Option<usize>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            top: 10,
            summary_only: false,
            width: None,
            max_chars: None,
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
    format.renderer().report(report, opts, out)
}

/// Writes one event on its own (live mode: events are printed as they complete).
pub fn render_event(
    ev: &EventReport,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    format.renderer().event(ev, opts, out)
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
        // The log has no year and none of its lines says it: the file date gave it.
        (Some(t), _) if ev.event.time_basis == Some(crate::record::TimeBasis::YearFromMtime) => {
            format!("{} (year assumed)", t.format(fmt))
        }
        // Only the time since boot is in the log: the wall time is that plus a boot time.
        (Some(t), Some(u))
            if matches!(
                ev.event.time_basis,
                Some(
                    crate::record::TimeBasis::BootTimeDerived
                        | crate::record::TimeBasis::BootTimeGiven
                )
            ) =>
        {
            format!("{} (≈, {u:.0} s after boot)", t.format(fmt))
        }
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
/// (from logs) escaped for the output by `esc`.
pub(crate) fn top_counts(
    v: &[Counted],
    n: usize,
    kills: bool,
    esc: impl Fn(&LogText) -> String,
) -> String {
    let mut s = v
        .iter()
        .take(n)
        .map(|c| {
            format!(
                "{} ({})",
                esc(&LogText::from(&c.key)),
                if kills { c.kills } else { c.events }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(more) = vocab::and_more(v.len(), n) {
        s.push_str(&format!(", {more}"));
    }
    s
}

/// An event's next steps in words: the cause's own first, then what the facts add
/// (what kills could not free, the owner to look up), each with a command to copy.
pub(crate) fn next_steps(ev: &EventReport) -> Vec<(String, Option<LogText<'static>>)> {
    // A userspace killer's kill has no kernel cause to act on: its own rule is told.
    if killer::is_user(ev) {
        return Vec::new();
    }
    let a = &ev.analysis;
    std::iter::once((vocab::next_step(&a.cause).to_string(), None))
        .chain(a.next_steps.iter().map(vocab::step))
        .collect()
}

/// Counts what is written, in bytes and in characters (for the size budgets of the
/// HTML page and of Markdown).
pub(crate) struct Counting<'a> {
    out: &'a mut dyn Write,
    /// Bytes written.
    pub n: usize,
    /// Characters written (UTF-8 sequences).
    pub chars: usize,
}

impl<'a> Counting<'a> {
    pub(crate) fn new(out: &'a mut dyn Write) -> Self {
        Counting {
            out,
            n: 0,
            chars: 0,
        }
    }
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let k = self.out.write(buf)?;
        self.n += k;
        self.chars += chars(&buf[..k]);
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Which events fit a size budget, every section before any kernel lines: given the
/// (section, kernel lines) sizes of the first events, `avail` room and `note` for the
/// note that replaces a section's lines, how many sections are shown and which of
/// them keep their lines (in order, while the room left lasts).
pub(crate) fn plan_budget(
    sizes: &[(usize, usize)],
    avail: usize,
    note: usize,
) -> (usize, Vec<bool>) {
    let (mut shown, mut used) = (0usize, 0usize);
    for (h, _) in sizes {
        if used + h + note > avail {
            break;
        }
        used += h + note;
        shown += 1;
    }
    let mut left = avail - used;
    let whole = sizes[..shown]
        .iter()
        .map(|(_, w)| {
            let fits = *w <= left;
            if fits {
                left -= w;
            }
            fits
        })
        .collect();
    (shown, whole)
}

/// Characters in UTF-8 bytes (each byte that does not continue a sequence).
pub(crate) fn chars(b: &[u8]) -> usize {
    b.iter().filter(|x| (**x & 0xC0) != 0x80).count()
}

/// Who a repeat offender is: `python3 in cgroup /x`, `java in pod <uid>`, `command
/// java`, with ` @host` when the scan names hosts; log text escaped by `code`.
pub(crate) fn offender_label(
    o: &crate::report::Offender,
    code: impl Fn(&crate::text::LogString) -> String,
) -> String {
    let mut s = match (&o.command, o.kind.as_str()) {
        (Some(c), "pod") => format!("{} in pod {}", code(c), code(&o.key)),
        (Some(c), _) => format!("{} in cgroup {}", code(c), code(&o.key)),
        (None, _) => format!("command {}", code(&o.key)),
    };
    if let Some(h) = &o.host {
        s.push_str(&format!(" @{}", code(h)));
    }
    s
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

/// What the allocating task asked for: its GFP flags as printed, else the bare mask with
/// its decoding when the analysis has one; log text escaped by `code`, words by `words`.
pub(crate) fn gfp_facts(
    t: &crate::event::Trigger,
    ev: &EventReport,
    code: impl Fn(&crate::text::LogString) -> String,
    words: impl Fn(&str) -> String,
) -> Option<String> {
    if let Some(f) = t.gfp_flags.as_ref().filter(|f| !f.is_empty()) {
        return Some(code(f));
    }
    let m = t.gfp_mask.as_ref()?;
    let decoded = ev
        .analysis
        .cause
        .allocation
        .as_ref()
        .and_then(vocab::gfp_decoded)
        .map_or(String::new(), |d| format!(" ({})", words(&d)));
    Some(format!("{}{}{decoded}", words("gfp_mask="), code(m)))
}

/// A kill in one line: name (escaped for the output by `esc`), pid, uid, and the sizes
/// the kill line gives (a zero shmem is left out).
pub(crate) fn kill_facts(k: &Killed, esc: impl Fn(&LogText) -> String) -> String {
    let mut s = format!("{} (pid {}", esc(&LogText::from(&k.comm)), k.pid);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{ScanOptions, scan_reader};
    use crate::report::ReportOptions;

    /// Five hosts' copies of a 16-kill capture: 80 events, more than the window.
    fn report() -> Report {
        let text = include_str!("../../samples/lab/many.messages");
        let opts = ScanOptions {
            year: Some(2026),
            ..Default::default()
        };
        let scans = (1..=5)
            .map(|n| {
                let copy = text.replace(" vm kernel: ", &format!(" vm{n} kernel: "));
                scan_reader(&format!("host{n}"), copy.as_bytes(), None, &opts)
            })
            .collect();
        Report::build(scans, &ReportOptions::default())
    }

    fn id_line(ev: &EventReport, out: &mut Vec<u8>) -> io::Result<()> {
        writeln!(out, "{}", ev.id)
    }

    #[test]
    fn every_event_is_written_once_in_order() {
        let r = report();
        assert_eq!(r.len(), 80);
        assert!(r.len() > WINDOW);
        let want: String = (1..=80).map(|i| format!("{i}\n")).collect();
        // 0: no thread could be started, the writer renders too.
        for workers in [0, 1, 2, 5] {
            let mut got = Vec::new();
            each_event_with(&r, r.len(), workers, id_line, |t| {
                got.extend_from_slice(t);
                Ok(())
            })
            .unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), want, "{workers} workers");
        }
    }

    #[test]
    fn a_failing_renderer_or_writer_ends_the_run_with_its_error() {
        let r = report();
        let failing = |ev: &EventReport, out: &mut Vec<u8>| {
            if ev.id == 70 {
                return Err(io::Error::other("render failed at 70"));
            }
            id_line(ev, out)
        };
        let mut written = 0;
        let err = each_event(&r, failing, |_| {
            written += 1;
            Ok(())
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "render failed at 70");
        assert!(written < 70, "{written} written");
        let mut calls = 0;
        let err = each_event(&r, id_line, |_| {
            calls += 1;
            if calls == 3 {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
            }
            Ok(())
        })
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(calls, 3);
    }
}

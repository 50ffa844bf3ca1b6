//! One self-contained HTML page for tickets and post-mortems: the scan's overview with
//! a timeline of every event, the events table, repeat offenders with the victim's
//! memory at each kill, then per event the cause and next step, the victim and why,
//! what filled memory, the zone watermarks where the cause needs them, the ranking as
//! bars, and the raw kernel lines in a collapsible block.
//!
//! Self-contained and safe to open: inline CSS only (light, dark, print), no script,
//! no font, image or link to anything outside the page; a Content-Security-Policy meta
//! tag forbids every load and allows only the page's own stylesheet (by hash). Every
//! value from a log is a [`LogText`] written through [`LogText::html`]; charts come
//! from [`svg`].
//!
//! Bounded like the other reports: at most [`MAX_FULL`] events in full, [`MAX_ROWS`]
//! table rows and [`MAX_MARKS`] timeline marks (past that the timeline counts events
//! per time bin), and when the page would pass [`BUDGET`] bytes the raw kernel lines
//! are left out first (with a note), then whole event sections (counted).

use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::Mutex;

use chrono::{DateTime, FixedOffset};

use crate::analysis::cause::{Cause, CauseKind};
use crate::event::{Ending, OomEvent};
use crate::render::overview::OverviewRow;
use crate::render::sanitize::LogText;
use crate::render::svg::{self, Mark, Slice};
use crate::render::vocab::{self, group, human_kb, pages_h};
use crate::render::{
    RenderOptions, Renderer, event_time, evidence_note, kill_facts, shown_rows, stamp, uptime_span,
};
use crate::report::{Counted, EventReport, Report, UNNAMED_HOST};
use crate::text::LogString;

/// HTML for tickets and post-mortems.
pub struct Html;

impl Renderer for Html {
    fn report(&self, r: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        report(r, opts, out)
    }

    /// Live mode: the event's section alone (a fragment, styled by the page it is put
    /// into).
    fn event(&self, ev: &EventReport, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut buf = Vec::new();
        event(ev, opts, &mut buf)?;
        out.write_all(&without_marks(&buf))
    }
}

/// Events shown in full; the rest are in the table and on the timeline.
pub const MAX_FULL: usize = 500;
/// Rows of the events table.
pub const MAX_ROWS: usize = 2_000;
/// Events drawn one by one on the timeline; past that, counts per time bin.
pub const MAX_MARKS: usize = 2_000;
/// Time bins of the timeline when it counts.
const BINS: usize = 120;
/// Lanes of the timeline (the rest share one "other" lane).
const LANES: usize = 10;
/// The page's default size budget, bytes (`--max-chars` sets another): over it, raw
/// lines go first, then event sections.
pub const BUDGET: usize = 5_000_000;

/// Splits an event section: the raw block sits between two of these, so the writer
/// can leave it out. Escaped text never holds a NUL (controls are shown escaped).
const MARK: u8 = 0;

/// The page's stylesheet; its hash is in the Content-Security-Policy.
const STYLE: &str = r#"
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--dim:#59636e;--line:#d1d9e0;--alt:#f6f8fa;--accent:#0969da;--victim:#cf222e;--victim-bg:#ffebe9;--c1:#0969da;--c2:#bf8700;--c3:#8250df;--c4:#1a7f37;--c5:#cf222e;--c6:#57606a;--c7:#bc4c00;--c8:#d1d9e0}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--dim:#9198a1;--line:#3d444d;--alt:#151b23;--accent:#4493f8;--victim:#ff7b72;--victim-bg:#3c1618;--c1:#4493f8;--c2:#d29922;--c3:#ab7df8;--c4:#3fb950;--c5:#f85149;--c6:#8b949e;--c7:#db6d28;--c8:#3d444d}}
body{background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1rem 1.5rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.1rem;margin:.2rem 0 .6rem}h4{font-size:1rem;margin:1rem 0 .3rem}
a{color:var(--accent)}
table{border-collapse:collapse;margin:.4rem 0;font-size:.9rem}th,td{border:1px solid var(--line);padding:.2rem .5rem;text-align:left;vertical-align:top}th{background:var(--alt)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
table.facts th{width:11rem;background:none;font-weight:600}
tr.victim td{background:var(--victim-bg);font-weight:600}.killed{color:var(--victim);font-weight:700}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{background:var(--alt);padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
section.event{border:1px solid var(--line);border-radius:6px;padding:.6rem 1rem;margin:1.2rem 0;break-inside:avoid-page}
.note{color:var(--dim);font-style:italic}.dim{color:var(--dim)}
.cause{font-size:1.02rem}.next{border-left:4px solid var(--accent);padding-left:.6rem}
svg{max-width:100%;height:auto;display:block}td svg{display:inline-block;vertical-align:middle}
svg text{fill:var(--fg);font:11px system-ui,sans-serif}
.lane{fill:var(--bg)}.lane.even{fill:var(--alt)}.axis,.tick{stroke:var(--dim)}
.mark{stroke:var(--bg);stroke-width:1}.c-memcg{fill:var(--c1)}.c-machine{fill:var(--c5)}.c-other{fill:var(--c3)}.c-unknown{fill:var(--c6)}
.bin{fill:var(--c1)}
.track{fill:var(--alt);stroke:var(--line)}.pts{fill:var(--c1)}.pts.victim{fill:var(--victim)}.cnt{fill:var(--c4)}
.p-anon{fill:var(--c1)}.p-page_cache{fill:var(--c2)}.p-shmem{fill:var(--c3)}.p-kernel{fill:var(--c7)}.p-slab_reclaimable{fill:var(--c4)}.p-slab_unreclaimable{fill:var(--c5)}.p-page_tables{fill:var(--c6)}.p-free{fill:var(--c8)}.p-other{fill:var(--c6)}
.free{fill:var(--c4)}.free.low{fill:var(--c5)}.wmin{stroke:var(--victim);stroke-width:2}.wlow{stroke:var(--c2);stroke-width:2}.whigh{stroke:var(--c1);stroke-width:2}
.line{fill:none;stroke:var(--c1);stroke-width:1.5}.dot{fill:var(--c1)}
.key{margin-right:.25em}
span.c-memcg{color:var(--c1)}span.c-machine{color:var(--c5)}span.c-other{color:var(--c3)}span.c-unknown{color:var(--c6)}
span.p-anon{color:var(--c1)}span.p-page_cache{color:var(--c2)}span.p-shmem{color:var(--c3)}span.p-kernel{color:var(--c7)}span.p-slab_reclaimable{color:var(--c4)}span.p-slab_unreclaimable{color:var(--c5)}span.p-page_tables{color:var(--c6)}span.p-free{color:var(--c8)}span.p-other{color:var(--c6)}
details summary{cursor:pointer;color:var(--accent)}
.grid{display:flex;flex-wrap:wrap;gap:0 2rem;align-items:flex-start}
@media print{:root{color-scheme:light;--bg:#fff;--fg:#1b1f24;--dim:#59636e;--line:#d1d9e0;--alt:#f6f8fa;--accent:#0969da;--victim:#cf222e;--victim-bg:#ffebe9;--c1:#0969da;--c2:#bf8700;--c3:#8250df;--c4:#1a7f37;--c5:#cf222e;--c6:#57606a;--c7:#bc4c00;--c8:#d1d9e0}*{print-color-adjust:exact;-webkit-print-color-adjust:exact}body{max-width:none;font-size:9pt;padding:0}table{font-size:8pt}section.event{border:none;border-top:1px solid #999;border-radius:0;break-inside:auto}h2,h3,h4{break-after:avoid}tr,svg{break-inside:avoid}a{color:inherit;text-decoration:none}pre{white-space:pre-wrap}}
"#;

/// `sha256-…` of [`STYLE`], for the Content-Security-Policy (a test checks it).
const STYLE_HASH: &str = "sha256-QhhtvfDDU8UR6Caz6YtE9NUrMCo/dOW9v2WK2LMwvrM=";

/// The Content-Security-Policy: nothing may load, no script runs, only the page's own
/// stylesheet applies.
pub fn csp() -> String {
    format!(
        "default-src 'none'; style-src '{STYLE_HASH}'; img-src 'none'; script-src 'none'; \
         base-uri 'none'; form-action 'none'"
    )
}

/// The page's stylesheet (for the test of its hash).
#[doc(hidden)]
pub fn style() -> &'static str {
    STYLE
}

/// Log text for HTML.
fn h(s: &LogString) -> String {
    LogText::from(s).html()
}

/// Words oomlens writes, escaped all the same.
fn w(s: &str) -> String {
    LogText::words(s).html()
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {one}s", group(n as i64))
    }
}

/// Writes the whole page.
fn report(r: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut out = super::Counting::new(out);
    let s = &r.summary;
    let title = match s.events {
        0 => "No OOM events".to_string(),
        n => format!(
            "{} OOM {}",
            group(n as i64),
            if n == 1 { "event" } else { "events" }
        ),
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"generator\" content=\"oomlens {}\">\n\
         <title>OOM report: {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>OOM report: {title}</h1>\n",
        csp(),
        env!("CARGO_PKG_VERSION"),
    )?;
    overview(r, &mut out)?;

    // One pass over every event for the timeline and the events table.
    let plan = Timeline::plan(r, !opts.summary_only);
    let acc = Mutex::new(plan.gathered());
    let mut rows = String::new();
    let table = r.len() > 1 && !opts.summary_only;
    super::each_event(
        r,
        |ev, text| {
            let mut a = acc.lock().unwrap_or_else(|e| e.into_inner());
            plan.add(&mut a, ev);
            drop(a);
            if table && ev.id <= MAX_ROWS {
                row(ev, text)?;
            }
            Ok(())
        },
        |text| {
            rows.push_str(&String::from_utf8_lossy(text));
            Ok(())
        },
    )?;
    let acc = acc.into_inner().unwrap_or_else(|e| e.into_inner());
    if !r.is_empty() {
        writeln!(out, "<h2 id=\"timeline\">Timeline</h2>")?;
        out.write_all(plan.draw(acc, s).as_bytes())?;
    }
    count_tables(r, &mut out)?;
    if table {
        writeln!(out, "<h2 id=\"events\">Events</h2>")?;
        writeln!(
            out,
            "<table class=\"events\"><thead><tr><th class=\"n\">#</th><th>Time</th><th>Host</th>\
             <th>Killed</th><th>Where</th><th>Why</th></tr></thead><tbody>"
        )?;
        out.write_all(rows.as_bytes())?;
        writeln!(out, "</tbody></table>")?;
        if r.len() > MAX_ROWS {
            writeln!(
                out,
                "<p class=\"note\">{} more events are not listed (they are on the timeline; \
                 --format json has them all).</p>",
                group((r.len() - MAX_ROWS) as i64)
            )?;
        }
    }
    drop(rows);
    offenders(r, &mut out)?;
    if opts.summary_only || r.is_empty() {
        return footer(&mut out);
    }

    writeln!(out, "<h2 id=\"details\">Each event</h2>")?;
    let full = r.len().min(MAX_FULL);
    let budget = opts.max_chars.unwrap_or(BUDGET);
    // What the page still needs after the sections: a placeholder for each event not
    // shown in full (the timeline and the table link to them), the notes and the footer.
    const PLACEHOLDER: usize = 200;
    const TAIL: usize = 2_000;
    const NOTE: usize = 300;
    let section = |ev: &EventReport, text: &mut Vec<u8>| -> io::Result<()> {
        write!(text, "{}", ev.id)?;
        text.push(MARK);
        event(ev, opts, text)
    };
    // Every section before any kernel lines: measure, then plan (as Markdown does).
    let parts = |text: &[u8]| -> [Vec<u8>; 4] {
        let mut it = text.splitn(4, |b| *b == MARK).map(<[u8]>::to_vec);
        std::array::from_fn(|_| it.next().unwrap_or_default())
    };
    let avail = budget.saturating_sub(out.n + TAIL + full * PLACEHOLDER);
    let mut sizes = Vec::new();
    super::first_events(r, full, section, |text| {
        let [_, head, raw, tail] = parts(text);
        sizes.push((head.len() + tail.len(), raw.len()));
        Ok(())
    })?;
    let (shown, whole) = super::plan_budget(&sizes, avail, NOTE);
    let mut trimmed = 0usize;
    let dropped = full - shown;
    let mut seen = 0usize;
    super::first_events(r, full, section, |text| {
        let [id, head, raw, tail] = parts(text);
        let i = seen;
        seen += 1;
        if i >= shown {
            // Not shown, but its links from the timeline and the table still land.
            let id = String::from_utf8_lossy(&id).into_owned();
            return writeln!(
                out,
                "<p class=\"note\" id=\"ev-{id}\">Event {id} is not shown in full: the \
                 page would pass {}.</p>",
                size(budget)
            );
        }
        out.write_all(&head)?;
        if whole[i] {
            out.write_all(&raw)?;
        } else if !raw.is_empty() {
            trimmed += 1;
            writeln!(
                out,
                "<p class=\"note\">Kernel lines left out to keep the page under {} \
                 (--format markdown --raw or --format json --raw has them).</p>",
                size(budget)
            )?;
        }
        out.write_all(&tail)
    })?;
    if trimmed > 0 {
        writeln!(
            out,
            "<p class=\"note\">The kernel lines of {} were left out to keep the page under \
             {} (--max-chars sets it).</p>",
            plural(trimmed, "event"),
            size(budget)
        )?;
    }
    let rest = r.len() - full + dropped;
    if rest > 0 {
        writeln!(
            out,
            "<p class=\"note\">{} not shown in full here (the page shows at most {} and \
             stays under {}); they are in the table and on the timeline above, and \
             --format json has them all (--since, --until, --host and --comm narrow the \
             scan).</p>",
            if rest == 1 {
                "1 more event is".to_string()
            } else {
                format!("{} more events are", group(rest as i64))
            },
            MAX_FULL,
            size(budget)
        )?;
    }
    footer(&mut out)
}

/// A budget in words: `5 MB`, or `32,000 bytes`.
fn size(budget: usize) -> String {
    if budget >= 1_000_000 && budget.is_multiple_of(1_000_000) {
        format!("{} MB", budget / 1_000_000)
    } else {
        format!("{} bytes", group(budget as i64))
    }
}

fn footer(out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "<footer class=\"dim\"><p>Made by oomlens {}. Names, paths and log lines are shown \
         as the log has them, with control and invisible characters escaped.</p></footer>\n\
         </body>\n</html>",
        env!("CARGO_PKG_VERSION")
    )
}

/// The scan's overview: inputs, time span, kills, hosts, cgroups, victims, problems.
fn overview(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    writeln!(
        out,
        "<h2 id=\"overview\">Overview</h2>\n<table class=\"facts\">"
    )?;
    let inputs: Vec<String> = s
        .inputs
        .iter()
        .take(20)
        .map(|i| {
            let mut t = format!("<code>{}</code>", h(&i.path));
            if i.failed {
                t.push_str(" (could not be read)");
            } else {
                let _ = write!(t, " ({})", plural(i.events, "event"));
            }
            t
        })
        .collect();
    let more = if s.inputs.len() > 20 {
        format!(" and {} more", s.inputs.len() - 20)
    } else {
        String::new()
    };
    writeln!(
        out,
        "<tr><th>Inputs</th><td>{}{more}</td></tr>",
        inputs.join("<br>")
    )?;
    if let Some(span) = span_words(s.first, s.last, s.first_uptime_s, s.last_uptime_s) {
        writeln!(out, "<tr><th>Time span</th><td>{}</td></tr>", w(&span))?;
    }
    writeln!(
        out,
        "<tr><th>Kills</th><td>{} ({} confirmed by <code>Killed process</code> lines); \
         {} of {} complete</td></tr>",
        plural(s.victims, "task"),
        group(s.kills as i64),
        group(s.complete_events as i64),
        plural(s.events, "report"),
    )?;
    let problems: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity >= crate::diag::Severity::Warning)
        .take(10)
        .map(|d| LogText::sentence(d.to_string()).html())
        .collect();
    if !problems.is_empty() {
        let n = r
            .diagnostics
            .iter()
            .filter(|d| d.severity >= crate::diag::Severity::Warning)
            .count();
        let more = if n > problems.len() {
            format!(
                "<br>… and {} more (--format json has them all)",
                n - problems.len()
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "<tr><th>Problems</th><td>{}{more}</td></tr>",
            problems.join("<br>")
        )?;
    }
    writeln!(out, "</table>")
}

/// Events by host and cgroup, kills by command, side by side where there is room.
fn count_tables(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    if s.events == 0 {
        return Ok(());
    }
    writeln!(out, "<div class=\"grid\">")?;
    let named_hosts = s.hosts.iter().any(|h| h.key != UNNAMED_HOST);
    if named_hosts {
        counts(out, "Events by host", "Host", &s.hosts, false)?;
    }
    counts(
        out,
        "Events by cgroup that hit its limit",
        "Cgroup",
        &s.cgroups,
        false,
    )?;
    counts(out, "Kills by command", "Command", &s.commands, true)?;
    // Who killed (issue 17): the kernel, a userspace killer, or both; shown even when
    // the kernel alone killed, so the page says so.
    if !s.killers.is_empty() {
        counts(out, "Kills by killer", "Killer", &s.killers, true)?;
    }
    writeln!(out, "</div>")
}

/// "first → last" in wall time, else in seconds after boot.
fn span_words(
    first: Option<DateTime<FixedOffset>>,
    last: Option<DateTime<FixedOffset>>,
    first_up: Option<f64>,
    last_up: Option<f64>,
) -> Option<String> {
    match (first, last, first_up, last_up) {
        (Some(a), Some(b), _, _) => Some(format!(
            "{} → {}",
            a.format("%Y-%m-%d %H:%M:%S %:z"),
            b.format("%Y-%m-%d %H:%M:%S %:z")
        )),
        (_, _, Some(a), Some(b)) => Some(uptime_span(a, b)),
        _ => None,
    }
}

/// A count list as a table with bars (first ten, the rest counted).
fn counts(
    out: &mut dyn Write,
    title: &str,
    what: &str,
    v: &[Counted],
    kills: bool,
) -> io::Result<()> {
    if v.is_empty() {
        return Ok(());
    }
    let unit = if kills { "Kills" } else { "Events" };
    let num = |c: &Counted| if kills { c.kills } else { c.events };
    let max = v.iter().take(10).map(num).max().unwrap_or(1) as f64;
    writeln!(
        out,
        "<div><h4>{}</h4>\n<table class=\"counts\"><thead><tr><th>{what}</th><th class=\"n\">{unit}</th>\
         <th></th></tr></thead><tbody>",
        w(title)
    )?;
    for c in v.iter().take(10) {
        let k = num(c);
        writeln!(
            out,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td>{}</td></tr>",
            h(&c.key),
            group(k as i64),
            svg::bar(
                k as f64,
                max,
                "cnt",
                &LogText::sentence(format!("{k} of {max}"))
            )
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    if v.len() > 10 {
        writeln!(
            out,
            "<p class=\"note\">… and {} more.</p>",
            group((v.len() - 10) as i64)
        )?;
    }
    writeln!(out, "</div>")
}

/// One row of the events table.
fn row(ev: &EventReport, out: &mut Vec<u8>) -> io::Result<()> {
    let row = OverviewRow::of(ev);
    let id = if ev.id <= MAX_FULL {
        format!("<a href=\"#ev-{0}\">{0}</a>", ev.id)
    } else {
        ev.id.to_string()
    };
    let killed = row.killed_cell(|n| n.html().to_string());
    let mut why = row.why.clone().unwrap_or_else(|| LogText::words("-"));
    if row.partial {
        why.push_words(" (partial)");
    }
    writeln!(
        out,
        "<tr><td class=\"n\">{id}</td><td>{}</td><td>{}</td><td>{killed}</td><td>{}</td><td>{}</td></tr>",
        w(&stamp(row.time, row.uptime_s, "%Y-%m-%d %H:%M:%S")),
        row.host
            .as_ref()
            .map_or_else(|| "-".to_string(), |h| h.html()),
        row.place.html(),
        why.html()
    )
}

/// The colour class of an event's cause on the timeline.
fn cause_class(c: &Cause) -> &'static str {
    match c.kind {
        CauseKind::MemcgLimit
        | CauseKind::MemswLimit
        | CauseKind::SwapLimit
        | CauseKind::KmemLimit => "c-memcg",
        CauseKind::Machine => "c-machine",
        CauseKind::Unknown => "c-unknown",
        _ => "c-other",
    }
}

/// How the timeline is laid out: lanes by host (several named hosts) or by the cgroup
/// that hit its limit, and the time axis from the summary's span.
struct Timeline {
    by_host: bool,
    /// The lanes' keys (the busiest first); events of other keys share a last lane.
    keys: Vec<LogString>,
    other: bool,
    axis: Axis,
    marks: bool,
    /// The page has the events' sections to link to.
    linked: bool,
}

#[derive(Clone, Copy)]
enum Axis {
    Wall(DateTime<FixedOffset>, DateTime<FixedOffset>),
    Uptime(f64, f64),
    None,
}

/// What the pass over the events gathers: bounded by [`MAX_MARKS`] or the bins.
struct Gathered {
    marks: Vec<(usize, usize, f64, &'static str, LogText<'static>)>,
    bins: Vec<Vec<u32>>,
    untimed: usize,
}

impl Timeline {
    fn plan(r: &Report, linked: bool) -> Timeline {
        let s = &r.summary;
        let by_host = s.hosts.iter().filter(|h| h.key != UNNAMED_HOST).count() > 1;
        let list = if by_host { &s.hosts } else { &s.cgroups };
        let keys: Vec<LogString> = list.iter().take(LANES).map(|c| c.key.clone()).collect();
        let other = list.len() > LANES
            || if by_host {
                s.overflow.hosts.events > 0
            } else {
                s.overflow.cgroups.events > 0
            };
        let axis = match (s.first, s.last, s.first_uptime_s, s.last_uptime_s) {
            (Some(a), Some(b), _, _) => Axis::Wall(a, b),
            (_, _, Some(a), Some(b)) => Axis::Uptime(a, b),
            _ => Axis::None,
        };
        Timeline {
            by_host,
            keys,
            other,
            axis,
            marks: r.len() <= MAX_MARKS,
            linked,
        }
    }

    fn lanes(&self) -> usize {
        self.keys.len().max(1) + usize::from(self.other)
    }

    fn gathered(&self) -> Gathered {
        Gathered {
            marks: Vec::new(),
            bins: if self.marks {
                Vec::new()
            } else {
                vec![vec![0; BINS]; self.lanes()]
            },
            untimed: 0,
        }
    }

    /// The event's lane.
    fn lane(&self, e: &OomEvent) -> usize {
        let key: LogString = if self.by_host {
            e.host.clone().unwrap_or_else(|| UNNAMED_HOST.into())
        } else {
            e.memcg
                .as_ref()
                .and_then(|m| m.oom_memcg.clone())
                .unwrap_or_else(|| {
                    if e.is_memcg() {
                        "(memcg not named in the log)".into()
                    } else {
                        "(machine)".into()
                    }
                })
        };
        self.keys
            .iter()
            .position(|k| *k == key)
            .unwrap_or(self.keys.len().max(1).min(self.lanes() - 1))
    }

    /// Where the event sits on the time axis, 0 to 1.
    fn x(&self, ev: &EventReport) -> Option<f64> {
        let frac = |v: f64, a: f64, b: f64| if b > a { (v - a) / (b - a) } else { 0.5 };
        match self.axis {
            Axis::Wall(a, b) => ev.time.map(|t| {
                frac(
                    t.timestamp_millis() as f64,
                    a.timestamp_millis() as f64,
                    b.timestamp_millis() as f64,
                )
            }),
            Axis::Uptime(a, b) => ev.uptime_s().map(|u| frac(u, a, b)),
            Axis::None => None,
        }
    }

    fn add(&self, g: &mut Gathered, ev: &EventReport) {
        let Some(x) = self.x(ev) else {
            g.untimed += 1;
            return;
        };
        let lane = self.lane(&ev.event);
        let class = cause_class(&ev.analysis.cause);
        if self.marks {
            let mut t = LogText::sentence(format!("Event {}: ", ev.id));
            match ev.event.victim() {
                Some(v) => {
                    t.push_log(&LogText::from(&v.comm));
                    t.push_words(&format!(" (pid {}) killed", v.pid));
                }
                None => t.push_words("no kill in the log"),
            }
            t.push_words(&format!(" · {}", event_time(ev, "%Y-%m-%d %H:%M:%S")));
            if let Some(tag) = vocab::cause_tag(&ev.analysis.cause) {
                t.push_words(&format!(" · {tag}"));
            }
            g.marks.push((ev.id, lane, x, class, t));
        } else {
            let b = ((x.clamp(0.0, 1.0) * BINS as f64) as usize).min(BINS - 1);
            if let Some(row) = g.bins.get_mut(lane) {
                row[b] += 1;
            }
        }
    }

    fn draw(&self, mut g: Gathered, s: &crate::report::Summary) -> String {
        let mut lanes: Vec<LogText<'_>> = self
            .keys
            .iter()
            // Timeline lanes: a host keeps its node suffix, a cgroup its leaf.
            .map(|k| {
                let how = if self.by_host {
                    super::fit::Cut::Middle
                } else {
                    super::fit::Cut::Start
                };
                LogText::sentence(super::fit::cut(&LogText::from(k).term(), 30, how))
            })
            .collect();
        if lanes.is_empty() {
            lanes.push(LogText::words("all events"));
        }
        if self.other {
            lanes.push(LogText::words(if self.by_host {
                "other hosts"
            } else {
                "other cgroups"
            }));
        }
        let axis: [String; 3] = match self.axis {
            Axis::Wall(a, b) => {
                let mid = a + (b - a) / 2;
                // Fine enough to tell the three apart.
                let fmt = match (b - a).num_seconds() {
                    ..=600 => "%H:%M:%S",
                    601..=172_800 => "%m-%d %H:%M",
                    _ => "%Y-%m-%d %H:%M",
                };
                [
                    a.format("%Y-%m-%d %H:%M:%S").to_string(),
                    mid.format(fmt).to_string(),
                    b.format(fmt).to_string(),
                ]
            }
            Axis::Uptime(a, b) => [a, (a + b) / 2.0, b].map(|u| format!("{u:.0} s after boot")),
            Axis::None => [String::new(), String::new(), String::new()],
        };
        g.marks.sort_by_key(|m| m.0);
        let marks: Vec<Mark<'_>> = g
            .marks
            .into_iter()
            .map(|(id, lane, x, class, title)| Mark {
                lane,
                x,
                class,
                title,
                href: (self.linked && id <= MAX_FULL).then(|| format!("#ev-{id}")),
            })
            .collect();
        let n = marks.len();
        let label = LogText::sentence(format!(
            "Timeline of {} by {}",
            plural(s.events, "event"),
            if self.by_host { "host" } else { "cgroup" }
        ));
        let mut out = String::new();
        out.push_str(&svg::timeline(
            &lanes,
            &marks,
            (!self.marks).then_some(&g.bins[..]),
            [&axis[0], &axis[1], &axis[2]],
            &label,
        ));
        let by = if self.by_host { "host" } else { "cgroup" };
        if self.marks {
            out.push_str(&format!(
                "<p class=\"dim\">One mark per event ({n}), lanes by {by}; a mark links to \
                 its event. <span class=\"key c-memcg\">■</span>cgroup limit \
                 <span class=\"key c-machine\">■</span>whole machine \
                 <span class=\"key c-other\">■</span>NUMA nodes, zone, fragmentation or \
                 manual <span class=\"key c-unknown\">■</span>cause not in the log.</p>\n"
            ));
        } else {
            out.push_str(&format!(
                "<p class=\"dim\">{} in {BINS} time bins per lane, lanes by {by}: the taller \
                 the bar, the more events (each bar's tooltip has its count).</p>\n",
                plural(s.events, "event")
            ));
        }
        if g.untimed > 0 {
            out.push_str(&format!(
                "<p class=\"note\">{} no time on this axis and {} not on the timeline.</p>\n",
                if g.untimed == 1 {
                    "1 event has".to_string()
                } else {
                    format!("{} events have", group(g.untimed as i64))
                },
                if g.untimed == 1 { "is" } else { "are" }
            ));
        }
        out
    }
}

/// Repeat offenders with the victim's memory at each kill as a line chart.
fn offenders(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    if s.offenders.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h2 id=\"offenders\">Killed more than once</h2>")?;
    writeln!(
        out,
        "<table class=\"offenders\"><thead><tr><th>What</th><th class=\"n\">Kills</th>\
         <th>First</th><th>Last</th><th>Victim's memory at each kill</th><th>Trend</th></tr>\
         </thead><tbody>"
    )?;
    for o in s.offenders.iter().take(25) {
        let every = o.rss_kb_every.max(1);
        let points: Vec<(u64, LogText<'_>)> = o
            .rss_kb
            .iter()
            .enumerate()
            .map(|(i, kb)| {
                (
                    *kb,
                    LogText::sentence(format!(
                        "{} kill: {}",
                        vocab::ordinal(i * every + 1),
                        human_kb(*kb)
                    )),
                )
            })
            .collect();
        let mut label = LogText::sentence(format!("Memory at each kill of {} ", o.kind));
        label.push_log(&LogText::from(&o.key));
        if let Some(c) = &o.command {
            label.push_words(" (");
            label.push_log(&LogText::from(c));
            label.push_words(")");
        }
        let range = match (o.rss_kb.iter().min(), o.rss_kb.iter().max()) {
            (Some(a), Some(b)) => format!("{} – {}", human_kb(*a), human_kb(*b)),
            _ => String::new(),
        };
        let every = if every > 1 {
            format!(", every {}", vocab::ordinal(every))
        } else {
            String::new()
        };
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td>\
             <td>{}<span class=\"dim\">{}{}</span></td><td>{}</td></tr>",
            super::offender_label(o, |x| format!("<code>{}</code>", h(x))),
            o.kills,
            w(&stamp(o.first, o.first_uptime_s, "%Y-%m-%d %H:%M")),
            w(&stamp(o.last, o.last_uptime_s, "%Y-%m-%d %H:%M")),
            svg::line_chart(&points, &label),
            w(&range),
            w(&every),
            w(&vocab::trend_words(&o.trend, o.incidents))
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    if s.offenders.len() > 25 {
        writeln!(
            out,
            "<p class=\"note\">… and {} more.</p>",
            s.offenders.len() - 25
        )?;
    }
    Ok(())
}

/// Opens an event's section with its heading: `Event N: {headline} · time · host`
/// (`headline` already escaped).
fn section_open(ev: &EventReport, headline: &str, out: &mut Vec<u8>) -> io::Result<()> {
    let when = event_time(ev, "%Y-%m-%d %H:%M:%S %:z");
    let host = ev
        .event
        .host
        .as_ref()
        .map(|x| format!(" · {}", h(x)))
        .unwrap_or_default();
    writeln!(
        out,
        "<section class=\"event\" id=\"ev-{0}\">\n<h3>Event {0}: {headline} · {1}{host}</h3>",
        ev.id,
        w(&when)
    )
}

/// A userspace killer's kill (issue 17): its section, no kernel report.
fn user_event(ev: &EventReport, out: &mut Vec<u8>) -> io::Result<()> {
    let e = &ev.event;
    let tag = format!("killed by {}", w(super::killer::user_tag(ev)));
    section_open(ev, &tag, out)?;
    writeln!(out, "<table class=\"facts\">")?;
    for (label, text) in super::killer::user_rows(ev) {
        writeln!(out, "<tr><th>{label}</th><td>{}</td></tr>", text.html())?;
    }
    writeln!(
        out,
        "<tr><th>Source</th><td><code>{}</code> lines {}–{}</td></tr>\n</table>\n</section>",
        h(&e.source.path),
        e.source.first_line,
        e.source.last_line
    )
}

/// Writes one event's section; the raw block between two [`MARK`]s.
fn event(ev: &EventReport, opts: &RenderOptions, out: &mut Vec<u8>) -> io::Result<()> {
    let e = &ev.event;
    if super::killer::is_user(ev) {
        return user_event(ev, out);
    }
    let a = &ev.analysis;
    let headline = match e.victim() {
        Some(v) => format!("{} (pid {}) killed", h(&v.comm), v.pid),
        None => w(match &e.ending {
            Some(Ending::NoKillableProcess) => "no killable process",
            Some(Ending::Panic { .. }) => "kernel panic",
            Some(Ending::VictimExiting { .. }) => "victim already exiting",
            None => "victim not in the log",
        }),
    };
    section_open(ev, &headline, out)?;
    writeln!(
        out,
        "<p class=\"cause\"><strong>Cause:</strong> {}</p>",
        vocab::cause_sentence(&a.cause, e).html(),
    )?;
    writeln!(out, "<div class=\"next\"><strong>Next steps:</strong><ul>")?;
    for (text, cmd) in super::next_steps(ev) {
        match cmd {
            Some(c) => writeln!(out, "<li>{} <code>{}</code></li>", w(&text), c.html())?,
            None => writeln!(out, "<li>{}</li>", w(&text))?,
        }
    }
    writeln!(out, "</ul></div>")?;
    writeln!(out, "<table class=\"facts\">")?;
    for k in &e.killed {
        let s = kill_facts(k, |t: &LogText| t.html());
        let how = evidence_note(k)
            .map(|n| format!(" ({})", w(n)))
            .unwrap_or_default();
        writeln!(out, "<tr><th>Killed</th><td>{s}{how}</td></tr>")?;
    }
    if let Some(m) = &e.memcg {
        if let Some(o) = &m.oom_memcg {
            writeln!(
                out,
                "<tr><th>Cgroup (limit hit)</th><td><code>{}</code></td></tr>",
                h(o)
            )?;
        }
        if let Some(t) = m
            .task_memcg
            .as_ref()
            .filter(|t| Some(*t) != m.oom_memcg.as_ref())
        {
            writeln!(
                out,
                "<tr><th>Victim's cgroup</th><td><code>{}</code></td></tr>",
                h(t)
            )?;
        }
    }
    if let Some(c) = &a.container {
        writeln!(out, "<tr><th>Owner</th><td>{}</td></tr>", h(&c.label()))?;
    }
    if let Some(c) = &e.constraint {
        writeln!(out, "<tr><th>Constraint</th><td>{}</td></tr>", h(c))?;
    }
    if let Some(t) = &e.trigger {
        let mut s = match &t.comm {
            Some(c) => h(c),
            None => w("(unknown)"),
        };
        if let Some(pid) = t.pid {
            let _ = write!(s, " (pid {pid})");
        }
        if let Some(f) = t.gfp_flags.as_ref().filter(|f| !f.is_empty()) {
            let _ = write!(s, ", {}", h(f));
        } else if let Some(g) = &t.gfp_mask {
            let _ = write!(s, ", gfp_mask={}", h(g));
            if let Some(d) = a.cause.allocation.as_ref().and_then(vocab::gfp_decoded) {
                let _ = write!(s, " ({})", w(&d));
            }
        }
        if let Some(o) = t.order {
            let _ = write!(s, ", order {o}");
        }
        let label = vocab::trigger_role(&a.cause).0;
        writeln!(out, "<tr><th>{label}</th><td>{s}</td></tr>")?;
    }
    if let Some(k) = &e.kernel_version {
        writeln!(out, "<tr><th>Kernel</th><td>{}</td></tr>", h(k))?;
    }
    for (label, text) in super::killer::kernel_rows(ev) {
        writeln!(out, "<tr><th>{label}</th><td>{}</td></tr>", text.html())?;
    }
    writeln!(
        out,
        "<tr><th>Source</th><td><code>{}</code> lines {}–{}</td></tr>",
        h(&e.source.path),
        e.source.first_line,
        e.source.last_line
    )?;
    writeln!(
        out,
        "<tr><th>Complete</th><td>{}</td></tr>\n</table>",
        if e.complete { "yes" } else { "no" }
    )?;
    if let Some(b) = &a.badness {
        writeln!(
            out,
            "<p><strong>Why this victim:</strong> {}</p>",
            vocab::explanation(b).html()
        )?;
    }
    if let Some(m) = &a.memory {
        writeln!(
            out,
            "<h4>What filled memory</h4>\n<p>{}</p>",
            vocab::memory_summary(m, &a.cause).html()
        )?;
        if let Some(d) = vocab::memcg_detail(&a.cause) {
            writeln!(out, "<p>{}</p>", w(&d))?;
        }
        if !m.parts.is_empty() {
            let slices: Vec<Slice<'_>> = m
                .parts
                .iter()
                .map(|p| Slice {
                    class: part_class(&p.name),
                    title: LogText::sentence(format!(
                        "{}: {} ({:.1} %)",
                        p.name.replace('_', " "),
                        human_kb(p.kb),
                        p.percent
                    )),
                    percent: p.percent,
                })
                .collect();
            let label = LogText::sentence(format!(
                "Memory composition of the {}",
                if m.domain == "memcg" {
                    "cgroup"
                } else {
                    m.domain.as_str()
                }
            ));
            out.extend_from_slice(svg::stacked_bar(&slices, &label).as_bytes());
            writeln!(
                out,
                "\n<table class=\"parts\"><thead><tr><th>Part</th><th class=\"n\">Size</th>\
                 <th class=\"n\">Share</th></tr></thead><tbody>"
            )?;
            for p in &m.parts {
                writeln!(
                    out,
                    "<tr><td><span class=\"key {}\">■</span>{}</td><td class=\"n\">{}</td>\
                     <td class=\"n\">{:.1} %</td></tr>",
                    part_class(&p.name),
                    w(&p.name.replace('_', " ")),
                    human_kb(p.kb),
                    p.percent
                )?;
            }
            writeln!(out, "</tbody></table>")?;
        }
    }
    zones(&a.cause, out)?;
    if let Some(b) = &a.badness
        && !b.ranking.is_empty()
    {
        let victims: Vec<u32> = e.killed.iter().map(|k| k.pid).collect();
        let basis = vocab::ranking_total(b);
        writeln!(
            out,
            "<h4>Rebuilt ranking</h4>\n<p class=\"dim\">{}</p>",
            w(&basis)
        )?;
        writeln!(
            out,
            "<table class=\"ranking\"><thead><tr><th class=\"n\">Rank</th><th class=\"n\">PID</th>\
             <th>Name</th><th class=\"n\">RSS</th><th class=\"n\">Swap</th>\
             <th class=\"n\">Page tables</th><th class=\"n\">oom_score_adj</th>\
             <th class=\"n\">Points</th><th>Badness</th><th></th></tr></thead><tbody>"
        )?;
        let page = b.page_size_kb;
        let rows = shown_rows(b, &victims, opts.top);
        let max = rows
            .iter()
            .filter_map(|r| r.points)
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        for r in &rows {
            let killed = victims.contains(&r.pid);
            let mark = if killed {
                "<span class=\"killed\">◀ killed</span>".to_string()
            } else if b.selected_pid == Some(r.pid) {
                "selected".to_string()
            } else {
                r.exempt.map(|x| w(vocab::exempt(x))).unwrap_or_default()
            };
            let mark = match (r.implausible, mark.is_empty()) {
                (false, _) => mark,
                (true, true) => "implausible".into(),
                (true, false) => format!("{mark}, implausible"),
            };
            let mut title = LogText::from(&r.name).into_owned();
            title.push_words(&format!(": {} points", r.points.map_or("-".into(), group)));
            writeln!(
                out,
                "<tr{}><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{mark}</td></tr>",
                if killed { " class=\"victim\"" } else { "" },
                r.rank.map_or("-".into(), |x| x.to_string()),
                r.pid,
                h(&r.name),
                pages_h(r.rss_pages, page),
                pages_h(r.swap_pages, page),
                pages_h(r.pgtables_pages, page),
                r.oom_score_adj,
                r.points.map_or("-".into(), group),
                svg::bar(
                    r.points.unwrap_or(0).max(0) as f64,
                    max,
                    if killed { "pts victim" } else { "pts" },
                    &title
                ),
            )?;
        }
        writeln!(out, "</tbody></table>")?;
        if b.ranking.len() > rows.len() {
            writeln!(
                out,
                "<p class=\"note\">{} more tasks not shown (--top N shows more).</p>",
                b.ranking.len() - rows.len()
            )?;
        }
        if let Some(k) = &b.kernel_score {
            writeln!(
                out,
                "<p>Kernel's printed score: {}</p>",
                w(&vocab::score_note(k))
            )?;
        }
    }
    let notes: Vec<&str> = e
        .notes
        .iter()
        .map(String::as_str)
        .chain(
            a.badness
                .iter()
                .flat_map(|b| b.notes.iter().map(|n| vocab::note(*n))),
        )
        .collect();
    if !notes.is_empty() {
        writeln!(out, "<h4>Notes</h4>\n<ul>")?;
        for n in notes {
            writeln!(out, "<li>{}</li>", w(n))?;
        }
        writeln!(out, "</ul>")?;
    }
    out.push(MARK);
    if !e.raw.is_empty() {
        writeln!(
            out,
            "<details><summary>Kernel log of this report ({} lines)</summary>\n<pre>",
            e.raw.len()
        )?;
        for line in &e.raw {
            writeln!(out, "{}", h(line))?;
        }
        writeln!(out, "</pre></details>")?;
    }
    out.push(MARK);
    writeln!(out, "</section>")
}

/// The event section without the raw block's marks.
fn without_marks(b: &[u8]) -> Vec<u8> {
    b.iter().copied().filter(|c| *c != MARK).collect()
}

/// The CSS class of a part of memory (its colour).
fn part_class(name: &str) -> &'static str {
    match name {
        "anon" => "p-anon",
        "page_cache" => "p-page_cache",
        "shmem" => "p-shmem",
        "kernel" => "p-kernel",
        "slab_reclaimable" => "p-slab_reclaimable",
        "slab_unreclaimable" => "p-slab_unreclaimable",
        "page_tables" => "p-page_tables",
        "free" => "p-free",
        _ => "p-other",
    }
}

/// The zones' free memory against their watermarks, for the causes that turn on them
/// (NUMA nodes, a zone, fragmentation).
fn zones(c: &Cause, out: &mut Vec<u8>) -> io::Result<()> {
    if !matches!(
        c.kind,
        CauseKind::NumaNodes | CauseKind::Zone | CauseKind::Fragmentation
    ) || c.zones.is_empty()
    {
        return Ok(());
    }
    let many_nodes = c.zones_span_nodes();
    writeln!(
        out,
        "<h4>Zones and watermarks</h4>\n<table class=\"zones\"><thead><tr><th>Zone</th>\
         <th class=\"n\">Free</th><th class=\"n\">min</th><th class=\"n\">low</th>\
         <th class=\"n\">high</th><th class=\"n\">Reserve</th><th class=\"n\">Largest free \
         block</th><th>Free against \
         the watermarks</th></tr></thead><tbody>"
    )?;
    let kb = |v: Option<u64>| v.map_or("-".into(), human_kb);
    for z in c.zones.iter().take(32) {
        let mut label = LogText::sentence(String::new());
        if many_nodes && let Some(n) = z.node {
            label.push_words(&format!("node {n} "));
        }
        label.push_log(&LogText::from(&z.zone));
        if z.allowed == Some(false) {
            label.push_words(" (not allowed)");
        }
        let chart = match z.free_kb {
            Some(f) => {
                let mut t = label.clone();
                t.push_words(&format!(
                    ": free {}, min {}, low {}, high {}",
                    human_kb(f),
                    kb(z.min_kb),
                    kb(z.low_kb),
                    kb(z.high_kb)
                ));
                svg::watermarks(f, z.min_kb, z.low_kb, z.high_kb, &t)
            }
            None => String::new(),
        };
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td>{chart}</td></tr>",
            label.html(),
            kb(z.free_kb),
            kb(z.min_kb),
            kb(z.low_kb),
            kb(z.high_kb),
            kb(z.reserve_kb),
            kb(z.largest_free_kb)
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    writeln!(
        out,
        "<p class=\"dim\">Bars: free memory (red when below min); lines: \
         <span class=\"killed\">min</span>, low, high watermarks.</p>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Base64 (standard alphabet, padded), for the hash below.
    fn base64(b: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in b.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for k in 0..4 {
                if k <= c.len() {
                    out.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn the_policy_allows_exactly_the_page_s_stylesheet() {
        use sha2::{Digest, Sha256};
        let want = format!("sha256-{}", base64(&Sha256::digest(STYLE.as_bytes())));
        assert_eq!(STYLE_HASH, want, "update STYLE_HASH after changing STYLE");
        assert_eq!(base64(b"ab"), "YWI=");
        assert!(csp().contains(&format!("style-src '{want}'")));
    }

    #[test]
    fn a_live_event_is_its_section_without_the_writer_s_marks() {
        use crate::pipeline::{ScanOptions, scan_reader};
        use crate::report::ReportOptions;
        let text = include_str!("../../samples/lab/single.messages");
        let mut opts = ScanOptions {
            year: Some(2026),
            ..Default::default()
        };
        opts.assembler.keep_raw = true;
        let scan = scan_reader("single", text.as_bytes(), None, &opts);
        let r = Report::build(vec![scan], &ReportOptions::default());
        let ev = r.event(0).unwrap();
        let mut out = Vec::new();
        Html.event(&ev, &RenderOptions::default(), &mut out)
            .unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.starts_with("<section class=\"event\" id=\"ev-1\">"),
            "{s}"
        );
        assert!(s.ends_with("</section>\n"));
        assert!(s.contains("<details><summary>Kernel log of this report"));
        assert!(!s.contains('\0'));
    }

    #[test]
    fn raw_marks_are_only_the_writer_s() {
        assert_eq!(without_marks(b"a\0b\0c"), b"abc");
        assert!(!LogText::words("a\0b").html().contains('\0'));
    }
}

//! The report: events from all inputs in time order, duplicates merged, filters
//! applied, each event analysed, and the aggregate view of the scan.
//!
//! [`Report`] serialises to the documented JSON contract (`docs/schema.json`,
//! `schema_version` 1); renderers take it as it is.

mod filter;
mod order;
mod summary;

pub use filter::{Filter, parse_when, parse_when_in};
pub use order::RUN_KEYS;
pub use summary::{
    Counted, InputSummary, MAX_KEYS, Offender, Overflow, Summary, SummaryBuilder, SummaryItem,
    UNNAMED_HOST, Uncounted,
};

use std::sync::Arc;

use rayon::prelude::*;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone};

use crate::analysis::{self, Analysis};
use crate::diag::Diagnostic;
use crate::event::store::EventStore;
use crate::event::store::InputScan;
use crate::event::{BootEvidence, Evidence, OomEvent, SourceSpan};
use crate::record::Wall;
use crate::text::LogString;

/// Version of the JSON contract; bumped on breaking changes.
pub const SCHEMA_VERSION: u32 = 1;

/// How to interpret times the log gives without a zone.
#[derive(Debug, Clone, Copy, Default)]
pub enum LocalZone {
    /// The zone of the machine running oomlens (`TZ`).
    #[default]
    System,
    /// A fixed offset (`--tz +02:00`, `--tz UTC`).
    Fixed(FixedOffset),
    /// A zone of the IANA database (`--tz Europe/Berlin`): the offset follows its
    /// daylight-saving rules at each time.
    Named(chrono_tz::Tz),
}

impl LocalZone {
    /// The offset that applies to a local reading (the earlier one when the clock was
    /// set back and the reading happened twice; the offset before a gap for a reading
    /// inside it).
    pub fn offset_at(&self, n: &NaiveDateTime) -> FixedOffset {
        let zero = || FixedOffset::east_opt(0).expect("zero offset");
        match self {
            LocalZone::Fixed(o) => *o,
            LocalZone::System => chrono::Local
                .offset_from_local_datetime(n)
                .earliest()
                .map(|o| o.fix())
                .unwrap_or_else(zero),
            LocalZone::Named(tz) => match tz.offset_from_local_datetime(n).earliest() {
                Some(o) => o.fix(),
                // A reading in a spring-forward gap: the offset an hour earlier.
                None => tz
                    .offset_from_local_datetime(&(*n - chrono::Duration::hours(1)))
                    .earliest()
                    .map_or_else(zero, |o| o.fix()),
            },
        }
    }

    /// `n` read in this zone.
    pub fn at(&self, n: &NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        self.offset_at(n).from_local_datetime(n).single()
    }

    /// The time now, in this zone.
    pub fn now(&self) -> DateTime<FixedOffset> {
        let utc = chrono::Utc::now();
        match self {
            LocalZone::Fixed(o) => utc.with_timezone(o),
            LocalZone::System => utc.with_timezone(&chrono::Local).fixed_offset(),
            LocalZone::Named(tz) => utc.with_timezone(tz).fixed_offset(),
        }
    }
}

/// One event with what oomlens worked out about it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EventReport {
    /// 1-based position in the report (time order).
    pub id: usize,
    /// Wall-clock time of the report's first line (RFC 3339), if the log gives one.
    pub time: Option<DateTime<FixedOffset>>,
    /// The log gave no time zone; `time` uses `--tz` or the local zone.
    pub time_zone_assumed: bool,
    /// The event as read from the log (shared with the event store).
    pub event: Arc<OomEvent>,
    /// The same event found in other inputs (overlapping rotations, two log writers),
    /// merged into this one.
    pub also_in: Vec<SourceSpan>,
    /// Ranking, memory use, container.
    pub analysis: Analysis,
}

impl EventReport {
    /// Analyses one event. `earlier_victims` are pids killed on the same host in the
    /// minute before (the kernel does not pick them again).
    pub fn new(
        ev: impl Into<Arc<OomEvent>>,
        evidence: &[BootEvidence],
        zone: LocalZone,
        id: usize,
        earlier_victims: Vec<u32>,
    ) -> Self {
        let ev = ev.into();
        let (time, time_zone_assumed) = resolve_time(&ev, zone);
        let analysis = analysis::analyse(&ev, evidence, earlier_victims);
        EventReport {
            id,
            time,
            time_zone_assumed,
            event: ev,
            also_in: Vec::new(),
            analysis,
        }
    }

    /// printk seconds since boot of the first line.
    pub fn uptime_s(&self) -> Option<f64> {
        self.event.printk.map(|p| p.seconds())
    }
}

/// A whole report. Events are kept where the scan left them (in memory or spilled to
/// disk) and analysed one at a time as they are rendered, so a report over months of
/// logs takes no more memory than one over a day. The price: each pass over
/// [`Report::events`] reads and analyses them again, and the terminal and Markdown
/// reports make two (the overview table, then the events).
#[non_exhaustive]
pub struct Report {
    /// JSON contract version.
    pub schema_version: u32,
    /// Problems with inputs and data.
    pub diagnostics: Vec<Diagnostic>,
    /// The aggregate view.
    pub summary: Summary,
    /// The filters applied (their effect: `summary.filtered_out`).
    pub filter: Filter,
    /// (store, index) of each event in time order: 8 bytes an event.
    entries: Vec<(u32, u32)>,
    /// What the report adds to the few events that have something: other copies,
    /// earlier victims in their task tables. Keyed by position in `entries`.
    extras: std::collections::HashMap<usize, Extra>,
    stores: Vec<EventStore>,
    /// Boot evidence by host (in input order within a host): an event's analysis
    /// looks only at its host's, which keeps a log of thousands of hosts linear.
    evidence: std::collections::HashMap<Option<crate::text::LogString>, Vec<BootEvidence>>,
    zone: LocalZone,
}

/// What the report adds to an event.
#[derive(Default)]
struct Extra {
    also_in: Vec<SourceSpan>,
    earlier_victims: Vec<u32>,
}

/// Settings for building a report.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReportOptions {
    /// Which events to keep.
    pub filter: Filter,
    /// Zone for times the log gives without one.
    pub zone: LocalZone,
    /// Events sorted in memory at once; past it, sorted runs go to a temporary file
    /// ([`RUN_KEYS`]; tests set it low).
    pub run_keys: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            filter: Filter::default(),
            zone: LocalZone::default(),
            run_keys: RUN_KEYS,
        }
    }
}

impl ReportOptions {
    /// Options with `filter` and `zone`.
    pub fn new(filter: Filter, zone: LocalZone) -> Self {
        ReportOptions {
            filter,
            zone,
            ..Default::default()
        }
    }
}

/// What ordering, merging, filtering and the summary need of an event, without
/// keeping the event itself. Only a window of them is alive at a time.
struct Candidate {
    store: usize,
    index: usize,
    source: SourceSpan,
    same: Fingerprint,
    keep: bool,
    item: SummaryItem,
    time: Option<DateTime<FixedOffset>>,
    boot_seq: u32,
    victims: Vec<u32>,
    /// PIDs of the task table, sorted: earlier victims matter only if listed there.
    task_pids: Box<[u32]>,
    also_in: Vec<SourceSpan>,
}

impl Candidate {
    fn of(ev: &OomEvent, store: usize, index: usize, opts: &ReportOptions) -> Candidate {
        let (time, zone_assumed) = resolve_time(ev, opts.zone);
        let mut task_pids: Box<[u32]> = ev.tasks.rows.iter().map(|r| r.pid).collect();
        task_pids.sort_unstable();
        Candidate {
            store,
            index,
            source: ev.source.clone(),
            same: Fingerprint::of(ev),
            keep: opts.filter.keeps(ev, time),
            item: SummaryItem::of(ev, time, zone_assumed),
            time,
            boot_seq: ev.boot_seq,
            victims: ev.killed.iter().map(|k| k.pid).collect(),
            task_pids,
            also_in: Vec::new(),
        }
    }
}

/// Events read back per parallel batch (bounded: a million read at once would all
/// be held).
const CHUNK: usize = 4 * 1024;

/// Reads `keys` back from their stores and makes their candidates, in parallel and in
/// order.
fn candidates(
    keys: &[order::Key],
    stores: &[EventStore],
    opts: &ReportOptions,
) -> Vec<std::io::Result<Candidate>> {
    keys.par_iter()
        .map(|k| {
            let (s, i) = (k.input as usize, k.index as usize);
            stores[s].get(i).map(|ev| Candidate::of(&ev, s, i, opts))
        })
        .collect()
}

fn unreadable(name: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        crate::diag::Severity::Error,
        "event-store",
        name,
        None,
        format!("an event could not be read back from the temporary file: {e}"),
    )
}

/// The pass over all events in time order: merges copies, finds earlier victims,
/// filters, counts the summary and lists the events kept. It holds the last
/// [`DEDUP_WINDOW`] events (a copy from another input is among them) and the last
/// [`EARLIER_WINDOW`] settled ones.
#[derive(Default)]
struct Pass {
    /// Events the filters left out.
    filtered_out: usize,
    /// Per input, events a time filter left out because they have no wall time.
    timeless: std::collections::BTreeMap<usize, usize>,
    time_filter: bool,
    window: std::collections::VecDeque<Candidate>,
    settled: std::collections::VecDeque<Candidate>,
    summary: SummaryBuilder,
    entries: Vec<(u32, u32)>,
    extras: std::collections::HashMap<usize, Extra>,
}

const DEDUP_WINDOW: usize = 64;
const EARLIER_WINDOW: usize = 32;

impl Pass {
    fn push(&mut self, c: Candidate) {
        match self.window.iter().rposition(|o| same_event(o, &c)) {
            Some(i) => {
                let o = &mut self.window[i];
                let mut c = c;
                // Keep the more complete copy, remember the other place.
                if c.same.score > o.same.score {
                    c.also_in.push(o.source.clone());
                    c.also_in.append(&mut o.also_in);
                    *o = c;
                } else {
                    o.also_in.push(c.source.clone());
                }
            }
            None => {
                self.window.push_back(c);
                if self.window.len() > DEDUP_WINDOW {
                    let c = self.window.pop_front().expect("over the window");
                    self.settle(c);
                }
            }
        }
    }

    /// `c` can no longer be merged with a later copy: count it.
    fn settle(&mut self, mut c: Candidate) {
        if !c.keep {
            self.filtered_out += 1;
            if self.time_filter && c.time.is_none() {
                *self.timeless.entry(c.store).or_default() += 1;
            }
        }
        if c.keep {
            // Victims of filtered-out events still count: the kernel saw them dying.
            let earlier: Vec<u32> = if c.task_pids.is_empty() {
                Vec::new()
            } else {
                earlier_victims(&self.settled, &c)
                    .filter(|p| c.task_pids.binary_search(p).is_ok())
                    .collect()
            };
            let also_in = std::mem::take(&mut c.also_in);
            if !earlier.is_empty() || !also_in.is_empty() {
                self.extras.insert(
                    self.entries.len(),
                    Extra {
                        also_in,
                        earlier_victims: earlier,
                    },
                );
            }
            self.entries.push((c.store as u32, c.index as u32));
            self.summary.add(&c.item);
        }
        if self.settled.len() == EARLIER_WINDOW {
            self.settled.pop_front();
        }
        self.settled.push_back(c);
    }

    fn finish(mut self) -> Self {
        while let Some(c) = self.window.pop_front() {
            self.settle(c);
        }
        self
    }
}

impl Report {
    /// Builds the report from scanned inputs: events are put in time order (sorted
    /// runs merged, see [`ReportOptions::run_keys`]), then read back once more, in
    /// that order, for merging, filters and the summary. Memory: 8 bytes per event
    /// kept, plus bounded windows and aggregates.
    pub fn build(scans: Vec<InputScan>, opts: &ReportOptions) -> Report {
        let mut evidence = std::collections::HashMap::<_, Vec<BootEvidence>>::new();
        // The analysis looks only at swap sizes: boots that printed none are not kept.
        for b in scans.iter().flat_map(|s| s.evidence.iter()) {
            if b.swap_added_kb.is_some() || b.total_swap_kb.is_some() {
                evidence.entry(b.host.clone()).or_default().push(b.clone());
            }
        }
        let mut diagnostics = Vec::new();
        let mut inputs = Vec::new();
        let mut stores = Vec::new();
        let mut names = Vec::new();
        let total = scans.iter().map(|s| s.events.len()).sum();
        let mut sorter = order::Sorter::new(opts.run_keys, total);
        for (idx, scan) in scans.into_iter().enumerate() {
            inputs.push(InputSummary {
                path: scan.name.clone().into(),
                bytes: scan.stats.bytes,
                lines: scan.stats.lines,
                compression: scan.compression.map(|c| format!("{c:?}").to_lowercase()),
                events: scan.events.len(),
                failed: scan.failed,
            });
            diagnostics.extend(scan.diagnostics);
            // Reading back each event is independent work (spilled ones are parsed
            // again): done in parallel, in order.
            let store = &scan.events;
            // A report without a time sorts where the last time before it puts it.
            let mut carried: Option<NaiveDateTime> = None;
            for from in (0..store.len()).step_by(CHUNK) {
                let read: Vec<std::io::Result<(Option<NaiveDateTime>, u64)>> =
                    (from..(from + CHUNK).min(store.len()))
                        .into_par_iter()
                        .map(|i| {
                            store.get(i).map(|ev| {
                                let time = resolve_time(&ev, opts.zone).0.map(|d| d.naive_utc());
                                (time, ev.source.first_line)
                            })
                        })
                        .collect();
                for (i, r) in (from..).zip(read) {
                    match r {
                        Ok((time, line)) => {
                            let time = match time {
                                Some(t) => {
                                    carried = Some(t);
                                    Some(t)
                                }
                                None => carried,
                            };
                            sorter.push(order::Key::new(time, idx, line, i));
                        }
                        Err(e) => diagnostics.push(unreadable(&scan.name, &e)),
                    }
                }
            }
            stores.push(scan.events);
            names.push(scan.name);
        }
        if let Some((why, n)) = sorter.spill_error() {
            diagnostics.push(Diagnostic::new(
                crate::diag::Severity::Warning,
                "spill",
                "-",
                None,
                format!(
                    "the time order of {n} event(s) could not be written to a temporary \
                     file ({why}); it was kept in memory (set TMPDIR to a folder with room)"
                ),
            ));
        }
        let mut pass = Pass {
            time_filter: opts.filter.has_time(),
            ..Pass::default()
        };
        let mut merged = sorter.finish();
        let mut batch = Vec::with_capacity(CHUNK);
        loop {
            batch.clear();
            for k in merged.by_ref().take(CHUNK) {
                match k {
                    Ok(k) => batch.push(k),
                    Err(e) => diagnostics.push(Diagnostic::new(
                        crate::diag::Severity::Error,
                        "event-store",
                        "-",
                        None,
                        format!(
                            "the time order could not be read back from the temporary file: {e}"
                        ),
                    )),
                }
            }
            if batch.is_empty() {
                break;
            }
            for (c, k) in candidates(&batch, &stores, opts).into_iter().zip(&batch) {
                match c {
                    Ok(c) => pass.push(c),
                    Err(e) => diagnostics.push(unreadable(&names[k.input as usize], &e)),
                }
            }
        }
        let pass = pass.finish();
        for (&store, &n) in &pass.timeless {
            diagnostics.push(Diagnostic::new(
                crate::diag::Severity::Warning,
                "no-wall-time",
                &names[store],
                None,
                format!(
                    "{n} event(s) left out by --since/--until: the log gives only seconds since \
                     boot (raw dmesg or /dev/kmsg) and no line states the boot time; give it with \
                     --boot-time (`uptime -s` on that boot), or read `journalctl -k` or \
                     `dmesg -T` output instead, which has wall times"
                ),
            ));
        }
        let mut summary = pass.summary.finish(inputs);
        summary.filtered_out = pass.filtered_out;
        Report {
            schema_version: SCHEMA_VERSION,
            diagnostics,
            summary,
            filter: opts.filter.clone(),
            entries: pass.entries,
            extras: pass.extras,
            stores,
            evidence,
            zone: opts.zone,
        }
    }

    /// Number of events in the report.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the report has no events.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The events in time order, each read back and analysed as it is reached.
    pub fn events(&self) -> impl Iterator<Item = EventReport> + '_ {
        (0..self.len()).filter_map(|i| self.event(i))
    }

    /// Event `i` in time order (from 0), read back and analysed; `None` past the end
    /// or when it cannot be read back.
    pub fn event(&self, i: usize) -> Option<EventReport> {
        let &(store, index) = self.entries.get(i)?;
        let ev = self.stores[store as usize].get(index as usize).ok()?;
        let evidence = self.evidence.get(&ev.host).map_or(&[][..], Vec::as_slice);
        let extra = self.extras.get(&i);
        let earlier = extra.map(|x| x.earlier_victims.clone()).unwrap_or_default();
        let mut rep = EventReport::new(ev, evidence, self.zone, i + 1, earlier);
        if let Some(x) = extra {
            rep.also_in = x.also_in.clone();
        }
        Some(rep)
    }

    /// All events at once (tests, small reports).
    pub fn event_list(&self) -> Vec<EventReport> {
        self.events().collect()
    }

    /// Whether any error-level diagnostic was recorded.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error)
    }
}

/// The event's time as a zoned time, and whether the zone was assumed.
pub fn resolve_time(ev: &OomEvent, zone: LocalZone) -> (Option<DateTime<FixedOffset>>, bool) {
    match ev.wall {
        Some(Wall::Zoned(z)) => (Some(z), false),
        Some(Wall::Local(n)) => (zone.at(&n), true),
        _ => (None, false),
    }
}

/// Victims of the same host's reports in the minute before `c` (among `done`, the
/// last ones before it): the kernel does not pick a task that is already dying from an
/// earlier kill.
fn earlier_victims<'a>(
    done: &'a std::collections::VecDeque<Candidate>,
    c: &'a Candidate,
) -> impl Iterator<Item = u32> + 'a {
    done.iter()
        .rev()
        .filter(move |r| {
            r.same.host == c.same.host && r.boot_seq == c.boot_seq && r.source.path == c.source.path
        })
        .filter(
            move |r| match (r.same.printk, c.same.printk, r.time, c.time) {
                (Some(a), Some(b), _, _) => b.micros().saturating_sub(a.micros()) < 60_000_000,
                (_, _, Some(a), Some(b)) => (b - a).num_seconds() < 60,
                _ => false,
            },
        )
        .flat_map(|r| r.victims.iter().copied())
}

// Two events are the same one (overlapping rotations, or the same kernel log written
// by two programs) when they have the same host, the same victim, and the same printk
// time or wall times within seconds of each other; the pass keeps the more complete.

/// What decides whether two events are the same one.
struct Fingerprint {
    host: Option<LogString>,
    victims: Vec<(u32, LogString)>,
    trigger_pid: Option<u32>,
    printk: Option<crate::record::Printk>,
    wall: Option<Wall>,
    /// Higher is the better copy to keep.
    score: u32,
}

impl Fingerprint {
    fn of(e: &OomEvent) -> Self {
        Fingerprint {
            host: e.host.clone(),
            victims: e
                .killed
                .iter()
                .filter(|k| k.evidence == Evidence::KilledLine)
                .map(|k| (k.pid, k.comm.clone()))
                .collect(),
            trigger_pid: e.trigger.as_ref().and_then(|t| t.pid),
            printk: e.printk,
            wall: e.wall,
            score: (e.complete as u32) * 1000
                + e.tasks.rows.len().min(999) as u32
                + e.killed.len() as u32,
        }
    }
}

fn same_event(a: &Candidate, b: &Candidate) -> bool {
    if a.source.path == b.source.path {
        return false;
    }
    let (x, y) = (&a.same, &b.same);
    if x.host.is_some() && y.host.is_some() && x.host != y.host {
        return false;
    }
    if x.victims != y.victims
        || (x.victims.is_empty() && x.trigger_pid != y.trigger_pid)
        || (x.victims.is_empty() && x.trigger_pid.is_none())
    {
        return false;
    }
    if let (Some(p), Some(q)) = (x.printk, y.printk) {
        return p == q;
    }
    match (&x.wall, &y.wall) {
        (Some(p), Some(q)) => wall_close(p, q),
        _ => false,
    }
}

fn wall_close(a: &Wall, b: &Wall) -> bool {
    let secs = match (a, b) {
        (Wall::Zoned(x), Wall::Zoned(y)) => (*x - *y).num_seconds(),
        (Wall::Local(x), Wall::Local(y)) => (*x - *y).num_seconds(),
        (Wall::Zoned(x), Wall::Local(y)) | (Wall::Local(y), Wall::Zoned(x)) => {
            (x.naive_local() - *y).num_seconds()
        }
        _ => return false,
    };
    secs.abs() <= 5
}

//! The report: events from all inputs in time order, duplicates merged, filters
//! applied, each event analysed, and the aggregate view of the scan.
//!
//! [`Report`] serialises to the documented JSON contract (`docs/schema.json`,
//! `schema_version` 1); renderers take it as it is.

mod filter;
mod summary;

pub use filter::{Filter, parse_when};
pub use summary::{Counted, InputSummary, Offender, Summary, SummaryItem, UNNAMED_HOST};

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
}

impl LocalZone {
    /// The offset that applies to a local reading.
    pub fn offset_at(&self, n: &NaiveDateTime) -> FixedOffset {
        match self {
            LocalZone::Fixed(o) => *o,
            LocalZone::System => chrono::Local
                .offset_from_local_datetime(n)
                .earliest()
                .map(|o| o.fix())
                .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset")),
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
    entries: Vec<Entry>,
    stores: Vec<EventStore>,
    /// Boot evidence by host (in input order within a host): an event's analysis
    /// looks only at its host's, which keeps a log of thousands of hosts linear.
    evidence: std::collections::HashMap<Option<crate::text::LogString>, Vec<BootEvidence>>,
    zone: LocalZone,
}

/// An event of the report: where it is stored, and what the report adds to it.
struct Entry {
    store: usize,
    index: usize,
    also_in: Vec<SourceSpan>,
    earlier_victims: Vec<u32>,
}

/// Settings for building a report.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Which events to keep.
    pub filter: Filter,
    /// Zone for times the log gives without one.
    pub zone: LocalZone,
}

/// What ordering, merging, filtering and the summary need of an event, without
/// keeping the event itself.
struct Candidate {
    key: SortKey,
    store: usize,
    index: usize,
    source: SourceSpan,
    same: Fingerprint,
    keep: bool,
    item: SummaryItem,
    time: Option<DateTime<FixedOffset>>,
    boot_seq: u32,
    victims: Vec<u32>,
    also_in: Vec<SourceSpan>,
}

impl Candidate {
    /// What the report needs of event `index` of input `store`; the sort time is the
    /// event's own (the caller carries times into events without one).
    fn of(ev: &OomEvent, store: usize, index: usize, opts: &ReportOptions) -> Candidate {
        let (time, _) = resolve_time(ev, opts.zone);
        Candidate {
            key: SortKey {
                time: time.map(|d| d.naive_utc()),
                input: store,
                line: ev.source.first_line,
            },
            store,
            index,
            source: ev.source.clone(),
            same: Fingerprint::of(ev),
            keep: opts.filter.keeps(ev, time),
            item: SummaryItem::of(ev, time),
            time,
            boot_seq: ev.boot_seq,
            victims: ev.killed.iter().map(|k| k.pid).collect(),
            also_in: Vec::new(),
        }
    }
}

impl Report {
    /// Builds the report from scanned inputs.
    pub fn build(scans: Vec<InputScan>, opts: &ReportOptions) -> Report {
        let mut evidence = std::collections::HashMap::<_, Vec<BootEvidence>>::new();
        for b in scans.iter().flat_map(|s| s.evidence.iter()) {
            evidence.entry(b.host.clone()).or_default().push(b.clone());
        }
        let mut diagnostics = Vec::new();
        let mut inputs = Vec::new();
        let mut stores = Vec::new();
        let mut cands: Vec<Candidate> = Vec::new();
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
            // Reading back and summarising each event is independent work (spilled
            // ones are parsed again): done in parallel, in order.
            let store = &scan.events;
            cands.reserve_exact(store.len());
            // A report without a time sorts where the last time before it puts it.
            let mut carried: Option<NaiveDateTime> = None;
            // In chunks: a million events read at once would be held twice.
            const CHUNK: usize = 16 * 1024;
            for from in (0..store.len()).step_by(CHUNK) {
                let read: Vec<std::io::Result<Candidate>> = (from..(from + CHUNK).min(store.len()))
                    .into_par_iter()
                    .map(|i| store.get(i).map(|ev| Candidate::of(&ev, idx, i, opts)))
                    .collect();
                for c in read {
                    let mut c =
                        match c {
                            Ok(c) => c,
                            Err(e) => {
                                diagnostics.push(Diagnostic::new(
                            crate::diag::Severity::Error,
                            "event-store",
                            &scan.name,
                            None,
                            format!("an event could not be read back from the temporary file: {e}"),
                        ));
                                continue;
                            }
                        };
                    match c.key.time {
                        Some(t) => carried = Some(t),
                        None => c.key.time = carried,
                    }
                    cands.push(c);
                }
            }
            stores.push(scan.events);
        }
        cands.sort_by(|a, b| a.key.cmp(&b.key));
        let mut all = dedup(cands);
        let mut entries = Vec::new();
        for i in 0..all.len() {
            if !all[i].keep {
                continue;
            }
            // Victims of filtered-out events still count: the kernel saw them dying.
            let earlier = earlier_victims(&all[..i], &all[i]);
            let c = &mut all[i];
            entries.push(Entry {
                store: c.store,
                index: c.index,
                also_in: std::mem::take(&mut c.also_in),
                earlier_victims: earlier,
            });
        }
        let items: Vec<&SummaryItem> = all.iter().filter(|c| c.keep).map(|c| &c.item).collect();
        let summary = Summary::build(&items, inputs);
        Report {
            schema_version: SCHEMA_VERSION,
            diagnostics,
            summary,
            entries,
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
        let e = self.entries.get(i)?;
        let ev = self.stores[e.store].get(e.index).ok()?;
        let evidence = self.evidence.get(&ev.host).map_or(&[][..], Vec::as_slice);
        let mut rep = EventReport::new(ev, evidence, self.zone, i + 1, e.earlier_victims.clone());
        rep.also_in = e.also_in.clone();
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

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    time: Option<NaiveDateTime>,
    input: usize,
    line: u64,
}

/// The event's time as a zoned time, and whether the zone was assumed.
pub fn resolve_time(ev: &OomEvent, zone: LocalZone) -> (Option<DateTime<FixedOffset>>, bool) {
    match ev.wall {
        Some(Wall::Zoned(z)) => (Some(z), false),
        Some(Wall::Local(n)) => (zone.offset_at(&n).from_local_datetime(&n).single(), true),
        _ => (None, false),
    }
}

/// Victims of the same host's reports in the minute before `c`: the kernel does not
/// pick a task that is already dying from an earlier kill.
fn earlier_victims(done: &[Candidate], c: &Candidate) -> Vec<u32> {
    done.iter()
        .rev()
        .take(32)
        .filter(|r| {
            r.same.host == c.same.host && r.boot_seq == c.boot_seq && r.source.path == c.source.path
        })
        .filter(|r| match (r.same.printk, c.same.printk, r.time, c.time) {
            (Some(a), Some(b), _, _) => b.micros().saturating_sub(a.micros()) < 60_000_000,
            (_, _, Some(a), Some(b)) => (b - a).num_seconds() < 60,
            _ => false,
        })
        .flat_map(|r| r.victims.iter().copied())
        .collect()
}

/// Merges the same event read from two inputs (overlapping rotations, or the same
/// kernel log written by two programs): same host, same victim, and the same printk
/// time or wall times within seconds of each other.
fn dedup(mut cands: Vec<Candidate>) -> Vec<Candidate> {
    // In place (kept ones are moved down to `kept`), so that a million candidates are
    // not held twice.
    let mut kept: usize = 0;
    for r in 0..cands.len() {
        // Candidates are in time order, so a copy is among the last few.
        let from = kept.saturating_sub(64);
        let dup = cands[from..kept]
            .iter()
            .rposition(|o| same_event(o, &cands[r]))
            .map(|i| from + i);
        match dup {
            Some(i) => {
                let (done, rest) = cands.split_at_mut(r);
                let (o, c) = (&mut done[i], &mut rest[0]);
                // Keep the more complete copy, remember the other place.
                if c.same.score > o.same.score {
                    c.also_in.push(o.source.clone());
                    c.also_in.append(&mut o.also_in);
                    std::mem::swap(o, c);
                } else {
                    o.also_in.push(c.source.clone());
                }
            }
            None => {
                cands.swap(kept, r);
                kept += 1;
            }
        }
    }
    cands.truncate(kept);
    cands
}

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

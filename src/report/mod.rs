//! The report: events from all inputs in time order, duplicates merged, filters
//! applied, each event analysed, and the aggregate view of the scan.
//!
//! [`Report`] serialises to the documented JSON contract (`docs/schema.json`,
//! `schema_version` 1); renderers take it as it is.

mod filter;
mod summary;

pub use filter::{Filter, parse_when};
pub use summary::{Aggregate, Counted, InputSummary, Offender, Summary, UNNAMED_HOST};

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone};

use crate::analysis::{self, Analysis};
use crate::diag::Diagnostic;
use crate::event::{BootEvidence, Evidence, OomEvent};
use crate::pipeline::InputScan;
use crate::record::Wall;

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
pub struct EventReport {
    /// 1-based position in the report (time order).
    pub id: usize,
    /// Wall-clock time of the report's first line (RFC 3339), if the log gives one.
    pub time: Option<DateTime<FixedOffset>>,
    /// The log gave no time zone; `time` uses `--tz` or the local zone.
    pub time_zone_assumed: bool,
    /// The event as read from the log.
    pub event: OomEvent,
    /// Ranking, memory use, container.
    pub analysis: Analysis,
}

impl EventReport {
    /// Analyses one event. `earlier_victims` are pids killed on the same host in the
    /// minute before (the kernel does not pick them again).
    pub fn new(
        ev: OomEvent,
        evidence: &[BootEvidence],
        zone: LocalZone,
        id: usize,
        earlier_victims: Vec<u32>,
    ) -> Self {
        let (time, time_zone_assumed) = resolve_time(&ev, zone);
        let analysis = analysis::analyse(&ev, evidence, earlier_victims);
        EventReport {
            id,
            time,
            time_zone_assumed,
            event: ev,
            analysis,
        }
    }

    /// printk seconds since boot of the first line.
    pub fn uptime_s(&self) -> Option<f64> {
        self.event.printk.map(|p| p.seconds())
    }
}

/// A whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// JSON contract version.
    pub schema_version: u32,
    /// Events in time order.
    pub events: Vec<EventReport>,
    /// Problems with inputs and data.
    pub diagnostics: Vec<Diagnostic>,
    /// The aggregate view.
    pub summary: Summary,
}

/// Settings for building a report.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Which events to keep.
    pub filter: Filter,
    /// Zone for times the log gives without one.
    pub zone: LocalZone,
}

impl Report {
    /// Builds the report from scanned inputs.
    pub fn build(scans: Vec<InputScan>, opts: &ReportOptions) -> Report {
        let evidence: Vec<BootEvidence> = scans
            .iter()
            .flat_map(|s| s.evidence.iter().cloned())
            .collect();
        let mut diagnostics = Vec::new();
        let mut inputs = Vec::new();
        let mut keyed: Vec<(SortKey, OomEvent)> = Vec::new();
        for (idx, scan) in scans.into_iter().enumerate() {
            inputs.push(InputSummary {
                path: scan.name.clone(),
                bytes: scan.stats.bytes,
                lines: scan.stats.lines,
                compression: scan.compression.map(|c| format!("{c:?}").to_lowercase()),
                events: scan.events.len(),
                failed: scan.failed,
            });
            diagnostics.extend(scan.diagnostics);
            let mut carried: Option<NaiveDateTime> = None;
            for ev in scan.events {
                let t = ev.wall.as_ref().and_then(|w| utc_of(w, opts.zone));
                if t.is_some() {
                    carried = t;
                }
                let key = SortKey {
                    time: t.or(carried),
                    input: idx,
                    line: ev.source.first_line,
                };
                keyed.push((key, ev));
            }
        }
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let events = dedup(keyed.into_iter().map(|(_, e)| e).collect());
        let mut reports: Vec<EventReport> = Vec::new();
        for ev in events {
            let (time, _) = resolve_time(&ev, opts.zone);
            if !opts.filter.keeps(&ev, time) {
                continue;
            }
            let earlier = earlier_victims(&reports, &ev, time);
            let id = reports.len() + 1;
            reports.push(EventReport::new(ev, &evidence, opts.zone, id, earlier));
        }
        let summary = Summary::build(&reports, inputs);
        Report {
            schema_version: SCHEMA_VERSION,
            events: reports,
            diagnostics,
            summary,
        }
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
fn resolve_time(ev: &OomEvent, zone: LocalZone) -> (Option<DateTime<FixedOffset>>, bool) {
    match ev.wall {
        Some(Wall::Zoned(z)) => (Some(z), false),
        Some(Wall::Local(n)) => (zone.offset_at(&n).from_local_datetime(&n).single(), true),
        _ => (None, false),
    }
}

fn utc_of(w: &Wall, zone: LocalZone) -> Option<NaiveDateTime> {
    match w {
        Wall::Zoned(z) => Some(z.naive_utc()),
        Wall::Local(n) => Some(*n - zone.offset_at(n)),
        Wall::Yearless(_) => None,
    }
}

/// Victims of the same host's reports in the minute before `ev`: the kernel does not
/// pick a task that is already dying from an earlier kill.
fn earlier_victims(
    done: &[EventReport],
    ev: &OomEvent,
    time: Option<DateTime<FixedOffset>>,
) -> Vec<u32> {
    done.iter()
        .rev()
        .take(32)
        .filter(|r| {
            r.event.host == ev.host
                && r.event.boot_seq == ev.boot_seq
                && r.event.source.path == ev.source.path
        })
        .filter(|r| match (r.event.printk, ev.printk, r.time, time) {
            (Some(a), Some(b), _, _) => b.micros().saturating_sub(a.micros()) < 60_000_000,
            (_, _, Some(a), Some(b)) => (b - a).num_seconds() < 60,
            _ => false,
        })
        .flat_map(|r| r.event.killed.iter().map(|k| k.pid))
        .collect()
}

/// Merges the same event read from two inputs (overlapping rotations, or the same
/// kernel log written by two programs): same host, same victim, and the same printk
/// time or wall times within seconds of each other.
fn dedup(events: Vec<OomEvent>) -> Vec<OomEvent> {
    let mut out: Vec<OomEvent> = Vec::with_capacity(events.len());
    for ev in events {
        // Events are in time order, so a copy is among the last few.
        let from = out.len().saturating_sub(64);
        let dup = out[from..]
            .iter()
            .rposition(|o| same_event(o, &ev))
            .map(|i| from + i);
        match dup {
            Some(i) => {
                let o = &mut out[i];
                // Keep the more complete copy, remember the other place.
                if better(&ev, o) {
                    let mut ev = ev;
                    ev.also_in.push(o.source.clone());
                    ev.also_in.append(&mut o.also_in);
                    *o = ev;
                } else {
                    o.also_in.push(ev.source.clone());
                }
            }
            None => out.push(ev),
        }
    }
    out
}

fn same_event(a: &OomEvent, b: &OomEvent) -> bool {
    if a.source.path == b.source.path {
        return false;
    }
    if a.host.is_some() && b.host.is_some() && a.host != b.host {
        return false;
    }
    let victims = |e: &OomEvent| -> Vec<(u32, String)> {
        e.killed
            .iter()
            .filter(|k| k.evidence == Evidence::KilledLine)
            .map(|k| (k.pid, k.comm.clone()))
            .collect()
    };
    let (va, vb) = (victims(a), victims(b));
    let trigger = |e: &OomEvent| e.trigger.as_ref().and_then(|t| t.pid);
    if va != vb
        || (va.is_empty() && trigger(a) != trigger(b))
        || (va.is_empty() && trigger(a).is_none())
    {
        return false;
    }
    if let (Some(x), Some(y)) = (a.printk, b.printk) {
        return x == y;
    }
    match (&a.wall, &b.wall) {
        (Some(x), Some(y)) => wall_close(x, y),
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

fn better(a: &OomEvent, b: &OomEvent) -> bool {
    let score = |e: &OomEvent| {
        (e.complete as u32) * 1000 + e.tasks.rows.len().min(999) as u32 + e.killed.len() as u32
    };
    score(a) > score(b)
}

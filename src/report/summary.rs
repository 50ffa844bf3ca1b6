//! The aggregate view of a scan: counts per host, cgroup, command and day, the time
//! span, and repeat offenders (the same cgroup or command killed again and again,
//! with its memory at each kill: a leak shows as a rising line).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::event::Evidence;
use crate::report::EventReport;

/// The host key of events whose log names no host (dmesg, kmsg).
pub const UNNAMED_HOST: &str = "(unnamed)";

/// What one input contributed.
#[derive(Debug, Clone, Serialize)]
pub struct InputSummary {
    /// The input.
    pub path: String,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// `none` or `gzip`, if the input could be opened.
    pub compression: Option<String>,
    /// Events found in it (before filters and de-duplication).
    pub events: usize,
    /// It could not be read, or not to the end.
    pub failed: bool,
}

/// A count under a key.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Counted {
    /// Host name, cgroup path, command or day.
    pub key: String,
    /// Events.
    pub events: usize,
    /// Tasks killed.
    pub kills: usize,
}

/// A cgroup or command killed more than once.
#[derive(Debug, Clone, Serialize)]
pub struct Offender {
    /// `cgroup` or `command`.
    pub kind: String,
    /// The cgroup path or command name.
    pub key: String,
    /// Host.
    pub host: Option<String>,
    /// Kills.
    pub kills: usize,
    /// First kill.
    pub first: Option<DateTime<FixedOffset>>,
    /// Last kill.
    pub last: Option<DateTime<FixedOffset>>,
    /// The victim's resident memory (anon + file + shmem) at each kill, kB.
    pub rss_kb: Vec<u64>,
    /// `growing`, `steady` or `shrinking` over the kills.
    pub trend: String,
}

/// The aggregate view of a report.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    /// Inputs read.
    pub inputs: Vec<InputSummary>,
    /// Events in the report.
    pub events: usize,
    /// Events whose whole report is in the log.
    pub complete_events: usize,
    /// `Killed process` lines (kills the kernel confirmed).
    pub kills: usize,
    /// Tasks killed by any evidence (kill lines, summaries, reaper lines).
    pub victims: usize,
    /// Earliest event time.
    pub first: Option<DateTime<FixedOffset>>,
    /// Latest event time.
    pub last: Option<DateTime<FixedOffset>>,
    /// Events per host.
    pub hosts: Vec<Counted>,
    /// Events per OOM memcg (or `(machine)` for global OOMs).
    pub cgroups: Vec<Counted>,
    /// Kills per command.
    pub commands: Vec<Counted>,
    /// Events per day.
    pub days: Vec<Counted>,
    /// Cgroups and commands killed more than once.
    pub offenders: Vec<Offender>,
}

/// Builds summaries.
pub trait Aggregate {
    /// The summary of `events`.
    fn build(events: &[EventReport], inputs: Vec<InputSummary>) -> Self;
}

impl Aggregate for Summary {
    fn build(events: &[EventReport], inputs: Vec<InputSummary>) -> Summary {
        let mut s = Summary {
            inputs,
            events: events.len(),
            ..Default::default()
        };
        let mut hosts: BTreeMap<String, Counted> = BTreeMap::new();
        let mut cgroups: BTreeMap<String, Counted> = BTreeMap::new();
        let mut commands: BTreeMap<String, Counted> = BTreeMap::new();
        let mut days: BTreeMap<String, Counted> = BTreeMap::new();
        let bump = |map: &mut BTreeMap<String, Counted>, key: String, kills: usize| {
            let c = map.entry(key.clone()).or_insert(Counted {
                key,
                events: 0,
                kills: 0,
            });
            c.events += 1;
            c.kills += kills;
        };
        for r in events {
            let ev = &r.event;
            if ev.complete {
                s.complete_events += 1;
            }
            let kills = ev
                .killed
                .iter()
                .filter(|k| k.evidence == Evidence::KilledLine)
                .count();
            let victims = ev
                .killed
                .iter()
                .filter(|k| !matches!(k.evidence, Evidence::SharedMm))
                .count();
            s.kills += kills;
            s.victims += victims;
            if let Some(t) = r.time {
                s.first = Some(s.first.map_or(t, |f| f.min(t)));
                s.last = Some(s.last.map_or(t, |l| l.max(t)));
                bump(&mut days, t.format("%Y-%m-%d").to_string(), victims);
            }
            bump(
                &mut hosts,
                ev.host.clone().unwrap_or_else(|| UNNAMED_HOST.into()),
                victims,
            );
            let cg = ev
                .memcg
                .as_ref()
                .and_then(|m| m.oom_memcg.clone())
                .unwrap_or_else(|| {
                    if ev.is_memcg() {
                        "(memcg not named in the log)".into()
                    } else {
                        "(machine)".into()
                    }
                });
            bump(&mut cgroups, cg, victims);
            for k in ev
                .killed
                .iter()
                .filter(|k| k.evidence != Evidence::SharedMm)
            {
                let c = commands.entry(k.comm.clone()).or_insert(Counted {
                    key: k.comm.clone(),
                    events: 0,
                    kills: 0,
                });
                c.events += 1;
                c.kills += 1;
            }
        }
        let top = |m: BTreeMap<String, Counted>| {
            let mut v: Vec<Counted> = m.into_values().collect();
            v.sort_by(|a, b| {
                b.kills
                    .cmp(&a.kills)
                    .then(b.events.cmp(&a.events))
                    .then(a.key.cmp(&b.key))
            });
            v
        };
        s.hosts = top(hosts);
        s.cgroups = top(cgroups);
        s.commands = top(commands);
        s.days = days.into_values().collect();
        s.offenders = offenders(events);
        s
    }
}

fn offenders(events: &[EventReport]) -> Vec<Offender> {
    // (kind, host, key) → (time, rss) of each kill, in time order.
    type Key = (String, Option<String>, String);
    type Kills = Vec<(Option<DateTime<FixedOffset>>, u64)>;
    let mut groups: BTreeMap<Key, Kills> = BTreeMap::new();
    for r in events {
        let ev = &r.event;
        for k in ev
            .killed
            .iter()
            .filter(|k| k.evidence == Evidence::KilledLine && !k.group)
        {
            let rss = k.anon_rss_kb.unwrap_or(0)
                + k.file_rss_kb.unwrap_or(0)
                + k.shmem_rss_kb.unwrap_or(0);
            let cgroup = ev
                .memcg
                .as_ref()
                .and_then(|m| m.task_memcg.clone().or_else(|| m.oom_memcg.clone()));
            let (kind, key) = match cgroup {
                Some(c) if c != "/" => ("cgroup", c),
                _ => ("command", k.comm.clone()),
            };
            groups
                .entry((kind.to_string(), ev.host.clone(), key))
                .or_default()
                .push((r.time, rss));
        }
    }
    let mut out: Vec<Offender> = groups
        .into_iter()
        .filter(|(_, v)| v.len() >= 2)
        .map(|((kind, host, key), v)| {
            let rss: Vec<u64> = v.iter().map(|(_, r)| *r).collect();
            Offender {
                kind,
                key,
                host,
                kills: v.len(),
                first: v.iter().filter_map(|(t, _)| *t).min(),
                last: v.iter().filter_map(|(t, _)| *t).max(),
                trend: trend(&rss).into(),
                rss_kb: rss,
            }
        })
        .collect();
    out.sort_by(|a, b| b.kills.cmp(&a.kills).then(a.key.cmp(&b.key)));
    out
}

/// `growing` when the last kill held at least 10 % more than the first and most steps
/// went up; `shrinking` the other way round; else `steady`.
fn trend(rss: &[u64]) -> &'static str {
    let (Some(&first), Some(&last)) = (rss.first(), rss.last()) else {
        return "steady";
    };
    let ups = rss.windows(2).filter(|w| w[1] > w[0]).count();
    let downs = rss.windows(2).filter(|w| w[1] < w[0]).count();
    if last as f64 >= first as f64 * 1.1 && ups >= downs {
        "growing"
    } else if (last as f64) <= first as f64 * 0.9 && downs >= ups {
        "shrinking"
    } else {
        "steady"
    }
}

#[cfg(test)]
mod tests {
    use super::trend;

    #[test]
    fn trends() {
        assert_eq!(trend(&[100, 120, 150]), "growing");
        assert_eq!(trend(&[100, 101, 99]), "steady");
        assert_eq!(trend(&[150, 120, 100]), "shrinking");
        assert_eq!(trend(&[]), "steady");
    }
}

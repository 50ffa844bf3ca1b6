//! The aggregate view of a scan: counts per host, cgroup, command and day, the time
//! span, and repeat offenders (the same cgroup or command killed again and again,
//! with its memory at each kill: a leak shows as a rising line).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::event::{Evidence, OomEvent};
use crate::text::LogString;

/// The host key of events whose log names no host (dmesg, kmsg).
pub const UNNAMED_HOST: &str = "(unnamed)";

/// What one input contributed.
#[derive(Debug, Clone, Serialize)]
pub struct InputSummary {
    /// The input.
    pub path: LogString,
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
    pub key: LogString,
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
    pub key: LogString,
    /// Host.
    pub host: Option<LogString>,
    /// Kills.
    pub kills: usize,
    /// First kill.
    pub first: Option<DateTime<FixedOffset>>,
    /// Last kill.
    pub last: Option<DateTime<FixedOffset>>,
    /// Seconds after boot of the first kill (printk stamp), for logs without wall
    /// time such as raw `dmesg`.
    pub first_uptime_s: Option<f64>,
    /// Seconds after boot of the last kill.
    pub last_uptime_s: Option<f64>,
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
    /// Earliest and latest seconds after boot of the events without wall time (raw
    /// `dmesg`, `/dev/kmsg`); null when there are none.
    pub first_uptime_s: Option<f64>,
    /// See `first_uptime_s`.
    pub last_uptime_s: Option<f64>,
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

/// What the summary needs of one event (kept small: reports can hold many events).
#[derive(Debug, Clone)]
pub struct SummaryItem {
    time: Option<DateTime<FixedOffset>>,
    uptime_s: Option<f64>,
    host: LogString,
    complete: bool,
    kills: usize,
    victims: usize,
    cgroup: LogString,
    commands: Vec<LogString>,
    /// (kind, key, rss kB) of each non-group kill line, for repeat offenders.
    kill_rss: Vec<(&'static str, LogString, u64)>,
}

impl SummaryItem {
    /// The summary facts of `ev` at resolved time `time`.
    pub fn of(ev: &OomEvent, time: Option<DateTime<FixedOffset>>) -> Self {
        let kills = ev
            .killed
            .iter()
            .filter(|k| k.evidence == Evidence::KilledLine)
            .count();
        let named: Vec<&crate::event::Killed> = ev
            .killed
            .iter()
            .filter(|k| k.evidence != Evidence::SharedMm)
            .collect();
        let cgroup = ev
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
        let victim_cgroup = ev
            .memcg
            .as_ref()
            .and_then(|m| m.task_memcg.clone().or_else(|| m.oom_memcg.clone()));
        let kill_rss = ev
            .killed
            .iter()
            .filter(|k| k.evidence == Evidence::KilledLine && !k.group)
            .map(|k| {
                // Sizes from a log can be anything: saturate.
                let rss = k
                    .anon_rss_kb
                    .unwrap_or(0)
                    .saturating_add(k.file_rss_kb.unwrap_or(0))
                    .saturating_add(k.shmem_rss_kb.unwrap_or(0));
                match &victim_cgroup {
                    Some(c) if c != "/" => ("cgroup", c.clone(), rss),
                    _ => ("command", k.comm.clone(), rss),
                }
            })
            .collect();
        SummaryItem {
            time,
            uptime_s: ev.printk.map(|p| p.seconds()),
            host: ev.host.clone().unwrap_or_else(|| UNNAMED_HOST.into()),
            complete: ev.complete,
            kills,
            victims: named.len(),
            cgroup,
            commands: named.iter().map(|k| k.comm.clone()).collect(),
            kill_rss,
        }
    }
}

impl Summary {
    /// The summary of a report's events (in time order).
    pub fn build(items: &[&SummaryItem], inputs: Vec<InputSummary>) -> Summary {
        let mut s = Summary {
            inputs,
            events: items.len(),
            ..Default::default()
        };
        let mut hosts: BTreeMap<LogString, Counted> = BTreeMap::new();
        let mut cgroups: BTreeMap<LogString, Counted> = BTreeMap::new();
        let mut commands: BTreeMap<LogString, Counted> = BTreeMap::new();
        let mut days: BTreeMap<LogString, Counted> = BTreeMap::new();
        let bump = |map: &mut BTreeMap<LogString, Counted>, key: &LogString, kills: usize| {
            let c = map.entry(key.clone()).or_insert(Counted {
                key: key.clone(),
                events: 0,
                kills: 0,
            });
            c.events += 1;
            c.kills += kills;
        };
        for it in items {
            if it.complete {
                s.complete_events += 1;
            }
            s.kills += it.kills;
            s.victims += it.victims;
            if let Some(t) = it.time {
                s.first = Some(s.first.map_or(t, |f| f.min(t)));
                s.last = Some(s.last.map_or(t, |l| l.max(t)));
                bump(
                    &mut days,
                    &t.format("%Y-%m-%d").to_string().into(),
                    it.victims,
                );
            } else if let Some(u) = it.uptime_s {
                s.first_uptime_s = Some(s.first_uptime_s.map_or(u, |f| f.min(u)));
                s.last_uptime_s = Some(s.last_uptime_s.map_or(u, |l| l.max(u)));
            }
            bump(&mut hosts, &it.host, it.victims);
            bump(&mut cgroups, &it.cgroup, it.victims);
            for c in &it.commands {
                bump(&mut commands, c, 1);
            }
        }
        let top = |m: BTreeMap<LogString, Counted>| {
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
        s.offenders = offenders(items);
        s
    }
}

fn offenders(items: &[&SummaryItem]) -> Vec<Offender> {
    // (kind, host, key) → (time, rss) of each kill, in time order.
    type Key = (String, Option<LogString>, LogString);
    type Kills = Vec<(Option<DateTime<FixedOffset>>, Option<f64>, u64)>;
    let mut groups: BTreeMap<Key, Kills> = BTreeMap::new();
    for it in items {
        let host = (it.host != UNNAMED_HOST).then(|| it.host.clone());
        for (kind, key, rss) in &it.kill_rss {
            groups
                .entry((kind.to_string(), host.clone(), key.clone()))
                .or_default()
                .push((it.time, it.uptime_s, *rss));
        }
    }
    let mut out: Vec<Offender> = groups
        .into_iter()
        .filter(|(_, v)| v.len() >= 2)
        .map(|((kind, host, key), v)| {
            let rss: Vec<u64> = v.iter().map(|(_, _, r)| *r).collect();
            Offender {
                kind,
                key,
                host,
                kills: v.len(),
                first: v.iter().filter_map(|(t, _, _)| *t).min(),
                last: v.iter().filter_map(|(t, _, _)| *t).max(),
                first_uptime_s: v.first().and_then(|(_, u, _)| *u),
                last_uptime_s: v.last().and_then(|(_, u, _)| *u),
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

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
    /// The victim's resident memory (anon + file + shmem) at each kill, kB; past 128
    /// kills, at every `rss_kb_every`-th kill from the first.
    pub rss_kb: Vec<u64>,
    /// The step between the kills in `rss_kb` (1: every kill; absent when 1).
    #[serde(skip_serializing_if = "is_one")]
    pub rss_kb_every: usize,
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
    /// Events and kills per killer (`kernel`, `systemd-oomd`, `earlyoom`, …), most
    /// kills first.
    pub killers: Vec<Counted>,
    /// Cgroups and commands killed more than once.
    pub offenders: Vec<Offender>,
    /// Events the filters left out (absent when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub filtered_out: usize,
    /// Events whose log time carries no zone (RFC 3164 syslog, journalctl short, dmesg
    /// -T), read in the zone `--tz` gives or this machine's (absent when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub zone_assumed_events: usize,
    /// The offset the first of them was read in.
    #[serde(skip)]
    pub assumed_offset: Option<FixedOffset>,
    /// What the lists left out past [`MAX_KEYS`] distinct keys (absent when nothing).
    #[serde(skip_serializing_if = "Overflow::is_empty")]
    pub overflow: Overflow,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

/// What the summary needs of one event (kept small: reports can hold many events).
#[derive(Debug, Clone)]
pub struct SummaryItem {
    time: Option<DateTime<FixedOffset>>,
    zone_assumed: bool,
    uptime_s: Option<f64>,
    host: LogString,
    complete: bool,
    kills: usize,
    victims: usize,
    cgroup: LogString,
    commands: Vec<LogString>,
    killer: crate::event::Killer,
    /// (kind, key, rss kB) of each non-group kill line, for repeat offenders.
    kill_rss: Vec<(&'static str, LogString, u64)>,
}

impl SummaryItem {
    /// The summary facts of `ev` at resolved time `time`.
    pub fn of(ev: &OomEvent, time: Option<DateTime<FixedOffset>>, zone_assumed: bool) -> Self {
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
        // A userspace killer's kill: its victim, and the cgroup its rule watched.
        if let Some(u) = &ev.userspace {
            let watched = match u.decision.as_ref().map(|d| &d.rule) {
                Some(crate::event::Rule::MemoryPressure {
                    cgroup: Some(c), ..
                }) => c.clone(),
                _ => "(machine)".into(),
            };
            return SummaryItem {
                time,
                zone_assumed,
                uptime_s: ev.printk.map(|p| p.seconds()),
                host: ev.host.clone().unwrap_or_else(|| UNNAMED_HOST.into()),
                complete: ev.complete,
                kills: 0,
                victims: usize::from(u.failed.is_none()),
                cgroup: watched,
                commands: u.comm.iter().cloned().collect(),
                killer: ev.killer,
                kill_rss: Vec::new(),
            };
        }
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
            zone_assumed,
            uptime_s: ev.printk.map(|p| p.seconds()),
            host: ev.host.clone().unwrap_or_else(|| UNNAMED_HOST.into()),
            complete: ev.complete,
            kills,
            victims: named.len(),
            cgroup,
            commands: named.iter().map(|k| k.comm.clone()).collect(),
            killer: ev.killer,
            kill_rss,
        }
    }
}

/// Distinct keys counted per list (hosts, cgroups, commands, days, repeat offenders);
/// events under further keys are counted together in [`Summary::overflow`], so that a
/// scan of a million hosts or commands stays in bounded memory.
pub const MAX_KEYS: usize = 10_000;

/// Memory points kept per repeat offender: past twice this, every other point is
/// dropped and the step between kept kills doubles ([`Offender::rss_kb_every`]).
const RSS_POINTS: usize = 64;

/// Events and kills that did not get a key of their own (over [`MAX_KEYS`]).
#[derive(Debug, Clone, Copy, Serialize, Default, PartialEq, Eq)]
pub struct Uncounted {
    /// Events.
    pub events: usize,
    /// Tasks killed.
    pub kills: usize,
}

/// What the lists of a summary left out, when a scan has more distinct keys than
/// [`MAX_KEYS`].
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct Overflow {
    /// Events of hosts past the first [`MAX_KEYS`].
    pub hosts: Uncounted,
    /// Events of cgroups past the first [`MAX_KEYS`].
    pub cgroups: Uncounted,
    /// Victims of commands past the first [`MAX_KEYS`].
    pub commands: Uncounted,
    /// Events of days past the first [`MAX_KEYS`].
    pub days: Uncounted,
    /// Kill lines of cgroups and commands not followed as repeat offenders.
    pub offender_kills: usize,
}

impl Overflow {
    fn is_empty(&self) -> bool {
        *self == Overflow::default()
    }
}

/// Counts per key, at most [`MAX_KEYS`] keys.
#[derive(Default)]
struct Tally {
    map: BTreeMap<LogString, Counted>,
    rest: Uncounted,
}

impl Tally {
    fn bump(&mut self, key: &LogString, kills: usize) {
        if self.map.len() >= MAX_KEYS && !self.map.contains_key(key) {
            self.rest.events += 1;
            self.rest.kills += kills;
            return;
        }
        let c = self.map.entry(key.clone()).or_insert_with(|| Counted {
            key: key.clone(),
            events: 0,
            kills: 0,
        });
        c.events += 1;
        c.kills += kills;
    }

    /// Most kills first.
    fn top(self) -> (Vec<Counted>, Uncounted) {
        let mut v: Vec<Counted> = self.map.into_values().collect();
        v.sort_by(|a, b| {
            b.kills
                .cmp(&a.kills)
                .then(b.events.cmp(&a.events))
                .then(a.key.cmp(&b.key))
        });
        (v, self.rest)
    }

    /// In key order (days).
    fn in_order(self) -> (Vec<Counted>, Uncounted) {
        (self.map.into_values().collect(), self.rest)
    }
}

/// One cgroup's or command's kills so far.
struct Kills {
    kills: usize,
    first: Option<DateTime<FixedOffset>>,
    last: Option<DateTime<FixedOffset>>,
    first_uptime_s: Option<f64>,
    last_uptime_s: Option<f64>,
    rss: Vec<u64>,
    every: usize,
    first_rss: u64,
    last_rss: u64,
    ups: usize,
    downs: usize,
}

impl Kills {
    fn new() -> Kills {
        Kills {
            kills: 0,
            first: None,
            last: None,
            first_uptime_s: None,
            last_uptime_s: None,
            rss: Vec::new(),
            every: 1,
            first_rss: 0,
            last_rss: 0,
            ups: 0,
            downs: 0,
        }
    }

    fn add(&mut self, time: Option<DateTime<FixedOffset>>, uptime_s: Option<f64>, rss: u64) {
        if self.kills == 0 {
            self.first_uptime_s = uptime_s;
            self.first_rss = rss;
        } else if rss > self.last_rss {
            self.ups += 1;
        } else if rss < self.last_rss {
            self.downs += 1;
        }
        if let Some(t) = time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
        self.last_uptime_s = uptime_s;
        self.last_rss = rss;
        if self.kills.is_multiple_of(self.every) {
            self.rss.push(rss);
            if self.rss.len() >= 2 * RSS_POINTS {
                let mut i = 0;
                self.rss.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                self.every *= 2;
            }
        }
        self.kills += 1;
    }
}

/// Builds the summary from a report's events, one at a time in time order, in memory
/// bounded by the number of distinct keys (at most [`MAX_KEYS`] per list).
#[derive(Default)]
pub struct SummaryBuilder {
    s: Summary,
    hosts: Tally,
    cgroups: Tally,
    commands: Tally,
    days: Tally,
    killers: Tally,
    offenders: BTreeMap<(&'static str, Option<LogString>, LogString), Kills>,
}

impl SummaryBuilder {
    /// Counts one event.
    pub fn add(&mut self, it: &SummaryItem) {
        let s = &mut self.s;
        s.events += 1;
        if it.complete {
            s.complete_events += 1;
        }
        s.kills += it.kills;
        s.victims += it.victims;
        if let Some(t) = it.time {
            if it.zone_assumed {
                s.zone_assumed_events += 1;
                s.assumed_offset.get_or_insert(*t.offset());
            }
            s.first = Some(s.first.map_or(t, |f| f.min(t)));
            s.last = Some(s.last.map_or(t, |l| l.max(t)));
            self.days
                .bump(&t.format("%Y-%m-%d").to_string().into(), it.victims);
        } else if let Some(u) = it.uptime_s {
            s.first_uptime_s = Some(s.first_uptime_s.map_or(u, |f| f.min(u)));
            s.last_uptime_s = Some(s.last_uptime_s.map_or(u, |l| l.max(u)));
        }
        self.hosts.bump(&it.host, it.victims);
        self.killers.bump(&it.killer.key().into(), it.victims);
        self.cgroups.bump(&it.cgroup, it.victims);
        for c in &it.commands {
            self.commands.bump(c, 1);
        }
        let host = (it.host != UNNAMED_HOST).then(|| it.host.clone());
        for (kind, key, rss) in &it.kill_rss {
            let k = (*kind, host.clone(), key.clone());
            if self.offenders.len() >= MAX_KEYS && !self.offenders.contains_key(&k) {
                s.overflow.offender_kills += 1;
                continue;
            }
            self.offenders
                .entry(k)
                .or_insert_with(Kills::new)
                .add(it.time, it.uptime_s, *rss);
        }
    }

    /// The summary, with `inputs` as the inputs read.
    pub fn finish(self, inputs: Vec<InputSummary>) -> Summary {
        let mut s = self.s;
        s.inputs = inputs;
        (s.hosts, s.overflow.hosts) = self.hosts.top();
        (s.cgroups, s.overflow.cgroups) = self.cgroups.top();
        (s.commands, s.overflow.commands) = self.commands.top();
        (s.days, s.overflow.days) = self.days.in_order();
        s.killers = self.killers.top().0;
        let mut out: Vec<Offender> = self
            .offenders
            .into_iter()
            .filter(|(_, v)| v.kills >= 2)
            .map(|((kind, host, key), v)| Offender {
                kind: kind.to_string(),
                key,
                host,
                kills: v.kills,
                first: v.first,
                last: v.last,
                first_uptime_s: v.first_uptime_s,
                last_uptime_s: v.last_uptime_s,
                trend: trend(v.first_rss, v.last_rss, v.ups, v.downs).into(),
                rss_kb: v.rss,
                rss_kb_every: v.every,
            })
            .collect();
        out.sort_by(|a, b| b.kills.cmp(&a.kills).then(a.key.cmp(&b.key)));
        s.offenders = out;
        s
    }
}

/// `growing` when the last kill held at least 10 % more than the first and most steps
/// went up; `shrinking` the other way round; else `steady`.
fn trend(first: u64, last: u64, ups: usize, downs: usize) -> &'static str {
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
    use super::*;

    fn kills(rss: &[u64]) -> Kills {
        let mut k = Kills::new();
        for r in rss {
            k.add(None, None, *r);
        }
        k
    }

    fn trend_of(rss: &[u64]) -> &'static str {
        let k = kills(rss);
        trend(k.first_rss, k.last_rss, k.ups, k.downs)
    }

    #[test]
    fn trends() {
        assert_eq!(trend_of(&[100, 120, 150]), "growing");
        assert_eq!(trend_of(&[100, 101, 99]), "steady");
        assert_eq!(trend_of(&[150, 120, 100]), "shrinking");
    }

    /// A million kills keep at most 2 × RSS_POINTS points, evenly spaced from the
    /// first kill, and the trend still sees every step.
    #[test]
    fn memory_points_are_thinned_evenly() {
        let rss: Vec<u64> = (0..1_000_000u64).collect();
        let k = kills(&rss);
        assert_eq!(k.kills, 1_000_000);
        assert!(k.rss.len() < 2 * RSS_POINTS, "{}", k.rss.len());
        assert!(k.rss.len() >= RSS_POINTS);
        // 127 × 4,096 < 1 M: the step doubled to 8,192; 127 × 8,192 > 1 M: not again.
        assert_eq!((k.every, k.rss.len()), (8_192, 123));
        let expect: Vec<u64> = (0..123).map(|i| i * 8_192).collect();
        assert_eq!(k.rss, expect);
        assert_eq!((k.ups, k.downs), (999_999, 0));
        // Below the bound every kill is kept.
        let k = kills(&[5, 4, 3]);
        assert_eq!((k.rss.as_slice(), k.every), (&[5, 4, 3][..], 1));
    }

    /// Past MAX_KEYS distinct keys, events are counted in the overflow, not dropped.
    #[test]
    fn keys_past_the_cap_are_counted_together() {
        let mut t = Tally::default();
        for i in 0..MAX_KEYS + 5 {
            t.bump(&format!("h{i}").into(), 2);
        }
        t.bump(&"h0".into(), 1);
        let (v, rest) = t.top();
        assert_eq!(v.len(), MAX_KEYS);
        assert_eq!(v[0].key, "h0");
        assert_eq!((v[0].events, v[0].kills), (2, 3));
        assert_eq!(
            rest,
            Uncounted {
                events: 5,
                kills: 10
            }
        );
    }
}

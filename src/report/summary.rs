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

/// The same command killed more than once: in the same pod, the same cgroup, or (outside
/// cgroups) on the same host.
#[derive(Debug, Clone, Serialize)]
pub struct Offender {
    /// `pod` (key: the pod UID, kept across container restarts), `cgroup` (key: the
    /// victim's cgroup) or `command` (key: the command; the victim was in no cgroup).
    pub kind: String,
    /// The pod UID, cgroup path or command name.
    pub key: LogString,
    /// The command killed (for `pod` and `cgroup`; for `command` it is the key).
    pub command: Option<LogString>,
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
    /// Incidents: runs of kills less than 60 s (`INCIDENT_GAP_S`) apart. Several processes
    /// of one command killed in one sweep are one incident, not a trend.
    pub incidents: usize,
    /// Over the incidents (the largest victim of each): `growing`, `steady` or
    /// `shrinking`; `one-incident` when every kill came in one run, which says nothing
    /// about growth.
    pub trend: String,
}

/// Kills of the same key further apart than this start a new incident, seconds.
pub const INCIDENT_GAP_S: f64 = 60.0;

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
    /// The input, which tells offenders apart when the log names no host.
    input: LogString,
    complete: bool,
    kills: usize,
    victims: usize,
    cgroup: LogString,
    commands: Vec<LogString>,
    killer: crate::event::Killer,
    /// (kind, key, command, rss kB) of each non-group kill line, for repeat offenders.
    kill_rss: Vec<(&'static str, LogString, Option<LogString>, u64)>,
}

impl SummaryItem {
    /// The summary facts of `ev` at resolved time `time`.
    pub fn of(ev: &OomEvent, time: Option<DateTime<FixedOffset>>, zone_assumed: bool) -> Self {
        let (kills, victims, cgroup, commands, kill_rss) = match &ev.userspace {
            // A userspace killer's kill: its victim, and the cgroup its rule watched.
            Some(u) => {
                let watched = match u.decision.as_ref().map(|d| &d.rule) {
                    Some(crate::event::Rule::MemoryPressure {
                        cgroup: Some(c), ..
                    }) => c.clone(),
                    _ => "(machine)".into(),
                };
                let commands = u.comm.iter().cloned().collect();
                (
                    0,
                    usize::from(u.failed.is_none()),
                    watched,
                    commands,
                    Vec::new(),
                )
            }
            None => Self::kernel_parts(ev),
        };
        SummaryItem {
            time,
            zone_assumed,
            uptime_s: ev.printk.map(|p| p.seconds()),
            host: ev.host.clone().unwrap_or_else(|| UNNAMED_HOST.into()),
            input: ev.source.path.clone(),
            complete: ev.complete,
            kills,
            victims,
            cgroup,
            commands,
            killer: ev.killer,
            kill_rss,
        }
    }

    /// A kernel event's kills, victims, OOM cgroup, victims' commands and repeat
    /// offender keys.
    #[allow(clippy::type_complexity)]
    fn kernel_parts(
        ev: &OomEvent,
    ) -> (
        usize,
        usize,
        LogString,
        Vec<LogString>,
        Vec<(&'static str, LogString, Option<LogString>, u64)>,
    ) {
        let kills = ev
            .killed
            .iter()
            .filter(|k| k.evidence == Evidence::KilledLine)
            .count();
        let named: Vec<LogString> = ev
            .killed
            .iter()
            .filter(|k| k.evidence != Evidence::SharedMm)
            .map(|k| k.comm.clone())
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
        // The offender key: the pod (kept across container restarts), else the victim's
        // cgroup, else the command alone; decoded once per event, not per kill.
        let key: Option<(&'static str, LogString)> = ev
            .memcg
            .as_ref()
            .and_then(|m| m.task_memcg.clone().or_else(|| m.oom_memcg.clone()))
            .filter(|c| c != "/")
            .map(
                |c| match crate::analysis::container::decode(c.as_log_str()).pod_uid {
                    Some(uid) => ("pod", uid),
                    None => ("cgroup", c),
                },
            );
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
                match &key {
                    Some((kind, key)) => (*kind, key.clone(), Some(k.comm.clone()), rss),
                    None => ("command", k.comm.clone(), None, rss),
                }
            })
            .collect();
        (kills, named.len(), cgroup, named, kill_rss)
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

/// One offender's kills so far.
struct Kills {
    kills: usize,
    first: Option<DateTime<FixedOffset>>,
    last: Option<DateTime<FixedOffset>>,
    first_uptime_s: Option<f64>,
    last_uptime_s: Option<f64>,
    rss: Vec<u64>,
    every: usize,
    /// When the last kill came (wall seconds, or seconds after boot).
    last_at: Option<f64>,
    incidents: usize,
    /// The largest victim of the incident under way.
    peak: u64,
    /// Of the first incident, and of the last one closed.
    first_peak: u64,
    prev_peak: u64,
    /// Incident-to-incident steps up and down.
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
            last_at: None,
            incidents: 0,
            peak: 0,
            first_peak: 0,
            prev_peak: 0,
            ups: 0,
            downs: 0,
        }
    }

    fn add(&mut self, time: Option<DateTime<FixedOffset>>, uptime_s: Option<f64>, rss: u64) {
        // A kill with no time to compare is taken to be of the same incident: growth is
        // only claimed between incidents the log tells apart.
        let at = time
            .map(|t| t.timestamp() as f64 + f64::from(t.timestamp_subsec_millis()) / 1e3)
            .or(uptime_s);
        let new_incident = self.kills == 0
            || matches!((self.last_at, at), (Some(a), Some(b)) if (b - a).abs() > INCIDENT_GAP_S);
        if new_incident {
            self.close_incident();
            self.incidents += 1;
            self.peak = rss;
        } else {
            self.peak = self.peak.max(rss);
        }
        if at.is_some() {
            self.last_at = at;
        }
        if self.kills == 0 {
            self.first_uptime_s = uptime_s;
        }
        if let Some(t) = time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
        self.last_uptime_s = uptime_s;
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

    /// Counts the step from the incident before to the one under way.
    fn close_incident(&mut self) {
        match self.incidents {
            0 => {}
            1 => self.first_peak = self.peak,
            _ if self.peak > self.prev_peak => self.ups += 1,
            _ if self.peak < self.prev_peak => self.downs += 1,
            _ => {}
        }
        self.prev_peak = self.peak;
    }

    /// The trend over the incidents, the last one included.
    fn trend(&self) -> &'static str {
        if self.incidents < 2 {
            return "one-incident";
        }
        let mut k = Kills {
            rss: Vec::new(),
            ..*self
        };
        k.close_incident();
        trend(k.first_peak, k.peak, k.ups, k.downs)
    }
}

/// What makes kills the same offender's: kind, host (or, when the log names none, the
/// input: two unnamed logs may be two machines), key and command.
type OffenderKey = (
    &'static str,
    Option<LogString>,
    Option<LogString>,
    LogString,
    Option<LogString>,
);

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
    offenders: BTreeMap<OffenderKey, Kills>,
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
        let input = host.is_none().then(|| it.input.clone());
        for (kind, key, command, rss) in &it.kill_rss {
            let k = (
                *kind,
                host.clone(),
                input.clone(),
                key.clone(),
                command.clone(),
            );
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
            .map(|((kind, host, _, key, command), v)| Offender {
                trend: v.trend().into(),
                incidents: v.incidents,
                kind: kind.to_string(),
                key,
                command,
                host,
                kills: v.kills,
                first: v.first,
                last: v.last,
                first_uptime_s: v.first_uptime_s,
                last_uptime_s: v.last_uptime_s,
                rss_kb: v.rss,
                rss_kb_every: v.every,
            })
            .collect();
        out.sort_by(|a, b| b.kills.cmp(&a.kills).then(a.key.cmp(&b.key)));
        s.offenders = out;
        s
    }
}

/// `growing` when the last incident's victim held at least 10 % more than the first's
/// and more steps went up than down; `shrinking` the other way round; else `steady`.
fn trend(first: u64, last: u64, ups: usize, downs: usize) -> &'static str {
    if last as f64 >= first as f64 * 1.1 && ups > downs {
        "growing"
    } else if (last as f64) <= first as f64 * 0.9 && downs > ups {
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

    /// Kills at these seconds after boot with these sizes.
    fn trend_at(kills: &[(f64, u64)]) -> (&'static str, usize) {
        let mut k = Kills::new();
        for (at, rss) in kills {
            k.add(None, Some(*at), *rss);
        }
        (k.trend(), k.incidents)
    }

    #[test]
    fn trends_are_over_incidents() {
        let hour = 3600.0;
        assert_eq!(
            trend_at(&[(0.0, 100), (hour, 120), (2.0 * hour, 150)]),
            ("growing", 3)
        );
        assert_eq!(
            trend_at(&[(0.0, 100), (hour, 101), (2.0 * hour, 99)]),
            ("steady", 3)
        );
        assert_eq!(
            trend_at(&[(0.0, 150), (hour, 120), (2.0 * hour, 100)]),
            ("shrinking", 3)
        );
        // Three processes of one command killed within seconds: one incident, no trend
        // (the false "32.9 → 83.2 → 134 MiB growing" of one sweep).
        assert_eq!(
            trend_at(&[(0.0, 33), (1.0, 83), (2.0, 134)]),
            ("one-incident", 1)
        );
        // Up and down as often: no growth claimed.
        assert_eq!(
            trend_at(&[(0.0, 100), (hour, 90), (2.0 * hour, 130), (3.0 * hour, 120)]),
            ("steady", 4)
        );
        // Two sweeps: each is judged by its largest victim.
        assert_eq!(
            trend_at(&[(0.0, 10), (1.0, 100), (hour, 50), (hour + 1.0, 200)]),
            ("growing", 2)
        );
        // No time to tell kills apart: one incident.
        let mut k = Kills::new();
        k.add(None, None, 10);
        k.add(None, None, 20);
        assert_eq!((k.trend(), k.incidents), ("one-incident", 1));
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

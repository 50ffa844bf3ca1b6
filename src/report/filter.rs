//! Which events a report keeps: `--since`/`--until` (journalctl-style times), victim
//! or trigger name and pid, cgroup substring, host, and killed-only.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

use super::LocalZone;

use crate::event::{Evidence, OomEvent};
use crate::text::OptionLogStr;

/// Event filters; empty lists match everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep events at or after this time.
    pub since: Option<DateTime<FixedOffset>>,
    /// Keep events at or before this time.
    pub until: Option<DateTime<FixedOffset>>,
    /// Keep events whose victim or allocating task name contains one of these.
    pub comm: Vec<String>,
    /// Keep events whose victim or allocating task has one of these pids.
    pub pid: Vec<u32>,
    /// Keep events whose memcg paths contain one of these.
    pub cgroup: Vec<String>,
    /// Keep events from these hosts (case-insensitive).
    pub host: Vec<String>,
    /// Keep only events in which a task was killed.
    pub killed_only: bool,
    /// Keep events of these killers (`--killer`).
    pub killer: Vec<crate::event::Killer>,
}

impl Filter {
    /// Whether the filter keeps `ev` (at resolved time `time`).
    pub fn keeps(&self, ev: &OomEvent, time: Option<DateTime<FixedOffset>>) -> bool {
        if self.has_time() {
            let Some(t) = time else { return false };
            if self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t > u) {
                return false;
            }
        }
        if !self.killer.is_empty() && !self.killer.contains(&ev.killer) {
            return false;
        }
        // A userspace killer's victim, by what its lines name.
        if let Some(u) = &ev.userspace {
            return self.keeps_user(ev, u);
        }
        if self.killed_only && !ev.killed.iter().any(|k| k.evidence != Evidence::Selection) {
            return false;
        }
        if !self.comm.is_empty() {
            let names = ev
                .killed
                .iter()
                .map(|k| k.comm.as_log_str())
                .chain(ev.trigger.as_ref().and_then(|t| t.comm.as_log_str()))
                .chain(ev.kernel_choice.as_ref().map(|c| c.comm.as_log_str()));
            let names: Vec<&str> = names.collect();
            if !self
                .comm
                .iter()
                .any(|c| names.iter().any(|n| n.contains(c.as_str())))
            {
                return false;
            }
        }
        if !self.pid.is_empty() {
            let pids: Vec<u32> = ev
                .killed
                .iter()
                .map(|k| k.pid)
                .chain(ev.trigger.as_ref().and_then(|t| t.pid))
                .chain(ev.kernel_choice.as_ref().map(|c| c.pid))
                .collect();
            if !self.pid.iter().any(|p| pids.contains(p)) {
                return false;
            }
        }
        if !self.cgroup.is_empty() {
            let paths: Vec<&str> = ev
                .memcg
                .iter()
                .flat_map(|m| {
                    [
                        m.oom_memcg.as_log_str(),
                        m.task_memcg.as_log_str(),
                        m.stats_path.as_log_str(),
                    ]
                })
                .flatten()
                .collect();
            if !self.cgroup_ok(&paths) {
                return false;
            }
        }
        self.host_ok(ev)
    }

    /// The filters on a userspace killer's event: its victim's name, pid and cgroup
    /// (the killed cgroup, unit or pod, and the one its rule watched).
    fn keeps_user(&self, ev: &OomEvent, u: &crate::event::UserKill) -> bool {
        if self.killed_only && u.failed.is_some() {
            return false;
        }
        if !self.comm.is_empty() {
            let Some(c) = u.comm.as_log_str() else {
                return false;
            };
            if !self.comm.iter().any(|x| c.contains(x.as_str())) {
                return false;
            }
        }
        if !self.pid.is_empty() && !u.pid.is_some_and(|p| self.pid.contains(&p)) {
            return false;
        }
        if !self.cgroup.is_empty() {
            let watched = match u.decision.as_ref().map(|d| &d.rule) {
                Some(crate::event::Rule::MemoryPressure { cgroup, .. }) => cgroup.as_log_str(),
                _ => None,
            };
            let paths: Vec<&str> = [u.target.as_log_str(), watched]
                .into_iter()
                .flatten()
                .chain(ev.unit.iter().map(|f| f.unit.as_log_str()))
                .collect();
            if !self.cgroup_ok(&paths) {
                return false;
            }
        }
        self.host_ok(ev)
    }

    /// --host: a part of the name, any case, as --comm (node names share long
    /// prefixes); an event without a host never matches.
    fn host_ok(&self, ev: &OomEvent) -> bool {
        if self.host.is_empty() {
            return true;
        }
        let Some(h) = ev.host.as_log_str() else {
            return false;
        };
        let h = h.to_ascii_lowercase();
        self.host
            .iter()
            .any(|x| h.contains(&x.to_ascii_lowercase()))
    }

    /// --cgroup against any of `paths`.
    fn cgroup_ok(&self, paths: &[&str]) -> bool {
        self.cgroup.is_empty()
            || self
                .cgroup
                .iter()
                .any(|c| paths.iter().any(|p| cgroup_matches(p, c)))
    }

    /// Whether a time filter is set.
    pub fn has_time(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }
}

/// Whether cgroup `path` contains `part`. A pod UID (or a part of one: hex digits and
/// dashes, as `kubectl` prints it) also matches the systemd driver's spelling in the
/// path, where the dashes are underscores (`pod5931aa75_4603_…slice`).
fn cgroup_matches(path: &str, part: &str) -> bool {
    if path.contains(part) {
        return true;
    }
    let uid_like = part.contains('-')
        && part.len() >= 8
        && part.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    uid_like && path.contains(&part.replace('-', "_"))
}

/// Parses a time the way `journalctl --since` does: `2026-11-21`, `2026-11-21 22:00`,
/// `2026-11-21T22:00:00+02:00`, `22:00` (today), `-2h`, `-30min`, `3 days ago`,
/// `yesterday`, `today`, `tomorrow`, `now`, `@1795299946`. Times without a zone are
/// local (`zone`).
pub fn parse_when(s: &str, now: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, String> {
    parse_when_in(s, now, LocalZone::Fixed(*now.offset()))
}

/// [`parse_when`] with times without a zone read in `zone` (`--tz`), and also the
/// stamp syslog prints (`Nov 21 22:26`, `Nov 21 22:26:45`, `Nov 21`: the last such
/// day up to tomorrow, as a stamp copied from the report on screen means).
pub fn parse_when_in(
    s: &str,
    now: DateTime<FixedOffset>,
    zone: LocalZone,
) -> Result<DateTime<FixedOffset>, String> {
    let t = s.trim();
    let local = |n: NaiveDateTime| -> Result<DateTime<FixedOffset>, String> {
        zone.at(&n)
            .ok_or_else(|| format!("{s}: not a valid local time"))
    };
    let midnight = |d: NaiveDate| NaiveDateTime::new(d, NaiveTime::MIN);
    match t {
        "now" => return Ok(now),
        "today" => return local(midnight(now.date_naive())),
        "yesterday" => return local(midnight(now.date_naive() - Duration::days(1))),
        "tomorrow" => return local(midnight(now.date_naive() + Duration::days(1))),
        _ => {}
    }
    if let Some(epoch) = t.strip_prefix('@') {
        let digits = epoch.strip_prefix('-').unwrap_or(epoch);
        let secs: i64 = epoch.parse().map_err(|_| {
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                format!("{s}: out of range")
            } else {
                format!("{s}: bad epoch seconds")
            }
        })?;
        return DateTime::from_timestamp(secs, 0)
            .map(|d| d.with_timezone(now.offset()))
            .ok_or_else(|| format!("{s}: out of range"));
    }
    if let Some(rel) = relative(t) {
        // Any offset chrono can hold, from any "now", may still leave its range.
        return rel
            .and_then(|d| now.checked_add_signed(d))
            .ok_or_else(|| format!("{s}: out of range"));
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d);
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return local(n);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return local(midnight(d));
    }
    for f in ["%H:%M:%S", "%H:%M"] {
        if let Ok(tm) = NaiveTime::parse_from_str(t, f) {
            return local(NaiveDateTime::new(now.date_naive(), tm));
        }
    }
    if let Some(n) = syslog_stamp(t, now.date_naive()) {
        return local(n);
    }
    Err(format!(
        "{s}: not a time (try 2026-11-21, '2026-11-21 22:00', 'Nov 21 22:00', 22:00, -2h, \
         '3 days ago', yesterday)"
    ))
}

/// `Nov 21 22:26:45`, `Nov 21 22:26` or `Nov 21` (English month names, as syslog
/// prints them) in the latest year that does not put it after `today` + 1 day.
fn syslog_stamp(t: &str, today: NaiveDate) -> Option<NaiveDateTime> {
    let year = today.year();
    let latest = today + Duration::days(1);
    [year, year - 1].into_iter().find_map(|y| {
        let with_year = format!("{y} {}", t.split_whitespace().collect::<Vec<_>>().join(" "));
        let n = ["%Y %b %d %H:%M:%S", "%Y %b %d %H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(&with_year, f).ok())
            .or_else(|| {
                NaiveDate::parse_from_str(&with_year, "%Y %b %d")
                    .ok()
                    .map(|d| NaiveDateTime::new(d, NaiveTime::MIN))
            })?;
        (n.date() <= latest).then_some(n)
    })
}

/// `-2h`, `+30min`, `2h ago`, `3 days ago`, `-1d12h`: `None` when `t` is not of that
/// form, `Some(None)` when it is but the offset is too large to represent.
fn relative(t: &str) -> Option<Option<Duration>> {
    let (sign, body) = if let Some(b) = t.strip_prefix('-') {
        (-1, b.trim())
    } else if let Some(b) = t.strip_prefix('+') {
        (1, b.trim())
    } else if let Some(b) = t.strip_suffix("ago") {
        (-1, b.trim())
    } else {
        return None;
    };
    // The form is checked to the end before the size: `99999999999999999999 parsecs
    // ago` is not a time, `99999999999999999999 days ago` is one out of range.
    let mut total = Some(Duration::zero());
    let mut rest = body;
    let mut any = false;
    while !rest.is_empty() {
        let n_len = rest.chars().take_while(char::is_ascii_digit).count();
        if n_len == 0 {
            return None;
        }
        let n: Option<i64> = rest[..n_len].parse().ok();
        rest = rest[n_len..].trim_start();
        let u_len = rest.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        let unit = &rest[..u_len];
        rest = rest[u_len..].trim_start();
        let of: fn(i64) -> Option<Duration> = match unit {
            "s" | "sec" | "secs" | "second" | "seconds" | "" => Duration::try_seconds,
            "m" | "min" | "mins" | "minute" | "minutes" => Duration::try_minutes,
            "h" | "hr" | "hour" | "hours" => Duration::try_hours,
            "d" | "day" | "days" => Duration::try_days,
            "w" | "week" | "weeks" => Duration::try_weeks,
            _ => return None,
        };
        total = total
            .zip(n.and_then(of))
            .and_then(|(t, d)| t.checked_add(&d));
        any = true;
    }
    // A duration's range is symmetric, so the sign cannot overflow it.
    any.then_some(total.map(|t| if sign < 0 { -t } else { t }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-21T22:30:00+00:00").unwrap()
    }

    #[test]
    fn journalctl_style_times() {
        let p = |s: &str| parse_when(s, now()).unwrap().to_rfc3339();
        assert_eq!(p("2026-11-21"), "2026-11-21T00:00:00+00:00");
        assert_eq!(p("2026-11-21 22:00"), "2026-11-21T22:00:00+00:00");
        assert_eq!(p("-2h"), "2026-11-21T20:30:00+00:00");
        assert_eq!(p("3 days ago"), "2026-11-18T22:30:00+00:00");
        assert_eq!(p("-1d12h"), "2026-11-20T10:30:00+00:00");
        assert_eq!(p("yesterday"), "2026-11-20T00:00:00+00:00");
        assert_eq!(p("today"), "2026-11-21T00:00:00+00:00");
        assert_eq!(p("21:00"), "2026-11-21T21:00:00+00:00");
        assert_eq!(p("2026-11-21T22:25:46+02:00"), "2026-11-21T22:25:46+02:00");
        assert_eq!(p("@1795299946"), "2026-11-21T22:25:46+00:00");
        assert!(parse_when("last tuesday", now()).is_err());
    }

    /// The stamp on screen (`Nov 21 22:26`) is a time; a day after tomorrow is last
    /// year's; an IANA zone applies its daylight-saving offset of that day.
    #[test]
    fn syslog_stamps_and_named_zones() {
        let p = |s: &str| parse_when(s, now()).unwrap().to_rfc3339();
        assert_eq!(p("Nov 21 22:26"), "2026-11-21T22:26:00+00:00");
        assert_eq!(p("Nov 21 22:26:45"), "2026-11-21T22:26:45+00:00");
        assert_eq!(p("Nov  3"), "2026-11-03T00:00:00+00:00");
        assert_eq!(p("Dec 24 08:00"), "2025-12-24T08:00:00+00:00");
        assert!(parse_when("Nov 31 10:00", now()).is_err());
        let berlin = LocalZone::Named(chrono_tz::Europe::Berlin);
        let q = |s: &str| parse_when_in(s, now(), berlin).unwrap().to_rfc3339();
        assert_eq!(q("2026-07-01 12:00"), "2026-07-01T12:00:00+02:00");
        assert_eq!(q("Nov 21 22:26"), "2026-11-21T22:26:00+01:00");
    }

    #[test]
    fn pod_uids_match_either_spelling_and_hosts_match_a_part() {
        let path = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4c2b_9a2b_0d6f4e1c2a10.slice";
        assert!(cgroup_matches(path, "5931aa75-4603"));
        assert!(cgroup_matches(path, "5931aa75_4603"));
        assert!(cgroup_matches(path, "burstable"));
        assert!(!cgroup_matches(path, "5931aa75-4604"));
        // Only a UID-like text is respelled: a name with a dash is matched as typed.
        assert!(!cgroup_matches("/system.slice/my_app.service", "my-app"));
    }

    #[test]
    fn times_out_of_range_are_errors_not_panics() {
        for s in [
            "-99999999999999d",
            "99999999999 weeks ago",
            "+9999999999999s",
            "+99999999999999w",
            "-9223372036854775807s",
            "-9223372036854775808s",
            "99999999999999999999 days ago",
            "-1d 99999999999999h",
            "+106751991167300d",
            "@99999999999999999",
            "@-99999999999999999",
            "@99999999999999999999999",
        ] {
            assert_eq!(
                parse_when(s, now()),
                Err(format!("{s}: out of range")),
                "{s}"
            );
        }
        // Just inside chrono's range (year 262142) still works.
        assert!(parse_when("+94000000d", now()).is_ok());
        assert!(
            parse_when("99999999999999999999 parsecs ago", now())
                .is_err_and(|e| e.contains("not a time"))
        );
    }
}

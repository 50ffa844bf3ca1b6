//! Boot time: when a boot's printk clock read zero on the wall clock, so that a log with
//! only seconds since boot (raw `dmesg`, `/dev/kmsg` renderings, `journalctl -o
//! short-monotonic`) can still be given wall-clock times.
//!
//! The boot time comes from the log when one of its lines states both clocks in the
//! same boot: a syslog or journal stamp in front of a printk stamp, or the kernel's own
//! `rtc_cmos 00:00: setting system clock to 2026-11-21T10:00:00 UTC (1795255200)` at
//! boot (`rtc_hctosys()`, drivers/rtc/class.c). Else the user may give it
//! (`--boot-time`, as `uptime -s` or `who -b` print it). Either way a time derived
//! from it is approximate: the printk clock does not count suspended time and NTP
//! moves the wall clock after the line that stated it.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::{Printk, Wall, WallTime, YearAnchor};

/// What states a boot's boot time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum BootTimeSource {
    /// A line with a wall-clock stamp and a printk stamp (`Nov 21 22:25:45 vm kernel:
    /// [  921.183161] …`): its line number.
    BothStamps {
        /// The line.
        line: u64,
    },
    /// The kernel setting the system clock from the RTC at boot (`setting system clock
    /// to … UTC (EPOCH)`): its line number.
    RtcLine {
        /// The line.
        line: u64,
    },
    /// `--boot-time`.
    Flag,
}

/// A boot's boot time and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BootTime {
    /// The wall-clock time at printk 0 (local time of the logging host when the line
    /// that states it has no zone).
    pub boot: WallTime,
    /// What states it.
    pub source: BootTimeSource,
}

impl BootTime {
    /// The wall-clock time `p` after boot.
    pub fn at(&self, p: Printk) -> Option<Wall> {
        let d = chrono::Duration::microseconds(i64::try_from(p.micros()).ok()?);
        Some(match self.boot {
            WallTime::Zoned(z) => Wall::Zoned(z.checked_add_signed(d)?),
            WallTime::Local(n) => Wall::Local(n.checked_add_signed(d)?),
        })
    }
}

/// A line of one boot that states both clocks, as the assembler noted it; its wall
/// time may still lack its year (fixed at the end of the input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockPair {
    /// The wall-clock time the line states.
    pub wall: Wall,
    /// Its printk time.
    pub printk: Printk,
    /// What kind of line it is (with its line number).
    pub source: BootTimeSource,
}

impl ClockPair {
    /// The boot time this line gives, with year-less stamps resolved by `anchor`.
    pub fn boot_time(&self, anchor: &YearAnchor) -> Option<BootTime> {
        let wall = self.wall.resolve(anchor)?;
        let d = chrono::Duration::microseconds(i64::try_from(self.printk.micros()).ok()?);
        let boot = match wall {
            WallTime::Zoned(z) => WallTime::Zoned(z.checked_sub_signed(d)?),
            WallTime::Local(n) => WallTime::Local(n.checked_sub_signed(d)?),
        };
        Some(BootTime {
            boot,
            source: self.source,
        })
    }
}

/// The wall clock that `rtc_hctosys()` states at boot: `setting system clock to
/// 2026-11-21T10:00:00 UTC (1795255200)` (5.0+ prints the date with `%ptR`, older
/// kernels `2013-01-01 10:00:00`); the seconds since the epoch in parentheses are read,
/// whatever the date's shape.
pub fn rtc_system_clock(body: &[u8]) -> Option<Wall> {
    let at = memchr::memmem::find(body, b"setting system clock to ")?;
    let rest = &body[at..];
    let open = memchr::memrchr(b'(', rest)?;
    let inner = &rest[open + 1..];
    let close = memchr::memchr(b')', inner)?;
    let digits = std::str::from_utf8(&inner[..close]).ok()?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = digits.parse().ok()?;
    let t = DateTime::from_timestamp(secs, 0)?;
    Some(Wall::Zoned(t.fixed_offset()))
}

/// Reads `--boot-time`: RFC 3339 (`2026-11-21T10:00:00+01:00`), `2026-11-21 10:00:00` as
/// `uptime -s` prints it, `2026-11-21 10:00` and `system boot  2026-11-21 10:00` as
/// `who -b` prints it (both in the logging host's local zone, `--tz`), or `@EPOCH`.
pub fn parse_boot_time(s: &str) -> Result<Wall, String> {
    let t = s.trim();
    let t = t.strip_prefix("system boot").map_or(t, str::trim_start);
    if let Some(e) = t.strip_prefix('@') {
        let secs: i64 = e
            .parse()
            .map_err(|_| format!("{s}: not a number of seconds after @"))?;
        let d = DateTime::from_timestamp(secs, 0).ok_or_else(|| format!("{s}: out of range"))?;
        return Ok(Wall::Zoned(d.fixed_offset()));
    }
    if let Ok(d) = DateTime::<FixedOffset>::parse_from_rfc3339(t) {
        return Ok(Wall::Zoned(d));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(Wall::Local(n));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(Wall::Local(NaiveDateTime::new(d, NaiveTime::MIN)));
    }
    Err(format!(
        "{s}: not a boot time (try '2026-11-21 10:00:00' as `uptime -s` prints it, \
         '2026-11-21T10:00:00Z', or @EPOCH)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Wall {
        Wall::Zoned(DateTime::parse_from_rfc3339(s).unwrap())
    }

    #[test]
    fn the_rtc_line_gives_the_epoch_it_states() {
        // drivers/rtc/class.c, 5.0+ (%ptR) and 4.x (%d-%02d-%02d %02d:%02d:%02d).
        assert_eq!(
            rtc_system_clock(
                b"rtc_cmos 00:00: setting system clock to 2026-11-21T10:00:00 UTC (1795255200)"
            ),
            Some(utc("2026-11-21T10:00:00Z"))
        );
        assert_eq!(
            rtc_system_clock(
                b"rtc_cmos 00:02: setting system clock to 2013-01-01 10:00:00 UTC (1357034400)"
            ),
            Some(utc("2013-01-01T10:00:00Z"))
        );
        assert_eq!(rtc_system_clock(b"setting system clock to soon (x)"), None);
        assert_eq!(
            rtc_system_clock(b"rtc_cmos 00:00: RTC can wake from S4"),
            None
        );
    }

    #[test]
    fn boot_time_takes_what_uptime_and_who_print() {
        let local =
            |s: &str| Wall::Local(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap());
        assert_eq!(
            parse_boot_time("2026-11-21 10:00:07"),
            Ok(local("2026-11-21 10:00:07"))
        );
        assert_eq!(
            parse_boot_time("         system boot  2026-11-21 10:00"),
            Ok(local("2026-11-21 10:00:00"))
        );
        assert_eq!(
            parse_boot_time("2026-11-21T10:00:00+01:00"),
            Ok(utc("2026-11-21T09:00:00Z"))
        );
        assert_eq!(
            parse_boot_time("@1795255200"),
            Ok(utc("2026-11-21T10:00:00Z"))
        );
        assert!(parse_boot_time("yesterday").is_err());
        assert!(parse_boot_time("@99999999999999999").is_err());
    }

    #[test]
    fn a_line_with_both_clocks_gives_the_boot_time() {
        let anchor = YearAnchor::new(None, NaiveDateTime::default(), Some(2026));
        let pair = ClockPair {
            wall: utc("2026-11-21T10:15:21.183161Z"),
            printk: Printk::from_micros(921_183_161),
            source: BootTimeSource::BothStamps { line: 3 },
        };
        let b = pair.boot_time(&anchor).unwrap();
        assert_eq!(
            b.boot,
            WallTime::Zoned(DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z").unwrap())
        );
        assert_eq!(
            b.at(Printk::from_micros(1_000_000_000)),
            Some(utc("2026-11-21T10:16:40Z"))
        );
    }
}

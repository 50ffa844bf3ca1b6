//! Records: one kernel (or other) log message with its metadata, decoded from a line
//! in any of the shapes users have (syslog, journalctl text and JSON, dmesg, /dev/kmsg).
//!
//! Records borrow from the line buffer; nothing is allocated per line except where the
//! text itself had to be unescaped (kmsg `\xNN`, JSON strings).

pub mod clock;
mod parse;
#[doc(hidden)]
pub mod stamp;

pub use parse::FormatHint;
#[doc(hidden)]
pub use parse::Parser;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// The line shape a record was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `/dev/kmsg` record: `6,1234,5678901,-;text`.
    Kmsg,
    /// `journalctl -o json` (one JSON object per line).
    JournalJson,
    /// RFC 3164 syslog or `journalctl -o short`/`short-precise`: `Nov 21 22:25:46 host tag: text`.
    Syslog,
    /// RFC 3339 syslog (rsyslog high precision) or `journalctl -o short-iso`.
    SyslogIso,
    /// `journalctl -o short-full`: `Sat 2026-11-21 22:25:46 UTC host tag: text`.
    JournalFull,
    /// `journalctl -o short-unix`: `1795299946.279073 host tag: text`.
    JournalUnix,
    /// `journalctl -o short-monotonic`: `[  921.183161] host tag: text`.
    JournalMonotonic,
    /// RFC 5424 syslog: `<6>1 2026-11-21T22:25:46Z host app - - - text`.
    Rfc5424,
    /// `dmesg` / `/proc/kmsg` text: `[  921.183161] text`, optionally `<4>` first.
    Dmesg,
    /// `dmesg -T`: `[Sat Nov 21 22:25:45 2026] text`.
    DmesgCtime,
    /// `dmesg --time-format iso`: `2026-11-21T22:25:45,975156+00:00 text`.
    DmesgIso,
    /// A printk stamp found inside some other wrapper (e.g. a hypervisor's guest log).
    Embedded,
    /// Another writer's date first (`2026/11/21 22:25:45`, `21 Nov 22:25:45`,
    /// `20261121222545`, `2026-11-21 22:25:45,123`), then `host tag: text` or the text.
    Stamped,
    /// A header in no shape oomlens knows before kernel text it could still find (the
    /// `kernel: ` tag, or the start of a kill line): the text is read, the header's
    /// time and host are not.
    Unparsed,
    /// No header at all: a continuation line, or bodies as `dmesg -t` prints them.
    Bare,
}

/// Who wrote the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The kernel (syslog tag `kernel`, journal kernel transport, kmsg facility 0).
    Kernel,
    /// Another program (any other syslog tag, user-space kmsg writes, `kernel[pid]`).
    Program,
    /// The line does not say (plain dmesg bodies): treated as kernel text.
    Unknown,
}

/// printk monotonic time stamp (seconds since boot, microsecond resolution).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Printk(u64);

impl Printk {
    /// From microseconds since boot.
    pub fn from_micros(us: u64) -> Self {
        Printk(us)
    }
    /// Microseconds since boot.
    pub fn micros(self) -> u64 {
        self.0
    }
    /// Seconds since boot.
    pub fn seconds(self) -> f64 {
        self.0 as f64 / 1e6
    }
}

impl std::fmt::Display for Printk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:06}", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

/// printk caller id (5.1+ `CONFIG_PRINTK_CALLER`): the task or CPU that printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Caller {
    /// `T<pid>`: printed in task context.
    Task(u32),
    /// `C<cpu>`: printed in interrupt context.
    Cpu(u32),
}

/// A date without a year (RFC 3164). `epoch` counts the Dec→Jan rollovers seen so far
/// in the input, so that the year can be fixed once the end of the input is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Yearless {
    /// 1..=12
    pub month: u8,
    /// 1..=31
    pub day: u8,
    /// Seconds since midnight.
    pub secs: u32,
    /// Fraction of the second.
    pub nanos: u32,
    /// Year rollovers seen before this stamp in its input.
    pub epoch: i32,
}

/// Wall-clock time as the log gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Wall {
    /// Date, time and UTC offset.
    Zoned(DateTime<FixedOffset>),
    /// Date and time in the logging host's local zone, which the log does not name.
    Local(NaiveDateTime),
    /// Month, day and time without a year.
    Yearless(Yearless),
}

impl Wall {
    /// The time with a full date: year-less stamps take their year from `anchor`.
    pub fn resolve(&self, anchor: &YearAnchor) -> Option<WallTime> {
        match *self {
            Wall::Zoned(dt) => Some(WallTime::Zoned(dt)),
            Wall::Local(n) => Some(WallTime::Local(n)),
            Wall::Yearless(y) => {
                let year = anchor.year_of(&y);
                // 29 February in a year that has none: keep the date honest, drop it.
                let date = NaiveDate::from_ymd_opt(year, y.month as u32, y.day as u32)?;
                let time = NaiveTime::from_num_seconds_from_midnight_opt(y.secs, y.nanos)?;
                Some(WallTime::Local(NaiveDateTime::new(date, time)))
            }
        }
    }
}

impl std::fmt::Display for Wall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Wall::Zoned(dt) => {
                write!(
                    f,
                    "{}",
                    dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
                )
            }
            Wall::Local(n) => write!(f, "{}", n.format("%Y-%m-%dT%H:%M:%S%.f")),
            Wall::Yearless(y) => {
                let t = NaiveTime::from_num_seconds_from_midnight_opt(y.secs, y.nanos)
                    .unwrap_or_default();
                write!(
                    f,
                    "--{:02}-{:02}T{}",
                    y.month,
                    y.day,
                    t.format("%H:%M:%S%.f")
                )
            }
        }
    }
}

/// A resolved wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WallTime {
    /// With the offset the log gave.
    Zoned(DateTime<FixedOffset>),
    /// Local time of the logging host (zone unknown).
    Local(NaiveDateTime),
}

impl From<WallTime> for Wall {
    fn from(t: WallTime) -> Wall {
        match t {
            WallTime::Zoned(z) => Wall::Zoned(z),
            WallTime::Local(n) => Wall::Local(n),
        }
    }
}

impl WallTime {
    /// As a zoned time, taking `local` as the offset for times the log gave without one.
    pub fn with_local_offset(
        &self,
        local: &dyn Fn(&NaiveDateTime) -> FixedOffset,
    ) -> DateTime<FixedOffset> {
        match *self {
            WallTime::Zoned(dt) => dt,
            WallTime::Local(n) => {
                let off = local(&n);
                DateTime::from_naive_utc_and_offset(n - off, off)
            }
        }
    }

    /// The naive local reading (for ordering and display when zones are unknown).
    pub fn naive(&self) -> NaiveDateTime {
        match *self {
            WallTime::Zoned(dt) => dt.naive_local(),
            WallTime::Local(n) => n,
        }
    }
}

/// Where an event's wall-clock time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// The log states the date with its year.
    #[default]
    Stated,
    /// A year-less stamp (syslog, `journalctl -o short`) whose year another stamp of
    /// the same input states (an RFC 3339 line, a containerd or Go log stamp).
    YearFromStream,
    /// A year-less stamp whose year `--year` gives.
    YearFromFlag,
    /// A year-less stamp whose year is assumed from the file's modification time (or
    /// now, for a stream): the log does not say it.
    YearFromMtime,
    /// Only the time since boot: no wall clock in the log.
    UptimeOnly,
    /// The time since boot added to the boot time a line of the same boot states
    /// (both clocks on one line, or the kernel setting the clock from the RTC):
    /// approximate (suspend, NTP).
    BootTimeDerived,
    /// The time since boot added to the boot time `--boot-time` gives: approximate.
    BootTimeGiven,
}

/// A year stated in an input: the year of the stamps of rollover count `epoch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamYear {
    /// The year.
    pub year: i32,
    /// The rollover count (`Yearless::epoch`) of the year-less stamps around it.
    pub epoch: i32,
    /// Only a lower bound: a kernel build date (`Linux version … 2023`); the log
    /// cannot be older.
    pub bound: bool,
}

/// Fixes the year of year-less stamps in one input. The input's last stamp was written
/// shortly before the file was last modified; each earlier Dec→Jan rollover moves a
/// stamp one year further back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearAnchor {
    /// The year of the last stamp in the input.
    pub last_year: i32,
    /// The rollover count (`Yearless::epoch`) of the last stamp.
    pub last_epoch: i32,
    /// Where `last_year` comes from.
    #[serde(default)]
    pub basis: TimeBasis,
}

impl YearAnchor {
    /// The anchor for an input whose last year-less stamp is `last` (with its epoch)
    /// and which was last written at `reference` (file mtime, or now for a stream).
    /// `forced_year` (from `--year`) makes the last stamp's year explicit.
    pub fn new(
        last: Option<&Yearless>,
        reference: NaiveDateTime,
        forced_year: Option<i32>,
    ) -> Self {
        Self::with_stream(last, None, reference, forced_year)
    }

    /// [`YearAnchor::new`], preferring a year the input itself states (`stream`) to
    /// the modification time; `--year` still wins.
    pub fn with_stream(
        last: Option<&Yearless>,
        stream: Option<&StreamYear>,
        reference: NaiveDateTime,
        forced_year: Option<i32>,
    ) -> Self {
        let mut anchor = Self::from_reference(last, reference, forced_year);
        if forced_year.is_some() {
            anchor.basis = TimeBasis::YearFromFlag;
            return anchor;
        }
        anchor.basis = TimeBasis::YearFromMtime;
        if let Some(s) = stream {
            let last_epoch = last.map_or(0, |l| l.epoch);
            let year = s.year.saturating_add(last_epoch.saturating_sub(s.epoch));
            // A build date only bounds the year from below.
            if !s.bound || year > anchor.last_year {
                anchor.last_year = year;
                anchor.last_epoch = last_epoch;
                anchor.basis = TimeBasis::YearFromStream;
            }
        }
        anchor
    }

    fn from_reference(
        last: Option<&Yearless>,
        reference: NaiveDateTime,
        forced_year: Option<i32>,
    ) -> Self {
        let Some(last) = last else {
            return YearAnchor {
                last_year: forced_year.unwrap_or(reference.year()),
                last_epoch: 0,
                basis: TimeBasis::YearFromMtime,
            };
        };
        let year = forced_year.unwrap_or_else(|| {
            // A last stamp later in the calendar than the reference belongs to the
            // year before (a file last written in January with December lines).
            let r = (reference.month(), reference.day());
            let l = (last.month as u32, last.day as u32);
            // One day of slack for clock skew and time zones.
            let late = l > r && !(l.0 == r.0 && l.1 <= r.1 + 1);
            if late {
                reference.year() - 1
            } else {
                reference.year()
            }
        });
        YearAnchor {
            last_year: year,
            last_epoch: last.epoch,
            basis: TimeBasis::YearFromMtime,
        }
    }

    /// The year of a stamp from the same input.
    pub fn year_of(&self, y: &Yearless) -> i32 {
        // Saturates: `--year` may be any i32 (a year chrono cannot hold gives no date).
        self.last_year
            .saturating_sub(self.last_epoch.saturating_sub(y.epoch))
    }
}

/// A decoded record, borrowing from the line (or the parser's scratch space).
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// 1-based line number of the physical line.
    pub line: u64,
    /// The shape it was decoded from.
    pub format: Format,
    /// Host name, when the line names one.
    pub host: Option<&'a [u8]>,
    /// Who wrote it.
    pub origin: Origin,
    /// Syslog tag / journal identifier (without `[pid]`), when there is one.
    pub tag: Option<&'a [u8]>,
    /// Wall-clock time, when the line gives one.
    pub wall: Option<Wall>,
    /// printk monotonic stamp, when the line gives one.
    pub printk: Option<Printk>,
    /// printk caller id, when the line gives one.
    pub caller: Option<Caller>,
    /// Syslog priority (level, or facility·8+level), when the line gives one.
    pub priority: Option<u32>,
    /// Boot id (journal JSON `_BOOT_ID`).
    pub boot: Option<&'a [u8]>,
    /// The message text, with surrounding white space removed.
    pub body: &'a [u8],
    /// The line had no header and took its metadata from the previous record.
    pub continued: bool,
    /// Physical lines the message spans from `line` (more than one when a wrapped
    /// line was joined).
    pub lines: u32,
}

impl Record<'_> {
    /// Whether this can be kernel text (kernel origin, or no way to tell).
    pub fn is_kernel(&self) -> bool {
        self.origin != Origin::Program
    }
}

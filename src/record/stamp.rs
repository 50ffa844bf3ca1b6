//! Time stamps as log writers print them: printk `[ 123.456789]`, caller ids, RFC 3164
//! dates without a year, RFC 3339 and journal ISO forms, `dmesg -T` in any locale.
//!
//! Everything here works on bytes and returns the rest of the line after the stamp,
//! so a header is parsed in one pass without allocation.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use super::{Caller, Printk, Wall, Yearless};

/// `[  123.456789]` (any number of spaces, 1–6 fraction digits). Returns the stamp
/// and the rest after `]`.
pub fn printk(s: &[u8]) -> Option<(Printk, &[u8])> {
    let s = s.strip_prefix(b"[")?;
    let s = skip_spaces(s);
    let (secs, s) = digits(s, 1, 12)?;
    let s = s.strip_prefix(b".")?;
    let (frac, n, s) = fraction(s, 6)?;
    let s = s.strip_prefix(b"]")?;
    let micros = frac * 10u64.pow(6 - n as u32);
    Some((Printk::from_micros(secs * 1_000_000 + micros), s))
}

/// `[ T1234]` or `[    C2]` right after a printk stamp.
pub fn caller(s: &[u8]) -> Option<(Caller, &[u8])> {
    let s = s.strip_prefix(b"[")?;
    let s = skip_spaces(s);
    let (kind, s) = s.split_first()?;
    let (n, s) = digits(s, 1, 10)?;
    let s = s.strip_prefix(b"]")?;
    let n = u32::try_from(n).ok()?;
    match kind {
        b'T' => Some((Caller::Task(n), s)),
        b'C' => Some((Caller::Cpu(n), s)),
        _ => None,
    }
}

/// `<N>` syslog priority prefix as written by `/proc/kmsg` readers and `dmesg -r`.
pub fn level_prefix(s: &[u8]) -> Option<(u32, &[u8])> {
    let s = s.strip_prefix(b"<")?;
    let (n, s) = digits(s, 1, 3)?;
    let s = s.strip_prefix(b">")?;
    Some((n as u32, s))
}

/// RFC 3164 `Mmm dd hh:mm:ss` (day may be space-padded, seconds may carry a fraction
/// as in `journalctl -o short-precise`), followed by a space. The month name may be in
/// any locale glibc knows.
pub fn syslog(s: &[u8]) -> Option<(Yearless, &[u8])> {
    let sp = memchr::memchr(b' ', s)?;
    let month = month_number(&s[..sp])?;
    let s = skip_spaces(&s[sp..]);
    let (day, s) = digits(s, 1, 2)?;
    let s = s.strip_prefix(b" ")?;
    let (secs, nanos, s) = clock(s)?;
    let s = s.strip_prefix(b" ")?;
    if !(1..=31).contains(&day) {
        return None;
    }
    Some((
        Yearless {
            month,
            day: day as u8,
            secs,
            nanos,
            epoch: 0,
        },
        s,
    ))
}

/// Dates other log writers put first, with the rest after the stamp's space:
/// `2026/11/21 22:25:45` (Go's `log`, fluent-bit, many agents; an optional fraction and
/// offset as in [`iso`]), `20261121222545` (rsyslog `date-mysql`), `21 Nov 22:25:45`
/// (day before month, no year) and `21 Nov 2026 22:25:45` / `21-Nov-2026 22:25:45`.
/// A year-less stamp comes back as [`Stamp::Yearless`] so that the caller can follow
/// its year rollovers.
pub fn other(s: &[u8]) -> Option<(Stamp, &[u8])> {
    if let Some((w, rest)) = iso_with(s, b'/') {
        return Some((Stamp::Wall(w), rest.strip_prefix(b" ")?));
    }
    if let Some(r) = compact(s) {
        return Some(r);
    }
    day_month(s)
}

/// A stamp of [`other`]'s shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// With its year.
    Wall(Wall),
    /// Without one.
    Yearless(Yearless),
}

/// `YYYYMMDDhhmmss ` (rsyslog's `date-mysql`).
fn compact(s: &[u8]) -> Option<(Stamp, &[u8])> {
    if s.len() < 15 || s[14] != b' ' || !s[..14].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |a: usize, b: usize| -> u32 {
        s[a..b]
            .iter()
            .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'))
    };
    let date = NaiveDate::from_ymd_opt(n(0, 4) as i32, n(4, 6), n(6, 8))?;
    let time = NaiveTime::from_hms_opt(n(8, 10), n(10, 12), n(12, 14))?;
    Some((
        Stamp::Wall(Wall::Local(NaiveDateTime::new(date, time))),
        &s[15..],
    ))
}

/// `21 Nov 22:25:45 `, `21 Nov 2026 22:25:45 `, `21-Nov-2026 22:25:45 ` (any locale's
/// month name, as for [`syslog`]).
fn day_month(s: &[u8]) -> Option<(Stamp, &[u8])> {
    let (day, s) = digits(s, 1, 2)?;
    let dash = s.first() == Some(&b'-');
    let s = s.strip_prefix(if dash { b"-" } else { b" " })?;
    let end = s.iter().position(|b| *b == b' ' || (dash && *b == b'-'))?;
    let month = month_number(&s[..end])?;
    if month_is_digits(&s[..end]) || !(1..=31).contains(&day) {
        return None;
    }
    let s = &s[end + 1..];
    let (year, s) = match digits(s, 4, 4) {
        Some((y, r)) if r.first() == Some(&b' ') => (Some(y as i32), &r[1..]),
        _ if dash => return None,
        _ => (None, s),
    };
    let (secs, nanos, s) = clock(s)?;
    let s = s.strip_prefix(b" ")?;
    let stamp = match year {
        Some(y) => {
            let date = NaiveDate::from_ymd_opt(y, month as u32, day as u32)?;
            let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)?;
            Stamp::Wall(Wall::Local(NaiveDateTime::new(date, time)))
        }
        None => Stamp::Yearless(Yearless {
            month,
            day: day as u8,
            secs,
            nanos,
            epoch: 0,
        }),
    };
    Some((stamp, s))
}

/// A month given as a number (`11`, `11月`): after a day number, that is some other
/// numeric shape, not a day-month date.
fn month_is_digits(tok: &[u8]) -> bool {
    tok.first().is_some_and(u8::is_ascii_digit)
}

/// ISO 8601 / RFC 3339 date-time: `2026-11-21T22:25:46.044579+00:00`,
/// `2026-11-21T22:25:46+0000` (journal short-iso), `2026-11-21T22:25:45,975156+00:00`
/// (dmesg --time-format iso), `…Z`, or with a space instead of `T`. A stamp without an
/// offset is local time of the logging host.
pub fn iso(s: &[u8]) -> Option<(Wall, &[u8])> {
    iso_with(s, b'-')
}

/// [`iso`] with `sep` between the date's parts.
fn iso_with(s: &[u8], sep: u8) -> Option<(Wall, &[u8])> {
    let (y, s) = digits(s, 4, 4)?;
    let s = s.strip_prefix(&[sep])?;
    let (mo, s) = digits(s, 2, 2)?;
    let s = s.strip_prefix(&[sep])?;
    let (d, s) = digits(s, 2, 2)?;
    let (sep, s) = s.split_first()?;
    if *sep != b'T' && *sep != b' ' {
        return None;
    }
    let (secs, nanos, s) = clock(s)?;
    let date = NaiveDate::from_ymd_opt(y as i32, mo as u32, d as u32)?;
    let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)?;
    let naive = NaiveDateTime::new(date, time);
    let (offset, s) = match s.first() {
        Some(b'Z') => (Some(0), &s[1..]),
        Some(b'+') | Some(b'-') => {
            let sign = if s[0] == b'-' { -1 } else { 1 };
            let (hh, r) = digits(&s[1..], 2, 2)?;
            let r = r.strip_prefix(b":").unwrap_or(r);
            let (mm, r) = digits(r, 2, 2)?;
            (Some(sign * (hh as i32 * 3600 + mm as i32 * 60)), r)
        }
        _ => (None, s),
    };
    let wall = match offset {
        Some(off) => Wall::Zoned(zoned(naive, off)?),
        None => Wall::Local(naive),
    };
    Some((wall, s))
}

/// `journalctl -o short-full`: `Sat 2026-11-21 22:25:46 UTC ` (or `… 22:25:46.123456 CET`).
/// UTC/GMT give a zoned time; other zone abbreviations are ambiguous and give local time.
pub fn short_full(s: &[u8]) -> Option<(Wall, &[u8])> {
    let sp = memchr::memchr(b' ', s)?;
    if sp == 0
        || sp > 12
        || !s[..sp]
            .iter()
            .all(|b| b.is_ascii_alphabetic() || *b >= 0x80)
    {
        return None;
    }
    let (wall, rest) = iso(&s[sp + 1..])?;
    let naive = match wall {
        Wall::Local(n) => n,
        _ => return None,
    };
    let rest = rest.strip_prefix(b" ")?;
    let zsp = memchr::memchr(b' ', rest)?;
    let zone = &rest[..zsp];
    if zone.is_empty() || zone.len() > 6 || !zone.iter().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let wall = match zone {
        b"UTC" | b"GMT" | b"Z" => Wall::Zoned(zoned(naive, 0)?),
        _ => Wall::Local(naive),
    };
    Some((wall, &rest[zsp..]))
}

/// `journalctl -o short-unix`: `1795299946.279073 `.
pub fn unix(s: &[u8]) -> Option<(Wall, &[u8])> {
    let (secs, s) = digits(s, 9, 11)?;
    let s = s.strip_prefix(b".")?;
    let (frac, n, s) = fraction(s, 9)?;
    if !s.starts_with(b" ") {
        return None;
    }
    let nanos = frac * 10u64.pow(9 - n as u32);
    let dt = DateTime::from_timestamp(secs as i64, nanos as u32)?;
    Some((Wall::Zoned(dt.fixed_offset()), s))
}

/// `dmesg -T`: `[Sat Nov 21 22:25:45 2026]` in the C locale, `[sam. nov. 21 22:25:45 2026]`
/// in French, `[土 11月 21 22:25:45 2026]` in Japanese. The structure (weekday, month,
/// day, time, year) is the anchor; the month name is looked up in every common locale.
/// Returns local time and the rest after `]`.
pub fn dmesg_t(s: &[u8]) -> Option<(Wall, &[u8])> {
    let s = s.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', s)?;
    if close > 64 {
        return None;
    }
    let inner = &s[..close];
    let mut toks = inner.split(|b| *b == b' ').filter(|t| !t.is_empty());
    let _weekday = toks.next()?;
    let month = month_number(toks.next()?)?;
    let (day, r) = digits(toks.next()?, 1, 2)?;
    if !r.is_empty() {
        return None;
    }
    let (secs, nanos, r) = clock(toks.next()?)?;
    if !r.is_empty() {
        return None;
    }
    let (year, r) = digits(toks.next()?, 4, 4)?;
    if !r.is_empty() || toks.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)?;
    let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)?;
    Some((Wall::Local(NaiveDateTime::new(date, time)), &s[close + 1..]))
}

fn zoned(naive: NaiveDateTime, offset_secs: i32) -> Option<DateTime<FixedOffset>> {
    let off = FixedOffset::east_opt(offset_secs)?;
    off.from_local_datetime(&naive).single()
}

/// `hh:mm:ss` with an optional `.fff` or `,fff` fraction.
fn clock(s: &[u8]) -> Option<(u32, u32, &[u8])> {
    let (h, s) = digits(s, 2, 2)?;
    let s = s.strip_prefix(b":")?;
    let (m, s) = digits(s, 2, 2)?;
    let s = s.strip_prefix(b":")?;
    let (sec, s) = digits(s, 2, 2)?;
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let (nanos, s) = match s.first() {
        Some(b'.') | Some(b',') => {
            let (f, n, r) = fraction(&s[1..], 9)?;
            (f * 10u64.pow(9 - n as u32), r)
        }
        _ => (0, s),
    };
    let secs = (h * 3600 + m * 60 + sec.min(59)) as u32;
    Some((secs, nanos as u32, s))
}

/// `min..=max` ASCII digits as a number.
fn digits(s: &[u8], min: usize, max: usize) -> Option<(u64, &[u8])> {
    let n = s
        .iter()
        .take(max)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if n < min {
        return None;
    }
    let mut v: u64 = 0;
    for b in &s[..n] {
        v = v * 10 + u64::from(b - b'0');
    }
    Some((v, &s[n..]))
}

/// Up to `max` fraction digits (extra digits are read and dropped); returns the value,
/// the number of digits kept, and the rest.
fn fraction(s: &[u8], max: usize) -> Option<(u64, usize, &[u8])> {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let keep = n.min(max);
    let mut v: u64 = 0;
    for b in &s[..keep] {
        v = v * 10 + u64::from(b - b'0');
    }
    Some((v, keep, &s[n..]))
}

pub(crate) fn skip_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| **b == b' ').count();
    &s[n..]
}

/// Locales whose month names oomlens recognises (glibc names; see pure-rust-locales).
const LOCALES: &[&str] = &[
    "POSIX", "en_US", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_CA", "es_ES", "es_MX", "it_IT",
    "pt_BR", "pt_PT", "nl_NL", "sv_SE", "da_DK", "nb_NO", "nn_NO", "fi_FI", "is_IS", "pl_PL",
    "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "ru_RU", "uk_UA", "be_BY", "bg_BG", "sr_RS", "hr_HR",
    "sl_SI", "lt_LT", "lv_LV", "et_EE", "el_GR", "tr_TR", "he_IL", "ja_JP", "zh_CN", "zh_TW",
    "ko_KR", "vi_VN", "id_ID", "ms_MY", "th_TH", "ca_ES", "eu_ES", "gl_ES", "ga_IE", "cy_GB",
];

/// Month names (abbreviated and full, lower-cased, trailing dot dropped) → 1..=12.
/// A name that means different months in different locales is left out.
static MONTHS: LazyLock<HashMap<String, u8>> = LazyLock::new(|| {
    let mut map: HashMap<String, u8> = HashMap::new();
    let mut clash: Vec<String> = Vec::new();
    let mut add = |name: &str, month: u8| {
        let key = normalise_month(name.as_bytes());
        if key.is_empty() {
            return;
        }
        match map.get(&key) {
            Some(m) if *m != month => clash.push(key),
            _ => {
                map.insert(key, month);
            }
        }
    };
    for name in LOCALES {
        let Ok(loc) = name.parse::<pure_rust_locales::Locale>() else {
            continue;
        };
        let abmon: &[&str] = pure_rust_locales::locale_match!(loc => LC_TIME::ABMON);
        let mon: &[&str] = pure_rust_locales::locale_match!(loc => LC_TIME::MON);
        for (i, n) in abmon.iter().enumerate() {
            add(n, i as u8 + 1);
        }
        for (i, n) in mon.iter().enumerate() {
            add(n, i as u8 + 1);
        }
    }
    for k in clash {
        map.remove(&k);
    }
    map
});

fn normalise_month(tok: &[u8]) -> String {
    let s = String::from_utf8_lossy(tok);
    s.trim().trim_end_matches('.').to_lowercase()
}

/// The month a token names (`Nov`, `nov.`, `Okt`, `11月`, `11`), or `None`.
pub fn month_number(tok: &[u8]) -> Option<u8> {
    if tok.is_empty() || tok.len() > 24 {
        return None;
    }
    // CJK locales print the number followed by 月 (or 월).
    let lead = tok.iter().take_while(|b| b.is_ascii_digit()).count();
    if lead > 0 && lead <= 2 {
        let rest = &tok[lead..];
        if rest.is_empty() || rest == "月".as_bytes() || rest == "월".as_bytes() {
            let m: u8 = std::str::from_utf8(&tok[..lead]).ok()?.parse().ok()?;
            return (1..=12).contains(&m).then_some(m);
        }
        return None;
    }
    // Fast path for the C locale, which is by far the most common.
    if tok.len() == 3 {
        const C: [&[u8; 3]; 12] = [
            b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
            b"Dec",
        ];
        if let Some(i) = C.iter().position(|m| &m[..] == tok) {
            return Some(i as u8 + 1);
        }
    }
    if !tok[0].is_ascii_alphabetic() && tok[0] < 0x80 {
        return None;
    }
    MONTHS.get(&normalise_month(tok)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printk_stamps() {
        let (p, rest) = printk(b"[  921.183161] python3 invoked").unwrap();
        assert_eq!(p.micros(), 921_183_161);
        assert_eq!(rest, b" python3 invoked");
        let (p, _) = printk(b"[20219668.716979] java").unwrap();
        assert_eq!(p.micros(), 20_219_668_716_979);
        assert!(printk(b"[Sat Nov 21 22:25:45 2026] x").is_none());
        let (p, _) = printk(b"[1.5]").unwrap();
        assert_eq!(p.micros(), 1_500_000);
    }

    #[test]
    fn caller_ids() {
        assert_eq!(caller(b"[  T1234] x").unwrap().0, Caller::Task(1234));
        assert_eq!(caller(b"[    C2] x").unwrap().0, Caller::Cpu(2));
        assert!(caller(b"[ pid ]").is_none());
    }

    #[test]
    fn syslog_dates() {
        let (y, rest) = syslog(b"Jan  5 15:19:27 kernel: x").unwrap();
        assert_eq!(
            (y.month, y.day, y.secs, y.nanos),
            (1, 5, 15 * 3600 + 19 * 60 + 27, 0)
        );
        assert_eq!(rest, b"kernel: x");
        let (y, _) = syslog(b"Nov 21 22:25:46.069513 vm oomlab: x").unwrap();
        assert_eq!((y.month, y.nanos), (11, 69_513_000));
        let (y, _) = syslog(b"Okt 21 22:25:46 vm kernel: x").unwrap();
        assert_eq!(y.month, 10);
        assert!(syslog(b"Foo 21 22:25:46 vm kernel: x").is_none());
    }

    #[test]
    fn iso_forms() {
        let (w, rest) = iso(b"2026-11-21T22:25:46.044579+00:00 vm kernel: x").unwrap();
        assert_eq!(w.to_string(), "2026-11-21T22:25:46.044579+00:00");
        assert_eq!(rest, b" vm kernel: x");
        let (w, _) = iso(b"2026-11-21T22:25:46+0000 vm kernel: x").unwrap();
        assert_eq!(w.to_string(), "2026-11-21T22:25:46+00:00");
        let (w, _) = iso(b"2026-11-21T22:25:45,975156+00:00 x").unwrap();
        assert_eq!(w.to_string(), "2026-11-21T22:25:45.975156+00:00");
        let (w, _) = iso(b"2023-12-04T10:49:30.127Z In(05)").unwrap();
        assert_eq!(w.to_string(), "2023-12-04T10:49:30.127+00:00");
        let (w, _) = iso(b"2026-11-21 22:25:45 x").unwrap();
        assert_eq!(w.to_string(), "2026-11-21T22:25:45");
    }

    #[test]
    fn dmesg_t_in_several_locales() {
        for line in [
            "[Sat Nov 21 22:25:45 2026] x",
            "[Sa Nov 21 22:25:45 2026] x",
            "[sam. nov. 21 22:25:45 2026] x",
            "[土 11月 21 22:25:45 2026] x",
            "[сб ноя 21 22:25:45 2026] x",
        ] {
            let (w, rest) = dmesg_t(line.as_bytes()).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(w.to_string(), "2026-11-21T22:25:45", "{line}");
            assert_eq!(rest, b" x");
        }
        let (w, _) = dmesg_t(b"[Di Aug 12 10:11:12 2025] x").unwrap();
        assert_eq!(w.to_string(), "2025-08-12T10:11:12");
        assert!(dmesg_t(b"[  921.183161] x").is_none());
    }

    #[test]
    fn short_full_and_unix() {
        let (w, rest) = short_full(b"Sat 2026-11-21 22:25:46 UTC vm kernel: x").unwrap();
        assert_eq!(w.to_string(), "2026-11-21T22:25:46+00:00");
        assert_eq!(rest, b" vm kernel: x");
        let (w, _) = unix(b"1795299946.279073 vm kernel: x").unwrap();
        assert_eq!(w.to_string(), "2026-11-21T22:25:46.279073+00:00");
    }
}

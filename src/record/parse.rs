//! The line parser: detects each line's shape by structure (no flags needed), splits
//! off host, tag, clocks and caller id, undoes the writer's escaping, and hands out
//! one [`Record`] per message line.

use std::borrow::Cow;

use chrono::{DateTime, Datelike};
use memchr::memchr;
use serde::Deserialize;

use super::stamp::{self, skip_spaces};
use super::{Caller, Format, Origin, Printk, Record, StreamYear, Wall, YearAnchor, Yearless};

/// A line shape to assume instead of detecting it (`--input-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormatHint {
    /// Detect per line.
    #[default]
    Auto,
    /// Every line is a `/dev/kmsg` record.
    Kmsg,
    /// Every line is a `journalctl -o json` object.
    JournalJson,
    /// Every line is plain kernel text (`dmesg -t`, `journalctl -o cat`): no header.
    Bare,
}

/// Metadata of a line that had a header: the last one, for header-less continuation
/// lines, and that of a held message.
#[derive(Debug, Default, Clone)]
struct Prev {
    valid: bool,
    format: Option<Format>,
    line: u64,
    host: Option<Vec<u8>>,
    origin: Option<Origin>,
    tag: Option<Vec<u8>>,
    wall: Option<Wall>,
    printk: Option<Printk>,
    caller: Option<Caller>,
    priority: Option<u32>,
    boot: Option<Vec<u8>>,
}

impl Prev {
    /// Takes over the metadata of a line with a header.
    fn set(&mut self, h: &Header<'_>, number: u64) {
        self.valid = true;
        self.format = Some(h.format);
        self.line = number;
        set_bytes(&mut self.host, h.host);
        self.origin = Some(h.origin);
        set_bytes(&mut self.tag, h.tag);
        self.wall = h.wall;
        self.printk = h.printk;
        self.caller = h.caller;
        self.priority = h.priority;
        self.boot = None;
    }

    /// A record of `body` with this metadata.
    fn record<'a>(
        &'a self,
        line: u64,
        format: Format,
        body: &'a [u8],
        continued: bool,
    ) -> Record<'a> {
        Record {
            line,
            format,
            host: self.host.as_deref(),
            origin: self.origin.unwrap_or(Origin::Unknown),
            tag: self.tag.as_deref(),
            wall: self.wall,
            printk: self.printk,
            caller: self.caller,
            priority: self.priority,
            boot: self.boot.as_deref(),
            body,
            continued,
            lines: 1,
        }
    }
}

/// Follows month changes of year-less stamps to count Dec→Jan rollovers.
#[derive(Debug, Default, Clone, Copy)]
struct YearTracker {
    last_month: Option<u8>,
    epoch: i32,
    last: Option<Yearless>,
}

impl YearTracker {
    fn observe(&mut self, y: &mut Yearless) {
        if let Some(prev) = self.last_month {
            let delta = y.month as i32 - prev as i32;
            // Half a year backwards is a new year; half a year forwards is a line from
            // before a rollover that came late. Smaller steps are clock noise.
            if delta <= -6 {
                self.epoch += 1;
            } else if delta >= 6 {
                self.epoch -= 1;
            }
        }
        self.last_month = Some(y.month);
        y.epoch = self.epoch;
        self.last = Some(*y);
    }
}

/// What a header parser found: everything but the message splitting.
#[derive(Debug, Clone, Copy)]
struct Header<'a> {
    format: Format,
    host: Option<&'a [u8]>,
    origin: Origin,
    tag: Option<&'a [u8]>,
    wall: Option<Wall>,
    printk: Option<Printk>,
    caller: Option<Caller>,
    priority: Option<u32>,
    body: &'a [u8],
    /// How the body is escaped.
    escape: Escape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    /// `/dev/kmsg`: `\xNN`.
    Kmsg,
    /// rsyslog: `#012` and other `#ooo` octal control characters.
    Rsyslog,
}

/// Decodes lines into records. One parser per input: it keeps the previous header for
/// continuation lines and the rollover count for year-less dates.
#[derive(Debug, Default)]
pub struct Parser {
    hint: FormatHint,
    /// Seen `[ts] host kernel:` lines: this input is `journalctl -o short-monotonic`.
    monotonic_journal: bool,
    prev: Prev,
    years: YearTracker,
    scratch: Vec<u8>,
    json_boot: Vec<u8>,
    json_host: Vec<u8>,
    json_tag: Vec<u8>,
    /// Journal JSON lines that could not be decoded even leniently: how many, and the
    /// first one's number.
    json_rejected: (u64, Option<u64>),
    /// Literals that keep a message holding a line break whole.
    whole: &'static [&'static [u8]],
    /// A kernel message cut by a wrap (mail, pager, terminal) whose rest may follow on
    /// the next line: held back until that line says (see [`Held`]).
    held: Option<Held>,
    /// The year the input itself states, for its year-less stamps.
    stream_year: Option<StreamYear>,
}

/// A message held back because it ends where a wrap cuts kernel lines (`… invoked`,
/// `… invoked oom-killer:`, `Killed`, `Killed process 350 (polkitd)`, a field list
/// ending in `,`). The next line, when it has no header of its own and starts with
/// what the kernel prints next, is its rest: the two are one record.
#[derive(Debug, Clone, Default)]
struct Held {
    /// The header of the message's first line.
    meta: Prev,
    body: Vec<u8>,
    /// Lines joined so far (a wrap rarely cuts one message more than a few times).
    joins: u8,
    /// The number of the line that can be its rest: only the very next line is.
    next: u64,
    /// Seen only by [`Parser::track`] (a skipped line): dropped unless joined.
    silent: bool,
}

impl Parser {
    /// A parser that detects the shape of each line. It splits every message at its
    /// line breaks unless told which messages to keep whole ([`Parser::keep_whole`];
    /// `event::kinds::parser` builds the parser the scanner uses).
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser that assumes a shape.
    pub fn with_hint(hint: FormatHint) -> Self {
        Parser {
            hint,
            ..Self::default()
        }
    }

    /// Keeps a message whole, instead of one record per line of it, when it holds a
    /// line break and one of `literals`: the layer that reads the records knows the
    /// messages printed at once whose text (a process name, a path) may hold a line
    /// break that is not the end of a line.
    pub fn keep_whole(mut self, literals: &'static [&'static [u8]]) -> Self {
        self.whole = literals;
        self
    }

    /// Looks at the first bytes of an input for shapes that one line cannot reveal:
    /// `journalctl -o short-monotonic` is known by its `[ts] host kernel:` lines, but
    /// its first lines may come from other programs (`[ts] host sshd[1]: …`), which
    /// alone look like dmesg text.
    pub fn sniff(&mut self, head: &[u8]) {
        for line in head.split(|b| *b == b'\n').take(2000) {
            if let Some((_, rest)) = stamp::printk(line) {
                let body = rest.strip_prefix(b" ").unwrap_or(rest);
                if syslog_rest(Format::JournalMonotonic, None, body)
                    .is_some_and(|h| h.host.is_some() && h.tag == Some(b"kernel"))
                {
                    self.monotonic_journal = true;
                    return;
                }
            }
        }
    }

    /// Lines that looked like journal JSON objects but could not be decoded (skipped):
    /// how many, and the number of the first.
    pub fn json_rejected(&self) -> (u64, Option<u64>) {
        self.json_rejected
    }

    /// The last year-less stamp seen (with its rollover count), for [`super::YearAnchor`].
    pub fn last_yearless(&self) -> Option<Yearless> {
        self.years.last
    }

    /// The year the input states for its year-less stamps, if any line said it.
    pub fn stream_year(&self) -> Option<StreamYear> {
        self.stream_year
    }

    /// The year anchor of this input so far: the year it states, else the year of
    /// `reference` (file mtime, or now); `forced` (`--year`) wins.
    pub fn year_anchor(&self, reference: chrono::NaiveDateTime, forced: Option<i32>) -> YearAnchor {
        YearAnchor::with_stream(
            self.years.last.as_ref(),
            self.stream_year.as_ref(),
            reference,
            forced,
        )
    }

    /// Notes a year the line states: a dated header, a date in a program's message
    /// (containerd `time="2023-10-12T…"`, Go `2023/10/12 …`), a kernel build date.
    fn observe_year(&mut self, h: &Header<'_>) {
        let epoch = self.years.epoch;
        let stated = match h.wall {
            Some(Wall::Zoned(dt)) => Some(dt.naive_local().year()),
            Some(Wall::Local(n)) => Some(n.year()),
            _ => None,
        };
        let found = stated.or_else(|| {
            if h.origin == Origin::Program {
                body_year(h.body)
            } else {
                None
            }
        });
        if let Some(year) = found {
            self.stream_year = Some(StreamYear {
                year,
                epoch,
                bound: false,
            });
            return;
        }
        if h.origin != Origin::Program
            && self.stream_year.is_none_or(|s| s.bound)
            && h.body.starts_with(b"Linux version ")
            && let Some(year) = build_year(h.body)
        {
            let bound = StreamYear {
                year,
                epoch,
                bound: true,
            };
            if self.stream_year.is_none_or(|s| s.year < year) {
                self.stream_year = Some(bound);
            }
        }
    }

    /// Decodes one line and calls `f` for each message in it (a line can hold several:
    /// kmsg `\x0a`, rsyslog `#012`, multi-line journal messages).
    pub fn parse(&mut self, line: &[u8], number: u64, f: &mut dyn FnMut(&Record<'_>)) {
        let json_only = self.hint == FormatHint::JournalJson;
        if json_only || line.first() == Some(&b'{') {
            self.release(f);
            if self.json(line, number, f) {
                return;
            }
        }
        if json_only
            || (self.prev.format == Some(Format::JournalJson) && line.first() == Some(&b'{'))
        {
            // A journal object that cannot be decoded (or, with the hint, not a journal
            // object): counted for a warning, not read as text (its MESSAGE would be
            // taken for a second event).
            self.json_rejected.0 += 1;
            self.json_rejected.1.get_or_insert(number);
            return;
        }
        let line = unquote(line);
        let Some(mut h) = self.hinted_header(line).or_else(|| self.unparsed(line)) else {
            self.bare(line, number, f);
            return;
        };
        self.release(f);
        if h.origin != Origin::Program {
            h = kernel_body(h);
        }
        self.remember(&h, number);
        self.observe_year(&h);
        if h.escape != Escape::Kmsg
            && h.origin != Origin::Program
            && memchr(b'\n', h.body).is_none()
            && open_end(trim(h.body))
        {
            self.hold(&h, number, false);
            return;
        }
        let meta = Record {
            line: number,
            format: h.format,
            host: h.host,
            origin: h.origin,
            tag: h.tag,
            wall: h.wall,
            printk: h.printk,
            caller: h.caller,
            priority: h.priority,
            boot: None,
            body: b"",
            continued: false,
            lines: 1,
        };
        match h.escape {
            Escape::Kmsg if memchr::memmem::find(h.body, b"\\x").is_some() => {
                let mut text = std::mem::take(&mut self.scratch);
                text.clear();
                crate::escapes::decode_hex(h.body, &mut text);
                emit_split(&meta, &text, self.whole, f);
                self.scratch = text;
            }
            Escape::Rsyslog if memchr(b'#', h.body).is_some() => {
                let mut text = std::mem::take(&mut self.scratch);
                text.clear();
                unescape_rsyslog(h.body, &mut text);
                emit_split(&meta, &text, self.whole, f);
                self.scratch = text;
            }
            _ => emit_split(&meta, h.body, self.whole, f),
        }
    }

    /// The line's header, in the shape the hint forces or any shape it shows.
    fn hinted_header<'l>(&mut self, line: &'l [u8]) -> Option<Header<'l>> {
        match self.hint {
            FormatHint::Bare => None,
            FormatHint::Kmsg => kmsg(line),
            _ => {
                let h = self.header(line);
                if h.as_ref().is_some_and(|h| h.format != Format::Embedded) {
                    return h;
                }
                // A paste's own prefix before a header (`grep -r`'s file name, `grep
                // -n`'s or a web page's line number, an opening quote): read past it
                // when that reveals a header saying more than the line did without.
                let Some(rest) = paste_prefix(line) else {
                    return h;
                };
                match (self.header(rest), h) {
                    (Some(s), None) if s.format != Format::Embedded => Some(s),
                    (Some(s), Some(e))
                        if s.format != Format::Embedded
                            && (s.host.is_some() || (s.wall.is_some() && e.wall.is_none())) =>
                    {
                        Some(s)
                    }
                    (_, h) => h,
                }
            }
        }
    }

    /// A line whose header is in no shape oomlens knows, when kernel OOM text can
    /// still be found in it (see [`unparsed`]): a kill line behind it must not be a
    /// silent miss. Not with a forced shape, nor for a line that could be the rest of
    /// a held message.
    fn unparsed<'l>(&self, line: &'l [u8]) -> Option<Header<'l>> {
        if self.hint != FormatHint::Auto || self.held.is_some() {
            return None;
        }
        unparsed(line)
    }

    /// Follows a line's clock without decoding its message (sample lines between
    /// markers), so that year rollovers and continuation metadata stay right.
    /// Returns whether the line had a header, i.e. whether it decides what a
    /// header-less line after it inherits.
    pub fn track(&mut self, line: &[u8], number: u64) -> bool {
        if line.first() == Some(&b'{')
            || matches!(self.hint, FormatHint::JournalJson | FormatHint::Bare)
        {
            // JSON and bare lines carry everything they need themselves.
            return true;
        }
        let line = unquote(line);
        // The driver skipped the line after a held message: its rest is gone.
        if let Some(h) = self.held.as_mut()
            && !h.silent
        {
            h.joins = u8::MAX;
        }
        match self.hinted_header(line) {
            Some(h) => {
                self.remember(&h, number);
                // Lines are tracked last first: a header line after a header-less one
                // came before it, so it cannot be the start of the next parsed line.
                let h = if h.origin != Origin::Program {
                    kernel_body(h)
                } else {
                    h
                };
                self.observe_year(&h);
                if h.origin != Origin::Program
                    && h.escape != Escape::Kmsg
                    && trim(h.body).ends_with(b" invoked")
                {
                    self.hold(&h, number, true);
                }
                true
            }
            None => false,
        }
    }

    /// Whether a message is held back waiting for the next line (the driver must then
    /// hand over the next line, not skip it).
    pub fn holding(&self) -> bool {
        self.held.as_ref().is_some_and(|h| !h.silent)
    }

    /// Hands over a message still held back at the end of the input.
    pub fn finish(&mut self, f: &mut dyn FnMut(&Record<'_>)) {
        self.release(f);
    }

    fn hold(&mut self, h: &Header<'_>, number: u64, silent: bool) {
        let mut meta = Prev::default();
        meta.set(h, number);
        self.held = Some(Held {
            meta,
            body: trim(h.body).to_vec(),
            joins: 0,
            next: number + 1,
            silent,
        });
    }

    /// Emits the held message as it is (its rest did not follow).
    fn release(&mut self, f: &mut dyn FnMut(&Record<'_>)) {
        let Some(h) = self.held.take() else { return };
        if h.silent {
            return;
        }
        emit_held(&h, f);
    }

    /// Joins a header-less line to the held message when it is the message's rest.
    /// Returns whether it did (and then emitted or kept holding the joined message).
    fn join(&mut self, body: &[u8], number: u64, f: &mut dyn FnMut(&Record<'_>)) -> bool {
        let Some(held) = self.held.as_mut() else {
            return false;
        };
        if held.joins >= 4 || number != held.next || !continues(&held.body, body) {
            return false;
        }
        held.next = number + 1;
        // A wrap inside a name cut it where it was (`(ja` + `va)`); elsewhere it took
        // the place of a space.
        if !held.body.ends_with(b"(") && !open_name(&held.body) {
            held.body.push(b' ');
        }
        held.body.extend_from_slice(body);
        held.joins += 1;
        held.silent = false;
        if open_end(&held.body) {
            return true;
        }
        let h = self.held.take().expect("held above");
        emit_held(&h, f);
        true
    }

    fn remember(&mut self, h: &Header<'_>, number: u64) {
        self.prev.set(h, number);
    }

    /// A line without a header: kmsg dictionary lines are dropped; anything else is a
    /// message that inherits the previous header (journal and dmesg print the later
    /// lines of a multi-line message without a prefix).
    fn bare(&mut self, line: &[u8], number: u64, f: &mut dyn FnMut(&Record<'_>)) {
        let body = uncut(trim(line));
        if body.is_empty() {
            self.release(f);
            return;
        }
        if self.join(body, number, f) {
            return;
        }
        self.release(f);
        if is_prompt(body) {
            // A shell prompt pasted with the log: the user's command, never kernel text.
            f(&headerless(number, Origin::Program, body));
            return;
        }
        if self.prev.format == Some(Format::Kmsg)
            && line.first() == Some(&b' ')
            && is_kmsg_dict(body)
        {
            return;
        }
        let p = &self.prev;
        let rec = if p.valid {
            p.record(number, Format::Bare, body, true)
        } else {
            headerless(number, Origin::Unknown, body)
        };
        f(&rec);
    }

    /// Detects the header by the first byte and the structure after it.
    fn header<'l>(&mut self, line: &'l [u8]) -> Option<Header<'l>> {
        self.header_within(line, 0)
    }

    /// [`Parser::header`] at `depth` levels of `<N>` prefixes and indents. Real lines
    /// nest two or three deep; the limit keeps a hostile line of thousands of `<1>`
    /// from exhausting the stack.
    fn header_within<'l>(&mut self, line: &'l [u8], depth: u8) -> Option<Header<'l>> {
        const MAX_DEPTH: u8 = 8;
        if depth > MAX_DEPTH {
            return embedded(line);
        }
        let first = *line.first()?;
        let h = match first {
            b'0'..=b'9' => kmsg(line)
                .or_else(|| self.logcli(line, depth))
                .or_else(|| self.iso_family(line))
                .or_else(|| self.unix_family(line))
                .or_else(|| self.other_family(line)),
            b'[' => self.bracket_family(line),
            b'<' => self.level_family(line, depth),
            b' ' | b'\t' => {
                let t = trim_start(line);
                if t.is_empty() || t[0] == b' ' || t[0] == b'\t' {
                    return None;
                }
                // A kmsg dictionary line, or a journal continuation: not a header.
                if self.prev.format == Some(Format::Kmsg) && is_kmsg_dict(t) {
                    return None;
                }
                // Indented pastes of dmesg or syslog lines.
                match t[0] {
                    b'[' | b'<' | b'0'..=b'9' => self.header_within(t, depth + 1),
                    c if c.is_ascii_alphabetic() => self.alpha_family(t),
                    _ => None,
                }
            }
            c if c.is_ascii_alphabetic() || c >= 0x80 => self.alpha_family(line),
            _ => None,
        };
        h.or_else(|| embedded(line))
    }

    /// Lines starting with a letter: RFC 3164 / journal short, journal short-full,
    /// `dmesg -x` facility/level prefixes.
    fn alpha_family<'l>(&mut self, line: &'l [u8]) -> Option<Header<'l>> {
        if let Some((mut y, rest)) = stamp::syslog(line) {
            self.years.observe(&mut y);
            return syslog_rest(Format::Syslog, Some(Wall::Yearless(y)), rest);
        }
        if let Some((wall, rest)) = stamp::short_full(line) {
            return syslog_rest(Format::JournalFull, Some(wall), rest.strip_prefix(b" ")?);
        }
        dmesg_decoded(line)
    }

    /// Lines starting with a digit (not kmsg): RFC 3339 syslog, journal short-iso,
    /// dmesg --time-format iso.
    fn iso_family<'l>(&mut self, line: &'l [u8]) -> Option<Header<'l>> {
        let (wall, rest) = stamp::iso(line)?;
        // dmesg's ISO format has a comma before the microseconds; syslog writers and
        // journalctl use a dot or no fraction. That, not guessing at host names,
        // tells the two apart.
        // dmesg always writes the `T`; a comma after a space is a log shipper's or a
        // logging library's milliseconds (`2026-11-21 22:25:45,123`).
        if line.get(19) == Some(&b',') {
            let body = rest.strip_prefix(b" ")?;
            if line.get(10) == Some(&b' ') {
                return Some(stamped_rest(Format::Stamped, wall, body));
            }
            return Some(bare_kernel(Format::DmesgIso, Some(wall), None, body));
        }
        syslog_rest(Format::SyslogIso, Some(wall), rest.strip_prefix(b" ")?)
    }

    /// Grafana Loki's `logcli query` (default output): `2026-11-21T22:25:45Z {labels}
    /// <the line as it was shipped>`. The shipped line is read as any line is; its own
    /// header wins, the query's time stands in when it has none.
    fn logcli<'l>(&mut self, line: &'l [u8], depth: u8) -> Option<Header<'l>> {
        let (wall, rest) = stamp::iso(line)?;
        let labels = rest.strip_prefix(b" {")?;
        let end = label_set_end(labels)?;
        let inner = trim_start(&labels[end..]);
        if inner.is_empty() {
            return None;
        }
        match self.header_within(inner, depth + 1) {
            Some(h) if matches!(h.wall, Some(Wall::Yearless(_))) => {
                // The query's stamp states the year the shipped syslog stamp lacks.
                if let Wall::Zoned(dt) = wall {
                    self.stream_year = Some(StreamYear {
                        year: dt.naive_local().year(),
                        epoch: self.years.epoch,
                        bound: false,
                    });
                }
                Some(h)
            }
            Some(mut h) if h.format != Format::Embedded || h.wall.is_none() => {
                h.wall.get_or_insert(wall);
                Some(h)
            }
            Some(h) => Some(h),
            None => Some(bare_kernel(Format::Stamped, Some(wall), None, inner)),
        }
    }

    /// Lines starting with another writer's date ([`stamp::other`]).
    fn other_family<'l>(&mut self, line: &'l [u8]) -> Option<Header<'l>> {
        let (st, rest) = stamp::other(line)?;
        let wall = match st {
            stamp::Stamp::Wall(w) => w,
            stamp::Stamp::Yearless(mut y) => {
                self.years.observe(&mut y);
                Wall::Yearless(y)
            }
        };
        Some(stamped_rest(Format::Stamped, wall, rest))
    }

    fn unix_family<'l>(&mut self, line: &'l [u8]) -> Option<Header<'l>> {
        let (wall, rest) = stamp::unix(line)?;
        syslog_rest(Format::JournalUnix, Some(wall), rest.strip_prefix(b" ")?)
    }

    /// Lines starting with `[`: dmesg `[ts] text`, journal short-monotonic
    /// `[ts] host tag: text`, and `dmesg -T` `[Sat Nov 21 22:25:45 2026] text`.
    fn bracket_family<'l>(&mut self, line: &'l [u8]) -> Option<Header<'l>> {
        if let Some((p, rest)) = stamp::printk(line) {
            let (caller, rest) = match stamp::caller(rest) {
                Some((c, r)) => (Some(c), r),
                None => (None, rest),
            };
            let body = rest.strip_prefix(b" ").unwrap_or(rest);
            // `[ts] host kernel: …` is journalctl -o short-monotonic; once seen, any
            // `[ts] host tag: …` in this input is read the same way. A dmesg body such
            // as "Hardware name: …" has the same shape, so the first sighting must be
            // an unmistakable kernel or `name[pid]:` tag.
            if let Some(h) = syslog_rest(Format::JournalMonotonic, None, body)
                && h.host.is_some()
                && (self.monotonic_journal || h.tag == Some(b"kernel") || has_pid_tag(body))
            {
                self.monotonic_journal = true;
                return Some(Header {
                    printk: Some(p),
                    ..h
                });
            }
            let mut h = bare_kernel(Format::Dmesg, None, Some(p), body);
            h.caller = caller;
            return Some(h);
        }
        let (wall, rest) = stamp::dmesg_t(line)?;
        let body = rest.strip_prefix(b" ").unwrap_or(rest);
        Some(bare_kernel(Format::DmesgCtime, Some(wall), None, body))
    }

    /// Lines starting with `<N>`: `dmesg -r` / `/proc/kmsg` text and RFC 5424.
    fn level_family<'l>(&mut self, line: &'l [u8], depth: u8) -> Option<Header<'l>> {
        let (pri, rest) = stamp::level_prefix(line)?;
        if let Some(r) = rest.strip_prefix(b"1 ") {
            return rfc5424(pri, r);
        }
        // Facility 0 is the kernel; anything else was written by user space.
        let mut h = self.header_within(rest, depth + 1)?;
        h.priority = Some(pri);
        if matches!(h.format, Format::Dmesg | Format::Embedded) {
            h.origin = if pri >> 3 == 0 {
                Origin::Kernel
            } else {
                Origin::Program
            };
        }
        Some(h)
    }

    /// `journalctl -o json` line. Returns false if the line is not a journal object.
    fn json(&mut self, line: &[u8], number: u64, f: &mut dyn FnMut(&Record<'_>)) -> bool {
        // json-seq output puts an RS byte first.
        let line = line.strip_prefix(&[0x1e]).unwrap_or(line);
        let repaired;
        let entry = match serde_json::from_slice::<JournalEntry<'_>>(line) {
            Ok(e) => e,
            // A lone surrogate escape (`\udc80`, which journald never writes but a
            // re-serialising shipper may) fails the whole object: decode it as U+FFFD.
            Err(_) => match lossy_surrogates(line) {
                Some(fixed) => {
                    repaired = fixed;
                    match serde_json::from_slice::<JournalEntry<'_>>(&repaired) {
                        Ok(e) => e,
                        Err(_) => return false,
                    }
                }
                None => return false,
            },
        };
        let Some(message) = entry.message.as_ref().and_then(JsonText::bytes) else {
            // An object without a message: nothing to say, but it was a journal line.
            return entry.realtime.is_some();
        };
        let kernel_transport = entry.transport.as_deref() == Some("kernel");
        let ident = entry.ident.as_ref().and_then(JsonText::bytes);
        let facility: Option<u32> = entry.facility.as_deref().and_then(|s| s.parse().ok());
        let level: Option<u32> = entry.priority.as_deref().and_then(|s| s.parse().ok());
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        let origin;
        if kernel_transport {
            // journald splits "name: text" written to /dev/kmsg into identifier and
            // message; put it back so the text reads as the kernel log shows it.
            match ident.as_deref() {
                Some(id) if id != b"kernel" => {
                    text.extend_from_slice(id);
                    if let Some(pid) = entry.pid.as_ref().and_then(JsonText::bytes) {
                        text.push(b'[');
                        text.extend_from_slice(&pid);
                        text.push(b']');
                    }
                    text.extend_from_slice(b": ");
                    origin = if facility.unwrap_or(0) == 0 {
                        Origin::Kernel
                    } else {
                        Origin::Program
                    };
                }
                _ => origin = Origin::Kernel,
            }
        } else {
            origin = Origin::Program;
        }
        text.extend_from_slice(&message);
        let wall = entry
            .realtime
            .as_deref()
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(DateTime::from_timestamp_micros)
            .map(|dt| Wall::Zoned(dt.fixed_offset()));
        let printk = if kernel_transport {
            entry
                .source_monotonic
                .as_deref()
                .and_then(|s| s.parse::<u64>().ok())
                .map(Printk::from_micros)
        } else {
            None
        };
        set_vec(
            &mut self.json_host,
            entry.hostname.as_deref().map(str::as_bytes),
        );
        set_vec(
            &mut self.json_boot,
            entry.boot.as_deref().map(str::as_bytes),
        );
        set_vec(&mut self.json_tag, ident.as_deref());
        let meta = Record {
            line: number,
            format: Format::JournalJson,
            host: entry.hostname.as_ref().map(|_| &self.json_host[..]),
            origin,
            tag: match (&ident, kernel_transport) {
                (Some(_), _) => Some(&self.json_tag[..]),
                (None, true) => Some(b"kernel"),
                (None, false) => None,
            },
            wall,
            printk,
            caller: None,
            // Journal fields are text: a forged value must not overflow.
            priority: level.map(|l| facility.unwrap_or(0).saturating_mul(8).saturating_add(l)),
            boot: entry.boot.as_ref().map(|_| &self.json_boot[..]),
            body: b"",
            continued: false,
            lines: 1,
        };
        emit_split(&meta, &text, self.whole, f);
        self.scratch = text;
        // JSON lines carry their own metadata; a following bare line is not theirs.
        self.prev.valid = false;
        self.prev.format = Some(Format::JournalJson);
        true
    }
}

/// The part of a journal JSON object oomlens reads.
#[derive(Deserialize)]
struct JournalEntry<'a> {
    #[serde(rename = "MESSAGE", default, borrow)]
    message: Option<JsonText<'a>>,
    #[serde(
        rename = "__REALTIME_TIMESTAMP",
        default,
        borrow,
        deserialize_with = "lenient"
    )]
    realtime: Option<Cow<'a, str>>,
    #[serde(
        rename = "_SOURCE_MONOTONIC_TIMESTAMP",
        default,
        borrow,
        deserialize_with = "lenient"
    )]
    source_monotonic: Option<Cow<'a, str>>,
    #[serde(rename = "_HOSTNAME", default, borrow, deserialize_with = "lenient")]
    hostname: Option<Cow<'a, str>>,
    #[serde(rename = "_BOOT_ID", default, borrow, deserialize_with = "lenient")]
    boot: Option<Cow<'a, str>>,
    #[serde(rename = "_TRANSPORT", default, borrow, deserialize_with = "lenient")]
    transport: Option<Cow<'a, str>>,
    #[serde(rename = "SYSLOG_IDENTIFIER", default, borrow)]
    ident: Option<JsonText<'a>>,
    #[serde(rename = "SYSLOG_PID", default, borrow)]
    pid: Option<JsonText<'a>>,
    #[serde(
        rename = "SYSLOG_FACILITY",
        default,
        borrow,
        deserialize_with = "lenient"
    )]
    facility: Option<Cow<'a, str>>,
    #[serde(rename = "PRIORITY", default, borrow, deserialize_with = "lenient")]
    priority: Option<Cow<'a, str>>,
}

/// A journal field oomlens reads as text: a string, or a number written as one by log
/// shippers that re-serialise journal exports (`"PRIORITY":3`); anything else is
/// ignored rather than failing the whole line.
fn lenient<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            while a
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// `line` with every `\u` escape of a lone UTF-16 surrogate replaced by `\ufffd`, or
/// `None` when it has none.
fn lossy_surrogates(line: &[u8]) -> Option<Vec<u8>> {
    let hex = |b: &[u8]| -> Option<u32> {
        let s = std::str::from_utf8(b.get(..4)?).ok()?;
        u32::from_str_radix(s, 16).ok()
    };
    let mut out = Vec::with_capacity(line.len());
    let mut changed = false;
    let mut i = 0;
    while i < line.len() {
        if line[i] != b'\\' {
            out.push(line[i]);
            i += 1;
            continue;
        }
        let code = match line.get(i + 1) {
            Some(b'u') => hex(&line[i + 2..]),
            _ => None,
        };
        match code {
            Some(0xD800..=0xDBFF)
                if line.get(i + 6..i + 8) == Some(b"\\u")
                    && matches!(hex(&line[i + 8..]), Some(0xDC00..=0xDFFF)) =>
            {
                out.extend_from_slice(&line[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\ufffd");
                changed = true;
                i += 6;
            }
            Some(_) => {
                out.extend_from_slice(&line[i..i + 6]);
                i += 6;
            }
            None => {
                out.extend_from_slice(&line[i..(i + 2).min(line.len())]);
                i += 2;
            }
        }
    }
    changed.then_some(out)
}

/// A journal field value: a string, a byte array (non-UTF-8 or binary data), or an
/// array of values when the field was set more than once.
#[derive(Deserialize)]
#[serde(untagged)]
enum JsonText<'a> {
    Str(#[serde(borrow)] Cow<'a, str>),
    Bytes(Vec<u8>),
    Many(Vec<serde_json::Value>),
}

impl JsonText<'_> {
    fn bytes(&self) -> Option<Cow<'_, [u8]>> {
        match self {
            JsonText::Str(s) => Some(Cow::Borrowed(s.as_bytes())),
            JsonText::Bytes(b) => Some(Cow::Borrowed(b)),
            JsonText::Many(vals) => vals.iter().find_map(|v| match v {
                serde_json::Value::String(s) => Some(Cow::Owned(s.as_bytes().to_vec())),
                serde_json::Value::Array(a) => Some(Cow::Owned(
                    a.iter()
                        .filter_map(|b| b.as_u64().map(|b| b as u8))
                        .collect(),
                )),
                _ => None,
            }),
        }
    }
}

/// `/dev/kmsg`: `pri,seq,usec,flags[,caller=T123][,more];text`.
fn kmsg(line: &[u8]) -> Option<Header<'_>> {
    let semi = memchr(b';', line)?;
    let head = &line[..semi];
    let mut fields = head.split(|b| *b == b',');
    let pri: u32 = num(fields.next()?)?;
    let _seq: u64 = num(fields.next()?)?;
    let usec: u64 = num(fields.next()?)?;
    let flag = fields.next()?;
    if flag.len() > 1 {
        return None;
    }
    let mut caller = None;
    for extra in fields {
        if let Some(c) = extra.strip_prefix(b"caller=") {
            let (kind, n) = c.split_first()?;
            let n: u32 = num(n)?;
            caller = match kind {
                b'T' => Some(Caller::Task(n)),
                b'C' => Some(Caller::Cpu(n)),
                _ => None,
            };
        }
    }
    let origin = if pri >> 3 == 0 {
        Origin::Kernel
    } else {
        Origin::Program
    };
    Some(Header {
        format: Format::Kmsg,
        host: None,
        origin,
        tag: None,
        wall: None,
        printk: Some(Printk::from_micros(usec)),
        caller,
        priority: Some(pri),
        body: &line[semi + 1..],
        escape: Escape::Kmsg,
    })
}

fn num<T: std::str::FromStr>(b: &[u8]) -> Option<T> {
    if b.is_empty() || b.len() > 20 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

fn is_kmsg_dict(t: &[u8]) -> bool {
    let eq = t.iter().position(|b| *b == b'=');
    matches!(eq, Some(i) if i > 0 && t[..i].iter().all(|b| b.is_ascii_uppercase() || *b == b'_' || b.is_ascii_digit()))
}

/// After a syslog-style stamp: `host tag: text` or `tag: text`.
fn syslog_rest(format: Format, wall: Option<Wall>, rest: &[u8]) -> Option<Header<'_>> {
    let rest = skip_spaces(rest);
    let sp1 = memchr(b' ', rest);
    let tok1 = &rest[..sp1.unwrap_or(rest.len())];
    let mut priority = None;
    let (host, tag_tok, after) = if tok1.ends_with(b":") {
        (None, tok1, sp1.map_or(&b""[..], |i| &rest[i + 1..]))
    } else {
        let sp1 = sp1?;
        let mut r2 = &rest[sp1 + 1..];
        let mut sp2 = memchr(b' ', r2);
        let mut tok2 = &r2[..sp2.unwrap_or(r2.len())];
        // busybox syslogd writes `host facility.level tag:`; the field rsyslog does
        // not write names the facility, which tells the kernel from user space.
        if !tok2.ends_with(b":")
            && let Some(pri) = facility_level(tok2)
            && let Some(sp) = sp2
        {
            priority = Some(pri);
            r2 = &r2[sp + 1..];
            sp2 = memchr(b' ', r2);
            tok2 = &r2[..sp2.unwrap_or(r2.len())];
        }
        if !tok2.ends_with(b":") {
            return None;
        }
        (Some(tok1), tok2, sp2.map_or(&b""[..], |i| &r2[i + 1..]))
    };
    if host.is_some_and(|h| h.is_empty()) {
        return None;
    }
    let tag_tok = &tag_tok[..tag_tok.len() - 1];
    let (tag, has_pid) = match memchr(b'[', tag_tok) {
        Some(i) if tag_tok.ends_with(b"]") => (&tag_tok[..i], true),
        _ => (tag_tok, false),
    };
    if tag.is_empty() || tag.len() > 128 {
        return None;
    }
    // Only the kernel itself is logged as plain `kernel:`; `kernel[123]:` is a user
    // program (e.g. `logger -t kernel`) pretending.
    // A facility other than `kern` is a user-space write to /dev/kmsg relayed by klogd.
    let origin = if tag == b"kernel" && !has_pid && priority.is_none_or(|p| p >> 3 == 0) {
        Origin::Kernel
    } else {
        Origin::Program
    };
    Some(Header {
        format,
        host,
        origin,
        tag: Some(tag),
        wall,
        printk: None,
        caller: None,
        priority,
        body: after,
        escape: if origin == Origin::Kernel {
            Escape::Rsyslog
        } else {
            Escape::None
        },
    })
}

/// Kernel text behind a header oomlens cannot read: what follows ` kernel: `, or a
/// kill line's own start (`Out of memory: `, `Memory cgroup out of memory: `,
/// `Killed process `, `Kill process `, `oom-kill:`). The header must hold a digit
/// (some date or clock) and be short; an indented line is a continuation, never this.
fn unparsed(line: &[u8]) -> Option<Header<'_>> {
    const MAX_PREFIX: usize = 96;
    const STARTS: [&[u8]; 5] = [
        b"Out of memory: ",
        b"Memory cgroup out of memory: ",
        b"Killed process ",
        b"Kill process ",
        b"oom-kill:",
    ];
    if line.first().is_none_or(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let head = &line[..line.len().min(MAX_PREFIX + 32)];
    let stamped =
        |prefix: &[u8]| prefix.len() <= MAX_PREFIX && prefix.iter().any(u8::is_ascii_digit);
    // Every line without a header comes here (`--every-line` reads all of them): the
    // searchers are built once.
    static FINDERS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::LazyLock::new(|| {
            std::iter::once(&b" kernel: "[..])
                .chain(STARTS)
                .map(memchr::memmem::Finder::new)
                .collect()
        });
    let (kernel, starts) = FINDERS.split_first().expect("built above");
    if let Some(i) = kernel.find(head)
        && stamped(&line[..i])
    {
        let mut h = bare_kernel(Format::Unparsed, None, None, &line[i + 9..]);
        h.origin = Origin::Kernel;
        h.tag = Some(b"kernel");
        return Some(h);
    }
    let at = starts.iter().filter_map(|f| f.find(head)).min()?;
    if at == 0 || !stamped(&line[..at]) || line[at - 1] != b' ' {
        return None;
    }
    Some(bare_kernel(Format::Unparsed, None, None, &line[at..]))
}

/// Where a Loki label set (`job="varlogs", filename="/var/log/kern.log"}`, the `{`
/// already read) ends: just after its `}`, quoted values may hold `}` and `\"`.
fn label_set_end(s: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, b) in s.iter().enumerate().take(4096) {
        match (quoted, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (_, _, b'"') => quoted = !quoted,
            (false, _, b'}') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// After a date in a shape syslog daemons do not write by default: `host tag: text`
/// when that is what follows (a kernel tag, or a host), else the text itself.
fn stamped_rest(format: Format, wall: Wall, rest: &[u8]) -> Header<'_> {
    match syslog_rest(format, Some(wall), rest) {
        Some(h) if h.origin == Origin::Kernel || h.host.is_some() => h,
        _ => bare_kernel(format, Some(wall), None, skip_spaces(rest)),
    }
}

/// A line with no header and nothing to inherit one from.
fn headerless(line: u64, origin: Origin, body: &[u8]) -> Record<'_> {
    Record {
        line,
        format: Format::Bare,
        host: None,
        origin,
        tag: None,
        wall: None,
        printk: None,
        caller: None,
        priority: None,
        boot: None,
        body,
        continued: false,
        lines: 1,
    }
}

fn emit_held(h: &Held, f: &mut dyn FnMut(&Record<'_>)) {
    let m = &h.meta;
    f(&Record {
        lines: 1 + u32::from(h.joins),
        ..m.record(m.line, m.format.unwrap_or(Format::Bare), &h.body, false)
    });
}

/// Mail quote markers (`> `, `>>> `, `> > `): no kernel or syslog line starts with `>`.
fn unquote(line: &[u8]) -> &[u8] {
    if line.first() != Some(&b'>') {
        return line;
    }
    let n = line
        .iter()
        .take_while(|b| matches!(b, b'>' | b' ' | b'\t'))
        .count();
    // Keep the indentation after the markers: it still tells continuation lines.
    let mut at = n;
    while at > 0 && matches!(line[at - 1], b' ' | b'\t') {
        at -= 1;
    }
    let rest = &line[at..];
    rest.strip_prefix(b" ").unwrap_or(rest)
}

/// A prefix that pastes put before log lines: `grep -r`'s `/var/log/kern.log:`, a
/// line number (`123:`, `123 |`, `  12 `), an opening `"`. Returns the rest.
fn paste_prefix(line: &[u8]) -> Option<&[u8]> {
    let t = trim_start(line);
    match t.first()? {
        b'"' | b'\'' | b'`' => Some(&t[1..]),
        b'/' => {
            let colon = memchr(b':', &t[..t.len().min(256)])?;
            let path = &t[..colon];
            (!path.iter().any(|b| b.is_ascii_whitespace())).then(|| &t[colon + 1..])
        }
        b'0'..=b'9' => {
            let n = t.iter().take_while(|b| b.is_ascii_digit()).count();
            if n > 7 {
                return None;
            }
            let r = &t[n..];
            let spaced = r.first().is_some_and(|b| *b == b' ' || *b == b'\t');
            let r = trim_start(r);
            match r.first()? {
                b':' | b'|' | b'-' => Some(trim_start(&r[1..])),
                _ if spaced => Some(r),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A shell prompt and its command: `$ dmesg`, `# dmesg`, `root@host:~# dmesg`,
/// `user@host:/dir$ ./prog`, `[root@host ~]# dmesg`.
fn is_prompt(body: &[u8]) -> bool {
    let head = &body[..body.len().min(128)];
    if head.starts_with(b"$ ") || head.starts_with(b"# ") || head == b"$" || head == b"#" {
        return true;
    }
    let Some(end) = head
        .windows(2)
        .position(|w| (w[0] == b'$' || w[0] == b'#') && w[1] == b' ')
        .or_else(|| (head.ends_with(b"$") || head.ends_with(b"#")).then(|| head.len() - 1))
    else {
        return false;
    };
    let who = &head[..end];
    let who = who.strip_prefix(b"[").unwrap_or(who);
    let at = memchr(b'@', who);
    // user@host:path or [user@host path]
    at.is_some_and(|a| {
        a > 0
            && who[..a]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            && (memchr(b':', &who[a..]).is_some() || who.ends_with(b"]"))
    })
}

/// `[  762]     0   762    27626` (a task row whose name is not on the line).
fn cut_task_row(body: &[u8]) -> bool {
    let Some(r) = body.strip_prefix(b"[") else {
        return false;
    };
    let Some(close) = memchr(b']', r) else {
        return false;
    };
    let pid = r[..close].trim_ascii();
    if pid.is_empty() || !pid.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let cols: Vec<&[u8]> = r[close + 1..]
        .split(u8::is_ascii_whitespace)
        .filter(|t| !t.is_empty())
        .collect();
    !cols.is_empty() && cols.iter().all(|t| is_number(t))
}

fn is_number(t: &[u8]) -> bool {
    let t = t.strip_prefix(b"-").unwrap_or(t);
    !t.is_empty() && t.iter().all(u8::is_ascii_digit)
}

/// The task table's column header cut before `name`.
fn cut_task_header(body: &[u8]) -> bool {
    (body.starts_with(b"[ pid ]") || body.starts_with(b"[  pid  ]")) && !body.ends_with(b"name")
}

/// A `,>` at the end: `less -S` cut the line there (samples/pending/202).
fn uncut(body: &[u8]) -> &[u8] {
    body.strip_suffix(b",>").unwrap_or(body)
}

/// Whether a kernel message ends where a wrap cut it, so that its rest may follow.
fn open_end(body: &[u8]) -> bool {
    if cut_task_row(body) || cut_task_header(body) {
        return true;
    }
    if body.ends_with(b" invoked") || body.ends_with(b"invoked oom-killer:") {
        return true;
    }
    // A header or a kill line whose field list goes on.
    let field_list = |b: &[u8]| {
        memchr::memmem::find(b, b"invoked oom-killer:").is_some()
            || memchr::memmem::find(b, b"Killed process ").is_some()
            || memchr::memmem::find(b, b"Kill process ").is_some()
            || memchr::memmem::find(b, b"oom_reaper: reaped process ").is_some()
    };
    if (body.ends_with(b",") || body.ends_with(b", now")) && field_list(body) {
        return true;
    }
    if body == b"Killed" || body.ends_with(b": Killed") || body.ends_with(b": Kill") {
        return true;
    }
    // `Killed process 350 (polk`: a wrap inside the name; the rest of it follows.
    if field_list(body) && open_name(body) {
        return true;
    }
    // `Killed process 925`, `Kill process 19961`, `reaped process 3035`: the name next.
    if let Some(i) = memchr::memmem::rfind(body, b"process ")
        && body[i + 8..].iter().all(u8::is_ascii_digit)
        && body.len() > i + 8
        && field_list(body)
    {
        return true;
    }
    // `Killed process 350 (polkitd)` with nothing after it: the rss fields may follow.
    if body.ends_with(b")") && field_list(body) {
        let Some(open) = memchr::memmem::rfind(body, b" (") else {
            return false;
        };
        let before = &body[..open];
        return before
            .rsplit(|b| *b == b' ')
            .next()
            .is_some_and(|pid| !pid.is_empty() && pid.iter().all(u8::is_ascii_digit));
    }
    false
}

/// Whether a kill, selection or reaper line ends inside its task's `(name`.
fn open_name(body: &[u8]) -> bool {
    let Some(i) = memchr::memmem::rfind(body, b"process ") else {
        return false;
    };
    let rest = &body[i + 8..];
    let Some(open) = memchr::memrchr(b'(', rest) else {
        return false;
    };
    rest.first().is_some_and(u8::is_ascii_digit) && memchr(b')', &rest[open..]).is_none()
}

/// Whether `next` (a line without a header) is what the kernel prints after `held`.
fn continues(held: &[u8], next: &[u8]) -> bool {
    if open_name(held) {
        // The rest of the name, its `)`, then the fields (or nothing: cut there too).
        let Some(close) = memchr(b')', next) else {
            return false;
        };
        let after = next[close + 1..].trim_ascii_start();
        return after.is_empty()
            || [
                &b"total-vm:"[..],
                b"score ",
                b"anon-rss:",
                b", total-vm:",
                b", now anon-rss:",
                b"now anon-rss:",
                b"UID:",
            ]
            .iter()
            .any(|p| after.starts_with(p));
    }
    if cut_task_header(held) {
        return next.ends_with(b"name")
            && next
                .iter()
                .all(|b| b.is_ascii_lowercase() || matches!(b, b'_' | b' ' | b'(' | b')'));
    }
    if cut_task_row(held) {
        // The rest of the row: more numbers, then the name.
        let toks: Vec<&[u8]> = next
            .split(u8::is_ascii_whitespace)
            .filter(|t| !t.is_empty())
            .collect();
        return toks.len() >= 2
            && toks[..toks.len() - 1].iter().all(|t| is_number(t))
            && memchr(b'[', next).is_none();
    }
    let starts = |p: &[u8]| next.starts_with(p);
    let pid_next = || {
        let n = next.strip_prefix(b"process ").unwrap_or(&[]);
        n.first().is_some_and(u8::is_ascii_digit)
    };
    if held.ends_with(b" invoked") {
        return starts(b"oom-killer: ");
    }
    if held.ends_with(b"invoked oom-killer:") {
        return starts(b"gfp_mask=");
    }
    if held == b"Killed" || held.ends_with(b": Killed") || held.ends_with(b": Kill") {
        return pid_next();
    }
    if held.ends_with(b", now") {
        return starts(b"anon-rss:");
    }
    if held.ends_with(b",") {
        // The next field: `order=0`, `oom_score_adj=0`, `UID:0`, `anon-rss:0kB`.
        let key = next
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            .count();
        return key > 0 && matches!(next.get(key), Some(b'=') | Some(b':'));
    }
    if held.last().is_some_and(u8::is_ascii_digit) {
        // `Killed process 925` + `(firewalld) total-vm:…`
        return next.starts_with(b"(") && memchr(b')', next).is_some();
    }
    if held.ends_with(b")") {
        return starts(b"total-vm:")
            || starts(b"anon-rss:")
            || starts(b"score ")
            || starts(b"now anon-rss:")
            || starts(b", now anon-rss:");
    }
    false
}

/// The first `YYYY-MM-DD` or `YYYY/MM/DD` date in a message (1990–2099).
fn body_year(body: &[u8]) -> Option<i32> {
    let b = &body[..body.len().min(256)];
    for i in memchr::memchr2_iter(b'-', b'/', b) {
        if i < 4 || i + 6 > b.len() {
            continue;
        }
        let sep = b[i];
        let y = &b[i - 4..i];
        let (m, d) = (&b[i + 1..i + 3], &b[i + 4..i + 6]);
        if b[i + 3] != sep
            || !(y.starts_with(b"19") || y.starts_with(b"20"))
            || (i > 4 && b[i - 5].is_ascii_alphanumeric())
            || b.get(i + 6).is_some_and(u8::is_ascii_digit)
            || ![y, m, d].iter().all(|t| t.iter().all(u8::is_ascii_digit))
        {
            continue;
        }
        let year: i32 = std::str::from_utf8(y).ok()?.parse().ok()?;
        let month = (m[0] - b'0') * 10 + (m[1] - b'0');
        let day = (d[0] - b'0') * 10 + (d[1] - b'0');
        if (1990..2100).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day) {
            return Some(year);
        }
    }
    None
}

/// The year a `Linux version … #1 SMP Mon May 1 23:59:32 CST 2023` line ends with.
fn build_year(line: &[u8]) -> Option<i32> {
    let last = line.trim_ascii_end().rsplit(|b| *b == b' ').next()?;
    let last = last.strip_suffix(b")").unwrap_or(last);
    if last.len() != 4 || !last.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let year: i32 = std::str::from_utf8(last).ok()?.parse().ok()?;
    (1990..2100).contains(&year).then_some(year)
}

/// busybox syslogd's `kern.warn` / `user.info` field → facility·8+level.
fn facility_level(tok: &[u8]) -> Option<u32> {
    let dot = memchr(b'.', tok)?;
    let fac = FACILITIES.iter().position(|f| *f == &tok[..dot])? as u32;
    let level = &tok[dot + 1..];
    let lvl = match LEVELS.iter().position(|l| *l == level) {
        Some(l) => l as u32,
        // The long and old names syslog.h also knows.
        None => match level {
            b"panic" => 0,
            b"error" => 3,
            b"warning" => 4,
            _ => return None,
        },
    };
    Some(fac * 8 + lvl)
}

fn has_pid_tag(body: &[u8]) -> bool {
    // "host name[123]: …"
    let mut toks = body.splitn(3, |b| *b == b' ');
    let _host = toks.next();
    matches!(toks.next(), Some(t) if t.ends_with(b"]:") && memchr(b'[', t).is_some())
}

fn bare_kernel(
    format: Format,
    wall: Option<Wall>,
    printk: Option<Printk>,
    body: &[u8],
) -> Header<'_> {
    Header {
        format,
        host: None,
        origin: Origin::Unknown,
        tag: None,
        wall,
        printk,
        caller: None,
        priority: None,
        body,
        escape: Escape::None,
    }
}

/// `dmesg -x`: `kern  :warn  : [  921.183161] text`.
fn dmesg_decoded(line: &[u8]) -> Option<Header<'_>> {
    let c1 = memchr(b':', line)?;
    let facility = trim(&line[..c1]);
    if !FACILITIES.contains(&facility) {
        return None;
    }
    let rest = &line[c1 + 1..];
    let c2 = memchr(b':', rest)?;
    let level = trim(&rest[..c2]);
    let lvl = LEVELS.iter().position(|l| *l == level)? as u32;
    let rest = skip_spaces(&rest[c2 + 1..]);
    let fac = FACILITIES.iter().position(|f| *f == facility).unwrap_or(0) as u32;
    let (printk, body) = match stamp::printk(rest) {
        Some((p, r)) => (Some(p), r.strip_prefix(b" ").unwrap_or(r)),
        None => match stamp::dmesg_t(rest) {
            Some((_, r)) => (None, r.strip_prefix(b" ").unwrap_or(r)),
            None => (None, rest),
        },
    };
    let mut h = bare_kernel(Format::Dmesg, None, printk, body);
    h.origin = if fac == 0 {
        Origin::Kernel
    } else {
        Origin::Program
    };
    h.priority = Some(fac * 8 + lvl);
    Some(h)
}

const FACILITIES: &[&[u8]] = &[
    b"kern",
    b"user",
    b"mail",
    b"daemon",
    b"auth",
    b"syslog",
    b"lpr",
    b"news",
    b"uucp",
    b"cron",
    b"authpriv",
    b"ftp",
    b"res0",
    b"res1",
    b"res2",
    b"res3",
    b"local0",
    b"local1",
    b"local2",
    b"local3",
    b"local4",
    b"local5",
    b"local6",
    b"local7",
];
const LEVELS: &[&[u8]] = &[
    b"emerg", b"alert", b"crit", b"err", b"warn", b"notice", b"info", b"debug",
];

/// RFC 5424 after `<pri>1 `: `TIMESTAMP HOST APP PROCID MSGID SD MSG`.
fn rfc5424(pri: u32, rest: &[u8]) -> Option<Header<'_>> {
    let mut parts = rest.splitn(6, |b| *b == b' ');
    let ts = parts.next()?;
    let host = parts.next()?;
    let app = parts.next()?;
    let _procid = parts.next()?;
    let _msgid = parts.next()?;
    let mut msg = parts.next().unwrap_or(b"");
    // Structured data: "-" or one or more [..] elements.
    if let Some(r) = msg.strip_prefix(b"-") {
        msg = r.strip_prefix(b" ").unwrap_or(r);
    } else if msg.first() == Some(&b'[') {
        let mut depth = 0usize;
        let mut end = msg.len();
        let mut quoted = false;
        for (i, b) in msg.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'[' if !quoted => depth += 1,
                b']' if !quoted => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 && msg.get(i + 1) != Some(&b'[') {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        msg = &msg[end..];
        msg = msg.strip_prefix(b" ").unwrap_or(msg);
    }
    let wall = if ts == b"-" {
        None
    } else {
        Some(stamp::iso(ts)?.0)
    };
    let nil = |s: &'_ [u8]| s != b"-";
    let kernel = app == b"kernel" && pri >> 3 == 0;
    let msg = msg.strip_prefix("\u{feff}".as_bytes()).unwrap_or(msg);
    Some(Header {
        format: Format::Rfc5424,
        host: Some(host).filter(|h| nil(h)),
        origin: if kernel {
            Origin::Kernel
        } else {
            Origin::Program
        },
        tag: Some(app).filter(|a| nil(a)),
        wall,
        printk: None,
        caller: None,
        priority: Some(pri),
        body: msg,
        escape: Escape::None,
    })
}

/// A printk stamp inside some other wrapper, e.g. a hypervisor relaying guest output:
/// `2023-12-04T10:49:30.127Z In(05) vcpu-5 - Guest: <6>[39291577.009360] text`.
fn embedded(line: &[u8]) -> Option<Header<'_>> {
    let window = &line[..line.len().min(160)];
    let mut from = 0;
    while let Some(i) = memchr(b'[', &window[from..]) {
        let at = from + i;
        if let Some((p, rest)) = stamp::printk(&line[at..]) {
            let (caller, rest) = match stamp::caller(rest) {
                Some((c, r)) => (Some(c), r),
                None => (None, rest),
            };
            // A `<N>` level right before the stamp says who wrote it.
            let pri = line[..at]
                .iter()
                .rposition(|b| *b == b'<')
                .and_then(|lt| stamp::level_prefix(&line[lt..at]).filter(|(_, r)| r.is_empty()))
                .map(|(n, _)| n);
            let wall = stamp::iso(line).map(|(w, _)| w);
            let body = rest.strip_prefix(b" ").unwrap_or(rest);
            let mut h = bare_kernel(Format::Embedded, wall, Some(p), body);
            h.caller = caller;
            h.priority = pri;
            h.origin = match pri {
                Some(n) if n >> 3 != 0 => Origin::Program,
                _ => Origin::Kernel,
            };
            return Some(h);
        }
        from = at + 1;
    }
    None
}

/// Kernel text inside a syslog line may still carry the kernel's own prefixes:
/// `<4>`, `[  123.456789]`, `[ T1234]`.
fn kernel_body(mut h: Header<'_>) -> Header<'_> {
    let mut body = h.body;
    if h.priority.is_none()
        && let Some((pri, r)) = stamp::level_prefix(body)
    {
        h.priority = Some(pri);
        body = r;
    }
    if h.printk.is_none()
        && let Some((p, r)) = stamp::printk(body)
    {
        h.printk = Some(p);
        body = r;
        if let Some((c, r)) = stamp::caller(body) {
            h.caller = Some(c);
            body = r;
        }
    }
    h.body = body;
    h
}

/// Calls `f` once per non-empty line of `text`, trimmed. A message that is empty
/// altogether (`kernel: ` alone) is still one record: no line is lost. A message that
/// holds one of the `whole` literals stays one record: it was printed at once, and a
/// line break in it is part of a name, not the end of a line.
fn emit_split(meta: &Record<'_>, text: &[u8], whole: &[&[u8]], f: &mut dyn FnMut(&Record<'_>)) {
    if text.trim_ascii().is_empty() {
        f(&Record { body: b"", ..*meta });
        return;
    }
    if memchr(b'\n', text).is_some()
        && whole
            .iter()
            .any(|w| memchr::memmem::find(text, w).is_some())
    {
        f(&Record {
            body: text.trim_ascii(),
            ..*meta
        });
        return;
    }
    let mut rest = text;
    loop {
        let (piece, next) = match memchr(b'\n', rest) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let body = uncut(trim(piece));
        if !body.is_empty() {
            f(&Record { body, ..*meta });
        }
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
}

/// rsyslog's control-character escapes `#ooo` (octal) → byte; `#012` is a newline.
fn unescape_rsyslog(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'#' && i + 4 <= s.len() {
            let d = &s[i + 1..i + 4];
            if d.iter().all(|b| (b'0'..=b'7').contains(b)) {
                let v = (d[0] - b'0') as u32 * 64 + (d[1] - b'0') as u32 * 8 + (d[2] - b'0') as u32;
                if v < 0x20 || v == 0x7f {
                    out.push(v as u8);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(s[i]);
        i += 1;
    }
}

fn trim(s: &[u8]) -> &[u8] {
    s.trim_ascii()
}

fn trim_start(s: &[u8]) -> &[u8] {
    s.trim_ascii_start()
}

fn set_bytes(slot: &mut Option<Vec<u8>>, v: Option<&[u8]>) {
    match v {
        Some(b) => {
            let buf = slot.get_or_insert_with(Vec::new);
            buf.clear();
            buf.extend_from_slice(b);
        }
        None => *slot = None,
    }
}

fn set_vec(slot: &mut Vec<u8>, v: Option<&[u8]>) {
    slot.clear();
    if let Some(b) = v {
        slot.extend_from_slice(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (format, host, origin, tag, wall, printk, body) of a record.
    type Decoded = (
        Format,
        Option<String>,
        Origin,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    );

    fn decode(p: &mut Parser, line: &str) -> Vec<Decoded> {
        let mut out = Vec::new();
        let mut push = |r: &Record<'_>| {
            out.push((
                r.format,
                r.host.map(|h| String::from_utf8_lossy(h).into_owned()),
                r.origin,
                r.tag.map(|h| String::from_utf8_lossy(h).into_owned()),
                r.wall.map(|w| w.to_string()),
                r.printk.map(|p| p.to_string()),
                String::from_utf8_lossy(r.body).into_owned(),
            ))
        };
        p.parse(line.as_bytes(), 1, &mut push);
        // A message cut where a wrap may have cut it waits for the next line.
        p.finish(&mut push);
        out
    }

    fn one(line: &str) -> Decoded {
        let mut v = decode(&mut Parser::new(), line);
        assert_eq!(v.len(), 1, "{line}: {v:?}");
        v.remove(0)
    }

    #[test]
    fn syslog_with_host_and_printk() {
        let r = one(
            "Jan  5 15:19:27 myhost kernel: [ 5864.708440] memorymonster invoked oom-killer: gfp_mask=0xd0",
        );
        assert_eq!(r.0, Format::Syslog);
        assert_eq!(r.1.as_deref(), Some("myhost"));
        assert_eq!(r.2, Origin::Kernel);
        assert_eq!(r.4.as_deref(), Some("--01-05T15:19:27"));
        assert_eq!(r.5.as_deref(), Some("5864.708440"));
        assert_eq!(r.6, "memorymonster invoked oom-killer: gfp_mask=0xd0");
    }

    #[test]
    fn syslog_without_host() {
        let r = one("Jan  5 15:19:27 kernel: [ 5864.708440] Task in /mem2 killed");
        assert_eq!(
            (r.1, r.2, r.6.as_str()),
            (None, Origin::Kernel, "Task in /mem2 killed")
        );
        let r = one("Jan  5 15:20:01 /usr/bin/lock: called by /bin/bash");
        assert_eq!(
            (r.2, r.3.as_deref()),
            (Origin::Program, Some("/usr/bin/lock"))
        );
    }

    #[test]
    fn other_writers_dates_before_host_and_tag() {
        // Issue 20: kill lines behind these prefixes were silent misses.
        let cases = [
            // Go's log package, fluent-bit and many agents.
            (
                "2026/11/21 22:25:45 vm kernel: x",
                "2026-11-21T22:25:45",
                Some("vm"),
            ),
            // Logging libraries (Python, log4j) and shippers: comma milliseconds.
            (
                "2026-11-21 22:25:45,462 vm kernel: x",
                "2026-11-21T22:25:45.462",
                Some("vm"),
            ),
            // rsyslog's date-mysql.
            (
                "20261121222545 vm kernel: x",
                "2026-11-21T22:25:45",
                Some("vm"),
            ),
            // Day before month, with and without a year.
            ("21 Nov 22:25:45 h kernel: x", "--11-21T22:25:45", Some("h")),
            (
                "21 Nov 2026 22:25:45 h kernel: x",
                "2026-11-21T22:25:45",
                Some("h"),
            ),
            (
                "21-Nov-2026 22:25:45 kernel: x",
                "2026-11-21T22:25:45",
                None,
            ),
        ];
        for (line, wall, host) in cases {
            let r = one(line);
            assert_eq!(
                (r.0, r.1.as_deref(), r.2, r.4.as_deref(), r.6.as_str()),
                (Format::Stamped, host, Origin::Kernel, Some(wall), "x"),
                "{line}"
            );
        }
        // The text alone after the date.
        let r = one("2026/11/21 22:25:45 [ 921.183161] python3 invoked oom-killer: x");
        assert_eq!(
            (r.0, r.2, r.4.as_deref(), r.5.as_deref(), r.6.as_str()),
            (
                Format::Stamped,
                Origin::Unknown,
                Some("2026-11-21T22:25:45"),
                Some("921.183161"),
                "python3 invoked oom-killer: x"
            )
        );
        let r = one("2026-11-21 22:25:45,462 CPU: 1 PID: 15346 Comm: python3");
        assert_eq!(
            (r.0, r.2, r.6.as_str()),
            (
                Format::Stamped,
                Origin::Unknown,
                "CPU: 1 PID: 15346 Comm: python3"
            )
        );
        // A program's line keeps its tag.
        let r = one("2026/11/21 22:25:45 vm sshd[1]: x");
        assert_eq!((r.2, r.3.as_deref()), (Origin::Program, Some("sshd")));
        // dmesg --time-format iso is still dmesg.
        assert_eq!(
            one("2026-11-21T22:25:45,975156+00:00 CPU: 1").0,
            Format::DmesgIso
        );
        // Numbers that are no such date.
        assert_eq!(one("21 11 22:25:45 h kernel: x").0, Format::Unparsed);
        assert_eq!(one("2026/13/21 22:25:45 x").0, Format::Bare);
    }

    #[test]
    fn loki_logcli_lines_are_read_inside() {
        // `logcli query` default output: query time, label set, the shipped line.
        let r = one(
            "2026-11-21T22:25:45.462Z {filename=\"/var/log/messages\", job=\"varlogs\"} Nov 21 22:25:45 vm kernel: x",
        );
        assert_eq!(
            (r.0, r.1.as_deref(), r.2, r.4.as_deref(), r.6.as_str()),
            (
                Format::Syslog,
                Some("vm"),
                Origin::Kernel,
                Some("--11-21T22:25:45"),
                "x"
            )
        );
        // The message alone (promtail's journal scrape): the query's time.
        let r = one("2026-11-21T22:25:45.462Z {unit=\"a}\\\"b\"} python3 invoked oom-killer: x");
        assert_eq!(
            (r.0, r.4.as_deref(), r.6.as_str()),
            (
                Format::Stamped,
                Some("2026-11-21T22:25:45.462+00:00"),
                "python3 invoked oom-killer: x"
            )
        );
        let r = one("2026-11-21T22:25:45Z {} [  921.183161] python3 invoked oom-killer: x");
        assert_eq!(
            (r.0, r.4.as_deref(), r.5.as_deref(), r.6.as_str()),
            (
                Format::Dmesg,
                Some("2026-11-21T22:25:45+00:00"),
                Some("921.183161"),
                "python3 invoked oom-killer: x"
            )
        );
        // A label set that never ends is no such line.
        assert_eq!(one("2026-11-21T22:25:45Z {job=\"x kernel").0, Format::Bare);
    }

    #[test]
    fn kernel_text_behind_an_unknown_header_is_still_read() {
        let r =
            one("21.11.2026 22:25:45 vm kernel: Memory cgroup out of memory: Killed process 1 (a)");
        assert_eq!(
            (r.0, r.1, r.2, r.4, r.6.as_str()),
            (
                Format::Unparsed,
                None,
                Origin::Kernel,
                None,
                "Memory cgroup out of memory: Killed process 1 (a)"
            )
        );
        // With a printk stamp, the stamp was always found wherever it is.
        let r = one("21.11.2026 22:25:45 vm kernel: [ 921.5] Killed process 1 (a)");
        assert_eq!(
            (r.0, r.5.as_deref()),
            (Format::Embedded, Some("921.500000"))
        );
        let r = one("node-7 | 21.11.2026 22:25:45 | Out of memory: Killed process 1 (a)");
        assert_eq!(
            (r.0, r.6.as_str()),
            (Format::Unparsed, "Out of memory: Killed process 1 (a)")
        );
        // No date or clock before it, an indented line, or a word glued before the
        // marker: not a header.
        assert_eq!(one("see: Killed process 1 (a)").0, Format::Bare);
        assert_eq!(one("  12:00 Killed process 1 (a)").0, Format::Bare);
        assert_eq!(one("12:00 xKilled process 1 (a)").0, Format::Bare);
    }

    #[test]
    fn busybox_syslogd_facility_level_field() {
        // samples/vm/*/*/messages: busybox syslogd between host and tag.
        let r = one(
            "Dec  7 11:59:38 vmlab kern.warn kernel: [    6.571227] svc-grower invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        );
        assert_eq!(
            (r.0, r.1.as_deref(), r.2, r.4.as_deref(), r.5.as_deref()),
            (
                Format::Syslog,
                Some("vmlab"),
                Origin::Kernel,
                Some("--12-07T11:59:38"),
                Some("6.571227")
            )
        );
        assert!(r.6.starts_with("svc-grower invoked"));
        let r =
            one("Dec  7 11:59:35 vmlab user.warn kernel: [    3.545562] vmlab: begin scenario d");
        assert_eq!((r.1.as_deref(), r.2), (Some("vmlab"), Origin::Program));
        // Not a facility: not a header of this shape, but the kernel text behind it
        // is still read (issue 20), without the header's time and host.
        let r = one("Dec  7 11:59:35 vmlab foo.bar kernel: x");
        assert_eq!(
            (r.0, r.1, r.2, r.4, r.6.as_str()),
            (Format::Unparsed, None, Origin::Kernel, None, "x")
        );
    }

    /// (line, host, wall, origin, body) of a record.
    type Rec = (u64, Option<String>, Option<String>, Origin, String);

    /// Every record of `text`, read as one input.
    fn lines(text: &str) -> Vec<Rec> {
        let mut p = Parser::new();
        let mut out = Vec::new();
        let mut push = |r: &Record<'_>| {
            out.push((
                r.line,
                r.host.map(|h| String::from_utf8_lossy(h).into_owned()),
                r.wall.map(|w| w.to_string()),
                r.origin,
                String::from_utf8_lossy(r.body).into_owned(),
            ))
        };
        for (i, l) in text.lines().enumerate() {
            p.parse(l.as_bytes(), i as u64 + 1, &mut push);
        }
        p.finish(&mut push);
        out
    }

    fn bodies(text: &str) -> Vec<String> {
        lines(text).into_iter().map(|r| r.4).collect()
    }

    #[test]
    fn mail_wrapped_header_and_kill_lines_are_rejoined() {
        // samples/pending/202: syslog lines hard-wrapped by the mail client.
        let r = lines(
            "Jan 25 14:59:30 dhcp-132.rmrf.net kernel: tuned invoked oom-killer:\n\
             gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n\
             Jan 25 14:59:30 dhcp-132.rmrf.net kernel: Out of memory: Killed\n\
             process 925 (firewalld) total-vm:298292kB, anon-rss:21912kB,\n\
             file-rss:0kB, shmem-rss:0kB, UID:0\n\
             Jan 25 14:59:34 dhcp-132.rmrf.net systemd[1]: firewalld.service: Main",
        );
        assert_eq!(r.len(), 3, "{r:?}");
        assert_eq!(
            (r[0].0, r[0].1.as_deref(), r[0].4.as_str()),
            (
                1,
                Some("dhcp-132.rmrf.net"),
                "tuned invoked oom-killer: gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0"
            )
        );
        assert_eq!(
            (r[1].0, r[1].4.as_str()),
            (
                3,
                "Out of memory: Killed process 925 (firewalld) total-vm:298292kB, anon-rss:21912kB, file-rss:0kB, shmem-rss:0kB, UID:0"
            )
        );
        // samples/pending/201: header glued after program output and wrapped after
        // `invoked`, then after a comma; kill line wrapped after the comm.
        assert_eq!(
            bodies(
                "Creating journal (262144 blocks): [   34.739137] mkfs.ext4 invoked\n\
                 oom-killer: gfp_mask=0x101cc0(GFP_USER|__GFP_WRITE), order=0,\n\
                 oom_score_adj=0\n\
                 [   35.429982] Out of memory: Killed process 350 (polkitd)\n\
                 total-vm:78084kB, anon-rss:2976kB, file-rss:8288kB, shmem-rss:0kB,\n\
                 UID:998 pgtables:72kB oom_score_adj:0\n\
                 [   35.444646] oom_reaper: reaped process 350 (polkitd), now\n\
                 anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"
            ),
            [
                "mkfs.ext4 invoked oom-killer: gfp_mask=0x101cc0(GFP_USER|__GFP_WRITE), order=0, oom_score_adj=0",
                "Out of memory: Killed process 350 (polkitd) total-vm:78084kB, anon-rss:2976kB, file-rss:8288kB, shmem-rss:0kB, UID:998 pgtables:72kB oom_score_adj:0",
                "oom_reaper: reaped process 350 (polkitd), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
            ]
        );
        // samples/pending/204: wrapped before the comm and after `Kill`, quoted.
        let r = lines(
            "> Nov 14 15:23:48 oldserver kernel: [337631.991218] Out of memory: Kill\n\
             > process 19961 (python) score 17 or sacrifice child\n\
             > Nov 14 15:23:48 oldserver kernel: [337631.991237] Killed process 31357\n\
             > (sh) total-vm:5400kB, anon-rss:252kB, file-rss:4kB, shmem-rss:0kB\n\
             > \n\
             > It now looks like this with 5.3.0-rc5 (minus the oom_score_adj):",
        );
        assert_eq!(
            r[0].4,
            "Out of memory: Kill process 19961 (python) score 17 or sacrifice child"
        );
        assert_eq!(
            (r[1].1.as_deref(), r[1].2.as_deref(), r[1].4.as_str()),
            (
                Some("oldserver"),
                Some("--11-14T15:23:48"),
                "Killed process 31357 (sh) total-vm:5400kB, anon-rss:252kB, file-rss:4kB, shmem-rss:0kB"
            )
        );
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn a_wrap_inside_the_task_name_is_rejoined_where_it_cut() {
        // Issue 15: a terminal or pager cut inside `(name)`; before, the kill line kept
        // `ja` and lost its fields (tests/reproducers/issue15).
        let log = "Apr 19 03:09:57 xxx kernel: Killed process 28656, UID 602, (ja\n\
                   va) total-vm:3862124kB, anon-rss:1749168kB, file-rss:24kB\n\
                   Apr 19 03:09:58 xxx kernel: [ 5.1] Out of memory: Killed process 350 (\n\
                   polkitd) total-vm:78084kB\n\
                   Apr 19 03:09:59 xxx kernel: oom_reaper: reaped process 350 (polk\n\
                   itd), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n\
                   Apr 19 03:10:00 xxx kernel: Killed process 1 (a b\n\
                   c)";
        assert_eq!(
            bodies(log),
            [
                "Killed process 28656, UID 602, (java) total-vm:3862124kB, anon-rss:1749168kB, file-rss:24kB",
                "Out of memory: Killed process 350 (polkitd) total-vm:78084kB",
                "oom_reaper: reaped process 350 (polkitd), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
                "Killed process 1 (a bc)",
            ]
        );
        // What follows must close the name and go on as the kernel does.
        assert_eq!(
            bodies(
                "Apr 19 03:09:57 xxx kernel: Killed process 28656 (ja\n\
                 something else) here"
            ),
            ["Killed process 28656 (ja", "something else) here"]
        );
    }

    #[test]
    fn lines_that_only_look_cut_stay_as_they_are() {
        // 2.6-era kill lines end at the comm; the next line is the next message.
        assert_eq!(
            bodies("[  12.5] Killed process 1234 (java)\n[  12.6] oom_reaper: x"),
            ["Killed process 1234 (java)", "oom_reaper: x"]
        );
        // A continuation that is not what the kernel prints next is not joined.
        assert_eq!(
            bodies("[  12.5] Killed process 1234 (java)\n  active_file:0 inactive_file:84"),
            [
                "Killed process 1234 (java)",
                "active_file:0 inactive_file:84"
            ]
        );
        assert_eq!(
            bodies("[  12.5] x invoked\nsomething else"),
            ["x invoked", "something else"]
        );
        // At the end of the input the held message is still handed out.
        assert_eq!(
            bodies("[  12.5] Out of memory: Killed"),
            ["Out of memory: Killed"]
        );
    }

    #[test]
    fn paste_prefixes_and_prompts() {
        // samples/pending/205: `egrep -r` file names before syslog lines.
        let r = lines(
            "root@dockervbox:~# egrep -i -r 'Out of memory' /var/log/\n\
             /var/log/kern.log:Jan 10 01:27:05 dockervbox kernel: [ 1683.797227] Memory cgroup out of memory: Killed process 3985 (malloc) total-vm:1211812kB, anon-rss:205140kB\n\
             $ dmesg | grep oom",
        );
        assert_eq!(r[0].3, Origin::Program);
        assert_eq!(
            (r[1].1.as_deref(), r[1].2.as_deref(), r[1].3),
            (Some("dockervbox"), Some("--01-10T01:27:05"), Origin::Kernel)
        );
        assert!(
            r[1].4
                .starts_with("Memory cgroup out of memory: Killed process 3985")
        );
        assert_eq!(r[2].3, Origin::Program);
        // grep -n / web page line numbers, an opening quote.
        for l in [
            "12:Jan 10 01:27:05 h kernel: x",
            "  12 | Jan 10 01:27:05 h kernel: x",
            "\"Jan 10 01:27:05 h kernel: x",
            ">>> Jan 10 01:27:05 h kernel: x",
        ] {
            let r = one(l);
            assert_eq!((r.1.as_deref(), r.6.as_str()), (Some("h"), "x"), "{l}");
        }
        for l in ["[root@h ~]# dmesg", "user@h:/tmp$ ./a.out", "# dmesg"] {
            assert!(is_prompt(l.as_bytes()), "{l}");
        }
        for l in ["sh: 1: x: not found", "active_file:0 #1", "100% done"] {
            assert!(!is_prompt(l.as_bytes()), "{l}");
        }
    }

    #[test]
    fn fake_kernel_tag_is_a_program() {
        let r = one("Nov 12 12:29:23 alien kernel[19202]: Start for oom-killer");
        assert_eq!((r.2, r.3.as_deref()), (Origin::Program, Some("kernel")));
    }

    #[test]
    fn rsyslog_escapes_split_and_unescape() {
        let v = decode(&mut Parser::new(), "Nov 21 22:25:45 vm kernel: a#012b#033c");
        let bodies: Vec<_> = v.iter().map(|r| r.6.clone()).collect();
        assert_eq!(bodies, ["a", "b\u{1b}c"]);
    }

    #[test]
    fn kmsg_records() {
        let r = one("6,8423,921183309,-;memory: usage 65536kB, limit 65536kB, failcnt 960");
        assert_eq!(
            (r.0, r.2, r.5.as_deref()),
            (Format::Kmsg, Origin::Kernel, Some("921.183309"))
        );
        let r = one("12,8392,920975156,-;oomlab: begin cap");
        assert_eq!(r.2, Origin::Program);
        let v = decode(
            &mut Parser::new(),
            "6,1,2,-,caller=T55;stats:\\x0aanon 1\\x0afile 2",
        );
        let bodies: Vec<_> = v.iter().map(|r| r.6.clone()).collect();
        assert_eq!(bodies, ["stats:", "anon 1", "file 2"]);
    }

    #[test]
    fn kmsg_dictionary_lines_are_dropped() {
        let mut p = Parser::new();
        assert_eq!(decode(&mut p, "6,1,2,-;usb 1-1: new device").len(), 1);
        assert!(decode(&mut p, " SUBSYSTEM=usb").is_empty());
        assert!(decode(&mut p, " DEVICE=c189:1").is_empty());
    }

    #[test]
    fn dmesg_shapes() {
        let r = one("[  921.183161] python3 invoked oom-killer: x");
        assert_eq!(
            (r.0, r.2, r.5.as_deref()),
            (Format::Dmesg, Origin::Unknown, Some("921.183161"))
        );
        assert_eq!(r.6, "python3 invoked oom-killer: x");
        let r = one("[   12.345678][  T1234] text");
        assert_eq!((r.0, r.6.as_str()), (Format::Dmesg, "text"));
        let r = one("<4>[  921.183161] text");
        assert_eq!((r.0, r.2), (Format::Dmesg, Origin::Kernel));
        let r = one("<12>[  921.183161] oomlab: x");
        assert_eq!(r.2, Origin::Program);
        let r = one("[Sat Nov 21 22:25:46 2026] Memory cgroup out of memory");
        assert_eq!(
            (r.0, r.4.as_deref()),
            (Format::DmesgCtime, Some("2026-11-21T22:25:46"))
        );
        let r = one("2026-11-21T22:25:45,975156+00:00 Hardware name: QEMU");
        assert_eq!(
            (r.0, r.1, r.6.as_str()),
            (Format::DmesgIso, None, "Hardware name: QEMU")
        );
        let r = one("kern  :warn  : [  921.183161] python3 invoked");
        assert_eq!(
            (r.0, r.2, r.6.as_str()),
            (Format::Dmesg, Origin::Kernel, "python3 invoked")
        );
    }

    #[test]
    fn dmesg_body_that_looks_like_host_and_tag() {
        let r = one("[ 5864.708447] Hardware name: Hewlett-Packard HP Z420");
        assert_eq!(
            (r.0, r.1, r.6.as_str()),
            (
                Format::Dmesg,
                None,
                "Hardware name: Hewlett-Packard HP Z420"
            )
        );
    }

    #[test]
    fn journal_text_shapes() {
        let mut p = Parser::new();
        let r = &decode(&mut p, "[  921.183161] vm kernel: python3 invoked")[0];
        assert_eq!(
            (r.0, r.1.as_deref(), r.2),
            (Format::JournalMonotonic, Some("vm"), Origin::Kernel)
        );
        let r = &decode(&mut p, "[  920.975156] vm oomlab: begin")[0];
        assert_eq!(
            (r.0, r.2, r.6.as_str()),
            (Format::JournalMonotonic, Origin::Program, "begin")
        );
        let r = one("2026-11-21T22:25:46+0000 vm kernel: x");
        assert_eq!(
            (r.0, r.4.as_deref()),
            (Format::SyslogIso, Some("2026-11-21T22:25:46+00:00"))
        );
        let r = one("Sat 2026-11-21 22:25:46 UTC vm kernel: x");
        assert_eq!(
            (r.0, r.1.as_deref(), r.6.as_str()),
            (Format::JournalFull, Some("vm"), "x")
        );
        let r = one("1795299946.279073 vm kernel: x");
        assert_eq!(r.0, Format::JournalUnix);
    }

    #[test]
    fn journal_json() {
        let line = r#"{"_SOURCE_MONOTONIC_TIMESTAMP":"921183161","MESSAGE":"python3 invoked oom-killer","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel","__REALTIME_TIMESTAMP":"1795299946279073","_HOSTNAME":"vm","_BOOT_ID":"9b6c"}"#;
        let r = one(line);
        assert_eq!(r.0, Format::JournalJson);
        assert_eq!(r.1.as_deref(), Some("vm"));
        assert_eq!(r.4.as_deref(), Some("2026-11-21T22:25:46.279073+00:00"));
        assert_eq!(r.5.as_deref(), Some("921.183161"));
        let ident = r#"{"MESSAGE":"begin cap","SYSLOG_IDENTIFIER":"oomlab","_TRANSPORT":"kernel","SYSLOG_FACILITY":"1","__REALTIME_TIMESTAMP":"1"}"#;
        assert_eq!(one(ident).6, "oomlab: begin cap");
        let bytes = r#"{"MESSAGE":[75,105,108,108,101,100,10,120],"_TRANSPORT":"kernel","__REALTIME_TIMESTAMP":"1"}"#;
        let v = decode(&mut Parser::new(), bytes);
        assert_eq!(
            v.iter().map(|r| r.6.as_str()).collect::<Vec<_>>(),
            ["Killed", "x"]
        );
    }

    #[test]
    fn embedded_guest_log() {
        let r = one(
            "2023-12-04T10:49:30.127Z In(05) vcpu-5 - Guest: <6>[39291577.009363] Tasks state (memory values in pages):",
        );
        assert_eq!((r.0, r.2), (Format::Embedded, Origin::Kernel));
        assert_eq!(r.5.as_deref(), Some("39291577.009363"));
        assert_eq!(r.6, "Tasks state (memory values in pages):");
    }

    #[test]
    fn bare_lines_inherit_the_previous_header() {
        let mut p = Parser::new();
        decode(
            &mut p,
            "[   33.932281] active_anon:7174 inactive_anon:484737 isolated_anon:0",
        );
        let r = &decode(
            &mut p,
            "                active_file:0 inactive_file:84 isolated_file:0",
        )[0];
        assert_eq!(
            (r.0, r.5.as_deref(), r.6.as_str()),
            (
                Format::Bare,
                Some("33.932281"),
                "active_file:0 inactive_file:84 isolated_file:0"
            )
        );
        let r = one("    memcg_process invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)");
        assert_eq!(
            (r.0, r.2, r.6.as_str()),
            (
                Format::Bare,
                Origin::Unknown,
                "memcg_process invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)"
            )
        );
        let r = one("  [271641.879153] test_zswap invoked oom-killer");
        assert_eq!(
            (r.0, r.6.as_str()),
            (Format::Dmesg, "test_zswap invoked oom-killer")
        );
    }

    #[test]
    fn rfc5424() {
        let r = one("<4>1 2026-11-21T22:25:46.1Z vm kernel - - - Killed process 1 (x)");
        assert_eq!(
            (r.0, r.1.as_deref(), r.2, r.6.as_str()),
            (
                Format::Rfc5424,
                Some("vm"),
                Origin::Kernel,
                "Killed process 1 (x)"
            )
        );
    }

    #[test]
    fn year_rollover_is_counted() {
        let mut p = Parser::new();
        let mut epochs = Vec::new();
        for l in [
            "Dec 31 23:59:59 h kernel: a",
            "Jan  1 00:00:01 h kernel: b",
            "Jan  1 00:00:00 h kernel: c",
        ] {
            p.parse(l.as_bytes(), 1, &mut |r| {
                if let Some(Wall::Yearless(y)) = r.wall {
                    epochs.push(y.epoch)
                }
            });
        }
        assert_eq!(epochs, [0, 1, 1]);
    }
}

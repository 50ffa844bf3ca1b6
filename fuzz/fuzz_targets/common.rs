//! Shared by the fuzz targets: scanning with chosen options and comparing event lists.

#![allow(dead_code)]

use std::io::{self, Read};

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use oomlens::event::{Assembler, AssemblerOptions, OomEvent, kinds};
use oomlens::input::lines::{DEFAULT_CAPACITY, DEFAULT_MAX_LINE, Line, LineReader, LineSink, Want};
use oomlens::input::MappedFile;
use oomlens::pipeline::{InputScan, ScanOptions, scan_reader};
use oomlens::record::{FormatHint, Parser};

/// The input name every scan uses (it ends up in `source.path`).
pub const NAME: &str = "fuzz";

/// Reproducible options: year-less stamps belong to 2026, "now" is fixed.
pub fn opts(
    buffer_size: usize,
    max_line: usize,
    every_line: bool,
    hint: FormatHint,
) -> ScanOptions {
    ScanOptions {
        year: Some(2026),
        now: chrono_now(),
        buffer_size,
        max_line,
        every_line,
        hint,
        ..ScanOptions::default()
    }
}

fn chrono_now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("valid date")
}

/// Options derived from the first bytes of a fuzz input, and the rest of the input.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Read buffer size (16..=4111), never larger than `max_line`.
    pub buffer_size: usize,
    /// Line cap: the default most of the time, else small.
    pub max_line: usize,
    /// The plain path.
    pub every_line: bool,
    /// Line-shape hint.
    pub hint: FormatHint,
    /// A reader that hands out only a few bytes per `read` call.
    pub trickle: Option<usize>,
}

/// Bytes of configuration in front of the log text.
pub const HEADER: usize = 4;

impl Config {
    pub fn split(data: &[u8]) -> (Config, &[u8]) {
        let mut h = [0u8; HEADER];
        let n = data.len().min(HEADER);
        h[..n].copy_from_slice(&data[..n]);
        let rest = &data[n..];
        let flags = h[0];
        let every_line = flags & 1 != 0;
        let hint = match (flags >> 1) & 7 {
            5 => FormatHint::Kmsg,
            6 => FormatHint::JournalJson,
            7 => FormatHint::Bare,
            _ => FormatHint::Auto,
        };
        let trickle = (flags & 0x10 != 0).then_some(1 + (flags as usize >> 5));
        let max_line = if h[3] & 0x80 == 0 {
            DEFAULT_MAX_LINE
        } else {
            16 + usize::from(u16::from_le_bytes([h[3] & 0x7f, h[2]]) % 4096)
        };
        let buffer_size = (16 + usize::from(u16::from_le_bytes([h[1], h[2]]) % 4096)).min(max_line);
        (
            Config {
                buffer_size,
                max_line,
                every_line,
                hint,
                trickle,
            },
            rest,
        )
    }
}

/// Hands out at most `n` bytes per `read` call, like a pipe.
pub struct Trickle<'a> {
    pub data: &'a [u8],
    pub n: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

/// A scan and its events, read back from the event store.
pub struct Scanned {
    pub scan: InputScan,
    pub events: Vec<OomEvent>,
}

/// The events of a scan (from memory, or from the spill file past the budget).
pub fn events_of(s: &InputScan) -> Vec<OomEvent> {
    s.events.to_vec().expect("events read back")
}

/// Scans `data` with `o`, optionally trickling it.
pub fn scan(data: &[u8], o: &ScanOptions, trickle: Option<usize>) -> Scanned {
    let s = match trickle {
        Some(n) => scan_reader(NAME, Trickle { data, n }, None, o),
        None => scan_reader(NAME, data, None, o),
    };
    let events = events_of(&s);
    check_spans(&events);
    for ev in &events {
        assert!(
            ev.source.last_line <= s.stats.lines,
            "event ends at line {} of {}",
            ev.source.last_line,
            s.stats.lines
        );
    }
    Scanned { scan: s, events }
}

/// Structural invariants every event must satisfy.
pub fn check_spans(events: &[OomEvent]) {
    for ev in events {
        assert!(
            ev.source.first_line <= ev.source.last_line,
            "first_line {} > last_line {}",
            ev.source.first_line,
            ev.source.last_line
        );
        assert_eq!(ev.source.path, NAME);
    }
}

/// Panics with a readable diff when two event lists differ.
pub fn assert_same(what: &str, a: &[OomEvent], b: &[OomEvent]) {
    if a == b {
        return;
    }
    let ja = serde_json::to_string_pretty(a).unwrap_or_default();
    let jb = serde_json::to_string_pretty(b).unwrap_or_default();
    let first = ja
        .lines()
        .zip(jb.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(0);
    let la: Vec<&str> = ja.lines().skip(first.saturating_sub(6)).take(14).collect();
    let lb: Vec<&str> = jb.lines().skip(first.saturating_sub(6)).take(14).collect();
    panic!(
        "{what}: events differ ({} vs {} events); around line {first}:\n--- left\n{}\n--- right\n{}",
        a.len(),
        b.len(),
        la.join("\n"),
        lb.join("\n")
    );
}

/// The reference buffer size for a line cap: the default, but never over the cap
/// (a buffer larger than the cap keeps lines whole that a smaller one would cut).
pub fn reference_buffer(max_line: usize) -> usize {
    DEFAULT_CAPACITY.min(max_line)
}

/// `OOMLENS_FUZZ_STRICT=1`: report every fast/plain difference, including the known
/// classes below (each has a repro in `tests/fuzz-regressions/pending/`).
pub static STRICT: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("OOMLENS_FUZZ_STRICT").is_some_and(|v| v != "0"));

/// A copy of the pipeline's line sink that also writes down every record it decoded
/// (and every sample line), by line number, so that runs can be compared line by line.
struct Recorder {
    parser: Parser,
    asm: Assembler,
    every_line: bool,
    records: Vec<(u64, String)>,
}

impl LineSink for Recorder {
    fn start(&self) -> Want {
        Want::every_if(self.every_line)
    }

    fn line(&mut self, line: Line<'_>) -> Want {
        let out = &mut self.records;
        let asm = &mut self.asm;
        self.parser.parse(line.bytes, line.number, &mut |r| {
            out.push((r.line, format!("{r:?}")));
            asm.push(r);
        });
        let _ = self.asm.drain_ready();
        Want::every_if(self.every_line || self.asm.wants_every_line())
    }

    fn sample(&mut self, line: Line<'_>) -> bool {
        self.records
            .push((line.number, format!("sample {:?}", line.bytes)));
        self.parser.track(line.bytes, line.number)
    }
}

/// How the line reader gets the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Through `Read`.
    Stream,
    /// From a file, by position.
    At,
    /// From a mapped file.
    Mapped,
}

/// What the pipeline's sink would decode (and sample) from `text`, read with `workers`
/// helper threads; the last entry is the parser's last year-less stamp (the year anchor).
pub fn records(
    text: &[u8],
    o: &ScanOptions,
    every_line: bool,
    workers: usize,
) -> Vec<(u64, String)> {
    records_via(text, o, every_line, workers, Access::Stream)
}

/// [`records`], with the bytes taken from a file as `access` says.
pub fn records_via(
    text: &[u8],
    o: &ScanOptions,
    every_line: bool,
    workers: usize,
    access: Access,
) -> Vec<(u64, String)> {
    let mut sink = Recorder {
        parser: kinds::parser(o.hint),
        asm: Assembler::new(NAME, AssemblerOptions::default()),
        every_line,
        records: Vec::new(),
    };
    // As the pipeline does: the first 16 KiB tell journalctl short-monotonic apart.
    sink.parser.sniff(&text[..text.len().min(16 * 1024)]);
    let mut rdr = LineReader::with_limits(text, o.buffer_size, o.max_line).with_workers(workers);
    if access != Access::Stream {
        let mut file = tempfile::tempfile().expect("a temporary file");
        std::io::Write::write_all(&mut file, text).expect("written");
        rdr = match access {
            Access::Mapped => {
                oomlens::input::install_sigbus_guard().expect("the SIGBUS guard installs");
                // SAFETY: the file is this run's own temporary file, never changed.
                let map = unsafe { MappedFile::map(&file) }.expect("a non-empty file maps");
                rdr.reading_mapped(Arc::new(map), None)
            }
            _ => rdr.reading_at(Arc::new(file), None),
        };
    }
    let _ = rdr.run(&mut sink, kinds::prefilter());
    let last = sink.parser.last_yearless();
    sink.records.push((u64::MAX, format!("{last:?}")));
    sink.records
}

/// Marker search by helper threads hands out the same lines as the search in the
/// reading thread. (The sample lines between them may differ: the buffer is filled in
/// other pieces, so other lines end a region; that is known class A.)
pub fn assert_workers_agree(text: &[u8], o: &ScanOptions) {
    let lines = |workers, access| -> Vec<(u64, String)> {
        records_via(text, o, false, workers, access)
            .into_iter()
            .filter(|(_, r)| !r.starts_with("sample "))
            .collect()
    };
    let alone = lines(0, Access::Stream);
    for (workers, access) in [(1, Access::Stream), (2, Access::Stream)] {
        let helped = lines(workers, access);
        if helped != alone
            && (*STRICT || !helped_records_differ_by_samples(text, o, workers, access))
        {
            let i = helped
                .iter()
                .zip(&alone)
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{workers} helper threads ({access:?}), buffer {}, line cap {}: lines differ at entry {i} \
                 ({} vs {} entries)\n  helped: {:?}\n  alone:  {:?}",
                o.buffer_size,
                o.max_line,
                helped.len(),
                alone.len(),
                helped.get(i),
                alone.get(i)
            );
        }
    }
}

/// Reading a file by position or mapped hands out exactly the lines a lone reader of
/// the stream does when every line is wanted. (Between reports the sample lines differ
/// with the buffer's pieces, as for helpers, and with them what the parser guesses: the
/// line reader's own test checks the lines handed out there with a sink that does not
/// depend on samples.)
pub fn assert_file_readers_agree(text: &[u8], o: &ScanOptions) {
    if text.is_empty() {
        // An empty file is not mapped.
        return;
    }
    let alone = records(text, o, true, 0);
    for (workers, access) in [(1, Access::At), (0, Access::Mapped), (2, Access::Mapped)] {
        let got = records_via(text, o, true, workers, access);
        if got != alone {
            let i = got.iter().zip(&alone).position(|(a, b)| a != b).unwrap_or(0);
            panic!(
                "{access:?} with {workers} helpers, buffer {}, line cap {}: lines differ at \
                 entry {i} ({} vs {} entries)\n  file:   {:?}\n  stream: {:?}",
                o.buffer_size,
                o.max_line,
                got.len(),
                alone.len(),
                got.get(i),
                alone.get(i)
            );
        }
    }
}

/// Whether the records of a helped run differ from those of a lone run only because
/// the parser state came from other sample lines: the same line numbers were decoded.
fn helped_records_differ_by_samples(
    text: &[u8],
    o: &ScanOptions,
    workers: usize,
    access: Access,
) -> bool {
    let numbers = |workers, access| -> Vec<u64> {
        records_via(text, o, false, workers, access)
            .into_iter()
            .filter(|(n, r)| *n != u64::MAX && !r.starts_with("sample "))
            .map(|(n, _)| n)
            .collect()
    };
    let samples = |workers, access| -> Vec<(u64, String)> {
        records_via(text, o, false, workers, access)
            .into_iter()
            .filter(|(_, r)| r.starts_with("sample "))
            .collect()
    };
    numbers(workers, access) == numbers(0, Access::Stream)
        && samples(workers, access) != samples(0, Access::Stream)
}

/// Known class A (pending/fast-path-bare-line-*, pending/fast-path-year-*): the fast
/// path decodes a line differently from the plain path, or ends with another last
/// year-less stamp (the year anchor), because the parser state (the previous header
/// for a header-less line, the year rollover count, the short-monotonic flag) came
/// from lines the fast path skipped.
pub fn fast_records_differ(text: &[u8], o: &ScanOptions) -> bool {
    let mut plain: HashMap<u64, Vec<String>> = HashMap::new();
    for (n, r) in records(text, o, true, 0) {
        plain.entry(n).or_default().push(r);
    }
    // The pipeline searches with helper threads when cores are idle, without otherwise.
    [0, scan_helpers()].iter().any(|&workers| {
        records(text, o, false, workers)
            .iter()
            .filter(|(_, r)| !r.starts_with("sample "))
            .any(|(n, r)| !plain.get(n).is_some_and(|v| v.contains(r)))
    })
}

/// Helper threads `scan_reader` uses outside a rayon pool: as many as rayon's global
/// pool has (the number of cores unless `RAYON_NUM_THREADS` says otherwise), none on
/// one core.
fn scan_helpers() -> usize {
    let n = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if n == 1 { 0 } else { n }
}

type Bytes = Option<Vec<u8>>;

/// The kernel records of every line: (line, host, printk µs, boot id).
struct Clocks {
    parser: Parser,
    seen: Vec<(u64, Bytes, Option<u64>, Bytes)>,
}

impl LineSink for Clocks {
    fn start(&self) -> Want {
        Want::Every
    }

    fn line(&mut self, line: Line<'_>) -> Want {
        let seen = &mut self.seen;
        self.parser.parse(line.bytes, line.number, &mut |r| {
            if r.is_kernel() {
                seen.push((
                    r.line,
                    r.host.map(<[u8]>::to_vec),
                    r.printk.map(|p| p.micros()),
                    r.boot.map(<[u8]>::to_vec),
                ));
            }
        });
        Want::Every
    }

    fn sample(&mut self, _: Line<'_>) -> bool {
        true
    }
}

/// Known class B (pending/fast-path-boot-seq-*): a reboot shows only in lines the fast
/// path skips (the printk clock going back, another journal boot id), so the plain
/// path numbers boots differently and does not carry a kernel version across it.
pub fn reboot_in_skipped_lines(text: &[u8], o: &ScanOptions) -> bool {
    let mut sink = Clocks {
        parser: kinds::parser(o.hint),
        seen: Vec::new(),
    };
    sink.parser.sniff(&text[..text.len().min(16 * 1024)]);
    let mut rdr = LineReader::with_limits(text, o.buffer_size, o.max_line);
    let _ = rdr.run(&mut sink, kinds::prefilter());
    let mut fast: Vec<u64> = [0, scan_helpers()]
        .iter()
        .flat_map(|&w| records(text, o, false, w))
        .filter(|(n, r)| *n != u64::MAX && !r.starts_with("sample "))
        .map(|(n, _)| n)
        .collect();
    fast.sort_unstable();
    // The lines where the clock shows a reboot, seen through all kernel records and
    // through those of the lines the fast path decoded.
    let resets = |only_fast: bool| -> Vec<u64> {
        // Per host: the last printk stamp and boot id.
        let mut last: HashMap<&Bytes, (Option<u64>, Option<&Vec<u8>>)> = HashMap::new();
        let mut out = Vec::new();
        for (line, host, printk, boot) in &sink.seen {
            if only_fast && fast.binary_search(line).is_err() {
                continue;
            }
            let prev = last.entry(host).or_default();
            let reset = matches!((prev.0, printk), (Some(a), Some(b)) if b + 1_000_000 < a)
                || matches!((prev.1, boot), (Some(a), Some(b)) if a != b);
            if reset {
                out.push(*line);
            }
            if printk.is_some() {
                prev.0 = *printk;
            }
            if let Some(b) = boot {
                prev.1 = Some(b);
            }
        }
        out
    };
    resets(false) != resets(true)
}

/// Known class B, when nothing but the boot numbers differ.
pub fn same_but_boot_seq(a: &[OomEvent], b: &[OomEvent]) -> bool {
    let norm = |v: &[OomEvent]| {
        v.iter()
            .cloned()
            .map(|mut e| {
                e.boot_seq = 0;
                e
            })
            .collect::<Vec<_>>()
    };
    norm(a) == norm(b)
}

/// Known class D (pending/fast-path-event-order-across-hosts): the same events in
/// another order. At the end of the input, open and recent reports are emitted stream
/// by stream (per host) in the order the streams were first seen, and the plain path
/// sees a host's first line earlier than the fast path does.
pub fn same_but_order(a: &[OomEvent], b: &[OomEvent]) -> bool {
    let sorted = |v: &[OomEvent]| {
        let mut j: Vec<String> = v
            .iter()
            .map(|e| serde_json::to_string(e).unwrap_or_default())
            .collect();
        j.sort();
        j
    };
    a.len() == b.len() && sorted(a) == sorted(b)
}

/// Whether two event lists of the same text may differ by one of the known classes.
pub fn known_difference(text: &[u8], o: &ScanOptions, a: &[OomEvent], b: &[OomEvent]) -> bool {
    same_but_boot_seq(a, b)
        || same_but_order(a, b)
        || fast_records_differ(text, o)
        || reboot_in_skipped_lines(text, o)
}

/// Compares a run that may have used the fast path with a plain run of the same text
/// and line cap, leaving out the known classes unless strict.
pub fn assert_fast_matches_plain(
    what: &str,
    text: &[u8],
    o: &ScanOptions,
    fast: &[OomEvent],
    plain: &[OomEvent],
) {
    if fast == plain {
        return;
    }
    if !*STRICT && known_difference(text, o, fast, plain) {
        return;
    }
    assert_same(what, fast, plain);
}


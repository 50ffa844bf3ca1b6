//! Wiring: inputs → lines → records → events, one input per worker.
//!
//! Each input is read by one thread (gzip decoding is serial within a file), and
//! inputs are spread over the available cores; results come back in input order.

use std::fs::File;
use std::io::Read;
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Local, NaiveDateTime};
use rayon::prelude::*;

use crate::diag::{Diagnostic, Severity};
use crate::error::Error;
use crate::event::store::{Budget, EventStore};
use crate::event::{Assembler, AssemblerOptions, BootEvidence};
use crate::input::discover::Input;
use crate::input::lines::{Line, LineReader, LineSink, ReadStats, Want};
use crate::input::mapped::MappedFile;
use crate::input::markers::Markers;
use crate::input::{self, Compression, Source};
use crate::record::{FormatHint, Parser, Record, Wall, YearAnchor};

/// How to scan inputs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Assume a line shape instead of detecting it.
    pub hint: FormatHint,
    /// The year of the last year-less stamp of every input (`--year`).
    pub year: Option<i32>,
    /// Read every line instead of searching for markers between reports (slower; the
    /// reference the fast path is tested against).
    pub every_line: bool,
    /// Read buffer size.
    pub buffer_size: usize,
    /// Longest line kept whole.
    pub max_line: usize,
    /// "Now", the year anchor for streams without a modification time.
    pub now: NaiveDateTime,
    /// Event assembly settings.
    pub assembler: AssemblerOptions,
    /// Adds the bytes read from every input (for a progress bar).
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// Memory the events of all inputs may use before they go to a temporary file.
    pub budget: std::sync::Arc<Budget>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            hint: FormatHint::Auto,
            year: None,
            every_line: false,
            buffer_size: input::lines::DEFAULT_CAPACITY,
            max_line: input::lines::DEFAULT_MAX_LINE,
            now: Local::now().naive_local(),
            assembler: AssemblerOptions::default(),
            progress: None,
            budget: Budget::new(crate::event::store::DEFAULT_BUDGET),
        }
    }
}

/// What scanning one input produced.
#[derive(Debug, Default)]
pub struct InputScan {
    /// The input's name (`-` for standard input).
    pub name: String,
    /// Events, in the order their reports closed.
    pub events: EventStore,
    /// Swap and kernel evidence per boot.
    pub evidence: Vec<BootEvidence>,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// Bytes and lines read.
    pub stats: ReadStats,
    /// How the input was stored, if it could be opened.
    pub compression: Option<Compression>,
    /// Records decoded (lines with a known shape count once per message).
    pub records: u64,
    /// The input could not be read, or not to the end.
    pub failed: bool,
}

/// Scans several inputs in parallel; results are in input order.
pub fn scan_all(inputs: &[Input], opts: &ScanOptions) -> Vec<InputScan> {
    // Threads that no input needs search for markers ahead of the readers: with one
    // input, decompression and searching overlap; with many, the inputs fill the cores.
    let helpers = helpers_for(inputs.len());
    inputs
        .par_iter()
        .map(|i| scan_input_with(i, opts, helpers))
        .collect()
}

/// Helper threads per input when `inputs` are scanned at once: the threads the inputs
/// leave idle, none when the CPUs are busy.
fn helpers_for(inputs: usize) -> usize {
    let threads = rayon::current_num_threads();
    if inputs >= threads || cpu_contended() {
        0
    } else {
        threads / inputs.max(1)
    }
}

/// Opens and scans one input. Errors become diagnostics of the result.
pub fn scan_input(inp: &Input, opts: &ScanOptions) -> InputScan {
    scan_input_with(inp, opts, spare_threads())
}

/// Helper threads for a scan that runs alone: as many as rayon may use, unless it runs
/// inside a rayon task (whose pool is busy with other inputs) or the CPUs are busy.
fn spare_threads() -> usize {
    match rayon::current_thread_index() {
        Some(_) => 0,
        None => helpers_for(1),
    }
}

/// Whether other work keeps the CPUs busy: tasks waited for a CPU more than a fifth
/// of the last ten seconds (Linux pressure stall information; elsewhere: no). Extra
/// threads then only take turns with this one on the same share of a core, and the
/// hand-overs cost more than they save (measured on a shared 2-core machine: a .gz
/// took 1.35 s with a reading thread and 1.19 s without).
fn cpu_contended() -> bool {
    static CONTENDED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *CONTENDED.get_or_init(|| {
        let Ok(psi) = std::fs::read_to_string("/proc/pressure/cpu") else {
            return false;
        };
        psi.lines()
            .find_map(|l| l.strip_prefix("some "))
            .and_then(|l| l.split(' ').find_map(|kv| kv.strip_prefix("avg10=")))
            .and_then(|v| v.parse::<f64>().ok())
            .is_some_and(|avg10| avg10 > 20.0)
    })
}

fn scan_input_with(inp: &Input, opts: &ScanOptions, helpers: usize) -> InputScan {
    let name = inp.source.name();
    match input::open_with_progress(&inp.source, opts.progress.clone()) {
        Ok(opened) => {
            let compression = opened.compression;
            let raw = opened.raw_bytes.clone();
            // A plain file is searched where it lies (mapped), or else read by position,
            // by the threads that search it, this one included, which leaves this one
            // free for the reports. Otherwise, with two threads to spare, one reads
            // (decompresses) ahead while this one scans; more go to searching.
            let file = opened
                .plain_file
                .filter(|_| helpers >= 2 && !opts.every_line)
                .map(|f| match MappedFile::map(&f) {
                    Ok(m) => PlainFile::Mapped(Arc::new(m)),
                    Err(_) => PlainFile::At(f),
                });
            let (reader, helpers): (Box<dyn Read + Send>, usize) = if file.is_some() {
                (opened.reader, helpers - 1)
            } else if helpers >= 2 {
                (Box::new(input::ReadAhead::new(opened.reader)), helpers - 2)
            } else {
                (opened.reader, helpers)
            };
            let mut scan =
                scan_reader_with(&opened.name, reader, file, opened.mtime, opts, helpers);
            scan.compression = Some(compression);
            if scan.failed
                && compression == Compression::Gzip
                && let Some(d) = scan
                    .diagnostics
                    .iter_mut()
                    .rev()
                    .find(|d| d.code == "read-error")
            {
                d.message = format!(
                    "{} (compressed input read up to byte {})",
                    d.message,
                    raw.load(std::sync::atomic::Ordering::Relaxed)
                );
            }
            scan
        }
        Err(e) => {
            let (severity, code) = match (&e, inp.explicit) {
                (Error::Unsupported { .. }, false) => (Severity::Warning, "skipped"),
                (Error::Unsupported { .. }, true) => (Severity::Error, "unsupported"),
                _ => (Severity::Error, "unreadable"),
            };
            let message = match &e {
                Error::Io { source, .. } => format!("cannot read: {source}"),
                Error::Unsupported { what, .. } => what.clone(),
            };
            InputScan {
                name: name.clone(),
                diagnostics: vec![Diagnostic::new(severity, code, &name, None, message)],
                failed: severity == Severity::Error,
                ..Default::default()
            }
        }
    }
}

/// Scans a reader that yields the text of one input.
pub fn scan_reader<R: Read>(
    name: &str,
    reader: R,
    mtime: Option<SystemTime>,
    opts: &ScanOptions,
) -> InputScan {
    scan_reader_with(name, reader, None, mtime, opts, spare_threads())
}

/// A plain regular file read other than through its reader.
enum PlainFile {
    Mapped(Arc<MappedFile>),
    /// Read by position.
    At(Arc<File>),
}

/// Scans `reader`, or `file` (the same bytes) when it is given.
fn scan_reader_with<R: Read>(
    name: &str,
    reader: R,
    file: Option<PlainFile>,
    mtime: Option<SystemTime>,
    opts: &ScanOptions,
    helpers: usize,
) -> InputScan {
    let markers = Markers::new();
    let mut sink = ScanSink {
        parser: Parser::with_hint(opts.hint),
        asm: Assembler::new(name, opts.assembler.clone()),
        every_line: opts.every_line,
        records: 0,
        events: EventStore::new(opts.budget.clone()),
    };
    let reader = sniffed(&mut sink.parser, reader);
    let mut rdr = LineReader::with_limits(reader, opts.buffer_size, opts.max_line)
        .with_workers(if opts.every_line { 0 } else { helpers });
    match &file {
        Some(PlainFile::Mapped(m)) => rdr = rdr.reading_mapped(m.clone(), opts.progress.clone()),
        Some(PlainFile::At(f)) => rdr = rdr.reading_at(f.clone(), opts.progress.clone()),
        None => {}
    }
    let result = rdr.run(&mut sink, &markers);
    sink.asm.finish();
    sink.collect();
    let stats = rdr.stats();
    let mut diagnostics = sink.asm.take_diagnostics();
    if let Some(first) = stats.first_truncated_line {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "long-line",
            name,
            Some(first),
            format!(
                "{} line(s) longer than {} bytes; only their start was read (the first is line {first})",
                stats.truncated_lines, opts.max_line
            ),
        ));
    }
    let mut failed = false;
    if let Err(e) = result {
        failed = true;
        diagnostics.push(Diagnostic::new(
            Severity::Error,
            "read-error",
            name,
            Some(stats.lines + 1),
            format!(
                "reading stopped after {} bytes ({} lines): {e}; events before this point are reported",
                stats.bytes, stats.lines
            ),
        ));
    }
    if let Some(PlainFile::Mapped(m)) = &file
        && m.shrank()
    {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "shrank",
            name,
            None,
            "the file shrank while it was read (truncated by log rotation?); the bytes past its new end read as NUL bytes".to_string(),
        ));
    }
    if stats.nul_bytes > 0 {
        diagnostics.push(Diagnostic::new(
            Severity::Note,
            "nul-bytes",
            name,
            None,
            format!(
                "{} NUL bytes (crash residue?) were treated as line breaks",
                stats.nul_bytes
            ),
        ));
    }
    let anchor = input_anchor(&sink.parser, mtime, opts);
    let mut events = sink.events;
    events.set_anchor(anchor);
    InputScan {
        name: name.to_string(),
        events,
        evidence: sink.asm.boot_evidence().to_vec(),
        diagnostics,
        stats,
        compression: None,
        records: sink.records,
        failed,
    }
}

/// Lets `parser` sniff the first bytes of an input and gives back a reader that still
/// yields all of it.
fn sniffed<R: Read>(
    parser: &mut Parser,
    mut reader: R,
) -> std::io::Chain<std::io::Cursor<Vec<u8>>, R> {
    let mut head = Vec::new();
    // The line reader meets a read error again and reports it.
    let _ = input::read_head(&mut reader, &mut head, 16 * 1024);
    parser.sniff(&head);
    std::io::Cursor::new(head).chain(reader)
}

/// The year anchor of an input read to its end: year-less stamps get their year from
/// the input's end, its mtime (or now), unless `--year` says.
fn input_anchor(parser: &Parser, mtime: Option<SystemTime>, opts: &ScanOptions) -> YearAnchor {
    let reference = mtime
        .map(|t| DateTime::<Local>::from(t).naive_local())
        .unwrap_or(opts.now);
    YearAnchor::new(parser.last_yearless().as_ref(), reference, opts.year)
}

struct ScanSink {
    parser: Parser,
    asm: Assembler,
    every_line: bool,
    records: u64,
    events: EventStore,
}

impl ScanSink {
    fn collect(&mut self) {
        for ev in self.asm.drain_ready() {
            self.events.push(ev);
        }
    }
}

impl ScanSink {
    /// Every line when told so or while a report is open, else marker lines.
    fn want(&self) -> Want {
        Want::every_if(self.every_line || self.asm.wants_every_line())
    }
}

impl LineSink for ScanSink {
    fn start(&self) -> Want {
        self.want()
    }

    fn line(&mut self, line: Line<'_>) -> Want {
        let asm = &mut self.asm;
        let records = &mut self.records;
        self.parser
            .parse(line.bytes, line.number, &mut |rec: &Record<'_>| {
                *records += 1;
                asm.push(rec);
            });
        self.collect();
        self.want()
    }

    fn sample(&mut self, line: Line<'_>) -> bool {
        self.parser.track(line.bytes, line.number)
    }
}

/// Scans inputs given as sources (convenience for tests and embedding).
pub fn scan_sources(sources: &[Source], opts: &ScanOptions) -> Vec<InputScan> {
    let inputs: Vec<Input> = sources
        .iter()
        .map(|s| Input {
            source: s.clone(),
            explicit: true,
        })
        .collect();
    scan_all(&inputs, opts)
}

/// A decoded record, owned, as `--records` prints it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecordOut {
    /// Line number.
    pub line: u64,
    /// Line shape.
    pub format: crate::record::Format,
    /// Host name.
    pub host: Option<String>,
    /// Who wrote it.
    pub origin: crate::record::Origin,
    /// Syslog tag / identifier.
    pub tag: Option<String>,
    /// Wall-clock time (year-less stamps resolved), RFC 3339 when the log gave a zone,
    /// else local time without offset.
    pub time: Option<String>,
    /// printk seconds since boot.
    pub uptime: Option<String>,
    /// printk caller id.
    pub caller: Option<String>,
    /// Syslog priority.
    pub priority: Option<u32>,
    /// Journal boot id.
    pub boot: Option<String>,
    /// The message text.
    pub body: String,
    /// The line had no header and took its metadata from the previous one.
    pub continued: bool,
}

impl RecordOut {
    /// `r` without its time, which needs the year anchor ([`RecordOut::set_time`]).
    fn new(r: &Record<'_>) -> Self {
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        RecordOut {
            line: r.line,
            format: r.format,
            host: r.host.map(s),
            origin: r.origin,
            tag: r.tag.map(s),
            time: None,
            uptime: r.printk.map(|p| p.to_string()),
            caller: r.caller.map(|c| match c {
                crate::record::Caller::Task(n) => format!("T{n}"),
                crate::record::Caller::Cpu(n) => format!("C{n}"),
            }),
            priority: r.priority,
            boot: r.boot.map(s),
            body: s(r.body),
            continued: r.continued,
        }
    }

    /// Sets the time from the record's wall time, year-less dates resolved by `anchor`.
    fn set_time(&mut self, wall: Option<Wall>, anchor: &YearAnchor) {
        self.time = wall
            .and_then(|w| w.resolve(anchor))
            .map(|t| Wall::from(t).to_string());
    }
}

/// Decodes every record of an input and calls `f` with each, year-less dates resolved.
/// Regular files are read twice (the year of a stamp depends on the rollovers after
/// it); a stream is read once, taking "now" as its end.
pub fn decode_records(
    input: &Input,
    opts: &ScanOptions,
    f: &mut dyn FnMut(RecordOut) -> std::io::Result<()>,
) -> Result<(), Error> {
    let io_err = |e: std::io::Error| Error::Io {
        path: std::path::PathBuf::from(input.source.name()),
        source: e,
    };
    let markers = Markers::new();
    let seekable = matches!(&input.source, Source::Path(p) if p.is_file());
    let anchor = if seekable {
        let opened = input::open(&input.source)?;
        let mut tracker = Tracker {
            parser: Parser::with_hint(opts.hint),
        };
        let reader = sniffed(&mut tracker.parser, opened.reader);
        LineReader::with_limits(reader, opts.buffer_size, opts.max_line)
            .run(&mut tracker, &markers)
            .map_err(io_err)?;
        Some(input_anchor(&tracker.parser, opened.mtime, opts))
    } else {
        None
    };
    let opened = input::open(&input.source)?;
    let mut parser = Parser::with_hint(opts.hint);
    let reader = sniffed(&mut parser, opened.reader);
    let mut sink = Emitter {
        parser,
        anchor,
        now: opts.now,
        year: opts.year,
        f,
        error: None,
    };
    LineReader::with_limits(reader, opts.buffer_size, opts.max_line)
        .run(&mut sink, &markers)
        .map_err(io_err)?;
    match sink.error {
        Some(e) => Err(io_err(e)),
        None => Ok(()),
    }
}

struct Tracker {
    parser: Parser,
}

impl LineSink for Tracker {
    fn start(&self) -> Want {
        Want::Every
    }
    fn line(&mut self, line: Line<'_>) -> Want {
        self.parser.track(line.bytes, line.number);
        Want::Every
    }
    fn sample(&mut self, _: Line<'_>) -> bool {
        true
    }
}

struct Emitter<'f> {
    parser: Parser,
    anchor: Option<YearAnchor>,
    now: NaiveDateTime,
    year: Option<i32>,
    f: &'f mut dyn FnMut(RecordOut) -> std::io::Result<()>,
    error: Option<std::io::Error>,
}

impl LineSink for Emitter<'_> {
    fn start(&self) -> Want {
        Want::Every
    }
    fn line(&mut self, line: Line<'_>) -> Want {
        if self.error.is_some() {
            return Want::Markers;
        }
        let mut out = Vec::new();
        self.parser.parse(line.bytes, line.number, &mut |r| {
            out.push((r.wall, RecordOut::new(r)))
        });
        // A stream's year: "now", counting only the rollovers seen so far.
        let anchor = self.anchor.unwrap_or_else(|| {
            YearAnchor::new(self.parser.last_yearless().as_ref(), self.now, self.year)
        });
        for (wall, mut rec) in out {
            rec.set_time(wall, &anchor);
            if let Err(e) = (self.f)(rec) {
                self.error = Some(e);
                break;
            }
        }
        Want::Every
    }
    fn sample(&mut self, _: Line<'_>) -> bool {
        true
    }
}

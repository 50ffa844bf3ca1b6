//! The driver: wires input → lines → records → events for each input, the same way
//! for a batch of logs ([`batch`]: files, folders, stdin, the journal through
//! `journalctl`) and for a live source ([`live`]: `/dev/kmsg`, a followed file).
//! [`records`] is the `--records` debug dump, which stops at records.
//!
//! `Decoder` is the per-input wiring both drivers share: lines go through the record
//! parser into the event assembler.

pub mod batch;
pub mod live;
pub mod records;

use std::io::Read;
use std::time::SystemTime;

use chrono::{DateTime, Local, NaiveDateTime};

use crate::diag::{Diagnostic, Severity};
use crate::event::kinds;
use crate::event::store::Budget;
use crate::event::{Assembler, AssemblerOptions};
use crate::input;
use crate::input::lines::ReadStats;
use crate::record::{FormatHint, Parser, Record, YearAnchor};

pub use crate::event::store::InputScan;
pub use batch::{scan_all, scan_input, scan_journal, scan_reader, scan_sources};

/// How to scan inputs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Assume a line shape instead of detecting it.
    pub hint: FormatHint,
    /// The year of the last year-less stamp of every input (`--year`).
    pub year: Option<i32>,
    /// When the last boot of every input that gives only the time since boot began
    /// (`--boot-time`); a local time is the logging host's.
    pub boot_time: Option<crate::record::Wall>,
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
            boot_time: None,
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

/// One input's lines → records → events: its record parser feeding its event
/// assembler. The batch scan and the live run both drive one, so that they decode and
/// assemble alike.
pub(crate) struct Decoder {
    pub(crate) parser: Parser,
    pub(crate) asm: Assembler,
    /// Records decoded.
    pub(crate) records: u64,
}

impl Decoder {
    /// A decoder for the input called `name`.
    pub(crate) fn new(name: &str, opts: &ScanOptions) -> Self {
        Decoder {
            parser: kinds::parser(opts.hint),
            asm: Assembler::new(name, opts.assembler.clone()),
            records: 0,
        }
    }

    /// Decodes line `number` and hands its records to the assembler.
    #[inline]
    pub(crate) fn line(&mut self, bytes: &[u8], number: u64) {
        self.asm.note_line(number, bytes);
        let asm = &mut self.asm;
        let records = &mut self.records;
        self.parser.parse(bytes, number, &mut |rec: &Record<'_>| {
            *records += 1;
            asm.push(rec);
        });
    }

    /// Hands over a message the parser still holds back (its rest may have been on the
    /// next line): at the end of the input, or when a live source goes quiet.
    pub(crate) fn flush(&mut self) {
        let asm = &mut self.asm;
        let records = &mut self.records;
        self.parser.finish(&mut |rec: &Record<'_>| {
            *records += 1;
            asm.push(rec);
        });
    }

    /// The year anchor if the input ended now and was last written at `reference`.
    pub(crate) fn anchor(&self, reference: NaiveDateTime, year: Option<i32>) -> YearAnchor {
        self.parser.year_anchor(reference, year)
    }
}

/// The warning for lines cut at the line cap ([`ScanOptions::max_line`]).
pub(crate) fn long_lines(name: &str, stats: &ReadStats, max_line: usize) -> Option<Diagnostic> {
    let first = stats.first_truncated_line?;
    Some(Diagnostic::new(
        Severity::Warning,
        "long-line",
        name,
        Some(first),
        format!(
            "{} line(s) longer than {} bytes; only their start was read (the first is line {first})",
            stats.truncated_lines, max_line
        ),
    ))
}

/// Lets `parser` sniff the first bytes of an input and gives back a reader that still
/// yields all of it, and whether its lines end with a lone CR (classic Mac line ends:
/// no LF in the first block but a CR), in which case the reader turns every CR into an
/// LF so that the lines are seen at all.
fn sniffed<R: Read>(parser: &mut Parser, mut reader: R) -> (CrToLf<R>, bool) {
    let mut head = Vec::new();
    // The line reader meets a read error again and reports it.
    let _ = input::read_head(&mut reader, &mut head, SNIFF_BLOCK);
    let cr_only = memchr::memchr(b'\n', &head).is_none() && memchr::memchr(b'\r', &head).is_some();
    let mut rdr = CrToLf {
        inner: std::io::Cursor::new(head).chain(reader),
        on: cr_only,
    };
    if cr_only {
        let head = rdr.inner.get_mut().0.get_mut();
        cr_to_lf(head);
    }
    parser.sniff(rdr.inner.get_ref().0.get_ref());
    (rdr, cr_only)
}

/// The first bytes of an input looked at to settle how it is read.
const SNIFF_BLOCK: usize = 16 * 1024;

/// A reader that turns CR into LF when `on` (see [`sniffed`]).
pub(crate) struct CrToLf<R> {
    inner: std::io::Chain<std::io::Cursor<Vec<u8>>, R>,
    on: bool,
}

impl<R: Read> Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.on {
            cr_to_lf(&mut buf[..n]);
        }
        Ok(n)
    }
}

fn cr_to_lf(bytes: &mut [u8]) {
    for b in bytes.iter_mut().filter(|b| **b == b'\r') {
        *b = b'\n';
    }
}

/// The note for an input read with CR as its line end.
pub(crate) fn cr_note(name: &str) -> Diagnostic {
    Diagnostic::new(
        Severity::Note,
        "cr-line-ends",
        name,
        None,
        "the lines end with a CR alone (no LF in the first 16 KiB); each CR was read as a line end",
    )
}

/// The warning for journal JSON lines the parser could not decode.
pub(crate) fn json_rejected(name: &str, parser: &Parser) -> Option<Diagnostic> {
    let (n, first) = parser.json_rejected();
    let first = first?;
    Some(Diagnostic::new(
        Severity::Warning,
        "bad-json",
        name,
        Some(first),
        format!(
            "{n} line(s) that should be journal JSON objects could not be decoded and were skipped (the first is line {first})"
        ),
    ))
}

/// The year anchor of an input read to its end: year-less stamps get their year from
/// the input's end, its mtime (or now), unless `--year` says.
fn input_anchor(parser: &Parser, mtime: Option<SystemTime>, opts: &ScanOptions) -> YearAnchor {
    let reference = mtime
        .map(|t| DateTime::<Local>::from(t).naive_local())
        .unwrap_or(opts.now);
    parser.year_anchor(reference, opts.year)
}

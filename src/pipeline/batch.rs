//! Batch scans: inputs read to their end, one input per worker.
//!
//! Each input is read by one thread (decompression is serial within a file), and
//! inputs are spread over the available cores; results come back in input order.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use super::{
    Decoder, InputScan, ScanOptions, cr_note, input_anchor, json_rejected, long_lines, sniffed,
};
use crate::diag::{Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::event::kinds;
use crate::event::store::{BootTimes, EventStore};
use crate::input::discover::Input;
use crate::input::lines::{Line, LineReader, LineSink, Want};
use crate::input::mapped::MappedFile;
use crate::input::{self, Compression, Source};

/// Scans several inputs in parallel; results are in input order.
pub fn scan_all(inputs: &[Input], opts: &ScanOptions) -> Vec<InputScan> {
    // Threads that no input needs search for markers ahead of the readers: with one
    // input, decompression and searching overlap; with many, the inputs fill the cores.
    let helpers = helpers_for(inputs.len());
    let scans: Vec<Vec<InputScan>> = inputs
        .par_iter()
        .map(|i| match bundle_tarball(i) {
            Some(()) => scan_tarball(i, opts, helpers),
            None => vec![scan_input_with(i, opts, helpers)],
        })
        .collect();
    scans.into_iter().flatten().collect()
}

/// Whether an input is named like a tarball (a support bundle, perhaps).
fn bundle_tarball(i: &Input) -> Option<()> {
    match &i.source {
        Source::Path(p)
            if p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(input::bundle::is_tarball_name) =>
        {
            Some(())
        }
        _ => None,
    }
}

/// Scans the kernel logs of a support bundle tarball, one scan per file read (named
/// `TARBALL:PATH`), the first carrying the note on what was read; a tarball that is no
/// bundle is scanned as one input as before.
fn scan_tarball(i: &Input, opts: &ScanOptions, helpers: usize) -> Vec<InputScan> {
    let name = i.source.name();
    let opened = match input::open_with_progress(&i.source, opts.progress.clone()) {
        Ok(o) => o,
        Err(e) => return vec![scan_opened(i, Err(e), opts, helpers)],
    };
    let mut scan = |shown: &str, r: &mut dyn Read, mtime: Option<SystemTime>| {
        scan_reader_with(shown, r, None, mtime, opts, 0)
    };
    match input::bundle::tarball(&name, opened.reader, &mut scan) {
        Ok(Some((entries, diags))) => {
            let mut scans: Vec<InputScan> = entries.into_iter().map(|e| e.scan).collect();
            if scans.is_empty() {
                scans.push(InputScan {
                    name: name.clone(),
                    ..Default::default()
                });
            }
            // A damaged archive: not read to its end.
            scans[0].failed |= diags.iter().any(|d| d.severity == Severity::Error);
            scans[0].diagnostics.splice(0..0, diags);
            scans
        }
        Ok(None) | Err(_) => vec![scan_input_with(i, opts, helpers)],
    }
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
    let opened = input::open_with_progress(&inp.source, opts.progress.clone());
    scan_opened(inp, opened, opts, helpers)
}

/// Scans an input opened (or not) by [`input::open_with_progress`].
fn scan_opened(
    inp: &Input,
    opened: Result<input::Opened>,
    opts: &ScanOptions,
    helpers: usize,
) -> InputScan {
    let name = inp.source.name();
    match opened {
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
                .map(|f| match map(&f) {
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
            let mapped = matches!(&file, Some(PlainFile::Mapped(_)));
            let mut scan =
                scan_reader_with(&opened.name, reader, file, opened.mtime, opts, helpers);
            scan.compression = Some(compression);
            // Truncation is seen on every read path, not only when the file was mapped.
            let taken = match compression {
                Compression::None => scan.stats.bytes,
                _ => raw.load(std::sync::atomic::Ordering::Relaxed),
            };
            if !scan.failed
                && let Some(regular) = &opened.regular
                && let Some((then, now)) = input::shrank(regular, taken)
            {
                let past = if mapped {
                    "the bytes past its new end read as NUL bytes"
                } else {
                    "the lines past its new end were not read"
                };
                scan.diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    "shrank",
                    &name,
                    None,
                    format!(
                        "the file shrank while it was read (truncated by log rotation?) from {then} to {now} bytes; {past}"
                    ),
                ));
            }
            if scan.failed
                && compression != Compression::None
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

/// Maps an input (when the SIGBUS guard is installed: see
/// [`input::install_sigbus_guard`]).
#[allow(unsafe_code)]
fn map(file: &File) -> std::io::Result<MappedFile> {
    // SAFETY: logs grow by appending and are cut by truncation, both of which the
    // mapping survives (see `MappedFile::map`); a log rewritten in place is outside
    // what oomlens reads safely.
    unsafe { MappedFile::map(file) }
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
    let markers = kinds::prefilter();
    let mut sink = ScanSink {
        dec: Decoder::new(name, opts),
        every_line: opts.every_line,
        events: EventStore::new(opts.budget.clone()),
    };
    let (reader, cr_only) = sniffed(&mut sink.dec.parser, reader);
    // Lone CRs are turned into line ends in the reader: the file is read through it.
    let file = file.filter(|_| !cr_only);
    let mut rdr = LineReader::with_limits(reader, opts.buffer_size, opts.max_line)
        .with_workers(if opts.every_line { 0 } else { helpers });
    match &file {
        Some(PlainFile::Mapped(m)) => rdr = rdr.reading_mapped(m.clone(), opts.progress.clone()),
        Some(PlainFile::At(f)) => rdr = rdr.reading_at(f.clone(), opts.progress.clone()),
        None => {}
    }
    let result = rdr.run(&mut sink, markers);
    sink.dec.flush();
    sink.dec.asm.finish();
    sink.collect();
    let stats = rdr.stats();
    let mut diagnostics = sink.dec.asm.take_diagnostics();
    diagnostics.extend(long_lines(name, &stats, opts.max_line));
    diagnostics.extend(json_rejected(name, &sink.dec.parser));
    if cr_only {
        diagnostics.push(cr_note(name));
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
    let anchor = input_anchor(&sink.dec.parser, mtime, opts);
    let mut events = sink.events;
    events.set_anchor(anchor);
    let boot_times = BootTimes::new(sink.dec.asm.boot_clocks(), &anchor, opts.boot_time);
    diagnostics.extend(events.set_boot_times(boot_times, name));
    diagnostics.extend(events.spill_warning(name));
    InputScan {
        name: name.to_string(),
        events,
        evidence: sink.dec.asm.boot_evidence().to_vec(),
        diagnostics,
        stats,
        compression: None,
        records: sink.dec.records,
        failed,
    }
}

/// The line reader's sink: decodes what it is handed and stores finished events.
struct ScanSink {
    dec: Decoder,
    every_line: bool,
    events: EventStore,
}

impl ScanSink {
    fn collect(&mut self) {
        for ev in self.dec.asm.drain_ready() {
            self.events.push(ev);
        }
    }

    /// Every line when told so or while a report is open, else marker lines.
    fn want(&self) -> Want {
        Want::every_if(
            self.every_line || self.dec.asm.wants_every_line() || self.dec.parser.holding(),
        )
    }
}

impl LineSink for ScanSink {
    fn start(&self) -> Want {
        self.want()
    }

    fn line(&mut self, line: Line<'_>) -> Want {
        self.dec.line(line.bytes, line.number);
        self.collect();
        self.want()
    }

    fn sample(&mut self, line: Line<'_>) -> bool {
        self.dec.parser.track(line.bytes, line.number)
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

/// What `--journal` asks journalctl for: this boot's kernel messages (as `-k` gives
/// them), and the messages of the userspace OOM killers and of systemd, whose unit
/// lines report kills (issue 17); matches joined by `+` are alternatives.
const JOURNAL_MATCHES: &[&str] = &[
    "-b",
    "_TRANSPORT=kernel",
    "+",
    "SYSLOG_IDENTIFIER=systemd-oomd",
    "+",
    "SYSLOG_IDENTIFIER=earlyoom",
    "+",
    "SYSLOG_IDENTIFIER=nohang",
    "+",
    "SYSLOG_IDENTIFIER=oomd",
    "+",
    "SYSLOG_IDENTIFIER=systemd",
    "+",
    "SYSLOG_IDENTIFIER=kubelet",
    "+",
    "SYSLOG_IDENTIFIER=k3s",
];

/// Scans the kernel messages of the journal, with the userspace OOM killers' and
/// systemd's: the output of `journalctl -o json --no-pager` with `extra` arguments
/// (e.g. `--since`) and `JOURNAL_MATCHES`. Fails when journalctl cannot be
/// started (not installed: [`Error::Unsupported`], in one sentence that says how to read
/// the journal files in process instead); a journalctl that fails later is an error
/// diagnostic of the scan.
pub fn scan_journal(extra: &[String], opts: &ScanOptions) -> Result<InputScan> {
    const NAME: &str = "journalctl";
    let mut child = Command::new(NAME)
        .args(["-o", "json", "--no-pager"])
        .args(extra)
        .args(JOURNAL_MATCHES)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::Unsupported {
                path: PathBuf::from("--journal"),
                what: "runs journalctl, which is not installed here; give the journal's folder \
                       or file to read it without journalctl: `oomlens --journal /var/log/journal`"
                    .into(),
            },
            _ => Error::Io {
                path: PathBuf::from(NAME),
                source: e,
            },
        })?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut scan = scan_reader(NAME, stdout, None, opts);
    let status = child.wait().map_err(|e| Error::Io {
        path: PathBuf::from(NAME),
        source: e,
    })?;
    if !status.success() {
        scan.diagnostics.push(Diagnostic::new(
            Severity::Error,
            NAME,
            NAME,
            None,
            format!("journalctl exited with {status}"),
        ));
    }
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A copy of `samples/lab/many.messages` (16 kills) cut after its first `keep` bytes
    /// once it was opened, scanned with `helpers` and `every_line`.
    fn truncated_scan(keep: u64, helpers: usize, every_line: bool) -> InputScan {
        crate::input::install_sigbus_guard().unwrap();
        let text = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/lab/many.messages"
        ))
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("messages");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(&text)
            .unwrap();
        let inp = Input {
            source: Source::Path(path.clone()),
            explicit: true,
        };
        let opened = input::open_with_progress(&inp.source, None);
        // logrotate's copytruncate, between the open and the read.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(keep.min(text.len() as u64))
            .unwrap();
        let opts = ScanOptions {
            every_line,
            ..ScanOptions::default()
        };
        scan_opened(&inp, opened, &opts, helpers)
    }

    #[test]
    fn a_file_cut_while_read_is_said_on_every_read_path() {
        // Before: only a mapped file said so; read through its reader (--every-line, two
        // inputs, a busy machine) or by position it gave a partial result silently.
        for (helpers, every_line) in [(0, false), (0, true), (2, false), (3, false)] {
            let scan = truncated_scan(3000, helpers, every_line);
            let d = scan
                .diagnostics
                .iter()
                .find(|d| d.code == "shrank")
                .unwrap_or_else(|| {
                    panic!(
                        "no shrank warning with {helpers} helpers, every_line {every_line}: {:?}",
                        scan.diagnostics
                    )
                });
            assert!(d.path.ends_with("/messages"), "{}", d.path);
            assert!(d.message.contains("to 3000 bytes"), "{}", d.message);
        }
        // Not cut: nothing to say.
        let scan = truncated_scan(u64::MAX, 0, false);
        assert!(scan.diagnostics.iter().all(|d| d.code != "shrank"));
    }
}

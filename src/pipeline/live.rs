//! Live sources: the kernel ring buffer (`/dev/kmsg`) and a log file followed across
//! rotation (`tail -F`). (The journal is read to its end, as a batch:
//! [`super::batch::scan_journal`].)
//!
//! A reader thread turns the source into lines; the caller's thread decodes and
//! assembles them and hands each event out as soon as its report is complete, or
//! after a short quiet period when its last line never comes.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Local, Utc};

use super::{Decoder, ScanOptions, long_lines};
use crate::diag::{Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::event::store::resolve_year;
use crate::event::{BootEvidence, OomEvent};
use crate::input::lines::ReadStats;
use crate::record::Wall;

/// Where live lines come from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum LiveSource {
    /// `/dev/kmsg` (or another device speaking its record format).
    Kmsg {
        /// Device path. The ring buffer's current contents are read first.
        path: PathBuf,
    },
    /// A log file, followed across rotation and truncation.
    Follow {
        /// File path.
        path: PathBuf,
        /// Read the file from its start (else from its end).
        from_start: bool,
    },
}

/// Settings of a live run.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Decoding and assembly settings.
    pub scan: ScanOptions,
    /// Close a report after this long without a new line.
    pub flush_after: Duration,
    /// Stop at this instant (tests); `None` runs until the source ends.
    pub deadline: Option<Instant>,
    /// Stop when this is set (the program sets it on SIGTERM/SIGINT): what is open is
    /// handed out, as at the end of the source, and the run returns `Ok`.
    pub stop: Option<&'static AtomicBool>,
}

/// How often a run looks at [`LiveOptions::stop`] while it waits.
const STOP_POLL: Duration = Duration::from_millis(50);

/// Runs a live source, calling `emit` with each finished event and the boot evidence
/// seen so far, and `warn` with problems of the input as they are met (a line cut at
/// the line cap, kmsg records overwritten before they were read). Returns when the
/// source ends, the deadline passes, the stop flag is set, or `emit` fails (a closed
/// stdout ends the run quietly); a read error ends it with that error, after what was
/// read is handed out.
pub fn run(
    source: &LiveSource,
    opts: &LiveOptions,
    emit: &mut dyn FnMut(OomEvent, &[BootEvidence]) -> io::Result<()>,
    warn: &mut dyn FnMut(Diagnostic),
) -> Result<()> {
    let (tx, rx) = mpsc::sync_channel::<Msg>(4096);
    let max_line = opts.scan.max_line.max(1);
    let (name, kmsg) = match source {
        LiveSource::Kmsg { path } => {
            let f = open(path, "--kmsg")?;
            thread::spawn(move || read_kmsg(f, tx));
            (path.display().to_string(), true)
        }
        LiveSource::Follow { path, from_start } => {
            let f = open(path, "--follow")?;
            let (name, path, from_start) = (path.display().to_string(), path.clone(), *from_start);
            thread::spawn(move || follow_file(path, f, from_start, max_line, tx));
            (name, false)
        }
    };
    let boot_time = if kmsg { boot_time() } else { None };
    // `--boot-time` for a followed file with only the time since boot.
    let given_boot = opts.scan.boot_time.and_then(|w| {
        let boot = match w {
            Wall::Zoned(z) => crate::record::WallTime::Zoned(z),
            Wall::Local(n) => crate::record::WallTime::Local(n),
            Wall::Yearless(_) => return None,
        };
        Some(crate::record::clock::BootTime {
            boot,
            source: crate::record::clock::BootTimeSource::Flag,
        })
    });
    let mut dec = Decoder::new(&name, &opts.scan);
    let mut number = 0u64;
    // Lines cut at the cap: the first is said at once, the count when the run ends.
    let mut cut = ReadStats::default();
    let mut hand_out = |dec: &mut Decoder| -> io::Result<()> {
        let events = dec.asm.drain_ready();
        if events.is_empty() {
            return Ok(());
        }
        let anchor = dec.anchor(Local::now().naive_local(), opts.scan.year);
        for mut ev in events {
            resolve_year(&mut ev, &anchor);
            if ev.wall.is_none()
                && let (Some(boot), Some(p)) = (boot_time, ev.printk)
                && let Some(t) = i64::try_from(p.micros())
                    .ok()
                    .and_then(|us| boot.checked_add_signed(chrono::Duration::microseconds(us)))
            {
                ev.wall = Some(Wall::Zoned(t.fixed_offset()));
            }
            // A followed file with only the time since boot: `--boot-time`, if given.
            if ev.wall.is_none()
                && let (Some(b), Some(p)) = (given_boot, ev.printk)
                && let Some(w) = b.at(p)
            {
                ev.wall = Some(w);
                ev.boot_time = Some(b);
                ev.time_basis = Some(crate::record::TimeBasis::BootTimeGiven);
            }
            emit(ev, dec.asm.boot_evidence())?;
        }
        Ok(())
    };
    let quit = |e: io::Error| -> Result<()> {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Ok(())
        } else {
            Err(Error::Io {
                path: PathBuf::from("-"),
                source: e,
            })
        }
    };
    // The lines that complete a finished report (memory.oom.group kills, tasks that
    // shared the victim's memory) follow its kill line at once but may come in a
    // later read: hold a finished report this long before handing it out.
    let settle = Duration::from_millis(50).min(opts.flush_after);
    // systemd's lines about the victim's unit come when systemd sees the kill: a
    // report that may still get them is held up to the quiet period (`--flush-ms`).
    let hold = |dec: &Decoder| {
        if dec.asm.awaits_unit_lines() {
            opts.flush_after.max(settle)
        } else {
            settle
        }
    };
    let mut finished_at: Option<Instant> = None;
    let mut failure: Option<io::Error> = None;
    let mut idle_since = Instant::now();
    let stopped = || opts.stop.is_some_and(|s| s.load(Ordering::Relaxed));
    loop {
        if stopped() {
            break;
        }
        let wait = match finished_at {
            Some(t) => hold(&dec).saturating_sub(t.elapsed()),
            None => opts.flush_after,
        };
        let wait = match opts.deadline {
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    break;
                }
                wait.min(d - now)
            }
            None => wait,
        };
        let wait = if opts.stop.is_some() {
            wait.min(STOP_POLL)
        } else {
            wait
        };
        match rx.recv_timeout(wait) {
            Ok(msg) => {
                idle_since = Instant::now();
                let mut take = |msg: Msg| match msg {
                    Msg::Line(line, whole) => {
                        number += 1;
                        if !whole {
                            cut.truncated_lines += 1;
                            if cut.first_truncated_line.is_none() {
                                cut.first_truncated_line = Some(number);
                                warn(long_lines(&name, &cut, max_line).expect("a cut line"));
                            }
                        }
                        dec.line(&line, number);
                    }
                    // Line numbers count in the file at the path, which is new now.
                    Msg::Rotated => number = 0,
                    Msg::Lost(n) => warn(overwritten(&name, n)),
                    Msg::Failed(e) => failure = Some(e),
                };
                take(msg);
                // Take the rest of the burst: an OOM report arrives in one burst.
                while let Ok(msg) = rx.try_recv() {
                    take(msg);
                }
            }
            // Only once the quiet period has passed: the wait may be cut short to look
            // at the stop flag.
            Err(RecvTimeoutError::Timeout)
                if finished_at.is_none() && idle_since.elapsed() >= opts.flush_after =>
            {
                dec.flush();
                dec.asm.flush_idle()
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if dec.asm.has_finished() {
            let t = *finished_at.get_or_insert_with(Instant::now);
            if t.elapsed() >= hold(&dec) {
                dec.asm.release_finished();
                finished_at = None;
            }
        } else {
            finished_at = None;
        }
        if let Err(e) = hand_out(&mut dec) {
            return quit(e);
        }
        if failure.is_some() {
            break;
        }
    }
    dec.flush();
    dec.asm.finish();
    let end = hand_out(&mut dec);
    if cut.truncated_lines > 1 {
        warn(long_lines(&name, &cut, max_line).expect("cut lines"));
    }
    end.or_else(quit)?;
    match failure {
        Some(e) => Err(Error::Io {
            path: PathBuf::from(name),
            source: e,
        }),
        None => Ok(()),
    }
}

/// The warning for kmsg records overwritten in the ring buffer before they were read.
fn overwritten(name: &str, n: u64) -> Diagnostic {
    Diagnostic::new(
        Severity::Warning,
        "kmsg-overwritten",
        name,
        None,
        format!(
            "{n} kernel message(s) were overwritten in the ring buffer before they were read; a report may be incomplete"
        ),
    )
}

/// Opens the file a live run reads; a folder is an error that says what to do.
fn open(path: &Path, flag: &str) -> Result<File> {
    let f = File::open(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    if f.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: format!(
                "is a directory; {flag} reads one file (to read every log in a folder once, give the folder without {flag})"
            ),
        });
    }
    Ok(f)
}

/// When the machine booted, from `/proc/uptime`, to put wall-clock times on kmsg
/// records (which carry only the printk clock).
fn boot_time() -> Option<DateTime<Utc>> {
    let text = std::fs::read_to_string("/proc/uptime").ok()?;
    let up: f64 = text.split_whitespace().next()?.parse().ok()?;
    let now: DateTime<Utc> = SystemTime::now().into();
    Some(now - chrono::Duration::microseconds((up * 1e6) as i64))
}

/// What the reader thread hands over.
enum Msg {
    /// One line, without its terminator, and whether it is whole (else it was cut at
    /// the line cap).
    Line(Vec<u8>, bool),
    /// The followed file was replaced by a new one at the same path.
    Rotated,
    /// kmsg records were overwritten before they were read: how many.
    Lost(u64),
    /// Reading failed; the reader has stopped.
    Failed(io::Error),
}

/// Reads /dev/kmsg from the oldest record in the ring buffer on. Each `read` returns
/// one record; a record overwritten before it was read gives `EPIPE`: skip on.
fn read_kmsg(mut f: File, tx: SyncSender<Msg>) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut last_seq: Option<u64> = None;
    let mut overrun = false;
    loop {
        match f.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                // A record is one line plus dictionary lines (which start with a
                // space); send them all. The records' sequence numbers say how many
                // were lost to an overrun.
                for line in buf[..n].split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                    if let Some(seq) = kmsg_seq(line) {
                        let gap = match last_seq {
                            Some(a) if seq > a + 1 => seq - a - 1,
                            _ => u64::from(overrun),
                        };
                        overrun = false;
                        last_seq = Some(seq);
                        if gap > 0 && tx.send(Msg::Lost(gap)).is_err() {
                            return;
                        }
                    }
                    if tx.send(Msg::Line(line.to_vec(), true)).is_err() {
                        return;
                    }
                }
            }
            Err(e) if e.raw_os_error() == Some(libc::EPIPE) => overrun = true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(100))
            }
            Err(e) => {
                let _ = tx.send(Msg::Failed(e));
                return;
            }
        }
    }
}

/// The sequence number of a kmsg record (`pri,seq,usec,flags;text`).
fn kmsg_seq(record: &[u8]) -> Option<u64> {
    if record.first().is_none_or(|b| !b.is_ascii_digit()) {
        return None;
    }
    let head = &record[..memchr::memchr(b';', record)?];
    let seq = head.split(|b| *b == b',').nth(1)?;
    std::str::from_utf8(seq).ok()?.parse().ok()
}

/// `tail -F`: read new lines as they are appended; when the file is rotated (a new
/// file at the path) or truncated, start again from the beginning of the new one.
/// Lines longer than `max_line` are cut as the batch reader cuts them.
///
/// A truncation (logrotate's `copytruncate`) is seen by the size falling below what was
/// read, and, when the writer refilled the file past that point before this looked
/// (the poll is 200 ms), by the bytes just before it having changed: the last bytes
/// read are compared with the file's whenever its times moved. A read error is sent on
/// and ends the follower.
fn follow_file(path: PathBuf, f: File, from_start: bool, max_line: usize, tx: SyncSender<Msg>) {
    let mut ino = f.metadata().map(|m| m.ino()).unwrap_or(0);
    let mut rdr = BufReader::new(f);
    if !from_start {
        let _ = rdr.seek(SeekFrom::End(0));
    }
    let mut pos = rdr.stream_position().unwrap_or(0);
    let mut line = Partial::default();
    let mut stamp = times(rdr.get_ref());
    let fail = |e: io::Error| {
        let _ = tx.send(Msg::Failed(e));
    };
    loop {
        match line.read(&mut rdr, max_line, &tx) {
            Ok(None) => return,
            Ok(Some(0)) => {
                thread::sleep(Duration::from_millis(200));
                // Rotated or truncated?
                let rotated = std::fs::metadata(&path).is_ok_and(|m| m.ino() != ino);
                let now = times(rdr.get_ref());
                let truncated = rdr.get_ref().metadata().is_ok_and(|m| m.len() < pos)
                    || (now != stamp && line.rewritten(rdr.get_ref(), pos));
                stamp = now;
                if rotated {
                    // Finish the old file first (every line written before the
                    // rotation), then switch.
                    loop {
                        match line.read(&mut rdr, max_line, &tx) {
                            Ok(None) => return,
                            Ok(Some(0)) => break,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => return fail(e),
                            Ok(Some(_)) => {}
                        }
                    }
                    // Its last line will get no newline now.
                    if !line.finish(&tx) {
                        return;
                    }
                    match File::open(&path) {
                        Ok(nf) => {
                            ino = nf.metadata().map(|m| m.ino()).unwrap_or(0);
                            stamp = times(&nf);
                            rdr = BufReader::new(nf);
                            pos = 0;
                            line.seen.clear();
                            if tx.send(Msg::Rotated).is_err() {
                                return;
                            }
                        }
                        // Between the rename and the new file's creation: next time.
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return fail(e),
                    }
                } else if truncated {
                    // The rest of the line being read was cut off with the file.
                    if !line.finish(&tx) {
                        return;
                    }
                    if let Err(e) = rdr.seek(SeekFrom::Start(0)) {
                        return fail(e);
                    }
                    pos = 0;
                    line.seen.clear();
                    if tx.send(Msg::Rotated).is_err() {
                        return;
                    }
                }
            }
            Ok(Some(n)) => pos += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return fail(e),
        }
    }
}

/// A file's modification and change times (nanoseconds), which move on every write
/// and on truncation.
fn times(f: &File) -> Option<(i64, i64, i64, i64)> {
    f.metadata()
        .ok()
        .map(|m| (m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec()))
}

/// How many of the last bytes read are kept to see a file rewritten under the reader.
const SEEN: usize = 256;

/// The line being read from a followed file, which may arrive in pieces (a partial
/// last line waits for its end). It is kept to the line cap: a longer line's head is
/// sent as cut once the cap is passed, and the rest of it is read and dropped, so that
/// a writer that never ends its line cannot make the follower buffer without bound.
#[derive(Default)]
struct Partial {
    bytes: Vec<u8>,
    /// The head was sent; the rest of the line is being dropped.
    skipping: bool,
    /// The last bytes read (up to [`SEEN`]), which end at the read position.
    seen: Vec<u8>,
}

impl Partial {
    /// Reads what `rdr` has up to the end of the current line, sending the line (or
    /// its head) when it is due. Returns the bytes read (0: nothing to read now), or
    /// `None` when the receiver is gone.
    fn read(
        &mut self,
        rdr: &mut impl BufRead,
        cap: usize,
        tx: &SyncSender<Msg>,
    ) -> io::Result<Option<usize>> {
        let buf = rdr.fill_buf()?;
        if buf.is_empty() {
            return Ok(Some(0));
        }
        let (piece, ends) = match memchr::memchr(b'\n', buf) {
            Some(i) => (&buf[..i], true),
            None => (buf, false),
        };
        let used = piece.len() + usize::from(ends);
        let taken = &buf[..used];
        if taken.len() >= SEEN {
            self.seen.clear();
            self.seen.extend_from_slice(&taken[taken.len() - SEEN..]);
        } else {
            let keep = (SEEN - taken.len()).min(self.seen.len());
            self.seen.drain(..self.seen.len() - keep);
            self.seen.extend_from_slice(taken);
        }
        let mut send = None;
        if self.skipping {
            self.skipping = !ends;
        } else {
            let room = cap.saturating_sub(self.bytes.len());
            self.bytes
                .extend_from_slice(&piece[..piece.len().min(room)]);
            if piece.len() > room {
                send = Some(false);
                self.skipping = !ends;
            } else if ends {
                send = Some(true);
            }
        }
        rdr.consume(used);
        if let Some(whole) = send
            && tx
                .send(Msg::Line(std::mem::take(&mut self.bytes), whole))
                .is_err()
        {
            return Ok(None);
        }
        Ok(Some(used))
    }

    /// Whether the bytes before `pos` in `file` are no longer the ones read there: the
    /// file was truncated and written again past `pos` meanwhile.
    fn rewritten(&self, file: &File, pos: u64) -> bool {
        let n = self
            .seen
            .len()
            .min(usize::try_from(pos).unwrap_or(usize::MAX));
        if n == 0 {
            return false;
        }
        let mut now = vec![0u8; n];
        match file.read_exact_at(&mut now, pos - n as u64) {
            Ok(()) => now[..] != self.seen[self.seen.len() - n..],
            // Shorter than that now: truncated.
            Err(_) => true,
        }
    }

    /// Sends a last line that will not be ended (its file was rotated). False when
    /// the receiver is gone.
    fn finish(&mut self, tx: &SyncSender<Msg>) -> bool {
        let skipped = std::mem::take(&mut self.skipping);
        if self.bytes.is_empty() || skipped {
            return true;
        }
        tx.send(Msg::Line(std::mem::take(&mut self.bytes), true))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines a follower sends for `text` read in pieces of `piece` bytes, with the
    /// line cap `cap` (and the line still open at the end, as at a rotation).
    fn lines(text: &[u8], piece: usize, cap: usize) -> Vec<(String, bool)> {
        let (tx, rx) = mpsc::sync_channel(1024);
        let mut rdr = BufReader::with_capacity(piece, text);
        let mut line = Partial::default();
        while line.read(&mut rdr, cap, &tx).unwrap() != Some(0) {}
        assert!(line.finish(&tx));
        drop(tx);
        rx.iter()
            .map(|m| match m {
                Msg::Line(b, whole) => (String::from_utf8(b).unwrap(), whole),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn a_followed_line_is_cut_at_the_cap_like_a_batch_line() {
        let text = b"short\nexactly8\nninechars\n0123456789abcdef0123\nend\nopen";
        for piece in [1, 3, 8, 64] {
            assert_eq!(
                lines(text, piece, 8),
                [
                    ("short".into(), true),
                    ("exactly8".into(), true),
                    ("ninechar".into(), false),
                    ("01234567".into(), false),
                    ("end".into(), true),
                    ("open".into(), true),
                ],
                "pieces of {piece}"
            );
        }
        // A cut line still open at the end is not sent twice.
        assert_eq!(
            lines(b"a\n0123456789", 4, 8),
            [("a".into(), true), ("01234567".into(), false)]
        );
    }

    #[test]
    fn a_kmsg_record_gives_its_sequence_number() {
        assert_eq!(kmsg_seq(b"6,9055,960260420,-;text"), Some(9055));
        assert_eq!(kmsg_seq(b"6,9055,960260420,-,caller=T12;a;b"), Some(9055));
        assert_eq!(kmsg_seq(b" SUBSYSTEM=pci"), None);
        assert_eq!(kmsg_seq(b"no record"), None);
    }

    /// A followed file's bytes, read to the end by a [`Partial`]; returns it and the
    /// position reached.
    fn read_to_end(f: &File) -> (Partial, u64) {
        let (tx, _rx) = mpsc::sync_channel(1024);
        let mut rdr = BufReader::with_capacity(64, f.try_clone().unwrap());
        let mut line = Partial::default();
        let mut pos = 0;
        while let Some(n) = line.read(&mut rdr, 1 << 20, &tx).unwrap() {
            if n == 0 {
                break;
            }
            pos += n as u64;
        }
        (line, pos)
    }

    #[test]
    fn a_file_truncated_and_refilled_past_the_read_position_is_seen() {
        // Issue 20: `--follow` missed the lines written between a copytruncate and its
        // next look when the writer had refilled the file past the old offset (60
        // written, 40 seen): the size alone did not show the truncation.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let old: String = (0..40).map(|i| format!("old line {i}\n")).collect();
        std::fs::write(&path, &old).unwrap();
        let f = File::open(&path).unwrap();
        let (line, pos) = read_to_end(&f);
        assert_eq!(pos, old.len() as u64);
        assert!(!line.rewritten(&f, pos));
        // Appending is not a rewrite.
        let mut w = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut w, b"appended\n").unwrap();
        assert!(!line.rewritten(&f, pos));
        // copytruncate, then more than was there before.
        let new: String = (0..60).map(|i| format!("new line {i}\n")).collect();
        w.set_len(0).unwrap();
        std::io::Write::write_all(&mut w, new.as_bytes()).unwrap();
        assert!(new.len() as u64 > pos);
        assert!(line.rewritten(&f, pos));
        // Truncated below the position: also seen (the size check sees it first).
        w.set_len(10).unwrap();
        assert!(line.rewritten(&f, pos));
    }
}

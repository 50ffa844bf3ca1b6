//! Live sources: the kernel ring buffer (`/dev/kmsg`), a log file followed across
//! rotation (`tail -F`), and the journal (`journalctl -k -o json`).
//!
//! A reader thread turns the source into lines; the caller's thread decodes and
//! assembles them and hands each event out as soon as its report is complete, or
//! after a short quiet period when its last line never comes.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Local, Utc};

use crate::error::{Error, Result};
use crate::event::{Assembler, BootEvidence, OomEvent};
use crate::event::store::resolve_year;
use crate::pipeline::ScanOptions;
use crate::record::{Parser, Wall, YearAnchor};

/// Where live lines come from.
#[derive(Debug, Clone)]
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
}

/// Runs a live source, calling `emit` with each finished event and the boot evidence
/// seen so far. Returns when the source ends, the deadline passes, or `emit` fails
/// (a closed stdout ends the run quietly).
pub fn run(
    source: &LiveSource,
    opts: &LiveOptions,
    emit: &mut dyn FnMut(OomEvent, &[BootEvidence]) -> io::Result<()>,
) -> Result<()> {
    let (tx, rx) = mpsc::sync_channel::<Msg>(4096);
    let (name, kmsg) = match source {
        LiveSource::Kmsg { path } => {
            let f = open(path)?;
            thread::spawn(move || read_kmsg(f, tx));
            (path.display().to_string(), true)
        }
        LiveSource::Follow { path, from_start } => {
            let f = open(path)?;
            let (name, path, from_start) = (path.display().to_string(), path.clone(), *from_start);
            thread::spawn(move || follow_file(path, f, from_start, tx));
            (name, false)
        }
    };
    let boot_time = if kmsg { boot_time() } else { None };
    let mut parser = Parser::with_hint(opts.scan.hint);
    let mut asm = Assembler::new(&name, opts.scan.assembler.clone());
    let mut number = 0u64;
    let mut hand_out = |asm: &mut Assembler, parser: &Parser| -> io::Result<()> {
        let events = asm.drain_ready();
        if events.is_empty() {
            return Ok(());
        }
        let anchor = YearAnchor::new(
            parser.last_yearless().as_ref(),
            Local::now().naive_local(),
            opts.scan.year,
        );
        for mut ev in events {
            resolve_year(&mut ev, &anchor);
            if ev.wall.is_none()
                && let (Some(boot), Some(p)) = (boot_time, ev.printk)
            {
                let t = boot + chrono::Duration::microseconds(p.micros() as i64);
                ev.wall = Some(Wall::Zoned(t.fixed_offset()));
            }
            emit(ev, asm.boot_evidence())?;
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
    let mut finished_at: Option<Instant> = None;
    loop {
        let wait = match finished_at {
            Some(t) => settle.saturating_sub(t.elapsed()),
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
        match rx.recv_timeout(wait) {
            Ok(msg) => {
                let mut take = |msg: Msg| match msg {
                    Msg::Line(line) => {
                        number += 1;
                        parser.parse(&line, number, &mut |rec| asm.push(rec));
                    }
                    // Line numbers count in the file at the path, which is new now.
                    Msg::Rotated => number = 0,
                };
                take(msg);
                // Take the rest of the burst: an OOM report arrives in one burst.
                while let Ok(msg) = rx.try_recv() {
                    take(msg);
                }
            }
            Err(RecvTimeoutError::Timeout) if finished_at.is_none() => asm.flush_idle(),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                asm.finish();
                if let Err(e) = hand_out(&mut asm, &parser) {
                    return quit(e);
                }
                return Ok(());
            }
        }
        if asm.has_finished() {
            let t = *finished_at.get_or_insert_with(Instant::now);
            if t.elapsed() >= settle {
                asm.release_finished();
                finished_at = None;
            }
        } else {
            finished_at = None;
        }
        if let Err(e) = hand_out(&mut asm, &parser) {
            return quit(e);
        }
    }
    asm.finish();
    hand_out(&mut asm, &parser).or_else(quit)
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })
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
    /// One line, without its terminator.
    Line(Vec<u8>),
    /// The followed file was replaced by a new one at the same path.
    Rotated,
}

/// Reads /dev/kmsg from the oldest record in the ring buffer on. Each `read` returns
/// one record; a record overwritten before it was read gives `EPIPE`: skip on.
fn read_kmsg(mut f: File, tx: SyncSender<Msg>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match f.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                // A record is one line plus dictionary lines; send them all.
                for line in buf[..n].split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                    if tx.send(Msg::Line(line.to_vec())).is_err() {
                        return;
                    }
                }
            }
            Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(100))
            }
            Err(_) => return,
        }
    }
}

/// `tail -F`: read new lines as they are appended; when the file is rotated (a new
/// file at the path) or truncated, start again from the beginning of the new one.
fn follow_file(path: PathBuf, f: File, from_start: bool, tx: SyncSender<Msg>) {
    let mut ino = f.metadata().map(|m| m.ino()).unwrap_or(0);
    let mut rdr = BufReader::new(f);
    if !from_start {
        let _ = rdr.seek(SeekFrom::End(0));
    }
    let mut pos = rdr.stream_position().unwrap_or(0);
    let mut line = Vec::new();
    loop {
        match rdr.read_until(b'\n', &mut line) {
            Ok(0) => {
                thread::sleep(Duration::from_millis(200));
                // Rotated or truncated?
                let rotated = std::fs::metadata(&path).is_ok_and(|m| m.ino() != ino);
                let truncated = rdr.get_ref().metadata().is_ok_and(|m| m.len() < pos);
                if rotated {
                    // Finish the old file first (every line written before the
                    // rotation), then switch.
                    while let Ok(n) = rdr.read_until(b'\n', &mut line) {
                        if n == 0 {
                            break;
                        }
                        if !send_complete(&tx, &mut line) {
                            return;
                        }
                    }
                    // Its last line will get no newline now.
                    if !line.is_empty() && tx.send(Msg::Line(std::mem::take(&mut line))).is_err() {
                        return;
                    }
                    if let Ok(nf) = File::open(&path) {
                        ino = nf.metadata().map(|m| m.ino()).unwrap_or(0);
                        rdr = BufReader::new(nf);
                        pos = 0;
                        if tx.send(Msg::Rotated).is_err() {
                            return;
                        }
                    }
                } else if truncated {
                    let _ = rdr.seek(SeekFrom::Start(0));
                    pos = 0;
                    if tx.send(Msg::Rotated).is_err() {
                        return;
                    }
                }
            }
            Ok(n) => {
                pos += n as u64;
                // A partial last line stays in `line` until its end arrives.
                if !send_complete(&tx, &mut line) {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
    }
}

/// Sends `line` if it is complete (ends with `\n`, which is dropped), leaving a partial
/// line in place. False when the receiver is gone.
fn send_complete(tx: &SyncSender<Msg>, line: &mut Vec<u8>) -> bool {
    if line.last() != Some(&b'\n') {
        return true;
    }
    line.pop();
    tx.send(Msg::Line(std::mem::take(line))).is_ok()
}

/// Starts `journalctl -k -o json --no-pager` with extra arguments (e.g. `--since`),
/// returning the child; its stdout is the input.
pub fn spawn_journalctl(extra: &[String]) -> Result<Child> {
    Command::new("journalctl")
        .args(["-k", "-o", "json", "--no-pager"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| Error::Io {
            path: PathBuf::from("journalctl"),
            source: e,
        })
}

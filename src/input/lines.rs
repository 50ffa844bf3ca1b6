//! Rolling line buffer: hands out the lines of a byte stream without copying them.
//!
//! One reusable buffer is filled from the reader, the unconsumed tail is rolled to the
//! front, and lines are cut only where the consumer needs them. While the consumer is
//! idle ([`Want::Markers`]) the whole buffer is searched for OOM marker strings and only
//! the lines holding a match are cut out; inside an OOM report ([`Want::Every`]) every
//! line is handed out. Line numbers count real `\n` bytes, so they match `grep -n`.
//!
//! Two kinds of damage are handled here because they are about bytes, not log syntax:
//! runs of NUL bytes (left in a file by a crash) split a physical line into segments
//! that keep its line number, and a line longer than the cap is cut with a flag so that
//! memory stays bounded whatever the input.

use std::io::{self, Read};

use memchr::{memchr, memchr_iter, memrchr};

use crate::input::markers::Markers;

/// Default size of the read buffer.
pub const DEFAULT_CAPACITY: usize = 256 * 1024;
/// Default longest line kept whole; longer lines are truncated.
pub const DEFAULT_MAX_LINE: usize = 1024 * 1024;

/// One line (or one NUL-separated segment of a line) of the input.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The bytes, without the terminator, a trailing `\r`, or NUL bytes.
    pub bytes: &'a [u8],
    /// 1-based line number in the input.
    pub number: u64,
    /// Byte offset of the line's first byte in the (decompressed) input.
    pub offset: u64,
    /// The physical line was longer than the cap and was cut.
    pub truncated: bool,
}

/// What the consumer wants to see next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Only lines that contain an OOM marker (plus one sample line per buffer).
    Markers,
    /// Every line.
    Every,
}

/// Receives lines from a [`LineReader`].
pub trait LineSink {
    /// What the consumer wants at the start of the input.
    fn start(&self) -> Want {
        Want::Markers
    }
    /// A line the consumer asked for. Returns what it wants next.
    fn line(&mut self, line: Line<'_>) -> Want;
    /// The last complete line of a buffer region that was skipped in
    /// [`Want::Markers`] mode, so that clocks and dates can be followed cheaply.
    fn sample(&mut self, line: Line<'_>);
}

/// Counters a [`LineReader`] keeps about the bytes it read.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReadStats {
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Lines seen (counting `\n`, plus a final unterminated line).
    pub lines: u64,
    /// Lines cut because they were longer than the cap.
    pub truncated_lines: u64,
    /// The first of them.
    pub first_truncated_line: Option<u64>,
    /// NUL bytes found (and treated as separators).
    pub nul_bytes: u64,
}

/// A rolling-buffer line reader over any [`Read`].
pub struct LineReader<R> {
    rdr: R,
    buf: Vec<u8>,
    /// First unconsumed byte.
    pos: usize,
    /// End of valid data.
    end: usize,
    eof: bool,
    /// Number of the line that starts at `pos`.
    number: u64,
    /// Absolute offset of `buf[0]`.
    base: u64,
    max_line: usize,
    /// Inside an over-long line: drop bytes up to the next `\n`.
    skipping: bool,
    /// The region handed out next is the head of an over-long line.
    cut_pending: bool,
    stats: ReadStats,
}

impl<R: Read> LineReader<R> {
    /// A reader with the default buffer size and line cap.
    pub fn new(rdr: R) -> Self {
        Self::with_limits(rdr, DEFAULT_CAPACITY, DEFAULT_MAX_LINE)
    }

    /// A reader with an explicit initial buffer size and line cap (both at least 16).
    pub fn with_limits(rdr: R, capacity: usize, max_line: usize) -> Self {
        let capacity = capacity.max(16);
        LineReader {
            rdr,
            buf: vec![0; capacity],
            pos: 0,
            end: 0,
            eof: false,
            number: 1,
            base: 0,
            max_line: max_line.max(16),
            skipping: false,
            cut_pending: false,
            stats: ReadStats::default(),
        }
    }

    /// What has been read so far.
    pub fn stats(&self) -> ReadStats {
        self.stats
    }

    /// Reads to the end, handing lines to `sink`.
    ///
    /// An I/O error (a corrupt gzip member, a vanished file) stops the run; the lines
    /// before it have been delivered and [`LineReader::stats`] says how far it got.
    pub fn run<S: LineSink>(&mut self, sink: &mut S, markers: &Markers) -> io::Result<()> {
        let mut want = sink.start();
        while let Some(complete_end) = self.refill()? {
            if self.cut_pending {
                // The head of an over-long line, which has no `\n` in the buffer.
                self.cut_pending = false;
                let head = &self.buf[self.pos..complete_end];
                if want == Want::Every || markers.find(head).is_some() {
                    want = self.deliver(sink, self.pos, complete_end, true, want);
                }
                self.pos = complete_end;
                continue;
            }
            if self.skipping {
                // Drop the rest of an over-long line.
                match memchr(b'\n', &self.buf[self.pos..complete_end]) {
                    Some(i) => {
                        self.pos += i + 1;
                        self.number += 1;
                        self.skipping = false;
                    }
                    None => self.pos = complete_end,
                }
                continue;
            }
            while self.pos < complete_end {
                match want {
                    Want::Every => {
                        let nl =
                            memchr(b'\n', &self.buf[self.pos..complete_end]).map(|i| self.pos + i);
                        let stop = nl.unwrap_or(complete_end);
                        want = self.deliver(sink, self.pos, stop, false, want);
                        self.pos = nl.map_or(complete_end, |n| n + 1);
                        if nl.is_some() {
                            self.number += 1;
                        }
                    }
                    Want::Markers => {
                        let region = &self.buf[self.pos..complete_end];
                        match markers.find(region) {
                            None => {
                                let skipped = bytecount::count(region, b'\n') as u64;
                                self.sample_last(sink, complete_end);
                                self.number += skipped;
                                self.pos = complete_end;
                            }
                            Some(m) => {
                                let at = self.pos + m;
                                let start = memrchr(b'\n', &self.buf[self.pos..at])
                                    .map_or(self.pos, |i| self.pos + i + 1);
                                self.number +=
                                    bytecount::count(&self.buf[self.pos..start], b'\n') as u64;
                                let nl = memchr(b'\n', &self.buf[at..complete_end]).map(|i| at + i);
                                let stop = nl.unwrap_or(complete_end);
                                want = self.deliver(sink, start, stop, false, want);
                                self.pos = nl.map_or(complete_end, |n| n + 1);
                                if nl.is_some() {
                                    self.number += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Hands the last complete line before `complete_end` to `sink.sample`.
    fn sample_last<S: LineSink>(&self, sink: &mut S, complete_end: usize) {
        let region = &self.buf[self.pos..complete_end];
        let body_end = if region.last() == Some(&b'\n') {
            region.len() - 1
        } else {
            region.len()
        };
        let start = memrchr(b'\n', &region[..body_end]).map_or(0, |i| i + 1);
        if start == body_end {
            return;
        }
        let number = self.number + bytecount::count(&region[..start], b'\n') as u64;
        let offset = self.base + (self.pos + start) as u64;
        let bytes = trim_cr(&region[start..body_end]);
        // A sample is only for clocks; segments split by NULs are not worth it.
        if memchr(0, bytes).is_none() {
            sink.sample(Line {
                bytes,
                number,
                offset,
                truncated: false,
            });
        }
    }

    /// Hands `buf[start..stop]` (one physical line) to the sink, split at NUL runs.
    fn deliver<S: LineSink>(
        &mut self,
        sink: &mut S,
        start: usize,
        stop: usize,
        truncated: bool,
        mut want: Want,
    ) -> Want {
        let number = self.number;
        let line = trim_cr(&self.buf[start..stop]);
        if memchr(0, line).is_none() {
            if !line.is_empty() {
                want = sink.line(Line {
                    bytes: line,
                    number,
                    offset: self.base + start as u64,
                    truncated,
                });
            }
            return want;
        }
        let mut seg_start = 0;
        let nul_count = memchr_iter(0, line).count();
        self.stats.nul_bytes += nul_count as u64;
        for nul in memchr_iter(0, line).chain(std::iter::once(line.len())) {
            if nul > seg_start {
                want = sink.line(Line {
                    bytes: &line[seg_start..nul],
                    number,
                    offset: self.base + (start + seg_start) as u64,
                    truncated,
                });
            }
            seg_start = nul + 1;
        }
        want
    }

    /// Makes sure `buf[pos..]` holds at least one complete line (or the last bytes of
    /// the input) and returns the end of the complete lines; `None` at the end.
    fn refill(&mut self) -> io::Result<Option<usize>> {
        loop {
            if self.pos < self.end {
                let avail = &self.buf[self.pos..self.end];
                if let Some(i) = memrchr(b'\n', avail) {
                    return Ok(Some(self.pos + i + 1));
                }
                if self.eof {
                    // A final line without terminator.
                    self.stats.lines += 1;
                    return Ok(Some(self.end));
                }
            } else if self.eof {
                return Ok(None);
            }
            self.roll();
            if self.end == self.buf.len() {
                // A line fills the whole buffer: grow, or cut it.
                if self.buf.len() < self.max_line {
                    let new_len = (self.buf.len() * 2).min(self.max_line);
                    self.buf.resize(new_len, 0);
                } else {
                    return Ok(Some(self.cut_long_line()));
                }
            }
            let n = read_some(&mut self.rdr, &mut self.buf[self.end..])?;
            if n == 0 {
                self.eof = true;
            } else {
                let fresh = &self.buf[self.end..self.end + n];
                self.stats.lines += bytecount::count(fresh, b'\n') as u64;
                self.stats.bytes += n as u64;
                self.end += n;
            }
        }
    }

    /// The buffer is full and holds no `\n`. NUL runs are line breaks for this purpose
    /// (a crash leaves megabytes of them before the next real line), so the segments up
    /// to the last NUL are handed out and the rest kept. Otherwise the line really is too
    /// long: its head is handed out flagged as truncated and the rest is skipped. The
    /// returned end has no `\n` before it, so the line number does not move.
    fn cut_long_line(&mut self) -> usize {
        if self.skipping {
            // Still inside the same over-long line: drop what was read.
            self.pos = self.end;
            return self.end;
        }
        if let Some(last_nul) = memrchr(0, &self.buf[self.pos..self.end]) {
            return self.pos + last_nul + 1;
        }
        self.stats.truncated_lines += 1;
        self.stats.first_truncated_line.get_or_insert(self.number);
        self.cut_pending = true;
        self.skipping = true;
        self.end
    }

    fn roll(&mut self) {
        if self.pos == 0 {
            return;
        }
        self.buf.copy_within(self.pos..self.end, 0);
        self.base += self.pos as u64;
        self.end -= self.pos;
        self.pos = 0;
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    match line.last() {
        Some(b'\r') => &line[..line.len() - 1],
        _ => line,
    }
}

/// `read` that retries on `Interrupted`.
fn read_some<R: Read>(rdr: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match rdr.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

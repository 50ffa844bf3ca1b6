//! Rolling line buffer: hands out the lines of a byte stream without copying them.
//!
//! One reusable buffer is filled from the reader, the unconsumed tail is rolled to the
//! front, and lines are cut only where the consumer needs them. While the consumer is
//! idle ([`Want::Markers`]) the whole buffer is searched for the [`Prefilter`]'s
//! literals (markers) and only the lines holding a match are cut out; inside a report
//! ([`Want::Every`]) every line is handed out. Line numbers count real `\n` bytes, so they match `grep -n`.
//!
//! Two kinds of damage are handled here because they are about bytes, not log syntax:
//! runs of NUL bytes (left in a file by a crash) split a physical line into segments
//! that keep its line number, and a line longer than the cap is cut with a flag so that
//! memory stays bounded whatever the input.
//!
//! With helper threads ([`LineReader::with_workers`]) the reading thread reads ahead in
//! chunks and the helpers search each chunk for markers and count its newlines while
//! earlier chunks are being consumed, so decompression, marker search and parsing
//! overlap; the consumer then only looks up the precomputed hits. A searched chunk is
//! not copied into the line buffer: it becomes the line buffer, with only the unfinished
//! line before it copied into room kept at its front. A regular file is mapped
//! ([`LineReader::reading_mapped`]; the helpers search it where it lies and the mapping
//! is the buffer) or read by position ([`LineReader::reading_at`]), so that the helpers
//! take chunks in parallel and the consumer's thread is left to the lines of OOM
//! reports. The lines handed out are the same in every mode (a test checks it).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use memchr::{memchr, memchr_iter, memchr2, memrchr};

use crate::input::mapped::MappedFile;
use crate::input::prefilter::Prefilter;
use crate::input::read_full;

/// Default size of the read buffer.
pub const DEFAULT_CAPACITY: usize = 1024 * 1024;
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
    /// Only lines that contain a marker, a literal of the [`Prefilter`] (plus the
    /// context lines before them, as samples).
    Markers,
    /// Every line.
    Every,
}

impl Want {
    /// Every line if `every`, else marker lines only.
    pub fn every_if(every: bool) -> Want {
        if every { Want::Every } else { Want::Markers }
    }
}

/// Receives lines from a [`LineReader`].
pub trait LineSink {
    /// What the consumer wants at the start of the input.
    fn start(&self) -> Want {
        Want::Markers
    }
    /// A line the consumer asked for. Returns what it wants next.
    fn line(&mut self, line: Line<'_>) -> Want;
    /// A line skipped in [`Want::Markers`] mode, so that clocks, dates and the
    /// metadata that header-less continuation lines inherit can be followed cheaply.
    /// Lines are offered from the end of a skipped stretch backwards until the sink
    /// returns true (the line settles the context), so the sink always knows the last
    /// line that matters before the next line it is given.
    fn sample(&mut self, line: Line<'_>) -> bool;
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
    /// Helper threads that search chunks read ahead (0: search in the calling thread).
    workers: usize,
    /// The input as a regular file that chunks are read from by position (`pread`), by
    /// whichever thread searches them, instead of in order by the consumer.
    at_file: Option<Arc<File>>,
    /// The input as a mapped file, searched where it lies.
    map: Option<Arc<MappedFile>>,
    /// Where bytes taken from `at_file` or `map` are added for a progress bar.
    progress: Option<Arc<AtomicU64>>,
    core: Core,
}

/// The line buffer and its position; the reader is kept apart so that a [`Feed`] can
/// borrow it while the buffer is worked on. For a mapped file the whole file is the
/// buffer: `base` stays 0, nothing is rolled or copied, and `end` grows chunk by chunk
/// the way the buffer would fill (see [`Ahead::extend_mapped`]).
struct Core {
    buf: Vec<u8>,
    map: Option<Arc<MappedFile>>,
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
    /// `\n` bytes in everything read so far (up to `end`). Since no `\n` follows the
    /// end of the region [`Core::refill`] returns, this gives line numbers at region
    /// ends without counting the region again. With `unterminated`, the line count.
    newlines: u64,
    /// The input ended with a line that has no `\n`.
    unterminated: bool,
    /// `buf[pos..scanned]` holds no `\n`: only bytes read since are searched for one,
    /// which keeps a long line that arrives in small reads linear.
    scanned: usize,
    /// A mapped file's bytes before this were released ([`MappedFile::release_before`]).
    released: usize,
}

impl<R: Read> LineReader<R> {
    /// A reader with the default buffer size and line cap.
    pub fn new(rdr: R) -> Self {
        Self::with_limits(rdr, DEFAULT_CAPACITY, DEFAULT_MAX_LINE)
    }

    /// A reader with an explicit initial buffer size and line cap (both at least 16; a
    /// cap below the buffer size is raised to it).
    pub fn with_limits(rdr: R, capacity: usize, max_line: usize) -> Self {
        let capacity = capacity.max(16);
        let max_line = max_line.max(capacity);
        LineReader {
            rdr,
            workers: 0,
            at_file: None,
            map: None,
            progress: None,
            core: Core {
                buf: vec![0; capacity],
                map: None,
                pos: 0,
                end: 0,
                eof: false,
                number: 1,
                base: 0,
                max_line: max_line.max(16),
                skipping: false,
                cut_pending: false,
                stats: ReadStats::default(),
                newlines: 0,
                unterminated: false,
                scanned: 0,
                released: 0,
            },
        }
    }

    /// Searches for markers in `n` helper threads, ahead of the consumer (0: in the
    /// calling thread, as it reads). Worth it when cores are idle: a single input, or
    /// fewer inputs than cores.
    pub fn with_workers(mut self, n: usize) -> Self {
        self.workers = n;
        self
    }

    /// Reads `file` (from its first byte, whatever the reader has consumed) by position
    /// when there are helpers: each chunk is read by the thread that searches it, so
    /// reading is shared out too. Without helpers the reader is read as usual. Bytes
    /// read this way are added to `progress`.
    pub fn reading_at(mut self, file: Arc<File>, progress: Option<Arc<AtomicU64>>) -> Self {
        self.at_file = Some(file);
        self.progress = progress;
        self
    }

    /// Reads the mapped file `map` instead of the reader: helpers (and the calling
    /// thread, when it would wait) search its chunks where they lie, and the lines are
    /// handed out from the mapping. The same lines as reading it. Bytes searched are
    /// added to `progress`.
    pub fn reading_mapped(
        mut self,
        map: Arc<MappedFile>,
        progress: Option<Arc<AtomicU64>>,
    ) -> Self {
        self.map = Some(map);
        self.progress = progress;
        self
    }

    /// What has been read so far.
    pub fn stats(&self) -> ReadStats {
        let c = &self.core;
        ReadStats {
            lines: c.newlines + u64::from(c.unterminated),
            ..c.stats
        }
    }

    /// Reads to the end, handing lines to `sink`.
    ///
    /// An I/O error (a corrupt gzip member, a vanished file) stops the run; the lines
    /// before it have been delivered and [`LineReader::stats`] says how far it got.
    pub fn run<S: LineSink>(&mut self, sink: &mut S, markers: &Prefilter) -> io::Result<()> {
        if self.workers == 0 && self.map.is_none() {
            return self
                .core
                .run(sink, markers, &mut Feed::Direct(&mut self.rdr));
        }
        let workers = self.workers;
        let rdr = &mut self.rdr;
        let core = &mut self.core;
        core.map = self.map.clone();
        // A mapped chunk is at most a line cap long, so that no line inside one can be
        // longer than the cap (see `Ahead::extend_mapped`).
        let chunk = match &self.map {
            Some(_) => core.max_line.min(MAPPED_CHUNK),
            None => chunk_size(core.buf.len()),
        };
        let shared = Shared {
            chunk,
            ext: markers.max_len().saturating_sub(1),
            at_file: self.at_file.as_deref(),
            map: self.map.as_deref(),
            progress: self.progress.as_deref(),
            ..Shared::default()
        };
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| shared.work(markers));
            }
            // Dropping the feed (also when the sink panics) lets the helpers end.
            let mut feed = Feed::Ahead(Box::new(Ahead::new(rdr, markers, &shared)));
            core.run(sink, markers, &mut feed)
        })
    }
}

impl Core {
    fn run<S: LineSink, R: Read>(
        &mut self,
        sink: &mut S,
        markers: &Prefilter,
        feed: &mut Feed<'_, R>,
    ) -> io::Result<()> {
        let mut want = sink.start();
        while let Some(complete_end) = self.refill(feed)? {
            if self.cut_pending {
                // The head of an over-long line, which has no `\n` in the buffer.
                self.cut_pending = false;
                let head = &self.bytes()[self.pos..complete_end];
                if want == Want::Every || markers.find(head).is_some() {
                    want = self.deliver(sink, self.pos, complete_end, true, want);
                }
                self.pos = complete_end;
                continue;
            }
            if self.skipping {
                // Drop the rest of an over-long line.
                match memchr(b'\n', &self.bytes()[self.pos..complete_end]) {
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
                        let nl = memchr(b'\n', &self.bytes()[self.pos..complete_end])
                            .map(|i| self.pos + i);
                        let stop = nl.unwrap_or(complete_end);
                        want = self.deliver(sink, self.pos, stop, false, want);
                        self.pos = nl.map_or(complete_end, |n| n + 1);
                        if nl.is_some() {
                            self.number += 1;
                        }
                    }
                    Want::Markers => {
                        // The helpers' hits when they are exact for this region, else
                        // a search here. A hit also carries its line number.
                        let known =
                            feed.hit(self.base + self.pos as u64, self.base + complete_end as u64);
                        let found = match known {
                            Some(hit) => hit.map(|h| ((h.at - self.base) as usize, Some(h.number))),
                            None => markers
                                .find(&self.bytes()[self.pos..complete_end])
                                .map(|m| (self.pos + m, None)),
                        };
                        match found {
                            None => {
                                let last = self.newlines + 1
                                    - u64::from(self.bytes()[complete_end - 1] == b'\n');
                                self.sample_back(sink, self.pos, complete_end, last);
                                // No `\n` after `complete_end` has been read yet.
                                self.number = self.newlines + 1;
                                self.pos = complete_end;
                            }
                            Some((at, number)) => {
                                let start = memrchr(b'\n', &self.bytes()[self.pos..at])
                                    .map_or(self.pos, |i| self.pos + i + 1);
                                self.number = match number {
                                    Some(n) => n,
                                    None => {
                                        self.number
                                            + bytecount::count(
                                                &self.bytes()[self.pos..start],
                                                b'\n',
                                            ) as u64
                                    }
                                };
                                if start > self.pos {
                                    self.sample_back(sink, self.pos, start, self.number - 1);
                                }
                                let nl =
                                    memchr(b'\n', &self.bytes()[at..complete_end]).map(|i| at + i);
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
}

impl Core {
    /// The bytes `pos`, `end` and `base` refer to.
    fn bytes(&self) -> &[u8] {
        match &self.map {
            Some(m) => m.bytes(),
            None => &self.buf,
        }
    }

    /// Offers the lines of `buf[from..to]` (whole lines; `last` is the number of the
    /// last one) to `sink.sample`, last first, until one settles the context. The
    /// walk is bounded: a stretch of thousands of header-less lines is not worth
    /// reading backwards, and the skipped lines are left to the previous samples.
    fn sample_back<S: LineSink>(&self, sink: &mut S, from: usize, to: usize, last: u64) {
        const MAX_LINES: usize = 64;
        let region = &self.bytes()[from..to];
        let mut end = region.len();
        if region.last() == Some(&b'\n') {
            end -= 1;
        }
        let mut number = last;
        for _ in 0..MAX_LINES {
            let start = memrchr(b'\n', &region[..end]).map_or(0, |i| i + 1);
            let bytes = trim_cr(&region[start..end]);
            // Blank lines and NUL-split lines say nothing about the context.
            if !bytes.is_empty()
                && memchr(0, bytes).is_none()
                && sink.sample(Line {
                    bytes,
                    number,
                    offset: self.base + (from + start) as u64,
                    truncated: false,
                })
            {
                return;
            }
            if start == 0 {
                return;
            }
            end = start - 1;
            number -= 1;
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
        let base = self.base;
        let line = trim_cr(&self.bytes()[start..stop]);
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
        let mut nul_count = 0;
        for nul in memchr_iter(0, line).chain(std::iter::once(line.len())) {
            if nul > seg_start {
                want = sink.line(Line {
                    bytes: &line[seg_start..nul],
                    number,
                    offset: base + (start + seg_start) as u64,
                    truncated,
                });
            }
            seg_start = nul + 1;
            nul_count += 1;
        }
        // The loop also ran once for the end of the line, which is no NUL.
        self.stats.nul_bytes += nul_count - 1;
        want
    }

    /// Makes sure `buf[pos..]` holds at least one complete line (or the last bytes of
    /// the input) and returns the end of the complete lines; `None` at the end.
    fn refill<R: Read>(&mut self, feed: &mut Feed<'_, R>) -> io::Result<Option<usize>> {
        loop {
            if self.pos < self.end {
                let from = self.scanned.max(self.pos);
                if let Some(i) = memrchr(b'\n', &self.bytes()[from..self.end]) {
                    return Ok(Some(from + i + 1));
                }
                self.scanned = self.end;
                if self.eof {
                    self.unterminated = true;
                    return Ok(Some(self.end));
                }
            } else if self.eof {
                return Ok(None);
            }
            let at = Position {
                keep_from: self.base + self.pos as u64,
                offset: self.base + self.end as u64,
                newlines: self.newlines,
            };
            if self.map.is_some() {
                if self.end - self.pos >= self.max_line {
                    return Ok(Some(self.cut_long_line()));
                }
                let Feed::Ahead(a) = feed else {
                    unreachable!("a mapped file is read with the chunk feed");
                };
                match a.extend_mapped(self.pos, self.end, self.max_line, at) {
                    Some((end, newlines)) => {
                        self.took(end - self.end, newlines);
                        self.end = end;
                        // What was handed out need not stay mapped into the process.
                        if let Some(map) = &self.map
                            && self.pos - self.released >= RELEASE_STEP
                        {
                            self.released = self.pos;
                            map.release_before(self.pos);
                        }
                    }
                    None => {
                        self.eof = true;
                        a.end()?;
                    }
                }
                continue;
            }
            if let Feed::Ahead(a) = feed
                && let Some((n, newlines)) =
                    a.swap_in(&mut self.buf, self.pos..self.end, at, self.max_line)
            {
                // The unfinished bytes now end at `HEAD`, the chunk follows them.
                let tail = self.end - self.pos;
                let scanned = self.scanned.max(self.pos) - self.pos;
                self.base = at.offset - HEAD as u64;
                self.pos = HEAD - tail;
                self.end = HEAD + n;
                self.scanned = self.pos + scanned;
                self.took(n, newlines);
                continue;
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
            // Rolling moved no byte's offset: `at` still holds.
            let (n, newlines) = feed.fill(&mut self.buf[self.end..], at)?;
            if n == 0 {
                self.eof = true;
            } else {
                self.took(n, newlines);
                self.end += n;
            }
        }
    }

    /// Counts `bytes` more input bytes, holding `newlines` line ends.
    fn took(&mut self, bytes: usize, newlines: u64) {
        self.stats.bytes += bytes as u64;
        self.newlines += newlines;
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
        // A full buffer holds exactly the cap; a mapped window may reach past it.
        let cap_end = (self.pos + self.max_line).min(self.end);
        if let Some(last_nul) = memrchr(0, &self.bytes()[self.pos..cap_end]) {
            return self.pos + last_nul + 1;
        }
        self.stats.truncated_lines += 1;
        self.stats.first_truncated_line.get_or_insert(self.number);
        self.cut_pending = true;
        self.skipping = true;
        cap_end
    }

    fn roll(&mut self) {
        if self.pos == 0 {
            return;
        }
        self.buf.copy_within(self.pos..self.end, 0);
        self.base += self.pos as u64;
        self.end -= self.pos;
        self.scanned = self.scanned.saturating_sub(self.pos);
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

/// A marker found ahead: where, and the number of its line.
#[derive(Debug, Clone, Copy)]
struct Hit {
    /// Absolute offset of the marker's first byte.
    at: u64,
    /// Line number of the line holding it.
    number: u64,
}

/// Chunks read ahead of the one being consumed.
const AHEAD: u64 = 4;
/// The same for a file read by position, where helpers also read: enough to keep them
/// busy while the consumer works through a long OOM report.
const AHEAD_AT: u64 = 16;
/// Bytes per chunk of a mapped file (at most the line cap), and how far the consumer
/// moves between releases of what it has read.
const MAPPED_CHUNK: usize = 1 << 20;
const RELEASE_STEP: usize = 8 << 20;
/// How often (in chunks) the consumer checks whether the helpers keep up, and for how
/// many chunks' worth of input it goes without them when they do not.
const CHECK_EVERY: u32 = 8;
const SOLO_CHUNKS: u64 = 64;

/// Size of the chunks read ahead for the helpers: half the line buffer, so that a
/// chunk usually fits whole after the unfinished line is rolled to the front.
fn chunk_size(buffer: usize) -> usize {
    (buffer / 2).clamp(4096, 4 << 20)
}

/// Where the consumer stands when it asks for more bytes.
#[derive(Debug, Clone, Copy)]
struct Position {
    /// Absolute offset of the oldest byte the consumer still holds.
    keep_from: u64,
    /// Absolute offset of the next byte it will get, and the `\n` bytes before it.
    offset: u64,
    newlines: u64,
}

/// Where the line buffer gets its bytes.
enum Feed<'a, R> {
    /// Straight from the reader; markers are searched by the consumer.
    Direct(&'a mut R),
    /// From chunks read ahead and searched by helper threads.
    Ahead(Box<Ahead<'a, R>>),
}

impl<R: Read> Feed<'_, R> {
    /// Copies the next bytes into `dst`; returns how many and how many `\n` they hold.
    fn fill(&mut self, dst: &mut [u8], at: Position) -> io::Result<(usize, u64)> {
        match self {
            Feed::Direct(rdr) => {
                let n = read_some(rdr, dst)?;
                Ok((n, bytecount::count(&dst[..n], b'\n') as u64))
            }
            Feed::Ahead(a) => a.fill(dst, at),
        }
    }

    /// The first marker in `[from, to)` when it is known (`None`: search yourself).
    /// Exact for any range that starts at a line start or after a NUL and ends at a
    /// line end, after a NUL, or at the end of the input.
    fn hit(&mut self, from: u64, to: u64) -> Option<Option<Hit>> {
        match self {
            Feed::Direct(_) => None,
            Feed::Ahead(a) => {
                // Only bytes that came in searched chunks, without a gap, are known.
                if !(a.covered.0 <= from && to <= a.covered.1) {
                    return None;
                }
                a.drop_hits_before(from);
                Some(a.hits.front().filter(|h| h.at < to).copied())
            }
        }
    }
}

/// Room kept in front of each chunk for the consumer's unfinished line, so that the
/// chunk can become the line buffer without being copied.
const HEAD: usize = 16 * 1024;

/// A piece of the input read ahead, with what a helper found in it.
struct Chunk {
    /// `HEAD` bytes of room, then `len` bytes of input, then room for the head of the
    /// next chunk.
    data: Vec<u8>,
    len: usize,
    /// Offsets (from the first input byte) of the first marker of every line (and of
    /// every NUL-ended piece of a line) holding one (a line's hit may lie in the chunk
    /// before when the line starts there), with the `\n` bytes before each.
    hits: Vec<(usize, u64)>,
    /// `\n` bytes in the input bytes, and the offset of the first.
    newlines: u64,
    first_nl: Option<usize>,
    /// Reading by position failed after `len` bytes.
    error: Option<io::Error>,
    /// Where a mapped chunk starts in the file (its bytes are not in `data`).
    start: usize,
}

/// What a helper does with a chunk.
#[derive(Debug, Clone, Copy)]
enum Job {
    /// Search it; `ext` bytes of the next chunk follow its input bytes.
    Search { ext: usize },
    /// Read it from the file at this offset, then search it.
    ReadAt(u64),
    /// Search the mapped file's chunk that starts at this offset.
    Map(usize),
}

impl Chunk {
    /// An empty chunk whose buffer holds at least `HEAD + bytes` bytes.
    fn sized(mut self, bytes: usize) -> Chunk {
        if self.data.len() < HEAD + bytes {
            self.data.resize(HEAD + bytes, 0);
        }
        self.len = 0;
        self.error = None;
        self
    }

    /// Finds the markers and counts the lines of the input bytes, looking `ext` bytes
    /// into the next chunk (copied after them) for markers that straddle the boundary.
    /// Searching resumes after the first `\n` or NUL after each hit, so that every
    /// region the consumer may ask about (it starts at a line start or after a NUL)
    /// has its first marker recorded.
    fn prescan(&mut self, markers: &Prefilter, ext: usize) {
        let hay = &self.data[HEAD..HEAD + self.len + ext];
        (self.newlines, self.first_nl) = prescan(hay, self.len, markers, &mut self.hits);
    }

    /// Reads `chunk` bytes at `at`, and up to `ext` more for markers that straddle the
    /// end, until the file ends. Returns how many of the `ext` were read. An error
    /// before the chunk is full is kept for the consumer; one after it is met again
    /// by the next chunk.
    fn read_at(&mut self, file: &File, at: u64, chunk: usize, ext: usize) -> usize {
        let want = HEAD + chunk + ext;
        let mut end = HEAD;
        while end < want {
            match file.read_at(&mut self.data[end..want], at + (end - HEAD) as u64) {
                Ok(0) => break,
                Ok(n) => end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    if end < HEAD + chunk {
                        self.error = Some(e);
                    }
                    break;
                }
            }
        }
        self.len = (end - HEAD).min(chunk);
        end - HEAD - self.len
    }
}

/// Records in `hits` the markers of `hay[..len]` (looking into the rest of `hay` for
/// markers that straddle `len`), and returns the `\n` bytes in `hay[..len]` and the
/// offset of the first.
///
/// The work goes block by block, the newlines of a block counted right after it was
/// searched, while it is still in the cache (the search brings it in from memory).
fn prescan(
    hay: &[u8],
    len: usize,
    markers: &Prefilter,
    hits: &mut Vec<(usize, u64)>,
) -> (u64, Option<usize>) {
    const BLOCK: usize = 64 * 1024;
    hits.clear();
    let reach = markers.max_len();
    let (mut pos, mut newlines, mut block_start) = (0, 0u64, 0);
    while block_start < len {
        let block_end = (block_start + BLOCK).min(len);
        // A marker that starts in the block lies whole within `reach` of its end.
        let window = &hay[..(block_end + reach).min(hay.len())];
        let mut counted = block_start;
        while pos < block_end {
            let Some(at) = markers.find(&window[pos..]).map(|m| pos + m) else {
                break;
            };
            if at >= block_end {
                break;
            }
            newlines += bytecount::count(&hay[counted..at], b'\n') as u64;
            counted = at;
            hits.push((at, newlines));
            // On to the next line, or past the next NUL: the consumer cuts an over-long
            // line at a NUL and searches the rest as a region of its own.
            pos = memchr2(b'\n', 0, &hay[at..len]).map_or(len, |i| at + i + 1);
        }
        // No marker starts between `pos` and the block's end.
        pos = pos.max(block_end);
        newlines += bytecount::count(&hay[counted..block_end], b'\n') as u64;
        block_start = block_end;
    }
    (newlines, memchr(b'\n', &hay[..len]))
}

/// Chunks between the reading side and the helpers. A chunk the consumer needs before
/// any helper took it is read and searched by the consumer itself, so a busy machine
/// (helpers not scheduled) costs no waiting.
#[derive(Default)]
struct Shared<'a> {
    state: Mutex<State>,
    /// Signalled when a job is queued or the feed closes.
    work: Condvar,
    /// Signalled when a helper finishes a chunk.
    done: Condvar,
    /// Input bytes per chunk, and how far a marker can reach past a chunk's end.
    chunk: usize,
    ext: usize,
    /// The file [`Job::ReadAt`] reads.
    at_file: Option<&'a File>,
    /// The file [`Job::Map`] searches.
    map: Option<&'a MappedFile>,
    /// Where those jobs add their chunk's bytes.
    progress: Option<&'a AtomicU64>,
}

#[derive(Default)]
struct State {
    /// Chunks waiting for a helper, with their sequence number.
    queue: VecDeque<(u64, Chunk, Job)>,
    /// Chunks a helper has finished, by sequence number.
    finished: Vec<(u64, Chunk)>,
    /// Helpers waiting for work, and searching.
    idle: usize,
    working: usize,
    /// A helper panicked: its chunk is lost.
    failed: bool,
    closed: bool,
}

impl Shared<'_> {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking helper leaves consistent data behind (its chunk is just lost).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn run_job(&self, c: &mut Chunk, job: Job, markers: &Prefilter) {
        let ext = match job {
            Job::Search { ext } => ext,
            Job::ReadAt(at) => {
                let file = self
                    .at_file
                    .expect("ReadAt jobs are queued only with a file");
                let ext = c.read_at(file, at, self.chunk, self.ext);
                self.add_progress(c.len);
                ext
            }
            Job::Map(start) => {
                let map = self.map.expect("Map jobs are queued only with a map");
                let bytes = map.bytes();
                let start = start.min(bytes.len());
                c.start = start;
                c.len = self.chunk.min(bytes.len() - start);
                map.populate(start, c.len + self.ext);
                let hay = &bytes[start..(start + c.len + self.ext).min(bytes.len())];
                (c.newlines, c.first_nl) = prescan(hay, c.len, markers, &mut c.hits);
                self.add_progress(c.len);
                return;
            }
        };
        c.prescan(markers, ext);
    }

    fn add_progress(&self, bytes: usize) {
        if let Some(p) = self.progress {
            p.fetch_add(bytes as u64, Ordering::Relaxed);
        }
    }

    /// A helper's loop: take the oldest queued chunk, do its job, hand it back.
    fn work(&self, markers: &Prefilter) {
        let mut st = self.lock();
        loop {
            if let Some((seq, mut c, job)) = st.queue.pop_front() {
                st.working += 1;
                drop(st);
                let searched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.run_job(&mut c, job, markers);
                }));
                st = self.lock();
                st.working -= 1;
                match searched {
                    Ok(()) => st.finished.push((seq, c)),
                    // The consumer would wait for this chunk forever: tell it instead.
                    Err(_) => st.failed = true,
                }
                self.done.notify_one();
            } else if st.closed {
                return;
            } else {
                st.idle += 1;
                st = self.work.wait(st).unwrap_or_else(PoisonError::into_inner);
                st.idle -= 1;
            }
        }
    }

    fn push(&self, seq: u64, c: Chunk, job: Job) {
        let mut st = self.lock();
        st.queue.push_back((seq, c, job));
        if st.idle > 0 {
            self.work.notify_one();
        }
    }

    /// Chunk `seq`, done: by a helper, or here if none has started on it. Also says
    /// whether a helper did it. `None` if a helper failed on it.
    fn take(&self, seq: u64, markers: &Prefilter) -> Option<(Chunk, bool)> {
        let mut st = self.lock();
        loop {
            if let Some(i) = st.finished.iter().position(|(s, _)| *s == seq) {
                return Some((st.finished.swap_remove(i).1, true));
            }
            if let Some(i) = st.queue.iter().position(|(s, _, _)| *s == seq) {
                let (_, mut c, job) = st.queue.remove(i).expect("position is valid");
                drop(st);
                self.run_job(&mut c, job, markers);
                return Some((c, false));
            }
            if st.failed && st.working == 0 {
                return None;
            }
            // A helper is on it: do a later chunk meanwhile rather than wait.
            if let Some((later, mut c, job)) = st.queue.pop_front() {
                drop(st);
                self.run_job(&mut c, job, markers);
                st = self.lock();
                st.finished.push((later, c));
                continue;
            }
            st = self.done.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn close(&self) {
        self.lock().closed = true;
        self.work.notify_all();
    }
}

/// The read-ahead side. A stream is read in the consumer's thread (the reader need not
/// be `Send`), and each chunk queued for the helpers once the head of the next one is
/// known; while the helpers do not get to run, it reads straight into the line buffer
/// instead ("solo"), leaving the search to the consumer. A file read by position is
/// queued as jobs that read and search. Either way chunks are taken back in order.
struct Ahead<'a, R> {
    rdr: &'a mut R,
    markers: &'a Prefilter,
    shared: &'a Shared<'a>,
    /// Chunks queued, and taken back.
    sent: u64,
    received: u64,
    /// Of the chunks taken back since the last check, how many a helper had done.
    taken: u32,
    helped: u32,
    /// Bytes still to read straight, without chunks (see `SOLO_CHUNKS`), and how many
    /// checks in a row found the helpers behind.
    solo: u64,
    misses: u32,
    /// Read, waiting for the next chunk's head before it can be searched.
    waiting: Option<Chunk>,
    /// The reader reached its end or failed; `error` is returned once all before it
    /// has been handed out.
    read_done: bool,
    error: Option<io::Error>,
    /// The chunk being copied out, how far, and the `\n` bytes copied from it so far.
    cur: Option<Chunk>,
    cur_off: usize,
    cur_newlines: u64,
    /// The absolute range covered by searched chunks without a gap: where `hits` is
    /// complete.
    covered: (u64, u64),
    hits: VecDeque<Hit>,
    free: Vec<Chunk>,
}

impl<R> Drop for Ahead<'_, R> {
    fn drop(&mut self) {
        self.shared.close();
    }
}

impl<'a, R: Read> Ahead<'a, R> {
    fn new(rdr: &'a mut R, markers: &'a Prefilter, shared: &'a Shared<'a>) -> Self {
        Ahead {
            rdr,
            markers,
            shared,
            sent: 0,
            received: 0,
            taken: 0,
            helped: 0,
            solo: 0,
            misses: 0,
            waiting: None,
            read_done: false,
            error: None,
            cur: None,
            cur_off: 0,
            cur_newlines: 0,
            covered: (0, 0),
            hits: VecDeque::new(),
            free: Vec::new(),
        }
    }

    /// Whether the next bytes are read straight from the reader.
    fn reading_solo(&self) -> bool {
        self.solo > 0 && self.received == self.sent && self.waiting.is_none()
    }

    fn fill(&mut self, dst: &mut [u8], at: Position) -> io::Result<(usize, u64)> {
        loop {
            if let Some(c) = &self.cur
                && self.cur_off < c.len
            {
                let n = dst.len().min(c.len - self.cur_off);
                let piece = &c.data[HEAD + self.cur_off..HEAD + self.cur_off + n];
                dst[..n].copy_from_slice(piece);
                // The helper counted the whole chunk; only a partial copy counts again.
                let newlines = if self.cur_off + n == c.len {
                    c.newlines - self.cur_newlines
                } else {
                    bytecount::count(piece, b'\n') as u64
                };
                self.cur_off += n;
                self.cur_newlines += newlines;
                return Ok((n, newlines));
            }
            if let Some(c) = self.cur.take() {
                self.free.push(c);
            }
            if self.reading_solo() {
                // Straight into the line buffer, as without helpers.
                if self.read_done {
                    return self.end();
                }
                let n = match read_some(self.rdr, dst) {
                    Ok(n) => n,
                    Err(e) => {
                        self.read_done = true;
                        return Err(e);
                    }
                };
                if n == 0 {
                    self.read_done = true;
                }
                let newlines = bytecount::count(&dst[..n], b'\n') as u64;
                self.solo = self.solo.saturating_sub(n as u64);
                return Ok((n, newlines));
            }
            let Some(c) = self.next_chunk() else {
                return self.end();
            };
            self.take_hits(&c, at);
            self.cur = Some(c);
            self.cur_off = 0;
            self.cur_newlines = 0;
        }
    }

    /// Makes the next chunk the line buffer when it is due whole and the consumer's
    /// unfinished bytes (`buf[tail]`) fit in the room before it: they are copied there
    /// and the buffers exchanged. Returns the chunk's input bytes and `\n` count;
    /// `None` when the bytes must be copied instead ([`Ahead::fill`]).
    ///
    /// Chunk buffers larger than the line cap are not swapped in: a buffer never
    /// exceeds the cap, so a line is cut where the buffer is full, as without helpers.
    fn swap_in(
        &mut self,
        buf: &mut Vec<u8>,
        tail: std::ops::Range<usize>,
        at: Position,
        max_line: usize,
    ) -> Option<(usize, u64)> {
        let part_copied = self.cur.as_ref().is_some_and(|c| self.cur_off < c.len);
        let too_big = HEAD + self.shared.chunk + self.shared.ext > max_line;
        // A buffer at offset 0 would start before the input.
        if part_copied
            || too_big
            || tail.len() > HEAD
            || at.offset < HEAD as u64
            || self.reading_solo()
        {
            return None;
        }
        if let Some(c) = self.cur.take() {
            self.free.push(c);
        }
        let mut c = self.next_chunk()?;
        self.take_hits(&c, at);
        c.data[HEAD - tail.len()..HEAD].copy_from_slice(&buf[tail]);
        std::mem::swap(buf, &mut c.data);
        let got = (c.len, c.newlines);
        // The old line buffer serves as a chunk from now on.
        self.free.push(c);
        Some(got)
    }

    /// For a mapped file: how far the consumer's window (`pos..end`, which holds no
    /// `\n`) may grow, and the `\n` bytes it gains; `None` at the end of the input.
    ///
    /// A buffer of the line cap holds the unfinished line whole only if its `\n` comes
    /// within the cap. Then the window takes the rest of the current chunk, whose other
    /// lines are shorter than the cap because a chunk is. Otherwise it grows only to
    /// the cap, through bytes without a `\n`, and the consumer cuts the line there as
    /// it would cut a full buffer.
    fn extend_mapped(
        &mut self,
        pos: usize,
        end: usize,
        max_line: usize,
        at: Position,
    ) -> Option<(usize, u64)> {
        loop {
            if let Some(c) = &self.cur
                && end < c.start + c.len
            {
                let chunk_end = c.start + c.len;
                // The window never passes a chunk's first `\n` before taking it whole.
                if c.first_nl.is_some_and(|f| c.start + f - pos < max_line) {
                    let newlines = c.newlines;
                    if let Some(c) = self.cur.take() {
                        self.free.push(c);
                    }
                    return Some((chunk_end, newlines));
                }
                return Some(((pos + max_line).min(chunk_end), 0));
            }
            if let Some(c) = self.cur.take() {
                self.free.push(c);
            }
            let c = self.next_chunk()?;
            debug_assert_eq!(at.offset, c.start as u64);
            self.take_hits(&c, at);
            self.cur = Some(c);
        }
    }

    /// Records the hits of chunk `c`, which starts where `at` says.
    fn take_hits(&mut self, c: &Chunk, at: Position) {
        self.drop_hits_before(at.keep_from);
        let (base, before) = (at.offset, at.newlines);
        self.hits.extend(c.hits.iter().map(|&(at, newlines)| Hit {
            at: base + at as u64,
            number: before + newlines + 1,
        }));
        if self.covered.1 != base {
            self.covered = (base, base);
        }
        self.covered.1 = base + c.len as u64;
    }

    /// Forgets the hits before absolute offset `at`.
    fn drop_hits_before(&mut self, at: u64) {
        while self.hits.front().is_some_and(|h| h.at < at) {
            self.hits.pop_front();
        }
    }

    fn end(&mut self) -> io::Result<(usize, u64)> {
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok((0, 0)),
        }
    }

    /// A chunk to fill, with room for a chunk and its look-ahead.
    /// A chunk to fill, with room for a chunk and its look-ahead (none for a mapped
    /// chunk, whose bytes stay in the mapping).
    fn spare(&mut self) -> Chunk {
        let c = self.free.pop().unwrap_or_else(|| Chunk {
            data: Vec::new(),
            len: 0,
            hits: Vec::new(),
            newlines: 0,
            first_nl: None,
            error: None,
            start: 0,
        });
        let room = match self.shared.map {
            Some(_) => 0,
            None => self.shared.chunk + self.shared.ext,
        };
        c.sized(room)
    }

    /// Takes chunk number `self.received` back from the helpers.
    fn receive(&mut self) -> Option<Chunk> {
        let Some((c, helped)) = self.shared.take(self.received, self.markers) else {
            self.read_done = true;
            self.received = self.sent;
            self.error = Some(io::Error::other("a marker search thread failed"));
            return None;
        };
        self.received += 1;
        self.taken += 1;
        self.helped += u32::from(helped);
        Some(c)
    }

    /// The next searched chunk in input order; `None` when all have been handed out
    /// (the end of the input, or a switch to solo reading).
    fn next_chunk(&mut self) -> Option<Chunk> {
        if self.shared.at_file.is_some() || self.shared.map.is_some() {
            return self.next_chunk_at();
        }
        // Read ahead far enough to give the helpers something to do meanwhile.
        while self.solo == 0 && !self.read_done && self.sent - self.received < AHEAD {
            let c = self.read_chunk();
            if let Some(mut w) = self.waiting.take() {
                let k = self.shared.ext.min(c.len);
                w.data[HEAD + w.len..HEAD + w.len + k].copy_from_slice(&c.data[HEAD..HEAD + k]);
                self.shared.push(self.sent, w, Job::Search { ext: k });
                self.sent += 1;
            }
            if c.len > 0 {
                self.waiting = Some(c);
            } else {
                self.free.push(c);
            }
        }
        if (self.read_done || self.solo > 0)
            && let Some(w) = self.waiting.take()
        {
            // Nothing follows in a chunk: the coverage ends with this one, so markers
            // that straddle its end are left to the consumer.
            self.shared.push(self.sent, w, Job::Search { ext: 0 });
            self.sent += 1;
        }
        if self.received == self.sent {
            return None;
        }
        let c = self.receive()?;
        if self.taken == CHECK_EVERY {
            // Helpers that rarely finish a chunk in time are not getting a core (the
            // machine is busy): read without them for a while rather than pay the
            // switching for nothing.
            // Each miss in a row doubles the time without them.
            if self.helped * 4 < self.taken {
                self.solo = (SOLO_CHUNKS << self.misses.min(6)) * self.shared.chunk as u64;
                self.misses += 1;
            } else {
                self.misses = 0;
            }
            self.taken = 0;
            self.helped = 0;
        }
        Some(c)
    }

    /// [`Ahead::next_chunk`] for a file read by position or mapped: chunks are queued
    /// as offsets, and the first short one is the end of the file.
    fn next_chunk_at(&mut self) -> Option<Chunk> {
        while !self.read_done && self.sent - self.received < AHEAD_AT {
            let c = self.spare();
            let at = self.sent as usize * self.shared.chunk;
            let job = match self.shared.map {
                Some(_) => Job::Map(at),
                None => Job::ReadAt(at as u64),
            };
            self.shared.push(self.sent, c, job);
            self.sent += 1;
        }
        if self.received == self.sent {
            return None;
        }
        let mut c = self.receive()?;
        if c.len < self.shared.chunk {
            // The end of the file (or a read error): the chunks queued after it are
            // beyond the end and are dropped with the queue.
            self.read_done = true;
            self.sent = self.received;
            self.error = c.error.take();
        }
        if c.len == 0 {
            self.free.push(c);
            return None;
        }
        Some(c)
    }

    /// Reads until the chunk is full, the input ends, or reading fails.
    fn read_chunk(&mut self) -> Chunk {
        let mut c = self.spare();
        let chunk = self.shared.chunk;
        let (n, err) = read_full(self.rdr, &mut c.data[HEAD..HEAD + chunk]);
        c.len = n;
        self.read_done = n < chunk || err.is_some();
        self.error = err;
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads every line for a while after each marker line, as the scanner does inside
    /// a report, and records what it is handed.
    struct Record {
        markers: Prefilter,
        seen: Vec<(u64, u64, Vec<u8>, bool)>,
        every_left: usize,
        samples: usize,
    }

    impl Record {
        fn new(markers: &Prefilter) -> Self {
            Record {
                markers: markers.clone(),
                seen: Vec::new(),
                every_left: 0,
                samples: 0,
            }
        }
    }

    impl LineSink for Record {
        fn line(&mut self, line: Line<'_>) -> Want {
            self.seen.push((
                line.number,
                line.offset,
                line.bytes.to_vec(),
                line.truncated,
            ));
            if self.markers.contains(line.bytes) {
                self.every_left = 5;
            }
            if self.every_left > 0 {
                self.every_left -= 1;
                Want::Every
            } else {
                Want::Markers
            }
        }
        fn sample(&mut self, _: Line<'_>) -> bool {
            self.samples += 1;
            true
        }
    }

    /// A reader that hands out at most `n` bytes per call, like a pipe.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    type Seen = Vec<(u64, u64, Vec<u8>, bool)>;

    /// A prefilter like the scanner's: several literals, anchors with common starts.
    fn test_prefilter() -> Prefilter {
        Prefilter::new(
            &[
                "oom-killer:",
                "Killed process",
                "Kill process",
                "oom-kill:",
                "Out of memory",
            ],
            &["m-kill", "Kill process", "Killed process", "Out of memory"],
        )
    }

    fn run(
        data: &[u8],
        capacity: usize,
        max_line: usize,
        workers: usize,
        trickle: usize,
    ) -> (Seen, ReadStats) {
        run_with(data, capacity, max_line, workers, trickle, None, None)
    }

    /// [`run`], reading `at_file` by position (it holds `data`) when given.
    fn run_with(
        data: &[u8],
        capacity: usize,
        max_line: usize,
        workers: usize,
        trickle: usize,
        at_file: Option<Arc<File>>,
        map: Option<Arc<MappedFile>>,
    ) -> (Seen, ReadStats) {
        let markers = test_prefilter();
        let mut sink = Record::new(&markers);
        let mut r = LineReader::with_limits(Trickle(data, trickle), capacity, max_line)
            .with_workers(workers);
        if let Some(f) = at_file {
            r = r.reading_at(f, None);
        }
        if let Some(m) = map {
            r = r.reading_mapped(m, None);
        }
        r.run(&mut sink, &markers).unwrap();
        (sink.seen, r.stats())
    }

    fn inputs() -> Vec<Vec<u8>> {
        let mut all = Vec::new();
        for dir in ["samples/real", "samples/lab"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            paths.sort();
            for p in paths {
                all.extend(std::fs::read(p).unwrap());
            }
        }
        // Markers straddling every offset around 4 KiB boundaries (the smallest
        // chunk), NUL runs, CRs, an over-long line, and no final newline.
        let mut hostile = Vec::new();
        for pad in 0..40 {
            hostile.extend(std::iter::repeat_n(b'x', 4096 - 20 + pad));
            hostile.extend_from_slice(b" Killed process 1 (a)\nfiller\n");
        }
        hostile.extend(std::iter::repeat_n(0u8, 9000));
        hostile.extend_from_slice(b"a\0\0b Out of memory: Kill process 2 (b)\r\n");
        hostile.extend(std::iter::repeat_n(b'y', 70_000));
        hostile.extend_from_slice(b" oom-kill:tail\nlast Killed process 3 (c)");
        // Two kill lines joined by NULs, no `\n`: with a small line cap the line is cut
        // at its last NUL, and the second kill is a region of its own (fuzzing found
        // helpers that had recorded only the line's first marker).
        let mut joined = b"[    1.000000] Out of memory: Killed process 1 (a)".to_vec();
        for _ in 0..12 {
            joined.extend_from_slice(b"\0 filler without a marker, past the sink's Every lines");
        }
        joined.extend(std::iter::repeat_n(0u8, 40));
        joined.extend_from_slice(b"[    1.100000] Out of memory: Killed process 2 (b)");
        vec![all, hostile, joined]
    }

    #[test]
    fn helpers_hand_out_the_same_lines() {
        for data in inputs() {
            let mut file = tempfile::tempfile().unwrap();
            std::io::Write::write_all(&mut file, &data).unwrap();
            let map = Arc::new(crate::input::mapped::map_for_test(&file));
            let file = Arc::new(file);
            for (capacity, max_line) in [
                (16, 65536),
                (64, 64),
                (257, 4096),
                (8192, 65536),
                (DEFAULT_CAPACITY, DEFAULT_MAX_LINE),
            ] {
                for trickle in [usize::MAX, 1000] {
                    let want = run(&data, capacity, max_line, 0, trickle);
                    for workers in [1, 2] {
                        let got = run(&data, capacity, max_line, workers, trickle);
                        assert!(
                            got == want,
                            "capacity {capacity}, max_line {max_line}, trickle {trickle}, workers {workers}"
                        );
                    }
                    if trickle == usize::MAX {
                        // Read by position; the reader is not used.
                        for workers in [1, 2] {
                            let f = Some(file.clone());
                            let got = run_with(&[], capacity, max_line, workers, trickle, f, None);
                            assert!(
                                got == want,
                                "by position: capacity {capacity}, max_line {max_line}, workers {workers}"
                            );
                        }
                        for workers in [0, 1, 2] {
                            let m = Some(map.clone());
                            let got = run_with(&[], capacity, max_line, workers, trickle, None, m);
                            assert!(
                                got == want,
                                "mapped: capacity {capacity}, max_line {max_line}, workers {workers}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_read_error_by_position_is_returned() {
        // Reading a directory fails (EISDIR) where reading a file would not.
        let dir = Arc::new(File::open(env!("CARGO_MANIFEST_DIR")).unwrap());
        let markers = test_prefilter();
        let mut sink = Record::new(&markers);
        let mut r = LineReader::new(io::empty())
            .with_workers(1)
            .reading_at(dir, None);
        let err = r.run(&mut sink, &markers).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EISDIR));
        assert!(sink.seen.is_empty());
    }

    /// Truncates its file when handed the first line.
    struct Truncating {
        file: File,
        seen: Vec<Vec<u8>>,
    }

    impl LineSink for Truncating {
        fn line(&mut self, line: Line<'_>) -> Want {
            if self.seen.is_empty() {
                self.file.set_len(100).unwrap();
            }
            self.seen.push(line.bytes.to_vec());
            Want::Markers
        }
        fn sample(&mut self, _: Line<'_>) -> bool {
            true
        }
    }

    #[test]
    fn a_mapped_file_truncated_while_read_ends_early_without_a_crash() {
        let mut data = b"a Killed process 1 (first)\n".to_vec();
        while data.len() < 3 << 20 {
            data.extend_from_slice(b"filler line without a marker\n");
        }
        data.extend_from_slice(b"a Killed process 2 (last)\n");
        let file = tempfile::tempfile().unwrap();
        for workers in [0, 1, 2] {
            file.set_len(0).unwrap();
            file.write_all_at(&data, 0).unwrap();
            let map = Arc::new(crate::input::mapped::map_for_test(&file));
            let mut sink = Truncating {
                file: file.try_clone().unwrap(),
                seen: Vec::new(),
            };
            let mut r = LineReader::new(io::empty())
                .with_workers(workers)
                .reading_mapped(map.clone(), None);
            r.run(&mut sink, &test_prefilter()).unwrap();
            assert_eq!(sink.seen, vec![b"a Killed process 1 (first)".to_vec()]);
            assert!(map.shrank());
            // The mapped length was read, the lost part as NULs.
            assert_eq!(r.stats().bytes, data.len() as u64);
        }
    }

    #[test]
    fn a_long_line_in_small_reads_is_linear() {
        // 8 MiB without a newline, 3 bytes per read: the reader must not search what
        // it already searched (this took minutes when it did).
        let mut data = vec![b'z'; 8 << 20];
        data.push(b'\n');
        let t = std::time::Instant::now();
        let (_, stats) = run(&data, 1 << 20, 1 << 20, 0, 3);
        assert_eq!(stats.truncated_lines, 1);
        assert!(t.elapsed().as_secs() < 60);
    }
}

//! Time order over any number of events in bounded memory: each event is reduced to a
//! fixed-size sort key, keys are sorted in runs of [`RUN_KEYS`], runs past the first
//! are written to one temporary file, and the runs are merged back in order. A million
//! events take a few runs of 4 MiB each instead of a million candidates in memory.
//!
//! A run that cannot be written (a full, read-only or missing `$TMPDIR`) stays in
//! memory, over the bound rather than lost, and the sorter says so once.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use chrono::NaiveDateTime;

/// Keys per sorted run (4 MiB of keys).
pub const RUN_KEYS: usize = 128 * 1024;

/// Where an event sorts: its time (UTC; events without one sort first, as in the
/// log they come from), then input, line, and its place in the input's store (which
/// keeps the order stable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Key {
    secs: i64,
    nanos: u32,
    pub input: u32,
    line: u64,
    pub index: u32,
}

/// Bytes of one key in a run file.
const KEY_BYTES: usize = 28;

impl Key {
    pub fn new(time: Option<NaiveDateTime>, input: usize, line: u64, index: usize) -> Key {
        // chrono's range ends far above i64::MIN seconds, so `MIN` is free for "no time".
        let (secs, nanos) = time.map_or((i64::MIN, 0), |t| {
            let t = t.and_utc();
            (t.timestamp(), t.timestamp_subsec_nanos())
        });
        Key {
            secs,
            nanos,
            input: u32::try_from(input).unwrap_or(u32::MAX),
            line,
            index: u32::try_from(index).unwrap_or(u32::MAX),
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.secs.to_le_bytes());
        out.extend_from_slice(&self.nanos.to_le_bytes());
        out.extend_from_slice(&self.input.to_le_bytes());
        out.extend_from_slice(&self.line.to_le_bytes());
        out.extend_from_slice(&self.index.to_le_bytes());
    }

    fn decode(b: &[u8]) -> Key {
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        Key {
            secs: u64_at(0) as i64,
            nanos: u32_at(8),
            input: u32_at(12),
            line: u64_at(16),
            index: u32_at(24),
        }
    }
}

enum Run {
    /// `len` keys at byte `offset` of the run file.
    File { offset: u64, len: usize },
    /// Kept in memory: the first run, or one the file could not take.
    Mem(Vec<Key>),
}

/// Sorts keys in runs of a bounded size; see the module documentation.
pub(super) struct Sorter {
    buf: Vec<Key>,
    run_keys: usize,
    runs: Vec<Run>,
    file: Option<File>,
    end: u64,
    /// Why runs stayed in memory, and how many keys.
    error: Option<(String, usize)>,
}

impl Sorter {
    /// A sorter writing runs of `run_keys` keys (at least one), for `total` keys.
    pub fn new(run_keys: usize, total: usize) -> Sorter {
        let run_keys = run_keys.max(1);
        Sorter {
            // Exact: growing by doubling would hold the old and the new buffer at once.
            buf: Vec::with_capacity(run_keys.min(total)),
            run_keys,
            runs: Vec::new(),
            file: None,
            end: 0,
            error: None,
        }
    }

    pub fn push(&mut self, key: Key) {
        self.buf.push(key);
        if self.buf.len() >= self.run_keys {
            self.close_run();
        }
    }

    fn close_run(&mut self) {
        self.buf.sort_unstable();
        match self.write_run() {
            // The buffer is reused for the next run.
            Ok(()) => self.buf.clear(),
            Err(e) => {
                let kept = self.error.get_or_insert_with(|| (e.to_string(), 0));
                kept.1 += self.buf.len();
                let run = std::mem::replace(&mut self.buf, Vec::with_capacity(self.run_keys));
                self.runs.push(Run::Mem(run));
            }
        }
    }

    /// Writes the sorted buffer through as a run (a full disk shows here, not at the
    /// merge), in pieces so that no second copy of the run is made.
    fn write_run(&mut self) -> io::Result<()> {
        if self.file.is_none() {
            self.file = Some(tempfile::tempfile()?);
        }
        let file = self.file.as_ref().expect("just created");
        let mut bytes = Vec::with_capacity(READ_KEYS * KEY_BYTES);
        let mut at = self.end;
        for piece in self.buf.chunks(READ_KEYS) {
            bytes.clear();
            for k in piece {
                k.encode(&mut bytes);
            }
            file.write_all_at(&bytes, at)?;
            at += bytes.len() as u64;
        }
        self.runs.push(Run::File {
            offset: self.end,
            len: self.buf.len(),
        });
        self.end = at;
        Ok(())
    }

    /// Why some keys stayed in memory (the run file could not take them), and how many.
    pub fn spill_error(&self) -> Option<&(String, usize)> {
        self.error.as_ref()
    }

    /// All keys in order. A read error of the run file ends the sequence early and is
    /// given as the last item.
    pub fn finish(mut self) -> Merged {
        // The last run stays in memory (when everything fits in one: no file at all).
        if !self.buf.is_empty() || self.runs.is_empty() {
            let mut run = std::mem::take(&mut self.buf);
            run.sort_unstable();
            self.runs.push(Run::Mem(run));
        }
        let file = self.file.take();
        let mut cursors: Vec<Cursor> = self
            .runs
            .drain(..)
            .map(|r| match r {
                Run::Mem(keys) => Cursor::Mem(keys.into_iter()),
                Run::File { offset, len } => Cursor::File {
                    next: offset,
                    left: len,
                    buf: Vec::new(),
                    at: 0,
                },
            })
            .collect();
        let mut heap = BinaryHeap::with_capacity(cursors.len());
        let mut failed = None;
        for (i, c) in cursors.iter_mut().enumerate() {
            match c.next(file.as_ref()) {
                Ok(Some(k)) => heap.push(Reverse((k, i))),
                Ok(None) => {}
                Err(e) => failed = Some(e),
            }
        }
        Merged {
            file,
            cursors,
            heap,
            failed,
        }
    }
}

/// Keys read back from a run per read (14 KiB per run file cursor).
const READ_KEYS: usize = 512;

enum Cursor {
    Mem(std::vec::IntoIter<Key>),
    File {
        next: u64,
        left: usize,
        buf: Vec<u8>,
        at: usize,
    },
}

impl Cursor {
    fn next(&mut self, file: Option<&File>) -> io::Result<Option<Key>> {
        match self {
            Cursor::Mem(it) => Ok(it.next()),
            Cursor::File {
                next,
                left,
                buf,
                at,
            } => {
                if *at >= buf.len() {
                    if *left == 0 {
                        return Ok(None);
                    }
                    let n = (*left).min(READ_KEYS);
                    buf.resize(n * KEY_BYTES, 0);
                    let file = file.ok_or_else(|| io::Error::other("run file missing"))?;
                    file.read_exact_at(buf, *next)?;
                    *next += buf.len() as u64;
                    *left -= n;
                    *at = 0;
                }
                let k = Key::decode(&buf[*at..*at + KEY_BYTES]);
                *at += KEY_BYTES;
                Ok(Some(k))
            }
        }
    }
}

/// The merged runs, in key order.
pub(super) struct Merged {
    file: Option<File>,
    cursors: Vec<Cursor>,
    heap: BinaryHeap<Reverse<(Key, usize)>>,
    failed: Option<io::Error>,
}

impl Iterator for Merged {
    type Item = io::Result<Key>;

    fn next(&mut self) -> Option<io::Result<Key>> {
        if let Some(e) = self.failed.take() {
            self.heap.clear();
            return Some(Err(e));
        }
        let Reverse((key, i)) = self.heap.pop()?;
        match self.cursors[i].next(self.file.as_ref()) {
            Ok(Some(k)) => self.heap.push(Reverse((k, i))),
            Ok(None) => {}
            Err(e) => self.failed = Some(e),
        }
        Some(Ok(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secs: Option<i64>, input: usize, line: u64, index: usize) -> Key {
        let t = secs.map(|s| chrono::DateTime::from_timestamp(s, 0).unwrap().naive_utc());
        Key::new(t, input, line, index)
    }

    #[test]
    fn keys_survive_the_run_file() {
        let k = Key::new(
            Some(
                chrono::DateTime::from_timestamp(-62_000_000_000, 999_999_999)
                    .unwrap()
                    .naive_utc(),
            ),
            7,
            u64::MAX - 3,
            123_456,
        );
        let mut b = Vec::new();
        k.encode(&mut b);
        assert_eq!(b.len(), KEY_BYTES);
        assert_eq!(Key::decode(&b), k);
        let none = key(None, 0, 0, 0);
        let mut b = Vec::new();
        none.encode(&mut b);
        assert_eq!(Key::decode(&b), none);
        assert!(none < key(Some(i64::MIN / 1_000_000_000), 0, 0, 0));
    }

    /// Many small runs (most through the file, the rest in memory) merge into the order
    /// a plain sort gives.
    #[test]
    fn merged_runs_equal_one_sort() {
        let mut keys = Vec::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..10_000usize {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let secs = x.is_multiple_of(50).then_some((x % 1000) as i64);
            keys.push(key(secs, (x % 3) as usize, x % 97, i));
        }
        let mut s = Sorter::new(333, 10_000);
        for k in &keys {
            s.push(*k);
        }
        assert!(s.runs.len() >= 30);
        assert!(s.buf.capacity() <= 333, "one run at a time in memory");
        let got: Vec<Key> = s.finish().map(|k| k.unwrap()).collect();
        keys.sort();
        assert_eq!(got, keys);
    }

    /// A full disk keeps the runs in memory, says so, and loses no key.
    #[test]
    fn runs_the_disk_refuses_stay_in_memory() {
        let Ok(full) = File::options().write(true).open("/dev/full") else {
            return;
        };
        let mut s = Sorter::new(10, 100);
        s.file = Some(full);
        for i in (0..95).rev() {
            s.push(key(Some(i as i64), 0, 0, i));
        }
        let (why, n) = s.spill_error().cloned().expect("the write failed");
        assert!(why.contains("No space left"), "{why}");
        assert_eq!(n, 90);
        let got: Vec<u32> = s.finish().map(|k| k.unwrap().index).collect();
        assert_eq!(got, (0..95).collect::<Vec<u32>>());
    }

    #[test]
    fn one_run_needs_no_file() {
        let mut s = Sorter::new(100, 2);
        s.push(key(Some(2), 0, 0, 1));
        s.push(key(Some(1), 0, 5, 0));
        assert!(s.file.is_none());
        let got: Vec<u32> = s.finish().map(|k| k.unwrap().index).collect();
        assert_eq!(got, [0, 1]);
    }
}

//! Binary systemd journal files (`.journal`, `.journal~`) read in process: the kernel
//! entries (`_TRANSPORT=kernel`) of a file come out as `journalctl -o json` lines,
//! which the record layer already reads, with every field of the entry (`_BOOT_ID`,
//! `_SOURCE_MONOTONIC_TIMESTAMP`, `_HOSTNAME`, …) and `__REALTIME_TIMESTAMP` /
//! `__MONOTONIC_TIMESTAMP` from the entry object.
//!
//! The format is systemd's `docs/JOURNAL_FILE_FORMAT.md`: a header, then 8-byte
//! aligned objects, each with its type and size. Why a reader of our own: of the
//! pure-Rust readers on crates.io, `systemd-journal-sdk` is GPL-3.0 (oomlens is
//! MIT/Apache-2.0), `sdjournal` needs Rust 1.95 (oomlens builds with 1.88), and
//! `systemd-journal-reader` (0.1.1) decodes zstd fields only (not xz or lz4), keeps
//! every data object of the file in a map as it streams (memory grows with the file),
//! and ends silently at the first damage (its `next_entry` gives `None`), so a cut
//! file would look complete. Only what oomlens needs is read here.
//!
//! How: the objects are walked in file order from the header to the tail object
//! (journald appends, so entry objects come in the order they were written, and each
//! data object before the first entry that uses it). The data objects whose payload
//! is `_TRANSPORT=kernel` are remembered by offset (one per file, as data objects are
//! deduplicated); an entry that refers to one of them is a kernel entry, and only
//! its data objects are then looked up. Memory: the file is mapped (or read whole
//! when mapping is not available), plus one entry's fields at a time. Entry arrays
//! and hash tables are not needed, so damage in them does not matter; a damaged or
//! cut object stops the walk with an error after the entries before it.
//!
//! Compressed fields (object flags XZ, LZ4, ZSTD) are decoded, up to
//! [`MAX_FIELD`] bytes each.
//!
//! Measured on a 40 MiB journal made by systemd-journal-remote (100,980 entries, a
//! third of them kernel entries, 320 OOM events), 2 shared cores: the whole analysis
//! 326 ms, peak RSS 37 MiB (mostly the mapped file); `journalctl --file F
//! _TRANSPORT=kernel -o json` alone takes 1.23 s, and oomlens on its output gives
//! byte-identical events.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::input::mapped::MappedFile;

/// The first bytes of a journal file.
pub(crate) const MAGIC: &[u8; 8] = b"LPKSHHRH";

/// Largest decoded field kept (journald's own limit for a data object is larger, but
/// no kernel message comes near it: a bigger field is skipped, not allocated).
const MAX_FIELD: usize = 16 << 20;

// Header incompatible flags.
const INCOMPAT_COMPACT: u32 = 1 << 4;

// Object types and flags.
const OBJECT_DATA: u8 = 1;
const OBJECT_ENTRY: u8 = 3;
const COMPRESSED_XZ: u8 = 1;
const COMPRESSED_LZ4: u8 = 2;
const COMPRESSED_ZSTD: u8 = 4;

/// The file's bytes: mapped where the SIGBUS guard allows it, else read.
enum Bytes {
    Mapped(MappedFile),
    Owned(Vec<u8>),
}

impl Bytes {
    fn get(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m.bytes(),
            Bytes::Owned(v) => v,
        }
    }
}

/// The fields whose entries are read: the kernel's, and those of the userspace OOM
/// killers and of systemd, whose unit lines report kills (issue 17), as `--journal`
/// asks journalctl for them.
const KEPT: &[&[u8]] = &[
    b"_TRANSPORT=kernel",
    b"SYSLOG_IDENTIFIER=systemd-oomd",
    b"SYSLOG_IDENTIFIER=earlyoom",
    b"SYSLOG_IDENTIFIER=nohang",
    b"SYSLOG_IDENTIFIER=oomd",
    b"SYSLOG_IDENTIFIER=systemd",
    b"SYSLOG_IDENTIFIER=kubelet",
    b"SYSLOG_IDENTIFIER=k3s",
];

/// Reads the kernel entries (and the OOM killers' and systemd's: [`KEPT`]) of one
/// journal file as journal JSON lines.
pub(crate) struct JournalReader {
    bytes: Bytes,
    compact: bool,
    /// Next object to look at, and where the objects end (after the tail object).
    pos: u64,
    end: u64,
    /// Data objects whose payload is `_TRANSPORT=kernel` (one per file, as data
    /// objects are deduplicated, unless the file was made otherwise).
    kernel: HashSet<u64>,
    out: Vec<u8>,
    out_pos: usize,
    /// Fields that could not be decoded (skipped), for the closing diagnostic.
    bad_fields: u64,
    /// The damage that stopped the walk, said after the lines before it.
    failed: Option<String>,
    done: bool,
    /// File bytes walked so far (the progress bar and `raw_bytes`).
    walked: Arc<AtomicU64>,
    progress: Option<Arc<AtomicU64>>,
}

fn u64_at(b: &[u8], at: u64) -> Option<u64> {
    let at = usize::try_from(at).ok()?;
    let s = b.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(s.try_into().ok()?))
}

fn u32_at(b: &[u8], at: u64) -> Option<u32> {
    let at = usize::try_from(at).ok()?;
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

impl JournalReader {
    /// A reader of `file`, whose first bytes are [`MAGIC`]. Fails when the header
    /// cannot be used.
    pub(crate) fn open(
        file: &File,
        walked: Arc<AtomicU64>,
        progress: Option<Arc<AtomicU64>>,
    ) -> io::Result<Self> {
        // SAFETY: journald appends objects and rewrites only header fields and
        // offsets in place; a file cut while mapped reads as NUL bytes past its new
        // end (the SIGBUS guard), which the walk sees as the end of the objects.
        #[allow(unsafe_code)]
        let bytes = match unsafe { MappedFile::map(file) } {
            Ok(m) => Bytes::Mapped(m),
            Err(_) => {
                let mut v = Vec::new();
                (&*file).read_to_end(&mut v)?;
                Bytes::Owned(v)
            }
        };
        Self::from_bytes(bytes, walked, progress)
    }

    fn from_bytes(
        bytes: Bytes,
        walked: Arc<AtomicU64>,
        progress: Option<Arc<AtomicU64>>,
    ) -> io::Result<Self> {
        let b = bytes.get();
        let short = || invalid("the journal file's header is cut short".into());
        if !b.starts_with(MAGIC) {
            return Err(invalid("not a journal file".into()));
        }
        let incompat = u32_at(b, 12).ok_or_else(short)?;
        let header_size = u64_at(b, 88).ok_or_else(short)?;
        let tail_object = u64_at(b, 136).ok_or_else(short)?;
        if header_size < 136 || header_size % 8 != 0 {
            return Err(invalid(format!(
                "the journal file's header is damaged (header size {header_size})"
            )));
        }
        let compact = incompat & INCOMPAT_COMPACT != 0;
        // The walk ends after the tail object; an empty file has none.
        let end = if tail_object == 0 {
            header_size
        } else {
            match u64_at(b, tail_object.saturating_add(8)) {
                Some(size) if size >= 16 => tail_object.saturating_add(size),
                // The tail is past the end of the file: walk what is there and say so.
                _ => u64::MAX,
            }
        };
        Ok(JournalReader {
            bytes,
            compact,
            pos: header_size,
            end,
            kernel: HashSet::new(),
            out: Vec::with_capacity(64 * 1024),
            out_pos: 0,
            bad_fields: 0,
            failed: None,
            done: false,
            walked,
            progress,
        })
    }

    /// Fields skipped because they could not be decoded.
    #[cfg(test)]
    pub(crate) fn bad_fields(&self) -> u64 {
        self.bad_fields
    }

    /// Walks objects until some lines are in `out` or the objects end.
    fn fill(&mut self) {
        let start = self.pos;
        while self.out.len() < 32 * 1024 && !self.done {
            self.step();
        }
        let n = self.pos.saturating_sub(start);
        self.walked.fetch_add(n, Ordering::Relaxed);
        if let Some(p) = &self.progress {
            p.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Looks at the object at `pos` and moves past it.
    fn step(&mut self) {
        let len = self.bytes.get().len() as u64;
        if self.pos >= self.end || (self.end == u64::MAX && self.pos + 16 > len) {
            if self.end == u64::MAX {
                self.failed = Some(format!(
                    "the journal file is cut short: its header names objects past its end ({len} bytes)"
                ));
            }
            self.done = true;
            return;
        }
        let b = self.bytes.get();
        let at = self.pos;
        let (Some(kind), Some(size)) = (b.get(at as usize).copied(), u64_at(b, at + 8)) else {
            self.failed = Some(format!(
                "the journal file is cut short at byte {at} of {len}, before its last object"
            ));
            self.done = true;
            return;
        };
        if size < 16 || at.saturating_add(size) > len {
            self.failed = Some(if at.saturating_add(size) > len {
                format!("the journal file is cut short inside the object at byte {at}")
            } else {
                format!("the journal file is damaged at byte {at} (object size {size})")
            });
            self.done = true;
            return;
        }
        match kind {
            // Too short to be compressed: compared as stored, nothing decoded.
            OBJECT_DATA
                if self
                    .stored(at)
                    .is_some_and(|(f, p)| f == 0 && KEPT.contains(&p)) =>
            {
                self.kernel.insert(at);
            }
            OBJECT_ENTRY => self.entry(at, size),
            _ => {}
        }
        self.pos = (at + size + 7) & !7;
    }

    /// The decoded payload of the data object at `at` (None if it is not one, or
    /// cannot be decoded).
    fn payload(&self, at: u64) -> Option<Vec<u8>> {
        let (flags, raw) = self.stored(at)?;
        if flags & COMPRESSED_XZ != 0 {
            let mut out = Vec::new();
            liblzma::read::XzDecoder::new(raw)
                .take(MAX_FIELD as u64 + 1)
                .read_to_end(&mut out)
                .ok()?;
            (out.len() <= MAX_FIELD).then_some(out)
        } else if flags & COMPRESSED_LZ4 != 0 {
            // An LZ4 block after its decoded size (le64).
            let n = usize::try_from(u64_at(raw, 0)?).ok()?;
            if n > MAX_FIELD {
                return None;
            }
            lz4_flex::block::decompress(raw.get(8..)?, n).ok()
        } else if flags & COMPRESSED_ZSTD != 0 {
            let mut out = Vec::new();
            zstd::stream::read::Decoder::with_buffer(raw)
                .ok()?
                .take(MAX_FIELD as u64 + 1)
                .read_to_end(&mut out)
                .ok()?;
            (out.len() <= MAX_FIELD).then_some(out)
        } else {
            Some(raw.to_vec())
        }
    }

    /// The compression flags and the payload as stored of the data object at `at`.
    fn stored(&self, at: u64) -> Option<(u8, &[u8])> {
        let b = self.bytes.get();
        if b.get(at as usize).copied() != Some(OBJECT_DATA) {
            return None;
        }
        let flags = *b.get(at as usize + 1)?;
        let size = u64_at(b, at.checked_add(8)?)?;
        let start = at.checked_add(if self.compact { 72 } else { 64 })?;
        let end = at.checked_add(size)?;
        let raw = b.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)?;
        Some((
            flags & (COMPRESSED_XZ | COMPRESSED_LZ4 | COMPRESSED_ZSTD),
            raw,
        ))
    }

    /// Writes the entry at `at` as one JSON line if it is a kernel entry.
    fn entry(&mut self, at: u64, size: u64) {
        if size < 64 {
            return;
        }
        let stride = if self.compact { 4 } else { 16 };
        let n = (size - 64) / stride;
        let b = self.bytes.get();
        let item = |i: u64| -> Option<u64> {
            let o = at + 64 + i * stride;
            if self.compact {
                u32_at(b, o).map(u64::from)
            } else {
                u64_at(b, o)
            }
        };
        if self.kernel.is_empty()
            || !(0..n).any(|i| item(i).is_some_and(|o| self.kernel.contains(&o)))
        {
            return;
        }
        let realtime = u64_at(b, at + 24).unwrap_or(0);
        let monotonic = u64_at(b, at + 32).unwrap_or(0);
        let boot: String = b[at as usize + 40..at as usize + 56]
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect();
        let mut line = format!(
            "{{\"__REALTIME_TIMESTAMP\":\"{realtime}\",\"__MONOTONIC_TIMESTAMP\":\"{monotonic}\",\"_BOOT_ID\":\"{boot}\""
        )
        .into_bytes();
        // Each field once (the first value), as a JSON object can hold it.
        let mut names: HashSet<Vec<u8>> = HashSet::from([b"_BOOT_ID".to_vec()]);
        let mut bad = 0;
        for i in 0..n {
            let Some(payload) = item(i).and_then(|o| self.payload(o)) else {
                bad += 1;
                continue;
            };
            let Some(eq) = memchr::memchr(b'=', &payload) else {
                bad += 1;
                continue;
            };
            let (name, value) = (&payload[..eq], &payload[eq + 1..]);
            if !names.insert(name.to_vec()) {
                continue;
            }
            line.push(b',');
            json_string(&mut line, &String::from_utf8_lossy(name));
            line.push(b':');
            match std::str::from_utf8(value) {
                Ok(s) => json_string(&mut line, s),
                // As journalctl does: bytes that are not UTF-8 as an array of numbers.
                Err(_) => {
                    line.push(b'[');
                    for (k, v) in value.iter().enumerate() {
                        if k > 0 {
                            line.push(b',');
                        }
                        line.extend_from_slice(v.to_string().as_bytes());
                    }
                    line.push(b']');
                }
            }
        }
        line.extend_from_slice(b"}\n");
        self.bad_fields += bad;
        self.out.extend_from_slice(&line);
    }
}

fn json_string(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

impl Read for JournalReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            self.out.clear();
            self.out_pos = 0;
            if self.done {
                if let Some(why) = self.failed.take() {
                    return Err(invalid(format!("{why}; the entries before it were read")));
                }
                if self.bad_fields > 0 {
                    let n = std::mem::take(&mut self.bad_fields);
                    return Err(invalid(format!(
                        "{n} field(s) of kernel entries could not be decoded (damaged or compressed beyond {} MiB) and were left out",
                        MAX_FIELD >> 20
                    )));
                }
                return Ok(0);
            }
            self.fill();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Vec<u8> {
        let path = format!("{}/samples/journal/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn read(bytes: Vec<u8>) -> (String, Option<io::Error>, u64) {
        let mut r = JournalReader::from_bytes(Bytes::Owned(bytes), Arc::default(), None).unwrap();
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match r.read(&mut buf) {
                Ok(0) => return (String::from_utf8(out).unwrap(), None, r.bad_fields()),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (String::from_utf8(out).unwrap(), Some(e), r.bad_fields()),
            }
        }
    }

    /// The kernel entries of `samples/lab/NAME.journal-json`, as (field, value) sets.
    fn want(name: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
        let text = std::fs::read_to_string(format!(
            "{}/samples/lab/{name}.journal-json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        text.lines()
            .map(|l| {
                let mut m: serde_json::Map<_, _> = serde_json::from_str(l).unwrap();
                m.remove("__CURSOR");
                m
            })
            .filter(|m| m["_TRANSPORT"] == "kernel")
            .collect()
    }

    fn got(text: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn every_kernel_entry_with_every_field_as_journalctl_gives_it() {
        for name in ["many"] {
            let (text, err, bad) = read(sample(&format!("{name}.journal")));
            assert!(err.is_none(), "{name}: {err:?}");
            assert_eq!(bad, 0);
            let (got, want) = (got(&text), want(name));
            assert_eq!(got.len(), want.len(), "{name}");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g, w, "{name}");
            }
        }
    }

    /// journald on this machine (systemd 252) compresses with zstd only: the real
    /// file has zstd fields (samples/journal/README.md).
    #[test]
    fn zstd_fields_of_a_real_file_are_decoded() {
        let (text, err, bad) = read(sample("adj-long-fields.journal"));
        assert!(err.is_none(), "{err:?}");
        assert_eq!(bad, 0);
        let got = got(&text);
        assert_eq!(got.len(), want("adj").len());
        let long: Vec<_> = got.iter().filter_map(|e| e.get("OOMLENS_LONG")).collect();
        assert_eq!(long.len(), 25);
        assert!(long.iter().all(|v| *v == "oom ".repeat(500).as_str()));
    }

    /// A journal holding one data object with `flags` and `payload` as stored.
    fn one_data_object(flags: u8, stored: &[u8]) -> JournalReader {
        let mut b = vec![0u8; 272];
        b[..8].copy_from_slice(MAGIC);
        b[88..96].copy_from_slice(&272u64.to_le_bytes());
        b[136..144].copy_from_slice(&272u64.to_le_bytes());
        let size = 64 + stored.len() as u64;
        let mut obj = vec![0u8; 64];
        obj[0] = OBJECT_DATA;
        obj[1] = flags;
        obj[8..16].copy_from_slice(&size.to_le_bytes());
        obj.extend_from_slice(stored);
        b.extend_from_slice(&obj);
        JournalReader::from_bytes(Bytes::Owned(b), Arc::default(), None).unwrap()
    }

    #[test]
    fn xz_and_lz4_fields_are_decoded() {
        let field = format!("MESSAGE={}", "Out of memory: Killed process 1 ".repeat(40));
        let mut xz = Vec::new();
        liblzma::read::XzEncoder::new(field.as_bytes(), 6)
            .read_to_end(&mut xz)
            .unwrap();
        let r = one_data_object(COMPRESSED_XZ, &xz);
        assert_eq!(r.payload(272).unwrap(), field.as_bytes());
        let mut lz4 = (field.len() as u64).to_le_bytes().to_vec();
        lz4.extend(lz4_flex::block::compress(field.as_bytes()));
        let r = one_data_object(COMPRESSED_LZ4, &lz4);
        assert_eq!(r.payload(272).unwrap(), field.as_bytes());
        // Damaged, or claiming more than the cap: left out, not allocated.
        lz4[8..20].fill(0xff);
        assert!(one_data_object(COMPRESSED_LZ4, &lz4).payload(272).is_none());
        let mut huge = (1u64 << 40).to_le_bytes().to_vec();
        huge.extend_from_slice(&[0; 16]);
        assert!(
            one_data_object(COMPRESSED_LZ4, &huge)
                .payload(272)
                .is_none()
        );
        xz.truncate(xz.len() / 2);
        assert!(one_data_object(COMPRESSED_XZ, &xz).payload(272).is_none());
    }

    /// No damage may crash the reader: bytes of the objects (offsets, sizes, flags,
    /// items) overwritten at random give some entries and maybe an error, never a panic.
    #[test]
    fn random_damage_never_panics() {
        let whole = sample("many.journal");
        let first = (u64_at(&whole, 104).unwrap() + u64_at(&whole, 112).unwrap()) as usize;
        let tail = u64_at(&whole, 136).unwrap() as usize;
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..60 {
            let mut bad = whole.clone();
            for _ in 0..1 + round % 8 {
                let at = first + (next() as usize) % (tail - first);
                let v = next();
                // Whole words now and then (offsets and sizes), single bytes otherwise.
                if round % 3 == 0 {
                    bad[at & !7..(at & !7) + 8].copy_from_slice(&v.to_le_bytes());
                } else {
                    bad[at] = v as u8;
                }
            }
            let _ = read(bad);
        }
        // And the header's own offsets.
        for field in [88usize, 104, 136] {
            let mut bad = whole.clone();
            bad[field..field + 8].copy_from_slice(&u64::MAX.to_le_bytes());
            if let Ok(mut r) = JournalReader::from_bytes(Bytes::Owned(bad), Arc::default(), None) {
                let _ = r.read_to_end(&mut Vec::new());
            }
        }
    }

    #[test]
    fn a_cut_file_gives_the_entries_before_the_cut_and_says_so() {
        let whole = sample("many.journal");
        let all = got(&read(whole.clone()).0).len();
        // The objects after the data hash table, up to the tail object.
        let first = (u64_at(&whole, 104).unwrap() + u64_at(&whole, 112).unwrap()) as usize;
        let tail = u64_at(&whole, 136).unwrap() as usize;
        for cut in [(first + tail) / 2, tail - 4096, tail + 50] {
            let (text, err, _) = read(whole[..cut].to_vec());
            let n = got(&text).len();
            assert!(n > 0 && n < all, "cut at {cut}: {n} of {all}");
            let err = err.expect("an error after the entries");
            assert!(err.to_string().contains("cut short"), "{err}");
        }
        // A header cut short is refused.
        assert!(
            JournalReader::from_bytes(Bytes::Owned(whole[..100].to_vec()), Arc::default(), None)
                .is_err()
        );
    }
}

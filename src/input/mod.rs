//! Bytes: opening inputs, telling compressed and foreign formats apart by their first
//! bytes, decompressing gzip, zstd, xz and bzip2, and reading the kernel entries of
//! binary journal files in process.

pub mod bundle;
pub(crate) mod compressed;
pub mod discover;
pub(crate) mod gzip;
pub(crate) mod journal;
#[doc(hidden)]
pub mod lines;
pub(crate) mod mapped;
#[doc(hidden)]
pub mod prefilter;

/// For the fuzz targets (built with `--cfg fuzzing`), which compare mapped reading
/// with the other ways of reading; not part of the API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub use mapped::MappedFile;

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::SystemTime;

use crate::error::{Error, Result};

/// Lets scans search plain files where they lie in the page cache (memory-mapped)
/// instead of reading them, which is faster for large logs. Call it once at startup,
/// before threads start; without it, files are read by position.
///
/// It installs a process-wide SIGBUS handler: a file that another process truncates
/// while it is mapped (logrotate's `copytruncate`) would otherwise kill the process
/// with SIGBUS. The handler turns the lost pages into NUL bytes and the scan reports
/// that the file shrank. A SIGBUS outside oomlens's mappings goes on to the handler
/// installed before this one (or to the default action), so it can share the process
/// with others, as long as any handler installed later also passes on the signals that
/// are not its own. Calling it again does nothing and returns the first outcome.
pub fn install_sigbus_guard() -> io::Result<()> {
    mapped::install_guard()
}

/// Where bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// A file (or a FIFO, or a device such as `/dev/kmsg`).
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

impl Source {
    /// The name used in reports and diagnostics (`-` for standard input).
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Stdin => "-".to_string(),
        }
    }
}

/// How the input was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// Plain text.
    None,
    /// gzip, possibly several members.
    Gzip,
    /// zstd, possibly several frames.
    Zstd,
    /// xz, possibly several streams.
    Xz,
    /// bzip2, possibly several streams.
    Bzip2,
    /// A binary systemd journal file: its kernel entries, as journal JSON lines.
    Journal,
}

/// An opened input, ready to be read as text.
pub struct Opened {
    /// The input's name for reports.
    pub name: String,
    /// Modification time, when the input is a file (anchors year-less dates).
    pub mtime: Option<SystemTime>,
    /// How it was stored.
    pub compression: Compression,
    /// The decoded bytes.
    pub reader: Box<dyn Read + Send>,
    /// Bytes consumed from the underlying file or pipe (compressed bytes for a
    /// compressed input).
    pub raw_bytes: Arc<AtomicU64>,
    /// The file itself when it is a regular file stored as plain text, for mapping or
    /// reading by position ([`lines::LineReader::reading_mapped`],
    /// [`lines::LineReader::reading_at`]) instead of through `reader`.
    pub(crate) plain_file: Option<Arc<File>>,
    /// A regular file and its size when it was opened, to see at its end whether it
    /// shrank while it was read ([`shrank`]).
    pub(crate) regular: Option<(Arc<File>, u64)>,
}

/// Whether a regular file (`regular`: it and its size when opened) shrank while it was
/// read, given the bytes taken out of it (`read`: before decompression): it is now
/// shorter than when it was opened (fstat at the end), or fewer bytes came out of it
/// than it held. Returns the sizes then and now (or the bytes read, if fewer).
pub(crate) fn shrank(regular: &(Arc<File>, u64), read: u64) -> Option<(u64, u64)> {
    let (file, at_open) = regular;
    let now = file.metadata().map(|m| m.len()).unwrap_or(*at_open);
    (now < *at_open || read < *at_open).then_some((*at_open, now.min(read)))
}

/// Opens a source, sniffing its first bytes to pick a decoder.
///
/// A binary journal file is read in process (its kernel entries, as journal JSON
/// lines). Formats oomlens cannot read as text (lz4, an executable, a journal on
/// standard input) give [`Error::Unsupported`] with a hint naming what to do instead.
pub fn open(source: &Source) -> Result<Opened> {
    open_with_progress(source, None)
}

/// Like [`open`], also adding the bytes read to `progress`.
pub(crate) fn open_with_progress(
    source: &Source,
    progress: Option<Arc<AtomicU64>>,
) -> Result<Opened> {
    match source {
        Source::Stdin => {
            open_reader_counted("-", Path::new("-"), Box::new(io::stdin()), None, progress)
        }
        Source::Path(path) => {
            let file = File::open(path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            let meta = file.metadata().map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            if meta.is_dir() {
                return Err(Error::Unsupported {
                    path: path.clone(),
                    what: "is a directory".into(),
                });
            }
            if meta.is_file() && is_journal_file(&file) {
                let walked = Arc::new(AtomicU64::new(0));
                let reader = journal::JournalReader::open(&file, walked.clone(), progress)
                    .map_err(|e| Error::Io {
                        path: path.clone(),
                        source: e,
                    })?;
                return Ok(Opened {
                    name: path.display().to_string(),
                    mtime: meta.modified().ok(),
                    compression: Compression::Journal,
                    reader: Box::new(reader),
                    raw_bytes: walked,
                    plain_file: None,
                    regular: None,
                });
            }
            // Files of /proc and /sys say they are empty: those are read as streams.
            let (mtime, at_file) = match meta.is_file() {
                true if meta.len() > 0 => {
                    (meta.modified().ok(), file.try_clone().ok().map(Arc::new))
                }
                true => (meta.modified().ok(), None),
                false => (None, None),
            };
            let regular = at_file.clone().map(|f| (f, meta.len()));
            let mut opened = open_reader_counted(
                &path.display().to_string(),
                path,
                Box::new(file),
                mtime,
                progress,
            )?;
            if opened.compression == Compression::None {
                opened.plain_file = at_file;
            }
            opened.regular = regular;
            Ok(opened)
        }
    }
}

/// Wraps any reader the same way [`open`] wraps a file (used for stdin and in tests).
pub fn open_reader(
    name: &str,
    path: &Path,
    inner: Box<dyn Read + Send>,
    mtime: Option<SystemTime>,
) -> Result<Opened> {
    open_reader_counted(name, path, inner, mtime, None)
}

fn open_reader_counted(
    name: &str,
    path: &Path,
    mut inner: Box<dyn Read + Send>,
    mtime: Option<SystemTime>,
    progress: Option<Arc<AtomicU64>>,
) -> Result<Opened> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    let io_err = |e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    };
    read_head(&mut inner, &mut head, SNIFF_LEN).map_err(io_err)?;
    if let Some(what) = foreign_format(&head) {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: what.replace("FILE", &shell_quote(name)),
        });
    }
    let counter = Arc::new(AtomicU64::new(0));
    let raw: Box<dyn Read + Send> = Box::new(Counting {
        inner: Cursor::new(head.clone()).chain(inner),
        count: counter.clone(),
        progress,
    });
    let buffered = |raw| io::BufReader::with_capacity(256 * 1024, raw);
    let (compression, reader): (Compression, Box<dyn Read + Send>) = if is_gzip(&head) {
        (
            Compression::Gzip,
            Box::new(gzip::GzReader::new(buffered(raw))),
        )
    } else if let Some(format) = compressed::Format::sniff(&head) {
        let compression = match format {
            compressed::Format::Zstd => Compression::Zstd,
            compressed::Format::Xz => Compression::Xz,
            compressed::Format::Bzip2 => Compression::Bzip2,
        };
        let reader = compressed::decoder(format, buffered(raw)).map_err(io_err)?;
        (compression, reader)
    } else {
        (Compression::None, raw)
    };
    Ok(Opened {
        name: name.to_string(),
        mtime,
        compression,
        reader,
        raw_bytes: counter,
        plain_file: None,
        regular: None,
    })
}

const SNIFF_LEN: usize = 16;

/// Reads (and decompresses) an input in a thread of its own, a few buffers ahead of
/// the consumer, so that reading and scanning overlap when a core is free. The bytes,
/// and an error after them, come out exactly as the inner reader gave them.
pub(crate) struct ReadAhead {
    /// The reader itself when no thread could be started.
    inline: Option<Box<dyn Read + Send>>,
    full: mpsc::Receiver<Piece>,
    empty: mpsc::Sender<Vec<u8>>,
    cur: Vec<u8>,
    len: usize,
    pos: usize,
    done: bool,
}

enum Piece {
    /// A buffer and how many bytes of it are input.
    Data(Vec<u8>, usize),
    End,
    Fail(io::Error),
}

/// Size of the buffers passed from the reading thread, and how many may wait.
const PIECE: usize = 1 << 20;
const PIECES_AHEAD: usize = 4;

impl ReadAhead {
    /// Starts reading `inner` in a new thread (or reads it in place if no thread can
    /// be started). The thread ends at the end of the input, at an error, or once the
    /// `ReadAhead` is dropped (after its current read).
    pub(crate) fn new(inner: Box<dyn Read + Send>) -> Self {
        let (full_tx, full) = mpsc::sync_channel(PIECES_AHEAD);
        let (empty, empty_rx) = mpsc::channel::<Vec<u8>>();
        let slot = Arc::new(std::sync::Mutex::new(Some(inner)));
        let theirs = slot.clone();
        let spawned = std::thread::Builder::new()
            .name("oomlens-read".into())
            .spawn(move || {
                let taken = theirs.lock().ok().and_then(|mut s| s.take());
                let Some(mut inner) = taken else {
                    return;
                };
                loop {
                    let mut buf = empty_rx.try_recv().unwrap_or_else(|_| vec![0; PIECE]);
                    let (n, err) = read_full(&mut inner, &mut buf);
                    let end = match err {
                        Some(e) => Some(Piece::Fail(e)),
                        None if n < buf.len() => Some(Piece::End),
                        None => None,
                    };
                    if n > 0 && full_tx.send(Piece::Data(buf, n)).is_err() {
                        return;
                    }
                    if let Some(end) = end {
                        let _ = full_tx.send(end);
                        return;
                    }
                }
            });
        let inline = match spawned {
            Ok(_) => None,
            Err(_) => slot.lock().ok().and_then(|mut s| s.take()),
        };
        ReadAhead {
            inline,
            full,
            empty,
            cur: Vec::new(),
            len: 0,
            pos: 0,
            done: false,
        }
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(r) = &mut self.inline {
            return r.read(out);
        }
        loop {
            if self.pos < self.len {
                let n = out.len().min(self.len - self.pos);
                out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.done || out.is_empty() {
                return Ok(0);
            }
            if !self.cur.is_empty() {
                // Back to the reading thread for reuse (it may have ended: fine).
                let _ = self.empty.send(std::mem::take(&mut self.cur));
            }
            match self.full.recv() {
                Ok(Piece::Data(buf, n)) => {
                    self.cur = buf;
                    self.len = n;
                    self.pos = 0;
                }
                Ok(Piece::End) => self.done = true,
                Ok(Piece::Fail(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Err(io::Error::other("the reading thread failed"));
                }
            }
        }
    }
}

pub(crate) fn read_head(r: &mut dyn Read, head: &mut Vec<u8>, want: usize) -> io::Result<()> {
    let had = head.len();
    if had >= want {
        return Ok(());
    }
    head.resize(want, 0);
    let (n, err) = read_full(r, &mut head[had..]);
    head.truncate(had + n);
    err.map_or(Ok(()), Err)
}

/// Reads into `buf` until it is full or the input ends (retrying `Interrupted`).
/// Returns the bytes read, and the error that stopped it after them, if one did.
pub(crate) fn read_full<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}

/// Whether a regular file starts with the journal file signature.
fn is_journal_file(file: &File) -> bool {
    use std::os::unix::fs::FileExt;
    let mut magic = [0u8; 8];
    file.read_exact_at(&mut magic, 0).is_ok() && &magic == journal::MAGIC
}

fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Recognises binary formats by magic bytes and says what to do instead.
/// `FILE` in the text is replaced by the input's name.
pub(crate) fn foreign_format(head: &[u8]) -> Option<&'static str> {
    const TABLE: &[(&[u8], &str)] = &[
        (
            b"LPKSHHRH",
            "is a binary systemd journal file, read only from a file or folder: name it (`oomlens /var/log/journal/`), or run `journalctl --file FILE -k -o json | oomlens -`",
        ),
        (
            &[0x04, 0x22, 0x4d, 0x18],
            "is lz4-compressed; run `lz4cat FILE | oomlens -`",
        ),
        (&[0x7f, b'E', b'L', b'F'], "is an ELF binary, not a log"),
        (&[0x89, b'P', b'N', b'G'], "is a PNG image, not a log"),
        (
            b"PK\x03\x04",
            "is a zip archive; unpack it and point oomlens at the logs inside",
        ),
        (b"%PDF", "is a PDF document, not a log"),
    ];
    TABLE
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, what)| *what)
}

fn shell_quote(s: &str) -> String {
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Counts bytes read from the underlying input, so that a decoding error can name
/// the compressed offset where the damage is.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
    progress: Option<Arc<AtomicU64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        if let Some(p) = &self.progress {
            p.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// `data` as one gzip member (also used by `gzip`'s tests).
    pub(super) fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn read_all(o: Opened) -> Vec<u8> {
        let mut v = Vec::new();
        let mut r = o.reader;
        r.read_to_end(&mut v).unwrap();
        v
    }

    #[test]
    fn plain_passes_through() {
        let o = open_reader(
            "x",
            Path::new("x"),
            Box::new(Cursor::new(b"ab\ncd".to_vec())),
            None,
        )
        .unwrap();
        assert_eq!(o.compression, Compression::None);
        assert_eq!(read_all(o), b"ab\ncd");
    }

    #[test]
    fn multi_member_gzip_is_read_whole() {
        let mut data = gz(b"first member\n");
        data.extend(gz(b"second member\n"));
        let o = open_reader("x.gz", Path::new("x.gz"), Box::new(Cursor::new(data)), None).unwrap();
        assert_eq!(o.compression, Compression::Gzip);
        assert_eq!(read_all(o), b"first member\nsecond member\n");
    }

    #[test]
    fn a_journal_on_a_pipe_gets_a_hint() {
        let err = open_reader(
            "-",
            Path::new("-"),
            Box::new(Cursor::new(b"LPKSHHRH\0\0\0\0".to_vec())),
            None,
        )
        .err()
        .unwrap();
        assert_eq!(
            err.to_string(),
            "-: is a binary systemd journal file, read only from a file or folder: \
             name it (`oomlens /var/log/journal/`), or run \
             `journalctl --file - -k -o json | oomlens -`"
        );
    }

    /// Fails after the given bytes.
    struct Broken(Cursor<Vec<u8>>);
    impl Read for Broken {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::other("broken")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn read_ahead_gives_the_same_bytes_then_the_error() {
        let data: Vec<u8> = (0..3 * PIECE + 12345).map(|i| (i % 251) as u8).collect();
        let mut r = ReadAhead::new(Box::new(Cursor::new(data.clone())));
        let mut got = Vec::new();
        r.read_to_end(&mut got).unwrap();
        assert_eq!(got, data);
        let mut r = ReadAhead::new(Box::new(Broken(Cursor::new(data.clone()))));
        let mut got = vec![0; data.len() + 10];
        let mut n = 0;
        let err = loop {
            let upto = (n + 1000).min(got.len());
            match r.read(&mut got[n..upto]) {
                Ok(0) => panic!("end instead of the error"),
                Ok(k) => n += k,
                Err(e) => break e,
            }
        };
        assert_eq!(n, data.len());
        assert_eq!(&got[..n], &data[..]);
        assert_eq!(err.to_string(), "broken");
    }

    #[test]
    fn short_input_is_fine() {
        let o = open_reader(
            "x",
            Path::new("x"),
            Box::new(Cursor::new(b"a".to_vec())),
            None,
        )
        .unwrap();
        assert_eq!(read_all(o), b"a");
    }
}

//! Bytes: opening inputs, telling compressed and foreign formats apart by their first
//! bytes, and decompressing gzip in process.

pub mod discover;
pub mod lines;
pub mod markers;

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

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
pub enum Compression {
    /// Plain text.
    None,
    /// gzip, possibly several members.
    Gzip,
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
    /// Bytes consumed from the underlying file or pipe (compressed bytes for gzip).
    pub raw_bytes: Arc<AtomicU64>,
}

/// Opens a source, sniffing its first bytes to pick a decoder.
///
/// Formats oomlens cannot read as text (a binary systemd journal, xz, an executable)
/// give [`Error::Unsupported`] with a hint naming the command to run instead.
pub fn open(source: &Source) -> Result<Opened> {
    open_with_progress(source, None)
}

/// Like [`open`], also adding the bytes read to `progress`.
pub fn open_with_progress(source: &Source, progress: Option<Arc<AtomicU64>>) -> Result<Opened> {
    let opened = open_inner(source, progress)?;
    Ok(opened)
}

fn open_inner(source: &Source, progress: Option<Arc<AtomicU64>>) -> Result<Opened> {
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
            let mtime = if meta.is_file() {
                meta.modified().ok()
            } else {
                None
            };
            open_reader_counted(
                &path.display().to_string(),
                path,
                Box::new(file),
                mtime,
                progress,
            )
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
    let (compression, reader): (Compression, Box<dyn Read + Send>) = if is_gzip(&head) {
        let buffered = io::BufReader::with_capacity(256 * 1024, raw);
        (Compression::Gzip, Box::new(MultiGzDecoder::new(buffered)))
    } else {
        (Compression::None, raw)
    };
    Ok(Opened {
        name: name.to_string(),
        mtime,
        compression,
        reader,
        raw_bytes: counter,
    })
}

const SNIFF_LEN: usize = 16;

fn read_head(r: &mut dyn Read, head: &mut Vec<u8>, want: usize) -> io::Result<()> {
    let mut chunk = [0u8; SNIFF_LEN];
    while head.len() < want {
        match r.read(&mut chunk[..want - head.len()]) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Recognises binary formats by magic bytes and says what to do instead.
/// `FILE` in the text is replaced by the input's name.
fn foreign_format(head: &[u8]) -> Option<&'static str> {
    const TABLE: &[(&[u8], &str)] = &[
        (
            b"LPKSHHRH",
            "is a binary systemd journal file; run `journalctl --file FILE -k -o json | oomlens -`",
        ),
        (
            &[0x28, 0xb5, 0x2f, 0xfd],
            "is zstd-compressed; run `zstdcat FILE | oomlens -`",
        ),
        (
            &[0xfd, b'7', b'z', b'X', b'Z', 0x00],
            "is xz-compressed; run `xzcat FILE | oomlens -`",
        ),
        (b"BZh", "is bzip2-compressed; run `bzcat FILE | oomlens -`"),
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

    fn gz(data: &[u8]) -> Vec<u8> {
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
    fn journal_file_gets_a_hint() {
        let err = open_reader(
            "system.journal",
            Path::new("system.journal"),
            Box::new(Cursor::new(b"LPKSHHRH\0\0\0\0".to_vec())),
            None,
        )
        .err()
        .unwrap();
        assert_eq!(
            err.to_string(),
            "system.journal: is a binary systemd journal file; run \
             `journalctl --file system.journal -k -o json | oomlens -`"
        );
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

//! zstd, xz and bzip2 archives decoded in process, every frame or stream one after
//! another as `zstd -dc`, `xz -dc` and `bzip2 -dc` do (logrotate's `compresscmd`,
//! `journalctl | zstd` and `cat a.xz b.xz` all make multi-frame files).
//!
//! Which crates, and why (benches/run.sh times oomlens against the tools themselves;
//! on 256 MiB of generated syslog, 2 shared cores, medians of 3: `.zst` 424 ms against
//! `zstd -dc` 390 ms, `.xz` 2.76 s against `xz -dc` 2.99 s, `.bz2` 13.8 s against
//! `bzip2 -dc` 18.5 s, each the whole analysis against the bare decompression):
//! - zstd: `zstd` (the reference C library, built from its bundled source by `cc`).
//!   The pure-Rust `ruzstd` decodes at roughly half its speed, and zstd is the format
//!   whose whole point is speed; the C build needs only a C compiler, which
//!   `liblzma` needs anyway.
//! - xz: `liblzma` (the maintained fork of `xz2`, the reference C library, linked
//!   statically so the binary needs no `liblzma.so`). The pure-Rust `lzma-rs` is
//!   several times slower and decodes a single stream only.
//! - bzip2: `bzip2`, whose default backend is `libbz2-rs-sys`, a Rust port of the C
//!   library about as fast as it: no C at all.
//!
//! Damage ends the bytes where the decoder stops trusting them, with an error that
//! names the format; what came before is read.

use std::io::{self, BufRead, Read};

/// The formats this module decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Zstd,
    Xz,
    Bzip2,
}

impl Format {
    /// Recognises a stream by its first bytes (at least 6 are needed for xz).
    pub(crate) fn sniff(head: &[u8]) -> Option<Format> {
        if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            // A zstd file may also start with a skippable frame (0x184D2A5?), rare
            // in logs; those are decoded too once the first real frame is found.
            Some(Format::Zstd)
        } else if head.len() >= 4 && head[1..4] == [0x2a, 0x4d, 0x18] && head[0] & 0xf0 == 0x50 {
            Some(Format::Zstd)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Format::Xz)
        } else if head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
            Some(Format::Bzip2)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Zstd => "zstd",
            Format::Xz => "xz",
            Format::Bzip2 => "bzip2",
        }
    }
}

/// A reader of the decoded bytes of `inner`, compressed as `format`.
pub(crate) fn decoder<R: BufRead + Send + 'static>(
    format: Format,
    inner: R,
) -> io::Result<Box<dyn Read + Send>> {
    let dec: Box<dyn Read + Send> = match format {
        // Every frame, as `zstd -dc`: the decoder goes on after a frame's end.
        Format::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(inner)?),
        Format::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(inner)),
        Format::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(inner)),
    };
    Ok(Box::new(Named { inner: dec, format }))
}

/// Says which format's data was damaged in every error it passes on.
struct Named {
    inner: Box<dyn Read + Send>,
    format: Format,
}

impl Read for Named {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::Interrupted {
                return e;
            }
            let kind = match e.kind() {
                io::ErrorKind::UnexpectedEof => io::ErrorKind::UnexpectedEof,
                io::ErrorKind::Other | io::ErrorKind::InvalidInput => io::ErrorKind::InvalidData,
                k => k,
            };
            io::Error::new(
                kind,
                format!(
                    "the {} data is damaged or cut short ({e})",
                    self.format.name()
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    const PLAIN: &[u8] = include_bytes!("../../samples/lab/many.messages");

    fn sample(name: &str) -> Vec<u8> {
        let path = format!("{}/samples/compressed/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Everything the decoder gives before it ends or fails, and the error.
    fn decode(bytes: &[u8], cap: usize) -> (Vec<u8>, Option<io::Error>) {
        let format = Format::sniff(bytes).expect("a known format");
        let rdr = BufReader::with_capacity(cap, io::Cursor::new(bytes.to_vec()));
        let mut d = decoder(format, rdr).unwrap();
        let mut out = Vec::new();
        let mut buf = [0u8; 1000];
        loop {
            match d.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    /// The files made by the tools themselves (samples/compressed/README.md).
    #[test]
    fn real_tool_output_decodes_to_the_plain_file() {
        for (name, format) in [
            ("many.messages.zst", Format::Zstd),
            ("many.messages.xz", Format::Xz),
            ("many.messages.bz2", Format::Bzip2),
        ] {
            let bytes = sample(name);
            assert_eq!(Format::sniff(&bytes), Some(format), "{name}");
            for cap in [1, 4096, 256 * 1024] {
                let (got, err) = decode(&bytes, cap);
                assert!(err.is_none(), "{name}: {err:?}");
                assert!(got == PLAIN, "{name} at buffer {cap}");
            }
        }
    }

    /// `zstd`/`xz`/`bzip2` each run twice over halves, the outputs concatenated.
    #[test]
    fn every_frame_or_stream_is_read() {
        for name in ["two.zst", "two.xz", "two.bz2"] {
            let (got, err) = decode(&sample(name), 4096);
            assert!(err.is_none(), "{name}: {err:?}");
            assert!(got == PLAIN, "{name}");
        }
    }

    #[test]
    fn a_cut_or_damaged_archive_gives_its_good_start_then_an_error() {
        for name in ["many.messages.zst", "many.messages.xz", "many.messages.bz2"] {
            let whole = sample(name);
            for cut in [whole.len() / 2, whole.len() - 3] {
                let (got, err) = decode(&whole[..cut], 4096);
                let err = err.unwrap_or_else(|| panic!("{name} cut at {cut}: no error"));
                assert!(
                    err.to_string().contains("data is damaged or cut short"),
                    "{name}: {err}"
                );
                assert!(PLAIN.starts_with(&got), "{name} cut at {cut}");
                // Cut in its checksum, a stream may have given all its data first.
                assert!(
                    got.len() < PLAIN.len() || cut > whole.len() - 8,
                    "{name} cut at {cut}"
                );
            }
            let mut bad = whole.clone();
            let mid = bad.len() / 2;
            for b in &mut bad[mid..mid + 64] {
                *b ^= 0x5a;
            }
            let (_, err) = decode(&bad, 4096);
            assert!(err.is_some(), "{name}: damage not seen");
        }
    }

    #[test]
    fn magic_bytes() {
        assert_eq!(Format::sniff(b"BZh9\x31\x41"), Some(Format::Bzip2));
        assert_eq!(Format::sniff(b"BZh is a word"), None);
        assert_eq!(Format::sniff(b"\xfd7zXZ\0\0"), Some(Format::Xz));
        assert_eq!(
            Format::sniff(&[0x50, 0x2a, 0x4d, 0x18, 0, 0]),
            Some(Format::Zstd)
        );
        assert_eq!(Format::sniff(b"Nov 21 kernel"), None);
    }
}

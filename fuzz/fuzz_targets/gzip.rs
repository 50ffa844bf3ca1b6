//! Opening arbitrary bytes as an input (format sniffing, gzip decoding) and scanning
//! what comes out. The first byte picks a mode: raw bytes; raw bytes behind a gzip
//! header; the text gzip-compressed as one member, as two members split at a chosen
//! byte, or compressed and then truncated or damaged. Whole gzip streams must decode
//! to exactly the events of the plain text.

#![no_main]

mod common;

use std::io::{Cursor, Read, Write};
use std::path::Path;

use common::Scanned;
use common::{NAME, assert_same, opts};
use libfuzzer_sys::fuzz_target;
use oomlens::input::{Compression, open_reader};
use oomlens::pipeline::scan_reader;
use oomlens::record::FormatHint;

fn gz(data: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}

/// open_reader + scan_reader, as the CLI does for a file or stdin.
fn open_scan(bytes: Vec<u8>) -> Option<(Compression, Scanned)> {
    let o = opts(256 * 1024, 1024 * 1024, false, FormatHint::Auto);
    let opened = open_reader(NAME, Path::new(NAME), Box::new(Cursor::new(bytes)), None).ok()?;
    let compression = opened.compression;
    let scan = scan_reader(&opened.name, opened.reader, opened.mtime, &o);
    let events = common::events_of(&scan);
    common::check_spans(&events);
    Some((compression, Scanned { scan, events }))
}

fn plain_scan(text: &[u8]) -> Scanned {
    let o = opts(256 * 1024, 1024 * 1024, false, FormatHint::Auto);
    common::scan(text, &o, None)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let at = |n: usize| {
        if n == 0 {
            0
        } else {
            usize::from(rest.first().copied().unwrap_or(0)) * n / 256
        }
    };
    match mode % 6 {
        // Arbitrary bytes, sniffed as they come.
        0 => {
            let _ = open_scan(rest.to_vec());
        }
        // A gzip magic (and a deflate method byte) in front of arbitrary bytes.
        1 => {
            let mut b = vec![0x1f, 0x8b, 0x08];
            b.extend_from_slice(rest);
            if let Some((c, s)) = open_scan(b) {
                assert_eq!(c, Compression::Gzip);
                let _ = s;
            }
        }
        // One member.
        2 => {
            let (c, s) = open_scan(gz(rest, u32::from(mode / 6 % 10))).expect("gzip opens");
            assert_eq!(c, Compression::Gzip);
            assert!(!s.scan.failed, "{:?}", s.scan.diagnostics);
            assert_same("gzip vs plain", &s.events, &plain_scan(rest).events);
        }
        // Two members split at a byte chosen by the input.
        3 => {
            let split = at(rest.len());
            let mut b = gz(&rest[..split], 1);
            b.extend(gz(&rest[split..], 6));
            let (_, s) = open_scan(b).expect("gzip opens");
            assert!(!s.scan.failed, "{:?}", s.scan.diagnostics);
            assert_same("two members vs plain", &s.events, &plain_scan(rest).events);
        }
        // Compressed, then cut short: an error, never a panic or a hang.
        4 => {
            let mut b = gz(rest, 6);
            let cut = 2 + at(b.len() - 2);
            b.truncate(cut);
            let _ = open_scan(b);
        }
        // Compressed, then one byte damaged.
        _ => {
            let mut b = gz(rest, 6);
            let i = at(b.len());
            b[i] ^= mode | 1;
            let _ = open_scan(b);
        }
    }
    // Reading a decoder to the end never panics either.
    if mode % 6 == 1 {
        let mut b = vec![0x1f, 0x8b];
        b.extend_from_slice(rest);
        if let Ok(o) = open_reader(NAME, Path::new(NAME), Box::new(Cursor::new(b)), None) {
            let mut r = o.reader;
            let mut sink = Vec::new();
            let _ = r.read_to_end(&mut sink);
        }
    }
});

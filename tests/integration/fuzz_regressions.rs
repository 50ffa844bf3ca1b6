//! Inputs found by fuzzing, kept as regression tests.
//!
//! Every file directly in `tests/fuzz-regressions/` (not in `pending/`, which holds
//! inputs of bugs not fixed yet) is run through every entry point the fuzz targets
//! cover: the line parser with each hint, the classifier, the scan with small and
//! default buffers on both paths, with and without helper threads, through a pipe, and
//! gzip. Hand-made hostile
//! inputs that are too big to keep as files are generated here.

use std::io::{Cursor, Read};
use std::path::Path;

use oomlens::event::classify::classify;
use oomlens::event::{Evidence, OomEvent, kinds};
use oomlens::input::lines::DEFAULT_CAPACITY;
use oomlens::input::open_reader;
use oomlens::pipeline::{InputScan, ScanOptions, scan_reader};
use oomlens::record::FormatHint;
use oomlens::text::OptionLogStr;

use crate::util::{self, gzip};

const NAME: &str = "regression";

/// The regression inputs, by name; `.gz` files are unpacked (big, repetitive inputs
/// are kept compressed).
fn regression_files() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    util::sorted_files(&dir, |p| p.extension().is_none_or(|e| e != "md"))
        .into_iter()
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            let mut bytes = std::fs::read(&p).expect("readable");
            if name.ends_with(".gz") {
                let mut text = Vec::new();
                flate2::read::MultiGzDecoder::new(&bytes[..])
                    .read_to_end(&mut text)
                    .expect("gzip");
                bytes = text;
            }
            (name, bytes)
        })
        .collect()
}

fn scan(reader: impl Read, o: &ScanOptions) -> InputScan {
    let s = scan_reader(NAME, reader, None, o);
    for ev in &util::events_of(&s) {
        assert!(
            ev.source.first_line <= ev.source.last_line,
            "span {}..{}",
            ev.source.first_line,
            ev.source.last_line
        );
    }
    s
}

/// The events of a scan of `reader`.
fn events(reader: impl Read, o: &ScanOptions) -> Vec<OomEvent> {
    util::events_of(&scan(reader, o))
}

fn assert_same(what: &str, got: &[OomEvent], want: &[OomEvent]) {
    assert!(
        got == want,
        "{what}: events differ\n---- got\n{}\n---- want\n{}",
        util::events_json(got),
        util::events_json(want)
    );
}

/// Hands out the data in pieces of the given sizes (cycling), like a pipe.
struct Chunks<'a> {
    data: &'a [u8],
    sizes: &'a [usize],
    i: usize,
}

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = self.sizes[self.i % self.sizes.len()].max(1);
        self.i += 1;
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// The line parser with every hint, the classifier on every body and line.
fn parse_everything(bytes: &[u8]) {
    let _ = classify(bytes);
    for line in bytes.split(|b| *b == b'\n') {
        let _ = classify(line.trim_ascii());
    }
    for hint in [
        FormatHint::Auto,
        FormatHint::Kmsg,
        FormatHint::JournalJson,
        FormatHint::Bare,
    ] {
        let mut p = kinds::parser(hint);
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            let n = i as u64 + 1;
            p.parse(line, n, &mut |rec| {
                assert_eq!(rec.body, rec.body.trim_ascii());
                let _ = classify(rec.body);
            });
            p.track(line, n);
        }
    }
}

/// Every scan configuration gives the events of the plain path with the default buffer.
/// Returns those events.
fn scans_agree(what: &str, bytes: &[u8]) -> Vec<OomEvent> {
    let want = events(bytes, &util::opts_with(DEFAULT_CAPACITY, true));
    for buffer in [16, 257, DEFAULT_CAPACITY] {
        for every_line in [false, true] {
            let got = events(bytes, &util::opts_with(buffer, every_line));
            assert_same(
                &format!("{what}: buffer {buffer}, every_line {every_line}"),
                &got,
                &want,
            );
        }
    }
    let piped = events(
        Chunks {
            data: bytes,
            // Mostly tiny reads; a big one now and then keeps the megabyte inputs
            // quick in debug builds.
            sizes: &[1, 7, 3, 2, 5, 4093, 65536],
            i: 0,
        },
        &util::opts_with(257, false),
    );
    assert_same(&format!("{what}: piped"), &piped, &want);
    // Inside a rayon pool `scan_reader` searches without helper threads (as for many
    // inputs at once, or on one core); outside it, with as many as the pool has.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    let alone = pool.install(|| events(bytes, &util::opts_with(DEFAULT_CAPACITY, false)));
    assert_same(&format!("{what}: without helper threads"), &alone, &want);
    want
}

/// Opening the raw bytes (sniffing, maybe gzip) never panics; gzip of the bytes gives
/// the same events as the bytes.
fn gzip_agrees(what: &str, bytes: &[u8], want: &[OomEvent]) {
    let raw = Box::new(Cursor::new(bytes.to_vec()));
    if let Ok(o) = open_reader(NAME, Path::new(NAME), raw, None) {
        let _ = scan(o.reader, &util::opts_with(DEFAULT_CAPACITY, false));
    }
    let packed = Box::new(Cursor::new(gzip(bytes)));
    let o = open_reader(NAME, Path::new(NAME), packed, None).expect("gzip opens");
    let s = scan(o.reader, &util::opts_with(DEFAULT_CAPACITY, false));
    assert!(!s.failed, "{what}: {:?}", s.diagnostics);
    assert_same(&format!("{what}: gzip"), &util::events_of(&s), want);
}

fn check(what: &str, bytes: &[u8]) -> Vec<OomEvent> {
    parse_everything(bytes);
    let events = scans_agree(what, bytes);
    gzip_agrees(what, bytes, &events);
    events
}

#[test]
fn regression_inputs() {
    let files = regression_files();
    for (name, bytes) in &files {
        check(name, bytes);
    }
    // Kept small: what is stored, not what `.gz` files unpack to.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let total: u64 = std::fs::read_dir(&dir)
        .expect("tests/fuzz-regressions")
        .chain(std::fs::read_dir(dir.join("pending")).into_iter().flatten())
        .map(|e| e.expect("dir entry").metadata().expect("metadata"))
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    assert!(total < 100 * 1024, "regression inputs are {total} bytes");
}

const HEADER: &[u8] =
    b"python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n";
const KILL: &[u8] = b"Memory cgroup out of memory: Killed process 15346 (python3) total-vm:75160kB, anon-rss:65152kB, file-rss:5712kB, shmem-rss:0kB, UID:0 pgtables:192kB oom_score_adj:0\n";

/// A small complete report with printk stamps.
fn report(t: u32, pid: u32) -> Vec<u8> {
    let mut v = Vec::new();
    for body in [
        &b"python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"[..],
        b"CPU: 1 UID: 0 PID: 15346 Comm: python3 Not tainted 6.18.44 #1",
        b"memory: usage 65536kB, limit 65536kB, failcnt 960",
        b"Tasks state (memory values in pages):",
        b"[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
    ] {
        v.extend_from_slice(format!("[{t:>5}.000001] ").as_bytes());
        v.extend_from_slice(body);
        v.push(b'\n');
    }
    v.extend_from_slice(
        format!(
            "[{t:>5}.000002] [{pid:>7}]     0 {pid}    18790    17716   196608        0             0 python3\n\
             [{t:>5}.000003] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a,task=python3,pid={pid},uid=0\n\
             [{t:>5}.000004] Memory cgroup out of memory: Killed process {pid} (python3) total-vm:75160kB, anon-rss:65152kB, file-rss:5712kB, shmem-rss:0kB, UID:0 pgtables:192kB oom_score_adj:0\n"
        )
        .as_bytes(),
    );
    v
}

fn victims(events: &[OomEvent]) -> Vec<u32> {
    events
        .iter()
        .flat_map(|e| &e.killed)
        .filter(|k| k.evidence == Evidence::KilledLine)
        .map(|k| k.pid)
        .collect()
}

#[test]
fn nul_runs() {
    // A crash leaves NUL runs: inside a line, between lines, and a megabyte of them.
    let mut v = report(100, 1);
    v.extend(std::iter::repeat_n(0u8, 5000));
    v.extend(report(200, 2));
    v.extend_from_slice(
        b"[  300.000001] python3 invoked oom-killer:\0\0\0 gfp_mask=0xcc0, order=0\n",
    );
    v.extend(std::iter::repeat_n(0u8, 300_000));
    v.extend(report(400, 3));
    let ev = check("nul runs", &v);
    assert_eq!(victims(&ev), [1, 2, 3]);
    let s = scan(&v[..], &util::opts_with(DEFAULT_CAPACITY, false));
    assert!(s.diagnostics.iter().any(|d| d.code == "nul-bytes"));
    // With a small line cap the NUL run fills the buffer and is cut at its NULs.
    for (buffer, every_line) in [(16, false), (16, true), (4096, false), (4096, true)] {
        let o = ScanOptions {
            max_line: 4096,
            ..util::opts_with(buffer, every_line)
        };
        let s = scan(&v[..], &o);
        assert_eq!(
            util::events_of(&s),
            ev,
            "line cap 4096, buffer {buffer}, every_line {every_line}"
        );
        assert_eq!(s.stats.truncated_lines, 0);
    }
}

#[test]
fn long_line_without_newline() {
    // 3 MiB in one line, with a marker near its start, after the cap, and at the end;
    // the reports around it are found whole.
    let mut v = report(100, 1);
    v.extend_from_slice(b"[  150.000000] Killed process 7 (x) ");
    v.extend(std::iter::repeat_n(b'a', 3 << 20));
    v.extend_from_slice(b" Killed process 8 (y)");
    let ev = check("3 MiB line at the end", &v);
    assert_eq!(victims(&ev)[0], 1);
    let mut w = v.clone();
    w.push(b'\n');
    w.extend(report(400, 3));
    let ev = check("3 MiB line in the middle", &w);
    assert_eq!(victims(&ev).last(), Some(&3));
    let s = scan(&w[..], &util::opts_with(DEFAULT_CAPACITY, false));
    assert_eq!(s.stats.truncated_lines, 1);
    assert!(s.diagnostics.iter().any(|d| d.code == "long-line"));
}

#[test]
fn lone_carriage_returns() {
    // Old-Mac line ends: the whole input is one line; and `\r` inside lines.
    let cr: Vec<u8> = report(100, 1)
        .iter()
        .map(|b| if *b == b'\n' { b'\r' } else { *b })
        .collect();
    check("lone CR", &cr);
    let mut mixed = Vec::new();
    for line in report(100, 1).split_inclusive(|b| *b == b'\n') {
        mixed.extend_from_slice(b"\r");
        mixed.extend_from_slice(&line[..line.len() - 1]);
        mixed.extend_from_slice(b"\r\r\n");
    }
    check("CR around lines", &mixed);
    let crlf: Vec<u8> = report(100, 1)
        .iter()
        .flat_map(|b| {
            if *b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![*b]
            }
        })
        .collect();
    let ev = check("CRLF", &crlf);
    assert_eq!(ev, check("LF", &report(100, 1)));
}

#[test]
fn invalid_utf8_in_names() {
    let mut v = Vec::new();
    v.extend_from_slice(b"[  1.000000] \xff\xfe invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n");
    v.extend_from_slice(b"[  1.000001] Out of memory: Killed process 9 (\xc3\x28\xa0\xa1 \xf0\x28\x8c) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:0kB\n");
    v.extend_from_slice(b"[  1.000002] oom_reaper: reaped process 9 (\xc3\x28\xa0\xa1 \xf0\x28\x8c), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n");
    let ev = check("invalid UTF-8", &v);
    assert_eq!(ev.len(), 1);
    let k = &ev[0].killed[0];
    assert_eq!(k.pid, 9);
    assert!(k.comm.as_log_str().contains('\u{fffd}'));
    // The header and reaper lines are recognised too (invalid-utf8-comm-drops-header).
    let trigger = ev[0].trigger.as_ref().and_then(|t| t.comm.as_log_str());
    assert_eq!(trigger, Some("\u{fffd}\u{fffd}"));
    assert_eq!(ev[0].reaped.len(), 1);
    assert_eq!(ev[0].reaped[0].comm, k.comm);
}

#[test]
fn kill_line_split_at_every_byte() {
    // A report whose kill line straddles a read boundary at every byte position, with
    // the marker-search path and the plain path, a small and a default buffer.
    let mut v = b"[  99.000000] unrelated line\n".to_vec();
    v.extend(report(100, 1));
    // Where the stamped kill line (the report's last line) starts.
    let kill_at = memchr::memmem::rfind(&v, b"[  100.000004]").unwrap();
    let kill_len = v.len() - kill_at;
    let want = events(&v[..], &util::opts_with(DEFAULT_CAPACITY, true));
    assert_eq!(victims(&want), [1]);
    for cut in kill_at..v.len() {
        let sizes = [cut, v.len()];
        let got = events(
            Chunks {
                data: &v,
                sizes: &sizes,
                i: 0,
            },
            &util::opts_with(DEFAULT_CAPACITY, false),
        );
        assert_same(&format!("read split at {cut}"), &got, &want);
    }
    // Every buffer size up to the kill line's length puts a buffer boundary at every
    // byte of it; odd sizes on the plain path too.
    for buffer in 16..=kill_len {
        let got = events(&v[..], &util::opts_with(buffer, buffer % 7 == 0));
        assert_same(&format!("buffer {buffer}"), &got, &want);
    }
}

#[test]
fn repeated_headers() {
    // Thousands of report headers in a row: each closes the one before.
    let mut v = Vec::new();
    for i in 0..300u32 {
        v.extend_from_slice(format!("[{:>6}.{:06}] ", 10 + i / 100, i % 100).as_bytes());
        v.extend_from_slice(HEADER);
    }
    v.extend_from_slice(b"[    12.500000] ");
    v.extend_from_slice(KILL);
    let ev = check("300 headers", &v);
    assert_eq!(ev.len(), 300);
    assert_eq!(victims(&ev), [15346]);
    // One header line made of many headers, and many stamps in front of one body.
    let mut one = Vec::new();
    for _ in 0..300 {
        one.extend_from_slice(&HEADER[..HEADER.len() - 1]);
        one.push(b' ');
    }
    one.push(b'\n');
    check("headers in one line", &one);
    let mut stamps = b"Nov 21 22:25:45 vm kernel: ".repeat(500);
    stamps.extend_from_slice(&b"[  1.000000] ".repeat(500));
    stamps.extend_from_slice(KILL);
    check("stacked stamps", &stamps);
}

#[test]
fn journal_json_oddities() {
    let lines: &[&[u8]] = &[
        br#"{"MESSAGE":"Killed process 1 (x)","_TRANSPORT":"kernel","__REALTIME_TIMESTAMP":"99999999999999999999"}"#,
        br#"{"MESSAGE":[255,254,75],"_TRANSPORT":"kernel","__REALTIME_TIMESTAMP":"1"}"#,
        br#"{"MESSAGE":["a",[1,2,300]],"_TRANSPORT":"kernel","__REALTIME_TIMESTAMP":"1"}"#,
        br#"{"MESSAGE":"x invoked oom-killer: gfp_mask=0x0, order=0","_TRANSPORT":"kernel","_SOURCE_MONOTONIC_TIMESTAMP":"18446744073709551615","__REALTIME_TIMESTAMP":"-1"}"#,
        br#"{"MESSAGE":"Killed process 2 (y)","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel","_BOOT_ID":"a","__REALTIME_TIMESTAMP":"2"}"#,
        br#"{"MESSAGE":"Killed process 3 (z)","_TRANSPORT":"kernel","_BOOT_ID":"b","__REALTIME_TIMESTAMP":"3"}"#,
        b"\x1e{\"MESSAGE\":\"Killed process 4 (w)\",\"_TRANSPORT\":\"kernel\",\"__REALTIME_TIMESTAMP\":\"4\"}",
        br#"{"MESSAGE":"#,
        b"{",
    ];
    let v = lines.join(&b'\n');
    let ev = check("journal json", &v);
    assert!(victims(&ev).contains(&2));
}

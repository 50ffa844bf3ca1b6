//! Property tests (proptest): no input panics; chunking, compression and the fast path change nothing.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use oomlens::event::{Evidence, OomEvent, kinds};
use oomlens::input::lines::DEFAULT_CAPACITY;
use oomlens::input::open_reader;
use oomlens::pipeline::{InputScan, ScanOptions, scan_reader};
use oomlens::record::FormatHint;
use proptest::prelude::*;
use proptest::sample::{Index, subsequence};

use crate::util::{self, gzip};

// Shared with the `render` fuzz target: hostile events, every format, the checks.
#[path = "../../fuzz/fuzz_targets/render_check.rs"]
mod render_check;

/// One sample file, read once, with the events of a default scan.
struct Sample {
    name: String,
    bytes: Vec<u8>,
    events: Vec<OomEvent>,
}

/// Every file of `samples/real` (logs, not sidecars) and `samples/lab` (all renderings).
fn sample_paths() -> Vec<PathBuf> {
    let mut v = util::files("real", "log");
    v.extend(util::sorted_files(&util::samples().join("lab"), |p| {
        p.extension().is_some_and(|e| e != "md")
    }));
    v
}

static SAMPLES: LazyLock<Vec<Sample>> = LazyLock::new(|| {
    let paths = sample_paths();
    assert!(paths.len() >= 70, "samples missing: {}", paths.len());
    paths
        .iter()
        .map(|p| {
            let name = p
                .strip_prefix(util::samples())
                .unwrap_or(p)
                .display()
                .to_string();
            let bytes = std::fs::read(p).expect("sample readable");
            let (_, events) = scan(&name, &bytes[..], &util::opts_with(DEFAULT_CAPACITY, false));
            Sample {
                name,
                bytes,
                events,
            }
        })
        .collect()
});

/// A scan and its events (read back from the event store), spans checked.
fn scan(name: &str, reader: impl Read, o: &ScanOptions) -> (InputScan, Vec<OomEvent>) {
    let s = scan_reader(name, reader, None, o);
    let events = util::events_of(&s);
    spans_ok(&events)
        .map_err(|e| format!("{name}: {e}"))
        .unwrap();
    (s, events)
}

fn spans_ok(events: &[OomEvent]) -> Result<(), String> {
    for ev in events {
        if ev.source.first_line > ev.source.last_line {
            return Err(format!(
                "event with first_line {} > last_line {}",
                ev.source.first_line, ev.source.last_line
            ));
        }
    }
    Ok(())
}

/// Opens bytes the way a file or stdin is opened (gzip sniffing) and scans them.
fn open_scan(name: &str, inner: Box<dyn Read + Send>) -> (InputScan, Vec<OomEvent>) {
    let opened = open_reader(name, Path::new(name), inner, None).expect("opens");
    scan(
        &opened.name,
        opened.reader,
        &util::opts_with(DEFAULT_CAPACITY, false),
    )
}

/// A reader that returns 1..=7 bytes per call, in a pattern set by `seed` (a pipe).
struct Trickle {
    data: Vec<u8>,
    pos: usize,
    seed: u32,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.seed = self.seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let want = 1 + (self.seed >> 16) as usize % 7;
        let n = want.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Log-flavoured bytes: pieces of real line shapes and markers, glued with noise.
fn loggy() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..24),
        2 => Just(b"\n".to_vec()),
        1 => Just(b"\0\0\0".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"[  921.183161] ".to_vec()),
        1 => Just(b"Nov 21 22:25:45 vm kernel: ".to_vec()),
        1 => Just(b"Jan  1 00:00:01 vm kernel: ".to_vec()),
        1 => Just(b"6,8423,921183309,-;".to_vec()),
        1 => Just(b"<4>".to_vec()),
        1 => Just(b"    ".to_vec()),
        2 => Just(b"python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n".to_vec()),
        2 => Just(b"Killed process 15346 (python3) total-vm:75160kB, anon-rss:65152kB, file-rss:5712kB, shmem-rss:0kB, UID:0 pgtables:192kB oom_score_adj:0\n".to_vec()),
        1 => Just(b"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a,task=python3,pid=15346,uid=0\n".to_vec()),
        1 => Just(b"Memory cgroup out of memory: Kill process 1 (x) score 9 or sacrifice child\n".to_vec()),
        1 => Just(b"[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n".to_vec()),
        1 => Just(b"[  15346]     0 15346    18790    17716   196608        0             0 python3\n".to_vec()),
        1 => Just(b"memory: usage 65536kB, limit 65536kB, failcnt 960\n".to_vec()),
        1 => Just(b"Mem-Info:\n".to_vec()),
        1 => Just(b"oom_reaper: reaped process 15346 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n".to_vec()),
        1 => Just(b"Linux version 6.1.0 (x@y) #1\n".to_vec()),
        1 => Just(br#"{"MESSAGE":"Killed process 1 (x)","_TRANSPORT":"kernel","__REALTIME_TIMESTAMP":"1"}"#.to_vec()),
    ];
    proptest::collection::vec(piece, 0..48).prop_map(|v| v.concat())
}

/// A sample's lines, mutated.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    Flip(Index, u8),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::Delete),
        any::<Index>().prop_map(Mutation::Duplicate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<Index>(), 1..=255u8).prop_map(|(a, x)| Mutation::Flip(a, x)),
        any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(bytes: &[u8], muts: &[Mutation]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = bytes
        .split_inclusive(|b| *b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let mut truncate = None;
    for m in muts {
        if lines.is_empty() {
            break;
        }
        match m {
            Mutation::Delete(i) => {
                lines.remove(i.index(lines.len()));
            }
            Mutation::Duplicate(i) => {
                let i = i.index(lines.len());
                lines.insert(i, lines[i].clone());
            }
            Mutation::Swap(a, b) => {
                let (a, b) = (a.index(lines.len()), b.index(lines.len()));
                lines.swap(a, b);
            }
            Mutation::Flip(i, x) => {
                let l = i.index(lines.len());
                if !lines[l].is_empty() {
                    let at = i.index(lines[l].len());
                    lines[l][at] ^= x;
                }
            }
            Mutation::Truncate(i) => truncate = Some(*i),
        }
    }
    let mut out = lines.concat();
    if let Some(i) = truncate {
        out.truncate(i.index(out.len() + 1));
    }
    out
}

fn sample_indices() -> impl Strategy<Value = Vec<usize>> {
    let n = SAMPLES.len();
    subsequence((0..n).collect::<Vec<_>>(), 1..=3)
}

proptest! {
    // Failures are not persisted to a file: a failing case prints its inputs, and a
    // fixed one belongs in fuzz_regressions.
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Events made hostile (numbers near the integer limits, names with escapes, bidi,
    /// invisible characters and Markdown) from samples or log-like bytes render in
    /// every format without panicking; terminal and Markdown output hold no raw
    /// control, bidi or invisible character; JSON parses.
    #[test]
    fn hostile_events_render_safely_in_every_format(
        file in 0..SAMPLES.len(),
        from_sample in any::<bool>(),
        log in loggy(),
        dice in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let report = if from_sample {
            let s = &SAMPLES[file];
            render_check::hostile_report(b"", &dice, Some(s.events.clone()))
        } else {
            render_check::hostile_report(&log, &dice, None)
        };
        render_check::render_all(&report);
    }

    /// Whatever the bytes and limits, a scan returns (and its spans are ordered).
    #[test]
    fn any_bytes_scan_without_panic(
        data in prop_oneof![proptest::collection::vec(any::<u8>(), 0..4096), loggy()],
        buffer_size in 16usize..=4096,
        max_line in 16usize..=65536,
        every_line in any::<bool>(),
    ) {
        let o = ScanOptions { buffer_size, max_line, every_line, ..util::opts() };
        let s = scan_reader("any", &data[..], None, &o);
        let spans = spans_ok(&util::events_of(&s));
        prop_assert!(spans.is_ok(), "{:?}", spans);
        prop_assert_eq!(s.stats.bytes, data.len() as u64);
        prop_assert!(!s.failed);
    }

    /// Buffer size and path (fast or every line) do not change the events of a sample.
    #[test]
    fn samples_agree_across_buffers_and_paths(
        files in sample_indices(),
        buffer_size in 16usize..=4096,
        every_line in any::<bool>(),
    ) {
        for i in files {
            let s = &SAMPLES[i];
            let (_, got) = scan(&s.name, &s.bytes[..], &util::opts_with(buffer_size, every_line));
            prop_assert!(
                got == s.events,
                "{}: buffer {buffer_size}, every_line {every_line}:\n{}\n---- default:\n{}",
                s.name, util::events_json(&got), util::events_json(&s.events)
            );
        }
    }

    /// Plain bytes, one gzip member, two members split anywhere, and a pipe that
    /// returns a few bytes at a time all give the same events.
    #[test]
    fn compression_and_chunking_change_nothing(
        files in sample_indices(),
        split in any::<Index>(),
        seed in any::<u32>(),
    ) {
        for i in files {
            let s = &SAMPLES[i];
            let (_, plain) = open_scan(&s.name, Box::new(Cursor::new(s.bytes.clone())));
            prop_assert!(plain == s.events, "{}: plain open", s.name);
            let (one, events) = open_scan(&s.name, Box::new(Cursor::new(gzip(&s.bytes))));
            prop_assert!(!one.failed, "{}: {:?}", s.name, one.diagnostics);
            prop_assert!(events == s.events, "{}: one gzip member\n{}", s.name, util::events_json(&events));
            let at = split.index(s.bytes.len() + 1);
            let mut two = gzip(&s.bytes[..at]);
            two.extend(gzip(&s.bytes[at..]));
            let (two, events) = open_scan(&s.name, Box::new(Cursor::new(two)));
            prop_assert!(!two.failed, "{}: {:?}", s.name, two.diagnostics);
            prop_assert!(events == s.events, "{}: two members split at {at}", s.name);
            let (_, pipe) = open_scan(
                &s.name,
                Box::new(Trickle { data: s.bytes.clone(), pos: 0, seed }),
            );
            prop_assert!(pipe == s.events, "{}: trickled reads (seed {seed})", s.name);
        }
    }

    /// Damaged real logs: lines deleted, duplicated, swapped, bytes flipped, the end
    /// cut off. No panic, and every event's span is ordered.
    #[test]
    fn mutated_samples_do_not_panic(
        file in any::<Index>(),
        muts in proptest::collection::vec(mutation(), 1..12),
        buffer_size in prop_oneof![Just(DEFAULT_CAPACITY), 16usize..=4096],
        every_line in any::<bool>(),
    ) {
        let s = &SAMPLES[file.index(SAMPLES.len())];
        let bytes = mutate(&s.bytes, &muts);
        let o = ScanOptions { buffer_size, every_line, ..util::opts() };
        let out = scan_reader(&s.name, &bytes[..], None, &o);
        let events = util::events_of(&out);
        let spans = spans_ok(&events);
        prop_assert!(spans.is_ok(), "{}: {:?}", s.name, spans);
        for ev in &events {
            prop_assert!(ev.source.last_line <= out.stats.lines.max(1), "{}: span past the end", s.name);
        }
    }
}

/// Every kernel `Killed process` record of a sample is a `KilledLine` victim of
/// exactly one event, and nothing else is.
#[test]
fn killed_lines_are_counted_once() {
    for s in SAMPLES.iter() {
        let mut parser = kinds::parser(FormatHint::Auto);
        let mut lines = 0usize;
        for (i, line) in s.bytes.split(|b| *b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            parser.parse(line, i as u64 + 1, &mut |rec| {
                if rec.is_kernel() && memchr::memmem::find(rec.body, b"Killed process").is_some() {
                    lines += 1;
                }
            });
        }
        let victims = s
            .events
            .iter()
            .flat_map(|e| &e.killed)
            .filter(|k| k.evidence == Evidence::KilledLine)
            .count();
        assert_eq!(
            lines, victims,
            "{}: Killed process lines vs KilledLine victims",
            s.name
        );
    }
}

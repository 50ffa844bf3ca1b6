//! Micro-benchmarks of the layers of a scan, in bytes per second, on syslog traffic
//! generated in memory by `gen_log` (the same generator `benches/run.sh` uses for the
//! end-to-end figures):
//!
//! - `lines`: the line reader alone, on the marker fast path (idle consumer) and with
//!   every line handed out, searching in the calling thread or in helper threads;
//! - `records`: the line parser on every line (`parse`) and the clock follower (`track`);
//! - `assembly`: the whole scan (lines → records → events), fast and plain path.
//!
//! `cargo bench --bench throughput` (`-- lines` for one group). `OOMLENS_BENCH_MB`
//! sets the data size (default 32).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oomlens::event::kinds;
use oomlens::input::lines::{Line, LineReader, LineSink, Want};
use oomlens::pipeline::{ScanOptions, scan_reader};

#[allow(dead_code)]
#[path = "gen_log.rs"]
mod gen_log;

fn data() -> Vec<u8> {
    let mb: u64 = std::env::var("OOMLENS_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    gen_log::generate_vec(mb << 20, 0x6f6f_6d6c_656e_7321).0
}

/// Counts what it is given; wants markers or every line.
struct Count {
    want: Want,
    lines: u64,
    bytes: u64,
}

impl LineSink for Count {
    fn start(&self) -> Want {
        self.want
    }
    fn line(&mut self, line: Line<'_>) -> Want {
        self.lines += 1;
        self.bytes += line.bytes.len() as u64;
        self.want
    }
    fn sample(&mut self, line: Line<'_>) -> bool {
        self.bytes += line.bytes.len() as u64;
        true
    }
}

fn lines(c: &mut Criterion, data: &[u8]) {
    let markers = kinds::prefilter();
    let mut g = c.benchmark_group("lines");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    for (name, want, workers) in [
        ("markers", Want::Markers, 0),
        ("markers_2_helpers", Want::Markers, 2),
        ("every_line", Want::Every, 0),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut sink = Count {
                    want,
                    lines: 0,
                    bytes: 0,
                };
                LineReader::new(data)
                    .with_workers(workers)
                    .run(&mut sink, markers)
                    .unwrap();
                black_box((sink.lines, sink.bytes))
            })
        });
    }
    g.finish();
}

fn records(c: &mut Criterion, data: &[u8]) {
    let mut g = c.benchmark_group("records");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    g.bench_function("parse", |b| {
        b.iter(|| {
            let mut p = kinds::parser(Default::default());
            let mut n = 0u64;
            for (i, line) in data.split(|b| *b == b'\n').enumerate() {
                p.parse(line, i as u64 + 1, &mut |r| n += r.body.len() as u64);
            }
            black_box(n)
        })
    });
    g.bench_function("track", |b| {
        b.iter(|| {
            let mut p = kinds::parser(Default::default());
            for (i, line) in data.split(|b| *b == b'\n').enumerate() {
                p.track(line, i as u64 + 1);
            }
            black_box(p.last_yearless())
        })
    });
    g.finish();
}

fn assembly(c: &mut Criterion, data: &[u8]) {
    let mut g = c.benchmark_group("assembly");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    for (name, every_line) in [("fast_path", false), ("every_line", true)] {
        let opts = ScanOptions {
            every_line,
            year: Some(2026),
            ..ScanOptions::default()
        };
        g.bench_function(name, |b| {
            b.iter(|| black_box(scan_reader("bench", data, None, &opts).records))
        });
    }
    g.finish();
}

fn all(c: &mut Criterion) {
    let data = data();
    lines(c, &data);
    records(c, &data);
    assembly(c, &data);
}

criterion_group!(benches, all);
criterion_main!(benches);

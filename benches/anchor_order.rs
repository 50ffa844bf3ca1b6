//! Finds an order of the prefilter's anchors that Teddy searches fast
//! (`event::kinds::ANCHOR_ORDER`): Teddy puts patterns `i`, `i + 8`, … in one bucket, and
//! a bucket of unlike first bytes lets more false candidates through, so the order alone
//! changes the search's speed severalfold.
//!
//! `cargo run --release --example anchor_order -- FILE [TRIES]` times the search over
//! FILE (e.g. the first 32 MiB of `bench-data/syslog-1G.log`) in the current order, then
//! tries TRIES (default 400) orders, each one to three swaps away from the best so far,
//! keeps the fastest (best of three runs each) and prints it as Rust lines to paste.
//! Check the result on another part of the log before taking it.

use std::time::Instant;

use oomlens::event::kinds::{anchors, markers};
use oomlens::input::prefilter::Prefilter;

/// Marker lines found in `buf`, the way the line reader searches.
fn scan(p: &Prefilter, buf: &[u8]) -> usize {
    let (mut n, mut from) = (0, 0);
    while from < buf.len() {
        let Some(at) = p.find(&buf[from..]) else {
            break;
        };
        n += 1;
        let at = from + at;
        from = memchr::memchr(b'\n', &buf[at..]).map_or(buf.len(), |i| at + i + 1);
    }
    n
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: anchor_order FILE [TRIES]");
        std::process::exit(2);
    };
    let tries: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(400);
    let buf = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let texts: Vec<&str> = markers().iter().map(|m| m.text).collect();
    let time = |order: &[&str]| -> f64 {
        let p = Prefilter::new(&texts, order);
        (0..3)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(scan(&p, &buf));
                t.elapsed().as_secs_f64() * 1e3
            })
            .fold(f64::MAX, f64::min)
    };
    let current = anchors();
    let mut best = current.clone();
    let mut best_ms = time(&best);
    println!("current order: {best_ms:.2} ms");
    // xorshift: the same tries on every run.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..tries {
        let mut order = best.clone();
        for _ in 0..=next(3) {
            let (a, b) = (next(order.len()), next(order.len()));
            order.swap(a, b);
        }
        let ms = time(&order);
        if ms < best_ms {
            (best, best_ms) = (order, ms);
        }
    }
    println!(
        "best: {:.2} ms (current again: {:.2} ms)",
        time(&best),
        time(&current)
    );
    for a in best {
        println!("    {a:?},");
    }
}

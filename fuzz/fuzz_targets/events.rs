//! The whole scan (lines → records → events) on arbitrary bytes, with buffer size, line
//! cap, path and hint taken from the first bytes, so that tiny buffers, cut lines and
//! the plain path are exercised. Differential: the fast path (marker search) and the
//! plain path (every line) must find the same events, and so must a small buffer, the
//! default buffer and a reader that returns a few bytes per call.

#![no_main]

mod common;

use common::{Config, assert_fast_matches_plain, assert_same, opts, reference_buffer, scan};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (cfg, text) = Config::split(data);
    let chosen = opts(cfg.buffer_size, cfg.max_line, cfg.every_line, cfg.hint);
    let got = scan(text, &chosen, cfg.trickle);
    assert!(
        got.scan.stats.bytes == text.len() as u64,
        "bytes read {} of {}",
        got.scan.stats.bytes,
        text.len()
    );
    assert!(!got.scan.failed, "a slice cannot fail to read");

    // Helper threads searching ahead hand out exactly the lines a lone reader does.
    common::assert_workers_agree(text, &opts(cfg.buffer_size, cfg.max_line, false, cfg.hint));
    common::assert_file_readers_agree(text, &opts(cfg.buffer_size, cfg.max_line, false, cfg.hint));

    // The reference: every line, the default buffer (capped by the line cap).
    let big = reference_buffer(cfg.max_line);
    let plain = scan(text, &opts(big, cfg.max_line, true, cfg.hint), None);
    if cfg.every_line {
        // Plain path, small buffer vs default buffer: no excuses.
        assert_same(
            "plain path, small buffer vs default buffer",
            &got.events,
            &plain.events,
        );
        // The fast path with the same (small) buffer.
        let o = opts(cfg.buffer_size, cfg.max_line, false, cfg.hint);
        let fast = scan(text, &o, None);
        assert_fast_matches_plain(
            "fast path, small buffer vs plain path",
            text,
            &o,
            &fast.events,
            &plain.events,
        );
    } else {
        assert_fast_matches_plain(
            "fast path, chosen buffer vs plain path",
            text,
            &chosen,
            &got.events,
            &plain.events,
        );
        let o = opts(big, cfg.max_line, false, cfg.hint);
        let fast = scan(text, &o, None);
        assert_fast_matches_plain(
            "fast path, default buffer vs plain path",
            text,
            &o,
            &fast.events,
            &plain.events,
        );
        // Fast path, small buffer vs default buffer (both see only marker lines, but
        // sample different lines between them).
        if fast.events != got.events
            && !*common::STRICT
            && (common::known_difference(text, &chosen, &got.events, &fast.events)
                || common::known_difference(text, &o, &got.events, &fast.events))
        {
            return;
        }
        assert_same(
            "fast path, small buffer vs default buffer",
            &got.events,
            &fast.events,
        );
    }
});

//! The analysis and render layers on arbitrary events: the input's first half is a
//! log (scanned into events), the second half dice that make those events hostile
//! (numbers near the integer limits, names with escape sequences, bidi and invisible
//! characters, Markdown). Every format renders without panicking; terminal and
//! Markdown output hold no raw control, bidi or invisible character; JSON parses.

#![no_main]

mod render_check;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte says where the log ends and the dice begin.
    let (cut, rest) = match data.split_first() {
        Some((c, rest)) => (*c as usize * rest.len() / 255, rest),
        None => return,
    };
    let (log, dice) = rest.split_at(cut.min(rest.len()));
    let report = render_check::hostile_report(log, dice, None);
    render_check::render_all(&report);
});

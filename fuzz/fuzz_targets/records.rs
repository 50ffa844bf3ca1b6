//! The line parser on arbitrary lines: every line shape, every hint, header-less
//! continuation lines, and the clock tracking that the fast path uses between reports.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use oomlens::event::classify::classify;
use oomlens::event::kinds;
use oomlens::record::{FormatHint, YearAnchor};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, text)) = data.split_first() else {
        return;
    };
    let hint = match flags & 3 {
        1 => FormatHint::Kmsg,
        2 => FormatHint::JournalJson,
        3 => FormatHint::Bare,
        _ => FormatHint::Auto,
    };
    // Some lines are only tracked (as the fast path does for lines between reports).
    let track_every = usize::from(flags >> 2 & 7);
    let reference = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("valid date");
    let mut p = kinds::parser(hint);
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        let number = i as u64 + 1;
        if track_every > 0 && i % (track_every + 1) == track_every {
            p.track(line, number);
            continue;
        }
        p.parse(line, number, &mut |rec| {
            assert_eq!(rec.line, number);
            assert_eq!(rec.body, rec.body.trim_ascii(), "body is not trimmed");
            let _ = rec.is_kernel();
            let _ = classify(rec.body);
            if let Some(w) = rec.wall {
                let _ = w.to_string();
                let anchor = YearAnchor::new(p_last(&w).as_ref(), reference, None);
                let _ = w.resolve(&anchor);
            }
            if let Some(t) = rec.printk {
                let _ = t.to_string();
                let _ = t.seconds();
            }
        });
    }
    let last = p.last_yearless();
    for forced in [None, Some(2026), Some(i32::from(flags) - 100)] {
        let anchor = YearAnchor::new(last.as_ref(), reference, forced);
        if let Some(y) = &last {
            let _ = anchor.year_of(y);
        }
    }
});

fn p_last(w: &oomlens::record::Wall) -> Option<oomlens::record::Yearless> {
    match w {
        oomlens::record::Wall::Yearless(y) => Some(*y),
        _ => None,
    }
}

//! The kernel-message classifier on arbitrary bodies, and the task table fed with
//! whatever header and rows the classifier finds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use oomlens::event::TaskTable;
use oomlens::event::classify::{Line, classify, summary};

fuzz_target!(|data: &[u8]| {
    let _ = classify(data);
    let _ = classify(data.trim_ascii());
    let _ = summary(data);
    // Line by line: a table header sets the columns the rows after it are read with.
    let mut table = TaskTable::default();
    let mut wide = false;
    for line in data.split(|b| *b == b'\n') {
        match classify(line.trim_ascii()) {
            Line::TasksTitle => wide = true,
            Line::TableHeader(cols) => table.set_header(&cols, wide),
            Line::TableRow(row) => {
                let before = (table.rows.len(), table.bad_rows);
                let ok = table.push_row(row);
                let after = (table.rows.len(), table.bad_rows);
                if ok {
                    assert_eq!(after, (before.0 + 1, before.1));
                } else {
                    assert_eq!(after, (before.0, before.1 + 1));
                }
            }
            _ => {}
        }
    }
});

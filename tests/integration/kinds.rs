//! The table of report-line kinds against the scanner: the fast path (prefilter
//! between reports) and `--every-line` agree on every kind's lines.

use oomlens::event::OomEvent;
use oomlens::event::kinds::{self, KINDS, OTHER, Role};
use oomlens::pipeline::scan_reader;

use crate::util;

fn events(text: &str, every_line: bool) -> Vec<OomEvent> {
    let o = util::opts_with(64 * 1024, every_line);
    util::events_of(&scan_reader("kinds", text.as_bytes(), None, &o))
}

/// Lines the classifier files under a kind that opens reports but that hold no
/// marker: inside a report they are read, between reports they must open nothing.
const LOOSER_THAN_THE_MARKERS: &[&str] = &[
    "1000 pages of RAM",
    "Free swap = 0kB",
    "MEM-INFO:",
    "[ pid ]   uid  tgid  total_vm      rss name",
    "Out of Memory: Kill process 6350 (apache2) score 82992 and children.",
];

/// Every example of every kind, alone among other programs' lines, in two log shapes:
/// the same events whether lines are found by the prefilter or all read. A kind that
/// acted between reports on lines without a marker would break this.
#[test]
fn fast_path_and_every_line_agree_on_every_kind() {
    let examples = KINDS.iter().chain([&OTHER]).flat_map(|k| k.examples);
    let mut opened = 0;
    for line in examples.chain(LOOSER_THAN_THE_MARKERS) {
        for shape in [
            format!("Nov 21 22:25:46 vm kernel: [  100.000001] {line}"),
            format!("[  100.000001] {line}"),
        ] {
            let text = format!(
                "Nov 21 22:25:45 vm sshd[7]: Accepted key\n{shape}\nNov 21 22:25:47 vm cron[8]: done\n"
            );
            let fast = events(&text, false);
            let every = events(&text, true);
            assert_eq!(
                serde_json::to_string(&fast).unwrap(),
                serde_json::to_string(&every).unwrap(),
                "{shape:?}"
            );
            opened += usize::from(!fast.is_empty());
        }
    }
    // Not vacuous: the kill, summary, reaper, … lines make events on their own.
    assert!(opened >= 10, "{opened}");
}

/// A line of a kind that opens reports, with a marker, makes an event even alone;
/// the same line with its spaces squeezed, so that it holds no marker, makes none on
/// either path.
#[test]
fn the_opening_decision_follows_the_table() {
    let kill =
        "Out of memory: Killed process 6350 (apache2) total-vm:1kB, anon-rss:2kB, file-rss:3kB";
    let (kind, _) = kinds::classify(kill.as_bytes());
    assert_eq!(kind.role, Role::Opens);
    for every in [false, true] {
        assert_eq!(events(&format!("[ 1.0] {kill}\n"), every).len(), 1);
        // A task table header (which alone makes an event) with squeezed spaces.
        let header = "[ 1.0] [ pid ]   uid  tgid  total_vm      rss name\n";
        assert!(events(header, every).is_empty(), "every line: {every}");
        let header = "[ 1.0] [ pid ]   uid  tgid total_vm      rss name\n";
        assert_eq!(events(header, every).len(), 1, "every line: {every}");
    }
}

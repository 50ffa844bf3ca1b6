//! The table of report-line kinds against the scanner: the fast path (prefilter
//! between reports) and `--every-line` agree on every kind's lines.

use oomlens::event::kinds::{self, KINDS, OTHER, Role};
use oomlens::event::{Ending, OomEvent};
use oomlens::pipeline::scan_reader;
use oomlens::text::OptionLogStr;

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

/// Lines that join a report after its kill line (the kinds' `late` fill: a
/// `memory.oom.group` kill, the reaper's result, the panic after "no killable
/// processes"), with other programs' lines in between: the same event on both paths.
#[test]
fn late_lines_join_the_finished_report_on_both_paths() {
    let kernel = [
        "java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "memory: usage 204800kB, limit 204800kB, failcnt 721",
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a/b,task=java,pid=17284,uid=0",
        "Memory cgroup out of memory: Killed process 17284 (java) total-vm:146092kB, anon-rss:135540kB, file-rss:6248kB, shmem-rss:0kB, UID:0 pgtables:328kB oom_score_adj:0",
        "Tasks in /a/b are going to be killed due to memory.oom.group set",
        "Memory cgroup out of memory: Killed process 17290 (helper) total-vm:1000kB, anon-rss:500kB, file-rss:10kB, shmem-rss:0kB, UID:0 pgtables:32kB oom_score_adj:0",
        "oom_reaper: reaped process 17284 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
    ];
    let mut text = String::new();
    for (i, k) in kernel.iter().enumerate() {
        text += &format!("Nov 21 22:25:46 vm kernel: [  100.{i:06}] {k}\n");
        text += "Nov 21 22:25:46 vm sshd[7]: Accepted key\n";
    }
    for every in [false, true] {
        let ev = events(&text, every);
        assert_eq!(ev.len(), 1, "every line: {every}");
        let e = &ev[0];
        let killed: Vec<(u32, bool)> = e.killed.iter().map(|k| (k.pid, k.group)).collect();
        assert_eq!(killed, [(17284, false), (17290, true)]);
        assert_eq!(e.group_kill.as_log_str(), Some("/a/b"));
        assert_eq!(e.reaped.len(), 1);
        assert_eq!((e.reaped[0].pid, e.reaped[0].anon_rss_kb), (17284, Some(0)));
        assert_eq!(e.source.last_line, 13);
    }

    let text = "[ 5.000001] Out of memory and no killable processes...\n\
                [ 5.000002] Kernel panic - not syncing: System is deadlocked on memory\n";
    for every in [false, true] {
        let ev = events(text, every);
        assert_eq!(ev.len(), 1, "every line: {every}");
        assert_eq!(
            ev[0].ending,
            Some(Ending::Panic {
                text: "Kernel panic - not syncing: System is deadlocked on memory".into()
            })
        );
        assert_eq!(ev[0].source.last_line, 2);
    }
}

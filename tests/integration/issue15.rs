//! Issue 15 ("One event per OOM, every kill once, every time and host kept"): the items
//! left after the first round, on real samples (`samples/real`) and on reproducers made
//! from them with one thing changed (`tests/reproducers/issue15`, see its README).

use std::path::{Path, PathBuf};

use oomlens::event::OomEvent;

use crate::util::{events, opts, scan};

fn repro(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reproducers/issue15")
        .join(name)
}

fn repro_events(name: &str) -> Vec<OomEvent> {
    scan(&repro(name), &opts()).events.to_vec().unwrap()
}

#[test]
fn a_kill_line_wrapped_inside_the_name_is_rejoined() {
    // Before: comm `ja`, no rss, the line counted as cut short.
    let e = repro_events("017-killed-line-wrapped-inside-name.log");
    let base = events("real/017-cnnote-rhel6-global-tail-truncated.log");
    assert_eq!(e.len(), 1);
    let k = &e[0].killed[0];
    assert_eq!(
        (
            k.pid,
            k.comm.as_log_str(),
            k.anon_rss_kb,
            k.cut,
            &k.lines[..]
        ),
        (28656, "java", Some(1_749_168), false, &[11][..])
    );
    // The same event as the unwrapped original (its lines and notes too).
    assert_eq!(e[0].killed, base[0].killed);
    assert_eq!(e[0].notes, base[0].notes);
}

#[test]
fn a_kill_line_cut_inside_the_name_keeps_the_name_the_selection_line_gives() {
    // Before: comm `ja`. The `Kill process 28656 (java) score 853` line names it whole.
    let e = repro_events("017-killed-line-cut-inside-name.log");
    assert_eq!(e.len(), 1);
    let k = &e[0].killed[0];
    assert_eq!(
        (k.pid, k.comm.as_log_str(), k.anon_rss_kb, k.cut),
        (28656, "java", None, true)
    );
}

#[test]
fn a_kill_line_the_rate_limit_replaced_keeps_victim_cgroup_and_count() {
    // samples/real/116: the vendor kernel printed `oom_kill_process: 1520 callbacks
    // suppressed` where the kill line belongs; the reaper names the victim. One
    // event, its cgroup kept; before, the count was left for a next report that never
    // came (the event did not say that the kernel dropped messages).
    let e = events(
        "real/116-cnnotes-uos20-loongarch-4.19-memcg-syslog-kill-line-suppressed-reaper-only.log",
    );
    assert_eq!(e.len(), 1);
    let ev = &e[0];
    let k = &ev.killed[0];
    assert_eq!(
        (ev.killed.len(), k.pid, k.comm.as_log_str()),
        (1, 585_588, "java")
    );
    let m = ev.memcg.as_ref().unwrap();
    assert_eq!(
        m.oom_memcg.as_ref().map(|p| p.as_log_str()),
        Some("/kubepods.slice/kubepods-pod776b973b_ea34_4ae9_9d79_5b9a2cb363b6.slice")
    );
    assert_eq!(ev.suppressed_before, Some(1520));
    assert_eq!(
        ev.host.as_ref().map(|h| h.as_log_str()),
        Some("cc-zzhk-loongarch-controller-1")
    );
}

#[test]
fn the_reboot_after_a_panic_belongs_to_the_report_it_ends() {
    // samples/real/203: the second report, cut by the poster, ends with the panic's
    // `Rebooting in 86400 seconds..`: the machine rebooted.
    let e = events("real/203-iouring-ylan-syzkaller-5.10-triple-quoted-shell-prompt-wrapped.log");
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].rebooted, None);
    let r = e[1].rebooted.unwrap();
    assert_eq!((r.after_s, r.line, e[1].source.last_line), (86_400, 89, 89));
}

#[test]
fn a_reboot_right_after_a_finished_report_belongs_to_it() {
    // tests/reproducers/issue15: 203 without its second (elided) report, so the panic's
    // last line comes 0.75 s after the kill that finished the first. Before, the line
    // belonged to no event (and the fast path did not even read it).
    for every_line in [false, true] {
        let o = crate::util::opts_with(1 << 20, every_line);
        let e = scan(
            &repro("203-second-report-removed-panic-tail-after-kill.log"),
            &o,
        )
        .events
        .to_vec()
        .unwrap();
        assert_eq!(e.len(), 1, "every_line {every_line}");
        let r = e[0].rebooted.unwrap();
        assert_eq!(
            (e[0].killed[0].pid, r.after_s, r.line, e[0].source.last_line),
            (4526, 86_400, 13, 13),
            "every_line {every_line}"
        );
        // The kill is still what ended the report.
        assert_eq!(e[0].ending, None);
    }
}

#[test]
fn a_reboot_after_a_deadlock_panic_belongs_to_its_report() {
    // The report that ended in `Out of memory and no killable processes...` and the
    // `System is deadlocked on memory` panic (the fuzz regression's lines), then the
    // panic's last line 30 s later (kernel.panic=30 prints it at once; a slow console
    // may not): it still belongs to the report that panicked.
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz-regressions/panic-deadlocked-on-memory-without-marker"),
    )
    .unwrap();
    let text = format!("{base}[  130.000300] Rebooting in 30 seconds..\n");
    let path = std::env::temp_dir().join(format!("oomlens-issue15-reboot-{}", std::process::id()));
    std::fs::write(&path, &text).unwrap();
    for every_line in [false, true] {
        let o = crate::util::opts_with(1 << 20, every_line);
        let e = scan(&path, &o).events.to_vec().unwrap();
        assert_eq!(e.len(), 1, "every_line {every_line}");
        let r = e[0].rebooted.unwrap();
        let lines = text.lines().count() as u64;
        assert_eq!((r.after_s, r.line), (30, lines), "every_line {every_line}");
        assert!(matches!(
            e[0].ending,
            Some(oomlens::event::Ending::Panic { .. })
        ));
    }
    std::fs::remove_file(&path).unwrap();
}

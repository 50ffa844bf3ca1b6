//! One test per kernel era and per quirk, on real fixtures: the exact facts each
//! report states, read from the log's own lines.

use oomlens::event::{Ending, Evidence, OomEvent, Scope};
use oomlens::text::OptionLogStr;

use crate::util::events;

fn one(rel: &str) -> OomEvent {
    let mut evs = events(rel);
    assert_eq!(evs.len(), 1, "{rel}: {} events", evs.len());
    evs.remove(0)
}

fn columns(e: &OomEvent) -> Vec<&str> {
    e.tasks.columns.iter().map(String::as_str).collect()
}

#[test]
fn era_2_6_24_old_header_and_verdict() {
    let e = one("real/023-ubuntu804-xen-2.6.24era-old-format-syslog.log");
    let t = e.trigger.as_ref().unwrap();
    assert_eq!(
        (t.comm.as_log_str(), t.gfp_mask.as_log_str(), t.order),
        (None, Some("0x201d2"), Some(0))
    );
    let c = e.kernel_choice.as_ref().unwrap();
    assert_eq!(
        (c.pid, c.comm.as_log_str(), c.score),
        (6350, "apache2", Some(82992))
    );
    assert_eq!(c.message, "Out of Memory");
    let k = &e.killed[0];
    assert_eq!(
        (k.pid, k.comm.as_log_str(), k.evidence),
        (6350, "apache2", Evidence::KilledLine)
    );
    let mi = e.mem_info.as_ref().unwrap();
    assert_eq!(
        (mi.pages_ram, mi.pages_reserved, mi.total_swap_kb),
        (Some(133120), Some(3665), Some(525304))
    );
    assert_eq!(mi.counters.get("active"), Some(&52613));
    assert_eq!(e.scope, Some(Scope::Global));
    assert_eq!(e.host.as_log_str(), Some("i28"));
}

#[test]
fn era_2_6_32_header_and_trace_only() {
    let evs = events("real/033-unixse-debian-2.6.32-header-trace-only.log");
    assert_eq!(evs.len(), 1);
    let e = &evs[0];
    let t = e.trigger.as_ref().unwrap();
    assert_eq!(
        (t.comm.as_log_str(), t.pid, t.oom_adj, t.oom_score_adj),
        (Some("mysqld"), Some(1319), Some(0), None)
    );
    assert_eq!(e.kernel_version.as_log_str(), Some("2.6.32-5-amd64"));
    assert_eq!(e.trace_frames, 17);
    assert!(e.killed.is_empty() && !e.complete);
    assert!(
        e.notes
            .iter()
            .any(|n| n == "report cut off: the log ends inside the report"),
        "{:?}",
        e.notes
    );
    assert_eq!(e.printk.unwrap().to_string(), "2006013.230723");
}

#[test]
fn rhel_6_memcg_with_mem_info_and_uid_kill_line() {
    let e = one("real/009-lkml-centos6.2-memcg-v1-rhel6-syslog.log");
    assert_eq!(
        e.kernel_version.as_log_str(),
        Some("2.6.32-220.7.1.el6.x86_64")
    );
    let m = e.memcg.as_ref().unwrap();
    assert_eq!(
        (m.task_memcg.as_log_str(), m.oom_memcg.as_log_str()),
        (Some("/test"), Some("/test"))
    );
    assert_eq!(
        (m.usage_kb, m.limit_kb, m.failcnt),
        (Some(102400), Some(102400), Some(756))
    );
    assert_eq!(
        (m.memsw_usage_kb, m.memsw_limit_kb),
        (Some(206240), Some(1048576))
    );
    // RHEL 6 prints the global Mem-Info for memcg OOMs too.
    let mi = e.mem_info.as_ref().unwrap();
    assert_eq!(
        (
            mi.pages_ram,
            mi.pages_reserved,
            mi.total_swap_kb,
            mi.free_swap_kb
        ),
        (Some(294896), Some(7632), Some(2064376), Some(1720104))
    );
    assert_eq!(
        columns(&e),
        [
            "pid",
            "uid",
            "tgid",
            "total_vm",
            "rss",
            "cpu",
            "oom_adj",
            "oom_score_adj",
            "name"
        ]
    );
    let row = &e.tasks.rows[0];
    assert_eq!(
        (
            row.pid,
            row.uid,
            row.rss,
            row.cpu,
            row.oom_adj,
            row.name.as_log_str()
        ),
        (15462, Some(500), Some(12903), Some(3), Some(0), "t")
    );
    let k = &e.killed[0];
    assert_eq!(
        (k.pid, k.uid, k.total_vm_kb, k.anon_rss_kb, k.file_rss_kb),
        (15462, Some(500), Some(233384), Some(51228), Some(384))
    );
    assert_eq!(e.kernel_choice.as_ref().unwrap().score, Some(1000));
    assert!(e.complete, "{:?}", e.notes);
}

#[test]
fn rhel_6_sacrifice_child_and_a_cut_second_report() {
    let evs = events("real/020-emqx-rhel6-sacrifice-child-two-ooms-dmesg.log");
    assert_eq!(evs.len(), 2);
    let c = evs[0].kernel_choice.as_ref().unwrap();
    assert_eq!(
        (c.pid, c.comm.as_log_str(), c.score),
        (16929, "beam.smp", Some(580))
    );
    let k = &evs[0].killed[0];
    assert_eq!(
        (k.pid, k.comm.as_log_str(), k.uid, k.anon_rss_kb),
        (28364, "sh", Some(0), Some(180))
    );
    let t = evs[1].trigger.as_ref().unwrap();
    assert_eq!((t.comm.as_log_str(), t.pid), (Some("rsyslogd"), Some(1205)));
    assert_eq!(
        evs[1].kernel_version.as_log_str(),
        Some("2.6.32-431.11.15.el6.ucloud.x86_64")
    );
    assert!(evs[1].victim().is_none() && !evs[1].complete);
}

#[test]
fn era_3_10_rhel_7_interleaved_and_cut() {
    // A dockerd line lands between the CPU and Hardware lines; the log is cut in the trace.
    let e = one("real/036-moby38613-rhel7-docker-interleaved-dockerd-truncated.log");
    let t = e.trigger.as_ref().unwrap();
    assert_eq!(
        (
            t.comm.as_log_str(),
            t.pid,
            t.gfp_mask.as_log_str(),
            t.oom_score_adj
        ),
        (Some("python"), Some(21154), Some("0xd0"), Some(0))
    );
    assert_eq!(
        e.kernel_version.as_log_str(),
        Some("3.10.0-957.12.2.el7.x86_64")
    );
    assert_eq!(
        e.cpuset,
        Some((
            "7489263afb020169f14630e2e4d15cd5e3c0ffa53e80134ddc5ba38e1c11c08f".into(),
            "0".into()
        ))
    );
    assert_eq!(e.trace_frames, 6);
    assert_eq!(
        e.scope,
        Some(Scope::Memcg),
        "mem_cgroup_oom_synchronize in the trace"
    );
    assert!(!e.complete);
}

#[test]
fn era_3_13_memcg_v1_one_line_stats() {
    let e = one("real/001-cadvisor-memcg-v1-mem2-syslog.log");
    assert_eq!(e.host, None, "syslog without a host field");
    assert_eq!(e.kernel_version.as_log_str(), Some("3.13.0-43-generic"));
    let m = e.memcg.as_ref().unwrap();
    assert_eq!(m.stats_path.as_log_str(), Some("/mem2"));
    assert_eq!(m.stats.get("rss"), Some(&(980 * 1024)));
    assert_eq!(m.stats.get("writeback"), Some(&(20 * 1024)));
    assert_eq!(m.memsw_limit_kb, Some(18014398509481983));
    assert_eq!(
        columns(&e),
        [
            "pid",
            "uid",
            "tgid",
            "total_vm",
            "rss",
            "nr_ptes",
            "swapents",
            "oom_score_adj",
            "name"
        ]
    );
    let row = &e.tasks.rows[0];
    assert_eq!(
        (row.uid, row.nr_ptes, row.swapents),
        (Some(275858), Some(16267), Some(8324326))
    );
    assert_eq!(e.printk.unwrap().to_string(), "5864.708440");
}

#[test]
fn era_4_8_docker_two_reports_with_reaper_and_nr_pmds() {
    let evs = events("real/003-cadvisor-docker-two-ooms-4.8-kmsgbody.log");
    assert_eq!(evs.len(), 2);
    for (e, pid, anon) in [(&evs[0], 1381, 18624), (&evs[1], 1667, 248180)] {
        assert_eq!(
            columns(e),
            [
                "pid",
                "uid",
                "tgid",
                "total_vm",
                "rss",
                "nr_ptes",
                "nr_pmds",
                "swapents",
                "oom_score_adj",
                "name"
            ]
        );
        assert_eq!(e.killed[0].pid, pid);
        assert_eq!(e.killed[0].anon_rss_kb, Some(anon));
        assert_eq!(e.killed[0].shmem_rss_kb, Some(0));
        assert_eq!(e.reaped.len(), 1);
        assert_eq!((e.reaped[0].pid, e.reaped[0].anon_rss_kb), (pid, Some(0)));
        assert!(e.complete, "{:?}", e.notes);
    }
    assert_eq!(evs[0].memcg.as_ref().unwrap().memsw_failcnt, Some(6));
}

#[test]
fn era_4_18_rhel_8_1_no_table_shmem_heavy() {
    let e = one("real/015-cnnotes-rhel8.1-k8s-docker-memcg-notable.log");
    let t = e.trigger.as_ref().unwrap();
    assert_eq!(
        (
            t.nodemask.as_log_str(),
            t.oom_score_adj,
            t.gfp_flags.as_log_str()
        ),
        (Some("(null)"), Some(916), Some("GFP_KERNEL"))
    );
    assert_eq!(
        e.kernel_version.as_log_str(),
        Some("4.18.0-147.mt20200626.413.el8_1.x86_64")
    );
    let m = e.memcg.as_ref().unwrap();
    assert_eq!(m.stats.get("shmem"), Some(&(23689196 * 1024)));
    assert_eq!(
        (m.memsw_usage_kb, m.memsw_limit_kb, m.memsw_failcnt),
        (Some(35651584), Some(35651584), Some(61602))
    );
    assert!(e.tasks.rows.is_empty());
    assert!(
        e.notes.iter().any(|n| n.starts_with("no task table")),
        "{:?}",
        e.notes
    );
    let k = &e.killed[0];
    assert_eq!(
        (k.message.as_log_str(), k.uid, k.pgtables_kb),
        (Some("Memory cgroup out of memory"), None, None)
    );
    assert!(e.complete);
}

#[test]
fn era_5_4_global_with_continuation_lines_and_two_reports() {
    let evs = events("real/022-docker-forkbomb-kmem-two-global-ooms-5.4-dmesgT.log");
    assert_eq!(evs.len(), 2);
    let e = &evs[0];
    // The Mem-Info summary continues on lines without a time stamp.
    let mi = e.mem_info.as_ref().unwrap();
    assert_eq!(mi.counters.get("free"), Some(&30149832));
    assert_eq!(mi.counters.get("slab_reclaimable"), Some(&559978));
    assert_eq!(mi.zones.len(), 3);
    assert_eq!(mi.zones[2].managed_kb, Some(128843628));
    assert_eq!(
        e.summary.as_ref().unwrap().cpuset.as_log_str(),
        Some("3a166877f91031145f6dc491df3c915c57f1439f4b3bcea4c6a37d1885ea27ea")
    );
    assert_eq!(e.tasks.rows.len(), 132);
    assert_eq!(e.suppressed_before, Some(70));
    assert_eq!(
        e.trigger.as_ref().unwrap().gfp_mask.as_log_str(),
        Some("0x0")
    );
    assert_eq!(evs[1].killed[0].comm, "containerd");
    assert_eq!(evs[1].reaped[0].file_rss_kb, Some(14180));
}

#[test]
fn era_5_10_killed_line_cut_by_the_terminal() {
    let e = one("real/007-lstoakes-global-5.10-next-dmesg-truncated-lines.log");
    let k = &e.killed[0];
    assert!(k.cut);
    assert_eq!(
        (k.anon_rss_kb, k.shmem_rss_kb, k.uid),
        (Some(758932), Some(4), Some(1000))
    );
    assert!(!e.complete);
    assert_eq!(
        e.mem_info.as_ref().unwrap().counters.get("inactive_anon"),
        Some(&484737)
    );
}

#[test]
fn era_5_15_cgroup_v2_interleaved_with_other_programs() {
    let evs = events("real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log");
    assert_eq!(evs.len(), 2, "the kill, and the next report's first line");
    let e = &evs[0];
    let m = e.memcg.as_ref().unwrap();
    assert_eq!(
        (m.swap_usage_kb, m.swap_limit_kb),
        (Some(0), Some(9007199254740988))
    );
    assert_eq!(m.stats.get("anon"), Some(&98742272));
    assert_eq!(m.stats.get("workingset_restore_anon"), Some(&0));
    assert_eq!(e.tasks.rows.len(), 9);
    // node-problem-detector quotes the kill line in its own message; that is not a kill.
    assert_eq!(e.killed.len(), 1);
    assert!(e.complete);
}

#[test]
fn era_6_8_rss_split_columns_and_names_in_parentheses() {
    let e = one("real/008-rpi-zero2w-aarch64-6.12-global-notimestamps.log");
    assert_eq!(
        columns(&e),
        [
            "pid",
            "uid",
            "tgid",
            "total_vm",
            "rss",
            "rss_anon",
            "rss_file",
            "rss_shmem",
            "pgtables_bytes",
            "swapents",
            "oom_score_adj",
            "name"
        ]
    );
    let sdpam = e.tasks.rows.iter().find(|r| r.pid == 919).unwrap();
    assert_eq!(
        (sdpam.name.as_log_str(), sdpam.oom_score_adj),
        ("(sd-pam)", Some(100))
    );
    assert_eq!(e.mem_info.as_ref().unwrap().pages_cma_reserved, Some(65536));
    assert_eq!(e.kernel_version.as_log_str(), Some("6.12.62+rpt-rpi-v8"));
    assert_eq!(
        e.summary.as_ref().unwrap().task_memcg.as_log_str(),
        Some("/")
    );
    assert!(e.summary.as_ref().unwrap().global_oom);
}

#[test]
fn era_6_12_ppc64le_page_size_and_elided_lines() {
    let e = one("real/041-lkml-ppc64le-rhel10-6.12-memcg-selftest.log");
    assert_eq!(
        e.kernel_version.as_log_str(),
        Some("6.12.0-211.el10.ppc64le")
    );
    assert_eq!(e.trace_frames, 16);
    // 64 KiB pages: total-vm 36544 kB over 571 pages.
    assert_eq!(oomlens::analysis::kernel::page_size(&e).0, 64);
    assert_eq!(e.killed[0].pgtables_kb, Some(50));
}

#[test]
fn era_6_18_lab_v1_memory_stat_one_line_per_key() {
    let e = one("lab/single.kmsg");
    let m = e.memcg.as_ref().unwrap();
    assert_eq!(m.stats.get("total_rss"), Some(&66830336));
    assert_eq!(m.stats.get("hierarchical_memory_limit"), Some(&67108864));
    assert_eq!(m.kmem_usage_kb, Some(232));
    assert_eq!(e.kernel_version.as_log_str(), Some("6.18.44-fc-v669"));
    assert!(e.complete, "{:?}", e.notes);
}

#[test]
fn quirk_orphan_kill_lines_are_events() {
    for (rel, n) in [
        ("real/027-cpanel-rhel6-killed-line-only-syslog.log", 1),
        ("real/029-npd480-memcg-5.4-single-killed-line.log", 1),
        ("real/039-k8s50632-rhel7-eight-killed-lines-syslog.log", 8),
        ("real/044-rtx-dmesgT-five-memcg-killed-lines.log", 5),
    ] {
        let evs = events(rel);
        assert_eq!(evs.len(), n, "{rel}");
        for e in &evs {
            assert!(!e.complete);
            assert_eq!(e.killed.len(), 1);
            assert!(
                e.notes[0].starts_with("the report's first line"),
                "{:?}",
                e.notes
            );
        }
    }
    let e = &events("real/039-k8s50632-rhel7-eight-killed-lines-syslog.log")[3];
    let k = &e.killed[0];
    assert_eq!(
        (k.pid, k.uid, k.shmem_rss_kb),
        (799707, Some(1000), Some(0))
    );
}

#[test]
fn quirk_reports_cut_at_the_start() {
    // 017 starts at "Free swap", 042 inside the task table, 012 at "Task in".
    let e = one("real/017-cnnote-rhel6-global-tail-truncated.log");
    assert_eq!(e.mem_info.as_ref().unwrap().pages_reserved, Some(10723));
    assert_eq!(e.killed[0].pid, 28656);
    let e = &events("real/012-ebpfagent-kmsg-k8s-guaranteed-systemd-reaper-only.log")[0];
    assert_eq!(e.killed[0].evidence, Evidence::Reaper);
    assert_eq!(e.memcg.as_ref().unwrap().subtree_stats.len(), 3);
    let evs = events("real/042-stressng-global-user-session-scope-tail-dmesg.log");
    assert_eq!(evs[0].killed[0].pid, 1811);
    assert_eq!(
        evs[1].trigger.as_ref().unwrap().comm.as_log_str(),
        Some("systemd-journal")
    );
}

#[test]
fn quirk_summary_only_and_names_with_spaces() {
    let evs = events("real/004-sapcc-kmsg-oomkill-lines-cgroupfs-systemd.log");
    assert_eq!(evs.len(), 2);
    assert_eq!(evs[1].killed[0].evidence, Evidence::Summary);
    assert_eq!(
        evs[1].summary.as_ref().unwrap().mems_allowed.as_log_str(),
        Some("0")
    );
    let e = one("real/037-photon-vmwarelog-guest-iso-prio-memcg-truncated.log");
    let names: Vec<&str> = e.tasks.rows.iter().map(|r| r.name.as_log_str()).collect();
    assert_eq!(names, ["pause", "npm start", "sh", "node"]);
}

#[test]
fn endings_without_a_kill() {
    use std::io::Cursor;
    let log = "[ 10.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n\
               [ 10.0] Mem-Info:\n[ 10.0] 100 pages RAM\n\
               [ 10.1] Out of memory and no killable processes...\n";
    let s = oomlens::pipeline::scan_reader("t", Cursor::new(log), None, &crate::util::opts());
    assert_eq!(s.events.to_vec().unwrap().len(), 1);
    assert_eq!(
        s.events.to_vec().unwrap()[0].ending,
        Some(Ending::NoKillableProcess)
    );
    assert!(s.events.to_vec().unwrap()[0].complete);
}

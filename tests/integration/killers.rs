//! Issue 17, who killed it: every kill of the real userspace-killer samples
//! (`samples/userspace/`, sources in its README) with its killer, victim, rule and
//! lines, checked by hand against each log; systemd's unit lines on the kernel's events;
//! and no userspace line read as a kernel kill.

use oomlens::event::{Killer, OomEvent, Reporter, Rule, UnitFacts, UserKill};

use crate::util::{cmd, events, opts_with, sample, scan};

fn user(e: &OomEvent) -> &UserKill {
    e.userspace.as_deref().expect("a userspace kill")
}

fn unit(e: &OomEvent) -> &UnitFacts {
    e.unit.as_deref().expect("unit facts")
}

fn rule(e: &OomEvent) -> &Rule {
    &user(e).decision.as_ref().expect("a rule").rule
}

fn rule_line(e: &OomEvent) -> u64 {
    user(e).decision.as_ref().expect("a rule").line
}

fn s(x: &Option<oomlens::text::LogString>) -> Option<&str> {
    x.as_ref().map(|v| v.as_log_str())
}

#[test]
fn systemd_oomd_pressure_kill_names_the_cgroup_the_rule_and_the_unit() {
    let ev = events("userspace/001-systemd-oomd-kitty-fedora-pressure-journal.log");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e.killer, Killer::SystemdOomd);
    assert!(e.killed.is_empty(), "the kernel killed nothing");
    let u = user(e);
    assert_eq!(
        s(&u.target),
        Some(
            "/user.slice/user-1000.slice/user@1000.service/app.slice/app-kitty-47f7730eb1474ba3848f1b5d6135a33f.scope"
        )
    );
    assert_eq!(
        rule(e),
        &Rule::MemoryPressure {
            cgroup: Some("/user.slice/user-1000.slice/user@1000.service".into()),
            pressure_pct: Some(77.97),
            limit_pct: Some(50.0),
            duration: Some("20s".into()),
        }
    );
    assert_eq!(rule_line(e), 2);
    let f = unit(e);
    assert_eq!(
        f.unit.as_log_str(),
        "app-kitty-47f7730eb1474ba3848f1b5d6135a33f.scope"
    );
    assert_eq!(
        (f.by, f.processes, f.lines.clone()),
        (Killer::SystemdOomd, Some(65), vec![3])
    );
}

#[test]
fn systemd_oomd_swap_kills_each_with_its_numbers() {
    let ev = events("userspace/003-systemd-oomd-swap-four-kills-gnome-journal.log");
    assert_eq!(ev.len(), 4);
    assert!(ev.iter().all(|e| e.killer == Killer::SystemdOomd));
    let lines: Vec<u64> = ev.iter().map(|e| e.source.first_line).collect();
    assert_eq!(lines, [1, 2, 3, 4]);
    assert_eq!(
        s(&user(&ev[1]).target),
        Some(
            "/user.slice/user-1000.slice/user@1000.service/session.slice/org.gnome.Shell@wayland.service"
        )
    );
    assert_eq!(
        rule(&ev[0]),
        &Rule::SwapUsed {
            memory_used_bytes: Some(16109408256),
            memory_total_bytes: Some(16474247168),
            swap_used_bytes: Some(1982627840),
            swap_total_bytes: Some(2147479552),
            limit_pct: Some(90.0),
        }
    );
}

#[test]
fn systemd_oomd_cut_kill_line_takes_its_reason_from_the_debug_line() {
    let ev =
        events("userspace/005-systemd-oomd-v249dev-testsuite-attempting-kill-signal-result.log");
    assert_eq!(ev.len(), 1, "one cgroup kill of two processes");
    let e = &ev[0];
    let u = user(e);
    assert!(u.cut);
    let pids: Vec<u32> = u.tasks.iter().map(|t| t.pid).collect();
    assert_eq!(pids, [63, 66]);
    assert_eq!(rule_line(e), 1);
    assert!(
        matches!(rule(e), Rule::MemoryPressure { pressure_pct: Some(p), limit_pct: Some(l), .. } if *p == 64.15 && *l == 1.0)
    );
    let f = unit(e);
    assert_eq!(f.unit.as_log_str(), "testsuite-55-testbloat.service");
    // Before v251 an oomd kill ends a service with result 'signal'.
    assert_eq!(s(&f.result), Some("signal"));
    assert_eq!(f.lines, [5, 6, 7]);
}

#[test]
fn systemd_oomd_unit_notices_alone_are_kills_of_their_units() {
    let ev = events("userspace/007-systemd-oomd-ubuntu2404-unit-notices-some-processes.log");
    assert_eq!(ev.len(), 10);
    assert!(ev.iter().all(|e| e.killer == Killer::SystemdOomd));
    assert_eq!(
        unit(&ev[4]).unit.as_log_str(),
        "org.gnome.Shell@x11.service"
    );
    assert_eq!(unit(&ev[5]).processes, Some(2));
    assert!(ev.iter().all(|e| user(e).decision.is_none()));
}

#[test]
fn systemd_oomd_v247_kill_has_its_rule_and_no_victim() {
    let ev = events("userspace/009-systemd-oomd-v248rc-greater-than-no-victim-named-podman.log");
    assert_eq!(ev.len(), 1);
    assert_eq!(user(&ev[0]).target, None);
    assert_eq!(
        rule(&ev[0]),
        &Rule::MemoryPressure {
            cgroup: Some("/user.slice/user-1000.slice/user@1000.service".into()),
            pressure_pct: None,
            limit_pct: Some(10.0),
            duration: Some("10s".into()),
        }
    );
}

#[test]
fn systemd_oomd_rule_met_without_a_kill_is_no_event() {
    assert!(
        events("userspace/061-systemd-oomd-v261-oomrules-conditions-met-no-kill.log").is_empty()
    );
}

#[test]
fn earlyoom_kills_by_badness_with_its_limits_and_memory() {
    let ev = events("userspace/011-earlyoom-v16-journal-two-sigterm-code-electron.log");
    assert_eq!(ev.len(), 2);
    type Kill = (Option<u32>, Option<i64>, Option<u64>, u64, u64);
    let got: Vec<Kill> = ev
        .iter()
        .map(|e| {
            let u = user(e);
            (
                u.pid,
                u.badness,
                u.rss_kb,
                rule_line(e),
                u.memory.as_ref().unwrap().line,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (Some(57834), Some(866), Some(5 * 1024), 3, 2),
            (Some(57192), Some(801), Some(54 * 1024), 7, 6)
        ]
    );
    let u = user(&ev[0]);
    assert_eq!(
        (s(&u.comm), u.uid, s(&u.signal)),
        (Some("code"), Some(1000), Some("SIGTERM"))
    );
    assert_eq!(
        rule(&ev[0]),
        &Rule::BelowLimits {
            signal: "SIGTERM".into(),
            mem_pct: Some(5.0),
            swap_pct: Some(40.0)
        }
    );
}

#[test]
fn earlyoom_escalation_to_sigkill_is_its_last_signal() {
    let ev = events("userspace/013-earlyoom-v13rc1-stdout-escalating-to-sigkill.log");
    assert_eq!(ev.len(), 1, "the banner lines are configuration, not kills");
    let u = user(&ev[0]);
    assert_eq!((u.pid, s(&u.comm)), (Some(12006), Some("python3")));
    assert_eq!(s(&u.signal), Some("SIGKILL"));
    assert_eq!(u.escalated_after_s, Some(2.4));
    assert_eq!(u.rss_kb, Some(2891 * 1024));
    assert_eq!((ev[0].source.first_line, rule_line(&ev[0])), (17, 16));
}

#[test]
fn earlyoom_v12_repeated_sigterms_are_one_event_each() {
    let ev = events("userspace/015-earlyoom-v12dev-killing-process-with-signal-15-repeated.log");
    let lines: Vec<u64> = ev.iter().map(|e| e.source.first_line).collect();
    assert_eq!(lines, [6, 9, 12, 15, 18]);
    assert!(
        ev.iter()
            .all(|e| user(e).pid == Some(5874) && s(&user(e).signal) == Some("SIGTERM"))
    );
    assert_eq!(user(&ev[4]).rss_kb, Some(3210 * 1024));
    assert_eq!(rule_line(&ev[0]), 4);
}

#[test]
fn earlyoom_sigterm_then_kernel_kill_of_the_same_pid_are_two_linked_events() {
    let ev = events("userspace/017-earlyoom-v13pre-sigterm-blocked-kernel-oom-killed-same-pid.log");
    assert_eq!(ev.len(), 2);
    let eo = ev.iter().find(|e| e.killer == Killer::Earlyoom).unwrap();
    let k = ev.iter().find(|e| e.killer == Killer::Kernel).unwrap();
    assert_eq!(user(eo).pid, Some(27541));
    assert_eq!(user(eo).kernel_kill_line, Some(11));
    assert_eq!(k.killed[0].pid, 27541);
    assert!(k.userspace.is_none());
    assert_eq!(k.attempts.len(), 1);
    assert_eq!(
        (k.attempts[0].killer, k.attempts[0].line),
        (Killer::Earlyoom, 5)
    );
}

#[test]
fn earlyoom_v12_journal_kill_line() {
    let ev = events("userspace/019-earlyoom-v12-journal-grep-killing-process-tail.log");
    assert_eq!(ev.len(), 1);
    let u = user(&ev[0]);
    assert_eq!(
        (u.pid, s(&u.comm), u.badness, u.rss_kb),
        (Some(24059), Some("tail"), Some(997), Some(4278 * 1024))
    );
}

#[test]
fn meta_oomd_detector_and_action() {
    let ev = events("userspace/021-oomd-fb-ubuntu1910-pressure-above-kill-chain-journal.log");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].killer, Killer::Oomd);
    assert_eq!(
        rule(&ev[0]),
        &Rule::PressureAbove {
            pressure: Some(7.08),
            threshold: Some(5.0),
            duration_s: Some(5),
            usage_mb: Some(7345),
            ruleset: None,
            action: Some("kill_by_memory_size_or_growth".into()),
        }
    );
}

#[test]
fn nohang_kills_with_signal_victim_and_thresholds() {
    let ev =
        events("userspace/023-nohang-2019git-journal-send-sigterm-to-the-victim-ru-locale.log");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].killer, Killer::Nohang);
    assert_eq!(s(&user(&ev[0]).signal), Some("SIGTERM"));
    // From its memory status before the action (line 2) to the action (line 6).
    assert_eq!((ev[0].source.first_line, ev[0].source.last_line), (2, 6));

    let ev = events("userspace/025-nohang-stdout-soft-action-run-command-kill-term.log");
    assert_eq!(ev.len(), 1);
    let u = user(&ev[0]);
    assert_eq!(
        (u.pid, s(&u.comm), u.badness, s(&u.signal)),
        (Some(12297), Some("tail"), Some(727), Some("SIGTERM"))
    );
    assert!(
        matches!(rule(&ev[0]), Rule::Thresholds { level, mem_mib: Some(m), mem_limit_mib: Some(l), .. } if level.as_log_str() == "soft" && *m == 0.0 && *l == 982.0)
    );
}

#[test]
fn talos_controller_kills_a_pod_cgroup_not_the_kernel() {
    let ev = events("userspace/027-talos-oomcontroller-v112-dmesg-sigkill-cgroup-deleted-pod.log");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].killer, Killer::TalosOomController);
    assert_eq!(
        s(&user(&ev[0]).target),
        Some("/sys/fs/cgroup/kubepods/burstable/pod77f06c5c-4593-43e9-b970-987f6ecb825b")
    );
}

#[test]
fn lmkd_android_9_kills_take_size_and_rule_from_their_second_line() {
    // Android 8–9 lmkd logs under the driver's tag; the uid says it is lmkd. The first
    // line of the excerpt is a second line whose kill grep cut off: no kill.
    let ev = events("userspace/073-lmkd-android9-logcat-grep-killing-uid-adj-medium-pressure.log");
    type Kill = (Option<u32>, Option<u32>, Option<i32>, Option<u64>, Vec<u64>);
    let got: Vec<Kill> = ev
        .iter()
        .map(|e| {
            assert_eq!(e.killer, Killer::Lmkd);
            let u = user(e);
            (u.pid, u.uid, u.oom_score_adj, u.rss_kb, u.lines.clone())
        })
        .collect();
    assert_eq!(
        got,
        [
            (Some(12336), Some(10017), Some(902), Some(47396), vec![5, 7]),
            (
                Some(13357),
                Some(10014),
                Some(900),
                Some(65296),
                vec![9, 11]
            ),
            (
                Some(13480),
                Some(10017),
                Some(800),
                Some(108376),
                vec![13, 15]
            ),
            (
                Some(13568),
                Some(10017),
                Some(900),
                Some(108936),
                vec![17, 19]
            ),
            (
                Some(13513),
                Some(10017),
                Some(900),
                Some(61484),
                vec![21, 23]
            ),
            (
                Some(13315),
                Some(10014),
                Some(800),
                Some(82376),
                vec![25, 27]
            ),
        ]
    );
    assert_eq!(
        s(&user(&ev[1]).comm),
        Some("com.google.android.katniss:interactor")
    );
    assert!(
        matches!(rule(&ev[0]), Rule::Lmkd { reason, oom_score_adj: Some(902) }
            if reason.as_log_str() == "system is under medium memory pressure oom_adj 800")
    );
    assert_eq!(rule_line(&ev[0]), 7);
}

#[test]
fn lmkd_kills_with_adj_rss_and_reason() {
    let ev =
        events("userspace/049-lmkd-emulator-four-kills-min-watermark-am-kill-clear-data-trap.log");
    let got: Vec<(Option<u32>, Option<i32>, Option<u64>)> = ev
        .iter()
        .map(|e| (user(e).pid, user(e).oom_score_adj, user(e).rss_kb))
        .collect();
    assert_eq!(
        got,
        [
            (Some(3946), Some(100), Some(266188)),
            (Some(3739), Some(0), Some(303608)),
            (Some(2880), Some(0), Some(193504)),
            (Some(5126), Some(0), Some(179924))
        ],
        "the am_kill of a data wipe is not a memory kill"
    );
    assert!(
        matches!(rule(&ev[0]), Rule::Lmkd { reason, .. } if reason.as_log_str() == "min watermark is breached even after kill")
    );
    let ev =
        events("userspace/051-lmkd-unit-test-emulator-logged-kills-low-watermark-swap-low.log");
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (user(&ev[0]).pid, user(&ev[0]).swap_kb),
        (Some(6870), Some(90208))
    );
    let ev = events(
        "userspace/053-lmkd-aaos14-kill-anon-rss-dmabuf-fields-zygote-signal-9-unverified.log",
    );
    assert_eq!(
        (user(&ev[0]).pid, user(&ev[0]).rss_kb),
        (Some(17757), Some(4445960))
    );
}

#[test]
fn kubelet_eviction_names_the_pod_and_the_resource() {
    let ev =
        events("userspace/063-kubelet-eviction-structured-klog-prefix-elided-blog-ephemeral.log");
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].killer, Killer::KubeletEviction);
    assert_eq!(s(&user(&ev[0]).target), Some("default/mysql"));
    assert_eq!(
        rule(&ev[0]),
        &Rule::Eviction {
            resource: "ephemeral-storage".into()
        }
    );
    assert_eq!(
        (rule_line(&ev[0]), user(&ev[0]).lines.last()),
        (5, Some(&7))
    );
}

#[test]
fn kernel_kills_name_the_unit_systemd_reports() {
    let ev = events("userspace/029-kernel-global-oom-mariadb-systemd-oom-kill-result-report.log");
    assert_eq!(ev.len(), 1);
    let f = unit(&ev[0]);
    assert_eq!(f.unit.as_log_str(), "mariadb.service");
    assert_eq!(s(&f.result), Some("oom-kill"));
    assert_eq!(f.restart_counter, None);
    assert_eq!(f.lines, [7, 8, 9]);

    let ev = events("userspace/037-kernel-memcg-oom-systemd-run-user-unit-oom-kill-elided.log");
    assert_eq!(ev.len(), 1);
    let f = unit(&ev[0]);
    assert_eq!(
        f.unit.as_log_str(),
        "run-u820.service",
        "the leaf, not its parent"
    );
    assert_eq!(
        f.ancestors,
        ["user@1000.service".into()] as [oomlens::text::LogString; 1]
    );
    assert_eq!(s(&f.result), Some("oom-kill"));

    // The real sample of an AKS node: the kernel's report and the container's scope.
    let ev = events("real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log");
    let f = ev.iter().find_map(|e| e.unit.as_deref()).expect("a unit");
    assert_eq!(
        f.unit.as_log_str(),
        "cri-containerd-25a38b5b8d556d7983d975577f5ac75ebbcfb4b269e6deaa0a0440c1ffc969ca.scope"
    );
}

#[test]
fn slice_notices_without_kernel_lines_count_each_kill_once() {
    let ev =
        events("userspace/031-kernel-oom-slices-notices-misattributed-to-systemd-oomd-rfc3339.log");
    let got: Vec<(&str, Vec<&str>)> = ev
        .iter()
        .map(|e| {
            assert_eq!(
                e.killer,
                Killer::Kernel,
                "systemd's notice means a kernel kill"
            );
            assert_eq!(user(e).reporter, Some(Reporter::Systemd));
            let f = unit(e);
            (
                f.unit.as_log_str(),
                f.ancestors.iter().map(|a| a.as_log_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("user@1021.service", vec!["user-1021.slice", "user.slice"]),
            ("system-postgresql.slice", vec!["system.slice"])
        ]
    );
}

#[test]
fn no_userspace_killer_sample_yields_a_kernel_report() {
    for e in std::fs::read_dir(sample("userspace")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let side: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let log = p.with_extension("log");
        let evs = scan(&log, &crate::util::opts()).events.to_vec().unwrap();
        let kernel_lines = evs
            .iter()
            .filter(|e| e.killer == Killer::Kernel && e.userspace.is_none())
            .count();
        let stated = side["kills"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| {
                k["killer"] == "kernel"
                    && k["reason"].as_str().is_some_and(|r| r.contains("memory"))
            })
            .count();
        if side["killer"] != "kernel" {
            assert_eq!(
                kernel_lines,
                0,
                "{}: a kernel event from a userspace log",
                log.display()
            );
        } else {
            assert!(kernel_lines <= stated.max(1), "{}", log.display());
        }
        // The negatives: exit code 137, TaskOOM storms.
        if side["kills"].as_array().unwrap().is_empty()
            && side["unit_results"].as_array().unwrap().is_empty()
        {
            assert!(evs.is_empty(), "{}: {evs:?}", log.display());
        }
    }
}

#[test]
fn the_fast_path_reads_every_userspace_sample_as_every_line_does() {
    for e in std::fs::read_dir(sample("userspace")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "log") {
            continue;
        }
        let fast = scan(&p, &opts_with(64 * 1024, false))
            .events
            .to_vec()
            .unwrap();
        let every = scan(&p, &opts_with(64 * 1024, true))
            .events
            .to_vec()
            .unwrap();
        assert_eq!(fast, every, "{}", p.display());
    }
}

#[test]
fn killer_filter_and_summary_count_per_killer() {
    let out = cmd()
        .args(["--year", "2026", "--format", "json", "--killer", "earlyoom"])
        .arg(sample(
            "userspace/017-earlyoom-v13pre-sigterm-blocked-kernel-oom-killed-same-pid.log",
        ))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let evs = v["events"].as_array().unwrap();
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0]["killer"], "earlyoom");
    assert_eq!(evs[0]["userspace"]["kernel_involved"], true);
    assert_eq!(v["summary"]["killers"][0]["key"], "earlyoom");
    assert_eq!(v["summary"]["filtered_out"], 1);

    let out = cmd()
        .args(["--year", "2026", "--color", "never"])
        .arg(sample(
            "userspace/011-earlyoom-v16-journal-two-sigterm-code-electron.log",
        ))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Killers   earlyoom (2)"), "{text}");
    assert!(
        text.contains("The kernel's OOM killer was not involved: earlyoom killed it"),
        "{text}"
    );
    assert!(
        !text.contains("had the highest badness"),
        "no kernel ranking: {text}"
    );

    let bad = cmd().args(["--killer", "nobody", "-"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_killers_names_cannot_inject_into_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("eo.log");
    std::fs::write(
        &p,
        "Oct 07 19:16:10 h earlyoom[1]: low memory! at or below SIGTERM limits: mem  5.00%, swap 40.00%\n\
         Oct 07 19:16:10 h earlyoom[1]: sending SIGTERM to process 7 uid 1000 \"x\u{1b}[31m|<b>`\": badness 866, VmRSS 5 MiB\n",
    )
    .unwrap();
    for (format, bad) in [("table", "\u{1b}"), ("markdown", "|<b>"), ("html", "<b>")] {
        let out = cmd()
            .args(["--year", "2026", "--color", "never", "--format", format])
            .arg(&p)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("earlyoom"), "{format}: {text}");
        assert!(!text.contains(bad), "{format}: {text}");
    }
}

/// A binary journal read in process keeps the killers' and systemd's entries, not only
/// the kernel's: the same kill as the text log of those lines.
#[test]
fn a_journal_file_gives_the_userspace_kill_and_its_unit() {
    let ev = events("journal/systemd-oomd-001.journal");
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e.killer, Killer::SystemdOomd);
    assert_eq!(s(&e.host), Some("fedora"));
    let text = events("userspace/001-systemd-oomd-kitty-fedora-pressure-journal.log");
    assert_eq!(user(e).target, user(&text[0]).target);
    assert_eq!(rule(e), rule(&text[0]));
    let f = unit(e);
    assert_eq!(
        (f.unit.as_log_str(), f.processes),
        ("app-kitty-47f7730eb1474ba3848f1b5d6135a33f.scope", Some(65))
    );
}

/// Android's old in-kernel lowmemorykiller driver: each four-line printk is one kill, by
/// the driver's minfree rule, with its numbers; not the kernel's OOM killer.
#[test]
fn android_lmk_driver_kills_by_its_minfree_rule() {
    let ev = events("userspace/065-android-lmk-kernel-dmesg-c-tv-bootanimation-seven-kills.log");
    assert!(ev.iter().all(|e| e.killer == Killer::AndroidLmkKernel));
    assert!(ev.iter().all(|e| e.killed.is_empty()), "no kernel OOM kill");
    let got: Vec<(Option<u32>, Option<u64>, Option<i32>)> = ev
        .iter()
        .map(|e| (user(e).pid, user(e).rss_kb, user(e).oom_score_adj))
        .collect();
    assert_eq!(
        got,
        [
            (Some(2613), Some(20784), Some(1000)),
            (Some(2533), Some(16084), Some(1000)),
            (Some(2235), Some(15372), Some(1000)),
            (Some(2468), Some(15132), Some(1000)),
            (Some(2565), Some(15068), Some(1000)),
            (Some(2510), Some(14920), Some(1000)),
            (Some(2578), Some(22928), Some(764)),
        ],
        "the ps rows between the kills are not kills"
    );
    assert_eq!(s(&user(&ev[6]).comm), Some("android.youtube"));
    assert_eq!(
        rule(&ev[6]),
        &Rule::Minfree {
            cache_kb: Some(25820),
            limit_kb: Some(25904),
            min_adj: Some(529),
            free_kb: Some(14508),
            on_behalf_of: Some("kswapd0".into()),
        }
    );
    let d = user(&ev[0]).decision.as_ref().unwrap();
    assert_eq!(
        (d.text.as_log_str(), d.line),
        (
            "cache 32112kB is below limit 32384kB for oom_score_adj 1000",
            10
        )
    );
    assert_eq!(user(&ev[0]).lines, [8, 9, 10, 11]);
    assert_eq!((ev[6].source.first_line, ev[6].source.last_line), (35, 38));
}

/// The 2.6–3.x driver's one-line `send sigkill to` kills: no rule printed; init (pid 1)
/// "killed" five times is five kill lines.
#[test]
fn android_lmk_driver_send_sigkill_lines_are_kills_without_a_rule() {
    let ev = events("userspace/067-android-lmk-kernel-linux-next-2013-send-sigkill-kills-init.log");
    let got: Vec<(Option<u32>, Option<&str>)> =
        ev.iter().map(|e| (user(e).pid, s(&user(e).comm))).collect();
    assert_eq!(
        got,
        [
            (Some(2948), Some("rsyslogd")),
            (Some(3421), Some("pmcd")),
            (Some(3302), Some("cron")),
            (Some(1), Some("init")),
            (Some(1), Some("init")),
            (Some(1), Some("init")),
            (Some(1), Some("init")),
            (Some(1), Some("init")),
        ]
    );
    assert!(ev.iter().all(|e| e.killer == Killer::AndroidLmkKernel
        && user(e).decision.is_none()
        && user(e).oom_score_adj == Some(0)
        && user(e).rss_kb.is_none()));
    assert_eq!(ev[3].source.first_line, 10);
}

/// The CLI on the driver's sample: its killer's key, and no claim that the kernel's OOM
/// killer chose the victim.
#[test]
fn the_cli_names_the_lmk_driver_and_not_the_kernels_oom_killer() {
    let out = cmd()
        .args([
            "--year",
            "2026",
            "--format",
            "json",
            "--killer",
            "android-lmk-kernel",
        ])
        .arg(sample(
            "userspace/065-android-lmk-kernel-dmesg-c-tv-bootanimation-seven-kills.log",
        ))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let evs = v["events"].as_array().unwrap();
    assert_eq!(evs.len(), 7);
    assert_eq!(evs[0]["userspace"]["kernel_involved"], false);
    assert_eq!(evs[0]["userspace"]["decision"]["rule"]["kind"], "minfree");
    let out = cmd()
        .args(["--year", "2026", "--color", "never"])
        .arg(sample(
            "userspace/065-android-lmk-kernel-dmesg-c-tv-bootanimation-seven-kills.log",
        ))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Killers   android-lmk-kernel (7)"), "{text}");
    assert!(
        text.contains(
            "The kernel's OOM killer was not involved: Android's in-kernel lowmemorykiller driver"
        ),
        "{text}"
    );
    assert!(
        text.contains("“cache 32112kB is below limit 32384kB for oom_score_adj 1000” (line 10)")
    );
}

/// The lab capture (earlyoom 1.7 through rsyslog): the outcome lines reach each kill on
/// the fast path, `kill failed: Timer expired` is a victim that did not exit, and the
/// second SIGTERM escalated to SIGKILL.
#[test]
fn earlyoom_lab_capture_outcomes_attach_to_their_kills() {
    let ev = events(
        "userspace/069-earlyoom-v17-lab-rsyslog-sigterm-exited-then-timer-expired-escalated.log",
    );
    assert_eq!(ev.len(), 3);
    let u: Vec<&UserKill> = ev.iter().map(user).collect();
    assert_eq!(
        (
            u[0].pid,
            s(&u[0].signal),
            u[0].exited_after_s,
            u[0].lines.clone()
        ),
        (Some(14933), Some("SIGTERM"), Some(0.5), vec![11, 12])
    );
    assert_eq!(
        (
            u[1].pid,
            u[1].did_not_exit,
            s(&u[1].failed),
            u[1].lines.clone()
        ),
        (Some(15091), true, Some("Timer expired"), vec![23, 24])
    );
    assert_eq!(
        (
            s(&u[2].signal),
            u[2].escalated_after_s,
            u[2].exited_after_s,
            u[2].rss_kb,
            u[2].badness
        ),
        (
            Some("SIGKILL"),
            Some(1.5),
            Some(2.0),
            Some(5592 * 1024),
            Some(1121)
        )
    );
    assert_eq!(
        u[2].memory.as_ref().map(|m| (m.line, m.mem_pct)),
        Some((25, Some(71.19)))
    );
    assert_eq!(rule_line(&ev[2]), 26);
    assert_eq!(s(&ev[0].host), Some("vm"));

    let ev = events("userspace/071-earlyoom-v17-lab-stderr-timer-expired-escalated-to-sigkill.log");
    assert_eq!(ev.len(), 2);
    assert!(user(&ev[0]).did_not_exit);
    assert_eq!(
        (user(&ev[1]).escalated_after_s, user(&ev[1]).exited_after_s),
        (Some(1.5), Some(2.0))
    );

    // The CLI path (fast prefilter) says so too.
    let out = cmd()
        .args(["--year", "2026", "--format", "json"])
        .arg(sample(
            "userspace/069-earlyoom-v17-lab-rsyslog-sigterm-exited-then-timer-expired-escalated.log",
        ))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["events"][0]["userspace"]["exited_after_s"], 0.5);
    assert_eq!(v["events"][1]["userspace"]["did_not_exit"], true);
}

/// nohang's victim RSS, its memory status before the action (2019 builds) and the swap
/// half of its threshold block reach the kill on the fast path.
#[test]
fn nohang_kill_has_its_rss_status_and_swap_threshold() {
    let ev =
        events("userspace/023-nohang-2019git-journal-send-sigterm-to-the-victim-ru-locale.log");
    assert_eq!(ev.len(), 1);
    let u = user(&ev[0]);
    assert_eq!(u.rss_kb, Some(3268608));
    let m = u.memory.as_ref().unwrap();
    assert_eq!(
        (m.line, m.mem_avail_mib, m.swap_free_mib),
        (2, Some(1574.5), Some(546.0))
    );
    assert_eq!(u.lines, [2, 3, 6]);

    let ev = events("userspace/025-nohang-stdout-soft-action-run-command-kill-term.log");
    assert_eq!(ev.len(), 1);
    assert!(
        matches!(rule(&ev[0]), Rule::Thresholds { swap_mib: Some(w), swap_limit_mib: Some(l), .. } if *w == 2163.0 && *l == 2210.0)
    );
    // The status after the action (line 18) is not the memory the kill saw.
    assert_eq!(user(&ev[0]).memory, None);
}

/// `kubectl describe`'s `(x4 over 25m)`: one event that counts four system OOMs.
#[test]
fn kubelet_event_counts_are_kept() {
    let ev = events("userspace/041-kubelet-k3s-describe-node-systemoom-events-aggregated.log");
    assert_eq!(ev.len(), 1);
    let u = user(&ev[0]);
    assert_eq!((u.count, s(&u.repeated)), (Some(4), Some("x4 over 25m")));
}

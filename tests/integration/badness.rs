//! The rebuilt oom_badness ranking against what the kernel itself printed: its
//! `score S` lines, and which task it killed.

use oomlens::analysis::badness::{
    Decider, Exempt, Factor, Finding, Margin, Measure, MemcgSwap, ScoreVerdict, TaskRef, TotalBasis,
};
use oomlens::analysis::{AllocationKind, Badness, FreeButFailed};
use oomlens::render::vocab;
use oomlens::report::Report;
use oomlens::text::OptionLogStr;

use crate::util::{report, sample};

fn report_of(rel: &str) -> Report {
    report(&[sample(rel)])
}

fn badness(rel: &str) -> Vec<Badness> {
    report_of(rel)
        .event_list()
        .into_iter()
        .filter_map(|e| e.analysis.badness)
        .collect()
}

#[test]
fn printed_scores_are_reproduced_exactly() {
    // Every corpus event with a `score S` line whose task row and totals are in the log.
    let cases = [
        // 4.x global: RAM − reserved + swap, nr_ptes + nr_pmds, no adj.
        (
            "real/024-askubuntu-oomlog-journal-4.x-condensed.log",
            0,
            4358,
            701,
        ),
        // 4.8 docker memcg: limit + memory+swap room; root in a container has no
        // CAP_SYS_ADMIN, so no root discount.
        (
            "real/003-cadvisor-docker-two-ooms-4.8-kmsgbody.log",
            0,
            1381,
            1046,
        ),
        (
            "real/003-cadvisor-docker-two-ooms-4.8-kmsgbody.log",
            1,
            1667,
            1003,
        ),
    ];
    for (rel, i, pid, printed) in cases {
        let b = &badness(rel)[i];
        let check = b.kernel_score.as_ref().unwrap();
        assert_eq!((check.pid, check.printed), (pid, printed), "{rel}");
        assert_eq!(
            check.reconstructed,
            Some(printed as i64),
            "{rel}: {:?}",
            check.verdict
        );
        assert_eq!(check.matches, Some(true));
        let r = b.ranking.iter().find(|r| r.pid == pid).unwrap();
        assert_eq!(r.score, Some(printed as i64));
        assert_eq!(r.rank, Some(1));
    }
    let b = &badness("real/024-askubuntu-oomlog-journal-4.x-condensed.log")[0];
    assert_eq!(b.totalpages, Some(4069095));
    assert!(b.totalpages_exact);
    assert_eq!(b.ranking[0].points, Some(2853781));
}

#[test]
fn totalpages_assumptions_are_named() {
    // 003: the machine's swap size is not in the log; the memcg's swap room is.
    let b = &badness("real/003-cadvisor-docker-two-ooms-4.8-kmsgbody.log")[0];
    assert_eq!(b.totalpages, Some(10240));
    assert!(!b.totalpages_exact);
    assert!(
        matches!(
            b.totalpages_basis,
            TotalBasis::Memcg {
                swap: MemcgSwap::RoomOnly { .. },
                pages: 10240,
                ..
            }
        ),
        "{:?}",
        b.totalpages_basis
    );
    // 001: unlimited memory+swap and no swap size: the printed score pins totalpages.
    let b = &badness("real/001-cadvisor-memcg-v1-mem2-syslog.log")[0];
    let check = b.kernel_score.as_ref().unwrap();
    assert_eq!(check.matches, Some(false));
    assert_eq!(
        check.verdict,
        ScoreVerdict::DiffersAssumed {
            rebuilt: check.reconstructed.unwrap(),
            implied: Some((8366035, 8374433))
        }
    );
}

#[test]
fn old_normalised_scores_are_lower_bounds() {
    // RHEL 6 tables print neither swap nor page tables.
    let b = &badness("real/017-cnnote-rhel6-global-tail-truncated.log")[0];
    assert_eq!(b.totalpages, Some(513532));
    let check = b.kernel_score.as_ref().unwrap();
    assert_eq!(
        (check.reconstructed, check.printed, check.matches),
        (Some(851), 853, None)
    );
    assert_eq!(check.verdict, ScoreVerdict::BoundConsistent(851));
    // Every apache2 scores the 1000 cap; the first row wins the tie.
    let b = &badness("real/011-lkml-azurit-memcg-nested-elided-syslog.log")[0];
    let tie = b
        .findings
        .iter()
        .find_map(|f| match f {
            Finding::CappedTie(t) => Some(t),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{:?}", b.findings));
    assert_eq!(tie.name, "apache2");
}

#[test]
fn the_kernel_killed_the_top_of_every_lab_ranking() {
    let mut n = 0;
    for file in [
        "single.kmsg",
        "adj.kmsg",
        "nested.kmsg",
        "many.kmsg",
        "preferred.dmesg",
        "repeat.dmesg",
        "shmem.dmesg",
    ] {
        let scenario = file;
        for r in report_of(&format!("lab/{file}")).event_list() {
            let b = r.analysis.badness.as_ref().unwrap();
            let victim = r.event.victim().unwrap().pid;
            assert_eq!(
                b.ranking[0].pid, victim,
                "{scenario} #{}: {:?}",
                r.id, b.findings
            );
            assert_eq!(b.victim_rank, Some(1));
            n += 1;
        }
    }
    assert_eq!(n, 29);
}

#[test]
fn real_rankings_put_the_victim_first() {
    let mut n = 0;
    for rel in [
        "real/007-lstoakes-global-5.10-next-dmesg-truncated-lines.log",
        "real/008-rpi-zero2w-aarch64-6.12-global-notimestamps.log",
        "real/022-docker-forkbomb-kmem-two-global-ooms-5.4-dmesgT.log",
        "real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log",
        "real/005-harvester-kubevirt-memcg-journal-sle15sp4.log",
    ] {
        for r in report_of(rel)
            .event_list()
            .iter()
            .filter(|r| r.event.victim().is_some())
        {
            let b = r.analysis.badness.as_ref().unwrap();
            assert_eq!(b.victim_rank, Some(1), "{rel}: {:?}", b.findings);
            n += 1;
        }
    }
    // 007, 008, 025 and 005 one victim each (005's from its oom-kill: line), 022 two.
    assert_eq!(n, 6);
}

#[test]
fn findings_name_the_deciding_factor() {
    let adj = report_of("lab/adj.kmsg").event_list();
    let b = adj[0].analysis.badness.as_ref().unwrap();
    let batch = |name: &str, pid| TaskRef {
        pid,
        name: name.into(),
        line: None,
    };
    assert_eq!(
        b.decider,
        Decider {
            factor: Factor::AdjOutweighed(800),
            group_kill: false
        }
    );
    assert_eq!(
        b.findings,
        [
            Finding::Highest {
                task: batch("batch-worker", 15519),
                points: 42772,
                measure: Measure::Pages {
                    memory: 10772,
                    rss: 10741,
                    swap: 0,
                    pgtables: 31,
                    adj_points: 32000,
                    oom_score_adj: 800,
                    root_discount: 0,
                }
            },
            Finding::AdjPutFirst {
                memory_rank: 3,
                oom_score_adj: 800
            },
            Finding::RunnerUp {
                task: batch("api-server", 15520),
                points: 15943,
                margin: Margin {
                    points: 26829,
                    kb: Some(26829 * 4),
                    percent: Some(26829.0 * 100.0 / 15943.0)
                }
            },
        ]
    );
    // The words for these facts (the terminal, Markdown and JSON all use them).
    assert_eq!(
        vocab::explanation(b).term(),
        "batch-worker (pid 15519) had the highest badness: 42,772 points — 10,772 from memory \
         (rss 10,741 + page tables 31 pages) and +32,000 from oom_score_adj=800. By memory alone it \
         was 3rd; its oom_score_adj=800 put it first. Runner-up: api-server (pid 15520) at 15,943 \
         points; margin 26,829 pages, 105 MiB, 168 %."
    );
    // 022: oom_score_adj=1 on a 126 GiB machine is worth 32,980 pages; the biggest task is exempt.
    let fb = report_of("real/022-docker-forkbomb-kmem-two-global-ooms-5.4-dmesgT.log").event_list();
    let b = fb[0].analysis.badness.as_ref().unwrap();
    assert!(
        matches!(
            b.findings[0],
            Finding::Highest {
                measure: Measure::Pages {
                    adj_points: 32980,
                    oom_score_adj: 1,
                    root_discount: 0,
                    ..
                },
                ..
            }
        ),
        "{:?}",
        b.findings
    );
    assert_eq!(
        b.findings[1],
        Finding::AdjPutFirst {
            memory_rank: 56,
            oom_score_adj: 1
        }
    );
    // multipathd (17.5 MiB) is exempt, but dockerd (154 MiB, oom_score_adj=-500) is the
    // largest task, and it could be chosen.
    assert!(
        !b.findings
            .iter()
            .any(|f| matches!(f, Finding::LargestExempt { .. })),
        "{:?}",
        b.findings
    );
    // 020: the kernel sacrificed a child; the victim's kill line is the evidence.
    let sc = report_of("real/020-emqx-rhel6-sacrifice-child-two-ooms-dmesg.log").event_list();
    let b = sc[0].analysis.badness.as_ref().unwrap();
    assert_eq!(
        b.findings[0],
        Finding::ChildSacrificed {
            selected: batch("beam.smp", 16929),
            score: Some(580),
            victim: TaskRef {
                pid: 28364,
                name: "sh".into(),
                line: Some(3)
            },
        }
    );
    assert_eq!(
        b.decider.factor,
        Factor::ChildOfSelected(batch("beam.smp", 16929))
    );
}

#[test]
fn exempt_tasks_are_never_ranked() {
    let r = report_of("real/008-rpi-zero2w-aarch64-6.12-global-notimestamps.log").event_list();
    let b = r[0].analysis.badness.as_ref().unwrap();
    let udevd = b.ranking.iter().find(|x| x.pid == 324).unwrap();
    assert_eq!((udevd.rank, udevd.points), (None, None));
    assert_eq!(udevd.exempt, Some(Exempt::AdjMin));
    // pgtables_bytes / 4096 + rss + swap: python 996.
    let py = &b.ranking[0];
    assert_eq!(
        (
            py.pid,
            py.rss_pages,
            py.swap_pages,
            py.pgtables_pages,
            py.points
        ),
        (996, 30557, 31936, 289, Some(62782))
    );
    assert_eq!(b.totalpages, Some(106518 + 106495));
}

#[test]
fn memory_breakdowns() {
    let r = report_of("lab/single.kmsg").event_list();
    let m = r[0].analysis.memory.as_ref().unwrap();
    assert_eq!(
        (m.domain.as_str(), m.total_kb, m.used_kb, m.failcnt),
        ("memcg", Some(65536), Some(65536), Some(960))
    );
    let parts: Vec<(&str, u64)> = m.parts.iter().map(|p| (p.name.as_str(), p.kb)).collect();
    assert_eq!(
        parts,
        [("anon", 65264), ("kernel", 232), ("page_cache", 40)]
    );
    let fb = report_of("real/022-docker-forkbomb-kmem-two-global-ooms-5.4-dmesgT.log").event_list();
    let m = fb[0].analysis.memory.as_ref().unwrap();
    assert_eq!(
        m.free_but_failed,
        Some(FreeButFailed {
            free_percent: m.parts.iter().find(|p| p.name == "free").unwrap().percent,
            cause: Some(AllocationKind::PageFault)
        })
    );
    assert_eq!(
        m.free_but_failed.as_ref().unwrap().free_percent.round(),
        91.0
    );
    let shm = report_of("real/015-cnnotes-rhel8.1-k8s-docker-memcg-notable.log").event_list();
    let m = shm[0].analysis.memory.as_ref().unwrap();
    assert_eq!(m.parts[0].name, "shmem");
    assert_eq!(m.parts[0].percent, 70.6);
    // A real kill on this machine's kernel: 80 MiB of shared memory (memory.stat
    // `shmem 83886080`) in a 128 MiB cgroup, then the next kill once it was freed.
    let lab = report_of("lab/shmem.dmesg").event_list();
    let m = lab[0].analysis.memory.as_ref().unwrap();
    assert_eq!((m.parts[0].name.as_str(), m.parts[0].kb), ("shmem", 81920));
    assert_eq!(m.parts[0].percent, 62.5);
    assert_eq!(
        (
            m.cgroup.as_log_str(),
            m.total_kb,
            m.free_but_failed.as_ref()
        ),
        (Some("/oomlab-shm"), Some(131072), None)
    );
    let m = lab[1].analysis.memory.as_ref().unwrap();
    assert_eq!(m.parts[0].name, "anon");
}

#[test]
fn containers_are_named() {
    let r = report_of("real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log").event_list();
    let c = &r[0].analysis.container.as_ref().unwrap().owner;
    assert_eq!(
        c.pod_uid.as_log_str(),
        Some("5931aa75-4603-4e65-b552-7c71cf55cfb5")
    );
    assert_eq!(c.qos_class.as_deref(), Some("Burstable"));
    assert_eq!(c.runtime.as_deref(), Some("containerd"));
    assert_eq!(
        c.container_id.as_log_str(),
        Some("25a38b5b8d556d7983d975577f5ac75ebbcfb4b269e6deaa0a0440c1ffc969ca")
    );
    let svc =
        report_of("real/019-azure-ama-systemd-service-memcg-5.15-dmesg-grep.log").event_list();
    let c = &svc[0].analysis.container.as_ref().unwrap().owner;
    assert_eq!(c.unit.as_log_str(), Some("azuremonitoragent.service"));
}

#[test]
fn an_exempt_largest_task_is_named() {
    // A variant of the lab capture `adj`: the largest task of the first report,
    // api-server (15,899 pages), gets oom_score_adj=-1000 in its table (the row is
    // printed again, unchanged, in the second report).
    let text = std::fs::read_to_string(sample("lab/adj.messages")).unwrap();
    let row = "[  15520]     0 15520    16991    15899    14560     1339         0   180224        0             0 api-server";
    let exempt = row.replace(
        "        0             0 api-server",
        "        0         -1000 api-server",
    );
    assert_eq!(text.matches(row).count(), 2);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("messages");
    std::fs::write(&file, text.replacen(row, &exempt, 1)).unwrap();
    let r = report(&[file]).event_list();
    let b = r[0].analysis.badness.as_ref().unwrap();
    let exempt = b
        .findings
        .iter()
        .find(|f| matches!(f, Finding::LargestExempt { .. }));
    assert_eq!(
        exempt,
        Some(&Finding::LargestExempt {
            task: TaskRef {
                pid: 15520,
                name: "api-server".into(),
                line: None
            },
            kb: 15899 * 4,
            reason: Exempt::AdjMin
        })
    );
}

/// The words the renderers show for the facts (`render::vocab`), for events that
/// between them cover most findings: adj outweighing memory, a sacrificed child, the
/// 1000-point cap, free RAM at a machine OOM, an assumed totalpages pinned by the
/// printed score, a lower-bound era, the pre-2.6.36 heuristic.
#[test]
fn the_words_for_the_facts() {
    use std::fmt::Write;
    let mut text = String::new();
    for rel in [
        "lab/adj.kmsg",
        "real/020-emqx-rhel6-sacrifice-child-two-ooms-dmesg.log",
        "real/011-lkml-azurit-memcg-nested-elided-syslog.log",
        "real/022-docker-forkbomb-kmem-two-global-ooms-5.4-dmesgT.log",
        "real/001-cadvisor-memcg-v1-mem2-syslog.log",
        "real/017-cnnote-rhel6-global-tail-truncated.log",
        "real/023-ubuntu804-xen-2.6.24era-old-format-syslog.log",
    ] {
        for r in report_of(rel).event_list() {
            writeln!(text, "== {rel} #{}", r.id).unwrap();
            if let Some(b) = &r.analysis.badness {
                writeln!(text, "why: {}", vocab::headline(&b.decider).term()).unwrap();
                writeln!(text, "{}", vocab::explanation(b).term()).unwrap();
                if let Some(k) = &b.kernel_score {
                    writeln!(text, "score: {}", vocab::score_note(k)).unwrap();
                }
                writeln!(text, "formula: {}", vocab::formula(&b.formula)).unwrap();
                writeln!(
                    text,
                    "totalpages: {}",
                    vocab::totalpages_basis(&b.totalpages_basis)
                )
                .unwrap();
            }
            if let Some(m) = &r.analysis.memory {
                writeln!(
                    text,
                    "memory: {}",
                    vocab::memory_summary(m, &r.analysis.cause).term()
                )
                .unwrap();
            }
        }
    }
    insta::assert_snapshot!("words", text);
}

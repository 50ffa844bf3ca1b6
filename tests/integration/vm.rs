//! The vmlab captures (`samples/vm/<suite>/<scenario>/`): real Debian 6.1 and 7.2
//! kernels' OOM reports in three renderings (dmesg, kmsg, busybox syslogd `messages`),
//! against the hand-counted `expect.json` of each scenario: one event per OOM, the
//! distinct tasks killed, group members, and time and host on every event of
//! `messages`. Also where the year of year-less stamps comes from (`time_basis`), and
//! the cause of the issue 14 captures (manual, node over-commit, fragmentation, swap
//! limit, a kmem limit that printed no report) against their `truth.json`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use oomlens::analysis::cause::{CauseKind, CauseScope, Counter, LimitLevel};
use oomlens::event::OomEvent;
use oomlens::record::TimeBasis;
use oomlens::render::{self, Format, RenderOptions, vocab};
use oomlens::text::OptionLogStr;
use serde_json::Value;

use crate::util::{events, opts, report, sample, samples, scan};

fn captures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for suite in std::fs::read_dir(samples().join("vm")).unwrap() {
        let suite = suite.unwrap().path();
        if !suite.is_dir() {
            continue;
        }
        for scen in std::fs::read_dir(&suite).unwrap() {
            let scen = scen.unwrap().path();
            if scen.join("expect.json").exists() {
                out.push(scen);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 8, "samples/vm is incomplete");
    out
}

fn distinct_kills(evs: &[OomEvent]) -> usize {
    evs.iter()
        .map(|e| {
            e.killed
                .iter()
                .map(|k| k.pid)
                .collect::<BTreeSet<_>>()
                .len()
        })
        .sum()
}

#[test]
fn every_rendering_gives_one_event_per_oom_and_its_distinct_kills() {
    let mut failures = Vec::new();
    for dir in captures() {
        let want: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expect.json")).unwrap())
                .unwrap();
        for rendering in ["dmesg", "kmsg", "messages"] {
            let path = dir.join(rendering);
            let evs = scan(&path, &opts()).events.to_vec().unwrap();
            let got = (evs.len() as u64, distinct_kills(&evs) as u64);
            let expected = (
                want["ooms"].as_u64().unwrap(),
                want["distinct_kills"].as_u64().unwrap(),
            );
            if got != expected {
                failures.push(format!(
                    "{}: (events, distinct kills) want {expected:?}, got {got:?}",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn busybox_syslogd_events_keep_time_and_host() {
    // Before: `vmlab kern.warn kernel:` hid both on every event (MEASURED-BEFORE.md).
    for dir in captures() {
        let evs = scan(&dir.join("messages"), &opts())
            .events
            .to_vec()
            .unwrap();
        assert!(!evs.is_empty(), "{}", dir.display());
        for e in &evs {
            assert_eq!(e.host.as_log_str(), Some("vmlab"), "{}", dir.display());
            assert!(e.wall.is_some(), "{}: no time", dir.display());
            assert_eq!(e.time_basis, Some(TimeBasis::YearFromFlag));
        }
    }
    let evs = events("vm/bookworm-6.1.0-50-amd64/a-global-no-swap/messages");
    assert_eq!(
        evs[0].wall.map(|w| w.to_string()).as_deref(),
        Some("2026-12-07T12:12:57")
    );
    // The same kill in dmesg states only the uptime.
    let evs = events("vm/bookworm-6.1.0-50-amd64/a-global-no-swap/dmesg");
    assert_eq!(evs[0].time_basis, Some(TimeBasis::UptimeOnly));
}

#[test]
fn the_year_comes_from_the_stream_before_the_file_date() {
    // real/025: a 2023 AKS syslog whose containerd lines say `2023-10-12`; the
    // file's mtime (the checkout) used to head it with the year of the checkout.
    let no_year = oomlens::pipeline::ScanOptions {
        year: None,
        ..opts()
    };
    let path = sample("real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log");
    let evs = scan(&path, &no_year).events.to_vec().unwrap();
    assert!(!evs.is_empty());
    for e in &evs {
        assert_eq!(e.time_basis, Some(TimeBasis::YearFromStream));
        assert!(e.wall.unwrap().to_string().starts_with("2023-10-12T"));
    }
    // real/202: nothing in the log states the year: assumed, and said so.
    let path =
        sample("real/202-linuxhyperv-jstanley-rhel8.3-4.18-syslog-mail-wrapped-killed-split.log");
    let evs = scan(&path, &no_year).events.to_vec().unwrap();
    assert_eq!(evs[0].time_basis, Some(TimeBasis::YearFromMtime));
    // `--year` wins over both.
    let evs = events("real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log");
    assert_eq!(evs[0].time_basis, Some(TimeBasis::YearFromFlag));
    assert!(evs[0].wall.unwrap().to_string().starts_with("2026-10-12T"));
}

/// One vm capture's cause, checked against what its `truth.json` and its log state
/// (victims read by hand from each `Killed process` line).
struct CauseCase {
    dir: String,
    kind: CauseKind,
    counter: Option<Counter>,
    level: Option<LimitLevel>,
    victim: (u32, &'static str),
}

/// The terminal and Markdown text of every event of `path`, lower-cased.
fn texts(path: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for ev in report(&[path.to_path_buf()]).event_list() {
        for format in [Format::Table, Format::Markdown] {
            let mut buf = Vec::new();
            render::render_event(&ev, format, &RenderOptions::default(), &mut buf).unwrap();
            out.push(String::from_utf8_lossy(&buf).to_lowercase());
        }
    }
    out
}

#[test]
fn issue14_captures_have_the_cause_the_kernel_states() {
    use CauseKind as K;
    // s: SysRq-f (order=-1, CONSTRAINT_NONE); p: /kubepods.slice memory.max 200M with the
    // QoS, pod and container cgroups unlimited; x: order-2 F_SETPIPE_SZ with DMA32 free
    // in 4/8 kB holes only; k: swap.max 50M full (copied from ../shared/corpus/vm).
    let cases = [
        ("bookworm-6.1.0-50-amd64", 104, 111, 105, Some(112)),
        ("sid-7.2.13+deb14-amd64", 115, 121, 115, Some(122)),
        ("bullseye-5.10.0-32-amd64", 90, 97, 90, None),
    ];
    let mut all = Vec::new();
    for (suite, s, p, x, k) in cases {
        let dir = |sc: &str| format!("vm/{suite}/{sc}");
        all.push(CauseCase {
            dir: dir("s-manual-sysrq-f"),
            kind: K::Manual,
            counter: None,
            level: None,
            victim: (s, "big-holder"),
        });
        all.push(CauseCase {
            dir: dir("p-kubepods-node-overcommit"),
            kind: K::MemcgLimit,
            counter: Some(Counter::Memory),
            level: Some(LimitLevel::NodeAllocatable),
            victim: (p, "java"),
        });
        all.push(CauseCase {
            dir: dir("x-fragmentation-order2"),
            kind: K::Fragmentation,
            counter: None,
            level: None,
            victim: (x, "frag-maker"),
        });
        if let Some(k) = k {
            all.push(CauseCase {
                dir: dir("k-memcg-v2-swap-adj"),
                kind: K::SwapLimit,
                counter: Some(Counter::Swap),
                level: Some(LimitLevel::Other),
                victim: (k, "adj-220"),
            });
        }
    }
    for c in &all {
        for rendering in ["dmesg", "kmsg", "messages"] {
            let path = sample(&format!("{}/{rendering}", c.dir));
            let evs = report(std::slice::from_ref(&path)).event_list();
            assert_eq!(evs.len(), 1, "{}", path.display());
            let ev = &evs[0];
            let cause = &ev.analysis.cause;
            assert_eq!(cause.kind, c.kind, "{}", path.display());
            let (counter, level) = match &cause.scope {
                CauseScope::Memcg { counter, level, .. } => (*counter, *level),
                _ => (None, None),
            };
            assert_eq!((counter, level), (c.counter, c.level), "{}", path.display());
            let killed: Vec<(u32, &str)> = ev
                .event
                .killed
                .iter()
                .map(|k| (k.pid, k.comm.as_log_str()))
                .collect();
            assert_eq!(killed, [c.victim], "{}", path.display());
        }
        // No sentence says the machine or a pod's own limit ran out, and a manual OOM
        // is not a failed allocation.
        for text in texts(&sample(&format!("{}/dmesg", c.dir))) {
            let mut never = vec!["machine ran out", "pod's own limit was", "pod limit"];
            if c.kind != K::MemcgLimit {
                never.extend(["ran out of memory", "hit its"]);
            }
            if c.kind == K::Manual {
                never.extend(["could not allocate", "could not satisfy"]);
            }
            for phrase in never {
                assert!(!text.contains(phrase), "{}: {phrase:?} in\n{text}", c.dir);
            }
        }
    }
}

#[test]
fn node_overcommit_names_the_node_allocatable_and_the_victims_pod() {
    let path = sample("vm/bookworm-6.1.0-50-amd64/p-kubepods-node-overcommit/dmesg");
    let evs = report(std::slice::from_ref(&path)).event_list();
    let ev = &evs[0];
    assert_eq!(
        vocab::cause_sentence(&ev.analysis.cause, &ev.event).term(),
        "Node over-commit: the limit of /kubepods.slice was hit (200 MiB of 200 MiB, \
         failcnt 63): it is the node's allocatable for all pods, so the node was \
         over-committed, not the pod's own limit."
    );
    let owner = &ev.analysis.container.as_ref().unwrap().owner;
    assert_eq!(
        owner.pod_uid.as_log_str(),
        Some("7c0e4a52-3b1d-4f6e-9a8b-2d5c6e7f8a90")
    );
    assert_eq!(
        owner.container_id.as_log_str(),
        Some("3f6a1c9e8b7d4e2f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a7b")
    );
    let text = &texts(&path)[0];
    assert!(
        text.contains("pod 7c0e4a52-3b1d-4f6e-9a8b-2d5c6e7f8a90 (burstable)"),
        "{text}"
    );
    // The same on a real AKS node (5.15, real/117): oom_memcg=/kubepods.slice, memory
    // 7464436 of 7464436 kB, the victim in a BestEffort pod with no limit of its own.
    let path = sample(
        "real/117-vijayrod-aks-5.15-kubepods-slice-node-allocatable-besteffort-oom-group-syslog.log",
    );
    let evs = report(std::slice::from_ref(&path)).event_list();
    match &evs[0].analysis.cause.scope {
        CauseScope::Memcg {
            path,
            counter,
            level,
            ..
        } => assert_eq!(
            (path.as_log_str(), *counter, *level),
            (
                Some("/kubepods.slice"),
                Some(Counter::Memory),
                Some(LimitLevel::NodeAllocatable)
            )
        ),
        s => panic!("{s:?}"),
    }
    for text in texts(&path) {
        assert!(text.contains("node over-commit"), "{text}");
        assert!(!text.contains("pod limit") && !text.contains("machine ran out"));
    }
}

#[test]
fn fragmentation_names_the_zone_with_holes_not_the_reserved_one() {
    // 6.1: DMA32 free:30104kB min:4644kB, all in 4 and 8 kB blocks; DMA free:1800kB has
    // a 1 MiB block but 1800 − 12 kB ≤ min 88 + lowmem_reserve 426 pages (1704 kB).
    // Before: "Cause unknown: a zone the request may use had more than twice its high
    // watermark free".
    let path = sample("vm/bookworm-6.1.0-50-amd64/x-fragmentation-order2/dmesg");
    let evs = report(std::slice::from_ref(&path)).event_list();
    let ev = &evs[0];
    assert_eq!(
        vocab::cause_sentence(&ev.analysis.cause, &ev.event).term(),
        "Fragmentation: order-2 (16 KiB) request failed: DMA32 had 29.4 MiB free above min \
         but no free block larger than 8 KiB."
    );
    let a = ev.analysis.cause.allocation.as_ref().unwrap();
    assert_eq!((a.order, a.requested_kb), (Some(2), Some(16)));
}

#[test]
fn manual_oom_is_not_worded_as_a_failed_allocation() {
    let path = sample("vm/sid-7.2.13+deb14-amd64/s-manual-sysrq-f/dmesg");
    let t = texts(&path);
    assert!(
        t[0].contains("ran the requested oom kill (no allocation failed): gfp_kernel, order"),
        "{}",
        t[0]
    );
    assert!(t[1].contains("| invoking task | kworker/"), "{}", t[1]);
}

#[test]
fn a_kmem_limit_page_fault_on_5_10_prints_no_oom_report() {
    // Debian 5.10.0-32 (with the 5.16 "do not trigger out_of_memory from the #PF"
    // change): the failed kmem charges of page tables only print "Huh VM_FAULT_OOM
    // leaked out to the #PF handler. Retrying PF" until the task is killed by hand.
    for rendering in ["dmesg", "kmsg", "messages"] {
        let path = sample(&format!(
            "vm/bullseye-5.10.0-32-amd64/u-memcg-v1-kmem-pgtables/{rendering}"
        ));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("Huh VM_FAULT_OOM leaked out to the #PF handler"));
        assert!(report(std::slice::from_ref(&path)).event_list().is_empty());
    }
}

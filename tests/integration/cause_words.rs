//! The cause of each OOM in words (issue 14): one sentence per kind from real reports,
//! and no sentence anywhere in the terminal or Markdown report that contradicts the
//! cause's kind.

use std::path::PathBuf;

use oomlens::analysis::cause::CauseKind;
use oomlens::render::{self, Format, RenderOptions, vocab};

use crate::util::{report, sample, samples};

/// The cause sentence of event `i` of a sample, as the terminal writes it.
fn sentence(rel: &str, i: usize) -> String {
    let evs = report(&[sample(rel)]).event_list();
    let ev = &evs[i];
    vocab::cause_sentence(&ev.analysis.cause, &ev.event)
        .term()
        .into_owned()
}

#[test]
fn each_kind_is_said_in_one_sentence_led_by_it() {
    assert_eq!(
        sentence("vm/bookworm-6.1.0-50-amd64/c-memcg-v2-nested/dmesg", 0),
        "Memory cgroup limit: the memory limit of /jobs was hit (200 MiB of 200 MiB, failcnt 50)."
    );
    assert_eq!(
        sentence("real/015-cnnotes-rhel8.1-k8s-docker-memcg-notable.log", 0),
        "Memory+swap limit: the memory+swap limit of /kubepods.slice/kubepods-burstable.slice/\
         kubepods-burstable-podd63c4bbe_5f18_11ec_bdcd_d094668d7dd6.slice/\
         docker-083afd1a06b8b612ab5d974e12200d7fd1d35be6a44f0e368179399ef6c6e84d.scope was hit \
         (34.0 GiB of 34.0 GiB, failcnt 61,602); the memory counter was not at its limit \
         (31.9 GiB of 32.0 GiB, failcnt 0)."
    );
    assert_eq!(
        sentence("vm/bookworm-6.1.0-50-amd64/a-global-no-swap/dmesg", 0),
        "Whole machine: RAM had 4.5 MiB free, no swap; below min: DMA32."
    );
    assert_eq!(
        sentence("vm/bookworm-6.1.0-50-amd64/i-mempolicy/dmesg", 0),
        "Node 1 was the only one allowed (memory policy): it had 1.4 MiB free of 245 MiB; \
         the machine had 29.4 MiB free."
    );
    assert_eq!(
        sentence("vm/bookworm-6.1.0-50-amd64/j-cpuset/dmesg", 0),
        "Node 1 was the only one allowed (cpuset): it had 1.1 MiB free of 201 MiB; \
         the machine had 104 MiB free."
    );
    assert_eq!(
        sentence(
            "real/114-aliyun-doc-alinux-cpuset-node1-limit-of-host-masked-no-kill.log",
            0
        ),
        "Node 1 was the only one allowed (cpuset mm_cpuset): it had 42.6 MiB free; \
         the machine had 15.7 GiB free."
    );
    assert_eq!(
        sentence(
            "real/109-linuxmm-zhongjiang-arm32-4.4-order3-fragmentation-no-kill.log",
            0
        ),
        "Fragmentation: order-3 (32 KiB) request failed: Normal had 4.1 MiB free above min \
         but no free block larger than 16 KiB."
    );
    let lowmem = sentence(
        "real/107-linuxmm-ethgen-i686-4.9-lowmem-two-ooms-indented.log",
        0,
    );
    assert!(lowmem.starts_with("Zone: "), "{lowmem}");
    assert!(
        lowmem.contains("Normal (lowmem) 41.4 MiB free, min 41.4 MiB")
            && lowmem
                .ends_with("while HighMem had 118 MiB free: the allocation could not use HighMem."),
        "{lowmem}"
    );
    assert_eq!(
        sentence(
            "real/111-cnbook-sysrq-f-order-minus1-5.4-hash-prefixed-elided.log",
            0
        ),
        "Manual OOM (SysRq-f): the kernel was asked to kill; nothing ran out."
    );
    assert_eq!(
        sentence(
            "real/022-docker-forkbomb-kmem-two-global-ooms-5.4-dmesgT.log",
            0
        ),
        "Cause unknown: a zone the request may use had more than twice its high watermark \
         free, so what failed (e.g. a cgroup charge behind a page fault) is not in the report."
    );
    assert_eq!(
        sentence("real/027-cpanel-rhel6-killed-line-only-syslog.log", 0),
        "Cause unknown: the log does not say what the OOM was limited to; the header \
         (gfp mask, order) is not in the log."
    );
}

#[test]
fn memcg_reports_show_the_working_set_and_what_could_not_be_freed() {
    // The stats line: rss:9214840KB (8.8 GiB, cAdvisor's container_memory_rss) of the
    // 32 GiB limit; shmem:23689196KB; writeback:2376KB.
    let evs = report(&[sample(
        "real/015-cnnotes-rhel8.1-k8s-docker-memcg-notable.log",
    )])
    .event_list();
    assert_eq!(
        vocab::memcg_detail(&evs[0].analysis.cause).as_deref(),
        Some(
            "Dashboards: working set (usage − inactive_file) 31.9 GiB (100 %), usage 31.9 GiB \
             (100 %), rss 8.8 GiB (27 %), limit 32.0 GiB. A kill cannot free: shmem/tmpfs 22.6 GiB (unless the \
             victim held it). Reclaim should have freed: clean page cache 16.2 MiB; dirty \
             0 KiB and under writeback 2.3 MiB it had to wait for."
        )
    );
    // The memory+swap room is what swap could take: never less than the swap in use.
    let m = evs[0].analysis.memory.as_ref().unwrap();
    assert_eq!(
        (m.swap_used_kb, m.swap_total_kb),
        (Some(2229956), Some(2229956))
    );
}

#[test]
fn a_numa_oom_shows_the_allowed_nodes_memory() {
    let evs = report(&[sample("vm/bookworm-6.1.0-50-amd64/i-mempolicy/dmesg")]).event_list();
    let m = evs[0].analysis.memory.as_ref().unwrap();
    assert_eq!(m.domain, "nodes");
    let free = m.parts.iter().find(|p| p.name == "free").unwrap();
    let sentence = vocab::cause_sentence(&evs[0].analysis.cause, &evs[0].event);
    assert!(
        sentence
            .term()
            .contains(&format!("it had {} free", vocab::human_kb(free.kb))),
        "{}",
        sentence.term()
    );
}

#[test]
fn a_bare_hex_gfp_mask_is_shown_decoded() {
    let alloc = |rel: &str| {
        report(&[sample(rel)]).event_list()[0]
            .analysis
            .cause
            .allocation
            .clone()
            .unwrap()
    };
    // 2.6.32: a bare mask, decoded with the tables of the releases that read it so.
    let a = alloc("real/033-unixse-debian-2.6.32-header-trace-only.log");
    assert_eq!(
        vocab::gfp_decoded(&a).as_deref(),
        Some("GFP_HIGHUSER_MOVABLE|__GFP_COLD, decoded for 2.6.31–4.3")
    );
    // No kernel version, and the tables disagree: every era's reading, none chosen
    // (0xd0: __GFP_WAIT|__GFP_IO|__GFP_FS up to 4.3; 0x10 is __GFP_RECLAIMABLE in 4.4's
    // table).
    let a = alloc("real/105-linuxmm-tetsuo-sysrq-f-order0-3.19-ext4-snipped.log");
    assert!(a.gfp_ambiguous && a.gfp_flags.is_empty(), "{a:?}");
    assert_eq!(a.gfp_readings.len(), 2, "{a:?}");
    assert_eq!(
        vocab::gfp_decoded(&a).as_deref(),
        Some(
            "the kernel version is unknown and the flag tables differ: GFP_KERNEL on \
             2.6.24–4.3; __GFP_RECLAIMABLE|__GFP_IO|__GFP_FS on 4.4–4.5"
        )
    );
}

/// Every sample file the report tests read.
fn all_samples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![
        samples().join("real"),
        samples().join("lab"),
        samples().join("vm"),
    ];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if !matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("json" | "md" | "txt")
            ) && !p.to_string_lossy().contains("README")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Phrases a report must not hold for a cause of `kind`.
fn forbidden(kind: CauseKind) -> Vec<&'static str> {
    use CauseKind as K;
    let mut f = vec![];
    if kind != K::Machine {
        f.push("machine ran out");
    }
    if !matches!(kind, K::Machine | K::MemcgLimit) {
        f.push("ran out of memory");
    }
    if !matches!(kind, K::MemcgLimit) {
        // The memory counter's limit: only when it is what bound.
        f.push("hit its");
    }
    if kind != K::Fragmentation {
        f.push("fragment");
    }
    if kind == K::Manual {
        f.push("could not satisfy");
    }
    f
}

#[test]
fn no_sentence_contradicts_the_cause() {
    let mut checked = 0;
    for path in all_samples() {
        for ev in report(std::slice::from_ref(&path)).event_list() {
            let kind = ev.analysis.cause.kind;
            for format in [Format::Table, Format::Markdown] {
                let mut out = Vec::new();
                render::render_event(&ev, format, &RenderOptions::default(), &mut out).unwrap();
                let text = String::from_utf8_lossy(&out).to_lowercase();
                for phrase in forbidden(kind) {
                    // The cause's own sentence for fragmentation names it.
                    assert!(
                        !text.contains(phrase),
                        "{} event {} ({kind:?}, {format:?}) says {phrase:?}:\n{text}",
                        path.display(),
                        ev.id
                    );
                }
            }
            if let Some(m) = &ev.analysis.memory
                && let (Some(u), Some(t)) = (m.swap_used_kb, m.swap_total_kb)
            {
                assert!(
                    u <= t,
                    "{} event {}: swap {u} of {t}",
                    path.display(),
                    ev.id
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} events");
}

#[test]
fn a_node_whose_memory_the_mask_may_not_use_is_not_said_to_have_it() {
    // Node 4 has only a Movable zone; GFP_HIGHUSER without __GFP_MOVABLE may not use it.
    assert_eq!(
        sentence(
            "real/100-lkml-fengtang-cpuset-movable-node-5.8-indented.log",
            0
        ),
        "Node 4 was the only one allowed (cpuset): it had no zone the allocation may use; \
         Movable had 124 GiB free, which it may not use; the machine had 610 GiB free."
    );
}

#[test]
fn cause_sentences_of_the_cause_samples_and_vm_captures() {
    // samples/real 100–115 (one or more of each kind) and the vm captures, one line each.
    let mut text = String::new();
    for path in all_samples() {
        let rel = path
            .strip_prefix(samples())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let wanted = rel.starts_with("vm/")
            || rel
                .strip_prefix("real/1")
                .and_then(|r| r.get(..2))
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| n <= 15);
        if !wanted {
            continue;
        }
        for ev in report(std::slice::from_ref(&path)).event_list() {
            text.push_str(&format!(
                "{rel} #{}: {}\n",
                ev.id,
                vocab::cause_sentence(&ev.analysis.cause, &ev.event).term()
            ));
        }
    }
    insta::assert_snapshot!("cause_sentences", text);
}

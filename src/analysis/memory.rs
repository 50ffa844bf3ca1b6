//! What filled memory: usage against the limit of the domain that ran out (a memory
//! cgroup or the whole machine), split into anon, page cache, shmem and kernel, and
//! the share of the largest tasks.
//!
//! Units as the kernel prints them: memcg stats are bytes here (the event model
//! converts kB), Mem-Info counters are pages, memcg counters and zones are kB.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::badness::UNLIMITED_KB;
use crate::analysis::cause::{Cause, CauseKind, Picture};
use crate::analysis::kernel;
use crate::event::{OomEvent, Scope};
use crate::text::{LogString, OptionLogStr};

/// One slice of the memory of the domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// `anon`, `page_cache`, `shmem`, `kernel`, `slab_reclaimable`,
    /// `slab_unreclaimable`, `page_tables`, `free`, `other`.
    pub name: String,
    /// Size in kB.
    pub kb: u64,
    /// Share of the domain's total (limit or RAM), percent.
    pub percent: f64,
}

/// A task's share of the domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskShare {
    /// PID.
    pub pid: u32,
    /// Process name.
    pub name: LogString,
    /// Resident memory, kB.
    pub rss_kb: u64,
    /// Swapped-out memory, kB.
    pub swap_kb: u64,
    /// rss + swap as a share of the domain's total, percent.
    pub percent: f64,
}

/// What filled memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryUse {
    /// `memcg`, `machine`, or `nodes` (a cpuset or memory-policy OOM: the allowed
    /// NUMA nodes' own counters, as the cause's picture has them).
    pub domain: String,
    /// The memcg that hit its limit.
    pub cgroup: Option<LogString>,
    /// The limit (memcg) or RAM usable by the kernel (machine), kB.
    pub total_kb: Option<u64>,
    /// Usage (memcg) or RAM minus free (machine), kB.
    pub used_kb: Option<u64>,
    /// How often the memcg limit was hit.
    pub failcnt: Option<u64>,
    /// Swap in use, kB.
    pub swap_used_kb: Option<u64>,
    /// Swap size (machine) or swap limit (memcg), kB.
    pub swap_total_kb: Option<u64>,
    /// The breakdown (largest first).
    pub parts: Vec<Part>,
    /// The largest tasks by rss + swap.
    pub largest_tasks: Vec<TaskShare>,
    /// A machine OOM with much RAM free: an allocation the kernel could not satisfy
    /// rather than a full machine.
    pub free_but_failed: Option<FreeButFailed>,
}

/// Free RAM at a machine OOM (10 % or more): what kind of allocation failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FreeButFailed {
    /// Free RAM, percent.
    pub free_percent: f64,
    /// What the trigger says about the allocation, when it says something.
    pub cause: Option<AllocationKind>,
}

/// Why an allocation can fail with memory free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AllocationKind {
    /// gfp_mask=0x0: a page fault (e.g. failed by a kernel-memory limit).
    PageFault,
    /// order > 0: a higher-order allocation in fragmented memory.
    HigherOrder,
}

/// Works out what filled memory for `ev`, or `None` when the log holds no memory state.
/// The domain is the one that ran out by `cause`: for a cpuset or memory-policy OOM the
/// allowed nodes, not the machine.
pub fn analyse(ev: &OomEvent, cause: &Cause) -> Option<MemoryUse> {
    let page_kb = kernel::page_size(ev).0;
    let memcg_state = ev
        .memcg
        .as_ref()
        .is_some_and(|m| m.usage_kb.is_some() || !m.stats.is_empty());
    let nodes = match (&cause.kind, &cause.picture) {
        (CauseKind::NumaNodes, Some(p @ Picture::Nodes { .. })) => Some(p),
        _ => None,
    };
    let mut mu = if let Some(p) = nodes {
        nodes_use(ev, p)
    } else if ev.scope == Some(Scope::Memcg) && memcg_state {
        memcg_use(ev)?
    } else if ev
        .mem_info
        .as_ref()
        .is_some_and(|m| m.pages_ram.is_some() || !m.counters.is_empty())
    {
        machine_use(ev, page_kb)?
    } else if memcg_state {
        memcg_use(ev)?
    } else {
        return None;
    };
    mu.parts.retain(|p| p.kb > 0 || p.name == "free");
    mu.parts.sort_by_key(|p| std::cmp::Reverse(p.kb));
    mu.largest_tasks = largest(ev, page_kb, mu.total_kb);
    mu.free_but_failed = free_ram_finding(ev, &mu);
    Some(mu)
}

fn pct(part: u64, total: Option<u64>) -> f64 {
    match total {
        Some(t) if t > 0 => (part as f64 * 1000.0 / t as f64).round() / 10.0,
        _ => 0.0,
    }
}

/// Parts of a domain, as shares of its size.
struct Parts {
    total: Option<u64>,
    list: Vec<Part>,
}

impl Parts {
    fn of(total: Option<u64>) -> Self {
        Parts {
            total,
            list: Vec::new(),
        }
    }

    fn add(&mut self, name: &str, kb: Option<u64>) {
        if let Some(kb) = kb {
            self.list.push(Part {
                name: name.into(),
                kb,
                percent: pct(kb, self.total),
            });
        }
    }

    /// What the named parts leave unexplained of `whole`, as "other" when it is more
    /// than 2 % (counters the kernel does not print, rounding).
    fn rest_of(&mut self, whole: u64) {
        let known: u64 = self.list.iter().fold(0, |a, p| a.saturating_add(p.kb));
        if known > 0 && whole > known.saturating_add(whole / 50) {
            self.add("other", Some(whole - known));
        }
    }
}

fn get(stats: &BTreeMap<String, u64>, keys: &[&str]) -> Option<u64> {
    keys.iter().find_map(|k| stats.get(*k).copied())
}

fn memcg_use(ev: &OomEvent) -> Option<MemoryUse> {
    let mc = ev.memcg.as_ref()?;
    let limit = mc.limit_kb.filter(|l| *l < UNLIMITED_KB);
    // 3.10–5.2 print local stats for each memcg of the subtree: add them up.
    let mut stats = mc.stats.clone();
    if !mc.subtree_stats.is_empty()
        && !stats.contains_key("anon")
        && !stats.keys().any(|k| k.starts_with("total_"))
    {
        stats.clear();
        for (_, s) in &mc.subtree_stats {
            for (k, v) in s {
                let e = stats.entry(k.clone()).or_insert(0);
                *e = e.saturating_add(*v);
            }
        }
    }
    let kb = |b: u64| b / 1024;
    let mut parts = Parts::of(limit);
    let mut add = |name: &str, v: Option<u64>| parts.add(name, v);
    if stats.contains_key("anon") {
        // cgroup v2 memory.stat (also printed on v1 hosts by 5.3–6.4).
        let shmem = get(&stats, &["shmem"]);
        let file = get(&stats, &["file"]);
        let kernel = get(&stats, &["kernel"]).or_else(|| {
            let parts: Vec<u64> = [
                "kernel_stack",
                "pagetables",
                "sec_pagetables",
                "percpu",
                "sock",
                "vmalloc",
                "slab",
            ]
            .iter()
            .filter_map(|k| stats.get(*k).copied())
            .collect();
            (!parts.is_empty()).then(|| parts.iter().fold(0u64, |a, b| a.saturating_add(*b)))
        });
        add("anon", get(&stats, &["anon"]).map(kb));
        add(
            "page_cache",
            file.map(|f| kb(f.saturating_sub(shmem.unwrap_or(0)))),
        );
        add("shmem", shmem.map(kb));
        add("kernel", kernel.map(kb));
    } else {
        if !stats.is_empty() {
            // cgroup v1 memory.stat; total_* are hierarchical (6.5+ print both).
            let rss = get(&stats, &["total_rss", "rss"]);
            let cache = get(&stats, &["total_cache", "cache"]);
            let shmem = get(&stats, &["total_shmem", "shmem"]);
            add("anon", rss.map(kb));
            add(
                "page_cache",
                cache.map(|c| kb(c.saturating_sub(shmem.unwrap_or(0)))),
            );
            add("shmem", shmem.map(kb));
        }
        // v1 keeps kernel memory out of memory.stat: its own `kmem:` line.
        add("kernel", mc.kmem_usage_kb.filter(|k| *k > 0));
    }
    if let Some(used) = mc.usage_kb
        && !stats.is_empty()
    {
        parts.rest_of(used);
    }
    let swap_used = mc.swap_used_kb();
    let swap_total = mc
        .swap_limit_kb
        .or_else(|| {
            mc.memsw_limit_kb
                .zip(mc.limit_kb)
                .map(|(a, b)| a.saturating_sub(b))
        })
        .filter(|s| *s < UNLIMITED_KB);
    // v1 has no swap limit: memory+swap − memory is the room only while memory is at
    // its limit. When the memory+swap counter bound below it, the room was
    // memory+swap − usage, and swap in use can exceed the first reckoning.
    let swap_total = match (swap_total, swap_used) {
        (Some(t), Some(u)) if u > t && mc.swap_limit_kb.is_none() => mc
            .memsw_limit_kb
            .zip(mc.usage_kb)
            .map(|(a, b)| a.saturating_sub(b))
            .filter(|s| *s < UNLIMITED_KB),
        _ => swap_total,
    };
    Some(MemoryUse {
        domain: "memcg".into(),
        cgroup: mc.oom_memcg.clone().or_else(|| mc.stats_path.clone()),
        total_kb: limit,
        used_kb: mc.usage_kb,
        failcnt: mc.failcnt,
        swap_used_kb: swap_used,
        swap_total_kb: swap_total,
        parts: parts.list,
        largest_tasks: Vec::new(),
        free_but_failed: None,
    })
}

/// The allowed nodes of a cpuset or memory-policy OOM, from their own `Node N` lines.
fn nodes_use(ev: &OomEvent, p: &Picture) -> MemoryUse {
    let Picture::Nodes {
        anon_kb,
        shmem_kb,
        page_cache_kb,
        free_kb,
        managed_kb,
        ..
    } = *p
    else {
        unreachable!("nodes_use is given a nodes picture")
    };
    let total = (managed_kb > 0).then_some(managed_kb);
    let mut parts = Parts::of(total);
    parts.add("anon", Some(anon_kb));
    parts.add("page_cache", Some(page_cache_kb));
    parts.add("shmem", Some(shmem_kb));
    parts.add("free", Some(free_kb));
    if let Some(t) = total {
        parts.rest_of(t);
    }
    let mi = ev.mem_info.as_ref();
    let (swap_total, swap_free) = (
        mi.and_then(|m| m.total_swap_kb),
        mi.and_then(|m| m.free_swap_kb),
    );
    MemoryUse {
        domain: "nodes".into(),
        cgroup: None,
        total_kb: total,
        used_kb: total.map(|t| t.saturating_sub(free_kb)),
        failcnt: None,
        swap_used_kb: swap_total.zip(swap_free).map(|(t, f)| t.saturating_sub(f)),
        swap_total_kb: swap_total,
        parts: parts.list,
        largest_tasks: Vec::new(),
        free_but_failed: None,
    }
}

fn machine_use(ev: &OomEvent, page_kb: u64) -> Option<MemoryUse> {
    let mi = ev.mem_info.as_ref()?;
    let c = &mi.counters;
    let p = |keys: &[&str]| -> Option<u64> {
        let vals: Vec<u64> = keys.iter().filter_map(|k| c.get(*k).copied()).collect();
        (!vals.is_empty()).then(|| {
            vals.iter()
                .fold(0u64, |a, b| a.saturating_add(*b))
                .saturating_mul(page_kb)
        })
    };
    let total = match (mi.pages_ram, mi.pages_reserved) {
        (Some(r), Some(res)) => Some(r.saturating_sub(res).saturating_mul(page_kb)),
        (Some(r), None) => Some(r.saturating_mul(page_kb)),
        _ => None,
    };
    let shmem = p(&["shmem"]);
    let mut parts = Parts::of(total);
    let mut add = |name: &str, v: Option<u64>| parts.add(name, v);
    if c.contains_key("active_anon") {
        // shmem pages sit on the anon LRU lists.
        let anon = p(&["active_anon", "inactive_anon", "isolated_anon"]);
        add("anon", anon.map(|a| a.saturating_sub(shmem.unwrap_or(0))));
        add(
            "page_cache",
            p(&["active_file", "inactive_file", "isolated_file"]),
        );
        add("shmem", shmem);
    } else {
        // Pre-2.6.28 LRUs do not split anon and file.
        add("lru_pages", p(&["active", "inactive"]));
    }
    add("slab_reclaimable", p(&["slab_reclaimable"]));
    add(
        "slab_unreclaimable",
        p(&["slab_unreclaimable"]).or(p(&["slab"])),
    );
    add("page_tables", p(&["pagetables"]));
    add("unevictable", p(&["unevictable"]));
    let free = p(&["free"]);
    add("free", free);
    if let Some(t) = total {
        parts.rest_of(t);
    }
    let swap_used = mi
        .total_swap_kb
        .zip(mi.free_swap_kb)
        .map(|(t, f)| t.saturating_sub(f));
    Some(MemoryUse {
        domain: "machine".into(),
        cgroup: None,
        total_kb: total,
        used_kb: total.zip(free).map(|(t, f)| t.saturating_sub(f)),
        failcnt: None,
        swap_used_kb: swap_used,
        swap_total_kb: mi.total_swap_kb,
        parts: parts.list,
        largest_tasks: Vec::new(),
        free_but_failed: None,
    })
}

fn largest(ev: &OomEvent, page_kb: u64, total: Option<u64>) -> Vec<TaskShare> {
    let mut rows: Vec<TaskShare> = ev
        .tasks
        .rows
        .iter()
        .map(|r| {
            let rss_kb = (r.rss.unwrap_or(0).max(0) as u64).saturating_mul(page_kb);
            let swap_kb = (r.swapents.unwrap_or(0).max(0) as u64).saturating_mul(page_kb);
            TaskShare {
                pid: r.pid,
                name: r.name.clone(),
                rss_kb,
                swap_kb,
                percent: pct(rss_kb, total),
            }
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.rss_kb.saturating_add(r.swap_kb)));
    rows.truncate(3);
    rows
}

/// What the free memory says about the failed allocation (machine OOMs).
fn free_ram_finding(ev: &OomEvent, mu: &MemoryUse) -> Option<FreeButFailed> {
    if mu.domain != "machine" {
        return None;
    }
    let free = mu.parts.iter().find(|p| p.name == "free")?;
    if free.percent < 10.0 {
        return None;
    }
    let cause = if ev
        .trigger
        .as_ref()
        .is_some_and(|t| t.gfp_mask.as_log_str() == Some("0x0"))
    {
        Some(AllocationKind::PageFault)
    } else if ev
        .trigger
        .as_ref()
        .and_then(|t| t.order)
        .is_some_and(|o| o > 0)
    {
        Some(AllocationKind::HigherOrder)
    } else {
        None
    };
    Some(FreeButFailed {
        free_percent: free.percent,
        cause,
    })
}

//! Why the kernel had to kill: the typed cause of one OOM, built only from what the
//! report states, with the line numbers it rests on. No wording here: renderers turn
//! these facts into sentences.
//!
//! The kinds follow the kernel's own paths to `out_of_memory()`: a memory cgroup counter
//! at its limit (memory, v1 memory+swap, v2 swap, v1 kmem), a cpuset or memory policy that
//! allowed only some NUMA nodes (`constrained_alloc()`), an allocation whose zones were all
//! under their watermarks while zones it may not use had memory, a higher-order request
//! that found memory but no free block of its size (the buddy lists), a manual OOM
//! (SysRq-f: `order=-1` since 4.3, `moom_callback` in the trace, or the SysRq line), and
//! the machine's RAM and swap. Where the report lacks what a verdict needs, the kind is
//! `unknown` and [`Missing`] names what was not in the log.

use serde::{Deserialize, Serialize};

use crate::analysis::container::{self, ContainerKind};
use crate::analysis::gfp::{self, AllowedZones};
use crate::event::{MemInfo, Memcg, OomEvent, Scope};
use crate::text::{LogString, OptionLogStr};

/// The kind of an OOM's cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CauseKind {
    /// A memory cgroup's memory counter hit its limit.
    MemcgLimit,
    /// A cgroup v1 memory+swap counter hit its limit.
    MemswLimit,
    /// A cgroup v2 `swap.max` was full while the memory counter was at its limit.
    SwapLimit,
    /// A cgroup v1 kmem counter hit its limit.
    KmemLimit,
    /// The whole machine's RAM (and swap).
    Machine,
    /// A cpuset or memory policy allowed only some NUMA nodes.
    NumaNodes,
    /// The zones the allocation may use were under their watermarks while other zones
    /// had memory (lowmem on 32-bit, `GFP_DMA32`, …).
    Zone,
    /// A higher-order request: memory above the watermark, but no free block that large.
    Fragmentation,
    /// A manual OOM (SysRq-f).
    Manual,
    /// The report does not say.
    Unknown,
}

/// What the report lacks for a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Missing {
    /// The `… invoked oom-killer` header (gfp mask, order).
    Header,
    /// What the OOM was limited to (no `constraint=`, memcg lines or global wording).
    Scope,
    /// The memcg counter lines (`memory: usage …`).
    MemcgCounters,
    /// The zone lines of Mem-Info.
    ZoneLines,
    /// The buddy lists of Mem-Info.
    BuddyLists,
    /// The zones the GFP mask allows (mask not decoded, or readings disagree).
    GfpZones,
    /// A shortage: a zone the request may use had more than twice its high watermark
    /// free, so what failed (e.g. a cgroup charge behind a page-fault OOM,
    /// `gfp_mask=0x0`) is not in the report.
    Shortage,
}

/// A cgroup counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Counter {
    /// `memory:`
    Memory,
    /// `memory+swap:` (v1)
    MemorySwap,
    /// `swap:` (v2)
    Swap,
    /// `kmem:` (v1)
    Kmem,
}

/// Whose limit a memcg OOM hit, in Kubernetes terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LimitLevel {
    /// A container's own limit.
    Container,
    /// The pod's limit.
    Pod,
    /// A QoS tier (`kubepods-burstable.slice`, `kubepods/besteffort`).
    QosTier,
    /// The node allocatable (`/kubepods`, `/kubepods.slice`): the node was over-committed.
    NodeAllocatable,
    /// Not a Kubernetes cgroup.
    Other,
}

/// How only some nodes came to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NodesBy {
    /// The task's cpuset (`mems_allowed=`).
    Cpuset,
    /// The allocation's memory policy (`nodemask=`).
    Mempolicy,
}

/// A memcg counter as the report prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterState {
    /// Which counter.
    pub counter: Counter,
    /// Usage, kB.
    pub usage_kb: u64,
    /// Limit, kB.
    pub limit_kb: u64,
    /// Times the limit was hit (not printed for v2 `swap:` on every kernel).
    pub failcnt: Option<u64>,
    /// Usage within the charge slack of the limit.
    pub at_limit: bool,
}

/// One NUMA node of the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeState {
    /// Node number.
    pub node: u32,
    /// Free kB, summed over its zone lines.
    pub free_kb: u64,
    /// Managed kB, summed over its zone lines (`None` before 3.8).
    pub managed_kb: Option<u64>,
}

/// The domain that ran out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "domain")]
#[non_exhaustive]
pub enum CauseScope {
    /// A memory cgroup.
    Memcg {
        /// The cgroup whose limit was hit.
        path: Option<LogString>,
        /// The counter at its limit, when the counters say.
        counter: Option<Counter>,
        /// Every counter line of the report.
        counters: Vec<CounterState>,
        /// Whose limit it was.
        level: Option<LimitLevel>,
    },
    /// Some NUMA nodes.
    Nodes {
        /// How they were chosen.
        by: NodesBy,
        /// The allowed nodes (`nodemask=` for a policy, `mems_allowed=` for a cpuset).
        allowed: Vec<u32>,
        /// The allowed nodes' free and managed memory, from the zone lines.
        nodes: Vec<NodeState>,
        /// The machine's free memory (Mem-Info `free:` pages), kB.
        machine_free_kb: Option<u64>,
    },
    /// The whole machine.
    Machine {
        /// Free RAM (Mem-Info `free:`), kB.
        free_kb: Option<u64>,
        /// `Free swap`, kB.
        free_swap_kb: Option<u64>,
        /// `Total swap`, kB.
        total_swap_kb: Option<u64>,
    },
    /// The report does not say.
    Unknown,
}

/// The failed allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// `gfp_mask=` as printed.
    pub gfp_mask: Option<LogString>,
    /// The mask's flags (`__GFP_IO`, …), from the kernel's tables for the release; empty
    /// when the mask was not decoded or its readings disagree.
    pub gfp_flags: Vec<String>,
    /// The named combination the mask equals (`GFP_KERNEL`, …).
    pub gfp_composite: Option<String>,
    /// The mask read as the kernel's `%pGg` prints it (combinations, then the flags
    /// they leave); empty when not decoded or the readings disagree.
    #[serde(default)]
    pub gfp_names: Vec<String>,
    /// The releases whose tables gave the reading (`"2.6.32"`, `"2.6.24–4.4"`); `None`
    /// when the kernel printed the names itself or the mask was not decoded.
    #[serde(default)]
    pub gfp_tables: Option<String>,
    /// The kernel release is unknown and the candidate tables read the mask
    /// differently: no flags are given.
    #[serde(default)]
    pub gfp_ambiguous: bool,
    /// With [`Allocation::gfp_ambiguous`]: each candidate table's reading, oldest
    /// first (the mask decoded once per era, none of them chosen).
    #[serde(default)]
    pub gfp_readings: Vec<GfpReading>,
    /// The highest zone the mask allows (the zones below it are allowed too); `None`
    /// when not known.
    pub highest_zone: Option<gfp::Zone>,
    /// The mask may enter direct reclaim.
    pub can_reclaim: Option<bool>,
    /// `order=`; `-1` is a manual OOM.
    pub order: Option<i32>,
    /// 2^order pages, kB.
    pub requested_kb: Option<u64>,
}

/// A bare-hex mask read with one era's flag table, when the release is unknown and
/// the eras disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GfpReading {
    /// The releases whose tables give this reading (`"2.6.31–4.3"`).
    pub tables: String,
    /// The mask as `%pGg` would print it with that table (combinations, then flags).
    pub names: Vec<String>,
}

/// One zone of the domain against its watermarks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneState {
    /// NUMA node.
    pub node: Option<u32>,
    /// Zone name as printed.
    pub zone: LogString,
    /// The allocation's mask allows this zone (`None`: not known).
    pub allowed: Option<bool>,
    /// `free:` kB.
    pub free_kb: Option<u64>,
    /// `min:` kB.
    pub min_kb: Option<u64>,
    /// `low:` kB.
    pub low_kb: Option<u64>,
    /// `high:` kB.
    pub high_kb: Option<u64>,
    /// `managed:` kB.
    pub managed_kb: Option<u64>,
    /// free < min.
    pub below_min: Option<bool>,
    /// The `lowmem_reserve` this zone keeps back from an allocation that could use a
    /// higher zone, kB.
    pub reserve_kb: Option<u64>,
    /// Largest free block an ordinary request can take (not the `H` high-order atomic
    /// reserve), kB; 0 when there is none.
    pub largest_free_kb: Option<u64>,
    /// The zone line.
    pub line: Option<u64>,
    /// The buddy-list line.
    pub buddy_line: Option<u64>,
}

/// The memory of the domain that ran out, as the kernel's counters for it state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "of")]
#[non_exhaustive]
pub enum Picture {
    /// A memory cgroup (its stats block and counter).
    Memcg {
        /// `memory: usage`, kB.
        usage_kb: Option<u64>,
        /// `memory: limit`, kB.
        limit_kb: Option<u64>,
        /// Anonymous memory, kB (v2 `anon`, v1 `total_rss`/`rss`).
        anon_kb: Option<u64>,
        /// Page cache, kB (v2 `file`, v1 `total_cache`/`cache`).
        file_kb: Option<u64>,
        /// shmem/tmpfs, kB.
        shmem_kb: Option<u64>,
        /// `inactive_file`, kB.
        inactive_file_kb: Option<u64>,
        /// Working set as cAdvisor and the kubelet compute it: usage − inactive_file.
        working_set_kb: Option<u64>,
        /// Swap the cgroup had in use, kB.
        swap_kb: Option<u64>,
        /// Dirty page cache (reclaim must write it first), kB.
        dirty_kb: Option<u64>,
        /// Page cache under writeback, kB.
        writeback_kb: Option<u64>,
        /// Unreclaimable slab (v2 `slab_unreclaimable`): no kill frees it, kB.
        slab_unreclaimable_kb: Option<u64>,
    },
    /// The allowed NUMA nodes, summed (their `Node N …` counter lines).
    Nodes {
        /// active_anon + inactive_anon − shmem, kB.
        anon_kb: u64,
        /// shmem, kB.
        shmem_kb: u64,
        /// active_file + inactive_file, kB.
        page_cache_kb: u64,
        /// Free, from the zone lines, kB.
        free_kb: u64,
        /// Managed, from the zone lines, kB.
        managed_kb: u64,
        /// Dirty page cache, kB.
        dirty_kb: u64,
        /// Page cache under writeback, kB.
        writeback_kb: u64,
    },
    /// The zones the allocation could use, summed.
    Zones {
        /// Free kB.
        free_kb: u64,
        /// `min` watermarks kB.
        min_kb: u64,
        /// Managed kB.
        managed_kb: u64,
    },
    /// The machine (Mem-Info counters in pages × page size).
    Machine {
        /// Anon LRU − shmem, kB.
        anon_kb: Option<u64>,
        /// shmem, kB.
        shmem_kb: Option<u64>,
        /// File LRU, kB.
        page_cache_kb: Option<u64>,
        /// Free, kB.
        free_kb: Option<u64>,
        /// Free swap, kB.
        free_swap_kb: Option<u64>,
        /// Total swap, kB.
        total_swap_kb: Option<u64>,
        /// Dirty page cache, kB.
        dirty_kb: Option<u64>,
        /// Page cache under writeback, kB.
        writeback_kb: Option<u64>,
        /// Unreclaimable slab: no kill frees it, kB.
        slab_unreclaimable_kb: Option<u64>,
    },
}

/// Why the kernel had to kill, with the lines it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cause {
    /// The kind.
    pub kind: CauseKind,
    /// What the report lacks (for `unknown`, why; otherwise what a fuller verdict needed).
    pub missing: Vec<Missing>,
    /// The domain.
    pub scope: CauseScope,
    /// The allocation, when the header is in the log.
    pub allocation: Option<Allocation>,
    /// The zones of the domain.
    pub zones: Vec<ZoneState>,
    /// The memory of the domain.
    pub picture: Option<Picture>,
    /// Line numbers the verdict rests on, ascending.
    pub lines: Vec<u64>,
}

impl Cause {
    /// Whether the zones the cause rests on belong to more than one NUMA node.
    pub fn zones_span_nodes(&self) -> bool {
        let mut nodes = self.zones.iter().filter_map(|z| z.node);
        let first = nodes.next();
        nodes.any(|n| Some(n) != first)
    }

    /// For a fragmentation verdict: the zones the request may use that had memory
    /// above min but no free block of the requested size.
    pub fn fragmented_zones(&self) -> Vec<&ZoneState> {
        match self.allocation.as_ref().and_then(|a| a.requested_kb) {
            Some(req) => fragmented_zones(&self.zones, req),
            None => Vec::new(),
        }
    }
}

/// A counter within this much of its limit is at it: charges come in batches (32–64
/// pages), so a failed charge can leave usage short of the limit by that much.
const SLACK_KB: u64 = 1024;
/// Limits at or above this are "unlimited" (`PAGE_COUNTER_MAX` printed in kB).
const UNLIMITED_KB: u64 = 1 << 50;

/// The cause of one event.
pub fn analyse(ev: &OomEvent) -> Cause {
    let mut lines = Vec::new();
    let mut missing = Vec::new();
    let header_line = ev
        .trigger
        .as_ref()
        .is_some_and(|t| t.gfp_mask.is_some() || t.order.is_some())
        .then_some(ev.source.first_line);
    let allocation = ev
        .trigger
        .as_ref()
        .filter(|_| header_line.is_some())
        .map(|t| allocation(ev.kernel_version.as_log_str(), t, ev.mem_info.as_ref()));
    let mi = ev.mem_info.as_ref();
    let allowed_nodes = allowed_nodes(ev);
    let mut zones = mi
        .map(|m| zone_states(m, allocation.as_ref()))
        .unwrap_or_default();
    if let Some((_, nodes)) = &allowed_nodes {
        zones.retain(|z| z.node.is_none_or(|n| nodes.contains(&n)));
    }
    let manual = allocation.as_ref().is_some_and(|a| a.order == Some(-1))
        || ev
            .trace_hints
            .iter()
            .any(|h| h == "moom_callback" || h == "sysrq_handle_moom")
        || ev.sysrq_line.is_some();
    lines.extend(ev.sysrq_line);
    lines.extend(header_line);

    let (kind, scope, picture) = if manual {
        (CauseKind::Manual, machine_scope(mi), None)
    } else if is_memcg(ev) {
        let m = ev.memcg.as_ref();
        let (counter, counters) = m.map(memcg_counter).unwrap_or((None, Vec::new()));
        if let Some(m) = m {
            lines.extend(&m.counter_lines);
        }
        lines.extend(ev.lines.summary);
        let kind = match counter {
            Some(Counter::Memory) => CauseKind::MemcgLimit,
            Some(Counter::MemorySwap) => CauseKind::MemswLimit,
            Some(Counter::Swap) => CauseKind::SwapLimit,
            Some(Counter::Kmem) => CauseKind::KmemLimit,
            // The kernel says it was a memcg OOM (constraint, "limit of", wording); the
            // counters that would say which one are not in the log.
            None => {
                missing.push(Missing::MemcgCounters);
                CauseKind::MemcgLimit
            }
        };
        let path = m.and_then(|m| m.oom_memcg.clone().or_else(|| m.stats_path.clone()));
        let level = path.as_log_str().map(limit_level);
        let scope = CauseScope::Memcg {
            path,
            counter,
            counters,
            level,
        };
        (kind, scope, m.map(memcg_picture))
    } else if let Some((by, nodes)) = allowed_nodes.filter(|_| {
        matches!(ev.scope, Some(Scope::Cpuset | Scope::Mempolicy)) || ev.constraint.is_none()
    }) {
        lines.extend(zones.iter().filter_map(|z| z.line));
        lines.extend(ev.lines.summary.or(ev.lines.cpuset));
        let states: Vec<NodeState> = nodes
            .iter()
            .map(|&n| {
                let zs: Vec<&ZoneState> = zones.iter().filter(|z| z.node == Some(n)).collect();
                NodeState {
                    node: n,
                    free_kb: sum_sat(zs.iter().filter_map(|z| z.free_kb)),
                    managed_kb: zs
                        .iter()
                        .map(|z| z.managed_kb)
                        .try_fold(0u64, |a, b| b.map(|b| a.saturating_add(b))),
                }
            })
            .collect();
        let picture = mi.and_then(|m| nodes_picture(m, &states));
        if let Some(m) = mi {
            lines.extend(
                m.nodes
                    .iter()
                    .filter(|c| nodes.contains(&c.node))
                    .map(|c| c.line),
            );
        }
        let scope = CauseScope::Nodes {
            by,
            allowed: nodes,
            nodes: states,
            machine_free_kb: mi.and_then(|m| pages_kb(m, "free")),
        };
        (CauseKind::NumaNodes, scope, picture)
    } else if (ev.scope == Some(Scope::Global) || ev.is_memcg())
        && (header_line.is_some() || mi.is_some())
    {
        let kind = global_kind(allocation.as_ref(), &zones, &mut missing);
        match kind {
            CauseKind::Fragmentation | CauseKind::Zone => {
                for z in zones
                    .iter()
                    .filter(|z| z.allowed != Some(false) || kind == CauseKind::Zone)
                {
                    lines.extend(z.line);
                    lines.extend(z.buddy_line);
                }
                let usable: Vec<&ZoneState> =
                    zones.iter().filter(|z| z.allowed == Some(true)).collect();
                let picture = Picture::Zones {
                    free_kb: sum_sat(usable.iter().filter_map(|z| z.free_kb)),
                    min_kb: sum_sat(usable.iter().filter_map(|z| z.min_kb)),
                    managed_kb: sum_sat(usable.iter().filter_map(|z| z.managed_kb)),
                };
                (kind, machine_scope(mi), Some(picture))
            }
            _ => {
                lines.extend(zones.iter().filter_map(|z| z.line));
                (kind, machine_scope(mi), mi.map(machine_picture))
            }
        }
    } else {
        if ev.scope.is_none() || (header_line.is_none() && mi.is_none()) {
            missing.push(Missing::Scope);
        }
        if header_line.is_none() {
            missing.push(Missing::Header);
        }
        (CauseKind::Unknown, CauseScope::Unknown, None)
    };
    lines.sort_unstable();
    lines.dedup();
    Cause {
        kind,
        missing,
        scope,
        allocation,
        zones,
        picture,
        lines,
    }
}

/// A memcg OOM by the report's own lines. Some vendor kernels (Alibaba Cloud Linux)
/// print `Task in / killed as a result of limit of host` for global OOMs too: a limit
/// that is the root or no cgroup path, with no memcg counters or stats but zone lines,
/// is not a memcg's.
fn is_memcg(ev: &OomEvent) -> bool {
    if !ev.is_memcg() {
        return false;
    }
    let Some(m) = ev.memcg.as_ref() else {
        return true;
    };
    let counters = m.usage_kb.is_some() || !m.stats.is_empty() || !m.subtree_stats.is_empty();
    let not_a_cgroup = m
        .oom_memcg
        .as_log_str()
        .is_some_and(|p| p == "/" || !p.starts_with('/'));
    let zones = ev.mem_info.as_ref().is_some_and(|mi| !mi.zones.is_empty());
    !(not_a_cgroup && !counters && zones && ev.constraint.is_none())
}

fn allocation(
    release: Option<&str>,
    t: &crate::event::Trigger,
    mi: Option<&MemInfo>,
) -> Allocation {
    let decoded = t
        .gfp_mask
        .as_log_str()
        .and_then(|m| gfp::decode(release, m, t.gfp_flags.as_log_str()));
    let readings = decoded.as_ref().map(|d| d.readings()).unwrap_or_default();
    let one = decoded.as_ref().and_then(|d| d.one());
    // Readings that disagree on other flags may still agree on the zones.
    let zones = readings
        .first()
        .map(|g| g.zones)
        .filter(|z| readings.iter().all(|g| g.zones == *z));
    let reclaim = readings
        .first()
        .map(|g| g.can_reclaim)
        .filter(|r| readings.iter().all(|g| g.can_reclaim == *r));
    let page_kb = mi.and_then(|m| m.page_size_kb).unwrap_or(4);
    Allocation {
        gfp_mask: t.gfp_mask.clone(),
        gfp_flags: one
            .map(|g| g.flags.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default(),
        gfp_composite: one.and_then(|g| g.composite).map(str::to_string),
        gfp_names: one
            .map(|g| g.names.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default(),
        gfp_tables: one.and_then(|g| {
            let (r, agree) = match &g.basis {
                gfp::Basis::Table { range, .. } => (range, ""),
                // The release is not known: every candidate table reads it the same.
                gfp::Basis::AllAgree { range } => (range, ", every table agrees"),
                _ => return None,
            };
            Some(format!("{}{agree}", range_words(r)))
        }),
        gfp_ambiguous: matches!(decoded, Some(gfp::Decoded::Ambiguous(_))),
        gfp_readings: match &decoded {
            Some(gfp::Decoded::Ambiguous(all)) => all
                .iter()
                .filter_map(|g| match &g.basis {
                    gfp::Basis::Candidate { range } => Some(GfpReading {
                        tables: range_words(range),
                        names: if g.names.is_empty() {
                            &g.flags
                        } else {
                            &g.names
                        }
                        .iter()
                        .map(|f| f.to_string())
                        .collect(),
                    }),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        },
        highest_zone: match zones {
            Some(AllowedZones::UpTo(z)) => Some(z),
            _ => None,
        },
        can_reclaim: reclaim,
        order: t.order,
        requested_kb: t
            .order
            .filter(|o| (0..=20).contains(o))
            .and_then(|o| page_kb.checked_mul(1 << o)),
    }
}

/// `2.6.32`, `2.6.31–4.3`, `4.6+`.
fn range_words(r: &gfp::Range) -> String {
    match r.to {
        Some(to) if to == r.from => r.from.to_string(),
        Some(to) => format!("{}–{to}", r.from),
        None => format!("{}+", r.from),
    }
}

fn zone_type(name: &str) -> Option<gfp::Zone> {
    Some(match name {
        "DMA" => gfp::Zone::Dma,
        "DMA32" => gfp::Zone::Dma32,
        "Normal" => gfp::Zone::Normal,
        "HighMem" => gfp::Zone::HighMem,
        "Movable" => gfp::Zone::Movable,
        _ => return None,
    })
}

/// The zone types of the machine in `lowmem_reserve[]` order, when the printed arrays
/// can be matched to them (each zone's own entry, and those below it, are 0).
fn reserve_layout(mi: &MemInfo) -> Option<Vec<Option<gfp::Zone>>> {
    use gfp::Zone as Z;
    let n = mi.lowmem_reserve.iter().map(Vec::len).find(|&l| l > 0)?;
    let has = |name: &str| mi.zones.iter().any(|z| z.name == name);
    let mut l: Vec<Option<Z>> = if has("HighMem") {
        vec![
            Some(Z::Dma),
            Some(Z::Normal),
            Some(Z::HighMem),
            Some(Z::Movable),
            None,
        ]
    } else {
        vec![
            Some(Z::Dma),
            Some(Z::Dma32),
            Some(Z::Normal),
            Some(Z::Movable),
            None,
        ]
    };
    // Drop ZONE_DEVICE, then the low zones this machine's kernel was built without.
    for drop in [None, Some(Z::Dma), Some(Z::Dma32)] {
        if l.len() > n
            && (drop.is_none()
                || !mi
                    .zones
                    .iter()
                    .any(|z| zone_type(z.name.as_log_str()) == drop))
        {
            l.retain(|z| *z != drop);
        }
    }
    if l.len() != n {
        return None;
    }
    let consistent = mi.zones.iter().zip(&mi.lowmem_reserve).all(|(z, r)| {
        r.is_empty()
            || zone_type(z.name.as_log_str())
                .and_then(|t| l.iter().position(|x| *x == Some(t)))
                .is_some_and(|i| r.len() == n && r[..=i].iter().all(|v| *v == 0))
    });
    consistent.then_some(l)
}

fn zone_states(mi: &MemInfo, alloc: Option<&Allocation>) -> Vec<ZoneState> {
    let page_kb = mi.page_size_kb.unwrap_or(4);
    let has_dma32 = mi.zones.iter().any(|z| z.name == "DMA32");
    let has_highmem = mi.zones.iter().any(|z| z.name == "HighMem");
    // Without the zone in the kernel, GFP_DMA32 and __GFP_HIGHMEM mean ZONE_NORMAL
    // (OPT_ZONE_DMA32 / OPT_ZONE_HIGHMEM in include/linux/gfp.h).
    let top = alloc.and_then(|a| a.highest_zone).map(|z| match z {
        gfp::Zone::Dma32 if !has_dma32 => gfp::Zone::Normal,
        gfp::Zone::HighMem if !has_highmem => gfp::Zone::Normal,
        z => z,
    });
    let layout = reserve_layout(mi);
    let top_index = top.and_then(|t| {
        let l = layout.as_ref()?;
        l.iter()
            .position(|z| *z == Some(t))
            .or_else(|| l.iter().rposition(|z| z.is_some_and(|z| z < t)))
    });
    mi.zones
        .iter()
        .enumerate()
        .map(|(i, z)| {
            let buddy = mi
                .buddy
                .iter()
                .find(|b| b.zone == z.name && b.node == z.node);
            let largest = buddy.map(|b| {
                b.orders
                    .iter()
                    .filter(|(_, count, types)| *count > 0 && types != "H")
                    .map(|(kb, _, _)| *kb)
                    .max()
                    .unwrap_or(0)
            });
            let reserve_kb = top_index.and_then(|ti| {
                mi.lowmem_reserve
                    .get(i)
                    .and_then(|r| r.get(ti))
                    .map(|p| p.saturating_mul(page_kb))
            });
            ZoneState {
                node: z.node,
                zone: z.name.clone(),
                allowed: top.map(|t| zone_type(z.name.as_log_str()).is_some_and(|zt| zt <= t)),
                free_kb: z.free_kb,
                min_kb: z.min_kb,
                low_kb: z.low_kb,
                high_kb: z.high_kb,
                managed_kb: z.managed_kb,
                below_min: z.free_kb.zip(z.min_kb).map(|(f, m)| f < m),
                reserve_kb,
                largest_free_kb: largest,
                line: mi.zone_lines.get(i).copied(),
                buddy_line: buddy.map(|b| b.line),
            }
        })
        .collect()
}

/// Zones the request may use: allowed by its mask (all, when the mask is not known)
/// and not held back whole by lowmem_reserve.
fn usable_zones(zones: &[ZoneState]) -> Vec<&ZoneState> {
    zones
        .iter()
        .filter(|z| z.allowed != Some(false))
        .filter(|z| !matches!((z.free_kb, z.reserve_kb), (Some(f), Some(r)) if f <= r))
        .collect()
}

/// Usable zones with memory above min but no free block of `req_kb` or more: where a
/// fragmentation verdict sees the memory the request could not take.
fn fragmented_zones(zones: &[ZoneState], req_kb: u64) -> Vec<&ZoneState> {
    usable_zones(zones)
        .into_iter()
        .filter(|z| matches!((z.free_kb, z.min_kb), (Some(f), Some(m)) if f > m))
        .filter(|z| z.largest_free_kb.is_some_and(|l| l < req_kb))
        .collect()
}

/// Machine, zone or fragmentation, from the zones of a global OOM.
fn global_kind(
    alloc: Option<&Allocation>,
    zones: &[ZoneState],
    missing: &mut Vec<Missing>,
) -> CauseKind {
    if zones.is_empty() {
        missing.push(Missing::ZoneLines);
        return CauseKind::Machine;
    }
    let known = zones.iter().all(|z| z.allowed.is_some());
    if !known {
        missing.push(Missing::GfpZones);
    }
    let usable = usable_zones(zones);
    let order = alloc.and_then(|a| a.order).unwrap_or(0);
    let requested = alloc.and_then(|a| a.requested_kb);
    if order > 0
        && let Some(req) = requested
    {
        if zones.iter().any(|z| z.largest_free_kb.is_none()) {
            missing.push(Missing::BuddyLists);
        } else {
            // Memory above min in a zone with no block of the order...
            let above_min = !fragmented_zones(zones, req).is_empty();
            // ...and no block of it in a zone that could give one: a zone whose free,
            // less the request's pages beyond the first, is at or under min plus what
            // it keeps back for lower zones' users fails the kernel's first watermark
            // test (`__zone_watermark_ok()`) whatever its blocks (vm x, 6.1: DMA
            // 1800 − 12 kB ≤ min 88 + reserve 1704 kB, with a 1 MiB block; the order-2
            // request failed on DMA32's 4 and 8 kB holes).
            let extra = req - (req >> order.clamp(0, 20));
            let no_block = usable
                .iter()
                .filter(|z| match (z.free_kb, z.min_kb) {
                    (Some(f), Some(m)) => {
                        f.saturating_sub(extra) > m.saturating_add(z.reserve_kb.unwrap_or(0))
                    }
                    _ => true,
                })
                .all(|z| z.largest_free_kb.is_some_and(|l| l < req));
            if above_min && no_block {
                return CauseKind::Fragmentation;
            }
        }
    }
    // A zone it may use with more than twice its high watermark (plus what it keeps
    // back for lower zones' users) free: the allocator had memory, and what failed (a
    // page fault's charge, a driver) is not in the report. Twice, because memory a
    // victim of the OOM before frees can show up in the report (sid f: DMA32 6468 kB
    // free, high 5944 kB, right after a kill).
    if zones.iter().filter(|z| z.allowed != Some(false)).any(|z| {
        matches!((z.free_kb, z.high_kb), (Some(f), Some(h)) if f > h.saturating_add(z.reserve_kb.unwrap_or(0)).saturating_mul(2))
    }) {
        missing.push(Missing::Shortage);
        return CauseKind::Unknown;
    }
    if known {
        // Every zone it may use is under min (plus what it must leave to lower zones'
        // users), while a zone it may not use is above its own min.
        let starved = |z: &&ZoneState| match (z.free_kb, z.min_kb) {
            (Some(f), Some(m)) => f < m.saturating_add(z.reserve_kb.unwrap_or(0)),
            _ => false,
        };
        let allowed: Vec<&ZoneState> = zones.iter().filter(|z| z.allowed == Some(true)).collect();
        let others_free = zones
            .iter()
            .filter(|z| z.allowed == Some(false))
            .any(|z| matches!((z.free_kb, z.high_kb.or(z.min_kb)), (Some(f), Some(h)) if f > h));
        if !allowed.is_empty() && allowed.iter().all(starved) && others_free {
            return CauseKind::Zone;
        }
    }
    CauseKind::Machine
}

fn parse_nodes(list: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in list.split(',') {
        let part = part.trim();
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
                if b < a || b - a > 4096 {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().ok()?),
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The allowed nodes of a cpuset or mempolicy OOM: stated by `constraint=`, or (before
/// 5.0) a cpuset's `mems_allowed` whose nodes' free memory is a small part of the
/// machine's free memory (the report filters its zone lines to the allowed nodes).
fn allowed_nodes(ev: &OomEvent) -> Option<(NodesBy, Vec<u32>)> {
    let s = ev.summary.as_ref();
    let mems = s
        .and_then(|s| s.mems_allowed.as_log_str())
        .map(|m| {
            m.split(',')
                .take_while(|p| !p.contains('_'))
                .collect::<Vec<_>>()
                .join(",")
        })
        .or_else(|| ev.cpuset.as_ref().map(|c| c.1.as_log_str().to_string()));
    let nodemask = s
        .and_then(|s| s.nodemask.clone())
        .or_else(|| ev.trigger.as_ref().and_then(|t| t.nodemask.clone()))
        .filter(|n| n != "(null)");
    match ev.scope {
        Some(Scope::Mempolicy) => Some((NodesBy::Mempolicy, parse_nodes(nodemask.as_log_str()?)?)),
        Some(Scope::Cpuset) => Some((NodesBy::Cpuset, parse_nodes(mems.as_deref()?)?)),
        _ if ev.constraint.is_none() => {
            // No constraint= line: a cpuset that left most of the machine's free memory
            // on nodes it does not allow says so by the numbers. The report prints the
            // zones of the allowed nodes only (`SHOW_MEM_FILTER_NODES`), so without the
            // cpuset line those are the allowed nodes.
            let mi = ev.mem_info.as_ref()?;
            let printed = || {
                let mut n: Vec<u32> = mi.zones.iter().filter_map(|z| z.node).collect();
                n.sort_unstable();
                n.dedup();
                (!n.is_empty()).then_some(n)
            };
            let nodes = match mems.as_deref() {
                Some(m) => parse_nodes(m)?,
                None => printed()?,
            };
            let machine_free = pages_kb(mi, "free")?;
            let zone_free: u64 = mi
                .zones
                .iter()
                .filter(|z| z.node.is_some_and(|n| nodes.contains(&n)))
                .filter_map(|z| z.free_kb)
                .fold(0, u64::saturating_add);
            let other_nodes = mi
                .zones
                .iter()
                .any(|z| z.node.is_some_and(|n| !nodes.contains(&n)));
            (zone_free > 0 && !other_nodes && machine_free > zone_free.saturating_mul(4))
                .then_some((NodesBy::Cpuset, nodes))
        }
        _ => None,
    }
}

/// A sum of log numbers: saturates instead of overflowing on absurd input.
fn sum_sat(it: impl Iterator<Item = u64>) -> u64 {
    it.fold(0, u64::saturating_add)
}

fn pages_kb(mi: &MemInfo, key: &str) -> Option<u64> {
    mi.counters
        .get(key)
        .map(|p| p.saturating_mul(mi.page_size_kb.unwrap_or(4)))
}

fn machine_scope(mi: Option<&MemInfo>) -> CauseScope {
    CauseScope::Machine {
        free_kb: mi.and_then(|m| pages_kb(m, "free")),
        free_swap_kb: mi.and_then(|m| m.free_swap_kb),
        total_swap_kb: mi.and_then(|m| m.total_swap_kb),
    }
}

fn machine_picture(mi: &MemInfo) -> Picture {
    let sum = |keys: &[&str]| {
        let v: Vec<u64> = keys.iter().filter_map(|k| pages_kb(mi, k)).collect();
        (!v.is_empty()).then(|| sum_sat(v.iter().copied()))
    };
    let shmem = pages_kb(mi, "shmem");
    Picture::Machine {
        anon_kb: sum(&["active_anon", "inactive_anon", "isolated_anon"])
            .map(|a| a.saturating_sub(shmem.unwrap_or(0))),
        shmem_kb: shmem,
        page_cache_kb: sum(&["active_file", "inactive_file", "isolated_file"]),
        free_kb: pages_kb(mi, "free"),
        free_swap_kb: mi.free_swap_kb,
        total_swap_kb: mi.total_swap_kb,
        dirty_kb: pages_kb(mi, "dirty"),
        writeback_kb: pages_kb(mi, "writeback"),
        slab_unreclaimable_kb: pages_kb(mi, "slab_unreclaimable"),
    }
}

fn nodes_picture(mi: &MemInfo, nodes: &[NodeState]) -> Option<Picture> {
    let mut sum = std::collections::BTreeMap::<&str, u64>::new();
    let mut any = false;
    for c in mi
        .nodes
        .iter()
        .filter(|c| nodes.iter().any(|n| n.node == c.node))
    {
        any = true;
        for (k, v) in &c.kb {
            *sum.entry(k.as_str()).or_default() += v;
        }
    }
    if !any {
        return None;
    }
    let g = |k: &str| sum.get(k).copied().unwrap_or(0);
    Some(Picture::Nodes {
        anon_kb: g("active_anon")
            .saturating_add(g("inactive_anon"))
            .saturating_sub(g("shmem")),
        shmem_kb: g("shmem"),
        page_cache_kb: g("active_file").saturating_add(g("inactive_file")),
        free_kb: sum_sat(nodes.iter().map(|n| n.free_kb)),
        managed_kb: sum_sat(nodes.iter().filter_map(|n| n.managed_kb)),
        dirty_kb: g("dirty"),
        writeback_kb: g("writeback"),
    })
}

/// The counters of a memcg report and the one that bound: a counter is hit when its
/// usage is at the limit and its failcnt grew. When memory and memory+swap both are,
/// memory+swap bound: the memory counter alone would have been relieved by swapping
/// out, but swap-out does not lower memory+swap, so with it full reclaim could not make
/// room (and v1 charges memory+swap first, `try_charge_memcg`).
fn memcg_counter(m: &Memcg) -> (Option<Counter>, Vec<CounterState>) {
    let mut all = Vec::new();
    let mut push = |counter, usage: Option<u64>, limit: Option<u64>, failcnt: Option<u64>| {
        if let (Some(usage_kb), Some(limit_kb)) = (usage, limit) {
            all.push(CounterState {
                counter,
                usage_kb,
                limit_kb,
                failcnt,
                at_limit: limit_kb < UNLIMITED_KB && usage_kb.saturating_add(SLACK_KB) >= limit_kb,
            });
        }
    };
    push(
        Counter::MemorySwap,
        m.memsw_usage_kb,
        m.memsw_limit_kb,
        m.memsw_failcnt,
    );
    push(Counter::Memory, m.usage_kb, m.limit_kb, m.failcnt);
    push(
        Counter::Kmem,
        m.kmem_usage_kb,
        m.kmem_limit_kb,
        m.kmem_failcnt,
    );
    push(Counter::Swap, m.swap_usage_kb, m.swap_limit_kb, None);
    let score =
        |c: &CounterState| u8::from(c.at_limit) * 2 + u8::from(c.failcnt.is_some_and(|f| f > 0));
    let best = all
        .iter()
        .filter(|c| c.counter != Counter::Swap && score(c) > 0)
        // memory+swap over memory (its share of swap used up); memory over kmem: a failed
        // kmem charge returns -ENOMEM and invokes no OOM killer (mm/memcontrol.c,
        // memcg_charge_kmem / __memcg_kmem_charge), so with both full the memory
        // counter's charge is the one that did.
        .max_by_key(|c| {
            (
                score(c),
                c.counter == Counter::MemorySwap,
                c.counter != Counter::Kmem,
            )
        });
    let mut hit = best.map(|c| c.counter);
    // cgroup v2: a full swap.max (not 0, which only turns swap off) behind a memory
    // counter at its limit.
    if hit == Some(Counter::Memory)
        && all
            .iter()
            .any(|c| c.counter == Counter::Swap && c.limit_kb > 0 && c.at_limit)
    {
        hit = Some(Counter::Swap);
    }
    (hit, all)
}

fn stat_kb(m: &Memcg, keys: &[&str]) -> Option<u64> {
    keys.iter().find_map(|k| m.stats.get(*k)).map(|b| b / 1024)
}

fn memcg_picture(m: &Memcg) -> Picture {
    let inactive_file = stat_kb(m, &["total_inactive_file", "inactive_file"]);
    Picture::Memcg {
        usage_kb: m.usage_kb,
        limit_kb: m.limit_kb,
        anon_kb: stat_kb(m, &["anon", "total_rss", "rss"]),
        file_kb: stat_kb(m, &["file", "total_cache", "cache"]),
        shmem_kb: stat_kb(m, &["shmem", "total_shmem"]),
        inactive_file_kb: inactive_file,
        working_set_kb: m
            .usage_kb
            .zip(inactive_file)
            .map(|(u, i)| u.saturating_sub(i)),
        swap_kb: m.swap_used_kb(),
        dirty_kb: stat_kb(m, &["file_dirty", "total_dirty", "dirty"]),
        writeback_kb: stat_kb(m, &["file_writeback", "total_writeback", "writeback"]),
        slab_unreclaimable_kb: stat_kb(m, &["slab_unreclaimable"]),
    }
}

/// Whose limit a memcg path is, for Kubernetes paths.
fn limit_level(path: &str) -> LimitLevel {
    let c = container::decode(path);
    match c.kind {
        ContainerKind::KubernetesContainer => LimitLevel::Container,
        ContainerKind::KubernetesPod => LimitLevel::Pod,
        ContainerKind::KubernetesQos if c.qos_class.is_some() => LimitLevel::QosTier,
        ContainerKind::KubernetesQos => LimitLevel::NodeAllocatable,
        _ => LimitLevel::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The causes of every report in a real sample (`samples/real/<prefix>-…log`).
    fn causes(prefix: &str) -> Vec<Cause> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/real");
        let path = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                let n = p.file_name().unwrap().to_str().unwrap();
                n.starts_with(&format!("{prefix}-")) && n.ends_with(".log")
            })
            .unwrap();
        let f = std::fs::File::open(&path).unwrap();
        let scan =
            crate::pipeline::scan_reader(prefix, f, None, &crate::pipeline::ScanOptions::default());
        scan.events.to_vec().unwrap().iter().map(analyse).collect()
    }

    fn zone<'a>(c: &'a Cause, name: &str) -> &'a ZoneState {
        c.zones.iter().find(|z| z.zone == name).unwrap()
    }

    #[test]
    fn fragmentation_needs_memory_above_min_and_no_block_of_the_order() {
        // 113: order 3 (32 kB); DMA32 free:45980kB min:28148kB but its largest block is
        // 16 kB; Normal's larger blocks are all (H), the high-order atomic reserve; DMA's
        // 4 MiB blocks are held back by lowmem_reserve (7658 pages > its 15516 kB free).
        let c = &causes("113")[0];
        assert_eq!(c.kind, CauseKind::Fragmentation);
        let a = c.allocation.as_ref().unwrap();
        assert_eq!((a.order, a.requested_kb), (Some(3), Some(32)));
        assert_eq!(a.gfp_composite.as_deref(), None);
        let (dma, dma32, normal) = (zone(c, "DMA"), zone(c, "DMA32"), zone(c, "Normal"));
        assert_eq!(
            (dma.reserve_kb, dma.largest_free_kb),
            (Some(30632), Some(4096))
        );
        assert_eq!(
            (dma32.free_kb, dma32.min_kb, dma32.largest_free_kb),
            (Some(45980), Some(28148), Some(16))
        );
        assert_eq!(
            (normal.below_min, normal.largest_free_kb),
            (Some(true), Some(4))
        );
        assert_eq!((dma32.line, dma32.buddy_line), (Some(45), Some(50)));
        // 108: order 3, DMA32 17904 kB free above min 0, blocks of 16 kB at most.
        let c = &causes("108")[0];
        assert_eq!(c.kind, CauseKind::Fragmentation);
        assert_eq!(zone(c, "DMA32").largest_free_kb, Some(16));
        // 109 (32-bit ARM): Normal free:4248kB min:1696kB, no block of 32 kB.
        let c = &causes("109")[0];
        assert_eq!(c.kind, CauseKind::Fragmentation);
        assert_eq!(zone(c, "Normal").largest_free_kb, Some(16));
        // 115: the vendor masked the mask ('0x60****'); the order and zones still say it.
        let c = &causes("115")[0];
        assert_eq!(c.kind, CauseKind::Fragmentation);
        assert_eq!(c.missing, vec![Missing::GfpZones]);
        assert_eq!(c.allocation.as_ref().unwrap().requested_kb, Some(32));
    }

    #[test]
    fn zone_when_lowmem_is_below_min_and_highmem_is_not() {
        // 107 (i686): GFP_KERNEL_ACCOUNT order 1, then GFP_DMA32 (ZONE_NORMAL on
        // 32-bit): Normal free:42396kB min:42416kB, HighMem free:120852kB unusable.
        let cs = causes("107");
        assert_eq!(cs.len(), 2);
        for c in &cs {
            assert_eq!(c.kind, CauseKind::Zone);
            assert_eq!(zone(c, "Normal").below_min, Some(true));
            assert_eq!(zone(c, "Normal").allowed, Some(true));
            assert_eq!(zone(c, "HighMem").allowed, Some(false));
        }
        assert_eq!(
            cs[1].allocation.as_ref().unwrap().highest_zone,
            Some(gfp::Zone::Dma32)
        );
        assert_eq!(
            cs[0].picture,
            Some(Picture::Zones {
                free_kb: 4084 + 42396,
                min_kb: 788 + 42416,
                managed_kb: 15908 + 854344,
            })
        );
    }

    #[test]
    fn numa_nodes_from_constraint_or_the_cpuset_line() {
        // 102: CONSTRAINT_MEMORY_POLICY, nodemask=3.
        let c = &causes("102")[0];
        assert_eq!(c.kind, CauseKind::NumaNodes);
        let CauseScope::Nodes {
            by,
            allowed,
            nodes,
            machine_free_kb,
        } = &c.scope
        else {
            panic!("{:?}", c.scope)
        };
        assert_eq!((*by, allowed.as_slice()), (NodesBy::Mempolicy, &[3][..]));
        assert_eq!(nodes[0].free_kb, 36376);
        // The header, node 3's zone line and its Node 3 counter line, the oom-kill line.
        assert_eq!(c.lines, [1, 32, 33, 90]);
        assert_eq!(*machine_free_kb, Some(1_378_257 * 4));
        // 100: CONSTRAINT_CPUSET mems_allowed=4, whose only zone (Movable) the mask
        // may not use.
        let c = &causes("100")[0];
        assert_eq!(c.kind, CauseKind::NumaNodes);
        assert_eq!(zone(c, "Movable").allowed, Some(false));
        // 101, 103, 112: constraint lines only.
        for (p, by) in [("101", NodesBy::Cpuset), ("103", NodesBy::Mempolicy)] {
            let c = &causes(p)[0];
            assert_eq!(c.kind, CauseKind::NumaNodes, "{p}");
            assert!(
                matches!(c.scope, CauseScope::Nodes { by: b, .. } if b == by),
                "{p}"
            );
        }
        let cs = causes("112");
        assert_eq!(
            cs.iter().map(|c| c.kind).collect::<Vec<_>>(),
            [CauseKind::NumaNodes; 2]
        );
        // 114 (no constraint= line; Alibaba's "limit of host"): node 1's zones hold
        // 43636 kB free of the machine's 4111496 pages.
        let c = &causes("114")[0];
        assert_eq!(c.kind, CauseKind::NumaNodes);
        assert!(matches!(&c.scope, CauseScope::Nodes { allowed, .. } if allowed == &[1]));
        assert_eq!(c.lines, [1, 2, 7]);
    }

    #[test]
    fn manual_by_order_trace_or_sysrq_line() {
        // 104 and 111: order=-1; 105 (3.19): order=0 after "SysRq : Manual OOM
        // execution"; 106 (2.6.26): moom_callback in the trace.
        let kinds = |p| causes(p).iter().map(|c| c.kind).collect::<Vec<_>>();
        assert_eq!(
            kinds("104"),
            [
                CauseKind::Machine,
                CauseKind::Machine,
                CauseKind::Manual,
                CauseKind::Manual,
                CauseKind::Manual,
                CauseKind::Manual
            ]
        );
        assert_eq!(kinds("105"), [CauseKind::Manual; 3]);
        assert_eq!(causes("105")[0].lines, [24, 25]);
        assert_eq!(kinds("106"), [CauseKind::Manual]);
        assert_eq!(kinds("111"), [CauseKind::Manual]);
        assert_eq!(
            causes("111")[0].allocation.as_ref().unwrap().requested_kb,
            None
        );
    }

    /// No public report has a `kmem:` counter at its limit (5.10 prints none: see
    /// tests/integration/vm.rs), so the counter lines a 3.x–5.x v1 report prints for one
    /// (`memory: usage 204800kB, limit 1048576kB, failcnt 0`, `kmem: usage 16384kB,
    /// limit 16384kB, failcnt 500`) are given here as fields.
    #[test]
    fn kmem_when_only_the_kmem_counter_is_at_its_limit() {
        let m = Memcg {
            usage_kb: Some(204_800),
            limit_kb: Some(1_048_576),
            failcnt: Some(0),
            kmem_usage_kb: Some(16_384),
            kmem_limit_kb: Some(16_384),
            kmem_failcnt: Some(500),
            ..Default::default()
        };
        assert_eq!(memcg_counter(&m).0, Some(Counter::Kmem));
        // With the memory counter at its limit too, memory is what bound.
        let m = Memcg {
            usage_kb: Some(1_048_576),
            failcnt: Some(12),
            ..m
        };
        assert_eq!(memcg_counter(&m).0, Some(Counter::Memory));
    }

    #[test]
    fn memsw_when_memory_plus_swap_bound() {
        // 015: memory+swap at its limit with failcnt 61602, memory 130 MiB below its
        // limit with failcnt 0.
        let c = &causes("015")[0];
        assert_eq!(c.kind, CauseKind::MemswLimit);
        let CauseScope::Memcg {
            counter,
            counters,
            level,
            ..
        } = &c.scope
        else {
            panic!()
        };
        assert_eq!(*counter, Some(Counter::MemorySwap));
        assert_eq!(*level, Some(LimitLevel::Container));
        let mem = counters
            .iter()
            .find(|c| c.counter == Counter::Memory)
            .unwrap();
        assert_eq!((mem.at_limit, mem.failcnt), (false, Some(0)));
        // 003: both at their limits: memory+swap bound (swap share used up).
        let cs = causes("003");
        assert_eq!(
            cs.iter().map(|c| c.kind).collect::<Vec<_>>(),
            [CauseKind::MemswLimit; 2]
        );
        assert_eq!(cs[1].lines, [61, 82, 83, 84]);
    }

    #[test]
    fn no_shortage_is_unknown() {
        // 022: a page-fault OOM (gfp_mask=0x0) with 112 GiB free in Normal.
        let cs = causes("022");
        for c in &cs {
            assert_eq!(c.kind, CauseKind::Unknown);
            assert_eq!(c.missing, vec![Missing::Shortage]);
        }
    }

    #[test]
    fn limit_levels_of_kubernetes_paths() {
        assert_eq!(limit_level("/kubepods.slice"), LimitLevel::NodeAllocatable);
        assert_eq!(limit_level("/kubepods"), LimitLevel::NodeAllocatable);
        assert_eq!(
            limit_level("/kubepods.slice/kubepods-burstable.slice"),
            LimitLevel::QosTier
        );
        assert_eq!(limit_level("/kubepods/besteffort"), LimitLevel::QosTier);
        assert_eq!(
            limit_level("/kubepods/burstable/pod0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
            LimitLevel::Pod
        );
        assert_eq!(limit_level("/system.slice/foo.service"), LimitLevel::Other);
    }

    #[test]
    fn node_lists() {
        assert_eq!(parse_nodes("0-2,5"), Some(vec![0, 1, 2, 5]));
        assert_eq!(parse_nodes("(null)"), None);
        assert_eq!(parse_nodes("3-1"), None);
    }
}

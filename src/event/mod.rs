//! Events: one OOM-killer invocation with every fact its report states.
//!
//! Records are many and borrowed; events are few and owned, because they outlive the
//! line buffer. The [`Assembler`] turns a record stream into events; this module holds
//! the model. Values are `None` when the log does not state them, never guessed.

mod assemble;
#[doc(hidden)]
pub mod classify;
mod fill;
#[doc(hidden)]
pub mod kinds;
mod meminfo;
#[doc(hidden)]
pub mod store;
mod tasks;
pub mod userspace;

#[doc(hidden)]
pub use assemble::Assembler;
pub use assemble::{AssemblerOptions, BootClocks, BootEvidence};
pub use store::{Budget, DEFAULT_BUDGET, InputScan};
pub use tasks::{TaskRow, TaskTable};
pub use userspace::{
    Decision, KillLink, Killer, MemStatus, Reporter, Rule, UnitFacts, UserKill, UserTask,
};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::record::{Printk, Wall};
use crate::text::{LogString, OptionLogStr};

/// Where an event's lines are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSpan {
    /// The input (`-` for standard input).
    pub path: LogString,
    /// First line of the report in the input.
    pub first_line: u64,
    /// Last line that was attributed to the event.
    pub last_line: u64,
}

/// The task whose allocation failed (the header's `%s` and the CPU line's PID).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Trigger {
    /// Process name.
    pub comm: Option<LogString>,
    /// PID, from the `CPU:`/`Pid:` line.
    pub pid: Option<u32>,
    /// `gfp_mask=` as printed (numeric layouts differ between kernels).
    pub gfp_mask: Option<LogString>,
    /// Flag names the kernel printed for the mask (4.6+).
    pub gfp_flags: Option<LogString>,
    /// Allocation order; `-1` is a manual (SysRq) OOM.
    pub order: Option<i32>,
    /// `oom_score_adj` of the allocating task.
    pub oom_score_adj: Option<i32>,
    /// `oom_adj` (2.6.32–3.6 headers).
    pub oom_adj: Option<i32>,
    /// Allocation nodemask (4.9–4.20 headers).
    pub nodemask: Option<LogString>,
}

/// The `oom-kill:` summary line (5.0+) as printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OomSummary {
    /// `constraint=`
    pub constraint: Option<LogString>,
    /// `nodemask=`
    pub nodemask: Option<LogString>,
    /// `cpuset=` (name of the cpuset)
    pub cpuset: Option<LogString>,
    /// `mems_allowed=`
    pub mems_allowed: Option<LogString>,
    /// `oom_memcg=`
    pub oom_memcg: Option<LogString>,
    /// The line said `global_oom`.
    pub global_oom: bool,
    /// `task_memcg=`
    pub task_memcg: Option<LogString>,
    /// `task=`
    pub task: Option<LogString>,
    /// `pid=`
    pub pid: Option<u32>,
    /// `uid=`
    pub uid: Option<u32>,
}

/// Memory cgroup state at the OOM.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Memcg {
    /// The memcg whose limit was hit (`oom_memcg=`, or `limit of`).
    pub oom_memcg: Option<LogString>,
    /// The victim's memcg (`task_memcg=`, or `Task in`).
    pub task_memcg: Option<LogString>,
    /// `memory: usage` kB.
    pub usage_kb: Option<u64>,
    /// `memory: limit` kB.
    pub limit_kb: Option<u64>,
    /// `memory: failcnt`.
    pub failcnt: Option<u64>,
    /// cgroup v2 `swap: usage` kB.
    pub swap_usage_kb: Option<u64>,
    /// cgroup v2 `swap: limit` kB.
    pub swap_limit_kb: Option<u64>,
    /// cgroup v1 `memory+swap: usage` kB.
    pub memsw_usage_kb: Option<u64>,
    /// cgroup v1 `memory+swap: limit` kB.
    pub memsw_limit_kb: Option<u64>,
    /// cgroup v1 `memory+swap: failcnt`.
    pub memsw_failcnt: Option<u64>,
    /// cgroup v1 `kmem: usage` kB.
    pub kmem_usage_kb: Option<u64>,
    /// cgroup v1 `kmem: limit` kB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kmem_limit_kb: Option<u64>,
    /// cgroup v1 `kmem: failcnt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kmem_failcnt: Option<u64>,
    /// Line numbers of the counter lines (`memory:`, `memory+swap:`, `swap:`, `kmem:`),
    /// in the order they came.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counter_lines: Vec<u64>,
    /// `memory.stat` of the OOM memcg: sizes in bytes (converted from kB where the
    /// kernel printed kB), event counters as counts.
    pub stats: BTreeMap<String, u64>,
    /// The cgroup the `stats` belong to.
    pub stats_path: Option<LogString>,
    /// 3.10–5.2 print local stats for every memcg in the OOM subtree; all of them, by path.
    pub subtree_stats: Vec<(LogString, BTreeMap<String, u64>)>,
}

impl Memcg {
    /// Swap the cgroup had in use, kB: the cgroup v2 `swap:` line, or v1's memory+swap
    /// usage minus its memory usage (a report prints one or the other).
    pub fn swap_used_kb(&self) -> Option<u64> {
        self.swap_usage_kb.or_else(|| {
            self.memsw_usage_kb
                .zip(self.usage_kb)
                .map(|(a, b)| a.saturating_sub(b))
        })
    }
}

/// One zone line of Mem-Info.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Zone {
    /// NUMA node, when printed.
    pub node: Option<u32>,
    /// Zone name (`DMA`, `DMA32`, `Normal`, …).
    pub name: LogString,
    /// `free:` kB.
    pub free_kb: Option<u64>,
    /// `min:` watermark kB.
    pub min_kb: Option<u64>,
    /// `low:` watermark kB.
    pub low_kb: Option<u64>,
    /// `high:` watermark kB.
    pub high_kb: Option<u64>,
    /// `present:` kB.
    pub present_kb: Option<u64>,
    /// `managed:` kB (3.8+).
    pub managed_kb: Option<u64>,
}

/// The Mem-Info / show_mem block (global OOMs; memcg OOMs before 3.10).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MemInfo {
    /// Global counters in pages (`active_anon`, `inactive_file`, `free`, `shmem`,
    /// `slab_reclaimable`, `pagetables`, …) as printed.
    pub counters: BTreeMap<String, u64>,
    /// `N pages RAM`.
    pub pages_ram: Option<u64>,
    /// `N pages reserved`.
    pub pages_reserved: Option<u64>,
    /// `N pages cma reserved`.
    pub pages_cma_reserved: Option<u64>,
    /// `N pages HighMem[/MovableOnly]`.
    pub pages_highmem: Option<u64>,
    /// `N total pagecache pages`.
    pub pagecache_pages: Option<u64>,
    /// `N pages in swap cache`.
    pub swapcache_pages: Option<u64>,
    /// `Free swap  = NkB`.
    pub free_swap_kb: Option<u64>,
    /// `Total swap = NkB`.
    pub total_swap_kb: Option<u64>,
    /// Page size in kB, read from the first buddy-list bucket (`1*4kB`).
    pub page_size_kb: Option<u64>,
    /// Zone lines.
    pub zones: Vec<Zone>,
    /// Largest unreclaimable slab caches: (name, used kB, total kB).
    pub unreclaimable_slab: Vec<(LogString, u64, u64)>,
    /// Line number of each zone line, index-aligned with `zones`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zone_lines: Vec<u64>,
    /// The `lowmem_reserve[]:` pages after each zone line, index-aligned with `zones`
    /// (empty where the line is not in the log).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lowmem_reserve: Vec<Vec<u64>>,
    /// Buddy lists (`Node 0 Normal: 26*4kB (M) 0*8kB … = 104kB`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buddy: Vec<BuddyList>,
    /// Per-node counters (`Node 1 active_anon:12kB inactive_anon:199420kB …`), kB.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeCounters>,
}

/// One buddy-list line: the free blocks of a zone per order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuddyList {
    /// NUMA node, when printed.
    pub node: Option<u32>,
    /// Zone name.
    pub zone: LogString,
    /// Per order, lowest first: (block kB, free blocks, migrate types as printed, e.g.
    /// `UME`; `H` alone is the high-order atomic reserve ordinary requests cannot use).
    pub orders: Vec<(u64, u64, String)>,
    /// Line number.
    pub line: u64,
}

/// The `Node N …` counter line of Mem-Info (4.8+), kB.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCounters {
    /// NUMA node.
    pub node: u32,
    /// Counters as printed, kB (`active_anon`, `inactive_file`, `shmem`, …).
    pub kb: BTreeMap<String, u64>,
    /// Line number.
    pub line: u64,
}

/// The task the kernel selected, from a pre-5.1 `Kill process … score S` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KernelChoice {
    /// PID.
    pub pid: u32,
    /// Process name.
    pub comm: LogString,
    /// The printed score (0–1000 normalised on 2.6.36+, raw on older kernels).
    pub score: Option<u64>,
    /// The message prefix (`Out of memory`, `Memory cgroup out of memory`, …).
    pub message: LogString,
}

/// What the log says about a kill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Evidence {
    /// A `Killed process` line.
    KilledLine,
    /// Only the `oom-kill:` summary names the victim.
    Summary,
    /// Only a `Kill process … score` selection line (a child may have died instead).
    Selection,
    /// Only an `oom_reaper` line names the victim.
    Reaper,
    /// `Kill process N (x) sharing same memory`: killed along with the victim.
    SharedMm,
}

/// A killed task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Killed {
    /// PID.
    pub pid: u32,
    /// Process name.
    pub comm: LogString,
    /// UID (5.4+ and RHEL variants print it).
    pub uid: Option<u32>,
    /// Virtual size, kB.
    pub total_vm_kb: Option<u64>,
    /// Anonymous rss, kB.
    pub anon_rss_kb: Option<u64>,
    /// File-backed rss, kB.
    pub file_rss_kb: Option<u64>,
    /// Shared-memory rss, kB (4.5+).
    pub shmem_rss_kb: Option<u64>,
    /// Page tables, kB (5.4+).
    pub pgtables_kb: Option<u64>,
    /// The victim's `oom_score_adj` (5.4+).
    pub oom_score_adj: Option<i32>,
    /// The line's message prefix, e.g. `Memory cgroup out of memory`.
    pub message: Option<LogString>,
    /// What says it was killed.
    pub evidence: Evidence,
    /// Killed as a member of a `memory.oom.group`.
    pub group: bool,
    /// The line was cut short in the log (values may be missing).
    pub cut: bool,
    /// Line number of the evidence.
    pub line: u64,
    /// Every line of this event that names the kill (a sweep names its first victim
    /// again; a paste may hold the same line twice): the task is counted once.
    #[serde(default)]
    pub lines: Vec<u64>,
}

/// An `oom_reaper` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reaped {
    /// PID.
    pub pid: u32,
    /// Process name.
    pub comm: LogString,
    /// `reaped`, `unable` (could not reap), or `gave-up`.
    pub outcome: String,
    /// Anonymous rss left after reaping, kB.
    pub anon_rss_kb: Option<u64>,
    /// File rss left, kB.
    pub file_rss_kb: Option<u64>,
    /// Shared-memory rss left, kB.
    pub shmem_rss_kb: Option<u64>,
}

/// How a report ended when it did not end in a kill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Ending {
    /// `Out of memory and no killable processes...`
    NoKillableProcess,
    /// The system panicked (`panic_on_oom`, or deadlocked).
    Panic {
        /// The panic text.
        text: LogString,
    },
    /// The chosen victim was already exiting (5.9+ says so).
    VictimExiting {
        /// PID.
        pid: u32,
        /// Process name.
        comm: LogString,
    },
}

/// `Rebooting in N seconds..`, the last line a panic prints when `kernel.panic` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reboot {
    /// Seconds the kernel waited before rebooting.
    pub after_s: u64,
    /// The line that says so.
    pub line: u64,
}

/// One OOM-killer invocation (the default is an event no line has filled yet).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OomEvent {
    /// Where the report is.
    pub source: SourceSpan,
    /// Host name from the log.
    pub host: Option<LogString>,
    /// Journal boot id, when known.
    pub boot_id: Option<LogString>,
    /// Boot counter within the input (bumps at `Linux version` lines and clock resets).
    pub boot_seq: u32,
    /// Wall-clock time of the first line, as the log gives it.
    pub wall: Option<Wall>,
    /// Where the wall-clock time (its year) comes from; set when the input's year is
    /// fixed (the event store), `None` before or without any time.
    #[serde(default)]
    pub time_basis: Option<crate::record::TimeBasis>,
    /// The boot time `wall` was derived from, for a log that states only the time since
    /// boot (`time_basis` is then `BootTimeDerived` or `BootTimeGiven`).
    #[serde(default)]
    pub boot_time: Option<crate::record::clock::BootTime>,
    /// printk time of the first line.
    pub printk: Option<Printk>,
    /// `uname -r` of the kernel, from the CPU line or a boot line.
    pub kernel_version: Option<LogString>,
    /// The allocating task.
    pub trigger: Option<Trigger>,
    /// The separate cpuset line (≤ 4.20): (cpuset name, mems_allowed).
    pub cpuset: Option<(LogString, LogString)>,
    /// `CONSTRAINT_*` as the `oom-kill:` line states it (5.0+); `None` otherwise.
    pub constraint: Option<LogString>,
    /// What the OOM was limited to: stated by `constraint=`, else inferred from the
    /// report's memcg lines and message wording.
    pub scope: Option<Scope>,
    /// The `oom-kill:` line.
    pub summary: Option<OomSummary>,
    /// Memory cgroup block.
    pub memcg: Option<Memcg>,
    /// Mem-Info block.
    pub mem_info: Option<MemInfo>,
    /// Pre-5.1 selection line.
    pub kernel_choice: Option<KernelChoice>,
    /// Killed tasks (several for `memory.oom.group`).
    pub killed: Vec<Killed>,
    /// oom_reaper results.
    pub reaped: Vec<Reaped>,
    /// `memory.oom.group` cgroup, when the kernel killed a whole group.
    pub group_kill: Option<LogString>,
    /// The task table.
    pub tasks: TaskTable,
    /// Number of call-trace frames printed.
    pub trace_frames: u32,
    /// OOM-relevant functions seen in the trace (e.g. `mem_cgroup_out_of_memory`).
    pub trace_hints: Vec<String>,
    /// How the report ended, if not with a kill.
    pub ending: Option<Ending>,
    /// `oom_kill_process: N callbacks suppressed` right before (or, on kernels that
    /// rate-limit the kill message itself, where the kill line should be): reports
    /// or kill lines were dropped.
    pub suppressed_before: Option<u64>,
    /// The panic's last line after this report, `Rebooting in N seconds..`: the machine
    /// rebooted N seconds later (`kernel.panic` timeout); its line number.
    #[serde(default)]
    pub rebooted: Option<Reboot>,
    /// The whole report is in the log.
    pub complete: bool,
    /// What is missing or odd, in words.
    pub notes: Vec<String>,
    /// The report's kernel lines, when kept (`[uptime] text`).
    pub raw: Vec<LogString>,
    /// Line number of a `SysRq : Manual OOM execution` line right before the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sysrq_line: Option<u64>,
    /// Line numbers of single report lines the analysis cites.
    #[serde(default, skip_serializing_if = "ReportLines::is_empty")]
    pub lines: ReportLines,
    /// Who killed: the kernel's OOM killer (its report) or a userspace killer.
    #[serde(default)]
    pub killer: Killer,
    /// A userspace killer's kill (or a kernel kill as only a service manager reports it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userspace: Option<Box<UserKill>>,
    /// systemd's unit lines about this kill: which unit died, with what result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Box<UnitFacts>>,
    /// Userspace killers' attempts on the victim before the kernel killed it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<KillLink>,
}

/// Line numbers of single lines of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLines {
    /// The `oom-kill:` summary line.
    pub summary: Option<u64>,
    /// The separate cpuset line (≤ 4.20).
    pub cpuset: Option<u64>,
}

impl ReportLines {
    /// Nothing recorded.
    pub fn is_empty(&self) -> bool {
        *self == ReportLines::default()
    }
}

/// The domain that ran out of memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Scope {
    /// A memory cgroup's limit.
    Memcg,
    /// The whole machine.
    Global,
    /// The nodes of a cpuset.
    Cpuset,
    /// The nodes of a memory policy.
    Mempolicy,
}

/// The scope an event's lines show: `constraint=` when printed, else memcg lines or
/// memcg wording, else a global Mem-Info report.
pub fn infer_scope(ev: &OomEvent) -> Option<Scope> {
    match ev.constraint.as_log_str() {
        Some("CONSTRAINT_MEMCG") => return Some(Scope::Memcg),
        Some("CONSTRAINT_NONE") => return Some(Scope::Global),
        Some("CONSTRAINT_CPUSET") => return Some(Scope::Cpuset),
        Some("CONSTRAINT_MEMORY_POLICY") => return Some(Scope::Mempolicy),
        _ => {}
    }
    let memcg_lines = ev.memcg.as_ref().is_some_and(|m| {
        m.oom_memcg.is_some()
            || m.usage_kb.is_some()
            || !m.subtree_stats.is_empty()
            || !m.stats.is_empty()
    });
    let memcg_words = ev
        .killed
        .iter()
        .filter_map(|k| k.message.as_log_str())
        .chain(ev.kernel_choice.as_ref().map(|c| c.message.as_log_str()))
        .any(|m| m.starts_with("Memory cgroup"));
    let memcg_trace = ev.trace_hints.iter().any(|h| h.starts_with("mem_cgroup_"));
    if memcg_lines || memcg_words || memcg_trace {
        return Some(Scope::Memcg);
    }
    let global_words = ev
        .killed
        .iter()
        .filter_map(|k| k.message.as_log_str())
        .chain(ev.kernel_choice.as_ref().map(|c| c.message.as_log_str()))
        .any(|m| m.eq_ignore_ascii_case("Out of memory"));
    if ev.mem_info.is_some() || global_words || ev.summary.as_ref().is_some_and(|s| s.global_oom) {
        return Some(Scope::Global);
    }
    None
}

impl Killed {
    /// A victim known by pid and name only (a reaper, summary, selection or
    /// shared-mm line): every size unknown.
    pub(crate) fn known(pid: u32, comm: LogString, evidence: Evidence, line: u64) -> Killed {
        Killed {
            pid,
            comm,
            uid: None,
            total_vm_kb: None,
            anon_rss_kb: None,
            file_rss_kb: None,
            shmem_rss_kb: None,
            pgtables_kb: None,
            oom_score_adj: None,
            message: None,
            evidence,
            group: false,
            cut: false,
            line,
            lines: vec![line],
        }
    }
}

impl OomEvent {
    /// The killed task the report is about: the one the kernel chose by rank (not a
    /// task that merely shared its memory, nor a `memory.oom.group` companion), best
    /// shown by a `Killed process` line, else by other evidence; else the first kill on
    /// record.
    pub fn victim(&self) -> Option<&Killed> {
        let chosen = |k: &&Killed| k.evidence != Evidence::SharedMm && !k.group;
        self.killed
            .iter()
            .filter(chosen)
            .find(|k| k.evidence == Evidence::KilledLine)
            .or_else(|| self.killed.iter().find(chosen))
            .or_else(|| self.killed.first())
    }

    /// Whether the OOM was limited to a memory cgroup.
    pub fn is_memcg(&self) -> bool {
        self.scope == Some(Scope::Memcg)
    }
}

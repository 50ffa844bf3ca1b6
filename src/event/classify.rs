//! What one kernel message says, for every OOM-report line shape from 2.6.x to 6.x.
//!
//! The [`Line`] model and the classifier of each kind of line; which kinds there are,
//! in what order they are tried, what they do between reports and how they fill the
//! event is the table in [`crate::event::kinds`] (the fill functions are in
//! `event::fill`).
//!
//! The kernel format strings behind each pattern are catalogued (with versions and
//! sources) in `docs/kernel-formats.md` of the oomlens repository; the names below follow
//! its sections. Text fields (process names, cgroup paths) may contain spaces, commas
//! and parentheses, so they are cut at the last delimiter the format string puts after
//! them, never at the first.

use std::sync::LazyLock;

use memchr::memmem;
use regex::bytes::Regex;

/// One classified kernel line.
#[derive(Debug, Clone, PartialEq)]
pub enum Line<'a> {
    /// `<comm> invoked oom-killer: gfp_mask=…, order=…, oom_score_adj=…` (§2.1).
    Header(HeaderLine<'a>),
    /// `<comm> cpuset=<name> mems_allowed=<nodes>` (§2.2).
    Cpuset {
        /// Cpuset name (last path component).
        name: &'a [u8],
        /// Allowed memory nodes.
        mems: &'a [u8],
    },
    /// `CPU: N [UID: N] PID: N Comm: … <release> #…` or `Pid: N, comm: …` (§2.3).
    CpuLine {
        /// PID of the allocating task.
        pid: Option<u32>,
        /// Kernel release (`uname -r`).
        release: Option<&'a [u8]>,
    },
    /// `Hardware name: …`.
    Hardware,
    /// Call trace, registers, stack dump, `<TASK>` markers and the like.
    Trace {
        /// This line is a call-trace frame (`func+0x…/0x…`).
        frame: bool,
    },
    /// `Task in X killed as a result of limit of Y` (§2.4), or its first half when a
    /// 3.16/3.17 kernel split it.
    TaskIn {
        /// The victim's memcg.
        task: &'a [u8],
        /// The memcg whose limit was hit.
        limit: Option<&'a [u8]>,
    },
    /// The second half of a split `Task in` line: `killed as a result of limit of Y`.
    LimitOf(&'a [u8]),
    /// `Memory limit reached of cgroup X` (4.1–4.20, victim unknown).
    LimitReached(&'a [u8]),
    /// `memory:` / `memory+swap:` / `kmem:` / `swap:` `usage NkB, limit NkB, failcnt N`.
    Counter(Counter),
    /// `Memory cgroup stats for PATH:` with the v1 one-line stats after it, if any.
    StatsHeader {
        /// The memcg.
        path: &'a [u8],
        /// `cache:0KB rss:980KB …` on the same line (3.10–5.2).
        inline: Option<&'a [u8]>,
    },
    /// `name value` inside a multi-line `memory.stat` block (5.3+).
    StatValue(&'a [u8], u64),
    /// `Memory cgroup min protection …` (6.19).
    Protection,
    /// `Mem-Info:` (§2.5).
    MemInfoStart,
    /// A Mem-Info line with `name:pages` counters (global summary).
    MemCounters(&'a [u8]),
    /// `Node N …`, zone, buddy, per-cpu, `lowmem_reserve[]` and similar Mem-Info lines.
    MemDetail(&'a [u8]),
    /// `N <what>` page totals and swap totals of Mem-Info.
    MemTotal(MemTotal, u64),
    /// `Unreclaimable slab info:` and its rows, `Memory allocations` rows.
    SlabInfo(Option<(&'a [u8], u64, u64)>),
    /// `Tasks state (memory values in pages):` (4.19+).
    TasksTitle,
    /// `[ pid ]   uid  tgid total_vm …` task table header (§2.6).
    TableHeader(Vec<&'a [u8]>),
    /// `[ 1234]  …` task table row (fields parsed against the header).
    TableRow(&'a [u8]),
    /// `oom-kill:constraint=…` summary (§2.9).
    Summary(Summary<'a>),
    /// A piece of a summary or `Task in` line that the kernel flushed as its own record
    /// (starts with `,`).
    Continuation(&'a [u8]),
    /// `<msg>: Kill process N (comm) score S or sacrifice child` (§2.7).
    Selection(Selection<'a>),
    /// `Kill process N (comm) sharing same memory`.
    SharingMm {
        /// PID.
        pid: u32,
        /// Process name.
        comm: &'a [u8],
    },
    /// `[<msg>: ]Killed process N (comm) …` in every variant (§2.8).
    Killed(KilledLine<'a>),
    /// `Tasks in X are going to be killed due to memory.oom.group set`.
    GroupKill(&'a [u8]),
    /// `oom_reaper: reaped process …` / `unable to reap` / `giving up` (§2.10).
    Reaper(ReaperLine<'a>),
    /// `<msg>: OOM victim N (comm) is already exiting. Skip killing the task`.
    VictimExiting {
        /// PID.
        pid: u32,
        /// Process name.
        comm: &'a [u8],
    },
    /// `oom killer N (comm) has mm pinned by N (comm)`.
    MmPinned,
    /// `Out of memory and no killable processes...`.
    NoKillable,
    /// `Out of memory: … panic_on_oom is enabled` and other OOM panics.
    Panic(&'a [u8]),
    /// `COMPACTION is disabled!!!`.
    CompactionDisabled,
    /// `oom_kill_process: N callbacks suppressed` (rate-limited reports, §4.5).
    Suppressed(u64),
    /// `SysRq : Manual OOM execution`: the next report is a manual OOM.
    ManualOom,
    /// `Linux version …`: a kernel booted.
    Boot(&'a [u8]),
    /// `Adding NNNk swap on …`: swap enabled at boot.
    SwapAdded(u64),
    /// What a line of a kind without a variant of its own states: the text that
    /// holds its facts, which the kind's fill function reads (so that a new kind of
    /// line needs no new variant; see [`crate::event::kinds`]).
    Facts(&'a [u8]),
    /// Anything else.
    Other,
}

/// The `invoked oom-killer` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderLine<'a> {
    /// The allocating task (absent in pre-2.6.25 headers).
    pub comm: Option<&'a [u8]>,
    /// `gfp_mask=` number as printed.
    pub gfp_mask: Option<&'a [u8]>,
    /// The `%pGg` flag names, when printed.
    pub gfp_flags: Option<&'a [u8]>,
    /// Allocation nodemask (4.9–4.20).
    pub nodemask: Option<&'a [u8]>,
    /// Allocation order (`-1` for SysRq).
    pub order: Option<i32>,
    /// `oom_adj=` (≤ 3.6).
    pub oom_adj: Option<i32>,
    /// `oom_score_adj=` of the allocating task.
    pub oom_score_adj: Option<i32>,
}

/// A memcg counter line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    /// Which counter.
    pub kind: CounterKind,
    /// Usage in kB.
    pub usage_kb: u64,
    /// Limit in kB (huge values mean unlimited).
    pub limit_kb: u64,
    /// Times the limit was hit.
    pub failcnt: u64,
}

/// Memcg counter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterKind {
    /// `memory:`
    Memory,
    /// `memory+swap:` (cgroup v1)
    MemSwap,
    /// `kmem:` (cgroup v1)
    Kmem,
    /// `swap:` (cgroup v2)
    Swap,
}

/// Mem-Info totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemTotal {
    /// `N total pagecache pages`
    Pagecache,
    /// `N pages in swap cache`
    SwapCache,
    /// `Free swap  = NkB`
    FreeSwapKb,
    /// `Total swap = NkB`
    TotalSwapKb,
    /// `N pages RAM` / `N pages of RAM`
    Ram,
    /// `N pages HighMem[/MovableOnly]`
    HighMem,
    /// `N pages reserved` / `N reserved pages`
    Reserved,
    /// `N pages cma reserved`
    CmaReserved,
    /// `N pages hwpoisoned`
    HwPoisoned,
    /// `N pages shared`, `non-shared`, `swap cached`, pagetable cache …
    Other,
}

/// The `oom-kill:` one-line summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary<'a> {
    /// `constraint=`
    pub constraint: Option<&'a [u8]>,
    /// `nodemask=`
    pub nodemask: Option<&'a [u8]>,
    /// `cpuset=` (name only)
    pub cpuset: Option<&'a [u8]>,
    /// `mems_allowed=`
    pub mems_allowed: Option<&'a [u8]>,
    /// `oom_memcg=`
    pub oom_memcg: Option<&'a [u8]>,
    /// `global_oom` flag present
    pub global_oom: bool,
    /// `task_memcg=`
    pub task_memcg: Option<&'a [u8]>,
    /// `task=`
    pub task: Option<&'a [u8]>,
    /// `pid=`
    pub pid: Option<u32>,
    /// `uid=`
    pub uid: Option<u32>,
}

/// The pre-5.1 selection line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection<'a> {
    /// `Out of memory`, `Memory cgroup out of memory`, …
    pub message: &'a [u8],
    /// Selected PID.
    pub pid: u32,
    /// Selected process name.
    pub comm: &'a [u8],
    /// The printed score.
    pub score: Option<u64>,
}

/// A `Killed process` line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KilledLine<'a> {
    /// The `%s:` prefix (5.1+), e.g. `Memory cgroup out of memory`.
    pub message: Option<&'a [u8]>,
    /// Victim PID.
    pub pid: u32,
    /// Victim name.
    pub comm: &'a [u8],
    /// `UID` in any of its three spellings.
    pub uid: Option<u32>,
    /// `total-vm:` (or 2.6.33–35 `vsz:`) kB.
    pub total_vm_kb: Option<u64>,
    /// `anon-rss:` kB.
    pub anon_rss_kb: Option<u64>,
    /// `file-rss:` kB.
    pub file_rss_kb: Option<u64>,
    /// `shmem-rss:` kB.
    pub shmem_rss_kb: Option<u64>,
    /// `pgtables:` kB.
    pub pgtables_kb: Option<u64>,
    /// `oom_score_adj:`.
    pub oom_score_adj: Option<i32>,
    /// The line ends before the fields its format promises (cut by the log).
    pub cut: bool,
}

/// An `oom_reaper:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaperLine<'a> {
    /// PID.
    pub pid: u32,
    /// Process name.
    pub comm: &'a [u8],
    /// `reaped`, `unable`, or `gave-up`.
    pub outcome: &'static str,
    /// anon/file/shmem rss left after reaping, kB.
    pub left_kb: Option<(u64, u64, u64)>,
}

// Unicode off: process names and paths are bytes, not always UTF-8 (`.` and `[^)]`
// must match `\xff`), and the kernel's own words and numbers are ASCII.
macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| {
            regex::bytes::RegexBuilder::new($pat)
                .unicode(false)
                .build()
                .expect("valid regex")
        });
    };
}

re!(
    HEADER,
    r"^(?:(.*) invoked )?oom-killer: gfp_mask=(0x[0-9a-fA-F]+\**|[0-9]+)(?:\(([^)]*)\))?,(?: nodemask=(.*?),)?\s+order=(-?\d+)(?:,\s*oom(?:kill)?_adj=(-?\d+))?(?:,\s*oom_score_adj=(-?\d+))?"
);
re!(
    COUNTER,
    r"^(memory|memory\+swap|kmem|swap): usage (\d+)kB, limit (\d+)kB, failcnt (\d+)"
);
re!(
    MEM_TOTAL,
    r"^(\d+) (total pagecache pages|pages in swap cache|pages of RAM|pages RAM|pages HighMem/MovableOnly|pages HighMem|pages reserved|reserved pages|pages cma reserved|pages hwpoisoned|pages shared|pages non-shared|pages swap cached|pages in pagetable cache)\s*$"
);
re!(SWAP_TOTAL, r"^(Free|Total) swap\s*=\s*(\d+)kB");
re!(
    SELECTION,
    r"^(.*?): [Kk]ill process (\d+) \((.*)\) score (\d+)(?: or sacrifice child| or a child| and children\.?)?\s*$"
);
re!(SHARING, r"^Kill process (\d+) \((.*)\) sharing same memory");
re!(
    REAPED,
    r"^oom_reaper: reaped process (\d+) \((.*)\), now anon-rss:(\d+)kB, file-rss:(\d+)kB(?:, shmem-rss:(\d+)kB)?"
);
re!(
    REAP_FAIL,
    r"^oom_reaper: (unable to reap|giving up) pid:(\d+) \((.*)\)"
);
re!(
    EXITING,
    r"^(?:.*: )?OOM victim (\d+) \((.*)\) is already exiting\. Skip killing the task"
);
re!(SUPPRESSED, r"^oom_kill_process: (\d+) callbacks suppressed");
re!(SWAP_ADDED, r"^Adding (\d+)k swap on ");
re!(CPU_LINE, r"^CPU: \d+ (?:UID: \d+ )?PID: (\d+) Comm: ");
re!(PID_LINE, r"^Pid: (\d+), comm: ");
re!(
    FRAME,
    r"^(?:\? )?[A-Za-z_.$][\w.$]*\+0x[0-9a-f]+/0x[0-9a-f]+"
);

/// Classifies one kernel message body (already trimmed): the first kind of the table
/// in [`crate::event::kinds`] whose classifier claims the line.
pub fn classify(body: &[u8]) -> Line<'_> {
    crate::event::kinds::classify(body).1
}

// ---- the classifiers of the kinds table ----------------------------------------------
//
// Each takes a line that no earlier kind of the table claimed and returns its `Line`
// when the line is of its kind (`Some(Line::Other)` claims a line that only looks like
// its kind, so that no later kind takes it). They test the line's first byte or a
// literal before any regex: the chain runs for every line of a report.

/// `[  pid  ]   uid  tgid total_vm …`: the task table header.
pub(crate) fn table_header(body: &[u8]) -> Option<Line<'_>> {
    if body.first() != Some(&b'[') {
        return None;
    }
    let (inner, rest) = bracketed(body)?;
    (inner == b"pid").then(|| table_columns(rest))
}

/// Other lines starting with `[`: task table rows, ppc64 stack frames.
pub(crate) fn bracket_line(body: &[u8]) -> Option<Line<'_>> {
    (body.first() == Some(&b'[')).then(|| bracket(body))
}

/// `,…`: a piece of a summary or `Task in` line that the kernel flushed as its own record.
pub(crate) fn continuation(body: &[u8]) -> Option<Line<'_>> {
    (body.first() == Some(&b',')).then_some(Line::Continuation(body))
}

/// `N pages RAM` / `N pages of RAM`.
pub(crate) fn ram_pages(body: &[u8]) -> Option<Line<'_>> {
    if !body.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    match digit(body) {
        l @ Line::MemTotal(MemTotal::Ram, _) => Some(l),
        _ => None,
    }
}

/// Other lines starting with a digit: Mem-Info page totals, hex stack words.
pub(crate) fn digit_line(body: &[u8]) -> Option<Line<'_>> {
    body.first()
        .is_some_and(u8::is_ascii_digit)
        .then(|| digit(body))
}

/// `oom-kill:constraint=…` (5.0+).
pub(crate) fn summary_line(body: &[u8]) -> Option<Line<'_>> {
    let rest = body.strip_prefix(b"oom-kill:")?;
    Some(Line::Summary(summary(rest)))
}

/// `oom_reaper: reaped process …`, `unable to reap`, `giving up`.
pub(crate) fn reaper(body: &[u8]) -> Option<Line<'_>> {
    if !body.starts_with(b"oom_reaper:") {
        return None;
    }
    if let Some(c) = REAPED.captures(body) {
        let n = |i| parse::<u64>(c.get(i).map(|m| m.as_bytes()));
        return Some(Line::Reaper(ReaperLine {
            pid: parse(c.get(1).map(|m| m.as_bytes())).unwrap_or(0),
            comm: c.get(2).map_or(&b""[..], |m| m.as_bytes()),
            outcome: "reaped",
            left_kb: Some((n(3).unwrap_or(0), n(4).unwrap_or(0), n(5).unwrap_or(0))),
        }));
    }
    if let Some(c) = REAP_FAIL.captures(body) {
        let outcome = if &c[1] == b"giving up" {
            "gave-up"
        } else {
            "unable"
        };
        return Some(Line::Reaper(ReaperLine {
            pid: parse(c.get(2).map(|m| m.as_bytes())).unwrap_or(0),
            comm: c.get(3).map_or(&b""[..], |m| m.as_bytes()),
            outcome,
            left_kb: None,
        }));
    }
    Some(Line::Other)
}

/// `CPU: N … PID: N Comm: …` and `Pid: N, comm: …`.
pub(crate) fn cpu_line(body: &[u8]) -> Option<Line<'_>> {
    if body.starts_with(b"CPU: ") {
        if let Some(c) = CPU_LINE.captures(body) {
            return Some(Line::CpuLine {
                pid: parse(c.get(1).map(|m| m.as_bytes())),
                release: release(body),
            });
        }
        return Some(Line::Trace { frame: false });
    }
    if body.starts_with(b"Pid: ")
        && let Some(c) = PID_LINE.captures(body)
    {
        return Some(Line::CpuLine {
            pid: parse(c.get(1).map(|m| m.as_bytes())),
            release: release(body),
        });
    }
    None
}

/// `Hardware name: …`.
pub(crate) fn hardware(body: &[u8]) -> Option<Line<'_>> {
    body.starts_with(b"Hardware name:")
        .then_some(Line::Hardware)
}

/// `memory: usage NkB, limit NkB, failcnt N`.
pub(crate) fn memcg_usage(body: &[u8]) -> Option<Line<'_>> {
    guarded(&COUNTER, body.starts_with(b"memory: "), body).map(|c| counter(&c))
}

/// `memory+swap:`, `kmem:`, `swap:` usage lines.
pub(crate) fn memcg_counter(body: &[u8]) -> Option<Line<'_>> {
    let other =
        body.starts_with(b"memory") || body.starts_with(b"kmem: ") || body.starts_with(b"swap: ");
    guarded(&COUNTER, other, body).map(|c| counter(&c))
}

fn counter(c: &regex::bytes::Captures<'_>) -> Line<'static> {
    let kind = match &c[1] {
        b"memory" => CounterKind::Memory,
        b"memory+swap" => CounterKind::MemSwap,
        b"kmem" => CounterKind::Kmem,
        _ => CounterKind::Swap,
    };
    let n = |i| parse::<u64>(c.get(i).map(|m| m.as_bytes())).unwrap_or(0);
    Line::Counter(Counter {
        kind,
        usage_kb: n(2),
        limit_kb: n(3),
        failcnt: n(4),
    })
}

/// `Memory cgroup stats for PATH:` with the v1 one-line stats after it, if any.
pub(crate) fn stats_header(body: &[u8]) -> Option<Line<'_>> {
    let rest = body.strip_prefix(b"Memory cgroup stats for ")?;
    // "PATH:" alone (5.3+) or "PATH: cache:0KB rss:…" (3.10–5.2).
    if let Some(path) = rest.strip_suffix(b":") {
        return Some(Line::StatsHeader { path, inline: None });
    }
    let split = memmem::find(rest, b": ").unwrap_or(rest.len());
    let inline = rest.get(split + 2..).filter(|s| !s.is_empty());
    Some(Line::StatsHeader {
        path: &rest[..split],
        inline,
    })
}

/// `Memory cgroup min protection …` (6.19).
pub(crate) fn protection(body: &[u8]) -> Option<Line<'_>> {
    body.starts_with(b"Memory cgroup min protection")
        .then_some(Line::Protection)
}

/// `Memory limit reached of cgroup X` (4.1–4.20).
pub(crate) fn limit_reached(body: &[u8]) -> Option<Line<'_>> {
    body.strip_prefix(b"Memory limit reached of cgroup ")
        .map(Line::LimitReached)
}

/// `Tasks state (memory values in pages):` (4.19+).
pub(crate) fn tasks_title(body: &[u8]) -> Option<Line<'_>> {
    body.starts_with(b"Tasks state (memory values in pages)")
        .then_some(Line::TasksTitle)
}

/// `Mem-Info:` in any case.
pub(crate) fn mem_info_start(body: &[u8]) -> Option<Line<'_>> {
    body.eq_ignore_ascii_case(b"Mem-Info:")
        .then_some(Line::MemInfoStart)
}

/// `Free swap  = NkB` / `Total swap = NkB`.
pub(crate) fn swap_total(body: &[u8]) -> Option<Line<'_>> {
    let swap_total = body.starts_with(b"Free swap") || body.starts_with(b"Total swap");
    let c = guarded(&SWAP_TOTAL, swap_total, body)?;
    let kind = if &c[1] == b"Free" {
        MemTotal::FreeSwapKb
    } else {
        MemTotal::TotalSwapKb
    };
    Some(Line::MemTotal(kind, parse(Some(&c[2])).unwrap_or(0)))
}

/// `COMPACTION is disabled!!!`.
pub(crate) fn compaction(body: &[u8]) -> Option<Line<'_>> {
    body.starts_with(b"COMPACTION is disabled")
        .then_some(Line::CompactionDisabled)
}

/// `oom_kill_process: N callbacks suppressed`.
pub(crate) fn suppressed(body: &[u8]) -> Option<Line<'_>> {
    let c = guarded(&SUPPRESSED, body.starts_with(b"oom_kill_process: "), body)?;
    Some(Line::Suppressed(parse(Some(&c[1])).unwrap_or(0)))
}

/// `Linux version <release> …`.
pub(crate) fn boot(body: &[u8]) -> Option<Line<'_>> {
    let rest = body.strip_prefix(b"Linux version ")?;
    let end = rest.iter().position(|b| *b == b' ').unwrap_or(rest.len());
    Some(Line::Boot(&rest[..end]))
}

/// `Adding NNNk swap on …`.
pub(crate) fn swap_added(body: &[u8]) -> Option<Line<'_>> {
    let c = guarded(&SWAP_ADDED, body.starts_with(b"Adding "), body)?;
    Some(Line::SwapAdded(parse(Some(&c[1])).unwrap_or(0)))
}

/// `Unreclaimable slab info:` and `Memory allocations` titles.
pub(crate) fn slab_title(body: &[u8]) -> Option<Line<'_>> {
    (body.starts_with(b"Unreclaimable slab info:") || body.starts_with(b"Memory allocations"))
        .then_some(Line::SlabInfo(None))
}

/// `Call Trace:` and other titles of a stack dump.
pub(crate) fn trace_title(body: &[u8]) -> Option<Line<'_>> {
    const TITLES: &[&[u8]] = &[
        b"Call Trace:",
        b"Call trace:",
        b"Workqueue:",
        b"Tainted:",
        b"Code:",
        b"Stack:",
    ];
    TITLES
        .iter()
        .any(|t| body.starts_with(t))
        .then_some(Line::Trace { frame: false })
}

/// `<comm> invoked oom-killer: gfp_mask=…` (a line that only looks like one is claimed
/// as [`Line::Other`]).
pub(crate) fn header_line(body: &[u8]) -> Option<Line<'_>> {
    memmem::find(body, b"oom-killer: gfp_mask=")?;
    Some(header(body).unwrap_or(Line::Other))
}

/// `Kill process N (comm) sharing same memory`.
pub(crate) fn sharing(body: &[u8]) -> Option<Line<'_>> {
    let c = guarded(&SHARING, body.starts_with(b"Kill process "), body)?;
    Some(Line::SharingMm {
        pid: parse(c.get(1).map(|m| m.as_bytes())).unwrap_or(0),
        comm: c.get(2).map_or(&b""[..], |m| m.as_bytes()),
    })
}

/// `<msg>: Kill process N (comm) score S or sacrifice child`.
pub(crate) fn selection(body: &[u8]) -> Option<Line<'_>> {
    let c = guarded(
        &SELECTION,
        memmem::find(body, b"ill process ").is_some(),
        body,
    )?;
    Some(Line::Selection(Selection {
        message: c.get(1).map_or(&b""[..], |m| m.as_bytes()),
        pid: parse(c.get(2).map(|m| m.as_bytes())).unwrap_or(0),
        comm: c.get(3).map_or(&b""[..], |m| m.as_bytes()),
        score: parse(c.get(4).map(|m| m.as_bytes())),
    }))
}

/// `Task in X killed as a result of limit of Y`, or its second half alone.
pub(crate) fn limit_of(body: &[u8]) -> Option<Line<'_>> {
    let rest = find_after(body, b"killed as a result of limit of ")?;
    if let Some(task) = body.strip_prefix(b"Task in ") {
        let end = memmem::rfind(task, b" killed as a result of limit of ").unwrap_or(task.len());
        return Some(Line::TaskIn {
            task: &task[..end],
            limit: Some(rest),
        });
    }
    // The second half starts the message; the words inside prose are no report.
    body.trim_ascii_start()
        .starts_with(b"killed as a result of limit of ")
        .then_some(Line::LimitOf(rest))
}

/// `Task in X` alone: the first half of a line a 3.16/3.17 kernel split in two.
pub(crate) fn task_in(body: &[u8]) -> Option<Line<'_>> {
    let task = body.strip_prefix(b"Task in ")?;
    Some(Line::TaskIn { task, limit: None })
}

/// `<msg>: OOM victim N (comm) is already exiting. Skip killing the task`.
pub(crate) fn victim_exiting(body: &[u8]) -> Option<Line<'_>> {
    let c = guarded(&EXITING, memmem::find(body, b"OOM victim ").is_some(), body)?;
    Some(Line::VictimExiting {
        pid: parse(c.get(1).map(|m| m.as_bytes())).unwrap_or(0),
        comm: c.get(2).map_or(&b""[..], |m| m.as_bytes()),
    })
}

/// `Tasks in X are going to be killed due to memory.oom.group set`.
pub(crate) fn group_kill(body: &[u8]) -> Option<Line<'_>> {
    let rest = body.strip_suffix(b" are going to be killed due to memory.oom.group set")?;
    rest.strip_prefix(b"Tasks in ").map(Line::GroupKill)
}

/// `oom killer N (comm) has mm pinned by N (comm)`.
pub(crate) fn mm_pinned(body: &[u8]) -> Option<Line<'_>> {
    memmem::find(body, b" has mm pinned by ").map(|_| Line::MmPinned)
}

/// `Out of memory and no killable processes...`.
pub(crate) fn no_killable(body: &[u8]) -> Option<Line<'_>> {
    body.starts_with(b"Out of memory and no killable processes")
        .then_some(Line::NoKillable)
}

/// `Out of memory: … panic_on_oom is enabled`, `System is deadlocked on memory`.
pub(crate) fn panic(body: &[u8]) -> Option<Line<'_>> {
    // panic() prefixes "Kernel panic - not syncing: "; some consoles lose the prefix.
    let text = body
        .strip_prefix(b"Kernel panic - not syncing: ")
        .unwrap_or(body);
    ((text.starts_with(b"Out of memory") && memmem::find(body, b"panic_on_oom").is_some())
        || text.starts_with(b"System is deadlocked on memory"))
    .then_some(Line::Panic(body))
}

/// `Rebooting in 86400 seconds..`: the end of a panic with a timeout.
pub(crate) fn panic_tail(body: &[u8]) -> Option<Line<'_>> {
    let rest = body.strip_prefix(b"Rebooting in ")?;
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    (n > 0 && rest[n..].starts_with(b" seconds")).then_some(Line::Panic(body))
}

/// `<comm> cpuset=<name> mems_allowed=<nodes>`.
pub(crate) fn cpuset(body: &[u8]) -> Option<Line<'_>> {
    is_cpuset(body).map(|(name, mems)| Line::Cpuset { name, mems })
}

/// Call-trace frames, register and stack dumps.
pub(crate) fn trace(body: &[u8]) -> Option<Line<'_>> {
    is_trace(body).then(|| Line::Trace {
        frame: FRAME.is_match(body),
    })
}

fn header(body: &[u8]) -> Option<Line<'_>> {
    let c = HEADER.captures(body)?;
    let b = |i| c.get(i).map(|m| m.as_bytes());
    Some(Line::Header(HeaderLine {
        comm: b(1),
        gfp_mask: b(2),
        gfp_flags: b(3),
        nodemask: b(4).map(|n| n.trim_ascii()),
        order: parse(b(5)),
        oom_adj: parse(b(6)),
        oom_score_adj: parse(b(7)),
    }))
}

/// `SysRq : Manual OOM execution` (`sysrq: ` since 4.x): the report that follows is a
/// manual OOM, whatever its order says (before 4.3 it said 0).
pub(crate) fn manual_oom(body: &[u8]) -> Option<Line<'_>> {
    body.ends_with(b"Manual OOM execution")
        .then_some(Line::ManualOom)
}

/// Every `Killed process` variant (§2.8), including lines cut short by the log.
pub(crate) fn killed(body: &[u8]) -> Option<Line<'_>> {
    let at = memmem::find(body, b"Killed process ")?;
    let message = if at == 0 {
        None
    } else {
        let m = body[..at].trim_ascii_end();
        Some(m.strip_suffix(b":").unwrap_or(m))
    };
    let rest = &body[at + b"Killed process ".len()..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let pid: u32 = parse(Some(&rest[..digits]))?;
    let mut rest = &rest[digits..];
    let mut k = KilledLine {
        message,
        pid,
        ..Default::default()
    };
    // RHEL 6: "Killed process N, UID U, (comm) total-vm:…"
    if let Some(r) = rest.strip_prefix(b", UID ") {
        let d = r.iter().take_while(|b| b.is_ascii_digit()).count();
        k.uid = parse(Some(&r[..d]));
        rest = r[d..].strip_prefix(b", ").unwrap_or(&r[d..]);
    } else {
        rest = rest.strip_prefix(b" ").unwrap_or(rest);
    }
    let Some(inner) = rest.strip_prefix(b"(") else {
        // "Killed process 123" with nothing after: keep the pid.
        k.cut = true;
        return Some(Line::Killed(k));
    };
    // The name ends at the last ")" that the format string puts before its fields.
    let end = [&b") total-vm:"[..], b") vsz:", b"), UID "]
        .iter()
        .filter_map(|pat| memmem::rfind(inner, pat))
        .max()
        .or_else(|| {
            let t = inner.trim_ascii_end();
            let t = t.strip_suffix(b".").unwrap_or(t);
            t.ends_with(b")").then(|| t.len() - 1)
        });
    let Some(end) = end else {
        // Cut inside the name.
        k.comm = inner;
        k.cut = true;
        return Some(Line::Killed(k));
    };
    k.comm = &inner[..end];
    let fields = &inner[end + 1..];
    let mut promised_rss = false;
    for tok in fields.split(|b| *b == b',' || *b == b' ') {
        let Some(colon) = tok.iter().position(|b| *b == b':') else {
            continue;
        };
        let (key, val) = (&tok[..colon], &tok[colon + 1..]);
        let num = val.strip_suffix(b"kB").unwrap_or(val);
        match key {
            b"total-vm" | b"vsz" => {
                k.total_vm_kb = parse(Some(num));
                promised_rss = true;
            }
            b"anon-rss" => k.anon_rss_kb = parse(Some(num)),
            b"file-rss" => k.file_rss_kb = parse(Some(num)),
            b"shmem-rss" => k.shmem_rss_kb = parse(Some(num)),
            b"UID" => k.uid = parse(Some(num)),
            b"pgtables" => {
                k.pgtables_kb = parse(Some(num));
                if !val.ends_with(b"kB") {
                    k.cut = true;
                }
            }
            b"oom_score_adj" => k.oom_score_adj = parse(Some(num)),
            _ => {}
        }
    }
    // ", UID N," between name and fields (RHEL 7.8+).
    if k.uid.is_none()
        && let Some(r) = find_after(fields, b", UID ")
    {
        let d = r.iter().take_while(|b| b.is_ascii_digit()).count();
        k.uid = parse(Some(&r[..d]));
    }
    if promised_rss && (k.anon_rss_kb.is_none() || k.file_rss_kb.is_none()) {
        k.cut = true;
    }
    Some(Line::Killed(k))
}

/// `constraint=…,nodemask=…[,cpuset=…,mems_allowed=…][,oom_memcg=…|,global_oom][,task_memcg=…],task=…,pid=…,uid=…`
/// Names and paths may contain commas, so fields are found from the known keys, and
/// `task=` is split at the last `,pid=`.
pub fn summary(s: &[u8]) -> Summary<'_> {
    let mut out = Summary::default();
    let mut head = s;
    if let Some(i) = memmem::rfind(head, b",uid=") {
        out.uid = parse(Some(&head[i + 5..]));
        head = &head[..i];
    }
    if let Some(i) = memmem::rfind(head, b",pid=") {
        out.pid = parse(Some(&head[i + 5..]));
        head = &head[..i];
    }
    if let Some(i) = memmem::rfind(head, b",task=") {
        out.task = Some(&head[i + 6..]);
        head = &head[..i];
    } else if let Some(t) = head.strip_prefix(b"task=") {
        out.task = Some(t);
        head = b"";
    }
    if let Some(i) = memmem::rfind(head, b",task_memcg=") {
        out.task_memcg = Some(&head[i + 12..]);
        head = &head[..i];
    }
    if let Some(i) = memmem::rfind(head, b",global_oom") {
        out.global_oom = true;
        head = &head[..i];
    }
    if let Some(i) = memmem::rfind(head, b",oom_memcg=") {
        out.oom_memcg = Some(&head[i + 11..]);
        head = &head[..i];
    }
    if let Some(i) = memmem::rfind(head, b",mems_allowed=") {
        out.mems_allowed = Some(&head[i + 14..]);
        head = &head[..i];
    }
    if let Some(i) = memmem::rfind(head, b",cpuset=") {
        out.cpuset = Some(&head[i + 8..]);
        head = &head[..i];
    }
    if let Some(i) = memmem::find(head, b",nodemask=") {
        out.nodemask = Some(&head[i + 10..]);
        head = &head[..i];
    }
    if let Some(c) = head.strip_prefix(b"constraint=") {
        out.constraint = Some(c);
    }
    out
}

/// `<comm> cpuset=<name> mems_allowed=<nodes>`.
fn is_cpuset(body: &[u8]) -> Option<(&[u8], &[u8])> {
    let m = memmem::rfind(body, b" mems_allowed=")?;
    let head = &body[..m];
    let c = memmem::rfind(head, b" cpuset=")?;
    Some((&head[c + 8..], &body[m + 14..]))
}

/// Kernel release from a `CPU:`/`Pid:` line: the token before ` #<build>`.
fn release(body: &[u8]) -> Option<&[u8]> {
    let hash = memmem::find(body, b" #")?;
    let head = body[..hash].trim_ascii_end();
    let start = head.iter().rposition(|b| *b == b' ').map_or(0, |i| i + 1);
    let r = &head[start..];
    (r.first().is_some_and(u8::is_ascii_digit)).then_some(r)
}

/// `[inner] rest`: the trimmed text between the first `[` and `]`, and what follows.
fn bracketed(body: &[u8]) -> Option<(&[u8], &[u8])> {
    let close = body.iter().position(|b| *b == b']')?;
    Some((body[1..close].trim_ascii(), &body[close + 1..]))
}

fn table_columns(rest: &[u8]) -> Line<'_> {
    let cols: Vec<&[u8]> = rest
        .split(|b| *b == b' ')
        .filter(|t| !t.is_empty())
        .collect();
    Line::TableHeader(cols)
}

/// Lines starting with `[`: task table header and rows, ppc64 stack frames.
fn bracket(body: &[u8]) -> Line<'_> {
    let Some((inner, rest)) = bracketed(body) else {
        return Line::Other;
    };
    if inner == b"pid" {
        return table_columns(rest);
    }
    if !inner.is_empty() && inner.iter().all(u8::is_ascii_digit) {
        return Line::TableRow(body);
    }
    if inner.starts_with(b"<")
        || inner.starts_with(b"c0000")
        || inner.iter().all(u8::is_ascii_hexdigit)
    {
        return Line::Trace { frame: true };
    }
    Line::Other
}

/// Lines starting with a digit: Mem-Info page totals, buddy-less counters.
fn digit(body: &[u8]) -> Line<'_> {
    if let Some(c) = guarded(&MEM_TOTAL, memmem::find(body, b" pages").is_some(), body) {
        let n: u64 = parse(Some(&c[1])).unwrap_or(0);
        let kind = match &c[2] {
            b"total pagecache pages" => MemTotal::Pagecache,
            b"pages in swap cache" => MemTotal::SwapCache,
            b"pages RAM" | b"pages of RAM" => MemTotal::Ram,
            b"pages HighMem/MovableOnly" | b"pages HighMem" => MemTotal::HighMem,
            b"pages reserved" | b"reserved pages" => MemTotal::Reserved,
            b"pages cma reserved" => MemTotal::CmaReserved,
            b"pages hwpoisoned" => MemTotal::HwPoisoned,
            _ => MemTotal::Other,
        };
        return Line::MemTotal(kind, n);
    }
    // Hex stack words ("0000000000000000 ffff8800968e3ca0 …").
    if is_trace(body) {
        return Line::Trace { frame: false };
    }
    Line::Other
}

/// Mem-Info detail lines: counters, node/zone lines, buddy lists, per-cpu lines, slab
/// rows and `memory.stat` key/value lines.
pub(crate) fn mem_detail(body: &[u8]) -> Option<Line<'_>> {
    const PREFIXES: &[&[u8]] = &[
        b"Node ",
        b"lowmem_reserve[]",
        b"DMA",
        b"Normal",
        b"HighMem",
        b"Movable",
        b"Device",
        b"CPU ",
        b"cpu ",
        b"Free pages",
        b"Swap cache",
        b"hugepages",
        b"Name ",
        b"Free swap:",
    ];
    if PREFIXES.iter().any(|p| body.starts_with(p)) {
        return Some(Line::MemDetail(body));
    }
    // "active_anon:7174 inactive_anon:484737 isolated_anon:0" and "Active:52613 …"
    let first = body.split(|b| *b == b' ').next().unwrap_or(b"");
    if let Some(colon) = first.iter().position(|b| *b == b':')
        && colon > 0
        && first[..colon]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && first[colon + 1..].first().is_some_and(u8::is_ascii_digit)
    {
        return Some(Line::MemCounters(body));
    }
    // "anon 98742272" (memory.stat block) and slab rows "kmalloc-64   12KB   24KB".
    let mut toks = body.split(|b| *b == b' ').filter(|t| !t.is_empty());
    let name = toks.next()?;
    let v1 = toks.next()?;
    if name
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
        && name.first().is_some_and(u8::is_ascii_lowercase)
        && let Some(n) = parse::<u64>(Some(v1))
        && toks.next().is_none()
    {
        return Some(Line::StatValue(name, n));
    }
    if let (Some(used), Some(total)) = (
        v1.strip_suffix(b"KB").and_then(|v| parse::<u64>(Some(v))),
        toks.next()
            .and_then(|t| t.strip_suffix(b"KB"))
            .and_then(|v| parse::<u64>(Some(v))),
    ) {
        return Some(Line::SlabInfo(Some((name, used, total))));
    }
    None
}

/// Call-trace and register-dump lines of every architecture.
fn is_trace(body: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        b"<TASK>",
        b"</TASK>",
        b"<IRQ>",
        b"</IRQ>",
        b"<NMI>",
        b"</NMI>",
        b"<EOI>",
        b"RIP:",
        b"RSP:",
        b"RAX:",
        b"RDX:",
        b"RBP:",
        b"R10:",
        b"R13:",
        b"FS:",
        b"CS:",
        b"CR2:",
        b"DR0:",
        b"DR3:",
        b"PKRU:",
        b"EIP:",
        b"EAX:",
        b"ESI:",
        b"DS:",
        b"pc :",
        b"lr :",
        b"sp :",
        b"NIP:",
        b"LR:",
        b"MSR:",
        b"GPR",
        b"CFAR:",
        b"---[ end trace",
        b"? ",
        b"[<",
        b"Exception stack",
        b"Backtrace:",
        b"Function entered",
    ];
    if PREFIXES.iter().any(|p| body.starts_with(p)) {
        return true;
    }
    if FRAME.is_match(body) {
        return true;
    }
    // arm64 register rows "x29: ffff8000… x28: …" and hex stack words.
    let toks = body.split(|b| *b == b' ').filter(|t| !t.is_empty());
    let mut n = 0;
    for t in toks {
        let t = t.strip_suffix(b":").unwrap_or(t);
        let hexish = t.len() >= 8 && t.iter().all(u8::is_ascii_hexdigit);
        let reg = t.len() <= 3 && t.first() == Some(&b'x') && t[1..].iter().all(u8::is_ascii_digit);
        if !(hexish || reg) {
            return false;
        }
        n += 1;
    }
    n > 0
}

/// `re`'s captures, tried only when `literal` (a piece every match has) is present:
/// a failed `captures` still allocates its slots.
fn guarded<'b>(re: &Regex, literal: bool, body: &'b [u8]) -> Option<regex::bytes::Captures<'b>> {
    if literal { re.captures(body) } else { None }
}

fn find_after<'a>(hay: &'a [u8], needle: &[u8]) -> Option<&'a [u8]> {
    memmem::find(hay, needle).map(|i| &hay[i + needle.len()..])
}

/// Parses ASCII digits (with an optional leading `-`) as a number.
pub fn parse<T: std::str::FromStr>(b: Option<&[u8]>) -> Option<T> {
    let b = b?.trim_ascii();
    if b.is_empty() || b.len() > 24 {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_every_era() {
        fn h(s: &str) -> HeaderLine<'_> {
            match classify(s.as_bytes()) {
                Line::Header(h) => h,
                other => panic!("{s}: {other:?}"),
            }
        }
        let x =
            h("python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
        assert_eq!(x.comm, Some(&b"python3"[..]));
        assert_eq!(x.gfp_mask, Some(&b"0xcc0"[..]));
        assert_eq!(x.gfp_flags, Some(&b"GFP_KERNEL"[..]));
        assert_eq!((x.order, x.oom_score_adj), (Some(0), Some(0)));
        let x =
            h("rsyslogd invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0");
        assert_eq!((x.oom_adj, x.oom_score_adj), (Some(0), Some(0)));
        let x = h(
            "java invoked oom-killer: gfp_mask=0x6000c0(GFP_KERNEL), nodemask=(null), order=0, oom_score_adj=916",
        );
        assert_eq!(
            (x.nodemask, x.oom_score_adj),
            (Some(&b"(null)"[..]), Some(916))
        );
        let x = h(
            "a b invoked oom-killer: gfp_mask=0x24201ca(GFP_HIGHUSER_MOVABLE|__GFP_COLD), nodemask=0-1,3,  order=-1, oom_score_adj=-1000",
        );
        assert_eq!(
            (x.comm, x.nodemask, x.order, x.oom_score_adj),
            (
                Some(&b"a b"[..]),
                Some(&b"0-1,3"[..]),
                Some(-1),
                Some(-1000)
            )
        );
        let x = h("oom-killer: gfp_mask=0x201d2, order=0");
        assert_eq!((x.comm, x.order), (None, Some(0)));
        let x = h("mysqld invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0");
        assert_eq!((x.oom_adj, x.oom_score_adj), (Some(0), None));
        let x = h("python3 invoked oom-killer: gfp_mask=0x0(), order=0, oom_score_adj=0");
        assert_eq!(x.gfp_flags, Some(&b""[..]));
    }

    fn killed_of(s: &str) -> KilledLine<'_> {
        match classify(s.as_bytes()) {
            Line::Killed(k) => k,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn killed_lines_of_every_era() {
        let k = killed_of(
            "Memory cgroup out of memory: Killed process 15346 (python3) total-vm:75160kB, anon-rss:65152kB, file-rss:5712kB, shmem-rss:0kB, UID:0 pgtables:192kB oom_score_adj:0",
        );
        assert_eq!(k.message, Some(&b"Memory cgroup out of memory"[..]));
        assert_eq!((k.pid, k.comm, k.uid), (15346, &b"python3"[..], Some(0)));
        assert_eq!(
            (k.total_vm_kb, k.anon_rss_kb, k.file_rss_kb, k.shmem_rss_kb),
            (Some(75160), Some(65152), Some(5712), Some(0))
        );
        assert_eq!(
            (k.pgtables_kb, k.oom_score_adj, k.cut),
            (Some(192), Some(0), false)
        );

        let k = killed_of(
            "Killed process 15462, UID 500, (t) total-vm:233384kB, anon-rss:51228kB, file-rss:384kB",
        );
        assert_eq!(
            (k.pid, k.comm, k.uid, k.anon_rss_kb),
            (15462, &b"t"[..], Some(500), Some(51228))
        );

        let k = killed_of(
            "Killed process 799153 (node), UID 1000, total-vm:606096kB, anon-rss:68308kB, file-rss:13648kB, shmem-rss:0kB",
        );
        assert_eq!(
            (k.pid, k.comm, k.uid, k.shmem_rss_kb),
            (799153, &b"node"[..], Some(1000), Some(0))
        );

        let k = killed_of(
            "Killed process 1381 (gunpowder-memho) total-vm:2121528kB, anon-rss:18624kB, file-rss:2140kB, shmem-rss:0kB",
        );
        assert_eq!(
            (k.message, k.comm, k.anon_rss_kb),
            (None, &b"gunpowder-memho"[..], Some(18624))
        );

        let k = killed_of("Out of memory: Killed process 6350 (apache2).");
        assert_eq!(
            (k.pid, k.comm, k.total_vm_kb),
            (6350, &b"apache2"[..], None)
        );

        let k = killed_of("Killed process 6350 (x y) vsz:1kB, anon-rss:2kB, file-rss:3kB");
        assert_eq!(
            (k.comm, k.total_vm_kb, k.anon_rss_kb),
            (&b"x y"[..], Some(1), Some(2))
        );

        // Names with parentheses and the tail cut off by a terminal.
        let k = killed_of(
            "Out of memory: Killed process 211 (a) total-vm:1 (x)) total-vm:5291948kB, anon-rss:758932kB, file-rss:0kB, shmem-rss:4kB, UID:1000 pgtables:103480",
        );
        assert_eq!(
            (k.comm, k.anon_rss_kb, k.cut),
            (&b"a) total-vm:1 (x)"[..], Some(758932), true)
        );
    }

    #[test]
    fn summary_with_commas_in_names() {
        let s = summary(b"constraint=CONSTRAINT_MEMCG,nodemask=0-1,3,cpuset=/,mems_allowed=0-1,oom_memcg=/a,b,task_memcg=/a,b/c,task=x,pid=1,y,pid=42,uid=7");
        assert_eq!(s.constraint, Some(&b"CONSTRAINT_MEMCG"[..]));
        assert_eq!(s.nodemask, Some(&b"0-1,3"[..]));
        assert_eq!(s.oom_memcg, Some(&b"/a,b"[..]));
        assert_eq!(s.task_memcg, Some(&b"/a,b/c"[..]));
        assert_eq!(
            (s.task, s.pid, s.uid),
            (Some(&b"x,pid=1,y"[..]), Some(42), Some(7))
        );
        let g = summary(b"constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=python,pid=996,uid=1000");
        assert!(g.global_oom);
        assert_eq!((g.oom_memcg, g.task_memcg), (None, Some(&b"/"[..])));
    }

    #[test]
    fn memcg_and_table_lines() {
        assert_eq!(
            classify(b"memory+swap: usage 65536kB, limit 9007199254740988kB, failcnt 0"),
            Line::Counter(Counter {
                kind: CounterKind::MemSwap,
                usage_kb: 65536,
                limit_kb: 9007199254740988,
                failcnt: 0
            })
        );
        assert_eq!(
            classify(b"Task in /1066/uid killed as a result of limit of /1066"),
            Line::TaskIn {
                task: b"/1066/uid",
                limit: Some(b"/1066")
            }
        );
        assert_eq!(
            classify(b"killed as a result of limit of /x"),
            Line::LimitOf(b"/x")
        );
        // The words in prose (samples/README.md describing a sample) are no report line.
        assert!(!matches!(
            classify(b"| a row | its cgroup stated by `Task in ... killed as a result of limit of ...` |"),
            Line::LimitOf(_) | Line::TaskIn { .. }
        ));
        assert_eq!(
            classify(b"Memory cgroup stats for /mem2: cache:0KB rss:980KB"),
            Line::StatsHeader {
                path: b"/mem2",
                inline: Some(b"cache:0KB rss:980KB")
            }
        );
        assert_eq!(
            classify(b"Memory cgroup stats for /oomlab-single:"),
            Line::StatsHeader {
                path: b"/oomlab-single",
                inline: None
            }
        );
        assert_eq!(classify(b"rss_huge 0"), Line::StatValue(b"rss_huge", 0));
        match classify(b"[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name") {
            Line::TableHeader(c) => assert_eq!(c.len(), 11),
            o => panic!("{o:?}"),
        }
        assert!(matches!(
            classify(b"[  15346]     0 15346    18790 python3"),
            Line::TableRow(_)
        ));
        assert_eq!(
            classify(b"524155 pages RAM"),
            Line::MemTotal(MemTotal::Ram, 524155)
        );
        assert_eq!(
            classify(b"Free swap  = 0kB"),
            Line::MemTotal(MemTotal::FreeSwapKb, 0)
        );
        assert_eq!(
            classify(b"Total swap = 1048572kB"),
            Line::MemTotal(MemTotal::TotalSwapKb, 1048572)
        );
        assert_eq!(
            classify(b"3665 reserved pages"),
            Line::MemTotal(MemTotal::Reserved, 3665)
        );
    }

    #[test]
    fn selection_reaper_and_others() {
        assert_eq!(
            classify(b"Out of memory: Kill process 16929 (beam.smp) score 580 or sacrifice child"),
            Line::Selection(Selection {
                message: b"Out of memory",
                pid: 16929,
                comm: b"beam.smp",
                score: Some(580)
            })
        );
        assert_eq!(
            classify(b"Out of Memory: Kill process 6350 (apache2) score 82992 and children."),
            Line::Selection(Selection {
                message: b"Out of Memory",
                pid: 6350,
                comm: b"apache2",
                score: Some(82992)
            })
        );
        assert_eq!(
            classify(b"oom_reaper: reaped process 1381 (gunpowder-memho), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"),
            Line::Reaper(ReaperLine { pid: 1381, comm: b"gunpowder-memho", outcome: "reaped", left_kb: Some((0, 0, 0)) })
        );
        assert_eq!(
            classify(b"Tasks in /a b are going to be killed due to memory.oom.group set"),
            Line::GroupKill(b"/a b")
        );
        assert_eq!(
            classify(b"CPU: 1 UID: 0 PID: 15346 Comm: python3 Not tainted 6.18.44-fc-v669 #1 PREEMPT(none)"),
            Line::CpuLine { pid: Some(15346), release: Some(b"6.18.44-fc-v669") }
        );
        assert_eq!(
            classify(b"Pid: 1319, comm: mysqld Tainted: P           2.6.32-5-amd64 #1"),
            Line::CpuLine {
                pid: Some(1319),
                release: Some(b"2.6.32-5-amd64")
            }
        );
        assert_eq!(
            classify(b"java cpuset=docker-1.scope mems_allowed=0-3"),
            Line::Cpuset {
                name: b"docker-1.scope",
                mems: b"0-3"
            }
        );
        assert!(matches!(
            classify(b"dump_header+0x43/0x1c0"),
            Line::Trace { frame: true }
        ));
        assert!(matches!(
            classify(b"? srso_alias_return_thunk+0x5/0xfbef5"),
            Line::Trace { .. }
        ));
        assert!(matches!(
            classify(b"[<ffffffff81720bf6>] dump_stack+0x45/0x56"),
            Line::Trace { .. }
        ));
        assert!(matches!(
            classify(b"ffff88072ae10800 ffff8807a4835c48 ffffffff81720bf6 ffff8807a8e86000"),
            Line::Trace { .. }
        ));
        assert!(matches!(
            classify(b"active_anon:7174 inactive_anon:484737 isolated_anon:0"),
            Line::MemCounters(_)
        ));
        assert!(matches!(
            classify(b"Node 0 DMA: 2*4kB (U) 4*8kB (UM) = 78B"),
            Line::MemDetail(_)
        ));
        assert_eq!(
            classify(b"docker0: port 2(veth380a1cd) entered disabled state"),
            Line::Other
        );
        assert_eq!(
            classify(
                b"Adding 1048572k swap on /swapfile.  Priority:-2 extents:1 across:1048572k SS"
            ),
            Line::SwapAdded(1048572)
        );
    }
}

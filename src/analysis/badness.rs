//! Rebuilds the kernel's `oom_badness()` ranking from the task table, per kernel era,
//! and finds why the victim was chosen (typed [`Finding`]s and the deciding
//! [`Factor`]; the words are in `render::vocab`).
//!
//! The formulas and their history are in `docs/kernel-formats.md` §3 (oomlens repo):
//! * ≤ 2.6.35: a heuristic over virtual size, CPU time and age; the log holds too
//!   little to redo it.
//! * 2.6.36–3.5 (and RHEL 6.2+): `(rss + swap + ptes) × 1000 / totalpages`, minus
//!   30 for root, plus `oom_score_adj`, clamped to 1…1000. That table prints neither
//!   swap nor page tables, so the result is a lower bound.
//! * 3.6+: `rss + swapents + page tables + oom_score_adj × (totalpages / 1000)` pages,
//!   with a root discount of `adj − 30` (3.6–3.13.0) or 3 % (3.14–4.16, RHEL 7), none
//!   from 4.17; clamped to ≥ 1 until 5.8. The printed score (3.6–5.0) is
//!   `points × 1000 / totalpages`.

use serde::{Deserialize, Serialize};

use crate::analysis::kernel::{self, KernelVersion};
use crate::event::{
    BootEvidence, Ending, Evidence, Killed, MemInfo, OomEvent, Scope, TaskRow, Zone,
};
use crate::text::{LogString, OptionLogStr};

/// Memcg and swap limits at or above this many kB mean "no limit" (the kernel prints
/// `PAGE_COUNTER_MAX` or `RES_COUNTER_MAX` in kB, which are in the 9e15–1.8e16 range).
pub const UNLIMITED_KB: u64 = 1 << 50;

/// One task in the rebuilt ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    /// PID.
    pub pid: u32,
    /// Process name.
    pub name: LogString,
    /// Badness points as the kernel computes them (pages on 3.6+, 0–1000 before);
    /// `None` for tasks the kernel cannot choose.
    pub points: Option<i64>,
    /// `points × 1000 / totalpages` (the figure 3.6–5.0 kernels print); 0–1000 score
    /// itself on older kernels. `None` when totalpages is unknown.
    pub score: Option<i64>,
    /// Place in the kernel's order (1 = its pick); `None` for exempt tasks.
    pub rank: Option<u32>,
    /// rss pages.
    pub rss_pages: i64,
    /// Swap entries (pages).
    pub swap_pages: i64,
    /// Page-table pages.
    pub pgtables_pages: i64,
    /// The task's oom_score_adj.
    pub oom_score_adj: i64,
    /// Points that oom_score_adj (and a root discount) added or removed.
    pub adj_points: i64,
    /// Why the kernel cannot choose this task, if it cannot.
    pub exempt: Option<Exempt>,
    /// The row's numbers cannot be real: adding them up overflowed, so its points are
    /// saturated (shown, but not to be trusted).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub implausible: bool,
}

/// The kernel's printed score compared with the rebuilt one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreCheck {
    /// The task the kernel printed a score for.
    pub pid: u32,
    /// What the kernel printed.
    pub printed: u64,
    /// What oomlens computes for that task.
    pub reconstructed: Option<i64>,
    /// Whether they agree (`None` when the rebuilt figure is only a bound).
    pub matches: Option<bool>,
    /// What the comparison shows.
    pub verdict: ScoreVerdict,
}

/// What comparing the printed score with the rebuilt one shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ScoreVerdict {
    /// Kernels before 2.6.36 print a heuristic score the log cannot reproduce.
    Unreproducible,
    /// The selected task's row is not in the table.
    NotInTable,
    /// totalpages is unknown.
    TotalUnknown,
    /// 2.6.36–3.5: the rebuilt lower bound is at most the printed score.
    BoundConsistent(i64),
    /// 2.6.36–3.5: the rebuilt lower bound is above the printed score.
    BoundAbove(i64),
    /// The rebuilt score equals the printed one.
    Equal(i64),
    /// They differ, and totalpages rests on an assumption; with oom_score_adj 0 the
    /// printed score implies totalpages within `implied` (low, high).
    DiffersAssumed {
        /// The rebuilt score.
        rebuilt: i64,
        /// totalpages the printed score implies.
        implied: Option<(u64, u64)>,
    },
    /// They differ with an exact totalpages: rss moved after the choice.
    DiffersMoved(i64),
}

/// The rebuilt ranking of one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Badness {
    /// The formula used (kernel era).
    pub formula: Formula,
    /// totalpages: the memory the OOM domain could use, in pages.
    pub totalpages: Option<u64>,
    /// Where totalpages comes from, including any assumption.
    pub totalpages_basis: TotalBasis,
    /// totalpages rests only on what the log states.
    pub totalpages_exact: bool,
    /// Page size used, kB.
    pub page_size_kb: u64,
    /// Where the page size comes from.
    pub page_size_basis: String,
    /// Tasks in the kernel's order (exempt tasks last).
    pub ranking: Vec<Ranked>,
    /// The killed task's place in the ranking.
    pub victim_rank: Option<u32>,
    /// PID of the task the kernel selected (pre-5.1 kernels say so; it may differ from
    /// the killed task).
    pub selected_pid: Option<u32>,
    /// The printed score checked against the rebuilt one.
    pub kernel_score: Option<ScoreCheck>,
    /// Whether the order of the top of the ranking changes within what the log allows
    /// for totalpages (`None` when totalpages is exact).
    pub order_depends_on_assumption: Option<bool>,
    /// Why this victim: the findings in reading order (the words are the renderers').
    pub findings: Vec<Finding>,
    /// The deciding factor (for overviews).
    pub decider: Decider,
    /// Assumptions and caveats.
    pub notes: Vec<Note>,
}

/// Context from outside the event.
#[derive(Debug, Default, Clone)]
pub struct BadnessContext<'a> {
    /// Evidence of the event's own boot.
    pub boot: Option<&'a BootEvidence>,
    /// Evidence from other boots of the same host (weaker).
    pub other_boots: Vec<&'a BootEvidence>,
    /// PIDs killed by OOM reports of the same host shortly before this one.
    pub earlier_victims: Vec<u32>,
    /// The tasks run in containers, which drop CAP_SYS_ADMIN by default: no root
    /// discount for their uid 0.
    pub containerized: bool,
}

/// The kernel era of the badness formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Era {
    /// ≤ 2.6.35
    Legacy,
    /// 2.6.36–3.5
    Normalised,
    /// 3.6+
    Pages,
}

/// Which page-table column the formula counts (3.6+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageTables {
    /// The table has no page-table column.
    None,
    /// `nr_ptes`.
    NrPtes,
    /// `nr_ptes + nr_pmds`.
    NrPtesPmds,
    /// `pgtables_bytes / page size`.
    Bytes,
}

/// The discount root tasks get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RootBonus {
    /// None (4.17+, or CAP_SYS_ADMIN dropped).
    None,
    /// oom_score_adj − 30 (up to 3.13.0).
    Adj30,
    /// −3 % (3.14–4.16, RHEL 7).
    ThreePercent,
}

/// The formula used: era, page-table term and root discount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Formula {
    /// Kernel era.
    pub era: Era,
    /// Page-table term (3.6+).
    pub page_tables: PageTables,
    /// Root discount (3.6+).
    pub root: RootBonus,
}

/// Why the kernel cannot choose a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Exempt {
    /// oom_score_adj=-1000.
    AdjMin,
    /// Killed by an earlier report: the kernel skips it.
    EarlierVictim,
}

/// A caveat about the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Note {
    /// The printed score shows the selected root task had no root discount.
    PrintedScoreShowsNoRootDiscount,
    /// totalpages unknown: ordered by memory only.
    AdjNotWeighed,
    /// Kernel version unknown: the root discount is a guess.
    RootDiscountGuessed,
    /// The root discount was applied by uid, not CAP_SYS_ADMIN.
    RootDiscountByUid,
    /// 2.6.36–3.5 tables omit swap and page tables: lower bounds.
    LowerBounds,
}

#[derive(Debug, Clone, Copy)]
struct Model {
    era: Era,
    pt: PageTables,
    root: RootBonus,
    /// Root bonus picked without knowing the exact version.
    root_guess: bool,
    clamp_min_one: bool,
    later_wins_ties: bool,
}

impl Model {
    fn formula(&self) -> Formula {
        Formula {
            era: self.era,
            page_tables: self.pt,
            root: self.root,
        }
    }
}

fn model(ev: &OomEvent, ver: Option<KernelVersion>, containerized: bool) -> Model {
    let cols = &ev.tasks.columns;
    let has = |c: &str| cols.iter().any(|x| x == c);
    let mut m = Model {
        era: Era::Pages,
        pt: PageTables::None,
        root: RootBonus::None,
        root_guess: false,
        clamp_min_one: true,
        later_wins_ties: false,
    };
    if has("oom_adj") && !has("oom_score_adj") {
        m.era = Era::Legacy;
        return m;
    }
    if has("oom_adj") {
        m.era = Era::Normalised;
        m.root = RootBonus::Adj30;
        return m;
    }
    m.pt = if has("pgtables_bytes") {
        PageTables::Bytes
    } else if has("nr_pmds") {
        PageTables::NrPtesPmds
    } else if has("nr_ptes") {
        PageTables::NrPtes
    } else {
        PageTables::None
    };
    let v = ver.map(|v| (v.major, v.minor));
    let rhel = ver.and_then(|v| v.rhel);
    // The root discount, by version; the table shape brackets it when the version
    // is unknown.
    m.root = match (v, rhel, m.pt) {
        (_, Some(7), _) => RootBonus::ThreePercent,
        (_, Some(8..), _) => RootBonus::None,
        (Some(v), _, _) if v >= (4, 17) => RootBonus::None,
        (Some(v), _, _) if v >= (3, 10) => RootBonus::ThreePercent,
        (Some(v), _, _) if v >= (3, 6) => RootBonus::Adj30,
        (None, _, PageTables::NrPtes | PageTables::NrPtesPmds) => {
            m.root_guess = true;
            RootBonus::ThreePercent
        }
        (None, _, _) if ev.tasks.wide_pid => RootBonus::None,
        (None, _, _) => {
            m.root_guess = true;
            RootBonus::None
        }
        _ => RootBonus::None,
    };
    if containerized {
        m.root = RootBonus::None;
        m.root_guess = false;
    }
    let kill_5_4 = ev
        .killed
        .iter()
        .any(|k| k.pgtables_kb.is_some() || k.oom_score_adj.is_some());
    m.clamp_min_one = match v {
        Some(v) => v < (5, 9),
        None => !has("rss_anon"),
    };
    m.later_wins_ties = match v {
        Some(v) => v >= (5, 4) || v == (4, 7) || v == (4, 8),
        None => kill_5_4 || has("rss_anon"),
    };
    m
}

/// Rebuilds the ranking of `ev`. Returns `None` when the event has nothing to rank
/// and no victim to explain.
pub fn analyse(ev: &OomEvent, ctx: &BadnessContext<'_>) -> Option<Badness> {
    if ev.tasks.rows.is_empty() && ev.killed.is_empty() && ev.kernel_choice.is_none() {
        return None;
    }
    let ver = ev
        .kernel_version
        .as_log_str()
        .and_then(KernelVersion::parse);
    let mut m = model(ev, ver, ctx.containerized);
    let (page_kb, page_basis) = kernel::page_size(ev);
    let mut notes = Vec::new();
    let total = totalpages(ev, page_kb, ver, ctx);
    let exempt_earlier = |r: &TaskRow| ctx.earlier_victims.contains(&r.pid);

    let rank_with = |m: &Model, total: Option<u64>| -> Vec<Ranked> {
        let mut r: Vec<Ranked> = ev
            .tasks
            .rows
            .iter()
            .map(|row| points(row, m, total, page_kb, exempt_earlier(row)))
            .collect();
        order(&mut r, m.later_wins_ties);
        r
    };
    let total_pages = total.as_ref().map(|t| t.pages);
    let mut ranking = if m.era == Era::Legacy {
        Vec::new()
    } else {
        rank_with(&m, total_pages)
    };
    // A printed score settles whether the selected root task had CAP_SYS_ADMIN.
    if m.era == Era::Pages
        && m.root != RootBonus::None
        && let Some(c) = &ev.kernel_choice
        && let Some(printed) = c.score
        && ev
            .tasks
            .rows
            .iter()
            .any(|r| r.pid == c.pid && r.uid == Some(0))
    {
        let score_of = |r: &[Ranked]| r.iter().find(|x| x.pid == c.pid).and_then(|x| x.score);
        if score_of(&ranking) != Some(printed as i64) {
            let alt_model = Model {
                root: RootBonus::None,
                ..m
            };
            let alt = rank_with(&alt_model, total_pages);
            if score_of(&alt) == Some(printed as i64) {
                ranking = alt;
                m = alt_model;
                notes.push(Note::PrintedScoreShowsNoRootDiscount);
            }
        }
    }
    let adj_differs = {
        let mut adjs = ev
            .tasks
            .rows
            .iter()
            .filter_map(|r| r.oom_score_adj)
            .filter(|a| *a > -1000);
        let first = adjs.next();
        adjs.any(|a| Some(a) != first)
    };
    if total.is_none() && adj_differs && !ranking.is_empty() {
        notes.push(Note::AdjNotWeighed);
    }
    let victim = ev.victim();
    let victim_rank = victim
        .and_then(|v| ranking.iter().find(|r| r.pid == v.pid))
        .and_then(|r| r.rank);
    let selected_pid = ev.kernel_choice.as_ref().map(|c| c.pid);

    // Would another totalpages within the log's bounds change the top of the order?
    let mut depends = (total.is_none() && adj_differs && !ranking.is_empty()).then_some(true);
    if let Some(t) = &total
        && !t.exact
        && m.era == Era::Pages
        && !ranking.is_empty()
    {
        let alt = rank_with(&m, Some(t.alternative));
        let top = |v: &[Ranked]| v.iter().take(3).map(|r| r.pid).collect::<Vec<_>>();
        depends = Some(top(&ranking) != top(&alt));
    }

    if m.root_guess && ev.tasks.rows.iter().any(|r| r.uid == Some(0)) {
        notes.push(Note::RootDiscountGuessed);
    }
    if m.root != RootBonus::None && ev.tasks.rows.iter().any(|r| r.uid == Some(0)) {
        notes.push(Note::RootDiscountByUid);
    }
    if m.era == Era::Normalised {
        notes.push(Note::LowerBounds);
    }
    let kernel_score = score_check(ev, &m, &ranking, total.as_ref());
    let findings = explain(
        ev,
        &m,
        &ranking,
        victim_rank,
        total.as_ref(),
        depends,
        page_kb,
    );
    let decider = decide(ev, &m, &ranking);
    Some(Badness {
        formula: m.formula(),
        totalpages: total.as_ref().map(|t| t.pages),
        totalpages_basis: total.as_ref().map_or(TotalBasis::Unknown, |t| t.basis),
        totalpages_exact: total.as_ref().is_some_and(|t| t.exact),
        page_size_kb: page_kb,
        page_size_basis: page_basis.into(),
        ranking,
        victim_rank,
        selected_pid,
        kernel_score,
        order_depends_on_assumption: depends,
        findings,
        decider,
        notes,
    })
}

/// totalpages, how it was found, and the other end of what the log allows.
#[derive(Debug, Clone)]
struct Total {
    pages: u64,
    basis: TotalBasis,
    exact: bool,
    /// Another value within the log's bounds (the far end), for the sensitivity check.
    alternative: u64,
}

fn totalpages(
    ev: &OomEvent,
    page_kb: u64,
    ver: Option<KernelVersion>,
    ctx: &BadnessContext<'_>,
) -> Option<Total> {
    let scope = ev.scope.or(if ev.mem_info.is_some() {
        Some(Scope::Global)
    } else {
        None
    })?;
    match scope {
        Scope::Memcg => memcg_total(ev, page_kb, ctx),
        Scope::Global => global_total(ev, page_kb, ver, ctx),
        Scope::Cpuset | Scope::Mempolicy => node_total(ev, page_kb, ctx),
    }
}

/// Where the machine's total swap comes from when the report does not print it.
/// Where a swap size comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SwapSource {
    /// `Total swap = N kB` in this report.
    ThisReport(u64),
    /// `Total swap` of another OOM report of the same boot.
    SameBoot(u64),
    /// `Adding …k swap` lines at boot.
    AddedAtBoot(u64),
    /// Swap seen in another boot of this host (may have changed).
    OtherBoot(u64),
}

fn swap_evidence(ev: &OomEvent, ctx: &BadnessContext<'_>) -> Option<(u64, SwapSource)> {
    if let Some(kb) = ev.mem_info.as_ref().and_then(|m| m.total_swap_kb) {
        return Some((kb, SwapSource::ThisReport(kb)));
    }
    if let Some(b) = ctx.boot {
        if let Some(kb) = b.total_swap_kb {
            return Some((kb, SwapSource::SameBoot(kb)));
        }
        if let Some(kb) = b.swap_added_kb {
            return Some((kb, SwapSource::AddedAtBoot(kb)));
        }
    }
    for b in &ctx.other_boots {
        if let Some(kb) = b.total_swap_kb.or(b.swap_added_kb) {
            return Some((kb, SwapSource::OtherBoot(kb)));
        }
    }
    None
}

/// How the RAM part of a global OOM's totalpages was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RamBasis {
    /// 3.13–3.17 misprint "pages reserved": the zones' managed pages instead.
    ManagedPages(u64),
    /// RAM − reserved (− CMA on 3.19–4.1) = pages.
    RamMinusReserved {
        /// RAM pages.
        ram: u64,
        /// Reserved pages.
        reserved: u64,
        /// CMA reserved pages subtracted (0: none).
        cma: u64,
        /// The result.
        pages: u64,
    },
}

/// How much swap a memcg may use on top of its limit, as the log shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SwapRoom {
    /// memory+swap unlimited.
    MemswUnlimited,
    /// memory+swap limit − memory limit.
    MemswMinusLimit,
    /// swap.max unlimited.
    SwapMaxUnlimited,
    /// swap.max.
    SwapMax,
    /// No swap limit printed.
    NotPrinted,
}

/// The swap term of a memcg OOM's totalpages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemcgSwap {
    /// The machine's swap size is known: min of the room and it (0: no swap).
    Known {
        /// Swap pages counted.
        pages: u64,
        /// The memcg's room.
        room: SwapRoom,
        /// Where the swap size comes from.
        source: SwapSource,
    },
    /// Only the memcg's room is known; the machine's swap assumed at least as large.
    RoomOnly {
        /// Room, pages.
        pages: u64,
        /// The memcg's room.
        room: SwapRoom,
    },
    /// Neither: swap in use as a lower bound (0: assumed no swap).
    InUse {
        /// Swap pages in use.
        pages: u64,
        /// The memcg's room.
        room: SwapRoom,
    },
}

/// Where totalpages comes from, with the numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TotalBasis {
    /// The log holds neither a memcg limit nor Mem-Info totals.
    Unknown,
    /// Global OOM: RAM + swap.
    Global {
        /// The RAM part.
        ram: RamBasis,
        /// Swap pages.
        swap_pages: u64,
        /// Where the swap size comes from (`None`: assumed none).
        swap: Option<SwapSource>,
        /// totalpages.
        pages: u64,
    },
    /// Memcg OOM: the limit + swap.
    Memcg {
        /// The limit, kB.
        limit_kb: u64,
        /// The limit, pages.
        limit_pages: u64,
        /// The swap term.
        swap: MemcgSwap,
        /// totalpages.
        pages: u64,
    },
    /// cpuset/mempolicy OOM: present pages of the printed zones + swap (approximate).
    Nodes {
        /// Present pages.
        present: u64,
        /// Swap pages.
        swap: u64,
        /// totalpages.
        pages: u64,
    },
}

fn global_total(
    ev: &OomEvent,
    page_kb: u64,
    ver: Option<KernelVersion>,
    ctx: &BadnessContext<'_>,
) -> Option<Total> {
    let mi = ev.mem_info.as_ref()?;
    let ram = mi.pages_ram?;
    let v = ver.map(|v| (v.major, v.minor));
    let managed = zone_pages(mi, |z| z.managed_kb, page_kb);
    let (totalram, ram_basis) = match v {
        // 3.13–3.17 print only the last zone's reserved pages; the zones' managed
        // pages add up to totalram instead.
        Some(v) if ((3, 13)..=(3, 17)).contains(&v) && managed > 0 => {
            (managed, RamBasis::ManagedPages(managed))
        }
        _ => {
            let reserved = mi.pages_reserved?;
            // 3.19–4.1 subtract CMA from the printed reserved count.
            let cma = match (v, mi.pages_cma_reserved) {
                (Some(v), Some(c)) if ((3, 19)..=(4, 1)).contains(&v) => c,
                _ => 0,
            };
            let t = ram.saturating_sub(reserved.saturating_add(cma));
            (
                t,
                RamBasis::RamMinusReserved {
                    ram,
                    reserved,
                    cma,
                    pages: t,
                },
            )
        }
    };
    let (swap_kb, exact, swap) = match swap_evidence(ev, ctx) {
        Some((kb, source)) => (kb, mi.total_swap_kb.is_some(), Some(source)),
        None => (0, false, None),
    };
    let swap_pages = swap_kb / page_kb.max(1);
    let pages = totalram.saturating_add(swap_pages);
    Some(Total {
        pages,
        basis: TotalBasis::Global {
            ram: ram_basis,
            swap_pages,
            swap,
            pages,
        },
        exact,
        alternative: pages,
    })
}

fn memcg_total(ev: &OomEvent, page_kb: u64, ctx: &BadnessContext<'_>) -> Option<Total> {
    let mc = ev.memcg.as_ref()?;
    let limit_kb = mc.limit_kb.filter(|l| *l < UNLIMITED_KB)?;
    let limit = limit_kb / page_kb.max(1);
    // How much swap the memcg may use on top of its memory limit.
    let (room_kb, room): (Option<u64>, SwapRoom) = if let Some(memsw) = mc.memsw_limit_kb {
        if memsw >= UNLIMITED_KB {
            (None, SwapRoom::MemswUnlimited)
        } else {
            (
                Some(memsw.saturating_sub(limit_kb)),
                SwapRoom::MemswMinusLimit,
            )
        }
    } else if let Some(sw) = mc.swap_limit_kb {
        if sw >= UNLIMITED_KB {
            (None, SwapRoom::SwapMaxUnlimited)
        } else {
            (Some(sw), SwapRoom::SwapMax)
        }
    } else {
        (None, SwapRoom::NotPrinted)
    };
    // Swap in use is a lower bound on the machine's swap.
    let used_kb = mc.swap_used_kb().unwrap_or(0).max(
        (ev.tasks
            .rows
            .iter()
            .filter_map(|r| r.swapents)
            .fold(0i64, i64::saturating_add)
            .max(0) as u64)
            .saturating_mul(page_kb),
    );
    let memcg = |swap, pages| TotalBasis::Memcg {
        limit_kb,
        limit_pages: limit,
        swap,
        pages,
    };
    match swap_evidence(ev, ctx) {
        Some((swap_kb, source)) => {
            let term = room_kb.map_or(swap_kb, |r| r.min(swap_kb)) / page_kb.max(1);
            let pages = limit.saturating_add(term);
            Some(Total {
                pages,
                basis: memcg(
                    MemcgSwap::Known {
                        pages: term,
                        room,
                        source,
                    },
                    pages,
                ),
                exact: true,
                alternative: pages,
            })
        }
        None => match room_kb {
            Some(room_kb) => {
                let room_pages = room_kb / page_kb.max(1);
                let pages = limit.saturating_add(room_pages);
                let low = limit.saturating_add(used_kb.min(room_kb) / page_kb.max(1));
                Some(Total {
                    pages,
                    basis: memcg(
                        MemcgSwap::RoomOnly {
                            pages: room_pages,
                            room,
                        },
                        pages,
                    ),
                    exact: room_kb == 0,
                    alternative: low,
                })
            }
            None => {
                let used = used_kb / page_kb.max(1);
                let pages = limit.saturating_add(used);
                Some(Total {
                    pages,
                    basis: memcg(MemcgSwap::InUse { pages: used, room }, pages),
                    exact: false,
                    // With unknown swap the far end is "much more swap": adj dominates.
                    alternative: pages.saturating_mul(16),
                })
            }
        },
    }
}

/// A kB field summed over the report's zones, in pages (saturating: log numbers).
fn zone_pages(mi: &MemInfo, kb: impl Fn(&Zone) -> Option<u64>, page_kb: u64) -> u64 {
    mi.zones
        .iter()
        .filter_map(kb)
        .fold(0u64, u64::saturating_add)
        / page_kb.max(1)
}

fn node_total(ev: &OomEvent, page_kb: u64, ctx: &BadnessContext<'_>) -> Option<Total> {
    let mi = ev.mem_info.as_ref()?;
    let present = zone_pages(mi, |z| z.present_kb, page_kb);
    if present == 0 {
        return None;
    }
    let swap = swap_evidence(ev, ctx).map_or(0, |(kb, _)| kb) / page_kb.max(1);
    let pages = present.saturating_add(swap);
    Some(Total {
        pages,
        basis: TotalBasis::Nodes {
            present,
            swap,
            pages,
        },
        exact: false,
        alternative: pages,
    })
}

fn points(
    r: &TaskRow,
    m: &Model,
    total: Option<u64>,
    page_kb: u64,
    already_killed: bool,
) -> Ranked {
    // Log numbers can be anything up to i64::MAX: every sum saturates, and a row whose
    // arithmetic had to saturate is flagged (its figures cannot be real).
    let sat = std::cell::Cell::new(false);
    let add = |a: i64, b: i64| {
        a.checked_add(b).unwrap_or_else(|| {
            sat.set(true);
            a.saturating_add(b)
        })
    };
    let mul = |a: i64, b: i64| {
        a.checked_mul(b).unwrap_or_else(|| {
            sat.set(true);
            a.saturating_mul(b)
        })
    };
    let rss = r.rss.unwrap_or(0);
    let swap = r.swapents.unwrap_or(0);
    let pt = match m.pt {
        PageTables::NrPtes => r.nr_ptes.unwrap_or(0),
        PageTables::NrPtesPmds => add(r.nr_ptes.unwrap_or(0), r.nr_pmds.unwrap_or(0)),
        PageTables::Bytes => r.pgtables_bytes.unwrap_or(0) / (page_kb.max(1) as i64 * 1024),
        PageTables::None => 0,
    };
    let adj = r.oom_score_adj.unwrap_or(0);
    let root = r.uid == Some(0);
    let mem = add(add(rss, swap), pt);
    let mut out = Ranked {
        pid: r.pid,
        name: r.name.clone(),
        points: None,
        score: None,
        rank: None,
        rss_pages: rss,
        swap_pages: swap,
        pgtables_pages: pt,
        oom_score_adj: adj,
        adj_points: 0,
        exempt: None,
        implausible: sat.get(),
    };
    if adj <= -1000 {
        out.exempt = Some(Exempt::AdjMin);
        return out;
    }
    if already_killed {
        out.exempt = Some(Exempt::EarlierVictim);
        return out;
    }
    match m.era {
        Era::Legacy => {}
        Era::Normalised => {
            let Some(t) = total.filter(|t| *t > 0) else {
                // Without totalpages only the memory part can be ordered.
                out.points = Some(mem);
                return out;
            };
            let mut p = mul(mem, 1000) / t.min(i64::MAX as u64) as i64;
            let mut a = adj;
            if root {
                a = a.saturating_sub(30);
            }
            p = p.saturating_add(a);
            out.adj_points = a;
            let p = p.clamp(1, 1000);
            out.points = Some(p);
            out.score = Some(p);
        }
        Era::Pages => {
            let mut base = mem;
            let mut a = adj;
            match m.root {
                RootBonus::ThreePercent if root => base -= mul(base, 3) / 100,
                RootBonus::Adj30 if root => a = a.saturating_sub(30),
                _ => {}
            }
            let unit = total.map_or(0, |t| (t / 1000).min(i64::MAX as u64) as i64);
            let adj_pts = mul(a, unit);
            let mut p = add(base, adj_pts);
            if m.clamp_min_one && p < 1 {
                p = 1;
            }
            // The 3 % root discount is part of the adjustment for explanations.
            out.adj_points = adj_pts.saturating_sub(mem.saturating_sub(base));
            out.points = Some(p);
            out.score = total
                .filter(|t| *t > 0)
                .map(|t| mul(p, 1000) / t.min(i64::MAX as u64) as i64);
        }
    }
    out.implausible = sat.get();
    out
}

/// Sorts into the kernel's order and numbers the ranks. Ties go to the first task
/// in table order on kernels that keep the first (`>` comparison), to the later one
/// on kernels that replace on equality (4.7–4.8, 5.4+).
fn order(ranking: &mut [Ranked], later_wins: bool) {
    let mut idx: Vec<(usize, Ranked)> = ranking.iter().cloned().enumerate().collect();
    idx.sort_by(|(ia, a), (ib, b)| {
        let ka = a.points.map_or(i64::MIN, |p| p);
        let kb = b.points.map_or(i64::MIN, |p| p);
        let exa = a.points.is_none();
        let exb = b.points.is_none();
        exa.cmp(&exb)
            .then(kb.cmp(&ka))
            .then(if later_wins { ib.cmp(ia) } else { ia.cmp(ib) })
    });
    let mut rank = 0;
    for (slot, (_, mut r)) in ranking.iter_mut().zip(idx) {
        if r.points.is_some() {
            rank += 1;
            r.rank = Some(rank);
        }
        *slot = r;
    }
}

fn score_check(
    ev: &OomEvent,
    m: &Model,
    ranking: &[Ranked],
    total: Option<&Total>,
) -> Option<ScoreCheck> {
    let choice = ev.kernel_choice.as_ref()?;
    let printed = choice.score?;
    let row = ranking.iter().find(|r| r.pid == choice.pid);
    let (reconstructed, matches, verdict) = match (m.era, row, total) {
        (Era::Legacy, _, _) => (None, None, ScoreVerdict::Unreproducible),
        (_, None, _) => (None, None, ScoreVerdict::NotInTable),
        (_, Some(_), None) => (None, None, ScoreVerdict::TotalUnknown),
        (Era::Normalised, Some(r), Some(_)) => {
            let s = r.score;
            let rebuilt = s.unwrap_or(0);
            let verdict = if s.map(|s| s <= printed as i64) == Some(true) {
                ScoreVerdict::BoundConsistent(rebuilt)
            } else {
                ScoreVerdict::BoundAbove(rebuilt)
            };
            (s, None, verdict)
        }
        (Era::Pages, Some(r), Some(t)) => {
            let s = r.score;
            let rebuilt = s.unwrap_or(0);
            let ok = s == Some(printed as i64);
            let verdict = if ok {
                ScoreVerdict::Equal(rebuilt)
            } else if !t.exact {
                // With oom_score_adj 0 the printed score pins totalpages down.
                let implied = match r.points {
                    Some(p) if r.adj_points == 0 && printed > 0 && p > 0 => {
                        let hi = (p as u64).saturating_mul(1000) / printed;
                        let lo = (p as u64).saturating_mul(1000) / printed.saturating_add(1) + 1;
                        Some((lo, hi))
                    }
                    _ => None,
                };
                ScoreVerdict::DiffersAssumed { rebuilt, implied }
            } else {
                ScoreVerdict::DiffersMoved(rebuilt)
            };
            (s, Some(ok), verdict)
        }
    };
    Some(ScoreCheck {
        pid: choice.pid,
        printed,
        reconstructed,
        matches,
        verdict,
    })
}

/// A task as a fact names it: pid, name (from the log), and the line that names it
/// when the event has one (the victim's `Killed process` line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRef {
    /// PID.
    pub pid: u32,
    /// Process name, as the log gives it (untrusted).
    pub name: LogString,
    /// Line of the input that names the task, when known.
    pub line: Option<u64>,
}

impl TaskRef {
    fn of_row(r: &Ranked) -> Self {
        TaskRef {
            pid: r.pid,
            name: r.name.clone(),
            line: None,
        }
    }
}

/// What the top task's badness is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    /// 2.6.36–3.5: a 0–1000 figure (`points_bound`: a lower bound of the badness when
    /// totalpages is known, else only the rss pages could be ordered).
    Normalised {
        /// totalpages is known: the points are a badness lower bound.
        bound: bool,
    },
    /// 3.6+: pages of memory plus what oom_score_adj adds.
    Pages {
        /// rss + swap + page tables.
        memory: i64,
        /// rss pages.
        rss: i64,
        /// swap pages.
        swap: i64,
        /// page-table pages.
        pgtables: i64,
        /// Points oom_score_adj (and a root discount) added or removed.
        adj_points: i64,
        /// The task's oom_score_adj.
        oom_score_adj: i64,
        /// Of `adj_points`, the points the root discount of kernels before 4.17 (3 % of
        /// a root task's memory) removed, as a positive number; 0 when none applied.
        #[serde(default, skip_serializing_if = "is_zero")]
        root_discount: i64,
    },
}

/// How far ahead the top task was of the runner-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Margin {
    /// Points.
    pub points: i64,
    /// In kB, when points are pages (3.6+).
    pub kb: Option<u64>,
    /// Relative to the runner-up's points, percent (`None` when it has none).
    pub percent: Option<f64>,
}

/// The unit of a gap between two tasks' badness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GapUnit {
    /// Badness points.
    Points,
    /// rss pages (2.6.36–3.5 without totalpages).
    Pages,
}

/// One finding about why the victim was chosen, in the order a reader needs them.
/// The render layer owns the words (`render::vocab`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Finding {
    /// The OOM was triggered by hand (SysRq-f), order −1.
    TriggeredByHand,
    /// The kernel found no task it could kill.
    NoKillableProcess,
    /// The chosen task was already exiting: no new kill.
    VictimExiting(TaskRef),
    /// The kernel panicked: "System is deadlocked on memory" (`deadlocked`) or
    /// panic_on_oom.
    Panicked {
        /// The panic says the system is deadlocked on memory.
        deadlocked: bool,
    },
    /// vm.oom_kill_allocating_task: no ranking.
    KilledAllocatingTask,
    /// Kernels before 2.6.36: a heuristic the log cannot reproduce.
    LegacyHeuristic,
    /// The largest task by virtual size (pre-2.6.36).
    LargestByVirtualSize(TaskRef),
    /// The log does not name the killed task.
    NoVictimNamed,
    /// Pre-5.1: the kernel selected a task and killed a child of it instead.
    ChildSacrificed {
        /// The selected parent.
        selected: TaskRef,
        /// Its printed score.
        score: Option<u64>,
        /// The killed child.
        victim: TaskRef,
    },
    /// No task table: no ranking to rebuild.
    NoTaskTable {
        /// The victim.
        victim: TaskRef,
    },
    /// The victim (or selected task) is not in the task table.
    NotInTable {
        /// The victim.
        victim: TaskRef,
    },
    /// The victim had the highest badness.
    Highest {
        /// The task.
        task: TaskRef,
        /// Its points.
        points: i64,
        /// What they are made of.
        measure: Measure,
    },
    /// It was the only eligible task.
    OnlyCandidate,
    /// Its oom_score_adj put it first though it was not the largest.
    AdjPutFirst {
        /// Place by memory alone.
        memory_rank: usize,
        /// Its oom_score_adj.
        oom_score_adj: i64,
    },
    /// It was also the largest by memory.
    AlsoLargest,
    /// Its place by memory alone.
    MemoryRank(usize),
    /// The runner-up and the margin to it.
    RunnerUp {
        /// The runner-up.
        task: TaskRef,
        /// Its points.
        points: i64,
        /// The margin.
        margin: Margin,
    },
    /// 2.6.36–3.5: score 1000 is the cap; the first row of the table wins the tie.
    CappedTie(TaskRef),
    /// The rebuilt ranking puts another task first.
    VictimBehind {
        /// The rebuilt top.
        top: TaskRef,
        /// The victim.
        victim: TaskRef,
        /// The victim's rebuilt rank.
        victim_rank: Option<u32>,
        /// The gap.
        gap: i64,
        /// The gap relative to the top's points, percent.
        gap_percent: f64,
        /// Unit of the gap.
        unit: GapUnit,
    },
    /// The gap is under 5 %: rss moves between the choice and the table.
    SmallGap,
    /// The table is a snapshot after the choice (exiting tasks still listed).
    SnapshotAfterChoice,
    /// Every task is exempt.
    AllExempt,
    /// The largest task of all could not be chosen.
    LargestExempt {
        /// The task.
        task: TaskRef,
        /// Its rss + swap, kB.
        kb: u64,
        /// Why it is exempt.
        reason: Exempt,
    },
    /// memory.oom.group killed the rest of the group.
    GroupKill {
        /// The group's cgroup (from the log).
        cgroup: Option<LogString>,
        /// Tasks killed with the victim.
        more: usize,
    },
    /// The victim has no rank.
    Unranked,
    /// The top of the ranking depends on the assumed totalpages.
    DependsOnAssumption,
}

/// The deciding factor of the ranking (the overview's "why").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Factor {
    /// No killable process.
    NoKillableProcess,
    /// panic_on_oom (or a deadlock panic).
    Panic,
    /// The victim was already exiting.
    VictimExiting,
    /// The kill is not in the log.
    KillNotInLog,
    /// vm.oom_kill_allocating_task.
    AllocatingTask,
    /// The kernel selected a parent and killed a child (pre-5.1).
    ChildOfSelected(TaskRef),
    /// Pre-2.6.36 heuristic.
    LegacyHeuristic,
    /// No task table.
    NoTaskTable,
    /// The victim is not in the task table.
    NotInTable,
    /// The only candidate.
    OnlyCandidate,
    /// The rebuilt ranking puts it at this rank, not first.
    Ranked(u32),
    /// Largest by memory.
    LargestByMemory,
    /// Its oom_score_adj outweighed larger tasks.
    AdjOutweighed(i64),
    /// Larger tasks were protected by their oom_score_adj.
    LargerProtected,
}

/// The deciding factor, and whether memory.oom.group added kills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decider {
    /// The factor.
    pub factor: Factor,
    /// memory.oom.group was set.
    pub group_kill: bool,
}

/// rss + swap + page tables, saturating.
pub(crate) fn memory_of(r: &Ranked) -> i64 {
    r.rss_pages
        .saturating_add(r.swap_pages)
        .saturating_add(r.pgtables_pages)
}

fn victim_ref(v: &Killed) -> TaskRef {
    TaskRef {
        pid: v.pid,
        name: v.comm.clone(),
        line: Some(v.line),
    }
}

fn explain(
    ev: &OomEvent,
    m: &Model,
    ranking: &[Ranked],
    victim_rank: Option<u32>,
    total: Option<&Total>,
    depends: Option<bool>,
    page_kb: u64,
) -> Vec<Finding> {
    use Finding as F;
    let mut s: Vec<Finding> = Vec::new();
    let victim = ev.victim();
    if let Some(t) = &ev.trigger
        && t.order == Some(-1)
    {
        s.push(F::TriggeredByHand);
    }
    if let Some(Ending::NoKillableProcess) = &ev.ending {
        s.push(F::NoKillableProcess);
    }
    if let Some(Ending::VictimExiting { pid, comm }) = &ev.ending {
        s.push(F::VictimExiting(TaskRef {
            pid: *pid,
            name: comm.clone(),
            line: None,
        }));
    }
    if let Some(Ending::Panic { text }) = &ev.ending {
        s.push(F::Panicked {
            deadlocked: text.as_log_str().contains("deadlocked"),
        });
    }
    if victim.is_some_and(|v| {
        v.message
            .as_log_str()
            .is_some_and(|m| m.contains("oom_kill_allocating_task"))
    }) {
        s.push(F::KilledAllocatingTask);
        return s;
    }
    if m.era == Era::Legacy {
        let biggest = ev.tasks.rows.iter().max_by_key(|r| r.total_vm.unwrap_or(0));
        s.push(F::LegacyHeuristic);
        if let Some(b) = biggest {
            s.push(F::LargestByVirtualSize(TaskRef {
                pid: b.pid,
                name: b.name.clone(),
                line: None,
            }));
        }
        return s;
    }
    let Some(victim) = victim else {
        if s.is_empty() {
            s.push(F::NoVictimNamed);
        }
        return s;
    };
    let vref = victim_ref(victim);
    if let Some(choice) = &ev.kernel_choice
        && choice.pid != victim.pid
        && victim.evidence == Evidence::KilledLine
    {
        s.push(F::ChildSacrificed {
            selected: TaskRef {
                pid: choice.pid,
                name: choice.comm.clone(),
                line: None,
            },
            score: choice.score,
            victim: vref.clone(),
        });
    }
    if ranking.is_empty() {
        s.push(F::NoTaskTable { victim: vref });
        return s;
    }
    let eligible: Vec<&Ranked> = ranking.iter().filter(|r| r.rank.is_some()).collect();
    let top = eligible.first();
    let by_memory = {
        let mut v: Vec<&Ranked> = eligible.clone();
        v.sort_by_key(|r| std::cmp::Reverse(memory_of(r)));
        v
    };
    let subject = ev.kernel_choice.as_ref().map_or(victim.pid, |c| c.pid);
    let subject_row = ranking.iter().find(|r| r.pid == subject);
    match (top, subject_row) {
        (_, None) => s.push(F::NotInTable { victim: vref }),
        (Some(t), Some(v)) if t.pid == v.pid => {
            let measure = if m.era == Era::Normalised {
                Measure::Normalised {
                    bound: total.is_some(),
                }
            } else {
                Measure::Pages {
                    memory: memory_of(v),
                    rss: v.rss_pages,
                    swap: v.swap_pages,
                    pgtables: v.pgtables_pages,
                    adj_points: v.adj_points,
                    oom_score_adj: v.oom_score_adj,
                    // adj_points = oom_score_adj × totalpages/1000 − the root discount.
                    root_discount: match (m.root, total) {
                        (RootBonus::ThreePercent, Some(t)) => v
                            .oom_score_adj
                            .saturating_mul((t.pages / 1000).min(i64::MAX as u64) as i64)
                            .saturating_sub(v.adj_points)
                            .max(0),
                        _ => 0,
                    },
                }
            };
            s.push(F::Highest {
                task: TaskRef::of_row(v),
                points: v.points.unwrap_or(0),
                measure,
            });
            let mem_rank = by_memory.iter().position(|r| r.pid == v.pid).map(|i| i + 1);
            if eligible.len() == 1 {
                s.push(F::OnlyCandidate);
            } else if mem_rank.is_some_and(|r| r > 1) && v.adj_points > 0 {
                s.push(F::AdjPutFirst {
                    memory_rank: mem_rank.unwrap_or(0),
                    oom_score_adj: v.oom_score_adj,
                });
            } else if mem_rank == Some(1) {
                s.push(F::AlsoLargest);
            } else if let Some(r) = mem_rank {
                s.push(F::MemoryRank(r));
            }
            if let Some(next) = eligible.get(1) {
                let (a, b) = (v.points.unwrap_or(0), next.points.unwrap_or(0));
                let margin = a.saturating_sub(b);
                s.push(F::RunnerUp {
                    task: TaskRef::of_row(next),
                    points: b,
                    margin: Margin {
                        points: margin,
                        kb: (m.era == Era::Pages)
                            .then(|| (margin.max(0) as u64).saturating_mul(page_kb)),
                        percent: (b > 0).then(|| margin as f64 * 100.0 / b as f64),
                    },
                });
            }
        }
        (Some(_), Some(v))
            if m.era == Era::Normalised
                && ev.kernel_choice.as_ref().and_then(|c| c.score) == Some(1000)
                && ev.tasks.rows.first().is_some_and(|r| r.pid == v.pid) =>
        {
            s.push(F::CappedTie(TaskRef::of_row(v)));
        }
        (Some(t), Some(v)) => {
            let tp = t.points.unwrap_or(0);
            let gap = tp.saturating_sub(v.points.unwrap_or(0));
            let gap_percent = if tp > 0 {
                gap as f64 * 100.0 / tp as f64
            } else {
                0.0
            };
            let unit = if m.era == Era::Normalised && total.is_none() {
                GapUnit::Pages
            } else {
                GapUnit::Points
            };
            s.push(F::VictimBehind {
                top: TaskRef::of_row(t),
                victim: TaskRef::of_row(v),
                victim_rank: v.rank,
                gap,
                gap_percent,
                unit,
            });
            if gap_percent < 5.0 {
                s.push(F::SmallGap);
            } else if t.oom_score_adj != v.oom_score_adj || t.name != v.name {
                s.push(F::SnapshotAfterChoice);
            }
        }
        (None, Some(_)) => s.push(F::AllExempt),
    }
    // The largest task of all was exempt.
    let size = |r: &Ranked| r.rss_pages.saturating_add(r.swap_pages);
    if let Some(big) = ranking.iter().max_by_key(|r| size(r))
        && big.exempt.is_some()
        && top.is_some_and(|t| size(big) > size(t))
    {
        s.push(F::LargestExempt {
            task: TaskRef::of_row(big),
            kb: (size(big).max(0) as u64).saturating_mul(page_kb),
            reason: big.exempt.unwrap_or(Exempt::AdjMin),
        });
    }
    if ev.group_kill.is_some() {
        s.push(F::GroupKill {
            cgroup: ev.group_kill.clone(),
            more: ev.killed.iter().filter(|k| k.group).count(),
        });
    }
    if victim_rank.is_none() && subject_row.is_some() && ev.kernel_choice.is_none() && top.is_none()
    {
        s.push(F::Unranked);
    }
    if depends == Some(true) {
        s.push(F::DependsOnAssumption);
    }
    s
}

/// The deciding factor.
fn decide(ev: &OomEvent, m: &Model, ranking: &[Ranked]) -> Decider {
    let group_kill = ev.group_kill.is_some();
    let d = |factor| Decider { factor, group_kill };
    let Some(victim) = ev.victim() else {
        // No group suffix without a victim.
        return Decider {
            factor: match &ev.ending {
                Some(Ending::NoKillableProcess) => Factor::NoKillableProcess,
                Some(Ending::Panic { .. }) => Factor::Panic,
                Some(Ending::VictimExiting { .. }) => Factor::VictimExiting,
                None => Factor::KillNotInLog,
            },
            group_kill: false,
        };
    };
    if victim
        .message
        .as_log_str()
        .is_some_and(|m| m.contains("oom_kill_allocating_task"))
    {
        return Decider {
            factor: Factor::AllocatingTask,
            group_kill: false,
        };
    }
    if let Some(c) = &ev.kernel_choice
        && c.pid != victim.pid
        && victim.evidence == Evidence::KilledLine
    {
        return d(Factor::ChildOfSelected(TaskRef {
            pid: c.pid,
            name: c.comm.clone(),
            line: None,
        }));
    }
    if m.era == Era::Legacy {
        return d(Factor::LegacyHeuristic);
    }
    let eligible: Vec<&Ranked> = ranking.iter().filter(|r| r.rank.is_some()).collect();
    let subject = ev.kernel_choice.as_ref().map_or(victim.pid, |c| c.pid);
    let Some(v) = eligible.iter().find(|r| r.pid == subject) else {
        return d(if ranking.is_empty() {
            Factor::NoTaskTable
        } else {
            Factor::NotInTable
        });
    };
    if eligible.len() == 1 {
        return d(Factor::OnlyCandidate);
    }
    if eligible[0].pid != v.pid {
        return d(Factor::Ranked(v.rank.unwrap_or(0)));
    }
    let largest = eligible
        .iter()
        .max_by_key(|r| memory_of(r))
        .is_some_and(|r| r.pid == v.pid);
    d(if largest {
        Factor::LargestByMemory
    } else if v.adj_points > 0 {
        Factor::AdjOutweighed(v.oom_score_adj)
    } else {
        Factor::LargerProtected
    })
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

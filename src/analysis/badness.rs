//! Rebuilds the kernel's `oom_badness()` ranking from the task table, per kernel era,
//! and says in words why the victim was chosen.
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
use crate::event::{BootEvidence, Ending, Evidence, OomEvent, Scope, TaskRow};

/// Memcg and swap limits at or above this many kB mean "no limit" (the kernel prints
/// `PAGE_COUNTER_MAX` or `RES_COUNTER_MAX` in kB, which are in the 9e15–1.8e16 range).
pub const UNLIMITED_KB: u64 = 1 << 50;

/// One task in the rebuilt ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    /// PID.
    pub pid: u32,
    /// Process name.
    pub name: String,
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
    pub exempt: Option<String>,
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
    pub note: String,
}

/// The rebuilt ranking of one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Badness {
    /// The formula used (kernel era).
    pub formula: String,
    /// totalpages: the memory the OOM domain could use, in pages.
    pub totalpages: Option<u64>,
    /// Where totalpages comes from, including any assumption.
    pub totalpages_basis: String,
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
    /// Why this victim, in words.
    pub explanation: String,
    /// The deciding factor in a few words (for overviews), e.g. "oom_score_adj=800
    /// outweighed larger tasks".
    pub headline: String,
    /// Assumptions and caveats.
    pub notes: Vec<String>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Era {
    /// ≤ 2.6.35
    Legacy,
    /// 2.6.36–3.5
    Normalised,
    /// 3.6+
    Pages,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageTables {
    None,
    NrPtes,
    NrPtesPmds,
    Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RootBonus {
    None,
    Adj30,
    ThreePercent,
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
    fn describe(&self) -> String {
        match self.era {
            Era::Legacy => "≤ 2.6.35 heuristic (virtual size, CPU time, age): not reproducible from a log".into(),
            Era::Normalised => "2.6.36–3.5 / RHEL 6: (rss + swap + page tables) × 1000 / totalpages + oom_score_adj, 1…1000".into(),
            Era::Pages => {
                let pt = match self.pt {
                    PageTables::NrPtes => "nr_ptes",
                    PageTables::NrPtesPmds => "nr_ptes + nr_pmds",
                    PageTables::Bytes => "pgtables_bytes / page size",
                    PageTables::None => "(no page-table column)",
                };
                let root = match self.root {
                    RootBonus::None => "no root discount",
                    RootBonus::Adj30 => "root: oom_score_adj − 30",
                    RootBonus::ThreePercent => "root: −3 %",
                };
                format!("3.6+: rss + swapents + {pt} + oom_score_adj × (totalpages / 1000); {root}")
            }
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
    let ver = ev.kernel_version.as_deref().and_then(KernelVersion::parse);
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
                notes.push("the printed score shows the selected root task had no root discount (no CAP_SYS_ADMIN): none applied".into());
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
        notes.push("totalpages is unknown, so oom_score_adj cannot be weighed: tasks are ordered by memory only".into());
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
        notes.push("kernel version unknown: whether root tasks got a discount is a guess".into());
    }
    if m.root != RootBonus::None && ev.tasks.rows.iter().any(|r| r.uid == Some(0)) {
        notes.push("root discount applied to uid 0 tasks; the kernel applies it to CAP_SYS_ADMIN, which the log does not show".into());
    }
    if m.era == Era::Normalised {
        notes.push("this kernel's task table prints neither swap nor page tables: points and scores are lower bounds".into());
    }
    let kernel_score = score_check(ev, &m, &ranking, total.as_ref());
    let explanation = explain(
        ev,
        &m,
        &ranking,
        victim_rank,
        total.as_ref(),
        depends,
        page_kb,
    );
    let headline = headline(ev, &m, &ranking);
    Some(Badness {
        formula: m.describe(),
        totalpages: total.as_ref().map(|t| t.pages),
        totalpages_basis: total.as_ref().map(|t| t.basis.clone()).unwrap_or_else(|| {
            "unknown: the log holds neither a memcg limit nor Mem-Info totals for this report"
                .into()
        }),
        totalpages_exact: total.as_ref().is_some_and(|t| t.exact),
        page_size_kb: page_kb,
        page_size_basis: page_basis.into(),
        ranking,
        victim_rank,
        selected_pid,
        kernel_score,
        order_depends_on_assumption: depends,
        explanation,
        headline,
        notes,
    })
}

/// totalpages, how it was found, and the other end of what the log allows.
#[derive(Debug, Clone)]
struct Total {
    pages: u64,
    basis: String,
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
fn swap_evidence(ev: &OomEvent, ctx: &BadnessContext<'_>) -> Option<(u64, String)> {
    if let Some(kb) = ev.mem_info.as_ref().and_then(|m| m.total_swap_kb) {
        return Some((kb, format!("Total swap = {kb} kB in this report")));
    }
    if let Some(b) = ctx.boot {
        if let Some(kb) = b.total_swap_kb {
            return Some((
                kb,
                format!("Total swap = {kb} kB from another OOM report of the same boot"),
            ));
        }
        if let Some(kb) = b.swap_added_kb {
            return Some((
                kb,
                format!("{kb} kB of swap added at boot ('Adding …k swap' lines)"),
            ));
        }
    }
    for b in &ctx.other_boots {
        if let Some(kb) = b.total_swap_kb.or(b.swap_added_kb) {
            return Some((
                kb,
                format!("{kb} kB of swap seen in another boot of this host (may have changed)"),
            ));
        }
    }
    None
}

fn global_total(
    ev: &OomEvent,
    page_kb: u64,
    ver: Option<KernelVersion>,
    ctx: &BadnessContext<'_>,
) -> Option<Total> {
    let mi = ev.mem_info.as_ref()?;
    let ram = mi.pages_ram?;
    let mut basis = Vec::new();
    let v = ver.map(|v| (v.major, v.minor));
    let managed: u64 = mi.zones.iter().filter_map(|z| z.managed_kb).sum::<u64>() / page_kb.max(1);
    let totalram = match v {
        // 3.13–3.17 print only the last zone's reserved pages; the zones' managed
        // pages add up to totalram instead.
        Some(v) if ((3, 13)..=(3, 17)).contains(&v) && managed > 0 => {
            basis.push(format!(
                "Σ managed pages of the zones = {managed} (3.13–3.17 misprint 'pages reserved')"
            ));
            managed
        }
        _ => {
            let reserved = mi.pages_reserved?;
            // 3.19–4.1 subtract CMA from the printed reserved count.
            let cma = match (v, mi.pages_cma_reserved) {
                (Some(v), Some(c)) if ((3, 19)..=(4, 1)).contains(&v) => c,
                _ => 0,
            };
            let t = ram.saturating_sub(reserved + cma);
            if cma > 0 {
                basis.push(format!(
                    "RAM {ram} − reserved {reserved} − CMA {cma} = {t} pages"
                ));
            } else {
                basis.push(format!("RAM {ram} − reserved {reserved} = {t} pages"));
            }
            t
        }
    };
    let (swap_kb, exact, swap_text) = match swap_evidence(ev, ctx) {
        Some((kb, text)) => (kb, mi.total_swap_kb.is_some(), text),
        None => (
            0,
            false,
            "no swap total in the log: assumed none".to_string(),
        ),
    };
    let swap_pages = swap_kb / page_kb.max(1);
    basis.push(format!("+ swap {swap_pages} pages ({swap_text})"));
    let pages = totalram + swap_pages;
    Some(Total {
        pages,
        basis: format!("global OOM: {} = {pages} pages", basis.join(" ")),
        exact,
        alternative: pages,
    })
}

fn memcg_total(ev: &OomEvent, page_kb: u64, ctx: &BadnessContext<'_>) -> Option<Total> {
    let mc = ev.memcg.as_ref()?;
    let limit_kb = mc.limit_kb.filter(|l| *l < UNLIMITED_KB)?;
    let limit = limit_kb / page_kb.max(1);
    // How much swap the memcg may use on top of its memory limit.
    let (room_kb, room_text): (Option<u64>, &str) = if let Some(memsw) = mc.memsw_limit_kb {
        if memsw >= UNLIMITED_KB {
            (None, "memory+swap unlimited")
        } else {
            (
                Some(memsw.saturating_sub(limit_kb)),
                "memory+swap limit − memory limit",
            )
        }
    } else if let Some(sw) = mc.swap_limit_kb {
        if sw >= UNLIMITED_KB {
            (None, "swap.max unlimited")
        } else {
            (Some(sw), "swap.max")
        }
    } else {
        (None, "no swap limit printed")
    };
    // Swap in use is a lower bound on the machine's swap.
    let used_kb = mc.swap_used_kb().unwrap_or(0).max(
        ev.tasks
            .rows
            .iter()
            .filter_map(|r| r.swapents)
            .sum::<i64>()
            .max(0) as u64
            * page_kb,
    );
    let base = format!("memcg limit {limit_kb} kB = {limit} pages");
    match swap_evidence(ev, ctx) {
        Some((swap_kb, text)) => {
            let term = room_kb.map_or(swap_kb, |r| r.min(swap_kb)) / page_kb.max(1);
            let pages = limit + term;
            let how = if term == 0 {
                format!("+ no swap ({text})")
            } else {
                format!(
                    "+ swap {term} pages (min of {room_text} and {text}; assumes the memcg's swappiness is not 0)"
                )
            };
            Some(Total {
                pages,
                basis: format!("memcg OOM: {base} {how} = {pages} pages"),
                exact: true,
                alternative: pages,
            })
        }
        None => match room_kb {
            Some(room) => {
                let pages = limit + room / page_kb.max(1);
                let low = limit + used_kb.min(room) / page_kb.max(1);
                Some(Total {
                    pages,
                    basis: format!(
                        "memcg OOM: {base} + swap room {} pages ({room_text}); the machine's swap size is not in the log, assumed at least that large",
                        room / page_kb.max(1)
                    ),
                    exact: room == 0,
                    alternative: low,
                })
            }
            None => {
                let pages = limit + used_kb / page_kb.max(1);
                let basis = if used_kb == 0 {
                    format!(
                        "memcg OOM: {base}; swap size not in this boot's log and none in use: assumed no swap ({room_text})"
                    )
                } else {
                    format!(
                        "memcg OOM: {base} + {} pages of swap in use (a lower bound: the swap size is not in the log; {room_text})",
                        used_kb / page_kb.max(1)
                    )
                };
                Some(Total {
                    pages,
                    basis,
                    exact: false,
                    // With unknown swap the far end is "much more swap": adj dominates.
                    alternative: pages.saturating_mul(16),
                })
            }
        },
    }
}

fn node_total(ev: &OomEvent, page_kb: u64, ctx: &BadnessContext<'_>) -> Option<Total> {
    let mi = ev.mem_info.as_ref()?;
    let present: u64 = mi.zones.iter().filter_map(|z| z.present_kb).sum::<u64>() / page_kb.max(1);
    if present == 0 {
        return None;
    }
    let swap = swap_evidence(ev, ctx).map_or(0, |(kb, _)| kb) / page_kb.max(1);
    let pages = present + swap;
    Some(Total {
        pages,
        basis: format!(
            "cpuset/mempolicy OOM: present pages of the printed zones {present} + swap {swap} = {pages} pages (approximate: zones of other nodes are not printed, and kernels before 5.4 count spanned pages)"
        ),
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
    let rss = r.rss.unwrap_or(0);
    let swap = r.swapents.unwrap_or(0);
    let pt = match m.pt {
        PageTables::NrPtes => r.nr_ptes.unwrap_or(0),
        PageTables::NrPtesPmds => r.nr_ptes.unwrap_or(0) + r.nr_pmds.unwrap_or(0),
        PageTables::Bytes => r.pgtables_bytes.unwrap_or(0) / (page_kb as i64 * 1024),
        PageTables::None => 0,
    };
    let adj = r.oom_score_adj.unwrap_or(0);
    let root = r.uid == Some(0);
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
    };
    if adj <= -1000 {
        out.exempt = Some("oom_score_adj=-1000".into());
        return out;
    }
    if already_killed {
        out.exempt = Some("already an OOM victim of an earlier report: the kernel skips it".into());
        return out;
    }
    match m.era {
        Era::Legacy => {}
        Era::Normalised => {
            let Some(t) = total.filter(|t| *t > 0) else {
                // Without totalpages only the memory part can be ordered.
                out.points = Some(rss + swap + pt);
                return out;
            };
            let mut p = (rss + swap + pt) * 1000 / t as i64;
            let mut a = adj;
            if root {
                a -= 30;
            }
            p += a;
            out.adj_points = a;
            let p = p.clamp(1, 1000);
            out.points = Some(p);
            out.score = Some(p);
        }
        Era::Pages => {
            let mut base = rss + swap + pt;
            let mut a = adj;
            match m.root {
                RootBonus::ThreePercent if root => base -= base * 3 / 100,
                RootBonus::Adj30 if root => a -= 30,
                _ => {}
            }
            let unit = total.map_or(0, |t| (t / 1000) as i64);
            let adj_pts = a * unit;
            let mut p = base + adj_pts;
            if m.clamp_min_one && p < 1 {
                p = 1;
            }
            // The 3 % root discount is part of the adjustment for explanations.
            out.adj_points = adj_pts - (rss + swap + pt - base);
            out.points = Some(p);
            out.score = total.filter(|t| *t > 0).map(|t| p * 1000 / t as i64);
        }
    }
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
    let (reconstructed, matches, note) = match (m.era, row, total) {
        (Era::Legacy, _, _) => (
            None,
            None,
            "kernels before 2.6.36 print a raw heuristic score that the log cannot reproduce"
                .to_string(),
        ),
        (_, None, _) => (
            None,
            None,
            "the selected task's row is not in the log's task table".to_string(),
        ),
        (_, Some(_), None) => (
            None,
            None,
            "totalpages is unknown, so the score cannot be rebuilt".to_string(),
        ),
        (Era::Normalised, Some(r), Some(_)) => {
            let s = r.score;
            let ok = s.map(|s| s <= printed as i64);
            let note = if ok == Some(true) {
                format!(
                    "rebuilt lower bound {} ≤ printed {printed}: consistent (swap and page tables are not in this table)",
                    s.unwrap_or(0)
                )
            } else {
                format!(
                    "rebuilt lower bound {} is above the printed {printed}: the inputs do not add up",
                    s.unwrap_or(0)
                )
            };
            (s, None, note)
        }
        (Era::Pages, Some(r), Some(t)) => {
            let s = r.score;
            let ok = s == Some(printed as i64);
            let note = if ok {
                format!(
                    "rebuilt score {} equals the kernel's {printed}",
                    s.unwrap_or(0)
                )
            } else if !t.exact {
                let mut n = format!(
                    "rebuilt {} vs printed {printed}: totalpages rests on an assumption",
                    s.unwrap_or(0)
                );
                // With oom_score_adj 0 the printed score pins totalpages down.
                if r.adj_points == 0
                    && printed > 0
                    && let Some(p) = r.points
                    && p > 0
                {
                    let hi = p as u64 * 1000 / printed;
                    let lo = p as u64 * 1000 / (printed + 1) + 1;
                    n.push_str(&format!(
                        "; the printed score implies totalpages between {lo} and {hi}"
                    ));
                }
                n
            } else {
                format!(
                    "rebuilt {} vs printed {printed}: the table is printed after the choice, so rss may have moved",
                    s.unwrap_or(0)
                )
            };
            (s, Some(ok), note)
        }
    };
    Some(ScoreCheck {
        pid: choice.pid,
        printed,
        reconstructed,
        matches,
        note,
    })
}

/// `pages` of `page_kb` each, in human units (negative counts as none).
pub(crate) fn pages_h(pages: i64, page_kb: u64) -> String {
    crate::analysis::human_kb((pages.max(0) as u64) * page_kb)
}

fn explain(
    ev: &OomEvent,
    m: &Model,
    ranking: &[Ranked],
    victim_rank: Option<u32>,
    total: Option<&Total>,
    depends: Option<bool>,
    page_kb: u64,
) -> String {
    let mut s: Vec<String> = Vec::new();
    let victim = ev.victim();
    if let Some(t) = &ev.trigger
        && t.order == Some(-1)
    {
        s.push("This OOM was triggered by hand (SysRq-f or /proc/sysrq-trigger), not by a failed allocation.".into());
    }
    if let Some(Ending::NoKillableProcess) = &ev.ending {
        s.push(
            "The kernel found no task it was allowed to kill (all exempt or already dying).".into(),
        );
    }
    if let Some(Ending::VictimExiting { pid, comm }) = &ev.ending {
        s.push(format!("The chosen task {comm} (pid {pid}) was already exiting, so the kernel did not kill again."));
    }
    if let Some(Ending::Panic { text }) = &ev.ending {
        if text.contains("deadlocked") {
            s.push("The kernel found no task it was allowed to kill and panicked (System is deadlocked on memory).".into());
        } else {
            s.push("panic_on_oom is set: the kernel panicked instead of killing a task.".into());
        }
    }
    if victim.is_some_and(|v| {
        v.message
            .as_deref()
            .is_some_and(|m| m.contains("oom_kill_allocating_task"))
    }) {
        s.push("vm.oom_kill_allocating_task is set: the kernel killed the task that was allocating, without ranking.".into());
        return s.join(" ");
    }
    if m.era == Era::Legacy {
        let biggest = ev.tasks.rows.iter().max_by_key(|r| r.total_vm.unwrap_or(0));
        s.push("Kernels before 2.6.36 choose by a heuristic over virtual size, CPU time and age that a log cannot reproduce.".into());
        if let Some(b) = biggest {
            s.push(format!(
                "The largest task by virtual size was {} (pid {}).",
                b.name, b.pid
            ));
        }
        return s.join(" ");
    }
    let Some(victim) = victim else {
        if s.is_empty() {
            s.push("The log does not say which task was killed.".into());
        }
        return s.join(" ");
    };
    let vname = format!("{} (pid {})", victim.comm, victim.pid);
    if let Some(choice) = &ev.kernel_choice
        && choice.pid != victim.pid
        && victim.evidence == Evidence::KilledLine
    {
        s.push(format!(
            "The kernel selected {} (pid {}){} and then killed its child {vname}: kernels before 5.1 sacrificed a child with its own memory instead of the parent.",
            choice.comm,
            choice.pid,
            choice.score.map(|sc| format!(", score {sc},")).unwrap_or_default()
        ));
    }
    if ranking.is_empty() {
        s.push(format!(
            "No task table in the log, so the kernel's ranking cannot be rebuilt; the victim was {vname}."
        ));
        return s.join(" ");
    }
    let eligible: Vec<&Ranked> = ranking.iter().filter(|r| r.rank.is_some()).collect();
    let top = eligible.first();
    let by_memory = {
        let mut v: Vec<&Ranked> = eligible.clone();
        v.sort_by_key(|r| std::cmp::Reverse(r.rss_pages + r.swap_pages + r.pgtables_pages));
        v
    };
    let subject = ev.kernel_choice.as_ref().map_or(victim.pid, |c| c.pid);
    let subject_row = ranking.iter().find(|r| r.pid == subject);
    match (top, subject_row) {
        (_, None) => s.push(format!(
            "{vname} is not in the log's task table (it may have been cut), so its rank is unknown."
        )),
        (Some(t), Some(v)) if t.pid == v.pid => {
            let mem = v.rss_pages + v.swap_pages + v.pgtables_pages;
            let mut part = if m.era == Era::Normalised {
                let what = if total.is_some() {
                    "a badness of at least"
                } else {
                    "the most memory:"
                };
                let unit = if total.is_some() { "" } else { " pages rss" };
                format!(
                    "{} (pid {}) had {what} {}{unit} (this kernel's table omits swap and page tables)",
                    v.name,
                    v.pid,
                    group(v.points.unwrap_or(0))
                )
            } else {
                format!(
                    "{} (pid {}) had the highest badness: {} points",
                    v.name,
                    v.pid,
                    group(v.points.unwrap_or(0))
                )
            };
            if m.era == Era::Pages {
                part.push_str(&format!(
                    " — {} from memory (rss {}",
                    group(mem),
                    group(v.rss_pages)
                ));
                if v.swap_pages > 0 {
                    part.push_str(&format!(" + swap {}", group(v.swap_pages)));
                }
                part.push_str(&format!(
                    " + page tables {} pages)",
                    group(v.pgtables_pages)
                ));
                if v.adj_points != 0 {
                    part.push_str(&format!(
                        " and {} from oom_score_adj={}",
                        signed(v.adj_points),
                        v.oom_score_adj
                    ));
                }
            }
            part.push('.');
            s.push(part);
            let mem_rank = by_memory.iter().position(|r| r.pid == v.pid).map(|i| i + 1);
            if eligible.len() == 1 {
                s.push("It was the only task the kernel could choose.".into());
            } else if mem_rank.is_some_and(|r| r > 1) && v.adj_points > 0 {
                s.push(format!(
                    "By memory alone it was {}; its oom_score_adj={} put it first.",
                    ordinal(mem_rank.unwrap_or(0)),
                    v.oom_score_adj
                ));
            } else if mem_rank == Some(1) {
                s.push("It was also the largest by memory.".into());
            } else if let Some(r) = mem_rank {
                s.push(format!("By memory alone it was {}.", ordinal(r)));
            }
            if let Some(next) = eligible.get(1) {
                let (a, b) = (v.points.unwrap_or(0), next.points.unwrap_or(0));
                let margin = a - b;
                let pct = if b > 0 {
                    margin as f64 * 100.0 / b as f64
                } else {
                    f64::INFINITY
                };
                let unit = if m.era == Era::Pages {
                    format!(" pages, {}", pages_h(margin, page_kb))
                } else {
                    String::new()
                };
                let rel = if pct.is_finite() && pct < 1000.0 {
                    format!(", {pct:.0} %")
                } else {
                    String::new()
                };
                s.push(format!(
                    "Runner-up: {} (pid {}) at {} points; margin {}{unit}{rel}.",
                    next.name,
                    next.pid,
                    group(b),
                    group(margin)
                ));
            }
        }
        (Some(_), Some(v))
            if m.era == Era::Normalised
                && ev.kernel_choice.as_ref().and_then(|c| c.score) == Some(1000)
                && ev.tasks.rows.first().is_some_and(|r| r.pid == v.pid) =>
        {
            s.push(format!(
                "The kernel printed score 1000, the cap of this era's 0–1000 scale: every task at the cap ties, and the first one the kernel walks wins — {} (pid {}), the first row of the table.",
                v.name, v.pid
            ));
        }
        (Some(t), Some(v)) => {
            let gap = t.points.unwrap_or(0) - v.points.unwrap_or(0);
            let gap_pct = if t.points.unwrap_or(0) > 0 {
                gap as f64 * 100.0 / t.points.unwrap_or(1) as f64
            } else {
                0.0
            };
            let unit = if m.era == Era::Normalised && total.is_none() {
                "pages"
            } else {
                "points"
            };
            s.push(format!(
                "By the rebuilt ranking {} (pid {}) scores highest and the victim {} (pid {}) is {}, {} {unit} ({gap_pct:.1} %) behind.",
                t.name,
                t.pid,
                v.name,
                v.pid,
                v.rank.map_or("not ranked".to_string(), |r| ordinal(r as usize)),
                group(gap),
            ));
            if gap_pct < 5.0 {
                s.push("The difference is small: the table is printed after the kernel chose, and rss moves in between (the allocating task keeps growing).".into());
            } else if t.oom_score_adj != v.oom_score_adj || t.name != v.name {
                s.push("The table is a snapshot taken after the choice; tasks that were exiting or already reaped are still listed but were not eligible.".into());
            }
        }
        (None, Some(_)) => {
            s.push("Every task in the table is exempt (oom_score_adj=-1000).".into())
        }
    }
    // The largest task of all was exempt.
    let size = |r: &Ranked| r.rss_pages + r.swap_pages;
    if let Some(big) = ranking.iter().max_by_key(|r| size(r))
        && big.exempt.is_some()
        && top.is_some_and(|t| size(big) > size(t))
    {
        s.push(format!(
            "The largest task, {} (pid {}, {}), could not be chosen ({}).",
            big.name,
            big.pid,
            pages_h(big.rss_pages + big.swap_pages, page_kb),
            big.exempt.as_deref().unwrap_or("exempt")
        ));
    }
    if ev.group_kill.is_some() {
        let n = ev.killed.iter().filter(|k| k.group).count();
        s.push(format!(
            "memory.oom.group is set on {}: {n} more task(s) of the group were killed with it, regardless of their rank.",
            ev.group_kill.as_deref().unwrap_or("the cgroup")
        ));
    }
    if victim_rank.is_none() && subject_row.is_some() && ev.kernel_choice.is_none() && top.is_none()
    {
        s.push("The victim has no rank.".into());
    }
    if depends == Some(true) {
        s.push(
            "Caution: totalpages rests on an assumption (see its basis); with a different total, \
             oom_score_adj would weigh differently and the top of this ranking would change."
                .into(),
        );
    }
    s.join(" ")
}

/// The deciding factor in a few words.
fn headline(ev: &OomEvent, m: &Model, ranking: &[Ranked]) -> String {
    let victim = ev.victim();
    let group = if ev.group_kill.is_some() {
        " + memory.oom.group"
    } else {
        ""
    };
    let Some(victim) = victim else {
        return match &ev.ending {
            Some(Ending::NoKillableProcess) => "no killable process".into(),
            Some(Ending::Panic { .. }) => "panic_on_oom".into(),
            Some(Ending::VictimExiting { .. }) => "victim already exiting".into(),
            None => "kill not in the log".into(),
        };
    };
    if victim
        .message
        .as_deref()
        .is_some_and(|m| m.contains("oom_kill_allocating_task"))
    {
        return "oom_kill_allocating_task".into();
    }
    if let Some(c) = &ev.kernel_choice
        && c.pid != victim.pid
        && victim.evidence == Evidence::KilledLine
    {
        return format!("child of the selected task {}{group}", c.comm);
    }
    if m.era == Era::Legacy {
        return format!("pre-2.6.36 heuristic{group}");
    }
    let eligible: Vec<&Ranked> = ranking.iter().filter(|r| r.rank.is_some()).collect();
    let subject = ev.kernel_choice.as_ref().map_or(victim.pid, |c| c.pid);
    let Some(v) = eligible.iter().find(|r| r.pid == subject) else {
        return if ranking.is_empty() {
            format!("no task table in the log{group}")
        } else {
            format!("victim not in the task table{group}")
        };
    };
    if eligible.len() == 1 {
        return format!("only candidate{group}");
    }
    if eligible[0].pid != v.pid {
        return format!(
            "ranked {} in the rebuilt table{group}",
            ordinal(v.rank.unwrap_or(0) as usize)
        );
    }
    let largest = eligible
        .iter()
        .max_by_key(|r| r.rss_pages + r.swap_pages + r.pgtables_pages)
        .is_some_and(|r| r.pid == v.pid);
    if largest {
        format!("largest by memory{group}")
    } else if v.adj_points > 0 {
        format!(
            "oom_score_adj={} outweighed larger tasks{group}",
            v.oom_score_adj
        )
    } else {
        format!("larger tasks protected by oom_score_adj{group}")
    }
}

/// 12345678 → "12,345,678".
pub fn group(n: i64) -> String {
    let neg = n < 0;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if neg { format!("-{out}") } else { out }
}

fn signed(n: i64) -> String {
    if n >= 0 {
        format!("+{}", group(n))
    } else {
        group(n)
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

//! The words: every sentence and figure the renderers show for the analysis's facts,
//! in one place, so the terminal, Markdown and JSON (`explanation`, `headline`,
//! `summary`) say the same thing. The analysis keeps numbers; formatting them
//! (`12,345`, `64.0 MiB`, `3rd`) is done here.
//!
//! A sentence that names a task or cgroup holds text from a log, so it comes back as
//! [`LogText`]: each medium writes it through its own escaper.

use crate::analysis::badness::{
    Decider, Era, Exempt, Factor, Finding, Formula, GapUnit, Measure, MemcgSwap, Note, PageTables,
    RamBasis, RootBonus, ScoreCheck, ScoreVerdict, SwapRoom, SwapSource, TaskRef, TotalBasis,
};
use crate::analysis::cause::{
    Allocation, Cause, CauseKind, CauseScope, Counter, CounterState, LimitLevel, Missing, NodesBy,
    Picture, ZoneState,
};
use crate::analysis::{AllocationKind, Badness, MemoryUse};
use crate::event::OomEvent;
use crate::render::sanitize::LogText;
use crate::text::LogString;
use Piece::{Name, Text, W};

/// 12345678 → "12,345,678".
pub fn group(n: i64) -> String {
    let neg = n < 0;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if neg {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `+1,234` / `-1,234`.
pub fn signed(n: i64) -> String {
    if n >= 0 {
        format!("+{}", group(n))
    } else {
        group(n)
    }
}

/// 1 → "1st", 12 → "12th", 23 → "23rd".
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A size in kB as a short human string (binary units): `980 KiB`, `64.0 MiB`, `1.9 GiB`.
pub fn human_kb(kb: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = kb as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{kb} KiB")
    } else if v >= 100.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// `pages` of `page_kb` each, in human units (negative counts as none).
pub fn pages_h(pages: i64, page_kb: u64) -> String {
    human_kb((pages.max(0) as u64).saturating_mul(page_kb))
}

/// The formula, in words.
pub fn formula(f: &Formula) -> String {
    match f.era {
        Era::Legacy => {
            "≤ 2.6.35 heuristic (virtual size, CPU time, age): not reproducible from a log".into()
        }
        Era::Normalised => "2.6.36–3.5 / RHEL 6: (rss + swap + page tables) × 1000 / totalpages + oom_score_adj, 1…1000".into(),
        Era::Pages => {
            let pt = match f.page_tables {
                PageTables::NrPtes => "nr_ptes",
                PageTables::NrPtesPmds => "nr_ptes + nr_pmds",
                PageTables::Bytes => "pgtables_bytes / page size",
                PageTables::None => "(no page-table column)",
            };
            let root = match f.root {
                RootBonus::None => "no root discount",
                RootBonus::Adj30 => "root: oom_score_adj − 30",
                RootBonus::ThreePercent => "root: −3 %",
            };
            format!("3.6+: rss + swapents + {pt} + oom_score_adj × (totalpages / 1000); {root}")
        }
    }
}

/// Where a swap size comes from.
fn swap_source(s: &SwapSource) -> String {
    match s {
        SwapSource::ThisReport(kb) => format!("Total swap = {kb} kB in this report"),
        SwapSource::SameBoot(kb) => {
            format!("Total swap = {kb} kB from another OOM report of the same boot")
        }
        SwapSource::AddedAtBoot(kb) => {
            format!("{kb} kB of swap added at boot ('Adding …k swap' lines)")
        }
        SwapSource::OtherBoot(kb) => {
            format!("{kb} kB of swap seen in another boot of this host (may have changed)")
        }
    }
}

fn swap_room(r: SwapRoom) -> &'static str {
    match r {
        SwapRoom::MemswUnlimited => "memory+swap unlimited",
        SwapRoom::MemswMinusLimit => "memory+swap limit − memory limit",
        SwapRoom::SwapMaxUnlimited => "swap.max unlimited",
        SwapRoom::SwapMax => "swap.max",
        SwapRoom::NotPrinted => "no swap limit printed",
    }
}

/// Where totalpages comes from, in words.
pub fn totalpages_basis(b: &TotalBasis) -> String {
    match b {
        TotalBasis::Unknown => {
            "unknown: the log holds neither a memcg limit nor Mem-Info totals for this report"
                .into()
        }
        TotalBasis::Global {
            ram,
            swap_pages,
            swap,
            pages,
        } => {
            let ram = match ram {
                RamBasis::ManagedPages(m) => format!(
                    "Σ managed pages of the zones = {m} (3.13–3.17 misprint 'pages reserved')"
                ),
                RamBasis::RamMinusReserved {
                    ram,
                    reserved,
                    cma: 0,
                    pages,
                } => format!("RAM {ram} − reserved {reserved} = {pages} pages"),
                RamBasis::RamMinusReserved {
                    ram,
                    reserved,
                    cma,
                    pages,
                } => format!("RAM {ram} − reserved {reserved} − CMA {cma} = {pages} pages"),
            };
            let swap_text = swap.as_ref().map_or_else(
                || "no swap total in the log: assumed none".to_string(),
                swap_source,
            );
            format!("global OOM: {ram} + swap {swap_pages} pages ({swap_text}) = {pages} pages")
        }
        TotalBasis::Memcg {
            limit_kb,
            limit_pages,
            swap,
            pages,
        } => {
            let base = format!("memcg limit {limit_kb} kB = {limit_pages} pages");
            match swap {
                MemcgSwap::Known {
                    pages: 0, source, ..
                } => format!(
                    "memcg OOM: {base} + no swap ({}) = {pages} pages",
                    swap_source(source)
                ),
                MemcgSwap::Known {
                    pages: term,
                    room,
                    source,
                } => format!(
                    "memcg OOM: {base} + swap {term} pages (min of {} and {}; assumes the memcg's swappiness is not 0) = {pages} pages",
                    swap_room(*room),
                    swap_source(source)
                ),
                MemcgSwap::RoomOnly {
                    pages: room_pages,
                    room,
                } => format!(
                    "memcg OOM: {base} + swap room {room_pages} pages ({}); the machine's swap size is not in the log, assumed at least that large",
                    swap_room(*room)
                ),
                MemcgSwap::InUse { pages: 0, room } => format!(
                    "memcg OOM: {base}; swap size not in this boot's log and none in use: assumed no swap ({})",
                    swap_room(*room)
                ),
                MemcgSwap::InUse { pages: used, room } => format!(
                    "memcg OOM: {base} + {used} pages of swap in use (a lower bound: the swap size is not in the log; {})",
                    swap_room(*room)
                ),
            }
        }
        TotalBasis::Nodes {
            present,
            swap,
            pages,
        } => format!(
            "cpuset/mempolicy OOM: present pages of the printed zones {present} + swap {swap} = {pages} pages (approximate: zones of other nodes are not printed, and kernels before 5.4 count spanned pages)"
        ),
    }
}

/// Why a task cannot be chosen.
pub fn exempt(e: Exempt) -> &'static str {
    match e {
        Exempt::AdjMin => "oom_score_adj=-1000",
        Exempt::EarlierVictim => "already an OOM victim of an earlier report: the kernel skips it",
    }
}

/// A caveat about the ranking.
pub fn note(n: Note) -> &'static str {
    match n {
        Note::PrintedScoreShowsNoRootDiscount => {
            "the printed score shows the selected root task had no root discount (no CAP_SYS_ADMIN): none applied"
        }
        Note::AdjNotWeighed => {
            "totalpages is unknown, so oom_score_adj cannot be weighed: tasks are ordered by memory only"
        }
        Note::RootDiscountGuessed => {
            "kernel version unknown: whether root tasks got a discount is a guess"
        }
        Note::RootDiscountByUid => {
            "root discount applied to uid 0 tasks; the kernel applies it to CAP_SYS_ADMIN, which the log does not show"
        }
        Note::LowerBounds => {
            "this kernel's task table prints neither swap nor page tables: points and scores are lower bounds"
        }
    }
}

/// A piece of a sentence: words oomlens writes, or text from a log.
enum Piece<'a> {
    /// Words (and formatted numbers) oomlens writes.
    W(&'a str),
    /// A name from the log.
    Name(&'a LogString),
    /// A piece already built (words holding log text).
    Text(&'a LogText<'a>),
}

/// A sentence from its pieces, in order; log text stays log text (escaped with the
/// whole sentence when it is written).
fn say(parts: &[Piece<'_>]) -> LogText<'static> {
    let mut s = LogText::sentence(String::new());
    for p in parts {
        match p {
            Piece::W(w) => s.push_words(w),
            Piece::Name(n) => s.push_log(&LogText::from(*n)),
            Piece::Text(t) => s.push_log(t),
        }
    }
    s
}

/// `name (pid N)`.
fn who(t: &TaskRef) -> LogText<'static> {
    say(&[Name(&t.name), W(&format!(" (pid {})", t.pid))])
}

/// Words only, as a sentence.
fn words(s: impl Into<String>) -> LogText<'static> {
    LogText::sentence(s.into())
}

/// One finding as a sentence.
fn finding(f: &Finding, out: &mut LogText<'static>) {
    use Finding as F;
    let s: LogText<'static> = match f {
        F::TriggeredByHand => words(
            "This OOM was triggered by hand (SysRq-f or /proc/sysrq-trigger), not by a failed allocation.",
        ),
        F::NoKillableProcess => {
            words("The kernel found no task it was allowed to kill (all exempt or already dying).")
        }
        F::VictimExiting(t) => say(&[
            W("The chosen task "),
            Text(&who(t)),
            W(" was already exiting, so the kernel did not kill again."),
        ]),
        F::Panicked { deadlocked: true } => words(
            "The kernel found no task it was allowed to kill and panicked (System is deadlocked on memory).",
        ),
        F::Panicked { deadlocked: false } => {
            words("panic_on_oom is set: the kernel panicked instead of killing a task.")
        }
        F::KilledAllocatingTask => words(
            "vm.oom_kill_allocating_task is set: the kernel killed the task that was allocating, without ranking.",
        ),
        F::LegacyHeuristic => words(
            "Kernels before 2.6.36 choose by a heuristic over virtual size, CPU time and age that a log cannot reproduce.",
        ),
        F::LargestByVirtualSize(t) => say(&[
            W("The largest task by virtual size was "),
            Text(&who(t)),
            W("."),
        ]),
        F::NoVictimNamed => words("The log does not say which task was killed."),
        F::ChildSacrificed {
            selected,
            score,
            victim,
        } => say(&[
            W("The kernel selected "),
            Text(&who(selected)),
            W(&score.map(|sc| format!(", score {sc},")).unwrap_or_default()),
            W(" and then killed its child "),
            Text(&who(victim)),
            W(": kernels before 5.1 sacrificed a child with its own memory instead of the parent."),
        ]),
        F::NoTaskTable { victim } => say(&[
            W(
                "No task table in the log, so the kernel's ranking cannot be rebuilt; the victim was ",
            ),
            Text(&who(victim)),
            W("."),
        ]),
        F::NotInTable { victim } => say(&[
            Text(&who(victim)),
            W(" is not in the log's task table (it may have been cut), so its rank is unknown."),
        ]),
        F::Highest {
            task,
            points,
            measure,
        } => {
            let mut part = match measure {
                Measure::Normalised { bound } => {
                    let what = if *bound {
                        "a badness of at least"
                    } else {
                        "the most memory:"
                    };
                    let unit = if *bound { "" } else { " pages rss" };
                    say(&[
                        Text(&who(task)),
                        W(&format!(
                            " had {what} {}{unit} (this kernel's table omits swap and page tables)",
                            group(*points)
                        )),
                    ])
                }
                Measure::Pages { .. } => say(&[
                    Text(&who(task)),
                    W(&format!(
                        " had the highest badness: {} points",
                        group(*points)
                    )),
                ]),
            };
            if let Measure::Pages {
                memory,
                rss,
                swap,
                pgtables,
                adj_points,
                oom_score_adj,
                root_discount,
            } = measure
            {
                part.push_words(&format!(
                    " — {} from memory (rss {}",
                    group(*memory),
                    group(*rss)
                ));
                if *swap > 0 {
                    part.push_words(&format!(" + swap {}", group(*swap)));
                }
                part.push_words(&format!(" + page tables {} pages)", group(*pgtables)));
                let from_adj = adj_points.saturating_add(*root_discount);
                if from_adj != 0 {
                    part.push_words(&format!(
                        " and {} from oom_score_adj={oom_score_adj}",
                        signed(from_adj)
                    ));
                }
                if *root_discount != 0 {
                    part.push_words(&format!(
                        " and {} from the root discount (3 % of a root task's memory, kernels before 4.17)",
                        signed(-*root_discount)
                    ));
                }
            }
            part.push_words(".");
            part
        }
        F::OnlyCandidate => words("It was the only task the kernel could choose."),
        F::AdjPutFirst {
            memory_rank,
            oom_score_adj,
        } => words(format!(
            "By memory alone it was {}; its oom_score_adj={oom_score_adj} put it first.",
            ordinal(*memory_rank)
        )),
        F::AlsoLargest => words("It was also the largest by memory."),
        F::MemoryRank(r) => words(format!("By memory alone it was {}.", ordinal(*r))),
        F::RunnerUp {
            task,
            points,
            margin,
        } => {
            let unit = match margin.kb {
                Some(kb) => format!(" pages, {}", human_kb(kb)),
                None => String::new(),
            };
            let rel = match margin.percent {
                Some(pct) if pct.is_finite() && pct < 1000.0 => format!(", {pct:.0} %"),
                _ => String::new(),
            };
            say(&[
                W("Runner-up: "),
                Text(&who(task)),
                W(&format!(
                    " at {} points; margin {}{unit}{rel}.",
                    group(*points),
                    group(margin.points)
                )),
            ])
        }
        F::CappedTie(t) => say(&[
            W(
                "The kernel printed score 1000, the cap of this era's 0–1000 scale: every task at the cap ties, and the first one the kernel walks wins — ",
            ),
            Text(&who(t)),
            W(", the first row of the table."),
        ]),
        F::VictimBehind {
            top,
            victim,
            victim_rank,
            gap,
            gap_percent,
            unit,
        } => say(&[
            W("By the rebuilt ranking "),
            Text(&who(top)),
            W(" scores highest and the victim "),
            Text(&who(victim)),
            W(&format!(
                " is {}, {} {} ({gap_percent:.1} %) behind.",
                victim_rank.map_or("not ranked".to_string(), |r| ordinal(r as usize)),
                group(*gap),
                match unit {
                    GapUnit::Pages => "pages",
                    GapUnit::Points => "points",
                }
            )),
        ]),
        F::SmallGap => words(
            "The difference is small: the table is printed after the kernel chose, and rss moves in between (the allocating task keeps growing).",
        ),
        F::SnapshotAfterChoice => words(
            "The table is a snapshot taken after the choice; tasks that were exiting or already reaped are still listed but were not eligible.",
        ),
        F::AllExempt => words("Every task in the table is exempt (oom_score_adj=-1000)."),
        F::LargestExempt { task, kb, reason } => say(&[
            W("The largest task, "),
            Name(&task.name),
            W(&format!(
                " (pid {}, {}), could not be chosen ({}).",
                task.pid,
                human_kb(*kb),
                exempt(*reason)
            )),
        ]),
        F::GroupKill { cgroup, more } => say(&[
            W("memory.oom.group is set on "),
            match cgroup {
                Some(c) => Name(c),
                None => W("the cgroup"),
            },
            W(&format!(
                ": {more} more task(s) of the group were killed with it, regardless of their rank."
            )),
        ]),
        F::Unranked => words("The victim has no rank."),
        F::DependsOnAssumption => words(
            "Caution: totalpages rests on an assumption (see its basis); with a different total, \
             oom_score_adj would weigh differently and the top of this ranking would change.",
        ),
    };
    if !out.is_empty() {
        out.push_words(" ");
    }
    out.push_log(&s);
}

/// Why this victim, in words (the findings in order).
pub fn explanation(b: &Badness) -> LogText<'static> {
    let mut s = LogText::sentence(String::new());
    for f in &b.findings {
        finding(f, &mut s);
    }
    s
}

/// The deciding factor in a few words (overviews), e.g. "oom_score_adj=800
/// outweighed larger tasks".
pub fn headline(d: &Decider) -> LogText<'static> {
    let group = if d.group_kill {
        " + memory.oom.group"
    } else {
        ""
    };
    let s = match &d.factor {
        Factor::NoKillableProcess => "no killable process".into(),
        Factor::Panic => "panic_on_oom".into(),
        Factor::VictimExiting => "victim already exiting".into(),
        Factor::KillNotInLog => "kill not in the log".into(),
        Factor::AllocatingTask => "oom_kill_allocating_task".into(),
        Factor::ChildOfSelected(t) => {
            return say(&[W("child of the selected task "), Name(&t.name), W(group)]);
        }
        Factor::LegacyHeuristic => format!("pre-2.6.36 heuristic{group}"),
        Factor::NoTaskTable => format!("no task table in the log{group}"),
        Factor::NotInTable => format!("victim not in the task table{group}"),
        Factor::OnlyCandidate => format!("only candidate{group}"),
        Factor::Ranked(r) => format!(
            "ranked {} in the rebuilt table{group}",
            ordinal(*r as usize)
        ),
        Factor::LargestByMemory => format!("largest by memory{group}"),
        Factor::AdjOutweighed(adj) => {
            format!("oom_score_adj={adj} outweighed larger tasks{group}")
        }
        Factor::LargerProtected => format!("larger tasks protected by oom_score_adj{group}"),
    };
    LogText::sentence(s)
}

/// The printed score against the rebuilt one, in words.
pub fn score_note(k: &ScoreCheck) -> String {
    let printed = k.printed;
    match &k.verdict {
        ScoreVerdict::Unreproducible => {
            "kernels before 2.6.36 print a raw heuristic score that the log cannot reproduce".into()
        }
        ScoreVerdict::NotInTable => "the selected task's row is not in the log's task table".into(),
        ScoreVerdict::TotalUnknown => {
            "totalpages is unknown, so the score cannot be rebuilt".into()
        }
        ScoreVerdict::BoundConsistent(s) => format!(
            "rebuilt lower bound {s} ≤ printed {printed}: consistent (swap and page tables are not in this table)"
        ),
        ScoreVerdict::BoundAbove(s) => format!(
            "rebuilt lower bound {s} is above the printed {printed}: the inputs do not add up"
        ),
        ScoreVerdict::Equal(s) => format!("rebuilt score {s} equals the kernel's {printed}"),
        ScoreVerdict::DiffersAssumed { rebuilt, implied } => {
            let mut n = format!(
                "rebuilt {rebuilt} vs printed {printed}: totalpages rests on an assumption"
            );
            if let Some((lo, hi)) = implied {
                n.push_str(&format!(
                    "; the printed score implies totalpages between {lo} and {hi}"
                ));
            }
            n
        }
        ScoreVerdict::DiffersMoved(s) => format!(
            "rebuilt {s} vs printed {printed}: the table is printed after the choice, so rss may have moved"
        ),
    }
}

/// A memory part's name in prose.
fn part_name(n: &str) -> &str {
    match n {
        "page_cache" => "page cache",
        "slab_reclaimable" => "reclaimable slab",
        "slab_unreclaimable" => "unreclaimable slab",
        "page_tables" => "page tables",
        "lru_pages" => "LRU pages",
        other => other,
    }
}

/// What filled memory, in a few sentences. Whether the domain "ran out" or "hit its
/// limit" is said only when the cause says so: a memory+swap OOM's memory counter, or
/// the machine behind a cpuset, zone or fragmentation OOM, did not.
pub fn memory_summary(mu: &MemoryUse, cause: &Cause) -> LogText<'static> {
    let mut out = LogText::sentence("Memory cgroup ".into());
    let mut s = String::new();
    let total_h = mu.total_kb.map(human_kb);
    // The memory counter bound (or which one did is not known, and the kernel called
    // it a memcg OOM).
    let memory_bound = cause.kind == CauseKind::MemcgLimit;
    if mu.domain == "memcg" {
        match &mu.cgroup {
            Some(cg) => out.push_log(&cg.into()),
            None => out.push_words("(unnamed)"),
        }
        s.push(' ');
        match (total_h, mu.used_kb) {
            (Some(t), Some(u)) if memory_bound => {
                s.push_str(&format!("hit its {t} limit (usage {}", human_kb(u)));
                if let Some(f) = mu.failcnt {
                    s.push_str(&format!(", limit hit {} times", group(f as i64)));
                }
                s.push(')');
            }
            (Some(t), Some(u)) => {
                s.push_str(&format!("used {} of its {t} memory limit", human_kb(u)));
                if let Some(f) = mu.failcnt {
                    s.push_str(&format!(" (memory limit hit {} times)", group(f as i64)));
                }
            }
            (None, Some(u)) if memory_bound => {
                s.push_str(&format!("ran out of memory at {} usage", human_kb(u)))
            }
            (None, Some(u)) => s.push_str(&format!("used {}", human_kb(u))),
            _ if memory_bound => s.push_str("ran out of memory"),
            _ => s.push_str("memory"),
        }
    } else if mu.domain == "nodes" {
        out = LogText::sentence(String::new());
        s.push_str("The allowed nodes");
        if let Some(t) = total_h {
            s.push_str(&format!(" ({t} managed)"));
        }
    } else {
        out = LogText::sentence(String::new());
        s.push_str(if cause.kind == CauseKind::Machine {
            "The machine ran out of memory"
        } else {
            "The machine's memory"
        });
        if let Some(t) = total_h {
            s.push_str(&format!(" ({t} RAM"));
            if let Some(st) = mu.swap_total_kb {
                if st == 0 {
                    s.push_str(", no swap");
                } else {
                    s.push_str(&format!(
                        ", swap {} with {} free",
                        human_kb(st),
                        human_kb(st.saturating_sub(mu.swap_used_kb.unwrap_or(0)))
                    ));
                }
            }
            s.push(')');
        }
    }
    let shown: Vec<String> = mu
        .parts
        .iter()
        .filter(|p| p.name != "free" && p.percent >= 0.1)
        .take(4)
        .map(|p| format!("{} {:.1} %", part_name(&p.name), p.percent))
        .collect();
    if !shown.is_empty() {
        s.push_str(": ");
        s.push_str(&shown.join(", "));
    }
    s.push('.');
    // Said only where the cause sentence does not already tell what failed.
    if let Some(f) = mu
        .free_but_failed
        .as_ref()
        .filter(|_| matches!(cause.kind, CauseKind::Machine | CauseKind::Unknown))
    {
        s.push_str(&format!(
            " Yet {:.0} % of RAM was free: this was not a full machine but an allocation the kernel could not satisfy",
            f.free_percent
        ));
        match f.cause {
            Some(AllocationKind::PageFault) => s.push_str(
                " (gfp_mask=0x0 comes from a page fault, e.g. one failed by a kernel-memory limit)",
            ),
            // Fragmentation would be the cause's kind: the buddy lists did not show it.
            Some(AllocationKind::HigherOrder) => s.push_str(" (a higher-order allocation)"),
            None => {}
        }
        s.push('.');
    }
    if let Some(t) = mu.largest_tasks.first() {
        s.push_str(" The largest task, ");
        out.push_words(&std::mem::take(&mut s));
        out.push_log(&(&t.name).into());
        s.push_str(&format!(
            " (pid {}), held {} rss",
            t.pid,
            human_kb(t.rss_kb)
        ));
        if t.swap_kb > 0 {
            s.push_str(&format!(" + {} swap", human_kb(t.swap_kb)));
        }
        let of = match mu.domain.as_str() {
            "memcg" => "limit",
            "nodes" => "nodes' memory",
            _ => "RAM",
        };
        if mu.total_kb.is_some() && t.percent < 1.0 {
            s.push_str(&format!(" (rss under 1 % of the {of})"));
        } else if mu.total_kb.is_some() && t.percent <= 100.0 {
            s.push_str(&format!(" (rss {:.0} % of the {of})", t.percent));
        } else if mu.total_kb.is_some() {
            s.push_str(&format!(
                " (rss above the {of}: it counts file pages charged elsewhere)"
            ));
        }
        s.push('.');
    }
    out.push_words(&s);
    out
}

/// The label and verb of the task in the `invoked oom-killer` header: the task that
/// could not allocate, except in a manual OOM (SysRq-f), which a worker runs on request
/// with no allocation failing (`order=-1`; `GFP_KERNEL` is what `moom_callback` passes).
pub fn trigger_role(c: &Cause) -> (&'static str, &'static str) {
    if c.kind == CauseKind::Manual {
        (
            "Invoking task",
            " ran the requested OOM kill (no allocation failed):",
        )
    } else {
        ("Allocating task", " could not allocate")
    }
}

/// A short tag of the cause for headers and overviews ("memory cgroup limit",
/// "fragmentation"), or `None` when the cause is unknown (the renderer keeps the scope).
pub fn cause_tag(c: &Cause) -> Option<&'static str> {
    Some(match c.kind {
        CauseKind::MemcgLimit => match &c.scope {
            CauseScope::Memcg {
                level: Some(LimitLevel::NodeAllocatable),
                ..
            } => "node over-commit (kubepods limit)",
            CauseScope::Memcg {
                level: Some(LimitLevel::QosTier),
                ..
            } => "QoS tier limit",
            _ => "memory cgroup limit",
        },
        CauseKind::MemswLimit => "memory+swap limit",
        CauseKind::SwapLimit => "swap limit",
        CauseKind::KmemLimit => "kmem limit",
        CauseKind::Machine => "whole machine",
        CauseKind::NumaNodes => match &c.scope {
            CauseScope::Nodes {
                by: NodesBy::Mempolicy,
                ..
            } => "memory policy nodes",
            _ => "cpuset nodes",
        },
        CauseKind::Zone => "zone watermarks",
        CauseKind::Fragmentation => "fragmentation",
        CauseKind::Manual => "manual (SysRq-f)",
        CauseKind::Unknown => return None,
    })
}

/// `usage 512 MiB of 512 MiB, failcnt 12`.
fn counter_state(s: &CounterState) -> String {
    let mut t = format!(
        "{} of {}",
        human_kb(s.usage_kb),
        if s.limit_kb >= 1 << 50 {
            "unlimited".to_string()
        } else {
            human_kb(s.limit_kb)
        }
    );
    if let Some(f) = s.failcnt {
        t.push_str(&format!(", failcnt {}", group(f as i64)));
    }
    t
}

fn nodes_list(n: &[u32]) -> String {
    n.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// A zone's name, with its node when the report has more than one.
fn zone_label(z: &ZoneState, many_nodes: bool) -> LogText<'static> {
    let mut s = LogText::sentence(String::new());
    if many_nodes && let Some(n) = z.node {
        s.push_words(&format!("node {n} "));
    }
    s.push_log(&LogText::from(&z.zone).into_owned());
    s
}

fn missing_words(m: Missing) -> &'static str {
    match m {
        Missing::Header => "the header (gfp mask, order) is not in the log",
        Missing::Scope => "the log does not say what the OOM was limited to",
        Missing::MemcgCounters => "the memcg counter lines are not in the log",
        Missing::ZoneLines => "the zone lines of Mem-Info are not in the log",
        Missing::BuddyLists => "the buddy lists of Mem-Info are not in the log",
        Missing::GfpZones => "the zones the gfp mask allows are not known",
        Missing::Shortage => {
            "a zone the request may use had more than twice its high watermark free, so what failed (e.g. a cgroup charge behind a page fault) is not in the report"
        }
    }
}

/// Why the kernel had to kill, in one sentence led by the cause's kind; only what the
/// report states.
pub fn cause_sentence(c: &Cause, ev: &OomEvent) -> LogText<'static> {
    let mut out = LogText::sentence(String::new());
    let path_of = |p: &Option<LogString>| match p {
        Some(p) => LogText::from(p).into_owned(),
        None => LogText::words("the cgroup"),
    };
    match (&c.kind, &c.scope) {
        (
            CauseKind::MemcgLimit
            | CauseKind::MemswLimit
            | CauseKind::SwapLimit
            | CauseKind::KmemLimit,
            CauseScope::Memcg {
                path,
                counter,
                counters,
                level,
            },
        ) => {
            let find = |k: Counter| counters.iter().find(|s| s.counter == k);
            match counter {
                Some(k) => {
                    let head = match (k, level) {
                        (Counter::Memory, Some(LimitLevel::NodeAllocatable)) => {
                            "Node over-commit: the limit of "
                        }
                        (Counter::Memory, Some(LimitLevel::QosTier)) => {
                            "QoS tier limit: the limit of "
                        }
                        (Counter::Memory, _) => "Memory cgroup limit: the memory limit of ",
                        (Counter::MemorySwap, _) => "Memory+swap limit: the memory+swap limit of ",
                        (Counter::Swap, _) => "Swap limit: the swap limit of ",
                        (Counter::Kmem, _) => "Kernel memory limit: the kmem limit of ",
                    };
                    out.push_words(head);
                    out.push_log(&path_of(path));
                    out.push_words(" was hit");
                    if let Some(s) = find(*k) {
                        out.push_words(&format!(" ({})", counter_state(s)));
                    }
                    match (k, level) {
                        (Counter::Memory, Some(LimitLevel::NodeAllocatable)) => out.push_words(
                            ": it is the node's allocatable for all pods, so the node was over-committed, not the pod's own limit",
                        ),
                        (Counter::Memory, Some(LimitLevel::QosTier)) => out.push_words(
                            ": the pods of that QoS tier together, not one pod's own limit",
                        ),
                        _ => {}
                    }
                    if *k != Counter::Memory
                        && let Some(m) = find(Counter::Memory)
                    {
                        if m.at_limit {
                            out.push_words(&format!(
                                "; the memory counter was at its limit too ({})",
                                counter_state(m)
                            ));
                        } else {
                            out.push_words(&format!(
                                "; the memory counter was not at its limit ({})",
                                counter_state(m)
                            ));
                        }
                    }
                }
                None => {
                    out.push_words("Memory cgroup limit: ");
                    out.push_log(&path_of(path));
                    out.push_words(" hit a limit; which counter is not known");
                }
            }
        }
        (CauseKind::Machine, _) => {
            out.push_words("Whole machine");
            if let CauseScope::Machine {
                free_kb,
                free_swap_kb,
                total_swap_kb,
            } = &c.scope
            {
                if let Some(f) = free_kb {
                    out.push_words(&format!(": RAM had {} free", human_kb(*f)));
                }
                match (total_swap_kb, free_swap_kb) {
                    (Some(0), _) => out.push_words(", no swap"),
                    (Some(t), Some(f)) => {
                        out.push_words(&format!(", swap {} free of {}", human_kb(*f), human_kb(*t)))
                    }
                    _ => {}
                }
            }
            let below: Vec<LogText<'static>> = c
                .zones
                .iter()
                .filter(|z| z.allowed != Some(false) && z.below_min == Some(true))
                .map(|z| zone_label(z, false))
                .collect();
            if !below.is_empty() {
                out.push_words("; below min: ");
                for (i, z) in below.iter().enumerate() {
                    if i > 0 {
                        out.push_words(", ");
                    }
                    out.push_log(z);
                }
            }
        }
        (
            CauseKind::NumaNodes,
            CauseScope::Nodes {
                by,
                allowed,
                nodes,
                machine_free_kb,
            },
        ) => {
            let one = allowed.len() == 1;
            out.push_words(&format!(
                "{} {} {} the only {} allowed (",
                if one { "Node" } else { "Nodes" },
                nodes_list(allowed),
                if one { "was" } else { "were" },
                if one { "one" } else { "ones" }
            ));
            match by {
                NodesBy::Cpuset => {
                    out.push_words("cpuset");
                    if let Some((name, _)) = &ev.cpuset {
                        out.push_words(" ");
                        out.push_log(&LogText::from(name).head(24).into_owned());
                    }
                }
                NodesBy::Mempolicy => out.push_words("memory policy"),
            }
            out.push_words(")");
            // Zones of the allowed nodes the mask may not use (Movable for a request
            // without __GFP_MOVABLE): their free memory could not serve it.
            let barred: Vec<&ZoneState> = c
                .zones
                .iter()
                .filter(|z| z.node.is_some_and(|n| allowed.contains(&n)))
                .filter(|z| z.allowed == Some(false) && z.free_kb.is_some_and(|f| f > 0))
                .collect();
            let usable = c
                .zones
                .iter()
                .filter(|z| z.node.is_some_and(|n| allowed.contains(&n)))
                .filter(|z| z.allowed != Some(false))
                .count();
            if !barred.is_empty() {
                if usable == 0 {
                    out.push_words(&format!(
                        ": {} no zone the allocation may use; ",
                        if one { "it had" } else { "they had" }
                    ));
                } else {
                    let free = c
                        .zones
                        .iter()
                        .filter(|z| z.node.is_some_and(|n| allowed.contains(&n)))
                        .filter(|z| z.allowed != Some(false))
                        .fold(0u64, |a, z| a.saturating_add(z.free_kb.unwrap_or(0)));
                    out.push_words(&format!(
                        ": {} had {} free in the zones the allocation may use; ",
                        if one { "it" } else { "they" },
                        human_kb(free)
                    ));
                }
                for (i, z) in barred.iter().enumerate() {
                    if i > 0 {
                        out.push_words(", ");
                    }
                    out.push_log(&zone_label(z, !one));
                    out.push_words(&format!(" had {} free", human_kb(z.free_kb.unwrap_or(0))));
                }
                out.push_words(", which it may not use");
            } else if !nodes.is_empty() {
                let free = nodes.iter().fold(0u64, |a, n| a.saturating_add(n.free_kb));
                out.push_words(&format!(
                    ": {} had {} free",
                    if one { "it" } else { "they" },
                    human_kb(free)
                ));
                let managed = nodes
                    .iter()
                    .map(|n| n.managed_kb)
                    .try_fold(0u64, |a, b| b.map(|b| a.saturating_add(b)));
                if let Some(m) = managed.filter(|m| *m > 0) {
                    out.push_words(&format!(" of {}", human_kb(m)));
                }
            }
            if let Some(f) = machine_free_kb {
                out.push_words(&format!("; the machine had {} free", human_kb(*f)));
            }
        }
        (CauseKind::Zone, _) => {
            let many = c.zones_span_nodes();
            let has_high = c.zones.iter().any(|z| z.zone == "HighMem");
            out.push_words("Zone: ");
            let starved: Vec<&ZoneState> =
                c.zones.iter().filter(|z| z.allowed == Some(true)).collect();
            for (i, z) in starved.iter().enumerate() {
                if i > 0 {
                    out.push_words(", ");
                }
                out.push_log(&zone_label(z, many));
                if has_high && z.zone == "Normal" {
                    out.push_words(" (lowmem)");
                }
                if let (Some(f), Some(m)) = (z.free_kb, z.min_kb) {
                    out.push_words(&format!(" {} free, min {}", human_kb(f), human_kb(m)));
                    if let Some(r) = z.reserve_kb.filter(|r| *r > 0) {
                        out.push_words(&format!(" + {} kept for lower zones", human_kb(r)));
                    }
                }
            }
            out.push_words(if starved.len() == 1 {
                " was below its watermark"
            } else {
                " were below their watermarks"
            });
            let others: Vec<&ZoneState> = c
                .zones
                .iter()
                .filter(|z| z.allowed == Some(false) && z.free_kb.is_some())
                .collect();
            if !others.is_empty() {
                out.push_words(" while ");
                for (i, z) in others.iter().enumerate() {
                    if i > 0 {
                        out.push_words(", ");
                    }
                    out.push_log(&zone_label(z, many));
                    out.push_words(&format!(" had {} free", human_kb(z.free_kb.unwrap_or(0))));
                }
                out.push_words(": the allocation could not use ");
                for (i, z) in others.iter().enumerate() {
                    if i > 0 {
                        out.push_words(", ");
                    }
                    out.push_log(&zone_label(z, many));
                }
            }
        }
        (CauseKind::Fragmentation, _) => {
            let a = c.allocation.as_ref();
            out.push_words("Fragmentation: ");
            if let Some(o) = a.and_then(|a| a.order) {
                out.push_words(&format!("order-{o}"));
            }
            if let Some(r) = a.and_then(|a| a.requested_kb) {
                out.push_words(&format!(" ({})", human_kb(r)));
            }
            out.push_words(" request failed");
            // As the cause reads it: the zones with memory above min and no block of
            // the order (a zone with blocks that failed its watermark is not one).
            let usable: Vec<&ZoneState> = c.fragmented_zones();
            if !usable.is_empty() {
                out.push_words(": ");
                for (i, z) in usable.iter().enumerate() {
                    if i > 0 {
                        out.push_words(", ");
                    }
                    out.push_log(&zone_label(z, false));
                }
                let free = usable
                    .iter()
                    .fold(0u64, |a, z| a.saturating_add(z.free_kb.unwrap_or(0)));
                let largest = usable
                    .iter()
                    .filter_map(|z| z.largest_free_kb)
                    .max()
                    .unwrap_or(0);
                out.push_words(&format!(
                    " had {} free above min but {}",
                    human_kb(free),
                    if largest == 0 {
                        "no free block".to_string()
                    } else {
                        format!("no free block larger than {}", human_kb(largest))
                    }
                ));
            }
        }
        (CauseKind::Manual, _) => {
            out.push_words("Manual OOM (SysRq-f): the kernel was asked to kill; nothing ran out")
        }
        _ => {
            out.push_words("Cause unknown: ");
            let why: Vec<&str> = c.missing.iter().map(|m| missing_words(*m)).collect();
            if why.is_empty() {
                out.push_words("the report does not say what ran out");
            } else {
                out.push_words(&why.join("; "));
            }
        }
    }
    if c.kind != CauseKind::Unknown {
        let extra: Vec<&str> = c
            .missing
            .iter()
            .filter(|m| !matches!(m, Missing::MemcgCounters))
            .map(|m| missing_words(*m))
            .collect();
        if !extra.is_empty() && c.kind != CauseKind::Manual {
            out.push_words(&format!(" (not certain: {})", extra.join("; ")));
        }
    }
    out.push_words(".");
    out
}

/// For memcg OOMs, what the dashboards showed and what a kill or reclaim could free,
/// from the cgroup's own stats; `None` when the report has none of those numbers.
pub fn memcg_detail(c: &Cause) -> Option<String> {
    let Some(Picture::Memcg {
        usage_kb,
        limit_kb,
        anon_kb,
        shmem_kb,
        file_kb,
        working_set_kb,
        dirty_kb,
        writeback_kb,
        slab_unreclaimable_kb,
        ..
    }) = &c.picture
    else {
        return None;
    };
    let mut s = Vec::new();
    let limit = limit_kb.filter(|l| *l > 0 && *l < 1 << 50);
    let share = |v: u64| {
        limit
            .map(|l| format!(" ({:.0} %)", v as f64 * 100.0 / l as f64))
            .unwrap_or_default()
    };
    if let Some(ws) = working_set_kb {
        let mut t = format!(
            "Dashboards: working set (usage − inactive_file) {}{}",
            human_kb(*ws),
            share(*ws)
        );
        if let Some(u) = usage_kb {
            t.push_str(&format!(", usage {}{}", human_kb(*u), share(*u)));
        }
        // cAdvisor's container_memory_rss: v1 total_rss, v2 anon.
        if let Some(a) = anon_kb {
            t.push_str(&format!(", rss {}{}", human_kb(*a), share(*a)));
        }
        if let Some(l) = limit {
            t.push_str(&format!(", limit {}", human_kb(l)));
        }
        s.push(t);
    }
    let mut cannot = Vec::new();
    if let Some(sh) = shmem_kb.filter(|v| *v > 0) {
        cannot.push(format!(
            "shmem/tmpfs {} (unless the victim held it)",
            human_kb(sh)
        ));
    }
    if let Some(sl) = slab_unreclaimable_kb.filter(|v| *v > 0) {
        cannot.push(format!("unreclaimable slab {}", human_kb(sl)));
    }
    if !cannot.is_empty() {
        s.push(format!("A kill cannot free: {}", cannot.join(", ")));
    }
    if let Some(f) = file_kb {
        let (d, w) = (dirty_kb.unwrap_or(0), writeback_kb.unwrap_or(0));
        let clean = f
            .saturating_sub(shmem_kb.unwrap_or(0))
            .saturating_sub(d.saturating_add(w));
        // Nothing to say when the cgroup had no page cache.
        if clean > 0 || d > 0 || w > 0 {
            let mut t = format!(
                "Reclaim should have freed: clean page cache {}",
                human_kb(clean)
            );
            if d > 0 || w > 0 {
                t.push_str(&format!(
                    "; dirty {} and under writeback {} it had to wait for",
                    human_kb(d),
                    human_kb(w)
                ));
            }
            s.push(t);
        }
    }
    (!s.is_empty()).then(|| format!("{}.", s.join(". ")))
}

/// A bare-hex mask's decoding, for the trigger line: `GFP_HIGHUSER_MOVABLE|__GFP_COLD,
/// decoded for 2.6.32`, or why it is not decoded when the readings disagree; `None`
/// when the kernel printed the names itself (they are shown as printed) or nothing is known.
pub fn gfp_decoded(a: &Allocation) -> Option<String> {
    if a.gfp_ambiguous {
        // Every era's reading, none chosen: the log does not say which kernel it was.
        let readings: Vec<String> = a
            .gfp_readings
            .iter()
            .map(|r| {
                let names = if r.names.is_empty() {
                    "no flags".to_string()
                } else {
                    r.names.join("|")
                };
                format!("{names} on {}", r.tables)
            })
            .collect();
        if readings.is_empty() {
            return Some(
                "not decoded: the kernel version is unknown and the kernels' flag tables read it differently"
                    .into(),
            );
        }
        return Some(format!(
            "the kernel version is unknown and the flag tables differ: {}",
            readings.join("; ")
        ));
    }
    let names = if a.gfp_names.is_empty() {
        &a.gfp_flags
    } else {
        &a.gfp_names
    };
    if names.is_empty() {
        return None;
    }
    let mut s = names.join("|");
    if let Some(t) = &a.gfp_tables {
        s.push_str(&format!(", decoded for {t}"));
    }
    Some(s)
}

/// Under a terminal table that left columns out to fit the screen, and where the
/// reader finds them.
pub fn columns_left_out(cols: &[&str], found: &str) -> String {
    format!("(left out at this width: {}; {found})", cols.join(", "))
}

/// After a list cut at `shown` of `total` entries: `… and N more`; `None` when nothing
/// was cut.
pub fn and_more(total: usize, shown: usize) -> Option<String> {
    (total > shown).then(|| format!("… and {} more", group((total - shown) as i64)))
}

/// Under a summary table whose keys passed the count kept one by one.
pub fn uncounted(u: crate::report::Uncounted) -> String {
    format!(
        "… and {} event{} ({} killed) under further keys, counted together (the scan has \
         more than {} distinct ones)",
        group(u.events as i64),
        if u.events == 1 { "" } else { "s" },
        group(u.kills as i64),
        group(crate::report::MAX_KEYS as i64)
    )
}

/// A repeat offender's trend, with what it means: growth across incidents is a leak
/// signal; kills within one incident say nothing about growth.
pub fn trend_words(trend: &str, incidents: usize) -> String {
    match trend {
        "growing" => format!("growing over {incidents} incidents: a leak signal"),
        "steady" => format!("no steady growth over {incidents} incidents"),
        "shrinking" => format!("shrinking over {incidents} incidents"),
        _ => "one incident: no trend".to_string(),
    }
}

/// A next step in words, and the command to copy when there is one (log text in it
/// quoted as one shell word).
pub fn step(st: &crate::analysis::advice::NextStep) -> (String, Option<LogText<'static>>) {
    use crate::analysis::advice::NextStep as S;
    let words = |w: &str| LogText::sentence(w.to_string());
    match st {
        S::Shmem { kb, percent } => (
            format!(
                "shmem/tmpfs held {} ({percent:.0} %): killing processes frees it only when \
                 the victim held it; files in tmpfs (/dev/shm, /run, /tmp, emptyDir medium \
                 Memory) and SysV shared memory stay. Look at them with:",
                human_kb(*kb)
            ),
            Some(words("df -h -t tmpfs; ipcs -m")),
        ),
        S::Slab { kb, percent } => (
            format!(
                "Unreclaimable slab held {} ({percent:.0} %): kernel memory that no kill \
                 frees. See which caches hold it:",
                human_kb(*kb)
            ),
            Some(words("slabtop -o -s c | head -20")),
        ),
        S::DirtyCache {
            dirty_kb,
            writeback_kb,
            percent,
        } => (
            format!(
                "Dirty page cache {} and under writeback {} ({percent:.0} %): reclaim had to \
                 wait for the disk. Lower vm.dirty_bytes / vm.dirty_background_bytes (or \
                 the writer's rate), or use faster storage.",
                human_kb(*dirty_kb),
                human_kb(*writeback_kb)
            ),
            None,
        ),
        S::Pod { uid } => {
            let uid = LogText::from(uid);
            if !uid.is_hex_id() {
                return (
                    "Find the pod by its UID in kubectl get pods -A -o json.".into(),
                    None,
                );
            }
            let mut c =
                words("kubectl get pods -A -o json | jq -r '.items[] | select(.metadata.uid == \"");
            c.push_log(&uid);
            c.push_words("\") | .metadata.namespace + \"/\" + .metadata.name'");
            ("Find the pod (namespace/name) by its UID:".into(), Some(c))
        }
        S::Container {
            engine,
            id,
            namespace,
        } => {
            let what = if engine == "kubernetes" {
                "Inspect the container on the node:"
            } else {
                "Inspect the container:"
            };
            let id = LogText::from(id);
            if !id.is_hex_id() {
                return (what.trim_end_matches(':').to_string() + ".", None);
            }
            let mut c = match engine.as_str() {
                "kubernetes" => words("crictl inspect "),
                "docker" => words("docker inspect "),
                "podman" => words("podman inspect "),
                _ => {
                    let mut c = words("ctr -n ");
                    match namespace {
                        Some(n) => c.push_shell_word(&LogText::from(n)),
                        None => c.push_words("default"),
                    }
                    c.push_words(" containers info ");
                    c
                }
            };
            c.push_log(&id);
            (what.into(), Some(c))
        }
        S::Unit { unit, user } => {
            let mut c = match user {
                Some(_) => words("systemctl --user status -- "),
                None => words("systemctl status -- "),
            };
            c.push_shell_word(&LogText::from(unit));
            let what = match user {
                Some(u) => format!("Check the unit (a user unit of uid {u}; run as that user):"),
                None => "Check the unit and its memory settings:".to_string(),
            };
            (what, Some(c))
        }
    }
}

/// In place of a section's kernel lines left out for the size budget.
pub fn raw_left_out(budget: usize) -> String {
    format!(
        "Kernel lines left out to keep the report under {} characters (--max-chars sets \
         the budget; --format json --raw has them all).",
        group(budget as i64)
    )
}

/// At the end of a report cut to its size budget: what was left out.
pub fn budget_note(trimmed: usize, not_shown: usize, budget: usize) -> String {
    let mut parts = Vec::new();
    if trimmed > 0 {
        parts.push(format!(
            "the kernel lines of {} event{}",
            group(trimmed as i64),
            if trimmed == 1 { "" } else { "s" }
        ));
    }
    if not_shown > 0 {
        parts.push(format!(
            "the sections of the last {} event{}",
            group(not_shown as i64),
            if not_shown == 1 { "" } else { "s" }
        ));
    }
    format!(
        "Left out to keep the report under {} characters: {} (--max-chars sets the \
         budget; --format json has everything; --since, --until, --host and --comm narrow \
         the scan).",
        group(budget as i64),
        parts.join(" and ")
    )
}

/// After the problems a report lists, how many more there are and where they are.
pub fn more_problems(n: usize) -> String {
    format!(
        "… and {} more problem{}: --all-diagnostics lists them on stderr, --format json \
         under \"diagnostics\"",
        group(n as i64),
        if n == 1 { "" } else { "s" }
    )
}

/// Under a list of events cut short: how many more, and where they are.
pub fn more_events(n: usize) -> String {
    format!(
        "… and {} more event{} (each has its section below; --since, --until, --host and \
         --comm narrow the scan)",
        group(n as i64),
        if n == 1 { "" } else { "s" }
    )
}

/// What to look at next for an OOM of this cause, in one sentence (only what follows
/// from the cause's kind; the report's own facts say which cgroup or task).
pub fn next_step(c: &Cause) -> &'static str {
    match (&c.kind, &c.scope) {
        (
            CauseKind::MemcgLimit,
            CauseScope::Memcg {
                level: Some(LimitLevel::NodeAllocatable),
                ..
            },
        ) => {
            "The pods on this node were promised more memory than it has: set memory requests \
             closer to real use (or limits equal to requests), or move pods to other nodes."
        }
        (
            CauseKind::MemcgLimit,
            CauseScope::Memcg {
                level: Some(LimitLevel::QosTier),
                ..
            },
        ) => {
            "A whole QoS tier hit its limit: check the node's reserved memory and the \
             requests of the pods in that tier."
        }
        (CauseKind::MemcgLimit, _) => {
            "Check whether the workload in this cgroup grew (across several kills of the \
             same command, 'Killed more than once' shows its memory) or the limit is too \
             small for it; raise the limit or fix the growth."
        }
        (CauseKind::MemswLimit, _) => {
            "The cgroup's memory plus swap hit memory.memsw.limit_in_bytes: raise that limit \
             or reduce what the cgroup keeps in memory and swap."
        }
        (CauseKind::SwapLimit, _) => {
            "The cgroup's swap.max was full while its memory was at memory.max: raise either, \
             or reduce its memory use."
        }
        (CauseKind::KmemLimit, _) => {
            "Kernel memory of the cgroup (slab, page tables, sockets) hit the v1 kmem limit: \
             raise or remove memory.kmem.limit_in_bytes."
        }
        (CauseKind::Machine, _) => {
            "Find what grew (the ranking and what filled memory, where the log has them), \
             then add RAM or swap or put the large consumers in cgroups with limits, so one \
             service cannot take the machine."
        }
        (CauseKind::NumaNodes, _) => {
            "Check the cpuset (cpuset.mems) or memory policy (numactl) of the allocating task: \
             the allowed nodes filled while others had memory; widen it or size the workload \
             to those nodes."
        }
        (CauseKind::Zone, _) => {
            "The zone the allocation needs ran out while others had memory: on 32-bit use a \
             64-bit kernel; otherwise find the driver or allocation limited to that zone."
        }
        (CauseKind::Fragmentation, _) => {
            "No free block of the requested size: find who asks for high-order pages (the \
             allocating task), and consider raising vm.min_free_kbytes or proactive \
             compaction."
        }
        (CauseKind::Manual, _) => {
            "The OOM was triggered by hand (SysRq-f): find who or what sent it; memory did \
             not need to run out."
        }
        (CauseKind::Unknown, _) => {
            "The log lacks what a verdict needs: keep the whole kernel report next time \
             (journalctl -k or /var/log/messages, with the Mem-Info block)."
        }
    }
}

/// The ranking's basis: `totalpages N (not exact): why`, or why there is no total.
pub fn ranking_total(b: &crate::analysis::badness::Badness) -> String {
    match b.totalpages {
        Some(t) => format!(
            "totalpages {}{}: {}",
            group(t as i64),
            if b.totalpages_exact {
                ""
            } else {
                " (not exact)"
            },
            totalpages_basis(&b.totalpages_basis)
        ),
        None => totalpages_basis(&b.totalpages_basis),
    }
}

/// The summary's note that log times carry no zone: how many, and the offset used.
pub fn zone_assumed(n: usize, events: usize, offset: Option<chrono::FixedOffset>) -> String {
    let whose = if n == events {
        "the log gives no time zone".to_string()
    } else {
        format!("{n} of {events} events' times carry no zone in the log")
    };
    match offset {
        Some(o) => format!("{whose}: read as UTC{o} (--tz sets the zone)"),
        None => format!("{whose} (--tz sets the zone)"),
    }
}

/// The filters applied, as the flags that set them, and how many events they left
/// out; `None` without filters.
pub fn filter_line(f: &crate::report::Filter, left_out: usize) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let stamp =
        |t: &chrono::DateTime<chrono::FixedOffset>| t.format("%Y-%m-%d %H:%M:%S %:z").to_string();
    if let Some(t) = &f.since {
        parts.push(format!("--since {}", stamp(t)));
    }
    if let Some(t) = &f.until {
        parts.push(format!("--until {}", stamp(t)));
    }
    for (flag, v) in [
        ("--comm", &f.comm),
        ("--cgroup", &f.cgroup),
        ("--host", &f.host),
    ] {
        for x in v {
            parts.push(format!("{flag} {x}"));
        }
    }
    for p in &f.pid {
        parts.push(format!("--pid {p}"));
    }
    if f.killed_only {
        parts.push("--killed-only".into());
    }
    for k in &f.killer {
        parts.push(format!("--killer {}", k.key()));
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "{}: {} left out",
        parts.join(", "),
        match left_out {
            1 => "1 event".to_string(),
            n => format!("{} events", group(n as i64)),
        }
    ))
}

/// The panic's reboot after the report.
pub fn rebooted(r: &crate::event::Reboot) -> String {
    format!(
        "after the panic the kernel set the machine to reboot in {} s (kernel.panic), line {}",
        r.after_s, r.line
    )
}

// ---- who killed it (issue 17) ---------------------------------------------------

use crate::event::{Decision, KillLink, Killer, MemStatus, Reporter, Rule, UnitFacts, UserKill};

/// A killer's name in prose.
pub fn killer_name(k: Killer) -> &'static str {
    match k {
        Killer::Kernel => "the kernel's OOM killer",
        Killer::SystemdOomd => "systemd-oomd",
        Killer::Earlyoom => "earlyoom",
        Killer::Oomd => "oomd (Meta's userspace OOM killer)",
        Killer::Nohang => "nohang",
        Killer::Lmkd => "Android's lmkd",
        Killer::KubeletEviction => "the kubelet's eviction manager",
        Killer::TalosOomController => "Talos' OOM controller",
        Killer::AndroidLmkKernel => "Android's in-kernel lowmemorykiller driver",
    }
}

/// A percentage as the log would print it (`77.97 %`, `50 %`).
fn pct(x: f64) -> String {
    format!("{x} %")
}

/// What a userspace killer killed: the process, or the cgroup, unit or pod.
pub fn user_killed(killer: Killer, u: &UserKill) -> LogText<'static> {
    let mut s = LogText::sentence(String::new());
    if u.reporter.is_some() {
        match (&u.comm, u.pid, &u.target) {
            (Some(c), Some(p), _) => {
                s.push_log(&LogText::from(c));
                s.push_words(&format!(" (pid {p})"));
            }
            (Some(c), None, Some(t)) => {
                s.push_words("a process in container ");
                s.push_log(&LogText::from(c));
                s.push_words(" ");
                s.push_log(&LogText::from(t).head(12));
            }
            (_, _, Some(t)) => {
                s.push_words("a process in ");
                s.push_log(&LogText::from(t));
            }
            _ => s.push_words("a process not named in the log"),
        }
        s.push_words(" (the kernel's own lines are not in the log)");
        return s;
    }
    if killer == Killer::KubeletEviction
        && let Some(t) = &u.target
    {
        s.push_words("pod ");
        s.push_log(&LogText::from(t));
        return s;
    }
    match (&u.comm, u.pid) {
        (Some(c), Some(p)) => {
            s.push_log(&LogText::from(c));
            s.push_words(&format!(" (pid {p}"));
            if let Some(uid) = u.uid {
                s.push_words(&format!(", uid {uid}"));
            }
            s.push_words(")");
        }
        (Some(c), None) => s.push_log(&LogText::from(c)),
        (None, Some(p)) => s.push_words(&format!("pid {p}")),
        (None, None) => {}
    }
    if let Some(t) = &u.target {
        if !s.is_empty() {
            s.push_words(" in ");
        }
        s.push_words(if LogText::from(t).starts_with('/') {
            "cgroup "
        } else {
            ""
        });
        s.push_log(&LogText::from(t));
    }
    if s.is_empty() {
        s.push_words(match killer {
            Killer::KubeletEviction => "a pod not named on this line",
            _ => "not named in the log",
        });
    }
    let mut facts: Vec<String> = Vec::new();
    if let Some(n) = u.count {
        facts.push(format!("{n} process{}", if n == 1 { "" } else { "es" }));
    } else if !u.tasks.is_empty() {
        let pids: Vec<String> = u.tasks.iter().map(|t| t.pid.to_string()).collect();
        facts.push(format!("pids {}", pids.join(", ")));
    }
    let signal = u.signal.as_ref().map(LogText::from);
    if let Some(kb) = u.rss_kb {
        facts.push(format!("rss {}", human_kb(kb)));
    }
    if let Some(kb) = u.swap_kb {
        facts.push(format!("swap {}", human_kb(kb)));
    }
    if let Some(b) = u.badness {
        facts.push(format!("badness {b}"));
    }
    if let Some(a) = u.oom_score_adj {
        facts.push(format!("oom_score_adj {a}"));
    }
    if facts.is_empty() && signal.is_none() {
        return s;
    }
    s.push_words(": ");
    if let Some(sig) = &signal {
        s.push_log(sig);
        if !facts.is_empty() {
            s.push_words(", ");
        }
    }
    s.push_words(&facts.join(", "));
    s
}

/// The rule as the log states it, quoted, with its line.
pub fn user_rule(d: &Decision) -> LogText<'static> {
    let mut s = LogText::sentence("\u{201c}".into());
    s.push_log(&LogText::from(&d.text));
    s.push_words(&format!("\u{201d} (line {})", d.line));
    s
}

/// Why this victim, by the killer's own rule, and whether the kernel's OOM killer had
/// a part in it.
pub fn user_why(killer: Killer, u: &UserKill, unit: Option<&UnitFacts>) -> LogText<'static> {
    let mut s = LogText::sentence(String::new());
    if let Some(r) = u.reporter {
        match r {
            Reporter::Systemd => {
                s.push_words("systemd reports that the kernel's OOM killer killed a process in ");
                match unit {
                    Some(f) => s.push_log(&LogText::from(&f.unit)),
                    None => s.push_words("this unit"),
                }
                s.push_words(".");
            }
            Reporter::Kubelet => s.push_words(
                "The kubelet reports a system OOM (SystemOOM event): the kernel's OOM killer \
                 killed a process because the whole node ran out of memory, not the kubelet.",
            ),
            Reporter::Docker => s.push_words(
                "Docker reports an OOM event of this container: its memory cgroup hit its limit \
                 and the kernel's OOM killer acted inside it (an event without a kill is \
                 possible when reclaim succeeded).",
            ),
            Reporter::Tracer => s.push_words(
                "A tracer of the kernel's oom_kill_process (bcc oomkill) saw the kernel's OOM \
                 killer kill this process.",
            ),
        }
        s.push_words(
            " The kernel's own report is not in this log, so which process it chose and why \
             cannot be read here; look for 'invoked oom-killer' in the kernel log of that time.",
        );
        return s;
    }
    let name = killer_name(killer);
    match u.kernel_kill_line {
        Some(l) => s.push_words(&format!(
            "{name} acted first, but the kernel's OOM killer killed the same process later \
             (line {l}, a separate event): {name}'s signal had not ended it. "
        )),
        None => s.push_words(&format!(
            "The kernel's OOM killer was not involved: {name} killed it, by its own rule. "
        )),
    }
    if let Some(f) = &u.failed {
        s.push_words("The kill failed (");
        s.push_log(&LogText::from(f));
        s.push_words("). ");
    }
    let rule = u.decision.as_ref().map(|d| &d.rule);
    match (killer, rule) {
        (
            _,
            Some(Rule::MemoryPressure {
                cgroup,
                pressure_pct,
                limit_pct,
                duration,
            }),
        ) => {
            s.push_words("Memory pressure on ");
            match cgroup {
                Some(c) => s.push_log(&LogText::from(c)),
                None => s.push_words("the monitored cgroup"),
            }
            match (pressure_pct, limit_pct) {
                (Some(p), Some(l)) => {
                    s.push_words(&format!(" was {}, over its limit of {}", pct(*p), pct(*l)))
                }
                (None, Some(l)) => s.push_words(&format!(" was over its limit of {}", pct(*l))),
                _ => s.push_words(" was over its limit"),
            }
            if let Some(d) = duration {
                s.push_words(" for more than ");
                s.push_log(&LogText::from(d));
            }
            s.push_words(
                " (ManagedOOMMemoryPressure=). Among the cgroups under it, systemd-oomd kills \
                 the one reclaiming the most memory (page scans since its last look), not \
                 necessarily the largest",
            );
            if u.target.is_none() {
                s.push_words("; this version of systemd-oomd does not name the cgroup it killed");
            }
            s.push_words(".");
        }
        (
            _,
            Some(Rule::SwapUsed {
                memory_used_bytes,
                memory_total_bytes,
                swap_used_bytes,
                swap_total_bytes,
                limit_pct,
            }),
        ) => {
            let part = |used: &Option<u64>, total: &Option<u64>| match (used, total) {
                (Some(a), Some(b)) if *b > 0 => format!(
                    "{} of {} ({:.1} %)",
                    human_kb(a / 1024),
                    human_kb(b / 1024),
                    *a as f64 * 100.0 / *b as f64
                ),
                _ => "?".into(),
            };
            let mut t = String::new();
            if memory_used_bytes.is_some() {
                t.push_str(&format!(
                    "Memory used {} and swap used {}",
                    part(memory_used_bytes, memory_total_bytes),
                    part(swap_used_bytes, swap_total_bytes)
                ));
                t.push_str(" were both");
            } else {
                t.push_str(&format!(
                    "Swap used {} was",
                    part(swap_used_bytes, swap_total_bytes)
                ));
            }
            match limit_pct {
                Some(l) => t.push_str(&format!(" over its limit of {}", pct(*l))),
                None => t.push_str(" over its limit"),
            }
            t.push_str(
                " (ManagedOOMSwap=, SwapUsedLimit=). systemd-oomd then kills the cgroup using \
                 the most swap.",
            );
            s.push_words(&t);
        }
        (
            _,
            Some(Rule::OomRule {
                name,
                cgroup,
                lasting,
                action,
            }),
        ) => {
            s.push_words("Its rule ");
            s.push_log(&LogText::from(name));
            s.push_words(" met its conditions for ");
            s.push_log(&LogText::from(cgroup));
            if let Some(l) = lasting {
                s.push_words(" (lasting ");
                s.push_log(&LogText::from(l));
                s.push_words(")");
            }
            s.push_words(", and it took the action ");
            s.push_log(&LogText::from(action));
            s.push_words(".");
        }
        (
            _,
            Some(Rule::BelowLimits {
                signal,
                mem_pct,
                swap_pct,
            }),
        ) => {
            s.push_words("Available memory and free swap were at or below its ");
            s.push_log(&LogText::from(signal));
            let mut t = String::from(" limits");
            if let (Some(m), Some(w)) = (mem_pct, swap_pct) {
                t.push_str(&format!(" (memory {}, swap {})", pct(*m), pct(*w)));
            }
            t.push_str(
                ". earlyoom then signals the process with the highest oom_score (the kernel's \
                 badness of it in /proc, which oom_score_adj raises or lowers), not the largest",
            );
            if let Some(b) = u.badness {
                t.push_str(&format!(": this one scored {b}"));
                if let Some(kb) = u.rss_kb {
                    t.push_str(&format!(" with {} resident", human_kb(kb)));
                }
            }
            t.push('.');
            s.push_log(&LogText::sentence(t));
        }
        (
            _,
            Some(Rule::Thresholds {
                level,
                mem_mib,
                mem_limit_mib,
                swap_mib,
                swap_limit_mib,
            }),
        ) => {
            let mut t = String::from("MemAvailable");
            if let (Some(a), Some(b)) = (mem_mib, mem_limit_mib) {
                t.push_str(&format!(" ({a} MiB, at or below {b} MiB)"));
            }
            if let (Some(a), Some(b)) = (swap_mib, swap_limit_mib) {
                t.push_str(&format!(" and SwapFree ({a} MiB, at or below {b} MiB)"));
            }
            t.push_str(" crossed nohang's ");
            s.push_log(&LogText::sentence(t));
            s.push_log(&LogText::from(level));
            let mut t = String::from(
                " thresholds. nohang then acts on the process with the highest badness (its \
                 oom_score, adjusted by its own rules)",
            );
            if let Some(b) = u.badness {
                t.push_str(&format!(": this one had {b}"));
            }
            t.push('.');
            s.push_log(&LogText::sentence(t));
        }
        (
            _,
            Some(Rule::PressureAbove {
                pressure,
                threshold,
                duration_s,
                usage_mb,
                ruleset,
                action,
            }),
        ) => {
            let mut t = String::new();
            match (pressure, threshold) {
                (Some(p), Some(th)) => t.push_str(&format!(
                    "The 10 s memory pressure {p} was over oomd's threshold of {th}"
                )),
                _ => t.push_str("oomd's detector fired"),
            }
            if let Some(d) = duration_s {
                t.push_str(&format!(" for {d} s"));
            }
            if let Some(m) = usage_mb {
                t.push_str(&format!(" (total usage {m} MB)"));
            }
            s.push_words(&t);
            if let Some(r) = ruleset {
                s.push_words(", firing the ruleset ");
                s.push_log(&LogText::from(r));
            }
            if let Some(a) = action {
                s.push_words("; its action ");
                s.push_log(&LogText::from(a));
                s.push_words(" picks the cgroup to kill by its own ranking (size, growth, pressure or swap, as the plugin says)");
            }
            s.push_words(".");
        }
        (
            _,
            Some(Rule::Lmkd {
                reason,
                oom_score_adj,
            }),
        ) => {
            s.push_words("lmkd's reason: ");
            s.push_log(&LogText::from(reason));
            s.push_words(". lmkd kills the app process with the highest oom_score_adj first (cached and background apps before visible ones)");
            if let Some(a) = oom_score_adj {
                s.push_words(&format!("; this one had oom_score_adj {a}"));
                if *a <= 0 {
                    s.push_words(
                        ", a foreground or system process: nothing less important was left to kill",
                    );
                }
            }
            s.push_words(".");
        }
        (
            _,
            Some(Rule::Minfree {
                cache_kb,
                limit_kb,
                min_adj,
                free_kb,
                on_behalf_of,
            }),
        ) => {
            let mut t = String::from("File cache");
            if let Some(c) = cache_kb {
                t.push_str(&format!(" ({c} kB)"));
            }
            t.push_str(" was below the driver's minfree level");
            if let Some(l) = limit_kb {
                t.push_str(&format!(" of {l} kB"));
                if let Some(f) = free_kb.filter(|f| f < l) {
                    t.push_str(&format!(
                        ", and so was free memory above the reserve ({f} kB)"
                    ));
                }
            }
            t.push_str(", which lets it kill processes with oom_score_adj");
            match min_adj {
                Some(a) => t.push_str(&format!(" {a} or higher")),
                None => t.push_str(" at or above that level's"),
            }
            s.push_words(&t);
            if let Some(c) = on_behalf_of {
                s.push_words(" (it ran on behalf of ");
                s.push_log(&LogText::from(c));
                s.push_words(")");
            }
            let mut t = String::from(
                ". It kills the one with the highest oom_score_adj, the largest among equals",
            );
            if let Some(a) = u.oom_score_adj {
                t.push_str(&format!(": this one had oom_score_adj {a}"));
            }
            t.push_str(
                ". The driver is a memory shrinker inside the kernel; the kernel's OOM \
                 killer (mm/oom_kill.c) and its badness ranking had no part in this kill",
            );
            t.push('.');
            s.push_words(&t);
        }
        (_, Some(Rule::Eviction { resource })) => {
            s.push_words("The node's ");
            s.push_log(&LogText::from(resource));
            s.push_words(
                " was past the kubelet's eviction threshold, so it evicted pods, ranked by \
                 whether they use more than they request, by priority, then by use over request.",
            );
        }
        (Killer::Earlyoom, None) => s.push_words(
            "earlyoom signals the process with the highest oom_score when available memory and \
             free swap are at or below its limits (the limits line is not in this log).",
        ),
        (Killer::Lmkd, None) => {
            s.push_words(
                "lmkd kills the app process with the highest oom_score_adj first (cached and \
                 background apps before visible ones)",
            );
            if let Some(a) = u.oom_score_adj {
                s.push_words(&format!("; this one had oom_score_adj {a}"));
            }
            s.push_words("; this lmkd does not print its reason.");
        }
        (Killer::AndroidLmkKernel, None) => {
            s.push_words(
                "This line does not state the driver's rule: once free memory and file cache \
                 are both below one of its minfree levels, it kills the process with the \
                 highest adj at or above that level's (the largest among equals)",
            );
            if let Some(a) = u.oom_score_adj {
                s.push_words(&format!("; this one had adj {a}"));
            }
            s.push_words(
                ". The driver is a memory shrinker inside the kernel; the kernel's OOM killer \
                 (mm/oom_kill.c) and its badness ranking had no part in this kill.",
            );
        }
        (Killer::TalosOomController, None) => s.push_words(
            "Talos' OOM controller kills whole cgroups when its memory-pressure rule fires; the \
             line does not state the rule or the numbers.",
        ),
        (Killer::SystemdOomd, None) => s.push_words(
            "systemd reports the kill by systemd-oomd on this unit; systemd-oomd's own line, with \
             its rule, is not in this log.",
        ),
        _ => s.push_words("The log does not state the rule that fired."),
    }
    s
}

/// Memory as a killer's status line states it.
pub fn user_memory(m: &MemStatus) -> String {
    let mut t = Vec::new();
    if let Some(a) = m.mem_avail_mib {
        let mut x = format!("{a} MiB available");
        if let Some(b) = m.mem_total_mib {
            x.push_str(&format!(" of {b} MiB"));
        }
        if let Some(p) = m.mem_pct {
            x.push_str(&format!(" ({})", pct(p)));
        }
        t.push(x);
    }
    if let Some(a) = m.swap_free_mib {
        let mut x = format!("swap {a} MiB free");
        if let Some(b) = m.swap_total_mib {
            x.push_str(&format!(" of {b} MiB"));
        }
        if let Some(p) = m.swap_pct {
            x.push_str(&format!(" ({})", pct(p)));
        }
        t.push(x);
    }
    format!("{} (line {})", t.join(", "), m.line)
}

/// What happened after the signal, as the killer says.
pub fn user_outcome(u: &UserKill) -> Option<String> {
    let mut t = Vec::new();
    if let Some(s) = u.escalated_after_s {
        t.push(format!("escalated to SIGKILL after {s} s"));
    }
    if let Some(s) = u.exited_after_s {
        t.push(format!("the process exited after {s} s"));
    }
    if u.did_not_exit {
        t.push("the process did not exit".into());
    }
    let mut said = (!t.is_empty()).then(|| format!("as the killer's lines say: {}", t.join("; ")));
    if u.cut {
        let cut = "the kill line is cut short in the log";
        said = Some(match said {
            Some(x) => format!("{x}; {cut}"),
            None => cut.to_string(),
        });
    }
    said
}

/// systemd's side of a kill: the unit, who it says killed, the result, the restart.
pub fn unit_facts(f: &UnitFacts) -> LogText<'static> {
    let mut s = LogText::sentence(String::new());
    s.push_log(&LogText::from(&f.unit));
    s.push_words(match f.by {
        Killer::Kernel => ": systemd says the kernel's OOM killer killed a process of it",
        _ => ": systemd says systemd-oomd killed processes of it",
    });
    if let Some(n) = f.processes {
        s.push_words(&format!(" ({n})"));
    }
    if let Some(e) = &f.main_exit {
        s.push_words("; main process exited, ");
        s.push_log(&LogText::from(e));
    }
    if let Some(r) = &f.result {
        s.push_words("; result '");
        s.push_log(&LogText::from(r));
        s.push_words("'");
    }
    match f.restart_counter {
        Some(n) if n > 0 => s.push_words(&format!("; systemd restarted it (restart counter {n})")),
        Some(_) => s.push_words("; systemd restarted it"),
        None => s.push_words("; no restart in the log"),
    }
    if !f.ancestors.is_empty() {
        s.push_words(" · repeated by its parents ");
        for (i, a) in f.ancestors.iter().enumerate() {
            if i > 0 {
                s.push_words(", ");
            }
            s.push_log(&LogText::from(a));
        }
    }
    let lines: Vec<String> = f.lines.iter().map(u64::to_string).collect();
    s.push_words(&format!(
        " (line{} {})",
        if lines.len() == 1 { "" } else { "s" },
        lines.join(", ")
    ));
    s
}

/// Userspace attempts on a kernel victim before the kernel killed it.
pub fn attempts(a: &[KillLink]) -> LogText<'static> {
    let mut s = LogText::sentence(String::new());
    for (i, k) in a.iter().enumerate() {
        if i > 0 {
            s.push_words("; ");
        }
        s.push_words(&format!("{} sent ", killer_name(k.killer)));
        match &k.signal {
            Some(sig) => s.push_log(&LogText::from(sig)),
            None => s.push_words("a signal"),
        }
        if let Some(p) = k.pid {
            s.push_words(&format!(" to pid {p}"));
        }
        s.push_words(&format!(
            " first (line {}), but it did not die of it: this kill is the kernel's",
            k.line
        ));
    }
    s
}

/// The short reason of a userspace kill for an overview row.
pub fn user_headline(killer: Killer, u: &UserKill) -> LogText<'static> {
    let mut s = LogText::sentence(String::new());
    if let Some(r) = u.reporter {
        s.push_words(match r {
            Reporter::Systemd => "kernel OOM kill, as systemd reports it",
            Reporter::Kubelet => "kernel OOM kill, as the kubelet reports it",
            Reporter::Docker => "kernel OOM kill, as Docker reports it",
            Reporter::Tracer => "kernel OOM kill, as a tracer reports it",
        });
        return s;
    }
    s.push_words(&format!("by {}", killer.key()));
    match u.decision.as_ref().map(|d| &d.rule) {
        Some(Rule::MemoryPressure {
            pressure_pct: Some(p),
            limit_pct: Some(l),
            ..
        }) => {
            s.push_words(&format!(": pressure {} > {}", pct(*p), pct(*l)));
        }
        Some(Rule::MemoryPressure { .. }) => s.push_words(": memory pressure"),
        Some(Rule::SwapUsed {
            limit_pct: Some(l), ..
        }) => {
            s.push_words(&format!(": swap used > {}", pct(*l)));
        }
        Some(Rule::BelowLimits {
            mem_pct: Some(m),
            swap_pct: Some(w),
            ..
        }) => {
            s.push_words(&format!(": mem <= {}, swap <= {}", pct(*m), pct(*w)));
        }
        Some(Rule::Lmkd { reason, .. }) => {
            s.push_words(": ");
            s.push_log(&LogText::from(reason));
        }
        Some(Rule::Minfree {
            cache_kb: Some(c),
            limit_kb: Some(l),
            ..
        }) => {
            s.push_words(&format!(": cache {c} kB < minfree {l} kB"));
        }
        Some(Rule::Eviction { resource }) => {
            s.push_words(": low ");
            s.push_log(&LogText::from(resource));
        }
        _ => {}
    }
    if u.kernel_kill_line.is_some() {
        s.push_words(" (then the kernel)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_discount_is_named_as_such() {
        // A root task under oom_score_adj=0 on a 3 % kernel: its only adjustment is the
        // discount (3 % of 25,690 pages = 770).
        let f = Finding::Highest {
            task: TaskRef {
                pid: 1,
                name: "mysqld".into(),
                line: None,
            },
            points: 24920,
            measure: Measure::Pages {
                memory: 25690,
                rss: 25600,
                swap: 0,
                pgtables: 90,
                adj_points: -770,
                oom_score_adj: 0,
                root_discount: 770,
            },
        };
        let mut s = LogText::sentence(String::new());
        finding(&f, &mut s);
        assert_eq!(
            s.term(),
            "mysqld (pid 1) had the highest badness: 24,920 points — 25,690 from memory \
             (rss 25,600 + page tables 90 pages) and -770 from the root discount (3 % of a \
             root task's memory, kernels before 4.17)."
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(human_kb(980), "980 KiB");
        assert_eq!(human_kb(65536), "64.0 MiB");
        assert_eq!(human_kb(2_097_148), "2.0 GiB");
        assert_eq!(human_kb(131_072_000), "125 GiB");
        assert_eq!(group(12_345_678), "12,345,678");
        assert_eq!(group(-1234), "-1,234");
        assert_eq!(group(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(signed(5), "+5");
        assert_eq!(
            (ordinal(1), ordinal(12), ordinal(23), ordinal(111)),
            ("1st".into(), "12th".into(), "23rd".into(), "111th".into())
        );
        assert_eq!(pages_h(i64::MAX, 64), human_kb(u64::MAX));
    }
}

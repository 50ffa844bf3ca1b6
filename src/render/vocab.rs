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
use crate::analysis::{AllocationKind, Badness, MemoryUse};
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
                if *adj_points != 0 {
                    part.push_words(&format!(
                        " and {} from oom_score_adj={oom_score_adj}",
                        signed(*adj_points)
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

/// What filled memory, in a few sentences.
pub fn memory_summary(mu: &MemoryUse) -> LogText<'static> {
    let mut out = LogText::sentence("Memory cgroup ".into());
    let mut s = String::new();
    let total_h = mu.total_kb.map(human_kb);
    if mu.domain == "memcg" {
        match &mu.cgroup {
            Some(cg) => out.push_log(&cg.into()),
            None => out.push_words("(unnamed)"),
        }
        s.push(' ');
        match (total_h, mu.used_kb) {
            (Some(t), Some(u)) => {
                s.push_str(&format!("hit its {t} limit (usage {}", human_kb(u)));
                if let Some(f) = mu.failcnt {
                    s.push_str(&format!(", limit hit {} times", group(f as i64)));
                }
                s.push(')');
            }
            (None, Some(u)) => s.push_str(&format!("ran out of memory at {} usage", human_kb(u))),
            _ => s.push_str("ran out of memory"),
        }
    } else {
        out = LogText::sentence(String::new());
        s.push_str("The machine ran out of memory");
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
    if let Some(f) = &mu.free_but_failed {
        s.push_str(&format!(
            " Yet {:.0} % of RAM was free: this was not a full machine but an allocation the kernel could not satisfy",
            f.free_percent
        ));
        match f.cause {
            Some(AllocationKind::PageFault) => s.push_str(
                " (gfp_mask=0x0 comes from a page fault, e.g. one failed by a kernel-memory limit)",
            ),
            Some(AllocationKind::HigherOrder) => {
                s.push_str(" (a higher-order allocation: memory was fragmented)")
            }
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
        let of = if mu.domain == "memcg" { "limit" } else { "RAM" };
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

#[cfg(test)]
mod tests {
    use super::*;

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

//! Markdown for tickets (GitHub, GitLab, Jira): a summary table, then per event the
//! facts, the explanation, the ranking as a table, and the raw kernel lines in a
//! collapsible block. Every value from the log is a [`LogText`] written through
//! [`LogText::md`] (or [`LogText::code`] inside code spans and blocks).

use std::io::{self, Write};

use crate::event::Ending;
use crate::render::fit::{self, Cut};
use crate::render::overview::OverviewRow;
use crate::render::sanitize::LogText;
use crate::render::vocab::{self, group, human_kb, pages_h};
use crate::render::{
    RenderOptions, Renderer, event_time, evidence_note, kill_facts, shown_rows, stamp, top_counts,
    uptime_span,
};
use crate::report::{EventReport, Report};
use crate::text::LogString;

/// Markdown for tickets.
pub struct Markdown;

impl Renderer for Markdown {
    fn report(&self, r: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        report(r, opts, out)
    }

    fn event(&self, ev: &EventReport, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        event(ev, opts, out)
    }
}

/// Log text for Markdown text and table cells.
fn md(s: &LogString) -> String {
    LogText::from(s).md()
}

/// Words oomlens writes, escaped for Markdown all the same (`_` and the like).
fn md_words(s: &str) -> String {
    LogText::words(s).md()
}

/// Log text for inside a code span in a table cell.
fn code_cell(s: &LogString) -> String {
    LogText::from(s).code_cell()
}

/// The cells of an event's overview row, escaped for Markdown. A ticket wraps cells,
/// so only the long ones are cut, where their meaning survives: a host keeps its node
/// suffix, a cgroup its leaf.
fn overview_cells(row: &OverviewRow<'_>) -> [String; 6] {
    let cut = |t: &LogText, n: usize, how: Cut| LogText::sentence(fit::cut(&t.term(), n, how)).md();
    let killed = LogText::sentence(row.killed_cell(|n| n.term().into_owned()));
    let mut why = row.why.clone().unwrap_or_else(|| LogText::words("-"));
    if row.partial {
        why.push_words(" (partial)");
    }
    [
        row.id.to_string(),
        stamp(row.time, row.uptime_s, "%Y-%m-%d %H:%M:%S"),
        cut(
            row.host.as_ref().unwrap_or(&LogText::words("-")),
            40,
            Cut::Middle,
        ),
        cut(&killed, 40, Cut::Middle),
        cut(&row.place, 48, Cut::Start),
        why.md(),
    ]
}

/// Writes the whole report.
fn report(r: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut counted = super::Counting::new(out);
    let out = &mut counted;
    let budget = opts.max_chars.unwrap_or(BUDGET);
    let s = &r.summary;
    let title = match s.events {
        0 => "No OOM events".to_string(),
        1 => "1 OOM event".to_string(),
        n => format!("{n} OOM events"),
    };
    writeln!(out, "## OOM report: {title}\n")?;
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---|")?;
    let inputs: Vec<String> = s
        .inputs
        .iter()
        .take(6)
        .map(|i| format!("`{}`", code_cell(&i.path)))
        .collect();
    let more = if s.inputs.len() > 6 {
        format!(" and {} more", s.inputs.len() - 6)
    } else {
        String::new()
    };
    writeln!(out, "| Inputs | {}{more} |", inputs.join(", "))?;
    if let (Some(a), Some(b)) = (s.first, s.last) {
        writeln!(
            out,
            "| Time span | {} → {} |",
            a.format("%Y-%m-%d %H:%M:%S %:z"),
            b.format("%Y-%m-%d %H:%M:%S %:z")
        )?;
    } else if let (Some(a), Some(b)) = (s.first_uptime_s, s.last_uptime_s) {
        writeln!(out, "| Time span | {} |", uptime_span(a, b))?;
    }
    if s.zone_assumed_events > 0 {
        let t = vocab::zone_assumed(s.zone_assumed_events, s.events, s.assumed_offset);
        writeln!(out, "| Times | {t} |")?;
    }
    if let Some(t) = vocab::filter_line(&r.filter, s.filtered_out) {
        writeln!(out, "| Filters | {} |", LogText::words(&t).md())?;
    }
    writeln!(
        out,
        "| Kills | {} task{} ({} confirmed by `Killed process` lines); {} of {} report{} complete |",
        s.victims,
        if s.victims == 1 { "" } else { "s" },
        s.kills,
        s.complete_events,
        s.events,
        if s.events == 1 { "" } else { "s" }
    )?;
    let list = |v: &[crate::report::Counted], n: usize, kills: bool| {
        top_counts(v, n, kills, |t: &LogText| t.md())
    };
    if s.hosts.iter().any(|h| h.key != crate::report::UNNAMED_HOST) {
        writeln!(out, "| Hosts | {} |", list(&s.hosts, 5, false))?;
    }
    if !s.cgroups.is_empty() {
        writeln!(out, "| Cgroups | {} |", list(&s.cgroups, 5, false))?;
    }
    if !s.commands.is_empty() {
        writeln!(out, "| Victims | {} |", list(&s.commands, 8, true))?;
    }
    if s.killers.iter().any(|k| k.key != "kernel") {
        writeln!(out, "| Killers | {} |", list(&s.killers, 8, false))?;
    }
    let mut problems: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity >= crate::diag::Severity::Warning)
        .map(|d| LogText::sentence(d.to_string()).md())
        .collect();
    if problems.len() > super::table::PROBLEMS_LISTED {
        let more = vocab::more_problems(problems.len() - super::table::PROBLEMS_LISTED);
        problems.truncate(super::table::PROBLEMS_LISTED);
        problems.push(LogText::words(&more).md());
    }
    if !problems.is_empty() {
        writeln!(out, "| Problems | {} |", problems.join("<br>"))?;
    }
    if r.len() > 1 && !opts.summary_only {
        writeln!(out, "\n### Events\n")?;
        writeln!(out, "| # | Time | Host | Killed | Where | Why |")?;
        writeln!(out, "|---:|---|---|---|---|---|")?;
        // The table takes at most a third of the budget; the events past it still get
        // their section while the budget lasts.
        let (mut listed, room) = (0usize, budget / 3);
        super::first_events(
            r,
            OVERVIEW_ROWS,
            |ev, text| {
                let cells = overview_cells(&OverviewRow::of(ev));
                writeln!(text, "| {} |", cells.join(" | "))
            },
            |text| {
                if out.chars + super::chars(text) > room {
                    return Ok(());
                }
                listed += 1;
                out.write_all(text)
            },
        )?;
        if listed < r.len() {
            writeln!(out, "\n{}", md_words(&vocab::more_events(r.len() - listed)))?;
        }
    }
    if !s.offenders.is_empty() {
        writeln!(out, "\n### Killed more than once\n")?;
        writeln!(
            out,
            "| What | Kills | First | Last | RSS at each kill | Trend |"
        )?;
        writeln!(out, "|---|---:|---|---|---|---|")?;
        for o in s.offenders.iter().take(OFFENDER_ROWS) {
            let rss: Vec<String> = o.rss_kb.iter().take(8).map(|k| human_kb(*k)).collect();
            let more = if o.rss_kb.len() > 8 { " …" } else { "" };
            writeln!(
                out,
                "| {} | {} | {} | {} | {}{more} | {} |",
                super::offender_label(o, |x| format!("`{}`", code_cell(x))),
                o.kills,
                stamp(o.first, o.first_uptime_s, "%Y-%m-%d %H:%M"),
                stamp(o.last, o.last_uptime_s, "%Y-%m-%d %H:%M"),
                rss.join(" → "),
                vocab::trend_words(&o.trend, o.incidents)
            )?;
        }
        if let Some(more) = vocab::and_more(s.offenders.len(), OFFENDER_ROWS) {
            writeln!(out, "\n{more} (`--format json` lists them all)")?;
        }
    }
    if opts.summary_only {
        return Ok(());
    }
    // Within the budget, every section comes before any kernel lines: first measure
    // the sections (as many as could fit), then give what is left to their kernel
    // lines in order; a section whose lines do not fit says so.
    let section = |ev: &EventReport, text: &mut Vec<u8>| -> io::Result<()> {
        writeln!(text)?;
        event_head(ev, opts, text)?;
        text.push(MARK);
        raw_block(ev, text)
    };
    let split = |text: &[u8]| -> (usize, usize) {
        match text.iter().position(|b| *b == MARK) {
            Some(i) => (i, i + 1),
            None => (text.len(), text.len()),
        }
    };
    let avail = budget.saturating_sub(out.chars + TAIL);
    let mut sizes: Vec<(usize, usize)> = Vec::new();
    super::first_events(r, r.len().min(avail / MIN_SECTION + 1), section, |text| {
        let (h, w) = split(text);
        sizes.push((super::chars(&text[..h]), super::chars(&text[w..])));
        Ok(())
    })?;
    let (shown, whole) = super::plan_budget(&sizes, avail, NOTE);
    let trimmed = (0..shown).filter(|&i| !whole[i] && sizes[i].1 > 0).count();
    let mut i = 0;
    super::first_events(r, shown, section, |text| {
        let (h, w) = split(text);
        out.write_all(&text[..h])?;
        if whole[i] {
            out.write_all(&text[w..])?;
        } else if w < text.len() {
            writeln!(out, "_{}_", vocab::raw_left_out(budget))?;
        }
        i += 1;
        Ok(())
    })?;
    if trimmed > 0 || shown < r.len() {
        writeln!(
            out,
            "\n---\n\n_{}_",
            vocab::budget_note(trimmed, r.len() - shown, budget)
        )?;
    }
    Ok(())
}

/// GitHub's limit for an issue or comment body, in characters: the default budget
/// (`--max-chars` sets another, e.g. 32,000 for a Jira field).
pub const BUDGET: usize = 65_536;
/// Room kept for the closing note, and for the note of a section without its lines.
const TAIL: usize = 600;
const NOTE: usize = 200;
/// No event's section is shorter (its heading, facts table and cause): bounds how many
/// are measured.
const MIN_SECTION: usize = 200;
/// Separates an event's section from its raw block while rendering (never in text:
/// Markdown is UTF-8 and 0xFF is no UTF-8 byte).
const MARK: u8 = 0xFF;
/// Rows of the events table at most (the budget may stop it sooner).
const OVERVIEW_ROWS: usize = 2_000;

/// Rows of the repeat-offenders table.
const OFFENDER_ROWS: usize = 15;

/// An event's heading (`### Event N: {headline} · time · host`, `headline` already
/// escaped) and the head of its facts table.
fn section_open(ev: &EventReport, headline: &str, out: &mut dyn Write) -> io::Result<()> {
    let when = event_time(ev, "%Y-%m-%d %H:%M:%S %:z");
    let host = ev
        .event
        .host
        .as_ref()
        .map(|h| format!(" · {}", md(h)))
        .unwrap_or_default();
    writeln!(out, "### Event {}: {headline} · {when}{host}\n", ev.id)?;
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---|")
}

/// A userspace killer's kill (issue 17): its rows, no kernel report.
fn user_event(ev: &EventReport, out: &mut dyn Write) -> io::Result<()> {
    let e = &ev.event;
    let tag = format!("killed by {}", md_words(super::killer::user_tag(ev)));
    section_open(ev, &tag, out)?;
    for (label, text) in super::killer::user_rows(ev) {
        writeln!(out, "| {label} | {} |", text.md())?;
    }
    writeln!(
        out,
        "| Source | `{}` lines {}–{} |\n",
        code_cell(&e.source.path),
        e.source.first_line,
        e.source.last_line
    )
}

/// Writes one event (live mode): its section and its kernel lines.
fn event(ev: &EventReport, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    event_head(ev, opts, out)?;
    let mut raw = Vec::new();
    raw_block(ev, &mut raw)?;
    out.write_all(&raw)
}

/// Writes one event's section up to its kernel lines.
fn event_head(ev: &EventReport, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let e = &ev.event;
    if super::killer::is_user(ev) {
        return user_event(ev, out);
    }
    let victim = ev.event.victim();
    let headline = match victim {
        Some(v) => format!("{} (pid {}) killed", md(&v.comm), v.pid),
        None => match &e.ending {
            Some(Ending::NoKillableProcess) => "no killable process".into(),
            Some(Ending::Panic { .. }) => "kernel panic".into(),
            Some(Ending::VictimExiting { .. }) => "victim already exiting".into(),
            None => "victim not in the log".into(),
        },
    };
    section_open(ev, &headline, out)?;
    for k in &e.killed {
        let s = kill_facts(k, |t: &LogText| t.md());
        let how = evidence_note(k)
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        writeln!(out, "| Killed | {s}{how} |")?;
    }
    if let Some(m) = &e.memcg {
        if let Some(o) = &m.oom_memcg {
            writeln!(out, "| Cgroup (limit hit) | `{}` |", code_cell(o))?;
        }
        if let Some(t) = m
            .task_memcg
            .as_ref()
            .filter(|t| Some(*t) != m.oom_memcg.as_ref())
        {
            writeln!(out, "| Victim's cgroup | `{}` |", code_cell(t))?;
        }
    }
    if let Some(c) = &ev.analysis.container {
        writeln!(out, "| Owner | {} |", md(&c.label()))?;
    }
    if let Some(c) = &e.constraint {
        writeln!(out, "| Constraint | {} |", md(c))?;
    }
    if let Some(t) = &e.trigger {
        let mut s = match &t.comm {
            Some(c) => md(c),
            None => md_words("(unknown)"),
        };
        if let Some(pid) = t.pid {
            s.push_str(&format!(" (pid {pid})"));
        }
        if let Some(g) = super::gfp_facts(t, ev, md, md_words) {
            s.push_str(&format!(", {g}"));
        }
        if let Some(o) = t.order {
            s.push_str(&format!(", order {o}"));
        }
        writeln!(
            out,
            "| {} | {s} |",
            vocab::trigger_role(&ev.analysis.cause).0
        )?;
    }
    if let Some(k) = &e.kernel_version {
        writeln!(out, "| Kernel | {} |", md(k))?;
    }
    let src = format!(
        "`{}` lines {}–{}",
        code_cell(&e.source.path),
        e.source.first_line,
        e.source.last_line
    );
    if let Some(r) = &e.rebooted {
        writeln!(out, "| Reboot | {} |", vocab::rebooted(r))?;
    }
    for (label, text) in super::killer::kernel_rows(ev) {
        writeln!(out, "| {label} | {} |", text.md())?;
    }
    writeln!(out, "| Source | {src} |")?;
    writeln!(
        out,
        "| Complete | {} |",
        if e.complete { "yes" } else { "no" }
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "**Cause:** {}\n",
        vocab::cause_sentence(&ev.analysis.cause, e).md()
    )?;
    writeln!(out, "**Next steps:**\n")?;
    for (text, cmd) in super::next_steps(ev) {
        match cmd {
            Some(c) => writeln!(out, "- {} `{}`", md_words(&text), c.code_cell())?,
            None => writeln!(out, "- {}", md_words(&text))?,
        }
    }
    writeln!(out)?;
    if let Some(b) = &ev.analysis.badness {
        writeln!(out, "**Why this victim:** {}\n", vocab::explanation(b).md())?;
    }
    if let Some(m) = &ev.analysis.memory {
        writeln!(
            out,
            "**What filled memory:** {}\n",
            vocab::memory_summary(m, &ev.analysis.cause).md()
        )?;
        if let Some(d) = vocab::memcg_detail(&ev.analysis.cause) {
            writeln!(out, "{}\n", md_words(&d))?;
        }
        if !m.parts.is_empty() {
            writeln!(out, "| Part | Size | Share |")?;
            writeln!(out, "|---|---:|---:|")?;
            for p in &m.parts {
                writeln!(
                    out,
                    "| {} | {} | {:.1} % |",
                    p.name.replace('_', " "),
                    human_kb(p.kb),
                    p.percent
                )?;
            }
            writeln!(out)?;
        }
    }
    if let Some(b) = &ev.analysis.badness
        && !b.ranking.is_empty()
    {
        let victims: Vec<u32> = e.killed.iter().map(|k| k.pid).collect();
        let basis = match b.totalpages {
            Some(t) => format!(
                "totalpages {}{} ({})",
                group(t as i64),
                if b.totalpages_exact {
                    ""
                } else {
                    ", not exact"
                },
                md_words(&vocab::totalpages_basis(&b.totalpages_basis))
            ),
            None => md_words(&vocab::totalpages_basis(&b.totalpages_basis)),
        };
        writeln!(out, "**Rebuilt ranking** ({basis}):\n")?;
        writeln!(
            out,
            "| Rank | PID | Name | RSS | Swap | Page tables | oom\\_score\\_adj | Points | Score | |"
        )?;
        writeln!(out, "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")?;
        let page = b.page_size_kb;
        let rows = shown_rows(b, &victims, opts.top);
        for r in &rows {
            let mark = if victims.contains(&r.pid) {
                "**killed**".to_string()
            } else if b.selected_pid == Some(r.pid) {
                "selected".to_string()
            } else {
                r.exempt
                    .map(|x| md_words(vocab::exempt(x)))
                    .unwrap_or_default()
            };
            let mark = match (r.implausible, mark.is_empty()) {
                (false, _) => mark,
                (true, true) => "implausible".into(),
                (true, false) => format!("{mark}, implausible"),
            };
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.rank.map_or("-".into(), |x| x.to_string()),
                r.pid,
                md(&r.name),
                pages_h(r.rss_pages, page),
                pages_h(r.swap_pages, page),
                pages_h(r.pgtables_pages, page),
                r.oom_score_adj,
                r.points.map_or("-".into(), group),
                r.score.map_or("-".into(), |s| s.to_string()),
                mark
            )?;
        }
        if b.ranking.len() > rows.len() {
            writeln!(
                out,
                "\n{} more tasks not shown.",
                b.ranking.len() - rows.len()
            )?;
        }
        if let Some(k) = &b.kernel_score {
            writeln!(
                out,
                "\nKernel's printed score: {}",
                md_words(&vocab::score_note(k))
            )?;
        }
        writeln!(out)?;
    }
    let notes: Vec<&str> = e
        .notes
        .iter()
        .map(String::as_str)
        .chain(
            ev.analysis
                .badness
                .iter()
                .flat_map(|b| b.notes.iter().map(|n| vocab::note(*n))),
        )
        .collect();
    if !notes.is_empty() {
        writeln!(out, "**Notes:**\n")?;
        for n in notes {
            writeln!(out, "* {}", md_words(n))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The report's kernel lines as the log has them, in a collapsed code block whose
/// fence is longer than any run of backticks starting a line (so no line can close
/// it); only control and invisible characters are escaped.
fn raw_block(ev: &EventReport, out: &mut Vec<u8>) -> io::Result<()> {
    let raw = &ev.event.raw;
    if raw.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = raw
        .iter()
        .map(|l| LogText::from(l).term().into_owned())
        .collect();
    let longest = lines
        .iter()
        .map(|l| l.trim_start().chars().take_while(|c| *c == '`').count())
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    writeln!(
        out,
        "<details><summary>Kernel log of this report ({} lines)</summary>\n",
        raw.len()
    )?;
    writeln!(out, "{fence}text")?;
    for line in &lines {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{fence}\n\n</details>")
}

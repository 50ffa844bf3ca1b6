//! The terminal report: a one-screen summary of the scan, then per event when, where,
//! who was killed and why, what filled memory (with a small bar chart), and the top
//! of the rebuilt ranking as a table.

use std::io::{self, Write};

use rayon::prelude::*;

use anstyle::{AnsiColor, Style};

use crate::analysis::container::ContainerKind;
use crate::event::{Ending, Scope};
use crate::render::fit::{self, Cut, Step};
use crate::render::killer;
use crate::render::overview::OverviewRow;
use crate::render::sanitize::LogText;
use crate::render::vocab::{self, group, human_kb, pages_h};
use crate::render::{
    RenderOptions, Renderer, event_time, evidence_note, kill_facts, shown_rows, stamp, top_counts,
    uptime_span,
};
use crate::report::{EventReport, Report};
use crate::text::LogString;

/// How many problems (warnings and errors) the terminal report lists; the program
/// says on stderr how many more there are.
pub const PROBLEMS_LISTED: usize = 5;

/// The terminal report.
pub struct Table;

impl Renderer for Table {
    fn report(&self, r: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        report(r, opts, out)
    }

    fn event(&self, ev: &EventReport, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        event(ev, opts, out)
    }
}

/// Log text for the terminal.
fn term(s: &LogString) -> std::borrow::Cow<'_, str> {
    LogText::from(s).into_term()
}

const LABEL_WIDTH: usize = 10;

struct Paint {
    on: bool,
}

impl Paint {
    fn style(&self, s: Style, text: &str) -> String {
        if self.on {
            format!("{s}{text}{s:#}")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.style(Style::new().bold(), text)
    }
    fn label(&self, text: &str) -> String {
        let padded = format!("{text:<LABEL_WIDTH$}");
        self.style(
            Style::new().bold().fg_color(Some(AnsiColor::Cyan.into())),
            &padded,
        )
    }
    fn victim(&self, text: &str) -> String {
        self.style(
            Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            text,
        )
    }
    fn dim(&self, text: &str) -> String {
        self.style(Style::new().dimmed(), text)
    }
    fn warn(&self, text: &str) -> String {
        self.style(Style::new().fg_color(Some(AnsiColor::Yellow.into())), text)
    }
}

/// Writes the whole report.
fn report(r: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let p = Paint { on: opts.color };
    summary(r, &p, opts, out)?;
    if opts.summary_only {
        return aggregates(r, &p, opts, out);
    }
    if r.len() > 1 {
        writeln!(out)?;
        overview(r, &p, opts, out)?;
    }
    super::each_event(
        r,
        |ev, text| {
            writeln!(text)?;
            event_body(ev, &p, opts, text)
        },
        |text| out.write_all(text),
    )?;
    if r.len() > 1 && !r.summary.offenders.is_empty() {
        writeln!(out)?;
        offenders(r, &p, opts, out)?;
    }
    Ok(())
}

/// Writes one event (live mode).
fn event(ev: &EventReport, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let p = Paint { on: opts.color };
    event_body(ev, &p, opts, out)?;
    writeln!(out)
}

fn width(opts: &RenderOptions) -> usize {
    opts.width.unwrap_or(100).clamp(60, 160)
}

/// Wraps `text` after a label column.
fn field(
    out: &mut dyn Write,
    p: &Paint,
    label: &str,
    text: &str,
    opts: &RenderOptions,
) -> io::Result<()> {
    field_with(out, p, label, text, opts, &|s| s.to_string())
}

/// Like [`field`], painting each wrapped line with `paint` (after wrapping, so that
/// escape codes do not count as text).
fn field_with(
    out: &mut dyn Write,
    p: &Paint,
    label: &str,
    text: &str,
    opts: &RenderOptions,
    paint: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    let w = width(opts).saturating_sub(LABEL_WIDTH).max(30);
    // Most values are one short line: skip the wrapper (a tenth of a report's time).
    // No byte counts less than one column, so a line of at most `w` bytes fits; the
    // wrapper would keep it whole, trimming only trailing whitespace.
    let fits = !text.is_empty()
        && text.len() <= w
        && !text.contains('\n')
        && !text.starts_with(char::is_whitespace)
        && !text.ends_with(char::is_whitespace);
    let lines = if fits {
        vec![std::borrow::Cow::Borrowed(text)]
    } else {
        // Break only at spaces: a path, host or command is never split at `-` or `/`
        // (a copied path must work), and a word longer than the line stays whole.
        textwrap::wrap(
            text,
            textwrap::Options::new(w)
                .word_separator(textwrap::WordSeparator::AsciiSpace)
                .break_words(false)
                .word_splitter(textwrap::WordSplitter::NoHyphenation),
        )
    };
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            writeln!(out, "{}{}", p.label(label), paint(line))?;
        } else {
            writeln!(out, "{:LABEL_WIDTH$}{}", "", paint(line))?;
        }
    }
    if lines.is_empty() {
        writeln!(out, "{}", p.label(label))?;
    }
    Ok(())
}

fn summary(r: &Report, p: &Paint, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    let n = s.events;
    let inputs = s.inputs.len();
    let title = match n {
        0 => "No OOM events".to_string(),
        1 => "1 OOM event".to_string(),
        n => format!("{n} OOM events"),
    };
    let mut head = format!(
        "{title} in {inputs} input{}",
        if inputs == 1 { "" } else { "s" }
    );
    if let (Some(a), Some(b)) = (s.first, s.last) {
        if a == b {
            head.push_str(&format!(" · {}", a.format("%Y-%m-%d %H:%M:%S")));
        } else {
            head.push_str(&format!(
                " · {} → {}",
                a.format("%Y-%m-%d %H:%M:%S"),
                b.format("%Y-%m-%d %H:%M:%S")
            ));
        }
    } else if let (Some(a), Some(b)) = (s.first_uptime_s, s.last_uptime_s) {
        head.push_str(&format!(" · {}", uptime_span(a, b)));
    }
    writeln!(out, "{}", p.bold(&head))?;
    let lines: u64 = s.inputs.iter().map(|i| i.lines).sum();
    let bytes: u64 = s.inputs.iter().map(|i| i.bytes).sum();
    let names: Vec<String> = s
        .inputs
        .iter()
        .take(4)
        .map(|i| term(&i.path).into_owned())
        .collect();
    let more = if s.inputs.len() > 4 {
        format!(" and {} more", s.inputs.len() - 4)
    } else {
        String::new()
    };
    field(
        out,
        p,
        "Read",
        &format!(
            "{}{more} ({} lines, {})",
            names.join(", "),
            group(lines as i64),
            human_kb(bytes / 1024)
        ),
        opts,
    )?;
    if s.zone_assumed_events > 0 {
        let t = vocab::zone_assumed(s.zone_assumed_events, n, s.assumed_offset);
        field(out, p, "Times", &t, opts)?;
    }
    if let Some(t) = vocab::filter_line(&r.filter, s.filtered_out) {
        field(out, p, "Filters", &LogText::words(&t).term(), opts)?;
    }
    if n > 0 {
        field(
            out,
            p,
            "Kills",
            &format!(
                "{} task{} killed ({} confirmed by 'Killed process' lines); {} of {} reports complete",
                s.victims,
                if s.victims == 1 { "" } else { "s" },
                s.kills,
                s.complete_events,
                n
            ),
            opts,
        )?;
        let esc = |k: &LogText| k.term().into_owned();
        if s.hosts.iter().any(|h| h.key != crate::report::UNNAMED_HOST) {
            field(out, p, "Hosts", &top_counts(&s.hosts, 5, false, esc), opts)?;
        }
        field(
            out,
            p,
            "Cgroups",
            &top_counts(&s.cgroups, 3, false, esc),
            opts,
        )?;
        if !s.commands.is_empty() {
            field(
                out,
                p,
                "Victims",
                &top_counts(&s.commands, 5, true, esc),
                opts,
            )?;
        }
        if s.killers.iter().any(|k| k.key != "kernel") {
            field(
                out,
                p,
                "Killers",
                &top_counts(&s.killers, 8, false, esc),
                opts,
            )?;
        }
    }
    let problems: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity >= crate::diag::Severity::Warning)
        .map(|d| LogText::sentence(d.to_string()).term().into_owned())
        .collect();
    for d in problems.iter().take(PROBLEMS_LISTED) {
        field_with(out, p, "Problem", d, opts, &|l| p.warn(l))?;
    }
    if problems.len() > PROBLEMS_LISTED {
        let more = vocab::more_problems(problems.len() - PROBLEMS_LISTED);
        field_with(out, p, "", &more, opts, &|l| p.warn(l))?;
    }
    Ok(())
}

fn event_body(
    ev: &EventReport,
    p: &Paint,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let e = &ev.event;
    if killer::is_user(ev) {
        return user_body(ev, p, opts, out);
    }
    let mut tag = match vocab::cause_tag(&ev.analysis.cause) {
        Some(t) => t.to_string(),
        None => match e.scope {
            Some(Scope::Memcg) => "memory cgroup",
            Some(Scope::Global) => "whole machine",
            Some(Scope::Cpuset) => "cpuset",
            Some(Scope::Mempolicy) => "memory policy",
            None => "",
        }
        .to_string(),
    };
    if !e.complete {
        tag.push_str(if tag.is_empty() {
            "partial"
        } else {
            " · partial"
        });
    }
    heading(ev, &tag, p, opts, out)?;

    // Who was killed.
    let kills: Vec<String> = e
        .killed
        .iter()
        .map(|k| {
            let mut s = kill_facts(k, |c| c.term().into_owned());
            if let Some(note) = evidence_note(k) {
                s.push_str(&format!(" [{note}]"));
            }
            s
        })
        .collect();
    if kills.is_empty() {
        let why = match &e.ending {
            Some(Ending::NoKillableProcess) => "nothing: no killable process".to_string(),
            Some(Ending::Panic { text }) => {
                format!(
                    "nothing: the kernel panicked ({})",
                    LogText::from(text).trim_end().term()
                )
            }
            Some(Ending::VictimExiting { pid, comm }) => {
                format!("nothing: {} (pid {pid}) was already exiting", term(comm))
            }
            None => "not in the log".to_string(),
        };
        field(out, p, "Killed", &why, opts)?;
    } else {
        if let Some((first, rest)) = kills.split_first() {
            field_with(out, p, "Killed", first, opts, &|l| p.victim(l))?;
            for k in rest {
                field(out, p, "", k, opts)?;
            }
        }
    }

    // Where.
    let mut wh = Vec::new();
    if let Some(m) = &e.memcg {
        match (&m.oom_memcg, &m.task_memcg) {
            (Some(o), Some(t)) if o != t => {
                wh.push(format!("limit of {} hit; victim in {}", term(o), term(t)))
            }
            (Some(o), _) => wh.push(format!("cgroup {}", term(o))),
            (None, Some(t)) => wh.push(format!("victim's cgroup {}", term(t))),
            _ => {}
        }
    }
    if let Some(c) = &ev.analysis.container {
        // A cgroup with no known owner would only repeat the path shown just before.
        if c.owner.kind != ContainerKind::Other || wh.is_empty() {
            wh.push(term(&c.label()).into_owned());
        }
    }
    if let Some(c) = &e.constraint {
        wh.push(term(c).into_owned());
    }
    if !wh.is_empty() {
        field(out, p, "Where", &wh.join(" · "), opts)?;
    }
    if let Some(t) = &e.trigger {
        let mut s = String::new();
        match &t.comm {
            Some(c) => s.push_str(&term(c)),
            None => s.push_str("(unknown task)"),
        }
        if let Some(pid) = t.pid {
            s.push_str(&format!(" (pid {pid})"));
        }
        s.push_str(vocab::trigger_role(&ev.analysis.cause).1);
        if let Some(g) = super::gfp_facts(t, ev, |x| term(x).into_owned(), str::to_string) {
            s.push_str(&format!(" {g}"));
        }
        if let Some(o) = t.order {
            s.push_str(&format!(", order {o}"));
        }
        if let Some(k) = &e.kernel_version {
            s.push_str(&format!(" · kernel {}", term(k)));
        }
        field(out, p, "Trigger", &s, opts)?;
    }
    if let Some(b) = &ev.analysis.badness {
        field(out, p, "Why", &vocab::explanation(b).term(), opts)?;
    }
    field(
        out,
        p,
        "Cause",
        &vocab::cause_sentence(&ev.analysis.cause, e).term(),
        opts,
    )?;
    if let Some(m) = &ev.analysis.memory {
        field(
            out,
            p,
            "Memory",
            &vocab::memory_summary(m, &ev.analysis.cause).term(),
            opts,
        )?;
        bars(m, p, out)?;
    }
    if let Some(d) = vocab::memcg_detail(&ev.analysis.cause) {
        field(out, p, "", &d, opts)?;
    }
    for (i, (text, cmd)) in super::next_steps(ev).iter().enumerate() {
        field(out, p, if i == 0 { "Next" } else { "" }, text, opts)?;
        // A command is never wrapped: it must work when copied.
        if let Some(c) = cmd {
            writeln!(out, "{:LABEL_WIDTH$}  {}", "", c.term())?;
        }
    }
    if let Some(b) = &ev.analysis.badness
        && !b.ranking.is_empty()
    {
        let t = vocab::ranking_total(b);
        field(out, p, "Ranking", &LogText::words(&t).term(), opts)?;
        ranking(ev, b, opts, out)?;
        if let Some(k) = &b.kernel_score {
            field(out, p, "Score", &vocab::score_note(k), opts)?;
        }
    }
    for n in e.notes.iter().map(String::as_str).chain(
        ev.analysis
            .badness
            .iter()
            .flat_map(|b| b.notes.iter().map(|n| vocab::note(*n))),
    ) {
        field_with(out, p, "Note", &LogText::words(n).term(), opts, &|l| {
            p.dim(l)
        })?;
    }
    if let Some(r) = &e.rebooted {
        field(out, p, "Reboot", &vocab::rebooted(r), opts)?;
    }
    for (label, text) in killer::kernel_rows(ev) {
        field(out, p, label, &text.term(), opts)?;
    }
    source(ev, p, opts, out)
}

/// A userspace killer's kill (issue 17): its own rows, no kernel report.
fn user_body(
    ev: &EventReport,
    p: &Paint,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    heading(ev, killer::user_tag(ev), p, opts, out)?;
    for (i, (label, text)) in killer::user_rows(ev).into_iter().enumerate() {
        if i == 0 {
            field_with(out, p, label, &text.term(), opts, &|l| p.victim(l))?;
        } else {
            field(out, p, label, &text.term(), opts)?;
        }
    }
    source(ev, p, opts, out)
}

/// An event's heading rule: `── #id · time · host · tag ───…`.
fn heading(
    ev: &EventReport,
    tag: &str,
    p: &Paint,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut head = format!("#{} · {}", ev.id, event_time(ev, "%Y-%m-%d %H:%M:%S"));
    if let Some(h) = &ev.event.host {
        head.push_str(&format!(" · {}", term(h)));
    }
    if !tag.is_empty() {
        head.push_str(&format!(" · {tag}"));
    }
    let rule = "─".repeat(width(opts).saturating_sub(head.chars().count() + 4).max(3));
    writeln!(out, "{}", p.bold(&format!("── {head} {rule}")))
}

/// The event's place in the inputs.
fn source(
    ev: &EventReport,
    p: &Paint,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let e = &ev.event;
    // --raw: the report's lines as the log has them, unwrapped (only control and
    // invisible characters escaped).
    for (i, line) in e.raw.iter().enumerate() {
        let label = if i == 0 { "Raw" } else { "" };
        writeln!(out, "{}{}", p.label(label), p.dim(&term(line)))?;
    }
    let mut src = format!("{}:{}", term(&e.source.path), e.source.first_line);
    if e.source.last_line != e.source.first_line {
        src.push_str(&format!("-{}", e.source.last_line));
    }
    for a in &ev.also_in {
        src.push_str(&format!(" (also {}:{})", term(&a.path), a.first_line));
    }
    field_with(out, p, "Source", &src, opts, &|l| p.dim(l))
}

/// A bar per memory part, 30 cells wide, with eighth-block precision.
fn bars(m: &crate::analysis::MemoryUse, p: &Paint, out: &mut dyn Write) -> io::Result<()> {
    const CELLS: usize = 30;
    const PARTIAL: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    for part in m.parts.iter().filter(|x| x.percent >= 0.05).take(6) {
        let eighths = ((part.percent.min(100.0) / 100.0) * (CELLS * 8) as f64).round() as usize;
        let mut bar = "█".repeat(eighths / 8);
        bar.push_str(PARTIAL[eighths % 8]);
        if bar.is_empty() {
            bar.push('▏');
        }
        let name = part.name.replace('_', " ");
        let pad = CELLS + 1 - bar.chars().count();
        writeln!(
            out,
            "{:LABEL_WIDTH$}{name:<19}{}{:pad$}{:>5.1} %  {}",
            "",
            p.style(Style::new().fg_color(Some(AnsiColor::Blue.into())), &bar),
            "",
            part.percent,
            human_kb(part.kb)
        )?;
    }
    Ok(())
}

fn ranking(
    ev: &EventReport,
    b: &crate::analysis::Badness,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let page_kb = b.page_size_kb;
    let victims: Vec<u32> = ev.event.killed.iter().map(|k| k.pid).collect();
    let selected = b.selected_pid;
    let rows = shown_rows(b, &victims, opts.top);
    let mut cells = Vec::with_capacity(rows.len());
    for r in &rows {
        let mark = if victims.contains(&r.pid) {
            "◀ killed".to_string()
        } else if Some(r.pid) == selected {
            "◀ selected".to_string()
        } else if let Some(x) = r.exempt {
            let x = vocab::exempt(x);
            x.split(':').next().unwrap_or(x).to_string()
        } else {
            String::new()
        };
        let mark = implausible_mark(mark, r.implausible);
        cells.push(vec![
            r.rank.map_or("-".into(), |x| x.to_string()),
            r.pid.to_string(),
            term(&r.name).chars().take(24).collect(),
            pages_h(r.rss_pages, page_kb),
            pages_h(r.swap_pages, page_kb),
            pages_h(r.pgtables_pages, page_kb),
            r.oom_score_adj.to_string(),
            r.points.map_or("-".into(), group),
            r.score.map_or("-".into(), |s| s.to_string()),
            mark,
        ]);
    }
    let (table, dropped) = fit_ranking(&cells, table_width(opts));
    for line in table.lines() {
        writeln!(out, "{line}")?;
    }
    if !dropped.is_empty() {
        let note = vocab::columns_left_out(&dropped, "--format json has them");
        writeln!(out, "{note}")?;
    }
    let shown = rows.len();
    let total = b.ranking.len();
    if total > shown {
        let exempt = b.ranking.iter().filter(|r| r.rank.is_none()).count();
        writeln!(
            out,
            "{:LABEL_WIDTH$}… {} more task{} ({exempt} exempt in all); --top N shows more",
            "",
            total - shown,
            if total - shown == 1 { "" } else { "s" }
        )?;
    }
    Ok(())
}

/// One line per event: when, where, who, and the deciding factor.
fn overview(r: &Report, p: &Paint, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", p.bold("Events"))?;
    // The host column only earns its width when the scan holds several hosts.
    let hosts = r
        .summary
        .hosts
        .iter()
        .filter(|h| h.key != crate::report::UNNAMED_HOST)
        .count();
    // Rows are worked out in parallel (each event is read back and ranked), in order.
    // The table is built whole (its columns fit the widest row): bounded, so that a
    // scan of a million events does not hold a million rows.
    let shown = r.len().min(OVERVIEW_ROWS);
    let mut rows: Vec<Vec<String>> = (0..shown)
        .into_par_iter()
        .filter_map(|i| {
            r.event(i)
                .map(|ev| overview_cells(&OverviewRow::of(&ev)).to_vec())
        })
        .collect();
    if hosts <= 1 {
        for row in &mut rows {
            row.remove(2);
        }
    }
    let (table, dropped) = fit_events(&rows, hosts > 1, table_width(opts));
    writeln!(out, "{table}")?;
    if !dropped.is_empty() {
        let note = vocab::columns_left_out(&dropped, "each event below has it");
        writeln!(out, "{}", p.dim(&note))?;
    }
    if r.len() > shown {
        writeln!(out, "{}", vocab::more_events(r.len() - shown))?;
    }
    Ok(())
}

/// The events table at `width`. When it is too wide, in this order: the reason wraps
/// within 24 cells, times lose their year, hosts shorten from the middle (to 15),
/// cgroups from the start (to 20), then the reason column goes (each event's section
/// gives it), then victims shorten from the middle (to 16) and cgroups to 12.
fn fit_events(rows: &[Vec<String>], host: bool, width: usize) -> (String, Vec<&'static str>) {
    let mut cols = vec![
        fit::Column::new("#", Cut::End).right(),
        fit::Column::new("time", Cut::End).short(without_year),
        fit::Column::new("host", Cut::Middle),
        fit::Column::new("killed", Cut::Middle),
        fit::Column::new("where", Cut::Start),
        fit::Column::new("why", Cut::Wrap),
    ];
    if !host {
        cols.remove(2);
    }
    let at = |name: &str| cols.iter().position(|c| c.head == name);
    let (time, killed, place, why) = (
        at("time").unwrap_or(1),
        at("killed").unwrap_or(2),
        at("where").unwrap_or(3),
        at("why").unwrap_or(4),
    );
    let mut steps = vec![Step::Shrink(why, 24), Step::Short(time)];
    if let Some(h) = at("host") {
        steps.push(Step::Shrink(h, 15));
    }
    steps.extend([
        Step::Shrink(place, 20),
        Step::Drop(why),
        Step::Shrink(killed, 16),
        Step::Shrink(place, 12),
    ]);
    fit::fit(&cols, rows, width, &steps)
}

/// `2026-11-21 22:26:27` → `11-21 22:26:27` (uptime stamps stay).
fn without_year(s: &str) -> String {
    match s.as_bytes() {
        [a, b, c, d, b'-', ..] if [a, b, c, d].iter().all(|x| x.is_ascii_digit()) => {
            s[5..].to_string()
        }
        _ => s.to_string(),
    }
}

/// Width tables fit: the terminal's, or when not on one (a file, a pipe) a generous
/// bound so that a table of odd rows stays readable in a pager.
fn table_width(opts: &RenderOptions) -> usize {
    opts.width.unwrap_or(160).max(40)
}

/// The ranking table at `width`, indented under its label when that fits. Else, in
/// this order: the indent goes, then a swap column of only zeros, page tables, the
/// kernel's score (points stay), the mark shortens to `◀`, names shorten to 10, swap
/// goes.
fn fit_ranking(rows: &[Vec<String>], width: usize) -> (String, Vec<&'static str>) {
    let num = |h| fit::Column::new(h, Cut::End).right();
    let cols = [
        num("rank"),
        num("pid"),
        fit::Column::new("name", Cut::End),
        num("rss"),
        num("swap"),
        num("ptables"),
        num("adj"),
        num("points"),
        num("score"),
        fit::Column::new("", Cut::End)
            .short(|m| m.replace("◀ killed", "◀").replace("◀ selected", "◀ sel.")),
    ];
    let (whole, _) = fit::fit(&cols, rows, usize::MAX, &[]);
    let natural = whole.lines().map(fit::width_of).max().unwrap_or(0);
    if natural + LABEL_WIDTH <= width {
        let indented = whole
            .lines()
            .map(|l| format!("{:LABEL_WIDTH$}{l}", ""))
            .collect::<Vec<_>>()
            .join("\n");
        return (indented, Vec::new());
    }
    fit::fit(
        &cols,
        rows,
        width,
        &[
            Step::DropIfAll(4, "0 KiB"),
            Step::Drop(5),
            Step::Drop(8),
            Step::Short(9),
            Step::Shrink(2, 10),
            Step::Drop(4),
        ],
    )
}

/// Rows of the events table; the events past it still get their section below.
const OVERVIEW_ROWS: usize = 500;

/// The cells of an event's overview row, escaped for the terminal.
fn overview_cells(row: &OverviewRow<'_>) -> [String; 6] {
    let killed = row.killed_cell(|n| n.term().to_string());
    let mut why = row
        .why
        .as_ref()
        .map_or("-".to_string(), |w| w.term().into_owned());
    if row.partial {
        why.push_str(" (partial)");
    }
    [
        row.id.to_string(),
        stamp(row.time, row.uptime_s, "%Y-%m-%d %H:%M:%S"),
        row.host
            .as_ref()
            .map_or("-".into(), |h| h.term().into_owned()),
        killed,
        row.place.term().into_owned(),
        why,
    ]
}

/// The ranking's mark column with the implausible flag added.
fn implausible_mark(mark: String, implausible: bool) -> String {
    match (implausible, mark.is_empty()) {
        (false, _) => mark,
        (true, true) => "⚠ implausible".into(),
        (true, false) => format!("{mark} ⚠ implausible"),
    }
}

fn aggregates(r: &Report, p: &Paint, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    let width = table_width(opts);
    let section = |out: &mut dyn Write,
                   title: &str,
                   key: fit::Column,
                   rows: &[crate::report::Counted],
                   uncounted: crate::report::Uncounted|
     -> io::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        writeln!(out)?;
        writeln!(out, "{}", p.bold(title))?;
        let cells: Vec<Vec<String>> = rows
            .iter()
            .take(AGGREGATE_ROWS)
            .map(|c| {
                vec![
                    term(&c.key).into_owned(),
                    c.events.to_string(),
                    c.kills.to_string(),
                ]
            })
            .collect();
        let cols = [
            key,
            fit::Column::new("events", Cut::End).right(),
            fit::Column::new("kills", Cut::End).right(),
        ];
        // Only the key can shorten (from where its meaning survives).
        let (table, _) = fit::fit(&cols, &cells, width, &[Step::Shrink(0, 12)]);
        writeln!(out, "{table}")?;
        if let Some(more) = vocab::and_more(rows.len(), AGGREGATE_ROWS) {
            writeln!(out, "{more} (--format json lists them all)")?;
        }
        if uncounted.events > 0 {
            writeln!(out, "{}", vocab::uncounted(uncounted))?;
        }
        Ok(())
    };
    let o = &s.overflow;
    section(
        out,
        "Per host",
        fit::Column::new("host", Cut::Middle),
        &s.hosts,
        o.hosts,
    )?;
    section(
        out,
        "Per cgroup (the memcg whose limit was hit)",
        fit::Column::new("cgroup", Cut::Start),
        &s.cgroups,
        o.cgroups,
    )?;
    section(
        out,
        "Per command (victims)",
        fit::Column::new("command", Cut::End),
        &s.commands,
        o.commands,
    )?;
    section(
        out,
        "Per day",
        fit::Column::new("day", Cut::End),
        &s.days,
        o.days,
    )?;
    if !s.offenders.is_empty() {
        writeln!(out)?;
        offenders(r, p, opts, out)?;
    }
    Ok(())
}

/// Rows of each `--summary` table; the rest are counted under it.
const AGGREGATE_ROWS: usize = 20;
/// Rows of the repeat-offenders table.
const OFFENDER_ROWS: usize = 15;

fn offenders(r: &Report, p: &Paint, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", p.bold("Killed more than once"))?;
    let offenders = &r.summary.offenders;
    let rows: Vec<Vec<String>> = offenders
        .iter()
        .take(OFFENDER_ROWS)
        .map(|o| {
            // A size never breaks between number and unit (a no-break space).
            let rss: Vec<String> = o
                .rss_kb
                .iter()
                .take(8)
                .map(|k| human_kb(*k).replace(' ', "\u{a0}"))
                .collect();
            let more = if o.rss_kb.len() > 8 { " …" } else { "" };
            let what = super::offender_label(o, |x| term(x).into_owned());
            vec![
                what,
                o.kills.to_string(),
                stamp(o.first, o.first_uptime_s, "%Y-%m-%d %H:%M"),
                stamp(o.last, o.last_uptime_s, "%Y-%m-%d %H:%M"),
                format!("{}{more}", rss.join(" → ")),
                vocab::trend_words(&o.trend, o.incidents),
            ]
        })
        .collect();
    let cols = [
        fit::Column::new("what", Cut::Middle),
        fit::Column::new("kills", Cut::End).right(),
        fit::Column::new("first", Cut::End).short(without_year),
        fit::Column::new("last", Cut::End).short(without_year),
        fit::Column::new("rss at each kill", Cut::Wrap),
        fit::Column::new("trend", Cut::Wrap),
    ];
    // Too wide: the trend wraps within 20 cells, the memory series within 30, times
    // lose their year, the key shortens in the middle (to 24), the series wraps
    // within 16, the first kill's time goes, the trend wraps within 12, the key
    // shortens to 16.
    let steps = [
        Step::Shrink(5, 20),
        Step::Shrink(4, 30),
        Step::Short(2),
        Step::Short(3),
        Step::Shrink(0, 24),
        Step::Shrink(4, 16),
        Step::Drop(2),
        Step::Shrink(5, 12),
        Step::Shrink(0, 16),
    ];
    let (table, dropped) = fit::fit(&cols, &rows, table_width(opts), &steps);
    writeln!(out, "{table}")?;
    if !dropped.is_empty() {
        let note = vocab::columns_left_out(&dropped, "--format json has them");
        writeln!(out, "{}", p.dim(&note))?;
    }
    if let Some(more) = vocab::and_more(offenders.len(), OFFENDER_ROWS) {
        writeln!(out, "{more} (--format json lists them all)")?;
    }
    Ok(())
}

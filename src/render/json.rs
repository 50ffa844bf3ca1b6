//! JSON and NDJSON output: the documented contract (`docs/schema.json`).
//!
//! The view structs here fix the field names other tools rely on; the in-memory model
//! can change without changing them. Values the log does not state are `null`.

use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::badness::{Ranked, ScoreCheck};
use crate::analysis::cause::Cause;
use crate::analysis::memory::{Part, TaskShare};
use crate::analysis::{Badness, Container, MemoryUse};
use crate::event::{
    Ending, KernelChoice, Killed, MemInfo, OomSummary, Reaped, Scope, SourceSpan, TaskRow, Trigger,
};
use crate::render::sanitize::LogText;
use crate::render::{RenderOptions, Renderer, vocab};
use crate::report::{EventReport, Report, SCHEMA_VERSION};
use crate::text::LogString;

/// One JSON document.
pub struct Json;

impl Renderer for Json {
    fn report(&self, r: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        document(r, opts.summary_only, out)
    }

    fn event(&self, ev: &EventReport, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        event_line(ev, out)
    }
}

/// One event as the contract names it.
#[derive(Serialize)]
pub struct EventJson<'a> {
    id: usize,
    killer: crate::event::Killer,
    source: &'a SourceSpan,
    also_in: &'a [SourceSpan],
    host: Option<&'a LogString>,
    boot_id: Option<&'a LogString>,
    time: Option<String>,
    time_zone_assumed: bool,
    time_basis: Option<crate::record::TimeBasis>,
    /// The boot time `time` was derived from (only when it was).
    #[serde(skip_serializing_if = "Option::is_none")]
    boot_time: Option<&'a crate::record::clock::BootTime>,
    uptime_s: Option<f64>,
    kernel_version: Option<&'a LogString>,
    scope: Option<Scope>,
    constraint: Option<&'a LogString>,
    trigger: Option<&'a Trigger>,
    cpuset: Option<CpusetJson<'a>>,
    oom_kill: Option<&'a OomSummary>,
    memcg: Option<MemcgJson<'a>>,
    mem_info: Option<&'a MemInfo>,
    kernel_choice: Option<&'a KernelChoice>,
    killed: &'a [Killed],
    reaped: &'a [Reaped],
    group_kill: Option<&'a LogString>,
    task_columns: &'a [String],
    tasks: &'a [TaskRow],
    task_rows_unreadable: u32,
    trace: TraceJson<'a>,
    ending: Option<&'a Ending>,
    suppressed_before: Option<u64>,
    complete: bool,
    notes: &'a [String],
    badness: Option<BadnessJson<'a>>,
    memory: Option<MemoryJson<'a>>,
    container: Option<ContainerJson<'a>>,
    cause: CauseJson<'a>,
    next_steps: Vec<StepJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    userspace: Option<crate::render::killer::UserKillJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a crate::event::UnitFacts>,
    #[serde(skip_serializing_if = "<[crate::event::KillLink]>::is_empty")]
    attempts: &'a [crate::event::KillLink],
    #[serde(skip_serializing_if = "<[LogString]>::is_empty")]
    raw: &'a [LogString],
}

/// A next step: its kind and facts, its words, and the command to copy.
#[derive(Serialize)]
struct StepJson<'a> {
    #[serde(flatten)]
    step: StepKind<'a>,
    text: String,
    command: Option<LogText<'static>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum StepKind<'a> {
    /// The cause's own step (`"step": "cause"`).
    Cause {
        step: &'static str,
    },
    Fact(&'a crate::analysis::advice::NextStep),
}

/// The ranking with its words (`explanation`, `headline`) from the vocabulary.
#[derive(Serialize)]
struct BadnessJson<'a> {
    formula: String,
    totalpages: Option<u64>,
    totalpages_basis: String,
    totalpages_exact: bool,
    page_size_kb: u64,
    page_size_basis: &'a str,
    ranking: RankingJson<'a>,
    victim_rank: Option<u32>,
    selected_pid: Option<u32>,
    kernel_score: Option<ScoreJson>,
    order_depends_on_assumption: Option<bool>,
    explanation: LogText<'static>,
    headline: LogText<'static>,
    notes: Vec<&'static str>,
}

/// The ranking, row by row (no copy of the list).
struct RankingJson<'a>(&'a [Ranked]);

impl Serialize for RankingJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(RankedJson::new))
    }
}

/// A ranked task, its exemption in words.
#[derive(Serialize)]
struct RankedJson<'a> {
    pid: u32,
    name: &'a LogString,
    points: Option<i64>,
    score: Option<i64>,
    rank: Option<u32>,
    rss_pages: i64,
    swap_pages: i64,
    pgtables_pages: i64,
    oom_score_adj: i64,
    adj_points: i64,
    exempt: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    implausible: bool,
}

impl<'a> RankedJson<'a> {
    fn new(r: &'a Ranked) -> Self {
        RankedJson {
            pid: r.pid,
            name: &r.name,
            points: r.points,
            score: r.score,
            rank: r.rank,
            rss_pages: r.rss_pages,
            swap_pages: r.swap_pages,
            pgtables_pages: r.pgtables_pages,
            oom_score_adj: r.oom_score_adj,
            adj_points: r.adj_points,
            exempt: r.exempt.map(vocab::exempt),
            implausible: r.implausible,
        }
    }
}

impl<'a> BadnessJson<'a> {
    fn new(b: &'a Badness) -> Self {
        BadnessJson {
            formula: vocab::formula(&b.formula),
            totalpages: b.totalpages,
            totalpages_basis: vocab::totalpages_basis(&b.totalpages_basis),
            totalpages_exact: b.totalpages_exact,
            page_size_kb: b.page_size_kb,
            page_size_basis: &b.page_size_basis,
            ranking: RankingJson(&b.ranking),
            victim_rank: b.victim_rank,
            selected_pid: b.selected_pid,
            kernel_score: b.kernel_score.as_ref().map(ScoreJson::new),
            order_depends_on_assumption: b.order_depends_on_assumption,
            explanation: vocab::explanation(b),
            headline: vocab::headline(&b.decider),
            notes: b.notes.iter().map(|n| vocab::note(*n)).collect(),
        }
    }
}

/// The printed score check, with its `note` from the vocabulary.
#[derive(Serialize)]
struct ScoreJson {
    pid: u32,
    printed: u64,
    reconstructed: Option<i64>,
    matches: Option<bool>,
    note: String,
}

impl ScoreJson {
    fn new(k: &ScoreCheck) -> Self {
        ScoreJson {
            pid: k.pid,
            printed: k.printed,
            reconstructed: k.reconstructed,
            matches: k.matches,
            note: vocab::score_note(k),
        }
    }
}

/// What filled memory, with its `summary` sentence from the vocabulary.
#[derive(Serialize)]
struct MemoryJson<'a> {
    domain: &'a str,
    cgroup: Option<&'a LogString>,
    total_kb: Option<u64>,
    used_kb: Option<u64>,
    failcnt: Option<u64>,
    swap_used_kb: Option<u64>,
    swap_total_kb: Option<u64>,
    parts: &'a [Part],
    largest_tasks: &'a [TaskShare],
    summary: LogText<'static>,
    /// Memcg OOMs: what the dashboards showed, what a kill cannot free, what reclaim
    /// should have freed.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

/// The cause with its sentence (`explanation`) from the vocabulary.
#[derive(Serialize)]
struct CauseJson<'a> {
    #[serde(flatten)]
    cause: &'a Cause,
    explanation: LogText<'static>,
}

impl<'a> MemoryJson<'a> {
    fn new(m: &'a MemoryUse, cause: &Cause) -> Self {
        MemoryJson {
            domain: &m.domain,
            cgroup: m.cgroup.as_ref(),
            total_kb: m.total_kb,
            used_kb: m.used_kb,
            failcnt: m.failcnt,
            swap_used_kb: m.swap_used_kb,
            swap_total_kb: m.swap_total_kb,
            parts: &m.parts,
            largest_tasks: &m.largest_tasks,
            summary: vocab::memory_summary(m, cause),
            detail: vocab::memcg_detail(cause),
        }
    }
}

#[derive(Serialize)]
struct CpusetJson<'a> {
    name: &'a LogString,
    mems_allowed: &'a LogString,
}

#[derive(Serialize)]
struct TraceJson<'a> {
    frames: u32,
    hints: &'a [String],
}

#[derive(Serialize)]
struct ContainerJson<'a> {
    cgroup: &'a LogString,
    label: LogString,
    #[serde(flatten)]
    owner: &'a Container,
}

#[derive(Serialize)]
struct MemcgJson<'a> {
    oom_memcg: Option<&'a LogString>,
    task_memcg: Option<&'a LogString>,
    usage_kb: Option<u64>,
    limit_kb: Option<u64>,
    failcnt: Option<u64>,
    swap_usage_kb: Option<u64>,
    swap_limit_kb: Option<u64>,
    memsw_usage_kb: Option<u64>,
    memsw_limit_kb: Option<u64>,
    memsw_failcnt: Option<u64>,
    kmem_usage_kb: Option<u64>,
    stats: &'a std::collections::BTreeMap<String, u64>,
    stats_path: Option<&'a LogString>,
    subtree_stats: Vec<SubtreeJson<'a>>,
}

#[derive(Serialize)]
struct SubtreeJson<'a> {
    path: &'a LogString,
    stats: &'a std::collections::BTreeMap<String, u64>,
}

impl<'a> EventJson<'a> {
    /// The contract view of one event.
    pub fn new(r: &'a EventReport) -> Self {
        let ev = &r.event;
        EventJson {
            id: r.id,
            killer: ev.killer,
            source: &ev.source,
            also_in: &r.also_in,
            host: ev.host.as_ref(),
            boot_id: ev.boot_id.as_ref(),
            time: r
                .time
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)),
            time_zone_assumed: r.time_zone_assumed,
            time_basis: ev.time_basis,
            boot_time: ev.boot_time.as_ref(),
            uptime_s: r.uptime_s(),
            kernel_version: ev.kernel_version.as_ref(),
            scope: ev.scope,
            constraint: ev.constraint.as_ref(),
            trigger: ev.trigger.as_ref(),
            cpuset: ev.cpuset.as_ref().map(|(name, mems)| CpusetJson {
                name,
                mems_allowed: mems,
            }),
            oom_kill: ev.summary.as_ref(),
            memcg: ev.memcg.as_ref().map(|m| MemcgJson {
                oom_memcg: m.oom_memcg.as_ref(),
                task_memcg: m.task_memcg.as_ref(),
                usage_kb: m.usage_kb,
                limit_kb: m.limit_kb,
                failcnt: m.failcnt,
                swap_usage_kb: m.swap_usage_kb,
                swap_limit_kb: m.swap_limit_kb,
                memsw_usage_kb: m.memsw_usage_kb,
                memsw_limit_kb: m.memsw_limit_kb,
                memsw_failcnt: m.memsw_failcnt,
                kmem_usage_kb: m.kmem_usage_kb,
                stats: &m.stats,
                stats_path: m.stats_path.as_ref(),
                subtree_stats: m
                    .subtree_stats
                    .iter()
                    .map(|(path, stats)| SubtreeJson { path, stats })
                    .collect(),
            }),
            mem_info: ev.mem_info.as_ref(),
            kernel_choice: ev.kernel_choice.as_ref(),
            killed: &ev.killed,
            reaped: &ev.reaped,
            group_kill: ev.group_kill.as_ref(),
            task_columns: &ev.tasks.columns,
            tasks: &ev.tasks.rows,
            task_rows_unreadable: ev.tasks.bad_rows,
            trace: TraceJson {
                frames: ev.trace_frames,
                hints: &ev.trace_hints,
            },
            ending: ev.ending.as_ref(),
            suppressed_before: ev.suppressed_before,
            complete: ev.complete,
            notes: &ev.notes,
            badness: r.analysis.badness.as_ref().map(BadnessJson::new),
            memory: r
                .analysis
                .memory
                .as_ref()
                .map(|m| MemoryJson::new(m, &r.analysis.cause)),
            container: r.analysis.container.as_ref().map(|c| ContainerJson {
                cgroup: &c.cgroup,
                label: c.label(),
                owner: &c.owner,
            }),
            cause: CauseJson {
                cause: &r.analysis.cause,
                explanation: vocab::cause_sentence(&r.analysis.cause, ev),
            },
            next_steps: {
                let facts = r.analysis.next_steps.iter().map(StepKind::Fact);
                // Zipped with the words: none for a userspace killer's kill.
                std::iter::once(StepKind::Cause { step: "cause" })
                    .chain(facts)
                    .zip(super::next_steps(r))
                    .map(|(step, (text, command))| StepJson {
                        step,
                        text,
                        command,
                    })
                    .collect()
            },
            userspace: crate::render::killer::UserKillJson::of(r),
            unit: ev.unit.as_deref(),
            attempts: &ev.attempts,
            raw: &ev.raw,
        }
    }
}

/// Writes the report as one pretty-printed JSON document, one event at a time; with
/// `summary_only`, the events list stays empty (nothing is analysed for it).
pub(crate) fn document(report: &Report, summary_only: bool, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"events\": ["
    )?;
    if !summary_only {
        let mut first = true;
        super::each_event(
            report,
            |r, text| indented(&EventJson::new(r), 4, text),
            |text| {
                if !std::mem::take(&mut first) {
                    out.write_all(b",\n")?;
                }
                out.write_all(text)
            },
        )?;
    }
    out.write_all(b"\n  ],\n  \"diagnostics\": ")?;
    indented(&report.diagnostics, 2, out)?;
    out.write_all(b",\n  \"summary\": ")?;
    indented(&report.summary, 2, out)?;
    out.write_all(b"\n}\n")
}

/// Pretty JSON of `v`, every line but the first indented by `n` spaces (the first by
/// `n` too when `n` is 4: array items start on their own line). JSON strings hold no
/// `\n` (they are escaped), so every `\n` ends a line.
fn indented<T: Serialize + ?Sized>(v: &T, n: usize, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_vec_pretty(v).map_err(io::Error::from)?;
    let pad = " ".repeat(n);
    if n == 4 {
        out.write_all(pad.as_bytes())?;
    }
    let mut from = 0;
    for nl in memchr::memchr_iter(b'\n', &text) {
        out.write_all(&text[from..=nl])?;
        out.write_all(pad.as_bytes())?;
        from = nl + 1;
    }
    out.write_all(&text[from..])
}

/// Writes one event as a single JSON line.
pub(crate) fn event_line(r: &EventReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &EventJson::new(r)).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

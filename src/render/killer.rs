//! Who killed it (issue 17): the rows every format shows for a userspace killer's kill
//! and for the service manager's side of a kernel kill, as neutral (label, text)
//! pairs each renderer writes through its own escaper; and the JSON view of a
//! userspace kill with its words.

use serde::Serialize;

use crate::event::{Decision, MemStatus, UserKill, UserTask};
use crate::render::sanitize::LogText;
use crate::render::vocab;
use crate::report::EventReport;
use crate::text::LogString;

/// One labelled row of an event.
pub type Row = (&'static str, LogText<'static>);

/// Whether the event is a userspace killer's (or a kernel kill known only from a
/// service manager): it is shown by [`user_rows`], not as a kernel report.
pub fn is_user(ev: &EventReport) -> bool {
    ev.event.userspace.is_some()
}

/// The head of a userspace event (after its time and host): who killed.
pub fn user_tag(ev: &EventReport) -> &'static str {
    let e = &ev.event;
    match e.userspace.as_ref().and_then(|u| u.reporter) {
        Some(crate::event::Reporter::Systemd) => return "kernel OOM killer, reported by systemd",
        Some(crate::event::Reporter::Kubelet) => {
            return "kernel OOM killer, reported by the kubelet";
        }
        Some(crate::event::Reporter::Docker) => return "kernel OOM killer, reported by Docker",
        Some(crate::event::Reporter::Tracer) => return "kernel OOM killer, reported by a tracer",
        None => {}
    }
    vocab::killer_name(e.killer)
}

/// The rows of a userspace event, in order: what was killed, by whom and by what rule,
/// why this one, memory, what followed, systemd's unit lines.
pub fn user_rows(ev: &EventReport) -> Vec<Row> {
    let e = &ev.event;
    let Some(u) = e.userspace.as_deref() else {
        return Vec::new();
    };
    let mut rows: Vec<Row> = vec![("Killed", vocab::user_killed(e.killer, u))];
    if let Some(r) = &u.repeated {
        // The report aggregates repeats (`kubectl describe`'s `x4 over 25m`): one event
        // here, as many kills as the count.
        let mut s = LogText::sentence("the report counts it ".into());
        s.push_log(&LogText::from(r));
        s.push_words(": that many kills, shown as one event");
        rows.push(("Repeated", s));
    }
    if let Some(d) = &u.decision {
        rows.push(("Rule", vocab::user_rule(d)));
    }
    rows.push(("Why", vocab::user_why(e.killer, u, e.unit.as_deref())));
    if let Some(m) = &u.memory {
        rows.push(("Memory", LogText::sentence(vocab::user_memory(m))));
    }
    if let Some(o) = vocab::user_outcome(u) {
        rows.push(("After", LogText::sentence(o)));
    }
    if let Some(f) = &e.unit {
        rows.push(("Unit", vocab::unit_facts(f)));
    }
    rows
}

/// The rows a kernel event gains from other programs' lines: systemd's unit lines
/// about the kill, and userspace killers' attempts on the victim before it.
pub fn kernel_rows(ev: &EventReport) -> Vec<Row> {
    let e = &ev.event;
    let mut rows = Vec::new();
    if e.userspace.is_some() {
        return rows;
    }
    if let Some(f) = &e.unit {
        rows.push(("Unit", vocab::unit_facts(f)));
    }
    if !e.attempts.is_empty() {
        rows.push(("Before", vocab::attempts(&e.attempts)));
    }
    rows
}

/// The JSON view of a userspace kill: its facts, and the words of `why`.
#[derive(Serialize)]
pub struct UserKillJson<'a> {
    pid: Option<u32>,
    comm: Option<&'a LogString>,
    uid: Option<u32>,
    target: Option<&'a LogString>,
    tasks: &'a [UserTask],
    count: Option<u64>,
    signal: Option<&'a LogString>,
    decision: Option<&'a Decision>,
    badness: Option<i64>,
    oom_score_adj: Option<i32>,
    rss_kb: Option<u64>,
    swap_kb: Option<u64>,
    memory: Option<&'a MemStatus>,
    exited_after_s: Option<f64>,
    escalated_after_s: Option<f64>,
    did_not_exit: bool,
    failed: Option<&'a LogString>,
    cut: bool,
    lines: &'a [u64],
    kernel_kill_line: Option<u64>,
    reporter: Option<crate::event::Reporter>,
    kernel_involved: bool,
    why: LogText<'static>,
    headline: LogText<'static>,
}

impl<'a> UserKillJson<'a> {
    /// The view of `r`'s userspace kill, if it has one.
    pub fn of(r: &'a EventReport) -> Option<Self> {
        let e = &r.event;
        let u: &UserKill = e.userspace.as_deref()?;
        Some(UserKillJson {
            pid: u.pid,
            comm: u.comm.as_ref(),
            uid: u.uid,
            target: u.target.as_ref(),
            tasks: &u.tasks,
            count: u.count,
            signal: u.signal.as_ref(),
            decision: u.decision.as_ref(),
            badness: u.badness,
            oom_score_adj: u.oom_score_adj,
            rss_kb: u.rss_kb,
            swap_kb: u.swap_kb,
            memory: u.memory.as_ref(),
            exited_after_s: u.exited_after_s,
            escalated_after_s: u.escalated_after_s,
            did_not_exit: u.did_not_exit,
            failed: u.failed.as_ref(),
            cut: u.cut,
            lines: &u.lines,
            kernel_kill_line: u.kernel_kill_line,
            reporter: u.reporter,
            kernel_involved: e.killer.is_kernel() || u.kernel_kill_line.is_some(),
            why: vocab::user_why(e.killer, u, e.unit.as_deref()),
            headline: vocab::user_headline(e.killer, u),
        })
    }
}

//! The overview of a report, one row per event, as neutral facts (typed values, log
//! text still unescaped) that the terminal and Markdown renderers each format: when,
//! where, who was killed, and the deciding factor.

use chrono::{DateTime, FixedOffset};

use crate::analysis::ContainerKind as K;
use crate::analysis::cause::{CauseKind, CauseScope, LimitLevel};
use crate::event::{Evidence, Scope};
use crate::render::sanitize::LogText;
use crate::render::vocab;
use crate::report::EventReport;

/// One event's overview row.
#[derive(Debug, Clone)]
pub struct OverviewRow<'a> {
    /// Event number.
    pub id: usize,
    /// Wall time, when the log has one.
    pub time: Option<DateTime<FixedOffset>>,
    /// Seconds after boot.
    pub uptime_s: Option<f64>,
    /// Host.
    pub host: Option<LogText<'a>>,
    /// The victim, its pid, and how many more tasks were killed with it.
    pub killed: Option<(LogText<'a>, u32, usize)>,
    /// Where, briefly (the machine, or the cgroup's owner).
    pub place: LogText<'static>,
    /// The deciding factor, in words.
    pub why: Option<LogText<'static>>,
    /// The report is incomplete.
    pub partial: bool,
}

impl<'a> OverviewRow<'a> {
    /// The killed cell: `name (pid)`, `+N` for more tasks killed with it, or `-`; the
    /// name escaped for the output by `esc`.
    pub fn killed_cell(&self, esc: impl Fn(&LogText<'a>) -> String) -> String {
        match &self.killed {
            Some((name, pid, more)) => {
                let more = if *more > 0 {
                    format!(" +{more}")
                } else {
                    String::new()
                };
                format!("{} ({pid}){more}", esc(name))
            }
            None => "-".into(),
        }
    }

    /// The row of `ev`.
    pub fn of(ev: &'a EventReport) -> Self {
        let e = &ev.event;
        if let Some(u) = &e.userspace {
            return Self::of_user(ev, u);
        }
        OverviewRow {
            id: ev.id,
            time: ev.time,
            uptime_s: ev.uptime_s(),
            host: e.host.as_ref().map(LogText::from),
            killed: e.victim().map(|v| {
                let more = e
                    .killed
                    .iter()
                    .filter(|k| k.evidence != Evidence::SharedMm)
                    .count()
                    .saturating_sub(1);
                (LogText::from(&v.comm), v.pid, more)
            }),
            place: place(ev),
            why: ev
                .analysis
                .badness
                .as_ref()
                .map(|b| vocab::headline(&b.decider)),
            partial: !e.complete,
        }
    }
}

impl<'a> OverviewRow<'a> {
    /// The row of a userspace killer's kill: its victim, what it killed, by whom.
    fn of_user(ev: &'a EventReport, u: &'a crate::event::UserKill) -> Self {
        let e = &ev.event;
        let place = match (&u.target, &e.unit) {
            (_, Some(f)) => LogText::from(&f.unit).into_owned(),
            // The last part of a cgroup path names it; the rest is in the event.
            (Some(t), None) => LogText::from(t).last_part('/').into_owned(),
            (None, None) => LogText::words("-"),
        };
        OverviewRow {
            id: ev.id,
            time: ev.time,
            uptime_s: ev.uptime_s(),
            host: e.host.as_ref().map(LogText::from),
            killed: u
                .comm
                .as_ref()
                .zip(u.pid)
                .map(|(c, p)| (LogText::from(c), p, 0)),
            place,
            why: Some(vocab::user_headline(e.killer, u)),
            partial: !e.complete,
        }
    }
}

/// Where the OOM happened, briefly: the machine, or the cgroup's owner.
fn place(ev: &EventReport) -> LogText<'static> {
    let e = &ev.event;
    let owner = ev.analysis.container.as_ref().and_then(|co| {
        let c = &co.owner;
        match c.kind {
            K::KubernetesContainer | K::KubernetesPod => {
                let mut s = LogText::sentence(String::new());
                if let Some(u) = &c.pod_uid {
                    s.push_words("pod ");
                    s.push_log(&LogText::from(u).head(8));
                    s.push_words("…");
                }
                if let Some(id) = &c.container_id {
                    s.push_words(" ctr ");
                    s.push_log(&LogText::from(id).head(12));
                }
                Some(s)
            }
            K::Root | K::Other => None,
            _ => Some(LogText::from(&co.label()).into_owned()),
        }
    });
    let cgroup = e.memcg.as_ref().and_then(|m| m.oom_memcg.as_ref());
    // Where it ran out, when that is not the machine or the cgroup: the cause's tag.
    let c = &ev.analysis.cause;
    if matches!(
        c.kind,
        CauseKind::NumaNodes | CauseKind::Zone | CauseKind::Fragmentation | CauseKind::Manual
    ) && let Some(tag) = vocab::cause_tag(c)
    {
        let mut s = LogText::sentence(tag.to_string());
        if let Some(o) = owner {
            s.push_words("; victim in ");
            s.push_log(&o);
        }
        return s;
    }
    if c.kind == CauseKind::MemcgLimit
        && let CauseScope::Memcg {
            level: Some(LimitLevel::NodeAllocatable),
            ..
        } = c.scope
    {
        let mut s = LogText::sentence("node over-commit".into());
        if let Some(o) = owner {
            s.push_words("; victim in ");
            s.push_log(&o);
        }
        return s;
    }
    match (e.scope, owner, cgroup) {
        (Some(Scope::Global), Some(o), _) => {
            let mut s = LogText::sentence("machine; victim in ".into());
            s.push_log(&o);
            s
        }
        (Some(Scope::Global), None, _) => LogText::words("whole machine"),
        (_, Some(o), _) => o,
        (_, None, Some(cg)) => {
            let mut s = LogText::sentence("cgroup ".into());
            s.push_log(&cg.into());
            s
        }
        (Some(Scope::Memcg), None, None) => LogText::words("memory cgroup"),
        _ => LogText::words("-"),
    }
}

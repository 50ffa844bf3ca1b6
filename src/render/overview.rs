//! The overview of a report, one row per event, as neutral facts (typed values, log
//! text still unescaped) that the terminal and Markdown renderers each format: when,
//! where, who was killed, and the deciding factor.

use chrono::{DateTime, FixedOffset};

use crate::analysis::ContainerKind as K;
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
    /// The row of `ev`.
    pub fn of(ev: &'a EventReport) -> Self {
        let e = &ev.event;
        OverviewRow {
            id: ev.id,
            time: ev.time,
            uptime_s: ev.uptime_s(),
            host: e.host.as_deref().map(LogText::new),
            killed: e.victim().map(|v| {
                let more = e
                    .killed
                    .iter()
                    .filter(|k| k.evidence != Evidence::SharedMm)
                    .count()
                    .saturating_sub(1);
                (LogText::new(&v.comm), v.pid, more)
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

/// Where the OOM happened, briefly: the machine, or the cgroup's owner.
fn place(ev: &EventReport) -> LogText<'static> {
    let e = &ev.event;
    let owner = ev.analysis.container.as_ref().and_then(|co| {
        let c = &co.owner;
        match c.kind {
            K::KubernetesContainer | K::KubernetesPod => {
                let pod = c
                    .pod_uid
                    .as_deref()
                    .map_or(String::new(), |u| format!("pod {}…", head(u, 8)));
                let ctr = c
                    .container_id
                    .as_deref()
                    .map_or(String::new(), |id| format!(" ctr {}", head(id, 12)));
                Some(format!("{pod}{ctr}"))
            }
            K::Root | K::Other => None,
            _ => Some(co.label()),
        }
    });
    let cgroup = e.memcg.as_ref().and_then(|m| m.oom_memcg.as_deref());
    LogText::owned(match (e.scope, owner, cgroup) {
        (Some(Scope::Global), Some(o), _) => format!("machine; victim in {o}"),
        (Some(Scope::Global), None, _) => "whole machine".into(),
        (_, Some(o), _) => o,
        (_, None, Some(cg)) => format!("cgroup {cg}"),
        (Some(Scope::Memcg), None, None) => "memory cgroup".into(),
        _ => "-".into(),
    })
}

/// The first `n` bytes of an id (ids are ASCII; a non-ASCII one is cut at a character
/// boundary, never inside one).
fn head(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Cuts `s` to `n` characters with an ellipsis.
pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_cut_at_character_boundaries() {
        assert_eq!(head("0123456789", 8), "01234567");
        assert_eq!(head("abcdefgé", 8), "abcdefg");
        assert_eq!(head("ab", 8), "ab");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}

//! Analysis: why the victim was chosen (the kernel's badness ranking), what filled
//! memory, and whose memory it was (container, pod, service).

pub mod advice;
pub mod badness;
pub mod cause;
pub mod container;
pub mod gfp;
pub mod kernel;
pub mod memory;

use serde::{Deserialize, Serialize};

use crate::event::{BootEvidence, OomEvent};
use crate::text::LogString;

pub use badness::{Badness, BadnessContext, Decider, Factor, Finding};
pub use container::{Container, ContainerKind};
pub use memory::{AllocationKind, FreeButFailed, MemoryUse};

/// Everything oomlens works out about one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Analysis {
    /// The rebuilt ranking and the explanation of the choice.
    pub badness: Option<Badness>,
    /// What filled memory.
    pub memory: Option<MemoryUse>,
    /// Whose memory: the owner of the victim's cgroup (or of the OOM cgroup).
    pub container: Option<CgroupOwner>,
    /// Why the kernel had to kill.
    pub cause: cause::Cause,
    /// What to do next beyond the cause's own step (what kills could not free, whose
    /// memory it was and how to look it up).
    pub next_steps: Vec<advice::NextStep>,
}

/// A cgroup path and what it says about its owner (container, pod, service).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CgroupOwner {
    /// The path, as the log gives it.
    pub cgroup: LogString,
    /// What the path decodes to.
    pub owner: Container,
}

impl CgroupOwner {
    /// A short name for the owner (see [`Container::label`]).
    pub fn label(&self) -> LogString {
        self.owner.label(self.cgroup.as_log_str())
    }
}

/// Analyses one event. `evidence` is what the same host's logs say per boot; `earlier`
/// are events of the same host that came shortly before (their victims are not
/// eligible any more).
pub fn analyse(ev: &OomEvent, evidence: &[BootEvidence], earlier_victims: Vec<u32>) -> Analysis {
    let boot = evidence
        .iter()
        .find(|b| b.input == ev.source.path && b.host == ev.host && b.boot_seq == ev.boot_seq);
    // Other boots of the same host; a log that names no host is only its own input.
    let other_boots = evidence
        .iter()
        .filter(|b| {
            let same_host = match (&b.host, &ev.host) {
                (Some(a), Some(h)) => a == h,
                (None, None) => b.input == ev.source.path,
                _ => false,
            };
            same_host && !(b.input == ev.source.path && b.boot_seq == ev.boot_seq)
        })
        .collect();
    let path = ev.memcg.as_ref().and_then(|m| {
        m.task_memcg
            .clone()
            .or_else(|| m.oom_memcg.clone())
            .or_else(|| m.stats_path.clone())
    });
    let container = path.map(|cgroup| CgroupOwner {
        owner: container::decode(cgroup.as_log_str()),
        cgroup,
    });
    let containerized = container
        .as_ref()
        .is_some_and(|c| c.owner.kind.is_container());
    let ctx = BadnessContext {
        boot,
        other_boots,
        earlier_victims,
        containerized,
    };
    // What filled memory is told for the domain the cause says ran out.
    let cause = cause::analyse(ev);
    let memory = memory::analyse(ev, &cause);
    let next_steps = advice::next_steps(&cause, memory.as_ref(), container.as_ref());
    Analysis {
        badness: badness::analyse(ev, &ctx),
        memory,
        container,
        cause,
        next_steps,
    }
}

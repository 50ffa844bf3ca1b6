//! What to do next about one event, beyond the step its cause calls for: what kills
//! could not free (shmem/tmpfs, unreclaimable slab), page cache that reclaim had to wait
//! for (dirty, under writeback), and how to look up the owner (pod, container, unit).
//! Only steps the event's facts support; typed, so the renderers word them.

use serde::{Deserialize, Serialize};

use crate::analysis::cause::{Cause, Picture};
use crate::analysis::container::ContainerKind;
use crate::analysis::{CgroupOwner, MemoryUse};
use crate::text::LogString;

/// Shares of the domain (limit or RAM) at or above which a part gets its own step,
/// percent: small amounts would not explain the OOM.
const SHMEM_PERCENT: f64 = 20.0;
const SLAB_PERCENT: f64 = 20.0;
const DIRTY_PERCENT: f64 = 10.0;

/// One next step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NextStep {
    /// shmem/tmpfs held this much of the domain: killing processes frees it only when
    /// the victim held it; files in tmpfs and shared memory segments stay.
    Shmem {
        /// Size, kB.
        kb: u64,
        /// Share of the domain, percent.
        percent: f64,
    },
    /// Unreclaimable slab held this much: kernel memory no kill frees.
    Slab {
        /// Size, kB.
        kb: u64,
        /// Share of the domain, percent.
        percent: f64,
    },
    /// Dirty page cache and page cache under writeback: reclaim had to wait for the
    /// disk, so page cache was there but could not be dropped in time.
    DirtyCache {
        /// Dirty, kB.
        dirty_kb: u64,
        /// Under writeback, kB.
        writeback_kb: u64,
        /// Their share of the domain, percent.
        percent: f64,
    },
    /// The pod to look up by its UID.
    Pod {
        /// The UID as the kubelet knows it (dashed form, or a static pod's hash).
        uid: LogString,
    },
    /// The container to inspect.
    Container {
        /// `kubernetes` (crictl on the node), `docker`, `podman` or `containerd`.
        engine: String,
        /// Its full id.
        id: LogString,
        /// containerd's namespace (the cgroup's first part, e.g. `k8s.io`, `default`).
        namespace: Option<LogString>,
    },
    /// The systemd unit to check.
    Unit {
        /// The unit name.
        unit: LogString,
        /// The user whose service manager runs it (a user unit), if any.
        user: Option<u32>,
    },
}

/// The steps for an event with this cause, memory picture and owner.
pub fn next_steps(
    cause: &Cause,
    memory: Option<&MemoryUse>,
    owner: Option<&CgroupOwner>,
) -> Vec<NextStep> {
    let mut steps = Vec::new();
    if let Some(m) = memory {
        let part = |name: &str| m.parts.iter().find(|p| p.name == name);
        if let Some(p) = part("shmem").filter(|p| p.percent >= SHMEM_PERCENT) {
            steps.push(NextStep::Shmem {
                kb: p.kb,
                percent: p.percent,
            });
        }
        if let Some(p) = part("slab_unreclaimable").filter(|p| p.percent >= SLAB_PERCENT) {
            steps.push(NextStep::Slab {
                kb: p.kb,
                percent: p.percent,
            });
        }
        if let (Some((d, w)), Some(total)) = (dirty(cause), m.total_kb.filter(|t| *t > 0)) {
            let percent = (d + w) as f64 * 100.0 / total as f64;
            if percent >= DIRTY_PERCENT {
                steps.push(NextStep::DirtyCache {
                    dirty_kb: d,
                    writeback_kb: w,
                    percent,
                });
            }
        }
    }
    if let Some(o) = owner {
        let c = &o.owner;
        use ContainerKind as K;
        if let Some(uid) = &c.pod_uid {
            steps.push(NextStep::Pod { uid: uid.clone() });
        }
        let engine = match c.kind {
            K::KubernetesContainer => Some("kubernetes"),
            K::Docker => Some("docker"),
            K::Podman => Some("podman"),
            K::Containerd => Some("containerd"),
            _ => None,
        };
        // A conmon cgroup is the monitor, not the container: its id would mislead.
        let conmon = o.cgroup.as_log_str().contains("-conmon-");
        if let (Some(engine), Some(id), false) = (engine, &c.container_id, conmon) {
            let namespace = (c.kind == K::Containerd)
                .then(|| {
                    o.cgroup
                        .as_log_str()
                        .split('/')
                        .find(|p| !p.is_empty())
                        .map(LogString::from)
                })
                .flatten();
            steps.push(NextStep::Container {
                engine: engine.to_string(),
                id: id.clone(),
                namespace,
            });
        }
        if !c.kind.is_container()
            && let Some(unit) = &c.unit
        {
            steps.push(NextStep::Unit {
                unit: unit.clone(),
                user: c.user_id,
            });
        }
    }
    steps
}

/// Dirty and writeback page cache of the domain that ran out, when its picture has them.
fn dirty(cause: &Cause) -> Option<(u64, u64)> {
    match cause.picture.as_ref()? {
        Picture::Memcg {
            dirty_kb,
            writeback_kb,
            ..
        }
        | Picture::Machine {
            dirty_kb,
            writeback_kb,
            ..
        } => (dirty_kb.is_some() || writeback_kb.is_some())
            .then(|| (dirty_kb.unwrap_or(0), writeback_kb.unwrap_or(0))),
        Picture::Nodes {
            dirty_kb,
            writeback_kb,
            ..
        } => Some((*dirty_kb, *writeback_kb)),
        _ => None,
    }
}

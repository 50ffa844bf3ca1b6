//! Decodes a memory-cgroup path, as the kernel prints it in OOM reports (`oom_memcg=`,
//! `task_memcg=`, `Task in X killed as a result of limit of Y`, `Memory cgroup stats for X:`),
//! into whose memory it was: a Kubernetes pod or container (both kubelet cgroup drivers,
//! containerd / CRI-O / Docker), a plain Docker, Podman, containerd or LXC container, a
//! systemd-nspawn or libvirt machine, a systemd unit, or a user session or user service.
//! Everything is worked out offline from the path string alone, and decoding never fails:
//! shapes it does not know come out as [`ContainerKind::Other`].

use serde::{Deserialize, Serialize};

use crate::text::{LogString, OptionLogStr};

/// Whose memory a cgroup is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    /// What kind of owner the path shows.
    pub kind: ContainerKind,
    /// Container runtime when the path says: "containerd", "cri-o", "docker", "podman", "lxc".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// Kubernetes pod UID in canonical dashed form (8-4-4-4-12, lower case).
    ///
    /// Static pods are the exception: their UID is a 32-hex config hash without dashes, and it
    /// is kept that way (lower case) because that is the UID the kubelet uses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_uid: Option<LogString>,
    /// Kubernetes QoS class: "Guaranteed", "Burstable" or "BestEffort".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qos_class: Option<String>,
    /// Container id (full hex as printed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_id: Option<LogString>,
    /// kubelet cgroup driver the path shows: "systemd" or "cgroupfs".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup_driver: Option<String>,
    /// systemd unit (service, scope or slice name), with \xNN escapes decoded.
    ///
    /// For container kinds this is the innermost unit *inside* the container (e.g. a service
    /// run by systemd in an LXC container), when the path goes that deep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<LogString>,
    /// Login user id from user-UID.slice / user@UID.service.
    ///
    /// Also set on containers started under a user's slice (rootless Podman or Docker).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u32>,
    /// Login session id from session-N.scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<LogString>,
    /// LXC container name, or nspawn/libvirt machine name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<LogString>,
}

/// What kind of owner a cgroup path shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerKind {
    /// A container inside a Kubernetes pod.
    KubernetesContainer,
    /// The pod-level cgroup (the limit of the whole pod).
    KubernetesPod,
    /// The kubepods / burstable / besteffort level, no pod.
    KubernetesQos,
    /// A plain Docker container (not kubelet-managed).
    Docker,
    /// A Podman container (rootful or rootless), or its conmon.
    Podman,
    /// containerd outside Kubernetes, e.g. `/k8s.io/<id>` or `/default/<id>` namespaces.
    Containerd,
    /// An LXC (or LXD/Incus) container.
    Lxc,
    /// A `machine.slice` guest: systemd-nspawn or libvirt/qemu.
    Machine,
    /// A `.service` unit such as `system.slice/foo.service` (also `.mount`, `.socket`, `.swap`).
    SystemService,
    /// A `.scope` that is not a session or a container.
    SystemScope,
    /// A bare slice, e.g. `/system.slice` or `/user.slice`.
    Slice,
    /// A login session: `user.slice/user-1000.slice/session-3.scope`.
    UserSession,
    /// The user's service manager and what it runs: `user@1000.service/...`.
    UserService,
    /// The root cgroup, `/`.
    Root,
    /// Anything else (custom hierarchies like `/oomlab-single` or `/1066/uid`).
    Other,
}

impl ContainerKind {
    /// A container, a pod or a guest machine (not a host service, slice or session).
    pub fn is_container(self) -> bool {
        use ContainerKind as K;
        matches!(
            self,
            K::KubernetesContainer
                | K::KubernetesPod
                | K::Docker
                | K::Podman
                | K::Containerd
                | K::Lxc
                | K::Machine
        )
    }
}

/// Decodes a cgroup path. Never fails: unknown shapes give kind Other.
///
/// Surrounding whitespace, a missing leading slash and trailing or doubled slashes are
/// ignored. When containers nest (a kind node's kubelet inside a Docker container, Docker
/// inside a pod), the innermost container is the owner. Runs in time linear in the path.
pub fn decode(path: &str) -> Container {
    let trimmed = path.trim();
    let comps: Vec<&str> = trimmed.split('/').filter(|c| !c.is_empty()).collect();
    if comps.is_empty() {
        // "/" is the root cgroup; an empty string is no path at all.
        let kind = if trimmed.is_empty() {
            ContainerKind::Other
        } else {
            ContainerKind::Root
        };
        return Container::new(kind);
    }

    // Walk left to right; each owner swallows the components that make it up (so a pod's
    // `docker-<id>.scope` is its container, not a plain Docker container), and the last
    // owner found is the innermost one.
    let mut found = None;
    let mut i = 0;
    while i < comps.len() {
        match owner_at(&comps, i) {
            Some((owner, end)) => {
                found = Some((owner, i, end));
                i = end;
            }
            None => i += 1,
        }
    }

    match found {
        Some((mut owner, start, end)) => {
            owner.unit = innermost_unit(&comps[end..]).map(|u| unescape(u).into());
            owner.user_id = user_of(&comps[..start]);
            owner
        }
        None => systemd_owner(&comps),
    }
}

impl Container {
    /// A short human label, e.g. "pod 5931aa75-4603-4e65-b552-7c71cf55cfb5 (Burstable), container 25a38b5b8d55 (containerd)",
    /// "docker container 2e088fe462e2", "systemd service azuremonitoragent.service", "user session 1 of uid 1000", "cgroup /oomlab-single".
    /// Container ids are shortened to 12 hex chars in the label only.
    ///
    /// `path` is the path this was decoded from: [`ContainerKind::Other`] shows it, and it tells
    /// a conmon or LXC monitor cgroup apart from the container itself.
    pub fn label(&self, path: &str) -> LogString {
        use ContainerKind as K;
        let id = self.container_id.as_log_str().map(short_id);
        let runtime = self.runtime.as_deref();
        let conmon = path.contains("-conmon-");
        let mut out = match self.kind {
            K::KubernetesContainer => {
                let container = format!(
                    "{}container{}{}",
                    if conmon { "conmon of " } else { "" },
                    pre(" ", id),
                    wrap(runtime),
                );
                match self.pod_part() {
                    Some(pod) => format!("{pod}, {container}"),
                    None => format!("kubernetes {container}"),
                }
            }
            K::KubernetesPod => self
                .pod_part()
                .unwrap_or_else(|| "kubernetes pod".to_owned()),
            K::KubernetesQos => match self.qos_class.as_deref() {
                Some(qos) => format!("kubernetes {qos} pods"),
                None => "kubernetes pods".to_owned(),
            },
            K::Docker | K::Podman | K::Containerd => {
                let engine = match self.kind {
                    K::Docker => "docker",
                    K::Podman => "podman",
                    _ => "containerd",
                };
                let of = if conmon { "conmon of " } else { "" };
                format!("{of}{engine} container{}", pre(" ", id))
            }
            K::Lxc => {
                let of = if path.contains("lxc.monitor") {
                    "monitor of "
                } else {
                    ""
                };
                format!("{of}lxc container{}", pre(" ", self.name.as_log_str()))
            }
            K::Machine => format!("machine{}", pre(" ", self.name.as_log_str())),
            K::SystemService => {
                let unit = self.unit.as_log_str();
                let what = if unit.is_none_or(|u| u.ends_with(".service")) {
                    "service"
                } else {
                    "unit"
                };
                format!("systemd {what}{}", pre(" ", unit))
            }
            K::SystemScope => format!("systemd scope{}", pre(" ", self.unit.as_log_str())),
            K::Slice => format!("systemd slice{}", pre(" ", self.unit.as_log_str())),
            K::UserSession => format!("user session{}", pre(" ", self.session.as_log_str())),
            K::UserService => format!("user service{}", pre(" ", self.unit.as_log_str())),
            K::Root => "root cgroup".to_owned(),
            K::Other => match path.trim() {
                "" => "cgroup (empty path)".to_owned(),
                p => format!("cgroup {p}"),
            },
        };
        if self.kind.is_container() || self.kind == K::KubernetesQos {
            // Containers name their owner already; the unit is what runs inside them.
            if let Some(unit) = &self.unit {
                out.push_str(", unit ");
                out.push_str(unit.as_log_str());
            }
            if let Some(uid) = self.user_id {
                out.push_str(", uid ");
                out.push_str(&uid.to_string());
            }
        } else if let Some(uid) = self.user_id {
            out.push_str(" of uid ");
            out.push_str(&uid.to_string());
        }
        out.into()
    }

    /// An owner with nothing but its kind known.
    fn new(kind: ContainerKind) -> Self {
        Container {
            kind,
            runtime: None,
            pod_uid: None,
            qos_class: None,
            container_id: None,
            cgroup_driver: None,
            unit: None,
            user_id: None,
            session: None,
            name: None,
        }
    }

    /// "pod <uid> (<qos>)", when the pod UID is known.
    fn pod_part(&self) -> Option<String> {
        let uid = self.pod_uid.as_log_str()?;
        Some(format!("pod {uid}{}", wrap(self.qos_class.as_deref())))
    }
}

/// `sep` + value, or nothing when the value is missing.
fn pre(sep: &str, value: Option<&str>) -> String {
    value.map(|v| format!("{sep}{v}")).unwrap_or_default()
}

/// " (value)", or nothing when the value is missing.
fn wrap(value: Option<&str>) -> String {
    value.map(|v| format!(" ({v})")).unwrap_or_default()
}

/// The first 12 characters of a container id (ids are hex, so this is a byte slice).
fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// Runtime prefixes of container scopes, longest first where one is a prefix of another.
/// The kind applies outside a pod: CRI-O only runs Kubernetes containers, so a stray
/// `crio-<id>.scope` (e.g. conmon moved to system.slice) is still a Kubernetes container.
const RUNTIME_PREFIXES: [(&str, &str, ContainerKind); 7] = [
    ("cri-containerd-", "containerd", ContainerKind::Containerd),
    ("crio-conmon-", "cri-o", ContainerKind::KubernetesContainer),
    ("crio-", "cri-o", ContainerKind::KubernetesContainer),
    ("docker-", "docker", ContainerKind::Docker),
    ("libpod-conmon-", "podman", ContainerKind::Podman),
    ("libpod-", "podman", ContainerKind::Podman),
    ("nerdctl-", "containerd", ContainerKind::Containerd),
];

/// The owner that starts at `comps[i]`, and the index just past the components it takes.
fn owner_at(comps: &[&str], i: usize) -> Option<(Container, usize)> {
    use ContainerKind as K;
    let comp = comps[i];
    let next = comps.get(i + 1).copied();

    if let Some(found) = kubernetes_at(comps, i) {
        return Some(found);
    }
    // cgroupfs Docker: /docker/<id>.
    if comp == "docker"
        && let Some(id) = next.filter(|n| is_id(n, 64))
    {
        return Some((with_id(K::Docker, "docker", id), i + 2));
    }
    // systemd-driver scopes: docker-<id>.scope, libpod-<id>.scope, ...
    if let Some((runtime, kind, id)) = prefixed_id(comp) {
        return Some((with_id(kind, runtime, id), i + 1));
    }
    if let Some((name, taken)) = lxc_name(comp, next) {
        let mut owner = Container::new(K::Lxc);
        owner.runtime = Some("lxc".to_owned());
        owner.name = Some(name.into());
        return Some((owner, i + taken));
    }
    if let Some((name, taken)) = machine_name(comp, next) {
        let mut owner = Container::new(K::Machine);
        owner.name = Some(name.into());
        return Some((owner, i + taken));
    }
    // containerd without Kubernetes puts containers at /<namespace>/<id> (cgroupfs).
    if let Some(id) = next.filter(|n| is_id(n, 64))
        && unit_suffix(comp).is_none()
        && comp != "libpod_parent"
    {
        return Some((with_id(K::Containerd, "containerd", id), i + 2));
    }
    None
}

/// An owner with a runtime and a container id.
fn with_id(kind: ContainerKind, runtime: &str, id: &str) -> Container {
    let mut owner = Container::new(kind);
    owner.runtime = Some(runtime.to_owned());
    owner.container_id = Some(id.into());
    owner
}

/// A kubepods tree rooted at `comps[i]`: root, optional QoS level, pod, container.
fn kubernetes_at(comps: &[&str], i: usize) -> Option<(Container, usize)> {
    let root = comps[i];
    // cgroupfs names the root `kubepods`; systemd `kubepods.slice`, or `<parent>-kubepods.slice`
    // when the kubelet is nested in another slice (kind, k3s, ...).
    let driver = if root == "kubepods" {
        "cgroupfs"
    } else {
        let stem = root.strip_suffix(".slice")?;
        if stem != "kubepods" && !stem.ends_with("-kubepods") {
            return None;
        }
        "systemd"
    };
    let mut owner = Container::new(ContainerKind::KubernetesQos);
    owner.cgroup_driver = Some(driver.to_owned());
    let mut j = i + 1;

    let mut qos = comps.get(j).and_then(|c| qos_level(c));
    if qos.is_some() {
        j += 1;
    }
    let Some((uid, qos_hint)) = comps.get(j).and_then(|c| pod_level(c)) else {
        owner.qos_class = qos.map(str::to_owned);
        return Some((owner, j));
    };
    j += 1;
    // Guaranteed pods sit right under the root, with no QoS level in between.
    qos = qos.or(qos_hint).or(Some("Guaranteed"));
    owner.kind = ContainerKind::KubernetesPod;
    owner.pod_uid = Some(uid.into());
    owner.qos_class = qos.map(str::to_owned);

    if let Some((runtime, id)) = comps.get(j).and_then(|c| pod_container(c)) {
        j += 1;
        owner.kind = ContainerKind::KubernetesContainer;
        owner.runtime = runtime.map(str::to_owned);
        owner.container_id = Some(id.into());
    }
    Some((owner, j))
}

/// QoS class of a `burstable` / `kubepods-burstable.slice` level.
fn qos_level(comp: &str) -> Option<&'static str> {
    let stem = comp.strip_suffix(".slice").unwrap_or(comp);
    qos_word(stem.rsplit('-').next().unwrap_or(stem))
}

fn qos_word(word: &str) -> Option<&'static str> {
    match word {
        "burstable" => Some("Burstable"),
        "besteffort" => Some("BestEffort"),
        _ => None,
    }
}

/// Pod UID of a `pod<uid>` (cgroupfs) or `kubepods-<qos>-pod<uid_with_underscores>.slice`
/// (systemd) level, plus the QoS class the systemd name spells out.
fn pod_level(comp: &str) -> Option<(String, Option<&'static str>)> {
    if let Some(uid) = comp.strip_prefix("pod").and_then(pod_uid) {
        return Some((uid, None));
    }
    let stem = comp.strip_suffix(".slice").unwrap_or(comp);
    let (before, last) = stem.rsplit_once('-')?;
    let uid = pod_uid(last.strip_prefix("pod")?)?;
    Some((uid, qos_word(before.rsplit('-').next().unwrap_or(before))))
}

/// Canonical pod UID: 8-4-4-4-12 with `-` or `_`, any case → dashed lower case; a static
/// pod's 32-hex config hash stays undashed.
fn pod_uid(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    match bytes.len() {
        32 if bytes.iter().all(u8::is_ascii_hexdigit) => Some(raw.to_ascii_lowercase()),
        36 => {
            let mut out = String::with_capacity(36);
            for (k, &b) in bytes.iter().enumerate() {
                match k {
                    8 | 13 | 18 | 23 if b == b'-' || b == b'_' => out.push('-'),
                    8 | 13 | 18 | 23 => return None,
                    _ if b.is_ascii_hexdigit() => out.push(char::from(b.to_ascii_lowercase())),
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// Runtime (when the name says) and id of a container directly under a pod: a bare 64-hex
/// id (cgroupfs), or `<runtime>-<id>[.scope]`.
fn pod_container(comp: &str) -> Option<(Option<&'static str>, &str)> {
    let stem = comp.strip_suffix(".scope").unwrap_or(comp);
    if is_id(stem, 64) {
        return Some((None, stem));
    }
    if let Some((runtime, _, id)) = prefixed_id(comp) {
        return Some((Some(runtime), id));
    }
    // Any other runtime's `<name>-<id>.scope` is still the pod's container.
    let (word, id) = stem.rsplit_once('-')?;
    (!word.is_empty() && is_id(id, 32)).then_some((None, id))
}

/// `<runtime prefix><id>[.scope]` with a 32..=64 hex id.
fn prefixed_id(comp: &str) -> Option<(&'static str, ContainerKind, &str)> {
    let stem = comp.strip_suffix(".scope").unwrap_or(comp);
    RUNTIME_PREFIXES
        .iter()
        .find_map(|&(prefix, runtime, kind)| {
            let id = stem.strip_prefix(prefix)?;
            is_id(id, 32).then_some((runtime, kind, id))
        })
}

/// Lower-case hex of `min..=64` characters: the shape of a container id.
fn is_id(s: &str, min: usize) -> bool {
    (min..=64).contains(&s.len()) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// LXC container name and how many components it takes: `lxc/<name>` (LXC 1-3, LXD),
/// `lxc.payload/<name>` (LXC 4.0) or `lxc.payload.<name>` / `lxc.monitor.<name>` (LXC 4+).
fn lxc_name<'a>(comp: &'a str, next: Option<&'a str>) -> Option<(&'a str, usize)> {
    if matches!(comp, "lxc" | "lxc.payload" | "lxc.monitor") {
        return next.map(|name| (name, 2));
    }
    let name = comp
        .strip_prefix("lxc.payload.")
        .or_else(|| comp.strip_prefix("lxc.monitor."))?;
    (!name.is_empty()).then_some((name, 1))
}

/// Machine name and how many components it takes: `machine-<name>.scope` (systemd-machined,
/// libvirt), `systemd-nspawn@<name>.service`, or libvirt's cgroupfs `machine/<name>.libvirt-qemu`.
fn machine_name(comp: &str, next: Option<&str>) -> Option<(String, usize)> {
    let escaped = comp
        .strip_prefix("machine-")
        .and_then(|c| c.strip_suffix(".scope"))
        .or_else(|| {
            comp.strip_prefix("systemd-nspawn@")
                .and_then(|c| c.strip_suffix(".service"))
        });
    if let Some(name) = escaped.filter(|n| !n.is_empty()) {
        return Some((unescape(name), 1));
    }
    if comp == "machine"
        && let Some(next) = next
    {
        let name = next
            .strip_suffix(".libvirt-qemu")
            .or_else(|| next.strip_suffix(".libvirt-lxc"))?;
        return (!name.is_empty()).then(|| (name.to_owned(), 2));
    }
    None
}

/// Kind of a systemd unit by its suffix, `None` when the name is not a unit.
fn unit_suffix(comp: &str) -> Option<ContainerKind> {
    use ContainerKind as K;
    let (stem, suffix) = comp.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    match suffix {
        // Mount, socket and swap units run helper processes (FUSE daemons, ExecStartPre=),
        // which is service-like memory.
        "service" | "mount" | "socket" | "swap" => Some(K::SystemService),
        "scope" => Some(K::SystemScope),
        "slice" => Some(K::Slice),
        _ => None,
    }
}

/// The deepest component that is a systemd unit.
fn innermost_unit<'a>(comps: &[&'a str]) -> Option<&'a str> {
    comps
        .iter()
        .rev()
        .copied()
        .find(|c| unit_suffix(c).is_some())
}

/// Uid of the innermost `user-UID.slice` or `user@UID.service`.
fn user_of(comps: &[&str]) -> Option<u32> {
    comps
        .iter()
        .rev()
        .find_map(|c| user_slice(c).or_else(|| user_manager(c)))
}

fn user_slice(comp: &str) -> Option<u32> {
    number(comp.strip_prefix("user-")?.strip_suffix(".slice")?)
}

fn user_manager(comp: &str) -> Option<u32> {
    number(comp.strip_prefix("user@")?.strip_suffix(".service")?)
}

/// A plain decimal (no sign, which `str::parse` would accept).
fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Owner of a path with no container in it: user manager, login session, or a unit.
fn systemd_owner(comps: &[&str]) -> Container {
    use ContainerKind as K;
    let user_id = user_of(comps);
    let mut owner = if let Some(at) = comps.iter().rposition(|c| user_manager(c).is_some()) {
        // Everything under user@UID.service is run by that user's service manager.
        let mut owner = Container::new(K::UserService);
        let unit = innermost_unit(&comps[at + 1..]).unwrap_or(comps[at]);
        owner.unit = Some(unescape(unit).into());
        owner
    } else if let Some(session) = comps.iter().rev().find_map(|c| {
        c.strip_prefix("session-")?
            .strip_suffix(".scope")
            .filter(|s| !s.is_empty())
    }) {
        let mut owner = Container::new(K::UserSession);
        owner.session = Some(unescape(session).into());
        owner
    } else if let Some(unit) = innermost_unit(comps)
        && let Some(kind) = unit_suffix(unit)
    {
        let mut owner = Container::new(kind);
        owner.unit = Some(unescape(unit).into());
        owner
    } else {
        return Container::new(K::Other);
    };
    owner.user_id = user_id;
    owner
}

/// Decodes systemd's `\xNN` escapes (unit names escape `-` and non-ASCII bytes this way;
/// the same escapes as /dev/kmsg's). Escapes can spell bytes that are not UTF-8: kept
/// lossily.
fn unescape(s: &str) -> String {
    if !s.contains("\\x") {
        return s.to_owned();
    }
    let mut out = Vec::with_capacity(s.len());
    crate::escapes::decode_hex(s.as_bytes(), &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContainerKind as K;

    const ID: &str = "2260b35b008a15bd118e629c0c5d74e7f3a1fe18c724fbac61a54862fea196dc";

    fn base(kind: ContainerKind) -> Container {
        Container::new(kind)
    }

    fn s<T: for<'a> From<&'a str>>(v: &str) -> Option<T> {
        Some(v.into())
    }

    /// Decodes and checks that slash noise does not change the answer.
    fn check(path: &str, expected: Container) {
        assert_eq!(decode(path), expected, "path {path:?}");
        let bare = path.trim_start_matches('/');
        if !bare.is_empty() {
            assert_eq!(decode(bare), expected, "no leading slash: {bare:?}");
            assert_eq!(decode(&format!("{path}/")), expected, "trailing slash");
            assert_eq!(decode(&format!(" {path}\n")), expected, "whitespace");
            assert_eq!(
                decode(&path.replace('/', "//")),
                expected,
                "doubled slashes"
            );
        }
    }

    fn kube(
        kind: ContainerKind,
        driver: &str,
        qos: Option<&str>,
        pod: Option<&str>,
        runtime: Option<&str>,
        id: Option<&str>,
    ) -> Container {
        Container {
            cgroup_driver: s(driver),
            qos_class: qos.map(str::to_owned),
            pod_uid: pod.map(LogString::from),
            runtime: runtime.map(str::to_owned),
            container_id: id.map(LogString::from),
            ..base(kind)
        }
    }

    // ---- Kubernetes, cgroupfs driver ----

    #[test]
    fn cgroupfs_burstable_container() {
        check(
            "/kubepods/burstable/podd11ab7b0-d6db-4a24-a7de-4a2faf1e6980/9f02d9fa0049eb2655fc83c765f142362b2cb403b57b70ba3185071015ca3b64",
            kube(
                K::KubernetesContainer,
                "cgroupfs",
                Some("Burstable"),
                Some("d11ab7b0-d6db-4a24-a7de-4a2faf1e6980"),
                None,
                Some("9f02d9fa0049eb2655fc83c765f142362b2cb403b57b70ba3185071015ca3b64"),
            ),
        );
    }

    #[test]
    fn cgroupfs_besteffort_container() {
        check(
            &format!("/kubepods/besteffort/pod0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9/{ID}"),
            kube(
                K::KubernetesContainer,
                "cgroupfs",
                Some("BestEffort"),
                Some("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"),
                None,
                Some(ID),
            ),
        );
    }

    #[test]
    fn cgroupfs_guaranteed_container() {
        check(
            "/kubepods/podfe3f7a38-b3f7-48aa-8997-a697ae3d0741/c7ebf4d756b284f6226cce820771afcf706a4e37afb77f052c61ece86d3b61f0",
            kube(
                K::KubernetesContainer,
                "cgroupfs",
                Some("Guaranteed"),
                Some("fe3f7a38-b3f7-48aa-8997-a697ae3d0741"),
                None,
                Some("c7ebf4d756b284f6226cce820771afcf706a4e37afb77f052c61ece86d3b61f0"),
            ),
        );
    }

    #[test]
    fn cgroupfs_burstable_pod_with_container_below() {
        // As printed on a real "Memory cgroup stats for" line.
        check(
            "/kubepods/burstable/podfe3f7a38-b3f7-48aa-8997-a697ae3d0741/c7ebf4d756b284f6226cce820771afcf706a4e37afb77f052c61ece86d3b61f0",
            kube(
                K::KubernetesContainer,
                "cgroupfs",
                Some("Burstable"),
                Some("fe3f7a38-b3f7-48aa-8997-a697ae3d0741"),
                None,
                Some("c7ebf4d756b284f6226cce820771afcf706a4e37afb77f052c61ece86d3b61f0"),
            ),
        );
    }

    #[test]
    fn cgroupfs_pod_level() {
        check(
            "/kubepods/burstable/pod8f0e2c4a-1b3d-4e5f-9a7b-0c1d2e3f4a5b",
            kube(
                K::KubernetesPod,
                "cgroupfs",
                Some("Burstable"),
                Some("8f0e2c4a-1b3d-4e5f-9a7b-0c1d2e3f4a5b"),
                None,
                None,
            ),
        );
        check(
            "/kubepods/pod8F0E2C4A-1B3D-4E5F-9A7B-0C1D2E3F4A5B",
            kube(
                K::KubernetesPod,
                "cgroupfs",
                Some("Guaranteed"),
                Some("8f0e2c4a-1b3d-4e5f-9a7b-0c1d2e3f4a5b"),
                None,
                None,
            ),
        );
    }

    #[test]
    fn cgroupfs_qos_levels() {
        check(
            "/kubepods",
            kube(K::KubernetesQos, "cgroupfs", None, None, None, None),
        );
        check(
            "/kubepods/burstable",
            kube(
                K::KubernetesQos,
                "cgroupfs",
                Some("Burstable"),
                None,
                None,
                None,
            ),
        );
        check(
            "/kubepods/besteffort",
            kube(
                K::KubernetesQos,
                "cgroupfs",
                Some("BestEffort"),
                None,
                None,
                None,
            ),
        );
    }

    #[test]
    fn cgroupfs_crio_prefixed_container() {
        check(
            &format!("/kubepods/besteffort/pod0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9/crio-{ID}"),
            kube(
                K::KubernetesContainer,
                "cgroupfs",
                Some("BestEffort"),
                Some("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"),
                Some("cri-o"),
                Some(ID),
            ),
        );
    }

    #[test]
    fn static_pod_uid_stays_undashed() {
        check(
            "/kubepods/burstable/pod2e5b0d8e3f1c2a4b5c6d7e8f9a0b1c2d",
            kube(
                K::KubernetesPod,
                "cgroupfs",
                Some("Burstable"),
                Some("2e5b0d8e3f1c2a4b5c6d7e8f9a0b1c2d"),
                None,
                None,
            ),
        );
    }

    // ---- Kubernetes, systemd driver ----

    #[test]
    fn systemd_burstable_containerd() {
        check(
            &format!(
                "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poddfc377c9_c533_4d51_af9e_6e0e0b3db83b.slice/cri-containerd-{ID}.scope"
            ),
            kube(
                K::KubernetesContainer,
                "systemd",
                Some("Burstable"),
                Some("dfc377c9-c533-4d51-af9e-6e0e0b3db83b"),
                Some("containerd"),
                Some(ID),
            ),
        );
    }

    #[test]
    fn systemd_guaranteed_docker() {
        check(
            "/kubepods.slice/kubepods-pod9eb0e64e_6e1a_43e4_b372_2603a3cc2941.slice/docker-663f6287c450aea2f849b82a30d1409059497b5de62846a286e55971d61e2650.scope",
            kube(
                K::KubernetesContainer,
                "systemd",
                Some("Guaranteed"),
                Some("9eb0e64e-6e1a-43e4-b372-2603a3cc2941"),
                Some("docker"),
                Some("663f6287c450aea2f849b82a30d1409059497b5de62846a286e55971d61e2650"),
            ),
        );
        check(
            "/kubepods.slice/kubepods-pod9eb0e64e_6e1a_43e4_b372_2603a3cc2941.slice",
            kube(
                K::KubernetesPod,
                "systemd",
                Some("Guaranteed"),
                Some("9eb0e64e-6e1a-43e4-b372-2603a3cc2941"),
                None,
                None,
            ),
        );
    }

    #[test]
    fn systemd_besteffort_crio_and_conmon() {
        let pod = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b2c3d_4e5f_6071_8293_a4b5c6d7e8f9.slice";
        let expected = kube(
            K::KubernetesContainer,
            "systemd",
            Some("BestEffort"),
            Some("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"),
            Some("cri-o"),
            Some(ID),
        );
        check(&format!("{pod}/crio-{ID}.scope"), expected.clone());
        check(&format!("{pod}/crio-conmon-{ID}.scope"), expected);
    }

    #[test]
    fn systemd_crio_inner_container_cgroup() {
        // CRI-O on cgroup v2 may put the payload one level down, in `.../crio-<id>.scope/container`.
        let path = format!(
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b2c3d_4e5f_6071_8293_a4b5c6d7e8f9.slice/crio-{ID}.scope/container"
        );
        check(
            &path,
            kube(
                K::KubernetesContainer,
                "systemd",
                Some("BestEffort"),
                Some("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"),
                Some("cri-o"),
                Some(ID),
            ),
        );
    }

    #[test]
    fn systemd_pod_level() {
        check(
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod968a06fb_9ab9_4819_8caf_0392ddff3d9b.slice",
            kube(
                K::KubernetesPod,
                "systemd",
                Some("Burstable"),
                Some("968a06fb-9ab9-4819-8caf-0392ddff3d9b"),
                None,
                None,
            ),
        );
    }

    #[test]
    fn systemd_qos_from_pod_slice_name() {
        // The pod slice spells its QoS class even if the level above is missing.
        check(
            "/kubepods.slice/kubepods-besteffort-pod968a06fb_9ab9_4819_8caf_0392ddff3d9b.slice",
            kube(
                K::KubernetesPod,
                "systemd",
                Some("BestEffort"),
                Some("968a06fb-9ab9-4819-8caf-0392ddff3d9b"),
                None,
                None,
            ),
        );
    }

    #[test]
    fn systemd_qos_levels() {
        check(
            "/kubepods.slice",
            kube(K::KubernetesQos, "systemd", None, None, None, None),
        );
        check(
            "/kubepods.slice/kubepods-burstable.slice",
            kube(
                K::KubernetesQos,
                "systemd",
                Some("Burstable"),
                None,
                None,
                None,
            ),
        );
    }

    #[test]
    fn systemd_unknown_runtime_prefix() {
        check(
            &format!(
                "/kubepods.slice/kubepods-pod9eb0e64e_6e1a_43e4_b372_2603a3cc2941.slice/kata-{ID}.scope"
            ),
            kube(
                K::KubernetesContainer,
                "systemd",
                Some("Guaranteed"),
                Some("9eb0e64e-6e1a-43e4-b372-2603a3cc2941"),
                None,
                Some(ID),
            ),
        );
    }

    // ---- nested kubelets ----

    #[test]
    fn nested_kubelet_systemd_slice() {
        check(
            &format!(
                "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice/cri-containerd-{ID}.scope"
            ),
            kube(
                K::KubernetesContainer,
                "systemd",
                Some("Burstable"),
                Some("5931aa75-4603-4e65-b552-7c71cf55cfb5"),
                Some("containerd"),
                Some(ID),
            ),
        );
    }

    #[test]
    fn nested_kubelet_in_kind_node() {
        let node = "e0c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f";
        check(
            &format!(
                "/system.slice/docker-{node}.scope/kubelet/kubepods/burstable/pod5931aa75-4603-4e65-b552-7c71cf55cfb5/{ID}"
            ),
            kube(
                K::KubernetesContainer,
                "cgroupfs",
                Some("Burstable"),
                Some("5931aa75-4603-4e65-b552-7c71cf55cfb5"),
                None,
                Some(ID),
            ),
        );
        // The kind node itself is a plain Docker container.
        check(
            &format!("/system.slice/docker-{node}.scope/kubelet"),
            Container {
                runtime: s("docker"),
                container_id: s(node),
                ..base(K::Docker)
            },
        );
    }

    #[test]
    fn innermost_kubepods_wins() {
        check(
            &format!(
                "/kubepods/besteffort/pod0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9/{ID}/kubepods/pod5931aa75-4603-4e65-b552-7c71cf55cfb5"
            ),
            kube(
                K::KubernetesPod,
                "cgroupfs",
                Some("Guaranteed"),
                Some("5931aa75-4603-4e65-b552-7c71cf55cfb5"),
                None,
                None,
            ),
        );
    }

    // ---- Docker ----

    #[test]
    fn docker_cgroupfs() {
        check(
            "/docker/2e088fe462e25e60be1dafafe2c05c47bda1a97978648d10ad2b7484fc0b8f50",
            Container {
                runtime: s("docker"),
                container_id: s("2e088fe462e25e60be1dafafe2c05c47bda1a97978648d10ad2b7484fc0b8f50"),
                ..base(K::Docker)
            },
        );
    }

    #[test]
    fn docker_systemd() {
        check(
            &format!("/system.slice/docker-{ID}.scope"),
            Container {
                runtime: s("docker"),
                container_id: s(ID),
                ..base(K::Docker)
            },
        );
    }

    #[test]
    fn docker_with_systemd_inside() {
        check(
            &format!("/docker/{ID}/system.slice/nginx.service"),
            Container {
                runtime: s("docker"),
                container_id: s(ID),
                unit: s("nginx.service"),
                ..base(K::Docker)
            },
        );
    }

    #[test]
    fn docker_in_docker_innermost() {
        let inner = "6c6fcab8562fd3150854986b78552c732f234fd405b624207b8843528a145e70";
        check(
            &format!("/docker/{ID}/docker/{inner}"),
            Container {
                runtime: s("docker"),
                container_id: s(inner),
                ..base(K::Docker)
            },
        );
    }

    #[test]
    fn docker_rootless() {
        check(
            &format!("/user.slice/user-1000.slice/user@1000.service/user.slice/docker-{ID}.scope"),
            Container {
                runtime: s("docker"),
                container_id: s(ID),
                user_id: Some(1000),
                ..base(K::Docker)
            },
        );
    }

    // ---- Podman ----

    #[test]
    fn podman_rootful() {
        check(
            &format!("/machine.slice/libpod-{ID}.scope"),
            Container {
                runtime: s("podman"),
                container_id: s(ID),
                ..base(K::Podman)
            },
        );
    }

    #[test]
    fn podman_rootless() {
        check(
            &format!("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{ID}.scope"),
            Container {
                runtime: s("podman"),
                container_id: s(ID),
                user_id: Some(1000),
                ..base(K::Podman)
            },
        );
    }

    #[test]
    fn podman_conmon() {
        check(
            &format!("/machine.slice/libpod-conmon-{ID}.scope"),
            Container {
                runtime: s("podman"),
                container_id: s(ID),
                ..base(K::Podman)
            },
        );
    }

    #[test]
    fn podman_cgroupfs_and_pod() {
        let pod = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
        let expected = Container {
            runtime: s("podman"),
            container_id: s(ID),
            ..base(K::Podman)
        };
        check(&format!("/libpod_parent/libpod-{ID}"), expected.clone());
        check(
            &format!("/libpod_parent/{pod}/libpod-{ID}"),
            expected.clone(),
        );
        check(
            &format!("/machine.slice/machine-libpod_pod_{pod}.slice/libpod-{ID}.scope/container"),
            expected,
        );
        // A podman pod's own cgroup (cgroupfs) is not a containerd namespace.
        check(&format!("/libpod_parent/{pod}"), base(K::Other));
    }

    // ---- containerd outside Kubernetes ----

    #[test]
    fn containerd_namespaces() {
        let expected = Container {
            runtime: s("containerd"),
            container_id: s(ID),
            ..base(K::Containerd)
        };
        check(&format!("/k8s.io/{ID}"), expected.clone());
        check(&format!("/default/{ID}"), expected.clone());
        check(
            &format!("/system.slice/containerd.service/k8s.io/{ID}"),
            expected.clone(),
        );
        check(
            &format!("/system.slice/nerdctl-{ID}.scope"),
            expected.clone(),
        );
        check(
            &format!("/system.slice/cri-containerd-{ID}.scope"),
            expected,
        );
    }

    #[test]
    fn crio_outside_pod_is_kubernetes_container() {
        // CRI-O's conmon_cgroup = "system.slice".
        check(
            &format!("/system.slice/crio-conmon-{ID}.scope"),
            Container {
                runtime: s("cri-o"),
                container_id: s(ID),
                ..base(K::KubernetesContainer)
            },
        );
    }

    // ---- systemd ----

    #[test]
    fn system_services() {
        check(
            "/system.slice/azuremonitoragent.service",
            Container {
                unit: s("azuremonitoragent.service"),
                ..base(K::SystemService)
            },
        );
        check(
            "/system.slice/containerd.service",
            Container {
                unit: s("containerd.service"),
                ..base(K::SystemService)
            },
        );
        check(
            "/system.slice/system-getty.slice/getty@tty1.service",
            Container {
                unit: s("getty@tty1.service"),
                ..base(K::SystemService)
            },
        );
        check(
            "/system.slice/mnt-data.mount",
            Container {
                unit: s("mnt-data.mount"),
                ..base(K::SystemService)
            },
        );
    }

    #[test]
    fn system_service_delegated_subtree() {
        check(
            "/system.slice/buildkitd.service/runc-abc",
            Container {
                unit: s("buildkitd.service"),
                ..base(K::SystemService)
            },
        );
    }

    #[test]
    fn escaped_unit_names() {
        check(
            "/system.slice/system-openvpn\\x2dclient.slice/openvpn-client@x\\x2dy.service",
            Container {
                unit: s("openvpn-client@x-y.service"),
                ..base(K::SystemService)
            },
        );
        // Escaped UTF-8 bytes come back as the character; broken escapes stay literal.
        check(
            "/system.slice/caf\\xc3\\xa9\\x2g\\x.service",
            Container {
                unit: s("café\\x2g\\x.service"),
                ..base(K::SystemService)
            },
        );
    }

    #[test]
    fn scopes_and_slices() {
        check(
            "/system.slice/run-r0123.scope",
            Container {
                unit: s("run-r0123.scope"),
                ..base(K::SystemScope)
            },
        );
        check(
            "/init.scope",
            Container {
                unit: s("init.scope"),
                ..base(K::SystemScope)
            },
        );
        check(
            "/system.slice",
            Container {
                unit: s("system.slice"),
                ..base(K::Slice)
            },
        );
        check(
            "/user.slice",
            Container {
                unit: s("user.slice"),
                ..base(K::Slice)
            },
        );
        check(
            "/machine.slice",
            Container {
                unit: s("machine.slice"),
                ..base(K::Slice)
            },
        );
        check(
            "/user.slice/user-1000.slice",
            Container {
                unit: s("user-1000.slice"),
                user_id: Some(1000),
                ..base(K::Slice)
            },
        );
    }

    // ---- users ----

    #[test]
    fn user_session() {
        check(
            "/user.slice/user-1000.slice/session-1.scope",
            Container {
                user_id: Some(1000),
                session: s("1"),
                ..base(K::UserSession)
            },
        );
        check(
            "/user.slice/user-120.slice/session-c1.scope",
            Container {
                user_id: Some(120),
                session: s("c1"),
                ..base(K::UserSession)
            },
        );
    }

    #[test]
    fn user_services() {
        check(
            "/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-1234.scope",
            Container {
                unit: s("app-firefox-1234.scope"),
                user_id: Some(1000),
                ..base(K::UserService)
            },
        );
        check(
            "/user.slice/user-1000.slice/user@1000.service",
            Container {
                unit: s("user@1000.service"),
                user_id: Some(1000),
                ..base(K::UserService)
            },
        );
        check(
            "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.gnome.Evolution\\x2dalarm\\x2dnotify-2337.scope",
            Container {
                unit: s("app-gnome-org.gnome.Evolution-alarm-notify-2337.scope"),
                user_id: Some(1000),
                ..base(K::UserService)
            },
        );
    }

    #[test]
    fn user_id_out_of_range_is_not_a_user() {
        check(
            "/user.slice/user-4294967296.slice",
            Container {
                unit: s("user-4294967296.slice"),
                ..base(K::Slice)
            },
        );
        check(
            "/user.slice/user-+5.slice",
            Container {
                unit: s("user-+5.slice"),
                ..base(K::Slice)
            },
        );
    }

    // ---- LXC ----

    #[test]
    fn lxc_shapes() {
        let web01 = Container {
            runtime: s("lxc"),
            name: s("web01"),
            ..base(K::Lxc)
        };
        check("/lxc/web01", web01.clone());
        check("/lxc.payload.web01", web01.clone());
        check("/lxc.payload/web01", web01.clone());
        check("/lxc.monitor.web01", web01.clone());
        check(
            "/lxc.payload.web01/system.slice/foo.service",
            Container {
                unit: s("foo.service"),
                ..web01.clone()
            },
        );
        check(
            "/lxc/web01/ns/init.scope",
            Container {
                unit: s("init.scope"),
                ..web01
            },
        );
        check("/lxc", base(K::Other));
    }

    // ---- machines ----

    #[test]
    fn machines() {
        let vm = Container {
            name: s("qemu-1-vm1"),
            ..base(K::Machine)
        };
        check(
            "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope",
            vm.clone(),
        );
        check(
            "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/emulator",
            vm.clone(),
        );
        check("/machine/qemu-1-vm1.libvirt-qemu/vcpu0", vm);
        check(
            "/machine.slice/systemd-nspawn@box.service",
            Container {
                name: s("box"),
                ..base(K::Machine)
            },
        );
        check(
            "/machine.slice/systemd-nspawn@box.service/payload/system.slice/sshd.service",
            Container {
                name: s("box"),
                unit: s("sshd.service"),
                ..base(K::Machine)
            },
        );
    }

    // ---- root and other ----

    #[test]
    fn root() {
        assert_eq!(decode("/"), base(K::Root));
        assert_eq!(decode("//"), base(K::Root));
        assert_eq!(decode(" / \n"), base(K::Root));
    }

    #[test]
    fn other_hierarchies() {
        for path in [
            "/oomlab-single",
            "/1066/uid",
            "/1066",
            "/mem2",
            "/ltp_19257",
            "/no_zswap_test",
            "/test",
            "/docker",
            "/docker/not-an-id",
        ] {
            check(path, base(K::Other));
        }
        assert_eq!(decode(""), base(K::Other));
        assert_eq!(decode("   "), base(K::Other));
    }

    #[test]
    fn near_misses_are_not_ids() {
        // 63 hex, upper case, and a non-hex letter are not container ids.
        let short = &ID[..63];
        check(&format!("/docker/{short}"), base(K::Other));
        check(&format!("/docker/{}", ID.to_uppercase()), base(K::Other));
        check(&format!("/docker/{}g", &ID[..63]), base(K::Other));
        // A runtime prefix with a too-short id is just a scope.
        check(
            "/system.slice/docker-abc.scope",
            Container {
                unit: s("docker-abc.scope"),
                ..base(K::SystemScope)
            },
        );
        // A malformed pod UID leaves only the QoS level.
        check(
            "/kubepods/burstable/pod1234",
            Container {
                cgroup_driver: s("cgroupfs"),
                qos_class: s("Burstable"),
                ..base(K::KubernetesQos)
            },
        );
    }

    // ---- labels ----

    #[test]
    fn labels() {
        let cases = [
            (
                "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice/cri-containerd-25a38b5b8d556d7983d975577f5ac75ebbcfb4b269e6deaa0a0440c1ffc969ca.scope",
                "pod 5931aa75-4603-4e65-b552-7c71cf55cfb5 (Burstable), container 25a38b5b8d55 (containerd)",
            ),
            (
                "/kubepods/podfe3f7a38-b3f7-48aa-8997-a697ae3d0741/c7ebf4d756b284f6226cce820771afcf706a4e37afb77f052c61ece86d3b61f0",
                "pod fe3f7a38-b3f7-48aa-8997-a697ae3d0741 (Guaranteed), container c7ebf4d756b2",
            ),
            (
                &format!(
                    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b2c3d_4e5f_6071_8293_a4b5c6d7e8f9.slice/crio-conmon-{ID}.scope"
                ),
                "pod 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9 (BestEffort), conmon of container 2260b35b008a (cri-o)",
            ),
            (
                &format!("/system.slice/crio-{ID}.scope"),
                "kubernetes container 2260b35b008a (cri-o)",
            ),
            (
                "/kubepods/burstable/pod8f0e2c4a-1b3d-4e5f-9a7b-0c1d2e3f4a5b",
                "pod 8f0e2c4a-1b3d-4e5f-9a7b-0c1d2e3f4a5b (Burstable)",
            ),
            ("/kubepods/besteffort", "kubernetes BestEffort pods"),
            ("/kubepods.slice", "kubernetes pods"),
            (
                "/docker/2e088fe462e25e60be1dafafe2c05c47bda1a97978648d10ad2b7484fc0b8f50",
                "docker container 2e088fe462e2",
            ),
            (
                &format!("/docker/{ID}/system.slice/nginx.service"),
                "docker container 2260b35b008a, unit nginx.service",
            ),
            (
                &format!(
                    "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{ID}.scope"
                ),
                "podman container 2260b35b008a, uid 1000",
            ),
            (
                &format!("/machine.slice/libpod-conmon-{ID}.scope"),
                "conmon of podman container 2260b35b008a",
            ),
            (
                &format!("/default/{ID}"),
                "containerd container 2260b35b008a",
            ),
            ("/lxc.payload.web01", "lxc container web01"),
            ("/lxc.monitor.web01", "monitor of lxc container web01"),
            (
                "/lxc.payload.web01/system.slice/foo.service",
                "lxc container web01, unit foo.service",
            ),
            (
                "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope",
                "machine qemu-1-vm1",
            ),
            (
                "/system.slice/azuremonitoragent.service",
                "systemd service azuremonitoragent.service",
            ),
            (
                "/system.slice/mnt-data.mount",
                "systemd unit mnt-data.mount",
            ),
            (
                "/system.slice/run-r0123.scope",
                "systemd scope run-r0123.scope",
            ),
            ("/system.slice", "systemd slice system.slice"),
            (
                "/user.slice/user-1000.slice",
                "systemd slice user-1000.slice of uid 1000",
            ),
            (
                "/user.slice/user-1000.slice/session-1.scope",
                "user session 1 of uid 1000",
            ),
            (
                "/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-1234.scope",
                "user service app-firefox-1234.scope of uid 1000",
            ),
            ("/", "root cgroup"),
            ("/oomlab-single", "cgroup /oomlab-single"),
            ("", "cgroup (empty path)"),
        ];
        for (path, label) in cases {
            assert_eq!(decode(path).label(path), label, "path {path:?}");
        }
    }

    #[test]
    fn labels_survive_missing_fields() {
        // Deserialized or hand-built values may lack fields their kind usually has.
        assert_eq!(
            base(K::KubernetesContainer).label(""),
            "kubernetes container"
        );
        assert_eq!(base(K::KubernetesPod).label(""), "kubernetes pod");
        assert_eq!(base(K::Docker).label(""), "docker container");
        assert_eq!(base(K::Lxc).label(""), "lxc container");
        assert_eq!(base(K::Machine).label(""), "machine");
        assert_eq!(base(K::SystemService).label(""), "systemd service");
        assert_eq!(base(K::UserSession).label(""), "user session");
        let odd = Container {
            container_id: s("é"),
            ..base(K::Containerd)
        };
        assert_eq!(odd.label(""), "containerd container é");
    }

    #[test]
    fn serde_shape() {
        let c = decode(&format!(
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poddfc377c9_c533_4d51_af9e_6e0e0b3db83b.slice/cri-containerd-{ID}.scope"
        ));
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"kind":"kubernetes_container","runtime":"containerd","pod_uid":"dfc377c9-c533-4d51-af9e-6e0e0b3db83b","qos_class":"Burstable","container_id":"{ID}","cgroup_driver":"systemd"}}"#
            )
        );
        assert_eq!(serde_json::from_str::<Container>(&json).unwrap(), c);
        assert_eq!(
            serde_json::to_string(&decode("/")).unwrap(),
            r#"{"kind":"root"}"#
        );
    }

    // ---- robustness ----

    #[test]
    fn odd_inputs_do_not_panic() {
        let fragments = [
            "",
            "/",
            "//",
            "kubepods",
            "kubepods.slice",
            "-kubepods.slice",
            "kubepods-burstable",
            "burstable",
            ".slice",
            ".scope",
            ".service",
            "pod",
            "pod5931aa75_4603_4e65_b552_7c71cf55cfb5",
            "-",
            "_",
            "\\x",
            "\\x2",
            "\\x2d",
            "\\xff",
            "\\xc3",
            "é",
            "💥",
            "\u{fffd}",
            "docker",
            "docker-",
            "crio-conmon-",
            "libpod-",
            "lxc",
            "lxc.payload.",
            "lxc.monitor",
            "machine",
            "machine-",
            ".libvirt-qemu",
            "systemd-nspawn@",
            "user@",
            "user-",
            "1000",
            "session-",
            ID,
            &ID[..32],
            "\0",
            " ",
        ];
        // A small xorshift keeps the test deterministic without extra dependencies.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = next() % 12;
            let mut path = String::new();
            for _ in 0..len {
                path.push_str(fragments[(next() % fragments.len() as u64) as usize]);
                if next() % 3 == 0 {
                    path.push('/');
                }
            }
            let c = decode(&path);
            assert!(!c.label(&path).is_empty());
            if let Some(id) = &c.container_id {
                assert!(is_id(id.as_log_str(), 32), "{path:?} gave id {id:?}");
            }
            if let Some(uid) = &c.pod_uid {
                assert!(
                    uid.len() == 36 || uid.len() == 32,
                    "{path:?} gave uid {uid:?}"
                );
            }
        }
    }

    #[test]
    fn very_long_paths_are_linear() {
        // 200k components: quadratic work here would take minutes.
        let many = "/a".repeat(200_000);
        assert_eq!(decode(&many).kind, K::Other);

        let nested = format!(
            "{}/pod5931aa75-4603-4e65-b552-7c71cf55cfb5",
            "/kubepods".repeat(100_000)
        );
        let c = decode(&nested);
        assert_eq!(c.kind, K::KubernetesPod);
        assert_eq!(
            c.pod_uid.as_log_str(),
            Some("5931aa75-4603-4e65-b552-7c71cf55cfb5")
        );

        let units = "/x.slice".repeat(100_000) + "/last.service";
        assert_eq!(decode(&units).unit.as_log_str(), Some("last.service"));

        let escapes = format!("/system.slice/{}.service", "\\x2d".repeat(250_000));
        let c = decode(&escapes);
        assert_eq!(c.kind, K::SystemService);
        assert_eq!(c.unit.map(|u| u.len()), Some(250_000 + ".service".len()));

        let users = "/user-1000.slice".repeat(100_000) + "/session-7.scope";
        let c = decode(&users);
        assert_eq!((c.kind, c.user_id), (K::UserSession, Some(1000)));
    }
}

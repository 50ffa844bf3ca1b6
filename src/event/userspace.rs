//! Who killed it: the userspace OOM killers' kills, and the service manager's side of
//! every kill (issue 17).
//!
//! The kernel's OOM killer is one of several killers on a Linux machine: systemd-oomd,
//! earlyoom, Meta's oomd, nohang, Android's lmkd, Talos' OOM controller and the
//! kubelet's eviction manager each kill by rules of their own, before the kernel would.
//! Their lines are read here into events of their own ([`Killer`] names who killed;
//! [`UserKill`] holds what was killed, the rule that fired in that killer's terms, the
//! memory the log states and the evidence lines). systemd's unit lines about a kill
//! (`A process of this unit has been killed by the OOM killer.`, `Failed with result
//! 'oom-kill'`) are linked to the kernel's event of that kill as [`UnitFacts`], or, with
//! no kernel lines in the log, make an event of the kernel's kill as systemd reports it.
//!
//! The formats were read in each killer's sources (cited per pattern below; see also
//! `docs/killers.md`). Every kill belongs to exactly one killer: a userspace line is
//! never read as kernel text (nohang's `kmsg: Out of memory: …` copies are dropped; Meta's
//! oomd and Talos write their own kills into the kernel log and are read as theirs).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::event::assemble::{Assembler, wall_gap};
use crate::event::kinds::Marker;
use crate::event::{OomEvent, SourceSpan};
use crate::record::{Origin, Record, Wall};
use crate::text::LogString;

/// Who killed.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Killer {
    /// The kernel's OOM killer.
    #[default]
    Kernel,
    /// systemd-oomd (systemd v247+).
    SystemdOomd,
    /// earlyoom.
    Earlyoom,
    /// Meta's (Facebook's) standalone oomd.
    Oomd,
    /// nohang.
    Nohang,
    /// Android's lmkd (`lowmemorykiller` log tag).
    Lmkd,
    /// The kubelet's eviction manager.
    KubeletEviction,
    /// Talos' OOM controller (machined).
    TalosOomController,
    /// Android's old in-kernel lowmemorykiller driver (drivers/staging/android/
    /// lowmemorykiller.c, Linux 2.6.29–4.11): a shrinker in the kernel, not the kernel's
    /// OOM killer (mm/oom_kill.c) and not the userspace lmkd.
    AndroidLmkKernel,
}

impl Killer {
    /// Every killer, in the order summaries list them.
    pub const ALL: [Killer; 9] = [
        Killer::Kernel,
        Killer::SystemdOomd,
        Killer::Earlyoom,
        Killer::Oomd,
        Killer::Nohang,
        Killer::Lmkd,
        Killer::KubeletEviction,
        Killer::TalosOomController,
        Killer::AndroidLmkKernel,
    ];

    /// The name as the JSON contract and `--killer` spell it.
    pub fn key(self) -> &'static str {
        match self {
            Killer::Kernel => "kernel",
            Killer::SystemdOomd => "systemd-oomd",
            Killer::Earlyoom => "earlyoom",
            Killer::Oomd => "oomd",
            Killer::Nohang => "nohang",
            Killer::Lmkd => "lmkd",
            Killer::KubeletEviction => "kubelet-eviction",
            Killer::TalosOomController => "talos-oom-controller",
            Killer::AndroidLmkKernel => "android-lmk-kernel",
        }
    }

    /// The killer named `s` (its key, any case; `kubelet` and `talos` as short forms).
    pub fn parse(s: &str) -> Option<Killer> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "kubelet" | "eviction" => return Some(Killer::KubeletEviction),
            "talos" => return Some(Killer::TalosOomController),
            "lowmemorykiller" => return Some(Killer::Lmkd),
            "lmk-kernel" | "lowmemorykiller-driver" => return Some(Killer::AndroidLmkKernel),
            _ => {}
        }
        Killer::ALL.into_iter().find(|k| k.key() == s)
    }

    /// Whether this is the kernel's OOM killer.
    pub fn is_kernel(&self) -> bool {
        *self == Killer::Kernel
    }
}

/// The rule that fired, in the killer's own terms, with the numbers the log states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rule {
    /// Memory pressure (PSI) on `cgroup` above a limit for a while: systemd-oomd's
    /// `ManagedOOMMemoryPressure=` (v247 prints the limit as an integer and no pressure).
    MemoryPressure {
        /// The monitored cgroup.
        cgroup: Option<LogString>,
        /// The pressure, %.
        pressure_pct: Option<f64>,
        /// The limit, %.
        limit_pct: Option<f64>,
        /// How long it lasted, as printed (`20s`, `1min 30s`).
        duration: Option<LogString>,
    },
    /// Memory and swap used above a limit: systemd-oomd's `ManagedOOMSwap=`.
    SwapUsed {
        /// Memory used, bytes (v249+).
        memory_used_bytes: Option<u64>,
        /// Memory total, bytes.
        memory_total_bytes: Option<u64>,
        /// Swap used, bytes.
        swap_used_bytes: Option<u64>,
        /// Swap total, bytes.
        swap_total_bytes: Option<u64>,
        /// The limit, %.
        limit_pct: Option<f64>,
    },
    /// systemd-oomd v261 `OOMRules`: a named rule met for a cgroup.
    OomRule {
        /// The rule's name.
        name: LogString,
        /// The cgroup.
        cgroup: LogString,
        /// How long its conditions lasted, as printed.
        lasting: Option<LogString>,
        /// The action taken.
        action: LogString,
    },
    /// earlyoom: available memory and free swap at or below the limits of a signal.
    BelowLimits {
        /// The signal the limits are for.
        signal: LogString,
        /// Memory limit, %.
        mem_pct: Option<f64>,
        /// Swap limit, %.
        swap_pct: Option<f64>,
    },
    /// nohang: `MemAvailable [...] <= soft_threshold_min_mem [...]` and the swap line.
    Thresholds {
        /// `soft`, `hard` (or `warning`) as printed.
        level: LogString,
        /// Available memory, MiB.
        mem_mib: Option<f64>,
        /// Its threshold, MiB.
        mem_limit_mib: Option<f64>,
        /// Free swap, MiB.
        swap_mib: Option<f64>,
        /// Its threshold, MiB.
        swap_limit_mib: Option<f64>,
    },
    /// Meta's oomd `pressure_above` detector: 10 s pressure over a threshold.
    PressureAbove {
        /// 10 s pressure.
        pressure: Option<f64>,
        /// The threshold.
        threshold: Option<f64>,
        /// For how long, s.
        duration_s: Option<u64>,
        /// Total usage, MB.
        usage_mb: Option<u64>,
        /// The ruleset that fired, when the log names it.
        ruleset: Option<LogString>,
        /// The action run.
        action: Option<LogString>,
    },
    /// Android lmkd: its stated reason (`min watermark is breached even after kill`).
    Lmkd {
        /// The reason as printed.
        reason: LogString,
        /// The victim's `oom_score_adj` (its rank among apps).
        oom_score_adj: Option<i32>,
    },
    /// The kubelet's eviction manager: a resource over its eviction threshold.
    Eviction {
        /// The resource (`memory`, `ephemeral-storage`, …).
        resource: LogString,
    },
    /// Android's in-kernel lowmemorykiller driver: free memory and file cache both below
    /// a `minfree` level, so every process at or above that level's `oom_score_adj` may
    /// be killed (the highest adj first, the largest among equals).
    Minfree {
        /// File cache, kB (`cache N kB`).
        cache_kb: Option<i64>,
        /// The `minfree` level it is below, kB (`below limit N kB`).
        limit_kb: Option<i64>,
        /// The lowest `oom_score_adj` that level lets the driver kill.
        min_adj: Option<i32>,
        /// Free memory above the reserve, kB (`Free memory is N kB above reserved`;
        /// negative when below it).
        free_kb: Option<i64>,
        /// The task whose allocation ran the shrinker (`on behalf of 'kswapd0' (442)`).
        on_behalf_of: Option<LogString>,
    },
}

/// A rule with the line that states it, quoted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The rule.
    pub rule: Rule,
    /// The text of the log that states it, verbatim.
    pub text: LogString,
    /// Its line.
    pub line: u64,
}

/// Memory and swap as a killer's status line states them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemStatus {
    /// Available memory, MiB.
    pub mem_avail_mib: Option<f64>,
    /// Total memory, MiB.
    pub mem_total_mib: Option<f64>,
    /// Available memory, %.
    pub mem_pct: Option<f64>,
    /// Free swap, MiB.
    pub swap_free_mib: Option<f64>,
    /// Total swap, MiB.
    pub swap_total_mib: Option<f64>,
    /// Free swap, %.
    pub swap_pct: Option<f64>,
    /// The line.
    pub line: u64,
}

/// A process a kill line names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserTask {
    /// PID.
    pub pid: u32,
    /// Name, when printed.
    pub comm: Option<LogString>,
}

/// Who reported a kernel kill when the kernel's own lines are not in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reporter {
    /// systemd's unit notice.
    Systemd,
    /// The kubelet's OOM watcher (`SystemOOM` node event: `System OOM encountered`).
    Kubelet,
    /// Docker's `container oom` event.
    Docker,
    /// BCC's `oomkill` tracer (`OOM kill of PID N ("comm")`).
    Tracer,
}

/// What a userspace killer's lines state about one kill (or, with `reporter`, what a
/// service manager states about a kernel kill whose kernel lines are missing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserKill {
    /// The killed process, when named.
    pub pid: Option<u32>,
    /// Its name as printed.
    pub comm: Option<LogString>,
    /// Its uid.
    pub uid: Option<u32>,
    /// The killed cgroup, unit, pod or container, as printed.
    pub target: Option<LogString>,
    /// Processes the lines name (systemd-oomd's debug lines, oomd's `Killed N:`).
    pub tasks: Vec<UserTask>,
    /// How many processes the log says were killed.
    pub count: Option<u64>,
    /// The signal sent last (`SIGTERM`, `SIGKILL`).
    pub signal: Option<LogString>,
    /// The rule that fired.
    pub decision: Option<Decision>,
    /// The killer's own score of the victim (earlyoom `badness`/`oom_score`, nohang
    /// `badness`).
    pub badness: Option<i64>,
    /// The victim's `oom_score_adj`.
    pub oom_score_adj: Option<i32>,
    /// The victim's resident memory as printed, kB.
    pub rss_kb: Option<u64>,
    /// Swap the kill frees, kB (lmkd).
    pub swap_kb: Option<u64>,
    /// Memory as the killer's last status line before the kill states it.
    pub memory: Option<MemStatus>,
    /// Seconds until the victim exited, as the killer says.
    pub exited_after_s: Option<f64>,
    /// Seconds after which it escalated to SIGKILL.
    pub escalated_after_s: Option<f64>,
    /// The killer says the victim did not exit.
    pub did_not_exit: bool,
    /// The kill failed: the error as printed (`Killed 0: …[E1]`, `kill failed: …`).
    pub failed: Option<LogString>,
    /// The kill line is cut short in the log.
    pub cut: bool,
    /// The report aggregates repeats, as printed (the kubelet's `x4 over 25m`).
    pub repeated: Option<LogString>,
    /// The lines of the kill, in order.
    pub lines: Vec<u64>,
    /// The kernel's OOM killer killed the same process shortly after: its kill line.
    pub kernel_kill_line: Option<u64>,
    /// Set when this is the kernel's kill as a service manager reports it.
    pub reporter: Option<Reporter>,
}

/// systemd's unit lines about a kill: which unit died, with what result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnitFacts {
    /// The unit the kill was in (the deepest one that reported it).
    pub unit: LogString,
    /// Who systemd says killed (the kernel or systemd-oomd).
    pub by: Killer,
    /// Processes systemd-oomd killed in it, as the notice states.
    pub processes: Option<u64>,
    /// `Failed with result '…'`.
    pub result: Option<LogString>,
    /// `Main process exited, …` as printed.
    pub main_exit: Option<LogString>,
    /// `Scheduled restart job, restart counter is at N`: systemd restarted it.
    pub restart_counter: Option<u64>,
    /// Parent units that repeated the notice (memory.events is hierarchical).
    pub ancestors: Vec<LogString>,
    /// The unit lines.
    pub lines: Vec<u64>,
}

/// A kill by another killer of the same process: the kernel event's link to a
/// userspace attempt before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KillLink {
    /// The other killer.
    pub killer: Killer,
    /// The pid.
    pub pid: Option<u32>,
    /// The signal it sent.
    pub signal: Option<LogString>,
    /// Its kill line.
    pub line: u64,
}

// ---- the lines ------------------------------------------------------------------

/// Literals every userspace line read here holds (the prefilter's markers; anchors
/// chosen for first bytes rare in log text).
pub static MARKERS: &[Marker] = &[
    // Anchors shared with the kernel's where they can be (`kill`, `Killed `, `Kill `,
    // `OOM e`, `pressure`, ` SIG` with the literal's leading space), each 4 bytes or
    // more (a 3-byte one drops Teddy to 3-byte fingerprints for all), with first bytes
    // rare in ordinary text (`Kill` alone is in every kubelet `OOMKilled` line): with
    // the kernel's they fit one Teddy searcher (32 patterns; `kinds::ANCHOR_ORDER`).
    // earlyoom's v1.1/v1.2 `Killing process …` lines pass by their `badness`.
    //
    // systemd-oomd (src/oom/oomd-manager.c, oomd-util.c; v247–v261).
    Marker::new(" due to memory pressure for ", "pressure"),
    Marker::new("Memory pressure for ", "pressure"),
    Marker::new("Killed /", "Killed "),
    Marker::new("for killing due to", "kill"),
    Marker::new("oomd attempting to kill", "kill"),
    Marker::new("taking action kill", "kill"),
    // systemd's unit side (src/core/cgroup.c, unit.c, service.c; v243–v261).
    Marker::new("killed by the OOM killer", "kill"),
    Marker::new("OOM killer killed some", "kill"),
    Marker::new("systemd-oomd killed ", "kill"),
    Marker::new("Failed with result '", "h result"),
    Marker::new("code=killed, status=9/KILL", "kill"),
    Marker::new("Scheduled restart job", "Scheduled restart"),
    // earlyoom (kill.c, main.c, meminfo.c; v1.1–v1.9).
    Marker::new("at or below SIG", "t or below"),
    Marker::new("At or below sig", "t or below"),
    Marker::new("sending SIG", " SIG"),
    Marker::new("badness", "badness"),
    Marker::new("mem avail: ", "vail"),
    Marker::new("escalating to SIGKILL", " SIG"),
    Marker::new("kill failed: ", "kill"),
    Marker::new("killing process ", "kill"),
    // nohang (src/nohang, 2019–2024).
    Marker::new(" SIGTERM to the victim", " SIG"),
    Marker::new(" SIGKILL to the victim", " SIG"),
    Marker::new("the command: kill", "kill"),
    Marker::new("MemAvailable [", "vail"),
    // The memory status `MemAvailable: X MiB, SwapFree: Y MiB` (2019 builds, before and
    // after the action).
    Marker::new("MemAvailable: ", "vail"),
    // Meta's oomd (src/oomd/plugins/BaseKillPlugin.cpp, PressureAbove.cpp, Ruleset.cpp).
    Marker::new("10s pressure ", "pressure"),
    Marker::new("Running Action=kill", "kill"),
    Marker::new("] Killed ", "Killed "),
    Marker::new("oomd kill: ", "kill"),
    // Android lmkd (lmkd.cpp, Android 11–14).
    Marker::new("Kill '", "Kill "),
    // Android's in-kernel lowmemorykiller driver (drivers/staging/android/
    // lowmemorykiller.c): `lowmemorykiller: Killing '%s' (%d), adj %hd,` (its three
    // continuation lines, one printk and one line each in dmesg, are read in the window
    // the kill line opens); 2.6.29–3.x `send sigkill to %d (%s), adj %d, size %d`.
    Marker::new("lowmemorykiller", "kill"),
    Marker::new("send sigkill to ", "kill"),
    // kubelet eviction manager (pkg/kubelet/eviction/eviction_manager.go).
    Marker::new("must evict pod(s)", "evict"),
    Marker::new("evicted successfully", "evict"),
    // The evicted pod's status message (`kubectl describe pod`, events): eviction.go.
    Marker::new("The node was low on resource: ", "low on resource"),
    // kubelet OOM watcher (pkg/kubelet/oom/oom_watcher_linux.go), Docker's events, bcc.
    Marker::new("System OOM encountered", "OOM e"),
    Marker::new(" container oom ", " oom "),
    Marker::new("OOM kill of PID ", "kill"),
    // Talos (internal/app/machined/pkg/controllers/runtime/oom.go, v1.12+).
    Marker::new(" SIGKILL to cgroup", " SIG"),
    Marker::new(" SIGKILL TO CGROUP", " SIG"),
];

/// What one userspace line says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ULine {
    /// systemd-oomd `Killed <cgroup> due to …` (`Marked <cgroup> for killing …`, v260+).
    OomdKill {
        target: String,
        decision: Rule,
        text: String,
        cut: bool,
    },
    /// systemd-oomd v247/v248-rc: a kill whose victim is not named.
    OomdUnnamed { decision: Rule, text: String },
    /// systemd-oomd's debug pressure line (the reason of a cut `Killed` line).
    OomdPressure { decision: Rule, text: String },
    /// systemd-oomd v261 `Rule '…' conditions met …`.
    OomdRuleMet { decision: Rule, text: String },
    /// systemd-oomd debug `oomd attempting to kill N with SIG`.
    OomdAttempt { pid: u32, signal: String },
    /// A unit notice of a kill (kernel or systemd-oomd).
    UnitNotice {
        unit: String,
        by: Killer,
        processes: Option<u64>,
    },
    /// `Failed with result '…'`.
    UnitResult { unit: String, result: String },
    /// `Main process exited, code=killed, status=9/KILL`.
    UnitExit { unit: String, text: String },
    /// `Scheduled restart job, restart counter is at N.`
    UnitRestart { unit: String, counter: Option<u64> },
    /// earlyoom's limits line.
    EoLimits { decision: Rule, text: String },
    /// earlyoom's kill line.
    EoKill(EoKill),
    /// `escalating to SIGKILL after X seconds`.
    EoEscalated { secs: Option<f64> },
    /// `process [N ]exited after X seconds`.
    EoExited { pid: Option<u32>, secs: Option<f64> },
    /// `process N did not exit`.
    EoNoExit,
    /// `kill failed: …`.
    EoFailed { error: String },
    /// earlyoom's status line.
    EoStatus(MemStatus),
    /// nohang: the thresholds crossed.
    NhThreshold {
        level: String,
        mem: Option<(f64, f64)>,
        swap: Option<(f64, f64)>,
        text: String,
    },
    /// nohang: the victim found (`PID: N, Name: X, badness: B`).
    NhVictim {
        pid: u32,
        comm: String,
        badness: Option<i64>,
    },
    /// nohang: `Victim VmRSS: N KiB`.
    NhRss { kb: u64 },
    /// nohang's corrective action: a signal sent, or a command run.
    NhAction {
        signal: Option<String>,
        command: Option<String>,
    },
    /// nohang: `MemAvailable: X MiB, SwapFree: Y MiB` (before or after an action).
    NhStatus(MemStatus),
    /// A line nohang relays from the kernel log (`kmsg: …`): the kernel's, not a kill here.
    Relayed,
    /// Meta oomd's detector line.
    FbDetector { decision: Rule, text: String },
    /// Meta oomd's ruleset line.
    FbRuleset { ruleset: String },
    /// Meta oomd's action line.
    FbAction { action: String },
    /// Meta oomd's `Killed N: pid(comm) …`.
    FbKilled {
        count: u64,
        tasks: Vec<UserTask>,
        failed: Option<String>,
    },
    /// Meta oomd's kill record in the kernel log: `oomd kill: … <cgroup> …`.
    FbKmsg {
        cgroup: String,
        plugin: Option<String>,
    },
    /// Meta oomd's `Picked "<cgroup>" …`.
    FbPicked { cgroup: String },
    /// An lmkd kill.
    Lmkd(LmkdKill),
    /// Android 8–9 lmkd's second line of a kill: `to free N kB because …`.
    LmkdFree {
        kb: Option<u64>,
        reason: String,
        text: String,
    },
    /// The in-kernel lowmemorykiller driver: a kill line and what its continuation lines
    /// (or, joined, the same line) state.
    Lmk(LmkLine),
    /// kubelet: `must evict pod(s) to reclaim <resource>`.
    Evict { resource: String, text: String },
    /// kubelet: `pod … evicted successfully`.
    Evicted { pod: String },
    /// An evicted pod's status message: `The node was low on resource: memory. …`.
    EvictedStatus { resource: String, text: String },
    /// Talos: `Sending SIGKILL to cgroup …`.
    Talos { cgroup: Option<String> },
    /// The kubelet's report of a kernel OOM kill.
    KubeletOom {
        pid: Option<u32>,
        comm: Option<String>,
        by: Reporter,
        /// The event's aggregation (`x4 over 25m`) and its count.
        repeated: Option<(u64, String)>,
    },
    /// Docker's report of a kernel OOM kill in a container.
    DockerOom { id: String, name: Option<String> },
}

/// An earlyoom kill line.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct EoKill {
    pid: Option<u32>,
    uid: Option<u32>,
    comm: Option<String>,
    signal: Option<String>,
    badness: Option<i64>,
    adj: Option<i32>,
    rss_mib: Option<u64>,
}

/// An lmkd kill line.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LmkdKill {
    pid: u32,
    comm: String,
    uid: Option<u32>,
    adj: Option<i32>,
    rss_kb: Option<u64>,
    swap_kb: Option<u64>,
    reason: Option<String>,
    text: String,
}

/// The driver's `cache N kB is below limit N kB for oom_score_adj N`: the numbers and the
/// text.
type LmkCache = (Option<i64>, Option<i64>, Option<i32>, String);

/// What one line of the in-kernel lowmemorykiller driver states: a kill (`Killing '…'`,
/// `send sigkill to …`) or its continuation lines; a line joined from the printk's
/// pieces states several.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LmkLine {
    /// The victim, when this is a kill line.
    kill: Option<(u32, String)>,
    adj: Option<i32>,
    /// `to free N kB`.
    free_kb: Option<u64>,
    /// `on behalf of '<comm>' (<pid>)`, and the piece's text.
    caller: Option<(String, String)>,
    /// `cache N kB is below limit N kB for oom_score_adj N`, and its text.
    cache: Option<LmkCache>,
    /// `Free memory is N kB above reserved`.
    reserve_kb: Option<i64>,
}

/// Whether `body` holds a marker of a userspace line (for lines of programs and lines
/// of unknown origin: one multi-string search).
fn has_marker(body: &[u8]) -> bool {
    use std::sync::LazyLock;
    static AC: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(MARKERS.iter().map(|m| m.text)).expect("valid literals")
    });
    AC.is_match(body)
}

/// The userspace line `rec` is, if it is one. Kernel lines cost a few byte compares:
/// only text userspace writes into the kernel log (`systemd[1]: …`, `[talos] …`,
/// `oomd kill: …`) is looked at. Inside a window (`in_window`) a line needs no marker.
pub(crate) fn classify(rec: &Record<'_>, in_window: bool) -> Option<ULine> {
    let body = rec.body;
    let tag = rec.tag.unwrap_or(b"");
    if rec.origin == Origin::Kernel {
        let relayed = body.starts_with(b"systemd[")
            || body.starts_with(b"[talos]")
            || body.starts_with(b"oomd kill:")
            || lmk_kernel_text(body);
        if !relayed {
            return None;
        }
    }
    let marked = has_marker(body);
    if !(marked || in_window) {
        return None;
    }
    let text = String::from_utf8_lossy(body);
    let text = text.as_ref();
    let tag = std::str::from_utf8(tag).unwrap_or("");
    // A window's lines are read only inside one (marker or not); the rest need a marker.
    line(tag, text).filter(|l| if window_only(l) { in_window } else { marked })
}

/// Reads one message of program `tag` (empty when the line names none).
fn line(tag: &str, text: &str) -> Option<ULine> {
    // A program writing into the kernel log: its own prefix.
    let text = match text.strip_prefix("systemd[") {
        Some(rest) => rest.split_once("]: ").map_or(text, |(_, t)| t),
        None => text,
    };
    if tag == "nohang" || text.starts_with("kmsg: ") {
        if text.starts_with("kmsg: ") {
            return Some(ULine::Relayed);
        }
        if let Some(l) = nohang(text) {
            return Some(l);
        }
    }
    if let Some(l) = systemd_oomd(text) {
        return Some(l);
    }
    if let Some(l) = unit(text) {
        return Some(l);
    }
    if let Some(l) = earlyoom(tag, text) {
        return Some(l);
    }
    if let Some(l) = meta_oomd(tag, text) {
        return Some(l);
    }
    if let Some(l) = lmkd(text) {
        return Some(l);
    }
    if let Some(l) = lmk_kernel(text) {
        return Some(l);
    }
    if let Some(l) = kubelet(text) {
        return Some(l);
    }
    if let Some(l) = talos(text) {
        return Some(l);
    }
    if let Some(l) = reported(text) {
        return Some(l);
    }
    if tag.is_empty() {
        return nohang(text);
    }
    None
}

/// The number at the start of `s` (digits, `.`), as f64.
fn num(s: &str) -> Option<f64> {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    s[..end].parse().ok()
}

/// The integer at the start of `s` (an optional `-`, digits).
fn int(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let neg = s.starts_with('-');
    let digits = if neg { &s[1..] } else { s };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let v: i64 = digits[..end].parse().ok()?;
    Some(if neg { -v } else { v })
}

/// The text after `key` in `s`.
fn after<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    s.find(key).map(|i| &s[i + key.len()..])
}

/// The text between `a` and the next `b` after it.
fn between<'a>(s: &'a str, a: &str, b: &str) -> Option<&'a str> {
    let rest = after(s, a)?;
    rest.find(b).map(|i| &rest[..i])
}

fn signal_name(n: i64) -> String {
    match n {
        15 => "SIGTERM".into(),
        9 => "SIGKILL".into(),
        n => format!("signal {n}"),
    }
}

// systemd-oomd, src/oom/oomd-manager.c:
// v248–v259 `Killed %s due to memory pressure for %s being %lu.%02lu%% > %lu.%02lu%% for > %s
// with reclaim activity`; v249–v259 `Killed %s due to memory used (%) / total (%) and swap
// used (%) / total (%) being more than %s` (v248: `due to swap used (%) / total (%) being
// more than`); v260+ `Marked %s for killing due to …`; v247 (and v248-rc) `Memory pressure
// for %s is greater than %lu for more than %lu seconds and there was reclaim activity`
// (no victim); debug (oomd-util.c) `oomd attempting to kill %d with %s`; v261.2 `Rule '%s'
// conditions met for cgroup %s (lasting %s), taking action %s`.
fn systemd_oomd(text: &str) -> Option<ULine> {
    let t = text.trim_end_matches(['>', '…']);
    let cut = t.len() != text.len();
    let killed = text
        .strip_prefix("Killed ")
        .map(|r| (r, " due to "))
        .or_else(|| {
            text.strip_prefix("Marked ")
                .map(|r| (r, " for killing due to "))
        });
    if let Some((rest, sep)) = killed
        && let Some(at) = rest.find(sep)
    {
        let target = rest[..at].to_string();
        let why = &t[t.find(sep)? + sep.len()..];
        let decision = oomd_reason(why)?;
        let reason_text = &text[text.find(sep)? + sep.len()..];
        let full = why.ends_with("reclaim activity") || why.ends_with('%');
        return Some(ULine::OomdKill {
            target,
            decision,
            text: reason_text.to_string(),
            cut: cut || !full,
        });
    }
    if let Some(rest) = text.strip_prefix("Memory pressure for ") {
        if let Some((cg, r)) = rest.split_once(" is greater than ") {
            let limit = num(r);
            let secs = between(r, "for more than ", " seconds").map(|s| format!("{s}s"));
            return Some(ULine::OomdUnnamed {
                decision: Rule::MemoryPressure {
                    cgroup: Some(cg.into()),
                    pressure_pct: None,
                    limit_pct: limit,
                    duration: secs.map(Into::into),
                },
                text: text.to_string(),
            });
        }
        if let Some((cg, r)) = rest.split_once(" is ") {
            let decision = pressure_numbers(cg, r)?;
            return Some(ULine::OomdPressure {
                decision,
                text: text.to_string(),
            });
        }
        return None;
    }
    if let Some(rest) = text.strip_prefix("oomd attempting to kill ") {
        let pid = int(rest)? as u32;
        let signal = after(rest, " with ").unwrap_or("KILL").trim();
        return Some(ULine::OomdAttempt {
            pid,
            signal: format!("SIG{signal}"),
        });
    }
    if let Some(rest) = text.strip_prefix("Rule '")
        && let Some((name, r)) = rest.split_once("' conditions met for cgroup ")
    {
        let (head, action) = r.split_once(", taking action ")?;
        let (cgroup, lasting) = match head.split_once(" (lasting ") {
            Some((c, l)) => (c, Some(l.trim_end_matches(')'))),
            None => (head, None),
        };
        return Some(ULine::OomdRuleMet {
            decision: Rule::OomRule {
                name: name.into(),
                cgroup: cgroup.into(),
                lasting: lasting.map(Into::into),
                action: action.trim().into(),
            },
            text: text.to_string(),
        });
    }
    None
}

/// `memory pressure for X being P% > L% for > D with reclaim activity`, or the swap rule.
fn oomd_reason(why: &str) -> Option<Rule> {
    if let Some(rest) = why.strip_prefix("memory pressure for ") {
        let (cg, r) = rest.split_once(" being ").unwrap_or((rest, ""));
        return pressure_numbers(cg, r).or(Some(Rule::MemoryPressure {
            cgroup: Some(cg.into()),
            pressure_pct: None,
            limit_pct: None,
            duration: None,
        }));
    }
    let bytes = |key: &str| between(why, key, ")").and_then(|s| s.trim().parse::<u64>().ok());
    if why.starts_with("memory used (") || why.starts_with("swap used (") {
        let (mem_used, mem_total) = if why.starts_with("memory used (") {
            (bytes("memory used ("), bytes("total ("))
        } else {
            (None, None)
        };
        let swap = after(why, "swap used (")?;
        let swap_used = swap
            .split(')')
            .next()
            .and_then(|s| s.trim().parse::<u64>().ok());
        let swap_total = between(swap, "total (", ")").and_then(|s| s.trim().parse::<u64>().ok());
        let limit = after(why, "being more than ").and_then(num);
        return Some(Rule::SwapUsed {
            memory_used_bytes: mem_used,
            memory_total_bytes: mem_total,
            swap_used_bytes: swap_used,
            swap_total_bytes: swap_total,
            limit_pct: limit,
        });
    }
    None
}

/// `P% > L% for > D with reclaim activity` for cgroup `cg`.
fn pressure_numbers(cg: &str, r: &str) -> Option<Rule> {
    let (p, rest) = r.split_once("% > ")?;
    let limit = num(rest);
    let duration = between(rest, "for > ", " with")
        .or_else(|| after(rest, "for > "))
        .map(|d| d.trim().into());
    Some(Rule::MemoryPressure {
        cgroup: Some(cg.into()),
        pressure_pct: num(p),
        limit_pct: limit,
        duration,
    })
}

/// Unit suffixes systemd names units with.
const UNIT_SUFFIXES: &[&str] = &[
    ".service",
    ".scope",
    ".slice",
    ".socket",
    ".mount",
    ".swap",
    ".target",
    ".timer",
    ".path",
    ".device",
    ".automount",
];

// src/core/cgroup.c (v243–v258 `A process of this unit has been killed by the OOM killer.`,
// v259+ `The kernel OOM killer killed some processes in this unit.`, v247+ `systemd-oomd
// killed %lu process(es) in this unit.`, v252+ `… some process(es) …`); service.c/scope.c
// debug `Process of control group was killed by the OOM killer.`; unit.c `Failed with result
// '%s'.`; service.c `Main process exited, code=%s, status=%s` and `Scheduled restart job,
// restart counter is at %u.`.
fn unit(text: &str) -> Option<ULine> {
    let (unit, msg) = text.split_once(": ")?;
    if unit.contains(' ') || !UNIT_SUFFIXES.iter().any(|s| unit.ends_with(s)) {
        return None;
    }
    let unit = unit.to_string();
    if msg.starts_with("A process of this unit has been killed by the OOM killer")
        || msg.starts_with("The kernel OOM killer killed some processes in this unit")
        || msg.starts_with("Process of control group was killed by the OOM killer")
    {
        return Some(ULine::UnitNotice {
            unit,
            by: Killer::Kernel,
            processes: None,
        });
    }
    if let Some(rest) = msg.strip_prefix("systemd-oomd killed ") {
        return Some(ULine::UnitNotice {
            unit,
            by: Killer::SystemdOomd,
            processes: int(rest).map(|n| n as u64),
        });
    }
    if let Some(rest) = msg.strip_prefix("Failed with result '") {
        let result = rest.split('\'').next()?.to_string();
        return Some(ULine::UnitResult { unit, result });
    }
    if msg.starts_with("Main process exited, ") && msg.contains("status=9/KILL") {
        let text = msg.trim_start_matches("Main process exited, ").to_string();
        return Some(ULine::UnitExit { unit, text });
    }
    if let Some(rest) = msg.strip_prefix("Scheduled restart job") {
        let counter = after(rest, "counter is at ")
            .and_then(int)
            .map(|n| n as u64);
        return Some(ULine::UnitRestart { unit, counter });
    }
    None
}

// earlyoom, kill.c and main.c: v1.1 `Killing process: %s, pid: %d, badness: %d, VmRSS: %lu
// MiB`; v1.2 `Killing process '%s' with signal %d, pid: %d, badness: %d, VmRSS: %lu MiB` and
// `Low Memory! At or below sigterm limits (mem: %d %%, swap: %d %%)`; v1.3 pre-release
// `killing process %d "%s" with signal %d: badness %d, VmRSS %lu MiB`; v1.3–v1.7 `sending %s
// to process %d [uid %d] "%s": badness %d, VmRSS %lu MiB`; v1.8 `…: oom_score %d, VmRSS %lld
// MiB, cmdline "%s"`; v1.9 `…: oom_score %d, oom_score_adj %d, VmRSS …`; v1.3+ `low memory!
// at or below SIGTERM limits: mem %d %%, swap %d %%` (v1.5+ `mem %5.2lf%%`); meminfo.c `mem
// avail: %lld of %lld MiB (%5.2lf%%), swap free: …`; `escalating to SIGKILL after %.1f
// seconds`, `process [%d ]exited after %.1f seconds`, `process %d did not exit`, `kill
// failed: %s`.
fn earlyoom(tag: &str, text: &str) -> Option<ULine> {
    // Other programs send signals too: without earlyoom's tag, its shape (the quoted
    // name, then its score).
    let shaped =
        |r: &str| tag == "earlyoom" || r.contains("\": badness ") || r.contains("\": oom_score ");
    if let Some(rest) = text.strip_prefix("sending ")
        && let Some((sig, r)) = rest.split_once(" to process ")
        && shaped(r)
    {
        let mut k = EoKill {
            pid: int(r).map(|n| n as u32),
            signal: Some(sig.to_string()),
            ..Default::default()
        };
        k.uid = after(r, " uid ").and_then(int).map(|n| n as u32);
        k.comm = between(r, "\"", "\":").map(str::to_string);
        eo_numbers(r, &mut k);
        return Some(ULine::EoKill(k));
    }
    if let Some(r) = text.strip_prefix("killing process ")
        && (tag == "earlyoom" || r.contains(": badness "))
    {
        let mut k = EoKill {
            pid: int(r).map(|n| n as u32),
            comm: between(r, "\"", "\"").map(str::to_string),
            signal: after(r, "with signal ").and_then(int).map(signal_name),
            ..Default::default()
        };
        eo_numbers(r, &mut k);
        return Some(ULine::EoKill(k));
    }
    if let Some(r) = text.strip_prefix("Killing process ")
        && (tag == "earlyoom" || r.contains("badness: "))
    {
        // v1.2 `'name' with signal N, pid: P`; v1.1 `: name, pid: P`; v0.6–v1.0 `P name`.
        let mut k = EoKill::default();
        if let Some(q) = r.strip_prefix('\'') {
            k.comm = q.split('\'').next().map(str::to_string);
            k.signal = after(r, "with signal ").and_then(int).map(signal_name);
        } else if let Some(q) = r.strip_prefix(": ") {
            k.comm = q.split(", pid:").next().map(str::to_string);
            k.signal = Some("SIGTERM".into());
        } else if tag == "earlyoom" {
            k.pid = int(r).map(|n| n as u32);
            k.comm = r.split_once(' ').map(|(_, n)| n.trim().to_string());
            return Some(ULine::EoKill(k));
        } else {
            return None;
        }
        k.pid = after(r, "pid: ").and_then(int).map(|n| n as u32);
        k.pid?;
        eo_numbers(r, &mut k);
        return Some(ULine::EoKill(k));
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("low memory! at or below ") {
        let rest = &text["low memory! at or below ".len()..];
        let signal = rest.split(' ').next()?.to_ascii_uppercase();
        let signal = if signal.starts_with("SIG") {
            signal
        } else {
            format!("SIG{signal}")
        };
        let mem = after(rest, "mem").map(|s| s.trim_start_matches([':', ' ']));
        let swap = after(rest, "swap").map(|s| s.trim_start_matches([':', ' ']));
        return Some(ULine::EoLimits {
            decision: Rule::BelowLimits {
                signal: signal.into(),
                mem_pct: mem.and_then(num),
                swap_pct: swap.and_then(num),
            },
            text: text.to_string(),
        });
    }
    if let Some(rest) = text.strip_prefix("mem avail: ") {
        let mut m = MemStatus {
            mem_avail_mib: num(rest),
            ..Default::default()
        };
        let (mem, swap) = rest.split_once("swap free: ").unwrap_or((rest, ""));
        m.mem_total_mib = after(mem, " of ").and_then(num);
        m.mem_pct = after(mem, "(").and_then(num);
        m.swap_free_mib = num(swap);
        m.swap_total_mib = after(swap, " of ").and_then(num);
        m.swap_pct = after(swap, "(").and_then(num);
        return Some(ULine::EoStatus(m));
    }
    if let Some(rest) = text.strip_prefix("escalating to SIGKILL after ") {
        return Some(ULine::EoEscalated { secs: num(rest) });
    }
    if let Some(rest) = text.strip_prefix("process ") {
        if let Some(r) = rest.strip_prefix("exited after ") {
            return Some(ULine::EoExited {
                pid: None,
                secs: num(r),
            });
        }
        if let Some((pid, r)) = rest.split_once(" exited after ") {
            return Some(ULine::EoExited {
                pid: pid.parse().ok(),
                secs: num(r),
            });
        }
        if rest.ends_with(" did not exit") {
            return Some(ULine::EoNoExit);
        }
    }
    if let Some(rest) = text.strip_prefix("kill failed: ") {
        return Some(ULine::EoFailed {
            error: rest.to_string(),
        });
    }
    None
}

/// `badness[:] N`, `oom_score N`, `oom_score_adj N`, `VmRSS[:] N MiB`.
fn eo_numbers(r: &str, k: &mut EoKill) {
    k.badness = after(r, "badness")
        .map(|s| s.trim_start_matches([':', ' ']))
        .and_then(int)
        .or_else(|| after(r, "oom_score ").and_then(int));
    k.adj = after(r, "oom_score_adj ").and_then(int).map(|n| n as i32);
    k.rss_mib = after(r, "VmRSS")
        .map(|s| s.trim_start_matches([':', ' ']))
        .and_then(int)
        .map(|n| n.max(0) as u64);
}

// nohang, src/nohang (HEAD 1d49838: `Implementing a corrective action:\n  Sending {} to the
// victim`, `… Executing the command: {}`; 2019 14d0708: `Implement a corrective action:\n
// Send {} to the victim; {}`, `… Run the command: {}`), `Process with highest badness …:\n
// PID: {}, Name: {}, badness: {}`, `Victim VmRSS: {} KiB`, `Memory status that requires
// corrective actions:\n  MemAvailable [{} MiB, {} %] <= soft_threshold_min_mem [{} MiB, {}
// %]\n  SwapFree [...] <= soft_threshold_min_swap [...]`; `kmsg: {}` relays kernel lines.
fn nohang(text: &str) -> Option<ULine> {
    let t = text.trim();
    for (pre, sig) in [("Sending ", true), ("Send ", true)] {
        if let Some(rest) = t.strip_prefix(pre)
            && let Some((s, _)) = rest.split_once(" to the victim")
            && sig
        {
            return Some(ULine::NhAction {
                signal: Some(s.to_string()),
                command: None,
            });
        }
    }
    for pre in ["Run the command: ", "Executing the command: "] {
        if let Some(cmd) = t.strip_prefix(pre) {
            let signal = if cmd.contains("-KILL") || cmd.contains("-9 ") {
                Some("SIGKILL".to_string())
            } else if cmd.contains("kill ") {
                Some("SIGTERM".to_string())
            } else {
                None
            };
            return Some(ULine::NhAction {
                signal,
                command: Some(cmd.to_string()),
            });
        }
    }
    if t.starts_with("MemAvailable [") || t.starts_with("SwapFree [") {
        let (value, limit) = t.split_once("] <= ")?;
        let level = limit.split('_').next()?.to_string();
        let pair = (num(after(value, "[")?)?, num(after(limit, "[")?)?);
        let (mem, swap) = if t.starts_with("Mem") {
            (Some(pair), None)
        } else {
            (None, Some(pair))
        };
        return Some(ULine::NhThreshold {
            level,
            mem,
            swap,
            text: t.to_string(),
        });
    }
    if let Some(rest) = t.strip_prefix("PID: ")
        && rest.contains("badness")
    {
        let pid = int(rest)? as u32;
        let comm = between(rest, "Name: ", ",")?.to_string();
        let badness = after(rest, "badness: ").and_then(int);
        return Some(ULine::NhVictim { pid, comm, badness });
    }
    // 2019 builds (3408476 .. 1a7a84c): `Memory status before implementing a corrective
    // action:\n  MemAvailable: {} MiB, SwapFree: {} MiB`; all builds print it after.
    if let Some(rest) = t.strip_prefix("MemAvailable: ")
        && let Some(swap) = after(rest, ", SwapFree: ")
    {
        return Some(ULine::NhStatus(MemStatus {
            mem_avail_mib: num(rest),
            swap_free_mib: num(swap),
            ..Default::default()
        }));
    }
    if let Some(rest) = t.strip_prefix("Victim VmRSS: ") {
        return Some(ULine::NhRss {
            kb: int(rest)?.max(0) as u64,
        });
    }
    None
}

// Meta's oomd: Log.h OLOG prefix `[file:line] `; PressureAbove.cpp `10s pressure X is over the
// threshold of T for D seconds , total usage is NMB`; Ruleset.cpp `DetectorGroup=… has fired
// for Ruleset=R. Running action chain.`, `Running Action=A`; BaseKillPlugin.cpp `Killed N:
// pid(comm) …[E<errno>]` and the kernel-log record `oomd kill: a b c <cgroup> <usage>
// ruleset:[…] detectorgroup:[…] killer:[…] v2`; KillMemoryGrowth-inl.h `Picked "<cgroup>" …`.
fn meta_oomd(tag: &str, text: &str) -> Option<ULine> {
    if let Some(rest) = text.strip_prefix("oomd kill: ") {
        let fields: Vec<&str> = rest.split(' ').collect();
        let cgroup = fields.get(3)?.to_string();
        let plugin = between(rest, "killer:[", "]").map(str::to_string);
        return Some(ULine::FbKmsg { cgroup, plugin });
    }
    // After the OLOG prefix.
    let msg = match text.split_once("] ") {
        Some((head, m)) if head.starts_with('[') || head.contains(" [") => m,
        _ if tag == "oomd" => text,
        _ => return None,
    };
    if let Some(rest) = msg.strip_prefix("10s pressure ") {
        return Some(ULine::FbDetector {
            decision: Rule::PressureAbove {
                pressure: num(rest),
                threshold: after(rest, "threshold of ").and_then(num),
                duration_s: between(rest, " for ", " seconds").and_then(|s| s.trim().parse().ok()),
                usage_mb: after(rest, "total usage is ")
                    .and_then(int)
                    .map(|n| n.max(0) as u64),
                ruleset: None,
                action: None,
            },
            text: msg.to_string(),
        });
    }
    if let Some(r) = between(msg, "has fired for Ruleset=", ". Running") {
        return Some(ULine::FbRuleset {
            ruleset: r.to_string(),
        });
    }
    if let Some(a) = msg.strip_prefix("Running Action=") {
        return Some(ULine::FbAction {
            action: a.trim().to_string(),
        });
    }
    if let Some(rest) = msg.strip_prefix("Killed ")
        && let Some((n, procs)) = rest.split_once(':')
    {
        let count = n.trim().parse().ok()?;
        let mut tasks = Vec::new();
        let mut failed = None;
        for p in procs.split_whitespace() {
            if let Some((pid, c)) = p.split_once('(') {
                let Ok(pid) = pid.parse() else { continue };
                let comm = c.split(')').next().unwrap_or("");
                tasks.push(UserTask {
                    pid,
                    comm: Some(comm.into()),
                });
            }
            if let Some(e) = p.find("[E") {
                failed = Some(p[e..].to_string());
            }
        }
        return Some(ULine::FbKilled {
            count,
            tasks,
            failed,
        });
    }
    if let Some(rest) = msg.strip_prefix("Picked \"") {
        return Some(ULine::FbPicked {
            cgroup: rest.split('"').next()?.to_string(),
        });
    }
    None
}

// Android lmkd, lmkd.cpp (LOG_TAG "lowmemorykiller"): Android 11 `Kill '%s' (%d), uid %d,
// oom_adj %d to free %ldkB; reason: %s`; Android 12/13 `Kill '%s' (%d), uid %d, oom_score_adj
// %d to free %ldkB rss, %ldkB swap; reason: %s` (and `… kb swap` without a reason); newer
// builds add `%ldkB anon rss, … dmabuf_pss, … dmabuf_rss` before the reason.
fn lmkd(text: &str) -> Option<ULine> {
    if let Some(l) = lmkd_8(text) {
        return Some(l);
    }
    let at = text.find("Kill '")?;
    let head = &text[..at];
    // A logcat line (`… I lowmemorykiller: Kill …`, `I/lowmemorykiller(  479): Kill …`,
    // Samsung's `lmkd    : `) or the message alone.
    if !lmkd_head(head) {
        return None;
    }
    let rest = &text[at + "Kill '".len()..];
    let (comm, r) = rest.split_once("' (")?;
    let pid = int(r)? as u32;
    let free = after(r, " to free ")?;
    let reason = after(r, "; reason: ").map(|s| s.trim().to_string());
    Some(ULine::Lmkd(LmkdKill {
        pid,
        comm: comm.to_string(),
        uid: after(r, "uid ").and_then(int).map(|n| n as u32),
        adj: after(r, "oom_score_adj ")
            .or_else(|| after(r, "oom_adj "))
            .and_then(int)
            .map(|n| n as i32),
        rss_kb: int(free).map(|n| n.max(0) as u64),
        swap_kb: free
            .split(", ")
            .find(|f| f.ends_with("kB swap") || f.ends_with("kb swap") || f.contains("kB swap;"))
            .and_then(int)
            .map(|n| n.max(0) as u64),
        reason,
        text: text[at..].to_string(),
    }))
}

/// What may stand before an lmkd message: nothing (the message alone), or a logcat
/// prefix naming its tag (`… I lowmemorykiller: `, `I/lowmemorykiller(  479): `,
/// Samsung's `lmkd    : `).
fn lmkd_head(head: &str) -> bool {
    head.trim().is_empty() || head.contains("lowmemorykiller") || head.contains("lmkd")
}

// Android 8–9 lmkd, lmkd.c (LOG_TAG "lowmemorykiller"): one ALOGI of two or three lines,
// each its own logcat line: `Killing '%s' (%d), uid %d, adj %d\n   to free %ldkB because
// system is under %s memory pressure oom_adj %d` (low-RAM devices, PSI/vmpressure) or
// `…\n   to free %ldkB because cache %s%ldkB is below limit %ldkB for oom_adj %d\n   Free
// memory is %s%ldkB %s reserved` (minfree levels). The uid tells it from the in-kernel
// driver's `Killing '%s' (%d), adj %hd,` under the same tag.
fn lmkd_8(text: &str) -> Option<ULine> {
    if let Some(at) = text.find("Killing '")
        && lmkd_head(&text[..at])
    {
        let rest = &text[at + "Killing '".len()..];
        let (comm, r) = rest.rsplit_once("' (")?;
        let pid = int(r)? as u32;
        let uid = after(r, "), uid ").and_then(int)?;
        return Some(ULine::Lmkd(LmkdKill {
            pid,
            comm: comm.to_string(),
            uid: u32::try_from(uid).ok(),
            adj: after(r, ", adj ").and_then(int).map(|n| n as i32),
            text: text[at..].trim_end().to_string(),
            ..Default::default()
        }));
    }
    let at = text.find("to free ")?;
    if !lmkd_head(&text[..at]) || text.contains(" on behalf of ") {
        return None;
    }
    let r = &text[at + "to free ".len()..];
    let reason = after(r, "kB because ")?.trim();
    Some(ULine::LmkdFree {
        kb: int(r).map(|n| n.max(0) as u64),
        reason: reason.to_string(),
        text: text[at..].trim_end().to_string(),
    })
}

/// Lines read only inside a window (no marker of their own): earlyoom's outcome of a
/// kill, nohang's swap threshold and victim RSS, oomd's choice, the lowmemorykiller
/// driver's continuation lines.
fn window_only(l: &ULine) -> bool {
    match l {
        ULine::EoExited { .. } | ULine::EoNoExit | ULine::NhRss { .. } | ULine::FbPicked { .. } => {
            true
        }
        ULine::NhThreshold { mem, .. } => mem.is_none(),
        ULine::Lmk(l) => l.kill.is_none(),
        ULine::LmkdFree { .. } => true,
        _ => false,
    }
}

/// The records a line opens a window for: earlyoom waits up to 10 s for its victim to
/// exit (kill.c `kill_wait`), so its outcome may come thousands of lines later on a busy
/// host; nohang's and oomd's lines of one kill come together; the driver's
/// continuation lines follow its kill line at once.
fn window_opened(l: &ULine) -> Option<u32> {
    match l {
        ULine::EoKill(_) => Some(4096),
        ULine::NhThreshold { mem: Some(_), .. }
        | ULine::NhVictim { .. }
        | ULine::NhStatus(_)
        | ULine::NhAction { .. }
        | ULine::FbAction { .. } => Some(64),
        ULine::Lmk(l) if l.kill.is_some() => Some(8),
        ULine::Lmkd(k) if k.rss_kb.is_none() => Some(8),
        _ => None,
    }
}

/// Whether a kernel line's body is one the lowmemorykiller driver prints (a few byte
/// compares: kernel lines are most of a log).
fn lmk_kernel_text(body: &[u8]) -> bool {
    let start = body.iter().position(|b| *b != b' ').unwrap_or(body.len());
    let b = &body[start..];
    b.starts_with(b"lowmemorykiller: ")
        || b.starts_with(b"send sigkill to ")
        || b.starts_with(b"to free ")
        || b.starts_with(b"cache ")
        || b.starts_with(b"Free memory is ")
}

// Android's in-kernel lowmemorykiller driver, drivers/staging/android/lowmemorykiller.c
// (Linux 2.6.29 until its removal in 4.12; pr_fmt `lowmemorykiller: ` from 3.x):
// 2.6.29–3.x `send sigkill to %d (%s), adj %d, size %d` (size in pages); later
// `Killing '%s' (%d), adj %hd,\n   to free %ldkB on behalf of '%s' (%d) because\n   cache
// %ldkB is below limit %ldkB for oom_score_adj %hd\n   Free memory is %ldkB above
// reserved\n` (one printk, one dmesg line per piece; /dev/kmsg joins them with `\x0a`).
// Vendor kernels add `score_adj %hd`, `(oom_adj %d)`, `(tgid %d)` and more lines (GFP
// mask, CMA). Android 8–9's userspace lmkd prints `Killing '%s' (%d), uid %d, adj %d` under
// the same tag: a uid means lmkd, not this driver.
fn lmk_kernel(text: &str) -> Option<ULine> {
    let t = text.trim_start();
    // `dmesg` of old toolboxes: the console level without a time (`<6>   to free …`).
    let t = match t.strip_prefix('<').and_then(|r| r.split_once('>')) {
        Some((level, rest)) if !level.is_empty() && level.bytes().all(|b| b.is_ascii_digit()) => {
            rest
        }
        _ => t,
    };
    let t = t.trim_start();
    let prefixed = t.starts_with("lowmemorykiller: ");
    let t = t
        .strip_prefix("lowmemorykiller: ")
        .unwrap_or(t)
        .trim_start();
    let mut l = LmkLine::default();
    if let Some(rest) = t.strip_prefix("Killing '") {
        let (comm, r) = rest.split_once('\'')?;
        let r = r.trim_start();
        let r = r.strip_prefix('(')?;
        if after(r, "), uid ").is_some() {
            return None;
        }
        let pid = int(r)?;
        // `score_adj` (MTK, after the old-style adj) or `oom_score_adj`, else `adj`.
        let adj = after(r, "score_adj ")
            .or_else(|| after(r, ", adj "))
            .and_then(int);
        l.kill = Some((u32::try_from(pid).ok()?, comm.to_string()));
        l.adj = adj.and_then(|a| i32::try_from(a).ok());
    } else if let Some(rest) = t.strip_prefix("send sigkill to ") {
        let pid = int(rest)?;
        let (_, r) = rest.split_once(" (")?;
        let (comm, r) = r.rsplit_once("), adj ")?;
        if !r.contains(", size ") {
            return None;
        }
        l.kill = Some((u32::try_from(pid).ok()?, comm.to_string()));
        // Its `adj` was the old oom_adj (-17..15) in the 2.6 driver (printk without a
        // prefix, `p->oomkilladj` / `sig->oom_adj`); the `lowmemorykiller: ` prefix
        // (pr_fmt) came with the oom_score_adj driver (`%hd`, a short).
        l.adj = int(r)
            .and_then(|a| i32::try_from(a).ok())
            .filter(|_| prefixed);
        return Some(ULine::Lmk(l));
    }
    // The continuation pieces, on their own lines or joined to the kill line.
    if let Some(at) = t.find("to free ")
        && let Some(caller) = between(&t[at..], " on behalf of '", "'")
    {
        let piece = &t[at..];
        let end = piece
            .find(" because")
            .map_or(piece.len(), |e| e + " because".len());
        l.free_kb = int(&piece["to free ".len()..]).map(|n| n.max(0) as u64);
        l.caller = Some((caller.to_string(), piece[..end].to_string()));
    }
    if let Some(at) = t.find("cache ")
        && let Some(r) = t[at..].strip_prefix("cache ")
        && let Some(limit) = after(r, "kB is below limit ")
    {
        let end = t[at..].find(['\n', '\\']).map_or(t.len(), |e| at + e);
        l.cache = Some((
            int(r),
            int(limit),
            after(limit, "for oom_score_adj ")
                .and_then(int)
                .and_then(|a| i32::try_from(a).ok()),
            t[at..end].trim_end().to_string(),
        ));
    }
    if let Some(r) = after(t, "Free memory is ")
        && r.contains("kB above reserved")
    {
        l.reserve_kb = int(r);
    }
    (l.kill.is_some() || l.free_kb.is_some() || l.cache.is_some() || l.reserve_kb.is_some())
        .then_some(ULine::Lmk(l))
}

// kubelet, pkg/kubelet/eviction/eviction_manager.go: glog/klog `eviction manager: must evict
// pod(s) to reclaim %v`, `eviction manager: pod %s evicted successfully`; structured (1.2x+)
// `"Eviction manager: must evict pod(s) to reclaim" resourceName="memory"`, `"Eviction
// manager: pod is evicted successfully" pod="ns/name"`.
fn kubelet(text: &str) -> Option<ULine> {
    if let Some(rest) = after(text, "must evict pod(s) to reclaim") {
        let resource = match between(rest, "resourceName=\"", "\"") {
            Some(r) => r,
            None => rest.trim().trim_matches('"').trim(),
        };
        // From the message's start: `"Eviction manager: …` (structured) or `eviction …`.
        let quote = [
            "\"Eviction manager: must evict",
            "Eviction manager: must evict",
            "eviction manager: must evict",
        ]
        .iter()
        .find_map(|p| text.find(p).map(|i| &text[i..]))
        .unwrap_or(text);
        return Some(ULine::Evict {
            resource: resource.to_string(),
            text: quote.trim().to_string(),
        });
    }
    // pkg/kubelet/eviction/helpers.go: `The node was low on resource: %v. ` + `Threshold
    // quantity: %v, available: %v. ` (+ the containers over their requests).
    if let Some(at) = text.find("The node was low on resource: ") {
        let rest = &text[at + "The node was low on resource: ".len()..];
        let resource = rest.split(['.', ' ', ',']).next().unwrap_or("").to_string();
        return Some(ULine::EvictedStatus {
            resource,
            text: text[at..].trim().to_string(),
        });
    }
    if text.contains("evicted successfully") {
        let pod = between(text, "pod=\"", "\"")
            .or_else(|| between(text, "manager: pod ", " evicted successfully"))?;
        return Some(ULine::Evicted {
            pod: pod.trim().to_string(),
        });
    }
    None
}

// Talos, internal/app/machined/pkg/controllers/runtime/oom.go (v1.12): `Sending SIGKILL to
// cgroup` with a zap field `"cgroup": "<path>"`, written to the kernel log as `[talos] …`.
fn talos(text: &str) -> Option<ULine> {
    if let Some(rest) = after(text, "Sending SIGKILL to cgroup") {
        return Some(ULine::Talos {
            cgroup: between(rest, "\"cgroup\": \"", "\"").map(str::to_string),
        });
    }
    let rest = after(text, "SENDING SIGKILL TO CGROUP ")?;
    Some(ULine::Talos {
        cgroup: Some(rest.trim().trim_end_matches("/cgroup.kill").to_string()),
    })
}

// kubelet, pkg/kubelet/oom/oom_watcher_linux.go: the `SystemOOM` event `System OOM
// encountered` (PR #78174, 1.16+: `, victim process: %s, pid: %d`), as `kubectl describe node`
// shows it; Docker's `docker events` line `<time> container oom <id> (<attributes>)`.
fn reported(text: &str) -> Option<ULine> {
    // bcc tools/oomkill.py: `%s Triggered by PID %d ("%s"), OOM kill of PID %d ("%s"), %d
    // pages, loadavg: %s`.
    if let Some(rest) = after(text, "OOM kill of PID ") {
        let pid = int(rest).map(|n| n as u32);
        let comm = between(rest, "(\"", "\")").map(str::to_string);
        return Some(ULine::KubeletOom {
            pid,
            comm,
            by: Reporter::Tracer,
            repeated: None,
        });
    }
    if let Some(at) = text.find("System OOM encountered") {
        let rest = &text[at + "System OOM encountered".len()..];
        let pid = after(rest, "pid: ").and_then(int).map(|n| n as u32);
        let comm = between(rest, "victim process: ", ", pid")
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        // `kubectl describe` (k8s.io/kubectl describe.go) aggregates repeats of an event in
        // its Age column: `12m (x4 over 25m)`.
        let repeated = between(&text[..at], "(x", ")").and_then(|r| {
            let n = r.split(" over ").next()?.trim().parse::<u64>().ok()?;
            r.contains(" over ").then(|| (n, format!("x{r}")))
        });
        return Some(ULine::KubeletOom {
            pid,
            comm,
            by: Reporter::Kubelet,
            repeated,
        });
    }
    let rest = after(text, " container oom ")?;
    let id = rest.split([' ', '(']).next()?.to_string();
    // A container id: 12 or 64 hex digits (any other text that says `container oom`
    // is not Docker's event).
    if id.len() < 12 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let name = between(rest, " name=", ")")
        .or_else(|| between(rest, " name=", ","))
        .map(|n| n.trim().to_string());
    Some(ULine::DockerOom { id, name })
}

// ---- events -----------------------------------------------------------------------

/// Seconds within which lines of one kill are read as one (a unit's notice and the
/// kernel's report of the same kill, a killer's line and its status lines).
const LINK_SECS: i64 = 10;
/// A userspace event is handed out when the log has moved on this far (s).
const HOLD_SECS: i64 = 120;
/// Events held at most (the oldest go first).
const HOLD_MAX: usize = 256;

/// A userspace event not handed out yet: later lines may still add to it.
#[derive(Debug)]
struct Held {
    ev: OomEvent,
    /// Its last line's time.
    at: Option<Wall>,
    /// No later line may add to it (a new kill line of the same killer followed).
    closed: bool,
}

/// What a killer's earlier lines left for its next kill line (per host).
#[derive(Debug, Default)]
struct Context {
    host: Option<Vec<u8>>,
    oomd_rule: Option<(Decision, Option<Wall>)>,
    oomd_pressure: Option<(Decision, Option<Wall>)>,
    oomd_pids: Vec<(u32, String, u64)>,
    eo_limits: Option<Decision>,
    eo_status: Option<MemStatus>,
    nh_threshold: Option<Decision>,
    nh_victim: Option<(u32, String, Option<i64>, u64)>,
    nh_rss: Option<(u64, u64)>,
    nh_status: Option<MemStatus>,
    fb_detector: Option<Decision>,
    fb_ruleset: Option<String>,
    fb_picked: Option<(String, u64)>,
    evict: Option<Decision>,
}

/// The per-input state of the userspace killers' lines.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    /// Records still to be read whole after a line that opened a window (see
    /// [`window_opened`]): the lines a kill's own lines bring before or after it
    /// (earlyoom's outcome, nohang's swap threshold and victim RSS, oomd's choice, the
    /// lowmemorykiller driver's continuation lines) hold no marker of their own, so
    /// that the prefilter keeps to one Teddy searcher; they are read only inside a
    /// window, the same with or without `--every-line`.
    window: u32,
    held: VecDeque<Held>,
    contexts: Vec<Context>,
    /// Kernel kills already handed out (host, time, victim cgroup), newest last: a
    /// unit's notice of one of them is that kill, not another (the assembler hands a
    /// finished report out early when many are waiting).
    emitted: VecDeque<(Option<LogString>, Option<Wall>, Option<String>)>,
}

fn host_ok(a: &Option<LogString>, b: Option<&[u8]>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.as_log_str().as_bytes() == b,
        _ => true,
    }
}

fn near(a: Option<&Wall>, b: Option<&Wall>, secs: i64) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => wall_gap(a, b).is_none_or(|d| d.abs() <= secs),
        _ => true,
    }
}

impl Tracker {
    /// Notes a kernel kill handed out.
    pub(super) fn note_emitted(&mut self, ev: &OomEvent) {
        if !ev.killer.is_kernel() || ev.killed.is_empty() || ev.userspace.is_some() {
            return;
        }
        self.emitted.push_back((
            ev.host.clone(),
            ev.wall,
            victim_path(ev).map(str::to_string),
        ));
        if self.emitted.len() > 64 {
            self.emitted.pop_front();
        }
    }

    /// Whether a kernel kill already handed out is the one `unit`'s notice reports.
    fn emitted_kill(&self, unit: &str, rec: &Record<'_>) -> bool {
        self.emitted.iter().rev().any(|(host, wall, path)| {
            host_ok(host, rec.host)
                && wall.is_some()
                && near(wall.as_ref(), rec.wall.as_ref(), LINK_SECS)
                && path
                    .as_deref()
                    .is_none_or(|p| components(p).any(|c| c == unit))
        })
    }

    fn context(&mut self, host: Option<&[u8]>) -> &mut Context {
        let i = match self.contexts.iter().position(|c| c.host.as_deref() == host) {
            Some(i) => i,
            None => {
                self.contexts.push(Context {
                    host: host.map(<[u8]>::to_vec),
                    ..Default::default()
                });
                self.contexts.len() - 1
            }
        };
        &mut self.contexts[i]
    }

    /// The newest held event of `killer` on the host of `rec` still open for lines.
    fn last_of(&mut self, killer: Killer, rec: &Record<'_>) -> Option<&mut Held> {
        self.held.iter_mut().rev().find(|h| {
            !h.closed
                && h.ev.killer == killer
                && h.ev
                    .userspace
                    .as_ref()
                    .is_some_and(|u| u.reporter.is_none())
                && host_ok(&h.ev.host, rec.host)
                && near(h.at.as_ref(), rec.wall.as_ref(), HOLD_SECS)
        })
    }
}

/// The lowmemorykiller driver's rule of `u`, started from the piece `text` on `line`.
fn minfree_rule<'a>(u: &'a mut UserKill, text: &str, line: u64) -> &'a mut Decision {
    u.decision.get_or_insert_with(|| Decision {
        rule: Rule::Minfree {
            cache_kb: None,
            limit_kb: None,
            min_adj: None,
            free_kb: None,
            on_behalf_of: None,
        },
        text: text.into(),
        line,
    })
}

fn user(ev: &mut OomEvent) -> &mut UserKill {
    ev.userspace.get_or_insert_with(Default::default)
}

fn add_line(ev: &mut OomEvent, line: u64) {
    let u = user(ev);
    if !u.lines.contains(&line) {
        u.lines.push(line);
    }
    ev.source.first_line = ev.source.first_line.min(line);
    ev.source.last_line = ev.source.last_line.max(line);
}

/// Whether unit `a` contains unit `b` by systemd's naming (`user.slice` ⊃
/// `user-1000.slice` ⊃ `user@1000.service` ⊃ the user manager's units; a slice
/// `x.slice` ⊃ `x-y.slice`; `system.slice` ⊃ system services).
pub fn unit_contains(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    if a == "-.slice" {
        return true;
    }
    if let Some(stem) = a.strip_suffix(".slice") {
        if let Some(bs) = b.strip_suffix(".slice") {
            return bs.starts_with(stem) && bs[stem.len()..].starts_with('-');
        }
        if let Some(uid) = b
            .strip_prefix("user@")
            .and_then(|r| r.strip_suffix(".service"))
        {
            return stem == "user" || stem.strip_prefix("user-") == Some(uid);
        }
        if stem == "user" || stem.starts_with("user-") {
            return b.starts_with("session-");
        }
        if let Some((name, _)) = b.split_once('@') {
            return stem == "system" || stem.strip_prefix("system-") == Some(name);
        }
        return !stem.starts_with("system-");
    }
    if a.starts_with("user@") && a.ends_with(".service") {
        // The user manager's slices, and any unit that is not the system manager's
        // per-user unit or a login session.
        if let Some(stem) = b.strip_suffix(".slice") {
            return ["app", "session", "background"]
                .iter()
                .any(|s| stem == *s || stem.starts_with(&format!("{s}-")));
        }
        return !b.starts_with("user@") && !b.starts_with("session-");
    }
    false
}

/// The path components of a cgroup path.
fn components(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty())
}

/// Adds a unit notice to `facts`; `path` is the victim's cgroup when the event knows it.
/// Returns whether the notice belongs there.
fn add_notice(
    facts: &mut Option<Box<UnitFacts>>,
    unit: &str,
    by: Killer,
    processes: Option<u64>,
    line: u64,
    path: Option<&str>,
) -> bool {
    let depth = |u: &str| path.and_then(|p| components(p).position(|c| c == u));
    if path.is_some() && depth(unit).is_none() && facts.is_none() {
        return false;
    }
    let Some(f) = facts else {
        *facts = Some(Box::new(UnitFacts {
            unit: unit.into(),
            by,
            processes,
            result: None,
            main_exit: None,
            restart_counter: None,
            ancestors: Vec::new(),
            lines: vec![line],
        }));
        return true;
    };
    let leaf = f.unit.as_log_str().to_string();
    if leaf == unit {
        if !f.lines.contains(&line) {
            f.lines.push(line);
        }
        f.processes = f.processes.or(processes);
        return true;
    }
    if f.ancestors.iter().any(|a| a.as_log_str() == unit) {
        f.lines.push(line);
        return true;
    }
    let deeper = match (depth(unit), depth(&leaf)) {
        (Some(a), Some(b)) => Some(a > b),
        (None, Some(_)) if path.is_some() => return false,
        _ if unit_contains(unit, &leaf) => Some(false),
        _ if unit_contains(&leaf, unit) => Some(true),
        _ => None,
    };
    match deeper {
        Some(true) => {
            f.ancestors
                .push(std::mem::replace(&mut f.unit, unit.into()));
            f.processes = processes.or(f.processes);
        }
        Some(false) => f.ancestors.push(unit.into()),
        None => return false,
    }
    f.lines.push(line);
    true
}

/// The cgroup path a kernel event names for its victim.
pub(super) fn victim_path(ev: &OomEvent) -> Option<&str> {
    let m = ev.memcg.as_ref()?;
    m.task_memcg
        .as_ref()
        .or(m.oom_memcg.as_ref())
        .map(LogString::as_log_str)
        .filter(|p| !p.contains("..."))
}

impl Assembler {
    /// A new event of `killer` at `rec`.
    fn user_event(&mut self, rec: &Record<'_>, killer: Killer) -> OomEvent {
        let si = self.stream_of_host(rec.host);
        OomEvent {
            source: SourceSpan {
                path: self.input_name().clone(),
                first_line: rec.line,
                last_line: rec.line,
            },
            host: rec.host.map(LogString::from_lossy),
            boot_id: rec.boot.map(LogString::from_lossy),
            boot_seq: self.boot_seq_of(si),
            wall: rec.wall,
            printk: rec.printk,
            killer,
            userspace: Some(Box::new(UserKill {
                lines: vec![rec.line],
                ..Default::default()
            })),
            complete: true,
            ..OomEvent::default()
        }
    }

    /// Holds `ev` for later lines; an earlier event of the same killer and host is
    /// closed to them.
    fn hold(&mut self, ev: OomEvent, rec: &Record<'_>) {
        for h in self.user.held.iter_mut() {
            if h.ev.killer == ev.killer && h.ev.host == ev.host {
                h.closed = true;
            }
        }
        self.user.held.push_back(Held {
            ev,
            at: rec.wall,
            closed: false,
        });
        while self.user.held.len() > HOLD_MAX {
            let h = self.user.held.pop_front().expect("non-empty");
            self.ready_push(h.ev);
        }
    }

    /// Hands out held events the log has moved past (all of them without `rec`).
    pub(super) fn release_user(&mut self, rec: Option<&Record<'_>>) {
        let mut keep = VecDeque::new();
        while let Some(h) = self.user.held.pop_front() {
            let old = match rec {
                None => true,
                Some(r) => match (&h.at, &r.wall) {
                    (Some(a), Some(b)) => wall_gap(a, b).is_none_or(|d| d > HOLD_SECS),
                    _ => false,
                },
            };
            if old {
                self.ready_push(h.ev);
            } else {
                keep.push_back(h);
            }
        }
        self.user.held = keep;
    }

    /// Reads a userspace line. Returns whether `rec` was one.
    pub(super) fn push_user(&mut self, rec: &Record<'_>) -> bool {
        let in_window = self.user.window > 0;
        self.user.window = self.user.window.saturating_sub(1);
        let Some(l) = classify(rec, in_window) else {
            return false;
        };
        if let Some(n) = window_opened(&l) {
            self.user.window = self.user.window.max(n);
        }
        self.release_user(Some(rec));
        self.user_line(rec, l);
        true
    }

    /// Whether a userspace kill's window is open (every line is read).
    pub(super) fn in_user_window(&self) -> bool {
        self.user.window > 0
    }

    fn user_line(&mut self, rec: &Record<'_>, l: ULine) {
        let line = rec.line;
        match l {
            ULine::Relayed => {}
            // ---- systemd-oomd
            ULine::OomdPressure { decision, text } => {
                let d = Decision {
                    rule: decision,
                    text: text.into(),
                    line,
                };
                self.user.context(rec.host).oomd_pressure = Some((d, rec.wall));
            }
            ULine::OomdRuleMet { decision, text } => {
                let d = Decision {
                    rule: decision,
                    text: text.into(),
                    line,
                };
                self.user.context(rec.host).oomd_rule = Some((d, rec.wall));
            }
            ULine::OomdAttempt { pid, signal } => {
                self.user
                    .context(rec.host)
                    .oomd_pids
                    .push((pid, signal, line));
            }
            ULine::OomdKill {
                target,
                decision,
                text,
                cut,
            } => {
                let mut ev = self.user_event(rec, Killer::SystemdOomd);
                let ctx = self.user.context(rec.host);
                let pids = std::mem::take(&mut ctx.oomd_pids);
                // A cut line's reason is in the debug pressure line just before.
                let debug = ctx
                    .oomd_pressure
                    .take()
                    .filter(|(_, at)| near(at.as_ref(), rec.wall.as_ref(), LINK_SECS));
                let u = user(&mut ev);
                u.target = Some(target.into());
                u.signal = Some("SIGKILL".into());
                u.cut = cut;
                u.decision = Some(match (cut, debug) {
                    (true, Some((d, _))) => d,
                    _ => Decision {
                        rule: decision,
                        text: text.into(),
                        line,
                    },
                });
                for (pid, sig, l) in pids {
                    u.tasks.push(UserTask { pid, comm: None });
                    u.signal = Some(sig.into());
                    u.lines.push(l);
                }
                u.lines.sort_unstable();
                if let Some(first) = u.lines.first().copied() {
                    ev.source.first_line = first.min(line);
                }
                self.hold(ev, rec);
            }
            ULine::OomdUnnamed { decision, text } => {
                let mut ev = self.user_event(rec, Killer::SystemdOomd);
                let u = user(&mut ev);
                u.signal = Some("SIGKILL".into());
                u.decision = Some(Decision {
                    rule: decision,
                    text: text.into(),
                    line,
                });
                self.hold(ev, rec);
            }
            // ---- systemd's unit lines
            ULine::UnitNotice {
                unit,
                by,
                processes,
            } => self.unit_notice(rec, &unit, by, processes),
            ULine::UnitResult { unit, result } => {
                if let Some(f) = self.unit_facts(rec, &unit) {
                    f.result = Some(result.into());
                    f.lines.push(line);
                }
            }
            ULine::UnitExit { unit, text } => {
                if let Some(f) = self.unit_facts(rec, &unit) {
                    f.main_exit = Some(text.into());
                    f.lines.push(line);
                }
            }
            ULine::UnitRestart { unit, counter } => {
                if let Some(f) = self.unit_facts(rec, &unit) {
                    f.restart_counter = counter.or(Some(0));
                    f.lines.push(line);
                }
            }
            // ---- earlyoom
            ULine::EoLimits { decision, text } => {
                self.user.context(rec.host).eo_limits = Some(Decision {
                    rule: decision,
                    text: text.into(),
                    line,
                });
            }
            ULine::EoStatus(mut m) => {
                m.line = line;
                self.user.context(rec.host).eo_status = Some(m);
            }
            ULine::EoKill(k) => {
                let mut ev = self.user_event(rec, Killer::Earlyoom);
                let ctx = self.user.context(rec.host);
                let decision = ctx.eo_limits.clone();
                let memory = ctx.eo_status.clone();
                let u = user(&mut ev);
                u.pid = k.pid;
                u.uid = k.uid;
                u.comm = k.comm.map(Into::into);
                u.signal = k.signal.map(Into::into);
                u.badness = k.badness;
                u.oom_score_adj = k.adj;
                u.rss_kb = k.rss_mib.map(|m| m.saturating_mul(1024));
                u.decision = decision;
                u.memory = memory;
                self.hold(ev, rec);
            }
            ULine::EoEscalated { secs } => {
                if let Some(h) = self.user.last_of(Killer::Earlyoom, rec) {
                    let u = user(&mut h.ev);
                    u.escalated_after_s = secs;
                    u.signal = Some("SIGKILL".into());
                    add_line(&mut h.ev, line);
                }
            }
            ULine::EoExited { pid, secs } => {
                if let Some(h) = self.user.last_of(Killer::Earlyoom, rec)
                    && (pid.is_none() || h.ev.userspace.as_ref().and_then(|u| u.pid) == pid)
                {
                    user(&mut h.ev).exited_after_s = secs;
                    add_line(&mut h.ev, line);
                }
            }
            ULine::EoNoExit => {
                if let Some(h) = self.user.last_of(Killer::Earlyoom, rec) {
                    user(&mut h.ev).did_not_exit = true;
                    add_line(&mut h.ev, line);
                }
            }
            ULine::EoFailed { error } => {
                if let Some(h) = self.user.last_of(Killer::Earlyoom, rec) {
                    let u = user(&mut h.ev);
                    // kill.c (v1.3+): after 10 s of waiting `kill_wait` sets ETIME, printed
                    // `kill failed: Timer expired`: the victim had not exited (v1.8+ also
                    // says `process N did not exit`).
                    u.did_not_exit |= error == "Timer expired";
                    u.failed = Some(error.into());
                    add_line(&mut h.ev, line);
                }
            }
            // ---- nohang
            ULine::NhThreshold {
                level,
                mem,
                swap,
                text,
            } => {
                let ctx = self.user.context(rec.host);
                let joined = match &mut ctx.nh_threshold {
                    Some(d) if d.line + 1 == line || d.line + 2 == line => {
                        if let Rule::Thresholds {
                            swap_mib,
                            swap_limit_mib,
                            mem_mib,
                            mem_limit_mib,
                            ..
                        } = &mut d.rule
                        {
                            if let Some((a, b)) = swap {
                                (*swap_mib, *swap_limit_mib) = (Some(a), Some(b));
                            }
                            if let Some((a, b)) = mem {
                                (*mem_mib, *mem_limit_mib) = (Some(a), Some(b));
                            }
                        }
                        d.text = format!("{}; {}", d.text.as_log_str(), text).into();
                        true
                    }
                    _ => false,
                };
                if !joined {
                    ctx.nh_threshold = Some(Decision {
                        rule: Rule::Thresholds {
                            level: level.into(),
                            mem_mib: mem.map(|m| m.0),
                            mem_limit_mib: mem.map(|m| m.1),
                            swap_mib: swap.map(|s| s.0),
                            swap_limit_mib: swap.map(|s| s.1),
                        },
                        text: text.into(),
                        line,
                    });
                }
            }
            ULine::NhVictim { pid, comm, badness } => {
                self.user.context(rec.host).nh_victim = Some((pid, comm, badness, line));
            }
            ULine::NhRss { kb } => {
                // nohang (2019) prints it after sending the signal, before its action
                // line; with the action already read, it is that kill's.
                let ctx = self.user.context(rec.host);
                if ctx.nh_victim.is_none()
                    && let Some(h) = self.user.last_of(Killer::Nohang, rec)
                    && h.ev.userspace.as_ref().is_some_and(|u| u.rss_kb.is_none())
                {
                    user(&mut h.ev).rss_kb = Some(kb);
                    add_line(&mut h.ev, line);
                } else {
                    self.user.context(rec.host).nh_rss = Some((kb, line));
                }
            }
            ULine::NhStatus(mut m) => {
                // Before the action (2019 builds) it is the memory the kill saw; after one
                // (`Memory status after implementing …`) it belongs to no next kill: a
                // status with a kill of nohang open and nothing pending is an after.
                m.line = line;
                let ctx = self.user.context(rec.host);
                let pending =
                    ctx.nh_threshold.is_some() || ctx.nh_victim.is_some() || ctx.nh_rss.is_some();
                let after_kill = !pending && self.user.last_of(Killer::Nohang, rec).is_some();
                self.user.context(rec.host).nh_status = (!after_kill).then_some(m);
            }
            ULine::NhAction { signal, command } => {
                let mut ev = self.user_event(rec, Killer::Nohang);
                let ctx = self.user.context(rec.host);
                let victim = ctx.nh_victim.take();
                let rss = ctx.nh_rss.take();
                let decision = ctx.nh_threshold.take();
                let status = ctx.nh_status.take();
                let u = user(&mut ev);
                if let Some(m) = status {
                    u.lines.insert(0, m.line);
                    u.memory = Some(m);
                }
                u.signal = signal.map(Into::into);
                if let Some(c) = command {
                    u.target = None;
                    u.failed = None;
                    u.tasks = Vec::new();
                    u.comm = None;
                    // The command is the action; the victim comes from the block before.
                    u.lines.push(line);
                    u.lines.dedup();
                    let _ = c;
                }
                if let Some((pid, comm, badness, l)) = victim {
                    u.pid = Some(pid);
                    u.comm = Some(comm.into());
                    u.badness = badness;
                    u.lines.insert(0, l);
                }
                if let Some((kb, l)) = rss {
                    u.rss_kb = Some(kb);
                    u.lines.insert(0, l);
                }
                u.decision = decision;
                u.lines.sort_unstable();
                u.lines.dedup();
                if let Some(first) = u.lines.first().copied() {
                    ev.source.first_line = first;
                }
                self.hold(ev, rec);
            }
            // ---- Meta's oomd
            ULine::FbDetector { decision, text } => {
                self.user.context(rec.host).fb_detector = Some(Decision {
                    rule: decision,
                    text: text.into(),
                    line,
                });
            }
            ULine::FbRuleset { ruleset } => {
                let ctx = self.user.context(rec.host);
                if let Some(Decision {
                    rule: Rule::PressureAbove { ruleset: r, .. },
                    ..
                }) = &mut ctx.fb_detector
                {
                    *r = Some(ruleset.as_str().into());
                }
                ctx.fb_ruleset = Some(ruleset);
            }
            ULine::FbAction { action } => {
                if !action.starts_with("kill") {
                    return;
                }
                let mut ev = self.user_event(rec, Killer::Oomd);
                let ctx = self.user.context(rec.host);
                let mut decision = ctx.fb_detector.take();
                if let Some(Decision {
                    rule: Rule::PressureAbove { action: a, .. },
                    ..
                }) = &mut decision
                {
                    *a = Some(action.as_str().into());
                }
                let u = user(&mut ev);
                if let Some(d) = &decision {
                    u.lines.insert(0, d.line);
                    ev.source.first_line = d.line;
                }
                user(&mut ev).decision = decision;
                self.hold(ev, rec);
            }
            ULine::FbPicked { cgroup } => {
                if let Some(h) = self.user.last_of(Killer::Oomd, rec) {
                    user(&mut h.ev).target.get_or_insert(cgroup.into());
                    add_line(&mut h.ev, line);
                } else {
                    self.user.context(rec.host).fb_picked = Some((cgroup, line));
                }
            }
            ULine::FbKilled {
                count,
                tasks,
                failed,
            } => {
                let open = self
                    .user
                    .last_of(Killer::Oomd, rec)
                    .is_some_and(|h| h.ev.userspace.as_ref().is_some_and(|u| u.count.is_none()));
                if !open {
                    let ev = self.user_event(rec, Killer::Oomd);
                    self.hold(ev, rec);
                }
                let picked = self.user.context(rec.host).fb_picked.take();
                if let Some(h) = self.user.last_of(Killer::Oomd, rec) {
                    add_line(&mut h.ev, line);
                    let u = user(&mut h.ev);
                    u.count = Some(count);
                    u.tasks = tasks;
                    u.signal = Some("SIGKILL".into());
                    if count == 0 {
                        u.failed = Some(failed.unwrap_or_else(|| "0 killed".into()).into());
                    }
                    if let Some((cg, l)) = picked {
                        u.target.get_or_insert(cg.into());
                        u.lines.insert(0, l);
                    }
                }
            }
            ULine::FbKmsg { cgroup, plugin } => {
                // The same kill as the oomd log's `Killed` line, when both are read.
                let merged = match self.user.last_of(Killer::Oomd, rec) {
                    Some(h)
                        if h.ev.userspace.as_ref().is_some_and(|u| {
                            u.target.as_ref().is_none_or(|t| t.as_log_str() == cgroup)
                        }) =>
                    {
                        user(&mut h.ev).target.get_or_insert(cgroup.as_str().into());
                        add_line(&mut h.ev, line);
                        true
                    }
                    _ => false,
                };
                if !merged {
                    let mut ev = self.user_event(rec, Killer::Oomd);
                    let u = user(&mut ev);
                    u.target = Some(cgroup.into());
                    u.signal = Some("SIGKILL".into());
                    if let Some(p) = plugin {
                        u.decision = Some(Decision {
                            rule: Rule::PressureAbove {
                                pressure: None,
                                threshold: None,
                                duration_s: None,
                                usage_mb: None,
                                ruleset: None,
                                action: Some(p.into()),
                            },
                            text: String::from_utf8_lossy(rec.body).into_owned().into(),
                            line,
                        });
                    }
                    self.hold(ev, rec);
                }
            }
            // ---- Android lmkd
            ULine::Lmkd(k) => {
                let mut ev = self.user_event(rec, Killer::Lmkd);
                let u = user(&mut ev);
                u.pid = Some(k.pid);
                u.comm = Some(k.comm.into());
                u.uid = k.uid;
                u.oom_score_adj = k.adj;
                u.rss_kb = k.rss_kb;
                u.swap_kb = k.swap_kb;
                u.signal = Some("SIGKILL".into());
                u.decision = k.reason.map(|r| Decision {
                    rule: Rule::Lmkd {
                        reason: r.into(),
                        oom_score_adj: k.adj,
                    },
                    text: k.text.into(),
                    line,
                });
                self.hold(ev, rec);
            }
            ULine::LmkdFree { kb, reason, text } => {
                if let Some(h) = self.user.last_of(Killer::Lmkd, rec)
                    && h.ev.userspace.as_ref().is_some_and(|u| u.rss_kb.is_none())
                {
                    let adj = h.ev.userspace.as_ref().and_then(|u| u.oom_score_adj);
                    let u = user(&mut h.ev);
                    u.rss_kb = kb;
                    u.decision = Some(Decision {
                        rule: Rule::Lmkd {
                            reason: reason.into(),
                            oom_score_adj: adj,
                        },
                        text: text.into(),
                        line,
                    });
                    add_line(&mut h.ev, line);
                }
            }
            // ---- Android's in-kernel lowmemorykiller driver
            ULine::Lmk(l) => self.lmk_line(rec, l),
            // ---- kubelet
            ULine::Evict { resource, text } => {
                self.user.context(rec.host).evict = Some(Decision {
                    rule: Rule::Eviction {
                        resource: resource.into(),
                    },
                    text: text.into(),
                    line,
                });
            }
            ULine::Evicted { pod } => {
                let mut ev = self.user_event(rec, Killer::KubeletEviction);
                let decision = self.user.context(rec.host).evict.clone();
                let u = user(&mut ev);
                u.target = Some(pod.into());
                if let Some(d) = &decision {
                    u.lines.insert(0, d.line);
                    ev.source.first_line = d.line;
                }
                user(&mut ev).decision = decision;
                self.hold(ev, rec);
            }
            // ---- a kernel kill as the kubelet or Docker report it
            ULine::KubeletOom {
                pid,
                comm,
                by,
                repeated,
            } => {
                // The kernel's own report of the same kill is the event.
                let known = pid.is_some_and(|p| {
                    !self
                        .kernel_reports_mut(rec.host, |ev| ev.killed.iter().any(|k| k.pid == p))
                        .is_empty()
                });
                if !known {
                    let mut ev = self.user_event(rec, Killer::Kernel);
                    ev.complete = false;
                    let u = user(&mut ev);
                    u.pid = pid;
                    u.comm = comm.map(Into::into);
                    u.signal = Some("SIGKILL".into());
                    u.reporter = Some(by);
                    if let Some((n, r)) = repeated {
                        u.count = Some(n);
                        u.repeated = Some(r.into());
                    }
                    self.user.held.push_back(Held {
                        ev,
                        at: rec.wall,
                        closed: true,
                    });
                }
            }
            ULine::DockerOom { id, name } => {
                let known = !self
                    .kernel_reports_mut(rec.host, |ev| {
                        !ev.killed.is_empty() && victim_path(ev).is_some_and(|p| p.contains(&id))
                    })
                    .is_empty();
                if !known {
                    let mut ev = self.user_event(rec, Killer::Kernel);
                    ev.complete = false;
                    let u = user(&mut ev);
                    u.target = Some(id.into());
                    u.comm = name.map(Into::into);
                    u.signal = Some("SIGKILL".into());
                    u.reporter = Some(Reporter::Docker);
                    self.user.held.push_back(Held {
                        ev,
                        at: rec.wall,
                        closed: true,
                    });
                }
            }
            ULine::EvictedStatus { resource, text } => {
                let d = Decision {
                    rule: Rule::Eviction {
                        resource: resource.into(),
                    },
                    text: text.into(),
                    line,
                };
                // The status of the eviction the kubelet's log just stated: its numbers.
                if let Some(h) = self.user.last_of(Killer::KubeletEviction, rec)
                    && h.at.is_some()
                    && near(h.at.as_ref(), rec.wall.as_ref(), LINK_SECS)
                {
                    user(&mut h.ev).decision = Some(d);
                    add_line(&mut h.ev, line);
                } else {
                    let mut ev = self.user_event(rec, Killer::KubeletEviction);
                    user(&mut ev).decision = Some(d);
                    self.hold(ev, rec);
                }
            }
            // ---- Talos
            ULine::Talos { cgroup } => {
                let mut ev = self.user_event(rec, Killer::TalosOomController);
                let u = user(&mut ev);
                u.target = cgroup.map(Into::into);
                u.signal = Some("SIGKILL".into());
                self.hold(ev, rec);
            }
        }
    }

    /// A line of Android's in-kernel lowmemorykiller driver: a kill opens an event, its
    /// continuation lines (`to free …`, `cache … below limit …`, `Free memory is …`) add
    /// what they state to the open one.
    fn lmk_line(&mut self, rec: &Record<'_>, l: LmkLine) {
        let line = rec.line;
        let is_kill = l.kill.is_some();
        if let Some((pid, comm)) = l.kill {
            let mut ev = self.user_event(rec, Killer::AndroidLmkKernel);
            let u = user(&mut ev);
            u.pid = Some(pid);
            u.comm = Some(comm.into());
            u.oom_score_adj = l.adj;
            u.signal = Some("SIGKILL".into());
            self.hold(ev, rec);
        }
        let Some(h) = self.user.last_of(Killer::AndroidLmkKernel, rec) else {
            return;
        };
        // A continuation fills what its kill has not stated yet (a stray piece after
        // a complete kill is not that kill's).
        let u = user(&mut h.ev);
        let fresh = |set: bool| is_kill || !set;
        let mut used = is_kill;
        if let Some(kb) = l.free_kb
            && fresh(u.rss_kb.is_some())
        {
            u.rss_kb = Some(kb);
            if let Some((caller, text)) = l.caller
                && let Rule::Minfree { on_behalf_of, .. } = &mut minfree_rule(u, &text, line).rule
            {
                *on_behalf_of = Some(caller.into());
            }
            used = true;
        }
        if let Some((cache, limit, min_adj, text)) = l.cache
            && fresh(
                u.decision
                    .as_ref()
                    .is_some_and(|d| d.text.as_log_str().contains("below limit")),
            )
        {
            let d = minfree_rule(u, &text, line);
            if let Rule::Minfree {
                cache_kb,
                limit_kb,
                min_adj: m,
                ..
            } = &mut d.rule
            {
                (*cache_kb, *limit_kb, *m) = (cache, limit, min_adj);
            }
            d.text = text.into();
            d.line = line;
            used = true;
        }
        if let Some(kb) = l.reserve_kb
            && let Some(Decision {
                rule: Rule::Minfree { free_kb, .. },
                ..
            }) = &mut u.decision
            && (is_kill || free_kb.is_none())
        {
            *free_kb = Some(kb);
            used = true;
        }
        if used && !is_kill {
            add_line(&mut h.ev, line);
        }
    }

    /// A unit's notice of a kill: onto the kernel's event of it, onto systemd-oomd's
    /// event of it, onto a notice of the same kill by a parent unit, or an event of its
    /// own (the killer's own lines are not in the log).
    fn unit_notice(&mut self, rec: &Record<'_>, unit: &str, by: Killer, processes: Option<u64>) {
        let line = rec.line;
        if by == Killer::Kernel {
            let taken = self.kernel_reports_mut(rec.host, |ev| {
                ev.killer.is_kernel()
                    && !ev.killed.is_empty()
                    && near(ev.wall.as_ref(), rec.wall.as_ref(), LINK_SECS)
            });
            for ev in taken.into_iter().rev() {
                let path = victim_path(ev).map(str::to_string);
                if add_notice(&mut ev.unit, unit, by, processes, line, path.as_deref()) {
                    return;
                }
            }
        }
        // systemd-oomd's event of the kill: its target is the unit's cgroup.
        for h in self.user.held.iter_mut().rev() {
            if h.ev.killer != by
                || !host_ok(&h.ev.host, rec.host)
                || !near(h.at.as_ref(), rec.wall.as_ref(), LINK_SECS)
            {
                continue;
            }
            let target =
                h.ev.userspace
                    .as_ref()
                    .and_then(|u| u.target.as_ref())
                    .map(|t| t.as_log_str().to_string());
            // A unit notice's own event names the unit, not a path: parents by name.
            let named = target.as_deref().is_some_and(|t| !t.contains('/'));
            let fits = match &target {
                Some(_) if named => h.ev.unit.is_some(),
                Some(t) => components(t).any(|c| c == unit),
                None => by == Killer::SystemdOomd && h.ev.unit.is_none(),
            };
            if fits || (target.is_none() && h.ev.unit.is_some()) {
                let path = target.as_deref().filter(|_| !named);
                if add_notice(&mut h.ev.unit, unit, by, processes, line, path) {
                    if target.is_none() || named {
                        user(&mut h.ev).target =
                            Some(h.ev.unit.as_ref().expect("set").unit.clone());
                    }
                    add_line(&mut h.ev, line);
                    h.at = rec.wall.or(h.at);
                    return;
                }
            }
        }
        // A kernel kill handed out already: the same kill, counted once.
        if by == Killer::Kernel && self.user.emitted_kill(unit, rec) {
            return;
        }
        // An event of its own: the kill as systemd reports it.
        let mut ev = self.user_event(rec, by);
        ev.complete = false;
        let u = user(&mut ev);
        u.target = Some(unit.into());
        u.count = processes;
        if by == Killer::Kernel {
            u.reporter = Some(Reporter::Systemd);
            u.signal = Some("SIGKILL".into());
        }
        add_notice(&mut ev.unit, unit, by, processes, line, None);
        // Not `hold`: notices of several units in one burst are separate kills.
        self.user.held.push_back(Held {
            ev,
            at: rec.wall,
            closed: false,
        });
    }

    /// The unit facts naming `unit` (as the unit or a parent) near `rec`.
    fn unit_facts(&mut self, rec: &Record<'_>, unit: &str) -> Option<&mut UnitFacts> {
        let names = |f: &UnitFacts| f.unit.as_log_str() == unit;
        let held = self.user.held.iter().rposition(|h| {
            host_ok(&h.ev.host, rec.host)
                && near(h.at.as_ref(), rec.wall.as_ref(), HOLD_SECS)
                && h.ev.unit.as_deref().is_some_and(names)
        });
        if let Some(i) = held {
            let h = &mut self.user.held[i];
            h.ev.source.last_line = h.ev.source.last_line.max(rec.line);
            return h.ev.unit.as_deref_mut();
        }
        let found = self.kernel_reports_mut(rec.host, |ev| {
            ev.unit.as_deref().is_some_and(names)
                && near(ev.wall.as_ref(), rec.wall.as_ref(), HOLD_SECS)
        });
        found
            .into_iter()
            .last()
            .and_then(|ev| ev.unit.as_deref_mut())
    }

    /// A kernel report that ends with a kill takes the held notices of its units and
    /// links the userspace attempts on its victim (earlyoom's SIGTERM to the pid the
    /// kernel then killed).
    pub(super) fn link_kernel(&mut self, ev: &mut OomEvent) {
        if ev.killed.is_empty() {
            return;
        }
        let path = victim_path(ev).map(str::to_string);
        let host = ev.host.clone();
        let host_b = host.as_ref().map(|h| h.as_log_str().as_bytes().to_vec());
        let mut i = 0;
        while i < self.user.held.len() {
            let h = &mut self.user.held[i];
            let here = host_ok(&h.ev.host, host_b.as_deref())
                && near(h.at.as_ref(), ev.wall.as_ref(), LINK_SECS * 6);
            let Some(u) = h.ev.userspace.as_mut() else {
                i += 1;
                continue;
            };
            if here
                && u.reporter == Some(Reporter::Systemd)
                && near(h.at.as_ref(), ev.wall.as_ref(), LINK_SECS)
                && let Some(f) = h.ev.unit.take()
            {
                let mut ok = add_notice(
                    &mut ev.unit,
                    f.unit.as_log_str(),
                    f.by,
                    None,
                    0,
                    path.as_deref(),
                );
                if let Some(e) = ev.unit.as_mut().filter(|_| ok) {
                    e.lines.retain(|l| *l != 0);
                    e.lines.extend(f.lines.iter().copied());
                    e.lines.sort_unstable();
                    e.result = e.result.clone().or(f.result.clone());
                    e.main_exit = e.main_exit.clone().or(f.main_exit.clone());
                    e.restart_counter = e.restart_counter.or(f.restart_counter);
                    for a in &f.ancestors {
                        if !e.ancestors.contains(a) && e.unit != *a {
                            e.ancestors.push(a.clone());
                        }
                    }
                } else {
                    ok = false;
                }
                if ok {
                    self.user.held.remove(i);
                    continue;
                }
                h.ev.unit = Some(f);
            }
            let h = &mut self.user.held[i];
            // The kubelet's or Docker's report of this same kill: the kernel's is the event.
            let same = match h.ev.userspace.as_deref() {
                Some(UserKill {
                    reporter: Some(Reporter::Kubelet | Reporter::Tracer),
                    pid: Some(p),
                    ..
                }) => ev.killed.iter().any(|k| k.pid == *p),
                Some(UserKill {
                    reporter: Some(Reporter::Docker),
                    target: Some(id),
                    ..
                }) => path.as_deref().is_some_and(|p| p.contains(id.as_log_str())),
                _ => false,
            };
            if here && same {
                self.user.held.remove(i);
                continue;
            }
            let h = &mut self.user.held[i];
            if here
                && h.ev.killer != Killer::Kernel
                && let Some(u) = h.ev.userspace.as_mut()
                && let Some(pid) = u.pid
                && let Some(k) = ev.killed.iter().find(|k| k.pid == pid)
            {
                u.kernel_kill_line = Some(k.line);
                ev.attempts.push(KillLink {
                    killer: h.ev.killer,
                    pid: Some(pid),
                    signal: u.signal.clone(),
                    line: h.ev.source.first_line,
                });
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<ULine> {
        line("", text)
    }

    #[test]
    fn systemd_oomd_kill_lines_of_each_version() {
        let Some(ULine::OomdKill {
            target, decision, ..
        }) = read(
            "Killed /user.slice/a.scope due to memory pressure for /user.slice being 77.97% > 50.00% for > 20s with reclaim activity",
        )
        else {
            panic!()
        };
        assert_eq!(target, "/user.slice/a.scope");
        assert_eq!(
            decision,
            Rule::MemoryPressure {
                cgroup: Some("/user.slice".into()),
                pressure_pct: Some(77.97),
                limit_pct: Some(50.0),
                duration: Some("20s".into()),
            }
        );
        let Some(ULine::OomdKill { decision, .. }) = read(
            "Marked /x.scope for killing due to memory used (16109408256) / total (16474247168) and swap used (1982627840) / total (2147479552) being more than 90.00%",
        ) else {
            panic!()
        };
        assert_eq!(
            decision,
            Rule::SwapUsed {
                memory_used_bytes: Some(16109408256),
                memory_total_bytes: Some(16474247168),
                swap_used_bytes: Some(1982627840),
                swap_total_bytes: Some(2147479552),
                limit_pct: Some(90.0),
            }
        );
        assert!(matches!(
            read(
                "Memory pressure for /user.slice is greater than 10 for more than 10 seconds and there was reclaim activity"
            ),
            Some(ULine::OomdUnnamed { .. })
        ));
    }

    #[test]
    fn lmkd_lines_of_every_logcat_layout() {
        for l in [
            "I/lowmemorykiller(  479): Kill 'com.x' (1234), uid 10123, oom_adj 906 to free 12345kB",
            "07-28 10:46:14.514   479   479 I lowmemorykiller: Kill 'com.x' (1234), uid 10123, oom_score_adj 906 to free 12345kB rss, 0kB swap; reason: low watermark is breached",
            "Kill 'com.x' (1234), uid 10123, oom_score_adj 906 to free 12345kB rss, 0kb swap",
        ] {
            let Some(ULine::Lmkd(k)) = read(l) else {
                panic!("{l}")
            };
            assert_eq!(
                (k.pid, k.adj, k.rss_kb),
                (1234, Some(906), Some(12345)),
                "{l}"
            );
        }
        // Another program's signals are not earlyoom's kills.
        assert_eq!(read("sending SIGTERM to process 12 (worker)"), None);
        assert!(
            read("sending SIGTERM to process 57834 uid 1000 \"code\": badness 866, VmRSS 5 MiB")
                .is_some()
        );
        // Another program's `Kill '…'` is not lmkd's.
        assert_eq!(
            read("myapp: Kill 'x' (1), uid 1, oom_score_adj 0 to free 1kB"),
            None
        );
    }

    #[test]
    fn an_evicted_pods_status_states_the_resource_and_threshold() {
        let Some(ULine::EvictedStatus { resource, text }) = read(
            "Message:      The node was low on resource: memory. Threshold quantity: 100Mi, available: 45Mi.",
        ) else {
            panic!()
        };
        assert_eq!(resource, "memory");
        assert!(
            text.starts_with("The node was low on resource: memory. Threshold quantity: 100Mi")
        );
    }

    #[test]
    fn units_contain_their_children_by_name() {
        assert!(unit_contains("user.slice", "user-1021.slice"));
        assert!(unit_contains("user-1021.slice", "user@1021.service"));
        assert!(unit_contains("system.slice", "system-postgresql.slice"));
        assert!(unit_contains("user@1000.service", "run-u820.service"));
        assert!(!unit_contains("user-1021.slice", "system-postgresql.slice"));
        assert!(!unit_contains(
            "system-postgresql.slice",
            "user@1021.service"
        ));
        assert!(!unit_contains("run-u820.service", "user@1000.service"));
        assert!(!unit_contains(
            "user@1021.service",
            "system-postgresql.slice"
        ));
        assert!(unit_contains("user@1000.service", "app.slice"));
    }

    #[test]
    fn the_newer_lines_are_read_by_marker_or_in_a_window() {
        let p = crate::event::kinds::prefilter();
        for l in [
            // Meta's oomd, KillMemoryGrowth-inl.h:162 (HEAD 88c28fd), shape as printed.
            "[../src/oomd/plugins/KillMemoryGrowth-inl.h:162] Picked \"system.slice/x.service\" (1200MB) based on size > 10% of sibling total 6989MB",
            "process 1234 exited after 0.100 seconds",
            "process exited after 0.5 seconds",
            "process 1234 did not exit",
            "Victim VmRSS: 3268608 KiB",
            "  SwapFree [2168 MiB, 14.7 %] <= soft_threshold_min_swap [2210 MiB, 15.0 %]",
            "  MemAvailable: 1574.5 MiB, SwapFree: 546.0 MiB",
            "lowmemorykiller: Killing 'x' (1), adj 1,",
            "   to free 1kB on behalf of 'kswapd0' (4) because",
            "   cache 1kB is below limit 2kB for oom_score_adj 0",
            "   Free memory is 1kB above reserved",
            "lowmemorykiller: send sigkill to 1 (init), adj 0, size 86",
        ] {
            let Some(u) = read(l) else {
                panic!("not read: {l}")
            };
            // A line the fast path does not find is read only inside a window.
            assert!(p.contains(l.as_bytes()) || window_only(&u), "{l}");
            assert!(!p.contains(l.as_bytes()) || !window_only(&u), "{l}");
        }
        // Android 8–9's userspace lmkd prints `Killing '…'` under the driver's tag, with a
        // uid: lmkd's kill, not the driver's.
        assert!(matches!(
            read("Killing 'com.android.documentsui' (4563), uid 10010, adj 906"),
            Some(ULine::Lmkd(LmkdKill {
                pid: 4563,
                uid: Some(10010),
                adj: Some(906),
                ..
            }))
        ));
        assert!(matches!(
            read("   to free 47396kB because system is under medium memory pressure oom_adj 800"),
            Some(ULine::LmkdFree {
                kb: Some(47396),
                ..
            })
        ));
        // The 2.6 driver's `adj` is oom_adj: not read as oom_score_adj.
        let Some(ULine::Lmk(l)) = read("send sigkill to 2948 (rsyslogd), adj 0, size 209") else {
            panic!()
        };
        assert_eq!((l.kill, l.adj), (Some((2948, "rsyslogd".into())), None));
    }

    #[test]
    fn killers_parse_by_key() {
        for k in Killer::ALL {
            assert_eq!(Killer::parse(k.key()), Some(k));
        }
        assert_eq!(Killer::parse("Kubelet"), Some(Killer::KubeletEviction));
        assert_eq!(Killer::parse("nope"), None);
    }
}

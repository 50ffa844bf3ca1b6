//! The table of report-line kinds: the one place that says which log lines matter.
//!
//! Every kind of line the event layer understands is one [`Kind`] in [`KINDS`]. An
//! entry declares
//!
//! - its **markers**: literals that every line of the kind holds, which the prefilter
//!   searches for between reports (each with the piece of it the SIMD search looks
//!   for first, its anchor);
//! - its **role** while no report is open: it [starts](Role::Starts) a new one (the
//!   header), it [opens](Role::Opens) one (a report whose start is cut off may begin
//!   with it), it only [continues](Role::Continues) one, or it is
//!   [boot evidence](Role::Evidence) noted on the stream;
//! - its **keep-whole** literals, when the kernel prints the line with one `printk` and
//!   a name inside it (a process name, a cgroup path) may hold a line break: the
//!   record layer must then not split the message at its line breaks;
//! - its **classifier**, which claims the message and says what it states as a
//!   [`Line`];
//! - how it **fills** the event: a fill function (`crate::event::fill`) that reads the
//!   [`Line`] into the open report it is routed to, through a narrow handle (the
//!   event, "this line confirms an OOM report", the `memory.stat` block being read,
//!   the summary text, `memory.oom.group`), and says whether the line was read, ends
//!   the report (a kill, an ending) or was not understood. Boot evidence fills the
//!   stream instead. Two optional hooks cover the few kinds that need more: `join`
//!   picks the open report by something the line names (kill and reaper lines name
//!   their victim) rather than by printk caller, and `late` lets a line join a
//!   finished report (reaper results, `memory.oom.group` kills, the panic after "no
//!   killable processes", the panic's `Rebooting in N seconds..`);
//! - **examples**, real lines of the kind, which the tests below hold to all of the
//!   above.
//!
//! Everything else is derived from the table: the prefilter the fast path searches
//! with ([`prefilter`]), the literals the record parser keeps whole ([`keep_whole`],
//! [`parser`]), the classifier ([`classify()`], which tries the kinds in table order),
//! and the assembler's decisions: a header starts a report, a line of a kind that
//! opens reports opens one only when it holds a marker of this same prefilter (so
//! that the fast path and `--every-line` see the same opening lines), a line inside a
//! report goes to its kind's fill function. The assembler itself knows no kind: it
//! keeps what is the same for all (streams, routing by printk caller, closing a report
//! at a gap, a reboot or the next header, the budget of unknown lines, raw lines,
//! diagnostics).
//!
//! # Adding a kind
//!
//! A new spelling of a kernel line, or a new killer's line, is one entry, its
//! classifier, its fill function and its tests. The classifier and the fill function
//! may sit right after the table in this file; a line whose facts no [`Line`] variant
//! carries is handed on as [`Line::Facts`] (the text that holds them), which its fill
//! function parses, so `classify.rs` and `fill.rs` are not touched. Say a killer's
//! line `Killed /user.slice/x.scope due to memory pressure for /user.slice being
//! 82.1% > 50.0% for > 20s with reclaim activity` were to open a report and name the
//! killed unit:
//!
//! ```ignore
//! // In KINDS, before any kind whose classifier would also claim the line:
//! Kind {
//!     name: "oomd kill",
//!     markers: &[Marker::new("due to memory pressure for ", "to memory pressure")],
//!     role: Role::Opens,
//!     keep_whole: &[],
//!     classify: oomd_kill,
//!     fill: Fill::report(fill_oomd_kill),
//!     examples: &["Killed /user.slice/x.scope due to memory pressure for /user.slice being 82.1% > 50.0% for > 20s with reclaim activity"],
//! },
//!
//! // After the table:
//! fn oomd_kill(body: &[u8]) -> Option<Line<'_>> {
//!     let unit = body.strip_prefix(b"Killed ")?;
//!     memchr::memmem::find(unit, b" due to memory pressure for ")?;
//!     Some(Line::Facts(unit))
//! }
//!
//! fn fill_oomd_kill(r: &mut Report<'_>, line: &Line<'_>, _: &Record<'_>) -> Step {
//!     let Line::Facts(text) = *line else { return Step::Read };
//!     let at = memchr::memmem::find(text, b" due to memory pressure for ").unwrap_or(0);
//!     r.event().oomd_unit = Some(String::from_utf8_lossy(&text[..at]).into_owned());
//!     r.confirm();
//!     Step::Ends // its verdict: the report is finished
//! }
//! ```
//!
//! A new kind thus touches `src/event/kinds.rs` and its tests (this module's tests run
//! every example through the table; `tests/integration/kinds.rs` runs them through the
//! fast path and `--every-line`), plus `src/event/mod.rs` when the line states a fact
//! the event has no field for (`oomd_unit` above; a report starts from
//! `OomEvent::default()`, so the assembler is not touched), and the renderers if that
//! fact is to be shown. The tests of this module check that the examples are classified as
//! the kind, that the prefilter finds them when the kind acts between reports, that
//! they hold a keep-whole literal when the kind has some, and that boot evidence and
//! only it fills the stream.
//!
//! One thing the table does not yet derive: the assembler reads kernel messages only
//! (`Assembler::push` drops other programs' lines before classifying them), so the
//! first kind whose lines come from a userspace killer such as systemd-oomd also
//! changes that test in `src/event/assemble.rs` (to let a program's lines through
//! when some kind names the program).

use std::sync::LazyLock;

use crate::event::classify::{self, Line};
use crate::event::fill::{self, Fill};
use crate::input::prefilter::Prefilter;
use crate::record::{FormatHint, Parser};

/// A literal the prefilter searches for, with the piece of it searched for first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    /// The literal, case-sensitive, as the line holds it.
    pub text: &'static str,
    /// A piece of `text` whose first four bytes are rare in log text (Teddy, the SIMD
    /// search, tells candidates apart by them; `oom-`, `Memo`, `Tota`, `call`, … are
    /// common in ordinary logs, which halves its speed).
    pub anchor: &'static str,
}

impl Marker {
    /// `text`, searched for by `anchor`.
    pub const fn new(text: &'static str, anchor: &'static str) -> Self {
        Marker { text, anchor }
    }
}

/// What a line of a kind does while no report is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// It starts a new report, ending the stream's others (the `invoked oom-killer`
    /// header); it must have a marker.
    Starts,
    /// It opens a report (one whose first lines are missing, unless it is the header);
    /// it must have a marker, or the fast path would never see it.
    Opens,
    /// It is read only inside a report.
    Continues,
    /// Boot evidence (kernel release, swap, rate limiting): noted on the stream while
    /// idle, never part of a report; it must have a marker.
    Evidence,
}

/// One kind of report line. See the module documentation.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Kind {
    /// A short name, for tests and diagnostics.
    pub name: &'static str,
    /// What the prefilter searches for between reports (may be empty for
    /// [`Role::Continues`]).
    pub markers: &'static [Marker],
    /// What the line does while no report is open.
    pub role: Role,
    /// Literals that keep a message holding a line break whole.
    pub keep_whole: &'static [&'static str],
    /// The classifier: `Some` claims the line for this kind (`Some(Line::Other)`
    /// claims a line that only looks like the kind, so no later kind takes it).
    pub classify: fn(&[u8]) -> Option<Line<'_>>,
    /// How its lines fill the event (see [`crate::event::fill`]).
    pub(crate) fill: Fill,
    /// Real lines of the kind (message text, without the log's header).
    pub examples: &'static [&'static str],
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kind")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

// Markers that more than one kind declares.
const KILL: Marker = Marker::new("Kill process", "Kill ");
const OUT_OF_MEMORY: Marker = Marker::new("Out of memory", "Out of memory");

/// Kinds in the order their classifiers are tried: a line is of the first kind that
/// claims it. Cheap tests on the first byte come first; lines that many kinds could
/// match go to the most specific first.
pub static KINDS: &[Kind] = &[
    Kind {
        name: "task table header",
        // Every era has "uid  tgid total_vm"; shippers may squeeze the spaces.
        markers: &[Marker::new("tgid total_vm", "tgid total_vm")],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::table_header,
        fill: Fill::report(fill::table_header),
        examples: &[
            "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name",
            "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
        ],
    },
    Kind {
        name: "task table row",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::bracket_line,
        fill: Fill::report(fill::table_row),
        examples: &["[  15346]     0 15346    18790    16290 python3"],
    },
    Kind {
        name: "continuation",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::continuation,
        fill: Fill::report(fill::continuation),
        examples: &[",task=python3,pid=15346,uid=0"],
    },
    Kind {
        name: "pages RAM",
        markers: &[Marker::new("pages RAM", "es RAM")],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::ram_pages,
        fill: Fill::report(fill::mem_total),
        examples: &["294896 pages RAM"],
    },
    Kind {
        name: "page totals",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::digit_line,
        fill: Fill::report(fill::mem_total),
        examples: &["3665 reserved pages", "82160 total pagecache pages"],
    },
    Kind {
        name: "oom-kill summary",
        markers: &[Marker::new("oom-kill:", "kill")],
        role: Role::Opens,
        keep_whole: &["oom-kill:"],
        classify: classify::summary_line,
        fill: Fill::report(fill::summary),
        examples: &[
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a/b,task=java,pid=17284,uid=0",
        ],
    },
    Kind {
        name: "oom reaper",
        // Reaper results come after the kill and may be far from it.
        markers: &[Marker::new("oom_reaper:", "_reaper:")],
        role: Role::Opens,
        keep_whole: &["oom_reaper:"],
        classify: classify::reaper,
        fill: Fill::report(fill::reaper)
            .join(fill::reaper_join)
            .late(fill::reaper_late),
        examples: &[
            "oom_reaper: reaped process 15617 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
            "oom_reaper: unable to reap pid:1234 (x y)",
        ],
    },
    Kind {
        name: "cpu line",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::cpu_line,
        fill: Fill::report(fill::cpu_line),
        examples: &[
            "CPU: 1 UID: 0 PID: 15346 Comm: python3 Not tainted 6.18.44-fc-v669 #1 PREEMPT(none)",
            "Pid: 1319, comm: mysqld Tainted: P           2.6.32-5-amd64 #1",
        ],
    },
    Kind {
        name: "hardware",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::hardware,
        fill: Fill::report(fill::nothing),
        examples: &["Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3"],
    },
    Kind {
        name: "memcg usage",
        // Memcg report pieces can start a report whose header was cut off.
        markers: &[Marker::new("memory: usage", "y: usage")],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::memcg_usage,
        fill: Fill::report(fill::counter),
        examples: &["memory: usage 204800kB, limit 204800kB, failcnt 721"],
    },
    Kind {
        name: "memcg counter",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::memcg_counter,
        fill: Fill::report(fill::counter),
        examples: &[
            "memory+swap: usage 65536kB, limit 9007199254740988kB, failcnt 0",
            "swap: usage 0kB, limit 0kB, failcnt 0",
        ],
    },
    Kind {
        name: "memcg stats header",
        markers: &[Marker::new("Memory cgroup stats for", "y cgroup stats")],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::stats_header,
        fill: Fill::report(fill::stats_header),
        examples: &[
            "Memory cgroup stats for /oomlab-single:",
            "Memory cgroup stats for /mem2: cache:0KB rss:980KB",
        ],
    },
    Kind {
        name: "memcg protection",
        // mem_cgroup_show_protected_memory() (6.19+, cgroup v2): the memory.min and
        // memory.low protection of the OOM memcg's children (root on a global OOM).
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::protection,
        fill: Fill::report(fill::nothing),
        examples: &["Memory cgroup min protection 0kB -- low protection 0kB"],
    },
    Kind {
        name: "memcg limit reached",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::limit_reached,
        fill: Fill::report(fill::task_in),
        examples: &["Memory limit reached of cgroup /a"],
    },
    Kind {
        name: "task table title",
        // The 4.19+ title of the task table.
        markers: &[Marker::new("Tasks state (memory", "ks state (")],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::tasks_title,
        fill: Fill::report(fill::tasks_title),
        examples: &["Tasks state (memory values in pages):"],
    },
    Kind {
        name: "Mem-Info",
        // Mem-Info pieces can start a report whose header was cut off.
        markers: &[
            Marker::new("Mem-Info:", "Mem-"),
            Marker::new("Mem-info:", "Mem-"),
        ],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::mem_info_start,
        fill: Fill::report(fill::mem_info_start),
        examples: &["Mem-Info:", "Mem-info:"],
    },
    Kind {
        name: "swap totals",
        markers: &[
            Marker::new("Free swap  =", "swap "),
            Marker::new("Total swap =", "swap "),
        ],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::swap_total,
        fill: Fill::report(fill::mem_total),
        examples: &["Free swap  = 1720104kB", "Total swap = 2064376kB"],
    },
    Kind {
        name: "compaction disabled",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::compaction,
        fill: Fill::report(fill::nothing),
        examples: &["COMPACTION is disabled!!!"],
    },
    Kind {
        name: "callbacks suppressed",
        // "oom_kill_process: N callbacks suppressed": reports were rate-limited away.
        markers: &[Marker::new("callbacks suppressed", "ks suppressed")],
        role: Role::Evidence,
        keep_whole: &[],
        classify: classify::suppressed,
        fill: Fill::stream(fill::suppressed),
        examples: &["oom_kill_process: 5 callbacks suppressed"],
    },
    Kind {
        name: "boot",
        // A new kernel starting.
        markers: &[Marker::new("Linux version ", "Linux version")],
        role: Role::Evidence,
        keep_whole: &[],
        classify: classify::boot,
        fill: Fill::stream(fill::boot),
        examples: &[
            "Linux version 6.8.0-45-generic (buildd@lcy02-amd64-115) (x86_64-linux-gnu-gcc-13) #45-Ubuntu SMP",
        ],
    },
    Kind {
        name: "swap added",
        // Swap added at boot, for reports that do not print the swap total.
        markers: &[Marker::new("k swap on ", "swap ")],
        role: Role::Evidence,
        keep_whole: &[],
        classify: classify::swap_added,
        fill: Fill::stream(fill::swap_added),
        examples: &["Adding 1048572k swap on /swapfile.  Priority:-2 extents:1 across:1048572k SS"],
    },
    Kind {
        name: "slab title",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::slab_title,
        fill: Fill::report(fill::slab),
        examples: &["Unreclaimable slab info:"],
    },
    Kind {
        name: "trace title",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::trace_title,
        fill: Fill::report(fill::trace),
        examples: &["Call Trace:"],
    },
    Kind {
        name: "header",
        // "<comm> invoked oom-killer: gfp_mask=" and the pre-2.6.25 "oom-killer:
        // gfp_mask=" without a task name. It always opens a report.
        markers: &[Marker::new("oom-killer:", "kill")],
        role: Role::Starts,
        keep_whole: &["invoked oom-killer:"],
        classify: classify::header_line,
        fill: Fill::report(fill::header),
        examples: &[
            "java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=968",
            "oom-killer: gfp_mask=0x201d2, order=0",
        ],
    },
    Kind {
        name: "killed process",
        // The verdict in every era.
        markers: &[Marker::new("Killed process", "Killed ")],
        role: Role::Opens,
        keep_whole: &["Killed process "],
        classify: classify::killed,
        fill: Fill::report(fill::killed)
            .join(fill::killed_join)
            .late(fill::killed_late),
        examples: &[
            "Memory cgroup out of memory: Killed process 17284 (java) total-vm:146092kB, anon-rss:135540kB, file-rss:6248kB, shmem-rss:0kB, UID:0 pgtables:328kB oom_score_adj:968",
            "Killed process 15462, UID 500, (t) total-vm:233384kB, anon-rss:51228kB, file-rss:384kB",
        ],
    },
    Kind {
        name: "sharing mm",
        markers: &[KILL],
        role: Role::Opens,
        keep_whole: &["Kill process "],
        classify: classify::sharing,
        fill: Fill::report(fill::sharing).late(fill::sharing_late),
        examples: &["Kill process 1235 (java) sharing same memory"],
    },
    Kind {
        name: "selection",
        // The pre-5.1 choice, "Kill process" or "kill process" by era.
        markers: &[KILL, Marker::new("kill process", "kill")],
        role: Role::Opens,
        keep_whole: &["Kill process "],
        classify: classify::selection,
        fill: Fill::report(fill::selection),
        examples: &[
            "Memory cgroup out of memory: Kill process 15462 (t) score 1000 or sacrifice child",
            "Out of memory: kill process 6350 (apache2) score 82992 or a child",
        ],
    },
    Kind {
        name: "task in memcg",
        markers: &[Marker::new("killed as a result of limit", "kill")],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::limit_of,
        fill: Fill::report(fill::task_in),
        examples: &[
            "Task in /1066/uid killed as a result of limit of /1066",
            "killed as a result of limit of /x",
        ],
    },
    Kind {
        name: "task in, first half",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::task_in,
        fill: Fill::report(fill::task_in),
        examples: &["Task in /1066/uid"],
    },
    Kind {
        name: "victim exiting",
        markers: &[Marker::new("is already exiting. Skip killing", "kill")],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::victim_exiting,
        fill: Fill::report(fill::victim_exiting).late(fill::victim_exiting_late),
        examples: &[
            "Memory cgroup out of memory: OOM victim 1234 (java) is already exiting. Skip killing the task",
        ],
    },
    Kind {
        name: "group kill",
        markers: &[Marker::new("memory.oom.group", ".oom.group")],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::group_kill,
        fill: Fill::report(fill::group_kill).late(fill::group_kill_late),
        examples: &["Tasks in /a b are going to be killed due to memory.oom.group set"],
    },
    Kind {
        name: "mm pinned",
        // Found between reports too (the assembler ignores it there).
        markers: &[Marker::new("has mm pinned by", "mm pinned")],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::mm_pinned,
        fill: Fill::report(fill::nothing),
        examples: &["oom killer 1234 (java) has mm pinned by 1240 (gc)"],
    },
    Kind {
        name: "no killable process",
        markers: &[OUT_OF_MEMORY],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::no_killable,
        fill: Fill::report(fill::no_killable),
        examples: &["Out of memory and no killable processes..."],
    },
    Kind {
        name: "panic",
        // The panic that follows "no killable processes" on a global OOM, and
        // panic_on_oom.
        markers: &[
            OUT_OF_MEMORY,
            Marker::new("deadlocked on memory", "dlocked on mem"),
        ],
        role: Role::Opens,
        keep_whole: &[],
        classify: classify::panic,
        fill: Fill::report(fill::panic).late(fill::panic_late),
        examples: &[
            "Kernel panic - not syncing: System is deadlocked on memory",
            "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled",
        ],
    },
    Kind {
        name: "sysrq manual oom",
        // SysRq-f ("SysRq : Manual OOM execution", "sysrq: Manual OOM execution"): the
        // report right after it is a manual OOM, even where the kernel printed order=0
        // (3.19). Its line is noted on the stream. Placed late in the table: the
        // prefilter takes anchors in table order, and "Manual OOM" among the first
        // dozen cost the Teddy search 6 % more instructions (callgrind, 64 MiB log:
        // 153.6 M there, 145.4 M here).
        markers: &[Marker::new("Manual OOM execution", "OOM e")],
        role: Role::Evidence,
        keep_whole: &[],
        classify: classify::manual_oom,
        fill: Fill::stream(fill::manual_oom),
        examples: &[
            "SysRq : Manual OOM execution",
            "sysrq: Manual OOM execution",
        ],
    },
    Kind {
        name: "rtc clock",
        // The kernel setting the system clock from the RTC at boot (rtc_hctosys(),
        // drivers/rtc/class.c): a wall time at a printk time, so a raw dmesg log gets
        // its boot time. Late in the table, as `Manual OOM` above, for the prefilter.
        markers: &[Marker::new("setting system clock to ", "system clock to")],
        role: Role::Evidence,
        keep_whole: &[],
        classify: rtc_clock,
        fill: Fill::stream(fill_rtc_clock),
        examples: &[
            "rtc_cmos 00:00: setting system clock to 2026-11-21T10:00:00 UTC (1795255200)",
            "rtc_cmos 00:02: setting system clock to 2013-01-01 10:00:00 UTC (1357034400)",
        ],
    },
    Kind {
        name: "panic tail",
        // The last line panic() prints (panic_timeout set): the machine reboots. It
        // ends the open report it follows, whose panic line a cut may have lost
        // (samples/real/203), and belongs to the report it follows when that one is
        // finished (a panic_on_oom or deadlock panic, or a panic right after a kill);
        // alone it is no OOM. Its marker lets the fast path see it between reports.
        markers: &[Marker::new("Rebooting in ", "Rebooting in")],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::panic_tail,
        fill: Fill::report(fill::panic).late(fill::panic_tail_late),
        examples: &["Rebooting in 86400 seconds.."],
    },
    Kind {
        name: "cpuset",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::cpuset,
        fill: Fill::report(fill::cpuset),
        examples: &["java cpuset=docker-1.scope mems_allowed=0-3"],
    },
    Kind {
        name: "Mem-Info detail",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::mem_detail,
        fill: Fill::report(fill::mem_detail),
        examples: &[
            "active_anon:7174 inactive_anon:484737 isolated_anon:0",
            "Node 0 DMA: 2*4kB (U) 4*8kB (UM) = 78B",
            "rss_huge 0",
        ],
    },
    Kind {
        name: "trace",
        markers: &[],
        role: Role::Continues,
        keep_whole: &[],
        classify: classify::trace,
        fill: Fill::report(fill::trace),
        examples: &[
            "dump_header+0x43/0x1c0",
            "? srso_alias_return_thunk+0x5/0xfbef5",
        ],
    },
];

/// Lines no kind claims.
pub static OTHER: Kind = Kind {
    name: "other",
    markers: &[],
    role: Role::Continues,
    keep_whole: &[],
    classify: |_| Some(Line::Other),
    fill: Fill::report(fill::other),
    examples: &["docker0: port 2(veth380a1cd) entered disabled state"],
};

/// Not a kind of line: a journal export whose message is a byte array hides its text
/// from a search of the raw bytes, so such lines are always let through.
pub const HIDDEN_TEXT: Marker = Marker::new("\"MESSAGE\":[", "MESSAGE\":[");

/// The kind of a kernel message body (already trimmed) and what it says.
pub fn classify(body: &[u8]) -> (&'static Kind, Line<'_>) {
    if body.is_empty() {
        return (&OTHER, Line::Other);
    }
    for k in KINDS {
        match (k.classify)(body) {
            Some(Line::Other) => break,
            Some(line) => return (k, line),
            None => {}
        }
    }
    (&OTHER, Line::Other)
}

/// `… setting system clock to DATE UTC (EPOCH)`: the line, for its epoch.
fn rtc_clock(body: &[u8]) -> Option<Line<'_>> {
    crate::record::clock::rtc_system_clock(body).map(|_| Line::Facts(body))
}

/// The boot's first RTC line, with its printk time, is noted on the stream.
fn fill_rtc_clock(n: &mut crate::event::fill::Notes<'_>, line: &Line<'_>) {
    use crate::record::clock::{BootTimeSource, ClockPair, rtc_system_clock};
    if let (Line::Facts(body), Some(printk)) = (line, n.printk)
        && n.rtc.is_none()
        && let Some(wall) = rtc_system_clock(body)
    {
        *n.rtc = Some(ClockPair {
            wall,
            printk,
            source: BootTimeSource::RtcLine { line: n.line },
        });
    }
}

/// Every marker of the table (and [`HIDDEN_TEXT`]), each once, in table order.
pub fn markers() -> &'static [Marker] {
    static MARKERS: LazyLock<Vec<Marker>> = LazyLock::new(|| {
        let mut all: Vec<Marker> = Vec::new();
        // The userspace killers' lines (`crate::event::userspace`) come after the
        // kernel's: Teddy takes anchors in this order.
        let each = KINDS.iter().flat_map(|k| k.markers);
        let user = crate::event::userspace::MARKERS.iter();
        for m in each.chain(std::iter::once(&HIDDEN_TEXT)).chain(user) {
            if !all.iter().any(|x| x.text == m.text) {
                all.push(*m);
            }
        }
        all
    });
    &MARKERS
}

/// The prefilter of the fast path, built once from [`markers`]. The assembler opens a
/// report only on a line this finds, so that `--every-line` agrees with the fast path.
pub fn prefilter() -> &'static Prefilter {
    static PREFILTER: LazyLock<Prefilter> = LazyLock::new(|| {
        let texts: Vec<&str> = markers().iter().map(|m| m.text).collect();
        Prefilter::new(&texts, &anchors())
    });
    &PREFILTER
}

/// The order Teddy gets the anchors in: its buckets follow the order (patterns `i`,
/// `i + 8`, … share one, and a bucket of unlike first bytes lets more false candidates
/// through), so the order changes its speed severalfold. This one was found by
/// `cargo run --release --example anchor_order` (a search over swaps) on the benchmark
/// log (`benches/gen_log.rs`): the search alone over 256 MiB took 45–56 ms against
/// 110 ms in the order before it. Anchors it does not name follow in table order; a
/// test fails until they are placed (run the example again).
const ANCHOR_ORDER: &[&str] = &[
    "mm pinned",
    "Out of memory",
    "t or below",
    "_reaper:",
    "Killed ",
    "y: usage",
    ".oom.group",
    "low on resource",
    "ks state (",
    "ks suppressed",
    "MESSAGE\":[",
    "Rebooting in",
    "swap ",
    "evict",
    "pressure",
    "Kill ",
    " SIG",
    "Mem-",
    "kill",
    "dlocked on mem",
    "Linux version",
    "es RAM",
    " oom ",
    "system clock to",
    "y cgroup stats",
    "vail",
    "Scheduled restart",
    "badness",
    "tgid total_vm",
    "h result",
    "OOM e",
];

/// Every marker's anchor, once, in the tuned order (`ANCHOR_ORDER`).
pub fn anchors() -> Vec<&'static str> {
    let mut anchors: Vec<&'static str> = Vec::new();
    for m in markers() {
        if !anchors.contains(&m.anchor) {
            anchors.push(m.anchor);
        }
    }
    let rank = |a: &str| {
        ANCHOR_ORDER
            .iter()
            .position(|o| *o == a)
            .unwrap_or(usize::MAX)
    };
    // Stable: the unlisted keep their table order, after the listed.
    anchors.sort_by_key(|a| rank(a));
    anchors
}

/// The literals that keep a message whole (see [`Kind::keep_whole`]), each once.
pub fn keep_whole() -> &'static [&'static [u8]] {
    static WHOLE: LazyLock<Vec<&'static [u8]>> = LazyLock::new(|| {
        let mut all: Vec<&'static [u8]> = Vec::new();
        for w in KINDS.iter().flat_map(|k| k.keep_whole) {
            if !all.contains(&w.as_bytes()) {
                all.push(w.as_bytes());
            }
        }
        all
    });
    &WHOLE
}

/// A record parser that keeps the table's one-`printk` lines whole.
pub fn parser(hint: FormatHint) -> Parser {
    Parser::with_hint(hint).keep_whole(keep_whole())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_of_their_kind() {
        for k in KINDS.iter().chain([&OTHER]) {
            assert!(!k.examples.is_empty(), "{}: no example", k.name);
            for e in k.examples {
                let (got, line) = classify(e.as_bytes());
                assert_eq!(got.name, k.name, "{e:?} is {line:?}");
                if k.name != OTHER.name {
                    assert_ne!(line, Line::Other, "{e:?}");
                }
            }
        }
    }

    /// The fast path only hands the assembler lines with a marker: a kind that acts
    /// while no report is open must have markers, and its lines must hold one.
    #[test]
    fn kinds_that_act_while_idle_are_found_by_the_prefilter() {
        let pf = prefilter();
        for k in KINDS {
            for m in k.markers {
                assert!(m.text.contains(m.anchor), "{}: {m:?}", k.name);
            }
            if k.role == Role::Continues && k.fill.late.is_none() {
                continue;
            }
            assert!(
                !k.markers.is_empty(),
                "{} acts while idle: no marker",
                k.name
            );
            for e in k.examples {
                assert!(
                    k.markers.iter().any(|m| e.contains(m.text)),
                    "{}: {e:?} holds none of its markers",
                    k.name
                );
                let text = format!("filler line\n{e}\nfiller\n");
                let at = pf.find(text.as_bytes());
                assert!(at.is_some_and(|a| (12..12 + e.len()).contains(&a)), "{e:?}");
            }
        }
    }

    /// Boot evidence, and only it, fills the stream; one kind starts reports; a kind
    /// that joins finished reports acts between reports, so the prefilter must see it.
    #[test]
    fn fill_behaviour_agrees_with_the_role() {
        for k in KINDS.iter().chain([&OTHER]) {
            assert_eq!(k.fill.is_stream(), k.role == Role::Evidence, "{}", k.name);
            // A kind that only continues reports may still join finished ones (the
            // panic tail), but never open one: it needs a marker all the same.
            if k.fill.late.is_some() {
                assert!(!k.markers.is_empty(), "{}", k.name);
            }
        }
        let starts: Vec<_> = KINDS.iter().filter(|k| k.role == Role::Starts).collect();
        assert_eq!(starts.len(), 1);
        let (kind, line) = classify(b"java invoked oom-killer: gfp_mask=0xcc0, order=0");
        assert_eq!(kind.name, starts[0].name);
        assert!(matches!(line, Line::Header(_)));
    }

    #[test]
    fn every_marker_holds_an_anchor() {
        for m in markers() {
            assert!(m.text.contains(m.anchor), "{m:?}");
            assert!(!m.text.contains('\n'));
        }
    }

    /// One slim Teddy searcher holds 32 patterns; past that the search takes a second
    /// pass over every byte (input::prefilter), which made the 1 GiB benchmark 1.7–2×
    /// slower. A new marker reuses an anchor (`kill`, ` SIG`, `Killed `, …) or makes
    /// room. The tuned order names every anchor, and only anchors.
    #[test]
    fn anchors_fit_one_teddy_searcher_in_the_tuned_order() {
        let anchors = anchors();
        assert!(
            anchors.len() <= 32,
            "{} anchors: {anchors:?}",
            anchors.len()
        );
        assert_eq!(
            anchors, ANCHOR_ORDER,
            "ANCHOR_ORDER lists every anchor once"
        );
    }

    #[test]
    fn keep_whole_literals_are_in_their_examples() {
        for k in KINDS.iter().filter(|k| !k.keep_whole.is_empty()) {
            // Lines of a kind without a name in them need not hold one (the
            // pre-2.6.25 header names no task), but some example must.
            let named = k
                .examples
                .iter()
                .filter(|e| k.keep_whole.iter().any(|w| e.contains(w)));
            assert!(
                named.clone().count() > 0,
                "{}: no example holds a keep-whole literal",
                k.name
            );
            for e in named {
                // A line break inside the line (kmsg escapes it as `\x0a`) does not
                // split the message, as it does without the table's literals.
                let cut = e.len() - 1;
                let line = format!("6,1,2,-;{}\\x0a{}", &e[..cut], &e[cut..]);
                let count = |mut p: Parser| {
                    let mut n = 0;
                    p.parse(line.as_bytes(), 1, &mut |_| n += 1);
                    n
                };
                assert_eq!(count(parser(FormatHint::Kmsg)), 1, "{line:?}");
                assert_eq!(count(Parser::with_hint(FormatHint::Kmsg)), 2, "{line:?}");
            }
        }
    }

    /// The anchored search of the fast path finds what a plain search for the
    /// markers finds, on the samples and on lines built to hold anchors without
    /// their marker.
    #[test]
    fn anchored_search_finds_what_the_plain_search_finds() {
        let m = prefilter();
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for dir in ["samples/real", "samples/lab"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for e in std::fs::read_dir(dir).unwrap() {
                texts.push(std::fs::read(e.unwrap().path()).unwrap());
            }
        }
        texts.push(b"a Kill processor\nswap on x; Out of memory\n".to_vec());
        texts.push(b"boom-killer\nzoom-kill: no\nx oom-kill: y\n".to_vec());
        texts.push(b"Mem-Info\nks state (x) Tasks state (memory".to_vec());
        for t in &texts {
            for from in [0, 1, 7, t.len() / 3, t.len() / 2] {
                let h = &t[from.min(t.len())..];
                let mut pos = 0;
                loop {
                    let want = m.find_plain(&h[pos..]);
                    assert_eq!(m.find(&h[pos..]), want);
                    let Some(w) = want else { break };
                    pos += w + 1;
                }
            }
        }
    }
}

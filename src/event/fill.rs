//! How each kind of report line fills the event: the fill functions the table in
//! [`crate::event::kinds`] points to, and the narrow handles they work through.
//!
//! The assembler owns what is the same for every kind (streams, routing by printk
//! caller, closing reports, the budget of unknown lines, raw lines, diagnostics); a
//! kind's [`Fill`] says what its lines do:
//!
//! - `read` — a line inside an open report fills it through a [`Report`] and says what
//!   happened ([`Step`]); boot evidence fills the stream's [`Notes`] instead;
//! - `join` (optional) — which open report the line belongs to, when that is not the
//!   one of its printk caller (kill and reaper lines name their victim);
//! - `late` (optional) — a line that no open report takes but that can still join a
//!   finished one ([`Finished`]): reaper results, `memory.oom.group` kills, the panic
//!   after "no killable processes".

use std::collections::{BTreeMap, VecDeque};

use crate::event::assemble::{BootEvidence, MAX_ROWS, Partial, thin_rows};
use crate::event::classify::{self, CounterKind, Line, MemTotal};
use crate::event::meminfo;
use crate::event::{
    Ending, Evidence, KernelChoice, Killed, MemInfo, Memcg, OomEvent, OomSummary, Reaped, Reboot,
    Trigger,
};
use crate::record::Record;
use crate::text::LogString;

/// A kind's fill behaviour (see the module documentation). Built with
/// [`Fill::report`] or [`Fill::stream`], then [`Fill::join`] and [`Fill::late`].
#[derive(Clone, Copy)]
pub(crate) struct Fill {
    pub(crate) read: Read,
    pub(crate) join: Option<JoinFn>,
    pub(crate) late: Option<LateFn>,
}

/// What a line does with the report or the stream it is read into.
#[derive(Clone, Copy)]
pub(crate) enum Read {
    /// Fills the open report the line is routed to.
    Report(ReadFn),
    /// Notes boot evidence on the stream; never part of a report.
    Stream(fn(&mut Notes<'_>, &Line<'_>)),
}

/// Fills a report with one line.
pub(crate) type ReadFn = fn(&mut Report<'_>, &Line<'_>, &Record<'_>) -> Step;
/// Which open report (index into the stream's open reports, oldest first) takes the
/// line; `None`: none does.
#[allow(clippy::borrowed_box)]
/// Picks the open report a line joins; `hint` is the report of the line's printk caller,
/// if it has one open (checked first where it may be the answer, so that thousands of
/// interleaved reports are not searched for every line).
pub(crate) type JoinFn = fn(&Line<'_>, &[Box<Partial>], Option<usize>) -> Option<usize>;
/// Lets a finished report take a line no open report took; `true` when one did (or
/// the line is to be dropped quietly).
pub(crate) type LateFn = fn(&mut Finished<'_>, &Line<'_>, &Record<'_>) -> bool;

impl Fill {
    /// Lines of the kind fill the report they are routed to with `read`.
    pub(crate) const fn report(read: ReadFn) -> Fill {
        Fill {
            read: Read::Report(read),
            join: None,
            late: None,
        }
    }

    /// Lines of the kind are boot evidence, noted on the stream by `note`.
    pub(crate) const fn stream(note: fn(&mut Notes<'_>, &Line<'_>)) -> Fill {
        Fill {
            read: Read::Stream(note),
            join: None,
            late: None,
        }
    }

    /// Routes the kind's lines with `join` instead of by printk caller.
    pub(crate) const fn join(self, join: JoinFn) -> Fill {
        Fill {
            join: Some(join),
            ..self
        }
    }

    /// Lets the kind's lines join a finished report.
    pub(crate) const fn late(self, late: LateFn) -> Fill {
        Fill {
            late: Some(late),
            ..self
        }
    }

    /// Whether the kind is boot evidence (filled into the stream, not a report).
    pub(crate) fn is_stream(&self) -> bool {
        matches!(self.read, Read::Stream(_))
    }
}

/// What reading a line did to its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Read.
    Read,
    /// Read, and it is the report's verdict (a kill, an ending): the report is
    /// finished and only `late` lines still join it.
    Ends,
    /// Not understood in this place: counted against the budget of unknown lines.
    Unknown,
}

/// An open report as a fill function sees it.
pub(crate) struct Report<'p> {
    p: &'p mut Partial,
    /// The `memory.stat` block the line follows, if any.
    block: Option<usize>,
}

impl<'p> Report<'p> {
    /// The report `p` reading its next line: a line ends the `memory.stat` block it
    /// interrupts unless its fill function calls [`Report::stay_in_block`].
    pub(crate) fn next_line(p: &'p mut Partial) -> Self {
        let block = p.stats_block.take();
        Report { p, block }
    }

    /// A finished report taking a late line.
    fn finished(p: &'p mut Partial) -> Self {
        let block = p.stats_block;
        Report { p, block }
    }

    /// The event being filled.
    pub(crate) fn event(&mut self) -> &mut OomEvent {
        &mut self.p.ev
    }

    /// The line is one only an OOM report prints (a fragment that starts with
    /// Mem-Info could also be a page-allocation failure or SysRq-m, and is dropped
    /// unless some line confirms it).
    pub(crate) fn confirm(&mut self) {
        self.p.confirmed = true;
    }

    /// The line belongs to the key/value block it follows (Mem-Info detail,
    /// `memory.stat` values), which stays open.
    pub(crate) fn stay_in_block(&mut self) {
        self.p.stats_block = self.block;
    }

    /// The `memory.stat` values of the block the line follows.
    pub(crate) fn stats_block(&mut self) -> Option<&mut BTreeMap<String, u64>> {
        let b = self.block?;
        let m = self.p.ev.memcg.as_mut()?;
        m.subtree_stats.get_mut(b).map(|(_, map)| map)
    }

    /// Starts a `memory.stat` block: the lines that follow go to `map`.
    pub(crate) fn open_stats_block(&mut self, path: LogString, map: BTreeMap<String, u64>) {
        let m = self.p.ev.memcg.get_or_insert_with(Memcg::default);
        m.subtree_stats.push((path, map));
        self.p.stats_block = Some(m.subtree_stats.len() - 1);
    }

    /// The text of the report's `oom-kill:` line so far (its tail may come as a
    /// record of its own).
    pub(crate) fn summary_text(&mut self) -> &mut Option<Vec<u8>> {
        &mut self.p.summary_text
    }

    /// Kill lines that follow (`memory.oom.group`) belong to this report.
    pub(crate) fn open_group(&mut self) {
        self.p.group_open = true;
    }

    /// Whether `memory.oom.group` kill lines still join this report.
    pub(crate) fn group_open(&self) -> bool {
        self.p.group_open
    }

    /// Whether `rec` can still belong to this report's memory.oom.group sweep: the
    /// kernel kills the members in one loop, within milliseconds; a kill seconds later
    /// is the next OOM (a rate-limited one prints no report).
    pub(crate) fn in_sweep(&self, rec: &Record<'_>) -> bool {
        match (self.p.last_printk, rec.printk) {
            (Some(a), Some(b)) => b.micros().saturating_sub(a.micros()) <= 2_000_000,
            _ => match (&self.p.last_wall, &rec.wall) {
                (Some(a), Some(b)) => super::assemble::wall_gap(a, b).is_none_or(|d| d <= 2),
                _ => true,
            },
        }
    }
}

/// A stream's finished reports, for a line that may join one of them late.
pub(crate) struct Finished<'s> {
    recent: &'s mut VecDeque<Partial>,
    released: &'s dyn Fn(u32) -> bool,
    took: Option<usize>,
}

impl<'s> Finished<'s> {
    pub(crate) fn new(
        recent: &'s mut VecDeque<Partial>,
        released: &'s dyn Fn(u32) -> bool,
    ) -> Self {
        Finished {
            recent,
            released,
            took: None,
        }
    }

    /// The report a fill function last took (the assembler notes the line's place on it).
    pub(crate) fn took(&self) -> Option<usize> {
        self.took
    }

    /// The newest finished report.
    pub(crate) fn newest(&mut self) -> Option<Report<'_>> {
        let i = self.recent.len().checked_sub(1)?;
        self.took = Some(i);
        Some(Report::finished(&mut self.recent[i]))
    }

    /// The newest finished report that killed `pid`.
    pub(crate) fn that_killed(&mut self, pid: u32) -> Option<Report<'_>> {
        let i = self
            .recent
            .iter()
            .rposition(|p| p.ev.killed.iter().any(|k| k.pid == pid))?;
        self.took = Some(i);
        Some(Report::finished(&mut self.recent[i]))
    }

    /// Whether `pid` was the victim of a report already handed out (live mode).
    pub(crate) fn released(&self, pid: u32) -> bool {
        (self.released)(pid)
    }
}

/// What boot evidence fills: the stream's notes.
pub(crate) struct Notes<'s> {
    /// Swap and kernel release of the boot.
    pub(crate) evidence: &'s mut BootEvidence,
    /// Reports the kernel rate-limited away before the next one.
    pub(crate) suppressed: &'s mut Option<u64>,
    /// Line of the last SysRq-f (`Manual OOM execution`).
    pub(crate) sysrq: &'s mut Option<u64>,
    /// The boot's `setting system clock to …` line (for the boot time).
    pub(crate) rtc: &'s mut Option<crate::record::clock::ClockPair>,
    /// The printk time of the line being noted.
    pub(crate) printk: Option<crate::record::Printk>,
    /// The line being noted.
    pub(crate) line: u64,
}

// ---- fill functions of the kinds table -----------------------------------------------
//
// Each gets the lines its kind's classifier returns; a function shared by kinds whose
// classifiers return more than one variant hands the others on (`page totals` also
// returns stack words, which `trace` reads).

/// Lines that say nothing the event keeps.
pub(crate) fn nothing(_: &mut Report<'_>, _: &Line<'_>, _: &Record<'_>) -> Step {
    Step::Read
}

/// Lines no kind claims: unknown inside a report; a `memory.stat` block goes on.
pub(crate) fn other(r: &mut Report<'_>, _: &Line<'_>, _: &Record<'_>) -> Step {
    r.stay_in_block();
    Step::Unknown
}

/// The header: what the allocating task asked for.
pub(crate) fn header(r: &mut Report<'_>, line: &Line<'_>, _: &Record<'_>) -> Step {
    if let Line::Header(h) = line {
        r.event().trigger = Some(Trigger {
            comm: h.comm.map(lossy),
            pid: None,
            gfp_mask: h.gfp_mask.map(lossy),
            gfp_flags: h.gfp_flags.map(lossy),
            order: h.order,
            oom_score_adj: h.oom_score_adj,
            oom_adj: h.oom_adj,
            nodemask: h.nodemask.map(lossy),
        });
    }
    Step::Read
}

pub(crate) fn cpuset(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    if let Line::Cpuset { name, mems } = line {
        let ev = r.event();
        ev.cpuset = Some((lossy(name), lossy(mems)));
        ev.lines.cpuset = Some(rec.line);
    }
    Step::Read
}

/// `CPU:`/`Pid:`: the allocating task's pid and the kernel release.
pub(crate) fn cpu_line(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    let Line::CpuLine { pid, release } = line else {
        return trace(r, line, rec);
    };
    let ev = r.event();
    ev.trigger.get_or_insert_with(Trigger::default).pid = *pid;
    if let Some(rel) = release {
        ev.kernel_version = Some(lossy(rel));
    }
    Step::Read
}

/// Stack dumps: frames are counted, and some name where the OOM came from.
pub(crate) fn trace(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    if let Line::Trace { frame: true } = line {
        let ev = r.event();
        ev.trace_frames += 1;
        trace_hint(ev, rec.body);
    }
    Step::Read
}

/// `Task in X killed as a result of limit of Y` (or either half), `Memory limit
/// reached of cgroup Y`.
pub(crate) fn task_in(r: &mut Report<'_>, line: &Line<'_>, _: &Record<'_>) -> Step {
    let (task, limit) = match *line {
        Line::TaskIn { task, limit } => (Some(task), limit),
        Line::LimitOf(path) | Line::LimitReached(path) => (None, Some(path)),
        _ => return Step::Read,
    };
    let m = r.event().memcg.get_or_insert_with(Memcg::default);
    if let Some(t) = task {
        m.task_memcg.get_or_insert_with(|| lossy(t));
    }
    if let Some(l) = limit {
        m.oom_memcg.get_or_insert_with(|| lossy(l));
    }
    r.confirm();
    Step::Read
}

/// `memory:`, `memory+swap:`, `kmem:`, `swap:` usage lines.
pub(crate) fn counter(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    let Line::Counter(c) = line else {
        return Step::Read;
    };
    let m = r.event().memcg.get_or_insert_with(Memcg::default);
    m.counter_lines.push(rec.line);
    match c.kind {
        CounterKind::Memory => {
            m.usage_kb = Some(c.usage_kb);
            m.limit_kb = Some(c.limit_kb);
            m.failcnt = Some(c.failcnt);
        }
        CounterKind::MemSwap => {
            m.memsw_usage_kb = Some(c.usage_kb);
            m.memsw_limit_kb = Some(c.limit_kb);
            m.memsw_failcnt = Some(c.failcnt);
        }
        CounterKind::Kmem => meminfo::kmem(m, c),
        CounterKind::Swap => {
            m.swap_usage_kb = Some(c.usage_kb);
            m.swap_limit_kb = Some(c.limit_kb);
        }
    }
    Step::Read
}

/// `Memory cgroup stats for PATH:` opens a `memory.stat` block.
pub(crate) fn stats_header(r: &mut Report<'_>, line: &Line<'_>, _: &Record<'_>) -> Step {
    if let Line::StatsHeader { path, inline } = line {
        let mut map = BTreeMap::new();
        if let Some(text) = inline {
            parse_inline_stats(text, &mut map);
        }
        r.open_stats_block(lossy(path), map);
    }
    Step::Read
}

pub(crate) fn mem_info_start(r: &mut Report<'_>, _: &Line<'_>, _: &Record<'_>) -> Step {
    r.event().mem_info.get_or_insert_with(MemInfo::default);
    Step::Read
}

/// Mem-Info detail: counters, zones, buddy lists, `memory.stat` values, slab rows.
pub(crate) fn mem_detail(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    match *line {
        Line::MemCounters(text) => {
            r.stay_in_block();
            let mi = r.event().mem_info.get_or_insert_with(MemInfo::default);
            parse_counters(text, &mut mi.counters);
        }
        Line::MemDetail(text) => {
            r.stay_in_block();
            let mi = r.event().mem_info.get_or_insert_with(MemInfo::default);
            meminfo::parse_detail(text, rec.line, mi);
        }
        Line::StatValue(k, v) => {
            // "name value" belongs to a memory.stat block only.
            r.stay_in_block();
            let Some(map) = r.stats_block() else {
                return Step::Unknown;
            };
            map.insert(String::from_utf8_lossy(k).into_owned(), v);
        }
        _ => return slab(r, line, rec),
    }
    Step::Read
}

/// `Unreclaimable slab info:` and its rows: the ten largest are kept.
pub(crate) fn slab(r: &mut Report<'_>, line: &Line<'_>, _: &Record<'_>) -> Step {
    if let Line::SlabInfo(Some((name, used, total))) = *line {
        let mi = r.event().mem_info.get_or_insert_with(MemInfo::default);
        mi.unreclaimable_slab.push((lossy(name), used, total));
        mi.unreclaimable_slab
            .sort_by_key(|s| std::cmp::Reverse(s.1));
        mi.unreclaimable_slab.truncate(10);
    }
    Step::Read
}

/// `N pages RAM` and the other page and swap totals of Mem-Info.
pub(crate) fn mem_total(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    let Line::MemTotal(kind, n) = *line else {
        return trace(r, line, rec);
    };
    let mi = r.event().mem_info.get_or_insert_with(MemInfo::default);
    let slot = match kind {
        MemTotal::Pagecache => &mut mi.pagecache_pages,
        MemTotal::SwapCache => &mut mi.swapcache_pages,
        MemTotal::FreeSwapKb => &mut mi.free_swap_kb,
        MemTotal::TotalSwapKb => &mut mi.total_swap_kb,
        MemTotal::Ram => &mut mi.pages_ram,
        MemTotal::HighMem => &mut mi.pages_highmem,
        MemTotal::Reserved => &mut mi.pages_reserved,
        MemTotal::CmaReserved => &mut mi.pages_cma_reserved,
        MemTotal::HwPoisoned | MemTotal::Other => &mut None,
    };
    *slot = Some(n);
    Step::Read
}

/// `Tasks state (memory values in pages):`: the table has wide pid columns.
pub(crate) fn tasks_title(r: &mut Report<'_>, _: &Line<'_>, _: &Record<'_>) -> Step {
    r.event().tasks.wide_pid = true;
    r.confirm();
    Step::Read
}

/// The task table header: the columns the rows are read with.
pub(crate) fn table_header(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    let Line::TableHeader(cols) = line else {
        return table_row(r, line, rec);
    };
    let tasks = &mut r.event().tasks;
    let wide = tasks.wide_pid || rec.body.starts_with(b"[  pid  ]");
    tasks.set_header(cols, wide);
    r.confirm();
    Step::Read
}

/// Task table rows (and ppc64 stack frames, which also start with `[`).
pub(crate) fn table_row(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    match *line {
        Line::TableRow(text) => {
            let tasks = &mut r.event().tasks;
            if !tasks.header_seen {
                tasks.bad_rows += 1;
                return Step::Unknown;
            }
            // One report of a million tasks must not take gigabytes: keep the largest.
            if tasks.rows.len() >= MAX_ROWS + MAX_ROWS / 2 {
                r.p.rows_dropped += thin_rows(&mut r.p.ev.tasks.rows, MAX_ROWS);
            }
            let tasks = &mut r.event().tasks;
            // A row that cannot be read is counted in `bad_rows`; say where.
            if !tasks.push_row(text) {
                return Step::Unknown;
            }
            Step::Read
        }
        Line::TableHeader(_) => table_header(r, line, rec),
        _ => trace(r, line, rec),
    }
}

/// `oom-kill:constraint=…`.
pub(crate) fn summary(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    if let Line::Summary(s) = line {
        set_summary(r.event(), s);
        r.event().lines.summary = Some(rec.line);
        *r.summary_text() = Some(rec.body.to_vec());
        r.confirm();
    }
    Step::Read
}

/// `,…`: the tail of a summary line the kernel flushed as a record of its own.
pub(crate) fn continuation(r: &mut Report<'_>, line: &Line<'_>, _: &Record<'_>) -> Step {
    let Line::Continuation(tail) = *line else {
        return Step::Read;
    };
    let Some(mut text) = r.summary_text().take() else {
        return Step::Unknown;
    };
    text.extend_from_slice(tail);
    if let Some(rest) = text.strip_prefix(b"oom-kill:") {
        set_summary(r.event(), &classify::summary(rest));
    }
    *r.summary_text() = Some(text);
    Step::Read
}

/// The pre-5.1 selection line.
pub(crate) fn selection(r: &mut Report<'_>, line: &Line<'_>, _: &Record<'_>) -> Step {
    if let Line::Selection(sel) = line {
        r.event().kernel_choice = Some(KernelChoice {
            pid: sel.pid,
            comm: lossy(sel.comm),
            score: sel.score,
            message: lossy(sel.message),
        });
        r.confirm();
    }
    Step::Read
}

/// `Kill process N (comm) sharing same memory`.
pub(crate) fn sharing(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    if let Line::SharingMm { pid, comm } = *line {
        let k = victim(pid, comm, Evidence::SharedMm, rec.line);
        r.event().killed.push(k);
    }
    Step::Read
}

/// … and after the report's kill line.
pub(crate) fn sharing_late(f: &mut Finished<'_>, line: &Line<'_>, rec: &Record<'_>) -> bool {
    on_newest(f, line, rec, sharing)
}

/// Fills the newest finished report with `fill`, as if it were still open.
fn on_newest(f: &mut Finished<'_>, line: &Line<'_>, rec: &Record<'_>, fill: ReadFn) -> bool {
    let Some(mut r) = f.newest() else {
        return false;
    };
    fill(&mut r, line, rec);
    true
}

/// `Killed process`: the verdict.
pub(crate) fn killed(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    if let Line::Killed(k) = line {
        add_killed(r.event(), k, rec.line, false);
        r.confirm();
    }
    Step::Ends
}

/// A kill line goes to the report that selected its pid, else to the newest one
/// without a kill line.
pub(crate) fn killed_join(
    line: &Line<'_>,
    open: &[Box<Partial>],
    hint: Option<usize>,
) -> Option<usize> {
    let Line::Killed(k) = line else {
        return None;
    };
    let names = |p: &Partial| {
        p.ev.summary.as_ref().and_then(|s| s.pid) == Some(k.pid)
            || p.ev.kernel_choice.as_ref().is_some_and(|c| c.pid == k.pid)
    };
    // The task that printed the kill line printed its report too: when that report
    // names the victim it is the one (two concurrent reports may name the same task).
    if let Some(i) = hint.filter(|&i| names(&open[i])) {
        return Some(i);
    }
    if let Some(i) = open.iter().rposition(|p| names(p)) {
        return Some(i);
    }
    open.iter().rposition(|p| !has_kill_line(&p.ev))
}

/// Kill lines after `Tasks in … memory.oom.group set` join the finished report.
pub(crate) fn killed_late(f: &mut Finished<'_>, line: &Line<'_>, rec: &Record<'_>) -> bool {
    let Line::Killed(k) = line else {
        return false;
    };
    match f.newest() {
        Some(mut r) if r.group_open() && r.in_sweep(rec) => {
            add_killed(r.event(), k, rec.line, true);
            true
        }
        _ => false,
    }
}

/// `Tasks in X are going to be killed due to memory.oom.group set`.
pub(crate) fn group_kill(r: &mut Report<'_>, line: &Line<'_>, _: &Record<'_>) -> Step {
    if let Line::GroupKill(path) = line {
        r.event().group_kill = Some(lossy(path));
        r.open_group();
    }
    Step::Read
}

/// … which comes after the kill line that finished the report.
pub(crate) fn group_kill_late(f: &mut Finished<'_>, line: &Line<'_>, rec: &Record<'_>) -> bool {
    on_newest(f, line, rec, group_kill)
}

/// `oom_reaper:` results; alone, the reaper names the victim (it reaps OOM victims only).
pub(crate) fn reaper(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    let Line::Reaper(rp) = line else {
        return Step::Read;
    };
    let ev = r.event();
    add_reaped(ev, rp);
    if ev.killed.is_empty() {
        ev.killed
            .push(victim(rp.pid, rp.comm, Evidence::Reaper, rec.line));
    }
    r.confirm();
    Step::Ends
}

/// A reaper line names an earlier victim: it joins an open report only if that
/// report knows the pid.
pub(crate) fn reaper_join(
    line: &Line<'_>,
    open: &[Box<Partial>],
    _: Option<usize>,
) -> Option<usize> {
    let Line::Reaper(r) = line else {
        return None;
    };
    open.iter().rposition(|p| {
        p.ev.summary.as_ref().and_then(|s| s.pid) == Some(r.pid)
            || p.ev.kernel_choice.as_ref().is_some_and(|c| c.pid == r.pid)
            || p.ev.tasks.rows.iter().any(|t| t.pid == r.pid)
    })
}

/// … else the finished report that killed it (dropped when that report was
/// already handed out).
pub(crate) fn reaper_late(f: &mut Finished<'_>, line: &Line<'_>, _: &Record<'_>) -> bool {
    let Line::Reaper(rp) = line else {
        return false;
    };
    if f.released(rp.pid) {
        return true;
    }
    let Some(mut r) = f.that_killed(rp.pid) else {
        return false;
    };
    add_reaped(r.event(), rp);
    true
}

/// `OOM victim N (comm) is already exiting. Skip killing the task`.
pub(crate) fn victim_exiting(r: &mut Report<'_>, line: &Line<'_>, _: &Record<'_>) -> Step {
    if let Line::VictimExiting { pid, comm } = *line {
        r.event().ending = Some(Ending::VictimExiting {
            pid,
            comm: lossy(comm),
        });
        r.confirm();
    }
    Step::Ends
}

/// memory.oom.group: `__oom_kill_process` prints "OOM victim N (comm) is already
/// exiting. Skip killing the task" for a member with no mm left (the first victim,
/// killed just before) and goes on with the other members: the line is part of the
/// sweep of the finished report, not a new OOM.
pub(crate) fn victim_exiting_late(f: &mut Finished<'_>, line: &Line<'_>, rec: &Record<'_>) -> bool {
    if !matches!(line, Line::VictimExiting { .. }) {
        return false;
    }
    matches!(f.newest(), Some(r) if r.group_open() && r.in_sweep(rec))
}

/// `Out of memory and no killable processes...`.
pub(crate) fn no_killable(r: &mut Report<'_>, _: &Line<'_>, _: &Record<'_>) -> Step {
    r.event().ending = Some(Ending::NoKillableProcess);
    r.confirm();
    Step::Ends
}

/// An OOM panic.
pub(crate) fn panic(r: &mut Report<'_>, line: &Line<'_>, rec: &Record<'_>) -> Step {
    if let Line::Panic(text) = line {
        r.event().ending = Some(Ending::Panic { text: lossy(text) });
        r.event().rebooted = reboot(text, rec);
        r.confirm();
    }
    Step::Ends
}

/// The reboot a `Rebooting in N seconds..` line states.
fn reboot(text: &[u8], rec: &Record<'_>) -> Option<Reboot> {
    let rest = text.strip_prefix(b"Rebooting in ")?;
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let after_s = std::str::from_utf8(&rest[..n]).ok()?.parse().ok()?;
    Some(Reboot {
        after_s,
        line: rec.line,
    })
}

/// `Rebooting in N seconds..` after a finished report: the end of the panic that report
/// ended in (panic_on_oom, deadlocked on memory), or of a panic within seconds of its
/// kill. Taken once.
pub(crate) fn panic_tail_late(f: &mut Finished<'_>, line: &Line<'_>, rec: &Record<'_>) -> bool {
    let Line::Panic(text) = line else {
        return false;
    };
    let Some(mut r) = f.newest() else {
        return false;
    };
    let panicked = matches!(r.event().ending, Some(Ending::Panic { .. }));
    if r.event().rebooted.is_some() || !(panicked || r.in_sweep(rec)) {
        return false;
    }
    let Some(reboot) = reboot(text, rec) else {
        return false;
    };
    r.event().rebooted = Some(reboot);
    true
}

/// A global OOM with nothing to kill ends in panic("System is deadlocked on memory")
/// right after "no killable processes" finished the report.
pub(crate) fn panic_late(f: &mut Finished<'_>, line: &Line<'_>, _: &Record<'_>) -> bool {
    let Line::Panic(text) = line else {
        return false;
    };
    let Some(mut r) = f.newest() else {
        return false;
    };
    let ev = r.event();
    if ev.ending != Some(Ending::NoKillableProcess) {
        return false;
    }
    ev.ending = Some(Ending::Panic { text: lossy(text) });
    true
}

// ---- boot evidence ---------------------------------------------------------------------

/// `Linux version <release>`.
pub(crate) fn boot(n: &mut Notes<'_>, line: &Line<'_>) {
    if let Line::Boot(release) = line {
        n.evidence.kernel_version = Some(lossy(release));
    }
}

/// `Adding NNNk swap on …`: swap of this boot, summed.
pub(crate) fn swap_added(n: &mut Notes<'_>, line: &Line<'_>) {
    if let Line::SwapAdded(kb) = *line {
        let e = &mut n.evidence;
        e.swap_added_kb = Some(e.swap_added_kb.unwrap_or(0).saturating_add(kb));
    }
}

/// `oom_kill_process: N callbacks suppressed`: noted on the next report.
pub(crate) fn suppressed(n: &mut Notes<'_>, line: &Line<'_>) {
    if let Line::Suppressed(count) = *line {
        *n.suppressed = Some(count);
    }
}

/// `SysRq : Manual OOM execution`: the next report is a manual OOM.
pub(crate) fn manual_oom(n: &mut Notes<'_>, line: &Line<'_>) {
    if let Line::ManualOom = line {
        *n.sysrq = Some(n.line);
    }
}

// ---- helpers -------------------------------------------------------------------------

pub(crate) fn has_kill_line(ev: &OomEvent) -> bool {
    ev.killed.iter().any(|k| k.evidence == Evidence::KilledLine)
}

pub(crate) fn lossy(b: &[u8]) -> LogString {
    LogString::from_lossy(b)
}

/// A victim known by pid and name only.
fn victim(pid: u32, comm: &[u8], evidence: Evidence, line: u64) -> Killed {
    Killed::known(pid, lossy(comm), evidence, line)
}

/// Adds a kill line: a task already killed in this event (a memory.oom.group sweep
/// names its first victim again) gets the line as more evidence, not a second entry.
fn add_killed(ev: &mut OomEvent, k: &classify::KilledLine<'_>, line: u64, group: bool) {
    if let Some(x) = ev
        .killed
        .iter_mut()
        .find(|x| x.pid == k.pid && x.evidence == Evidence::KilledLine)
    {
        x.lines.push(line);
        // Values a cut first copy lacks.
        x.uid = x.uid.or(k.uid);
        x.total_vm_kb = x.total_vm_kb.or(k.total_vm_kb);
        x.anon_rss_kb = x.anon_rss_kb.or(k.anon_rss_kb);
        x.file_rss_kb = x.file_rss_kb.or(k.file_rss_kb);
        x.shmem_rss_kb = x.shmem_rss_kb.or(k.shmem_rss_kb);
        x.pgtables_kb = x.pgtables_kb.or(k.pgtables_kb);
        x.oom_score_adj = x.oom_score_adj.or(k.oom_score_adj);
        if x.comm.is_empty() {
            x.comm = lossy(k.comm);
        }
        x.cut = x.cut && k.cut;
        return;
    }
    let comm = whole_name(ev, k.pid, k.comm);
    ev.killed.push(Killed {
        pid: k.pid,
        comm,
        uid: k.uid,
        total_vm_kb: k.total_vm_kb,
        anon_rss_kb: k.anon_rss_kb,
        file_rss_kb: k.file_rss_kb,
        shmem_rss_kb: k.shmem_rss_kb,
        pgtables_kb: k.pgtables_kb,
        oom_score_adj: k.oom_score_adj,
        message: k.message.map(lossy),
        evidence: Evidence::KilledLine,
        group,
        cut: k.cut,
        line,
        lines: vec![line],
    });
}

/// The name of a kill line's task, or the name the same report's `Kill process N (name)`
/// or `oom-kill:` line gives that pid when it is the whole of it: a cut or a wrap inside
/// the parentheses loses the name or splits it (`(ja` + `va)`, `(C1` + `CompilerThre)`),
/// and those lines, printed earlier, hold it whole.
fn whole_name(ev: &OomEvent, pid: u32, comm: &[u8]) -> LogString {
    let squeeze = |b: &[u8]| -> Vec<u8> {
        b.iter()
            .copied()
            .filter(|c| !c.is_ascii_whitespace())
            .collect()
    };
    let mine = squeeze(comm);
    let named = ev
        .kernel_choice
        .as_ref()
        .filter(|c| c.pid == pid)
        .map(|c| &c.comm)
        .or_else(|| {
            ev.summary
                .as_ref()
                .filter(|s| s.pid == Some(pid))
                .and_then(|s| s.task.as_ref())
        });
    match named {
        Some(n)
            if n.as_log_str().as_bytes() != comm
                && squeeze(n.as_log_str().as_bytes()).starts_with(&mine) =>
        {
            n.clone()
        }
        _ => lossy(comm),
    }
}

fn add_reaped(ev: &mut OomEvent, r: &classify::ReaperLine<'_>) {
    let (a, f, s) = match r.left_kb {
        Some((a, f, s)) => (Some(a), Some(f), Some(s)),
        None => (None, None, None),
    };
    ev.reaped.push(Reaped {
        pid: r.pid,
        comm: lossy(r.comm),
        outcome: r.outcome.to_string(),
        anon_rss_kb: a,
        file_rss_kb: f,
        shmem_rss_kb: s,
    });
}

fn set_summary(ev: &mut OomEvent, s: &classify::Summary<'_>) {
    let sum = OomSummary {
        constraint: s.constraint.map(lossy),
        nodemask: s.nodemask.map(lossy),
        cpuset: s.cpuset.map(lossy),
        mems_allowed: s.mems_allowed.map(lossy),
        oom_memcg: s.oom_memcg.map(lossy),
        global_oom: s.global_oom,
        task_memcg: s.task_memcg.map(lossy),
        task: s.task.map(lossy),
        pid: s.pid,
        uid: s.uid,
    };
    ev.constraint = sum.constraint.clone();
    if sum.oom_memcg.is_some() || sum.task_memcg.is_some() {
        let m = ev.memcg.get_or_insert_with(Memcg::default);
        if let Some(o) = &sum.oom_memcg {
            m.oom_memcg = Some(o.clone());
        }
        if let Some(t) = &sum.task_memcg {
            m.task_memcg = Some(t.clone());
        }
    }
    ev.summary = Some(sum);
}

/// Functions in a call trace that say where the OOM came from.
fn trace_hint(ev: &mut OomEvent, frame: &[u8]) {
    const HINTS: &[&str] = &[
        "mem_cgroup_out_of_memory",
        "mem_cgroup_oom_synchronize",
        "pagefault_out_of_memory",
        "sysrq_handle_moom",
        "moom_callback",
        "__alloc_pages_slowpath",
        "alloc_pages_vma",
        "__vmalloc",
        "kmem_cache_alloc",
        "__kmalloc",
        "shmem_",
        "filemap_fault",
        "do_anonymous_page",
        "copy_process",
        "__do_page_cache_readahead",
    ];
    if ev.trace_hints.len() >= 6 {
        return;
    }
    let text = String::from_utf8_lossy(frame);
    for h in HINTS {
        if text.contains(h) && !ev.trace_hints.iter().any(|x| x.starts_with(h)) {
            ev.trace_hints.push(h.trim_end_matches('_').to_string());
        }
    }
}

/// `cache:0KB rss:980KB …` → bytes.
fn parse_inline_stats(text: &[u8], map: &mut BTreeMap<String, u64>) {
    for tok in text.split(|b| *b == b' ') {
        let Some(colon) = tok.iter().position(|b| *b == b':') else {
            continue;
        };
        let (k, v) = (&tok[..colon], &tok[colon + 1..]);
        let (num, mult) = match v.strip_suffix(b"KB").or_else(|| v.strip_suffix(b"kB")) {
            Some(n) => (n, 1024),
            None => (v, 1),
        };
        if let Some(n) = classify::parse::<u64>(Some(num)) {
            map.insert(
                String::from_utf8_lossy(k).into_owned(),
                n.saturating_mul(mult),
            );
        }
    }
}

/// `name:number` pairs (Mem-Info global summary, in pages).
fn parse_counters(text: &[u8], map: &mut BTreeMap<String, u64>) {
    for tok in text.split(|b| *b == b' ') {
        let Some(colon) = tok.iter().position(|b| *b == b':') else {
            continue;
        };
        if let Some(n) = classify::parse::<u64>(Some(&tok[colon + 1..])) {
            map.insert(String::from_utf8_lossy(&tok[..colon]).to_lowercase(), n);
        }
    }
}

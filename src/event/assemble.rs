//! The event assembler: a state machine per log stream (host) that groups the lines of
//! one OOM report into an [`OomEvent`].
//!
//! A report opens at its `invoked oom-killer` header, or at any later piece of a report
//! whose start is missing (a cut-off log, a grep). Lines of other programs are ignored;
//! lines of a second report interleaved on old kernels are routed by printk caller id
//! when the log has one, and kill lines by pid. A report closes at its kill line (then
//! it still accepts the reaper and `memory.oom.group` lines that follow), at the next
//! header, at a time gap, at a reboot, or at the end of the input; whatever it lacks
//! is named in its notes. Nothing the log says about a kill is dropped: a kill line
//! with no report around it becomes an event of its own.
//!
//! What a line adds to its report is not decided here: the line's kind in the table
//! of [`crate::event::kinds`] points to its fill function (and, for the few kinds that
//! need them, to how it picks its report and whether it joins a finished one). This
//! module keeps what is the same for every kind.

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::diag::{Diagnostic, Severity};
use crate::event::classify::Line;
use crate::event::fill::{self, Finished, Notes, Read, Report, Step, lossy};
use crate::event::kinds::{self, Kind, Role};
use crate::event::{Evidence, Killed, OomEvent, SourceSpan};
use crate::record::clock::{BootTimeSource, ClockPair};
use crate::record::{Caller, Format, Printk, Record, Wall};
use crate::text::LogString;

/// Tuning of the assembler.
#[derive(Debug, Clone)]
pub struct AssemblerOptions {
    /// Keep each report's kernel lines in [`OomEvent::raw`].
    pub keep_raw: bool,
    /// A report is over when the printk clock moves on by more than this (µs).
    pub printk_gap_us: u64,
    /// A report is over when the wall clock moves on by more than this (s).
    pub wall_gap_secs: i64,
    /// A report is over after this many unrecognised kernel lines in a row.
    pub unknown_budget: u32,
    /// Most diagnostics of one kind per input.
    pub diag_cap: usize,
}

impl Default for AssemblerOptions {
    fn default() -> Self {
        AssemblerOptions {
            keep_raw: false,
            printk_gap_us: 10_000_000,
            wall_gap_secs: 60,
            unknown_budget: 40,
            diag_cap: 20,
        }
    }
}

/// What one boot of one host's log says about swap and the kernel, for reports that
/// do not print it themselves (memcg reports on 3.10+ print no swap total).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BootEvidence {
    /// The input it was read from.
    pub input: LogString,
    /// Host name.
    pub host: Option<LogString>,
    /// Boot counter within the input.
    pub boot_seq: u32,
    /// Sum of `Adding NNNk swap` lines of this boot.
    pub swap_added_kb: Option<u64>,
    /// Largest `Total swap =` printed by any report of this boot.
    pub total_swap_kb: Option<u64>,
    /// Kernel release seen in this boot.
    pub kernel_version: Option<LogString>,
}

/// Lines of one boot of one host that state both clocks (for the boot time of a log
/// that otherwise gives only the time since boot): the first and the last line with
/// a wall and a printk stamp, and the kernel's RTC line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BootClocks {
    /// Host name.
    pub host: Option<LogString>,
    /// Boot counter within the input.
    pub boot_seq: u32,
    /// The stream's last boot in the input (the one `--boot-time` describes).
    pub last: bool,
    /// The lines, at most three.
    pub pairs: Vec<ClockPair>,
}

/// A report being read (the kinds' fill functions see it through [`fill::Report`]).
#[derive(Debug)]
pub(crate) struct Partial {
    pub(super) ev: OomEvent,
    has_header: bool,
    /// Holds a line only an OOM report prints (a fragment that starts with Mem-Info
    /// could also be a page-allocation failure or SysRq-m).
    pub(super) confirmed: bool,
    caller: Option<Caller>,
    /// The last physical line kept as a raw line.
    raw_upto: u64,
    /// Order of opening in its stream: `open` is sorted by it, so a report is found
    /// by binary search whatever was removed before it.
    seq: u64,
    pub(super) last_printk: Option<Printk>,
    pub(super) last_wall: Option<Wall>,
    unknown_run: u32,
    unknown_total: u32,
    /// Text of a summary line, in case the kernel flushed its tail as another record.
    pub(super) summary_text: Option<Vec<u8>>,
    /// Index into `memcg.subtree_stats` of the `memory.stat` block being read.
    pub(super) stats_block: Option<usize>,
    /// Killed lines that follow `Tasks in … memory.oom.group set` belong here.
    pub(super) group_open: bool,
    cut: Option<String>,
    /// Task table rows and raw lines not kept (past [`MAX_ROWS`] / [`MAX_RAW`]).
    pub(super) rows_dropped: u64,
    raw_dropped: u64,
}

/// Task table rows one report keeps: past half as many again, the rows of the smallest tasks
/// (by the kernel's badness, roughly) are dropped and counted, so that one report of a
/// million tasks cannot take gigabytes.
pub(super) const MAX_ROWS: usize = 20_000;
/// Raw lines (`--raw`) one report keeps; the rest are counted.
const MAX_RAW: usize = 100_000;

#[derive(Debug, Default)]
struct Stream {
    host: Option<Vec<u8>>,
    boot_id: Option<Vec<u8>>,
    boot_seq: u32,
    last_printk: Option<Printk>,
    /// Reports still being read (normally at most one; boxed, so that closing one of
    /// thousands of interleaved reports moves pointers, not reports).
    #[allow(clippy::vec_box)]
    open: Vec<Box<Partial>>,
    /// The newest open report of each printk caller, by `seq` (checked at use: it may
    /// have closed since).
    callers: HashMap<Caller, u64>,
    /// `seq` of the next report opened.
    next_seq: u64,
    /// Open reports without a printk caller or a header: a new header ends them. Kept
    /// as a count so that a header need not look at thousands of interleaved reports.
    plain_open: usize,
    /// No open report was touched by printk time before this (µs), when all have a
    /// printk time: a line within the gap of it can make none of them stale.
    stale_floor: Option<u64>,
    /// Finished reports that may still get reaper or group-kill lines.
    recent: VecDeque<Partial>,
    suppressed: Option<u64>,
    /// Line of the last `SysRq : Manual OOM execution`.
    sysrq: Option<u64>,
    evidence: BootEvidence,
    /// This boot's lines with both clocks: first, last, and the RTC line.
    both_first: Option<ClockPair>,
    both_last: Option<ClockPair>,
    rtc: Option<ClockPair>,
}

fn plain(p: &Partial) -> bool {
    p.caller.is_none() || !p.has_header
}

// Boxed reports, as in `Stream::open`.
#[allow(clippy::vec_box)]
impl Stream {
    fn take_open(&mut self) -> Vec<Box<Partial>> {
        self.plain_open = 0;
        std::mem::take(&mut self.open)
    }

    fn set_open(&mut self, open: Vec<Box<Partial>>) {
        self.plain_open = open.iter().filter(|p| plain(p)).count();
        self.open = open;
    }

    fn remove_open(&mut self, i: usize) -> Box<Partial> {
        let p = self.open.remove(i);
        self.plain_open -= usize::from(plain(&p));
        p
    }
}

/// Turns records into [`OomEvent`]s. Feed records with [`Assembler::push`]; finished
/// events are collected with [`Assembler::drain_ready`]; call [`Assembler::finish`] at
/// the end of the input.
pub struct Assembler {
    input: LogString,
    opts: AssemblerOptions,
    /// With `keep_raw`: the last physical lines read, for raw lines as the log has
    /// them (a record may be handed over a few lines after its own).
    recent: std::collections::VecDeque<(u64, Vec<u8>)>,
    streams: Vec<Stream>,
    /// The stream of each host: a fleet's merged log has thousands.
    stream_of: HashMap<Box<[u8]>, usize>,
    /// The stream of lines that name no host.
    unnamed: Option<usize>,
    /// Where each (host, boot) is in `boots`.
    boot_of: HashMap<(Option<LogString>, u32), usize>,
    ready: Vec<OomEvent>,
    diags: Vec<Diagnostic>,
    diag_counts: BTreeMap<&'static str, usize>,
    boots: Vec<BootEvidence>,
    clocks: Vec<BootClocks>,
    open_reports: usize,
    /// Victims of reports already handed out by `release_finished` (stream, pid).
    released: VecDeque<(usize, u32)>,
    /// The stream and opening sequence of each report put in a `recent` list, oldest
    /// first (some may have been handed out since: an entry acts only while its report
    /// is still at the front of its stream's list): bounds the reports waiting over
    /// all streams.
    recent_order: VecDeque<(usize, u64)>,
    /// Report lines read from behind a header in no shape the record layer knows
    /// ([`Format::Unparsed`]): how many, and the first one's line.
    unparsed: (u64, Option<u64>),
    /// The userspace killers' lines (`crate::event::userspace`).
    pub(super) user: crate::event::userspace::Tracker,
}

const RECENT_KEEP: usize = 8;
/// Finished reports kept for late lines over all streams: with thousands of hosts,
/// each host's last report would otherwise wait for the end of the input.
const RECENT_TOTAL: usize = 512;

impl Assembler {
    /// An assembler for the input called `input`.
    pub fn new(input: &str, opts: AssemblerOptions) -> Self {
        Assembler {
            input: input.into(),
            opts,
            recent: std::collections::VecDeque::new(),
            streams: Vec::new(),
            stream_of: HashMap::new(),
            unnamed: None,
            boot_of: HashMap::new(),
            ready: Vec::new(),
            diags: Vec::new(),
            diag_counts: BTreeMap::new(),
            boots: Vec::new(),
            clocks: Vec::new(),
            open_reports: 0,
            released: VecDeque::new(),
            recent_order: VecDeque::new(),
            unparsed: (0, None),
            user: Default::default(),
        }
    }

    /// Whether a report is being read, so that every line is needed (otherwise only
    /// lines holding a marker string matter).
    pub fn wants_every_line(&self) -> bool {
        self.open_reports > 0 || self.in_user_window()
    }

    /// Events that are finished.
    pub fn drain_ready(&mut self) -> Vec<OomEvent> {
        std::mem::take(&mut self.ready)
    }

    /// Diagnostics so far.
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diags)
    }

    /// Swap and kernel evidence per boot, complete after [`Assembler::finish`].
    pub fn boot_evidence(&self) -> &[BootEvidence] {
        &self.boots
    }

    /// Lines that state both clocks, per boot, complete after [`Assembler::finish`]
    /// (every stream's last boot is listed, with or without lines).
    pub fn boot_clocks(&self) -> &[BootClocks] {
        &self.clocks
    }

    /// Ends the input: every open report is closed.
    pub fn finish(&mut self) {
        for i in 0..self.streams.len() {
            self.end_stream_boot(i, "the log ends inside the report");
            self.file_clocks(i, true);
        }
        self.open_reports = 0;
        self.release_user(None);
        if let (n, Some(first)) = std::mem::take(&mut self.unparsed) {
            self.diags.push(Diagnostic::new(
                Severity::Warning,
                "unknown-prefix",
                self.input.as_log_str(),
                Some(first),
                format!(
                    "{n} line(s) of OOM reports start with a header in no known shape (the first is line {first}): their kernel text was read, without the header's time and host"
                ),
            ));
        }
    }

    /// Whether finished reports wait for late lines (live mode hands them out with
    /// [`Assembler::release_finished`] shortly after).
    pub fn has_finished(&self) -> bool {
        self.streams.iter().any(|s| !s.recent.is_empty())
    }

    /// Whether a finished report may still get systemd's lines about its victim's unit
    /// (`… killed by the OOM killer.`, `Main process exited`, `Failed with result`),
    /// which systemd logs when it sees the kill, often after the kernel's last line:
    /// its victim's cgroup is a unit's (`.service`, `.scope`) and no result has come.
    /// Live mode waits a while for them before handing the report out.
    pub fn awaits_unit_lines(&self) -> bool {
        self.streams.iter().flat_map(|s| &s.recent).any(|p| {
            let in_unit = crate::event::userspace::victim_path(&p.ev)
                .and_then(|c| c.rsplit('/').next())
                .is_some_and(|leaf| leaf.ends_with(".service") || leaf.ends_with(".scope"));
            in_unit
                && !p.ev.killed.is_empty()
                && p.ev.unit.as_ref().is_none_or(|u| u.result.is_none())
        })
    }

    /// Hands out finished reports at once instead of keeping them for late reaper
    /// lines (live mode); reaper lines for their victims are then absorbed quietly.
    pub fn release_finished(&mut self) {
        for i in 0..self.streams.len() {
            let released: Vec<(usize, u32)> = self.streams[i]
                .recent
                .iter()
                .flat_map(|p| &p.ev.killed)
                .map(|k| (i, k.pid))
                .collect();
            self.released.extend(released);
            self.emit_recent(i);
        }
        while self.released.len() > 256 {
            self.released.pop_front();
        }
        self.release_user(None);
    }

    /// Closes reports that have had no new line for a while (live mode calls this on
    /// a timer so that a report missing its last line is not held forever).
    pub fn flush_idle(&mut self) {
        for i in 0..self.streams.len() {
            let open = self.streams[i].take_open();
            self.open_reports -= open.len();
            for p in open {
                self.close(i, *p, Some("no further lines arrived"));
            }
            self.emit_recent(i);
        }
        self.release_user(None);
    }

    /// Keeps physical line `number` for raw lines as the log has them (only with
    /// `keep_raw`; buffers are reused, so this costs a copy of the line).
    pub fn note_line(&mut self, number: u64, bytes: &[u8]) {
        if !self.opts.keep_raw {
            return;
        }
        let mut buf = if self.recent.len() >= RECENT_LINES {
            self.recent.pop_front().map(|(_, b)| b).unwrap_or_default()
        } else {
            Vec::new()
        };
        buf.clear();
        // A very long line is kept cut: raw lines are for reading.
        buf.extend_from_slice(&bytes[..bytes.len().min(RAW_LINE_BYTES)]);
        self.recent.push_back((number, buf));
    }

    /// Feeds one record.
    pub fn push(&mut self, rec: &Record<'_>) {
        // An empty message says nothing; userspace killers' lines are theirs; other
        // programs' lines never touch a report.
        if rec.body.is_empty() || self.push_user(rec) || !rec.is_kernel() {
            return;
        }
        let (kind, line) = kinds::classify(rec.body);
        if rec.format == Format::Unparsed && !matches!(line, Line::Other) {
            self.unparsed.0 += 1;
            self.unparsed.1.get_or_insert(rec.line);
        }
        let si = self.stream_index(rec.host);
        self.clock(si, rec, &line);
        if let (Some(wall), Some(printk)) = (rec.wall, rec.printk) {
            let s = &mut self.streams[si];
            let pair = ClockPair {
                wall,
                printk,
                source: BootTimeSource::BothStamps { line: rec.line },
            };
            s.both_first.get_or_insert(pair);
            s.both_last = Some(pair);
        }
        self.close_stale(si, rec);
        if kind.role == Role::Starts {
            self.start_report(si, rec);
            let pi = self.streams[si].open.len() - 1;
            self.absorb(si, pi, rec, kind, &line);
            return;
        }
        if let Some(pi) = self.route(si, rec, kind, &line) {
            self.absorb(si, pi, rec, kind, &line);
            return;
        }
        if self.suppressed_inside(si, rec, &line) {
            return;
        }
        self.idle(si, rec, kind, line);
    }

    // ---- streams, clocks, boots ------------------------------------------------

    fn stream_index(&mut self, host: Option<&[u8]>) -> usize {
        // Looked up by the bytes as they are (no copy per line).
        let found = match host {
            Some(h) => self.stream_of.get(h).copied(),
            None => self.unnamed,
        };
        if let Some(i) = found {
            return i;
        }
        let i = self.streams.len();
        match host {
            Some(h) => {
                self.stream_of.insert(h.into(), i);
            }
            None => self.unnamed = Some(i),
        }
        // The evidence's input and host are filled in when a boot's evidence is kept
        // (`end_stream_boot`): most hosts of a fleet's log never have any.
        self.streams.push(Stream {
            host: host.map(<[u8]>::to_vec),
            ..Default::default()
        });
        i
    }

    /// Follows the stream's clock and boot; a printk clock that goes back, a new
    /// journal boot id or a `Linux version` line starts a new boot.
    fn clock(&mut self, si: usize, rec: &Record<'_>, line: &Line<'_>) {
        let s = &self.streams[si];
        let mut reboot = false;
        if let (Some(prev), Some(now)) = (s.last_printk, rec.printk)
            && now.micros() + 1_000_000 < prev.micros()
        {
            reboot = true;
        }
        if let (Some(prev), Some(now)) = (&s.boot_id, rec.boot)
            && prev.as_slice() != now
        {
            reboot = true;
        }
        if matches!(line, Line::Boot(_))
            && (s.last_printk.is_some() || !s.open.is_empty() || !s.recent.is_empty())
        {
            reboot = true;
        }
        if reboot {
            self.end_stream_boot(si, "the log shows a reboot");
            self.file_clocks(si, false);
            let s = &mut self.streams[si];
            s.boot_seq += 1;
            s.evidence = BootEvidence {
                boot_seq: s.boot_seq,
                ..Default::default()
            };
        }
        let s = &mut self.streams[si];
        if rec.printk.is_some() {
            s.last_printk = rec.printk;
        }
        if let Some(b) = rec.boot {
            s.boot_id = Some(b.to_vec());
        }
    }

    /// Closes every report of the stream and files the boot's evidence.
    /// Hands out the stream's finished reports.
    fn emit_recent(&mut self, si: usize) {
        while let Some(p) = self.streams[si].recent.pop_front() {
            self.emit(si, p);
        }
    }

    /// Files the stream's lines with both clocks under its boot; the last boot of a
    /// stream is filed even without any.
    fn file_clocks(&mut self, si: usize, last: bool) {
        let s = &mut self.streams[si];
        let mut pairs: Vec<ClockPair> = [s.both_first.take(), s.both_last.take(), s.rtc.take()]
            .into_iter()
            .flatten()
            .collect();
        pairs.dedup();
        if pairs.is_empty() && !last {
            return;
        }
        self.clocks.push(BootClocks {
            host: s.host.as_deref().map(lossy),
            boot_seq: s.boot_seq,
            last,
            pairs,
        });
    }

    fn end_stream_boot(&mut self, si: usize, why: &str) {
        let open = self.streams[si].take_open();
        self.open_reports -= open.len();
        for p in open {
            self.close(si, *p, Some(why));
        }
        self.emit_recent(si);
        let ev = &self.streams[si].evidence;
        // Only swap sizes are looked up later: a boot that printed none (a host seen
        // only through kill lines) is not kept, so a fleet's log costs nothing per host.
        if ev.swap_added_kb.is_none() && ev.total_swap_kb.is_none() {
            return;
        }
        let mut ev = ev.clone();
        ev.input = self.input.clone();
        ev.host = self.streams[si].host.as_deref().map(lossy);
        let key = (ev.host.clone(), ev.boot_seq);
        if let Some(&i) = self.boot_of.get(&key) {
            self.boots[i] = ev;
        } else {
            self.boot_of.insert(key, self.boots.len());
            self.boots.push(ev);
        }
    }

    /// A report whose stream has moved on in time is over.
    fn close_stale(&mut self, si: usize, rec: &Record<'_>) {
        let gap_us = self.opts.printk_gap_us;
        let gap_s = self.opts.wall_gap_secs;
        let stale = |p: &Partial| -> bool {
            if let (Some(a), Some(b)) = (p.last_printk, rec.printk) {
                return b.micros().saturating_sub(a.micros()) > gap_us;
            }
            if let (Some(a), Some(b)) = (&p.last_wall, &rec.wall) {
                return wall_gap(a, b).is_some_and(|d| d > gap_s);
            }
            false
        };
        let s = &mut self.streams[si];
        // Looking at every open report for every line is quadratic in interleaved
        // reports: skip it while no report can be stale yet.
        let skip = matches!((s.stale_floor, rec.printk), (Some(f), Some(now)) if now.micros().saturating_sub(f) <= gap_us);
        if !skip && s.open.iter().any(|p| stale(p)) {
            let (gone, keep): (Vec<Box<Partial>>, Vec<Box<Partial>>) =
                s.take_open().into_iter().partition(|p| stale(p));
            s.set_open(keep);
            self.open_reports -= gone.len();
            for p in gone {
                self.close(
                    si,
                    *p,
                    Some("the log moves on in time before the report ends"),
                );
            }
        }
        if !skip {
            let s = &mut self.streams[si];
            s.stale_floor = s
                .open
                .iter()
                .map(|p| p.last_printk.map(|t| t.micros()))
                .try_fold(u64::MAX, |m, t| t.map(|t| m.min(t)))
                .filter(|_| !s.open.is_empty());
        }
        // Finished reports older than a few minutes will get no more reaper lines.
        while let Some(front) = self.streams[si].recent.front() {
            let old = match (front.last_printk, rec.printk) {
                (Some(a), Some(b)) => b.micros().saturating_sub(a.micros()) > 120_000_000,
                _ => match (&front.last_wall, &rec.wall) {
                    (Some(a), Some(b)) => wall_gap(a, b).is_some_and(|d| d > 120),
                    _ => false,
                },
            };
            if !old {
                break;
            }
            let p = self.streams[si].recent.pop_front().expect("front exists");
            self.emit(si, p);
        }
    }

    // ---- opening, routing, closing -----------------------------------------------

    fn new_partial(&self, si: usize, rec: &Record<'_>, has_header: bool) -> Partial {
        let s = &self.streams[si];
        Partial {
            ev: OomEvent {
                source: SourceSpan {
                    path: self.input.clone(),
                    first_line: rec.line,
                    last_line: rec.line,
                },
                host: rec.host.map(lossy),
                boot_id: rec.boot.map(lossy),
                boot_seq: s.boot_seq,
                wall: rec.wall,
                time_basis: None,
                printk: rec.printk,
                kernel_version: s.evidence.kernel_version.clone(),
                suppressed_before: s.suppressed,
                sysrq_line: s.sysrq.filter(|l| has_header && rec.line <= l + 2),
                // What the report's lines state is filled in by their kinds.
                ..OomEvent::default()
            },
            has_header,
            confirmed: has_header,
            caller: rec.caller,
            raw_upto: 0,
            seq: 0,
            last_printk: rec.printk,
            last_wall: rec.wall,
            unknown_run: 0,
            unknown_total: 0,
            summary_text: None,
            stats_block: None,
            group_open: false,
            cut: None,
            rows_dropped: 0,
            raw_dropped: 0,
        }
    }

    /// A header ends the reports of this stream and opens a new one.
    fn start_report(&mut self, si: usize, rec: &Record<'_>) {
        // A new header ends the reports of this stream, unless the log has caller ids
        // that show two tasks reporting at once (pre-4.2 kernels had no OOM lock).
        let concurrent = |p: &Partial| {
            matches!((p.caller, rec.caller), (Some(a), Some(b)) if a != b) && p.has_header
        };
        // All open reports are concurrent with this one when each has a header and a
        // caller (the count) and none is this caller's.
        let all_concurrent = self.streams[si].open.is_empty()
            || (rec.caller.is_some()
                && self.streams[si].plain_open == 0
                && rec
                    .caller
                    .and_then(|c| self.open_of_caller(si, c))
                    .is_none());
        if !all_concurrent {
            let open = self.streams[si].take_open();
            let mut keep = Vec::new();
            for p in open {
                if concurrent(&p) {
                    keep.push(p);
                } else {
                    self.open_reports -= 1;
                    self.close(si, *p, Some("the next report starts before this one ends"));
                }
            }
            self.streams[si].set_open(keep);
        }
        let p = self.new_partial(si, rec, true);
        self.streams[si].suppressed = None;
        self.push_open(si, p);
    }

    /// Which open report a line belongs to: the one its kind's `join` picks, else the
    /// one whose printk caller matches, else the newest one.
    fn route(
        &mut self,
        si: usize,
        rec: &Record<'_>,
        kind: &Kind,
        line: &Line<'_>,
    ) -> Option<usize> {
        // Boot evidence is the stream's, never a report's.
        if self.streams[si].open.is_empty() || kind.fill.is_stream() {
            return None;
        }
        if let Some(join) = kind.fill.join {
            let hint = rec.caller.and_then(|c| self.open_of_caller(si, c));
            let joined = join(line, &self.streams[si].open, hint);
            if joined.is_none()
                && let Line::Reaper(r) = line
            {
                return self.reaper_names_victim(si, r.pid);
            }
            return joined;
        }
        let last = self.streams[si].open.len() - 1;
        if let Some(c) = rec.caller
            && let Some(i) = self.open_of_caller(si, c)
        {
            return Some(i);
        }
        Some(last)
    }

    /// A report whose kill line a filter dropped (`dmesg | grep oom`): an `oom_reaper`
    /// line names its victim when the newest open report has a header and no victim,
    /// and no earlier report killed that pid (the reaper reaps only OOM victims).
    fn reaper_names_victim(&self, si: usize, pid: u32) -> Option<usize> {
        let s = &self.streams[si];
        let earlier = s
            .recent
            .iter()
            .any(|p| p.ev.killed.iter().any(|k| k.pid == pid))
            || self.released.contains(&(si, pid));
        let newest = s.open.len().checked_sub(1)?;
        let p = &s.open[newest];
        let unnamed = p.has_header
            && p.ev.killed.is_empty()
            && p.ev.summary.as_ref().and_then(|x| x.pid).is_none()
            && p.ev.kernel_choice.is_none()
            && p.ev.tasks.rows.is_empty();
        (!earlier && unnamed).then_some(newest)
    }

    /// The same kill line pasted again (`egrep -r` over kern.log and syslog, then
    /// `dmesg | grep`): the same pid at the same printk microsecond as a kill of a
    /// finished report, in whichever stream (host or none) the copy came, is that
    /// kill: the line is kept as its evidence. Returns whether it was.
    fn kill_copy(&mut self, rec: &Record<'_>, line: &Line<'_>) -> bool {
        let (Line::Killed(k), Some(_)) = (line, rec.printk) else {
            return false;
        };
        let same = |p: &Partial| {
            p.ev.printk.is_some()
                && (p.last_printk == rec.printk || p.ev.printk == rec.printk)
                && p.ev
                    .killed
                    .iter()
                    .any(|x| x.pid == k.pid && x.evidence == Evidence::KilledLine)
        };
        let Some((s, i)) = (0..self.streams.len()).find_map(|s| {
            self.streams[s]
                .recent
                .iter()
                .rposition(same)
                .map(|i| (s, i))
        }) else {
            return false;
        };
        let p = &mut self.streams[s].recent[i];
        if let Some(x) = p.ev.killed.iter_mut().find(|x| x.pid == k.pid) {
            x.lines.push(rec.line);
        }
        if p.ev.host.is_none() {
            p.ev.host = rec.host.map(lossy);
        }
        if p.ev.wall.is_none() {
            p.ev.wall = rec.wall;
        }
        touch(p, rec);
        true
    }

    /// `oom_kill_process: N callbacks suppressed` printed inside a report, where its
    /// kill line should be (vendor kernels rate-limit the kill message itself,
    /// samples/real/116): the count is that report's, not the next one's. Mainline
    /// prints it before the header, where it is noted on the stream for the report
    /// that follows. Returns whether the line was taken.
    fn suppressed_inside(&mut self, si: usize, rec: &Record<'_>, line: &Line<'_>) -> bool {
        let Line::Suppressed(n) = *line else {
            return false;
        };
        let Some(p) = self.streams[si].open.last_mut() else {
            return false;
        };
        // After the task table, the place of the kill line; a report cut before its
        // table leaves the line to the next report, as mainline means it.
        if !p.has_header || !p.ev.tasks.header_seen || p.ev.suppressed_before.is_some() {
            return false;
        }
        p.ev.suppressed_before = Some(n);
        touch(p, rec);
        true
    }

    /// A line while no report is open, or one no open report takes.
    fn idle(&mut self, si: usize, rec: &Record<'_>, kind: &Kind, line: Line<'_>) {
        if self.kill_copy(rec, &line) {
            return;
        }
        let s = &mut self.streams[si];
        if let Read::Stream(note) = kind.fill.read {
            note(
                &mut Notes {
                    evidence: &mut s.evidence,
                    suppressed: &mut s.suppressed,
                    sysrq: &mut s.sysrq,
                    rtc: &mut s.rtc,
                    printk: rec.printk,
                    line: rec.line,
                },
                &line,
            );
            return;
        }
        // Lines that continue a finished report.
        if let Some(late) = kind.fill.late {
            let released = &self.released;
            let was_released = |pid: u32| released.contains(&(si, pid));
            let mut f = Finished::new(&mut s.recent, &was_released);
            if late(&mut f, &line, rec) {
                if let Some(i) = f.took() {
                    touch(&mut s.recent[i], rec);
                }
                return;
            }
        }
        // Lines that open a report whose beginning is not in the log: those of a kind
        // that opens reports (the table says which), and only when the line holds a
        // marker. The fast path only sees lines the prefilter finds; acting on any
        // other line here would make it disagree with the line-by-line path. The
        // classifier is looser than the markers (`N pages of RAM`, `Free swap = 0kB`
        // with squeezed spaces, `MEM-INFO:`, a bare `[ pid ]` header), which is right
        // inside a report but not for opening one.
        if kind.role != Role::Opens || !kinds::prefilter().contains(rec.body) {
            return;
        }
        let p = self.new_partial(si, rec, false);
        self.push_open(si, p);
        let pi = self.streams[si].open.len() - 1;
        self.absorb(si, pi, rec, kind, &line);
    }

    /// Files a finished report: tentative fragments that never showed an OOM-only
    /// line are dropped; the rest go to `recent`, where late lines can still reach them.
    fn close(&mut self, si: usize, mut p: Partial, why: Option<&str>) {
        if !p.confirmed {
            return;
        }
        let ended = fill::has_kill_line(&p.ev) || p.ev.ending.is_some() || !p.ev.killed.is_empty();
        if !ended && p.cut.is_none() {
            p.cut = why.map(str::to_string);
        }
        self.link_kernel(&mut p.ev);
        let seq = p.seq;
        self.streams[si].recent.push_back(p);
        while self.streams[si].recent.len() > RECENT_KEEP {
            let old = self.streams[si].recent.pop_front().expect("non-empty");
            self.emit(si, old);
        }
        self.recent_order.push_back((si, seq));
        while self.recent_order.len() > RECENT_TOTAL {
            let (sj, seq) = self.recent_order.pop_front().expect("non-empty");
            // A stale entry (its report already handed out) must not hand out the
            // report now at the front: that one still waits for its late lines.
            if self.streams[sj]
                .recent
                .front()
                .is_some_and(|p| p.seq == seq)
            {
                let old = self.streams[sj].recent.pop_front().expect("front");
                self.emit(sj, old);
            }
            // An idle host must not keep a buffer of reports (1.7 kB each).
            if self.streams[sj].recent.is_empty() {
                self.streams[sj].recent = VecDeque::new();
            }
        }
    }

    /// Opens a report on stream `si`.
    fn push_open(&mut self, si: usize, mut p: Partial) {
        let s = &mut self.streams[si];
        p.seq = s.next_seq;
        s.next_seq += 1;
        if let Some(c) = p.caller {
            s.callers.insert(c, p.seq);
        }
        s.stale_floor = match (s.open.is_empty(), s.stale_floor, p.last_printk) {
            (true, _, Some(t)) => Some(t.micros()),
            (false, Some(f), Some(t)) => Some(f.min(t.micros())),
            _ => None,
        };
        s.plain_open += usize::from(plain(&p));
        s.open.push(Box::new(p));
        self.open_reports += 1;
    }

    /// The newest open report of stream `si` printed by caller `c`. A binary search by
    /// `seq`: with thousands of interleaved reports closing one after another, indices
    /// move at every close and a rebuilt index would make the closing round quadratic.
    fn open_of_caller(&mut self, si: usize, c: Caller) -> Option<usize> {
        let s = &mut self.streams[si];
        let seq = *s.callers.get(&c)?;
        if let Ok(i) = s.open.binary_search_by_key(&seq, |p| p.seq) {
            return Some(i);
        }
        // That report closed: an older one of the same caller may still be open.
        match s.open.iter().rposition(|p| p.caller == Some(c)) {
            Some(i) => {
                s.callers.insert(c, s.open[i].seq);
                Some(i)
            }
            None => {
                s.callers.remove(&c);
                None
            }
        }
    }

    /// Moves an open report to `recent` once its kill line is in.
    fn finish_open(&mut self, si: usize, pi: usize) {
        let p = self.streams[si].remove_open(pi);
        self.open_reports -= 1;
        self.close(si, *p, None);
    }

    fn emit(&mut self, si: usize, p: Partial) {
        let mut ev = finalize(p);
        if let Some(t) = self.streams[si]
            .evidence
            .total_swap_kb
            .or(ev.mem_info.as_ref().and_then(|m| m.total_swap_kb))
        {
            let e = &mut self.streams[si].evidence;
            e.total_swap_kb = Some(e.total_swap_kb.map_or(t, |x| x.max(t)));
        }
        if ev.kernel_version.is_some() && self.streams[si].evidence.kernel_version.is_none() {
            self.streams[si].evidence.kernel_version = ev.kernel_version.clone();
        }
        if ev.kernel_version.is_none() {
            ev.kernel_version = self.streams[si].evidence.kernel_version.clone();
        }
        self.user.note_emitted(&ev);
        self.ready.push(ev);
    }

    /// Counts a diagnostic; only the first `diag_cap` of a kind are written out (and
    /// only those pay for building their message).
    fn diag(&mut self, code: &'static str, line: u64, msg: impl FnOnce() -> String) {
        let n = self.diag_counts.entry(code).or_insert(0);
        *n += 1;
        if *n <= self.opts.diag_cap {
            self.diags.push(Diagnostic::new(
                Severity::Note,
                code,
                self.input.as_log_str(),
                Some(line),
                msg(),
            ));
        }
    }

    // ---- reading a report ------------------------------------------------------------

    /// Reads a line into an open report: its kind's fill function says what it adds.
    fn absorb(&mut self, si: usize, pi: usize, rec: &Record<'_>, kind: &Kind, line: &Line<'_>) {
        let p = &mut self.streams[si].open[pi];
        touch(p, rec);
        if self.opts.keep_raw {
            push_raw(p, &self.recent, rec);
        }
        let step = match kind.fill.read {
            Read::Report(fill) => fill(&mut Report::next_line(p), line, rec),
            // Not routed to reports (see `route`).
            Read::Stream(_) => Step::Read,
        };
        if step != Step::Unknown {
            p.unknown_run = 0;
            if step == Step::Ends {
                self.finish_open(si, pi);
            }
            return;
        }
        p.unknown_run += 1;
        p.unknown_total += 1;
        self.diag("unrecognised-report-line", rec.line, || {
            let text = String::from_utf8_lossy(&rec.body[..rec.body.len().min(120)]);
            format!("line inside an OOM report not understood, skipped: {text}")
        });
        if self.streams[si].open[pi].unknown_run > self.opts.unknown_budget {
            let mut p = *self.streams[si].remove_open(pi);
            self.open_reports -= 1;
            p.cut = Some(format!(
                "{} lines in a row that are not part of an OOM report",
                p.unknown_run
            ));
            self.close(si, p, None);
        }
    }
}

/// What the userspace killers' events (`crate::event::userspace`) need of the assembler.
impl Assembler {
    pub(super) fn stream_of_host(&mut self, host: Option<&[u8]>) -> usize {
        self.stream_index(host)
    }

    pub(super) fn input_name(&self) -> &LogString {
        &self.input
    }

    pub(super) fn boot_seq_of(&self, si: usize) -> u32 {
        self.streams[si].boot_seq
    }

    pub(super) fn ready_push(&mut self, ev: OomEvent) {
        self.ready.push(ev);
    }

    /// The kernel reports not handed out yet (open or finished) of the streams `host`
    /// may be (any, when it names none), oldest first, that `pick` keeps.
    pub(super) fn kernel_reports_mut(
        &mut self,
        host: Option<&[u8]>,
        pick: impl Fn(&OomEvent) -> bool,
    ) -> Vec<&mut OomEvent> {
        self.streams
            .iter_mut()
            .filter(|s| host.is_none() || s.host.is_none() || s.host.as_deref() == host)
            .flat_map(|s| {
                s.recent
                    .iter_mut()
                    .map(|p| &mut p.ev)
                    .chain(s.open.iter_mut().map(|p| &mut p.ev))
            })
            .filter(|ev| pick(ev))
            .collect()
    }
}

fn touch(p: &mut Partial, rec: &Record<'_>) {
    p.ev.source.last_line = p.ev.source.last_line.max(rec.line);
    if rec.printk.is_some() {
        p.last_printk = rec.printk;
    }
    if rec.wall.is_some() {
        p.last_wall = rec.wall;
    }
}

/// Seconds from `a` to `b` where both can be compared.
pub(super) fn wall_gap(a: &Wall, b: &Wall) -> Option<i64> {
    match (a, b) {
        (Wall::Zoned(x), Wall::Zoned(y)) => Some((*y - *x).num_seconds()),
        (Wall::Local(x), Wall::Local(y)) => Some((*y - *x).num_seconds()),
        (Wall::Yearless(x), Wall::Yearless(y)) => {
            // Within one month is enough to tell "seconds apart" from "hours apart".
            let sx = i64::from(x.day) * 86_400 + i64::from(x.secs);
            let sy = i64::from(y.day) * 86_400 + i64::from(y.secs);
            if x.month == y.month {
                Some(sy - sx)
            } else {
                Some(i64::MAX / 2)
            }
        }
        _ => None,
    }
}

/// Turns a closed report into an event: fills in the scope and names what is missing.
fn finalize(p: Partial) -> OomEvent {
    let mut ev = p.ev;
    let mut notes = Vec::new();
    if !p.has_header {
        notes
            .push("the report's first line ('… invoked oom-killer') is not in the log".to_string());
    }
    let kill_line = fill::has_kill_line(&ev);
    if !kill_line && ev.ending.is_none() {
        let how = match ev.killed.first().map(|k| k.evidence) {
            Some(Evidence::Reaper) => "; the victim is named only by the oom_reaper line",
            Some(Evidence::Selection) => "; only the selection line names a task",
            _ if ev.summary.as_ref().is_some_and(|s| s.pid.is_some()) => {
                "; the victim is named only by the oom-kill summary line"
            }
            _ => "",
        };
        notes.push(format!("no 'Killed process' line for this report{how}"));
    }
    // The summary and selection lines name the victim even without a kill line.
    if !kill_line && ev.killed.iter().all(|k| k.evidence != Evidence::Reaper) {
        if let Some(s) = &ev.summary
            && let Some(pid) = s.pid
        {
            let mut k = Killed::known(
                pid,
                s.task.clone().unwrap_or_default(),
                Evidence::Summary,
                ev.source.last_line,
            );
            k.uid = s.uid;
            ev.killed.push(k);
        } else if let Some(c) = &ev.kernel_choice
            && ev.ending.is_none()
        {
            let mut k = Killed::known(
                c.pid,
                c.comm.clone(),
                Evidence::Selection,
                ev.source.last_line,
            );
            k.message = Some(c.message.clone());
            ev.killed.push(k);
            notes.push("the kernel selected this task; before 5.1 it may have killed a child of it instead".to_string());
        }
    }
    if let Some(why) = &p.cut {
        notes.push(format!("report cut off: {why}"));
    }
    let has_state =
        ev.memcg.as_ref().is_some_and(|m| m.usage_kb.is_some()) || ev.mem_info.is_some();
    if p.has_header && !has_state {
        notes.push("no memcg or Mem-Info block in the log (lines filtered or cut)".to_string());
    }
    if ev.tasks.header_seen && ev.tasks.rows.is_empty() {
        notes.push("the task table has a header but no rows".to_string());
    } else if !ev.tasks.header_seen && p.has_header && p.cut.is_none() && has_state {
        notes.push("no task table (vm.oom_dump_tasks=0, or the lines were filtered)".to_string());
    }
    if ev.tasks.bad_rows > 0 {
        notes.push(format!(
            "{} task table rows could not be read",
            ev.tasks.bad_rows
        ));
    }
    if p.rows_dropped > 0 || ev.tasks.rows.len() > MAX_ROWS {
        let dropped = p.rows_dropped + thin_rows(&mut ev.tasks.rows, MAX_ROWS);
        notes.push(format!(
            "the task table has {} rows; the {MAX_ROWS} of the largest tasks were kept, {dropped} rows of smaller ones were not",
            ev.tasks.rows.len() as u64 + dropped
        ));
    }
    if p.raw_dropped > 0 {
        notes.push(format!(
            "the report has {} lines; the first {MAX_RAW} were kept as raw lines, {} were not",
            ev.raw.len() as u64 + p.raw_dropped,
            p.raw_dropped
        ));
    }
    if p.unknown_total > 0 {
        notes.push(format!(
            "{} unrecognised lines inside the report were skipped",
            p.unknown_total
        ));
    }
    if ev.killed.iter().any(|k| k.cut) {
        notes.push("a 'Killed process' line is cut short in the log".to_string());
    }
    if let Some(n) = ev.suppressed_before {
        notes.push(format!(
            "the kernel suppressed {n} earlier messages of this kind (rate limit): other OOM reports may be missing"
        ));
    }
    // Pick the memcg stats block that belongs to the OOM memcg (3.10–5.2 print one per
    // memcg in the subtree; later kernels print just the OOM memcg's).
    if let Some(m) = ev.memcg.as_mut()
        && !m.subtree_stats.is_empty()
    {
        let i = m
            .oom_memcg
            .as_ref()
            .and_then(|o| m.subtree_stats.iter().position(|(p, _)| p == o))
            .unwrap_or(0);
        let (path, map) = m.subtree_stats[i].clone();
        m.stats_path = Some(path);
        m.stats = map;
        if m.subtree_stats.len() == 1 {
            m.subtree_stats.clear();
        }
    }
    ev.scope = crate::event::infer_scope(&ev);
    ev.complete = p.has_header
        && (kill_line || ev.ending.is_some())
        && has_state
        && p.cut.is_none()
        && ev.tasks.bad_rows == 0
        && !(ev.tasks.header_seen && ev.tasks.rows.is_empty())
        && !ev.killed.iter().any(|k| k.cut);
    ev.notes = notes;
    ev
}

/// Keeps a report line as the kernel printed it (for Markdown's raw block).
/// Keeps the `keep` rows of the tasks the kernel would rank highest (roughly: rss,
/// swap and page tables, plus oom_score_adj thousandths of the table's total), in
/// their printed order; returns how many were dropped.
pub(super) fn thin_rows(rows: &mut Vec<crate::event::TaskRow>, keep: usize) -> u64 {
    if rows.len() <= keep {
        return 0;
    }
    let size = |r: &crate::event::TaskRow| {
        r.rss.unwrap_or(0).max(0) + r.swapents.unwrap_or(0).max(0) + r.nr_ptes.unwrap_or(0).max(0)
    };
    let total: i64 = rows.iter().map(size).fold(0i64, i64::saturating_add);
    let points = |r: &crate::event::TaskRow| {
        let adj = r.oom_score_adj.unwrap_or(0).clamp(-1000, 1000);
        size(r).saturating_add(adj.saturating_mul(total / 1000))
    };
    let mut scores: Vec<i64> = rows.iter().map(points).collect();
    let cut = rows.len() - keep;
    let (_, &mut threshold, _) = scores.select_nth_unstable(cut);
    // Rows above the threshold stay; of those equal to it, as many as fit.
    let mut equal_room = keep - rows.iter().filter(|r| points(r) > threshold).count();
    let before = rows.len();
    rows.retain(|r| {
        let p = points(r);
        if p > threshold {
            true
        } else if p == threshold && equal_room > 0 {
            equal_room -= 1;
            true
        } else {
            false
        }
    });
    (before - rows.len()) as u64
}

/// Physical lines kept for raw lines (a held message is handed over at most a few
/// lines after its first), and the longest part of one kept.
const RECENT_LINES: usize = 16;
const RAW_LINE_BYTES: usize = 4096;

/// Keeps the lines of `rec` as the log has them (prefix and all), each physical line
/// once; from a journal, or when the line is no longer at hand, the message as the
/// kernel printed it.
fn push_raw(
    p: &mut Partial,
    recent: &std::collections::VecDeque<(u64, Vec<u8>)>,
    rec: &Record<'_>,
) {
    let text_log = !matches!(rec.format, Format::JournalJson);
    let last = rec.line + u64::from(rec.lines.max(1)) - 1;
    if last <= p.raw_upto {
        return;
    }
    let verbatim: Vec<&[u8]> = (rec.line.max(p.raw_upto + 1)..=last)
        .filter_map(|n| {
            recent
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, b)| b.as_slice())
        })
        .collect();
    p.raw_upto = last;
    let push = |p: &mut Partial, line: String| {
        if p.ev.raw.len() >= MAX_RAW {
            p.raw_dropped += 1;
        } else {
            p.ev.raw.push(line.into());
        }
    };
    if text_log && !verbatim.is_empty() {
        for b in verbatim {
            let b = b.strip_suffix(b"\n").unwrap_or(b);
            let b = b.strip_suffix(b"\r").unwrap_or(b);
            push(p, String::from_utf8_lossy(b).into_owned());
        }
        return;
    }
    let text = String::from_utf8_lossy(rec.body);
    push(
        p,
        match rec.printk {
            Some(t) => format!("[{t}] {text}"),
            None => text.into_owned(),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::TaskTable;

    #[test]
    fn a_huge_task_table_keeps_the_largest_tasks_in_order() {
        // Issue 20: a 1M-row table was held whole (1.86 GB in JSON).
        let mut t = TaskTable::default();
        let cols: Vec<&[u8]> = "uid tgid total_vm rss pgtables_bytes swapents oom_score_adj name"
            .split_whitespace()
            .map(str::as_bytes)
            .collect();
        t.set_header(&cols, false);
        for pid in 1..=100u32 {
            // rss grows with the pid, except pid 7 (small, but oom_score_adj 1000).
            let (rss, adj) = if pid == 7 { (1, 1000) } else { (pid * 10, 0) };
            let row = format!("[{pid:7}]     0 {pid:5} 1000 {rss} 4096 0 {adj} task{pid}");
            assert!(t.push_row(row.as_bytes()), "{row}");
        }
        let dropped = thin_rows(&mut t.rows, 10);
        assert_eq!(dropped, 90);
        let pids: Vec<u32> = t.rows.iter().map(|r| r.pid).collect();
        assert_eq!(pids, [7, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
        assert_eq!(thin_rows(&mut t.rows, 10), 0);
    }
}

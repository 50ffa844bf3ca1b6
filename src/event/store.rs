//! Event storage with a memory budget. A scan of months of logs can hold thousands of
//! reports with task tables of hundreds of rows; past the budget, events are written to
//! an unlinked temporary file and read back one at a time when the report is rendered,
//! so memory stays flat however large the input is.
//!
//! The run has one spill file, shared by every input's store (a folder of 100k logs
//! must not open a file per input), written through by position: a full, read-only or
//! missing `$TMPDIR` shows at the write, and the event is then kept in memory over the
//! budget, with a warning; it is never dropped.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::diag::{Diagnostic, Severity};
use crate::event::BootClocks;
use crate::event::{BootEvidence, OomEvent};
use crate::input::Compression;
use crate::input::lines::ReadStats;
use crate::record::clock::{BootTime, BootTimeSource};
use crate::record::{Printk, TimeBasis, Wall, WallTime, YearAnchor};
use crate::text::LogString;

/// A memory budget shared by all stores of a run, and the run's spill file.
#[derive(Debug)]
pub struct Budget {
    used: AtomicUsize,
    limit: usize,
    spill: Mutex<SpillState>,
}

#[derive(Debug)]
enum SpillState {
    /// Not needed yet; created in `dir` (`None`: the system's temporary folder).
    Closed(Option<PathBuf>),
    Open(Arc<SpillFile>),
    /// It could not be created: events stay in memory.
    Failed(String),
}

/// The run's spill file: events are appended at reserved offsets, by position, so
/// that several stores write and read it at once without a lock.
#[derive(Debug)]
struct SpillFile {
    file: File,
    end: AtomicU64,
}

impl Budget {
    /// A budget of `limit` bytes, spilling to the system's temporary folder.
    pub fn new(limit: usize) -> Arc<Self> {
        Self::with_state(limit, SpillState::Closed(None))
    }

    /// A budget of `limit` bytes, spilling to a file created in `dir`.
    pub fn with_spill_dir(limit: usize, dir: PathBuf) -> Arc<Self> {
        Self::with_state(limit, SpillState::Closed(Some(dir)))
    }

    /// A budget of `limit` bytes spilling into `file` (tests: `/dev/full` is a full
    /// disk).
    #[doc(hidden)]
    pub fn with_spill_file(limit: usize, file: File) -> Arc<Self> {
        Self::with_state(
            limit,
            SpillState::Open(Arc::new(SpillFile {
                file,
                end: AtomicU64::new(0),
            })),
        )
    }

    fn with_state(limit: usize, state: SpillState) -> Arc<Self> {
        Arc::new(Budget {
            used: AtomicUsize::new(0),
            limit,
            spill: Mutex::new(state),
        })
    }

    /// Takes `n` bytes if they fit.
    fn take(&self, n: usize) -> bool {
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |cur| {
                (cur + n <= self.limit).then_some(cur + n)
            })
            .is_ok()
    }

    /// Takes `n` bytes even over the limit.
    fn force(&self, n: usize) {
        self.used.fetch_add(n, Ordering::Relaxed);
    }

    fn give(&self, n: usize) {
        self.used.fetch_sub(n, Ordering::Relaxed);
    }

    /// The run's spill file, created on first use.
    fn spill_file(&self) -> io::Result<Arc<SpillFile>> {
        let mut state = self.spill.lock().unwrap_or_else(|p| p.into_inner());
        let made = match &*state {
            SpillState::Open(f) => return Ok(f.clone()),
            SpillState::Failed(e) => return Err(io::Error::other(e.clone())),
            SpillState::Closed(None) => tempfile::tempfile(),
            SpillState::Closed(Some(dir)) => tempfile::tempfile_in(dir),
        };
        match made {
            Ok(file) => {
                let f = Arc::new(SpillFile {
                    file,
                    end: AtomicU64::new(0),
                });
                *state = SpillState::Open(f.clone());
                Ok(f)
            }
            Err(e) => {
                // Not retried for every event: the folder will not appear meanwhile.
                let text = format!("cannot create a temporary file: {e}");
                *state = SpillState::Failed(text.clone());
                Err(io::Error::other(text))
            }
        }
    }
}

/// Default in-memory budget for events of a whole run.
pub const DEFAULT_BUDGET: usize = 4 << 20;

enum Slot {
    /// Shared with the readers: rendering takes an event without copying it.
    Mem(Arc<OomEvent>),
    Disk {
        offset: u64,
        len: u32,
    },
}

/// The events of one input, in memory up to the shared budget and on disk beyond it.
/// Year-less times are resolved once the input's year is known (at its end): in place
/// for events in memory, as they are read back for the others.
pub struct EventStore {
    slots: Vec<Slot>,
    spill: Option<Arc<SpillFile>>,
    budget: Arc<Budget>,
    /// Bytes of the budget the events in memory hold.
    held: usize,
    anchor: Option<YearAnchor>,
    /// Boot times for events with only the time since boot.
    boot_times: Option<Arc<BootTimes>>,
    /// Events with only the time since boot, per (host, boot).
    uptime_only: std::collections::HashMap<BootKey, usize>,
    /// Events kept in memory because the spill file could not take them, and why.
    unspilled: usize,
    spill_error: Option<String>,
}

impl std::fmt::Debug for EventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStore")
            .field("events", &self.slots.len())
            .field("spilled", &self.spilled())
            .finish()
    }
}

impl Default for EventStore {
    fn default() -> Self {
        EventStore::new(Budget::new(DEFAULT_BUDGET))
    }
}

impl EventStore {
    /// An empty store drawing on `budget`.
    pub fn new(budget: Arc<Budget>) -> Self {
        EventStore {
            slots: Vec::new(),
            spill: None,
            budget,
            held: 0,
            anchor: None,
            boot_times: None,
            uptime_only: std::collections::HashMap::new(),
            unspilled: 0,
            spill_error: None,
        }
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Events written to disk.
    pub fn spilled(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| matches!(s, Slot::Disk { .. }))
            .count()
    }

    /// Sets the year anchor: applied now to events in memory (no reader holds them
    /// yet), and to the others as they are read.
    pub fn set_anchor(&mut self, anchor: YearAnchor) {
        for slot in &mut self.slots {
            if let Slot::Mem(ev) = slot {
                resolve_year(Arc::make_mut(ev), &anchor);
            }
        }
        self.anchor = Some(anchor);
    }

    /// Sets the boot times of the input's boots (after [`EventStore::set_anchor`]):
    /// events with only the time since boot get a wall time from their boot's, now
    /// in memory and as they are read back for the others. Returns the notes that say
    /// so for input `name` (one per boot time used, and one for boots `--boot-time`
    /// could not be given to).
    pub fn set_boot_times(&mut self, times: BootTimes, name: &str) -> Vec<Diagnostic> {
        let mut notes = Vec::new();
        if times.is_empty() || self.uptime_only.is_empty() {
            return notes;
        }
        let times = Arc::new(times);
        for slot in &mut self.slots {
            if let Slot::Mem(ev) = slot
                && ev.wall.is_none()
            {
                times.apply(Arc::make_mut(ev));
            }
        }
        // Counted per boot time (the nearest line of a boot may differ per event,
        // but one note per boot is enough: it names the boot's first line).
        let mut used: std::collections::BTreeMap<(u64, String), (usize, BootTime)> =
            Default::default();
        let mut missed = 0usize;
        for ((host, boot), n) in &self.uptime_only {
            match times
                .by_boot
                .get(&(host.clone(), *boot))
                .and_then(|v| v.first())
            {
                Some((_, b)) => {
                    let line = match b.source {
                        BootTimeSource::BothStamps { line } | BootTimeSource::RtcLine { line } => {
                            line
                        }
                        BootTimeSource::Flag => 0,
                    };
                    used.entry((line, format!("{:?}", b.boot)))
                        .or_insert((0, *b))
                        .0 += n;
                }
                None => missed += n,
            }
        }
        for ((line, _), (n, b)) in used {
            let boot = match b.boot {
                WallTime::Zoned(z) => z.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
                WallTime::Local(l) => format!("{} (local time)", l.format("%Y-%m-%dT%H:%M:%S%.f")),
            };
            let from = match b.source {
                BootTimeSource::BothStamps { .. } => {
                    format!("line {line} states a wall time and the time since boot")
                }
                BootTimeSource::RtcLine { .. } => {
                    format!("line {line} is the kernel setting the clock from the RTC at boot")
                }
                BootTimeSource::Flag => "--boot-time".to_string(),
            };
            notes.push(Diagnostic::new(
                Severity::Note,
                "boot-time",
                name,
                (line > 0).then_some(line),
                format!(
                    "{n} event(s) have only the time since boot in the log; their times are that \
                     added to the boot time {boot} ({from}): approximate, since the kernel's \
                     clock stops in suspend and NTP moves the wall clock"
                ),
            ));
        }
        if missed > 0 && times.given {
            notes.push(Diagnostic::new(
                Severity::Note,
                "boot-time",
                name,
                None,
                format!(
                    "{missed} event(s) of earlier boots keep only the time since boot: \
                     --boot-time is the boot time of the log's last boot"
                ),
            ));
        }
        self.boot_times = Some(times);
        notes
    }

    /// Adds an event. Past the budget it goes to disk; if the disk fails, it stays in
    /// memory (over budget rather than lost) and [`EventStore::spill_warning`] says so.
    pub fn push(&mut self, ev: OomEvent) {
        if ev.wall.is_none() && ev.printk.is_some() {
            *self
                .uptime_only
                .entry((ev.host.clone(), ev.boot_seq))
                .or_default() += 1;
        }
        let size = approx_size(&ev);
        if self.budget.take(size) {
            self.held += size;
            self.slots.push(Slot::Mem(Arc::new(ev)));
            return;
        }
        match self.write(&ev) {
            Ok(slot) => self.slots.push(slot),
            Err(e) => {
                self.unspilled += 1;
                self.spill_error.get_or_insert_with(|| e.to_string());
                self.budget.force(size);
                self.held += size;
                self.slots.push(Slot::Mem(Arc::new(ev)));
            }
        }
    }

    /// Writes `ev` to the spill file, through: an error (a full disk) is seen here.
    fn write(&mut self, ev: &OomEvent) -> io::Result<Slot> {
        let spill = match &self.spill {
            Some(s) => s.clone(),
            None => self.spill.insert(self.budget.spill_file()?).clone(),
        };
        let bytes = serde_json::to_vec(ev).map_err(io::Error::other)?;
        let len = u32::try_from(bytes.len()).map_err(io::Error::other)?;
        // The range is this event's whatever happens: a failed write leaves a hole.
        let offset = spill.end.fetch_add(u64::from(len), Ordering::Relaxed);
        spill.file.write_all_at(&bytes, offset)?;
        Ok(Slot::Disk { offset, len })
    }

    /// The warning for events the spill file could not take (kept in memory).
    pub fn spill_warning(&self, name: &str) -> Option<Diagnostic> {
        let why = self.spill_error.as_ref()?;
        Some(Diagnostic::new(
            Severity::Warning,
            "spill",
            name,
            None,
            format!(
                "{} event(s) past the memory budget could not be written to a temporary \
                 file ({why}); they were kept in memory (set TMPDIR to a folder with room)",
                self.unspilled
            ),
        ))
    }

    /// Event `i`, with its year resolved.
    pub fn get(&self, i: usize) -> io::Result<Arc<OomEvent>> {
        match &self.slots[i] {
            Slot::Mem(ev) => Ok(ev.clone()),
            Slot::Disk { offset, len } => {
                let spill = self.spill.as_ref().expect("disk slots have a spill file");
                let mut buf = vec![0u8; *len as usize];
                spill.file.read_exact_at(&mut buf, *offset)?;
                let mut ev: OomEvent = serde_json::from_slice(&buf).map_err(io::Error::other)?;
                if let Some(a) = &self.anchor {
                    resolve_year(&mut ev, a);
                }
                if let Some(b) = &self.boot_times {
                    b.apply(&mut ev);
                }
                Ok(Arc::new(ev))
            }
        }
    }

    /// Every event in order (each read back as needed).
    pub fn iter(&self) -> impl Iterator<Item = io::Result<Arc<OomEvent>>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// All events at once, as owned copies (for tests and small scans).
    pub fn to_vec(&self) -> io::Result<Vec<OomEvent>> {
        self.iter().map(|e| e.map(Arc::unwrap_or_clone)).collect()
    }
}

impl Drop for EventStore {
    fn drop(&mut self) {
        self.budget.give(self.held);
    }
}

/// Replaces a year-less wall time with the local time `anchor` gives it, and says
/// where the time comes from (`time_basis`).
pub(crate) fn resolve_year(ev: &mut OomEvent, anchor: &YearAnchor) {
    if let Some(w @ Wall::Yearless(_)) = ev.wall {
        ev.wall = w.resolve(anchor).map(Wall::from);
        ev.time_basis = ev.wall.map(|_| anchor.basis);
    }
    if ev.time_basis.is_none() {
        ev.time_basis = match ev.wall {
            Some(_) => Some(TimeBasis::Stated),
            None => ev.printk.map(|_| TimeBasis::UptimeOnly),
        };
    }
}

/// A boot of one input: (host, boot counter).
type BootKey = (Option<LogString>, u32);

/// The boot times of one input's boots: from lines of each boot that state both
/// clocks, or `--boot-time` for each host's last boot (which wins: it is the user's
/// word, as `--year` is).
#[derive(Debug, Default)]
pub struct BootTimes {
    /// Per (host, boot): the boot time each line gives, by the line's printk time.
    by_boot: std::collections::HashMap<BootKey, Vec<(Printk, BootTime)>>,
    /// `--boot-time` was given.
    given: bool,
}

impl BootTimes {
    /// From the assembler's lines with both clocks (year-less stamps resolved by
    /// `anchor`) and the boot time the user gave, if any (a year-less one is ignored:
    /// the flag's parser gives none).
    pub fn new(clocks: &[BootClocks], anchor: &YearAnchor, given: Option<Wall>) -> Self {
        let given_boot = given.and_then(|w| match w {
            Wall::Zoned(z) => Some(WallTime::Zoned(z)),
            Wall::Local(n) => Some(WallTime::Local(n)),
            Wall::Yearless(_) => None,
        });
        let mut by_boot = std::collections::HashMap::new();
        for c in clocks {
            let times: Vec<(Printk, BootTime)> = match given_boot {
                Some(boot) if c.last => vec![(
                    Printk::from_micros(0),
                    BootTime {
                        boot,
                        source: BootTimeSource::Flag,
                    },
                )],
                _ => c
                    .pairs
                    .iter()
                    .filter_map(|p| Some((p.printk, p.boot_time(anchor)?)))
                    .collect(),
            };
            if !times.is_empty() {
                by_boot.insert((c.host.clone(), c.boot_seq), times);
            }
        }
        BootTimes {
            by_boot,
            given: given_boot.is_some(),
        }
    }

    /// Whether no boot has a boot time.
    pub fn is_empty(&self) -> bool {
        self.by_boot.is_empty()
    }

    /// Gives `ev` a wall time from its boot's boot time (the one stated nearest to it:
    /// the clocks drift apart over the uptime), if it has only a printk time.
    pub fn apply(&self, ev: &mut OomEvent) {
        let (None, Some(p)) = (ev.wall, ev.printk) else {
            return;
        };
        let Some(times) = self.by_boot.get(&(ev.host.clone(), ev.boot_seq)) else {
            return;
        };
        let Some((_, b)) = times
            .iter()
            .min_by_key(|(q, _)| q.micros().abs_diff(p.micros()))
        else {
            return;
        };
        if let Some(w) = b.at(p) {
            ev.wall = Some(w);
            ev.boot_time = Some(*b);
            ev.time_basis = Some(match b.source {
                BootTimeSource::Flag => TimeBasis::BootTimeGiven,
                _ => TimeBasis::BootTimeDerived,
            });
        }
    }
}

/// What scanning one input produced: its events and what was found along the way.
/// The driver makes one per input; the report is built from them.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct InputScan {
    /// The input's name (`-` for standard input).
    pub name: String,
    /// Events, in the order their reports closed.
    pub events: EventStore,
    /// Swap and kernel evidence per boot.
    pub evidence: Vec<BootEvidence>,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// Bytes and lines read.
    pub stats: ReadStats,
    /// How the input was stored, if it could be opened.
    pub compression: Option<Compression>,
    /// Records decoded (lines with a known shape count once per message).
    pub records: u64,
    /// The input could not be read, or not to the end.
    pub failed: bool,
}

/// A rough size of an event in memory: the task table and stats dominate.
fn approx_size(ev: &OomEvent) -> usize {
    let rows = ev.tasks.rows.len() * (std::mem::size_of::<crate::event::TaskRow>() + 24);
    let names: usize = ev.tasks.rows.iter().map(|r| r.name.len()).sum();
    let stats = ev.memcg.as_ref().map_or(0, |m| {
        m.stats.len() * 64
            + m.subtree_stats
                .iter()
                .map(|(p, s)| p.len() + s.len() * 64)
                .sum::<usize>()
    });
    let raw: usize = ev.raw.iter().map(|l| l.len() + 24).sum();
    let counters = ev
        .mem_info
        .as_ref()
        .map_or(0, |m| m.counters.len() * 64 + m.zones.len() * 128);
    std::mem::size_of::<OomEvent>() + rows + names + stats + raw + counters + ev.notes.len() * 96
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Assembler, AssemblerOptions};
    use crate::record::{FormatHint, Parser};

    /// The events of a lab sample, with the parser's year anchor for `year`.
    fn sample(name: &str, year: i32) -> (Vec<OomEvent>, YearAnchor) {
        let path = format!("{}/samples/lab/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read(path).unwrap();
        let mut parser = Parser::with_hint(FormatHint::Auto);
        parser.sniff(&text[..text.len().min(16 * 1024)]);
        let mut asm = Assembler::new(name, AssemblerOptions::default());
        for (i, line) in text.split(|b| *b == b'\n').enumerate() {
            parser.parse(line, i as u64 + 1, &mut |r| asm.push(r));
        }
        asm.finish();
        let now = chrono::NaiveDate::from_ymd_opt(year, 12, 31)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        let anchor = YearAnchor::new(parser.last_yearless().as_ref(), now, Some(year));
        (asm.drain_ready(), anchor)
    }

    #[test]
    fn events_past_the_budget_go_to_disk_and_come_back_equal() {
        let (all, _) = sample("many.kmsg", 2026);
        assert_eq!(all.len(), 16);
        let budget = Budget::new(3 * approx_size(&all[0]));
        let mut store = EventStore::new(budget.clone());
        for e in &all {
            store.push(e.clone());
        }
        assert!(store.spilled() >= 12, "{} spilled", store.spilled());
        assert_eq!(store.to_vec().unwrap(), all);
        // Reading in any order works, and from several threads at once (renderers do).
        assert_eq!(*store.get(15).unwrap(), all[15]);
        assert_eq!(*store.get(0).unwrap(), all[0]);
        std::thread::scope(|s| {
            for t in 0..4 {
                let (store, all) = (&store, &all);
                s.spawn(move || {
                    for round in 0..20 {
                        let i = (t * 7 + round * 5) % all.len();
                        assert_eq!(*store.get(i).unwrap(), all[i]);
                    }
                });
            }
        });
        drop(store);
        assert_eq!(budget.used.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_full_disk_keeps_every_event_in_memory_with_a_warning() {
        // Issue 20: spill writes went through a BufWriter, so ENOSPC showed only at the
        // read-back and the event was dropped. /dev/full fails every write with ENOSPC.
        let (all, _) = sample("many.kmsg", 2026);
        let full = File::options()
            .write(true)
            .read(true)
            .open("/dev/full")
            .unwrap();
        let budget = Budget::with_spill_file(approx_size(&all[0]), full);
        let mut store = EventStore::new(budget.clone());
        for e in &all {
            store.push(e.clone());
        }
        assert_eq!(store.spilled(), 0);
        assert_eq!(store.to_vec().unwrap(), all);
        let w = store.spill_warning("many.kmsg").expect("a warning");
        assert_eq!(w.code, "spill");
        assert!(
            w.message.starts_with("15 event(s) past the memory budget"),
            "{}",
            w.message
        );
        assert!(
            w.message.contains("No space left on device"),
            "{}",
            w.message
        );
    }

    #[test]
    fn a_missing_temporary_folder_keeps_every_event_in_memory() {
        let (all, _) = sample("many.kmsg", 2026);
        let budget = Budget::with_spill_dir(1, "/nonexistent/oomlens-spill".into());
        let mut store = EventStore::new(budget);
        for e in &all {
            store.push(e.clone());
        }
        assert_eq!(store.to_vec().unwrap(), all);
        let w = store.spill_warning("x").expect("a warning").message;
        assert!(w.starts_with("16 event(s)"), "{w}");
        assert!(w.contains("cannot create a temporary file"), "{w}");
    }

    #[test]
    fn every_store_of_a_run_spills_into_one_file() {
        // Issue 20: each input's store opened its own spill file (and a clone), kept
        // until exit: thousands of inputs ran out of file descriptors.
        let (all, _) = sample("many.kmsg", 2026);
        let dir = tempfile::tempdir().unwrap();
        let budget = Budget::with_spill_dir(1, dir.path().to_path_buf());
        let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
        let stores: Vec<EventStore> = (0..200)
            .map(|i| {
                let mut s = EventStore::new(budget.clone());
                s.push(all[i % all.len()].clone());
                s
            })
            .collect();
        let after_first = fds();
        let more: Vec<EventStore> = (0..200)
            .map(|i| {
                let mut s = EventStore::new(budget.clone());
                s.push(all[i % all.len()].clone());
                s
            })
            .collect();
        // Other tests open files meanwhile: a margin, far below one per store.
        assert!(fds() < after_first + 50, "{} then {}", after_first, fds());
        for (i, s) in stores.iter().chain(&more).enumerate() {
            assert_eq!(s.spilled(), 1);
            assert_eq!(*s.get(0).unwrap(), all[i % 200 % all.len()]);
            assert!(s.spill_warning("x").is_none());
        }
    }

    #[test]
    fn year_less_times_resolve_alike_in_memory_and_on_disk() {
        // Syslog stamps without a year: kept in memory, the year is set in place when
        // the input ends; spilled, as each event is read back.
        let (events, anchor) = sample("many.messages", 2025);
        let store = |budget: usize| {
            let mut s = EventStore::new(Budget::new(budget));
            for e in &events {
                s.push(e.clone());
            }
            s.set_anchor(anchor);
            s
        };
        let (mem, disk) = (store(1 << 30), store(1));
        assert_eq!((mem.spilled(), disk.spilled()), (0, 16));
        let (mem, disk) = (mem.to_vec().unwrap(), disk.to_vec().unwrap());
        assert_eq!(mem, disk);
        let first = mem[0].wall.expect("a time");
        assert_eq!(
            first,
            Wall::Local(
                chrono::NaiveDate::from_ymd_opt(2025, 11, 21)
                    .unwrap()
                    .and_hms_opt(22, 26, 27)
                    .unwrap()
            )
        );
    }
}

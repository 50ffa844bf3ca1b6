//! Real OOM kills made in a throwaway memory cgroup while `oomlens --kmsg` runs (root only),
//! and `oomlens --follow` on a log file that grows and is rotated (no root needed).
//!
//! The processes the kernel kills are this test binary itself, run again as
//! `live::hog` (see [`hog`]): each joins the test cgroup, sets its `oom_score_adj` and
//! name, touches the memory it was told to, and says `ready`. The kmsg test reads the
//! kernel's own kill lines from `/dev/kmsg` next to oomlens and checks that oomlens
//! reported every kill once, within a second of the victim's death, with the victim
//! ranked first. Without root or a writable memory controller it says why and passes.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// The longest an event may take to show up after its kill (or its log line).
const MAX_LATENCY: Duration = Duration::from_secs(1);
/// Generous bound for setting things up (spawning, allocating, starting oomlens).
const SETUP_TIMEOUT: Duration = Duration::from_secs(30);

// ---- the hog: this binary run again as `live::hog` ------------------------------------

/// `cgroup.procs` file to join; its presence makes [`hog`] run.
const HOG_PROCS: &str = "OOMLENS_LIVE_HOG_PROCS";
/// MiB to hold, or `grow` (1 MiB at a time until killed).
const HOG_SIZE: &str = "OOMLENS_LIVE_HOG_SIZE";
/// oom_score_adj to set.
const HOG_ADJ: &str = "OOMLENS_LIVE_HOG_ADJ";
/// Process name (comm) to take.
const HOG_COMM: &str = "OOMLENS_LIVE_HOG_COMM";
/// What a hog prints once it is in place.
const READY: &str = "oomlens-live-hog-ready";
/// A growing hog gives up (and fails) past this size: the cgroup limit did not work.
const GROW_CAP_MIB: usize = 512;

/// Not a test: the memory hog the live test starts (returns at once unless
/// `OOMLENS_LIVE_HOG_PROCS` is set).
#[test]
#[ignore = "the memory hog that kmsg_reports_real_oom_kills starts in its cgroup"]
fn hog() {
    let Some(procs) = std::env::var_os(HOG_PROCS) else {
        return;
    };
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("hog: {k} not set"));
    let size = var(HOG_SIZE);
    let adj: i32 = var(HOG_ADJ).parse().expect("hog: adj");
    let comm = var(HOG_COMM);
    fs::write(&procs, std::process::id().to_string())
        .unwrap_or_else(|e| panic!("hog: joining {}: {e}", Path::new(&procs).display()));
    if let Err(e) = fs::write("/proc/self/oom_score_adj", adj.to_string()) {
        // Lowering it needs CAP_SYS_RESOURCE, which some sandboxes refuse.
        assert!(adj < 0, "hog: setting oom_score_adj {adj}: {e}");
        eprintln!("hog: oom_score_adj {adj} refused: {e}");
    }
    // The process (what the kill line and task table name) and this thread (what the
    // `… invoked oom-killer` header names, as it is the one allocating).
    for f in ["/proc/self/comm", "/proc/thread-self/comm"] {
        fs::write(f, &comm).unwrap_or_else(|e| panic!("hog: {f}: {e}"));
    }
    let ready = || {
        let mut out = io::stdout().lock();
        writeln!(out, "\n{READY}")
            .and_then(|()| out.flush())
            .expect("hog: stdout");
    };
    if size == "grow" {
        ready();
        let mut held = Vec::new();
        while held.len() < GROW_CAP_MIB {
            held.push(touched(1));
        }
        panic!("hog: grew to {GROW_CAP_MIB} MiB without being OOM-killed");
    }
    let held = touched(size.parse().expect("hog: size"));
    ready();
    // Hold until the test closes stdin (or dies).
    let _ = io::stdin().read_to_end(&mut Vec::new());
    std::hint::black_box(&held);
}

/// `mib` MiB with every page written, so that it is charged to the cgroup.
fn touched(mib: usize) -> Vec<u8> {
    let mut v = vec![0u8; mib << 20];
    for i in (0..v.len()).step_by(4096) {
        v[i] = 1;
    }
    std::hint::black_box(v)
}

/// A hog as the test sees it.
struct Hog {
    comm: String,
    adj: i32,
    pid: u32,
    child: Child,
    stdin: Option<ChildStdin>,
    stderr: Arc<Mutex<String>>,
    /// Last poll at which it was still alive.
    alive_at: Instant,
    death: Option<Death>,
}

#[derive(Debug, Clone, Copy)]
struct Death {
    /// Between the last poll that saw it alive and the first that saw it dead.
    after: Instant,
    seen: Instant,
    status: ExitStatus,
}

/// What a hog should do.
#[derive(Debug, Clone, Copy)]
struct Task {
    comm: &'static str,
    /// MiB to hold; `None` grows until killed.
    mib: Option<u32>,
    adj: i32,
    /// Child cgroup (under the scenario's cgroup) to run in.
    sub: Option<&'static str>,
}

impl Hog {
    /// Starts a hog in the cgroup at `dir` and waits until it holds its memory.
    fn start(task: &Task, dir: &Path) -> Hog {
        let exe = std::env::current_exe().expect("current_exe");
        let size = task
            .mib
            .map_or_else(|| "grow".to_string(), |m| m.to_string());
        let mut child = Command::new(exe)
            .args([
                "--exact",
                "live::hog",
                "--ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(HOG_PROCS, dir.join("cgroup.procs"))
            .env(HOG_SIZE, size)
            .env(HOG_ADJ, task.adj.to_string())
            .env(HOG_COMM, task.comm)
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn hog");
        let pid = child.id();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped");
        let stderr = collect(child.stderr.take().expect("piped"));
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains(READY) {
                    let _ = tx.send(());
                }
            }
        });
        let mut hog = Hog {
            comm: task.comm.to_string(),
            adj: task.adj,
            pid,
            child,
            stdin,
            stderr,
            alive_at: Instant::now(),
            death: None,
        };
        if rx.recv_timeout(SETUP_TIMEOUT).is_err() {
            let _ = hog.child.kill();
            let status = hog.child.wait();
            thread::sleep(Duration::from_millis(50));
            panic!(
                "hog {} (pid {pid}) did not get ready ({status:?}); its stderr:\n{}",
                task.comm,
                hog.stderr.lock().unwrap()
            );
        }
        hog.alive_at = Instant::now();
        hog
    }

    /// Notes the hog's death if it has died since the last poll.
    fn poll(&mut self) {
        if self.death.is_some() {
            return;
        }
        let before = Instant::now();
        match self.child.try_wait().expect("try_wait") {
            Some(status) => {
                self.death = Some(Death {
                    after: self.alive_at,
                    seen: Instant::now(),
                    status,
                })
            }
            None => self.alive_at = before,
        }
    }

    fn oom_killed(&self) -> bool {
        self.death
            .is_some_and(|d| d.status.signal() == Some(libc::SIGKILL))
    }
}

impl Drop for Hog {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if self.death.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads a pipe to its end on a thread, for error messages.
fn collect(mut r: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let t = text.clone();
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            t.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
}

// ---- the memory controller and throwaway cgroups ----------------------------------------

/// A writable memory controller.
#[derive(Debug, Clone)]
struct Controller {
    /// Where its hierarchy is mounted.
    mount: PathBuf,
    /// The mount's root inside the hierarchy (`/` unless a sub-tree is mounted), so
    /// that paths come out as the kernel prints them.
    root: String,
    v2: bool,
}

/// Finds the memory controller: v1 (a `cgroup` mount with the `memory` option) or v2
/// (a `cgroup2` mount whose root delegates `memory`); `Err` says why not.
fn memory_controller() -> Result<Controller, String> {
    let info = fs::read_to_string("/proc/self/mountinfo").map_err(|e| format!("mountinfo: {e}"))?;
    let mut v2 = None;
    for line in info.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let Some(dash) = f.iter().position(|x| *x == "-") else {
            continue;
        };
        if f.len() < dash + 4 || f.len() < 5 {
            continue;
        }
        let (root, mount, fstype, opts) = (f[3], f[4], f[dash + 1], f[dash + 3]);
        let c = Controller {
            mount: PathBuf::from(mount.replace("\\040", " ")),
            root: root.to_string(),
            v2: fstype == "cgroup2",
        };
        if fstype == "cgroup" && opts.split(',').any(|o| o == "memory") {
            return Ok(c);
        }
        if fstype == "cgroup2" && v2.is_none() {
            v2 = Some(c);
        }
    }
    let Some(c) = v2 else {
        return Err("no memory cgroup controller is mounted".into());
    };
    let control = fs::read_to_string(c.mount.join("cgroup.subtree_control")).unwrap_or_default();
    if !control.split_whitespace().any(|x| x == "memory") {
        return Err(format!(
            "cgroup v2 at {} does not delegate the memory controller to its children \
             (not enabling it: that would change a cgroup this test does not own)",
            c.mount.display()
        ));
    }
    Ok(c)
}

/// A cgroup name no other run uses: `oomlens-test-<pid>-<n>`.
fn unique_name() -> String {
    static BASE: OnceLock<u64> = OnceLock::new();
    static N: AtomicU32 = AtomicU32::new(0);
    let base = *BASE.get_or_init(|| {
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        (t.as_micros() % 1_000_000_000) as u64 * 10
    });
    let n = base + u64::from(N.fetch_add(1, Ordering::Relaxed));
    format!("oomlens-test-{}-{n}", std::process::id())
}

/// A throwaway cgroup with a memory limit. Dropping it (also on panic) kills every
/// process in it and its children, waits until they are gone, and removes it.
struct Cgroup {
    ctl: Controller,
    dir: PathBuf,
    /// As the kernel prints it (`/oomlens-test-…`).
    path: String,
}

impl Cgroup {
    fn create(ctl: &Controller, name: &str, limit_mib: u64) -> io::Result<Cgroup> {
        assert!(name.starts_with("oomlens-test-"));
        let dir = ctl.mount.join(name);
        fs::create_dir(&dir)?;
        let cg = Cgroup {
            ctl: ctl.clone(),
            dir,
            path: format!("{}/{name}", ctl.root.trim_end_matches('/')),
        };
        let bytes = (limit_mib << 20).to_string();
        if ctl.v2 {
            write_file(&cg.dir.join("memory.max"), &bytes)?;
            // No swapping: the kernel must kill at the limit, not page out.
            let swap = cg.dir.join("memory.swap.max");
            if swap.exists() {
                write_file(&swap, "0")?;
            }
        } else {
            write_file(&cg.dir.join("memory.limit_in_bytes"), &bytes)?;
            if swap_configured() {
                let memsw = cg.dir.join("memory.memsw.limit_in_bytes");
                if memsw.exists() {
                    write_file(&memsw, &bytes)?;
                } else {
                    write_file(&cg.dir.join("memory.swappiness"), "0")?;
                }
            }
        }
        Ok(cg)
    }

    /// A child cgroup (no limit of its own); removed with its parent.
    fn child(&self, name: &str) -> io::Result<PathBuf> {
        if self.ctl.v2 {
            // Account the child's tasks to the child, as on v1.
            write_file(&self.dir.join("cgroup.subtree_control"), "+memory")?;
        }
        let dir = self.dir.join(name);
        fs::create_dir(&dir)?;
        Ok(dir)
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        if let Err(e) = destroy(&self.dir) {
            eprintln!("live: could not remove {}: {e}", self.dir.display());
        }
    }
}

fn swap_configured() -> bool {
    fs::read_to_string("/proc/swaps").is_ok_and(|s| s.lines().count() > 1)
}

fn write_file(path: &Path, value: &str) -> io::Result<()> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|mut f| f.write_all(value.as_bytes()))
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// Kills everything in the cgroup at `dir` and its children, then removes them.
fn destroy(dir: &Path) -> io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            destroy(&p)?;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let procs = fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
        for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
            // SAFETY: kill(2) has no memory-safety preconditions; the pid is a process
            // in this test's own cgroup.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        if procs.trim().is_empty() {
            match fs::remove_dir(dir) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(e) if Instant::now() > deadline => return Err(e),
                Err(_) => {}
            }
        } else if Instant::now() > deadline {
            return Err(io::Error::other(format!(
                "processes left: {}",
                procs.trim()
            )));
        }
        thread::sleep(Duration::from_millis(10));
    }
}

// ---- oomlens as a child process ---------------------------------------------------------

/// One line of oomlens's NDJSON output.
struct Seen {
    at: Instant,
    ev: Value,
}

/// A running `oomlens` whose stdout lines are read, with arrival times, on a thread.
struct Oomlens {
    child: Child,
    rx: mpsc::Receiver<(Instant, String)>,
    stderr: Arc<Mutex<String>>,
    events: Vec<Seen>,
}

impl Oomlens {
    /// `--follow` on `log` with NDJSON output, once it watches the file.
    fn follow(log: &Path) -> Oomlens {
        let mut o = Oomlens::spawn(&[
            "--follow".into(),
            log.into(),
            "--format".into(),
            "ndjson".into(),
            "--flush-ms".into(),
            "300".into(),
        ]);
        o.settle(log);
        o
    }

    fn spawn(args: &[OsString]) -> Oomlens {
        let mut child = crate::util::std_cmd()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn oomlens");
        let stdout = child.stdout.take().expect("piped");
        let stderr = collect(child.stderr.take().expect("piped"));
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send((Instant::now(), line)).is_err() {
                    return;
                }
            }
        });
        Oomlens {
            child,
            rx,
            stderr,
            events: Vec::new(),
        }
    }

    /// Waits until oomlens has `target` open and all its threads sleep (it has read
    /// what there was to read and waits for more), for a few polls in a row.
    fn settle(&mut self, target: &Path) {
        let pid = self.child.id();
        let target = fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
        let deadline = Instant::now() + SETUP_TIMEOUT;
        let mut calm = 0;
        while calm < 5 {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                panic!("oomlens exited early ({status}): {}", self.stderr());
            }
            assert!(
                Instant::now() < deadline,
                "oomlens did not settle: {}",
                self.stderr()
            );
            calm = if has_open(pid, &target) && sleeping(pid) {
                calm + 1
            } else {
                0
            };
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Takes the lines that arrive until `until`.
    fn pump(&mut self, until: Instant) {
        loop {
            let now = Instant::now();
            let got = if now >= until {
                self.rx.try_recv().map_err(|_| ())
            } else {
                self.rx.recv_timeout(until - now).map_err(|_| ())
            };
            let Ok((at, line)) = got else { return };
            let ev: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
                panic!("oomlens printed a line that is not JSON ({e}): {line}")
            });
            self.events.push(Seen { at, ev });
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Oomlens {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether process `pid` has `target` open.
fn has_open(pid: u32, target: &Path) -> bool {
    let Ok(dir) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    dir.flatten()
        .any(|e| fs::read_link(e.path()).is_ok_and(|l| l == target))
}

/// Whether process `pid` has at least two threads (the reader runs) and all sleep.
fn sleeping(pid: u32) -> bool {
    let Ok(dir) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    let states: Vec<Option<char>> = dir
        .flatten()
        .map(|t| {
            let stat = fs::read_to_string(t.path().join("stat")).ok()?;
            let after = &stat[stat.rfind(')')? + 1..];
            after.trim_start().chars().next()
        })
        .collect();
    states.len() >= 2 && states.iter().all(|s| *s == Some('S'))
}

// ---- reading the event JSON ---------------------------------------------------------------

fn s<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}

fn u(v: &Value, ptr: &str) -> Option<u64> {
    v.pointer(ptr).and_then(Value::as_u64)
}

fn victim(v: &Value) -> Option<u64> {
    u(v, "/killed/0/pid")
}

/// One line per event, for failure messages.
fn brief(ev: &Value) -> String {
    let ranking: Vec<String> = ev
        .pointer("/badness/ranking")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .map(|x| format!("{}:{}", u(x, "/pid").unwrap_or(0), x["points"]))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "killed {:?} ({:?}) memcg {:?}/{:?} rank {:?} ranking [{}] complete {} notes {}",
        victim(ev),
        s(ev, "/killed/0/comm"),
        s(ev, "/memcg/oom_memcg"),
        s(ev, "/memcg/task_memcg"),
        ev.pointer("/badness/victim_rank"),
        ranking.join(" "),
        ev["complete"],
        ev["notes"]
    )
}

// ---- the kernel's own account, from /dev/kmsg ---------------------------------------------

/// A non-blocking reader of /dev/kmsg that starts at the end of the ring buffer.
struct KernelLog {
    f: File,
}

/// A kill as the kernel logged it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KernelKill {
    pid: u64,
    task: String,
    oom_memcg: String,
    task_memcg: String,
}

impl KernelLog {
    fn open() -> io::Result<KernelLog> {
        let mut f = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open("/dev/kmsg")?;
        f.seek(SeekFrom::End(0))?;
        Ok(KernelLog { f })
    }

    /// The messages logged since the last call.
    fn messages(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match self.f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let rec = String::from_utf8_lossy(&buf[..n]);
                    let first = rec.lines().next().unwrap_or("");
                    if let Some((_, msg)) = first.split_once(';') {
                        out.push(msg.to_string());
                    }
                }
                Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        out
    }

    /// Writes a marker line into the kernel log (for people reading dmesg later).
    fn mark(text: &str) {
        let _ = OpenOptions::new()
            .write(true)
            .open("/dev/kmsg")
            .and_then(|mut f| f.write_all(format!("oomlens live test: {text}\n").as_bytes()));
    }
}

/// The `oom-kill:` summary lines among `messages` (one per kill, in order), checked
/// against the `Killed process` line that follows each.
fn kernel_kills(messages: &[String]) -> Vec<KernelKill> {
    let mut kills = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let Some(rest) = m.strip_prefix("oom-kill:") else {
            continue;
        };
        let kv: BTreeMap<&str, &str> = rest.split(',').filter_map(|t| t.split_once('=')).collect();
        let kill = KernelKill {
            pid: kv.get("pid").and_then(|p| p.parse().ok()).unwrap_or(0),
            task: kv.get("task").unwrap_or(&"").to_string(),
            oom_memcg: kv.get("oom_memcg").unwrap_or(&"").to_string(),
            task_memcg: kv.get("task_memcg").unwrap_or(&"").to_string(),
        };
        let killed = format!("Killed process {} ({})", kill.pid, kill.task);
        assert!(
            messages[i + 1..]
                .iter()
                .take(5)
                .any(|m| m.contains(&killed)),
            "no '{killed}' after '{m}'"
        );
        kills.push(kill);
    }
    kills
}

// ---- the live test ----------------------------------------------------------------------

/// Why the live test cannot run here, if it cannot.
fn live_unavailable() -> Option<String> {
    // It OOM-kills real processes in a cgroup of this machine: only when asked (.ci/run
    // asks).
    if std::env::var_os("OOMLENS_LIVE_TEST").is_none_or(|v| v != "1") {
        return Some("set OOMLENS_LIVE_TEST=1 to run it (it OOM-kills test processes)".into());
    }
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("?");
    if euid != "0" {
        return Some(format!("needs root (effective uid {euid})"));
    }
    if fs::read_to_string("/proc/sys/vm/panic_on_oom").is_ok_and(|v| v.trim() == "2") {
        return Some("vm.panic_on_oom=2 would panic the machine on a cgroup OOM".into());
    }
    if fs::read_to_string("/proc/sys/vm/oom_dump_tasks").is_ok_and(|v| v.trim() == "0") {
        return Some("vm.oom_dump_tasks=0: the kernel prints no task table to rank".into());
    }
    if let Err(e) = File::open("/dev/kmsg") {
        return Some(format!("cannot read /dev/kmsg: {e}"));
    }
    None
}

/// One way of making the kernel kill.
struct Scenario {
    what: &'static str,
    limit_mib: u64,
    /// Child cgroups to make under the limited one.
    subs: &'static [&'static str],
    /// Started in this order, each once the one before holds its memory.
    tasks: Vec<Task>,
    /// Who the kernel kills, in order (by comm).
    victims: &'static [&'static str],
}

fn scenarios() -> Vec<Scenario> {
    let t = |comm, mib, adj, sub| Task {
        comm,
        mib,
        adj,
        sub,
    };
    vec![
        // Badness = rss + page tables + oom_score_adj × limit/1000 pages: 800 puts the
        // 30 MiB holder first (+128 MiB); then the 80 MiB holder outweighs the grower
        // (~55 MiB by then); then the grower (~135 MiB) outweighs the 20 MiB holder.
        Scenario {
            what: "badness order: oom_score_adj first, then size",
            limit_mib: 160,
            subs: &[],
            tasks: vec![
                t("oomt-small", Some(20), 0, None),
                t("oomt-batch", Some(30), 800, None),
                t("oomt-big", Some(80), 0, None),
                t("oomt-leak", None, 0, None),
            ],
            victims: &["oomt-batch", "oomt-big", "oomt-leak"],
        },
        Scenario {
            what: "one process over a 64 MiB limit",
            limit_mib: 64,
            subs: &[],
            tasks: vec![t("oomt-single", None, 0, None)],
            victims: &["oomt-single"],
        },
        // A pod-like parent with the limit, containers as children.
        Scenario {
            what: "nested: the limit of a parent cgroup, hit from a child",
            limit_mib: 96,
            subs: &["app", "sidecar"],
            tasks: vec![
                t("oomt-sidecar", Some(16), 0, Some("sidecar")),
                t("oomt-app", None, 0, Some("app")),
            ],
            victims: &["oomt-app"],
        },
    ]
}

#[test]
fn kmsg_reports_real_oom_kills() {
    // Straight to stderr: `eprintln!` output of a passing test is captured and lost.
    let skip = |why: &str| {
        let _ = writeln!(
            io::stderr(),
            "skipped: live::kmsg_reports_real_oom_kills: {why}"
        );
    };
    if let Some(why) = live_unavailable() {
        return skip(&why);
    }
    let ctl = match memory_controller() {
        Ok(c) => c,
        Err(why) => return skip(&why),
    };
    // Can we make (and remove) a cgroup there?
    match Cgroup::create(&ctl, &unique_name(), 64) {
        Ok(probe) => drop(probe),
        Err(e) => {
            return skip(&format!(
                "memory controller at {} is not writable: {e}",
                ctl.mount.display()
            ));
        }
    }
    let scenarios = scenarios();
    let names: Vec<String> = scenarios.iter().map(|_| unique_name()).collect();
    let mut kernel = KernelLog::open().expect("open /dev/kmsg");
    let mut args: Vec<OsString> = ["--kmsg", "--format", "ndjson", "--flush-ms", "300"]
        .iter()
        .map(OsString::from)
        .collect();
    for n in &names {
        args.extend([OsString::from("--cgroup"), OsString::from(n)]);
    }
    let started = Instant::now();
    let mut oomlens = Oomlens::spawn(&args);
    oomlens.settle(Path::new("/dev/kmsg"));
    eprintln!(
        "live: oomlens --kmsg settled after {} ms (cgroup {}, {})",
        started.elapsed().as_millis(),
        ctl.mount.display(),
        if ctl.v2 { "v2" } else { "v1" }
    );
    oomlens.pump(Instant::now());
    assert!(
        oomlens.events.is_empty(),
        "events for cgroups that do not exist yet: {}",
        brief(&oomlens.events[0].ev)
    );
    let mut latencies = Vec::new();
    for (sc, name) in scenarios.iter().zip(&names) {
        latencies.extend(run_scenario(&ctl, sc, name, &mut oomlens, &mut kernel));
    }
    // Nothing more may come: no late duplicates.
    let seen = oomlens.events.len();
    oomlens.pump(Instant::now() + Duration::from_millis(700));
    if let Some(extra) = oomlens.events.get(seen) {
        panic!("event after the last scenario: {}", brief(&extra.ev));
    }
    if let Some(status) = oomlens.child.try_wait().expect("try_wait") {
        panic!("oomlens exited ({status}): {}", oomlens.stderr());
    }
    let worst = latencies.iter().max().copied().unwrap_or_default();
    eprintln!(
        "live: {} kills, each reported once; worst death-to-event latency {} ms; {} ms in all",
        latencies.len(),
        worst.as_millis(),
        started.elapsed().as_millis()
    );
}

/// Runs one scenario and checks oomlens's events against the kernel's kills; returns
/// the death-to-event latencies.
fn run_scenario(
    ctl: &Controller,
    sc: &Scenario,
    name: &str,
    oomlens: &mut Oomlens,
    kernel: &mut KernelLog,
) -> Vec<Duration> {
    let t0 = Instant::now();
    let cg = Cgroup::create(ctl, name, sc.limit_mib)
        .unwrap_or_else(|e| panic!("creating cgroup {name}: {e}"));
    KernelLog::mark(&format!("begin {} ({})", cg.path, sc.what));
    let mut subs = BTreeMap::new();
    for sub in sc.subs {
        subs.insert(*sub, cg.child(sub).expect("child cgroup"));
    }
    let first_event = oomlens.events.len();
    let mut hogs: Vec<Hog> = Vec::new();
    for task in &sc.tasks {
        let dir = task.sub.map_or(cg.dir.as_path(), |s| subs[s].as_path());
        hogs.push(Hog::start(task, dir));
    }
    // Wait for the kernel to kill every expected victim.
    let deadline = Instant::now() + SETUP_TIMEOUT;
    loop {
        for h in &mut hogs {
            h.poll();
        }
        let done = sc
            .victims
            .iter()
            .all(|v| hogs.iter().any(|h| h.comm == *v && h.death.is_some()));
        if done {
            break;
        }
        if Instant::now() > deadline {
            let state: Vec<String> = hogs
                .iter()
                .map(|h| format!("{} pid {}: {:?}", h.comm, h.pid, h.death.map(|d| d.status)))
                .collect();
            panic!(
                "[{}] the kernel did not kill {:?} in time: {state:?}",
                sc.what, sc.victims
            );
        }
        thread::sleep(Duration::from_millis(2));
    }
    let last_death = hogs
        .iter()
        .filter_map(|h| h.death.map(|d| d.seen))
        .max()
        .unwrap();
    // Give every event its full second, and a little more to see duplicates.
    let mut expected_pids = Vec::new();
    for v in sc.victims {
        let h = hogs.iter().find(|h| h.comm == *v).unwrap();
        expected_pids.push(u64::from(h.pid));
    }
    oomlens.pump(last_death + MAX_LATENCY + Duration::from_millis(200));
    for h in &mut hogs {
        h.poll();
    }
    thread::sleep(Duration::from_millis(100));
    let messages = kernel.messages();
    let ctx = || {
        let evs: Vec<String> = oomlens.events[first_event..]
            .iter()
            .map(|s| brief(&s.ev))
            .collect();
        let ours: Vec<&String> = messages
            .iter()
            .filter(|m| m.contains(name) || m.contains("Killed process"))
            .collect();
        format!(
            "\nscenario: {}\nhogs: {:?}\nevents:\n  {}\nkernel lines:\n  {}\noomlens stderr: {}",
            sc.what,
            hogs.iter()
                .map(|h| (h.comm.as_str(), h.pid, h.death.map(|d| d.status)))
                .collect::<Vec<_>>(),
            evs.join("\n  "),
            ours.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  "),
            oomlens.stderr()
        )
    };

    // What the kernel did. It prints paths from the root of the hierarchy, which is
    // `cg.path` unless this runs in a cgroup namespace.
    let suffix = format!("/{name}");
    let kills: Vec<KernelKill> = kernel_kills(&messages)
        .into_iter()
        .filter(|k| k.oom_memcg == cg.path || k.oom_memcg.ends_with(&suffix))
        .collect();
    let kill_pids: Vec<u64> = kills.iter().map(|k| k.pid).collect();
    assert_eq!(
        kill_pids,
        expected_pids,
        "the kernel's kills are not the expected ones{}",
        ctx()
    );
    for h in &hogs {
        let expected = sc.victims.contains(&h.comm.as_str());
        assert_eq!(
            h.oom_killed(),
            expected,
            "{} (pid {}){}",
            h.comm,
            h.pid,
            ctx()
        );
    }

    // What oomlens said.
    let events = &oomlens.events[first_event..];
    assert_eq!(
        events.len(),
        kills.len(),
        "oomlens printed {} events for {} kills{}",
        events.len(),
        kills.len(),
        ctx()
    );
    let mut latencies = Vec::new();
    for (seen, kill) in events.iter().zip(&kills) {
        let ev = &seen.ev;
        let h = hogs.iter().find(|h| u64::from(h.pid) == kill.pid).unwrap();
        let death = h.death.unwrap();
        let why = || format!("event {}{}", brief(ev), ctx());
        assert_eq!(victim(ev), Some(kill.pid), "victim pid: {}", why());
        assert_eq!(
            s(ev, "/killed/0/comm"),
            Some(h.comm.as_str()),
            "comm: {}",
            why()
        );
        assert_eq!(
            ev.pointer("/killed/0/oom_score_adj")
                .and_then(Value::as_i64),
            Some(i64::from(h.adj)),
            "oom_score_adj: {}",
            why()
        );
        assert_eq!(
            s(ev, "/memcg/oom_memcg"),
            Some(kill.oom_memcg.as_str()),
            "oom_memcg: {}",
            why()
        );
        assert_eq!(
            s(ev, "/memcg/task_memcg"),
            Some(kill.task_memcg.as_str()),
            "task_memcg: {}",
            why()
        );
        let task = sc.tasks.iter().find(|t| t.comm == h.comm).unwrap();
        let want_task_memcg = match task.sub {
            Some(sub) => format!("{}/{sub}", kill.oom_memcg),
            None => kill.oom_memcg.clone(),
        };
        assert_eq!(
            kill.task_memcg,
            want_task_memcg,
            "kernel task_memcg{}",
            ctx()
        );
        assert_eq!(
            u(ev, "/memcg/limit_kb"),
            Some(sc.limit_mib * 1024),
            "limit: {}",
            why()
        );
        assert_eq!(
            u(ev, "/badness/ranking/0/pid"),
            Some(kill.pid),
            "ranked first: {}",
            why()
        );
        assert_eq!(
            u(ev, "/badness/victim_rank"),
            Some(1),
            "victim_rank: {}",
            why()
        );
        assert_eq!(ev["complete"], Value::Bool(true), "complete: {}", why());
        assert!(
            ev["time"].is_string() && ev["uptime_s"].is_number(),
            "time: {}",
            why()
        );
        // Every task ranked is one of ours: nothing else is in the cgroup.
        let ours: Vec<u64> = hogs.iter().map(|h| u64::from(h.pid)).collect();
        for r in ev["badness"]["ranking"].as_array().unwrap() {
            assert!(
                ours.contains(&u(r, "/pid").unwrap()),
                "stranger ranked: {}",
                why()
            );
        }
        // Within a second of the death (measured from the last poll that saw it alive,
        // so never less than the truth).
        let latency = seen.at.saturating_duration_since(death.after);
        assert!(
            latency <= MAX_LATENCY,
            "event came {} ms after the death of {}: {}",
            latency.as_millis(),
            h.comm,
            why()
        );
        eprintln!(
            "live: [{}] {} (pid {}, adj {}) killed; event {} its death was seen; {}",
            sc.what,
            h.comm,
            h.pid,
            h.adj,
            if seen.at >= death.seen {
                format!("{} ms after", (seen.at - death.seen).as_millis())
            } else {
                format!("{} ms before", (death.seen - seen.at).as_millis())
            },
            brief(ev)
        );
        latencies.push(latency);
    }
    drop(hogs);
    KernelLog::mark(&format!("end {}", cg.path));
    let dir = cg.dir.clone();
    drop(cg);
    assert!(!dir.exists(), "cgroup {} was not removed", dir.display());
    eprintln!(
        "live: [{}] done in {} ms",
        sc.what,
        t0.elapsed().as_millis()
    );
    latencies
}

// ---- --follow on a file that grows and is rotated (no root needed) ------------------------

/// The events of a sample as the batch mode sees them.
fn batch_events(rel: &str) -> Vec<Value> {
    let out = crate::util::cmd()
        .args(["--format", "ndjson"])
        .arg(crate::util::sample(rel))
        .output()
        .expect("run oomlens");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Appends `text` to `path` in pieces (cut mid-line too), a little apart; returns when
/// each byte offset was written.
fn append_in_chunks(path: &Path, text: &[u8], pieces: usize) -> Vec<(usize, Instant)> {
    let mut f = OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open for append");
    let mut done = Vec::new();
    let step = text.len().div_ceil(pieces);
    for (i, chunk) in text.chunks(step).enumerate() {
        f.write_all(chunk).expect("append");
        f.flush().unwrap();
        done.push((i * step + chunk.len(), Instant::now()));
        thread::sleep(Duration::from_millis(30));
    }
    done
}

/// `v` without its `line` and `lines` fields.
fn without_lines(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| *k != "line" && *k != "lines")
                .map(|(k, x)| (k.clone(), without_lines(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_lines).collect()),
        x => x.clone(),
    }
}

/// Checks that the live events after `from` are the batch events of `rel`, each once,
/// each within [`MAX_LATENCY`] of the write that completed its kill line.
fn expect_follow_events(
    oomlens: &mut Oomlens,
    from: usize,
    rel: &str,
    text: &[u8],
    written: &[(usize, Instant)],
) {
    let want = batch_events(rel);
    assert!(!want.is_empty(), "{rel} has no events");
    let last = written.last().unwrap().1;
    oomlens.pump(last + MAX_LATENCY + Duration::from_millis(200));
    let got = &oomlens.events[from..];
    let ctx = || {
        format!(
            "\nwant:\n  {}\ngot:\n  {}\noomlens stderr: {}",
            want.iter().map(brief).collect::<Vec<_>>().join("\n  "),
            got.iter()
                .map(|s| brief(&s.ev))
                .collect::<Vec<_>>()
                .join("\n  "),
            oomlens.stderr()
        )
    };
    assert_eq!(got.len(), want.len(), "{rel}: event count{}", ctx());
    let text = String::from_utf8_lossy(text);
    for (seen, w) in got.iter().zip(&want) {
        let ev = &seen.ev;
        for ptr in [
            "/killed",
            "/memcg",
            "/badness/ranking",
            "/badness/victim_rank",
            "/complete",
            "/tasks",
        ] {
            // Line numbers count from the start of the run, not of the file.
            assert_eq!(
                ev.pointer(ptr).map(without_lines),
                w.pointer(ptr).map(without_lines),
                "{rel}: {ptr} differs{}",
                ctx()
            );
        }
        let pid = victim(ev).expect("victim");
        assert_eq!(
            u(ev, "/badness/ranking/0/pid"),
            Some(pid),
            "{rel}: victim not first{}",
            ctx()
        );
        assert_eq!(u(ev, "/badness/victim_rank"), Some(1), "{rel}{}", ctx());
        assert_eq!(ev["complete"], Value::Bool(true), "{rel}{}", ctx());
        // When did the kill line become whole in the file?
        let needle = format!("Killed process {pid} (");
        let at = text.find(&needle).expect("kill line in sample");
        let end = at + text[at..].find('\n').unwrap_or(0) + 1;
        let written_at = written.iter().find(|(off, _)| *off >= end).unwrap().1;
        let latency = seen.at.saturating_duration_since(written_at);
        eprintln!(
            "live: --follow {rel}: pid {pid} reported {} ms after its kill line was written",
            latency.as_millis()
        );
        assert!(
            latency <= MAX_LATENCY,
            "{rel}: event for {pid} came {} ms after its kill line{}",
            latency.as_millis(),
            ctx()
        );
    }
}

#[test]
fn follow_reports_events_across_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("messages");
    File::create(&log).unwrap();
    let mut oomlens = Oomlens::follow(&log);

    // A report appended in pieces, one of them cut mid-line.
    let single = fs::read(crate::util::sample("lab/single.messages")).unwrap();
    let written = append_in_chunks(&log, &single, 4);
    expect_follow_events(&mut oomlens, 0, "lab/single.messages", &single, &written);

    // Rotation: the file moves away, a new one takes its path.
    let from = oomlens.events.len();
    fs::rename(&log, dir.path().join("messages.1")).unwrap();
    File::create(&log).unwrap();
    let adj = fs::read(crate::util::sample("lab/adj.messages")).unwrap();
    let written = append_in_chunks(&log, &adj, 6);
    expect_follow_events(&mut oomlens, from, "lab/adj.messages", &adj, &written);

    // Nothing more: no duplicates.
    let seen = oomlens.events.len();
    oomlens.pump(Instant::now() + Duration::from_millis(700));
    assert_eq!(oomlens.events.len(), seen, "late events after rotation");
}

/// Lines written to the old file just before it is rotated must not be lost (`tail -F`
/// reads the old file to its end before switching).
#[test]
fn follow_keeps_lines_written_just_before_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("messages");
    File::create(&log).unwrap();
    let mut oomlens = Oomlens::follow(&log);
    let text = fs::read(crate::util::sample("lab/single.messages")).unwrap();
    // The first half goes to the old file, which is rotated at once (before the
    // follower's next look); the second half goes to the new file.
    let half = text.len() / 2;
    let cut = half + text[half..].iter().position(|b| *b == b'\n').unwrap() + 1;
    let mut f = OpenOptions::new().append(true).open(&log).unwrap();
    f.write_all(&text[..cut]).unwrap();
    drop(f);
    fs::rename(&log, dir.path().join("messages.1")).unwrap();
    fs::write(&log, &text[cut..]).unwrap();
    let written = vec![(text.len(), Instant::now())];
    expect_follow_events(&mut oomlens, 0, "lab/single.messages", &text, &written);
}

/// A line that never ends must not be buffered without bound: past the line cap (as in
/// a batch read) its head is taken as cut, oomlens says so on stderr at once, and the
/// lines after it are read as usual.
#[test]
fn follow_cuts_a_line_longer_than_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("messages");
    File::create(&log).unwrap();
    let mut oomlens = Oomlens::follow(&log);
    let cap = oomlens::input::lines::DEFAULT_MAX_LINE;
    let mut f = OpenOptions::new().append(true).open(&log).unwrap();
    for _ in 0..3 {
        f.write_all(&vec![b'x'; cap]).unwrap();
    }
    f.flush().unwrap();
    let want = format!(
        "oomlens: warning: {}:1: 1 line(s) longer than {cap} bytes; only their start was read (the first is line 1)\n",
        log.display()
    );
    let deadline = Instant::now() + SETUP_TIMEOUT;
    while !oomlens.stderr().contains(&want) {
        assert!(
            Instant::now() < deadline,
            "no warning about the long line; stderr: {}",
            oomlens.stderr()
        );
        thread::sleep(Duration::from_millis(20));
    }
    let single = fs::read(crate::util::sample("lab/single.messages")).unwrap();
    let mut text = b"\n".to_vec();
    text.extend_from_slice(&single);
    let written = append_in_chunks(&log, &text, 3);
    expect_follow_events(&mut oomlens, 0, "lab/single.messages", &text, &written);
    assert_eq!(oomlens.stderr(), want);
}

/// A followed raw dmesg file has only the time since boot: `--boot-time` gives its
/// events wall times, as in a batch read.
#[test]
fn follow_gives_raw_dmesg_the_boot_time_given() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("dmesg");
    let text = fs::read(crate::util::sample(
        "vm/bookworm-6.1.0-50-amd64/a-global-no-swap/dmesg",
    ))
    .unwrap();
    fs::write(&log, &text).unwrap();
    let mut oomlens = Oomlens::spawn(&[
        "--follow".into(),
        log.clone().into(),
        "--from-start".into(),
        "--boot-time".into(),
        "2026-12-07T12:12:48Z".into(),
        "--format".into(),
        "ndjson".into(),
        "--flush-ms".into(),
        "300".into(),
    ]);
    oomlens.settle(&log);
    // The one report is complete at its kill line; it is handed out once the file is
    // quiet (--flush-ms), well within this wait.
    let until = Instant::now() + MAX_LATENCY + Duration::from_secs(2);
    while oomlens.events.is_empty() && Instant::now() < until {
        oomlens.pump(Instant::now() + Duration::from_millis(100));
    }
    assert_eq!(oomlens.events.len(), 1, "{}", oomlens.stderr());
    let ev = &oomlens.events[0].ev;
    assert_eq!(ev["time"], "2026-12-07T12:12:56.387795+00:00");
    assert_eq!(ev["time_basis"], "boot_time_given");
}

/// systemd logs its lines about a killed unit when it sees the kill, after the kernel's
/// last line: a followed report whose victim is in a unit waits for them (up to the
/// quiet period) and carries them, as in a batch read (samples/userspace/029: the
/// kernel kills mariadbd in mariadb.service; systemd's notice, the main process's
/// exit and `Failed with result 'oom-kill'` follow).
#[test]
fn follow_attaches_systemd_unit_lines_that_come_after_the_kill() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("messages");
    File::create(&log).unwrap();
    let mut oomlens = Oomlens::follow(&log);
    let rel = "userspace/029-kernel-global-oom-mariadb-systemd-oom-kill-result-report.log";
    let text = fs::read_to_string(crate::util::sample(rel)).unwrap();
    let at = text
        .find("Sep 08 20:02:42 priceless-mayer systemd[1]")
        .unwrap();
    let mut f = OpenOptions::new().append(true).open(&log).unwrap();
    // The kernel's lines, then systemd's a little later (past the 50 ms a report is
    // otherwise held, within --flush-ms 300), in two writes.
    f.write_all(&text.as_bytes()[..at]).unwrap();
    f.flush().unwrap();
    thread::sleep(Duration::from_millis(150));
    let result = text.find("Failed with result").unwrap();
    let cut = result + text[result..].find('\n').unwrap() + 1;
    let exit = text.find("Main process exited").unwrap();
    f.write_all(&text.as_bytes()[at..exit]).unwrap();
    f.flush().unwrap();
    thread::sleep(Duration::from_millis(100));
    f.write_all(&text.as_bytes()[exit..cut]).unwrap();
    f.flush().unwrap();
    oomlens.pump(Instant::now() + MAX_LATENCY + Duration::from_millis(500));
    assert_eq!(oomlens.events.len(), 1, "{}", oomlens.stderr());
    let ev = &oomlens.events[0].ev;
    assert_eq!(u(ev, "/killed/0/pid"), Some(239_498));
    assert_eq!(s(ev, "/unit/unit"), Some("mariadb.service"));
    assert_eq!(s(ev, "/unit/by"), Some("kernel"));
    assert_eq!(s(ev, "/unit/result"), Some("oom-kill"));
    assert_eq!(s(ev, "/unit/main_exit"), Some("code=killed, status=9/KILL"));
    // As the batch read of the same lines says.
    let batch = batch_events(rel);
    assert_eq!(batch.len(), 1);
    assert_eq!(without_lines(&ev["unit"]), without_lines(&batch[0]["unit"]));
}

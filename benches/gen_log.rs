//! Generates realistic syslog traffic with real OOM reports spliced in, for the
//! throughput benchmark (`benches/run.sh`). Nothing large is kept in git: the data is
//! rebuilt from a fixed seed, so every run and every machine reads the same bytes.
//!
//! ```text
//! cargo run --release --example gen_log -- --size 1G --out bench-data/1g.log
//! cargo run --release --example gen_log -- --size 1G --out bench-data/1g.log.gz --gzip
//! cargo run --release --example gen_log -- --size 1G --out bench-data/rot/syslog --gzip --rotate 8
//! cargo run --release --example gen_log -- --size 4G --out -        # to stdout
//! ```
//!
//! The traffic is RFC 3164 (`Mon DD HH:MM:SS host tag[pid]: text`, what rsyslog writes
//! to /var/log/syslog) from sshd, cron, systemd, kubelet, dockerd, containerd, postfix
//! and Java services, plus kernel noise (links, USB, audit, EXT4, docker bridges). Some
//! of it holds words a naive `grep oom` trips on (zoom, boom, room, OOMKilled,
//! java.lang.OutOfMemoryError) and, rarely, even a kernel marker string in a user-space
//! line (a cron job grepping for "Killed process"). Every ~20,000 lines the lines of a
//! real capture from `samples/` are spliced in, re-stamped with the generator's clock
//! (and the generator's uptime for printk stamps) but with the kernel text verbatim.
//!
//! The last line on stdout (stderr when writing to stdout) gives the number of OOM
//! events the output holds, which `oomlens` must find exactly.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, UNIX_EPOCH};

use chrono::{NaiveDate, NaiveDateTime};
use flate2::Compression;
use flate2::write::GzEncoder;

/// A real capture and the number of OOM events `oomlens` reports for it.
///
/// The counts come from the samples' own manifests (`samples/real/*.json`: `events`
/// plus `incomplete_events`; `samples/lab/CAPTURE.md` and the lab tests for the lab
/// captures), not from running oomlens, so the benchmark also checks correctness.
struct Sample {
    name: &'static str,
    text: &'static str,
    events: u64,
}

macro_rules! sample {
    ($path:literal, $events:expr) => {
        Sample {
            name: $path,
            text: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $path)),
            events: $events,
        }
    };
}

fn samples() -> Vec<Sample> {
    vec![
        sample!("samples/lab/single.messages", 1),
        sample!("samples/real/001-cadvisor-memcg-v1-mem2-syslog.log", 1),
        sample!("samples/lab/adj.messages", 3),
        sample!(
            "samples/real/009-lkml-centos6.2-memcg-v1-rhel6-syslog.log",
            1
        ),
        sample!("samples/lab/nested.messages", 1),
        sample!(
            "samples/real/011-lkml-azurit-memcg-nested-elided-syslog.log",
            1
        ),
        sample!(
            "samples/real/023-ubuntu804-xen-2.6.24era-old-format-syslog.log",
            1
        ),
        sample!(
            "samples/real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log",
            2
        ),
        sample!("samples/lab/many.messages", 16),
        sample!(
            "samples/real/027-cpanel-rhel6-killed-line-only-syslog.log",
            1
        ),
        sample!("samples/real/032-coreclr-syslog-score-line-only.log", 1),
        sample!(
            "samples/real/035-docker-forkbomb-do-ubuntu-memcg-burst-syslog.log",
            4
        ),
        sample!(
            "samples/real/039-k8s50632-rhel7-eight-killed-lines-syslog.log",
            8
        ),
    ]
}

/// One line of a capture, split so it can be re-stamped.
struct DumpLine {
    /// Seconds after the capture's first line.
    dt: i64,
    /// printk stamp in microseconds, if the text starts with one (kernel lines).
    printk: Option<u64>,
    /// `tag: text` after the host (after the printk stamp if there is one).
    rest: &'static str,
}

struct Dump {
    name: &'static str,
    lines: Vec<DumpLine>,
    events: u64,
    /// First printk stamp of the capture.
    printk0: u64,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Parses `Mon DD HH:MM:SS ` and returns (seconds into the year, approx., rest).
fn syslog_stamp(line: &str) -> Option<(i64, &str)> {
    let b = line.as_bytes();
    if b.len() < 16 || b[3] != b' ' || b[6] != b' ' || b[9] != b':' || b[12] != b':' {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == &line[..3])? as i64;
    let day: i64 = line[4..6].trim().parse().ok()?;
    let h: i64 = line[7..9].parse().ok()?;
    let m: i64 = line[10..12].parse().ok()?;
    let s: i64 = line[13..15].parse().ok()?;
    Some((
        ((month * 31 + day) * 24 + h) * 3600 + m * 60 + s,
        &line[16..],
    ))
}

/// Splits `[ 5864.708440] text` into microseconds and `text`.
fn printk_stamp(text: &str) -> Option<(u64, &str)> {
    let inner = text.strip_prefix('[')?;
    let close = inner.find(']')?;
    let (secs, frac) = inner[..close].trim_start().split_once('.')?;
    if frac.len() != 6 || secs.is_empty() {
        return None;
    }
    let us = secs.parse::<u64>().ok()? * 1_000_000 + frac.parse::<u64>().ok()?;
    Some((us, inner[close + 1..].strip_prefix(' ')?))
}

fn parse_dump(s: &Sample) -> Dump {
    let mut lines = Vec::new();
    let mut t0 = None;
    let mut printk0 = None;
    for line in s.text.lines() {
        // Lines without a syslog stamp (an elision "[...]" in a mail) are not log lines.
        let Some((t, after)) = syslog_stamp(line) else {
            continue;
        };
        let t0 = *t0.get_or_insert(t);
        // `host tag: text`, or `tag: text` when the writer left the host out.
        let first = after.split(' ').next().unwrap_or("");
        let rest = if first.ends_with(':') {
            after
        } else {
            after.split_once(' ').map_or("", |x| x.1)
        };
        let (tag, text) = rest.split_once(' ').unwrap_or((rest, ""));
        let (printk, rest) = match (tag == "kernel:").then(|| printk_stamp(text)).flatten() {
            Some((us, body)) => {
                printk0.get_or_insert(us);
                (Some(us), &rest[rest.len() - body.len()..])
            }
            None => (None, rest),
        };
        lines.push(DumpLine {
            dt: t - t0,
            printk,
            rest,
        });
    }
    Dump {
        name: s.name,
        lines,
        events: s.events,
        printk0: printk0.unwrap_or(0),
    }
}

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn hex(&mut self, len: usize) -> String {
        let mut s = format!("{:016x}{:016x}", self.next(), self.next());
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(len);
        s
    }
}

const HOST: &str = "web-prod-17";
const USERS: &[&str] = &["deploy", "root", "alice", "bob", "ci-runner", "backup"];
const PODS: &[&str] = &[
    "default/zoom-api-7d9c6b5f4-x2k8q",
    "payments/ledger-0",
    "default/room-booking-5f7d8c9b6-4hqzt",
    "monitoring/node-exporter-k2j4h",
    "kube-system/coredns-5d78c9869d-9xw2p",
    "batch/boom-loader-28491020-7xk2v",
];
const IFACES: &[&str] = &["eth0", "eth1", "ens3", "bond0"];

/// Writes one noise line (without the stamp and host) into `out`.
fn noise(rng: &mut Rng, now: NaiveDateTime, uptime_us: u64, out: &mut String) {
    use std::fmt::Write as _;
    let pid = 1000 + rng.below(60000);
    let k = rng.below(1000);
    let up = format!(
        "[{:>5}.{:06}]",
        uptime_us / 1_000_000,
        uptime_us % 1_000_000
    );
    let iso = now.format("%Y-%m-%dT%H:%M:%S");
    let _ = match k {
        // sshd: 16%
        0..=59 => write!(
            out,
            "sshd[{pid}]: Accepted publickey for {} from 10.{}.{}.{} port {} ssh2: ED25519 SHA256:{}",
            rng.pick(USERS),
            rng.below(256),
            rng.below(256),
            rng.below(256),
            30000 + rng.below(30000),
            rng.hex(43)
        ),
        60..=119 => write!(
            out,
            "sshd[{pid}]: Connection closed by authenticating user root 203.0.113.{} port {} [preauth]",
            rng.below(256),
            30000 + rng.below(30000)
        ),
        120..=159 => write!(
            out,
            "sshd[{pid}]: pam_unix(sshd:session): session opened for user {}(uid={}) by (uid=0)",
            rng.pick(USERS),
            1000 + rng.below(20)
        ),
        // cron: 8%, one in a thousand of them a job that greps the log for OOM kills.
        160..=229 => write!(
            out,
            "CRON[{pid}]: ({}) CMD ({})",
            rng.pick(USERS),
            rng.pick(&[
                "command -v debian-sa1 > /dev/null && debian-sa1 1 1",
                "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )",
                "/usr/local/bin/zoom-recordings-sync --room all --quiet",
                "[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi",
            ])
        ),
        230..=239 => write!(
            out,
            "CRON[{pid}]: (root) CMD (/usr/local/sbin/oom-watch --alert-on 'oom' --quiet >> /var/log/oom-watch.log 2>&1)"
        ),
        240 if rng.below(8) == 0 => write!(
            out,
            "CRON[{pid}]: (root) CMD (grep -c 'Killed process' /var/log/syslog.1 | mail -s oom-report ops@example.com)"
        ),
        // systemd: 15%
        240..=299 => write!(
            out,
            "systemd[1]: Started session-{}.scope - Session {} of User {}.",
            rng.below(90000),
            rng.below(90000),
            rng.pick(USERS)
        ),
        300..=339 => write!(
            out,
            "systemd[1]: {}",
            rng.pick(&[
                "Starting apt-daily.service - Daily apt download activities...",
                "logrotate.service: Deactivated successfully.",
                "Finished logrotate.service - Rotate log files.",
                "Starting sysstat-collect.service - system activity accounting tool...",
                "zoom-sync.timer: Triggering zoom-sync.service to refresh meeting rooms.",
                "docker-4f1c2b9e.scope: Consumed 1.234s CPU time.",
            ])
        ),
        340..=389 => write!(
            out,
            "systemd-logind[{}]: New session {} of user {}.",
            600 + rng.below(10),
            rng.below(90000),
            rng.pick(USERS)
        ),
        // kubelet: 18%, klog style, some with OOMKilled container states.
        390..=499 => write!(
            out,
            "kubelet[{}]: I{} {:>8} kubelet.go:{}] \"SyncLoop (PLEG): event for pod\" pod=\"{}\" event={{\"ID\":\"{}\",\"Type\":\"ContainerStarted\"}}",
            2100 + rng.below(5),
            now.format("%m%d %H:%M:%S%.6f"),
            2100 + rng.below(5),
            2200 + rng.below(200),
            rng.pick(PODS),
            rng.hex(32)
        ),
        500..=539 => write!(
            out,
            "kubelet[{}]: I{} {:>8} kuberuntime_container.go:{}] \"Container exited\" pod=\"{}\" containerName=\"app\" exitCode=137 reason=\"OOMKilled\"",
            2100 + rng.below(5),
            now.format("%m%d %H:%M:%S%.6f"),
            2100 + rng.below(5),
            700 + rng.below(100),
            rng.pick(PODS)
        ),
        540..=569 => write!(
            out,
            "kubelet[{}]: E{} {:>8} pod_workers.go:1298] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"app\\\" with CrashLoopBackOff: \\\"back-off 5m0s restarting failed container\\\"\" pod=\"{}\"",
            2100 + rng.below(5),
            now.format("%m%d %H:%M:%S%.6f"),
            2100 + rng.below(5),
            rng.pick(PODS)
        ),
        // dockerd / containerd: 10%
        570..=629 => write!(
            out,
            "dockerd[{}]: time=\"{iso}.{:09}Z\" level=info msg=\"ignoring event\" container={} module=libcontainerd namespace=moby topic=/tasks/delete type=\"*events.TaskDelete\"",
            900 + rng.below(3),
            rng.below(1_000_000_000),
            rng.hex(64)
        ),
        630..=669 => write!(
            out,
            "containerd[{}]: time=\"{iso}.{:09}Z\" level=info msg=\"shim disconnected\" id={} namespace=k8s.io",
            850 + rng.below(3),
            rng.below(1_000_000_000),
            rng.hex(64)
        ),
        // Java services: 12%, with OutOfMemoryError, zoom, boom and room.
        670..=719 => write!(
            out,
            "java[{}]: {} INFO  [room-service-{}] c.e.rooms.BookingController - Booking room {} confirmed for {} (zoom link sent)",
            3000 + rng.below(10),
            now.format("%Y-%m-%d %H:%M:%S,%3f"),
            rng.below(16),
            rng.below(500),
            rng.pick(USERS)
        ),
        720..=749 => write!(
            out,
            "java[{}]: Exception in thread \"pool-{}-thread-{}\" java.lang.OutOfMemoryError: Java heap space",
            3000 + rng.below(10),
            rng.below(9),
            rng.below(64)
        ),
        750..=769 => write!(
            out,
            "java[{}]: \tat com.example.boom.ReportBuilder.render(ReportBuilder.java:{}) ~[boom-core-2.{}.jar:?]",
            3000 + rng.below(10),
            100 + rng.below(900),
            rng.below(20)
        ),
        770..=789 => write!(
            out,
            "java[{}]: WARN  [gc] GC overhead high: {}% of time in GC, heap {}M/{}M; consider -XX:+ExitOnOutOfMemoryError",
            3000 + rng.below(10),
            50 + rng.below(50),
            1500 + rng.below(500),
            2048
        ),
        // postfix, rsyslog: 5%
        790..=829 => write!(
            out,
            "postfix/smtp[{pid}]: {}: to=<{}@example.com>, relay=mx.example.com[192.0.2.{}]:25, delay={}.{}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)",
            rng.hex(10).to_uppercase(),
            rng.pick(USERS),
            rng.below(256),
            rng.below(5),
            rng.below(100)
        ),
        830..=839 => write!(out, "rsyslogd[{}]: -- MARK --", 700 + rng.below(5)),
        // Kernel noise: 16%
        840..=869 => write!(
            out,
            "kernel: {up} {}: Link is Up - 1Gbps/Full - flow control rx/tx",
            rng.pick(IFACES)
        ),
        870..=889 => write!(
            out,
            "kernel: {up} usb 1-1.{}: new high-speed USB device number {} using xhci_hcd",
            rng.below(8),
            rng.below(128)
        ),
        890..=939 => write!(
            out,
            "kernel: {up} audit: type=1400 audit({}.{:03}:{}): apparmor=\"DENIED\" operation=\"open\" class=\"file\" profile=\"snap.zoom-client.zoom\" name=\"/proc/{}/mounts\" pid={} comm=\"zoom\" requested_mask=\"r\" denied_mask=\"r\" fsuid=1000 ouid=0",
            now.and_utc().timestamp(),
            rng.below(1000),
            rng.below(100000),
            pid,
            pid
        ),
        940..=959 => write!(
            out,
            "kernel: {up} docker0: port {}(veth{}) entered {} state",
            1 + rng.below(30),
            rng.hex(7),
            rng.pick(&["blocking", "forwarding", "disabled"])
        ),
        960..=974 => write!(
            out,
            "kernel: {up} EXT4-fs (sda{}): mounted filesystem {} with ordered data mode. Quota mode: none.",
            1 + rng.below(4),
            rng.hex(8)
        ),
        975..=989 => write!(
            out,
            "kernel: {up} TCP: request_sock_TCP: Possible SYN flooding on port {}. Sending cookies.  Check SNMP counters.",
            rng.pick(&["443", "80", "8443"])
        ),
        _ => write!(
            out,
            "kernel: {up} IPv6: ADDRCONF(NETDEV_CHANGE): {}: link becomes ready",
            rng.pick(IFACES)
        ),
    };
}

/// Output: one plain or gzip file, or a set of rotated files.
struct Out {
    base: PathBuf,
    gzip: bool,
    rotate: usize,
    /// Bytes per rotated file.
    part_size: u64,
    part: usize,
    part_bytes: u64,
    w: Option<Box<dyn Write>>,
    path: Option<PathBuf>,
    last_stamp: Option<NaiveDateTime>,
    written: Vec<PathBuf>,
}

impl Out {
    fn path_of(&self, part: usize) -> PathBuf {
        if self.rotate <= 1 {
            return self.base.clone();
        }
        // logrotate naming: the highest number is the oldest.
        let n = self.rotate - part;
        let mut s = self.base.clone().into_os_string();
        s.push(format!(".{n}{}", if self.gzip { ".gz" } else { "" }));
        PathBuf::from(s)
    }

    fn open(&mut self) -> io::Result<()> {
        let stdout = self.base.as_os_str() == "-";
        let raw: Box<dyn Write> = if stdout {
            Box::new(io::stdout().lock())
        } else {
            let p = self.path_of(self.part);
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d)?;
            }
            self.path = Some(p.clone());
            Box::new(File::create(&p)?)
        };
        let w: Box<dyn Write> = if self.gzip {
            Box::new(GzEncoder::new(
                BufWriter::with_capacity(1 << 20, raw),
                Compression::default(),
            ))
        } else {
            Box::new(BufWriter::with_capacity(1 << 20, raw))
        };
        self.w = Some(w);
        self.part_bytes = 0;
        Ok(())
    }

    /// Moves to the next rotated file when this one is full (only between captures,
    /// so that no report is split over two files).
    fn maybe_rotate(&mut self) -> io::Result<()> {
        if self.rotate > 1 && self.part + 1 < self.rotate && self.part_bytes >= self.part_size {
            self.close()?;
            self.part += 1;
            self.open()?;
        }
        Ok(())
    }

    fn write(&mut self, line: &[u8], stamp: NaiveDateTime) -> io::Result<()> {
        let w = self.w.as_mut().expect("open");
        w.write_all(line)?;
        self.part_bytes += line.len() as u64;
        self.last_stamp = Some(stamp);
        Ok(())
    }

    fn close(&mut self) -> io::Result<()> {
        if let Some(mut w) = self.w.take() {
            w.flush()?;
            drop(w);
        }
        // A rotated log's mtime is the time of its last line: oomlens takes the
        // year of year-less stamps from it.
        if let (Some(p), Some(t)) = (self.path.take(), self.last_stamp) {
            let secs = t.and_utc().timestamp() as u64;
            let f = File::options().write(true).open(&p)?;
            f.set_modified(UNIX_EPOCH + Duration::from_secs(secs))?;
            self.written.push(p);
        }
        Ok(())
    }
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last()? {
        (i, 'K' | 'k') => (&s[..i], 1u64 << 10),
        (i, 'M' | 'm') => (&s[..i], 1 << 20),
        (i, 'G' | 'g') => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    let v: f64 = num.parse().ok()?;
    Some((v * mult as f64) as u64)
}

struct Opts {
    size: u64,
    out: PathBuf,
    gzip: bool,
    rotate: usize,
    seed: u64,
    every: u64,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: gen_log --size SIZE[K|M|G] --out PATH|- [--gzip] [--rotate N] [--seed N] [--every LINES]"
    );
    ExitCode::from(2)
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let mut o = Opts {
        size: 1 << 30,
        out: PathBuf::from("-"),
        gzip: false,
        rotate: 1,
        seed: 0x6f6f_6d6c_656e_7321,
        every: 20_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next();
        match a.as_str() {
            "--size" => match val().as_deref().and_then(parse_size) {
                Some(v) => o.size = v,
                None => return usage(),
            },
            "--out" => match val() {
                Some(v) => o.out = PathBuf::from(v),
                None => return usage(),
            },
            "--gzip" => o.gzip = true,
            "--rotate" => match val().and_then(|v| v.parse().ok()) {
                Some(v) if v >= 1 => o.rotate = v,
                _ => return usage(),
            },
            "--seed" => match val().and_then(|v| v.parse().ok()) {
                Some(v) => o.seed = v,
                None => return usage(),
            },
            "--every" => match val().and_then(|v| v.parse().ok()) {
                Some(v) if v >= 10 => o.every = v,
                _ => return usage(),
            },
            "-h" | "--help" => {
                usage();
                return ExitCode::SUCCESS;
            }
            _ => return usage(),
        }
    }
    if o.rotate > 1 && o.out.as_os_str() == "-" {
        eprintln!("gen_log: --rotate needs a file name");
        return ExitCode::from(2);
    }
    match generate(&o) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_log: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What was generated.
#[derive(Debug, Default, Clone)]
pub struct Generated {
    pub bytes: u64,
    pub lines: u64,
    pub captures: u64,
    /// OOM events in the output: what oomlens must find.
    pub events: u64,
    /// Captures spliced, per sample.
    pub per_sample: Vec<(&'static str, u64, u64)>,
    pub first: String,
    pub last: String,
}

/// Generates about `size` bytes of log. `emit` gets each line (with its `\n`) and its
/// time; `between` is called between captures (where rotation may cut).
pub fn generate_with(
    size: u64,
    seed: u64,
    every: u64,
    emit: &mut dyn FnMut(&[u8], NaiveDateTime) -> io::Result<()>,
    between: &mut dyn FnMut() -> io::Result<()>,
) -> io::Result<Generated> {
    let dumps: Vec<Dump> = samples().iter().map(parse_dump).collect();
    let mut rng = Rng(seed);
    // A fixed, past start (the host booted just before), inside one year so that
    // year-less stamps stay unambiguous: ~4 weeks per GiB at ~2.7 lines/s.
    let mut now = NaiveDate::from_ymd_opt(2026, 3, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let start = now;
    let mut uptime_us: u64 = 12_345_678;
    let mut stamp_cache = (now, format_stamp(now));
    let mut line = String::with_capacity(512);
    let mut body = String::with_capacity(512);
    let (mut bytes, mut lines, mut spliced, mut events) = (0u64, 0u64, 0u64, 0u64);
    let mut per_dump = vec![0u64; dumps.len()];
    let mut next_dump = every / 2 + rng.below(every);

    // Boot lines first: kernel version and swap are evidence oomlens reads.
    for text in [
        "kernel: [    0.000000] Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
        "kernel: [    2.104512] Adding 8388604k swap on /dev/sda3.  Priority:-2 extents:1 across:8388604k FS",
    ] {
        line.clear();
        line.push_str(&stamp_cache.1);
        line.push_str(text);
        line.push('\n');
        emit(line.as_bytes(), now)?;
        bytes += line.len() as u64;
        lines += 1;
    }

    while bytes < size {
        // Clock: 0–740 ms between lines.
        let step = rng.below(740);
        uptime_us += step * 1000 + rng.below(1000);
        now += chrono::Duration::milliseconds(step as i64);
        if now.and_utc().timestamp() != stamp_cache.0.and_utc().timestamp() {
            stamp_cache = (now, format_stamp(now));
        }
        if lines >= next_dump {
            let i = (spliced % dumps.len() as u64) as usize;
            let d = &dumps[i];
            for dl in &d.lines {
                let t = now + chrono::Duration::seconds(dl.dt);
                line.clear();
                line.push_str(&format_stamp(t));
                if let Some(p) = dl.printk {
                    // Re-stamped with this host's uptime, so that no two captures look
                    // like the same kernel message (oomlens merges those across files).
                    let us = uptime_us + (p - d.printk0);
                    use std::fmt::Write as _;
                    let _ = write!(
                        line,
                        "kernel: [{:>5}.{:06}] ",
                        us / 1_000_000,
                        us % 1_000_000
                    );
                }
                line.push_str(dl.rest);
                line.push('\n');
                emit(line.as_bytes(), t)?;
                bytes += line.len() as u64;
                lines += 1;
            }
            // Move the clocks past the capture.
            let span = d.lines.last().map_or(0, |l| l.dt);
            now += chrono::Duration::seconds(span + 1);
            stamp_cache = (now, format_stamp(now));
            if let Some(last) = d.lines.iter().rev().find_map(|l| l.printk) {
                uptime_us += last - d.printk0;
            }
            uptime_us += 1_000_000;
            spliced += 1;
            events += d.events;
            per_dump[i] += 1;
            next_dump = lines + every / 2 + rng.below(every);
            between()?;
            continue;
        }
        body.clear();
        noise(&mut rng, now, uptime_us, &mut body);
        line.clear();
        line.push_str(&stamp_cache.1);
        line.push_str(&body);
        line.push('\n');
        emit(line.as_bytes(), now)?;
        bytes += line.len() as u64;
        lines += 1;
        if lines % 4096 == 0 {
            between()?;
        }
    }
    Ok(Generated {
        bytes,
        lines,
        captures: spliced,
        events,
        per_sample: dumps
            .iter()
            .zip(&per_dump)
            .map(|(d, n)| (d.name, *n, d.events))
            .collect(),
        first: start.format("%Y-%m-%dT%H:%M:%S").to_string(),
        last: now.format("%Y-%m-%dT%H:%M:%S").to_string(),
    })
}

/// Generates about `size` bytes in memory (for the criterion benchmarks).
#[allow(dead_code)]
pub fn generate_vec(size: u64, seed: u64) -> (Vec<u8>, Generated) {
    let mut v = Vec::with_capacity(size as usize + 4096);
    let g = generate_with(
        size,
        seed,
        20_000,
        &mut |line, _| {
            v.extend_from_slice(line);
            Ok(())
        },
        &mut || Ok(()),
    )
    .expect("writing to memory");
    (v, g)
}

fn generate(o: &Opts) -> io::Result<()> {
    let mut out = Out {
        base: o.out.clone(),
        gzip: o.gzip,
        rotate: o.rotate,
        part_size: o.size.div_ceil(o.rotate as u64),
        part: 0,
        part_bytes: 0,
        w: None,
        path: None,
        last_stamp: None,
        written: Vec::new(),
    };
    out.open()?;
    let out = std::cell::RefCell::new(out);
    let g = generate_with(
        o.size,
        o.seed,
        o.every,
        &mut |line, t| out.borrow_mut().write(line, t),
        &mut || out.borrow_mut().maybe_rotate(),
    )?;
    let mut out = out.into_inner();
    out.close()?;

    let report = |w: &mut dyn Write| -> io::Result<()> {
        for (name, n, each) in &g.per_sample {
            writeln!(w, "gen_log: spliced {n:>5} x {name} ({each} events each)")?;
        }
        for p in &out.written {
            writeln!(w, "gen_log: wrote {}", p.display())?;
        }
        writeln!(
            w,
            "gen_log: bytes={} lines={} captures={} expected_events={} first={} last={}",
            g.bytes, g.lines, g.captures, g.events, g.first, g.last
        )
    };
    if o.out.as_os_str() == "-" {
        report(&mut io::stderr().lock())
    } else {
        report(&mut io::stdout().lock())
    }
}

/// `Mar  1 00:00:00 web-prod-17 ` (RFC 3164 stamp and host).
fn format_stamp(t: NaiveDateTime) -> String {
    format!("{} {HOST} ", t.format("%b %e %H:%M:%S"))
}

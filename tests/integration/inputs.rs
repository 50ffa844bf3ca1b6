//! The same log as a plain file, gzip, multi-member gzip, standard input, or split
//! across a rotation set gives the same records and the same events.

use std::path::{Path, PathBuf};

use oomlens::input::Source;
use oomlens::input::discover::{self, Input};
use oomlens::pipeline::records::{RecordOut, decode_records};
use oomlens::pipeline::scan_all;

use crate::util::{cmd, gzip, opts, sample};

/// (body, time, uptime, host) of one record.
type RecordKey = (String, Option<String>, Option<String>, Option<String>);

/// The [`RecordKey`] of every record of a file.
fn records(path: &Path) -> Vec<RecordKey> {
    let mut out = Vec::new();
    let input = Input {
        source: Source::Path(path.to_path_buf()),
        explicit: true,
    };
    decode_records(&input, &opts(), &mut |r: RecordOut| {
        out.push((r.body, r.time, r.uptime, r.host));
        Ok(())
    })
    .unwrap();
    out
}

/// What must not change between input routes: victims, cgroups, tables, times.
fn event_keys(paths: &[PathBuf]) -> Vec<String> {
    let d = discover::expand(paths);
    scan_all(&d.inputs, &opts())
        .into_iter()
        .flat_map(|s| s.events.to_vec().unwrap())
        .map(|e| {
            serde_json::json!({
                "killed": e.killed.iter().map(|k| (k.pid, k.comm.clone(), k.anon_rss_kb)).collect::<Vec<_>>(),
                // Line numbers are per file; the facts are what must agree.
                "memcg": e.memcg.clone().map(|mut m| { m.counter_lines.clear(); m }),
                "tasks": e.tasks,
                "wall": e.wall,
                "printk": e.printk,
                "complete": e.complete,
                "trigger": e.trigger,
            })
            .to_string()
        })
        .collect()
}

const FILES: &[&str] = &[
    "lab/many.messages",
    "lab/many.journal-json",
    "lab/adj.kmsg",
    "lab/nested.dmesg-T",
    "real/022-docker-forkbomb-kmem-two-global-ooms-5.4-dmesgT.log",
    "real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log",
];

#[test]
fn gzip_and_multi_member_gzip_read_like_plain() {
    let dir = tempfile::tempdir().unwrap();
    for rel in FILES {
        let plain = sample(rel);
        let data = std::fs::read(&plain).unwrap();
        let gz = dir.path().join("one.gz");
        std::fs::write(&gz, gzip(&data)).unwrap();
        // Several members, cut mid-line: a reader that stops after the first member
        // (GzDecoder) would lose most of the file.
        let mut multi = Vec::new();
        for chunk in data.chunks(data.len() / 5 + 1) {
            multi.extend(gzip(chunk));
        }
        let mgz = dir.path().join("multi.gz");
        std::fs::write(&mgz, multi).unwrap();
        let want = records(&plain);
        assert!(!want.is_empty());
        assert_eq!(records(&gz), want, "{rel} as gzip");
        assert_eq!(records(&mgz), want, "{rel} as multi-member gzip");
        let want_ev = event_keys(std::slice::from_ref(&plain));
        assert!(!want_ev.is_empty(), "{rel}");
        assert_eq!(event_keys(&[gz]), want_ev, "{rel} as gzip");
        assert_eq!(event_keys(&[mgz]), want_ev, "{rel} as multi-member gzip");
    }
}

#[test]
fn stdin_reads_like_a_file() {
    for rel in FILES {
        let path = sample(rel);
        let from_file = cmd()
            .args(["--format", "json", "--year", "2026"])
            .arg(&path)
            .output()
            .unwrap();
        let from_stdin = cmd()
            .args(["--format", "json", "--year", "2026"])
            .pipe_stdin(&path)
            .unwrap()
            .output()
            .unwrap();
        assert_eq!(from_file.status.code(), Some(0), "{rel}");
        assert_eq!(from_stdin.status.code(), Some(0), "{rel}");
        let strip = |out: &[u8]| -> serde_json::Value {
            let mut v: serde_json::Value = serde_json::from_slice(out).unwrap();
            for e in v["events"].as_array_mut().unwrap() {
                e["source"]["path"] = serde_json::Value::Null;
            }
            v["summary"]["inputs"] = serde_json::Value::Null;
            v
        };
        assert_eq!(strip(&from_stdin.stdout), strip(&from_file.stdout), "{rel}");
        // Gzip on stdin is sniffed too.
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("x.gz");
        std::fs::write(&gz, gzip(&std::fs::read(&path).unwrap())).unwrap();
        let gz_stdin = cmd()
            .args(["--format", "json", "--year", "2026"])
            .pipe_stdin(&gz)
            .unwrap()
            .output()
            .unwrap();
        assert_eq!(
            strip(&gz_stdin.stdout),
            strip(&from_file.stdout),
            "{rel} gzip on stdin"
        );
    }
}

#[test]
fn a_rotation_set_reads_like_the_whole_log() {
    // Split the 16-kill capture between reports into a rotation set; a folder of it
    // must give the same records, in order, and the same events.
    let whole = sample("lab/many.messages");
    let text = std::fs::read_to_string(&whole).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cuts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("Killed process"))
        .map(|(i, _)| i + 1)
        .collect();
    let (a, b) = (cuts[4], cuts[10]);
    let dir = tempfile::tempdir().unwrap();
    let part = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    std::fs::write(
        dir.path().join("messages.2.gz"),
        gzip(part(&lines[..a]).as_bytes()),
    )
    .unwrap();
    std::fs::write(dir.path().join("messages.1"), part(&lines[a..b])).unwrap();
    std::fs::write(dir.path().join("messages"), part(&lines[b..])).unwrap();
    let d = discover::expand(&[dir.path().to_path_buf()]);
    let names: Vec<String> = d
        .inputs
        .iter()
        .map(|i| match &i.source {
            Source::Path(p) => p.file_name().unwrap().to_string_lossy().into_owned(),
            Source::Stdin => "-".into(),
        })
        .collect();
    assert_eq!(names, ["messages.2.gz", "messages.1", "messages"]);
    let mut joined = Vec::new();
    for i in &d.inputs {
        let Source::Path(p) = &i.source else {
            unreachable!()
        };
        joined.extend(records(p));
    }
    assert_eq!(joined, records(&whole));
    assert_eq!(
        event_keys(&[dir.path().to_path_buf()]),
        event_keys(&[whole])
    );
}

#[test]
fn crlf_and_nul_runs_do_not_change_records() {
    let path = sample("lab/adj.messages");
    let data = std::fs::read(&path).unwrap();
    let want = records(&path);
    let dir = tempfile::tempdir().unwrap();
    let crlf = dir.path().join("crlf");
    std::fs::write(
        &crlf,
        String::from_utf8(data.clone())
            .unwrap()
            .replace('\n', "\r\n"),
    )
    .unwrap();
    assert_eq!(records(&crlf), want);
    // A crash leaves a run of NULs in front of the next line written after reboot;
    // the line after the run is still read, with its own line number.
    let mut nul = data.clone();
    let at = nul.iter().position(|b| *b == b'\n').unwrap() + 1;
    nul.splice(at..at, std::iter::repeat_n(0u8, 4096));
    let nulp = dir.path().join("nul");
    std::fs::write(&nulp, &nul).unwrap();
    assert_eq!(records(&nulp), want);
    assert_eq!(event_keys(&[nulp]), event_keys(&[path]));
}

#[test]
fn year_comes_from_the_file_time_across_a_new_year() {
    // A log written over New Year: the last line is in January of the file's year,
    // the December lines belong to the year before.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("messages");
    let body = "Dec 31 23:59:58 h kernel: a\nJan  1 00:00:02 h kernel: b\n";
    std::fs::write(&p, body).unwrap();
    let jan = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_799_539_200); // 2027-01-10
    std::fs::File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_modified(jan)
        .unwrap();
    let o = oomlens::pipeline::ScanOptions::default();
    let mut times = Vec::new();
    decode_records(
        &Input {
            source: Source::Path(p.clone()),
            explicit: true,
        },
        &o,
        &mut |r| {
            times.push(r.time.unwrap());
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(times, ["2026-12-31T23:59:58", "2027-01-01T00:00:02"]);
}

/// Events past the memory budget wait in a temporary file; the report read back from
/// there is byte-for-byte the one built in memory.
#[test]
fn spilled_events_render_the_same_report() {
    use oomlens::event::store::Budget;
    use oomlens::render::{Format, RenderOptions, render};
    use oomlens::report::{LocalZone, Report, ReportOptions};

    let paths: Vec<PathBuf> = FILES.iter().map(|f| sample(f)).collect();
    let rendered = |o: &oomlens::pipeline::ScanOptions| {
        let scans: Vec<_> = paths.iter().map(|p| crate::util::scan(p, o)).collect();
        let spilled: usize = scans.iter().map(|s| s.events.spilled()).sum();
        let report = Report::build(
            scans,
            &ReportOptions::new(
                Default::default(),
                LocalZone::Fixed(chrono::FixedOffset::east_opt(0).unwrap()),
            ),
        );
        let mut out = Vec::new();
        render(&report, Format::Json, &RenderOptions::default(), &mut out).unwrap();
        (spilled, String::from_utf8(out).unwrap())
    };
    let (kept, in_memory) = rendered(&opts());
    let tight = oomlens::pipeline::ScanOptions {
        budget: Budget::new(0),
        ..opts()
    };
    let (spilled, from_disk) = rendered(&tight);
    assert_eq!(kept, 0);
    assert!(spilled >= 20, "only {spilled} events spilled");
    assert!(in_memory == from_disk, "spilling changed the report");
}

#[test]
fn out_of_range_since_and_until_are_an_error_not_a_panic() {
    for arg in [
        "--since=-99999999999999d",
        "--since=99999999999 weeks ago",
        "--until=+9999999999999s",
        "--until=@-99999999999999999",
        "--since=99999999999999999999 days ago",
    ] {
        let out = cmd()
            .arg(arg)
            .arg(sample("lab/adj.messages"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{arg}: {err}");
        let (flag, value) = arg.split_once('=').unwrap();
        assert_eq!(
            err,
            format!("oomlens: error: {flag}: {value}: out of range\n"),
            "{arg}"
        );
    }
}

#[test]
fn an_extreme_year_gives_no_date_not_a_panic() {
    // A Dec → Jan rollover after the kill: its year is one before --year's.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("messages");
    std::fs::write(
        &log,
        "Dec 31 23:59:59 vm kernel: Out of memory: Killed process 123 (foo) total-vm:1000kB, \
         anon-rss:100kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n\
         Jan  1 00:00:01 vm kernel: hello\n",
    )
    .unwrap();
    for year in ["-2147483648", "2147483647"] {
        let out = cmd()
            .args(["--format", "ndjson", &format!("--year={year}")])
            .arg(&log)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "--year {year}: {err}");
        let ev: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(ev["killed"][0]["pid"], 123, "--year {year}");
        assert_eq!(ev["time"], serde_json::Value::Null, "--year {year}");
    }
}

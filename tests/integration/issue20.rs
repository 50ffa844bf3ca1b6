//! Issue 20 ("Nothing lost at any scale"): the reproducers of `tests/reproducers/issue20`
//! (silent misses) and the scaled-down forms of the scale items: a full or missing
//! `$TMPDIR`, many inputs under a small descriptor limit.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::cmd;

fn repro(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reproducers/issue20")
        .join(name)
}

/// NDJSON events and stderr of `oomlens --format ndjson args…`.
fn ndjson(args: &[&str], env: &[(&str, &str)]) -> (Vec<Value>, String) {
    let mut c = cmd();
    c.arg("--format").arg("ndjson").args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let events = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (events, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn killed_pids(events: &[Value]) -> Vec<u64> {
    events
        .iter()
        .flat_map(|e| e["killed"].as_array().unwrap().iter())
        .map(|k| k["pid"].as_u64().unwrap())
        .collect()
}

#[test]
fn cr_only_line_ends_are_line_ends() {
    // Before: 1 event (the whole file one line), 4 of 5 kills lost silently.
    let f = repro("cr-only-044-five-kills.log");
    let (events, _) = ndjson(&[f.to_str().unwrap()], &[]);
    assert_eq!(killed_pids(&events), [26901, 5925, 17645, 12906, 32316]);
    // --every-line reads through the same reader.
    let (events, _) = ndjson(&["--every-line", f.to_str().unwrap()], &[]);
    assert_eq!(killed_pids(&events), [26901, 5925, 17645, 12906, 32316]);
}

#[test]
fn journal_json_with_a_number_or_a_lone_surrogate_is_decoded() {
    // Before: the line serde rejected was dropped (an incomplete event) or, detected,
    // read as text (a second event for the same kill), silently.
    for name in [
        "journal-json-priority-number.json",
        "journal-json-lone-surrogate.json",
    ] {
        let f = repro(name);
        for hint in [&["--input-format", "journal-json"][..], &[]] {
            let mut args = hint.to_vec();
            args.push(f.to_str().unwrap());
            let (events, stderr) = ndjson(&args, &[]);
            assert_eq!(events.len(), 1, "{name} {hint:?}");
            let e = &events[0];
            assert_eq!(e["complete"], true, "{name}");
            let k = &e["killed"][0];
            assert_eq!(
                (k["pid"].as_u64(), k["anon_rss_kb"].as_u64()),
                (Some(15346), Some(65152))
            );
            assert_eq!(k["line"], 82);
            assert_eq!(stderr, "", "{name}");
        }
    }
    let (events, _) = ndjson(
        &[repro("journal-json-lone-surrogate.json").to_str().unwrap()],
        &[],
    );
    assert_eq!(events[0]["killed"][0]["comm"], "python3\u{fffd}");
}

#[test]
fn a_journal_json_line_that_cannot_be_decoded_is_reported() {
    let text = std::fs::read_to_string(repro("journal-json-priority-number.json")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(5, r#"{"MESSAGE":"Killed process 1 (x)", broken"#);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.json");
    std::fs::write(&f, lines.join("\n") + "\n").unwrap();
    for hint in [&["--input-format", "journal-json"][..], &[]] {
        let mut args = hint.to_vec();
        args.push(f.to_str().unwrap());
        let (events, stderr) = ndjson(&args, &[]);
        assert_eq!(events.len(), 1);
        assert_eq!(killed_pids(&events), [15346]);
        assert!(
            stderr.contains(
                "bad.json:6: 1 line(s) that should be journal JSON objects could not be decoded"
            ),
            "{stderr}"
        );
    }
}

/// `n` copies of the kill line of `samples/lab/single.messages`, one pid each.
fn kill_lines(n: u32) -> String {
    let text = std::fs::read_to_string(crate::util::sample("lab/single.messages")).unwrap();
    let line = text.lines().find(|l| l.contains("Killed process")).unwrap();
    (0..n)
        .map(|i| line.replace("15346", &(100_000 + i).to_string()) + "\n")
        .collect()
}

#[test]
fn a_missing_tmpdir_loses_no_event() {
    // 20k kill lines are far past the 4 MiB budget: they spill, and with no folder to
    // spill to they stay in memory, with a warning, instead of being dropped.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("kills.log");
    std::fs::write(&f, kill_lines(20_000)).unwrap();
    let out = cmd()
        .args(["--summary", "--format", "json"])
        .arg(&f)
        .env("TMPDIR", dir.path().join("missing"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["kills"], 20_000);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("could not be written to a temporary file"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn many_inputs_under_a_small_descriptor_limit_lose_no_kill() {
    // Before: every input past the budget opened its own spill file (and a clone), kept
    // until exit: with `ulimit -n 256`, inputs past about 120 failed with EMFILE.
    let dir = tempfile::tempdir().unwrap();
    let lines = kill_lines(600);
    // The first input alone fills the budget; the others each spill.
    std::fs::write(dir.path().join("000-big.log"), kill_lines(12_000)).unwrap();
    for (i, l) in lines.lines().enumerate() {
        std::fs::write(
            dir.path().join(format!("{:03}.log", i + 1)),
            format!("{l}\n"),
        )
        .unwrap();
    }
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 64 && exec {} --summary --format json {}",
            env!("CARGO_BIN_EXE_oomlens"),
            dir.path().display()
        ))
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(
        v["summary"]["kills"],
        12_600,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn follow_on_a_folder_is_a_clear_error() {
    // Before: exit 1 at once, nothing said.
    let dir = tempfile::tempdir().unwrap();
    let out = cmd().arg("--follow").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is a directory; --follow reads one file"),
        "{stderr}"
    );
}

#[test]
fn overwritten_kmsg_records_are_counted() {
    // Records 3 and 4 and 7..=9 were overwritten before they were read (the kernel
    // says EPIPE; the sequence numbers say how many).
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("kmsg");
    let seqs = [1, 2, 5, 6, 10];
    let text: String = seqs
        .iter()
        .map(|s| format!("6,{s},{}0000,-;some message {s}\n", s))
        .collect();
    std::fs::write(&f, text).unwrap();
    let out = cmd()
        .args(["--kmsg", "--kmsg-path"])
        .arg(&f)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warned: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("overwritten"))
        .collect();
    assert_eq!(warned.len(), 2, "{stderr}");
    assert!(
        warned[0].contains(": 2 kernel message(s) were overwritten"),
        "{stderr}"
    );
    assert!(
        warned[1].contains(": 3 kernel message(s) were overwritten"),
        "{stderr}"
    );
}

#[test]
fn sigterm_in_a_live_run_prints_what_is_open_and_exits_0() {
    use std::io::{BufRead, BufReader};
    // 16 complete reports, then one whose kill line has not come: it waits for the
    // quiet period (a minute here). Before: SIGTERM killed oomlens and it was lost.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("messages");
    let mut text = std::fs::read_to_string(crate::util::sample("lab/many.messages")).unwrap();
    let single = std::fs::read_to_string(crate::util::sample("lab/single.messages")).unwrap();
    for l in single.lines().take_while(|l| !l.contains("Killed process")) {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(&log, text).unwrap();
    let mut child = crate::util::std_cmd()
        .arg("--follow")
        .arg(&log)
        .args(["--from-start", "--format", "ndjson", "--flush-ms", "60000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut events = Vec::new();
    for _ in 0..16 {
        events.push(lines.next().unwrap().unwrap());
    }
    // The handler is in place before the first event is printed.
    unsafe_kill(child.id(), 15);
    events.extend(lines.map(Result::unwrap));
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert_eq!(events.len(), 17);
    let last: Value = serde_json::from_str(&events[16]).unwrap();
    assert_eq!(last["complete"], false);
}

fn unsafe_kill(pid: u32, sig: i32) {
    let ok = std::process::Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

/// The report of `samples/lab/single.dmesg` printed by `n` tasks at once (caller ids
/// `[ T<pid>]`), report k naming victim pid 100000+k, in the given line order.
fn callers_log(n: usize, order: &[(usize, usize)]) -> String {
    let text = std::fs::read_to_string(crate::util::sample("lab/single.dmesg")).unwrap();
    let body: Vec<&str> = text
        .lines()
        .map(|l| &l[l.find(']').unwrap() + 1..])
        .filter(|t| !t.starts_with(" oomlab:"))
        .collect();
    let reports: Vec<Vec<String>> = (0..n)
        .map(|k| {
            let pid = 100_000 + k;
            body.iter()
                .map(|l| {
                    l.replace("[  15346]", &format!("[{pid:7}]"))
                        .replace("15346", &pid.to_string())
                })
                .collect()
        })
        .collect();
    let mut out = String::new();
    for (seq, &(k, j)) in order.iter().enumerate() {
        let us = 1_000_000_000 + seq;
        out += &format!(
            "[{:5}.{:06}][ T{}]{}\n",
            us / 1_000_000,
            us % 1_000_000,
            100_000 + k,
            reports[k][j]
        );
    }
    out
}

/// (victim pid, complete, task rows) of each event of `text`, sorted.
fn outcome(text: &str) -> Vec<(u64, bool, usize)> {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("dmesg");
    std::fs::write(&f, text).unwrap();
    let (events, _) = ndjson(&[f.to_str().unwrap()], &[]);
    let mut v: Vec<(u64, bool, usize)> = events
        .iter()
        .map(|e| {
            (
                e["killed"][0]["pid"].as_u64().unwrap(),
                e["complete"].as_bool().unwrap(),
                e["tasks"].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn interleaved_concurrent_reports_come_out_as_read_one_after_another() {
    // Reports are indexed by caller id (the lookup was a search of every open report
    // per line, quadratic); they start and end at staggered points, so reports are
    // closed from the middle of the open list and the index must follow.
    let n = 60;
    let lines = std::fs::read_to_string(crate::util::sample("lab/single.dmesg"))
        .unwrap()
        .lines()
        .filter(|l| !l.contains(" oomlab:"))
        .count();
    let sequential: Vec<(usize, usize)> = (0..n)
        .flat_map(|k| (0..lines).map(move |j| (k, j)))
        .collect();
    // Report k starts at step 3k (mod 7 shuffles the ends too).
    let mut staggered = Vec::new();
    for step in 0..(lines + 3 * n + 7) {
        for k in 0..n {
            let start = 3 * k + (k * 5) % 7;
            if step >= start && step - start < lines {
                staggered.push((k, step - start));
            }
        }
    }
    assert_eq!(staggered.len(), sequential.len());
    let want = outcome(&callers_log(n, &sequential));
    assert_eq!(want.len(), n);
    assert!(
        want.iter()
            .all(|(_, complete, rows)| *complete && *rows > 0),
        "{want:?}"
    );
    assert_eq!(outcome(&callers_log(n, &staggered)), want);
}

#[test]
fn hostile_file_names_reach_stderr_escaped_one_line_each() {
    // Before: an OSC 0 title change, a screen clear, an OSC 52 clipboard write, and a
    // newline that forged an `oomlens: error:` line of its own, all raw on stderr.
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let names = [
        "a\x1b]0;pwned\x07.log",
        "b\x1b[2J.log",
        "c\x1b]52;c;ZWNobyBoaQ==\x07.log",
        "d\noomlens: error: forged line.log",
        "e\u{202e}gol.txt",
    ];
    for n in names {
        std::os::unix::fs::symlink("/nonexistent", logs.join(n)).unwrap();
    }
    let out = cmd()
        .current_dir(dir.path())
        .arg("logs")
        .arg(names[3])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    for c in stderr.chars() {
        assert!(
            c == '\n' || !(c.is_control() || c == '\u{202e}'),
            "raw {c:?} on stderr: {stderr}"
        );
    }
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 6, "{stderr}");
    assert!(
        lines.iter().all(|l| l.starts_with("oomlens: error: ")),
        "{stderr}"
    );
    assert!(
        stderr.contains(r"logs/a\x1b]0;pwned\x07.log: cannot read"),
        "{stderr}"
    );
    assert!(
        stderr.contains(r"d\x0aoomlens: error: forged line.log"),
        "{stderr}"
    );
    assert!(stderr.contains(r"e\u{202e}gol.txt"), "{stderr}");
    // An error that stops the run is escaped too.
    let out = cmd().arg("--follow").arg("x\x1b[2J").output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        "oomlens: error: x\\x1b[2J: No such file or directory (os error 2)\n"
    );
}

/// Past `run_keys` events the time order is made of sorted runs written to a temporary
/// file and merged (a million events must not be held as a million candidates): the
/// report is byte-for-byte the one sorted at once, copies of an event in several
/// inputs are still merged, and filters still apply.
#[test]
fn time_order_from_merged_runs_is_the_one_sort() {
    use oomlens::render::{Format, RenderOptions, render};
    use oomlens::report::{Filter, LocalZone, Report, ReportOptions};

    let utc = LocalZone::Fixed(chrono::FixedOffset::east_opt(0).unwrap());
    // The same kills in seven renderings (merged as copies), and other logs between.
    let mut paths: Vec<PathBuf> = [
        "messages",
        "messages-rfc3339",
        "journal-short-iso",
        "journal-json",
        "kmsg",
        "dmesg",
        "dmesg-T",
    ]
    .iter()
    .map(|r| crate::util::sample(&format!("lab/many.{r}")))
    .collect();
    paths.push(crate::util::sample(
        "real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log",
    ));
    paths.push(crate::util::sample(
        "real/022-docker-forkbomb-kmem-two-global-ooms-5.4-dmesgT.log",
    ));
    let rendered = |run_keys: usize, filter: Filter| {
        let scans: Vec<_> = paths
            .iter()
            .map(|p| crate::util::scan(p, &crate::util::opts()))
            .collect();
        let mut o = ReportOptions::new(filter, utc);
        o.run_keys = run_keys;
        let report = Report::build(scans, &o);
        let mut out = Vec::new();
        render(&report, Format::Json, &RenderOptions::default(), &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        (report.len(), v)
    };
    let (n, at_once) = rendered(usize::MAX, Filter::default());
    let merged_copies = at_once["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["also_in"].as_array().unwrap().is_empty())
        .count();
    assert!(n >= 8, "{n} events");
    assert!(
        merged_copies >= 4,
        "{merged_copies} events merged from copies"
    );
    for run_keys in [1, 2, 7] {
        let (m, runs) = rendered(run_keys, Filter::default());
        assert_eq!(m, n, "run_keys {run_keys}");
        assert!(runs == at_once, "run_keys {run_keys} changed the report");
    }
    // A filter on the merged order keeps the same events as on the one sort.
    let comm = Filter {
        comm: vec!["worker-1".into()],
        ..Default::default()
    };
    let (a, x) = rendered(usize::MAX, comm.clone());
    let (b, y) = rendered(3, comm);
    assert!(a >= 1 && a < n, "{a} of {n}");
    assert_eq!(a, b);
    assert!(x == y);
}

/// The terminal's events table is built whole (its columns fit the widest row), so it
/// is cut at 500 rows with a count of the rest; every event still gets its section.
#[test]
fn the_events_table_is_cut_with_a_count_and_every_event_keeps_its_section() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("kills.log");
    std::fs::write(&f, kill_lines(503)).unwrap();
    let out = cmd().arg(&f).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = text
        .lines()
        .filter(|l| l.starts_with("│ ") && l.contains("python3 ("))
        .count();
    assert_eq!(rows, 500);
    assert!(
        text.contains("\n… and 3 more events (each has its section below;"),
        "{}",
        &text[..2000]
    );
    let sections = text.lines().filter(|l| l.starts_with("── #")).count();
    assert_eq!(sections, 503);
    assert!(text.contains("── #503 · "));
    assert!(text.contains("python3 (pid 100502, uid 0)"));
}

/// (host, time, time_basis, pid, comm, oom memcg, complete) of the only event.
fn single_kill(events: &[Value]) -> (Value, Value, Value, u64, String, Value, bool) {
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    let k = &e["killed"][0];
    (
        e["host"].clone(),
        e["time"].clone(),
        e["time_basis"].clone(),
        k["pid"].as_u64().unwrap(),
        k["comm"].as_str().unwrap().to_string(),
        e["memcg"]["oom_memcg"].clone(),
        e["complete"].as_bool().unwrap(),
    )
}

#[test]
fn kill_lines_behind_other_writers_dates_are_read() {
    // Before: 0 events, exit 1, nothing on stderr for each of these (the same lab
    // report behind another date shape; see tests/reproducers/issue20/README.md).
    let cases = [
        (
            "prefix-day-month-single.log",
            "h",
            "2026-11-21T22:25:45",
            "year_from_mtime",
        ),
        (
            "prefix-slash-date-single.log",
            "vm",
            "2026-11-21T22:25:45",
            "stated",
        ),
        (
            "prefix-loki-logcli-single.log",
            "vm",
            "2026-11-21T22:25:45",
            "year_from_stream",
        ),
        (
            "prefix-iso-comma-millis-single.log",
            "vm",
            "2026-11-21T22:25:45.462",
            "stated",
        ),
    ];
    for (name, host, time, basis) in cases {
        let f = repro(name);
        let (events, stderr) = ndjson(&[f.to_str().unwrap()], &[("TZ", "UTC")]);
        let (h, t, b, pid, comm, memcg, complete) = single_kill(&events);
        assert_eq!(
            (h, b, pid, comm.as_str(), memcg, complete),
            (
                Value::from(host),
                Value::from(basis),
                15346,
                "python3",
                Value::from("/oomlab-single"),
                true
            ),
            "{name}"
        );
        // The stamps give local time (no zone): with TZ=UTC, the offset is +00:00.
        let t = t.as_str().unwrap().to_string();
        assert!(t.starts_with(time), "{name}: {t}");
        assert_eq!(stderr, "", "{name}");
    }
}

#[test]
fn kill_lines_behind_an_unknown_header_make_their_event_and_say_so() {
    // Before: 0 events, exit 1, nothing on stderr. A dotted date (`21.11.2026
    // 22:25:45 vm kernel: …`) is in no shape oomlens reads: the report is still read
    // (without time and host), and a warning names the file and the first line.
    let f = repro("prefix-unknown-dotted-date-single.log");
    let (events, stderr) = ndjson(&[f.to_str().unwrap()], &[]);
    let (h, t, _, pid, comm, memcg, complete) = single_kill(&events);
    assert_eq!(
        (h, t, pid, comm.as_str(), memcg, complete),
        (
            Value::Null,
            Value::Null,
            15346,
            "python3",
            Value::from("/oomlab-single"),
            true
        )
    );
    let warned: Vec<&str> = stderr.lines().collect();
    assert_eq!(warned.len(), 1, "{stderr}");
    assert!(
        warned[0].starts_with(&format!(
            "oomlens: warning: {}:1: 80 line(s) of OOM reports start with a header in no known shape",
            f.display()
        )),
        "{stderr}"
    );
}

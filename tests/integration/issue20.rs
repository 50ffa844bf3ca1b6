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

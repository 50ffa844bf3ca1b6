//! Binary journal files read in process (samples/journal, made here by
//! systemd-journal-remote from the lab captures): the same events as the journal JSON
//! of the same log, as a file, a journal folder (machine-id subfolder, active and
//! archived files), with `--journal PATH`, and what is readable of a damaged file.

use std::path::Path;

use serde_json::Value;

use crate::util::{cmd, sample};

/// (exit code, events without their source, stderr) of `oomlens --format json ARGS`.
fn run(args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = cmd()
        .args(["--format", "json", "--year", "2026"])
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let mut events: Vec<Value> = v["events"].as_array().cloned().unwrap_or_default();
    for e in &mut events {
        e["source"] = Value::Null;
        e["number"] = Value::Null;
    }
    events.sort_by_key(|e| e["time"].to_string());
    (out.status.code().unwrap(), events, err)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_journal_file_gives_the_events_of_its_json_rendering() {
    let (code, want, _) = run(&[path(&sample("lab/many.journal-json"))]);
    assert_eq!((code, want.len()), (0, 16));
    let (code, got, err) = run(&[path(&sample("journal/many.journal"))]);
    assert_eq!(code, 0, "{err}");
    assert!(got == want);
    // Boot id and host come from the entries' fields.
    assert_eq!(got[0]["boot_id"], "9b6ccfd507ac4a9baa91be57cb7172cb");
    assert_eq!(got[0]["host"], "vm");
}

#[test]
fn a_journal_folder_reads_every_file_in_time_order() {
    // /var/log/journal/<machine-id>/: an archived file and the active one.
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("3d1219c7c4c5404aaa1f6d2a48adfda4");
    std::fs::create_dir(&m).unwrap();
    std::fs::copy(
        sample("journal/many.journal"),
        m.join("system@8c3ea41abdf342b3b51ae2ce256db9db-0000000000000001-000660d0d9e45b58.journal"),
    )
    .unwrap();
    std::fs::copy(
        sample("journal/adj-long-fields.journal"),
        m.join("system.journal"),
    )
    .unwrap();
    let (_, mut want, _) = run(&[
        path(&sample("lab/many.journal-json")),
        path(&sample("lab/adj.journal-json")),
    ]);
    want.sort_by_key(|e| e["time"].to_string());
    assert_eq!(want.len(), 19);
    for args in [vec![path(dir.path())], vec!["--journal", path(dir.path())]] {
        let (code, got, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        assert!(got == want, "{args:?}");
    }
    // With other inputs, and a file given to --journal.
    let (code, got, _) = run(&[
        "--journal",
        path(&m.join("system.journal")),
        path(&sample("lab/single.kmsg")),
    ]);
    assert_eq!((code, got.len()), (0, 4));
}

#[test]
fn a_damaged_journal_gives_what_is_readable_and_says_so() {
    let whole = std::fs::read(sample("journal/many.journal")).unwrap();
    let tail = u64::from_le_bytes(whole[136..144].try_into().unwrap()) as usize;
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("system.journal~");
    std::fs::write(&cut, &whole[..tail - 40_000]).unwrap();
    let (code, got, err) = run(&[path(&cut)]);
    assert_eq!(code, 2, "{err}");
    assert!((1..16).contains(&got.len()), "{} events", got.len());
    assert!(
        err.contains("the journal file is cut short")
            && err.contains("entries before it were read"),
        "{err}"
    );
}

#[test]
fn without_journalctl_one_sentence_says_what_to_do() {
    let out = cmd()
        .env("PATH", "/nonexistent")
        .arg("--journal")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        "oomlens: error: --journal: runs journalctl, which is not installed here; give the \
         journal's folder or file to read it without journalctl: `oomlens --journal /var/log/journal`"
    );
}

#[test]
fn a_journal_on_stdin_is_named_not_misread() {
    let out = cmd()
        .pipe_stdin(sample("journal/many.journal"))
        .unwrap()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("read only from a file or folder"), "{err}");
}

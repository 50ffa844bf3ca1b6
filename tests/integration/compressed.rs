//! zstd, xz and bzip2 files made by the real tools (samples/compressed) give the same
//! events as the plain file, named, in a folder, as a rotation set and on stdin.

use std::path::PathBuf;

use oomlens::input::discover;
use oomlens::input::{Compression, Source};
use oomlens::pipeline::scan_all;
use serde_json::Value;

use crate::util::{cmd, opts, sample};

/// Every event of the inputs found in `paths`, without where it was read.
fn events(paths: &[PathBuf]) -> Vec<Value> {
    let d = discover::expand(paths);
    scan_all(&d.inputs, &opts())
        .into_iter()
        .flat_map(|s| {
            assert!(!s.failed, "{}: {:?}", s.name, s.diagnostics);
            s.events.to_vec().unwrap()
        })
        .map(|e| {
            let mut v = serde_json::to_value(&e).unwrap();
            // Line numbers and names are per file; the facts are what must agree.
            v["source"] = Value::Null;
            strip_lines(&mut v);
            v
        })
        .collect()
}

fn strip_lines(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.contains("line"));
            m.values_mut().for_each(strip_lines);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_lines),
        _ => {}
    }
}

#[test]
fn each_format_gives_the_plain_files_events() {
    let plain = events(&[sample("lab/many.messages")]);
    assert_eq!(plain.len(), 16);
    for (name, want) in [
        ("many.messages.zst", Compression::Zstd),
        ("many.messages.xz", Compression::Xz),
        ("many.messages.bz2", Compression::Bzip2),
        ("two.zst", Compression::Zstd),
        ("two.xz", Compression::Xz),
        ("two.bz2", Compression::Bzip2),
    ] {
        let path = sample(&format!("compressed/{name}"));
        let scan = oomlens::pipeline::scan_input(
            &discover::Input {
                source: Source::Path(path.clone()),
                explicit: true,
            },
            &opts(),
        );
        assert_eq!(scan.compression, Some(want), "{name}");
        assert_eq!(scan.stats.bytes, 131_248, "{name}: decoded bytes");
        assert!(events(&[path]) == plain, "{name}");
    }
}

#[test]
fn a_mixed_rotation_set_reads_oldest_first_like_the_whole_log() {
    let dir = sample("compressed/rotated");
    let d = discover::expand(std::slice::from_ref(&dir));
    let names: Vec<String> = d
        .inputs
        .iter()
        .map(|i| i.source.name().rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "messages.3.xz",
            "messages.2.bz2",
            "messages.1.zst",
            "messages"
        ]
    );
    assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
    assert!(events(&[dir]) == events(&[sample("lab/many.messages")]));
}

#[test]
fn stdin_is_sniffed_for_each_format() {
    let run = |stdin: Option<PathBuf>, arg: &str| {
        let mut c = cmd();
        c.args(["--format", "ndjson", "--year", "2026", arg]);
        if let Some(p) = stdin {
            c.pipe_stdin(p).unwrap();
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{arg}");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut evs: Vec<Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for e in &mut evs {
            e["source"]["path"] = Value::Null;
        }
        evs
    };
    let plain = run(None, sample("lab/many.messages").to_str().unwrap());
    assert_eq!(plain.len(), 16);
    for name in ["many.messages.zst", "two.xz", "many.messages.bz2"] {
        let got = run(Some(sample(&format!("compressed/{name}"))), "-");
        assert!(got == plain, "{name} on stdin");
    }
}

#[test]
fn a_cut_archive_gives_its_events_before_the_cut_and_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(sample("compressed/many.messages.xz")).unwrap();
    let cut = dir.path().join("messages.xz");
    std::fs::write(&cut, &whole[..whole.len() * 2 / 3]).unwrap();
    let out = cmd()
        .args(["--format", "ndjson", "--year", "2026"])
        .arg(&cut)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the xz data is damaged or cut short")
            && err.contains("compressed input read up to byte"),
        "{err}"
    );
    let n = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!((1..16).contains(&n), "{n} events");
}

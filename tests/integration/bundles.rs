//! Support bundles (issue 18): a sosreport, a supportconfig and a must-gather, as
//! folders and tarballs (samples/bundles, made from real captures: see its README),
//! give the same events as the plain log they hold, read once.

use std::path::PathBuf;

use oomlens::event::OomEvent;
use oomlens::input::discover;
use oomlens::pipeline::scan_all;
use serde_json::Value;

use crate::util::{cmd, events_of, opts, sample, scan};

/// The events of every input a path expands to (as the binary reads them), with where
/// they were read left out, and the notes.
fn bundle_events(rel: &str) -> (Vec<Value>, Vec<String>, Vec<String>) {
    let d = discover::expand(&[sample(rel)]);
    let notes = d
        .diagnostics
        .iter()
        .filter(|x| x.code == "bundle")
        .map(|x| x.message.clone())
        .collect::<Vec<_>>();
    let scans = scan_all(&d.inputs, &opts());
    let mut names = Vec::new();
    let mut evs = Vec::new();
    let mut tar_notes = Vec::new();
    for s in &scans {
        names.push(s.name.clone());
        tar_notes.extend(
            s.diagnostics
                .iter()
                .filter(|x| x.code == "bundle")
                .map(|x| x.message.clone()),
        );
        evs.extend(events_of(s));
    }
    (strip(evs), names, [notes, tar_notes].concat())
}

/// The events as JSON without where they were read (a bundle's file may hold a few
/// header lines more than the plain log: line numbers differ, nothing else may).
fn strip(evs: Vec<OomEvent>) -> Vec<Value> {
    fn drop_lines(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for k in ["source", "line", "lines", "counter_lines"] {
                    m.remove(k);
                }
                m.values_mut().for_each(drop_lines);
            }
            Value::Array(a) => a.iter_mut().for_each(drop_lines),
            _ => {}
        }
    }
    evs.iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).unwrap();
            drop_lines(&mut v);
            v
        })
        .collect()
}

/// Whether the JSON report has a diagnostic of this code and severity.
fn has_diag(v: &Value, code: &str, severity: &str) -> bool {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == code && d["severity"] == severity)
}

fn plain(rel: &str) -> Vec<Value> {
    strip(events_of(&scan(&sample(rel), &opts())))
}

#[test]
fn a_sosreport_folder_and_its_tarball_give_the_events_of_its_messages() {
    let want = plain("vm/bookworm-6.1.0-50-amd64/r-memcg-v2-repeat/messages");
    assert_eq!(want.len(), 13);
    for b in [
        "bundles/sosreport-vmlab-2026-12-07-rhel",
        "bundles/sosreport-vmlab-2026-12-07-rhel.tar.xz",
    ] {
        let (got, names, notes) = bundle_events(b);
        assert_eq!(got, want, "{b}");
        // One file read: var/log/messages; the dmesg copy of the same records is not.
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(names[0].ends_with("var/log/messages"), "{names:?}");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("sosreport: read var/log/messages (syslog files")
                && notes[0].contains("not read, as they hold the same kernel messages: sos_commands/kernel/dmesg (raw dmesg output)"),
            "{notes:?}"
        );
    }
}

#[test]
fn a_sosreport_without_syslog_files_is_read_from_its_journal_text() {
    let want = plain("lab/many.journal-short");
    assert!(want.len() >= 10);
    for b in [
        "bundles/sosreport-vm-2026-11-21-journal",
        "bundles/sosreport-vm-2026-11-21-journal.tar.gz",
        "bundles/sosreport-vm-2026-11-21-journal.tar.zst",
    ] {
        let (got, names, notes) = bundle_events(b);
        assert_eq!(got, want, "{b}");
        assert_eq!(names.len(), 1);
        assert!(names[0].ends_with("sos_commands/logs/journalctl_--no-pager"));
        assert!(
            notes[0].contains("sos_commands/kernel/dmesg_-T"),
            "{notes:?}"
        );
    }
}

#[test]
fn a_supportconfig_is_read_from_messages_txt() {
    let want = plain("lab/adj.messages");
    let (got, names, notes) = bundle_events("bundles/scc_vm_261121_2300");
    assert_eq!(got.len(), 3);
    // The supportconfig's section header lines say nothing: the same events.
    assert_eq!(got, want);
    assert_eq!(names.len(), 1);
    assert!(names[0].ends_with("messages.txt"));
    assert!(notes[0].contains("not read, as they hold the same kernel messages: boot.txt"));
}

#[test]
fn a_must_gather_is_read_from_its_node_logs() {
    let want = plain("vm/sid-7.2.13+deb14-amd64/d-memcg-v2-oom-group/dmesg");
    let (got, names, notes) = bundle_events("bundles/must-gather.local.5318008");
    assert_eq!(got, want);
    assert!(names.iter().any(|n| n.ends_with("nodes/vmlab/dmesg")));
    // The cluster's YAML and the top folder's timestamp are not read.
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with(".yaml") || n.ends_with("timestamp"))
    );
    assert!(notes[0].starts_with("must-gather: read "), "{notes:?}");
}

#[test]
fn the_cli_says_which_bundle_files_were_read() {
    let out = cmd()
        .args(["--year", "2026", "--tz", "UTC", "--json"])
        .arg(sample("bundles/sosreport-vmlab-2026-12-07-rhel.tar.xz"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["events"].as_array().unwrap().len(), 13);
    let inputs: Vec<PathBuf> = v["summary"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| PathBuf::from(i["path"].as_str().unwrap()))
        .collect();
    assert_eq!(inputs.len(), 1);
    assert!(
        inputs[0]
            .to_str()
            .unwrap()
            .ends_with(".tar.xz:var/log/messages")
    );
    assert!(has_diag(&v, "bundle", "note"));
}

#[test]
fn a_tarball_that_is_no_bundle_is_read_as_before() {
    // A .tar.gz name on a plain gzip log: no tar inside, read as one log.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("logs.tar.gz");
    let text = std::fs::read(sample("lab/adj.messages")).unwrap();
    std::fs::write(&p, crate::util::gzip(&text)).unwrap();
    let d = discover::expand(std::slice::from_ref(&p));
    let scans = scan_all(&d.inputs, &opts());
    assert_eq!(scans.len(), 1);
    assert_eq!(strip(events_of(&scans[0])), plain("lab/adj.messages"));
}

#[test]
fn a_kernel_log_before_the_layout_shows_in_the_tarball_is_still_read() {
    // sos writes its archive in the order of its folder walk: var/ may come before
    // sos_commands/. Built here from the fixture's files, var/log/messages first.
    let tar = sos_tar(&[
        ("var/log/messages", "var/log/messages"),
        ("sos_commands/kernel/dmesg", "sos_commands/kernel/dmesg"),
        ("etc/hostname", "etc/hostname"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sosreport.tar.gz");
    std::fs::write(&p, crate::util::gzip(&tar)).unwrap();
    let d = discover::expand(std::slice::from_ref(&p));
    let scans = scan_all(&d.inputs, &opts());
    assert_eq!(scans.len(), 1);
    assert!(scans[0].name.ends_with("sosreport.tar.gz:var/log/messages"));
    assert_eq!(
        strip(events_of(&scans[0])),
        plain("vm/bookworm-6.1.0-50-amd64/r-memcg-v2-repeat/messages")
    );
}

/// A tar built here from the sos fixture's files, under `names` (in that order).
fn sos_tar(names: &[(&str, &str)]) -> Vec<u8> {
    let root = "sosreport-vmlab-2026-12-07-rhel";
    let mut b = tar::Builder::new(Vec::new());
    for (rel, as_name) in names {
        let data = std::fs::read(sample(&format!("bundles/{root}/{rel}"))).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_796_731_800);
        h.set_cksum();
        b.append_data(&mut h, format!("{root}/{as_name}"), &data[..])
            .unwrap();
    }
    b.into_inner().unwrap()
}

#[test]
fn entry_names_with_control_characters_reach_no_output_raw() {
    let tar = sos_tar(&[
        ("sos_commands/kernel/dmesg", "sos_commands/kernel/dmesg"),
        (
            "var/log/messages",
            "var/log/messages\u{1b}]0;owned\u{7}\u{1b}[2J",
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("hostile.tar");
    std::fs::write(&p, &tar).unwrap();
    for fmt in ["table", "markdown", "json"] {
        let out = cmd()
            .args([
                "--year", "2026", "--tz", "UTC", "--format", fmt, "--color", "never",
            ])
            .arg(&p)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{fmt}");
        for stream in [&out.stdout, &out.stderr] {
            assert!(
                !stream.iter().any(|b| *b == 0x1b || *b == 0x07),
                "{fmt}: {}",
                String::from_utf8_lossy(stream)
            );
        }
    }
}

#[test]
fn a_cut_tarball_gives_what_was_read_and_says_where_it_stopped() {
    // messages first, then dmesg cut in the middle of its data.
    let tar = sos_tar(&[
        ("var/log/messages", "var/log/messages"),
        ("sos_commands/kernel/dmesg", "sos_commands/kernel/dmesg"),
    ]);
    let cut = &tar[..tar.len() - 2048];
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cut.tar.gz");
    std::fs::write(&p, crate::util::gzip(cut)).unwrap();
    let d = discover::expand(std::slice::from_ref(&p));
    let scans = scan_all(&d.inputs, &opts());
    assert_eq!(
        strip(events_of(&scans[0])),
        plain("vm/bookworm-6.1.0-50-amd64/r-memcg-v2-repeat/messages")
    );
    let notes: Vec<_> = scans
        .iter()
        .flat_map(|s| &s.diagnostics)
        .filter(|x| x.code == "bundle")
        .collect();
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].message.contains("could not be read past entry"),
        "{notes:?}"
    );
    // An error too, as for any damaged archive: the exit status is 2.
    assert!(scans[0].failed);
    let out = cmd()
        .args(["--year", "2026", "--tz", "UTC", "--json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["events"].as_array().unwrap().len(), 13);
    assert!(has_diag(&v, "read-error", "error"));
}

#[test]
fn a_sos_collect_folder_reads_each_nodes_sosreport() {
    // `sos collect` leaves one sosreport tarball per node in sos_reports/.
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("sos-collector-2026-12-07-abcde");
    std::fs::create_dir_all(top.join("sos_reports")).unwrap();
    std::fs::create_dir_all(top.join("sos_logs")).unwrap();
    std::fs::write(top.join("sos_logs/sos.log"), "fixture\n").unwrap();
    std::fs::copy(
        sample("bundles/sosreport-vmlab-2026-12-07-rhel.tar.xz"),
        top.join("sos_reports/sosreport-vmlab-2026-12-07-rhel.tar.xz"),
    )
    .unwrap();
    let d = discover::expand(std::slice::from_ref(&top));
    assert_eq!(d.inputs.len(), 1, "{:?}", d.inputs);
    let scans = scan_all(&d.inputs, &opts());
    assert_eq!(scans.len(), 1);
    assert!(
        scans[0].name.ends_with(".tar.xz:var/log/messages"),
        "{}",
        scans[0].name
    );
    assert_eq!(
        strip(events_of(&scans[0])),
        plain("vm/bookworm-6.1.0-50-amd64/r-memcg-v2-repeat/messages")
    );
}

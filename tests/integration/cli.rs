//! The binary as users run it: formats (snapshots checked by hand), the JSON contract,
//! filters, exit codes like grep's, broken pipes, colour, completions and man page.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::{cmd, sample};

fn run(args: &[&str]) -> (i32, String, String) {
    // From the repository root, so that snapshots can name samples by a relative path
    // that is the same (and wraps the same) in every checkout.
    let out = cmd()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json(args: &[&str]) -> Value {
    let mut a = vec!["--format", "json", "--year", "2026"];
    a.extend_from_slice(args);
    let (_, out, _) = run(&a);
    serde_json::from_str(&out).unwrap()
}

/// The events of NDJSON output.
fn ndjson_lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn path(rel: &str) -> String {
    sample(rel).to_str().unwrap().to_string()
}

// ---- snapshots ---------------------------------------------------------------------

/// A sample named relative to the repository root: reports quote paths as given, and an
/// absolute path would make line wrapping depend on where the checkout lives.
fn rel(sample: &str) -> String {
    format!("samples/{sample}")
}

#[test]
fn terminal_report_snapshot() {
    let (code, out, _) = run(&[
        "--year",
        "2026",
        "--color",
        "never",
        &rel("lab/adj.messages"),
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("table_adj", &out);
}

#[test]
fn terminal_report_of_a_global_oom_snapshot() {
    let (code, out, _) = run(&[
        "--year",
        "2026",
        "--color",
        "never",
        "--top",
        "5",
        &rel("real/022-docker-forkbomb-kmem-two-global-ooms-5.4-dmesgT.log"),
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("table_global", &out);
}

#[test]
fn markdown_snapshot() {
    let (code, out, _) = run(&[
        "--year",
        "2026",
        "--format",
        "markdown",
        "--top",
        "5",
        &rel("lab/nested.kmsg"),
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("markdown_nested", &out);
}

#[test]
fn summary_snapshot() {
    let (code, out, _) = run(&[
        "--year",
        "2026",
        "--summary",
        "--color",
        "never",
        &rel("lab/many.messages"),
        &rel("lab/adj.messages"),
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("summary_many_adj", &out);
}

#[test]
fn json_snapshot() {
    let mut v = json(&["--tz", "UTC", &path("lab/single.kmsg")]);
    v["summary"]["inputs"][0]["path"] = Value::from("samples/lab/single.kmsg");
    v["events"][0]["source"]["path"] = Value::from("samples/lab/single.kmsg");
    insta::assert_json_snapshot!("json_single", v);
}

// ---- the JSON contract ---------------------------------------------------------------

/// A small JSON Schema checker for the keywords docs/schema.json uses.
fn check(schema: &Value, root: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        return check(&root["$defs"][name], root, v, at, errs);
    }
    if let Some(alts) = schema.get("oneOf").and_then(Value::as_array) {
        let ok = alts.iter().any(|s| {
            let mut e = Vec::new();
            check(s, root, v, at, &mut e);
            e.is_empty()
        });
        if !ok {
            errs.push(format!("{at}: matches no alternative"));
        }
        return;
    }
    if let Some(c) = schema.get("const")
        && c != v
    {
        errs.push(format!("{at}: {v} is not {c}"));
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errs.push(format!("{at}: {v} not in {e:?}"));
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "null" => v.is_null(),
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            _ => false,
        });
        if !ok {
            errs.push(format!("{at}: {v} is not {types:?}"));
            return;
        }
    }
    if let Some(o) = v.as_object() {
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let k = req.as_str().unwrap();
            if !o.contains_key(k) {
                errs.push(format!("{at}: missing {k}"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, x) in o {
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(s, root, x, &format!("{at}.{k}"), errs),
                None => {
                    if let Some(ap) = schema.get("additionalProperties") {
                        check(ap, root, x, &format!("{at}.{k}"), errs);
                    }
                }
            }
        }
    }
    if let (Some(a), Some(items)) = (v.as_array(), schema.get("items")) {
        for (i, x) in a.iter().enumerate() {
            check(items, root, x, &format!("{at}[{i}]"), errs);
        }
    }
}

#[test]
fn json_output_follows_the_documented_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema.json")).unwrap(),
    )
    .unwrap();
    let mut args: Vec<String> = ["--format", "json", "--year", "2026", "--raw"]
        .map(String::from)
        .to_vec();
    args.push(sample("real").to_str().unwrap().into());
    args.push(path("lab/many.journal-json"));
    args.push(path("lab/nested.messages"));
    // Every killer's events and systemd's unit facts (issue 17).
    args.push(sample("userspace").to_str().unwrap().into());
    let out = cmd().args(&args).output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["events"].as_array().unwrap().len() > 50);
    let mut errs = Vec::new();
    check(&schema, &schema, &doc, "$", &mut errs);
    assert!(errs.is_empty(), "{}", errs[..errs.len().min(20)].join("\n"));
}

/// More distinct hosts than the summary keeps (10,000) and a command killed 200 times:
/// the lists stay bounded, the rest is counted in `overflow`, the memory points are
/// thinned with their step, and the document still follows the schema.
#[test]
fn a_summary_past_its_key_cap_follows_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema.json")).unwrap(),
    )
    .unwrap();
    let text = std::fs::read_to_string(sample("lab/single.messages")).unwrap();
    let line = text.lines().find(|l| l.contains("Killed process")).unwrap();
    let mut log = String::new();
    for i in 0..10_205u32 {
        let host = if i < 200 {
            "vm".to_string()
        } else {
            format!("h{i}")
        };
        log += &line
            .replace(" vm ", &format!(" {host} "))
            .replace("15346", &(100_000 + i).to_string());
        log.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("hosts.log");
    std::fs::write(&f, log).unwrap();
    let out = cmd()
        .args(["--summary", "--format", "json", "--year", "2026"])
        .arg(&f)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &doc["summary"];
    assert_eq!(s["kills"], 10_205);
    assert_eq!(s["hosts"].as_array().unwrap().len(), 10_000);
    // vm and the first 9,999 other hosts have their row; the last 6 hosts do not.
    assert_eq!(s["hosts"][0]["key"], "vm");
    assert_eq!(s["overflow"]["hosts"]["events"], 6);
    assert_eq!(s["overflow"]["hosts"]["kills"], 6);
    assert_eq!(s["overflow"]["cgroups"]["events"], 0);
    let o = &s["offenders"][0];
    assert_eq!(
        (o["key"].as_str(), o["kills"].as_u64()),
        (Some("python3"), Some(200))
    );
    assert_eq!(o["rss_kb_every"], 2);
    assert_eq!(o["rss_kb"].as_array().unwrap().len(), 100);
    let mut errs = Vec::new();
    check(&schema, &schema, &doc, "$", &mut errs);
    assert!(errs.is_empty(), "{}", errs[..errs.len().min(20)].join("\n"));
}

#[test]
fn ndjson_is_one_event_per_line() {
    let (code, out, _) = run(&[
        "--format",
        "ndjson",
        "--year",
        "2026",
        &path("lab/many.kmsg"),
    ]);
    assert_eq!(code, 0);
    let lines = ndjson_lines(&out);
    assert_eq!(lines.len(), 16);
    assert_eq!(lines[0]["killed"][0]["comm"], "worker-6");
    assert_eq!(lines[15]["killed"][0]["comm"], "leaky");
    assert_eq!(lines[15]["id"], 16);
}

// ---- filters -------------------------------------------------------------------------

#[test]
fn a_filtered_out_earlier_victim_is_still_exempt() {
    // A variant of the lab capture `adj`: the first victim, batch-worker (15519), is
    // also listed in the second report's task table, as the kernel does when the
    // earlier victim has not exited yet. The kernel skips it there, and so must the
    // rebuilt ranking, whether or not the first event is filtered out.
    let text = std::fs::read_to_string(sample("lab/adj.messages")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let row = lines[78];
    assert!(row.ends_with(" 800 batch-worker"), "{row}");
    assert!(lines[160].ends_with("oom_score_adj name"));
    let mut variant: Vec<&str> = lines[..161].to_vec();
    variant.push(row);
    variant.extend_from_slice(&lines[161..]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("messages");
    std::fs::write(&file, variant.join("\n") + "\n").unwrap();
    let f = file.to_str().unwrap();
    for args in [vec![f], vec!["--comm", "api-server", f]] {
        let v = json(&args);
        let ev = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["killed"][0]["pid"] == 15520)
            .unwrap();
        let row = ev["badness"]["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["pid"] == 15519)
            .unwrap();
        assert_eq!(
            row["exempt"], "already an OOM victim of an earlier report: the kernel skips it",
            "{args:?}"
        );
    }
}

#[test]
fn filters_select_events() {
    let adj = path("lab/adj.messages");
    let victims = |v: &Value| -> Vec<String> {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["killed"][0]["comm"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(victims(&json(&["--comm", "api", &adj])), ["api-server"]);
    // 15688 allocated in all three reports (and died in the last).
    assert_eq!(victims(&json(&["--pid", "15688", &adj])).len(), 3);
    assert_eq!(victims(&json(&["--pid", "15520", &adj])), ["api-server"]);
    assert_eq!(
        victims(&json(&["--pid", "15519", "--pid", "15520", &adj])),
        ["batch-worker", "api-server"]
    );
    assert_eq!(victims(&json(&["--cgroup", "oomlab-adj", &adj])).len(), 3);
    assert!(victims(&json(&["--cgroup", "kubepods", &adj])).is_empty());
    assert_eq!(victims(&json(&["--host", "VM", &adj])).len(), 3);
    let many = path("lab/many.messages");
    let all = victims(&json(&["--tz", "UTC", &many]));
    assert_eq!(all.len(), 16);
    // Reports at 22:26:27 (4), :30 (2), :31 (1), :47 (3) and :48 (6).
    let late = victims(&json(&[
        "--tz",
        "UTC",
        "--since",
        "2026-11-21 22:26:40",
        &many,
    ]));
    let early = victims(&json(&[
        "--tz",
        "UTC",
        "--until",
        "2026-11-21 22:26:30",
        &many,
    ]));
    assert_eq!((late.len(), early.len()), (9, 6));
    assert_eq!(
        victims(&json(&[
            "--killed-only",
            &path("real/033-unixse-debian-2.6.32-header-trace-only.log")
        ]))
        .len(),
        0
    );
}

#[test]
fn summary_only_json_and_aggregates() {
    let v = json(&[
        "--summary",
        &path("lab/many.messages"),
        &path("lab/adj.messages"),
    ]);
    let s = &v["summary"];
    assert_eq!(
        (s["events"].as_u64(), s["kills"].as_u64()),
        (Some(19), Some(19))
    );
    assert_eq!(
        v["events"],
        serde_json::json!([]),
        "only the aggregate view"
    );
    assert_eq!(s["cgroups"][0]["key"], "/oomlab-many");
    assert_eq!(s["cgroups"][0]["kills"], 16);
    assert_eq!(s["hosts"][0]["key"], "vm");
    // 16 kills in /oomlab-many, each of a different process: no repeat offender (a
    // cgroup's sweep is not one process growing).
    assert_eq!(s["offenders"], serde_json::json!([]));
}

#[test]
fn repeat_offenders_are_one_command_and_trend_only_across_incidents() {
    // repeat.dmesg: node killed three times in /oomlab-repeat at 14819.26, 14820.7 and
    // 14822.13 s (rss 98.3, 98.4, 98.5 MiB): one incident.
    let v = json(&["--summary", &path("lab/repeat.dmesg")]);
    let o = &v["summary"]["offenders"][0];
    assert_eq!(o["kind"], "cgroup");
    assert_eq!(o["key"], "/oomlab-repeat");
    assert_eq!(o["command"], "node");
    assert_eq!(o["kills"], 3);
    assert_eq!(o["incidents"], 1);
    assert_eq!(o["trend"], "one-incident");
    assert_eq!(o["rss_kb"], serde_json::json!([100680, 100800, 100828]));
    // 044: python3 killed five times over six days (44.9, 42.9, 50.9, 43.2, 50.5 GiB):
    // up and down as often, so no growth is claimed.
    let v = json(&[
        "--summary",
        &path("real/044-rtx-dmesgT-five-memcg-killed-lines.log"),
    ]);
    let o = &v["summary"]["offenders"][0];
    assert_eq!(
        (o["kind"].as_str(), o["key"].as_str()),
        (Some("command"), Some("python3"))
    );
    assert_eq!(
        (o["incidents"].as_u64(), o["trend"].as_str()),
        (Some(5), Some("steady"))
    );
    let (_, out, _) = run(&[
        "--summary",
        &path("real/044-rtx-dmesgT-five-memcg-killed-lines.log"),
    ]);
    assert!(out.contains("no steady growth over 5 incidents"), "{out}");
}

#[test]
fn logs_without_wall_time_say_when_in_seconds_after_boot() {
    // Raw dmesg: the first and last reports' headers are stamped 962.602501 and
    // 983.844679.
    let v = json(&["--summary", &path("lab/many.dmesg")]);
    let s = &v["summary"];
    assert_eq!(s["first"], Value::Null);
    assert_eq!(s["first_uptime_s"].as_f64(), Some(962.602501));
    assert_eq!(s["last_uptime_s"].as_f64(), Some(983.844679));
    let v = json(&["--summary", &path("lab/repeat.dmesg")]);
    let o = &v["summary"]["offenders"][0];
    assert_eq!(o["first_uptime_s"].as_f64(), Some(14819.256793));
    assert_eq!(o["last_uptime_s"].as_f64(), Some(14822.129732));
    let (_, out, _) = run(&["--summary", &path("lab/many.dmesg")]);
    assert!(
        out.starts_with("16 OOM events in 1 input · 963 s → 984 s after boot\n"),
        "{out}"
    );
    let (_, out, _) = run(&["--summary", &path("lab/repeat.dmesg")]);
    assert!(
        out.contains("│ node in cgroup /oomlab-repeat │     3 │ +14819 s │ +14822 s │"),
        "{out}"
    );
}

// ---- exit codes, errors, pipes -------------------------------------------------------

#[test]
fn exit_codes_are_like_grep() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = dir.path().join("quiet.log");
    std::fs::write(&quiet, "Nov 21 22:25:45 vm kernel: eth0: link up\nNov 21 22:25:46 vm sshd[1]: zoom oom OutOfMemoryError\n").unwrap();
    let q = quiet.to_str().unwrap();
    assert_eq!(run(&[&path("lab/single.kmsg")]).0, 0);
    let (code, out, _) = run(&[q]);
    assert_eq!(code, 1);
    assert!(out.starts_with("No OOM events in 1 input"), "{out}");
    let (code, _, err) = run(&["/nonexistent/messages"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/messages"), "{err}");
    // One input unreadable, the other read: still exit 2, and the events are reported.
    let (code, out, _) = run(&[
        "--format",
        "ndjson",
        "/nonexistent/messages",
        &path("lab/single.kmsg"),
    ]);
    assert_eq!(code, 2);
    assert_eq!(out.lines().count(), 1);
    // Usage errors are 2 as well.
    assert_eq!(run(&["--format", "yaml"]).0, 2);
    assert_eq!(run(&["--since", "last tuesday", q]).0, 2);
}

#[test]
fn a_binary_journal_gets_a_hint() {
    // A journal file is read in process (tests/integration/journal.rs); one whose
    // header is cut short is an error that says so.
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("system.journal");
    std::fs::write(&j, b"LPKSHHRH\x00\x00\x00\x00\x00\x00\x00\x00").unwrap();
    let (code, _, err) = run(&["--format", "json", j.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the journal file's header is cut short"),
        "{err}"
    );
}

#[test]
fn broken_pipe_exits_quietly() {
    // Enough output to fill the pipe, then close it after one line (`oomlens … | head -1`).
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("oomlens"))
        .args(["--format", "json", "--year", "2026"])
        .arg(sample("lab"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "{\n");
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(err, "");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    // The terminal, NO_COLOR and TERM cases are unit-tested in the binary's config.
    let p = path("lab/single.kmsg");
    let (_, plain, _) = run(&[&p]);
    assert!(!plain.contains('\x1b'), "a pipe gets no colour");
    let (_, forced, _) = run(&["--color", "always", &p]);
    assert!(forced.contains("\x1b["));
}

#[test]
fn completion_script() {
    let (code, out, _) = run(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(out.contains("_oomlens()"), "{}", &out[..200.min(out.len())]);
    assert!(out.contains("--killed-only"));
}

/// The long options `oomlens -h` lists, aliases included.
fn help_long_options() -> Vec<String> {
    let (code, help, _) = run(&["-h"]);
    assert_eq!(code, 0);
    let mut longs = Vec::new();
    let mut take = |text: &str| {
        for w in text.split([' ', ',', '[', ']']) {
            if let Some(name) = w.strip_prefix("--")
                && !name.is_empty()
                && !longs.contains(&w.to_owned())
            {
                longs.push(w.to_owned());
            }
        }
    };
    // An option's line starts at most six columns in; its description follows two
    // spaces after its names and value.
    for line in help.lines() {
        let indent = line.len() - line.trim_start().len();
        if indent <= 6 && line.trim_start().starts_with('-') {
            take(line.trim_start().split("  ").next().unwrap());
        }
    }
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for (i, _) in flat.match_indices("[aliases: ") {
        let end = flat[i..].find(']').unwrap();
        take(&flat[i + 10..i + end]);
    }
    longs
}

#[test]
fn man_page_has_every_section_and_option_and_names_no_missing_page() {
    let (code, man, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq \\(aq"),
        "{}",
        &man[..200]
    );
    assert!(
        man.contains("\n.TH OOMLENS 1 \"\" \"oomlens "),
        "{}",
        &man[..200]
    );
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "COMMANDS",
        "\"EXIT STATUS\"",
        "ENVIRONMENT",
        "FILES",
        "EXAMPLES",
        "\"SEE ALSO\"",
    ] {
        assert!(man.contains(&format!("\n.SH {section}\n")), "{section}");
    }
    // clap_mangen's default page had a section of --help's after-help text and
    // referred to a page per command; no such pages exist.
    assert!(!man.contains(".SH EXTRA"));
    assert!(!man.contains("oomlens-") && !man.contains("oomlens\\-"));
    for var in ["NO_COLOR", "TMPDIR", "TZ"] {
        assert!(man.contains(&format!("\n\\fB{var}\\fR\n")), "{var}");
    }
    let longs = help_long_options();
    assert!(longs.len() > 25, "{longs:?}");
    assert!(longs.contains(&"--output".to_owned()), "{longs:?}");
    for long in &longs {
        let roff = format!("\\fB{}\\fR", long.replace('-', "\\-"));
        assert!(man.contains(&roff), "{long} is not on the man page");
    }
    // What --help hides stays hidden.
    for hidden in ["every\\-line", "log\\-dir", "kmsg\\-path"] {
        assert!(!man.contains(hidden), "{hidden}");
    }
}

#[test]
fn man_page_renders_without_warnings_in_80_columns() {
    let (_, man, _) = run(&["man"]);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("oomlens.1");
    std::fs::write(&page, &man).unwrap();
    // Plain text: no overstriking for bold or underline.
    let Ok(out) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-P-cbou"])
        .arg(&page)
        .output()
    else {
        // Straight to stderr: `eprintln!` output of a passing test is captured and lost.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: cli::man_page_renders_without_warnings_in_80_columns: groff is not \
             installed (apt-get install groff-base)"
        );
        return;
    };
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "groff warnings");
    // A minus may be drawn as U+2212.
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .replace('\u{2212}', "-");
    for heading in [
        "EXIT STATUS",
        "ENVIRONMENT",
        "FILES",
        "EXAMPLES",
        "SEE ALSO",
    ] {
        assert!(text.lines().any(|l| l == heading), "{heading}");
    }
    let long = text.lines().find(|l| l.chars().count() > 80);
    assert_eq!(long, None, "wider than 80 columns");
    // Commands are shown whole, on their own line, to be copied.
    for line in [
        "           oomlens -S '2 days ago' --comm java /var/log/",
        "           journalctl -k -o json | oomlens --format ndjson",
        "                  oomlens man | man -l -",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} in\n{text}");
    }
    for long in help_long_options() {
        assert!(text.contains(&long), "{long}");
    }
    assert!(
        text.contains("'2026-11-21 22:00'"),
        "unbroken and straight quotes"
    );
}

#[test]
fn records_show_what_each_line_became() {
    let (code, out, _) = run(&[
        "--records",
        "--year",
        "2026",
        &path("lab/single.journal-short-monotonic"),
    ]);
    assert_eq!(code, 0);
    let first: Value = serde_json::from_str(out.lines().nth(2).unwrap()).unwrap();
    assert_eq!(first["format"], "journal-monotonic");
    assert_eq!(first["host"], "vm");
    assert_eq!(first["uptime"], "921.183161");
    assert_eq!(
        first["body"],
        "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"
    );
}

#[test]
fn default_inputs_are_the_system_logs() {
    // No PATH and a terminal on stdin is not testable here; with --log-dir and stdin
    // closed, oomlens reads stdin. With an explicit empty folder it says so.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(sample("lab/single.messages"), dir.path().join("messages")).unwrap();
    std::fs::copy(sample("lab/adj.messages"), dir.path().join("messages.1")).unwrap();
    let found = oomlens::input::discover::default_system_logs(dir.path());
    let names: Vec<_> = found
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, ["messages.1", "messages"]);
    let (code, out, _) = run(&[
        "--format",
        "ndjson",
        "--year",
        "2026",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 4);
}

#[test]
fn journal_mode_runs_journalctl_with_the_time_range() {
    // A stand-in journalctl that records its arguments and prints a real journal export.
    let dir = tempfile::tempdir().unwrap();
    let args_file = dir.path().join("args");
    let script = dir.path().join("journalctl");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\ncat '{}'\n",
            args_file.display(),
            sample("lab/adj.journal-json").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = cmd()
        .env("PATH", path)
        .args(["--journal", "--since", "2026-11-21", "--format", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = ndjson_lines(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(events.len(), 3);
    assert_eq!(events[0]["host"], "vm");
    assert_eq!(events[0]["boot_id"], "9b6ccfd507ac4a9baa91be57cb7172cb");
    let args = std::fs::read_to_string(&args_file).unwrap();
    // This boot's kernel messages (what `-k` matches) and the userspace killers' and
    // systemd's (issue 17).
    assert_eq!(
        args.trim(),
        "-o json --no-pager --since=2026-11-21 -b _TRANSPORT=kernel + SYSLOG_IDENTIFIER=systemd-oomd \
         + SYSLOG_IDENTIFIER=earlyoom + SYSLOG_IDENTIFIER=nohang + SYSLOG_IDENTIFIER=oomd \
         + SYSLOG_IDENTIFIER=systemd + SYSLOG_IDENTIFIER=kubelet + SYSLOG_IDENTIFIER=k3s"
    );
}

/// Events are rendered in parallel, at most 64 ahead of the writer: five hosts' copies
/// of a capture (80 events) must come out complete, numbered and in time order in every
/// format.
#[test]
fn events_past_a_render_batch_keep_their_order() {
    let text = std::fs::read_to_string(sample("lab/many.messages")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for n in 1..=5 {
        let copy = text.replace(" vm kernel: ", &format!(" vm{n} kernel: "));
        std::fs::write(dir.path().join(format!("host{n}.log")), copy).unwrap();
    }
    let dir = dir.path().to_str().unwrap();
    let (code, out, _) = run(&["--format", "ndjson", "--year", "2026", dir]);
    assert_eq!(code, 0);
    let events = ndjson_lines(&out);
    assert_eq!(events.len(), 80);
    let keys: Vec<(String, String)> = events
        .iter()
        .map(|e| (e["time"].to_string(), e["host"].to_string()))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "not in time order");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["id"], i + 1);
    }
    // The document and the line-per-event output list the same events.
    let doc = json(&[dir]);
    assert_eq!(doc["events"].as_array().unwrap(), &events);
    // The terminal and Markdown reports have a section per event, in order.
    for (format, head) in [("table", "── #"), ("markdown", "### Event ")] {
        // No size budget: every section is wanted here.
        let (_, out, _) = run(&[
            "--format",
            format,
            "--color",
            "never",
            "--max-chars",
            "100000000",
            dir,
        ]);
        let at: Vec<usize> = (1..=80)
            .map(|i| {
                let title = if format == "table" { " · " } else { ": " };
                out.find(&format!("{head}{i}{title}"))
                    .unwrap_or_else(|| panic!("{format}: event {i}"))
            })
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{format}: out of order");
    }
}

// ---- flags people reach for (issue 16) ----------------------------------------------

/// `-o json` (journalctl, kubectl) and `--json` are `--format json`.
#[test]
fn output_aliases_are_the_format_flag() {
    let many = path("lab/many.messages");
    let base = run(&["--format", "json", "--year", "2026", "--tz", "UTC", &many]);
    assert_eq!(base.0, 0);
    for args in [&["-o", "json"][..], &["--output", "json"], &["--json"]] {
        let mut a = vec!["--year", "2026", "--tz", "UTC"];
        a.extend(args);
        a.push(&many);
        assert!(run(&a).1 == base.1, "{args:?}");
    }
    let (code, _, err) = run(&["--json", "--format", "ndjson", &many]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

/// `-S`/`-U` as in journalctl, the syslog stamp as shown on screen, IANA zones and
/// negative offsets.
#[test]
fn journalctl_style_time_flags_and_zones() {
    let many = path("lab/many.messages");
    let count = |extra: &[&str]| {
        let mut a = vec!["-o", "ndjson", "--year", "2026"];
        a.extend(extra);
        a.push(&many);
        let (_, out, err) = run(&a);
        assert!(!err.contains("error"), "{err}");
        ndjson_lines(&out)
    };
    // 16 events: 4 at 22:26:27, the other 12 from 22:26:30 on.
    assert_eq!(count(&["--tz", "UTC"]).len(), 16);
    assert_eq!(count(&["--tz", "UTC", "-S", "Nov 21 22:26:29"]).len(), 12);
    assert_eq!(
        count(&["--tz", "UTC", "--since", "2026-11-21 22:26:29"]).len(),
        12
    );
    assert_eq!(count(&["--tz", "UTC", "-U", "Nov 21 22:26:29"]).len(), 4);
    let berlin = count(&["--tz", "Europe/Berlin"]);
    assert_eq!(berlin[0]["time"], "2026-11-21T22:26:27+01:00");
    let ny = count(&["--tz", "-05:00"]);
    assert_eq!(ny[0]["time"], "2026-11-21T22:26:27-05:00");
    let (code, _, err) = run(&["--tz", "Mars/Olympus", &many]);
    assert_eq!(code, 2);
    assert!(err.contains("a zone name like Europe/Berlin"), "{err}");
}

/// `--host` matches a part of the name, any case; `--cgroup` matches a pod UID as
/// kubectl prints it against the systemd driver's path.
#[test]
fn host_parts_and_pod_uids_filter() {
    let aks = path("real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log");
    let n = |extra: &[&str], file: &str| {
        let mut a = vec!["-o", "ndjson", "--year", "2026"];
        a.extend(extra);
        a.push(file);
        ndjson_lines(&run(&a).1).len()
    };
    assert_eq!(n(&[], &aks), 2);
    assert_eq!(n(&["--host", "NodePool1"], &aks), 2);
    assert_eq!(n(&["--host", "vmss000002"], &aks), 0);
    let sap = path("real/004-sapcc-kmsg-oomkill-lines-cgroupfs-systemd.log");
    assert_eq!(n(&[], &sap), 2);
    assert_eq!(n(&["--cgroup", "dfc377c9-c533-4d51"], &sap), 1);
    assert_eq!(n(&["--cgroup", "dfc377c9_c533"], &sap), 1);
}

/// `--top all` lists every ranked task.
#[test]
fn top_all_lists_every_row() {
    let many = path("lab/many.messages");
    let (_, ten, _) = run(&["--year", "2026", &many]);
    let (_, all, _) = run(&["--top", "all", "--year", "2026", &many]);
    assert!(ten.contains("more task"), "the default cuts the ranking");
    assert!(!all.contains("more task"));
    assert!(all.len() > ten.len());
}

/// Syslog stamps carry no zone: the header says which offset they were read in; a
/// journal's stamps are UTC and need no such line.
#[test]
fn an_assumed_zone_is_said_in_the_header() {
    let (_, berlin, _) = run(&[
        "--year",
        "2026",
        "--tz",
        "Europe/Berlin",
        &path("lab/many.messages"),
    ]);
    assert!(
        berlin.contains(
            "\nTimes     the log gives no time zone: read as UTC+01:00 (--tz sets the zone)\n"
        ),
        "{}",
        &berlin[..400]
    );
    let (_, md, _) = run(&[
        "--format",
        "markdown",
        "--year",
        "2026",
        "--tz",
        "-05:00",
        &path("lab/many.messages"),
    ]);
    assert!(md.contains(
        "| Times | the log gives no time zone: read as UTC-05:00 (--tz sets the zone) |"
    ));
    let (_, journal, _) = run(&[&path("lab/many.journal-json")]);
    assert!(!journal.contains("\nTimes "), "{}", &journal[..400]);
}

/// A filter is never silent: the header names it and counts what it left out, and a
/// time filter on a log without wall time is a warning naming the input.
#[test]
fn filters_are_shown_with_what_they_left_out() {
    let many = path("lab/many.messages");
    let (code, out, _) = run(&["--year", "2026", "--tz", "UTC", "--comm", "worker-1", &many]);
    assert_eq!(code, 0);
    assert!(
        out.contains("\nFilters   --comm worker-1: 9 events left out\n"),
        "{out}"
    );
    let (code, md, _) = run(&[
        "--format",
        "markdown",
        "--year",
        "2026",
        "--tz",
        "UTC",
        "--since",
        "2026-11-22",
        &many,
    ]);
    assert_eq!(code, 1);
    assert!(
        md.contains("| Filters | --since 2026-11-22 00:00:00 +00:00: 16 events left out |"),
        "{md}"
    );
    let (_, plain, _) = run(&["--year", "2026", &many]);
    assert!(!plain.contains("Filters"));
    let (code, _, err) = run(&["--since", "-1h", &path("lab/many.dmesg")]);
    assert_eq!(code, 1);
    assert!(
        err.contains("many.dmesg: 16 event(s) left out by --since/--until: the log gives only seconds since boot"),
        "{err}"
    );
}

/// The panic's `Rebooting in N seconds..` after a report is said, as the log states it.
#[test]
fn a_reboot_after_the_panic_is_said() {
    let f = path("real/203-iouring-ylan-syzkaller-5.10-triple-quoted-shell-prompt-wrapped.log");
    let (_, out, _) = run(&["--year", "2026", &f]);
    assert!(
        out.contains("\nReboot    after the panic the kernel set the machine to reboot in 86400 s (kernel.panic), line 89\n"),
        "{out}"
    );
    let (_, md, _) = run(&["--format", "markdown", "--year", "2026", &f]);
    assert!(md.contains("| Reboot | after the panic the kernel set the machine to reboot in 86400 s (kernel.panic), line 89 |"));
}

// ---- fitting the screen, next steps ---------------------------------------------------

/// The terminal report at `columns` (as a pager or tmux would pass it in COLUMNS).
fn at_width(columns: usize, args: &[&str]) -> String {
    let out = cmd()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("COLUMNS", columns.to_string())
        .args(["--year", "2026", "--tz", "UTC", "--color", "never"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn tables_fit_80_columns_and_nothing_is_broken_inside() {
    use unicode_width::UnicodeWidthStr;
    for args in [
        vec![path("lab/many.messages")],
        vec![path(
            "real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log",
        )],
        vec![
            "--summary".to_string(),
            path("real"),
            path("lab/repeat.dmesg"),
        ],
        vec![path("lab/repeat.dmesg")],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = at_width(80, &args);
        for line in out.lines().filter(|l| l.starts_with(['╭', '│', '├', '╰'])) {
            assert!(
                line.width() <= 80,
                "{args:?}: {} columns:\n{line}",
                line.width()
            );
        }
        // No table row is wrapped by the terminal: every row line is a whole row.
        for line in out.lines().filter(|l| l.starts_with('│')) {
            assert!(line.ends_with('│'), "{line}");
        }
    }
    // many.messages at 80: the reason column goes, and the report says so; times lose
    // their year (the header keeps it).
    let out = at_width(80, &[&path("lab/many.messages")]);
    assert!(
        out.contains("│  1 │ 11-21 22:26:27 │ worker-6 (17474)  │ cgroup /oomlab-many │\n"),
        "{out}"
    );
    assert!(out.contains("(left out at this width: why; each event below has it)"));
    // At 200 the whole row is there, on one line.
    let out = at_width(200, &[&path("lab/many.messages")]);
    assert!(out.contains(
        "│  1 │ 2026-11-21 22:26:27 │ worker-6 (17474)  │ cgroup /oomlab-many │ oom_score_adj=600 outweighed larger tasks │\n"
    ), "{out}");
    // Text wraps at spaces only: the kernel version and a cgroup path stay whole.
    let out = at_width(80, &[&path("lab/many.messages")]);
    assert!(out.contains("kernel 6.18.44-fc-v669"), "{out}");
    let out = at_width(
        80,
        &[&path(
            "real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log",
        )],
    );
    assert!(out.contains(
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice/cri-containerd-25a38b5b8d556d7983d975577f5ac75ebbcfb4b269e6deaa0a0440c1ffc969ca.scope"
    ));
}

#[test]
fn every_event_has_next_steps_from_its_facts() {
    // A pod's container at its limit (025): the limit step, then the pod and the
    // container to look up, each command on a line of its own, never wrapped.
    let out = at_width(
        80,
        &[&path(
            "real/025-aks-cgroupv2-pod-memcg-5.15-syslog-interleaved.log",
        )],
    );
    assert!(out.contains(
        "\n            kubectl get pods -A -o json | jq -r '.items[] | select(.metadata.uid == \"5931aa75-4603-4e65-b552-7c71cf55cfb5\") | .metadata.namespace + \"/\" + .metadata.name'\n"
    ), "{out}");
    assert!(out.contains(
        "\n            crictl inspect 25a38b5b8d556d7983d975577f5ac75ebbcfb4b269e6deaa0a0440c1ffc969ca\n"
    ));
    // A systemd service (019): systemctl status of the unit.
    let v = json(&[&path(
        "real/019-azure-ama-systemd-service-memcg-5.15-dmesg-grep.log",
    )]);
    let steps = &v["events"][0]["next_steps"];
    assert_eq!(steps[0]["step"], "cause");
    assert_eq!(steps[1]["step"], "unit");
    assert_eq!(steps[1]["unit"], "azuremonitoragent.service");
    assert_eq!(
        steps[1]["command"],
        "systemctl status -- azuremonitoragent.service"
    );
    // shmem.dmesg: tmpfs held 80 MiB of the 128 MiB limit (62 %): kills cannot free it
    // (line 38 `shmem 83886080` bytes = 81,920 kB; line 31 `limit 131072kB`).
    let v = json(&[&path("lab/shmem.dmesg")]);
    let shmem = &v["events"][0]["next_steps"][1];
    assert_eq!(shmem["step"], "shmem");
    assert_eq!(shmem["kb"], 81920);
    assert_eq!(shmem["command"], "df -h -t tmpfs; ipcs -m");
    // A cgroup of no known owner (/oomlab-many), no shmem, slab or dirty pages worth a
    // step: only the cause's.
    let v = json(&[&path("lab/many.messages")]);
    for e in v["events"].as_array().unwrap() {
        assert_eq!(e["next_steps"].as_array().unwrap().len(), 1, "{}", e["id"]);
    }
}

#[test]
fn markdown_fits_the_ticket_budget_trimming_kernel_lines_first() {
    // many.dmesg: 16 events whose kernel lines alone are over 100,000 characters.
    let md = |extra: &[&str]| {
        let mut args = vec!["--format", "markdown"];
        args.extend_from_slice(extra);
        let p = path("lab/many.dmesg");
        args.push(&p);
        run(&args).1
    };
    let out = md(&[]);
    assert!(out.chars().count() <= 65_536, "{}", out.chars().count());
    // Every section is there before any kernel lines are: all 16 events, some lines.
    assert_eq!(out.matches("\n### Event ").count(), 16);
    assert!(
        out.contains("_Left out to keep the report under 65,536 characters: the kernel lines of ")
    );
    assert!(!out.contains("the sections of the last"));
    // A Jira field: sections go only once no kernel lines are left.
    let out = md(&["--max-chars", "32000"]);
    assert!(out.chars().count() <= 32_000, "{}", out.chars().count());
    assert!(
        !out.contains("```text"),
        "no kernel lines while sections are left out"
    );
    let shown = out.matches("\n### Event ").count();
    assert!(
        out.contains(&format!("the sections of the last {} events", 16 - shown)),
        "{out}"
    );
    // Small enough without a budget: untouched, no note.
    let out = run(&["--format", "markdown", &path("lab/single.messages")]).1;
    assert!(!out.contains("Left out"));
}

#[test]
fn raw_lines_are_verbatim_in_every_format() {
    // The syslog prefix stays; --raw shows the lines in the terminal too.
    let first = "Nov 21 22:25:45 vm kernel: python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0";
    let out = run(&[
        "--year",
        "2026",
        "--color",
        "never",
        "--raw",
        &path("lab/single.messages"),
    ])
    .1;
    assert!(out.contains(&format!("\nRaw       {first}\n")), "{out}");
    let out = run(&[
        "--year",
        "2026",
        "--color",
        "never",
        &path("lab/single.messages"),
    ])
    .1;
    assert!(!out.contains("\nRaw "), "only with --raw");
    let out = run(&["--format", "markdown", &path("lab/single.messages")]).1;
    assert!(out.contains(&format!("```text\n{first}\n")), "{out}");
    let v = json(&["--raw", &path("lab/single.messages")]);
    assert_eq!(v["events"][0]["raw"][0], first);
    // A line starting with backticks cannot close the block: the fence is longer.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("ticks.log");
    let text = std::fs::read_to_string(path("lab/repeat.journal-cat"))
        .unwrap()
        .replace("\nCall Trace:", "\n```Call Trace:");
    std::fs::write(&log, text).unwrap();
    let out = run(&["--format", "markdown", log.to_str().unwrap()]).1;
    assert_eq!(out.matches("\n````text\n").count(), 3, "{out}");
    assert_eq!(out.matches("\n```Call Trace:\n").count(), 3);
    assert_eq!(out.matches("\n````\n").count(), 3);
}

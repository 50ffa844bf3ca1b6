//! Damaged and malicious input (the catalogue in docs/hostile-input.md): oomlens never
//! crashes, reports what it could not read with the place, keeps every kill, and never
//! lets a name from a log inject terminal escapes or Markdown.

use std::io::{Read, Write};

use oomlens::text::LogString;
use serde_json::Value;

use crate::util::{cmd, gzip, opts, sample};

fn ndjson(args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = cmd()
        .args(["--format", "ndjson", "--year", "2026"])
        .args(args)
        .output()
        .unwrap();
    let events = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code().unwrap(),
        events,
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn truncated_and_corrupt_gzip_keep_the_events_before_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let data = std::fs::read(sample("lab/many.messages")).unwrap();
    let gz = gzip(&data);
    let cut = dir.path().join("cut.gz");
    std::fs::write(&cut, &gz[..gz.len() * 6 / 10]).unwrap();
    let (_, intact, _) = ndjson(&[sample("lab/many.messages").to_str().unwrap()]);
    let victims = |events: &[Value], path: &str| -> Vec<u64> {
        events
            .iter()
            .filter(|e| {
                e["source"]["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(path))
            })
            .filter_map(|e| e["killed"][0]["pid"].as_u64())
            .collect()
    };
    let all = victims(&intact, "many.messages");
    assert_eq!(all.len(), 16);
    let (code, events, err) = ndjson(&[cut.to_str().unwrap()]);
    assert_eq!(code, 2);
    // The first kills, in order, up to the damage.
    let got = victims(&events, "cut.gz");
    assert!(got.len() >= 5 && got.len() < 16, "{got:?}");
    assert_eq!(got, all[..got.len()]);
    assert!(err.contains("cut.gz"), "{err}");
    assert!(err.contains("compressed input read up to byte"), "{err}");
    // Flipped bytes in the middle of the stream.
    let mut bad = gz.clone();
    let mid = bad.len() / 2;
    for b in &mut bad[mid..mid + 64] {
        *b ^= 0x5a;
    }
    let corrupt = dir.path().join("corrupt.gz");
    std::fs::write(&corrupt, &bad).unwrap();
    let (code, events, err) = ndjson(&[
        corrupt.to_str().unwrap(),
        sample("lab/single.kmsg").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("corrupt.gz"), "{err}");
    let got = victims(&events, "corrupt.gz");
    assert!(!got.is_empty() && got.len() < 16, "{got:?}");
    assert_eq!(got, all[..got.len()]);
    assert!(
        events.iter().any(|e| e["killed"][0]["comm"] == "python3"),
        "the other input is still read"
    );
}

#[test]
fn empty_unreadable_and_special_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, b"").unwrap();
    let (code, events, err) = ndjson(&[empty.to_str().unwrap()]);
    assert_eq!((code, events.len(), err.as_str()), (1, 0, ""));
    // A dangling symlink in a folder: named as an error, the rest is read.
    let folder = dir.path().join("logs");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(sample("lab/single.messages"), folder.join("messages")).unwrap();
    std::os::unix::fs::symlink(folder.join("gone"), folder.join("messages.1")).unwrap();
    // A symlink loop and a FIFO are skipped with a note.
    std::os::unix::fs::symlink(&folder, folder.join("loop")).unwrap();
    let fifo = folder.join("fifo");
    mkfifo(&fifo);
    let (code, events, err) = ndjson(&[folder.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(events.len(), 1);
    assert!(err.contains("messages.1: cannot read"), "{err}");
    // An ELF binary named explicitly is an error; one met in a folder is skipped.
    let elf = dir.path().join("tool");
    std::fs::write(&elf, b"\x7fELF\x02\x01\x01\x00garbage").unwrap();
    let (code, _, err) = ndjson(&[elf.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("is an ELF binary, not a log"), "{err}");
    std::fs::copy(&elf, folder.join("tool")).unwrap();
    std::fs::remove_file(folder.join("messages.1")).unwrap();
    std::fs::remove_file(&fifo).unwrap();
    let (code, events, err) = ndjson(&[folder.to_str().unwrap()]);
    assert_eq!((code, events.len()), (0, 1), "{err}");
}

#[test]
fn a_fifo_named_explicitly_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let data = std::fs::read(sample("lab/adj.kmsg")).unwrap();
    let f2 = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut w = std::fs::OpenOptions::new().write(true).open(f2).unwrap();
        w.write_all(&data).unwrap();
    });
    let (code, events, _) = ndjson(&[fifo.to_str().unwrap()]);
    writer.join().unwrap();
    assert_eq!((code, events.len()), (0, 3));
}

/// A reader that yields `n` bytes of `fill` without holding them in memory.
struct Endless {
    left: u64,
    fill: u8,
    then: std::io::Cursor<Vec<u8>>,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return self.then.read(buf);
        }
        let n = buf.len().min(self.left as usize);
        buf[..n].fill(self.fill);
        self.left -= n as u64;
        Ok(n)
    }
}

#[test]
fn a_line_of_hundreds_of_megabytes_is_capped_and_the_next_kill_is_found() {
    let tail = std::fs::read(sample("real/029-npd480-memcg-5.4-single-killed-line.log")).unwrap();
    let mut then = b"\n".to_vec();
    then.extend(tail);
    let r = Endless {
        left: 300 << 20,
        fill: b'A',
        then: std::io::Cursor::new(then),
    };
    let s = oomlens::pipeline::scan_reader("huge", r, None, &opts());
    assert_eq!(s.events.to_vec().unwrap().len(), 1);
    assert_eq!(s.events.to_vec().unwrap()[0].killed[0].comm, "python");
    let d = s
        .diagnostics
        .iter()
        .find(|d| d.code == "long-line")
        .unwrap();
    assert_eq!(d.line, Some(1));
    assert_eq!(s.stats.truncated_lines, 1);
    // A megabytes-long run of NULs (a crash) is a break, not a long line.
    let mut after = b"\n".to_vec();
    after
        .extend(std::fs::read(sample("real/029-npd480-memcg-5.4-single-killed-line.log")).unwrap());
    let r = Endless {
        left: 50 << 20,
        fill: 0,
        then: std::io::Cursor::new(after),
    };
    let s = oomlens::pipeline::scan_reader("nul", r, None, &opts());
    assert_eq!(s.events.to_vec().unwrap().len(), 1);
    assert_eq!(s.stats.truncated_lines, 0);
    assert_eq!(s.events.to_vec().unwrap()[0].source.first_line, 2);
}

#[test]
fn invalid_utf8_is_kept_lossily() {
    let line = b"[  514.682838] Memory cgroup out of memory: Killed process 15617 (py\xff\xfe3) total-vm:11892kB, anon-rss:4292kB, file-rss:3428kB, shmem-rss:0kB\n";
    let s = oomlens::pipeline::scan_reader("utf8", &line[..], None, &opts());
    assert_eq!(s.events.to_vec().unwrap().len(), 1);
    assert_eq!(
        s.events.to_vec().unwrap()[0].killed[0].comm,
        "py\u{fffd}\u{fffd}3"
    );
    assert_eq!(
        s.events.to_vec().unwrap()[0].killed[0].anon_rss_kb,
        Some(4292)
    );
}

#[test]
fn the_same_event_in_two_files_is_reported_once_with_both_sources() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("messages-a");
    let b = dir.path().join("kern.log");
    std::fs::copy(sample("lab/adj.messages"), &a).unwrap();
    std::fs::copy(sample("lab/adj.messages"), &b).unwrap();
    // The journal's copy of the same kernel messages, stamped by another writer.
    let (code, events, _) = ndjson(&[
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        sample("lab/adj.journal-json").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(events.len(), 3);
    for e in &events {
        assert_eq!(
            e["also_in"].as_array().unwrap().len(),
            2,
            "{}",
            e["also_in"]
        );
    }
}

/// Interleaves the lines of two logs, one per host.
fn two_hosts() -> String {
    let a = std::fs::read_to_string(sample("lab/single.messages")).unwrap();
    let b = std::fs::read_to_string(sample("lab/adj.messages")).unwrap();
    let a: Vec<String> = a
        .lines()
        .map(|l| l.replacen(" vm ", " node-a ", 1))
        .collect();
    let b: Vec<String> = b
        .lines()
        .map(|l| l.replacen(" vm ", " node-b ", 1))
        .collect();
    let mut out = String::new();
    for i in 0..a.len().max(b.len()) {
        for side in [&a, &b] {
            if let Some(l) = side.get(i) {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn two_hosts_interleaved_line_by_line_stay_apart() {
    let s = oomlens::pipeline::scan_reader("mixed", two_hosts().as_bytes(), None, &opts());
    let mut got: Vec<(String, u32, usize, bool)> = s
        .events
        .to_vec()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e.host.clone().unwrap().into_log_string(),
                e.killed[0].pid,
                e.tasks.rows.len(),
                e.complete,
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("node-a".to_string(), 15346, 1, true),
            ("node-b".to_string(), 15519, 4, true),
            ("node-b".to_string(), 15520, 3, true),
            ("node-b".to_string(), 15688, 2, true),
        ]
    );
}

#[test]
fn concurrent_reports_are_routed_by_printk_caller_id() {
    // Two kernels' worth of reports interleaved line by line, as pre-4.2 kernels could
    // print them; the caller id ([T<pid>]) of 5.1+ logs says which line is whose.
    let a = std::fs::read_to_string(sample("lab/single.dmesg")).unwrap();
    let b = std::fs::read_to_string(sample("lab/nested.dmesg")).unwrap();
    // Tag each line with its caller and move the second capture's clock onto the
    // first's, as two reports printed at the same moment would be.
    let tag = |text: &str, t: u32, shift_us: i64| -> Vec<String> {
        text.lines()
            .filter(|l| !l.contains("oomlab:"))
            .map(|l| {
                let close = l.find(']').unwrap();
                let secs: f64 = l[1..close].trim().parse().unwrap();
                let us = (secs * 1e6).round() as i64 + shift_us;
                format!(
                    "[{:5}.{:06}][ T{t}]{}",
                    us / 1_000_000,
                    us % 1_000_000,
                    &l[close + 1..]
                )
            })
            .collect()
    };
    let (a, b) = (tag(&a, 15346, 0), tag(&b, 17284, 921_183_171 - 952_412_409));
    let mut text = String::new();
    for i in 0..a.len().max(b.len()) {
        for side in [&a, &b] {
            if let Some(l) = side.get(i) {
                text.push_str(l);
                text.push('\n');
            }
        }
    }
    let s = oomlens::pipeline::scan_reader("concurrent", text.as_bytes(), None, &opts());
    let mut got: Vec<(u32, usize, Option<String>)> = s
        .events
        .to_vec()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e.killed[0].pid,
                e.tasks.rows.len(),
                e.memcg
                    .as_ref()
                    .and_then(|m| m.oom_memcg.clone())
                    .map(LogString::into_log_string),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (15346, 1, Some("/oomlab-single".into())),
            (
                17284,
                2,
                Some("/kubepods/burstable/pod8f0e2c4a-1b3d-4e5f-9a7b-0c1d2e3f4a5b".into())
            ),
        ]
    );
}

#[test]
fn a_table_cut_mid_row_is_named() {
    let text = std::fs::read_to_string(sample("lab/adj.dmesg")).unwrap();
    let cut: String = text
        .lines()
        .map(|l| {
            if l.contains("]     0 15518    14421") {
                // Half a row, as a crash or a full disk leaves it.
                format!("{}\n", &l[..l.len() / 2])
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let s = oomlens::pipeline::scan_reader("cut", cut.as_bytes(), None, &opts());
    let first = &s.events.to_vec().unwrap()[0];
    assert_eq!(first.tasks.bad_rows, 1);
    assert_eq!(first.tasks.rows.len(), 3);
    assert!(!first.complete);
    assert!(
        first
            .notes
            .iter()
            .any(|n| n == "1 task table rows could not be read"),
        "{:?}",
        first.notes
    );
    assert_eq!(s.events.to_vec().unwrap().len(), 3);
}

/// A hostile process name: an OSC title change, a bell, a pipe, backticks, HTML and
/// parentheses.
const EVIL: &str = "\x1b]0;pwned\x07|`x`<script>(a) b";

fn evil_kmsg() -> String {
    let text = std::fs::read_to_string(sample("lab/single.kmsg")).unwrap();
    // /dev/kmsg escapes control bytes as \xNN.
    let escaped = EVIL.replace('\x1b', "\\x1b").replace('\x07', "\\x07");
    text.replace("python3", &escaped)
}

#[test]
fn names_from_logs_cannot_inject_into_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("evil.kmsg");
    std::fs::write(&p, evil_kmsg()).unwrap();
    let path = p.to_str().unwrap();
    // JSON is exact.
    let (code, events, _) = ndjson(&[path]);
    assert_eq!(code, 0);
    assert_eq!(events[0]["killed"][0]["comm"], EVIL);
    assert_eq!(events[0]["trigger"]["comm"], EVIL);
    assert_eq!(events[0]["tasks"][0]["name"], EVIL);
    // The terminal gets no control bytes at all.
    for extra in [&["--color", "never"][..], &["--color", "always"][..]] {
        let out = cmd()
            .args(["--year", "2026"])
            .args(extra)
            .arg(path)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains('\x07'));
        assert!(!text.contains("\x1b]"), "no OSC sequence");
        assert!(
            text.contains("\\x1b]0;pwned\\x07|`x`<script>(a) b"),
            "{text}"
        );
    }
    // Markdown escapes it.
    let out = cmd()
        .args(["--year", "2026", "--format", "markdown"])
        .arg(path)
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        !md.contains("<script>") || md.contains("```text"),
        "HTML outside code blocks is escaped"
    );
    for line in md.lines().filter(|l| l.starts_with('|')) {
        assert!(!line.contains("<script>"), "{line}");
        assert!(!line.contains('\x1b') && !line.contains('\x07'), "{line}");
    }
    assert!(
        md.contains("\\\\x1b\\]0;pwned\\\\x07\\|\\`x\\`&lt;script&gt;(a) b"),
        "{md}"
    );
    // In the raw block the line is as the log has it (escapes shown escaped): a
    // backtick inside a line cannot close a fenced block.
    assert!(md.contains("\\x1b]0;pwned\\x07|`x`<script>(a) b"), "{md}");
    assert!(md.contains("```text\n"));
}

#[test]
fn a_newline_in_a_name_does_not_split_the_kill_line() {
    // journald keeps a kernel record whole; a name with a newline stays in its line.
    let line = r#"{"MESSAGE":"Memory cgroup out of memory: Killed process 7 (a\nb) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0","_TRANSPORT":"kernel","__REALTIME_TIMESTAMP":"1795299946279073","_SOURCE_MONOTONIC_TIMESTAMP":"921183161"}"#;
    let s = oomlens::pipeline::scan_reader("nl", line.as_bytes(), None, &opts());
    assert_eq!(s.events.to_vec().unwrap().len(), 1);
    let k = &s.events.to_vec().unwrap()[0].killed[0];
    assert_eq!(
        (k.comm.as_log_str(), k.anon_rss_kb, k.cut),
        ("a\nb", Some(2), false)
    );
}

fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// rsyslog writes control bytes as `#ooo`; the record layer turns them back into the
/// bytes. A selected task's name (the overview's "why" cell: "child of the selected
/// task …") and the `oom-kill:` constraint (the "Where" line) reached the terminal raw.
const RSYSLOG_EVIL: &str = "\
Nov 21 10:00:00 vm kernel: Out of memory: Kill process 16929 (beam#033]0;pwned#007) score 580 or sacrifice child
Nov 21 10:00:00 vm kernel: Killed process 28364, UID 0, (sh) total-vm:106064kB, anon-rss:180kB, file-rss:4kB
Nov 21 10:05:00 vm kernel: oom-kill:constraint=CONSTRAINT_#033]0;pwned#007MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a,task=mdsd,pid=2002099,uid=104
Nov 21 10:05:00 vm kernel: Memory cgroup out of memory: Killed process 2002099 (mdsd) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:0kB, UID:104 pgtables:4kB oom_score_adj:0
";

#[test]
fn rsyslog_escapes_in_a_selected_name_or_a_constraint_cannot_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("messages");
    std::fs::write(&p, RSYSLOG_EVIL).unwrap();
    // JSON keeps the exact bytes.
    let (_, events, _) = ndjson(&[p.to_str().unwrap()]);
    assert_eq!(events[0]["kernel_choice"]["comm"], "beam\x1b]0;pwned\x07");
    assert_eq!(events[1]["constraint"], "CONSTRAINT_\x1b]0;pwned\x07MEMCG");
    for color in ["never", "always"] {
        let out = cmd()
            .args(["--year", "2026", "--color", color])
            .arg(&p)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains("\x1b]") && !text.contains('\x07'), "{text}");
        if color == "never" {
            assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
        }
        // The overview's why cell (wrapped at 30 columns) and the Where line.
        let why = text
            .lines()
            .find(|l| l.contains("beam\\x1b]0;pwned\\x07"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(why.starts_with('│'), "{why}");
        assert!(
            text.lines()
                .any(|l| l.contains("Where") && l.contains("CONSTRAINT_\\x1b]0;pwned\\x07MEMCG")),
            "{text}"
        );
    }
    // Markdown escapes both too.
    let out = cmd()
        .args(["--year", "2026", "--format", "markdown"])
        .arg(&p)
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(!md.contains('\x1b') && !md.contains('\x07'), "{md}");
    assert!(
        md.contains("| Constraint | CONSTRAINT\\_\\\\x1b\\]0;pwned\\\\x07MEMCG |"),
        "{md}"
    );
}

/// A task table whose numbers are near i64::MAX (a corrupted or forged log): the
/// badness sum overflowed (a panic in debug builds, a wrong ranking in release).
#[test]
fn task_numbers_near_i64_max_saturate_and_are_flagged_implausible() {
    let text = std::fs::read_to_string(sample("lab/adj.messages")).unwrap();
    let row = "[  15520]     0 15520    16991    15899    14560     1339         0   180224        0             0 api-server";
    let huge = row.replace(
        "16991    15899    14560",
        "16991    9223372036854775807    14560",
    );
    assert_eq!(text.matches(row).count(), 2);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("messages");
    std::fs::write(&p, text.replacen(row, &huge, 1)).unwrap();
    let r = crate::util::report(std::slice::from_ref(&p)).event_list();
    let b = r[0].analysis.badness.as_ref().unwrap();
    let api = b.ranking.iter().find(|x| x.pid == 15520).unwrap();
    assert_eq!(
        (api.rank, api.points, api.implausible),
        (Some(1), Some(i64::MAX), true)
    );
    assert!(
        b.ranking
            .iter()
            .filter(|x| x.pid != 15520)
            .all(|x| !x.implausible)
    );
    // Every format shows the row; JSON flags it (and only it).
    let (code, events, err) = ndjson(&[p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let ranking = events[0]["badness"]["ranking"].as_array().unwrap();
    assert_eq!(ranking[0]["pid"], 15520);
    assert_eq!(ranking[0]["implausible"], true);
    assert!(ranking[1..].iter().all(|x| x.get("implausible").is_none()));
    for (format, mark) in [("table", "⚠ implausible"), ("markdown", "implausible |")] {
        let out = cmd()
            .args(["--year", "2026", "--color", "never", "--format", format])
            .arg(&p)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.lines()
                .any(|l| l.contains("api-server") && l.contains(mark)),
            "{text}"
        );
    }
}

/// GitHub and GitLab split a table cell at `|` even inside a code span: a cgroup path
/// with a `|` added a cell to the Markdown facts table.
#[test]
fn a_pipe_in_a_cgroup_path_stays_in_its_markdown_cell() {
    let text = std::fs::read_to_string(sample("lab/single.kmsg")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pipe.kmsg");
    std::fs::write(&p, text.replace("/oomlab-single", "/oomlab|single")).unwrap();
    let out = cmd()
        .args(["--year", "2026", "--format", "markdown"])
        .arg(&p)
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| Cgroup (limit hit) |"))
        .unwrap_or_else(|| panic!("{md}"));
    assert_eq!(row, "| Cgroup (limit hit) | `/oomlab\\|single` |");
}

/// The render layer takes text from the model only as `LogText` (through the medium's
/// escaper): no file under src/render/ but the escaper itself reads a `LogString` raw.
/// The directory is listed, so a new renderer is checked too.
#[test]
fn renderers_never_read_log_text_raw() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/render");
    let mut files = Vec::new();
    let mut todo = vec![dir];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 8, "{files:?}");
    let mut checked = 0;
    for f in &files {
        if f.file_name().is_some_and(|n| n == "sanitize.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for raw in ["as_log_str", "into_log_string", "OptionLogStr"] {
            assert!(
                !text.contains(raw),
                "{} reads log text raw ({raw}): write it through LogText",
                f.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 7);
    // The escaper is the one place that does, and says so.
    let sanitize = include_str!("../../src/render/sanitize.rs");
    assert!(sanitize.contains("impl<'a> From<&'a LogString> for LogText<'a>"));
}

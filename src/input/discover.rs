//! Which inputs to read: command-line paths, folders walked recursively, the system's
//! default kernel logs, and rotation sets put in age order (oldest first). Files met in
//! a folder that are not logs (binaries, JSON documents that are not journal JSON) are
//! left out by their first bytes and counted in one note.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Severity};
use crate::input::Source;

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Where its bytes come from.
    pub source: Source,
    /// Named by the user (as opposed to found while walking a folder). Formats that
    /// cannot be read are errors for explicit inputs and skipped notes otherwise.
    pub explicit: bool,
}

/// The inputs found, and what went wrong finding them.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Inputs in reading order.
    pub inputs: Vec<Input>,
    /// Problems (unreadable folders, loops, special files skipped).
    pub diagnostics: Vec<Diagnostic>,
}

/// Expands command-line arguments: `-` is standard input, a folder is walked
/// recursively, anything else is read as a file. Rotation sets are reordered oldest
/// first; otherwise the order of the arguments is kept.
pub fn expand(args: &[PathBuf]) -> Discovery {
    let mut d = Discovery::default();
    let mut seen_dirs = HashSet::new();
    let mut files = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            files.push(Input {
                source: Source::Stdin,
                explicit: true,
            });
            continue;
        }
        match fs::metadata(arg) {
            Ok(m) if m.is_dir() => {
                let mut found = Vec::new();
                walk(arg, &mut found, &mut seen_dirs, &mut d.diagnostics);
                // Support bundles in it: their kernel logs only, one copy of them.
                let (found, picked, notes) = crate::input::bundle::split(arg, found);
                d.diagnostics.extend(notes);
                files.extend(picked.into_iter().map(|p| Input {
                    source: Source::Path(p),
                    explicit: false,
                }));
                let mut skipped = Skipped::default();
                let found = leave_out_non_logs(found, &mut skipped);
                d.diagnostics.extend(skipped.note(arg));
                files.extend(found.into_iter().map(|p| Input {
                    source: Source::Path(p),
                    explicit: false,
                }));
            }
            // Missing or unreadable paths are reported when they are opened.
            _ => files.push(Input {
                source: Source::Path(arg.clone()),
                explicit: true,
            }),
        }
    }
    let files = drop_duplicates(files, &mut d.diagnostics);
    d.inputs = order_rotations(files);
    d
}

/// What a file met in a folder holds, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// Text, or a format oomlens decodes (compressed, journal): read it.
    Log,
    /// Binary data.
    Binary,
    /// A JSON document or JSON lines without journal fields (metadata, sidecars).
    OtherJson,
}

/// How much of a file [`content`] looks at.
const CONTENT_SNIFF: usize = 8 * 1024;

/// Judges a file's first bytes. Compressed files are kept (their text is not looked
/// at), and so are files it cannot tell: reading them costs little, missing a log a lot.
fn content(head: &[u8]) -> Content {
    if head.is_empty()
        || crate::input::compressed::Format::sniff(head).is_some()
        || head.starts_with(&[0x1f, 0x8b])
        || head.starts_with(b"LPKSHHRH")
    {
        return Content::Log;
    }
    if crate::input::foreign_format(head).is_some() {
        return Content::Binary;
    }
    // Control bytes that text does not hold; NUL runs are crash residue in real logs,
    // so they are not counted.
    let odd = head
        .iter()
        .filter(|&&b| (b < 0x20 && !b"\0\t\n\x0b\x0c\r\x1b".contains(&b)) || b == 0x7f)
        .count();
    let text = head.iter().filter(|&&b| b != 0).count();
    if odd * 20 > text {
        return Content::Binary;
    }
    let start = head.trim_ascii_start();
    let first_line = &start[..memchr::memchr(b'\n', start).unwrap_or(start.len())];
    match start.first() {
        // A JSON array (`[{`, `["`, `[[`, `[]`), not a dmesg `[  12.3]` stamp.
        Some(b'[')
            if matches!(
                start[1..].trim_ascii_start().first(),
                Some(b'{' | b'"' | b'[' | b']')
            ) =>
        {
            Content::OtherJson
        }
        // Journal JSON is one object per line with the journal's own fields.
        Some(b'{') => {
            let journal = [
                &b"\"MESSAGE\""[..],
                b"\"__CURSOR\"",
                b"\"__REALTIME_TIMESTAMP\"",
                b"\"_TRANSPORT\"",
            ]
            .iter()
            .any(|k| memchr::memmem::find(first_line, k).is_some());
            if journal {
                Content::Log
            } else {
                Content::OtherJson
            }
        }
        _ => Content::Log,
    }
}

/// The first bytes of a file (fewer if it is shorter or cannot be read).
fn head_of(path: &Path) -> Vec<u8> {
    let mut head = Vec::new();
    if let Ok(f) = fs::File::open(path) {
        let _ = f.take(CONTENT_SNIFF as u64).read_to_end(&mut head);
    }
    head
}

/// Files left out of a folder scan because they are not logs.
#[derive(Debug, Default)]
struct Skipped {
    binary: Vec<PathBuf>,
    json: Vec<PathBuf>,
}

impl Skipped {
    /// One note for them all, about the folder `dir`: how many, of which kind, and
    /// the first few names.
    fn note(&self, dir: &Path) -> Option<Diagnostic> {
        let n = self.binary.len() + self.json.len();
        if n == 0 {
            return None;
        }
        let mut kinds = Vec::new();
        if !self.binary.is_empty() {
            kinds.push(format!("{} binary", self.binary.len()));
        }
        if !self.json.is_empty() {
            kinds.push(format!("{} JSON but not journal JSON", self.json.len()));
        }
        let names: Vec<String> = self
            .binary
            .iter()
            .chain(&self.json)
            .take(3)
            .map(|p| p.display().to_string())
            .collect();
        let more = if n > names.len() { ", …" } else { "" };
        Some(Diagnostic::new(
            Severity::Note,
            "not-logs",
            &dir.display().to_string(),
            None,
            format!(
                "{n} file{} in this folder {} not logs ({}) and {} skipped: {}{more}; name a file to read it anyway",
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
                kinds.join(", "),
                if n == 1 { "was" } else { "were" },
                names.join(", "),
            ),
        ))
    }
}

/// The files of a folder scan that hold logs; the others go to `skipped`.
fn leave_out_non_logs(found: Vec<PathBuf>, skipped: &mut Skipped) -> Vec<PathBuf> {
    found
        .into_iter()
        .filter(|p| match content(&head_of(p)) {
            Content::Log => true,
            Content::Binary => {
                skipped.binary.push(p.clone());
                false
            }
            Content::OtherJson => {
                skipped.json.push(p.clone());
                false
            }
        })
        .collect()
}

/// Keeps the first naming of each file: the same file named twice, or named and found
/// again in a folder (`messages varlog/`), or reached through a link, is one input,
/// known by device and inode, not by its path. Reading it twice would double every
/// event and make each copy look like "already an OOM victim" of the other.
fn drop_duplicates(files: Vec<Input>, diags: &mut Vec<Diagnostic>) -> Vec<Input> {
    let mut seen: Vec<((u64, u64), PathBuf)> = Vec::new();
    let mut stdin = false;
    let mut out = Vec::with_capacity(files.len());
    for input in files {
        match &input.source {
            Source::Stdin => {
                // A second `-` would read an exhausted stream.
                if std::mem::replace(&mut stdin, true) {
                    diags.push(Diagnostic::new(
                        Severity::Note,
                        "duplicate-input",
                        "-",
                        None,
                        "standard input named more than once; read once",
                    ));
                    continue;
                }
            }
            Source::Path(p) => {
                // Unreadable paths are reported when opened; keep them.
                if let Ok(m) = fs::metadata(p) {
                    let id = (m.dev(), m.ino());
                    if let Some((_, first)) = seen.iter().find(|(i, _)| *i == id) {
                        diags.push(Diagnostic::new(
                            Severity::Note,
                            "duplicate-input",
                            &p.display().to_string(),
                            None,
                            format!("same file as {}; read once", first.display()),
                        ));
                        continue;
                    }
                    seen.push((id, p.clone()));
                }
            }
        }
        out.push(input);
    }
    out
}

/// The system's kernel logs under `root` (normally `/var/log`): `messages*`,
/// `kern.log*` and `syslog*`, each rotation set oldest first.
pub fn default_system_logs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for base in ["messages", "kern.log", "syslog"] {
        let Ok(rd) = fs::read_dir(root) else {
            continue;
        };
        let mut set: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| rotation_base(n).0 == base)
            })
            .collect();
        set.sort_by_key(|p| rotation_age_key(p));
        out.extend(set);
    }
    out
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut HashSet<(u64, u64)>,
    diags: &mut Vec<Diagnostic>,
) {
    match fs::metadata(dir) {
        Ok(m) => {
            if !seen.insert((m.dev(), m.ino())) {
                diags.push(Diagnostic::new(
                    Severity::Note,
                    "loop",
                    &dir.display().to_string(),
                    None,
                    "folder already visited (symlink loop or repeated argument); skipped",
                ));
                return;
            }
        }
        Err(e) => {
            diags.push(unreadable(dir, &e));
            return;
        }
    }
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            diags.push(unreadable(dir, &e));
            return;
        }
    };
    let mut entries: Vec<PathBuf> = Vec::new();
    for entry in rd {
        match entry {
            Ok(e) => entries.push(e.path()),
            Err(e) => diags.push(unreadable(dir, &e)),
        }
    }
    entries.sort();
    for path in entries {
        // Follow symlinks, but remember folders by device and inode to stop loops.
        match fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, out, seen, diags),
            Ok(m) if m.is_file() => out.push(path),
            Ok(m) => {
                let ft = m.file_type();
                let what = if ft.is_fifo() {
                    "a FIFO"
                } else if ft.is_socket() {
                    "a socket"
                } else {
                    "a device"
                };
                diags.push(Diagnostic::new(
                    Severity::Note,
                    "special-file",
                    &path.display().to_string(),
                    None,
                    format!("is {what}; not read while walking a folder (name it to read it)"),
                ));
            }
            Err(e) => diags.push(unreadable(&path, &e)),
        }
    }
}

fn unreadable(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        Severity::Error,
        "unreadable",
        &path.display().to_string(),
        None,
        format!("cannot read: {e}"),
    )
}

/// Puts the members of each rotation set (same folder and base name) oldest first,
/// where the set first appears; other inputs keep their order.
fn order_rotations(inputs: Vec<Input>) -> Vec<Input> {
    // (folder, base name) of each set, with its members in argument order.
    type SetKey = Option<(PathBuf, String)>;
    let mut groups: Vec<(SetKey, Vec<Input>)> = Vec::new();
    for input in inputs {
        let key = match &input.source {
            Source::Path(p) => p.file_name().and_then(|n| n.to_str()).map(|n| {
                (
                    p.parent().map(Path::to_path_buf).unwrap_or_default(),
                    rotation_base(n).0.to_string(),
                )
            }),
            Source::Stdin => None,
        };
        match groups.iter_mut().find(|(k, _)| k.is_some() && *k == key) {
            Some((_, members)) => members.push(input),
            None => groups.push((key, vec![input])),
        }
    }
    let mut out = Vec::new();
    for (_, mut members) in groups {
        members.sort_by_key(|i| match &i.source {
            Source::Path(p) => rotation_age_key(p),
            Source::Stdin => (3, 0),
        });
        out.extend(members);
    }
    out
}

/// Sort key for a member of a rotation set: dated files by date, then numbered files
/// from the highest number down, then the live file.
fn rotation_age_key(path: &Path) -> (u8, i64) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match rotation_base(name).1 {
        Rotation::Dated(d) => (0, d),
        Rotation::Numbered(n) => (1, -(n as i64)),
        Rotation::Live => (2, 0),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Rotation {
    Dated(i64),
    Numbered(u32),
    Live,
}

/// Splits a file name into the rotation set's base name and the member's place:
/// `messages.2.gz` → (`messages`, 2), `messages-20261101.gz` → (`messages`, dated),
/// `kern.log` → (`kern.log`, live).
fn rotation_base(name: &str) -> (&str, Rotation) {
    let mut stem = name;
    for ext in [".gz", ".xz", ".bz2", ".zst"] {
        if let Some(s) = stem.strip_suffix(ext) {
            stem = s;
            break;
        }
    }
    // messages.3
    if let Some((base, num)) = stem.rsplit_once('.')
        && !base.is_empty()
        && !num.is_empty()
        && num.len() <= 4
        && num.bytes().all(|b| b.is_ascii_digit())
    {
        return (base, Rotation::Numbered(num.parse().unwrap_or(0)));
    }
    // messages-20261101, messages-2026110112, messages-2026-11-01, syslog.20261101
    for (i, c) in stem.char_indices() {
        if !matches!(c, '-' | '.' | '_') || i == 0 {
            continue;
        }
        let date = &stem[i + 1..];
        let digits: String = date.chars().filter(|c| *c != '-').collect();
        if date.chars().all(|c| c.is_ascii_digit() || c == '-')
            && date.starts_with(['1', '2'])
            && (8..=14).contains(&digits.len())
            && let Ok(d) = digits.parse::<i64>()
        {
            // Normalise to YYYYMMDDhhmmss so that different widths compare.
            let scale = 10i64.pow(14 - digits.len() as u32);
            return (&stem[..i], Rotation::Dated(d * scale));
        }
    }
    // The whole stem is the base; a lone ".gz" on it still means an older copy.
    if stem.len() != name.len() {
        return (stem, Rotation::Numbered(0));
    }
    (stem, Rotation::Live)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(inputs: &[Input]) -> Vec<String> {
        inputs
            .iter()
            .map(|i| match &i.source {
                Source::Path(p) => p.display().to_string(),
                Source::Stdin => "-".into(),
            })
            .collect()
    }

    #[test]
    fn the_same_file_named_twice_or_through_its_folder_is_read_once() {
        // samples/vm/MEASURED-BEFORE.md: `messages messages` and `messages folder/`
        // gave 2 events for 1 OOM.
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/vm/bookworm-6.1.0-50-amd64/a-global-no-swap"
        );
        let file = PathBuf::from(format!("{dir}/messages"));
        let twice = expand(&[file.clone(), file.clone()]);
        assert_eq!(names(&twice.inputs), [file.display().to_string()]);
        assert_eq!(twice.diagnostics.len(), 1);
        assert_eq!(twice.diagnostics[0].code, "duplicate-input");
        let with_folder = expand(&[file.clone(), PathBuf::from(format!("{dir}/"))]);
        let got = names(&with_folder.inputs);
        assert_eq!(got.iter().filter(|n| n.ends_with("/messages")).count(), 1);
        // dmesg, kmsg, messages (expect.json and truth.json are not logs).
        assert_eq!(got.len(), 3, "{got:?}");
        let stdin = expand(&[PathBuf::from("-"), PathBuf::from("-")]);
        assert_eq!(names(&stdin.inputs), ["-"]);
    }

    #[test]
    fn rotation_names_are_understood() {
        assert_eq!(rotation_base("messages"), ("messages", Rotation::Live));
        assert_eq!(
            rotation_base("messages.2.gz"),
            ("messages", Rotation::Numbered(2))
        );
        assert_eq!(
            rotation_base("kern.log.1"),
            ("kern.log", Rotation::Numbered(1))
        );
        assert_eq!(rotation_base("kern.log"), ("kern.log", Rotation::Live));
        assert_eq!(
            rotation_base("messages-20261101.gz"),
            ("messages", Rotation::Dated(20261101000000))
        );
        assert_eq!(
            rotation_base("syslog-2026-11-01"),
            ("syslog", Rotation::Dated(20261101000000))
        );
    }

    #[test]
    fn rotation_sets_are_read_oldest_first() {
        let args: Vec<Input> = [
            "/l/messages",
            "/l/messages.1",
            "/l/messages-20261101.gz",
            "/l/messages.3.gz",
            "/l/messages.2",
            "/l/kern.log",
            "/l/messages-20261015.gz",
        ]
        .iter()
        .map(|p| Input {
            source: Source::Path(PathBuf::from(p)),
            explicit: true,
        })
        .collect();
        assert_eq!(
            names(&order_rotations(args)),
            [
                "/l/messages-20261015.gz",
                "/l/messages-20261101.gz",
                "/l/messages.3.gz",
                "/l/messages.2",
                "/l/messages.1",
                "/l/messages",
                "/l/kern.log",
            ]
        );
    }

    fn head(rel: &str) -> Vec<u8> {
        head_of(&PathBuf::from(format!(
            "{}/samples/{rel}",
            env!("CARGO_MANIFEST_DIR")
        )))
    }

    #[test]
    fn logs_are_told_from_sidecars_and_binaries_by_their_first_bytes() {
        for rel in [
            "lab/many.messages",
            "lab/many.journal-json",
            "lab/many.dmesg",
            "lab/many.kmsg",
            "lab/many.journal-short-monotonic",
            "compressed/many.messages.xz",
            "real/001-cadvisor-memcg-v1-mem2-syslog.log",
            "README.md",
        ] {
            assert_eq!(content(&head(rel)), Content::Log, "{rel}");
        }
        for rel in [
            "real/001-cadvisor-memcg-v1-mem2-syslog.json",
            "vm/bookworm-6.1.0-50-amd64/a-global-no-swap/expect.json",
        ] {
            assert_eq!(content(&head(rel)), Content::OtherJson, "{rel}");
        }
        assert_eq!(content(b"[{\"a\": 1}]"), Content::OtherJson);
        assert_eq!(content(b"[ 12.345] oom"), Content::Log);
        assert_eq!(content(b"\x7fELF\x02\x01"), Content::Binary);
        let mut bin: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        assert_eq!(content(&bin), Content::Binary);
        // NUL runs (crash residue) in a log do not make it binary.
        bin = [vec![0; 3000], b"Nov 21 22:26:27 vm kernel: x\n".to_vec()].concat();
        assert_eq!(content(&bin), Content::Log);
        assert_eq!(content(b""), Content::Log);
    }

    #[test]
    fn a_folder_scan_leaves_out_sidecars_in_one_note() {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/real"));
        let d = expand(std::slice::from_ref(&dir));
        let logs = d.inputs.len();
        assert!(names(&d.inputs).iter().all(|n| n.ends_with(".log")));
        let notes: Vec<&Diagnostic> = d
            .diagnostics
            .iter()
            .filter(|d| d.code == "not-logs")
            .collect();
        assert_eq!(notes.len(), 1);
        let jsons = fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "json")
            })
            .count();
        assert_eq!(logs + jsons, fs::read_dir(&dir).unwrap().count());
        assert_eq!(notes[0].path, dir.display().to_string());
        assert!(
            notes[0].message.starts_with(&format!(
                "{jsons} files in this folder are not logs ({jsons} JSON but not journal JSON) and were skipped: "
            )),
            "{}",
            notes[0].message
        );
        // A file named explicitly is read whatever it holds.
        let sidecar = dir.join("001-cadvisor-memcg-v1-mem2-syslog.json");
        let d = expand(std::slice::from_ref(&sidecar));
        assert_eq!(d.inputs.len(), 1);
        assert!(d.diagnostics.is_empty());
    }
}

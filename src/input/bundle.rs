//! Support bundles: a sosreport, a SUSE supportconfig or an OpenShift must-gather, as a
//! folder or a tarball (`.tar`, `.tar.gz`, `.tar.xz`, `.tar.zst`, `.tar.bz2`). The
//! bundle is recognised by its layout, and only the files that hold kernel messages
//! are read, one copy of them: a bundle holds the same messages several times.
//!
//! The layouts, from the tools' own source:
//! - sos (github.com/sosreport/sos): `sos/report/plugins/logs.py` copies
//!   `/var/log/messages*` (and `kern.log*`/`syslog*` where there is no journal:
//!   `kern.log*` is preferred, `syslog*` holds its lines and every other facility's),
//!   `/var/log/journal/*` with `--all-logs`, and runs `add_journal()`, whose output is
//!   `sos_commands/logs/journalctl_--no-pager` (`_--boot`, `_--boot_-1` for this and the
//!   last boot: subsets of it); `sos/report/plugins/kernel.py` runs `dmesg` and
//!   `dmesg -T` (`sos_commands/kernel/dmesg`, `dmesg_-T`) and copies `/var/log/dmesg`.
//!   `sos collect` puts one sosreport tarball per node in `sos_reports/`.
//! - supportconfig (github.com/openSUSE/supportutils, `bin/supportconfig`):
//!   `messages_file()` writes `messages.txt` (`/var/log/messages`, or `journalctl
//!   --no-pager --output=short-iso` where there is none; rotated `messages-*` copied
//!   and decompressed as `messages-*.txt`), `boot_info()` writes `boot.txt` (`journalctl
//!   --boot=0 --output=short-iso` and `dmesg -T`), beside `basic-environment.txt`.
//! - must-gather (github.com/openshift/must-gather, `collection-scripts/
//!   gather_service_logs` and `gather_service_logs_util`): `oc adm node-logs` output,
//!   journal text per unit and node role, in `host_service_logs/{masters,workers}/
//!   <unit>_service.log`; node-gather images write per-node files under `nodes/<node>/`.
//!   Everything else is YAML of cluster objects.
//!
//! Within a sosreport the copies are read in this order of preference, the first kind
//! present only: syslog files (they cover the rotated weeks), the journal as
//! `journalctl` printed it (capped by sos at 100 MiB, the newest), the binary journal,
//! then `dmesg` (the current boot's ring buffer only). A supportconfig: `messages*.txt`,
//! else `boot.txt`. What was read and what was not, and why, is one note per bundle.
//!
//! A tarball is read as a stream, entry after entry, never unpacked: every candidate
//! is scanned as it passes (its kind's scans kept only if no preferred kind is in the
//! archive), so a bundle of gigabytes costs one pass of decompression and no disk.
//! Compressed entries (rotated `messages-*.gz`) are decoded on the way; binary journal
//! files inside a tarball need random access and are named in the note instead.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Severity};

/// A kind of support bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `sos report` (sosreport).
    Sos,
    /// `sos collect`: sosreport tarballs of several nodes in `sos_reports/`.
    SosCollect,
    /// SUSE `supportconfig`.
    Supportconfig,
    /// OpenShift `oc adm must-gather`.
    MustGather,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Sos => "sosreport",
            Kind::SosCollect => "sos collect archive",
            Kind::Supportconfig => "supportconfig",
            Kind::MustGather => "must-gather",
        }
    }
}

/// Which copy of the kernel messages a file is, in the order they are preferred
/// (lower first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Syslog = 0,
    /// Debian's `syslog*`, which holds `kern.log*`'s lines too.
    SyslogAll = 1,
    JournalText = 2,
    JournalText2 = 3,
    JournalFiles = 4,
    Dmesg = 5,
    Dmesg2 = 6,
    /// must-gather node logs: all read.
    Node = 7,
    /// sos collect: each node's sosreport.
    Nested = 8,
}

impl Group {
    fn words(self) -> &'static str {
        match self {
            Group::Syslog => "syslog files (the host's kernel messages, rotations included)",
            Group::SyslogAll => "the syslog of every facility",
            Group::JournalText => "the journal as journalctl printed it",
            Group::JournalText2 => "the journal of single boots as journalctl printed it",
            Group::JournalFiles => "binary journal files",
            Group::Dmesg => "dmesg output (the ring buffer of the boot the bundle was made in)",
            Group::Dmesg2 => "raw dmesg output",
            Group::Node => "node logs",
            Group::Nested => "sosreports of the nodes",
        }
    }
}

/// The kind of bundle whose root holds these paths (relative to it, `/`-separated),
/// and where the root is (a prefix of them, such as a tarball's top folder).
pub fn detect<'a>(paths: impl IntoIterator<Item = &'a str>) -> Option<(Kind, String)> {
    let mut found: Option<(Kind, String)> = None;
    for p in paths {
        let comps: Vec<&str> = p.split('/').collect();
        for (i, c) in comps.iter().enumerate() {
            let mut root = comps[..i].join("/");
            let kind = match *c {
                // `oc adm must-gather`'s own folder (the image's folder is inside).
                c if c.starts_with("must-gather.local.") && i + 1 < comps.len() => {
                    root = comps[..=i].join("/");
                    Some(Kind::MustGather)
                }
                "sos_commands" if i + 1 < comps.len() => Some(Kind::Sos),
                "sos_reports" if i + 1 < comps.len() => Some(Kind::SosCollect),
                "basic-environment.txt" if i + 1 == comps.len() => Some(Kind::Supportconfig),
                "host_service_logs" | "cluster-scoped-resources" if i + 1 < comps.len() => {
                    Some(Kind::MustGather)
                }
                _ => None,
            };
            if let Some(k) = kind {
                // The shallowest root wins (a sosreport inside must-gather is its part).
                if found.as_ref().is_none_or(|(_, r)| root.len() < r.len()) {
                    found = Some((k, root));
                }
                break;
            }
        }
    }
    found
}

/// Every bundle root among these paths (a root inside another is part of it).
fn detect_all(paths: &[String]) -> Vec<(Kind, String)> {
    let mut roots: Vec<(Kind, String)> = Vec::new();
    for p in paths {
        if let Some((k, r)) = detect(std::iter::once(p.as_str()))
            && !roots.iter().any(|(_, o)| o == &r)
        {
            roots.push((k, r));
        }
    }
    roots.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.1.cmp(&b.1)));
    let mut kept: Vec<(Kind, String)> = Vec::new();
    for (k, r) in roots {
        if !kept.iter().any(|(_, o)| under(&r, o)) {
            kept.push((k, r));
        }
    }
    kept
}

/// Whether `path` is `root` or inside it (`/`-separated, relative).
fn under(path: &str, root: &str) -> bool {
    root.is_empty() || path == root || path.starts_with(&format!("{root}/"))
}

/// The group of a path (relative to the bundle's root), or `None`: not a kernel log.
fn group(kind: Kind, rel: &str) -> Option<Group> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    match kind {
        Kind::Sos => {
            if let Some(f) = rel.strip_prefix("var/log/") {
                if !f.contains('/') && (f.starts_with("messages") || f.starts_with("kern.log")) {
                    return Some(Group::Syslog);
                }
                if !f.contains('/') && f.starts_with("syslog") {
                    return Some(Group::SyslogAll);
                }
                if f == "dmesg" || f.starts_with("dmesg.") {
                    return Some(Group::Dmesg2);
                }
            }
            if (rel.starts_with("var/log/journal/") || rel.starts_with("run/log/journal/"))
                && (name.ends_with(".journal") || name.ends_with(".journal~"))
            {
                return Some(Group::JournalFiles);
            }
            match rel {
                "sos_commands/logs/journalctl_--no-pager" => Some(Group::JournalText),
                "sos_commands/logs/journalctl_--no-pager_--boot"
                | "sos_commands/logs/journalctl_--no-pager_--boot_-1" => Some(Group::JournalText2),
                "sos_commands/kernel/dmesg_-T" => Some(Group::Dmesg),
                "sos_commands/kernel/dmesg" => Some(Group::Dmesg2),
                _ => None,
            }
        }
        Kind::SosCollect => {
            (rel.starts_with("sos_reports/") && is_tarball_name(name)).then_some(Group::Nested)
        }
        Kind::Supportconfig => {
            if rel.contains('/') {
                None
            } else if name == "messages.txt"
                || (name.starts_with("messages-")
                    && name.ends_with(".txt")
                    && name[9..].starts_with(|c: char| c.is_ascii_digit()))
            {
                Some(Group::Syslog)
            } else if name == "boot.txt" {
                Some(Group::JournalText2)
            } else {
                None
            }
        }
        Kind::MustGather => {
            let comps: Vec<&str> = rel.split('/').collect();
            let under = comps
                .iter()
                .take(comps.len().saturating_sub(1))
                .any(|c| *c == "host_service_logs" || *c == "nodes");
            let data = [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e));
            (under && !data).then_some(Group::Node)
        }
    }
}

/// In `kinds present`, the groups read: the first present of each family.
fn chosen(kind: Kind, present: &[Group]) -> Vec<Group> {
    match kind {
        Kind::MustGather => vec![Group::Node],
        Kind::SosCollect => vec![Group::Nested],
        _ => {
            // One copy: the most preferred group present; dmesg -T over raw dmesg.
            let best = present.iter().min().copied();
            best.into_iter().collect()
        }
    }
}

/// What a bundle's layout selects: files to read and files not read, with why.
#[derive(Debug, Default)]
pub struct Selection {
    /// Paths relative to the bundle's root, read.
    pub used: Vec<String>,
    /// What the files read are (words), when there are any.
    pub read_as: Option<&'static str>,
    /// Paths not read (kernel-log copies of a less preferred kind), and what they are.
    pub unused: Vec<(String, &'static str)>,
    /// Files the bundle holds that are not kernel logs (not listed).
    pub others: usize,
}

/// Chooses among the relative paths of a bundle of `kind`.
pub fn select(kind: Kind, rels: &[String]) -> Selection {
    let grouped: Vec<(String, Option<Group>)> =
        rels.iter().map(|r| (r.clone(), group(kind, r))).collect();
    let mut present: Vec<Group> = grouped.iter().filter_map(|(_, g)| *g).collect();
    present.sort();
    present.dedup();
    let read = chosen(kind, &present);
    let mut s = Selection {
        read_as: read.first().map(|g| g.words()),
        ..Selection::default()
    };
    for (r, g) in grouped {
        match g {
            Some(g) if read.contains(&g) => s.used.push(r),
            Some(g) => s.unused.push((r, g.words())),
            None => s.others += 1,
        }
    }
    s.used.sort();
    s.unused.sort();
    s
}

/// The note that says what a bundle at `path` is and which files were read.
pub fn note(path: &str, kind: Kind, s: &Selection, extra: &[String]) -> Diagnostic {
    let mut text = if s.used.is_empty() {
        format!("{}: no kernel log in it", kind.name())
    } else {
        format!(
            "{}: read {} ({})",
            kind.name(),
            s.used.join(", "),
            s.read_as.unwrap_or("kernel logs")
        )
    };
    if !s.unused.is_empty() {
        let names: Vec<String> = s.unused.iter().map(|(n, w)| format!("{n} ({w})")).collect();
        text.push_str(&format!(
            "; not read, as they hold the same kernel messages: {}",
            names.join(", ")
        ));
    }
    for e in extra {
        text.push_str("; ");
        text.push_str(e);
    }
    text.push_str(&format!("; {} other file(s) hold no kernel log", s.others));
    Diagnostic::new(Severity::Note, "bundle", path, None, text)
}

/// Splits the files a folder walk found under `dir` into those of support bundles in
/// it (only their kernel logs, one copy: see the module doc) and the rest, which are
/// read as any folder's files. Returns (the rest, the bundles' files to read, one note
/// per bundle).
pub fn split(dir: &Path, found: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<Diagnostic>) {
    // `must-gather.local.N` itself named: its name is the layout's mark.
    let named_mg = dir
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("must-gather.local."));
    let dir = match dir.parent() {
        Some(p) if named_mg => p,
        _ => dir,
    };
    let rel_of =
        |p: &Path| -> Option<String> { p.strip_prefix(dir).ok()?.to_str().map(str::to_string) };
    let rels: Vec<String> = found.iter().filter_map(|p| rel_of(p)).collect();
    let roots = detect_all(&rels);
    if roots.is_empty() {
        return (found, Vec::new(), Vec::new());
    }
    let mut rest = Vec::new();
    let mut picked = Vec::new();
    let mut notes = Vec::new();
    let mut members: Vec<Vec<String>> = vec![Vec::new(); roots.len()];
    for p in found {
        let rel = rel_of(&p);
        let home = rel
            .as_deref()
            .and_then(|r| roots.iter().position(|(_, root)| under(r, root)));
        match (home, rel) {
            (Some(i), Some(r)) => {
                let root = &roots[i].1;
                let inner = if root.is_empty() {
                    r
                } else {
                    r[root.len() + 1..].to_string()
                };
                members[i].push(inner);
            }
            _ => rest.push(p),
        }
    }
    for ((kind, root), rels) in roots.into_iter().zip(members) {
        let s = select(kind, &rels);
        let base = dir.join(&root);
        picked.extend(s.used.iter().map(|r| base.join(r)));
        notes.push(note(&base.display().to_string(), kind, &s, &[]));
    }
    (rest, picked, notes)
}

/// Whether a file name is that of a tarball oomlens opens as a bundle.
pub fn is_tarball_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.bz2", ".tbz2",
    ]
    .iter()
    .any(|e| n.ends_with(e))
}

/// A tar entry's path as `/`-separated text, without a leading `./`.
fn entry_path<R: Read>(e: &tar::Entry<'_, R>) -> Option<String> {
    let p = e.path().ok()?;
    let s = p.to_str()?.trim_start_matches("./").to_string();
    Some(s)
}

/// What reads one entry of a tarball: its name, its decoded bytes, its time.
pub type EntryScan<'s, T> = dyn FnMut(&str, &mut dyn Read, Option<std::time::SystemTime>) -> T + 's;

/// What a bundle tarball gave: the scans of the entries read, the note on what was
/// read (first), and an error when the archive is damaged.
pub type TarRead<T> = (Vec<TarEntry<T>>, Vec<Diagnostic>);

/// One kernel-log entry of a tarball, read: its path in the archive, its group, and
/// what scanning it gave.
pub struct TarEntry<T> {
    /// Path in the archive.
    pub path: String,
    /// The scan of its bytes.
    pub scan: T,
}

/// Reads a bundle tarball as a stream (after `open` has decoded its compression):
/// each entry that the layout may want is handed to `scan` (its path and a reader of
/// its decoded bytes) as it passes. Returns the scans of the entries of the groups
/// read, in archive order, the note, and an error when the archive is damaged; `None` when the archive is no bundle (none
/// of the layouts in it) or no tar at all (an error).
pub fn tarball<T>(
    name: &str,
    reader: Box<dyn Read + Send>,
    scan: &mut EntryScan<'_, T>,
) -> io::Result<Option<TarRead<T>>> {
    const KINDS: [Kind; 3] = [Kind::Sos, Kind::Supportconfig, Kind::MustGather];
    let mut archive = tar::Archive::new(reader);
    // Entries met, and the paths of those a layout may want (not every name: a
    // bundle may hold a million files).
    let mut count = 0usize;
    let mut wanted: Vec<String> = Vec::new();
    let mut kind: Option<(Kind, String)> = None;
    // Scans of entries that some layout wants, with the (root, kind) they were read
    // for: the layout may show only after them (a tar's order is its writer's walk).
    let mut scans: Vec<(String, Vec<Kind>, TarEntry<T>)> = Vec::new();
    let mut unreadable = Vec::new();
    let mut stopped = None;
    for entry in archive.entries()? {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                // A cut or damaged archive: what was read before counts.
                stopped = Some(e);
                break;
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let Some(path) = entry_path(&entry) else {
            continue;
        };
        count += 1;
        if kind.is_none() {
            kind = detect(std::iter::once(path.as_str()));
            if kind.is_none() && count >= 4096 && scans.is_empty() {
                return Ok(None);
            }
        }
        // The roots this entry may be under: the whole archive, or its top folder.
        let mut roots = vec![String::new()];
        if let Some((top, _)) = path.split_once('/') {
            roots.push(top.to_string());
        }
        let mut want: Option<(String, String, Vec<Kind>, Group)> = None;
        for root in roots {
            if let Some((_, r)) = &kind
                && *r != root
            {
                continue;
            }
            let rel = if root.is_empty() {
                path.clone()
            } else {
                path[root.len() + 1..].to_string()
            };
            let ks: Vec<(Kind, Group)> = KINDS
                .iter()
                .filter(|k| kind.as_ref().is_none_or(|(kk, _)| kk == *k))
                .chain(
                    kind.as_ref()
                        .filter(|(k, _)| *k == Kind::SosCollect)
                        .map(|(k, _)| k),
                )
                .filter_map(|k| group(*k, &rel).map(|g| (*k, g)))
                .collect();
            if let Some(&(_, g)) = ks.first() {
                want = Some((root, rel, ks.iter().map(|x| x.0).collect(), g));
                break;
            }
        }
        let Some((root, rel, ks, g)) = want else {
            continue;
        };
        wanted.push(path.clone());
        if g == Group::JournalFiles || g == Group::Nested {
            unreadable.push(rel);
            continue;
        }
        let shown = format!("{name}:{rel}");
        let mtime = entry
            .header()
            .mtime()
            .ok()
            .map(|s| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s));
        let mut r = decode_entry(&mut entry)?;
        let t = scan(&shown, &mut r, mtime);
        scans.push((root, ks, TarEntry { path: rel, scan: t }));
    }
    let Some((k, root)) = kind else {
        return match stopped {
            Some(e) => Err(e),
            None => Ok(None),
        };
    };
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    let rels: Vec<String> = wanted
        .iter()
        .filter_map(|p| p.strip_prefix(&prefix).map(str::to_string))
        .collect();
    let mut sel = select(k, &rels);
    sel.others = count - (rels.len() - sel.others);
    let mut extra = Vec::new();
    if !unreadable.is_empty() {
        // Not read from inside an archive: they need random access.
        sel.used.retain(|u| !unreadable.contains(u));
        extra.push(format!(
            "{} binary journal file(s) or nested archive(s) cannot be read inside a tarball \
             (unpack it and give the folder): {}",
            unreadable.len(),
            unreadable.join(", ")
        ));
    }
    let mut diags = Vec::new();
    if let Some(e) = &stopped {
        extra.push(format!(
            "the archive could not be read past entry {count} ({e}): the files after it are missing"
        ));
        diags.push(Diagnostic::new(
            Severity::Error,
            "read-error",
            name,
            None,
            format!(
                "reading the archive stopped after {count} files ({e}); the kernel logs before \
                 the damage are reported"
            ),
        ));
    }
    let used: Vec<TarEntry<T>> = scans
        .into_iter()
        .filter(|(r, ks, e)| *r == root && ks.contains(&k) && sel.used.contains(&e.path))
        .map(|(_, _, e)| e)
        .collect();
    diags.insert(0, note(name, k, &sel, &extra));
    Ok(Some((used, diags)))
}

/// A tar entry compressed inside the archive (gzip, zstd, xz, bzip2, by its first
/// bytes) as a reader of its decoded bytes (a plain one as it is).
fn decode_entry<'e, R: Read + 'e>(entry: &'e mut R) -> io::Result<Box<dyn Read + 'e>> {
    let mut head = [0u8; 6];
    let mut n = 0;
    while n < head.len() {
        let k = entry.read(&mut head[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    let head = &head[..n];
    let chained = io::Cursor::new(head.to_vec()).chain(entry);
    let buffered = io::BufReader::with_capacity(256 * 1024, chained);
    let r: Box<dyn Read + 'e> = if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(buffered))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?)
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(buffered))
    } else if head.starts_with(b"BZh") {
        Box::new(bzip2::bufread::MultiBzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(paths: &[&str]) -> Vec<String> {
        paths.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn layouts_are_told_apart_by_their_files() {
        let sos = v(&[
            "sosreport-vm-2026-12-07-abc/sos_commands/kernel/dmesg",
            "sosreport-vm-2026-12-07-abc/var/log/messages",
        ]);
        assert_eq!(
            detect(sos.iter().map(String::as_str)),
            Some((Kind::Sos, "sosreport-vm-2026-12-07-abc".into()))
        );
        let sc = v(&["scc_vm_261207_1200/basic-environment.txt"]);
        assert_eq!(
            detect(sc.iter().map(String::as_str)),
            Some((Kind::Supportconfig, "scc_vm_261207_1200".into()))
        );
        let mg =
            v(&["must-gather.local.1/quay-io-x/host_service_logs/masters/kubelet_service.log"]);
        assert_eq!(
            detect(mg.iter().map(String::as_str)).map(|k| k.0),
            Some(Kind::MustGather)
        );
        assert_eq!(detect(["var/log/messages"]), None);
    }

    #[test]
    fn a_sosreport_is_read_from_one_copy_of_the_kernel_messages() {
        let rels = v(&[
            "sos_commands/kernel/dmesg",
            "sos_commands/kernel/dmesg_-T",
            "sos_commands/logs/journalctl_--no-pager",
            "sos_commands/logs/journalctl_--no-pager_--boot",
            "var/log/messages",
            "var/log/messages-20261130",
            "var/log/secure",
            "etc/hostname",
        ]);
        let s = select(Kind::Sos, &rels);
        assert_eq!(
            s.used,
            v(&["var/log/messages", "var/log/messages-20261130"])
        );
        assert_eq!(s.unused.len(), 4);
        assert_eq!(s.others, 2);
        // Without syslog files: the whole journal, not its per-boot subsets.
        let s = select(Kind::Sos, &rels[..4]);
        assert_eq!(s.used, v(&["sos_commands/logs/journalctl_--no-pager"]));
        // Debian: kern.log* rather than syslog*, which holds the same kernel lines.
        let deb = v(&[
            "var/log/kern.log",
            "var/log/kern.log.1",
            "var/log/syslog",
            "var/log/syslog.1",
        ]);
        assert_eq!(
            select(Kind::Sos, &deb).used,
            v(&["var/log/kern.log", "var/log/kern.log.1"])
        );
        assert_eq!(
            select(Kind::Sos, &deb[2..]).used,
            v(&["var/log/syslog", "var/log/syslog.1"])
        );
        // Only dmesg: dmesg -T, which has wall times.
        let s = select(Kind::Sos, &rels[..2]);
        assert_eq!(s.used, v(&["sos_commands/kernel/dmesg_-T"]));
    }

    #[test]
    fn a_supportconfig_reads_messages_before_boot_txt() {
        let rels = v(&[
            "basic-environment.txt",
            "boot.txt",
            "messages.txt",
            "messages-20261201.txt",
            "messages_config.txt",
        ]);
        let s = select(Kind::Supportconfig, &rels);
        assert_eq!(s.used, v(&["messages-20261201.txt", "messages.txt"]));
        assert_eq!(
            s.unused.iter().map(|u| u.0.as_str()).collect::<Vec<_>>(),
            ["boot.txt"]
        );
        let s = select(
            Kind::Supportconfig,
            &v(&["basic-environment.txt", "boot.txt"]),
        );
        assert_eq!(s.used, v(&["boot.txt"]));
    }
}

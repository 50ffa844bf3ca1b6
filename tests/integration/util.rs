//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use oomlens::event::OomEvent;
use oomlens::input::Source;
use oomlens::input::discover::Input;
use oomlens::pipeline::{self, InputScan, ScanOptions};
use oomlens::report::{LocalZone, Report, ReportOptions};

/// `samples/` of the repository.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// A sample file by its path under `samples/`.
pub fn sample(rel: &str) -> PathBuf {
    samples().join(rel)
}

/// Scan options for reproducible tests: year-less stamps belong to 2026 (the lab
/// captures were made on 2026-11-21) whatever the checkout's file times are.
pub fn opts() -> ScanOptions {
    // As the binary does, so that plain files are searched mapped as in real runs.
    oomlens::input::install_sigbus_guard().expect("the SIGBUS guard installs");
    ScanOptions {
        year: Some(2026),
        now: chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
        ..ScanOptions::default()
    }
}

/// [`opts`] with a given buffer size, on the fast or the plain path.
pub fn opts_with(buffer_size: usize, every_line: bool) -> ScanOptions {
    ScanOptions {
        buffer_size,
        every_line,
        ..opts()
    }
}

/// Scans one file.
pub fn scan(path: &Path, o: &ScanOptions) -> InputScan {
    pipeline::scan_input(
        &Input {
            source: Source::Path(path.to_path_buf()),
            explicit: true,
        },
        o,
    )
}

/// The events of one sample file.
pub fn events(rel: &str) -> Vec<OomEvent> {
    scan(&sample(rel), &opts()).events.to_vec().unwrap()
}

/// A report over files, with times in UTC.
pub fn report(paths: &[PathBuf]) -> Report {
    let scans = paths.iter().map(|p| scan(p, &opts())).collect();
    Report::build(
        scans,
        &ReportOptions::new(
            Default::default(),
            LocalZone::Fixed(chrono::FixedOffset::east_opt(0).unwrap()),
        ),
    )
}

/// The `oomlens` binary with an environment that cannot change its output.
pub fn cmd() -> assert_cmd::Command {
    assert_cmd::Command::from_std(std_cmd())
}

/// [`cmd`] as a plain [`std::process::Command`], for tests that talk to a running process.
pub fn std_cmd() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_oomlens"));
    for var in [
        "NO_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "COLUMNS",
        "TERM",
        "LANG",
        "LC_ALL",
    ] {
        c.env_remove(var);
    }
    c.env("TZ", "UTC");
    c
}

/// `data` as one gzip member.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut e, data).expect("in memory");
    e.finish().expect("in memory")
}

/// The events of a scan, read back from its store.
pub fn events_of(s: &InputScan) -> Vec<OomEvent> {
    s.events.to_vec().expect("events read back")
}

/// Event lists as JSON, so that a failure shows a readable difference.
pub fn events_json(events: &[OomEvent]) -> String {
    serde_json::to_string_pretty(events).expect("events serialise")
}

/// Every file in a samples sub-folder with the given extension.
pub fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    sorted_files(&samples().join(dir), |p| {
        p.extension().is_some_and(|e| e == ext)
    })
}

/// The regular files of `dir` that `keep` accepts, sorted.
pub fn sorted_files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && keep(p))
        .collect();
    v.sort();
    v
}

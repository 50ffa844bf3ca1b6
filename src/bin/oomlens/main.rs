//! The `oomlens` command: parse arguments, settle the environment once, run, and map
//! the outcome to grep-like exit codes (0 events found, 1 none, 2 error).

mod args;
mod config;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{CommandFactory, Parser};

use oomlens::diag::Severity;
use oomlens::input::discover::Input;
use oomlens::pipeline::{self, InputScan};
use oomlens::render::{self, Format};
use oomlens::report::{EventReport, Report};

use crate::args::{Args, Command};
use crate::config::{Config, Mode};

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(err) => {
            // Rust ignores SIGPIPE, so `oomlens … | head` sees a write error where a C
            // tool would just die quietly: treat it as success.
            if err
                .chain()
                .filter_map(|c| c.downcast_ref::<io::Error>())
                .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("oomlens: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(cmd) = &args.command {
        let mut out = io::stdout().lock();
        match cmd {
            Command::Completions { shell } => {
                clap_complete::generate(*shell, &mut Args::command(), "oomlens", &mut out);
            }
            Command::Man => clap_mangen::Man::new(Args::command()).render(&mut out)?,
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let cfg = Config::from_args(args)?;
    for n in &cfg.notices {
        eprintln!("oomlens: {n}");
    }
    let stdout = io::stdout();
    let tty = stdout.is_terminal();
    let mut out: Box<dyn Write> = if tty {
        Box::new(io::LineWriter::new(stdout.lock()))
    } else {
        Box::new(BufWriter::with_capacity(64 * 1024, stdout.lock()))
    };
    let code = match &cfg.mode {
        Mode::Batch(inputs) if cfg.records => records(inputs, &cfg, &mut out)?,
        Mode::Batch(inputs) => {
            let scans = scan_with_progress(inputs, &cfg);
            report(scans, &cfg, tty, &mut out)?
        }
        Mode::Journal(extra) => {
            let mut child = oomlens::live::spawn_journalctl(extra)?;
            let stdout = child.stdout.take().expect("piped stdout");
            let scan = pipeline::scan_reader("journalctl", stdout, None, &cfg.scan);
            let status = child.wait()?;
            let mut scans = vec![scan];
            if !status.success() {
                scans[0].diagnostics.push(oomlens::diag::Diagnostic::new(
                    Severity::Error,
                    "journalctl",
                    "journalctl",
                    None,
                    format!("journalctl exited with {status}"),
                ));
            }
            report(scans, &cfg, tty, &mut out)?
        }
        Mode::Live(source, opts) => live(source, opts, &cfg, &mut out)?,
    };
    out.flush()?;
    Ok(code)
}

fn scan_with_progress(inputs: &[Input], cfg: &Config) -> Vec<InputScan> {
    let total: u64 = inputs
        .iter()
        .filter_map(|i| match &i.source {
            oomlens::input::Source::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            oomlens::input::Source::Stdin => None,
        })
        .sum();
    // A bar only helps when there is something to wait for.
    if !cfg.progress || total < 64 * 1024 * 1024 {
        return pipeline::scan_all(inputs, &cfg.scan);
    }
    let mut scan = cfg.scan.clone();
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    scan.progress = Some(counter.clone());
    let done = Arc::new(AtomicBool::new(false));
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {bytes}/{total_bytes} {bar:30} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let (b2, d2) = (bar.clone(), done.clone());
    let ticker = std::thread::spawn(move || {
        while !d2.load(Ordering::Relaxed) {
            b2.set_position(counter.load(Ordering::Relaxed));
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let scans = pipeline::scan_all(inputs, &scan);
    done.store(true, Ordering::Relaxed);
    let _ = ticker.join();
    bar.finish_and_clear();
    scans
}

fn report(
    scans: Vec<InputScan>,
    cfg: &Config,
    tty: bool,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let mut report = Report::build(scans, &cfg.report);
    report
        .diagnostics
        .splice(0..0, cfg.discovery.iter().cloned());
    // Problems go to stderr, unless the terminal report on the same screen lists them.
    if !(cfg.format == Format::Table && tty) {
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
        {
            eprintln!("oomlens: {d}");
        }
    }
    render::render(&report, cfg.format, &cfg.render, out)?;
    let code = exit_code(report.has_errors(), !report.is_empty());
    // The process ends next: freeing every event one by one would only delay the exit
    // (3 ms for the 1 GiB benchmark log). The spill file is already unlinked.
    std::mem::forget(report);
    Ok(code)
}

fn exit_code(errors: bool, found: bool) -> ExitCode {
    if errors {
        ExitCode::from(2)
    } else if found {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn records(inputs: &[Input], cfg: &Config, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut errors = false;
    let mut any = false;
    for input in inputs {
        let res = pipeline::decode_records(input, &cfg.scan, &mut |r| {
            any = true;
            serde_json::to_writer(&mut *out, &r).map_err(io::Error::from)?;
            out.write_all(b"\n")
        });
        if let Err(e) = res {
            if let oomlens::error::Error::Io { source, .. } = &e
                && source.kind() == io::ErrorKind::BrokenPipe
            {
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!("oomlens: {e}");
            errors = true;
        }
    }
    Ok(exit_code(errors, any))
}

fn live(
    source: &oomlens::live::LiveSource,
    opts: &oomlens::live::LiveOptions,
    cfg: &Config,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let mut id = 0;
    let mut recent: Vec<(Option<String>, u32, std::time::Instant)> = Vec::new();
    oomlens::live::run(source, opts, &mut |ev, evidence| {
        let now = std::time::Instant::now();
        recent.retain(|(_, _, t)| now.duration_since(*t) < Duration::from_secs(60));
        let earlier: Vec<u32> = recent
            .iter()
            .filter(|(h, _, _)| *h == ev.host)
            .map(|(_, p, _)| *p)
            .collect();
        for k in &ev.killed {
            recent.push((ev.host.clone(), k.pid, now));
        }
        // Filtered out before the analysis, which is the costly part.
        let (time, _) = oomlens::report::resolve_time(&ev, cfg.report.zone);
        if !cfg.report.filter.keeps(&ev, time) {
            return Ok(());
        }
        let rep = EventReport::new(ev, evidence, cfg.report.zone, id + 1, earlier);
        id += 1;
        render::render_event(&rep, cfg.format, &cfg.render, out)?;
        out.flush()
    })?;
    Ok(exit_code(false, id > 0))
}

//! The `oomlens` command: parse arguments, settle the environment once, run, and map
//! the outcome to grep-like exit codes (0 events found, 1 none, 2 error).

mod args;
mod config;
mod man;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{CommandFactory, Parser};

use oomlens::diag::{Diagnostic, Severity};
use oomlens::input::discover::Input;
use oomlens::pipeline::{self, InputScan};
use oomlens::render::{self, Format};
use oomlens::report::{EventReport, Report};

use crate::args::{Args, Command};
use crate::config::{Config, Mode};

fn main() -> ExitCode {
    // Plain logs are then searched mapped, which is faster; the guard keeps a log
    // truncated meanwhile from killing the process. Without it they are read instead.
    let _ = oomlens::input::install_sigbus_guard();
    let args = match Args::try_parse() {
        Ok(a) => a,
        // --help and --version (stdout) as clap writes them; an error names what was
        // typed, which may be anything: through the sanitiser, line by line.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let text = e.render().to_string();
            let mut err = io::stderr().lock();
            for line in text.lines() {
                let _ = writeln!(err, "{}", safe(line));
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
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
            say(&format!("error: {}", error_text(&err)));
            ExitCode::from(2)
        }
    }
}

/// One line on stderr: `oomlens: ` and `text` through the terminal sanitiser.
fn say(text: &str) {
    let _ = writeln!(io::stderr().lock(), "oomlens: {}", safe(text));
}

/// `text` safe for a terminal, on one line: file names, host names and messages from
/// logs reach stderr too, and a newline, an escape sequence (a title change, a screen
/// clear, an OSC 52 clipboard write) or a bidi control in them is shown escaped, so no
/// line can be forged and nothing can act on the terminal.
fn safe(text: &str) -> std::borrow::Cow<'static, str> {
    oomlens::render::sanitize::LogText::sentence(text.to_owned()).into_term()
}

/// The error and its causes, `: `-separated, each said once: a library error that
/// prints its cause (`journalctl: No such file or directory (os error 2)`) also hands
/// it out as its source, which would repeat it.
fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let c = cause.to_string();
        if text.ends_with(&c) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&c);
    }
    text
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(cmd) = &args.command {
        let mut out = io::stdout().lock();
        match cmd {
            Command::Completions { shell } => {
                clap_complete::generate(*shell, &mut Args::command(), "oomlens", &mut out);
            }
            Command::Man => man::write(Args::command(), &mut out)?,
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let cfg = Config::from_args(args)?;
    for n in &cfg.notices {
        say(&n.to_string());
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
            let scan = pipeline::scan_journal(extra, &cfg.scan)?;
            report(vec![scan], &cfg, tty, &mut out)?
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
    let problems: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .collect();
    let on_screen = cfg.format == Format::Table && tty;
    if !on_screen {
        for d in &problems {
            say(&d.to_string());
        }
    }
    cfg.format.renderer().report(&report, &cfg.render, out)?;
    if on_screen && problems.len() > render::PROBLEMS_LISTED {
        out.flush()?;
        unlisted_problems(
            &problems[render::PROBLEMS_LISTED..],
            cfg.all_diagnostics,
            &mut io::stderr().lock(),
        )?;
    }
    let code = exit_code(report.has_errors(), !report.is_empty());
    // The process ends next: freeing every event one by one would only delay the exit
    // (3 ms for the 1 GiB benchmark log). The spill file is already unlinked.
    std::mem::forget(report);
    Ok(code)
}

/// Writes what to say about the problems the terminal report left out: each of them
/// when `all` (`--all-diagnostics`), else how many there are and how to see them.
fn unlisted_problems(rest: &[&Diagnostic], all: bool, err: &mut dyn Write) -> io::Result<()> {
    if all {
        for d in rest {
            writeln!(err, "oomlens: {}", safe(&d.to_string()))?;
        }
    } else if !rest.is_empty() {
        let n = rest.len();
        let s = if n == 1 { "" } else { "s" };
        writeln!(
            err,
            "oomlens: {n} more problem{s} not listed above; --all-diagnostics lists them \
             here, --format json under \"diagnostics\""
        )?;
    }
    Ok(())
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
        let res = pipeline::records::decode_records(input, &cfg.scan, &mut |r| {
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
            say(&format!("error: {e}"));
            errors = true;
        }
    }
    Ok(exit_code(errors, any))
}

fn live(
    source: &oomlens::pipeline::live::LiveSource,
    opts: &oomlens::pipeline::live::LiveOptions,
    cfg: &Config,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let mut id = 0;
    let mut recent: Vec<(Option<oomlens::text::LogString>, u32, std::time::Instant)> = Vec::new();
    let mut emit = |ev: oomlens::event::OomEvent, evidence: &[oomlens::event::BootEvidence]| {
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
        cfg.format.renderer().event(&rep, &cfg.render, out)?;
        out.flush()
    };
    // `systemctl stop` and Ctrl-C end a live run like the end of its source: reports
    // that are complete, or waiting for the quiet period, are printed, and the exit
    // status is 0.
    let mut opts = opts.clone();
    if stop_on_signals().is_ok() {
        opts.stop = Some(&STOP);
    }
    oomlens::pipeline::live::run(source, &opts, &mut emit, &mut |d| say(&d.to_string()))?;
    if STOP.load(Ordering::Relaxed) {
        return Ok(ExitCode::SUCCESS);
    }
    Ok(exit_code(false, id > 0))
}

/// Set by SIGTERM/SIGINT in live runs.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// Makes SIGTERM and SIGINT set [`STOP`]; a second one acts as if oomlens had no
/// handler (`SA_RESETHAND`), so a run that does not stop can still be killed.
#[allow(unsafe_code)]
fn stop_on_signals() -> io::Result<()> {
    for sig in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: sigaction with a zeroed, then filled, struct; the handler only stores
        // to an atomic, which is async-signal-safe.
        let r = unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_stop as *const () as usize;
            act.sa_flags = libc::SA_RESETHAND | libc::SA_RESTART;
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaction(sig, &act, std::ptr::null_mut())
        };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(n: usize) -> Vec<Diagnostic> {
        (1..=n)
            .map(|i| {
                Diagnostic::new(
                    Severity::Warning,
                    "long-line",
                    "messages",
                    Some(i as u64),
                    "cut",
                )
            })
            .collect()
    }

    fn unlisted(all: bool, n: usize) -> String {
        let diags = problems(n);
        let rest: Vec<&Diagnostic> = diags.iter().skip(render::PROBLEMS_LISTED).collect();
        let mut err = Vec::new();
        unlisted_problems(&rest, all, &mut err).unwrap();
        String::from_utf8(err).unwrap()
    }

    #[test]
    fn problems_past_the_fifth_are_counted_or_listed() {
        assert_eq!(unlisted(false, 5), "");
        assert_eq!(
            unlisted(false, 6),
            "oomlens: 1 more problem not listed above; --all-diagnostics lists them here, \
             --format json under \"diagnostics\"\n"
        );
        assert_eq!(
            unlisted(false, 12),
            "oomlens: 7 more problems not listed above; --all-diagnostics lists them here, \
             --format json under \"diagnostics\"\n"
        );
        assert_eq!(
            unlisted(true, 7),
            "oomlens: warning: messages:6: cut\noomlens: warning: messages:7: cut\n"
        );
    }

    #[test]
    fn an_error_says_its_cause_once() {
        let io = || io::Error::from(io::ErrorKind::NotFound);
        let lib = oomlens::error::Error::Io {
            path: "journalctl".into(),
            source: io(),
        };
        let text = error_text(&anyhow::Error::new(lib));
        assert_eq!(text, format!("journalctl: {}", io()));
        // Context and a cause that adds something are kept.
        let err = anyhow::Error::new(io()).context("--since");
        assert_eq!(error_text(&err), format!("--since: {}", io()));
    }
}

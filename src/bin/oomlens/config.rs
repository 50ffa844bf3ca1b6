//! Arguments plus environment (terminal, NO_COLOR, width, stdin) → settings for the
//! library. Every environment check happens here, once.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::FixedOffset;

use oomlens::input::discover::{self, Input};
use oomlens::pipeline::ScanOptions;
use oomlens::pipeline::live::{LiveOptions, LiveSource};
use oomlens::record::FormatHint;
use oomlens::render::{Format, RenderOptions};
use oomlens::report::{Filter, LocalZone, ReportOptions, parse_when_in};

use crate::args::{Args, ColorArg, FormatArg, InputFormatArg};

/// Where the run's input comes from.
pub enum Mode {
    /// Files, folders, stdin.
    Batch(Vec<Input>),
    /// The journal, through journalctl.
    Journal(Vec<String>),
    /// A live source.
    Live(LiveSource, LiveOptions),
}

/// Everything the run needs.
pub struct Config {
    pub mode: Mode,
    /// Notes for stderr about what was read (default inputs).
    pub notices: Vec<String>,
    /// Diagnostics from finding inputs.
    pub discovery: Vec<oomlens::diag::Diagnostic>,
    pub scan: ScanOptions,
    pub report: ReportOptions,
    pub format: Format,
    pub render: RenderOptions,
    pub progress: bool,
    pub records: bool,
    /// List every problem, also those the terminal report leaves out.
    pub all_diagnostics: bool,
}

impl Config {
    pub fn from_args(a: Args) -> Result<Config> {
        let stdout_tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let color = use_color(a.output.color, stdout_tty, no_color, dumb);
        let format = match if a.output.json {
            FormatArg::Json
        } else {
            a.output.format
        } {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Ndjson => Format::Ndjson,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Html => Format::Html,
        };
        // The terminal's width; else COLUMNS when set (a pager's or a test's width).
        let width = stdout_tty
            .then(|| terminal_size::terminal_size().map(|(w, _)| w.0 as usize))
            .flatten()
            .or_else(|| {
                std::env::var("COLUMNS")
                    .ok()
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .filter(|w| *w > 0)
            });
        let zone = parse_zone(&a.output.tz)?;
        let now = zone.now();
        let when = |s: &Option<String>| -> Result<_> {
            s.as_deref()
                .map(|t| parse_when_in(t, now, zone).map_err(anyhow::Error::msg))
                .transpose()
        };
        let filter = Filter {
            since: when(&a.filters.since).context("--since")?,
            until: when(&a.filters.until).context("--until")?,
            comm: a.filters.comm,
            pid: a.filters.pid,
            cgroup: a.filters.cgroup,
            host: a.filters.host,
            killed_only: a.filters.killed_only,
            killer: a.filters.killer,
        };
        let mut scan = ScanOptions {
            hint: match a.input.input_format {
                InputFormatArg::Auto => FormatHint::Auto,
                InputFormatArg::Kmsg => FormatHint::Kmsg,
                InputFormatArg::JournalJson => FormatHint::JournalJson,
                InputFormatArg::Bare => FormatHint::Bare,
            },
            year: a.input.year,
            boot_time: a
                .input
                .boot_time
                .as_deref()
                .map(oomlens::record::clock::parse_boot_time)
                .transpose()
                .map_err(anyhow::Error::msg)
                .context("--boot-time")?,
            every_line: a.input.every_line || a.output.records,
            ..ScanOptions::default()
        };
        scan.assembler.keep_raw = a.output.raw || matches!(format, Format::Markdown | Format::Html);
        let mut notices = Vec::new();
        let mut discovery = Vec::new();
        let live = &a.live;
        let mode = if live.kmsg || live.follow.is_some() {
            if !a.paths.is_empty() {
                bail!("--kmsg and --follow read their own source; do not also give PATHs");
            }
            let source = match &live.follow {
                Some(p) => LiveSource::Follow {
                    path: p.clone(),
                    from_start: live.from_start,
                },
                None => LiveSource::Kmsg {
                    path: live.kmsg_path.clone(),
                },
            };
            Mode::Live(
                source,
                LiveOptions {
                    scan: scan.clone(),
                    flush_after: Duration::from_millis(live.flush_ms.max(10)),
                    deadline: None,
                    // Set by the SIGTERM/SIGINT handler the program installs.
                    stop: None,
                },
            )
        } else if live.journal == Some(None) {
            if !a.paths.is_empty() {
                bail!("--journal reads the journal; do not also give PATHs");
            }
            let mut extra = Vec::new();
            if let Some(s) = &a.filters.since {
                extra.push(format!("--since={s}"));
            }
            if let Some(u) = &a.filters.until {
                extra.push(format!("--until={u}"));
            }
            Mode::Journal(extra)
        } else {
            let mut paths = a.paths;
            // A journal folder or file is read in process like any PATH.
            if let Some(Some(j)) = &live.journal {
                paths.push(j.clone());
            }
            if paths.is_empty() {
                if !std::io::stdin().is_terminal() {
                    paths.push(PathBuf::from("-"));
                } else {
                    let found = discover::default_system_logs(&a.input.log_dir);
                    if found.is_empty() {
                        bail!(
                            "no PATH given and no kernel log found in {} (messages*, kern.log*, syslog*); \
                             try `journalctl -k | oomlens`, `oomlens --journal`, or `dmesg | oomlens`",
                            a.input.log_dir.display()
                        );
                    }
                    let names: Vec<String> =
                        found.iter().map(|p| p.display().to_string()).collect();
                    notices.push(format!("no PATH given: reading {}", names.join(", ")));
                    paths = found;
                }
            }
            let d = discover::expand(&paths);
            discovery = d.diagnostics;
            if d.inputs.is_empty() && discovery.is_empty() {
                bail!(
                    "no inputs found in {}",
                    paths
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            Mode::Batch(d.inputs)
        };
        let progress = !a.output.no_progress
            && std::io::stderr().is_terminal()
            && matches!(mode, Mode::Batch(_));
        Ok(Config {
            mode,
            notices,
            discovery,
            scan,
            report: ReportOptions::new(filter, zone),
            format,
            render: RenderOptions {
                color,
                top: a.output.top,
                summary_only: a.output.summary,
                width,
                max_chars: a.output.max_chars,
            },
            progress,
            records: a.output.records,
            all_diagnostics: a.output.all_diagnostics,
        })
    }
}

/// `UTC`, `Z`, `+02:00`, `-0500`, an IANA zone name, or `local`.
fn parse_zone(s: &str) -> Result<LocalZone> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("local") {
        return Ok(LocalZone::System);
    }
    if t.eq_ignore_ascii_case("utc") || t == "Z" || t.eq_ignore_ascii_case("gmt") {
        return Ok(LocalZone::Fixed(FixedOffset::east_opt(0).expect("zero")));
    }
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => {
            return chrono_tz::Tz::from_str_insensitive(t)
                .map(LocalZone::Named)
                .map_err(|_| {
                    anyhow::anyhow!(
                        "--tz {s}: use UTC, local, an offset like +02:00, or a zone name like \
                         Europe/Berlin"
                    )
                });
        }
    };
    let digits: String = rest.chars().filter(|c| c.is_ascii_digit()).collect();
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>()?, 0),
        4 => (digits[..2].parse::<i32>()?, digits[2..].parse::<i32>()?),
        _ => bail!("--tz {s}: use UTC, local, or an offset like +02:00"),
    };
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
        .map(LocalZone::Fixed)
        .with_context(|| format!("--tz {s}: offset out of range"))
}

/// Colour on a terminal unless `NO_COLOR` is set or `TERM=dumb`; `--color` overrides.
fn use_color(arg: ColorArg, tty: bool, no_color: bool, dumb: bool) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => tty && !no_color && !dumb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_terminal_no_color_and_term() {
        // (arg, stdout is a terminal, NO_COLOR set, TERM=dumb) → colour
        let cases = [
            (ColorArg::Auto, true, false, false, true),
            (ColorArg::Auto, true, true, false, false),
            (ColorArg::Auto, true, false, true, false),
            (ColorArg::Auto, false, false, false, false),
            (ColorArg::Always, false, true, true, true),
            (ColorArg::Never, true, false, false, false),
        ];
        for (arg, tty, no_color, dumb, want) in cases {
            assert_eq!(
                use_color(arg, tty, no_color, dumb),
                want,
                "{arg:?} {tty} {no_color} {dumb}"
            );
        }
    }
}

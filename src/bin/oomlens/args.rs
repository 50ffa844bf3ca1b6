//! Command-line arguments as the user typed them (clap derive).

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

/// Forensics for Linux OOM kills from kernel logs.
///
/// oomlens reads kernel logs in any shape (syslog /var/log/messages and kern.log,
/// journalctl -k in any -o mode including json, dmesg, dmesg -T, /dev/kmsg records;
/// plain or rotated with gzip, zstd, xz or bzip2; files, folders or stdin), groups
/// each OOM-killer report into one event, rebuilds the kernel's badness ranking to
/// explain why the victim was chosen, says what filled memory and whose cgroup it was.
///
/// With no PATH: standard input when it is a pipe, else the system's kernel logs
/// (/var/log/messages*, /var/log/kern.log*, /var/log/syslog*, oldest first).
///
/// Exit status: 0 if OOM events were found, 1 if none, 2 on error (also when some
/// inputs could not be read and others could).
#[derive(Parser, Debug)]
#[command(
    name = "oomlens",
    version,
    about = "Forensics for Linux OOM kills from kernel logs",
    long_about,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  oomlens /var/log/messages\n  oomlens /var/log/                       # a folder: every file, rotations oldest first\n  journalctl -k -b -1 | oomlens\n  journalctl -k -o json | oomlens --format ndjson\n  dmesg -T | oomlens --top 5\n  oomlens --since yesterday --comm java --format markdown /var/log/messages* > ticket.md\n  oomlens --format html /var/log/ > oom-report.html\n  oomlens --kmsg --format ndjson          # watch the running kernel"
)]
pub struct Args {
    /// Log files, folders (read recursively; files in them that are not logs, such as
    /// binaries and non-journal JSON, are skipped and counted) or `-` for standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub filters: FilterArgs,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub live: LiveArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Output settings.
#[derive(ClapArgs, Debug)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format: a terminal report, one JSON document, one JSON event per line,
    /// Markdown for tickets, or one self-contained HTML page with charts (timeline,
    /// memory composition, ranking bars) for tickets and post-mortems. `-o`/`--output`
    /// as in journalctl and kubectl.
    #[arg(
        short = 'f',
        long,
        value_enum,
        default_value_t = FormatArg::Table,
        visible_short_alias = 'o',
        visible_alias = "output"
    )]
    pub format: FormatArg,

    /// Shorthand for `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Rows of each event's ranking to show (the victim is always shown); `all` for
    /// every row.
    #[arg(long, value_name = "N|all", default_value = "10", value_parser = parse_top)]
    pub top: usize,

    /// Size budget: Markdown in characters (default 65,536, GitHub's limit for an issue
    /// body; e.g. 32000 for a Jira field), an HTML page in bytes (default 5,000,000).
    /// Past it, the raw kernel lines are left out first, then whole event sections,
    /// each with a note.
    #[arg(long, value_name = "N")]
    pub max_chars: Option<usize>,

    /// Print only the aggregate view (per host, cgroup, command and day, repeat
    /// offenders): for batch scans of many archives.
    #[arg(long)]
    pub summary: bool,

    /// Colour: auto means when stdout is a terminal and NO_COLOR is not set.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Show each report's lines as the log has them: the terminal under "Raw", JSON
    /// in "raw" (Markdown and HTML always have them, in a collapsed block, while the
    /// --max-chars budget lasts).
    #[arg(long)]
    pub raw: bool,

    /// Time zone for log times that carry none (RFC 3164 syslog, journalctl short,
    /// dmesg -T) and for --since/--until: `UTC`, `+02:00`, `-05:00`, an IANA name
    /// (`Europe/Berlin`, `America/New_York`), or `local` (the zone of this machine).
    #[arg(
        long,
        value_name = "ZONE",
        default_value = "local",
        allow_hyphen_values = true
    )]
    pub tz: String,

    /// Print the decoded log records (one JSON object per line) instead of events:
    /// shows what oomlens made of each line.
    #[arg(long)]
    pub records: bool,

    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,

    /// On a terminal, also list the problems the report leaves out (it shows the
    /// first five) on stderr after it. Elsewhere stderr gets them all anyway, and
    /// `--format json` has them all under "diagnostics".
    #[arg(long)]
    pub all_diagnostics: bool,
}

/// Which events to report.
#[derive(ClapArgs, Debug)]
#[command(next_help_heading = "Filters")]
pub struct FilterArgs {
    /// Only events at or after this time: `2026-11-21`, `'2026-11-21 22:00'`,
    /// `'Nov 21 22:00'` (the syslog stamp), `22:00`, `-2h`, `'3 days ago'`,
    /// `yesterday`, `today`, `@EPOCH`. `-S` as in journalctl.
    #[arg(short = 'S', long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,

    /// Only events at or before this time (same forms as --since). `-U` as in
    /// journalctl.
    #[arg(short = 'U', long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,

    /// Only events whose victim or allocating task name contains NAME (repeatable).
    #[arg(long, value_name = "NAME")]
    pub comm: Vec<String>,

    /// Only events whose victim or allocating task has this PID (repeatable).
    #[arg(long, value_name = "PID")]
    pub pid: Vec<u32>,

    /// Only events whose memory cgroup path contains TEXT (repeatable). A pod UID
    /// as kubectl prints it (`5931aa75-4603-…`) also matches the systemd spelling in
    /// the path (`pod5931aa75_4603_…`).
    #[arg(long, value_name = "TEXT")]
    pub cgroup: Vec<String>,

    /// Only events from a host whose name contains HOST, case-insensitive
    /// (repeatable).
    #[arg(long, value_name = "HOST")]
    pub host: Vec<String>,

    /// Only events in which a task was killed.
    #[arg(long)]
    pub killed_only: bool,

    /// Only kills by this killer (repeatable): kernel, systemd-oomd, earlyoom, oomd,
    /// nohang, lmkd, kubelet-eviction, talos-oom-controller, android-lmk-kernel.
    #[arg(long, value_name = "NAME", value_parser = parse_killer)]
    pub killer: Vec<oomlens::event::Killer>,
}

/// A `--killer` name.
fn parse_killer(s: &str) -> Result<oomlens::event::Killer, String> {
    oomlens::event::Killer::parse(s).ok_or_else(|| {
        let names: Vec<&str> = oomlens::event::Killer::ALL
            .iter()
            .map(|k| k.key())
            .collect();
        format!("unknown killer (one of: {})", names.join(", "))
    })
}

/// How to read inputs.
#[derive(ClapArgs, Debug)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// Year of the last year-less time stamp (syslog and journalctl short have no
    /// year; by default it comes from the file's modification time).
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,

    /// When the machine booted, for logs with only seconds since boot (raw dmesg,
    /// /dev/kmsg): `uptime -s` or `who -b` output from that boot, `2026-11-21
    /// 10:00:00` (read in --tz), RFC 3339 or @EPOCH. Applies to each input's last
    /// boot; times derived from it are approximate.
    #[arg(long, value_name = "TIME")]
    pub boot_time: Option<String>,

    /// Assume every line has this shape instead of detecting it per line.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto, value_name = "SHAPE")]
    pub input_format: InputFormatArg,

    /// Read every line instead of searching for OOM markers between reports (slower;
    /// the same events, except that a reboot shown only by a printk clock going back
    /// in a line without a marker is seen here and not by the search).
    #[arg(long, hide = true)]
    pub every_line: bool,

    /// Folder with the system's default logs (for testing).
    #[arg(long, hide = true, default_value = "/var/log")]
    pub log_dir: PathBuf,
}

/// Watching a running machine.
#[derive(ClapArgs, Debug)]
#[command(next_help_heading = "Live")]
pub struct LiveArgs {
    /// Read the kernel ring buffer from /dev/kmsg (what is in it, then follow), and
    /// print each event as soon as it is complete.
    #[arg(long, conflicts_with_all = ["follow", "journal"])]
    pub kmsg: bool,

    /// Follow a log file across rotation (like `tail -F`) and print each event as it
    /// completes.
    #[arg(long, value_name = "FILE", conflicts_with = "journal")]
    pub follow: Option<PathBuf>,

    /// Read the kernel messages of the systemd journal. With a PATH (a journal folder
    /// such as /var/log/journal, like `journalctl -D DIR`, or a .journal/.journal~
    /// file, like `journalctl --file FILE`): read in process, no journalctl needed,
    /// alongside any other PATHs. Without: run `journalctl -o json` on this
    /// machine's journal for this boot's kernel messages and the messages of the
    /// userspace OOM killers and systemd (who killed: --killer), with --since/--until
    /// passed on.
    #[arg(long, value_name = "PATH", num_args = 0..=1)]
    pub journal: Option<Option<PathBuf>>,

    /// With --kmsg/--follow: also read what was logged before starting (default:
    /// --kmsg reads the ring buffer's current contents, --follow starts at the end).
    #[arg(long)]
    pub from_start: bool,

    /// With --kmsg/--follow: close a report that got no new line for this long, so an
    /// event missing its last line is still printed; a kill in a systemd unit also waits
    /// this long for systemd's lines about the unit.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub flush_ms: u64,

    /// Device to read with --kmsg.
    #[arg(long, hide = true, default_value = "/dev/kmsg")]
    pub kmsg_path: PathBuf,
}

/// Extra commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// `--format` values.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    /// Terminal report.
    Table,
    /// One JSON document (schema in docs/schema.json).
    Json,
    /// One JSON event per line.
    Ndjson,
    /// Markdown for tickets.
    Markdown,
    /// One self-contained HTML page with SVG charts (no script, works offline).
    Html,
}

/// `--color` values.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorArg {
    /// When stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `--input-format` values.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormatArg {
    /// Detect per line.
    Auto,
    /// /dev/kmsg records.
    Kmsg,
    /// journalctl -o json.
    JournalJson,
    /// Message text only (dmesg -t, journalctl -o cat).
    Bare,
}

/// `--top N` or `--top all`.
fn parse_top(s: &str) -> Result<usize, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(usize::MAX);
    }
    s.parse()
        .map_err(|_| format!("{s}: a number of rows, or `all`"))
}

//! The man page `oomlens man` prints. Options, their help, aliases, values and defaults
//! come from the same clap definition as `--help`, so the two cannot drift; the sections
//! clap has no words for (description, exit status, environment, files, examples) are
//! written here.
//!
//! clap_mangen's section renderers are not used: its options section makes each help
//! heading a top-level section and leaves out visible aliases (`-o`, `--output`), its
//! synopsis lists every flag without its value, and its subcommands section refers to
//! pages such as `oomlens-completions(1)` that do not exist. The page is built with the
//! roff crate clap_mangen re-exports, which escapes text (backslashes, `-` as `\-`,
//! leading dots and apostrophes).

use std::io::{self, Write};

use clap::{Arg, Command};
use clap_mangen::roff::{Inline, Roff, bold, italic, roman};

/// Writes the page for the `oomlens` command to `out`.
pub fn write(cmd: Command, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(cmd).as_bytes())
}

/// What the EXAMPLES section shows: what it does, and the command, in lines that fit
/// 80 columns (continued with `\`). Every example of `--help` is among them (a test
/// checks it).
const EXAMPLES: &[(&str, &str)] = &[
    ("Analyse a syslog file:", "oomlens /var/log/messages"),
    (
        "Every log in a folder, rotated archives (.gz, .zst, .xz, .bz2) included, oldest \
         first:",
        "oomlens /var/log/",
    ),
    (
        "The kernel messages of the previous boot, from standard input:",
        "journalctl -k -b -1 | oomlens",
    ),
    (
        "journalctl's JSON output, turned into one JSON event per line for other tools:",
        "journalctl -k -o json | oomlens --format ndjson",
    ),
    (
        "A journal folder copied from another machine, read without journalctl:",
        "oomlens --journal incident/var/log/journal",
    ),
    (
        "The ring buffer with wall-clock times, the five highest-ranked tasks of each \
         report:",
        "dmesg -T | oomlens --top 5",
    ),
    (
        "Kills of Java processes in the last two days, in every log of a folder:",
        "oomlens -S '2 days ago' --comm java /var/log/",
    ),
    (
        "Kills of Java processes since yesterday, as Markdown for a ticket:",
        "oomlens --since yesterday --comm java --format markdown \\\n    /var/log/messages* > ticket.md",
    ),
    (
        "One self-contained HTML page with charts, for a post-mortem:",
        "oomlens --format html /var/log/ > oom-report.html",
    ),
    (
        "Watch the running kernel and print each event as one JSON line as soon as it is \
         complete:",
        "oomlens --kmsg --format ndjson",
    ),
];

/// Real pages only.
const SEE_ALSO: &[(&str, &str)] = &[
    ("dmesg", "1"),
    ("journalctl", "1"),
    ("systemd-journald.service", "8"),
    ("systemd-oomd.service", "8"),
    ("systemd.resource-control", "5"),
    ("proc", "5"),
    ("cgroups", "7"),
];

fn render(mut cmd: Command) -> String {
    cmd.build();
    let mut r = Roff::new();
    let source = format!("oomlens {}", cmd.get_version().unwrap_or_default());
    // No date: the page is the same for every build of a version. An empty argument
    // must be written `""`, or the ones after it shift left.
    r.control("TH", ["OOMLENS", "1", "\"\"", &source, "User Commands"]);
    // Commands and paths in the text are copied: no hyphenation, no stretched spaces.
    r.control("nh", []);
    r.control("ad", ["l"]);

    r.control("SH", ["NAME"]);
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    r.text([roman(format!("oomlens - {about}"))]);

    synopsis(&mut r);
    description(&mut r);
    options(&mut r, &cmd);
    commands(&mut r, &cmd);
    exit_status(&mut r);
    environment(&mut r);
    files(&mut r);
    examples(&mut r);

    r.control("SH", ["SEE ALSO"]);
    let mut line = Vec::new();
    for (i, (page, section)) in SEE_ALSO.iter().enumerate() {
        let sep = if i + 1 < SEE_ALSO.len() { ", " } else { "" };
        line.push(bold(*page));
        line.push(roman(format!("({section}){sep}")));
    }
    r.text(line);

    ascii(&r.render())
}

fn synopsis(r: &mut Roff) {
    r.control("SH", ["SYNOPSIS"]);
    let forms: [&[Inline]; 6] = [
        &[
            bold("oomlens"),
            roman(" ["),
            italic("OPTION"),
            roman("]... ["),
            italic("PATH"),
            roman("]..."),
        ],
        &[
            bold("oomlens --journal"),
            roman(" ["),
            italic("PATH"),
            roman("] ["),
            italic("OPTION"),
            roman("]..."),
        ],
        &[
            bold("oomlens --kmsg"),
            roman(" ["),
            italic("OPTION"),
            roman("]..."),
        ],
        &[
            bold("oomlens --follow"),
            roman(" "),
            italic("FILE"),
            roman(" ["),
            italic("OPTION"),
            roman("]..."),
        ],
        &[bold("oomlens completions"), roman(" "), italic("SHELL")],
        &[bold("oomlens man")],
    ];
    for (i, form) in forms.into_iter().enumerate() {
        if i > 0 {
            r.control("br", []);
        }
        r.text(form.to_vec());
    }
}

fn description(r: &mut Roff) {
    r.control("SH", ["DESCRIPTION"]);
    paragraphs(
        r,
        &[
            "oomlens reads Linux kernel logs, finds every report of the kernel's out-of-memory \
         (OOM) killer, groups each report into one event, and explains it: which task was \
         killed and why the kernel chose it (the kernel's oom_badness() ranking rebuilt from \
         the task table in the report, with each task's points and the part oom_score_adj \
         played), what filled memory (anonymous memory, page cache, shared memory and tmpfs, \
         kernel memory; a memory cgroup's limit or the whole machine), and whose memory it \
         was (the pod, container, systemd service or user session named by the memory \
         cgroup).",
            "Each line's shape is detected by its structure, with no flag (`--input-format` can \
         force one): syslog files such as /var/log/messages, /var/log/syslog and \
         /var/log/kern.log (RFC 3164, RFC 3339 and RFC 5424 time stamps); the output of \
         `journalctl -k` in any `-o` mode, `json` included; the journal's own files \
         (.journal, .journal~), read without journalctl; the output of `dmesg` and \
         `dmesg -T`; /dev/kmsg records. Files compressed with gzip, zstd, xz or bzip2 are \
         detected by their content. A folder is read recursively, rotated logs oldest \
         first; files in it that are not logs are skipped and counted. A PATH of `-` is \
         standard input.",
            "With no PATH, oomlens reads standard input when it is not a terminal, and \
         otherwise the system's kernel logs: /var/log/messages*, /var/log/kern.log* and \
         /var/log/syslog*, oldest first.",
            "The report starts with an overview (the inputs read, the time span, the hosts, \
         cgroups and victims, the filters applied and how many events they left out), \
         then lists the events in time order and describes each. `--format` chooses a \
         report for the terminal (`table`), one JSON document (`json`; its JSON Schema is \
         docs/schema.json in oomlens's source) or one JSON object per event (`ndjson`) \
         for other tools, Markdown for a ticket, or one self-contained HTML page with \
         charts. `--summary` prints only the view across events: per host, cgroup, \
         command and day, and what was killed more than once.",
            "Syslog and `journalctl -o short` time stamps carry no year: it is taken from the \
         file's modification time (`--year` sets it). Stamps without a time zone are read \
         in the local zone (`--tz` sets it). Raw `dmesg` output and /dev/kmsg give only \
         the seconds since boot: their events have no date, and `--since` or `--until` \
         leave them out with a warning.",
            "Problems met while reading (an input that cannot be read, a cut line, a report \
         with lines missing) are warnings or errors on standard error, each on a line \
         starting `oomlens:`. A terminal report shown on a terminal lists the first five \
         itself instead and counts the others (`--all-diagnostics` lists them).",
            "`--kmsg` and `--follow` watch a running machine and print each event as soon as \
         its report is complete, until stopped with SIGINT (Ctrl-C) or SIGTERM; the \
         reports still pending are printed first. A second signal ends oomlens at once.",
        ],
    );
}

/// Every option that `--help` shows, grouped under its help heading as there.
fn options(r: &mut Roff, cmd: &Command) {
    r.control("SH", ["OPTIONS"]);
    let shown: Vec<&Arg> = cmd.get_arguments().filter(|a| !a.is_hide_set()).collect();
    let mut headings: Vec<Option<&str>> = vec![None];
    for a in &shown {
        if !headings.contains(&a.get_help_heading()) {
            headings.push(a.get_help_heading());
        }
    }
    for heading in headings {
        if let Some(h) = heading {
            r.control("SS", [h]);
        }
        let mut group: Vec<&Arg> = shown
            .iter()
            .copied()
            .filter(|a| a.get_help_heading() == heading)
            .collect();
        // Operands first, then in the order of --help.
        group.sort_by_key(|a| (!a.is_positional(), a.get_display_order()));
        for a in group {
            option(r, a);
        }
    }
}

fn option(r: &mut Roff, a: &Arg) {
    let mut head = Vec::new();
    let mut names: Vec<String> = Vec::new();
    if let Some(s) = a.get_short() {
        names.push(format!("-{s}"));
    }
    if let Some(l) = a.get_long() {
        names.push(format!("--{l}"));
    }
    for s in a.get_visible_short_aliases().unwrap_or_default() {
        names.push(format!("-{s}"));
    }
    for l in a.get_visible_aliases().unwrap_or_default() {
        names.push(format!("--{l}"));
    }
    for (i, n) in names.into_iter().enumerate() {
        if i > 0 {
            head.push(roman(", "));
        }
        head.push(bold(n));
    }
    let range = a.get_num_args().unwrap_or_default();
    let takes_values = a.is_positional() || range.takes_values();
    if takes_values {
        let value = a
            .get_value_names()
            .map(|v| v.join(" "))
            .unwrap_or_else(|| a.get_id().as_str().to_uppercase());
        if !a.is_positional() {
            head.push(roman(" "));
        }
        let optional = if a.is_positional() {
            !a.is_required_set()
        } else {
            range.min_values() == 0
        };
        if optional {
            head.push(roman("["));
        }
        head.push(italic(value));
        if optional {
            head.push(roman("]"));
        }
        if range.max_values() > 1 {
            head.push(roman("..."));
        }
    }
    r.control("TP", []);
    r.text(head);

    let help = a
        .get_long_help()
        .or_else(|| a.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default();
    let mut paragraphs = help.split("\n\n").map(sentence);
    let mut first = paragraphs.next().unwrap_or_default();
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if takes_values && !a.is_hide_default_value_set() && !defaults.is_empty() {
        first.push_str(&format!(" Default: `{}`.", defaults.join(",")));
    }
    r.text(prose(&first));
    for p in paragraphs {
        r.control("IP", []);
        r.text(prose(&p));
    }
    let values: Vec<_> = if takes_values && !a.is_hide_possible_values_set() {
        a.get_possible_values()
            .into_iter()
            .filter(|v| !v.is_hide_set())
            .collect()
    } else {
        Vec::new()
    };
    if !values.is_empty() {
        r.control("RS", []);
        for (i, v) in values.into_iter().enumerate() {
            if i == 1 {
                // One value a line after a blank one.
                r.control("PD", ["0"]);
            }
            r.control("TP", []);
            r.text([bold(v.get_name())]);
            let help = v.get_help().map(|h| h.to_string()).unwrap_or_default();
            r.text(prose(&sentence(&help)));
        }
        r.control("PD", []);
        r.control("RE", []);
    }
}

/// The commands, described here: there is no page per command.
fn commands(r: &mut Roff, cmd: &Command) {
    r.control("SH", ["COMMANDS"]);
    // `help` only repeats --help.
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let mut head = vec![bold(format!("oomlens {}", sub.get_name()))];
        let mut values = Vec::new();
        for p in sub.get_positionals().filter(|p| !p.is_hide_set()) {
            let name = p
                .get_value_names()
                .map(|v| v.join(" "))
                .unwrap_or_else(|| p.get_id().as_str().to_uppercase());
            head.push(roman(" "));
            head.push(italic(name.clone()));
            let names: Vec<String> = p
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| format!("`{}`", v.get_name()))
                .collect();
            if !names.is_empty() {
                values.push(format!("{name} is one of {}.", names.join(", ")));
            }
        }
        r.control("TP", []);
        r.text(head);
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let mut text = format!("{} on standard output.", about.trim_end_matches('.'));
        for v in values {
            text.push(' ');
            text.push_str(&v);
        }
        r.text(prose(&text));
        let usage: &[&str] = match sub.get_name() {
            "completions" => &[
                "oomlens completions bash > /etc/bash_completion.d/oomlens",
                "oomlens completions zsh > \"${fpath[1]}/_oomlens\"",
            ],
            "man" => &[
                "oomlens man | man -l -",
                "oomlens man > /usr/local/share/man/man1/oomlens.1",
            ],
            _ => &[],
        };
        if !usage.is_empty() {
            // Inside the item's indent, and the commands further in.
            r.control("RS", []);
            para(r, "For example:");
            block(r, usage);
            r.control("RE", []);
        }
    }
}

fn exit_status(r: &mut Roff) {
    r.control("SH", ["EXIT STATUS"]);
    for (code, text) in [
        (
            "0",
            "OOM events were found (at least one event after the filters). Also: `--records` \
             printed at least one record; `--kmsg` or `--follow` was stopped by SIGINT or \
             SIGTERM; `completions`, `man`, `--help` and `--version`; and output that ended \
             because its reader went away (`oomlens ... | head`).",
        ),
        (
            "1",
            "No OOM event was found, or the filters left none (with `--records`: no record \
             was decoded).",
        ),
        (
            "2",
            "An error, said on standard error: a wrong option or value; no input found; an \
             input that could not be read, or whose reading stopped partway, or a file named \
             on the command line that is not a log; `journalctl` that could not be run or \
             failed (`--journal` without PATH); a /dev/kmsg that cannot be read. The report \
             of what could be read is still printed, and events found in other inputs do not \
             change the status. Warnings, such as a file skipped in a folder or a cut line, \
             do not change it either.",
        ),
    ] {
        r.control("TP", []);
        r.text([bold(code)]);
        r.text(prose(text));
    }
}

fn environment(r: &mut Roff) {
    r.control("SH", ["ENVIRONMENT"]);
    for (name, text) in [
        (
            "NO_COLOR",
            "When set and not empty, no colour with `--color auto` (the default).",
        ),
        ("TERM", "When `dumb`, no colour with `--color auto`."),
        (
            "COLUMNS",
            "The width the terminal report fits when standard output is not a terminal \
             (on a terminal its own width is used). Without it, text wraps at 100 columns \
             and tables take up to 160.",
        ),
        (
            "TZ",
            "The local time zone, used with `--tz local` (the default): times logged without \
             a zone, and `--since` and `--until`, are read in it. When unset, \
             /etc/localtime.",
        ),
        (
            "TMPDIR",
            "Folder for the temporary files of large scans (default /tmp): the events past \
             a memory budget of a few MiB, and the time order of many events, are written \
             there to files already deleted, so nothing is left behind. When it cannot be \
             written they stay in memory, with a warning.",
        ),
        (
            "PATH",
            "Searched for `journalctl` when `--journal` is given without a PATH.",
        ),
    ] {
        r.control("TP", []);
        r.text([bold(name)]);
        r.text(prose(text));
    }
}

fn files(r: &mut Roff) {
    r.control("SH", ["FILES"]);
    for (name, text) in [
        (
            "/var/log/messages*, /var/log/kern.log*, /var/log/syslog*",
            "Read when no PATH is given and standard input is a terminal, rotated logs \
             oldest first.",
        ),
        (
            "/var/log/journal, /run/log/journal",
            "The systemd journal's persistent and volatile folders: `oomlens --journal \
             /var/log/journal` reads the journal files in them without journalctl.",
        ),
        (
            "/dev/kmsg",
            "The kernel's log buffer, read by `--kmsg`. Reading it needs root or CAP_SYSLOG \
             when the sysctl kernel.dmesg_restrict is 1.",
        ),
        ("/etc/localtime", "The local time zone when TZ is unset."),
    ] {
        r.control("TP", []);
        r.text([bold(name)]);
        r.text(prose(text));
    }
}

fn examples(r: &mut Roff) {
    r.control("SH", ["EXAMPLES"]);
    for (i, (what, command)) in EXAMPLES.iter().enumerate() {
        if i > 0 {
            r.control("PP", []);
        }
        r.text(prose(what));
        let lines: Vec<&str> = command.lines().collect();
        block(r, &lines);
    }
}

/// Commands to copy, one a line, indented and never filled or broken.
fn block(r: &mut Roff, lines: &[&str]) {
    r.control("RS", ["4"]);
    r.control("nf", []);
    for line in lines {
        r.text([roman(*line)]);
    }
    r.control("fi", []);
    r.control("RE", []);
}

fn para(r: &mut Roff, text: &str) {
    r.control("PP", []);
    r.text(prose(text));
}

/// Paragraphs right after a heading, which starts the first.
fn paragraphs(r: &mut Roff, texts: &[&str]) {
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            r.control("PP", []);
        }
        r.text(prose(text));
    }
}

/// `text` with a full stop at the end unless it ends a sentence already.
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() || t.ends_with(['.', ':', '!', '?']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}

/// Text in roman with each `backtick` span in bold, as --help writes commands and
/// values, its spaces unbreakable so that a command is never split across lines; a
/// backtick without its pair is kept as it is.
fn prose(text: &str) -> Vec<Inline> {
    let mut parts: Vec<String> = text.split('`').map(str::to_owned).collect();
    if parts.len().is_multiple_of(2) {
        let last = parts.pop().unwrap_or_default();
        if let Some(prev) = parts.last_mut() {
            prev.push('`');
            prev.push_str(&last);
        }
    }
    parts
        .into_iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(i, p)| {
            if i % 2 == 1 {
                bold(p.replace(' ', NBSP))
            } else {
                roman(p)
            }
        })
        .collect()
}

/// A space where no line may break (`\ ` in roff).
const NBSP: &str = "\u{a0}";

/// The page in ASCII: a character past it is written as groff's `\[uXXXX]`, which
/// every formatter reads whatever the input encoding (man pipes pages through preconv,
/// plain groff reads Latin-1); a no-break space as roff's own, `\ `.
fn ascii(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for c in page.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if c == '\u{a0}' {
            out.push_str("\\ ");
        } else {
            out.push_str(&format!("\\[u{:04X}]", c as u32));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;
    use clap::{CommandFactory, Parser};

    fn page() -> String {
        render(Args::command())
    }

    /// An example on one line, as --help writes it.
    fn joined(command: &str) -> String {
        command
            .replace("\\\n", " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The words of a shell command, split as sh would for the forms the examples use
    /// (spaces, single quotes), up to a pipe or redirection.
    fn words(command: &str) -> Vec<String> {
        let command = joined(command);
        let mut out = Vec::new();
        let (mut word, mut quoted, mut any) = (String::new(), false, false);
        for c in command.chars() {
            match c {
                '\'' => {
                    quoted = !quoted;
                    any = true;
                }
                ' ' if !quoted => {
                    if any {
                        out.push(std::mem::take(&mut word));
                        any = false;
                    }
                }
                '|' | '>' if !quoted => break,
                _ => {
                    word.push(c);
                    any = true;
                }
            }
        }
        if any {
            out.push(word);
        }
        out
    }

    #[test]
    fn every_example_parses_as_written() {
        for (_, command) in EXAMPLES {
            // The oomlens part of a pipeline.
            let part = command.rsplit("| ").next().unwrap();
            let argv = words(part);
            assert_eq!(argv[0], "oomlens", "{command}");
            if let Err(e) = Args::try_parse_from(&argv) {
                panic!("{command}: {e}");
            }
        }
    }

    #[test]
    fn the_help_examples_are_among_the_pages() {
        let cmd = Args::command();
        let after = cmd.get_after_help().unwrap().to_string();
        let mut n = 0;
        for line in after
            .lines()
            .skip_while(|l| !l.starts_with("Examples:"))
            .skip(1)
        {
            let command = line.split('#').next().unwrap().trim();
            assert!(
                EXAMPLES.iter().any(|(_, c)| joined(c) == command),
                "`{command}` in --help is not in the man page's EXAMPLES"
            );
            n += 1;
        }
        assert!(n >= 5, "{after}");
    }

    #[test]
    fn every_shown_option_is_on_the_page_and_no_hidden_one() {
        let page = page();
        let mut cmd = Args::command();
        cmd.build();
        let mut checked = 0;
        for a in cmd.get_arguments() {
            let mut longs: Vec<&str> = a.get_long().into_iter().collect();
            longs.extend(a.get_visible_aliases().unwrap_or_default());
            for l in longs {
                let roff = format!("\\fB\\-\\-{}\\fR", l.replace('-', "\\-"));
                assert_eq!(page.contains(&roff), !a.is_hide_set(), "--{l}");
                checked += 1;
            }
            let shorts = a.get_short().into_iter();
            for s in shorts.chain(a.get_visible_short_aliases().unwrap_or_default()) {
                assert!(page.contains(&format!("\\fB\\-{s}\\fR")), "-{s}");
            }
        }
        assert!(checked > 25, "{checked}");
        for sub in ["completions", "man"] {
            assert!(page.contains(&format!("\\fBoomlens {sub}\\fR")), "{sub}");
        }
    }

    #[test]
    fn long_options_named_in_the_text_exist() {
        // Every --word on the page, outside the option list built from clap, is one
        // of oomlens's options (journalctl's own appear only in clap's help texts).
        let page = page();
        let start = page.find(".SH DESCRIPTION").unwrap();
        let end = page.find(".SH OPTIONS").unwrap();
        let rest = page.find(".SH COMMANDS").unwrap();
        let text = format!("{}{}", &page[start..end], &page[rest..]).replace("\\-", "-");
        let mut cmd = Args::command();
        cmd.build();
        let known: Vec<String> = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .flat_map(|a| {
                let mut v: Vec<&str> = a.get_long().into_iter().collect();
                v.extend(a.get_visible_aliases().unwrap_or_default());
                v.into_iter().map(str::to_owned).collect::<Vec<_>>()
            })
            .collect();
        let mut seen = 0;
        for (i, _) in text.match_indices("--") {
            let name: String = text[i + 2..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect();
            assert!(known.contains(&name), "--{name} is not an option");
            seen += 1;
        }
        assert!(seen > 10, "{seen}");
    }

    #[test]
    fn prose_bolds_backtick_spans_and_keeps_a_lone_backtick() {
        assert_eq!(
            prose("use `--tz UTC` here"),
            vec![roman("use "), bold("--tz\u{a0}UTC"), roman(" here")]
        );
        assert_eq!(prose("a ` b"), vec![roman("a ` b")]);
        assert_eq!(prose("`x` and ` y"), vec![bold("x"), roman(" and ` y")]);
    }

    #[test]
    fn the_page_is_ascii_with_groff_escapes() {
        assert_eq!(ascii("pod…x\u{a0}y"), "pod\\[u2026]x\\ y");
        assert!(page().is_ascii());
    }
}

//! Shared by the `render` fuzz target and the render property test
//! (`tests/integration/properties.rs` includes this file): events made hostile from a
//! byte stream (extreme numbers, names with escapes, bidi and Markdown), analysed and
//! rendered in every format, with what every output must hold.

#![allow(dead_code)]

use oomlens::event::store::EventStore;
use oomlens::event::{Ending, Evidence, Killed, Memcg, OomEvent, Scope};
use oomlens::pipeline::scan_reader;
use oomlens::render::{Format, RenderOptions};
use oomlens::report::{Report, ReportOptions};

/// Bytes that choose mutations; an exhausted stream yields zeros.
pub struct Dice<'a>(pub &'a [u8]);

impl Dice<'_> {
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    pub fn pick<T: Clone>(&mut self, from: &[T]) -> T {
        from[self.byte() as usize % from.len()].clone()
    }

    pub fn i64(&mut self) -> i64 {
        let b = self.byte();
        match b % 12 {
            0 => i64::MAX,
            1 => i64::MIN,
            2 => -1,
            3 => 0,
            4 => i64::MAX / 1000,
            5 => -1000,
            6 => 1000,
            7 => i64::MAX - 1,
            8 => i64::MIN + 1,
            _ => i64::from_le_bytes([b, self.byte(), self.byte(), self.byte(), 0, 0, 0, 0]),
        }
    }

    pub fn u64(&mut self) -> u64 {
        match self.byte() % 6 {
            0 => u64::MAX,
            1 => 0,
            2 => 1 << 50,
            3 => u64::MAX / 2,
            _ => u64::from(self.byte()) << (self.byte() % 56),
        }
    }

    /// A name: hostile pieces, or raw bytes read lossily.
    pub fn text<T: From<String>>(&mut self) -> T {
        const PIECES: &[&str] = &[
            "\x1b]0;pwned\x07",
            "\x1b[2J",
            "\u{9b}31m",
            "a\u{202e}gpj.exe",
            "\u{200b}\u{2060}\u{feff}\u{061c}\u{2028}",
            "\u{2066}x\u{2069}",
            "|`x`<script>*_[l](http://e)",
            "www.evil.com @u #h",
            "\n\r\t",
            "é日本",
            "",
            "python3",
        ];
        let mut s = String::new();
        for _ in 0..1 + self.byte() % 3 {
            if self.byte().is_multiple_of(4) {
                let n = (self.byte() % 8) as usize;
                let raw: Vec<u8> = (0..n).map(|_| self.byte()).collect();
                s.push_str(&String::from_utf8_lossy(&raw));
            } else {
                s.push_str(self.pick(PIECES));
            }
        }
        s.into()
    }
}

/// Makes `ev` hostile, as the dice say.
pub fn mutate(ev: &mut OomEvent, d: &mut Dice<'_>) {
    for r in &mut ev.tasks.rows {
        match d.byte() % 9 {
            0 => r.rss = Some(d.i64()),
            1 => r.swapents = Some(d.i64()),
            2 => r.pgtables_bytes = Some(d.i64()),
            3 => r.nr_ptes = Some(d.i64()),
            4 => r.oom_score_adj = Some(d.i64()),
            5 => r.total_vm = Some(d.i64()),
            6 => r.uid = Some(d.i64()),
            7 => r.name = d.text(),
            _ => {}
        }
    }
    for _ in 0..d.byte() % 4 {
        match d.byte() % 16 {
            0 => ev.host = Some(d.text()),
            1 => ev.constraint = Some(d.text()),
            2 => ev.kernel_version = Some(d.text()),
            3 => {
                let m = ev.memcg.get_or_insert_with(Memcg::default);
                m.oom_memcg = Some(d.text());
                m.task_memcg = Some(d.text());
                m.limit_kb = Some(d.u64());
                m.usage_kb = Some(d.u64());
                m.failcnt = Some(d.u64());
                m.swap_limit_kb = Some(d.u64());
                m.memsw_limit_kb = Some(d.u64());
                m.memsw_usage_kb = Some(d.u64());
                m.stats.insert(
                    d.pick(&["anon", "file", "shmem", "rss", "cache", "kernel_stack"])
                        .into(),
                    d.u64(),
                );
                ev.scope = Some(Scope::Memcg);
            }
            4 => {
                if let Some(mi) = &mut ev.mem_info {
                    mi.pages_ram = Some(d.u64());
                    mi.pages_reserved = Some(d.u64());
                    mi.total_swap_kb = Some(d.u64());
                    mi.free_swap_kb = Some(d.u64());
                    mi.counters.insert(
                        d.pick(&["active_anon", "free", "shmem", "slab", "pagetables"])
                            .into(),
                        d.u64(),
                    );
                    for z in &mut mi.zones {
                        z.present_kb = Some(d.u64());
                        z.managed_kb = Some(d.u64());
                    }
                }
            }
            5 => {
                let pid = d.byte() as u32;
                ev.killed.push(Killed {
                    pid,
                    comm: d.text(),
                    uid: Some(u32::MAX),
                    total_vm_kb: Some(d.u64()),
                    anon_rss_kb: Some(d.u64()),
                    file_rss_kb: Some(d.u64()),
                    shmem_rss_kb: Some(d.u64()),
                    pgtables_kb: Some(d.u64()),
                    oom_score_adj: Some(i32::MIN),
                    message: Some(d.text()),
                    evidence: d.pick(&[
                        Evidence::KilledLine,
                        Evidence::Summary,
                        Evidence::Selection,
                        Evidence::Reaper,
                        Evidence::SharedMm,
                    ]),
                    group: d.byte().is_multiple_of(2),
                    cut: d.byte().is_multiple_of(2),
                    line: u64::MAX,
                    lines: vec![u64::MAX, 0],
                })
            }
            6 => {
                for k in &mut ev.killed {
                    k.comm = d.text();
                }
            }
            7 => {
                if let Some(c) = &mut ev.kernel_choice {
                    c.comm = d.text();
                    c.score = Some(d.u64());
                    c.pid = d.byte() as u32;
                }
            }
            8 => {
                ev.ending = Some(match d.byte() % 3 {
                    0 => Ending::NoKillableProcess,
                    1 => Ending::Panic { text: d.text() },
                    _ => Ending::VictimExiting {
                        pid: u32::MAX,
                        comm: d.text(),
                    },
                })
            }
            9 => ev.group_kill = Some(d.text()),
            10 => {
                if let Some(t) = &mut ev.trigger {
                    t.comm = Some(d.text());
                    t.gfp_flags = Some(d.text());
                    let other: String = d.text();
                    t.gfp_mask = Some(d.pick(&["0x0".to_string(), other]).into());
                    t.order = Some(d.pick(&[-1, 0, 3, i32::MAX, i32::MIN]));
                }
            }
            11 => ev.notes.push(d.text()),
            12 => ev.raw.push(d.text()),
            13 => {
                ev.scope =
                    Some(d.pick(&[Scope::Memcg, Scope::Global, Scope::Cpuset, Scope::Mempolicy]))
            }
            14 => ev.source.path = d.text(),
            _ => ev.tasks.columns.retain(|_| !d.byte().is_multiple_of(5)),
        }
    }
}

/// Scans `log`, makes its events hostile with `dice`, and builds the report.
pub fn hostile_report(log: &[u8], dice: &[u8], events: Option<Vec<OomEvent>>) -> Report {
    let opts = oomlens::pipeline::ScanOptions {
        year: Some(2026),
        ..Default::default()
    };
    let mut scan = scan_reader("fuzz", log, None, &opts);
    let mut evs = match events {
        Some(e) => e,
        None => scan.events.to_vec().unwrap_or_default(),
    };
    let mut d = Dice(dice);
    let mut store = EventStore::default();
    for ev in &mut evs {
        mutate(ev, &mut d);
        store.push(ev.clone());
    }
    scan.events = store;
    Report::build(vec![scan], &ReportOptions::default())
}

/// A character a terminal must never receive from oomlens raw: the escapers' own set,
/// so that a character added there is checked here too.
fn forbidden(c: char) -> bool {
    c != '\n' && oomlens::render::sanitize::needs_escape(c)
}

/// Renders `report` in every format (whole, summary only, and event by event) and
/// checks each output: terminal and Markdown hold no raw control, bidi or invisible
/// character; JSON and NDJSON parse. Panics (the fuzzer's and proptest's failure)
/// otherwise.
pub fn render_all(report: &Report) {
    for format in [
        Format::Table,
        Format::Json,
        Format::Ndjson,
        Format::Markdown,
        Format::Html,
    ] {
        for summary_only in [false, true] {
            let opts = RenderOptions {
                top: 3,
                summary_only,
                width: Some(60),
                ..Default::default()
            };
            let mut out = Vec::new();
            format
                .renderer()
                .report(report, &opts, &mut out)
                .expect("rendering into memory cannot fail");
            check(format, &out);
        }
        for ev in report.event_list() {
            let mut out = Vec::new();
            format
                .renderer()
                .event(&ev, &RenderOptions::default(), &mut out)
                .expect("rendering into memory cannot fail");
            check(format, &out);
        }
    }
}

/// Cell separators of a Markdown table row: `|` not escaped by an odd run of `\\`.
fn separators(line: &str) -> usize {
    let mut n = 0;
    let mut backslashes = 0;
    for c in line.chars() {
        match c {
            '\\' => backslashes += 1,
            '|' if backslashes % 2 == 0 => {
                n += 1;
                backslashes = 0;
            }
            _ => backslashes = 0,
        }
    }
    n
}

/// Every row of every Markdown table has as many cells as its header (a `|` from a
/// log would add cells), outside fenced code blocks.
fn tables_keep_their_shape(text: &str) {
    let mut header: Option<usize> = None;
    let mut fenced = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || !line.starts_with('|') {
            header = None;
            continue;
        }
        let n = separators(line);
        match header {
            None => header = Some(n),
            Some(h) => assert_eq!(n, h, "a Markdown table row changed shape: {line}\n{text}"),
        }
    }
}

fn check(format: Format, out: &[u8]) {
    let text = std::str::from_utf8(out).expect("output is UTF-8");
    match format {
        Format::Table | Format::Markdown => {
            if let Some(c) = text.chars().find(|c| forbidden(*c)) {
                panic!("{format:?} output holds raw {c:?}:\n{text}");
            }
            if format == Format::Markdown {
                tables_keep_their_shape(text);
            }
        }
        Format::Json => {
            serde_json::from_str::<serde_json::Value>(text).expect("JSON parses");
        }
        Format::Ndjson => {
            for line in text.lines() {
                serde_json::from_str::<serde_json::Value>(line).expect("NDJSON line parses");
            }
        }
        Format::Html => {
            if let Some(c) = text.chars().find(|c| forbidden(*c)) {
                panic!("HTML output holds raw {c:?}:\n{text}");
            }
            html_tags_are_the_renderers(text);
        }
        // A new format must say what its output may not hold.
        other => panic!("no output check for {other:?}"),
    }
}

/// Every tag in an HTML page is one the renderer writes: text from the log (escaped)
/// cannot open `<script>`, `<img>`, `<iframe>` or any other element.
fn html_tags_are_the_renderers(text: &str) {
    const TAGS: &[&str] = &[
        "!DOCTYPE", "a", "b", "body", "br", "circle", "code", "details", "div", "footer", "h1",
        "h2", "h3", "h4", "head", "html", "li", "line", "meta", "p", "polyline", "pre", "rect",
        "section", "span", "strong", "style", "summary", "svg", "table", "tbody", "td", "text",
        "th", "thead", "title", "tr", "ul",
    ];
    for (i, _) in text.match_indices('<') {
        let rest = &text[i + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        assert!(
            TAGS.contains(&name.as_str()),
            "HTML output has a tag <{name}> the renderer does not write:\n{}",
            &text[i..text.len().min(i + 200)]
        );
    }
}

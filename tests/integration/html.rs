//! `--format html`: the page from real samples holds the events, charts and facts the
//! JSON has; hostile names cannot add an element, an attribute, a link or a script; the
//! Content-Security-Policy forbids every load; every SVG is well-formed XML; the page
//! stays within its size budget; a real browser (headless Chromium) loads it and draws
//! something; `tidy` finds no error. Browser and tidy tests say so and pass when the
//! tool is not installed (`.ci/run` installs both).

use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::util::{cmd, sample};

fn run(format: &str, args: &[&str]) -> (i32, String) {
    let out = cmd()
        .args(["--year", "2026", "--tz", "UTC", "--format", format])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn html_of(path: &Path) -> String {
    let (code, page) = run("html", &[path.to_str().unwrap()]);
    assert_eq!(code, 0);
    page
}

fn json_of(path: &Path) -> Value {
    let (_, text) = run("json", &["--raw", path.to_str().unwrap()]);
    serde_json::from_str(&text).unwrap()
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn all<'a>(doc: &'a Html, s: &str) -> Vec<ElementRef<'a>> {
    doc.select(&sel(s)).collect()
}

fn text(e: &ElementRef<'_>) -> String {
    e.text().collect()
}

/// What a page may hold, whatever the input: no script, nothing loaded from anywhere,
/// no event handler, links only within the page (to ids it has), a policy that forbids
/// loads and scripts.
fn assert_safe(doc: &Html) {
    for tag in [
        "script",
        "img",
        "link",
        "iframe",
        "object",
        "embed",
        "form",
        "base",
        "image",
        "use",
        "foreignObject",
        "audio",
        "video",
        "source",
        "input",
        "meta[http-equiv=refresh]",
    ] {
        assert!(all(doc, tag).is_empty(), "a <{tag}> element");
    }
    let ids: std::collections::HashSet<String> = all(doc, "[id]")
        .iter()
        .map(|e| e.value().attr("id").unwrap().to_string())
        .collect();
    for e in all(doc, "*") {
        for (name, value) in e.value().attrs() {
            assert!(
                !name.to_ascii_lowercase().starts_with("on") && name != "style",
                "<{}> has attribute {name}={value}",
                e.value().name()
            );
            if name == "href" || name.ends_with(":href") {
                let id = value.strip_prefix('#').unwrap_or_else(|| {
                    panic!("a link out of the page: {value}");
                });
                assert!(ids.contains(id), "link to a missing #{id}");
            }
        }
    }
    let csp = all(doc, "meta[http-equiv=Content-Security-Policy]");
    assert_eq!(csp.len(), 1, "one CSP meta tag");
    let policy = csp[0].value().attr("content").unwrap();
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(policy.contains("script-src 'none'"), "{policy}");
    assert!(!policy.contains("unsafe"), "{policy}");
    let style = policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("style-src "))
        .unwrap();
    assert!(style.starts_with("style-src 'sha256-"), "{style}");
    assert_eq!(all(doc, "style").len(), 1, "one stylesheet, the hashed one");
}

/// Every `<svg>` of the page, as the page has it, parses as XML with the SVG namespace.
fn assert_svgs_well_formed(page: &str) -> usize {
    let mut n = 0;
    let mut rest = page;
    while let Some(at) = rest.find("<svg") {
        let end = rest[at..].find("</svg>").expect("an <svg> is closed") + at + 6;
        let svg = &rest[at..end];
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        assert_eq!(
            doc.root_element().tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        n += 1;
        rest = &rest[end..];
    }
    n
}

#[test]
fn a_scan_of_many_kills_has_every_event_and_charts_true_to_the_json() {
    let path = sample("lab/many.messages");
    let page = html_of(&path);
    let json = json_of(&path);
    let doc = Html::parse_document(&page);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_safe(&doc);
    assert!(assert_svgs_well_formed(&page) > 16 * 2);
    assert_eq!(text(&all(&doc, "title")[0]), "OOM report: 16 OOM events");

    let events = json["events"].as_array().unwrap();
    assert_eq!(events.len(), 16);
    // One section per event, in the JSON's order, headed by its victim.
    let sections = all(&doc, "section.event");
    assert_eq!(sections.len(), 16);
    for (s, e) in sections.iter().zip(events) {
        let id = e["id"].as_u64().unwrap();
        assert_eq!(s.value().attr("id"), Some(format!("ev-{id}").as_str()));
        let k = &e["killed"][0];
        let h3 = text(&s.select(&sel("h3")).next().unwrap());
        let want = format!(
            "Event {id}: {} (pid {}) killed",
            k["comm"].as_str().unwrap(),
            k["pid"]
        );
        assert!(h3.starts_with(&want), "{h3} / {want}");
        // The victim's row in the ranking is marked, with its bar in the victim colour.
        let victim = s
            .select(&sel("table.ranking tr.victim"))
            .collect::<Vec<_>>();
        assert_eq!(victim.len(), 1);
        let cells: Vec<String> = victim[0].select(&sel("td")).map(|c| text(&c)).collect();
        assert_eq!(cells[1], k["pid"].to_string());
        assert_eq!(cells[2], k["comm"].as_str().unwrap());
        assert!(cells[9].contains("killed"));
        assert_eq!(
            victim[0].select(&sel("rect.pts.victim")).count(),
            1,
            "the victim's bar"
        );
        // The memory composition: one slice per part, widths by the JSON's percent.
        let all_parts = e["memory"]["parts"].as_array().unwrap();
        // Rounded shares may add up to a little over 100 %: then they share the bar.
        let total = all_parts
            .iter()
            .map(|p| p["percent"].as_f64().unwrap())
            .sum::<f64>()
            .max(100.0);
        let parts: Vec<&Value> = all_parts
            .iter()
            .filter(|p| p["percent"].as_f64().unwrap() / total * 600.0 >= 0.05)
            .collect();
        assert!(parts.len() >= 2);
        let slices: Vec<ElementRef<'_>> = s
            .select(&sel("svg.stack rect"))
            .filter(|r| r.value().attr("class") != Some("track"))
            .collect();
        assert_eq!(slices.len(), parts.len());
        let mut x = 0.0;
        for (r, p) in slices.iter().zip(&parts) {
            let w: f64 = r.value().attr("width").unwrap().parse().unwrap();
            let want = p["percent"].as_f64().unwrap() / total * 600.0;
            assert!((w - want).abs() <= 0.06, "{w} vs {want}");
            let rx: f64 = r.value().attr("x").unwrap().parse().unwrap();
            assert!((rx - x).abs() <= 0.1, "slices follow each other");
            x += w;
        }
        // The cause and the next step.
        assert!(
            text(&s.select(&sel("p.cause")).next().unwrap())
                .contains("Memory cgroup limit: the memory limit of /oomlab-many was hit")
        );
        let next = s
            .select(&sel("div.next li"))
            .map(|l| text(&l))
            .collect::<Vec<_>>();
        assert_eq!(
            next.len(),
            1,
            "the memcg limit's step, nothing more: {next:?}"
        );
        assert!(next[0].starts_with("Check whether the workload in this cgroup grew"));
        // The raw kernel lines, verbatim, collapsed.
        let raw = text(&s.select(&sel("details pre")).next().unwrap());
        let want: Vec<&str> = e["raw"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert!(want.len() > 50);
        assert_eq!(raw.lines().collect::<Vec<_>>(), want);
    }
    // The timeline: one mark per event, each linking to its section.
    let marks = all(&doc, "svg.timeline a circle.mark");
    assert_eq!(marks.len(), 16);
    let first_title = text(&marks[0]);
    assert!(
        first_title.starts_with("Event 1: worker-6 (pid 17474) killed · 2026-11-21 22:26:27"),
        "{first_title}"
    );
    // The events table.
    assert_eq!(all(&doc, "table.events tbody tr").len(), 16);
    // Who killed: the kernel, all 16 (the table is there when only the kernel did).
    assert!(
        page.contains("<h4>Kills by killer</h4>")
            && page.contains("<tr><td><code>kernel</code></td><td class=\"n\">16</td>"),
        "kills by killer"
    );
    // 16 different processes of one cgroup: no repeat offender, as in the JSON.
    assert_eq!(json["summary"]["offenders"], serde_json::json!([]));
    assert!(all(&doc, "table.offenders").is_empty());
}

#[test]
fn real_samples_render_safely_with_their_victims() {
    for (name, victims) in [
        (
            "real/108-forum-ux305fa-ubuntu-4.4-order3-fragmentation-syslog.log",
            &["VirtualBox"][..],
        ),
        (
            "real/022-docker-forkbomb-kmem-two-global-ooms-5.4-dmesgT.log",
            &[][..],
        ),
        (
            "real/039-k8s50632-rhel7-eight-killed-lines-syslog.log",
            &[][..],
        ),
    ] {
        let path = sample(name);
        let page = html_of(&path);
        let json = json_of(&path);
        let doc = Html::parse_document(&page);
        assert_safe(&doc);
        assert_svgs_well_formed(&page);
        let events = json["events"].as_array().unwrap();
        let sections = all(&doc, "section.event");
        assert_eq!(sections.len(), events.len(), "{name}");
        let want: Vec<&str> = events
            .iter()
            .filter_map(|e| e["killed"][0]["comm"].as_str())
            .collect();
        if !victims.is_empty() {
            assert_eq!(want, victims, "{name}");
        }
        for (s, e) in sections.iter().zip(events) {
            if let Some(c) = e["killed"][0]["comm"].as_str() {
                let h3 = text(&s.select(&sel("h3")).next().unwrap());
                assert!(
                    h3.contains(&format!("{c} (pid {})", e["killed"][0]["pid"])),
                    "{h3}"
                );
            }
        }
    }
    // A fragmentation OOM shows its zones against their watermarks, as the JSON has them.
    let path = sample("real/108-forum-ux305fa-ubuntu-4.4-order3-fragmentation-syslog.log");
    let doc = Html::parse_document(&html_of(&path));
    let rows: Vec<Vec<String>> = all(&doc, "table.zones tbody tr")
        .iter()
        .map(|r| r.select(&sel("td")).map(|c| text(&c)).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][0], "DMA32");
    assert_eq!(rows[1][1], "17.5 MiB");
    assert_eq!(rows[1][6], "16 KiB", "largest free block");
    assert_eq!(all(&doc, "table.zones svg.wm").len(), 3);
}

/// A process name and a cgroup path that try to close the element or attribute they are
/// in and add their own.
const EVIL_NAME: &str = "</pre></td><script>alert(1)</script><img/src=x/onerror=alert(2)>\u{202e}";
const EVIL_CGROUP: &str = "/oomlab\"'><b/onclick=alert(3)>x</b><a/href=//evil.example>y";

fn hostile_page(dir: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(sample("lab/single.kmsg")).unwrap();
    assert!(text.contains("python3") && text.contains("/oomlab-single"));
    let evil = text
        .replace("python3", EVIL_NAME)
        .replace("/oomlab-single", EVIL_CGROUP);
    let clean = dir.join("clean.kmsg");
    let bad = dir.join("evil.kmsg");
    std::fs::write(&clean, text).unwrap();
    std::fs::write(&bad, evil).unwrap();
    (clean, bad)
}

/// Element names with their attribute names, in document order.
fn shape(doc: &Html) -> Vec<String> {
    all(doc, "*")
        .iter()
        .map(|e| {
            let mut a: Vec<&str> = e.value().attrs().map(|(n, _)| n).collect();
            a.sort();
            format!("{}[{}]", e.value().name(), a.join(","))
        })
        .collect()
}

#[test]
fn hostile_names_cannot_add_elements_attributes_links_or_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, bad) = hostile_page(dir.path());
    let json = json_of(&bad);
    assert_eq!(json["events"][0]["killed"][0]["comm"], EVIL_NAME);
    assert_eq!(json["events"][0]["memcg"]["oom_memcg"], EVIL_CGROUP);
    let page = html_of(&bad);
    let doc = Html::parse_document(&page);
    assert_safe(&doc);
    assert_svgs_well_formed(&page);
    // The same elements and attributes as the page of the clean log: nothing added.
    assert_eq!(shape(&doc), shape(&Html::parse_document(&html_of(&clean))));
    // The names are shown as text, the bidi override as an escape.
    let shown = EVIL_NAME.replace('\u{202e}', "\\u{202e}");
    let h3 = text(&all(&doc, "section.event h3")[0]);
    assert!(h3.contains(&format!("{shown} (pid")), "{h3}");
    assert!(!page.contains('\u{202e}'));
    let raw = text(&all(&doc, "details pre")[0]);
    assert!(raw.contains(&shown) && raw.contains(EVIL_CGROUP), "{raw}");
    let cg = all(&doc, "table.facts td code")
        .iter()
        .map(text)
        .find(|t| t.starts_with("/oomlab"))
        .unwrap();
    assert_eq!(cg, EVIL_CGROUP);
}

#[test]
fn a_large_scan_stays_within_the_budget_raw_lines_first() {
    // 40 hosts' copies of a 16-kill capture: 640 events with ~12 kB of kernel lines each.
    let log = std::fs::read_to_string(sample("lab/many.messages")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for n in 0..40 {
        let p = dir.path().join(format!("host{n}.messages"));
        std::fs::write(&p, log.replace(" vm kernel: ", &format!(" vm{n} kernel: "))).unwrap();
        paths.push(p.to_str().unwrap().to_string());
    }
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (code, page) = run("html", &args);
    assert_eq!(code, 0);
    assert!(
        page.len() <= oomlens::render::html::BUDGET,
        "{} bytes",
        page.len()
    );
    assert!(page.ends_with("</html>\n"));
    let doc = Html::parse_document(&page);
    assert_safe(&doc);
    let sections = all(&doc, "section.event");
    let full = sections.len();
    assert!(full <= oomlens::render::html::MAX_FULL);
    assert!(
        full >= 300,
        "events are kept, their raw lines go first: {full}"
    );
    let with_raw = all(&doc, "section.event details").len();
    assert!(with_raw < full, "some raw blocks were trimmed");
    assert!(page.contains(&format!(
        "The kernel lines of {} events were left out",
        full - with_raw
    )));
    assert!(page.contains(&format!("{} more events are not shown in full", 640 - full)));
    // Every event is still on the timeline and in the table, in lanes by host.
    assert_eq!(all(&doc, "svg.timeline circle.mark").len(), 640);
    assert_eq!(all(&doc, "table.events tbody tr").len(), 640);
    let lanes: Vec<String> = all(&doc, "svg.timeline text.lbl")
        .iter()
        .map(text)
        .collect();
    assert!(lanes.contains(&"other hosts".to_string()), "{lanes:?}");
}

/// `--max-chars` sets the page's budget (a ticket system's attachment or field limit):
/// the raw blocks go first, then sections, each with a note; the page stays complete.
#[test]
fn max_chars_sets_the_page_budget() {
    let many = sample("lab/many.messages");
    let (code, whole) = run("html", &[many.to_str().unwrap()]);
    assert_eq!(code, 0);
    let budget = 150_000;
    assert!(whole.len() > budget, "{}", whole.len());
    let (code, page) = run("html", &["--max-chars", "150000", many.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(page.len() <= budget, "{} bytes", page.len());
    assert!(page.ends_with("</html>\n"));
    let doc = Html::parse_document(&page);
    assert_safe(&doc);
    // Events are written in order while they fit (with their kernel lines, else
    // without); the rest get a placeholder that names the budget.
    let full = all(&doc, "section.event").len();
    assert!(full > 0 && full < 16, "{full}");
    assert!(page.contains("is not shown in full: the page would pass 150,000 bytes."));
    assert!(page.contains("stays under 150,000 bytes)"));
    // Every event is still in the table and on the timeline.
    assert_eq!(all(&doc, "table.events tbody tr").len(), 16);
}

#[test]
fn summary_page_has_the_timeline_and_offenders_without_sections() {
    let (code, page) = run(
        "html",
        &[
            "--summary",
            sample("lab/many.messages").to_str().unwrap(),
            sample("lab/repeat.dmesg").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    let doc = Html::parse_document(&page);
    assert_safe(&doc);
    assert!(all(&doc, "section.event").is_empty());
    assert!(all(&doc, "table.events").is_empty());
    // repeat.dmesg has only seconds after boot: its 3 events are not on the timeline.
    assert_eq!(all(&doc, "svg.timeline circle.mark").len(), 16);
    assert!(
        all(&doc, "svg.timeline a").is_empty(),
        "no links to missing sections"
    );
    // many.messages: 16 different processes of one cgroup, no repeat offender;
    // repeat.dmesg: node killed three times in /oomlab-repeat within 3 s.
    let rows = all(&doc, "table.offenders tbody tr");
    assert_eq!(rows.len(), 1);
    let row = text(&rows[0]);
    assert!(row.contains("node in cgroup /oomlab-repeat"), "{row}");
    assert!(row.contains("one incident: no trend"), "{row}");
    // The victim's memory at each kill, one point each.
    assert_eq!(all(&doc, "table.offenders svg.spark circle").len(), 3);
    // No events at all: a complete page that says so.
    let (code, page) = run("html", &[sample("README.md").to_str().unwrap()]);
    assert_eq!(code, 1);
    let doc = Html::parse_document(&page);
    assert_safe(&doc);
    assert_eq!(text(&all(&doc, "h1")[0]), "OOM report: No OOM events");
    assert!(page.ends_with("</html>\n"));
}

#[test]
fn thousands_of_kills_are_counted_per_time_bin() {
    // 2,500 kill lines over ten hours.
    let mut log = String::new();
    for i in 0..2500u32 {
        let (h, m, s) = (10 + i / 250, (i / 5) % 60, (i * 7) % 60);
        log.push_str(&format!(
            "Mar  2 {h:02}:{m:02}:{s:02} server1 kernel: [{}.000000] Killed process {}, UID 498, \
             (mysqld) total-vm:7823732kB, anon-rss:{}kB, file-rss:768kB\n",
            1000 + i,
            10_000 + i,
            2_000_000 + i
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("kills.log");
    std::fs::write(&p, log).unwrap();
    let page = html_of(&p);
    let doc = Html::parse_document(&page);
    assert_safe(&doc);
    assert_svgs_well_formed(&page);
    assert!(all(&doc, "svg.timeline circle").is_empty());
    let counted: u32 = all(&doc, "svg.timeline rect.bin title")
        .iter()
        .map(|t| text(t).split(' ').next().unwrap().parse::<u32>().unwrap())
        .sum();
    assert_eq!(counted, 2500);
    assert_eq!(all(&doc, "section.event").len(), 500);
    assert_eq!(all(&doc, "table.events tbody tr").len(), 2000);
    assert!(page.contains("500 more events are not listed"));
    assert!(page.contains("2,000 more events are not shown in full"));
}

/// The browser, when there is one that starts: `None` (and a message) otherwise.
fn chromium() -> Option<&'static str> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(name);
        }
    }
    eprintln!(
        "SKIPPED: headless Chromium is not installed (apt-get install chromium); \
         the browser tests did not run"
    );
    None
}

/// Runs headless Chromium on `page` with `args`; `None` (and a message) when it cannot
/// start here.
fn headless(browser: &str, profile: &Path, args: &[&str], page: &Path) -> Option<Vec<u8>> {
    let out = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "SKIPPED: headless Chromium could not start here ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    Some(out.stdout)
}

#[test]
fn chromium_loads_the_page_with_every_event_and_nothing_from_hostile_input() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("many.html");
    std::fs::write(&page, html_of(&sample("lab/many.messages"))).unwrap();
    let Some(dom) = headless(browser, &dir.path().join("p1"), &["--dump-dom"], &page) else {
        return;
    };
    let dom = Html::parse_document(&String::from_utf8(dom).unwrap());
    assert_safe(&dom);
    assert_eq!(all(&dom, "section.event").len(), 16);
    assert_eq!(all(&dom, "svg.timeline circle.mark").len(), 16);
    assert_eq!(all(&dom, "svg.stack").len(), 16);
    assert_eq!(all(&dom, "table.ranking tr.victim").len(), 16);
    // No command was killed twice: no repeat offender, no memory line chart.
    assert_eq!(all(&dom, "svg.spark").len(), 0);

    let (clean, bad) = hostile_page(dir.path());
    let (clean_page, bad_page) = (dir.path().join("clean.html"), dir.path().join("bad.html"));
    std::fs::write(&clean_page, html_of(&clean)).unwrap();
    std::fs::write(&bad_page, html_of(&bad)).unwrap();
    let dump = |p: &Path, profile: &str| {
        let d = headless(browser, &dir.path().join(profile), &["--dump-dom"], p).unwrap();
        Html::parse_document(&String::from_utf8(d).unwrap())
    };
    let (c, b) = (dump(&clean_page, "p2"), dump(&bad_page, "p3"));
    assert_safe(&b);
    assert_eq!(
        shape(&b),
        shape(&c),
        "the browser's DOM has nothing from the names"
    );
    assert!(text(&all(&b, "section.event h3")[0]).contains("<script>alert(1)</script>"));
}

#[test]
fn chromium_screenshot_is_not_blank() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("one.html");
    std::fs::write(
        &page,
        html_of(&sample(
            "real/108-forum-ux305fa-ubuntu-4.4-order3-fragmentation-syslog.log",
        )),
    )
    .unwrap();
    let shot = dir.path().join("shot.png");
    let arg = format!("--screenshot={}", shot.display());
    if headless(
        browser,
        &dir.path().join("p"),
        &[&arg, "--window-size=1000,1400"],
        &page,
    )
    .is_none()
    {
        return;
    }
    let (buf, px) = decode(&shot);
    let pixels: Vec<&[u8]> = buf.chunks(px).collect();
    assert_eq!(pixels.len(), 1000 * 1400);
    let background = pixels[0];
    let inked = pixels.iter().filter(|p| p[..3] != background[..3]).count();
    let share = inked as f64 / pixels.len() as f64;
    // Text, tables and charts: a few percent of the pixels; a blank or unstyled error
    // page has next to none, a page that failed to lay out its charts far fewer.
    assert!(share > 0.03, "{inked} of {} pixels drawn", pixels.len());
    // The charts' colours are there (the ranking's bars, the memory composition).
    let coloured = pixels
        .iter()
        .filter(|p| {
            let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
            (r - g).abs().max((g - b).abs()).max((r - b).abs()) > 60
        })
        .count();
    assert!(coloured > 2_000, "{coloured} coloured pixels");
    assert!(luma(background) > 200, "light by default: {background:?}");

    // The reader's system in dark mode: the page follows.
    let dark = dir.path().join("dark.png");
    let arg = format!("--screenshot={}", dark.display());
    headless(
        browser,
        &dir.path().join("p2"),
        &[&arg, "--window-size=1000,1400", "--force-dark-mode"],
        &page,
    )
    .unwrap();
    let (pixels, px) = decode(&dark);
    let background = &pixels[..px];
    assert!(luma(background) < 60, "dark: {background:?}");
}

fn luma(p: &[u8]) -> u32 {
    (u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000
}

/// A PNG's pixels and the bytes per pixel.
fn decode(path: &Path) -> (Vec<u8>, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (buf, info.color_type.samples())
}

#[test]
fn tidy_finds_no_error() {
    if Command::new("tidy").arg("-v").output().is_err() {
        eprintln!("SKIPPED: tidy is not installed (apt-get install tidy); HTML not validated");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, bad) = hostile_page(dir.path());
    for (name, input) in [
        ("many", sample("lab/many.messages")),
        (
            "frag",
            sample("real/108-forum-ux305fa-ubuntu-4.4-order3-fragmentation-syslog.log"),
        ),
        ("evil", bad),
    ] {
        let page = dir.path().join(format!("{name}.html"));
        std::fs::write(&page, html_of(&input)).unwrap();
        let out = Command::new("tidy")
            .args(["-errors", "-q"])
            .arg(&page)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stderr);
        // tidy 5.6 knows SVG 1.1, where a link's target is `xlink:href`; SVG 2 and every
        // browser take `href`, which it calls proprietary. Nothing else is allowed.
        let problems: Vec<&str> = report
            .lines()
            .filter(|l| !l.ends_with("Warning: <a> proprietary attribute \"href\""))
            .collect();
        assert!(problems.is_empty(), "{name}: {}", problems.join("\n"));
        assert_ne!(out.status.code(), Some(2), "{name}: tidy found errors");
    }
}

//! The lab captures: real OOM kills of a 6.18 kernel, each recorded by rsyslog (two
//! formats), journalctl (five output modes), dmesg (three) and a /dev/kmsg reader.
//! Every rendering must decode to the same message bodies in the same order, with the
//! same printk stamps where the format has them and wall times within the skew the
//! writers themselves show (journald and rsyslog stamp up to ~1 s apart), and must
//! give the same events.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDateTime};
use oomlens::input::Source;
use oomlens::input::discover::Input;
use oomlens::pipeline::records::{RecordOut, decode_records};
use oomlens::record::Origin;

use crate::util::{events, opts, sample};

const SCENARIOS: &[&str] = &["single", "adj", "nested", "many"];
const RENDERINGS: &[&str] = &[
    "messages",
    "messages-rfc3339",
    "journal-short",
    "journal-short-iso",
    "journal-short-precise",
    "journal-short-monotonic",
    "journal-json",
    "dmesg",
    "dmesg-T",
    "dmesg-iso",
    "kmsg",
];

fn records(path: PathBuf) -> Vec<RecordOut> {
    let mut out = Vec::new();
    let input = Input {
        source: Source::Path(path),
        explicit: true,
    };
    decode_records(&input, &opts(), &mut |r| {
        out.push(r);
        Ok(())
    })
    .unwrap();
    out
}

/// The text as the kernel printed it. journalctl's text modes split "name: text"
/// written to /dev/kmsg into an identifier and a message; put it back together.
fn kernel_text(r: &RecordOut) -> String {
    match (&r.origin, &r.tag) {
        (Origin::Program, Some(tag)) if !r.body.starts_with(&format!("{tag}:")) => {
            format!("{tag}: {}", r.body)
        }
        _ => r.body.clone(),
    }
}

/// Wall time in UTC (the lab machine ran in UTC; stamps without a zone are UTC).
fn utc(r: &RecordOut) -> Option<NaiveDateTime> {
    let t = r.time.as_deref()?;
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.naive_utc())
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()
}

#[test]
fn every_rendering_decodes_to_the_same_messages() {
    for scenario in SCENARIOS {
        let reference = records(sample(&format!("lab/{scenario}.journal-json")));
        let ref_text: Vec<String> = reference.iter().map(kernel_text).collect();
        assert!(
            ref_text.len() > 80,
            "{scenario}: {} records",
            ref_text.len()
        );
        for rendering in RENDERINGS {
            let file = format!("lab/{scenario}.{rendering}");
            let recs = records(sample(&file));
            let text: Vec<String> = recs.iter().map(kernel_text).collect();
            assert_eq!(text.len(), ref_text.len(), "{file}: record count");
            for (i, (a, b)) in text.iter().zip(&ref_text).enumerate() {
                assert_eq!(a, b, "{file}: record {i} differs");
            }
            // printk stamps, where the rendering has them, are the kernel's own; these
            // renderings have one on every record.
            let stamped = matches!(
                *rendering,
                "dmesg" | "kmsg" | "journal-short-monotonic" | "journal-json"
            );
            for (i, (r, j)) in recs.iter().zip(&reference).enumerate() {
                assert!(
                    !stamped || r.uptime.is_some(),
                    "{file}: record {i} has no printk stamp"
                );
                if let Some(u) = &r.uptime {
                    assert_eq!(
                        Some(u),
                        j.uptime.as_ref(),
                        "{file}: record {i} printk stamp"
                    );
                }
            }
            // Wall times agree within the writers' skew.
            let has_wall = !matches!(*rendering, "dmesg" | "kmsg" | "journal-short-monotonic");
            for (i, (r, j)) in recs.iter().zip(&reference).enumerate() {
                match (utc(r), utc(j)) {
                    (Some(a), Some(b)) => {
                        let skew = (a - b).num_milliseconds().abs();
                        assert!(skew <= 2_000, "{file}: record {i} is {skew} ms off");
                    }
                    (None, _) => assert!(!has_wall, "{file}: record {i} has no wall time"),
                    (Some(_), None) => panic!("reference record {i} has no wall time"),
                }
            }
        }
    }
}

#[test]
fn lab_wall_times_and_stamps_are_exact() {
    // The first OOM line of "single", as each writer stamped it.
    let first_oom = |rendering: &str| -> RecordOut {
        records(sample(&format!("lab/single.{rendering}")))
            .into_iter()
            .find(|r| r.body.contains("invoked oom-killer"))
            .unwrap()
    };
    let j = first_oom("journal-json");
    assert_eq!(j.time.as_deref(), Some("2026-11-21T22:25:46.279073+00:00"));
    assert_eq!(j.uptime.as_deref(), Some("921.183161"));
    assert_eq!(j.host.as_deref(), Some("vm"));
    assert_eq!(j.boot.as_deref(), Some("9b6ccfd507ac4a9baa91be57cb7172cb"));
    assert_eq!(
        first_oom("messages").time.as_deref(),
        Some("2026-11-21T22:25:45")
    );
    assert_eq!(
        first_oom("messages-rfc3339").time.as_deref(),
        Some("2026-11-21T22:25:45.462195+00:00")
    );
    assert_eq!(
        first_oom("journal-short-precise").time.as_deref(),
        Some("2026-11-21T22:25:46.279073")
    );
    assert_eq!(
        first_oom("dmesg-T").time.as_deref(),
        Some("2026-11-21T22:25:46")
    );
    assert_eq!(
        first_oom("dmesg-iso").time.as_deref(),
        Some("2026-11-21T22:25:46.183161+00:00")
    );
    let k = first_oom("kmsg");
    assert_eq!(
        (k.time, k.uptime.as_deref(), k.priority),
        (None, Some("921.183161"), Some(4))
    );
    let m = first_oom("journal-short-monotonic");
    assert_eq!(
        (m.uptime.as_deref(), m.host.as_deref()),
        (Some("921.183161"), Some("vm"))
    );
}

/// What must not depend on the rendering: victim, memcg, usage, trigger, table rows.
fn key(evs: &[oomlens::event::OomEvent]) -> Vec<String> {
    evs.iter()
        .map(|e| {
            let v = e.victim().unwrap();
            let rows: Vec<(u32, Option<i64>)> =
                e.tasks.rows.iter().map(|r| (r.pid, r.rss)).collect();
            format!(
                "{} {} {:?} {:?} {:?} {:?} {}",
                v.pid,
                v.comm.as_log_str(),
                e.memcg.as_ref().and_then(|m| m.oom_memcg.clone()),
                e.memcg.as_ref().and_then(|m| m.usage_kb),
                e.trigger.as_ref().map(|t| (t.comm.clone(), t.pid)),
                rows,
                e.complete
            )
        })
        .collect()
}

#[test]
fn every_rendering_gives_the_same_events() {
    for scenario in SCENARIOS {
        let reference = events(&format!("lab/{scenario}.dmesg"));
        let want = key(&reference);
        assert!(!want.is_empty());
        for rendering in RENDERINGS {
            let file = format!("lab/{scenario}.{rendering}");
            assert_eq!(key(&events(&file)), want, "{file}");
        }
    }
}

#[test]
fn lab_victims_are_the_kernels_kills() {
    let victims = |f: &str| -> Vec<(u32, String)> {
        events(f)
            .iter()
            .flat_map(|e| {
                e.killed
                    .iter()
                    .map(|k| (k.pid, k.comm.clone().into_log_string()))
            })
            .collect()
    };
    assert_eq!(victims("lab/single.kmsg"), [(15346, "python3".to_string())]);
    assert_eq!(
        victims("lab/adj.kmsg"),
        [
            (15519, "batch-worker".to_string()),
            (15520, "api-server".to_string()),
            (15688, "ingest".to_string())
        ]
    );
    assert_eq!(victims("lab/nested.kmsg"), [(17284, "java".to_string())]);
    let many = victims("lab/many.kmsg");
    assert_eq!(many.len(), 16);
    assert_eq!(many[0], (17474, "worker-6".to_string()));
    assert_eq!(many[15], (18728, "leaky".to_string()));
}

#[test]
fn more_journalctl_modes_give_the_same_events() {
    // A later capture (`repeat`: three kills in one cgroup) through journald, in the
    // modes the eleven-rendering scenarios lack.
    let want = key(&events("lab/repeat.dmesg"));
    assert_eq!(want.len(), 3);
    for (mode, wall) in [
        ("journal-short-full", Some("2026-11-22 02:53:43 UTC")),
        ("journal-short-unix", Some("2026-11-22 02:53:43.250276 UTC")),
        ("journal-cat", None),
    ] {
        let file = format!("lab/repeat.{mode}");
        let evs = events(&file);
        assert_eq!(key(&evs), want, "{file}");
        let got = match evs[0].wall {
            Some(oomlens::record::Wall::Zoned(t)) => Some(t.naive_utc().to_string() + " UTC"),
            None => None,
            other => panic!("{file}: {other:?}"),
        };
        assert_eq!(got.as_deref(), wall, "{file}");
    }
}

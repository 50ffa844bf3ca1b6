//! Wall times for logs with only the time since boot (issue 18): from a line of the
//! same boot that states both clocks, or from `--boot-time`.
//!
//! The vm captures hold the same kernel records as `dmesg` (uptime only) and as
//! `messages` (busybox syslogd: a wall stamp, and the printk stamp inside the text), so
//! the wall time derived for a dmesg event can be checked against the time the
//! messages rendering states for the same record (matched by printk time). The
//! variants below are built in code from those real files: an RTC line as
//! `rtc_hctosys()` prints it (drivers/rtc/class.c) put before the dmesg lines (and, as
//! a record, before the `/dev/kmsg` rendering of the same capture), stating
//! the boot time the first line of `messages` gives (both clocks), rounded down to
//! the second as the RTC is.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use oomlens::record::TimeBasis;
use oomlens::record::clock::BootTimeSource;
use serde_json::Value;

use crate::util::{cmd, events_of, opts, sample, samples, scan};

fn vm_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for kernel in std::fs::read_dir(samples().join("vm")).unwrap() {
        let kernel = kernel.unwrap().path();
        if !kernel.is_dir() {
            continue;
        }
        for d in std::fs::read_dir(&kernel).unwrap() {
            let d = d.unwrap().path();
            if d.join("dmesg").is_file() && d.join("messages").is_file() {
                dirs.push(d);
            }
        }
    }
    dirs.sort();
    assert!(dirs.len() >= 13, "{dirs:?}");
    dirs
}

/// The wall time (UTC: the guests' clock) and printk seconds of `messages`' first line.
fn first_line_clocks(dir: &Path) -> (NaiveDateTime, f64, String) {
    let text = std::fs::read_to_string(dir.join("messages")).unwrap();
    let line = text.lines().next().unwrap().to_string();
    // `Dec  7 12:12:52 vmlab user.warn kernel: [    3.900805] …`
    let wall = NaiveDateTime::parse_from_str(&format!("2026 {}", &line[..15]), "%Y %b %e %H:%M:%S")
        .unwrap();
    let open = line.find("kernel: [").unwrap() + "kernel: [".len();
    let close = line[open..].find(']').unwrap() + open;
    let up: f64 = line[open..close].trim().parse().unwrap();
    (wall, up, line)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn utc(w: &oomlens::record::Wall) -> DateTime<FixedOffset> {
    match w {
        oomlens::record::Wall::Zoned(z) => *z,
        oomlens::record::Wall::Local(n) => n.and_utc().fixed_offset(),
        other => panic!("unresolved {other:?}"),
    }
}

/// Every dmesg event gets the wall time of the same record in `messages`, within
/// two seconds: the syslog stamp is when syslogd read the record, cut to the second,
/// and the RTC line states whole seconds.
#[test]
fn raw_dmesg_gets_wall_times_from_a_line_of_the_same_boot() {
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for dir in vm_dirs() {
        let stated = events_of(&scan(&dir.join("messages"), &opts()));
        let (wall, up, first) = first_line_clocks(&dir);
        let dmesg = std::fs::read_to_string(dir.join("dmesg")).unwrap();
        let kmsg = std::fs::read_to_string(dir.join("kmsg")).unwrap();
        let boot = wall.and_utc().timestamp() as f64 - up;
        let rtc = format!(
            "[    0.912345] rtc_cmos 00:00: setting system clock to {} UTC ({})\n",
            DateTime::from_timestamp((boot + 0.912345) as i64, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%S"),
            (boot + 0.912345) as i64
        );
        // The same line as a /dev/kmsg record (microseconds in the third field).
        let rtc_kmsg = format!("6,1,912345,-;{}", rtc.split_once("] ").unwrap().1);
        // The syslog line states both clocks too, but for host `vmlab`: the dmesg lines
        // name no host, so they are another stream and it gives them no boot time.
        for (variant, text, source, derived) in [
            (
                "rtc",
                format!("{rtc}{dmesg}"),
                BootTimeSource::RtcLine { line: 1 },
                true,
            ),
            (
                "rtc-kmsg",
                format!("{rtc_kmsg}{kmsg}"),
                BootTimeSource::RtcLine { line: 1 },
                true,
            ),
            (
                "other-host",
                format!("{first}\n{dmesg}"),
                BootTimeSource::Flag,
                false,
            ),
        ] {
            let p = write(tmp.path(), variant, &text);
            let evs = events_of(&scan(&p, &opts()));
            assert_eq!(evs.len(), stated.len(), "{}", dir.display());
            for (d, s) in evs.iter().zip(&stated) {
                assert_eq!(d.printk, s.printk);
                if !derived {
                    assert_eq!(d.time_basis, Some(TimeBasis::UptimeOnly));
                    continue;
                }
                assert_eq!(
                    d.time_basis,
                    Some(TimeBasis::BootTimeDerived),
                    "{variant} {}",
                    dir.display()
                );
                assert_eq!(d.boot_time.unwrap().source, source);
                let got = utc(&d.wall.unwrap());
                let want = utc(&s.wall.unwrap());
                let diff = (got - want).num_milliseconds();
                assert!(
                    (-2000..=2000).contains(&diff),
                    "{variant} {}: {got} vs {want}",
                    dir.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 2 * 28, "{checked}");
    // Without such a line: uptime only, as before.
    let evs = events_of(&scan(
        &sample("vm/bookworm-6.1.0-50-amd64/a-global-no-swap/dmesg"),
        &opts(),
    ));
    assert_eq!(evs[0].time_basis, Some(TimeBasis::UptimeOnly));
    assert_eq!(evs[0].wall, None);
}

fn json_of(args: &[&str]) -> (i32, Value) {
    let out = cmd().args(args).output().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), v)
}

#[test]
fn boot_time_flag_gives_times_and_time_filters_then_work() {
    let dmesg = sample("vm/bookworm-6.1.0-50-amd64/a-global-no-swap/dmesg");
    let d = dmesg.to_str().unwrap();
    // `uptime -s` and `who -b` forms, read in --tz.
    for given in [
        "2026-12-07 12:12:48",
        "         system boot  2026-12-07 12:12",
    ] {
        let (code, v) = json_of(&["--tz", "UTC", "--json", "--boot-time", given, d]);
        assert_eq!(code, 0);
        let e = &v["events"][0];
        assert_eq!(e["time_basis"], "boot_time_given");
        assert_eq!(e["boot_time"]["source"]["kind"], "flag");
        assert_eq!(e["uptime_s"], 8.387795);
        let want = if given.ends_with(":48") {
            "2026-12-07T12:12:56.387795+00:00"
        } else {
            "2026-12-07T12:12:08.387795+00:00"
        };
        assert_eq!(e["time"], want, "{given}");
    }
    let at = [
        "--tz",
        "UTC",
        "--json",
        "--boot-time",
        "2026-12-07T12:12:48Z",
    ];
    let (code, v) = json_of(&[&at[..], &["--since", "2026-12-07 12:12:50", d]].concat());
    assert_eq!((code, v["events"].as_array().unwrap().len()), (0, 1));
    let (code, v) = json_of(&[&at[..], &["--since", "2026-12-07 12:13:00", d]].concat());
    assert_eq!((code, v["events"].as_array().unwrap().len()), (1, 0));
    // Left out for its time, not for lacking one: no no-wall-time warning.
    assert!(
        !v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == "no-wall-time")
    );
    // Not a time: a usage error naming the flag.
    let out = cmd().args(["--boot-time", "soon", d]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--boot-time"));
}

#[test]
fn without_a_boot_time_the_time_filter_warning_says_how_to_give_one() {
    let dmesg = sample("vm/bookworm-6.1.0-50-amd64/a-global-no-swap/dmesg");
    let (code, v) = json_of(&["--json", "--since", "2026-12-01", dmesg.to_str().unwrap()]);
    assert_eq!(code, 1);
    let w = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "no-wall-time")
        .expect("a no-wall-time warning");
    assert!(
        w["message"].as_str().unwrap().contains("--boot-time"),
        "{w}"
    );
}

/// Two boots in one dmesg file (the printk clock starts again): `--boot-time` is the
/// last boot's, so the first boot's events keep only their uptime, and a note says so.
#[test]
fn boot_time_flag_is_the_last_boots() {
    let tmp = tempfile::tempdir().unwrap();
    // The global OOM at 9.2 s, then the 13 kills of the repeat capture from 5.5 s on.
    let a = std::fs::read_to_string(sample("vm/sid-7.2.13+deb14-amd64/a-global-no-swap/dmesg"))
        .unwrap();
    let b = std::fs::read_to_string(sample("vm/bookworm-6.1.0-50-amd64/r-memcg-v2-repeat/dmesg"))
        .unwrap();
    let p = write(tmp.path(), "two-boots.dmesg", &format!("{a}{b}"));
    let (_, v) = json_of(&[
        "--tz",
        "UTC",
        "--json",
        "--boot-time",
        "2026-12-07 12:02:16",
        p.to_str().unwrap(),
    ]);
    let evs = v["events"].as_array().unwrap();
    let given: Vec<_> = evs
        .iter()
        .filter(|e| e["time_basis"] == "boot_time_given")
        .collect();
    let uptime = evs
        .iter()
        .filter(|e| e["time_basis"] == "uptime_only")
        .count();
    assert_eq!((given.len(), uptime), (13, 1));
    assert!(
        given[0]["time"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-07T12:02:21.5")
    );
    assert!(v["diagnostics"].as_array().unwrap().iter().any(|x| {
        x["code"] == "boot-time"
            && x["message"]
                .as_str()
                .unwrap()
                .contains("1 event(s) of earlier boots")
    }));
}

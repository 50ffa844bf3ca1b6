//! The integration-test binary (one binary, so the crate links once).
//!
//! * `corpus`: every real excerpt in `samples/real` against its sidecar;
//! * `lab`: every rendering of the lab captures decodes to the same records and events;
//! * `inputs`: plain, gzip, multi-member gzip, stdin and rotation sets agree;
//! * `compressed`: zstd, xz and bzip2 made by the real tools read like plain;
//! * `journal`: binary journal files and folders read in process;
//! * `eras`: one test per kernel era and per quirk, on real fixtures;
//! * `badness`: rebuilt scores against the kernel's own `score S` lines;
//! * `cli`: exit codes, broken pipes, colour, formats (snapshots), filters;
//! * `hostile`: damaged and malicious input;
//! * `html`: the HTML page: facts, charts, safety, size, in a real browser and tidy;
//! * `kinds`: the table of report-line kinds: fast path and `--every-line` agree;
//! * `properties`: proptest invariants; `fuzz_regressions`: inputs fuzzing found;
//! * `live`: real OOM kills made in a throwaway memory cgroup (root only).

mod util;

mod badness;
mod boottime;
mod bundles;
mod cause_words;
mod cli;
mod compressed;
mod corpus;
mod eras;
mod fuzz_regressions;
mod hostile;
mod html;
mod inputs;
mod issue15;
mod issue20;
mod journal;
mod killers;
mod kinds;
mod lab;
mod live;
mod properties;
mod vm;

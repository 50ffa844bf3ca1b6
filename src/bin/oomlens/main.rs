use oomlens::input::discover;
use oomlens::pipeline::{scan_all, ScanOptions};
fn main() {
    let args: Vec<std::path::PathBuf> = std::env::args_os().skip(1).map(Into::into).collect();
    let d = discover::expand(&args);
    let mut opts = ScanOptions::default();
    opts.every_line = std::env::var("EVERY").is_ok();
    for s in scan_all(&d.inputs, &opts) {
        for e in &s.events {
            println!("{}", serde_json::to_string(e).unwrap());
        }
        for d in &s.diagnostics { eprintln!("{d}"); }
    }
}

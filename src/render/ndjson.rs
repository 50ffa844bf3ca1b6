//! NDJSON: one JSON object per event per line (the same objects as the JSON
//! document's `events`), or the summary alone with `--summary`.

use std::io::{self, Write};

use crate::render::json::event_line;
use crate::render::{RenderOptions, Renderer};
use crate::report::{EventReport, Report};

/// One JSON object per event per line.
pub struct Ndjson;

impl Renderer for Ndjson {
    fn report(&self, r: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        if opts.summary_only {
            serde_json::to_writer(&mut *out, &r.summary).map_err(io::Error::from)?;
            return out.write_all(b"\n");
        }
        super::each_event(
            r,
            |ev, text| event_line(ev, text),
            |text| out.write_all(text),
        )
    }

    fn event(&self, ev: &EventReport, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        event_line(ev, out)
    }
}

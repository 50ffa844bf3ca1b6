//! `--records`: every record of an input, decoded and owned, for debugging the record
//! layer (no events are assembled).

use super::{ScanOptions, input_anchor, sniffed};
use crate::error::Error;
use crate::event::kinds;
use crate::input::discover::Input;
use crate::input::lines::{Line, LineReader, LineSink, Want};
use crate::input::{self, Source};
use crate::record::{Parser, Record, Wall, YearAnchor};
use chrono::NaiveDateTime;

/// A decoded record, owned, as `--records` prints it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct RecordOut {
    /// Line number.
    pub line: u64,
    /// Line shape.
    pub format: crate::record::Format,
    /// Host name.
    pub host: Option<String>,
    /// Who wrote it.
    pub origin: crate::record::Origin,
    /// Syslog tag / identifier.
    pub tag: Option<String>,
    /// Wall-clock time (year-less stamps resolved), RFC 3339 when the log gave a zone,
    /// else local time without offset.
    pub time: Option<String>,
    /// printk seconds since boot.
    pub uptime: Option<String>,
    /// printk caller id.
    pub caller: Option<String>,
    /// Syslog priority.
    pub priority: Option<u32>,
    /// Journal boot id.
    pub boot: Option<String>,
    /// The message text.
    pub body: String,
    /// The line had no header and took its metadata from the previous one.
    pub continued: bool,
}

impl RecordOut {
    /// `r` without its time, which needs the year anchor ([`RecordOut::set_time`]).
    fn new(r: &Record<'_>) -> Self {
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        RecordOut {
            line: r.line,
            format: r.format,
            host: r.host.map(s),
            origin: r.origin,
            tag: r.tag.map(s),
            time: None,
            uptime: r.printk.map(|p| p.to_string()),
            caller: r.caller.map(|c| match c {
                crate::record::Caller::Task(n) => format!("T{n}"),
                crate::record::Caller::Cpu(n) => format!("C{n}"),
            }),
            priority: r.priority,
            boot: r.boot.map(s),
            body: s(r.body),
            continued: r.continued,
        }
    }

    /// Sets the time from the record's wall time, year-less dates resolved by `anchor`.
    fn set_time(&mut self, wall: Option<Wall>, anchor: &YearAnchor) {
        self.time = wall
            .and_then(|w| w.resolve(anchor))
            .map(|t| Wall::from(t).to_string());
    }
}

/// Decodes every record of an input and calls `f` with each, year-less dates resolved.
/// Regular files are read twice (the year of a stamp depends on the rollovers after
/// it); a stream is read once, taking "now" as its end.
pub fn decode_records(
    input: &Input,
    opts: &ScanOptions,
    f: &mut dyn FnMut(RecordOut) -> std::io::Result<()>,
) -> Result<(), Error> {
    let io_err = |e: std::io::Error| Error::Io {
        path: std::path::PathBuf::from(input.source.name()),
        source: e,
    };
    let markers = kinds::prefilter();
    let seekable = matches!(&input.source, Source::Path(p) if p.is_file());
    let anchor = if seekable {
        let opened = input::open(&input.source)?;
        let mut tracker = Tracker {
            parser: kinds::parser(opts.hint),
        };
        let (reader, _) = sniffed(&mut tracker.parser, opened.reader);
        LineReader::with_limits(reader, opts.buffer_size, opts.max_line)
            .run(&mut tracker, markers)
            .map_err(io_err)?;
        Some(input_anchor(&tracker.parser, opened.mtime, opts))
    } else {
        None
    };
    let opened = input::open(&input.source)?;
    let mut parser = kinds::parser(opts.hint);
    let (reader, _) = sniffed(&mut parser, opened.reader);
    let mut sink = Emitter {
        parser,
        anchor,
        now: opts.now,
        year: opts.year,
        f,
        error: None,
    };
    LineReader::with_limits(reader, opts.buffer_size, opts.max_line)
        .run(&mut sink, markers)
        .map_err(io_err)?;
    sink.finish();
    match sink.error {
        Some(e) => Err(io_err(e)),
        None => Ok(()),
    }
}

struct Tracker {
    parser: Parser,
}

impl LineSink for Tracker {
    fn start(&self) -> Want {
        Want::Every
    }
    fn line(&mut self, line: Line<'_>) -> Want {
        self.parser.track(line.bytes, line.number);
        Want::Every
    }
    fn sample(&mut self, _: Line<'_>) -> bool {
        true
    }
}

struct Emitter<'f> {
    parser: Parser,
    anchor: Option<YearAnchor>,
    now: NaiveDateTime,
    year: Option<i32>,
    f: &'f mut dyn FnMut(RecordOut) -> std::io::Result<()>,
    error: Option<std::io::Error>,
}

impl LineSink for Emitter<'_> {
    fn start(&self) -> Want {
        Want::Every
    }
    fn line(&mut self, line: Line<'_>) -> Want {
        if self.error.is_some() {
            return Want::Markers;
        }
        let mut out = Vec::new();
        self.parser.parse(line.bytes, line.number, &mut |r| {
            out.push((r.wall, RecordOut::new(r)))
        });
        self.hand_out(out);
        Want::Every
    }
    fn sample(&mut self, _: Line<'_>) -> bool {
        true
    }
}

impl Emitter<'_> {
    /// The message the parser still holds back at the end of the input.
    fn finish(&mut self) {
        if self.error.is_some() {
            return;
        }
        let mut out = Vec::new();
        self.parser
            .finish(&mut |r| out.push((r.wall, RecordOut::new(r))));
        self.hand_out(out);
    }

    fn hand_out(&mut self, out: Vec<(Option<crate::record::Wall>, RecordOut)>) {
        // A stream's year: "now", counting only the rollovers seen so far.
        let anchor = self
            .anchor
            .unwrap_or_else(|| self.parser.year_anchor(self.now, self.year));
        for (wall, mut rec) in out {
            rec.set_time(wall, &anchor);
            if let Err(e) = (self.f)(rec) {
                self.error = Some(e);
                break;
            }
        }
    }
}

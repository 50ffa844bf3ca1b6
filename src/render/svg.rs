//! The HTML report's charts, written as SVG text: a timeline of events in lanes, a
//! stacked bar of memory composition, horizontal bars, watermark bars and a small line
//! chart. No chart runtime is needed to view them.
//!
//! Hand-written rather than a crate: the charts are a few rectangles, circles and a
//! polyline each, and what matters is that every label from a log goes through
//! [`LogText::html`] (the renderer's escaping boundary) and that nothing else
//! (scripts, fonts, `style` attributes the page's Content-Security-Policy would block)
//! gets in. The charting crates (plotters and the like) write whole documents with
//! their own fonts and inline styles, and would have to be trusted to escape labels.
//! Colours come from CSS classes in the page's own stylesheet, so light, dark and print
//! follow it.

use std::fmt::Write;

use crate::render::sanitize::LogText;

/// A number for an SVG attribute: at most one decimal, no `-0`.
fn n(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".into()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// An opening `<svg>` with a view box, a CSS class and, when given, an accessible
/// name (small bars in a table cell go without: their `<title>` names them).
fn open(out: &mut String, class: &str, w: f64, h: f64, label: Option<&LogText<'_>>) {
    let _ = write!(
        out,
        "<svg class=\"{class}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\"",
        n(w),
        n(h),
        n(w),
        n(h),
    );
    if let Some(l) = label {
        let _ = write!(out, " role=\"img\" aria-label=\"{}\"", l.html());
    }
    out.push_str(" xmlns=\"http://www.w3.org/2000/svg\">");
}

/// One mark on the timeline.
pub struct Mark<'a> {
    /// Lane (row) index.
    pub lane: usize,
    /// Position on the time axis, 0 to 1.
    pub x: f64,
    /// CSS class (colour) of the mark.
    pub class: &'static str,
    /// Tooltip.
    pub title: LogText<'a>,
    /// Link target (`#ev-3`), when the event has a section on the page.
    pub href: Option<String>,
}

/// The timeline's layout.
pub const TIMELINE_WIDTH: f64 = 960.0;
const LANE_LABEL: f64 = 190.0;
const LANE_H: f64 = 26.0;
const AXIS_H: f64 = 26.0;

/// A timeline: one lane per label, either a mark per event (`marks`) or, for scans
/// too large for that, per lane counts in equal time bins (`bins[lane][bin]`), drawn
/// as bars whose height grows with the count. `axis` is the labels at the start,
/// middle and end of the time axis.
pub fn timeline(
    lanes: &[LogText<'_>],
    marks: &[Mark<'_>],
    bins: Option<&[Vec<u32>]>,
    axis: [&str; 3],
    label: &LogText<'_>,
) -> String {
    let plot = TIMELINE_WIDTH - LANE_LABEL - 20.0;
    let h = lanes.len().max(1) as f64 * LANE_H + AXIS_H;
    let mut out = String::with_capacity(1024 + marks.len() * 160);
    open(&mut out, "timeline", TIMELINE_WIDTH, h, Some(label));
    for (i, l) in lanes.iter().enumerate() {
        let y = i as f64 * LANE_H;
        let _ = write!(
            out,
            "<rect class=\"lane{}\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/>\
             <text class=\"lbl\" x=\"4\" y=\"{}\">{}</text>",
            if i % 2 == 0 { " even" } else { "" },
            n(y),
            n(TIMELINE_WIDTH),
            n(LANE_H),
            n(y + LANE_H / 2.0 + 4.0),
            l.html()
        );
    }
    let x_of = |x: f64| LANE_LABEL + x.clamp(0.0, 1.0) * plot;
    let axis_y = lanes.len().max(1) as f64 * LANE_H;
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        n(LANE_LABEL),
        n(axis_y),
        n(LANE_LABEL + plot),
        n(axis_y)
    );
    for (x, anchor, text) in [
        (0.0, "start", axis[0]),
        (0.5, "middle", axis[1]),
        (1.0, "end", axis[2]),
    ] {
        let _ = write!(
            out,
            "<line class=\"tick\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\
             <text class=\"lbl\" x=\"{0}\" y=\"{3}\" text-anchor=\"{anchor}\">{4}</text>",
            n(x_of(x)),
            n(axis_y),
            n(axis_y + 4.0),
            n(axis_y + 18.0),
            LogText::words(text).html()
        );
    }
    if let Some(bins) = bins {
        let most = bins.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
        for (lane, row) in bins.iter().enumerate() {
            let w = plot / row.len().max(1) as f64;
            for (b, &c) in row.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                // At least a third of the lane, so a lone event stays visible.
                let bh = (LANE_H - 6.0) * (0.33 + 0.67 * (c as f64 / most));
                let y = lane as f64 * LANE_H + (LANE_H - bh) / 2.0;
                let _ = write!(
                    out,
                    "<rect class=\"bin\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">\
                     <title>{} event{}</title></rect>",
                    n(LANE_LABEL + b as f64 * w),
                    n(y),
                    n(w.max(1.0)),
                    n(bh),
                    c,
                    if c == 1 { "" } else { "s" }
                );
            }
        }
    }
    // Marks that would cover each other (the same lane, within a few pixels) are
    // stacked three high, then moved right, so each stays visible and clickable.
    let mut taken = std::collections::HashMap::<(usize, i64), usize>::new();
    for m in marks {
        let k = taken.entry((m.lane, (x_of(m.x) / 8.0) as i64)).or_insert(0);
        let (dx, dy) = ((*k / 3) as f64 * 5.0, [0.0, -7.0, 7.0][*k % 3]);
        *k += 1;
        let cy = m.lane as f64 * LANE_H + LANE_H / 2.0 + dy;
        let circle = format!(
            "<circle class=\"mark {}\" cx=\"{}\" cy=\"{}\" r=\"4\"><title>{}</title></circle>",
            m.class,
            n((x_of(m.x) + dx).min(TIMELINE_WIDTH - 4.0)),
            n(cy),
            m.title.html()
        );
        match &m.href {
            Some(h) => {
                let _ = write!(out, "<a href=\"{}\">{circle}</a>", LogText::words(h).html());
            }
            None => out.push_str(&circle),
        }
    }
    out.push_str("</svg>");
    out
}

/// One slice of a stacked bar.
pub struct Slice<'a> {
    /// CSS class (colour).
    pub class: &'static str,
    /// Tooltip.
    pub title: LogText<'a>,
    /// Share of the whole, percent.
    pub percent: f64,
}

/// A 100 % stacked bar (memory composition): each slice as wide as its share.
pub fn stacked_bar(slices: &[Slice<'_>], label: &LogText<'_>) -> String {
    const W: f64 = 600.0;
    const H: f64 = 28.0;
    let mut out = String::with_capacity(256 + slices.len() * 120);
    open(&mut out, "stack", W, H, Some(label));
    let _ = write!(
        out,
        "<rect class=\"track\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\"/>",
        n(W),
        n(H)
    );
    // Shares rounded up can add to a little over 100 %: then they share the bar.
    let total = slices
        .iter()
        .map(|s| s.percent.max(0.0))
        .sum::<f64>()
        .max(100.0);
    let mut x = 0.0;
    for s in slices {
        let w = (s.percent.max(0.0) / total * W).min(W - x);
        if w < 0.05 {
            continue;
        }
        let _ = write!(
            out,
            "<rect class=\"{}\" x=\"{}\" y=\"0\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
            s.class,
            n(x),
            n(w),
            n(H),
            s.title.html()
        );
        x += w;
    }
    out.push_str("</svg>");
    out
}

/// A small horizontal bar for a table cell: `value` of `max`, `class` for its colour.
pub fn bar(value: f64, max: f64, class: &str, title: &LogText<'_>) -> String {
    const W: f64 = 160.0;
    const H: f64 = 14.0;
    let w = if max > 0.0 {
        (value / max).clamp(0.0, 1.0) * W
    } else {
        0.0
    };
    let mut out = String::with_capacity(320);
    open(&mut out, "bar", W, H, None);
    let _ = write!(
        out,
        "<rect class=\"track\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\"/>\
         <rect class=\"{class}\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\"><title>{}</title></rect></svg>",
        n(W),
        n(H),
        n(w),
        n(H),
        title.html()
    );
    out
}

/// A zone's free memory against its watermarks: a bar of free memory with ticks at
/// `min`, `low` and `high`, scaled so the watermarks are visible.
pub fn watermarks(
    free: u64,
    min: Option<u64>,
    low: Option<u64>,
    high: Option<u64>,
    title: &LogText<'_>,
) -> String {
    const W: f64 = 300.0;
    const H: f64 = 18.0;
    let top = [Some(free), min, low, high]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.1;
    let x = |v: u64| v as f64 / top * W;
    let mut out = String::with_capacity(512);
    open(&mut out, "wm", W, H, None);
    let below = min.is_some_and(|m| free < m);
    let _ = write!(
        out,
        "<rect class=\"track\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\"/>\
         <rect class=\"{}\" x=\"0\" y=\"3\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
        n(W),
        n(H),
        if below { "free low" } else { "free" },
        n(x(free)),
        n(H - 6.0),
        title.html()
    );
    for (v, class) in [(min, "wmin"), (low, "wlow"), (high, "whigh")] {
        if let Some(v) = v {
            let _ = write!(
                out,
                "<line class=\"{class}\" x1=\"{0}\" y1=\"0\" x2=\"{0}\" y2=\"{1}\"/>",
                n(x(v)),
                n(H)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A small line chart of `values` (a victim's memory at each kill), each point with
/// its tooltip.
pub fn line_chart(values: &[(u64, LogText<'_>)], label: &LogText<'_>) -> String {
    const W: f64 = 220.0;
    const H: f64 = 48.0;
    const PAD: f64 = 5.0;
    let mut out = String::with_capacity(256 + values.len() * 100);
    open(&mut out, "spark", W, H, Some(label));
    let most = values.iter().map(|v| v.0).max().unwrap_or(0).max(1) as f64;
    let step = if values.len() > 1 {
        (W - 2.0 * PAD) / (values.len() - 1) as f64
    } else {
        0.0
    };
    let pt = |i: usize, v: u64| {
        (
            PAD + i as f64 * step,
            H - PAD - v as f64 / most * (H - 2.0 * PAD),
        )
    };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = pt(i, v.0);
            format!("{},{}", n(x), n(y))
        })
        .collect();
    let _ = write!(
        out,
        "<polyline class=\"line\" points=\"{}\"/>",
        points.join(" ")
    );
    for (i, v) in values.iter().enumerate() {
        let (x, y) = pt(i, v.0);
        let _ = write!(
            out,
            "<circle class=\"dot\" cx=\"{}\" cy=\"{}\" r=\"2.5\"><title>{}</title></circle>",
            n(x),
            n(y),
            v.1.html()
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(n(0.04), "0");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.345), "12.3");
        assert_eq!(n(f64::NAN), "0");
    }

    #[test]
    fn labels_are_escaped() {
        let s = bar(1.0, 2.0, "pts", &LogText::words("<script>\"x\"</script>"));
        assert!(!s.contains("<script"), "{s}");
        assert!(s.contains("width=\"80\""), "{s}");
        let t = timeline(
            &[LogText::words("a<b")],
            &[Mark {
                lane: 0,
                x: 0.5,
                class: "k",
                title: LogText::words("\"><img>"),
                href: Some("#ev-1".into()),
            }],
            None,
            ["a", "b", "c"],
            &LogText::words("t"),
        );
        assert!(!t.contains("<img") && !t.contains("a<b"), "{t}");
        assert!(t.contains("<a href=\"#ev-1\"><circle"), "{t}");
    }
}

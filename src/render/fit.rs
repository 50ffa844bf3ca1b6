//! Terminal tables that fit the screen: when a table is wider than the terminal, its
//! columns take a shorter form, shorten or drop in an order each table states, so the
//! terminal never wraps a row into half rows. A cell is cut where its meaning survives:
//! a host in the middle (node suffixes stay), a cgroup path at the start (its leaf
//! stays), a name at the end; a cut is marked with `…`.

use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::{Alignment, Modify, Style as TableStyle};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Where a too-long cell loses its characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Keep the start: `worker-1…`.
    End,
    /// Keep both ends: `aks-nod…0000017`.
    Middle,
    /// Keep the end: `…/pod1234/abcd`.
    Start,
    /// Nothing lost: wrap at spaces onto more lines of the same row (a word longer than
    /// the column is cut at its end).
    Wrap,
}

/// One column: its heading, how it is cut, its alignment, and an optional shorter form
/// of its cells (e.g. a time without the year).
pub struct Column {
    /// Heading.
    pub head: &'static str,
    /// How a cell is shortened.
    pub cut: Cut,
    /// Right-aligned (numbers).
    pub right: bool,
    /// A shorter form of a cell, taken by [`Step::Short`].
    pub short: Option<fn(&str) -> String>,
}

impl Column {
    /// A left-aligned column cut as `cut`.
    pub const fn new(head: &'static str, cut: Cut) -> Self {
        Column {
            head,
            cut,
            right: false,
            short: None,
        }
    }

    /// The same, right-aligned.
    pub const fn right(mut self) -> Self {
        self.right = true;
        self
    }

    /// The same, with a shorter form of its cells.
    pub const fn short(mut self, f: fn(&str) -> String) -> Self {
        self.short = Some(f);
        self
    }
}

/// One move towards the width, tried in the order given until the table fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Cells of this column take their shorter form.
    Short(usize),
    /// This column shrinks, down to at most this many cells wide.
    Shrink(usize, usize),
    /// This column goes.
    Drop(usize),
    /// This column goes when no row has anything in it but `0`-like values (all cells
    /// equal to the given text).
    DropIfAll(usize, &'static str),
}

/// Display width of a cell.
pub fn width_of(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` shortened to at most `w` cells as `cut` says, with `…` where text was taken out.
pub fn cut(s: &str, w: usize, how: Cut) -> String {
    if width_of(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let room = w - 1; // the ellipsis takes one cell
    let take_front = |n: usize| -> String {
        let mut out = String::new();
        let mut used = 0;
        for c in s.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > n {
                break;
            }
            used += cw;
            out.push(c);
        }
        out
    };
    let take_back = |n: usize| -> String {
        let mut out: Vec<char> = Vec::new();
        let mut used = 0;
        for c in s.chars().rev() {
            let cw = c.width().unwrap_or(0);
            if used + cw > n {
                break;
            }
            used += cw;
            out.push(c);
        }
        out.into_iter().rev().collect()
    };
    match how {
        Cut::Wrap => {
            let lines = textwrap::wrap(
                s,
                textwrap::Options::new(w)
                    .word_separator(textwrap::WordSeparator::AsciiSpace)
                    .break_words(false)
                    .word_splitter(textwrap::WordSplitter::NoHyphenation),
            );
            lines
                .iter()
                .map(|l| cut(l, w, Cut::End))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Cut::End => format!("{}…", take_front(room)),
        Cut::Start => format!("…{}", take_back(room)),
        // The end carries a node's distinguishing suffix: it gets the larger half.
        Cut::Middle => format!("{}…{}", take_front(room / 2), take_back(room - room / 2)),
    }
}

/// A table fitted to `width` cells: `rows` are the cells of each row in column order.
/// Returns the table's lines (each at most `width` wide unless even every step could
/// not make it fit) and the headings of the columns that were dropped.
pub fn fit(
    cols: &[Column],
    rows: &[Vec<String>],
    width: usize,
    steps: &[Step],
) -> (String, Vec<&'static str>) {
    let mut cells: Vec<Vec<String>> = rows.to_vec();
    let natural = |cells: &[Vec<String>], i: usize| {
        cells
            .iter()
            .map(|r| r.get(i).map_or(0, |c| width_of(c)))
            .chain([width_of(cols[i].head)])
            .max()
            .unwrap_or(0)
    };
    let mut widths: Vec<Option<usize>> =
        (0..cols.len()).map(|i| Some(natural(&cells, i))).collect();
    // Rounded style: a border and a space either side of every cell.
    let total = |w: &[Option<usize>]| {
        let kept = w.iter().flatten().count();
        w.iter().flatten().sum::<usize>() + 3 * kept + 1
    };
    for step in steps {
        if total(&widths) <= width {
            break;
        }
        match *step {
            Step::Short(i) => {
                if let (Some(f), Some(_)) = (cols[i].short, widths[i]) {
                    for r in &mut cells {
                        if let Some(c) = r.get_mut(i) {
                            *c = f(c);
                        }
                    }
                    widths[i] = Some(natural(&cells, i));
                }
            }
            Step::Shrink(i, to) => {
                if let Some(w) = widths[i] {
                    let over = total(&widths) - width;
                    widths[i] = Some(w.saturating_sub(over).max(to).min(w));
                }
            }
            Step::Drop(i) => widths[i] = None,
            Step::DropIfAll(i, v) => {
                if cells.iter().all(|r| r.get(i).is_none_or(|c| c == v)) {
                    widths[i] = None;
                }
            }
        }
    }
    // A later step may have freed more than needed (a column dropped after others
    // shrank): give the room back to the shrunk columns, the last shrunk first.
    for step in steps.iter().rev() {
        let Step::Shrink(i, _) = *step else { continue };
        let slack = width.saturating_sub(total(&widths));
        if let Some(w) = widths[i] {
            widths[i] = Some((w + slack).min(natural(&cells, i)));
        }
    }
    let kept: Vec<usize> = (0..cols.len()).filter(|i| widths[*i].is_some()).collect();
    let dropped = (0..cols.len())
        .filter(|i| widths[*i].is_none())
        .map(|i| cols[i].head)
        .collect();
    let mut b = Builder::default();
    b.push_record(
        kept.iter()
            .map(|&i| cut(cols[i].head, widths[i].unwrap_or(0), Cut::End)),
    );
    for r in &cells {
        b.push_record(kept.iter().map(|&i| {
            let c = r.get(i).map_or("", String::as_str);
            cut(c, widths[i].unwrap_or(0), cols[i].cut)
        }));
    }
    let mut t = b.build();
    t.with(TableStyle::rounded());
    for (j, &i) in kept.iter().enumerate() {
        if cols[i].right {
            t.with(Modify::new(Columns::new(j..=j)).with(Alignment::right()));
        }
    }
    (t.to_string(), dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_keep_the_meaningful_end() {
        assert_eq!(
            cut("aks-nodepool1-12345678-vmss000017", 40, Cut::Middle),
            "aks-nodepool1-12345678-vmss000017"
        );
        assert_eq!(
            cut("aks-nodepool1-12345678-vmss000017", 15, Cut::Middle),
            "aks-nod…s000017"
        );
        assert_eq!(
            cut("/kubepods/burstable/pod1/abc", 10, Cut::Start),
            "…/pod1/abc"
        );
        assert_eq!(cut("worker-12", 6, Cut::End), "worke…");
        assert_eq!(cut("abc", 3, Cut::End), "abc");
        assert_eq!(
            cut("largest by memory after adj", 10, Cut::Wrap),
            "largest\nby memory\nafter adj"
        );
        // Wide characters count two cells.
        assert_eq!(cut("数据库服务", 5, Cut::End), "数据…");
    }

    #[test]
    fn steps_apply_in_order_until_it_fits() {
        let cols = [
            Column::new("time", Cut::End).short(|s| s[5..].to_string()),
            Column::new("host", Cut::Middle),
            Column::new("why", Cut::End),
        ];
        let rows = vec![vec![
            "2026-11-21 22:26:27".to_string(),
            "aks-nodepool1-12345678-vmss000017".to_string(),
            "oom_score_adj=600 outweighed larger tasks".to_string(),
        ]];
        let steps = [
            Step::Shrink(2, 12),
            Step::Short(0),
            Step::Shrink(1, 15),
            Step::Drop(2),
        ];
        // Wide enough: untouched.
        let (t, dropped) = fit(&cols, &rows, 200, &steps);
        assert!(t.contains("oom_score_adj=600 outweighed larger tasks"));
        assert!(dropped.is_empty());
        // 60 cells: why shrinks to 12, the time loses its year, the host its middle.
        let (t, dropped) = fit(&cols, &rows, 60, &steps);
        assert!(dropped.is_empty());
        assert!(t.lines().all(|l| width_of(l) <= 60), "{t}");
        assert!(t.contains("11-21 22:26:27") && !t.contains("2026-"), "{t}");
        assert!(t.contains("oom_score_a…"), "{t}");
        assert!(t.contains("vmss000017"), "{t}");
        // 40 cells: why goes.
        let (t, dropped) = fit(&cols, &rows, 40, &steps);
        assert_eq!(dropped, ["why"]);
        assert!(!t.contains("oom_score"), "{t}");
    }
}

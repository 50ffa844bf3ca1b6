//! The task table (`dump_tasks`): columns are found by their header names, because
//! every few kernel versions add, drop or rename one (§2.6 of the format notes).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::text::LogString;

/// One row of the task table. Memory columns are in pages except `pgtables_bytes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRow {
    /// `pid` (the thread that owns the mm; normally the process id).
    pub pid: u32,
    /// `uid`
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub uid: Option<i64>,
    /// `tgid`
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tgid: Option<i64>,
    /// `total_vm` pages
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub total_vm: Option<i64>,
    /// `rss` pages
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rss: Option<i64>,
    /// `rss_anon` pages (6.8+)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rss_anon: Option<i64>,
    /// `rss_file` pages (6.8+)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rss_file: Option<i64>,
    /// `rss_shmem` pages (6.8+)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rss_shmem: Option<i64>,
    /// `nr_ptes` page-table pages (3.6–4.14)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub nr_ptes: Option<i64>,
    /// `nr_pmds` (4.0–4.14)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub nr_pmds: Option<i64>,
    /// `pgtables_bytes` (4.15+)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pgtables_bytes: Option<i64>,
    /// `swapents` swap entries (3.6+)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub swapents: Option<i64>,
    /// `cpu` (≤ 3.5)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cpu: Option<i64>,
    /// `oom_adj` (≤ 3.5)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub oom_adj: Option<i64>,
    /// `oom_score_adj` (2.6.36+)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub oom_score_adj: Option<i64>,
    /// Columns this version of oomlens does not know, by their header names.
    #[serde(flatten)]
    pub extra: BTreeMap<String, i64>,
    /// Process name (may contain spaces).
    pub name: LogString,
}

/// The task table of one report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskTable {
    /// Column names as printed in the header, `pid` first and `name` last.
    pub columns: Vec<String>,
    /// Rows in printed order (roughly the kernel's iteration order).
    pub rows: Vec<TaskRow>,
    /// A header was seen.
    pub header_seen: bool,
    /// The 4.19+ header style (`[  pid  ]`, preceded by "Tasks state").
    pub wide_pid: bool,
    /// Rows that could not be read (cut mid-row, garbled).
    pub bad_rows: u32,
}

impl TaskTable {
    /// Takes the header's column names (everything after `[ pid ]`).
    pub fn set_header(&mut self, cols: &[&[u8]], wide_pid: bool) {
        self.columns.clear();
        self.columns.push("pid".to_string());
        self.columns
            .extend(cols.iter().map(|c| String::from_utf8_lossy(c).into_owned()));
        self.header_seen = true;
        self.wide_pid = wide_pid;
    }

    /// Parses a row (`[  1234]   0  1234 …  name with spaces`) against the header.
    /// Returns false if the row does not fit the header (it is then counted as bad).
    pub fn push_row(&mut self, line: &[u8]) -> bool {
        match self.parse_row(line) {
            Some(row) => {
                self.rows.push(row);
                true
            }
            None => {
                self.bad_rows += 1;
                false
            }
        }
    }

    fn parse_row(&self, line: &[u8]) -> Option<TaskRow> {
        // pid and name are the least a table has.
        if self.columns.len() < 2 {
            return None;
        }
        let close = line.iter().position(|b| *b == b']')?;
        let pid: u32 = crate::event::classify::parse(Some(&line[1..close]))?;
        let mut row = TaskRow {
            pid,
            ..TaskRow::default()
        };
        // Numeric columns between pid and name.
        let numeric = &self.columns[1..self.columns.len().saturating_sub(1)];
        let mut rest = &line[close + 1..];
        for col in numeric {
            rest = rest.trim_ascii_start();
            let end = rest.iter().position(|b| *b == b' ').unwrap_or(rest.len());
            let v: i64 = crate::event::classify::parse(Some(&rest[..end]))?;
            rest = &rest[end..];
            set_column(&mut row, col, v);
        }
        // The name is everything after the last number (it may contain spaces).
        let name = rest.trim_ascii();
        if name.is_empty() && self.columns.last().is_some_and(|c| c == "name") {
            return None;
        }
        row.name = LogString::from_lossy(name);
        Some(row)
    }

    /// Whether the table has rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

fn set_column(row: &mut TaskRow, col: &str, v: i64) {
    let slot = match col {
        "uid" => &mut row.uid,
        "tgid" => &mut row.tgid,
        "total_vm" => &mut row.total_vm,
        "rss" => &mut row.rss,
        "rss_anon" => &mut row.rss_anon,
        "rss_file" => &mut row.rss_file,
        "rss_shmem" => &mut row.rss_shmem,
        "nr_ptes" => &mut row.nr_ptes,
        "nr_pmds" => &mut row.nr_pmds,
        "pgtables_bytes" => &mut row.pgtables_bytes,
        "swapents" => &mut row.swapents,
        "cpu" => &mut row.cpu,
        "oom_adj" => &mut row.oom_adj,
        "oom_score_adj" => &mut row.oom_score_adj,
        other => {
            row.extra.insert(other.to_string(), v);
            return;
        }
    };
    *slot = Some(v);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: &str) -> TaskTable {
        let mut t = TaskTable::default();
        let cols: Vec<&[u8]> = header.split_whitespace().map(str::as_bytes).collect();
        t.set_header(&cols, false);
        t
    }

    #[test]
    fn rows_follow_the_header_of_each_era() {
        let mut t = table(
            "uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name",
        );
        assert!(t.push_row(b"[  15346]     0 15346    18790    17716    16288     1428         0   196608        0             0 python3"));
        let r = &t.rows[0];
        assert_eq!(
            (r.pid, r.rss, r.rss_anon, r.pgtables_bytes, r.oom_score_adj),
            (15346, Some(17716), Some(16288), Some(196608), Some(0))
        );
        assert_eq!(r.name, "python3");

        let mut t =
            table("uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name");
        assert!(t.push_row(b"[ 1381]     0  1381   530382     5191      34       4     5489             0 gunpowder-memho"));
        assert_eq!(
            (t.rows[0].nr_ptes, t.rows[0].nr_pmds, t.rows[0].swapents),
            (Some(34), Some(4), Some(5489))
        );

        let mut t = table("uid  tgid total_vm      rss cpu oom_adj oom_score_adj name");
        assert!(t.push_row(b"[15462]   500 15462    58346    12903   3       0             0 t"));
        assert_eq!(
            (t.rows[0].cpu, t.rows[0].oom_adj, t.rows[0].uid),
            (Some(3), Some(0), Some(500))
        );
    }

    #[test]
    fn names_with_spaces_and_cut_rows() {
        let mut t = table("uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name");
        assert!(t.push_row(
            b"[  19331]  1000 19331   226026    29603  1314816        0           999 npm start"
        ));
        assert_eq!(t.rows[0].name, "npm start");
        assert!(t.push_row(b"[ 1] 0 1 2 3 4 5 -998 a (b) c"));
        assert_eq!(
            (t.rows[1].name.as_log_str(), t.rows[1].oom_score_adj),
            ("a (b) c", Some(-998))
        );
        assert!(!t.push_row(b"[  19388]  1000 19388  5588434   1380"));
        assert_eq!(t.bad_rows, 1);
    }

    #[test]
    fn unknown_columns_are_kept_by_name() {
        let mut t = table("uid tgid total_vm rss future_col oom_score_adj name");
        assert!(t.push_row(b"[ 7] 0 7 10 5 99 0 x"));
        assert_eq!(t.rows[0].extra.get("future_col"), Some(&99));
    }
}

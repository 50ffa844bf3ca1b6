//! The strings that can open or feed an OOM event while no report is being read.
//!
//! Outside a report the reader searches whole buffers for these and cuts out only the
//! lines that hold one, so this list is a contract with the event assembler: every line
//! kind that the assembler acts on while idle contains one of these strings (a test
//! checks it). Inside a report every line is read, so the list need not cover the
//! body of a report.
//!
//! The search itself looks for [`ANCHORS`], one short piece of each marker, and checks
//! the line around a hit for a real marker: Teddy (the SIMD multi-string search) tells
//! candidates apart by their first four bytes, and the markers' own first bytes
//! ("oom-", "Memo", "Tota", "call", "is a", …) are common in ordinary logs (zoom-,
//! OutOfMemoryError, callbacks), which halves its speed.

use aho_corasick::packed;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, Span};
use memchr::{memchr, memrchr};

/// Marker strings, case-sensitive, as the kernel prints them.
pub const MARKERS: &[&str] = &[
    // Report headers: "<comm> invoked oom-killer: gfp_mask=" and the pre-2.6.25
    // "oom-killer: gfp_mask=" without a task name.
    "oom-killer:",
    // Verdict lines in every era.
    "Killed process",
    "Kill process",
    "kill process",
    // The 5.0+ one-line summary.
    "oom-kill:",
    // Reaper results, which come after the kill and may be far from it.
    "oom_reaper:",
    // Memcg report pieces that can start a report whose header was cut off.
    "killed as a result of limit",
    "memory.oom.group",
    "Memory cgroup stats for",
    "memory: usage",
    // Task table header (every era has "uid  tgid total_vm"; shippers may squeeze
    // the spaces) and its 4.19+ title.
    "tgid total_vm",
    "Tasks state (memory",
    // Mem-Info pieces that can start a report whose header was cut off.
    "Mem-Info:",
    "Mem-info:",
    "Free swap  =",
    "Total swap =",
    "pages RAM",
    // Endings without a kill, and other report lines.
    "Out of memory",
    "has mm pinned by",
    "is already exiting. Skip killing",
    // The panic that follows "no killable processes" on a global OOM.
    "deadlocked on memory",
    // "oom_kill_process: N callbacks suppressed": reports were rate-limited away.
    "callbacks suppressed",
    // SysRq-f ("SysRq : Manual OOM execution"): the report after it is a manual OOM.
    "Manual OOM execution",
    // Boot evidence: swap added at boot and a new kernel starting.
    "k swap on ",
    "Linux version ",
    // A journal export whose message is a byte array hides its text from the search.
    "\"MESSAGE\":[",
];

/// What the search looks for: every marker contains one of these (a test checks it).
/// Their first four bytes are rare in log text, and pieces with the same start are
/// listed together so that Teddy puts them in one bucket.
pub const ANCHORS: &[&str] = &[
    "m-kill",
    "Kill process",
    "Killed process",
    "kill process",
    "killed as",
    "Mem-Info:",
    "Mem-info:",
    "swap  =",
    "swap =",
    "swap on ",
    "ks state (",
    "ks suppressed",
    "_reaper:",
    ".oom.group",
    "y cgroup stats",
    "y: usage",
    "tgid total_vm",
    "es RAM",
    "Out of memory",
    "mm pinned",
    "Skip killing",
    "dlocked on mem",
    "Linux version",
    "Manual OOM",
    "MESSAGE\":[",
];

/// A compiled multi-string searcher for [`MARKERS`].
#[derive(Clone)]
pub struct Markers {
    ac: AhoCorasick,
    /// Teddy over [`ANCHORS`]; `None` where the CPU has no SIMD for it.
    anchors: Option<packed::Searcher>,
}

impl Markers {
    /// Compiles the standard marker set.
    pub fn new() -> Self {
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(MARKERS)
            .expect("marker patterns are valid");
        let anchors = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(ANCHORS)
            .build();
        Markers { ac, anchors }
    }

    /// Offset of the first marker in `haystack`.
    pub fn find(&self, haystack: &[u8]) -> Option<usize> {
        let Some(anchors) = &self.anchors else {
            return self.ac.find(haystack).map(|m| m.start());
        };
        // Lines before the first one holding a marker may hold anchors; each such
        // line is checked whole and skipped. Markers have no `\n`, so the first marker
        // of the first line with one is the first marker of the haystack.
        let mut from = 0;
        while from < haystack.len() {
            let at = anchors
                .find_in(haystack, Span::from(from..haystack.len()))?
                .start();
            let start = memrchr(b'\n', &haystack[from..at]).map_or(from, |i| from + i + 1);
            let end = memchr(b'\n', &haystack[at..]).map_or(haystack.len(), |i| at + i);
            if let Some(m) = self.ac.find(&haystack[start..end]) {
                return Some(start + m.start());
            }
            from = end + 1;
        }
        None
    }

    /// Length of the longest marker: how far a match can reach past its first byte.
    pub fn max_len(&self) -> usize {
        self.ac.max_pattern_len()
    }

    /// Whether `haystack` contains any marker.
    pub fn contains(&self, haystack: &[u8]) -> bool {
        self.ac.is_match(haystack)
    }
}

impl Default for Markers {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_first_marker_and_ignores_lookalikes() {
        let m = Markers::new();
        let text = b"zoom oom OutOfMemoryError\nkernel: foo invoked oom-killer: gfp_mask=0x0\n";
        assert_eq!(m.find(text), Some(46));
        assert_eq!(&text[46..57], b"oom-killer:");
        assert!(!m.contains(b"java.lang.OutOfMemoryError: Java heap space; zoom out"));
        assert!(m.contains(b"Memory cgroup out of memory: Killed process 1 (x)"));
    }

    #[test]
    fn every_marker_holds_an_anchor() {
        for m in MARKERS {
            assert!(
                ANCHORS.iter().any(|a| m.contains(a)),
                "no anchor in marker {m:?}"
            );
        }
    }

    #[test]
    fn anchored_search_finds_what_the_plain_search_finds() {
        let m = Markers::new();
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for dir in ["samples/real", "samples/lab"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for e in std::fs::read_dir(dir).unwrap() {
                texts.push(std::fs::read(e.unwrap().path()).unwrap());
            }
        }
        // Anchors without their marker, on the line before a marker and on its line.
        texts.push(b"a Kill processor\nswap on x; Out of memory\n".to_vec());
        texts.push(b"boom-killer\nzoom-kill: no\nx oom-kill: y\n".to_vec());
        texts.push(b"Mem-Info\nks state (x) Tasks state (memory".to_vec());
        for t in &texts {
            for from in [0, 1, 7, t.len() / 3, t.len() / 2] {
                let h = &t[from.min(t.len())..];
                let mut pos = 0;
                loop {
                    let want = m.ac.find(&h[pos..]).map(|x| x.start());
                    assert_eq!(m.find(&h[pos..]), want);
                    let Some(w) = want else { break };
                    pos += w + 1;
                }
            }
        }
    }
}

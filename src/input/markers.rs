//! The strings that can open or feed an OOM event while no report is being read.
//!
//! Outside a report the reader searches whole buffers for these and cuts out only the
//! lines that hold one, so this list is a contract with the event assembler: every line
//! kind that the assembler acts on while idle contains one of these strings (a test
//! checks it). Inside a report every line is read, so the list need not cover the
//! body of a report.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

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
    // Task table header (every era has "uid  tgid total_vm") and its 4.19+ title.
    "uid  tgid total_vm",
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
    // "oom_kill_process: N callbacks suppressed": reports were rate-limited away.
    "callbacks suppressed",
    // Boot evidence: swap added at boot and a new kernel starting.
    "k swap on ",
    "Linux version ",
    // A journal export whose message is a byte array hides its text from the search.
    "\"MESSAGE\":[",
];

/// A compiled multi-string searcher for [`MARKERS`].
#[derive(Clone)]
pub struct Markers {
    ac: AhoCorasick,
}

impl Markers {
    /// Compiles the standard marker set.
    pub fn new() -> Self {
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(MARKERS)
            .expect("marker patterns are valid");
        Markers { ac }
    }

    /// Offset of the first marker in `haystack`.
    pub fn find(&self, haystack: &[u8]) -> Option<usize> {
        self.ac.find(haystack).map(|m| m.start())
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
}

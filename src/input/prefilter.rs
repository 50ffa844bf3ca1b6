//! A prefilter: finds the lines that hold one of a set of literal strings, fast.
//!
//! Outside a report the line reader searches whole buffers for these literals and cuts
//! out only the lines that hold one. The bytes layer knows nothing of what the
//! literals mean: the layer that reads the lines hands the set down (the event layer
//! builds it from its table of report-line kinds, `event::kinds::prefilter`).
//!
//! The search itself looks for anchors, one short piece of each literal, and checks
//! the line around a hit for a real literal: Teddy (the SIMD multi-string search) tells
//! candidates apart by their first four bytes, and literals' own first bytes are often
//! common in ordinary text, which halves its speed. Anchors are a speed hint only: a
//! literal that holds none of the anchors given is searched for whole.

use aho_corasick::packed;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, Span};
use memchr::{memchr, memrchr};

/// A compiled multi-string searcher for a set of literals (case-sensitive, no `\n`).
#[derive(Clone)]
pub struct Prefilter {
    ac: AhoCorasick,
    /// Teddy over the anchors; `None` where the CPU has no SIMD for it.
    anchors: Option<packed::Searcher>,
}

impl Prefilter {
    /// Compiles a searcher for `literals`, searching first for `anchors` (pieces of the
    /// literals chosen for first bytes that are rare in the text searched; their order
    /// decides Teddy's buckets, which can change its speed severalfold).
    ///
    /// # Panics
    ///
    /// If a literal is empty or holds a `\n` (a line is where a literal is found).
    pub fn new(literals: &[&str], anchors: &[&str]) -> Self {
        assert!(
            literals.iter().all(|l| !l.is_empty() && !l.contains('\n')),
            "prefilter literals are non-empty and within one line"
        );
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(literals)
            .expect("literal patterns are valid");
        // Only anchors that are pieces of a literal, and every literal that holds
        // none searched for whole: the anchored search then misses nothing.
        let mut pieces: Vec<&str> = anchors
            .iter()
            .copied()
            .filter(|a| !a.is_empty() && literals.iter().any(|l| l.contains(a)))
            .collect();
        for l in literals {
            if !pieces.iter().any(|a| l.contains(a)) {
                pieces.push(l);
            }
        }
        let anchors = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(&pieces)
            .build();
        Prefilter { ac, anchors }
    }

    /// Offset of the first literal in `haystack`.
    pub fn find(&self, haystack: &[u8]) -> Option<usize> {
        let Some(anchors) = &self.anchors else {
            return self.ac.find(haystack).map(|m| m.start());
        };
        // Lines before the first one holding a literal may hold anchors; each such
        // line is checked whole and skipped. Literals have no `\n`, so the first
        // literal of the first line with one is the first literal of the haystack.
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

    /// Length of the longest literal: how far a match can reach past its first byte.
    pub fn max_len(&self) -> usize {
        self.ac.max_pattern_len()
    }

    /// Whether `haystack` contains any literal.
    pub fn contains(&self, haystack: &[u8]) -> bool {
        self.ac.is_match(haystack)
    }

    /// The plain (unanchored) search, which [`Prefilter::find`] must agree with.
    #[doc(hidden)]
    pub fn find_plain(&self, haystack: &[u8]) -> Option<usize> {
        self.ac.find(haystack).map(|m| m.start())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LITERALS: &[&str] = &["oom-killer:", "Killed process", "Out of memory", "swap on "];

    #[test]
    fn finds_first_literal_and_ignores_lookalikes() {
        let m = Prefilter::new(LITERALS, &["m-kill", "Killed process", "Out of memory"]);
        let text = b"zoom oom OutOfMemoryError\nkernel: foo invoked oom-killer: gfp_mask=0x0\n";
        assert_eq!(m.find(text), Some(46));
        assert_eq!(&text[46..57], b"oom-killer:");
        assert!(!m.contains(b"java.lang.OutOfMemoryError: Java heap space; zoom out"));
        assert!(m.contains(b"Memory cgroup out of memory: Killed process 1 (x)"));
    }

    #[test]
    fn a_literal_without_an_anchor_is_still_found() {
        // "swap on " holds no anchor given, and "nowhere" is in no literal.
        let m = Prefilter::new(LITERALS, &["m-kill", "nowhere"]);
        let text = b"a\nAdding 4k swap on /x\nb Killed process 1\n";
        assert_eq!(m.find(text), Some(12));
        assert_eq!(m.find(&text[13..]), Some(25 - 13));
    }

    #[test]
    fn anchored_search_finds_what_the_plain_search_finds() {
        let m = Prefilter::new(LITERALS, &["m-kill", "Killed", "of mem"]);
        let texts: [&[u8]; 3] = [
            b"a Killed processor\nswap on x; Out of memory\n",
            b"boom-killer\nzoom-kill: no\nx oom-killer: y\n",
            b"of mem\nKilled\nKilled process",
        ];
        for t in texts {
            for from in 0..t.len() {
                assert_eq!(m.find(&t[from..]), m.find_plain(&t[from..]), "{from}");
            }
        }
    }
}

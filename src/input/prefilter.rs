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
    /// Teddy over the anchors, in groups of at most [`GROUP`]; empty where the CPU has
    /// no SIMD for it.
    anchors: Vec<packed::Searcher>,
}

/// Anchors per Teddy searcher: past 32 patterns Teddy takes its wide ("fat") form,
/// which with the userspace killers' anchors made the 1 GiB benchmark over twice as
/// slow; two slim searchers over the same bytes cost less. (Anchors of 4 bytes or more
/// also keep Teddy's 4-byte fingerprint: one 3-byte anchor drops every pattern to 3.)
const GROUP: usize = 32;

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
        let built: Option<Vec<packed::Searcher>> = pieces
            .chunks(GROUP)
            .map(|group| {
                packed::Config::new()
                    .match_kind(packed::MatchKind::LeftmostFirst)
                    .builder()
                    .extend(group)
                    .build()
            })
            .collect();
        Prefilter {
            ac,
            anchors: built.unwrap_or_default(),
        }
    }

    /// Offset of the first literal in `haystack`.
    pub fn find(&self, haystack: &[u8]) -> Option<usize> {
        if self.anchors.is_empty() {
            return self.ac.find(haystack).map(|m| m.start());
        }
        // Lines before the first one holding a literal may hold anchors; each such
        // line is checked whole and skipped. Literals have no `\n`, so the first
        // literal of the first line with one is the first literal of the haystack.
        let mut from = 0;
        while from < haystack.len() {
            let at = self.next_anchor(haystack, from)?;
            let start = memrchr(b'\n', &haystack[from..at]).map_or(from, |i| from + i + 1);
            let end = memchr(b'\n', &haystack[at..]).map_or(haystack.len(), |i| at + i);
            if let Some(m) = self.ac.find(&haystack[start..end]) {
                return Some(start + m.start());
            }
            from = end + 1;
        }
        None
    }

    /// The first anchor at or after `from`: each group searches only up to the best
    /// hit of the groups before it, so together they read the bytes once per group.
    fn next_anchor(&self, haystack: &[u8], from: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        for g in &self.anchors {
            let end = best.unwrap_or(haystack.len());
            if end <= from {
                break;
            }
            if let Some(m) = g.find_in(haystack, Span::from(from..end)) {
                best = Some(m.start());
            }
        }
        best
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
    fn anchors_past_one_searcher_are_searched_in_groups() {
        // 70 literals with an anchor each: three searchers; the first hit of any wins.
        let lits: Vec<String> = (0..70).map(|i| format!("needle-{i:02} here")).collect();
        let anchors: Vec<String> = (0..70).map(|i| format!("dle-{i:02}")).collect();
        let lits: Vec<&str> = lits.iter().map(String::as_str).collect();
        let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
        let m = Prefilter::new(&lits, &anchors);
        assert_eq!(m.anchors.len(), 3);
        let text = b"x\nneedle-69 there\nneedle-65 here\nneedle-03 here\n";
        assert_eq!(m.find(text), Some(18));
        assert_eq!(m.find(text), m.find_plain(text));
        assert_eq!(m.find(&text[19..]), Some(33 - 19));
        assert_eq!(m.find(b"needle-69 there\n"), None);
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

//! Making untrusted text safe to show. Process names, cgroup paths and host names
//! come from logs that any local user can influence (a process can name itself
//! anything): on a terminal they must not carry escape sequences, in Markdown they
//! must not add formatting, links or HTML, in HTML they must not add an element or an
//! attribute. JSON needs none of this: serde escapes.
//!
//! [`LogText`] is the boundary: text from a log (or a sentence holding some) has no
//! `Display`, so it cannot be written raw into a terminal or Markdown report; it is
//! written through [`LogText::term`], [`LogText::md`], [`LogText::code`] or
//! [`LogText::html`], or
//! serialised exactly for JSON. The model holds log text as [`LogString`] (no
//! `Display` either); the render layer gets it only as a `LogText`
//! (`LogText::from(&s)`), never through [`LogString::as_log_str`]: this file is the
//! one place under `src/render/` that reads the raw text (a test checks the others).

use std::borrow::Cow;

use serde::{Serialize, Serializer};

use crate::text::LogString;

/// Text that came from a log, or words that contain some. Deliberately neither
/// `Display` nor `Deref<Target = str>`: the only ways out are a medium's escaper and
/// `Serialize` (JSON, which escapes by itself).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogText<'a>(Cow<'a, str>);

impl<'a> LogText<'a> {
    /// Words oomlens writes itself (a placeholder such as `-`), to be written where log
    /// text goes. Text from the model comes in as `LogText::from(&LogString)`.
    pub fn words(s: &'a str) -> Self {
        LogText(Cow::Borrowed(s))
    }

    /// A sentence oomlens writes, owned; log text goes into it with
    /// [`LogText::push_log`], so the whole is escaped as one (as it is shown).
    pub fn sentence(s: String) -> LogText<'static> {
        LogText(Cow::Owned(s))
    }

    /// For a terminal: control characters (C0, DEL, C1), bidi controls and invisible
    /// characters shown escaped (`\x1b`, `\u{202e}`).
    pub fn term(&self) -> Cow<'_, str> {
        term(&self.0)
    }

    /// For a terminal, keeping the borrow of the log text.
    pub fn into_term(self) -> Cow<'a, str> {
        match self.0 {
            Cow::Borrowed(s) => term(s),
            Cow::Owned(s) => Cow::Owned(term(&s).into_owned()),
        }
    }

    /// For Markdown text or a table cell: terminal-safe, and every character that can
    /// start formatting, a link, math or HTML escaped (`|` too).
    pub fn md(&self) -> String {
        md(&self.0)
    }

    /// For inside a Markdown code block: terminal-safe, backticks replaced.
    pub fn code(&self) -> String {
        code(&self.0)
    }

    /// For inside a code span in a Markdown table cell: as [`LogText::code`], and `|`
    /// escaped (GitHub and GitLab split cells at it even inside a code span).
    pub fn code_cell(&self) -> String {
        code_cell(&self.0)
    }

    /// For HTML text and attribute values (quoted): as [`LogText::term`], and
    /// `& < > " '` as entities, so nothing from a log can open an element, end an
    /// attribute or start an entity.
    pub fn html(&self) -> String {
        html(&self.0)
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends words oomlens writes (e.g. " (partial)", a formatted number).
    pub fn push_words(&mut self, tail: &str) {
        self.0.to_mut().push_str(tail);
    }

    /// Appends text from a log, unescaped: it is escaped with the rest when written.
    pub fn push_log(&mut self, t: &LogText<'_>) {
        self.0.to_mut().push_str(&t.0);
    }

    /// Appends text from a log as one shell word, for a command to copy: as is when it
    /// holds only characters no shell treats specially, else in single quotes (a `'`
    /// inside closed, escaped and reopened), so a hostile name stays one argument.
    pub fn push_shell_word(&mut self, t: &LogText<'_>) {
        let w = &t.0;
        let plain = !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
        let s = self.0.to_mut();
        if plain {
            s.push_str(w);
        } else {
            s.push('\'');
            s.push_str(&w.replace('\'', "'\\''"));
            s.push('\'');
        }
    }

    /// Whether the text is an id of hex digits and dashes (a pod UID, a container id),
    /// safe inside any quoting.
    pub fn is_hex_id(&self) -> bool {
        !self.0.is_empty() && self.0.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
    }

    /// The first `n` bytes (ids are ASCII; a non-ASCII one is cut at a character
    /// boundary, never inside one).
    pub fn head(&self, n: usize) -> LogText<'_> {
        let mut end = self.0.len().min(n);
        while !self.0.is_char_boundary(end) {
            end -= 1;
        }
        LogText::words(&self.0[..end])
    }

    /// Without trailing whitespace.
    pub fn trim_end(&self) -> LogText<'_> {
        LogText::words(self.0.trim_end())
    }

    /// The part after the last `sep` that is not empty (a cgroup path's last
    /// component), or the whole text.
    pub fn last_part(&self, sep: char) -> LogText<'_> {
        let t: &str = &self.0;
        LogText::words(t.rsplit(sep).find(|p| !p.is_empty()).unwrap_or(t))
    }

    /// Whether the text starts with `c` (a cgroup path starts with `/`).
    pub fn starts_with(&self, c: char) -> bool {
        self.0.starts_with(c)
    }

    /// Owns the text.
    pub fn into_owned(self) -> LogText<'static> {
        LogText(Cow::Owned(self.0.into_owned()))
    }
}

impl<'a> From<&'a LogString> for LogText<'a> {
    /// The one way the render layer takes text from the model.
    fn from(s: &'a LogString) -> Self {
        LogText(Cow::Borrowed(s.as_log_str()))
    }
}

impl Serialize for LogText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Text for a terminal: control characters (C0, DEL, C1), the Unicode bidi controls
/// and invisible characters (zero-width, word joiners, BOM, line/paragraph
/// separators) are shown escaped (`\x1b`, `\u{202e}`), so nothing from a log can move
/// the cursor, change colours, reorder what is shown or hide in it.
fn term(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            if (c as u32) < 0x100 {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a terminal or Markdown reader must never receive `c` raw from a log: C0/C1
/// controls, DEL, bidi controls and invisible characters (the escapers show these
/// escaped; the render fuzz target checks no output holds one).
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// Text for Markdown (GitHub, GitLab and Jira render it): terminal-safe first, then
/// every character that can start formatting, a link, math or HTML is escaped, so a
/// name renders literally, inside table cells too. Characters that only matter at the
/// start of a line (`-`, `+`, `1.`) are left alone: callers never start a line with
/// untrusted text.
fn md(s: &str) -> String {
    let t = term(s);
    let mut out = String::with_capacity(t.len() + 8);
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // Autolinks: "http://x", "a@b.c", "www.x".
            ':' if chars.peek() == Some(&'/') => out.push_str("\\:"),
            '@' => out.push_str("\\@"),
            '.' if out.len() >= 3
                && out.as_bytes()[out.len() - 3..].eq_ignore_ascii_case(b"www") =>
            {
                out.push_str("\\.")
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text for HTML, in element content or a quoted attribute value: terminal-safe first
/// (controls, bidi and invisible characters shown as `\u{202e}`, so they can neither
/// reorder nor hide text on the page), then the five characters that mean something
/// to an HTML parser as entities.
fn html(s: &str) -> String {
    let t = term(s);
    let mut out = String::with_capacity(t.len() + 8);
    for c in t.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text for inside a Markdown code span or fenced block: terminal-safe, and backticks
/// replaced so the block cannot be closed early.
fn code(s: &str) -> String {
    term(s).replace('`', "ˋ")
}

/// Text for a code span inside a Markdown table cell: as [`code`], and `|` escaped,
/// since GitHub and GitLab split table cells at a `|` even inside a code span (`\|`
/// shows as `|` there).
fn code_cell(s: &str) -> String {
    code(s).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_reach_the_terminal_as_text() {
        assert_eq!(term("python3"), "python3");
        assert_eq!(
            term("evil\x1b[2J\x1b]0;pwned\x07"),
            "evil\\x1b[2J\\x1b]0;pwned\\x07"
        );
        assert_eq!(term("a\nb\tc"), "a\\x0ab\\x09c");
        assert_eq!(term("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(term("\u{9b}31m"), "\\x9b31m");
        // Invisible and bidi characters are shown.
        assert_eq!(
            term("a\u{200b}b\u{2066}c\u{feff}d\u{061c}e\u{2028}f\u{2063}"),
            "a\\u{200b}b\\u{2066}c\\u{feff}d\\u{061c}e\\u{2028}f\\u{2063}"
        );
    }

    #[test]
    fn markdown_cannot_be_injected() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(
            md("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(md("`rm -rf`"), "\\`rm -rf\\`");
        assert_eq!(md("[x](http://e)"), "\\[x\\](http\\://e)");
        assert_eq!(md("www.evil.com"), "www\\.evil.com");
        assert_eq!(md("/kubepods.slice/x-y.scope"), "/kubepods.slice/x-y.scope");
        assert_eq!(md("*bold* _it_"), "\\*bold\\* \\_it\\_");
        assert_eq!(code("a`b"), "aˋb");
        assert_eq!(code_cell("/a|b`c"), "/a\\|bˋc");
    }

    #[test]
    fn html_cannot_be_injected() {
        assert_eq!(
            html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            html("x\" onmouseover='a()' &amp;"),
            "x&quot; onmouseover=&#39;a()&#39; &amp;amp;"
        );
        assert_eq!(html("a\u{202e}b\x1b[0m"), "a\\u{202e}b\\x1b[0m");
        assert_eq!(
            html("/kubepods.slice/x-y.scope"),
            "/kubepods.slice/x-y.scope"
        );
    }

    #[test]
    fn ids_are_cut_at_character_boundaries() {
        let head = |s: &'static str| LogText::words(s).head(8).term().into_owned();
        assert_eq!(head("0123456789"), "01234567");
        assert_eq!(head("abcdefgé"), "abcdefg");
        assert_eq!(head("ab"), "ab");
    }
}

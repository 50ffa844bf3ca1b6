//! Making untrusted text safe to show. Process names, cgroup paths and host names
//! come from logs that any local user can influence (a process can name itself
//! anything): on a terminal they must not carry escape sequences, in Markdown they
//! must not add formatting, links or HTML. JSON needs none of this: serde escapes.

use std::borrow::Cow;

/// Text for a terminal: control characters (C0, DEL, C1) and the Unicode bidi
/// overrides are shown escaped (`\x1b`, `\u{202e}`), so nothing from a log can move
/// the cursor, change colours, or reorder what is shown.
pub fn term(s: &str) -> Cow<'_, str> {
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

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for Markdown (GitHub, GitLab and Jira render it): terminal-safe first, then
/// every character that can start formatting, a link, math or HTML is escaped, so a
/// name renders literally, inside table cells too. Characters that only matter at the
/// start of a line (`-`, `+`, `1.`) are left alone: callers never start a line with
/// untrusted text.
pub fn md(s: &str) -> String {
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

/// Text for inside a Markdown code span or fenced block: terminal-safe, and backticks
/// replaced so the block cannot be closed early.
pub fn code(s: &str) -> String {
    term(s).replace('`', "ˋ")
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
    }
}

//! Text that came from a log (or from a file name), owned by the model.
//!
//! Process names, cgroup paths, host names, constraint words, raw lines: any local
//! user can put bytes into them. The model holds them as [`LogString`], which has no
//! `Display`, no `Deref<Target = str>` and no `AsRef<str>`, so a renderer cannot write
//! one raw: it has to go through a medium's escaper (`render::sanitize::LogText`).
//! The layers below the renderers that must parse or compare the text (cgroup path
//! decoding, filters, scope inference) read it through the one explicitly named
//! accessor, [`LogString::as_log_str`]; renderers never call it (a test greps them).
//!
//! Written through a medium's escaper, it is shown safely:
//!
//! ```
//! use oomlens::render::sanitize::LogText;
//! let s = oomlens::text::LogString::from("evil\x1b[2J");
//! assert_eq!(LogText::from(&s).term(), "evil\\x1b[2J");
//! ```
//!
//! Writing it raw does not compile:
//!
//! ```compile_fail
//! let s = oomlens::text::LogString::from("evil\x1b[2J");
//! let _ = format!("{}", s);
//! ```
//!
//! ```compile_fail
//! let s = oomlens::text::LogString::from("evil\x1b[2J");
//! let _: &str = &s;
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

/// Owned text from a log. Serialises as a plain JSON string (`serde(transparent)`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LogString(String);

impl LogString {
    /// Text from log bytes; invalid UTF-8 becomes U+FFFD.
    pub fn from_lossy(b: &[u8]) -> Self {
        LogString(String::from_utf8_lossy(b).into_owned())
    }

    /// The raw, unescaped text, for the layers that parse or compare it (never for
    /// writing it out: renderers go through `render::sanitize::LogText`).
    pub fn as_log_str(&self) -> &str {
        &self.0
    }

    /// The raw text, owned (see [`LogString::as_log_str`]).
    pub fn into_log_string(self) -> String {
        self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// As the string's `Debug` (quoted, control characters escaped), so test and
/// diagnostic output reads the same as for a `String`.
impl fmt::Debug for LogString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl From<String> for LogString {
    fn from(s: String) -> Self {
        LogString(s)
    }
}

impl From<&str> for LogString {
    fn from(s: &str) -> Self {
        LogString(s.to_owned())
    }
}

impl PartialEq<str> for LogString {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for LogString {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<LogString> for &str {
    fn eq(&self, other: &LogString) -> bool {
        *self == other.0
    }
}

impl PartialEq<LogString> for str {
    fn eq(&self, other: &LogString) -> bool {
        self == other.0
    }
}

/// [`LogString::as_log_str`] through an `Option` (the layers that parse log text).
pub trait OptionLogStr {
    /// The raw text, if any (see [`LogString::as_log_str`]).
    fn as_log_str(&self) -> Option<&str>;
}

impl OptionLogStr for Option<LogString> {
    fn as_log_str(&self) -> Option<&str> {
        self.as_ref().map(LogString::as_log_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_the_plain_string() {
        let s = LogString::from_lossy(b"a\"\x1b\xff");
        assert_eq!(s, "a\"\x1b\u{fffd}");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, serde_json::to_string("a\"\x1b\u{fffd}").unwrap());
        let back: LogString = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}

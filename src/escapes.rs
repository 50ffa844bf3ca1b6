//! `\xNN` escapes, which /dev/kmsg (control bytes, bytes ≥ 0x7f and `\`) and systemd
//! (`-` and non-ASCII bytes in unit names) write the same way. Shared by the record
//! parser, which decodes kmsg text, and the analysis of cgroup paths, which decodes
//! unit names.

/// Appends `s` to `out` with every `\xNN` (hex, either case) decoded to its byte; any
/// other `\` is kept as it is.
pub(crate) fn decode_hex(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\'
            && s.get(i + 1) == Some(&b'x')
            && let (Some(h), Some(l)) = (s.get(i + 2).and_then(hex), s.get(i + 3).and_then(hex))
        {
            out.push(h << 4 | l);
            i += 4;
            continue;
        }
        out.push(s[i]);
        i += 1;
    }
}

fn hex(b: &u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_keeps_the_rest() {
        let mut out = Vec::new();
        decode_hex(br"a\x0ab\x2dc\xFF\x\x4\\d", &mut out);
        assert_eq!(out, b"a\nb-c\xff\\x\\x4\\\\d");
    }
}

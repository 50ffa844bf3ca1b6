//! The detail lines of Mem-Info: zone lines with their watermarks, the
//! `lowmem_reserve[]` line after each, the buddy lists (free blocks per order) and the
//! per-node counters. The cause analysis needs all of them to tell a zone, node or
//! fragmentation failure from a machine running out.

use std::collections::BTreeMap;

use crate::event::classify;
use crate::event::{BuddyList, MemInfo, Memcg, NodeCounters, Zone};
use crate::text::LogString;

/// Reads one detail line (`text` is the line's message, `line` its number) into `mi`.
pub(crate) fn parse_detail(text: &[u8], line: u64, mi: &mut MemInfo) {
    let mut toks: Vec<&[u8]> = text
        .split(|b| *b == b' ')
        .filter(|t| !t.is_empty())
        .collect();
    if toks.first() == Some(&&b"lowmem_reserve[]:"[..]) {
        // Belongs to the zone line right before it.
        if !mi.zones.is_empty() {
            let pages = toks[1..]
                .iter()
                .map_while(|t| classify::parse::<u64>(Some(t)))
                .collect();
            mi.lowmem_reserve.resize(mi.zones.len(), Vec::new());
            mi.lowmem_reserve[mi.zones.len() - 1] = pages;
        }
        return;
    }
    let mut node = None;
    if toks.first() == Some(&&b"Node"[..]) && toks.len() > 2 {
        node = classify::parse::<u32>(Some(toks[1]));
        toks.drain(..2);
    }
    let Some(first) = toks.first() else { return };
    if first.ends_with(b":") {
        // Buddy list: "DMA: 2*4kB (U) 4*8kB …"
        if mi.page_size_kb.is_none()
            && let Some(b) = toks.get(1)
            && let Some(star) = b.iter().position(|c| *c == b'*')
            && let Some(kb) = b[star + 1..].strip_suffix(b"kB")
        {
            mi.page_size_kb = classify::parse(Some(kb));
        }
        if let Some(b) = buddy(node, &first[..first.len() - 1], &toks[1..], line) {
            mi.buddy.push(b);
        }
        return;
    }
    if node.is_some()
        && first.contains(&b':')
        && !toks.get(1).is_some_and(|t| t.starts_with(b"free:"))
    {
        // "Node 1 active_anon:12kB inactive_anon:199420kB … all_unreclaimable? yes"
        let mut kb = BTreeMap::new();
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            i += 1;
            let Some(colon) = t.iter().position(|c| *c == b':') else {
                continue;
            };
            // "shmem_thp: 0kB" puts the value in the next token.
            let mut v = &t[colon + 1..];
            if v.is_empty() && i < toks.len() && toks[i].ends_with(b"kB") {
                v = toks[i];
                i += 1;
            }
            if let Some(n) = v
                .strip_suffix(b"kB")
                .and_then(|n| classify::parse::<u64>(Some(n)))
            {
                kb.insert(String::from_utf8_lossy(&t[..colon]).into_owned(), n);
            }
        }
        if !kb.is_empty()
            && let Some(node) = node
        {
            mi.nodes.push(NodeCounters { node, kb, line });
        }
        return;
    }
    if toks.get(1).is_some_and(|t| t.starts_with(b"free:")) {
        let mut z = Zone {
            node,
            name: LogString::from_lossy(first),
            ..Default::default()
        };
        for t in &toks[1..] {
            let Some(colon) = t.iter().position(|c| *c == b':') else {
                continue;
            };
            let v = t[colon + 1..]
                .strip_suffix(b"kB")
                .and_then(|n| classify::parse::<u64>(Some(n)));
            match &t[..colon] {
                b"free" => z.free_kb = v,
                b"min" => z.min_kb = v,
                b"low" => z.low_kb = v,
                b"high" => z.high_kb = v,
                b"present" => z.present_kb = v,
                b"managed" => z.managed_kb = v,
                _ => {}
            }
        }
        mi.zones.push(z);
        mi.zone_lines.push(line);
    }
}

/// The v1 `kmem:` counter line.
pub(crate) fn kmem(m: &mut Memcg, c: &classify::Counter) {
    m.kmem_usage_kb = Some(c.usage_kb);
    m.kmem_limit_kb = Some(c.limit_kb);
    m.kmem_failcnt = Some(c.failcnt);
}

/// `26*4kB (M) 0*8kB 0 *16kB … = 104kB` → per order (block kB, count, types). Pastes
/// squeeze or split tokens (`0     *2048kB`), so a count may stand alone before `*NkB`.
fn buddy(node: Option<u32>, zone: &[u8], toks: &[&[u8]], line: u64) -> Option<BuddyList> {
    let mut orders: Vec<(u64, u64, String)> = Vec::new();
    let mut pending: Option<u64> = None;
    for t in toks {
        if *t == b"=" {
            break;
        }
        if t.starts_with(b"(") && t.ends_with(b")") {
            if let Some(last) = orders.last_mut() {
                last.2 = String::from_utf8_lossy(&t[1..t.len() - 1]).into_owned();
            }
            continue;
        }
        let (count, size) = match t.iter().position(|c| *c == b'*') {
            Some(0) => (pending.take(), &t[1..]),
            Some(star) => (classify::parse::<u64>(Some(&t[..star])), &t[star + 1..]),
            None => {
                pending = classify::parse::<u64>(Some(t));
                continue;
            }
        };
        let kb = size
            .strip_suffix(b"kB")
            .and_then(|n| classify::parse::<u64>(Some(n)));
        match (count, kb) {
            (Some(c), Some(kb)) => orders.push((kb, c, String::new())),
            _ => return None,
        }
    }
    (!orders.is_empty()).then(|| BuddyList {
        node,
        zone: LogString::from_lossy(zone),
        orders,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_reserve_buddy_and_node_lines() {
        let mut mi = MemInfo::default();
        // samples/real/113, lines 47–51 (shortened).
        parse_detail(b"Node 0 Normal free:39140kB min:39296kB low:49120kB high:58944kB present:4702208kB managed:4569312kB", 47, &mut mi);
        parse_detail(b"lowmem_reserve[]: 0 0 0 0", 48, &mut mi);
        parse_detail(
            b"Node 0 Normal: 9282*4kB (UE) 0*8kB 4*16kB (H) 2*32kB (H) = 39112kB",
            51,
            &mut mi,
        );
        assert_eq!(mi.zones[0].free_kb, Some(39140));
        assert_eq!(mi.zone_lines, vec![47]);
        assert_eq!(mi.lowmem_reserve, vec![vec![0, 0, 0, 0]]);
        assert_eq!(mi.page_size_kb, Some(4));
        let b = &mi.buddy[0];
        assert_eq!(
            (b.node, b.zone.as_log_str(), b.line),
            (Some(0), "Normal", 51)
        );
        assert_eq!(
            b.orders,
            vec![
                (4, 9282, "UE".to_string()),
                (8, 0, String::new()),
                (16, 4, "H".to_string()),
                (32, 2, "H".to_string())
            ]
        );
        // samples/real/114 line 8: a split "0     *2048kB".
        parse_detail(
            b"Node 1 Normal: 14*1024kB (UME) 0     *2048kB 0*4096kB = 47560kB",
            8,
            &mut mi,
        );
        assert_eq!(mi.buddy[1].orders[1], (2048, 0, String::new()));
        // samples/vm bookworm j-cpuset.
        parse_detail(b"Node 1 active_anon:12kB inactive_anon:199420kB shmem:244kB shmem_thp: 0kB kernel_stack:8kB all_unreclaimable? yes", 9, &mut mi);
        let n = &mi.nodes[0];
        assert_eq!(
            (n.node, n.kb["inactive_anon"], n.kb["shmem_thp"]),
            (1, 199420, 0)
        );
    }
}

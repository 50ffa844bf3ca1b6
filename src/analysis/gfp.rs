//! GFP masks of OOM report headers (`gfp_mask=0x201da, order=0` before 4.6,
//! `gfp_mask=0xcc0(GFP_KERNEL), order=0` from 4.6 on), decoded for the kernel that
//! printed them: the individual `__GFP_*` flags, the named combination the mask equals,
//! the zones it may use and whether it could reclaim, start I/O or enter the file system.
//!
//! The numeric layout of the flags changed many times, so a bare mask means nothing
//! without the release: the tables below hold one layout each, with the releases it holds
//! for and where the facts come from. The names a 4.6+ kernel prints (`%pGg`, the table
//! `__def_gfpflag_names` of include/trace/events/mmflags.h) win over any table; a table is
//! only credited when it prints the mask exactly as the kernel did. When the release is
//! unknown, or falls between two releases whose tables were checked, every candidate table
//! is tried: one answer if they agree, each reading with its range if they do not
//! ([`Decoded::Ambiguous`]) — a guess is never presented as fact.
//!
//! Facts were read in kernel sources held in public repositories (the repository and, for
//! a snapshot, its commit are named per table); boundaries taken from patch mails or from
//! real printings rather than from a tree of that release say so. RHEL kernels backport:
//! RHEL 7 has its own table (3.10.0-1160.el7's gfp.h), RHEL 8's 4.18.0-147 matches
//! upstream 4.18, RHEL 6 is decoded as upstream 2.6.32 and marked so
//! ([`Basis::Table::rhel_base`]).
//!
//! Without the release, masks printed without names are read as a pre-4.6 kernel's,
//! with every table from 2.6.24 to 4.5 (and at every release inside a table where a
//! flag came or went); releases older than 2.6.24 get no reading.

use serde::{Deserialize, Serialize};

use crate::analysis::kernel::KernelVersion;
use crate::text::LogString;

/// A memory zone, lowest first (the allocator falls back from the highest allowed zone
/// downwards: Movable, HighMem, Normal, DMA32, DMA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Zone {
    /// `ZONE_DMA`.
    Dma,
    /// `ZONE_DMA32`.
    Dma32,
    /// `ZONE_NORMAL`.
    Normal,
    /// `ZONE_HIGHMEM` (32-bit machines; elsewhere the kernel uses Normal instead).
    HighMem,
    /// `ZONE_MOVABLE`.
    Movable,
}

/// The zones a mask allows, as `gfp_zone()` reads the zone modifiers (`GFP_ZONE_TABLE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AllowedZones {
    /// This zone and every lower one.
    UpTo(Zone),
    /// A combination the kernel rejects (`GFP_ZONE_BAD`: two of DMA, DMA32, HIGHMEM).
    Invalid,
}

impl AllowedZones {
    /// Whether an allocation with this mask may be served from `zone`.
    pub fn allows(self, zone: Zone) -> bool {
        matches!(self, AllowedZones::UpTo(top) if zone <= top)
    }
}

/// A range of releases a table holds for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Range {
    /// First release (`"4.4"`, `"2.6.31"`).
    pub from: &'static str,
    /// Last release, inclusive; `None` for the newest table.
    pub to: Option<&'static str>,
}

/// Where a decoding came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Basis {
    /// The kernel printed the names (4.6+); they were parsed and win. `tables` are the
    /// ranges whose table prints this mask exactly as the kernel did (the flags come from
    /// the table then, unless those tables disagree on them); empty when none does (the
    /// flags then come from the names alone).
    Printed {
        /// Ranges whose table reproduces the printed names.
        tables: Vec<Range>,
    },
    /// Decoded with the table for the known release.
    Table {
        /// The table's releases.
        range: Range,
        /// `Some(6)` for a RHEL 6 kernel: decoded with the table of its upstream base
        /// release (2.6.32); RHEL 6's own gfp.h was not available, backports may differ.
        /// RHEL 7 has a table of its own (3.10.0-1160.el7's gfp.h); RHEL 8's 4.18.0-147
        /// gfp.h was read and has the upstream 4.18 layout.
        rhel_base: Option<u32>,
    },
    /// The release is unknown, or between two releases whose tables were checked, and
    /// every candidate table (those from `range.from` to `range.to`) reads it the same.
    AllAgree {
        /// The span of the candidate tables.
        range: Range,
    },
    /// One of several readings that disagree (see [`Decoded::Ambiguous`]).
    Candidate {
        /// The tables giving this reading.
        range: Range,
    },
}

/// A decoded GFP mask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Gfp {
    /// The mask.
    pub mask: u64,
    /// The individual `__GFP_*` flags set, lowest bit first.
    pub flags: Vec<&'static str>,
    /// The named combination (`GFP_KERNEL`, `GFP_HIGHUSER_MOVABLE` ...) the mask equals.
    pub composite: Option<&'static str>,
    /// The mask as `%pGg` reads it: combinations first, then the flags they leave. From
    /// 4.6 on this is what the kernel prints; older kernels printed no names and this is
    /// oomlens's reading in the same manner.
    pub names: Vec<&'static str>,
    /// Bits no flag of the table explains (or that the kernel printed as a number).
    pub unknown_bits: u64,
    /// Printed names no table knows (vendor flags); text from the log, untrusted.
    pub unknown_names: Vec<LogString>,
    /// The zones the mask allows.
    pub zones: AllowedZones,
    /// Direct reclaim allowed (`__GFP_WAIT` before 4.4, `__GFP_DIRECT_RECLAIM` since).
    pub can_reclaim: bool,
    /// `__GFP_IO`: reclaim may start physical I/O.
    pub can_io: bool,
    /// `__GFP_FS`: reclaim may call into file systems.
    pub can_fs: bool,
    /// Where the decoding came from.
    pub basis: Basis,
}

/// The outcome of [`decode`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Decoded {
    /// One reading: printed names, the table for the release, or all candidates agreeing.
    One(Gfp),
    /// The release is unknown (or between checked tables) and the candidate tables
    /// disagree: every reading, each with the releases it holds for, oldest first.
    Ambiguous(Vec<Gfp>),
}

impl Decoded {
    /// The reading when there is only one.
    pub fn one(&self) -> Option<&Gfp> {
        match self {
            Decoded::One(g) => Some(g),
            Decoded::Ambiguous(_) => None,
        }
    }

    /// Every reading (one, or each candidate).
    pub fn readings(&self) -> &[Gfp] {
        match self {
            Decoded::One(g) => std::slice::from_ref(g),
            Decoded::Ambiguous(all) => all,
        }
    }
}

/// Decodes a mask as printed (`"0x201da"`) for a release (`uname -r` as the CPU line
/// prints it, e.g. `"4.4.0-21-generic"`, `"3.10.0-1160.el7.x86_64"`) when known, with the
/// names the kernel printed in parentheses when present (`"GFP_KERNEL"`, `""` for
/// `0x0()`). Without names the mask is taken for a pre-4.6 kernel's (4.6+ always prints
/// them). `None` when the mask is not hex, or for a bare mask from a release older than
/// the oldest table (2.6.24).
pub fn decode(release: Option<&str>, mask: &str, printed: Option<&str>) -> Option<Decoded> {
    let mask = parse_mask(mask)?;
    let kernel = release.and_then(KernelVersion::parse);
    let v = kernel.as_ref().map(ver_of);
    // Each candidate table with the release it is read at: the release itself (moved
    // into the table's range when it falls between tables), or, when it is unknown,
    // every release inside the table where a flag or combination came or went.
    let candidates: Vec<(&Era, Ver)> = match v {
        Some(v) if kernel.as_ref().is_some_and(|k| k.rhel == Some(7)) && RHEL7.holds(v) => {
            vec![(&RHEL7, v)]
        }
        Some(v) => eras_for(v)
            .into_iter()
            .map(|e| (e, v.clamp(e.from, e.last())))
            .collect(),
        None => ERAS
            .iter()
            .filter(|e| e.prints == printed.is_some())
            .flat_map(|e| e.steps().into_iter().map(move |s| (e, s)))
            .collect(),
    };
    if let Some(printed) = printed {
        return Some(Decoded::One(decode_printed(&candidates, v, mask, printed)));
    }
    if let (Some(_), [(era, at)]) = (v, candidates.as_slice()) {
        let rhel_base = kernel.and_then(|k| k.rhel).filter(|&r| r <= 6);
        let basis = Basis::Table {
            range: era.range,
            rhel_base,
        };
        return Some(Decoded::One(era.decode(Some(*at), mask, basis)));
    }
    // Several candidates: neighbours that read the mask the same make one reading.
    let mut groups: Vec<(Range, Gfp)> = Vec::new();
    for (era, at) in &candidates {
        let gfp = era.decode(Some(*at), mask, Basis::AllAgree { range: era.range });
        match groups.last_mut() {
            Some((range, last)) if same_reading(last, &gfp) => range.to = era.range.to,
            _ => groups.push((era.range, gfp)),
        }
    }
    match groups.len() {
        0 => None,
        1 => {
            let (range, mut gfp) = groups.remove(0);
            gfp.basis = Basis::AllAgree { range };
            Some(Decoded::One(gfp))
        }
        _ => Some(Decoded::Ambiguous(
            groups
                .into_iter()
                .map(|(range, mut gfp)| {
                    gfp.basis = Basis::Candidate { range };
                    gfp
                })
                .collect(),
        )),
    }
}

/// Two readings say the same thing (their basis aside).
fn same_reading(a: &Gfp, b: &Gfp) -> bool {
    a.flags == b.flags
        && a.composite == b.composite
        && a.unknown_bits == b.unknown_bits
        && a.names == b.names
}

/// The mask as the header has it: `0x…` (the kernel prints `%#x`); a bare number, which
/// the header parser also accepts, is read as decimal.
fn parse_mask(text: &str) -> Option<u64> {
    let t = text.trim();
    if t.starts_with("0x") || t.starts_with("0X") {
        return parse_hex(t);
    }
    if t.is_empty() || t.len() > 20 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

fn parse_hex(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// One item of a `%pGg` printing: a name, or the number the kernel prints for bits
/// left over.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    Name(&'a str),
    Hex(u64),
}

/// At most this many printed names are kept (the longest real printing has a handful).
const MAX_TOKENS: usize = 32;

fn parse_printed(printed: &str) -> Vec<Token<'_>> {
    printed
        .split('|')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .take(MAX_TOKENS)
        .map(|t| match t.strip_prefix("0x").and_then(parse_hex) {
            Some(n) => Token::Hex(n),
            None => Token::Name(t),
        })
        .collect()
}

fn decode_printed(candidates: &[(&Era, Ver)], v: Option<Ver>, mask: u64, printed: &str) -> Gfp {
    let tokens = parse_printed(printed);
    let matching: Vec<(&Era, Ver)> = candidates
        .iter()
        .copied()
        .filter(|(e, at)| e.prints && e.tokens(Some(*at), mask) == tokens)
        .collect();
    // The same or neighbouring tables that reprint it make one range.
    let mut tables: Vec<Range> = Vec::new();
    let mut last: Option<&Era> = None;
    for (era, _) in &matching {
        match (tables.last_mut(), last) {
            (Some(_), Some(prev)) if std::ptr::eq(prev, *era) => {}
            (Some(range), Some(prev)) if prev.to == era.from => range.to = era.range.to,
            _ => tables.push(era.range),
        }
        last = Some(era);
    }
    let readings: Vec<Gfp> = matching
        .iter()
        .map(|(e, at)| {
            e.decode(
                Some(*at),
                mask,
                Basis::Printed {
                    tables: tables.clone(),
                },
            )
        })
        .collect();
    if let Some(first) = readings.first()
        && readings.iter().all(|r| same_reading(r, first))
    {
        return first.clone();
    }
    from_names(mask, &tokens, v, tables)
}

/// Decoding from the printed names alone, when no table reprints them (a vendor
/// kernel's flags, or a release between tables): each combination stands for its flags
/// as the newest table defining it has them.
fn from_names(mask: u64, tokens: &[Token<'_>], v: Option<Ver>, tables: Vec<Range>) -> Gfp {
    let mut flags: Vec<&'static str> = Vec::new();
    let mut names: Vec<&'static str> = Vec::new();
    let mut unknown_names = Vec::new();
    let mut unknown_bits = 0;
    for token in tokens {
        match *token {
            Token::Hex(n) => unknown_bits |= n,
            Token::Name(name) => {
                if let Some(comp) = comp_by_name(name, v) {
                    names.push(comp.name);
                    for f in comp.plus.iter().filter(|f| !comp.minus.contains(f)) {
                        if !flags.contains(f) {
                            flags.push(f);
                        }
                    }
                } else if let Some(flag) = ERAS
                    .iter()
                    .flat_map(|e| e.flags.iter())
                    .find(|f| f.name == name)
                {
                    names.push(flag.name);
                    if !flags.contains(&flag.name) {
                        flags.push(flag.name);
                    }
                } else {
                    unknown_names.push(name.chars().take(64).collect::<String>().into());
                }
            }
        }
    }
    let composite = match tokens {
        [Token::Name(_)] if names.len() == 1 && names[0].starts_with("GFP_") => Some(names[0]),
        _ => None,
    };
    finish(
        mask,
        flags,
        composite,
        names,
        unknown_bits,
        unknown_names,
        Basis::Printed { tables },
    )
}

/// The definition of a combination for a release: the one of its own table, else the
/// newest one.
fn comp_by_name(name: &str, v: Option<Ver>) -> Option<&'static Comp> {
    let own = v.map(eras_for).unwrap_or_default();
    let defs = || {
        own.iter()
            .copied()
            .chain(ERAS.iter().rev())
            .flat_map(|e| e.comps.iter())
            .filter(move |c| c.name == name)
    };
    defs()
        .find(|c| v.is_some_and(|v| active(c.since, c.until, Some(v))))
        .or_else(|| defs().find(|c| c.until == OPEN))
        .or_else(|| defs().next())
}

/// Fills in what follows from the flags.
fn finish(
    mask: u64,
    flags: Vec<&'static str>,
    composite: Option<&'static str>,
    names: Vec<&'static str>,
    unknown_bits: u64,
    unknown_names: Vec<LogString>,
    basis: Basis,
) -> Gfp {
    let has = |n: &str| flags.contains(&n);
    let (dma, dma32, highmem, movable) = (
        has("__GFP_DMA"),
        has("__GFP_DMA32"),
        has("__GFP_HIGHMEM"),
        has("__GFP_MOVABLE"),
    );
    // gfp_zone(): one of DMA/DMA32/HIGHMEM at most; MOVABLE reaches ZONE_MOVABLE only
    // together with HIGHMEM and is Normal on its own (GFP_ZONE_TABLE 0x8, 0xa).
    let zones = match (dma, dma32, highmem) {
        (true, false, false) => AllowedZones::UpTo(Zone::Dma),
        (false, true, false) => AllowedZones::UpTo(Zone::Dma32),
        (false, false, true) if movable => AllowedZones::UpTo(Zone::Movable),
        (false, false, true) => AllowedZones::UpTo(Zone::HighMem),
        (false, false, false) => AllowedZones::UpTo(Zone::Normal),
        _ => AllowedZones::Invalid,
    };
    Gfp {
        mask,
        can_reclaim: has("__GFP_WAIT") || has("__GFP_DIRECT_RECLAIM"),
        can_io: has("__GFP_IO"),
        can_fs: has("__GFP_FS"),
        flags,
        composite,
        names,
        unknown_bits,
        unknown_names,
        zones,
        basis,
    }
}

// ---------------------------------------------------------------------------------
// The tables.

/// A release as the tables compare them: 2.6.x keeps its third number, later series
/// change layout only at major.minor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Ver(u32, u32, u32);

const ALWAYS: Ver = Ver(0, 0, 0);
const OPEN: Ver = Ver(u32::MAX, 0, 0);

fn ver_of(k: &KernelVersion) -> Ver {
    Ver(k.major, k.minor, if k.major == 2 { k.patch } else { 0 })
}

/// Whether something defined for `[since, until)` exists in `v` (every definition of the
/// table counts when the release is unknown).
fn active(since: Ver, until: Ver, v: Option<Ver>) -> bool {
    v.is_none_or(|v| since <= v && v < until)
}

/// One `__GFP_*` flag.
struct Flag {
    name: &'static str,
    bit: u64,
    since: Ver,
    until: Ver,
}

const fn fl(name: &'static str, bit: u64) -> Flag {
    Flag {
        name,
        bit,
        since: ALWAYS,
        until: OPEN,
    }
}

const fn fl_in(name: &'static str, bit: u64, since: Ver, until: Ver) -> Flag {
    Flag {
        name,
        bit,
        since,
        until,
    }
}

/// A named combination: the flags in `plus` less those in `minus`, with the `optional`
/// flags that depend on a kernel config option (CONFIG_KASAN_HW_TAGS) taken when the
/// mask has them — their bits can only be set when the option was on.
struct Comp {
    name: &'static str,
    plus: &'static [&'static str],
    minus: &'static [&'static str],
    optional: &'static [&'static str],
    since: Ver,
    until: Ver,
}

const fn cp(name: &'static str, plus: &'static [&'static str]) -> Comp {
    Comp {
        name,
        plus,
        minus: &[],
        optional: &[],
        since: ALWAYS,
        until: OPEN,
    }
}

const fn cp_in(name: &'static str, plus: &'static [&'static str], since: Ver, until: Ver) -> Comp {
    Comp {
        name,
        plus,
        minus: &[],
        optional: &[],
        since,
        until,
    }
}

const fn cp_full(
    name: &'static str,
    plus: &'static [&'static str],
    minus: &'static [&'static str],
    optional: &'static [&'static str],
    since: Ver,
    until: Ver,
) -> Comp {
    Comp {
        name,
        plus,
        minus,
        optional,
        since,
        until,
    }
}

/// One layout: its flags, its combinations and the order `%pGg` tries names in.
struct Era {
    from: Ver,
    /// First release it no longer holds for.
    to: Ver,
    range: Range,
    /// Whether these kernels print names after the mask (4.6+).
    prints: bool,
    flags: &'static [Flag],
    comps: &'static [Comp],
    /// Names in the order `__def_gfpflag_names` lists them (combinations first). A name
    /// the era does not define is skipped.
    order: &'static [&'static str],
}

impl Era {
    fn holds(&self, v: Ver) -> bool {
        self.from <= v && v < self.to
    }

    /// The last release the table holds for, as the tables compare releases.
    fn last(&self) -> Ver {
        match self.to {
            Ver(major, minor, 0) if self.to != OPEN && minor > 0 => Ver(major, minor - 1, 0),
            Ver(major, minor, patch) if self.to != OPEN && patch > 0 => {
                Ver(major, minor, patch - 1)
            }
            _ => Ver(u32::MAX - 1, 0, 0),
        }
    }

    /// The releases where something in the table changes: its first, and every
    /// `since`/`until` inside it.
    fn steps(&self) -> Vec<Ver> {
        let mut steps = vec![self.from];
        let bounds = self
            .flags
            .iter()
            .flat_map(|f| [f.since, f.until])
            .chain(self.comps.iter().flat_map(|c| [c.since, c.until]));
        steps.extend(bounds.filter(|b| self.from < *b && *b < self.to));
        steps.sort();
        steps.dedup();
        steps
    }

    fn flag_bit(&self, name: &str, v: Option<Ver>) -> Option<u64> {
        self.flags
            .iter()
            .find(|f| f.name == name && active(f.since, f.until, v))
            .map(|f| f.bit)
    }

    /// The bits a name stands for in this era (`None` if it does not exist there). A
    /// combination exists only when all its flags do.
    fn value(&self, name: &str, v: Option<Ver>, mask: u64) -> Option<u64> {
        if let Some(c) = self
            .comps
            .iter()
            .find(|c| c.name == name && active(c.since, c.until, v))
        {
            let mut bits = 0;
            for p in c.plus {
                bits |= self.flag_bit(p, v)?;
            }
            for m in c.minus {
                bits &= !self.flag_bit(m, v).unwrap_or(0);
            }
            for o in c.optional {
                bits |= self.flag_bit(o, v).unwrap_or(0) & mask;
            }
            return Some(bits);
        }
        self.flag_bit(name, v)
    }

    /// The single flags set, lowest bit first, and the bits no flag explains. A bit two
    /// flags of the table share (a reuse, only both active when the release is unknown)
    /// is not named.
    fn flag_names(&self, v: Option<Ver>, mask: u64) -> (Vec<&'static str>, u64) {
        let mut names = Vec::new();
        let mut unknown = 0;
        for i in 0..64 {
            let bit = 1u64 << i;
            if mask & bit == 0 {
                continue;
            }
            let mut defs = self
                .flags
                .iter()
                .filter(|f| f.bit == bit && active(f.since, f.until, v));
            match (defs.next(), defs.next()) {
                (Some(f), None) => names.push(f.name),
                _ => unknown |= bit,
            }
        }
        (names, unknown)
    }

    /// `%pGg`: each name of the order whose bits are all still set is printed and its
    /// bits cleared; what is left is printed as a number (lib/vsprintf.c format_flags).
    /// Kernels that printed no names get the same reading, then the single flags left.
    fn render(&self, v: Option<Ver>, mask: u64) -> (Vec<&'static str>, u64) {
        let mut left = mask;
        let mut out = Vec::new();
        for &name in self.order {
            if left == 0 {
                break;
            }
            let Some(bits) = self.value(name, v, mask) else {
                continue;
            };
            // A zero mask would match anything; the kernel lists none.
            if bits != 0 && left & bits == bits {
                out.push(name);
                left &= !bits;
            }
        }
        if !self.prints {
            let (rest, unknown) = self.flag_names(v, left);
            out.extend(rest);
            left = unknown;
        }
        (out, left)
    }

    fn tokens(&self, v: Option<Ver>, mask: u64) -> Vec<Token<'static>> {
        let (names, left) = self.render(v, mask);
        let mut tokens: Vec<Token<'static>> = names.into_iter().map(Token::Name).collect();
        if left != 0 {
            tokens.push(Token::Hex(left));
        }
        tokens
    }

    fn decode(&self, v: Option<Ver>, mask: u64, basis: Basis) -> Gfp {
        let (flags, unknown_bits) = self.flag_names(v, mask);
        let (names, left) = self.render(v, mask);
        let composite = match names.as_slice() {
            [one] if left == 0 && one.starts_with("GFP_") => Some(*one),
            _ => None,
        };
        finish(
            mask,
            flags,
            composite,
            names,
            unknown_bits,
            Vec::new(),
            basis,
        )
    }
}

/// The tables for a release: the one holding for it, the two around it when it falls
/// between checked tables, none before the oldest.
fn eras_for(v: Ver) -> Vec<&'static Era> {
    if let Some(era) = ERAS.iter().find(|e| e.from <= v && v < e.to) {
        return vec![era];
    }
    ERAS.windows(2)
        .find(|w| w[0].to <= v && v < w[1].from)
        .map(|w| vec![&w[0], &w[1]])
        .unwrap_or_default()
}

// Zone modifiers are the same everywhere except __GFP_MOVABLE (0x100000, then 0x08).
const DMA: u64 = 0x01;
const HIGHMEM: u64 = 0x02;
const DMA32: u64 = 0x04;

/// v2.6.24–v2.6.30, include/linux/gfp.h of v2.6.24 (read in
/// 0x88888888/Linux2.6.24-comments @697052b1). __GFP_MOVABLE moved to 0x08 with
/// Christoph Lameter's GFP_ZONE_TABLE patches (mails of March–May 2009, the 2.6.31 merge
/// window; v2.6.32 has it).
const FLAGS_2624: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_WAIT", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl("__GFP_COLD", 0x100),
    fl("__GFP_NOWARN", 0x200),
    fl("__GFP_REPEAT", 0x400),
    fl("__GFP_NOFAIL", 0x800),
    fl("__GFP_NORETRY", 0x1000),
    fl("__GFP_COMP", 0x4000),
    fl("__GFP_ZERO", 0x8000),
    fl("__GFP_NOMEMALLOC", 0x10000),
    fl("__GFP_HARDWALL", 0x20000),
    fl("__GFP_THISNODE", 0x40000),
    fl("__GFP_RECLAIMABLE", 0x80000),
    fl("__GFP_MOVABLE", 0x100000),
];

/// v2.6.31–v4.3, include/linux/gfp.h of v2.6.32 (xuguangmin/linux-2.6.32.67-for-study
/// @19069ef2) and v3.13 (Breathleas/linux-kernel-3.13-codedump @e962ccea). Flags added
/// on the way (__GFP_MEMALLOC 3.6, __GFP_NO_KSWAPD and __GFP_OTHER_NODE 2.6.38,
/// __GFP_WRITE 3.2) took unused bits, so they are named whenever set: a kernel without
/// them cannot set the bit. Only 0x100000 was reused: __GFP_KMEMCG (in v3.13; removed in
/// 3.15), later __GFP_NOACCOUNT (4.1–4.4).
const FLAGS_2631: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_MOVABLE", 0x08),
    fl("__GFP_WAIT", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl("__GFP_COLD", 0x100),
    fl("__GFP_NOWARN", 0x200),
    fl("__GFP_REPEAT", 0x400),
    fl("__GFP_NOFAIL", 0x800),
    fl("__GFP_NORETRY", 0x1000),
    fl("__GFP_MEMALLOC", 0x2000),
    fl("__GFP_COMP", 0x4000),
    fl("__GFP_ZERO", 0x8000),
    fl("__GFP_NOMEMALLOC", 0x10000),
    fl("__GFP_HARDWALL", 0x20000),
    fl("__GFP_THISNODE", 0x40000),
    fl("__GFP_RECLAIMABLE", 0x80000),
    fl_in("__GFP_KMEMCG", 0x100000, ALWAYS, Ver(3, 15, 0)),
    fl_in("__GFP_NOACCOUNT", 0x100000, Ver(3, 15, 0), OPEN),
    fl("__GFP_NOTRACK", 0x200000),
    fl("__GFP_NO_KSWAPD", 0x400000),
    fl("__GFP_OTHER_NODE", 0x800000),
    fl("__GFP_WRITE", 0x1000000),
];

/// RHEL 7 (3.10.0-*.el7), include/linux/gfp.h of 3.10.0-1160.el7 (RHEL 7.9; read in
/// tremb1e/linux-3.10.0-1160.el7 @877199b5): the upstream 3.10 layout, but with
/// __GFP_ACCOUNT (and GFP_KERNEL_ACCOUNT) backported at 0x100000, where upstream 3.10
/// has __GFP_KMEMCG. Earlier 7.x builds may predate the backport.
const FLAGS_RHEL7: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_MOVABLE", 0x08),
    fl("__GFP_WAIT", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl("__GFP_COLD", 0x100),
    fl("__GFP_NOWARN", 0x200),
    fl("__GFP_REPEAT", 0x400),
    fl("__GFP_NOFAIL", 0x800),
    fl("__GFP_NORETRY", 0x1000),
    fl("__GFP_MEMALLOC", 0x2000),
    fl("__GFP_COMP", 0x4000),
    fl("__GFP_ZERO", 0x8000),
    fl("__GFP_NOMEMALLOC", 0x10000),
    fl("__GFP_HARDWALL", 0x20000),
    fl("__GFP_THISNODE", 0x40000),
    fl("__GFP_RECLAIMABLE", 0x80000),
    fl("__GFP_ACCOUNT", 0x100000),
    fl("__GFP_NOTRACK", 0x200000),
    fl("__GFP_NO_KSWAPD", 0x400000),
    fl("__GFP_OTHER_NODE", 0x800000),
    fl("__GFP_WRITE", 0x1000000),
];

/// The combinations of the __GFP_WAIT kernels (the same in the v2.6.24, v2.6.32 and
/// v3.13 files; GFP_TRANSHUGE from 2.6.38, built on __GFP_NO_KSWAPD; GFP_KERNEL_ACCOUNT
/// only where __GFP_ACCOUNT exists, RHEL 7).
const COMPS_WAIT: &[Comp] = &[
    cp(
        "GFP_TRANSHUGE",
        &[
            "__GFP_WAIT",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
            "__GFP_COMP",
            "__GFP_NOMEMALLOC",
            "__GFP_NORETRY",
            "__GFP_NOWARN",
            "__GFP_NO_KSWAPD",
        ],
    ),
    cp(
        "GFP_HIGHUSER_MOVABLE",
        &[
            "__GFP_WAIT",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
        ],
    ),
    cp(
        "GFP_HIGHUSER",
        &[
            "__GFP_WAIT",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
        ],
    ),
    cp(
        "GFP_USER",
        &["__GFP_WAIT", "__GFP_IO", "__GFP_FS", "__GFP_HARDWALL"],
    ),
    cp(
        "GFP_TEMPORARY",
        &["__GFP_WAIT", "__GFP_IO", "__GFP_FS", "__GFP_RECLAIMABLE"],
    ),
    cp(
        "GFP_KERNEL_ACCOUNT",
        &["__GFP_WAIT", "__GFP_IO", "__GFP_FS", "__GFP_ACCOUNT"],
    ),
    cp("GFP_KERNEL", &["__GFP_WAIT", "__GFP_IO", "__GFP_FS"]),
    cp("GFP_NOFS", &["__GFP_WAIT", "__GFP_IO"]),
    cp("GFP_ATOMIC", &["__GFP_HIGH"]),
    cp("GFP_NOIO", &["__GFP_WAIT"]),
    cp("GFP_DMA", &["__GFP_DMA"]),
    cp("GFP_DMA32", &["__GFP_DMA32"]),
];

/// v4.4–v4.9, Mel Gorman's "mm, page_alloc: distinguish between being unable to sleep,
/// unwilling to sleep and avoiding waking kswapd" (v4.4; __GFP_WAIT split into
/// __GFP_DIRECT_RECLAIM and __GFP_KSWAPD_RECLAIM, __GFP_ATOMIC at the old
/// __GFP_RECLAIMABLE bit, __GFP_RECLAIMABLE at the old __GFP_WAIT bit) and the v4.5
/// include/trace/events/gfpflags.h table; __GFP_ACCOUNT replaced __GFP_NOACCOUNT in 4.5.
const FLAGS_44: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_MOVABLE", 0x08),
    fl("__GFP_RECLAIMABLE", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl("__GFP_COLD", 0x100),
    fl("__GFP_NOWARN", 0x200),
    fl("__GFP_REPEAT", 0x400),
    fl("__GFP_NOFAIL", 0x800),
    fl("__GFP_NORETRY", 0x1000),
    fl("__GFP_MEMALLOC", 0x2000),
    fl("__GFP_COMP", 0x4000),
    fl("__GFP_ZERO", 0x8000),
    fl("__GFP_NOMEMALLOC", 0x10000),
    fl("__GFP_HARDWALL", 0x20000),
    fl("__GFP_THISNODE", 0x40000),
    fl("__GFP_ATOMIC", 0x80000),
    fl_in("__GFP_NOACCOUNT", 0x100000, ALWAYS, Ver(4, 5, 0)),
    fl_in("__GFP_ACCOUNT", 0x100000, Ver(4, 5, 0), OPEN),
    fl("__GFP_NOTRACK", 0x200000),
    fl("__GFP_DIRECT_RECLAIM", 0x400000),
    fl("__GFP_OTHER_NODE", 0x800000),
    fl("__GFP_WRITE", 0x1000000),
    fl("__GFP_KSWAPD_RECLAIM", 0x2000000),
];

/// v4.10–v4.17: Michal Hocko's "mm: get rid of __GFP_OTHER_NODE" (v4.10) moved
/// __GFP_WRITE to 0x800000 and __GFP_KSWAPD_RECLAIM to 0x1000000; __GFP_NOLOCKDEP
/// (CONFIG_LOCKDEP builds only) took 0x2000000 in 4.12; __GFP_REPEAT became
/// __GFP_RETRY_MAYFAIL in 4.13 (the v4.13 mmflags.h patch). __GFP_COLD and
/// __GFP_NOTRACK went in 4.15 but their bits stayed empty until Shakeel Butt's "slide
/// existing gfp masks" (May 2018, for 4.18): Ubuntu's 4.15.0-108 prints
/// 0x15000c0(GFP_KERNEL_ACCOUNT) (github.com/shakenfist/shakenfist/issues/177).
const V415: Ver = Ver(4, 15, 0);

const FLAGS_410: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_MOVABLE", 0x08),
    fl("__GFP_RECLAIMABLE", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl_in("__GFP_COLD", 0x100, ALWAYS, V415),
    fl("__GFP_NOWARN", 0x200),
    fl_in("__GFP_REPEAT", 0x400, ALWAYS, Ver(4, 13, 0)),
    fl_in("__GFP_RETRY_MAYFAIL", 0x400, Ver(4, 13, 0), OPEN),
    fl("__GFP_NOFAIL", 0x800),
    fl("__GFP_NORETRY", 0x1000),
    fl("__GFP_MEMALLOC", 0x2000),
    fl("__GFP_COMP", 0x4000),
    fl("__GFP_ZERO", 0x8000),
    fl("__GFP_NOMEMALLOC", 0x10000),
    fl("__GFP_HARDWALL", 0x20000),
    fl("__GFP_THISNODE", 0x40000),
    fl("__GFP_ATOMIC", 0x80000),
    fl("__GFP_ACCOUNT", 0x100000),
    fl_in("__GFP_NOTRACK", 0x200000, ALWAYS, V415),
    fl("__GFP_DIRECT_RECLAIM", 0x400000),
    fl("__GFP_WRITE", 0x800000),
    fl("__GFP_KSWAPD_RECLAIM", 0x1000000),
    fl("__GFP_NOLOCKDEP", 0x2000000),
];

/// v4.18–v5.0, include/linux/gfp.h of RHEL 8.1's 4.18.0-147 (cai-fuqiang/linux-4.18.0-147
/// @9178fa8e), the upstream 4.18 layout after Shakeel Butt's patch moved __GFP_WRITE,
/// __GFP_DIRECT_RECLAIM and __GFP_KSWAPD_RECLAIM into the empty bits. 4.19.4 prints
/// 0x6000c0(GFP_KERNEL) (github.com/moby/moby/issues/38352).
const FLAGS_418: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_MOVABLE", 0x08),
    fl("__GFP_RECLAIMABLE", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl("__GFP_WRITE", 0x100),
    fl("__GFP_NOWARN", 0x200),
    fl("__GFP_RETRY_MAYFAIL", 0x400),
    fl("__GFP_NOFAIL", 0x800),
    fl("__GFP_NORETRY", 0x1000),
    fl("__GFP_MEMALLOC", 0x2000),
    fl("__GFP_COMP", 0x4000),
    fl("__GFP_ZERO", 0x8000),
    fl("__GFP_NOMEMALLOC", 0x10000),
    fl("__GFP_HARDWALL", 0x20000),
    fl("__GFP_THISNODE", 0x40000),
    fl("__GFP_ATOMIC", 0x80000),
    fl("__GFP_ACCOUNT", 0x100000),
    fl("__GFP_DIRECT_RECLAIM", 0x200000),
    fl("__GFP_KSWAPD_RECLAIM", 0x400000),
    fl("__GFP_NOLOCKDEP", 0x800000),
];

/// v5.4–v5.10, include/linux/gfp.h of 5.10.228 (06I90/Notes-of-Kernel-5.10.228
/// @c026e141): Alexey Dobriyan's "mm: shuffle GFP_* flags" (posted 9 January 2019,
/// after the 5.0 merge window) packed GFP_KERNEL into 0xcc0. The release it landed in
/// (5.1 to 5.4) was not pinned: 5.1–5.3 are decoded with both this table and the one
/// before.
const FLAGS_54: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_MOVABLE", 0x08),
    fl("__GFP_RECLAIMABLE", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl("__GFP_ZERO", 0x100),
    fl("__GFP_ATOMIC", 0x200),
    fl("__GFP_DIRECT_RECLAIM", 0x400),
    fl("__GFP_KSWAPD_RECLAIM", 0x800),
    fl("__GFP_WRITE", 0x1000),
    fl("__GFP_NOWARN", 0x2000),
    fl("__GFP_RETRY_MAYFAIL", 0x4000),
    fl("__GFP_NOFAIL", 0x8000),
    fl("__GFP_NORETRY", 0x10000),
    fl("__GFP_MEMALLOC", 0x20000),
    fl("__GFP_COMP", 0x40000),
    fl("__GFP_NOMEMALLOC", 0x80000),
    fl("__GFP_HARDWALL", 0x100000),
    fl("__GFP_THISNODE", 0x200000),
    fl("__GFP_ACCOUNT", 0x400000),
    fl("__GFP_NOLOCKDEP", 0x800000),
];

/// v5.15–v5.18: __GFP_ZEROTAGS and __GFP_SKIP_KASAN_POISON (then unconditional, and part
/// of GFP_HIGHUSER_MOVABLE) before __GFP_NOLOCKDEP, as the gfp.h context of Andrey
/// Konovalov's 2022 KASAN patches shows and Ubuntu's 5.15 prints (0x1100cca is
/// GFP_HIGHUSER_MOVABLE). When they arrived between 5.11 and 5.15 was not pinned: those
/// releases are decoded with both tables.
const FLAGS_515: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_MOVABLE", 0x08),
    fl("__GFP_RECLAIMABLE", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl("__GFP_ZERO", 0x100),
    fl("__GFP_ATOMIC", 0x200),
    fl("__GFP_DIRECT_RECLAIM", 0x400),
    fl("__GFP_KSWAPD_RECLAIM", 0x800),
    fl("__GFP_WRITE", 0x1000),
    fl("__GFP_NOWARN", 0x2000),
    fl("__GFP_RETRY_MAYFAIL", 0x4000),
    fl("__GFP_NOFAIL", 0x8000),
    fl("__GFP_NORETRY", 0x10000),
    fl("__GFP_MEMALLOC", 0x20000),
    fl("__GFP_COMP", 0x40000),
    fl("__GFP_NOMEMALLOC", 0x80000),
    fl("__GFP_HARDWALL", 0x100000),
    fl("__GFP_THISNODE", 0x200000),
    fl("__GFP_ACCOUNT", 0x400000),
    fl("__GFP_ZEROTAGS", 0x800000),
    fl("__GFP_SKIP_KASAN_POISON", 0x1000000),
    fl("__GFP_NOLOCKDEP", 0x2000000),
];

/// v5.19–v6.2: Andrey Konovalov's KASAN series (mails of March 2022) put the KASAN bits
/// under CONFIG_KASAN_HW_TAGS and added __GFP_SKIP_ZERO and __GFP_SKIP_KASAN_UNPOISON;
/// include/linux/gfp_types.h split out of gfp.h in 6.0 with the same values.
const FLAGS_519: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_MOVABLE", 0x08),
    fl("__GFP_RECLAIMABLE", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl("__GFP_ZERO", 0x100),
    fl("__GFP_ATOMIC", 0x200),
    fl("__GFP_DIRECT_RECLAIM", 0x400),
    fl("__GFP_KSWAPD_RECLAIM", 0x800),
    fl("__GFP_WRITE", 0x1000),
    fl("__GFP_NOWARN", 0x2000),
    fl("__GFP_RETRY_MAYFAIL", 0x4000),
    fl("__GFP_NOFAIL", 0x8000),
    fl("__GFP_NORETRY", 0x10000),
    fl("__GFP_MEMALLOC", 0x20000),
    fl("__GFP_COMP", 0x40000),
    fl("__GFP_NOMEMALLOC", 0x80000),
    fl("__GFP_HARDWALL", 0x100000),
    fl("__GFP_THISNODE", 0x200000),
    fl("__GFP_ACCOUNT", 0x400000),
    fl("__GFP_ZEROTAGS", 0x800000),
    fl("__GFP_SKIP_ZERO", 0x1000000),
    fl("__GFP_SKIP_KASAN_UNPOISON", 0x2000000),
    fl("__GFP_SKIP_KASAN_POISON", 0x4000000),
    fl("__GFP_NOLOCKDEP", 0x8000000),
];

/// v6.3–v6.9: __GFP_ATOMIC is gone in 6.3 (0x200 unused; 6.6.14 prints
/// `0x820(GFP_ATOMIC)`, github.com/coolsnowwolf/lede/issues/11831); Peter
/// Collingbourne's "kasan: remove PG_skip_kasan_poison flag" (v2 of 28 February 2023,
/// for 6.4) merged the two KASAN skip bits into __GFP_SKIP_KASAN and moved
/// __GFP_NOLOCKDEP down; the result is include/linux/gfp_types.h of torvalds/linux
/// @16f5dfbc. Only CONFIG_KASAN_HW_TAGS or CONFIG_LOCKDEP builds set the bits that
/// differ.
const FLAGS_63: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_MOVABLE", 0x08),
    fl("__GFP_RECLAIMABLE", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl("__GFP_ZERO", 0x100),
    fl("__GFP_DIRECT_RECLAIM", 0x400),
    fl("__GFP_KSWAPD_RECLAIM", 0x800),
    fl("__GFP_WRITE", 0x1000),
    fl("__GFP_NOWARN", 0x2000),
    fl("__GFP_RETRY_MAYFAIL", 0x4000),
    fl("__GFP_NOFAIL", 0x8000),
    fl("__GFP_NORETRY", 0x10000),
    fl("__GFP_MEMALLOC", 0x20000),
    fl("__GFP_COMP", 0x40000),
    fl("__GFP_NOMEMALLOC", 0x80000),
    fl("__GFP_HARDWALL", 0x100000),
    fl("__GFP_THISNODE", 0x200000),
    fl("__GFP_ACCOUNT", 0x400000),
    fl("__GFP_ZEROTAGS", 0x800000),
    fl("__GFP_SKIP_ZERO", 0x1000000),
    fl_in("__GFP_SKIP_KASAN_UNPOISON", 0x2000000, ALWAYS, V64),
    fl_in("__GFP_SKIP_KASAN_POISON", 0x4000000, ALWAYS, V64),
    fl_in("__GFP_NOLOCKDEP", 0x8000000, ALWAYS, V64),
    fl_in("__GFP_SKIP_KASAN", 0x2000000, V64, OPEN),
    fl_in("__GFP_NOLOCKDEP", 0x4000000, V64, OPEN),
];

const V64: Ver = Ver(6, 4, 0);

/// v6.10 on: "mm: enumerate all gfp flags" (772dd0342727c) numbers the bits with an enum
/// whose entries after ___GFP_ZEROTAGS_BIT depend on the config (__GFP_SKIP_ZERO and
/// __GFP_SKIP_KASAN with KASAN_HW_TAGS, __GFP_NOLOCKDEP with LOCKDEP, __GFP_NO_OBJ_EXT
/// with SLAB_OBJ_EXT, since removed), so a bit from 0x1000000 up names no flag without
/// the config: those bits stay unknown unless the kernel printed their names.
const FLAGS_610: &[Flag] = &[
    fl("__GFP_DMA", DMA),
    fl("__GFP_HIGHMEM", HIGHMEM),
    fl("__GFP_DMA32", DMA32),
    fl("__GFP_MOVABLE", 0x08),
    fl("__GFP_RECLAIMABLE", 0x10),
    fl("__GFP_HIGH", 0x20),
    fl("__GFP_IO", 0x40),
    fl("__GFP_FS", 0x80),
    fl("__GFP_ZERO", 0x100),
    fl("__GFP_DIRECT_RECLAIM", 0x400),
    fl("__GFP_KSWAPD_RECLAIM", 0x800),
    fl("__GFP_WRITE", 0x1000),
    fl("__GFP_NOWARN", 0x2000),
    fl("__GFP_RETRY_MAYFAIL", 0x4000),
    fl("__GFP_NOFAIL", 0x8000),
    fl("__GFP_NORETRY", 0x10000),
    fl("__GFP_MEMALLOC", 0x20000),
    fl("__GFP_COMP", 0x40000),
    fl("__GFP_NOMEMALLOC", 0x80000),
    fl("__GFP_HARDWALL", 0x100000),
    fl("__GFP_THISNODE", 0x200000),
    fl("__GFP_ACCOUNT", 0x400000),
    fl("__GFP_ZEROTAGS", 0x800000),
];

const V48: Ver = Ver(4, 8, 0);

/// The combinations of the __GFP_DIRECT_RECLAIM kernels, 4.4 to 5.18: the 4.4 patch,
/// the 4.18.0-147 and 5.10.228 files; GFP_KERNEL_ACCOUNT exists once __GFP_ACCOUNT does
/// (4.5); GFP_TRANSHUGE_LIGHT came in 4.8. GFP_TRANSHUGE before it has __GFP_NORETRY
/// and, in 4.4 and 4.5, __GFP_DIRECT_RECLAIM; Mel Gorman's "mm: thp: Redefine default
/// THP defrag behaviour" (25 February 2016, for 4.6) took both reclaim flags out.
/// GFP_TEMPORARY went in 4.14. From 5.15 to
/// 5.18 GFP_HIGHUSER_MOVABLE includes __GFP_SKIP_KASAN_POISON, which the optional lists
/// take when set; that table has no such bit before 5.15, so they are inert there.
const COMPS_RECLAIM: &[Comp] = &[
    cp_full(
        "GFP_TRANSHUGE",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
            "__GFP_COMP",
            "__GFP_NOMEMALLOC",
            "__GFP_NOWARN",
        ],
        &["__GFP_KSWAPD_RECLAIM"],
        &["__GFP_SKIP_KASAN_POISON"],
        V48,
        OPEN,
    ),
    cp_full(
        "GFP_TRANSHUGE",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
            "__GFP_COMP",
            "__GFP_NOMEMALLOC",
            "__GFP_NORETRY",
            "__GFP_NOWARN",
        ],
        &["__GFP_KSWAPD_RECLAIM"],
        &[],
        ALWAYS,
        Ver(4, 6, 0),
    ),
    cp_full(
        "GFP_TRANSHUGE",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
            "__GFP_COMP",
            "__GFP_NOMEMALLOC",
            "__GFP_NORETRY",
            "__GFP_NOWARN",
        ],
        &["__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM"],
        &[],
        Ver(4, 6, 0),
        V48,
    ),
    cp_full(
        "GFP_TRANSHUGE_LIGHT",
        &[
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
            "__GFP_COMP",
            "__GFP_NOMEMALLOC",
            "__GFP_NOWARN",
        ],
        &[],
        &["__GFP_SKIP_KASAN_POISON"],
        V48,
        OPEN,
    ),
    cp_full(
        "GFP_HIGHUSER_MOVABLE",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
        ],
        &[],
        &[],
        ALWAYS,
        Ver(5, 15, 0),
    ),
    cp_in(
        "GFP_HIGHUSER_MOVABLE",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
            "__GFP_SKIP_KASAN_POISON",
        ],
        Ver(5, 15, 0),
        OPEN,
    ),
    cp(
        "GFP_HIGHUSER",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
        ],
    ),
    cp(
        "GFP_USER",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
        ],
    ),
    cp_in(
        "GFP_TEMPORARY",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_RECLAIMABLE",
        ],
        ALWAYS,
        Ver(4, 14, 0),
    ),
    cp(
        "GFP_KERNEL_ACCOUNT",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_ACCOUNT",
        ],
    ),
    cp(
        "GFP_KERNEL",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
        ],
    ),
    cp(
        "GFP_NOFS",
        &["__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_IO"],
    ),
    cp(
        "GFP_ATOMIC",
        &["__GFP_HIGH", "__GFP_ATOMIC", "__GFP_KSWAPD_RECLAIM"],
    ),
    cp(
        "GFP_NOIO",
        &["__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM"],
    ),
    cp("GFP_NOWAIT", &["__GFP_KSWAPD_RECLAIM"]),
    cp("GFP_DMA", &["__GFP_DMA"]),
    cp("GFP_DMA32", &["__GFP_DMA32"]),
    cp(
        "__GFP_RECLAIM",
        &["__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM"],
    ),
];

/// 5.19 on: the KASAN skip flags of GFP_HIGHUSER_MOVABLE (and the THP masks built on
/// it) are 0 unless CONFIG_KASAN_HW_TAGS, so they are optional; GFP_ATOMIC loses
/// __GFP_ATOMIC with the flag (6.3). GFP_NOWAIT gained __GFP_NOWARN in a 2023 patch
/// (6.10+ files have it); 6.3–6.9 go without it, the release of that change was not
/// pinned (a GFP_NOWAIT allocation cannot invoke the OOM killer anyway).
const COMPS_KASAN: &[Comp] = &[
    cp_full(
        "GFP_TRANSHUGE",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
            "__GFP_COMP",
            "__GFP_NOMEMALLOC",
            "__GFP_NOWARN",
        ],
        &["__GFP_KSWAPD_RECLAIM"],
        &[
            "__GFP_SKIP_KASAN_POISON",
            "__GFP_SKIP_KASAN_UNPOISON",
            "__GFP_SKIP_KASAN",
        ],
        ALWAYS,
        OPEN,
    ),
    cp_full(
        "GFP_TRANSHUGE_LIGHT",
        &[
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
            "__GFP_COMP",
            "__GFP_NOMEMALLOC",
            "__GFP_NOWARN",
        ],
        &[],
        &[
            "__GFP_SKIP_KASAN_POISON",
            "__GFP_SKIP_KASAN_UNPOISON",
            "__GFP_SKIP_KASAN",
        ],
        ALWAYS,
        OPEN,
    ),
    cp_full(
        "GFP_HIGHUSER_MOVABLE",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
            "__GFP_MOVABLE",
        ],
        &[],
        &[
            "__GFP_SKIP_KASAN_POISON",
            "__GFP_SKIP_KASAN_UNPOISON",
            "__GFP_SKIP_KASAN",
        ],
        ALWAYS,
        OPEN,
    ),
    cp(
        "GFP_HIGHUSER",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
            "__GFP_HIGHMEM",
        ],
    ),
    cp(
        "GFP_USER",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_HARDWALL",
        ],
    ),
    cp(
        "GFP_KERNEL_ACCOUNT",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_ACCOUNT",
        ],
    ),
    cp(
        "GFP_KERNEL",
        &[
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM",
            "__GFP_IO",
            "__GFP_FS",
        ],
    ),
    cp(
        "GFP_NOFS",
        &["__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_IO"],
    ),
    cp_in(
        "GFP_ATOMIC",
        &["__GFP_HIGH", "__GFP_ATOMIC", "__GFP_KSWAPD_RECLAIM"],
        ALWAYS,
        Ver(6, 3, 0),
    ),
    cp_in(
        "GFP_ATOMIC",
        &["__GFP_HIGH", "__GFP_KSWAPD_RECLAIM"],
        Ver(6, 3, 0),
        OPEN,
    ),
    cp(
        "GFP_NOIO",
        &["__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM"],
    ),
    cp_in(
        "GFP_NOWAIT",
        &["__GFP_KSWAPD_RECLAIM"],
        ALWAYS,
        Ver(6, 3, 0),
    ),
    cp_in(
        "GFP_NOWAIT",
        &["__GFP_KSWAPD_RECLAIM", "__GFP_NOWARN"],
        Ver(6, 10, 0),
        OPEN,
    ),
    cp("GFP_DMA", &["__GFP_DMA"]),
    cp("GFP_DMA32", &["__GFP_DMA32"]),
    cp(
        "__GFP_RECLAIM",
        &["__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM"],
    ),
];

/// oomlens's reading of masks from kernels that printed no names: the combinations in
/// the order of the 4.6 table, then the single flags left (`Era::render`).
const ORDER_UNPRINTED: &[&str] = &[
    "GFP_TRANSHUGE",
    "GFP_HIGHUSER_MOVABLE",
    "GFP_HIGHUSER",
    "GFP_USER",
    "GFP_TEMPORARY",
    "GFP_KERNEL_ACCOUNT",
    "GFP_KERNEL",
    "GFP_NOFS",
    "GFP_ATOMIC",
    "GFP_NOIO",
    "GFP_NOWAIT",
    "GFP_DMA",
    "GFP_DMA32",
];

/// `%pGg` of 4.6–4.17: the table of the v4.5 include/trace/events/gfpflags.h, which
/// became `__def_gfpflag_names` in mmflags.h in 4.6, with GFP_TRANSHUGE_LIGHT (4.8) and
/// __GFP_RETRY_MAYFAIL in __GFP_REPEAT's place (v4.13 patch).
const ORDER_46: &[&str] = &[
    "GFP_TRANSHUGE",
    "GFP_TRANSHUGE_LIGHT",
    "GFP_HIGHUSER_MOVABLE",
    "GFP_HIGHUSER",
    "GFP_USER",
    "GFP_TEMPORARY",
    "GFP_KERNEL_ACCOUNT",
    "GFP_KERNEL",
    "GFP_NOFS",
    "GFP_ATOMIC",
    "GFP_NOIO",
    "GFP_NOWAIT",
    "GFP_DMA",
    "__GFP_HIGHMEM",
    "GFP_DMA32",
    "__GFP_HIGH",
    "__GFP_ATOMIC",
    "__GFP_IO",
    "__GFP_FS",
    "__GFP_COLD",
    "__GFP_NOWARN",
    "__GFP_REPEAT",
    "__GFP_RETRY_MAYFAIL",
    "__GFP_NOFAIL",
    "__GFP_NORETRY",
    "__GFP_COMP",
    "__GFP_ZERO",
    "__GFP_NOMEMALLOC",
    "__GFP_MEMALLOC",
    "__GFP_HARDWALL",
    "__GFP_THISNODE",
    "__GFP_RECLAIMABLE",
    "__GFP_MOVABLE",
    "__GFP_ACCOUNT",
    "__GFP_NOTRACK",
    "__GFP_WRITE",
    "__GFP_RECLAIM",
    "__GFP_DIRECT_RECLAIM",
    "__GFP_KSWAPD_RECLAIM",
    "__GFP_OTHER_NODE",
];

/// `%pGg` of 4.18–6.13: the hand-written `__def_gfpflag_names` without __GFP_COLD and
/// __GFP_NOTRACK (4.15) or __GFP_OTHER_NODE, the KASAN flags appended from 5.15 on (in
/// this order in the 2023 mmflags.h of the KASAN patch above).
const ORDER_418: &[&str] = &[
    "GFP_TRANSHUGE",
    "GFP_TRANSHUGE_LIGHT",
    "GFP_HIGHUSER_MOVABLE",
    "GFP_HIGHUSER",
    "GFP_USER",
    "GFP_KERNEL_ACCOUNT",
    "GFP_KERNEL",
    "GFP_NOFS",
    "GFP_ATOMIC",
    "GFP_NOIO",
    "GFP_NOWAIT",
    "GFP_DMA",
    "__GFP_HIGHMEM",
    "GFP_DMA32",
    "__GFP_HIGH",
    "__GFP_ATOMIC",
    "__GFP_IO",
    "__GFP_FS",
    "__GFP_NOWARN",
    "__GFP_RETRY_MAYFAIL",
    "__GFP_NOFAIL",
    "__GFP_NORETRY",
    "__GFP_COMP",
    "__GFP_ZERO",
    "__GFP_NOMEMALLOC",
    "__GFP_MEMALLOC",
    "__GFP_HARDWALL",
    "__GFP_THISNODE",
    "__GFP_RECLAIMABLE",
    "__GFP_MOVABLE",
    "__GFP_ACCOUNT",
    "__GFP_WRITE",
    "__GFP_RECLAIM",
    "__GFP_DIRECT_RECLAIM",
    "__GFP_KSWAPD_RECLAIM",
    "__GFP_ZEROTAGS",
    "__GFP_SKIP_ZERO",
    "__GFP_SKIP_KASAN_POISON",
    "__GFP_SKIP_KASAN_UNPOISON",
    "__GFP_SKIP_KASAN",
];

/// `%pGg` from 6.14: Steven Rostedt's January 2025 tracing patches made the single
/// flags follow the bit enum (TRACE_GFP_FLAGS); include/trace/events/mmflags.h of
/// torvalds/linux @01c69ef5. The first release with it (6.14) is from the patch dates;
/// 7.2 prints `__GFP_ZERO|__GFP_COMP` in this order where 6.1 printed the reverse.
const ORDER_614: &[&str] = &[
    "GFP_TRANSHUGE",
    "GFP_TRANSHUGE_LIGHT",
    "GFP_HIGHUSER_MOVABLE",
    "GFP_HIGHUSER",
    "GFP_USER",
    "GFP_KERNEL_ACCOUNT",
    "GFP_KERNEL",
    "GFP_NOFS",
    "GFP_ATOMIC",
    "GFP_NOIO",
    "GFP_NOWAIT",
    "GFP_DMA",
    "GFP_DMA32",
    "__GFP_RECLAIM",
    "__GFP_DMA",
    "__GFP_HIGHMEM",
    "__GFP_DMA32",
    "__GFP_MOVABLE",
    "__GFP_RECLAIMABLE",
    "__GFP_HIGH",
    "__GFP_IO",
    "__GFP_FS",
    "__GFP_ZERO",
    "__GFP_DIRECT_RECLAIM",
    "__GFP_KSWAPD_RECLAIM",
    "__GFP_WRITE",
    "__GFP_NOWARN",
    "__GFP_RETRY_MAYFAIL",
    "__GFP_NOFAIL",
    "__GFP_NORETRY",
    "__GFP_MEMALLOC",
    "__GFP_COMP",
    "__GFP_NOMEMALLOC",
    "__GFP_HARDWALL",
    "__GFP_THISNODE",
    "__GFP_ACCOUNT",
    "__GFP_ZEROTAGS",
];

/// The RHEL 7 kernels' own table (see [`FLAGS_RHEL7`]), used for `.el7` releases.
static RHEL7: Era = Era {
    from: Ver(3, 10, 0),
    to: Ver(3, 11, 0),
    range: range("3.10.0-1160.el7", "3.10.0-1160.el7"),
    prints: false,
    flags: FLAGS_RHEL7,
    comps: COMPS_WAIT,
    order: ORDER_UNPRINTED,
};

const fn range(from: &'static str, to: &'static str) -> Range {
    Range { from, to: Some(to) }
}

/// Oldest first. Gaps between tables (5.1–5.3, 5.11–5.14) are releases whose layout
/// was not pinned: both neighbours are tried there.
static ERAS: &[Era] = &[
    Era {
        from: Ver(2, 6, 24),
        to: Ver(2, 6, 31),
        range: range("2.6.24", "2.6.30"),
        prints: false,
        flags: FLAGS_2624,
        comps: COMPS_WAIT,
        order: ORDER_UNPRINTED,
    },
    Era {
        from: Ver(2, 6, 31),
        to: Ver(4, 4, 0),
        range: range("2.6.31", "4.3"),
        prints: false,
        flags: FLAGS_2631,
        comps: COMPS_WAIT,
        order: ORDER_UNPRINTED,
    },
    Era {
        from: Ver(4, 4, 0),
        to: Ver(4, 6, 0),
        range: range("4.4", "4.5"),
        prints: false,
        flags: FLAGS_44,
        comps: COMPS_RECLAIM,
        order: ORDER_UNPRINTED,
    },
    Era {
        from: Ver(4, 6, 0),
        to: Ver(4, 10, 0),
        range: range("4.6", "4.9"),
        prints: true,
        flags: FLAGS_44,
        comps: COMPS_RECLAIM,
        order: ORDER_46,
    },
    Era {
        from: Ver(4, 10, 0),
        to: Ver(4, 18, 0),
        range: range("4.10", "4.17"),
        prints: true,
        flags: FLAGS_410,
        comps: COMPS_RECLAIM,
        order: ORDER_46,
    },
    Era {
        from: Ver(4, 18, 0),
        to: Ver(5, 1, 0),
        range: range("4.18", "5.0"),
        prints: true,
        flags: FLAGS_418,
        comps: COMPS_RECLAIM,
        order: ORDER_418,
    },
    Era {
        from: Ver(5, 4, 0),
        to: Ver(5, 11, 0),
        range: range("5.4", "5.10"),
        prints: true,
        flags: FLAGS_54,
        comps: COMPS_RECLAIM,
        order: ORDER_418,
    },
    Era {
        from: Ver(5, 15, 0),
        to: Ver(5, 19, 0),
        range: range("5.15", "5.18"),
        prints: true,
        flags: FLAGS_515,
        comps: COMPS_RECLAIM,
        order: ORDER_418,
    },
    Era {
        from: Ver(5, 19, 0),
        to: Ver(6, 3, 0),
        range: range("5.19", "6.2"),
        prints: true,
        flags: FLAGS_519,
        comps: COMPS_KASAN,
        order: ORDER_418,
    },
    Era {
        from: Ver(6, 3, 0),
        to: Ver(6, 10, 0),
        range: range("6.3", "6.9"),
        prints: true,
        flags: FLAGS_63,
        comps: COMPS_KASAN,
        order: ORDER_418,
    },
    Era {
        from: Ver(6, 10, 0),
        to: Ver(6, 14, 0),
        range: range("6.10", "6.13"),
        prints: true,
        flags: FLAGS_610,
        comps: COMPS_KASAN,
        order: ORDER_418,
    },
    Era {
        from: Ver(6, 14, 0),
        to: OPEN,
        range: Range {
            from: "6.14",
            to: None,
        },
        prints: true,
        flags: FLAGS_610,
        comps: COMPS_KASAN,
        order: ORDER_614,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn one(d: Option<Decoded>) -> Gfp {
        match d {
            Some(Decoded::One(g)) => g,
            other => panic!("expected one reading, got {other:?}"),
        }
    }

    fn table(from: &'static str, to: Option<&'static str>) -> Range {
        Range { from, to }
    }

    /// Every mask of samples/ and the shared corpus that the kernel printed with names,
    /// with the release of its log: the table for that release must print the mask
    /// exactly as the kernel did, so these check the tables against the kernel itself.
    #[test]
    fn printed_names_are_reproduced_by_the_table_of_the_release() {
        let cases: &[(&str, &str, &str, Range)] = &[
            // real/003 (cadvisor, docker)
            (
                "4.8.0-gentoo",
                "0x24000c0",
                "GFP_KERNEL",
                table("4.6", Some("4.9")),
            ),
            // real/015 (RHEL 8.1)
            (
                "4.18.0-147.mt20200626.413.el8_1.x86_64",
                "0x6000c0",
                "GFP_KERNEL",
                table("4.18", Some("5.0")),
            ),
            // real/022: page-fault OOM, no allocation mask
            ("5.4.0-29-generic", "0x0", "", table("5.4", Some("5.10"))),
            // real/013
            (
                "5.8.0-1031-oracle",
                "0xcc0",
                "GFP_KERNEL",
                table("5.4", Some("5.10")),
            ),
            // real/007
            (
                "5.10.0-rc3-next-20201116-dirty",
                "0x100dca",
                "GFP_HIGHUSER_MOVABLE|__GFP_ZERO",
                table("5.4", Some("5.10")),
            ),
            // real/025: __GFP_SKIP_KASAN_POISON (0x1000000) inside GFP_HIGHUSER_MOVABLE
            (
                "5.15.0-1041-azure",
                "0x1100cca",
                "GFP_HIGHUSER_MOVABLE",
                table("5.15", Some("5.18")),
            ),
            // real/019
            (
                "5.15.0-1088-azure",
                "0xcc0",
                "GFP_KERNEL",
                table("5.15", Some("5.18")),
            ),
            // corpus vm/bookworm-6.1.0-50-amd64 (global OOMs; memcg OOMs)
            (
                "6.1.0-50-amd64",
                "0x140dca",
                "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO",
                table("5.19", Some("6.2")),
            ),
            (
                "6.1.0-50-amd64",
                "0xcc0",
                "GFP_KERNEL",
                table("5.19", Some("6.2")),
            ),
            // corpus userspace/037
            (
                "6.8.0-50-generic",
                "0xcc0",
                "GFP_KERNEL",
                table("6.3", Some("6.9")),
            ),
            // real/008 (Raspberry Pi, aarch64)
            (
                "6.12.62+rpt-rpi-v8",
                "0x140cca",
                "GFP_HIGHUSER_MOVABLE|__GFP_COMP",
                table("6.10", Some("6.13")),
            ),
            // real/041 (RHEL 10, ppc64le)
            (
                "6.12.0-211.el10.ppc64le",
                "0xcc0",
                "GFP_KERNEL",
                table("6.10", Some("6.13")),
            ),
            // lab/*
            (
                "6.18.44-fc-v669",
                "0x100cca",
                "GFP_HIGHUSER_MOVABLE",
                table("6.14", None),
            ),
            (
                "6.18.44-fc-v669",
                "0xcc0",
                "GFP_KERNEL",
                table("6.14", None),
            ),
            // corpus vm/sid-7.2.13+deb14-amd64: single flags in bit order (ZERO before COMP)
            (
                "7.2.13+deb14-amd64",
                "0x140dca",
                "GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP",
                table("6.14", None),
            ),
            (
                "7.2.13+deb14-amd64",
                "0xcc0",
                "GFP_KERNEL",
                table("6.14", None),
            ),
        ];
        for (release, mask, printed, range) in cases {
            let g = one(decode(Some(release), mask, Some(printed)));
            assert_eq!(
                g.basis,
                Basis::Printed {
                    tables: vec![*range]
                },
                "{release} {mask}({printed})"
            );
            assert_eq!(g.names.join("|"), *printed, "{release} {mask}");
            assert_eq!(g.unknown_bits, 0, "{release} {mask}");
        }
    }

    /// The same printings with the release unknown (corpus userspace/029 and real/016
    /// name no release): the tables that reprint them say which releases fit.
    #[test]
    fn printed_names_without_release_narrow_the_tables() {
        let g = one(decode(None, "0x1100cca", Some("GFP_HIGHUSER_MOVABLE")));
        assert_eq!(
            g.basis,
            Basis::Printed {
                tables: vec![table("5.15", Some("5.18"))]
            }
        );
        assert_eq!(g.composite, Some("GFP_HIGHUSER_MOVABLE"));
        assert_eq!(g.zones, AllowedZones::UpTo(Zone::Movable));
        assert!(g.flags.contains(&"__GFP_SKIP_KASAN_POISON"));

        let g = one(decode(None, "0xcc0", Some("GFP_KERNEL")));
        assert_eq!(
            g.basis,
            Basis::Printed {
                tables: vec![table("5.4", Some("5.10")), table("5.15", None)]
            }
        );
        assert_eq!(
            g.flags,
            [
                "__GFP_IO",
                "__GFP_FS",
                "__GFP_DIRECT_RECLAIM",
                "__GFP_KSWAPD_RECLAIM"
            ]
        );
        assert_eq!(g.composite, Some("GFP_KERNEL"));
        assert!(g.can_reclaim && g.can_io && g.can_fs);
        assert_eq!(g.zones, AllowedZones::UpTo(Zone::Normal));
    }

    /// Between two checked tables (5.11–5.14: SLE 15 SP4's 5.14.21, real/005) both are
    /// tried; both print 0xcc0 as GFP_KERNEL.
    #[test]
    fn release_between_tables_tries_both() {
        let g = one(decode(
            Some("5.14.21-150400.24.60-default"),
            "0xcc0",
            Some("GFP_KERNEL"),
        ));
        assert_eq!(
            g.basis,
            Basis::Printed {
                tables: vec![table("5.4", Some("5.10")), table("5.15", Some("5.18"))]
            }
        );
        // 5.1–5.3: only the shuffled layout prints 0xcc0 as GFP_KERNEL (in 4.18–5.0
        // 0xcc0 is __GFP_IO|__GFP_FS|__GFP_RETRY_MAYFAIL|__GFP_NOFAIL).
        let g = one(decode(Some("5.2.0-8-amd64"), "0xcc0", Some("GFP_KERNEL")));
        assert_eq!(
            g.basis,
            Basis::Printed {
                tables: vec![table("5.4", Some("5.10"))]
            }
        );
    }

    /// Bare masks (pre-4.6) with the release their log states, checked by hand against
    /// the gfp.h of that release (values in the comments).
    #[test]
    fn bare_masks_decode_with_the_table_of_the_release() {
        // v2.6.32: 0x201da = HARDWALL 0x20000 | COLD 0x100 | FS 0x80 | IO 0x40 |
        // WAIT 0x10 | MOVABLE 0x08 | HIGHMEM 0x02: a cold page-cache page
        // (page_cache_alloc_cold), i.e. GFP_HIGHUSER_MOVABLE|__GFP_COLD.
        for (release, rhel) in [
            ("2.6.32-431.11.15.el6.ucloud.x86_64", Some(6)), // real/020
            ("2.6.32-5-amd64", None),                        // real/033
        ] {
            let g = one(decode(Some(release), "0x201da", None));
            assert_eq!(
                g.basis,
                Basis::Table {
                    range: table("2.6.31", Some("4.3")),
                    rhel_base: rhel
                }
            );
            assert_eq!(
                g.flags,
                [
                    "__GFP_HIGHMEM",
                    "__GFP_MOVABLE",
                    "__GFP_WAIT",
                    "__GFP_IO",
                    "__GFP_FS",
                    "__GFP_COLD",
                    "__GFP_HARDWALL"
                ]
            );
            assert_eq!(g.names, ["GFP_HIGHUSER_MOVABLE", "__GFP_COLD"]);
            assert_eq!(g.composite, None);
            assert_eq!(g.zones, AllowedZones::UpTo(Zone::Movable));
            assert!(g.can_reclaim && g.can_io && g.can_fs);
            assert_eq!(g.unknown_bits, 0);
        }
        // 0xd0 = WAIT 0x10 | IO 0x40 | FS 0x80 = GFP_KERNEL in v2.6.32, v3.13 and RHEL 7's
        // 3.10.0-1160.
        let upstream = table("2.6.31", Some("4.3"));
        let el7 = table("3.10.0-1160.el7", Some("3.10.0-1160.el7"));
        for (release, range, rhel_base) in [
            ("2.6.32-220.7.1.el6.x86_64", upstream, Some(6)), // real/009
            ("3.13.0-43-generic", upstream, None),            // real/001
            ("3.10.0-957.12.2.el7.x86_64", el7, None),        // real/036
        ] {
            let g = one(decode(Some(release), "0xd0", None));
            assert_eq!(g.composite, Some("GFP_KERNEL"), "{release}");
            assert_eq!(g.flags, ["__GFP_WAIT", "__GFP_IO", "__GFP_FS"]);
            assert_eq!(g.zones, AllowedZones::UpTo(Zone::Normal));
            assert_eq!(g.basis, Basis::Table { range, rhel_base });
        }
        // RHEL 7 backported __GFP_ACCOUNT at 0x100000, upstream 3.10–3.14's __GFP_KMEMCG.
        let g = one(decode(Some("3.10.0-1160.el7.x86_64"), "0x1000d0", None));
        assert_eq!(g.composite, Some("GFP_KERNEL_ACCOUNT"));
        let g = one(decode(Some("3.10.108"), "0x1000d0", None));
        assert_eq!(g.names, ["GFP_KERNEL", "__GFP_KMEMCG"]);
        // real/023 (Ubuntu 8.04's 2.6.24 Xen kernel; the log names no release, its
        // call trace is __do_page_cache_readahead): in v2.6.24 0x201d2 = HARDWALL |
        // COLD | FS | IO | WAIT | HIGHMEM = GFP_HIGHUSER|__GFP_COLD.
        let g = one(decode(Some("2.6.24-19-xen"), "0x201d2", None));
        assert_eq!(g.names, ["GFP_HIGHUSER", "__GFP_COLD"]);
        assert_eq!(g.zones, AllowedZones::UpTo(Zone::HighMem));
        assert_eq!(
            g.basis,
            Basis::Table {
                range: table("2.6.24", Some("2.6.30")),
                rhel_base: None
            }
        );
        // In v2.6.24 __GFP_MOVABLE is 0x100000 and 0x08 is no flag.
        let g = one(decode(Some("2.6.24-19-xen"), "0x1200d2", None));
        assert_eq!(g.composite, Some("GFP_HIGHUSER_MOVABLE"));
        let g = one(decode(Some("2.6.24-19-xen"), "0x201da", None));
        assert_eq!(g.unknown_bits, 0x08);
    }

    /// Masks from the brief, not in the samples, checked by hand the same way.
    #[test]
    fn other_known_masks() {
        // v2.6.32: HARDWALL | ZERO 0x8000 | 0xda: an anonymous page fault.
        let g = one(decode(Some("2.6.32-754.el6.x86_64"), "0x280da", None));
        assert_eq!(g.names, ["GFP_HIGHUSER_MOVABLE", "__GFP_ZERO"]);
        // 4.4 (Mel Gorman's patch): KSWAPD 0x2000000 | DIRECT 0x400000 | HARDWALL
        // 0x20000 | FS | IO | MOVABLE | HIGHMEM.
        let g = one(decode(Some("4.4.0-21-generic"), "0x24200ca", None));
        assert_eq!(g.composite, Some("GFP_HIGHUSER_MOVABLE"));
        assert_eq!(
            g.basis,
            Basis::Table {
                range: table("4.4", Some("4.5")),
                rhel_base: None
            }
        );
        // 4.4: 0x240c0d0 = RECLAIM 0x2400000 | ZERO 0x8000 | COMP 0x4000 | FS | IO |
        // RECLAIMABLE 0x10 = GFP_TEMPORARY|__GFP_COMP|__GFP_ZERO.
        let g = one(decode(Some("4.4.0-21-generic"), "0x240c0d0", None));
        assert_eq!(g.names, ["GFP_TEMPORARY", "__GFP_COMP", "__GFP_ZERO"]);
        assert_eq!(
            g.flags,
            [
                "__GFP_RECLAIMABLE",
                "__GFP_IO",
                "__GFP_FS",
                "__GFP_COMP",
                "__GFP_ZERO",
                "__GFP_DIRECT_RECLAIM",
                "__GFP_KSWAPD_RECLAIM"
            ]
        );
        // 4.10–4.17 (Michal Hocko's patch: KSWAPD at 0x1000000).
        let g = one(decode(
            Some("4.13.0-1-amd64"),
            "0x14200ca",
            Some("GFP_HIGHUSER_MOVABLE"),
        ));
        assert_eq!(
            g.basis,
            Basis::Printed {
                tables: vec![table("4.10", Some("4.17"))]
            }
        );
        // THP masks by hand: 4.4's GFP_TRANSHUGE = (GFP_HIGHUSER_MOVABLE 0x24200ca | COMP
        // 0x4000 | NOMEMALLOC 0x10000 | NORETRY 0x1000 | NOWARN 0x200) & ~KSWAPD 0x2000000;
        // 4.8's = GFP_TRANSHUGE_LIGHT 0x342ca | DIRECT 0x400000, here with __GFP_THISNODE.
        let g = one(decode(Some("4.4.0-21-generic"), "0x4352ca", None));
        assert_eq!(g.composite, Some("GFP_TRANSHUGE"));
        let g = one(decode(
            Some("4.9.0-3-amd64"),
            "0x4742ca",
            Some("GFP_TRANSHUGE|__GFP_THISNODE"),
        ));
        assert_eq!(
            g.basis,
            Basis::Printed {
                tables: vec![table("4.6", Some("4.9"))]
            }
        );
        assert!(g.can_reclaim && !g.flags.contains(&"__GFP_KSWAPD_RECLAIM"));
        // GFP_TEMPORARY was still printed in 4.13 (gone in 4.14).
        let g = one(decode(
            Some("4.13.0-1-amd64"),
            "0x14000d0",
            Some("GFP_TEMPORARY"),
        ));
        assert!(matches!(g.basis, Basis::Printed { ref tables } if tables.len() == 1));
    }

    /// Printings from public issue threads (cited), for releases the samples lack.
    #[test]
    fn printed_names_from_issue_threads() {
        let cases: &[(&str, &str, &str, Range)] = &[
            // github.com/shakenfist/shakenfist/issues/177: COLD and NOTRACK gone, their
            // bits still empty.
            (
                "4.15.0-108-generic",
                "0x15000c0",
                "GFP_KERNEL_ACCOUNT",
                table("4.10", Some("4.17")),
            ),
            // github.com/moby/moby/issues/38352
            (
                "4.19.4-1.el7.elrepo.x86_64",
                "0x6000c0",
                "GFP_KERNEL",
                table("4.18", Some("5.0")),
            ),
            // github.com/raspberrypi/linux/issues/5279
            (
                "4.19.118",
                "0x7080c0",
                "GFP_KERNEL_ACCOUNT|__GFP_ZERO",
                table("4.18", Some("5.0")),
            ),
            // github.com/arriven/db1000n/issues/555
            (
                "5.4.17-2136.307.3.4.el8uek.x86_64",
                "0x100cca",
                "GFP_HIGHUSER_MOVABLE",
                table("5.4", Some("5.10")),
            ),
            // github.com/raspberrypi/linux/issues/5395
            (
                "6.1.16-3-rpi-ARCH",
                "0xcd0",
                "GFP_KERNEL|__GFP_RECLAIMABLE",
                table("5.19", Some("6.2")),
            ),
            // github.com/coolsnowwolf/lede/issues/11831 (an allocation failure, same %pGg)
            ("6.6.14", "0x820", "GFP_ATOMIC", table("6.3", Some("6.9"))),
            // github.com/systemd/systemd/issues/40208
            (
                "6.17.3-arch2-1-lily",
                "0xcc0",
                "GFP_KERNEL",
                table("6.14", None),
            ),
        ];
        for (release, mask, printed, range) in cases {
            let g = one(decode(Some(release), mask, Some(printed)));
            assert_eq!(
                g.basis,
                Basis::Printed {
                    tables: vec![*range]
                },
                "{release} {mask}({printed})"
            );
        }
    }

    /// Without a release a bare mask is read with every pre-4.6 table; readings that
    /// differ come back separately, each with its releases.
    #[test]
    fn unknown_release_gives_every_reading() {
        // real/023 as the log has it: 2.6.24–4.3 agree (0x08 and 0x100000 unset), 4.4
        // reads 0x10 as __GFP_RECLAIMABLE.
        let Some(Decoded::Ambiguous(readings)) = decode(None, "0x201d2", None) else {
            panic!("expected several readings");
        };
        assert_eq!(readings.len(), 2);
        assert_eq!(readings[0].names, ["GFP_HIGHUSER", "__GFP_COLD"]);
        assert_eq!(
            readings[0].basis,
            Basis::Candidate {
                range: table("2.6.24", Some("4.3"))
            }
        );
        assert!(!readings[1].can_reclaim);
        assert!(readings[1].flags.contains(&"__GFP_RECLAIMABLE"));
        assert_eq!(
            readings[1].basis,
            Basis::Candidate {
                range: table("4.4", Some("4.5"))
            }
        );
        // 0x201da: 0x08 is no flag in 2.6.24, __GFP_MOVABLE after: three readings.
        let Some(Decoded::Ambiguous(readings)) = decode(None, "0x201da", None) else {
            panic!("expected several readings");
        };
        assert_eq!(readings.len(), 3);
        assert_eq!(readings[0].unknown_bits, 0x08);
        // Releases older than the oldest table are not guessed at.
        assert_eq!(decode(Some("2.6.18-419.el5"), "0xd0", None), None);
        // The same answer everywhere is one reading, marked as such (__GFP_NOWARN kept
        // its bit until 4.15).
        let g = one(decode(None, "0x200", None));
        assert_eq!(
            g.basis,
            Basis::AllAgree {
                range: table("2.6.24", Some("4.5"))
            }
        );
        assert_eq!(g.flags, ["__GFP_NOWARN"]);
        // __GFP_HIGH alone is GFP_ATOMIC only before 4.4 (then GFP_ATOMIC also has
        // __GFP_ATOMIC and __GFP_KSWAPD_RECLAIM): two readings.
        let Some(Decoded::Ambiguous(readings)) = decode(None, "0x20", None) else {
            panic!("expected several readings");
        };
        assert_eq!(readings[0].composite, Some("GFP_ATOMIC"));
        assert_eq!(readings[1].composite, None);
    }

    /// A printing no table reproduces still wins; the flags then come from the names.
    #[test]
    fn printed_names_win_over_the_tables() {
        // 0xcc0 is not GFP_KERNEL on 4.8: the names are believed, no table is credited.
        let g = one(decode(Some("4.8.0"), "0xcc0", Some("GFP_KERNEL")));
        assert_eq!(g.basis, Basis::Printed { tables: vec![] });
        assert_eq!(g.composite, Some("GFP_KERNEL"));
        assert_eq!(
            g.flags,
            [
                "__GFP_DIRECT_RECLAIM",
                "__GFP_KSWAPD_RECLAIM",
                "__GFP_IO",
                "__GFP_FS"
            ]
        );
        // A vendor flag and bits the kernel printed as a number.
        let g = one(decode(
            Some("5.10.110-android12"),
            "0x8100cca",
            Some("GFP_HIGHUSER_MOVABLE|__GFP_CMA|0x8000000"),
        ));
        assert_eq!(g.basis, Basis::Printed { tables: vec![] });
        assert_eq!(g.unknown_names, ["__GFP_CMA"]);
        assert_eq!(g.unknown_bits, 0x8000000);
        assert_eq!(g.composite, None);
        assert_eq!(g.zones, AllowedZones::UpTo(Zone::Movable));
        // 6.10+: bits from 0x1000000 depend on the config; the printed name decides.
        let g = one(decode(
            Some("6.12.0"),
            "0x1000cc0",
            Some("GFP_KERNEL|__GFP_NOLOCKDEP"),
        ));
        assert!(g.flags.contains(&"__GFP_NOLOCKDEP"));
        let g = one(decode(Some("6.12.0"), "0x1000cc0", None));
        assert_eq!(g.unknown_bits, 0x1000000);
    }

    #[test]
    fn zones_follow_gfp_zone() {
        let zones = |mask| one(decode(Some("6.18.1"), mask, None)).zones;
        assert_eq!(zones("0xcc1"), AllowedZones::UpTo(Zone::Dma));
        assert_eq!(zones("0xcc4"), AllowedZones::UpTo(Zone::Dma32));
        assert!(zones("0xcc4").allows(Zone::Dma) && !zones("0xcc4").allows(Zone::Normal));
        // __GFP_MOVABLE alone stays in Normal (GFP_ZONE_TABLE entry 0x8).
        assert_eq!(zones("0xcc8"), AllowedZones::UpTo(Zone::Normal));
        assert_eq!(zones("0xcc2"), AllowedZones::UpTo(Zone::HighMem));
        assert_eq!(zones("0xcca"), AllowedZones::UpTo(Zone::Movable));
        assert_eq!(zones("0xcc3"), AllowedZones::Invalid);
        let g = one(decode(Some("6.18.1"), "0x800", None));
        assert!(!g.can_reclaim && !g.can_io && !g.can_fs);
    }

    #[test]
    fn bad_input_is_refused_not_fatal() {
        assert_eq!(decode(None, "zz", None), None);
        assert_eq!(decode(None, "0x", None), None);
        assert_eq!(decode(None, "0x1ffffffffffffffff", None), None);
        assert_eq!(decode(None, "201da", None), None);
        // A bare number is decimal (208 = 0xd0).
        let d = decode(Some("3.13.0-43-generic"), "208", None).unwrap();
        assert_eq!(d.one().unwrap().composite, Some("GFP_KERNEL"));
        assert_eq!(d.readings().len(), 1);
        assert_eq!(decode(Some("banana"), "-1", Some("GFP_KERNEL")), None);
        let junk = "|\u{1b}[31m".repeat(1000);
        let g = one(decode(Some("6.1.0"), "0xffffffffffffffff", Some(&junk)));
        assert!(g.unknown_names.len() <= MAX_TOKENS);
        let g = one(decode(Some("6.1.0"), "0xffffffffffffffff", None));
        assert_eq!(g.mask, u64::MAX);
        assert_ne!(g.unknown_bits, 0);
    }

    /// The tables themselves: ordered, each name spelled as a flag somewhere, no bit
    /// with two flags in any release.
    #[test]
    fn tables_are_consistent() {
        for w in ERAS.windows(2) {
            assert!(w[0].from < w[0].to && w[0].to <= w[1].from);
        }
        let known = |name: &str| {
            ERAS.iter().any(|e| {
                e.flags.iter().any(|f| f.name == name) || e.comps.iter().any(|c| c.name == name)
            })
        };
        for era in ERAS.iter().chain([&RHEL7]) {
            for c in era.comps {
                for n in c.plus.iter().chain(c.minus).chain(c.optional) {
                    assert!(known(n), "{} uses unknown {n}", c.name);
                }
            }
            for n in era.order {
                assert!(known(n), "order names unknown {n}");
            }
            let mut at = vec![era.from];
            at.extend(era.flags.iter().flat_map(|f| [f.since, f.until]));
            for v in at.into_iter().filter(|v| era.from <= *v && *v < era.to) {
                for f in era
                    .flags
                    .iter()
                    .filter(|f| active(f.since, f.until, Some(v)))
                {
                    let same = era
                        .flags
                        .iter()
                        .filter(|g| g.bit == f.bit && active(g.since, g.until, Some(v)))
                        .count();
                    assert_eq!(same, 1, "{} shares its bit at {v:?}", f.name);
                    assert_eq!(f.bit.count_ones(), 1, "{}", f.name);
                }
            }
        }
    }
}

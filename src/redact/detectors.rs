//! The detector table: one regex per rule, plus the validator that confirms
//! (and, for grouped numbers, possibly shortens) each candidate.
//!
//! Each rule also has a cheap byte-level prerequisite ([`Detector::may_match`]):
//! something every match of its regex must contain (an `@` for an email, nine
//! digits for a national ID, ...). Only rules whose prerequisite holds are
//! scanned, and a rule's regex is compiled the first time it is needed, so
//! that an ordinary description (`svc0001 is down`) compiles no regex at all:
//! compiling the whole table costs more than the rest of a `route` run.
//! Overlapping hits of different rules are merged into one span labelled by
//! the strongest rule, so nothing any rule flagged survives.

use std::sync::{LazyLock, OnceLock};

use aho_corasick::AhoCorasick;

use regex::Regex;

use super::Sensitive;
use super::checks::{
    digit_count, iban_valid, is_year_list, looks_like_date, luhn_valid, numeric_after,
    numeric_before,
};

/// A confirmed byte range of the text that must be replaced by a marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    /// Start byte offset (a char boundary).
    pub(super) start: usize,
    /// End byte offset, exclusive (a char boundary).
    pub(super) end: usize,
    /// Which marker replaces the range.
    pub(super) kind: Sensitive,
}

/// A validator's verdict on one candidate.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    kind: Sensitive,
    /// A fallback classification (e.g. a Luhn-failing grouped number reported
    /// as a national ID); it loses every label contest on merge.
    weak: bool,
}

impl Hit {
    fn strong(start: usize, end: usize, kind: Sensitive) -> Self {
        Self {
            start,
            end,
            kind,
            weak: false,
        }
    }
}

/// Confirms a candidate `text[start..end]`, returning the range to replace.
type Validate = fn(&str, usize, usize) -> Option<Hit>;

/// How a rule turns a regex match into a hit.
#[derive(Clone, Copy)]
enum Check {
    /// Every match is a hit of this kind.
    Accept(Sensitive),
    /// A validator confirms, shortens or rejects each match.
    Validate(Validate),
}

/// One rule: its pattern and how its matches are confirmed.
struct Detector {
    /// Regex source; compiled once into both the set and a standalone regex.
    pattern: &'static str,
    /// When true, the first participating capture group is the sensitive part
    /// (e.g. the value after `token=`); otherwise the whole match is.
    captured: bool,
    /// Confirms or rejects a candidate.
    check: Check,
    /// A necessary condition for the regex to match anywhere in the text:
    /// false means the rule cannot match and need not run. Must never be
    /// false when the regex matches (checked by tests against the regexes).
    may_match: fn(&Features) -> bool,
}

/// Label strength of fallback hits: weaker than every table entry.
const WEAK_RANK: usize = usize::MAX;

/// The rules, strongest first: when hits overlap, the merged span takes the
/// kind of the earliest rule involved.
const DETECTORS: [Detector; 14] = [
    // Well-known token formats and private key blocks.
    Detector {
        pattern: r"(?x)
            -----BEGIN[\ A-Z0-9]*PRIVATE\ KEY(?:\ BLOCK)?-----
                (?s:.*?)
                (?:-----END[\ A-Z0-9]*PRIVATE\ KEY(?:\ BLOCK)?-----|\z)
            | (?-u:\b)sk-[A-Za-z0-9_\-]{20,}
            | (?-u:\b)(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}
            | (?-u:\b)gh[pousr]_[A-Za-z0-9]{30,}
            | (?-u:\b)github_pat_[A-Za-z0-9_]{30,}
            | (?-u:\b)glpat-[A-Za-z0-9_\-]{20,}
            | (?-u:\b)xox[abposr]-[A-Za-z0-9\-]{10,}
            | (?-u:\b)(?:AKIA|ASIA)[A-Z0-9]{16}(?-u:\b)
            | (?-u:\b)AIza[A-Za-z0-9_\-]{35}
            | (?-u:\b)npm_[A-Za-z0-9]{36}
            | (?-u:\b)eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}
        ",
        captured: false,
        check: Check::Accept(Sensitive::Secret),
        may_match: has_token_prefix,
    },
    // A long base64-ish value after key / token / secret / password / bearer.
    Detector {
        pattern: r#"(?xi)
            (?-u:\b)(?:[a-z0-9]+[_\-.])*
            (?:apikey|key|token|secret|password|passwd|pwd|passphrase|bearer
              |authorization|auth|credentials?)s?
            ["']?
            (?:[\ \t]*[:=][\ \t]*|[\ \t]+(?:is[\ \t]+|was[\ \t]+)?)
            ["'`]?
            ([A-Za-z0-9+/_\-]{32,}={0,2})
        "#,
        captured: true,
        check: Check::Accept(Sensitive::Secret),
        may_match: has_keyword_value,
    },
    // Any explicit password assignment: `password: hunter22`, `pwd="a b c"`.
    Detector {
        pattern: r#"(?xi)
            (?-u:\b)(?:[a-z0-9]+[_\-.])*
            (?:password|passwd|passphrase|pwd)
            ["']?[\ \t]*[:=][\ \t]*
            (?:"([^"\n]{1,200})"|'([^'\n]{1,200})'|([^\s"'<>]{4,}))
        "#,
        captured: true,
        check: Check::Accept(Sensitive::Secret),
        may_match: has_password_assignment,
    },
    // A password told in words: `my password is Sommer2026!`. Only a value
    // with a digit or symbol counts, so `password is wrong` stays readable.
    Detector {
        pattern: r#"(?xi)
            (?-u:\b)(?:password|passwd|passphrase|pwd|pin)
            [\ \t]+(?:is|was|=)[\ \t]+
            ["'`]?
            ([^\s"'`<>]*[0-9!@\#$%^&*?+][^\s"'`<>]*)
        "#,
        captured: true,
        check: Check::Accept(Sensitive::Secret),
        may_match: has_password_in_words,
    },
    // Credentials inside a URL: scheme://user:password@host
    Detector {
        pattern: r"(?i)(?-u:\b)[a-z][a-z0-9+.\-]*://([^\s/?#@:]+:[^\s/?#@]+)@",
        captured: true,
        check: Check::Accept(Sensitive::Secret),
        may_match: has_url_credentials,
    },
    // Email addresses (Unicode letters allowed in local part and domain).
    Detector {
        pattern: r"[\p{L}\p{N}._%+\-]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?\.)+\p{L}{2,}",
        captured: false,
        check: Check::Accept(Sensitive::Email),
        may_match: has_at_sign,
    },
    // IBAN, compact or in groups of four.
    Detector {
        pattern: r"(?i-u)\b[a-z]{2}[0-9]{2}(?:[ ]?[a-z0-9]{4}){2,7}(?:[ ]?[a-z0-9]{1,3})?\b",
        captured: false,
        check: Check::Validate(iban),
        may_match: has_iban_start,
    },
    // Payment cards: 4-4-4-4(-3), Amex/Diners 4-6-5/4-6-4, or contiguous.
    Detector {
        pattern: r"(?x-u)\b(?:
              [0-9]{4}(?:[\ \-][0-9]{4}){2,3}(?:[\ \-][0-9]{1,4})?
            | [0-9]{4}[\ \-][0-9]{6}[\ \-][0-9]{4,5}
            | [0-9]{13,19}
        )\b",
        captured: false,
        check: Check::Validate(card),
        may_match: at_least_12_digits,
    },
    // US Social Security numbers.
    Detector {
        pattern: r"(?-u)\b[0-9]{3}(?:-[0-9]{2}-|[ ][0-9]{2}[ ])[0-9]{4}\b",
        captured: false,
        check: Check::Validate(ssn),
        may_match: at_least_9_digits,
    },
    // UK National Insurance numbers.
    Detector {
        pattern: r"(?i-u)\b[a-z]{2}[ ]?[0-9]{2}[ ]?[0-9]{2}[ ]?[0-9]{2}[ ]?[a-d]\b",
        captured: false,
        check: Check::Validate(uk_nino),
        may_match: has_nino_start,
    },
    // International phone numbers: +CC or 00CC, then groups.
    Detector {
        pattern: r"(?x-u)
            (?:\+|\b00)[1-9][0-9]{0,3}
            (?:[\ .\-]?\(0\))?
            (?:[\ .\-/]?(?:\([0-9]{1,5}\)|[0-9]{1,5}))
            (?:[\ .\-/]?[0-9]{2,8}){0,6}
            \b
        ",
        captured: false,
        check: Check::Validate(phone_international),
        may_match: has_international_prefix,
    },
    // North American numbers: (555) 123-4567, 555-123-4567, 1-800-555-1234.
    Detector {
        pattern: r"(?x-u)
            (?:\b1[\ .\-]?)?
            (?:\([0-9]{3}\)[\ ]?|\b[0-9]{3}[\ .\-])
            [0-9]{3}[\ .\-][0-9]{4}\b
        ",
        captured: false,
        check: Check::Validate(phone_national),
        may_match: at_least_10_digits,
    },
    // National numbers with trunk prefix 0: 030 1234 5678, (030) 1234567.
    Detector {
        pattern: r"(?x-u)
            (?:\(0[1-9][0-9]{0,4}\)[\ ]?|\b0[1-9][0-9]{0,4}[\ /\-])
            [0-9]{2,8}
            (?:[\ /\-][0-9]{2,8}){0,4}
            \b
        ",
        captured: false,
        check: Check::Validate(phone_trunk),
        may_match: has_trunk_prefix,
    },
    // Any other standalone run of nine or more digits.
    Detector {
        pattern: r"(?-u)\b[0-9]{9,}\b",
        captured: false,
        check: Check::Validate(long_number),
        may_match: has_9_digit_run,
    },
];

/// Each rule's regex (same order as [`DETECTORS`]), compiled on first use.
static REGEXES: [OnceLock<Regex>; DETECTORS.len()] = [const { OnceLock::new() }; DETECTORS.len()];

/// The compiled regex of rule `rank`.
// The patterns are string constants; `tests::patterns_compile` compiles each
// one, so this `expect` cannot fire at run time.
#[allow(clippy::expect_used)]
fn regex(rank: usize, detector: &Detector) -> &'static Regex {
    REGEXES[rank].get_or_init(|| {
        Regex::new(detector.pattern)
            .expect("constant detector pattern compiles (checked by a test)")
    })
}

/// All pattern sources, in rule order (for tests).
#[cfg(test)]
pub(super) fn patterns() -> impl Iterator<Item = &'static str> {
    DETECTORS.iter().map(|d| d.pattern)
}

/// Each rule's prerequisite as a test of a whole text, in rule order (for
/// tests).
#[cfg(test)]
pub(super) fn prerequisites() -> impl Iterator<Item = impl Fn(&str) -> bool> {
    DETECTORS
        .iter()
        .map(|d| move |text: &str| (d.may_match)(&Features::of(text)))
}

/// Finds every sensitive span in `text`: sorted, non-overlapping, and never
/// overlapping a marker that is already present.
pub(super) fn find(text: &str) -> Vec<Span> {
    let features = Features::of(text);
    find_with(text, |detector| (detector.may_match)(&features))
}

/// [`find`] scanning every rule, prerequisites or not: the reference the
/// tests compare [`find`] with.
#[cfg(test)]
pub(super) fn find_unfiltered(text: &str) -> Vec<Span> {
    find_with(text, |_| true)
}

fn find_with(text: &str, run: impl Fn(&Detector) -> bool) -> Vec<Span> {
    let mut markers = None;
    let mut hits: Vec<(Hit, usize)> = Vec::new();
    for (rank, detector) in DETECTORS.iter().enumerate() {
        if !run(detector) {
            continue;
        }
        let markers = markers.get_or_insert_with(|| marker_ranges(text));
        scan(text, regex(rank, detector), detector, &mut |hit| {
            let on_marker = markers
                .iter()
                .any(|&(start, end)| hit.start < end && start < hit.end);
            if !on_marker {
                hits.push((hit, if hit.weak { WEAK_RANK } else { rank }));
            }
        });
    }
    merge(hits)
}

/// Runs one rule over the whole text. A rejected candidate is retried one
/// char further on, so a valid match hiding behind it is still found.
fn scan(text: &str, regex: &Regex, detector: &Detector, emit: &mut dyn FnMut(Hit)) {
    let mut pos = 0;
    while pos < text.len() {
        let (whole_start, part) = if detector.captured {
            let Some(caps) = regex.captures_at(text, pos) else {
                break;
            };
            let whole_start = caps.get(0).map_or(pos, |m| m.start());
            (whole_start, caps.iter().skip(1).flatten().next())
        } else {
            let Some(m) = regex.find_at(text, pos) else {
                break;
            };
            (m.start(), Some(m))
        };
        let retry = next_char(text, whole_start);
        let hit = part.and_then(|m| match detector.check {
            Check::Accept(kind) => Some(Hit::strong(m.start(), m.end(), kind)),
            Check::Validate(validate) => validate(text, m.start(), m.end()),
        });
        match hit {
            Some(hit) if hit.end > hit.start => {
                emit(hit);
                pos = hit.end.max(retry);
            }
            _ => pos = retry,
        }
    }
}

/// Byte offset of the char after the one starting at `pos`.
fn next_char(text: &str, pos: usize) -> usize {
    pos + text
        .get(pos..)
        .and_then(|rest| rest.chars().next())
        .map_or(1, char::len_utf8)
}

/// Byte ranges of marker strings already in the text.
fn marker_ranges(text: &str) -> Vec<(usize, usize)> {
    Sensitive::ALL
        .iter()
        .flat_map(|kind| {
            text.match_indices(kind.marker())
                .map(|(start, m)| (start, start + m.len()))
        })
        .collect()
}

/// Unions overlapping hits; a merged span takes the kind of its strongest
/// (lowest-ranked) hit.
fn merge(mut hits: Vec<(Hit, usize)>) -> Vec<Span> {
    hits.sort_unstable_by_key(|(hit, rank)| (hit.start, hit.end, *rank));
    let mut spans: Vec<(Span, usize)> = Vec::with_capacity(hits.len());
    for (hit, rank) in hits {
        match spans.last_mut() {
            Some((last, last_rank)) if hit.start < last.end => {
                last.end = last.end.max(hit.end);
                if rank < *last_rank {
                    last.kind = hit.kind;
                    *last_rank = rank;
                }
            }
            _ => {
                let span = Span {
                    start: hit.start,
                    end: hit.end,
                    kind: hit.kind,
                };
                spans.push((span, rank));
            }
        }
    }
    spans.into_iter().map(|(span, _)| span).collect()
}

/// Candidate end offsets for a grouped number, longest first: the full
/// match, then the end of each earlier group (cut before a separator).
fn group_ends(text: &str, start: usize, end: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let is_sep = |b: u8| matches!(b, b' ' | b'-' | b'.' | b'/');
    let mut ends = vec![end];
    for i in (start + 1..end).rev() {
        if is_sep(bytes[i]) && !is_sep(bytes[i - 1]) {
            ends.push(i);
        }
    }
    ends
}

fn iban(text: &str, start: usize, end: usize) -> Option<Hit> {
    group_ends(text, start, end)
        .into_iter()
        .find(|&e| iban_valid(&text[start..e]))
        .map(|e| Hit::strong(start, e, Sensitive::Iban))
}

/// Luhn-valid 13 to 19 digits (never starting with 0, never right after a
/// `+`) is a card. A grouped number of 12+ digits that fails Luhn is still
/// reported, as a (weak) national ID / long number, unless it is a list of
/// years. A contiguous Luhn-failing run is left to the long-number rule.
fn card(text: &str, start: usize, end: usize) -> Option<Hit> {
    let before = start.checked_sub(1).and_then(|i| text.as_bytes().get(i));
    if before == Some(&b'+') || numeric_before(text, start) || numeric_after(text, end) {
        return None;
    }
    if !text[start..].starts_with('0') {
        for e in group_ends(text, start, end) {
            let candidate = &text[start..e];
            if (13..=19).contains(&digit_count(candidate)) && luhn_valid(candidate) {
                return Some(Hit::strong(start, e, Sensitive::Card));
            }
        }
    }
    let whole = &text[start..end];
    let grouped = whole.contains([' ', '-']);
    (grouped && digit_count(whole) >= 12 && !is_year_list(whole)).then_some(Hit {
        start,
        end,
        kind: Sensitive::NationalId,
        weak: true,
    })
}

/// SSN with the never-issued area (000, 666), group (00) and serial (0000)
/// values excluded.
fn ssn(text: &str, start: usize, end: usize) -> Option<Hit> {
    if numeric_before(text, start) || numeric_after(text, end) {
        return None;
    }
    let digits: String = text[start..end]
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let (area, rest) = digits.split_at(3);
    let (group, serial) = rest.split_at(2);
    let issued = area != "000" && area != "666" && group != "00" && serial != "0000";
    issued.then_some(Hit::strong(start, end, Sensitive::NationalId))
}

/// UK NINO prefix rules: first letter not D F I Q U V, second not
/// D F I O Q U V, and not one of the unused prefixes.
fn uk_nino(text: &str, start: usize, end: usize) -> Option<Hit> {
    let upper = text[start..end].to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let (first, second) = (bytes[0], bytes[1]);
    let prefix = &upper[..2];
    let valid = !b"DFIQUV".contains(&first)
        && !b"DFIOQUV".contains(&second)
        && !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&prefix);
    valid.then_some(Hit::strong(start, end, Sensitive::NationalId))
}

/// Shared phone validation: tries the full candidate, then shorter ones
/// ending at earlier group boundaries (so a trailing "17" of "17:30" is not
/// swallowed), and accepts the first with 7..=`max_digits` significant digits.
fn phone(
    text: &str,
    start: usize,
    end: usize,
    max_digits: usize,
    reject_dates: bool,
) -> Option<Hit> {
    if numeric_before(text, start) {
        return None;
    }
    group_ends(text, start, end)
        .into_iter()
        .find(|&e| {
            let candidate = &text[start..e];
            let mut digits = digit_count(candidate);
            if candidate.starts_with("00") {
                digits = digits.saturating_sub(2);
            }
            if candidate.contains("(0)") {
                digits = digits.saturating_sub(1);
            }
            (7..=max_digits).contains(&digits)
                && !numeric_after(text, e)
                && !(reject_dates && looks_like_date(candidate))
        })
        .map(|e| Hit::strong(start, e, Sensitive::Phone))
}

fn phone_international(text: &str, start: usize, end: usize) -> Option<Hit> {
    phone(text, start, end, 15, false)
}

fn phone_national(text: &str, start: usize, end: usize) -> Option<Hit> {
    phone(text, start, end, 11, false)
}

fn phone_trunk(text: &str, start: usize, end: usize) -> Option<Hit> {
    phone(text, start, end, 13, true)
}

/// Nine or more digits, unless part of a decimal or time-like number.
fn long_number(text: &str, start: usize, end: usize) -> Option<Hit> {
    (!numeric_before(text, start) && !numeric_after(text, end)).then_some(Hit::strong(
        start,
        end,
        Sensitive::NationalId,
    ))
}

// Prerequisites: what every match of a rule's regex contains. Each one
// follows its pattern literally; `tests::prerequisites_never_hide_a_match`
// checks them against the regexes. They read [`Features`], which one pass
// over the text computes for all of them.

/// What the prerequisites look at, gathered in one pass over the text (plus
/// one aho-corasick pass for the token prefixes and one for the password
/// words, each only when it can matter).
// One flag per condition a prerequisite reads; a bit set would only hide them.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Features {
    /// ASCII digits in the text.
    digits: usize,
    /// The longest run of ASCII digits.
    digit_run: usize,
    /// The longest run of `[A-Za-z0-9+/_-]`.
    key_run: usize,
    /// U+017F or U+212A: chars that `(?i)` folds onto ASCII letters.
    folds_to_ascii: bool,
    /// A `:` or `=`.
    assignment: bool,
    /// A digit or one of `!@#$%^&*?+`.
    digit_or_symbol: bool,
    /// An `@`.
    at_sign: bool,
    /// `://`.
    scheme: bool,
    /// `\b[a-z]{2}[0-9]{2}`, any ASCII case.
    iban_start: bool,
    /// `\b[a-z]{2}[ ]?[0-9]{2}`, any ASCII case.
    nino_start: bool,
    /// `\+[1-9]` or `\b00[1-9]`.
    international_prefix: bool,
    /// `\(0[1-9]` or `\b0[1-9]`.
    trunk_prefix: bool,
    /// One of the fixed starts of the well-known token formats.
    token_prefix: bool,
    /// `pass` or `pwd`, any ASCII case.
    password_word: bool,
    /// `pin`, any ASCII case.
    pin_word: bool,
}

/// Byte classes for [`Features::of`], one table look-up per byte.
const DIGIT: u8 = 1;
/// `[A-Za-z0-9_]`: a word byte as `(?-u:\b)` sees it.
const WORD: u8 = 2;
/// `[A-Za-z0-9+/_-]`: what a keyword's value is made of.
const KEY: u8 = 4;
/// `[A-Za-z0-9_-]`: what a token format is made of.
const TOKEN: u8 = 8;
/// `[A-Z_-]`: what every token format's fixed start holds one of.
const MARK: u8 = 16;
/// An ASCII letter.
const ALPHA: u8 = 32;
/// A byte with a rule of its own in [`Features::of`].
const SPECIAL: u8 = 64;
/// The class of a lower-case ASCII letter.
const LOWER: u8 = WORD | KEY | TOKEN | ALPHA;

// `b` stays below 256, so `b as u8` keeps every bit.
#[allow(clippy::cast_possible_truncation)]
const CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut class = 0;
        if c.is_ascii_digit() {
            class |= DIGIT | WORD | KEY | TOKEN;
        }
        if c.is_ascii_alphabetic() {
            class |= ALPHA | WORD | KEY | TOKEN;
        }
        if c.is_ascii_uppercase() {
            class |= MARK;
        }
        match c {
            b'_' => class |= WORD | KEY | TOKEN | MARK,
            b'-' => class |= KEY | TOKEN | MARK,
            b'/' => class |= KEY,
            b'+' => class |= KEY | SPECIAL,
            b':' | b'=' | b'@' | b'!' | b'#' | b'$' | b'%' | b'^' | b'&' | b'*' | b'?' | b'0'
            | 0xC5 | 0xE2 => class |= SPECIAL,
            _ => {}
        }
        table[b] = class;
        b += 1;
    }
    table
};

impl Features {
    pub(super) fn of(text: &str) -> Self {
        let bytes = text.as_bytes();
        let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
        let nonzero = |b: u8| (b'1'..=b'9').contains(&b);
        let mut f = Self::default();
        let (mut digit_run, mut key_run, mut token_run) = (0, 0, 0);
        // A token format's match is a run of 11 or more `[A-Za-z0-9_-]`
        // (`eyJ` and eight more is the shortest) holding an upper-case
        // letter, `_` or `-` (each format's fixed start has one), unless it
        // is a private key block.
        let (mut token_marked, mut token_shaped) = (false, false);
        let mut previous = 0u8;
        for (i, &b) in bytes.iter().enumerate() {
            let class = CLASSES[usize::from(b)];
            let word_start = previous & WORD == 0;
            previous = class;
            // Most bytes are lower-case letters inside a word: they only extend the
            // key and token runs (the longest runs are taken when a run can end).
            if class == LOWER && !word_start {
                digit_run = 0;
                key_run += 1;
                token_run += 1;
                continue;
            }
            f.key_run = f.key_run.max(key_run);
            token_shaped |= token_marked && token_run >= 11;
            if class & DIGIT == 0 {
                digit_run = 0;
            } else {
                f.digits += 1;
                digit_run += 1;
                f.digit_run = f.digit_run.max(digit_run);
            }
            if class & KEY == 0 {
                key_run = 0;
            } else {
                key_run += 1;
                f.key_run = f.key_run.max(key_run);
            }
            if class & TOKEN == 0 {
                (token_run, token_marked) = (0, false);
            } else {
                token_run += 1;
                token_marked |= class & MARK != 0;
                token_shaped |= token_marked && token_run >= 11;
            }
            if class & ALPHA != 0 && word_start && at(i + 1).is_ascii_alphabetic() {
                let (c, d, e) = (at(i + 2), at(i + 3), at(i + 4));
                let two_digits = c.is_ascii_digit() && d.is_ascii_digit();
                f.iban_start |= two_digits;
                f.nino_start |= two_digits || c == b' ' && d.is_ascii_digit() && e.is_ascii_digit();
            }
            if class & SPECIAL == 0 {
                continue;
            }
            match b {
                b':' => {
                    f.assignment = true;
                    f.scheme |= at(i + 1) == b'/' && at(i + 2) == b'/';
                }
                b'=' => f.assignment = true,
                b'@' => {
                    f.at_sign = true;
                    f.digit_or_symbol = true;
                }
                b'+' => {
                    f.digit_or_symbol = true;
                    f.international_prefix |= nonzero(at(i + 1));
                }
                b'!' | b'#' | b'$' | b'%' | b'^' | b'&' | b'*' | b'?' => f.digit_or_symbol = true,
                b'0' => {
                    f.international_prefix |= word_start && at(i + 1) == b'0' && nonzero(at(i + 2));
                    f.trunk_prefix |=
                        nonzero(at(i + 1)) && (word_start || i > 0 && at(i - 1) == b'(');
                }
                // U+017F is C5 BF in UTF-8, U+212A is E2 84 AA.
                0xC5 => f.folds_to_ascii |= at(i + 1) == 0xBF,
                0xE2 => f.folds_to_ascii |= at(i + 1) == 0x84 && at(i + 2) == 0xAA,
                _ => {}
            }
        }
        f.key_run = f.key_run.max(key_run);
        token_shaped |= token_marked && token_run >= 11;
        f.digit_or_symbol |= f.digits > 0;
        f.token_prefix =
            (token_shaped || text.contains("-----BEGIN")) && TOKEN_PREFIXES.is_match(text);
        if f.assignment || f.digit_or_symbol {
            (f.password_word, f.pin_word) = password_words(text, f.folds_to_ascii);
        }
        f
    }
}

/// The fixed starts of the well-known token formats, searched in one pass.
// The patterns are literals; building an automaton from them cannot fail.
#[allow(clippy::expect_used)]
static TOKEN_PREFIXES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new([
        "-----BEGIN",
        "sk-",
        "sk_",
        "rk_",
        "pk_",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "xox",
        "AKIA",
        "ASIA",
        "AIza",
        "npm_",
        "eyJ",
    ])
    .expect("literal patterns build")
});

/// The words that password rules start from, any ASCII case, in one pass:
/// `pass` and `pwd` (every password keyword contains one), and `pin`.
// The patterns are literals; building an automaton from them cannot fail.
#[allow(clippy::expect_used)]
static PASSWORD_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["pass", "pwd", "pin"])
        .expect("literal patterns build")
});

/// Which of `pass` / `pwd` (pattern ids 0 and 1) and `pin` (id 2) occur in
/// `text`, ignoring case as a `(?i)` pattern does. Unicode case folding maps
/// two non-ASCII chars onto ASCII letters (U+017F long s to `s`, U+212A Kelvin
/// sign to `k`); a text with either is always a candidate.
fn password_words(text: &str, folds_to_ascii: bool) -> (bool, bool) {
    if folds_to_ascii {
        return (true, true);
    }
    let (mut password, mut pin) = (false, false);
    for found in PASSWORD_WORDS.find_overlapping_iter(text) {
        match found.pattern().as_usize() {
            2 => pin = true,
            _ => password = true,
        }
        if password && pin {
            break;
        }
    }
    (password, pin)
}

/// 32 chars of `[A-Za-z0-9+/_-]`; under `(?i)` the letters include U+017F
/// and U+212A, so a text with either is always a candidate.
fn has_keyword_value(f: &Features) -> bool {
    f.folds_to_ascii || f.key_run >= 32
}

fn has_token_prefix(f: &Features) -> bool {
    f.token_prefix
}

fn has_password_assignment(f: &Features) -> bool {
    f.assignment && f.password_word
}

fn has_password_in_words(f: &Features) -> bool {
    f.digit_or_symbol && (f.password_word || f.pin_word)
}

fn has_url_credentials(f: &Features) -> bool {
    f.scheme && f.at_sign
}

fn has_at_sign(f: &Features) -> bool {
    f.at_sign
}

fn has_iban_start(f: &Features) -> bool {
    f.iban_start
}

/// The NINO start and at least six digits.
fn has_nino_start(f: &Features) -> bool {
    f.digits >= 6 && f.nino_start
}

fn at_least_9_digits(f: &Features) -> bool {
    f.digits >= 9
}

fn at_least_10_digits(f: &Features) -> bool {
    f.digits >= 10
}

fn at_least_12_digits(f: &Features) -> bool {
    f.digits >= 12
}

fn has_international_prefix(f: &Features) -> bool {
    f.international_prefix
}

/// A trunk prefix and at least four digits.
fn has_trunk_prefix(f: &Features) -> bool {
    f.digits >= 4 && f.trunk_prefix
}

fn has_9_digit_run(f: &Features) -> bool {
    f.digit_run >= 9
}

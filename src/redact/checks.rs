//! Checksum and shape helpers used to confirm regex candidates.
//!
//! Everything here works on ASCII bytes only; any non-ASCII input is simply
//! "not valid", so callers never have to worry about char boundaries.

/// Luhn (mod 10) check used by payment card numbers.
///
/// Spaces and dashes are ignored as group separators; any other non-digit
/// makes the number invalid. At least two digits are required.
pub(super) fn luhn_valid(number: &str) -> bool {
    let mut sum = 0u32;
    let mut count = 0usize;
    let mut double = false;
    for c in number.chars().rev() {
        if c == ' ' || c == '-' {
            continue;
        }
        let Some(digit) = c.to_digit(10) else {
            return false;
        };
        let value = if double {
            let doubled = digit * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            digit
        };
        sum += value;
        double = !double;
        count += 1;
    }
    count >= 2 && sum.is_multiple_of(10)
}

/// ISO 13616 IBAN check: shape (2 letters, 2 check digits, 11 to 30
/// alphanumerics, 15 to 34 characters in total) and mod-97 remainder of 1.
///
/// Single spaces between groups are ignored and letters may be in any case.
pub(super) fn iban_valid(candidate: &str) -> bool {
    let compact: Vec<u8> = candidate
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let (head, bban) = compact.split_at(4);
    let shape_ok = head[..2].iter().all(u8::is_ascii_uppercase)
        && head[2..].iter().all(u8::is_ascii_digit)
        && bban.iter().all(u8::is_ascii_alphanumeric);
    if !shape_ok {
        return false;
    }
    let mut remainder = 0u32;
    for &b in bban.iter().chain(head) {
        remainder = if b.is_ascii_digit() {
            (remainder * 10 + u32::from(b - b'0')) % 97
        } else {
            (remainder * 100 + u32::from(b - b'A') + 10) % 97
        };
    }
    remainder == 1
}

/// Number of ASCII digits in `s`.
pub(super) fn digit_count(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_digit).count()
}

/// Lengths of the maximal ASCII digit runs in `s`, in order.
pub(super) fn digit_groups(s: &str) -> Vec<usize> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .map(str::len)
        .collect()
}

/// True for `dd.mm.yyyy`-like and `yyyy-mm-dd`-like shapes (any separators),
/// which phone rules must leave alone.
pub(super) fn looks_like_date(s: &str) -> bool {
    match digit_groups(s).as_slice() {
        [a, b, 4] | [4, a, b] => *a <= 2 && *b <= 2,
        _ => false,
    }
}

/// True when every digit group is a 4-digit year (`19xx` / `20xx`), e.g. the
/// list "2024 2025 2026".
pub(super) fn is_year_list(s: &str) -> bool {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .all(|g| g.len() == 4 && (g.starts_with("19") || g.starts_with("20")))
}

/// True when the text just before `start` continues a number, as in
/// `3.|141592653` or `12:|30`: a `.`, `,` or `:` preceded by a digit.
pub(super) fn numeric_before(text: &str, start: usize) -> bool {
    let bytes = text.as_bytes();
    start >= 2
        && matches!(bytes.get(start - 1), Some(b'.' | b',' | b':'))
        && bytes.get(start - 2).is_some_and(u8::is_ascii_digit)
}

/// True when the text just after `end` continues a number: a digit, or a
/// `.`, `,` or `:` followed by a digit (`17|:30`, `1234567|.5`).
pub(super) fn numeric_after(text: &str, end: usize) -> bool {
    let bytes = text.as_bytes();
    match bytes.get(end) {
        Some(b) if b.is_ascii_digit() => true,
        Some(b'.' | b',' | b':') => bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
        _ => false,
    }
}

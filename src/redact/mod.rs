//! Redaction of sensitive details in free-form incident descriptions.
//!
//! [`redact`] replaces each sensitive detail with a marker such as `[email]`
//! and reports which kinds it replaced. Text without anything sensitive comes
//! back byte-identical.
//!
//! # What is redacted
//!
//! | kind | marker | recognised |
//! | --- | --- | --- |
//! | [`Sensitive::Email`] | `[email]` | `local@domain.tld`, plus-addressing, subdomains, Unicode letters |
//! | [`Sensitive::Phone`] | `[phone]` | `+CC …` / `00CC …` with 7–15 digits; `(555) 123-4567`, `555-123-4567`, `1-800-…`; trunk-prefixed national numbers with separators (`030 1234 5678`, `(030) 1234567`, `0171/1234567`) |
//! | [`Sensitive::Card`] | `[card]` | 13–19 digits, contiguous or grouped (4-4-4-4…, 4-6-5), Luhn-valid, not starting with 0 |
//! | [`Sensitive::Iban`] | `[iban]` | 2 letters, 2 check digits, 11–30 alphanumerics, compact or in groups of 4, passing ISO 13616 mod-97 |
//! | [`Sensitive::NationalId`] | `[national-id]` | US SSN (`123-45-6789`, `123 45 6789`), UK National Insurance (`AB123456C`, `AB 12 34 56 C`), any other standalone run of 9+ digits, and grouped card-like numbers of 12+ digits that fail Luhn |
//! | [`Sensitive::Secret`] | `[secret]` | `sk-…`, `sk_live_…`, `ghp_…`, `github_pat_…`, `glpat-…`, `xox?-…`, `AKIA…`, `AIza…`, `npm_…`, JWTs, private key blocks, URL credentials (`scheme://user:pass@`), a 32+ char base64-ish value after key / token / secret / password / bearer / auth, and any value assigned with `password:` / `password=` (4+ chars, or quoted) |
//!
//! Only the value after a keyword is replaced (`token=[secret]`). When the
//! hits of several rules overlap they are merged into one span, labelled by
//! the strongest rule (secret > email > IBAN > card > SSN/NINO > phone >
//! plain long number), so nothing any rule flagged survives. A
//! Luhn-failing 16-digit number is therefore `[national-id]`: contiguous via
//! the 9+ digit rule, grouped via the card-shape fallback.
//!
//! Redaction is repeated until nothing more is found, which makes
//! `redact(redact(x).text) == redact(x)` hold by construction; markers are
//! never matched again.
//!
//! # What is deliberately left alone
//!
//! Times (`9:00`, `17:30`), dates (`2026-03-06`, `06.03.2026`, `03/06/2026`),
//! counts with thousands separators (`40,000`), short numbers and HTTP
//! codes (`429`), version numbers (`v1.4.0`), IP addresses, percentages,
//! decimals (`3.14159265358979`: digits next to `.`/`,`/`:` + digit are
//! part of a number, not an ID), ticket ids (`INC-12345`), app names, lists
//! of years (`2024 2025 2026`), digits glued to letters (`INC0012345678`),
//! bare 7-digit local numbers (`555-1234`), phone numbers written without
//! any separator (these fall to the 9+ digit rule as `[national-id]`),
//! IBANs with a wrong check sum, standalone long strings without a keyword
//! (hashes, UUIDs, request ids) and spelled-out addresses (`bob at example
//! dot com`). Unseparated 9+ digit counts and timestamps (`1741276800`) are
//! redacted as `[national-id]`: the rule is deliberately blunt.

mod checks;
mod detectors;
#[cfg(test)]
mod tests;

use serde::Serialize;

/// A kind of sensitive detail that [`redact`] replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sensitive {
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A payment card number (Luhn-valid).
    Card,
    /// An IBAN (mod-97-valid).
    Iban,
    /// A national ID (SSN, UK National Insurance number) or other long number.
    NationalId,
    /// An API key, token, password or private key.
    Secret,
}

impl Sensitive {
    /// Every kind, in sort order.
    pub const ALL: [Self; 6] = [
        Self::Email,
        Self::Phone,
        Self::Card,
        Self::Iban,
        Self::NationalId,
        Self::Secret,
    ];

    /// The marker that stands in for a detail of this kind.
    pub fn marker(self) -> &'static str {
        match self {
            Self::Email => "[email]",
            Self::Phone => "[phone]",
            Self::Card => "[card]",
            Self::Iban => "[iban]",
            Self::NationalId => "[national-id]",
            Self::Secret => "[secret]",
        }
    }
}

/// The outcome of [`redact`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Redacted {
    /// The text with every sensitive detail replaced by its marker.
    pub text: String,
    /// The kinds that were replaced, sorted and deduplicated.
    pub found: Vec<Sensitive>,
}

/// Upper bound on redaction passes. Each pass replaces at least one
/// non-marker char and never touches a marker, so the loop ends on its own;
/// the bound is a guard. In practice one pass finds everything and a second
/// confirms it.
const MAX_PASSES: usize = 8;

/// Replaces every sensitive detail in `text` with its marker.
///
/// Text without anything sensitive is returned byte-identical, with an empty
/// `found`.
pub fn redact(text: &str) -> Redacted {
    let mut current = text.to_owned();
    let mut found = Vec::new();
    for _ in 0..MAX_PASSES {
        let spans = detectors::find(&current);
        if spans.is_empty() {
            break;
        }
        current = replace(&current, &spans, &mut found);
    }
    found.sort_unstable();
    found.dedup();
    Redacted {
        text: current,
        found,
    }
}

/// Replaces only the details of `kind` in `text`, leaving every other kind as
/// written; text without one comes back borrowed.
///
/// For prose that is published on purpose, where addresses are meant to be
/// read but one kind (phone numbers, which the matrix keeps private) must not
/// appear. Overlapping hits are labelled as in [`redact`], so a number that
/// [`redact`] would call a card is not a phone number here either.
pub fn redact_kind(text: &str, kind: Sensitive) -> std::borrow::Cow<'_, str> {
    let spans: Vec<detectors::Span> = detectors::find(text)
        .into_iter()
        .filter(|span| span.kind == kind)
        .collect();
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(replace(text, &spans, &mut Vec::new()))
}

/// Rebuilds `text` with each span replaced by its marker.
fn replace(text: &str, spans: &[detectors::Span], found: &mut Vec<Sensitive>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for span in spans {
        out.push_str(&text[last..span.start]);
        out.push_str(span.kind.marker());
        found.push(span.kind);
        last = span.end;
    }
    out.push_str(&text[last..]);
    out
}

//! `escalate route`: from a described incident to severity, tier, owner,
//! notify list, due times and the script to read.
//!
//! The JSON form of [`Route`] is a stable contract (see README, "Route JSON").

mod engine;
pub mod render;
pub mod text;

pub use engine::Router;

use crate::matrix::schema::RuleKind;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Drops from a validated matrix every team and contact that no route can
/// name, so that a matrix kept only for routing does not hold them.
///
/// A route names parties through the tiers (owner, backup, and through
/// `next-tier` another tier's owner), the rules' outcomes (owner, notify),
/// the severities (notify, escalation steps), the decision rows and the
/// fallback (notify) and the manifest (sponsor, owner); every other party
/// is only ever an id in a list or nowhere at all. The largest generated
/// matrix has 50,000 contacts, of which routes can name a few dozen: the
/// rest took some 30 MB while the phrase index was built. A [`Router`]
/// built afterwards routes exactly as one built on the whole matrix
/// (tested).
pub fn retain_routed_parties(matrix: &mut crate::matrix::Matrix) {
    let mut named: std::collections::HashSet<String, rustc_hash::FxBuildHasher> =
        std::collections::HashSet::default();
    {
        let mut name = |id: &crate::matrix::schema::Ref| {
            if !named.contains(id.value.as_str()) {
                named.insert(id.value.clone());
            }
        };
        if let Some(manifest) = &matrix.manifest {
            name(&manifest.sponsor);
            name(&manifest.owner);
        }
        for tier in &matrix.tiers {
            name(&tier.owner);
            tier.backup.iter().for_each(&mut name);
        }
        for severity in &matrix.severities {
            severity.notify.iter().for_each(&mut name);
            for step in &severity.escalation {
                step.notify.iter().for_each(&mut name);
            }
        }
        for rule in &matrix.rules {
            rule.outcome.owner.iter().for_each(&mut name);
            rule.outcome.notify.iter().for_each(&mut name);
        }
        for decision in &matrix.decisions {
            decision.notify.iter().for_each(&mut name);
        }
        if let Some(fallback) = &matrix.fallback {
            fallback.notify.iter().for_each(&mut name);
        }
    }
    matrix.retain_parties(|party| named.contains(party.id.value.as_str()));
}

/// A string in a [`Route`]: most are ids and names of a few words, which it
/// keeps inline, without an allocation of their own (up to 24 bytes; longer
/// ones on the heap). It reads as a `&str` and is written as a JSON string.
pub type Text = compact_str::CompactString;

/// An instant as a route shows it: in the zone of its deadlines, to the
/// second, written as RFC 3339 with its offset (`2026-03-09T13:00:00+01:00`),
/// in JSON as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ZonedTime(pub DateTime<FixedOffset>);

impl ZonedTime {
    /// The instant with its offset.
    pub fn time(self) -> DateTime<FixedOffset> {
        self.0
    }

    /// The instant for people: `Mon 2026-03-09 13:00 +01:00`.
    pub fn readable(self) -> String {
        let mut out = String::with_capacity(26);
        render::push_readable(&mut out, &self.0);
        out
    }
}

impl std::fmt::Display for ZonedTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        render::write_rfc3339(f, &self.0)
    }
}

impl Serialize for ZonedTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Compares what is written with a text, piece by piece.
struct SameText<'t>(&'t str);

impl std::fmt::Write for SameText<'_> {
    fn write_str(&mut self, piece: &str) -> std::fmt::Result {
        self.0 = self.0.strip_prefix(piece).ok_or(std::fmt::Error)?;
        Ok(())
    }
}

/// Whether the instant is written as `text`.
impl PartialEq<str> for ZonedTime {
    fn eq(&self, text: &str) -> bool {
        let mut rest = SameText(text);
        std::fmt::Write::write_fmt(&mut rest, format_args!("{self}")).is_ok() && rest.0.is_empty()
    }
}

impl PartialEq<&str> for ZonedTime {
    fn eq(&self, text: &&str) -> bool {
        *self == **text
    }
}

/// Facts that override what is inferred from the text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Dimension levels by dimension id (`data` -> `regulated`).
    #[serde(default, flatten)]
    pub dimensions: BTreeMap<String, String>,
    /// A severity id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// A tier id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

/// One incident to route.
#[derive(Debug, Clone)]
pub struct Incident {
    /// What happened, in the requester's words.
    pub description: String,
    /// When the incident was opened.
    pub opened_at: DateTime<Utc>,
    /// Facts given explicitly.
    pub facts: Facts,
    /// Whether sensitive details are masked wherever the description is echoed.
    pub redact: bool,
}

/// Why a route could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum RouteError {
    /// The matrix has errors; run `escalate validate`.
    #[error("the matrix has errors: run `escalate validate` to see them")]
    #[diagnostic(code(invalid_matrix))]
    InvalidMatrix,
    /// A given dimension does not exist.
    #[error("unknown dimension `{dimension}` (known: {})", known.join(", "))]
    #[diagnostic(code(unknown_dimension))]
    UnknownDimension {
        /// What was given.
        dimension: String,
        /// What exists.
        known: Vec<String>,
    },
    /// A given level does not exist.
    #[error("unknown level `{level}` for dimension `{dimension}` (known: {})", known.join(", "))]
    #[diagnostic(code(unknown_level))]
    UnknownLevel {
        /// The dimension.
        dimension: String,
        /// What was given.
        level: String,
        /// What exists.
        known: Vec<String>,
    },
    /// A given severity does not exist.
    #[error("unknown severity `{0}`")]
    #[diagnostic(code(unknown_severity))]
    UnknownSeverity(String),
    /// A given tier does not exist.
    #[error("unknown tier `{0}`")]
    #[diagnostic(code(unknown_tier))]
    UnknownTier(String),
    /// Calendar arithmetic failed (a calendar without working time ahead).
    #[error("cannot compute a due time: {0}")]
    #[diagnostic(code(calendar))]
    Calendar(String),
    /// A phrase could not be indexed.
    #[error("cannot index phrases: {0}")]
    #[diagnostic(code(phrase))]
    Phrase(String),
    /// Regular expressions could not be compiled together.
    #[error("cannot compile the rules' regular expressions: {0}")]
    #[diagnostic(code(regex))]
    Regex(String),
    /// A number out of range.
    #[error("the matrix is too large to route")]
    #[diagnostic(code(too_large))]
    TooLarge,
}

/// An id with its display name and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    /// The id.
    pub id: Text,
    /// The display name.
    pub name: Text,
    /// Why.
    pub reason: Text,
}

/// A team or contact as printed: public channels only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyView {
    /// The id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The role.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub role: String,
    /// Public channels by name.
    pub channels: BTreeMap<String, String>,
}

impl PartyView {
    /// The first public channel, for one-line mentions.
    pub fn first_channel(&self) -> Option<String> {
        self.first_channel_parts()
            .map(|(kind, value)| format!("{kind} {value}"))
    }

    /// The kind and value of [`PartyView::first_channel`].
    pub fn first_channel_parts(&self) -> Option<(&'static str, &str)> {
        ["queue", "chat", "email", "pager"]
            .into_iter()
            .find_map(|c| self.channels.get(c).map(|v| (c, v.as_str())))
    }
}

/// The due instants of an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineSet {
    /// The calendar id, or `24x7`.
    pub clock: Arc<str>,
    /// The zone the instants are written in.
    pub time_zone: Arc<str>,
    /// Acknowledge by (RFC 3339 with offset).
    pub acknowledge_by: ZonedTime,
    /// Initial assessment by.
    pub assess_by: ZonedTime,
    /// Resolve by.
    pub resolve_by: ZonedTime,
    /// First update by.
    pub next_update_by: ZonedTime,
    /// The targets as durations (shared by every route on the same severity and
    /// tier).
    pub targets: Arc<BTreeMap<String, String>>,
}

/// An escalation step with its instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// When it fires.
    pub at: ZonedTime,
    /// The milestone that stops it.
    pub unless: Text,
    /// What to do.
    pub action: Text,
    /// Who (party ids).
    pub notify: Vec<Text>,
    /// The step in words.
    pub text: String,
}

/// The script to read, filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptView {
    /// The id.
    pub id: Text,
    /// The title.
    pub name: Text,
    /// The text with placeholders filled.
    pub text: String,
}

/// A dimension level and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DimensionValue {
    /// The level id.
    pub level: Text,
    /// `given` or `inferred`. (A static string keeps a map node of these within
    /// the allocator's fast size classes.)
    pub source: &'static str,
    /// The words that implied it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<Text>,
}

/// A rule that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMatch {
    /// The id.
    pub id: Text,
    /// Route or override.
    pub kind: RuleKind,
    /// Its precedence.
    pub precedence: i32,
    /// Its summary.
    pub summary: String,
    /// The words of the description that matched.
    pub words: Vec<Text>,
    /// The phrases of the rule that matched.
    pub phrases: Vec<Text>,
    /// The dimension conditions it required.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<String>,
}

/// A rule that was considered and not applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRule {
    /// The id.
    pub id: Text,
    /// Why.
    pub reason: String,
}

/// Why the route is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Ids of the rules applied: the winner first, then overrides.
    pub rules: Vec<Text>,
    /// The winning route rule.
    pub winner: Option<Text>,
    /// Overrides applied, highest precedence first.
    pub overrides: Vec<Text>,
    /// Details of each applied rule.
    pub matched: Vec<RuleMatch>,
    /// Rules considered and not applied.
    pub rejected: Vec<RejectedRule>,
    /// How a tie in precedence was broken.
    pub tie_break: Option<String>,
    /// Decision matrix rows that held.
    pub decisions: Vec<Text>,
}

/// Which matrix decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixInfo {
    /// Its name.
    pub name: Text,
    /// Its version.
    pub version: Text,
    /// The git commit of the matrix files, when they are in a repository.
    pub commit: Option<String>,
}

/// The decision for one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The description as echoed (redacted unless asked otherwise).
    pub description: String,
    /// When it was opened, in the deadlines' zone.
    pub opened_at: ZonedTime,
    /// The severity.
    pub severity: Named,
    /// The tier.
    pub tier: Named,
    /// Who owns it.
    pub owner: Arc<PartyView>,
    /// Who stands in.
    pub backup: Option<Arc<PartyView>>,
    /// Who else must know.
    pub notify: Vec<Arc<PartyView>>,
    /// By when.
    pub deadlines: DeadlineSet,
    /// Escalation steps.
    pub escalation: Vec<Step>,
    /// What to say.
    pub script: Option<ScriptView>,
    /// Whether no rule matched.
    pub fallback: bool,
    /// `high`, `medium` (tie on equal evidence) or `low` (fallback).
    pub confidence: &'static str,
    /// Dimension levels.
    pub dimensions: BTreeMap<String, DimensionValue>,
    /// Why.
    pub explanation: Explanation,
    /// Which matrix.
    pub matrix: MatrixInfo,
}

#[cfg(test)]
mod tests {
    use super::ZonedTime;

    #[test]
    fn a_zoned_time_is_written_and_compared_as_rfc_3339() {
        let t =
            ZonedTime(chrono::DateTime::parse_from_rfc3339("2026-03-29T03:05:09+02:00").unwrap());
        assert_eq!(t.to_string(), "2026-03-29T03:05:09+02:00");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-03-29T03:05:09+02:00\""
        );
        assert_eq!(t.readable(), "Sun 2026-03-29 03:05 +02:00");
        assert!(t == "2026-03-29T03:05:09+02:00");
        // The same instant written otherwise, a prefix, and a longer text differ.
        assert!(t != "2026-03-29T01:05:09Z");
        assert!(t != "2026-03-29T03:05:09+02:0");
        assert!(t != "2026-03-29T03:05:09+02:00 ");
        let west =
            ZonedTime(chrono::DateTime::parse_from_rfc3339("2026-11-01T01:30:00-07:00").unwrap());
        assert!(west == "2026-11-01T01:30:00-07:00");
    }
}

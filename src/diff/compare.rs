//! Entity-by-entity comparison of two loaded matrices.
//!
//! Entities are matched by id, never by file or position. SLA targets are
//! compared as resolved per (severity, tier) by validation, so per-tier
//! overrides, calendars and the length of a business day are accounted for.
//! Pure: no I/O.

use super::words::{self, duration, from_to, inline, quoted, safe, sentence, short};
use super::{Change, ChangeKind as K, Location, Section};
use crate::matrix::Matrix;
use crate::matrix::de::Spanned;
use crate::matrix::duration::DurationSpec;
use crate::matrix::node::Span;
use crate::matrix::schema::{
    CalendarSpec, Decision, Dimension, EscalationStep, FileId, Manifest, Party, Ref, Rule,
    RuleKind, Script, Severity, Synonyms, Term, Tier,
};
use crate::validate::checks::{AROUND_THE_CLOCK, Checked, EffectiveTargets};
use rustc_hash::FxBuildHasher;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::{self, Display, Write as _};

/// Every change between two validated matrices, unsorted (see [`super::sort`]).
pub fn diff(
    old: &Matrix,
    old_checked: &Checked,
    new: &Matrix,
    new_checked: &Checked,
) -> Vec<Change> {
    let mut d = Differ {
        old,
        new,
        old_checked,
        new_checked,
        out: Vec::new(),
    };
    d.manifest();
    d.severities();
    d.targets();
    d.tiers();
    d.parties();
    d.calendars();
    d.dimensions();
    d.rules();
    d.decisions();
    d.synonyms();
    d.scripts();
    d.terms();
    d.fallback();
    d.out
}

struct Differ<'a> {
    old: &'a Matrix,
    new: &'a Matrix,
    old_checked: &'a Checked,
    new_checked: &'a Checked,
    out: Vec<Change>,
}

/// Where an entry is written, looked up on first use and at most once.
///
/// Most matched entities do not change, and the look-up clones the file's
/// path and searches its line table: only a recorded change pays for it.
struct At<'m> {
    matrix: &'m Matrix,
    file: FileId,
    span: Span,
    location: OnceCell<Option<Location>>,
}

impl<'m> At<'m> {
    fn new(matrix: &'m Matrix, file: FileId, span: Span) -> Self {
        At {
            matrix,
            file,
            span,
            location: OnceCell::new(),
        }
    }

    /// The place, for a change being recorded.
    fn get(&self) -> Option<Location> {
        self.location
            .get_or_init(|| Location::of(self.matrix, self.file, self.span))
            .clone()
    }
}

/// Whether two lists hold the same values in the same order; then their
/// sets are equal too and [`set_diff`] has nothing to report.
fn same_values(old: &[Spanned<String>], new: &[Spanned<String>]) -> bool {
    old.len() == new.len() && old.iter().zip(new).all(|(o, n)| o.value == n.value)
}

/// A party's value of one channel, when set.
fn channel_of<'p>(party: &'p Party, name: &str) -> Option<&'p str> {
    party
        .channels
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// Entities of both versions matched by id: those of the new version in its
/// order (with their old counterpart, if any), then those only in the old
/// version in its order. The order does not reach the output, which
/// [`super::sort`] orders by kind and path.
fn pairs<'a, T>(
    old: &'a [T],
    new: &'a [T],
    id: impl Fn(&'a T) -> &'a str,
) -> Vec<(&'a str, Option<&'a T>, Option<&'a T>)> {
    // A hash table of the old version's ids, visited in memory order, rather
    // than sorting both sides: sorting compares each id about log n times,
    // each time reaching into the matrix for its bytes, which made the diff
    // of the largest matrices slower per entity than of small ones. Of
    // duplicate ids the first counts, on both sides.
    let mut by_id: HashMap<&'a str, (&'a T, bool), FxBuildHasher> =
        HashMap::with_capacity_and_hasher(old.len(), FxBuildHasher);
    for item in old {
        by_id.entry(id(item)).or_insert((item, false));
    }
    let mut seen: HashSet<&'a str, FxBuildHasher> =
        HashSet::with_capacity_and_hasher(new.len(), FxBuildHasher);
    let mut out = Vec::with_capacity(old.len().max(new.len()));
    for item in new {
        let key = id(item);
        if !seen.insert(key) {
            continue;
        }
        let before = by_id.get_mut(key).map(|(old, matched)| {
            *matched = true;
            &**old
        });
        out.push((key, before, Some(item)));
    }
    for item in old {
        let key = id(item);
        if let Some((first, matched)) = by_id.get_mut(key)
            && !*matched
        {
            *matched = true;
            out.push((key, Some(&**first), None));
        }
    }
    out
}

/// Phrases added and removed: (added, removed), each sorted.
fn set_diff<'a>(
    old: impl IntoIterator<Item = &'a str>,
    new: impl IntoIterator<Item = &'a str>,
) -> (Vec<&'a str>, Vec<&'a str>) {
    let old: BTreeSet<&str> = old.into_iter().collect();
    let new: BTreeSet<&str> = new.into_iter().collect();
    (
        new.difference(&old).copied().collect(),
        old.difference(&new).copied().collect(),
    )
}

fn added_removed(added: &[&str], removed: &[&str]) -> String {
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("added {}", quoted(added)));
    }
    if !removed.is_empty() {
        parts.push(format!("removed {}", quoted(removed)));
    }
    parts.join("; ")
}

/// `now also matches "a", "b"; no longer matches "c"`.
fn in_words(added: &[&str], removed: &[&str], more: &str, less: &str) -> String {
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("{more} {}", quoted(added)));
    }
    if !removed.is_empty() {
        parts.push(format!("{less} {}", quoted(removed)));
    }
    parts.join("; ")
}

fn values(spanned: &[Spanned<String>]) -> impl Iterator<Item = &str> {
    spanned.iter().map(|s| s.value.as_str())
}

fn opt(r: Option<&Ref>) -> Option<&str> {
    r.map(|r| r.value.as_str())
}

fn show(value: Option<&str>) -> String {
    value.unwrap_or("(none)").to_string()
}

fn arrow(old: Option<&str>, new: Option<&str>) -> String {
    format!("{} -> {}", show(old), show(new))
}

/// One target: its minutes, the calendar it counts on, and how the matrix
/// writes it (`2bd`), which is how the diff shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Clocked {
    minutes: u64,
    calendar: Option<String>,
    written: String,
}

impl Clocked {
    fn clock(&self) -> &str {
        self.calendar.as_deref().unwrap_or(AROUND_THE_CLOCK)
    }

    /// As written; with the time it stands for when the other version
    /// writes the same but means another time (`2bd = 16h` when the length
    /// of a business day changed).
    fn shown(&self, other: &Clocked) -> String {
        if self.written == other.written && self.minutes != other.minutes {
            format!(
                "{} = {}",
                self.written,
                crate::matrix::duration::format_minutes(self.minutes)
            )
        } else {
            self.written.clone()
        }
    }

    fn technical(&self, other: &Clocked) -> String {
        format!("{} ({})", self.shown(other), self.clock())
    }

    /// In words, in the units written (`2 business days`), or in hours when
    /// both versions write the same but mean another time.
    fn words(&self, other: &Clocked) -> String {
        let business = self.calendar.is_some();
        match DurationSpec::parse(&self.written) {
            Ok(spec) if self.written != other.written => words::written_duration(&spec, business),
            _ => duration(self.minutes, business),
        }
    }
}

/// A target as written for a tier: the tier's override, else the
/// severity's own (`field` as in [`TARGET_FIELDS`]).
fn written_target<'s>(sev: &'s Severity, tier: &str, field: usize) -> Option<&'s Spanned<String>> {
    let over = sev
        .overrides
        .iter()
        .find(|o| o.tier.value == tier)
        .and_then(|o| {
            [&o.acknowledge, &o.assess, &o.resolve, &o.update_every]
                .get(field)
                .copied()
                .and_then(Option::as_ref)
        });
    over.or_else(|| {
        [
            &sev.targets.acknowledge,
            &sev.targets.assess,
            &sev.targets.resolve,
            &sev.targets.update_every,
        ]
        .get(field)
        .copied()
    })
}

const TARGET_FIELDS: [(&str, &str); 4] = [
    ("acknowledge", "acknowledgement target"),
    ("assess", "assessment target"),
    ("resolve", "resolution target"),
    ("update_every", "update interval"),
];

fn target_minutes(t: &EffectiveTargets, field: usize) -> u64 {
    match field {
        0 => t.acknowledge,
        1 => t.assess,
        2 => t.resolve,
        _ => t.update_every,
    }
}

/// Whether a target moved clearly one way. Working time never runs faster
/// than real time, so N business minutes are at least N real minutes.
fn direction(old: &Clocked, new: &Clocked) -> Option<K> {
    match (&old.calendar, &new.calendar) {
        (a, b) if a == b => Some(if new.minutes > old.minutes {
            K::SlaTargetRelaxed
        } else {
            K::SlaTargetTightened
        }),
        (None, Some(_)) if new.minutes >= old.minutes => Some(K::SlaTargetRelaxed),
        (Some(_), None) if new.minutes <= old.minutes => Some(K::SlaTargetTightened),
        _ => None,
    }
}

impl<'a> Differ<'a> {
    fn push(&mut self, change: Change) {
        self.out.push(change);
    }

    fn at_new(&self, file: FileId, span: Span) -> Option<Location> {
        Location::of(self.new, file, span)
    }

    fn at_old(&self, file: FileId, span: Span) -> Option<Location> {
        Location::of(self.old, file, span)
    }

    /// A place in the new version, looked up only if a change is recorded.
    fn place(&self, file: FileId, span: Span) -> At<'a> {
        At::new(self.new, file, span)
    }

    fn party_name(&self, id: &str) -> String {
        words::party(self.old, self.new, id)
    }

    fn tier_name(&self, id: &str) -> String {
        self.new
            .tier(id)
            .or_else(|| self.old.tier(id))
            .map_or_else(|| id.to_string(), |t| short(&t.name).to_string())
    }

    fn severity_name(&self, id: &str) -> String {
        self.new
            .severity(id)
            .or_else(|| self.old.severity(id))
            .map_or_else(|| id.to_string(), |s| short(&s.name).to_string())
    }

    fn calendar_name(&self, id: &str) -> String {
        self.new
            .calendar(id)
            .or_else(|| self.old.calendar(id))
            .map_or_else(|| id.to_string(), |c| c.name.clone())
    }

    /// A free-text field for people (names, summaries, descriptions). The
    /// path is formatted only when the text changed.
    #[allow(clippy::too_many_arguments)]
    fn wording(
        &mut self,
        section: Section,
        path: fmt::Arguments<'_>,
        who: impl Display,
        field: &str,
        old: &str,
        new: &str,
        at: &At<'_>,
    ) {
        if old == new {
            return;
        }
        let (old, new) = (safe(old), safe(new));
        let (detail, summary) = match (inline(&old), inline(&new)) {
            _ if old.is_empty() => ("set".to_string(), format!("{who}: {field} added")),
            _ if new.is_empty() => ("cleared".to_string(), format!("{who}: {field} removed")),
            (Some(o), Some(n)) => (
                format!("\"{o}\" -> \"{n}\""),
                format!("{who}: {field} changed from \"{o}\" to \"{n}\""),
            ),
            _ => (
                "text changed".to_string(),
                format!("{who}: {field} reworded"),
            ),
        };
        self.push(
            Change::new(K::WordingChanged, section, fmt::format(path))
                .values(Some(old.clone()), Some(new.clone()))
                .detail(detail)
                .summary(summary)
                .at(at.get()),
        );
    }

    /// A reference that changed (owner, backup, `escalates_to`, a rule's
    /// tier). The path and the summary are made only when it changed.
    #[allow(clippy::too_many_arguments)]
    fn reference(
        &mut self,
        kind: K,
        section: Section,
        path: fmt::Arguments<'_>,
        summary: impl FnOnce(&Self) -> String,
        old: Option<&str>,
        new: Option<&str>,
        at: &At<'_>,
    ) {
        if old == new {
            return;
        }
        let summary = summary(self);
        self.push(
            Change::new(kind, section, fmt::format(path))
                .values(old.map(str::to_string), new.map(str::to_string))
                .detail(arrow(old, new))
                .summary(summary)
                .at(at.get()),
        );
    }

    /// Parties notified in addition: one change per party added or removed.
    fn notify(
        &mut self,
        section: Section,
        prefix: impl Display,
        who: impl Display,
        old: &[Ref],
        new: &[Ref],
        at: &At<'_>,
    ) {
        if same_values(old, new) {
            return;
        }
        let (added, removed) = set_diff(values(old), values(new));
        for id in added {
            let name = self.party_name(id);
            self.push(
                Change::new(K::NotifyAdded, section, format!("{prefix}.notify[{id}]"))
                    .values(None, Some(id.to_string()))
                    .detail(format!("now notifies {id}"))
                    .summary(format!("{who}: {name} is now notified"))
                    .at(at.get()),
            );
        }
        for id in removed {
            let name = self.party_name(id);
            self.push(
                Change::new(K::NotifyRemoved, section, format!("{prefix}.notify[{id}]"))
                    .values(Some(id.to_string()), None)
                    .detail(format!("no longer notifies {id}"))
                    .summary(format!("{who}: {name} is no longer notified"))
                    .at(at.get()),
            );
        }
    }

    fn manifest(&mut self) {
        let (Some(old), Some(new)) = (&self.old.manifest, &self.new.manifest) else {
            return;
        };
        let at = |span: Span| Location::of(self.new, new.origin, span);
        let who = "The matrix";
        if old.version.value != new.version.value {
            self.push(
                Change::new(K::VersionChanged, Section::Manifest, "manifest.version")
                    .values(
                        Some(old.version.value.clone()),
                        Some(new.version.value.clone()),
                    )
                    .detail(arrow(Some(&old.version.value), Some(&new.version.value)))
                    .summary(format!(
                        "Version {} replaces {}",
                        new.version.value, old.version.value
                    ))
                    .at(at(new.version.span)),
            );
        }
        self.reference(
            K::MatrixOwnerChanged,
            Section::Manifest,
            format_args!("manifest.owner"),
            |d| {
                format!(
                    "{who} is now owned by {} (was {})",
                    d.party_name(&new.owner.value),
                    d.party_name(&old.owner.value)
                )
            },
            Some(&old.owner.value),
            Some(&new.owner.value),
            &self.place(new.origin, new.owner.span),
        );
        self.reference(
            K::SponsorChanged,
            Section::Manifest,
            format_args!("manifest.sponsor"),
            |d| {
                format!(
                    "The executive sponsor is now {} (was {})",
                    d.party_name(&new.sponsor.value),
                    d.party_name(&old.sponsor.value)
                )
            },
            Some(&old.sponsor.value),
            Some(&new.sponsor.value),
            &self.place(new.origin, new.sponsor.span),
        );
        self.reference(
            K::TimeZoneChanged,
            Section::Manifest,
            format_args!("manifest.time_zone"),
            |_| {
                format!(
                    "Default time zone changed from {} to {}",
                    old.time_zone.value, new.time_zone.value
                )
            },
            Some(&old.time_zone.value),
            Some(&new.time_zone.value),
            &self.place(new.origin, new.time_zone.span),
        );
        self.manifest_details(old, new);
    }

    fn manifest_details(&mut self, old: &Manifest, new: &Manifest) {
        let at = |span: Span| Location::of(self.new, new.origin, span);
        let who = "The matrix";
        let (old_bd, new_bd) = (
            self.old_checked.business_day_minutes,
            self.new_checked.business_day_minutes,
        );
        if old_bd != new_bd {
            let (o, n) = (
                duration(u64::from(old_bd), false),
                duration(u64::from(new_bd), false),
            );
            self.push(
                Change::new(
                    K::BusinessDayChanged,
                    Section::Manifest,
                    "manifest.business_day",
                )
                .values(Some(o.clone()), Some(n.clone()))
                .detail(format!("{o} -> {n}"))
                .summary(format!(
                    "A business day now means {n} of working time (was {o})"
                ))
                .at(new.business_day.as_ref().and_then(|b| at(b.span))),
            );
        }
        for (field, words, o, n, span) in [
            (
                "review_every",
                "review cadence",
                &old.review_every,
                &new.review_every,
                new.review_every.span,
            ),
            (
                "last_reviewed",
                "last review date",
                &old.last_reviewed,
                &new.last_reviewed,
                new.last_reviewed.span,
            ),
        ] {
            if o.value != n.value {
                self.push(
                    Change::new(
                        K::ReviewChanged,
                        Section::Manifest,
                        format!("manifest.{field}"),
                    )
                    .values(Some(o.value.clone()), Some(n.value.clone()))
                    .detail(arrow(Some(&o.value), Some(&n.value)))
                    .summary(format!(
                        "{who}: {words} changed from {} to {}",
                        o.value, n.value
                    ))
                    .at(at(span)),
                );
            }
        }
        if old.audit_log != new.audit_log {
            self.push(
                Change::new(K::SettingChanged, Section::Manifest, "manifest.audit_log")
                    .values(old.audit_log.clone(), new.audit_log.clone())
                    .detail(arrow(old.audit_log.as_deref(), new.audit_log.as_deref()))
                    .summary(format!("{who}: default audit log changed"))
                    .at(at(new.version.span)),
            );
        }
        let file_at = self.place(new.origin, new.version.span);
        self.wording(
            Section::Manifest,
            format_args!("manifest.name"),
            who,
            "name",
            &old.name,
            &new.name,
            &file_at,
        );
        self.wording(
            Section::Manifest,
            format_args!("manifest.description"),
            who,
            "description",
            &old.description,
            &new.description,
            &file_at,
        );
        self.wording(
            Section::Manifest,
            format_args!("manifest.how_to_ask"),
            who,
            "how to ask for help",
            &old.how_to_ask,
            &new.how_to_ask,
            &file_at,
        );
    }

    fn severity_used(&self, id: &str) -> bool {
        let m = self.old;
        m.rules.iter().any(|r| {
            opt(r.outcome.severity.as_ref()) == Some(id)
                || opt(r.outcome.min_severity.as_ref()) == Some(id)
        }) || m.decisions.iter().any(|d| d.min_severity.value == id)
            || m.fallback.as_ref().is_some_and(|f| f.severity.value == id)
    }

    fn severities(&mut self) {
        for (id, old, new) in pairs(
            &self.old.severities,
            &self.new.severities,
            |s: &Severity| &s.id.value,
        ) {
            match (old, new) {
                (None, Some(n)) => self.push(
                    Change::new(
                        K::SeverityAdded,
                        Section::Severities,
                        format!("severity[{id}]"),
                    )
                    .values(None, Some(n.name.clone()))
                    .detail("added")
                    .summary(format!(
                        "New severity level \"{}\" (rank {})",
                        n.name, n.rank.value
                    ))
                    .at(self.at_new(n.origin, n.id.span)),
                ),
                (Some(o), None) => {
                    let used = self.severity_used(id);
                    let kind = if used {
                        K::SeverityRemoved
                    } else {
                        K::UnusedSeverityRemoved
                    };
                    let why = if used {
                        "; rules, decisions or the fallback that routed to it now route elsewhere"
                    } else {
                        ""
                    };
                    self.push(
                        Change::new(kind, Section::Severities, format!("severity[{id}]"))
                            .values(Some(o.name.clone()), None)
                            .detail("removed")
                            .summary(format!("Severity level \"{}\" removed{why}", o.name))
                            .at(self.at_old(o.origin, o.id.span)),
                    );
                }
                (Some(o), Some(n)) => self.severity(id, o, n),
                (None, None) => {}
            }
        }
    }

    fn severity(&mut self, id: &str, old: &Severity, new: &Severity) {
        let who = short(&new.name);
        let at = self.place(new.origin, new.id.span);
        if old.rank.value != new.rank.value {
            self.push(
                Change::new(
                    K::SeverityRankChanged,
                    Section::Severities,
                    format!("severity[{id}].rank"),
                )
                .values(
                    Some(old.rank.value.to_string()),
                    Some(new.rank.value.to_string()),
                )
                .detail(format!("{} -> {}", old.rank.value, new.rank.value))
                .summary(format!(
                    "{who}: rank changed from {} to {}",
                    old.rank.value, new.rank.value
                ))
                .at(self.at_new(new.origin, new.rank.span)),
            );
        }
        for (field, words, o, n) in [
            ("name", "name", &old.name, &new.name),
            ("summary", "summary", &old.summary, &new.summary),
            (
                "business_impact",
                "business impact",
                &old.business_impact,
                &new.business_impact,
            ),
            (
                "service_continuity",
                "service continuity",
                &old.service_continuity,
                &new.service_continuity,
            ),
            ("data_risk", "data risk", &old.data_risk, &new.data_risk),
        ] {
            self.wording(
                Section::Severities,
                format_args!("severity[{id}].{field}"),
                who,
                words,
                o,
                n,
                &at,
            );
        }
        self.notify(
            Section::Severities,
            format_args!("severity[{id}]"),
            who,
            &old.notify,
            &new.notify,
            &at,
        );
        self.escalation(id, old, new);
    }

    fn targets(&mut self) {
        let common_tiers: Vec<&str> = {
            let old: BTreeSet<&str> = self.old.tiers.iter().map(|t| t.id.value.as_str()).collect();
            self.new
                .tiers
                .iter()
                .map(|t| t.id.value.as_str())
                .filter(|t| old.contains(t))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        for (sev, old, new) in pairs(
            &self.old.severities,
            &self.new.severities,
            |s: &Severity| &s.id.value,
        ) {
            let (Some(old_sev), Some(new)) = (old, new) else {
                continue;
            };
            for field in 0..TARGET_FIELDS.len() {
                let mut moved: Vec<(&str, Clocked, Clocked)> = Vec::new();
                for tier in &common_tiers {
                    let key = (sev.to_string(), (*tier).to_string());
                    let (Some(o), Some(n)) = (
                        self.old_checked.targets.get(&key),
                        self.new_checked.targets.get(&key),
                    ) else {
                        continue;
                    };
                    let written = |sev: &Severity, minutes: u64| {
                        written_target(sev, tier, field).map_or_else(
                            || crate::matrix::duration::format_minutes(minutes),
                            |w| w.value.trim().to_string(),
                        )
                    };
                    let (om, nm) = (target_minutes(o, field), target_minutes(n, field));
                    // Spelled out only for what changed.
                    if om != nm || o.calendar != n.calendar {
                        let o = Clocked {
                            minutes: om,
                            calendar: o.calendar.clone(),
                            written: written(old_sev, om),
                        };
                        let n = Clocked {
                            minutes: nm,
                            calendar: n.calendar.clone(),
                            written: written(new, nm),
                        };
                        moved.push((tier, o, n));
                    }
                }
                let Some(first) = moved.first().cloned() else {
                    continue;
                };
                let everywhere = common_tiers.len() > 1
                    && moved.len() == common_tiers.len()
                    && moved.iter().all(|(_, o, n)| *o == first.1 && *n == first.2);
                if everywhere {
                    self.target(new, None, field, &first.1, &first.2);
                } else {
                    for (tier, o, n) in &moved {
                        self.target(new, Some(tier), field, o, n);
                    }
                }
            }
        }
    }

    fn target(
        &mut self,
        sev: &Severity,
        tier: Option<&str>,
        field: usize,
        old: &Clocked,
        new: &Clocked,
    ) {
        let (name, words) = TARGET_FIELDS
            .get(field)
            .copied()
            .unwrap_or(("target", "target"));
        let id = &sev.id.value;
        let path = match tier {
            Some(t) => format!("severity[{id}].targets[{t}].{name}"),
            None => format!("severity[{id}].targets.{name}"),
        };
        let who = match tier {
            Some(t) => format!("{}, {}", short(&sev.name), self.tier_name(t)),
            None => format!("{}, all tiers", short(&sev.name)),
        };
        let base = [
            &sev.targets.acknowledge,
            &sev.targets.assess,
            &sev.targets.resolve,
            &sev.targets.update_every,
        ];
        let mut span = base.get(field).map_or(sev.id.span, |s| s.span);
        if let Some(o) = tier.and_then(|t| sev.overrides.iter().find(|o| o.tier.value == t)) {
            let fields = [&o.acknowledge, &o.assess, &o.resolve, &o.update_every];
            if let Some(Some(s)) = fields.get(field) {
                span = s.span;
            }
        }
        let same_clock = old.calendar == new.calendar;
        let detail = if same_clock {
            format!("{} -> {} ({})", old.shown(new), new.shown(old), new.clock())
        } else {
            format!("{} -> {}", old.technical(new), new.technical(old))
        };
        let on = |c: &Clocked, other: &Clocked| match &c.calendar {
            Some(cal) => format!("{} on {}", c.words(other), self.calendar_name(cal)),
            None => format!("{} around the clock", c.words(other)),
        };
        let kind = direction(old, new);
        let summary = match kind {
            Some(k) if same_clock => format!(
                "{who}: {words} {} {}",
                verb(k),
                from_to(&old.words(new), &new.words(old))
            ),
            Some(k) => format!(
                "{who}: {words} {} from {} to {}",
                verb(k),
                on(old, new),
                on(new, old)
            ),
            None => format!(
                "{who}: {words} now counts on another clock, from {} to {}",
                on(old, new),
                on(new, old)
            ),
        };
        self.push(
            Change::new(
                kind.unwrap_or(K::SlaClockChanged),
                Section::Severities,
                path,
            )
            .values(Some(old.technical(new)), Some(new.technical(old)))
            .detail(detail)
            .summary(summary)
            .at(self.at_new(sev.origin, span)),
        );
    }

    fn escalation(&mut self, id: &str, old: &Severity, new: &Severity) {
        let who = short(&new.name).to_string();
        let business = new
            .targets
            .calendar
            .as_ref()
            .is_some_and(|c| c.value != AROUND_THE_CLOCK);
        let old_steps = steps(old, self.old_checked.business_day_minutes);
        let new_steps = steps(new, self.new_checked.business_day_minutes);
        let (matched, gone, fresh) = match_steps(&old_steps, &new_steps);
        // "page the backup if not acknowledged", then " within 1 hour".
        let what = |s: &StepView<'_>, d: &Differ<'_>| -> String {
            let people: Vec<String> = s
                .step
                .notify
                .iter()
                .map(|n| d.party_name(&n.value))
                .collect();
            format!(
                "{} {} if not {}",
                s.step.action,
                sentence(&people),
                s.step.unless.as_str()
            )
        };
        let describe = |s: &StepView<'_>, d: &Differ<'_>| -> String {
            format!("{} within {}", what(s, d), duration(s.minutes, business))
        };
        for (o, n) in matched {
            let path = format_args!("severity[{id}].escalation[{}]", n.index + 1);
            let at = self.place(new.origin, n.step.after.span);
            if o.minutes != n.minutes {
                let kind = if n.minutes > o.minutes {
                    K::EscalationStepDelayed
                } else {
                    K::EscalationStepAdvanced
                };
                let (ow, nw) = (duration(o.minutes, business), duration(n.minutes, business));
                self.push(
                    Change::new(kind, Section::Severities, format!("{path}.after"))
                        .values(
                            Some(o.step.after.value.clone()),
                            Some(n.step.after.value.clone()),
                        )
                        .detail(format!("{} -> {}", o.step.after.value, n.step.after.value))
                        .summary(format!(
                            "{who}: the escalation step \"{}\" now fires after {nw} (was {ow})",
                            what(n, self)
                        ))
                        .at(at.get()),
                );
            }
            if o.key() != n.key() {
                self.push(
                    Change::new(
                        K::EscalationStepChanged,
                        Section::Severities,
                        fmt::format(path),
                    )
                    .values(Some(o.technical()), Some(n.technical()))
                    .detail(format!("{} -> {}", o.technical(), n.technical()))
                    .summary(format!(
                        "{who}: escalation step now reads \"{}\" (was \"{}\")",
                        describe(n, self),
                        describe(o, self)
                    ))
                    .at(at.get()),
                );
            }
        }
        for o in gone {
            self.push(
                Change::new(
                    K::EscalationStepRemoved,
                    Section::Severities,
                    format!("severity[{id}].escalation[{}]", o.index + 1),
                )
                .values(Some(o.technical()), None)
                .detail(format!("removed: {}", o.technical()))
                .summary(format!(
                    "{who}: escalation step \"{}\" removed",
                    describe(o, self)
                ))
                .at(self.at_new(new.origin, new.id.span)),
            );
        }
        for n in fresh {
            self.push(
                Change::new(
                    K::EscalationStepAdded,
                    Section::Severities,
                    format!("severity[{id}].escalation[{}]", n.index + 1),
                )
                .values(None, Some(n.technical()))
                .detail(format!("added: {}", n.technical()))
                .summary(format!(
                    "{who}: new escalation step \"{}\"",
                    describe(n, self)
                ))
                .at(self.at_new(new.origin, n.step.after.span)),
            );
        }
    }
}

fn verb(kind: K) -> &'static str {
    if kind == K::SlaTargetRelaxed {
        "relaxed"
    } else {
        "tightened"
    }
}

/// An escalation step with its delay in minutes.
struct StepView<'a> {
    index: usize,
    minutes: u64,
    step: &'a EscalationStep,
}

impl StepView<'_> {
    fn key(&self) -> (&str, &str, Vec<&str>) {
        (
            self.step.unless.as_str(),
            self.step.action.as_str(),
            self.step.notify.iter().map(|n| n.value.as_str()).collect(),
        )
    }

    fn technical(&self) -> String {
        let notify: Vec<&str> = self.step.notify.iter().map(|n| n.value.as_str()).collect();
        format!(
            "after {} unless {}: {} {}",
            self.step.after.value,
            self.step.unless.as_str(),
            self.step.action,
            notify.join(", ")
        )
    }
}

fn steps(severity: &Severity, business_day: u32) -> Vec<StepView<'_>> {
    severity
        .escalation
        .iter()
        .enumerate()
        .map(|(index, step)| StepView {
            index,
            minutes: DurationSpec::parse(&step.after.value)
                .map_or(0, |d| d.total_minutes(business_day)),
            step,
        })
        .collect()
}

type Same<'a> = dyn Fn(&StepView<'a>, &StepView<'a>) -> bool;

type Matched<'s, 'a> = (
    Vec<(&'s StepView<'a>, &'s StepView<'a>)>,
    Vec<&'s StepView<'a>>,
    Vec<&'s StepView<'a>>,
);

/// Pairs old and new steps: same milestone, action and parties first, then
/// the same milestone in order, then what is left in order.
fn match_steps<'s, 'a>(old: &'s [StepView<'a>], new: &'s [StepView<'a>]) -> Matched<'s, 'a> {
    let mut old_left: Vec<&StepView<'a>> = old.iter().collect();
    let mut new_left: Vec<&StepView<'a>> = new.iter().collect();
    let mut matched = Vec::new();
    let passes: [&Same<'a>; 3] = [
        &|o, n| o.key() == n.key(),
        &|o, n| o.step.unless == n.step.unless,
        &|_, _| true,
    ];
    for same in passes {
        let mut rest = Vec::new();
        for o in old_left {
            if let Some(pos) = new_left.iter().position(|n| same(o, n)) {
                matched.push((o, new_left.remove(pos)));
            } else {
                rest.push(o);
            }
        }
        old_left = rest;
    }
    matched.sort_by_key(|(_, n)| n.index);
    (matched, old_left, new_left)
}

impl Differ<'_> {
    fn tiers(&mut self) {
        for (id, old, new) in pairs(&self.old.tiers, &self.new.tiers, |t: &Tier| &t.id.value) {
            let path = format_args!("tier[{id}]");
            match (old, new) {
                (None, Some(n)) => self.push(
                    Change::new(K::TierAdded, Section::Tiers, fmt::format(path))
                        .values(None, Some(n.name.clone()))
                        .detail("added")
                        .summary(format!(
                            "New tier \"{}\", owned by {}",
                            n.name,
                            self.party_name(&n.owner.value)
                        ))
                        .at(self.at_new(n.origin, n.id.span)),
                ),
                (Some(o), None) => self.push(
                    Change::new(K::TierRemoved, Section::Tiers, fmt::format(path))
                        .values(Some(o.name.clone()), None)
                        .detail("removed")
                        .summary(format!(
                            "Tier \"{}\" removed; incidents can no longer be routed to it",
                            o.name
                        ))
                        .at(self.at_old(o.origin, o.id.span)),
                ),
                (Some(o), Some(n)) => self.tier(id, o, n),
                (None, None) => {}
            }
        }
    }

    fn tier(&mut self, id: &str, old: &Tier, new: &Tier) {
        let who = short(&new.name);
        let at = self.place(new.origin, new.id.span);
        self.reference(
            K::OwnerChanged,
            Section::Tiers,
            format_args!("tier[{id}].owner"),
            |d| {
                format!(
                    "{who}: owner changed from {} to {}",
                    d.party_name(&old.owner.value),
                    d.party_name(&new.owner.value)
                )
            },
            Some(&old.owner.value),
            Some(&new.owner.value),
            &self.place(new.origin, new.owner.span),
        );
        let (ob, nb) = (opt(old.backup.as_ref()), opt(new.backup.as_ref()));
        let backup_at = self.place(
            new.origin,
            new.backup.as_ref().map_or(new.id.span, |b| b.span),
        );
        // Every tier of a valid matrix has a backup (`missing-backup`), and
        // only valid versions are compared: a backup can change, never
        // appear or disappear.
        self.reference(
            K::BackupChanged,
            Section::Tiers,
            format_args!("tier[{id}].backup"),
            |d| {
                format!(
                    "{who}: backup changed from {} to {}",
                    d.party_name(ob.unwrap_or("(none)")),
                    d.party_name(nb.unwrap_or("(none)"))
                )
            },
            ob,
            nb,
            &backup_at,
        );
        let (oe, ne) = (
            opt(old.escalates_to.as_ref()),
            opt(new.escalates_to.as_ref()),
        );
        self.reference(
            K::EscalatesToChanged,
            Section::Tiers,
            format_args!("tier[{id}].escalates_to"),
            |d| match ne {
                Some(n) => format!(
                    "{who} now escalates to {} (was {})",
                    d.tier_name(n),
                    oe.map_or_else(|| "none".to_string(), |o| d.tier_name(o))
                ),
                None => format!("{who} no longer escalates to another tier"),
            },
            oe,
            ne,
            &at,
        );
        self.tier_text(id, who, old, new, &at);
    }

    fn tier_text(&mut self, id: &str, who: &str, old: &Tier, new: &Tier, at: &At<'_>) {
        self.wording(
            Section::Tiers,
            format_args!("tier[{id}].name"),
            who,
            "name",
            &old.name,
            &new.name,
            at,
        );
        if old.scope != new.scope {
            self.wording(
                Section::Tiers,
                format_args!("tier[{id}].scope"),
                who,
                "scope",
                &old.scope.join("; "),
                &new.scope.join("; "),
                at,
            );
        }
        self.wording(
            Section::Tiers,
            format_args!("tier[{id}].when_to_escalate"),
            who,
            "when to escalate",
            &old.when_to_escalate,
            &new.when_to_escalate,
            at,
        );
        let (oc, nc) = (&old.channels, &new.channels);
        for (name, o, n) in [
            ("queue", &oc.queue, &nc.queue),
            ("chat", &oc.chat, &nc.chat),
            ("handoff", &oc.handoff, &nc.handoff),
        ] {
            // Equal values redact alike: only different ones are redacted
            // and compared again.
            if o == n {
                continue;
            }
            let (o, n) = (o.as_deref().map(safe), n.as_deref().map(safe));
            self.channel(
                Section::Tiers,
                format_args!("tier[{id}].channels.{name}"),
                who,
                name,
                o.as_deref(),
                n.as_deref(),
                || false,
                at,
            );
        }
    }

    /// A channel added, removed or changed; private channels show no values.
    #[allow(clippy::too_many_arguments)]
    fn channel(
        &mut self,
        section: Section,
        path: fmt::Arguments<'_>,
        who: &str,
        name: &str,
        old: Option<&str>,
        new: Option<&str>,
        private: impl FnOnce() -> bool,
        at: &At<'_>,
    ) {
        if old == new {
            return;
        }
        let private = private();
        let (kind, detail, summary) = match (old, new, private) {
            (None, Some(_), true) => (
                K::ChannelAdded,
                format!("{name} added"),
                format!("{who}: {name} added"),
            ),
            (Some(_), None, true) => (
                K::ChannelRemoved,
                format!("{name} removed"),
                format!("{who}: {name} removed"),
            ),
            (_, _, true) => (
                K::ChannelChanged,
                format!("{name} changed"),
                format!("{who}: {name} changed"),
            ),
            (None, Some(n), false) => (
                K::ChannelAdded,
                format!("{name} added: {n}"),
                format!("{who}: {name} {n} added"),
            ),
            (Some(o), None, false) => (
                K::ChannelRemoved,
                format!("{name} removed (was {o})"),
                format!("{who}: {name} {o} removed"),
            ),
            (Some(o), Some(n), false) => match (inline(o), inline(n)) {
                (Some(_), Some(_)) => (
                    K::ChannelChanged,
                    arrow(old, new),
                    format!("{who}: {name} changed from {o} to {n}"),
                ),
                _ => (
                    K::ChannelChanged,
                    format!("{name} changed"),
                    format!("{who}: {name} reworded"),
                ),
            },
            (None, None, false) => return,
        };
        let (old, new) = if private {
            (None, None)
        } else {
            (old.map(str::to_string), new.map(str::to_string))
        };
        self.push(
            Change::new(kind, section, fmt::format(path))
                .values(old, new)
                .detail(detail)
                .summary(summary)
                .at(at.get()),
        );
    }

    fn parties(&mut self) {
        for (id, old, new) in pairs(&self.old.parties, &self.new.parties, |p: &Party| {
            &p.id.value
        }) {
            let word = |p: &Party| if p.is_team { "team" } else { "contact" };
            match (old, new) {
                (None, Some(n)) => {
                    let kind = if n.is_team {
                        K::TeamAdded
                    } else {
                        K::ContactAdded
                    };
                    let role = if n.role.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", safe(&n.role))
                    };
                    self.push(
                        Change::new(kind, Section::People, format!("{}[{id}]", word(n)))
                            .values(None, Some(n.name.clone()))
                            .detail("added")
                            .summary(format!("New {} {}{role}", word(n), n.name))
                            .at(self.at_new(n.origin, n.id.span)),
                    );
                }
                (Some(o), None) => {
                    let kind = if o.is_team {
                        K::TeamRemoved
                    } else {
                        K::ContactRemoved
                    };
                    self.push(
                        Change::new(kind, Section::People, format!("{}[{id}]", word(o)))
                            .values(Some(o.name.clone()), None)
                            .detail("removed")
                            .summary(format!("The {} {} was removed", word(o), o.name))
                            .at(self.at_old(o.origin, o.id.span)),
                    );
                }
                (Some(o), Some(n)) => self.party(id, o, n),
                (None, None) => {}
            }
        }
    }

    fn party(&mut self, id: &str, old: &Party, new: &Party) {
        let kind = if new.is_team { "team" } else { "contact" };
        let who = new.name.as_str();
        let at = self.place(new.origin, new.id.span);
        for name in crate::matrix::schema::CHANNEL_NAMES {
            self.channel(
                Section::People,
                format_args!("{kind}[{id}].channels.{name}"),
                who,
                name,
                channel_of(old, name),
                channel_of(new, name),
                || old.is_private(name) || new.is_private(name),
                &at,
            );
        }
        self.party_details(id, kind, who, old, new, &at);
    }

    fn party_details(
        &mut self,
        id: &str,
        kind: &str,
        who: &str,
        old: &Party,
        new: &Party,
        at: &At<'_>,
    ) {
        if !same_values(&old.private, &new.private) {
            let (made_private, made_public) = set_diff(values(&old.private), values(&new.private));
            for (list, state) in [(made_private, "private"), (made_public, "public")] {
                for channel in list {
                    self.push(
                        Change::new(
                            K::PrivacyChanged,
                            Section::People,
                            format!("{kind}[{id}].private[{channel}]"),
                        )
                        .detail(format!("{channel} is now {state}"))
                        .summary(format!("{who}: {channel} is now {state}"))
                        .at(at.get()),
                    );
                }
            }
        }
        let details: [(&str, &str, Option<&str>, Option<&str>); 4] = [
            (
                "team",
                "team",
                opt(old.team.as_ref()),
                opt(new.team.as_ref()),
            ),
            (
                "lead",
                "lead",
                opt(old.lead.as_ref()),
                opt(new.lead.as_ref()),
            ),
            (
                "time_zone",
                "time zone",
                old.time_zone.as_ref().map(|z| z.value.as_str()),
                new.time_zone.as_ref().map(|z| z.value.as_str()),
            ),
            (
                "kind",
                "kind",
                Some(if old.is_team { "team" } else { "contact" }),
                Some(if new.is_team { "team" } else { "contact" }),
            ),
        ];
        for (field, words, o, n) in details {
            self.reference(
                K::ContactDetailsChanged,
                Section::People,
                format_args!("{kind}[{id}].{field}"),
                |d| {
                    let name = |v: Option<&str>| match (field, v) {
                        ("team" | "lead", Some(v)) => d.party_name(v),
                        (_, v) => show(v),
                    };
                    format!("{who}: {words} changed from {} to {}", name(o), name(n))
                },
                o,
                n,
                at,
            );
        }
        let (ov, nv) = (
            old.verified.as_ref().map(|v| v.value.as_str()),
            new.verified.as_ref().map(|v| v.value.as_str()),
        );
        self.reference(
            K::ReviewChanged,
            Section::People,
            format_args!("{kind}[{id}].verified"),
            |_| format!("{who}: verified on {}", show(nv)),
            ov,
            nv,
            at,
        );
        self.wording(
            Section::People,
            format_args!("{kind}[{id}].name"),
            who,
            "name",
            &old.name,
            &new.name,
            at,
        );
        self.wording(
            Section::People,
            format_args!("{kind}[{id}].role"),
            who,
            "role",
            &old.role,
            &new.role,
            at,
        );
    }

    fn calendar_used(&self, id: &str) -> bool {
        self.old_checked
            .targets
            .values()
            .any(|t| t.calendar.as_deref() == Some(id))
    }

    fn calendars(&mut self) {
        for (id, old, new) in pairs(
            &self.old.calendars,
            &self.new.calendars,
            |c: &CalendarSpec| &c.id.value,
        ) {
            let path = format_args!("calendar[{id}]");
            match (old, new) {
                (None, Some(n)) => self.push(
                    Change::new(K::CalendarAdded, Section::Calendars, fmt::format(path))
                        .values(None, Some(n.name.clone()))
                        .detail("added")
                        .summary(format!(
                            "New calendar \"{}\" ({})",
                            n.name, n.time_zone.value
                        ))
                        .at(self.at_new(n.origin, n.id.span)),
                ),
                (Some(o), None) => {
                    let used = self.calendar_used(id);
                    let kind = if used {
                        K::CalendarRemoved
                    } else {
                        K::UnusedCalendarRemoved
                    };
                    let why = if used {
                        "; targets that counted on it count on another clock"
                    } else {
                        ""
                    };
                    self.push(
                        Change::new(kind, Section::Calendars, fmt::format(path))
                            .values(Some(o.name.clone()), None)
                            .detail("removed")
                            .summary(format!("Calendar \"{}\" removed{why}", o.name))
                            .at(self.at_old(o.origin, o.id.span)),
                    );
                }
                (Some(o), Some(n)) => self.calendar(id, o, n),
                (None, None) => {}
            }
        }
    }

    fn calendar(&mut self, id: &str, old: &CalendarSpec, new: &CalendarSpec) {
        let who = new.name.as_str();
        let path = format!("calendar[{id}]");
        let at = self.place(new.origin, new.id.span);
        self.reference(
            K::CalendarZoneChanged,
            Section::Calendars,
            format_args!("{path}.time_zone"),
            |_| {
                format!(
                    "{who}: time zone changed from {} to {}",
                    old.time_zone.value, new.time_zone.value
                )
            },
            Some(&old.time_zone.value),
            Some(&new.time_zone.value),
            &self.place(new.origin, new.time_zone.span),
        );
        self.wording(
            Section::Calendars,
            format_args!("{path}.name"),
            who,
            "name",
            &old.name,
            &new.name,
            &at,
        );
        if let (Some(oc), Some(nc)) = (
            self.old_checked.calendars.get(id),
            self.new_checked.calendars.get(id),
        ) {
            let (ow, nw) = (words::weekly(oc), words::weekly(nc));
            if ow != nw {
                self.push(
                    Change::new(
                        K::BusinessHoursChanged,
                        Section::Calendars,
                        format!("{path}.window"),
                    )
                    .values(Some(ow.clone()), Some(nw.clone()))
                    .detail(format!("{ow} -> {nw}"))
                    .summary(format!(
                        "{who}: working hours changed from {ow} ({}) to {nw} ({})",
                        words::weekly_hours(oc),
                        words::weekly_hours(nc)
                    ))
                    .at(new
                        .windows
                        .first()
                        .map_or_else(|| at.get(), |w| self.at_new(new.origin, w.start.span))),
                );
            }
        }
        self.calendar_holidays(&path, who, old, new, &at);
    }

    fn calendar_holidays(
        &mut self,
        path: &str,
        who: &str,
        old: &CalendarSpec,
        new: &CalendarSpec,
        at: &At<'_>,
    ) {
        let holidays = |c: &CalendarSpec| -> BTreeMap<String, String> {
            c.holidays
                .iter()
                .map(|h| (h.date.value.clone(), h.name.clone()))
                .collect()
        };
        let (oh, nh) = (holidays(old), holidays(new));
        for (date, name) in &nh {
            if !oh.contains_key(date) {
                let label = if name.is_empty() {
                    date.clone()
                } else {
                    format!("{name} ({date})")
                };
                self.push(
                    Change::new(
                        K::HolidayAdded,
                        Section::Calendars,
                        format!("{path}.holiday[{date}]"),
                    )
                    .values(None, Some(date.clone()))
                    .detail(format!("added {label}"))
                    .summary(format!("{who}: new holiday {label}"))
                    .at(at.get()),
                );
            }
        }
        for (date, name) in &oh {
            if !nh.contains_key(date) {
                let label = if name.is_empty() {
                    date.clone()
                } else {
                    format!("{name} ({date})")
                };
                self.push(
                    Change::new(
                        K::HolidayRemoved,
                        Section::Calendars,
                        format!("{path}.holiday[{date}]"),
                    )
                    .values(Some(date.clone()), None)
                    .detail(format!("removed {label}"))
                    .summary(format!("{who}: {label} is no longer a holiday"))
                    .at(at.get()),
                );
            }
        }
        self.calendar_exclusions(path, who, old, new, at);
    }

    fn calendar_exclusions(
        &mut self,
        path: &str,
        who: &str,
        old: &CalendarSpec,
        new: &CalendarSpec,
        at: &At<'_>,
    ) {
        let exclusions = |c: &CalendarSpec| -> BTreeMap<String, String> {
            c.exclusions
                .iter()
                .map(|e| {
                    (
                        format!("{}..{}", e.start.value, e.end.value),
                        e.reason.clone(),
                    )
                })
                .collect()
        };
        let (oe, ne) = (exclusions(old), exclusions(new));
        for (span, reason) in &ne {
            if !oe.contains_key(span) {
                let why = if reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", safe(reason))
                };
                self.push(
                    Change::new(
                        K::ExclusionAdded,
                        Section::Calendars,
                        format!("{path}.exclusion[{span}]"),
                    )
                    .values(None, Some(span.clone()))
                    .detail(format!("added {span}"))
                    .summary(format!(
                        "{who}: the SLA clock stops from {}{why}",
                        span.replace("..", " to ").replace('T', " ")
                    ))
                    .at(at.get()),
                );
            }
        }
        for span in oe.keys() {
            if !ne.contains_key(span) {
                self.push(
                    Change::new(
                        K::ExclusionRemoved,
                        Section::Calendars,
                        format!("{path}.exclusion[{span}]"),
                    )
                    .values(Some(span.clone()), None)
                    .detail("removed")
                    .summary(format!(
                        "{who}: the SLA clock no longer stops from {}",
                        span.replace("..", " to ").replace('T', " ")
                    ))
                    .at(at.get()),
                );
            }
        }
    }

    fn dimensions(&mut self) {
        for (id, old, new) in pairs(
            &self.old.dimensions,
            &self.new.dimensions,
            |d: &Dimension| &d.id.value,
        ) {
            let path = format_args!("dimension[{id}]");
            match (old, new) {
                (None, Some(n)) => self.push(
                    Change::new(K::DimensionAdded, Section::Decisions, fmt::format(path))
                        .values(None, Some(n.name.clone()))
                        .detail("added")
                        .summary(format!("New decision dimension {} (--{id})", n.name))
                        .at(self.at_new(n.origin, n.id.span)),
                ),
                (Some(o), None) => self.push(
                    Change::new(K::DimensionRemoved, Section::Decisions, fmt::format(path))
                        .values(Some(o.name.clone()), None)
                        .detail("removed")
                        .summary(format!("Decision dimension {} removed", o.name))
                        .at(self.at_old(o.origin, o.id.span)),
                ),
                (Some(o), Some(n)) => self.dimension(id, o, n),
                (None, None) => {}
            }
        }
    }

    fn dimension(&mut self, id: &str, old: &Dimension, new: &Dimension) {
        let who = new.name.as_str();
        let path = format!("dimension[{id}]");
        let at = self.place(new.origin, new.id.span);
        self.wording(
            Section::Decisions,
            format_args!("{path}.name"),
            who,
            "name",
            &old.name,
            &new.name,
            &at,
        );
        self.wording(
            Section::Decisions,
            format_args!("{path}.description"),
            who,
            "description",
            &old.description,
            &new.description,
            &at,
        );
        self.dimension_levels(&path, who, old, new, &at);
    }

    fn dimension_levels(
        &mut self,
        path: &str,
        who: &str,
        old: &Dimension,
        new: &Dimension,
        at: &At<'_>,
    ) {
        let ids = |d: &'_ Dimension| -> Vec<String> {
            d.levels.iter().map(|l| l.id.value.clone()).collect()
        };
        let (old_ids, new_ids) = (ids(old), ids(new));
        for level in &new.levels {
            let lid = &level.id.value;
            let lat = self.place(new.origin, level.id.span);
            match old.levels.iter().find(|l| &l.id.value == lid) {
                None => self.push(
                    Change::new(
                        K::LevelAdded,
                        Section::Decisions,
                        format!("{path}.level[{lid}]"),
                    )
                    .values(None, Some(lid.clone()))
                    .detail("added")
                    .summary(format!("{who}: new level {lid}"))
                    .at(lat.get()),
                ),
                Some(o) => {
                    let (added, removed) = if same_values(&o.phrases, &level.phrases) {
                        (Vec::new(), Vec::new())
                    } else {
                        set_diff(values(&o.phrases), values(&level.phrases))
                    };
                    if !added.is_empty() || !removed.is_empty() {
                        self.push(
                            Change::new(
                                K::PhrasesChanged,
                                Section::Decisions,
                                format!("{path}.level[{lid}].phrases"),
                            )
                            .detail(added_removed(&added, &removed))
                            .summary(format!(
                                "{who}, level {lid}: {}",
                                in_words(
                                    &added,
                                    &removed,
                                    "now implied by",
                                    "no longer implied by"
                                )
                            ))
                            .at(lat.get()),
                        );
                    }
                    let lwho = format_args!("{who}, level {lid}");
                    self.wording(
                        Section::Decisions,
                        format_args!("{path}.level[{lid}].name"),
                        lwho,
                        "name",
                        &o.name,
                        &level.name,
                        &lat,
                    );
                    self.wording(
                        Section::Decisions,
                        format_args!("{path}.level[{lid}].description"),
                        lwho,
                        "description",
                        &o.description,
                        &level.description,
                        &lat,
                    );
                }
            }
        }
        for lid in old_ids.iter().filter(|l| !new_ids.contains(l)) {
            self.push(
                Change::new(
                    K::LevelRemoved,
                    Section::Decisions,
                    format!("{path}.level[{lid}]"),
                )
                .values(Some(lid.clone()), None)
                .detail("removed")
                .summary(format!("{who}: level {lid} removed"))
                .at(at.get()),
            );
        }
        let old_order: Vec<&String> = old_ids.iter().filter(|l| new_ids.contains(l)).collect();
        let new_order: Vec<&String> = new_ids.iter().filter(|l| old_ids.contains(l)).collect();
        if old_order != new_order {
            let join = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" < ");
            let (o, n) = (join(&old_order), join(&new_order));
            self.push(
                Change::new(
                    K::LevelOrderChanged,
                    Section::Decisions,
                    format!("{path}.level"),
                )
                .values(Some(o.clone()), Some(n.clone()))
                .detail(format!("{o} -> {n}"))
                .summary(format!("{who}: levels now ordered {n} (was {o})"))
                .at(at.get()),
            );
        }
    }

    fn rules(&mut self) {
        for (id, old, new) in pairs(&self.old.rules, &self.new.rules, |r: &Rule| &r.id.value) {
            let path = format_args!("rule[{id}]");
            match (old, new) {
                (None, Some(n)) => self.push(
                    Change::new(K::RuleAdded, Section::Rules, fmt::format(path))
                        .values(None, Some(safe(&n.summary)))
                        .detail(format!("added (precedence {})", n.precedence.value))
                        .summary(format!("New rule {id}: {}", safe(&n.summary)))
                        .at(self.at_new(n.origin, n.id.span)),
                ),
                (Some(o), None) => self.push(
                    Change::new(K::RuleRemoved, Section::Rules, fmt::format(path))
                        .values(Some(safe(&o.summary)), None)
                        .detail("removed")
                        .summary(format!("Rule {id} removed ({})", safe(&o.summary)))
                        .at(self.at_old(o.origin, o.id.span)),
                ),
                (Some(o), Some(n)) => self.rule(id, o, n),
                (None, None) => {}
            }
        }
    }

    /// Rules of the same kind in both versions whose order against `id`
    /// flipped: (now ahead of, now behind).
    fn overtaken(&self, id: &str, kind: RuleKind) -> (Vec<String>, Vec<String>) {
        let rank = |m: &Matrix, r: &str| {
            m.rule(r)
                .map(|r| (-i64::from(r.precedence.value), r.id.value.clone()))
        };
        let (Some(old_me), Some(new_me)) = (rank(self.old, id), rank(self.new, id)) else {
            return (Vec::new(), Vec::new());
        };
        let mut ahead = Vec::new();
        let mut behind = Vec::new();
        for other in self
            .new
            .rules
            .iter()
            .filter(|r| r.kind == kind && r.id.value != id)
        {
            let oid = other.id.value.as_str();
            let Some(old_other) = self
                .old
                .rule(oid)
                .filter(|r| r.kind == kind)
                .and_then(|_| rank(self.old, oid))
            else {
                continue;
            };
            let Some(new_other) = rank(self.new, oid) else {
                continue;
            };
            let (was_ahead, is_ahead) = (old_me < old_other, new_me < new_other);
            if is_ahead && !was_ahead {
                ahead.push(oid.to_string());
            } else if was_ahead && !is_ahead {
                behind.push(oid.to_string());
            }
        }
        (ahead, behind)
    }

    fn rule(&mut self, id: &str, old: &Rule, new: &Rule) {
        let who = format_args!("Rule {id}");
        let path = format_args!("rule[{id}]");
        let at = self.place(new.origin, new.id.span);
        if old.kind != new.kind {
            let kind_word = |k: RuleKind| {
                if k == RuleKind::Override {
                    "override"
                } else {
                    "route"
                }
            };
            self.push(
                Change::new(K::RuleKindChanged, Section::Rules, format!("{path}.kind"))
                    .values(
                        Some(kind_word(old.kind).into()),
                        Some(kind_word(new.kind).into()),
                    )
                    .detail(format!(
                        "{} -> {}",
                        kind_word(old.kind),
                        kind_word(new.kind)
                    ))
                    .summary(format!(
                        "{who} is now a{} rule",
                        if new.kind == RuleKind::Override {
                            "n override"
                        } else {
                            " route"
                        }
                    ))
                    .at(at.get()),
            );
        }
        if old.precedence.value != new.precedence.value || old.kind != new.kind {
            let (ahead, behind) = if old.kind == new.kind {
                self.overtaken(id, new.kind)
            } else {
                (Vec::new(), Vec::new())
            };
            if old.precedence.value != new.precedence.value
                || !ahead.is_empty()
                || !behind.is_empty()
            {
                let list = |v: &[String]| {
                    let shown: Vec<String> = v.iter().take(5).cloned().collect();
                    let more = v.len().saturating_sub(5);
                    if more > 0 {
                        format!("{} and {more} more", shown.join(", "))
                    } else {
                        sentence(&shown)
                    }
                };
                let mut detail = format!("{} -> {}", old.precedence.value, new.precedence.value);
                let mut summary = format!(
                    "{who}: precedence changed from {} to {}",
                    old.precedence.value, new.precedence.value
                );
                if !ahead.is_empty() {
                    let _ = write!(detail, "; now ahead of {}", list(&ahead));
                    let _ = write!(summary, "; it now wins over {}", list(&ahead));
                }
                if !behind.is_empty() {
                    let _ = write!(detail, "; now behind {}", list(&behind));
                    let _ = write!(summary, "; {} now win over it", list(&behind));
                }
                self.push(
                    Change::new(
                        K::RulePrecedenceChanged,
                        Section::Rules,
                        format!("{path}.precedence"),
                    )
                    .values(
                        Some(old.precedence.value.to_string()),
                        Some(new.precedence.value.to_string()),
                    )
                    .detail(detail)
                    .summary(summary)
                    .at(self.at_new(new.origin, new.precedence.span)),
                );
            }
        }
        self.rule_conditions(id, old, new, &at);
    }

    fn rule_conditions(&mut self, id: &str, old: &Rule, new: &Rule, at: &At<'_>) {
        let who = format_args!("Rule {id}");
        let (oc, nc) = (&old.conditions, &new.conditions);
        for (field, o, n) in [
            ("any", &oc.any, &nc.any),
            ("all", &oc.all, &nc.all),
            ("none", &oc.none, &nc.none),
            ("regex", &oc.regex, &nc.regex),
        ] {
            if same_values(o, n) {
                continue;
            }
            let (added, removed) = set_diff(values(o), values(n));
            if added.is_empty() && removed.is_empty() {
                continue;
            }
            let (more, less) = match field {
                "any" => ("now also matches", "no longer matches"),
                "all" => ("now also requires", "no longer requires"),
                "none" => ("no longer matches descriptions with", "no longer excludes"),
                _ => (
                    "has new regular expressions",
                    "no longer has the regular expressions",
                ),
            };
            let words = in_words(&added, &removed, more, less);
            self.push(
                Change::new(
                    K::RuleConditionChanged,
                    Section::Rules,
                    format!("rule[{id}].when.{field}"),
                )
                .detail(added_removed(&added, &removed))
                .summary(format!("{who} {words}"))
                .at(at.get()),
            );
        }
        self.comparisons(
            Section::Rules,
            K::RuleConditionChanged,
            format_args!("rule[{id}].when.dimensions"),
            who,
            &oc.dimensions,
            &nc.dimensions,
            at,
        );
        self.outcome(id, old, new, at);
        self.wording(
            Section::Rules,
            format_args!("rule[{id}].summary"),
            who,
            "summary",
            &old.summary,
            &new.summary,
            at,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn comparisons(
        &mut self,
        section: Section,
        kind: K,
        prefix: impl Display,
        who: impl Display,
        old: &BTreeMap<String, Spanned<String>>,
        new: &BTreeMap<String, Spanned<String>>,
        at: &At<'_>,
    ) {
        if old.len() == new.len()
            && old
                .iter()
                .zip(new)
                .all(|((ok, ov), (nk, nv))| ok == nk && ov.value == nv.value)
        {
            return;
        }
        let dims: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for dim in dims {
            let (o, n) = (
                old.get(dim).map(|s| s.value.as_str()),
                new.get(dim).map(|s| s.value.as_str()),
            );
            if o == n {
                continue;
            }
            let summary = match (o, n) {
                (None, Some(n)) => format!("{who}: now requires {dim} {n}"),
                (Some(o), None) => format!("{who}: no longer requires {dim} {o}"),
                _ => format!(
                    "{who}: condition on {dim} changed from {} to {}",
                    show(o),
                    show(n)
                ),
            };
            self.push(
                Change::new(kind, section, format!("{prefix}.{dim}"))
                    .values(o.map(str::to_string), n.map(str::to_string))
                    .detail(arrow(o, n))
                    .summary(summary)
                    .at(at.get()),
            );
        }
    }

    fn outcome(&mut self, id: &str, old: &Rule, new: &Rule, at: &At<'_>) {
        let who = format_args!("Rule {id}");
        let (o, n) = (&old.outcome, &new.outcome);
        let fields = [
            ("tier", "tier", opt(o.tier.as_ref()), opt(n.tier.as_ref())),
            (
                "severity",
                "severity",
                opt(o.severity.as_ref()),
                opt(n.severity.as_ref()),
            ),
            (
                "min_severity",
                "minimum severity",
                opt(o.min_severity.as_ref()),
                opt(n.min_severity.as_ref()),
            ),
            (
                "owner",
                "owner",
                opt(o.owner.as_ref()),
                opt(n.owner.as_ref()),
            ),
            (
                "script",
                "script",
                opt(o.script.as_ref()),
                opt(n.script.as_ref()),
            ),
        ];
        for (field, words, ov, nv) in fields {
            self.reference(
                K::RuleOutcomeChanged,
                Section::Rules,
                format_args!("rule[{id}].then.{field}"),
                |d| {
                    let name = |v: Option<&str>| match (field, v) {
                        (_, None) => "none".to_string(),
                        ("tier", Some(v)) => d.tier_name(v),
                        ("severity" | "min_severity", Some(v)) => d.severity_name(v),
                        ("owner", Some(v)) => d.party_name(v),
                        (_, Some(v)) => v.to_string(),
                    };
                    format!("{who}: {words} changed from {} to {}", name(ov), name(nv))
                },
                ov,
                nv,
                at,
            );
        }
        self.notify(
            Section::Rules,
            format_args!("rule[{id}]"),
            who,
            &o.notify,
            &n.notify,
            at,
        );
    }

    fn decisions(&mut self) {
        for (id, old, new) in pairs(&self.old.decisions, &self.new.decisions, |d: &Decision| {
            &d.id.value
        }) {
            let path = format_args!("decision[{id}]");
            match (old, new) {
                (None, Some(n)) => self.push(
                    Change::new(K::DecisionAdded, Section::Decisions, fmt::format(path))
                        .values(None, Some(n.min_severity.value.clone()))
                        .detail(format!("added (at least {})", n.min_severity.value))
                        .summary(format!(
                            "New decision row {id}: at least {}{}",
                            self.severity_name(&n.min_severity.value),
                            if n.summary.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", safe(&n.summary))
                            }
                        ))
                        .at(self.at_new(n.origin, n.id.span)),
                ),
                (Some(o), None) => self.push(
                    Change::new(K::DecisionRemoved, Section::Decisions, fmt::format(path))
                        .values(Some(o.min_severity.value.clone()), None)
                        .detail("removed")
                        .summary(format!("Decision row {id} removed"))
                        .at(self.at_old(o.origin, o.id.span)),
                ),
                (Some(o), Some(n)) => self.decision(id, o, n),
                (None, None) => {}
            }
        }
    }

    fn decision(&mut self, id: &str, o: &Decision, n: &Decision) {
        let who = format_args!("Decision row {id}");
        let at = self.place(n.origin, n.id.span);
        self.reference(
            K::DecisionChanged,
            Section::Decisions,
            format_args!("decision[{id}].min_severity"),
            |d| {
                format!(
                    "{who}: minimum severity changed from {} to {}",
                    d.severity_name(&o.min_severity.value),
                    d.severity_name(&n.min_severity.value)
                )
            },
            Some(&o.min_severity.value),
            Some(&n.min_severity.value),
            &at,
        );
        self.comparisons(
            Section::Decisions,
            K::DecisionChanged,
            format_args!("decision[{id}].when"),
            who,
            &o.when,
            &n.when,
            &at,
        );
        self.notify(
            Section::Decisions,
            format_args!("decision[{id}]"),
            who,
            &o.notify,
            &n.notify,
            &at,
        );
        self.wording(
            Section::Decisions,
            format_args!("decision[{id}].summary"),
            who,
            "summary",
            &o.summary,
            &n.summary,
            &at,
        );
    }

    fn synonyms(&mut self) {
        for (id, old, new) in pairs(&self.old.synonyms, &self.new.synonyms, |s: &Synonyms| {
            &s.id.value
        }) {
            let path = format_args!("synonyms[{id}]");
            match (old, new) {
                (None, Some(n)) => {
                    let terms: Vec<&str> = values(&n.terms).collect();
                    self.push(
                        Change::new(K::SynonymsAdded, Section::Rules, fmt::format(path))
                            .detail(format!("added {}", quoted(&terms)))
                            .summary(format!("These now mean the same: {}", quoted(&terms)))
                            .at(self.at_new(n.origin, n.id.span)),
                    );
                }
                (Some(o), None) => {
                    let terms: Vec<&str> = values(&o.terms).collect();
                    self.push(
                        Change::new(K::SynonymsRemoved, Section::Rules, fmt::format(path))
                            .detail(format!("removed {}", quoted(&terms)))
                            .summary(format!("These no longer mean the same: {}", quoted(&terms)))
                            .at(self.at_old(o.origin, o.id.span)),
                    );
                }
                (Some(o), Some(n)) => {
                    if same_values(&o.terms, &n.terms) {
                        continue;
                    }
                    let (added, removed) = set_diff(values(&o.terms), values(&n.terms));
                    if !added.is_empty() || !removed.is_empty() {
                        self.push(
                            Change::new(K::PhrasesChanged, Section::Rules, format!("{path}.terms"))
                                .detail(added_removed(&added, &removed))
                                .summary(format!(
                                    "Synonym group {id}: {}",
                                    in_words(
                                        &added,
                                        &removed,
                                        "now also includes",
                                        "no longer includes"
                                    )
                                ))
                                .at(self.at_new(n.origin, n.id.span)),
                        );
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn scripts(&mut self) {
        for (id, old, new) in pairs(&self.old.scripts, &self.new.scripts, |s: &Script| {
            &s.id.value
        }) {
            let path = format_args!("script[{id}]");
            match (old, new) {
                (None, Some(n)) => self.push(
                    Change::new(K::ScriptAdded, Section::Scripts, fmt::format(path))
                        .values(None, Some(n.name.clone()))
                        .detail("added")
                        .summary(format!("New script {}", n.name))
                        .at(self.at_new(n.origin, n.id.span)),
                ),
                (Some(o), None) => self.push(
                    Change::new(K::ScriptRemoved, Section::Scripts, fmt::format(path))
                        .values(Some(o.name.clone()), None)
                        .detail("removed")
                        .summary(format!("Script {} removed", o.name))
                        .at(self.at_old(o.origin, o.id.span)),
                ),
                (Some(o), Some(n)) => {
                    if o.text.value.trim() != n.text.value.trim() {
                        self.push(
                            Change::new(K::ScriptChanged, Section::Scripts, format!("{path}.text"))
                                .values(Some(safe(&o.text.value)), Some(safe(&n.text.value)))
                                .detail("text changed")
                                .summary(format!("Script {}: text reworded", n.name))
                                .at(self.at_new(n.origin, n.text.span)),
                        );
                    }
                    self.wording(
                        Section::Scripts,
                        format_args!("{path}.name"),
                        format_args!("Script {id}"),
                        "name",
                        &o.name,
                        &n.name,
                        &self.place(n.origin, n.id.span),
                    );
                }
                (None, None) => {}
            }
        }
    }

    fn terms(&mut self) {
        for (id, old, new) in pairs(&self.old.terms, &self.new.terms, |t: &Term| &t.id.value) {
            let path = format_args!("term[{id}]");
            match (old, new) {
                (None, Some(n)) => self.push(
                    Change::new(K::TermAdded, Section::Scripts, fmt::format(path))
                        .values(None, Some(n.term.clone()))
                        .detail("added")
                        .summary(format!("Glossary: new entry \"{}\"", n.term))
                        .at(self.at_new(n.origin, n.id.span)),
                ),
                (Some(o), None) => self.push(
                    Change::new(K::TermRemoved, Section::Scripts, fmt::format(path))
                        .values(Some(o.term.clone()), None)
                        .detail("removed")
                        .summary(format!("Glossary: entry \"{}\" removed", o.term))
                        .at(self.at_old(o.origin, o.id.span)),
                ),
                (Some(o), Some(n)) => {
                    let at = self.place(n.origin, n.id.span);
                    for (field, words, ov, nv) in [
                        ("term", "term", &o.term, &n.term),
                        ("meaning", "meaning", &o.meaning, &n.meaning),
                        (
                            "business_impact",
                            "business impact",
                            &o.business_impact,
                            &n.business_impact,
                        ),
                    ] {
                        if ov != nv {
                            let (ov, nv) = (safe(ov), safe(nv));
                            let detail = match (inline(&ov), inline(&nv)) {
                                (Some(a), Some(b)) => format!("{field}: \"{a}\" -> \"{b}\""),
                                _ => format!("{field} changed"),
                            };
                            self.push(
                                Change::new(
                                    K::TermChanged,
                                    Section::Scripts,
                                    format!("{path}.{field}"),
                                )
                                .values(Some(ov), Some(nv))
                                .detail(detail)
                                .summary(format!("Glossary, \"{}\": {words} reworded", n.term))
                                .at(at.get()),
                            );
                        }
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn fallback(&mut self) {
        let (Some(o), Some(n)) = (&self.old.fallback, &self.new.fallback) else {
            return;
        };
        let who = "When no rule matches";
        let at = self.place(n.origin, n.tier.span);
        self.reference(
            K::FallbackChanged,
            Section::Rules,
            format_args!("fallback.tier"),
            |d| {
                format!(
                    "{who}, incidents now go to {} (was {})",
                    d.tier_name(&n.tier.value),
                    d.tier_name(&o.tier.value)
                )
            },
            Some(&o.tier.value),
            Some(&n.tier.value),
            &at,
        );
        self.reference(
            K::FallbackChanged,
            Section::Rules,
            format_args!("fallback.severity"),
            |d| {
                format!(
                    "{who}, incidents now get {} (was {})",
                    d.severity_name(&n.severity.value),
                    d.severity_name(&o.severity.value)
                )
            },
            Some(&o.severity.value),
            Some(&n.severity.value),
            &at,
        );
        let (os, ns) = (opt(o.script.as_ref()), opt(n.script.as_ref()));
        self.reference(
            K::FallbackChanged,
            Section::Rules,
            format_args!("fallback.script"),
            |_| format!("{who}, the script is now {} (was {})", show(ns), show(os)),
            os,
            ns,
            &at,
        );
        self.notify(Section::Rules, "fallback", who, &o.notify, &n.notify, &at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_match_by_id_and_the_first_of_duplicates_counts() {
        let old = [("a", 1), ("b", 2), ("a", 3), ("c", 4)];
        let new = [("c", 5), ("d", 6), ("a", 7), ("d", 8)];
        let got: Vec<_> = pairs(&old, &new, |t: &(&str, i32)| t.0)
            .into_iter()
            .map(|(id, o, n)| (id, o.map(|t| t.1), n.map(|t| t.1)))
            .collect();
        assert_eq!(
            got,
            [
                ("c", Some(4), Some(5)),
                ("d", None, Some(6)),
                ("a", Some(1), Some(7)),
                ("b", Some(2), None),
            ]
        );
    }

    fn clocked(minutes: u64, calendar: Option<&str>) -> Clocked {
        Clocked {
            minutes,
            calendar: calendar.map(str::to_string),
            written: crate::matrix::duration::format_minutes(minutes),
        }
    }

    #[test]
    fn targets_read_as_written() {
        let cal = Some("business-hours");
        let spelled = |minutes, written: &str| Clocked {
            written: written.to_string(),
            ..clocked(minutes, cal)
        };
        let (old, new) = (spelled(960, "2bd"), spelled(1440, "3bd"));
        assert_eq!(old.shown(&new), "2bd");
        assert_eq!(old.technical(&new), "2bd (business-hours)");
        assert_eq!(
            from_to(&old.words(&new), &new.words(&old)),
            "from 2 business days to 3"
        );
        // The same spelling with another meaning (a longer business day).
        let (old, new) = (spelled(960, "2bd"), spelled(1200, "2bd"));
        assert_eq!(old.shown(&new), "2bd = 16h");
        assert_eq!(new.shown(&old), "2bd = 20h");
        assert_eq!(
            from_to(&old.words(&new), &new.words(&old)),
            "from 16 business hours to 20"
        );
    }

    #[test]
    fn clock_changes_count_only_when_clear() {
        let cal = Some("business-hours");
        assert_eq!(
            direction(&clocked(60, cal), &clocked(120, cal)),
            Some(K::SlaTargetRelaxed)
        );
        assert_eq!(
            direction(&clocked(120, None), &clocked(60, None)),
            Some(K::SlaTargetTightened)
        );
        assert_eq!(
            direction(&clocked(60, None), &clocked(60, cal)),
            Some(K::SlaTargetRelaxed)
        );
        assert_eq!(direction(&clocked(1440, None), &clocked(480, cal)), None);
        assert_eq!(
            direction(&clocked(480, cal), &clocked(240, None)),
            Some(K::SlaTargetTightened)
        );
        assert_eq!(direction(&clocked(480, cal), &clocked(1440, None)), None);
        assert_eq!(
            direction(&clocked(480, cal), &clocked(480, Some("other"))),
            None
        );
    }
}

//! From a description and facts to a route: the rules, the precedence, the
//! severity, the parties and the deadlines.
//!
//! A [`Router`] is built once per matrix. All phrases of all rules and
//! dimension levels go into one automaton and all regular expressions into
//! one set, so routing a description costs one pass over its words whatever
//! the number of rules; only rules that something in the text touched (plus
//! the few rules without text conditions) are evaluated.

use super::text::{self, PhraseIndex};
use super::{
    DeadlineSet, DimensionValue, Explanation, Facts, Incident, Named, PartyView, RejectedRule,
    Route, RouteError, RuleMatch, Step, Text, ZonedTime,
};
use crate::calendar::{Clock, DayMemo};
use crate::matrix::Matrix;
use crate::matrix::schema::{self, RuleKind};
use crate::redact;
use crate::validate::checks::{Checked, Comparison, EffectiveTargets};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy)]
enum Slot {
    Any(usize),
    All(usize, usize),
    None(usize),
    Level(usize, usize),
}

#[derive(Debug)]
struct Condition {
    dimension: usize,
    comparison: Comparison,
    level: usize,
}

#[derive(Debug)]
struct CompiledRule {
    any: usize,
    all: usize,
    has_text: bool,
    dims: Vec<Condition>,
}

#[derive(Debug)]
struct CompiledDecision {
    conditions: Vec<Condition>,
}

/// What the hits say about one rule.
struct Evidence {
    any: usize,
    all: Vec<bool>,
    blocked: bool,
    words: Vec<std::ops::Range<usize>>,
    phrases: Vec<usize>,
}

/// Evidence by rule position, in ascending order. A description touches a handful of
/// rules, so a sorted vector beats a tree map, whose first node alone is larger than
/// the allocator's fast size classes.
#[derive(Default)]
struct EvidenceMap(Vec<(usize, Evidence)>);

impl EvidenceMap {
    /// The evidence for rule `r`, made by `make` if there is none yet.
    fn entry(&mut self, r: usize, make: impl FnOnce() -> Evidence) -> &mut Evidence {
        let at = match self.0.binary_search_by_key(&r, |(k, _)| *k) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (r, make()));
                at
            }
        };
        &mut self.0[at].1
    }

    fn get(&self, r: usize) -> Option<&Evidence> {
        let at = self.0.binary_search_by_key(&r, |(k, _)| *k).ok()?;
        self.0.get(at).map(|(_, e)| e)
    }

    /// The rules with evidence, ascending.
    fn keys(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().map(|(k, _)| *k)
    }
}

/// The targets of one (severity, tier) pair with what every route on them shows.
#[derive(Debug)]
struct Prepared<'m> {
    targets: &'m EffectiveTargets,
    /// The zone deadlines are shown in.
    zone: chrono_tz::Tz,
    /// The targets as written durations, by name.
    written: Arc<BTreeMap<String, String>>,
    /// The calendar id, or `24x7`.
    clock: Arc<str>,
    /// The name of `zone`.
    zone_name: Arc<str>,
}

/// A matrix prepared for routing.
#[derive(Debug)]
pub struct Router<'m> {
    matrix: &'m Matrix,
    index: PhraseIndex,
    slots: Vec<Slot>,
    /// The phrase of each slot, borrowed from the matrix.
    phrases: Vec<&'m str>,
    regex: regex::RegexSet,
    /// Each pattern of the set on its own, to say what it matched.
    regexes: Vec<regex::Regex>,
    regex_rule: Vec<usize>,
    rules: Vec<CompiledRule>,
    /// Rules with no phrase or regex condition: evaluated for every incident.
    untextual: Vec<usize>,
    decisions: Vec<CompiledDecision>,
    severity_rank: BTreeMap<String, u32>,
    /// Printable parties, by position in the matrix, built on first use.
    party_views: Vec<std::sync::OnceLock<Arc<PartyView>>>,
    /// Per (severity id, tier id): the targets and what is shown of them.
    prepared: rustc_hash::FxHashMap<(&'m str, &'m str), Prepared<'m>>,
    /// Each script's text split into pieces, by script id.
    script_pieces: rustc_hash::FxHashMap<&'m str, Vec<super::render::Piece<'m>>>,
    /// Per calendar id: the dates its walks have visited (see [`DayMemo`]). The
    /// calendars belong to `checked`, which cannot change while it is borrowed here.
    day_memos: std::sync::Mutex<std::collections::HashMap<String, DayMemo>>,
}

fn conditions(
    matrix: &Matrix,
    map: &BTreeMap<String, crate::matrix::de::Spanned<String>>,
) -> Vec<Condition> {
    map.iter()
        .filter_map(|(dim_id, text)| {
            let dimension = matrix
                .dimensions
                .iter()
                .position(|d| d.id.value == *dim_id)?;
            let comparison = Comparison::parse(&text.value)?;
            let level = matrix
                .dimensions
                .get(dimension)?
                .levels
                .iter()
                .position(|l| l.id.value == comparison.level)?;
            Some(Condition {
                dimension,
                comparison,
                level,
            })
        })
        .collect()
}

impl<'m> Router<'m> {
    /// Prepares a validated matrix for routing.
    pub fn new(matrix: &'m Matrix, checked: &'m Checked) -> Result<Self, RouteError> {
        if checked.has_errors() {
            return Err(RouteError::InvalidMatrix);
        }
        let mut slots = Vec::new();
        let mut phrase_list: Vec<(&'m str, u32)> = Vec::new();
        let mut push =
            |slots: &mut Vec<Slot>, phrase: &'m str, slot: Slot| -> Result<(), RouteError> {
                let id = u32::try_from(slots.len()).map_err(|_| RouteError::TooLarge)?;
                slots.push(slot);
                phrase_list.push((phrase, id));
                Ok(())
            };
        let mut rules = Vec::new();
        let mut patterns = Vec::new();
        let mut regex_rule = Vec::new();
        let mut untextual = Vec::new();
        for (r, rule) in matrix.rules.iter().enumerate() {
            let c = &rule.conditions;
            for p in &c.any {
                push(&mut slots, &p.value, Slot::Any(r))?;
            }
            for (k, p) in c.all.iter().enumerate() {
                push(&mut slots, &p.value, Slot::All(r, k))?;
            }
            for p in &c.none {
                push(&mut slots, &p.value, Slot::None(r))?;
            }
            for p in &c.regex {
                patterns.push(format!("(?i){}", p.value));
                regex_rule.push(r);
            }
            let has_text = !c.any.is_empty() || !c.regex.is_empty() || !c.all.is_empty();
            if !has_text {
                untextual.push(r);
            }
            rules.push(CompiledRule {
                any: c.any.len() + c.regex.len(),
                all: c.all.len(),
                has_text,
                dims: conditions(matrix, &c.dimensions),
            });
        }
        for (d, dim) in matrix.dimensions.iter().enumerate() {
            for (l, level) in dim.levels.iter().enumerate() {
                for p in &level.phrases {
                    push(&mut slots, &p.value, Slot::Level(d, l))?;
                }
            }
        }
        let synonyms: Vec<Vec<String>> = matrix
            .synonyms
            .iter()
            .map(|g| g.terms.iter().map(|t| t.value.clone()).collect())
            .collect();
        let index = PhraseIndex::build(phrase_list.iter().copied(), &synonyms)
            .map_err(|e| RouteError::Phrase(e.to_string()))?;
        let regexes = patterns
            .iter()
            .map(|p| regex::RegexBuilder::new(p).size_limit(1 << 24).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| RouteError::Regex(e.to_string()))?;
        let regex = regex::RegexSetBuilder::new(&patterns)
            .size_limit(1 << 24)
            .build()
            .map_err(|e| RouteError::Regex(e.to_string()))?;
        let decisions = matrix
            .decisions
            .iter()
            .map(|d| CompiledDecision {
                conditions: conditions(matrix, &d.when),
            })
            .collect();
        let severity_rank = matrix
            .severities
            .iter()
            .map(|s| (s.id.value.clone(), s.rank.value))
            .collect();
        Ok(Router {
            matrix,
            index,
            slots,
            phrases: phrase_list.into_iter().map(|(p, _)| p).collect(),
            regex,
            regexes,
            regex_rule,
            rules,
            untextual,
            decisions,
            severity_rank,
            party_views: (0..matrix.parties.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            day_memos: std::sync::Mutex::default(),
            script_pieces: script_pieces(matrix),
            prepared: prepare_targets(matrix, checked),
        })
    }

    /// The matrix this router routes with.
    pub fn matrix(&self) -> &Matrix {
        self.matrix
    }

    fn rank(&self, severity: &str) -> u32 {
        self.severity_rank
            .get(severity)
            .copied()
            .unwrap_or(u32::MAX)
    }

    /// Routes one incident.
    #[allow(clippy::too_many_lines)]
    pub fn route(&self, incident: &Incident) -> Result<Route, RouteError> {
        let m = self.matrix;
        let normalized = text::normalize(&incident.description);
        // Redact once; words echoed from a description with nothing
        // sensitive in it need no second look.
        let redacted = incident
            .redact
            .then(|| redact::redact(&incident.description));
        let mask_words = redacted.as_ref().is_some_and(|r| !r.found.is_empty());
        let hits = self.index.find(&normalized);

        let mut evidence = EvidenceMap::default();
        let new_evidence = |r: usize, rules: &[CompiledRule]| Evidence {
            any: 0,
            all: vec![false; rules.get(r).map_or(0, |c| c.all)],
            blocked: false,
            words: Vec::new(),
            phrases: Vec::new(),
        };
        let mut inferred: BTreeMap<usize, (usize, Vec<String>)> = BTreeMap::new();
        for hit in &hits {
            let Some(slot) = self.slots.get(hit.payload as usize) else {
                continue;
            };
            match *slot {
                Slot::Any(r) | Slot::All(r, _) | Slot::None(r) => {
                    let e = evidence.entry(r, || new_evidence(r, &self.rules));
                    match *slot {
                        Slot::Any(_) => {
                            e.any += 1;
                            e.words.push(hit.tokens.clone());
                            e.phrases.push(hit.payload as usize);
                        }
                        Slot::All(_, k) => {
                            if let Some(flag) = e.all.get_mut(k) {
                                *flag = true;
                            }
                            e.words.push(hit.tokens.clone());
                            e.phrases.push(hit.payload as usize);
                        }
                        _ => e.blocked = true,
                    }
                }
                Slot::Level(d, l) => {
                    let matched = incident
                        .description
                        .get(hit.bytes.clone())
                        .unwrap_or_default()
                        .to_string();
                    let entry = inferred.entry(d).or_insert((l, Vec::new()));
                    if l > entry.0 {
                        *entry = (l, vec![matched]);
                    } else if l == entry.0 && !entry.1.contains(&matched) {
                        entry.1.push(matched);
                    }
                }
            }
        }
        // Patterns carry (?i): they match the description as typed, so the
        // matched byte ranges are the description's own.
        let lowered = incident.description.as_str();
        let mut regex_hits: Vec<usize> = Vec::new();
        if !self.regex.is_empty() {
            for i in &self.regex.matches(lowered) {
                if let Some(&r) = self.regex_rule.get(i) {
                    regex_hits.push(r);
                    let e = evidence.entry(r, || new_evidence(r, &self.rules));
                    e.any += 1;
                }
            }
        }

        // Dimensions: given facts win over what the text implies.
        let mut dims: BTreeMap<String, DimensionValue> = BTreeMap::new();
        let mut levels: Vec<Option<usize>> = vec![None; m.dimensions.len()];
        for (d, dim) in m.dimensions.iter().enumerate() {
            if let Some(given) = incident.facts.dimensions.get(&dim.id.value) {
                let l = dim
                    .levels
                    .iter()
                    .position(|l| l.id.value == *given)
                    .ok_or_else(|| RouteError::UnknownLevel {
                        dimension: dim.id.value.clone(),
                        level: given.clone(),
                        known: dim.levels.iter().map(|l| l.id.value.clone()).collect(),
                    })?;
                if let Some(slot) = levels.get_mut(d) {
                    *slot = Some(l);
                }
                dims.insert(
                    dim.id.value.clone(),
                    DimensionValue {
                        level: given.as_str().into(),
                        source: "given",
                        phrases: Vec::new(),
                    },
                );
            } else if let Some((l, words)) = inferred.get(&d) {
                if let Some(slot) = levels.get_mut(d) {
                    *slot = Some(*l);
                }
                let level = dim
                    .levels
                    .get(*l)
                    .map(|l| Text::from(l.id.value.as_str()))
                    .unwrap_or_default();
                dims.insert(
                    dim.id.value.clone(),
                    DimensionValue {
                        level,
                        source: "inferred",
                        phrases: redact_all(words, mask_words),
                    },
                );
            }
        }
        for key in incident.facts.dimensions.keys() {
            if m.dimension(key).is_none() {
                return Err(RouteError::UnknownDimension {
                    dimension: key.clone(),
                    known: m.dimensions.iter().map(|d| d.id.value.clone()).collect(),
                });
            }
        }
        let dims_hold = |conds: &[Condition]| {
            conds.iter().all(|c| {
                levels
                    .get(c.dimension)
                    .copied()
                    .flatten()
                    .is_some_and(|actual| c.comparison.holds(actual, c.level))
            })
        };

        // Which rules match, and why the others that were touched do not.
        let mut matched: Vec<(usize, usize)> = Vec::new(); // (rule, words covered)
        let mut rejected: Vec<RejectedRule> = Vec::new();
        // Rules with evidence in ascending order, then the rules without
        // phrases that were not among them.
        let candidates = evidence.keys().chain(
            self.untextual
                .iter()
                .copied()
                .filter(|r| evidence.get(*r).is_none()),
        );
        for r in candidates {
            let (Some(rule), Some(compiled)) = (m.rules.get(r), self.rules.get(r)) else {
                continue;
            };
            let e = evidence.get(r);
            let any_ok = compiled.any == 0 || e.is_some_and(|e| e.any > 0);
            let all_ok = e.map_or(compiled.all == 0, |e| e.all.iter().all(|b| *b));
            let blocked = e.is_some_and(|e| e.blocked);
            let dims_ok = dims_hold(&compiled.dims);
            let text_ok = compiled.has_text || !compiled.dims.is_empty();
            if any_ok && all_ok && !blocked && dims_ok && text_ok {
                let covered = e.map_or(0, |e| covered_words(&e.words));
                matched.push((r, covered));
            } else if e.is_some() || !compiled.dims.is_empty() && compiled.has_text {
                let reason = if blocked {
                    "an excluded phrase occurs".to_string()
                } else if !any_ok {
                    "none of its `any` phrases occur".to_string()
                } else if !all_ok {
                    "not every `all` phrase occurs".to_string()
                } else {
                    format!(
                        "dimension condition not met ({})",
                        describe_conditions(m, &rule.conditions.dimensions).join(", ")
                    )
                };
                rejected.push(RejectedRule {
                    id: rule.id.value.as_str().into(),
                    reason,
                });
            }
        }

        // Precedence among route rules: precedence, then words covered, then id.
        let mut routes: Vec<(usize, usize)> = matched
            .iter()
            .copied()
            .filter(|(r, _)| m.rules.get(*r).is_some_and(|x| x.kind == RuleKind::Route))
            .collect();
        routes.sort_by(|a, b| {
            let (ra, rb) = (&m.rules[a.0], &m.rules[b.0]);
            rb.precedence
                .value
                .cmp(&ra.precedence.value)
                .then(b.1.cmp(&a.1))
                .then(ra.id.value.cmp(&rb.id.value))
        });
        let winner = routes.first().and_then(|(r, _)| m.rules.get(*r));
        let mut tie_break = None;
        if let (Some(first), Some(second)) = (routes.first(), routes.get(1)) {
            let (a, b) = (&m.rules[first.0], &m.rules[second.0]);
            if a.precedence.value == b.precedence.value {
                tie_break = Some(if first.1 == second.1 {
                    format!(
                        "`{}` and `{}` share precedence {} and cover {} words each; the smaller id wins",
                        a.id.value, b.id.value, a.precedence.value, first.1
                    )
                } else {
                    format!(
                        "`{}` and `{}` share precedence {}; `{}` covers more words ({} vs {})",
                        a.id.value, b.id.value, a.precedence.value, a.id.value, first.1, second.1
                    )
                });
            }
        }
        for (r, _) in routes.iter().skip(1) {
            if let (Some(rule), Some(w)) = (m.rules.get(*r), winner) {
                rejected.push(RejectedRule {
                    id: rule.id.value.as_str().into(),
                    reason: ["matched, but `", w.id.value.as_str(), "` takes precedence"].concat(),
                });
            }
        }
        let mut overrides: Vec<&schema::Rule> = matched
            .iter()
            .filter_map(|(r, _)| m.rules.get(*r))
            .filter(|x| x.kind == RuleKind::Override)
            .collect();
        // Lowest precedence first, so the highest applies last and wins.
        overrides.sort_by(|a, b| {
            a.precedence
                .value
                .cmp(&b.precedence.value)
                .then(b.id.value.cmp(&a.id.value))
        });

        // The fallback applies when no route rule won and no override chose a tier.
        let fallback = winner.is_none() && !overrides.iter().any(|o| o.outcome.tier.is_some());
        let fb = m.fallback.as_ref().ok_or(RouteError::InvalidMatrix)?;
        let mut tier_id: &str = winner
            .and_then(|w| w.outcome.tier.as_ref())
            .map_or(fb.tier.value.as_str(), |t| t.value.as_str());
        let mut severity_id: &str = winner
            .and_then(|w| w.outcome.severity.as_ref())
            .map_or(fb.severity.value.as_str(), |s| s.value.as_str());
        let mut severity_reason = match winner {
            Some(w) if w.outcome.severity.is_some() => {
                Text::from(["set by rule `", w.id.value.as_str(), "`"].concat())
            }
            _ => Text::const_new("the fallback's severity"),
        };
        let mut owner_override = winner
            .and_then(|w| w.outcome.owner.as_ref())
            .map(|o| o.value.as_str());
        let mut script_id = winner
            .and_then(|w| w.outcome.script.as_ref())
            .or(if fallback { fb.script.as_ref() } else { None })
            .map(|s| s.value.as_str());
        let mut extra_notify: Vec<&str> = Vec::new();
        if fallback {
            extra_notify.extend(fb.notify.iter().map(|n| n.value.as_str()));
        }
        if let Some(w) = winner {
            extra_notify.extend(w.outcome.notify.iter().map(|n| n.value.as_str()));
            if let Some(floor) = &w.outcome.min_severity
                && self.rank(&floor.value) < self.rank(severity_id)
            {
                severity_id = &floor.value;
                severity_reason =
                    Text::from(["raised by rule `", w.id.value.as_str(), "`"].concat());
            }
        }
        for o in &overrides {
            let out = &o.outcome;
            if let Some(t) = &out.tier {
                tier_id = &t.value;
            }
            if let Some(s) = &out.severity {
                severity_id = &s.value;
                severity_reason =
                    Text::from(["set by override `", o.id.value.as_str(), "`"].concat());
            }
            if let Some(floor) = &out.min_severity
                && self.rank(&floor.value) < self.rank(severity_id)
            {
                severity_id = &floor.value;
                severity_reason =
                    Text::from(["raised by override `", o.id.value.as_str(), "`"].concat());
            }
            if let Some(owner) = &out.owner {
                owner_override = Some(owner.value.as_str());
            }
            if let Some(s) = &out.script {
                script_id = Some(s.value.as_str());
            }
            extra_notify.extend(out.notify.iter().map(|n| n.value.as_str()));
        }
        let mut decisions = Vec::new();
        for (d, compiled) in m.decisions.iter().zip(&self.decisions) {
            if !compiled.conditions.is_empty() && dims_hold(&compiled.conditions) {
                decisions.push(Text::from(d.id.value.as_str()));
                extra_notify.extend(d.notify.iter().map(|n| n.value.as_str()));
                if self.rank(&d.min_severity.value) < self.rank(severity_id) {
                    severity_id = &d.min_severity.value;
                    severity_reason =
                        Text::from(["raised by decision `", d.id.value.as_str(), "`"].concat());
                }
            }
        }
        if let Some(given) = &incident.facts.severity {
            if m.severity(given).is_none() {
                return Err(RouteError::UnknownSeverity(given.clone()));
            }
            severity_id = given;
            severity_reason =
                Text::const_new("given explicitly (--severity, or a batch line's facts)");
        }
        if let Some(given) = &incident.facts.tier {
            if m.tier(given).is_none() {
                return Err(RouteError::UnknownTier(given.clone()));
            }
            tier_id = given;
        }

        let severity = m.severity(severity_id).ok_or(RouteError::InvalidMatrix)?;
        let tier = m.tier(tier_id).ok_or(RouteError::InvalidMatrix)?;
        let sponsor = m.manifest.as_ref().map(|x| x.sponsor.value.as_str());
        let owner_id: &str = owner_override.unwrap_or(tier.owner.value.as_str());
        let backup_id = tier.backup.as_ref().map(|b| b.value.as_str());
        let next_tier = tier
            .escalates_to
            .as_ref()
            .and_then(|t| m.tier(&t.value))
            .map(|t| t.owner.value.as_str());
        let reserved = Reserved {
            owner: owner_id,
            backup: backup_id,
            sponsor,
            next_tier,
        };
        let mut notify_ids: Vec<&str> = Vec::new();
        for id in severity
            .notify
            .iter()
            .map(|n| n.value.as_str())
            .chain(extra_notify.iter().copied())
        {
            if let Some(id) = reserved.resolve(id)
                && id != owner_id
                && !notify_ids.contains(&id)
            {
                notify_ids.push(id);
            }
        }

        let prepared = self
            .prepared
            .get(&(severity_id, tier_id))
            .ok_or(RouteError::InvalidMatrix)?;
        let targets = prepared.targets;
        let zone = prepared.zone;
        let opened = incident.opened_at;
        // Every target and step, computed in one walk along the calendar.
        let wanted: Vec<chrono::Duration> = [
            targets.acknowledge,
            targets.assess,
            targets.resolve,
            targets.update_every,
        ]
        .into_iter()
        .chain(targets.escalation.iter().map(|s| s.after))
        .map(|minutes| {
            i64::try_from(minutes)
                .ok()
                .and_then(chrono::Duration::try_minutes)
                .ok_or(RouteError::TooLarge)
        })
        .collect::<Result<_, _>>()?;
        let instants = self.due_times(targets, opened, &wanted)?;
        let due = |position: usize| -> Result<DateTime<Utc>, RouteError> {
            instants.get(position).copied().ok_or(RouteError::TooLarge)
        };
        let acknowledge_by = due(0)?;
        let assess_by = due(1)?;
        let resolve_by = due(2)?;
        let next_update_by = due(3)?;
        let mut escalation = Vec::new();
        for (position, step) in (4..).zip(&targets.escalation) {
            let at = due(position)?;
            let who: Vec<Text> = step
                .notify
                .iter()
                .filter_map(|n| reserved.resolve(n).map(Text::from))
                .collect();
            let local = at.with_timezone(&zone);
            let mut text = String::with_capacity(96);
            text.push_str("not ");
            text.push_str(step.unless.as_str());
            text.push_str(" by ");
            super::render::push_readable(&mut text, &local);
            text.push_str(" -> ");
            text.push_str(&step.action);
            text.push(' ');
            // Each party by id; a reserved name says what it stands for, and one
            // with no party (no backup, no next tier) is left out.
            let mut first = true;
            for n in &step.notify {
                let Some(id) = reserved.resolve(n) else {
                    continue;
                };
                if !first {
                    text.push_str(", ");
                }
                first = false;
                if Reserved::is_reserved(n) {
                    text.push_str(&n.replace('-', " "));
                    text.push_str(" (");
                    text.push_str(id);
                    text.push(')');
                } else {
                    text.push_str(id);
                }
            }
            escalation.push(Step {
                at: ZonedTime(local.fixed_offset()),
                unless: step.unless.as_str().into(),
                action: step.action.as_str().into(),
                notify: who,
                text,
            });
        }

        let owner = self.party_view(owner_id);
        let backup = backup_id.map(|b| self.party_view(b));
        let notify: Vec<Arc<PartyView>> = notify_ids.iter().map(|id| self.party_view(id)).collect();
        // Each deadline in the display zone, converted once for the JSON text and the
        // script's readable times alike.
        let [ack_local, assess_local, resolve_local, update_local] =
            [acknowledge_by, assess_by, resolve_by, next_update_by]
                .map(|t| t.with_timezone(&zone).fixed_offset());
        let deadlines = DeadlineSet {
            clock: prepared.clock.clone(),
            time_zone: prepared.zone_name.clone(),
            acknowledge_by: ZonedTime(ack_local),
            assess_by: ZonedTime(assess_local),
            resolve_by: ZonedTime(resolve_local),
            next_update_by: ZonedTime(update_local),
            targets: Arc::clone(&prepared.written),
        };

        let mut rule_matches: Vec<RuleMatch> = Vec::new();
        let applied: Vec<&schema::Rule> = winner
            .into_iter()
            .chain(overrides.iter().rev().copied())
            .collect();
        for rule in &applied {
            let r = m.rule_position(&rule.id.value).unwrap_or(usize::MAX);
            let e = evidence.get(r);
            let mut words: Vec<String> = e
                .map(|e| {
                    e.words
                        .iter()
                        .filter_map(|range| span_text(&normalized, &incident.description, range))
                        .collect()
                })
                .unwrap_or_default();
            if regex_hits.contains(&r) {
                // Say which words the expression matched, not just that it did.
                let own = self
                    .regex_rule
                    .iter()
                    .zip(&self.regexes)
                    .filter(|(owner, _)| **owner == r);
                for (_, re) in own {
                    if let Some(found) = re.find(lowered) {
                        words.push(found.as_str().to_string());
                    }
                }
            }
            words.dedup();
            let phrases = e
                .map(|e| {
                    e.phrases
                        .iter()
                        .filter_map(|p| self.phrases.get(*p).map(|s| Text::from(*s)))
                        .collect()
                })
                .unwrap_or_default();
            rule_matches.push(RuleMatch {
                id: rule.id.value.as_str().into(),
                kind: rule.kind,
                precedence: rule.precedence.value,
                summary: rule.summary.clone(),
                words: redact_all(&words, mask_words),
                phrases,
                dimensions: describe_conditions(m, &rule.conditions.dimensions),
            });
        }
        let confidence = if fallback {
            "low"
        } else if tie_break
            .as_ref()
            .is_some_and(|_| routes.first().map(|r| r.1) == routes.get(1).map(|r| r.1))
        {
            "medium"
        } else {
            "high"
        };

        let script_source = script_id.and_then(|id| m.script(id));
        let script = script_source.map(|s| super::ScriptView {
            id: s.id.value.as_str().into(),
            name: s.name.as_str().into(),
            text: String::new(),
        });
        let description = match redacted {
            Some(r) => r.text,
            None => incident.description.clone(),
        };
        let mut route = Route {
            description,
            severity: Named {
                id: severity.id.value.as_str().into(),
                name: severity.name.as_str().into(),
                reason: severity_reason,
            },
            tier: Named {
                id: tier.id.value.as_str().into(),
                name: tier.name.as_str().into(),
                reason: match (
                    winner,
                    overrides.iter().rev().find(|o| o.outcome.tier.is_some()),
                    &incident.facts.tier,
                ) {
                    (_, _, Some(_)) => {
                        Text::const_new("given explicitly (--tier, or a batch line's facts)")
                    }
                    (_, Some(o), _) => {
                        Text::from(["set by override `", o.id.value.as_str(), "`"].concat())
                    }
                    (Some(w), None, _) => {
                        Text::from(["set by rule `", w.id.value.as_str(), "`"].concat())
                    }
                    (None, None, _) => Text::const_new("the fallback's tier"),
                },
            },
            owner,
            backup,
            notify,
            deadlines,
            escalation,
            script,
            fallback,
            confidence,
            dimensions: dims,
            explanation: Explanation {
                rules: applied
                    .iter()
                    .map(|r| Text::from(r.id.value.as_str()))
                    .collect(),
                winner: winner.map(|w| Text::from(w.id.value.as_str())),
                overrides: overrides
                    .iter()
                    .rev()
                    .map(|o| Text::from(o.id.value.as_str()))
                    .collect(),
                matched: rule_matches,
                rejected,
                tie_break,
                decisions,
            },
            matrix: super::MatrixInfo {
                name: m
                    .manifest
                    .as_ref()
                    .map(|x| Text::from(x.name.as_str()))
                    .unwrap_or_default(),
                version: m.version().into(),
                commit: None,
            },
            opened_at: ZonedTime(opened.with_timezone(&zone).fixed_offset()),
        };
        if let Some(source) = script_source {
            if let Some(pieces) = self.script_pieces.get(source.id.value.as_str()) {
                super::render::fill_script_at(&mut route, m, pieces);
            } else {
                let pieces = super::render::template_pieces(&source.text.value);
                super::render::fill_script_at(&mut route, m, &pieces);
            }
        }
        Ok(route)
    }

    /// The instants at which each of `wanted` has elapsed on the clock of `targets`
    /// after `opened`, in one walk, reusing what earlier incidents learnt about the
    /// calendar's dates.
    fn due_times(
        &self,
        targets: &EffectiveTargets,
        opened: DateTime<Utc>,
        wanted: &[chrono::Duration],
    ) -> Result<Vec<DateTime<Utc>>, RouteError> {
        let to_error = |e: crate::calendar::CalendarError| RouteError::Calendar(e.to_string());
        let Clock::Business(_) = &targets.clock else {
            return targets
                .clock
                .add_all(opened, wanted, None)
                .map_err(to_error);
        };
        let key = targets.calendar.as_deref().unwrap_or_default();
        // Another thread holding the memos only costs this walk its shortcut.
        match self.day_memos.try_lock() {
            Ok(mut memos) => {
                let memo = match memos.get_mut(key) {
                    Some(memo) => memo,
                    None => memos.entry(key.to_string()).or_default(),
                };
                targets.clock.add_all(opened, wanted, Some(memo))
            }
            Err(_) => targets.clock.add_all(opened, wanted, None),
        }
        .map_err(to_error)
    }

    /// The printable view of a party, built once per router and shared.
    fn party_view(&self, id: &str) -> Arc<PartyView> {
        let Some(slot) = self
            .matrix
            .party_position(id)
            .and_then(|i| self.party_views.get(i))
        else {
            return Arc::new(self.build_party_view(id));
        };
        slot.get_or_init(|| Arc::new(self.build_party_view(id)))
            .clone()
    }

    fn build_party_view(&self, id: &str) -> PartyView {
        match self.matrix.party(id) {
            Some(p) => PartyView {
                id: p.id.value.clone(),
                name: p.name.clone(),
                role: p.role.clone(),
                channels: p
                    .channels
                    .iter()
                    .filter(|(name, _)| !p.is_private(name))
                    .map(|(name, value)| (name.to_string(), value.to_string()))
                    .collect(),
            },
            None => PartyView {
                id: id.to_string(),
                name: id.to_string(),
                role: String::new(),
                channels: BTreeMap::new(),
            },
        }
    }
}

/// Each script's text split into pieces, by script id.
fn script_pieces(matrix: &Matrix) -> rustc_hash::FxHashMap<&str, Vec<super::render::Piece<'_>>> {
    matrix
        .scripts
        .iter()
        .map(|s| {
            (
                s.id.value.as_str(),
                super::render::template_pieces(&s.text.value),
            )
        })
        .collect()
}

/// Every (severity, tier) pair's targets with what routes on them show.
fn prepare_targets<'m>(
    matrix: &Matrix,
    checked: &'m Checked,
) -> rustc_hash::FxHashMap<(&'m str, &'m str), Prepared<'m>> {
    checked
        .targets
        .iter()
        .map(|((severity, tier), targets)| {
            let written = [
                ("acknowledge", targets.acknowledge),
                ("assess", targets.assess),
                ("resolve", targets.resolve),
                ("update_every", targets.update_every),
            ]
            .into_iter()
            .map(|(name, minutes)| {
                (
                    name.to_string(),
                    crate::matrix::duration::format_minutes(minutes),
                )
            })
            .collect();
            let zone = display_zone(matrix, targets);
            let prepared = Prepared {
                targets,
                zone,
                written: Arc::new(written),
                clock: targets.calendar.as_deref().unwrap_or("24x7").into(),
                zone_name: zone.name().into(),
            };
            ((severity.as_str(), tier.as_str()), prepared)
        })
        .collect()
}

/// The zone deadlines on `targets` are shown in: the calendar's, or the matrix's
/// own for around-the-clock targets.
fn display_zone(matrix: &Matrix, targets: &EffectiveTargets) -> chrono_tz::Tz {
    match &targets.clock {
        Clock::Business(cal) => cal.zone,
        Clock::AroundTheClock => matrix
            .manifest
            .as_ref()
            .and_then(|m| m.time_zone.value.parse().ok())
            .unwrap_or(chrono_tz::UTC),
    }
}

/// The parties that reserved names in notify lists stand for.
struct Reserved<'a> {
    owner: &'a str,
    backup: Option<&'a str>,
    sponsor: Option<&'a str>,
    next_tier: Option<&'a str>,
}

impl<'a> Reserved<'a> {
    /// Whether `name` is one of the reserved names rather than a party id.
    fn is_reserved(name: &str) -> bool {
        matches!(name, "owner" | "backup" | "sponsor" | "next-tier")
    }

    /// The party id `name` stands for: itself unless it is a reserved name; `None` for
    /// a reserved name with no party (no backup, no next tier).
    fn resolve(&self, name: &'a str) -> Option<&'a str> {
        match name {
            "owner" => Some(self.owner),
            "backup" => self.backup,
            "sponsor" => self.sponsor,
            "next-tier" => self.next_tier,
            other => Some(other),
        }
    }
}

fn covered_words(ranges: &[std::ops::Range<usize>]) -> usize {
    let mut covered: Vec<usize> = ranges.iter().flat_map(Clone::clone).collect();
    covered.sort_unstable();
    covered.dedup();
    covered.len()
}

fn span_text(
    normalized: &text::Normalized,
    original: &str,
    range: &std::ops::Range<usize>,
) -> Option<String> {
    // Indexed, not collected: this runs once per matched phrase, and a long
    // description has thousands of both.
    let first = normalized.token(range.start)?;
    let last = normalized.token(range.end.checked_sub(1)?)?;
    original.get(first.start..last.end).map(str::to_string)
}

fn redact_all(words: &[String], redact_on: bool) -> Vec<Text> {
    words
        .iter()
        .map(|w| {
            if redact_on {
                Text::from(redact::redact(w).text)
            } else {
                Text::from(w.as_str())
            }
        })
        .collect()
}

fn describe_conditions(
    matrix: &Matrix,
    map: &BTreeMap<String, crate::matrix::de::Spanned<String>>,
) -> Vec<String> {
    let _ = matrix;
    map.iter()
        .map(|(dim, cmp)| [dim.as_str(), " ", cmp.value.trim()].concat())
        .collect()
}

impl Facts {
    /// Whether no fact was given.
    pub fn is_empty(&self) -> bool {
        self.dimensions.is_empty() && self.severity.is_none() && self.tier.is_none()
    }
}

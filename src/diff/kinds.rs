//! The kinds of change `escalate diff` reports, each with a stable
//! kebab-case name, a level and a one-line description.

use serde::Serialize;
use std::fmt;

/// How much a change matters to the people who rely on the matrix.
///
/// Ordered from least to most serious, so `max()` gives the highest level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Wording, scripts, glossary, channels, review dates: a patch release.
    Info,
    /// Additions, new owners, rule and calendar changes, tighter targets: a minor release.
    Notable,
    /// Relaxed targets, removed tiers, removed escalation steps: a major release.
    Breaking,
}

impl Level {
    /// Every level, most serious first.
    pub const ALL: [Level; 3] = [Level::Breaking, Level::Notable, Level::Info];

    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Notable => "notable",
            Level::Breaking => "breaking",
        }
    }

    /// The version part a change of this level requires bumping.
    pub fn required_bump(self) -> &'static str {
        match self {
            Level::Info => "patch",
            Level::Notable => "minor",
            Level::Breaking => "major",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! kinds {
    ($($variant:ident => $name:literal, $level:ident, $description:literal;)*) => {
        /// A stable kebab-case name for each kind of change.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ChangeKind {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        impl ChangeKind {
            /// Every kind, in documentation order.
            pub const ALL: &'static [ChangeKind] = &[$(ChangeKind::$variant),*];

            /// The kebab-case name.
            pub fn name(self) -> &'static str {
                match self {
                    $(ChangeKind::$variant => $name,)*
                }
            }

            /// A one-line description.
            pub fn description(self) -> &'static str {
                match self {
                    $(ChangeKind::$variant => $description,)*
                }
            }

            /// The level a change of this kind has.
            pub fn level(self) -> Level {
                match self {
                    $(ChangeKind::$variant => Level::$level,)*
                }
            }
        }
    };
}

kinds! {
    // The manifest.
    VersionChanged => "version-changed", Info, "The manifest's version changed.";
    VersionBumpMissing => "version-bump-missing", Breaking, "The matrix changed but its version was not bumped, or less than the changes require (breaking: major, notable: minor, info: patch); the finding has the level of the changes that require the bump.";
    MatrixOwnerChanged => "matrix-owner-changed", Notable, "The team that owns the matrix changed.";
    SponsorChanged => "sponsor-changed", Notable, "The executive sponsor changed.";
    TimeZoneChanged => "time-zone-changed", Notable, "The matrix's default time zone changed.";
    BusinessDayChanged => "business-day-changed", Notable, "The length of a business day (`bd`) changed.";
    ReviewChanged => "review-changed", Info, "A review cadence, a review date or a verification date changed.";
    SettingChanged => "setting-changed", Info, "Another manifest setting changed (the audit log).";
    WordingChanged => "wording-changed", Info, "A name, summary, description, scope or other text for people changed.";
    // Severities and their targets.
    SeverityAdded => "severity-added", Notable, "A severity level was added.";
    SeverityRemoved => "severity-removed", Breaking, "A severity level that rules, decisions or the fallback used was removed.";
    UnusedSeverityRemoved => "unused-severity-removed", Notable, "A severity level that nothing routed to was removed.";
    SeverityRankChanged => "severity-rank-changed", Notable, "A severity's rank (how severe it is compared with the others) changed.";
    SlaTargetRelaxed => "sla-target-relaxed", Breaking, "An acknowledge, assess, resolve or update target now allows more time.";
    SlaTargetTightened => "sla-target-tightened", Notable, "An acknowledge, assess, resolve or update target now allows less time.";
    SlaClockChanged => "sla-clock-changed", Notable, "A target now counts on another clock (another calendar, or around the clock) and is not clearly tighter or looser.";
    EscalationStepAdded => "escalation-step-added", Notable, "A severity has a new escalation step.";
    EscalationStepRemoved => "escalation-step-removed", Breaking, "An escalation step was removed.";
    EscalationStepDelayed => "escalation-step-delayed", Breaking, "An escalation step fires later than before.";
    EscalationStepAdvanced => "escalation-step-advanced", Notable, "An escalation step fires earlier than before.";
    EscalationStepChanged => "escalation-step-changed", Notable, "An escalation step waits for another milestone, does something else or notifies others.";
    NotifyAdded => "notify-added", Notable, "A severity, rule, decision or the fallback notifies a party it did not notify before.";
    NotifyRemoved => "notify-removed", Notable, "A severity, rule, decision or the fallback no longer notifies a party.";
    // Tiers.
    TierAdded => "tier-added", Notable, "A support tier was added.";
    TierRemoved => "tier-removed", Breaking, "A support tier was removed.";
    OwnerChanged => "owner-changed", Notable, "The owner of a tier changed.";
    BackupChanged => "backup-changed", Notable, "The backup of a tier changed.";
    EscalatesToChanged => "escalates-to-changed", Notable, "The tier a tier escalates to changed.";
    ChannelAdded => "channel-added", Info, "A tier, team or contact can be reached on a new channel.";
    ChannelRemoved => "channel-removed", Info, "A channel of a tier, team or contact was removed.";
    ChannelChanged => "channel-changed", Info, "A channel of a tier, team or contact changed (private channels show no values).";
    // Teams and contacts.
    TeamAdded => "team-added", Notable, "A team was added.";
    TeamRemoved => "team-removed", Notable, "A team was removed.";
    ContactAdded => "contact-added", Notable, "A contact was added.";
    ContactRemoved => "contact-removed", Notable, "A contact was removed.";
    ContactDetailsChanged => "contact-details-changed", Info, "A contact's team, a team's lead, a time zone, or whether an entry is a team or a contact changed.";
    PrivacyChanged => "privacy-changed", Info, "A channel of a team or contact became private or public.";
    // Calendars.
    CalendarAdded => "calendar-added", Notable, "A business-hours calendar was added.";
    CalendarRemoved => "calendar-removed", Breaking, "A calendar that targets counted on was removed.";
    UnusedCalendarRemoved => "unused-calendar-removed", Notable, "A calendar that no target counted on was removed.";
    BusinessHoursChanged => "business-hours-changed", Notable, "The weekly working windows of a calendar changed.";
    CalendarZoneChanged => "calendar-zone-changed", Notable, "The time zone a calendar counts in changed.";
    HolidayAdded => "holiday-added", Notable, "A calendar has a new holiday.";
    HolidayRemoved => "holiday-removed", Notable, "A holiday was removed from a calendar.";
    ExclusionAdded => "exclusion-added", Notable, "A calendar has a new exclusion (the SLA clock stops).";
    ExclusionRemoved => "exclusion-removed", Notable, "An exclusion was removed from a calendar.";
    // Decision dimensions and the decision matrix.
    DimensionAdded => "dimension-added", Notable, "A decision dimension was added.";
    DimensionRemoved => "dimension-removed", Notable, "A decision dimension was removed.";
    LevelAdded => "level-added", Notable, "A dimension has a new level.";
    LevelRemoved => "level-removed", Notable, "A level was removed from a dimension.";
    LevelOrderChanged => "level-order-changed", Notable, "The levels of a dimension are in another order (least to most serious).";
    PhrasesChanged => "phrases-changed", Notable, "The phrases that imply a dimension level, or the terms of a synonym group, changed.";
    DecisionAdded => "decision-added", Notable, "A row of the decision matrix was added.";
    DecisionRemoved => "decision-removed", Notable, "A row of the decision matrix was removed.";
    DecisionChanged => "decision-changed", Notable, "The conditions or the minimum severity of a decision matrix row changed.";
    // Routing rules.
    RuleAdded => "rule-added", Notable, "A routing rule was added.";
    RuleRemoved => "rule-removed", Notable, "A routing rule was removed.";
    RulePrecedenceChanged => "rule-precedence-changed", Notable, "A rule's precedence changed, which can change which rule wins.";
    RuleKindChanged => "rule-kind-changed", Notable, "A rule changed between `route` and `override`.";
    RuleConditionChanged => "rule-condition-changed", Notable, "The phrases, expressions or dimension conditions of a rule changed.";
    RuleOutcomeChanged => "rule-outcome-changed", Notable, "The tier, severity, minimum severity, owner or script a rule decides changed.";
    SynonymsAdded => "synonyms-added", Notable, "A synonym group was added.";
    SynonymsRemoved => "synonyms-removed", Notable, "A synonym group was removed.";
    FallbackChanged => "fallback-changed", Notable, "The tier, severity or script of the fallback route changed.";
    // Scripts and glossary.
    ScriptAdded => "script-added", Info, "An escalation script was added.";
    ScriptRemoved => "script-removed", Info, "An escalation script was removed.";
    ScriptChanged => "script-changed", Info, "The text of an escalation script changed.";
    TermAdded => "term-added", Info, "A glossary entry was added.";
    TermRemoved => "term-removed", Info, "A glossary entry was removed.";
    TermChanged => "term-changed", Info, "A glossary entry's term, meaning or business impact changed.";
    // Routing tests.
    RoutingImpact => "routing-impact", Notable, "A routing test case (of either version) routes to another severity, tier, owner, backup, notify list or fallback.";
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for ChangeKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut seen = HashSet::new();
        for kind in ChangeKind::ALL {
            let name = kind.name();
            assert!(seen.insert(name), "{name} is used twice");
            assert!(
                !name.is_empty()
                    && !name.starts_with('-')
                    && !name.ends_with('-')
                    && !name.contains("--"),
                "{name}"
            );
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{name}"
            );
            assert!(
                kind.description().ends_with('.'),
                "{name}: {}",
                kind.description()
            );
        }
    }

    #[test]
    fn the_issue_names_exist() {
        for name in [
            "sla-target-relaxed",
            "sla-target-tightened",
            "tier-removed",
            "owner-changed",
            "rule-precedence-changed",
            "contact-added",
        ] {
            assert!(ChangeKind::ALL.iter().any(|k| k.name() == name), "{name}");
        }
        assert_eq!(Level::Breaking.max(Level::Info), Level::Breaking);
    }
}

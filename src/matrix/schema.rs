//! The entities of a matrix file, as written in TOML or YAML.
//!
//! Every section of a fragment is a list of entities with a kebab-case `id`
//! (`[[tier]]` in TOML, `tier:` followed by a list in YAML), except the
//! singletons `manifest` and `fallback`. Fields that diagnostics point at are
//! [`Spanned`].

use super::de::Spanned;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Index of the file an entity was read from, in [`super::Sources`].
pub type FileId = usize;

/// A reference to another entity by id, with its position.
pub type Ref = Spanned<String>;

/// The matrix as a whole: name, version, owners, review cadence.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Manifest {
    /// Display name.
    pub name: String,
    /// Semantic version of the matrix (`1.4.0`).
    pub version: Spanned<String>,
    /// What the matrix is for, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// The team that owns the matrix.
    pub owner: Ref,
    /// The executive sponsor (a contact).
    pub sponsor: Ref,
    /// Default IANA time zone for contacts and calendars that name none.
    pub time_zone: Spanned<String>,
    /// How often the matrix and its contacts must be reviewed (`90d`).
    pub review_every: Spanned<String>,
    /// When the matrix was last reviewed.
    pub last_reviewed: Spanned<String>,
    /// Length of a business day (`bd`) in working time; `8h` unless set.
    #[serde(default)]
    pub business_day: Option<Spanned<String>>,
    /// How to ask for help, in a sentence (shown in route output and the portal).
    #[serde(default)]
    pub how_to_ask: String,
    /// Default audit log file for `route`, relative to the working directory.
    #[serde(default)]
    pub audit_log: Option<String>,
    #[serde(skip)]
    /// The file the manifest was read from.
    pub origin: FileId,
}

/// A severity level.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Severity {
    /// Stable id (`sev1`).
    pub id: Ref,
    /// Display name.
    pub name: String,
    /// 1 is the most severe.
    pub rank: Spanned<u32>,
    /// A one-line summary.
    #[serde(default)]
    pub summary: String,
    /// What it means for the business.
    #[serde(default)]
    pub business_impact: String,
    /// What it means for service continuity.
    #[serde(default)]
    pub service_continuity: String,
    /// What it means for data.
    #[serde(default)]
    pub data_risk: String,
    /// Parties (teams or contacts) notified in addition to the owner.
    #[serde(default)]
    pub notify: Vec<Ref>,
    /// The targets for every tier.
    pub targets: Targets,
    /// Per-tier target overrides.
    #[serde(default, rename = "override")]
    pub overrides: Vec<TargetOverride>,
    /// Escalation steps: not done within a delay, notify someone.
    #[serde(default)]
    pub escalation: Vec<EscalationStep>,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
}

/// SLA targets of a severity.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Targets {
    /// The calendar the targets count on; absent means around the clock.
    #[serde(default)]
    pub calendar: Option<Ref>,
    /// Time to acknowledge.
    pub acknowledge: Spanned<String>,
    /// Time to an initial assessment.
    pub assess: Spanned<String>,
    /// Time to resolution.
    pub resolve: Spanned<String>,
    /// How often the requester gets an update.
    pub update_every: Spanned<String>,
}

/// Targets that differ for one tier.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct TargetOverride {
    /// The tier these targets apply to.
    pub tier: Ref,
    /// Another calendar, or `24x7` for around the clock.
    #[serde(default)]
    pub calendar: Option<Ref>,
    /// Time to acknowledge.
    #[serde(default)]
    pub acknowledge: Option<Spanned<String>>,
    /// Time to an initial assessment.
    #[serde(default)]
    pub assess: Option<Spanned<String>>,
    /// Time to resolution.
    #[serde(default)]
    pub resolve: Option<Spanned<String>>,
    /// How often the requester gets an update.
    #[serde(default)]
    pub update_every: Option<Spanned<String>>,
}

/// Which milestone an escalation step waits for.
#[derive(
    Debug,
    Clone,
    Copy,
    Deserialize,
    PartialEq,
    Eq,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Milestone {
    /// The incident was acknowledged.
    Acknowledged,
    /// The initial assessment was made.
    Assessed,
    /// The incident was resolved.
    Resolved,
}

impl Milestone {
    /// The word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Acknowledged => "acknowledged",
            Milestone::Assessed => "assessed",
            Milestone::Resolved => "resolved",
        }
    }
}

/// "Not acknowledged within 30m: page the tier's backup."
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct EscalationStep {
    /// Delay after the incident was opened, on the severity's clock.
    pub after: Spanned<String>,
    /// The milestone that, when missed, triggers the step.
    #[serde(default = "default_milestone")]
    pub unless: Milestone,
    /// Parties to notify; `owner`, `backup` and `next-tier` name the route's own.
    pub notify: Vec<Ref>,
    /// What to do, in words (`page`, `call`, `email`).
    #[serde(default = "default_action")]
    pub action: String,
}

fn default_milestone() -> Milestone {
    Milestone::Acknowledged
}

fn default_action() -> String {
    "notify".to_string()
}

/// Ways to reach a tier.
#[derive(
    Debug,
    Clone,
    Default,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct TierChannels {
    /// Ticket queue.
    #[serde(default)]
    pub queue: Option<String>,
    /// Chat channel.
    #[serde(default)]
    pub chat: Option<String>,
    /// Direct hand-off (how to pass an incident in person or by phone bridge).
    #[serde(default)]
    pub handoff: Option<String>,
}

/// A support tier.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Tier {
    /// Stable id (`tier1`).
    pub id: Ref,
    /// Display name.
    pub name: String,
    /// What the tier handles.
    #[serde(default)]
    pub scope: Vec<String>,
    /// The team or contact that owns the tier.
    pub owner: Ref,
    /// The team or contact that stands in.
    pub backup: Option<Ref>,
    /// The tier this one escalates to.
    #[serde(default)]
    pub escalates_to: Option<Ref>,
    /// When to escalate to the next tier, in words.
    #[serde(default)]
    pub when_to_escalate: String,
    /// Ways to reach the tier.
    #[serde(default)]
    pub channels: TierChannels,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
}

/// Ways to reach a person or team.
///
/// Kept compactly, as the largest matrices hold tens of thousands of
/// contacts: the values that are set share one string (five optional
/// strings took 120 bytes a contact before their text, and an allocation
/// each). Read with [`Channels::iter`] or [`Channels::get`]. It reads,
/// writes and describes itself (serde, borsh, JSON Schema) exactly as a
/// table of five optional strings, `email`, `chat`, `phone`, `pager` and
/// `queue`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Channels {
    /// The values that are set, back to back, in [`CHANNEL_NAMES`] order.
    text: Box<str>,
    /// End of each channel's value in `text`, in [`CHANNEL_NAMES`] order (a
    /// channel that is not set ends where the one before it ends).
    ends: [u32; 5],
    /// Bit `i` is set when channel `CHANNEL_NAMES[i]` is.
    set: u8,
}

/// Channel names, in display order.
pub const CHANNEL_NAMES: &[&str] = &["email", "chat", "phone", "pager", "queue"];

/// The names of [`CHANNEL_NAMES`] with a static lifetime, as an array.
const CHANNELS: [&str; 5] = ["email", "chat", "phone", "pager", "queue"];

impl Channels {
    /// Channels from their values, in [`CHANNEL_NAMES`] order. `None` when
    /// the values add up to more than 4 GiB (no matrix file is that large).
    pub fn new(values: [Option<&str>; 5]) -> Option<Self> {
        let mut text = String::with_capacity(values.iter().flatten().map(|v| v.len()).sum());
        let mut ends = [0_u32; 5];
        let mut set = 0_u8;
        for (i, (value, end)) in values.iter().zip(&mut ends).enumerate() {
            if let Some(value) = value {
                text.push_str(value);
                set |= 1 << i;
            }
            *end = u32::try_from(text.len()).ok()?;
        }
        Some(Channels {
            text: text.into_boxed_str(),
            ends,
            set,
        })
    }

    /// The value of channel `CHANNEL_NAMES[i]`, when set.
    fn at(&self, i: usize) -> Option<&str> {
        if self.set >> i & 1 == 0 {
            return None;
        }
        let start = match i.checked_sub(1) {
            Some(before) => *self.ends.get(before)? as usize,
            None => 0,
        };
        let end = *self.ends.get(i)? as usize;
        self.text.get(start..end)
    }

    /// The value of a channel (`email`, `chat`, `phone`, `pager`, `queue`),
    /// when set.
    pub fn get(&self, name: &str) -> Option<&str> {
        CHANNELS
            .iter()
            .position(|n| *n == name)
            .and_then(|i| self.at(i))
    }

    /// The channels that are set, as (name, value), in display order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        CHANNELS
            .into_iter()
            .enumerate()
            .filter_map(|(i, name)| self.at(i).map(|v| (name, v)))
    }

    fn to_table(&self) -> table::Channels {
        let [email, chat, phone, pager, queue] =
            std::array::from_fn(|i| self.at(i).map(str::to_string));
        table::Channels {
            email,
            chat,
            phone,
            pager,
            queue,
        }
    }
}

impl std::fmt::Debug for Channels {
    /// As the table of five optional strings it stands for.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_table().fmt(f)
    }
}

impl<'de> Deserialize<'de> for Channels {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let table = table::Channels::deserialize(deserializer)?;
        Channels::try_from(table).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for Channels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_table().serialize(serializer)
    }
}

impl schemars::JsonSchema for Channels {
    fn inline_schema() -> bool {
        table::Channels::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        table::Channels::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        table::Channels::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        table::Channels::json_schema(generator)
    }
}

impl borsh::BorshSerialize for Channels {
    fn serialize<W: std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        self.to_table().serialize(writer)
    }
}

impl borsh::BorshDeserialize for Channels {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let table = table::Channels::deserialize_reader(reader)?;
        Channels::try_from(table)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

impl TryFrom<table::Channels> for Channels {
    type Error = &'static str;

    fn try_from(t: table::Channels) -> Result<Self, Self::Error> {
        Channels::new([
            t.email.as_deref(),
            t.chat.as_deref(),
            t.phone.as_deref(),
            t.pager.as_deref(),
            t.queue.as_deref(),
        ])
        .ok_or("the channels are too long")
    }
}

/// [`Channels`] as written: what it reads from and writes to.
mod table {
    use serde::Deserialize;

    /// Ways to reach a person or team.
    #[derive(
        Debug,
        Deserialize,
        serde::Serialize,
        schemars::JsonSchema,
        borsh::BorshSerialize,
        borsh::BorshDeserialize,
    )]
    #[serde(rename_all = "snake_case")]
    pub(super) struct Channels {
        /// Email address.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub email: Option<String>,
        /// Chat handle or channel.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub chat: Option<String>,
        /// Phone number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub phone: Option<String>,
        /// Pager or on-call rotation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub pager: Option<String>,
        /// Ticket queue.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub queue: Option<String>,
    }
}

/// A team or a person: anyone a route can name.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Party {
    /// Stable id.
    pub id: Ref,
    /// Display name.
    pub name: String,
    /// Role (for people) or purpose (for teams).
    #[serde(default)]
    pub role: String,
    /// For a person: the team they belong to.
    #[serde(default)]
    pub team: Option<Ref>,
    /// For a team: its lead.
    #[serde(default)]
    pub lead: Option<Ref>,
    /// Ways to reach them.
    #[serde(default)]
    pub channels: Channels,
    /// IANA time zone; the manifest's unless set.
    #[serde(default)]
    pub time_zone: Option<Spanned<String>>,
    /// Channel names that must not be published or printed (`phone`).
    #[serde(default)]
    pub private: Vec<Spanned<String>>,
    /// When the entry was last checked to be correct.
    #[serde(default)]
    pub verified: Option<Spanned<String>>,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
    #[serde(skip)]
    /// Whether this is a team (from `[[team]]`) or a person (`[[contact]]`).
    pub is_team: bool,
}

impl Party {
    /// Whether a channel is private for this party: phone numbers always are,
    /// plus every channel the entry lists under `private`.
    pub fn is_private(&self, channel: &str) -> bool {
        channel == "phone" || self.private.iter().any(|p| p.value == channel)
    }
}

/// A weekly working window.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct WindowSpec {
    /// Weekdays (`mon`..`sun`) or ranges (`mon-fri`).
    pub days: Vec<Spanned<String>>,
    /// Local start time, `HH:MM`.
    pub start: Spanned<String>,
    /// Local end time, `HH:MM`, `24:00` for end of day.
    pub end: Spanned<String>,
    /// The window ends on the next day (`22:00` to `06:00`).
    #[serde(default)]
    pub overnight: bool,
}

/// A holiday: no working time that local date.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Holiday {
    /// Local date, `YYYY-MM-DD`.
    pub date: Spanned<String>,
    /// Its name.
    #[serde(default)]
    pub name: String,
}

/// A period in which the SLA clock stops (maintenance, change freeze).
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct ExclusionSpec {
    /// Local start, `YYYY-MM-DDTHH:MM`.
    pub start: Spanned<String>,
    /// Local end, `YYYY-MM-DDTHH:MM`.
    pub end: Spanned<String>,
    /// Why the clock stops.
    #[serde(default)]
    pub reason: String,
}

/// A business-hours calendar.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct CalendarSpec {
    /// Stable id.
    pub id: Ref,
    /// Display name.
    pub name: String,
    /// IANA time zone the calendar counts in.
    pub time_zone: Spanned<String>,
    /// Weekly working windows.
    #[serde(rename = "window")]
    pub windows: Vec<WindowSpec>,
    /// Holidays.
    #[serde(default, rename = "holiday")]
    pub holidays: Vec<Holiday>,
    /// Exclusion windows.
    #[serde(default, rename = "exclusion")]
    pub exclusions: Vec<ExclusionSpec>,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
}

/// One level of a decision dimension.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Level {
    /// Stable id (`regulated`).
    pub id: Ref,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// What the level means, in plain words.
    #[serde(default)]
    pub description: String,
    /// Phrases in a description that imply this level.
    #[serde(default)]
    pub phrases: Vec<Spanned<String>>,
}

/// An ordered decision dimension (data sensitivity, impact scope, approvals).
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Dimension {
    /// Stable id (`data`); also the `route` flag name (`--data`).
    pub id: Ref,
    /// Display name.
    pub name: String,
    /// What the dimension measures.
    #[serde(default)]
    pub description: String,
    /// Levels from least to most serious.
    #[serde(rename = "level")]
    pub levels: Vec<Level>,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
}

/// Whether a rule routes or applies on top of whichever rule routes.
#[derive(
    Debug,
    Clone,
    Copy,
    Deserialize,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// Competes by precedence; one wins.
    #[default]
    Route,
    /// Always applies on top when it matches (security, privacy).
    Override,
}

/// What must hold for a rule to match.
#[derive(
    Debug,
    Clone,
    Default,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Conditions {
    /// Any of these phrases.
    #[serde(default)]
    pub any: Vec<Spanned<String>>,
    /// Every one of these phrases.
    #[serde(default)]
    pub all: Vec<Spanned<String>>,
    /// None of these phrases.
    #[serde(default)]
    pub none: Vec<Spanned<String>>,
    /// Any of these regular expressions, case-insensitive, on the description.
    #[serde(default)]
    pub regex: Vec<Spanned<String>>,
    /// Dimension comparisons: `data = ">= confidential"`.
    #[serde(default)]
    pub dimensions: BTreeMap<String, Spanned<String>>,
}

/// What a matching rule decides.
#[derive(
    Debug,
    Clone,
    Default,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Outcome {
    /// The tier.
    #[serde(default)]
    pub tier: Option<Ref>,
    /// The severity.
    #[serde(default)]
    pub severity: Option<Ref>,
    /// At least this severe.
    #[serde(default)]
    pub min_severity: Option<Ref>,
    /// An owner other than the tier's.
    #[serde(default)]
    pub owner: Option<Ref>,
    /// Extra parties to notify; `sponsor` names the manifest's sponsor.
    #[serde(default)]
    pub notify: Vec<Ref>,
    /// The script to read.
    #[serde(default)]
    pub script: Option<Ref>,
}

/// A routing rule.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Rule {
    /// Stable id.
    pub id: Ref,
    /// What the rule is for.
    pub summary: String,
    /// Route or override.
    #[serde(default)]
    pub kind: RuleKind,
    /// Higher wins; ties go to the more specific match, then the smaller id.
    #[serde(default)]
    pub precedence: Spanned<i32>,
    /// When it matches.
    #[serde(rename = "when")]
    pub conditions: Conditions,
    /// What it decides.
    #[serde(rename = "then")]
    pub outcome: Outcome,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
}

/// A row of the decision matrix: facts that set a severity floor.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Decision {
    /// Stable id.
    pub id: Ref,
    /// The row in words.
    #[serde(default)]
    pub summary: String,
    /// Dimension comparisons that must all hold.
    pub when: BTreeMap<String, Spanned<String>>,
    /// At least this severe.
    pub min_severity: Ref,
    /// Extra parties to notify.
    #[serde(default)]
    pub notify: Vec<Ref>,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
}

/// An escalation script for front-line responders.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Script {
    /// Stable id.
    pub id: Ref,
    /// Title.
    pub name: String,
    /// Text with `{placeholders}`.
    pub text: Spanned<String>,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
}

/// A glossary entry.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Term {
    /// Stable id.
    pub id: Ref,
    /// The technical term.
    pub term: String,
    /// What it means.
    pub meaning: String,
    /// What it means for the business.
    pub business_impact: String,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
}

/// Words that mean the same when matching descriptions.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Synonyms {
    /// Stable id.
    pub id: Ref,
    /// The equivalent terms.
    pub terms: Vec<Spanned<String>>,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
}

/// The route when no rule matches.
#[derive(
    Debug,
    Clone,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "snake_case")]
pub struct Fallback {
    /// The tier.
    pub tier: Ref,
    /// The severity.
    pub severity: Ref,
    /// The script.
    #[serde(default)]
    pub script: Option<Ref>,
    /// Extra parties to notify.
    #[serde(default)]
    pub notify: Vec<Ref>,
    #[serde(skip)]
    /// The file the entity was read from.
    pub origin: FileId,
}

/// Names of the sections a fragment may hold, for unknown-key suggestions.
pub const SECTIONS: &[&str] = &[
    "manifest",
    "severity",
    "tier",
    "team",
    "contact",
    "calendar",
    "dimension",
    "rule",
    "decision",
    "script",
    "term",
    "synonyms",
    "fallback",
];

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_keep_each_value_in_its_place() {
        let all = [None, Some("@a"), Some(""), None, Some("Q-1 é")];
        let channels = Channels::new(all).unwrap();
        assert_eq!(
            channels.iter().collect::<Vec<_>>(),
            [("chat", "@a"), ("phone", ""), ("queue", "Q-1 é")]
        );
        for (name, value) in CHANNEL_NAMES.iter().zip(all) {
            assert_eq!(channels.get(name), value, "{name}");
        }
        assert_eq!(channels.get("fax"), None);
        assert_eq!(Channels::default().iter().count(), 0);
        assert_eq!(
            format!("{channels:?}"),
            "Channels { email: None, chat: Some(\"@a\"), phone: Some(\"\"), pager: None, queue: Some(\"Q-1 é\") }"
        );
    }

    #[test]
    fn channels_read_and_write_as_a_table_of_optional_strings() {
        let written = r#"{"email":"a@example.org","pager":"rota"}"#;
        let channels: Channels = serde_json::from_str(written).unwrap();
        assert_eq!(channels.get("email"), Some("a@example.org"));
        assert_eq!(channels.get("pager"), Some("rota"));
        assert_eq!(channels.iter().count(), 2);
        assert_eq!(serde_json::to_string(&channels).unwrap(), written);
        let table = borsh::to_vec(&channels.to_table()).unwrap();
        assert_eq!(borsh::to_vec(&channels).unwrap(), table);
        assert_eq!(borsh::from_slice::<Channels>(&table).unwrap(), channels);
        let schema = serde_json::to_value(schemars::schema_for!(Channels)).unwrap();
        assert_eq!(schema["title"], "Channels");
        assert_eq!(
            schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            CHANNEL_NAMES
        );
    }
}

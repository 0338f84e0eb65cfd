//! The checks `escalate validate` runs on a loaded matrix.
//!
//! Each check pushes findings and carries on, so that one run reports every
//! problem. Along the way the checks resolve what `route` needs (calendars,
//! effective targets per severity and tier), so that nothing is parsed twice.

use super::diagnostic::{Code, Finding};
use crate::calendar::{self, Calendar, Clock, Exclusion, Window};
use crate::matrix::Matrix;
use crate::matrix::de::Spanned;
use crate::matrix::duration::{DurationError, DurationSpec};
use crate::matrix::node::Span;
use crate::matrix::schema::{self, FileId, Milestone, Ref, RuleKind};
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// Names that stand for a route's own parties in notify lists.
pub const RESERVED_PARTIES: &[&str] = &["owner", "backup", "next-tier", "sponsor"];

/// The clock name for around-the-clock targets in overrides.
pub const AROUND_THE_CLOCK: &str = "24x7";

/// The placeholders a script may use.
pub const PLACEHOLDERS: &[&str] = &[
    "severity",
    "severity_name",
    "tier",
    "tier_name",
    "owner",
    "owner_channel",
    "backup",
    "backup_channel",
    "notify",
    "acknowledge_by",
    "assess_by",
    "resolve_by",
    "next_update_by",
    "sponsor",
    "how_to_ask",
    "matrix_version",
];

/// The targets that apply to one severity and tier, resolved.
#[derive(Debug, Clone)]
pub struct EffectiveTargets {
    /// The calendar id, or `None` around the clock.
    pub calendar: Option<String>,
    /// The clock the targets count on.
    pub clock: Clock,
    /// Minutes to acknowledge.
    pub acknowledge: u64,
    /// Minutes to assess.
    pub assess: u64,
    /// Minutes to resolve.
    pub resolve: u64,
    /// Minutes between updates.
    pub update_every: u64,
    /// Escalation steps: (minutes after opening, milestone, notify ids, action).
    pub escalation: Vec<ResolvedStep>,
}

/// An escalation step with its delay resolved.
#[derive(Debug, Clone)]
pub struct ResolvedStep {
    /// Minutes after opening.
    pub after: u64,
    /// The milestone that, when missed, triggers the step.
    pub unless: Milestone,
    /// Who to notify (party ids or reserved names).
    pub notify: Vec<String>,
    /// What to do.
    pub action: String,
}

/// What validation found and resolved.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Every finding.
    pub findings: Vec<Finding>,
    /// Calendars by id.
    pub calendars: BTreeMap<String, Arc<Calendar>>,
    /// Targets by (severity id, tier id).
    pub targets: BTreeMap<(String, String), EffectiveTargets>,
    /// The length of a business day in minutes.
    pub business_day_minutes: u32,
    /// How many matrix files were not read (a syntax error, a file that is
    /// not text or cannot be opened); while any is, the checks that need
    /// the whole matrix were withheld (see [`check_loaded`]).
    pub unread_files: usize,
}

impl Checked {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == super::diagnostic::Severity::Error)
    }
}

/// Runs every check. `today` decides what is overdue.
pub fn check(matrix: &Matrix, today: NaiveDate) -> Checked {
    let mut c = Checker {
        matrix,
        today,
        out: Checked {
            business_day_minutes: 8 * 60,
            ..Checked::default()
        },
    };
    c.ids();
    c.manifest();
    c.parties();
    c.calendars();
    c.tiers();
    c.severities();
    c.dimensions_and_rules();
    c.scripts();
    c.fallback();
    c.unused();
    // Targets are checked once per tier; a problem in a shared target is one finding.
    let mut seen = HashSet::new();
    c.out
        .findings
        .retain(|f| seen.insert((f.code, f.file, f.span, f.message.clone())));
    c.out
}

/// Runs every check ([`check`]) and adds the findings of loading the
/// matrix, in their documented order.
///
/// A file that was not read (see [`Code::leaves_file_unread`]) makes every
/// id, section and manifest written in it look missing, and would bury its
/// own error under references to them (as a compiler that stops after a
/// parse error avoids). While any file is unread, findings that may only
/// follow from that ([`Code::may_follow_from_unread_file`]) are withheld and
/// [`Checked::unread_files`] says how many files were not read.
pub fn check_loaded(matrix: &Matrix, mut findings: Vec<Finding>, today: NaiveDate) -> Checked {
    let mut checked = check(matrix, today);
    let unread: BTreeSet<(Option<FileId>, &str)> = findings
        .iter()
        .filter(|f| f.code.leaves_file_unread())
        .map(|f| match f.file {
            Some(file) => (Some(file), ""),
            None => (None, f.message.as_str()),
        })
        .collect();
    checked.unread_files = unread.len();
    // With no file at all, everything is missing; `no-matrix-files` says why.
    let nothing_read = findings.iter().any(|f| f.code == Code::NoMatrixFiles);
    if checked.unread_files > 0 || nothing_read {
        checked
            .findings
            .retain(|f| !f.code.may_follow_from_unread_file());
    }
    findings.append(&mut checked.findings);
    super::sort(&mut findings, &matrix.sources);
    checked.findings = findings;
    checked
}

struct Checker<'m> {
    matrix: &'m Matrix,
    today: NaiveDate,
    out: Checked,
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

impl Checker<'_> {
    fn push(&mut self, finding: Finding) {
        self.out.findings.push(finding);
    }

    fn at(&mut self, code: Code, file: FileId, span: Span, message: impl Into<String>) {
        self.push(Finding::at(code, file, span, message));
    }

    /// Kebab-case ids and duplicates, per namespace.
    fn ids(&mut self) {
        let m = self.matrix;
        let namespaces: Vec<(&str, Vec<(&Ref, FileId)>)> = vec![
            (
                "severity",
                m.severities.iter().map(|e| (&e.id, e.origin)).collect(),
            ),
            ("tier", m.tiers.iter().map(|e| (&e.id, e.origin)).collect()),
            (
                "team or contact",
                m.parties.iter().map(|e| (&e.id, e.origin)).collect(),
            ),
            (
                "calendar",
                m.calendars.iter().map(|e| (&e.id, e.origin)).collect(),
            ),
            (
                "dimension",
                m.dimensions.iter().map(|e| (&e.id, e.origin)).collect(),
            ),
            ("rule", m.rules.iter().map(|e| (&e.id, e.origin)).collect()),
            (
                "decision",
                m.decisions.iter().map(|e| (&e.id, e.origin)).collect(),
            ),
            (
                "script",
                m.scripts.iter().map(|e| (&e.id, e.origin)).collect(),
            ),
            ("term", m.terms.iter().map(|e| (&e.id, e.origin)).collect()),
            (
                "synonym group",
                m.synonyms.iter().map(|e| (&e.id, e.origin)).collect(),
            ),
        ];
        for (kind, ids) in namespaces {
            self.unique(kind, &ids);
        }
        for dim in &m.dimensions {
            let ids: Vec<_> = dim.levels.iter().map(|l| (&l.id, dim.origin)).collect();
            self.unique(&format!("level of dimension `{}`", dim.id.value), &ids);
        }
        for party in &m.parties {
            if RESERVED_PARTIES.contains(&party.id.value.as_str()) {
                self.push(
                    Finding::at(
                        Code::InvalidId,
                        party.origin,
                        party.id.span,
                        format!(
                            "`{}` is reserved in notify lists and cannot name a team or contact",
                            party.id.value
                        ),
                    )
                    .label("reserved name"),
                );
            }
        }
    }

    fn unique(&mut self, kind: &str, ids: &[(&Ref, FileId)]) {
        let mut first: HashMap<&str, (FileId, Span)> = HashMap::new();
        for (id, file) in ids {
            if !is_kebab(&id.value) {
                self.push(
                    Finding::at(
                        Code::InvalidId,
                        *file,
                        id.span,
                        format!("{kind} id `{}` is not kebab-case", id.value),
                    )
                    .label("not kebab-case")
                    .help("use lower-case letters, digits and single hyphens, for example `tier-2` or `sev1`"),
                );
            }
            match first.get(id.value.as_str()) {
                Some((first_file, first_span)) => {
                    self.push(
                        Finding::at(
                            Code::DuplicateId,
                            *file,
                            id.span,
                            format!("{kind} id `{}` is defined twice", id.value),
                        )
                        .label("defined again here")
                        .related(*first_file, *first_span, "first defined here")
                        .help("ids must be unique across all files of the matrix; rename or remove one"),
                    );
                }
                None => {
                    first.insert(&id.value, (*file, id.span));
                }
            }
        }
    }

    fn party_ref(&mut self, file: FileId, r: &Ref, what: &str, reserved: bool) {
        let name = r.value.as_str();
        if reserved && RESERVED_PARTIES.contains(&name) {
            return;
        }
        if self.matrix.party(name).is_none() {
            let ids: Vec<&str> = self
                .matrix
                .parties
                .iter()
                .map(|p| p.id.value.as_str())
                .collect();
            self.unknown(file, r, what, "team or contact", &ids);
        }
    }

    fn unknown(&mut self, file: FileId, r: &Ref, what: &str, kind: &str, known: &[&str]) {
        if self.matrix.broken.contains(&r.value) {
            // The entity is written but failed to load; that error is reported.
            return;
        }
        let mut finding = Finding::at(
            Code::UnknownReference,
            file,
            r.span,
            format!("{what} refers to unknown {kind} `{}`", r.value),
        )
        .label(format!("no {kind} has this id"));
        if let Some(best) = crate::matrix::de::closest(&r.value, known) {
            finding = finding.help(format!("did you mean `{best}`?"));
        } else if !known.is_empty() && known.len() <= 12 {
            finding = finding.help(format!("known: {}", known.join(", ")));
        }
        self.push(finding);
    }

    fn tier_ref(&mut self, file: FileId, r: &Ref, what: &str) {
        if self.matrix.tier(&r.value).is_none() {
            let ids: Vec<&str> = self
                .matrix
                .tiers
                .iter()
                .map(|t| t.id.value.as_str())
                .collect();
            self.unknown(file, r, what, "tier", &ids);
        }
    }

    fn severity_ref(&mut self, file: FileId, r: &Ref, what: &str) {
        if self.matrix.severity(&r.value).is_none() {
            let ids: Vec<&str> = self
                .matrix
                .severities
                .iter()
                .map(|t| t.id.value.as_str())
                .collect();
            self.unknown(file, r, what, "severity", &ids);
        }
    }

    fn script_ref(&mut self, file: FileId, r: &Ref, what: &str) {
        if self.matrix.script(&r.value).is_none() {
            let ids: Vec<&str> = self
                .matrix
                .scripts
                .iter()
                .map(|t| t.id.value.as_str())
                .collect();
            self.unknown(file, r, what, "script", &ids);
        }
    }

    fn date(&mut self, file: FileId, text: &Spanned<String>, what: &str) -> Option<NaiveDate> {
        let date = schema::parse_date(&text.value);
        if date.is_none() {
            self.push(
                Finding::at(
                    Code::InvalidDate,
                    file,
                    text.span,
                    format!("{what} `{}` is not a date", text.value),
                )
                .label("not a real YYYY-MM-DD date")
                .help("write dates as YYYY-MM-DD, for example 2026-10-01"),
            );
        }
        date
    }

    fn zone(&mut self, file: FileId, text: &Spanned<String>) -> Option<chrono_tz::Tz> {
        if let Ok(tz) = text.value.parse::<chrono_tz::Tz>() {
            return Some(tz);
        }
        self.push(
            Finding::at(
                Code::InvalidTimeZone,
                file,
                text.span,
                format!("`{}` is not an IANA time zone", text.value),
            )
            .label("unknown zone")
            .help(
                "use a name from the IANA database, for example Europe/Berlin or America/New_York",
            ),
        );
        None
    }

    fn cadence_days(&self) -> Option<i64> {
        let manifest = self.matrix.manifest.as_ref()?;
        let spec = DurationSpec::parse(&manifest.review_every.value).ok()?;
        let minutes = spec.total_minutes(self.out.business_day_minutes);
        i64::try_from(minutes / (24 * 60)).ok()
    }

    fn manifest(&mut self) {
        let Some(m) = self.matrix.manifest.as_ref() else {
            self.push(
                Finding::global(Code::MissingManifest, "no file holds the [manifest] table")
                    .help("add a [manifest] table with name, version, owner, sponsor, time_zone, review_every and last_reviewed"),
            );
            return;
        };
        let file = m.origin;
        if semver::Version::parse(&m.version.value).is_err() {
            self.push(
                Finding::at(
                    Code::InvalidVersion,
                    file,
                    m.version.span,
                    format!("version `{}` is not a semantic version", m.version.value),
                )
                .label("expected MAJOR.MINOR.PATCH")
                .help("write the version as three numbers, for example 1.4.0"),
            );
        }
        self.party_ref(file, &m.owner, "the manifest's owner", false);
        self.party_ref(file, &m.sponsor, "the manifest's sponsor", false);
        self.zone(file, &m.time_zone);
        if let Some(bd) = &m.business_day {
            match DurationSpec::parse(&bd.value) {
                Ok(spec) if spec.days == 0 && spec.business_days == 0 && !spec.is_zero() => {
                    self.out.business_day_minutes =
                        u32::try_from(spec.total_minutes(0)).unwrap_or(8 * 60);
                }
                Ok(_) => self.at(
                    Code::InvalidDuration,
                    file,
                    bd.span,
                    "business_day must be a positive number of hours and minutes, for example `8h`",
                ),
                Err(e) => self.at(Code::InvalidDuration, file, bd.span, e.to_string()),
            }
        }
        match DurationSpec::parse(&m.review_every.value) {
            Ok(spec) if spec.business_days == 0 && spec.total_minutes(0) >= 24 * 60 => {}
            Ok(_) => self.at(
                Code::InvalidDuration,
                file,
                m.review_every.span,
                "review_every must be a number of days, for example `90d`",
            ),
            Err(e) => self.at(
                Code::InvalidDuration,
                file,
                m.review_every.span,
                e.to_string(),
            ),
        }
        let last = self.date(file, &m.last_reviewed, "last_reviewed");
        if let (Some(last), Some(days)) = (last, self.cadence_days()) {
            let due = last + chrono::Duration::days(days);
            if due < self.today {
                self.push(
                    Finding::at(
                        Code::ReviewOverdue,
                        file,
                        m.last_reviewed.span,
                        format!(
                            "review overdue: the matrix was last reviewed on {last}, the review was due on {due}"
                        ),
                    )
                    .label("last review")
                    .help("review the matrix with its owners, then update last_reviewed"),
                );
            }
        }
    }

    fn parties(&mut self) {
        let cadence = self.cadence_days();
        for party in &self.matrix.parties {
            let file = party.origin;
            let kind = if party.is_team { "team" } else { "contact" };
            if party.channels.iter().next().is_none() {
                self.push(
                    Finding::at(
                        Code::ContactWithoutChannel,
                        file,
                        party.id.span,
                        format!("{kind} `{}` has no channel to reach them", party.id.value),
                    )
                    .label("no email, chat, phone, pager or queue")
                    .help("add at least one entry under channels"),
                );
            }
            for private in &party.private {
                if !schema::CHANNEL_NAMES.contains(&private.value.as_str()) {
                    self.push(
                        Finding::at(
                            Code::UnknownChannel,
                            file,
                            private.span,
                            format!("`{}` is not a channel", private.value),
                        )
                        .help(format!(
                            "channels are: {}",
                            schema::CHANNEL_NAMES.join(", ")
                        )),
                    );
                }
            }
            if let Some(team) = &party.team {
                let ok = self.matrix.party(&team.value).is_some_and(|p| p.is_team);
                if !ok {
                    let ids: Vec<&str> = self
                        .matrix
                        .parties
                        .iter()
                        .filter(|p| p.is_team)
                        .map(|p| p.id.value.as_str())
                        .collect();
                    self.unknown(
                        file,
                        team,
                        &format!("{kind} `{}`", party.id.value),
                        "team",
                        &ids,
                    );
                }
            }
            if let Some(lead) = &party.lead {
                self.party_ref(
                    file,
                    lead,
                    &format!("team `{}`'s lead", party.id.value),
                    false,
                );
            }
            if let Some(zone) = &party.time_zone {
                self.zone(file, zone);
            }
            match &party.verified {
                Some(verified) => {
                    let date = self.date(file, verified, "verified");
                    if let (Some(date), Some(days)) = (date, cadence)
                        && date + chrono::Duration::days(days) < self.today
                    {
                        self.push(
                            Finding::at(
                                Code::ContactStale,
                                file,
                                verified.span,
                                format!(
                                    "{kind} `{}` was last verified on {date}, longer ago than the review cadence",
                                    party.id.value
                                ),
                            )
                            .label("last verified"),
                        );
                    }
                }
                None => self.push(
                    Finding::at(
                        Code::ContactStale,
                        file,
                        party.id.span,
                        format!("{kind} `{}` has never been verified", party.id.value),
                    )
                    .help("add `verified = \"YYYY-MM-DD\"` once the entry was checked"),
                ),
            }
        }
    }

    #[allow(clippy::too_many_lines)]
    fn calendars(&mut self) {
        for spec in &self.matrix.calendars {
            let file = spec.origin;
            let zone = self.zone(file, &spec.time_zone);
            let mut weekly: [Vec<Window>; 7] = Default::default();
            let mut window_spans: [Vec<Span>; 7] = Default::default();
            let mut ok = true;
            for window in &spec.windows {
                let start = calendar::parse_clock_time(&window.start.value);
                let end = calendar::parse_clock_time(&window.end.value);
                for (text, parsed) in [(&window.start, &start), (&window.end, &end)] {
                    if let Err(e) = parsed {
                        ok = false;
                        self.push(
                            Finding::at(Code::InvalidWindow, file, text.span, format!("`{}`: {e}", text.value))
                                .label("not a time of day")
                                .help("write times as HH:MM between 00:00 and 24:00, for example 09:00 or 17:30"),
                        );
                    }
                }
                let (Ok(start), Ok(end)) = (start, end) else {
                    continue;
                };
                if !window.overnight && end <= start {
                    ok = false;
                    self.push(
                        Finding::at(
                            Code::InvalidWindow,
                            file,
                            window.end.span,
                            format!(
                                "window {}-{} ends before it starts",
                                window.start.value, window.end.value
                            ),
                        )
                        .label("end is not after start")
                        .help("for a window that runs past midnight add `overnight = true`; write end of day as 24:00"),
                    );
                    continue;
                }
                for day in &window.days {
                    let Some(days) = parse_days(&day.value) else {
                        ok = false;
                        self.push(
                            Finding::at(
                                Code::InvalidWindow,
                                file,
                                day.span,
                                format!("`{}` is not a weekday or a range of weekdays", day.value),
                            )
                            .help(
                                "use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri",
                            ),
                        );
                        continue;
                    };
                    for d in days {
                        if let (Some(list), Some(spans)) =
                            (weekly.get_mut(d), window_spans.get_mut(d))
                        {
                            list.push(Window {
                                start,
                                end,
                                overnight: window.overnight,
                            });
                            spans.push(window.start.span);
                        }
                    }
                }
            }
            let mut holidays = std::collections::BTreeSet::new();
            for holiday in &spec.holidays {
                if let Some(date) = self.date(file, &holiday.date, "holiday") {
                    holidays.insert(date);
                }
            }
            let mut exclusions = Vec::new();
            for exclusion in &spec.exclusions {
                let start = parse_local(&exclusion.start.value);
                let end = parse_local(&exclusion.end.value);
                for (text, parsed) in [(&exclusion.start, &start), (&exclusion.end, &end)] {
                    if parsed.is_none() {
                        self.push(
                            Finding::at(Code::InvalidDate, file, text.span, format!("`{}` is not a local date-time", text.value))
                                .help("write YYYY-MM-DDTHH:MM in the calendar's zone, for example 2026-12-24T12:00"),
                        );
                    }
                }
                if let (Some(start), Some(end)) = (start, end) {
                    if end <= start {
                        self.push(
                            Finding::at(
                                Code::InvalidWindow,
                                file,
                                exclusion.end.span,
                                "an exclusion must end after it starts",
                            )
                            .label("end is not after start"),
                        );
                    } else {
                        exclusions.push(Exclusion { start, end });
                    }
                }
            }
            let Some(zone) = zone else { continue };
            let cal = Calendar {
                zone,
                weekly,
                holidays,
                exclusions,
            };
            if ok {
                for problem in cal.window_problems() {
                    let span = problem
                        .weekday
                        .map(|d| calendar::weekday_index(d) as usize)
                        .and_then(|d| window_spans.get(d))
                        .and_then(|s| problem.windows.last().and_then(|w| s.get(*w)))
                        .copied()
                        .unwrap_or(spec.id.span);
                    self.push(
                        Finding::at(
                            Code::InvalidWindow,
                            file,
                            span,
                            format!("calendar `{}`: {}", spec.id.value, problem.message),
                        )
                        .label("this window"),
                    );
                }
            }
            if cal.weekly_working_minutes() == 0 {
                self.push(
                    Finding::at(
                        Code::NoWorkingTime,
                        file,
                        spec.id.span,
                        format!(
                            "calendar `{}` has no working time in the week",
                            spec.id.value
                        ),
                    )
                    .help("add at least one window with a start before its end"),
                );
                continue;
            }
            self.out
                .calendars
                .insert(spec.id.value.clone(), Arc::new(cal));
        }
    }

    fn tiers(&mut self) {
        if self.matrix.tiers.is_empty() {
            self.push(
                Finding::global(Code::MissingSection, "the matrix defines no tiers")
                    .help("add [[tier]] entries"),
            );
        }
        for tier in &self.matrix.tiers {
            let file = tier.origin;
            let what = format!("tier `{}`", tier.id.value);
            self.party_ref(file, &tier.owner, &format!("{what}'s owner"), false);
            match &tier.backup {
                Some(backup) => {
                    self.party_ref(file, backup, &format!("{what}'s backup"), false);
                    if backup.value == tier.owner.value {
                        self.push(
                            Finding::at(
                                Code::MissingBackup,
                                file,
                                backup.span,
                                format!("{what}'s backup is its owner"),
                            )
                            .label("same as the owner")
                            .help("name a different team or person who stands in"),
                        );
                    }
                }
                None => self.push(
                    Finding::at(
                        Code::MissingBackup,
                        file,
                        tier.id.span,
                        format!("{what} has no backup"),
                    )
                    .help("add `backup = \"...\"` naming a team or contact who stands in"),
                ),
            }
            if let Some(next) = &tier.escalates_to {
                self.tier_ref(file, next, &format!("{what}'s escalates_to"));
            }
        }
        // Follow each chain; a chain longer than the number of tiers loops.
        let mut reported = HashSet::new();
        for tier in &self.matrix.tiers {
            let mut seen = vec![tier.id.value.as_str()];
            let mut current = tier;
            while let Some(next) = current
                .escalates_to
                .as_ref()
                .and_then(|n| self.matrix.tier(&n.value))
            {
                if let Some(pos) = seen.iter().position(|s| *s == next.id.value) {
                    let mut cycle: Vec<&str> =
                        seen.get(pos..).map(<[&str]>::to_vec).unwrap_or_default();
                    let mut key = cycle.clone();
                    key.sort_unstable();
                    if reported.insert(key.join(",")) {
                        cycle.push(&next.id.value);
                        let span = current
                            .escalates_to
                            .as_ref()
                            .map_or(current.id.span, |r| r.span);
                        self.push(
                            Finding::at(
                                Code::EscalationCycle,
                                current.origin,
                                span,
                                format!("tiers escalate in a cycle: {}", cycle.join(" -> ")),
                            )
                            .label("closes the cycle")
                            .help("the last tier must not escalate back to an earlier one"),
                        );
                    }
                    break;
                }
                seen.push(&next.id.value);
                current = next;
            }
        }
    }

    fn duration(
        &mut self,
        file: FileId,
        text: &Spanned<String>,
        on_calendar: bool,
        what: &str,
    ) -> Option<u64> {
        let spec = match DurationSpec::parse(&text.value) {
            Ok(spec) => spec,
            Err(e) => {
                let help = match e {
                    DurationError::MissingUnit(_) | DurationError::Malformed(_) => {
                        "write for example `30m`, `4h`, `1h30m`, `2d` (around the clock) or `3bd` (business days)"
                    }
                    _ => "units are m, h, d (around the clock) and bd (on a calendar)",
                };
                self.push(
                    Finding::at(
                        Code::InvalidDuration,
                        file,
                        text.span,
                        format!("{what}: {e}"),
                    )
                    .label("not a duration")
                    .help(help),
                );
                return None;
            }
        };
        if on_calendar && spec.days > 0 {
            self.push(
                Finding::at(
                    Code::InvalidDuration,
                    file,
                    text.span,
                    format!("{what}: `d` (24 real hours) is ambiguous on a business calendar"),
                )
                .label("ambiguous unit")
                .help("use `bd` for business days or hours (`16h`) of working time"),
            );
            return None;
        }
        if !on_calendar && spec.business_days > 0 {
            self.push(
                Finding::at(
                    Code::InvalidDuration,
                    file,
                    text.span,
                    format!("{what}: `bd` (business days) needs a calendar, but this target runs around the clock"),
                )
                .label("no calendar here")
                .help("use `d` for days of 24 hours, or set a calendar for these targets"),
            );
            return None;
        }
        if spec.is_zero() {
            self.push(
                Finding::at(
                    Code::ZeroDuration,
                    file,
                    text.span,
                    format!("{what} is zero"),
                )
                .label("must be positive"),
            );
            return None;
        }
        Some(spec.total_minutes(self.out.business_day_minutes))
    }

    fn clock(&mut self, file: FileId, calendar: Option<&Ref>) -> Option<(Option<String>, Clock)> {
        match calendar {
            None => Some((None, Clock::AroundTheClock)),
            Some(r) if r.value == AROUND_THE_CLOCK => Some((None, Clock::AroundTheClock)),
            Some(r) => {
                if let Some(cal) = self.out.calendars.get(&r.value) {
                    return Some((Some(r.value.clone()), Clock::Business(cal.clone())));
                }
                if self.matrix.calendar(&r.value).is_none() {
                    let ids: Vec<&str> = self
                        .matrix
                        .calendars
                        .iter()
                        .map(|c| c.id.value.as_str())
                        .collect();
                    self.unknown(file, r, "the targets' calendar", "calendar", &ids);
                }
                None
            }
        }
    }

    #[allow(clippy::too_many_lines)]
    fn severities(&mut self) {
        let m = self.matrix;
        if m.severities.is_empty() {
            self.push(
                Finding::global(
                    Code::MissingSection,
                    "the matrix defines no severity levels",
                )
                .help("add [[severity]] entries"),
            );
        }
        let mut ranks: Vec<(u32, &Spanned<u32>, FileId)> = m
            .severities
            .iter()
            .map(|s| (s.rank.value, &s.rank, s.origin))
            .collect();
        ranks.sort_by_key(|r| r.0);
        // With an entity that failed to load, gaps in the ranks are expected.
        let ranks = if m.broken.is_empty() {
            ranks
        } else {
            Vec::new()
        };
        for (expected, (rank, spanned, file)) in (1u32..).zip(&ranks) {
            if *rank != expected {
                self.push(
                    Finding::at(
                        Code::SeverityRank,
                        *file,
                        spanned.span,
                        format!("severity rank {rank} breaks the sequence 1, 2, 3...: expected {expected}"),
                    )
                    .label("rank out of sequence")
                    .help("rank 1 is the most severe; give each level a distinct rank without gaps"),
                );
                break;
            }
        }
        for sev in &m.severities {
            let file = sev.origin;
            for n in &sev.notify {
                self.party_ref(
                    file,
                    n,
                    &format!("severity `{}`'s notify list", sev.id.value),
                    true,
                );
            }
            let base_clock = self.clock(file, sev.targets.calendar.as_ref());
            let on_cal = sev
                .targets
                .calendar
                .as_ref()
                .is_some_and(|c| c.value != AROUND_THE_CLOCK);
            let what = |field: &str| format!("severity `{}` {field}", sev.id.value);
            let base = [
                self.duration(file, &sev.targets.acknowledge, on_cal, &what("acknowledge")),
                self.duration(file, &sev.targets.assess, on_cal, &what("assess")),
                self.duration(file, &sev.targets.resolve, on_cal, &what("resolve")),
                self.duration(
                    file,
                    &sev.targets.update_every,
                    on_cal,
                    &what("update_every"),
                ),
            ];
            let base_spans = [
                sev.targets.acknowledge.span,
                sev.targets.assess.span,
                sev.targets.resolve.span,
                sev.targets.update_every.span,
            ];
            let mut steps = Vec::new();
            for step in &sev.escalation {
                for n in &step.notify {
                    self.party_ref(
                        file,
                        n,
                        &format!("severity `{}`'s escalation", sev.id.value),
                        true,
                    );
                }
                if let Some(after) =
                    self.duration(file, &step.after, on_cal, &what("escalation delay"))
                {
                    steps.push((
                        ResolvedStep {
                            after,
                            unless: step.unless,
                            notify: step.notify.iter().map(|n| n.value.clone()).collect(),
                            action: step.action.clone(),
                        },
                        step.after.span,
                    ));
                }
            }
            let mut overrides: HashMap<&str, &schema::TargetOverride> = HashMap::new();
            for o in &sev.overrides {
                self.tier_ref(
                    file,
                    &o.tier,
                    &format!("severity `{}`'s override", sev.id.value),
                );
                overrides.insert(&o.tier.value, o);
            }
            for tier in &m.tiers {
                let o = overrides.get(tier.id.value.as_str()).copied();
                let (clock, on_cal_t) = match o.and_then(|o| o.calendar.as_ref()) {
                    Some(cal) => (self.clock(file, Some(cal)), cal.value != AROUND_THE_CLOCK),
                    None => (base_clock.clone(), on_cal),
                };
                let fields = o.map(|o| [&o.acknowledge, &o.assess, &o.resolve, &o.update_every]);
                let mut values = [None; 4];
                let mut spans = base_spans;
                for i in 0..4 {
                    let over = fields
                        .and_then(|f| f.get(i).copied())
                        .and_then(Option::as_ref);
                    values[i] = match over {
                        Some(text) => {
                            spans[i] = text.span;
                            self.duration(
                                file,
                                text,
                                on_cal_t,
                                &what(&format!("override for {}", tier.id.value)),
                            )
                        }
                        None if on_cal_t != on_cal => {
                            // A calendar override re-reads the base texts on the new clock.
                            let texts = [
                                &sev.targets.acknowledge,
                                &sev.targets.assess,
                                &sev.targets.resolve,
                                &sev.targets.update_every,
                            ];
                            texts.get(i).and_then(|t| {
                                DurationSpec::parse(&t.value)
                                    .ok()
                                    .map(|s| s.total_minutes(self.out.business_day_minutes))
                            })
                        }
                        None => base.get(i).copied().flatten(),
                    };
                }
                let [Some(ack), Some(assess), Some(resolve), Some(update)] = values else {
                    continue;
                };
                let Some((calendar, clock)) = clock else {
                    continue;
                };
                if !(ack <= assess && assess <= resolve) {
                    let (span, label) = if ack > assess {
                        (spans[1], "assess is shorter than acknowledge")
                    } else {
                        (spans[2], "resolve is shorter than assess")
                    };
                    {
                        self.push(
                            Finding::at(
                                Code::TargetOrder,
                                file,
                                span,
                                format!(
                                    "severity `{}`: targets must satisfy acknowledge <= assess <= resolve",
                                    sev.id.value
                                ),
                            )
                            .label(label),
                        );
                    }
                }
                let mut resolved_steps = Vec::new();
                for (step, span) in &steps {
                    let limit = match step.unless {
                        Milestone::Acknowledged => ack,
                        Milestone::Assessed => assess,
                        Milestone::Resolved => resolve,
                    };
                    if step.after > limit {
                        self.push(
                            Finding::at(
                                Code::EscalationTooLate,
                                file,
                                *span,
                                format!(
                                    "severity `{}`: escalation waits longer than the {} target",
                                    sev.id.value,
                                    match step.unless {
                                        Milestone::Acknowledged => "acknowledge",
                                        Milestone::Assessed => "assess",
                                        Milestone::Resolved => "resolve",
                                    }
                                ),
                            )
                            .label("fires after the target has already been missed"),
                        );
                    }
                    resolved_steps.push(step.clone());
                }
                self.out.targets.insert(
                    (sev.id.value.clone(), tier.id.value.clone()),
                    EffectiveTargets {
                        calendar,
                        clock,
                        acknowledge: ack,
                        assess,
                        resolve,
                        update_every: update,
                        escalation: resolved_steps,
                    },
                );
            }
        }
        self.inversions();
    }

    /// A more severe level must not have a looser target than a less severe one.
    fn inversions(&mut self) {
        let m = self.matrix;
        let mut by_rank: Vec<&schema::Severity> = m.severities.iter().collect();
        by_rank.sort_by_key(|s| s.rank.value);
        let mut reported = HashSet::new();
        for tier in &m.tiers {
            for pair in by_rank.windows(2) {
                let [more, less] = pair else { continue };
                let key = |s: &schema::Severity| (s.id.value.clone(), tier.id.value.clone());
                let (Some(a), Some(b)) = (
                    self.out.targets.get(&key(more)).cloned(),
                    self.out.targets.get(&key(less)).cloned(),
                ) else {
                    continue;
                };
                for (name, x, y, span) in [
                    (
                        "acknowledge",
                        a.acknowledge,
                        b.acknowledge,
                        more.targets.acknowledge.span,
                    ),
                    ("assess", a.assess, b.assess, more.targets.assess.span),
                    ("resolve", a.resolve, b.resolve, more.targets.resolve.span),
                    (
                        "update_every",
                        a.update_every,
                        b.update_every,
                        more.targets.update_every.span,
                    ),
                ] {
                    if looser(&a, &b, x, y)
                        && reported.insert((more.id.value.clone(), less.id.value.clone(), name))
                    {
                        self.push(
                            Finding::at(
                                Code::TargetInversion,
                                more.origin,
                                span,
                                format!(
                                    "{} ({}) has a looser {name} target than the less severe {} for {}",
                                    more.id.value, crate::matrix::duration::format_minutes(x), less.id.value, tier.id.value
                                ),
                            )
                            .label(format!("looser than {}", crate::matrix::duration::format_minutes(y))),
                        );
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_lines)]
    fn dimensions_and_rules(&mut self) {
        let m = self.matrix;
        for rule in &m.rules {
            let file = rule.origin;
            let what = format!("rule `{}`", rule.id.value);
            let c = &rule.conditions;
            if c.any.is_empty() && c.all.is_empty() && c.regex.is_empty() && c.dimensions.is_empty()
            {
                self.push(
                    Finding::at(Code::RuleWithoutCondition, file, rule.id.span, format!("{what} has no condition"))
                        .help("add when.any phrases, when.regex or when.dimensions; the [fallback] handles what nothing matches"),
                );
            }
            for pattern in &c.regex {
                if let Err(e) = regex::RegexBuilder::new(&pattern.value)
                    .size_limit(1 << 20)
                    .build()
                {
                    self.push(
                        Finding::at(
                            Code::InvalidRegex,
                            file,
                            pattern.span,
                            format!("{what}: the regular expression does not compile"),
                        )
                        .label("invalid pattern")
                        .help(first_line(&e.to_string())),
                    );
                }
            }
            for phrase in c.any.iter().chain(&c.all).chain(&c.none) {
                self.phrase(file, phrase, &what);
            }
            self.comparisons(file, &c.dimensions, &what);
            let o = &rule.outcome;
            if let Some(t) = &o.tier {
                self.tier_ref(file, t, &what);
            }
            for s in [&o.severity, &o.min_severity].into_iter().flatten() {
                self.severity_ref(file, s, &what);
            }
            if let Some(owner) = &o.owner {
                self.party_ref(file, owner, &what, false);
            }
            for n in &o.notify {
                self.party_ref(file, n, &what, true);
            }
            if let Some(s) = &o.script {
                self.script_ref(file, s, &what);
            }
            if rule.kind == RuleKind::Route && o.tier.is_none() {
                self.push(
                    Finding::at(
                        Code::WrongType,
                        file,
                        rule.id.span,
                        format!("{what} routes but names no tier"),
                    )
                    .help("add then.tier, or make it kind = \"override\""),
                );
            }
        }
        for dim in &m.dimensions {
            for level in &dim.levels {
                for phrase in &level.phrases {
                    self.phrase(dim.origin, phrase, &format!("level `{}`", level.id.value));
                }
            }
        }
        for decision in &m.decisions {
            let what = format!("decision `{}`", decision.id.value);
            self.comparisons(decision.origin, &decision.when, &what);
            self.severity_ref(decision.origin, &decision.min_severity, &what);
            for n in &decision.notify {
                self.party_ref(decision.origin, n, &what, true);
            }
        }
        for group in &m.synonyms {
            for term in &group.terms {
                self.phrase(
                    group.origin,
                    term,
                    &format!("synonym group `{}`", group.id.value),
                );
            }
        }
        self.shadowed();
    }

    fn phrase(&mut self, file: FileId, phrase: &Spanned<String>, what: &str) {
        if crate::route::text::normalize_phrase(&phrase.value).is_empty() {
            self.push(
                Finding::at(
                    Code::EmptyPhrase,
                    file,
                    phrase.span,
                    format!("{what}: phrase has no words"),
                )
                .label("nothing left to match"),
            );
        }
    }

    fn comparisons(&mut self, file: FileId, map: &BTreeMap<String, Spanned<String>>, what: &str) {
        for (dim_id, text) in map {
            let Some(dim) = self.matrix.dimension(dim_id) else {
                let ids: Vec<&str> = self
                    .matrix
                    .dimensions
                    .iter()
                    .map(|d| d.id.value.as_str())
                    .collect();
                let r = Spanned::new(dim_id.clone(), text.span);
                self.unknown(file, &r, what, "dimension", &ids);
                continue;
            };
            match Comparison::parse(&text.value) {
                Some(cmp) => {
                    if !dim.levels.iter().any(|l| l.id.value == cmp.level) {
                        let ids: Vec<&str> =
                            dim.levels.iter().map(|l| l.id.value.as_str()).collect();
                        let r = Spanned::new(cmp.level.clone(), text.span);
                        self.unknown(file, &r, what, &format!("level of `{dim_id}`"), &ids);
                    }
                }
                None => self.push(
                    Finding::at(
                        Code::InvalidComparison,
                        file,
                        text.span,
                        format!("{what}: `{}` is not a comparison", text.value),
                    )
                    .label("expected an operator and a level")
                    .help(
                        "write for example \">= confidential\", \"= team\" or \"< organisation\"",
                    ),
                ),
            }
        }
    }

    /// A route rule is shadowed when a rule of strictly higher precedence
    /// matches whenever it matches: that rule has only `any` phrases (no
    /// other condition), and every way the shadowed rule can match goes
    /// through one of those phrases.
    fn shadowed(&mut self) {
        let m = self.matrix;
        let norm = |s: &Spanned<String>| crate::route::text::normalize_phrase(&s.value).join(" ");
        // Each normalised phrase of a simple rule is stored once and referred to by
        // number: a large matrix has tens of thousands of them, and a set of strings
        // per rule costs several megabytes at the moment validation peaks.
        let mut ids: HashMap<String, usize> = HashMap::new();
        let simple: Vec<(&schema::Rule, Vec<usize>)> = m
            .rules
            .iter()
            .filter(|r| {
                r.kind == RuleKind::Route
                    && r.conditions.all.is_empty()
                    && r.conditions.none.is_empty()
                    && r.conditions.regex.is_empty()
                    && r.conditions.dimensions.is_empty()
                    && !r.conditions.any.is_empty()
            })
            .map(|r| {
                let mut phrases: Vec<usize> = r
                    .conditions
                    .any
                    .iter()
                    .map(|p| {
                        let next = ids.len();
                        *ids.entry(norm(p)).or_insert(next)
                    })
                    .collect();
                phrases.sort_unstable();
                phrases.dedup();
                (r, phrases)
            })
            .collect();
        // Which simple rules hold each phrase, so that a rule is compared only
        // with rules it shares a phrase with (linear in the matrix, not quadratic).
        let mut holders: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
        for (i, (_, phrases)) in simple.iter().enumerate() {
            for &p in phrases {
                if let Some(list) = holders.get_mut(p) {
                    list.push(i);
                }
            }
        }
        // A phrase no simple rule has gets no number, and is in no simple rule.
        let id_of = |p: &Spanned<String>| ids.get(&norm(p)).copied();
        for rule in m.rules.iter().filter(|r| r.kind == RuleKind::Route) {
            let c = &rule.conditions;
            let any: Vec<Option<usize>> = c.any.iter().map(id_of).collect();
            let all: Vec<Option<usize>> = c.all.iter().map(id_of).collect();
            let mut candidates: Vec<usize> = any
                .first()
                .into_iter()
                .chain(&all)
                .filter_map(|p| p.and_then(|p| holders.get(p)))
                .flatten()
                .copied()
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            let contains = |phrases: &[usize], p: &Option<usize>| {
                p.is_some_and(|p| phrases.binary_search(&p).is_ok())
            };
            for (other, phrases) in candidates.iter().filter_map(|&i| simple.get(i)) {
                if other.id.value == rule.id.value
                    || other.precedence.value <= rule.precedence.value
                {
                    continue;
                }
                let by_all = all.iter().any(|p| contains(phrases, p));
                let by_any = c.regex.is_empty()
                    && !any.is_empty()
                    && any.iter().all(|p| contains(phrases, p));
                if by_all || by_any {
                    self.push(
                        Finding::at(
                            Code::ShadowedRule,
                            rule.origin,
                            rule.id.span,
                            format!(
                                "rule `{}` can never win: `{}` (precedence {}) matches whenever it does",
                                rule.id.value, other.id.value, other.precedence.value
                            ),
                        )
                        .label("shadowed")
                        .related(other.origin, other.id.span, "always wins over it")
                        .help("raise this rule's precedence or remove the overlapping phrases"),
                    );
                    break;
                }
            }
        }
    }

    fn scripts(&mut self) {
        for script in &self.matrix.scripts {
            let text = &script.text.value;
            let mut rest = text.as_str();
            let mut offset = 0;
            let mut seen: HashMap<&str, usize> = HashMap::new();
            while let Some(open) = rest.find('{') {
                let Some(close) = rest[open..].find('}') else {
                    break;
                };
                let name = &rest[open + 1..open + close];
                let nth = seen.entry(name).or_insert(0);
                *nth += 1;
                if !PLACEHOLDERS.contains(&name) {
                    // Point at the placeholder as written when the file has it
                    // verbatim (no escapes); else at the whole text.
                    // The file's text is read only here: a file from disk
                    // does not keep it (see `SourceFile`).
                    let raw = self
                        .matrix
                        .sources
                        .get(script.origin)
                        .and_then(|s| s.text().get(script.text.span.start..script.text.span.end))
                        .unwrap_or("");
                    let token = format!("{{{name}}}");
                    let (span, label) = match raw.match_indices(&token).nth(*nth - 1) {
                        Some((at, _)) => {
                            let start = script.text.span.start + at;
                            (Span::new(start, start + token.len()), "unknown placeholder")
                        }
                        None => (script.text.span, "in this text"),
                    };
                    self.push(
                        Finding::at(
                            Code::UnknownPlaceholder,
                            script.origin,
                            span,
                            format!(
                                "script `{}` uses unknown placeholder {{{name}}}",
                                script.id.value
                            ),
                        )
                        .label(label)
                        .help(
                            match crate::matrix::de::closest(name, PLACEHOLDERS) {
                                Some(best) => format!("did you mean {{{best}}}?"),
                                None => format!("placeholders: {}", PLACEHOLDERS.join(", ")),
                            },
                        ),
                    );
                }
                offset += open + close + 1;
                rest = &text[offset..];
            }
        }
    }

    /// Calendars, scripts, teams and contacts that nothing refers to.
    #[allow(clippy::too_many_lines)] // one list of every place that can refer to an entity
    fn unused(&mut self) {
        let m = self.matrix;
        let mut calendars: HashSet<&str> = HashSet::new();
        for sev in &m.severities {
            calendars.extend(sev.targets.calendar.iter().map(|c| c.value.as_str()));
            calendars.extend(
                sev.overrides
                    .iter()
                    .filter_map(|o| o.calendar.as_ref())
                    .map(|c| c.value.as_str()),
            );
        }
        let mut scripts: HashSet<&str> = HashSet::new();
        scripts.extend(
            m.rules
                .iter()
                .filter_map(|r| r.outcome.script.as_ref())
                .map(|s| s.value.as_str()),
        );
        scripts.extend(
            m.fallback
                .iter()
                .filter_map(|f| f.script.as_ref())
                .map(|s| s.value.as_str()),
        );
        let mut refs: Vec<&Ref> = Vec::new();
        if let Some(manifest) = &m.manifest {
            refs.extend([&manifest.owner, &manifest.sponsor]);
        }
        for tier in &m.tiers {
            refs.extend(std::iter::once(&tier.owner).chain(&tier.backup));
        }
        for sev in &m.severities {
            refs.extend(
                sev.notify
                    .iter()
                    .chain(sev.escalation.iter().flat_map(|e| &e.notify)),
            );
        }
        for rule in &m.rules {
            refs.extend(rule.outcome.owner.iter().chain(&rule.outcome.notify));
        }
        for decision in &m.decisions {
            refs.extend(&decision.notify);
        }
        if let Some(fallback) = &m.fallback {
            refs.extend(&fallback.notify);
        }
        for party in &m.parties {
            refs.extend(party.team.iter().chain(&party.lead));
        }
        let mut parties: HashSet<&str> = refs.iter().map(|r| r.value.as_str()).collect();
        // A member of a team that is used is reachable through the team.
        let members: Vec<&str> = m
            .parties
            .iter()
            .filter(|p| {
                p.team
                    .as_ref()
                    .is_some_and(|t| parties.contains(t.value.as_str()))
            })
            .map(|p| p.id.value.as_str())
            .collect();
        parties.extend(members);
        let mut found = Vec::new();
        for cal in m
            .calendars
            .iter()
            .filter(|c| !calendars.contains(c.id.value.as_str()))
        {
            found.push((
                cal.origin,
                &cal.id,
                format!(
                    "calendar `{}` is not used: no severity or override counts on it",
                    cal.id.value
                ),
                "remove it, or name it as `calendar` in a severity's targets or override",
            ));
        }
        for script in m
            .scripts
            .iter()
            .filter(|s| !scripts.contains(s.id.value.as_str()))
        {
            found.push((
                script.origin,
                &script.id,
                format!(
                    "script `{}` is not used: no rule or fallback names it",
                    script.id.value
                ),
                "remove it, or name it as `script` in a rule's `then` or in the fallback",
            ));
        }
        for party in m
            .parties
            .iter()
            .filter(|p| !parties.contains(p.id.value.as_str()))
        {
            let kind = if party.is_team { "team" } else { "contact" };
            found.push((
                party.origin,
                &party.id,
                format!(
                    "{kind} `{}` is not used: no tier, rule, notify list or manifest names them",
                    party.id.value
                ),
                "remove the entry, or name it where it belongs (a tier's owner or backup, a notify list, a team's lead)",
            ));
        }
        for (file, id, message, help) in found {
            self.push(
                Finding::at(Code::UnusedEntity, file, id.span, message)
                    .label("not used")
                    .help(help),
            );
        }
    }

    fn fallback(&mut self) {
        let Some(fallback) = &self.matrix.fallback else {
            self.push(
                Finding::global(Code::MissingFallback, "the matrix has no [fallback] route").help(
                    "add [fallback] with a tier and a severity for descriptions no rule matches",
                ),
            );
            return;
        };
        let file = fallback.origin;
        self.tier_ref(file, &fallback.tier, "the fallback");
        self.severity_ref(file, &fallback.severity, "the fallback");
        if let Some(s) = &fallback.script {
            self.script_ref(file, s, "the fallback");
        }
        for n in &fallback.notify {
            self.party_ref(file, n, "the fallback", true);
        }
    }
}

/// Whether target `x` on `a`'s clock is looser than `y` on `b`'s clock.
/// On the same clock minutes compare directly; across clocks (24 real hours
/// against 16 business hours) the due times are compared for openings at
/// every hour of a reference week, and any later due time counts as looser.
fn looser(a: &EffectiveTargets, b: &EffectiveTargets, x: u64, y: u64) -> bool {
    if a.calendar == b.calendar {
        return x > y;
    }
    let (Ok(x), Ok(y)) = (i64::try_from(x), i64::try_from(y)) else {
        return false;
    };
    let Some(week) = NaiveDate::from_ymd_opt(2026, 1, 5).and_then(|d| d.and_hms_opt(0, 0, 0))
    else {
        return false;
    };
    (0..7 * 24).any(|hour| {
        let start = week.and_utc() + chrono::Duration::hours(hour);
        match (
            a.clock.add(start, chrono::Duration::minutes(x)),
            b.clock.add(start, chrono::Duration::minutes(y)),
        ) {
            (Ok(due_a), Ok(due_b)) => due_a > due_b,
            _ => false,
        }
    })
}

/// The last line of a multi-line error (regex puts the cause there), without "error: ".
fn first_line(text: &str) -> String {
    let last = text.lines().last().unwrap_or(text).trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

/// Weekday indexes (0 = Monday) for `mon`, `Monday`, or a range `mon-fri`.
fn parse_days(text: &str) -> Option<Vec<usize>> {
    let day = |s: &str| -> Option<usize> {
        let s = s.trim().to_ascii_lowercase();
        let short = s.get(..3)?;
        let index = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .position(|d| *d == short)?;
        let full = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        (s.len() == 3 || full.get(index) == Some(&s.as_str())).then_some(index)
    };
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (day(a)?, day(b)?);
            // A range may wrap the week end: sat-mon.
            let mut days = vec![a];
            let mut d = a;
            while d != b {
                d = (d + 1) % 7;
                days.push(d);
            }
            Some(days)
        }
        None => Some(vec![day(text)?]),
    }
}

fn parse_local(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .ok()
}

/// A comparison with a dimension level: `>= confidential`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The operator.
    pub op: Op,
    /// The level id.
    pub level: String,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparison {
    /// Reads `>= level`, `= level` or a bare `level` (meaning `=`).
    pub fn parse(text: &str) -> Option<Comparison> {
        let t = text.trim();
        let (op, rest) = [
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("!=", Op::Ne),
            ("==", Op::Eq),
            ("=", Op::Eq),
            (">", Op::Gt),
            ("<", Op::Lt),
        ]
        .iter()
        .find_map(|(s, op)| t.strip_prefix(s).map(|r| (*op, r)))
        .unwrap_or((Op::Eq, t));
        let level = rest.trim();
        (!level.is_empty() && level.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')).then(
            || Comparison {
                op,
                level: level.to_string(),
            },
        )
    }

    /// Whether `actual` (a level index) satisfies the comparison with `wanted`.
    pub fn holds(&self, actual: usize, wanted: usize) -> bool {
        match self.op {
            Op::Eq => actual == wanted,
            Op::Ne => actual != wanted,
            Op::Lt => actual < wanted,
            Op::Le => actual <= wanted,
            Op::Gt => actual > wanted,
            Op::Ge => actual >= wanted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_ranges() {
        assert_eq!(parse_days("mon-fri"), Some(vec![0, 1, 2, 3, 4]));
        assert_eq!(parse_days("sat-mon"), Some(vec![5, 6, 0]));
        assert_eq!(parse_days("Sunday"), Some(vec![6]));
        assert_eq!(parse_days("mo"), None);
        assert_eq!(parse_days("mondays"), None);
    }

    #[test]
    fn comparisons() {
        let c = Comparison::parse(">= confidential").unwrap();
        assert_eq!(c.op, Op::Ge);
        assert!(c.holds(3, 2));
        assert!(!c.holds(1, 2));
        assert_eq!(Comparison::parse("team").unwrap().op, Op::Eq);
        assert!(Comparison::parse(">=").is_none());
        assert!(Comparison::parse("~ team").is_none());
    }

    #[test]
    fn kebab() {
        assert!(is_kebab("tier-2"));
        assert!(is_kebab("sev1"));
        assert!(!is_kebab("Tier2"));
        assert!(!is_kebab("tier_2"));
        assert!(!is_kebab("-x"));
        assert!(!is_kebab("a--b"));
    }
}

//! The pages themselves. Every page starts with its title as a level-1
//! heading; matrix text is escaped with [`md::text`].
//!
//! Order is stable everywhere: severities by rank (then id), and everything
//! else in matrix order (file path, then position in the file), which is the
//! order the governance office wrote it in.

use super::markdown::{self as md, and_list};
use super::{Options, PageId, mermaid};
use crate::calendar::{Window, format_clock_time};
use crate::matrix::Matrix;
use crate::matrix::duration::DurationSpec;
use crate::matrix::schema::{
    CalendarSpec, Outcome, Party, Rule, RuleKind, Severity, Tier, parse_date,
};
use crate::redact::Sensitive;
use crate::validate::checks::{
    AROUND_THE_CLOCK, Checked, Comparison, EffectiveTargets, Op, PLACEHOLDERS,
};
use chrono::{NaiveDate, NaiveDateTime};
use std::fmt::Write as _;

pub(super) struct Renderer<'a> {
    pub(super) m: &'a Matrix,
    pub(super) checked: &'a Checked,
    pub(super) opts: &'a Options,
    links: bool,
}

/// The day names used on the pages.
const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

impl<'a> Renderer<'a> {
    pub(super) fn new(m: &'a Matrix, checked: &'a Checked, opts: &'a Options, links: bool) -> Self {
        Renderer {
            m,
            checked,
            opts,
            links,
        }
    }

    pub(super) fn page(&self, page: PageId) -> String {
        let mut out = format!("# {}\n\n", page.title());
        match page {
            PageId::Overview => self.overview(&mut out),
            PageId::Severities => self.severities(&mut out),
            PageId::Tiers => self.tiers(&mut out),
            PageId::Sla => self.sla(&mut out),
            PageId::Decisions => self.decisions(&mut out),
            PageId::Flow => self.flow(&mut out),
            PageId::Scripts => self.scripts(&mut out),
            PageId::QuickReference => self.quick_reference(&mut out),
            PageId::Contacts => self.contacts(&mut out),
        }
        // Exactly one newline at the end.
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
        out
    }

    // ------------------------------------------------------------ lookups

    /// Severities by rank, then id.
    pub(super) fn severities_by_rank(&self) -> Vec<&'a Severity> {
        let mut v: Vec<&Severity> = self.m.severities.iter().collect();
        v.sort_by(|a, b| {
            a.rank
                .value
                .cmp(&b.rank.value)
                .then_with(|| a.id.value.cmp(&b.id.value))
        });
        v
    }

    /// A party's display name, or a reserved name in words.
    pub(super) fn who(&self, id: &str) -> String {
        match id {
            "owner" => "the tier's owner".into(),
            "backup" => "the tier's backup".into(),
            "next-tier" => "the next tier".into(),
            "sponsor" => self.sponsor_name().map_or_else(
                || "the executive sponsor".into(),
                |n| format!("the executive sponsor ({n})"),
            ),
            _ => self
                .m
                .party(id)
                .map_or_else(|| id.to_string(), |p| one_line(&p.name)),
        }
    }

    fn sponsor_name(&self) -> Option<String> {
        let manifest = self.m.manifest.as_ref()?;
        self.m
            .party(&manifest.sponsor.value)
            .map(|p| one_line(&p.name))
    }

    fn tier_name(&self, id: &str) -> String {
        self.m
            .tier(id)
            .map_or_else(|| id.to_string(), |t| one_line(&t.name))
    }

    fn severity_name(&self, id: &str) -> String {
        self.m
            .severity(id)
            .map_or_else(|| id.to_string(), |s| one_line(&s.name))
    }

    /// A party's channels that may be shown, as (name, value, private).
    fn channels(&self, party: &'a Party) -> Vec<(&'static str, &'a str, bool)> {
        party
            .channels
            .iter()
            .map(|(name, value)| (name, value, party.is_private(name)))
            .filter(|(_, _, private)| self.opts.include_private || !private)
            .collect()
    }

    /// The channels as Markdown (`email` as a mail link, the rest as code), or `no public channel`.
    fn channel_list(&self, party: &'a Party) -> String {
        let list: Vec<String> = self
            .channels(party)
            .into_iter()
            .map(|(name, value, private)| {
                let shown = channel_value(name, value);
                if private {
                    format!("{name} {shown} (private)")
                } else {
                    format!("{name} {shown}")
                }
            })
            .collect();
        if list.is_empty() {
            "no public channel".into()
        } else {
            list.join(", ")
        }
    }

    /// `Name (channels)` for a party id.
    fn party_with_channels(&self, id: &str) -> String {
        match self.m.party(id) {
            Some(p) => format!("{} ({})", md::text(&p.name), self.channel_list(p)),
            None => md::text(id),
        }
    }

    fn bd_minutes(&self) -> u32 {
        self.checked.business_day_minutes.max(1)
    }

    fn calendar_spec(&self, id: &str) -> Option<&'a CalendarSpec> {
        self.m.calendar(id)
    }

    /// `business hours: Berlin office hours (Europe/Berlin)` or `around the clock`.
    fn clock_words(&self, calendar: Option<&str>) -> String {
        match calendar {
            None | Some(AROUND_THE_CLOCK) => "around the clock".into(),
            Some(id) => match self.calendar_spec(id) {
                Some(c) => format!(
                    "business hours: {} ({})",
                    md::text(&c.name),
                    md::code(&c.time_zone.value)
                ),
                None => format!("business hours: {}", md::code(id)),
            },
        }
    }

    fn targets(&self, severity: &str, tier: &str) -> Option<&'a EffectiveTargets> {
        self.checked
            .targets
            .get(&(severity.to_string(), tier.to_string()))
    }

    // ------------------------------------------------------------ overview

    fn overview(&self, out: &mut String) {
        let Some(manifest) = &self.m.manifest else {
            out.push_str("This matrix has no manifest.\n");
            return;
        };
        let _ = writeln!(out, "**{}**\n", md::text(&manifest.name));
        if !manifest.description.trim().is_empty() {
            let _ = writeln!(out, "{}\n", md::text(&manifest.description));
        }
        out.push_str(
            "This portal is generated from the escalation matrix that the governance office keeps \
             under version control. It tells you when and how to seek help with apps and automations \
             built on the company's no-code platforms, who helps at which tier, and how fast.\n\n",
        );
        let review = DurationSpec::parse(&manifest.review_every.value).map_or_else(
            |_| md::code(&manifest.review_every.value),
            |s| spec_words(&s),
        );
        let _ = writeln!(out, "- **Version:** {}", md::code(&manifest.version.value));
        let _ = writeln!(
            out,
            "- **Owner:** {}",
            self.party_with_channels(&manifest.owner.value)
        );
        if let Some(sponsor) = self.m.party(&manifest.sponsor.value) {
            let _ = writeln!(out, "- **Executive sponsor:** {}", md::text(&sponsor.name));
        }
        let _ = writeln!(
            out,
            "- **Last reviewed:** {} (reviewed every {review})",
            md::text(&manifest.last_reviewed.value)
        );
        if self.opts.stamp {
            let _ = writeln!(
                out,
                "- **Generated:** by escalate {} on {}",
                env!("CARGO_PKG_VERSION"),
                self.opts.now.format("%Y-%m-%d")
            );
        }
        out.push_str("\n## How to ask for help\n\n");
        if manifest.how_to_ask.trim().is_empty() {
            out.push_str("Contact the owner of this matrix.\n\n");
        } else {
            let _ = writeln!(out, "{}\n", md::text(&manifest.how_to_ask));
        }
        out.push_str(
            "The support team works out the severity and the tier from your description, so you \
             do not need to know them.\n\n",
        );
        if let Some(first) = self.entry_tiers().first() {
            let mut ways = Vec::new();
            if let Some(queue) = &first.channels.queue {
                ways.push(format!("the {} queue", md::code(queue)));
            }
            if let Some(chat) = &first.channels.chat {
                ways.push(format!("the {} chat channel", md::code(chat)));
            }
            if !ways.is_empty() {
                let _ = writeln!(
                    out,
                    "Every request starts with {}: {}.\n",
                    md::text(&first.name),
                    ways.join(" or ")
                );
            }
        }
        if self.links {
            out.push_str("## On this portal\n\n");
            for page in PageId::ALL.into_iter().skip(1) {
                let _ = writeln!(
                    out,
                    "- [{}]({}): {}.",
                    page.title(),
                    page.file_name(),
                    page.blurb()
                );
            }
        }
    }

    /// The tiers a new request starts at: the fallback's tier, else those no tier escalates to.
    pub(super) fn entry_tiers(&self) -> Vec<&'a Tier> {
        if let Some(t) = self
            .m
            .fallback
            .as_ref()
            .and_then(|f| self.m.tier(&f.tier.value))
        {
            return vec![t];
        }
        self.m
            .tiers
            .iter()
            .filter(|t| {
                !self.m.tiers.iter().any(|o| {
                    o.escalates_to
                        .as_ref()
                        .is_some_and(|e| e.value == t.id.value)
                })
            })
            .collect()
    }

    // ------------------------------------------------------------ severities

    fn severities(&self, out: &mut String) {
        out.push_str(
            "Every incident gets one severity level. Level 1 is the most severe. The level decides \
             how fast the support team acknowledges, assesses and resolves the incident, how often \
             you hear from them, and who else is told.\n\n",
        );
        let rows: Vec<Vec<String>> = self
            .severities_by_rank()
            .iter()
            .map(|s| vec![md::text(&s.name), md::text(&s.summary)])
            .collect();
        out.push_str(&md::table(&["Level", "In short"], &rows));
        for s in self.severities_by_rank() {
            let _ = writeln!(out, "\n## {}\n", md::text(&s.name));
            if !s.summary.trim().is_empty() {
                let _ = writeln!(out, "{}\n", md::text(&s.summary));
            }
            for (label, value) in [
                ("Business impact", &s.business_impact),
                ("Service continuity", &s.service_continuity),
                ("Data risk", &s.data_risk),
            ] {
                if !value.trim().is_empty() {
                    let _ = writeln!(out, "- **{label}:** {}", md::text(value));
                }
            }
            let t = &s.targets;
            let _ = writeln!(
                out,
                "- **Targets:** acknowledged within {}, first assessment within {}, resolved within {}, \
                 an update {}; counted {}.",
                spec_text(&t.acknowledge.value),
                spec_text(&t.assess.value),
                spec_text(&t.resolve.value),
                every(&spec_text(&t.update_every.value)),
                self.clock_words(t.calendar.as_ref().map(|c| c.value.as_str())),
            );
            for o in &s.overrides {
                let mut parts = Vec::new();
                for (label, value) in [
                    ("acknowledged within", &o.acknowledge),
                    ("first assessment within", &o.assess),
                    ("resolved within", &o.resolve),
                    ("an update", &o.update_every),
                ] {
                    if let Some(v) = value {
                        let words = spec_text(&v.value);
                        let words = if label == "an update" {
                            every(&words)
                        } else {
                            words
                        };
                        parts.push(format!("{label} {words}"));
                    }
                }
                if let Some(c) = &o.calendar {
                    parts.push(format!("counted {}", self.clock_words(Some(&c.value))));
                }
                let _ = writeln!(
                    out,
                    "- **For {}:** {}.",
                    md::text(&self.tier_name(&o.tier.value)),
                    parts.join(", ")
                );
            }
            if !s.notify.is_empty() {
                let names: Vec<String> = s
                    .notify
                    .iter()
                    .map(|n| md::text(&self.who(&n.value)))
                    .collect();
                let _ = writeln!(out, "- **Also told:** {}.", and_list(&names));
            }
            if s.escalation.is_empty() {
                out.push_str("- **Escalation:** no automatic escalation steps.\n");
            } else {
                out.push_str("- **Escalation:** ");
                let steps: Vec<String> = s.escalation.iter().map(|e| self.step_words(e)).collect();
                out.push_str(&steps.join(" "));
                out.push('\n');
            }
        }
    }

    /// "Not acknowledged after 30 minutes: page the tier's backup."
    pub(super) fn step_words(&self, e: &crate::matrix::schema::EscalationStep) -> String {
        let who: Vec<String> = e
            .notify
            .iter()
            .map(|n| md::text(&self.who(&n.value)))
            .collect();
        format!(
            "Not {} after {}: {} {}.",
            e.unless.as_str(),
            spec_text(&e.after.value),
            md::text(&e.action),
            and_list(&who)
        )
    }

    // ------------------------------------------------------------ tiers

    fn tiers(&self, out: &mut String) {
        let chain: Vec<String> = self.m.tiers.iter().map(|t| md::text(&t.name)).collect();
        let _ = writeln!(
            out,
            "Support is organised in {} tier{}: {}. A request starts at the first tier; each tier hands \
             it to the next when it cannot solve it.\n",
            self.m.tiers.len(),
            if self.m.tiers.len() == 1 { "" } else { "s" },
            and_list(&chain)
        );
        for t in &self.m.tiers {
            let _ = writeln!(out, "## {}\n", md::text(&t.name));
            let _ = writeln!(
                out,
                "- **Owner:** {}",
                self.party_with_channels(&t.owner.value)
            );
            if let Some(b) = &t.backup {
                let _ = writeln!(out, "- **Backup:** {}", self.party_with_channels(&b.value));
            }
            let mut ways = Vec::new();
            if let Some(q) = &t.channels.queue {
                ways.push(format!("queue {}", md::code(q)));
            }
            if let Some(c) = &t.channels.chat {
                ways.push(format!("chat {}", md::code(c)));
            }
            if !ways.is_empty() {
                let _ = writeln!(out, "- **Channels:** {}", ways.join(", "));
            }
            if let Some(h) = &t.channels.handoff {
                let _ = writeln!(out, "- **Hand-off:** {}", md::text(h));
            }
            match &t.escalates_to {
                Some(next) => {
                    let _ = writeln!(
                        out,
                        "- **Escalates to:** {}",
                        md::text(&self.tier_name(&next.value))
                    );
                }
                None => out.push_str("- **Escalates to:** nobody; this is the last tier.\n"),
            }
            if !t.when_to_escalate.trim().is_empty() {
                let _ = writeln!(
                    out,
                    "- **When to escalate:** {}",
                    md::text(&t.when_to_escalate)
                );
            }
            // A paragraph between the two lists keeps them apart.
            if !t.scope.is_empty() {
                out.push_str("\nIt handles:\n\n");
                for s in &t.scope {
                    let _ = writeln!(out, "- {}", md::text(s));
                }
            }
            out.push('\n');
        }
    }

    // ------------------------------------------------------------ SLA

    fn sla(&self, out: &mut String) {
        out.push_str(
            "How fast the support team responds, by severity and tier. *Acknowledge*: someone has \
             taken the incident. *Assess*: a first assessment is shared. *Resolve*: the incident is \
             solved or has a lasting workaround. *Update every*: how often you hear about progress.\n\n",
        );
        let bd = self.bd_minutes();
        let mut rows = Vec::new();
        let mut any_override = false;
        for s in self.severities_by_rank() {
            for t in &self.m.tiers {
                let Some(e) = self.targets(&s.id.value, &t.id.value) else {
                    continue;
                };
                let ov = s.overrides.iter().find(|o| o.tier.value == t.id.value);
                let business = e.calendar.is_some();
                let cell = |minutes: u64, overridden: bool| {
                    let words = minutes_words(minutes, business.then_some(bd));
                    if overridden {
                        format!("**{words}**")
                    } else {
                        words
                    }
                };
                let changed =
                    |f: fn(&crate::matrix::schema::TargetOverride) -> bool| ov.is_some_and(f);
                let clock_changed = changed(|o| o.calendar.is_some());
                any_override |= ov.is_some();
                rows.push(vec![
                    md::text(&s.name),
                    md::text(&t.name),
                    cell(e.acknowledge, changed(|o| o.acknowledge.is_some())),
                    cell(e.assess, changed(|o| o.assess.is_some())),
                    cell(e.resolve, changed(|o| o.resolve.is_some())),
                    cell(e.update_every, changed(|o| o.update_every.is_some())),
                    if clock_changed {
                        format!("**{}**", self.clock_words(e.calendar.as_deref()))
                    } else {
                        self.clock_words(e.calendar.as_deref())
                    },
                ]);
            }
        }
        out.push_str(&md::table(
            &[
                "Severity",
                "Tier",
                "Acknowledge",
                "Assess",
                "Resolve",
                "Update every",
                "Clock",
            ],
            &rows,
        ));
        if any_override {
            out.push_str(
                "\nValues in bold differ from the severity's usual target for that tier.\n",
            );
        }
        let _ = writeln!(
            out,
            "\n## How the clock counts\n\n\
             - **Business hours:** the clock runs only inside the calendar's opening hours, in the \
             calendar's own time zone, and stops on its holidays and closures. A *business day* is \
             {} of working time.\n\
             - **Around the clock:** the clock counts real elapsed time, nights, weekends and \
             holidays included.",
            minutes_words(u64::from(bd), None)
        );
        self.calendars(out);
    }

    fn calendars(&self, out: &mut String) {
        out.push_str("\n## Calendars\n");
        if self.m.calendars.is_empty() {
            out.push_str("\nAll targets count around the clock.\n");
            return;
        }
        for spec in &self.m.calendars {
            let _ = writeln!(out, "\n### {}\n", md::text(&spec.name));
            let _ = writeln!(out, "Time zone: {}.\n", md::code(&spec.time_zone.value));
            let Some(cal) = self.checked.calendars.get(&spec.id.value) else {
                continue;
            };
            out.push_str(&md::table(
                &["Days", "Opening hours"],
                &opening_hours(&cal.weekly),
            ));
            let today = cal.local_date(self.opts.now);
            let mut holidays: Vec<(NaiveDate, &str)> = spec
                .holidays
                .iter()
                .filter_map(|h| parse_date(&h.date.value).map(|d| (d, h.name.as_str())))
                .filter(|(d, _)| today.is_none_or(|t| *d >= t))
                .collect();
            holidays.sort_by_key(|(d, _)| *d);
            out.push_str("\n#### Upcoming holidays\n\n");
            if holidays.is_empty() {
                out.push_str("No upcoming holidays are listed.\n");
            } else {
                let rows: Vec<Vec<String>> = holidays
                    .iter()
                    .map(|(d, name)| vec![d.format("%a %Y-%m-%d").to_string(), md::text(name)])
                    .collect();
                out.push_str(&md::table(&["Date", "Holiday"], &rows));
            }
            let local_now = self.opts.now.with_timezone(&cal.zone).naive_local();
            let mut closures: Vec<(NaiveDateTime, NaiveDateTime, &str)> = spec
                .exclusions
                .iter()
                .filter_map(|x| {
                    Some((
                        parse_local(&x.start.value)?,
                        parse_local(&x.end.value)?,
                        x.reason.as_str(),
                    ))
                })
                .filter(|(_, end, _)| *end > local_now)
                .collect();
            closures.sort_by_key(|(start, end, _)| (*start, *end));
            if !closures.is_empty() {
                out.push_str("\n#### Upcoming closures (the clock stops)\n\n");
                let rows: Vec<Vec<String>> = closures
                    .iter()
                    .map(|(start, end, reason)| {
                        let until = if start.date() == end.date() {
                            end.format("%H:%M").to_string()
                        } else {
                            end.format("%a %Y-%m-%d %H:%M").to_string()
                        };
                        vec![
                            start.format("%a %Y-%m-%d %H:%M").to_string(),
                            until,
                            md::text(reason),
                        ]
                    })
                    .collect();
                out.push_str(&md::table(&["From", "Until", "Reason"], &rows));
            }
        }
    }

    // ------------------------------------------------------------ decisions

    fn level_name(&self, dimension: &str, level: &str) -> String {
        self.m
            .dimension(dimension)
            .and_then(|d| d.levels.iter().find(|l| l.id.value == level))
            .map_or_else(
                || level.to_string(),
                |l| {
                    if l.name.trim().is_empty() {
                        l.id.value.clone()
                    } else {
                        one_line(&l.name)
                    }
                },
            )
    }

    /// "Data sensitivity is Regulated or more serious".
    fn condition_words(&self, dimension: &str, text: &str) -> String {
        let name = self
            .m
            .dimension(dimension)
            .map_or_else(|| dimension.to_string(), |d| one_line(&d.name));
        let Some(c) = Comparison::parse(text) else {
            return format!("{} is {}", md::text(&name), md::code(text));
        };
        let level = md::text(&self.level_name(dimension, &c.level));
        let phrase = match c.op {
            Op::Eq => format!("is {level}"),
            Op::Ne => format!("is not {level}"),
            Op::Ge => format!("is {level} or more serious"),
            Op::Gt => format!("is more serious than {level}"),
            Op::Le => format!("is {level} or less serious"),
            Op::Lt => format!("is less serious than {level}"),
        };
        format!("{} {phrase}", md::text(&name))
    }

    fn conditions_words(
        &self,
        when: &std::collections::BTreeMap<String, crate::matrix::de::Spanned<String>>,
    ) -> String {
        // Matrix order of dimensions, so that sentences read the same way everywhere.
        let mut parts: Vec<(usize, String)> = when
            .iter()
            .map(|(dim, cmp)| {
                let pos = self
                    .m
                    .dimensions
                    .iter()
                    .position(|d| d.id.value == *dim)
                    .unwrap_or(usize::MAX);
                (pos, self.condition_words(dim, &cmp.value))
            })
            .collect();
        parts.sort();
        let words: Vec<String> = parts.into_iter().map(|(_, w)| w).collect();
        and_list(&words)
    }

    fn decisions(&self, out: &mut String) {
        out.push_str(
            "The severity of an incident follows from a few facts about it. The support team \
             reads them from your description (the example words below) or asks you.\n\n## The facts\n",
        );
        for d in &self.m.dimensions {
            let _ = writeln!(out, "\n### {}\n", md::text(&d.name));
            if !d.description.trim().is_empty() {
                let _ = writeln!(out, "{}\n", md::text(&d.description));
            }
            out.push_str("From least to most serious:\n\n");
            let rows: Vec<Vec<String>> = d
                .levels
                .iter()
                .map(|l| {
                    vec![
                        md::text(if l.name.trim().is_empty() {
                            &l.id.value
                        } else {
                            &l.name
                        }),
                        md::text(&l.description),
                        quoted(l.phrases.iter().map(|p| p.value.as_str()), 6),
                    ]
                })
                .collect();
            out.push_str(&md::table(&["Level", "Meaning", "Example words"], &rows));
        }
        self.decision_rows(out);
        self.topics(out);
    }

    fn decision_rows(&self, out: &mut String) {
        out.push_str(
            "\n## The decision matrix\n\nWhen every fact in a row holds, the incident is at least \
             that severe. When several rows hold, the most severe one counts.\n\n",
        );
        if self.m.decisions.is_empty() {
            out.push_str("This matrix has no decision rows.\n");
        } else {
            let rows: Vec<Vec<String>> = self
                .m
                .decisions
                .iter()
                .map(|d| {
                    let also: Vec<String> = d
                        .notify
                        .iter()
                        .map(|n| md::text(&self.who(&n.value)))
                        .collect();
                    let mut then = format!(
                        "at least {}",
                        md::text(&self.severity_name(&d.min_severity.value))
                    );
                    if !also.is_empty() {
                        let _ = write!(then, "; also tell {}", and_list(&also));
                    }
                    vec![
                        format!("{}.", self.conditions_words(&d.when)),
                        then,
                        md::text(&d.summary),
                    ]
                })
                .collect();
            out.push_str(&md::table(&["When", "Then", "In short"], &rows));
        }
    }

    fn topics(&self, out: &mut String) {
        let (overrides, routes): (Vec<&Rule>, Vec<&Rule>) = self
            .rules_by_precedence()
            .into_iter()
            .partition(|r| r.kind == RuleKind::Override);
        if !overrides.is_empty() {
            out.push_str(
                "\n## Special cases\n\nThese apply on top of the topic below, whatever it is, \
                 from the first to the last (the last one has the final word).\n\n",
            );
            let mut rows: Vec<Vec<String>> = overrides
                .iter()
                .map(|r| {
                    vec![
                        md::text(&r.summary),
                        self.rule_trigger(r),
                        self.outcome_words(&r.outcome),
                    ]
                })
                .collect();
            rows.reverse();
            out.push_str(&md::table(&["Case", "Recognised by", "Effect"], &rows));
        }
        if !routes.is_empty() {
            out.push_str(
                "\n## Topics\n\nThe topic decides the tier and the usual severity. When several topics \
                 match, the one higher in this list wins.\n\n",
            );
            let rows: Vec<Vec<String>> = routes
                .iter()
                .map(|r| {
                    vec![
                        md::text(&r.summary),
                        self.rule_trigger(r),
                        self.outcome_words(&r.outcome),
                    ]
                })
                .collect();
            out.push_str(&md::table(&["Topic", "Recognised by", "Goes to"], &rows));
        }
        if let Some(f) = &self.m.fallback {
            let _ = writeln!(
                out,
                "\nAnything else goes to {} as {}, and the front line looks at it first.",
                md::text(&self.tier_name(&f.tier.value)),
                md::text(&self.severity_name(&f.severity.value))
            );
        }
    }

    /// Rules by precedence (highest first), then id.
    pub(super) fn rules_by_precedence(&self) -> Vec<&'a Rule> {
        let mut v: Vec<&Rule> = self.m.rules.iter().collect();
        v.sort_by(|a, b| {
            b.precedence
                .value
                .cmp(&a.precedence.value)
                .then_with(|| a.id.value.cmp(&b.id.value))
        });
        v
    }

    fn rule_trigger(&self, r: &Rule) -> String {
        let c = &r.conditions;
        let mut parts = Vec::new();
        if !c.any.is_empty() {
            parts.push(format!(
                "words such as {}",
                quoted(c.any.iter().map(|p| p.value.as_str()), 5)
            ));
        }
        if !c.all.is_empty() {
            parts.push(format!(
                "all of {}",
                quoted(c.all.iter().map(|p| p.value.as_str()), 5)
            ));
        }
        if !c.regex.is_empty() {
            parts.push(format!(
                "{} text pattern{}",
                c.regex.len(),
                if c.regex.len() == 1 { "" } else { "s" }
            ));
        }
        let mut text = match parts.len() {
            0 => String::new(),
            _ => parts.join(" or "),
        };
        if !c.dimensions.is_empty() {
            let facts = self.conditions_words(&c.dimensions);
            text = if text.is_empty() {
                facts
            } else {
                format!("{text}, when {facts}")
            };
        }
        if !c.none.is_empty() {
            let _ = write!(
                text,
                "; not {}",
                quoted(c.none.iter().map(|p| p.value.as_str()), 5)
            );
        }
        text
    }

    /// "Tier 3 - Platform Specialists, Severity 1 - Critical; also tell ..."
    pub(super) fn outcome_words(&self, o: &Outcome) -> String {
        let mut parts = Vec::new();
        if let Some(t) = &o.tier {
            parts.push(md::text(&self.tier_name(&t.value)));
        }
        if let Some(s) = &o.severity {
            parts.push(md::text(&self.severity_name(&s.value)));
        }
        if let Some(s) = &o.min_severity {
            parts.push(format!(
                "at least {}",
                md::text(&self.severity_name(&s.value))
            ));
        }
        if let Some(owner) = &o.owner {
            parts.push(format!("owned by {}", md::text(&self.who(&owner.value))));
        }
        let mut text = parts.join(", ");
        if !o.notify.is_empty() {
            let who: Vec<String> = o
                .notify
                .iter()
                .map(|n| md::text(&self.who(&n.value)))
                .collect();
            if !text.is_empty() {
                text.push_str("; ");
            }
            let _ = write!(text, "also tell {}", and_list(&who));
        }
        text
    }

    // ------------------------------------------------------------ flow

    fn flow(&self, out: &mut String) {
        out.push_str(
            "How a request moves between the tiers, when it escalates because a target is missed, \
             and the special cases that bring in more people.\n\n",
        );
        out.push_str(&md::fenced("mermaid", &mermaid::flowchart(self)));
        out.push_str("\n## The same in words\n\n");
        for line in mermaid::in_words(self) {
            let _ = writeln!(out, "- {line}");
        }
    }

    // ------------------------------------------------------------ scripts

    fn scripts(&self, out: &mut String) {
        out.push_str(
            "What the front line says and does. Words in braces, such as `{acknowledge_by}`, are \
             filled in for each incident by `escalate route`; the table at the end says with what.\n",
        );
        let rules = self.rules_by_precedence();
        for s in &self.m.scripts {
            let _ = writeln!(out, "\n## {}\n", md::text(&s.name));
            let mut used: Vec<String> = rules
                .iter()
                .filter(|r| {
                    r.outcome
                        .script
                        .as_ref()
                        .is_some_and(|x| x.value == s.id.value)
                })
                .map(|r| md::text(r.summary.trim_end_matches('.')))
                .collect();
            if self
                .m
                .fallback
                .as_ref()
                .and_then(|f| f.script.as_ref())
                .is_some_and(|x| x.value == s.id.value)
            {
                used.push("anything no rule recognises".into());
            }
            if !used.is_empty() {
                let _ = writeln!(out, "Used for: {}.\n", used.join("; "));
            }
            // A script is shown as written, but like all prose without phone
            // numbers (see `md::text`).
            let text = crate::redact::redact_kind(s.text.value.trim(), Sensitive::Phone);
            out.push_str(&md::fenced("text", &text));
        }
        let used: Vec<&str> = PLACEHOLDERS
            .iter()
            .copied()
            .filter(|p| {
                self.m
                    .scripts
                    .iter()
                    .any(|s| s.text.value.contains(&format!("{{{p}}}")))
            })
            .collect();
        if !used.is_empty() {
            out.push_str("\n## Placeholders\n\n");
            let rows: Vec<Vec<String>> = used
                .iter()
                .map(|p| {
                    vec![
                        md::code(&format!("{{{p}}}")),
                        placeholder_meaning(p).to_string(),
                    ]
                })
                .collect();
            out.push_str(&md::table(&["Placeholder", "Filled in with"], &rows));
        }
    }

    // ------------------------------------------------------------ quick reference

    fn quick_reference(&self, out: &mut String) {
        out.push_str("## Who do I call for what\n\n");
        for t in &self.m.tiers {
            let mut ways = Vec::new();
            if let Some(q) = &t.channels.queue {
                ways.push(format!("queue {}", md::code(q)));
            }
            if let Some(c) = &t.channels.chat {
                ways.push(format!("chat {}", md::code(c)));
            }
            if ways.is_empty() {
                ways.push(self.party_with_channels(&t.owner.value));
            }
            let scope: Vec<String> = t.scope.iter().map(|s| md::text(s)).collect();
            let what = if scope.is_empty() {
                md::text(&t.name)
            } else {
                scope.join("; ")
            };
            let _ = writeln!(
                out,
                "- **{what}:** {} ({}).",
                md::text(&t.name),
                ways.join(", ")
            );
        }
        for r in self.rules_by_precedence() {
            if r.kind != RuleKind::Override
                || (r.outcome.severity.is_none() && r.outcome.tier.is_none())
            {
                continue;
            }
            let who: Vec<String> = r
                .outcome
                .notify
                .iter()
                .map(|n| match self.m.party(&n.value) {
                    Some(_) => self.party_with_channels(&n.value),
                    None => md::text(&self.who(&n.value)),
                })
                .collect();
            let mut line = format!("- **{}:** ", md::text(r.summary.trim_end_matches('.')));
            match r.outcome.tier.as_ref() {
                Some(t) => line.push_str(&md::text(&self.tier_name(&t.value))),
                None => line.push_str("the tier that handles the topic"),
            }
            if !who.is_empty() {
                let _ = write!(line, "; also told: {}", who.join("; "));
            }
            line.push('.');
            let _ = writeln!(out, "{line}");
        }
        if let Some(m) = &self.m.manifest {
            let _ = writeln!(
                out,
                "- **Questions about this matrix:** {}.",
                self.party_with_channels(&m.owner.value)
            );
            if !m.how_to_ask.trim().is_empty() {
                let _ = writeln!(out, "- **Not sure?** {}", md::text(&m.how_to_ask));
            }
        }
        out.push_str("\n## Glossary\n\nTechnical terms you may hear from the support team, and what they mean for your work.\n\n");
        if self.m.terms.is_empty() {
            out.push_str("This matrix has no glossary.\n");
        } else {
            let rows: Vec<Vec<String>> = self
                .m
                .terms
                .iter()
                .map(|t| {
                    vec![
                        format!("**{}**", md::text(&t.term)),
                        md::text(&t.meaning),
                        md::text(&t.business_impact),
                    ]
                })
                .collect();
            out.push_str(&md::table(
                &["Term", "What it means", "What it means for the business"],
                &rows,
            ));
        }
    }

    // ------------------------------------------------------------ contacts

    fn contacts(&self, out: &mut String) {
        if self.opts.include_private {
            out.push_str(
                "**This page includes private channels** (marked *private*): keep it inside the \
                 support organisation.\n\n",
            );
        } else {
            out.push_str("Public channels only. Phone numbers and other private channels are not published.\n\n");
        }
        let default_zone = self
            .m
            .manifest
            .as_ref()
            .map(|m| m.time_zone.value.clone())
            .unwrap_or_default();
        let teams: Vec<&Party> = self.m.parties.iter().filter(|p| p.is_team).collect();
        let people: Vec<&Party> = self.m.parties.iter().filter(|p| !p.is_team).collect();
        if !teams.is_empty() {
            out.push_str("## Teams\n\n");
            let rows: Vec<Vec<String>> = teams
                .iter()
                .map(|p| {
                    vec![
                        md::text(&p.name),
                        md::text(&p.role),
                        p.lead
                            .as_ref()
                            .map(|l| md::text(&self.who(&l.value)))
                            .unwrap_or_default(),
                        self.channel_list(p),
                    ]
                })
                .collect();
            out.push_str(&md::table(&["Team", "Purpose", "Lead", "Channels"], &rows));
        }
        if !people.is_empty() {
            out.push_str("\n## People\n\n");
            let rows: Vec<Vec<String>> = people
                .iter()
                .map(|p| {
                    let zone = p
                        .time_zone
                        .as_ref()
                        .map_or(default_zone.as_str(), |z| z.value.as_str());
                    vec![
                        md::text(&p.name),
                        md::text(&p.role),
                        p.team
                            .as_ref()
                            .map(|t| md::text(&self.who(&t.value)))
                            .unwrap_or_default(),
                        if zone.is_empty() {
                            String::new()
                        } else {
                            md::code(zone)
                        },
                        self.channel_list(p),
                    ]
                })
                .collect();
            out.push_str(&md::table(
                &["Name", "Role", "Team", "Time zone", "Channels"],
                &rows,
            ));
        }
    }
}

/// Text on one line, white space collapsed (not escaped).
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A channel value as Markdown: email as a mailto link, the rest as code.
fn channel_value(name: &str, value: &str) -> String {
    let simple_email = name == "email"
        && value.contains('@')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@.-_+".contains(c));
    if simple_email {
        format!("[{}](mailto:{value})", md::text(value))
    } else {
        md::code(value)
    }
}

/// “a”, “b”, “c” and more, at most `max` phrases.
fn quoted<'s>(phrases: impl Iterator<Item = &'s str>, max: usize) -> String {
    let all: Vec<&str> = phrases.collect();
    let mut shown: Vec<String> = all
        .iter()
        .take(max)
        .map(|p| format!("“{}”", md::text(p)))
        .collect();
    if all.len() > max {
        shown.push(format!("{} more", all.len() - max));
    }
    and_list(&shown)
}

/// `every hour` for `1 hour`, `every 4 hours` otherwise.
fn every(words: &str) -> String {
    match words.strip_prefix("1 ") {
        Some(unit) if !unit.contains(' ') || unit == "business day" => format!("every {unit}"),
        _ => format!("every {words}"),
    }
}

/// A duration as written, in words (`2bd` -> `2 business days`).
pub(super) fn spec_text(text: &str) -> String {
    DurationSpec::parse(text).map_or_else(|_| md::code(text), |s| spec_words(&s))
}

/// `2 business days`, `1 hour 30 minutes`, `90 days`.
pub(super) fn spec_words(s: &DurationSpec) -> String {
    let mut parts = Vec::new();
    for (n, one, many) in [
        (s.days, "day", "days"),
        (s.business_days, "business day", "business days"),
        (s.hours, "hour", "hours"),
        (s.minutes, "minute", "minutes"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    if parts.is_empty() {
        "no time".into()
    } else {
        parts.join(" ")
    }
}

/// Minutes in words. On a calendar (`business_day` given) whole business days
/// read as such; around the clock, whole days from two days up.
pub(super) fn minutes_words(minutes: u64, business_day: Option<u32>) -> String {
    let spec = match business_day {
        Some(bd) if bd > 0 && minutes >= u64::from(bd) && minutes.is_multiple_of(u64::from(bd)) => {
            let n = u32::try_from(minutes / u64::from(bd)).unwrap_or(u32::MAX);
            return spec_words(&DurationSpec {
                business_days: n,
                ..DurationSpec::default()
            });
        }
        None if minutes >= 2 * 1440 && minutes.is_multiple_of(1440) => DurationSpec {
            days: u32::try_from(minutes / 1440).unwrap_or(u32::MAX),
            ..DurationSpec::default()
        },
        _ => DurationSpec {
            hours: u32::try_from(minutes / 60).unwrap_or(u32::MAX),
            minutes: u32::try_from(minutes % 60).unwrap_or(0),
            ..DurationSpec::default()
        },
    };
    if minutes == 0 {
        "at once".into()
    } else {
        spec_words(&spec)
    }
}

/// Weekdays grouped by identical opening hours: `Monday to Friday | 08:00–12:00, 13:00–17:00`.
fn opening_hours(weekly: &[Vec<Window>; 7]) -> Vec<Vec<String>> {
    let hours = |windows: &Vec<Window>| -> String {
        let spans: Vec<String> = windows
            .iter()
            .filter(|w| w.span().is_some())
            .map(|w| {
                let end = format_clock_time(w.end);
                let (_, close) = w.span().unwrap_or((0, 0));
                if close > u32::from(crate::calendar::MINUTES_PER_DAY) {
                    format!("{}–{end} (next day)", format_clock_time(w.start))
                } else {
                    format!("{}–{end}", format_clock_time(w.start))
                }
            })
            .collect();
        if spans.is_empty() {
            "closed".into()
        } else {
            spans.join(", ")
        }
    };
    let mut rows = Vec::new();
    let mut i = 0;
    while i < 7 {
        let text = hours(&weekly[i]);
        let mut j = i;
        while j + 1 < 7 && hours(&weekly[j + 1]) == text {
            j += 1;
        }
        let days = match j - i {
            0 => DAY_NAMES[i].to_string(),
            1 => format!("{} and {}", DAY_NAMES[i], DAY_NAMES[j]),
            _ => format!("{} to {}", DAY_NAMES[i], DAY_NAMES[j]),
        };
        rows.push(vec![days, text]);
        i = j + 1;
    }
    rows
}

fn parse_local(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .ok()
}

fn placeholder_meaning(p: &str) -> &'static str {
    match p {
        "severity" => "the severity id",
        "severity_name" => "the severity level's name",
        "tier" => "the tier id",
        "tier_name" => "the tier's name",
        "owner" => "who owns the incident",
        "owner_channel" => "how to reach the owner",
        "backup" => "the owner's backup",
        "backup_channel" => "how to reach the backup",
        "notify" => "everyone else who is told",
        "acknowledge_by" => "when the incident must be acknowledged",
        "assess_by" => "when the first assessment is due",
        "resolve_by" => "when the incident should be resolved",
        "next_update_by" => "when the next update is due",
        "sponsor" => "the executive sponsor",
        "how_to_ask" => "how to ask for help (see the overview)",
        "matrix_version" => "the version of this matrix",
        _ => "",
    }
}

//! Route output: the filled script, the human table and the ticket-ready
//! Markdown block. JSON is the [`Route`] struct serialised as it is.

use super::Route;
use crate::matrix::Matrix;
use chrono::{DateTime, FixedOffset, Utc};
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use std::fmt::Write as _;

/// Fills the placeholders of the route's script, in one pass over the
/// template: only the placeholders the script uses are computed.
pub fn fill_script(route: &mut Route, matrix: &Matrix) {
    let template = route
        .script
        .as_ref()
        .and_then(|s| matrix.script(&s.id))
        .map(|s| s.text.value.as_str());
    if let Some(template) = template {
        fill_script_at(route, matrix, &template_pieces(template));
    }
}

/// One piece of a script's text as written: text to copy, or the name of a
/// placeholder between braces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piece<'t> {
    /// Copied as it is.
    Text(&'t str),
    /// Replaced by its value (kept in braces if unknown).
    Placeholder(&'t str),
}

/// A script's text as written, trimmed, split into pieces once so that each
/// route only copies and fills them.
pub(super) fn template_pieces(template: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = template.trim();
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            pieces.push(Piece::Text(&rest[open..]));
            rest = "";
            break;
        };
        pieces.push(Piece::Placeholder(&after[..close]));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    pieces
}

/// [`fill_script`] with the script's text as [`template_pieces`].
pub(super) fn fill_script_at(route: &mut Route, matrix: &Matrix, pieces: &[Piece<'_>]) {
    if route.script.is_none() {
        return;
    }
    let written: usize = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.len(),
            Piece::Placeholder(_) => 24,
        })
        .sum();
    let mut text = String::with_capacity(written);
    for piece in pieces {
        match *piece {
            Piece::Text(t) => text.push_str(t),
            Piece::Placeholder(name) => {
                if !placeholder(&mut text, route, matrix, name) {
                    // Validation reports unknown placeholders; keep them visible.
                    text.push('{');
                    text.push_str(name);
                    text.push('}');
                }
            }
        }
    }
    if let Some(script) = route.script.as_mut() {
        script.text = text;
    }
}

/// Appends the value of placeholder `name` to `out`; false for an unknown name.
fn placeholder(out: &mut String, route: &Route, matrix: &Matrix, name: &str) -> bool {
    let channel = |out: &mut String, p: &super::PartyView| match p.first_channel_parts() {
        Some((kind, value)) => {
            out.push_str(kind);
            out.push(' ');
            out.push_str(value);
        }
        None => out.push_str("no public channel"),
    };
    let time = |out: &mut String, due: &super::ZonedTime| push_readable(out, &due.time());
    match name {
        "severity" => out.push_str(&route.severity.id),
        "severity_name" => out.push_str(&route.severity.name),
        "tier" => out.push_str(&route.tier.id),
        "tier_name" => out.push_str(&route.tier.name),
        "owner" => out.push_str(&route.owner.name),
        "owner_channel" => channel(out, &route.owner),
        "backup" => {
            if let Some(p) = &route.backup {
                out.push_str(&p.name);
            }
        }
        "backup_channel" => {
            if let Some(p) = &route.backup {
                channel(out, p);
            }
        }
        "notify" if route.notify.is_empty() => out.push_str("nobody else"),
        "notify" => {
            for (i, p) in route.notify.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&p.name);
            }
        }
        "acknowledge_by" => time(out, &route.deadlines.acknowledge_by),
        "assess_by" => time(out, &route.deadlines.assess_by),
        "resolve_by" => time(out, &route.deadlines.resolve_by),
        "next_update_by" => time(out, &route.deadlines.next_update_by),
        "sponsor" => {
            if let Some(p) = matrix
                .manifest
                .as_ref()
                .and_then(|m| matrix.party(&m.sponsor.value))
            {
                out.push_str(&p.name);
            }
        }
        "how_to_ask" => {
            if let Some(m) = &matrix.manifest {
                out.push_str(&m.how_to_ask.trim().replace('\n', " "));
            }
        }
        "matrix_version" => out.push_str(matrix.version()),
        _ => return false,
    }
    true
}

/// `Mon 2026-03-09 13:00 +01:00` from an RFC 3339 instant; the text itself when it
/// does not parse.
pub fn readable_time(rfc3339: &str) -> String {
    let mut out = String::with_capacity(26);
    push_readable_time(&mut out, rfc3339);
    out
}

/// Appends [`readable_time`] of `rfc3339` to `out`.
fn push_readable_time(out: &mut String, rfc3339: &str) {
    match DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => push_readable(out, &t),
        Err(_) => out.push_str(rfc3339),
    }
}

/// Appends `t` as `Mon 2026-03-09 13:00 +01:00`: what chrono writes for
/// `%a %Y-%m-%d %H:%M %:z`, without interpreting a format string each time.
pub(super) fn push_readable<Tz: chrono::TimeZone>(out: &mut String, t: &DateTime<Tz>)
where
    Tz::Offset: chrono::Offset + std::fmt::Display,
{
    use chrono::{Datelike as _, Offset as _, Timelike as _};
    let year = t.year();
    // Offsets with seconds (local mean time before 1900s) are left to chrono's rounding.
    if !(0..=9999).contains(&year) || t.offset().fix().local_minus_utc() % 60 != 0 {
        let _ = write!(out, "{}", t.format("%a %Y-%m-%d %H:%M %:z"));
        return;
    }
    let offset = t.offset().fix().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.unsigned_abs() / 60;
    let year = year.unsigned_abs();
    let local = t.naive_local();
    out.push_str(weekday_abbreviation(local.weekday()));
    out.push(' ');
    push_two_digits(out, year / 100);
    push_two_digits(out, year % 100);
    out.push('-');
    push_two_digits(out, local.month());
    out.push('-');
    push_two_digits(out, local.day());
    out.push(' ');
    push_two_digits(out, local.hour());
    out.push(':');
    push_two_digits(out, local.minute());
    out.push(' ');
    out.push(sign);
    push_two_digits(out, offset / 60);
    out.push(':');
    push_two_digits(out, offset % 60);
}

/// `t` as RFC 3339 (`2026-03-09T13:00:00+01:00`): what chrono's `to_rfc3339` writes,
/// without its general formatting machinery for the common case of whole seconds.
/// (Routes write their times through [`write_rfc3339`]; the tests compare this
/// with chrono.)
#[cfg(test)]
pub(super) fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    let mut out = String::with_capacity(25);
    // Writing to a `String` cannot fail.
    let _ = write_rfc3339(&mut out, t);
    out
}

/// Writes `t` as [`rfc3339`] does, in one piece: the common case is put
/// together on the stack.
pub(super) fn write_rfc3339(
    out: &mut impl std::fmt::Write,
    t: &DateTime<FixedOffset>,
) -> std::fmt::Result {
    use chrono::{Datelike as _, Offset as _, Timelike as _};
    let offset = t.offset().fix().local_minus_utc();
    let year = t.year();
    if !(0..=9999).contains(&year) || t.nanosecond() != 0 || offset % 60 != 0 {
        return out.write_str(&t.to_rfc3339());
    }
    let sign = if offset < 0 { b'-' } else { b'+' };
    let offset = offset.unsigned_abs() / 60;
    let year = year.unsigned_abs();
    let local = t.naive_local();
    let [y1, y2] = two_digits(year / 100);
    let [y3, y4] = two_digits(year % 100);
    let [mo1, mo2] = two_digits(local.month());
    let [d1, d2] = two_digits(local.day());
    let [h1, h2] = two_digits(local.hour());
    let [mi1, mi2] = two_digits(local.minute());
    let [s1, s2] = two_digits(local.second());
    let [oh1, oh2] = two_digits(offset / 60);
    let [om1, om2] = two_digits(offset % 60);
    let text = [
        y1, y2, y3, y4, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':', s1, s2,
        sign, oh1, oh2, b':', om1, om2,
    ];
    out.write_str(std::str::from_utf8(&text).map_err(|_| std::fmt::Error)?)
}

/// The last two decimal digits of `n`, as ASCII.
fn two_digits(n: u32) -> [u8; 2] {
    const DIGITS: &[u8; 10] = b"0123456789";
    let digit = |d: u32| DIGITS.get(d as usize).copied().unwrap_or(b'0');
    [digit(n / 10 % 10), digit(n % 10)]
}

/// `Mon` .. `Sun`, as chrono's `%a` writes them.
fn weekday_abbreviation(day: chrono::Weekday) -> &'static str {
    use chrono::Weekday::{Fri, Mon, Sat, Sun, Thu, Tue, Wed};
    match day {
        Mon => "Mon",
        Tue => "Tue",
        Wed => "Wed",
        Thu => "Thu",
        Fri => "Fri",
        Sat => "Sat",
        Sun => "Sun",
    }
}

/// Appends `n` (below 100) as two decimal digits.
fn push_two_digits(out: &mut String, n: u32) {
    for digit in two_digits(n) {
        out.push(char::from(digit));
    }
}

fn remaining(due: DateTime<FixedOffset>, now: DateTime<Utc>) -> String {
    let minutes = (due.with_timezone(&Utc) - now).num_minutes();
    if minutes < 0 {
        return format!("overdue by {}", human_minutes(minutes.unsigned_abs()));
    }
    format!("in {}", human_minutes(minutes.unsigned_abs()))
}

fn human_minutes(minutes: u64) -> String {
    let days = minutes / (24 * 60);
    let hours = (minutes % (24 * 60)) / 60;
    let mins = minutes % 60;
    match (days, hours, mins) {
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m:02}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// Options for human output.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    /// Colour the severity and warnings.
    pub color: bool,
    /// Add the explanation.
    pub explain: bool,
    /// Now, for "time remaining".
    pub now: DateTime<Utc>,
    /// Terminal width, if known.
    pub width: Option<u16>,
}

/// How a party and its public channels are written: the marks around its
/// id, between a channel's kind and value, after the name, between channels.
struct PartyStyle {
    quote: &'static str,
    kind: &'static str,
    lead: &'static str,
    between: &'static str,
}

/// A party's name and id, then every public channel.
fn party_text(p: &super::PartyView, style: &PartyStyle) -> String {
    let mut out = format!("{} ({q}{}{q})", p.name, p.id, q = style.quote);
    for (i, (kind, value)) in p.channels.iter().enumerate() {
        out.push_str(if i == 0 { style.lead } else { style.between });
        out.push_str(kind);
        out.push_str(style.kind);
        out.push_str(value);
    }
    out
}

/// A party for the table: a channel a line.
fn party_line(p: &super::PartyView) -> String {
    party_text(
        p,
        &PartyStyle {
            quote: "",
            kind: ": ",
            lead: "\n",
            between: "\n",
        },
    )
}

/// The compact human view.
pub fn human(route: &Route, options: HumanOptions) -> String {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(width) = options.width {
        table.set_width(width);
    }
    if options.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    let severity_color = match route.severity.id.as_str() {
        "sev1" => Color::Red,
        "sev2" => Color::Yellow,
        _ => Color::Reset,
    };
    let mut sev = Cell::new(format!("{} ({})", route.severity.name, route.severity.id));
    if options.color {
        sev = sev.fg(severity_color);
    }
    table.add_row(vec![Cell::new("Severity"), sev]);
    table.add_row(vec![
        "Tier".to_string(),
        format!("{} ({})", route.tier.name, route.tier.id),
    ]);
    table.add_row(vec!["Owner".to_string(), party_line(&route.owner)]);
    if let Some(backup) = &route.backup {
        table.add_row(vec!["Backup".to_string(), party_line(backup)]);
    }
    let notify = if route.notify.is_empty() {
        "-".to_string()
    } else {
        route
            .notify
            .iter()
            .map(|p| match p.first_channel() {
                Some(channel) => format!("{} ({}): {channel}", p.name, p.id),
                None => format!("{} ({})", p.name, p.id),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    table.add_row(vec!["Notify".to_string(), notify]);
    let d = &route.deadlines;
    let clock = if &*d.clock == "24x7" {
        format!("around the clock, shown in {}", d.time_zone)
    } else {
        format!("business hours on `{}` ({})", d.clock, d.time_zone)
    };
    let mut due = String::new();
    for (label, value, target) in [
        ("Acknowledge by", &d.acknowledge_by, "acknowledge"),
        ("Assess by", &d.assess_by, "assess"),
        ("Resolve by", &d.resolve_by, "resolve"),
        ("Next update by", &d.next_update_by, "update_every"),
    ] {
        let _ = writeln!(
            due,
            "{label:<15} {}  ({}, {})",
            value.readable(),
            d.targets.get(target).map_or("", String::as_str),
            remaining(value.time(), options.now)
        );
    }
    let _ = write!(due, "Clock: {clock}");
    table.add_row(vec!["Due".to_string(), due]);
    if !route.escalation.is_empty() {
        let steps: Vec<&str> = route.escalation.iter().map(|s| s.text.as_str()).collect();
        table.add_row(vec!["Escalation".to_string(), steps.join("\n")]);
    }
    let confidence = if route.fallback {
        "low: no rule matched, the fallback route applies".to_string()
    } else {
        route.confidence.to_string()
    };
    table.add_row(vec!["Confidence".to_string(), confidence]);
    let mut out = table.to_string();
    out.push('\n');
    if let Some(script) = &route.script {
        let _ = write!(out, "\nScript: {}\n{}\n", script.name, script.text);
    }
    if options.explain {
        out.push('\n');
        out.push_str(&explain(route));
    }
    out
}

/// The explanation in words.
pub fn explain(route: &Route) -> String {
    let e = &route.explanation;
    let mut out = String::from("Why:\n");
    let _ = writeln!(out, "  description: {}", route.description);
    match &e.winner {
        Some(w) => {
            let _ = writeln!(out, "  winning rule: {w}");
        }
        None if route.fallback => {
            let _ = writeln!(
                out,
                "  no routing rule matched: the fallback route applies (low confidence)"
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  no routing rule matched: an override decided the tier"
            );
        }
    }
    for m in &e.matched {
        let kind = match m.kind {
            crate::matrix::schema::RuleKind::Route => "route",
            crate::matrix::schema::RuleKind::Override => "override",
        };
        let _ = writeln!(
            out,
            "  - {} ({kind}, precedence {}): {}",
            m.id, m.precedence, m.summary
        );
        if !m.words.is_empty() {
            let _ = writeln!(out, "      matched words: {}", quote_all(&m.words));
        }
        if !m.dimensions.is_empty() {
            let _ = writeln!(out, "      required: {}", m.dimensions.join(", "));
        }
    }
    if let Some(t) = &e.tie_break {
        let _ = writeln!(out, "  tie-break: {t}");
    }
    if route.dimensions.is_empty() {
        let _ = writeln!(out, "  dimensions: none inferred");
    }
    for (dim, value) in &route.dimensions {
        if value.phrases.is_empty() {
            let _ = writeln!(out, "  {dim} = {} ({})", value.level, value.source);
        } else {
            let _ = writeln!(
                out,
                "  {dim} = {} ({} from {})",
                value.level,
                value.source,
                quote_all(&value.phrases)
            );
        }
    }
    if !e.decisions.is_empty() {
        let _ = writeln!(out, "  decision rows: {}", e.decisions.join(", "));
    }
    let _ = writeln!(
        out,
        "  severity: {} ({})",
        route.severity.id, route.severity.reason
    );
    let _ = writeln!(out, "  tier: {} ({})", route.tier.id, route.tier.reason);
    if !e.rejected.is_empty() {
        let _ = writeln!(out, "  considered and rejected:");
        for r in &e.rejected {
            let _ = writeln!(out, "  - {}: {}", r.id, r.reason);
        }
    }
    let _ = writeln!(
        out,
        "  matrix: {} {}{}",
        route.matrix.name,
        route.matrix.version,
        route
            .matrix
            .commit
            .as_deref()
            .map(|c| format!(" at {c}"))
            .unwrap_or_default()
    );
    out
}

fn quote_all<T: AsRef<str>>(words: &[T]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"", w.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Markdown block to paste into a ticket.
pub fn markdown(route: &Route) -> String {
    let mut out = String::new();
    let d = &route.deadlines;
    let _ = writeln!(
        out,
        "### Escalation: {} / {}",
        route.severity.name, route.tier.name
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "> {}", route.description.replace('\n', " "));
    let _ = writeln!(out);
    let _ = writeln!(out, "| | |");
    let _ = writeln!(out, "|---|---|");
    let _ = writeln!(
        out,
        "| Severity | {} (`{}`) |",
        route.severity.name, route.severity.id
    );
    let _ = writeln!(out, "| Tier | {} (`{}`) |", route.tier.name, route.tier.id);
    let _ = writeln!(out, "| Owner | {} |", md_party(&route.owner));
    if let Some(b) = &route.backup {
        let _ = writeln!(out, "| Backup | {} |", md_party(b));
    }
    let notify: Vec<String> = route
        .notify
        .iter()
        .map(|p| match p.first_channel() {
            Some(channel) => format!("{} (`{}`): {channel}", p.name, p.id),
            None => format!("{} (`{}`)", p.name, p.id),
        })
        .collect();
    let _ = writeln!(
        out,
        "| Notify | {} |",
        if notify.is_empty() {
            "-".into()
        } else {
            notify.join("; ")
        }
    );
    let _ = writeln!(out, "| Acknowledge by | {} |", d.acknowledge_by.readable());
    let _ = writeln!(out, "| Assess by | {} |", d.assess_by.readable());
    let _ = writeln!(out, "| Resolve by | {} |", d.resolve_by.readable());
    let _ = writeln!(out, "| Next update by | {} |", d.next_update_by.readable());
    let clock = if &*d.clock == "24x7" {
        "around the clock".to_string()
    } else {
        format!("business hours (`{}`, {})", d.clock, d.time_zone)
    };
    let _ = writeln!(out, "| Clock | {clock} |");
    if route.fallback {
        let _ = writeln!(out, "| Confidence | low: fallback route |");
    }
    if !route.escalation.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "**Escalation**");
        let _ = writeln!(out);
        for s in &route.escalation {
            let _ = writeln!(out, "- {}", s.text);
        }
    }
    if let Some(script) = &route.script {
        let _ = writeln!(out);
        let _ = writeln!(out, "**Script: {}**", script.name);
        let _ = writeln!(out);
        for line in script.text.lines() {
            let _ = writeln!(out, "> {line}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "_Rules: {}. Matrix {}{}._",
        if route.explanation.rules.is_empty() {
            "none (fallback)".to_string()
        } else {
            route.explanation.rules.join(", ")
        },
        route.matrix.version,
        route
            .matrix
            .commit
            .as_deref()
            .map(|c| format!(" at {c}"))
            .unwrap_or_default()
    );
    out
}

/// A party with every public channel: whoever reads the ticket picks the
/// one that fits the hour (a pager at night, a queue by day).
fn md_party(p: &super::PartyView) -> String {
    party_text(
        p,
        &PartyStyle {
            quote: "`",
            kind: " ",
            lead: ": ",
            between: ", ",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::{Piece, push_readable, readable_time, rfc3339, template_pieces};
    use chrono::{DateTime, TimeZone as _, Utc};
    use proptest::prelude::*;

    /// A template splits into text and placeholders as written: trimmed, an empty
    /// name kept as a placeholder, an unclosed brace kept as text.
    #[test]
    fn template_pieces_as_written() {
        assert_eq!(
            template_pieces("  Hi {owner}, by {acknowledge_by}{}. Costs {5 EUR\n"),
            vec![
                Piece::Text("Hi "),
                Piece::Placeholder("owner"),
                Piece::Text(", by "),
                Piece::Placeholder("acknowledge_by"),
                Piece::Placeholder(""),
                Piece::Text(". Costs "),
                Piece::Text("{5 EUR"),
            ]
        );
        assert_eq!(template_pieces("{tier}"), vec![Piece::Placeholder("tier")]);
        assert!(template_pieces("   ").is_empty());
    }

    proptest! {
        /// The hand-rolled writer says exactly what chrono's `%a %Y-%m-%d %H:%M %:z`
        /// says, in zones east and west of UTC and with half-hour offsets.
        #[test]
        fn readable_matches_chrono(secs in -62_000_000_000i64..253_000_000_000, zone in 0usize..4) {
            let zones = [
                chrono_tz::Europe::Berlin,
                chrono_tz::America::St_Johns,
                chrono_tz::Asia::Kolkata,
                chrono_tz::UTC,
            ];
            let t = zones[zone].timestamp_opt(secs, 0).unwrap();
            let mut ours = String::new();
            push_readable(&mut ours, &t);
            prop_assert_eq!(&ours, &t.format("%a %Y-%m-%d %H:%M %:z").to_string());
            prop_assert_eq!(readable_time(&t.to_rfc3339()), ours);
            prop_assert_eq!(rfc3339(&t.fixed_offset()), t.to_rfc3339());
            let with_nanos = t.fixed_offset() + chrono::Duration::nanoseconds(1_500);
            prop_assert_eq!(rfc3339(&with_nanos), with_nanos.to_rfc3339());
        }
    }

    #[test]
    fn readable_time_keeps_text_it_cannot_read() {
        assert_eq!(readable_time("soon"), "soon");
        let t: DateTime<Utc> = "2026-03-09T12:00:00Z".parse().unwrap();
        assert_eq!(
            readable_time(&t.with_timezone(&chrono_tz::Europe::Berlin).to_rfc3339()),
            "Mon 2026-03-09 13:00 +01:00"
        );
    }
}

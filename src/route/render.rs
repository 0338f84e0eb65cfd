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
    let Some(template) = route.script.as_ref().map(|s| s.template.trim().to_string()) else {
        return;
    };
    let mut text = String::with_capacity(template.len() + 64);
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &after[..close];
        if let Some(value) = placeholder(route, matrix, name) {
            text.push_str(&value);
        } else {
            // Validation reports unknown placeholders; keep them visible.
            text.push('{');
            text.push_str(name);
            text.push('}');
        }
        rest = &after[close + 1..];
    }
    text.push_str(rest);
    if let Some(script) = route.script.as_mut() {
        script.text = text;
    }
}

fn placeholder(route: &Route, matrix: &Matrix, name: &str) -> Option<String> {
    let channel = |p: &super::PartyView| {
        p.first_channel()
            .unwrap_or_else(|| "no public channel".into())
    };
    Some(match name {
        "severity" => route.severity.id.clone(),
        "severity_name" => route.severity.name.clone(),
        "tier" => route.tier.id.clone(),
        "tier_name" => route.tier.name.clone(),
        "owner" => route.owner.name.clone(),
        "owner_channel" => channel(&route.owner),
        "backup" => route
            .backup
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        "backup_channel" => route.backup.as_deref().map(channel).unwrap_or_default(),
        "notify" if route.notify.is_empty() => "nobody else".to_string(),
        "notify" => route
            .notify
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        "acknowledge_by" => readable_time(&route.deadlines.acknowledge_by),
        "assess_by" => readable_time(&route.deadlines.assess_by),
        "resolve_by" => readable_time(&route.deadlines.resolve_by),
        "next_update_by" => readable_time(&route.deadlines.next_update_by),
        "sponsor" => matrix
            .manifest
            .as_ref()
            .and_then(|m| matrix.party(&m.sponsor.value))
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        "how_to_ask" => matrix
            .manifest
            .as_ref()
            .map(|m| m.how_to_ask.trim().replace('\n', " "))
            .unwrap_or_default(),
        "matrix_version" => matrix.version().to_string(),
        _ => return None,
    })
}

/// `Mon 2026-03-09 13:00 CET` from an RFC 3339 instant.
pub fn readable_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339).map_or_else(
        |_| rfc3339.to_string(),
        |t| t.format("%a %Y-%m-%d %H:%M %:z").to_string(),
    )
}

fn remaining(due: &str, now: DateTime<Utc>) -> String {
    let Ok(due) = DateTime::<FixedOffset>::parse_from_rfc3339(due) else {
        return String::new();
    };
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

fn party_line(p: &super::PartyView) -> String {
    let channels: Vec<String> = p
        .channels
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    if channels.is_empty() {
        format!("{} ({})", p.name, p.id)
    } else {
        format!("{} ({})\n{}", p.name, p.id, channels.join("\n"))
    }
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
            .map(|p| format!("{} ({})", p.name, p.id))
            .collect::<Vec<_>>()
            .join("\n")
    };
    table.add_row(vec!["Notify".to_string(), notify]);
    let d = &route.deadlines;
    let clock = if d.clock == "24x7" {
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
            readable_time(value),
            d.targets.get(target).map_or("", String::as_str),
            remaining(value, options.now)
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
        route.confidence.clone()
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

fn quote_all(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\""))
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
        .map(|p| format!("{} (`{}`)", p.name, p.id))
        .collect();
    let _ = writeln!(
        out,
        "| Notify | {} |",
        if notify.is_empty() {
            "-".into()
        } else {
            notify.join(", ")
        }
    );
    let _ = writeln!(
        out,
        "| Acknowledge by | {} |",
        readable_time(&d.acknowledge_by)
    );
    let _ = writeln!(out, "| Assess by | {} |", readable_time(&d.assess_by));
    let _ = writeln!(out, "| Resolve by | {} |", readable_time(&d.resolve_by));
    let _ = writeln!(
        out,
        "| Next update by | {} |",
        readable_time(&d.next_update_by)
    );
    let clock = if d.clock == "24x7" {
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

fn md_party(p: &super::PartyView) -> String {
    match p.first_channel() {
        Some(c) => format!("{} (`{}`), {c}", p.name, p.id),
        None => format!("{} (`{}`)", p.name, p.id),
    }
}

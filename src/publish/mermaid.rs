//! The escalation flow as a Mermaid flowchart, and the same in words.
//!
//! Nodes: the request, every tier (with owner and backup), the parties that
//! escalation steps and special cases bring in, and one hexagon per special
//! case (override rule with a tier or people to tell). Edges: the request to
//! the first tier, each tier to the next, each severity's escalation steps,
//! and each special case to its tier and the people it informs (dotted).

use super::markdown::and_list;
use super::pages::{Renderer, one_line};
use crate::matrix::schema::RuleKind;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A Mermaid node id: `prefix_` and the entity id with `-` as `_`.
fn node(prefix: &str, id: &str) -> String {
    let clean: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{prefix}_{clean}")
}

/// Text for a quoted Mermaid label: quotes and angle brackets as entities.
fn label(text: &str) -> String {
    let mut out = String::new();
    for c in one_line(text).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

/// The node a notify entry points to, with its label: reserved names get their own nodes.
fn target(r: &Renderer<'_>, id: &str) -> (String, String) {
    match id {
        "owner" => ("x_owner".into(), "the tier's owner".into()),
        "backup" => ("x_backup".into(), "the tier's backup".into()),
        "next-tier" => ("x_next_tier".into(), "the next tier".into()),
        "sponsor" => {
            let sponsor =
                r.m.manifest
                    .as_ref()
                    .map(|m| m.sponsor.value.clone())
                    .unwrap_or_default();
            match r.m.party(&sponsor) {
                Some(p) => (
                    node("p", &p.id.value),
                    format!("{} (executive sponsor)", one_line(&p.name)),
                ),
                None => ("x_sponsor".into(), "the executive sponsor".into()),
            }
        }
        _ => match r.m.party(id) {
            Some(p) => {
                let sponsor = r.m.manifest.as_ref().is_some_and(|m| m.sponsor.value == id);
                let name = one_line(&p.name);
                (
                    node("p", id),
                    if sponsor {
                        format!("{name} (executive sponsor)")
                    } else {
                        name
                    },
                )
            }
            None => (node("p", id), id.to_string()),
        },
    }
}

pub(super) fn flowchart(r: &Renderer<'_>) -> String {
    let mut nodes = String::new();
    let mut edges = String::new();
    let mut declared = BTreeSet::new();
    let mut declare = |nodes: &mut String, id: &str, text: &str| {
        if declared.insert(id.to_string()) {
            let _ = writeln!(nodes, "    {id}[\"{}\"]", label(text));
        }
    };
    let _ = writeln!(nodes, "    request([\"A business user asks for help\"])");
    for t in &r.m.tiers {
        let mut text = label(&t.name);
        let _ = write!(text, "<br/>owner: {}", label(&r.who(&t.owner.value)));
        if let Some(b) = &t.backup {
            let _ = write!(text, "<br/>backup: {}", label(&r.who(&b.value)));
        }
        let _ = writeln!(nodes, "    {}[\"{text}\"]", node("t", &t.id.value));
    }
    for t in r.entry_tiers() {
        let _ = writeln!(edges, "    request --> {}", node("t", &t.id.value));
    }
    for t in &r.m.tiers {
        if let Some(next) = &t.escalates_to {
            let _ = writeln!(
                edges,
                "    {} -->|\"escalate\"| {}",
                node("t", &t.id.value),
                node("t", &next.value)
            );
        }
    }
    // Escalation steps, per severity.
    let severities: Vec<_> = r
        .severities_by_rank()
        .into_iter()
        .filter(|s| !s.escalation.is_empty())
        .collect();
    if !severities.is_empty() {
        let _ = writeln!(
            edges,
            "    subgraph steps[\"Escalation when a target is missed\"]"
        );
        for s in &severities {
            let sid = node("s", &s.id.value);
            let _ = writeln!(edges, "        {sid}{{{{\"{}\"}}}}", label(&s.name));
            for e in &s.escalation {
                let when = format!(
                    "not {} after {}: {}",
                    e.unless.as_str(),
                    plain(&super::pages::spec_text(&e.after.value)),
                    one_line(&e.action)
                );
                for n in &e.notify {
                    let (tid, text) = target(r, &n.value);
                    declare(&mut nodes, &tid, &text);
                    let _ = writeln!(edges, "        {sid} -->|\"{}\"| {tid}", label(&when));
                }
            }
        }
        let _ = writeln!(edges, "    end");
    }
    // Special cases: override rules that change the tier or tell someone.
    for rule in r.rules_by_precedence() {
        if rule.kind != RuleKind::Override
            || (rule.outcome.tier.is_none() && rule.outcome.notify.is_empty())
        {
            continue;
        }
        let rid = node("r", &rule.id.value);
        let mut text = one_line(rule.summary.trim_end_matches('.'));
        if let Some(s) = &rule.outcome.severity {
            let _ = write!(
                text,
                " ({})",
                r.m.severity(&s.value)
                    .map_or(s.value.clone(), |x| one_line(&x.name))
            );
        }
        let _ = writeln!(nodes, "    {rid}{{{{\"{}\"}}}}", label(&text));
        let _ = writeln!(edges, "    request -.->|\"special case\"| {rid}");
        if let Some(t) = &rule.outcome.tier {
            let _ = writeln!(edges, "    {rid} --> {}", node("t", &t.value));
        }
        for n in &rule.outcome.notify {
            let (tid, text) = target(r, &n.value);
            declare(&mut nodes, &tid, &text);
            let _ = writeln!(edges, "    {rid} -.->|\"inform\"| {tid}");
        }
    }
    format!("flowchart TD\n{nodes}{edges}")
}

/// Markdown escapes removed, for labels (durations in words carry none, codes do).
fn plain(markdown: &str) -> String {
    markdown.replace(['`', '\\'], "")
}

/// The flowchart in sentences, for readers who cannot see the diagram.
pub(super) fn in_words(r: &Renderer<'_>) -> Vec<String> {
    use super::markdown::text;
    let mut lines = Vec::new();
    let entry: Vec<String> = r.entry_tiers().iter().map(|t| text(&t.name)).collect();
    if !entry.is_empty() {
        lines.push(format!("A request starts at {}.", and_list(&entry)));
    }
    for t in &r.m.tiers {
        match &t.escalates_to {
            Some(next) => lines.push(format!(
                "{} escalates to {}.",
                text(&t.name),
                r.m.tier(&next.value)
                    .map_or_else(|| text(&next.value), |n| text(&n.name))
            )),
            None => lines.push(format!("{} is the last tier.", text(&t.name))),
        }
    }
    for s in r.severities_by_rank() {
        for e in &s.escalation {
            lines.push(format!("{}: {}", text(&s.name), r.step_words(e)));
        }
    }
    for rule in r.rules_by_precedence() {
        if rule.kind != RuleKind::Override
            || (rule.outcome.tier.is_none() && rule.outcome.notify.is_empty())
        {
            continue;
        }
        lines.push(format!(
            "{} — {}.",
            text(rule.summary.trim_end_matches('.')),
            r.outcome_words(&rule.outcome)
        ));
    }
    lines
}

//! Routing impact: the test cases of both versions, routed through the old
//! and the new matrix; every case whose outcome changed is a change.

use super::words::{safe, short};
use super::{Change, ChangeKind, Location, MatrixVersion, Section};
use crate::matrix::Matrix;
use crate::route::{Incident, Route, Router};
use crate::testing::Case;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// What a case's route decides, as far as the impact is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    severity: String,
    tier: String,
    owner: String,
    backup: Option<String>,
    notify: BTreeSet<String>,
    fallback: bool,
}

impl Outcome {
    fn of(route: &Route) -> Self {
        Outcome {
            severity: route.severity.id.to_string(),
            tier: route.tier.id.to_string(),
            owner: route.owner.id.clone(),
            backup: route.backup.as_ref().map(|b| b.id.clone()),
            notify: route.notify.iter().map(|p| p.id.clone()).collect(),
            fallback: route.fallback,
        }
    }
}

fn route(router: Option<&Router<'_>>, case: &Case, now: DateTime<Utc>) -> Result<Outcome, String> {
    let router = router.ok_or_else(|| "the matrix cannot route".to_string())?;
    let opened_at = match &case.opened_at {
        Some(t) => DateTime::parse_from_rfc3339(&t.value)
            .map_err(|e| format!("opened_at `{}` is not RFC 3339: {e}", t.value))?
            .with_timezone(&Utc),
        None => now,
    };
    router
        .route(&Incident {
            description: case.description.clone(),
            opened_at,
            facts: case.facts(),
            redact: true,
        })
        .map(|r| Outcome::of(&r))
        .map_err(|e| e.to_string())
}

/// Routes the union of both versions' test cases (by id; the new version's
/// case wins when both have it) through both matrices. Returns one change
/// per case whose outcome differs, and the number of cases routed.
pub fn impact(
    old: &MatrixVersion,
    new: &MatrixVersion,
    now: DateTime<Utc>,
) -> (Vec<Change>, usize) {
    let mut cases: BTreeMap<&str, (&Case, &Matrix)> = BTreeMap::new();
    for case in &old.suite.cases {
        cases
            .entry(case.id.value.as_str())
            .or_insert((case, &old.matrix));
    }
    for case in &new.suite.cases {
        cases.insert(case.id.value.as_str(), (case, &new.matrix));
    }
    if cases.is_empty() {
        return (Vec::new(), 0);
    }
    let old_router = Router::new(&old.matrix, &old.checked).ok();
    let new_router = Router::new(&new.matrix, &new.checked).ok();
    let mut out = Vec::new();
    for (id, (case, home)) in &cases {
        let before = route(old_router.as_ref(), case, now);
        let after = route(new_router.as_ref(), case, now);
        if before == after {
            continue;
        }
        let (detail, words) = describe(&before, &after, &old.matrix, &new.matrix);
        let description = safe(&case.description);
        out.push(
            Change::new(
                ChangeKind::RoutingImpact,
                Section::Impact,
                format!("case[{id}]"),
            )
            .values(Some(technical(&before)), Some(technical(&after)))
            .detail(detail)
            .summary(format!("\"{description}\" ({id}): {words}"))
            .at(Location::of(home, case.origin, case.id.span)),
        );
    }
    (out, cases.len())
}

fn technical(outcome: &Result<Outcome, String>) -> String {
    match outcome {
        Ok(o) => {
            let notify: Vec<&str> = o.notify.iter().map(String::as_str).collect();
            format!(
                "severity {}, tier {}, owner {}, backup {}, notify [{}]{}",
                o.severity,
                o.tier,
                o.owner,
                o.backup.as_deref().unwrap_or("(none)"),
                notify.join(", "),
                if o.fallback { ", fallback" } else { "" }
            )
        }
        Err(e) => format!("error: {e}"),
    }
}

fn name_of(matrices: [&Matrix; 2], id: &str, what: &str) -> String {
    let found = matrices.iter().find_map(|m| match what {
        "severity" => m.severity(id).map(|s| short(&s.name).to_string()),
        "tier" => m.tier(id).map(|t| short(&t.name).to_string()),
        _ => m.party(id).map(|p| p.name.clone()),
    });
    found.unwrap_or_else(|| id.to_string())
}

/// The differences, technically (`tier tier1 -> tier2`) and in words.
fn describe(
    before: &Result<Outcome, String>,
    after: &Result<Outcome, String>,
    old: &Matrix,
    new: &Matrix,
) -> (String, String) {
    let (o, n) = match (before, after) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), Ok(_)) => {
            return (
                format!("was an error ({e}); now routes: {}", technical(after)),
                "now routes (it could not be routed before)".into(),
            );
        }
        (Ok(_), Err(e)) => {
            return (
                format!("no longer routes: {e}"),
                format!("can no longer be routed ({e})"),
            );
        }
        (Err(_), Err(e)) => return (format!("error: {e}"), format!("cannot be routed ({e})")),
    };
    let names = [new, old];
    let mut detail = Vec::new();
    let mut words = Vec::new();
    for (what, a, b) in [
        ("severity", Some(&o.severity), Some(&n.severity)),
        ("tier", Some(&o.tier), Some(&n.tier)),
        ("owner", Some(&o.owner), Some(&n.owner)),
        ("backup", o.backup.as_ref(), n.backup.as_ref()),
    ] {
        if a == b {
            continue;
        }
        let show = |v: Option<&String>| v.map_or_else(|| "(none)".to_string(), Clone::clone);
        detail.push(format!("{what} {} -> {}", show(a), show(b)));
        let word = |v: Option<&String>| {
            v.map_or_else(|| "none".to_string(), |id| name_of(names, id, what))
        };
        words.push(format!("{what} now {} (was {})", word(b), word(a)));
    }
    let added: Vec<&String> = n.notify.difference(&o.notify).collect();
    let removed: Vec<&String> = o.notify.difference(&n.notify).collect();
    for id in &added {
        detail.push(format!("notify +{id}"));
        words.push(format!("{} now notified", name_of(names, id, "party")));
    }
    for id in &removed {
        detail.push(format!("notify -{id}"));
        words.push(format!(
            "{} no longer notified",
            name_of(names, id, "party")
        ));
    }
    if o.fallback != n.fallback {
        detail.push(format!("fallback {} -> {}", o.fallback, n.fallback));
        words.push(if n.fallback {
            "no rule matches any more (fallback)".into()
        } else {
            "a rule matches now (no fallback)".into()
        });
    }
    (detail.join("; "), words.join("; "))
}

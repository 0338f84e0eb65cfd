//! `escalate test`: routing tests that live with the matrix.
//!
//! Cases are read from the matrix folder's `tests/` (TOML or YAML) and run
//! through the very same [`Router::route`] as `escalate route`; only what a
//! case states is checked.

pub mod report;

use crate::matrix::de::{Collector, Spanned, closest, from_node};
use crate::matrix::node::{self, Span, Value};
use crate::matrix::schema::FileId;
use crate::matrix::{Matrix, SourceFile, Sources};
use crate::route::{Facts, Incident, Route, Router};
use crate::validate::diagnostic::{Code, Finding};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// A set expectation: the actual ids must include, exclude or be exactly these.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct SetExpectation {
    /// Every one of these must be present.
    #[serde(default)]
    pub includes: Vec<Spanned<String>>,
    /// None of these may be present.
    #[serde(default)]
    pub excludes: Vec<Spanned<String>>,
    /// The set must be exactly this (order does not matter).
    #[serde(default)]
    pub exactly: Option<Vec<Spanned<String>>>,
}

/// What a case expects; only what is stated is checked.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Expectation {
    /// Severity id.
    #[serde(default)]
    pub severity: Option<Spanned<String>>,
    /// Tier id.
    #[serde(default)]
    pub tier: Option<Spanned<String>>,
    /// Owner id.
    #[serde(default)]
    pub owner: Option<Spanned<String>>,
    /// Backup id.
    #[serde(default)]
    pub backup: Option<Spanned<String>>,
    /// Notified ids.
    #[serde(default)]
    pub notify: Option<SetExpectation>,
    /// Whether the fallback applied.
    #[serde(default)]
    pub fallback: Option<bool>,
    /// Applied rule ids.
    #[serde(default)]
    pub rules: Option<SetExpectation>,
    /// Acknowledge by (RFC 3339).
    #[serde(default)]
    pub acknowledge_by: Option<Spanned<String>>,
    /// Assess by (RFC 3339).
    #[serde(default)]
    pub assess_by: Option<Spanned<String>>,
    /// Resolve by (RFC 3339).
    #[serde(default)]
    pub resolve_by: Option<Spanned<String>>,
}

/// One routing test case.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Case {
    /// Stable id.
    pub id: Spanned<String>,
    /// The incident as a responder would type it.
    pub description: String,
    /// When it was opened; a fixed clock makes due times testable.
    #[serde(default)]
    pub opened_at: Option<Spanned<String>>,
    /// Facts given explicitly.
    #[serde(default)]
    pub facts: BTreeMap<String, Spanned<String>>,
    /// What must hold.
    pub expect: Expectation,
    /// The file the case was read from.
    #[serde(skip)]
    pub origin: FileId,
    /// Keys the case holds that mean nothing (a typo in an expectation
    /// would otherwise pass silently); such a case fails.
    #[serde(skip)]
    pub problems: Vec<Problem>,
}

/// A key in a case that means nothing, where it is written.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    /// The key's place in the case's file.
    pub span: Span,
    /// What is wrong, with the closest known key.
    pub message: String,
}

/// The test suite of a matrix. Its files are added to the matrix's
/// [`Sources`], so that findings and failures point into them.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    /// Every case that parsed.
    pub cases: Vec<Case>,
    /// Problems with the case files.
    pub findings: Vec<Finding>,
    /// Files, and entries in them, that could not be read as cases (a file
    /// that does not parse, a key other than `case`, a case of the wrong
    /// shape): the suite is incomplete. An unknown key inside a case is not
    /// counted here; it fails that case.
    pub malformed: usize,
}

/// Reads the suite from a folder of test files (nothing when there is none).
pub fn load_dir(dir: &Path, sources: &mut Sources) -> Suite {
    let mut files = Vec::new();
    let mut suite = Suite::default();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("toml" | "yaml" | "yml")
                    )
            })
            .collect();
        paths.sort();
        for path in paths {
            match std::fs::read_to_string(&path) {
                Ok(text) => files.push((path.display().to_string(), text)),
                Err(e) => {
                    suite.malformed += 1;
                    suite.findings.push(Finding::global(
                        Code::TestFileInvalid,
                        format!("{}: {e}", path.display()),
                    ));
                }
            }
        }
    }
    let mut loaded = load_texts(files, sources);
    loaded.findings.append(&mut suite.findings);
    loaded.malformed += suite.malformed;
    loaded
}

/// Reads a suite from named texts.
#[allow(clippy::too_many_lines)] // one pass over files, cases and keys; splitting it scatters the error handling
pub fn load_texts(files: Vec<(String, String)>, sources: &mut Sources) -> Suite {
    let mut suite = Suite::default();
    for (path, text) in files {
        let is_toml = std::path::Path::new(&path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        let file = sources.add(SourceFile::new(path, text));
        let Some(source) = sources.get(file).map(SourceFile::shared_text) else {
            continue;
        };
        let root = if is_toml {
            let (root, errors) = node::from_toml(&source);
            if let Some((message, span)) = errors.into_iter().next() {
                suite.malformed += 1;
                suite.findings.push(Finding::at(
                    Code::TestFileInvalid,
                    file,
                    span,
                    format!("test file does not parse: {message}"),
                ));
                continue;
            }
            root
        } else {
            match node::from_yaml(&source) {
                Ok(root) => root,
                Err((message, span)) => {
                    suite.malformed += 1;
                    suite.findings.push(Finding::at(
                        Code::TestFileInvalid,
                        file,
                        span,
                        format!("test file does not parse: {message}"),
                    ));
                    continue;
                }
            }
        };
        let Some(entries) = root.as_map() else {
            if !matches!(root.value, Value::Null) {
                suite.malformed += 1;
                suite.findings.push(Finding::at(
                    Code::TestFileInvalid,
                    file,
                    root.span,
                    "a test file must be a table with a `case` list",
                ));
            }
            continue;
        };
        for (key, value) in entries {
            if key.name != "case" {
                let mut f = Finding::at(
                    Code::TestFileInvalid,
                    file,
                    key.span,
                    format!("unknown key `{}` in a test file", key.name),
                );
                if closest(&key.name, &["case"]).is_some() {
                    f = f.help("did you mean `case`?");
                }
                suite.malformed += 1;
                suite.findings.push(f);
                continue;
            }
            let Value::Seq(items) = &value.value else {
                suite.malformed += 1;
                suite.findings.push(Finding::at(
                    Code::TestFileInvalid,
                    file,
                    value.span,
                    "`case` must be a list ([[case]] in TOML)",
                ));
                continue;
            };
            for item in items {
                let collector = Collector::default();
                let parsed = from_node::<Case>(item, &collector);
                let mut problems = Vec::new();
                for unknown in collector.take() {
                    let mut message = format!("unknown key `{}` in a test case", unknown.key.name);
                    let mut f = Finding::at(
                        Code::TestFileInvalid,
                        file,
                        unknown.key.span,
                        message.clone(),
                    );
                    if let Some(best) = closest(&unknown.key.name, unknown.expected) {
                        f = f.help(format!("did you mean `{best}`?"));
                        let _ = write!(message, " (did you mean `{best}`?)");
                    }
                    problems.push(Problem {
                        span: unknown.key.span,
                        message,
                    });
                    suite.findings.push(f);
                }
                match parsed {
                    Ok(mut case) => {
                        case.origin = file;
                        case.problems = problems;
                        suite.cases.push(case);
                    }
                    Err(e) => {
                        suite.malformed += 1;
                        suite.findings.push(Finding::at(
                            Code::TestFileInvalid,
                            file,
                            e.span.unwrap_or(item.span),
                            format!("test case does not parse: {}", e.message),
                        ));
                    }
                }
            }
        }
    }
    suite
}

impl Suite {
    /// Checks that case ids are unique and, with `unknown_ids`, that cases
    /// name ids the matrix knows (not while a matrix file is unread: its
    /// ids would all look unknown).
    pub fn check_references(&self, matrix: &Matrix, unknown_ids: bool) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut seen: BTreeMap<&str, &Case> = BTreeMap::new();
        for case in &self.cases {
            if let Some(first) = seen.insert(&case.id.value, case) {
                out.push(
                    Finding::at(
                        Code::TestFileInvalid,
                        case.origin,
                        case.id.span,
                        format!("test case id `{}` is defined twice", case.id.value),
                    )
                    .related(first.origin, first.id.span, "first defined here"),
                );
            }
            let e = &case.expect;
            let mut check = |value: &Spanned<String>, kind: &str, known: bool| {
                if unknown_ids && !known && !matrix.broken.contains(&value.value) {
                    out.push(
                        Finding::at(
                            Code::TestFileInvalid,
                            case.origin,
                            value.span,
                            format!(
                                "test case `{}` refers to unknown {kind} `{}`",
                                case.id.value, value.value
                            ),
                        )
                        .label("unknown id"),
                    );
                }
            };
            if let Some(s) = &e.severity {
                check(s, "severity", matrix.severity(s).is_some());
            }
            if let Some(t) = &e.tier {
                check(t, "tier", matrix.tier(t).is_some());
            }
            for p in [&e.owner, &e.backup].into_iter().flatten() {
                check(p, "team or contact", matrix.party(p).is_some());
            }
            if let Some(n) = &e.notify {
                for p in n
                    .includes
                    .iter()
                    .chain(&n.excludes)
                    .chain(n.exactly.iter().flatten())
                {
                    check(p, "team or contact", matrix.party(p).is_some());
                }
            }
            if let Some(r) = &e.rules {
                for p in r
                    .includes
                    .iter()
                    .chain(&r.excludes)
                    .chain(r.exactly.iter().flatten())
                {
                    check(p, "rule", matrix.rule(p).is_some());
                }
            }
            for (dim, level) in &case.facts {
                match dim.as_str() {
                    "severity" => check(level, "severity", matrix.severity(level).is_some()),
                    "tier" => check(level, "tier", matrix.tier(level).is_some()),
                    _ => match matrix.dimension(dim) {
                        Some(d) => check(
                            level,
                            &format!("level of `{dim}`"),
                            d.levels.iter().any(|l| l.id.value == level.value),
                        ),
                        None => check(level, &format!("dimension `{dim}` with level"), false),
                    },
                }
            }
        }
        out
    }
}

/// One difference between expectation and actual route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The field (`tier`, `notify`, `deadlines.acknowledge_by`).
    pub field: String,
    /// What the case expected.
    pub expected: String,
    /// What the route gave.
    pub actual: String,
}

/// The outcome of one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The case id.
    pub id: String,
    /// Where the case is written (`file:line`).
    pub location: String,
    /// File and line, for annotations.
    #[serde(skip)]
    pub position: Option<(String, usize)>,
    /// Whether every expectation held.
    pub passed: bool,
    /// The differences, when it failed.
    pub differences: Vec<Difference>,
    /// An error that stopped the case (bad facts or time).
    pub error: Option<String>,
    /// The route, for the explanation of a failure.
    #[serde(skip)]
    pub route: Option<Route>,
    /// How long the case took, in seconds.
    pub seconds: f64,
}

impl CaseResult {
    /// The applied rule ids of the actual route.
    pub fn rules(&self) -> Vec<String> {
        self.route
            .as_ref()
            .map(|r| {
                r.explanation
                    .rules
                    .iter()
                    .map(ToString::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Case {
    /// The facts the case gives, as `route` takes them.
    pub fn facts(&self) -> Facts {
        let mut facts = Facts::default();
        for (key, value) in &self.facts {
            match key.as_str() {
                "severity" => facts.severity = Some(value.value.clone()),
                "tier" => facts.tier = Some(value.value.clone()),
                dim => {
                    facts
                        .dimensions
                        .insert(dim.to_string(), value.value.clone());
                }
            }
        }
        facts
    }
}

fn compare_set<T: AsRef<str>>(
    field: &str,
    expectation: &SetExpectation,
    actual: &[T],
    out: &mut Vec<Difference>,
) {
    let actual_set: BTreeSet<&str> = actual.iter().map(AsRef::as_ref).collect();
    let show =
        |set: &BTreeSet<&str>| format!("[{}]", set.iter().copied().collect::<Vec<_>>().join(", "));
    let missing: Vec<&str> = expectation
        .includes
        .iter()
        .map(|s| s.value.as_str())
        .filter(|id| !actual_set.contains(id))
        .collect();
    if !missing.is_empty() {
        out.push(Difference {
            field: field.to_string(),
            expected: format!("includes [{}]", missing.join(", ")),
            actual: show(&actual_set),
        });
    }
    let present: Vec<&str> = expectation
        .excludes
        .iter()
        .map(|s| s.value.as_str())
        .filter(|id| actual_set.contains(id))
        .collect();
    if !present.is_empty() {
        out.push(Difference {
            field: field.to_string(),
            expected: format!("excludes [{}]", present.join(", ")),
            actual: show(&actual_set),
        });
    }
    if let Some(exactly) = &expectation.exactly {
        let wanted: BTreeSet<&str> = exactly.iter().map(|s| s.value.as_str()).collect();
        if wanted != actual_set {
            out.push(Difference {
                field: field.to_string(),
                expected: format!("exactly {}", show(&wanted)),
                actual: show(&actual_set),
            });
        }
    }
}

fn compare_time(
    field: &str,
    expected: &Spanned<String>,
    actual: &crate::route::ZonedTime,
    out: &mut Vec<Difference>,
) {
    let same = DateTime::parse_from_rfc3339(&expected.value).is_ok_and(|a| a == actual.time());
    if !same {
        out.push(Difference {
            field: field.to_string(),
            expected: expected.value.clone(),
            actual: actual.to_string(),
        });
    }
}

/// Compares a route with a case's expectations.
pub fn compare(expect: &Expectation, route: &Route) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut single = |field: &str, expected: &Option<Spanned<String>>, actual: Option<&str>| {
        if let Some(expected) = expected
            && Some(expected.value.as_str()) != actual
        {
            out.push(Difference {
                field: field.to_string(),
                expected: expected.value.clone(),
                actual: actual.unwrap_or("(none)").to_string(),
            });
        }
    };
    single("severity", &expect.severity, Some(&route.severity.id));
    single("tier", &expect.tier, Some(&route.tier.id));
    single("owner", &expect.owner, Some(&route.owner.id));
    single(
        "backup",
        &expect.backup,
        route.backup.as_ref().map(|b| b.id.as_str()),
    );
    if let Some(fallback) = expect.fallback
        && fallback != route.fallback
    {
        out.push(Difference {
            field: "fallback".into(),
            expected: fallback.to_string(),
            actual: route.fallback.to_string(),
        });
    }
    if let Some(notify) = &expect.notify {
        let ids: Vec<String> = route.notify.iter().map(|p| p.id.clone()).collect();
        compare_set("notify", notify, &ids, &mut out);
    }
    if let Some(rules) = &expect.rules {
        compare_set("rules", rules, &route.explanation.rules, &mut out);
    }
    for (field, expected, actual) in [
        (
            "deadlines.acknowledge_by",
            &expect.acknowledge_by,
            &route.deadlines.acknowledge_by,
        ),
        (
            "deadlines.assess_by",
            &expect.assess_by,
            &route.deadlines.assess_by,
        ),
        (
            "deadlines.resolve_by",
            &expect.resolve_by,
            &route.deadlines.resolve_by,
        ),
    ] {
        if let Some(expected) = expected {
            compare_time(field, expected, actual, &mut out);
        }
    }
    out
}

/// Runs the cases whose id contains `filter` (all when `None`).
pub fn run(
    suite: &Suite,
    sources: &Sources,
    router: &Router<'_>,
    filter: Option<&str>,
    now: DateTime<Utc>,
) -> Vec<CaseResult> {
    suite
        .cases
        .iter()
        .filter(|c| filter.is_none_or(|f| c.id.value.contains(f)))
        .map(|case| {
            let started = std::time::Instant::now();
            if let Some(first) = case.problems.first() {
                // The place to fix is the unknown key, not the case's id.
                let place = sources
                    .get(case.origin)
                    .map(|s| (s.path.clone(), s.line_col(first.span.start)));
                return CaseResult {
                    id: case.id.value.clone(),
                    location: place
                        .as_ref()
                        .map(|(p, (l, c))| format!("{p}:{l}:{c}"))
                        .unwrap_or_default(),
                    position: place.map(|(p, (l, _))| (p, l)),
                    passed: false,
                    differences: Vec::new(),
                    error: Some(
                        case.problems
                            .iter()
                            .map(|p| p.message.as_str())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    route: None,
                    seconds: 0.0,
                };
            }
            let position = sources
                .get(case.origin)
                .map(|s| (s.path.clone(), s.line_col(case.id.span.start).0));
            let location = position
                .as_ref()
                .map(|(p, l)| format!("{p}:{l}"))
                .unwrap_or_default();
            let opened = match &case.opened_at {
                Some(t) => DateTime::parse_from_rfc3339(&t.value)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| format!("opened_at `{}` is not RFC 3339: {e}", t.value)),
                None => Ok(now),
            };
            let outcome = opened.and_then(|opened_at| {
                router
                    .route(&Incident {
                        description: case.description.clone(),
                        opened_at,
                        facts: case.facts(),
                        redact: true,
                    })
                    .map_err(|e| e.to_string())
            });
            let seconds = started.elapsed().as_secs_f64();
            match outcome {
                Ok(route) => {
                    let differences = compare(&case.expect, &route);
                    CaseResult {
                        id: case.id.value.clone(),
                        location,
                        position,
                        passed: differences.is_empty(),
                        differences,
                        error: None,
                        route: Some(route),
                        seconds,
                    }
                }
                Err(error) => CaseResult {
                    id: case.id.value.clone(),
                    location,
                    position,
                    passed: false,
                    differences: Vec::new(),
                    error: Some(error),
                    route: None,
                    seconds,
                },
            }
        })
        .collect()
}

/// Rule coverage: which rules some case applied.
pub fn coverage(matrix: &Matrix, results: &[CaseResult]) -> (Vec<String>, usize) {
    let exercised: BTreeSet<String> = results.iter().flat_map(CaseResult::rules).collect();
    let untested: Vec<String> = matrix
        .rules
        .iter()
        .map(|r| r.id.value.clone())
        .filter(|id| !exercised.contains(id))
        .collect();
    let total = matrix.rules.len();
    (untested, total)
}

/// What `validate` says about the test suite: files that do not parse,
/// cases naming unknown ids, and rules no case exercises (only when the
/// matrix is valid and has cases). Returns the findings and the coverage
/// (exercised, total) when the cases ran.
pub fn suite_findings(
    matrix: &Matrix,
    checked: &crate::validate::checks::Checked,
    suite: &Suite,
    now: DateTime<Utc>,
) -> (Vec<Finding>, Option<(usize, usize)>) {
    let mut findings = suite.findings.clone();
    findings.extend(suite.check_references(matrix, checked.unread_files == 0));
    if checked.has_errors() || suite.cases.is_empty() {
        return (findings, None);
    }
    let Ok(router) = Router::new(matrix, checked) else {
        return (findings, None);
    };
    let results = run(suite, &matrix.sources, &router, None, now);
    let (untested, total) = coverage(matrix, &results);
    for id in &untested {
        if let Some(rule) = matrix.rule(id) {
            findings.push(
                Finding::at(
                    Code::UntestedRule,
                    rule.origin,
                    rule.id.span,
                    format!("no routing test exercises rule `{id}`"),
                )
                .label("untested")
                .help("add a case to the matrix's tests/ whose route applies this rule"),
            );
        }
    }
    (findings, Some((total - untested.len(), total)))
}

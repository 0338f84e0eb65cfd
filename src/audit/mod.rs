//! The audit trail of routing decisions: one JSON line per decision.
//!
//! Many processes may append to the same file at once. Each record is
//! written with a single `write` on a file opened for appending, under an
//! exclusive lock, so lines never interleave and none is lost.

use crate::matrix::{Matrix, Origin};
use crate::route::{Facts, Incident, Route};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One line of the audit log.
#[derive(Debug, Serialize)]
pub struct AuditRecord<'a> {
    /// When the decision was made.
    pub at: String,
    /// Who asked.
    pub requester: &'a str,
    /// When the incident was opened.
    pub opened_at: String,
    /// The description, redacted unless `--no-redact`.
    pub description: &'a str,
    /// Whether sensitive details in the description were masked: false
    /// marks a record written with `--no-redact`, which may hold them.
    pub redacted: bool,
    /// Facts given explicitly.
    pub facts: &'a Facts,
    /// The decision.
    pub decision: Decision<'a>,
    /// Which matrix decided.
    pub matrix: &'a crate::route::MatrixInfo,
}

/// The essentials of a route, for the audit log.
#[derive(Debug, Serialize)]
pub struct Decision<'a> {
    /// Severity id.
    pub severity: &'a str,
    /// Tier id.
    pub tier: &'a str,
    /// Owner id.
    pub owner: &'a str,
    /// Backup id.
    pub backup: Option<&'a str>,
    /// Notified ids.
    pub notify: Vec<&'a str>,
    /// Rules applied.
    pub rules: &'a [crate::route::Text],
    /// Whether the fallback applied.
    pub fallback: bool,
    /// Acknowledge by.
    pub acknowledge_by: crate::route::ZonedTime,
    /// Resolve by.
    pub resolve_by: crate::route::ZonedTime,
}

impl<'a> AuditRecord<'a> {
    /// A record for one decision.
    pub fn new(
        now: DateTime<Utc>,
        requester: &'a str,
        incident: &'a Incident,
        route: &'a Route,
        _matrix: &Matrix,
    ) -> Self {
        AuditRecord {
            at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            requester,
            opened_at: incident
                .opened_at
                .to_rfc3339_opts(SecondsFormat::Secs, true),
            description: &route.description,
            redacted: incident.redact,
            facts: &incident.facts,
            decision: Decision {
                severity: &route.severity.id,
                tier: &route.tier.id,
                owner: &route.owner.id,
                backup: route.backup.as_ref().map(|b| b.id.as_str()),
                notify: route.notify.iter().map(|p| p.id.as_str()).collect(),
                rules: &route.explanation.rules,
                fallback: route.fallback,
                acknowledge_by: route.deadlines.acknowledge_by,
                resolve_by: route.deadlines.resolve_by,
            },
            matrix: &route.matrix,
        }
    }
}

/// Appends one record as one line.
pub fn append(path: &Path, record: &AuditRecord<'_>) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.lock()?;
    let written = file.write_all(&line).and_then(|()| file.flush());
    let unlocked = file.unlock();
    written.and(unlocked)
}

/// The requester when none is given: git's `user.name`, else `$USER`.
pub fn default_requester() -> String {
    git2::Config::open_default()
        .and_then(|c| c.get_string("user.name"))
        .ok()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// The commit the matrix files were read at, when they are in a git
/// repository: the short id of HEAD, with `-dirty` when the matrix has
/// uncommitted changes.
pub fn matrix_commit(matrix: &Matrix) -> Option<String> {
    let Origin::Path(path) = &matrix.origin else {
        return None;
    };
    commit_at(path)
}

/// [`matrix_commit`] for a matrix read from `path`: needs no loaded matrix,
/// so it can run while the matrix loads.
pub fn commit_at(path: &Path) -> Option<String> {
    let absolute = path.canonicalize().ok()?;
    let repo = git2::Repository::discover(&absolute).ok()?;
    let head = repo.head().ok()?.peel_to_commit().ok()?;
    let mut id = head.id().to_string();
    id.truncate(12);
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let relative = absolute.strip_prefix(&workdir).ok()?;
    let mut options = git2::StatusOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true);
    if !relative.as_os_str().is_empty() {
        options.pathspec(relative);
    }
    let dirty = repo.statuses(Some(&mut options)).is_ok_and(|s| {
        s.iter()
            .any(|e| e.status() != git2::Status::CURRENT && e.status() != git2::Status::IGNORED)
    });
    if dirty {
        id.push_str("-dirty");
    }
    Some(id)
}

//! `escalate diff` and `escalate changelog`: what changed between two
//! versions of a matrix, entity by entity, and what it means.
//!
//! Versions are git revisions read straight from the object database
//! ([`git`]) or folders on disk. Both are loaded and validated like
//! `escalate validate` does; [`compare::diff`] then matches entities by id
//! (never by file or position, so renamed or split files change nothing),
//! [`impact::impact`] routes the test cases of both versions through both
//! matrices, and [`version_check`] says whether the manifest's version was
//! bumped as much as the changes require. [`render`] turns the result into
//! text. Nothing here prints.

pub mod compare;
pub mod git;
pub mod impact;
pub mod kinds;
pub mod render;
pub mod select;
mod words;

pub use kinds::{ChangeKind, Level};

use crate::matrix::node::Span;
use crate::matrix::schema::FileId;
use crate::matrix::{LoadError, Matrix, Origin};
use crate::testing::Suite;
use crate::validate::checks::{self, Checked};
use crate::validate::diagnostic::{Finding, Severity};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The part of a change log a change belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    /// Severity levels, their targets and escalation steps.
    Severities,
    /// Support tiers.
    Tiers,
    /// Teams and contacts.
    People,
    /// Business-hours calendars.
    Calendars,
    /// Routing rules, synonyms and the fallback route.
    Rules,
    /// Decision dimensions and the decision matrix.
    Decisions,
    /// Scripts and the glossary.
    Scripts,
    /// The manifest.
    Manifest,
    /// Routing test cases that route differently.
    Impact,
}

impl Section {
    /// Every section, in change log order.
    pub const ALL: [Section; 9] = [
        Section::Severities,
        Section::Tiers,
        Section::People,
        Section::Calendars,
        Section::Rules,
        Section::Decisions,
        Section::Scripts,
        Section::Manifest,
        Section::Impact,
    ];

    /// The heading in a change log.
    pub fn title(self) -> &'static str {
        match self {
            Section::Severities => "Severity levels and targets",
            Section::Tiers => "Support tiers",
            Section::People => "Teams and contacts",
            Section::Calendars => "Business hours and calendars",
            Section::Rules => "Routing rules",
            Section::Decisions => "Decision matrix",
            Section::Scripts => "Scripts and glossary",
            Section::Manifest => "About the matrix",
            Section::Impact => "Routing impact",
        }
    }
}

/// Where an entry is written: file as displayed and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as displayed (`v1.4.0:matrix/tiers.toml` for a revision).
    pub file: String,
    /// The line.
    pub line: usize,
}

impl Location {
    /// The place of a span in a matrix's sources.
    pub fn of(matrix: &Matrix, file: FileId, span: Span) -> Option<Location> {
        let source = matrix.sources.get(file)?;
        Some(Location {
            file: source.path.clone(),
            line: source.line_col(span.start).0,
        })
    }
}

/// One difference between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The stable kind.
    pub kind: ChangeKind,
    /// How much it matters.
    pub level: Level,
    /// The part of the change log it belongs to.
    pub section: Section,
    /// The entry, by id: `tier[tier2].backup`.
    pub path: String,
    /// The old value, when there is one and it may be shown.
    pub old: Option<String>,
    /// The new value, when there is one and it may be shown.
    pub new: Option<String>,
    /// What changed, technically: `16h -> 32h (business-hours)`, `added`, `phone changed`.
    pub detail: String,
    /// What changed, in words a business reader understands.
    pub summary: String,
    /// Where the entry is written in the new version (the old one for removals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Change {
    /// A change of a kind at a path, with the kind's level.
    pub fn new(kind: ChangeKind, section: Section, path: impl Into<String>) -> Self {
        Change {
            kind,
            level: kind.level(),
            section,
            path: path.into(),
            old: None,
            new: None,
            detail: String::new(),
            summary: String::new(),
            location: None,
        }
    }

    /// Sets the old and new values.
    #[must_use]
    pub fn values(mut self, old: Option<String>, new: Option<String>) -> Self {
        self.old = old;
        self.new = new;
        self
    }

    /// Sets the technical detail.
    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Sets the words for people.
    #[must_use]
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = summary.into();
        self
    }

    /// Sets the place.
    #[must_use]
    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    /// Sets the level (for findings whose level depends on other changes).
    #[must_use]
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }
}

/// Sorts changes into their documented order: most serious first, then by
/// kind name, then by path.
pub fn sort(changes: &mut [Change]) {
    changes.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| a.kind.name().cmp(b.kind.name()))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.detail.cmp(&b.detail))
    });
}

/// The highest level among changes, not counting the version findings.
pub fn highest_level(changes: &[Change]) -> Option<Level> {
    changes
        .iter()
        .filter(|c| {
            !matches!(
                c.kind,
                ChangeKind::VersionChanged | ChangeKind::VersionBumpMissing
            )
        })
        .map(|c| c.level)
        .max()
}

/// A commit a version was read at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    /// The full id.
    pub id: String,
    /// The short id (7 characters).
    pub short: String,
    /// The commit date, `YYYY-MM-DD` in the committer's offset.
    pub date: String,
}

/// One loaded and validated version of a matrix.
#[derive(Debug)]
pub struct MatrixVersion {
    /// What the user called it: a revision, `working tree`, or a path.
    pub label: String,
    /// The matrix.
    pub matrix: Matrix,
    /// What validation resolved (targets, calendars).
    pub checked: Checked,
    /// The routing test cases of this version.
    pub suite: Suite,
    /// The commit, for a git revision.
    pub commit: Option<CommitInfo>,
}

impl MatrixVersion {
    /// Loads and validates a version from named file contents; test files are
    /// (display path, text). `today` decides what is overdue (warnings only).
    pub fn from_files(
        label: impl Into<String>,
        files: Vec<(String, Vec<u8>)>,
        tests: Vec<(String, String)>,
        today: NaiveDate,
    ) -> Result<Self, DiffError> {
        let label = label.into();
        let (matrix, findings) = crate::matrix::load_files(Origin::Memory(label.clone()), files);
        let mut version = Self::checked(label, matrix, findings, today)?;
        version.suite = crate::testing::load_texts(tests, &mut version.matrix.sources);
        Ok(version)
    }

    /// Loads and validates a version from a folder or file on disk, with the
    /// routing tests of a folder's `tests/`.
    pub fn from_path(path: &Path, today: NaiveDate) -> Result<Self, DiffError> {
        let (matrix, findings) = crate::matrix::load_path(path)?;
        let mut version = Self::checked(path.display().to_string(), matrix, findings, today)?;
        if path.is_dir() {
            version.suite =
                crate::testing::load_dir(&path.join("tests"), &mut version.matrix.sources);
        }
        Ok(version)
    }

    fn checked(
        label: String,
        matrix: Matrix,
        findings: Vec<Finding>,
        today: NaiveDate,
    ) -> Result<Self, DiffError> {
        let mut checked = checks::check_loaded(&matrix, findings, today);
        let mut findings = std::mem::take(&mut checked.findings);
        if findings.iter().any(|f| f.severity == Severity::Error) {
            findings.retain(|f| f.severity == Severity::Error);
            return Err(DiffError::Invalid {
                label,
                matrix: Box::new(matrix),
                findings,
            });
        }
        checked.findings = findings;
        Ok(MatrixVersion {
            label,
            matrix,
            checked,
            suite: Suite::default(),
            commit: None,
        })
    }

    /// The manifest's version.
    pub fn version(&self) -> &str {
        self.matrix.version()
    }
}

/// Why two versions could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The matrix is not in a git repository.
    #[error("{} is not inside a git repository", path.display())]
    NotARepository {
        /// The matrix path.
        path: PathBuf,
    },
    /// A bare repository has no working tree to find the matrix in.
    #[error("the repository at {} has no working tree", path.display())]
    Bare {
        /// The repository.
        path: PathBuf,
    },
    /// The repository has no commits.
    #[error("the repository at {} has no commits yet", path.display())]
    NoCommits {
        /// The repository's folder.
        path: PathBuf,
    },
    /// A revision does not resolve to a commit.
    #[error("revision `{rev}` does not exist{}", if *shallow { " in this shallow clone" } else { "" })]
    UnknownRevision {
        /// The revision as given.
        rev: String,
        /// Whether the repository is a shallow clone.
        shallow: bool,
    },
    /// No tag is reachable from HEAD (for the default range).
    #[error("no tag is reachable from HEAD{}", if *shallow { " in this shallow clone" } else { "" })]
    NoTag {
        /// Whether the repository is a shallow clone.
        shallow: bool,
    },
    /// The matrix path does not exist at a revision.
    #[error("the matrix does not exist at {rev}: there is no `{path}` in that revision")]
    MatrixMissing {
        /// The revision.
        rev: String,
        /// The matrix path in the repository.
        path: String,
    },
    /// A version's matrix has errors.
    #[error("the matrix at {label} does not load: {} error{}", findings.len(), if findings.len() == 1 { "" } else { "s" })]
    Invalid {
        /// The version.
        label: String,
        /// The matrix, for the diagnostics' sources.
        matrix: Box<Matrix>,
        /// Its errors.
        findings: Vec<Finding>,
    },
    /// A folder or file could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Reading from git failed.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    /// Arguments that do not fit together.
    #[error("{0}")]
    Usage(String),
}

impl DiffError {
    /// How to get past the error, when there is something to say.
    pub fn help(&self) -> Option<String> {
        const FETCH: &str = "this is a shallow clone: fetch the missing history with `git fetch --unshallow` \
             (or `git fetch --deepen=N` for N more commits) and the tags with `git fetch --tags`; \
             in GitHub Actions set `fetch-depth: 0` on actions/checkout";
        match self {
            DiffError::NotARepository { .. } | DiffError::Bare { .. } => {
                Some("compare two folders or files with --old PATH --new PATH".into())
            }
            DiffError::NoCommits { .. } => Some(
                "commit the matrix first (git add, git commit), or compare folders with --old PATH --new PATH".into(),
            ),
            DiffError::UnknownRevision { shallow: true, .. } | DiffError::NoTag { shallow: true } => Some(FETCH.into()),
            DiffError::UnknownRevision { .. } => {
                Some("give a tag, branch or commit that exists (`git tag --list`, `git log --oneline`)".into())
            }
            DiffError::NoTag { .. } => Some(
                "tag a version (`git tag v1.0.0`), or give the revisions to compare (`v1.0.0..HEAD`, `HEAD~3..HEAD`)".into(),
            ),
            DiffError::MatrixMissing { .. } => Some(
                "the matrix is read at the same place in every revision (--matrix, relative to the repository); \
                 if it moved, name the place with --old REV:PATH"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// The result of comparing two versions.
#[derive(Debug)]
pub struct Report {
    /// The old version's label.
    pub old_label: String,
    /// The new version's label.
    pub new_label: String,
    /// The old manifest version.
    pub old_version: String,
    /// The new manifest version.
    pub new_version: String,
    /// The old commit, for a git revision.
    pub old_commit: Option<CommitInfo>,
    /// The new commit, for a git revision.
    pub new_commit: Option<CommitInfo>,
    /// Every change, sorted (see [`sort`]).
    pub changes: Vec<Change>,
    /// How many test cases were routed through both matrices.
    pub cases: usize,
}

impl Report {
    /// Number of changes of each level: (breaking, notable, info).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |level| self.changes.iter().filter(|c| c.level == level).count();
        (
            count(Level::Breaking),
            count(Level::Notable),
            count(Level::Info),
        )
    }

    /// Whether a change at or above a level is present.
    pub fn has_at_least(&self, level: Level) -> bool {
        self.changes.iter().any(|c| c.level >= level)
    }
}

/// Compares two loaded versions: entity changes, routing impact of the test
/// cases (routed at `now` unless a case says when it was opened) and the
/// version check.
pub fn compare_versions(old: &MatrixVersion, new: &MatrixVersion, now: DateTime<Utc>) -> Report {
    let mut changes = compare::diff(&old.matrix, &old.checked, &new.matrix, &new.checked);
    let (impact, cases) = impact::impact(old, new, now);
    changes.extend(impact);
    if let Some(finding) = version_check(&old.matrix, &new.matrix, &changes) {
        changes.push(finding);
    }
    sort(&mut changes);
    Report {
        old_label: old.label.clone(),
        new_label: new.label.clone(),
        old_version: old.version().to_string(),
        new_version: new.version().to_string(),
        old_commit: old.commit.clone(),
        new_commit: new.commit.clone(),
        changes,
        cases,
    }
}

/// How the version moved: `Some("major")`, `minor`, `patch`, or `None` when
/// it stayed or went down. Below 1.0.0 each number counts one place higher,
/// as Cargo reads versions: `0.1.0 -> 0.2.0` is a major bump, `0.1.0 ->
/// 0.1.1` a minor one.
fn bump(old: &semver::Version, new: &semver::Version) -> Option<Level> {
    if old.major == 0 && new.major == 0 {
        return if new.minor > old.minor {
            Some(Level::Breaking)
        } else if new.minor == old.minor && new.patch > old.patch {
            Some(Level::Notable)
        } else {
            None
        };
    }
    if new.major > old.major {
        Some(Level::Breaking)
    } else if new.major == old.major && new.minor > old.minor {
        Some(Level::Notable)
    } else if new.major == old.major && new.minor == old.minor && new.patch > old.patch {
        Some(Level::Info)
    } else {
        None
    }
}

fn suggested(old: &semver::Version, level: Level) -> semver::Version {
    if old.major == 0 {
        return match level {
            Level::Breaking => semver::Version::new(0, old.minor + 1, 0),
            Level::Notable | Level::Info => semver::Version::new(0, old.minor, old.patch + 1),
        };
    }
    match level {
        Level::Breaking => semver::Version::new(old.major + 1, 0, 0),
        Level::Notable => semver::Version::new(old.major, old.minor + 1, 0),
        Level::Info => semver::Version::new(old.major, old.minor, old.patch + 1),
    }
}

/// A `version-bump-missing` finding when the matrix changed but its version
/// was not bumped as much as the highest level of change requires
/// (breaking: major, notable: minor, info: patch).
pub fn version_check(old: &Matrix, new: &Matrix, changes: &[Change]) -> Option<Change> {
    let required = highest_level(changes)?;
    let old_text = old.version();
    let new_text = new.version();
    let (Ok(old_v), Ok(new_v)) = (
        semver::Version::parse(old_text),
        semver::Version::parse(new_text),
    ) else {
        return None;
    };
    let moved = bump(&old_v, &new_v);
    if moved.is_some_and(|m| m >= required) {
        return None;
    }
    let want = suggested(&old_v, required);
    let bump_word = required.required_bump();
    let detail = match moved {
        None if new_v == old_v => format!(
            "the matrix has {required} changes but the version is still {old_text}: a {bump_word} bump is required ({want})"
        ),
        None => format!(
            "the version went from {old_text} down to {new_text}; {required} changes require a {bump_word} bump ({want})"
        ),
        Some(m) => format!(
            "{old_text} -> {new_text} is a {} bump; {required} changes require a {bump_word} bump ({want})",
            m.required_bump()
        ),
    };
    let summary = format!("The version was not raised enough for these changes: {detail}.");
    let location = new
        .manifest
        .as_ref()
        .and_then(|m| Location::of(new, m.origin, m.version.span));
    Some(
        Change::new(
            ChangeKind::VersionBumpMissing,
            Section::Manifest,
            "manifest.version",
        )
        .level(required)
        .values(Some(old_text.to_string()), Some(new_text.to_string()))
        .detail(detail)
        .summary(summary)
        .at(location),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn bumps_are_classified() {
        assert_eq!(bump(&v("1.2.3"), &v("2.0.0")), Some(Level::Breaking));
        assert_eq!(bump(&v("1.2.3"), &v("1.3.0")), Some(Level::Notable));
        assert_eq!(bump(&v("1.2.3"), &v("1.2.4")), Some(Level::Info));
        assert_eq!(bump(&v("1.2.3"), &v("1.2.3")), None);
        assert_eq!(bump(&v("1.2.3"), &v("1.1.9")), None);
        assert_eq!(suggested(&v("1.2.3"), Level::Notable), v("1.3.0"));
    }

    /// Below 1.0.0 the minor number is the major one (found by a new-user
    /// trial: 0.1.0 with a breaking change was told to become 1.0.0).
    #[test]
    fn versions_below_one_bump_one_place_lower() {
        assert_eq!(bump(&v("0.1.0"), &v("0.2.0")), Some(Level::Breaking));
        assert_eq!(bump(&v("0.1.0"), &v("0.1.1")), Some(Level::Notable));
        assert_eq!(bump(&v("0.1.0"), &v("1.0.0")), Some(Level::Breaking));
        assert_eq!(bump(&v("0.2.0"), &v("0.1.5")), None);
        assert_eq!(suggested(&v("0.1.3"), Level::Breaking), v("0.2.0"));
        assert_eq!(suggested(&v("0.1.3"), Level::Notable), v("0.1.4"));
        assert_eq!(suggested(&v("0.1.3"), Level::Info), v("0.1.4"));
    }
}

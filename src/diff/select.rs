//! Which two versions to compare: a git range (`v1.3.0..v1.4.0`,
//! `main..HEAD`, `v1.3.0` against the working tree, by default the latest
//! tag against the working tree), or `--old`/`--new` folders, files or
//! `REV:PATH` revisions.

use super::git::MatrixRepo;
use super::{DiffError, MatrixVersion};
use chrono::NaiveDate;
use git2::Oid;
use std::path::{Path, PathBuf};

/// The label of the working tree's version.
pub const WORKING_TREE: &str = "working tree";

/// What the user asked to compare.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The matrix in the working tree (folder or file); its place in the
    /// repository is where revisions are read.
    pub matrix: &'a Path,
    /// A range: `A..B`, `A...B` (from their common ancestor), or `A`
    /// (against the working tree). `None`: the latest tag against the
    /// working tree.
    pub range: Option<&'a str>,
    /// The old version: a folder, a file, `REV:PATH` or a revision.
    pub old: Option<&'a str>,
    /// The new version (default: the working tree's matrix).
    pub new: Option<&'a str>,
    /// Today, for review warnings.
    pub today: NaiveDate,
}

/// Where the compared versions sit in history, for the rationale.
#[derive(Debug)]
pub struct History {
    /// The repository.
    pub repo: MatrixRepo,
    /// The old commit (its history is left out).
    pub old: Option<Oid>,
    /// The new commit; HEAD when the new side is the working tree.
    pub new: Oid,
    /// Whether the new side is the working tree.
    pub working_tree: bool,
    /// The new side's matrix path, when given with `REV:PATH`.
    pub path: Option<String>,
}

/// Two loaded versions, and their history when both come from git.
#[derive(Debug)]
pub struct Selection {
    /// The old version.
    pub old: MatrixVersion,
    /// The new version.
    pub new: MatrixVersion,
    /// Their history.
    pub history: Option<History>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum End {
    Rev(String, Option<String>),
    WorkingTree,
    LatestTag,
    Path(PathBuf),
}

/// Splits a range: `A..B`, `A...B` (symmetric), `A` (against the working
/// tree); an empty side means `HEAD`. Returns (old, new, symmetric).
fn parse_range(range: Option<&str>) -> (End, End, bool) {
    let side = |s: &str| {
        End::Rev(
            if s.is_empty() {
                "HEAD".into()
            } else {
                s.to_string()
            },
            None,
        )
    };
    match range {
        None => (End::LatestTag, End::WorkingTree, false),
        Some(r) => {
            if let Some((a, b)) = r.split_once("...") {
                (side(a), side(b), true)
            } else if let Some((a, b)) = r.split_once("..") {
                (side(a), side(b), false)
            } else {
                (side(r), End::WorkingTree, false)
            }
        }
    }
}

/// A `--old`/`--new` value: an existing path, else `REV:PATH`, else a revision.
fn parse_side(text: &str) -> End {
    let path = Path::new(text);
    if path.exists() {
        return End::Path(path.to_path_buf());
    }
    match text.split_once(':') {
        Some((rev, path)) if !rev.is_empty() => End::Rev(rev.to_string(), Some(path.to_string())),
        _ => End::Rev(text.to_string(), None),
    }
}

/// Loads the two versions a request names.
pub fn select(request: &Request<'_>) -> Result<Selection, DiffError> {
    let (old, new, symmetric) = match (request.range, request.old, request.new) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(DiffError::Usage(
                "give either a revision range or --old/--new, not both".into(),
            ));
        }
        (None, None, Some(_)) => return Err(DiffError::Usage("--new needs --old".into())),
        (None, Some(old), new) => (
            parse_side(old),
            new.map_or(End::WorkingTree, parse_side),
            false,
        ),
        (range, None, None) => parse_range(range),
    };
    let needs_git = |e: &End| matches!(e, End::Rev(..) | End::LatestTag);
    if !needs_git(&old) && !needs_git(&new) {
        return Ok(Selection {
            old: load_path_side(&old, request)?,
            new: load_path_side(&new, request)?,
            history: None,
        });
    }
    let flag_error = |error: DiffError| match (&error, request.old.or(request.new)) {
        (
            DiffError::NotARepository { .. } | DiffError::UnknownRevision { shallow: false, .. },
            Some(_),
        ) => {
            let given = [request.old, request.new]
                .into_iter()
                .flatten()
                .find(|v| !Path::new(v).exists());
            match given {
                Some(v) => DiffError::Usage(format!(
                    "`{v}` is neither a folder or file nor a git revision (REV or REV:PATH)"
                )),
                None => error,
            }
        }
        _ => error,
    };
    select_git(request, &old, &new, symmetric).map_err(flag_error)
}

fn select_git(
    request: &Request<'_>,
    old: &End,
    new: &End,
    symmetric: bool,
) -> Result<Selection, DiffError> {
    let repo = MatrixRepo::discover(request.matrix)?;
    let resolve = |end: &End| -> Result<Option<(String, Oid, Option<String>)>, DiffError> {
        Ok(match end {
            End::Rev(rev, path) => Some((rev.clone(), repo.resolve(rev)?, path.clone())),
            End::LatestTag => {
                let tag = repo.latest_tag()?;
                let id = repo.resolve(&tag)?;
                Some((tag, id, None))
            }
            End::WorkingTree | End::Path(_) => None,
        })
    };
    let mut old_rev = resolve(old)?;
    let new_rev = resolve(new)?;
    if symmetric && let (Some((label, id, _)), Some((_, new_id, _))) = (&mut old_rev, &new_rev) {
        *id = repo.merge_base(*id, *new_id)?;
        label.push_str(" (merge base)");
    }
    let load = |end: &End,
                rev: &Option<(String, Oid, Option<String>)>|
     -> Result<MatrixVersion, DiffError> {
        match rev {
            Some((label, id, path)) => repo.load(*id, label, path.as_deref(), request.today),
            None => load_path_side(end, request),
        }
    };
    let old_version = load(old, &old_rev)?;
    let new_version = load(new, &new_rev)?;
    let history = match (&old_rev, &new_rev, new) {
        (Some((_, old_id, _)), Some((_, new_id, path)), _) => {
            Some((Some(*old_id), *new_id, false, path.clone()))
        }
        (Some((_, old_id, _)), None, End::WorkingTree) => {
            Some((Some(*old_id), repo.head()?, true, None))
        }
        _ => None,
    };
    Ok(Selection {
        old: old_version,
        new: new_version,
        history: history.map(|(old, new, working_tree, path)| History {
            repo,
            old,
            new,
            working_tree,
            path,
        }),
    })
}

fn load_path_side(end: &End, request: &Request<'_>) -> Result<MatrixVersion, DiffError> {
    if let End::Path(path) = end {
        return MatrixVersion::from_path(path, request.today);
    }
    let mut version = MatrixVersion::from_path(request.matrix, request.today)?;
    version.label = WORKING_TREE.into();
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_split() {
        let rev = |s: &str| End::Rev(s.into(), None);
        assert_eq!(parse_range(None), (End::LatestTag, End::WorkingTree, false));
        assert_eq!(parse_range(Some("v1..v2")), (rev("v1"), rev("v2"), false));
        assert_eq!(
            parse_range(Some("main...HEAD")),
            (rev("main"), rev("HEAD"), true)
        );
        assert_eq!(parse_range(Some("v1..")), (rev("v1"), rev("HEAD"), false));
        assert_eq!(
            parse_range(Some("v1")),
            (rev("v1"), End::WorkingTree, false)
        );
        assert_eq!(
            parse_side("v1:config/matrix"),
            End::Rev("v1".into(), Some("config/matrix".into()))
        );
    }
}

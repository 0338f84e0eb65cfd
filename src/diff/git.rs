//! Reading matrix versions straight from a git object database, without
//! checking anything out: the files of the matrix subtree at a revision,
//! tags, and the commits of a range that touched the matrix.

use super::{CommitInfo, DiffError, MatrixVersion};
use chrono::{DateTime, FixedOffset};
use git2::{ObjectType, Oid, Repository, Sort, Tree};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The git file mode of a symbolic link.
const LINK_MODE: i32 = 0o120_000;

/// A repository that holds a matrix, and where the matrix sits in it.
pub struct MatrixRepo {
    repo: Repository,
    workdir: PathBuf,
    matrix: String,
}

impl std::fmt::Debug for MatrixRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatrixRepo")
            .field("workdir", &self.workdir)
            .field("matrix", &self.matrix)
            .finish_non_exhaustive()
    }
}

/// One commit of the rationale.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommitNote {
    /// The short id (7 characters).
    pub short: String,
    /// The author's name (never the email address).
    pub author: String,
    /// The author date, `YYYY-MM-DD`.
    pub date: String,
    /// The first line of the message.
    pub subject: String,
    /// The rest of the message, trimmed.
    pub body: String,
}

/// A path inside a repository with `/` separators; `..` and `.` resolved.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    parts.join("/")
}

fn has_matrix_extension(name: &str) -> bool {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "toml" | "yaml" | "yml"))
}

fn date_of(time: git2::Time) -> String {
    let Some(offset) =
        FixedOffset::east_opt(time.offset_minutes() * 60).or_else(|| FixedOffset::east_opt(0))
    else {
        return String::new();
    };
    DateTime::from_timestamp(time.seconds(), 0)
        .map(|t| t.with_timezone(&offset).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A tag name as a version (`v1.4.0`, `1.4.0`), when it is one.
pub fn tag_version(name: &str) -> Option<semver::Version> {
    semver::Version::parse(name.strip_prefix('v').unwrap_or(name)).ok()
}

impl MatrixRepo {
    /// Finds the repository that holds `matrix` (a folder or file; it need
    /// not exist in the working tree) and the matrix path inside it.
    pub fn discover(matrix: &Path) -> Result<Self, DiffError> {
        let not_a_repo = || DiffError::NotARepository {
            path: matrix.to_path_buf(),
        };
        let absolute = if matrix.is_absolute() {
            matrix.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|_| not_a_repo())?
                .join(matrix)
        };
        let mut existing = absolute.clone();
        let mut missing = Vec::new();
        while !existing.exists() {
            match (
                existing.file_name().map(std::ffi::OsStr::to_os_string),
                existing.parent(),
            ) {
                (Some(name), Some(parent)) => {
                    missing.push(name);
                    existing = parent.to_path_buf();
                }
                _ => return Err(not_a_repo()),
            }
        }
        let found = existing.canonicalize().map_err(|_| not_a_repo())?;
        let repo = Repository::discover(&found).map_err(|_| not_a_repo())?;
        let mut full = found;
        for name in missing.into_iter().rev() {
            full.push(name);
        }
        let workdir = repo
            .workdir()
            .ok_or_else(|| DiffError::Bare {
                path: repo.path().to_path_buf(),
            })?
            .canonicalize()
            .map_err(|_| not_a_repo())?;
        let relative = full.strip_prefix(&workdir).map_err(|_| not_a_repo())?;
        let matrix = normalize(relative);
        Ok(MatrixRepo {
            repo,
            workdir,
            matrix,
        })
    }

    /// Opens the repository at or above `dir`, with the matrix at `matrix`
    /// (relative to the repository root).
    pub fn open(dir: &Path, matrix: &str) -> Result<Self, DiffError> {
        let repo = Repository::discover(dir).map_err(|_| DiffError::NotARepository {
            path: dir.to_path_buf(),
        })?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| DiffError::Bare {
                path: repo.path().to_path_buf(),
            })?
            .to_path_buf();
        Ok(MatrixRepo {
            repo,
            workdir,
            matrix: normalize(Path::new(matrix)),
        })
    }

    /// The matrix path relative to the repository root (`""` for the root).
    pub fn matrix_path(&self) -> &str {
        &self.matrix
    }

    /// The repository's working folder.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// Whether this is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    fn no_commits(&self) -> DiffError {
        DiffError::NoCommits {
            path: self.workdir.clone(),
        }
    }

    /// The commit HEAD points at.
    pub fn head(&self) -> Result<Oid, DiffError> {
        match self.repo.head() {
            Ok(head) => head
                .peel_to_commit()
                .map(|c| c.id())
                .map_err(|_| self.no_commits()),
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                Err(self.no_commits())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The commit a revision names (a tag, branch, commit, `HEAD~2`).
    pub fn resolve(&self, rev: &str) -> Result<Oid, DiffError> {
        if self.repo.is_empty().unwrap_or(false) {
            return Err(self.no_commits());
        }
        self.repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|_| DiffError::UnknownRevision {
                rev: rev.to_string(),
                shallow: self.is_shallow(),
            })
    }

    /// The common ancestor of two commits (for `A...B`).
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Oid, DiffError> {
        Ok(self.repo.merge_base(a, b)?)
    }

    /// The id, short id and date of a commit.
    pub fn commit_info(&self, id: Oid) -> Result<CommitInfo, DiffError> {
        let commit = self.repo.find_commit(id)?;
        let full = id.to_string();
        Ok(CommitInfo {
            short: full.chars().take(7).collect(),
            id: full,
            date: date_of(commit.time()),
        })
    }

    fn tags_by_commit(&self) -> Result<HashMap<Oid, Vec<String>>, DiffError> {
        let mut map: HashMap<Oid, Vec<String>> = HashMap::new();
        for name in self.repo.tag_names(None)?.iter().flatten() {
            let Ok(object) = self.repo.revparse_single(&format!("refs/tags/{name}")) else {
                continue;
            };
            if let Ok(commit) = object.peel_to_commit() {
                map.entry(commit.id()).or_default().push(name.to_string());
            }
        }
        Ok(map)
    }

    /// The most recent tag reachable from HEAD: the first tagged commit when
    /// walking back from HEAD (several tags on it: the highest version).
    pub fn latest_tag(&self) -> Result<String, DiffError> {
        let head = self.head()?;
        let tags = self.tags_by_commit()?;
        if !tags.is_empty() {
            let mut walk = self.repo.revwalk()?;
            walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
            walk.push(head)?;
            for id in walk {
                let id = id?;
                if let Some(names) = tags.get(&id) {
                    let best = names
                        .iter()
                        .max_by(|a, b| tag_version(a).cmp(&tag_version(b)).then_with(|| a.cmp(b)));
                    if let Some(best) = best {
                        return Ok(best.clone());
                    }
                }
            }
        }
        Err(DiffError::NoTag {
            shallow: self.is_shallow(),
        })
    }

    /// Tags that name versions (`v1.4.0`, `1.4.0`), oldest version first.
    pub fn version_tags(&self) -> Result<Vec<(String, Oid)>, DiffError> {
        let mut tags: Vec<(semver::Version, String, Oid)> = Vec::new();
        for (id, names) in self.tags_by_commit()? {
            for name in names {
                if let Some(version) = tag_version(&name) {
                    tags.push((version, name, id));
                }
            }
        }
        tags.sort();
        Ok(tags.into_iter().map(|(_, name, id)| (name, id)).collect())
    }

    fn subtree_id(tree: &Tree<'_>, path: &str) -> Option<Oid> {
        if path.is_empty() {
            return Some(tree.id());
        }
        tree.get_path(Path::new(path)).ok().map(|e| e.id())
    }

    /// The matrix files (display path `LABEL:path`, bytes) and routing test
    /// files (display path, text) at a commit. `path` overrides the matrix
    /// path (relative to the repository root).
    #[allow(clippy::type_complexity)]
    pub fn files(
        &self,
        id: Oid,
        label: &str,
        path: Option<&str>,
    ) -> Result<(Vec<(String, Vec<u8>)>, Vec<(String, String)>), DiffError> {
        let path = path.map_or_else(|| self.matrix.clone(), |p| normalize(Path::new(p)));
        let commit = self.repo.find_commit(id)?;
        let root = commit.tree()?;
        let missing = || DiffError::MatrixMissing {
            rev: label.to_string(),
            path: if path.is_empty() {
                ".".into()
            } else {
                path.clone()
            },
        };
        let mut files = Vec::new();
        let mut tests = Vec::new();
        if path.is_empty() {
            self.collect(&root, &format!("{label}:"), true, &mut files, &mut tests)?;
        } else {
            let entry = root.get_path(Path::new(&path)).map_err(|_| missing())?;
            match entry.kind() {
                Some(ObjectType::Tree) => {
                    let tree = self.repo.find_tree(entry.id())?;
                    self.collect(
                        &tree,
                        &format!("{label}:{path}/"),
                        true,
                        &mut files,
                        &mut tests,
                    )?;
                }
                Some(ObjectType::Blob) if entry.filemode() != LINK_MODE => {
                    let blob = self.repo.find_blob(entry.id())?;
                    files.push((format!("{label}:{path}"), blob.content().to_vec()));
                }
                _ => return Err(missing()),
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        tests.sort();
        Ok((files, tests))
    }

    fn collect(
        &self,
        tree: &Tree<'_>,
        prefix: &str,
        top: bool,
        files: &mut Vec<(String, Vec<u8>)>,
        tests: &mut Vec<(String, String)>,
    ) -> Result<(), DiffError> {
        for entry in tree {
            let Some(name) = entry.name() else { continue };
            if name.starts_with('.') || entry.filemode() == LINK_MODE {
                continue;
            }
            match entry.kind() {
                Some(ObjectType::Tree) if top && name == "tests" => {
                    let sub = self.repo.find_tree(entry.id())?;
                    for test in &sub {
                        let Some(test_name) = test.name() else {
                            continue;
                        };
                        if test.kind() == Some(ObjectType::Blob)
                            && has_matrix_extension(test_name)
                            && test.filemode() != LINK_MODE
                        {
                            let blob = self.repo.find_blob(test.id())?;
                            let text = String::from_utf8_lossy(blob.content()).into_owned();
                            tests.push((format!("{prefix}tests/{test_name}"), text));
                        }
                    }
                }
                Some(ObjectType::Tree) => {
                    let sub = self.repo.find_tree(entry.id())?;
                    self.collect(&sub, &format!("{prefix}{name}/"), false, files, tests)?;
                }
                Some(ObjectType::Blob) if has_matrix_extension(name) => {
                    let blob = self.repo.find_blob(entry.id())?;
                    files.push((format!("{prefix}{name}"), blob.content().to_vec()));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Loads and validates the matrix at a commit; `label` names the
    /// revision in diagnostics and display paths.
    pub fn load(
        &self,
        id: Oid,
        label: &str,
        path: Option<&str>,
        today: chrono::NaiveDate,
    ) -> Result<MatrixVersion, DiffError> {
        let (files, tests) = self.files(id, label, path)?;
        let mut version = MatrixVersion::from_files(label, files, tests, today)?;
        version.commit = Some(self.commit_info(id)?);
        Ok(version)
    }

    /// Whether the matrix folder has uncommitted changes in the working tree.
    pub fn is_dirty(&self) -> bool {
        let mut options = git2::StatusOptions::new();
        options.include_untracked(true).recurse_untracked_dirs(true);
        if !self.matrix.is_empty() {
            options.pathspec(&self.matrix);
        }
        self.repo.statuses(Some(&mut options)).is_ok_and(|s| {
            s.iter().any(|e| {
                e.status() != git2::Status::CURRENT && !e.status().contains(git2::Status::IGNORED)
            })
        })
    }

    /// The commits reachable from `new` but not from `old` that changed the
    /// matrix folder (its tests included), newest first. A merge counts when
    /// the matrix differs from every parent.
    pub fn rationale(
        &self,
        old: Option<Oid>,
        new: Oid,
        path: Option<&str>,
    ) -> Result<Vec<CommitNote>, DiffError> {
        let path = path.map_or_else(|| self.matrix.clone(), |p| normalize(Path::new(p)));
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(new)?;
        if let Some(old) = old {
            walk.hide(old)?;
        }
        let mut notes = Vec::new();
        for id in walk {
            let commit = self.repo.find_commit(id?)?;
            let mine = Self::subtree_id(&commit.tree()?, &path);
            let touched = if commit.parent_count() == 0 {
                mine.is_some()
            } else {
                commit
                    .parents()
                    .all(|p| p.tree().ok().and_then(|t| Self::subtree_id(&t, &path)) != mine)
            };
            if !touched {
                continue;
            }
            let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
            let mut lines = message.trim().splitn(2, '\n');
            let subject = lines.next().unwrap_or_default().trim().to_string();
            let body = lines.next().unwrap_or_default().trim().to_string();
            let author = commit.author();
            notes.push(CommitNote {
                short: commit.id().to_string().chars().take(7).collect(),
                author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
                date: date_of(author.when()),
                subject,
                body,
            });
        }
        Ok(notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized() {
        assert_eq!(normalize(Path::new("config/../matrix/")), "matrix");
        assert_eq!(normalize(Path::new("./a/b")), "a/b");
        assert_eq!(normalize(Path::new("")), "");
        assert_eq!(tag_version("v1.2.3"), Some(semver::Version::new(1, 2, 3)));
        assert_eq!(tag_version("release"), None);
    }
}

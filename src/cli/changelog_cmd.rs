//! `escalate changelog`.

use super::diff_cmd::{VersionArgs, matrix_path, report_error};
use super::{CliError, Context, EXIT_ERROR, EXIT_OK, Io};
use crate::diff::git::MatrixRepo;
use crate::diff::render::{self, Rationale};
use crate::diff::select::{self, History};
use crate::diff::{DiffError, MatrixVersion, compare_versions};
use clap::Args;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `escalate changelog`.
#[derive(Debug, Args)]
pub struct ChangelogArgs {
    #[command(flatten)]
    /// The versions.
    pub versions: VersionArgs,
    /// The whole history as one change log: one section per version tag, newest first
    #[arg(long, conflicts_with_all = ["range", "old", "new", "prepend"])]
    pub all: bool,
    /// Write to this file (atomically: a temporary file, then a rename) instead of standard output
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Insert the new section at the top of the existing --output file, after its title, keeping the rest
    #[arg(long, requires = "output")]
    pub prepend: bool,
    /// Replace an existing --output file that holds something else (without it, such a file is left as it is)
    #[arg(long, requires = "output", conflicts_with = "prepend")]
    pub force: bool,
}

/// Writes `contents` to `path` atomically, keeping an existing file's permissions.
fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), CliError> {
    let context = format!("writing {}", path.display());
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".escalate-changelog-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut file = builder
        .tempfile_in(parent)
        .map_err(CliError::io(context.clone()))?;
    file.write_all(contents)
        .map_err(CliError::io(context.clone()))?;
    file.as_file()
        .sync_all()
        .map_err(CliError::io(context.clone()))?;
    file.persist(path).map_err(|e| CliError::Io {
        context,
        source: e.error,
    })?;
    Ok(())
}

fn why<'a>(
    history: Option<&History>,
    commits: Option<&'a [crate::diff::git::CommitNote]>,
) -> Rationale<'a> {
    Rationale {
        commits,
        uncommitted: history.is_some_and(|h| h.working_tree && h.repo.is_dirty()),
        shallow: history.is_some_and(|h| h.repo.is_shallow()),
    }
}

/// One section for the requested range; `Err` carries the exit code.
fn section(ctx: &Context, args: &ChangelogArgs) -> Result<(String, String, String), DiffError> {
    let matrix = matrix_path(ctx);
    let selection = select::select(&args.versions.request(ctx, &matrix))?;
    let report = compare_versions(&selection.old, &selection.new, ctx.now);
    let history = selection.history.as_ref();
    let commits = history
        .map(|h| h.repo.rationale(h.old, h.new, h.path.as_deref()))
        .transpose()?;
    let text = render::changelog_section(&report, &why(history, commits.as_deref()));
    let name = selection
        .new
        .matrix
        .manifest
        .as_ref()
        .map_or_else(|| "escalation matrix".to_string(), |m| m.name.clone());
    Ok((text, render::section_heading(&report), name))
}

/// The whole history: one section per version tag, newest first.
fn all(ctx: &Context, io: &mut Io<'_>) -> Result<String, DiffError> {
    let repo = MatrixRepo::discover(&matrix_path(ctx))?;
    let tags = repo.version_tags()?;
    if tags.is_empty() {
        return Err(DiffError::NoTag {
            shallow: repo.is_shallow(),
        });
    }
    let today = ctx.now.date_naive();
    let mut sections = Vec::new();
    let mut previous: Option<(git2::Oid, MatrixVersion)> = None;
    for (tag, id) in tags {
        let version = match repo.load(id, &tag, None, today) {
            Ok(version) => version,
            Err(DiffError::MatrixMissing { .. }) => {
                let _ = writeln!(
                    io.err,
                    "escalate: {tag} has no matrix at `{}`; skipped",
                    repo.matrix_path()
                );
                continue;
            }
            Err(error) => return Err(error),
        };
        let old_id = previous.as_ref().map(|(id, _)| *id);
        let commits = repo.rationale(old_id, id, None)?;
        let why = Rationale {
            commits: Some(&commits),
            uncommitted: false,
            shallow: repo.is_shallow(),
        };
        let text = match &previous {
            Some((_, old)) => {
                render::changelog_section(&compare_versions(old, &version, ctx.now), &why)
            }
            None => render::changelog_initial(&version, &why),
        };
        sections.push(text);
        previous = Some((id, version));
    }
    sections.reverse();
    let name = previous
        .as_ref()
        .and_then(|(_, v)| v.matrix.manifest.as_ref())
        .map_or_else(|| "escalation matrix".to_string(), |m| m.name.clone());
    Ok(render::changelog_document(&name, &sections))
}

pub(super) fn run(ctx: &Context, args: &ChangelogArgs, io: &mut Io<'_>) -> Result<u8, CliError> {
    let (text, heading, name) = if args.all {
        match all(ctx, io) {
            Ok(text) => (text, String::new(), String::new()),
            Err(error) => return report_error(ctx, &error, io),
        }
    } else {
        match section(ctx, args) {
            Ok(parts) => parts,
            Err(error) => return report_error(ctx, &error, io),
        }
    };
    let Some(path) = &args.output else {
        io.out
            .write_all(text.as_bytes())
            .map_err(CliError::io("writing the change log"))?;
        return Ok(EXIT_OK);
    };
    let contents = if args.prepend {
        match std::fs::read_to_string(path) {
            Ok(existing) => {
                if render::has_heading(&existing, &heading) {
                    writeln!(
                        io.err,
                        "escalate: {} already has a section `{heading}`; nothing was written",
                        path.display()
                    )
                    .map_err(CliError::io("writing to standard error"))?;
                    return Ok(EXIT_ERROR);
                }
                render::prepend(&existing, &text)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                render::changelog_document(&name, &[text])
            }
            Err(source) => {
                return Err(CliError::Io {
                    context: format!("reading {}", path.display()),
                    source,
                });
            }
        }
    } else {
        // Whatever is in the file may be someone's own writing: it is replaced
        // only when asked, or when it already says exactly this.
        match std::fs::read(path) {
            Ok(existing) if existing != text.as_bytes() && !args.force => {
                writeln!(
                    io.err,
                    "escalate: {} already exists; nothing was written (--prepend adds the new \
                     section at its top, --force replaces the file)",
                    path.display()
                )
                .map_err(CliError::io("writing to standard error"))?;
                return Ok(EXIT_ERROR);
            }
            _ => text,
        }
    };
    write_atomic(path, contents.as_bytes())?;
    Ok(EXIT_OK)
}

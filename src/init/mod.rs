//! `escalate init`: scaffolds a new matrix repository.
//!
//! The scaffold is a small, valid, commented matrix (TOML, or YAML), its
//! routing tests, the JSON Schemas editors read, a GitHub Actions workflow, a
//! pre-commit configuration and a README for the office. The templates are
//! compiled into the binary (`src/init/templates/`); the review and
//! verification dates are the day of the scaffold and the calendar lists the
//! fixed-date holidays of the coming year, so the result passes `escalate
//! validate --deny-warnings`, `escalate test` and `escalate review` at once.
//!
//! Writing never overwrites an existing file unless forced, and each file is
//! written atomically (a temporary file in the same folder, then a rename).

use crate::publish::PublishError;
use crate::publish::output::write_atomic;
use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;
use std::path::Path;

const MATRIX_TOML: &str = include_str!("templates/matrix.toml");
const MATRIX_YAML: &str = include_str!("templates/matrix.yaml");
const ROUTING_TOML: &str = include_str!("templates/routing.toml");
const ROUTING_YAML: &str = include_str!("templates/routing.yaml");
const WORKFLOW: &str = include_str!("templates/workflow.yml");
const PRE_COMMIT: &str = include_str!("templates/pre-commit-config.yaml");
const README: &str = include_str!("templates/README.md");

/// Where the scaffold puts the GitHub Actions workflow.
pub const WORKFLOW_PATH: &str = ".github/workflows/escalate.yml";

/// Holidays on the same date every year, listed for the coming year so that
/// the calendar does not run out at once. Offices replace them with their own.
const FIXED_HOLIDAYS: &[(u32, u32, &str)] = &[
    (1, 1, "New Year's Day"),
    (12, 25, "Christmas Day"),
    (12, 26, "Boxing Day"),
];

/// What to scaffold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Write the matrix and its tests as YAML instead of TOML.
    pub yaml: bool,
    /// The day of the scaffold: the review and verification dates.
    pub today: NaiveDate,
}

/// One file of the scaffold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaffoldFile {
    /// The path relative to the repository root, with `/` separators.
    pub path: String,
    /// What the file is, in a few words.
    pub what: &'static str,
    /// The contents.
    pub contents: String,
}

/// What [`write`] did, paths relative to the folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files that did not exist.
    pub created: Vec<String>,
    /// Files that existed and were replaced (only when forced).
    pub overwritten: Vec<String>,
}

/// Why the scaffold was not written.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// Some files exist already and writing was not forced.
    #[error(
        "refusing to overwrite {} existing file{} in {dir} ({}); nothing was written. Use --force to overwrite, or choose another folder",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        files.join(", ")
    )]
    Exists {
        /// The folder.
        dir: String,
        /// The existing files, relative to the folder.
        files: Vec<String>,
    },
    /// Writing a file failed.
    #[error(transparent)]
    Write(#[from] PublishError),
}

/// The files of a new matrix repository.
pub fn scaffold(options: &Options) -> Vec<ScaffoldFile> {
    let (ext, matrix, routing) = if options.yaml {
        ("yaml", MATRIX_YAML, ROUTING_YAML)
    } else {
        ("toml", MATRIX_TOML, ROUTING_TOML)
    };
    let matrix_file = format!("matrix.{ext}");
    let tests_file = format!("routing.{ext}");
    let today = options.today.format("%Y-%m-%d").to_string();
    let holidays = holidays_block(&upcoming_fixed_holidays(options.today), options.yaml);
    let matrix = matrix
        .replace("{{today}}", &today)
        .replace("{{holidays}}\n", &holidays);
    let readme = README
        .replace("{{matrix_file}}", &matrix_file)
        .replace("{{tests_file}}", &tests_file);
    vec![
        ScaffoldFile {
            path: format!("matrix/{matrix_file}"),
            what: "the matrix, with comments",
            contents: matrix,
        },
        ScaffoldFile {
            path: format!("matrix/tests/{tests_file}"),
            what: "routing tests",
            contents: routing.to_string(),
        },
        ScaffoldFile {
            path: crate::schema::MATRIX_SCHEMA_PATH.to_string(),
            what: "JSON Schema of the matrix files, for editors",
            contents: crate::schema::json_schema(),
        },
        ScaffoldFile {
            path: crate::schema::TESTS_SCHEMA_PATH.to_string(),
            what: "JSON Schema of the routing test files",
            contents: crate::schema::tests_json_schema(),
        },
        ScaffoldFile {
            path: WORKFLOW_PATH.to_string(),
            what: "CI: validate, test, change log and breaking-change gate",
            contents: WORKFLOW.to_string(),
        },
        ScaffoldFile {
            path: ".pre-commit-config.yaml".to_string(),
            what: "pre-commit hooks: validate and test",
            contents: PRE_COMMIT.to_string(),
        },
        ScaffoldFile {
            path: "README.md".to_string(),
            what: "how the office works with the matrix",
            contents: readme,
        },
    ]
}

/// The fixed-date holidays from `today` to the end of next year.
fn upcoming_fixed_holidays(today: NaiveDate) -> Vec<(NaiveDate, &'static str)> {
    let mut out: Vec<(NaiveDate, &'static str)> = [today.year(), today.year() + 1]
        .into_iter()
        .flat_map(|year| {
            FIXED_HOLIDAYS
                .iter()
                .filter_map(move |&(month, day, name)| {
                    NaiveDate::from_ymd_opt(year, month, day).map(|d| (d, name))
                })
        })
        .filter(|(d, _)| *d >= today)
        .collect();
    out.sort_unstable();
    out
}

/// The calendar's holiday entries, in the template's syntax and indentation.
fn holidays_block(holidays: &[(NaiveDate, &str)], yaml: bool) -> String {
    let mut out = String::new();
    if yaml {
        out.push_str("    holiday:\n");
        for (date, name) in holidays {
            let _ = write!(
                out,
                "      - date: \"{}\"\n        name: {name}\n",
                date.format("%Y-%m-%d")
            );
        }
    } else {
        for (date, name) in holidays {
            let _ = write!(
                out,
                "\n[[calendar.holiday]]\ndate = \"{}\"\nname = \"{name}\"\n",
                date.format("%Y-%m-%d")
            );
        }
    }
    out.push('\n');
    out
}

/// Writes the scaffold into `dir` (created when missing). Without `force`,
/// nothing is written when any of the files exists.
pub fn write(dir: &Path, files: &[ScaffoldFile], force: bool) -> Result<WriteReport, InitError> {
    let existing: Vec<String> = files
        .iter()
        .filter(|f| target(dir, &f.path).symlink_metadata().is_ok())
        .map(|f| f.path.clone())
        .collect();
    if !existing.is_empty() && !force {
        return Err(InitError::Exists {
            dir: dir.display().to_string(),
            files: existing,
        });
    }
    let mut report = WriteReport::default();
    for file in files {
        write_atomic(&target(dir, &file.path), file.contents.as_bytes())?;
        if existing.contains(&file.path) {
            report.overwritten.push(file.path.clone());
        } else {
            report.created.push(file.path.clone());
        }
    }
    Ok(report)
}

fn target(dir: &Path, relative: &str) -> std::path::PathBuf {
    relative
        .split('/')
        .fold(dir.to_path_buf(), |path, part| path.join(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn every_placeholder_is_filled() {
        for yaml in [false, true] {
            for file in scaffold(&Options {
                yaml,
                today: day(2026, 12, 3),
            }) {
                if Path::new(&file.path)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("yml"))
                {
                    continue; // GitHub's own ${{ }} expressions
                }
                assert!(
                    !file.contents.contains("{{"),
                    "{} keeps a placeholder",
                    file.path
                );
            }
        }
    }

    #[test]
    fn holidays_cover_the_coming_year() {
        let dates: Vec<NaiveDate> = upcoming_fixed_holidays(day(2026, 12, 27))
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        assert_eq!(
            dates,
            vec![day(2027, 1, 1), day(2027, 12, 25), day(2027, 12, 26)]
        );
        let dates = upcoming_fixed_holidays(day(2027, 1, 1));
        assert_eq!(dates.first().map(|d| d.0), Some(day(2027, 1, 1)));
        assert_eq!(dates.last().map(|d| d.0), Some(day(2028, 12, 26)));
    }
}

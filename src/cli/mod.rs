//! Command-line definitions and dispatch. `main.rs` parses, calls [`run`]
//! and turns the result into an exit code; everything else lives here.

mod changelog_cmd;
mod diff_cmd;
mod init_cmd;
mod publish_cmd;
mod review_cmd;
mod route_cmd;
mod schema_cmd;
mod shell_cmd;
mod test_cmd;
mod validate_cmd;

use crate::matrix::{self, Matrix, Origin};
use crate::validate::checks::{self, Checked};
use crate::validate::diagnostic::Finding;
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// Exit code: everything is fine.
pub const EXIT_OK: u8 = 0;
/// Exit code: the command ran and found problems (invalid matrix, failed tests).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, I/O or matrix errors.
pub const EXIT_ERROR: u8 = 2;

/// Route no-code support incidents through a git-tracked escalation matrix.
#[derive(Debug, Parser)]
#[command(name = "escalate", version = long_version(), about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 ok, 1 findings (invalid matrix, failed tests), 2 usage, I/O or matrix errors."
)]
pub struct Cli {
    #[command(flatten)]
    /// Options every command takes.
    pub global: Global,
    #[command(subcommand)]
    /// The command.
    pub command: Command,
}

fn long_version() -> &'static str {
    concat!(env!("CARGO_PKG_VERSION"), " (matrix schema 1)")
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// The matrix folder or file [default: ./matrix, else the shipped matrix]
    #[arg(long, global = true, env = "ESCALATE_MATRIX", value_name = "PATH")]
    pub matrix: Option<PathBuf>,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Pretend the current time is this RFC 3339 instant (for reproducible output)
    #[arg(
        long,
        global = true,
        hide = true,
        env = "ESCALATE_NOW",
        value_name = "TIME"
    )]
    pub now: Option<String>,
    /// Parse the matrix files even when the cache of parsed matrices (~/.cache/escalate) holds them
    #[arg(
        long,
        global = true,
        env = "ESCALATE_NO_CACHE",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub no_cache: bool,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the matrix: every problem, in one run
    #[command(after_help = "Example:\n  escalate validate --format github --deny-warnings")]
    Validate(validate_cmd::ValidateArgs),
    /// Route a described incident to severity, tier, owner and due times
    #[command(
        after_help = "Examples:\n  escalate route \"Payroll flow fails since 9:00 and exposes employee bank details\"\n  echo \"Can't log in\" | escalate route - --format json\n  escalate route --batch incidents.jsonl > routes.jsonl"
    )]
    Route(Box<route_cmd::RouteArgs>),
    /// Run the matrix's routing tests (its tests/ folder)
    #[command(
        after_help = "Examples:\n  escalate test\n  escalate test --filter security --format junit > routing-tests.xml"
    )]
    Test(test_cmd::TestArgs),
    /// Publish the matrix as Markdown pages for an internal portal
    #[command(
        after_help = "Examples:\n  escalate publish --output portal --mkdocs\n  escalate publish --output portal --mkdocs --check\n  escalate publish --inject docs/support.md"
    )]
    Publish(publish_cmd::PublishArgs),
    /// Compare two versions of the matrix entity by entity: changes, levels, routing impact
    #[command(
        after_help = "Examples:\n  escalate diff                          # the latest tag against the working tree\n  escalate diff v1.3.0..v1.4.0 --format markdown\n  escalate diff main..HEAD --fail-on breaking --format github\n  escalate diff --old old-matrix/ --new matrix/\n  escalate diff --list-kinds"
    )]
    Diff(Box<diff_cmd::DiffArgs>),
    /// Write a change log for people: breaking changes first, then by entity, with the commits' rationale
    #[command(
        after_help = "Examples:\n  escalate changelog v1.3.0..v1.4.0\n  escalate changelog --output CHANGELOG.md --prepend\n  escalate changelog --all --output MATRIX-CHANGELOG.md"
    )]
    Changelog(Box<changelog_cmd::ChangelogArgs>),
    /// Print the JSON Schema of the matrix files (or of the routing test files), for editors
    #[command(
        after_help = "Examples:\n  escalate schema > schema/escalate-matrix.schema.json\n  escalate schema --tests > schema/escalate-tests.schema.json"
    )]
    Schema(schema_cmd::SchemaArgs),
    /// Scaffold a matrix repository: a commented matrix, tests, CI, pre-commit, README
    #[command(
        after_help = "Examples:\n  escalate init support-matrix\n  escalate init --yaml\n  escalate init . --force    # overwrite the scaffold's files"
    )]
    Init(init_cmd::InitArgs),
    /// List what is due for review: the matrix, contacts, untested rules, holidays
    #[command(
        after_help = "Examples:\n  escalate review\n  escalate review --format markdown > review.md\n  escalate review --fail-on-overdue    # a scheduled CI job"
    )]
    Review(review_cmd::ReviewArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish)
    #[command(
        after_help = "Example:\n  escalate completions bash > /etc/bash_completion.d/escalate"
    )]
    Completions(shell_cmd::CompletionsArgs),
    /// Print the man page (roff)
    #[command(after_help = "Example:\n  escalate man > escalate.1 && man ./escalate.1")]
    Man,
}

/// Where a command reads and writes.
pub struct Io<'a> {
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
    /// Standard input.
    pub input: &'a mut dyn Read,
    /// Whether standard output is a terminal.
    pub out_is_terminal: bool,
}

/// Errors that end a command with exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    /// Reading or writing failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The matrix could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] matrix::LoadError),
    /// Routing failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Route(#[from] crate::route::RouteError),
    /// Publishing failed or was refused.
    #[error(transparent)]
    Publish(#[from] crate::publish::PublishError),
    /// A command-line value is wrong.
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> CliError {
        let context = context.into();
        move |source| CliError::Io { context, source }
    }
}

/// Runs a parsed command line; returns the exit code. Meant to be the
/// process's last act: `route` leaves its matrix to the operating system.
pub fn run(cli: Cli, io: &mut Io<'_>) -> Result<u8, CliError> {
    let ctx = Context::new(&cli.global, io.out_is_terminal)?;
    match cli.command {
        Command::Validate(args) => validate_cmd::run(&ctx, &args, io),
        Command::Route(args) => route_cmd::run(&ctx, &args, io),
        Command::Test(args) => test_cmd::run(&ctx, &args, io),
        Command::Publish(args) => publish_cmd::run(&ctx, &args, io),
        Command::Diff(args) => diff_cmd::run(&ctx, &args, io),
        Command::Changelog(args) => changelog_cmd::run(&ctx, &args, io),
        Command::Schema(args) => schema_cmd::run(&args, io),
        Command::Init(args) => init_cmd::run(&ctx, &args, io),
        Command::Review(args) => review_cmd::run(&ctx, &args, io),
        Command::Completions(args) => shell_cmd::completions(&args, io),
        Command::Man => shell_cmd::man(io),
    }
}

/// What every command needs: where the matrix is, the clock, colour.
pub struct Context {
    matrix: Option<PathBuf>,
    now: DateTime<Utc>,
    color: bool,
    cache: Option<crate::cache::Cache>,
}

impl Context {
    fn new(global: &Global, terminal: bool) -> Result<Self, CliError> {
        let now = match &global.now {
            Some(text) => DateTime::parse_from_rfc3339(text)
                .map_err(|e| {
                    CliError::Usage(format!(
                        "--now `{text}` is not an RFC 3339 time ({e}); write for example 2026-03-06T17:30:00+01:00"
                    ))
                })?
                .with_timezone(&Utc),
            // Whole seconds: the clock's fraction would show in every due time
            // around the clock (`00:46:04.280302700+01:00`).
            None => chrono::SubsecRound::trunc_subsecs(Utc::now(), 0),
        };
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Ok(Context {
            matrix: global.matrix.clone(),
            now,
            color,
            cache: if global.no_cache {
                None
            } else {
                crate::cache::Cache::from_env()
            },
        })
    }

    /// Loads the matrix: `--matrix`, else `./matrix`, else the shipped one
    /// (saying so on standard error).
    fn load(&self, io: &mut Io<'_>) -> Result<(Matrix, Vec<Finding>), CliError> {
        self.load_from(self.matrix_path(), io)
    }

    /// The matrix folder or file to read: `--matrix`, else `./matrix` when
    /// it is a folder; `None` for the shipped matrix.
    fn matrix_path(&self) -> Option<PathBuf> {
        self.matrix.clone().or_else(|| {
            let default = Path::new("matrix");
            default.is_dir().then(|| default.to_path_buf())
        })
    }

    /// [`Context::load`] from what [`Context::matrix_path`] said.
    fn load_from(
        &self,
        path: Option<PathBuf>,
        io: &mut Io<'_>,
    ) -> Result<(Matrix, Vec<Finding>), CliError> {
        if let Some(path) = path {
            return self.load_path(&path);
        }
        writeln!(
            io.err,
            "escalate: no ./matrix folder and no --matrix given: using the shipped matrix"
        )
        .map_err(CliError::io("writing to standard error"))?;
        let files = matrix::shipped::FILES
            .iter()
            .map(|(name, text)| ((*name).to_string(), text.as_bytes().to_vec()))
            .collect();
        Ok(matrix::load_files(Origin::Shipped, files))
    }

    /// Loads a matrix path through the cache unless it is off.
    fn load_path(&self, path: &Path) -> Result<(Matrix, Vec<Finding>), CliError> {
        match &self.cache {
            Some(cache) => {
                let (matrix, findings, _) = cache.load_path(path)?;
                Ok((matrix, findings))
            }
            None => Ok(matrix::load_path(path)?),
        }
    }

    /// Why a suite holds no case, for the user: where cases were looked
    /// for and how to add one (`dir` as given to [`Context::load_suite`]).
    fn no_cases_reason(
        matrix: &Matrix,
        dir: Option<&Path>,
        suite: &crate::testing::Suite,
    ) -> String {
        if suite.malformed > 0 {
            return "none could be read (see the test-file-invalid findings)".to_string();
        }
        let folder = match (dir, &matrix.origin) {
            (Some(dir), _) => dir.to_path_buf(),
            (None, Origin::Path(path)) if path.is_dir() => path.join("tests"),
            _ => {
                return "a single-file matrix has no tests/ folder; keep the matrix in a folder \
                        with a tests/ folder, or name one with `escalate test --tests DIR`"
                    .to_string();
            }
        };
        let state = if folder.is_dir() {
            "holds no [[case]]"
        } else {
            "does not exist"
        };
        format!(
            "{} {state}; add a .toml or .yaml file of [[case]] entries there",
            folder.display()
        )
    }

    /// The routing tests: `--tests DIR`, else the matrix folder's `tests/`,
    /// else the shipped tests for the shipped matrix.
    fn load_suite(matrix: &mut Matrix, dir: Option<&Path>) -> crate::testing::Suite {
        if let Some(dir) = dir {
            return crate::testing::load_dir(dir, &mut matrix.sources);
        }
        match &matrix.origin {
            Origin::Path(path) if path.is_dir() => {
                crate::testing::load_dir(&path.join("tests"), &mut matrix.sources)
            }
            Origin::Shipped => {
                let files = matrix::shipped::TESTS
                    .iter()
                    .map(|(name, text)| ((*name).to_string(), (*text).to_string()))
                    .collect();
                crate::testing::load_texts(files, &mut matrix.sources)
            }
            _ => crate::testing::Suite::default(),
        }
    }

    fn check(&self, matrix: &Matrix, findings: Vec<Finding>) -> Checked {
        checks::check_loaded(matrix, findings, self.now.date_naive())
    }
}

fn report_matrix_errors(
    ctx: &Context,
    matrix: &Matrix,
    checked: &Checked,
    io: &mut Io<'_>,
    what: &str,
) -> Result<(), CliError> {
    let errors: Vec<_> = checked
        .findings
        .iter()
        .filter(|f| f.severity == crate::validate::diagnostic::Severity::Error)
        .cloned()
        .collect();
    let mut text = crate::validate::to_human(&errors, &matrix.sources, ctx.color, terminal_width());
    if let Some(note) = crate::validate::unread_note(checked.unread_files) {
        text.push_str(&note);
        text.push('\n');
    }
    writeln!(
        io.err,
        "{text}escalate: the matrix has {} error{}; {what}",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    )
    .map_err(CliError::io("writing to standard error"))
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Whether standard output is a terminal (for `main`).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

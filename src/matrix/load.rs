//! Reading matrix files from disk or memory into a [`Matrix`].

use super::de::{Collector, DeError, closest, from_node};
use super::node::{self, Key, Node, Span, Value};
use super::schema::{self, FileId, SECTIONS};
use super::{Matrix, Origin, SourceFile};
use crate::validate::diagnostic::{Code, Finding};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Files larger than this are refused: no hand-written matrix comes close,
/// and a generated one of 50,000 contacts stays well below it.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A TOML table nested deeper than this is refused (YAML is bounded by its parser).
const MAX_DEPTH: usize = 64;

/// The matrix could not be read at all (as opposed to findings in its files).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    /// The path does not exist or cannot be read.
    #[error("cannot read matrix at {path}: {source}")]
    #[diagnostic(code(unreadable_file))]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Loads a matrix from a folder (every `*.toml`, `*.yaml`, `*.yml` below it,
/// except the `tests/` folder of routing tests) or from a single file.
pub fn load_path(path: &Path) -> Result<(Matrix, Vec<Finding>), LoadError> {
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut findings = Vec::new();
    let mut files = Vec::new();
    if meta.is_dir() {
        let root = path.canonicalize().map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut found = Vec::new();
        collect_files(path, &root, true, &mut found, &mut findings)?;
        found.sort();
        if found.is_empty() && findings.is_empty() {
            findings.push(
                Finding::global(
                    Code::NoMatrixFiles,
                    format!("{} holds no .toml, .yaml or .yml file", path.display()),
                )
                .help("point --matrix at the folder that holds the matrix, or run `escalate init`"),
            );
        }
        for file in found {
            read_one(&file, &mut files, &mut findings);
        }
    } else {
        read_one(path, &mut files, &mut findings);
    }
    let (matrix, more) = load_files(Origin::Path(path.to_path_buf()), files);
    findings.extend(more);
    Ok((matrix, findings))
}

fn collect_files(
    dir: &Path,
    root: &Path,
    top: bool,
    out: &mut Vec<PathBuf>,
    findings: &mut Vec<Finding>,
) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || (top && name == "tests") {
            continue;
        }
        let is_matrix_file = has_matrix_extension(&path);
        let file_type = entry.file_type().map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        if file_type.is_symlink() {
            match path.canonicalize() {
                Ok(target) if target.starts_with(root) => {}
                Ok(target) => {
                    if is_matrix_file || target.is_dir() {
                        findings.push(
                            Finding::global(
                                Code::OutsideMatrix,
                                format!(
                                    "{} is a link to {}, outside the matrix folder; it is not read",
                                    path.display(),
                                    target.display()
                                ),
                            )
                            .help("copy the file into the matrix folder instead of linking to it"),
                        );
                    }
                    continue;
                }
                Err(error) => {
                    if is_matrix_file {
                        findings.push(Finding::global(
                            Code::Unreadable,
                            format!("{}: {error}", path.display()),
                        ));
                    }
                    continue;
                }
            }
        }
        if path.is_dir() {
            collect_files(&path, root, false, out, findings)?;
        } else if is_matrix_file {
            out.push(path);
        }
    }
    Ok(())
}

fn has_matrix_extension(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("toml" | "yaml" | "yml")
    )
}

fn read_one(path: &Path, files: &mut Vec<(String, Vec<u8>)>, findings: &mut Vec<Finding>) {
    let display = path.display().to_string();
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            findings.push(Finding::global(
                Code::Unreadable,
                format!("{display} is a folder, not a matrix file"),
            ));
            return;
        }
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            findings.push(Finding::global(
                Code::LimitExceeded,
                format!(
                    "{display} is {} MiB; matrix files are limited to {} MiB",
                    meta.len() / (1024 * 1024),
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            ));
            return;
        }
        Ok(_) => {}
        Err(error) => {
            findings.push(Finding::global(Code::Unreadable, format!("{display}: {error}")));
            return;
        }
    }
    match std::fs::read(path) {
        Ok(bytes) => files.push((display, bytes)),
        Err(error) => findings.push(Finding::global(Code::Unreadable, format!("{display}: {error}"))),
    }
}

/// Loads a matrix from named file contents (names decide TOML or YAML by extension).
pub fn load_files(origin: Origin, files: Vec<(String, Vec<u8>)>) -> (Matrix, Vec<Finding>) {
    let mut matrix = Matrix::empty(origin);
    let mut findings = Vec::new();
    for (path, bytes) in files {
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_BYTES {
            findings.push(Finding::global(
                Code::LimitExceeded,
                format!("{path} is larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024)),
            ));
            continue;
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let offset = error.utf8_error().valid_up_to();
                let valid = String::from_utf8_lossy(&error.as_bytes()[..offset]).into_owned();
                let file = matrix.sources.add(SourceFile::new(path.clone(), valid));
                findings.push(
                    Finding::at(
                        Code::InvalidEncoding,
                        file,
                        Span::new(offset, offset),
                        format!("{path} is not UTF-8 text (invalid byte at offset {offset})"),
                    )
                    .label("invalid byte here")
                    .help("save the file as UTF-8"),
                );
                continue;
            }
        };
        // A byte-order mark is harmless; drop it so positions match what editors show.
        let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
        let is_toml = path.ends_with(".toml");
        let file = matrix.sources.add(SourceFile::new(path.clone(), text));
        let Some(source) = matrix.sources.get(file).map(|s| s.text.clone()) else {
            continue;
        };
        let root = if is_toml {
            let (root, errors) = node::from_toml(&source);
            let broken = !errors.is_empty();
            for (message, span) in errors {
                findings.push(Finding::at(Code::Syntax, file, span, first_line(&message)).label("here"));
            }
            if broken {
                continue;
            }
            root
        } else {
            match node::from_yaml(&source) {
                Ok(root) => root,
                Err((message, span)) => {
                    let code = if message.contains("budget") || message.contains("limit") || message.contains("depth") {
                        Code::LimitExceeded
                    } else {
                        Code::Syntax
                    };
                    findings.push(Finding::at(code, file, span, message).label("here"));
                    continue;
                }
            }
        };
        if depth(&root, 0) > MAX_DEPTH {
            findings.push(Finding::at(
                Code::LimitExceeded,
                file,
                Span::new(0, 0),
                format!("{path} nests tables deeper than {MAX_DEPTH} levels"),
            ));
            continue;
        }
        duplicate_keys(&root, file, &mut findings);
        read_fragment(&root, file, &mut matrix, &mut findings);
    }
    (matrix, findings)
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

fn depth(node: &Node, level: usize) -> usize {
    if level > MAX_DEPTH {
        return level;
    }
    match &node.value {
        Value::Seq(items) => items.iter().map(|n| depth(n, level + 1)).max().unwrap_or(level),
        Value::Map(entries) => entries
            .iter()
            .map(|(_, n)| depth(n, level + 1))
            .max()
            .unwrap_or(level),
        _ => level,
    }
}

fn duplicate_keys(node: &Node, file: FileId, findings: &mut Vec<Finding>) {
    match &node.value {
        Value::Map(entries) => {
            let mut seen: HashMap<&str, &Key> = HashMap::new();
            for (key, value) in entries {
                if let Some(first) = seen.get(key.name.as_str()) {
                    findings.push(
                        Finding::at(
                            Code::DuplicateKey,
                            file,
                            key.span,
                            format!("key `{}` is written twice in the same table", key.name),
                        )
                        .label("written again here")
                        .related(file, first.span, "first written here")
                        .help("remove one of them; YAML would silently keep only one"),
                    );
                } else {
                    seen.insert(&key.name, key);
                }
                duplicate_keys(value, file, findings);
            }
        }
        Value::Seq(items) => {
            for item in items {
                duplicate_keys(item, file, findings);
            }
        }
        _ => {}
    }
}

fn read_fragment(root: &Node, file: FileId, matrix: &mut Matrix, findings: &mut Vec<Finding>) {
    let entries = match &root.value {
        Value::Map(entries) => entries,
        Value::Null => return,
        other => {
            findings.push(Finding::at(
                Code::WrongType,
                file,
                root.span,
                format!("a matrix file must be a table of sections, found {}", other.kind()),
            ));
            return;
        }
    };
    let mut seen = std::collections::HashSet::new();
    for (key, node) in entries {
        if !seen.insert(key.name.as_str()) {
            continue; // reported as a duplicate key
        }
        let ctx = Ctx { file, findings };
        match key.name.as_str() {
            "manifest" => {
                if let Some(mut manifest) = ctx.single::<schema::Manifest>(node, "manifest") {
                    manifest.origin = file;
                    if let Some(first) = &matrix.manifest {
                        findings.push(
                            Finding::at(Code::DuplicateSingleton, file, key.span, "the manifest is defined twice")
                                .label("second manifest")
                                .related(first.origin, first.version.span, "first manifest"),
                        );
                    } else {
                        matrix.manifest = Some(manifest);
                    }
                }
            }
            "fallback" => {
                if let Some(mut fallback) = ctx.single::<schema::Fallback>(node, "fallback") {
                    fallback.origin = file;
                    if let Some(first) = &matrix.fallback {
                        findings.push(
                            Finding::at(Code::DuplicateSingleton, file, key.span, "the fallback route is defined twice")
                                .label("second fallback")
                                .related(first.origin, first.tier.span, "first fallback"),
                        );
                    } else {
                        matrix.fallback = Some(fallback);
                    }
                }
            }
            "severity" => ctx.list(node, &mut matrix.severities, |e| e.origin = file),
            "tier" => ctx.list(node, &mut matrix.tiers, |e| e.origin = file),
            "team" => ctx.list(node, &mut matrix.parties, |e| {
                e.origin = file;
                e.is_team = true;
            }),
            "contact" => ctx.list(node, &mut matrix.parties, |e| e.origin = file),
            "calendar" => ctx.list(node, &mut matrix.calendars, |e| e.origin = file),
            "dimension" => ctx.list(node, &mut matrix.dimensions, |e| e.origin = file),
            "rule" => ctx.list(node, &mut matrix.rules, |e| e.origin = file),
            "decision" => ctx.list(node, &mut matrix.decisions, |e| e.origin = file),
            "script" => ctx.list(node, &mut matrix.scripts, |e| e.origin = file),
            "term" => ctx.list(node, &mut matrix.terms, |e| e.origin = file),
            "synonyms" => ctx.list(node, &mut matrix.synonyms, |e| e.origin = file),
            other => findings.push(unknown_key(file, key, SECTIONS, other)),
        }
    }
}

fn unknown_key(file: FileId, key: &Key, expected: &[&str], name: &str) -> Finding {
    let mut finding = Finding::at(Code::UnknownKey, file, key.span, format!("unknown key `{name}`"))
        .label("not part of the schema");
    finding = match closest(name, expected) {
        Some(best) => finding.help(format!("did you mean `{best}`?")),
        None => finding.help(format!("expected one of: {}", expected.join(", "))),
    };
    finding
}

struct Ctx<'a> {
    file: FileId,
    findings: &'a mut Vec<Finding>,
}

impl Ctx<'_> {
    fn entity<'n, T: Deserialize<'n>>(&mut self, node: &'n Node) -> Option<T> {
        let collector = Collector::default();
        let result = from_node::<T>(node, &collector);
        for unknown in collector.take() {
            self.findings.push(unknown_key(
                self.file,
                &unknown.key,
                unknown.expected,
                &unknown.key.name,
            ));
        }
        match result {
            Ok(value) => Some(value),
            Err(DeError { message, span }) => {
                self.findings.push(
                    Finding::at(Code::WrongType, self.file, span.unwrap_or(node.span), message)
                        .label("here"),
                );
                None
            }
        }
    }

    fn single<'n, T: Deserialize<'n>>(mut self, node: &'n Node, section: &str) -> Option<T> {
        if node.as_map().is_none() {
            self.findings.push(Finding::at(
                Code::WrongType,
                self.file,
                node.span,
                format!("`{section}` must be a table, found {}", node.value.kind()),
            ));
            return None;
        }
        self.entity(node)
    }

    fn list<'n, T: Deserialize<'n>>(mut self, node: &'n Node, out: &mut Vec<T>, mut stamp: impl FnMut(&mut T)) {
        match &node.value {
            Value::Seq(items) => {
                for item in items {
                    if let Some(mut entity) = self.entity::<T>(item) {
                        stamp(&mut entity);
                        out.push(entity);
                    }
                }
            }
            Value::Map(_) => {
                self.findings.push(
                    Finding::at(Code::WrongType, self.file, node.span, "expected a list of entries, found a single table")
                        .help("in TOML write [[section]] (double brackets); in YAML start each entry with `- `"),
                );
            }
            other => self.findings.push(Finding::at(
                Code::WrongType,
                self.file,
                node.span,
                format!("expected a list of entries, found {}", other.kind()),
            )),
        }
    }
}

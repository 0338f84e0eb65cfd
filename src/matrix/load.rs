//! Reading matrix files from disk or memory into a [`Matrix`].

use super::de::{Collector, DeError, closest, from_node};
use super::node::{self, Key, Node, Span, Value};
use super::schema::{self, FileId, SECTIONS};
use super::{Matrix, Origin, SourceFile};
use crate::validate::diagnostic::{Code, Finding};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Files larger than this are refused: no hand-written matrix comes close,
/// and a generated one of 50,000 contacts stays well below it.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A TOML table nested deeper than this is refused (YAML is bounded by its parser).
const MAX_DEPTH: usize = 64;

/// Duplicate TOML keys whose first place is looked for (each look re-parses the file).
const MAX_DUPLICATE_PROBES: usize = 20;

/// Bytes re-parsed in all to find first definitions, per file: a file of
/// several MiB gets fewer looks, so that a huge file full of duplicates
/// costs a few parses, not twenty.
const DUPLICATE_PROBE_BYTES: usize = 16 * 1024 * 1024;

/// Syntax errors reported per file: after the first few, the TOML reader's
/// recovery mostly finds echoes of them, and thousands would bury the first.
const MAX_SYNTAX_ERRORS: usize = 10;

/// The matrix could not be read at all (as opposed to findings in its files).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    /// The path does not exist or cannot be read.
    #[error("cannot read matrix at {path}")]
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
                .help("point --matrix at the folder that holds the matrix files"),
            );
        }
        for file in found {
            read_one(&file, &mut files, &mut findings);
        }
    } else {
        read_one(path, &mut files, &mut findings);
    }
    let (matrix, more) = load_entries(Origin::Path(path.to_path_buf()), files);
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
                // A folder inside the matrix is read where it is; following a
                // link to it would read it twice, and a link to a folder that
                // holds the link would go round in circles (two such links
                // make the walk exponential).
                Ok(target) if target.starts_with(root) && target.is_dir() => continue,
                Ok(target) if target.starts_with(root) => {}
                Ok(target) => {
                    if is_matrix_file || target.is_dir() {
                        // The link as written, not its absolute target: shorter and what the user typed.
                        let written = std::fs::read_link(&path).unwrap_or(target);
                        findings.push(
                            Finding::global(
                                Code::OutsideMatrix,
                                format!(
                                    "{} is a link to {}, outside the matrix folder; it is not read",
                                    path.display(),
                                    written.display()
                                ),
                            )
                            .help("copy the file into the matrix folder instead of linking to it"),
                        );
                    }
                    continue;
                }
                Err(error) => {
                    if is_matrix_file {
                        let written = std::fs::read_link(&path).unwrap_or_default();
                        findings.push(
                            Finding::global(
                                Code::Unreadable,
                                format!(
                                    "{} is a link to {}, which cannot be read: {error}",
                                    path.display(),
                                    written.display()
                                ),
                            )
                            .help("fix or remove the link"),
                        );
                    }
                    continue;
                }
            }
        }
        if path.is_dir() {
            collect_files(&path, root, false, out, findings)?;
        } else if is_matrix_file && !is_regular_file(&path) {
            // Reading a pipe waits for a writer forever, and a device may never end.
            findings.push(
                Finding::global(
                    Code::Unreadable,
                    format!(
                        "{} is not a regular file (a pipe, socket or device); it is not read",
                        path.display()
                    ),
                )
                .help("matrix files are plain text files"),
            );
        } else if is_matrix_file {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether `path` (after links) is a regular file; true when that cannot be
/// told, so that reading it reports the real error.
fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).map_or(true, |meta| meta.is_file())
}

fn has_matrix_extension(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("toml" | "yaml" | "yml")
    )
}

fn read_one(path: &Path, files: &mut Vec<Entry>, findings: &mut Vec<Finding>) {
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
            findings.push(Finding::global(
                Code::Unreadable,
                format!("{display}: {error}"),
            ));
            return;
        }
    }
    // At most one byte past the limit: a file named on the command line may be
    // a device such as /dev/zero, whose size says 0 and whose bytes never end.
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    match read {
        Ok(_) => files.push((display, Some(path.to_path_buf()), bytes)),
        Err(error) => findings.push(Finding::global(
            Code::Unreadable,
            format!("{display}: {error}"),
        )),
    }
}

/// Loads a matrix from named file contents (names decide TOML or YAML by extension).
pub fn load_files(origin: Origin, files: Vec<(String, Vec<u8>)>) -> (Matrix, Vec<Finding>) {
    let files = files
        .into_iter()
        .map(|(path, bytes)| (path, None, bytes))
        .collect();
    load_entries(origin, files)
}

/// A file to load: display path, where it was read from on disk (its text is
/// then not kept but read again when a diagnostic needs it), and its bytes.
type Entry = (String, Option<PathBuf>, Vec<u8>);

fn load_entries(origin: Origin, files: Vec<Entry>) -> (Matrix, Vec<Finding>) {
    let mut matrix = Matrix::empty(origin);
    let mut findings = Vec::new();
    for (path, disk, bytes) in files {
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_BYTES {
            findings.push(Finding::global(
                Code::LimitExceeded,
                format!(
                    "{path} is larger than {} MiB",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            ));
            continue;
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let offset = error.utf8_error().valid_up_to();
                // Shown with U+FFFD in place of bad bytes; the text before the first is unchanged.
                let shown = String::from_utf8_lossy(error.as_bytes()).into_owned();
                let file = matrix.sources.add(SourceFile::new(path.clone(), shown));
                findings.push(
                    Finding::at(
                        Code::InvalidEncoding,
                        file,
                        Span::new(offset, offset + '\u{fffd}'.len_utf8()),
                        format!("{path} is not UTF-8 text (invalid byte at offset {offset})"),
                    )
                    .label("invalid byte here")
                    .help("save the file as UTF-8"),
                );
                continue;
            }
        };
        let source = super::loaded_text(text);
        let is_toml = super::is_toml_path(&path);
        // A file from disk gives its text up after this iteration and reads it
        // again for diagnostics; any other keeps it.
        let file = matrix.sources.add(match disk {
            Some(disk) => SourceFile::on_disk(path.clone(), disk, &source),
            None => SourceFile::new(path.clone(), source.as_str()),
        });
        let root = if is_toml {
            match read_toml(&source, file, &mut findings) {
                Some(root) => root,
                None => continue,
            }
        } else {
            match node::parse_yaml(&source) {
                Ok(root) => root,
                Err(error) => {
                    let code = if error.limit {
                        Code::LimitExceeded
                    } else {
                        Code::Syntax
                    };
                    findings.push(Finding::at(code, file, error.span, error.message).label("here"));
                    continue;
                }
            }
        };
        if let Some(span) = too_deep_at(&root, 0) {
            findings
                .push(Finding::at(Code::LimitExceeded, file, span, too_deep()).label("too deep"));
            continue;
        }
        duplicate_keys(&root, file, &mut findings);
        read_fragment(&root, file, &mut matrix, &mut findings);
    }
    matrix.shrink_to_fit();
    matrix.reindex();
    (matrix, findings)
}

/// Parses a TOML file. Duplicate keys are reported and the file is still
/// read (the first definition counts, as in YAML); after any other error the
/// file is not read (`None`).
fn read_toml(source: &str, file: FileId, findings: &mut Vec<Finding>) -> Option<Node> {
    let (root, errors) = node::from_toml(source);
    let mut broken = false;
    let mut probes = 0;
    let mut syntax = 0;
    let mut too_deep_reported = false;
    let syntax_total = errors
        .iter()
        .filter(|(m, _)| m != "duplicate key" && !m.contains("recursion"))
        .count();
    for (message, span) in errors {
        if message == "duplicate key" {
            probes += 1;
            let first = if probes <= MAX_DUPLICATE_PROBES
                && probes.saturating_mul(source.len()) <= DUPLICATE_PROBE_BYTES
            {
                node::toml_first_definition(source, span)
            } else {
                None
            };
            let name = source.get(span.start..span.end).unwrap_or("");
            let name = name.trim_matches(['"', '\'']);
            if name.is_empty() && syntax_total > 0 {
                continue; // an echo of a broken line, already reported
            }
            findings.push(duplicate_key(file, span, name, first));
        } else if message.contains("recursion") {
            // Once per file: every table header past the limit repeats it.
            if !too_deep_reported {
                findings
                    .push(Finding::at(Code::LimitExceeded, file, span, too_deep()).label("here"));
            }
            too_deep_reported = true;
            broken = true;
        } else {
            broken = true;
            syntax += 1;
            if syntax <= MAX_SYNTAX_ERRORS {
                findings.push(
                    Finding::at(Code::Syntax, file, span, first_line(&message)).label("here"),
                );
            } else if syntax == MAX_SYNTAX_ERRORS + 1 {
                findings.push(
                    Finding::at(
                        Code::Syntax,
                        file,
                        span,
                        format!(
                            "{} more syntax errors from here on are not shown",
                            syntax_total - MAX_SYNTAX_ERRORS
                        ),
                    )
                    .label("here")
                    .help("fix the first ones and validate again"),
                );
            }
        }
    }
    (!broken).then_some(root)
}

/// The same words as the YAML reader's depth limit.
fn too_deep() -> String {
    format!(
        "lists and tables are nested more than {MAX_DEPTH} levels deep; a matrix file never needs that"
    )
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

/// The first value nested deeper than [`MAX_DEPTH`], if any. Like the YAML
/// reader, the document itself counts as the first level.
fn too_deep_at(node: &Node, level: usize) -> Option<Span> {
    if level >= MAX_DEPTH {
        return Some(node.span);
    }
    match &node.value {
        Value::Seq(items) => items.iter().find_map(|n| too_deep_at(n, level + 1)),
        Value::Map(entries) => entries.iter().find_map(|(_, n)| too_deep_at(n, level + 1)),
        _ => None,
    }
}

/// A key written twice in one table; `first` is where it was first written.
fn duplicate_key(file: FileId, span: Span, name: &str, first: Option<Span>) -> Finding {
    let mut finding = Finding::at(
        Code::DuplicateKey,
        file,
        span,
        format!("key `{name}` is written twice in the same table"),
    )
    .label("written again here")
    .help("write each key once: remove one of them or merge the two");
    if let Some(first) = first {
        finding = finding.related(file, first, "first written here");
    }
    finding
}

fn duplicate_keys(node: &Node, file: FileId, findings: &mut Vec<Finding>) {
    match &node.value {
        Value::Map(entries) => {
            let mut seen: HashMap<&str, &Key> = HashMap::new();
            for (key, value) in entries {
                if let Some(first) = seen.get(key.name.as_str()) {
                    findings.push(duplicate_key(file, key.span, &key.name, Some(first.span)));
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
                format!(
                    "a matrix file must be a table of sections, found {}",
                    other.kind()
                ),
            ));
            return;
        }
    };
    // Sections in file order (the TOML reader sorts keys), so that "first
    // defined here" is the first place in the file.
    let mut entries: Vec<&(Key, Node)> = entries.iter().collect();
    entries.sort_by_key(|(key, _)| key.span.start);
    let mut seen = std::collections::HashSet::new();
    for (key, node) in entries {
        if !seen.insert(key.name.as_str()) {
            continue; // reported as a duplicate key
        }
        let ctx = Ctx {
            file,
            findings,
            broken: &mut matrix.broken,
        };
        match key.name.as_str() {
            "manifest" => {
                if let Some(mut manifest) = ctx.single::<schema::Manifest>(node, "manifest") {
                    manifest.origin = file;
                    if let Some(first) = &matrix.manifest {
                        findings.push(
                            Finding::at(
                                Code::DuplicateSingleton,
                                file,
                                key.span,
                                "the manifest is defined twice",
                            )
                            .label("second manifest")
                            .related(
                                first.origin,
                                first.version.span,
                                "first manifest",
                            ),
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
                            Finding::at(
                                Code::DuplicateSingleton,
                                file,
                                key.span,
                                "the fallback route is defined twice",
                            )
                            .label("second fallback")
                            .related(
                                first.origin,
                                first.tier.span,
                                "first fallback",
                            ),
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
    let mut finding = Finding::at(
        Code::UnknownKey,
        file,
        key.span,
        format!("unknown key `{name}`"),
    )
    .label("not part of the schema");
    finding = match closest(name, expected) {
        Some(best) => finding.help(format!("did you mean `{best}`?")),
        None => finding.help(format!("expected one of: {}", expected.join(", "))),
    };
    finding
}

/// Makes room for `more` entities in a list that grows file by file: by a
/// quarter of what it holds when that is more, instead of doubling. A list
/// of 50,000 contacts (some 400 bytes each) last doubled to room for
/// 65,536, 6 MB never used, while the rest of the matrix was being loaded.
fn reserve_for<T>(out: &mut Vec<T>, more: usize) {
    let needed = out.len().saturating_add(more);
    if needed > out.capacity() {
        let target = needed.max(out.capacity().saturating_add(out.capacity() / 4));
        out.reserve_exact(target - out.len());
    }
}

struct Ctx<'a> {
    file: FileId,
    findings: &'a mut Vec<Finding>,
    /// Ids of entities that failed to load, so that references to them are
    /// not reported a second time as unknown.
    broken: &'a mut std::collections::BTreeSet<String>,
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
                    Finding::at(
                        Code::WrongType,
                        self.file,
                        span.unwrap_or(node.span),
                        message,
                    )
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

    fn list<'n, T: Deserialize<'n>>(
        mut self,
        node: &'n Node,
        out: &mut Vec<T>,
        mut stamp: impl FnMut(&mut T),
    ) {
        match &node.value {
            Value::Seq(items) => {
                reserve_for(out, items.len());
                for item in items {
                    if let Some(mut entity) = self.entity::<T>(item) {
                        stamp(&mut entity);
                        out.push(entity);
                    } else if let Some(id) = item.get("id").and_then(Node::as_str) {
                        self.broken.insert(id.to_string());
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

#[cfg(test)]
mod tests {
    use super::reserve_for;

    #[test]
    fn lists_grow_by_a_quarter_or_by_what_a_file_adds() {
        let mut list: Vec<u8> = Vec::new();
        reserve_for(&mut list, 1000);
        assert_eq!(list.capacity(), 1000);
        list.resize(1000, 0);
        reserve_for(&mut list, 10);
        assert_eq!(list.capacity(), 1250);
        list.resize(1250, 0);
        reserve_for(&mut list, 5000);
        assert_eq!(list.capacity(), 6250);
        reserve_for(&mut list, 0);
        assert_eq!(list.capacity(), 6250);
    }
}

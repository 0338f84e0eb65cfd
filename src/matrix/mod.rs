//! The escalation matrix: its files, its typed model and the loader.
//!
//! Loading has two phases. The loader parses every file into a [`node::Node`]
//! tree and deserializes each entity on its own, so that one broken entity
//! does not hide the problems of the others. Cross-references are checked
//! afterwards by [`crate::validate`].

pub mod de;
pub mod duration;
mod load;
pub mod node;
pub mod schema;
pub mod shipped;

pub use load::{LoadError, load_files, load_path};

use rustc_hash::FxHashMap;
use schema::{
    CalendarSpec, Decision, Dimension, Fallback, FileId, Manifest, Party, Rule, Script, Severity,
    Synonyms, Term, Tier,
};
use std::path::PathBuf;
use std::sync::Arc;

/// One matrix file's text, kept for diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to the user.
    pub path: String,
    /// The text.
    pub text: Arc<str>,
    /// Byte offset of each line's first byte; shared, as every finding in
    /// the file keeps it for rendering. Computed on first use: a matrix
    /// without findings never needs it (5.8 MB for the largest generated one).
    line_starts: std::sync::OnceLock<Arc<[usize]>>,
}

impl SourceFile {
    /// A source file from its display path and text.
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts().partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts().get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, column)
    }

    /// Byte offset of each line's first byte (the first is 0).
    pub fn line_starts(&self) -> &Arc<[usize]> {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// `toml` or `yaml`, from the file name.
    pub fn language(&self) -> &'static str {
        if is_toml_path(&self.path) {
            "toml"
        } else {
            "yaml"
        }
    }
}

/// Whether a file name ends in `.toml` (in any case).
pub(crate) fn is_toml_path(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"))
}

/// The files a matrix was read from.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        self.files.len() - 1
    }

    /// The file with an id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id)
    }

    /// All files, in load order.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Where a matrix came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A folder or single file on disk.
    Path(PathBuf),
    /// The matrix compiled into the binary.
    Shipped,
    /// Files handed over in memory (a git revision, a test).
    Memory(String),
}

/// A loaded matrix: every entity of every fragment, in file order.
///
/// Serialising it gives the model without positions or file names, so two
/// matrices written differently (TOML and YAML, split or not) compare equal
/// when they mean the same.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Matrix {
    /// Where it was read from.
    #[serde(skip)]
    pub origin: Origin,
    /// The files, for diagnostics.
    #[serde(skip)]
    pub sources: Sources,
    /// The manifest.
    pub manifest: Option<Manifest>,
    /// Severity levels.
    pub severities: Vec<Severity>,
    /// Tiers.
    pub tiers: Vec<Tier>,
    /// Teams and contacts.
    pub parties: Vec<Party>,
    /// Calendars.
    pub calendars: Vec<CalendarSpec>,
    /// Decision dimensions.
    pub dimensions: Vec<Dimension>,
    /// Routing rules.
    pub rules: Vec<Rule>,
    /// Decision matrix rows.
    pub decisions: Vec<Decision>,
    /// Escalation scripts.
    pub scripts: Vec<Script>,
    /// Glossary.
    pub terms: Vec<Term>,
    /// Synonym groups.
    pub synonyms: Vec<Synonyms>,
    /// Fallback route.
    pub fallback: Option<Fallback>,
    /// Lookup tables by id, built on the first lookup. Loading resets them;
    /// code that changes the entity lists afterwards must call
    /// [`Matrix::reindex`].
    #[serde(skip)]
    index: std::sync::OnceLock<Index>,
    /// Ids of entities that were written but failed to load; references to
    /// them are not reported again as unknown.
    #[serde(skip)]
    pub broken: std::collections::BTreeSet<String>,
}

/// Positions of entities by id (the first definition wins, as duplicates
/// are reported by validation). Keys are ids from the matrix, so the fast
/// `FxHash` needs no protection against crafted collisions.
#[derive(Debug, Clone, Default)]
struct Index {
    severities: FxHashMap<String, usize>,
    tiers: FxHashMap<String, usize>,
    parties: FxHashMap<String, usize>,
    calendars: FxHashMap<String, usize>,
    scripts: FxHashMap<String, usize>,
    dimensions: FxHashMap<String, usize>,
    rules: FxHashMap<String, usize>,
}

fn positions<'a>(ids: impl Iterator<Item = &'a str>) -> FxHashMap<String, usize> {
    let mut map = FxHashMap::default();
    for (i, id) in ids.enumerate() {
        map.entry(id.to_string()).or_insert(i);
    }
    map
}

impl Matrix {
    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index {
            severities: positions(self.severities.iter().map(|e| e.id.value.as_str())),
            tiers: positions(self.tiers.iter().map(|e| e.id.value.as_str())),
            parties: positions(self.parties.iter().map(|e| e.id.value.as_str())),
            calendars: positions(self.calendars.iter().map(|e| e.id.value.as_str())),
            scripts: positions(self.scripts.iter().map(|e| e.id.value.as_str())),
            dimensions: positions(self.dimensions.iter().map(|e| e.id.value.as_str())),
            rules: positions(self.rules.iter().map(|e| e.id.value.as_str())),
        })
    }

    /// Forgets the lookup tables after the entity lists changed.
    pub fn reindex(&mut self) {
        self.index = std::sync::OnceLock::new();
    }

    /// The position of a team or contact in [`Matrix::parties`].
    pub fn party_position(&self, id: &str) -> Option<usize> {
        self.index().parties.get(id).copied()
    }

    /// The position of a rule in [`Matrix::rules`].
    pub fn rule_position(&self, id: &str) -> Option<usize> {
        self.index().rules.get(id).copied()
    }

    /// An empty matrix.
    pub fn empty(origin: Origin) -> Self {
        Matrix {
            origin,
            sources: Sources::default(),
            manifest: None,
            severities: Vec::new(),
            tiers: Vec::new(),
            parties: Vec::new(),
            calendars: Vec::new(),
            dimensions: Vec::new(),
            rules: Vec::new(),
            decisions: Vec::new(),
            scripts: Vec::new(),
            terms: Vec::new(),
            synonyms: Vec::new(),
            fallback: None,
            index: std::sync::OnceLock::new(),
            broken: std::collections::BTreeSet::new(),
        }
    }

    /// The severity with an id.
    pub fn severity(&self, id: &str) -> Option<&Severity> {
        self.index()
            .severities
            .get(id)
            .and_then(|&i| self.severities.get(i))
    }

    /// The tier with an id.
    pub fn tier(&self, id: &str) -> Option<&Tier> {
        self.index().tiers.get(id).and_then(|&i| self.tiers.get(i))
    }

    /// The team or contact with an id.
    pub fn party(&self, id: &str) -> Option<&Party> {
        self.index()
            .parties
            .get(id)
            .and_then(|&i| self.parties.get(i))
    }

    /// The calendar with an id.
    pub fn calendar(&self, id: &str) -> Option<&CalendarSpec> {
        self.index()
            .calendars
            .get(id)
            .and_then(|&i| self.calendars.get(i))
    }

    /// The script with an id.
    pub fn script(&self, id: &str) -> Option<&Script> {
        self.index()
            .scripts
            .get(id)
            .and_then(|&i| self.scripts.get(i))
    }

    /// The dimension with an id.
    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.index()
            .dimensions
            .get(id)
            .and_then(|&i| self.dimensions.get(i))
    }

    /// The rule with an id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.index().rules.get(id).and_then(|&i| self.rules.get(i))
    }

    /// The manifest's version, or `0.0.0` when there is none.
    pub fn version(&self) -> &str {
        self.manifest
            .as_ref()
            .map_or("0.0.0", |m| m.version.value.as_str())
    }
}

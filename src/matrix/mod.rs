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
///
/// A file read from disk does not keep its text after loading: nothing but
/// diagnostics needs it, and it is the largest part of a loaded matrix after
/// its entities (16 MB of the largest generated one, whose contacts and
/// rules are then built into the phrase index). The first use reads the file
/// again and keeps the text, checked to be the text that was loaded (same
/// length and hash); a file that changed or vanished since has no text.
#[derive(Clone)]
pub struct SourceFile {
    /// The path as shown to the user.
    pub path: String,
    /// The text, once known; `None` when it cannot be had (see [`SourceFile::has_text`]).
    text: std::sync::OnceLock<Option<Arc<str>>>,
    /// Where to read the text again, for a file that does not keep it.
    disk: Option<OnDisk>,
    /// Byte offset of each line's first byte; shared, as every finding in
    /// the file keeps it for rendering. Computed on first use: a matrix
    /// without findings never needs it (5.8 MB for the largest generated one).
    line_starts: std::sync::OnceLock<Arc<[usize]>>,
}

impl std::fmt::Debug for SourceFile {
    /// The path only: whether the text is held or read again on use is
    /// bookkeeping, and printing it must not read the file.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// A file whose text is read again when needed, and what it must read as.
#[derive(Debug, Clone)]
struct OnDisk {
    path: PathBuf,
    len: usize,
    hash: u64,
}

impl OnDisk {
    /// The text as the loader keeps it, if the file still holds what was loaded.
    fn read(&self) -> Option<Arc<str>> {
        use std::io::Read as _;
        let limit = u64::try_from(self.len).ok()?.saturating_add(4096);
        let mut bytes = Vec::with_capacity(self.len.saturating_add(1));
        std::fs::File::open(&self.path)
            .and_then(|file| file.take(limit).read_to_end(&mut bytes))
            .ok()?;
        let text = loaded_text(String::from_utf8(bytes).ok()?);
        (text.len() == self.len && text_hash(&text) == self.hash).then(|| Arc::from(text))
    }
}

/// A file's text as the loader keeps it: without a byte-order mark, which is
/// harmless (positions then match what editors show), and with LF line
/// endings: CRLF (a Windows checkout) means the same, but TOML keeps it
/// inside multi-line strings, which would put `\r` into scripts and pages.
/// Lines and columns do not change.
pub(crate) fn loaded_text(text: String) -> String {
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    if text.contains("\r\n") {
        text.replace("\r\n", "\n")
    } else {
        text
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`,
/// whose line starts are `line_starts`.
pub(crate) fn line_col_in(text: &str, line_starts: &[usize], offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let line = line_starts.partition_point(|&s| s <= offset).max(1);
    let start = line_starts.get(line - 1).copied().unwrap_or(0);
    let column = text
        .get(start..offset)
        .map_or(offset - start, |s| s.chars().count())
        + 1;
    (line, column)
}

/// Byte offset of each line's first byte (the first is 0).
fn line_starts_of(text: &str) -> Arc<[usize]> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// A hash to tell a file read again from the one loaded (within one process).
fn text_hash(text: &str) -> u64 {
    use std::hash::Hasher as _;
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(text.as_bytes());
    hasher.finish()
}

impl SourceFile {
    /// A source file from its display path and text, kept in memory.
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: std::sync::OnceLock::from(Some(text.into())),
            disk: None,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// A source file read from `disk`, whose text as loaded is `text`: the
    /// text is not kept, but read again (and checked) on first use.
    pub fn on_disk(path: impl Into<String>, disk: impl Into<PathBuf>, text: &str) -> Self {
        SourceFile {
            path: path.into(),
            text: std::sync::OnceLock::new(),
            disk: Some(OnDisk {
                path: disk.into(),
                len: text.len(),
                hash: text_hash(text),
            }),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// The text, kept or read again unchanged, if it can be had.
    fn held(&self) -> Option<&Arc<str>> {
        self.text
            .get_or_init(|| self.disk.as_ref().and_then(OnDisk::read))
            .as_ref()
    }

    /// The text, if it can be had: kept, or read again unchanged.
    pub fn try_text(&self) -> Option<&str> {
        self.held().map(|text| &**text)
    }

    /// Whether `text` is this file's text as loaded, told without reading
    /// the file again: the kept text, else the length and hash of the text
    /// that was loaded.
    pub fn loaded_as(&self, text: &str) -> bool {
        match (self.text.get(), &self.disk) {
            (Some(held), _) => held.as_deref() == Some(text),
            (None, Some(disk)) => disk.len == text.len() && disk.hash == text_hash(text),
            (None, None) => false,
        }
    }

    /// The text; empty when it cannot be had (see [`SourceFile::has_text`]).
    pub fn text(&self) -> &str {
        self.try_text().unwrap_or("")
    }

    /// The text, shared; empty when it cannot be had.
    pub fn shared_text(&self) -> Arc<str> {
        self.held().cloned().unwrap_or_else(|| Arc::from(""))
    }

    /// Whether the text can be had: false for a file read from disk that
    /// changed or vanished since it was loaded, and after
    /// [`Sources::release_texts`] for a file that was not read from disk.
    /// Positions in such a file can no longer be told.
    pub fn has_text(&self) -> bool {
        self.try_text().is_some()
    }

    /// Whether the text is in memory now (for tests of when it is read).
    #[cfg(test)]
    fn text_is_held(&self) -> bool {
        self.text.get().is_some_and(Option::is_some)
    }

    /// The text and line starts, without keeping them: what is held
    /// already, else the file read again for this call only, so that a
    /// caller going through the findings of many files holds one file's
    /// text at a time. Empty when the text cannot be had.
    pub fn text_and_lines(&self) -> (Arc<str>, Arc<[usize]>) {
        if self.text.get().is_some() {
            return (self.shared_text(), self.line_starts().clone());
        }
        let text = self
            .disk
            .as_ref()
            .and_then(OnDisk::read)
            .unwrap_or_else(|| Arc::from(""));
        let lines = line_starts_of(&text);
        (text, lines)
    }

    /// 1-based line and column (in characters) of a byte offset; `(1, 1)`
    /// when the text cannot be had (see [`SourceFile::has_text`]).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col_in(self.text(), self.line_starts(), offset)
    }

    /// Byte offset of each line's first byte (the first is 0).
    pub fn line_starts(&self) -> &Arc<[usize]> {
        self.line_starts.get_or_init(|| line_starts_of(self.text()))
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

    /// Drops the text (and line index) of every file, keeping paths and ids.
    ///
    /// For a command that is done reporting on the matrix and keeps it only
    /// to use its entities (`route` after validation). A file read from disk
    /// is read again if its text is asked for after all; the text of any
    /// other file is gone.
    pub fn release_texts(&mut self) {
        for file in &mut self.files {
            file.text = std::sync::OnceLock::new();
            file.line_starts = std::sync::OnceLock::new();
        }
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
/// are reported by validation). Ids come from the matrix and colliding
/// hashes are told apart, so the fast `FxHash` needs no protection against
/// crafted collisions.
#[derive(Debug, Clone, Default)]
struct Index {
    severities: Positions,
    tiers: Positions,
    parties: Positions,
    calendars: Positions,
    scripts: Positions,
    dimensions: Positions,
    rules: Positions,
}

/// Positions of entities by id, keyed by a hash of the id instead of a copy
/// of it: a lookup checks the id at the position it finds. Copies of the ids
/// of 50,000 contacts took 4 MB at the peak of `validate` and `route`; this
/// takes about 1.
#[derive(Debug, Clone, Default)]
struct Positions {
    /// Hash of an id to the first position of an id with that hash.
    first: FxHashMap<u64, u32>,
    /// Ids whose hash an earlier, different id has (almost never any).
    others: FxHashMap<String, usize>,
}

fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher as _;
    rustc_hash::FxBuildHasher.hash_one(id)
}

impl Positions {
    fn new(ids: &[&str]) -> Self {
        let mut positions = Positions::default();
        positions.first.reserve(ids.len());
        for (i, &id) in ids.iter().enumerate() {
            let at = u32::try_from(i).ok();
            match (positions.first.entry(id_hash(id)), at) {
                (std::collections::hash_map::Entry::Vacant(slot), Some(at)) => {
                    slot.insert(at);
                }
                (std::collections::hash_map::Entry::Occupied(slot), _)
                    if ids.get(*slot.get() as usize) == Some(&id) => {}
                _ => {
                    positions.others.entry(id.to_string()).or_insert(i);
                }
            }
        }
        positions
    }

    /// The position of `id`, given the id at each position.
    fn get<'a>(&self, id: &str, id_at: impl Fn(usize) -> Option<&'a str>) -> Option<usize> {
        match self.first.get(&id_hash(id)) {
            Some(&at) if id_at(at as usize) == Some(id) => Some(at as usize),
            _ => self.others.get(id).copied(),
        }
    }
}

fn positions<'a>(ids: impl Iterator<Item = &'a str>) -> Positions {
    Positions::new(&ids.collect::<Vec<_>>())
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

    /// Gives back the spare capacity of the entity lists. They grow file by
    /// file while files are read (by a quarter, or by what a file adds), so
    /// part of each list's memory can be spare (the largest generated
    /// matrix's 50,000 contacts take some 400 bytes each before their text).
    pub fn shrink_to_fit(&mut self) {
        self.severities.shrink_to_fit();
        self.tiers.shrink_to_fit();
        self.parties.shrink_to_fit();
        self.calendars.shrink_to_fit();
        self.dimensions.shrink_to_fit();
        self.rules.shrink_to_fit();
        self.decisions.shrink_to_fit();
        self.scripts.shrink_to_fit();
        self.terms.shrink_to_fit();
        self.synonyms.shrink_to_fit();
    }

    /// Keeps only the teams and contacts for which `keep` holds (in their
    /// order, so the first of duplicate ids stays first), gives their memory
    /// back and forgets the lookup tables.
    ///
    /// For a command that uses a validated matrix for one purpose only and
    /// knows which parties that purpose can name (`route`: see
    /// [`crate::route::retain_routed_parties`]).
    pub fn retain_parties(&mut self, keep: impl FnMut(&Party) -> bool) {
        self.parties.retain(keep);
        self.parties.shrink_to_fit();
        self.reindex();
    }

    /// Forgets the lookup tables after the entity lists changed.
    pub fn reindex(&mut self) {
        self.index = std::sync::OnceLock::new();
    }

    /// The position of a team or contact in [`Matrix::parties`].
    pub fn party_position(&self, id: &str) -> Option<usize> {
        self.index()
            .parties
            .get(id, |i| self.parties.get(i).map(|e| e.id.value.as_str()))
    }

    /// The position of a rule in [`Matrix::rules`].
    pub fn rule_position(&self, id: &str) -> Option<usize> {
        self.index()
            .rules
            .get(id, |i| self.rules.get(i).map(|e| e.id.value.as_str()))
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
            .get(id, |i| self.severities.get(i).map(|e| e.id.value.as_str()))
            .and_then(|i| self.severities.get(i))
    }

    /// The tier with an id.
    pub fn tier(&self, id: &str) -> Option<&Tier> {
        self.index()
            .tiers
            .get(id, |i| self.tiers.get(i).map(|e| e.id.value.as_str()))
            .and_then(|i| self.tiers.get(i))
    }

    /// The team or contact with an id.
    pub fn party(&self, id: &str) -> Option<&Party> {
        self.index()
            .parties
            .get(id, |i| self.parties.get(i).map(|e| e.id.value.as_str()))
            .and_then(|i| self.parties.get(i))
    }

    /// The calendar with an id.
    pub fn calendar(&self, id: &str) -> Option<&CalendarSpec> {
        self.index()
            .calendars
            .get(id, |i| self.calendars.get(i).map(|e| e.id.value.as_str()))
            .and_then(|i| self.calendars.get(i))
    }

    /// The script with an id.
    pub fn script(&self, id: &str) -> Option<&Script> {
        self.index()
            .scripts
            .get(id, |i| self.scripts.get(i).map(|e| e.id.value.as_str()))
            .and_then(|i| self.scripts.get(i))
    }

    /// The dimension with an id.
    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.index()
            .dimensions
            .get(id, |i| self.dimensions.get(i).map(|e| e.id.value.as_str()))
            .and_then(|i| self.dimensions.get(i))
    }

    /// The rule with an id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.index()
            .rules
            .get(id, |i| self.rules.get(i).map(|e| e.id.value.as_str()))
            .and_then(|i| self.rules.get(i))
    }

    /// The manifest's version, or `0.0.0` when there is none.
    pub fn version(&self) -> &str {
        self.manifest
            .as_ref()
            .map_or("0.0.0", |m| m.version.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    #[test]
    fn loading_leaves_no_spare_capacity_in_entity_lists() {
        let mut text = String::new();
        for i in 0..5 {
            let _ = write!(text, "[[contact]]\nid = \"c{i}\"\nname = \"C {i}\"\n\n");
        }
        let (matrix, findings) = load_files(
            Origin::Memory("test".into()),
            vec![("people.toml".into(), text.into_bytes())],
        );
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(matrix.parties.len(), 5);
        // Five pushes grow a list to a capacity of eight.
        assert_eq!(matrix.parties.capacity(), 5);
        assert_eq!(matrix.party("c4").map(|p| p.name.as_str()), Some("C 4"));
    }

    #[test]
    fn released_texts_keep_paths_and_ids() {
        let mut sources = Sources::default();
        let a = sources.add(SourceFile::new("a.toml", "x = 1\ny = 2\n"));
        let b = sources.add(SourceFile::new("b.yaml", "z: 3\n"));
        assert_eq!(sources.get(a).map(|s| s.line_col(8)), Some((2, 3)));
        assert!(sources.iter().all(SourceFile::has_text));
        sources.release_texts();
        assert_eq!(sources.len(), 2);
        assert_eq!(sources.get(a).map(|s| s.path.as_str()), Some("a.toml"));
        assert_eq!(sources.get(b).map(SourceFile::language), Some("yaml"));
        assert!(sources.iter().all(|s| !s.has_text() && s.text().is_empty()));
        assert!(sources.get(a).is_some_and(|s| s.line_starts().len() == 1));
        assert_eq!(sources.get(a).map(|s| s.line_col(8)), Some((1, 1)));
    }

    fn load_one(text: &str) -> (tempfile::TempDir, Matrix) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("people.toml"), text).unwrap();
        let (matrix, findings) = load_path(dir.path()).unwrap();
        assert!(findings.is_empty(), "{findings:?}");
        (dir, matrix)
    }

    #[test]
    fn a_loaded_text_is_recognised_without_reading_the_file_again() {
        let text = "[[contact]]\nid = \"a\"\nname = \"Ana\"\n";
        let (dir, matrix) = load_one(text);
        std::fs::remove_file(dir.path().join("people.toml")).unwrap();
        let source = matrix.sources.get(0).unwrap();
        assert!(source.loaded_as(text));
        assert!(!source.loaded_as("[[contact]]\nid = \"b\"\nname = \"Ana\"\n"));
        assert!(!source.text_is_held());
        let kept = SourceFile::new("k.toml", "x = 1\n");
        assert!(kept.loaded_as("x = 1\n") && !kept.loaded_as("x = 2\n"));
    }

    #[test]
    fn files_from_disk_are_read_again_for_diagnostics() {
        let text = "\u{feff}[[contact]]\r\nid = \"a\"\r\nname = \"Ana\"\r\n";
        let (_dir, matrix) = load_one(text);
        let source = matrix.sources.get(0).unwrap();
        assert!(!source.text_is_held());
        let name = &matrix.parties[0].name;
        assert_eq!(name, "Ana");
        let span = matrix.parties[0].id.span;
        assert_eq!(source.line_col(span.start).0, 2);
        assert!(source.text_is_held());
        // As loaded: no byte-order mark, LF line endings.
        assert_eq!(source.text(), "[[contact]]\nid = \"a\"\nname = \"Ana\"\n");
        assert_eq!(source.line_starts().len(), 4);
    }

    #[test]
    fn a_file_changed_since_loading_has_no_text() {
        let text = "[[contact]]\nid = \"a\"\nname = \"Ana\"\n";
        let (dir, mut matrix) = load_one(text);
        // Same length, other bytes: the hash tells them apart.
        std::fs::write(dir.path().join("people.toml"), text.replace("Ana", "Bob")).unwrap();
        let source = matrix.sources.get(0).unwrap();
        assert!(!source.has_text());
        assert_eq!(source.text(), "");
        assert_eq!(source.line_col(20), (1, 1));
        // Released and read again once the file is back as it was.
        std::fs::write(dir.path().join("people.toml"), text).unwrap();
        matrix.sources.release_texts();
        let source = matrix.sources.get(0).unwrap();
        assert!(source.has_text());
        assert_eq!(source.line_col(20), (2, 9));
        std::fs::remove_file(dir.path().join("people.toml")).unwrap();
        matrix.sources.release_texts();
        assert!(!matrix.sources.get(0).unwrap().has_text());
    }

    #[test]
    fn positions_find_the_first_definition_of_each_id() {
        let ids = ["a", "b", "a", "c"];
        let at = |i: usize| ids.get(i).copied();
        let positions = Positions::new(&ids);
        assert_eq!(positions.get("a", at), Some(0));
        assert_eq!(positions.get("b", at), Some(1));
        assert_eq!(positions.get("c", at), Some(3));
        assert_eq!(positions.get("d", at), None);
        assert!(positions.others.is_empty());
    }

    #[test]
    fn positions_tell_ids_whose_hashes_collide_apart() {
        // As `Positions::new` records a second id with the hash of the first.
        let ids = ["a", "b"];
        let at = |i: usize| ids.get(i).copied();
        let positions = Positions {
            first: [(id_hash("a"), 0), (id_hash("z"), 1)].into_iter().collect(),
            others: [("z".to_string(), 7)].into_iter().collect(),
        };
        assert_eq!(positions.get("a", at), Some(0));
        assert_eq!(positions.get("z", at), Some(7));
        assert_eq!(positions.get("b", at), None);
    }

    #[test]
    fn lookups_by_id_take_the_first_of_duplicates() {
        let text = "[[contact]]\nid = \"a\"\nname = \"First\"\n\n[[contact]]\nid = \"b\"\nname = \"B\"\n\n[[contact]]\nid = \"a\"\nname = \"Second\"\n";
        let (matrix, _) = load_files(
            Origin::Memory("test".into()),
            vec![("people.toml".into(), text.as_bytes().to_vec())],
        );
        assert_eq!(matrix.party("a").map(|p| p.name.as_str()), Some("First"));
        assert_eq!(matrix.party_position("b"), Some(1));
        assert_eq!(matrix.party("c").map(|p| p.name.as_str()), None);
        assert!(matrix.rule("a").is_none());
    }
}

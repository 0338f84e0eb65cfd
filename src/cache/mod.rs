//! A cache of loaded matrices, so that a command run against an unchanged
//! matrix folder skips parsing it.
//!
//! One entry per matrix path, under `$XDG_CACHE_HOME/escalate` (else
//! `~/.cache/escalate`), never inside the matrix folder. An entry holds the
//! loaded entities (with their positions), and is used only when
//!
//! - it was written by this very binary (version, size and modification
//!   time of the executable),
//! - the SHA-256 of the matrix files (names and bytes, as read now) is the
//!   one it was written for, and
//! - its own SHA-256 checks out and it decodes completely.
//!
//! Anything else (a stale, truncated, corrupt or foreign entry) is ignored
//! and overwritten after a normal load. Only loads without any finding are
//! stored, so a hit never hides a load diagnostic; validation still runs on
//! every load, so its warnings are printed as on a run without the cache.
//! A folder with anything the cache does not model (a symbolic link, a pipe,
//! a huge file) is always loaded normally, and so is a matrix of more than
//! [`MAX_CACHED_BYTES`] (4 MiB) of files, whose entry would cost more memory
//! than it saves time. Writes go to a temporary file that
//! is renamed into place, so readers see a whole entry or none; failing to
//! write is not an error. At most 32 entries are kept, the oldest dropped.

#[cfg(test)]
mod tests;

use crate::matrix::de::Spanned;
use crate::matrix::node::Span;
use crate::matrix::schema::{
    CalendarSpec, Decision, Dimension, Fallback, Manifest, Party, Rule, Script, Severity, Synonyms,
    Term, Tier,
};
use crate::matrix::{self, LoadError, Matrix, Origin, SourceFile};
use crate::validate::diagnostic::Finding;
use borsh::{BorshDeserialize, BorshSerialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Start of every entry; the last byte is the layout version.
const MAGIC: &[u8; 16] = b"escalate-cache\x00\x02";

/// Bytes of a SHA-256 digest.
const DIGEST: usize = 32;

/// Entries kept; after a write, the least recently written beyond this go.
const MAX_ENTRIES: usize = 32;

/// Matrices whose files add up to more than this are always loaded normally.
/// Ten thousand contacts and two thousand rules are about 3 MiB of TOML.
pub const MAX_CACHED_BYTES: u64 = 4 * 1024 * 1024;

/// Files larger than this are left to the loader (which refuses them).
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// How a load went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A valid entry was used; nothing was parsed.
    Hit,
    /// The matrix was loaded normally and an entry written for next time.
    Stored,
    /// The matrix was loaded normally and no entry written (findings,
    /// something the cache does not model, or the entry could not be written).
    Loaded,
}

/// Where cached matrices are kept.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// A cache in `dir` (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: dir.into() }
    }

    /// The user's cache: `$XDG_CACHE_HOME/escalate`, else
    /// `$HOME/.cache/escalate`; `None` when neither is set (as absolute paths).
    pub fn from_env() -> Option<Self> {
        let absolute = |name: &str| {
            std::env::var_os(name)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
        };
        absolute("XDG_CACHE_HOME")
            .or_else(|| absolute("HOME").map(|home| home.join(".cache")))
            .map(|base| Cache::new(base.join("escalate")))
    }

    /// The folder entries are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Loads the matrix at `path` like [`matrix::load_path`], from the cache
    /// when it holds a valid entry for the files as they are now.
    pub fn load_path(&self, path: &Path) -> Result<(Matrix, Vec<Finding>, Status), LoadError> {
        let Some(entry_path) = self.entry_path(path) else {
            let (matrix, findings) = matrix::load_path(path)?;
            return Ok((matrix, findings, Status::Loaded));
        };
        let Some(paths) = list_files(path) else {
            let (matrix, findings) = matrix::load_path(path)?;
            return Ok((matrix, findings, Status::Loaded));
        };
        // The entry is read, checked and decoded while the matrix files are
        // read and hashed; it is used only if it was written for their hash.
        let reading = {
            let entry_path = entry_path.clone();
            std::thread::spawn(move || read_entry(&entry_path))
        };
        let Some((files, key)) = read_files(paths).and_then(|files| {
            let key = key_of(&files)?;
            Some((files, key))
        }) else {
            let (matrix, findings) = matrix::load_path(path)?;
            return Ok((matrix, findings, Status::Loaded));
        };
        let cached = reading.join().ok().flatten();
        if let Some((stored_key, entry)) = cached
            && stored_key == key
            && let Some(matrix) = entry.into_matrix(Origin::Path(path.to_path_buf()), &files)
        {
            return Ok((matrix, Vec::new(), Status::Hit));
        }
        let (matrix, findings) = matrix::load_path(path)?;
        let stored = findings.is_empty()
            && same_files(&matrix, &files)
            && write_entry(&self.dir, &entry_path, &key, &matrix).is_ok();
        let status = if stored {
            Status::Stored
        } else {
            Status::Loaded
        };
        Ok((matrix, findings, status))
    }

    /// The entry of the matrix at `path` (as written and as resolved);
    /// `None` when the path cannot be resolved.
    fn entry_path(&self, path: &Path) -> Option<PathBuf> {
        let canonical = path.canonicalize().ok()?;
        let mut name = Sha256::new();
        name.update(canonical.as_os_str().as_encoded_bytes());
        name.update([0]);
        name.update(path.as_os_str().as_encoded_bytes());
        let name = name.finalize()[..16]
            .iter()
            .fold(String::new(), |mut hex, b| {
                let _ = write!(hex, "{b:02x}");
                hex
            });
        Some(self.dir.join(format!("matrix-{name}.bin")))
    }
}

/// The key of an entry: this binary and the matrix files' names and bytes.
fn key_of(files: &[(String, Vec<u8>)]) -> Option<[u8; DIGEST]> {
    let binary = binary_identity()?;
    let mut key = Sha256::new();
    key.update(MAGIC);
    key.update(env!("CARGO_PKG_VERSION").as_bytes());
    key.update([0]);
    key.update(&binary);
    for (name, bytes) in files {
        key.update((name.len() as u64).to_le_bytes());
        key.update(name.as_bytes());
        key.update((bytes.len() as u64).to_le_bytes());
        key.update(bytes);
    }
    Some(key.finalize().into())
}

/// What identifies the running executable: its size and modification time.
/// A rebuilt binary never reads an entry of the previous build.
fn binary_identity() -> Option<Vec<u8>> {
    let meta = std::env::current_exe().ok()?.metadata().ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let mut id = meta.len().to_le_bytes().to_vec();
    id.extend(modified.as_nanos().to_le_bytes());
    Some(id)
}

/// The files the loader would read, with their bytes, when the folder holds
/// nothing but plain files and folders; `None` otherwise.
/// The matrix files at `path` as the loader finds them, sorted; `None` when
/// the cache should stay out (links, special files, more than
/// [`MAX_CACHED_BYTES`] in all, errors).
fn list_files(path: &Path) -> Option<Vec<PathBuf>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let paths = if meta.is_dir() {
        let mut found = Vec::new();
        walk(path, true, &mut found)?;
        found.sort();
        found
    } else if meta.is_file() {
        vec![path.to_path_buf()]
    } else {
        return None;
    };
    if paths.is_empty() {
        return None;
    }
    // Too large a matrix is loaded normally before anything is read: its entry
    // and a second copy of its files would cost more memory than parsing saves
    // time.
    let mut total: u64 = 0;
    for file in &paths {
        total = total.saturating_add(std::fs::metadata(file).ok()?.len());
        if total > MAX_CACHED_BYTES {
            return None;
        }
    }
    Some(paths)
}

/// The names and bytes of `paths`; `None` when one cannot be read or is too
/// large for the loader.
fn read_files(paths: Vec<PathBuf>) -> Option<Vec<(String, Vec<u8>)>> {
    paths
        .into_iter()
        .map(|file| {
            let mut bytes = Vec::new();
            std::fs::File::open(&file)
                .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
                .ok()?;
            let small = u64::try_from(bytes.len()).is_ok_and(|n| n <= MAX_FILE_BYTES);
            small.then(|| (file.display().to_string(), bytes))
        })
        .collect()
}

/// Every `*.toml`, `*.yaml`, `*.yml` below `dir`, as the loader finds them
/// (hidden names and the top `tests/` folder skipped); `None` on any link,
/// special file or error.
fn walk(dir: &Path, top: bool, out: &mut Vec<PathBuf>) -> Option<()> {
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || (top && name == "tests") {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().ok()?;
        if kind.is_symlink() {
            return None;
        }
        if kind.is_dir() {
            walk(&path, false, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "yaml" | "yml")
        ) {
            if !kind.is_file() {
                return None;
            }
            out.push(path);
        }
    }
    Some(())
}

/// Whether the loader read exactly `files`: same names, in the same order,
/// and each text is the file's bytes as the loader reads them (UTF-8, no
/// byte-order mark, LF line endings). Guards against a file changing
/// between the two reads and against this module's walk drifting from the
/// loader's.
fn same_files(matrix: &Matrix, files: &[(String, Vec<u8>)]) -> bool {
    matrix.sources.len() == files.len()
        && matrix
            .sources
            .iter()
            .zip(files)
            .all(|(source, (name, bytes))| {
                source.path == *name && text_of(bytes).is_some_and(|t| source.loaded_as(&t))
            })
}

/// A file's text as the loader keeps it: UTF-8 without a byte-order mark,
/// with LF line endings. An entry is only written after checking that the
/// loader's texts are these, so a hit (same bytes) rebuilds them exactly.
fn text_of(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    Some(crate::matrix::loaded_text(text.to_string()))
}

/// What an entry holds after its header.
#[derive(BorshSerialize, BorshDeserialize)]
struct Entry {
    /// Display path of each source file, in load order (their texts are
    /// the files' bytes, which the key covers).
    sources: Vec<String>,
    manifest: Option<Manifest>,
    severities: Vec<Severity>,
    tiers: Vec<Tier>,
    parties: Vec<Party>,
    calendars: Vec<CalendarSpec>,
    dimensions: Vec<Dimension>,
    rules: Vec<Rule>,
    decisions: Vec<Decision>,
    scripts: Vec<Script>,
    terms: Vec<Term>,
    synonyms: Vec<Synonyms>,
    fallback: Option<Fallback>,
    broken: BTreeSet<String>,
}

impl Entry {
    fn from_matrix(m: &Matrix) -> Self {
        Entry {
            sources: m.sources.iter().map(|s| s.path.clone()).collect(),
            manifest: m.manifest.clone(),
            severities: m.severities.clone(),
            tiers: m.tiers.clone(),
            parties: m.parties.clone(),
            calendars: m.calendars.clone(),
            dimensions: m.dimensions.clone(),
            rules: m.rules.clone(),
            decisions: m.decisions.clone(),
            scripts: m.scripts.clone(),
            terms: m.terms.clone(),
            synonyms: m.synonyms.clone(),
            fallback: m.fallback.clone(),
            broken: m.broken.clone(),
        }
    }

    /// The matrix, with the texts of `files` (whose names match).
    fn into_matrix(self, origin: Origin, files: &[(String, Vec<u8>)]) -> Option<Matrix> {
        let mut m = Matrix::empty(origin);
        if self.sources.len() != files.len() {
            return None;
        }
        for (path, (name, bytes)) in self.sources.into_iter().zip(files) {
            if path != *name {
                return None;
            }
            m.sources.add(SourceFile::new(path, text_of(bytes)?));
        }
        m.manifest = self.manifest;
        m.severities = self.severities;
        m.tiers = self.tiers;
        m.parties = self.parties;
        m.calendars = self.calendars;
        m.dimensions = self.dimensions;
        m.rules = self.rules;
        m.decisions = self.decisions;
        m.scripts = self.scripts;
        m.terms = self.terms;
        m.synonyms = self.synonyms;
        m.fallback = self.fallback;
        m.broken = self.broken;
        m.reindex();
        Some(m)
    }
}

/// The key and contents of an intact entry; `None` for a missing or
/// damaged one. Whether it is stale is for the caller to tell by the key.
fn read_entry(entry: &Path) -> Option<([u8; DIGEST], Entry)> {
    let bytes = std::fs::read(entry).ok()?;
    let (magic, rest) = bytes.split_at_checked(MAGIC.len())?;
    let (stored_key, rest) = rest.split_at_checked(DIGEST)?;
    let (digest, payload) = rest.split_at_checked(DIGEST)?;
    if magic != MAGIC || digest != Sha256::digest(payload).as_slice() {
        return None;
    }
    let entry: Entry = borsh::from_slice(payload).ok()?;
    Some((stored_key.try_into().ok()?, entry))
}

/// Writes an entry atomically: a temporary file in the cache folder,
/// renamed over the old entry.
fn write_entry(
    dir: &Path,
    entry: &Path,
    key: &[u8; DIGEST],
    matrix: &Matrix,
) -> std::io::Result<()> {
    let payload = borsh::to_vec(&Entry::from_matrix(matrix))?;
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(MAGIC)?;
    file.write_all(key)?;
    file.write_all(&Sha256::digest(&payload))?;
    file.write_all(&payload)?;
    file.flush()?;
    file.persist(entry).map_err(|e| e.error)?;
    prune(dir, MAX_ENTRIES);
    Ok(())
}

/// Removes the oldest entries beyond `keep` (temporary folders come and go,
/// and each matrix path has an entry of its own).
fn prune(dir: &Path, keep: usize) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    let mut found: Vec<_> = listing
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("matrix-") && name.ends_with(".bin")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if found.len() <= keep {
        return;
    }
    found.sort();
    for (_, path) in &found[..found.len() - keep] {
        let _ = std::fs::remove_file(path);
    }
}

// Positions are stored as they are: a value, then its span.

impl BorshSerialize for Span {
    fn serialize<W: Write>(&self, writer: &mut W) -> std::io::Result<()> {
        self.start.serialize(writer)?;
        self.end.serialize(writer)
    }
}

impl BorshDeserialize for Span {
    fn deserialize_reader<R: Read>(reader: &mut R) -> std::io::Result<Self> {
        let start = usize::deserialize_reader(reader)?;
        let end = usize::deserialize_reader(reader)?;
        Ok(Span { start, end })
    }
}

impl<T: BorshSerialize> BorshSerialize for Spanned<T> {
    fn serialize<W: Write>(&self, writer: &mut W) -> std::io::Result<()> {
        self.value.serialize(writer)?;
        self.span.serialize(writer)
    }
}

impl<T: BorshDeserialize> BorshDeserialize for Spanned<T> {
    fn deserialize_reader<R: Read>(reader: &mut R) -> std::io::Result<Self> {
        let value = T::deserialize_reader(reader)?;
        let span = Span::deserialize_reader(reader)?;
        Ok(Spanned { value, span })
    }
}

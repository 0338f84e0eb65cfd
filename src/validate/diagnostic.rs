//! Findings about a user's matrix files: stable codes, positions, rendering.

use crate::matrix::Sources;
use crate::matrix::node::Span;
use crate::matrix::schema::FileId;
use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The matrix cannot be used as it is.
    Error,
    /// The matrix works but something needs attention.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $severity:ident, $description:literal;)*) => {
        /// A stable kebab-case code for each kind of finding.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The kebab-case name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// A one-line description.
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
            }

            /// The severity a finding with this code has.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }
        }
    };
}

codes! {
    Unreadable => "unreadable-file", Error, "A matrix file or folder cannot be read.";
    NoMatrixFiles => "no-matrix-files", Error, "The matrix folder holds no .toml, .yaml or .yml file.";
    LimitExceeded => "limit-exceeded", Error, "A file is too large or too deeply nested to be a matrix.";
    InvalidEncoding => "invalid-encoding", Error, "A file is not valid UTF-8 text.";
    OutsideMatrix => "outside-matrix", Error, "A symbolic link leads out of the matrix folder.";
    Syntax => "syntax-error", Error, "A file is not valid TOML or YAML.";
    DuplicateKey => "duplicate-key", Error, "A key is written twice in the same table.";
    UnknownKey => "unknown-key", Error, "A key the schema does not define (often a typo).";
    WrongType => "wrong-type", Error, "A value has the wrong type, or a required key is missing.";
    InvalidId => "invalid-id", Error, "An id is not kebab-case (lower-case letters, digits and hyphens).";
    DuplicateId => "duplicate-id", Error, "The same id is defined twice, in one file or across files.";
    UnknownReference => "unknown-reference", Error, "A reference names a tier, team, contact, calendar, severity, script, dimension or level that does not exist.";
    MissingManifest => "missing-manifest", Error, "No file holds the [manifest] table.";
    MissingSection => "missing-section", Error, "The matrix defines no severities or no tiers.";
    MissingFallback => "missing-fallback", Error, "No fallback route for descriptions no rule matches.";
    DuplicateSingleton => "duplicate-singleton", Error, "The manifest or the fallback is defined twice.";
    InvalidVersion => "invalid-version", Error, "The manifest version is not a semantic version (1.4.0).";
    InvalidDate => "invalid-date", Error, "A date is not a real YYYY-MM-DD date (or date-time).";
    InvalidTimeZone => "invalid-time-zone", Error, "A time zone is not an IANA zone name (Europe/Berlin).";
    InvalidDuration => "invalid-duration", Error, "A duration is malformed, ambiguous or uses a unit not allowed on its clock.";
    ZeroDuration => "zero-duration", Error, "A target or delay is zero; targets must be positive.";
    TargetOrder => "target-order", Error, "A target breaks acknowledge <= assess <= resolve.";
    TargetInversion => "target-inversion", Error, "A more severe level has a looser target than a less severe one.";
    SeverityRank => "severity-rank", Error, "Severity ranks are not 1, 2, 3... without gaps or repeats.";
    EscalationTooLate => "escalation-too-late", Error, "An escalation step waiting for acknowledgement fires after the acknowledge target.";
    EscalationCycle => "escalation-cycle", Error, "Tiers escalate to each other in a cycle.";
    MissingBackup => "missing-backup", Error, "A tier has no backup.";
    InvalidWindow => "invalid-window", Error, "A calendar window is malformed, inverted without `overnight`, or overlaps another.";
    NoWorkingTime => "no-working-time", Error, "A calendar has no working time in the week.";
    InvalidRegex => "invalid-regex", Error, "A regular expression does not compile (or is too large).";
    InvalidComparison => "invalid-comparison", Error, "A dimension comparison is not `<op> <level>` with op one of = != < <= > >=.";
    EmptyPhrase => "empty-phrase", Error, "A phrase has no words left after normalisation.";
    RuleWithoutCondition => "rule-without-condition", Error, "A rule has no condition and would match everything.";
    UnknownPlaceholder => "unknown-placeholder", Error, "A script uses a {placeholder} that route cannot fill.";
    UnknownChannel => "unknown-channel", Error, "A `private` entry names a channel that does not exist.";
    ContactWithoutChannel => "contact-without-channel", Error, "A team or contact has no channel to reach them.";
    ShadowedRule => "shadowed-rule", Warning, "A rule can never win: a higher-precedence rule matches whenever it does.";
    ReviewOverdue => "review-overdue", Warning, "The matrix was last reviewed longer ago than its review cadence.";
    ContactStale => "contact-stale", Warning, "A contact was not verified within the review cadence (or never).";
    UnusedEntity => "unused-entity", Warning, "A calendar, script or party nothing refers to.";
    TestFileInvalid => "test-file-invalid", Warning, "A routing test file does not parse or names unknown ids.";
    UntestedRule => "untested-rule", Warning, "No routing test case exercises a rule.";
}

impl Code {
    /// Whether a finding with this code means that a file, or all of its
    /// content, was not read (it does not parse, is not text, is too large
    /// or cannot be opened).
    pub fn leaves_file_unread(self) -> bool {
        matches!(
            self,
            Code::Unreadable
                | Code::LimitExceeded
                | Code::InvalidEncoding
                | Code::OutsideMatrix
                | Code::Syntax
        )
    }

    /// Whether a finding with this code may only be a consequence of a file
    /// that was not read: an id defined there looks unknown or unused, a
    /// section or the manifest written there looks missing, a severity
    /// there leaves a gap in the ranks. Such findings are withheld while any
    /// file is unread, so that the cause is what the user sees.
    pub fn may_follow_from_unread_file(self) -> bool {
        matches!(
            self,
            Code::UnknownReference
                | Code::MissingManifest
                | Code::MissingSection
                | Code::MissingFallback
                | Code::UnusedEntity
                | Code::SeverityRank
        )
    }
}

/// Another place involved in a finding (the first definition of a duplicate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The file.
    pub file: FileId,
    /// The place.
    pub span: Span,
    /// What it is.
    pub label: String,
}

/// One problem found in a matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// Error or warning (from the code).
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// The file, when the finding has a place.
    pub file: Option<FileId>,
    /// The place in the file.
    pub span: Span,
    /// A label under the place.
    pub label: String,
    /// Other places involved.
    pub related: Vec<Related>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Finding {
    /// A finding at a place.
    pub fn at(code: Code, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.severity(),
            message: message.into(),
            file: Some(file),
            span,
            label: String::new(),
            related: Vec::new(),
            help: None,
        }
    }

    /// A finding about the matrix as a whole.
    pub fn global(code: Code, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.severity(),
            message: message.into(),
            file: None,
            span: Span::default(),
            label: String::new(),
            related: Vec::new(),
            help: None,
        }
    }

    /// Adds a label under the primary place.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Adds a hint.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds another place.
    #[must_use]
    pub fn related(mut self, file: FileId, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related {
            file,
            span,
            label: label.into(),
        });
        self
    }

    /// Sort key: file path, position, code, message. Deterministic across runs.
    pub fn sort_key<'a>(&'a self, sources: &'a Sources) -> (String, usize, &'static str, &'a str) {
        let path = self
            .file
            .and_then(|f| sources.get(f))
            .map(|s| s.path.clone())
            .unwrap_or_default();
        (path, self.span.start, self.code.name(), &self.message)
    }
}

/// A file's text and line starts, both shared, as miette reads them.
///
/// miette finds the lines around a place by scanning the text from its
/// first byte, so rendering N findings in a large file cost N times the
/// file (quadratic: minutes for thousands of duplicate keys). This hands
/// miette only the few lines around the place, found by binary search, and
/// moves the answer back to the file's own lines and offsets.
#[derive(Debug, Clone)]
pub struct Indexed {
    text: std::sync::Arc<str>,
    line_starts: std::sync::Arc<[usize]>,
}

impl Indexed {
    /// The text and line starts of a source file.
    pub fn new(file: &crate::matrix::SourceFile) -> Self {
        Indexed {
            text: file.shared_text(),
            line_starts: file.line_starts().clone(),
        }
    }

    /// The text and line starts of a source file, without making the file
    /// keep them (see [`crate::matrix::SourceFile::text_and_lines`]).
    pub fn detached(file: &crate::matrix::SourceFile) -> Self {
        let (text, line_starts) = file.text_and_lines();
        Indexed { text, line_starts }
    }

    /// The index of the line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }
}

impl miette::SourceCode for Indexed {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let bytes = self.text.as_bytes();
        let (start, end) = (span.offset(), span.offset().saturating_add(span.len()));
        if end > bytes.len() {
            return bytes.read_span(span, context_lines_before, context_lines_after);
        }
        // Two lines of slack either side; miette's own scan of the window
        // then finds exactly what it would find in the whole text.
        let first = self
            .line_of(start)
            .saturating_sub(context_lines_before.saturating_add(2));
        let last = self
            .line_of(end)
            .saturating_add(context_lines_after)
            .saturating_add(2);
        let from = self.line_starts.get(first).copied().unwrap_or(0);
        let to = self
            .line_starts
            .get(last.saturating_add(1))
            .copied()
            .unwrap_or(bytes.len());
        let Some(window) = bytes.get(from..to) else {
            return bytes.read_span(span, context_lines_before, context_lines_after);
        };
        let inner = window.read_span(
            &miette::SourceSpan::new((start - from).into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(miette::MietteSpanContents::new(
            inner.data(),
            miette::SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

/// A finding ready for miette, with its source text attached.
#[derive(Debug)]
pub struct Report {
    finding: Finding,
    /// The file's text, shared (not copied) between the findings of a file.
    source: Option<miette::NamedSource<Indexed>>,
    related: Vec<Report>,
    /// A place in another file that belongs to the finding (rendered as a
    /// note, not as a finding of its own).
    note: bool,
}

/// The texts of the last few files findings were rendered for.
///
/// Rendering the findings of a large matrix file by file with this holds a
/// few files' text at a time instead of every file's: files read from disk
/// do not keep their text after loading (see [`crate::matrix::SourceFile`]),
/// and reading one again for each of its findings would be slow.
#[derive(Debug)]
pub struct SourceCache<'a> {
    sources: &'a Sources,
    recent: Vec<(FileId, Indexed)>,
}

/// Files whose text a [`SourceCache`] holds: a finding's own and one related.
const CACHED_FILES: usize = 2;

impl<'a> SourceCache<'a> {
    /// An empty cache over `sources`.
    pub fn new(sources: &'a Sources) -> Self {
        SourceCache {
            sources,
            recent: Vec::new(),
        }
    }

    /// The text and line starts of the file with an id.
    fn indexed(&mut self, file: FileId) -> Option<Indexed> {
        let source = self.sources.get(file)?;
        if let Some((_, indexed)) = self.recent.iter().find(|(f, _)| *f == file) {
            return Some(indexed.clone());
        }
        let indexed = Indexed::detached(source);
        if self.recent.len() >= CACHED_FILES {
            self.recent.remove(0);
        }
        self.recent.push((file, indexed.clone()));
        Some(indexed)
    }

    /// The file with an id, named and with its text, for miette.
    fn named(&mut self, file: FileId) -> Option<miette::NamedSource<Indexed>> {
        let indexed = self.indexed(file)?;
        let source = self.sources.get(file)?;
        Some(
            miette::NamedSource::new(source.path.clone(), indexed).with_language(source.language()),
        )
    }

    /// Display path and 1-based line and column of a byte offset in a file.
    pub fn position(&mut self, file: FileId, offset: usize) -> Option<(&'a str, (usize, usize))> {
        let indexed = self.indexed(file)?;
        let source = self.sources.get(file)?;
        let place = crate::matrix::line_col_in(&indexed.text, &indexed.line_starts, offset);
        Some((source.path.as_str(), place))
    }
}

impl Report {
    /// Attaches the sources a finding points into.
    pub fn new(finding: &Finding, sources: &Sources) -> Self {
        Self::cached(finding, &mut SourceCache::new(sources))
    }

    /// Attaches the sources a finding points into, through a cache that
    /// rendering many findings in a row shares.
    pub fn cached(finding: &Finding, cache: &mut SourceCache<'_>) -> Self {
        let source = finding.file.and_then(|f| cache.named(f));
        let related = finding
            .related
            .iter()
            .filter(|r| Some(r.file) != finding.file)
            .map(|r| Report {
                finding: Finding {
                    file: Some(r.file),
                    span: r.span,
                    label: r.label.clone(),
                    message: r.label.clone(),
                    related: Vec::new(),
                    help: None,
                    ..finding.clone()
                },
                source: cache.named(r.file),
                related: Vec::new(),
                note: true,
            })
            .collect();
        Report {
            finding: finding.clone(),
            source,
            related,
            note: false,
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.finding.code.name()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        if self.note {
            return Some(miette::Severity::Advice);
        }
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let primary = miette::LabeledSpan::new_primary_with_span(
            Some(self.finding.label.clone()).filter(|l| !l.is_empty()),
            self.finding.span,
        );
        let same_file = self
            .finding
            .related
            .iter()
            .filter(|r| Some(r.file) == self.finding.file)
            .map(|r| miette::LabeledSpan::new_with_span(Some(r.label.clone()), r.span));
        Some(Box::new(std::iter::once(primary).chain(same_file)))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::Indexed;
    use crate::matrix::SourceFile;
    use miette::{SourceCode, SourceSpan};

    /// The windowed reading gives exactly what miette's reading of the whole
    /// text gives, for every place and amount of context.
    #[test]
    fn windowed_reading_matches_whole_text_reading() {
        let text =
            "[manifest]\nname = \"x\"\n\n\nversion = \"1.0\"\n# été\n[[tier]]\nid = \"a\"\nlast";
        let indexed = Indexed::new(&SourceFile::new("m.toml", text));
        for offset in 0..=text.len() {
            for len in 0..4 {
                if offset + len > text.len() {
                    continue;
                }
                for context in 0..4 {
                    let span = SourceSpan::new(offset.into(), len);
                    let whole = text.as_bytes().read_span(&span, context, context).unwrap();
                    let windowed = indexed.read_span(&span, context, context).unwrap();
                    let what = format!("offset {offset}, len {len}, context {context}");
                    assert_eq!(windowed.data(), whole.data(), "{what}");
                    assert_eq!(windowed.span(), whole.span(), "{what}");
                    assert_eq!(windowed.line(), whole.line(), "{what}");
                    assert_eq!(windowed.column(), whole.column(), "{what}");
                    assert_eq!(windowed.line_count(), whole.line_count(), "{what}");
                }
            }
        }
    }
}

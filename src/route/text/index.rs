//! The phrase automaton: every phrase of a matrix, with its variants, searched in one
//! pass over a normalised description.

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::TextError;
use super::lexer::Normalized;
use super::stem::with_stemmer;
use super::variants::{Synonyms, expand};

/// One phrase found in a description.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhraseHit {
    /// The caller's payload id given with the phrase.
    pub payload: u32,
    /// Token indices of the match in the [`Normalized`] description.
    pub tokens: Range<usize>,
    /// Byte range of the match in the original description text.
    pub bytes: Range<usize>,
    /// Index of the phrase in build order, so the caller can say which phrase matched.
    /// When several phrases with the same payload match the same tokens, this is the
    /// earliest of them.
    pub phrase: usize,
}

/// A phrase that owns an automaton pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Owner {
    payload: u32,
    phrase: usize,
}

/// What is known about one automaton pattern.
#[derive(Debug, Clone)]
struct Pattern {
    /// Number of tokens the pattern spans.
    tokens: usize,
    /// Range of this pattern's entries in [`PhraseIndex::owners`].
    owners: Range<usize>,
}

/// Builds once from all phrases of a matrix; matches all of them in one pass over the
/// text (Aho-Corasick), so cost does not grow with the number of rules.
#[derive(Debug, Clone)]
pub struct PhraseIndex {
    automaton: AhoCorasick,
    /// Indexed by automaton pattern id.
    patterns: Vec<Pattern>,
    /// Owners of all patterns, stored contiguously so a match needs no pointer chasing
    /// beyond one slice.
    owners: Vec<Owner>,
    phrase_count: usize,
}

impl PhraseIndex {
    /// Builds the index.
    ///
    /// `phrases`: (phrase text as the matrix author wrote it, caller's payload id).
    /// Many phrases may share an id and one phrase text may appear with several ids.
    /// `synonyms`: groups of interchangeable words or phrases; see the module
    /// documentation for how they and written-together forms expand.
    pub fn build<'a>(
        phrases: impl IntoIterator<Item = (&'a str, u32)>,
        synonyms: &[Vec<String>],
    ) -> Result<PhraseIndex, TextError> {
        let mut phrases = phrases.into_iter();
        with_stemmer(|stemmer| {
            let synonyms = Synonyms::new(synonyms, stemmer)?;
            let mut builder = Builder::default();
            // Identical phrase texts with different payloads are common in matrices;
            // expanding each text once keeps large builds fast.
            let mut expanded: HashMap<&str, Vec<usize>> = HashMap::new();
            for (index, (phrase, payload)) in phrases.by_ref().enumerate() {
                builder.phrase_count = index + 1;
                let owner = Owner {
                    payload,
                    phrase: index,
                };
                if let Some(ids) = expanded.get(phrase) {
                    for &id in ids {
                        builder.add_owner(id, owner);
                    }
                    continue;
                }
                let variants = expand(phrase, index, &synonyms, stemmer)?;
                let ids: Vec<usize> = variants
                    .into_iter()
                    .map(|stems| builder.pattern_id(&stems))
                    .collect();
                for &id in &ids {
                    builder.add_owner(id, owner);
                }
                expanded.insert(phrase, ids);
            }
            builder.finish()
        })
    }

    /// Every phrase found in `text`: payload, token range, original byte range and
    /// phrase index. Overlapping matches are all included; each (payload, token range)
    /// is reported once; results are ordered by token start, then token end, then
    /// payload.
    pub fn find(&self, text: &Normalized) -> Vec<PhraseHit> {
        let mut hits = Vec::new();
        for found in self.automaton.find_overlapping_iter(text.padded()) {
            let Some(pattern) = self.patterns.get(found.pattern().as_usize()) else {
                continue;
            };
            // The match starts on the separator before its first token.
            let Some(first) = text.token_at_padded(found.start() + 1) else {
                continue;
            };
            let tokens = first..first + pattern.tokens;
            let Some(bytes) = text.byte_span(tokens.clone()) else {
                continue;
            };
            let owners = self.owners.get(pattern.owners.clone()).unwrap_or_default();
            hits.extend(owners.iter().map(|owner| PhraseHit {
                payload: owner.payload,
                tokens: tokens.clone(),
                bytes: bytes.clone(),
                phrase: owner.phrase,
            }));
        }
        hits.sort_unstable_by_key(|h| (h.tokens.start, h.tokens.end, h.payload, h.phrase));
        // Distinct patterns never cover the same tokens, and owners are unique per
        // payload within a pattern, so this only guards the documented contract.
        hits.dedup_by_key(|h| (h.tokens.start, h.tokens.end, h.payload));
        hits
    }

    /// Number of phrases the index was built from, duplicates included.
    pub fn phrase_count(&self) -> usize {
        self.phrase_count
    }

    /// Number of distinct token sequences searched for after synonym and
    /// written-together expansion; a measure of how much the expansion multiplied.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Which automaton implementation was chosen (diagnostics).
    pub fn automaton_kind(&self) -> String {
        format!("{:?}", self.automaton.kind())
    }

    /// Heap memory used by the automaton, in bytes.
    pub fn memory_usage(&self) -> usize {
        self.automaton.memory_usage()
    }
}

/// Accumulates patterns and their owners while phrases are expanded.
#[derive(Default)]
struct Builder {
    ids: HashMap<String, usize>,
    texts: Vec<String>,
    token_counts: Vec<usize>,
    owners: Vec<Vec<Owner>>,
    phrase_count: usize,
}

impl Builder {
    fn pattern_id(&mut self, stems: &[String]) -> usize {
        let mut text = String::with_capacity(stems.iter().map(|s| s.len() + 1).sum::<usize>() + 1);
        text.push(' ');
        for stem in stems {
            text.push_str(stem);
            text.push(' ');
        }
        if let Some(&id) = self.ids.get(&text) {
            return id;
        }
        let id = self.texts.len();
        self.ids.insert(text.clone(), id);
        self.texts.push(text);
        self.token_counts.push(stems.len());
        self.owners.push(Vec::new());
        id
    }

    fn add_owner(&mut self, id: usize, owner: Owner) {
        if let Some(owners) = self.owners.get_mut(id) {
            owners.push(owner);
        }
    }

    fn finish(self) -> Result<PhraseIndex, TextError> {
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .dense_depth(std::env::var("DD").ok().and_then(|v| v.parse().ok()).unwrap_or(3))
            .build(&self.texts)
            .map_err(|e| TextError::Automaton(e.to_string()))?;
        let mut owners = Vec::new();
        let mut patterns = Vec::with_capacity(self.texts.len());
        for (mut list, tokens) in self.owners.into_iter().zip(self.token_counts) {
            // Keep one owner per payload, the earliest phrase, as `find` promises.
            list.sort_unstable();
            list.dedup_by_key(|owner| owner.payload);
            let start = owners.len();
            owners.extend(list);
            patterns.push(Pattern {
                tokens,
                owners: start..owners.len(),
            });
        }
        Ok(PhraseIndex {
            automaton,
            patterns,
            owners,
            phrase_count: self.phrase_count,
        })
    }
}

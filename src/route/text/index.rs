//! The phrase automaton: every phrase of a matrix, with its variants, searched in one
//! pass over a normalised description.
//!
//! The automaton works on tokens, not bytes. Every stem that occurs in a pattern gets a
//! small integer id, written as one character (see [`token_char`]); a pattern is the
//! string of its stems' characters, and a description becomes the string of its
//! tokens' characters (a stem no pattern contains becomes a character no pattern
//! contains, which breaks every partial match). This is exactly the match relation of
//! searching ` p1 p2 ` in ` t1 t2 t3 ` (stems never contain spaces), but the trie has
//! one state per distinct token prefix instead of one per byte. The automaton itself is
//! daachorse's character-wise double-array Aho-Corasick, about 12 bytes a state, which
//! keeps a matrix of 10,000 rules (about 320,000 variants) at a few megabytes where a
//! byte-level automaton needed well over a hundred while it was being built.

use std::collections::HashMap;
use std::ops::Range;

use daachorse::CharwiseDoubleArrayAhoCorasick;

use super::TextError;
use super::lexer::Normalized;
use super::stem::{FxBuildHasher, WordStemmer};
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
    phrase: u32,
}

/// Builds once from all phrases of a matrix; matches all of them in one pass over the
/// text (Aho-Corasick over token ids), so cost does not grow with the number of rules.
#[derive(Clone)]
pub struct PhraseIndex {
    /// Token id of every stem that occurs in some pattern.
    vocabulary: HashMap<Box<str>, u32, FxBuildHasher>,
    /// The automaton over token characters; a match's value is its pattern's index.
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    /// Per pattern, plus a sentinel: where its owners start in `owners`.
    owners_start: Vec<u32>,
    /// Owners of all patterns, grouped by pattern.
    owners: Vec<Owner>,
    phrase_count: usize,
    pattern_count: usize,
}

/// The character standing for token id `id`: ids are counted from U+0001 upwards,
/// skipping the surrogate range, so about 1.1 million distinct stems fit.
fn token_char(id: u32) -> Option<char> {
    let code = id.checked_add(1)?;
    let code = if code >= 0xD800 {
        code.checked_add(0x800)?
    } else {
        code
    };
    char::from_u32(code)
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
        let mut builder = Builder::default();
        {
            // A private stemmer: phrase vocabulary would otherwise crowd the per-thread
            // cache that descriptions rely on. It, the synonym table and the table of
            // expanded texts are dropped before the automaton is built, which is when
            // memory peaks.
            let stemmer = &mut WordStemmer::new();
            let synonyms = Synonyms::new(synonyms, stemmer)?;
            // Identical phrase texts with different payloads are common in matrices;
            // expanding each text once keeps large builds fast.
            let mut expanded: HashMap<&str, u32, FxBuildHasher> = HashMap::default();
            for (index, (phrase, payload)) in phrases.into_iter().enumerate() {
                builder.phrase_count = index + 1;
                let owner = Owner {
                    payload,
                    phrase: u32::try_from(index).map_err(|_| too_large())?,
                };
                if let Some(&group) = expanded.get(phrase) {
                    builder.owners.push((group, owner));
                    continue;
                }
                let group = u32::try_from(expanded.len()).map_err(|_| too_large())?;
                for stems in expand(phrase, index, &synonyms, stemmer)? {
                    builder.add_variant(&stems, group)?;
                }
                builder.owners.push((group, owner));
                expanded.insert(phrase, group);
            }
        }
        builder.finish()
    }

    /// Every phrase found in `text`: payload, token range, original byte range and
    /// phrase index. Overlapping matches are all included; each (payload, token range)
    /// is reported once; results are ordered by token start, then token end, then
    /// payload.
    pub fn find(&self, text: &Normalized) -> Vec<PhraseHit> {
        let mut hits = Vec::new();
        let Some(automaton) = &self.automaton else {
            return hits;
        };
        // The description as token characters, and where each token's character starts.
        let unknown = u32::try_from(self.vocabulary.len())
            .ok()
            .and_then(token_char)
            .unwrap_or(char::MAX);
        let tokens = text.as_slice();
        let mut haystack = String::with_capacity(tokens.len() * 3);
        let mut starts = Vec::with_capacity(tokens.len() + 1);
        for token in tokens {
            starts.push(haystack.len());
            let id = self.vocabulary.get(token.stem.as_str()).copied();
            haystack.push(id.and_then(token_char).unwrap_or(unknown));
        }
        starts.push(haystack.len());
        for found in automaton.find_overlapping_iter(&haystack) {
            let (Ok(first), Ok(end)) = (
                starts.binary_search(&found.start()),
                starts.binary_search(&found.end()),
            ) else {
                continue;
            };
            let tokens = first..end;
            let Some(bytes) = text.byte_span(tokens.clone()) else {
                continue;
            };
            hits.extend(self.owners_of(found.value()).iter().map(|owner| PhraseHit {
                payload: owner.payload,
                tokens: tokens.clone(),
                bytes: bytes.clone(),
                phrase: owner.phrase as usize,
            }));
        }
        hits.sort_unstable_by_key(|h| (h.tokens.start, h.tokens.end, h.payload, h.phrase));
        // Distinct patterns never cover the same tokens, and owners are unique per
        // payload within a pattern, so this only guards the documented contract.
        hits.dedup_by_key(|h| (h.tokens.start, h.tokens.end, h.payload));
        hits
    }

    fn owners_of(&self, pattern: u32) -> &[Owner] {
        let pattern = pattern as usize;
        let start = self.owners_start.get(pattern).copied().unwrap_or(0) as usize;
        let end = self.owners_start.get(pattern + 1).copied().unwrap_or(0) as usize;
        self.owners.get(start..end).unwrap_or_default()
    }

    /// Number of phrases the index was built from, duplicates included.
    pub fn phrase_count(&self) -> usize {
        self.phrase_count
    }

    /// Number of distinct token sequences searched for after synonym and
    /// written-together expansion; a measure of how much the expansion multiplied.
    pub fn pattern_count(&self) -> usize {
        self.pattern_count
    }

    /// Heap memory used by the automaton and its tables, in bytes (approximate for
    /// the vocabulary's hash table).
    pub fn memory_usage(&self) -> usize {
        let words: usize = self.vocabulary.keys().map(|k| k.len()).sum();
        self.vocabulary.capacity() * (std::mem::size_of::<(Box<str>, u32)>() + 1)
            + words
            + self
                .automaton
                .as_ref()
                .map_or(0, CharwiseDoubleArrayAhoCorasick::heap_bytes)
            + self.owners_start.capacity() * std::mem::size_of::<u32>()
            + self.owners.capacity() * std::mem::size_of::<Owner>()
    }
}

impl std::fmt::Debug for PhraseIndex {
    /// Summarises instead of dumping the automaton, which can have millions of states.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhraseIndex")
            .field("phrases", &self.phrase_count)
            .field("patterns", &self.pattern_count)
            .field("memory_usage", &self.memory_usage())
            .finish_non_exhaustive()
    }
}

fn too_large() -> TextError {
    TextError::Automaton("more than 2^32 phrases, tokens or states".to_owned())
}

/// Accumulates variants and their owners while phrases are expanded. Everything is
/// kept flat (token ids in one arena) because a large matrix has hundreds of
/// thousands of variants.
#[derive(Default)]
struct Builder {
    vocabulary: HashMap<Box<str>, u32, FxBuildHasher>,
    /// Token ids of all variants, back to back.
    arena: Vec<u32>,
    /// One per variant: (start in `arena`, length, group of identical phrase texts).
    variants: Vec<(u32, u32, u32)>,
    /// (group, owner) for every phrase.
    owners: Vec<(u32, Owner)>,
    phrase_count: usize,
}

impl Builder {
    fn add_variant(&mut self, stems: &[String], group: u32) -> Result<(), TextError> {
        let start = u32::try_from(self.arena.len()).map_err(|_| too_large())?;
        for stem in stems {
            let id = if let Some(&id) = self.vocabulary.get(stem.as_str()) {
                id
            } else {
                let id = u32::try_from(self.vocabulary.len()).map_err(|_| too_large())?;
                self.vocabulary.insert(stem.as_str().into(), id);
                id
            };
            self.arena.push(id);
        }
        let len = u32::try_from(stems.len()).map_err(|_| too_large())?;
        self.variants.push((start, len, group));
        Ok(())
    }

    fn finish(self) -> Result<PhraseIndex, TextError> {
        let Builder {
            mut vocabulary,
            arena,
            mut variants,
            mut owners,
            phrase_count,
        } = self;
        let tokens_of = |&(start, len, _): &(u32, u32, u32)| -> &[u32] {
            arena
                .get(start as usize..start as usize + len as usize)
                .unwrap_or_default()
        };
        variants.sort_unstable_by(|a, b| tokens_of(a).cmp(tokens_of(b)).then(a.2.cmp(&b.2)));

        // Owners of each group, contiguous.
        owners.sort_unstable();
        let group_count = owners.last().map_or(0, |&(g, _)| g as usize + 1);
        let mut group_start = vec![0_u32; group_count + 1];
        for &(group, _) in &owners {
            if let Some(count) = group_start.get_mut(group as usize + 1) {
                *count += 1;
            }
        }
        for i in 1..group_start.len() {
            let previous = group_start.get(i - 1).copied().unwrap_or(0);
            if let Some(slot) = group_start.get_mut(i) {
                *slot += previous;
            }
        }

        // One pattern per distinct token sequence, with the owners of every group it
        // came from, one per payload (the earliest phrase, as `find` promises).
        let mut patterns: Vec<(String, u32)> = Vec::new();
        let mut by_pattern: Vec<(u32, Owner)> = Vec::new();
        let mut previous: Option<&[u32]> = None;
        for variant in &variants {
            let tokens = tokens_of(variant);
            // A phrase without words is never found (validation reports it).
            if tokens.is_empty() {
                continue;
            }
            if previous != Some(tokens) {
                let text: Option<String> = tokens.iter().map(|&id| token_char(id)).collect();
                let index = u32::try_from(patterns.len()).map_err(|_| too_large())?;
                patterns.push((text.ok_or_else(too_large)?, index));
                previous = Some(tokens);
            }
            let pattern = u32::try_from(patterns.len() - 1).map_err(|_| too_large())?;
            let group = variant.2 as usize;
            let range = group_start.get(group).copied().unwrap_or(0) as usize
                ..group_start.get(group + 1).copied().unwrap_or(0) as usize;
            by_pattern.extend(
                owners
                    .get(range)
                    .unwrap_or_default()
                    .iter()
                    .map(|&(_, owner)| (pattern, owner)),
            );
        }
        drop((owners, group_start, variants, arena));
        by_pattern.sort_unstable();
        by_pattern.dedup_by_key(|(pattern, owner)| (*pattern, owner.payload));
        let mut owners_start = Vec::with_capacity(patterns.len() + 1);
        let mut owners_out = Vec::with_capacity(by_pattern.len());
        let mut next_owner = by_pattern.iter().peekable();
        for pattern in 0..patterns.len() {
            owners_start.push(u32::try_from(owners_out.len()).map_err(|_| too_large())?);
            while let Some(&(_, owner)) = next_owner.next_if(|(p, _)| *p as usize == pattern) {
                owners_out.push(owner);
            }
        }
        owners_start.push(u32::try_from(owners_out.len()).map_err(|_| too_large())?);
        drop(by_pattern);
        let pattern_count = patterns.len();
        // An id past the vocabulary stands for unknown words; it must be a character.
        u32::try_from(vocabulary.len())
            .ok()
            .and_then(token_char)
            .ok_or_else(too_large)?;
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(
                CharwiseDoubleArrayAhoCorasick::with_values(patterns)
                    .map_err(|e| TextError::Automaton(e.to_string()))?,
            )
        };
        vocabulary.shrink_to_fit();
        Ok(PhraseIndex {
            vocabulary,
            automaton,
            owners_start,
            owners: owners_out,
            phrase_count,
            pattern_count,
        })
    }
}

//! The phrase automaton: every phrase of a matrix, with its variants, searched in one
//! pass over a normalised description.

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::{contiguous, noncontiguous};
use aho_corasick::{Anchored, MatchKind};

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

/// The compiled automaton. Holding the concrete NFA type instead of the
/// `AhoCorasick` wrapper lets the scan loop be monomorphised (no dynamic call per
/// byte) and count tokens as it goes.
#[derive(Clone)]
enum Searcher {
    /// Compact and fastest to search; the normal case.
    Contiguous(contiguous::NFA),
    /// Fallback when the pattern set is too large for the contiguous layout.
    Noncontiguous(noncontiguous::NFA),
}

/// Builds once from all phrases of a matrix; matches all of them in one pass over the
/// text (Aho-Corasick), so cost does not grow with the number of rules.
#[derive(Clone)]
pub struct PhraseIndex {
    automaton: Searcher,
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
        // A private stemmer: phrase vocabulary would otherwise crowd the per-thread
        // cache that descriptions rely on.
        let stemmer = &mut WordStemmer::new();
        let synonyms = Synonyms::new(synonyms, stemmer)?;
        let mut builder = Builder::default();
        // Identical phrase texts with different payloads are common in matrices;
        // expanding each text once keeps large builds fast.
        let mut expanded: HashMap<&str, Vec<usize>, FxBuildHasher> = HashMap::default();
        for (index, (phrase, payload)) in phrases.into_iter().enumerate() {
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
    }

    /// Every phrase found in `text`: payload, token range, original byte range and
    /// phrase index. Overlapping matches are all included; each (payload, token range)
    /// is reported once; results are ordered by token start, then token end, then
    /// payload.
    pub fn find(&self, text: &Normalized) -> Vec<PhraseHit> {
        let mut hits = match &self.automaton {
            Searcher::Contiguous(nfa) => self.scan(nfa, text),
            Searcher::Noncontiguous(nfa) => self.scan(nfa, text),
        };
        hits.sort_unstable_by_key(|h| (h.tokens.start, h.tokens.end, h.payload, h.phrase));
        // Distinct patterns never cover the same tokens, and owners are unique per
        // payload within a pattern, so this only guards the documented contract.
        hits.dedup_by_key(|h| (h.tokens.start, h.tokens.end, h.payload));
        hits
    }

    /// One pass of `automaton` over the padded text, reporting every pattern end.
    fn scan<A: Automaton>(&self, automaton: &A, text: &Normalized) -> Vec<PhraseHit> {
        let mut hits = Vec::new();
        let Ok(mut state) = automaton.start_state(Anchored::No) else {
            return hits;
        };
        // Every byte of the padded text after the first that is a space closes one
        // token, so this counter turns a match end into a token index without a search.
        let mut closed = 0_usize;
        for (at, &byte) in text.padded().as_bytes().iter().enumerate() {
            state = automaton.next_state(Anchored::No, state, byte);
            if byte != b' ' || at == 0 {
                continue;
            }
            closed += 1;
            if !automaton.is_match(state) {
                continue;
            }
            for index in 0..automaton.match_len(state) {
                let id = automaton.match_pattern(state, index).as_usize();
                let Some(pattern) = self.patterns.get(id) else {
                    continue;
                };
                let tokens = closed.saturating_sub(pattern.tokens)..closed;
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
        }
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

    /// Heap memory used by the automaton, in bytes.
    pub fn memory_usage(&self) -> usize {
        match &self.automaton {
            Searcher::Contiguous(nfa) => nfa.memory_usage(),
            Searcher::Noncontiguous(nfa) => nfa.memory_usage(),
        }
    }
}

impl std::fmt::Debug for PhraseIndex {
    /// Summarises instead of dumping the automaton, which can have millions of states.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhraseIndex")
            .field("phrases", &self.phrase_count)
            .field("patterns", &self.patterns.len())
            .field("memory_usage", &self.memory_usage())
            .finish_non_exhaustive()
    }
}

/// Accumulates patterns and their owners while phrases are expanded.
#[derive(Default)]
struct Builder {
    ids: HashMap<String, usize, FxBuildHasher>,
    entries: Vec<Entry>,
    phrase_count: usize,
}

/// A pattern under construction.
struct Entry {
    text: String,
    tokens: usize,
    owners: Vec<Owner>,
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
        let id = self.entries.len();
        self.ids.insert(text.clone(), id);
        self.entries.push(Entry {
            text,
            tokens: stems.len(),
            owners: Vec::new(),
        });
        id
    }

    fn add_owner(&mut self, id: usize, owner: Owner) {
        if let Some(entry) = self.entries.get_mut(id) {
            entry.owners.push(owner);
        }
    }

    fn finish(self) -> Result<PhraseIndex, TextError> {
        let mut entries = self.entries;
        // Inserting patterns in sorted order lays out trie paths that share prefixes
        // next to each other, so a scan touches fewer cache lines.
        entries.sort_unstable_by(|a, b| a.text.cmp(&b.text));
        let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
        let automaton = match contiguous::Builder::new()
            .match_kind(MatchKind::Standard)
            // The scan loop never consults a prefilter; skip building one.
            .prefilter(false)
            .build(&texts)
        {
            Ok(nfa) => Searcher::Contiguous(nfa),
            Err(_) => noncontiguous::Builder::new()
                .match_kind(MatchKind::Standard)
                .prefilter(false)
                .build(&texts)
                .map(Searcher::Noncontiguous)
                .map_err(|e| TextError::Automaton(e.to_string()))?,
        };
        let mut owners = Vec::new();
        let mut patterns = Vec::with_capacity(entries.len());
        for mut entry in entries {
            // Keep one owner per payload, the earliest phrase, as `find` promises.
            entry.owners.sort_unstable();
            entry.owners.dedup_by_key(|owner| owner.payload);
            let start = owners.len();
            owners.extend(entry.owners);
            patterns.push(Pattern {
                tokens: entry.tokens,
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

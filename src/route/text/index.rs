//! The phrase automaton: every phrase of a matrix, with its variants, searched in one
//! pass over a normalised description.
//!
//! The automaton works on tokens, not bytes. Every stem that occurs in a pattern gets a
//! small integer id; a pattern is the sequence of its stems' ids, and a description is
//! looked up token by token (a stem no pattern contains breaks every partial match).
//! This is exactly the match relation of searching ` p1 p2 ` in ` t1 t2 t3 ` (stems
//! never contain spaces), but the trie has one state per distinct token prefix instead
//! of one per byte, which keeps a matrix of 10,000 rules (about 320,000 variants) at a
//! few megabytes where a byte-level automaton needed well over a hundred while it was
//! being built.
//!
//! The automaton is written here rather than taken from a crate because the crates
//! measured worse on what the project promises (peak memory and linear growth; `route`
//! on the 50,000-contact, 10,000-rule generated matrix, 3 December 2026):
//!
//! | automaton | peak RSS | process time |
//! |---|---|---|
//! | this one, over token ids | 116 MiB | 0.80 s |
//! | `daachorse` 5, character-wise, one character per token id | 179 MiB | 2.25 s, and its double-array construction grows superlinearly with the number of distinct stems (growth exponent 1.28 from 2,000 to 10,000 rules) |
//! | `aho-corasick` 1, non-contiguous, over 1 to 3-byte token codes | 203 MiB | 1.32 s |
//! | `aho-corasick` 1, over the words' bytes (before) | 316 MiB | |
//!
//! Its correctness is checked by a property test against a naive search of every
//! variant (`token_automaton_finds_exactly_what_a_naive_search_finds`).

use std::collections::HashMap;
use std::ops::Range;

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

/// No node: the end of a dictionary-suffix chain.
const NONE: u32 = u32::MAX;
/// The root of the trie, where every search starts.
const ROOT: u32 = 0;

/// One state of the token trie. Nodes are numbered breadth first, and the children of
/// a node are consecutive nodes sorted by token, so a node's children are the nodes
/// `first_child .. next node's first_child` and its owners are
/// `owners_start .. next node's owners_start`.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Token id of the edge from the parent.
    token: u32,
    /// First child node.
    first_child: u32,
    /// Longest proper suffix of this node's token sequence that is also a trie node.
    fail: u32,
    /// Nearest node along the failure chain (excluding this one) that ends a pattern.
    dict: u32,
    /// First entry of this node's owners in [`PhraseIndex::owners`].
    owners_start: u32,
    /// Number of tokens from the root, i.e. the length of a pattern ending here.
    depth: u32,
}

/// Builds once from all phrases of a matrix; matches all of them in one pass over the
/// text (Aho-Corasick over token ids), so cost does not grow with the number of rules.
#[derive(Clone)]
pub struct PhraseIndex {
    /// Token id of every stem that occurs in some pattern.
    vocabulary: HashMap<Box<str>, u32, FxBuildHasher>,
    /// Child of the root for each token id ([`ROOT`] when there is none): the root
    /// has a child for most tokens, so it gets a direct table.
    root: Vec<u32>,
    /// The trie, breadth first, followed by one sentinel node that closes the last
    /// node's child and owner ranges.
    nodes: Vec<Node>,
    /// Owners of all patterns, grouped by node, so a match needs no pointer chasing
    /// beyond one slice.
    owners: Vec<Owner>,
    phrase_count: usize,
    pattern_count: usize,
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
        let mut state = ROOT;
        for (at, token) in text.tokens().enumerate() {
            state = match self.vocabulary.get(token.stem) {
                Some(&id) => self.next(state, id),
                // No pattern contains this stem, so no match spans it.
                None => ROOT,
            };
            let closed = at + 1;
            let mut node = if self.owners_of(state).is_empty() {
                self.node(state).map_or(NONE, |n| n.dict)
            } else {
                state
            };
            while let Some(current) = self.node(node) {
                let tokens = closed.saturating_sub(current.depth as usize)..closed;
                if let Some(bytes) = text.byte_span(tokens.clone()) {
                    hits.extend(self.owners_of(node).iter().map(|owner| PhraseHit {
                        payload: owner.payload,
                        tokens: tokens.clone(),
                        bytes: bytes.clone(),
                        phrase: owner.phrase as usize,
                    }));
                }
                node = current.dict;
            }
        }
        hits.sort_unstable_by_key(|h| (h.tokens.start, h.tokens.end, h.payload, h.phrase));
        // Distinct patterns never cover the same tokens, and owners are unique per
        // payload within a pattern, so this only guards the documented contract.
        hits.dedup_by_key(|h| (h.tokens.start, h.tokens.end, h.payload));
        hits
    }

    /// The state after reading `token` in `state`.
    fn next(&self, mut state: u32, token: u32) -> u32 {
        loop {
            if state == ROOT {
                return self.root.get(token as usize).copied().unwrap_or(ROOT);
            }
            if let Some(child) = self.child(state, token) {
                return child;
            }
            state = self.node(state).map_or(ROOT, |n| n.fail);
        }
    }

    /// The child of a non-root `state` along `token`, if there is one.
    fn child(&self, state: u32, token: u32) -> Option<u32> {
        let children = self.children(state);
        let slice = self
            .nodes
            .get(children.start as usize..children.end as usize)?;
        let at = slice.binary_search_by_key(&token, |n| n.token).ok()?;
        u32::try_from(at).ok().map(|at| children.start + at)
    }

    fn node(&self, id: u32) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    fn children(&self, id: u32) -> Range<u32> {
        let start = self.node(id).map_or(0, |n| n.first_child);
        let end = self.node(id + 1).map_or(start, |n| n.first_child);
        start..end.max(start)
    }

    fn owners_of(&self, id: u32) -> &[Owner] {
        let start = self.node(id).map_or(0, |n| n.owners_start) as usize;
        let end = self.node(id + 1).map_or(start, |n| n.owners_start as usize);
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
            + self.root.capacity() * std::mem::size_of::<u32>()
            + self.nodes.capacity() * std::mem::size_of::<Node>()
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

    #[allow(clippy::too_many_lines)] // one construction, clearer in one piece
    fn finish(self) -> Result<PhraseIndex, TextError> {
        let Builder {
            mut vocabulary,
            mut arena,
            mut variants,
            mut owners,
            phrase_count,
        } = self;
        // Both grew by doubling; the spare half would stay allocated through
        // the construction below, which is when memory peaks.
        arena.shrink_to_fit();
        variants.shrink_to_fit();
        let tokens_of = |&(start, len, _): &(u32, u32, u32)| -> &[u32] {
            arena
                .get(start as usize..start as usize + len as usize)
                .unwrap_or_default()
        };
        // Sorted patterns make the breadth-first construction below a linear sweep.
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

        // One node per distinct token prefix: what each sorted variant adds beyond its
        // common prefix with the previous one (plus the root and a sentinel).
        let mut node_count = 2_usize;
        let mut previous: &[u32] = &[];
        for variant in &variants {
            let tokens = tokens_of(variant);
            let common = tokens
                .iter()
                .zip(previous)
                .take_while(|(a, b)| a == b)
                .count();
            node_count += tokens.len() - common;
            previous = tokens;
        }
        // The trie, level by level. `current[v]` is the node variant `v` has reached.
        let mut nodes = Vec::with_capacity(node_count);
        nodes.push(Node {
            token: 0,
            first_child: NONE,
            fail: ROOT,
            dict: NONE,
            owners_start: 0,
            depth: 0,
        });
        let mut current = vec![ROOT; variants.len()];
        let mut ends = vec![NONE; variants.len()];
        let mut depth = 0_u32;
        loop {
            let mut last: Option<(u32, u32, u32)> = None;
            let mut grew = false;
            for (v, variant) in variants.iter().enumerate() {
                let Some(&token) = tokens_of(variant).get(depth as usize) else {
                    continue;
                };
                let Some(parent) = current.get(v).copied() else {
                    continue;
                };
                let child = match last {
                    Some((p, t, child)) if p == parent && t == token => child,
                    _ => {
                        let child = u32::try_from(nodes.len()).map_err(|_| too_large())?;
                        nodes.push(Node {
                            token,
                            first_child: NONE,
                            fail: ROOT,
                            dict: NONE,
                            owners_start: 0,
                            depth: depth + 1,
                        });
                        if let Some(p) = nodes.get_mut(parent as usize)
                            && p.first_child == NONE
                        {
                            p.first_child = child;
                        }
                        last = Some((parent, token, child));
                        child
                    }
                };
                grew = true;
                if let Some(slot) = current.get_mut(v) {
                    *slot = child;
                }
                if variant.1 == depth + 1
                    && let Some(end) = ends.get_mut(v)
                {
                    *end = child;
                }
            }
            if !grew {
                break;
            }
            depth += 1;
        }
        // The variants are not needed past this point but for their groups (kept
        // in `current`, whose nodes are no longer needed) and the number of distinct
        // patterns: drop them before the owner table is built.
        let pattern_count = variants
            .windows(2)
            .filter(|pair| tokens_of(&pair[0]) != tokens_of(&pair[1]))
            .count()
            + usize::from(!variants.is_empty());
        let mut groups = current;
        for (slot, variant) in groups.iter_mut().zip(&variants) {
            *slot = variant.2;
        }
        drop(variants);
        drop(arena);
        let sentinel = u32::try_from(nodes.len()).map_err(|_| too_large())?;
        nodes.push(Node {
            token: 0,
            first_child: sentinel,
            fail: ROOT,
            dict: NONE,
            owners_start: 0,
            depth: 0,
        });
        // A node without children has the empty range at its successor's start.
        let mut next_first = sentinel;
        for node in nodes.iter_mut().rev() {
            if node.first_child == NONE {
                node.first_child = next_first;
            }
            next_first = node.first_child;
        }

        // Owners by node: every owner of every group a pattern came from, one per
        // payload (the earliest phrase, as `find` promises).
        let owner_pairs = groups
            .iter()
            .map(|&group| {
                let group = group as usize;
                let start = group_start.get(group).copied().unwrap_or(0);
                let end = group_start.get(group + 1).copied().unwrap_or(0);
                end.saturating_sub(start) as usize
            })
            .sum();
        let mut by_node: Vec<(u32, Owner)> = Vec::with_capacity(owner_pairs);
        for (&group, &end) in groups.iter().zip(&ends) {
            let group = group as usize;
            let range = group_start.get(group).copied().unwrap_or(0) as usize
                ..group_start.get(group + 1).copied().unwrap_or(0) as usize;
            by_node.extend(
                owners
                    .get(range)
                    .unwrap_or_default()
                    .iter()
                    .map(|&(_, owner)| (end, owner)),
            );
        }
        drop((owners, group_start, ends, groups));
        by_node.sort_unstable();
        by_node.dedup_by_key(|(node, owner)| (*node, owner.payload));
        let mut owners_out = Vec::with_capacity(by_node.len());
        let mut next_owner = by_node.iter().peekable();
        for (id, node) in nodes.iter_mut().enumerate() {
            node.owners_start = u32::try_from(owners_out.len()).map_err(|_| too_large())?;
            while let Some(&(_, owner)) = next_owner.next_if(|(n, _)| *n as usize == id) {
                owners_out.push(owner);
            }
        }
        drop(by_node);

        let mut index = PhraseIndex {
            vocabulary: HashMap::default(),
            root: vec![ROOT; vocabulary.len()],
            nodes,
            owners: owners_out,
            phrase_count,
            pattern_count,
        };
        for child in index.children(ROOT) {
            let token = index.node(child).map_or(0, |n| n.token);
            if let Some(slot) = index.root.get_mut(token as usize) {
                *slot = child;
            }
        }
        // Failure and dictionary links, breadth first: a node's failure target is
        // shallower, so it is final by the time the node is reached.
        for parent in 0..sentinel {
            for child in index.children(parent) {
                let token = index.node(child).map_or(0, |n| n.token);
                let fail = if parent == ROOT {
                    ROOT
                } else {
                    let parent_fail = index.node(parent).map_or(ROOT, |n| n.fail);
                    index.next(parent_fail, token)
                };
                let dict = if index.owners_of(fail).is_empty() {
                    index.node(fail).map_or(NONE, |n| n.dict)
                } else {
                    fail
                };
                if let Some(node) = index.nodes.get_mut(child as usize) {
                    node.fail = fail;
                    node.dict = dict;
                }
            }
        }
        vocabulary.shrink_to_fit();
        index.vocabulary = vocabulary;
        Ok(index)
    }
}

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
/// `owners_start .. next node's owners_start`. A node's depth is the level its number
/// falls in ([`PhraseIndex::levels`]), so it is not stored: 20 bytes a node instead of
/// 24, for some 400,000 nodes in a matrix of 10,000 rules.
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
}

/// Token ids of stems: every stem in one string and a hash table of (id, place in
/// the string), about half of a map from boxed strings (some 78,000 stems, most of
/// them words written together, in a matrix of 10,000 rules).
#[derive(Clone, Default)]
struct Vocabulary {
    /// Every stem, back to back, in id order.
    text: String,
    /// The stems, hashed: (id, start in `text`, length).
    table: hashbrown::HashTable<(u32, u32, u32)>,
}

fn stem_hash(stem: &str) -> u64 {
    use std::hash::BuildHasher as _;
    FxBuildHasher::default().hash_one(stem)
}

/// The stem an entry of a vocabulary's table stands for, in the vocabulary's `text`.
fn stem_at<'a>(text: &'a str, &(_, start, len): &(u32, u32, u32)) -> &'a str {
    text.get(start as usize..start as usize + len as usize)
        .unwrap_or_default()
}

impl Vocabulary {
    /// The id of `stem`, if some pattern contains it.
    fn get(&self, stem: &str) -> Option<u32> {
        self.table
            .find(stem_hash(stem), |entry| stem_at(&self.text, entry) == stem)
            .map(|&(id, _, _)| id)
    }

    /// The id of `stem`, given the next free id if it has none yet.
    fn id(&mut self, stem: &str) -> Result<u32, TextError> {
        let hash = stem_hash(stem);
        let Vocabulary { text, table } = self;
        if let Some(&(id, _, _)) = table.find(hash, |entry| stem_at(text, entry) == stem) {
            return Ok(id);
        }
        let id = u32::try_from(table.len()).map_err(|_| too_large())?;
        let start = u32::try_from(text.len()).map_err(|_| too_large())?;
        let len = u32::try_from(stem.len()).map_err(|_| too_large())?;
        start.checked_add(len).ok_or_else(too_large)?;
        text.push_str(stem);
        table.insert_unique(hash, (id, start, len), |entry| {
            stem_hash(stem_at(text, entry))
        });
        Ok(id)
    }

    fn len(&self) -> usize {
        self.table.len()
    }

    fn shrink_to_fit(&mut self) {
        let Vocabulary { text, table } = self;
        text.shrink_to_fit();
        table.shrink_to_fit(|entry| stem_hash(stem_at(text, entry)));
    }

    /// Heap memory in bytes (the table's control bytes approximately).
    fn memory_usage(&self) -> usize {
        self.text.capacity() + self.table.capacity() * (std::mem::size_of::<(u32, u32, u32)>() + 1)
    }
}

/// Builds once from all phrases of a matrix; matches all of them in one pass over the
/// text (Aho-Corasick over token ids), so cost does not grow with the number of rules.
#[derive(Clone)]
pub struct PhraseIndex {
    /// Token id of every stem that occurs in some pattern.
    vocabulary: Vocabulary,
    /// Child of the root for each token id ([`ROOT`] when there is none): the root
    /// has a child for most tokens, so it gets a direct table.
    root: Vec<u32>,
    /// The trie, breadth first, followed by one sentinel node that closes the last
    /// node's child and owner ranges.
    nodes: Vec<Node>,
    /// The first node of each depth (the root's is 0): nodes are numbered level by
    /// level, so a node's depth, the length of a pattern ending there, is the last
    /// level starting at or before it.
    levels: Vec<u32>,
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
                Some(id) => self.next(state, id),
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
                let tokens = closed.saturating_sub(self.depth(node))..closed;
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

    /// Number of tokens from the root to node `id`.
    fn depth(&self, id: u32) -> usize {
        self.levels
            .partition_point(|&first| first <= id)
            .saturating_sub(1)
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
        self.vocabulary.memory_usage()
            + self.root.capacity() * std::mem::size_of::<u32>()
            + self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.levels.capacity() * std::mem::size_of::<u32>()
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
    vocabulary: Vocabulary,
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
            let id = self.vocabulary.id(stem)?;
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
        // While the variants are held, each node is only its token and first child
        // (8 bytes); the whole nodes are made once the variants are gone, which keeps
        // them out of the peak.
        let mut edges: Vec<(u32, u32)> = Vec::with_capacity(node_count);
        edges.push((0, NONE));
        let mut levels = vec![ROOT];
        let mut current = vec![ROOT; variants.len()];
        let mut ends = vec![NONE; variants.len()];
        let mut depth = 0_u32;
        loop {
            let mut last: Option<(u32, u32, u32)> = None;
            let mut grew = false;
            levels.push(u32::try_from(edges.len()).map_err(|_| too_large())?);
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
                        let child = u32::try_from(edges.len()).map_err(|_| too_large())?;
                        edges.push((token, NONE));
                        if let Some(p) = edges.get_mut(parent as usize)
                            && p.1 == NONE
                        {
                            p.1 = child;
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
                levels.pop();
                break;
            }
            depth += 1;
        }
        levels.shrink_to_fit();
        // The variants are not needed past this point but for their groups (kept
        // in `current`, whose nodes are no longer needed) and the number of distinct
        // patterns: drop them before the nodes and the owner table are built.
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
        let mut nodes = Vec::with_capacity(edges.len() + 1);
        nodes.extend(edges.iter().map(|&(token, first_child)| Node {
            token,
            first_child,
            fail: ROOT,
            dict: NONE,
            owners_start: 0,
        }));
        drop(edges);
        let sentinel = u32::try_from(nodes.len()).map_err(|_| too_large())?;
        nodes.push(Node {
            token: 0,
            first_child: sentinel,
            fail: ROOT,
            dict: NONE,
            owners_start: 0,
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
        // payload (the earliest phrase, as `find` promises). Placed by node with a
        // counting sort (each node's `owners_start` counts first, then marks where
        // its owners end and, once they are placed backwards, where they start), so
        // that no list of (node, owner) pairs is needed beside the owners.
        let group_owners = |group: u32| {
            let group = group as usize;
            let start = group_start.get(group).copied().unwrap_or(0) as usize;
            let end = group_start.get(group + 1).copied().unwrap_or(0) as usize;
            owners.get(start..end).unwrap_or_default()
        };
        for (&group, &end) in groups.iter().zip(&ends) {
            let count = u32::try_from(group_owners(group).len()).map_err(|_| too_large())?;
            if let Some(node) = nodes.get_mut(end as usize) {
                node.owners_start = node.owners_start.checked_add(count).ok_or_else(too_large)?;
            }
        }
        let mut placed = 0_u32;
        for node in &mut nodes {
            placed = placed
                .checked_add(node.owners_start)
                .ok_or_else(too_large)?;
            node.owners_start = placed;
        }
        let mut owners_out = vec![
            Owner {
                payload: 0,
                phrase: 0
            };
            placed as usize
        ];
        for (&group, &end) in groups.iter().zip(&ends) {
            let Some(node) = nodes.get_mut(end as usize) else {
                continue;
            };
            for &(_, owner) in group_owners(group) {
                node.owners_start = node.owners_start.saturating_sub(1);
                if let Some(slot) = owners_out.get_mut(node.owners_start as usize) {
                    *slot = owner;
                }
            }
        }
        drop((owners, group_start, ends, groups));
        // Each node's owners sorted, one per payload, moved down over the ones dropped.
        let mut kept = 0_usize;
        for id in 0..nodes.len() {
            let start = nodes.get(id).map_or(0, |n| n.owners_start as usize);
            let end = nodes
                .get(id + 1)
                .map_or(owners_out.len(), |n| n.owners_start as usize);
            let first = kept;
            if let Some(slice) = owners_out.get_mut(start..end) {
                slice.sort_unstable();
            }
            for i in start..end {
                let Some(&owner) = owners_out.get(i) else {
                    continue;
                };
                let repeated = kept > first
                    && owners_out
                        .get(kept - 1)
                        .is_some_and(|o| o.payload == owner.payload);
                if !repeated {
                    if let Some(slot) = owners_out.get_mut(kept) {
                        *slot = owner;
                    }
                    kept += 1;
                }
            }
            if let Some(node) = nodes.get_mut(id) {
                node.owners_start = u32::try_from(first).map_err(|_| too_large())?;
            }
        }
        owners_out.truncate(kept);
        owners_out.shrink_to_fit();

        let mut index = PhraseIndex {
            vocabulary: Vocabulary::default(),
            root: vec![ROOT; vocabulary.len()],
            nodes,
            levels,
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

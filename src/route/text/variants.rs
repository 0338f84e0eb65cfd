//! Expansion of a phrase into every token sequence it should match: synonym
//! substitutions and words written together.
//!
//! Expanding phrases once, at build time, keeps matching a plain multi-pattern search;
//! the alternative (rewriting descriptions to canonical synonyms) would need its own
//! automaton pass per description and could not express overlapping groups.

use std::collections::{HashMap, HashSet};

use super::TextError;
use super::lexer::lex;
use super::stem::WordStemmer;

/// Most token sequences one phrase may expand to. Generous for real phrases (a
/// five-word phrase with two six-member synonym groups stays far below it) while
/// stopping a careless synonym list from blowing up the automaton.
pub const MAX_VARIANTS_PER_PHRASE: usize = 4096;

/// Most tokens a phrase or synonym member may have. Matrix phrases are a few words;
/// anything this long is a pasted paragraph, and bounding it keeps expansion cheap.
pub const MAX_PHRASE_TOKENS: usize = 32;

/// Phrases with up to this many joinable word boundaries get every combination of
/// joins; longer ones get single joins plus the fully joined form, since 2^n variants
/// would dominate the automaton while such phrases rarely appear written together.
const MAX_FREE_JOINS: usize = 5;

/// Dead ends the synonym walk may visit per allowed variant before giving up; only a
/// pathological synonym list reaches it.
const WALK_BUDGET_FACTOR: usize = 16;

/// One token of a phrase, with the word it came from so adjacent words can be
/// re-joined and re-stemmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct PhraseToken {
    base: String,
    stem: String,
    /// False for the halves of an expanded contraction: `can` + `not` typed as one word
    /// is already covered by the contraction rule.
    joinable: bool,
}

/// Lexes and normalises a phrase with the same steps [`super::normalize`] applies.
pub(super) fn phrase_tokens(phrase: &str, stemmer: &mut WordStemmer) -> Vec<PhraseToken> {
    let mut tokens = Vec::new();
    let mut scratch = String::new();
    lex(phrase, |word, _| {
        scratch.clear();
        stemmer.push_word(word, &mut scratch, |base, stem, _, contracted| {
            tokens.push(PhraseToken {
                base: base.to_owned(),
                stem: stem.to_owned(),
                joinable: !contracted,
            });
        });
    });
    tokens
}

/// Synonym groups prepared for substitution.
#[derive(Debug, Default)]
pub(super) struct Synonyms {
    /// Each group's members as phrase tokens.
    groups: Vec<Vec<Vec<PhraseToken>>>,
    /// Every way a member can appear in a phrase (as written, or with words joined),
    /// keyed by first stem: (stems, group index).
    forms: HashMap<String, Vec<(Vec<String>, usize)>>,
}

impl Synonyms {
    pub(super) fn new(
        groups: &[Vec<String>],
        stemmer: &mut WordStemmer,
    ) -> Result<Self, TextError> {
        let mut synonyms = Self::default();
        for (group_index, group) in groups.iter().enumerate() {
            let mut members = Vec::with_capacity(group.len());
            for member in group {
                let tokens = phrase_tokens(member, stemmer);
                if tokens.is_empty() {
                    return Err(TextError::EmptySynonym {
                        group: group_index,
                        member: member.clone(),
                    });
                }
                if tokens.len() > MAX_PHRASE_TOKENS {
                    return Err(TextError::SynonymTooLong {
                        group: group_index,
                        member: member.clone(),
                        limit: MAX_PHRASE_TOKENS,
                    });
                }
                for form in joined_forms(&tokens, stemmer) {
                    let Some(first) = form.first().cloned() else {
                        continue;
                    };
                    let entry = synonyms.forms.entry(first).or_default();
                    if !entry.iter().any(|(f, g)| *f == form && *g == group_index) {
                        entry.push((form, group_index));
                    }
                }
                if !members.contains(&tokens) {
                    members.push(tokens);
                }
            }
            synonyms.groups.push(members);
        }
        Ok(synonyms)
    }

    fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }
}

/// Every stem sequence `phrase` should match, sorted and without duplicates.
/// `index` is only used to label errors.
pub(super) fn expand(
    phrase: &str,
    index: usize,
    synonyms: &Synonyms,
    stemmer: &mut WordStemmer,
) -> Result<Vec<Vec<String>>, TextError> {
    let tokens = phrase_tokens(phrase, stemmer);
    if tokens.is_empty() {
        return Err(TextError::EmptyPhrase {
            index,
            phrase: phrase.to_owned(),
        });
    }
    if tokens.len() > MAX_PHRASE_TOKENS {
        return Err(TextError::PhraseTooLong {
            index,
            phrase: phrase.to_owned(),
            limit: MAX_PHRASE_TOKENS,
        });
    }
    let too_many = || TextError::TooManyVariants {
        index,
        phrase: phrase.to_owned(),
        limit: MAX_VARIANTS_PER_PHRASE,
    };
    let substituted = if synonyms.is_empty() {
        vec![tokens]
    } else {
        substitute(&tokens, synonyms).ok_or_else(too_many)?
    };
    let mut variants: Vec<Vec<String>> = Vec::new();
    for tokens in &substituted {
        variants.extend(joined_forms(tokens, stemmer));
        if variants.len() > MAX_VARIANTS_PER_PHRASE * 2 {
            // Duplicates are common, so only fail once deduplication confirms it.
            variants.sort_unstable();
            variants.dedup();
            if variants.len() > MAX_VARIANTS_PER_PHRASE {
                return Err(too_many());
            }
        }
    }
    variants.sort_unstable();
    variants.dedup();
    if variants.len() > MAX_VARIANTS_PER_PHRASE {
        return Err(too_many());
    }
    Ok(variants)
}

/// Lists the normalised token sequences (stems joined by spaces) that `phrase` matches
/// once `synonyms` and written-together forms are applied, exactly as
/// [`super::PhraseIndex::build`] would index it. Meant for explaining a rule to its
/// author; it rebuilds the synonym table on every call.
pub fn phrase_variants(phrase: &str, synonyms: &[Vec<String>]) -> Result<Vec<String>, TextError> {
    let stemmer = &mut WordStemmer::new();
    let synonyms = Synonyms::new(synonyms, stemmer)?;
    let variants = expand(phrase, 0, &synonyms, stemmer)?;
    Ok(variants.iter().map(|stems| stems.join(" ")).collect())
}

/// Every sequence obtained by replacing, at any subset of non-overlapping positions,
/// an occurrence of a synonym form with any member of its group. Includes the phrase
/// itself. `None` when the expansion exceeds the variant limit.
fn substitute(tokens: &[PhraseToken], synonyms: &Synonyms) -> Option<Vec<Vec<PhraseToken>>> {
    // Alternatives starting at each position: (tokens replaced, group).
    let alternatives: Vec<Vec<(usize, usize)>> = (0..tokens.len())
        .map(|start| {
            let rest = tokens.get(start..).unwrap_or_default();
            let Some(forms) = rest.first().and_then(|t| synonyms.forms.get(&t.stem)) else {
                return Vec::new();
            };
            forms
                .iter()
                .filter(|(form, _)| {
                    form.len() <= rest.len() && form.iter().zip(rest).all(|(s, t)| *s == t.stem)
                })
                .map(|(form, group)| (form.len(), *group))
                .collect()
        })
        .collect();
    if alternatives.iter().all(Vec::is_empty) {
        return Some(vec![tokens.to_vec()]);
    }
    let mut walk = Walk {
        tokens,
        alternatives: &alternatives,
        groups: &synonyms.groups,
        current: Vec::with_capacity(tokens.len() * 2),
        seen: HashSet::new(),
        out: Vec::new(),
        budget: MAX_VARIANTS_PER_PHRASE * WALK_BUDGET_FACTOR,
    };
    walk.visit(0)?;
    Some(walk.out)
}

/// Depth-first enumeration of the substitution lattice.
struct Walk<'a> {
    tokens: &'a [PhraseToken],
    alternatives: &'a [Vec<(usize, usize)>],
    groups: &'a [Vec<Vec<PhraseToken>>],
    current: Vec<PhraseToken>,
    seen: HashSet<Vec<PhraseToken>>,
    out: Vec<Vec<PhraseToken>>,
    budget: usize,
}

impl Walk<'_> {
    /// Extends `current` from token `position` on; `None` once a limit is exceeded.
    fn visit(&mut self, position: usize) -> Option<()> {
        self.budget = self.budget.checked_sub(1)?;
        let Some(token) = self.tokens.get(position) else {
            if self.seen.insert(self.current.clone()) {
                self.out.push(self.current.clone());
            }
            return (self.out.len() <= MAX_VARIANTS_PER_PHRASE).then_some(());
        };
        self.current.push(token.clone());
        self.visit(position + 1)?;
        self.current.pop();
        let alternatives = self
            .alternatives
            .get(position)
            .map_or(&[][..], Vec::as_slice);
        for &(replaced, group) in alternatives {
            let members = self.groups.get(group).map_or(&[][..], Vec::as_slice);
            for member in members {
                let mark = self.current.len();
                self.current.extend(member.iter().cloned());
                self.visit(position + replaced)?;
                self.current.truncate(mark);
            }
        }
        Some(())
    }
}

/// The stem sequences of `tokens` with adjacent joinable words optionally written as
/// one word (re-stemmed as a whole), including the sequence with no joins.
fn joined_forms(tokens: &[PhraseToken], stemmer: &mut WordStemmer) -> Vec<Vec<String>> {
    let joinable: Vec<usize> = tokens
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| pair.iter().all(|t| t.joinable))
        .map(|(boundary, _)| boundary)
        .collect();
    let boundaries = tokens.len().saturating_sub(1);
    let mut choices: Vec<Vec<bool>> = Vec::new();
    if joinable.len() <= MAX_FREE_JOINS {
        for mask in 0..(1_u32 << joinable.len()) {
            let mut joined = vec![false; boundaries];
            for (bit, &boundary) in joinable.iter().enumerate() {
                if mask >> bit & 1 == 1 {
                    set(&mut joined, boundary);
                }
            }
            choices.push(joined);
        }
    } else {
        choices.push(vec![false; boundaries]);
        for &boundary in &joinable {
            let mut joined = vec![false; boundaries];
            set(&mut joined, boundary);
            choices.push(joined);
        }
        let mut all = vec![false; boundaries];
        for &boundary in &joinable {
            set(&mut all, boundary);
        }
        choices.push(all);
    }
    let mut forms: Vec<Vec<String>> = choices
        .iter()
        .map(|joined| segment(tokens, joined, stemmer))
        .collect();
    forms.sort_unstable();
    forms.dedup();
    forms
}

fn set(flags: &mut [bool], index: usize) {
    if let Some(flag) = flags.get_mut(index) {
        *flag = true;
    }
}

/// Stems of `tokens` where `joined[i]` glues token `i` to token `i + 1`.
fn segment(tokens: &[PhraseToken], joined: &[bool], stemmer: &mut WordStemmer) -> Vec<String> {
    let mut stems = Vec::with_capacity(tokens.len());
    let mut word = String::new();
    let mut parts = 0;
    let mut scratch = String::new();
    for (i, token) in tokens.iter().enumerate() {
        word.push_str(&token.base);
        parts += 1;
        if joined.get(i).copied().unwrap_or(false) {
            continue;
        }
        if parts == 1 {
            stems.push(token.stem.clone());
        } else {
            // The joined word is normalised as if it had been typed that way.
            scratch.clear();
            stemmer.push_word(&word, &mut scratch, |_, stem, _, _| {
                stems.push(stem.to_owned());
            });
        }
        word.clear();
        parts = 0;
    }
    stems
}

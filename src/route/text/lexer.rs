//! Splitting text into words and turning words into tokens: the [`normalize`] entry
//! point and the [`Normalized`] value it returns.

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use super::stem::{WordStemmer, with_stemmer};

/// One token of a description: its normalised form and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token {
    /// The normalised, stemmed form that phrases are matched against.
    pub stem: String,
    /// Byte offset in the original text where the source word starts.
    pub start: usize,
    /// Byte offset in the original text just past the source word.
    pub end: usize,
}

/// A description turned into normalised tokens, each remembering its byte range in the
/// original text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    tokens: Vec<Token>,
    /// Stems joined by single spaces with one space before and after; padding makes
    /// every token boundary explicit for [`Normalized::joined_token_range`].
    padded: String,
    /// Byte offset in `padded` where each token's stem starts, so regular-expression
    /// matches on [`Normalized::joined`] map back to tokens by binary search.
    offsets: Vec<usize>,
}

impl Normalized {
    /// The tokens in text order.
    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.tokens.iter()
    }

    /// All tokens, for indexing with a [`PhraseHit::tokens`] range.
    ///
    /// [`PhraseHit::tokens`]: super::PhraseHit::tokens
    pub fn as_slice(&self) -> &[Token] {
        &self.tokens
    }

    /// The token at `index`, if there is one.
    pub fn token(&self, index: usize) -> Option<&Token> {
        self.tokens.get(index)
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the text had no letters or digits at all.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The stems joined by single spaces, without leading or trailing space, for
    /// callers that match regular expressions against the normalised text. Use
    /// [`Normalized::joined_token_range`] to map a match back to tokens.
    pub fn joined(&self) -> &str {
        self.padded
            .get(1..self.padded.len().saturating_sub(1))
            .unwrap_or("")
    }

    /// The tokens overlapping the byte range `joined` of [`Normalized::joined`]: the
    /// bridge from a regular-expression match to tokens and original bytes. An empty or
    /// out-of-range input yields an empty range.
    pub fn joined_token_range(&self, joined: Range<usize>) -> Range<usize> {
        if joined.start >= joined.end {
            return 0..0;
        }
        // `joined` is `padded` without its first byte.
        let (start, end) = (joined.start + 1, joined.end + 1);
        // Tokens starting at or before `start`; the last of them may still cover it.
        let mut first = self.offsets.partition_point(|&offset| offset <= start);
        if let Some(previous) = first.checked_sub(1) {
            let covers = self
                .offsets
                .get(previous)
                .zip(self.tokens.get(previous))
                .is_some_and(|(&offset, token)| offset + token.stem.len() > start);
            if covers {
                first = previous;
            }
        }
        let last = self.offsets.partition_point(|&offset| offset < end);
        first..last.max(first)
    }

    /// The original-text byte range covered by the tokens in `tokens`, or `None` if the
    /// range is empty or out of bounds.
    pub fn byte_span(&self, tokens: Range<usize>) -> Option<Range<usize>> {
        let first = self.tokens.get(tokens.start)?;
        let last = self.tokens.get(tokens.end.checked_sub(1)?)?;
        (tokens.start < tokens.end).then_some(first.start..last.end)
    }
}

/// Normalises a description: splits it into words, folds case and accents, expands
/// negative contractions and stems each word. See the module documentation for the
/// full rule set.
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized {
        // Words average well over four bytes with their separator, so these rarely
        // regrow; stems are seldom longer than the words they come from.
        tokens: Vec::with_capacity(text.len() / 4 + 1),
        padded: String::with_capacity(text.len() + 8),
        offsets: Vec::with_capacity(text.len() / 4 + 1),
    };
    out.padded.push(' ');
    with_stemmer(|stemmer| {
        lex(text, |word, span| {
            push_word(&mut out, stemmer, word, span);
        });
    });
    out
}

fn push_word(out: &mut Normalized, stemmer: &mut WordStemmer, word: &str, span: Range<usize>) {
    let Normalized {
        tokens,
        padded,
        offsets,
    } = out;
    stemmer.push_word(word, padded, |_, stem, offset, _| {
        offsets.push(offset);
        tokens.push(Token {
            stem: stem.to_owned(),
            start: span.start,
            end: span.end,
        });
    });
}

/// Normalises a phrase exactly as descriptions are normalised and returns its stems;
/// an empty result means the phrase could never match. [`PhraseIndex::build`] uses
/// the same rules, so this is what validation messages should show.
///
/// [`PhraseIndex::build`]: super::PhraseIndex::build
pub fn normalize_phrase(phrase: &str) -> Vec<String> {
    normalize(phrase)
        .tokens
        .into_iter()
        .map(|t| t.stem)
        .collect()
}

/// Characters that join the two halves of a contraction or possessive instead of
/// separating words, when they stand between two alphanumerics.
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`' | '\u{00B4}' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' | '\u{FF07}'
    )
}

/// Splits `text` into words and calls `emit` with each word (lower case, accents and
/// apostrophes removed) and its byte range in `text`.
pub(super) fn lex(text: &str, mut emit: impl FnMut(&str, Range<usize>)) {
    let mut word = String::with_capacity(32);
    let mut start = 0;
    let mut end = 0;
    let mut decomposed: Vec<char> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = i + c.len_utf8();
        if c.is_ascii_alphanumeric() {
            // The common case; skips decomposition and Unicode tables entirely.
            if word.is_empty() {
                start = i;
            }
            word.push(c.to_ascii_lowercase());
            end = next;
            continue;
        }
        if is_apostrophe(c) {
            let between_alphanumerics =
                !word.is_empty() && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
            if !between_alphanumerics {
                flush(&mut word, start..end, &mut emit);
            }
            continue;
        }
        if c.is_ascii() {
            flush(&mut word, start..end, &mut emit);
            continue;
        }
        decomposed.clear();
        decompose_compatible(c, |d| decomposed.extend(d.to_lowercase()));
        for &d in &decomposed {
            if is_combining_mark(d) {
                // Dropped, but a mark after a letter still belongs to that word's span.
                if !word.is_empty() {
                    end = next;
                }
            } else if d.is_alphanumeric() {
                if word.is_empty() {
                    start = i;
                }
                word.push(d);
                end = next;
            } else {
                flush(&mut word, start..end, &mut emit);
            }
        }
    }
    flush(&mut word, start..end, &mut emit);
}

fn flush(word: &mut String, span: Range<usize>, emit: &mut impl FnMut(&str, Range<usize>)) {
    if !word.is_empty() {
        emit(word, span);
        word.clear();
    }
}

//! Splitting text into words and turning words into tokens: the [`normalize`] entry
//! point and the [`Normalized`] value it returns.

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use super::stem::{WordStemmer, with_stemmer};

/// One token of a description: its normalised form and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token<'a> {
    /// The normalised, stemmed form that phrases are matched against.
    pub stem: &'a str,
    /// Byte offset in the original text where the source word starts.
    pub start: usize,
    /// Byte offset in the original text just past the source word.
    pub end: usize,
}

/// Where one token's stem lies in [`Normalized`]'s padded text and where its
/// source word lies in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// Byte offset in `padded` where the stem starts.
    stem_start: usize,
    /// Byte offset in `padded` just past the stem.
    stem_end: usize,
    start: usize,
    end: usize,
}

/// A description turned into normalised tokens, each remembering its byte range in the
/// original text. The stems live in one string, so normalising allocates the same
/// few buffers however many words there are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    entries: Vec<Entry>,
    /// Stems joined by single spaces with one space before and after; padding makes
    /// every token boundary explicit for [`Normalized::joined_token_range`].
    padded: String,
}

impl Normalized {
    /// The tokens in text order.
    pub fn tokens(&self) -> impl ExactSizeIterator<Item = Token<'_>> + '_ {
        self.entries.iter().map(|entry| self.view(entry))
    }

    fn view<'a>(&'a self, entry: &Entry) -> Token<'a> {
        Token {
            stem: self
                .padded
                .get(entry.stem_start..entry.stem_end)
                .unwrap_or_default(),
            start: entry.start,
            end: entry.end,
        }
    }

    /// The token at `index`, if there is one.
    pub fn token(&self, index: usize) -> Option<Token<'_>> {
        self.entries.get(index).map(|entry| self.view(entry))
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the text had no letters or digits at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
        let mut first = self.entries.partition_point(|e| e.stem_start <= start);
        if let Some(previous) = first.checked_sub(1) {
            let covers = self
                .entries
                .get(previous)
                .is_some_and(|e| e.stem_end > start);
            if covers {
                first = previous;
            }
        }
        let last = self.entries.partition_point(|e| e.stem_start < end);
        first..last.max(first)
    }

    /// The original-text byte range covered by the tokens in `tokens`, or `None` if the
    /// range is empty or out of bounds.
    pub fn byte_span(&self, tokens: Range<usize>) -> Option<Range<usize>> {
        let first = self.entries.get(tokens.start)?;
        let last = self.entries.get(tokens.end.checked_sub(1)?)?;
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
        entries: Vec::with_capacity(text.len() / 4 + 1),
        padded: String::with_capacity(text.len() + 8),
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
    let Normalized { entries, padded } = out;
    stemmer.push_word(word, padded, |_, stem, offset, _| {
        entries.push(Entry {
            stem_start: offset,
            stem_end: offset + stem.len(),
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
        .tokens()
        .map(|t| t.stem.to_owned())
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

/// Whether each byte is an ASCII letter or digit, as a table: the lexer asks it of
/// nearly every byte.
const ASCII_ALPHANUMERIC: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        // `b` stays below 256, so the cast keeps every bit.
        #[allow(clippy::cast_possible_truncation)]
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// Splits `text` into words and calls `emit` with each word (lower case, accents and
/// apostrophes removed) and its byte range in `text`.
pub(super) fn lex(text: &str, mut emit: impl FnMut(&str, Range<usize>)) {
    let bytes = text.as_bytes();
    let mut word = String::with_capacity(32);
    let mut start = 0;
    let mut end = 0;
    let mut decomposed: Vec<char> = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if ASCII_ALPHANUMERIC[usize::from(b)] {
            // The common case: a run of ASCII letters and digits is copied whole,
            // without decomposition or Unicode tables.
            let run = i;
            i += bytes
                .get(i..)
                .unwrap_or_default()
                .iter()
                .position(|&b| !ASCII_ALPHANUMERIC[usize::from(b)])
                .unwrap_or(bytes.len() - i);
            if word.is_empty() {
                start = run;
            }
            let from = word.len();
            word.push_str(text.get(run..i).unwrap_or_default());
            if let Some(pushed) = word.get_mut(from..) {
                pushed.make_ascii_lowercase();
            }
            end = i;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        let next = i + c.len_utf8();
        if is_apostrophe(c) {
            let between_alphanumerics = !word.is_empty()
                && text
                    .get(next..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(char::is_alphanumeric);
            if !between_alphanumerics {
                flush(&mut word, start..end, &mut emit);
            }
        } else if c.is_ascii() {
            flush(&mut word, start..end, &mut emit);
        } else {
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
        i = next;
    }
    flush(&mut word, start..end, &mut emit);
}

fn flush(word: &mut String, span: Range<usize>, emit: &mut impl FnMut(&str, Range<usize>)) {
    if !word.is_empty() {
        emit(word, span);
        word.clear();
    }
}

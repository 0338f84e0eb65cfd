//! Word-level normalisation: negative contractions, Snowball stemming and the
//! exceptions table, behind a per-thread cache.

use std::cell::RefCell;
use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

/// Negative contractions and the verb each one negates, keyed by the word as the lexer
/// yields it: lower case with the apostrophe removed, so `can't`, `can’t` and `cant`
/// share one entry. Each becomes the two tokens `<verb> not`.
///
/// `cant` and `wont` are also rare English nouns; in support tickets they are nearly
/// always the contraction typed without an apostrophe, so they are treated as such.
pub const NEGATIVE_CONTRACTIONS: &[(&str, &str)] = &[
    ("cant", "can"),
    ("cannot", "can"),
    ("wont", "will"),
    ("doesnt", "does"),
    ("dont", "do"),
    ("isnt", "is"),
    ("didnt", "did"),
    ("couldnt", "could"),
    ("wasnt", "was"),
    ("arent", "are"),
    ("werent", "were"),
    ("shouldnt", "should"),
    ("wouldnt", "would"),
    ("hasnt", "has"),
    ("havent", "have"),
    ("hadnt", "had"),
    ("mustnt", "must"),
    ("neednt", "need"),
    ("shant", "shall"),
];

/// Stems the Snowball English stemmer produces for words that users treat as the same
/// word as another stem, mapped to that stem. Keys are stemmer output, so one entry
/// covers every inflection that stems alike (`failure` and `failures` both stem to
/// `failur`). Irregular past forms are here because Snowball only strips suffixes.
pub const STEM_EXCEPTIONS: &[(&str, &str)] = &[
    // failure, failures -> fail (fail, fails, failed, failing)
    ("failur", "fail"),
    // denial -> deni (deny, denies, denied, denying)
    ("denial", "deni"),
    // broke, broken -> break
    ("broke", "break"),
    ("broken", "break"),
    // froze, frozen -> freez (freeze, freezing)
    ("froze", "freez"),
    ("frozen", "freez"),
    // hung -> hang
    ("hung", "hang"),
    // lost -> lose (lose, losing)
    ("lost", "lose"),
    // paid -> pay
    ("paid", "pay"),
    // sent -> send
    ("sent", "send"),
    // forgot, forgotten -> forget
    ("forgot", "forget"),
    ("forgotten", "forget"),
    // verification -> verifi (verify, verified)
    ("verif", "verifi"),
    // expiry -> expir (expire, expired, expiration)
    ("expiri", "expir"),
    // British -ise spellings -> the stem of the -ize spelling
    ("authoris", "author"),
    ("unauthoris", "unauthor"),
    ("organis", "organ"),
    ("synchronis", "synchron"),
    // licence -> licens (license, licensed)
    ("licenc", "licens"),
];

/// Words longer than this many bytes are kept verbatim: no English word needs stemming
/// at that length, and it keeps pasted hashes or run-together URLs cheap.
const MAX_STEM_BYTES: usize = 40;

/// Entries kept per thread before the cache starts over. A support queue's working
/// vocabulary is a few thousand words, so this is rarely reached, and it bounds memory
/// to a few megabytes if it ever sees random text.
const CACHE_CAPACITY: usize = 1 << 16;

/// Returns the verb a negative contraction stands for, if `word` is one.
pub(super) fn negated_verb(word: &str) -> Option<&'static str> {
    // Every entry ends in "nt" or "not"; this check keeps the table scan off the path
    // of nearly every word.
    if !(word.ends_with("nt") || word.ends_with("not")) {
        return None;
    }
    NEGATIVE_CONTRACTIONS
        .iter()
        .find(|(contraction, _)| *contraction == word)
        .map(|&(_, verb)| verb)
}

/// Stems words with memoisation. Snowball costs around 150 ns a word, several times a
/// hash lookup, and descriptions reuse a small vocabulary, so caching pays for itself
/// at the throughput the router needs.
pub(super) struct WordStemmer {
    stemmer: Stemmer,
    cache: HashMap<Box<str>, Box<str>, FxBuildHasher>,
}

impl WordStemmer {
    /// A stemmer with an empty cache of its own.
    pub(super) fn new() -> Self {
        Self {
            stemmer: Stemmer::create(Algorithm::English),
            cache: HashMap::default(),
        }
    }

    /// Appends the normalised stem of one lexed word (already lower case, no
    /// apostrophes, not a contraction) to `out`.
    pub(super) fn push_stem(&mut self, word: &str, out: &mut String) {
        // Snowball leaves words of one or two letters alone, so skip the cache too.
        let numeric = if word.is_ascii() {
            word.bytes().any(|b| b.is_ascii_digit())
        } else {
            word.chars().any(char::is_numeric)
        };
        if word.len() <= 2 || word.len() > MAX_STEM_BYTES || numeric {
            out.push_str(word);
            return;
        }
        if let Some(stem) = self.cache.get(word) {
            out.push_str(stem);
            return;
        }
        let stemmed = self.stemmer.stem(word);
        let stem = STEM_EXCEPTIONS
            .iter()
            .find(|(from, _)| *from == stemmed)
            .map_or(&*stemmed, |&(_, to)| to);
        out.push_str(stem);
        if self.cache.len() >= CACHE_CAPACITY {
            self.cache.clear();
        }
        self.cache.insert(word.into(), stem.into());
    }

    /// Appends the tokens of one lexed word to `out`, each followed by a single space,
    /// and reports each one as (base word, stem, byte offset of the stem in `out`,
    /// whether it came from a negative contraction).
    pub(super) fn push_word(
        &mut self,
        word: &str,
        out: &mut String,
        mut token: impl FnMut(&str, &str, usize, bool),
    ) {
        let mut emit = |base: &str, out: &mut String, stemmer: &mut Self, contracted: bool| {
            let start = out.len();
            stemmer.push_stem(base, out);
            token(
                base,
                out.get(start..).unwrap_or_default(),
                start,
                contracted,
            );
            out.push(' ');
        };
        if let Some(verb) = negated_verb(word) {
            emit(verb, out, self, true);
            emit("not", out, self, true);
        } else {
            emit(word, out, self, false);
        }
    }
}

thread_local! {
    static STEMMER: RefCell<WordStemmer> = RefCell::new(WordStemmer::new());
}

/// Runs `f` with this thread's cached stemmer. If the cache is unavailable (thread
/// teardown, or a re-entrant call) a fresh stemmer is used, which gives the same
/// results without the memoisation; `FnMut` lets the fallback call `f` after the
/// first attempt declined to.
pub(super) fn with_stemmer<R>(mut f: impl FnMut(&mut WordStemmer) -> R) -> R {
    STEMMER
        .try_with(|cell| {
            cell.try_borrow_mut()
                .ok()
                .map(|mut stemmer| f(&mut stemmer))
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| f(&mut WordStemmer::new()))
}

/// Hash-map state for short, non-adversarial keys (words and patterns): `FxHash`
/// is much faster than `SipHash` on short keys, and flooding the word cache only
/// makes it clear itself, so `DoS` resistance is not needed.
pub(super) type FxBuildHasher = rustc_hash::FxBuildHasher;

//! Text normalisation and phrase matching for routing incident descriptions.
//!
//! Matrix authors write phrases such as `cannot log in` or `access denied`; people
//! reporting incidents type `Can't log-in!!`, `ACCÈS REFUSÉ` or `logins failing`. This
//! module brings both sides to the same token form and then finds every phrase in a
//! description with one automaton pass whose cost does not depend on the number of
//! phrases.
//!
//! # Normalisation
//!
//! [`normalize`] is applied to descriptions, and the same code path is applied to
//! phrases and synonym members, so every rule below holds on both sides:
//!
//! 1. Characters are NFKD-decomposed, combining marks are dropped (`é` becomes `e`,
//!    `ﬁ` becomes `fi`, `²` becomes `2`) and letters are lower-cased.
//! 2. Every character that is not alphanumeric separates words: spaces, hyphens,
//!    quotes, parentheses, commas, colons, slashes, emoji and so on. Numbers stay
//!    tokens, and a thousands separator splits them (`40,000` is `40` `000`), which
//!    is harmless because phrases containing `40,000` split the same way.
//! 3. An apostrophe between two alphanumerics is removed instead of splitting the word
//!    (`can't` is lexed as `cant`, `user's` as `users`); straight, curly and modifier
//!    apostrophes are all treated this way.
//! 4. Negative contractions become two tokens: `cant`, `cannot` and `can't` all turn
//!    into `can not`, and likewise `won't`/`will not`, `doesn't`/`does not` and the other
//!    entries of [`NEGATIVE_CONTRACTIONS`]. The check runs on whole words only, so
//!    `cantaloupe` is untouched.
//! 5. Each remaining word is reduced with the Snowball English stemmer (`failing`,
//!    `failed`, `fails` become `fail`), then passed through [`STEM_EXCEPTIONS`], a short
//!    table for word families Snowball leaves apart (`failure` becomes `fail`,
//!    `broken` becomes `break`). Words containing a digit, and words longer than 40
//!    bytes (hashes, URLs run together), are kept verbatim.
//!
//! Every [`Token`] remembers the byte range of the original text it came from, so a
//! caller can quote or highlight exactly what matched. Both tokens of an expanded
//! contraction carry the range of the whole original word.
//!
//! Stems are memoised in a per-thread cache (bounded to 65,536 words, cleared when
//! full), because Snowball costs several times a hash lookup and support queues reuse a
//! small vocabulary. Building a [`PhraseIndex`] uses a private cache so matrix
//! vocabulary does not crowd out description words. Results never depend on the cache.
//!
//! # Matching
//!
//! [`PhraseIndex`] matches on whole tokens: every stem that occurs in some phrase
//! variant gets a small integer id, each variant becomes the sequence of its ids, and
//! all of them go into one Aho-Corasick automaton over ids, searched with overlapping
//! semantics. A description is looked up token by token (a stem no phrase contains
//! breaks every partial match), so a match always covers whole consecutive tokens:
//! `log` never matches inside `catalog` or `logo`, and `access denied` never matches
//! `denied access`. Per-description work is one hash lookup and a few trie steps per
//! token regardless of how many rules the matrix has. Working on ids instead of bytes
//! keeps the automaton to one state per distinct token prefix, which is what keeps a
//! matrix of 10,000 rules (about 320,000 variants) to a few megabytes.
//!
//! Variants are expanded once, when the index is built:
//!
//! * **Synonyms.** Wherever a phrase contains a member of a synonym group (as consecutive
//!   tokens, or written as one word, e.g. `login` for the member `log in`), a variant is
//!   added with each other member of the group in that place. Expansion is not applied
//!   to its own output, so groups do not chain into each other.
//! * **Written-together words.** Adjacent words of a phrase may also appear written as
//!   one word: the phrase `log in` also matches `login` and `logins`, and
//!   `cannot sign on to vpn` matches `can't signon to VPN`. The joined word goes through
//!   the same contraction and stemming steps as a typed word. Every combination of joins
//!   is generated for phrases with up to five joinable word boundaries; longer phrases
//!   get each single join plus the fully joined form, keeping the expansion bounded.
//!   Tokens that came from a contraction are never joined. The reverse direction is not
//!   inferred: a phrase written `login` does not match `log in` unless a synonym group
//!   says so.
//!
//! A phrase that expands to more than [`MAX_VARIANTS_PER_PHRASE`] variants is rejected
//! with [`TextError::TooManyVariants`] rather than silently truncated, and phrases or
//! synonym members longer than [`MAX_PHRASE_TOKENS`] tokens are rejected too.

mod index;
mod lexer;
mod stem;
#[cfg(test)]
mod tests;
mod variants;

pub use index::{PhraseHit, PhraseIndex};
pub use lexer::{Normalized, Token, normalize, normalize_phrase};
pub use stem::{NEGATIVE_CONTRACTIONS, STEM_EXCEPTIONS};
pub use variants::{MAX_PHRASE_TOKENS, MAX_VARIANTS_PER_PHRASE, phrase_variants};

/// Why a set of phrases or synonyms could not be turned into a [`PhraseIndex`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The phrase has no letters or digits, so it could never match anything.
    #[error("phrase #{index} {phrase:?} has no words left after normalisation")]
    EmptyPhrase {
        /// Position of the phrase in build order.
        index: usize,
        /// The phrase as the author wrote it.
        phrase: String,
    },
    /// A synonym group member has no letters or digits.
    #[error("synonym group #{group} member {member:?} has no words left after normalisation")]
    EmptySynonym {
        /// Position of the group in the synonym list.
        group: usize,
        /// The member as the author wrote it.
        member: String,
    },
    /// The phrase has more than [`MAX_PHRASE_TOKENS`] tokens; rules match short phrases.
    #[error("phrase #{index} {phrase:?} has more than {limit} words")]
    PhraseTooLong {
        /// Position of the phrase in build order.
        index: usize,
        /// The phrase as the author wrote it.
        phrase: String,
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A synonym group member has more than [`MAX_PHRASE_TOKENS`] tokens.
    #[error("synonym group #{group} member {member:?} has more than {limit} words")]
    SynonymTooLong {
        /// Position of the group in the synonym list.
        group: usize,
        /// The member as the author wrote it.
        member: String,
        /// The limit that was exceeded.
        limit: usize,
    },
    /// Synonyms and written-together forms multiply into too many variants; the phrase
    /// or its synonym groups need to be narrowed.
    #[error(
        "phrase #{index} {phrase:?} expands to more than {limit} variants through synonyms and joined words"
    )]
    TooManyVariants {
        /// Position of the phrase in build order.
        index: usize,
        /// The phrase as the author wrote it.
        phrase: String,
        /// The limit that was exceeded.
        limit: usize,
    },
    /// The automaton library refused the pattern set, e.g. because it is too large.
    #[error("cannot build the phrase automaton: {0}")]
    Automaton(String),
}

//! Unit and property tests for the `redact` module.

use proptest::prelude::*;
use regex::{Regex, RegexSet};

use super::checks::{iban_valid, is_year_list, looks_like_date, luhn_valid};
use super::{Redacted, Sensitive, detectors, redact};

/// Asserts that each input is redacted to the expected text and kinds.
fn assert_cases(cases: &[(&str, &str)], kinds: &[Sensitive]) {
    for (input, expected) in cases {
        let got = redact(input);
        assert_eq!(got.text, *expected, "input: {input:?}");
        assert_eq!(got.found, kinds, "input: {input:?}");
    }
}

/// Asserts that each input comes back byte-identical with nothing found.
fn assert_untouched(inputs: &[&str]) {
    for input in inputs {
        let got = redact(input);
        assert_eq!(got.text, *input, "must not be redacted");
        assert!(
            got.found.is_empty(),
            "input: {input:?} found {:?}",
            got.found
        );
    }
}

/// Appends the Luhn check digit to `payload`.
fn with_luhn_digit(payload: &str) -> String {
    (0..=9)
        .map(|d| format!("{payload}{d}"))
        .find(|candidate| luhn_valid(candidate))
        .expect("one of ten check digits is valid")
}

#[test]
fn patterns_compile() {
    for pattern in detectors::patterns() {
        assert!(Regex::new(pattern).is_ok(), "pattern: {pattern}");
    }
    assert!(RegexSet::new(detectors::patterns()).is_ok());
    // Compiles every rule's lazily built regex too.
    assert!(detectors::find_unfiltered("").is_empty());
}

/// Texts that come close to each rule's prerequisite from both sides.
const NEAR_MISSES: &[&str] = &[
    "svc0001 is down",
    "Payroll flow fails since 9:00 and exposes employee bank details",
    "INC0012345678 reopened",
    "ab12 cd34 ef56 gh78",
    "xab12345678901234",
    "call 0301234 or (030) 1234567 or +4930123456",
    "call 00 49 30 123 or x0049301234567",
    "my paſſword is Sommer2026!",
    "PAſſWORD: hunter22",
    "token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAKAAAAA",
    "secret: ſſſſſſſſſſſſſſſſſſſſſſſſſſſſſſſſ",
    "pin is 1234",
    "https://user:pa55@example.org/",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "-----BEGIN RSA PRIVATE KEY-----\nabc",
    "4111 1111 1111 1111 and 123-45-6789 and AB 12 34 56 C",
    "1-800-555-1234 and (555) 123-4567",
    "2024 2025 2026",
];

#[test]
fn only_ascii_s_and_k_have_non_ascii_case_variants() {
    // The prerequisites of the case-insensitive rules assume this.
    let letter = Regex::new("(?i)^[a-z]$").unwrap();
    let folding: Vec<char> = (0x80..=0x10_ffff)
        .filter_map(char::from_u32)
        .filter(|c| letter.is_match(c.encode_utf8(&mut [0; 4])))
        .collect();
    assert_eq!(folding, ['\u{17f}', '\u{212a}']);
}

#[test]
fn prerequisites_hold_for_every_match_in_the_examples() {
    let regexes: Vec<Regex> = detectors::patterns()
        .map(|p| Regex::new(p).unwrap())
        .collect();
    for text in NEAR_MISSES {
        for (rank, (regex, may_match)) in regexes.iter().zip(detectors::prerequisites()).enumerate()
        {
            if regex.is_match(text) {
                assert!(
                    may_match(text),
                    "rule {rank} matches {text:?} but its prerequisite fails"
                );
            }
        }
        assert_eq!(
            detectors::find(text),
            detectors::find_unfiltered(text),
            "{text:?}"
        );
    }
}

#[test]
fn ordinary_descriptions_need_no_regex() {
    // The fast path: no rule's prerequisite holds, so nothing is compiled.
    for text in [
        "svc0001 is down",
        "Payroll flow fails since 9:00 and exposes employee bank details",
        "Can't log in since the update, error 429 on v1.4.0",
    ] {
        let candidates: Vec<usize> = detectors::prerequisites()
            .enumerate()
            .filter(|(_, may_match)| may_match(text))
            .map(|(rank, _)| rank)
            .collect();
        assert!(candidates.is_empty(), "{text:?}: rules {candidates:?}");
    }
    // And each prerequisite does let its own kind through.
    assert_eq!(redact("mail bob@example.org").found, [Sensitive::Email]);
    assert_eq!(redact("call 1-800-555-1234").found, [Sensitive::Phone]);
}

#[test]
fn markers_and_order() {
    let markers: Vec<&str> = Sensitive::ALL.iter().map(|k| k.marker()).collect();
    assert_eq!(
        markers,
        [
            "[email]",
            "[phone]",
            "[card]",
            "[iban]",
            "[national-id]",
            "[secret]"
        ]
    );
    let mut sorted = Sensitive::ALL;
    sorted.sort();
    assert_eq!(sorted, Sensitive::ALL);
}

#[test]
fn emails() {
    assert_cases(
        &[
            ("alice@example.com", "[email]"),
            (
                "mail bob.smith+billing@mail.corp.example.co.uk.",
                "mail [email].",
            ),
            ("<ops-team_01@sub.domain.io>", "<[email]>"),
            ("From: Jörg.Müller@beispiel.de, cc X", "From: [email], cc X"),
            ("two: a@b.cd and e.f@g.hi", "two: [email] and [email]"),
        ],
        &[Sensitive::Email],
    );
    assert_untouched(&["user@localhost", "@channel please look", "a @ b . com"]);
}

#[test]
fn phones_international() {
    assert_cases(
        &[
            ("+49 30 1234567", "[phone]"),
            ("call +1 (555) 123-4567 now", "call [phone] now"),
            ("0049 30 1234567", "[phone]"),
            ("+44 20 7946 0958", "[phone]"),
            ("+33 6 12 34 56 78", "[phone]"),
            ("+49 (0)30 1234567", "[phone]"),
            ("+4915112345678", "[phone]"),
            ("004915112345678", "[phone]"),
            ("+1-555-123-4567.", "[phone]."),
        ],
        &[Sensitive::Phone],
    );
}

#[test]
fn phones_national() {
    assert_cases(
        &[
            ("030 1234 5678", "[phone]"),
            ("(030) 1234 5678", "[phone]"),
            ("0171/1234567", "[phone]"),
            ("(555) 123-4567", "[phone]"),
            ("555-123-4567", "[phone]"),
            ("555.123.4567", "[phone]"),
            ("1-800-555-1234", "[phone]"),
        ],
        &[Sensitive::Phone],
    );
}

#[test]
fn phone_does_not_swallow_a_following_time() {
    assert_cases(
        &[
            ("call +49 30 1234567 at 17:30", "call [phone] at 17:30"),
            (
                "ring 030 1234 5678 17:30 latest",
                "ring [phone] 17:30 latest",
            ),
        ],
        &[Sensitive::Phone],
    );
    // Too short, or date-shaped, is not a phone number.
    assert_untouched(&[
        "555-1234",
        "+49 30",
        "03-06-2026",
        "01 02 2026",
        "06 03 2026",
    ]);
}

#[test]
fn cards() {
    assert_cases(
        &[
            ("4111 1111 1111 1111", "[card]"),
            ("card 4111-1111-1111-1111 declined", "card [card] declined"),
            ("4111111111111111", "[card]"),
            ("5500 0000 0000 0004", "[card]"),
            ("Amex 3782 822463 10005", "Amex [card]"),
            ("378282246310005", "[card]"),
            ("6011111111111117", "[card]"),
            ("4222222222222", "[card]"),
            ("card:4111111111111111.", "card:[card]."),
        ],
        &[Sensitive::Card],
    );
    let nineteen = with_luhn_digit("620000000000000000");
    assert_eq!(nineteen.len(), 19);
    assert_eq!(redact(&nineteen).text, "[card]");
}

#[test]
fn luhn_failing_long_numbers_are_national_ids() {
    assert_cases(
        &[
            ("4111111111111112", "[national-id]"),
            ("id 1234 5678 9012 3456 here", "id [national-id] here"),
            ("1234-5678-9012", "[national-id]"),
            // A Luhn-valid number with a leading 0 is not a card either.
            ("0000000000000000", "[national-id]"),
        ],
        &[Sensitive::NationalId],
    );
    assert_untouched(&["releases 2024 2025 2026"]);
}

#[test]
fn ibans() {
    assert_cases(
        &[
            ("DE89 3704 0044 0532 0130 00", "[iban]"),
            (
                "IBAN: DE89370400440532013000, thanks",
                "IBAN: [iban], thanks",
            ),
            ("GB82 WEST 1234 5698 7654 32", "[iban]"),
            ("NL91ABNA0417164300", "[iban]"),
            ("FR14 2004 1010 0505 0001 3M02 606", "[iban]"),
            ("gb82west12345698765432", "[iban]"),
            ("DE89 3704 0044 0532 0130 00 and more", "[iban] and more"),
        ],
        &[Sensitive::Iban],
    );
    // A wrong check sum is not reported as an IBAN (its digit groups may
    // still trip other rules).
    for bad in ["DE00 3704 0044 0532 0130 00", "GB82WEST12345698765433"] {
        assert!(!redact(bad).found.contains(&Sensitive::Iban), "{bad}");
    }
    assert_untouched(&["GB82WEST12345698765433", "AB12 rest of the sentence"]);
}

#[test]
fn national_ids() {
    assert_cases(
        &[
            ("SSN 123-45-6789", "SSN [national-id]"),
            ("123 45 6789", "[national-id]"),
            ("NI AB123456C.", "NI [national-id]."),
            ("AB 12 34 56 C", "[national-id]"),
            ("ab123456c", "[national-id]"),
            ("customer 123456789", "customer [national-id]"),
            ("ID:98765432101", "ID:[national-id]"),
        ],
        &[Sensitive::NationalId],
    );
    // Never-issued SSNs, invalid NINO prefixes, short runs.
    assert_untouched(&[
        "000-12-3456",
        "666-12-3456",
        "123-00-4567",
        "QQ123456C",
        "GB123456A",
        "12345678",
        "INC0012345678",
    ]);
}

#[test]
fn secrets_token_formats() {
    let ghp = format!("ghp_{}", "a1B2c3D4e5".repeat(4));
    let cases = [
        ("key sk-proj-abcdefghijklmnopqrstuvwx123", "key [secret]"),
        ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "[secret]"),
        (ghp.as_str(), "[secret]"),
        ("aws AKIAIOSFODNN7EXAMPLE used", "aws [secret] used"),
        ("xoxb-1234567890-abcdefghij", "[secret]"),
        ("AIzaSyA1234567890abcdefghijklmnopqrstuv", "[secret]"),
        (
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "jwt [secret]",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- after",
            "[secret] after",
        ),
    ];
    assert_cases(&cases, &[Sensitive::Secret]);
}

#[test]
fn secrets_after_keywords() {
    let value = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0MTIz";
    let cases = [
        (format!("api_key={value}"), "api_key=[secret]"),
        (format!("token: {value}"), "token: [secret]"),
        (format!("the secret is {value}."), "the secret is [secret]."),
        (
            format!("{{\"client_secret\": \"{value}\"}}"),
            "{\"client_secret\": \"[secret]\"}",
        ),
        (
            format!("Authorization: Bearer {value}"),
            "Authorization: Bearer [secret]",
        ),
        (format!("x-api-key {value}"), "x-api-key [secret]"),
        ("password=hunter22!".to_owned(), "password=[secret]"),
        (
            "db_password: 'my secret pass'".to_owned(),
            "db_password: '[secret]'",
        ),
        ("PWD=\"abc\" set".to_owned(), "PWD=\"[secret]\" set"),
    ];
    for (input, expected) in &cases {
        let got = redact(input);
        assert_eq!(got.text, *expected, "input: {input:?}");
        assert_eq!(got.found, [Sensitive::Secret]);
    }
    let url = redact("postgres://admin:s3cr3t@db.internal:5432/app");
    assert_eq!(url.text, "postgres://[secret]:5432/app");
    assert_untouched(&[
        "key rotation failed",
        "token expired after 3 nights",
        "password reset link broken",
        "secret santa",
        "the key is short: abc123",
        "monkey: Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0MTIz",
    ]);
}

#[test]
fn ordinary_incident_text_is_untouched() {
    assert_untouched(&[
        "since 9:00",
        "down until 17:30",
        "2026-03-06",
        "06.03.2026",
        "03/06/2026",
        "2026-03-06T17:30:00Z",
        "2026-03-06 09:30",
        "40,000 records",
        "1,234,567,890 rows",
        "429 too many requests",
        "HTTP 503 from the gateway",
        "five departments",
        "3 nights",
        "v1.4.0",
        "version 10.22.333",
        "99.9% of requests",
        "50 % slower",
        "short numbers 7, 12 345, 1234",
        "INC-12345",
        "see PR #4821",
        "SAP S/4HANA and Outlook 365 and Teams",
        "192.168.1.10:8080",
        "error 0x80070005",
        "pi is 3.14159265358979",
        "took 1500ms, build 19045.3803",
    ]);
}

#[test]
fn full_paragraph_is_byte_identical() {
    let text = "Since 9:00 the Outlook app shows \"429 too many requests\" for five \
                departments; 40,000 records affected over 3 nights (v1.4.0, 99.5% \
                error rate, INC-12345, 2026-03-06 / 06.03.2026, until 17:30).\n\
                Ticket escalated to tier 2 — «Zugriff verweigert» ✓ 🙂";
    let got = redact(text);
    assert_eq!(got.text.as_bytes(), text.as_bytes());
    assert!(got.found.is_empty());
}

#[test]
fn mixed_sentence_with_several_kinds() {
    let text = "Customer jane.doe+vip@example.org (+49 30 1234567) paid with \
                4111 1111 1111 1111, refund to DE89 3704 0044 0532 0130 00; \
                SSN 123-45-6789, token sk-live-abcdefghijklmnopqrstuvwxyz.";
    let got = redact(text);
    assert_eq!(
        got.text,
        "Customer [email] ([phone]) paid with [card], refund to [iban]; \
         SSN [national-id], token [secret]."
    );
    assert_eq!(got.found, Sensitive::ALL);
}

#[test]
fn found_is_sorted_and_deduplicated() {
    let got = redact("555-123-4567 or a@b.cd or 030 1234 5678 or c@d.ef");
    assert_eq!(got.text, "[phone] or [email] or [phone] or [email]");
    assert_eq!(got.found, [Sensitive::Email, Sensitive::Phone]);
}

#[test]
fn overlapping_hits_merge_under_the_strongest_kind() {
    // The email's local part is also a 9+ digit run.
    assert_cases(&[("123456789@example.com", "[email]")], &[Sensitive::Email]);
    // The password value and the email overlap.
    assert_cases(
        &[("password=abc@example.com", "password=[secret]")],
        &[Sensitive::Secret],
    );
}

#[test]
fn unicode_around_matches() {
    let cases = [
        (
            "Kunde Jörg 🙂 jörg@beispiel.de → Rückruf +49 30 1234567 ✓",
            "Kunde Jörg 🙂 [email] → Rückruf [phone] ✓",
        ),
        ("電話:+81 3-1234-5678です", "電話:[phone]です"),
        ("ÄÖÜ4111111111111111ß", "ÄÖÜ[card]ß"),
        ("«123-45-6789»", "«[national-id]»"),
        ("Konto: DE89370400440532013000…", "Konto: [iban]…"),
        ("🙂a@b.cd🙂", "🙂[email]🙂"),
    ];
    for (input, expected) in cases {
        assert_eq!(redact(input).text, expected, "input: {input:?}");
    }
}

#[test]
fn existing_markers_are_left_alone() {
    assert_untouched(&[
        "[email] [phone] [card] [iban] [national-id] [secret]",
        "password: [secret]",
        "[national-id]@example.com",
    ]);
}

#[test]
fn idempotent_on_examples() {
    let examples = [
        "Customer jane@example.org called from +1 (555) 123-4567 about 4111111111111111",
        "4111111111111111.123456789",
        "DE89370400440532013000.123456789.123456789",
        "password: hunter22 token=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0MTIz",
        "postgres://admin:s3cr3t@db.internal:5432/app",
        "+49 30 1234567 17:30 123-45-6789",
    ];
    for text in examples {
        let once = redact(text);
        let twice = redact(&once.text);
        assert_eq!(twice.text, once.text, "input: {text:?}");
        assert!(twice.found.is_empty(), "input: {text:?}");
    }
}

#[test]
fn luhn_helper() {
    for valid in [
        "4111111111111111",
        "79927398713",
        "4111 1111 1111 1111",
        "3782-822463-10005",
        "00",
    ] {
        assert!(luhn_valid(valid), "{valid}");
    }
    for invalid in [
        "4111111111111112",
        "79927398710",
        "",
        "0",
        "4111x111",
        "１２",
    ] {
        assert!(!luhn_valid(invalid), "{invalid}");
    }
}

#[test]
fn mod97_helper() {
    for valid in [
        "DE89370400440532013000",
        "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432",
        "gb82 west 1234 5698 7654 32",
        "NL91ABNA0417164300",
        "FR1420041010050500013M02606",
    ] {
        assert!(iban_valid(valid), "{valid}");
    }
    for invalid in [
        "DE88370400440532013000",
        "GB82WEST12345698765433",
        "DE8937040044",
        "1289370400440532013000",
        "DEXX370400440532013000",
        "DE89-3704-0044-0532-0130-00",
        "DE8937040044053201300012345678901234567",
        "",
    ] {
        assert!(!iban_valid(invalid), "{invalid}");
    }
}

#[test]
fn shape_helpers() {
    assert!(looks_like_date("03-06-2026"));
    assert!(looks_like_date("2026/3/6"));
    assert!(!looks_like_date("030 1234 5678"));
    assert!(is_year_list("2024 2025 2026"));
    assert!(!is_year_list("2024 2025 3026"));
}

/// A Luhn-valid card number of 13 to 19 digits, never starting with 0.
fn card_digits() -> impl Strategy<Value = String> {
    (1u8..=9, prop::collection::vec(0u8..=9, 11..=17)).prop_map(|(first, rest)| {
        let payload: String = std::iter::once(first)
            .chain(rest)
            .map(|d| char::from(b'0' + d))
            .collect();
        with_luhn_digit(&payload)
    })
}

/// Groups of four separated by `sep`.
fn grouped(digits: &str, sep: char) -> String {
    let chars: Vec<char> = digits.chars().collect();
    chars
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(&sep.to_string())
}

fn email_address() -> impl Strategy<Value = String> {
    (
        "[a-z0-9]([a-z0-9._+-]{0,12}[a-z0-9])?",
        prop::collection::vec("[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", 1..=3),
        "[a-z]{2,6}",
    )
        .prop_map(|(local, labels, tld)| format!("{local}@{}.{tld}", labels.join(".")))
}

/// Filler words: Unicode letters, plain numbers, punctuation, emoji.
fn filler() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        "[\\p{L}]{1,8}|[0-9]{1,4}|[,.;!?()\\-]|[😀-🙏]|ünïcödé",
        0..8,
    )
}

fn embed(before: &[String], item: &str, after: &[String]) -> String {
    before
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(item))
        .chain(after.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pieces for idempotence: sensitive samples, numbers, words, separators.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a@b.cd".to_owned()),
        Just("4111111111111111".to_owned()),
        Just("+49 30 1234567".to_owned()),
        Just("DE89370400440532013000".to_owned()),
        Just("123-45-6789".to_owned()),
        Just("password: hunter22".to_owned()),
        Just("token=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0MTIz".to_owned()),
        Just("[secret]".to_owned()),
        "[0-9]{1,12}",
        "[a-zA-Zé]{1,6}",
        "[ .,:@+()/-]{1,2}",
    ]
}

/// Pieces near the prerequisites: keywords, prefixes, digit groups, symbols.
fn prerequisite_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        fragment(),
        Just("password".to_owned()),
        Just("PaſſWd".to_owned()),
        Just(" is ".to_owned()),
        Just("pin".to_owned()),
        Just("token=".to_owned()),
        Just("://".to_owned()),
        Just("sk-".to_owned()),
        Just("eyJ".to_owned()),
        Just("AKIA".to_owned()),
        Just("ghp_".to_owned()),
        Just("xoxb-".to_owned()),
        Just("npm_".to_owned()),
        Just("sk_live_".to_owned()),
        Just("AIza".to_owned()),
        Just("-----BEGIN PRIVATE KEY-----".to_owned()),
        "[a-z0-9]{8,40}",
        Just("(0".to_owned()),
        Just("00".to_owned()),
        "[A-Za-z0-9+/_=-]{1,40}",
        "[0-9]{1,5}",
        "[ .()/+-]{1,2}",
    ]
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        let got = redact(&text);
        prop_assert_eq!(redact(&got.text).text, got.text);
    }

    #[test]
    fn never_panics_on_number_soup(text in "[0-9 +()@.,:/a-zA-Z€é-]{0,120}") {
        let got = redact(&text);
        prop_assert_eq!(redact(&got.text).text, got.text);
    }

    #[test]
    fn plain_words_are_byte_identical(text in "[\\p{L} ,.!?]{0,120}") {
        prop_assert_eq!(redact(&text), Redacted { text: text.clone(), found: Vec::new() });
    }

    #[test]
    fn embedded_email_never_survives(
        email in email_address(),
        before in filler(),
        after in filler(),
    ) {
        let got = redact(&embed(&before, &email, &after));
        prop_assert!(!got.text.contains(&email), "{:?}", got.text);
        prop_assert!(got.found.contains(&Sensitive::Email));
    }

    #[test]
    fn embedded_card_never_survives(
        digits in card_digits(),
        style in 0usize..3,
        before in filler(),
        after in filler(),
    ) {
        let card = match style {
            0 => digits.clone(),
            1 => grouped(&digits, ' '),
            _ => grouped(&digits, '-'),
        };
        let got = redact(&embed(&before, &card, &after));
        prop_assert!(!got.text.contains(&card), "{:?}", got.text);
        prop_assert!(!got.text.contains(&digits), "{:?}", got.text);
    }

    #[test]
    fn prerequisites_never_hide_a_match(parts in prop::collection::vec(prerequisite_fragment(), 0..10)) {
        let text = parts.concat();
        for (rank, (pattern, may_match)) in detectors::patterns().zip(detectors::prerequisites()).enumerate() {
            if Regex::new(pattern).unwrap().is_match(&text) {
                prop_assert!(may_match(&text), "rule {} matches {:?}", rank, text);
            }
        }
        prop_assert_eq!(detectors::find(&text), detectors::find_unfiltered(&text));
    }

    #[test]
    fn prerequisites_never_hide_a_match_in_number_soup(text in "[0-9 +()@.,:/=a-zA-Z€éſ_-]{0,80}") {
        prop_assert_eq!(detectors::find(&text), detectors::find_unfiltered(&text));
    }

    #[test]
    fn idempotent_on_mixed_fragments(parts in prop::collection::vec(fragment(), 0..12)) {
        let text = parts.concat();
        let once = redact(&text);
        let twice = redact(&once.text);
        prop_assert_eq!(&twice.text, &once.text);
        prop_assert!(twice.found.is_empty());
    }
}

#[test]
fn a_password_told_in_words_is_masked() {
    // Regression: "my password is Sommer2026!" was echoed verbatim.
    let out = redact("my password is Sommer2026! and it does not work");
    assert_eq!(out.text, "my password is [secret] and it does not work");
    assert_eq!(redact("my password is wrong").text, "my password is wrong");
}

/// A keyword value or a token that only reaches its length in lower-case
/// letters at the very end of the text: the one-pass prerequisites count
/// lower-case runs lazily and must still see them.
#[test]
fn values_ending_the_text_in_lower_case_are_redacted() {
    let value = format!("Q{}", "abcdefghijklmnopqrstuvwxyzabcdefgh");
    assert_eq!(redact(&format!("token: {value}")).text, "token: [secret]");
    assert_eq!(
        redact("the value glpat-abcdefghijklmnopqrst").text,
        "the value [secret]"
    );
    assert_eq!(redact("xoxb-abcdefghij").text, "[secret]");
}

/// Each token format at the shortest length its pattern accepts, all lower
/// case where the format allows it: the one-pass prerequisite (a run of 11 or
/// more word chars with an upper-case letter, `_` or `-`) must let every one
/// through.
#[test]
fn token_formats_at_their_shortest_are_redacted() {
    for token in [
        "eyJabcdefgh.abcdefgh.abcdefgh",
        "sk-abcdefghijklmnopqrst",
        "sk_test_abcdefghijklmnop",
        "ghp_abcdefghijklmnopqrstuvwxyz0123",
        "github_pat_abcdefghijklmnopqrstuvwxyz0123",
        "glpat-abcdefghijklmnopqrst",
        "xoxb-abcdefghij",
        "AKIA0000000000000000",
        "AIzaabcdefghijklmnopqrstuvwxyz012345678",
        "npm_abcdefghijklmnopqrstuvwxyz0123456789",
    ] {
        let got = redact(&format!("the value {token} leaked"));
        assert_eq!(got.text, "the value [secret] leaked", "{token}");
    }
    let key = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----";
    assert_eq!(redact(key).text, "[secret]");
}

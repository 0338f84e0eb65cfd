//! Small Markdown helpers: escaping, tables, code fences and heading levels.
//!
//! Everything the portal shows comes from the matrix, so every piece of matrix
//! text goes through [`text`] (or [`code`]) before it lands in a page: a `*`,
//! `_`, `<` or `|` in a summary must never turn into formatting, HTML or a
//! broken table.

use std::fmt::Write as _;

/// Matrix prose as one line of Markdown: runs of white space (the line breaks
/// of a multi-line TOML string) become one space, and characters that Markdown
/// or HTML would read as markup are escaped. A phone number typed into prose
/// (a tier's hand-off, how to ask for help) becomes `[phone]`: phone numbers
/// are private in the matrix, and only `--include-private` publishes them, as
/// the channels they are.
pub fn text(raw: &str) -> String {
    let raw = crate::redact::redact_kind(raw, crate::redact::Sensitive::Phone);
    let mut out = String::with_capacity(raw.len());
    for (i, word) in raw.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '\\' | '`' | '*' | '_' | '[' | ']' | '|' => {
                    out.push('\\');
                    out.push(c);
                }
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                _ => out.push(c),
            }
        }
    }
    // A line that starts with `#`, `-`, `+`, `=` or `1.` would become a heading or a list.
    if out.starts_with(['#', '-', '+', '=']) {
        out.insert(0, '\\');
    }
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && out[digits..].starts_with(['.', ')']) {
        out.insert(digits, '\\');
    }
    out
}

/// A value as inline code, with a backtick fence longer than any run of
/// backticks inside it. Pipes are escaped, so the result is safe in a table.
pub fn code(raw: &str) -> String {
    let one_line = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let fence = "`".repeat(longest_run(&one_line, '`') + 1);
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", one_line.replace('|', "\\|"))
}

/// A fenced code block (`lang` may be empty) with a fence that the content cannot close.
pub fn fenced(lang: &str, body: &str) -> String {
    let fence = "`".repeat((longest_run(body, '`') + 1).max(3));
    let body = body.trim_end_matches('\n');
    format!("{fence}{lang}\n{body}\n{fence}\n")
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        if x == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// A pipe table. Cells must already be Markdown (built with [`text`] or [`code`]).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
    for row in rows {
        let cells: Vec<&str> = row
            .iter()
            .map(|c| if c.is_empty() { "" } else { c.as_str() })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// Moves every ATX heading outside code fences `by` levels deeper (at most to `######`).
pub fn demote_headings(markdown: &str, by: usize) -> String {
    let mut out = String::with_capacity(markdown.len() + 64);
    let mut fence: Option<usize> = None;
    for line in markdown.split_inclusive('\n') {
        let ticks = line.chars().take_while(|&c| c == '`').count();
        match fence {
            Some(open) => {
                if ticks >= open && line[ticks..].trim().is_empty() {
                    fence = None;
                }
                out.push_str(line);
            }
            None if ticks >= 3 => {
                fence = Some(ticks);
                out.push_str(line);
            }
            None => {
                let hashes = line.chars().take_while(|&c| c == '#').count();
                if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
                    out.push_str(&"#".repeat((hashes + by).min(6)));
                    out.push_str(&line[hashes..]);
                } else {
                    out.push_str(line);
                }
            }
        }
    }
    out
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_joins_lines() {
        assert_eq!(
            text("a *b*\n  c_d <e> | f"),
            "a \\*b\\* c\\_d &lt;e&gt; \\| f"
        );
        assert_eq!(text("# not a heading"), "\\# not a heading");
        assert_eq!(text("1. not a list"), "1\\. not a list");
        assert_eq!(code("a`b|c"), "``a`b\\|c``");
        assert_eq!(fenced("text", "x ``` y"), "````text\nx ``` y\n````\n");
    }

    #[test]
    fn phone_numbers_in_prose_are_masked_and_addresses_kept() {
        assert_eq!(
            text("Out of hours call +49 30 5550 2000 or mail ops@example.org."),
            "Out of hours call \\[phone\\] or mail ops@example.org."
        );
        assert_eq!(text("Ring (555) 123-4567 now"), "Ring \\[phone\\] now");
        // Times, dates, versions and counts are not phone numbers.
        assert_eq!(
            text("Open 09:00-17:00 from 2026-12-03, v1.4.0, 40,000 users"),
            "Open 09:00-17:00 from 2026-12-03, v1.4.0, 40,000 users"
        );
    }

    #[test]
    fn demotes_headings_outside_fences() {
        let md = "# A\n```\n# code\n```\n## B\n#hashtag\n";
        assert_eq!(
            demote_headings(md, 1),
            "## A\n```\n# code\n```\n### B\n#hashtag\n"
        );
    }

    #[test]
    fn lists_in_words() {
        let v = |s: &[&str]| s.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(and_list(&v(&[])), "");
        assert_eq!(and_list(&v(&["a"])), "a");
        assert_eq!(and_list(&v(&["a", "b", "c"])), "a, b and c");
    }
}

//! `--inject FILE`: fill the marked sections of a hand-written page.
//!
//! A section is a pair of marker comments, each alone on its line:
//!
//! ```text
//! <!-- escalate:begin sla -->
//! (replaced by the `sla` page)
//! <!-- escalate:end sla -->
//! ```
//!
//! `PAGE` is a page name ([`super::PageId::slug`]: `overview`, `severities`,
//! `tiers`, `sla`, `decisions`, `flow`, `scripts`, `quick-reference`,
//! `contacts`). Only the lines between the markers are replaced, by the page
//! with its headings one level deeper and a blank line on each side; the
//! markers and everything outside them stay byte for byte. Injecting twice
//! gives the same file. A page may hold several sections.
//!
//! Every problem is reported with `file:line`: a begin without its end, an
//! end without a begin before it (a misordered pair), a marker repeated, a
//! section inside another, an unknown page, a malformed marker, and a file
//! without any marker.

use super::PageId;

/// A section found in a file: which page, and the byte range of its content.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Section {
    page: PageId,
    /// Byte offset just after the begin marker's line.
    content_start: usize,
    /// Byte offset of the start of the end marker's line.
    content_end: usize,
    /// Whether the begin marker's line ends with `\r\n`.
    crlf: bool,
}

enum Marker {
    Begin(String),
    End(String),
}

/// Reads a marker line: `<!-- escalate:begin PAGE -->`. `Err` for a line that
/// mentions `escalate:begin` or `escalate:end` but is not a well-formed marker.
fn marker(line: &str) -> Result<Option<Marker>, String> {
    let t = line.trim();
    if !t.contains("escalate:begin") && !t.contains("escalate:end") {
        return Ok(None);
    }
    let malformed = || {
        format!(
            "malformed marker `{t}`: write `<!-- escalate:begin PAGE -->` or `<!-- escalate:end PAGE -->` alone on its line"
        )
    };
    let inner = t
        .strip_prefix("<!--")
        .and_then(|r| r.strip_suffix("-->"))
        .ok_or_else(malformed)?
        .trim();
    let mut words = inner.split_whitespace();
    let (Some(kind), Some(page), None) = (words.next(), words.next(), words.next()) else {
        return Err(malformed());
    };
    match kind {
        "escalate:begin" => Ok(Some(Marker::Begin(page.to_string()))),
        "escalate:end" => Ok(Some(Marker::End(page.to_string()))),
        _ => Err(malformed()),
    }
}

fn known_pages() -> String {
    PageId::ALL
        .iter()
        .map(|p| p.slug())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Finds the sections of `text`; `file` names it in messages.
fn sections(text: &str, file: &str) -> Result<Vec<Section>, Vec<String>> {
    let mut problems = Vec::new();
    let mut found = Vec::new();
    // The open section: page, line, content start, crlf.
    let mut open: Option<(PageId, usize, usize, bool)> = None;
    let mut seen_begin: Vec<(PageId, usize)> = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = index + 1;
        let start = offset;
        offset += line.len();
        let m = match marker(line) {
            Ok(Some(m)) => m,
            Ok(None) => continue,
            Err(message) => {
                problems.push(format!("{file}:{number}: {message}"));
                continue;
            }
        };
        let name = match &m {
            Marker::Begin(p) | Marker::End(p) => p.clone(),
        };
        let Some(page) = PageId::from_slug(&name) else {
            problems.push(format!(
                "{file}:{number}: unknown page `{name}`; the pages are {}",
                known_pages()
            ));
            continue;
        };
        match m {
            Marker::Begin(_) => {
                if let Some((open_page, open_line, _, _)) = open {
                    problems.push(format!(
                        "{file}:{number}: `escalate:begin {name}` inside the `{}` section opened at line {open_line}; close it first with `<!-- escalate:end {} -->`",
                        open_page.slug(),
                        open_page.slug()
                    ));
                    continue;
                }
                if let Some((_, first)) = seen_begin.iter().find(|(p, _)| *p == page) {
                    problems.push(format!(
                        "{file}:{number}: duplicated marker `escalate:begin {name}` (the first is at line {first})"
                    ));
                }
                seen_begin.push((page, number));
                open = Some((page, number, offset, line.ends_with("\r\n")));
            }
            Marker::End(_) => match open {
                Some((open_page, _, content_start, crlf)) if open_page == page => {
                    found.push(Section {
                        page,
                        content_start,
                        content_end: start,
                        crlf,
                    });
                    open = None;
                }
                Some((open_page, open_line, _, _)) => problems.push(format!(
                    "{file}:{number}: `escalate:end {name}` does not close the `{}` section opened at line {open_line}",
                    open_page.slug()
                )),
                None => {
                    let later_begin = text
                        .split_inclusive('\n')
                        .enumerate()
                        .skip(number)
                        .find(|(_, l)| matches!(marker(l), Ok(Some(Marker::Begin(p))) if p == name))
                        .map(|(i, _)| i + 1);
                    match later_begin {
                        Some(begin) => problems.push(format!(
                            "{file}:{number}: misordered markers: `escalate:end {name}` comes before `escalate:begin {name}` at line {begin}"
                        )),
                        None if seen_begin.iter().any(|(p, _)| *p == page) => problems.push(format!(
                            "{file}:{number}: duplicated marker `escalate:end {name}`: its section is already closed"
                        )),
                        None => problems.push(format!(
                            "{file}:{number}: `escalate:end {name}` has no `<!-- escalate:begin {name} -->` before it"
                        )),
                    }
                }
            },
        }
    }
    if let Some((page, line, _, _)) = open {
        problems.push(format!(
            "{file}:{line}: `escalate:begin {}` has no matching `<!-- escalate:end {} -->` after it",
            page.slug(),
            page.slug()
        ));
    }
    if problems.is_empty() && found.is_empty() {
        problems.push(format!(
            "{file}:1: no `<!-- escalate:begin PAGE -->` marker found; add a pair around the place to fill (pages: {})",
            known_pages()
        ));
    }
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

/// The pages a file's markers name, in file order.
pub fn pages(text: &str, file: &str) -> Result<Vec<PageId>, Vec<String>> {
    Ok(sections(text, file)?.into_iter().map(|s| s.page).collect())
}

/// `text` with each marked section's content replaced by `render(page)`
/// (headings one level deeper, a blank line on each side).
pub fn inject(
    text: &str,
    file: &str,
    render: impl Fn(PageId) -> String,
) -> Result<String, Vec<String>> {
    let found = sections(text, file)?;
    let mut out = String::with_capacity(text.len() + 4096);
    let mut at = 0;
    for s in found {
        out.push_str(&text[at..s.content_start]);
        let body = super::markdown::demote_headings(&render(s.page), 1);
        let mut content = format!("\n{}\n\n", body.trim_end_matches('\n'));
        if s.crlf {
            content = content.replace('\n', "\r\n");
        }
        out.push_str(&content);
        at = s.content_end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(text: &str) -> Result<String, Vec<String>> {
        inject(text, "page.md", |p| format!("# {}\n\nbody\n", p.slug()))
    }

    #[test]
    fn replaces_only_between_markers() {
        let text =
            "# Mine\n\nintro\n<!-- escalate:begin sla -->\nold\n<!-- escalate:end sla -->\noutro\n";
        let out = fill(text).unwrap();
        assert_eq!(
            out,
            "# Mine\n\nintro\n<!-- escalate:begin sla -->\n\n## sla\n\nbody\n\n<!-- escalate:end sla -->\noutro\n"
        );
        assert_eq!(fill(&out).unwrap(), out, "idempotent");
    }

    #[test]
    fn keeps_crlf() {
        let text = "a\r\n<!-- escalate:begin flow -->\r\n<!-- escalate:end flow -->\r\nb\r\n";
        let out = fill(text).unwrap();
        assert!(out.starts_with("a\r\n<!-- escalate:begin flow -->\r\n\r\n## flow\r\n"));
        assert!(out.ends_with("body\r\n\r\n<!-- escalate:end flow -->\r\nb\r\n"));
    }

    #[test]
    fn clear_errors_with_lines() {
        let e = fill("x\n<!-- escalate:begin sla -->\n").unwrap_err();
        assert_eq!(
            e,
            vec![
                "page.md:2: `escalate:begin sla` has no matching `<!-- escalate:end sla -->` after it"
            ]
        );
        let e = fill("<!-- escalate:end sla -->\n<!-- escalate:begin sla -->\n").unwrap_err();
        assert!(e[0].starts_with("page.md:1: misordered markers"), "{e:?}");
        let e = fill("<!-- escalate:end sla -->\n").unwrap_err();
        assert!(
            e[0].contains("has no `<!-- escalate:begin sla -->` before it"),
            "{e:?}"
        );
        let e = fill(
            "<!-- escalate:begin sla -->\n<!-- escalate:end sla -->\n<!-- escalate:begin sla -->\n<!-- escalate:end sla -->\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            vec!["page.md:3: duplicated marker `escalate:begin sla` (the first is at line 1)"]
        );
        let e = fill("<!-- escalate:begin nope -->\n").unwrap_err();
        assert!(e[0].starts_with("page.md:1: unknown page `nope`"), "{e:?}");
        let e = fill("<!-- escalate:begin -->\n").unwrap_err();
        assert!(e[0].starts_with("page.md:1: malformed marker"), "{e:?}");
        let e = fill("nothing here\n").unwrap_err();
        assert!(
            e[0].starts_with("page.md:1: no `<!-- escalate:begin PAGE -->` marker"),
            "{e:?}"
        );
        let e = fill("<!-- escalate:begin sla -->\n<!-- escalate:begin flow -->\n<!-- escalate:end sla -->\n").unwrap_err();
        assert!(
            e[0].starts_with(
                "page.md:2: `escalate:begin flow` inside the `sla` section opened at line 1"
            ),
            "{e:?}"
        );
    }
}

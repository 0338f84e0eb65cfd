//! `escalate publish`: the matrix as Markdown pages for an internal portal
//! (`MkDocs`, Backstage `TechDocs`, Docusaurus, a wiki).
//!
//! Rendering is pure: [`render`] turns a validated matrix into a [`Site`], a
//! list of files with their contents, in memory. The same matrix, options and
//! date always give the same bytes: nothing depends on the machine, the clock
//! (except through [`Options::now`], which decides which holidays are still
//! upcoming) or the tool version (unless [`Options::stamp`] asks for it), and
//! every list keeps a documented order.
//!
//! [`output`] writes a site atomically into a folder it owns (tracked by a
//! manifest file), or compares it with what is on disk; [`inject`] fills the
//! marked sections of a hand-written page.

pub mod inject;
pub mod markdown;
mod mermaid;
pub mod output;
mod pages;

use crate::matrix::Matrix;
use crate::validate::checks::Checked;
use chrono::{DateTime, Utc};
use std::fmt::Write as _;

/// The pages of the portal, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageId {
    /// What the matrix is, its version, owner, last review and how to ask for help.
    Overview,
    /// Severity levels with their definitions, targets and escalation steps.
    Severities,
    /// Tiers: scope, owner, backup, channels, when to escalate.
    Tiers,
    /// The SLA table (severity by tier) and the calendars.
    Sla,
    /// The decision matrix and the routing topics, in plain words.
    Decisions,
    /// The escalation flow as a Mermaid flowchart.
    Flow,
    /// The escalation scripts.
    Scripts,
    /// Who to call for what, and the glossary.
    QuickReference,
    /// Teams and contacts, public channels only unless asked.
    Contacts,
}

impl PageId {
    /// Every page, in navigation order.
    pub const ALL: [PageId; 9] = [
        PageId::Overview,
        PageId::Severities,
        PageId::Tiers,
        PageId::Sla,
        PageId::Decisions,
        PageId::Flow,
        PageId::Scripts,
        PageId::QuickReference,
        PageId::Contacts,
    ];

    /// The page's name in marker comments and on the command line (`sla`).
    pub fn slug(self) -> &'static str {
        match self {
            PageId::Overview => "overview",
            PageId::Severities => "severities",
            PageId::Tiers => "tiers",
            PageId::Sla => "sla",
            PageId::Decisions => "decisions",
            PageId::Flow => "flow",
            PageId::Scripts => "scripts",
            PageId::QuickReference => "quick-reference",
            PageId::Contacts => "contacts",
        }
    }

    /// The page's file name (`index.md` for the overview).
    pub fn file_name(self) -> &'static str {
        match self {
            PageId::Overview => "index.md",
            PageId::Severities => "severities.md",
            PageId::Tiers => "tiers.md",
            PageId::Sla => "sla.md",
            PageId::Decisions => "decisions.md",
            PageId::Flow => "flow.md",
            PageId::Scripts => "scripts.md",
            PageId::QuickReference => "quick-reference.md",
            PageId::Contacts => "contacts.md",
        }
    }

    /// The page's title, as in the navigation.
    pub fn title(self) -> &'static str {
        match self {
            PageId::Overview => "Overview",
            PageId::Severities => "Severity levels",
            PageId::Tiers => "Support tiers",
            PageId::Sla => "Response and resolution targets",
            PageId::Decisions => "Decision matrix",
            PageId::Flow => "Escalation flow",
            PageId::Scripts => "Escalation scripts",
            PageId::QuickReference => "Quick reference",
            PageId::Contacts => "Contacts",
        }
    }

    /// What the page holds, in a line (for the overview's contents).
    pub fn blurb(self) -> &'static str {
        match self {
            PageId::Overview => "what this matrix is and how to ask for help",
            PageId::Severities => "what each severity level means, its targets and escalation",
            PageId::Tiers => "who handles what, how to reach them and when they escalate",
            PageId::Sla => "every target by severity and tier, the calendars and their holidays",
            PageId::Decisions => "which facts lead to which severity, and which topics go where",
            PageId::Flow => "the escalation flow as a diagram",
            PageId::Scripts => "what the front line says and does",
            PageId::QuickReference => "who to call for what, and the glossary of technical terms",
            PageId::Contacts => "teams and people, with their public channels",
        }
    }

    /// The page named by a slug.
    pub fn from_slug(slug: &str) -> Option<PageId> {
        PageId::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

/// How to render.
// Independent switches, one per command-line flag.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
pub struct Options {
    /// Show private channels (phone numbers and those listed under `private`).
    pub include_private: bool,
    /// One page (`index.md`) instead of one page per section.
    pub single_file: bool,
    /// Write a complete `mkdocs.yml` and put the pages under `docs/`.
    pub mkdocs: bool,
    /// Today, for upcoming holidays and clock stops (each calendar reads it in its own zone).
    pub now: DateTime<Utc>,
    /// Add a "generated by" line with the tool version and date to the overview.
    pub stamp: bool,
}

impl Options {
    /// Defaults: public fields only, one page per section, a navigation snippet.
    pub fn new(now: DateTime<Utc>) -> Self {
        Options {
            include_private: false,
            single_file: false,
            mkdocs: false,
            now,
            stamp: false,
        }
    }
}

/// A file of the published site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    /// The contents.
    pub contents: String,
}

/// Everything `publish` writes, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Site {
    /// The files.
    pub files: Vec<SiteFile>,
}

impl Site {
    /// The file at a relative path.
    pub fn get(&self, path: &str) -> Option<&SiteFile> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Why publishing failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Reading or writing failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The output folder is the matrix folder or inside it.
    #[error(
        "refusing to publish into {output}: it is inside the matrix folder {matrix}; choose a folder outside the matrix"
    )]
    InsideMatrix {
        /// The output folder.
        output: String,
        /// The matrix folder.
        matrix: String,
    },
    /// The output folder holds files that `publish` did not generate.
    #[error(
        "refusing to publish into {output}: it holds {} file{} that escalate publish did not generate ({}{}); use an empty folder, or --force to write anyway",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        files.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
        if files.len() > 5 { ", ..." } else { "" }
    )]
    Foreign {
        /// The output folder.
        output: String,
        /// The files, relative to the folder.
        files: Vec<String>,
    },
    /// The markers of an `--inject` file are wrong.
    #[error("{}", problems.join("\n"))]
    Markers {
        /// Each problem as `file:line: message`.
        problems: Vec<String>,
    },
}

impl PublishError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> PublishError {
        let context = context.into();
        move |source| PublishError::Io { context, source }
    }
}

/// Renders one page on its own, with its title as a level-1 heading.
///
/// `links` says whether the page may link to the other pages (false when the
/// page is embedded elsewhere, where those files do not exist).
pub fn render_page(
    matrix: &Matrix,
    checked: &Checked,
    options: &Options,
    page: PageId,
    links: bool,
) -> String {
    pages::Renderer::new(matrix, checked, options, links).page(page)
}

/// Renders the whole site in memory.
pub fn render(matrix: &Matrix, checked: &Checked, options: &Options) -> Site {
    let renderer = pages::Renderer::new(matrix, checked, options, !options.single_file);
    let prefix = if options.mkdocs { "docs/" } else { "" };
    let mut files = Vec::new();
    let nav: Vec<(&str, &str)> = if options.single_file {
        let mut text = String::new();
        let _ = writeln!(text, "# {}", markdown::text(&site_name(matrix)));
        for page in PageId::ALL {
            text.push('\n');
            text.push_str(&markdown::demote_headings(&renderer.page(page), 1));
        }
        files.push(SiteFile {
            path: format!("{prefix}index.md"),
            contents: text,
        });
        vec![("Escalation matrix", "index.md")]
    } else {
        for page in PageId::ALL {
            files.push(SiteFile {
                path: format!("{prefix}{}", page.file_name()),
                contents: renderer.page(page),
            });
        }
        PageId::ALL
            .iter()
            .map(|p| (p.title(), p.file_name()))
            .collect()
    };
    if options.mkdocs {
        files.insert(
            0,
            SiteFile {
                path: "mkdocs.yml".into(),
                contents: mkdocs_config(matrix, &nav),
            },
        );
    } else {
        files.push(SiteFile {
            path: NAV_SNIPPET.into(),
            contents: nav_snippet(&nav),
        });
    }
    Site { files }
}

/// The navigation snippet written without `--mkdocs`.
pub const NAV_SNIPPET: &str = "mkdocs-nav.yml";

fn site_name(matrix: &Matrix) -> String {
    matrix.manifest.as_ref().map_or_else(
        || "Escalation matrix".to_string(),
        |m| m.name.split_whitespace().collect::<Vec<_>>().join(" "),
    )
}

/// A YAML double-quoted string.
fn yaml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn nav_lines(nav: &[(&str, &str)], indent: &str) -> String {
    let mut out = String::new();
    for (title, file) in nav {
        let _ = writeln!(out, "{indent}- {}: {file}", yaml_string(title));
    }
    out
}

fn nav_snippet(nav: &[(&str, &str)]) -> String {
    let mut out = String::from(
        "# Navigation for the pages escalate publish wrote into this folder.\n\
         # Paste it into your mkdocs.yml; when this folder is not your docs_dir\n\
         # itself, prefix each file with the folder's path inside docs_dir.\n\
         # The mermaid flowchart needs the pymdownx.superfences custom fence:\n\
         # run `escalate publish --mkdocs` to see a complete configuration.\n\
         nav:\n",
    );
    out.push_str(&nav_lines(nav, "  "));
    out
}

fn mkdocs_config(matrix: &Matrix, nav: &[(&str, &str)]) -> String {
    let mut out = String::from(
        "# Generated by escalate publish --mkdocs. Build with `mkdocs build --strict`\n\
         # (pip install mkdocs pymdown-extensions).\n\
         # The flowchart is a `mermaid` fence rendered as <pre class=\"mermaid\">; to\n\
         # draw it in the browser use a theme that loads Mermaid (mkdocs-material\n\
         # does) or add mermaid.js under extra_javascript.\n",
    );
    let _ = writeln!(out, "site_name: {}", yaml_string(&site_name(matrix)));
    out.push_str(
        "docs_dir: docs\n\
         site_dir: site\n\
         # Plain file links (sla.html), so the built site also opens from disk.\n\
         use_directory_urls: false\n\
         theme:\n  name: mkdocs\n\
         markdown_extensions:\n  - tables\n  - toc:\n      permalink: true\n\
         \x20 - pymdownx.superfences:\n      custom_fences:\n        - name: mermaid\n          class: mermaid\n          format: !!python/name:pymdownx.superfences.fence_code_format\n\
         nav:\n",
    );
    out.push_str(&nav_lines(nav, "  "));
    out
}

//! Deterministic generator of large, realistic escalation matrices.
//!
//! Shared by the `gen_matrix` example, the benchmarks and the integration
//! tests (through `#[path]`), so that all of them measure and check the same
//! matrices. The same [`Params`] always give the same bytes: the generator
//! uses its own splitmix64 generator, seeded per section so that changing
//! the number of contacts does not change the rules, and never iterates a
//! hash map.

use std::fmt::Write as _;

/// Output syntax of the generated fragments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `*.toml` fragments.
    Toml,
    /// `*.yaml` fragments.
    Yaml,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Yaml => "yaml",
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Number of contacts (people), at least one per team.
    pub contacts: usize,
    /// Number of rules, overrides included.
    pub rules: usize,
    /// Seed of the pseudo-random choices.
    pub seed: u64,
    /// TOML or YAML.
    pub format: Format,
}

/// Contacts per contacts fragment file.
pub const CONTACTS_PER_FILE: usize = 1000;
/// Rules per rules fragment file.
pub const RULES_PER_FILE: usize = 1000;

/// A generated matrix: its fragment files and the vocabulary it routes on.
#[derive(Debug, Clone)]
pub struct Generated {
    /// (relative path, text) of every fragment, in a stable order.
    pub files: Vec<(String, String)>,
    /// The `any` phrases of every rule, in rule order.
    pub rule_phrases: Vec<Vec<String>>,
    /// The phrases of the decision dimensions' levels.
    pub dimension_phrases: Vec<String>,
}

impl Generated {
    /// The files as the loader takes them: (name, bytes).
    pub fn as_load_input(&self) -> Vec<(String, Vec<u8>)> {
        self.files
            .iter()
            .map(|(name, text)| (name.clone(), text.as_bytes().to_vec()))
            .collect()
    }

    /// Writes every fragment below `dir`, creating folders as needed.
    pub fn write_to(&self, dir: &std::path::Path) -> std::io::Result<()> {
        for (name, text) in &self.files {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)?;
        }
        Ok(())
    }

    /// Total size of the fragments in bytes.
    pub fn total_bytes(&self) -> usize {
        self.files.iter().map(|(_, text)| text.len()).sum()
    }
}

// ------------------------------------------------------------------ random

/// splitmix64: tiny, fast, and good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed and a stream number.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.next_u64() % n).unwrap_or(0)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with the given probability in percent.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// -------------------------------------------------------------- vocabulary

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "alex", "robin", "sam", "kim", "jordan", "charlie", "morgan", "taylor", "casey", "jamie",
    "riley", "avery", "quinn", "harper", "rowan", "sasha", "nico", "elena", "mateo", "lena",
    "jonas", "mila", "lukas", "sofia", "noah", "emma", "liam", "olivia", "ben", "hannah", "felix",
    "clara", "paul", "marie", "david", "anna", "tom", "julia", "max", "laura", "ahmed", "fatima",
    "yuki", "hiro", "mei", "wei", "priya", "arjun", "ines", "diego", "chloe", "lucas", "amelie",
    "leon", "zoe", "omar", "nora", "erik", "freya", "ivan",
];

#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "schmidt", "mueller", "weber", "fischer", "wagner", "becker", "hoffmann", "schulz", "koch",
    "richter", "klein", "wolf", "neumann", "schwarz", "braun", "zimmermann", "smith", "johnson",
    "brown", "garcia", "martin", "lopez", "gonzalez", "wilson", "anderson", "thomas", "moore",
    "jackson", "white", "harris", "clark", "lewis", "dubois", "lefebvre", "moreau", "laurent",
    "rossi", "russo", "ferrari", "bianchi", "nowak", "kowalski", "novak", "horvat", "jensen",
    "hansen", "nielsen", "berg", "tanaka", "suzuki", "sato", "chen", "wang", "li", "kumar",
    "singh", "patel", "khan", "silva", "santos", "costa", "oliveira",
];

#[rustfmt::skip]
const ZONES: &[&str] = &[
    "Europe/Lisbon", "Europe/London", "Europe/Paris", "Europe/Warsaw", "America/New_York",
    "America/Chicago", "Asia/Singapore", "Asia/Kolkata",
];

/// Business units: one app team each, more as the organisation grows.
#[rustfmt::skip]
const UNITS: &[&str] = &[
    "finance", "hr", "sales", "marketing", "procurement", "logistics", "legal", "facilities",
    "customer-service", "manufacturing", "quality", "research", "treasury", "tax", "payroll",
    "recruiting", "learning", "field-service", "retail", "e-commerce", "partner-management",
    "risk", "internal-audit", "communications", "investor-relations", "real-estate", "fleet",
    "health-safety", "sustainability", "product",
];

const REGIONS: &[&str] = &["emea", "americas", "apac", "dach", "nordics", "iberia"];

#[rustfmt::skip]
const SYSTEMS: &[&str] = &[
    "sap", "salesforce", "sharepoint", "workday", "servicenow", "dynamics", "netsuite", "hubspot",
    "zendesk", "jira", "confluence", "teams", "outlook", "excel", "power bi", "tableau",
    "snowflake", "docusign", "adobe sign", "coupa", "concur", "oracle", "quickbooks", "xero",
    "slack", "box", "dropbox", "google sheets", "airtable", "smartsheet", "monday", "asana",
    "trello", "mailchimp", "twilio", "stripe", "shopify", "okta", "azure ad", "sftp", "datev",
    "personio", "ariba", "successfactors", "qualtrics", "miro", "notion", "zoho", "freshdesk",
    "pipedrive",
];

#[rustfmt::skip]
const OBJECTS: &[&str] = &[
    "invoice", "purchase order", "timesheet", "expense report", "leave request",
    "onboarding checklist", "vendor record", "customer record", "contract", "quote", "sales order",
    "delivery note", "credit note", "payment run", "bank statement", "payroll file",
    "headcount report", "budget sheet", "forecast", "support ticket", "service case", "sales lead",
    "opportunity", "campaign", "newsletter", "survey", "training record", "asset register",
    "inventory list", "price list", "product catalog", "shipping label", "return request",
    "approval request", "access request", "change request", "incident report", "risk register",
    "policy document", "meeting minutes", "project plan", "status report", "time entry",
    "travel booking", "mileage claim", "purchase requisition", "goods receipt", "supplier invoice",
    "dunning letter", "customer complaint", "warranty claim", "service order", "work order",
    "maintenance request", "room booking", "visitor log", "badge request", "equipment loan",
    "license request", "sample request",
];

#[rustfmt::skip]
const COMPONENTS: &[&str] = &[
    "form", "flow", "app", "report", "dashboard", "list", "table", "template", "approval", "sync",
    "export", "import", "connector", "lookup", "field", "view", "trigger", "schedule",
    "notification", "reminder", "attachment", "workflow", "page", "gallery", "button",
];

#[rustfmt::skip]
const SYMPTOMS: &[&str] = &[
    "not saving", "not syncing", "stuck", "duplicated", "missing", "slow", "blank", "wrong totals",
    "wrong dates", "not sent", "sent twice", "overwritten", "truncated", "timing out",
    "not loading", "out of date", "rejected", "locked", "not visible", "empty", "not updating",
    "failing", "frozen", "misaligned", "late", "lost", "corrupted", "doubled", "skipped",
    "garbled",
];

#[rustfmt::skip]
const QUALIFIERS: &[&str] = &[
    "monthly", "weekly", "daily", "nightly", "quarterly", "regional", "global", "internal",
    "external", "shared", "new", "legacy", "emea", "apac", "americas", "german", "french",
    "mobile", "offline", "draft", "urgent", "bulk", "recurring", "automatic", "manual", "archived",
    "pending", "approved", "signed", "imported",
];

/// Contexts a rule may exclude with `none`.
#[rustfmt::skip]
const EXCLUSIONS: &[&str] = &[
    "how do i", "feature request", "test environment", "sandbox", "training course",
    "demo app", "proof of concept", "archived app", "personal productivity", "hackathon",
];

/// Words of descriptions that match no rule.
const NOISE: &[&str] = &[
    "the coffee machine on the third floor makes a strange noise",
    "could someone call me back about last week's question",
    "I would like to suggest an improvement for the intranet start page",
    "please add me to the mailing list for the next town hall",
    "the meeting room screen flickers during video calls",
    "where can I order a second monitor for home office",
];

const SCOPE_HINTS: &[&str] = &[
    "only me",
    "my team",
    "several users",
    "the whole department",
    "everyone in the company",
    "our customers",
    "colleagues in two offices",
    "just me",
];

const DATA_HINTS: &[&str] = &[
    "customer data",
    "salary",
    "personal data",
    "bank details",
    "internal data",
    "contract",
    "date of birth",
    "pricing",
];

// -------------------------------------------------------------- doc model

/// A value of a generated document.
#[derive(Debug, Clone)]
enum V {
    S(String),
    I(i64),
    Strs(Vec<String>),
    Map(Vec<(&'static str, V)>),
    List(Vec<Vec<(&'static str, V)>>),
}

type Entity = Vec<(&'static str, V)>;

#[derive(Debug)]
enum Section {
    Table(Entity),
    List(Vec<Entity>),
}

#[derive(Debug, Default)]
struct Fragment {
    header: Vec<String>,
    sections: Vec<(&'static str, Section)>,
}

fn s(text: impl Into<String>) -> V {
    V::S(text.into())
}

fn strs<I, T>(items: I) -> V
where
    I: IntoIterator<Item = T>,
    T: Into<String>,
{
    V::Strs(items.into_iter().map(Into::into).collect())
}

fn quote(text: &str) -> String {
    // The escapes of TOML basic strings and YAML double-quoted scalars agree
    // on everything generated here.
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn quote_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", inner.join(", "))
}

fn scalar(value: &V) -> Option<String> {
    match value {
        V::S(text) => Some(quote(text)),
        V::I(n) => Some(n.to_string()),
        V::Strs(items) => Some(quote_list(items)),
        V::Map(_) | V::List(_) => None,
    }
}

fn toml_inline(entries: &[(&'static str, V)]) -> String {
    let inner: Vec<String> = entries
        .iter()
        .filter_map(|(k, v)| scalar(v).map(|v| format!("{k} = {v}")))
        .collect();
    format!("{{ {} }}", inner.join(", "))
}

fn toml_table_body(out: &mut String, path: &str, entity: &Entity) {
    for (key, value) in entity {
        if let Some(text) = scalar(value) {
            let _ = writeln!(out, "{key} = {text}");
        }
    }
    for (key, value) in entity {
        match value {
            V::Map(entries) => {
                let _ = writeln!(out, "\n[{path}.{key}]");
                for (k, v) in entries {
                    match v {
                        V::Map(inner) => {
                            let _ = writeln!(out, "{k} = {}", toml_inline(inner));
                        }
                        other => {
                            if let Some(text) = scalar(other) {
                                let _ = writeln!(out, "{k} = {text}");
                            }
                        }
                    }
                }
            }
            V::List(items) => {
                for item in items {
                    let _ = writeln!(out, "\n[[{path}.{key}]]");
                    for (k, v) in item {
                        if let Some(text) = scalar(v) {
                            let _ = writeln!(out, "{k} = {text}");
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn to_toml(fragment: &Fragment) -> String {
    let mut out = String::new();
    for line in &fragment.header {
        let _ = writeln!(out, "# {line}");
    }
    for (name, section) in &fragment.sections {
        match section {
            Section::Table(entity) => {
                let _ = writeln!(out, "\n[{name}]");
                toml_table_body(&mut out, name, entity);
            }
            Section::List(entities) => {
                for entity in entities {
                    let _ = writeln!(out, "\n[[{name}]]");
                    toml_table_body(&mut out, name, entity);
                }
            }
        }
    }
    out
}

fn yaml_entries(out: &mut String, entity: &Entity, indent: usize, first_prefix: Option<&str>) {
    for (i, (key, value)) in entity.iter().enumerate() {
        match first_prefix {
            Some(prefix) if i == 0 => out.push_str(prefix),
            _ => out.push_str(&" ".repeat(indent)),
        }
        out.push_str(key);
        out.push(':');
        match value {
            V::Map(entries) => {
                out.push('\n');
                yaml_entries(out, entries, indent + 2, None);
            }
            V::List(items) => {
                out.push('\n');
                let prefix = format!("{}- ", " ".repeat(indent + 2));
                for item in items {
                    yaml_entries(out, item, indent + 4, Some(&prefix));
                }
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other).unwrap_or_default());
                out.push('\n');
            }
        }
    }
}

fn to_yaml(fragment: &Fragment) -> String {
    // No `$schema` comment: the output folder is arbitrary, so a relative
    // path to schema/ would point nowhere.
    let mut out = String::new();
    for line in &fragment.header {
        let _ = writeln!(out, "# {line}");
    }
    for (name, section) in &fragment.sections {
        let _ = writeln!(out, "\n{name}:");
        match section {
            Section::Table(entity) => yaml_entries(&mut out, entity, 2, None),
            Section::List(entities) => {
                for entity in entities {
                    yaml_entries(&mut out, entity, 4, Some("  - "));
                }
            }
        }
    }
    out
}

// -------------------------------------------------------------- the matrix

/// Sub-seeds, so that one section's size does not shift another's choices.
const STREAM_PEOPLE: u64 = 1;
const STREAM_RULES: u64 = 2;
const STREAM_DESCRIPTIONS: u64 = 3;

struct TeamSpec {
    id: String,
    name: String,
    role: String,
    queue: String,
}

fn core_teams() -> Vec<TeamSpec> {
    let core: &[(&str, &str, &str)] = &[
        (
            "governance-office",
            "Citizen Development Governance Office",
            "Owns the matrix and the programme",
        ),
        (
            "maker-support",
            "Maker Support Desk",
            "Tier 1: first help for makers",
        ),
        ("service-desk", "IT Service Desk", "Backup for Tier 1"),
        (
            "automation-team",
            "Automation and Integration Team",
            "Tier 2: flows, connectors, data mapping",
        ),
        (
            "integration-team",
            "Integration Engineering",
            "Backup for Tier 2",
        ),
        (
            "data-team",
            "Data and Analytics Team",
            "Reports, dashboards and data quality",
        ),
        (
            "platform-cce",
            "Platform Centre of Excellence",
            "Tier 3: platform specialists",
        ),
        (
            "security-office",
            "Information Security Office",
            "Security and data protection",
        ),
    ];
    core.iter()
        .map(|(id, name, role)| TeamSpec {
            id: (*id).to_string(),
            name: (*name).to_string(),
            role: (*role).to_string(),
            queue: id.to_uppercase(),
        })
        .collect()
}

fn unit_teams(contacts: usize) -> Vec<TeamSpec> {
    let count = (contacts / 400).clamp(4, UNITS.len() * REGIONS.len());
    (0..count)
        .map(|i| {
            let unit = UNITS[i % UNITS.len()];
            let id = if i < UNITS.len() {
                format!("{unit}-apps")
            } else {
                format!(
                    "{unit}-apps-{}",
                    REGIONS[(i / UNITS.len() - 1) % REGIONS.len()]
                )
            };
            let title = title_case(&id.replace('-', " "));
            TeamSpec {
                queue: id.to_uppercase(),
                name: format!("{title} Team"),
                role: format!("Business app owners, {}", unit.replace('-', " ")),
                id,
            }
        })
        .collect()
}

fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The date `days_before` days before 2026-11-30.
fn date_before(days_before: usize) -> String {
    let end = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
    let days = u64::try_from(days_before).unwrap_or(0);
    end.checked_sub_days(chrono::Days::new(days))
        .unwrap_or(end)
        .format("%Y-%m-%d")
        .to_string()
}

fn contact_id(i: usize, first: &str, last: &str) -> String {
    format!("{first}-{last}-{i:05}")
}

/// Contact `i`: 0 is the sponsor, 1..=teams lead one team each, the rest
/// join a random team. Returns the entity and its id.
fn contact(rng: &mut Rng, i: usize, teams: &[TeamSpec]) -> (Entity, String) {
    let first = *rng.pick(FIRST_NAMES);
    let last = *rng.pick(LAST_NAMES);
    let id = if i == 0 {
        "exec-sponsor".to_string()
    } else {
        contact_id(i, first, last)
    };
    // Contact 0 is the sponsor; contacts 1..=teams lead one team each.
    let team = if i == 0 {
        0
    } else if i <= teams.len() {
        i - 1
    } else {
        rng.below(teams.len())
    };
    let role = if i == 0 {
        "Executive sponsor, Chief Digital Officer".to_string()
    } else if i <= teams.len() {
        format!("Lead, {}", teams[team].name)
    } else {
        (*rng.pick(&[
            "Maker",
            "Senior maker",
            "Business analyst",
            "Process owner",
            "Support engineer",
            "Integration engineer",
            "App owner",
            "Data steward",
            "Team assistant",
        ]))
        .to_string()
    };
    let handle = format!("{first}.{last}{i}");
    let mut channels: Entity = vec![("email", s(format!("{handle}@example.org")))];
    if rng.chance(85) {
        channels.push(("chat", s(format!("@{handle}"))));
    }
    if rng.chance(60) {
        channels.push((
            "phone",
            s(format!(
                "+49 30 {:04} {:04}",
                rng.range(1000, 9999),
                rng.range(0, 9999)
            )),
        ));
    }
    let pager = rng.chance(8);
    if pager {
        channels.push(("pager", s(format!("{}-oncall", teams[team].id))));
    }
    let mut entity: Entity = vec![
        ("id", s(id.clone())),
        (
            "name",
            s(format!("{} {}", title_case(first), title_case(last))),
        ),
        ("role", s(role)),
        ("team", s(teams[team].id.clone())),
    ];
    if rng.chance(15) {
        entity.push(("time_zone", s(*rng.pick(ZONES))));
    }
    if pager && rng.chance(50) {
        entity.push(("private", strs(["pager"])));
    }
    // A few entries were not checked for a while: realistic warnings.
    let age = if rng.chance(2) {
        rng.range(100, 120)
    } else {
        rng.range(0, 75)
    };
    entity.push(("verified", s(date_before(age))));
    entity.push(("channels", V::Map(channels)));
    (entity, id)
}

fn people(params: &Params) -> (Vec<Entity>, Vec<Vec<Entity>>, String) {
    let mut rng = Rng::new(params.seed, STREAM_PEOPLE);
    let mut teams = core_teams();
    teams.extend(unit_teams(params.contacts));
    let n = params.contacts.max(teams.len() + 1);
    let mut contacts: Vec<Entity> = Vec::with_capacity(n);
    let mut ids: Vec<String> = Vec::with_capacity(n);
    for i in 0..n {
        let (entity, id) = contact(&mut rng, i, &teams);
        contacts.push(entity);
        ids.push(id);
    }
    let team_entities = teams
        .iter()
        .enumerate()
        .map(|(t, team)| {
            let mut channels: Entity = vec![
                ("email", s(format!("{}@example.org", team.id))),
                ("chat", s(format!("#{}", team.id))),
                ("queue", s(team.queue.clone())),
            ];
            if matches!(
                team.id.as_str(),
                "platform-cce" | "security-office" | "service-desk"
            ) {
                channels.push(("pager", s(format!("{}-oncall", team.id))));
            }
            vec![
                ("id", s(team.id.clone())),
                ("name", s(team.name.clone())),
                ("role", s(team.role.clone())),
                ("lead", s(ids[t + 1].clone())),
                ("verified", s(date_before(t % 60))),
                ("channels", V::Map(channels)),
            ]
        })
        .collect();
    let chunks = contacts
        .chunks(CONTACTS_PER_FILE)
        .map(<[Entity]>::to_vec)
        .collect();
    // The platform team's lead backs up tier 3.
    let tier3_backup = ids[7].clone();
    (team_entities, chunks, tier3_backup)
}

fn manifest(params: &Params) -> Fragment {
    Fragment {
        header: vec![
            "Generated by `cargo run --example gen_matrix`: do not edit by hand.".into(),
            format!(
                "{} contacts, {} rules, seed {}.",
                params.contacts, params.rules, params.seed
            ),
        ],
        sections: vec![
            (
                "manifest",
                Section::Table(vec![
                    (
                        "name",
                        s(format!(
                            "Generated Escalation Matrix (c{}-r{})",
                            params.contacts, params.rules
                        )),
                    ),
                    ("version", s("1.0.0")),
                    (
                        "description",
                        s("A large generated matrix for benchmarks and scale tests."),
                    ),
                    ("owner", s("governance-office")),
                    ("sponsor", s("exec-sponsor")),
                    ("time_zone", s("Europe/Berlin")),
                    ("review_every", s("90d")),
                    ("last_reviewed", s("2026-11-02")),
                    ("business_day", s("8h")),
                    (
                        "how_to_ask",
                        s("Open a ticket in MAKER-SUPPORT or post in #maker-support."),
                    ),
                ]),
            ),
            (
                "fallback",
                Section::Table(vec![
                    ("tier", s("tier1")),
                    ("severity", s("sev4")),
                    ("script", s("general-intake")),
                ]),
            ),
        ],
    }
}

#[allow(clippy::too_many_lines)] // a table of data, clearer in one piece
fn severities() -> Fragment {
    let targets = |calendar: Option<&str>, a: &str, b: &str, c: &str, d: &str| {
        let mut t: Entity = Vec::new();
        if let Some(cal) = calendar {
            t.push(("calendar", s(cal)));
        }
        t.extend([
            ("acknowledge", s(a)),
            ("assess", s(b)),
            ("resolve", s(c)),
            ("update_every", s(d)),
        ]);
        V::Map(t)
    };
    let step = |after: &str, action: &str, notify: &[&str]| -> Entity {
        vec![
            ("after", s(after)),
            ("unless", s("acknowledged")),
            ("action", s(action)),
            ("notify", strs(notify.iter().copied())),
        ]
    };
    let sev = |id: &str, name: &str, rank: i64, summary: &str| -> Entity {
        vec![
            ("id", s(id)),
            ("name", s(name)),
            ("rank", V::I(rank)),
            ("summary", s(summary)),
            (
                "business_impact",
                s(format!("{summary} Business impact grows with every hour.")),
            ),
            ("service_continuity", s("See the summary.")),
            (
                "data_risk",
                s("Depends on the data involved; see the decision matrix."),
            ),
        ]
    };
    let mut sev1 = sev(
        "sev1",
        "Severity 1 - Critical",
        1,
        "A business-critical process is stopped, or data is exposed.",
    );
    sev1.push(("notify", strs(["governance-office", "security-office"])));
    sev1.push(("targets", targets(None, "1h", "2h", "24h", "1h")));
    sev1.push((
        "escalation",
        V::List(vec![
            step("30m", "page", &["backup"]),
            step("1h", "call", &["next-tier", "sponsor"]),
        ]),
    ));
    let mut sev2 = sev(
        "sev2",
        "Severity 2 - High",
        2,
        "An important process is degraded for many people.",
    );
    sev2.push(("notify", strs(["governance-office"])));
    sev2.push((
        "targets",
        targets(Some("business-hours"), "2h", "4h", "2bd", "4h"),
    ));
    sev2.push((
        "escalation",
        V::List(vec![step("1h30m", "page", &["backup"])]),
    ));
    let mut sev3 = sev(
        "sev3",
        "Severity 3 - Moderate",
        3,
        "One person or a small team is blocked; a workaround exists.",
    );
    sev3.push((
        "targets",
        targets(Some("business-hours"), "4h", "1bd", "5bd", "1bd"),
    ));
    sev3.push((
        "override",
        V::List(vec![vec![("tier", s("tier3")), ("resolve", s("10bd"))]]),
    ));
    sev3.push((
        "escalation",
        V::List(vec![step("3h", "notify", &["backup"])]),
    ));
    let mut sev4 = sev(
        "sev4",
        "Severity 4 - Low",
        4,
        "A question, a request or a cosmetic problem.",
    );
    sev4.push((
        "targets",
        targets(Some("business-hours"), "1bd", "2bd", "10bd", "5bd"),
    ));
    sev4.push((
        "override",
        V::List(vec![vec![("tier", s("tier3")), ("resolve", s("20bd"))]]),
    ));
    Fragment {
        header: vec!["Severity levels; rank 1 is the most severe.".into()],
        sections: vec![("severity", Section::List(vec![sev1, sev2, sev3, sev4]))],
    }
}

fn tiers(tier3_backup: &str) -> Fragment {
    let tier = |id: &str,
                name: &str,
                owner: &str,
                backup: &str,
                next: Option<&str>,
                queue: &str|
     -> Entity {
        let mut e: Entity = vec![
            ("id", s(id)),
            ("name", s(name)),
            ("scope", strs([format!("Everything routed to {name}")])),
            ("owner", s(owner)),
            ("backup", s(backup)),
        ];
        if let Some(next) = next {
            e.push(("escalates_to", s(next)));
        }
        e.push((
            "when_to_escalate",
            s("Not solved within the assessment target."),
        ));
        e.push((
            "channels",
            V::Map(vec![
                ("queue", s(queue)),
                ("chat", s(format!("#{}", queue.to_lowercase()))),
                ("handoff", s(format!("Reassign the ticket to {queue}."))),
            ]),
        ));
        e
    };
    Fragment {
        header: vec!["Three tiers; each escalates to the next.".into()],
        sections: vec![(
            "tier",
            Section::List(vec![
                tier(
                    "tier1",
                    "Tier 1 - Maker Support",
                    "maker-support",
                    "service-desk",
                    Some("tier2"),
                    "MAKER-SUPPORT",
                ),
                tier(
                    "tier2",
                    "Tier 2 - Automation and Integration",
                    "automation-team",
                    "integration-team",
                    Some("tier3"),
                    "AUTOMATION",
                ),
                tier(
                    "tier3",
                    "Tier 3 - Platform Specialists",
                    "platform-cce",
                    tier3_backup,
                    None,
                    "PLATFORM-CCE",
                ),
            ]),
        )],
    }
}

fn calendars() -> Fragment {
    let holidays: &[(&str, &str)] = &[
        ("2026-12-25", "Christmas Day"),
        ("2026-12-26", "Boxing Day"),
        ("2027-01-01", "New Year's Day"),
        ("2027-03-26", "Good Friday"),
        ("2027-03-29", "Easter Monday"),
        ("2027-05-01", "Labour Day"),
        ("2027-05-06", "Ascension Day"),
        ("2027-05-17", "Whit Monday"),
        ("2027-10-03", "German Unity Day"),
        ("2027-12-25", "Christmas Day"),
        ("2027-12-26", "Boxing Day"),
        ("2028-01-01", "New Year's Day"),
        ("2028-04-14", "Good Friday"),
        ("2028-04-17", "Easter Monday"),
        ("2028-05-01", "Labour Day"),
        ("2028-05-25", "Ascension Day"),
        ("2028-06-05", "Whit Monday"),
        ("2028-10-03", "German Unity Day"),
        ("2028-12-25", "Christmas Day"),
        ("2028-12-26", "Boxing Day"),
    ];
    let window = |start: &str, end: &str| -> Entity {
        vec![
            ("days", strs(["mon-fri"])),
            ("start", s(start)),
            ("end", s(end)),
        ]
    };
    let calendar: Entity = vec![
        ("id", s("business-hours")),
        ("name", s("Berlin office hours")),
        ("time_zone", s("Europe/Berlin")),
        (
            "window",
            V::List(vec![window("08:00", "12:00"), window("13:00", "17:00")]),
        ),
        (
            "holiday",
            V::List(
                holidays
                    .iter()
                    .map(|(date, name)| vec![("date", s(*date)), ("name", s(*name))])
                    .collect(),
            ),
        ),
        (
            "exclusion",
            V::List(vec![
                vec![
                    ("start", s("2026-12-24T12:00")),
                    ("end", s("2026-12-24T17:00")),
                    ("reason", s("Christmas Eve afternoon")),
                ],
                vec![
                    ("start", s("2026-12-31T12:00")),
                    ("end", s("2026-12-31T17:00")),
                    ("reason", s("New Year's Eve afternoon")),
                ],
            ]),
        ),
    ];
    Fragment {
        header: vec!["Business hours and holidays.".into()],
        sections: vec![("calendar", Section::List(vec![calendar]))],
    }
}

/// (dimension id, name, levels: (id, phrases)).
type DimSpec = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
);

const DIMENSIONS: &[DimSpec] = &[
    (
        "data",
        "Data sensitivity",
        &[
            ("public", &["public information", "public website content"]),
            ("internal", &["internal data", "intranet"]),
            (
                "confidential",
                &[
                    "confidential",
                    "customer data",
                    "salary",
                    "contract",
                    "pricing",
                    "hr data",
                ],
            ),
            (
                "regulated",
                &[
                    "personal data",
                    "pii",
                    "gdpr",
                    "bank details",
                    "credit card",
                    "date of birth",
                    "health data",
                ],
            ),
        ],
    ),
    (
        "scope",
        "Impact scope",
        &[
            ("one-user", &["only me", "just me", "one user"]),
            (
                "team",
                &["my team", "our team", "colleagues", "several users"],
            ),
            ("department", &["department", "several teams", "division"]),
            (
                "organisation",
                &["everyone", "all users", "whole company", "all offices"],
            ),
            (
                "external",
                &[
                    "our customers",
                    "external customers",
                    "customer portal",
                    "partners",
                ],
            ),
        ],
    ),
    (
        "approval",
        "Required approvals",
        &[
            ("none", &[]),
            ("manager", &["manager approval", "line manager"]),
            ("security", &["security approval", "security review"]),
            (
                "change-board",
                &["change board", "change request", "go live"],
            ),
        ],
    ),
];

fn decisions() -> (Fragment, Vec<String>) {
    let mut phrases = Vec::new();
    let dims = DIMENSIONS
        .iter()
        .map(|(id, name, levels)| {
            let levels = levels
                .iter()
                .map(|(level, words)| {
                    phrases.extend(words.iter().map(|w| (*w).to_string()));
                    let mut e: Entity = vec![
                        ("id", s(*level)),
                        ("name", s(title_case(&level.replace('-', " ")))),
                    ];
                    if !words.is_empty() {
                        e.push(("phrases", strs(words.iter().copied())));
                    }
                    e
                })
                .collect();
            vec![
                ("id", s(*id)),
                ("name", s(*name)),
                ("level", V::List(levels)),
            ]
        })
        .collect();
    let row = |id: &str, summary: &str, when: Entity, min: &str| -> Entity {
        vec![
            ("id", s(id)),
            ("summary", s(summary)),
            ("when", V::Map(when)),
            ("min_severity", s(min)),
        ]
    };
    let rows = vec![
        row(
            "regulated-wide",
            "Regulated data and a department or more.",
            vec![("data", s(">= regulated")), ("scope", s(">= department"))],
            "sev2",
        ),
        row(
            "organisation-wide",
            "The organisation or customers are affected.",
            vec![("scope", s(">= organisation"))],
            "sev2",
        ),
        row(
            "department-wide",
            "A department is affected.",
            vec![("scope", s(">= department"))],
            "sev3",
        ),
        row(
            "regulated-data",
            "Regulated data is involved.",
            vec![("data", s(">= regulated"))],
            "sev3",
        ),
        row(
            "change-board-approval",
            "The fix needs the change board.",
            vec![("approval", s(">= change-board"))],
            "sev3",
        ),
    ];
    (
        Fragment {
            header: vec!["Decision dimensions and the decision matrix.".into()],
            sections: vec![
                ("dimension", Section::List(dims)),
                ("decision", Section::List(rows)),
            ],
        },
        phrases,
    )
}

fn scripts() -> Fragment {
    let script = |id: &str, name: &str, text: &str| -> Entity {
        vec![("id", s(id)), ("name", s(name)), ("text", s(text))]
    };
    Fragment {
        header: vec!["Scripts for front-line responders.".into()],
        sections: vec![(
            "script",
            Section::List(vec![
                script(
                    "front-line-triage",
                    "Front-line triage",
                    "Logged as {severity_name} for {tier_name}.\nIf it is not solved by {assess_by}, hand it to {owner} ({owner_channel}).\nNext update by {next_update_by}.",
                ),
                script(
                    "automation-triage",
                    "Automation triage",
                    "{tier_name} takes this ({severity_name}).\nAttach the run history; assign to {owner} ({owner_channel}); backup {backup}.\nAcknowledge by {acknowledge_by}; resolve by {resolve_by}.",
                ),
                script(
                    "specialist-review",
                    "Specialist review",
                    "This needs {tier_name} ({owner}, {owner_channel}).\nAlso informed: {notify}. First assessment by {assess_by}.",
                ),
                script(
                    "security-incident",
                    "Security incident",
                    "Treat this as a security incident ({severity_name}).\nCall {owner} now; informed: {notify}. Next update by {next_update_by}.",
                ),
                script(
                    "general-intake",
                    "General intake",
                    "We could not classify this automatically.\nTier 1 acknowledges by {acknowledge_by}. {how_to_ask}",
                ),
            ]),
        )],
    }
}

fn glossary_and_synonyms() -> Fragment {
    let term = |id: &str, t: &str, meaning: &str| -> Entity {
        vec![
            ("id", s(id)),
            ("term", s(t)),
            ("meaning", s(meaning)),
            (
                "business_impact",
                s("When it breaks, work that depends on it stops."),
            ),
        ]
    };
    let group = |id: &str, terms: &[&str]| -> Entity {
        vec![("id", s(id)), ("terms", strs(terms.iter().copied()))]
    };
    Fragment {
        header: vec!["Glossary and synonym groups.".into()],
        sections: vec![
            (
                "term",
                Section::List(vec![
                    term(
                        "flow",
                        "Flow (automation)",
                        "Automatic steps that run on a trigger or a schedule.",
                    ),
                    term(
                        "connector",
                        "Connector",
                        "A ready-made link to another system.",
                    ),
                    term(
                        "data-mapping",
                        "Data mapping",
                        "Which field in one system fills which field in another.",
                    ),
                    term(
                        "webhook",
                        "Webhook",
                        "A message one system sends to another when something happens.",
                    ),
                ]),
            ),
            (
                "synonyms",
                Section::List(vec![
                    group("sign-in", &["log in", "logon", "sign in", "sign on", "sso"]),
                    group("licence", &["licence", "license"]),
                    group("organisation", &["organisation", "organization"]),
                    group("app", &["app", "application"]),
                ]),
            ),
        ],
    }
}

/// A phrase of two to five words from the combined word lists. Two-word
/// forms are rare, because their few combinations repeat soon; the
/// three-word forms give about 200,000 combinations.
fn phrase(rng: &mut Rng) -> String {
    match rng.below(16) {
        0 => format!("{} {}", rng.pick(OBJECTS), rng.pick(COMPONENTS)),
        1 => format!("{} {}", rng.pick(SYSTEMS), rng.pick(OBJECTS)),
        2 => format!("{} {}", rng.pick(OBJECTS), rng.pick(SYMPTOMS)),
        3..=6 => format!(
            "{} {} {}",
            rng.pick(QUALIFIERS),
            rng.pick(OBJECTS),
            rng.pick(COMPONENTS)
        ),
        7..=10 => format!(
            "{} {} {}",
            rng.pick(QUALIFIERS),
            rng.pick(SYSTEMS),
            rng.pick(OBJECTS)
        ),
        11..=13 => format!(
            "{} {} {}",
            rng.pick(SYSTEMS),
            rng.pick(COMPONENTS),
            rng.pick(SYMPTOMS)
        ),
        _ => format!(
            "{} {} {}",
            rng.pick(OBJECTS),
            rng.pick(COMPONENTS),
            rng.pick(SYMPTOMS)
        ),
    }
}

fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            if out.len() + 1 + word.len() > max {
                break;
            }
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out.truncate(max);
    out.trim_end_matches('-').to_string()
}

#[allow(clippy::too_many_lines)] // a table of data, clearer in one piece
fn fixed_overrides() -> Vec<(Entity, Vec<String>)> {
    let any = |p: &[&str]| p.iter().map(|x| (*x).to_string()).collect::<Vec<String>>();
    let security = any(&[
        "exposed",
        "data leak",
        "leaked",
        "breach",
        "compromised",
        "phishing",
        "malware",
        "hacked",
        "unauthorised access",
        "public link",
        "wrong recipient",
    ]);
    let outage = any(&[
        "down",
        "outage",
        "not working",
        "stopped working",
        "unavailable",
        "broken",
    ]);
    vec![
        (
            vec![
                ("id", s("security-incident")),
                (
                    "summary",
                    s("Suspected security incident or data exposure: Tier 3, sev1."),
                ),
                ("kind", s("override")),
                ("precedence", V::I(100)),
                (
                    "when",
                    V::Map(vec![
                        ("any", V::Strs(security.clone())),
                        (
                            "regex",
                            strs([
                                r"\b(api[ -]?keys?|secrets?|passwords?|tokens?)\b.{0,80}\b(pasted|posted|shared|leaked|exposed)\b",
                            ]),
                        ),
                    ]),
                ),
                (
                    "then",
                    V::Map(vec![
                        ("tier", s("tier3")),
                        ("severity", s("sev1")),
                        ("notify", strs(["security-office", "sponsor"])),
                        ("script", s("security-incident")),
                    ]),
                ),
            ],
            security,
        ),
        (
            vec![
                ("id", s("privacy-data")),
                (
                    "summary",
                    s("Regulated data: the Security Office is informed."),
                ),
                ("kind", s("override")),
                ("precedence", V::I(90)),
                (
                    "when",
                    V::Map(vec![(
                        "dimensions",
                        V::Map(vec![("data", s(">= regulated"))]),
                    )]),
                ),
                ("then", V::Map(vec![("notify", strs(["security-office"]))])),
            ],
            Vec::new(),
        ),
        (
            vec![
                ("id", s("major-outage")),
                (
                    "summary",
                    s("Down for the organisation or customers: sev1."),
                ),
                ("kind", s("override")),
                ("precedence", V::I(70)),
                (
                    "when",
                    V::Map(vec![
                        ("any", V::Strs(outage.clone())),
                        ("dimensions", V::Map(vec![("scope", s(">= organisation"))])),
                    ]),
                ),
                (
                    "then",
                    V::Map(vec![
                        ("min_severity", s("sev1")),
                        ("notify", strs(["governance-office"])),
                    ]),
                ),
            ],
            outage,
        ),
    ]
}

/// A generated override: named phrases raise the severity and tell a unit team.
fn override_rule(rng: &mut Rng, n: usize, phrases: &[String], unit_team_ids: &[String]) -> Entity {
    let first = &phrases[0];
    let team = rng.pick(unit_team_ids).clone();
    vec![
        ("id", s(format!("ov-{}-{n:05}", slug(first, 36)))),
        (
            "summary",
            s(format!(
                "Critical for {team}: {first} problems are at least sev2."
            )),
        ),
        ("kind", s("override")),
        (
            "precedence",
            V::I(i64::try_from(rng.range(61, 69)).unwrap_or(61)),
        ),
        ("when", V::Map(vec![("any", V::Strs(phrases.to_vec()))])),
        (
            "then",
            V::Map(vec![("min_severity", s("sev2")), ("notify", strs([team]))]),
        ),
    ]
}

/// A generated route rule; `phrases` come back in their original order.
fn route_rule(
    rng: &mut Rng,
    n: usize,
    phrases: &mut Vec<String>,
    unit_team_ids: &[String],
) -> Entity {
    // Tier bands: precedence grows with the tier, varied inside each band.
    let (tier, lo, hi, script) = match rng.below(10) {
        0..=3 => ("tier1", 5, 19, "front-line-triage"),
        4..=7 => ("tier2", 20, 39, "automation-triage"),
        _ => ("tier3", 40, 59, "specialist-review"),
    };
    let severity = match rng.below(10) {
        0 => "sev2",
        1..=6 => "sev3",
        _ => "sev4",
    };
    let first = phrases[0].clone();
    let mut when: Entity = Vec::new();
    if rng.chance(6) && phrases.len() > 2 {
        // Both of two phrases must occur; the rest stay `any`.
        let all: Vec<String> = phrases.drain(..2).collect();
        when.push(("all", V::Strs(all.clone())));
        when.push(("any", V::Strs(phrases.clone())));
        phrases.splice(0..0, all);
    } else {
        when.push(("any", V::Strs(phrases.clone())));
    }
    if rng.chance(3) {
        // Exclusions are specific: one context each, not one shared list.
        when.push(("none", strs([*rng.pick(EXCLUSIONS)])));
    }
    if rng.chance(3) {
        when.push(("dimensions", V::Map(vec![("scope", s(">= team"))])));
    }
    let mut then: Entity = vec![("tier", s(tier)), ("severity", s(severity))];
    if rng.chance(4) {
        then.push(("owner", s(rng.pick(unit_team_ids).clone())));
    }
    if rng.chance(4) {
        then.push(("notify", strs([rng.pick(unit_team_ids).clone()])));
    }
    then.push(("script", s(script)));
    vec![
        (
            "id",
            s(format!("t{}-{}-{n:05}", &tier[4..], slug(&first, 40))),
        ),
        (
            "summary",
            s(format!(
                "{} problems ({} phrases): {}.",
                title_case(&first),
                phrases.len(),
                tier.replace("tier", "Tier ")
            )),
        ),
        (
            "precedence",
            V::I(i64::try_from(rng.range(lo, hi)).unwrap_or(0)),
        ),
        ("when", V::Map(when)),
        ("then", V::Map(then)),
    ]
}

fn rules(params: &Params, unit_team_ids: &[String]) -> (Vec<Entity>, Vec<Vec<String>>) {
    let mut rng = Rng::new(params.seed, STREAM_RULES);
    let mut entities = Vec::with_capacity(params.rules);
    let mut all_phrases = Vec::with_capacity(params.rules);
    for (entity, phrases) in fixed_overrides().into_iter().take(params.rules) {
        entities.push(entity);
        all_phrases.push(phrases);
    }
    // A few overrides (one per 200 rules) on top of the three fixed ones.
    let overrides = 3 + (params.rules / 200).max(1);
    for n in entities.len()..params.rules {
        let count = rng.range(2, 8);
        let mut phrases: Vec<String> = Vec::with_capacity(count);
        while phrases.len() < count {
            let p = phrase(&mut rng);
            if !phrases.contains(&p) {
                phrases.push(p);
            }
        }
        let entity = if n < overrides {
            override_rule(&mut rng, n, &phrases, unit_team_ids)
        } else {
            route_rule(&mut rng, n, &mut phrases, unit_team_ids)
        };
        entities.push(entity);
        all_phrases.push(phrases);
    }
    (entities, all_phrases)
}

/// A matrix before it is written out: its fragments by name (no extension).
struct Parts {
    fragments: Vec<(String, Fragment)>,
    rule_phrases: Vec<Vec<String>>,
    dimension_phrases: Vec<String>,
}

/// Generates a matrix.
pub fn generate(params: &Params) -> Generated {
    write_parts(parts(params), params.format)
}

fn parts(params: &Params) -> Parts {
    let (teams, contact_chunks, tier3_backup) = people(params);
    let unit_team_ids: Vec<String> = unit_teams(params.contacts)
        .into_iter()
        .map(|t| t.id)
        .collect();
    let (decision_fragment, dimension_phrases) = decisions();
    let (rule_entities, rule_phrases) = rules(params, &unit_team_ids);

    let mut fragments: Vec<(String, Fragment)> = vec![
        ("manifest".into(), manifest(params)),
        ("severities".into(), severities()),
        ("tiers".into(), tiers(&tier3_backup)),
        ("calendars".into(), calendars()),
        ("decisions".into(), decision_fragment),
        ("scripts".into(), scripts()),
        ("glossary".into(), glossary_and_synonyms()),
        (
            "people/teams".into(),
            Fragment {
                header: vec!["Teams.".into()],
                sections: vec![("team", Section::List(teams))],
            },
        ),
    ];
    for (k, chunk) in contact_chunks.into_iter().enumerate() {
        fragments.push((
            format!("people/contacts-{:03}", k + 1),
            Fragment {
                header: vec![format!(
                    "Contacts {} to {}.",
                    k * CONTACTS_PER_FILE + 1,
                    k * CONTACTS_PER_FILE + chunk.len()
                )],
                sections: vec![("contact", Section::List(chunk))],
            },
        ));
    }
    let mut rest = rule_entities;
    let mut k = 0;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(RULES_PER_FILE));
        let chunk = std::mem::replace(&mut rest, tail);
        k += 1;
        fragments.push((
            format!("rules/rules-{k:03}"),
            Fragment {
                header: vec![format!("Routing rules, part {k}.")],
                sections: vec![("rule", Section::List(chunk))],
            },
        ));
    }
    Parts {
        fragments,
        rule_phrases,
        dimension_phrases,
    }
}

fn write_parts(parts: Parts, format: Format) -> Generated {
    let ext = format.extension();
    let files = parts
        .fragments
        .into_iter()
        .map(|(name, fragment)| {
            let text = match format {
                Format::Toml => to_toml(&fragment),
                Format::Yaml => to_yaml(&fragment),
            };
            (format!("{name}.{ext}"), text)
        })
        .collect();
    Generated {
        files,
        rule_phrases: parts.rule_phrases,
        dimension_phrases: parts.dimension_phrases,
    }
}

/// A later version of the matrix that [`generate`] writes for the same
/// `params`: same seed, with about `percent` % of the contacts and of the
/// generated route rules changed, so that benchmarks can compare two large
/// versions. Of the changed entries, a quarter each are removed (and
/// re-added under a new id), edited in a field that changes meaning (a
/// contact's role, a rule's severity), given new wording (a
/// contact's e-mail address, an extra rule phrase), or re-verified or
/// re-summarised. The manifest's version becomes 2.0.0. Team leads, the
/// fixed overrides and every other fragment stay as they are, so the result
/// is as valid as the original. `percent` is clamped to 1..=100.
pub fn generate_changed(params: &Params, percent: usize) -> Generated {
    let mut parts = parts(params);
    let stride = 100 / percent.clamp(1, 100);
    // Contacts 0..=leads are the sponsor and the team leads, named elsewhere.
    let leads = core_teams().len() + unit_teams(params.contacts).len();
    let (mut contact, mut rule) = (0, 0);
    for (name, fragment) in &mut parts.fragments {
        for (section, body) in &mut fragment.sections {
            match (*section, body) {
                ("manifest", Section::Table(entity)) => {
                    set(entity, "version", s("2.0.0"));
                }
                ("contact", Section::List(entities)) => {
                    change_list(entities, &mut contact, stride, leads, change_contact);
                }
                ("rule", Section::List(entities)) if name.starts_with("rules/") => {
                    // Route rules only: the overrides come first.
                    let overrides = 3 + (params.rules / 200).max(1);
                    change_list(entities, &mut rule, stride, overrides, change_rule);
                }
                _ => {}
            }
        }
    }
    write_parts(parts, params.format)
}

/// Changes every `stride`-th entity of a list whose global index (counted
/// on in `index` across files) is past `keep`; removed ones are re-added
/// at the end of the list under a new id.
fn change_list(
    entities: &mut Vec<Entity>,
    index: &mut usize,
    stride: usize,
    keep: usize,
    change: fn(&mut Entity, usize),
) {
    let mut readded = Vec::new();
    let mut kept = Vec::with_capacity(entities.len());
    for mut entity in entities.drain(..) {
        let i = *index;
        *index += 1;
        if i <= keep || i % stride != stride / 2 {
            kept.push(entity);
            continue;
        }
        let which = (i / stride) % 4;
        if which == 0 {
            let id = match get(&entity, "id") {
                Some(V::S(id)) => id.clone(),
                _ => continue,
            };
            set(&mut entity, "id", s(format!("{id}-v2")));
            readded.push(entity);
        } else {
            change(&mut entity, which);
            kept.push(entity);
        }
    }
    kept.extend(readded);
    *entities = kept;
}

fn change_contact(entity: &mut Entity, which: usize) {
    match which {
        1 => set(entity, "role", s("Platform champion")),
        2 => {
            if let Some(V::Map(channels)) = get_mut(entity, "channels")
                && let Some(V::S(email)) = get_mut(channels, "email")
            {
                *email = email.replace("@example.org", "@new.example.org");
            }
        }
        _ => set(entity, "verified", s(date_before(1))),
    }
}

fn change_rule(entity: &mut Entity, which: usize) {
    match which {
        1 => {
            if let Some(V::Map(then)) = get_mut(entity, "then")
                && let Some(V::S(severity)) = get_mut(then, "severity")
            {
                *severity = if severity == "sev4" { "sev3" } else { "sev4" }.into();
            }
        }
        2 => {
            if let Some(V::Map(when)) = get_mut(entity, "when")
                && let Some(V::Strs(any)) = get_mut(when, "any")
                && let Some(first) = any.first()
            {
                let extra = format!("{first} again");
                any.push(extra);
            }
        }
        _ => {
            if let Some(V::S(summary)) = get_mut(entity, "summary") {
                summary.push_str(" Reviewed.");
            }
        }
    }
}

fn get<'a>(entity: &'a Entity, key: &str) -> Option<&'a V> {
    entity.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

fn get_mut<'a>(entity: &'a mut Entity, key: &str) -> Option<&'a mut V> {
    entity.iter_mut().find(|(k, _)| *k == key).map(|(_, v)| v)
}

fn set(entity: &mut Entity, key: &'static str, value: V) {
    if let Some(slot) = get_mut(entity, key) {
        *slot = value;
    } else {
        entity.push((key, value));
    }
}

/// A routing test file (TOML, `tests/` of a matrix folder) of `count` cases
/// from [`descriptions`], with empty expectations: they route (and pass),
/// and a diff reports those whose route changed.
pub fn test_file(generated: &Generated, count: usize, seed: u64) -> String {
    let mut out = String::from("# Generated routing cases, without expectations.\n");
    for (i, description) in descriptions(generated, count, seed).iter().enumerate() {
        let _ = write!(
            out,
            "\n[[case]]\nid = \"generated-{:04}\"\ndescription = {}\nexpect = {{}}\n",
            i + 1,
            quote(description)
        );
    }
    out
}

/// `count` varied incident descriptions for a generated matrix: most name
/// one or two rule phrases among everyday words, some add scope or data
/// hints, and some match nothing at all (the fallback).
pub fn descriptions(generated: &Generated, count: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed, STREAM_DESCRIPTIONS);
    let rules: Vec<&Vec<String>> = generated
        .rule_phrases
        .iter()
        .filter(|p| !p.is_empty())
        .collect();
    (0..count)
        .map(|_| {
            if rules.is_empty() || rng.chance(12) {
                return format!(
                    "Hello, {} (ticket {}).",
                    rng.pick(NOISE),
                    rng.range(1000, 99999)
                );
            }
            let r1 = rng_pick_rule(&mut rng, &rules);
            let p1 = rng.pick(r1).clone();
            let mut text = match rng.below(5) {
                0 => format!("Since this morning the {p1} is not working"),
                1 => format!("Our {p1} failed again after yesterday's change"),
                2 => format!(
                    "Hi team, I think the {p1} has a problem: nothing happens when I submit"
                ),
                3 => format!("{} keeps failing", title_case(&p1)),
                _ => format!("Urgent: the {p1} broke during the month-end close"),
            };
            if rng.chance(35) {
                let r2 = rng_pick_rule(&mut rng, &rules);
                let p2 = rng.pick(r2).clone();
                let _ = write!(text, ", and the {p2} looks wrong too");
            }
            if rng.chance(40) {
                let _ = write!(text, "; it affects {}", rng.pick(SCOPE_HINTS));
            }
            if rng.chance(25) {
                let _ = write!(text, " and the file contains {}", rng.pick(DATA_HINTS));
            }
            text.push('.');
            text
        })
        .collect()
}

fn rng_pick_rule<'a>(rng: &mut Rng, rules: &[&'a Vec<String>]) -> &'a [String] {
    rules[rng.below(rules.len())]
}

/// Parses `--contacts N --rules M [--seed S] [--format toml|yaml] [--out DIR]`.
pub fn parse_args<I: IntoIterator<Item = String>>(
    args: I,
) -> Result<(Params, Option<String>), String> {
    let mut contacts = None;
    let mut rules = None;
    let mut seed = 42u64;
    let mut format = Format::Toml;
    let mut out = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--contacts" => {
                contacts = Some(
                    value("--contacts")?
                        .parse::<usize>()
                        .map_err(|e| format!("--contacts: {e}"))?,
                );
            }
            "--rules" => {
                rules = Some(
                    value("--rules")?
                        .parse::<usize>()
                        .map_err(|e| format!("--rules: {e}"))?,
                );
            }
            "--seed" => {
                seed = value("--seed")?
                    .parse::<u64>()
                    .map_err(|e| format!("--seed: {e}"))?;
            }
            "--format" => {
                format = match value("--format")?.as_str() {
                    "toml" => Format::Toml,
                    "yaml" | "yml" => Format::Yaml,
                    other => return Err(format!("--format: expected toml or yaml, got `{other}`")),
                }
            }
            "--out" => out = Some(value("--out")?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let (Some(contacts), Some(rules)) = (contacts, rules) else {
        return Err("--contacts N and --rules M are required".into());
    };
    Ok((
        Params {
            contacts,
            rules,
            seed,
            format,
        },
        out,
    ))
}

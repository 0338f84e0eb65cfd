//! A format-neutral document tree with byte spans, built from TOML or YAML.
//!
//! Both formats are parsed into the same [`Node`] tree first, so that one
//! deserializer, one set of diagnostics and one set of positions serve both.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from a start offset and a length.
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start, span.len()).into()
    }
}

/// A mapping key with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Where the key is written.
    pub span: Span,
}

/// One value of a document, with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value is written.
    pub span: Span,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A TOML date or date-time, kept as its text.
    Datetime(String),
    /// An empty value (YAML `null` or `~`).
    Null,
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in source order; duplicate keys are kept so that the loader
    /// can report both places.
    Map(Vec<(Key, Node)>),
    /// A YAML plain scalar that YAML would read as a number or boolean, kept
    /// with its text so that a field expecting a string gets the text as
    /// written (`NO`, `17:30`, `0800`) instead of a surprise.
    Plain {
        /// The scalar as written.
        text: String,
        /// What YAML inferred.
        inferred: Box<Value>,
    },
}

impl Value {
    /// A word for the kind of value, for type-mismatch messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Null => "an empty value",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a table",
            Value::Plain { inferred, .. } => inferred.kind(),
        }
    }
}

impl Node {
    /// The entries of a mapping node, or `None`.
    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key` in a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// The string value of a string node (or a YAML plain scalar's text).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) | Value::Datetime(s) => Some(s),
            Value::Plain { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// Builds a [`Node`] tree from a TOML document.
pub fn from_toml(source: &str) -> (Node, Vec<(String, Span)>) {
    let (table, errors) = toml::de::DeTable::parse_recoverable(source);
    let span = table.span();
    let node = Node {
        value: toml_table(table.into_inner()),
        span: Span::new(span.start, span.end),
    };
    let errors = errors
        .into_iter()
        .map(|e| {
            let span = e.span().unwrap_or(0..0);
            (e.message().to_string(), Span::new(span.start, span.end))
        })
        .collect();
    (node, errors)
}

fn toml_table(table: toml::de::DeTable<'_>) -> Value {
    Value::Map(
        table
            .into_iter()
            .map(|(k, v)| {
                let ks = k.span();
                let key = Key {
                    name: k.into_inner().into_owned(),
                    span: Span::new(ks.start, ks.end),
                };
                (key, toml_node(v))
            })
            .collect(),
    )
}

fn toml_node(value: toml::Spanned<toml::de::DeValue<'_>>) -> Node {
    use toml::de::DeValue;
    let range = value.span();
    let span = Span::new(range.start, range.end);
    let value = match value.into_inner() {
        DeValue::String(s) => Value::Str(s.into_owned()),
        DeValue::Integer(i) => i
            .to_string()
            .replace('_', "")
            .parse::<i64>()
            .map_or_else(|_| Value::Str(i.to_string()), Value::Int),
        DeValue::Float(f) => f
            .to_string()
            .replace('_', "")
            .parse::<f64>()
            .map_or_else(|_| Value::Str(f.to_string()), Value::Float),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => Value::Seq(items.into_iter().map(toml_node).collect()),
        DeValue::Table(t) => toml_table(t),
    };
    Node { value, span }
}

/// For a TOML `duplicate key` error at `span` (the second definition), the
/// span of the key's first definition, when it can be found.
///
/// The TOML parser reports only the second place. To find the first, the
/// document is parsed again with the second key renamed to a marker: the
/// marker lands in the same table as the first definition.
pub fn toml_first_definition(source: &str, span: Span) -> Option<Span> {
    const MARKER: &str = "escalate-duplicate-key-marker";
    let raw = source.get(span.start..span.end)?;
    let name = raw
        .strip_prefix(['"', '\''])
        .and_then(|r| r.strip_suffix(['"', '\'']))
        .unwrap_or(raw);
    let probe = format!(
        "{}{MARKER}{}",
        source.get(..span.start)?,
        source.get(span.end..)?
    );
    let (root, _) = from_toml(&probe);
    sibling_key(&root, MARKER, name).filter(|first| first.start < span.start)
}

/// The span of key `name` in the table that also holds key `marker`.
fn sibling_key(node: &Node, marker: &str, name: &str) -> Option<Span> {
    match &node.value {
        Value::Map(entries) => {
            if entries.iter().any(|(k, _)| k.name == marker) {
                return entries
                    .iter()
                    .find(|(k, _)| k.name == name)
                    .map(|(k, _)| k.span);
            }
            entries
                .iter()
                .find_map(|(_, v)| sibling_key(v, marker, name))
        }
        Value::Seq(items) => items.iter().find_map(|v| sibling_key(v, marker, name)),
        _ => None,
    }
}

/// Limits applied while reading YAML, so that hostile input fails fast.
const YAML_MAX_DEPTH: usize = 64;
const YAML_MAX_ALIAS_EVENTS: usize = 100_000;

/// Why a YAML document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// What went wrong, in words, without a position (diagnostics show it).
    pub message: String,
    /// Where.
    pub span: Span,
    /// The document breaks a limit (nesting depth, alias expansion, size)
    /// rather than the YAML syntax.
    pub limit: bool,
}

/// Builds a [`Node`] tree from a YAML document.
pub fn from_yaml(source: &str) -> Result<Node, (String, Span)> {
    parse_yaml(source).map_err(|e| (e.message, e.span))
}

/// Stack for the YAML reader: it recurses once per level of nesting, with
/// large frames in debug builds (a 2 MiB test thread overflows at 60 levels),
/// and reads up to its own recursion limit before the depth budget applies.
const YAML_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Builds a [`Node`] tree from a YAML document, telling limits from syntax errors.
///
/// Reads on a thread of its own with a stack large enough for the deepest
/// document the reader accepts, so that a deeply nested file is an error,
/// never a stack overflow, whatever the caller's stack.
pub fn parse_yaml(source: &str) -> Result<Node, YamlError> {
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("yaml-reader".into())
            .stack_size(YAML_STACK_BYTES)
            .spawn_scoped(scope, || parse_yaml_here(source));
        match reader {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(error) => Err(YamlError {
                message: format!("cannot start the YAML reader: {error}"),
                span: Span::default(),
                limit: false,
            }),
        }
    })
}

fn parse_yaml_here(source: &str) -> Result<Node, YamlError> {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::PassThrough;
    let mut budget = options.budget.clone().unwrap_or_default();
    budget.max_depth = YAML_MAX_DEPTH;
    // Large generated matrices (50,000 contacts) exceed the default node cap;
    // the file-size limit in the loader bounds the work instead.
    budget.max_nodes = 8_000_000;
    budget.max_events = 20_000_000;
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = YAML_MAX_ALIAS_EVENTS;
    if source.trim().is_empty() {
        return Ok(Node {
            value: Value::Null,
            span: Span::default(),
        });
    }
    match serde_saphyr::from_str_with_options::<serde_saphyr::Spanned<YamlNode>>(source, options) {
        Ok(spanned) => Ok(yaml_finish(source, spanned)),
        Err(error) => {
            let offset = error
                .location()
                .map_or(0, |loc| location_offset(source, &loc));
            let (message, limit) = yaml_message(&error);
            // The parser notices a tab where the scalar before it ends; point at the tab.
            let offset = if message.contains("tab") {
                let line_start = source
                    .get(..offset)
                    .and_then(|s| s.rfind('\n'))
                    .map_or(0, |i| i + 1);
                source
                    .get(line_start..)
                    .and_then(|rest| rest.find('\t'))
                    .map_or(offset, |i| line_start + i)
            } else {
                offset
            };
            Err(YamlError {
                message,
                span: Span::new(offset, offset),
                limit,
            })
        }
    }
}

/// The message of a YAML error without its position, and whether it is a limit.
fn yaml_message(error: &serde_saphyr::Error) -> (String, bool) {
    let text = error.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // serde-saphyr prefixes "error: line N column M: " and may append
    // " at line N, column M" and "(defined at ...)"; we print positions ourselves.
    let stripped = first.strip_prefix("error: ").unwrap_or(first);
    let stripped = match stripped.find(": ") {
        Some(i) if stripped.starts_with("line ") => &stripped[i + 2..],
        _ => stripped,
    };
    let stripped = stripped
        .find(" at line ")
        .map_or(stripped, |i| &stripped[..i])
        .trim();
    if stripped.starts_with("recursion limit")
        || stripped.starts_with("budget breached: Depth")
        || stripped.starts_with("alias replay stack depth")
    {
        return (
            format!(
                "lists and tables are nested more than {YAML_MAX_DEPTH} levels deep; a matrix file never needs that"
            ),
            true,
        );
    }
    if stripped.starts_with("alias replay limit")
        || stripped.starts_with("alias expansion limit")
        || stripped.starts_with("budget breached: Alias")
    {
        return (
            format!(
                "aliases (`*name`) expand to more than {YAML_MAX_ALIAS_EVENTS} values; a matrix file may reuse an anchor, not multiply it"
            ),
            true,
        );
    }
    if stripped.starts_with("budget breached") {
        return (
            format!("the document is too large to be a matrix file ({stripped})"),
            true,
        );
    }
    if stripped.contains("tab") {
        return (
            format!("{stripped}: indent YAML with spaces, not tabs"),
            false,
        );
    }
    (stripped.to_string(), false)
}

fn location_offset(source: &str, loc: &serde_saphyr::Location) -> usize {
    if let Some(offset) = loc.span().byte_offset() {
        return usize::try_from(offset).unwrap_or(0).min(source.len());
    }
    let line = usize::try_from(loc.line()).unwrap_or(1).max(1);
    let column = usize::try_from(loc.column()).unwrap_or(1).max(1);
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let rest = source.get(line_start..).unwrap_or("");
    line_start
        + rest
            .char_indices()
            .nth(column - 1)
            .map_or(rest.len(), |(i, _)| i)
}

fn yaml_span(source: &str, loc: &serde_saphyr::Location) -> Span {
    let start = location_offset(source, loc);
    let len = loc
        .span()
        .byte_len()
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(0);
    Span::new(start, (start + len).min(source.len()))
}

/// YAML as read by serde-saphyr, before spans are turned into byte ranges.
enum YamlNode {
    Scalar(Value),
    Seq(Vec<serde_saphyr::Spanned<YamlNode>>),
    Map(
        Vec<(
            serde_saphyr::Spanned<String>,
            serde_saphyr::Spanned<YamlNode>,
        )>,
    ),
}

fn yaml_finish(source: &str, node: serde_saphyr::Spanned<YamlNode>) -> Node {
    let span = yaml_span(source, &node.referenced);
    let value = match node.value {
        YamlNode::Scalar(value @ (Value::Int(_) | Value::Float(_) | Value::Bool(_))) => {
            let text = source.get(span.start..span.end).unwrap_or("").to_string();
            let plain = !text.is_empty() && !text.starts_with(['"', '\'', '!']);
            if plain {
                Value::Plain {
                    text,
                    inferred: Box::new(value),
                }
            } else {
                value
            }
        }
        YamlNode::Scalar(value) => value,
        YamlNode::Seq(items) => {
            Value::Seq(items.into_iter().map(|n| yaml_finish(source, n)).collect())
        }
        YamlNode::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        span: yaml_span(source, &k.referenced),
                        name: k.value,
                    };
                    (key, yaml_finish(source, v))
                })
                .collect(),
        ),
    };
    Node { value, span }
}

impl<'de> Deserialize<'de> for YamlNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YamlVisitor)
    }
}

struct YamlVisitor;

impl<'de> Visitor<'de> for YamlVisitor {
    type Value = YamlNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar(Value::Str(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar(Value::Str(v)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar(Value::Int(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar(
            i64::try_from(v).map_or_else(|_| Value::Str(v.to_string()), Value::Int),
        ))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar(Value::Float(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<YamlNode, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YamlNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(YamlNode::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YamlNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<serde_saphyr::Spanned<String>>()? {
            entries.push((key, map.next_value()?));
        }
        Ok(YamlNode::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    #[test]
    fn yaml_keeps_plain_text_of_inferred_scalars() {
        let node = from_yaml("a: NO\nb: 17:30\nc: 0800\nd: true\n").unwrap();
        assert_eq!(node.get("a").unwrap().as_str(), Some("NO"));
        assert_eq!(node.get("b").unwrap().as_str(), Some("17:30"));
        assert_eq!(node.get("c").unwrap().as_str(), Some("0800"));
        assert_eq!(node.get("d").unwrap().as_str(), Some("true"));
    }

    #[test]
    fn yaml_spans_point_at_values() {
        let src = "name: x\nlist:\n  - alpha\n";
        let node = from_yaml(src).unwrap();
        let item = match &node.get("list").unwrap().value {
            Value::Seq(items) => items[0].clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(&src[item.span.start..item.span.end], "alpha");
    }

    #[test]
    fn yaml_duplicate_keys_are_kept_for_the_loader() {
        let node = from_yaml("a: 1\na: 2\n").unwrap();
        assert_eq!(node.as_map().unwrap().len(), 2);
    }

    #[test]
    fn yaml_alias_bomb_is_refused() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            let _ = writeln!(
                src,
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
            );
        }
        assert!(from_yaml(&src).is_err());
    }

    #[test]
    fn toml_duplicate_keys_find_their_first_place_in_the_same_table() {
        let src = "[[rule]]\nthen.tier = \"a\"\nwhen.tier = \"b\"\nthen.tier = \"c\"\n";
        let (_, errors) = from_toml(src);
        let (message, second) = errors.into_iter().next().unwrap();
        assert_eq!(message, "duplicate key");
        let first = toml_first_definition(src, second).unwrap();
        // The `tier` of `then.tier = "a"`, not the one of `when.tier`.
        assert_eq!(first.start, src.find("tier").unwrap());
    }

    #[test]
    fn deep_yaml_is_an_error_not_a_stack_overflow_even_on_a_small_stack() {
        let reader = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let within = format!("a: {}1{}\n", "[".repeat(60), "]".repeat(60));
                let beyond = format!("a: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
                (
                    parse_yaml(&within).is_ok(),
                    parse_yaml(&beyond).unwrap_err().limit,
                )
            });
        assert_eq!(reader.unwrap().join().unwrap(), (true, true));
    }

    #[test]
    fn yaml_limits_are_told_from_syntax_errors() {
        let deep = format!("a: {}1{}\n", "[".repeat(100), "]".repeat(100));
        assert!(parse_yaml(&deep).unwrap_err().limit);
        let tab = parse_yaml("a:\n\tb: 1\n").unwrap_err();
        assert!(!tab.limit);
        assert!(tab.message.contains("spaces, not tabs"), "{}", tab.message);
        assert_eq!(tab.span.start, 3, "points at the tab");
    }

    #[test]
    fn toml_spans_point_at_values() {
        let src = "[manifest]\nname = \"x\"\n";
        let (node, errors) = from_toml(src);
        assert!(errors.is_empty());
        let name = node.get("manifest").unwrap().get("name").unwrap();
        assert_eq!(&src[name.span.start..name.span.end], "\"x\"");
    }
}

//! A serde deserializer over [`Node`] trees that keeps positions.
//!
//! Errors carry the span of the innermost value that caused them. Unknown
//! keys are not errors here: they are collected (with the keys that were
//! expected) and skipped, so that one run reports every unknown key of a file.

use super::node::{Key, Node, Span, Value};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::fmt::Write as _;

/// An error while turning a node into a typed value.
#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    /// What went wrong, in words.
    pub message: String,
    /// Where, once known.
    pub span: Option<Span>,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            message: msg.to_string(),
            span: None,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        DeError {
            message: format!("missing required key `{field}`"),
            span: None,
        }
    }

    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        DeError {
            message: format!(
                "expected {}, found {}",
                plain_expected(expected),
                plain_unexpected(&unexpected)
            ),
            span: None,
        }
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        DeError {
            message: format!(
                "expected {}, found {}",
                plain_expected(expected),
                plain_unexpected(&unexpected)
            ),
            span: None,
        }
    }
}

/// What serde expected, in words a matrix author knows (`u32` is "a whole number").
fn plain_expected(expected: &dyn de::Expected) -> String {
    let text = expected.to_string();
    match text.as_str() {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
            "a whole number of 0 or more".to_string()
        }
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number".to_string(),
        "f32" | "f64" => "a number".to_string(),
        "a boolean" => "true or false".to_string(),
        _ => text,
    }
}

/// What was found, in words a matrix author knows.
fn plain_unexpected(unexpected: &de::Unexpected<'_>) -> String {
    match unexpected {
        de::Unexpected::Str(s) => format!("the text \"{s}\""),
        de::Unexpected::Signed(i) => format!("the number {i}"),
        de::Unexpected::Unsigned(u) => format!("the number {u}"),
        de::Unexpected::Float(f) => format!("the number {f}"),
        de::Unexpected::Bool(b) => format!("{b}"),
        de::Unexpected::Seq => "a list".to_string(),
        de::Unexpected::Map => "a table".to_string(),
        de::Unexpected::Unit => "an empty value".to_string(),
        other => other.to_string(),
    }
}

/// A key that the schema does not know, with the keys it does know.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownKey {
    /// The key as written.
    pub key: Key,
    /// The keys allowed at that place.
    pub expected: &'static [&'static str],
}

/// Collects unknown keys while deserializing.
#[derive(Debug, Default)]
pub struct Collector {
    unknown: RefCell<Vec<UnknownKey>>,
}

impl Collector {
    /// Takes the unknown keys found so far.
    pub fn take(&self) -> Vec<UnknownKey> {
        std::mem::take(&mut self.unknown.borrow_mut())
    }
}

/// Deserializes `T` from a node, collecting unknown keys in `collector`.
pub fn from_node<'a, T: Deserialize<'a>>(
    node: &'a Node,
    collector: &Collector,
) -> Result<T, DeError> {
    T::deserialize(NodeDeserializer { node, collector })
}

/// The serde struct name that [`Spanned`] asks for, so that the
/// deserializer hands it the span along with the value.
const SPANNED: &str = "$escalate::Spanned";
const SPANNED_FIELDS: &[&str] = &["$start", "$end", "$value"];

/// A value with the position it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it is written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// A value with a span.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value with a position")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                let mut start = 0usize;
                let mut end = 0usize;
                let mut value = None;
                while let Some(key) = map.next_key::<&str>()? {
                    match key {
                        "$start" => start = map.next_value()?,
                        "$end" => end = map.next_value()?,
                        _ => value = Some(map.next_value()?),
                    }
                }
                let value = value.ok_or_else(|| de::Error::missing_field("$value"))?;
                Ok(Spanned::new(value, Span::new(start, end)))
            }
        }

        deserializer.deserialize_struct(
            SPANNED,
            SPANNED_FIELDS,
            SpannedVisitor(std::marker::PhantomData),
        )
    }
}

impl<T: serde::Serialize> serde::Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// Transparent: a spanned value is written as the value itself, so its
/// JSON Schema is the schema of `T`.
impl<T: schemars::JsonSchema> schemars::JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

#[derive(Clone, Copy)]
struct NodeDeserializer<'a, 'c> {
    node: &'a Node,
    collector: &'c Collector,
}

impl NodeDeserializer<'_, '_> {
    fn locate(&self, mut error: DeError) -> DeError {
        if error.span.is_none() {
            error.span = Some(self.node.span);
        }
        error
    }

    fn mismatch(&self, expected: &str) -> DeError {
        DeError {
            message: format!("expected {expected}, found {}", self.node.value.kind()),
            span: Some(self.node.span),
        }
    }
}

macro_rules! forward_to_any {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                self.deserialize_any(visitor)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for NodeDeserializer<'de, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.node.value {
            Value::Str(s) | Value::Datetime(s) => visitor.visit_borrowed_str(s),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Null => visitor.visit_unit(),
            Value::Plain { inferred, text } => match **inferred {
                Value::Int(i) => visitor.visit_i64(i),
                Value::Float(f) => visitor.visit_f64(f),
                Value::Bool(b) => visitor.visit_bool(b),
                _ => visitor.visit_borrowed_str(text),
            },
            Value::Seq(items) => visitor.visit_seq(SeqNodes {
                items: items.iter(),
                collector: self.collector,
            }),
            Value::Map(entries) => visitor.visit_map(MapNodes {
                entries: entries.iter(),
                value: None,
                fields: None,
                seen: HashSet::new(),
                collector: self.collector,
            }),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.node.value {
            Value::Str(s) | Value::Datetime(s) => visitor.visit_borrowed_str(s),
            Value::Plain { text, .. } => visitor.visit_borrowed_str(text),
            _ => return Err(self.mismatch("a string")),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Bool(b) => visitor.visit_bool(*b).map_err(|e| self.locate(e)),
            Value::Plain { inferred, .. } if matches!(**inferred, Value::Bool(_)) => {
                self.deserialize_any(visitor)
            }
            Value::Str(s) => {
                let message = match s.to_ascii_lowercase().as_str() {
                    "yes" | "no" | "on" | "off" | "y" | "n" => format!(
                        "expected true or false, found `{s}`: write true or false (yes, no, on and off are text)"
                    ),
                    "true" | "false" => format!(
                        "expected true or false, found the text \"{s}\": write true or false without quotes"
                    ),
                    _ => format!("expected true or false, found the text \"{s}\""),
                };
                Err(DeError {
                    message,
                    span: Some(self.node.span),
                })
            }
            _ => Err(self.mismatch("true or false")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Seq(_) => self.deserialize_any(visitor),
            _ => Err(self.mismatch("a list")),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Map(_) => self.deserialize_any(visitor),
            _ => Err(self.mismatch("a table")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == SPANNED {
            return visitor.visit_map(SpannedNode {
                node: self.node,
                collector: self.collector,
                step: 0,
            });
        }
        match &self.node.value {
            Value::Map(entries) => visitor
                .visit_map(MapNodes {
                    entries: entries.iter(),
                    value: None,
                    fields: Some(fields),
                    seen: HashSet::new(),
                    collector: self.collector,
                })
                .map_err(|e| self.locate(e)),
            _ => Err(self.mismatch("a table")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.node.as_str() {
            Some(s) => visitor
                .visit_enum(s.into_deserializer())
                .map_err(|e: DeError| {
                    let mut message = format!(
                        "unknown value `{s}`, expected one of: {}",
                        variants.join(", ")
                    );
                    if let Some(best) = closest(s, variants) {
                        let _ = write!(message, " (did you mean `{best}`?)");
                    }
                    self.locate(DeError {
                        message: if e.message.starts_with("unknown variant") {
                            message
                        } else {
                            e.message
                        },
                        span: e.span,
                    })
                }),
            None => Err(self.mismatch(&format!("one of: {}", variants.join(", ")))),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    forward_to_any! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_bytes deserialize_byte_buf
        deserialize_unit deserialize_identifier
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }
}

/// The closest known name to `word`, when it is close enough to suggest.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

struct SeqNodes<'a, 'c> {
    items: std::slice::Iter<'a, Node>,
    collector: &'c Collector,
}

impl<'de> SeqAccess<'de> for SeqNodes<'de, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(node) => seed
                .deserialize(NodeDeserializer {
                    node,
                    collector: self.collector,
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapNodes<'a, 'c> {
    entries: std::slice::Iter<'a, (Key, Node)>,
    value: Option<&'a Node>,
    fields: Option<&'static [&'static str]>,
    /// Keys read so far: a key written twice is read once (the first), and
    /// the loader reports the duplicate with both places.
    seen: HashSet<&'a str>,
    collector: &'c Collector,
}

impl<'de> MapAccess<'de> for MapNodes<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        for (key, node) in self.entries.by_ref() {
            if !self.seen.insert(key.name.as_str()) {
                continue;
            }
            if let Some(fields) = self.fields
                && !fields.contains(&key.name.as_str())
            {
                self.collector.unknown.borrow_mut().push(UnknownKey {
                    key: key.clone(),
                    expected: fields,
                });
                continue;
            }
            self.value = Some(node);
            let key_de: de::value::BorrowedStrDeserializer<'de, DeError> =
                de::value::BorrowedStrDeserializer::new(&key.name);
            return seed.deserialize(key_de).map(Some).map_err(|mut e| {
                e.span.get_or_insert(key.span);
                e
            });
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let node = self.value.take().ok_or_else(|| DeError {
            message: "a value was asked for before its key".into(),
            span: None,
        })?;
        seed.deserialize(NodeDeserializer {
            node,
            collector: self.collector,
        })
    }
}

struct SpannedNode<'a, 'c> {
    node: &'a Node,
    collector: &'c Collector,
    step: u8,
}

impl<'de> MapAccess<'de> for SpannedNode<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let key = match self.step {
            0 => SPANNED_FIELDS[0],
            1 => SPANNED_FIELDS[1],
            2 => SPANNED_FIELDS[2],
            _ => return Ok(None),
        };
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let step = self.step;
        self.step += 1;
        match step {
            0 => seed.deserialize(self.node.span.start.into_deserializer()),
            1 => seed.deserialize(self.node.span.end.into_deserializer()),
            _ => seed.deserialize(NodeDeserializer {
                node: self.node,
                collector: self.collector,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::node::{from_toml, from_yaml};

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        name: Spanned<String>,
        count: u32,
        #[serde(default)]
        flag: bool,
    }

    #[test]
    fn unknown_keys_are_collected_not_fatal() {
        let (node, _) = from_toml("name = \"a\"\ncount = 2\ncuont = 3\n");
        let collector = Collector::default();
        let sample: Sample = from_node(&node, &collector).unwrap();
        assert_eq!(sample.count, 2);
        let unknown = collector.take();
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].key.name, "cuont");
        assert_eq!(closest("cuont", unknown[0].expected), Some("count"));
    }

    #[test]
    fn type_errors_point_at_the_value() {
        let src = "name: a\ncount: many\n";
        let node = from_yaml(src).unwrap();
        let err = from_node::<Sample>(&node, &Collector::default()).unwrap_err();
        let span = err.span.unwrap();
        assert_eq!(&src[span.start..span.end], "many");
    }

    #[test]
    fn spanned_values_know_their_place() {
        let src = "name = \"abc\"\ncount = 1\n";
        let (node, _) = from_toml(src);
        let sample: Sample = from_node(&node, &Collector::default()).unwrap();
        assert_eq!(
            &src[sample.name.span.start..sample.name.span.end],
            "\"abc\""
        );
        assert_eq!(sample.name.value, "abc");
    }

    #[test]
    fn missing_keys_point_at_the_table() {
        let node = from_yaml("name: a\n").unwrap();
        let err = from_node::<Sample>(&node, &Collector::default()).unwrap_err();
        assert!(err.message.contains("`count`"), "{}", err.message);
        assert!(err.span.is_some());
    }

    #[test]
    fn a_key_written_twice_is_read_once_the_first() {
        let node = from_yaml("name: a\ncount: 1\ncount: 2\n").unwrap();
        let collector = Collector::default();
        let sample: Sample = from_node(&node, &collector).unwrap();
        assert_eq!(sample.count, 1);
        assert!(collector.take().is_empty());
    }

    #[test]
    fn type_errors_use_plain_words() {
        let node = from_yaml("name: a\ncount: -3\n").unwrap();
        let err = from_node::<Sample>(&node, &Collector::default()).unwrap_err();
        assert_eq!(
            err.message,
            "expected a whole number of 0 or more, found the number -3"
        );
    }

    #[test]
    fn yaml_string_booleans_are_rejected_where_booleans_are_expected() {
        let node = from_yaml("name: a\ncount: 1\nflag: \"yes\"\n").unwrap();
        let err = from_node::<Sample>(&node, &Collector::default()).unwrap_err();
        assert!(err.message.contains("true or false"), "{}", err.message);
    }
}

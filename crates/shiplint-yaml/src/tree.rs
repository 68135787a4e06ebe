//! The tree a document parses into: every node and every mapping key carries the byte
//! [`Span`] of its source text, because a finding has to point at exactly what it is about.

/// Byte range into the source text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset just past the last byte.
    pub end: usize,
}

impl Span {
    /// Builds a span, never letting `end` fall before `start`.
    pub(crate) fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }
}

/// What a node holds, resolved by the YAML 1.2 core schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null`, or nothing at all.
    Null,
    /// `true` / `false` (YAML 1.1's `yes`, `on`, ... stay strings).
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// A float, including `.inf` and `.nan`.
    Float(f64),
    /// Any other scalar, and every quoted or block scalar.
    Str(String),
    /// A sequence, in source order.
    Seq(Vec<Node>),
    /// A mapping, in source order, with `<<` merges already expanded.
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping. Keys are always strings, exactly as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key's text (after unquoting).
    pub key: String,
    /// Where the key is written (quotes included).
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// A value and where it is written. An alias's copy keeps the spans of the anchored
/// definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value is written; zero-width for an empty value.
    pub span: Span,
}

impl Node {
    /// Value of `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|e| &e.value)
    }

    /// The entry of `key` (with its key span) when this node is a mapping.
    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// The text of a string node.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of a mapping node.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of a sequence node.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// True for a null node (including an empty value).
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Type name as policies and messages spell it (JSON-ish vocabulary).
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "sequence",
            Value::Map(_) => "mapping",
        }
    }

    /// Non-null scalars rendered as text (`true` -> "true", `1` -> "1", `1.5` -> "1.5").
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(float_text(*f)),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// Plain JSON view; NaN and infinities have no JSON form and become `null`.
    pub fn to_json(&self) -> serde_json::Value {
        // Recursion is bounded by MAX_DEPTH, enforced while parsing.
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// YAML-flavoured float text; Debug keeps a `.0` on integral values (`1.0`, not `1`).
fn float_text(f: f64) -> String {
    if f.is_nan() {
        ".nan".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf" } else { "-.inf" }.to_owned()
    } else {
        format!("{f:?}")
    }
}

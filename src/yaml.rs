//! Position-preserving YAML loader for workflow files.
//!
//! Findings have to point at the exact key or value they are about, so this module builds its own
//! tree from saphyr-parser's event stream and keeps a byte [`Span`] on every node and key.
//! serde_yaml is deprecated and drops positions, which is why we do not use it.
//!
//! Design notes:
//! * Events are pulled with `Parser::next_event` instead of `Parser::load`, because `load`
//!   recurses once per nesting level and would overflow the stack on hostile input; the tree is
//!   assembled with an explicit stack of open collections.
//! * saphyr reports positions in characters and its event spans are not always the node's text
//!   (they include anchors/tags, the closing quote span runs into trailing comments, block scalars
//!   start at their content). We convert to bytes and then tighten each span against the source.
//! * Aliases are expanded into deep copies that keep the anchor definition's spans, under a budget
//!   so that "billion laughs" documents fail fast instead of exhausting memory.

use std::collections::{HashMap, HashSet};
use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, SpannedEventReceiver, Tag};

/// Deepest allowed nesting of mappings/sequences. Keeps every recursive walk (Clone, Drop,
/// `to_json`, `PartialEq`) far away from the stack limit of a rayon worker thread.
const MAX_DEPTH: usize = 256;
/// Alias expansion may create at most `max(MIN_NODE_BUDGET, NODES_PER_BYTE * len)` nodes ...
const MIN_NODE_BUDGET: usize = 100_000;
const NODES_PER_BYTE: usize = 10;
/// ... and at most `max(MIN_BYTE_BUDGET, BYTES_PER_BYTE * len)` bytes of string data, since a few
/// aliases of one huge string would exhaust memory without creating many nodes.
const MIN_BYTE_BUDGET: usize = 4 << 20;
const BYTES_PER_BYTE: usize = 10;
const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// Byte range into the source text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// Builds a span, never letting `end` fall before `start`.
    fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping. Keys are always strings, exactly as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    /// Value of `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|e| &e.value)
    }

    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

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
            Value::Seq(items) => serde_json::Value::Array(items.iter().map(Node::to_json).collect()),
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

impl PathSeg {
    /// A JSON string becomes a `Key`, a non-negative integer an `Index`; anything else is `None`.
    pub fn from_json(v: &serde_json::Value) -> Option<PathSeg> {
        match v {
            serde_json::Value::String(s) => Some(PathSeg::Key(s.clone())),
            serde_json::Value::Number(n) => {
                n.as_u64().and_then(|i| usize::try_from(i).ok()).map(PathSeg::Index)
            }
            _ => None,
        }
    }
}

/// Where a path points: the value's span, plus the key's span when the last step was a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    pub span: Span,
    pub key_span: Option<Span>,
}

/// A parse failure with its position (1-based line, 1-based column counted in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {}, column {}", self.message, self.line, self.column)
    }
}

impl std::error::Error for YamlError {}

/// A parsed workflow file: the tree plus what is needed to turn byte offsets into line/column
/// without keeping a copy of the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub root: Node,
    index: SourceIndex,
}

impl Document {
    /// Follows `path` from the root; an empty path locates the root itself.
    pub fn locate(&self, path: &[PathSeg]) -> Option<Located> {
        let mut node = &self.root;
        let mut key_span = None;
        for seg in path {
            match seg {
                PathSeg::Key(key) => {
                    let entry = node.get_entry(key)?;
                    key_span = Some(entry.key_span);
                    node = &entry.value;
                }
                PathSeg::Index(i) => {
                    node = node.as_seq()?.get(*i)?;
                    key_span = None;
                }
            }
        }
        Some(Located {
            span: node.span,
            key_span,
        })
    }

    /// 1-based line and 1-based column (in characters) of a byte offset; clamps past the end.
    pub fn line_col(&self, byte_offset: usize) -> (usize, usize) {
        self.index.line_col(byte_offset)
    }

    pub fn to_json(&self) -> serde_json::Value {
        self.root.to_json()
    }
}

/// Line starts and the positions of multi-byte characters of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SourceIndex {
    len: usize,
    /// Byte offset of the first byte of every line; `\n`, `\r\n` and a lone `\r` end a line
    /// (a lone `\r` is a line break for saphyr too).
    line_starts: Vec<usize>,
    /// `(char index, byte offset just past the char)` of every non-ASCII char. Empty for ASCII
    /// sources, which makes both conversions the identity.
    wide: Vec<(usize, usize)>,
}

impl SourceIndex {
    fn new(src: &str) -> SourceIndex {
        let bytes = src.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let lone_cr = b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
            if b == b'\n' || lone_cr {
                line_starts.push(i + 1);
            }
        }
        let wide = if src.is_ascii() {
            Vec::new()
        } else {
            src.char_indices()
                .enumerate()
                .filter(|(_, (_, c))| !c.is_ascii())
                .map(|(ci, (bi, c))| (ci, bi + c.len_utf8()))
                .collect()
        };
        SourceIndex {
            len: src.len(),
            line_starts,
            wide,
        }
    }

    fn byte_of_char(&self, char_index: usize) -> usize {
        let k = self.wide.partition_point(|&(ci, _)| ci < char_index);
        let byte = match k.checked_sub(1).and_then(|k| self.wide.get(k)) {
            // Every char after the last wide one is a single byte.
            Some(&(ci, end)) => end + (char_index - ci - 1),
            None => char_index,
        };
        byte.min(self.len)
    }

    fn char_of_byte(&self, byte: usize) -> usize {
        let k = self.wide.partition_point(|&(_, end)| end <= byte);
        let chars = match k.checked_sub(1).and_then(|k| self.wide.get(k)) {
            Some(&(ci, end)) => ci + 1 + (byte - end),
            None => byte,
        };
        // An offset inside a wide char counts as that char.
        match self.wide.get(k) {
            Some(&(next_ci, _)) => chars.min(next_ci),
            None => chars,
        }
    }

    fn line_col(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.len);
        let line = self.line_starts.partition_point(|&s| s <= byte).max(1);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .char_of_byte(byte)
            .saturating_sub(self.char_of_byte(line_start));
        (line, column + 1)
    }

    fn error(&self, message: impl Into<String>, span: Span) -> YamlError {
        let (line, column) = self.line_col(span.start);
        YamlError {
            message: message.into(),
            span,
            line,
            column,
        }
    }
}

/// Parses one YAML document with spans on every node and key.
pub fn parse(source: &str) -> Result<Document, YamlError> {
    let index = SourceIndex::new(source);
    let root = {
        let mut builder = Builder::new(source, &index);
        let mut parser = Parser::new_from_str(source);
        while let Some(next) = parser.next_event() {
            match next {
                Ok((ev, span)) => builder.on_event(ev, span),
                Err(e) => return Err(scan_error(source, &index, &e)),
            }
            if builder.error.is_some() || builder.finished {
                break;
            }
        }
        if let Some(err) = builder.error {
            return Err(err);
        }
        builder.root.unwrap_or(Node {
            value: Value::Null,
            span: Span::default(),
        })
    };
    Ok(Document { root, index })
}

fn depth_error(index: &SourceIndex, at: Span) -> YamlError {
    index.error(format!("nesting too deep (more than {MAX_DEPTH} levels)"), at)
}

/// Turns a saphyr scanner/parser error into ours, with a byte position and a friendlier message
/// for the cases we can say more about.
fn scan_error(src: &str, index: &SourceIndex, e: &ScanError) -> YamlError {
    let at = index.byte_of_char(e.marker().index());
    let span = Span::new(at, at);
    match e.info() {
        "while parsing node, found unknown anchor" => {
            index.error(format!("unknown alias `{}`", alias_text(src, at)), span)
        }
        // saphyr keeps its flow depth in a u8, so `[[[[...` stops there before our own limit.
        "recursion limit exceeded" => index.error(
            "nesting too deep (more than 255 levels of flow collections)",
            span,
        ),
        info => index.error(info.trim(), span),
    }
}

/// The `*name` text starting at `at`, for error messages.
fn alias_text(src: &str, at: usize) -> &str {
    let rest = src.get(at..).unwrap_or("");
    let end = rest
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c.is_whitespace() || ",[]{}".contains(c))
        .map_or(rest.len(), |(i, _)| i);
    rest.get(..end).unwrap_or("")
}

/// Size of a finished subtree, used for anchor copies, alias budgets and depth checks.
#[derive(Debug, Clone, Copy)]
struct Stats {
    nodes: usize,
    bytes: usize,
    /// Collections on the deepest path (a scalar has height 0).
    height: usize,
}

impl Stats {
    fn scalar(value: &Value) -> Stats {
        let bytes = match value {
            Value::Str(s) => s.len(),
            _ => 0,
        };
        Stats {
            nodes: 1,
            bytes,
            height: 0,
        }
    }
}

struct Anchor {
    node: Node,
    stats: Stats,
    /// Source text of an anchored scalar, for when its alias is used as a mapping key.
    key_text: Option<String>,
}

struct PendingKey {
    text: String,
    span: Span,
    /// A plain `<<` key: its value is merged rather than stored.
    merge: bool,
}

enum Slot {
    Entry(Entry),
    /// Mappings named by a `<<` key, in order; expanded when the mapping ends.
    Merge(Vec<Vec<Entry>>),
}

enum Body {
    Seq(Vec<Node>),
    Map {
        slots: Vec<Slot>,
        keys: HashSet<String>,
        pending: Option<PendingKey>,
    },
}

/// A mapping or sequence whose end event has not arrived yet.
struct Frame {
    body: Body,
    start: usize,
    /// `[...]`/`{...}`: the span ends at the closing bracket; block collections end at the end of
    /// their last child.
    flow: bool,
    anchor: usize,
    /// Furthest source position of any child occurrence so far.
    end: usize,
    stats: Stats,
}

struct Builder<'a> {
    src: &'a str,
    index: &'a SourceIndex,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchor>,
    root: Option<Node>,
    documents: usize,
    /// End of the previous event, for finding syntax that saphyr leaves out of a span.
    prev_end: usize,
    nodes_created: usize,
    bytes_created: usize,
    node_budget: usize,
    byte_budget: usize,
    error: Option<YamlError>,
    finished: bool,
}

impl<'input> SpannedEventReceiver<'input> for Builder<'_> {
    fn on_event(&mut self, ev: Event<'input>, span: saphyr_parser::Span) {
        if self.error.is_some() || self.finished {
            return;
        }
        if let Err(e) = self.handle(ev, span) {
            self.error = Some(e);
        }
    }
}

impl<'a> Builder<'a> {
    fn new(src: &'a str, index: &'a SourceIndex) -> Builder<'a> {
        Builder {
            src,
            index,
            stack: Vec::new(),
            anchors: HashMap::new(),
            root: None,
            documents: 0,
            prev_end: 0,
            nodes_created: 0,
            bytes_created: 0,
            node_budget: MIN_NODE_BUDGET.max(src.len().saturating_mul(NODES_PER_BYTE)),
            byte_budget: MIN_BYTE_BUDGET.max(src.len().saturating_mul(BYTES_PER_BYTE)),
            error: None,
            finished: false,
        }
    }

    fn handle(&mut self, ev: Event<'_>, span: saphyr_parser::Span) -> Result<(), YamlError> {
        let s = self.index.byte_of_char(span.start.index());
        let e = self.index.byte_of_char(span.end.index()).max(s);
        let mut next_prev_end = e;
        match ev {
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => self.finished = true,
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    let msg = "multiple YAML documents in one file";
                    return Err(self.index.error(msg, Span::new(s, e)));
                }
            }
            Event::Alias(id) => self.alias(id, Span::new(s, e))?,
            Event::Scalar(text, style, anchor, tag) => {
                let span = self.scalar_span(style, s, e);
                self.scalar(text.into_owned(), style, anchor, tag.as_deref(), span)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let is_seq = matches!(ev, Event::SequenceStart(..));
                let start = self.collection_start(is_seq, s, e);
                if is_seq && self.src.as_bytes().get(start) == Some(&b'-') {
                    // The first `-` belongs to this sequence, not to the next one.
                    next_prev_end = e.max(start + 1);
                }
                self.open(is_seq, anchor, start, e)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(e)?,
        }
        self.prev_end = next_prev_end;
        Ok(())
    }

    /// True when the next completed node would be a mapping key.
    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map { pending: None, .. },
                ..
            })
        )
    }

    fn scalar(
        &mut self,
        text: String,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), YamlError> {
        if self.expecting_key() {
            if anchor > 0 {
                let value = resolve_scalar(&text, style, tag)
                    .map_err(|msg| self.index.error(msg, span))?;
                let node = Node { value, span };
                let stats = Stats::scalar(&node.value);
                self.define_anchor(anchor, &node, stats, Some(text.clone()), span)?;
            }
            let merge = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
            return self.set_key(text, span, span, merge);
        }
        let value =
            resolve_scalar(&text, style, tag).map_err(|msg| self.index.error(msg, span))?;
        let node = Node { value, span };
        let stats = Stats::scalar(&node.value);
        self.nodes_created += 1;
        self.bytes_created += stats.bytes;
        if anchor > 0 {
            self.define_anchor(anchor, &node, stats, Some(text), span)?;
        }
        self.attach(node, stats, span)
    }

    fn alias(&mut self, id: usize, at: Span) -> Result<(), YamlError> {
        let Some(anchor) = self.anchors.get(&id) else {
            // saphyr knows the name, so the anchor was opened but is not finished: the alias
            // sits inside the very node it names.
            let msg = format!(
                "alias `{}` refers to a node that contains it",
                alias_text(self.src, at.start)
            );
            return Err(self.index.error(msg, at));
        };
        if self.expecting_key() {
            let Some(text) = anchor.key_text.clone() else {
                let msg = format!("a {} cannot be used as a mapping key", anchor.node.type_name());
                return Err(self.index.error(msg, at));
            };
            let key_span = anchor.node.span;
            return self.set_key(text, key_span, at, false);
        }
        if self.stack.len() + anchor.stats.height > MAX_DEPTH {
            return Err(depth_error(self.index, at));
        }
        let stats = anchor.stats;
        self.charge(stats, at)?;
        // Re-borrow after the budget check so the (possibly huge) copy is made only when allowed.
        let node = match self.anchors.get(&id) {
            Some(anchor) => anchor.node.clone(),
            None => return Err(self.index.error("internal error: anchor vanished", at)),
        };
        self.attach(node, stats, at)
    }

    /// Counts a deep copy against the expansion budget before it is made.
    fn charge(&mut self, stats: Stats, at: Span) -> Result<(), YamlError> {
        self.nodes_created = self.nodes_created.saturating_add(stats.nodes);
        self.bytes_created = self.bytes_created.saturating_add(stats.bytes);
        if self.nodes_created > self.node_budget || self.bytes_created > self.byte_budget {
            return Err(self.index.error("alias expansion too large", at));
        }
        Ok(())
    }

    fn define_anchor(
        &mut self,
        id: usize,
        node: &Node,
        stats: Stats,
        key_text: Option<String>,
        at: Span,
    ) -> Result<(), YamlError> {
        // Keeping a copy costs as much as expanding an alias, so it is budgeted the same way.
        self.charge(stats, at)?;
        let anchor = Anchor {
            node: node.clone(),
            stats,
            key_text,
        };
        self.anchors.insert(id, anchor);
        Ok(())
    }

    fn open(&mut self, is_seq: bool, anchor: usize, start: usize, e: usize) -> Result<(), YamlError> {
        let at = Span::new(start, e);
        if self.expecting_key() {
            let kind = if is_seq { "sequence" } else { "mapping" };
            let msg = format!("a {kind} cannot be used as a mapping key");
            return Err(self.index.error(msg, at));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(depth_error(self.index, at));
        }
        let opener = if is_seq { b'[' } else { b'{' };
        let body = if is_seq {
            Body::Seq(Vec::new())
        } else {
            Body::Map {
                slots: Vec::new(),
                keys: HashSet::new(),
                pending: None,
            }
        };
        self.nodes_created += 1;
        self.stack.push(Frame {
            body,
            start,
            flow: self.src.as_bytes().get(start) == Some(&opener),
            anchor,
            end: start,
            stats: Stats {
                nodes: 1,
                bytes: 0,
                height: 1,
            },
        });
        Ok(())
    }

    fn close(&mut self, e: usize) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Err(self.index.error("internal error: unbalanced collection end", Span::new(e, e)));
        };
        let end = if frame.flow { e } else { frame.end };
        let span = Span::new(frame.start, end);
        let value = match frame.body {
            Body::Seq(items) => Value::Seq(items),
            Body::Map { slots, keys, .. } => Value::Map(expand_merges(slots, &keys)),
        };
        let node = Node { value, span };
        if frame.anchor > 0 {
            self.define_anchor(frame.anchor, &node, frame.stats, None, span)?;
        }
        self.attach(node, frame.stats, span)
    }

    fn set_key(
        &mut self,
        text: String,
        key_span: Span,
        at: Span,
        merge: bool,
    ) -> Result<(), YamlError> {
        let index = self.index;
        let Some(Frame {
            body: Body::Map { keys, pending, .. },
            end,
            stats,
            ..
        }) = self.stack.last_mut()
        else {
            return Err(index.error("internal error: key outside a mapping", at));
        };
        if keys.contains(&text) {
            return Err(index.error(format!("duplicate key `{text}`"), at));
        }
        keys.insert(text.clone());
        *end = (*end).max(at.end);
        stats.nodes += 1;
        stats.bytes += text.len();
        *pending = Some(PendingKey {
            text,
            span: key_span,
            merge,
        });
        Ok(())
    }

    /// Adds a finished node (`at` is where it occurs, which differs from its span for aliases).
    fn attach(&mut self, node: Node, child: Stats, at: Span) -> Result<(), YamlError> {
        let index = self.index;
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        frame.end = frame.end.max(at.end);
        frame.stats.nodes = frame.stats.nodes.saturating_add(child.nodes);
        frame.stats.bytes = frame.stats.bytes.saturating_add(child.bytes);
        frame.stats.height = frame.stats.height.max(child.height + 1);
        match &mut frame.body {
            Body::Seq(items) => items.push(node),
            Body::Map { slots, pending, .. } => match pending.take() {
                Some(key) if key.merge => {
                    let sources = merge_sources(node.value).ok_or_else(|| {
                        index.error(
                            "the value of the merge key `<<` must be a mapping or a list of mappings",
                            at,
                        )
                    })?;
                    slots.push(Slot::Merge(sources));
                }
                Some(key) => slots.push(Slot::Entry(Entry {
                    key: key.text,
                    key_span: key.span,
                    value: node,
                })),
                None => return Err(index.error("internal error: value without a key", at)),
            },
        }
        Ok(())
    }

    fn scalar_span(&self, style: ScalarStyle, s: usize, e: usize) -> Span {
        let b = self.src.as_bytes();
        match style {
            ScalarStyle::Plain => Span::new(skip_trivia(b, s, e, false).0, e),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                // saphyr's span runs on over trailing blanks and comments; find the real close.
                let start = skip_trivia(b, s, e, false).0;
                Span::new(start, closing_quote(b, start, e).unwrap_or(e))
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                // saphyr's span starts at the content; the header (`|`, `>-`, ...) sits between
                // the previous event and the content, or after this node's anchor/tag.
                let (p, _) = skip_trivia(b, self.prev_end.min(s), e, true);
                let start = if matches!(b.get(p), Some(b'|' | b'>')) {
                    p
                } else {
                    skip_trivia(b, s, e, false).0
                };
                let mut end = e;
                while end > start + 1 && b.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
                    end -= 1;
                }
                Span::new(start, end)
            }
        }
    }

    fn collection_start(&self, is_seq: bool, s: usize, e: usize) -> usize {
        let b = self.src.as_bytes();
        let start = skip_trivia(b, s, e, false).0;
        if is_seq && b.get(start) != Some(&b'[') {
            // A sequence that is a mapping's value without extra indentation ("indentless") is
            // reported at its first item, after the `-`; walk forward from the previous event to
            // find that `-`.
            let (p, dash) = skip_trivia(b, self.prev_end.min(start), start, true);
            if let (true, Some(d)) = (p == start, dash) {
                return d;
            }
        }
        start
    }
}

/// Skips whitespace, comments and node properties (`&anchor`, `!tag`) from `from`, stopping at
/// `limit`. With `indicators`, also skips the `:`/`?`/`,` and `- ` indicators that separate nodes,
/// and reports the last `- ` seen. Returns the stop position and that dash.
fn skip_trivia(b: &[u8], from: usize, limit: usize, indicators: bool) -> (usize, Option<usize>) {
    let limit = limit.min(b.len());
    let mut i = from;
    let mut dash = None;
    while i < limit {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while i < limit && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'!' if b.get(i + 1) == Some(&b'<') => {
                // Verbatim tag: `!<...>` may contain flow indicators.
                while i < limit && b[i] != b'>' {
                    i += 1;
                }
                i += 1;
            }
            b'&' | b'!' => {
                i += 1;
                while i < limit && !b[i].is_ascii_whitespace() && !b",[]{}".contains(&b[i]) {
                    i += 1;
                }
            }
            b':' | b'?' | b',' if indicators => i += 1,
            b'-' if indicators && b.get(i + 1).is_none_or(u8::is_ascii_whitespace) => {
                dash = Some(i);
                i += 1;
            }
            _ => break,
        }
    }
    (i.min(limit), dash)
}

/// Position just past the quote that closes the quoted scalar opening at `start`.
fn closing_quote(b: &[u8], start: usize, limit: usize) -> Option<usize> {
    let quote = *b.get(start).filter(|&&q| q == b'"' || q == b'\'')?;
    let limit = limit.min(b.len());
    let mut i = start + 1;
    while i < limit {
        match b[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn merge_sources(value: Value) -> Option<Vec<Vec<Entry>>> {
    match value {
        Value::Map(entries) => Some(vec![entries]),
        Value::Seq(items) => items
            .into_iter()
            .map(|n| match n.value {
                Value::Map(entries) => Some(entries),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Replaces each `<<` slot by the merged mappings' entries: keys the mapping defines itself win,
/// and among merged mappings the earlier one wins. Merged entries take the place of the `<<`.
fn expand_merges(slots: Vec<Slot>, explicit: &HashSet<String>) -> Vec<Entry> {
    let mut out = Vec::with_capacity(slots.len());
    let mut merged = HashSet::new();
    for slot in slots {
        match slot {
            Slot::Entry(entry) => out.push(entry),
            Slot::Merge(sources) => {
                for entry in sources.into_iter().flatten() {
                    if !explicit.contains(&entry.key) && merged.insert(entry.key.clone()) {
                        out.push(entry);
                    }
                }
            }
        }
    }
    out
}

/// Core-schema suffix (`str`, `int`, ...) of a `!!x` or `!<tag:yaml.org,2002:x>` tag; `!` (the
/// non-specific tag, which forces a string) is reported as `str`.
fn core_tag(tag: &Tag) -> Option<&str> {
    if tag.handle == CORE_TAG_PREFIX {
        return Some(&tag.suffix);
    }
    if tag.handle.is_empty() {
        if tag.suffix == "!" {
            return Some("str");
        }
        return tag.suffix.strip_prefix(CORE_TAG_PREFIX);
    }
    None
}

fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let invalid = |kind: &str| format!("invalid !!{kind} value `{text}`");
    match tag.and_then(core_tag) {
        Some("str") => Ok(Value::Str(text.to_owned())),
        Some("null") => match resolve_plain(text) {
            Value::Null => Ok(Value::Null),
            _ => Err(invalid("null")),
        },
        Some("bool") => match resolve_plain(text) {
            v @ Value::Bool(_) => Ok(v),
            _ => Err(invalid("bool")),
        },
        Some("int") => match parse_int(text) {
            Some(v @ Value::Int(_)) => Ok(v),
            _ => Err(invalid("int")),
        },
        Some("float") => match parse_int(text).or_else(|| parse_float(text)) {
            Some(Value::Int(i)) => Ok(Value::Float(i as f64)),
            Some(v @ Value::Float(_)) => Ok(v),
            _ => Err(invalid("float")),
        },
        // Unknown and non-scalar tags are ignored.
        _ if style == ScalarStyle::Plain => Ok(resolve_plain(text)),
        _ => Ok(Value::Str(text.to_owned())),
    }
}

/// YAML 1.2 core schema for plain scalars (so `yes`, `no`, `on` stay strings).
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => parse_int(text)
            .or_else(|| parse_float(text))
            .unwrap_or_else(|| Value::Str(text.to_owned())),
    }
}

/// Core-schema integers. Decimal values beyond i64 become floats; hex/octal ones stay strings.
fn parse_int(text: &str) -> Option<Value> {
    let radix_digits = |prefix: &str, radix: u32| {
        text.strip_prefix(prefix)
            .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_digit(radix)))
            .map(|d| {
                i64::from_str_radix(d, radix).map_or_else(|_| Value::Str(text.to_owned()), Value::Int)
            })
    };
    if let Some(v) = radix_digits("0x", 16).or_else(|| radix_digits("0o", 8)) {
        return Some(v);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match text.parse::<i64>() {
        Ok(i) => Some(Value::Int(i)),
        Err(_) => text.parse::<f64>().ok().map(Value::Float),
    }
}

/// Core-schema floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `.inf`, `.nan`.
fn parse_float(text: &str) -> Option<Value> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let negative = text.starts_with('-');
    match unsigned {
        ".inf" | ".Inf" | ".INF" => {
            let inf = if negative { f64::NEG_INFINITY } else { f64::INFINITY };
            return Some(Value::Float(inf));
        }
        ".nan" | ".NaN" | ".NAN" if unsigned.len() == text.len() => {
            return Some(Value::Float(f64::NAN));
        }
        _ => {}
    }
    let b = unsigned.as_bytes();
    let digits_from = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let int_end = digits_from(0);
    let mut i = int_end;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        let frac_end = digits_from(i + 1);
        frac_digits = frac_end - (i + 1);
        i = frac_end;
    }
    if int_end == 0 && frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let exp_end = digits_from(j);
        if exp_end == j {
            return None;
        }
        i = exp_end;
    }
    if i != b.len() {
        return None;
    }
    // The grammar above is a subset of what Rust's float parser accepts.
    text.parse::<f64>().ok().map(Value::Float)
}

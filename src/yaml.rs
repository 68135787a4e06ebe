//! Position-preserving YAML loader for workflow files.
//!
//! Findings have to point at the exact key or value they are about, so this module builds its own
//! tree from saphyr-parser's event stream and keeps a byte [`Span`] on every node and key.
//! `serde_yaml` is deprecated and drops positions, which is why we do not use it.
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
const MERGE_VALUE_ERROR: &str =
    "the value of the merge key `<<` must be a mapping or a list of mappings";

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
            serde_json::Value::Number(n) => n
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .map(PathSeg::Index),
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
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.line, self.column
        )
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
///
/// # Errors
/// Invalid YAML, a second document, duplicate or non-scalar keys, unknown aliases, bad merge
/// values, nesting deeper than 256 levels and oversized alias expansion, each with its position.
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
    index.error(
        format!("nesting too deep (more than {MAX_DEPTH} levels)"),
        at,
    )
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
        // saphyr keeps its flow depth in a u8 and gives up at 256 open brackets, a hair before
        // our own limit would; report it as the same condition so callers see one message.
        "recursion limit exceeded" => depth_error(index, span),
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
            Event::DocumentStart(explicit) => {
                if !explicit {
                    // An implicit start is reported with the span of the first token, which would
                    // hide a leading block scalar header from `scalar_span`.
                    next_prev_end = self.prev_end;
                }
                self.documents += 1;
                if self.documents > 1 {
                    let msg = "multiple YAML documents in one file";
                    return Err(self.index.error(msg, Span::new(s, e)));
                }
            }
            Event::Alias(id) => self.alias(id, Span::new(s, e))?,
            Event::Scalar(text, style, anchor, tag) => {
                let span = self.scalar_span(style, text.is_empty(), s, e);
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
                let value =
                    resolve_scalar(&text, style, tag).map_err(|msg| self.index.error(msg, span))?;
                let node = Node { value, span };
                let stats = Stats::scalar(&node.value);
                self.define_anchor(anchor, &node, stats, Some(text.clone()), span)?;
            }
            let merge = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
            return self.set_key(text, span, span, merge);
        }
        let value = resolve_scalar(&text, style, tag).map_err(|msg| self.index.error(msg, span))?;
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
                let msg = format!(
                    "a {} cannot be used as a mapping key",
                    anchor.node.type_name()
                );
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

    fn open(
        &mut self,
        is_seq: bool,
        anchor: usize,
        start: usize,
        e: usize,
    ) -> Result<(), YamlError> {
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
        let first = self.src.as_bytes().get(start);
        self.stack.push(Frame {
            body,
            start,
            flow: first == Some(&opener),
            anchor,
            // A block sequence covers at least its first `-`, even if every item is empty.
            end: if first == Some(&b'-') {
                start + 1
            } else {
                start
            },
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
            return Err(self
                .index
                .error("internal error: unbalanced collection end", Span::new(e, e)));
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
        let mut reach = at.end;
        if at.start == at.end {
            // An empty node sits after its `-` or `:` plus any blanks; the parent should end at
            // that indicator, not at the blanks.
            let b = self.src.as_bytes();
            while reach > frame.start && b.get(reach - 1).is_some_and(u8::is_ascii_whitespace) {
                reach -= 1;
            }
        }
        frame.end = frame.end.max(reach);
        frame.stats.nodes = frame.stats.nodes.saturating_add(child.nodes);
        frame.stats.bytes = frame.stats.bytes.saturating_add(child.bytes);
        frame.stats.height = frame.stats.height.max(child.height + 1);
        match &mut frame.body {
            Body::Seq(items) => items.push(node),
            Body::Map { slots, pending, .. } => match pending.take() {
                Some(key) if key.merge => {
                    let sources = merge_sources(node.value)
                        .ok_or_else(|| index.error(MERGE_VALUE_ERROR, at))?;
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

    fn scalar_span(&self, style: ScalarStyle, empty: bool, s: usize, e: usize) -> Span {
        let b = self.src.as_bytes();
        match style {
            ScalarStyle::Plain => {
                let start = skip_trivia(b, s, e, false).0;
                // Empty nodes are reported with the span of the token that follows them.
                Span::new(start, if empty { start } else { e })
            }
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
        let in_map = matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map { .. },
                ..
            })
        );
        if is_seq && in_map && b.get(start) != Some(&b'[') {
            // A sequence that is a mapping's value without extra indentation ("indentless") is
            // reported at its first item, after the `-`; walk forward from the key to find that
            // `-`. (Inside a sequence, a `-` before the start is the parent's item marker.)
            let (p, dash) = skip_trivia(b, self.prev_end.min(start), start, true);
            if let (true, Some(d)) = (p == start, dash) {
                return d;
            }
        }
        start
    }
}

/// Skips whitespace, byte order marks, comments and node properties (`&anchor`, `!tag`) from
/// `from`, stopping at `limit`. With `indicators`, also skips the `:`/`?`/`,`/`- ` indicators and
/// document markers that can separate nodes, and reports the last `- ` seen. Returns the stop
/// position and that dash.
fn skip_trivia(b: &[u8], from: usize, limit: usize, indicators: bool) -> (usize, Option<usize>) {
    let limit = limit.min(b.len());
    let mut i = from;
    let mut dash = None;
    while i < limit {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            // A byte order mark may open the stream.
            0xEF if b.get(i..i + 3) == Some("\u{feff}".as_bytes()) => i += 3,
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
            b'.' | b'-' if indicators && is_document_marker(b, i) => i += 3,
            b'-' if indicators && b.get(i + 1).is_none_or(u8::is_ascii_whitespace) => {
                dash = Some(i);
                i += 1;
            }
            _ => break,
        }
    }
    (i.min(limit), dash)
}

/// `---` or `...` at the start of a line, followed by a blank or the end of input.
fn is_document_marker(b: &[u8], i: usize) -> bool {
    let at_line_start = i == 0 || matches!(b.get(i - 1), Some(b'\n' | b'\r'));
    let marker = b.get(i..i + 3).is_some_and(|m| m == b"---" || m == b"...");
    at_line_start && marker && b.get(i + 3).is_none_or(u8::is_ascii_whitespace)
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
                i64::from_str_radix(d, radix)
                    .map_or_else(|_| Value::Str(text.to_owned()), Value::Int)
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
            let inf = if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = "\
name: Deploy
on:
  push:
    branches: [main]
  workflow_dispatch:

env:
  REGION: eu-west-1 # where we ship

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          make build
          make test
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_KEY }}
          aws-region: \"eu-west-1\"
      - name: Ship
        run: ./ship.sh --env=prod
";

    fn doc(src: &str) -> Document {
        match parse(src) {
            Ok(d) => d,
            Err(e) => panic!("unexpected error for {src:?}: {e}"),
        }
    }

    fn err(src: &str) -> YamlError {
        match parse(src) {
            Ok(d) => panic!("expected an error for {src:?}, got {:?}", d.root),
            Err(e) => e,
        }
    }

    fn text(src: &str, span: Span) -> &str {
        &src[span.start..span.end]
    }

    fn path(segs: &[&str]) -> Vec<PathSeg> {
        segs.iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => PathSeg::Index(i),
                Err(_) => PathSeg::Key((*s).to_owned()),
            })
            .collect()
    }

    /// Source text of the value at `p`, and of its key when it has one.
    fn at<'s>(src: &'s str, d: &Document, p: &[&str]) -> (&'s str, Option<&'s str>) {
        let loc = d
            .locate(&path(p))
            .unwrap_or_else(|| panic!("no node at {p:?}"));
        (text(src, loc.span), loc.key_span.map(|k| text(src, k)))
    }

    #[test]
    fn nested_block_keys_and_values_have_exact_spans() {
        let src = concat!(
            "jobs:\n",
            "  build:\n",
            "    runs-on: ubuntu-latest\n",
            "    steps:\n",
            "      - uses: a/b@v1\n",
            "      - run: make\n",
        );
        let d = doc(src);
        assert_eq!(
            at(src, &d, &["jobs", "build", "runs-on"]),
            ("ubuntu-latest", Some("runs-on"))
        );
        assert_eq!(
            at(src, &d, &["jobs", "build", "steps", "1", "run"]),
            ("make", Some("run"))
        );
        assert_eq!(
            at(src, &d, &["jobs", "build", "steps"]).0,
            "- uses: a/b@v1\n      - run: make"
        );
        assert_eq!(
            at(src, &d, &["jobs", "build", "steps", "0"]),
            ("uses: a/b@v1", None)
        );
        assert_eq!(
            at(src, &d, &["jobs"]).0,
            concat!(
                "build:\n",
                "    runs-on: ubuntu-latest\n",
                "    steps:\n",
                "      - uses: a/b@v1\n",
                "      - run: make",
            )
        );
        assert_eq!(
            d.locate(&[]).map(|l| l.span),
            Some(Span::new(0, src.len() - 1))
        );
    }

    #[test]
    fn indentless_and_nested_block_sequences_start_at_their_dash() {
        let src = "a:\n- - x\n  - y\n- -5\n- - - w\nb:\n  - &s\n    - z\n";
        let d = doc(src);
        assert_eq!(at(src, &d, &["a"]).0, "- - x\n  - y\n- -5\n- - - w");
        assert_eq!(at(src, &d, &["a", "2"]).0, "- - w");
        assert_eq!(at(src, &d, &["a", "2", "0"]).0, "- w");
        assert_eq!(at(src, &d, &["a", "0"]).0, "- x\n  - y");
        assert_eq!(at(src, &d, &["a", "1"]).0, "-5");
        assert_eq!(at(src, &d, &["b"]).0, "- &s\n    - z");
        assert_eq!(at(src, &d, &["b", "0"]).0, "- z");
        // Empty nodes are zero-width and do not stretch their parent over trailing blanks.
        let src = "- k   :
-
";
        let d = doc(src);
        assert_eq!(at(src, &d, &["0"]).0, "k");
        assert_eq!(at(src, &d, &["0", "k"]), ("", Some("k")));
        assert_eq!(at(src, &d, &["1"]).0, "");
        assert_eq!(
            at(src, &d, &[]).0,
            "- k   :
-"
        );
    }

    #[test]
    fn flow_collections_span_their_brackets() {
        let src = "x: {a: 1, b: [x, \"y\"]}\n";
        let d = doc(src);
        assert_eq!(at(src, &d, &["x"]).0, "{a: 1, b: [x, \"y\"]}");
        assert_eq!(at(src, &d, &["x", "a"]), ("1", Some("a")));
        assert_eq!(at(src, &d, &["x", "b"]), ("[x, \"y\"]", Some("b")));
        assert_eq!(at(src, &d, &["x", "b", "1"]), ("\"y\"", None));
        assert_eq!(
            d.to_json(),
            serde_json::json!({"x": {"a": 1, "b": ["x", "y"]}})
        );
    }

    #[test]
    fn quoted_scalars_span_their_quotes_but_not_trailing_comments() {
        let src = "a: 'it''s'   # note\nb: \"say \\\"hi\\\"\"  # c\n\"c k\": &q 'v'\n";
        let d = doc(src);
        assert_eq!(at(src, &d, &["a"]), ("'it''s'", Some("a")));
        assert_eq!(d.root.get("a").and_then(Node::as_str), Some("it's"));
        assert_eq!(at(src, &d, &["b"]).0, "\"say \\\"hi\\\"\"");
        assert_eq!(at(src, &d, &["c k"]), ("'v'", Some("\"c k\"")));
    }

    #[test]
    fn block_scalars_span_from_indicator_to_end_of_content() {
        let src = concat!(
            "steps:\n",
            "  - run: |\n",
            "      echo one\n",
            "      echo two\n",
            "\n",
            "  - run: >-  # folded\n",
            "      long\n",
            "      line\n",
            "# trailing\n",
            "after: &t |+\n",
            "  kept\n",
            "\n",
        );
        let d = doc(src);
        let (run, key) = at(src, &d, &["steps", "0", "run"]);
        assert_eq!(
            (run, key),
            ("|\n      echo one\n      echo two", Some("run"))
        );
        assert_eq!(
            d.root
                .get("steps")
                .and_then(|s| s.as_seq())
                .map(|s| s[0].get("run")),
            Some(Some(&Node {
                value: Value::Str("echo one\necho two\n".into()),
                span: d
                    .locate(&path(&["steps", "0", "run"]))
                    .map(|l| l.span)
                    .unwrap_or_default(),
            }))
        );
        assert_eq!(
            at(src, &d, &["steps", "1", "run"]).0,
            ">-  # folded\n      long\n      line"
        );
        assert_eq!(at(src, &d, &["after"]).0, "|+\n  kept");
        assert_eq!(d.root.get("after").and_then(Node::as_str), Some("kept\n\n"));
        // At the document root the header must still be found behind a BOM or document marker.
        for src in [
            "\u{feff}|\n  x\n",
            "--- >\n  x\n",
            "...\n|\n  x\n",
            "- |\n  x\n",
        ] {
            let d = doc(src);
            let root = d.root.as_seq().map_or(&d.root, |items| &items[0]);
            assert!(
                matches!(text(src, root.span), "|\n  x" | ">\n  x"),
                "{src:?}"
            );
        }
    }

    #[test]
    fn crlf_line_endings_keep_spans_and_lines_right() {
        let src = "a: 1\r\nb:\r\n  c: \"x\"\r\n  d: |\r\n    y\r\n";
        let d = doc(src);
        assert_eq!(at(src, &d, &["b", "c"]), ("\"x\"", Some("c")));
        let loc = d
            .locate(&path(&["b", "d"]))
            .map(|l| l.span)
            .unwrap_or_default();
        assert_eq!(text(src, loc), "|\r\n    y");
        assert_eq!(d.line_col(loc.start), (4, 6));
        assert_eq!(
            d.root
                .get("b")
                .and_then(|b| b.get("d"))
                .and_then(Node::as_str),
            Some("y\n")
        );
    }

    #[test]
    fn spans_are_byte_offsets_after_non_ascii_text() {
        let src = concat!(
            "\u{feff}name: \"Déploiement 🚀\"\n",
            "env:\n",
            "  ÉTAPE: prod # ✓\n",
            "  next: [日本, 語]\n",
        );
        let d = doc(src);
        assert_eq!(at(src, &d, &["name"]), ("\"Déploiement 🚀\"", Some("name")));
        assert_eq!(at(src, &d, &["env", "ÉTAPE"]), ("prod", Some("ÉTAPE")));
        assert_eq!(at(src, &d, &["env", "next", "1"]).0, "語");
        let next = d
            .locate(&path(&["env", "next"]))
            .map(|l| l.span)
            .unwrap_or_default();
        assert_eq!(text(src, next), "[日本, 語]");
        // Columns count characters, not bytes.
        assert_eq!(d.line_col(next.start), (4, 9));
        let step = d
            .locate(&path(&["env", "ÉTAPE"]))
            .map(|l| l.span)
            .unwrap_or_default();
        assert_eq!(d.line_col(step.start), (3, 10));
    }

    #[test]
    fn yaml_1_1_booleans_and_on_stay_strings() {
        let src = "on: push\nyes: no\nflag: yes\noff: On\ntrue: 1\n1: x\n";
        let d = doc(src);
        let keys: Vec<&str> = d
            .root
            .as_map()
            .unwrap_or_default()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, ["on", "yes", "flag", "off", "true", "1"]);
        assert_eq!(d.root.get("yes").and_then(Node::as_str), Some("no"));
        assert_eq!(d.root.get("flag").and_then(Node::as_str), Some("yes"));
        assert_eq!(d.root.get("off").and_then(Node::as_str), Some("On"));
        assert_eq!(d.root.get("true").map(|n| &n.value), Some(&Value::Int(1)));
    }

    #[test]
    fn scalars_resolve_by_the_yaml_1_2_core_schema() {
        use Value::{Bool, Float, Int, Null};
        let s = |x: &str| Value::Str(x.to_owned());
        let cases = [
            ("~", Null),
            ("null", Null),
            ("NULL", Null),
            ("", Null),
            ("true", Bool(true)),
            ("False", Bool(false)),
            ("0", Int(0)),
            ("-17", Int(-17)),
            ("+3", Int(3)),
            ("0x1F", Int(31)),
            ("0o17", Int(15)),
            ("9223372036854775807", Int(i64::MAX)),
            // Too big for i64: decimal degrades to a float, hex stays text.
            ("9223372036854775808", Float(9_223_372_036_854_775_808.0)),
            ("0xFFFFFFFFFFFFFFFFFF", s("0xFFFFFFFFFFFFFFFFFF")),
            ("1.5", Float(1.5)),
            ("-.5", Float(-0.5)),
            ("1e3", Float(1000.0)),
            ("2.", Float(2.0)),
            (".inf", Float(f64::INFINITY)),
            ("-.Inf", Float(f64::NEG_INFINITY)),
            // Not core-schema numbers (YAML 1.1 or other languages only).
            ("1_000", s("1_000")),
            ("0b1", s("0b1")),
            ("1.2.3", s("1.2.3")),
            ("inf", s("inf")),
            ("1e", s("1e")),
            // YAML 1.1 booleans are plain strings in 1.2.
            ("yes", s("yes")),
            ("off", s("off")),
            // Quoted scalars are strings whatever they look like.
            ("'1'", s("1")),
            ("\"true\"", s("true")),
            ("'null'", s("null")),
            ("|\n  3\n", s("3\n")),
            // Explicit core tags win; unknown tags are ignored; `!` forces a string.
            ("!!str 42", s("42")),
            ("!!int \"7\"", Int(7)),
            ("!!float 3", Float(3.0)),
            ("!!bool TRUE", Bool(true)),
            ("!!null ''", Null),
            ("!custom 5", Int(5)),
            ("! 6", s("6")),
        ];
        for (yaml, expected) in cases {
            let d = doc(&format!("v: {yaml}"));
            assert_eq!(d.root.get("v").map(|n| &n.value), Some(&expected), "{yaml}");
        }
        let nan = doc("v: .NaN").root.get("v").map(|n| n.value.clone());
        assert!(matches!(nan, Some(Float(f)) if f.is_nan()));
        let e = err("a: !!int twelve");
        assert_eq!(e.message, "invalid !!int value `twelve`");
        assert_eq!(
            (e.line, e.column),
            (1, 10),
            "points at the value, after the tag"
        );
    }

    #[test]
    fn node_helpers_describe_values() {
        let d = doc("s: x\nb: true\ni: 1\nf: 1.0\nn:\nl: [1]\nm: {}\n");
        let r = &d.root;
        let names: Vec<&str> = r
            .as_map()
            .unwrap_or_default()
            .iter()
            .map(|e| e.value.type_name())
            .collect();
        assert_eq!(
            names,
            ["string", "boolean", "number", "number", "null", "sequence", "mapping"]
        );
        let texts: Vec<Option<String>> = r
            .as_map()
            .unwrap_or_default()
            .iter()
            .map(|e| e.value.scalar_text())
            .collect();
        let some = |x: &str| Some(x.to_owned());
        assert_eq!(
            texts,
            [
                some("x"),
                some("true"),
                some("1"),
                some("1.0"),
                None,
                None,
                None
            ]
        );
        assert!(r.get("n").is_some_and(Node::is_null));
        assert_eq!(r.get("s").and_then(Node::as_str), Some("x"));
        assert_eq!(r.get("b").and_then(Node::as_str), None);
        assert_eq!(
            r.get("l").and_then(Node::as_seq).map(<[Node]>::len),
            Some(1)
        );
        assert_eq!(
            r.get("m").and_then(Node::as_map).map(<[Entry]>::len),
            Some(0)
        );
        assert_eq!(r.get("missing"), None);
        assert_eq!(r.get("l").and_then(|l| l.get("x")), None);
        assert_eq!(
            r.get_entry("i").map(|e| e.key_span),
            Some(Span::new(13, 14))
        );
    }

    #[test]
    fn aliases_copy_the_anchored_node_with_its_definition_spans() {
        let src = concat!(
            "defaults: &img\n",
            "  image: node:20\n",
            "  ports: [80]\n",
            "use: *img\n",
            "name: &n \"build\"\n",
            "again: *n\n",
        );
        let d = doc(src);
        let (def, _) = at(src, &d, &["defaults", "image"]);
        assert_eq!(at(src, &d, &["use", "image"]), (def, Some("image")));
        let defined = d.locate(&path(&["defaults", "image"])).map(|l| l.span);
        assert_eq!(d.locate(&path(&["use", "image"])).map(|l| l.span), defined);
        assert_eq!(d.root.get("use"), d.root.get("defaults"));
        assert_eq!(at(src, &d, &["again"]), ("\"build\"", Some("again")));
        // The anchored mapping itself still ends where its definition ends.
        assert_eq!(at(src, &d, &["use"]).0, "image: node:20\n  ports: [80]");
    }

    #[test]
    fn merge_keys_add_missing_entries_and_explicit_keys_win() {
        let src = concat!(
            "base: &base\n",
            "  runs-on: ubuntu-latest\n",
            "  timeout: 10\n",
            "extra: &extra\n",
            "  timeout: 30\n",
            "  env: x\n",
            "job1:\n",
            "  <<: *base\n",
            "  timeout: 5\n",
            "job2:\n",
            "  name: two\n",
            "  <<: [*extra, *base]\n",
        );
        let d = doc(src);
        let j1 = d.root.get("job1").map(Node::to_json);
        assert_eq!(
            j1,
            Some(serde_json::json!({"runs-on": "ubuntu-latest", "timeout": 5}))
        );
        let keys: Vec<&str> = d
            .root
            .get("job1")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, ["runs-on", "timeout"]);
        let j2 = d.root.get("job2").map(Node::to_json);
        assert_eq!(
            j2,
            Some(serde_json::json!({
                "name": "two", "timeout": 30, "env": "x", "runs-on": "ubuntu-latest"
            }))
        );
        // A merged value points at its definition.
        assert_eq!(at(src, &d, &["job2", "timeout"]), ("30", Some("timeout")));
        assert_eq!(
            d.line_col(
                d.locate(&path(&["job2", "timeout"]))
                    .map(|l| l.span.start)
                    .unwrap_or(0)
            ),
            (5, 12)
        );
        // A quoted "<<" is an ordinary key.
        assert_eq!(
            doc("'<<': {a: 1}").to_json(),
            serde_json::json!({"<<": {"a": 1}})
        );
        let e = err("a: &a 1\nb:\n  <<: *a\n");
        assert!(e.message.contains("merge key `<<`"), "{e}");
        assert_eq!((e.line, e.column), (3, 7));
    }

    #[test]
    fn unknown_and_recursive_aliases_are_errors() {
        let e = err("a: 1\nb: *missing\n");
        assert_eq!(e.message, "unknown alias `*missing`");
        assert_eq!((e.line, e.column), (2, 4));
        let e = err("a: &x [1, *x]\n");
        assert!(
            e.message.contains("`*x` refers to a node that contains it"),
            "{e}"
        );
        assert_eq!((e.line, e.column), (1, 11));
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_occurrence() {
        let e = err("jobs:\n  a: 1\n  b: 2\n  a: 3\n");
        assert_eq!(e.message, "duplicate key `a`");
        assert_eq!((e.line, e.column), (4, 3));
        assert_eq!(e.span, Span::new(22, 23));
        assert_eq!(err("{x: 1, \"x\": 2}").message, "duplicate key `x`");
        assert_eq!(e.to_string(), "duplicate key `a` at line 4, column 3");
    }

    #[test]
    fn collection_keys_are_errors() {
        let e = err("? [a, b]\n: 1\n");
        assert_eq!(e.message, "a sequence cannot be used as a mapping key");
        assert_eq!((e.line, e.column), (1, 3));
        let e = err("x: 1\n{a: 1}: 2\n");
        assert_eq!(e.message, "a mapping cannot be used as a mapping key");
        assert_eq!((e.line, e.column), (2, 1));
        let e = err("a: &m {k: v}\n*m : 2\n");
        assert_eq!(
            (e.message.as_str(), e.line),
            ("a mapping cannot be used as a mapping key", 2)
        );
        // An alias to a scalar is a fine key, and keeps the anchor's span.
        let src = "a: &k key\n*k : 2\n";
        let d = doc(src);
        assert_eq!(d.root.get("key").map(|n| &n.value), Some(&Value::Int(2)));
        assert_eq!(
            d.root.get_entry("key").map(|e| text(src, e.key_span)),
            Some("key")
        );
    }

    #[test]
    fn a_second_document_is_an_error() {
        let e = err("a: 1\n---\nb: 2\n");
        assert_eq!(e.message, "multiple YAML documents in one file");
        assert_eq!((e.line, e.column, e.span), (2, 1, Span::new(5, 8)));
        // One explicit document is fine.
        assert_eq!(
            doc("---\na: 1\n...\n").to_json(),
            serde_json::json!({"a": 1})
        );
    }

    #[test]
    fn empty_input_is_a_null_root_at_zero() {
        for src in ["", "# only a comment\n", "\n\n   \n"] {
            let d = doc(src);
            assert_eq!(
                d.root,
                Node {
                    value: Value::Null,
                    span: Span::new(0, 0)
                },
                "{src:?}"
            );
            assert_eq!(d.to_json(), serde_json::Value::Null);
        }
    }

    #[test]
    fn billion_laughs_fails_fast() {
        let mut src = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for pair in names.windows(2) {
            let refs = vec![format!("*{}", pair[0]); 10].join(", ");
            src.push_str(&format!("{0}: &{0} [{refs}]\n", pair[1]));
        }
        let started = std::time::Instant::now();
        let e = err(&src);
        assert_eq!(e.message, "alias expansion too large");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // Modest reuse stays well within the budget.
        assert!(parse(&src.lines().take(4).collect::<Vec<_>>().join("\n")).is_ok());
    }

    #[test]
    fn one_huge_string_aliased_many_times_is_bounded_too() {
        let src = format!(
            "a: &a '{}'\nb: [{}]\n",
            "x".repeat(1 << 20),
            vec!["*a"; 100].join(",")
        );
        assert_eq!(err(&src).message, "alias expansion too large");
    }

    /// Runs `f` on a thread with a 256 KiB stack: a recursive descent would overflow it.
    fn on_small_stack(f: impl FnOnce() + Send + 'static) {
        let handle = std::thread::Builder::new().stack_size(256 * 1024).spawn(f);
        let joined = handle.map(std::thread::JoinHandle::join);
        assert!(matches!(joined, Ok(Ok(()))), "thread failed: {joined:?}");
    }

    #[test]
    fn ten_thousand_nested_brackets_fail_without_deep_recursion() {
        on_small_stack(|| {
            for src in ["[".repeat(10_000), "{a: ".repeat(10_000)] {
                let e = err(&src);
                assert_eq!(e.message, "nesting too deep (more than 256 levels)");
                assert_eq!(e.line, 1);
                assert!(e.span.start < 2_000, "fails near the limit, not at the end");
            }
        });
    }

    #[test]
    fn deeply_indented_block_collections_fail_with_the_depth_error() {
        on_small_stack(|| {
            let mut maps = String::new();
            for depth in 0..1_000 {
                maps.push_str(&format!("{}k{depth}:\n", " ".repeat(depth)));
            }
            let seqs = format!("{}x\n", "- ".repeat(10_000));
            for src in [maps, seqs] {
                let e = err(&src);
                assert_eq!(e.message, "nesting too deep (more than 256 levels)");
            }
            assert!(parse(&format!("{}x\n", "- ".repeat(257))).is_err());
        });
    }

    #[test]
    fn the_deepest_allowed_tree_is_safe_to_clone_compare_convert_and_drop() {
        // Those walks recurse once per level, which the depth limit keeps far below what a
        // 1 MiB stack (half of rayon's default worker stack) holds, even in debug builds.
        let handle = std::thread::Builder::new()
            .stack_size(1024 * 1024)
            .spawn(|| {
                let d = doc(&format!("{}x\n", "- ".repeat(256)));
                let copy = d.clone();
                assert_eq!(copy, d);
                assert!(copy.to_json().is_array());
                assert_eq!(format!("{copy:?}").matches("Seq(").count(), 256);
            });
        assert!(matches!(
            handle.map(std::thread::JoinHandle::join),
            Ok(Ok(()))
        ));
    }

    #[test]
    fn aliases_cannot_smuggle_in_extra_depth() {
        let deep = format!("{}x{}", "[".repeat(200), "]".repeat(200));
        let src = format!(
            "a: &d {deep}\nb: {}*d{}\n",
            "[".repeat(100),
            "]".repeat(100)
        );
        let e = err(&src);
        assert_eq!(e.message, "nesting too deep (more than 256 levels)");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn invalid_yaml_reports_a_sensible_position() {
        let e = err("a: [1, 2\n");
        assert_eq!((e.line, e.column), (2, 1), "{e}");
        assert!(e.message.contains("flow sequence"), "{e}");
        let e = err("env:\n  key: \"unterminated\n");
        assert_eq!((e.line, e.column), (2, 8), "{e}");
        assert!(e.message.contains("quoted scalar"), "{e}");
        let e = err("jobs:\n\tbuild: 1\n");
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("tab"), "{e}");
        // No Debug noise in the message.
        assert!(
            !e.message.contains("ScanError") && !e.message.contains("Marker"),
            "{e}"
        );
        let e = err("name: ok\nbad: [\u{e9}, @x]\n");
        assert_eq!((e.line, e.column), (2, 10), "{e}");
        assert_eq!(e.span, Span::new(19, 19));
    }

    #[test]
    fn locate_finds_a_step_input_in_a_realistic_workflow() {
        let d = doc(WORKFLOW);
        let p = path(&["jobs", "deploy", "steps", "1", "with", "aws-access-key-id"]);
        let loc = d.locate(&p).unwrap_or_else(|| panic!("not found"));
        assert_eq!(text(WORKFLOW, loc.span), "${{ secrets.AWS_KEY }}");
        assert_eq!(loc.key_span.map(|k| d.line_col(k.start)), Some((26, 11)));
        assert_eq!(d.line_col(loc.span.start), (26, 30));
        assert_eq!(d.locate(&path(&["jobs", "deploy", "steps", "3"])), None);
        assert_eq!(d.locate(&path(&["jobs", "nope"])), None);
        assert_eq!(d.locate(&path(&["name", "x"])), None);
        assert_eq!(d.locate(&[PathSeg::Index(0)]), None);
        assert_eq!(at(WORKFLOW, &d, &["on", "workflow_dispatch"]).0, "");
        assert!(d
            .root
            .get("on")
            .and_then(|o| o.get("workflow_dispatch"))
            .is_some_and(Node::is_null));
    }

    #[test]
    fn line_col_handles_crlf_chars_and_clamping() {
        let d = doc("a: é\r\nb: 2\rc: 3\n");
        assert_eq!(d.line_col(0), (1, 1));
        assert_eq!(d.line_col(3), (1, 4));
        assert_eq!(d.line_col(5), (1, 5), "after the two-byte é is column 5");
        assert_eq!(d.line_col(7), (2, 1));
        assert_eq!(d.line_col(12), (3, 1), "a lone CR ends a line");
        assert_eq!(d.line_col(10_000), (4, 1));
    }

    #[test]
    fn to_json_keeps_source_order_and_maps_non_finite_floats_to_null() {
        let d = doc("z: 1\na: [true, null, 1.5, .nan, -.inf, \"s\"]\nm: {y: 1, b: 2}\n");
        let json = d.to_json();
        assert_eq!(
            json,
            serde_json::json!({
                "z": 1, "a": [true, null, 1.5, null, null, "s"], "m": {"y": 1, "b": 2}
            })
        );
        assert_eq!(
            json.to_string(),
            r#"{"z":1,"a":[true,null,1.5,null,null,"s"],"m":{"y":1,"b":2}}"#
        );
    }

    #[test]
    fn path_segments_come_from_json_strings_and_indices() {
        use serde_json::json;
        assert_eq!(
            PathSeg::from_json(&json!("jobs")),
            Some(PathSeg::Key("jobs".into()))
        );
        assert_eq!(PathSeg::from_json(&json!(3)), Some(PathSeg::Index(3)));
        assert_eq!(PathSeg::from_json(&json!(-1)), None);
        assert_eq!(PathSeg::from_json(&json!(1.5)), None);
        assert_eq!(PathSeg::from_json(&json!(null)), None);
    }

    #[test]
    fn document_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Document>();
        assert_send_sync::<YamlError>();
    }

    /// Tiny deterministic PRNG so the property test needs no dependency and is reproducible.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn mutate(rng: &mut XorShift, base: &[u8]) -> Vec<u8> {
        const INSERTS: [&[u8]; 12] = [
            b"&a ",
            b"*a",
            b"<<: *a\n",
            b"[",
            b"{",
            b"\t",
            b"]",
            b"}",
            b"- ",
            b": ",
            b"\"",
            "é🚀".as_bytes(),
        ];
        let mut bytes = base.to_vec();
        for _ in 0..1 + rng.below(4) {
            let pos = rng.below(bytes.len() + 1);
            match rng.below(5) {
                0 => bytes.truncate(pos),
                1 => {
                    if let Some(b) = bytes.get_mut(pos) {
                        *b ^= 1 << rng.below(8);
                    }
                }
                2 => {
                    let end = (pos + rng.below(16)).min(bytes.len());
                    bytes.drain(pos..end);
                }
                _ => {
                    let ins = INSERTS[rng.below(INSERTS.len())];
                    bytes.splice(pos..pos, ins.iter().copied());
                }
            }
        }
        bytes
    }

    fn check_spans(src: &str, node: &Node) {
        let ok = |s: Span| {
            s.start <= s.end
                && s.end <= src.len()
                && src.is_char_boundary(s.start)
                && src.is_char_boundary(s.end)
        };
        let mut todo = vec![node];
        while let Some(n) = todo.pop() {
            assert!(ok(n.span), "bad span {:?} in {src:?}", n.span);
            match &n.value {
                Value::Str(value) => check_string_span(src, n.span, value),
                Value::Map(entries) => {
                    for e in entries {
                        assert!(ok(e.key_span), "bad key span {:?} in {src:?}", e.key_span);
                        check_string_span(src, e.key_span, &e.key);
                        todo.push(&e.value);
                    }
                }
                _ => {}
            }
        }
    }

    /// A string's span shows its source form: quoted text opens and closes with the quote, and
    /// a single-line plain scalar is exactly its value.
    fn check_string_span(src: &str, span: Span, value: &str) {
        let written = &src[span.start..span.end];
        if let Some(q) = written.chars().next().filter(|c| matches!(c, '"' | '\'')) {
            assert!(
                written.len() > 1 && written.ends_with(q),
                "{written:?} in {src:?}"
            );
        } else if !written.starts_with(['|', '>']) && !written.contains(['\n', '\r']) {
            assert_eq!(written, value, "in {src:?}");
        }
    }

    #[test]
    fn mutated_workflows_never_panic_and_spans_stay_in_bounds() {
        let anchored = format!("{WORKFLOW}x: &a {{k: v}}\ny: *a\nz:\n  <<: *a\n");
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let (mut parsed, mut failed) = (0, 0);
        for round in 0..3_000 {
            let base = if round % 2 == 0 {
                WORKFLOW
            } else {
                anchored.as_str()
            };
            let bytes = mutate(&mut rng, base.as_bytes());
            let src = String::from_utf8_lossy(&bytes);
            match parse(&src) {
                Ok(d) => {
                    parsed += 1;
                    check_spans(&src, &d.root);
                    let _ = d.to_json();
                    let _ = d.line_col(src.len() + 5);
                }
                Err(e) => {
                    failed += 1;
                    assert!(
                        e.span.end <= src.len() && src.is_char_boundary(e.span.start),
                        "{e:?}"
                    );
                    assert!(e.line >= 1 && e.column >= 1);
                }
            }
        }
        // Both paths must actually be exercised for the property to mean anything.
        assert!(
            parsed > 100 && failed > 100,
            "parsed {parsed}, failed {failed}"
        );
    }
}

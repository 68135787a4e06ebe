//! A parsed document, and the two questions asked of it after parsing: where does a path
//! (as policies name it, `["jobs", "build", "steps", 0]`) point, and which line and column
//! is a byte offset.

use crate::position::SourceIndex;
use crate::tree::{Node, Span};

/// One step of a path into the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    /// A mapping key.
    Key(String),
    /// A sequence index, from 0.
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
    /// The value's span.
    pub span: Span,
    /// The key's span, when the last step was a key.
    pub key_span: Option<Span>,
}

/// A parsed workflow file: the tree plus what is needed to turn byte offsets into line/column
/// without keeping a copy of the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The top-level node (null for an empty file).
    pub root: Node,
    index: SourceIndex,
}

impl Document {
    pub(crate) fn new(root: Node, index: SourceIndex) -> Document {
        Document { root, index }
    }

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

    /// Plain JSON view of the whole document (see [`Node::to_json`]).
    pub fn to_json(&self) -> serde_json::Value {
        self.root.to_json()
    }
}

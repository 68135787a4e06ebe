//! The stack of open collections: a mapping or sequence is a [`Frame`] from its start event
//! to its end event, and finished nodes are attached to the frame on top.

use std::collections::HashSet;

use super::Builder;
use crate::budget::{Stats, MAX_DEPTH};
use crate::error::{depth_error, YamlError};
use crate::merge::{expand_merges, merge_sources, Slot, MERGE_VALUE_ERROR};
use crate::tree::{Entry, Node, Span, Value};

struct PendingKey {
    text: String,
    span: Span,
    /// A plain `<<` key: its value is merged rather than stored.
    merge: bool,
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
pub(super) struct Frame {
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

impl Builder<'_> {
    /// True when the next completed node would be a mapping key.
    pub(super) fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map { pending: None, .. },
                ..
            })
        )
    }

    /// True when the innermost open collection is a mapping.
    pub(super) fn in_map(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map { .. },
                ..
            })
        )
    }

    /// A sequence or mapping starts at byte `start` (its start event ends at `e`).
    pub(super) fn open(
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
        self.budget.count(1, 0);
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
            stats: Stats::empty_collection(),
        });
        Ok(())
    }

    /// The innermost collection ends (its end event ends at `e`).
    pub(super) fn close(&mut self, e: usize) -> Result<(), YamlError> {
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

    /// Sets the key of the next entry of the innermost mapping (`at` is where it occurs,
    /// which differs from `key_span` for an alias).
    pub(super) fn set_key(
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
    pub(super) fn attach(&mut self, node: Node, child: Stats, at: Span) -> Result<(), YamlError> {
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
}

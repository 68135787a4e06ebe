//! Anchors and aliases: an alias becomes a deep copy of its anchored node that keeps the
//! definition's spans (a finding in it points where the text is written), charged to the
//! alias budget before it is made.

use super::Builder;
use crate::budget::{Stats, MAX_DEPTH};
use crate::error::{alias_text, depth_error, YamlError};
use crate::tree::{Node, Span};

/// A finished anchored node, kept for its aliases.
pub(super) struct Anchor {
    node: Node,
    stats: Stats,
    /// Source text of an anchored scalar, for when its alias is used as a mapping key.
    key_text: Option<String>,
}

impl Builder<'_> {
    /// An alias event `*name` at `at`: a key (when the anchor is a scalar) or a copy.
    pub(super) fn alias(&mut self, id: usize, at: Span) -> Result<(), YamlError> {
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

    /// Keeps a copy of a finished node that carries anchor `id`.
    pub(super) fn define_anchor(
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

    /// Counts a deep copy against the expansion budget before it is made.
    fn charge(&mut self, stats: Stats, at: Span) -> Result<(), YamlError> {
        if self.budget.charge(stats) {
            Ok(())
        } else {
            Err(self.index.error("alias expansion too large", at))
        }
    }
}

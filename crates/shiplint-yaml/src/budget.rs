//! Limits that keep hostile input cheap: a nesting depth, and a budget on what alias
//! expansion may create.
//!
//! Aliases are expanded into deep copies, so ten aliases of ten aliases of ... ("billion
//! laughs") would exhaust memory from a few hundred bytes of YAML. Every copy is charged,
//! before it is made, against a budget that grows with the size of the source, so such a
//! document fails fast with an error instead.

use crate::tree::Value;

/// Deepest allowed nesting of mappings/sequences. Keeps every recursive walk (Clone, Drop,
/// `to_json`, `PartialEq`) far away from the stack limit of a rayon worker thread.
pub(crate) const MAX_DEPTH: usize = 256;
/// Alias expansion may create at most `max(MIN_NODE_BUDGET, NODES_PER_BYTE * len)` nodes ...
const MIN_NODE_BUDGET: usize = 100_000;
const NODES_PER_BYTE: usize = 10;
/// ... and at most `max(MIN_BYTE_BUDGET, BYTES_PER_BYTE * len)` bytes of string data, since a few
/// aliases of one huge string would exhaust memory without creating many nodes.
const MIN_BYTE_BUDGET: usize = 4 << 20;
const BYTES_PER_BYTE: usize = 10;

/// Size of a finished subtree, used for anchor copies, alias budgets and depth checks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stats {
    pub(crate) nodes: usize,
    pub(crate) bytes: usize,
    /// Collections on the deepest path (a scalar has height 0).
    pub(crate) height: usize,
}

impl Stats {
    pub(crate) fn scalar(value: &Value) -> Stats {
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

    /// A collection that has just opened: itself, no children yet.
    pub(crate) fn empty_collection() -> Stats {
        Stats {
            nodes: 1,
            bytes: 0,
            height: 1,
        }
    }
}

/// Nodes and string bytes created so far, against what this source may create.
#[derive(Debug)]
pub(crate) struct Budget {
    nodes: usize,
    bytes: usize,
    max_nodes: usize,
    max_bytes: usize,
}

impl Budget {
    /// The budget of a source of `len` bytes.
    pub(crate) fn for_source(len: usize) -> Budget {
        Budget {
            nodes: 0,
            bytes: 0,
            max_nodes: MIN_NODE_BUDGET.max(len.saturating_mul(NODES_PER_BYTE)),
            max_bytes: MIN_BYTE_BUDGET.max(len.saturating_mul(BYTES_PER_BYTE)),
        }
    }

    /// Counts what the source writes out itself; never refused, since it costs input bytes.
    pub(crate) fn count(&mut self, nodes: usize, bytes: usize) {
        self.nodes = self.nodes.saturating_add(nodes);
        self.bytes = self.bytes.saturating_add(bytes);
    }

    /// Counts a deep copy of a subtree of `stats`; false once the total is over the budget,
    /// in which case the copy must not be made.
    pub(crate) fn charge(&mut self, stats: Stats) -> bool {
        self.count(stats.nodes, stats.bytes);
        self.nodes <= self.max_nodes && self.bytes <= self.max_bytes
    }
}

//! Merge keys (`<<: *defaults`): workflows share job defaults this way, and a finding in a
//! merged value must point at the anchored definition it came from.

use std::collections::HashSet;

use crate::tree::{Entry, Value};

pub(crate) const MERGE_VALUE_ERROR: &str =
    "the value of the merge key `<<` must be a mapping or a list of mappings";

/// What a mapping under construction holds, in source order.
pub(crate) enum Slot {
    Entry(Entry),
    /// Mappings named by a `<<` key, in order; expanded when the mapping ends.
    Merge(Vec<Vec<Entry>>),
}

/// The mappings a `<<` value names: one mapping, or a sequence of mappings; `None` for
/// anything else.
pub(crate) fn merge_sources(value: Value) -> Option<Vec<Vec<Entry>>> {
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
pub(crate) fn expand_merges(slots: Vec<Slot>, explicit: &HashSet<String>) -> Vec<Entry> {
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

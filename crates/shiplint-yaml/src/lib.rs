//! Spanned YAML for linters: one YAML document parsed into a tree with a byte [`Span`] on
//! every node and every mapping key.
//!
//! # Why it exists
//!
//! A lint finding has to point at the exact key or value it is about (`jobs.deploy.steps[1].with`,
//! line 26, column 11), so positions have to survive parsing. `serde_yaml` is deprecated and
//! drops positions, and a generic YAML tree keeps at best the position of a node's first event.
//! This crate builds its own tree from saphyr-parser's event stream instead, and corrects
//! saphyr's event spans to the node's own text: anchors and tags are left out, quoted scalars
//! end at their closing quote, block scalars start at their `|`/`>` header, and indentless
//! sequences start at their first `-`. Spans are bytes; [`Document::line_col`] turns them into
//! the line and character column a human reads.
//!
//! Scalars resolve by the YAML 1.2 core schema, as GitHub Actions reads workflows: `on`, `yes`
//! and `no` stay strings. Merge keys (`<<`) are expanded, and an alias becomes a copy of its
//! anchored node that keeps the definition's spans.
//!
//! # Hostile input
//!
//! Workflow files come from repositories the linter does not trust, so a document can never
//! take the process down:
//! * No recursion while parsing: events are pulled one at a time and the tree is assembled on
//!   an explicit stack, and nesting deeper than 256 levels is an error, which keeps the
//!   recursive walks over the finished tree (`Clone`, `Drop`, `PartialEq`, [`Node::to_json`])
//!   far from any thread's stack limit.
//! * Alias budget: expanding aliases may create only so many nodes and string bytes for the
//!   size of the source, so a "billion laughs" document fails fast with an error instead of
//!   exhausting memory.
//! * Every failure is a [`YamlError`] with a message and a position, never a panic.
//!
//! # Example
//!
//! ```
//! use shiplint_yaml::{parse, PathSeg};
//!
//! let src = "jobs:\n  build:\n    runs-on: ubuntu-latest\n";
//! let doc = parse(src).unwrap();
//! let path = [PathSeg::Key("jobs".into()), PathSeg::Key("build".into()), PathSeg::Key("runs-on".into())];
//! let at = doc.locate(&path).unwrap();
//! assert_eq!(&src[at.span.start..at.span.end], "ubuntu-latest");
//! assert_eq!(doc.line_col(at.span.start), (3, 14));
//! ```

mod budget;
mod document;
mod error;
mod load;
mod merge;
mod position;
mod resolve;
mod tighten;
mod tree;

pub use document::{Document, Located, PathSeg};
pub use error::YamlError;
pub use load::parse;
pub use tree::{Entry, Node, Span, Value};

#[cfg(test)]
mod tests;

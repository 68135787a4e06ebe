//! Builds the spanned tree from saphyr-parser's event stream.
//!
//! Events are pulled with `Parser::next_event` instead of `Parser::load`, because `load`
//! recurses once per nesting level and would overflow the stack on hostile input; the tree is
//! assembled with an explicit stack of open collections ([`frame`]). Aliases are expanded into
//! deep copies of their anchor ([`anchor`]) under the [`Budget`].

mod anchor;
mod frame;

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, SpannedEventReceiver, Tag};

use crate::budget::{Budget, Stats};
use crate::document::Document;
use crate::error::{scan_error, YamlError};
use crate::position::SourceIndex;
use crate::resolve::resolve_scalar;
use crate::tighten::{collection_start, scalar_span};
use crate::tree::{Node, Span, Value};
use anchor::Anchor;
use frame::Frame;

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
    Ok(Document::new(root, index))
}

/// The tree under construction, fed one event at a time.
struct Builder<'a> {
    src: &'a str,
    index: &'a SourceIndex,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchor>,
    root: Option<Node>,
    documents: usize,
    /// End of the previous event, for finding syntax that saphyr leaves out of a span.
    prev_end: usize,
    budget: Budget,
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
            budget: Budget::for_source(src.len()),
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
                let b = self.src.as_bytes();
                let span = scalar_span(b, self.prev_end, style, text.is_empty(), s, e);
                self.scalar(text.into_owned(), style, anchor, tag.as_deref(), span)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let is_seq = matches!(ev, Event::SequenceStart(..));
                let b = self.src.as_bytes();
                let start = collection_start(b, self.prev_end, is_seq, self.in_map(), s, e);
                if is_seq && b.get(start) == Some(&b'-') {
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

    /// A scalar event: a mapping key when one is expected, else a value.
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
        self.budget.count(1, stats.bytes);
        if anchor > 0 {
            self.define_anchor(anchor, &node, stats, Some(text), span)?;
        }
        self.attach(node, stats, span)
    }
}

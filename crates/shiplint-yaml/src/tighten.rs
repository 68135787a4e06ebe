//! Turns saphyr's event spans into the node's own text.
//!
//! saphyr's event spans are not always the node's text: they include anchors and tags, the
//! span of a quoted scalar runs on over trailing blanks and comments, block scalars start at
//! their content rather than their `|`/`>` header, and an indentless sequence starts after its
//! first `-`. Each is corrected here against the source bytes; `prev_end` (the end of the
//! previous event) bounds how far back a correction may look.

use saphyr_parser::ScalarStyle;

use crate::tree::Span;

/// The span of a scalar saphyr reported at `s..e` (bytes).
pub(crate) fn scalar_span(
    b: &[u8],
    prev_end: usize,
    style: ScalarStyle,
    empty: bool,
    s: usize,
    e: usize,
) -> Span {
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
            let (p, _) = skip_trivia(b, prev_end.min(s), e, true);
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

/// Where a mapping or sequence saphyr reported at `s..e` starts; `in_map` when it is the
/// value of a mapping entry.
pub(crate) fn collection_start(
    b: &[u8],
    prev_end: usize,
    is_seq: bool,
    in_map: bool,
    s: usize,
    e: usize,
) -> usize {
    let start = skip_trivia(b, s, e, false).0;
    if is_seq && in_map && b.get(start) != Some(&b'[') {
        // A sequence that is a mapping's value without extra indentation ("indentless") is
        // reported at its first item, after the `-`; walk forward from the key to find that
        // `-`. (Inside a sequence, a `-` before the start is the parent's item marker.)
        let (p, dash) = skip_trivia(b, prev_end.min(start), start, true);
        if let (true, Some(d)) = (p == start, dash) {
            return d;
        }
    }
    start
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

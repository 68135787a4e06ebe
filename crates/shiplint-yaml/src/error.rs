//! The one error type: every failure says what is wrong and where, because a linter reports
//! a broken file to the person who has to fix it.

use std::fmt;

use saphyr_parser::ScanError;

use crate::budget::MAX_DEPTH;
use crate::position::SourceIndex;
use crate::tree::Span;

/// A parse failure with its position (1-based line, 1-based column counted in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// What is wrong, in words (no parser internals).
    pub message: String,
    /// Where, in bytes (often zero-width).
    pub span: Span,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column of `span.start`, in characters.
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

/// Nesting beyond [`MAX_DEPTH`], however it was reached.
pub(crate) fn depth_error(index: &SourceIndex, at: Span) -> YamlError {
    index.error(
        format!("nesting too deep (more than {MAX_DEPTH} levels)"),
        at,
    )
}

/// Turns a saphyr scanner/parser error into ours, with a byte position and a friendlier message
/// for the cases we can say more about.
pub(crate) fn scan_error(src: &str, index: &SourceIndex, e: &ScanError) -> YamlError {
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
pub(crate) fn alias_text(src: &str, at: usize) -> &str {
    let rest = src.get(at..).unwrap_or("");
    let end = rest
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c.is_whitespace() || ",[]{}".contains(c))
        .map_or(rest.len(), |(i, _)| i);
    rest.get(..end).unwrap_or("")
}

//! Byte offsets, character offsets and line/column, converted without a copy of the source.
//!
//! saphyr reports positions in characters while spans and slicing need bytes, and messages
//! need a line and a character column; [`SourceIndex`] keeps just enough of the source (line
//! starts, and where the multi-byte characters are) to do all three conversions.

use crate::error::YamlError;
use crate::tree::Span;

/// Line starts and the positions of multi-byte characters of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceIndex {
    len: usize,
    /// Byte offset of the first byte of every line; `\n`, `\r\n` and a lone `\r` end a line
    /// (a lone `\r` is a line break for saphyr too).
    line_starts: Vec<usize>,
    /// `(char index, byte offset just past the char)` of every non-ASCII char. Empty for ASCII
    /// sources, which makes both conversions the identity.
    wide: Vec<(usize, usize)>,
}

impl SourceIndex {
    pub(crate) fn new(src: &str) -> SourceIndex {
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

    pub(crate) fn byte_of_char(&self, char_index: usize) -> usize {
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

    pub(crate) fn line_col(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.len);
        let line = self.line_starts.partition_point(|&s| s <= byte).max(1);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .char_of_byte(byte)
            .saturating_sub(self.char_of_byte(line_start));
        (line, column + 1)
    }

    /// An error at `span`, with the line and column of its start.
    pub(crate) fn error(&self, message: impl Into<String>, span: Span) -> YamlError {
        let (line, column) = self.line_col(span.start);
        YamlError {
            message: message.into(),
            span,
            line,
            column,
        }
    }
}

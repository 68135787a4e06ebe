//! Text from audited inputs made safe to print. File names, `uses:` values, job ids and
//! messages can hold newlines, ESC and other control characters: on a terminal they move
//! the cursor, recolour or retitle it; in a CI log a newline followed by `::error::…`
//! forges a workflow command. Every human and annotation output passes such text through
//! here (`docs/security.md`).

use std::borrow::Cow;

/// Whether `c` must not reach a terminal or a log raw: C0 controls other than the tab,
/// DEL, C1 controls (U+0080–U+009F: `CSI` is one), the line and paragraph separators, and
/// the bidirectional overrides and isolates (which reorder what a reader sees).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\0'..='\x08' | '\n'..='\x1f' | '\x7f'..='\u{9f}'
        | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// One line: every unsafe character, newlines included, as a visible escape (`\n`,
/// `\r`, `\u{1b}`).
pub fn line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Several lines (a policy error with its snippet): newlines are kept, every other unsafe
/// character is escaped, and a line that would start a workflow command (`::` after any
/// indentation) has its first colon escaped as `\u{3a}`.
pub fn lines(s: &str) -> Cow<'_, str> {
    let starts_command = |l: &str| l.trim_start().starts_with("::");
    let clean = !s.chars().any(|c| c != '\n' && is_unsafe(c));
    if clean && !s.split('\n').any(starts_command) {
        return Cow::Borrowed(s);
    }
    let parts: Vec<String> = s
        .split('\n')
        .map(|l| {
            let l = l.strip_suffix('\r').unwrap_or(l);
            let mut out = line(l).into_owned();
            if starts_command(&out) {
                let at = out.find(':').unwrap_or(0);
                out.replace_range(at..at + 1, "\\u{3a}");
            }
            out
        })
        .collect();
    Cow::Owned(parts.join("\n"))
}

/// Source text for a snippet: each unsafe character except the newline (and the CR of a
/// CRLF) becomes `?` repeated to its byte length, so that byte spans into the text stay
/// valid and on character boundaries.
pub fn source(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let keep = |i: usize, c: char| c == '\n' || (c == '\r' && bytes.get(i + 1) == Some(&b'\n'));
    if !s.char_indices().any(|(i, c)| is_unsafe(c) && !keep(i, c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if is_unsafe(c) && !keep(i, c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_text_shows_every_control_character() {
        assert_eq!(line("plain · ✓\ttab"), "plain · ✓\ttab");
        assert_eq!(
            line("a\n::error::x\r\u{1b}[31m\u{9b}\u{202e}"),
            r"a\n::error::x\r\u{1b}[31m\u{9b}\u{202e}"
        );
    }

    #[test]
    fn multi_line_text_keeps_newlines_but_no_command_starts_a_line() {
        assert_eq!(lines("a\n  b"), "a\n  b");
        assert_eq!(
            lines("policy x.rego\n  ::error::forged\u{1b}"),
            "policy x.rego\n  \\u{3a}:error::forged\\u{1b}"
        );
    }

    #[test]
    fn source_text_keeps_its_length_and_line_ends() {
        let text = "a: 1 # \u{1b}[2J\r\nb: \u{9b}\u{202e}\n";
        let clean = source(text);
        assert_eq!(clean.len(), text.len());
        assert_eq!(clean, "a: 1 # ?[2J\r\nb: ?????\n");
        assert!(!clean
            .chars()
            .any(|c| c != '\n' && c != '\r' && is_unsafe(c)));
    }
}

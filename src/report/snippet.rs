//! The source of the human report's snippets: a file's text, read as miette reads a
//! string, except that each read says how many lines it covers. miette's own count runs
//! from the top of the file, so it took any two labels of a file for neighbours and drew
//! one snippet from the first to the last: a related location far above a finding pulled
//! in every line between (52 lines for one finding). With the true count, each labelled
//! line keeps its own few lines, and [`join_chunks`] joins the chunks of one file with `⋮`.

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::escape;

/// A file's text under the name reports give it, made safe to print.
#[derive(Debug, Clone)]
pub struct Snippet {
    name: String,
    text: Arc<str>,
}

impl Snippet {
    /// `text` named `name`: unsafe characters replaced, spans still valid
    /// ([`escape::source`]).
    pub fn new(name: &str, text: &Arc<str>) -> Snippet {
        let text = match escape::source(text) {
            std::borrow::Cow::Borrowed(_) => text.clone(),
            std::borrow::Cow::Owned(clean) => Arc::from(clean),
        };
        Snippet {
            name: escape::line(name).into_owned(),
            text,
        }
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = (*self.text).read_span(span, context_lines_before, context_lines_after)?;
        let data = inner.data();
        let lines = data.split(|b| *b == b'\n').count()
            - usize::from(data.ends_with(b"\n") && !data.is_empty());
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            data,
            *inner.span(),
            inner.line(),
            inner.column(),
            lines.max(1),
        )
        .with_language("yaml");
        Ok(Box::new(contents))
    }
}

/// `line` without ANSI colour sequences.
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: `ESC [`, parameters, one final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The `name:line:col` of a snippet's header line (`╭─[name:line:col]`), and its line.
fn header(line: &str) -> Option<(&str, usize)> {
    let inner = line.trim_start().strip_prefix("╭─[")?.strip_suffix(']')?;
    let (rest, _column) = inner.rsplit_once(':')?;
    let (name, number) = rest.rsplit_once(':')?;
    Some((name, number.parse().ok()?))
}

fn is_footer(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('╰') && t.chars().skip(1).all(|c| c == '─')
}

/// One rendered diagnostic with the consecutive snippets of one file joined into one: a
/// `⋮` line where lines are left out, under the header that names `primary_line` (the
/// finding's own line) when one of them does, so the first header says where the
/// finding is.
pub fn join_chunks(rendered: &str, primary_line: usize) -> String {
    let lines: Vec<&str> = rendered.split_inclusive('\n').collect();
    let plains: Vec<String> = lines.iter().map(|l| plain(l.trim_end())).collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    // Where the header of the group being built is in `out`, and its file.
    let mut group: Option<(usize, String)> = None;
    let mut i = 0;
    while i < lines.len() {
        let this = &plains[i];
        if let Some((name, line)) = header(this) {
            let continues = group.as_ref().is_some_and(|(_, n)| n == name)
                && out.last().is_some_and(|l| is_footer(&plain(l.trim_end())));
            if continues {
                let (at, _) = group.as_ref().expect("a group");
                out.pop();
                let indent = this.len() - this.trim_start().len();
                out.push(format!("{}⋮\n", " ".repeat(indent)));
                if line == primary_line {
                    out[*at] = lines[i].to_string();
                }
                i += 1;
                continue;
            }
            group = Some((out.len(), name.to_string()));
        } else if !is_footer(this)
            && !this
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit() || c == '·' || c == '│')
        {
            // Anything but snippet lines ends the group (help text, a related diagnostic).
            if !this.trim().is_empty() {
                group = None;
            }
        }
        out.push(lines[i].to_string());
        i += 1;
    }
    out.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_counts_the_lines_it_covers_not_those_above_it() {
        let text: Arc<str> = Arc::from("a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n");
        let s = Snippet::new("f.yml", &text);
        let span = SourceSpan::new(15.into(), 1);
        let c = s.read_span(&span, 1, 1).unwrap();
        assert_eq!(c.line(), 2);
        assert_eq!(c.line_count(), 3);
        assert_eq!(c.name(), Some("f.yml"));
    }

    #[test]
    fn snippets_of_one_file_are_joined_under_the_findings_header() {
        let rendered = "  × message\n    ╭─[f.yml:35:3]\n 34 │ \n 35 │   scan:\n    ·   ──┬─\n    ·     ╰── related\n 36 │     needs: build\n    ╰────\n    ╭─[f.yml:48:5]\n 47 │     needs: scan\n 48 │     if: always()\n    ·     ─────┬────\n    ·          ╰── primary\n 49 │     runs-on: x\n    ╰────\n  help: fix it\n";
        let joined = join_chunks(rendered, 48);
        assert_eq!(
            joined,
            "  × message\n    ╭─[f.yml:48:5]\n 34 │ \n 35 │   scan:\n    ·   ──┬─\n    ·     ╰── related\n 36 │     needs: build\n    ⋮\n 47 │     needs: scan\n 48 │     if: always()\n    ·     ─────┬────\n    ·          ╰── primary\n 49 │     runs-on: x\n    ╰────\n  help: fix it\n"
        );
        // Snippets of two files stay apart.
        let two = "    ╭─[a.yml:1:1]\n  1 │ x\n    ╰────\n    ╭─[b.yml:1:1]\n  1 │ y\n    ╰────\n";
        assert_eq!(join_chunks(two, 1), two);
    }
}

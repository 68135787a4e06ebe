//! Property: mutated workflows never panic, and every span stays in bounds and on character
//! boundaries.

use super::*;
use crate::{Node, Value};

/// Tiny deterministic PRNG so the property test needs no dependency and is reproducible.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut XorShift, base: &[u8]) -> Vec<u8> {
    const INSERTS: [&[u8]; 12] = [
        b"&a ",
        b"*a",
        b"<<: *a\n",
        b"[",
        b"{",
        b"\t",
        b"]",
        b"}",
        b"- ",
        b": ",
        b"\"",
        "é🚀".as_bytes(),
    ];
    let mut bytes = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let pos = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 => bytes.truncate(pos),
            1 => {
                if let Some(b) = bytes.get_mut(pos) {
                    *b ^= 1 << rng.below(8);
                }
            }
            2 => {
                let end = (pos + rng.below(16)).min(bytes.len());
                bytes.drain(pos..end);
            }
            _ => {
                let ins = INSERTS[rng.below(INSERTS.len())];
                bytes.splice(pos..pos, ins.iter().copied());
            }
        }
    }
    bytes
}

fn check_spans(src: &str, node: &Node) {
    let ok = |s: Span| {
        s.start <= s.end
            && s.end <= src.len()
            && src.is_char_boundary(s.start)
            && src.is_char_boundary(s.end)
    };
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        assert!(ok(n.span), "bad span {:?} in {src:?}", n.span);
        match &n.value {
            Value::Str(value) => check_string_span(src, n.span, value),
            Value::Map(entries) => {
                for e in entries {
                    assert!(ok(e.key_span), "bad key span {:?} in {src:?}", e.key_span);
                    check_string_span(src, e.key_span, &e.key);
                    todo.push(&e.value);
                }
            }
            _ => {}
        }
    }
}

/// A string's span shows its source form: quoted text opens and closes with the quote, and
/// a single-line plain scalar is exactly its value.
fn check_string_span(src: &str, span: Span, value: &str) {
    let written = &src[span.start..span.end];
    if let Some(q) = written.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        assert!(
            written.len() > 1 && written.ends_with(q),
            "{written:?} in {src:?}"
        );
    } else if !written.starts_with(['|', '>']) && !written.contains(['\n', '\r']) {
        assert_eq!(written, value, "in {src:?}");
    }
}

#[test]
fn mutated_workflows_never_panic_and_spans_stay_in_bounds() {
    let anchored = format!("{WORKFLOW}x: &a {{k: v}}\ny: *a\nz:\n  <<: *a\n");
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let (mut parsed, mut failed) = (0, 0);
    for round in 0..3_000 {
        let base = if round % 2 == 0 {
            WORKFLOW
        } else {
            anchored.as_str()
        };
        let bytes = mutate(&mut rng, base.as_bytes());
        let src = String::from_utf8_lossy(&bytes);
        match parse(&src) {
            Ok(d) => {
                parsed += 1;
                check_spans(&src, &d.root);
                let _ = d.to_json();
                let _ = d.line_col(src.len() + 5);
            }
            Err(e) => {
                failed += 1;
                assert!(
                    e.span.end <= src.len() && src.is_char_boundary(e.span.start),
                    "{e:?}"
                );
                assert!(e.line >= 1 && e.column >= 1);
            }
        }
    }
    // Both paths must actually be exercised for the property to mean anything.
    assert!(
        parsed > 100 && failed > 100,
        "parsed {parsed}, failed {failed}"
    );
}

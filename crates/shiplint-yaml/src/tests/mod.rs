//! Unit tests of the loader, by topic. Each test parses source text and checks the tree, the
//! spans or the error through the crate's API.

mod aliases;
mod errors;
mod hostile;
mod locate;
mod mutation;
mod scalars;
mod spans;

use crate::{parse, Document, PathSeg, Span, YamlError};

const WORKFLOW: &str = "\
name: Deploy
on:
  push:
    branches: [main]
  workflow_dispatch:

env:
  REGION: eu-west-1 # where we ship

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          make build
          make test
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_KEY }}
          aws-region: \"eu-west-1\"
      - name: Ship
        run: ./ship.sh --env=prod
";

fn doc(src: &str) -> Document {
    match parse(src) {
        Ok(d) => d,
        Err(e) => panic!("unexpected error for {src:?}: {e}"),
    }
}

fn err(src: &str) -> YamlError {
    match parse(src) {
        Ok(d) => panic!("expected an error for {src:?}, got {:?}", d.root),
        Err(e) => e,
    }
}

fn text(src: &str, span: Span) -> &str {
    &src[span.start..span.end]
}

fn path(segs: &[&str]) -> Vec<PathSeg> {
    segs.iter()
        .map(|s| match s.parse::<usize>() {
            Ok(i) => PathSeg::Index(i),
            Err(_) => PathSeg::Key((*s).to_owned()),
        })
        .collect()
}

/// Source text of the value at `p`, and of its key when it has one.
fn at<'s>(src: &'s str, d: &Document, p: &[&str]) -> (&'s str, Option<&'s str>) {
    let loc = d
        .locate(&path(p))
        .unwrap_or_else(|| panic!("no node at {p:?}"));
    (text(src, loc.span), loc.key_span.map(|k| text(src, k)))
}

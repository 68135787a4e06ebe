#!/usr/bin/env bash
# Regenerates the figures of docs/performance.md: release build, per-stage timings
# (criterion) and whole-process comparison with zizmor (pip install zizmor).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
cargo bench --bench stages -- --noplot 2>/dev/null | grep -E '^corpus/|time:' || true
bench/compare.py "$@"

#!/usr/bin/env bash
# Audits every repository of the shared corpus of real workflows and prints, per repository,
# the exit code, and overall: exit-code counts, findings per rule, input errors, wall time.
# Usage: scripts/corpus.sh [CORPUS_DIR]   (default: ../shared/corpus/workflows)
# Needs a release build (cargo build --release) and jq.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$here/../shared/corpus/workflows}
bin=$here/target/release/shiplint
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

declare -A codes=()
for repo in "$corpus"/*/; do
  name=$(basename "$repo")
  set +e
  "$bin" audit --offline --format json "$repo" >"$out/$name.json" 2>"$out/$name.err"
  rc=$?
  set -e
  codes[$rc]=$(( ${codes[$rc]:-0} + 1 ))
  if grep -q panicked "$out/$name.err"; then echo "PANIC in $name" >&2; fi
  [ $rc -le 2 ] || echo "exit $rc in $name" >&2
done

echo "== exit codes (repositories)"
for rc in "${!codes[@]}"; do echo "  exit $rc: ${codes[$rc]}"; done | sort
echo "== files audited"
jq -s 'map(.summary.files) | add' "$out"/*.json
echo "== findings per rule"
jq -r '.findings[].rule' "$out"/*.json | sort | uniq -c | sort -rn
echo "== input errors"
jq -r '.errors[] | "  \(.repository // "")/\(.file // ""):\(.line // ""):\(.column // ""): \(.message)"' "$out"/*.json
echo "== whole corpus in one process (wall time)"
start=$(date +%s.%N)
"$bin" audit --offline --format json "$corpus" >/dev/null 2>&1 || true
end=$(date +%s.%N)
echo "  $(echo "($end - $start) * 1000" | bc | cut -d. -f1) ms"

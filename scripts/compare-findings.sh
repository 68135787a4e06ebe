#!/usr/bin/env bash
# Checks that a change to shiplint's structure left its judgement alone: runs two builds
# over the whole corpus (../shared/corpus/workflows, offline, JSON) and diffs the reports.
#
#   scripts/compare-findings.sh BEFORE_BIN [AFTER_BIN]
#
# AFTER_BIN defaults to target/release/shiplint. Exit 0 when the two JSON reports are
# byte-identical; otherwise the diff is printed and the exit status is 1. Keys that a
# change adds on purpose can be dropped from both sides with IGNORE_KEYS="a,b" (jq paths
# under each repository entry, e.g. IGNORE_KEYS=graph).
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?usage: scripts/compare-findings.sh BEFORE_BIN [AFTER_BIN]}
after=${2:-target/release/shiplint}
corpus=${CORPUS:-../shared/corpus/workflows}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
  # --fail-on never: findings are the point here, not the exit code.
  "$1" audit --offline --no-config --fail-on never -f json -o "$2" "$corpus" 2>"$2.stderr" || true
}
run "$before" "$out/before.json"
run "$after" "$out/after.json"
strip() {
  if [ -n "${IGNORE_KEYS:-}" ]; then
    python3 - "$1" "$IGNORE_KEYS" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for key in sys.argv[2].split(","):
    for repo in doc.get("repositories", []):
        repo.pop(key, None)
json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
PY
  else
    cat "$1"
  fi
}
strip "$out/before.json" >"$out/before.cmp"
strip "$out/after.json" >"$out/after.cmp"
if cmp -s "$out/before.cmp" "$out/after.cmp" && cmp -s "$out/before.json.stderr" "$out/after.json.stderr"; then
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$out/after.json")
  echo "identical: $n findings over $corpus"
else
  diff -u "$out/before.cmp" "$out/after.cmp" | head -200 || true
  diff -u "$out/before.json.stderr" "$out/after.json.stderr" | head -50 || true
  echo "DIFFERENT (see above)" >&2
  exit 1
fi

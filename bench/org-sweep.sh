#!/usr/bin/env bash
# Org-sweep benchmark (docs/org-sweeps.md holds the last run): the tests' fake GitHub
# (examples/fake_github.rs) serving a generated organization of REPOS repositories with
# LATENCY_MS per request; `shiplint audit --org bench-org` with --jobs 1 and the default,
# reporting wall time, requests per repository and peak memory (max RSS). `--no-cache`:
# every run pays what a first sweep pays.
#
#   bench/org-sweep.sh                 # 500 repositories, 20 ms, release build
#   REPOS=100 JOBS="1 8 16" bench/org-sweep.sh
#   REPOS=100 SLOW_DRIP=42 bench/org-sweep.sh   # repo-042's tree drips 1 byte every 5 s
#   SWEEP_ARGS="--request-timeout 10s" ...      # more flags for shiplint
set -euo pipefail
cd "$(dirname "$0")/.."
REPOS=${REPOS:-500}
LATENCY_MS=${LATENCY_MS:-20}
JOBS=${JOBS:-"1 8"}
SLOW_DRIP=${SLOW_DRIP:-}
SWEEP_ARGS=${SWEEP_ARGS:-}
BIN=${BIN:-target/release/shiplint}
# The server only waits and answers: a debug build of it (SERVER=...) measures the same.
SERVER=${SERVER:-target/release/examples/fake_github}
[ -x "$BIN" ] || cargo build --release
[ "$SERVER" != target/release/examples/fake_github ] || cargo build --release --example fake_github
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$SERVER" --org bench-org --repos "$REPOS" --latency-ms "$LATENCY_MS" \
  ${SLOW_DRIP:+--slow-drip "$SLOW_DRIP"} > "$work/url" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(cat "$work/url")
echo "| --jobs | repositories | wall time (s) | requests | requests / repository | peak RSS (MiB) |"
echo "|---:|---:|---:|---:|---:|---:|"
for j in $JOBS; do
  before=$(curl -s "$url/_stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
  start=$(date +%s.%N)
  GH_TOKEN=bench /usr/bin/time -f "%M" -o "$work/rss" \
    "$BIN" audit --org bench-org --github-url "$url" --jobs "$j" --no-cache -q -f json -o "$work/out.json" $SWEEP_ARGS || true
  end=$(date +%s.%N)
  after=$(curl -s "$url/_stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
  repos=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["repositories"]))' "$work/out.json")
  python3 - "$j" "$repos" "$start" "$end" "$before" "$after" "$(tail -n 1 "$work/rss")" <<'PY'
import sys
j, repos, start, end, before, after, rss = sys.argv[1:]
reqs = int(after) - int(before)
print(f"| {j} | {repos} | {float(end) - float(start):.2f} | {reqs} | {reqs / int(repos):.2f} | {int(rss) / 1024:.1f} |")
PY
done

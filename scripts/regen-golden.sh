#!/usr/bin/env bash
# Regenerates the golden SARIF files in sarif/ (and the output snapshots) from the current
# rules and writer. Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
SHIPLINT_BLESS=1 INSTA_UPDATE=always cargo test -q --test it outputs::
git status --short sarif/ tests/it/snapshots/

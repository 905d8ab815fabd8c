#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run every check: lint, types, the API reference (mkdocs --strict: a warning
# fails) and the whole test suite with the CI Hypothesis profile (derandomized, 500 examples per property).
# Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy --strict clusterjob
.venv/bin/mkdocs build --strict --quiet --site-dir build/docs-site
.venv/bin/pytest -p no:cacheprovider "$@"

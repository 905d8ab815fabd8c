#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run every check: lint, types, the API reference (mkdocs --strict: a warning
# fails) and the whole test suite with the CI Hypothesis profile (derandomized, 500 examples per property), on
# two pytest-xdist workers (tests that share a real scheduler stay on one worker: --dist loadgroup, see
# tests/conftest.py). Exits non-zero if anything fails. CLUSTERJOB_TEST_WORKERS=N (or 0: no xdist) changes
# the number of workers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy --strict clusterjob
.venv/bin/mkdocs build --strict --quiet --site-dir build/docs-site
workers="${CLUSTERJOB_TEST_WORKERS:-2}"
if [ "$workers" = "0" ]; then
  .venv/bin/pytest -p no:cacheprovider "$@"
else
  .venv/bin/pytest -p no:cacheprovider -n "$workers" --dist loadgroup "$@"
fi

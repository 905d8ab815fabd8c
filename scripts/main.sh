#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the main job: every reference backend through the conformance suite on
# its simulated scheduler (`clusterjob check --all`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/clusterjob check --all --profile "${CLUSTERJOB_PROFILE:-ci}" "$@"

"""The worked example of docs/backend-authors.md passes the suite, as its author would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_the_site_backend_example_passes_the_whole_suite(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONHASHSEED": "0"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "examples" / "site_backend"),
            "-p",
            "clusterjob.testing.plugin",
            "-p",
            "no:cacheprovider",
            "--cj-profile",
            "ci",
            "--cj-report",
            str(report),
            "-q",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    outcomes = {r["check"]: r["outcome"] for r in json.loads(report.read_text())["results"]}
    assert outcomes["round_trip"] == "passed"
    assert outcomes["stateful_with_faults"] == "passed"
    assert "failed" not in outcomes.values()

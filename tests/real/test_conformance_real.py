"""The conformance suite against the REAL schedulers started here: `clusterjob check NAME --real` passes.

Runs only with CLUSTERJOB_REAL_SLURM=1 / CLUSTERJOB_REAL_SGE=1 (see conftest.py: announced but not answering
is a failure). Each run submits a dozen short jobs; the wall-time check waits for the scheduler's kill
(Slurm enforces whole minutes), so one run takes one to two minutes when the cluster is free.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.real.conftest import RealScheduler

E2E_CHECKS = (
    "e2e_submit_runs_completes",
    "e2e_pending",
    "e2e_cancel",
    "e2e_exit_code_failed",
    "e2e_walltime_exceeded_failed",
    "e2e_finished_status_from_accounting",
    "e2e_core_variables",
)


def _clusterjob() -> list[str]:
    found = shutil.which("clusterjob", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "clusterjob.testing.check"]


def test_conformance_suite_passes_against_the_real_scheduler(
    real_scheduler: RealScheduler, tmp_path: Path
) -> None:
    name = real_scheduler.name
    command = [*_clusterjob(), "check", name, "--scheduler", name, "--real", "--profile", "ci"]
    if command[1] != "check":  # python -m clusterjob.testing.check takes no subcommand
        command.remove("check")
    proc = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "all checks passed" in proc.stdout, output
    rows = {
        words[0]: words[1:]
        for words in (line.split() for line in proc.stdout.splitlines())
        if len(words) == 2
    }
    for check in E2E_CHECKS:  # every end-to-end scenario ran against the real scheduler
        assert rows.get(check) == ["pass"], f"{check}: {rows.get(check)}\n{output}"
    assert rows.get("stateful_with_faults") == ["skip"], output
    assert "stateful_with_faults skipped: fault injection" in proc.stdout, output
    left = [p.name for p in tmp_path.iterdir() if p.name != ".hypothesis"]
    assert not left, f"the jobs left files in the folder the check ran from: {left}"

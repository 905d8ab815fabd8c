"""`pbs` names Torque wherever `torque` does: the backend is `pbs`, so the simulator's command line, its
pytest fixture, a spool's config and the conformance suite accept `pbs` too (and `torque` stays valid)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from clusterjob_sim import activate
from clusterjob_sim.engine.spool import load_config
from clusterjob_sim.pytest_fixtures import SimCluster, sim_cluster  # noqa: F401  (fixture)

from clusterjob.jobscript import JobScript
from clusterjob.status import COMPLETED
from clusterjob.testing.check import CheckRun, run_checks
from clusterjob.testing.rules import rules_for


def test_sim_command_line_takes_pbs_for_torque(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "clusterjob", "sim", "run", "pbs", "--spool", str(tmp_path / "s"),
         "--", "sh", "-c", "echo true | qsub"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    number, _, server = out.stdout.strip().partition(".")  # Torque's N.server answer
    assert number.isdigit() and server
    assert load_config(tmp_path / "s")["scheduler"] == "torque"


def test_spool_and_fixture_take_pbs_and_the_pbs_backend_runs_there(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    assert activate.scheduler_module("pbs") is activate.scheduler_module("torque")
    sim_cluster("pbs")
    job = JobScript("echo ok\n", "aliasjob", backend="pbs", rootdir=str(tmp_path), workdir="run")
    result = job.submit()
    assert result.job_id.endswith(".simserver")
    assert result.get(timeout=60) == COMPLETED


def test_suite_rules_take_either_name() -> None:
    assert rules_for("torque") is rules_for("pbs") is rules_for("PBS")


@pytest.mark.slow
def test_check_runs_the_pbs_backend_against_torque_under_either_name() -> None:
    for name in ("pbs", "torque"):
        run = CheckRun(label=f"pbs-{name}", backend="pbs", scheduler=name)
        run_checks([run], "clusterjob-ci", ["-k", "contract_class"])
        assert run.results and not run.failed, run.log

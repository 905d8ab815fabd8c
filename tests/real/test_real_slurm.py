"""The SLURM backend end to end against a REAL Slurm (slurmctld, slurmd, slurmdbd): what users have."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from clusterjob.jobscript import JobScript
from clusterjob.result import AsyncResult
from clusterjob.status import CANCELLED, COMPLETED, FAILED, RUNNING

pytestmark = pytest.mark.usefixtures("real_slurm")


def _job(tmp_path: Path, body: str, name: str, **kwargs: object) -> JobScript:
    return JobScript(body, name, backend="slurm", rootdir=str(tmp_path), workdir="run", **kwargs)


def test_completed_job_shows_slurm_values(tmp_path: Path) -> None:
    body = (
        'echo "id=$CLUSTERJOB_ID name=$CLUSTERJOB_NAME dir=$CLUSTERJOB_WORKDIR '
        'host=$CLUSTERJOB_SUBMIT_HOST nodes=$CLUSTERJOB_NODELIST" > out.txt\n'
    )
    run = _job(tmp_path, body, "realok", time="5:00", nodes=1, ppn=1, mem=100).submit()
    assert run.get(timeout=120) == COMPLETED
    text = (tmp_path / "run" / "out.txt").read_text()
    fields = dict(item.split("=", 1) for item in text.split())
    assert fields["id"] == run.job_id
    assert fields["name"] == "realok"
    assert os.path.realpath(fields["dir"]) == os.path.realpath(tmp_path / "run")
    assert fields["nodes"]
    assert fields["host"]


def test_failed_job_is_failed(tmp_path: Path) -> None:
    run = _job(tmp_path, "exit 3\n", "realfail", time="5:00").submit()
    assert run.get(timeout=120) == FAILED


def test_cancelled_running_job_is_cancelled(tmp_path: Path) -> None:
    run = _job(tmp_path, "sleep 300\n", "realcancel", time="10:00").submit()
    for _ in range(120):
        if run.status == RUNNING:
            break
        subprocess.run(["sleep", "0.5"], check=True)
    run.cancel()
    assert run.get(timeout=120) == CANCELLED


def test_finished_job_status_from_accounting(tmp_path: Path) -> None:
    run = _job(tmp_path, "exit 0\n", "realacct", time="5:00").submit()
    assert run.get(timeout=120) == COMPLETED
    fresh = AsyncResult("slurm", run.job_id)
    assert fresh.backend_instance.get_status(
        subprocess.run(
            list(fresh.backend_instance.cmd_status(fresh, finished=True)), capture_output=True, text=True
        ).stdout,
        finished=True,
    ) == COMPLETED


def test_wall_time_exceeded_is_failed(tmp_path: Path) -> None:
    run = _job(tmp_path, "sleep 600\n", "realtimeout", time="1:00").submit()
    assert run.get(timeout=300) == FAILED

"""Reference backends end to end against REAL schedulers (Slurm with accounting; Grid Engine): what users have."""

from __future__ import annotations

import os
import time
from pathlib import Path

from clusterjob.jobscript import JobScript
from clusterjob.result import AsyncResult
from clusterjob.status import CANCELLED, COMPLETED, FAILED, RUNNING
from tests.real.conftest import RealScheduler


def _job(sched: RealScheduler, tmp_path: Path, body: str, name: str, **kwargs: object) -> JobScript:
    return JobScript(
        body, name, backend=sched.backend, rootdir=str(tmp_path), workdir="run", **kwargs
    )


def test_completed_job_sees_the_scheduler_values(
    real_scheduler: RealScheduler, tmp_path: Path
) -> None:
    body = (
        'echo "id=$CLUSTERJOB_ID name=$CLUSTERJOB_NAME dir=$CLUSTERJOB_WORKDIR '
        'host=$CLUSTERJOB_SUBMIT_HOST nodes=$CLUSTERJOB_NODELIST" > out.txt\n'
    )
    run = _job(
        real_scheduler, tmp_path, body, "realok", time="5:00", nodes=1, ppn=1, mem=100
    ).submit()
    assert run.get(timeout=180) == COMPLETED
    fields = dict(item.split("=", 1) for item in (tmp_path / "run" / "out.txt").read_text().split())
    assert fields["id"] == run.job_id
    assert fields["name"] == "realok"
    assert os.path.realpath(fields["dir"]) == os.path.realpath(tmp_path / "run")
    assert fields["nodes"]
    assert fields["host"]


def test_two_slot_job_runs(real_scheduler: RealScheduler, tmp_path: Path) -> None:
    run = _job(real_scheduler, tmp_path, "true\n", "realtwo", time="5:00", nodes=1, ppn=2).submit()
    assert run.get(timeout=180) == COMPLETED


def test_failed_job_is_failed(real_scheduler: RealScheduler, tmp_path: Path) -> None:
    run = _job(real_scheduler, tmp_path, "exit 3\n", "realfail", time="5:00").submit()
    assert run.get(timeout=180) == FAILED


def test_cancelled_running_job_is_cancelled(real_scheduler: RealScheduler, tmp_path: Path) -> None:
    run = _job(real_scheduler, tmp_path, "sleep 300\n", "realcancel", time="10:00").submit()
    deadline = time.monotonic() + 180
    while run.status != RUNNING and time.monotonic() < deadline:
        time.sleep(0.5)
    assert run.status == RUNNING
    run.cancel()
    assert run.get(timeout=180) == CANCELLED


def test_finished_job_status_from_the_accounting_view(
    real_scheduler: RealScheduler, tmp_path: Path
) -> None:
    run = _job(real_scheduler, tmp_path, "exit 0\n", "realacct", time="5:00").submit()
    assert run.get(timeout=180) == COMPLETED
    fresh = AsyncResult(real_scheduler.backend, run.job_id)
    backend = fresh.backend_instance
    deadline = time.monotonic() + 60
    status = None
    while (
        status is None and time.monotonic() < deadline
    ):  # accounting is written shortly after the end
        answer = fresh.runner.run(backend.cmd_status(fresh, finished=True))
        status = backend.get_status(answer.stdout, finished=True)
        time.sleep(0.5)
    assert status == COMPLETED


def test_wall_time_exceeded_is_failed(real_scheduler: RealScheduler, tmp_path: Path) -> None:
    limit = "1:00" if real_scheduler.name == "slurm" else "0:10"  # Slurm counts whole minutes
    run = _job(real_scheduler, tmp_path, "sleep 600\n", "realtimeout", time=limit).submit()
    assert run.get(timeout=300) == FAILED

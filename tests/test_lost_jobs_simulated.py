"""A job the scheduler forgets (the simulator's lost_job fault: never run, in neither squeue nor sacct) ends
a wait with JobLostError instead of a wait that never returns; nothing of the run is thrown away. And
`clusterjob status FOLDER` shows every cached run, lost ones and submissions in doubt included."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from clusterjob_sim.pytest_fixtures import SimCluster, sim_cluster  # noqa: F401  (fixture)

from clusterjob.backends.slurm import SlurmBackend
from clusterjob.cli import main as cli_main
from clusterjob.errors import JobLostError
from clusterjob.jobscript import JobScript
from clusterjob.status import COMPLETED, PENDING


def job(tmp_path: Path, name: str) -> JobScript:
    return JobScript(
        "echo done\n",
        name,
        backend=SlurmBackend(),
        rootdir=str(tmp_path),
        workdir="run",
        cache_folder=str(tmp_path / "cache"),
        max_sleep_interval=0.2,
        lost_after=1,
    )


def test_a_lost_job_ends_the_wait_with_job_lost_error(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster = sim_cluster("slurm")
    cluster.set_faults([{"kind": "lost_job", "count": 1}])
    lost = job(tmp_path, "lostjob").submit(cache_id="lost")
    with pytest.raises(JobLostError) as info:
        lost.get()  # no timeout: before JobLostError this waited forever
    assert info.value.job_id == lost.job_id
    # the scheduler never reported a state for it: nothing is invented
    assert info.value.last_status == "UNKNOWN" and info.value.silent_polls >= 3
    assert "never reported a state" in str(info.value)
    cached = json.loads(Path(lost.cache_file or "").read_text())
    assert (cached["job_id"], cached["status"], cached["status_seen"]) == (
        lost.job_id,
        PENDING,  # the original codes only (older releases read the file), flagged as not seen
        False,
    )  # the run is kept
    assert cached["unknown_count"] >= 3 and cached["unknown_since"] is not None

    assert cli_main(["status", lost.cache_file or ""]) == 1
    out, err = capsys.readouterr()
    assert out == "UNKNOWN\n"
    assert f"job {lost.job_id} (slurm) is lost" in err

    ok = job(tmp_path, "okjob").submit(cache_id="ok")  # the fault was used up: this one runs
    assert ok.get(timeout=60) == COMPLETED


def test_status_of_a_folder_of_runs_reports_each_and_what_needs_attention(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster = sim_cluster("slurm")
    done = job(tmp_path, "donejob").submit(cache_id="done")
    assert done.get(timeout=60) == COMPLETED
    held = JobScript(
        "true\n",
        "heldjob",
        backend=SlurmBackend(),
        rootdir=str(tmp_path),
        workdir="run",
        cache_folder=str(tmp_path / "cache"),
        hold=True,  # a raw option: sbatch --hold
    ).submit(cache_id="held")
    cache = tmp_path / "cache"
    assert cli_main(["status", str(cache)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"COMPLETED  {done.job_id:<12} {done.cache_file}",
        f"PENDING    {held.job_id:<12} {held.cache_file}",
        "2 runs: 1 COMPLETED, 1 PENDING",
    ]

    cluster.set_faults([{"kind": "lost_job", "count": 1}])
    lost = job(tmp_path, "lostjob").submit(cache_id="lost")
    with pytest.raises(JobLostError):
        lost.get()
    (cache / "clusterjob.crashed.json.submitting").write_text("{}")  # submitter killed mid-way
    (cache / "clusterjob.broken.json").write_text('{"format": "clusterjob.AsyncRe')  # truncated
    assert cli_main(["status", str(cache)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"UNKNOWN    {lost.job_id:<12} {lost.cache_file}  lost:" in "\n".join(out)
    assert any(
        line.startswith("IN DOUBT") and "clusterjob.crashed.json.submitting" in line for line in out
    )
    assert any(line.startswith("UNREADABLE") and "clusterjob.broken.json" in line for line in out)
    assert (
        out[-1] == "3 runs: 1 COMPLETED, 1 PENDING, 1 UNKNOWN, 1 lost, 1 submission(s) in doubt, "
        "1 cache file(s) unreadable"
    )
    assert (cache / "clusterjob.broken.json").exists()  # nothing is removed

"""submitit (unchanged, from PyPI) against the simulated Slurm: AutoExecutor finds `srun`, submits with sbatch
(#SBATCH --signal=USR2@<signal_delay_s>, --open-mode=append, --wckey=submitit), runs the function through
`srun --unbuffered --output ... python -m submitit.core._submit` and polls `sacct -o JobID,State,NodeList
--parsable2 -j ...`.

What submitit does on the signal (submitit/core/job_environment.py, SignalHandler.checkpoint_and_try_requeue):
for a function without `checkpoint`, if the job "timed out" (ran at least min(80% of the limit, limit - 10 min),
always true for a limit under 50 minutes) it raises UncompletedJobError "Job not requeued because: timed-out and
not checkpointable." into the result file; a checkpointable one would `scontrol requeue` (not simulated yet).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

submitit = pytest.importorskip("submitit")


@pytest.fixture(autouse=True)
def fresh_watcher(monkeypatch: pytest.MonkeyPatch) -> None:
    """submitit's sacct watcher is one per process: each test has a new cluster, so it gets a new watcher that
    knows none of the previous cluster's jobs (nor its polling back-off), as a new program would."""
    from submitit.slurm.slurm import SlurmInfoWatcher, SlurmJob

    monkeypatch.setattr(SlurmJob, "watcher", SlurmInfoWatcher(delay_s=600))


def add(a: int, b: int) -> int:
    return a + b


def fail() -> None:
    raise ValueError("this function fails")


def sleep_long() -> str:
    time.sleep(120)
    return "woke up"


def executor(tmp_path: Path, **params: object) -> submitit.AutoExecutor:
    ex = submitit.AutoExecutor(folder=tmp_path / "log")
    assert ex.cluster == "slurm"  # found through the fake srun on PATH
    ex.update_parameters(slurm_partition="debug", timeout_min=5, **params)
    return ex


def test_result_map_array_and_failure(client_cluster, tmp_path: Path) -> None:
    c = client_cluster("slurm", nodes=2, cores_per_node=2)
    ex = executor(tmp_path)
    job = ex.submit(add, 2, 3)
    assert job.result() == 5
    jobs = ex.map_array(add, [1, 2, 3], [10, 20, 30])
    assert [j.result() for j in jobs] == [11, 22, 33]
    bad = ex.submit(fail)
    with pytest.raises(submitit.core.utils.FailedJobError, match="this function fails"):
        bad.result()
    issued = c.issued()
    assert any(line.startswith("sbatch ") for line in issued), issued
    assert any(line.startswith("sacct -o JobID,State,NodeList --parsable2") for line in issued), (
        issued
    )
    steps = c.engine.steps(c.engine.jobs()[0])
    python = Path(sys.executable).name  # a step is named after the program srun ran
    assert [(s.step_id, s.name, s.state) for s in steps] == [(0, python, "COMPLETED")]


def test_cancel(client_cluster, tmp_path: Path) -> None:
    c = client_cluster("slurm")
    job = executor(tmp_path).submit(sleep_long)
    c.wait_for(lambda: job.state == "RUNNING", timeout=60, interval=0.5)
    job.cancel()
    c.wait_for(lambda: job.state.startswith("CANCELLED"), timeout=60, interval=0.5)
    with pytest.raises(submitit.core.utils.UncompletedJobError):
        job.result()
    assert any(line.startswith(f"scancel {job.job_id}") for line in c.issued()), c.issued()


def test_signal_before_the_time_limit(client_cluster, tmp_path: Path) -> None:
    # timeout_min=1 and signal_delay_s=55: #SBATCH --time=1 --signal=USR2@55, so the step gets USR2 about 5 s
    # after it starts; srun forwards it to the python task, whose handler raises UncompletedJobError.
    client_cluster("slurm")
    ex = executor(tmp_path)
    ex.update_parameters(timeout_min=1, slurm_signal_delay_s=55)
    job = ex.submit(sleep_long)
    script = job.paths.submission_file.read_text()
    assert "#SBATCH --signal=USR2@55" in script
    with pytest.raises(
        submitit.core.utils.UncompletedJobError, match="timed-out and not checkpointable"
    ):
        job.result()

"""Batched status against the simulated schedulers with the reference backends: one call for many jobs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim.pytest_fixtures import SimCluster, sim_cluster  # noqa: F401  (fixture)

from clusterjob.backends import ClusterjobBackend, get_backend
from clusterjob.backends.sge import SgeBackend
from clusterjob.batch import refresh_statuses
from clusterjob.result import AsyncResult
from clusterjob.runners import CommandOutput, LocalRunner
from clusterjob.status import PENDING


class CountingRunner(LocalRunner):
    """A LocalRunner that counts the scheduler commands it runs."""

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env=env)
        self.commands: list[list[str]] = []

    def _execute(self, argv: Sequence[str], **kwargs: Any) -> CommandOutput:
        self.commands.append(list(argv))
        return super()._execute(argv, **kwargs)


HOLD_SUBMIT = {
    "slurm": (["sbatch", "--hold", "job.sh"], None),
    "pbs": (["qsub", "-h", "job.sh"], None),
    "pbspro": (["qsub", "-h", "job.sh"], None),
    "lsf": (["bsub", "-H"], "job.sh"),
    "sge": (["qsub", "-h", "job.sh"], None),
}


def _backend(scheduler: str) -> ClusterjobBackend:
    return SgeBackend(pe="mpi", pe_smp="smp") if scheduler == "sge" else get_backend(scheduler)


def test_a_thousand_jobs_in_the_slurm_simulator_cost_one_squeue(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
) -> None:
    cluster = sim_cluster("slurm")
    engine = cluster.engine
    try:
        jobs = [
            engine.submit(
                {"name": f"j{i}", "script": "#!/bin/sh\ntrue\n", "held": 1, "queue": "debug"}
            )[0]
            for i in range(1000)
        ]
    finally:
        engine.close()
    runner = CountingRunner(cluster.env)
    results = [AsyncResult("slurm", str(job.job_id), runner) for job in jobs]
    statuses = refresh_statuses(results)
    assert len(runner.commands) == 1
    assert runner.commands[0][0] == "squeue"
    assert set(statuses.values()) == {PENDING}
    assert len(statuses) == 1000


@pytest.mark.parametrize(
    "scheduler", sorted(HOLD_SUBMIT)
)  # backend names; pbs runs on the torque simulator
def test_held_jobs_submitted_for_real_cost_one_status_call(
    scheduler: str,
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    cluster = sim_cluster("torque" if scheduler == "pbs" else scheduler)
    (tmp_path / "job.sh").write_text("#!/bin/bash\ntrue\n")
    backend = _backend(scheduler)
    argv, stdin_file = HOLD_SUBMIT[scheduler]
    ids = []
    for _ in range(12):
        stdin = (tmp_path / stdin_file).read_text() if stdin_file else None
        answer = cluster.run(argv, input=stdin, cwd=tmp_path)
        assert answer.returncode == 0, answer.stderr
        job_id = backend.get_job_id(answer.stdout)
        assert job_id is not None, answer.stdout
        ids.append(job_id)
    runner = CountingRunner(cluster.env)
    results = [AsyncResult(backend, job_id, runner) for job_id in ids]
    statuses = refresh_statuses(results)
    assert statuses == dict.fromkeys(ids, PENDING)
    assert len(runner.commands) == 1, runner.commands

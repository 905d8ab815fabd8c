"""Batched status queries split into chunks that fit the OS argument limits (Linux: 128 KiB per
argument, MAX_ARG_STRLEN in include/uapi/linux/binfmts.h; ARG_MAX in all) and the backend's own limit,
one scheduler call per chunk."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from clusterjob_sim.pytest_fixtures import SimCluster, sim_cluster  # noqa: F401  (fixture)

from clusterjob.backends.lsf import LsfBackend
from clusterjob.backends.pbs import PbsBackend
from clusterjob.backends.slurm import SlurmBackend
from clusterjob.batch import refresh_statuses, status_chunks
from clusterjob.result import AsyncResult
from clusterjob.runners import MAX_ARG_STRLEN, CommandOutput, LocalRunner, SshRunner, _arg_max
from clusterjob.status import COMPLETED, PENDING


class CountingRunner(LocalRunner):
    """A LocalRunner that records the commands it runs (to count the chunks)."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env=env)
        self.commands: list[list[str]] = []

    def _execute(self, argv: Sequence[str], **kwargs: Any) -> CommandOutput:
        self.commands.append(list(argv))
        return super()._execute(argv, **kwargs)


def slurm_runs(count: int, runner: Any = None, first: int = 10_000_000) -> list[AsyncResult]:
    return [AsyncResult("slurm", str(first + i), runner) for i in range(count)]


def test_one_slurm_argument_for_100000_ids_would_not_fit_so_it_is_cut() -> None:
    runner = LocalRunner()
    runs = slurm_runs(100_000, runner)
    whole = SlurmBackend().cmd_status_many(runs)
    assert whole is not None and runner.argv_load(whole) > 1.0  # 900 KB in one -j argument
    chunks = status_chunks(SlurmBackend(), runner, runs)
    assert [run for chunk, _ in chunks for run in chunk] == runs  # every run once, in order
    for chunk, command in chunks:
        assert command is not None and runner.argv_load(command) <= 1.0
        assert len(command[-1].encode()) + 1 <= MAX_ARG_STRLEN
        assert command[-1].split(",") == [run.job_id for run in chunk]
    assert len(chunks) <= 9  # 900 KB / 128 KiB: 7.2, so no needless extra calls


def test_many_ids_as_separate_arguments_are_cut_by_the_total_limit() -> None:
    runner = LocalRunner()
    runner.max_arg_bytes = MAX_ARG_STRLEN
    count = min(_arg_max() // 17 + 10_000, 1_000_000)  # 9-byte ids + 8-byte pointers: > ARG_MAX
    runs = [AsyncResult("lsf", str(10_000_000 + i), runner) for i in range(count)]
    chunks = status_chunks(LsfBackend(), runner, runs)
    assert len(chunks) >= 2
    assert all(command is not None and runner.argv_load(command) <= 1.0 for _, command in chunks)
    assert sum(len(chunk) for chunk, _ in chunks) == count


def test_the_backends_own_limit_is_kept() -> None:
    backend = PbsBackend()
    backend.max_status_ids = 1000
    runs = [AsyncResult(backend, f"{i}.server", LocalRunner()) for i in range(2500)]
    chunks = status_chunks(backend, LocalRunner(), runs)
    assert [len(chunk) for chunk, _ in chunks] == [1000, 1000, 500]


def test_a_remote_command_is_one_ssh_argument_so_its_whole_length_counts() -> None:
    ssh = SshRunner("cluster")
    runs = [AsyncResult("lsf", str(10_000_000 + i), ssh) for i in range(20_000)]
    command = LsfBackend().cmd_status_many(runs)
    assert command is not None
    assert LocalRunner().argv_load(command) < 1.0  # fine here as 20,000 arguments
    assert ssh.argv_load(command) > 1.0  # 200 KB in ssh's one remote-command argument
    chunks = status_chunks(LsfBackend(), ssh, runs)
    assert len(chunks) == 2
    assert all(cmd is not None and ssh.argv_load(cmd) <= 1.0 for _, cmd in chunks)


def test_a_backend_that_does_not_batch_gets_one_chunk_without_command() -> None:
    runs = [AsyncResult("sge", str(i)) for i in range(5)]
    from clusterjob.backends.sge import SgeBackend

    assert status_chunks(SgeBackend(pe="mpi"), LocalRunner(), runs, finished=True) == [(runs, None)]
    assert status_chunks(SlurmBackend(), LocalRunner(), []) == []


def test_thousands_of_simulated_slurm_jobs_with_a_small_limit_cost_one_call_per_chunk(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
) -> None:
    """3,000 jobs on the simulated Slurm (held, and finished ones in accounting), the per-argument
    limit forced down to 4 KiB: every run gets its state, squeue and sacct once per chunk."""
    cluster = sim_cluster("slurm")
    engine = cluster.engine
    try:
        held = [
            engine.submit(
                {"name": "h", "script": "#!/bin/sh\ntrue\n", "held": 1, "queue": "debug"}
            )[0]
            for _ in range(1500)
        ]
        engine.insert_many(
            {
                "name": "done",
                "script": "#!/bin/sh\ntrue\n",
                "queue": "debug",
                "state": "COMPLETED",
                "submit_time": 1.0,
                "start_time": 2.0,
                "end_time": 3.0,
                "exit_code": 0,
                "signal": 0,
                "nodelist": "node01",
            }
            for _ in range(1500)
        )
        done = [job for job in engine.jobs(view="all") if job.state == "COMPLETED"]
    finally:
        engine.close()
    assert len(done) == 1500
    runner = CountingRunner(cluster.env)
    runner.max_arg_bytes = 4096
    ids = [str(job.job_id) for job in held + done]
    statuses = refresh_statuses([AsyncResult("slurm", job_id, runner) for job_id in ids])
    assert statuses == {
        **dict.fromkeys(ids[:1500], PENDING),
        **dict.fromkeys(ids[1500:], COMPLETED),
    }
    squeues = [c for c in runner.commands if c[0] == "squeue"]
    saccts = [c for c in runner.commands if c[0] == "sacct"]
    assert len(squeues) + len(saccts) == len(runner.commands)
    assert all(len(c[c.index("-j") + 1]) < 4096 for c in runner.commands)
    asked = [c[c.index("-j") + 1].split(",") for c in squeues]
    assert sorted(i for chunk in asked for i in chunk) == sorted(ids)  # each id once
    assert 3 <= len(squeues) <= 12 and 2 <= len(saccts) <= 6


@pytest.mark.parametrize("count", [1, 2])
def test_tiny_batches_are_never_cut(count: int) -> None:
    runner = LocalRunner()
    runner.max_arg_bytes = 2  # nothing fits, yet a single run is asked as it is
    chunks = status_chunks(SlurmBackend(), runner, slurm_runs(count, runner))
    assert [len(chunk) for chunk, _ in chunks] == [1] * count

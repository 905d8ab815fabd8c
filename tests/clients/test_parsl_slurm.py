"""parsl's SlurmProvider, unchanged from PyPI, with a HighThroughputExecutor on 127.0.0.1 against the
simulated Slurm: one block submitted with sbatch, polled with sacct (parsl first probes `sacct -X`, and
falls back to squeue only when that fails), a python app and a bash app, the block cancelled with scancel.

The block uses parsl's SingleNodeLauncher (the provider's default in this parsl version; it starts the
workers itself); parsl's SrunLauncher is covered once the simulator has srun (the launcher work of issue 9).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

parsl = pytest.importorskip("parsl")
from parsl.app.app import bash_app, python_app  # noqa: E402
from parsl.config import Config  # noqa: E402
from parsl.executors import HighThroughputExecutor  # noqa: E402
from parsl.jobs.states import JobState  # noqa: E402
from parsl.launchers import SingleNodeLauncher  # noqa: E402
from parsl.providers import SlurmProvider  # noqa: E402


@python_app
def square(x: int) -> int:
    return x * x


@bash_app
def hello(path: str) -> str:
    return f'echo "hello from $SLURM_JOB_ID on $(hostname)" > {path}'


def test_python_and_bash_apps(
    client_cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # parsl starts interchange.py and its workers' process_worker_pool.py from PATH: the virtualenv's bin
    # folder must be on it, as in an activated environment (the jobs inherit it: sbatch --export=ALL)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    cluster = client_cluster("slurm", nodes=1, cores_per_node=2)
    provider = SlurmProvider(
        nodes_per_block=1, init_blocks=1, min_blocks=0, max_blocks=1, walltime="00:10:00",
        launcher=SingleNodeLauncher(), cmd_timeout=30,
    )  # fmt: skip
    config = Config(
        executors=[HighThroughputExecutor(label="slurm_htex", address="127.0.0.1", max_workers_per_node=1,
                                          provider=provider)],
        run_dir=str(tmp_path / "runinfo"),
    )  # fmt: skip
    out = tmp_path / "hello.txt"
    with parsl.load(config):
        assert square(7).result(timeout=120) == 49
        assert hello(str(out)).result(timeout=120) == 0
        # parsl polls every 60 s; ask now, through the provider's own status call
        (status,) = provider.status(list(provider.resources))
        assert status.state == JobState.RUNNING
    assert out.read_text() == f"hello from {cluster.config['first_job_id']} on node01\n"
    issued = cluster.issued()
    assert "sacct -X  -> rc 0" in issued
    assert any(line.startswith("sbatch ") and line.endswith("-> rc 0") for line in issued), issued
    polls = [line for line in issued if line.startswith("sacct -X --noheader")]
    first = cluster.config["first_job_id"]
    assert (
        polls and polls[0] == f"sacct -X --noheader --format=jobid,state%20 --job {first}  -> rc 0"
    )
    assert f"scancel {first}  -> rc 0" in issued
    cluster.wait_for(lambda: cluster.engine.jobs()[0].finished)
    assert cluster.engine.jobs()[0].state == "CANCELLED"

"""parsl's GridEngineProvider, unchanged from PyPI, on the simulated Grid Engine: a HighThroughputExecutor whose
interchange and workers talk over 127.0.0.1 only, a python app and a bash app.

What parsl sends (parsl/providers/grid_engine/grid_engine.py): `qsub -terse SCRIPT` (the id is the answer's
first non-empty line), plain `qstat` (it reads the first and the fifth word of each job line), `qdel ID...`
when it scales in or shuts down. Its script has `#$ -S /bin/bash`, `-o`, `-e`, `-cwd`, `-l h_rt=`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

parsl = pytest.importorskip("parsl")


def diagnosis(cluster: Any, tmp_path: Path) -> str:
    """The simulated jobs, the block's output files and the commands parsl issued."""
    lines = [
        f"job {j.job_id}: {j.state} exit {j.exit_code} signal {j.signal}"
        for j in cluster.engine.jobs()
    ]
    for path in sorted((tmp_path / "runinfo").glob("*/submit_scripts/*.std*")):
        lines += [f"== {path.name}", path.read_text(errors="replace")]
    return "\n".join([*lines, "== issued", *cluster.issued()])


def test_grid_engine_provider_python_and_bash_apps(
    client_cluster: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parsl.config import Config
    from parsl.executors import HighThroughputExecutor
    from parsl.jobs.states import JobState
    from parsl.providers import GridEngineProvider

    cluster = client_cluster("sge", nodes=1, cores_per_node=2)
    venv_bin = os.path.dirname(sys.executable)
    # parsl starts its interchange.py from PATH (an activated virtualenv has it); after the cluster's commands
    monkeypatch.setenv("PATH", f"{os.environ['PATH']}{os.pathsep}{venv_bin}")
    config = Config(
        executors=[
            HighThroughputExecutor(
                label="sge_htex",
                address="127.0.0.1",
                loopback_address="127.0.0.1",
                max_workers_per_node=1,
                provider=GridEngineProvider(
                    walltime="00:10:00",
                    init_blocks=1,
                    min_blocks=0,
                    max_blocks=1,
                    # the job's PATH is the execd's (no -V): a real site loads its environment the same way
                    worker_init=f"export PATH={venv_bin}:$PATH",
                ),
            )
        ],
        run_dir=str(tmp_path / "runinfo"),
        strategy="none",
    )

    @parsl.python_app
    def square(x: int) -> int:
        return x * x

    @parsl.bash_app
    def hello(stdout: str = "") -> str:
        return "echo hello from $JOB_ID"

    out = tmp_path / "hello.out"
    with parsl.load(config) as dfk:
        try:
            assert square(7).result(timeout=120) == 49
            assert hello(stdout=str(out)).result(timeout=120) == 0
            # parsl's own poll (every 60 s): plain qstat, the state is the fifth word of the job's line
            provider = dfk.executors["sge_htex"].provider
            [status] = provider.status(list(provider.resources))
            assert status.state == JobState.RUNNING
        except Exception as e:  # say what the job did: its records, its output, what parsl asked
            raise AssertionError(diagnosis(cluster, tmp_path)) from e
    job = cluster.engine.jobs()[0]
    assert out.read_text() == f"hello from {job.job_id}\n"
    cluster.wait_for(lambda: not cluster.engine.jobs(states=("PENDING", "RUNNING")), timeout=60)
    issued = cluster.issued()
    submits = [line for line in issued if line.startswith("qsub ")]
    assert len(submits) == 1 and submits[0].startswith("qsub -terse ")
    assert (
        cluster.answers("qsub")[0]["stdout"] == f"{job.job_id}\n"
    )  # seen: -terse prints the id alone
    assert any(line.startswith(f"qdel {job.job_id}") for line in issued)
    [poll] = [a for a in cluster.answers("qstat") if a["argv"] == []][:1]
    assert poll["stdout"].splitlines()[2].split()[:5] == [
        str(job.job_id),
        "0.50000",
        job.name[:10],
        job.user,
        "r",
    ]

"""parsl's LSFProvider, unchanged from PyPI and with its defaults, under a HighThroughputExecutor on 127.0.0.1.

Its defaults write `#BSUB -nnodes 1` (request_by_nodes=True) and submit `bsub FILE` (bsub_redirection=False):
they assume a Summit-type site, where LSF runs with IBM CSM (easy mode -nnodes) and lsf.conf sets
LSB_BSUB_PARSE_SCRIPT=Y, so the simulated cluster is such a site. It polls with `bjobs -noheader -o 'jobid
stat' ID...` and cancels with `bkill ID...`. parsl finds interchange.py and process_worker_pool.py on PATH, so
this interpreter's bin folder goes on PATH, as an activated virtualenv puts it (the job inherits it, LSF's
default `-env all`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

parsl = pytest.importorskip("parsl")


def test_parsl_lsf_provider_runs_python_and_bash_apps(
    client_cluster: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from clusterjob_sim import lsf
    from parsl.app.app import bash_app, python_app
    from parsl.config import Config
    from parsl.executors import HighThroughputExecutor
    from parsl.providers import LSFProvider

    cluster = client_cluster("lsf", nodes=1, cores_per_node=2, bsub_parse_script="Y", csm="Y")
    lsf.spool_files(str(cluster.spool), cluster.config)  # what activate.py will call
    for key, value in lsf.activate_env(str(cluster.spool), cluster.config).items():
        monkeypatch.setenv(key, value)

    monkeypatch.setenv("PATH", f"{os.environ['PATH']}{os.pathsep}{Path(sys.executable).parent}")
    provider = LSFProvider()
    executor = HighThroughputExecutor(
        label="lsf_htex",
        address="127.0.0.1",
        loopback_address="127.0.0.1",
        max_workers_per_node=1,
        provider=provider,
    )
    config = Config(executors=[executor], run_dir=str(tmp_path / "runinfo"))

    @python_app
    def square(x: int) -> int:
        return x * x

    @bash_app
    def hello(stdout: str = "") -> str:
        return "echo hello from $(hostname)"

    out = tmp_path / "hello.txt"
    with parsl.load(config):
        assert square(7).result(timeout=120) == 49
        assert hello(stdout=str(out)).result(timeout=120) == 0
    assert out.read_text() == "hello from node01\n"
    issued = cluster.issued()
    submits = [line for line in issued if line.startswith("bsub ")]
    assert submits and all(line.endswith(".submit  -> rc 0") for line in submits)
    assert any(line.startswith("bkill ") for line in issued)  # the block ends with parsl's cleanup
    [job] = cluster.engine.jobs()[:1]
    assert (job.nodes, job.exclusive) == (1, 1)  # -nnodes 1: a whole node

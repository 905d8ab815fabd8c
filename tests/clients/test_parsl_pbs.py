"""parsl's TorqueProvider (on the simulated Torque) and PBSProProvider (on the simulated PBS Pro), unchanged
from PyPI, with a HighThroughputExecutor on 127.0.0.1: a python app and a bash app run in a block job.

Launcher: TorqueProvider's default is AprunLauncher (Cray's aprun) and a plain PBS cluster has no aprun,
so both use SingleNodeLauncher (PBSProProvider's own default): the block's worker pool starts on the
job's first node, which needs neither aprun nor mpiexec (parsl/launchers/launchers.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

parsl = pytest.importorskip("parsl")
from parsl.config import Config  # noqa: E402
from parsl.executors import HighThroughputExecutor  # noqa: E402
from parsl.launchers import SingleNodeLauncher  # noqa: E402
from parsl.providers import PBSProProvider, TorqueProvider  # noqa: E402

PROVIDERS = {"torque": TorqueProvider, "pbspro": PBSProProvider}


@parsl.python_app
def where(x: int) -> tuple[int, str]:
    """The square of x and the simulated node the worker runs on."""
    import os

    return x * x, os.environ.get("CLUSTERJOB_SIM_NODE", "?")


@parsl.bash_app
def greet(name: str, stdout: str = "") -> str:
    """A shell command whose output goes to `stdout`."""
    return f"echo hello {name} from $(hostname)"


@pytest.mark.parametrize("scheduler", sorted(PROVIDERS))
def test_python_and_bash_apps(
    scheduler: str,
    client_cluster: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One block job: the python app returns from node01, the bash app writes its file; cleanup qdels."""
    c = client_cluster(scheduler, nodes=1, cores_per_node=2)
    # interchange.py and process_worker_pool.py live in the venv's bin, on PATH once it is activated
    venv_bin = os.path.dirname(sys.executable)
    monkeypatch.setenv("PATH", f"{os.environ['PATH']}{os.pathsep}{venv_bin}")
    provider = PROVIDERS[scheduler](
        launcher=SingleNodeLauncher(),
        worker_init=f"export PATH={venv_bin}:$PATH",
        walltime="00:10:00",
        init_blocks=1,
        max_blocks=1,
    )
    config = Config(
        executors=[
            HighThroughputExecutor(
                label=f"htex_{scheduler}",
                address="127.0.0.1",
                loopback_address="127.0.0.1",
                max_workers_per_node=2,
                provider=provider,
            )
        ],
        run_dir=str(tmp_path / "runinfo"),
        strategy="none",
    )
    dfk = parsl.load(config)
    try:
        assert where(7).result(timeout=120) == (49, "node01")
        out = tmp_path / "greet.out"
        assert greet("parsl", stdout=str(out)).result(timeout=120) == 0
        assert out.read_text() == "hello parsl from node01\n"
    finally:
        dfk.cleanup()
        parsl.clear()
    issued = c.issued()
    qsubs = [line for line in issued if line.startswith("qsub ")]
    assert len(qsubs) == 1 and qsubs[0].endswith("-> rc 0"), issued
    assert any(line.startswith("qdel ") for line in issued), issued

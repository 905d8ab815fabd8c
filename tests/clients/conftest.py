"""Third-party clients (PSI/J, submitit, dask-jobqueue, parsl, snakemake), unchanged from PyPI, against the
simulators: each test gets a simulated cluster on PATH for its whole process (clients call the commands
through their own subprocess calls) and the list of command lines the client issued, recorded by the
simulator (CLUSTERJOB_SIM_RECORD).

Marked `clients` (slow): the README's test command runs them, `pytest -m "not clients"` skips them. With
CLUSTERJOB_CLIENT_LOG=DIR each test leaves DIR/<test>.txt: every distinct command line the client issued.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim.pytest_fixtures import SimCluster


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/clients is a `clients` test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.clients)


class ClientCluster(SimCluster):
    """A SimCluster activated in os.environ, with the record of what the client asked."""

    record: Path

    def issued(self) -> list[str]:
        """Every command line the simulator answered, in order (shell-quoted), with its exit code."""
        if not self.record.exists():
            return []
        lines = []
        for line in self.record.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            lines.append(f"{shlex.join([r['command'], *r['argv']])}  -> rc {r['rc']}")
        return lines

    def answers(self, command: str) -> list[dict[str, Any]]:
        """The recorded answers of one command (argv, stdout, stderr, rc)."""
        if not self.record.exists():
            return []
        rows = [json.loads(line) for line in self.record.read_text(encoding="utf-8").splitlines()]
        return [r for r in rows if r["command"] == command]


@pytest.fixture
def client_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Callable[..., ClientCluster]]:
    """Factory: client_cluster("slurm", nodes=2, ...) -> a cluster on PATH for this process and its children."""
    made: list[ClientCluster] = []

    def factory(scheduler: str, **overrides: Any) -> ClientCluster:
        cluster = ClientCluster(scheduler, tmp_path / f"spool-{scheduler}", **overrides)
        cluster.record = tmp_path / f"issued-{scheduler}.jsonl"
        for key, value in cluster.env.items():
            if os.environ.get(key) != value:
                monkeypatch.setenv(key, value)
        monkeypatch.setenv("CLUSTERJOB_SIM_RECORD", str(cluster.record))
        cluster.env["CLUSTERJOB_SIM_RECORD"] = str(cluster.record)
        made.append(cluster)
        return cluster

    yield factory
    log_dir = os.environ.get("CLUSTERJOB_CLIENT_LOG")
    for cluster in made:
        cluster.kill_all()
        if log_dir:
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            seen = list(dict.fromkeys(cluster.issued()))
            Path(log_dir).mkdir(parents=True, exist_ok=True)
            (Path(log_dir) / f"{name}.txt").write_text("\n".join(seen) + "\n", encoding="utf-8")

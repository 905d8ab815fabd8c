"""pytest fixture `sim_cluster`: a fresh simulated cluster per test, on PATH, all its jobs killed at teardown.

Use: `from clusterjob_sim.pytest_fixtures import sim_cluster` in a conftest.py (or list the module in
`pytest_plugins` of the root conftest), then `c = sim_cluster("slurm", nodes=2); c.run(["sbatch", "x.sh"])`.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from clusterjob_sim import activate
from clusterjob_sim.engine import spool as _spool
from clusterjob_sim.engine.core import Engine


class SimCluster:
    """One simulated cluster of a test: spool, bin folder, environment, and helpers to drive it."""

    def __init__(self, scheduler: str, spool: Path, **overrides: Any) -> None:
        self.scheduler = scheduler
        self.spool = activate.create_spool(spool, scheduler, **overrides)
        self.bin = activate.bin_dir(self.spool)
        self.env: dict[str, str] = {**os.environ, **activate.env_vars(scheduler, self.spool)}

    @property
    def config(self) -> dict[str, Any]:
        """The spool's current config.json."""
        return _spool.load_config(self.spool)

    @property
    def engine(self) -> Engine:
        """A freshly opened Engine on the spool (reads the current config)."""
        return Engine(self.spool)

    def configure(self, **overrides: Any) -> None:
        """Change config.json keys (e.g. keep_finished_s=0); running commands pick them up next call."""
        cfg = self.config
        cfg.update(overrides)
        _spool.write_config(self.spool, cfg)
        activate.write_site_files(self.spool, activate.scheduler_module(self.scheduler), cfg)

    def set_faults(self, rules: Sequence[dict[str, Any]], seed: int | None = None) -> None:
        """Replace the fault rules (their counters restart); optionally set the seed."""
        extra: dict[str, Any] = {"faults": list(rules)}
        if seed is not None:
            extra["fault_seed"] = seed
        self.configure(**extra)

    def run(
        self,
        argv: Sequence[str],
        input: str | None = None,
        cwd: str | os.PathLike[str] | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run a command (e.g. ["sbatch", "job.sh"]) as a user would, with this cluster on PATH."""
        return subprocess.run(
            list(argv),
            input=input,
            cwd=cwd,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )

    def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05
    ) -> Any:
        """Poll until predicate() is truthy and return its value; AssertionError after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s: {predicate}")
            time.sleep(interval)

    def advance_job_ids(self, next_id: int) -> int:
        """Hand out `next_id` next unless an id at or above it was already used; return the next id."""
        engine = Engine(self.spool)
        try:
            return engine.advance_job_ids(next_id)
        finally:
            engine.close()

    def kill_all(self) -> int:
        """Kill every pending and running job of the spool and wait for their runners to exit."""
        engine = Engine(self.spool)
        try:
            return engine.kill_all()
        finally:
            engine.close()


@pytest.fixture
def sim_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., SimCluster]]:
    """Factory: sim_cluster(scheduler="slurm", **config_overrides) -> SimCluster on PATH for this test."""
    made: list[SimCluster] = []

    def factory(scheduler: str = "slurm", **overrides: Any) -> SimCluster:
        cluster = SimCluster(scheduler, tmp_path / f"spool-{scheduler}-{len(made)}", **overrides)
        made.append(cluster)
        monkeypatch.setenv("PATH", cluster.env["PATH"])
        monkeypatch.setenv(_spool.SPOOL_ENV, str(cluster.spool))
        monkeypatch.setenv("CLUSTERJOB_SIM_SCHEDULER", scheduler)
        return cluster

    yield factory
    for cluster in made:
        cluster.kill_all()

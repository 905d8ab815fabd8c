"""The simulated cluster the suite runs jobs on: sized from a backend's Capabilities, built with
clusterjob_sim's own fixture machinery (``clusterjob_sim.pytest_fixtures.SimCluster``).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clusterjob.testing.capabilities import Capabilities
from clusterjob.testing.rules import rules_for

if TYPE_CHECKING:
    from clusterjob_sim.pytest_fixtures import SimCluster

__all__ = [
    "ENGINE_STATUS",
    "cluster_config",
    "engine_jobs",
    "env_overlay",
    "set_walltime",
    "simulated_cluster",
]

ENGINE_STATUS: Mapping[str, int | None] = {
    "PENDING": -2,
    "RUNNING": -1,
    "COMPLETED": 0,
    "CANCELLED": 1,
    "FAILED": 2,
    "TIMEOUT": 2,
    "NODE_FAIL": 2,
    "OUT_OF_MEMORY": 2,
    "LOST": None,
}
"""The simulator engine's job states -> the clusterjob status a backend must report."""


def cluster_config(
    capabilities: Capabilities, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """config.json overrides for a cluster matching `capabilities`: nodes, cores, memory, queues, PEs."""
    queues = {
        q: {"max_time_s": None, "default_time_s": None, "nodes": None} for q in capabilities.queues
    }
    config: dict[str, Any] = {
        "nodes": capabilities.max_nodes,
        "cores_per_node": capabilities.max_cores_per_node,
        "mem_mb_per_node": capabilities.max_mem_mb,
        "queues": queues,
        "default_queue": capabilities.queues[0],
        "kill_wait_s": 0.5,
        "accounting": True,  # finished jobs stay known: Slurm's sacct, Grid Engine's qacct ...
        # ... and PBS Pro's qstat -x, which needs the server's job history (off by default in a real OpenPBS,
        # and in the simulator): the suite's finished-job checks read it there, as sites with history do.
        "job_history_enable": True,
    }
    if capabilities.parallel_environments:
        config["parallel_environments"] = {
            name: {"slots": 100000, "allocation_rule": rule}
            for name, rule in capabilities.parallel_environments.items()
        }
    config.update(overrides or {})
    return config


def env_overlay(cluster: SimCluster) -> dict[str, str]:
    """The variables that put `cluster` on PATH (for a LocalRunner's env, or monkeypatch)."""
    from clusterjob_sim import activate

    return activate.env_vars(cluster.scheduler, cluster.spool)


@contextmanager
def simulated_cluster(
    scheduler: str, path: str | os.PathLike[str], config: Mapping[str, Any] | None = None
) -> Iterator[SimCluster]:
    """A fresh simulated `scheduler` cluster in `path` (jobs killed on exit); not put on PATH here."""
    from clusterjob_sim.pytest_fixtures import SimCluster

    cluster = SimCluster(rules_for(scheduler).module, Path(path), **dict(config or {}))
    try:
        yield cluster
    finally:
        cluster.kill_all()


def engine_jobs(cluster: SimCluster) -> list[Any]:
    """Every job record of the cluster (all views), in submission order."""
    engine = cluster.engine
    try:
        return list(engine.jobs())
    finally:
        engine.close()


def set_walltime(cluster: SimCluster, job_id: str, seconds: float) -> int:
    """Shorten the wall time of a pending job (the simulated clock cannot run faster); returns rows changed.

    Used by the wall-time scenario: a wall time the backend encodes is in whole minutes on some schedulers,
    so the suite submits with a generous one and lowers it before the job starts.
    """
    digits = "".join(ch for ch in job_id.split(".", 1)[0] if ch.isdigit())
    if not digits:
        return 0
    conn = sqlite3.connect(str(Path(cluster.spool) / "jobs.db"), timeout=30)
    try:
        with conn:
            cursor = conn.execute(
                "UPDATE jobs SET walltime_s = ? WHERE job_id = ? AND state = 'PENDING'",
                (float(seconds), int(digits)),
            )
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'gen'")
            return cursor.rowcount
    finally:
        conn.close()

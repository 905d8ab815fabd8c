"""Simulator tests: the `sim_cluster` fixture (a fresh simulated cluster per test).

These tests are about each command's text, widths and behaviour, and many were written against a freshly
installed scheduler's ids (Slurm, LSF and Grid Engine start at 1, Torque and PBS Pro at 0), so their
clusters keep that first id unless a test asks for another. The realistic default (ids in the millions)
is tested in test_job_ids.py and by the conformance suite, which draws the first id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from clusterjob_sim.pytest_fixtures import SimCluster
from clusterjob_sim.pytest_fixtures import sim_cluster as shipped_sim_cluster

FRESH_FIRST_JOB_ID = {"torque": 0, "pbs": 0, "pbspro": 0}
"""A freshly installed server's first job id (1 for the others)."""


@pytest.fixture
def sim_cluster(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., SimCluster]]:
    """The shipped factory, with a freshly installed scheduler's first job id unless given."""
    factories = shipped_sim_cluster.__wrapped__(tmp_path, monkeypatch)  # type: ignore[attr-defined]
    factory = next(factories)

    def fresh(scheduler: str = "slurm", **overrides: Any) -> SimCluster:
        overrides.setdefault("first_job_id", FRESH_FIRST_JOB_ID.get(scheduler, 1))
        return factory(scheduler, **overrides)

    yield fresh
    for _ in factories:  # the shipped fixture's teardown: kill every job
        pass

"""Project-wide test configuration: Hypothesis profiles (select with HYPOTHESIS_PROFILE or --hypothesis-profile)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile(
    "ci",
    max_examples=500,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# Tests that share one real scheduler (tests/real: the Slurm and Grid Engine started on this machine;
# tests/containers: the scheduler containers and their shared folder) run on one pytest-xdist worker, one
# after another: their answers depend on the cluster's state (free cores, a job's pending reason, queue
# listings), which another worker's jobs would change. Only `--dist loadgroup` (scripts/test.sh) reads it.
_SHARED_STATE_GROUPS = {"real": "real-schedulers", "containers": "scheduler-containers"}
_TESTS = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups from the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        try:
            top = item.path.resolve().relative_to(_TESTS).parts[0]
        except ValueError:
            continue
        group = _SHARED_STATE_GROUPS.get(top)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run shared-state tests ungrouped: pytest 9.2 silently undoes the '@GROUP' that pytest-xdist
    adds to a grouped test's node id to keep it on its group's worker (pytest-dev/pytest-xdist#1386, seen here
    with pytest-xdist 3.8: tests/real ran on both workers at once)."""
    if config.getoption("dist", None) != "loadgroup" or not config.getoption("numprocesses", None):
        return
    major, minor = (int(part) for part in pytest.__version__.split(".")[:2])
    if (major, minor) >= (9, 2):
        raise pytest.UsageError(
            f"pytest {pytest.__version__} breaks pytest-xdist's --dist loadgroup (pytest-xdist#1386): tests "
            "sharing a real scheduler would run on several workers at once; install 'pytest<9.2'"
        )

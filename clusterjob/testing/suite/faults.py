"""(g) Stateful, with faults: many jobs submitted, polled, cancelled and waited on while the scheduler's
commands fail, print junk or lose answers (clusterjob.testing.stateful); simulator only."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from clusterjob.testing.plugin import real_mode
from clusterjob.testing.real import SIMULATOR_ONLY
from clusterjob.testing.suite.base import ConformanceBase

if TYPE_CHECKING:
    from clusterjob.testing.suite import BackendConformance


class FaultChecks(ConformanceBase):
    """No job is lost or misreported when the scheduler's commands misbehave."""

    def test_stateful_with_faults(self, tmp_path: Path, cj_profile_name: str) -> None:
        """Many jobs submitted, polled, cancelled and waited on while commands fail, print junk or lose
        answers: no job is lost and none ends in a wrong state."""
        if real_mode():
            pytest.skip(
                f"fault injection (commands that fail, print junk, lose answers) {SIMULATOR_ONLY}"
            )
        from clusterjob.testing.stateful import run_jobs_machine

        # this group of checks only ever runs as part of a BackendConformance
        suite = cast("BackendConformance", self)
        run_jobs_machine(suite, tmp_path, cj_profile_name)

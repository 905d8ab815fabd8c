"""simulators/COVERAGE.md is what the code says, and every option it lists as missing or refused really fails.

The manual lists (each scheduler package's manual.py) cite their source; this test proves the other half: no
fake command accepts an option of its real tool and ignores it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from clusterjob_sim import coverage
from clusterjob_sim.activate import create_spool
from clusterjob_sim.engine.command import run_command
from clusterjob_sim.engine.refusal import not_implemented_text

COVERAGE_MD = Path(__file__).resolve().parents[2] / "simulators" / "COVERAGE.md"


def test_committed_coverage_table_is_current() -> None:
    assert COVERAGE_MD.read_text(encoding="utf-8") == coverage.render(), (
        "simulators/COVERAGE.md is stale: run `nox -s coverage-table` "
        "(python -m clusterjob_sim.coverage --write simulators/COVERAGE.md)"
    )


def argv_for(row: coverage.Row) -> list[str]:
    """The command line that gives `row`'s option (with a placeholder value where it takes one)."""
    if row.kind == "subcommand":
        return row.option.split()
    if row.kind == "value":
        return [row.option, "1"]
    return [row.option]


def unimplemented(scheduler: str) -> list[coverage.Row]:
    """The rows of simulated commands whose option the simulator refuses or lacks."""
    return [
        r
        for r in coverage.rows(scheduler)
        if r.status != coverage.IMPLEMENTED and coverage.command_module(scheduler, r.command)
    ]


@pytest.fixture(scope="module")
def spools(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("coverage")
    return {s: create_spool(base / s, s) for s in coverage.SCHEDULERS}


@pytest.mark.parametrize("scheduler", list(coverage.SCHEDULERS))
def test_every_option_not_implemented_fails_loudly(scheduler: str, spools: dict[str, Path]) -> None:
    wrong = []
    for row in unimplemented(scheduler):
        out, err = io.StringIO(), io.StringIO()
        rc = run_command(
            spools[scheduler],
            row.command,
            argv_for(row),
            stdin=io.StringIO(""),
            stdout=out,
            stderr=err,
        )
        said = err.getvalue()
        expected = not_implemented_text(row.command, row.option)
        if rc == 0 or (row.status == coverage.MISSING and expected not in said):
            wrong.append(f"{row.command} {' '.join(argv_for(row))}: rc {rc}, stderr {said!r}")
    assert not wrong, "\n".join(wrong)
    from clusterjob_sim.engine.core import Engine

    assert Engine(spools[scheduler]).jobs() == [], "an unimplemented option submitted a job"

"""`clusterjob check` reports each check as it finishes, then the table with every skip reason."""

from __future__ import annotations

import io
import subprocess
import sys

from clusterjob.testing.check import CheckRun, print_progress, print_report


def test_check_streams_a_line_per_check_before_it_ends() -> None:
    """A real `clusterjob check` process: its first lines arrive while it is still running, and the
    checks' lines come before the summary table."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "clusterjob.cli", "check", "slurm", "--", "-k", "contract or body"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("clusterjob check: slurm on simulated schedulers")
        check_line = proc.stdout.readline()
        assert check_line.split()[:2] == ["slurm", "pass"]
        # streamed, not printed at the end: the other checks (seconds of work) are still to run
        assert proc.poll() is None
        rest = proc.stdout.read()
    finally:
        proc.wait(timeout=300)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    lines = [check_line, *rest.splitlines()]
    table = lines.index(
        "clusterjob conformance suite, profile clusterjob-default, on simulated schedulers"
    )
    streamed = [line.split()[2] for line in lines[:table] if line.startswith("slurm ")]
    assert {"contract_class", "contract_commands", "body_variables"} <= set(streamed)
    assert rest.rstrip().splitlines()[-1].startswith("all checks passed")


def test_progress_lines_name_the_backend_outcome_and_reason() -> None:
    out = io.StringIO()
    show = print_progress(out)
    run = CheckRun(label="mine", backend="x")
    show(run, {"check": "round_trip", "nodeid": "t.py::T::test_round_trip[x]", "outcome": "passed"})
    show(run, {"check": "e2e", "nodeid": "t.py::e2e", "outcome": "skipped", "reason": "no sim"})
    show(run, {"check": "ids", "nodeid": "ids", "outcome": "failed", "summary": "bad id\nmore"})
    assert out.getvalue().splitlines() == [
        "mine     pass  round_trip[x]",
        "mine     skip  e2e: no sim",
        "mine     FAIL  ids: bad id",
    ]


def test_the_table_gives_skip_reasons_without_verbose() -> None:
    run = CheckRun(label="mine", backend="x", returncode=0)
    run.results = [
        {"check": "round_trip", "outcome": "passed"},
        {"check": "e2e_pending", "outcome": "skipped", "reason": "the scheduler has no queue"},
    ]
    out = io.StringIO()
    print_report([run], "clusterjob-ci", 3.0, out)
    assert "-- mine: e2e_pending skipped: the scheduler has no queue" in out.getvalue()

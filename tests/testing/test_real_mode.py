"""The real-scheduler mode's plumbing (--cj-real, clusterjob check --real), without a real scheduler:
errors when none answers, skips with their reasons, and the mode itself run against a simulator on PATH
(which then plays the real scheduler: the suite does not know it is one)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clusterjob.testing import Capabilities
from clusterjob.testing.check import CheckRun, main, print_report
from clusterjob.testing.real import probe
from clusterjob.testing.simulator import engine_jobs, env_overlay, simulated_cluster

FINAL_STATES = {"COMPLETED", "CANCELLED", "FAILED", "TIMEOUT"}


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH on which no scheduler command exists."""
    folder = tmp_path / "empty-bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def _pytest(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "clusterjob.testing.plugin", "-p", "no:cacheprovider",
         "-q", *args],
        cwd=cwd, env={**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}, capture_output=True,
        text=True, check=False,
    )  # fmt: skip


def _results(report: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return {r["check"]: r for r in data["results"]}


# ------------------------------------------------------------------------------------------ probes


def test_probe_names_the_missing_command(empty_path: Path) -> None:
    assert probe("slurm") == "no real Slurm here: sinfo is not on PATH"
    assert "qstat is not on PATH" in probe("sge")
    assert "no real-scheduler probe" in probe("condor")


def test_probe_tells_grid_engine_from_torque(empty_path: Path) -> None:
    qstat = empty_path / "qstat"
    qstat.write_text(
        '#!/bin/sh\ncase "$1" in --version) echo "Version: 6.1.3";; *) echo "Server ok";; esac\n'
    )
    qstat.chmod(0o755)
    assert probe("pbs") == ""
    assert "pbs_version" not in probe("pbspro") and probe("pbspro").startswith("no real PBS Pro")
    problem = probe("sge")
    assert problem.startswith("no real Grid Engine answers here: `qstat -help`"), problem


# -------------------------------------------------------------------------------- clusterjob check


def test_check_real_without_the_scheduler_is_a_usage_error(
    empty_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["slurm", "--real"]) == 2
    err = capsys.readouterr().err
    assert "--real: no real Slurm here: sinfo is not on PATH" in err
    assert "drop --real" in err


def test_workdir_goes_with_real(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slurm", "--workdir", "/tmp"]) == 2
    assert "--workdir goes with --real" in capsys.readouterr().err


def test_submit_host_goes_with_real(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slurm", "--submit-host", "login1"]) == 2
    assert "--submit-host goes with --real" in capsys.readouterr().err


def test_submit_host_reaches_the_suite_as_the_names_a_job_may_report() -> None:
    from clusterjob.testing import plugin
    from clusterjob.testing.check import _pytest_argv

    run = CheckRun("sge", "sge", real=True)
    argv = _pytest_argv(
        run, "clusterjob-ci", Path("r.json"), Path("p.ini"), [], "/w", "login1.site"
    )
    assert argv[argv.index("--cj-submit-host") + 1] == "login1.site"
    assert argv[argv.index("--cj-workdir") + 1] == "/w"
    assert plugin.real_submit_hosts() is None  # not given: the suite takes this machine's names
    plugin._submit_host = "login1.site"
    try:
        assert plugin.real_submit_hosts() == {"login1.site", "login1"}
    finally:
        plugin._submit_host = None


def test_check_all_real_skips_what_does_not_answer_with_the_reason(
    empty_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--all", "--real"]) == 2  # nothing answered: nothing was checked
    captured = capsys.readouterr()
    assert "-- slurm: skipped: no real Slurm here: sinfo is not on PATH" in captured.out
    assert "-- lsf: skipped: no real LSF here: lsid is not on PATH" in captured.out
    assert "no real scheduler answers here" in captured.err


def test_the_table_marks_a_skipped_backend_and_its_skipped_checks() -> None:
    ran = CheckRun("slurm", "slurm", returncode=0, seconds=80, real=True)
    ran.results = [
        {"check": "round_trip", "outcome": "passed"},
        {"check": "stateful_with_faults", "outcome": "skipped", "reason": "needs the simulator"},
    ]
    absent = CheckRun("lsf", "lsf", real=True, skipped="no real LSF here: lsid is not on PATH")
    out = io.StringIO()
    print_report([ran, absent], "clusterjob-ci", 80.0, out)
    text = out.getvalue()
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if "_" in line[:30]}
    assert rows["round_trip"] == ["pass", "skip"]
    assert rows["stateful_with_faults"] == ["skip", "skip"]
    assert "against the real schedulers on PATH" in text
    assert "-- slurm: stateful_with_faults skipped: needs the simulator" in text
    assert "-- lsf: skipped: no real LSF here" in text
    assert not absent.failed and text.rstrip().endswith("all checks passed (80 s)")


# ------------------------------------------------------------------------------------ pytest plugin


def test_pytest_cj_real_without_the_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = _pytest(
        ["--pyargs", "clusterjob.testing.target", "--cj-backend", "slurm", "--cj-real"],
        tmp_path,
        {**os.environ, "PATH": str(empty)},
    )
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "--cj-real: no real Slurm here: sinfo is not on PATH" in proc.stderr


def test_real_mode_runs_end_to_end_on_whatever_answers_and_skips_fault_injection(
    tmp_path: Path,
) -> None:
    """With a (simulated) Slurm on PATH as the 'real' one: no cluster of its own is created, the jobs carry
    a unique prefix, the simulator-only check is skipped with its reason."""
    report = tmp_path / "report.json"
    with simulated_cluster(
        "slurm", tmp_path / "spool", {"nodes": 1, "cores_per_node": 2}
    ) as cluster:
        env = {**os.environ, **env_overlay(cluster)}
        proc = _pytest(
            ["--pyargs", "clusterjob.testing.target", "--cj-backend", "slurm", "--cj-real",
             "--cj-report", str(report), "-k",
             "stateful or exit_code or core_variables or submit_runs or accounting"],
            tmp_path, env,
        )  # fmt: skip
        jobs = engine_jobs(cluster)
    results = _results(report)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results["stateful_with_faults"]["outcome"] == "skipped"
    assert "needs the simulated scheduler" in results["stateful_with_faults"]["reason"]
    for check in ("e2e_exit_code_failed", "e2e_core_variables", "e2e_submit_runs_completes"):
        assert results[check]["outcome"] == "passed", results[check]
    assert len(jobs) >= 5  # the jobs went to the scheduler on PATH
    assert all(job.name.startswith("cj") and job.name[6] == "-" for job in jobs)
    assert len({job.name[:7] for job in jobs}) >= 4  # one prefix per check
    assert all(job.state in FINAL_STATES for job in jobs)


CLASS_UNDER_REAL = """
from clusterjob.backends.slurm import SlurmBackend
from clusterjob.testing import BackendConformance, Capabilities

class TestOnReal(BackendConformance):
    backend = SlurmBackend()
    scheduler = "slurm"
    capabilities = Capabilities(max_nodes=3)
    real_capabilities = Capabilities(max_nodes=1, max_cores_per_node=2, whole_cluster={whole})
"""


def test_pending_needs_a_whole_cluster_and_jobs_are_cancelled_when_a_check_fails(
    tmp_path: Path,
) -> None:
    """Without whole_cluster the PENDING scenario skips with the reason; declared whole on a cluster that is
    not, it fails -- and the job it left waiting on its gate is cancelled all the same."""
    report = tmp_path / "report.json"
    with simulated_cluster(
        "slurm", tmp_path / "spool", {"nodes": 2, "cores_per_node": 2}
    ) as cluster:
        env = {**os.environ, **env_overlay(cluster)}
        (tmp_path / "test_real_part.py").write_text(CLASS_UNDER_REAL.format(whole=False))
        proc = _pytest(
            ["--cj-real", "--cj-report", str(report), "-k", "pending", "test_real_part.py"],
            tmp_path, env,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        reason = _results(report)["e2e_pending"]["reason"]
        assert "needs a full cluster" in reason and "whole_cluster=True" in reason

        (tmp_path / "test_real_part.py").write_text(CLASS_UNDER_REAL.format(whole=True))
        proc = _pytest(
            ["--cj-real", "--cj-report", str(report), "-k", "pending", "test_real_part.py"],
            tmp_path, env,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert _results(report)["e2e_pending"]["outcome"] == "failed"
        jobs = engine_jobs(cluster)
    blockers = [job for job in jobs if job.name.endswith("-blocker")]
    assert blockers and all(job.state == "CANCELLED" for job in blockers), [
        (job.name, job.state) for job in jobs
    ]


def test_capabilities_check_the_real_mode_settings() -> None:
    with pytest.raises(ValueError, match="walltime_granularity_s"):
        Capabilities(walltime_granularity_s=0)
    with pytest.raises(ValueError, match="queue_wait_s"):
        Capabilities(queue_wait_s=0)
    assert Capabilities().whole_cluster is False

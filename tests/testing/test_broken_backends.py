"""Each deliberately broken backend is caught by the check meant for it, and only the checks it breaks fail.

The suite runs as `clusterjob check` runs it: one isolated pytest process per backend (ci profile:
derandomized, so the same examples every time).
"""

from __future__ import annotations

import pytest

from clusterjob.testing.check import CheckRun, run_checks

pytestmark = pytest.mark.slow

PARSE_CHECKS = "contract or body or every_key or round_trip or no_injection or answers"
"""The checks that need no running job (fast); end-to-end ones are not what these bugs break."""


def _run(backend: str, scheduler: str, checks: str = PARSE_CHECKS) -> CheckRun:
    run = CheckRun(
        label=backend, backend=f"tests.testing.broken_backends:{backend}", scheduler=scheduler
    )
    run_checks([run], "clusterjob-ci", ["-k", checks])
    assert run.results, f"the suite did not run:\n{run.log}"
    return run


def _outcomes(run: CheckRun) -> dict[str, str]:
    return {r["check"]: r["outcome"] for r in run.results}


def test_lsf_ptiles_typo_is_caught_by_the_round_trip() -> None:
    run = _run("LsfPtilesTypo", "lsf")
    outcomes = _outcomes(run)
    assert outcomes["round_trip"] == "failed"
    failure = next(r for r in run.results if r["check"] == "round_trip")
    assert "span" in failure["summary"]  # the parser's own refusal: "Error in span section"
    assert "resources=" in failure["falsifying"]
    for check in ("contract_class", "contract_commands", "job_id_answers", "status_answers"):
        assert outcomes[check] == "passed", check


def test_slurm_dropping_mem_is_caught_as_a_silently_dropped_key() -> None:
    run = _run("SlurmDropsMem", "slurm")
    outcomes = _outcomes(run)
    assert outcomes["every_key_encoded_or_refused"] == "failed"
    failure = next(r for r in run.results if r["check"] == "every_key_encoded_or_refused")
    assert "mem_mb_per_node" in failure["summary"] and "dropped" in failure["summary"]
    assert "'mem'" in failure["falsifying"]
    assert outcomes["round_trip"] == "failed"
    for check in ("contract_class", "no_injection", "body_variables", "answers_never_raise"):
        assert outcomes[check] == "passed", check


def test_slurm_unquoted_job_name_is_caught_by_the_injection_check() -> None:
    run = _run("SlurmUnquotedName", "slurm")
    outcomes = _outcomes(run)
    assert outcomes["no_injection"] == "failed"
    failure = next(r for r in run.results if r["check"] == "no_injection")
    assert "hostile name" in failure["summary"]
    for check in ("round_trip", "every_key_encoded_or_refused", "contract_commands"):
        assert outcomes[check] == "passed", check


def test_the_reference_backends_pass_the_checks_their_broken_children_fail() -> None:
    """The control: the unbroken parents pass exactly the checks that catch their broken children."""
    for backend, checks in (
        ("slurm", "every_key_encoded_or_refused or round_trip or no_injection"),
        ("lsf", "round_trip or every_key_encoded_or_refused"),
    ):
        run = CheckRun(label=backend, backend=backend, scheduler=backend)
        run_checks([run], "clusterjob-ci", ["-k", checks])
        assert run.results and not run.failed, run.log


def test_slurm_keeping_the_first_digit_of_the_job_id_is_caught_end_to_end() -> None:
    """The simulated clusters hand out realistic ids (the first one drawn by Hypothesis), so a parser that
    truncates the id names a job the scheduler does not have."""
    checks = "e2e_job_ids_of_any_size or e2e_submit_runs_completes"
    run = _run("SlurmFirstDigitId", "slurm", checks)
    outcomes = _outcomes(run)
    assert outcomes["e2e_job_ids_of_any_size"] == "failed"
    assert outcomes["e2e_submit_runs_completes"] == "failed"
    failure = next(r for r in run.results if r["check"] == "e2e_job_ids_of_any_size")
    assert "get_job_id gave" in failure["summary"]
    control = CheckRun(label="slurm", backend="slurm", scheduler="slurm")
    run_checks([control], "clusterjob-ci", ["-k", checks])
    assert control.results and not control.failed, control.log

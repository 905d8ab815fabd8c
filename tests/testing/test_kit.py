"""The conformance kit's parts on their own: strategies, rules, corpus, profiles, plugin, base class, check."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from clusterjob_sim.engine.allocation import Allocation
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterjob.backends.slurm import SlurmBackend
from clusterjob.resources import normalize_resources, parse_mem, parse_positive_int, parse_time
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING
from clusterjob.testing import BackendConformance, Capabilities, replaces_check
from clusterjob.testing import strategies as cst
from clusterjob.testing.check import CheckRun, main, print_report
from clusterjob.testing.corpus import job_id_answers, status_answers
from clusterjob.testing.plugin import failure_summary, falsifying_example
from clusterjob.testing.profiles import (
    PROFILES,
    property_settings,
    resolve_profile_name,
    stateful_settings,
)
from clusterjob.testing.rules import rules_for

# ------------------------------------------------------------------------------------ strategies


@given(st.integers(1, 10**7).flatmap(lambda n: st.tuples(st.just(n), cst.time_forms(n))))
def test_every_time_form_means_its_seconds(case: tuple[int, Any]) -> None:
    seconds, form = case
    assert parse_time(form) == seconds


@given(st.integers(1, 10**6).flatmap(lambda n: st.tuples(st.just(n), cst.mem_forms(n))))
def test_every_mem_form_means_its_megabytes(case: tuple[int, Any]) -> None:
    megabytes, form = case
    assert parse_mem(form) == megabytes


@given(st.integers(1, 999).flatmap(lambda n: st.tuples(st.just(n), cst.count_forms(n))))
def test_every_count_form_means_its_number(case: tuple[int, Any]) -> None:
    number, form = case
    assert parse_positive_int(form, "nodes") == number


@given(cst.resource_requests(Capabilities(max_nodes=2, max_cores_per_node=8)))
def test_requests_mean_what_they_say_and_fit_the_capabilities(
    request_: cst.ResourceRequest,
) -> None:
    assert normalize_resources(request_.resources) == request_.normal
    normal = request_.normal
    assert normal.get("nodes", 1) <= 2
    assert normal.get("ppn", 1) * normal.get("threads", 1) <= 8


@given(cst.resource_requests(Capabilities(mem=False, threads=False, multi_node=False)))
def test_requests_leave_out_what_is_declared_unsupported(request_: cst.ResourceRequest) -> None:
    assert "mem" not in request_.resources and "threads" not in request_.resources
    assert request_.normal.get("nodes", 1) == 1


def test_the_strategy_sees_every_form() -> None:
    """The strategies reach the unit, day and colon forms (not only ints)."""
    seen: set[str] = set()

    @settings(max_examples=300, database=None)
    @given(cst.time_forms(90061))
    def collect(form: Any) -> None:
        seen.add(type(form).__name__ if isinstance(form, int) else form.strip())

    collect()
    assert {"int", "1-01:01:01", "25:01:01", "1d1h1m1s"} <= seen


@given(cst.hostile_strings())
def test_hostile_strings_are_never_empty(text: str) -> None:
    assert text


# ----------------------------------------------------------------------------------------- rules


def _alloc(**fields: Any) -> Allocation:
    return Allocation(**fields)


def test_torque_rules_compare_cores_per_node_only() -> None:
    rules = rules_for("torque")
    request = {"name": "a", "nodes": 2, "ppn": 2, "threads": 2}
    seen = _alloc(nodes=2, tasks_per_node=4, cpus_per_task=1, name="a")
    assert rules.compare(request, seen, Capabilities()) == []
    assert rules.compare(request, _alloc(nodes=2, tasks_per_node=2, name="a"), Capabilities())


def test_lsf_and_slurm_rules_round_wall_time_up_to_the_minute() -> None:
    for scheduler in ("lsf", "slurm"):
        rules = rules_for(scheduler)
        assert (
            rules.compare(
                {"name": "a", "time": 61}, _alloc(walltime_s=120, name="a"), Capabilities()
            )
            == []
        )
        assert rules.compare(
            {"name": "a", "time": 61}, _alloc(walltime_s=60, name="a"), Capabilities()
        )


def test_sge_rules_compare_total_slots_and_memory() -> None:
    rules = rules_for("sge")
    request = {"name": "a", "nodes": 2, "ppn": 3, "mem": 1000}
    # 6 slots on one host (PE $pe_slots): h_vmem = ceil(1000/3) = 334 MB per slot
    seen = _alloc(nodes=1, tasks_per_node=6, mem_mb_per_node=2004, name="a")
    assert rules.compare(request, seen, Capabilities()) == []
    assert rules.compare(
        request, _alloc(nodes=1, tasks_per_node=5, name="a", mem_mb_per_node=2004), Capabilities()
    )


def test_unrequested_options_are_flagged_unless_declared() -> None:
    rules = rules_for("slurm")
    seen = _alloc(name="a", extra={"account": "chem-lab"})
    problems = rules.compare({"name": "a"}, seen, Capabilities())
    assert problems and "always_adds" in str(problems[0].why)
    assert (
        rules.compare({"name": "a"}, seen, Capabilities(always_adds={"account": "chem-lab"})) == []
    )


def test_unknown_scheduler_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="slurm"):
        rules_for("condor")


# ---------------------------------------------------------------------------------------- corpus


def test_sacct_answers_follow_the_backends_format() -> None:
    parsable = ["sacct", "-n", "-X", "-P", "-j", "7", "--format=JobID,State,ExitCode"]
    texts = {a.text for a in status_answers("slurm", parsable, "7", finished=True)}
    assert "7|CANCELLED by 0|0:0\n" in texts
    padded = ["sacct", "-j", "7", "-o", "State"]
    answers = status_answers("slurm", padded, "7", finished=True)
    assert any("CANCELLED+" in a.text and "-------" in a.text for a in answers)
    assert status_answers("slurm", ["sacct", "-o", "JobID,Elapsed2"], "7", finished=True) == []


def test_squeue_answers_follow_the_backends_format() -> None:
    answers = status_answers(
        "slurm", ["squeue", "-h", "-o", "%i %T", "-j", "7"], "7", finished=False
    )
    by_text = {a.text: a.expected for a in answers}
    assert by_text["7 PENDING\n"] == (PENDING,)
    assert by_text[""] == (None,)


def test_submission_answers_depend_on_the_command() -> None:
    assert {a.text for a in job_id_answers("slurm", ["sbatch", "--parsable", "x"])} >= {"4243\n"}
    assert "4243\n" not in {a.text for a in job_id_answers("slurm", ["sbatch", "x"])}


def test_reference_slurm_backend_reads_the_corpus() -> None:
    backend = SlurmBackend()
    for answer in status_answers(
        "slurm", ["sacct", "-n", "-X", "-P", "-j", "7", "--format=JobID,State,ExitCode"], "7", True
    ):
        assert backend.get_status(answer.text, finished=True) in answer.expected
    assert COMPLETED != CANCELLED != FAILED


# -------------------------------------------------------------------------------------- profiles


def test_profiles_are_named_apart_from_the_projects() -> None:
    assert set(PROFILES) == {"clusterjob-default", "clusterjob-ci", "clusterjob-thorough"}
    assert resolve_profile_name("ci") == "clusterjob-ci"
    assert resolve_profile_name(None) in PROFILES
    ci = property_settings("ci")
    assert ci.derandomize and ci.database is None
    assert settings.get_profile("ci").max_examples == 500  # the project's own profile is untouched


def test_stateful_step_counts_come_from_the_profile() -> None:
    spec = PROFILES["clusterjob-thorough"]
    chosen = stateful_settings("thorough")
    assert chosen.stateful_step_count == spec.stateful_steps
    assert chosen.max_examples == spec.stateful_runs


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="clusterjob-ci"):
        resolve_profile_name("fast")


# ---------------------------------------------------------------------------------------- plugin


def test_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, clusterjob.testing.plugin, clusterjob.testing;"
        "heavy = [m for m in ('hypothesis', 'clusterjob_sim', 'clusterjob.testing.suite') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


SAMPLE_FAILURE = """\
    def test_round_trip(self):
E   AssertionError: the lsf scheduler does not see the request:
E     - nodes: requested 2 via nodes, scheduler sees 1
E   Failing test case: round_trip(
E       value=ResourceRequest(resources={'name': 'A', 'nodes': 2},
E        normal={'name': 'A', 'nodes': 2}),
E   )
E   resources = {'name': 'A', 'nodes': 2}
"""


def test_the_report_keeps_hypothesis_example_and_the_reason() -> None:
    example = falsifying_example(SAMPLE_FAILURE)
    assert example.startswith("Failing test case: round_trip(") and example.endswith(")")
    assert "'nodes': 2" in example
    assert "scheduler sees 1" in failure_summary(SAMPLE_FAILURE)
    assert "Failing" not in failure_summary(SAMPLE_FAILURE)


# ------------------------------------------------------------------------------------ base class


def test_the_base_class_is_not_collected() -> None:
    assert BackendConformance.__test__ is False

    class Intermediate(BackendConformance):
        pass

    class TestReal(Intermediate):
        backend = SlurmBackend()
        scheduler = "slurm"

    assert Intermediate.__test__ is False
    assert TestReal.__test__ is True


def test_a_method_shadowing_a_check_is_refused() -> None:
    with pytest.raises(TypeError, match="shadows the conformance suite's check 'test_round_trip'"):

        class TestBad(BackendConformance):
            backend = SlurmBackend()
            scheduler = "slurm"

            def test_round_trip(self) -> None:
                pass


def test_an_attribute_shadowing_a_fixture_is_refused() -> None:
    with pytest.raises(TypeError, match="fixture 'cj_cluster'"):

        class TestBad(BackendConformance):
            backend = SlurmBackend()
            scheduler = "slurm"
            cj_cluster = None


def test_deliberate_replacements_are_allowed() -> None:
    class TestFine(BackendConformance):
        backend = SlurmBackend()
        scheduler = "slurm"

        @replaces_check
        def test_e2e_pending(self) -> None:
            pytest.skip("this site's cluster never queues")

        @pytest.fixture
        def cj_settings(self) -> settings:
            return settings(max_examples=5)

    assert TestFine.__test__


def test_a_misspelled_setting_is_named() -> None:
    with pytest.raises(TypeError, match="did you mean 'capabilities'"):

        class TestBad(BackendConformance):
            backend = SlurmBackend()
            scheduler = "slurm"
            capabilites = Capabilities()


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        ({"backend": SlurmBackend, "scheduler": "slurm"}, "write `backend = SlurmBackend\\(\\)`"),
        ({"backend": SlurmBackend()}, "no `scheduler = ...`"),
        ({"backend": SlurmBackend(), "scheduler": "condor"}, "unknown scheduler 'condor'"),
        ({"backend": SlurmBackend(), "scheduler": "slurm", "capabilities": {}}, "Capabilities"),
    ],
)
def test_bad_settings_are_refused_at_class_creation(
    settings_: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        type("TestBad", (BackendConformance,), dict(settings_))


def test_capabilities_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="max_nodes"):
        Capabilities(max_nodes=0)
    with pytest.raises(ValueError, match="seed variables"):
        Capabilities(core_variables=("CLUSTERJOB_ID",))
    assert Capabilities(multi_node=False).max_nodes == 1


# ----------------------------------------------------------------------------------------- check


def test_check_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["slurm", "--all"]) == 2
    assert main(["slurm", "--profile", "fast"]) == 2
    assert "unknown conformance profile" in capsys.readouterr().err
    assert main(["nosuch.module:Backend", "--scheduler", "slurm"]) == 2
    assert "cannot import 'nosuch.module'" in capsys.readouterr().err
    assert main(["clusterjob.backends.slurm:SlurmBackend"]) == 2
    assert "needs a scheduler" in capsys.readouterr().err


def test_the_table_shows_each_check_per_backend_and_the_first_failure() -> None:
    ok = CheckRun("slurm", "slurm", returncode=0, seconds=3)
    ok.results = [
        {"check": "round_trip", "outcome": "passed"},
        {"check": "e2e_pending", "outcome": "skipped", "reason": "no queue"},
    ]
    bad = CheckRun("lsf", "lsf", returncode=1, seconds=4)
    bad.results = [
        {
            "check": "round_trip",
            "outcome": "failed",
            "summary": "span",
            "falsifying": "Failing test case: x()",
        },
        {"check": "e2e_pending", "outcome": "passed"},
    ]
    out = io.StringIO()
    print_report([ok, bad], "clusterjob-ci", 7.0, out)
    text = out.getvalue()
    table = {
        line.split()[0]: line.split()[1:]
        for line in text.splitlines()
        if line.startswith(("round", "e2e"))
    }
    assert table == {"round_trip": ["pass", "FAIL"], "e2e_pending": ["skip", "pass"]}
    assert "== lsf: round_trip FAILED" in text and "Failing test case: x()" in text
    assert text.rstrip().endswith("FAILED: lsf (7 s)")
    assert not ok.failed and bad.failed
    json.dumps(ok.results)


def test_the_plugin_fixture_puts_a_fresh_simulated_cluster_on_path(tmp_path: Any) -> None:
    (tmp_path / "test_uses_cluster.py").write_text(
        "import subprocess\n"
        "def test_it(cj_simulated_cluster):\n"
        "    out = subprocess.run(['qstat'], capture_output=True, text=True)\n"
        "    assert out.returncode == 0 and out.stdout == ''\n"
    )
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "clusterjob.testing.plugin", "-p", "no:cacheprovider",
         "--cj-scheduler", "sge", "-q", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr

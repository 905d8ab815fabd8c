"""What rendering remembers between scripts (normalized resources, checked directive values, the
core-variable pattern) never changes an answer: same results, fresh copies, errors raised every time."""

from __future__ import annotations

import pytest

from clusterjob import JobScript
from clusterjob.backends._common import check_directive_value, replace_core_vars
from clusterjob.errors import InvalidResourceError
from clusterjob.resources import normalize_resources


def test_normalized_resources_are_fresh_copies_and_types_are_kept_apart() -> None:
    first = normalize_resources({"nodes": 2, "time": "1:00:00", "exclusive": True})
    first["nodes"] = 99
    again = normalize_resources({"nodes": 2, "time": "1:00:00", "exclusive": True})
    assert again == {"nodes": 2, "time": 3600, "exclusive": True}
    assert normalize_resources({"exclusive": 1})["exclusive"] == 1
    assert normalize_resources({"exclusive": True})["exclusive"] is True


def test_a_bad_value_raises_every_time() -> None:
    for _ in range(3):
        with pytest.raises(InvalidResourceError):
            normalize_resources({"time": "61:61"})
        with pytest.raises(InvalidResourceError):
            check_directive_value("name", "a\nb")
        with pytest.raises(InvalidResourceError):
            check_directive_value("name", "x", forbidden_words=("x",))


def test_check_directive_value_gives_the_same_answer_for_any_word_container() -> None:
    assert check_directive_value("q", "normal", forbidden_words=("hetjob",)) == "normal"
    assert check_directive_value("q", "normal", forbidden_words=["hetjob"]) == "normal"
    assert check_directive_value("q", 5) == "5"
    with pytest.raises(InvalidResourceError):
        check_directive_value("q", "a hetjob", forbidden_words=["hetjob"])


def test_core_variables_follow_each_mapping() -> None:
    body = "$CLUSTERJOB_ID ${CLUSTERJOB_ID} ${CLUSTERJOB_ID:-x}\n"
    assert replace_core_vars(body, {"CLUSTERJOB_ID": "A"}) == "$A ${A} ${A:-x}\n"
    assert replace_core_vars(body, {"CLUSTERJOB_ID": "B"}) == "$B ${B} ${B:-x}\n"
    assert replace_core_vars(body, {"CLUSTERJOB_ID": "$(cat f)"}) == (
        "$(cat f) $(cat f) ${CLUSTERJOB_ID:-x}\n"
    )
    assert replace_core_vars("no variables\n", {"CLUSTERJOB_ID": "A"}) == "no variables\n"


def test_a_changed_job_renders_anew() -> None:
    job = JobScript("echo {jobname} $CLUSTERJOB_ID\n", "one", backend="slurm", nodes=1)
    first = str(job)
    job.resources["nodes"] = 3
    job.resources["name"] = "two"
    second = str(job)
    assert "--nodes=1" in first and "--job-name=one" in first and "echo one" in first
    assert "--nodes=3" in second and "--job-name=two" in second and "echo two" in second

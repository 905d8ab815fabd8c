"""The PBS Pro / OpenPBS backend: select-chunk directives (golden files + hostile values), qsub/
qstat (-x)/qdel commands and the parsing of every answer in docs/reference/scheduler-cli.md.

Regenerate the golden files with
``CLUSTERJOB_REGENERATE_GOLDEN=1 pytest tests/test_backend_pbspro.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterjob.backends.pbspro import STATES, PbsProBackend
from clusterjob.errors import InvalidResourceError
from clusterjob.jobscript import JobScript
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING
from tests.backend_test_helpers import (
    ANSWERS,
    ANY_STATUS,
    PBS_HOSTILE_PIECES,
    PBS_KEY_OPTIONS,
    assert_pbs_hostile_value,
    assert_registered,
    hostile_text,
    option_values,
    pbspro_make_argv,
    qsub_directives,
    run,
)
from tests.golden_helpers import PARADIGMS, assert_golden, paradigm_script

BACKEND = PbsProBackend()


# ---------------------------------------------------------------------------- golden files

# Why each directive is right (docs/reference/scheduler-cli.md, PBS Pro reference guide qsub/pbs_resources):
#   -N NAME                 job name (PBS_JOBNAME); a letter first, at most 236 characters
#   -q QUEUE                destination queue
#   -l walltime=HH:MM:SS    wall time; hours may exceed 24 (2 days = 48:00:00)
#   -l select=N:ncpus=C:mpiprocs=P:ompthreads=T:mem=Mmb
#                           N chunks, one per node (with place=scatter), each with C = P*T cores,
#                           P MPI processes (PBS_NODEFILE gets P lines per chunk), T threads per
#                           process (OMP_NUM_THREADS=T) and M MB of memory: the resource model exactly
#   -l place=scatter        only when N > 1: every chunk on a different host, so N chunks = N nodes
#   -o / -e PATH            stdout/stderr paths (PBS reads "host:path" when there is a ':')
# Every line is '#PBS' right after the shebang, before the first command, where qsub stops reading.


@pytest.mark.parametrize("paradigm", sorted(PARADIGMS))
def test_golden(paradigm: str) -> None:
    assert_golden(paradigm_script(paradigm, BACKEND).render(), "pbspro", paradigm)


def test_golden_hybrid_reads_back_as_requested() -> None:
    directives = qsub_directives(paradigm_script("hybrid", BACKEND).render(), pbspro_make_argv)
    assert option_values(directives, "l") == [
        "walltime=48:00:00",
        "select=4:ncpus=32:mpiprocs=2:ompthreads=16:mem=32768mb",
        "place=scatter",
    ]


# ------------------------------------------------------------------------------- headers


def headers(name: str = "job", **resources: Any) -> list[str]:
    return BACKEND.resource_headers(JobScript("true\n", name, backend=BACKEND, **resources))


def test_absent_keys_write_nothing_and_partial_chunks() -> None:
    assert headers() == ["#PBS -N job"]
    assert headers(threads=4)[1:] == ["#PBS -l select=1:ncpus=4:mpiprocs=1:ompthreads=4"]
    assert headers(mem=100)[1:] == ["#PBS -l select=1:ncpus=1:mpiprocs=1:ompthreads=1:mem=100mb"]
    assert headers(nodes=3)[1:] == [
        "#PBS -l select=3:ncpus=1:mpiprocs=1:ompthreads=1",
        "#PBS -l place=scatter",
    ]


def test_place() -> None:
    assert headers(nodes=2, place="scatter:excl")[1:] == [
        "#PBS -l select=2:ncpus=1:mpiprocs=1:ompthreads=1",
        "#PBS -l place=scatter:excl",
    ]
    assert headers(place="pack")[1:] == ["#PBS -l place=pack"]
    with pytest.raises(InvalidResourceError, match="own host"):
        headers(nodes=2, place="pack")


@pytest.mark.parametrize("key", ["select", "ncpus", "mpiprocs", "ompthreads", "walltime", "N"])
def test_extras_that_clash_with_select_or_common_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidResourceError, match="common key"):
        headers(**{key: "1"})


def test_extras() -> None:
    assert headers(A="my proj", ngpus=2, V=True)[1:] == [
        "#PBS -A my\\ proj",
        "#PBS -l ngpus=2",
        "#PBS -V",
    ]


@pytest.mark.parametrize("name", ["1job", "my job", "job;x", "a" * 237, "ünï"])
def test_impossible_job_names_are_refused_with_what_is_allowed(name: str) -> None:
    with pytest.raises(InvalidResourceError, match="at most 236"):
        headers(name=name)


def test_long_job_names_are_fine() -> None:
    assert headers(name="a" * 236)[0] == "#PBS -N " + "a" * 236


@given(
    key=st.sampled_from([*sorted(PBS_KEY_OPTIONS), "ngpus"]), value=hostile_text(PBS_HOSTILE_PIECES)
)
def test_hostile_values_are_rejected_or_read_back_literally(key: str, value: str) -> None:
    assert_pbs_hostile_value(BACKEND, pbspro_make_argv, "ngpus", key, value)


# ------------------------------------------------------------------------------- submit


def test_cmd_submit_and_cancel() -> None:
    assert BACKEND.cmd_submit(JobScript("true\n", "job", backend=BACKEND)) == ["qsub", "job.pbs"]
    assert BACKEND.cmd_cancel(run("123.pbs01")) == ["qdel", "123.pbs01"]


@pytest.mark.parametrize(
    ("answer", "job_id"),
    [
        ("123.pbs01\n", "123.pbs01"),
        ("Welcome!\n\n124.pbs01\n", "124.pbs01"),
        ("125[].pbs01\n", "125[].pbs01"),
        ("qsub: Unknown queue\n", None),
        ("qsub: script contains cr, lf\n", None),
        ("", None),
    ],
)
def test_get_job_id(answer: str, job_id: str | None) -> None:
    assert BACKEND.get_job_id(answer) == job_id


@given(ANSWERS)
def test_get_job_id_never_raises(answer: Any) -> None:
    found = BACKEND.get_job_id(answer)
    assert found is None or found[0].isdigit()


# ------------------------------------------------------------------------------- status


def qstat(state: str, exit_status: str | None = None, job_id: str = "123.pbs01") -> str:
    """A qstat -f / -fx answer as PBS Pro prints it (Exit_status with a capital E)."""
    text = (
        f"Job Id: {job_id}\n"
        "    Job_Name = job\n"
        "    Job_Owner = me@login1\n"
        f"    job_state = {state}\n"
        "    queue = workq\n"
        "    Resource_List.select = 1:ncpus=2:mpiprocs=2:ompthreads=1\n"
    )
    if exit_status is not None:
        text += f"    Exit_status = {exit_status}\n"
    text += (
        "    Variable_List = PBS_O_HOME=/home/me,PBS_O_LOGNAME=me,PBS_O_WORKDIR=/home/me/r\n"
        "\tun,PBS_O_HOST=login1\n"
        "    history_timestamp = 1700000000\n\n"
    )
    return text


EXPECTED = {"Q": PENDING, "W": PENDING, "H": PENDING, "T": PENDING, "M": PENDING,
            "R": RUNNING, "B": RUNNING, "E": RUNNING, "S": RUNNING, "U": RUNNING,
            "F": None, "X": None}  # fmt: skip


def test_state_table_is_exactly_the_expected_one() -> None:
    assert dict(STATES) == EXPECTED


@pytest.mark.parametrize(("state", "code"), [(s, c) for s, c in EXPECTED.items() if c is not None])
def test_state(state: str, code: int) -> None:
    assert BACKEND.get_status(qstat(state)) == code
    assert BACKEND.get_status(qstat(state), finished=True) == code


@pytest.mark.parametrize("state", ["F", "X"])
@pytest.mark.parametrize(
    ("exit_status", "code"),
    [
        ("0", COMPLETED),
        ("2", FAILED),
        ("137", FAILED),  # 128+SIGKILL seen by the shell: a process of the job was killed
        ("271", CANCELLED),  # 256+SIGTERM: qdel
        ("265", CANCELLED),  # 256+SIGKILL
        ("262", FAILED),  # 256+SIGABRT
        ("-1", FAILED),  # JOB_EXEC_FAIL1
        ("-29", FAILED),  # JOB_EXEC_KILL_WALLTIME in PBS Pro
        (None, CANCELLED),  # finished without having run: deleted while queued
    ],
)
def test_finished_by_exit_status(state: str, exit_status: str | None, code: int) -> None:
    assert BACKEND.get_status(qstat(state, exit_status), finished=True) == code


def test_signal_kill_at_the_walltime_limit_is_failed() -> None:
    answer = qstat("F", "271").replace(
        "    Job_Owner",
        "    resources_used.walltime = 00:01:01\n    Resource_List.walltime = 00:01:00\n    Job_Owner",
    )
    assert BACKEND.get_status(answer, finished=True) == FAILED
    assert BACKEND.get_status(qstat("F", "271"), finished=True) == CANCELLED


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "qstat: 123.pbs01 Job has finished, use -x or -H to obtain historical job information\n",
        "qstat: Unknown Job Id 123.pbs01\n",
    ],
)
def test_unknown_answers_give_none(answer: str) -> None:
    assert BACKEND.get_status(answer) is None


@given(st.one_of(st.text(), st.binary()), st.booleans())
def test_get_status_never_raises(answer: Any, finished: bool) -> None:
    assert BACKEND.get_status(answer, finished) in ANY_STATUS


def test_status_commands() -> None:
    assert BACKEND.cmd_status(run("123.pbs01")) == ["qstat", "-f", "123.pbs01"]
    assert BACKEND.cmd_status(run("123.pbs01"), finished=True) == ["qstat", "-fx", "123.pbs01"]


def test_batched_status() -> None:
    runs = [run("1.pbs01"), run("2.pbs01"), run("3.pbs01")]
    assert BACKEND.cmd_status_many(runs) == ["qstat", "-f", "1.pbs01", "2.pbs01", "3.pbs01"]
    assert BACKEND.cmd_status_many(runs, finished=True) == [
        "qstat", "-fx", "1.pbs01", "2.pbs01", "3.pbs01",
    ]  # fmt: skip
    answer = qstat("F", "271", job_id="1.pbs01") + qstat("R", job_id="3.pbs01")
    assert BACKEND.get_status_many(answer, runs, finished=True) == {
        "1.pbs01": CANCELLED,
        "3.pbs01": RUNNING,
    }


# ------------------------------------------------------------------------------- body variables


def test_replace_body_vars() -> None:
    body = (
        "$CLUSTERJOB_ID $CLUSTERJOB_WORKDIR $CLUSTERJOB_SUBMIT_HOST $CLUSTERJOB_NAME "
        "${CLUSTERJOB_ARRAY_INDEX} $CLUSTERJOB_NODELIST"
    )
    assert BACKEND.replace_body_vars(body) == (
        "$PBS_JOBID $PBS_O_WORKDIR $PBS_O_HOST $PBS_JOBNAME ${PBS_ARRAY_INDEX} "
        '$(sort -u "$PBS_NODEFILE" | paste -sd, -)'
    )


def test_registered_and_constructible() -> None:
    assert_registered("pbspro", PbsProBackend, ".pbs")

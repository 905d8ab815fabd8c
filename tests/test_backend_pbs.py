"""The PBS/Torque backend: directives (golden files + hostile values), qsub/qstat/qdel commands and
the parsing of every answer in docs/reference/scheduler-cli.md.

Regenerate the golden files with ``CLUSTERJOB_REGENERATE_GOLDEN=1 pytest tests/test_backend_pbs.py``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterjob.backends.pbs import STATES, PbsBackend, exit_status_code
from clusterjob.errors import InvalidResourceError
from clusterjob.jobscript import JobScript
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING
from tests.backend_test_helpers import (
    ANSWERS,
    ANY_STATUS,
    C_SPACE,
    PBS_HOSTILE_PIECES,
    PBS_KEY_OPTIONS,
    assert_commands_refuse,
    assert_pbs_hostile_value,
    assert_registered,
    closing_quote,
    escaped_char,
    hostile_text,
    option_values,
    qsub_directives,
    run,
)
from tests.golden_helpers import PARADIGMS, assert_golden, paradigm_script

BACKEND = PbsBackend()


# ------------------------------------------------------------------ test-local qsub directive reader


def make_argv(line: str) -> list[str]:
    """Torque's make_argv (src/cmds/qsub_functions.c): unquoted whitespace splits, a backslash
    takes the next character, and a quoted run is copied *with* its quotes ("we need to include
    the quotes in what is passed on"); an unmatched quote is fatal.

    Not tests.backend_test_helpers.pbspro_make_argv on purpose: PBS Pro drops the quotes."""
    args: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(line) and line[i] in C_SPACE:
        i += 1
    start = i
    while i < len(line):
        char = line[i]
        if char in "\"'":
            end = closing_quote(line, i)
            current.append(line[i : end + 1])  # the quotes are kept (PBS Pro drops them)
            i = end + 1
        elif char == "\\":
            current.append(escaped_char(line, i))
            i += 2
        elif char in C_SPACE:
            args.append("".join(current))
            current = []
            while i < len(line) and line[i] in C_SPACE:
                i += 1
            start = i
        else:
            current.append(char)
            i += 1
    if i != start:
        args.append("".join(current))
    return args


# ---------------------------------------------------------------------------- golden files

# Why each directive is right (docs/reference/scheduler-cli.md, Torque qsub(1) and pbs_resources(7)):
#   -N NAME               job name (PBS_JOBNAME); Torque wants a letter first and cuts names to 15
#   -q QUEUE              destination queue
#   -l walltime=HH:MM:SS  wall time; hours may exceed 24 (2 days = 48:00:00)
#   -l nodes=N:ppn=C      N nodes with C cores each; Torque's ppn counts cores (processors per
#                         node), so C = ppn*threads: MPI 2 x 32, OpenMP 1 x 32, hybrid 4 x (2*16)
#   -l mem=Xmb            Torque's mem limits the whole job, so X = nodes * (MB per node)
#   -o / -e PATH          stdout/stderr paths (PBS reads "host:path" when there is a ':')
# Every line is '#PBS' right after the shebang, before the first command, where qsub stops reading.


@pytest.mark.parametrize("paradigm", sorted(PARADIGMS))
def test_golden(paradigm: str) -> None:
    assert_golden(paradigm_script(paradigm, BACKEND).render(), "pbs", paradigm)


def test_golden_hybrid_reads_back_as_requested() -> None:
    directives = qsub_directives(paradigm_script("hybrid", BACKEND).render(), make_argv)
    assert option_values(directives, "l") == ["walltime=48:00:00", "nodes=4:ppn=32", "mem=131072mb"]
    assert option_values(directives, "N") == ["hybrid_job"]


# ------------------------------------------------------------------------------- headers


def headers(name: str = "job", **resources: Any) -> list[str]:
    return BACKEND.resource_headers(JobScript("true\n", name, backend=BACKEND, **resources))


def test_absent_keys_write_nothing_and_partial_node_specs() -> None:
    assert headers() == ["#PBS -N job"]
    assert headers(nodes=3)[1:] == ["#PBS -l nodes=3"]
    assert headers(threads=4)[1:] == ["#PBS -l nodes=1:ppn=4"]
    assert headers(ppn=2, threads=3)[1:] == ["#PBS -l nodes=1:ppn=6"]
    assert headers(mem=100)[1:] == ["#PBS -l mem=100mb"]


def test_extras_one_letter_options_and_long_keys_as_resources() -> None:
    lines = headers(A="my proj", V=True, m="abe", gres="matlab:1", naccesspolicy="singlejob")
    assert lines[1:] == [
        "#PBS -A my\\ proj",
        "#PBS -V",
        "#PBS -m abe",
        "#PBS -l gres=matlab:1",
        "#PBS -l naccesspolicy=singlejob",
    ]
    assert headers(feature=True)[1:] == ["#PBS -l feature=true"]
    assert headers(feature=False, x=None)[1:] == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("gres", "a,b"),  # would add a second resource
        ("gres", "a b"),
        ("gres", 'a"b'),
        ("A", "proj\\"),  # the line would end in a backslash and continue on the next
        ("walltime", "1:00:00"),  # duplicates time
        ("N", "other"),
        ("q", "other"),
    ],
)
def test_extras_that_would_change_meaning_are_refused(key: str, value: str) -> None:
    with pytest.raises(InvalidResourceError):
        headers(**{key: value})


@pytest.mark.parametrize(
    "name",
    ["1job", "_job", "my job", "job;rm", "a" * 16, "ünï", "job#1", 'j"b', "-N"],
)
def test_impossible_job_names_are_refused_with_what_is_allowed(name: str) -> None:
    with pytest.raises(InvalidResourceError, match="a letter, then letters, digits"):
        headers(name=name)


def test_possible_job_names() -> None:
    assert headers(name="A1_b.c+d-e")[0] == "#PBS -N A1_b.c+d-e"
    assert headers(name="a" * 15)[0] == "#PBS -N " + "a" * 15


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("queue", "a b"),
        ("queue", "q;x"),
        ("stdout", "dir:1/out"),
        ("stderr", "/a/b:c"),
        ("stdout", "out\\"),
    ],
)
def test_queue_and_paths_qsub_would_misread_are_refused(key: str, value: str) -> None:
    with pytest.raises(InvalidResourceError):
        headers(**{key: value})


def test_queue_at_server_and_host_paths() -> None:
    assert headers(queue="batch@srv1")[1] == "#PBS -q batch@srv1"
    assert headers(stdout="login1:/home/me/out")[1] == "#PBS -o login1:/home/me/out"
    assert headers(stdout="out dir/o'1.txt")[1] == "#PBS -o out\\ dir/o\\'1.txt"


@given(
    key=st.sampled_from([*sorted(PBS_KEY_OPTIONS), "gres"]), value=hostile_text(PBS_HOSTILE_PIECES)
)
def test_hostile_values_are_rejected_or_read_back_literally(key: str, value: str) -> None:
    assert_pbs_hostile_value(BACKEND, make_argv, "gres", key, value)


# ------------------------------------------------------------------------------- submit


def test_cmd_submit_and_cancel() -> None:
    assert BACKEND.cmd_submit(JobScript("true\n", "job", backend=BACKEND)) == ["qsub", "job.pbs"]
    assert BACKEND.cmd_cancel(run("123.srv")) == ["qdel", "123.srv"]


@pytest.mark.parametrize(
    ("answer", "job_id"),
    [
        ("436036.sdb\n", "436036.sdb"),
        ("123.head-node.cluster.local\n", "123.head-node.cluster.local"),
        ("Welcome!\n\nYour quota: 12 GB\n124.srv\n", "124.srv"),
        ("125[].srv\n", "125[].srv"),
        ("126\n", "126"),  # a Torque-compatible qsub without a server suffix
        ("2024\n127.srv\n", "127.srv"),  # a full id wins over a number in a banner
        ("", None),
        ("qsub: submit error (Unknown queue MSG=requested queue not found)\n", None),
        ("job 12.srv submitted\n", None),
        ("12.srv 13.srv\n", None),
    ],
)
def test_get_job_id(answer: str, job_id: str | None) -> None:
    assert BACKEND.get_job_id(answer) == job_id


@given(ANSWERS)
def test_get_job_id_never_raises(answer: Any) -> None:
    found = BACKEND.get_job_id(answer)
    assert found is None or found[0].isdigit()


@given(
    banner=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Nd",)))),
    number=st.integers(min_value=1, max_value=10**9),
    server=st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z0-9]{1,5}){0,2}", fullmatch=True),
)
def test_get_job_id_finds_the_full_id_after_any_banner(
    banner: list[str], number: int, server: str
) -> None:
    answer = "\n".join([*banner, f"{number}.{server}", ""])
    assert BACKEND.get_job_id(answer) == f"{number}.{server}"


# ------------------------------------------------------------------------------- status


def qstat(state: str, exit_status: str | None = None, job_id: str = "123.srv") -> str:
    """A qstat -f answer as Torque prints it."""
    text = (
        f"Job Id: {job_id}\n"
        "    Job_Name = job\n"
        "    Job_Owner = me@login1\n"
        f"    job_state = {state}\n"
        "    queue = batch\n"
        "    Resource_List.nodes = 1:ppn=2\n"
        "    Resource_List.walltime = 01:00:00\n"
    )
    if exit_status is not None:
        text += f"    exit_status = {exit_status}\n"
    text += (
        "    Variable_List = PBS_O_QUEUE=batch,PBS_O_HOME=/home/me,PBS_O_LOGNAME=me,\n"
        "\tPBS_O_WORKDIR=/home/me/run,PBS_O_HOST=login1\n"
        "    comp_time = 1700000000\n\n"
    )
    return text


EXPECTED = {"Q": PENDING, "W": PENDING, "H": PENDING, "T": PENDING, "R": RUNNING, "E": RUNNING,
            "S": RUNNING, "C": None}  # fmt: skip


def test_state_table_is_exactly_the_expected_one() -> None:
    assert dict(STATES) == EXPECTED


@pytest.mark.parametrize(("state", "code"), [(s, c) for s, c in EXPECTED.items() if s != "C"])
def test_state(state: str, code: int) -> None:
    assert BACKEND.get_status(qstat(state)) == code
    assert BACKEND.get_status(qstat(state), finished=True) == code


@pytest.mark.parametrize(
    ("exit_status", "code"),
    [
        ("0", COMPLETED),
        ("1", FAILED),
        ("3", FAILED),
        ("137", FAILED),  # the shell saw a child killed by SIGKILL (128+9): the script failed
        ("143", FAILED),
        ("271", CANCELLED),  # 256+SIGTERM: qdel
        ("265", CANCELLED),  # 256+SIGKILL: qdel after kill_delay
        ("267", FAILED),  # 256+SIGSEGV
        ("-1", FAILED),  # JOB_EXEC_FAIL1
        ("-3", FAILED),  # JOB_EXEC_RETRY
        ("-10", FAILED),  # JOB_EXEC_OVERLIMIT_MEM
        ("-11", FAILED),  # JOB_EXEC_OVERLIMIT_WT
        (None, CANCELLED),  # completed without ever running: deleted while queued
        ("garbage", None),
    ],
)
def test_completed_by_exit_status(exit_status: str | None, code: int | None) -> None:
    assert BACKEND.get_status(qstat("C", exit_status)) == code
    assert exit_status_code(exit_status) == code


@pytest.mark.parametrize(
    ("used", "limit", "code"),
    [
        ("00:07:46", "00:01:40", FAILED),  # the Torque tracejob sample: 265 after a walltime kill
        ("00:01:40", "00:01:40", FAILED),
        ("00:00:10", "00:01:40", CANCELLED),  # qdel well before the limit
        (None, "00:01:40", CANCELLED),
        ("garbage", "00:01:40", CANCELLED),
    ],
)
def test_signal_kill_at_the_walltime_limit_is_failed(
    used: str | None, limit: str, code: int
) -> None:
    answer = qstat("C", "265").replace(
        "    Resource_List.walltime = 01:00:00\n", f"    Resource_List.walltime = {limit}\n"
    )
    if used is not None:
        answer = answer.replace(
            "    job_state", f"    resources_used.walltime = {used}\n    job_state"
        )
    assert BACKEND.get_status(answer) == code


@pytest.mark.parametrize(
    "answer",
    ["", "qstat: Unknown Job Id Error 123.srv\n", "Job Id: 123.srv\n", "job_state = R\n"],
)
def test_unknown_answers_give_none(answer: str) -> None:
    assert BACKEND.get_status(answer) is None


def test_a_forged_attribute_in_a_wrapped_value_is_not_believed() -> None:
    answer = (
        "Job Id: 9.srv\n    job_state = R\n    Variable_List = X=1,\n\tY=2\n    job_state = C\n"
    )
    assert BACKEND.get_status(answer) == RUNNING


@given(st.one_of(st.text(), st.binary()), st.booleans())
def test_get_status_never_raises(answer: Any, finished: bool) -> None:
    assert BACKEND.get_status(answer, finished) in ANY_STATUS


def test_status_commands() -> None:
    assert BACKEND.cmd_status(run("123.srv")) == ["qstat", "-f", "123.srv"]
    assert BACKEND.cmd_status(run("123.srv"), finished=True) == ["qstat", "-f", "123.srv"]


@pytest.mark.parametrize("bad", ["-f", "12.srv 13", "12;rm", "", "12.-x", ".srv"])
def test_commands_refuse_what_is_not_a_job_id(bad: str) -> None:
    assert_commands_refuse(BACKEND, bad)


def test_batched_status() -> None:
    runs = [run("1.srv"), run("2.srv"), run("3.srv"), run("4[].srv")]
    assert BACKEND.cmd_status_many(runs) == ["qstat", "-f", "1.srv", "2.srv", "3.srv", "4[].srv"]
    assert BACKEND.cmd_status_many([]) is None
    answer = (
        qstat("R", job_id="1.srv.example.org")  # qstat may print the server's full name
        + qstat("C", "0", job_id="2.srv")
        + qstat("C", "0", job_id="4[1].srv")
        + qstat("Q", job_id="4[2].srv")
    )  # 3.srv is unknown (stderr)
    assert BACKEND.get_status_many(answer, runs) == {
        "1.srv": RUNNING,
        "2.srv": COMPLETED,
        "4[].srv": PENDING,
    }


@given(st.one_of(st.text(), st.binary()))
def test_get_status_many_never_raises(answer: Any) -> None:
    assert set(BACKEND.get_status_many(answer, [run("1.srv")])) <= {"1.srv"}


# ------------------------------------------------------------------------------- body variables


def test_replace_body_vars() -> None:
    body = (
        "$CLUSTERJOB_ID ${CLUSTERJOB_ID} $CLUSTERJOB_WORKDIR $CLUSTERJOB_SUBMIT_HOST "
        "$CLUSTERJOB_NAME ${CLUSTERJOB_ARRAY_INDEX} $CLUSTERJOB_IDX\n"
        "echo $CLUSTERJOB_NODELIST\n"
    )
    assert BACKEND.replace_body_vars(body) == (
        "$PBS_JOBID ${PBS_JOBID} $PBS_O_WORKDIR $PBS_O_HOST "
        "$PBS_JOBNAME ${PBS_ARRAYID} $CLUSTERJOB_IDX\n"
        'echo $(sort -u "$PBS_NODEFILE" | paste -sd, -)\n'
    )


def test_nodelist_expression_runs(tmp_path: Path) -> None:
    import subprocess

    nodefile = tmp_path / "nodes"
    nodefile.write_text("n2\nn1\nn2\nn1\n")
    script = BACKEND.replace_body_vars('printf %s "$CLUSTERJOB_NODELIST"')
    out = subprocess.run(
        ["bash", "-c", script], env={"PBS_NODEFILE": str(nodefile), "PATH": os.environ["PATH"]},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout == "n1,n2"


def test_registered_and_constructible() -> None:
    assert_registered("pbs", PbsBackend, ".pbs")

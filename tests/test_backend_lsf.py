"""The LSF backend: rendered scripts (goldens), hostile values, bjobs/bsub answers, job variables.

Why each directive of the goldens (tests/golden/lsf/*.sh) is right, per the LSF manual:

- ``#BSUB -J myjob`` / ``-q normal``: job name and queue (-J NAME[...] would make an array, so
  brackets are refused; -q takes a blank-separated list, so blanks are refused).
- ``#BSUB -W 2:00``: run limit ``[hour:]minute``; LSF counts whole minutes, so seconds round UP.
- ``#BSUB -n 64`` + ``-R "... span[ptile=32]"`` (MPI, 2 x 32 x 1): -n counts slots, ptile puts 32
  slots on each host, so exactly 2 hosts with 32 cores each.
- OpenMP (1 x 1 x 32): ``-n 32`` + ``span[hosts=1]``: 32 slots, all on one host. LSF slots are
  cores here, so a 32-thread process gets 32 cores (see lsf.py for the affinity alternative).
- Hybrid (4 x 2 x 16): ``-n 128`` + ``span[ptile=32]``: 4 hosts x 32 cores (2 ranks x 16 threads).
- Serial: ``-n 1`` + ``span[hosts=1]``.
- ``rusage[mem=65536]``: reserve 64 GB on EACH host: LSF reserves rusage mem per host by default,
  in LSF_UNIT_FOR_LIMITS (MB here). At sites with RESOURCE_RESERVE_PER_TASK=y it is per slot:
  LsfBackend(reserve_per_task=True) then writes 64 GB / 32 slots = 2048.
- ``#BSUB -M 131072`` (2 nodes x 64 GB): -M is per process by default and the sum over ALL the
  job's processes with LSB_JOB_MEMLIMIT=y; the job total is never below what the request allows.
- ``-o out.log`` / ``-e err.log``: output files (relative to the submit directory, where LSF runs
  the job).

Regenerate the golden files with ``CLUSTERJOB_REGENERATE_GOLDEN=1 pytest tests/test_backend_lsf.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterjob.backends.lsf import STATES, LsfBackend, check_body
from clusterjob.errors import ClusterjobError, InvalidResourceError
from clusterjob.jobscript import JobScript
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING
from tests.backend_test_helpers import (
    ANY_STATUS,
    C_SPACE,
    assert_common_value_round_trips_or_is_refused,
    assert_raw_option_round_trips_or_is_refused,
    bash_stdout,
    extra_keys,
    hostile_words,
    myjob_renderer,
    run,
)
from tests.golden_helpers import SLOT_BODY, SLOT_COMMON, SLOT_PARADIGMS, assert_golden

script = myjob_renderer(LsfBackend)


# ------------------------------------------------------------------ a reader of #BSUB lines
# Modelled on openlava's lsb.sub.c parseLine/getNextValueQ_ (LSF's open-source ancestor).


def _next_word(line: str) -> tuple[str | None, str]:
    line = line.lstrip(C_SPACE)
    if not line:
        return None, line
    end = next((i for i, char in enumerate(line) if char in C_SPACE), len(line))
    return line[:end], line[end:]


def _next_value(line: str, quote: str) -> tuple[str | None, str]:
    word, line = _next_word(line)
    if word is None or word[0] != quote:
        return word, line
    if word == quote:
        word, line = _next_word(line)
        if word is None:
            return None, line
    else:
        word = word[1:]
    value = word
    if quote in value:
        return value[: value.index(quote)], line
    while True:
        word, line = _next_word(line)
        if word is None:
            return None, line  # unterminated quote: bsub reports a syntax error
        if word == quote:
            return value, line
        value = f"{value} {word}"
        if quote in value:
            return value[: value.rindex(quote)], line


def bsub_directives(text: str) -> list[str]:
    """The option words bsub reads from the #BSUB lines of a script on stdin."""
    words: list[str] = []
    logical = text.replace("\\\n", "").split("\n")
    for line in logical:
        rest = line.lstrip(C_SPACE)
        if not rest.startswith("#"):
            continue
        rest = rest[1:].lstrip(C_SPACE)
        if not rest.startswith("BSUB"):
            continue
        rest = rest[4:].lstrip(C_SPACE)
        if not rest.startswith("-"):
            break  # bsub stops reading options
        while True:
            quotes = [i for i in (rest.find("'"), rest.find('"')) if i >= 0]
            quote = rest[min(quotes)] if quotes else '"'
            word, rest = _next_value(rest, quote)
            if word is None or word.startswith("#"):
                break
            words.append(word)
    return words


def test_reader_follows_openlava() -> None:
    assert bsub_directives('#BSUB -J "a b" # comment\n') == ["-J", "a b"]
    assert bsub_directives("  #  BSUB -q 'x\"y'\n") == ["-q", 'x"y']
    assert bsub_directives('#BSUB -o "a  \tb"\n') == ["-o", "a b"]  # blanks re-joined
    assert bsub_directives("echo\n#BSUB -n 2\n") == ["-n", "2"]  # after commands too
    assert bsub_directives("#\\\nBSUB -n 2\n") == ["-n", "2"]  # continued line


# ------------------------------------------------------------------------------ goldens


@pytest.mark.parametrize("paradigm", sorted(SLOT_PARADIGMS))
def test_golden(paradigm: str) -> None:
    text = script(body=SLOT_BODY, **SLOT_COMMON, **SLOT_PARADIGMS[paradigm])
    assert_golden(text, "lsf", paradigm)


# ---------------------------------------------------------------------- resource encoding


def headers(backend: LsfBackend | None = None, **resources: object) -> list[str]:
    text = script(backend, **resources)
    return [line for line in text.splitlines() if line.startswith("#BSUB")]


@pytest.mark.parametrize(
    ("time", "expected"),
    [(1, "0:01"), (60, "0:01"), (61, "0:02"), (3600, "1:00"), (3601, "1:01"), (90000, "25:00")],
)
def test_time_rounds_up_to_whole_minutes(time: int, expected: str) -> None:
    assert headers(time=time) == ["#BSUB -J myjob", f"#BSUB -W {expected}"]


@pytest.mark.parametrize(
    ("unit", "rusage", "limit"),
    [("MB", "1500", "3000"), ("KB", "1536000", "3072000"), ("GB", "2", "3"), ("tb", "1", "1")],
)
def test_mem_in_the_sites_unit_rounded_up(unit: str, rusage: str, limit: str) -> None:
    lines = headers(LsfBackend(mem_unit=unit), mem=1500, nodes=2)
    assert f'#BSUB -R "rusage[mem={rusage}] span[ptile=1]"' in lines
    assert f"#BSUB -M {limit}" in lines


def test_per_task_reservation_sites_get_the_per_slot_share() -> None:
    lines = headers(LsfBackend(reserve_per_task=True), mem=1000, nodes=2, ppn=3)
    assert lines[1:] == ["#BSUB -n 6", '#BSUB -R "rusage[mem=334] span[ptile=3]"', "#BSUB -M 2000"]


def test_affinity_form_requests_processes_and_cores_per_process() -> None:
    lines = headers(LsfBackend(affinity=True), nodes=4, ppn=2, threads=16)
    assert lines[1:] == ["#BSUB -n 8", '#BSUB -R "span[ptile=2] affinity[core(16)]"']


def test_absent_keys_write_nothing_and_defaults_are_one() -> None:
    assert headers() == ["#BSUB -J myjob"]
    assert headers(ppn=4)[1:] == ["#BSUB -n 4", '#BSUB -R "span[hosts=1]"']
    assert headers(nodes=3)[1:] == ["#BSUB -n 3", '#BSUB -R "span[ptile=1]"']


def test_bad_constructor_option() -> None:
    with pytest.raises(ValueError, match="LSF_UNIT_FOR_LIMITS"):
        LsfBackend(mem_unit="furlongs")
    assert LsfBackend().mem_unit == "MB" and LsfBackend(mem_unit="g").mem_unit == "GB"


def test_raw_options_single_dash() -> None:
    lines = headers(P="proj", app="my app", x=True, B=False, G=None, sp=5)
    assert lines[1:] == ["#BSUB -P proj", '#BSUB -app "my app"', "#BSUB -x", "#BSUB -sp 5"]
    with pytest.raises(InvalidResourceError, match="'name'"):
        headers(J="other")


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("name", "run[1-100]", "job array"),
        ("name", "a%5", "job-slot limit"),
        ("queue", "a b", "list of queues"),
        ("stdout", "a\\b", "backslash"),
        ("stdout", "a  b", "single blanks"),
        ("stderr", "x #y", "comment"),
        ("name", "-x", "option"),
        ("stdout", "a'b\"c", "both"),
        ("name", "x#BSUB -q y", "directive prefix"),
    ],
)
def test_values_bsub_cannot_read_back_are_refused(key: str, value: str, reason: str) -> None:
    with pytest.raises(InvalidResourceError, match=reason):
        script(**{key: value})


@given(key=st.sampled_from(["name", "queue", "stdout", "stderr"]), value=hostile_words)
def test_hostile_common_values_round_trip_or_are_refused(key: str, value: str) -> None:
    assert_common_value_round_trips_or_is_refused(LsfBackend(), key, value, bsub_directives, ["-J"])


@given(key=extra_keys, value=st.one_of(hostile_words, st.booleans(), st.none(), st.integers(0, 99)))
def test_hostile_raw_options_round_trip_or_are_refused(key: str, value: object) -> None:
    assert_raw_option_round_trips_or_is_refused(LsfBackend(), key, value, bsub_directives, ["-J"])


# --------------------------------------------------------------------------- the body


@pytest.mark.parametrize(
    "body",
    ["#BSUB -q other\n", "echo\n   #  BSUB -n 99\n", "#\\\nBSUB -n 99\n", "a\n_USER_SCRIPT_\nb\n"],
)
def test_body_that_bsub_would_misread_is_refused(body: str) -> None:
    with pytest.raises(InvalidResourceError, match="'body'"):
        script(body=body)


def test_ordinary_comments_are_fine() -> None:
    text = script(body="# BSUB notes: none\n#!x\necho _USER_SCRIPT_\n")
    assert bsub_directives(text) == ["-J", "myjob"]


@given(st.lists(st.text(st.sampled_from("#BSUB -n\\ _USER_SCRIPTx\t"), max_size=20), max_size=6))
def test_body_never_adds_directives(lines: list[str]) -> None:
    body = "\n".join(lines) + "\n"
    try:
        text = script(body=body, queue="q")
    except InvalidResourceError as exc:
        assert exc.key == "body"
        return
    assert bsub_directives(text) == ["-J", "myjob", "-q", "q"]
    assert "\n_USER_SCRIPT_\n" not in text.replace("\\\n", "")


def test_shell_ending_in_backslash_is_refused() -> None:
    with pytest.raises(InvalidResourceError, match="'shell'"):
        JobScript("true\n", "j", backend=LsfBackend(), shell="/bin/sh\\").render()


def test_check_body_alone() -> None:
    check_body("echo ok\n")
    with pytest.raises(InvalidResourceError):
        check_body("#BSUB -x\n")


# -------------------------------------------------------------------------- commands


def test_submit_reads_script_on_stdin() -> None:
    backend = LsfBackend()
    assert backend.cmd_submit(JobScript("true\n", "run", backend=backend)) == "bsub < run.lsf"
    weird = JobScript("true\n", "x", backend=backend, filename="my job's.lsf")
    assert backend.cmd_submit(weird) == "bsub < 'my job'\"'\"'s.lsf'"


def test_status_and_cancel_commands() -> None:
    backend = LsfBackend()
    expected = ["bjobs", "-a", "-noheader", "-o", "jobid stat exit_reason delimiter='^'", "42"]
    assert backend.cmd_status(run("42")) == expected
    assert backend.cmd_status(run("42"), finished=True) == expected
    assert backend.cmd_cancel(run("42")) == ["bkill", "42"]
    assert backend.cmd_status_many([run("1"), run("2")]) == [*expected[:-1], "1", "2"]
    assert backend.cmd_status_many([]) is None


@pytest.mark.parametrize("job_id", ["-a", "1 2", "", "1;rm", "12[3]x"])
def test_job_ids_that_are_not_lsf_ids_are_refused(job_id: str) -> None:
    with pytest.raises(InvalidResourceError):
        LsfBackend().cmd_cancel(run(job_id))


# ---------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("Job <123> is submitted to queue <normal>.\n", "123"),
        ("Job <77> is submitted to default queue <normal>.\n", "77"),
        ("Welcome to the cluster!\n\nQuota: 3 jobs <5>\nJob <9> is submitted to queue <q>.\n", "9"),
        ("No such queue. Job not submitted.\n", None),
        ("Job <abc> is submitted to queue <q>.\n", None),
        ("", None),
    ],
)
def test_get_job_id(response: str, expected: str | None) -> None:
    assert LsfBackend().get_job_id(response) == expected


@given(st.text())
def test_get_job_id_never_raises(response: str) -> None:
    found = LsfBackend().get_job_id(response)
    assert found is None or found.isdigit()


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("123^PEND^-\n", PENDING),
        ("123^PSUSP^-\n", PENDING),
        ("123^WAIT^-\n", PENDING),
        ("123^RUN^-\n", RUNNING),
        ("123^USUSP^-\n", RUNNING),
        ("123^SSUSP^-\n", RUNNING),
        ("123^UNKWN^-\n", RUNNING),
        ("123^ZOMBI^-\n", RUNNING),
        ("123^DONE^-\n", COMPLETED),
        ("123^POST_DONE^-\n", COMPLETED),
        ("123^EXIT^-\n", FAILED),
        ("123^EXIT^TERM_RUNLIMIT: job killed after reaching LSF run time limit\n", FAILED),
        ("123^EXIT^TERM_MEMLIMIT: job killed after reaching LSF memory usage limit\n", FAILED),
        ("123^EXIT^TERM_OWNER: job killed by owner\n", CANCELLED),
        ("123^EXIT^TERM_FORCE_ADMIN: job killed by root or LSF administrator\n", CANCELLED),
        ("123^POST_ERR^-\n", FAILED),
        ("123^RUN^-\n123^DONE^-\n", RUNNING),  # array elements: unfinished wins
        ("123^DONE^-\n123^EXIT^-\n", FAILED),
        ("", None),
        ("Job <123> is not found\n", None),
        ("123^FROB^-\n", None),
    ],
)
def test_get_status(response: str, expected: int | None) -> None:
    assert LsfBackend().get_status(response) == expected
    assert LsfBackend().get_status(response, finished=True) == expected


def test_every_documented_state_has_a_status() -> None:
    documented = "PEND PSUSP RUN USUSP SSUSP DONE EXIT UNKWN WAIT ZOMBI POST_DONE POST_ERR"
    assert set(STATES) == set(documented.split())


def test_get_status_many() -> None:
    answer = "1^RUN^-\n2^EXIT^TERM_OWNER: job killed by owner\n2^EXIT^-\n4^DONE^-\n"
    got = LsfBackend().get_status_many(answer, [run("1"), run("2"), run("3")])
    assert got == {"1": RUNNING, "2": FAILED}


@given(st.text())
def test_get_status_never_raises(response: str) -> None:
    backend = LsfBackend()
    assert backend.get_status(response) in ANY_STATUS
    assert isinstance(backend.get_status_many(response, [run("1")]), dict)


# ---------------------------------------------------------------------- job variables


def test_every_core_variable_maps_to_what_lsf_sets(tmp_path: Path) -> None:
    fake_bjobs = tmp_path / "bjobs"
    fake_bjobs.write_text('#!/bin/sh\n[ "$4" = 7 ] && echo submithost\n')
    fake_bjobs.chmod(0o755)
    body = (
        "echo $CLUSTERJOB_ID ${CLUSTERJOB_ID} $CLUSTERJOB_WORKDIR ${CLUSTERJOB_WORKDIR}\n"
        "echo $CLUSTERJOB_NAME ${CLUSTERJOB_NAME} $CLUSTERJOB_ARRAY_INDEX ${CLUSTERJOB_ARRAY_INDEX}\n"
        'echo "$CLUSTERJOB_NODELIST" "${CLUSTERJOB_NODELIST}"\n'
        'echo "$CLUSTERJOB_SUBMIT_HOST" "${CLUSTERJOB_SUBMIT_HOST}"\n'
    )
    mapped = LsfBackend().replace_body_vars(body)
    assert "CLUSTERJOB" not in mapped
    env = {
        "PATH": f"{tmp_path}:/usr/bin:/bin",
        "LSB_JOBID": "7",
        "LS_SUBCWD": "/home/u/w",
        "LSB_JOBNAME": "myjob",
        "LSB_JOBINDEX": "0",
        "LSB_MCPU_HOSTS": "hostA 4 hostB 2",
        "LSB_HOSTS": "hostA hostA hostA hostA hostB hostB",
    }
    out = bash_stdout(mapped, env)
    assert out.splitlines() == [
        "7 7 /home/u/w /home/u/w",
        "myjob myjob 0 0",
        "hostA hostB hostA hostB",
        "submithost submithost",
    ]
    env["LSB_SUB_HOST"] = "login1"
    out = bash_stdout(mapped, env)
    assert out.splitlines()[-1] == "login1 login1"


def test_longer_names_are_not_replaced() -> None:
    assert LsfBackend().replace_body_vars("$CLUSTERJOB_IDX ${CLUSTERJOB_ID:-x}") == (
        "$CLUSTERJOB_IDX ${LSB_JOBID:-x}"
    )


def test_registry_builds_it_without_arguments() -> None:
    from clusterjob.backends import get_backend

    assert isinstance(get_backend("lsf"), LsfBackend)
    assert get_backend("lsf").extension == ".lsf"


def test_errors_are_clusterjob_errors() -> None:
    assert issubclass(InvalidResourceError, ClusterjobError)
    assert re.search("lsf", repr(LsfBackend()), re.IGNORECASE)

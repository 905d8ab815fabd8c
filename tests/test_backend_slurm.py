"""The SLURM backend: directives (golden files + hostile values), submit/status/cancel commands and
the parsing of every sbatch/squeue/sacct answer in docs/reference/scheduler-cli.md.

Regenerate the golden files with ``CLUSTERJOB_REGENERATE_GOLDEN=1 pytest tests/test_backend_slurm.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterjob.backends.slurm import STATES, SlurmBackend
from clusterjob.errors import InvalidResourceError
from clusterjob.jobscript import JobScript
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING
from tests.backend_test_helpers import (
    ANSWERS,
    ANY_STATUS,
    C_SPACE,
    HOSTILE_PIECES,
    assert_commands_refuse,
    assert_registered,
    hostile_directives,
    hostile_text,
    run,
)
from tests.golden_helpers import PARADIGMS, assert_golden, paradigm_script

BACKEND = SlurmBackend()


# ---------------------------------------------------------------- test-local sbatch directive reader


class SbatchError(Exception):
    """What sbatch would abort with (fatal) while reading directives."""


def get_argument(line: str) -> tuple[str | None, int]:
    """Port of sbatch's get_argument: (argument or None, characters consumed)."""
    i = 0
    while i < len(line) and line[i] in C_SPACE:
        i += 1
    if i < len(line) and line[i] == ":":
        raise SbatchError("Unexpected `:`")
    if i >= len(line):
        return None, i
    out: list[str] = []
    quoted, q_char, escape = False, "", False
    while i < len(line) and (quoted or line[i] not in C_SPACE) and line[i] != "\n":
        char = line[i]
        if escape:
            escape = False
        elif char == "\\":
            escape = True
            i += 1
            continue
        elif quoted:
            if char == q_char:
                quoted = False
                i += 1
                continue
        elif char in "\"'":
            quoted, q_char = True, char
            i += 1
            continue
        elif char == "#":
            break
        out.append(char)
        i += 1
    if quoted:
        raise SbatchError(f"Unmatched `{q_char}`")
    return ("".join(out) if out else None), i


def sbatch_directives(script: str) -> list[list[str]]:
    """The arguments of each #SBATCH line, scanned as sbatch does: from line 2, blank and '#'
    lines skipped, the first other line ends the scan; a line with 'hetjob' is a separator."""
    directives = []
    for line in script.split("\n")[1:]:
        if line.startswith("#SBATCH"):
            if "hetjob" in line.lower() or "packjob" in line.lower():
                raise SbatchError("het job separator")
            rest, args = line[len("#SBATCH") :], []
            while True:  # like sbatch: the first empty argument (end, comment) ends the line
                arg, used = get_argument(rest)
                if arg is None:
                    break
                args.append(arg)
                rest = rest[used:]
            directives.append(args)
        elif not line.strip() or line.lstrip().startswith("#"):
            continue
        else:
            break
    return directives


def option_value(directives: list[list[str]], long: str | None, short: str | None) -> list[Any]:
    """Every value given to an option (``--long=value`` or ``-s value``)."""
    values: list[Any] = []
    for args in directives:
        for index, arg in enumerate(args):
            if long and arg.startswith(f"--{long}="):
                values.append(arg.split("=", 1)[1])
            elif long and arg == f"--{long}":
                values.append(True)
            elif short and arg == f"-{short}":
                values.append(args[index + 1] if index + 1 < len(args) else True)
    return values


# ---------------------------------------------------------------------------- golden files

# Why each directive is right (docs/reference/scheduler-cli.md and the sbatch manual):
#   --job-name=NAME        the job name (SLURM_JOB_NAME in the job; default would be the script name)
#   --partition=QUEUE      SLURM calls queues partitions
#   --time=D-HH:MM:SS      wall time limit; sbatch accepts D-HH:MM:SS and HH:MM:SS below a day
#   --nodes=N              N nodes (min = max = N)
#   --ntasks-per-node=P    P processes (MPI ranks / tasks) on each node -> N*P tasks in all
#   --cpus-per-task=T      T cores for each process (its threads) -> P*T cores per node
#   --mem=M                memory per node; sbatch's unit without a suffix is MB
#   --output=/--error=     stdout/stderr paths, relative to the submit dir; %j would be the job id
# Every line is '#SBATCH' at column 0 right after the shebang, before the first command, which is
# where sbatch stops reading directives.


@pytest.mark.parametrize("paradigm", sorted(PARADIGMS))
def test_golden(paradigm: str) -> None:
    assert_golden(paradigm_script(paradigm, BACKEND).render(), "slurm", paradigm)


def test_golden_hybrid_reads_back_as_requested() -> None:
    directives = sbatch_directives(paradigm_script("hybrid", BACKEND).render())
    assert option_value(directives, "nodes", "N") == ["4"]
    assert option_value(directives, "ntasks-per-node", None) == ["2"]
    assert option_value(directives, "cpus-per-task", "c") == ["16"]
    assert option_value(directives, "mem", None) == ["32768"]
    assert option_value(directives, "time", "t") == ["2-00:00:00"]


# ------------------------------------------------------------------------------- headers


def headers(**resources: Any) -> list[str]:
    return BACKEND.resource_headers(JobScript("true\n", "job", backend=BACKEND, **resources))


def test_absent_keys_write_nothing() -> None:
    assert headers() == ["#SBATCH --job-name=job"]
    assert headers(threads=4) == ["#SBATCH --job-name=job", "#SBATCH --cpus-per-task=4"]


def test_time_forms() -> None:
    assert headers(time=59)[-1] == "#SBATCH --time=00:00:59"
    assert headers(time="25:00:00")[-1] == "#SBATCH --time=1-01:00:00"


def test_extras() -> None:
    lines = headers(A="my proj", mail_type="END", exclusive=True, requeue=False, x=None)
    assert lines[1:] == ['#SBATCH -A "my proj"', "#SBATCH --mail-type=END", "#SBATCH --exclusive"]


@pytest.mark.parametrize("key", ["J", "job_name", "partition", "p", "t", "N", "c", "o", "error"])
def test_extras_duplicating_common_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidResourceError, match="common key"):
        headers(**{key: "x"})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("stdout", "none"),
        ("stderr", "NONE"),
        ("stdout", "a\\b"),
        ("name", "my-hetjob"),
        ("queue", "packjob"),
        ("name", "x\n#SBATCH --time=1"),
        ("queue", "a #SBATCH b"),
    ],
)
def test_values_sbatch_would_misread_are_refused(key: str, value: str) -> None:
    with pytest.raises(InvalidResourceError):
        JobScript("true\n", "job", backend=BACKEND, **{key: value}).render()


SBATCH_HOSTILE_PIECES = [
    *HOSTILE_PIECES, "--time=1", "none", "hetjob", "ü", "\u2028", "%j", "{x}",
]  # fmt: skip

KEY_OPTIONS = {
    "name": ("job-name", "J"),
    "queue": ("partition", "p"),
    "stdout": ("output", "o"),
    "stderr": ("error", "e"),
    "A": (None, "A"),
    "mail_user": ("mail-user", None),
}


@given(key=st.sampled_from(sorted(KEY_OPTIONS)), value=hostile_text(SBATCH_HOSTILE_PIECES))
def test_hostile_values_are_rejected_or_read_back_literally(key: str, value: str) -> None:
    directives = hostile_directives(BACKEND, key, value, "#SBATCH", sbatch_directives)
    if directives is None:  # refused
        return
    long, short = KEY_OPTIONS[key]
    assert option_value(directives, long, short) == [value]


# ------------------------------------------------------------------------------- submit


def test_cmd_submit_and_cancel() -> None:
    script = JobScript("true\n", "job", backend=BACKEND)
    assert BACKEND.cmd_submit(script) == ["sbatch", "job.slr"]
    assert BACKEND.cmd_cancel(run("123")) == ["scancel", "123"]


@pytest.mark.parametrize(
    ("answer", "job_id"),
    [
        ("Submitted batch job 123\n", "123"),
        ("Welcome to the cluster!\n\nQuota: 12 GB\nSubmitted batch job 4567\n", "4567"),
        ("Submitted batch job 99 on cluster alpha\n", "99"),
        ("123\n", "123"),
        ("123;alpha\n", "123"),
        ("  77  \n", "77"),
        ("", None),
        ("sbatch: error: Batch job submission failed: Invalid partition name specified\n", None),
        ("Submitted batch job\n", None),
        ("Submitted batch job abc\n", None),
        ("12 34\n", None),
    ],
)
def test_get_job_id(answer: str, job_id: str | None) -> None:
    assert BACKEND.get_job_id(answer) == job_id


@given(ANSWERS)
def test_get_job_id_never_raises(answer: Any) -> None:
    found = BACKEND.get_job_id(answer)
    assert found is None or found.isdigit()


@given(
    banner=st.lists(st.text().filter(lambda s: not s.strip().isdigit() and ";" not in s)),
    number=st.integers(min_value=1, max_value=10**12),
)
def test_get_job_id_finds_the_id_after_any_banner(banner: list[str], number: int) -> None:
    lines = [b for b in "\n".join(banner).split("\n") if "Submitted batch job" not in b]
    answer = "\n".join([*lines, f"Submitted batch job {number}", ""])
    assert BACKEND.get_job_id(answer) == str(number)


# ------------------------------------------------------------------------------- status

# One expectation per documented state (long names and squeue's short codes).
EXPECTED = {
    "PENDING": PENDING, "PD": PENDING, "CONFIGURING": PENDING, "CF": PENDING,
    "REQUEUED": PENDING, "RQ": PENDING, "REQUEUE_HOLD": PENDING, "RH": PENDING,
    "REQUEUE_FED": PENDING, "RF": PENDING, "RESV_DEL_HOLD": PENDING, "RD": PENDING,
    "SPECIAL_EXIT": PENDING, "SE": PENDING,
    "RUNNING": RUNNING, "R": RUNNING, "COMPLETING": RUNNING, "CG": RUNNING,
    "SUSPENDED": RUNNING, "S": RUNNING, "STOPPED": RUNNING, "ST": RUNNING,
    "SIGNALING": RUNNING, "SI": RUNNING, "STAGE_OUT": RUNNING, "SO": RUNNING,
    "RESIZING": RUNNING, "RS": RUNNING,
    "COMPLETED": COMPLETED, "CD": COMPLETED,
    "CANCELLED": CANCELLED, "CA": CANCELLED, "REVOKED": CANCELLED, "RV": CANCELLED,
    "FAILED": FAILED, "F": FAILED, "TIMEOUT": FAILED, "TO": FAILED, "NODE_FAIL": FAILED,
    "NF": FAILED, "OUT_OF_MEMORY": FAILED, "OOM": FAILED, "BOOT_FAIL": FAILED, "BF": FAILED,
    "DEADLINE": FAILED, "DL": FAILED, "PREEMPTED": FAILED, "PR": FAILED, "LAUNCH_FAILED": FAILED,
}  # fmt: skip


def test_state_table_is_exactly_the_expected_one() -> None:
    assert dict(STATES) == EXPECTED


@pytest.mark.parametrize(("state", "code"), sorted(EXPECTED.items()))
def test_squeue_state(state: str, code: int) -> None:
    assert BACKEND.get_status(f"{state}\n") == code


@pytest.mark.parametrize(("state", "code"), sorted(EXPECTED.items()))
def test_sacct_parsable_state(state: str, code: int) -> None:
    assert BACKEND.get_status(f"19|{state}|0:0\n", finished=True) == code


@pytest.mark.parametrize(
    ("state", "code"), [(s, c) for s, c in sorted(EXPECTED.items()) if len(s) > 10]
)
def test_sacct_padded_state_truncated_with_plus(state: str, code: int) -> None:
    answer = f"{'19':>12} {state[:9] + '+':>10} {'0:0':>8}\n"
    assert BACKEND.get_status(answer, finished=True) == code


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("19|CANCELLED by 0|0:0\n", CANCELLED),
        ("20|FAILED|3:0\n", FAILED),
        ("        19 CANCELLED+      0:0 \n", CANCELLED),
        ("21|COMPLETED|0:0\n21.batch|COMPLETED|0:0\n21.extern|COMPLETED|0:0\n", COMPLETED),
        ("22.batch|FAILED|1:0\n", FAILED),  # only step rows: use them
        ("23_1|COMPLETED|0:0\n23_2|FAILED|1:0\n", FAILED),  # array: the worst task
        ("23_1|COMPLETED|0:0\n23_2|RUNNING|0:0\n", RUNNING),  # array: not finished yet
        ("", None),  # not yet recorded
        ("Slurm accounting storage is disabled\n", None),
        ("19|WHATEVER|0:0\n", None),
    ],
)
def test_sacct_answers(answer: str, code: int | None) -> None:
    assert BACKEND.get_status(answer, finished=True) == code


def test_squeue_answers() -> None:
    assert BACKEND.get_status("") is None  # left the queue
    assert BACKEND.get_status("slurm_load_jobs error: Invalid job id specified\n") is None
    assert BACKEND.get_status("RUNNING\n") == RUNNING


@given(st.one_of(st.text(), st.binary()), st.booleans())
def test_get_status_never_raises(answer: Any, finished: bool) -> None:
    assert BACKEND.get_status(answer, finished) in ANY_STATUS


def test_status_commands() -> None:
    assert BACKEND.cmd_status(run("19")) == ["squeue", "-h", "-o", "%T", "-j", "19"]
    assert BACKEND.cmd_status(run("19"), finished=True) == [
        "sacct", "-n", "-X", "-P", "-j", "19", "--format=JobID,State,ExitCode",
    ]  # fmt: skip


@pytest.mark.parametrize("bad", ["-1", "19 20", "19;rm", "", "--all"])
def test_commands_refuse_what_is_not_a_job_id(bad: str) -> None:
    assert_commands_refuse(BACKEND, bad)


def test_batched_status() -> None:
    runs = [run("1"), run("2"), run("3"), run("4")]
    assert BACKEND.cmd_status_many(runs) == ["squeue", "-h", "-o", "%i %T", "-j", "1,2,3,4"]
    assert BACKEND.cmd_status_many(runs, finished=True) == [
        "sacct", "-n", "-X", "-P", "-j", "1,2,3,4", "--format=JobID,State,ExitCode",
    ]  # fmt: skip
    assert BACKEND.cmd_status_many([]) is None
    squeue = "1 RUNNING\n2 PENDING\n4_[1-3] PENDING\n4_7 RUNNING\n"  # 3 has left the queue
    assert BACKEND.get_status_many(squeue, runs) == {"1": RUNNING, "2": PENDING, "4": RUNNING}
    sacct = "1|COMPLETED|0:0\n2|CANCELLED by 0|0:0\n3|TIMEOUT|0:0\n"
    assert BACKEND.get_status_many(sacct, runs, finished=True) == {
        "1": COMPLETED,
        "2": CANCELLED,
        "3": FAILED,
    }


@given(st.one_of(st.text(), st.binary()))
def test_get_status_many_never_raises(answer: Any) -> None:
    result = BACKEND.get_status_many(answer, [run("1"), run("12")])
    assert set(result) <= {"1", "12"}


# ------------------------------------------------------------------------------- body variables


def test_replace_body_vars() -> None:
    body = (
        "$CLUSTERJOB_ID ${CLUSTERJOB_ID} $CLUSTERJOB_WORKDIR $CLUSTERJOB_SUBMIT_HOST "
        "$CLUSTERJOB_NAME $CLUSTERJOB_NODELIST ${CLUSTERJOB_ARRAY_INDEX} $CLUSTERJOB_IDX"
    )
    assert BACKEND.replace_body_vars(body) == (
        "$SLURM_JOB_ID ${SLURM_JOB_ID} $SLURM_SUBMIT_DIR $SLURM_SUBMIT_HOST "
        "$SLURM_JOB_NAME $SLURM_JOB_NODELIST ${SLURM_ARRAY_TASK_ID} $CLUSTERJOB_IDX"
    )


def test_registered_and_constructible() -> None:
    assert_registered("slurm", SlurmBackend, ".slr")

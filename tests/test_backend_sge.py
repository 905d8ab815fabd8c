"""The Grid Engine backend: rendered scripts (goldens), hostile values, qsub/qstat/qacct answers,
job variables.

Why each directive of the goldens (tests/golden/sge/*.sh, rendered with SgeBackend(pe="mpi",
pe_smp="smp")) is right, per qsub(1), sge_pe(5) and sge_types(1):

- ``#$ -S /bin/bash``: run the script with its own shell; with the common shell_start_mode
  posix_compliant Grid Engine would otherwise use the queue's shell and ignore the ``#!`` line.
- ``#$ -cwd``: start in the submit directory (Grid Engine's default is $HOME), as SLURM and LSF do,
  so $CLUSTERJOB_WORKDIR and relative paths mean the same on every backend.
- ``#$ -N myjob`` / ``-q normal``: name and queue.
- ``#$ -l h_rt=02:00:00``: hard wall-clock limit, ``HH:MM:SS``.
- ``#$ -pe mpi 64`` (MPI, 2 x 32 x 1), ``-pe smp 32`` (OpenMP, 1 x 1 x 32), ``-pe mpi 128``
  (hybrid, 4 x 2 x 16): one slot per core. The spread over hosts is the PE's allocation_rule (a PE
  for 32-core nodes needs allocation_rule 32; ``smp`` needs $pe_slots). Serial: no PE (1 slot).
- ``#$ -l h_vmem=2048M`` (64 GB per node / 32 slots per node): h_vmem is a PER-SLOT limit, so the
  job's limit on a host is h_vmem x its slots there = 64 GB. Serial: ``h_vmem=65536M``.
- ``-o out.log`` / ``-e err.log``: output files (relative to the working directory, -cwd).

Regenerate the golden files with ``CLUSTERJOB_REGENERATE_GOLDEN=1 pytest tests/test_backend_sge.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterjob.backends import ResourcesNotSupportedError
from clusterjob.backends.sge import STATE_LETTERS, SgeBackend, check_body, state_status
from clusterjob.errors import InvalidResourceError
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

HEAD = ["-S", "/bin/bash", "-cwd"]

script = myjob_renderer(SgeBackend)


# -------------------------------------------------------------------- a reader of #$ lines
# Modelled on Grid Engine's parse_script (every '#$' line at column 0), string_list (quotes keep
# blanks; the quote state carries on from a closing quote) and sge_strip_quotes (all ' and " go).


def _string_list(text: str, delimiters: str = " \t\n") -> list[str]:
    words = []
    i, quote = 0, 0
    while True:
        while i < len(text) and text[i] in delimiters:
            i += 1
        if i >= len(text):
            return words
        start, at_blank = i, False
        while i < len(text) and not at_blank:
            if quote == 0 and text[i] == '"':
                quote = 2
            elif quote == 0 and text[i] == "'":
                quote = 1
            i += 1
            if quote == 0:
                at_blank = i < len(text) and text[i] in delimiters
            if i < len(text) and (
                (quote == 2 and text[i] == '"') or (quote == 1 and text[i] == "'")
            ):
                quote = 0
        words.append(text[start:i])
        if i >= len(text):
            return words
        i += 1


def qsub_directives(text: str) -> list[str]:
    """The option words qsub reads from a script's #$ lines."""
    words: list[str] = []
    for line in text.split("\n"):
        if not line.startswith("#$"):
            continue
        parameters = line[2:].strip(C_SPACE)
        if parameters:
            words += [w.replace('"', "").replace("'", "") for w in _string_list(parameters)]
    return words


def test_reader_follows_grid_engine() -> None:
    assert qsub_directives('#$ -N "a b"\n') == ["-N", "a b"]
    assert qsub_directives('#$ -o "a b" -e x\n') == ["-o", "a b -e x"]  # quote runs to the end
    assert qsub_directives("echo\n#$ -q x\n #$ -q y\n") == ["-q", "x"]  # whole file, column 0


# ------------------------------------------------------------------------------ goldens


@pytest.mark.parametrize("paradigm", sorted(SLOT_PARADIGMS))
def test_golden(paradigm: str) -> None:
    backend = SgeBackend(pe="mpi", pe_smp="smp")
    text = script(backend, body=SLOT_BODY, **SLOT_COMMON, **SLOT_PARADIGMS[paradigm])
    assert_golden(text, "sge", paradigm)


@pytest.mark.parametrize(
    ("paradigm", "key"), [("mpi", "nodes"), ("openmp", "threads"), ("hybrid", "nodes")]
)
def test_multi_slot_jobs_need_a_parallel_environment(paradigm: str, key: str) -> None:
    with pytest.raises(ResourcesNotSupportedError) as info:
        script(**SLOT_COMMON, **SLOT_PARADIGMS[paradigm])
    message = str(info.value)
    assert repr(key) in message and "parallel environment" in message
    assert "slots; construct SgeBackend(" in message


def test_serial_needs_no_parallel_environment() -> None:
    assert "-pe" not in script(**SLOT_COMMON, **SLOT_PARADIGMS["serial"])


# ---------------------------------------------------------------------- resource encoding


def directives(backend: SgeBackend | None = None, **resources: object) -> list[str]:
    return qsub_directives(script(backend, **resources))[len(HEAD) + 2 :]


def test_pe_choice() -> None:
    both = SgeBackend(pe="mpi", pe_smp="smp")
    assert directives(both, ppn=4) == ["-pe", "smp", "4"]
    assert directives(both, nodes=2, ppn=4) == ["-pe", "mpi", "8"]
    assert directives(SgeBackend(pe="mpi"), ppn=4) == ["-pe", "mpi", "4"]
    assert directives(SgeBackend(pe="mpi{per_node}"), nodes=2, ppn=4, threads=2) == [
        "-pe",
        "mpi8",
        "16",
    ]
    with pytest.raises(ResourcesNotSupportedError, match="pe_smp='smp'"):
        script(SgeBackend(), ppn=2)


@pytest.mark.parametrize(("mem", "slots", "per_slot"), [(1000, 3, "334M"), (1024, 4, "256M")])
def test_memory_per_slot_rounds_up(mem: int, slots: int, per_slot: str) -> None:
    lines = directives(SgeBackend(pe_smp="smp"), mem=mem, ppn=slots)
    assert lines[-2:] == ["-l", f"h_vmem={per_slot}"]
    assert directives(SgeBackend(mem_resource="mem_free"), mem=5)[-2:] == ["-l", "mem_free=5M"]


def test_time_is_hms() -> None:
    assert directives(time=90061) == ["-l", "h_rt=25:01:01"]


@pytest.mark.parametrize(
    "kwargs", [dict(pe="two words"), dict(pe_smp="a#b"), dict(pe=""), dict(mem_resource="h vmem")]
)
def test_bad_constructor_options(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        SgeBackend(**kwargs)  # type: ignore[arg-type]


def test_raw_options_single_dash_names_as_written() -> None:
    assert qsub_directives(script(queue="a b"))[-2:] == ["-q", "a b"]
    lines = directives(hold_jid="12", l="gpu=1", V=True, j=False, P="my proj")
    assert lines == ["-hold_jid", "12", "-l", "gpu=1", "-V", "-P", "my proj"]
    with pytest.raises(InvalidResourceError, match="'queue'"):
        script(q="other")
    with pytest.raises(InvalidResourceError, match="'shell'"):
        script(S="/bin/csh")


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("name", "1job", "Grid Engine rejects"),
        ("name", "a*b", "Grid Engine rejects"),
        ("name", "a/b", "Grid Engine rejects"),
        ("name", "\x80", "Grid Engine rejects"),
        ("queue", "#", "first '#'"),
        ("stdout", "out#1", "first '#'"),
        ("name", "my job", "Grid Engine rejects"),
        ("name", "été", "Grid Engine rejects"),
        ("stdout", "host:path", "host name"),
        ("stderr", "a,b", "list of paths"),
        ("queue", 'a"b', "quote"),
        ("queue", "all.q,", "list of queues"),
        ("stdout", "it's", "quote"),
        ("queue", "-x", "option"),
        ("queue", " q", "blanks"),
        ("stdout", "x#$ -l y", "directive prefix"),
    ],
)
def test_values_qsub_cannot_read_back_are_refused(key: str, value: str, reason: str) -> None:
    with pytest.raises(InvalidResourceError, match=reason):
        script(**{key: value})


@given(key=st.sampled_from(["name", "queue", "stdout", "stderr"]), value=hostile_words)
def test_hostile_common_values_round_trip_or_are_refused(key: str, value: str) -> None:
    assert_common_value_round_trips_or_is_refused(
        SgeBackend(), key, value, qsub_directives, [*HEAD, "-N"]
    )


@given(key=extra_keys, value=st.one_of(hostile_words, st.booleans(), st.none(), st.integers(0, 99)))
def test_hostile_raw_options_round_trip_or_are_refused(key: str, value: object) -> None:
    assert_raw_option_round_trips_or_is_refused(
        SgeBackend(), key, value, qsub_directives, [*HEAD, "-N"]
    )


# --------------------------------------------------------------------------- the body


def test_body_line_starting_with_the_prefix_is_refused() -> None:
    with pytest.raises(InvalidResourceError, match="'body'") as info:
        script(body="echo start\n#$ -l h_rt=99:00:00\n")
    assert "anywhere" in str(info.value)
    script(body="echo '#$ not at column 0'\n  #$ indented is a comment\n")
    check_body("ok\n")


@given(st.lists(st.text(st.sampled_from("#$ -q\tx"), max_size=12), max_size=6))
def test_body_never_adds_directives(lines: list[str]) -> None:
    try:
        text = script(body="\n".join(lines) + "\n")
    except InvalidResourceError as exc:
        assert exc.key == "body"
        return
    assert qsub_directives(text) == [*HEAD, "-N", "myjob"]


# -------------------------------------------------------------------------- commands


def test_commands() -> None:
    backend = SgeBackend()
    assert backend.cmd_submit(JobScript("true\n", "run", backend=backend)) == ["qsub", "run.sge"]
    assert backend.cmd_status(run("42")) == ["qstat", "-j", "42"]
    assert backend.cmd_status(run("42"), finished=True) == ["qacct", "-j", "42"]
    assert backend.cmd_cancel(run("42")) == ["qdel", "42"]
    assert backend.cmd_status_many([run("1"), run("2")]) == ["qstat"]
    assert backend.cmd_status_many([run("1")], finished=True) is None
    assert backend.cmd_status_many([]) is None


@pytest.mark.parametrize("job_id", ["-u", "1 2", "", "1.2-3", "x"])
def test_job_ids_that_are_not_grid_engine_ids_are_refused(job_id: str) -> None:
    with pytest.raises(InvalidResourceError):
        SgeBackend().cmd_status(run(job_id))


# ---------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ('Your job 123 ("myjob") has been submitted\n', "123"),
        ('Your job-array 124.1-10:1 ("arr") has been submitted\n', "124"),
        ('Welcome!\n\nYour job 5 ("a (b) c") has been submitted\n', "5"),
        ("125\n", "125"),
        ("126.1-10:1\n", "126"),
        ("Banner 2024\nUnable to run job: denied.\nExiting.\n", None),
        ("2024\nsomething else\n", None),
        ("", None),
    ],
)
def test_get_job_id(response: str, expected: str | None) -> None:
    assert SgeBackend().get_job_id(response) == expected


@given(st.text())
def test_get_job_id_never_raises(response: str) -> None:
    found = SgeBackend().get_job_id(response)
    assert found is None or found.isdigit()


QSTAT_J_PENDING = """\
==============================================================
job_number:                 7
exec_file:                  job_scripts/7
submission_time:            Tue Nov 24 22:19:54 2026
owner:                      root
sge_o_workdir:              /root/w
job_name:                   myjob
jobshare:                   0
env_list:                   TERM=NONE
script_file:                myjob.sge
scheduling info:            (Collecting of scheduler job information is turned off)
"""
QSTAT_J_RUNNING = QSTAT_J_PENDING.replace(
    "scheduling info:",
    "usage         1:            cpu=00:00:00, mem=0.00000 GB s, io=0.00000 GB, vmem=N/A, "
    "maxvmem=N/A\nbinding       1:            NONE\nscheduling info:",
)
QSTAT_J_ERROR = QSTAT_J_PENDING.replace(
    "scheduling info:",
    "error reason    1:          11/24/2026 22:20:01 [0:51]: error: can't chdir to /gone\n"
    "scheduling info:",
)
QACCT = """\
==============================================================
qname        all.q
hostname     node1
jobname      myjob
jobnumber    7
failed       {failed}
exit_status  {exit}
ru_wallclock 1.0
"""
QACCT_TIMED = (
    QACCT.format(failed="100 : assumedly after job", exit="137")
    .replace("ru_wallclock 1.0", "ru_wallclock {wall}")
    .replace("jobnumber", "category     -q all.q -l h_rt={h_rt},h_vmem=2G -pe mpi 4\njobnumber")
)
QSTAT_TABLE = """\
job-ID  prior   name       user         state submit/start at     queue                          slots ja-task-ID
-----------------------------------------------------------------------------------------------------------------
      7 0.55500 myjob      root         r     11/24/2026 22:20:01 all.q@node1                        1
      8 0.00000 other      root         qw    11/24/2026 22:20:00                                    1
      9 0.55500 arr        root         r     11/24/2026 22:20:01 all.q@node1                        1 1
      9 0.00000 arr        root         qw    11/24/2026 22:20:00                                    1 2-10:1
     10 0.00000 bad        root         Eqw   11/24/2026 22:20:00                                    1
     11 0.55500 del        root         dr    11/24/2026 22:20:01 all.q@node1                        1
"""


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (QSTAT_J_PENDING, PENDING),
        (QSTAT_J_RUNNING, RUNNING),
        (QSTAT_J_ERROR, FAILED),
        ("", None),  # 'Following jobs do not exist:' goes to stderr
        (QACCT.format(failed="0", exit="0"), COMPLETED),
        (QACCT.format(failed="0", exit="3"), FAILED),
        (QACCT.format(failed="100 : assumedly after job", exit="137"), CANCELLED),
        (
            QACCT.format(failed="100 : assumedly after job", exit="137                  (Killed)"),
            CANCELLED,
        ),
        (QACCT.format(failed="0", exit="oops"), None),
        (QACCT_TIMED.format(wall="7200s", h_rt="02:00:00"), FAILED),  # killed at its h_rt
        (QACCT_TIMED.format(wall="7201.5", h_rt="7200"), FAILED),
        (QACCT_TIMED.format(wall="30s", h_rt="02:00:00"), CANCELLED),  # qdel before h_rt
        (
            QACCT.format(failed="37  : qmaster enforced h_rt, h_cpu, or h_vmem limit", exit="137"),
            FAILED,
        ),
        (QACCT.format(failed="1   : assumedly before job", exit="0"), FAILED),
        (QACCT.format(failed="0", exit="0") + QACCT.format(failed="0", exit="1"), FAILED),
        (QSTAT_TABLE.split("      8")[0], RUNNING),  # a table with one job
        (QSTAT_TABLE, None),  # several jobs: which one?
    ],
)
def test_get_status(response: str, expected: int | None) -> None:
    assert SgeBackend().get_status(response) == expected
    assert SgeBackend().get_status(response, finished=True) == expected


def test_get_status_many_reads_the_qstat_table() -> None:
    runs = [run(str(n)) for n in range(6, 13)]
    assert SgeBackend().get_status_many(QSTAT_TABLE, runs) == {
        "7": RUNNING,
        "8": PENDING,
        "9": RUNNING,
        "10": FAILED,
        "11": CANCELLED,
    }


def test_get_status_many_finds_the_state_column_by_the_header() -> None:
    ext = (
        "job-ID  prior   ntckts  name  user  project  department state cpu  mem  io  tckts ovrts "
        "otckt ftckt stckt share queue slots ja-task-ID\n"
        "---------------------------\n"
        "   7 0.55 0.5 myjob root NA defaultdepartment r 0:00:00:00 0.0 0.0 0 0 0 0 0 0.00 "
        "all.q@n 1\n"
    )
    assert SgeBackend().get_status_many(ext, [run("7")]) == {"7": RUNNING}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("qw", PENDING),
        ("hqw", PENDING),
        ("hRwq", PENDING),
        ("Rq", PENDING),
        ("r", RUNNING),
        ("t", RUNNING),
        ("Rr", RUNNING),
        ("Rt", RUNNING),
        ("s", RUNNING),
        ("S", RUNNING),
        ("T", RUNNING),
        ("hr", RUNNING),
        ("Eqw", FAILED),
        ("Ehqw", FAILED),
        ("dr", CANCELLED),
        ("dt", CANCELLED),
        ("dRr", CANCELLED),
        ("R", None),
        ("z", None),
        ("", None),
    ],
)
def test_state_letters(state: str, expected: int | None) -> None:
    assert state_status(state) == expected


def test_state_table_covers_the_documented_letters() -> None:
    assert set("dEhrRsStTqw") <= set(STATE_LETTERS)


@given(st.text())
def test_get_status_never_raises(response: str) -> None:
    backend = SgeBackend()
    for finished in (False, True):
        got = backend.get_status(response, finished)
        assert got in ANY_STATUS
    assert isinstance(backend.get_status_many(response, [run("1")]), dict)


# ---------------------------------------------------------------------- job variables


def test_every_core_variable_maps_to_what_grid_engine_sets(tmp_path: Path) -> None:
    body = (
        "echo $CLUSTERJOB_ID ${CLUSTERJOB_ID} $CLUSTERJOB_WORKDIR ${CLUSTERJOB_WORKDIR}\n"
        "echo $CLUSTERJOB_NAME ${CLUSTERJOB_NAME} $CLUSTERJOB_ARRAY_INDEX ${CLUSTERJOB_ARRAY_INDEX}\n"
        "echo $CLUSTERJOB_SUBMIT_HOST ${CLUSTERJOB_SUBMIT_HOST}\n"
        'echo "$CLUSTERJOB_NODELIST" "${CLUSTERJOB_NODELIST}"\n'
    )
    mapped = SgeBackend().replace_body_vars(body)
    assert "CLUSTERJOB" not in mapped
    env = {
        "PATH": "/usr/bin:/bin",
        "JOB_ID": "7",
        "SGE_O_WORKDIR": "/home/u/w",
        "JOB_NAME": "myjob",
        "SGE_TASK_ID": "undefined",
        "SGE_O_HOST": "login1",
        "HOSTNAME": "node1",
    }
    out = bash_stdout(mapped, env)
    assert out.splitlines() == [
        "7 7 /home/u/w /home/u/w",
        "myjob myjob undefined undefined",
        "login1 login1",
        "node1 node1",
    ]
    hostfile = tmp_path / "pe_hostfile"
    hostfile.write_text("node1 32 all.q@node1 UNDEFINED\nnode2 32 all.q@node2 UNDEFINED\n")
    env["PE_HOSTFILE"] = str(hostfile)
    out = bash_stdout(mapped, env)
    assert out.splitlines()[-1] == "node1 node2 node1 node2"


def test_registry_builds_it_without_arguments() -> None:
    from clusterjob.backends import get_backend

    backend = get_backend("sge")
    assert isinstance(backend, SgeBackend) and backend.extension == ".sge"
    assert "SgeBackend(pe=None" in repr(backend)

"""Recorded answers of the real scheduler tools (docs/reference/scheduler-cli.md), with the result a backend
must parse from each: job ids from submission answers and status codes from status answers.

Answers depend on the command a backend runs (``squeue -o %T`` prints one thing, ``-o "%i %T"`` another), so
each entry says which commands it answers; SLURM's formatted answers are rendered in the backend's own
``-o``/``--format`` fields. An answer that applies to no command of a backend is skipped, not failed: the
end-to-end checks still meet that backend's real answers from the simulator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING
from clusterjob.testing.recorded import RECORDED

__all__ = [
    "BatchedAnswer",
    "RecordedAnswer",
    "answers_for",
    "batched_answers",
    "job_id_answers",
    "status_answers",
]

Predicate = Callable[[Sequence[str]], bool]


def _always(argv: Sequence[str]) -> bool:
    return True


@dataclass(frozen=True)
class RecordedAnswer:
    """One answer of a scheduler tool (stdout), and every result a correct parser may give for it."""

    scheduler: str
    kind: str  # "job_id" or "status"
    text: str
    expected: tuple[object, ...]
    finished: bool | None = None  # status: asked with finished=False/True (None: either)
    when: Predicate = field(default=_always, compare=False)
    note: str = ""

    def describe(self) -> str:
        """The answer as a test report shows it."""
        view = "" if self.finished is None else f" (finished={self.finished})"
        return f"{self.scheduler} {self.kind}{view} {self.note}: {self.text!r}"


def _has(*words: str) -> Predicate:
    """The command contains every word (as an argument, or inside one, e.g. ``-o%T``)."""

    def predicate(argv: Sequence[str]) -> bool:
        return all(any(word == arg or word in arg for arg in argv) for word in words)

    return predicate


def _lacks(*words: str) -> Predicate:
    def predicate(argv: Sequence[str]) -> bool:
        return not any(word == arg or word in arg for word in words for arg in argv)

    return predicate


def _both(*predicates: Predicate) -> Predicate:
    return lambda argv: all(p(argv) for p in predicates)


def _program(argv: Sequence[str]) -> str:
    return argv[0].rsplit("/", 1)[-1] if argv else ""


def _is(program: str) -> Predicate:
    return lambda argv: _program(argv) == program


# ------------------------------------------------------------------------------------------ SLURM

_SLURM_STATES: tuple[tuple[str, str, tuple[object, ...]], ...] = (
    ("PENDING", "PD", (PENDING,)),
    ("RUNNING", "R", (RUNNING,)),
    ("COMPLETING", "CG", (RUNNING,)),
    ("CONFIGURING", "CF", (PENDING, RUNNING)),
    ("SUSPENDED", "S", (RUNNING, PENDING)),
    ("REQUEUED", "RQ", (PENDING,)),
    ("COMPLETED", "CD", (COMPLETED,)),
    ("CANCELLED", "CA", (CANCELLED,)),
    ("FAILED", "F", (FAILED,)),
    ("TIMEOUT", "TO", (FAILED,)),
    ("NODE_FAIL", "NF", (FAILED,)),
    ("OUT_OF_MEMORY", "OOM", (FAILED,)),
    ("BOOT_FAIL", "BF", (FAILED,)),
    ("DEADLINE", "DL", (FAILED,)),
    ("PREEMPTED", "PR", (FAILED, CANCELLED)),
)
"""(state, short code, acceptable statuses) of squeue/sacct [source]."""

_SACCT_ROWS: tuple[tuple[str, str, tuple[object, ...]], ...] = (
    ("COMPLETED", "0:0", (COMPLETED,)),
    ("CANCELLED by 0", "0:0", (CANCELLED,)),
    ("FAILED", "3:0", (FAILED,)),
    ("TIMEOUT", "0:0", (FAILED,)),
    ("OUT_OF_MEMORY", "0:125", (FAILED,)),
    ("NODE_FAIL", "0:0", (FAILED,)),
    ("RUNNING", "0:0", (RUNNING,)),
    ("PENDING", "0:0", (PENDING,)),
)
"""(State, ExitCode, acceptable statuses) as sacct prints them [seen: 'CANCELLED by 0', 'FAILED|3:0']."""

_SACCT_WIDTHS = {"jobid": 12, "state": 10, "exitcode": 8, "jobname": 10, "elapsed": 10}


def _option_value(argv: Sequence[str], short: str, long: str) -> str | None:
    """The value of ``-o X``, ``-oX``, ``--format=X`` or ``--format X`` in argv (last one wins)."""
    found = None
    for i, arg in enumerate(argv):
        if arg == short or arg == long:
            if i + 1 < len(argv):
                found = argv[i + 1]
        elif arg.startswith(long + "="):
            found = arg[len(long) + 1 :]
        elif arg.startswith(short) and len(arg) > len(short) and not arg.startswith("--"):
            found = arg[len(short) :]
    return found


def _squeue_answers(argv: Sequence[str], job_id: str) -> list[RecordedAnswer]:
    fmt = _option_value(argv, "-o", "--format")
    if fmt is None:
        return []
    header = not any(a in ("-h", "--noheader") for a in argv)
    names = {"%T": "STATE", "%t": "ST", "%i": "JOBID", "%A": "JOBID", "%j": "NAME"}
    if re.sub(r"%(?:\.?\d+)?[TtiAj]", "", fmt).strip(" |,;:\t^"):
        return []  # a field we have no recording of

    def render(long: str, short: str) -> str:
        values = {"T": long, "t": short, "i": job_id, "A": job_id, "j": "job"}
        return re.sub(r"%(?:\.?\d+)?([TtiAj])", lambda m: values[m.group(1)], fmt)

    def head() -> str:
        return re.sub(r"%(?:\.?\d+)?([TtiAj])", lambda m: names["%" + m.group(1)], fmt) + "\n"

    answers = [
        RecordedAnswer(
            "slurm",
            "status",
            (head() if header else "") + render(long, short) + "\n",
            expected,
            finished=False,
            note=f"[source] squeue state {long}",
        )
        for long, short, expected in _SLURM_STATES
    ]
    answers.append(
        RecordedAnswer(
            "slurm",
            "status",
            head() if header else "",
            (None,),
            finished=False,
            note="[seen] squeue of a job that has left the queue: no rows, rc 0",
        )
    )
    return answers


def _sacct_answers(argv: Sequence[str], job_id: str) -> list[RecordedAnswer]:
    fmt = _option_value(argv, "-o", "--format")
    if fmt is None:
        return []
    fields = [f.strip().lower().split("%")[0] for f in fmt.split(",") if f.strip()]
    if not fields or any(f not in _SACCT_WIDTHS for f in fields) or "state" not in fields:
        return []
    parsable2 = any(a in ("-P", "--parsable2") for a in argv)
    parsable = parsable2 or any(a in ("-p", "--parsable") for a in argv)
    header = not any(a in ("-n", "--noheader") for a in argv)
    steps = not any(a in ("-X", "--allocations") for a in argv)

    def line(values: dict[str, str]) -> str:
        cells = [values.get(f, "") for f in fields]
        if parsable:
            return "|".join(cells) + ("" if parsable2 else "|")
        out = ""
        for f, cell in zip(fields, cells, strict=True):  # as real sacct pads: see docs/recorded
            width = _SACCT_WIDTHS[f]
            cell = cell if len(cell) <= width else cell[: width - 1] + "+"
            out += (cell.ljust(width) if f == "jobid" else cell.rjust(width)) + " "
        return out

    head = ""
    if header:
        names = {"jobid": "JobID", "state": "State", "exitcode": "ExitCode", "jobname": "JobName"}
        titles = {f: names.get(f, f) for f in fields}
        head = line(titles) + "\n"
        if not parsable:
            head += "".join("-" * _SACCT_WIDTHS[f] + " " for f in fields) + "\n"
    answers = []
    for state, exit_code, expected in _SACCT_ROWS:
        rows = [{"jobid": job_id, "state": state, "exitcode": exit_code, "jobname": "job"}]
        if steps and state not in ("PENDING",):
            step_state = "CANCELLED" if state.startswith("CANCELLED") else state
            rows.append(
                {
                    "jobid": f"{job_id}.batch",
                    "state": step_state,
                    "exitcode": exit_code,
                    "jobname": "batch",
                }
            )
            rows.append(
                {
                    "jobid": f"{job_id}.extern",
                    "state": "COMPLETED",
                    "exitcode": "0:0",
                    "jobname": "extern",
                }
            )
        text = head + "".join(line(r) + "\n" for r in rows)
        answers.append(
            RecordedAnswer(
                "slurm", "status", text, expected, finished=True, note=f"[seen] sacct {state}"
            )
        )
    answers.append(
        RecordedAnswer(
            "slurm",
            "status",
            head,
            (None,),
            finished=True,
            note="sacct before the record is written",
        )
    )
    return answers


_SLURM_STATIC = (
    RecordedAnswer(
        "slurm", "job_id", "Submitted batch job 4242\n", ("4242",), when=_lacks("--parsable"),
        note="[seen] sbatch",
    ),
    RecordedAnswer(
        "slurm", "job_id", "Submitted batch job 17", ("17",), when=_lacks("--parsable"),
        note="[seen] sbatch, no final newline",
    ),
    RecordedAnswer(
        "slurm", "job_id", "4243\n", ("4243",), when=_has("--parsable"), note="[seen] sbatch --parsable"
    ),
    RecordedAnswer(
        "slurm", "job_id", "4244;simcluster\n", ("4244",), when=_has("--parsable"),
        note="[source] sbatch --parsable -M cluster",
    ),
    RecordedAnswer("slurm", "job_id", "", (None,), note="[seen] rejected submission: nothing on stdout"),
)  # fmt: skip


# ----------------------------------------------------------------------------------- PBS family


def _qstat_block(job_id: str, state: str, extra: Iterable[tuple[str, str]] = ()) -> str:
    lines = [
        f"Job Id: {job_id}",
        "    Job_Name = cj_job",
        "    Job_Owner = user@login1",
        f"    job_state = {state}",
        "    queue = batch",
        "    server = simserver",
        "    Resource_List.nodes = 1:ppn=2",
        "    Resource_List.walltime = 01:00:00",
        *(f"    {key} = {value}" for key, value in extra),
        "    Variable_List = PBS_O_HOME=/home/user,PBS_O_LANG=C.UTF-8,PBS_O_LOGNAME=user,",
        "\tPBS_O_PATH=/usr/bin:/bin,PBS_O_SHELL=/bin/bash,PBS_O_WORKDIR=/home/user",
        "",
    ]
    return "\n".join(lines) + "\n"


_TORQUE_QSTAT = _both(_is("qstat"), _has("-f"))
_TORQUE_STATES: tuple[tuple[str, tuple[tuple[str, str], ...], tuple[object, ...], str], ...] = (
    ("Q", (), (PENDING,), "queued"),
    ("H", (), (PENDING,), "held"),
    ("W", (), (PENDING,), "waiting for its start time"),
    ("T", (), (PENDING, RUNNING), "being moved"),
    ("R", (("exec_host", "node01/0-1"),), (RUNNING,), "running"),
    ("E", (("exec_host", "node01/0-1"),), (RUNNING, COMPLETED, FAILED, CANCELLED), "exiting"),
    ("S", (), (RUNNING, PENDING), "suspended"),
    ("C", (("exit_status", "0"),), (COMPLETED,), "completed, exit 0"),
    ("C", (("exit_status", "3"),), (FAILED,), "completed, exit 3"),
    ("C", (("exit_status", "271"),), (CANCELLED,), "killed by qdel (256+SIGTERM)"),
    ("C", (("exit_status", "-11"),), (FAILED,), "wall time exceeded (JOB_EXEC_KILL_WALLTIME)"),
)

_PBSPRO_QSTAT = _both(_is("qstat"), _has("-f"))
_PBSPRO_STATES: tuple[tuple[str, tuple[tuple[str, str], ...], tuple[object, ...], str], ...] = (
    ("Q", (), (PENDING,), "queued"),
    ("H", (), (PENDING,), "held"),
    ("W", (), (PENDING,), "waiting"),
    ("R", (("exec_host", "node01/0*2"),), (RUNNING,), "running"),
    ("B", (), (RUNNING, PENDING), "array begun"),
    ("E", (), (RUNNING, COMPLETED, FAILED, CANCELLED), "exiting"),
    ("F", (("Exit_status", "0"),), (COMPLETED,), "finished, exit 0"),
    ("F", (("Exit_status", "3"),), (FAILED,), "finished, exit 3"),
    ("F", (("Exit_status", "271"),), (CANCELLED,), "deleted while running (256+SIGTERM)"),
    ("F", (("Exit_status", "-29"),), (FAILED,), "wall time exceeded (JOB_EXEC_KILL_WALLTIME)"),
)


def _pbs_static(scheduler: str, server: str) -> tuple[RecordedAnswer, ...]:
    return (
        RecordedAnswer(scheduler, "job_id", f"436036.{server}\n", (f"436036.{server}", "436036"),
                       note="[source] qsub"),
        RecordedAnswer(scheduler, "job_id", "12.simserver", ("12.simserver", "12"),
                       note="[source] qsub, no final newline"),
        RecordedAnswer(scheduler, "job_id", "", (None,), note="[source] rejected: nothing on stdout"),
    )  # fmt: skip


def _pbs_status_answers(
    scheduler: str,
    states: Sequence[tuple[str, tuple[tuple[str, str], ...], tuple[object, ...], str]],
    predicate: Predicate,
    job_id: str,
) -> list[RecordedAnswer]:
    answers = [
        RecordedAnswer(
            scheduler,
            "status",
            _qstat_block(job_id, state, extra),
            expected,
            when=predicate,
            note=f"[source] qstat -f: {note}",
        )
        for state, extra, expected, note in states
    ]
    answers.append(
        RecordedAnswer(
            scheduler,
            "status",
            "",
            (None,),
            when=predicate,
            note="[source] unknown job: only stderr",
        )
    )
    return answers


# ---------------------------------------------------------------------------------------------- LSF

_LSF_STATES: tuple[tuple[str, str, tuple[object, ...], tuple[object, ...]], ...] = (
    ("PEND", "-", (PENDING,), (PENDING,)),
    ("WAIT", "-", (PENDING,), (PENDING,)),
    ("PSUSP", "-", (PENDING,), (PENDING,)),
    ("RUN", "-", (RUNNING,), (RUNNING,)),
    ("USUSP", "-", (RUNNING, PENDING), (RUNNING, PENDING)),
    ("SSUSP", "-", (RUNNING, PENDING), (RUNNING, PENDING)),
    ("DONE", "-", (COMPLETED,), (COMPLETED,)),
    ("POST_DONE", "-", (COMPLETED,), (COMPLETED,)),
    ("POST_ERR", "-", (COMPLETED, FAILED), (COMPLETED, FAILED)),
    ("EXIT", "-", (FAILED,), (FAILED, CANCELLED)),
    ("EXIT", "TERM_OWNER: job killed by owner", (CANCELLED,), (FAILED, CANCELLED)),
    ("EXIT", "TERM_RUNLIMIT: job killed after reaching LSF run time limit", (FAILED,),
     (FAILED, CANCELLED)),
)  # fmt: skip
"""(STAT, exit_reason, statuses when the backend reads exit_reason, statuses when it does not) [docs]."""

_LSF_STATIC = (
    RecordedAnswer("lsf", "job_id", "Job <123> is submitted to queue <normal>.\n", ("123",),
                   note="[docs] bsub"),
    RecordedAnswer("lsf", "job_id", "Job <124> is submitted to default queue <normal>.\n", ("124",),
                   note="[docs] bsub, default queue"),
    RecordedAnswer("lsf", "job_id",
                   "Welcome to the cluster. Jobs are accounted to project <p1>.\n"
                   "Job <125> is submitted to queue <short>.\n", ("125",),
                   note="[recorded] a site banner before bsub's line"),
    RecordedAnswer("lsf", "job_id", "", (None,), note="[recorded] rejected: message on stderr"),
)  # fmt: skip


def _lsf_status_answers(argv: Sequence[str], job_id: str) -> list[RecordedAnswer]:
    if _program(argv) != "bjobs":
        return []
    fmt = _option_value(argv, "-o", "-o")
    header = not any(a in ("-noheader",) for a in argv)
    if fmt is None:
        return []
    spec = fmt.strip().strip("'\"")
    delimiter = " "
    match = re.search(r"delimiter\s*=\s*['\"]?(.)['\"]?", spec)
    if match:
        delimiter = match.group(1)
        spec = spec[: match.start()]
    columns = [c.split(":")[0].strip().lower() for c in spec.split() if c.strip()]
    known = {
        "jobid": job_id,
        "stat": "",
        "exec_host": "node01",
        "job_name": "job",
        "queue": "normal",
        "exit_reason": "-",
    }
    if not columns or any(c not in known for c in columns) or "stat" not in columns:
        return []
    titles = {"jobid": "JOBID", "stat": "STAT", "exec_host": "EXEC_HOST", "job_name": "JOB_NAME"}
    head = delimiter.join(titles.get(c, c.upper()) for c in columns) + "\n" if header else ""
    answers = []
    reads_reason = "exit_reason" in columns
    for state, reason, precise, lenient in _LSF_STATES:
        values = {**known, "stat": state, "exit_reason": reason}
        if state in ("PEND", "WAIT", "PSUSP"):
            values["exec_host"] = "-"
        row = delimiter.join(values[c] for c in columns)
        expected = precise if reads_reason else lenient
        note = f"[docs] bjobs {state}" + (f" ({reason})" if reason != "-" else "")
        answers.append(RecordedAnswer("lsf", "status", head + row + "\n", expected, note=note))
    answers.append(
        RecordedAnswer(
            "lsf", "status", "", (None,), note="[docs] unknown job: 'is not found' on stderr"
        )
    )
    return answers


# --------------------------------------------------------------------------------------- Grid Engine

_SGE_STATIC = (
    RecordedAnswer("sge", "job_id", 'Your job 123 ("job") has been submitted\n', ("123",),
                   when=_lacks("-terse"), note="[seen] qsub"),
    RecordedAnswer("sge", "job_id", "124\n", ("124",), when=_has("-terse"), note="[seen] qsub -terse"),
    RecordedAnswer("sge", "job_id", "", (None,), note="[seen] rejected: message on stderr"),
)  # fmt: skip

_SGE_QSTAT_HEADER = (
    "job-ID  prior   name       user         state submit/start at     queue"
    "                          slots ja-task-ID \n"
    "-----------------------------------------------------------------------------------------------"
    "------------------\n"
)
_SGE_STATES: tuple[tuple[str, tuple[object, ...]], ...] = (
    ("qw", (PENDING,)),
    ("hqw", (PENDING,)),
    ("r", (RUNNING,)),
    ("t", (RUNNING, PENDING)),
    ("Rr", (RUNNING,)),
    ("s", (RUNNING, PENDING)),
    ("dr", (RUNNING, CANCELLED)),
    ("Eqw", (PENDING, FAILED)),
)


def _sge_status_answers(argv: Sequence[str], job_id: str) -> list[RecordedAnswer]:
    program = _program(argv)
    answers: list[RecordedAnswer] = []
    if program == "qstat" and "-j" not in argv and not any(a.startswith("-x") for a in argv):
        for state, expected in _SGE_STATES:
            queue = "all.q@node01" if "r" in state else ""
            row = (
                f"{job_id:>7} 0.55500 job        user         {state:<5} 11/24/2025 22:18:01 "
                f"{queue:<30} 2        \n"
            )
            other = "  99999 0.50000 other      user         qw    11/24/2025 22:18:00 " + " " * 31
            other += "1        \n"
            answers.append(
                RecordedAnswer("sge", "status", _SGE_QSTAT_HEADER + other + row, expected,
                               finished=False, note=f"[source] qstat state {state}")
            )  # fmt: skip
        answers.append(
            RecordedAnswer("sge", "status", "", (None,), finished=False,
                           note="[seen] no jobs: no output (finished jobs leave at once)")
        )  # fmt: skip
    if program == "qacct":
        for failed, exit_status, expected, note in (
            ("0", "0", (COMPLETED,), "exit 0"),
            ("0", "3", (FAILED,), "[seen] exit 3"),
            (
                "100 : assumedly after job",
                "137",
                (CANCELLED, FAILED),
                "[seen] deleted while running",
            ),
        ):
            text = (
                "==============================================================\n"
                "qname        all.q               \nhostname     node01              \n"
                "group        users               \nowner        user                \n"
                f"jobname      job                 \njobnumber    {job_id:<20}\n"
                "taskid       undefined           \nqsub_time    Mon Nov 24 22:18:01 2025\n"
                f"failed       {failed:<20}\nexit_status  {exit_status:<20}\n"
                "ru_wallclock 1s\n"
            )
            answers.append(
                RecordedAnswer("sge", "status", text, expected, finished=True,
                               note=f"qacct: {note}")
            )  # fmt: skip
        answers.append(
            RecordedAnswer("sge", "status", "", (None,), finished=True,
                           note="[seen] qacct before the record is written: only stderr")
        )  # fmt: skip
    return answers


# ------------------------------------------------------------------------------ real tools, verbatim


def _format_is(*formats: str) -> Predicate:
    """The command's ``-o``/``--format`` value is one of `formats` (case-insensitive)."""
    wanted = {f.lower() for f in formats}

    def predicate(argv: Sequence[str]) -> bool:
        value = _option_value(argv, "-o", "--format")
        return value is not None and value.lower() in wanted

    return predicate


def _lines_of(scheduler: str, command: str) -> list[str]:
    return RECORDED[(scheduler, command)].splitlines(keepends=True)


_SQUEUE_T = _both(_is("squeue"), _format_is("%T"))
_SACCT_P = _both(_is("sacct"), _has("-P"), _has("-X"), _format_is("JobID,State,ExitCode"))
_SACCT_PADDED = _both(
    _is("sacct"), _lacks("-P", "-p"), _has("-n"), _has("-X"), _format_is("JobID,State,ExitCode")
)
_SACCT_STATES = {
    "21": (COMPLETED,),
    "22": (FAILED,),
    "23": (CANCELLED,),
    "24": (FAILED,),
    "26": (PENDING,),
}
_SACCT_P_RUN = "sacct -n -X -P -j 21\\,22\\,23\\,24\\,26 --format=JobID\\,State\\,ExitCode"
_SACCT_PADDED_RUN = "sacct -n -X -j 21\\,22\\,23\\,24\\,26 -o JobID\\,State\\,ExitCode"
_SACCT_FULL_RUN = "sacct -j 21\\,22\\,23\\,24\\,26 --format=JobID\\,JobName\\,State\\,ExitCode"
_SEEN_SLURM = "[seen] real Slurm 22.05.8"
_SEEN_SGE = "[seen] real Grid Engine 8.1.9"


def _recorded_slurm() -> list[RecordedAnswer]:
    answers = [
        RecordedAnswer("slurm", "job_id", RECORDED[("slurm", "sbatch ok.sh")], ("21",),
                       when=_lacks("--parsable"), note=f"{_SEEN_SLURM}: sbatch"),
        RecordedAnswer("slurm", "job_id", RECORDED[("slurm", "sbatch --parsable fail.sh")], ("22",),
                       when=_has("--parsable"), note=f"{_SEEN_SLURM}: sbatch --parsable"),
        RecordedAnswer("slurm", "status", RECORDED[("slurm", "squeue -h -o %T -j 21")], (PENDING,),
                       finished=False, when=_SQUEUE_T, note=f"{_SEEN_SLURM}: squeue -h -o %T"),
        RecordedAnswer("slurm", "status", RECORDED[("slurm", "squeue -h -o %T -j 23")], (None,),
                       finished=False, when=_SQUEUE_T,
                       note=f"{_SEEN_SLURM}: squeue -h -o %T of a cancelled job (no rows)"),
        RecordedAnswer("slurm", "status",
                       RECORDED[("slurm", "sacct -n -X -P -j 25 --format=JobID\\,State\\,ExitCode")],
                       (COMPLETED,), finished=True, when=_SACCT_P,
                       note=f"{_SEEN_SLURM}: sacct -P of a finished array"),
        RecordedAnswer("slurm", "status",
                       RECORDED[("slurm", "sacct -n -X -P -j 99999 --format=JobID\\,State\\,ExitCode")],
                       (None,), finished=True, when=_SACCT_P, note=f"{_SEEN_SLURM}: sacct -P, unknown id"),
    ]  # fmt: skip
    for run, predicate, label in (
        (_SACCT_P_RUN, _SACCT_P, "sacct -P"),
        (_SACCT_PADDED_RUN, _SACCT_PADDED, "sacct (padded)"),
    ):
        for line in _lines_of("slurm", run):
            job_id = line.split("|")[0].split()[0]
            answers.append(
                RecordedAnswer("slurm", "status", line, _SACCT_STATES[job_id], finished=True,
                               when=predicate, note=f"{_SEEN_SLURM}: {label}, job {job_id}")
            )  # fmt: skip
    return answers


_QSTAT_J = _both(_is("qstat"), _has("-j"))
_QACCT = _is("qacct")


def _recorded_sge() -> list[RecordedAnswer]:
    return [
        RecordedAnswer("sge", "job_id", RECORDED[("sge", "qsub ok.sh")], ("12",), when=_lacks("-terse"),
                       note=f"{_SEEN_SGE}: qsub"),
        RecordedAnswer("sge", "job_id", RECORDED[("sge", "qsub -terse fail.sh")], ("13",),
                       when=_has("-terse"), note=f"{_SEEN_SGE}: qsub -terse"),
        RecordedAnswer("sge", "job_id", RECORDED[("sge", "qsub -cwd -t 1-3:1 -tc 2 array.sh")],
                       ("16", "16.1-3:1"), when=_lacks("-terse"), note=f"{_SEEN_SGE}: qsub -t (array)"),
        RecordedAnswer("sge", "status", RECORDED[("sge", "qstat -j 12")], (RUNNING,), finished=False,
                       when=_QSTAT_J, note=f"{_SEEN_SGE}: qstat -j of a running job"),
        RecordedAnswer("sge", "status", RECORDED[("sge", "qstat -j 14")], (RUNNING,), finished=False,
                       when=_QSTAT_J, note=f"{_SEEN_SGE}: qstat -j of a running job (-cwd)"),
        RecordedAnswer("sge", "status", RECORDED[("sge", "qacct -j 12")], (COMPLETED,), finished=True,
                       when=_QACCT, note=f"{_SEEN_SGE}: qacct, exit 0"),
        RecordedAnswer("sge", "status", RECORDED[("sge", "qacct -j 13")], (FAILED,), finished=True,
                       when=_QACCT, note=f"{_SEEN_SGE}: qacct, exit 3"),
        RecordedAnswer("sge", "status", RECORDED[("sge", "qacct -j 15")], (FAILED,), finished=True,
                       when=_QACCT, note=f"{_SEEN_SGE}: qacct, killed at h_rt (failed 37)"),
        RecordedAnswer("sge", "status", RECORDED[("sge", "qacct -j 16")], (COMPLETED,), finished=True,
                       when=_QACCT, note=f"{_SEEN_SGE}: qacct of a finished array"),
    ]  # fmt: skip


@dataclass(frozen=True)
class BatchedAnswer:
    """One answer about several jobs (cmd_status_many), and the statuses a parser may give each job."""

    scheduler: str
    text: str
    expected: dict[str, tuple[object, ...]]
    finished: bool
    when: Predicate = field(default=_always, compare=False)
    note: str = ""


_BATCHED: tuple[BatchedAnswer, ...] = (
    BatchedAnswer(
        "slurm",
        RECORDED[("slurm", "squeue -h -o %i\\ %T -j 21\\,22\\,99999")],
        {"21": (PENDING,), "22": (PENDING,), "99999": (None,)},
        finished=False,
        when=_both(_is("squeue"), _format_is("%i %T", "%A %T")),
        note=f"{_SEEN_SLURM}: squeue -o '%i %T' of 21,22,99999",
    ),
    BatchedAnswer(
        "slurm", RECORDED[("slurm", _SACCT_P_RUN)], dict(_SACCT_STATES), finished=True,
        when=_SACCT_P, note=f"{_SEEN_SLURM}: sacct -P of 21,22,23,24,26",
    ),
    BatchedAnswer(
        "slurm", RECORDED[("slurm", _SACCT_PADDED_RUN)], dict(_SACCT_STATES), finished=True,
        when=_SACCT_PADDED, note=f"{_SEEN_SLURM}: sacct (padded) of 21,22,23,24,26",
    ),
    BatchedAnswer(
        "slurm", RECORDED[("slurm", _SACCT_FULL_RUN)], dict(_SACCT_STATES), finished=True,
        when=_both(_is("sacct"), _lacks("-X", "-P", "-n"), _format_is("JobID,JobName,State,ExitCode")),
        note=f"{_SEEN_SLURM}: sacct with steps and headers",
    ),
    BatchedAnswer(
        "sge", RECORDED[("sge", "qstat")],
        {"12": (RUNNING,), "13": (RUNNING,), "17": (PENDING,), "14": (PENDING,), "15": (PENDING,)},
        finished=False, when=_both(_is("qstat"), _lacks("-j", "-f", "-xml")),
        note=f"{_SEEN_SGE}: qstat table",
    ),
)  # fmt: skip


def batched_answers(scheduler: str, argv: Sequence[str], finished: bool) -> list[BatchedAnswer]:
    """Recorded answers about several jobs that apply to a backend's cmd_status_many `argv`."""
    name = _SCHEDULER_ALIASES.get(scheduler, scheduler)
    return [b for b in _BATCHED if b.scheduler == name and b.finished == finished and b.when(argv)]


# -------------------------------------------------------------------------------------------- lookup

_SCHEDULER_ALIASES = {"torque": "pbs", "openpbs": "pbspro", "gridengine": "sge", "sge": "sge"}


def job_id_answers(scheduler: str, submit_argv: Sequence[str]) -> list[RecordedAnswer]:
    """Recorded submission answers of `scheduler` that apply to a backend submitting with `submit_argv`."""
    name = _SCHEDULER_ALIASES.get(scheduler, scheduler)
    static: tuple[RecordedAnswer, ...] = {
        "slurm": _SLURM_STATIC + tuple(_recorded_slurm()),
        "pbs": _pbs_static("pbs", "sdb"),
        "pbspro": _pbs_static("pbspro", "pbsserver"),
        "lsf": _LSF_STATIC,
        "sge": _SGE_STATIC + tuple(_recorded_sge()),
    }.get(name, ())
    return [a for a in static if a.kind == "job_id" and a.when(submit_argv)]


def status_answers(
    scheduler: str, status_argv: Sequence[str], job_id: str, finished: bool
) -> list[RecordedAnswer]:
    """Recorded status answers for a backend asking with `status_argv` about `job_id` (view `finished`)."""
    name = _SCHEDULER_ALIASES.get(scheduler, scheduler)
    answers: list[RecordedAnswer] = []
    if name == "slurm":
        program = _program(status_argv)
        if program == "squeue":
            answers = _squeue_answers(status_argv, job_id)
        elif program == "sacct":
            answers = _sacct_answers(status_argv, job_id)
        answers += [a for a in _recorded_slurm() if a.kind == "status"]
    elif name == "pbs":
        answers = _pbs_status_answers("pbs", _TORQUE_STATES, _TORQUE_QSTAT, job_id)
    elif name == "pbspro":
        answers = _pbs_status_answers("pbspro", _PBSPRO_STATES, _PBSPRO_QSTAT, job_id)
    elif name == "lsf":
        answers = _lsf_status_answers(status_argv, job_id)
    elif name == "sge":
        answers = _sge_status_answers(status_argv, job_id)
        answers += [a for a in _recorded_sge() if a.kind == "status"]
    return [
        a for a in answers if a.when(status_argv) and (a.finished is None or a.finished == finished)
    ]


def answers_for(scheduler: str) -> list[RecordedAnswer]:
    """Every static recorded answer of `scheduler` (job ids), for junk mutation and for reading."""
    return job_id_answers(scheduler, ["--parsable", "-terse"]) + job_id_answers(scheduler, [])

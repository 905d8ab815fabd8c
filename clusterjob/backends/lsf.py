"""The LSF backend: ``#BSUB`` directives, ``bsub < script``, ``bjobs``, ``bkill``.

LSF is closed source; the facts used are its manual (docs/reference/scheduler-cli.md) and the
``#BSUB`` reader of openlava (``lsb.sub.c`` parseLine, ``getNextValueQ_``), LSF's open-source
ancestor, whose job-file wrapper real LSF still writes:

- bsub reads ``#BSUB`` lines anywhere in the script, even after commands; leading blanks and blanks
  between ``#`` and ``BSUB`` are allowed; a line ending in a backslash continues on the next line.
- A line's words split at white space; a word that opens with the line's first quote character
  (``'`` or ``"``) runs to the next such quote, and its words are re-joined with ONE space (so
  tabs and runs of blanks do not survive); there are no escapes; a word starting ``#`` ends the
  line (a comment).
- A script read on stdin is wrapped in ``( cat <<_USER_\\SCRIPT_ ... _USER_SCRIPT_ ) > file``, so a
  body line ``_USER_SCRIPT_`` would end the user's script early.

Resource model: LSF allocates slots. ``-n`` counts slots and ``span[ptile=K]`` puts K slots on
each host, so the backend asks for one slot per CORE (``nodes*ppn*threads`` slots,
``ptile=ppn*threads``): this reserves ``ppn*threads`` cores per node on any LSF, with no affinity
configuration. The price: the host list LSF hands the job (LSB_HOSTS, LSB_DJOB_HOSTFILE) has one
entry per core, so start ``nodes*ppn`` MPI ranks explicitly. ``LsfBackend(affinity=True)`` writes
the process-level form instead (``-n nodes*ppn``, ``ptile=ppn``, ``affinity[core(threads)]``),
for sites that enable LSF's affinity scheduling.

Memory (per node, in the site's LSF_UNIT_FOR_LIMITS, rounded up): ``rusage[mem=M]`` reserves M on
each host (LSF's default; ``reserve_per_task=True`` for sites whose lsb.params reserves per slot);
``-M`` is the job's total, nodes*M: -M is per process by default and the sum over all the job's
processes with LSB_JOB_MEMLIMIT=y, so it never kills a job that keeps within its request.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clusterjob.backends import ClusterjobBackend, Command
from clusterjob.backends._common import (
    OptionSyntax,
    check_directive_value,
    check_job_id,
    combine_statuses,
    encode_extras,
    extra_items,
    replace_core_vars,
    response_text,
    search_job_id,
    statuses_by_job,
)
from clusterjob.errors import InvalidResourceError
from clusterjob.resources import normalize_resources
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING

if TYPE_CHECKING:
    from clusterjob.jobscript import JobScript
    from clusterjob.result import AsyncResult

__all__ = ["STATES", "LsfBackend"]

PREFIX = "#BSUB"

STATES: Mapping[str, int] = {
    "PEND": PENDING,  # waiting in a queue
    "PSUSP": PENDING,  # suspended (held) while pending
    "WAIT": PENDING,  # member of a chunk job, waiting to run
    "RUN": RUNNING,
    "USUSP": RUNNING,  # suspended by its owner while running; keeps its slots
    "SSUSP": RUNNING,  # suspended by LSF (load, run window); keeps its slots
    "UNKWN": RUNNING,  # mbatchd lost contact with the host running it; not known to be finished
    "ZOMBI": RUNNING,  # killed while its host was unreachable; LSF moves it to EXIT once it can
    "DONE": COMPLETED,  # exit status 0
    "POST_DONE": COMPLETED,  # DONE, and the post-execution processing succeeded
    "EXIT": FAILED,  # non-zero exit or killed; CANCELLED when exit_reason says a user killed it
    "POST_ERR": FAILED,  # the post-execution processing failed
}
"""Every bjobs STAT value -> a clusterjob status (EXIT is refined by the job's exit_reason)."""

_KILLED_BY_USER = re.compile(
    r"TERM_(?:FORCE_)?(?:OWNER|ADMIN)\b|TERM_BUCKET_KILL\b"
    r"|killed by (?:owner|root or LSF administrator)",
    re.IGNORECASE,
)
"""exit_reason of a job ended by bkill (its owner or an administrator), i.e. cancelled."""

BJOBS_FORMAT = "jobid stat exit_reason delimiter='^'"
"""bjobs ``-o`` fields: the id (to tell rows apart), STAT, and why an EXIT job ended."""

_SUBMITTED = re.compile(r"Job <(?P<id>\d{1,20})> is submitted to (?:default )?queue")
_ROW = re.compile(r"^\s*(?P<id>\d{1,20})\^(?P<stat>[A-Z_]+)(?:\^(?P<reason>.*))?$")
_JOB_ID = re.compile(r"\d{1,20}")
_JOB_ID_FORMS = "an LSF job id (digits, as in 'Job <123> is submitted')"

_UNITS: Mapping[str, int] = {"KB": -1, "MB": 0, "GB": 1, "TB": 2, "PB": 3, "EB": 4}
"""Powers of 1024 from MB to each LSF_UNIT_FOR_LIMITS unit (KB is 1024 times smaller)."""

_SAFE = re.compile(r"[A-Za-z0-9_./@%+=,^~:-]+")
"""Words bsub reads as they are (no quote, blank, '#', backslash or bracket)."""

_RESERVED = {
    "J": "name",
    "q": "queue",
    "W": "time",
    "n": "nodes",
    "M": "mem",
    "o": "stdout",
    "e": "stderr",
}


def _quote(value: str) -> str:
    """One bsub word: bare when safe, else in the quote character the value does not contain."""
    if _SAFE.fullmatch(value):
        return value
    return f'"{value}"' if '"' not in value else f"'{value}'"


def _check(key: str, value: object) -> str:
    """`value` as text that bsub's ``#BSUB`` reader gives back unchanged, else InvalidResourceError."""
    text = check_directive_value(key, value)
    accepted = (
        "text without a backslash, tabs, leading/trailing or doubled blanks, a word starting with "
        "'#', a leading '-', or both kinds of quote"
    )
    reason = ""
    if "\\" in text:
        reason = "bsub's handling of backslashes in #BSUB lines is undocumented"
    elif "\t" in text or "  " in text or text != text.strip(" "):
        reason = "bsub re-joins the words of a quoted value with single blanks"
    elif re.search(r"(?:^| )#", text):
        reason = "bsub reads a word starting with '#' as the start of a comment"
    elif text.startswith("-"):
        reason = "bsub could take it for an option"
    elif '"' in text and "'" in text:
        reason = "bsub has no way to quote a value holding both ' and \""
    if reason:
        raise InvalidResourceError(key, value, accepted, reason)
    return text


SYNTAX = OptionSyntax(
    prefix=PREFIX,
    quote=_quote,
    short="-{key} {value}",
    short_flag="-{key}",
    long="-{key} {value}",
    long_flag="-{key}",
    backend="lsf",
    reserved=_RESERVED,
)
"""Raw options: LSF options all take one dash (``-k value``, ``-app value``); True a bare flag."""

SUBMIT_HOST = (
    '$(if [ -n "${LSB_SUB_HOST:-}" ]; then echo "$LSB_SUB_HOST"; '
    'else bjobs -noheader -o from_host "$LSB_JOBID" 2>/dev/null; fi)'
)
"""LSB_SUB_HOST where LSF sets it; otherwise the job's FROM_HOST as bjobs reports it."""

NODELIST = (
    "$(echo $LSB_MCPU_HOSTS | "
    """awk '{for (i = 1; i < NF; i += 2) printf "%s%s", (i > 1 ? " " : ""), $i}')"""
)
"""Unique hosts from LSB_MCPU_HOSTS (``hostA 4 hostB 2``); LSB_HOSTS, one word per slot, is left
unset by LSF when it would be too long."""

CORE_VARIABLES: Mapping[str, str] = {
    "CLUSTERJOB_ID": "LSB_JOBID",
    "CLUSTERJOB_WORKDIR": "LS_SUBCWD",
    "CLUSTERJOB_SUBMIT_HOST": SUBMIT_HOST,
    "CLUSTERJOB_NAME": "LSB_JOBNAME",
    "CLUSTERJOB_NODELIST": NODELIST,
    "CLUSTERJOB_ARRAY_INDEX": "LSB_JOBINDEX",
}
"""Core placeholders -> LSF job variables, or shell expressions where LSF has no plain variable."""

_DIRECTIVE_LINE = re.compile(r"^\s*#\s*BSUB\s*-")


def check_body(body: str) -> None:
    """InvalidResourceError if bsub would read part of the body as options or as the script's end."""
    logical = re.sub(r"\\\n", "", body)  # bsub joins a line ending in a backslash with the next
    for line in logical.split("\n"):
        if _DIRECTIVE_LINE.match(line):
            raise InvalidResourceError(
                "body",
                line,
                "a body without '#BSUB -...' lines; pass bsub options as resources",
                "bsub reads #BSUB lines anywhere in the script as options",
            )
        if line.rstrip("\r") == "_USER_SCRIPT_":
            raise InvalidResourceError(
                "body",
                line,
                "a body without a line '_USER_SCRIPT_'",
                "LSF wraps the script in a here-document that this line would end",
            )


class LsfBackend(ClusterjobBackend):
    """IBM Spectrum LSF: ``bsub < script`` with ``#BSUB`` lines; status and exit reason by bjobs."""

    name = "lsf"
    extension = ".lsf"

    def __init__(
        self, mem_unit: str = "MB", affinity: bool = False, reserve_per_task: bool = False
    ) -> None:
        """Describe the site: `mem_unit` is LSF_UNIT_FOR_LIMITS (LSF 10 installs set MB), `affinity`
        asks cores by affinity[core()], `reserve_per_task` is lsb.params RESOURCE_RESERVE_PER_TASK."""
        unit = str(mem_unit).upper()
        unit = unit if unit.endswith("B") else unit + "B"
        if unit not in _UNITS:
            raise ValueError(
                f"mem_unit {mem_unit!r} is not an LSF_UNIT_FOR_LIMITS unit; use one of "
                f"{', '.join(_UNITS)} (the value of LSF_UNIT_FOR_LIMITS in lsf.conf)"
            )
        self.mem_unit = unit
        self.affinity = bool(affinity)
        self.reserve_per_task = bool(reserve_per_task)

    def _in_unit(self, megabytes: int) -> int:
        """`megabytes` in mem_unit, rounded up (a limit or reservation is never made smaller)."""
        power = _UNITS[self.mem_unit]
        if power < 0:
            return megabytes * 1024
        return -(-megabytes // (1 << (10 * power)))

    def resource_headers(self, jobscript: JobScript) -> list[str]:
        """``#BSUB`` lines for the common keys present, then the raw options (see module doc)."""
        res: dict[str, Any] = normalize_resources(jobscript.resources)
        check_body(jobscript.body)
        if str(jobscript.shell).endswith("\\"):
            raise InvalidResourceError(
                "shell", jobscript.shell, "a path not ending in '\\'", "bsub would join it to #BSUB"
            )
        lines = []
        if "name" in res:
            name = _check("name", res["name"])
            if any(char in name for char in "[]%"):
                raise InvalidResourceError(
                    "name",
                    name,
                    "a name without '[', ']' or '%'",
                    "LSF reads NAME[...]%N as a job array and its job-slot limit",
                )
            lines.append(f"{PREFIX} -J {_quote(name)}")
        if "queue" in res:
            queue = _check("queue", res["queue"])
            if " " in queue:
                raise InvalidResourceError(
                    "queue", queue, "one queue name", "bsub -q reads blanks as a list of queues"
                )
            lines.append(f"{PREFIX} -q {_quote(queue)}")
        if "time" in res:
            minutes = -(-res["time"] // 60)  # LSF run limits are whole minutes: round up
            lines.append(f"{PREFIX} -W {minutes // 60}:{minutes % 60:02d}")
        requirement = []
        nodes, ppn, threads = (res.get(key, 1) for key in ("nodes", "ppn", "threads"))
        per_host = ppn if self.affinity else ppn * threads
        if "mem" in res:
            # rusage[mem] is reserved per host by default, per slot where RESOURCE_RESERVE_PER_TASK
            # is set; the explicit 'mem=N/host' form needs LSF 10.1 FP9, so describe the site instead
            share = -(-res["mem"] // per_host) if self.reserve_per_task else res["mem"]
            requirement.append(f"rusage[mem={self._in_unit(share)}]")
        if any(key in res for key in ("nodes", "ppn", "threads")):
            lines.append(f"{PREFIX} -n {nodes * per_host}")
            requirement.append("span[hosts=1]" if nodes == 1 else f"span[ptile={per_host}]")
            if self.affinity and threads > 1:
                requirement.append(f"affinity[core({threads})]")
        if requirement:
            lines.append(f'{PREFIX} -R "{" ".join(requirement)}"')
        if "mem" in res:
            # -M is per process by default, the sum over all the job's processes where
            # LSB_JOB_MEMLIMIT=y: the job's total never kills a job within its per-node request
            lines.append(f"{PREFIX} -M {self._in_unit(res['mem'] * nodes)}")
        if "stdout" in res:
            lines.append(f"{PREFIX} -o {_quote(_check('stdout', res['stdout']))}")
        if "stderr" in res:
            lines.append(f"{PREFIX} -e {_quote(_check('stderr', res['stderr']))}")
        for key, value in extra_items(res):
            if value is not True:
                _check(key, value)
        lines.extend(encode_extras(res, SYNTAX))
        return lines

    def replace_body_vars(self, body: str) -> str:
        """``$CLUSTERJOB_*`` -> LSF variables (see CORE_VARIABLES)."""
        return replace_core_vars(body, CORE_VARIABLES)

    def cmd_submit(self, jobscript: JobScript) -> Command:
        """``bsub < SCRIPT`` as a string: bsub honours ``#BSUB`` lines only in a script on stdin."""
        return f"bsub < {shlex.quote(jobscript.script_filename)}"

    def get_job_id(self, response: str) -> str | None:
        """N from ``Job <N> is submitted to [default ]queue <Q>.`` on any line; never raises."""
        return search_job_id(response, _SUBMITTED)

    def cmd_status(self, run: AsyncResult, finished: bool = False) -> Command:
        """``bjobs -a -noheader -o "jobid stat exit_reason delimiter='^'" ID`` in both views: a
        finished job stays in bjobs for CLEAN_PERIOD (default 1 h), with why it ended."""
        return ["bjobs", "-a", "-noheader", "-o", BJOBS_FORMAT, _job_id(run)]

    def get_status(self, response: str, finished: bool = False) -> int | None:
        """Status from the ``ID^STAT^EXIT_REASON`` rows (array elements combined); None for an
        empty answer (job unknown or purged). Never raises."""
        try:
            return combine_statuses(status for _, status in _rows(response))
        except Exception:  # never raise on an answer
            return None

    def cmd_cancel(self, run: AsyncResult) -> Command:
        """``bkill ID`` (LSF sends SIGINT, SIGTERM, then SIGKILL)."""
        return ["bkill", _job_id(run)]

    def cmd_status_many(
        self, runs: Sequence[AsyncResult], finished: bool = False
    ) -> Command | None:
        """One bjobs for all runs (unknown ids go to stderr, the others still print)."""
        if not runs:
            return None
        return ["bjobs", "-a", "-noheader", "-o", BJOBS_FORMAT, *(_job_id(run) for run in runs)]

    def get_status_many(
        self, response: str, runs: Sequence[AsyncResult], finished: bool = False
    ) -> dict[str, int | None]:
        """{job id: status} for the runs with rows in the answer; never raises."""
        return statuses_by_job(response, runs, _rows)

    def __repr__(self) -> str:
        return (
            f"LsfBackend(mem_unit={self.mem_unit!r}, affinity={self.affinity!r}, "
            f"reserve_per_task={self.reserve_per_task!r})"
        )


def _job_id(run: AsyncResult) -> str:
    """The run's job id, checked to be an LSF id (so it is one argument and never an option)."""
    return check_job_id(getattr(run, "job_id", None), _JOB_ID, _JOB_ID_FORMS)


def _rows(response: object) -> list[tuple[str, int | None]]:
    """(job id, status) of each ``ID^STAT^EXIT_REASON`` line; other lines are skipped."""
    rows = []
    for line in response_text(response).splitlines():
        if len(line) > 4096:
            continue
        match = _ROW.match(line.rstrip())
        if not match:
            continue
        status = STATES.get(match.group("stat"))
        if match.group("stat") == "EXIT" and _KILLED_BY_USER.search(match.group("reason") or ""):
            status = CANCELLED
        rows.append((match.group("id"), status))
    return rows

"""The PBS/Torque backend: ``#PBS`` directives, ``qsub``/``qstat -f``/``qdel``.

qsub splits a directive line like a command line (``make_argv``): unquoted whitespace splits
arguments and a backslash takes the next character literally, but Torque keeps quote characters
in the argument (PBS Pro drops them), and a line ending in ``\\`` continues on the next. So values
are written with backslash escapes and no quotes (``_common.quote_escape``), read the same by both,
and a value ending in a backslash is refused. PBS options are one letter only: a raw option with a
longer key ``foo`` is written as the resource ``-l foo=value``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clusterjob.backends import ClusterjobBackend, Command
from clusterjob.backends._common import (
    OptionSyntax,
    check_directive_value,
    check_job_id,
    encode_extras,
    extra_items,
    parse_qstat_full,
    quote_escape,
    replace_core_vars,
    search_job_id,
    statuses_by_job,
)
from clusterjob.errors import InvalidResourceError
from clusterjob.resources import format_hms, normalize_resources
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING

if TYPE_CHECKING:
    from clusterjob.jobscript import JobScript
    from clusterjob.result import AsyncResult

__all__ = ["STATES", "PbsBackend", "exit_status_code", "hit_walltime"]

PREFIX = "#PBS"

STATES: Mapping[str, int | None] = {
    "Q": PENDING,  # queued
    "W": PENDING,  # waiting for its -a start time
    "H": PENDING,  # held
    "T": PENDING,  # being moved to a new location
    "R": RUNNING,
    "E": RUNNING,  # exiting after having run; exit status not final yet
    "S": RUNNING,  # suspended after having started
    "C": None,  # completed: decided by exit_status (see exit_status_code)
}
"""Every Torque job_state -> a clusterjob status (C: by exit_status)."""

SIGNAL_BASE = 256
"""Torque and PBS Pro report a job whose top process was killed by signal S as 256 + S."""

CANCEL_SIGNALS = frozenset({9, 15})
"""qdel sends SIGTERM, then SIGKILL after kill_delay: 256+15 (271) and 256+9 (265) mean deleted."""

NAME_MAX = 15
NAME_FORMS = (
    "a letter, then letters, digits, '_', '.', '+' or '-', at most 15 characters in all "
    "(Torque cuts default names to 15 and older servers cut given ones too)"
)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.+-]*")
_QUEUE = re.compile(r"[A-Za-z0-9_.-]+(?:@[A-Za-z0-9_.-]+)?")
_QUEUE_FORMS = "a queue name of letters, digits, '_', '.', '-' (optionally queue@server)"
_HOST_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*:/[^:]*")
_RESOURCE_VALUE = re.compile(r"[A-Za-z0-9_.:+@/%=-]+")
_RESOURCE_FORMS = "letters, digits and _ . : + @ / % = - (PBS reads a resource value up to ',')"
_CONTINUES = "a #PBS line ending in '\\' (blanks after it aside) continues on the next line"

_SUBMITTED = re.compile(
    r"^\s*(?P<id>\d{1,20}(?:\[\d{0,10}\])?\.[A-Za-z0-9][A-Za-z0-9._-]{0,253})\s*$"
)
_SUBMITTED_BARE = re.compile(r"^\s*(?P<id>\d{1,20}(?:\[\d{0,10}\])?)\s*$")
_JOB_ID = re.compile(r"\d{1,20}(?:\[\d{0,10}\])?(?:\.[A-Za-z0-9][A-Za-z0-9._-]{0,253})?")
_JOB_ID_FORMS = "a PBS job id such as 123.server or 123[].server"

CORE_VARIABLES: Mapping[str, str] = {
    "CLUSTERJOB_ID": "PBS_JOBID",
    "CLUSTERJOB_WORKDIR": "PBS_O_WORKDIR",
    "CLUSTERJOB_SUBMIT_HOST": "PBS_O_HOST",
    "CLUSTERJOB_NAME": "PBS_JOBNAME",
    # PBS sets no host-list variable: PBS_NODEFILE lists one line per core (Torque) or per MPI
    # process (PBS Pro); the unique hosts, comma-separated, are the job's nodes.
    "CLUSTERJOB_NODELIST": '$(sort -u "$PBS_NODEFILE" | paste -sd, -)',
    "CLUSTERJOB_ARRAY_INDEX": "PBS_ARRAYID",
}
"""Core placeholders -> what Torque sets in a job (the node list is computed from PBS_NODEFILE)."""


def exit_status_code(value: str | None, hit_walltime: bool = False) -> int | None:
    """Final status from a finished job's exit status (Torque ``exit_status``, PBS Pro
    ``Exit_status``).

    0 is COMPLETED. 256+S means the job's shell was killed by signal S: S = SIGTERM or SIGKILL is
    how qdel ends a job, so CANCELLED, unless the job had used up its walltime (`hit_walltime`):
    MoM kills a job over its limit with the same signals (a Torque tracejob sample shows 265), so
    FAILED. Other signals are FAILED. Negative values are the server's JOB_EXEC_* codes (could not
    start; over a limit: Torque -10 memory, -11 walltime, PBS Pro -29 walltime), FAILED; any other
    value (including 128+S, the shell's report of a child killed by S) is FAILED. A finished job
    without an exit status never ran: it was deleted while queued, so CANCELLED.
    """
    if value is None or not value.strip():
        return CANCELLED
    try:
        number = int(value.strip())
    except ValueError:
        return None
    if number == 0:
        return COMPLETED
    if number > SIGNAL_BASE and number - SIGNAL_BASE in CANCEL_SIGNALS:
        return FAILED if hit_walltime else CANCELLED
    return FAILED


def _seconds(text: str | None) -> int | None:
    """Seconds of a PBS duration ``[[[D:]H:]M:]S`` (or plain seconds); None if it is not one."""
    if not text:
        return None
    parts = text.strip().split(":")
    if len(parts) > 4 or not all(part.isdigit() and part.isascii() for part in parts):
        return None
    total = 0
    for part, factor in zip(reversed(parts), (1, 60, 3600, 86400), strict=False):
        total += int(part) * factor
    return total


def hit_walltime(attrs: Mapping[str, str]) -> bool:
    """True when qstat shows the job used at least its walltime limit (so a kill was MoM's)."""
    used = _seconds(attrs.get("resources_used.walltime"))
    limit = _seconds(attrs.get("Resource_List.walltime"))
    return used is not None and limit is not None and used >= limit


def pbs_name(value: str, max_length: int = NAME_MAX, forms: str = NAME_FORMS) -> str:
    """A job name qsub's ``-N`` takes unchanged (first a letter, then a safe character set)."""
    text = check_directive_value("name", value, accepted=forms)
    if not _NAME.fullmatch(text):
        raise InvalidResourceError("name", value, forms, "PBS would reject or alter it")
    if len(text) > max_length:
        raise InvalidResourceError("name", value, forms, f"longer than {max_length} characters")
    return text


def pbs_queue(value: str) -> str:
    """A destination for ``-q``: queue or queue@server, nothing qsub would read differently."""
    text = check_directive_value("queue", value, accepted=_QUEUE_FORMS)
    if not _QUEUE.fullmatch(text):
        raise InvalidResourceError("queue", value, _QUEUE_FORMS)
    return text


def pbs_path(key: str, value: str) -> str:
    """An output path for ``-o``/``-e``, quoted; qsub reads ``host:path``, so a ':' is only
    accepted as ``host:/absolute/path`` (``login1:/home/me/out``)."""
    text = pbs_token(key, value)
    if ":" in text and not _HOST_PATH.fullmatch(text):
        raise InvalidResourceError(
            key,
            value,
            "a path without ':', or host:/absolute/path",
            "qsub reads the part before ':' as a host name",
        )
    return quote_escape(text)


def pbs_token(key: str, value: object) -> str:
    """A value for one directive argument: checked, and not ending in a backslash or a blank
    (escaped, a trailing blank would leave a backslash at the end of the line)."""
    text = check_directive_value(key, value)
    if text.endswith("\\") or text[-1].isspace():
        raise InvalidResourceError(key, value, "a value not ending in '\\' or a blank", _CONTINUES)
    return text


def pbs_extras(resources: Mapping[str, Any], syntax: OptionSyntax) -> list[str]:
    """Raw options: one-letter keys as ``-k value`` (quoted), longer keys as the resource
    ``-l key=value`` (True as ``-l key=true``), whose values must be plain (PBS splits on ',')."""
    for key, value in extra_items(resources):
        if key in syntax.reserved or value is True:
            continue
        if len(key) > 1:
            text = check_directive_value(key, value, accepted=_RESOURCE_FORMS)
            if not _RESOURCE_VALUE.fullmatch(text):
                raise InvalidResourceError(key, value, _RESOURCE_FORMS, "not a plain value")
        else:
            pbs_token(key, value)
    return encode_extras(resources, syntax)


def pbs_blocks(response: object) -> list[tuple[str, dict[str, str]]]:
    """The qstat -f job blocks that hold a job_state."""
    return [(job_id, attrs) for job_id, attrs in parse_qstat_full(response) if "job_state" in attrs]


def same_job(block_id: str, job_id: str) -> bool:
    """A qstat ``Job Id`` and a qsub id name the same job when their sequence parts match (qstat
    may print the server's full name, qsub a short one); ``123[]`` also matches its sub-jobs."""
    block_seq = block_id.split(".", 1)[0]
    seq = job_id.split(".", 1)[0]
    if seq.endswith("[]"):
        return block_seq.startswith(seq[:-1]) and block_seq.endswith("]")
    return block_seq == seq


def sequence_part(job_id: str) -> str:
    """The part of a PBS job id before the server name (``123[].srv`` -> ``123[]``)."""
    return job_id.split(".", 1)[0]


def block_jobs(block_id: str) -> list[str]:
    """The sequence parts of every job id a qstat block belongs to by same_job: its own, and for
    a block ending in ``]`` each ``X[]`` with ``X[`` a prefix (a sub-job of the array ``X[]``)."""
    block_seq = sequence_part(block_id)
    keys = [block_seq]
    if block_seq.endswith("]"):
        for index, char in enumerate(block_seq):
            if char == "[":
                keys.append(block_seq[: index + 1] + "]")
    return keys


def _torque_status(attrs: Mapping[str, str]) -> int | None:
    state = attrs.get("job_state", "").strip().upper()
    if state == "C":
        return exit_status_code(attrs.get("exit_status"), hit_walltime(attrs))
    return STATES.get(state)


SYNTAX = OptionSyntax(
    prefix=PREFIX,
    quote=quote_escape,
    long="-l {key}={value}",
    long_flag="-l {key}=true",
    backend="pbs",
    reserved={"N": "name", "q": "queue", "o": "stdout", "e": "stderr", "walltime": "time"},
)


def pbs_headers(
    res: Mapping[str, Any],
    syntax: OptionSyntax,
    allocation: Callable[[Mapping[str, Any]], list[str]],
    name: Callable[[str], str] = pbs_name,
) -> list[str]:
    """The ``#PBS`` lines of both PBS flavours, in order: ``-N`` (checked by `name`), ``-q``,
    ``-l walltime``, then the flavour's `allocation` lines, ``-o``, ``-e`` and the raw options."""
    lines = []
    if "name" in res:
        lines.append(f"{PREFIX} -N {name(res['name'])}")
    if "queue" in res:
        lines.append(f"{PREFIX} -q {pbs_queue(res['queue'])}")
    if "time" in res:
        lines.append(f"{PREFIX} -l walltime={format_hms(res['time'])}")
    lines.extend(allocation(res))
    if "stdout" in res:
        lines.append(f"{PREFIX} -o {pbs_path('stdout', res['stdout'])}")
    if "stderr" in res:
        lines.append(f"{PREFIX} -e {pbs_path('stderr', res['stderr'])}")
    lines.extend(pbs_extras(res, syntax))
    return lines


def _torque_allocation(res: Mapping[str, Any]) -> list[str]:
    """Torque's ``-l nodes=N:ppn=P*T`` and job-wide ``-l mem=<N*M>mb``."""
    lines = []
    if any(key in res for key in ("nodes", "ppn", "threads")):
        spec = f"nodes={res.get('nodes', 1)}"
        if "ppn" in res or "threads" in res:
            spec += f":ppn={res.get('ppn', 1) * res.get('threads', 1)}"
        lines.append(f"{PREFIX} -l {spec}")
    if "mem" in res:
        lines.append(f"{PREFIX} -l mem={res['mem'] * res.get('nodes', 1)}mb")
    return lines


class PbsBackend(ClusterjobBackend):
    """PBS/Torque: ``qsub`` script with ``#PBS`` directives; ``qstat -f`` shows finished jobs as
    state C with exit_status for keep_completed seconds."""

    name = "pbs"
    extension = ".pbs"
    core_variables: Mapping[str, str] = CORE_VARIABLES
    syntax: OptionSyntax = SYNTAX

    def resource_headers(self, jobscript: JobScript) -> list[str]:
        """``#PBS`` lines for the common keys present, then raw options.

        Torque's ppn counts cores, so nodes x ppn processes x threads is ``-l nodes=N:ppn=P*T``
        (Torque cannot say how the cores split into processes). Torque's ``mem`` limits the whole
        job, so mem per node M is written as ``-l mem=<N*M>mb``; ``pmem`` would be per process
        and not exact. time is ``-l walltime=HH:MM:SS``.
        """
        res: dict[str, Any] = normalize_resources(jobscript.resources)
        return pbs_headers(res, self.syntax, _torque_allocation)

    def replace_body_vars(self, body: str) -> str:
        """``$CLUSTERJOB_*`` -> PBS_* variables; the node list from ``$PBS_NODEFILE``."""
        return replace_core_vars(body, self.core_variables)

    def cmd_submit(self, jobscript: JobScript) -> Command:
        """``qsub <script>``."""
        return ["qsub", jobscript.script_filename]

    def get_job_id(self, response: str) -> str | None:
        """The full ``N.server`` (or ``N[].server``) line of qsub's answer (qstat and qdel need
        the whole id), else a bare ``N`` line (Torque-compatible front ends); None when no line is
        one. Never raises."""
        return search_job_id(response, _SUBMITTED) or search_job_id(response, _SUBMITTED_BARE)

    def cmd_status(self, run: AsyncResult, finished: bool = False) -> Command:
        """``qstat -f ID``: Torque keeps finished jobs (state C) for keep_completed seconds."""
        return ["qstat", "-f", check_job_id(run.job_id, _JOB_ID, _JOB_ID_FORMS)]

    def get_status(self, response: str, finished: bool = False) -> int | None:
        """Status from the first job block of ``qstat -f``; None for an empty answer. Never
        raises."""
        try:
            blocks = pbs_blocks(response)
            return self._status(blocks[0][1]) if blocks else None
        except Exception:  # never raise on an answer
            return None

    def _status(self, attrs: Mapping[str, str]) -> int | None:
        return _torque_status(attrs)

    def cmd_cancel(self, run: AsyncResult) -> Command:
        """``qdel ID``."""
        return ["qdel", check_job_id(run.job_id, _JOB_ID, _JOB_ID_FORMS)]

    def cmd_status_many(
        self, runs: Sequence[AsyncResult], finished: bool = False
    ) -> Command | None:
        """``qstat -f ID1 ID2 ...``: unknown ids go to stderr (rc 153), the others to stdout."""
        if not runs:
            return None
        return ["qstat", "-f", *(check_job_id(r.job_id, _JOB_ID, _JOB_ID_FORMS) for r in runs)]

    def get_status_many(
        self, response: str, runs: Sequence[AsyncResult], finished: bool = False
    ) -> dict[str, int | None]:
        """{job id: status} for the runs with a block in the answer (matched by sequence number,
        array sub-jobs combined); never raises."""
        return statuses_by_job(response, runs, pbs_blocks, self._status, block_jobs, sequence_part)

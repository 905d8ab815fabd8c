"""The PBS Pro / OpenPBS backend: ``#PBS`` directives with ``select`` chunks, ``qsub``/``qstat``/
``qdel``; finished jobs are seen with ``qstat -x`` (needs job_history_enable on the server).

Directive tokenizing, quoting and raw options are as for Torque (see clusterjob.backends.pbs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clusterjob.backends import Command
from clusterjob.backends._common import (
    OptionSyntax,
    check_job_id,
    quote_escape,
)
from clusterjob.backends.pbs import (
    CORE_VARIABLES as TORQUE_VARIABLES,
)
from clusterjob.backends.pbs import (
    PREFIX,
    PbsBackend,
    exit_status_code,
    hit_walltime,
    pbs_headers,
    pbs_name,
)
from clusterjob.errors import InvalidResourceError
from clusterjob.resources import normalize_resources
from clusterjob.status import PENDING, RUNNING

if TYPE_CHECKING:
    from clusterjob.jobscript import JobScript
    from clusterjob.result import AsyncResult

__all__ = ["STATES", "PbsProBackend"]

STATES: Mapping[str, int | None] = {
    "Q": PENDING,  # queued
    "W": PENDING,  # waiting for its -a start time
    "H": PENDING,  # held
    "T": PENDING,  # being moved
    "M": PENDING,  # moved to another server, where it goes on
    "R": RUNNING,
    "B": RUNNING,  # array job: at least one sub-job has begun
    "E": RUNNING,  # exiting; exit status not final yet
    "S": RUNNING,  # suspended after having started
    "U": RUNNING,  # suspended because its workstation became busy
    "F": None,  # finished: decided by Exit_status (see pbs.exit_status_code)
    "X": None,  # finished sub-job of an array: decided by Exit_status
}
"""Every PBS Pro job_state -> a clusterjob status (F and X: by Exit_status)."""

NAME_MAX = 236
NAME_FORMS = "a letter, then letters, digits, '_', '.', '+' or '-', at most 236 characters in all"

CORE_VARIABLES: Mapping[str, str] = {
    **TORQUE_VARIABLES,
    "CLUSTERJOB_ARRAY_INDEX": "PBS_ARRAY_INDEX",
}
"""As Torque's, but PBS Pro names the array index PBS_ARRAY_INDEX."""

_SCATTER = frozenset({"scatter", "vscatter"})
_JOB_ID = re.compile(r"\d{1,20}(?:\[\d{0,10}\])?(?:\.[A-Za-z0-9][A-Za-z0-9._-]{0,253})?")
_JOB_ID_FORMS = "a PBS job id such as 123.server or 123[].server"

SYNTAX = OptionSyntax(
    prefix=PREFIX,
    quote=quote_escape,
    long="-l {key}={value}",
    long_flag="-l {key}=true",
    backend="pbspro",
    reserved={
        "N": "name",
        "q": "queue",
        "o": "stdout",
        "e": "stderr",
        "walltime": "time",
        "select": "nodes/ppn/threads/mem",
        "ncpus": "ppn/threads",
        "mpiprocs": "ppn",
        "ompthreads": "threads",
    },
)
"""Raw options as for Torque; job-wide ncpus/mpiprocs/ompthreads would clash with select."""


def _name(value: str) -> str:
    """A Job_Name PBS Pro takes (longer than Torque's)."""
    return pbs_name(value, NAME_MAX, NAME_FORMS)


def _select_lines(res: Mapping[str, Any]) -> list[str]:
    """One ``select`` chunk per node, and ``place=scatter`` when there are several nodes."""
    lines = []
    nodes = res.get("nodes", 1)
    if any(key in res for key in ("nodes", "ppn", "threads", "mem")):
        ppn, threads = res.get("ppn", 1), res.get("threads", 1)
        chunk = f"select={nodes}:ncpus={ppn * threads}:mpiprocs={ppn}:ompthreads={threads}"
        if "mem" in res:
            chunk += f":mem={res['mem']}mb"
        lines.append(f"{PREFIX} -l {chunk}")
    place = res.get("place")
    if nodes > 1:
        if place is None or place is False:
            lines.append(f"{PREFIX} -l place=scatter")
        elif not _SCATTER & set(str(place).split(":")):
            raise InvalidResourceError(
                "place",
                place,
                "a placement with 'scatter' or 'vscatter', e.g. 'scatter:excl'",
                f"nodes={nodes} needs each chunk on its own host",
            )
    return lines


class PbsProBackend(PbsBackend):
    """PBS Pro / OpenPBS: ``-l select=`` chunks, one per node; ``qstat -fx`` for finished jobs."""

    name = "pbspro"
    extension = ".pbs"
    core_variables: Mapping[str, str] = CORE_VARIABLES
    syntax: OptionSyntax = SYNTAX

    def resource_headers(self, jobscript: JobScript) -> list[str]:
        """``#PBS`` lines for the common keys present, then raw options.

        nodes x ppn x threads (and mem per node) is one chunk per node:
        ``-l select=N:ncpus=P*T:mpiprocs=P:ompthreads=T[:mem=Mmb]`` (absent counts are 1), plus
        ``-l place=scatter`` when N > 1 so no two chunks share a host. A raw ``place`` replaces
        that line but must keep ``scatter``/``vscatter`` for N > 1. time is
        ``-l walltime=HH:MM:SS``.
        """
        res: dict[str, Any] = normalize_resources(jobscript.resources)
        return pbs_headers(res, self.syntax, _select_lines, _name)

    def cmd_status(self, run: AsyncResult, finished: bool = False) -> Command:
        """``qstat -f ID`` while queued/running; ``qstat -fx ID`` (history) once finished."""
        job_id = check_job_id(run.job_id, _JOB_ID, _JOB_ID_FORMS)
        return ["qstat", "-fx" if finished else "-f", job_id]

    def _status(self, attrs: Mapping[str, str]) -> int | None:
        state = attrs.get("job_state", "").strip().upper()
        if state in ("F", "X"):
            exit_status = attrs.get("Exit_status", attrs.get("exit_status"))
            return exit_status_code(exit_status, hit_walltime(attrs))
        return STATES.get(state)

    def cmd_status_many(
        self, runs: Sequence[AsyncResult], finished: bool = False
    ) -> Command | None:
        """``qstat -f`` (or ``-fx``) with every id; unknown or (without -x) finished ids go to
        stderr with a non-zero exit code while the others are still printed."""
        if not runs:
            return None
        ids = [check_job_id(run.job_id, _JOB_ID, _JOB_ID_FORMS) for run in runs]
        return ["qstat", "-fx" if finished else "-f", *ids]

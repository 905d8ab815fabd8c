"""The SLURM backend: ``#SBATCH`` directives, ``sbatch``/``squeue``/``sacct``/``scancel``.

Facts used (docs/reference/scheduler-cli.md and Slurm's sbatch ``get_argument``): directive
arguments split shell-style, a backslash escapes the next character even inside quotes, an
unquoted ``#`` starts a comment, an argument may not start with ``:``, and a directive line holding
the word ``hetjob``/``packjob`` anywhere separates heterogeneous job components.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clusterjob.backends import ClusterjobBackend, Command
from clusterjob.backends._common import (
    OptionSyntax,
    check_directive_value,
    check_job_id,
    combine_statuses,
    encode_extras,
    quote_backslash,
    replace_core_vars,
    response_text,
    search_job_id,
    statuses_by_job,
)
from clusterjob.errors import InvalidResourceError
from clusterjob.resources import format_dhms, normalize_resources
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING

if TYPE_CHECKING:
    from clusterjob.jobscript import JobScript
    from clusterjob.result import AsyncResult

__all__ = ["STATES", "SlurmBackend"]

PREFIX = "#SBATCH"

STATES: Mapping[str, int] = {
    # waiting for resources, or back in the queue
    "PENDING": PENDING,
    "PD": PENDING,
    "CONFIGURING": PENDING,  # nodes booting; the job has not started its script
    "CF": PENDING,
    "REQUEUED": PENDING,
    "RQ": PENDING,
    "REQUEUE_HOLD": PENDING,
    "RH": PENDING,
    "REQUEUE_FED": PENDING,
    "RF": PENDING,
    "RESV_DEL_HOLD": PENDING,
    "RD": PENDING,
    "SPECIAL_EXIT": PENDING,  # requeued and held after a special exit value; not final
    "SE": PENDING,
    # holds an allocation; the final state is not known yet
    "RUNNING": RUNNING,
    "R": RUNNING,
    "COMPLETING": RUNNING,  # processes still being cleaned up; may yet end COMPLETED or FAILED
    "CG": RUNNING,
    "SUSPENDED": RUNNING,  # started, then suspended; keeps its allocation
    "S": RUNNING,
    "STOPPED": RUNNING,
    "ST": RUNNING,
    "SIGNALING": RUNNING,
    "SI": RUNNING,
    "STAGE_OUT": RUNNING,
    "SO": RUNNING,
    "RESIZING": RUNNING,
    "RS": RUNNING,
    # final
    "COMPLETED": COMPLETED,
    "CD": COMPLETED,
    "CANCELLED": CANCELLED,  # scancel (sacct: 'CANCELLED by <uid>')
    "CA": CANCELLED,
    "REVOKED": CANCELLED,  # federation: a sibling started elsewhere, this copy was withdrawn
    "RV": CANCELLED,
    "FAILED": FAILED,
    "F": FAILED,
    "TIMEOUT": FAILED,
    "TO": FAILED,
    "NODE_FAIL": FAILED,
    "NF": FAILED,
    "OUT_OF_MEMORY": FAILED,
    "OOM": FAILED,
    "BOOT_FAIL": FAILED,
    "BF": FAILED,
    "DEADLINE": FAILED,  # ended by its --deadline, not by a user
    "DL": FAILED,
    "PREEMPTED": FAILED,  # killed for another job and not requeued (a requeue shows REQUEUED)
    "PR": FAILED,
    "LAUNCH_FAILED": FAILED,
}
"""Every documented SLURM state (long names and squeue's short codes) -> a clusterjob status."""

_LONG_STATES = tuple(name for name in STATES if len(name) > 3)

_SUBMITTED = re.compile(r"Submitted batch job (?P<id>\d{1,20})\b")
_PARSABLE = re.compile(r"^\s*(?P<id>\d{1,20})(?:;[^\s;]+)?\s*$")
_JOB_ID = re.compile(r"\d{1,20}(?:_\d{1,10}|\+\d{1,10})?")
_JOB_ID_FORMS = "a SLURM job id such as 123, 123_4 (array task) or 123+1 (het job component)"
_SACCT_FORMAT = "--format=JobID,State,ExitCode"

_RESERVED = {
    "job-name": "name",
    "J": "name",
    "partition": "queue",
    "p": "queue",
    "time": "time",
    "t": "time",
    "nodes": "nodes",
    "N": "nodes",
    "ntasks-per-node": "ppn",
    "cpus-per-task": "threads",
    "c": "threads",
    "mem": "mem",
    "output": "stdout",
    "o": "stdout",
    "error": "stderr",
    "e": "stderr",
}

_HETJOB_WORDS = ("hetjob", "packjob")
_HETJOB_WHY = "sbatch takes any #SBATCH line holding this word as a heterogeneous-job separator"

SYNTAX = OptionSyntax(
    prefix=PREFIX,
    quote=quote_backslash,
    dash_underscores=True,
    forbidden_words=_HETJOB_WORDS,
    why=_HETJOB_WHY,
    backend="slurm",
    reserved=_RESERVED,
)
"""Raw options: ``-k value``, ``--long-key=value`` (``_`` written as ``-``), flags bare."""

CORE_VARIABLES: Mapping[str, str] = {
    "CLUSTERJOB_ID": "SLURM_JOB_ID",
    "CLUSTERJOB_WORKDIR": "SLURM_SUBMIT_DIR",
    "CLUSTERJOB_SUBMIT_HOST": "SLURM_SUBMIT_HOST",
    "CLUSTERJOB_NAME": "SLURM_JOB_NAME",
    "CLUSTERJOB_NODELIST": "SLURM_JOB_NODELIST",  # compressed hostlist, e.g. node[01-03]
    "CLUSTERJOB_ARRAY_INDEX": "SLURM_ARRAY_TASK_ID",
}
"""Core placeholders -> the variables slurmd sets in every batch job."""


def _text(key: str, value: str) -> str:
    """A name/partition/path checked for sbatch and quoted as one literal argument."""
    return quote_backslash(
        check_directive_value(key, value, forbidden_words=_HETJOB_WORDS, why=_HETJOB_WHY)
    )


def _path(key: str, value: str) -> str:
    """An output path: besides _text's checks, sbatch reads 'none' as /dev/null and drops
    backslashes (a backslash switches off %-patterns), so both would change the file written."""
    if value.strip().lower() == "none":
        raise InvalidResourceError(
            key, value, "a path; write /dev/null to discard", "sbatch reads 'none' as /dev/null"
        )
    if "\\" in value:
        raise InvalidResourceError(
            key, value, "a path without '\\'", "sbatch removes backslashes from output paths"
        )
    return _text(key, value)


def _state_code(token: str) -> int | None:
    """Status of one State field: 'CANCELLED by 0' -> CANCELLED; a name cut by sacct's column
    width ('CANCELLED+', 'OUT_OF_ME+') is matched by its prefix when that is unambiguous."""
    words = token.split()
    if not words:
        return None
    state = words[0].upper()
    if state in STATES:
        return STATES[state]
    if state.endswith("+"):
        stem = state.rstrip("+")
        if stem in STATES:
            return STATES[stem]
        matches = {STATES[name] for name in _LONG_STATES if stem and name.startswith(stem)}
        if len(matches) == 1:
            return matches.pop()
    return None


def _rows(response: object) -> list[tuple[str, str]]:
    """(job id or '', state) from squeue (``%T`` or ``%i %T``) or sacct (``-P`` or padded)."""
    rows = []
    for line in response_text(response).splitlines():
        if len(line) > 4096 or not line.strip():
            continue
        if "|" in line:
            fields = line.split("|")
            job_id, state = fields[0].strip(), fields[1].strip() if len(fields) > 1 else ""
        else:
            fields = line.split()
            if len(fields) == 1:
                job_id, state = "", fields[0]
            else:
                job_id, state = fields[0], fields[1]
        rows.append((job_id, state))
    return rows


def _belongs(row_id: str, job_id: str) -> bool:
    """True for the job's own row and its array tasks/het components (123_4, 123+1)."""
    return row_id == job_id or (
        row_id.startswith(job_id) and row_id[len(job_id) : len(job_id) + 1] in ("_", "+")
    )


def _row_jobs(row_id: str) -> list[str]:
    """Every job id a row belongs to by _belongs: the row id itself and each prefix that ends
    before a '_' or '+' (``123_4`` -> ``123_4``, ``123``), so the lookup is by dict."""
    if "_" not in row_id and "+" not in row_id:
        return [row_id]
    keys = [row_id]
    for index, char in enumerate(row_id):
        if char in "_+":
            keys.append(row_id[:index])
    return keys


class SlurmBackend(ClusterjobBackend):
    """SLURM: ``sbatch`` script with ``#SBATCH`` directives; status by squeue, then sacct."""

    name = "slurm"
    extension = ".slr"

    def resource_headers(self, jobscript: JobScript) -> list[str]:
        """``#SBATCH`` lines for every common key present (nothing for absent ones), then the raw
        options. nodes x ppn tasks (``--ntasks-per-node``), threads as ``--cpus-per-task``, mem as
        ``--mem`` in MB per node (sbatch's default unit), time as ``D-HH:MM:SS``."""
        res: dict[str, Any] = normalize_resources(jobscript.resources)
        lines = []
        if "name" in res:
            lines.append(f"{PREFIX} --job-name={_text('name', res['name'])}")
        if "queue" in res:
            lines.append(f"{PREFIX} --partition={_text('queue', res['queue'])}")
        if "time" in res:
            lines.append(f"{PREFIX} --time={format_dhms(res['time'])}")
        if "nodes" in res:
            lines.append(f"{PREFIX} --nodes={res['nodes']}")
        if "ppn" in res:
            lines.append(f"{PREFIX} --ntasks-per-node={res['ppn']}")
        if "threads" in res:
            lines.append(f"{PREFIX} --cpus-per-task={res['threads']}")
        if "mem" in res:
            lines.append(f"{PREFIX} --mem={res['mem']}")
        if "stdout" in res:
            lines.append(f"{PREFIX} --output={_path('stdout', res['stdout'])}")
        if "stderr" in res:
            lines.append(f"{PREFIX} --error={_path('stderr', res['stderr'])}")
        lines.extend(encode_extras(res, SYNTAX))
        return lines

    def replace_body_vars(self, body: str) -> str:
        """``$CLUSTERJOB_*`` -> the SLURM_* variables (see CORE_VARIABLES)."""
        return replace_core_vars(body, CORE_VARIABLES)

    def cmd_submit(self, jobscript: JobScript) -> Command:
        """``sbatch <script>`` (plain output, ``Submitted batch job N``)."""
        return ["sbatch", jobscript.script_filename]

    def get_job_id(self, response: str) -> str | None:
        """N from ``Submitted batch job N`` anywhere in the answer, else a line that is ``N`` or
        ``N;cluster`` (``--parsable``); None otherwise. Never raises."""
        return search_job_id(response, _SUBMITTED) or search_job_id(response, _PARSABLE)

    def cmd_status(self, run: AsyncResult, finished: bool = False) -> Command:
        """``squeue -h -o %T -j ID`` while queued/running; ``sacct`` once the job has left squeue."""
        job_id = check_job_id(run.job_id, _JOB_ID, _JOB_ID_FORMS)
        if finished:
            return ["sacct", "-n", "-X", "-P", "-j", job_id, _SACCT_FORMAT]
        return ["squeue", "-h", "-o", "%T", "-j", job_id]

    def get_status(self, response: str, finished: bool = False) -> int | None:
        """Status from squeue's state line or sacct's ``ID|STATE|EXIT`` rows (padded, truncated
        ``CANCELLED+`` and ``CANCELLED by N`` too); None for an empty answer. Never raises."""
        try:
            return combine_statuses(_state_code(state) for _, state in _main_rows(response))
        except Exception:  # never raise on an answer
            return None

    def cmd_cancel(self, run: AsyncResult) -> Command:
        """``scancel ID`` (silent, rc 0, even for finished jobs)."""
        return ["scancel", check_job_id(run.job_id, _JOB_ID, _JOB_ID_FORMS)]

    def cmd_status_many(
        self, runs: Sequence[AsyncResult], finished: bool = False
    ) -> Command | None:
        """One squeue (``%i %T``) or sacct for all runs; squeue leaves unknown ids out (rc 0 when
        several are asked, rc 1 for a single unknown one)."""
        if not runs:
            return None
        ids = ",".join(check_job_id(run.job_id, _JOB_ID, _JOB_ID_FORMS) for run in runs)
        if finished:
            return ["sacct", "-n", "-X", "-P", "-j", ids, _SACCT_FORMAT]
        return ["squeue", "-h", "-o", "%i %T", "-j", ids]

    def get_status_many(
        self, response: str, runs: Sequence[AsyncResult], finished: bool = False
    ) -> dict[str, int | None]:
        """{job id: status} for the runs whose rows are in the answer; never raises."""
        return statuses_by_job(response, runs, _rows, _state_code, _row_jobs)


def _main_rows(response: object) -> list[tuple[str, str]]:
    """The allocation rows of an answer: sacct step rows (``123.batch``) only when there is
    nothing else."""
    rows = _rows(response)
    main = [row for row in rows if "." not in row[0]]
    return main or rows

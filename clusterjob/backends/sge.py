"""The Grid Engine backend (SGE, Son of Grid Engine): ``#$`` directives, ``qsub``/``qstat``/
``qacct``/``qdel``.

Facts used (docs/reference/scheduler-cli.md; Grid Engine's ``parse_script``, ``string_list`` and
``sge_strip_quotes``; sge_types(1)):

- qsub reads every line of the script that starts with ``#$`` at column 0, in the WHOLE file.
- A directive line splits at blanks; a quote keeps blanks inside a word, but a quoted word only
  ends at the end of the line (so each line here holds one option with its value last), and every
  ``'`` and ``"`` is then deleted: a value cannot hold a quote character.
- Job names may not start with a digit (qmaster's object_verify_name) nor hold a tab or any of
  ``/:@\\*?`` (qsub's verify_str_key), and must be printable ASCII without blanks (seen on 8.1.9: a blank, control or
  non-ASCII character gives "Unable to run job: Error reading answer list from qmaster");
  output paths are ``[host:]path[,...]``, so ``:`` and ``,`` would change the file written.

Resource model: more than one slot needs a parallel environment (PE), named by the site:
``SgeBackend(pe="mpi", pe_smp="smp")``. ``-pe PE N`` asks for exactly N = nodes*ppn*threads slots
(one per core); how they spread over hosts is the PE's ``allocation_rule``: ``$pe_slots`` keeps them
on one host (right for ``pe_smp``), a fixed number K puts K on each host. A PE name may hold
``{per_node}`` (``pe="mpi{per_node}"``) for sites with one fixed-rule PE per cores-per-node count.
Memory (``h_vmem`` by default) is a per-slot limit in Grid Engine: mem/(ppn*threads), rounded up.
``-cwd`` makes the job start where it was submitted (as on SLURM and LSF; Grid Engine would start
it in $HOME); ``-S`` runs it with the script's own shell whatever the queue's shell_start_mode.
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
    extra_items,
    replace_core_vars,
    response_text,
    search_job_id,
    statuses_by_job,
    unsupported,
)
from clusterjob.errors import InvalidResourceError
from clusterjob.resources import format_hms, normalize_resources
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING

if TYPE_CHECKING:
    from clusterjob.jobscript import JobScript
    from clusterjob.result import AsyncResult

__all__ = ["STATE_LETTERS", "SgeBackend"]

PREFIX = "#$"

STATE_LETTERS: Mapping[str, tuple[int, int | None]] = {
    "d": (5, CANCELLED),  # deletion requested (dr, dt, dqw): irrevocable, and a job deleted while
    #                       waiting leaves no accounting record, so this is the only trace of it
    "E": (4, FAILED),  # error state (Eqw): never runs unless an administrator clears it
    "r": (3, RUNNING),
    "t": (3, RUNNING),  # being transferred to its host, i.e. starting
    "s": (3, RUNNING),  # suspended (qmod -sj) after starting; keeps its slots
    "S": (3, RUNNING),  # its queue is suspended
    "T": (3, RUNNING),  # suspended by a load threshold
    "q": (2, PENDING),
    "w": (2, PENDING),
    "h": (2, PENDING),  # on hold
    "R": (0, None),  # restarted: the other letters tell (Rr running, Rq waiting)
}
"""qstat state letters -> (precedence, status): a state such as ``hqw`` or ``dr`` has the status of
its highest-precedence letter; a state with any other letter is unknown (None)."""

_SUBMITTED = re.compile(
    r"Your job(?:-array)? (?P<id>\d{1,20})(?:\.\d+-\d+:\d+)? \(.*\) has been submitted"
)
_TERSE = re.compile(r"^\s*(?P<id>\d{1,20})(?:\.\d+-\d+:\d+)?\s*$")
_JOB_ID = re.compile(r"\d{1,20}")
_JOB_ID_FORMS = "a Grid Engine job id (digits, as in 'Your job 123 (...) has been submitted')"

_JOB_NUMBER = re.compile(r"^job_number:\s*(\d+)\s*$", re.MULTILINE)
_USAGE = re.compile(r"^usage\s+\d+:", re.MULTILINE)
_ERROR_REASON = re.compile(r"^error reason\s+\d+:", re.MULTILINE)
_QACCT_SEPARATOR = re.compile(r"^=+\s*$")

_NAME_FORBIDDEN = "\t/:@\\*?"
_PE_NAME = re.compile(r"[A-Za-z0-9_.*?+-]+")

_RESERVED = {"N": "name", "q": "queue", "o": "stdout", "e": "stderr", "pe": "nodes", "S": "shell"}

SUBMIT_HOST = "SGE_O_HOST"

NODELIST = (
    '$(if [ -n "${PE_HOSTFILE:-}" ] && [ -r "$PE_HOSTFILE" ]; then '
    """awk '{printf "%s%s", (NR > 1 ? " " : ""), $1}' "$PE_HOSTFILE"; """
    'else echo "$HOSTNAME"; fi)'
)
"""The hosts of PE_HOSTFILE (first column, one line per host), or $HOSTNAME without a PE."""

CORE_VARIABLES: Mapping[str, str] = {
    "CLUSTERJOB_ID": "JOB_ID",
    "CLUSTERJOB_WORKDIR": "SGE_O_WORKDIR",
    "CLUSTERJOB_SUBMIT_HOST": SUBMIT_HOST,
    "CLUSTERJOB_NAME": "JOB_NAME",
    "CLUSTERJOB_NODELIST": NODELIST,
    "CLUSTERJOB_ARRAY_INDEX": "SGE_TASK_ID",  # 'undefined' outside array jobs
}
"""Core placeholders -> the variables Grid Engine sets in every job (NODELIST: an expression)."""


def _quote(value: str) -> str:
    """One qsub word: bare without blanks, else in double quotes (the value holds no quotes)."""
    return f'"{value}"' if re.search(r"\s", value) else value


def _check(key: str, value: object) -> str:
    """`value` as text a ``#$`` line gives back unchanged, else InvalidResourceError."""
    text = check_directive_value(
        key, value, forbidden="\"'", why="qsub deletes every quote character in a #$ line"
    )
    if text.startswith("-"):
        raise InvalidResourceError(
            key, value, "text not starting with '-'", "qsub could take it for an option"
        )
    if text != text.strip():
        raise InvalidResourceError(
            key, value, "text without leading or trailing blanks", "qsub strips them"
        )
    if "#" in text:
        raise InvalidResourceError(
            key, value, "text without '#'", "qsub ends a #$ line at its first '#', quoted or not"
        )
    return text


def _queue(value: str) -> str:
    """One queue (``name`` or ``name@host``): a ``,`` would make it a list (seen on 8.1.9: ``all.q,`` is
    accepted as the list of all.q alone)."""
    text = _check("queue", value)
    if "," in text:
        raise InvalidResourceError(
            "queue", value, "a queue name without ','", "qsub reads a list of queues"
        )
    return text


def _path(key: str, value: str) -> str:
    """An output path: ``host:path`` and ``a,b`` have other meanings for ``-o``/``-e``."""
    text = _check(key, value)
    for char, meaning in ((":", "a host name before ':'"), (",", "a list of paths")):
        if char in text:
            raise InvalidResourceError(
                key, value, f"a path without {char!r}", f"qsub reads {meaning}"
            )
    return _quote(text)


SYNTAX = OptionSyntax(
    prefix=PREFIX,
    quote=_quote,
    short="-{key} {value}",
    short_flag="-{key}",
    long="-{key} {value}",
    long_flag="-{key}",
    forbidden="\"'",
    why="qsub deletes every quote character in a #$ line",
    backend="sge",
    reserved=_RESERVED,
)
"""Raw options: one dash, names as written (``-hold_jid 12``, ``-l gpu=1``); True a bare flag."""

_BODY_FORMS = "a body without lines starting with '#$'; pass qsub options as resources"


def check_body(body: str) -> None:
    """InvalidResourceError if a body line starts with ``#$``: qsub would read it as options."""
    for line in body.split("\n"):
        if line.startswith(PREFIX):
            raise InvalidResourceError(
                "body", line, _BODY_FORMS, "qsub reads #$ lines anywhere in the script as options"
            )


class SgeBackend(ClusterjobBackend):
    """Grid Engine: ``qsub`` script with ``#$`` lines; qstat while queued, qacct once finished."""

    name = "sge"
    extension = ".sge"

    def __init__(
        self, pe: str | None = None, pe_smp: str | None = None, mem_resource: str = "h_vmem"
    ) -> None:
        """`pe`: PE for multi-slot jobs; `pe_smp`: PE for single-node ones (allocation_rule
        $pe_slots); `mem_resource`: the per-slot memory resource the site enforces."""
        for label, name in (("pe", pe), ("pe_smp", pe_smp)):
            if name is not None and not (
                isinstance(name, str) and _PE_NAME.fullmatch(name.replace("{per_node}", "1"))
            ):
                raise ValueError(
                    f"{label}={name!r} is not a parallel environment name (letters, digits, "
                    "'_.-', wildcards, optionally '{per_node}'); see `qconf -spl`"
                )
        if not (isinstance(mem_resource, str) and re.fullmatch(r"[A-Za-z_][\w.-]*", mem_resource)):
            raise ValueError(f"mem_resource={mem_resource!r} is not a Grid Engine complex name")
        self.pe = pe
        self.pe_smp = pe_smp
        self.mem_resource = mem_resource

    def resource_headers(self, jobscript: JobScript) -> list[str]:
        """``#$`` lines for the common keys present, then the raw options (see module doc)."""
        res: dict[str, Any] = normalize_resources(jobscript.resources)
        check_body(jobscript.body)
        lines = [f"{PREFIX} -S {_check('shell', jobscript.shell)}", f"{PREFIX} -cwd"]
        if "name" in res:
            name = _check("name", res["name"])
            if (
                name[0].isdigit()
                or any(char in _NAME_FORBIDDEN for char in name)
                or not all(" " < char <= "~" for char in name)
            ):
                raise InvalidResourceError(
                    "name",
                    name,
                    "printable ASCII without blanks, not starting with a digit, without any of /:@\\*?",
                    "Grid Engine rejects it",
                )
            lines.append(f"{PREFIX} -N {_quote(name)}")
        if "queue" in res:
            lines.append(f"{PREFIX} -q {_quote(_queue(res['queue']))}")
        if "time" in res:
            lines.append(f"{PREFIX} -l h_rt={format_hms(res['time'])}")
        nodes, ppn, threads = (res.get(key, 1) for key in ("nodes", "ppn", "threads"))
        per_node = ppn * threads
        slots = nodes * per_node
        if slots > 1:
            lines.append(f"{PREFIX} -pe {self._pe(res, nodes, per_node, slots)} {slots}")
        if "mem" in res:
            per_slot = -(-res["mem"] // per_node)  # per-slot limit, rounded up
            lines.append(f"{PREFIX} -l {self.mem_resource}={per_slot}M")
        if "stdout" in res:
            lines.append(f"{PREFIX} -o {_path('stdout', res['stdout'])}")
        if "stderr" in res:
            lines.append(f"{PREFIX} -e {_path('stderr', res['stderr'])}")
        for key, value in extra_items(res):
            if value is not True:
                _check(key, value)
        lines.extend(encode_extras(res, SYNTAX))
        return lines

    def _pe(self, res: Mapping[str, Any], nodes: int, per_node: int, slots: int) -> str:
        """The PE for a `slots`-slot job, or ResourcesNotSupportedError when none is configured."""
        name = self.pe_smp if nodes == 1 and self.pe_smp else self.pe
        if name is None:
            key = next(key for key in ("nodes", "ppn", "threads") if res.get(key, 1) > 1)
            hint = "SgeBackend(pe_smp='smp')" if nodes == 1 else "SgeBackend(pe='mpi')"
            raise unsupported(
                "sge",
                key,
                f"Grid Engine needs a parallel environment for {slots} slots; construct {hint} "
                "with a PE name from `qconf -spl`",
            )
        return name.replace("{per_node}", str(per_node))

    def replace_body_vars(self, body: str) -> str:
        """``$CLUSTERJOB_*`` -> Grid Engine variables (see CORE_VARIABLES)."""
        return replace_core_vars(body, CORE_VARIABLES)

    def cmd_submit(self, jobscript: JobScript) -> Command:
        """``qsub SCRIPT`` (answer ``Your job N ("name") has been submitted``)."""
        return ["qsub", jobscript.script_filename]

    def get_job_id(self, response: str) -> str | None:
        """N from ``Your job N (...)``/``Your job-array N.1-10:1 (...) has been submitted`` on any
        line, else a last line that is just the id (``-terse``); None otherwise. Never raises."""
        found = search_job_id(response, _SUBMITTED)
        if found is None:
            lines = [line for line in response_text(response).splitlines() if line.strip()]
            found = search_job_id(lines[-1], _TERSE) if lines else None
        return found

    def cmd_status(self, run: AsyncResult, finished: bool = False) -> Command:
        """``qstat -j ID`` while queued (finished jobs leave qstat at once), ``qacct -j ID`` after."""
        if finished:
            return ["qacct", "-j", _job_id(run)]
        return ["qstat", "-j", _job_id(run)]

    def get_status(self, response: str, finished: bool = False) -> int | None:
        """Status from ``qstat -j`` (a ``usage`` line: RUNNING; ``error reason``: FAILED; else
        PENDING), a qstat table of one job, or qacct records; None when empty. Never raises."""
        try:
            text = response_text(response)
            if _JOB_NUMBER.search(text):
                if _USAGE.search(text):
                    return RUNNING
                return FAILED if _ERROR_REASON.search(text) else PENDING
            records = _qacct_records(text)
            if records:
                return combine_statuses(_accounted_status(record) for record in records)
            rows = _table_rows(text)
            if len({job_id for job_id, _ in rows}) == 1:
                return combine_statuses(status for _, status in rows)
        except Exception:  # never raise on an answer
            return None
        return None

    def cmd_cancel(self, run: AsyncResult) -> Command:
        """``qdel ID``."""
        return ["qdel", _job_id(run)]

    def cmd_status_many(
        self, runs: Sequence[AsyncResult], finished: bool = False
    ) -> Command | None:
        """Plain ``qstat`` (it lists every job of the user) for queued runs; None once finished,
        as qacct takes a single job id."""
        if not runs or finished:
            return None
        for run in runs:
            _job_id(run)
        return ["qstat"]

    def get_status_many(
        self, response: str, runs: Sequence[AsyncResult], finished: bool = False
    ) -> dict[str, int | None]:
        """{job id: status} for the runs listed in the qstat table; never raises."""
        return statuses_by_job(response, runs, _table_rows)

    def __repr__(self) -> str:
        return f"SgeBackend(pe={self.pe!r}, pe_smp={self.pe_smp!r}, mem_resource={self.mem_resource!r})"


def _job_id(run: AsyncResult) -> str:
    """The run's job id, checked to be a Grid Engine id (one argument, never an option)."""
    return check_job_id(getattr(run, "job_id", None), _JOB_ID, _JOB_ID_FORMS)


def state_status(state: str) -> int | None:
    """Status of a qstat state (``qw``, ``hqw``, ``Eqw``, ``dr``, ...) by STATE_LETTERS."""
    if not state or any(letter not in STATE_LETTERS for letter in state):
        return None
    return max((STATE_LETTERS[letter] for letter in state), key=lambda entry: entry[0])[1]


def _table_rows(text: object) -> list[tuple[str, int | None]]:
    """(job id, status) of each row of a qstat table; the state column is found by the header."""
    state_column = 4
    rows = []
    for line in response_text(text).splitlines():
        words = line.split()
        if not words or len(line) > 4096:
            continue
        if words[0] == "job-ID" and "state" in words:
            state_column = words.index("state")
        elif words[0].isdigit() and words[0].isascii() and len(words) > state_column:
            rows.append((words[0], state_status(words[state_column])))
    return rows


def _qacct_records(text: str) -> list[dict[str, str]]:
    """The ``key value`` records of qacct output (one per job or array task)."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in text.splitlines():
        if _QACCT_SEPARATOR.match(line):
            current = {}
            records.append(current)
            continue
        words = line.split(None, 1)
        if len(words) == 2 and words[0] not in current:
            current[words[0]] = words[1].strip()
    if current and not records:
        records.append(current)
    return [record for record in records if "exit_status" in record and "failed" in record]


def _accounted_status(record: Mapping[str, str]) -> int | None:
    """One qacct record: failed 0 + exit 0 COMPLETED; ``failed 100 : assumedly after job`` + exit
    137 (SIGKILL) is a qdel, CANCELLED, unless the job had reached its h_rt; else FAILED."""
    failed = re.match(r"\d+", record["failed"])
    exit_status = re.match(r"-?\d+(?!\S)", record["exit_status"])  # '137   (Killed)' too
    if failed is None or exit_status is None:
        return None
    code, status = int(failed.group(0)), int(exit_status.group(0))
    if code == 0:
        return COMPLETED if status == 0 else FAILED
    if code == 100 and status == 137 and not _reached_h_rt(record):
        return CANCELLED
    return FAILED


def _reached_h_rt(record: Mapping[str, str]) -> bool:
    """True when ru_wallclock is at least the h_rt in the record's category (a wall-time kill,
    which execd also does with SIGKILL)."""
    wall = re.match(r"(\d+(?:\.\d*)?)s?$", record.get("ru_wallclock", "").strip())
    limit = re.search(r"(?:^|[\s,])h_rt=(\d+(?::\d*){0,2})(?=[\s,]|$)", record.get("category", ""))
    if wall is None or limit is None:
        return False
    seconds = 0
    for part in limit.group(1).split(":"):
        seconds = seconds * 60 + int(part or 0)
    return float(wall.group(1)) >= seconds

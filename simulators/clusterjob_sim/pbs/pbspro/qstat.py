"""The fake PBS Pro's ``qstat``: the job table, ``-a``/``-n``/``-s`` rows, ``-f`` attributes (also as
``-F json`` and ``-F dsv``) and the queue/server summaries, as OpenPBS qstat.c and pbs_json.c print them.

The job records come from ``pbspro.job_view``; this module only selects and formats them. Import-light,
like ``pbspro``: stdlib only at the top.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs.common import PBSE_UNKQUE, JobView, exit_code
from clusterjob_sim.pbs.pbspro import (
    LINESIZE,
    PBS_VERSION,
    QSTAT_USAGE,
    job_view,
    qstat_finished,
    qstat_unknown,
    server_version,
    state_letter,
)

if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

# ---------------------------------------------------------------------------------------------------------
# qstat output

HEADER = (
    "Job id            Name             User              Time Use S Queue\n"
    "----------------  ---------------- ----------------  -------- - -----\n"
)
QUEUE_HEADER = (
    "Queue              Max   Tot Ena Str   Que   Run   Hld   Wat   Trn   Ext Type\n"
    "---------------- ----- ----- --- --- ----- ----- ----- ----- ----- ----- ----\n"
)
UNKNOWN_QUEUE = "qstat: Unknown queue "  # the queue's name follows


def _trunc(value: str, width: int) -> str:
    """``trunc_value``: longer than ``width`` becomes its first width-1 characters and ``*``."""
    return value if len(value) <= width else value[: width - 1] + "*"


def summary_line(job: JobView) -> str:
    """One row of the default ``qstat`` table (``display_statjob``), trailing padding included."""
    parts = job.job_id.split(".")
    jid = ".".join(parts[:2]) if len(parts) > 1 else parts[0]
    jid = _trunc(jid, 17)
    name = job.name if len(job.name) < 16 else job.name[:15] + "*"
    owner = _trunc(job.owner.split("@", 1)[0], 16)
    cput = _trunc(dict(job.used).get("cput", "0"), 8)
    queue = _trunc(job.queue.split("@", 1)[0], 16)
    return f"{jid:<17} {name:<16} {owner:<16}  {cput:>8} {job.state[:1]:>1} {queue:<16}\n"


def format_table(jobs: Iterable[JobView], header: bool = True) -> str:
    """The default ``qstat`` listing: header then rows; nothing at all when there is no job."""
    rows = [summary_line(j) for j in jobs]
    if not rows:
        return ""
    return (HEADER if header else "") + "".join(rows)


SUBSTATE = {"Q": "10", "H": "20", "W": "30", "R": "42", "E": "50", "F": "92", "B": "42", "X": "92"}


def full_attributes(job: JobView) -> list[tuple[str, str | None, str, bool]]:
    """The attributes ``qstat -f`` lists, in the server's order; the flag marks time attributes."""
    out: list[tuple[str, str | None, str, bool]] = [
        ("Job_Name", None, job.name, False),
        ("Job_Owner", None, job.owner, False),
    ]
    out += [("resources_used", r, v, False) for r, v in job.used]
    out += [
        ("job_state", None, job.state, False),
        ("queue", None, job.queue, False),
        ("server", None, job.server, False),
    ]
    if job.account:
        out.append(("Account_Name", None, job.account, False))
    out.append(("Checkpoint", None, "u", False))
    if job.ctime is not None:
        out.append(("ctime", None, str(int(job.ctime)), True))
    out.append(("Error_Path", None, job.error_path, False))
    if job.exec_host:
        out.append(("exec_host", None, job.exec_host, False))
    if job.exec_vnode:
        out.append(("exec_vnode", None, job.exec_vnode, False))
    out += [
        ("Hold_Types", None, "n", False),
        ("Join_Path", None, job.join, False),
        ("Keep_Files", None, "n", False),
        ("Mail_Points", None, job.mail_points, False),
    ]
    if job.mtime is not None:
        out.append(("mtime", None, str(int(job.mtime)), True))
    out += [("Output_Path", None, job.output_path, False), ("Priority", None, "0", False)]
    if job.qtime is not None:
        out.append(("qtime", None, str(int(job.qtime)), True))
    out.append(("Rerunable", None, "True", False))
    out += [("Resource_List", r, v, False) for r, v in job.resources]
    if job.stime is not None:
        out.append(("stime", None, str(int(job.stime)), True))
    if job.session_id is not None:
        out.append(("session_id", None, str(job.session_id), False))
    if job.init_work_dir is not None:
        out.append(("jobdir", None, job.init_work_dir, False))
    out.append(("substate", None, SUBSTATE.get(job.state, "10"), False))
    out.append(("Variable_List", None, job.variable_list, False))
    if job.comment:
        out.append(("comment", None, job.comment, False))
    if job.etime is not None:
        out.append(("etime", None, str(int(job.etime)), True))
    if job.array_request is not None and job.array_index is None:
        out.append(("array", None, "True", False))
        out.append(("array_indices_submitted", None, job.array_request, False))
        if job.array_remaining is not None:
            out.append(("array_indices_remaining", None, job.array_remaining, False))
        if job.array_state_count is not None:
            out.append(("array_state_count", None, job.array_state_count, False))
    if job.array_index is not None:
        out.append(("array_id", None, job.job_id.split("[", 1)[0] + "[]." + job.server, False))
        out.append(("array_index", None, str(job.array_index), False))
    out.append(("run_count", None, str(job.run_count), False))
    if job.exit_status is not None:
        out.append(("Exit_status", None, str(job.exit_status), False))
    if job.submit_args:
        out.append(("Submit_arguments", None, job.submit_args, False))
    out.append(("project", None, "_pbs_project_default", False))
    if job.submit_host:
        out.append(("Submit_Host", None, job.submit_host, False))
    out += [(name, None, value, False) for name, value in job.extra]
    return out


def format_full(job: JobView) -> str:
    """One job as ``qstat -f`` prints it: ``Job Id:`` line, attribute lines, then a blank line."""
    lines = [f"Job Id: {job.job_id}\n"]
    for name, resource, value, is_time in full_attributes(job):
        text = pc.ctime(float(value)) if is_time else value
        lines.append(pc.prt_attr(name, resource, text, LINESIZE) + "\n")
    lines.append("\n")
    return "".join(lines)


# ---------------------------------------------------------------------------------------------------------
# qstat -F json (pbs_json.c)

_C_SPACE = " \t\n\v\f\r"
_STRTOD = re.compile(
    r"[ \t\n\v\f\r]*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
    r"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
    r"|(?i:inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?))[ \t\n\v\f\r]*"
)


def _strtod_value(text: str) -> float:
    """The number C's strtod reads from a string _STRTOD accepted."""
    s = text.strip()
    try:
        return float(s) if not re.match(r"[+-]?0[xX]", s) else float.fromhex(s)
    except ValueError:
        return float("nan")


def _json_escape(value: str, full: bool) -> str:
    """``strdup_escape``: control characters escaped; quotes and backslashes the PBS way."""
    controls = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out: list[str] = []
    i = 0
    n = len(value)
    while i < n:
        ch = value[i]
        if ch in controls:
            out.append(controls[ch])
            i += 1
        elif ch == '"':
            escaped = full or (i > 0 and value[i - 1] != "\\")
            out.append('\\"' if escaped else '"')
            i += 1
        elif ch == "\\" and full:
            out.append("\\\\")
            i += 1
        elif ch == "\\" and i + 1 < n and value[i + 1] in "',":
            out.append(value[i + 1])
            i += 2
        elif ch == "\\":
            out.append(value[i : i + 2])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class _Node:
    """A JSON node as pbs_json.c links them: object start/end or a value (string, numeric, int)."""

    __slots__ = ("key", "kind", "quoted", "value")

    def __init__(
        self, kind: str, key: str | None = None, value: str | None = None, quoted: bool = False
    ) -> None:
        self.kind = kind  # 'object', 'end', 'value'
        self.key = key
        self.value = value  # printed form; None for JSON_NULL (prints nothing)
        self.quoted = quoted


def _value_node(key: str, value: str | None) -> _Node:
    """``add_json_node`` with JSON_NULL type: numeric when strtod reads it all, else an escaped string."""
    if value is None:
        return _Node("value", key, None)
    if value.strip(_C_SPACE) == "":
        return _Node("value", key, _json_escape(value, False), True)
    if _STRTOD.fullmatch(value) and (value[0] != "0" or _strtod_value(value) < 1):
        return _Node("value", key, value, False)
    return _Node("value", key, _json_escape(value, False), True)


def _generate(nodes: list[_Node]) -> str:
    """``generate_json``: PBS's own pretty printer (4-space indent, no space after colons)."""
    out = ["{"]
    indent = 4
    comma = False
    for node in nodes:
        if node.kind == "object":
            out.append(",\n" if comma else "\n")
            out.append(" " * indent + f'"{node.key}":{{')
            indent += 4
            comma = False
            continue
        if node.kind == "value" and node.value is not None:
            out.append(",\n" if comma else "\n")
            shown = f'"{node.value}"' if node.quoted else node.value
            out.append(" " * indent + f'"{node.key}":{shown}')
            comma = True
        if node.kind == "end":
            indent -= 4
            out.append("\n" + " " * indent + "}")
            comma = True
    indent -= 4
    if indent == 0:
        out.append("\n}\n")
    return "".join(out)


def _variable_list_nodes(value: str) -> list[_Node]:
    """Variable_List as an object: split at unescaped commas, each at its first ``=``."""
    nodes = [_Node("object", "Variable_List")]
    i = 0
    n = len(value)
    while i < n:
        key: list[str] = []
        val: list[str] | None = None
        while i < n and value[i] != ",":
            if value[i] == "\\" and i + 1 < n and value[i + 1] == ",":
                i += 1
            if val is None and value[i] == "=":
                val = []
                i += 1
                if i >= n:
                    break
            (key if val is None else val).append(value[i])
            i += 1
        nodes.append(_value_node("".join(key), None if val is None else "".join(val)))
        i += 1
    nodes.append(_Node("end"))
    return nodes


def format_json(
    jobs: Iterable[JobView], server: str, now: float, version: str = PBS_VERSION
) -> str:
    """``qstat -f -F json``: {timestamp, pbs_version, pbs_server, Jobs: {id: {...}}}."""
    nodes = [
        _Node("value", "timestamp", str(int(now))),
        _Node("value", "pbs_version", _json_escape(version, True), True),
        _Node("value", "pbs_server", _json_escape(server, True), True),
    ]
    first = True
    for job in jobs:
        if first:
            nodes.append(_Node("object", "Jobs"))
            first = False
        nodes.append(_Node("object", job.job_id))
        prev_resource: str | None = None
        for name, resource, value, is_time in full_attributes(job):
            text = pc.ctime(float(value)) if is_time else value
            if name == "Variable_List":
                nodes += _variable_list_nodes(text)
                continue
            if resource is not None:
                if prev_resource is not None and prev_resource != name:
                    nodes.append(_Node("end"))
                    prev_resource = None
                if prev_resource is None:
                    nodes.append(_Node("object", name))
                    prev_resource = name
                nodes.append(_value_node(resource, text))
            else:
                if prev_resource is not None:
                    nodes.append(_Node("end"))
                    prev_resource = None
                nodes.append(_value_node(name, text))
        if prev_resource is not None:
            nodes.append(_Node("end"))
        nodes.append(_Node("end"))
    nodes.append(_Node("end"))
    return _generate(nodes)


# ---------------------------------------------------------------------------------------------------------
# qstat

QSTAT_OPTSTRING = "ainpqrstwxu:fGHJMQEBW:T1F:D:"
CONFLICT = "qstat: conflicting options.\n"


def _usage(ctx: Context, before: str = "") -> int:
    """qstat's usage message, exit 2."""
    ctx.err.write(before + QSTAT_USAGE)
    return 2


def qstat(ctx: Context) -> int:
    """``qstat [-f [-F json|dsv]] [-x] [-t] [-J] [-a|-n|-s|-u user|-H] [ids or queues]`` as OpenPBS."""
    if ctx.argv[:1] == ["--version"]:
        ctx.out.write(f"pbs_version = {ctx.config.get('pbs_version', PBS_VERSION)}\n")
        return 0
    opts, operands = pc.getopt(ctx.argv, QSTAT_OPTSTRING, prog="qstat")
    flags: dict[str, str] = {}
    errors = ""
    fmt = "default"
    for opt in opts:
        if opt.letter == "?":
            errors += opt.error + "\n"
            continue
        if opt.letter == "F":
            if opt.arg is None or opt.arg.lower() not in ("default", "dsv", "json"):
                errors += "x"
                continue
            fmt = opt.arg.lower()
        flags[opt.letter] = opt.arg or ""
    conflicts = ""
    alt = {k for k in "airqH" if k in flags}
    if len(alt) > 1:
        conflicts += CONFLICT
    if fmt != "default" and "f" not in flags:
        conflicts += CONFLICT
    if "1" in flags and not ("n" in flags or "s" in flags):
        conflicts += CONFLICT
    if errors or conflicts:
        return _usage(ctx, errors.replace("x", "") + conflicts)
    if "Q" in flags or "B" in flags or "q" in flags:
        return _qstat_queues(ctx, flags, operands)
    engine = ctx.engine
    server = pc.server_name(ctx.config)
    history = bool(ctx.config.get("job_history_enable", True))
    show_done = ("x" in flags or "H" in flags) and history
    expand = "t" in flags
    rc = 0
    views: list[JobView] = []
    records = engine.jobs(view="live") if history else engine.jobs(view="all")
    if not history:
        records = [j for j in records if not j.finished and not j.lost]
    selections: list[tuple[list[Job], bool]] = []
    if not operands:
        selections.append((records, False))
    for operand in operands:
        jid = pc.parse_job_id(operand) if operand[:1].isdigit() else None
        if jid is None and operand[:1].isdigit():
            ctx.err.write(f"qstat: illegally formed job identifier: {operand}\n")
            rc = 1
            continue
        if jid is None:
            queue = operand.split("@", 1)[0]
            if queue and queue not in (ctx.config.get("queues") or {}):
                ctx.err.write(f"{UNKNOWN_QUEUE}{operand}\n")
                rc = exit_code(PBSE_UNKQUE)
                continue
            selections.append(([j for j in records if not queue or j.queue == queue], False))
            continue
        full = jid.full(server)
        found = [j for j in records if j.job_id == jid.seq and pc.same_job(j, jid, True)]
        if not found:
            text, rc = qstat_unknown(full)
            ctx.err.write(text)
            continue
        array_done = jid.array and jid.index is None and all(j.finished for j in found)
        job_done = (jid.index is not None or not jid.array) and found[0].finished
        if (array_done or (job_done and jid.index is None)) and not show_done:
            text, rc = qstat_finished(full)
            ctx.err.write(text)
            continue
        selections.append((found, True))
    user = flags.get("u")
    for chosen, explicit in selections:
        for job, tasks in _group(chosen, expand, explicit):
            if user and job.user not in user.split(","):
                continue
            view = job_view(job, engine, tasks)
            if view.state == "F" and not show_done and not explicit:
                continue
            if view.state == "X" and not show_done and not explicit and _array_done(engine, job):
                continue
            if "J" in flags and job.array_index is None and tasks is None:
                continue
            if "H" in flags and view.state not in "FMX":
                continue
            if "r" in flags and view.state not in "RS":
                continue
            if "i" in flags and view.state not in "EHQTW":
                continue
            views.append(view)
    out = ctx.out
    if "f" in flags and fmt == "json":
        out.write(format_json(views, server, engine.now(), server_version(ctx)))
    elif "f" in flags and fmt == "dsv":
        delim = flags.get("D", "|") or "|"
        for view in views:
            out.write(format_dsv(view, delim))
    elif "f" in flags:
        for view in views:
            out.write(format_full(view))
    elif alt or "n" in flags or "s" in flags or "u" in flags or "G" in flags or "M" in flags:
        if views:
            out.write(alt_header(server))
        for view in views:
            out.write(alt_line(view, "n" in flags, "s" in flags))
    else:
        out.write(format_table(views))
    return rc


def _array_done(engine: Engine, job: Job) -> bool:
    """Whether every sub-job of `job`'s array has finished (the array then lives in history only)."""
    return all(t.finished for t in engine.array_tasks(job))


# Not shared with torque_qstat._group: Torque shows a summary or the sub-jobs, never both.
def _group(records: list[Job], expand: bool, explicit: bool) -> list[tuple[Job, list[Job] | None]]:
    """Records as qstat lists them: an array as its parent ``12[]`` (then its sub-jobs with -t)."""
    out: list[tuple[Job, list[Job] | None]] = []
    arrays: dict[int, list[Job]] = {}
    for job in records:
        if job.array_index is None:
            out.append((job, None))
            continue
        if explicit and len(records) == 1:
            out.append((job, None))
            continue
        if job.job_id not in arrays:
            arrays[job.job_id] = []
            out.append((job, arrays[job.job_id]))
        arrays[job.job_id].append(job)
        if expand:
            out.append((job, None))
    return out


def alt_header(server: str) -> str:
    """The ``qstat -a`` header (``altdsp_statjob``): server line, two title lines, dashes."""
    return (
        f"\n{server}: \n"
        + " " * 60
        + "Req'd  Req'd   Elap\n"
        + "Job ID          Username Queue    Jobname    SessID NDS TSK Memory Time  S Time\n"
        + "--------------- -------- -------- ---------- ------ --- --- ------ ----- - -----\n"
    )


def alt_line(job: JobView, nodes: bool, comment: bool) -> str:
    """One ``qstat -a`` row, then (-n) the exec_host line and (-s) the comment line."""
    res = dict(job.resources)
    used = dict(job.used)
    blank = " -- "
    mem = res.get("mem", blank)
    line = (
        f"{_trunc(job.job_id, 15):<15.15} {_trunc(job.owner.split('@')[0], 8):<8.8} "
        f"{_trunc(job.queue, 8):<8.8} {_trunc(job.name, 10):<10.10} "
        f"{_trunc(str(job.session_id) if job.session_id else blank, 6):>6.6} "
        f"{_trunc(res.get('nodect', blank), 3):>3.3} {_trunc(res.get('ncpus', blank), 3):>3.3} "
        f"{mem:>6.6} {res.get('walltime', blank):>5.5} {job.state:>1.1} "
        f"{used.get('walltime', blank):>5.5}\n"
    )
    if nodes and job.exec_host:
        hosts = "+".join(h.split(".")[0] if "/" not in h else h for h in job.exec_host.split("+"))
        line += f"   {hosts}\n"
    if comment and job.comment:
        text = job.comment if len(job.comment) <= 74 else job.comment[:71] + "..."
        line += f"   {text}\n"
    return line


def format_dsv(job: JobView, delim: str = "|") -> str:
    """``qstat -f -F dsv``: ``Job Id: X|name=value|...`` on one line, delimiters escaped."""
    items = [f"Job Id: {job.job_id}"]
    for name, resource, value, is_time in full_attributes(job):
        text = pc.ctime(float(value)) if is_time else value
        text = text.replace(delim, "\\" + delim).replace("\n", "\\n").replace("\f", "\\f")
        key = f"{name}.{resource}" if resource else name
        items.append(f"{key}={text}")
    return delim.join(items) + "\n"


def _qstat_queues(ctx: Context, flags: dict[str, str], operands: list[str]) -> int:
    """``qstat -Q`` / ``-B``: the queue and server summaries."""
    engine = ctx.engine
    live = [j for j in engine.jobs(view="live") if not j.finished]
    if "B" in flags:
        c = _counts(live)
        ctx.out.write(
            "Server             Max   Tot   Que   Run   Hld   Wat   Trn   Ext Status\n"
            "---------------- ----- ----- ----- ----- ----- ----- ----- ----- -----------\n"
            f"{_trunc(pc.server_name(ctx.config), 16):<16} {0:>5} {len(live):>5} {c['Q']:>5} {c['R']:>5} "
            f"{c['H']:>5} {0:>5} {0:>5} {0:>5} {'Active':<10}\n"
        )
        return 0
    return pc.queue_summary(ctx, operands, live, _queue_row, QUEUE_HEADER, UNKNOWN_QUEUE)


def _queue_row(name: str, jobs: list[Job]) -> str:
    """One ``qstat -Q`` row: the queue's active jobs per state."""
    c = _counts(jobs)
    total = sum(c.values())
    return (
        f"{_trunc(name, 16):<16} {0:>5} {total:>5} {'yes':>3} {'yes':>3} {c['Q']:>5} "
        f"{c['R']:>5} {c['H']:>5} {0:>5} {0:>5} {0:>5} {'Exec':<4}\n"
    )


def _counts(jobs: list[Job]) -> dict[str, int]:
    """Active jobs per state letter."""
    return pc.state_counts(jobs, "QRH", state_letter)

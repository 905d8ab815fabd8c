"""What the fake PBS Pro prints: qsub's usage and refusals, qstat's tables (default, ``-a``/``-n``/``-s``),
``-f`` attributes (also as ``-F json`` and ``-F dsv``), qdel's errors, and the job view they come from.

Texts and layouts follow OpenPBS (qsub.c, qstat.c, pbs_json.c, qdel.c); exit codes are PBS error numbers
& 0xFF. Stdlib only: every command imports this.
"""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import jobenv as pj
from clusterjob_sim.pbs import output as po
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs.common import QsubError
from clusterjob_sim.pbs.output import JobView

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Iterable

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job
    from clusterjob_sim.pbs.pbspro.chunk import Chunk

LINESIZE = 78  # CHAR_LINE_LIMIT in qstat.c
PBS_VERSION = "22.05.11"

# PBS Pro's own error numbers (pbs_error.h; the shared ones are in pbs_common).
PBSE_UNKRESC = 15035
PBSE_MAXARRAYSIZE = 15107
PBSE_INVALJOBRESC = 15109
PBSE_HISTJOBID = 15139

USAGE = (
    "usage: qsub [-a date_time] [-A account_string] [-c interval]\n"
    "\t[-C directive_prefix] [-e path] [-f ] [-h ] [-I [-X]] [-j oe|eo] [-J X-Y[:Z]]\n"
    "\t[-k keep] [-l resource_list] [-m mail_options] [-M user_list]\n"
    "\t[-N jobname] [-o path] [-p priority] [-P project] [-q queue] [-r y|n]\n"
    "\t[-R o|e|oe] [-S path] [-u user_list] [-W otherattributes=value...]\n"
    "\t[-v variable_list] [-V ] [-z] [script | -- command [arg1 ...]]\n"
    "       qsub --version\n"
)
QSTAT_USAGE = (
    "usage: \n"
    "qstat [-f] [-J] [-p] [-t] [-x] [-E] [-F format | -w] [-D delim]"
    " [ job_identifier... | destination... ]\n"
    "qstat [-a|-i|-r|-H|-T] [-J] [-t] [-u user] [-n] [-s] [-G|-M] [-1] [-w]\n"
    "\t[ job_identifier... | destination... ]\n"
    "qstat -Q [-f] [-F format] [-D delim] [ destination... ]\n"
    "qstat -q [-G|-M] [ destination... ]\n"
    "qstat -B [-f] [-F format] [-D delim] [ server_name... ]\n"
    "qstat --version\n"
)
CRLF_SCRIPT = "qsub: script contains cr, lf\n"
NO_RERUN_ARRAY = "qsub:  cannot submit non-rerunable Array Job\n"  # sic, two spaces
INTERACTIVE = (
    "qsub:\tstandard input and output must be a terminal for\n\tinteractive job submission\n"
)


def server_error(text: str, pbs_errno: int) -> QsubError:
    """The server (or the client-side ECL check) refusing the job: ``qsub: <text>``."""
    return QsubError(f"qsub: {text}\n", pc.exit_code(pbs_errno))


def bad_resource(resource: str) -> QsubError:
    """An illegal value for one ``Resource_List`` member."""
    return server_error(
        f"Illegal attribute or resource value Resource_List.{resource}", pc.PBSE_BADATVAL
    )


def illegal_option(letter: str) -> QsubError:
    """An attribute the ECL layer rejects: ``qsub: illegal -X value`` then the usage, exit 2."""
    return QsubError(f"qsub: illegal -{letter} value\n{USAGE}", 2)


def qstat_unknown(full_id: str) -> tuple[str, int]:
    """``qstat`` for an id the server never had (or whose history expired)."""
    return f"qstat: Unknown Job Id {full_id}\n", pc.exit_code(pc.PBSE_UNKJOBID)


def qstat_finished(full_id: str) -> tuple[str, int]:
    """``qstat`` without ``-x`` for a finished job kept in history."""
    return (
        f"qstat: {full_id} Job has finished, use -x or -H to obtain historical job information\n",
        pc.exit_code(PBSE_HISTJOBID),
    )


def qdel_unknown(operand: str, full_id: str) -> tuple[str, int]:
    """``qdel`` for an id the server does not know (PBS Pro names the full id, not the operand)."""
    return f"qdel: Unknown Job Id {full_id}\n", pc.exit_code(pc.PBSE_UNKJOBID)


def qdel_finished(full_id: str) -> tuple[str, int]:
    """``qdel`` for a finished job."""
    return f"qdel: Job has finished {full_id}\n", pc.exit_code(PBSE_HISTJOBID)


# ---------------------------------------------------------------------------------------------------------
# The server's view of a job


def state_letter(job: Job) -> str:
    """job_state: H held, Q queued, R running; a finished job F, a finished sub-job X."""
    if job.state == "PENDING":
        return "H" if job.held else "Q"
    if job.state == "RUNNING":
        return "R"
    return "F" if job.array_index is None else "X"


def exit_status(job: Job) -> int | None:
    """Exit_status: the script's code; 256+signal when killed (271 after qdel), -29 past walltime."""
    if job.start_time is None:
        return None  # never ran (e.g. deleted while queued): no Exit_status
    return po.exit_status(job, -29, -27)  # JOB_EXEC_KILL_WALLTIME, JOB_EXEC_KILL_MEM


def _array_state(tasks: list[Job]) -> str:
    """An array's job_state: Q before any sub-job ran, B once one has, F when all finished."""
    if all(t.finished for t in tasks):
        return "F"
    if any(t.start_time is not None for t in tasks):
        return "B"
    return "H" if all(t.held for t in tasks) else "Q"


def _comment(job: Job, chunks: list[Chunk], engine: Engine) -> str | None:
    """The scheduler's comment on a job, as PBS Pro writes it (svr_jobfunc.c appends how it ended)."""
    if job.state in ("PENDING", "CANCELLED") and job.start_time is None:
        if job.reason == "never":
            text = "Can Never Run: Insufficient amount of resource: ncpus"
        elif job.reason in ("resources", "priority"):
            text = "Not Running: Insufficient amount of resource: ncpus"
        else:
            return None
        # deleted while queued: job_abt -> update_job_finish_comment(TERMINATED, user NULL)
        return text if job.state == "PENDING" else text + " and terminated"
    import time

    when = time.strftime("%a %b %d at %H:%M", time.localtime(job.start_time or job.submit_time))
    vnodes = _exec_vnode(job, chunks)
    text = f"Job run at {when} on {vnodes}"
    return text if job.state == "RUNNING" else text + _finish_suffix(job, engine)


def substate(job: Job) -> str:
    """A finished job's OGSA-BES substate (svr_setjob_histinfo): 91 deleted by qdel, 93 a non-zero
    Exit_status, 92 otherwise."""
    if job.state == "CANCELLED":
        return "91"  # JOB_SUBSTATE_TERMINATED: ji_terminated set by req_deletejob2
    return "93" if exit_status(job) else "92"


def _finish_suffix(job: Job, engine: Engine) -> str:
    """What update_job_finish_comment (svr_jobfunc.c) appends to ``Job run at ...`` at the end."""
    sub = substate(job)
    if sub == "91":  # req_deletejob2: "%s and terminated by %s", rq_user@rq_host of the qdel
        from clusterjob_sim.engine.jobs import user_name

        who = user_name(job.cancelled_by) if job.cancelled_by is not None else job.user
        return f" and terminated by {who}@{engine.submit_host}"
    if sub == "93":
        if job.state == "TIMEOUT":
            return " and exceeded resource walltime"  # JOB_EXEC_KILL_WALLTIME
        if job.state == "OUT_OF_MEMORY":
            return " and exceeded resource mem"  # JOB_EXEC_KILL_MEM
        return " and failed"
    return " and finished"


def _exec_vnode(job: Job, chunks: list[Chunk]) -> str:
    """``(node01:ncpus=4:mem=4194304kb)+(node02:ncpus=4)``."""
    parts = []
    hosts = job.node_names
    k = 0
    for chunk in chunks:
        for _ in range(chunk.count):
            host = hosts[min(k, len(hosts) - 1)] if hosts else "localhost"
            item = f"{host}:ncpus={chunk.ncpus}"
            mem = chunk.get("mem")
            if mem:
                item += f":mem={(pc.parse_size(mem) or 0) >> 10}kb"
            parts.append(f"({item})")
            k += 1
    return "+".join(parts)


def job_view(job: Job, engine: Engine, tasks: list[Job] | None = None) -> JobView:
    """Everything qstat shows about one job (or, with ``tasks``, an array's parent ``12[].srv``)."""
    from clusterjob_sim.pbs.pbspro.chunk import Chunk

    server = srv.server_name(engine.config)
    data = job.data
    chunks = [
        Chunk(int(c), tuple((str(k), str(v)) for k, v in r)) for c, r in data.get("chunks", [])
    ]
    view = po.base_view(job, server, pj.job_outputs(job, "."), name=job.name)
    if tasks is not None:
        view.job_id = f"{job.job_id}[].{server}"
        view.state = _array_state(tasks)
        view.mtime = max(t.end_time or t.start_time or t.submit_time for t in tasks)
        view.array_request = job.array_spec
        done = [t for t in tasks if t.finished]
        running = [t for t in tasks if t.state == "RUNNING"]
        queued = [t.array_index for t in tasks if t.state == "PENDING"]
        view.array_state_count = (
            f"Queued:{len(queued)} Running:{len(running)} Exiting:0 Expired:{len(done)}"
        )
        view.array_remaining = _ranges([i for i in queued if i is not None]) or "-"
        view.comment = "Job Array Began" if view.state == "B" else None
        return view
    view.job_id = po.job_id_text(job, server)
    view.state = state_letter(job)
    view.mtime = job.end_time or job.start_time or job.submit_time
    view.comment = _comment(job, chunks, engine)
    if job.finished:
        view.substate = substate(job)
    if job.array_index is not None:
        view.array_index = job.array_index
    if job.start_time is not None:
        ncpus = sum(ch.count * ch.ncpus for ch in chunks) or 1
        hosts = job.node_names
        k = 0
        parts = []
        for chunk in chunks:
            for _ in range(chunk.count):
                host = hosts[min(k, len(hosts) - 1)] if hosts else "localhost"
                parts.append(f"{host}/0*{chunk.ncpus}" if chunk.ncpus > 1 else f"{host}/0")
                k += 1
        view.exec_host = "+".join(parts)
        view.exec_vnode = _exec_vnode(job, chunks)
        view.used = [
            ("cpupercent", "0"),
            ("cput", "00:00:00"),
            ("mem", "0kb"),
            ("ncpus", str(ncpus)),
            ("vmem", "0kb"),
            ("walltime", pc.format_hms(int(job.elapsed(engine.now())))),
        ]
        view.session_id = job.pgid or job.runner_pid or 0
        view.stime = job.start_time
        view.run_count = 1
        view.init_work_dir = job.workdir
    view.exit_status = exit_status(job)
    return view


def _ranges(indices: list[int]) -> str:
    """``1-3,5`` from sorted indices (array_indices_remaining)."""
    out: list[str] = []
    for i in sorted(indices):
        if out and out[-1].split("-")[-1] == str(i - 1):
            out[-1] = out[-1].split("-")[0] + f"-{i}"
        else:
            out.append(str(i))
    return ",".join(out)


def server_version(ctx: Context) -> str:
    """The pbs_version this simulated server reports."""
    return str(ctx.config.get("pbs_version", PBS_VERSION))


# ---------------------------------------------------------------------------------------------------------
# qstat tables

HEADER = (
    "Job id            Name             User              Time Use S Queue\n"
    "----------------  ---------------- ----------------  -------- - -----\n"
)
QUEUE_HEADER = (
    "Queue              Max   Tot Ena Str   Que   Run   Hld   Wat   Trn   Ext Type\n"
    "---------------- ----- ----- --- --- ----- ----- ----- ----- ----- ----- ----\n"
)
UNKNOWN_QUEUE = "qstat: Unknown queue "  # the queue's name follows


def trunc_value(value: str, width: int) -> str:
    """``trunc_value``: longer than ``width`` becomes its first width-1 characters and ``*``."""
    return value if len(value) <= width else value[: width - 1] + "*"


def summary_line(job: JobView) -> str:
    """One row of the default ``qstat`` table (``display_statjob``), trailing padding included."""
    parts = job.job_id.split(".")
    jid = ".".join(parts[:2]) if len(parts) > 1 else parts[0]
    jid = trunc_value(jid, 17)
    name = job.name if len(job.name) < 16 else job.name[:15] + "*"
    owner = trunc_value(job.owner.split("@", 1)[0], 16)
    cput = trunc_value(dict(job.used).get("cput", "0"), 8)
    queue = trunc_value(job.queue.split("@", 1)[0], 16)
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
    out.append(("Checkpoint", None, job.checkpoint, False))
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
    if job.mail_users is not None:
        out.append(("Mail_Users", None, job.mail_users, False))
    if job.mtime is not None:
        out.append(("mtime", None, str(int(job.mtime)), True))
    out += [("Output_Path", None, job.output_path, False), ("Priority", None, job.priority, False)]
    if job.qtime is not None:
        out.append(("qtime", None, str(int(job.qtime)), True))
    out.append(("Rerunable", None, job.rerunable, False))
    out += [("Resource_List", r, v, False) for r, v in job.resources]
    if job.stime is not None:
        out.append(("stime", None, str(int(job.stime)), True))
    if job.session_id is not None:
        out.append(("session_id", None, str(job.session_id), False))
    if job.init_work_dir is not None:
        out.append(("jobdir", None, job.init_work_dir, False))
    out.append(("substate", None, job.substate or SUBSTATE.get(job.state, "10"), False))
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
    out.append(("project", None, job.project or "_pbs_project_default", False))
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
_STRTOD = (  # compiled on first use (re's cache): only qstat -F json needs it
    r"[ \t\n\v\f\r]*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
    r"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
    r"|(?i:inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?))[ \t\n\v\f\r]*"
)


def _strtod_value(text: str) -> float:
    """The number C's strtod reads from a string _STRTOD accepted."""
    import re  # only qstat -F json needs it

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
    import re

    if re.fullmatch(_STRTOD, value) and (value[0] != "0" or _strtod_value(value) < 1):
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
        f"{trunc_value(job.job_id, 15):<15.15} {trunc_value(job.owner.split('@')[0], 8):<8.8} "
        f"{trunc_value(job.queue, 8):<8.8} {trunc_value(job.name, 10):<10.10} "
        f"{trunc_value(str(job.session_id) if job.session_id else blank, 6):>6.6} "
        f"{trunc_value(res.get('nodect', blank), 3):>3.3} {trunc_value(res.get('ncpus', blank), 3):>3.3} "
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


def queue_row(name: str, jobs: list[Job]) -> str:
    """One ``qstat -Q`` row: the queue's active jobs per state."""
    c = count_states(jobs)
    total = sum(c.values())
    return (
        f"{trunc_value(name, 16):<16} {0:>5} {total:>5} {'yes':>3} {'yes':>3} {c['Q']:>5} "
        f"{c['R']:>5} {c['H']:>5} {0:>5} {0:>5} {0:>5} {'Exec':<4}\n"
    )


def count_states(jobs: list[Job]) -> dict[str, int]:
    """Active jobs per state letter."""
    return po.state_counts(jobs, "QRH", state_letter)


# ---------------------------------------------------------------------------------------------------------
# qdel

QDEL_USAGE = (
    "usage: qdel [-W force|suppress_email=X] [-x] job_identifier...\n       qdel --version\n"
)

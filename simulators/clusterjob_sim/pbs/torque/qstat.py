"""The fake Torque's ``qstat``: the job table, ``-a``/``-n`` rows, ``-f`` attributes, ``-x`` XML and the
queue/server summaries (``-Q``/``-q``/``-B``), as Torque's qstat.c prints them.

The job records come from ``torque.job_view``; this module only selects and formats them. Import-light,
like ``torque``: stdlib only at the top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs.common import PBSE_UNKJOBID, PBSE_UNKQUE, JobView, exit_code
from clusterjob_sim.pbs.torque import LINESIZE, job_view, state_letter

if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job

QSTAT_OPTSTRING = "acCeE:fgiln1pqrstu:xGMQRBW:-:"
QSTAT_USAGE = (
    "usage: \n"
    "                          qstat [-f [-1]] [-W site_specific] [-x] [ job_identifier... |"
    " destination... ]\n"
    "                          qstat [-a|-i|-r|-e] [-u user] [-n [-1]] [-s] [-t] [-G|-M] [-R]"
    " [job_id... | destination...]\n"
    "                          qstat -Q [-f [-1]] [-W site_specific] [ destination... ]\n"
    "                          qstat -q [-G|-M] [ destination... ]\n"
    "                          qstat -B [-f [-1]] [-W site_specific] [ server_name... ]\n"
    "                          qstat -t\n"
)
SUMMARY_HEADER = (
    "Job ID                    Name             User            Time Use S Queue\n"
    "------------------------- ---------------- --------------- -------- - -----\n"
)
QUEUE_HEADER = (
    "Queue              Max    Tot   Ena   Str   Que   Run   Hld   Wat   Trn   Ext T   Cpt\n"
    "----------------   ---   ----    --    --   ---   ---   ---   ---   ---   --- -   ---\n"
)
UNKNOWN_QUEUE = "qstat: Unknown queue MSG=requested queue not found "  # the queue's name follows


def _summary_name(name: str) -> str:
    """A job name for the table: longer than 16 becomes ``...`` and its tail (from a ``/`` if any)."""
    if len(name) <= 16:
        return name
    cut = len(name) - 16 + 3
    slash = name.find("/", cut)
    tail = name[slash:] if slash >= 0 else name[cut:]
    return ("..." + tail)[:16]


def summary_line(job: JobView) -> str:
    """One row of the default ``qstat`` table (``display_job_summary``), trailing padding included."""
    jid = job.job_id[:28] if len(job.job_id) > 22 else job.job_id
    owner = job.owner.split("@", 1)[0][:15]
    cput = dict(job.used).get("cput", "0")[:8]
    queue = job.queue.split("@", 1)[0][:15]
    name = _summary_name(job.name)
    return f"{jid:<25} {name:<16} {owner:<15} {cput:>8} {job.state[:1]:>1} {queue:<15}\n"


def alt_line(job: JobView, nodes: bool) -> str:
    """One row of ``qstat -a`` (``altdsp_statjob``), optionally followed by its node list (-n)."""
    res = dict(job.resources)
    tasks = " -- "
    if "nodes" in res:
        total = 0
        for part in res["nodes"].split("+"):
            fields = part.split(":")
            count = int(fields[0]) if fields[0].isdigit() else 1
            ppn = next(
                (int(f[4:]) for f in fields[1:] if f.startswith("ppn=") and f[4:].isdigit()), 1
            )
            total += count * ppn
        tasks = str(total)
    mem = next((res[k] for k in ("mem", "pmem", "vmem") if k in res), " -- ")
    walltime = res.get("walltime", " -- ")
    elapsed = " -- "
    if job.state not in ("Q", "C", "H"):
        elapsed = dict(job.used).get("walltime", "00:00:00")
    line = (
        f"{job.job_id[:23]:<23} {job.owner.split('@')[0][:11]:<11} {job.queue[:8]:<8} "
        f"{job.name[:16]:<16} {str(job.session_id or ' -- ')[:6]:>6} "
        f"{res.get('nodect', ' -- ')[:5]:>5} {tasks[:6]:>6} {mem[:9]:>9} {walltime[:9]:>9} "
        f"{job.state[:1]:>1} {elapsed[:9]:>9}\n"
    )
    if nodes and job.exec_host:
        line += "   " + job.exec_host + "\n"
    return line


def alt_header(server: str) -> str:
    """The ``qstat -a`` header: server line, then the two column title lines and the dashes."""
    return (
        f"\n{server}: \n"
        "                                                                                  "
        "Req'd       Req'd       Elap\n"
        "Job ID                  Username    Queue    Jobname          SessID  NDS   TSK   "
        "Memory      Time    S   Time\n"
        "----------------------- ----------- -------- ---------------- ------ ----- ------ "
        "--------- --------- - ---------\n"
    )


_FULL_TIME = ("ctime", "mtime", "qtime", "etime", "start_time", "comp_time")


def full_attributes(job: JobView) -> list[tuple[str, str | None, str]]:
    """The attributes ``qstat -f`` lists for a job, in the server's order (``job_attr_def``)."""
    out: list[tuple[str, str | None, str]] = [
        ("Job_Name", None, job.name),
        ("Job_Owner", None, job.owner),
    ]
    out += [("resources_used", r, v) for r, v in job.used]
    out += [
        ("job_state", None, job.state),
        ("queue", None, job.queue),
        ("server", None, job.server),
    ]
    if job.account:
        out.append(("Account_Name", None, job.account))
    out.append(("Checkpoint", None, "u"))
    if job.ctime is not None:
        out.append(("ctime", None, str(job.ctime)))
    out.append(("Error_Path", None, job.error_path))
    if job.exec_host:
        out.append(("exec_host", None, job.exec_host))
    out += [
        ("Hold_Types", None, "n"),
        ("Join_Path", None, job.join),
        ("Keep_Files", None, "n"),
        ("Mail_Points", None, job.mail_points),
    ]
    if job.mtime is not None:
        out.append(("mtime", None, str(job.mtime)))
    out += [("Output_Path", None, job.output_path), ("Priority", None, "0")]
    if job.qtime is not None:
        out.append(("qtime", None, str(job.qtime)))
    out.append(("Rerunable", None, "True"))
    out += [("Resource_List", r, v) for r, v in job.resources]
    if job.session_id is not None:
        out.append(("session_id", None, str(job.session_id)))
    out.append(("Variable_List", None, job.variable_list))
    if job.comment:
        out.append(("comment", None, job.comment))
    if job.etime is not None:
        out.append(("etime", None, str(job.etime)))
    if job.exit_status is not None:
        out.append(("exit_status", None, str(job.exit_status)))
    if job.submit_args:
        out.append(("submit_args", None, job.submit_args))
    if job.array_request is not None:
        out.append(("job_array_request", None, job.array_request))
    if job.array_index is not None:
        out.append(("job_array_id", None, str(job.array_index)))
    if job.stime is not None:
        out += [("start_time", None, str(job.stime)), ("start_count", None, str(job.run_count))]
    out.append(("fault_tolerant", None, "False"))
    if job.comp_time is not None:
        out.append(("comp_time", None, str(job.comp_time)))
    out.append(("job_radix", None, "0"))
    if job.submit_host:
        out.append(("submit_host", None, job.submit_host))
    if job.init_work_dir is not None:
        out.append(("init_work_dir", None, job.init_work_dir))
    out += [(name, None, value) for name, value in job.extra]
    return out


def format_full(job: JobView, linesize: int = LINESIZE) -> str:
    """One job as ``qstat -f`` prints it: ``Job Id:`` line, attribute lines, then a blank line.

    Time attributes go through ctime(), whose own newline ends their line.
    """
    lines = [f"Job Id: {job.job_id}\n"]
    for name, resource, value in full_attributes(job):
        if name in _FULL_TIME:
            lines.append(pc.prt_attr(name, resource, pc.ctime(float(value)) + "\n", linesize))
        else:
            lines.append(pc.prt_attr(name, resource, value, linesize) + "\n")
    lines.append("\n")
    return "".join(lines)


def _xml_escape(text: str) -> str:
    """MXML's escaping of element text."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def format_xml(jobs: list[JobView]) -> str:
    """``qstat -x``: one ``<Data>`` document, a ``<Job>`` per job, resources grouped (``MXML``)."""
    out = ['<?xml version="1.0"?>\n<Data>']
    for job in jobs:
        out.append(f"<Job><Job_Id>{_xml_escape(job.job_id)}</Job_Id>")
        group: str | None = None
        for name, resource, value in full_attributes(job):
            if name in _FULL_TIME:
                value = str(int(float(value)))
            if resource is None:
                if group is not None:
                    out.append(f"</{group}>")
                    group = None
                out.append(f"<{name}>{_xml_escape(value)}</{name}>")
                continue
            if group != name:
                if group is not None:
                    out.append(f"</{group}>")
                out.append(f"<{name}>")
                group = name
            out.append(f"<{resource}>{_xml_escape(value)}</{resource}>")
        if group is not None:
            out.append(f"</{group}>")
        out.append("</Job>")
    out.append("</Data>\n")
    return "".join(out)


def qstat(ctx: Context) -> int:
    """``qstat [-f [-1]] [-a|-n|-u|-t|-x|-c] [ids or queues]`` as Torque answers."""
    opts, operands = pc.getopt(ctx.argv, QSTAT_OPTSTRING, prog="qstat")
    flags: dict[str, str] = {}
    for opt in opts:
        if opt.letter == "?":
            ctx.err.write(opt.error + "\n" + QSTAT_USAGE)
            return 2
        if opt.letter == "-":
            if opt.arg == "version":
                ver = ctx.config.get("torque_version", "6.1.3")
                ctx.err.write(f"Version: {ver}\nCommit: sim\n")
                return 0
            ctx.err.write(QSTAT_USAGE)
            return 2
        flags[opt.letter] = opt.arg or ""
    alt = "f" not in flags and any(k in flags for k in "ainrsu")
    if "f" in flags and any(k in flags for k in "ainrs"):
        ctx.err.write(
            "qstat: conflicting options.\n -f incompatible with one or more options. "
            "Read qstat man page\n" + QSTAT_USAGE
        )
        return 2
    if "Q" in flags or "q" in flags or "B" in flags:
        return _qstat_queues(ctx, flags, operands)
    engine = ctx.engine
    server = pc.server_name(ctx.config)
    expand = "t" in flags
    hide_done = "c" in flags or "PBS_QSTAT_NO_COMPLETE" in ctx.environ
    views: list[JobView] = []
    errors: list[str] = []
    rc = 0
    selections: list[tuple[list[Job], bool]] = []  # (records, explicit)
    if not operands:
        selections.append((engine.jobs(view="live"), False))
    for operand in operands:
        if operand.lstrip(" ")[:1].isdigit():
            jid = pc.parse_job_id(operand)
            if jid is None:
                ctx.err.write(f"qstat: illegally formed job identifier: {operand}\n")
                rc = rc or 1
                continue
            found = pc.find_live(engine, jid)
            if not found:
                text, code = _unknown(jid.full(server))
                errors.append(text)
                rc = rc or code
                continue
            if jid.array and jid.index is None:
                expand_this = True if expand else None
            else:
                expand_this = True if jid.index is not None or expand else None
            selections.append((found, bool(expand_this)))
        else:
            queue = operand.split("@", 1)[0]
            if queue and queue not in (ctx.config.get("queues") or {}):
                errors.append(f"{UNKNOWN_QUEUE}{operand}\n")
                rc = rc or exit_code(PBSE_UNKQUE)
                continue
            records = engine.jobs(view="live")
            selections.append(([j for j in records if not queue or j.queue == queue], False))
    user = flags.get("u")
    for records, explicit in selections:
        for job, tasks in _group(records, expand or explicit):
            if user and job.user not in user.split(","):
                continue
            view = job_view(job, engine, tasks)
            if hide_done and view.state == "C":
                continue
            if "i" in flags and view.state not in "EHQTW":
                continue
            if "r" in flags and view.state not in "RS":
                continue
            views.append(view)
    out = ctx.out
    if "x" in flags:
        out.write(format_xml(views))
    elif "f" in flags:
        size = 65536 if "1" in flags else LINESIZE
        for view in views:
            out.write(format_full(view, size))
    elif alt:
        if views:
            out.write(alt_header(server))
        for view in views:
            out.write(alt_line(view, "n" in flags))
    elif views:
        out.write(SUMMARY_HEADER + "".join(summary_line(v) for v in views))
    for text in errors:
        ctx.err.write(text)
    return rc


def _unknown(full_id: str) -> tuple[str, int]:
    """``qstat`` for an id the server does not know (or no longer keeps)."""
    return f"qstat: Unknown Job Id Error {full_id}\n", exit_code(PBSE_UNKJOBID)


# Not shared with pbspro_qstat._group: PBS Pro lists an array's parent even with -t (real difference).
def _group(records: list[Job], expand: bool) -> list[tuple[Job, list[Job] | None]]:
    """Records as qstat lists them: arrays summarized as one ``12[]`` entry unless expanded (-t)."""
    out: list[tuple[Job, list[Job] | None]] = []
    arrays: dict[int, list[Job]] = {}
    for job in records:
        if job.array_index is None or expand:
            out.append((job, None))
        elif job.job_id in arrays:
            arrays[job.job_id].append(job)
        else:
            arrays[job.job_id] = [job]
            out.append((job, arrays[job.job_id]))
    return out


def _qstat_queues(ctx: Context, flags: dict[str, str], operands: list[str]) -> int:
    """``qstat -Q`` / ``-q`` / ``-B``: the queue and server summaries."""
    live = ctx.engine.jobs(view="live")
    if "B" in flags:
        counts = _counts(live)
        ctx.out.write(
            "Server             Max   Tot   Que   Run   Hld   Wat   Trn   Ext   Com Status\n"
            "---------------- ----- ----- ----- ----- ----- ----- ----- ----- ----- ----------\n"
            f"{pc.server_name(ctx.config)[:16]:<16} {0:>5} {len(live):>5} {counts['Q']:>5} "
            f"{counts['R']:>5} {counts['H']:>5} {0:>5} {0:>5} {0:>5} {counts['C']:>5} "
            f"{'Active':<10}\n"
        )
        return 0
    return pc.queue_summary(ctx, operands, live, _queue_row, QUEUE_HEADER, UNKNOWN_QUEUE)


def _queue_row(name: str, jobs: list[Job]) -> str:
    """One ``qstat -Q`` row: the queue's jobs per state, completed ones included."""
    counts = _counts(jobs)
    return (
        f"{name[:16]:<16} {0:>5} {sum(counts.values()):>6} {'yes':>5} {'yes':>5} "
        f"{counts['Q']:>5} {counts['R']:>5} {counts['H']:>5} {0:>5} {0:>5} {0:>5} "
        f"{'E':<1} {counts['C']:>5}\n"
    )


def _counts(jobs: list[Job]) -> dict[str, int]:
    """Jobs per Torque state letter."""
    return pc.state_counts(jobs, "QRHC", state_letter)

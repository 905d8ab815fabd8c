"""The fake PBS Pro's ``qstat``: selects jobs (ids, queues, history with ``-x``/``-H``, ``-t``, ``-J``,
``-u``, ``-i``/``-r``) or the queue/server summaries (``-Q``/``-B``) and prints them with pbspro.output, as
OpenPBS qstat.c does."""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import output as po
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs.common import PBSE_UNKQUE, exit_code
from clusterjob_sim.pbs.pbspro.output import (
    PBS_VERSION,
    QSTAT_USAGE,
    QUEUE_HEADER,
    UNKNOWN_QUEUE,
    alt_header,
    alt_line,
    count_states,
    format_dsv,
    format_full,
    format_json,
    format_table,
    job_view,
    qstat_finished,
    qstat_unknown,
    queue_row,
    server_version,
    trunc_value,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job
    from clusterjob_sim.pbs.output import JobView

QSTAT_OPTSTRING = "ainpqrstwxu:fGHJMQEBW:T1F:D:"  # qstat.c
# Options of the manual (manual.py) this qstat acts on as OpenPBS's does.
IMPLEMENTED = frozenset("-f -F -D -x -t -J -a -H -i -r -n -s -u -Q -B --version".split())
REFUSED: dict[str, str] = {}
KNOWN = IMPLEMENTED | set(REFUSED)
CONFLICT = "qstat: conflicting options.\n"
HISTORY_NOT_SET = "PBS is not configured to maintain job history"  # msg_job_history_notset


def _not_implemented(ctx: Context, option: str) -> int:
    """The simulator's refusal of an option (or combination) the real qstat has: exit 2, as a usage
    error."""
    from clusterjob_sim.engine.refusal import not_implemented_text

    ctx.err.write(not_implemented_text("qstat", option))
    return 2


def _usage(ctx: Context, before: str = "") -> int:
    """qstat's usage message, exit 2."""
    ctx.err.write(before + QSTAT_USAGE)
    return 2


def main(ctx: Context) -> int:
    """``qstat [-f [-F json|dsv]] [-x] [-t] [-J] [-a|-n|-s|-u user|-H] [ids or queues]`` as OpenPBS."""
    if ctx.argv[:1] == ["--version"]:
        ctx.out.write(f"pbs_version = {ctx.config.get('pbs_version', PBS_VERSION)}\n")
        return 0
    opts, operands = pc.getopt(ctx.argv, QSTAT_OPTSTRING, prog="qstat")
    missing = pc.first_missing(opts, KNOWN)
    if missing:
        return _not_implemented(ctx, missing)
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
    if "Q" in flags or "B" in flags:
        if "f" in flags:
            return _not_implemented(ctx, "-Q -f" if "Q" in flags else "-B -f")
        return _qstat_queues(ctx, flags, operands)
    engine = ctx.engine
    server = srv.server_name(ctx.config)
    history = bool(ctx.config.get("job_history_enable", False))
    if not history and ("x" in flags or "H" in flags):
        return _history_not_set(ctx, flags, fmt, operands, server)
    show_done = "x" in flags or "H" in flags
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
        found = [j for j in records if j.job_id == jid.seq and srv.same_job(j, jid, True)]
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


def _history_not_set(
    ctx: Context, flags: dict[str, str], fmt: str, operands: list[str], server: str
) -> int:
    """``-x``/``-H`` without job_history_enable: the server rejects every status request with
    PBSE_JOBHISTNOTSET (req_stat.c, req_select.c), qstat prints it per operand through prt_job_err
    and still exits 0 (qstat.c); ``-F json`` prints its prologue alone."""
    rc = 0
    names: list[str] = []
    for operand in operands or [""]:
        if operand[:1].isdigit():
            jid = pc.parse_job_id(operand)
            if jid is None:
                ctx.err.write(f"qstat: illegally formed job identifier: {operand}\n")
                rc = 1
                continue
            names.append(jid.full(server))
        else:
            names.append(operand.split("@", 1)[0])
    for name in names:
        ctx.err.write(f"qstat: {HISTORY_NOT_SET} {name}\n")
    if "f" in flags and fmt == "json":
        ctx.out.write(format_json([], server, ctx.engine.now(), server_version(ctx)))
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


def _qstat_queues(ctx: Context, flags: dict[str, str], operands: list[str]) -> int:
    """``qstat -Q`` / ``-B``: the queue and server summaries."""
    engine = ctx.engine
    live = [j for j in engine.jobs(view="live") if not j.finished]
    if "B" in flags:
        c = count_states(live)
        ctx.out.write(
            "Server             Max   Tot   Que   Run   Hld   Wat   Trn   Ext Status\n"
            "---------------- ----- ----- ----- ----- ----- ----- ----- ----- -----------\n"
            f"{trunc_value(srv.server_name(ctx.config), 16):<16} {0:>5} {len(live):>5} {c['Q']:>5} {c['R']:>5} "
            f"{c['H']:>5} {0:>5} {0:>5} {0:>5} {'Active':<10}\n"
        )
        return 0
    return po.queue_summary(ctx, operands, live, queue_row, QUEUE_HEADER, UNKNOWN_QUEUE)

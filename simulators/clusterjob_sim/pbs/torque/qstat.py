"""The fake Torque's ``qstat``: selects the jobs (ids, queues, ``-u``, ``-i``/``-r``, ``-c``, ``-t``) or the
queue/server summaries (``-Q``/``-B``) and prints them with torque.output, as Torque 6.1.3's qstat.c does."""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import output as po
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs.common import PBSE_UNKQUE, exit_code
from clusterjob_sim.pbs.torque.output import (
    LINESIZE,
    QSTAT_USAGE,
    QUEUE_HEADER,
    SUMMARY_HEADER,
    UNKNOWN_QUEUE,
    alt_header,
    alt_line,
    count_states,
    format_full,
    format_xml,
    job_view,
    qstat_unknown,
    queue_row,
    summary_line,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job
    from clusterjob_sim.pbs.common import Opt
    from clusterjob_sim.pbs.output import JobView

QSTAT_OPTSTRING = "acCeE:filn1pqrstu:xGMQRBW:-:"  # qstat.c
# Options of the manual (manual.py) this qstat acts on as Torque's does. -l only sets a flag nothing reads
# in 6.1.3; -e also lists sub-jobs (no array summary), and every simulated queue is an execution queue.
IMPLEMENTED = frozenset("-f -1 -l -x --xml -a -i -r -e -n -s -u -t -Q -B -c --version".split())
REFUSED: dict[str, str] = {}
KNOWN = IMPLEMENTED | set(REFUSED)
CONFLICT = "qstat: conflicting options.\n"


def _spelled(opt: Opt) -> list[str]:
    """``-x``, or ``--xml`` for the long words."""
    return [f"--{opt.arg}" if opt.letter == "-" else f"-{opt.letter}"]


def main(ctx: Context) -> int:
    """``qstat [-f [-1]] [-a|-n|-u|-t|-x|-c] [ids or queues]`` as Torque answers."""
    opts, operands = pc.getopt(ctx.argv, QSTAT_OPTSTRING, prog="qstat")
    flags: dict[str, str] = {}
    usage = False  # errflg: usage after all options were read
    for opt in opts:
        if opt.letter == "?":
            ctx.err.write(opt.error + "\n" + QSTAT_USAGE)
            return 2
        if opt.letter == "-" and opt.arg not in ("version", "xml", "about"):
            ctx.err.write(QSTAT_USAGE)
            return 2
        if opt.letter == "p":  # in the optstring, but no case reads it
            usage = True
            continue
        missing = pc.first_missing([opt], KNOWN, _spelled)
        if missing:
            from clusterjob_sim.engine.refusal import not_implemented_text

            ctx.err.write(not_implemented_text("qstat", missing))
            return 2
        if opt.letter == "-" and opt.arg == "version":
            ver = ctx.config.get("torque_version", "6.1.3")
            ctx.err.write(f"Version: {ver}\nCommit: sim\n")
            return 0
        flags["x" if opt.letter == "-" else opt.letter] = opt.arg or ""  # --xml is -x
    if usage:
        ctx.err.write(QSTAT_USAGE)
        return 2
    alt = "f" not in flags and any(k in flags for k in "ainrsu")
    if "f" in flags and any(k in flags for k in "ainrs"):
        ctx.err.write(
            "qstat: conflicting options.\n -f incompatible with one or more options. "
            "Read qstat man page\n" + QSTAT_USAGE
        )
        return 2
    if "1" in flags and "n" not in flags and "f" not in flags:
        ctx.err.write(CONFLICT + QSTAT_USAGE)
        return 2
    if "Q" in flags or "B" in flags:
        if "f" in flags:
            from clusterjob_sim.engine.refusal import not_implemented_text

            ctx.err.write(not_implemented_text("qstat", "-Q -f" if "Q" in flags else "-B -f"))
            return 2
        return _qstat_queues(ctx, flags, operands)
    engine = ctx.engine
    server = srv.server_name(ctx.config)
    expand = "t" in flags or "e" in flags or "PBS_QSTAT_EXECONLY" in ctx.environ
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
            found = srv.find_live(engine, jid)
            if not found:
                text, code = qstat_unknown(jid.full(server))
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
            out.write(alt_line(view, "n" in flags, "1" in flags, "s" in flags))
    elif views:
        out.write(SUMMARY_HEADER + "".join(summary_line(v) for v in views))
    for text in errors:
        ctx.err.write(text)
    return rc


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
        counts = count_states(live)
        ctx.out.write(
            "Server             Max   Tot   Que   Run   Hld   Wat   Trn   Ext   Com Status\n"
            "---------------- ----- ----- ----- ----- ----- ----- ----- ----- ----- ----------\n"
            f"{srv.server_name(ctx.config)[:16]:<16} {0:>5} {len(live):>5} {counts['Q']:>5} "
            f"{counts['R']:>5} {counts['H']:>5} {0:>5} {0:>5} {0:>5} {counts['C']:>5} "
            f"{'Active':<10}\n"
        )
        return 0
    return po.queue_summary(ctx, operands, live, queue_row, QUEUE_HEADER, UNKNOWN_QUEUE)

"""The fake qdel: delete pending jobs, have running ones killed (SIGKILL), answer per job as qdel does."""

from __future__ import annotations

from clusterjob_sim.engine.refusal import is_digits, not_implemented_text
from clusterjob_sim.sge import output as out

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

IMPLEMENTED = frozenset({"-t", "-u"})
REFUSED: dict[str, str] = {}
OTHERS = frozenset({"-f", "-help"})  # qdel(1)'s flags the simulator does not implement
EXIT_QDEL_USAGE = 1  # seen: `qdel -u` without its argument


def _job_ids(texts: list[str]) -> list[str]:
    """Job id operands as given, split at commas."""
    return [t for text in texts for t in text.split(",") if t]


def main(ctx: Context) -> int:
    """qdel ID[,ID] [ID.TASK] [-t range] [-u user]: delete pending jobs, kill running ones."""
    from clusterjob_sim.engine.jobs import user_name

    args = list(ctx.argv)
    refs: list[str] = []
    task_filter: set[int] | None = None
    users: list[str] | None = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-t" and i + 1 < len(args):
            from clusterjob_sim.sge.options import parse_task_range

            ids = parse_task_range(args[i + 1])
            if ids is None:
                ctx.err.write(out.invalid_option_text(f"-t {args[i + 1]}"))
                return out.EXIT_USAGE
            task_filter = set(ids)
            i += 2
            continue
        if a == "-u" and i + 1 < len(args):
            users = args[i + 1].split(",")
            i += 2
            continue
        if a in OTHERS:
            ctx.err.write(not_implemented_text("qdel", a))
            return EXIT_QDEL_USAGE
        if a.startswith("-"):
            ctx.err.write(out.invalid_option_text(a))
            return out.EXIT_USAGE
        refs.extend(_job_ids([a]))
        i += 1
    engine = ctx.engine
    me = user_name()
    if users is not None and not refs:
        refs = sorted(
            {
                str(j.job_id)
                for j in engine.jobs(view="live")
                if j.state in out.ACTIVE and (j.user in users or "*" in users)
            },
            key=int,
        )
    rc = 0
    for text in refs:
        base, dot, task_s = text.partition(".")
        tasks = set(task_filter) if task_filter is not None else None
        if dot:
            if not is_digits(task_s):
                ctx.out.write(out.qdel_unknown(text))
                rc = out.EXIT_REJECTED
                continue
            tasks = {int(task_s)}
        jobs = (
            [j for j in engine.jobs([int(base)], view="live") if j.state in out.ACTIVE]
            if is_digits(base)
            else []
        )
        if tasks is not None:
            jobs = [j for j in jobs if (j.array_index or 0) in tasks]
        if not jobs:
            ctx.out.write(out.qdel_unknown(text))
            rc = out.EXIT_REJECTED
            continue
        ctx.out.write(_delete(engine, jobs, me))
    return rc


def _delete(engine: Engine, jobs: list[Job], user: str) -> str:
    """Cancel the records of one job and word it as qdel does."""
    job_id = jobs[0].job_id
    is_array = jobs[0].array_index is not None
    running = [j for j in jobs if j.state == "RUNNING"]
    pending = [j for j in jobs if j.state == "PENDING"]
    engine.cancel(jobs)
    if not is_array:
        return out.qdel_registered(user, job_id) if running else out.qdel_deleted(user, job_id)
    lines = [out.qdel_registered_task(user, job_id, j.array_index or 0) for j in running]
    if pending:  # seen: the pending rest of an array is "deleted job N" after the running tasks
        lines.append(out.qdel_deleted(user, job_id))
    return "".join(lines)

"""What the PBS server does alike in both flavours: its name in job ids, the queue checks of a submission,
finding jobs by the ids users type, and qdel's walk over them."""

from __future__ import annotations

from clusterjob_sim.pbs.common import parse_job_id

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Callable, Container, Sequence
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job
    from clusterjob_sim.pbs.common import JobId, QsubError
    from clusterjob_sim.pbs.submit import Request


def server_name(config: dict[str, Any]) -> str:
    """The server name in job ids."""
    return str(config.get("server_name") or "simserver")


def site_queue(
    req: Request, config: dict[str, Any], unknown_queue: QsubError, over_walltime: QsubError
) -> tuple[str, dict[str, Any], int | None]:
    """The server's queue checks: the queue, its config and the walltime the job gets (the queue's
    default if unset); `unknown_queue` / `over_walltime` are the flavour's refusals."""
    queues = config.get("queues") or {}
    queue = req.queue or str(config.get("default_queue") or "")
    if queue not in queues:
        raise unknown_queue
    qconf = queues[queue] or {}
    walltime = req.walltime_s
    if walltime is None and qconf.get("default_time_s") is not None:
        walltime = int(qconf["default_time_s"])
    if walltime is not None and qconf.get("max_time_s") is not None:
        if walltime > float(qconf["max_time_s"]):
            raise over_walltime
    return queue, qconf, walltime


def same_job(job: Job, jid: JobId, exact_array: bool) -> bool:
    """Whether a record is one an id names (PBS Pro, `exact_array`, also tells ``N`` from ``N[]``)."""
    if exact_array and (job.array_index is None) != (not jid.array):
        return False
    return jid.index is None or job.array_index == jid.index


def find_live(engine: Engine, jid: JobId, exact_array: bool = False) -> list[Job]:
    """The live records an id names, as both qdels (and Torque's qstat) look them up."""
    return [j for j in engine.jobs([jid.seq], view="live") if same_job(j, jid, exact_array)]


def delete_jobs(
    ctx: Context,
    operands: Sequence[str],
    unknown: Callable[[str, str], tuple[str, int]],
    finished: Callable[[str], tuple[str, int]],
    exact_array: bool = False,
    history: bool = True,
    everything: Container[str] = (),
) -> int:
    """qdel's walk over its ids in both flavours: cancel what each names, else the flavour's refusal."""
    engine = ctx.engine
    server = server_name(ctx.config)
    rc = 0
    for operand in operands:
        if operand in everything:
            engine.cancel(engine.jobs(states=("PENDING", "RUNNING")))
            continue
        jid = parse_job_id(operand)
        if jid is None:
            ctx.err.write(f"qdel: illegally formed job identifier: {operand}\n")
            rc = 1
            continue
        full = jid.full(server)
        found = find_live(engine, jid, exact_array)
        if found and not history and all(j.finished for j in found):
            found = []  # without job history a finished job is unknown
        if not found:
            text, rc = unknown(operand, full)
            ctx.err.write(text)
            continue
        if not engine.cancel(found):
            text, rc = finished(full)
            ctx.err.write(text)
    return rc

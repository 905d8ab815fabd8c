"""``qselect`` in both flavours: the ids of the jobs that match ``-u`` / ``-s`` / ``-N`` / ``-q``, one full id
a line, as the server's select request returns them (Torque 6.1.3 and OpenPBS 23.06.06 src/cmds/qselect.c).
"""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import output as po
from clusterjob_sim.pbs import server as srv

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Callable

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job

OPERATORS = ("eq.", "ne.", "ge.", "gt.", "le.", "lt.")  # check_op: a value may start with one


def select(
    ctx: Context,
    optstring: str,
    known: frozenset[str],
    usage: str,
    letter: Callable[[Job], str],
    records: list[Job],
    state_letters: str,
    array_parent: bool,
    unknown_queue: str | None,
    check_states: bool,
) -> int:
    """Parse the options, refuse the unimplemented ones loudly, and print the matching job ids.

    `records`: the jobs the server can select from; `letter`: a record's job_state; `state_letters`:
    what -s accepts; `array_parent`: list an array once as ``12[]`` (PBS Pro) instead of its sub-jobs;
    `unknown_queue`: the server's refusal of ``-q`` naming no queue (None: its text is not known here, so
    the simulator refuses loudly); `check_states`: the client itself refuses other -s letters (Torque)."""
    opts, operands = pc.getopt(ctx.argv, optstring, prog="qselect")
    missing = pc.first_missing(opts, known)
    if missing:
        from clusterjob_sim.engine.refusal import not_implemented_text

        ctx.err.write(not_implemented_text("qselect", missing))
        return 2
    errors = "".join(o.error + "\n" for o in opts if o.letter == "?")
    wanted: dict[str, str] = {}
    for opt in opts:
        if opt.letter == "?":
            continue
        value = opt.arg or ""
        if opt.letter == "s" and (
            not value or any(ch not in state_letters for ch in value.strip())
        ):
            if not check_states:  # the server's answer to a state it lacks is not modelled
                from clusterjob_sim.engine.refusal import not_implemented_text

                ctx.err.write(not_implemented_text("qselect", f"-s {value}"))
                return 2
            errors += "qselect: illegal -s value\n"  # Torque's client-side check
            continue
        if opt.letter in "sq" and value.startswith(OPERATORS):
            from clusterjob_sim.engine.refusal import not_implemented_text

            ctx.err.write(not_implemented_text("qselect", f"-{opt.letter} {value[:3]}"))
            return 2
        wanted[opt.letter] = value
    if errors or operands:
        ctx.err.write(errors + usage)
        return 2
    queue = wanted.get("q", "").split("@", 1)[0]
    if queue and queue not in (ctx.config.get("queues") or {}):
        if unknown_queue is None:
            from clusterjob_sim.engine.refusal import not_implemented_text

            ctx.err.write(not_implemented_text("qselect", "-q <a queue the server lacks>"))
            return 2
        ctx.err.write(unknown_queue)
        return pc.exit_code(pc.PBSE_UNKQUE)
    users = {u.split("@", 1)[0] for u in wanted["u"].split(",")} if "u" in wanted else None
    server = srv.server_name(ctx.config)
    seen: set[int] = set()
    for job in records:
        if users is not None and job.user not in users:
            continue
        if queue and job.queue != queue:
            continue
        if "N" in wanted and job.name != wanted["N"]:
            continue
        if "s" in wanted and letter(job) not in wanted["s"]:
            continue
        if array_parent and job.array_index is not None:
            if job.job_id not in seen:
                seen.add(job.job_id)
                ctx.out.write(f"{job.job_id}[].{server}\n")
            continue
        ctx.out.write(po.job_id_text(job, server) + "\n")
    return 0

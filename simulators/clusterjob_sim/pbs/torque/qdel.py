"""The fake Torque's ``qdel``: deletes the jobs named (or ``all``), silent on success, Torque's refusals
for unknown and completed ids (qdel.c)."""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs.torque.output import QDEL_USAGE, qdel_finished, qdel_unknown

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context


# Options of the manual (manual.py) this qdel acts on as Torque's does: -a (reply without waiting for the
# job's end) is how the simulator always deletes.
IMPLEMENTED = frozenset({"-a"})
REFUSED: dict[str, str] = {}
KNOWN = IMPLEMENTED | set(REFUSED)


def main(ctx: Context) -> int:
    """``qdel ID...`` (or ``all``): silent on success; unknown ids ``nonexistent job id``, rc 153."""
    opts, operands = pc.getopt(ctx.argv, "ab:cm:pW:t:", prog="qdel")  # qdel.c
    for opt in opts:  # Torque stops at the first bad option; PBS Pro lists them all
        if opt.letter == "?":
            ctx.err.write(opt.error + "\n" + QDEL_USAGE)
            return 2
        if f"-{opt.letter}" not in KNOWN:
            from clusterjob_sim.engine.refusal import not_implemented_text

            ctx.err.write(not_implemented_text("qdel", f"-{opt.letter}"))
            return 2
    if not operands:
        ctx.err.write(QDEL_USAGE)
        return 2
    return srv.delete_jobs(ctx, operands, qdel_unknown, qdel_finished, everything=("all", "ALL"))

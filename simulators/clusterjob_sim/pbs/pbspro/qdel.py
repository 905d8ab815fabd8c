"""The fake PBS Pro's ``qdel``: deletes the jobs named, silent on success; ``Unknown Job Id`` and ``Job has
finished`` as OpenPBS qdel.c refuses them."""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs.pbspro.output import QDEL_USAGE, qdel_finished, qdel_unknown, server_version

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context


# Options of the manual (manual.py) this qdel acts on as OpenPBS's does.
IMPLEMENTED = frozenset({"--version"})
REFUSED: dict[str, str] = {}
KNOWN = IMPLEMENTED | set(REFUSED)


def main(ctx: Context) -> int:
    """``qdel ID...``: silent on success; ``Unknown Job Id`` rc 153, ``Job has finished`` rc 35."""
    if ctx.argv[:1] == ["--version"]:
        ctx.out.write(f"pbs_version = {server_version(ctx)}\n")
        return 0
    opts, operands = pc.getopt(ctx.argv, "W:x", prog="qdel")  # qdel.c
    missing = pc.first_missing(opts, KNOWN)
    if missing:
        from clusterjob_sim.engine.refusal import not_implemented_text

        ctx.err.write(not_implemented_text("qdel", missing))
        return 2
    if any(opt.letter == "?" for opt in opts) or not operands:
        ctx.err.write("".join(o.error + "\n" for o in opts if o.letter == "?") + QDEL_USAGE)
        return 2
    history = bool(ctx.config.get("job_history_enable", False))
    return srv.delete_jobs(
        ctx, operands, qdel_unknown, qdel_finished, exact_array=True, history=history
    )

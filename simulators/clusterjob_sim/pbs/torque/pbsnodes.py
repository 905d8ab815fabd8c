"""The fake Torque's ``pbsnodes -l [STATE]``: the nodes in a state, ``%-20.20s %s`` each, as Torque 6.1.3's
src/cmds/pbsnodes.c (without STATE: the down, offline and unknown ones, which simulated nodes never are).
The attribute listing (``-a``, the default) carries the mom's status report, which is not simulated: it
fails loudly."""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context

OPTSTRING = "acdlm:opqrs:x-:N:A:n"  # pbsnodes.c
# Options of the manual (manual.py) this pbsnodes acts on as Torque's does.
IMPLEMENTED = frozenset({"-l"})
REFUSED: dict[str, str] = {}
KNOWN = IMPLEMENTED | set(REFUSED)
USAGE = (
    'usage:\t{p} [-{{c|d|l|o|p|r}}] [-s server] [-n] [-N "note"] [-A "append note"] [-q] '
    "[-m standby|suspend|sleep|hibernate|shutdown] node ...\n"
    "\t{p} [-{{a|x}}] [-s server] [-q] [node]\n"
)
# NState of pbsnodes.c (the -l state words) and what each selects of a simulated node's state
STATES = (
    "free offline down reserve job-exclusive job-sharing busy state-unknown time-shared active all up"
).split()


def main(ctx: Context) -> int:
    """``pbsnodes -l [STATE]``: matching nodes, one a line."""
    spelled = next(
        (a for a in ctx.argv if a in ("-xml", "--xml")), None
    )  # the manual's XML spellings
    if spelled:
        from clusterjob_sim.engine.refusal import not_implemented_text

        ctx.err.write(not_implemented_text("pbsnodes", spelled))
        return 2
    opts, operands = pc.getopt(ctx.argv, OPTSTRING, prog="pbsnodes")
    letters = [o.letter for o in opts]
    missing = pc.first_missing(opts, KNOWN) or (None if letters else "-a")
    if missing:
        from clusterjob_sim.engine.refusal import not_implemented_text

        ctx.err.write(not_implemented_text("pbsnodes", missing))
        return 2
    if "?" in letters:
        errors = "".join(o.error + "\n" for o in opts if o.letter == "?")
        ctx.err.write(errors + USAGE.format(p="pbsnodes"))
        return 1
    wanted = ""
    if operands and operands[0].lower() in STATES:
        wanted = operands.pop(0).lower()
    if operands:  # a node list: the server's answer for unknown names is not simulated
        from clusterjob_sim.engine.refusal import not_implemented_text

        ctx.err.write(not_implemented_text("pbsnodes", "-l NODE"))
        return 2
    busy: dict[str, int] = {}
    for job in ctx.engine.jobs(states=("RUNNING",)):
        for name in job.node_names:
            busy[name] = busy.get(name, 0) + int(job.cores_per_node or 1)
    for node in ctx.engine.nodes:
        name = node["name"]
        state = "job-exclusive" if busy.get(name, 0) >= int(node.get("cores") or 1) else "free"
        if _shown(wanted, state):
            ctx.out.write(f"{name[:20]:<20} {state}\n")
    return 0


def _shown(wanted: str, state: str) -> bool:
    """filterbystate of pbsnodes.c for a node that is up (free or job-exclusive)."""
    if wanted in ("", "offline", "down", "state-unknown", "reserve", "busy", "time-shared"):
        return False  # tnsNONE shows down/offline/unknown only
    if wanted in ("all", "up"):
        return True
    if wanted == "active":
        return state == "job-exclusive"
    return wanted == state

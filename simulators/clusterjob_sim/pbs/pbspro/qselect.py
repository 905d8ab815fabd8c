"""The fake PBS Pro's ``qselect``: the ids of the queued, running and held jobs (finished ones need -x,
not simulated) that match ``-u``, ``-s``, ``-N``, ``-q``; an array once as ``12[]``; as OpenPBS 23.06.06's
src/cmds/qselect.c."""

from __future__ import annotations

from clusterjob_sim.pbs.pbspro.output import server_version, state_letter
from clusterjob_sim.pbs.qselect import select

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context

OPTSTRING = "a:A:c:h:HJl:N:p:q:r:s:t:Tu:xP:"  # GETOPT_ARGS of qselect.c
# Options of the manual (manual.py) this qselect acts on as OpenPBS's does.
IMPLEMENTED = frozenset({"-u", "-s", "-N", "-q", "--version"})
REFUSED: dict[str, str] = {}
UNKNOWN_QUEUE = "qselect: Unknown queue\n"  # PBSE_UNKQUE from req_select.c, msg_unkque
USAGE = (
    "usage: qselect [-a [op]date_time] [-A account_string] [-c [op]interval]\n"
    "\t[-h hold_list] [-H] [-J] [-l resource_list] [-N name] [-p [op]priority]\n"
    "\t[-q destination] [-r y|n] [-s states] [-t subopt[op]date_time] [-T] [-P project_name]\n"
    "\t[-x] [-u user_name]\n"
    "       qselect --version\n"
)


def main(ctx: Context) -> int:
    """``qselect [-u users] [-s states] [-N name] [-q queue]``: matching ids, one a line."""
    if ctx.argv[:1] == ["--version"]:
        ctx.out.write(f"pbs_version = {server_version(ctx)}\n")
        return 0
    records = [j for j in ctx.engine.jobs(view="live") if not j.finished]
    known = IMPLEMENTED | set(REFUSED)
    return select(
        ctx,
        OPTSTRING,
        known,
        USAGE,
        state_letter,
        records,
        "BEFHMQRSTUWX",
        True,
        UNKNOWN_QUEUE,
        False,
    )

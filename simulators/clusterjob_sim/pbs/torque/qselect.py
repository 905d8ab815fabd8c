"""The fake Torque's ``qselect``: the ids of the jobs the server keeps (completed ones too, until
keep_completed) that match ``-u``, ``-s``, ``-N``, ``-q``, as Torque 6.1.3's src/cmds/qselect.c."""

from __future__ import annotations

from clusterjob_sim.pbs.qselect import select
from clusterjob_sim.pbs.torque.output import state_letter

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context

OPTSTRING = "a:A:ec:h:l:N:p:q:r:s:u:"  # GETOPT_ARGS of qselect.c
# Options of the manual (manual.py) this qselect acts on as Torque's does.
IMPLEMENTED = frozenset({"-u", "-s", "-N", "-q"})
REFUSED: dict[str, str] = {}
USAGE = (
    "usage: qselect                           [-a [op]date_time] [-A account_string] [-e]"
    " [-c [op]interval] \n"
    "                          [-h hold_list] [-l resource_list] [-N name] [-p [op]priority] \n"
    "                          [-q destination] [-r y|n] [-s states] [-u user_name]\n"
)


def main(ctx: Context) -> int:
    """``qselect [-u users] [-s states] [-N name] [-q queue]``: matching ids, one a line."""
    records = ctx.engine.jobs(view="live")
    known = IMPLEMENTED | set(REFUSED)
    return select(ctx, OPTSTRING, known, USAGE, state_letter, records, "CEHQRTW", False, None, True)

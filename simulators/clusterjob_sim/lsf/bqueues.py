"""Fake bqueues: the default listing of the simulated cluster's queues, highest priority first.

Columns per OpenLava lsbatch/cmd/bqueues.c prtQueuesShort and a recording of real LSF 10.1 (output.py);
NJOBS, PEND, RUN and SUSP count slots, as LSF does. Options the simulator does not act on fail loudly.
"""

from __future__ import annotations

from clusterjob_sim.lsf import output as out
from clusterjob_sim.lsf.options import EXIT_FAIL, Refused, refuse_unimplemented, scan_options

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context

FLAGS = frozenset("w l r lr json alloc noheader h V".split())
VALUES = frozenset("o m u".split())

IMPLEMENTED = frozenset({"-noheader"})
REFUSED: dict[str, str] = {}

USAGE = (
    "Usage: bqueues [-h] [-V] [-w | -l] [-m host_name | -m cluster_name]\n"
    " [-u user_name] [queue_name ...]\n"
)  # OpenLava bqueues.c usage() [source]; LSF 10's names more options [unconfirmed]

DEFAULT_PRIORITY = 30  # the priority of lsfinstall's queue "normal" (recorded above)


def main(ctx: Context) -> int:
    """bqueues [-noheader] [QUEUE ...]."""
    try:
        found, names = scan_options(ctx.argv, "bqueues", FLAGS, VALUES, USAGE)
        refusal = refuse_unimplemented("bqueues", (n for n, _ in found), IMPLEMENTED, REFUSED)
        if refusal is not None:
            raise refusal
    except Refused as e:
        ctx.err.write(e.message)
        return e.exit_code
    queues = dict(ctx.config.get("queues") or {})
    for name in names:
        if name not in queues:
            ctx.err.write(out.no_such_queue(name))  # lsb_perror(queue) of LSBE_BAD_QUEUE
            return EXIT_FAIL
    wanted = names or list(queues)
    slots: dict[str, list[int]] = {q: [0, 0] for q in wanted}  # pending, running
    for job in ctx.engine.jobs(view="live"):
        if job.queue in slots and job.state in out.ACTIVE:
            n = int(job.data.get("slots", 1))
            slots[job.queue][0 if job.state == "PENDING" else 1] += n
    order = sorted(wanted, key=lambda q: -int((queues[q] or {}).get("priority", DEFAULT_PRIORITY)))
    lines = [out.BQUEUES_HEADER] if "noheader" not in {n for n, _ in found} else []
    for q in order:
        pend, run = slots[q]
        prio = int((queues[q] or {}).get("priority", DEFAULT_PRIORITY))
        lines.append(out.bqueues_row(q, prio, "Open:Active", pend + run, pend, run, 0))
    ctx.out.write("".join(lines))
    return 0

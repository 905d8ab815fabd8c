"""Fake bhosts: the default listing of the simulated cluster's hosts and the job slots in use on each.

Columns per IBM LSF 10.1 bhosts(1) and a recording of real LSF 10.1 (output.py). MAX is the host's cores
(lsfinstall's lsb.hosts default MXJ "!"); a host whose slots are all in use is "closed", as LSF shows a
full host. Options the simulator does not act on fail loudly.
"""

from __future__ import annotations

from clusterjob_sim.lsf import output as out
from clusterjob_sim.lsf.options import EXIT_FAIL, Refused, refuse_unimplemented, scan_options

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context

FLAGS = frozenset("w l e json a attr alloc x X noheader loc s sl aff gpu rc rconly h V".split())
VALUES = frozenset("o R".split())

IMPLEMENTED = frozenset({"-noheader"})
REFUSED: dict[str, str] = {}

USAGE = "Usage: bhosts [-h] [-V] [-w | -l] [-R res_req] [host_name ...]\n"  # [unconfirmed]


def main(ctx: Context) -> int:
    """bhosts [-noheader] [HOST ...]."""
    try:
        found, names = scan_options(ctx.argv, "bhosts", FLAGS, VALUES, USAGE)
        refusal = refuse_unimplemented("bhosts", (n for n, _ in found), IMPLEMENTED, REFUSED)
        if refusal is not None:
            raise refusal
    except Refused as e:
        ctx.err.write(e.message)
        return e.exit_code
    engine = ctx.engine
    hosts = {n["name"]: int(n.get("cores", 1)) for n in engine.nodes}
    for name in names:
        if name not in hosts:
            # lsb_perror(host) of LSBE_BAD_HOST (OpenLava lsb.err.c, message 23)
            ctx.err.write(f"{name}: Bad host name, host group name or cluster name\n")
            return EXIT_FAIL
    used = {h: 0 for h in hosts}
    for job in engine.jobs(view="live"):
        if job.state == "RUNNING":
            for h in out.slot_hosts(job):
                if h in used:
                    used[h] += 1
    lines = [out.BHOSTS_HEADER] if "noheader" not in {n for n, _ in found} else []
    for h in names or list(hosts):
        status = "closed" if used[h] >= hosts[h] else "ok"
        lines.append(out.bhosts_row(h, status, hosts[h], used[h], used[h]))
    ctx.out.write("".join(lines))
    return 0

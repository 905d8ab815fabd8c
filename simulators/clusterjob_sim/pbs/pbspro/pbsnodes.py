"""The fake PBS Pro's ``pbsnodes``: ``-a`` and named hosts print each node's attributes (the server's
order of src/lib/Libattr/master_node_attr_def.xml, ``     name = value`` lines and ctime() for the two time
attributes, as OpenPBS 23.06.06's src/cmds/pbsnodes.c prt_node), ``-l`` lists down or offline nodes (the
simulated ones never are). Values come from the simulated nodes and the jobs running on them."""

from __future__ import annotations

import os

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import output as po
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs.pbspro.output import server_version

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context

OPTSTRING = "acC:dD:F:HjlLoqrs:Sv"  # pbsnodes.c
# Options of the manual (manual.py) this pbsnodes acts on as OpenPBS's does.
IMPLEMENTED = frozenset({"-a", "-l", "--version"})
REFUSED: dict[str, str] = {}
KNOWN = IMPLEMENTED | set(REFUSED)
USAGE = (
    "usage:\t{p} [-{{o|r}}][-C comment][-s server] host host ...\n"
    "\t{p} -l [-s server]\n"
    "\t{p} [-s server] -v vnode vnode ...\n"
    "\t{p} -a[v][S[j][L]][-F format][-D delim][-s server]\n"
    "\t{p} -[H][S[j][L]][-F format][-D delim] host host ...\n"
    "\t{p} --version\n\n"
)


def main(ctx: Context) -> int:
    """``pbsnodes -a`` | ``pbsnodes HOST...`` | ``pbsnodes -l``."""
    if ctx.argv[:1] == ["--version"]:
        ctx.out.write(f"pbs_version = {server_version(ctx)}\n")
        return 0
    opts, hosts = pc.getopt(ctx.argv, OPTSTRING, prog="pbsnodes")
    missing = pc.first_missing(opts, KNOWN)
    if missing:
        from clusterjob_sim.engine.refusal import not_implemented_text

        ctx.err.write(not_implemented_text("pbsnodes", missing))
        return 2
    letters = [o.letter for o in opts]
    bad = "?" in letters or len(letters) > 1
    mode = letters[0] if letters else ""
    if bad or (mode == "l" and hosts) or (mode == "" and not hosts):
        errors = "".join(o.error + "\n" for o in opts if o.letter == "?")
        ctx.err.write(errors + USAGE.format(p="pbsnodes"))
        return 1
    if mode == "l":
        return 0  # "list any node that is marked DOWN or OFF_LINE": simulated nodes never are
    nodes = {n["name"]: n for n in ctx.engine.nodes}
    rc = 0
    for name in hosts or list(nodes):
        if name not in nodes:
            ctx.err.write(f"Node: {name},  Error: Unknown node \n")  # msg_unknode, trailing space
            rc = 1
            continue
        ctx.out.write(_node_text(ctx, nodes[name]))
    return rc


def _node_text(ctx: Context, node: dict[str, Any]) -> str:
    """One node as prt_node prints it: its name, then its attributes, then a blank line."""
    name = node["name"]
    engine = ctx.engine
    server = srv.server_name(ctx.config)
    cores = int(node.get("cores") or 1)
    jobs = [j for j in engine.jobs(states=("RUNNING",)) if name in j.node_names]
    slots = []
    for job in jobs:
        per_node = cores if job.exclusive else int(job.cores_per_node or 1)
        slots += [po.job_id_text(job, server)] * per_node
    used_mem = sum(int(j.mem_mb_per_node or 0) for j in jobs) * 1024
    ended = [j.end_time for j in engine.jobs(view="all") if j.end_time and name in j.node_names]
    changes = [t for j in jobs for t in (j.start_time,) if t] + ended
    created = os.path.getmtime(os.path.join(engine.spool_dir, "config.json"))
    attrs: list[tuple[str, str]] = [
        ("Mom", name),
        ("Port", "15002"),
        ("pbs_version", server_version(ctx)),
        ("ntype", "PBS"),
        ("state", "job-busy" if len(slots) >= cores else "free"),
        ("pcpus", str(cores)),
    ]
    if slots:
        attrs.append(("jobs", ", ".join(f"{jid}/{k}" for k, jid in enumerate(slots))))
    attrs += [("resources_available.arch", "linux"), ("resources_available.host", name)]
    if node.get("mem_mb"):
        attrs.append(("resources_available.mem", f"{int(node['mem_mb']) * 1024}kb"))
    attrs += [
        ("resources_available.ncpus", str(cores)),
        ("resources_available.vnode", name),
        ("resources_assigned.accelerator_memory", "0kb"),
        ("resources_assigned.hbmem", "0kb"),
        ("resources_assigned.mem", f"{used_mem}kb"),
        ("resources_assigned.naccelerators", "0"),
        ("resources_assigned.ncpus", str(len(slots))),
        ("resources_assigned.vmem", "0kb"),
        ("resv_enable", "True"),
        ("sharing", "default_shared"),
        ("last_state_change_time", pc.ctime(max(changes or [created])) + "\n"),
    ]
    if ended:
        attrs.append(("last_used_time", pc.ctime(max(ended)) + "\n"))
    lines = [f"{name}\n"]
    for key, value in attrs:
        lines.append(f"     {key} = {value}" + ("" if value.endswith("\n") else "\n"))
    return "".join(lines) + "\n"

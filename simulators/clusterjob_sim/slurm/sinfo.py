"""Fake sinfo: the default partition/node-state summary of the simulated cluster."""

from __future__ import annotations

from clusterjob_sim.engine.hostlist import compress
from clusterjob_sim.slurm.output import squeue_secs

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context


def _limit(seconds: float | None) -> str:
    if seconds is None:
        return "infinite"
    return squeue_secs(int(seconds) // 60 * 60)


def main(ctx: Context) -> int:
    """sinfo [-h]: PARTITION AVAIL TIMELIMIT NODES STATE NODELIST, one line per node state."""
    engine = ctx.engine
    used: dict[str, int] = {}
    for job in engine.jobs(states=("RUNNING",)):
        for name in job.node_names:
            cores = {n["name"]: n["cores"] for n in engine.nodes}[name]
            used[name] = used.get(name, 0) + (cores if job.exclusive else job.cores_per_node)
    lines = []
    if "-h" not in ctx.argv and "--noheader" not in ctx.argv:
        lines.append("PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST")
    default = ctx.config.get("default_queue")
    for name, queue in ctx.config.get("queues", {}).items():
        queue = queue or {}
        members = [n for n in engine.nodes if not queue.get("nodes") or n["name"] in queue["nodes"]]
        groups: dict[str, list[str]] = {}
        for node in members:
            busy = used.get(node["name"], 0)
            state = "idle" if busy == 0 else "alloc" if busy >= node["cores"] else "mix"
            groups.setdefault(state, []).append(node["name"])
        label = f"{name}*" if name == default else name
        for state in ("mix", "alloc", "idle"):
            if state in groups:
                lines.append(
                    f"{label:<9} {'up':>5} {_limit(queue.get('max_time_s')):>10} "
                    f"{len(groups[state]):>6} {state:>6} {compress(groups[state])}"
                )
    ctx.out.write("\n".join(lines) + "\n")
    return 0

"""Fake sinfo: the partition/node-state summary of the simulated cluster, default or `-o` columns."""

from __future__ import annotations

from clusterjob_sim.engine.hostlist import compress
from clusterjob_sim.slurm.cmdline import NONE, REQ, OptionError, getopt, refusal
from clusterjob_sim.slurm.output import VERSION, parse_format, squeue_secs

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context

# sinfo 22.05 (src/sinfo/opts.c)
SINFO: dict[str, tuple[str, int]] = {
    "all": ("a", NONE), "dead": ("d", NONE), "exact": ("e", NONE), "federation": ("", NONE),
    "help": ("", NONE), "hide": ("", NONE), "iterate": ("i", REQ), "local": ("", NONE),
    "long": ("l", NONE), "cluster": ("M", REQ), "clusters": ("M", REQ), "nodes": ("n", REQ),
    "noconvert": ("", NONE), "noheader": ("h", NONE), "Node": ("N", NONE), "format": ("o", REQ),
    "Format": ("O", REQ), "partition": ("p", REQ), "responding": ("r", NONE),
    "list-reasons": ("R", NONE), "summarize": ("s", NONE), "sort": ("S", REQ), "states": ("t", REQ),
    "reservation": ("T", NONE), "usage": ("", NONE), "verbose": ("v", NONE), "version": ("V", NONE),
}  # fmt: skip
SINFO_ALIASES = {"cluster": "clusters"}
# The manual's options this fake acts on as sinfo does. -a/--all and --hide choose whether hidden
# partitions are shown and --local ignores the other clusters of a federation: the simulated cluster has
# neither, so they leave the answer as it is, as on such a real cluster.
IMPLEMENTED = frozenset({
    "-a", "--all", "-o", "--format", "--help", "--hide", "--local", "-h", "--noheader", "-p",
    "--partition", "--usage", "-V", "--version",
})  # fmt: skip
_NEVER_ENDS = "repeats the report every N seconds until killed; the simulator answers once"
REFUSED = {"-i": _NEVER_ENDS, "--iterate": _NEVER_ENDS}
DEFAULT_FORMAT = "%9P %.5a %.10l %.6D %.6t %N"  # opts.c, without -l/-N/-s/-R
# -o fields the fake prints: header; the letters whose values split lines (sinfo's match flags)
# (headers and values: real Slurm 22.05.8 on the CI machine, `sinfo -o "%P|%X|"` for every letter)
HEADERS = {
    "P": "PARTITION", "R": "PARTITION", "a": "AVAIL", "l": "TIMELIMIT", "D": "NODES", "t": "STATE",
    "T": "STATE", "N": "NODELIST", "c": "CPUS", "m": "MEMORY", "n": "HOSTNAMES", "o": "NODE_ADDR",
    "e": "FREE_MEM", "C": "CPUS(A/I/O/T)", "F": "NODES(A/I/O/T)", "A": "NODES(A/I)", "O": "CPU_LOAD",
    "X": "SOCKETS", "Y": "CORES", "Z": "THREADS", "z": "S:C:T", "s": "JOB_SIZE", "G": "GRES",
    "f": "AVAIL_FEATURES", "b": "ACTIVE_FEATURES", "E": "REASON", "H": "TIMESTAMP", "h": "OVERSUBSCRIBE",
    "g": "GROUPS", "w": "WEIGHT", "d": "TMP_DISK", "B": "MAX_CPUS_PER_NODE", "L": "DEFAULTTIME",
    "S": "ALLOCNODES", "u": "USER", "U": "USER", "V": "CLUSTER", "I": "PRIO_JOB_FACTOR", "p": "PRIO_TIER",
    "M": "PREEMPT_MODE", "r": "ROOT", "v": "VERSION",
}  # fmt: skip
# letters whose value is the same on every simulated node and partition (as on the real one: no features,
# gres, reservations, weights or reasons are simulated; a node has one core per socket and one thread)
CONSTANTS = {
    "Y": "1", "Z": "1", "G": "(null)", "f": "(null)", "b": "(null)", "E": "none", "H": "Unknown",
    "h": "NO", "g": "all", "w": "1", "d": "0", "B": "UNLIMITED", "S": "all", "u": "Unknown",
    "U": "Unknown", "V": "N/A", "I": "1", "p": "1", "M": "OFF", "r": "no", "v": "22.05.8", "O": "0.00",
}  # fmt: skip
STATE_LONG = {"idle": "idle", "mix": "mixed", "alloc": "allocated"}


def _limit(seconds: float | None) -> str:
    if seconds is None:
        return "infinite"
    return squeue_secs(int(seconds) // 60 * 60)


def main(ctx: Context) -> int:
    """sinfo [-h] [-o FORMAT] [-p PARTITIONS]: one line per partition and node state (and, with %c or %m
    in the format, per node size)."""
    spelled: list[str] = []
    try:
        found, _operands = getopt(  # opts.c reads no operands and says nothing of them
            ctx.argv, "sinfo", SINFO, permute=True, exit_code=1, aliases=SINFO_ALIASES,
            spelled=spelled,
        )  # fmt: skip
    except OptionError as e:
        ctx.err.write(e.text)
        return e.exit_code
    opts: dict[str, Any] = {}
    for name, value in found:
        if name in ("help", "usage"):  # opts.c prints them and exits at once
            ctx.out.write("Usage: sinfo [OPTIONS]\n")
            return 0
        if name == "version":
            ctx.out.write(VERSION)
            return 0
        opts[name] = value
    refused = refusal("sinfo", found, spelled, IMPLEMENTED, SINFO, SINFO_ALIASES)
    if refused:
        ctx.err.write(refused)
        return 1
    if "all" in opts and "partition" in opts:
        ctx.err.write(
            "sinfo: error: Conflicting options, -a and -p, specified. "
            "Please choose one or the other.\n"
        )  # opts.c
        return 1
    fmt = opts.get("format") or DEFAULT_FORMAT
    items = parse_format(fmt)
    for (
        _,
        letter,
        _,
        _,
    ) in items:  # an error() message: sinfo goes on, printing the spec as it was (seen)
        if letter and letter not in HEADERS:
            ctx.err.write(f"Invalid node format specification: {letter}\n")
    lines = [] if "noheader" in opts else [_line(items, None)]
    wanted = opts["partition"].split(",") if opts.get("partition") else None
    lines += [_line(items, rec) for rec in _records(ctx, items, wanted)]
    if lines:
        ctx.out.write("\n".join(lines) + "\n")
    return 0


def _records(
    ctx: Context, items: list[tuple[str, str, int, bool]], wanted: list[str] | None
) -> list[Any]:
    """sinfo's records: the nodes of each partition grouped by what the format shows (state for %t/%T,
    cores for %c, memory for %m); without %P/%R, partitions with the same shown values merge (sinfo.c's
    match flags) [unconfirmed: a node of two merged partitions counts once]."""
    engine = ctx.engine
    letters = {letter for _, letter, _, _ in items}
    cores = {n["name"]: n["cores"] for n in engine.nodes}
    used: dict[str, int] = {}
    mem_used: dict[str, int] = {}
    for job in engine.jobs(states=("RUNNING",)):
        for name in job.node_names:
            used[name] = used.get(name, 0) + (cores[name] if job.exclusive else job.cores_per_node)
            mem_used[name] = mem_used.get(name, 0) + (job.mem_mb_per_node or 0)
    default = ctx.config.get("default_queue")
    records: dict[tuple[Any, ...], dict[str, Any]] = {}
    for part, queue in ctx.config.get("queues", {}).items():
        if wanted is not None and part not in wanted:
            continue
        queue = queue or {}
        members = [n for n in engine.nodes if not queue.get("nodes") or n["name"] in queue["nodes"]]
        by_state: dict[str, list[dict[str, Any]]] = {}
        for node in members:
            busy = used.get(node["name"], 0)
            state = "idle" if busy == 0 else "alloc" if busy >= node["cores"] else "mix"
            by_state.setdefault(state, []).append(node)
        for state in ("mix", "alloc", "idle"):
            for node in by_state.get(state, []):
                free = node["mem_mb"] - mem_used.get(node["name"], 0)
                key = (
                    part if letters & {"P", "R", "s", "L"} else "",
                    state if letters & {"t", "T"} else "",
                    _limit(queue.get("max_time_s")) if "l" in letters else "",
                    node["cores"] if letters & {"c", "X", "z"} else 0,
                    node["mem_mb"] if "m" in letters else 0,
                    free if "e" in letters else 0,
                )
                max_nodes = queue.get("max_nodes")
                rec = records.setdefault(key, {
                    "P": f"{part}*" if part == default else part, "R": part, "a": "up",
                    "l": _limit(queue.get("max_time_s")), "t": state, "T": STATE_LONG[state],
                    "c": str(node["cores"]), "m": str(node["mem_mb"]), "e": str(free),
                    "X": str(node["cores"]), "z": f"{node['cores']}:1:1",
                    "s": f"1-{max_nodes if max_nodes is not None else 'infinite'}",
                    "L": "n/a" if queue.get("default_time_s") is None else _limit(queue["default_time_s"]),
                    "nodes": [], "busy": [],
                })  # fmt: skip
                if node["name"] not in rec["nodes"]:
                    rec["nodes"].append(node["name"])
                    rec["busy"].append(
                        (min(used.get(node["name"], 0), node["cores"]), node["cores"])
                    )
    for rec in records.values():
        rec.update(CONSTANTS)
        rec["D"] = str(len(rec["nodes"]))
        rec["N"] = rec["n"] = rec["o"] = compress(rec["nodes"])
        alloc = sum(b for b, _ in rec["busy"])
        total = sum(t for _, t in rec["busy"])
        busy_nodes = sum(1 for b, _ in rec["busy"] if b)
        idle_nodes = len(rec["busy"]) - busy_nodes
        rec["C"] = f"{alloc}/{total - alloc}/0/{total}"
        rec["F"] = f"{busy_nodes}/{idle_nodes}/0/{len(rec['busy'])}"
        rec["A"] = f"{busy_nodes}/{idle_nodes}"
    return list(records.values())


def _line(items: list[tuple[str, str, int, bool]], rec: dict[str, Any] | None) -> str:
    """One line: the header (rec None) or a record's."""
    out = []
    for literal, letter, width, right in items:
        out.append(literal)
        if letter and letter not in HEADERS:  # printed as written (seen: %-8m prints %-8m)
            out.append(f"%{'.' if right else ''}{width or ''}{letter}")
        elif letter:
            text = HEADERS[letter] if rec is None else str(rec[letter])
            if width:
                text = text[:width]
                text = text.rjust(width) if right else text.ljust(width)
            out.append(text)
    return "".join(out)

"""The fake qhost: the execution hosts of the simulated cluster (-h), their queues (-q) and jobs (-j).

Formats seen on Debian's Grid Engine 8.1.9 (host `vm`, 2026-12-02; see tests/sim/test_sge_qhost.py). A simulated
host has one socket and one thread per core; its LOAD is the number of slots its running jobs use and MEMUSE the
memory they requested (the simulator has no load sensor), SWAPTO/SWAPUS 0.
"""

from __future__ import annotations

from clusterjob_sim.engine.refusal import not_implemented_text
from clusterjob_sim.sge import output as out
from clusterjob_sim.sge.jobenv import ARCH

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job

IMPLEMENTED = frozenset({"-h", "-j", "-q"})
REFUSED: dict[str, str] = {}
OTHERS = {
    "-F": "optional",
    "-help": "flag",
    "-l": "value",
    "-ncb": "flag",
    "-u": "value",
    "-xml": "flag",
}
EXIT_USAGE = 1  # seen: `qhost -frob`, `qhost -h nosuch`
USAGE = """SGE 8.1.9
usage: qhost [options]
  [-F [resource_attribute]]  show (selected) resources
  [-h hostlist]              display only selected hosts
  [-help]                    print this help
  [-j]                       display jobs hosted by host
  [-l attr=val,...]          request the given resources
  [-ncb]                     suppress host topology based information
  [-q]                       display queues hosted by host
  [-u user[,user,...]]       show only jobs for user
  [-xml]                     display the information in XML format
"""  # seen: qhost's usage, on stderr before each usage error
HOST_FORMAT = "%-23.23s %-13.13s%4s %4s %4s %4s %5s %7s %7s %7s %7s\n"
JOB_DASHES = "   " + "-" * 94 + "\n"


def memory(value: float) -> str:
    """qhost's memory column: bytes as %.1f with K/M/G/T (seen: 23.5G, 983.5M, 0.0)."""
    unit = ""
    for unit in ("", "K", "M", "G", "T"):
        if value < 1024 or unit == "T":
            break
        value /= 1024
    return f"{value:.1f}{unit}"


def main(ctx: Context) -> int:
    """qhost [-h hostlist] [-q] [-j]: the host table, with queue and job lines per host."""
    args = list(ctx.argv)
    show_q = show_j = False
    selected: list[str] | None = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-q":
            show_q = True
        elif a == "-j":
            show_j = True
        elif a == "-h" and i + 1 < len(args):
            selected = [h for h in args[i + 1].split(",") if h]
            i += 1
        elif a in OTHERS:
            ctx.err.write(not_implemented_text("qhost", a))
            return EXIT_USAGE
        else:
            ctx.err.write(USAGE + f'error: invalid option argument "{a}"\n')
            return EXIT_USAGE
        i += 1
    engine = ctx.engine
    nodes = engine.nodes
    names = [n["name"] for n in nodes]
    for host in selected or ():
        if host not in names:
            ctx.err.write(USAGE + f'error: can\'t resolve hostname "{host}"\n')
            return EXIT_USAGE
    running = engine.jobs(states=("RUNNING",))
    text = [HOST_FORMAT % ("HOSTNAME", "ARCH", "NCPU", "NSOC", "NCOR", "NTHR", "LOAD", "MEMTOT",
                           "MEMUSE", "SWAPTO", "SWAPUS")]  # fmt: skip
    text.append("-" * 94 + "\n")
    text.append(HOST_FORMAT % ("global", *("-",) * 10))
    for node in nodes:
        name = node["name"]
        if selected is not None and name not in selected:
            continue
        text.append(_host_line(node, running))
        if show_q:
            text.extend(_queue_lines(ctx, name, running))
        if show_j:
            text.extend(_job_lines(name, running))
    ctx.out.write("".join(text))
    return 0


def _slots_on(job: Job, host: str) -> int:
    from clusterjob_sim.sge.jobenv import slot_counts

    return sum(n for h, n in slot_counts(job) if h == host)


def _host_line(node: dict[str, object], running: list[Job]) -> str:
    """One host: NCPU = NCOR = NTHR = its cores, one socket, LOAD and MEMUSE from its running jobs."""
    name = str(node["name"])
    cores = int(str(node["cores"]))
    load = sum(_slots_on(j, name) for j in running)
    used_mb = sum(j.mem_mb_per_node or 0 for j in running if name in j.node_names)
    mb = 1024.0 * 1024.0
    return HOST_FORMAT % (
        name, ARCH, cores, 1, cores, cores, f"{load:.2f}", memory(int(str(node["mem_mb"])) * mb),
        memory(used_mb * mb), "0.0", "0.0",
    )  # fmt: skip


def _queue_lines(ctx: Context, host: str, running: list[Job]) -> list[str]:
    """`   all.q                BIP   0/2/2         `: each queue on the host, resv/used/total slots."""
    from clusterjob_sim.sge.qconf import queue_hosts, queue_slots

    lines = []
    for queue in ctx.config.get("queues") or {}:
        if host not in queue_hosts(ctx.config, queue):
            continue
        used = sum(_slots_on(j, host) for j in running if j.queue == queue)
        total = queue_slots(ctx.config, host)
        lines.append(f"   {queue:<20} {'BIP':<5} {f'0/{used}/{total}':<14}\n")
    return lines


def _job_lines(host: str, running: list[Job]) -> list[str]:
    """The jobs with slots on the host: the job line (MASTER on its first host, else SLAVE), then one line
    per further slot."""
    from clusterjob_sim.sge.qstat import rows_for

    lines: list[str] = []
    for job in running:
        slots = _slots_on(job, host)
        if not slots:
            continue
        view = rows_for([job])[0]
        queue = f"{job.queue}@{host}"
        first = "MASTER" if job.node_names and job.node_names[0] == host else "SLAVE"
        # seen: an array task's id unpadded (`MASTER 1`), else 7 blanks; [unconfirmed] on SLAVE lines
        ja = str(job.array_index) if job.array_index is not None else " " * 7
        lines.append(
            f"   {job.job_id:>7} {view.priority:7.5f} {job.name:<10.10} {job.user:<12.12} "
            f"{'r':<5} {out.sge_ctime(job.start_time or job.submit_time)} {queue:<10.10} "
            f"{first:<6} {ja}\n"
        )
        lines.extend(f"{'':69}{queue:<10.10} {'SLAVE':<6} {ja}\n" for _ in range(slots - 1))
    if lines:
        header = (
            "   job-ID  prior   name       user         state submit/start at     queue      "
            "master ja-task-ID \n"
        )
        lines[:0] = [header, JOB_DASHES]
    return lines

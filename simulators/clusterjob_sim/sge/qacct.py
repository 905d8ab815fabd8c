"""The fake qacct: `qacct -j [ID|NAME]` (with -t tasks) prints the accounting records of finished jobs that
ran; without -j the cluster's usage summary.
"""

from __future__ import annotations

from clusterjob_sim.engine.refusal import is_digits, not_implemented_text
from clusterjob_sim.sge import output as out

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job

IMPLEMENTED = frozenset({"-j", "-t"})
REFUSED: dict[str, str] = {}
# qacct(1)'s other options by what they take: each is refused as not implemented (exit code 1, as the real
# qacct's usage errors)
OTHERS = {
    "-ar": "optional", "-A": "value", "-b": "value", "-d": "value", "-e": "value", "-g": "optional",
    "-h": "optional", "-help": "flag", "-l": "value", "-m": "flag", "-o": "optional", "-u": "optional",
    "-pe": "optional", "-q": "optional", "-slots": "optional", "-P": "optional", "-D": "optional",
    "-f": "value", "-E": "flag",
}  # fmt: skip
EXIT_QACCT_USAGE = 1  # seen: `qacct -frob`


def failed_and_status(job: Job) -> tuple[int, int]:
    """qacct's `failed` code and `exit_status` for a finished record."""
    sig = int(job.signal or 0)
    if job.state == "CANCELLED":
        return 100, 128 + out.KILL_SIGNAL  # seen: deleted while running -> 100 / 137
    if job.state == "TIMEOUT":
        return 37, 128 + out.KILL_SIGNAL  # seen: h_rt exceeded -> 37 / 137
    if job.state in ("NODE_FAIL", "OUT_OF_MEMORY"):
        return 100, 128 + (sig or out.KILL_SIGNAL)
    if sig:
        return 0, 128 + sig
    return 0, int(job.exit_code or 0)


def category(job: Job) -> str:
    """The job category qacct shows (seen: `-q all.q -l h_rt=60,h_vmem=1G -pe mpi 1,2`, else NONE):
    queues, resources with times in seconds, the PE and its range."""
    from clusterjob_sim.sge.options import TIME_COMPLEXES, parse_time

    data = job.data
    parts = []
    if data.get("queues"):
        parts.append("-q " + ",".join(data["queues"]))
    res = data.get("resources") or {}
    if res:
        items = []
        for k, v in res.items():
            seconds = parse_time(v) if k in TIME_COMPLEXES else None
            items.append(f"{k}={seconds if seconds is not None else v}")
        parts.append("-l " + ",".join(items))
    if data.get("pe"):
        parts.append(f"-pe {data['pe']} {data.get('pe_range_text') or data.get('pe_range')}")
    return " ".join(parts) or "NONE"


def accounting(job: Job) -> out.SgeAccounting:
    """The qacct record of one finished engine record."""
    failed, status = failed_and_status(job)
    gid = out.primary_gid(job.uid)
    data = job.data
    return out.SgeAccounting(
        job.queue,
        job.node_names[0] if job.node_names else "",
        out.group_name(gid),
        job.user,
        job.name,
        job.job_id,
        job.submit_time,
        job.start_time,
        job.end_time,
        failed=failed,
        exit_status=status,
        task_id=job.array_index or 0,
        granted_pe=str(data.get("pe") or "NONE"),
        slots=int(data.get("slots", 1)),
        category=category(job),
        project=str(data.get("project") or "NONE"),
        account=str(data.get("account", "sge")),
    )


def main(ctx: Context) -> int:
    """qacct -j ID|NAME [-t tasks]: the accounting records of finished jobs that ran."""
    args = list(ctx.argv)
    target: str | None = None
    tasks: set[int] | None = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-j":
            if i + 1 < len(args) and not args[i + 1].startswith("-"):
                target = args[i + 1]
                i += 1
            else:
                target = "*"
        elif a == "-t" and i + 1 < len(args):
            from clusterjob_sim.sge.options import parse_task_range

            ids = parse_task_range(args[i + 1])
            if ids is None:
                ctx.err.write(out.invalid_option_text(f"-t {args[i + 1]}"))
                return out.EXIT_USAGE
            tasks = set(ids)
            i += 1
        elif a in OTHERS:
            ctx.err.write(not_implemented_text("qacct", a))
            return EXIT_QACCT_USAGE
        else:
            ctx.err.write(out.invalid_option_text(a))
            return out.EXIT_USAGE
        i += 1
    engine = ctx.engine
    ran = [
        j
        for j in engine.jobs(view="accounting")
        if j.state not in out.ACTIVE and j.start_time is not None
    ]
    if target is not None and target != "*":
        if is_digits(target):
            ran = [j for j in ran if j.job_id == int(target)]
        else:
            import fnmatch

            ran = [j for j in ran if fnmatch.fnmatchcase(j.name, target)]
    if tasks is not None:
        ran = [j for j in ran if (j.array_index or 0) in tasks]
    if not ran:
        if target is None:
            ctx.out.write(_total_usage([]))
            return 0
        ctx.err.write(out.qacct_unknown(target))
        return out.EXIT_REJECTED
    ran.sort(key=lambda j: (j.end_time or 0, j.rid))
    if target is None:
        ctx.out.write(_total_usage(ran))
        return 0
    ctx.out.write("".join(out.qacct_record(accounting(j)) for j in ran))
    return 0


def _total_usage(jobs: list[Job]) -> str:
    """qacct without -j: the cluster-wide usage summary [unconfirmed layout]."""
    wall = sum((j.end_time or 0) - (j.start_time or 0) for j in jobs)
    head = "Total System Usage\n"
    cols = "    WALLCLOCK         UTIME         STIME           CPU             MEMORY                 IO                IOW\n"
    line = "=" * 112 + "\n"
    row = f"{wall:>13.0f} {0:>13.3f} {0:>13.3f} {0:>13.3f} {0:>18.3f} {0:>18.3f} {0:>18.3f}\n"
    return head + cols + line + row

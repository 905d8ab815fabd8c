"""Fake squeue: the live view of the controller (active jobs, finished ones until MinJobAge)."""

from __future__ import annotations

from clusterjob_sim.slurm import output as c
from clusterjob_sim.slurm.options import (
    SQUEUE,
    SQUEUE_ALIASES,
    OptionError,
    getopt,
    parse_job_ids,
    refusal,
    select,
)
from clusterjob_sim.slurm.output import parse_format

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

# The manual's options this fake acts on as squeue does. -a/--all and --hide choose whether hidden
# partitions are shown and --local ignores the other clusters of a federation: the simulated cluster has
# neither, so they leave the answer as it is, as on such a real cluster.
IMPLEMENTED = frozenset({
    "-a", "--all", "-r", "--array", "-o", "--format", "-l", "--long", "--help", "--hide", "-j", "--jobs",
    "--local", "--me", "-n", "--name", "--noconvert", "-h", "--noheader", "-p", "--partition", "-t",
    "--states", "--usage", "-u", "--user", "-V", "--version",
})  # fmt: skip
_NEVER_ENDS = "repeats the report every N seconds until killed; the simulator answers once"
REFUSED = {"-i": _NEVER_ENDS, "--iterate": _NEVER_ENDS}
DEFAULT_FORMAT = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"
LONG_FORMAT = "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R"
ACTIVE = ("PENDING", "RUNNING", "SUSPENDED")
HEADERS = {
    "i": "JOBID", "A": "JOBID", "F": "ARRAY_JOB_ID", "K": "ARRAY_TASK_ID", "P": "PARTITION",
    "j": "NAME", "u": "USER", "U": "UID", "t": "ST", "T": "STATE", "M": "TIME", "l": "TIME_LIMIT",
    "L": "TIME_LEFT", "D": "NODES", "C": "CPUS", "R": "NODELIST(REASON)", "r": "REASON",
    "N": "NODELIST", "a": "ACCOUNT", "Z": "WORK_DIR", "o": "COMMAND", "V": "SUBMIT_TIME",
    "S": "START_TIME", "e": "END_TIME", "m": "MIN_MEMORY", "c": "MIN_CPUS", "q": "QOS",
    "p": "PRIORITY", "Q": "PRIORITY", "g": "GROUP", "G": "GID", "k": "COMMENT", "B": "EXEC_HOST",
    "b": "TRES_PER_NODE", "d": "MIN_TMP_DISK", "E": "DEPENDENCY", "f": "FEATURES", "h": "OVER_SUBSCRIBE",
    "H": "SOCKETS", "I": "CORES", "J": "THREADS", "n": "SCHEDNODES", "O": "CONTIGUOUS", "v": "RESERVATION",
    "w": "WCKEY", "W": "LICENSES", "x": "EXC_NODES", "y": "NICE", "z": "S:C:T",
}  # fmt: skip


class Row:
    """One squeue line: a job record, or the pending tasks of an array folded together."""

    def __init__(self, job: Job, tasks: list[int] | None = None) -> None:
        self.job = job
        self.tasks = tasks  # pending array tasks shown as 120_[3-5%2]


def _pad(value: str, width: int, right: bool) -> str:
    if not width:
        return value
    value = value[:width]
    return value.rjust(width) if right else value.ljust(width)


def render(items: list[tuple[str, str, int, bool]], values: dict[str, str] | None) -> str:
    """One line: the header (values None) or a job's."""
    out = []
    for literal, letter, width, right in items:
        out.append(literal)
        if letter:
            text = HEADERS.get(letter, "") if values is None else values.get(letter, "")
            out.append(_pad(text, width, right))
    return "".join(out)


def _task_text(tasks: list[int], limit: int | None) -> str:
    ranges = []
    start = prev = tasks[0]
    for t in [*tasks[1:], None]:
        if t is not None and t == prev + 1:
            prev = t
            continue
        ranges.append(str(start) if start == prev else f"{start}-{prev}")
        if t is not None:
            start = prev = t
    return ",".join(ranges) + (f"%{limit}" if limit else "")


def values(row: Row, engine: Engine, now: float, convert: bool = True) -> dict[str, str]:
    """Every field letter's text for one row (`convert`: sizes scaled to G/T..., as without --noconvert)."""
    job = row.job
    state, short = c.STATES.get(job.state, (job.state, job.state[:2]))
    pending = job.state == "PENDING"
    task_text = _task_text(row.tasks, job.array_limit) if row.tasks else None
    if task_text is not None:
        job_id = f"{job.array_id}_[{task_text}]"
    else:
        job_id = c.job_id_text(job)
    nodelist = "" if pending else c.compress_nodes(job)
    reason = c.reason_text(job, engine)
    cpus = job.nodes * job.cores_per_node if pending else sum(c.cpus_of(job, engine))
    limit = c.limit_minutes(job)
    elapsed = job.elapsed(now)
    data: dict[str, Any] = job.data
    return {
        "i": job_id,
        "A": str(job.array_id if task_text is not None else job.job_id),
        "F": str(job.array_id if job.array_id is not None else job.job_id),
        "K": task_text or (str(job.array_index) if job.array_index is not None else "N/A"),
        "P": job.queue,
        "j": job.name,
        "u": job.user,
        "U": str(job.uid),
        "t": short,
        "T": state,
        "M": c.squeue_secs(elapsed),
        "l": c.squeue_limit(job),
        "L": "UNLIMITED" if limit is None else c.squeue_secs(max(0, limit * 60 - elapsed)),
        "D": str(c.pending_nodes(job, engine) if pending else len(job.node_names)),
        "C": str(cpus),
        "R": f"({reason})" if pending else nodelist,
        "r": reason,
        "N": nodelist,
        "a": str(data.get("account") or "(null)"),
        "Z": job.workdir,
        "o": str(data.get("command", "(null)")),
        "V": c.date(job.submit_time),
        "S": c.date(job.start_time, "N/A"),
        "e": c.date(job.end_time, "N/A"),
        "m": c.mem_text(job.mem_mb_per_node, convert),
        "c": str(c.min_cpus(job)),
        "q": str(data.get("qos") or "normal"),
        "p": "0.99998474",
        "Q": "4294901759",
        "g": job.user,
        "G": str(job.uid),
        "k": str(data.get("comment") or "(null)"),
        "B": job.node_names[0] if job.node_names else "n/a",
        "h": "OK",
        "y": "0",
    }


def main(ctx: Context) -> int:
    """squeue [-h] [-o FORMAT] [-j IDS] [-u USERS] [-t STATES] [-p PARTITIONS] [-n NAMES] [-r] [-l]."""
    spelled: list[str] = []
    try:
        found, operands = getopt(
            ctx.argv, "squeue", SQUEUE, permute=True, exit_code=1, aliases=SQUEUE_ALIASES,
            spelled=spelled,
        )  # fmt: skip
    except OptionError as e:
        ctx.err.write(e.text)
        return e.exit_code
    opts: dict[str, Any] = {}
    for name, value in found:  # the last one wins (opts.c keeps one value of each)
        if name == "me":  # --me sets the user list to the caller, as -u does
            from clusterjob_sim.engine.jobs import user_name

            name, value = "user", user_name()
        opts[name] = value
    if "help" in opts or "usage" in opts:  # opts.c exits at once on them
        ctx.out.write("Usage: squeue [OPTIONS]\n")
        return 0
    if "version" in opts:
        ctx.out.write("slurm 22.05.8\n")
        return 0
    refused = refusal("squeue", found, spelled, IMPLEMENTED, SQUEUE, SQUEUE_ALIASES)
    if refused:
        ctx.err.write(refused)
        return 1
    if "long" in opts and "format" in opts:
        ctx.err.write(
            "squeue: fatal: Options -o(--format) and -l(--long) are mutually exclusive. "
            "Please remove one and retry.\n"
        )  # opts.c
        return 1
    if "jobs" in opts and opts["jobs"] is None and operands:
        opts["jobs"] = operands.pop(0)
    if operands:
        ctx.err.write(f"squeue: error: Unrecognized option: {operands[0]}\n")
        ctx.err.write("Usage: squeue [-A account] [--clusters names] [-i seconds] [--job jobid]\n")
        return 1
    wanted = None
    if opts.get("jobs"):
        wanted = parse_job_ids(opts["jobs"])
        if wanted is None:
            bad = next(x for x in opts["jobs"].split(",") if parse_job_ids(x) is None)
            ctx.err.write(f"squeue: error: Invalid job id: {bad}\n")
            return 1
    states: tuple[str, ...] = ACTIVE
    if opts.get("states"):
        parsed = _states(opts["states"])
        if isinstance(parsed, str):
            ctx.err.write(f"squeue: error: Invalid job state specified: {parsed}\n")
            return 1
        states = parsed
    engine = ctx.engine
    ids = sorted({base for base, _ in wanted}) if wanted else None
    jobs = engine.jobs(ids, view="live")
    if wanted is not None:
        jobs = select(jobs, wanted)
        if not jobs and len(wanted) == 1:
            ctx.err.write("slurm_load_jobs error: Invalid job id specified\n")
            return 1
    jobs = [j for j in jobs if j.state in states]
    users = opts.get("user")
    if users:
        jobs = [j for j in jobs if j.user in users.split(",") or str(j.uid) in users.split(",")]
    if opts.get("partitions"):
        jobs = [j for j in jobs if j.queue in opts["partitions"].split(",")]
    if opts.get("name"):
        jobs = [j for j in jobs if j.name in opts["name"].split(",")]
    rows = _rows(jobs, fold="array" not in opts and not (wanted and any(t for _, t in wanted)))
    rows.sort(key=lambda r: (r.job.queue, r.job.state, r.job.job_id, r.job.rid))
    fmt = opts.get("format") or (LONG_FORMAT if "long" in opts else DEFAULT_FORMAT)
    items = parse_format(fmt)
    lines = [] if "noheader" in opts else [render(items, None)]
    now = engine.now()
    if "long" in opts and lines:  # squeue.c print_date(): the time first (slurm_ctime2_r's format)
        import time

        lines.insert(0, time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(now)))
    convert = "noconvert" not in opts
    lines += [render(items, values(r, engine, now, convert)) for r in rows]
    if lines:
        ctx.out.write("\n".join(lines) + "\n")
    return 0


def _states(text: str) -> tuple[str, ...] | str:
    """The engine states of a -t list (long or short names, any case, 'all'); the bad word if any."""
    if text.lower() == "all":
        return tuple(c.STATES)
    by_name = {}
    for name, (long_name, short) in c.STATES.items():
        by_name[long_name.lower()] = name
        by_name[short.lower()] = name
    out = []
    for word in text.split(","):
        if word.lower() not in by_name:
            return word
        out.append(by_name[word.lower()])
    return tuple(out)


def _rows(jobs: list[Job], fold: bool) -> list[Row]:
    """One row per record, pending tasks of one array folded into one row (unless -r)."""
    rows: list[Row] = []
    folded: dict[int, Row] = {}
    for job in jobs:
        if fold and job.array_id is not None and job.state == "PENDING":
            row = folded.get(job.array_id)
            if row is None:
                row = folded[job.array_id] = Row(job, [])
                rows.append(row)
            assert row.tasks is not None
            row.tasks.append(int(job.array_index or 0))
        else:
            rows.append(Row(job))
    return rows

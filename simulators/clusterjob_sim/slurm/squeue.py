"""Fake squeue: the live view of the controller (active jobs, finished ones until MinJobAge)."""

from __future__ import annotations

from clusterjob_sim.slurm import output as c
from clusterjob_sim.slurm.cmdline import (
    NONE,
    OPT,
    REQ,
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

# squeue 22.05 (src/squeue/opts.c): 'accounts', 'partitions', 'users' are its names; the manual's '--account',
# '--partition', '--user' are their abbreviations; -U is an old spelling of -A
SQUEUE: dict[str, tuple[str, int]] = {
    "accounts": ("A", REQ), "all": ("a", NONE), "array": ("r", NONE), "array-unique": ("", NONE),
    "Format": ("O", REQ), "format": ("o", REQ), "federation": ("", NONE), "help": ("", NONE),
    "hide": ("", NONE), "iterate": ("i", REQ), "jobs": ("j", OPT), "local": ("", NONE),
    "long": ("l", NONE), "licenses": ("L", REQ), "cluster": ("M", REQ), "clusters": ("M", REQ),
    "me": ("", NONE), "name": ("n", REQ), "noconvert": ("", NONE), "node": ("w", REQ),
    "nodes": ("w", REQ), "nodelist": ("w", REQ), "noheader": ("h", NONE), "partitions": ("p", REQ),
    "priority": ("P", NONE), "qos": ("q", REQ), "reservation": ("R", REQ), "sib": ("", NONE),
    "sibling": ("", NONE), "sort": ("S", REQ), "start": ("", NONE), "steps": ("s", OPT),
    "states": ("t", REQ), "usage": ("", NONE), "user": ("u", REQ), "users": ("u", REQ),
    "verbose": ("v", NONE), "version": ("V", NONE), "-U": ("U", REQ),
}  # fmt: skip
SQUEUE_ALIASES = {"cluster": "clusters", "node": "nodelist", "nodes": "nodelist", "sib": "sibling",
                  "users": "user", "-U": "accounts"}  # fmt: skip
# The manual's options this fake acts on as squeue does. -a/--all and --hide choose whether hidden
# partitions are shown and --local ignores the other clusters of a federation: the simulated cluster has
# neither, so they leave the answer as it is, as on such a real cluster.
IMPLEMENTED = frozenset({
    "-a", "--all", "-r", "--array", "-o", "--format", "-O", "--Format", "-l", "--long", "--help", "--hide", "-j", "--jobs",
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

# -O/--Format fields (opts.c _parse_long_format; names compared without case): name -> (header, key of
# values()). Headers and values: real Slurm 22.05.8 on the CI machine (`squeue -O NAME:0|` for every field
# the manual lists).
FIELDS = {
    "account": ("ACCOUNT", "a"), "accruetime": ("ACCRUE_TIME", "eligible"),
    "allocnodes": ("ALLOC_NODES", "alloc_node"), "arrayjobid": ("ARRAY_JOB_ID", "F"),
    "arraytaskid": ("ARRAY_TASK_ID", "K"), "batchhost": ("EXEC_HOST", "B"),
    "cluster": ("CLUSTER", "cluster"), "command": ("COMMAND", "o"), "comment": ("COMMENT", "k"),
    "cpus-per-task": ("CPUS_PER_TASK", "cpus_per_task"), "cpuspertask": ("CPUS_PER_TASK", "cpus_per_task"),
    "eligibletime": ("ELIGIBLE_TIME", "eligible"), "endtime": ("END_TIME", "e"),
    "exit_code": ("EXIT_CODE", "exit_code"), "groupid": ("GROUP", "G"), "groupname": ("GROUP", "g"),
    "jobarrayid": ("JOBID", "i"), "jobid": ("JOBID", "A"), "mincpus": ("MIN_CPUS", "c"),
    "minmemory": ("MIN_MEMORY", "m"), "name": ("NAME", "j"), "nice": ("NICE", "y"),
    "nodelist": ("NODELIST", "N"), "ntpernode": ("NTASKS_PER_NODE", "ntpernode"),
    "numcpus": ("CPUS", "C"), "numnodes": ("NODES", "D"), "oversubscribe": ("OVER_SUBSCRIBE", "h"),
    "shared": ("OVER_SUBSCRIBE", "h"), "partition": ("PARTITION", "P"),
    "pendingtime": ("PENDING_TIME", "pending_time"), "priority": ("PRIORITY", "priority"),
    "prioritylong": ("PRIORITY", "priority_long"), "qos": ("QOS", "q"), "reason": ("REASON", "r"),
    "reasonlist": ("NODELIST(REASON)", "R"), "requeue": ("REQUEUE", "requeue"),
    "starttime": ("START_TIME", "S"), "state": ("STATE", "T"), "statecompact": ("ST", "t"),
    "stderr": ("STDERR", "stderr"), "stdout": ("STDOUT", "stdout"), "submittime": ("SUBMIT_TIME", "V"),
    "timeleft": ("TIME_LEFT", "L"), "timelimit": ("TIME_LIMIT", "l"), "timeused": ("TIME", "M"),
    "userid": ("UID", "U"), "username": ("USER", "u"), "workdir": ("WORK_DIR", "Z"),
    "numtask": ("TASKS", "tasks"),  # opts.c compares only the first 7 letters of "numtasks"
}  # fmt: skip
# -O fields whose value no simulated job changes (the options that would set them are not simulated)
CONSTANT_FIELDS = {
    "admin_comment": ("ADMIN_COMMENT", "(null)"), "batchflag": ("BATCH_FLAG", "1"),
    "boardspernode": ("BOARDS_PER_NODE", "0"), "burstbuffer": ("BURST_BUFFER", "(null)"),
    "burstbufferstate": ("BURST_BUFFER_STATE", "(null)"), "clusterfeature": ("CLUSTER_FEATURES", "(null)"),
    "container": ("CONTAINER", "(null)"), "contiguous": ("CONTIGUOUS", "0"), "cores": ("CORES_PER_SOCKET", "*"),
    "corespec": ("CORE_SPEC", "N/A"), "cpus-per-tres": ("CPUS_PER_TRES", "N/A"), "deadline": ("DEADLINE", "N/A"),
    "delayboot": ("DELAY_BOOT", "0:00"), "dependency": ("DEPENDENCY", "(null)"), "derivedec": ("DERIVED_EC", "0"),
    "feature": ("FEATURES", "(null)"), "gres": ("TRES_PER_NODE", "N/A"), "hetjobid": ("HET_JOB_ID", "N/A"),
    "hetjobidset": ("HET_JOB_ID_SET", "N/A"), "hetjoboffset": ("HET_JOB_OFFSET", "N/A"),
    "licenses": ("LICENSES", "(null)"), "mcslabel": ("MCSLABEL", "(null)"), "mem-per-tres": ("MEM_PER_TRES", "N/A"),
    "mintime": ("TIME_MIN", "0:00"), "mintmpdisk": ("MIN_TMP_DISK", "0"), "network": ("NETWORK", "(null)"),
    "ntperboard": ("NTASKS_PER_BOARD", "0"), "ntpercore": ("NTASKS_PER_CORE", "N/A"), "origin": ("ORIGIN", "NA"),
    "originraw": ("ORIGIN_RAW", "NA"), "preempttime": ("PREEMPT_TIME", "N/A"), "prefer": ("PREFER", "(null)"),
    "profile": ("PROFILE", "NotSet"), "reboot": ("REBOOT", "0"), "reqnodes": ("REQ_NODES", ""),
    "reqswitch": ("REQ_SWITCH", "0"), "reservation": ("RESERVATION", "(null)"), "resizetime": ("RESIZE_TIME", "N/A"),
    "restartcnt": ("RESTART_COUNT", "0"), "schednodes": ("SCHEDNODES", "(null)"), "sct": ("S:C:T", "*:*:*"),
    "selectjobinfo": ("", ""), "siblingsactive": ("ACTIVE_SIBLINGS", "NA"),
    "siblingsactiveraw": ("ACTIVE_SIBLINGS_RAW", "NA"), "siblingsviable": ("VIABLE_SIBLINGS", "NA"),
    "siblingsviableraw": ("VIALBLE_SIBLINGS_RAW", "NA"), "sockets": ("SOCKETS_PER_NODE", "*"),
    "sperboard": ("SOCKETS_PER_BOARD", "0"), "stdin": ("STDIN", "/dev/null"), "system_comment": ("SYSTEM_COMMENT", "(null)"),
    "threads": ("THREADS_PER_CORE", "*"), "tres-bind": ("TRES_BIND", "N/A"), "tres-freq": ("TRES_FREQ", "N/A"),
    "tres-per-job": ("TRES_PER_JOB", "N/A"), "tres-per-node": ("TRES_PER_NODE", "N/A"),
    "tres-per-socket": ("TRES_PER_SOCKET", "N/A"), "tres-per-task": ("TRES_PER_TASK", "N/A"),
    "wait4switch": ("WAIT4SWITCH", "0:00"), "wckey": ("WCKEY", "(null)"),
}  # fmt: skip
# -O fields of the real squeue this fake does not compute: they fail loudly
UNSIMULATED_FIELDS = ("allocsid", "associd", "lastschedeval", "maxcpus", "maxnodes", "ntpersocket",
                      "tres-alloc")  # fmt: skip


class Row:
    """One squeue line: a job record, or the pending tasks of an array folded together."""

    def __init__(self, job: Job, tasks: list[int] | None = None) -> None:
        self.job = job
        self.tasks = tasks  # pending array tasks shown as 120_[3-5%2]


def _pad(value: str, width: int, right: bool) -> str:
    if not width:
        return value
    if width < 0:  # -O NAME:-N: printf's "%.-Ns" prints the text and one blank (seen)
        return value + " "
    value = value[:width]
    return value.rjust(width) if right else value.ljust(width)


def render(items: list[tuple[str, str, int, bool]], values: dict[str, str] | None) -> str:
    """One line: the header (values None) or a job's."""
    out = []
    for literal, letter, width, right in items:
        out.append(literal)
        if letter.startswith("-O"):  # a -O field
            name = letter[2:]
            if name in FIELDS:
                header, key = FIELDS[name]
                text = header if values is None else values.get(key, "")
            else:
                header, text = CONSTANT_FIELDS[name]
                text = header if values is None else text
            out.append(_pad(text, width, right))
        elif letter:
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


def values(
    row: Row, engine: Engine, now: float, convert: bool = True, paths: bool = False
) -> dict[str, str]:
    """Every field's text for one row, by -o letter or -O key (`convert`: sizes scaled to G/T..., as
    without --noconvert; `paths`: the output files too)."""
    job = row.job
    state, short = c.STATES.get(job.state, (job.state, job.state[:2]))
    pending = job.state == "PENDING"
    task_text = _task_text(row.tasks, job.array_limit) if row.tasks else None
    if task_text is not None:
        job_id = f"{job.array_id}_[{task_text}]"
    else:
        job_id = c.job_id_text(job)
    nodelist = "" if pending else c.compress_nodes(job)
    reason = c.squeue_reason(job, engine)
    cpus = job.nodes * job.cores_per_node if pending else sum(c.cpus_of(job, engine))
    limit = c.limit_minutes(job)
    elapsed = job.elapsed(now)
    data: dict[str, Any] = job.data
    out, err = "", None
    if paths:  # -O STDOUT/STDERR only: jobenv is not imported for the other formats
        from clusterjob_sim.slurm.jobenv import output_paths

        out, err = output_paths(job)
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
        "L": "UNLIMITED" if limit is None else _left(limit * 60 - elapsed),
        "D": str(
            c.pending_nodes(job, engine)
            if pending
            else len(job.node_names) or (job.nodes if job.data.get("end_reason") else 0)
        ),  # a refused submission (BadConstraints) shows the nodes it asked for (seen)
        "C": str(cpus),
        "R": c.reason_list(job, engine),
        "r": reason,
        "N": nodelist,
        "a": str(data.get("account") or "(null)"),
        "Z": job.workdir,
        "o": str(data.get("command", "(null)")),
        "V": c.date(job.submit_time),
        "S": c.date(job.start_time, "N/A"),
        "e": _end_time(job),
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
        # -O fields without a letter
        "cluster": str(engine.config.get("cluster_name", "")),
        "exit_code": str(c.wait_status(job)),
        "cpus_per_task": str(data.get("cpus_per_task", 1)),
        "tasks": str(data.get("ntasks") or job.nodes * int(data.get("tasks_per_node", 1))),
        "end": _end_time(job),
        "eligible": "N/A" if job.held else c.date(job.submit_time),
        "pending_time": str(int((job.start_time or now) - job.submit_time)),
        "alloc_node": job.submit_host,
        "stdout": out,
        "stderr": err or out,
        "ntpernode": str(data.get("ntasks_per_node") or 0),
        "requeue": str(data.get("requeue", 1)),
        "priority": "0.00000000000000" if job.held else "0.99998474121093",
        "priority_long": "0" if job.held else "4294901759",
    }


def _left(seconds: float) -> str:
    """%L: the time left, INVALID once the limit has passed (seen on a job past its limit)."""
    return "INVALID" if seconds < 0 else c.squeue_secs(seconds)


def _end_time(job: Job) -> str:
    """%e / EndTime: the end of a finished job, the expected end (start + limit) of a running one (seen)
    [unconfirmed: a running job without a limit shows start + 365 days, slurmctld's YEAR_SECONDS]."""
    if job.end_time is not None:
        return c.date(job.end_time)
    if job.start_time is None:
        return "N/A"
    limit = c.limit_minutes(job)
    return c.date(job.start_time + (limit * 60 if limit is not None else 365 * 86400))


def parse_long_format(text: str) -> tuple[list[tuple[str, str, int, bool]], list[str]]:
    """-O's fields as render() takes them (a field's text is looked up by key, the header beside it) and the
    names that are no field (opts.c _parse_long_format: comma separated `name[:[.][size][suffix]]`, size 20
    when no ':' is given, 0 (no padding) after a ':' without digits; an unknown name prints nothing but its
    suffix, after `Invalid job format specification`)."""
    items: list[tuple[str, str, int, bool]] = []
    bad: list[str] = []
    for token in text.split(","):
        if not token:
            continue
        name, colon, spec = token.partition(":")
        right, width, suffix = False, 20, ""
        if colon:
            right = spec.startswith(".")
            spec = spec[1:] if right else spec
            from clusterjob_sim.slurm.options import strtol

            number, suffix = strtol(spec)
            width = number or 0
        key = name.lower()
        key = "numtask" if key.startswith("numtask") else key
        if key in FIELDS or key in CONSTANT_FIELDS:
            items.append(("", f"-O{key}", width, right))
        elif key in UNSIMULATED_FIELDS:
            raise OptionError(_not_implemented(f"-O {name}"), 1)
        else:
            bad.append(name)
            items.append(("", "", 0, False))
        if suffix:
            items.append((suffix, "", 0, False))
    return items, bad


def _not_implemented(what: str) -> str:
    from clusterjob_sim.engine.refusal import not_implemented_text

    return not_implemented_text("squeue", what)


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
        ctx.out.write(c.VERSION)
        return 0
    refused = refusal("squeue", found, spelled, IMPLEMENTED, SQUEUE, SQUEUE_ALIASES)
    if refused:
        ctx.err.write(refused)
        return 1
    names = [name for name, _ in found]
    if "format" in names and "Format" in names:  # opts.c refuses the second of the two (seen)
        first = min(names.index("format"), names.index("Format"))
        ctx.err.write(
            "squeue: error: -O (--Format) is incompatible with -o (--format)\n"
            if names[first] == "format"
            else "squeue: error: -o (--format) is incompatible with -O (--Format)\n"
        )
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
    long_items: list[tuple[str, str, int, bool]] | None = None
    if "Format" in opts:
        try:
            long_items, bad = parse_long_format(opts["Format"] or "")
        except OptionError as e:
            ctx.err.write(e.text)
            return e.exit_code
        for (
            name
        ) in bad:  # an error() message: squeue goes on, printing nothing for the field (seen)
            ctx.err.write(f"squeue: error: Invalid job format specification: {name}\n")
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
    items = parse_format(fmt) if long_items is None else long_items
    lines = [] if "noheader" in opts else [render(items, None)]
    now = engine.now()
    if "long" in opts and lines:  # squeue.c print_date(): the time first (slurm_ctime2_r's format)
        import time

        lines.insert(0, time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(now)))
    convert = "noconvert" not in opts
    paths = any(letter in ("-Ostdout", "-Ostderr") for _, letter, _, _ in items)
    lines += [render(items, values(r, engine, now, convert, paths)) for r in rows]
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

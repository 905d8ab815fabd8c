"""The fake Grid Engine commands (qsub, qstat, qacct, qdel) and how a job starts (job_launch).

Each `*_main(ctx)` is a COMMANDS target of clusterjob_sim.sge: it reads ctx.argv/ctx.stdin, acts through
ctx.engine and writes the real tool's answers to ctx.out/ctx.err (texts in sge_output).
"""

from __future__ import annotations

import os

from clusterjob_sim.engine.refusal import is_digits
from clusterjob_sim.sge import output as out
from clusterjob_sim.sge.options import (
    EXIT_REJECTED,
    EXIT_USAGE,
    Refused,
    SgeSite,
    invalid_option,
    unreadable_script,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch

ACTIVE = ("PENDING", "RUNNING")
SAFE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")
KILL_SIGNAL = 9  # qdel kills with SIGKILL (no notify): exit_status 128 + 9


def signal_name(num: int | None) -> str:
    """`SIGKILL` for 9 (SIGKILL when unknown), as qsub -sync reports a killed job."""
    import signal

    try:
        return signal.Signals(int(num or KILL_SIGNAL)).name
    except ValueError:
        return "SIGKILL"


def sh_quote(word: str) -> str:
    """Quote one word for /bin/sh (shlex.quote without importing re)."""
    if word and all(c in SAFE_CHARS for c in word):
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


# ---------------------------------------------------------------------------------------------------
# qsub
# ---------------------------------------------------------------------------------------------------


# the submitter's variables qsub copies as SGE_O_<NAME> (SGE_O_HOST and SGE_O_WORKDIR are always set)
_ORIGIN_VARS = ("HOME", "LOGNAME", "PATH", "MAIL", "SHELL", "TZ")


def qsub_main(ctx: Context) -> int:
    """qsub: read the script (file or stdin), its #$ lines and the options; check, submit, answer."""
    from clusterjob_sim.sge.options import parse_qsub, split_options

    site = SgeSite.from_config(ctx.config)
    args = list(ctx.argv)
    if args and os.path.basename(args[0]) == "qsub":
        args = args[1:]
    try:
        opts, pos = split_options(args)
        binary = any(n == "b" and str(v).lower().startswith("y") for n, v in opts)
        positional = args[pos:]
        if binary:
            if not positional:
                raise Refused("qsub: command required for a binary job\n", EXIT_USAGE)  # seen
            script = "#!/bin/sh\nexec " + " ".join(sh_quote(w) for w in positional) + "\n"
        elif positional:
            path = os.path.join(ctx.cwd, positional[0])
            try:
                with open(path, encoding="utf-8", errors="surrogateescape") as f:
                    script = f.read()
            except FileNotFoundError:
                raise unreadable_script(positional[0]) from None
            except OSError as e:
                raise unreadable_script(positional[0], e.strerror or str(e)) from None
        else:
            script = ctx.stdin.read()
            if not script:
                raise Refused(
                    "Unable to read script file because of error: no input read from stdin\n", 4
                )  # seen
        req = parse_qsub(script, args, site=site, cwd=ctx.cwd)
    except Refused as e:
        ctx.out.write(e.stdout)
        ctx.err.write(e.message)
        return e.exit_code

    home = ctx.environ.get("HOME") or os.path.expanduser("~")
    queue = (req.queue or str(ctx.config.get("default_queue") or "all.q")).split("@", 1)[0]
    if queue not in (ctx.config.get("queues") or {}) and "*" in queue:
        queue = str(ctx.config.get("default_queue") or "all.q")
    env: dict[str, str] = dict(ctx.environ) if req.export_env else {}
    for spec_text in req.options.get("v", []):
        for item in str(spec_text).split(","):
            var, eq, value = item.partition("=")
            if var:
                env[var] = value if eq else ctx.environ.get(var, "")
    # seen: qsub passes each of these on only when its own environment has it (none under `env -i`)
    sge_o = {f"SGE_O_{var}": ctx.environ[var] for var in _ORIGIN_VARS if var in ctx.environ}
    sge_o["SGE_O_WORKDIR"] = ctx.cwd
    spec: dict[str, Any] = {
        "name": req.job_name,
        "queue": queue,
        "nodes": req.nodes,
        "cores_per_node": req.tasks_per_node,
        "mem_mb_per_node": req.mem_mb_per_node,
        "walltime_s": req.walltime_s,
        "held": 1 if req.held else 0,
        "submit_dir": ctx.cwd,
        "workdir": req.workdir or home,
        "stdout": req.stdout,
        "stderr": req.stderr,
        "script": script,
    }
    data: dict[str, Any] = {
        "slots": req.slots,
        "tasks_per_node": req.tasks_per_node,
        "pe": req.pe,
        "pe_range": req.pe_range,
        "rule": req.rule,
        "merge": req.merge_output,
        "cwd": req.cwd,
        "export": req.export_env,
        "shell": req.shell,
        "binary": req.binary,
        "script_file": positional[0] if positional and not req.binary else "STDIN",
        "args": [] if req.binary else req.script_args,
        "env_list": [f"{k}={v or 'NONE'}" for k, v in env.items()],
        "pe_range_text": req.pe_range_text,
        "resources": req.resources,
        "queues": [str(q) for t in req.options.get("q", []) for q in str(t).split(",") if q],
        "sge_o": sge_o,
        "home": home,
    }
    tasks = None
    array_text = None
    if req.array is not None:
        indices, limit, array_text = req.array  # array_text: first-last:step as qsub prints it
        tasks = list(indices)
        spec["array_limit"] = limit
        spec["array_spec"] = array_text
        first, _, rest = array_text.partition("-")
        last, _, step = rest.partition(":")
        data["task_first"], data["task_last"], data["task_step"] = int(first), int(last), int(step)
    jobs = ctx.submit(spec, env=env, data=data, tasks=tasks, ids_per_task=False)
    ctx.out.write("".join(req.warnings))
    ctx.out.write(out.qsub_submitted(jobs[0].job_id, req.job_name, array_text, terse=req.terse))
    if str(req.options.get("sync", "n")).lower().startswith("y"):
        return _sync(ctx, jobs[0].job_id)
    return 0


def _sync(ctx: Context, job_id: int) -> int:
    """qsub -sync y: wait for every task, reporting each as it ends (report_exit_status)."""
    import time

    engine = ctx.engine
    reported: set[int] = set()
    rc = 0
    first = True
    while True:
        engine.tick()
        tasks = engine.jobs([job_id])
        for t in tasks:
            if t.state in ACTIVE or t.rid in reported:
                continue
            reported.add(t.rid)
            ident = f"{job_id}.{t.array_index}" if t.array_index is not None else str(job_id)
            if t.start_time is None:
                ctx.err.write(f"Unable to run job {ident}\n")  # seen (stderr)
                code = 0
            elif t.state in ("COMPLETED", "FAILED") and not t.signal:
                code = int(t.exit_code or 0)
                ctx.err.write(f"Job {ident} exited with exit code {code}.\n")  # seen (stderr)
            else:
                sig = signal_name(KILL_SIGNAL if t.state in ("CANCELLED", "TIMEOUT") else t.signal)
                ctx.err.write(f"Job {ident} exited because of signal {sig}.\n")
                code = 1
            if first or rc == 0:
                rc = code
            first = False
        if tasks and all(t.state not in ACTIVE for t in tasks):
            return rc
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------------
# qstat
# ---------------------------------------------------------------------------------------------------


def sge_state(job: Job) -> str:
    """The qstat state letters of an active engine record."""
    if job.state == "RUNNING":
        return "r"
    return "hqw" if job.held else "qw"


def rows_for(jobs: list[Job]) -> list[out.SgeJobView]:
    """qstat rows: one per running job/task, then pending tasks of an array folded into one row."""
    running: list[out.SgeJobView] = []
    pending: list[out.SgeJobView] = []
    by_array: dict[int, list[Job]] = {}
    for j in jobs:
        data = j.data
        slots = int(data.get("slots", 1))
        is_array = j.array_index is not None
        if j.state == "RUNNING":
            node = j.node_names[0] if j.node_names else ""
            running.append(
                out.SgeJobView(
                    j.job_id,
                    j.name,
                    j.user,
                    "r",
                    j.submit_time,
                    task_id=j.array_index,
                    is_array=is_array,
                    start_time=j.start_time,
                    queue=f"{j.queue}@{node}",
                    slots=slots,
                )
            )
        elif j.state == "PENDING":
            if is_array:
                by_array.setdefault(j.job_id, []).append(j)
            else:
                pending.append(
                    out.SgeJobView(
                        j.job_id, j.name, j.user, sge_state(j), j.submit_time, slots=slots
                    )
                )
    for job_id, tasks in by_array.items():
        first = tasks[0]
        for state in ("qw", "hqw"):
            ids = [
                t.array_index for t in tasks if sge_state(t) == state and t.array_index is not None
            ]
            if ids:
                pending.append(
                    out.SgeJobView(
                        job_id,
                        first.name,
                        first.user,
                        state,
                        first.submit_time,
                        is_array=True,
                        task_range=out.task_ranges(ids),
                        slots=int(first.data.get("slots", 1)),
                    )
                )
    views = running + pending
    sizes = [v.slots for v in views if v.state != "hqw"]
    lo, hi = (min(sizes), max(sizes)) if sizes else (1, 1)
    for v in views:  # seen: held 0; one size of job 0.5; mixed sizes 0.25 (fewest) to 0.75 (most)
        if v.state != "hqw":
            v.priority = 0.25 + 0.5 * (v.slots - lo) / (hi - lo) if hi > lo else 0.5
    pending.sort(key=lambda v: (-v.priority, v.job_id))
    return running + pending


def _job_ids(texts: list[str]) -> list[str]:
    """Job id words as given, split at commas."""
    return [t for text in texts for t in text.split(",") if t]


def qstat_main(ctx: Context) -> int:
    """qstat: the plain listing (own jobs, or -u), -s p|r, and -j ID details."""
    from clusterjob_sim.engine.jobs import user_name

    args = list(ctx.argv)
    users: list[str] | None = [user_name()]
    states: str | None = None
    job_info: list[str] | None = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-u", "-s", "-j", "-q", "-l", "-pe", "-g") and i + 1 < len(args):
            value = args[i + 1]
            if a == "-u":
                users = None if value in ("*", "all") else value.split(",")
            elif a == "-s":
                states = value
            elif a == "-j":
                job_info = _job_ids([value])
            i += 2
            continue
        if a == "-j":
            job_info = []
        elif a in ("-r", "-f", "-t", "-ext", "-pri", "-urg", "-xml", "-explain"):
            pass  # accepted; the plain layout is kept [deviation]
        else:
            ctx.err.write(invalid_option(a).message)
            return EXIT_USAGE
        i += 1
    engine = ctx.engine
    if job_info is not None:
        return _qstat_j(ctx, engine, job_info)
    jobs = [j for j in engine.jobs(view="live") if j.state in ACTIVE]
    if users is not None:
        jobs = [j for j in jobs if j.user in users]
    if states:
        keep: set[str] = set()
        if "p" in states:
            keep.update(("qw", "hqw"))
        if "r" in states:
            keep.add("r")
        if "h" in states:
            keep.add("hqw")
        if "a" in states:
            keep.update(("qw", "hqw", "r"))
        jobs = [j for j in jobs if sge_state(j) in keep]
    ctx.out.write(out.qstat_table(rows_for(jobs)))
    return 0


def _qstat_j(ctx: Context, engine: Engine, ids: list[str]) -> int:
    """qstat -j: details of the active jobs named; only when none is known, the ids on stderr (exit 1;
    seen: `qstat -j 12,99999` shows 12 and says nothing of 99999)."""
    found: list[list[Job]] = []
    for text in ids:
        jobs = (
            [j for j in engine.jobs([int(text)], view="live") if j.state in ACTIVE]
            if is_digits(text)
            else []
        )
        if jobs:
            found.append(jobs)
    if not found:
        ctx.err.write(out.qstat_unknown(ids))
        return EXIT_REJECTED
    first_node = engine.nodes[0]["name"] if engine.nodes else "node01"
    full = _queue_full(engine)
    for jobs in found:
        ctx.out.write(out.qstat_j(job_detail(jobs, first_node, full)))
    return 0


def _queue_full(engine: Engine) -> bool:
    """Every slot of every host taken by running jobs (the scheduler then drops the queue instance)."""
    used: dict[str, int] = {}
    for j in engine.jobs(states=("RUNNING",), view="live"):
        for host, n in slot_counts(j):
            used[host] = used.get(host, 0) + n
    return all(used.get(n["name"], 0) >= int(n["cores"]) for n in engine.nodes)


def _group(gid: int) -> str:
    """The group name of gid (its number if unknown)."""
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return str(gid)


def _gid(uid: int) -> int:
    """The primary group id of uid (this process's if unknown)."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_gid
    except (ImportError, KeyError):
        return os.getgid()


def _seconds(resources: dict[str, str]) -> dict[str, str]:
    """Resources as the master keeps them: times in seconds (seen: h_rt=1:00:00 -> 3600, 1.5 -> 2)."""
    from clusterjob_sim.sge.options import TIME_COMPLEXES, parse_time

    shown = {}
    for k, v in resources.items():
        seconds = parse_time(v) if k in TIME_COMPLEXES else None
        shown[k] = str(seconds) if seconds is not None else v
    return shown


def _shown_range(data: dict[str, Any]) -> str | None:
    """A PE range as qstat -j prints it (seen: 2, 1,2, 1-4, and 2-9999999 for an open 2-)."""
    text = data.get("pe_range_text") or data.get("pe_range")
    if not text:
        return None
    return f"{text}9999999" if str(text).endswith("-") else str(text)


def job_detail(tasks: list[Job], first_node: str = "node01", full: bool = True) -> out.SgeJobDetail:
    """The `qstat -j` record of a job from its records (all tasks of an array)."""
    j = tasks[0]
    data = j.data
    sge_o = data.get("sge_o") or {}
    gid = _gid(j.uid)
    array_text = None
    if j.array_index is not None:
        array_text = f"{data.get('task_first')}-{data.get('task_last')}:{data.get('task_step', 1)}"
    running = [t.array_index or 1 for t in tasks if t.state == "RUNNING"]
    info: list[str] = []
    pending = any(t.state == "PENDING" for t in tasks) and not running
    if pending and full:  # seen: the scheduler's notes while every slot is taken
        info.append(f'queue instance "{j.queue}@{first_node}" dropped because it is full')
        info.append("All queues dropped because of overload or full")
    if any(t.state == "PENDING" and t.held for t in tasks):
        info.append("Job is in hold state")  # seen: after the scheduler's notes
    return out.SgeJobDetail(
        j.job_id,
        j.name,
        j.user,
        j.uid,
        _group(gid),
        gid,
        j.submit_time,
        {str(k): str(v) for k, v in sge_o.items()},
        str(sge_o.get("SGE_O_WORKDIR", j.submit_dir)),
        j.submit_host,
        str(data.get("script_file", "STDIN")),
        cwd=j.workdir if data.get("cwd") else None,
        stdout_path=j.stdout,
        stderr_path=j.stderr,
        merge=bool(data.get("merge")),
        resources=_seconds(data.get("resources") or {}),
        queues=data.get("queues") or [],
        shell_list=data.get("shell"),
        pe=data.get("pe"),
        pe_range=_shown_range(data),
        array_text=array_text,
        running_tasks=running,
        job_args=data.get("args") or [],
        env_list=data.get("env_list") or [],
        scheduling_info=info,
    )


# ---------------------------------------------------------------------------------------------------
# qacct
# ---------------------------------------------------------------------------------------------------


def failed_and_status(job: Job) -> tuple[int, int]:
    """qacct's `failed` code and `exit_status` for a finished record."""
    sig = int(job.signal or 0)
    if job.state == "CANCELLED":
        return 100, 128 + KILL_SIGNAL  # seen: deleted while running -> 100 / 137
    if job.state == "TIMEOUT":
        return 37, 128 + KILL_SIGNAL  # seen: h_rt exceeded -> 37 / 137
    if job.state in ("NODE_FAIL", "OUT_OF_MEMORY"):
        return 100, 128 + (sig or KILL_SIGNAL)
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
    gid = _gid(job.uid)
    data = job.data
    return out.SgeAccounting(
        job.queue,
        job.node_names[0] if job.node_names else "",
        _group(gid),
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
    )


def qacct_main(ctx: Context) -> int:
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
                ctx.err.write(invalid_option(f"-t {args[i + 1]}").message)
                return EXIT_USAGE
            tasks = set(ids)
            i += 1
        elif a in ("-o", "-q", "-d", "-b", "-e", "-g", "-P", "-D", "-A", "-h", "-pe", "-l", "-f"):
            i += 1
        elif a not in ("-u",):
            ctx.err.write(invalid_option(a).message)
            return EXIT_USAGE
        i += 1
    engine = ctx.engine
    ran = [
        j
        for j in engine.jobs(view="accounting")
        if j.state not in ACTIVE and j.start_time is not None
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
        return EXIT_REJECTED
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


# ---------------------------------------------------------------------------------------------------
# qdel
# ---------------------------------------------------------------------------------------------------


def qdel_main(ctx: Context) -> int:
    """qdel ID[,ID] [ID.TASK] [-t range] [-u user]: delete pending jobs, kill running ones."""
    from clusterjob_sim.engine.jobs import user_name

    args = list(ctx.argv)
    refs: list[str] = []
    task_filter: set[int] | None = None
    users: list[str] | None = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-t" and i + 1 < len(args):
            from clusterjob_sim.sge.options import parse_task_range

            ids = parse_task_range(args[i + 1])
            if ids is None:
                ctx.err.write(invalid_option(f"-t {args[i + 1]}").message)
                return EXIT_USAGE
            task_filter = set(ids)
            i += 2
            continue
        if a == "-u" and i + 1 < len(args):
            users = args[i + 1].split(",")
            i += 2
            continue
        if a == "-f":
            i += 1
            continue
        if a.startswith("-"):
            ctx.err.write(invalid_option(a).message)
            return EXIT_USAGE
        refs.extend(_job_ids([a]))
        i += 1
    engine = ctx.engine
    me = user_name()
    if users is not None and not refs:
        refs = sorted(
            {
                str(j.job_id)
                for j in engine.jobs(view="live")
                if j.state in ACTIVE and (j.user in users or "*" in users)
            },
            key=int,
        )
    rc = 0
    for text in refs:
        base, dot, task_s = text.partition(".")
        tasks = set(task_filter) if task_filter is not None else None
        if dot:
            if not is_digits(task_s):
                ctx.out.write(out.qdel_unknown(text))
                rc = EXIT_REJECTED
                continue
            tasks = {int(task_s)}
        jobs = (
            [j for j in engine.jobs([int(base)], view="live") if j.state in ACTIVE]
            if is_digits(base)
            else []
        )
        if tasks is not None:
            jobs = [j for j in jobs if (j.array_index or 0) in tasks]
        if not jobs:
            ctx.out.write(out.qdel_unknown(text))
            rc = EXIT_REJECTED
            continue
        ctx.out.write(_delete(engine, jobs, me))
    return rc


def _delete(engine: Engine, jobs: list[Job], user: str) -> str:
    """Cancel the records of one job and word it as qdel does."""
    job_id = jobs[0].job_id
    is_array = jobs[0].array_index is not None
    running = [j for j in jobs if j.state == "RUNNING"]
    pending = [j for j in jobs if j.state == "PENDING"]
    engine.cancel(jobs)
    if not is_array:
        return out.qdel_registered(user, job_id) if running else out.qdel_deleted(user, job_id)
    lines = [out.qdel_registered_task(user, job_id, j.array_index or 0) for j in running]
    if pending:  # seen: the pending rest of an array is "deleted job N" after the running tasks
        lines.append(out.qdel_deleted(user, job_id))
    return "".join(lines)


# ---------------------------------------------------------------------------------------------------
# job start
# ---------------------------------------------------------------------------------------------------


def _login_shell(uid: int) -> str:
    """The user's login shell (SHELL in a job without -V), /bin/sh if unknown."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_shell or "/bin/sh"
    except (ImportError, KeyError):
        return "/bin/sh"


def slot_counts(job: Job) -> list[tuple[str, int]]:
    """(host, slots) per granted node: dealt one by one for $round_robin, else filled in order."""
    nodes = job.node_names
    data = job.data
    slots = int(data.get("slots", 1))
    if not nodes:
        return []
    if data.get("rule") == "$round_robin":
        counts = [
            slots // len(nodes) + (1 if i < slots % len(nodes) else 0) for i in range(len(nodes))
        ]
    else:
        per = int(data.get("tasks_per_node", slots)) or 1
        counts = []
        left = slots
        for i in range(len(nodes)):
            take = left if i == len(nodes) - 1 else min(per, left)
            counts.append(take)
            left -= take
    return [(n, c) for n, c in zip(nodes, counts, strict=True) if c > 0]


def _expand_path(text: str, job: Job, home: str, host: str) -> str:
    """An -o/-e path: drop a `host:` prefix, expand $HOME $USER $JOB_ID $JOB_NAME $HOSTNAME $TASK_ID."""
    if ":" in text and "/" not in text.split(":", 1)[0]:
        text = text.split(":", 1)[1]
    task = str(job.array_index) if job.array_index is not None else "undefined"
    for var, value in (
        ("$HOME", home),
        ("$USER", job.user),
        ("$JOB_ID", str(job.job_id)),
        ("$JOB_NAME", job.name),
        ("$HOSTNAME", host),
        ("$TASK_ID", task),
    ):
        text = text.replace(var, value)
    return text


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """Build the Launch of a Grid Engine job (environment, PE_HOSTFILE, working dir, o/e files)."""
    from clusterjob_sim.engine.jobs import Launch

    data = job.data
    sge_o: dict[str, str] = dict(data.get("sge_o") or {})
    home = str(data.get("home") or sge_o.get("SGE_O_HOME") or "/")
    counts = slot_counts(job)
    host = counts[0][0] if counts else os.uname().nodename
    task = job.array_index
    task_text = str(task) if task is not None else "undefined"
    queue = job.queue
    jobdir = os.path.join(engine.spool_dir, "sge_active", f"{job.job_id}.{task or 1}")
    tmpdir = os.path.join(engine.spool_dir, "sge_tmp", f"{job.job_id}.{task or 1}.{queue}")
    pe_hostfile = os.path.join(jobdir, "pe_hostfile")
    try:
        os.makedirs(jobdir, exist_ok=True)
        os.makedirs(tmpdir, exist_ok=True)
        with open(pe_hostfile, "w", encoding="utf-8") as f:
            f.writelines(f"{h} {n} {queue}@{h} UNDEFINED\n" for h, n in counts)
    except OSError:
        pass
    shell = str(data.get("shell") or engine.config.get("shell") or "/bin/sh")
    if data.get("export"):
        env = dict(job.env)
    else:  # seen: the execd's own environment plus these (the simulator has no execd to inherit)
        env = {
            "HOME": home,
            "USER": job.user,
            "LOGNAME": job.user,
            "SHELL": _login_shell(job.uid),
            "PATH": f"{tmpdir}:/usr/local/bin:/bin:/usr/bin",
            "TERM": "",
        }
        env.update(job.env)  # -v variables
    env.update(sge_o)
    env.update(
        {
            "SGE_O_HOST": job.submit_host,
            "JOB_ID": str(job.job_id),
            "JOB_NAME": job.name,
            "JOB_SCRIPT": script_path,
            "REQUEST": job.name,
            "REQNAME": job.name,
            "SGE_ACCOUNT": "sge",
            "SGE_TASK_ID": task_text,
            "SGE_TASK_FIRST": str(data["task_first"]) if task is not None else "undefined",
            "SGE_TASK_LAST": str(data["task_last"]) if task is not None else "undefined",
            "SGE_TASK_STEPSIZE": str(data["task_step"]) if task is not None else "undefined",
            "NSLOTS": str(int(data.get("slots", 1))),
            "NHOSTS": str(len(counts) or 1),
            "NQUEUES": str(len(counts) or 1),
            "PE_HOSTFILE": pe_hostfile,
            "QUEUE": queue,
            "HOSTNAME": host,
            "RESTARTED": "0",
            "SGE_CELL": str(engine.config.get("cluster_name", "default")),
            "SGE_ARCH": "lx-amd64",
            "ARC": "lx-amd64",
            "SGE_JOB_SPOOL_DIR": jobdir,
            "TMP": tmpdir,  # seen: TMP but no TMPDIR on Debian's 8.1.9
            "SGE_STDIN_PATH": "/dev/null",
        }
    )
    if data.get("pe"):
        env["PE"] = str(data["pe"])
    cwd = job.workdir or home
    env["PWD"] = cwd
    env["SGE_CWD_PATH"] = cwd
    suffix = f".{task}" if task is not None else ""

    def resolve(path: str | None, letter: str) -> str:
        default = f"{job.name}.{letter}{job.job_id}{suffix}"
        if not path:
            return os.path.join(cwd, default)
        p = os.path.join(cwd, os.path.expanduser(_expand_path(path, job, home, host)))
        if os.path.isdir(p):
            p = os.path.join(p, default)
        return p

    stdout = resolve(job.stdout, "o")
    stderr = None if data.get("merge") else resolve(job.stderr, "e")
    env["SGE_STDOUT_PATH"] = stdout
    env["SGE_STDERR_PATH"] = stderr or stdout
    if engine.config.get("shell_start_mode") == "unix_behavior" and not data.get("shell"):
        with open(script_path, encoding="utf-8", errors="replace") as f:
            argv = [script_path] if f.read(2) == "#!" else [shell, script_path]
    else:
        argv = [shell, script_path]
    argv += [str(a) for a in data.get("args") or []]
    return Launch(argv, env, cwd, stdout, stderr, open_mode="a")

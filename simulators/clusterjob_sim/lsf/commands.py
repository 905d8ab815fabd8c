"""The fake LSF commands (bsub, bjobs, bkill) and how a job starts (job_launch), over the shared engine.

Each `*_main(ctx)` is a COMMANDS target of clusterjob_sim.lsf: it reads ctx.argv/ctx.stdin, acts through
ctx.engine and writes the real tool's answers to ctx.out/ctx.err (texts in lsf_output).
"""

from __future__ import annotations

import os

from clusterjob_sim.lsf import output as out
from clusterjob_sim.lsf.options import EXIT_FAIL, NOT_SUBMITTED, LsfSite, Refused, is_digits

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch

ACTIVE = ("PENDING", "RUNNING")


# ---------------------------------------------------------------------------------------------------
# bsub
# ---------------------------------------------------------------------------------------------------


def _stdin_is_file(ctx: Context) -> bool:
    """True when stdin is a regular file (`bsub < script`), which changes one of bsub's messages."""
    import stat

    try:
        return stat.S_ISREG(os.fstat(ctx.stdin.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):
        return True


def default_job_name(command: str) -> str:
    """The job name LSF shows without -J: the command, a script's lines joined by ';' [unconfirmed]."""
    lines = [ln.strip() for ln in command.strip().splitlines() if ln.strip()]
    return ";".join(lines)[:4094] or "bsub"


def bsub_main(ctx: Context) -> int:
    """bsub: parse options and #BSUB lines, check them against the cluster, submit, answer."""
    from clusterjob_sim.lsf.options import parse_bsub, split_options, strip_program_and_redirect

    site = LsfSite.from_config(ctx.config)
    try:
        _opts, first = split_options(strip_program_and_redirect(ctx.argv))
        has_command = first < len(strip_program_and_redirect(ctx.argv))
        script = "" if has_command else ctx.stdin.read()
        try:
            req = parse_bsub(script, ctx.argv, site=site)
        except Refused as e:
            if "No command is specified" in e.message and not _stdin_is_file(ctx):
                raise Refused("No command is specified" + NOT_SUBMITTED, EXIT_FAIL) from None
            raise
        queue = req.queue or str(ctx.config.get("default_queue") or "normal")
        qcfg = (ctx.config.get("queues") or {}).get(queue) or {}
        walltime = req.walltime_s
        max_s = qcfg.get("max_time_s")
        if walltime is not None and max_s is not None and walltime > max_s:
            raise Refused(
                "RUNLIMIT: Cannot exceed queue's hard limit(s)" + NOT_SUBMITTED, EXIT_FAIL
            )
        if walltime is None and qcfg.get("default_time_s") is not None:
            walltime = int(qcfg["default_time_s"])
    except Refused as e:
        ctx.out.write(e.stdout)
        ctx.err.write(e.message)
        return e.exit_code

    if req.from_stdin:
        script_text = req.command
    else:
        script_text = "#!/bin/sh\n" + req.command + "\n"
    spec: dict[str, Any] = {
        "name": req.name or default_job_name(req.command),
        "queue": queue,
        "nodes": req.nodes,
        "cores_per_node": req.tasks_per_node * req.cpus_per_task,
        "mem_mb_per_node": req.mem_mb_per_node,
        "exclusive": 1 if req.exclusive else 0,
        "walltime_s": walltime,
        "held": 1 if req.options.get("H") else 0,
        "submit_dir": ctx.cwd,
        "workdir": ctx.cwd,
        "stdout": req.stdout,
        "stderr": req.stderr,
        "script": script_text,
    }
    data = {
        "slots": req.slots,
        "tasks_per_node": req.tasks_per_node,
        "cwd": req.workdir,
        "out_overwrite": req.stdout_overwrite,
        "err_overwrite": req.stderr_overwrite,
        "command": req.command if not req.from_stdin else "",
        "project": str(req.options.get("P") or "default"),
    }
    tasks = None
    if req.array is not None:
        indices, limit, text = req.array
        tasks = list(indices)
        spec["array_limit"] = limit
        spec["array_spec"] = text
        data["index_end"] = max(indices)
        data["index_step"] = indices[1] - indices[0] if len(indices) > 1 else 1
    jobs = ctx.submit(spec, env=dict(ctx.environ), data=data, tasks=tasks, ids_per_task=False)
    ctx.out.write(out.bsub_submitted(jobs[0].job_id, queue, default=req.queue is None))
    return 0


# ---------------------------------------------------------------------------------------------------
# views of engine records
# ---------------------------------------------------------------------------------------------------


def lsf_stat(job: Job) -> str:
    """The LSF state of an engine record."""
    if job.state == "PENDING":
        return "PSUSP" if job.held else "PEND"
    if job.state == "RUNNING":
        return "RUN"
    if job.state == "COMPLETED":
        return "DONE"
    return "EXIT"


def exit_code(job: Job) -> int | None:
    """The exit code LSF reports: the script's status; 140 after the run limit (TERM_RUNLIMIT), 130
    when bkill'ed while running (SIGINT first), 128+signal when killed otherwise; None if it never ran."""
    if job.state in ACTIVE or job.start_time is None:
        return None
    if job.state == "TIMEOUT":
        return 140
    if job.state == "CANCELLED":
        return 130
    if job.signal:
        return 128 + int(job.signal)
    return job.exit_code


def exit_reason(job: Job) -> str:
    """bjobs' EXIT_REASON for a job that did not end by itself."""
    if job.state == "TIMEOUT":
        return "TERM_RUNLIMIT: job killed after reaching LSF run time limit"
    if job.state == "CANCELLED":
        return "TERM_OWNER: job killed by owner"
    if job.state == "OUT_OF_MEMORY":
        return "TERM_MEMLIMIT: job killed after reaching LSF memory usage limit"
    return ""


def slot_hosts(job: Job) -> list[str]:
    """One host name per slot (LSB_HOSTS order): tasks_per_node on each node, the rest on the last."""
    nodes = job.node_names
    if not nodes:
        return []
    data = job.data
    slots = int(data.get("slots", 1))
    per = int(data.get("tasks_per_node", slots)) or 1
    hosts: list[str] = []
    for i, node in enumerate(nodes):
        count = min(per, slots - per * i) if i < len(nodes) - 1 else slots - per * i
        hosts.extend([node] * max(count, 0))
    return hosts


def job_view(job: Job) -> out.LsfJobView:
    """The bjobs view of one engine record."""
    data = job.data
    return out.LsfJobView(
        job.job_id,
        job.name,
        job.user,
        lsf_stat(job),
        job.queue,
        job.submit_host,
        job.submit_time,
        array_index=job.array_index or 0,
        exec_hosts=slot_hosts(job),
        start_time=job.start_time,
        end_time=job.end_time,
        exit_code=exit_code(job),
        slots=int(data.get("slots", 1)),
        cwd=job.submit_dir,
        command=str(data.get("command") or job.name),
        output_file=job.stdout or "",
        error_file=job.stderr or "",
        project=str(data.get("project") or "default"),
        exit_reason=exit_reason(job),
    )


def parse_job_ref(text: str) -> tuple[int, int | None] | None:
    """`123` or `123[4]` -> (123, 4); None if it is not a job id."""
    base, bracket, rest = text.partition("[")
    if not is_digits(base):
        return None
    if not bracket:
        return int(base), None
    idx = rest[:-1] if rest.endswith("]") else ""
    if not is_digits(idx):
        return None
    return int(base), int(idx)


def _select(engine: Engine, ref: tuple[int, int | None]) -> list[Job]:
    """The live records of `123` (every element of an array) or `123[4]`."""
    job_id, index = ref
    jobs = [j for j in engine.jobs([job_id], view="live") if j.job_id == job_id]
    if index is not None:
        jobs = [j for j in jobs if j.array_index == index]
    return jobs


# ---------------------------------------------------------------------------------------------------
# bjobs
# ---------------------------------------------------------------------------------------------------

BJOBS_FLAGS = frozenset("a d p r s w W l A noheader UF X aps".split())
BJOBS_VALUES = frozenset("u q J o m P N g G sla app".split())


def bjobs_main(ctx: Context) -> int:
    """bjobs: the default table, -o custom columns, -noheader, -a/-d/-p/-r, -u; ids or all."""
    from clusterjob_sim.engine.jobs import user_name

    flags: set[str] = set()
    values: dict[str, str] = {}
    refs: list[str] = []
    args = list(ctx.argv)
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and len(a) > 1:
            name = a[1:]
            if name in BJOBS_FLAGS:
                flags.add(name)
            elif name in BJOBS_VALUES:
                if i + 1 >= len(args):
                    ctx.err.write(f"bjobs: option requires an argument -- {name}\n")
                    return EXIT_FAIL
                i += 1
                values[name] = args[i]
            elif name[:1] in BJOBS_VALUES and len(name) > 1:
                values[name[:1]] = name[1:]
            else:
                ctx.err.write(f"bjobs: illegal option -- {name}\n{BJOBS_USAGE}")
                return EXIT_FAIL
        else:
            refs.append(a)
        i += 1
    fields = None
    delimiter = " "
    if "o" in values:
        try:
            fields, delimiter = out.parse_format(values["o"])
        except Refused as e:
            ctx.err.write(e.message)
            return e.exit_code
    engine = ctx.engine
    rc = 0
    shown: list[Job] = []
    if refs:
        for text in refs:
            ref = parse_job_ref(text)
            found = _select(engine, ref) if ref else []
            if not found:
                ctx.err.write(out.bjobs_not_found(text))
                rc = EXIT_FAIL
            shown.extend(found)
    else:
        user = values.get("u", user_name())
        jobs = engine.jobs(view="live")
        if user != "all":
            jobs = [j for j in jobs if j.user == user]
        shown = jobs
    if "q" in values:
        shown = [j for j in shown if j.queue == values["q"]]
    if "J" in values:
        shown = [j for j in shown if j.name == values["J"]]
    if "d" in flags:
        shown = [j for j in shown if j.state not in ACTIVE]
    elif "p" in flags or "r" in flags or "s" in flags:
        shown = [
            j
            for j in shown
            if ("p" in flags and lsf_stat(j) == "PEND") or ("r" in flags and lsf_stat(j) == "RUN")
        ]
    elif not refs and "a" not in flags:
        shown = [j for j in shown if j.state in ACTIVE]
    views = [job_view(j) for j in shown]
    if not views and not refs:
        ctx.err.write(out.bjobs_nothing("a" in flags or "d" in flags))
        return EXIT_FAIL
    header = "noheader" not in flags
    if fields is not None:
        ctx.out.write(out.bjobs_custom(views, fields, delimiter, header=header))
    elif "l" in flags:
        ctx.out.write(out.bjobs_long(views))
    else:
        ctx.out.write(out.bjobs_table(views, header=header, wide="w" in flags or "W" in flags))
    return rc


BJOBS_USAGE = (
    "Usage: bjobs [-h] [-V] [-w | -l] [-a] [-d] [-p] [-s] [-r] [-noheader]\n"
    "             [-o \"field_name ... [delimiter='character']\"]\n"
    "             [-q queue_name] [-u user_name | -u all] [-J job_name]\n"
    '             [jobId | "jobId[index]" ...]\n'
)  # [unconfirmed] an abbreviation of LSF 10's usage text


# ---------------------------------------------------------------------------------------------------
# bkill
# ---------------------------------------------------------------------------------------------------

KILL_SIGNALS = {"KILL", "SIGKILL", "9", "TERM", "SIGTERM", "15", "INT", "SIGINT", "2"}


def bkill_main(ctx: Context) -> int:
    """bkill: terminate (or signal with -s) jobs by id, `id[index]`, -J name, or 0 for all of yours."""
    from clusterjob_sim.engine.jobs import user_name

    sig: str | None = None
    name: str | None = None
    refs: list[str] = []
    args = list(ctx.argv)
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-s", "-J", "-u", "-q", "-m") and i + 1 < len(args):
            if a == "-s":
                sig = args[i + 1].upper()
            elif a == "-J":
                name = args[i + 1]
            i += 2
            continue
        if a in ("-r", "-b", "-d", "-C"):
            i += 1
            continue
        if a.startswith("-"):
            ctx.err.write(f"bkill: illegal option -- {a[1:]}\n")
            return EXIT_FAIL
        refs.append(a)
        i += 1
    engine = ctx.engine
    me = user_name()
    if name is not None or refs == ["0"]:
        jobs = [j for j in engine.jobs(view="live") if j.user == me and j.state in ACTIVE]
        if name is not None:
            jobs = [j for j in jobs if j.name == name]
        refs = sorted({str(j.job_id) for j in jobs}, key=int)
        if not refs:
            ctx.err.write("No unfinished job found\n")
            return EXIT_FAIL
    if not refs:
        ctx.err.write("Job ID or one of '-m', '-u' '-q' and '-J' must be specified.\n")  # [source]
        return EXIT_FAIL
    terminating = sig is None or sig.removeprefix("SIG") in {
        s.removeprefix("SIG") for s in KILL_SIGNALS
    }
    rc = 0
    for text in refs:
        ref = parse_job_ref(text)
        jobs = _select(engine, ref) if ref else []
        if not jobs:
            ctx.err.write(out.bkill_unknown(text))
            rc = EXIT_FAIL
            continue
        active = [j for j in jobs if j.state in ACTIVE]
        if not active:
            ctx.err.write(out.bkill_finished(text))
            rc = EXIT_FAIL
            continue
        if terminating:
            engine.cancel(active)
        else:
            _signal(active, sig or "TERM")
        ctx.out.write(out.bkill_terminated(text, signaled=not terminating))
    return rc


def _signal(jobs: Sequence[Job], sig: str) -> None:
    """Deliver a non-terminating signal (-s USR1, ...) to running jobs' process groups."""
    import signal as _sig

    name = sig if sig.startswith("SIG") else "SIG" + sig
    num = int(sig) if is_digits(sig) else int(getattr(_sig, name, _sig.SIGTERM))
    for j in jobs:
        if j.state == "RUNNING" and j.pgid:
            try:
                os.killpg(int(j.pgid), num)
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------------
# job start
# ---------------------------------------------------------------------------------------------------


def expand_pattern(text: str, job: Job) -> str:
    """-o/-e/-cwd patterns: %J the job id, %I the array index (0 outside arrays)."""
    return text.replace("%J", str(job.job_id)).replace("%I", str(job.array_index or 0))


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """Build the Launch of an LSF job: LSB_* variables, the submit (or -cwd) directory, -o/-e files."""
    from clusterjob_sim.engine.jobs import Launch

    data = job.data
    env = dict(job.env)
    hosts = slot_hosts(job)
    groups = out.host_groups(hosts)
    index = job.array_index or 0
    display = f"{job.name}[{index}]" if index else job.name
    env.update(
        {
            "LSB_JOBID": str(job.job_id),
            "LSB_BATCH_JID": f"{job.job_id}[{index}]" if index else str(job.job_id),
            "LSB_JOBNAME": display,
            "LSB_JOBINDEX": str(index),
            "LSB_QUEUE": job.queue,
            "LSB_HOSTS": " ".join(hosts),
            "LSB_MCPU_HOSTS": " ".join(f"{h} {n}" for h, n in groups),
            "LSB_DJOB_NUMPROC": str(len(hosts) or int(data.get("slots", 1))),
            "LSB_MAX_NUM_PROCESSORS": str(int(data.get("slots", 1))),
            "LS_SUBCWD": job.submit_dir,
            "LSB_SUB_HOST": job.submit_host,
            "LSB_EXEC_CLUSTER": str(engine.config.get("cluster_name", "cluster1")),
        }
    )
    if index:
        env["LSB_JOBINDEX_END"] = str(data.get("index_end", index))
        env["LSB_JOBINDEX_STEP"] = str(data.get("index_step", 1))
    jobdir = os.path.join(engine.spool_dir, "lsf_jobs", f"{job.job_id}.{index}")
    try:
        os.makedirs(jobdir, exist_ok=True)
        hostfile = os.path.join(jobdir, "hostfile")
        with open(hostfile, "w", encoding="utf-8") as f:
            f.writelines(h + "\n" for h in hosts)
        env["LSB_DJOB_HOSTFILE"] = hostfile
    except OSError:
        pass
    cwd = job.submit_dir
    if data.get("cwd"):
        cwd = os.path.join(
            job.submit_dir, os.path.expanduser(expand_pattern(str(data["cwd"]), job))
        )
    env["PWD"] = cwd

    def resolve(path: str | None) -> str | None:
        if not path:
            return None
        p = os.path.join(cwd, os.path.expanduser(expand_pattern(path, job)))
        if path.endswith("/") or os.path.isdir(p):
            p = os.path.join(p, f"{job.job_id}.out")
        return p

    stdout = resolve(job.stdout)
    stderr = resolve(job.stderr)
    if stdout:
        env["LSB_OUTPUTFILE"] = stdout
    if stderr:
        env["LSB_ERRORFILE"] = stderr
    if stdout is None and stderr is not None:
        stdout = os.devnull
    overwrite = bool(data.get("out_overwrite")) if job.stdout else bool(data.get("err_overwrite"))
    with open(script_path, encoding="utf-8", errors="replace") as f:
        shebang = f.read(2) == "#!"
    argv = [script_path] if shebang else ["/bin/sh", script_path]
    return Launch(argv, env, cwd, stdout, stderr, open_mode="w" if overwrite else "a")

"""Fake srun: a job step inside an allocation (the tasks really run, on the simulated nodes), or, outside one,
an allocation of its own for that one step (as the real srun does), released when the step ends.

Every text is the real srun 22.05.8's (seen on the cjcluster test cluster, cited in tests/sim/test_slurm_srun.py).
The simulated cluster has no task/affinity plugin, like cjcluster (TaskPlugin=task/none): --cpu-bind is read,
said to be unsupported and exported to the tasks, and nothing is bound, exactly as there.
"""

from __future__ import annotations

import os

from clusterjob_sim.slurm.cmdline import NONE, OPT, REQ, OptionError, read_command_line

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

# srun 22.05 (src/common/slurm_opt.c, the options srun(1) names), in the manual's order.
SRUN: dict[str, tuple[str, int]] = {
    "accel-bind": ("", REQ), "account": ("A", REQ), "acctg-freq": ("", REQ), "bb": ("", REQ),
    "bbf": ("", REQ), "bcast": ("", OPT), "bcast-exclude": ("", REQ), "begin": ("b", REQ),
    "chdir": ("D", REQ), "cluster-constraint": ("", REQ), "clusters": ("M", REQ), "comment": ("", REQ),
    "compress": ("", OPT), "constraint": ("C", REQ), "container": ("", REQ), "contiguous": ("", NONE),
    "core-spec": ("S", REQ), "cores-per-socket": ("", REQ), "cpu-bind": ("", REQ),
    "cpu-freq": ("", REQ), "cpus-per-gpu": ("", REQ), "cpus-per-task": ("c", REQ),
    "deadline": ("", REQ), "delay-boot": ("", REQ), "dependency": ("d", REQ),
    "disable-status": ("X", NONE), "distribution": ("m", REQ), "epilog": ("", REQ),
    "error": ("e", REQ), "exact": ("", NONE), "exclude": ("x", REQ), "exclusive": ("", OPT),
    "export": ("", REQ), "extra-node-info": ("B", REQ), "gid": ("", REQ), "gpu-bind": ("", REQ),
    "gpu-freq": ("", REQ), "gpus": ("G", REQ), "gpus-per-node": ("", REQ),
    "gpus-per-socket": ("", REQ), "gpus-per-task": ("", REQ), "gres": ("", REQ),
    "gres-flags": ("", REQ), "help": ("h", NONE), "het-group": ("", REQ), "hint": ("", REQ),
    "hold": ("H", NONE), "immediate": ("I", OPT), "input": ("i", REQ), "job-name": ("J", REQ),
    "jobid": ("", REQ), "kill-on-bad-exit": ("K", OPT), "label": ("l", NONE), "licenses": ("L", REQ),
    "mail-type": ("", REQ), "mail-user": ("", REQ), "mcs-label": ("", REQ), "mem": ("", REQ),
    "mem-bind": ("", REQ), "mem-per-cpu": ("", REQ), "mem-per-gpu": ("", REQ), "mincpus": ("", REQ),
    "mpi": ("", REQ), "msg-timeout": ("", REQ), "multi-prog": ("", NONE), "network": ("", REQ),
    "nice": ("", OPT), "no-allocate": ("Z", NONE), "no-kill": ("k", OPT), "nodefile": ("F", REQ),
    "nodelist": ("w", REQ), "nodes": ("N", REQ), "ntasks": ("n", REQ), "ntasks-per-core": ("", REQ),
    "ntasks-per-gpu": ("", REQ), "ntasks-per-node": ("", REQ), "ntasks-per-socket": ("", REQ),
    "open-mode": ("", REQ), "output": ("o", REQ), "overcommit": ("O", NONE), "overlap": ("", NONE),
    "oversubscribe": ("s", NONE), "partition": ("p", REQ), "power": ("", REQ), "prefer": ("", REQ),
    "preserve-env": ("E", NONE), "priority": ("", REQ), "profile": ("", REQ), "prolog": ("", REQ),
    "propagate": ("", OPT), "pty": ("", NONE), "qos": ("q", REQ), "quiet": ("Q", NONE),
    "quit-on-interrupt": ("", NONE), "reboot": ("", NONE), "relative": ("r", REQ),
    "reservation": ("", REQ), "resv-ports": ("", OPT), "send-libs": ("", OPT), "signal": ("", REQ),
    "slurmd-debug": ("", REQ), "sockets-per-node": ("", REQ), "spread-job": ("", NONE),
    "switches": ("", REQ), "task-epilog": ("", REQ), "task-prolog": ("", REQ), "test-only": ("", NONE),
    "thread-spec": ("", REQ), "threads": ("T", REQ), "threads-per-core": ("", REQ), "time": ("t", REQ),
    "time-min": ("", REQ), "tmp": ("", REQ), "uid": ("", REQ), "unbuffered": ("u", NONE),
    "usage": ("", NONE), "use-min-nodes": ("", NONE), "verbose": ("v", NONE), "version": ("V", NONE),
    "wait": ("W", REQ), "wckey": ("", REQ), "x11": ("", OPT),
}  # fmt: skip
# -u/--unbuffered: the tasks write straight to srun's own stdout/stderr (or their files), unbuffered by srun
# either way. --mpi=none: no PMI, as the simulator never offers one (other --mpi values fail loudly).
# -K/--kill-on-bad-exit: a task that exits non-zero ends the step (the others get SIGTERM).
# --cpu-bind: see the module doc.
IMPLEMENTED = frozenset({
    "-c", "--cpus-per-task", "--cpu-bind", "-D", "--chdir", "-e", "--error", "--export", "-h", "--help",
    "-J", "--job-name", "--jobid", "-K", "--kill-on-bad-exit", "-l", "--label", "--mpi", "-N", "--nodes", "-n",
    "--ntasks", "--ntasks-per-node", "-o", "--output", "-p", "--partition", "-t", "--time", "-u",
    "--unbuffered", "--usage", "-V", "--version", "-w", "--nodelist",
})  # fmt: skip
REFUSED: dict[str, str] = {}
USAGE = (
    "Usage: srun [-N nnodes] [-n ntasks] [-i in] [-o out] [-e err]\n"
    "            [-c ncpus] [-r n] [-p partition] [--hold] [-t minutes]\n"
    "            [-D path] [--immediate[=secs]] [--overcommit] [--no-kill]\n"
    "            [--oversubscribe] [--label] [--unbuffered] [-m dist] [-J jobname]\n"
    "            [--jobid=id] [--verbose] [--slurmd_debug=#] [--mpi=type]\n"
    "            [--core=type] [-T threads] [-W sec] [--gid=group]\n"
    "            [--licenses=names] [--clusters=cluster_names]\n"
    "            [--contiguous] [--mincpus=n] [--mem=MB] [--tmp=MB] [-C list]\n"
    "            [--mem-per-cpu=MB] [--epilog=program] [--prolog=program]\n"
    "            [--export[=names]] [--cpu-bind=...] [--mem-bind=...]\n"
    "            [-w hosts...] [-x hosts...] executable [args...]\n"
)
# The input environment variables srun reads (srun(1) INPUT ENVIRONMENT VARIABLES) that a job's own
# environment sets, as the options they stand for; the command line wins.
ENV_OPTIONS = (
    ("SLURM_NTASKS", "ntasks"), ("SLURM_NPROCS", "ntasks"), ("SLURM_NTASKS_PER_NODE", "ntasks-per-node"),
    ("SRUN_CPUS_PER_TASK", "cpus-per-task"), ("SLURM_CPU_BIND", "cpu-bind"), ("SLURM_EXPORT_ENV", "export"),
    ("SLURM_KILL_BAD_EXIT", "kill-on-bad-exit"), ("SLURM_MPI_TYPE", "mpi"),
    ("SLURM_STDOUTMODE", "output"), ("SLURM_STDERRMODE", "error"), ("SLURM_REMOTE_CWD", "chdir"),
    ("SLURM_LABELIO", "label"),
)  # fmt: skip
ENV_NODES = ("SLURM_NNODES", "SLURM_JOB_NUM_NODES")  # the allocation's node count (same as -N)
CPU_BIND_TYPES = ("none", "no", "rank", "map_cpu", "mask_cpu", "rank_ldom", "map_ldom", "mask_ldom",
                  "sockets", "cores", "threads", "ldoms")  # fmt: skip
NO_BINDING = "srun: cluster configuration lacks support for cpu binding\n"
WILDCARDS = "AaJjNnstux"


def main(ctx: Context) -> int:
    """srun [OPTIONS] executable [args...]"""
    try:
        return _srun(ctx)
    except OptionError as e:
        ctx.err.write(e.text if e.text.strip() else "")
        return e.exit_code


def _fail(message: str, code: int = 1) -> OptionError:
    return OptionError(f"srun: error: {message}", code)


def _srun(ctx: Context) -> int:
    read = read_command_line(ctx, "srun", SRUN, IMPLEMENTED, USAGE)
    if isinstance(read, int):
        return read
    found, operands = read
    opts = _read(ctx, found)
    if not operands:
        raise OptionError("srun: fatal: No command given to execute.", 1)
    job_text = opts.get("jobid") or ctx.environ.get("SLURM_JOB_ID")
    # -t/-p shape a new allocation; a step's own time limit (and a partition inside an allocation) is not
    # simulated. -w picks the nodes of a step; for a new allocation the simulator places jobs itself.
    unused = ("time", "partition") if job_text else ("nodelist",)
    for name in unused:
        if name in opts:
            from clusterjob_sim.engine.refusal import not_implemented_text

            where = "inside an allocation" if job_text else "outside an allocation"
            ctx.err.write(not_implemented_text("srun", f"--{name} ({where})"))
            return 1
    if not job_text:
        return _allocate_and_run(ctx, opts, operands)
    return _step(ctx, opts, operands, job_text)


def _positive(name: str, value: str) -> int:
    from clusterjob_sim.slurm.options import strtol

    number, rest = strtol(value)
    if rest or number is None or number <= 0:
        raise _fail(f'Invalid numeric value "{value}" for --{name}.')
    return number


def _read(ctx: Context, found: list[tuple[str, str | None]]) -> dict[str, Any]:
    """The options srun acts on: its input environment variables, then the command line."""
    opts: dict[str, Any] = {}
    given = {name for name, _ in found}
    env_found = [(name, ctx.environ[var]) for var, name in ENV_OPTIONS if var in ctx.environ]
    for name, value in [*env_found, *found]:
        if name in ("ntasks", "ntasks-per-node", "cpus-per-task"):
            opts[name] = _positive(name, value or "")
        elif name == "nodes":
            opts[name] = _node_count(value or "")
        elif name == "kill-on-bad-exit":
            opts[name] = value is None or value != "0"
        elif name == "mpi":
            if value != "none":
                from clusterjob_sim.engine.refusal import not_implemented_text

                raise OptionError(not_implemented_text("srun", f"--mpi={value}"), 1)
            opts[name] = value
        elif name == "cpu-bind":
            if "help" in (value or "").split(
                ","
            ):  # seen: on stdout, rc 1, on a cluster without binding
                ctx.out.write("CPU bind options not supported with current configuration\n")
                raise OptionError("", 1)
            opts[name] = _cpu_bind(value or "")
        elif name == "time":
            from clusterjob_sim.slurm.options import parse_time

            try:
                opts[name] = parse_time(value or "")
            except ValueError:
                raise _fail("Invalid --time specification") from None
        elif name in ("output", "error") and (value or "").isdigit():
            from clusterjob_sim.engine.refusal import not_implemented_text

            raise OptionError(not_implemented_text("srun", f"--{name}=<taskid>"), 1)
        else:
            opts[name] = True if value is None else value
    if "nodes" not in given:
        for var in ENV_NODES:
            if var in ctx.environ:
                opts["env_nodes"] = _node_count(ctx.environ[var])
                break
    return opts


def _node_count(value: str) -> int:
    from clusterjob_sim.slurm.options import strtol

    lo, _, hi = value.partition("-")
    number, rest = strtol(lo)
    if rest or number is None or number <= 0 or (hi and not hi.isdigit()):
        raise _fail(f'"{value}" is not a valid node count', 1)
    return number


def _cpu_bind(value: str) -> dict[str, str]:
    """--cpu-bind as srun reads it (slurm_verify_cpu_bind: a ',' not followed by a digit separates words, so
    map/mask lists stay whole) and the variables it exports to the tasks (env.c setup_env); {} for quiet."""
    words = "".join(
        ";" if ch == "," and not value[i + 1 : i + 2].isdigit() else ch
        for i, ch in enumerate(value)
    ).split(";")
    verbose, kind1, kind2 = "quiet", "", ""
    bind_list: str | None = value
    for word in words:
        key, colon, rest = word.partition(":")
        if word in ("q", "quiet"):
            verbose = "quiet"
        elif word in ("v", "verbose"):
            verbose = "verbose"
        elif word in ("no", "none"):
            kind2, bind_list = "none", None
        elif word in ("rank", "rank_ldom"):
            kind2, bind_list = word, None
        elif key in ("map_cpu", "mask_cpu", "map_ldom", "mask_ldom") and colon and rest:
            items = rest.split(",")
            try:
                if key.startswith("mask"):
                    items = [format(int(i, 16), "x") for i in items]
                elif not all(i.isdigit() for i in items):
                    raise ValueError(rest)
            except ValueError:
                break
            kind2, bind_list = key + ":", ",".join(items)
        elif word in ("sockets", "cores", "threads", "ldoms"):
            kind1 = word
        else:
            break
    else:
        if verbose == "quiet" and not kind1 and not kind2:
            return {}  # seen: --cpu-bind=quiet exports nothing
        bind_type = ",".join(k for k in (kind1, kind2) if k)
        text = verbose + ("," + bind_type + (bind_list or "") if bind_type else "")
        return {
            "SLURM_CPU_BIND": text,
            "SLURM_CPU_BIND_LIST": bind_list or "",
            "SLURM_CPU_BIND_TYPE": bind_type,
            "SLURM_CPU_BIND_VERBOSE": verbose,
        }
    raise OptionError(
        f'srun: error: unrecognized --cpu-bind argument "{word}"\n'
        "srun: fatal: Failed to parse --cpu-bind= values.",
        1,
    )


def _find_job(engine: Engine, job_text: str) -> Job | None:
    from clusterjob_sim.engine.refusal import is_digits

    if not is_digits(job_text):
        return None
    jobs = [j for j in engine.jobs([int(job_text)]) if j.job_id == int(job_text)]
    return jobs[0] if jobs and jobs[0].state == "RUNNING" else None


def layout(
    nodes: list[str], cpus: list[int], opts: dict[str, Any], job_id: int
) -> tuple[list[str], list[int]]:
    """The step's nodes and tasks per node (block distribution), or Slurm's refusal."""
    cpt = int(opts.get("cpus-per-task", 1))
    if "nodelist" in opts:
        from clusterjob_sim.engine.hostlist import expand

        wanted = expand(str(opts["nodelist"]))
        if any(n not in nodes for n in wanted):
            raise _fail(
                f"Unable to create step for job {job_id}: Requested node configuration is not available"
            )
        pairs = [(n, c) for n, c in zip(nodes, cpus, strict=True) if n in wanted]
        nodes, cpus = [p[0] for p in pairs], [p[1] for p in pairs]
        count = len(nodes)
    elif "nodes" in opts:
        count = int(opts["nodes"])
        if count > len(nodes):
            raise _fail(f"Only allocated {len(nodes)} nodes asked for {count}")
    else:
        count = len(nodes)
    tpn = opts.get("ntasks-per-node")
    if "ntasks" in opts:
        ntasks = int(opts["ntasks"])
        if "nodes" not in opts and "nodelist" not in opts:
            count = min(count, ntasks)  # an allocation's node count bends to fewer tasks
    elif tpn:
        ntasks = count * int(tpn)
    else:
        ntasks = count
    step_nodes, step_cpus = nodes[:count], cpus[:count]
    per = [0] * count
    placed = 0
    capacity = [c // cpt for c in step_cpus]
    limit = [min(c, int(tpn)) if tpn else c for c in capacity]
    while placed < ntasks:
        moved = False
        for i in range(count):
            if placed < ntasks and per[i] < limit[i]:
                per[i] += 1
                placed += 1
                moved = True
        if not moved:
            raise _fail(
                f"Unable to create step for job {job_id}: More processors requested than permitted"
            )
    return step_nodes, per


def _step(ctx: Context, opts: dict[str, Any], command: list[str], job_text: str) -> int:
    """Run one step of a running job; srun's exit code."""
    engine = ctx.engine
    job = _find_job(engine, job_text)
    if job is None:
        raise OptionError(
            f"srun: error: Unable to confirm allocation for job {job_text}: Invalid job id specified\n"
            f"srun: Check SLURM_JOB_ID environment variable. Expired or invalid job {job_text}",
            1,
        )
    return run_step(ctx, engine, job, opts, command, ctx.environ)


def run_step(
    ctx: Context,
    engine: Engine,
    job: Job,
    opts: dict[str, Any],
    command: list[str],
    environ: dict[str, str],
) -> int:
    """Lay out, record, run and report one step of `job` (running); srun's exit code."""
    from clusterjob_sim.slurm.output import cpus_of

    if "env_nodes" in opts and "nodes" not in opts and "nodelist" not in opts:
        opts = {**opts, "nodes": min(int(opts["env_nodes"]), len(job.node_names))}
        if "ntasks" in opts and opts["ntasks"] < opts["nodes"]:
            opts["nodes"] = opts["ntasks"]
    nodes, per = layout(job.node_names, cpus_of(job, engine), opts, job.job_id)
    if opts.get("cpu-bind") is not None:
        ctx.err.write(NO_BINDING)
    name = str(opts.get("job-name") or os.path.basename(command[0]))
    cwd = os.path.join(ctx.cwd, str(opts["chdir"])) if "chdir" in opts else ctx.cwd
    ntasks = sum(per)
    step = engine.start_step(job, name, ntasks, nodes, data={"command": command}, pid=os.getpid())
    tasks = _tasks(ctx, engine, job, step.step_id, opts, command, environ, nodes, per, cwd)
    if tasks is None:
        engine.end_step(step, 1, 0)
        return 1
    ctx_flush(ctx)
    results = _run(tasks, opts, job, step.step_id, nodes, per)
    return _report(ctx, engine, job, step, results, nodes, per)


def ctx_flush(ctx: Context) -> None:
    """Write what srun said so far before the tasks write theirs (srun prints as it goes)."""
    import sys

    sys.stderr.write(ctx.err.getvalue())
    sys.stderr.flush()
    sys.stdout.write(ctx.out.getvalue())
    sys.stdout.flush()
    ctx.err.seek(0)
    ctx.err.truncate()
    ctx.out.seek(0)
    ctx.out.truncate()


def expand(pattern: str, job: Job, step_id: int, node: str, node_index: int, task: int) -> str:
    """srun's IO filename pattern (srun(1) IO Redirection): %% %A %a %J %j %N %n %s %t %u %x, zero-padding."""
    from clusterjob_sim.slurm.jobenv import NO_VAL, expand_fields

    if "\\" in pattern:
        return pattern.replace("\\", "")
    numbers = {
        "j": job.job_id,
        "A": job.job_id,
        "s": step_id,
        "n": node_index,
        "t": task,
        "a": NO_VAL,
    }

    def field(key: str, pad: int) -> str:
        if key in numbers:
            return f"{numbers[key]:0{pad}d}"
        if key == "J":
            return f"{job.job_id:0{pad}d}.{step_id}"
        return {"N": node, "u": job.user, "x": job.name}[key]

    return expand_fields(pattern, WILDCARDS, field, lambda digits: "%" + digits)


def _tasks(
    ctx: Context,
    engine: Engine,
    job: Job,
    step_id: int,
    opts: dict[str, Any],
    command: list[str],
    environ: dict[str, str],
    nodes: list[str],
    per: list[int],
    cwd: str,
) -> list[Any] | None:
    """The Task of every rank, with its environment and files; None after printing an error."""
    from clusterjob_sim.engine.hostlist import compress
    from clusterjob_sim.engine.nodes import node_env
    from clusterjob_sim.engine.tasks import Task
    from clusterjob_sim.slurm.output import cpus_of, repeat_counts
    from clusterjob_sim.slurm.sbatch import _export

    base = _export(opts.get("export"), environ) if "export" in opts else dict(environ)
    had_path = "PATH" in base
    cpus = dict(zip(job.node_names, cpus_of(job, engine), strict=False))
    nodelist = compress(nodes)
    ntasks = sum(per)
    umask = os.umask(0)
    os.umask(umask)
    step_env = {
        "SLURM_STEP_ID": str(step_id),
        "SLURM_STEPID": str(step_id),
        "SLURM_STEP_NODELIST": nodelist,
        "SLURM_STEP_NUM_NODES": str(len(nodes)),
        "SLURM_STEP_NUM_TASKS": str(ntasks),
        "SLURM_STEP_TASKS_PER_NODE": repeat_counts(per),
        "SLURM_NTASKS": str(ntasks),
        "SLURM_NPROCS": str(ntasks),
        "SLURM_NNODES": str(len(nodes)),
        "SLURM_NODELIST": nodelist,
        "SLURM_TASKS_PER_NODE": repeat_counts(per),
        "SLURM_DISTRIBUTION": "block",
        "SLURM_JOB_CPUS_PER_NODE_PACK_GROUP_0": environ.get("SLURM_JOB_CPUS_PER_NODE", ""),
        "SLURM_LAUNCH_NODE_IPADDR": "127.0.0.1",
        "SLURM_SRUN_COMM_HOST": "127.0.0.1",
        "SLURM_UMASK": f"{umask:04o}",
    }
    for key in ("SLURM_JOB_ID", "SLURM_JOBID", "SLURM_JOB_NAME", "SLURM_JOB_NODELIST",
                "SLURM_JOB_NUM_NODES", "SLURM_JOB_CPUS_PER_NODE", "SLURM_JOB_PARTITION",
                "SLURM_JOB_USER", "SLURM_JOB_UID", "SLURM_SUBMIT_DIR", "SLURM_SUBMIT_HOST",
                "SLURM_CLUSTER_NAME"):  # fmt: skip
        if key in environ:
            step_env[key] = environ[key]
    if "cpus-per-task" in opts:
        step_env["SLURM_CPUS_PER_TASK"] = str(opts["cpus-per-task"])
    for key in (
        "SLURM_CPU_BIND",
        "SLURM_CPU_BIND_LIST",
        "SLURM_CPU_BIND_TYPE",
        "SLURM_CPU_BIND_VERBOSE",
    ):
        base.pop(key, None)
    step_env.update(opts.get("cpu-bind") or {})
    out_pattern, err_pattern = opts.get("output"), opts.get("error")
    # --label: "%*d: " before each line, as wide as the highest task id (seen on 22.05.8: " 0: " of 11 tasks,
    # in -o files too)
    width = len(str(ntasks - 1))
    tasks = []
    rank = 0
    for index, (node, count) in enumerate(zip(nodes, per, strict=True)):
        gtids = ",".join(str(r) for r in range(rank, rank + count))
        for local in range(count):
            env = dict(base)
            env.update(step_env)
            env.update(
                SLURM_PROCID=str(rank),
                SLURM_LOCALID=str(local),
                SLURM_NODEID=str(index),
                SLURM_GTIDS=gtids,
                SLURM_CPUS_ON_NODE=str(cpus.get(node, 1)),
                SLURMD_NODENAME=node,
                SLURM_TOPOLOGY_ADDR=node,
            )
            env = node_env(engine.spool_dir, node, env)
            if not had_path:  # --export without PATH: the task finds programs in no folder (seen)
                env["PATH"] = env["PATH"].split(os.pathsep)[0]
            out = err = None
            if out_pattern and out_pattern not in ("all",):
                out = _io_path(out_pattern, job, step_id, node, index, rank, cwd)
            if err_pattern and err_pattern not in ("all",):
                err = _io_path(err_pattern, job, step_id, node, index, rank, cwd)
            elif out is not None:
                err = out
            for path, which in ((out, "stdout"), (err, "stderr")):
                if (
                    path is not None
                    and path != os.devnull
                    and not os.path.isdir(os.path.dirname(path))
                ):
                    ctx.err.write(
                        f"srun: error: Could not open {which} file: No such file or directory\n"
                    )
                    return None
            label = f"{rank:>{width}}: " if opts.get("label") else None
            tasks.append(Task(list(command), env, cwd, node, out, err, label=label))
            rank += 1
    return tasks


def _io_path(
    pattern: str, job: Job, step_id: int, node: str, index: int, rank: int, cwd: str
) -> str:
    if pattern == "none":
        return os.devnull
    return os.path.join(cwd, expand(pattern, job, step_id, node, index, rank))


def _resolves(program: str, env: dict[str, str], cwd: str) -> bool:
    """Whether execvp would find `program` with this environment's PATH."""
    if "/" in program:
        path = program if os.path.isabs(program) else os.path.join(cwd, program)
        return os.access(path, os.X_OK) and not os.path.isdir(path)
    for folder in env.get("PATH", "").split(os.pathsep):
        path = os.path.join(folder or cwd, program)
        if os.access(path, os.X_OK) and not os.path.isdir(path):
            return True
    return False


def _run(
    tasks: list[Any], opts: dict[str, Any], job: Job, step_id: int, nodes: list[str], per: list[int]
) -> list[tuple[int, int]]:
    """Start the tasks that slurmstepd could exec (the others end with exit code 2, as execve failures do)."""
    import sys

    from clusterjob_sim.engine.tasks import run_tasks

    runnable = []
    results: list[tuple[int, int] | None] = []
    for task in tasks:
        if _resolves(task.argv[0], task.env, task.cwd):
            runnable.append(task)
            results.append(None)
        else:
            sys.stderr.write(
                f"slurmstepd-{task.node}: error: execve(): {task.argv[0]}: No such file or directory\n"
            )
            results.append((2, 0))
    sys.stderr.flush()
    killer = _KillOnBadExit(job, step_id) if opts.get("kill-on-bad-exit") and runnable else None
    try:
        ran = (
            run_tasks(runnable, "a" if opts.get("open-mode") == "append" else "w")
            if runnable
            else []
        )
    finally:
        if killer is not None:
            killer.close()
    it = iter(ran)
    out = [r if r is not None else next(it) for r in results]
    if (
        killer is not None and killer.fired
    ):  # the tasks -K ended: negative signal, left out of the report
        out = [(c, -s) for c, s in out]
    return out


class _KillOnBadExit:
    """-K: when a task exits non-zero, SIGTERM the step's other tasks (srun's _step_signal), once."""

    def __init__(self, job: Job, step_id: int) -> None:
        import signal

        self.job, self.step_id = job, step_id
        self.fired = False
        self.previous = signal.signal(signal.SIGCHLD, self._on_child)

    def _on_child(self, signum: int, frame: object) -> None:
        import sys

        if self.fired:
            return
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if info is None or info.si_code != os.CLD_EXITED or info.si_status == 0:
            return
        self.fired = True
        from datetime import datetime

        when = datetime.now().strftime("%Y-%m-%dT%H:%M:%S")
        sys.stderr.write(
            f"srun: launch/slurm: _step_signal: Terminating StepId={self.job.job_id}.{self.step_id}\n"
            f"slurmstepd-{self.job.node_names[0]}: error: *** STEP {self.job.job_id}.{self.step_id} "
            f"ON {self.job.node_names[0]} CANCELLED AT {when} ***\n"
        )
        sys.stderr.flush()
        import signal

        for pid in _children():
            if pid != info.si_pid:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def close(self) -> None:
        import signal

        signal.signal(signal.SIGCHLD, self.previous)


def _children() -> list[int]:
    """This process's child processes (Linux /proc)."""
    pids: list[int] = []
    base = f"/proc/{os.getpid()}/task"
    try:
        for tid in os.listdir(base):
            with open(os.path.join(base, tid, "children"), encoding="ascii") as f:
                pids.extend(int(p) for p in f.read().split())
    except OSError:
        pass
    return pids


def _ranges(ranks: list[int]) -> str:
    """0-1,3: the task ranks of one srun message."""
    parts = []
    i = 0
    while i < len(ranks):
        j = i
        while j + 1 < len(ranks) and ranks[j + 1] == ranks[j] + 1:
            j += 1
        parts.append(str(ranks[i]) if i == j else f"{ranks[i]}-{ranks[j]}")
        i = j + 1
    return ",".join(parts)


def _report(
    ctx: Context,
    engine: Engine,
    job: Job,
    step: Any,
    results: list[tuple[int, int]],
    nodes: list[str],
    per: list[int],
) -> int:
    """srun's messages for tasks that failed, the step's end record, and srun's exit code."""
    import signal as _signal

    lines: list[str] = []
    rank = 0
    for node, count in zip(nodes, per, strict=True):
        groups: dict[tuple[int, int], list[int]] = {}
        for r in range(rank, rank + count):
            code, sig = results[r]
            if sig < 0:  # killed by -K: srun reports only the task that exited badly
                continue
            if code or sig:
                groups.setdefault((code, sig), []).append(r)
        for (code, sig), ranks in sorted(groups.items(), key=lambda kv: kv[1][0]):
            word = "task" if len(ranks) == 1 else "tasks"
            what = (
                f"Exited with exit code {code}"
                if not sig
                else _signal.strsignal(sig) or f"Signal {sig}"
            )
            lines.append(f"srun: error: {node}: {word} {_ranges(ranks)}: {what}\n")
        rank += count
    signalled = [s for _, s in results if s > 0]
    if signalled:
        lines.append(f"srun: Force Terminated StepId={job.job_id}.{step.step_id}\n")
    ctx.err.write("".join(lines))
    rc = max([c for c, s in results if s <= 0] + [128 + s for _, s in results if s > 0], default=0)
    exit_code = max((c for c, s in results if s == 0), default=0)
    if signalled:
        engine.end_step(step, 0, signalled[0], state="CANCELLED")
    elif any(s < 0 for _, s in results):
        engine.end_step(step, exit_code, 0, state="CANCELLED")
    else:
        engine.end_step(step, exit_code, 0)
    return rc


def _allocate_and_run(ctx: Context, opts: dict[str, Any], command: list[str]) -> int:
    """Outside an allocation srun first allocates (a job of its own), then runs the step in it."""
    from clusterjob_sim.slurm.salloc import allocation

    name = str(opts.get("job-name") or os.path.basename(command[0]))
    with allocation(ctx, opts, name, "srun") as (job, env, result):
        result["code"] = run_step(ctx, ctx.engine, job, opts, command, env)
        return result["code"]

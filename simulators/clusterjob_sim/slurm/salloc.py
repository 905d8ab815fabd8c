"""Fake salloc: a new allocation (a job of the simulated cluster holding its nodes), a command run here with
the allocation's SLURM_* environment, then the allocation released. srun outside an allocation uses the same.

Texts seen from the real salloc 22.05.8 (cjcluster), cited in tests/sim/test_slurm_salloc_sbcast.py.
"""

from __future__ import annotations

import contextlib
import os

from clusterjob_sim.slurm.cmdline import NONE, OPT, REQ, OptionError, read_command_line

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job

# salloc 22.05 (src/common/slurm_opt.c, the options salloc(1) names), in the manual's order.
SALLOC: dict[str, tuple[str, int]] = {
    "account": ("A", REQ), "acctg-freq": ("", REQ), "bb": ("", REQ), "bbf": ("", REQ),
    "begin": ("b", REQ), "bell": ("", NONE), "chdir": ("D", REQ), "cluster-constraint": ("", REQ),
    "clusters": ("M", REQ), "comment": ("", REQ), "constraint": ("C", REQ), "container": ("", REQ),
    "contiguous": ("", NONE), "core-spec": ("S", REQ), "cores-per-socket": ("", REQ),
    "cpu-freq": ("", REQ), "cpus-per-gpu": ("", REQ), "cpus-per-task": ("c", REQ),
    "deadline": ("", REQ), "delay-boot": ("", REQ), "dependency": ("d", REQ),
    "distribution": ("m", REQ), "exclude": ("x", REQ), "exclusive": ("", OPT),
    "extra-node-info": ("B", REQ), "get-user-env": ("", OPT), "gid": ("", REQ), "gpu-bind": ("", REQ),
    "gpu-freq": ("", REQ), "gpus": ("G", REQ), "gpus-per-node": ("", REQ),
    "gpus-per-socket": ("", REQ), "gpus-per-task": ("", REQ), "gres": ("", REQ),
    "gres-flags": ("", REQ), "help": ("h", NONE), "hint": ("", REQ), "hold": ("H", NONE),
    "immediate": ("I", OPT), "job-name": ("J", REQ), "kill-command": ("K", OPT),
    "licenses": ("L", REQ), "mail-type": ("", REQ), "mail-user": ("", REQ), "mcs-label": ("", REQ),
    "mem": ("", REQ), "mem-bind": ("", REQ), "mem-per-cpu": ("", REQ), "mem-per-gpu": ("", REQ),
    "mincpus": ("", REQ), "network": ("", REQ), "nice": ("", OPT), "no-bell": ("", NONE),
    "no-kill": ("k", OPT), "no-shell": ("", NONE), "nodefile": ("F", REQ), "nodelist": ("w", REQ),
    "nodes": ("N", REQ), "ntasks": ("n", REQ), "ntasks-per-core": ("", REQ),
    "ntasks-per-gpu": ("", REQ), "ntasks-per-node": ("", REQ), "ntasks-per-socket": ("", REQ),
    "overcommit": ("O", NONE), "oversubscribe": ("s", NONE), "partition": ("p", REQ),
    "power": ("", REQ), "prefer": ("", REQ), "priority": ("", REQ), "profile": ("", REQ),
    "qos": ("q", REQ), "quiet": ("Q", NONE), "reboot": ("", NONE), "reservation": ("", REQ),
    "signal": ("", REQ), "sockets-per-node": ("", REQ), "spread-job": ("", NONE),
    "switches": ("", REQ), "thread-spec": ("", REQ), "threads-per-core": ("", REQ), "time": ("t", REQ),
    "time-min": ("", REQ), "tmp": ("", REQ), "uid": ("", REQ), "usage": ("", NONE),
    "use-min-nodes": ("", NONE), "verbose": ("v", NONE), "version": ("V", NONE),
    "wait-all-nodes": ("", REQ), "wckey": ("", REQ), "x11": ("", OPT),
}  # fmt: skip
IMPLEMENTED = frozenset({
    "-c", "--cpus-per-task", "-h", "--help", "-J", "--job-name", "-N", "--nodes", "-n", "--ntasks",
    "--ntasks-per-node", "-p", "--partition", "-t", "--time", "--usage", "-V", "--version",
})  # fmt: skip
REFUSED: dict[str, str] = {}
USAGE = (
    "Usage: salloc [-N numnodes|[min nodes]-[max nodes]] [-n num-processors]\n"
    "              [[-c cpus-per-node] [-r n] [-p partition] [--hold] [-t minutes]\n"
    "              [--immediate[=secs]] [--no-kill] [--overcommit] [-D path]\n"
    "              [--oversubscribe] [-J jobname]\n"
    "              [--verbose] [--gid=group] [--uid=user] [--licenses=names]\n"
    "              [--clusters=cluster_names]\n"
    "              [--contiguous] [--mincpus=n] [--mem=MB] [--tmp=MB] [-C list]\n"
    "              [--account=name] [--dependency=type:jobid[+time]] [--comment=name]\n"
    "              [--mail-type=type] [--mail-user=user] [--nice[=value]]\n"
    "              [--bell] [--no-bell] [--kill-command[=signal]] [--spread-job]\n"
    "              [--nodefile=file] [--nodelist=hosts] [--exclude=hosts]\n"
    "              [--network=type] [--mem-per-cpu=MB] [--qos=qos]\n"
    "              [--mem-bind=...] [--reservation=name] [--mcs-label=mcs]\n"
    "              [--time-min=minutes] [--gres=list] [--gres-flags=opts]\n"
    "              [--cpu-freq=min[-max[:gov]]] [--power=flags] [--profile=...]\n"
    "              [--switches=max-switches[@max-time-to-wait]]\n"
    "              [--core-spec=cores] [--thread-spec=threads] [--reboot]\n"
    "              [--bb=burst_buffer_spec] [--bbf=burst_buffer_file]\n"
    "              [--delay-boot=mins] [--use-min-nodes]\n"
    "              [--cpus-per-gpu=n] [--gpus=n] [--gpu-bind=...] [--gpu-freq=...]\n"
    "              [--gpus-per-node=n] [--gpus-per-socket=n] [--gpus-per-task=n]\n"
    "              [--mem-per-gpu=MB] [--tres-per-task=list]\n"
    "              [command [args...]]\n"
)
# The variables salloc gives its command (seen: no SLURM_PROCID, SLURMD_NODENAME or ENVIRONMENT).
COMMAND_ENV = ("SLURM_CLUSTER_NAME", "SLURM_JOBID", "SLURM_JOB_ACCOUNT", "SLURM_JOB_CPUS_PER_NODE",
               "SLURM_JOB_ID", "SLURM_JOB_NAME", "SLURM_JOB_NODELIST", "SLURM_JOB_NUM_NODES",
               "SLURM_JOB_PARTITION", "SLURM_JOB_QOS", "SLURM_NNODES", "SLURM_NODELIST", "SLURM_NPROCS",
               "SLURM_NTASKS", "SLURM_NTASKS_PER_NODE", "SLURM_CPUS_PER_TASK", "SLURM_SUBMIT_DIR",
               "SLURM_SUBMIT_HOST", "SLURM_TASKS_PER_NODE")  # fmt: skip
RELEASE_SCRIPT = """#!/bin/sh
# The allocation of {prog} (pid {pid}): held until it writes its exit code to the release file.
while [ ! -s '{release}' ]; do sleep 0.1; done
exit "$(cat '{release}')"
"""


def main(ctx: Context) -> int:
    """salloc [OPTIONS] [command [args...]]"""
    try:
        return _salloc(ctx)
    except OptionError as e:
        ctx.err.write(e.text)
        return e.exit_code


def _salloc(ctx: Context) -> int:
    import subprocess

    read = read_command_line(ctx, "salloc", SALLOC, IMPLEMENTED, USAGE)
    if isinstance(read, int):
        return read
    found, operands = read
    opts = read_allocation_options(found)
    if not operands:  # salloc without a command runs the user's shell (SallocDefaultCommand unset)
        from clusterjob_sim.engine.refusal import not_implemented_text

        ctx.err.write(not_implemented_text("salloc", "(no command: an interactive shell)"))
        return 1
    with allocation(ctx, opts, str(opts.get("job-name") or "interactive"), "salloc") as (
        job,
        env,
        result,
    ):
        from clusterjob_sim.slurm.srun import _resolves

        if not _resolves(operands[0], env, ctx.cwd):
            ctx.err.write(f'salloc: error: _fork_command: Unable to find command "{operands[0]}"\n')
            return 1  # seen: the allocation is relinquished, salloc exits 1
        from clusterjob_sim.slurm.srun import ctx_flush

        ctx_flush(ctx)
        rc = _wait(subprocess.Popen(operands, env=env, cwd=ctx.cwd), ctx, job)
        result["code"] = rc
        return rc


def _wait(proc: Any, ctx: Context, job: Job) -> int:
    """Wait for salloc's command; if the allocation ends under it (scancel, time limit), end the command."""
    import signal
    import subprocess

    revoked = False
    while True:
        try:
            code = proc.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            pass
        if revoked:
            continue
        current = ctx.engine.get(job.rid)
        ctx.engine.tick()
        if current is not None and current.state != "RUNNING":
            revoked = True
            import sys

            sys.stderr.write(f"salloc: Job allocation {job.job_id} has been revoked.\n")
            sys.stderr.flush()
            proc.send_signal(signal.SIGHUP)
    return 128 - code if code < 0 else code


def read_allocation_options(found: list[tuple[str, str | None]]) -> dict[str, Any]:
    """What salloc (or srun outside an allocation) asks of the new allocation."""
    from clusterjob_sim.slurm.options import parse_time, strtol

    opts: dict[str, Any] = {}
    for name, value in found:
        v = value or ""
        if name in ("ntasks", "ntasks-per-node", "cpus-per-task", "nodes"):
            number, rest = strtol(v.partition("-")[0] if name == "nodes" else v)
            if rest or number is None or number <= 0:
                if name == "nodes":
                    raise OptionError(f'salloc: error: "{v}" is not a valid node count', 1)
                raise OptionError(f'salloc: error: Invalid numeric value "{v}" for --{name}.', 1)
            opts[name] = number
        elif name == "time":
            try:
                opts[name] = parse_time(v)
            except ValueError:
                raise OptionError("salloc: error: Invalid --time specification", 1) from None
        else:
            opts[name] = True if value is None else value
    return opts


@contextlib.contextmanager
def allocation(
    ctx: Context, opts: dict[str, Any], name: str, prog: str
) -> Iterator[tuple[Job, dict[str, str], dict[str, int]]]:
    """Allocate (a job of the simulated cluster that holds its nodes until released), yield (job, the
    environment a command gets in it, a dict whose "code" the caller sets), then release the allocation: the
    job ends with that exit code, as the real salloc's and srun's allocations do."""
    import sys
    import time

    from clusterjob_sim.slurm.jobenv import job_environment
    from clusterjob_sim.slurm.options import shape

    cfg = ctx.config
    queues: dict[str, Any] = cfg.get("queues", {})
    partition = opts.get("partition") or cfg.get("default_queue", "")
    if partition not in queues:
        raise OptionError(
            f"{prog}: error: invalid partition specified: {partition}\n"
            f"{prog}: error: Job submit/allocate failed: Invalid partition name specified",
            1,
        )
    queue = queues[partition] or {}
    s = shape(opts)
    from clusterjob_sim.engine.spool import normalize_nodes

    nodes = [
        n for n in normalize_nodes(cfg) if not queue.get("nodes") or n["name"] in queue["nodes"]
    ]
    cores = s["tasks_per_node"] * s["cpus_per_task"]
    if s["nodes"] > len(nodes) or cores > max((n["cores"] for n in nodes), default=0):
        raise OptionError(
            f"{prog}: error: Job submit/allocate failed: Requested node configuration is not available",
            1,
        )
    walltime = (
        opts["time"] if "time" in opts else (queue.get("default_time_s") or queue.get("max_time_s"))
    )
    release = os.path.join(ctx.spool, "scripts", f"release-{os.getpid()}-{time.time_ns()}")
    os.makedirs(os.path.dirname(release), exist_ok=True)
    spec = {
        "name": name,
        "queue": partition,
        "nodes": s["nodes"],
        "cores_per_node": cores,
        "walltime_s": walltime,
        "workdir": ctx.cwd,
        "submit_dir": ctx.cwd,
        "stdout": os.devnull,
        "script": RELEASE_SCRIPT.format(prog=prog, pid=os.getpid(), release=release),
    }
    data = {
        "tasks_per_node": s["tasks_per_node"],
        "cpus_per_task": s["cpus_per_task"],
        "ntasks": opts.get("ntasks"),
        "ntasks_per_node": opts.get("ntasks-per-node"),
        "cpus_per_task_set": "cpus-per-task" in opts,
        "cluster": cfg.get("cluster_name", "cluster"),
        "interactive": prog,  # no batch step: the allocation of salloc or srun
        "command": prog,
    }
    job = ctx.submit(spec, env=dict(ctx.environ), data=data)[0]
    engine = ctx.engine
    pending_said = False
    code = 1
    try:
        while True:
            engine.tick()
            current = engine.get(job.rid)
            if current is None or current.finished:
                raise OptionError(
                    f"{prog}: error: Job submit/allocate failed: Job/step already completing or completed",
                    1,
                )
            if current.state == "RUNNING":
                job = current
                break
            if not pending_said and prog == "salloc":
                sys.stderr.write(
                    f"salloc: Pending job allocation {job.job_id}\n"
                    f"salloc: job {job.job_id} queued and waiting for resources\n"
                )
                sys.stderr.flush()
                pending_said = True
            time.sleep(0.1)
        if prog == "salloc":
            if pending_said:
                ctx.err.write(f"salloc: job {job.job_id} has been allocated resources\n")
            ctx.err.write(f"salloc: Granted job allocation {job.job_id}\n")
        env = dict(ctx.environ)
        full = job_environment(job, engine)
        if prog == "salloc":
            env.update({k: v for k, v in full.items() if k in COMMAND_ENV})
        else:
            env.update(full)
            env.pop("ENVIRONMENT", None)
        result = {"code": 0}
        yield job, env, result
        code = result["code"]
    finally:
        with open(release, "w", encoding="ascii") as f:
            f.write(f"{code % 256}\n")
        if job.state != "RUNNING":  # never granted: withdraw the request
            engine.cancel([job])
        elif prog == "salloc":
            ctx.err.write(f"salloc: Relinquishing job allocation {job.job_id}\n")

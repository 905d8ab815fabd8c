"""Fake sbatch: parse, check against the simulated cluster with Slurm's messages, record, answer."""

from __future__ import annotations

import os

from clusterjob_sim.slurm.cmdline import read_command_line
from clusterjob_sim.slurm.options import (
    ALIASES,
    LONG,
    MAX_ARRAY_SIZE,
    OptionError,
    check_script,
    parse_options,
    shape,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context

# The manual's options this fake acts on as sbatch does (stored and shown by squeue/scontrol/sacct, or used
# for placement, files and environment); every other option of sbatch(1) fails loudly (options.refusal).
# --wckey: recorded (sacct's WCKey); the simulated cluster tracks no WCKeys (TrackWCKey=No, as cjcluster, where
# `sbatch --wckey=submitit` is accepted, shown by sacct and used for nothing else).
# --ignore-pbs: the fake never reads #PBS/#BSUB lines, which is what the option asks for.
# --ntasks-per-socket N: a cap on tasks per socket cannot bind when a node runs at most N tasks (whatever its
# sockets), so the fake accepts it then, and refuses it (not implemented) when it could bind.
IMPLEMENTED = frozenset({
    "-A", "--account", "-a", "--array", "-D", "--chdir", "-M", "--clusters", "--comment", "-c",
    "--cpus-per-task", "-e", "--error", "--exclusive", "--export", "-h", "--help", "-H", "--hold",
    "--ignore-pbs", "-J", "--job-name", "--mem", "--mem-per-cpu", "--no-requeue", "-N", "--nodes", "-n",
    "--ntasks", "--ntasks-per-node", "--ntasks-per-socket", "--open-mode", "-o", "--output",
    "--parsable", "-p", "--partition", "-q", "--qos", "-Q", "--quiet", "--signal", "-t", "--time",
    "--usage", "-V", "--wckey",
    "--version", "--wrap",
})  # fmt: skip
REFUSED: dict[str, str] = {}
FAILED = "sbatch: error: Batch job submission failed: "
USAGE = (
    "Usage: sbatch [-N nnodes] [-n ntasks]\n"
    "              [-c ncpus] [-r n] [-p partition] [--hold] [--parsable] [-t minutes]\n"
    "              [-D path] [--no-kill] [--overcommit]\n"
    "              [--input file] [--output file] [--error file]\n"
    "              [--time-min=minutes] [--licenses=names] [--clusters=cluster_names]\n"
    "              [--chdir=directory] [--oversubscribe] [-m dist] [-J jobname]\n"
    "              [--mem=MB] [--mem-per-cpu=MB] [--array=index_values] [--wrap=command]\n"
    "              [--export[=names]] [--exclusive] executable [args...]\n"
)
WRAP = "#!/bin/sh\n# This script was created by sbatch --wrap.\n\n{}\n"


def main(ctx: Context) -> int:
    """sbatch [OPTIONS] [SCRIPT [ARGS...]] (script from stdin when none is named)."""
    try:
        return _sbatch(ctx)
    except OptionError as e:
        ctx.err.write(e.text)
        return e.exit_code


def _sbatch(ctx: Context) -> int:
    # a refused option fails before the script is read
    read = read_command_line(
        ctx, "sbatch", LONG, IMPLEMENTED, USAGE, aliases=ALIASES, exit_code=255
    )
    if isinstance(read, int):
        return read
    found, operands = read
    wrap = next((v for n, v in reversed(found) if n == "wrap"), None)
    if wrap is not None:
        script, script_name, args, command = WRAP.format(wrap), "wrap", operands, "(null)"
        file = "wrap"
    elif operands:
        path = os.path.join(ctx.cwd, operands[0])
        try:
            with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
                script = f.read()
        except OSError:
            raise OptionError(f"sbatch: error: Unable to open file {operands[0]}", 1) from None
        script_name, args, command = os.path.basename(path), operands[1:], os.path.abspath(path)
        file = script_name
    else:
        script, script_name, args, command = ctx.stdin.read(), "sbatch", [], "(null)"
        file = "stdin"
    check_script(script)
    warnings: list[str] = []
    opts, _ = parse_options(script, ctx.argv, file=file, warnings=warnings, implemented=IMPLEMENTED)
    ctx.err.write("".join(warnings))  # printed while the options are read, before any refusal
    cluster = _cluster(ctx, opts)
    spec, data = _spec(ctx, opts, script, script_name, args, command)
    tasks = data.pop("tasks", None)
    env = _export(opts.get("export"), ctx.environ)
    jobs = ctx.submit(spec, env=env, data=data, tasks=tasks, ids_per_task="at_start")
    job_id = jobs[0].array_id if jobs[0].array_id is not None else jobs[0].job_id
    if "quiet" in opts:  # sbatch.c prints the job id only when not quiet
        return 0
    if "parsable" in opts:
        ctx.out.write(f"{job_id};{cluster}\n" if cluster else f"{job_id}\n")
    else:  # sbatch.c: " on cluster NAME" when -M chose the cluster
        ctx.out.write(
            f"Submitted batch job {job_id}" + (f" on cluster {cluster}\n" if cluster else "\n")
        )
    return 0


def _record_refused(
    ctx: Context, partition: str, name: str, nodes: int, cores: int, mem: int | None
) -> None:
    """The job record a refused submission leaves: its id used up, FAILED with exit code 1 at once
    (seen: squeue -t all shows it FAILED (BadConstraints), sacct FAILED 1:0)."""
    now = ctx.engine.now()
    ctx.engine.insert_many(
        [
            {
                "name": name,
                "queue": partition,
                "nodes": nodes,
                "cores_per_node": cores,
                "mem_mb_per_node": mem,
                "workdir": ctx.cwd,
                "submit_dir": ctx.cwd,
                "state": "FAILED",
                "submit_time": now,
                "start_time": now,
                "end_time": now,
                "exit_code": 1,
                "signal": 0,
                "data": '{"end_reason": "BadConstraints"}',
            }
        ]
    )


def _cluster(ctx: Context, opts: dict[str, Any]) -> str | None:
    """The cluster of -M/--clusters (None when not given); names the database does not know are
    reported, and refused when no known one is left (seen)."""
    if "clusters" not in opts:
        return None
    known = str(ctx.config.get("cluster_name", "cluster"))
    names = [n for n in str(opts["clusters"]).split(",") if n]
    for name in names:
        if name != known:
            ctx.err.write(f"sbatch: error: No cluster '{name}' known by database.\n")
    if known not in names:
        raise OptionError(
            f"sbatch: error: '{opts['clusters']}' can't be reached now, or it is an invalid entry "
            "for --cluster.  Use 'sacctmgr list clusters' to see available clusters.",
            1,
        )
    return known


def _spec(
    ctx: Context, opts: dict[str, Any], script: str, script_name: str, args: list[str], command: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The engine record of a submission, after Slurm's checks against the configured cluster."""
    cfg = ctx.config
    queues: dict[str, Any] = cfg.get("queues", {})
    partition = opts.get("partition") or cfg.get("default_queue", "")
    if partition not in queues:
        raise OptionError(
            f"sbatch: error: invalid partition specified: {partition}\n"
            f"{FAILED}Invalid partition name specified",
            1,
        )
    queue = queues[partition] or {}
    enforce = str(cfg.get("enforce_part_limits", "NO")).upper() in ("ALL", "ANY", "YES")
    hold_reason = None
    if opts.get("time_set") and opts.get("time") is not None:
        minutes = -(-int(opts["time"]) // 60)
        if queue.get("max_time_s") is not None and minutes * 60 > queue["max_time_s"]:
            if enforce:
                raise OptionError(
                    f"{FAILED}Requested time limit is invalid (missing or exceeds some limit)", 1
                )
            hold_reason = "PartitionTimeLimit"  # accepted, pending forever (EnforcePartLimits=NO)
        walltime = opts["time"]
    elif opts.get("time_set"):
        walltime = None
    else:
        walltime = queue.get("default_time_s") or queue.get("max_time_s")
    s = shape(opts)
    if opts.get("ntasks-per-socket", s["tasks_per_node"]) < s["tasks_per_node"]:
        from clusterjob_sim.engine.refusal import not_implemented_text

        raise OptionError(not_implemented_text("sbatch", "--ntasks-per-socket"), 255)
    cores = s["tasks_per_node"] * s["cpus_per_task"]
    from clusterjob_sim.engine.spool import normalize_nodes

    all_nodes = normalize_nodes(cfg)
    names = queue.get("nodes")
    nodes = [n for n in all_nodes if not names or n["name"] in names]
    # Seen on real Slurm 22.05.8 (EnforcePartLimits=NO, docs/recorded/slurm-22.05.8-impossible-requests.txt):
    # more CPUs than the whole partition has -> accepted, pending (PartitionConfig), checked before the node
    # count (PartitionNodeLimit, in output.reason_text). A job within those totals that no single node can
    # hold (cores or memory per node) is refused at once: _pick_best_nodes finds it never runnable
    # (ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE), _set_err_msg's reason comes first, and the refused job
    # keeps its id as FAILED (BadConstraints, exit 1). A held job is not tested at submission.
    held = "hold" in opts
    if not enforce and hold_reason is None and s["nodes"] * cores > sum(n["cores"] for n in nodes):
        hold_reason = "PartitionConfig"
    why = ""
    if cores > max((n["cores"] for n in nodes), default=0):
        why = "sbatch: error: CPU count per node can not be satisfied\n"
    elif (s["mem_mb_per_node"] or 0) > max((n["mem_mb"] for n in nodes), default=0):
        why = "sbatch: error: Memory specification can not be satisfied\n"
    if enforce and (why or s["nodes"] > len(nodes)):
        raise OptionError(f"{why}{FAILED}Requested node configuration is not available", 1)
    if why and not held and hold_reason is None:
        _record_refused(ctx, partition, script_name, s["nodes"], cores, s["mem_mb_per_node"])
        raise OptionError(f"{why}{FAILED}Requested node configuration is not available", 1)
    data: dict[str, Any] = {
        "tasks_per_node": s["tasks_per_node"],
        "cpus_per_task": s["cpus_per_task"],
        "ntasks": opts.get("ntasks")
        or (s["nodes"] * s["tasks_per_node"] if "ntasks-per-node" in opts else None),
        "ntasks_per_node": opts.get("ntasks-per-node"),
        "cpus_per_task_set": "cpus-per-task" in opts,
        "mem": opts.get("mem"),
        "mem_per_cpu": opts.get("mem-per-cpu"),
        "account": opts.get("account"),
        "qos": opts.get("qos"),
        "export": opts.get("export"),
        "open_mode": opts.get("open-mode"),
        "args": args,
        "command": command,
        "cluster": cfg.get("cluster_name", "cluster"),
        "hold_reason": hold_reason,
        "user_hold": "hold" in opts,  # seen: a held job shows JobHeldUser, whatever else keeps it
    }
    if "comment" in opts:
        data["comment"] = opts["comment"]  # squeue %k
    if "wckey" in opts:
        data["wckey"] = opts["wckey"]
    if "signal" in opts:
        data["warn_signal"] = list(
            opts["signal"]
        )  # [signal, seconds before the time limit, batch only]
    if "no-requeue" in opts:
        data["requeue"] = 0  # scontrol show job: Requeue=0 (the fake never requeues a job anyway)
    spec: dict[str, Any] = {
        "name": opts.get("job-name") or script_name,
        "queue": partition,
        "nodes": s["nodes"],
        "cores_per_node": cores,
        "mem_mb_per_node": s["mem_mb_per_node"],
        "exclusive": _exclusive(opts.get("exclusive")),
        "walltime_s": walltime,
        "held": 1 if "hold" in opts or hold_reason else 0,
        "workdir": os.path.join(ctx.cwd, opts["chdir"]) if "chdir" in opts else ctx.cwd,
        "submit_dir": ctx.cwd,
        "stdout": opts.get("output"),
        "stderr": opts.get("error"),
        "script": script,
    }
    if "array" in opts:
        text, indices, limit = opts["array"]
        if not indices or indices[-1] >= MAX_ARRAY_SIZE:
            raise OptionError(f"{FAILED}Invalid job array specification", 1)
        spec["array_limit"] = limit
        spec["array_spec"] = text
        data["tasks"] = indices
    return spec, data


def _exclusive(value: str | bool | None) -> int:
    """1 when --exclusive asks for whole nodes (no value, or =exclusive); 0 when absent or =oversubscribe.
    =user and =mcs (nodes shared only with the same user / MCS label) are not implemented."""
    if value is None or value == "oversubscribe":
        return 0
    if value in ("user", "mcs"):
        from clusterjob_sim.engine.refusal import not_implemented_text

        raise OptionError(not_implemented_text("sbatch", f"--exclusive={value}"), 255)
    return 1


def _export(spec: str | None, environ: dict[str, str]) -> dict[str, str]:
    """The environment --export passes to the job (ALL by default; NONE keeps only SLURM_*)."""
    if spec is None:
        return dict(environ)
    items = spec.split(",")
    head = items[0].upper()
    if head == "ALL":
        env, items = dict(environ), items[1:]
    else:
        env = {k: v for k, v in environ.items() if k.startswith("SLURM_")}
        if head in ("NONE", "NIL"):
            items = items[1:]
    for item in items:
        key, eq, value = item.partition("=")
        if eq:
            env[key] = value
        elif key in environ:
            env[key] = environ[key]
    return env

"""The environment, working directory and output files of a SLURM batch job (what slurmstepd sets up)."""

from __future__ import annotations

import itertools
import os

from clusterjob_sim.engine.hostlist import compress
from clusterjob_sim.engine.jobs import Launch
from clusterjob_sim.slurm.output import cpus_of, repeat_counts

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

WILDCARDS = "AabJjNnstux"
NO_VAL = 4294967294  # what %a expands to outside arrays


def expand_pattern(pattern: str, job: Job, workdir: str, node: str) -> str:
    """Expand %j %A %a %x %u %N ... like Slurm's expand_stdio_fields; relative paths join workdir."""
    out = []
    if not pattern.startswith("/"):
        out.append(workdir if workdir.endswith("/") else workdir + "/")
    if "\\" in pattern:
        return "".join(out) + pattern.replace("\\", "")
    out.append(
        expand_fields(
            pattern,
            WILDCARDS,
            lambda key, pad: _wildcard(key, job, node, pad),
            lambda digits: digits[-1] if digits else "%",  # sbatch keeps the last digit (seen)
        )
    )
    return "".join(out)


def expand_fields(
    pattern: str,
    wildcards: str,
    field: Callable[[str, int], str],
    unknown: Callable[[str], str],
) -> str:
    """Slurm's %-field scan of a file name pattern: %% is %, %[digits]X is field(X, zero-padding up to
    10) for X in wildcards; anything else after % becomes unknown(digits)."""
    out = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        i += 1
        if ch != "%" or i >= n:
            out.append(ch)
            continue
        if pattern[i] == "%":
            out.append("%")
            i += 1
            continue
        start = i
        while i < n and "0" <= pattern[i] <= "9":
            i += 1
        digits = pattern[start:i]
        if i >= n or pattern[i] not in wildcards:
            out.append(unknown(digits))
            continue
        out.append(field(pattern[i], min(int(digits), 10) if digits else 0))
        i += 1
    return "".join(out)


def _wildcard(ch: str, job: Job, node: str, pad: int) -> str:
    if ch in "jJ":
        return f"{job.job_id:0{pad}d}"
    if ch == "A":
        return f"{job.array_id if job.array_id is not None else job.job_id:0{pad}d}"
    if ch in "ab":
        index = job.array_index if job.array_index is not None else NO_VAL
        return f"{index % 10 if ch == 'b' else index:0{pad}d}"
    if ch == "s":
        return "batch"
    if ch in "nt":
        return f"{0:0{pad}d}"
    return {"N": node, "u": job.user, "x": job.name}[ch]


def job_environment(job: Job, engine: Engine) -> dict[str, str]:
    """The SLURM_* variables of a running batch job."""
    data: dict[str, Any] = job.data
    nodes = job.node_names
    cpus = cpus_of(job, engine)
    nodelist = compress(nodes)
    env = {
        "SLURM_JOB_ID": str(job.job_id),
        "SLURM_JOBID": str(job.job_id),
        "SLURM_JOB_NAME": job.name,
        "SLURM_JOB_USER": job.user,
        "SLURM_JOB_UID": str(job.uid),
        "SLURM_SUBMIT_DIR": job.submit_dir,
        "SLURM_SUBMIT_HOST": job.submit_host,
        "SLURM_JOB_NODELIST": nodelist,
        "SLURM_NODELIST": nodelist,
        "SLURM_JOB_NUM_NODES": str(len(nodes)),
        "SLURM_NNODES": str(len(nodes)),
        "SLURM_JOB_PARTITION": job.queue,
        "SLURM_CPUS_ON_NODE": str(cpus[0]),
        "SLURM_JOB_CPUS_PER_NODE": repeat_counts(cpus),
        "SLURM_TASKS_PER_NODE": repeat_counts([int(data.get("tasks_per_node", 1))] * len(nodes)),
        "SLURM_CLUSTER_NAME": str(data.get("cluster") or engine.config.get("cluster_name", "")),
        "SLURMD_NODENAME": nodes[0] if nodes else "",
        "SLURM_TOPOLOGY_ADDR": nodes[0] if nodes else "",
        "SLURM_TOPOLOGY_ADDR_PATTERN": "node",
        "SLURM_PROCID": "0",
        "SLURM_LOCALID": "0",
        "SLURM_NODEID": "0",
        "SLURM_GTIDS": "0",
        "SLURM_PRIO_PROCESS": "0",
        "SLURM_JOB_QOS": str(data.get("qos") or "normal"),
        "ENVIRONMENT": "BATCH",
    }
    if data.get("account"):
        env["SLURM_JOB_ACCOUNT"] = str(data["account"])
    if data.get("ntasks"):
        env["SLURM_NTASKS"] = env["SLURM_NPROCS"] = str(data["ntasks"])
    if data.get("ntasks_per_node"):
        env["SLURM_NTASKS_PER_NODE"] = str(data["ntasks_per_node"])
    if data.get("cpus_per_task_set"):
        env["SLURM_CPUS_PER_TASK"] = str(data["cpus_per_task"])
    if data.get("mem"):
        env["SLURM_MEM_PER_NODE"] = str(data["mem"])
    if data.get("mem_per_cpu"):
        env["SLURM_MEM_PER_CPU"] = str(data["mem_per_cpu"])
    if data.get("export"):
        env["SLURM_EXPORT_ENV"] = str(data["export"])
    if job.array_id is not None:
        indices = sorted(
            t.array_index for t in engine.array_tasks(job) if t.array_index is not None
        )
        steps = {b - a for a, b in itertools.pairwise(indices)}
        env.update(
            SLURM_ARRAY_JOB_ID=str(job.array_id),
            SLURM_ARRAY_TASK_ID=str(job.array_index),
            SLURM_ARRAY_TASK_COUNT=str(len(indices)),
            SLURM_ARRAY_TASK_MIN=str(indices[0]),
            SLURM_ARRAY_TASK_MAX=str(indices[-1]),
            SLURM_ARRAY_TASK_STEP=str(steps.pop() if len(steps) == 1 else 1),
        )
    return env


def output_paths(job: Job) -> tuple[str, str | None]:
    """Expanded stdout and stderr paths (stderr None: same file as stdout)."""
    node = job.node_names[0] if job.node_names else ""
    default = "slurm-%A_%a.out" if job.array_id is not None else "slurm-%j.out"
    out = expand_pattern(job.stdout or default, job, job.workdir, node)
    err = expand_pattern(job.stderr, job, job.workdir, node) if job.stderr else None
    return out, (None if err == out else err)


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """Build the Launch of a SLURM batch job: script with its arguments, environment, files."""
    env = dict(job.env)
    env.update(job_environment(job, engine))
    env.setdefault("TMPDIR", "/tmp")
    out, err = output_paths(job)
    data = job.data
    mode = "a" if data.get("open_mode") == "append" else "w"
    argv = [script_path, *data.get("args", [])]
    cwd = job.workdir if os.path.isdir(job.workdir) else "/tmp"
    warn = data.get("warn_signal")
    warn_signal = (int(warn[0]), float(warn[1]), bool(warn[2])) if warn else None
    return Launch(
        argv, env, cwd, out, err, cwd_fallback="/tmp", open_mode=mode, warn_signal=warn_signal
    )

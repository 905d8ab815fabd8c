"""Fake IBM Spectrum LSF: bsub, bjobs, bkill, blaunch, bqueues, bhosts, lsid over the shared engine.

The hooks only, import-light. `parse_submission(script_text, argv)` answers like `bsub <argv> < script`
(options.py: what bsub reads); one module per command (bsub, bjobs, bkill, blaunch, bqueues, bhosts, lsid),
their texts in output.py, the job's start in jobenv.py (-M enforcement in memlimit.py), lsf.conf in site.py,
the real commands and options in manual.py. Hooks beyond the engine's: spool_files(spool, config) writes
<spool>/lsf/conf/lsf.conf, activate_env(spool, config) gives LSF_ENVDIR for a shell of the cluster.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from clusterjob_sim.engine.allocation import Allocation
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch
    from clusterjob_sim.lsf.options import LsfSite

NAME = "lsf"
COMMANDS = {
    "bsub": "clusterjob_sim.lsf.bsub:main",
    "bjobs": "clusterjob_sim.lsf.bjobs:main",
    "bkill": "clusterjob_sim.lsf.bkill:main",
    "blaunch": "clusterjob_sim.lsf.blaunch:main",
    "bqueues": "clusterjob_sim.lsf.bqueues:main",
    "bhosts": "clusterjob_sim.lsf.bhosts:main",
    "lsid": "clusterjob_sim.lsf.lsid:main",
}
SUBMIT_COMMANDS = ("bsub",)
DEFAULT_CONFIG: dict[str, Any] = {
    "cluster_name": "cluster1",
    "queues": {
        "normal": {"max_time_s": None, "default_time_s": None, "nodes": None, "priority": 30},
        "short": {"max_time_s": 3600, "default_time_s": None, "nodes": None, "priority": 35},
    },
    "default_queue": "normal",
    "keep_finished_s": 3600,  # CLEAN_PERIOD
    "first_job_id": 684219,  # a cluster in service; ids wrap after MAX_JOBID (default 999999)
    # lsf.conf settings, with LSF's own defaults (written to <spool>/lsf/conf/lsf.conf by spool_files):
    # LSF_UNIT_FOR_LIMITS not defined: -M in KB, rusage[mem] in MB ("MB", "GB"... as a site sets it)
    "unit_for_limits": None,
    "bsub_parse_script": "N",  # LSB_BSUB_PARSE_SCRIPT: Y makes `bsub FILE` read FILE's #BSUB lines
    "job_memlimit": "N",  # LSB_JOB_MEMLIMIT: Y kills a job whose processes' RSS sum exceeds -M
    "memlimit_enforce": "N",  # LSB_MEMLIMIT_ENFORCE: Y as well (LSF also sets the per-process rlimit)
    "csm": "N",  # Y: an LSF with IBM CSM (Summit-like): bsub -nnodes takes whole nodes (easy mode)
    "reserve_per_task": False,  # lsb.params RESOURCE_RESERVE_PER_TASK: rusage[mem] per slot, not per host
}
LSF_CONF_DIR = ("lsf", "conf")  # <spool>/lsf/conf/lsf.conf; LSF_ENVDIR names the folder
# lsb_init() failing while the LIM is down (lsb_perror / sub_perror + ". Job not submitted.") [source]
_LIM_DOWN = "Failed in an LSF library call: LIM is down; try later"
TRANSIENT_ERRORS = {
    "bsub": (f"lsb_init: {_LIM_DOWN}. Job not submitted.", 255),
    "*": (f"lsb_init: {_LIM_DOWN}", 255),
}
LOST_ANSWER = {
    "bsub": ("Failed in an LSF library call: Communication time out. Job not submitted.", 255)
}  # [unconfirmed]


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """How LSF's sbatchd starts a job: LSB_* environment, submit directory, -o/-e files."""
    from clusterjob_sim.lsf.jobenv import job_launch as launch

    return launch(job, engine, script_path)


def parse_submission(
    script_text: str,
    argv: Sequence[str] = (),
    *,
    site: LsfSite | None = None,
    config: Mapping[str, Any] | None = None,
) -> Allocation:
    """The Allocation LSF grants for `bsub <argv> < script`; DirectiveError with bsub's text if refused.

    nodes = ceil(n / ptile) with span[ptile], 1 with span[hosts=1] or no span; tasks_per_node = ptile (at
    most n) or n; cpus_per_task from affinity[core(N)]; mem_mb_per_node from rusage[mem] (per host),
    else -M; walltime from -W [HH:]MM. Without `site`/`config` any queue and slot count is accepted.
    """
    from clusterjob_sim.engine.allocation import Allocation, ArraySpec, DirectiveError
    from clusterjob_sim.lsf.options import LsfSite, Refused, parse_bsub

    if site is None and config is not None:
        site = LsfSite.from_config(config)
    try:
        req = parse_bsub(script_text, argv, site=site)
    except Refused as e:
        raise DirectiveError(e.message, e.exit_code, e.stdout) from None
    array = None
    if req.array is not None:
        indices, limit, text = req.array
        array = ArraySpec(indices=indices, max_concurrent=limit, text=text)
    return Allocation(
        nodes=req.nodes,
        tasks_per_node=req.tasks_per_node,
        cpus_per_task=req.cpus_per_task,
        mem_mb_per_node=req.mem_mb_per_node,
        walltime_s=req.walltime_s,
        queue=req.queue,
        name=req.name,
        stdout=req.stdout,
        stderr=req.stderr,
        workdir=req.workdir,
        array=array,
        extra=dict(req.extra),
    )


def conf_dir(spool: str) -> str:
    """The folder holding the spool's lsf.conf (what LSF_ENVDIR names)."""
    import os

    return os.path.join(spool, *LSF_CONF_DIR)


def spool_files(spool: str, config: Mapping[str, Any]) -> list[str]:
    """Write <spool>/lsf/conf/lsf.conf from the config, as clients read it (dask-jobqueue reads
    LSF_UNIT_FOR_LIMITS from $LSF_ENVDIR/lsf.conf); return the paths written."""
    from clusterjob_sim.lsf.site import write_lsf_conf

    return [write_lsf_conf(conf_dir(str(spool)), config)]


def activate_env(spool: str, config: Mapping[str, Any]) -> dict[str, str]:
    """The variables a shell of this cluster has besides PATH: LSF_ENVDIR, as profile.lsf sets it."""
    return {"LSF_ENVDIR": conf_dir(str(spool))}

"""Fake SLURM: sbatch, squeue, sacct, scancel, scontrol, sinfo, and srun, salloc, sbcast over the shared engine.

This package is the worked example of a scheduler module (see ../ENGINE_API.md); kept import-light.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.allocation import Allocation
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch

NAME = "slurm"
COMMANDS = {
    "sbatch": "clusterjob_sim.slurm.sbatch:main",
    "squeue": "clusterjob_sim.slurm.squeue:main",
    "sacct": "clusterjob_sim.slurm.sacct:main",
    "scancel": "clusterjob_sim.slurm.scancel:main",
    "scontrol": "clusterjob_sim.slurm.scontrol:main",
    "sinfo": "clusterjob_sim.slurm.sinfo:main",
    "srun": "clusterjob_sim.slurm.srun:main",
    "salloc": "clusterjob_sim.slurm.salloc:main",
    "sbcast": "clusterjob_sim.slurm.sbcast:main",
}
SUBMIT_COMMANDS = ("sbatch",)
DEFAULT_CONFIG: dict[str, Any] = {
    "cluster_name": "simcluster",
    "queues": {
        "debug": {"max_time_s": 3600, "default_time_s": None, "nodes": None},
        "batch": {"max_time_s": 7 * 86400, "default_time_s": None, "nodes": None},
    },
    "default_queue": "debug",
    "keep_finished_s": 300,  # MinJobAge
    "first_job_id": 4718093,  # FirstJobId; a cluster in service hands out 7-8 digit ids (MaxJobId 67043328)
    "enforce_part_limits": "NO",  # EnforcePartLimits: NO | ALL | ANY
    "extern_step": False,  # PrologFlags=Contain: sacct shows N.extern steps
}
_TIMEOUT = "Socket timed out on send/recv operation"
TRANSIENT_ERRORS = {
    "squeue": (f"slurm_load_jobs error: {_TIMEOUT}", 1),
    "sbatch": (f"sbatch: error: Batch job submission failed: {_TIMEOUT}", 1),
    "sacct": ("sacct: error: slurm_persist_conn_open_without_init: failed to open persistent "
              "connection to host:localhost:6819: Connection refused\n"
              "sacct: error: Sending PersistInit msg: Connection refused\n"
              "sacct: error: Problem talking to the database: Connection refused", 1),
    "scontrol": (f"slurm_load_jobs error: {_TIMEOUT}", 1),
    "*": (f"{{cmd}}: error: {_TIMEOUT}", 1),
}  # fmt: skip
LOST_ANSWER = {"sbatch": (f"sbatch: error: Batch job submission failed: {_TIMEOUT}", 1)}


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """How slurmstepd would start the batch script: environment, directory, output files."""
    from clusterjob_sim.slurm.jobenv import job_launch as launch

    return launch(job, engine, script_path)


def parse_submission(script_text: str, argv: tuple[str, ...] | list[str] = ()) -> Allocation:
    """What sbatch understands from a script's #SBATCH lines and its command line (DirectiveError if it
    would reject them)."""
    from clusterjob_sim.slurm.options import parse_submission as parse

    return parse(script_text, argv)

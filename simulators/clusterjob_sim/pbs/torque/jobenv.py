"""How the fake Torque's pbs_mom starts a job: Torque's ``PBS_*`` variables, the node file (one line per
core), the login shell (or ``-S``) and the output files (sub-jobs ``<name>.o<seq>-<index>``)."""

from __future__ import annotations

import os

from clusterjob_sim.pbs import jobenv as pj
from clusterjob_sim.pbs import output as po
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs.torque.output import job_name

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """How pbs_mom starts the script: login shell, Torque variables, node file, output files."""
    server = srv.server_name(engine.config)
    full_id = po.job_id_text(job, server)
    ppn = int(job.data.get("ppn") or job.cores_per_node or 1)
    hosts = job.node_names or ["localhost"]
    nodefile = pj.write_nodefile(engine.spool, full_id, [h for h in hosts for _ in range(ppn)])
    variables = {
        "PBS_ENVIRONMENT": "PBS_BATCH",
        "PBS_JOBID": full_id,
        "PBS_JOBNAME": job_name(job),
        "PBS_QUEUE": job.queue,
        "PBS_SERVER": server,
        "PBS_NODEFILE": nodefile,
        "PBS_NODENUM": "0",
        "PBS_TASKNUM": "1",
        "PBS_VNODENUM": "0",
        "PBS_MOMPORT": "15003",
        "PBS_JOBCOOKIE": f"{job.rid:032X}",
        "PBS_NUM_NODES": str(len(hosts)),
        "PBS_NUM_PPN": str(ppn),
        "PBS_NP": str(ppn * len(hosts)),
        "PBS_VERSION": f"TORQUE-{engine.config.get('torque_version', '6.1.3')}",
    }
    if job.walltime_s is not None:
        variables["PBS_WALLTIME"] = str(int(job.walltime_s))
    if job.array_index is not None:
        variables["PBS_ARRAYID"] = str(job.array_index)
    user = pj.user_info(job.uid, job.user)
    site_bin = os.path.join(engine.spool_dir, "bin")
    return pj.launch(job, script_path, user, variables, "-", cwd_fallback=None, site_bin=site_bin)

"""How the fake PBS Pro's pbs_mom starts a job: in $HOME, with PBS Pro's ``PBS_*`` variables, ``NCPUS``,
``OMP_NUM_THREADS``, ``TMPDIR``, a node file with one line per MPI rank of each chunk, and the output files
(sub-jobs ``<name>.o<seq>.<index>``)."""

from __future__ import annotations

import os

from clusterjob_sim.pbs import jobenv as pj
from clusterjob_sim.pbs import output as po
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs.pbspro.chunk import Chunk

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """How pbs_mom starts the script: login shell in $HOME, PBS variables, node file, output files."""
    server = srv.server_name(engine.config)
    full_id = po.job_id_text(job, server)
    user = pj.user_info(job.uid, job.user)
    chunks = [
        Chunk(int(c), tuple((str(k), str(v)) for k, v in r)) for c, r in job.data.get("chunks", [])
    ]
    chunks = chunks or [Chunk(1, ())]
    hosts = job.node_names or ["localhost"]
    lines: list[str] = []
    k = 0
    for chunk in chunks:
        for _ in range(chunk.count):
            lines += [hosts[min(k, len(hosts) - 1)]] * chunk.mpiprocs
            k += 1
    nodefile = pj.write_nodefile(engine.spool, full_id, lines)
    tmpdir = job_tmpdir(engine.spool_dir, full_id)
    os.makedirs(tmpdir, exist_ok=True)
    variables = {
        "PBS_ENVIRONMENT": "PBS_BATCH",
        "PBS_JOBID": full_id,
        "PBS_JOBNAME": job.name,
        "PBS_QUEUE": job.queue,
        "PBS_NODEFILE": nodefile,
        "PBS_NODENUM": "0",
        "PBS_TASKNUM": "1",
        "PBS_MOMPORT": "15003",
        "PBS_JOBCOOKIE": f"{job.rid:032X}",
        "PBS_JOBDIR": user[1],
        "NCPUS": str(chunks[0].ncpus),
        "OMP_NUM_THREADS": str(chunks[0].ompthreads),
        "TMPDIR": tmpdir,
    }
    if job.array_index is not None:
        variables["PBS_ARRAY_INDEX"] = str(job.array_index)
        variables["PBS_ARRAY_ID"] = f"{job.job_id}[].{server}"
    site_bin = os.path.join(engine.spool_dir, "bin")
    return pj.launch(
        job,
        script_path,
        user,
        variables,
        ".",
        cwd_fallback="/",
        site_bin=site_bin,
        # pbs_mom removes the job's TMPDIR as the job is purged (job_func.c job_purge -> rmtmpdir)
        scratch_dirs=(tmpdir,),
    )


def job_tmpdir(spool: str, full_id: str) -> str:
    """The job's TMPDIR: ``pbs.<id>`` under PBS_TMPDIR (default /var/tmp, as pbs_mom's), one folder per
    spool since simulated ids repeat across spools. Short, as the real one: a long TMPDIR breaks AF_UNIX
    socket paths (108 bytes) that Python's multiprocessing makes under it."""
    import zlib

    base = "/var/tmp" if os.access("/var/tmp", os.W_OK) else "/tmp"
    tag = f"{zlib.crc32(os.path.realpath(spool).encode()):08x}"
    return os.path.join(base, f"clusterjob-sim-{tag}", f"pbs.{full_id}")

"""How LSF's sbatchd starts a job: the LSB_* environment, the working directory and the -o/-e files.

`job_launch` is the package's hook (called in the detached job runner, never on a command's path).
"""

from __future__ import annotations

import os

from clusterjob_sim.lsf import memlimit
from clusterjob_sim.lsf.output import host_groups, slot_hosts

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch


def expand_pattern(text: str, job: Job) -> str:
    """-o/-e/-cwd patterns: %J the job id, %I the array index (0 outside arrays)."""
    return text.replace("%J", str(job.job_id)).replace("%I", str(job.array_index or 0))


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """Build the Launch of an LSF job: LSB_* variables, the submit (or -cwd) directory, -o/-e files."""
    from clusterjob_sim.engine.jobs import Launch

    data = job.data
    env = dict(job.env)
    hosts = slot_hosts(job)
    groups = host_groups(hosts)
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
    argv = memlimit.wrap(argv, job, engine)  # bsub -M, where the site enforces it
    return Launch(argv, env, cwd, stdout, stderr, open_mode="w" if overwrite else "a")

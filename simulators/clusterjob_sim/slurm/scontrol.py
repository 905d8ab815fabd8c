"""Fake scontrol: `show job [ID]`, `hold ID`, `release ID` (the parts batch clients use)."""

from __future__ import annotations

from clusterjob_sim.slurm import output as c
from clusterjob_sim.slurm.options import parse_job_ids, select

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job


def main(ctx: Context) -> int:
    """scontrol show job [ID] | hold ID | release ID."""
    args = [a for a in ctx.argv if not a.startswith("-")]
    if len(args) >= 2 and args[0] == "show" and args[1] in ("job", "jobs", "jobid"):
        return _show(ctx, args[2] if len(args) > 2 else None)
    if len(args) >= 2 and args[0] in ("hold", "release", "uhold"):
        wanted = parse_job_ids(args[1])
        if not wanted:
            ctx.err.write("Invalid job id specified\n")
            return 1
        jobs = select(ctx.engine.jobs(sorted({b for b, _ in wanted}), view="live"), wanted)
        pending = [j for j in jobs if j.state == "PENDING"]
        if not pending:
            ctx.err.write("Job has already finished\n" if jobs else "Invalid job id specified\n")
            return 1
        ctx.engine.set_held(pending, args[0] != "release")
        return 0
    if not args:
        ctx.err.write("scontrol: no command given\n")
        return 1
    ctx.err.write(f"invalid keyword: {args[0]}\n")
    return 1


def _show(ctx: Context, text: str | None) -> int:
    engine = ctx.engine
    if text is None:
        jobs = engine.jobs(view="live")
        if not jobs:
            ctx.out.write("No jobs in the system\n")
            return 0
    else:
        wanted = parse_job_ids(text)
        if wanted is None:
            ctx.err.write("Invalid job id specified\n")
            return 1
        jobs = select(engine.jobs(sorted({b for b, _ in wanted}), view="live"), wanted)
        if not jobs:
            ctx.err.write("slurm_load_jobs error: Invalid job id specified\n")
            return 1
    now = engine.now()
    ctx.out.write("".join(_record(j, engine, now) + "\n" for j in jobs))
    return 0


def _record(job: Job, engine: Engine, now: float) -> str:
    """One job as `scontrol show job` prints it."""
    from clusterjob_sim.slurm.jobenv import output_paths

    data: dict[str, Any] = job.data
    pending = job.state == "PENDING"
    head = f"JobId={job.job_id}"
    if job.array_id is not None:
        head += f" ArrayJobId={job.array_id} ArrayTaskId={job.array_index}"
    nodes = "(null)" if pending else c.compress_nodes(job)
    cpus = job.nodes * job.cores_per_node if pending else sum(c.cpus_of(job, engine))
    out, err = output_paths(job)
    state = job.state
    reason = c.reason_text(job, engine) if pending else "None"
    code = f"{job.exit_code or 0}:{job.signal or 0}" if job.finished else "0:0"
    lines = [
        f"{head} JobName={job.name}",
        f"UserId={job.user}({job.uid}) GroupId={job.user}({job.uid}) MCS_label=N/A",
        f"Priority=4294901759 Nice=0 Account={data.get('account') or job.user} "
        f"QOS={data.get('qos') or 'normal'}",
        f"JobState={state} Reason={reason} Dependency=(null)",
        f"Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode={code}",
        f"RunTime={c.hms(job.elapsed(now))} TimeLimit={c.sacct_limit(job)} TimeMin=N/A",
        f"SubmitTime={c.date(job.submit_time)} EligibleTime={c.date(job.submit_time)}",
        f"StartTime={c.date(job.start_time)} EndTime={c.date(job.end_time)} Deadline=N/A",
        f"Partition={job.queue} AllocNode:Sid={job.submit_host}:0",
        "ReqNodeList=(null) ExcNodeList=(null)",
        f"NodeList={nodes}",
        f"BatchHost={job.node_names[0] if job.node_names else '(null)'}",
        f"NumNodes={len(job.node_names) or job.nodes} NumCPUs={cpus} "
        f"NumTasks={data.get('ntasks') or job.nodes * int(data.get('tasks_per_node', 1))} "
        f"CPUs/Task={data.get('cpus_per_task', 1)} ReqB:S:C:T=0:0:*:*",
        f"MinCPUsNode={c.min_cpus(job)} MinMemoryNode={c.mem_text(job.mem_mb_per_node)} "
        "MinTmpDiskNode=0",
        f"Command={data.get('command', '(null)')}",
        f"WorkDir={job.workdir}",
        f"StdErr={err or out}",
        "StdIn=/dev/null",
        f"StdOut={out}",
    ]
    return "   ".join([lines[0] + "\n"] + [ln + "\n" for ln in lines[1:]])

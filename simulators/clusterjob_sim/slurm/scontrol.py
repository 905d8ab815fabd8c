"""Fake scontrol: `show job [ID]`, `hold`, `uhold`, `release` (the parts batch clients use), `version`."""

from __future__ import annotations

from clusterjob_sim.slurm import output as c
from clusterjob_sim.slurm.cmdline import (
    NONE,
    REQ,
    OptionError,
    getopt,
    parse_job_ids,
    refusal,
    select,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

# scontrol 22.05 (src/scontrol/scontrol.c, the options its manual names); --usage is -h
SCONTROL: dict[str, tuple[str, int]] = {
    "all": ("a", NONE), "cluster": ("M", REQ), "clusters": ("M", REQ), "details": ("d", NONE),
    "federation": ("", NONE), "future": ("F", NONE), "help": ("h", NONE), "hide": ("", NONE),
    "local": ("", NONE), "oneliner": ("o", NONE), "quiet": ("Q", NONE), "sibling": ("", NONE),
    "uid": ("u", REQ), "usage": ("h", NONE), "verbose": ("v", NONE), "version": ("V", NONE),
}  # fmt: skip
SCONTROL_ALIASES = {"cluster": "clusters", "usage": "help"}
# The manual's options and subcommands this fake acts on as scontrol does. -a/--all and --hide choose
# whether jobs of hidden partitions are shown and --local ignores the other clusters of a federation: the
# simulated cluster has neither.
IMPLEMENTED = frozenset({
    "-a", "--all", "--hide", "--local", "-o", "--oneliner", "-V", "--version",
    "show job", "show config", "show hostlist", "show hostlistsorted", "show hostnames", "show node",
    "show partition", "hold", "uhold", "release", "version",
})  # fmt: skip
REFUSED = {
    "!!": "repeats the last command of an interactive session; on the command line the real scontrol "
    "answers `invalid keyword: !!` too",
}
# show's entities and the subcommands of more than one word, as the manual names them
SHOW = ("aliases", "assoc_mgr", "bbstat", "burstbuffer", "config", "daemons", "dwstat", "federation",
        "frontend", "hostlist", "hostlistsorted", "hostnames", "licenses", "node", "partition",
        "reservation", "slurmd", "step", "topology")  # fmt: skip
SUBCOMMANDS = ("abort", "cancel_reboot", "cluster", "create", "completing", "delete", "errnumstr",
               "fsdampeningfactor", "help", "notify", "pidinfo", "listpids", "ping", "reboot",
               "reconfigure", "requeue", "requeuehold", "resume", "schedloglevel", "setdebug",
               "setdebugflags", "shutdown", "suspend", "takeover", "top", "token", "update", "wait_job",
               "all", "details", "exit", "hide", "oneliner", "quiet", "quit", "verbose")  # fmt: skip


def main(ctx: Context) -> int:
    """scontrol [-o] show job [ID] | hold|uhold|release JOB_LIST... | version."""
    spelled: list[str] = []
    try:
        found, args = getopt(
            ctx.argv, "scontrol", SCONTROL, permute=True, exit_code=1, aliases=SCONTROL_ALIASES,
            spelled=spelled,
        )  # fmt: skip
    except OptionError as e:
        ctx.err.write(e.text)
        return e.exit_code
    names = {name for name, _ in found}
    if "version" in names:  # scontrol.c prints the version at once
        ctx.out.write(c.VERSION)
        return 0
    refused = refusal("scontrol", found, spelled, IMPLEMENTED, SCONTROL, SCONTROL_ALIASES)
    if refused:
        ctx.err.write(refused)
        return 1
    if not args:
        ctx.err.write("scontrol: no command given\n")
        return 1
    word = args[0].lower()
    if word == "show" and len(args) < 2:
        ctx.err.write(f"too few arguments for keyword:{args[0]}\n")  # scontrol.c _show_it
        return 1
    if word == "show":
        return _show_it(ctx, args, "oneliner" in names)
    if word == "write" and len(args) >= 2 and args[1] in ("batch_script", "config"):
        return _not_implemented(ctx, f"write {args[1]}")
    if word in SUBCOMMANDS:
        return _not_implemented(ctx, word)
    if word in ("hold", "release", "uhold"):
        if len(args) < 2:
            ctx.err.write(f"too few arguments for keyword:{args[0]}\n")  # scontrol.c
            return 1
        rc = 0
        for text in args[1:]:  # scontrol.c holds/releases each job list in turn
            rc = max(rc, _hold(ctx, word, text))
        return rc
    if word == "version":
        if len(args) > 1:
            ctx.err.write(f"too many arguments for {args[0]} keyword\n")  # scontrol.c
        ctx.out.write(c.VERSION)
        return 1 if len(args) > 1 else 0
    ctx.err.write(f"invalid keyword: {args[0]}\n")
    return 1


# the entities of `show` the fake answers, with the shortest abbreviation real scontrol takes (seen: `show c`,
# `show n`, `show j`, `show hostn`, `show hostl`, `show pa` work, `show p` and `show host` do not)
ENTITIES = (("config", 1), ("hostlistsorted", 9), ("hostlist", 5), ("hostnames", 5), ("jobs", 1),
            ("nodes", 1), ("partitions", 2))  # fmt: skip


def _entity(tag: str) -> str | None:
    """The entity a `show` tag names (abbreviations as real scontrol takes them), None if none of ours."""
    low = tag.lower()
    if low == "jobid":
        return "jobs"
    return next((e for e, least in ENTITIES if len(low) >= least and e.startswith(low)), None)


def _show_it(ctx: Context, args: list[str], one_liner: bool) -> int:
    """`show ENTITY [ARG]` as scontrol.c _show_it answers it."""
    if len(args) < 2:
        ctx.err.write(f"too few arguments for keyword:{args[0]}\n")  # scontrol.c _show_it
        return 1
    entity = _entity(args[1])
    if entity is None:
        name = args[1].partition("=")[0].lower()
        if name in SHOW:
            return _not_implemented(ctx, f"show {name}")
        ctx.err.write(f"invalid entity:{args[1]} for keyword:show \n")  # seen (the blank too)
        return 1
    if len(args) > 3:
        ctx.err.write("too many arguments for keyword:show\n")  # scontrol.c _show_it
        return 1
    arg = args[2] if len(args) > 2 else None
    if entity == "jobs":
        return _show(ctx, arg, one_liner)
    # not needed by `show job`, the common case
    from clusterjob_sim.slurm import cluster_view as view

    if entity == "config":  # an argument is read by nothing (seen: `show config x` shows it all)
        return view.show_config(ctx)
    if entity == "partitions":
        return view.show_partitions(ctx, arg, one_liner)
    if entity == "nodes":
        return view.show_nodes(ctx, arg, one_liner)
    return view.show_hosts(ctx, entity, arg)


def _not_implemented(ctx: Context, subcommand: str) -> int:
    from clusterjob_sim.engine.refusal import not_implemented_text

    ctx.err.write(not_implemented_text("scontrol", subcommand))
    return 1


def _hold(ctx: Context, word: str, text: str) -> int:
    """Hold (hold, uhold) or release the pending jobs of one job list."""
    wanted = parse_job_ids(text)
    if not wanted:
        ctx.err.write("Invalid job id specified\n")
        return 1
    jobs = select(ctx.engine.jobs(sorted({b for b, _ in wanted}), view="live"), wanted)
    pending = [j for j in jobs if j.state == "PENDING"]
    if not pending:
        ctx.err.write("Job has already finished\n" if jobs else "Invalid job id specified\n")
        return 1
    ctx.engine.set_held(pending, word != "release")
    return 0


def _show(ctx: Context, text: str | None, one_liner: bool = False) -> int:
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
    if one_liner:  # -o: a record's lines joined by single blanks, one line per job
        ctx.out.write("".join(" ".join(_lines(j, engine, now)) + "\n" for j in jobs))
    else:
        ctx.out.write("".join(_record(j, engine, now) + "\n" for j in jobs))
    return 0


def _record(job: Job, engine: Engine, now: float) -> str:
    """One job as `scontrol show job` prints it."""
    lines = _lines(job, engine, now)
    return "   ".join([lines[0] + "\n"] + [ln + "\n" for ln in lines[1:]])


def _lines(job: Job, engine: Engine, now: float) -> list[str]:
    """The lines of one job's record (without their indent)."""
    from clusterjob_sim.slurm.jobenv import output_paths

    data: dict[str, Any] = job.data
    pending = job.state == "PENDING"
    head = f"JobId={job.job_id}"
    if job.array_id is not None:
        head += f" ArrayJobId={job.array_id} ArrayTaskId={job.array_index}"
    nodes = c.compress_nodes(job)  # seen: a pending job shows `NodeList=` and no BatchHost line
    cpus = job.nodes * job.cores_per_node if pending else sum(c.cpus_of(job, engine))
    out, err = output_paths(job)
    state = job.state
    reason = c.reason_text(job, engine) if pending else "None"
    code = f"{job.exit_code or 0}:{job.signal or 0}" if job.finished else "0:0"
    # seen on real 22.05.8: a held job is not eligible (Unknown); a running job ends at start + limit; the
    # TRES of a pending job counts its nodes' memory, a running one's only memory it asked for
    eligible = "Unknown" if job.held else c.date(job.submit_time)
    end = c.date(job.end_time)
    if job.end_time is None and job.start_time is not None and c.limit_minutes(job) is not None:
        end = c.date(job.start_time + (c.limit_minutes(job) or 0) * 60)
    node_mem = max((n["mem_mb"] for n in engine.nodes), default=0)
    mem_mb = (job.mem_mb_per_node or (node_mem if pending else 0)) * job.nodes
    mem = f"mem={c.mem_text(mem_mb)}," if mem_mb else ""
    lines = [
        f"{head} JobName={job.name}",
        f"UserId={job.user}({job.uid}) GroupId={job.user}({job.uid}) MCS_label=N/A",
        f"Priority=4294901759 Nice=0 Account={data.get('account') or job.user} "
        f"QOS={data.get('qos') or 'normal'}",
        f"JobState={state} Reason={reason} Dependency=(null)",
        f"Requeue={data.get('requeue', 1)} Restarts=0 BatchFlag=1 Reboot=0 ExitCode={code}",
        f"RunTime={c.hms(job.elapsed(now))} TimeLimit={c.sacct_limit(job)} TimeMin=N/A",
        f"SubmitTime={c.date(job.submit_time)} EligibleTime={eligible}",
        f"AccrueTime={eligible}",
        f"StartTime={c.date(job.start_time)} EndTime={end} Deadline=N/A",
        f"SuspendTime=None SecsPreSuspend=0 LastSchedEval={c.date(job.submit_time)} Scheduler=Main",
        f"Partition={job.queue} AllocNode:Sid={job.submit_host}:0",
        "ReqNodeList=(null) ExcNodeList=(null)",
        f"NodeList={nodes}",
        *([f"BatchHost={job.node_names[0]}"] if job.node_names else []),
        f"NumNodes={len(job.node_names) or job.nodes} NumCPUs={cpus} "
        f"NumTasks={data.get('ntasks') or job.nodes * int(data.get('tasks_per_node', 1))} "
        f"CPUs/Task={data.get('cpus_per_task', 1)} ReqB:S:C:T=0:0:*:*",
        f"TRES=cpu={cpus},{mem}node={len(job.node_names) or job.nodes},billing={cpus}",
        f"Socks/Node=* NtasksPerN:B:S:C={data.get('ntasks_per_node') or 0}:0:*:* CoreSpec=*",
        f"MinCPUsNode={c.min_cpus(job)} MinMemoryNode={c.mem_text(job.mem_mb_per_node)} "
        "MinTmpDiskNode=0",
        "Features=(null) DelayBoot=00:00:00",
        "OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null)",
        f"Command={data.get('command', '(null)')}",
        f"WorkDir={job.workdir}",
        f"StdErr={err or out}",
        "StdIn=/dev/null",
        f"StdOut={out}",
        "Power=",
        "",  # seen: the record ends with an empty indented line
    ]
    return lines

"""``pbsdsh`` in both flavours: spawn a program on the job's virtual nodes (the lines of $PBS_NODEFILE, as
tm_nodeinfo lists them), each task with the node's environment, PBS_TASKNUM, PBS_NODENUM and PBS_VNODENUM.

Torque 6.1.3 (src/cmds/pbsdsh.c) and OpenPBS 23.06.06 (src/cmds/pbsdsh.c) share the walk (-c copies on the
first nodes, -n one node, -s one task after another, -v verbose) and differ in their words: Torque's id is
``pbsdsh()`` and it writes to stderr, OpenPBS's id is argv[0] and it writes to stdout. Tasks spawned through
the task manager write to the job's output files, as pbs_mom's tasks do; Torque's -o sends them to pbsdsh's
own streams. The tasks start from the job's batch environment (what pbs_mom gives a task), not pbsdsh's.
"""

from __future__ import annotations

import os

from clusterjob_sim.pbs import common as pc

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Sequence

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job

TORQUE_USAGE = (
    "Usage: pbsdsh [-c copies][-e name[=[value]][,...]][-E][-o][-s][-u][-v] program [args]...]\n"
    "       pbsdsh [-n nodenumber][-e name[=[value]][,...]][-E][-o][-s][-u][-v] program [args]...\n"
    "       pbsdsh [-h hostname][-e name[=[value]][,...]][-E][-o][-v] program [args]...\n"
    'Where -c copies =  run  copy of "args" on the first "copies" nodes,\n'
    "      -e list = comma separated list of variables to pass to spawned task(s),\n"
    "                if variable given without value, value will be read from\n"
    "                environment if it exists otherwise it will be empty,\n"
    "      -E = pass all environment variables to spawned task(s),\n"
    '      -n nodenumber = run a copy of "args" on the "nodenumber"-th node,\n'
    "      -o = direct tasks' stdout and stderr to the corresponding streams of pbsdsh\n"
    "           Otherwise, tasks' stdout and/or stderr go to the job,\n"
    "      -s = forces synchronous execution,\n"
    "      -u = run on unique hostnames,\n"
    "      -h = run on this specific hostname,\n"
    "      -v = forces verbose output.\n"
)
PBSPRO_USAGE = (
    "Usage: pbsdsh [-c copies][-s][-v][-o] -- program [args...]\n"
    "       pbsdsh [-n node_index][-s][-v][-o] -- program [args...]\n"
    "       pbsdsh --version\n"
    'Where -c copies =  run a copy of "program" on the first "copies" nodes,\n'
    '      -n node_index = run a copy of "program" on the "node_index"-th node,\n'
    "      -s = forces synchronous execution,\n"
    "      -v = forces verbose output.\n"
    "      -o = no obits are waited for.\n"
)


def leading_options(argv: Sequence[str], optstring: str) -> tuple[list[str], list[str]]:
    """(options, program and its arguments): getopt stops at the first operand (Torque's ``+`` optstring;
    OpenPBS's getopt too, since every option word comes before the program) or after ``--``."""
    takes_arg = {c for i, c in enumerate(optstring) if c != ":" and optstring[i + 1 : i + 2] == ":"}
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return list(argv[:i]), list(argv[i + 1 :])
        if not word.startswith("-") or word == "-":
            break
        i += 1
        for j, c in enumerate(word[1:], 1):
            if c in takes_arg:
                if j == len(word) - 1:
                    i += 1  # the value is the next word
                break
    return list(argv[:i]), list(argv[i:])


def find_job(ctx: Context) -> Job | None:
    """The running job pbsdsh is called from ($PBS_JOBID of the batch environment)."""
    jid = pc.parse_job_id(ctx.environ.get("PBS_JOBID", ""))
    if jid is None:
        return None
    for job in ctx.engine.jobs([jid.seq]):
        if job.array_index == jid.index and job.state == "RUNNING":
            return job
    return None


def run(
    ctx: Context,
    flavour: str,
    opts: dict[str, str],
    program: list[str],
) -> int:
    """Spawn `program` as `opts` say (letters -> values, already checked) for a running job."""
    from clusterjob_sim.engine.jobs import load_module
    from clusterjob_sim.engine.nodes import node_env
    from clusterjob_sim.engine.tasks import Task, run_tasks

    torque = flavour == "torque"
    who = "pbsdsh()" if torque else "pbsdsh"
    if "PBS_ENVIRONMENT" not in ctx.environ:
        ctx.err.write(f"{who}: not executing under PBS\n")
        return 1
    job = find_job(ctx)
    if job is None:  # tm_init cannot reach the mom for this job
        ctx.err.write(f"{who}: tm_init failed, rc = TM_ESYSTEM (17000)\n")
        return 1
    nodefile = ctx.environ.get("PBS_NODEFILE", "")
    try:
        with open(nodefile, encoding="utf-8") as handle:
            vnodes = [line.strip() for line in handle if line.strip()]
    except OSError:
        vnodes = job.node_names
    hosts = list(dict.fromkeys(vnodes))
    targets = list(range(len(vnodes)))  # tm_nodeinfo: one entry per virtual node
    if torque and "u" in opts:
        targets = [vnodes.index(h) for h in hosts]
    if torque and "h" in opts:
        if opts["h"] not in vnodes:
            ctx.err.write(f"{who}: {opts['h']} not found\n")
            return 1
        opts = {**opts, "n": str(targets.index(vnodes.index(opts["h"])))}
    count = len(targets)
    onenode = int(opts["n"]) if "n" in opts else -1
    copies = int(opts["c"]) if "c" in opts else -1
    if torque and (onenode >= count or copies > count):
        ctx.err.write(f"{who}: only {count} nodes available\n")
        return 1
    if onenode >= 0:
        picked = [onenode % count]  # OpenPBS: nd = (start + c) % numnodes
    elif copies >= 0:
        picked = [k % count for k in range(copies)]
    else:
        picked = list(range(count))
    chosen = [targets[k] for k in picked]
    # the task number in the exit lines: Torque's index into its node list, OpenPBS's spawn count
    labels = picked if torque else list(range(len(picked)))
    module = load_module(ctx.config)
    base = module.job_launch(
        job, ctx.engine, ""
    )  # what pbs_mom gives a task: the job's environment
    out, err = (None, None) if (torque and "o" in opts) else (base.stdout, base.stderr)
    if err is None and out is not None:
        err = out  # joined streams
    # pbs_mom's tasks share the job's open output; where pbsdsh writes to that very file (the usual
    # case), the tasks inherit pbsdsh's descriptor so their lines and the script's never overwrite
    out, err = (None if _same_file(1, out) else out), (None if _same_file(2, err) else err)
    host_index = {h: k for k, h in enumerate(hosts)}
    tasks = []
    for n, vnode in enumerate(chosen):
        node = vnodes[vnode]
        env = dict(base.env)
        env["PBS_TASKNUM"] = str(n + 2)  # task 1 is the job's shell
        env["PBS_NODENUM"] = str(host_index[node])
        env["PBS_VNODENUM"] = str(vnode)
        env = node_env(ctx.spool, node, env)
        tasks.append(Task(program, env, base.cwd, node, stdout=out, stderr=err))
    if not torque and "o" in opts:  # OpenPBS -o: spawn and leave, no obit waited for
        ctx.out.flush()
        ctx.err.flush()
        if os.fork():
            return 0
        try:  # pragma: no cover - the child, which reports nothing
            run_tasks(tasks, open_mode="a")
        finally:
            os._exit(0)
    step = ctx.engine.start_step(
        job, program[0], len(tasks), [t.node for t in tasks], pid=os.getpid()
    )
    results: list[tuple[int, int]] = []
    for batch in [[t] for t in tasks] if "s" in opts else [tasks]:
        results += run_tasks(batch, open_mode="a")
    worst = next(((c, s) for c, s in results if c or s), (0, 0))
    ctx.engine.end_step(step, worst[0], worst[1])
    for k, (code, sig) in zip(labels, results, strict=True):
        status = 256 + sig if sig else code  # the obit's exit value, as pbs_mom reports a task
        if status:  # "if (verbose || *(ev + c) != 0)"
            if torque:
                ctx.err.write(f"{who}: task {k} exit status {status}\n")
            else:
                ctx.out.write(f"{who}: task 0x{k:08X} exit status {status}\n")
    return 0


def _same_file(fd: int, path: str | None) -> bool:
    """Whether descriptor `fd` is the file at `path`."""
    if path is None:
        return False
    try:
        mine, theirs = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)

"""The fake qsub: read the script (file, stdin or -b y command), its #$ lines and the options; check them as
Grid Engine 8.1.9 does (clusterjob_sim.sge.options), submit, answer; -sync y waits for the job's end.
"""

from __future__ import annotations

import os

from clusterjob_sim.sge import output as out
from clusterjob_sim.sge.options import (
    EXIT_USAGE,
    QSUB_IMPLEMENTED,
    QSUB_REFUSED,
    Refused,
    SgeSite,
    unreadable_script,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context

# the manual's spellings qsub acts on, and those it refuses on purpose (the option tables live in options.py)
IMPLEMENTED = QSUB_IMPLEMENTED
REFUSED = QSUB_REFUSED
SAFE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")


def signal_name(num: int | None) -> str:
    """`SIGKILL` for 9 (SIGKILL when unknown), as qsub -sync reports a killed job."""
    import signal

    try:
        return signal.Signals(int(num or out.KILL_SIGNAL)).name
    except ValueError:
        return "SIGKILL"


def sh_quote(word: str) -> str:
    """Quote one word for /bin/sh (shlex.quote without importing re)."""
    if word and all(c in SAFE_CHARS for c in word):
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


# the submitter's variables qsub copies as SGE_O_<NAME> (SGE_O_HOST and SGE_O_WORKDIR are always set)
_ORIGIN_VARS = ("HOME", "LOGNAME", "PATH", "MAIL", "SHELL", "TZ")


def main(ctx: Context) -> int:
    """qsub: read the script (file or stdin), its #$ lines and the options; check, submit, answer."""
    from clusterjob_sim.sge.options import parse_qsub, split_options

    site = SgeSite.from_config(ctx.config)
    args = list(ctx.argv)
    if args and os.path.basename(args[0]) == "qsub":
        args = args[1:]
    try:
        opts, pos = split_options(args)
        binary = any(n == "b" and str(v).lower().startswith("y") for n, v in opts)
        positional = args[pos:]
        if binary:
            if not positional:
                raise Refused("qsub: command required for a binary job\n", EXIT_USAGE)  # seen
            script = "#!/bin/sh\nexec " + " ".join(sh_quote(w) for w in positional) + "\n"
        elif positional:
            path = os.path.join(ctx.cwd, positional[0])
            try:
                with open(path, encoding="utf-8", errors="surrogateescape") as f:
                    script = f.read()
            except FileNotFoundError:
                raise unreadable_script(positional[0]) from None
            except OSError as e:
                raise unreadable_script(positional[0], e.strerror or str(e)) from None
        else:
            script = ctx.stdin.read()
            if not script:
                raise Refused(
                    "Unable to read script file because of error: no input read from stdin\n", 4
                )  # seen
        req = parse_qsub(script, args, site=site, cwd=ctx.cwd)
    except Refused as e:
        ctx.out.write(e.stdout)
        ctx.err.write(e.message)
        return e.exit_code

    home = ctx.environ.get("HOME") or os.path.expanduser("~")
    queue = (req.queue or str(ctx.config.get("default_queue") or "all.q")).split("@", 1)[0]
    if queue not in (ctx.config.get("queues") or {}) and "*" in queue:
        queue = str(ctx.config.get("default_queue") or "all.q")
    env: dict[str, str] = dict(ctx.environ) if req.export_env else {}
    for spec_text in req.options.get("v", []):
        for item in str(spec_text).split(","):
            var, eq, value = item.partition("=")
            if var:
                env[var] = value if eq else ctx.environ.get(var, "")
    # seen: qsub passes each of these on only when its own environment has it (none under `env -i`)
    sge_o = {f"SGE_O_{var}": ctx.environ[var] for var in _ORIGIN_VARS if var in ctx.environ}
    sge_o["SGE_O_WORKDIR"] = ctx.cwd
    spec: dict[str, Any] = {
        "name": req.job_name,
        "queue": queue,
        "nodes": req.nodes,
        "cores_per_node": req.tasks_per_node,
        "mem_mb_per_node": req.mem_mb_per_node,
        "walltime_s": req.walltime_s,
        "held": 1 if req.held else 0,
        "submit_dir": ctx.cwd,
        "workdir": req.workdir or home,
        "stdout": req.stdout,
        "stderr": req.stderr,
        "script": script,
    }
    data: dict[str, Any] = {
        "slots": req.slots,
        "tasks_per_node": req.tasks_per_node,
        "pe": req.pe,
        "pe_range": req.pe_range,
        "rule": req.rule,
        "merge": req.merge_output,
        "cwd": req.cwd,
        "export": req.export_env,
        "shell": req.shell,
        "binary": req.binary,
        "script_file": positional[0] if positional and not req.binary else "STDIN",
        "args": [] if req.binary else req.script_args,
        "env_list": [f"{k}={v or 'NONE'}" for k, v in env.items()],
        "pe_range_text": req.pe_range_text,
        "resources": req.resources,
        "queues": [str(q) for t in req.options.get("q", []) for q in str(t).split(",") if q],
        "sge_o": sge_o,
        "home": home,
        **req.recorded,
    }
    tasks = None
    array_text = None
    if req.array is not None:
        indices, limit, array_text = req.array  # array_text: first-last:step as qsub prints it
        tasks = list(indices)
        spec["array_limit"] = limit
        spec["array_spec"] = array_text
        first, _, rest = array_text.partition("-")
        last, _, step = rest.partition(":")
        data["task_first"], data["task_last"], data["task_step"] = int(first), int(last), int(step)
    jobs = ctx.submit(spec, env=env, data=data, tasks=tasks, ids_per_task=False)
    ctx.out.write("".join(req.warnings))
    ctx.out.write(out.qsub_submitted(jobs[0].job_id, req.job_name, array_text, terse=req.terse))
    if str(req.options.get("sync", "n")).lower().startswith("y"):
        return _sync(ctx, jobs[0].job_id)
    return 0


def _sync(ctx: Context, job_id: int) -> int:
    """qsub -sync y: wait for every task, reporting each as it ends (report_exit_status)."""
    import time

    engine = ctx.engine
    reported: set[int] = set()
    rc = 0
    first = True
    while True:
        engine.tick()
        tasks = engine.jobs([job_id])
        for t in tasks:
            if t.state in out.ACTIVE or t.rid in reported:
                continue
            reported.add(t.rid)
            ident = f"{job_id}.{t.array_index}" if t.array_index is not None else str(job_id)
            if t.start_time is None:
                ctx.err.write(f"Unable to run job {ident}\n")  # seen (stderr)
                code = 0
            elif t.state in ("COMPLETED", "FAILED") and not t.signal:
                code = int(t.exit_code or 0)
                ctx.err.write(f"Job {ident} exited with exit code {code}.\n")  # seen (stderr)
            else:
                sig = signal_name(
                    out.KILL_SIGNAL if t.state in ("CANCELLED", "TIMEOUT") else t.signal
                )
                ctx.err.write(f"Job {ident} exited because of signal {sig}.\n")
                code = 1
            if first or rc == 0:
                rc = code
            first = False
        if tasks and all(t.state not in out.ACTIVE for t in tasks):
            return rc
        time.sleep(0.05)

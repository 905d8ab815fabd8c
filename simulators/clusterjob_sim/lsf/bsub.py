"""Fake bsub: parse the options and #BSUB lines, check them against the cluster, submit, answer.

`bsub [options] < script` reads #BSUB lines from the script on stdin; `bsub [options] command [args]` runs
the command and reads no directives (see options.parse_bsub). An option of the real bsub that the simulator
does not act on fails loudly, on the command line before stdin is read, in a #BSUB line before anything
is submitted.
"""

from __future__ import annotations

import os

from clusterjob_sim.lsf import output as out
from clusterjob_sim.lsf.options import (
    EXIT_FAIL,
    NOT_SUBMITTED,
    LsfSite,
    Refused,
    directive_words,
    job_environment,
    parse_bsub,
    refuse_unimplemented,
    split_options,
    strip_program_and_redirect,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context

# What the simulator acts on as LSF does: slots and their placement (-n, -R span/rusage/affinity), limits
# it enforces or places by (-W, -M), the job's name and array (-J), queue, output files and directory,
# exclusive hosts (-x), hold (-H: PSUSP), the project, which bjobs shows (-P: PROJ_NAME, bjobs -l), and
# which submission variables the job gets (-env); on a CSM site (config "csm": "Y") whole nodes (-nnodes).
IMPLEMENTED = frozenset(
    {
        "-n",
        "-R",
        "-W",
        "-M",
        "-J",
        "-q",
        "-o",
        "-oo",
        "-e",
        "-eo",
        "-cwd",
        "-x",
        "-H",
        "-P",
        "-env",
        "-nnodes",
    }
)
_INTERACTIVE = (
    "an interactive job needs a terminal session with the submitting client, which the simulated "
    "batch jobs (detached local processes) do not have"
)
REFUSED = {
    "-I": _INTERACTIVE,
    "-Ip": _INTERACTIVE,
    "-IS": _INTERACTIVE,
    "-ISp": _INTERACTIVE,
    "-ISs": _INTERACTIVE,
    "-Is": _INTERACTIVE,
    "-IX": _INTERACTIVE,
    "-tty": _INTERACTIVE,
    "-XF": "X11 forwarding over ssh needs an interactive session and an X display",
}


def _stdin_is_file(ctx: Context) -> bool:
    """True when stdin is a regular file (`bsub < script`), which changes one of bsub's messages."""
    import stat

    try:
        return stat.S_ISREG(os.fstat(ctx.stdin.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):
        return True


def _job_script(ctx: Context, words: list[str]) -> str | None:
    """The text of `bsub FILE`'s FILE where LSB_BSUB_PARSE_SCRIPT=Y makes bsub load and parse it: the only
    word after the options names an ASCII text file (not necessarily executable; a binary file or a
    command is run as a command). IBM LSF 10.1 bsub(1) job_script: "The job script must be an ASCII text
    file and not a binary file. The job script does not have to be an executable file"."""
    if len(words) != 1:
        return None
    path = os.path.join(ctx.cwd, os.path.expanduser(words[0]))
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def default_job_name(command: str) -> str:
    """The job name LSF shows without -J: the command, a script's lines joined by ';' [unconfirmed]."""
    lines = [ln.strip() for ln in command.strip().splitlines() if ln.strip()]
    return ";".join(lines)[:4094] or "bsub"


def _check_directives(script: str) -> None:
    """Refuse an option of a #BSUB line the simulator does not act on (parse_bsub reports bad syntax)."""
    words, _ = directive_words(script)
    try:
        embedded, _ = split_options(words)
    except Refused:
        return
    refusal = refuse_unimplemented("bsub", (n for n, _ in embedded), IMPLEMENTED, REFUSED)
    if refusal is not None:
        raise refusal


def main(ctx: Context) -> int:
    """bsub: parse options and #BSUB lines, check them against the cluster, submit, answer."""
    site = LsfSite.from_config(ctx.config)
    try:
        args = strip_program_and_redirect(ctx.argv)
        opts, first = split_options(args)
        refusal = refuse_unimplemented("bsub", (n for n, _ in opts), IMPLEMENTED, REFUSED)
        if refusal is not None:
            raise refusal
        has_command = first < len(args)
        job_file = _job_script(ctx, args[first:]) if has_command and site.parse_script else None
        if job_file is not None:  # LSB_BSUB_PARSE_SCRIPT=Y: `bsub FILE` as `bsub < FILE`
            script = job_file
            argv: list[str] = args[:first]
        else:
            script = "" if has_command else ctx.stdin.read()
            argv = list(ctx.argv)
        if job_file is not None or not has_command:
            _check_directives(script)
        try:
            req = parse_bsub(script, argv, site=site)
        except Refused as e:
            if (
                "No command is specified" in e.message
                and job_file is None
                and not _stdin_is_file(ctx)
            ):
                raise Refused("No command is specified" + NOT_SUBMITTED, EXIT_FAIL) from None
            raise
        queue = req.queue or str(ctx.config.get("default_queue") or "normal")
        qcfg = (ctx.config.get("queues") or {}).get(queue) or {}
        walltime = req.walltime_s
        max_s = qcfg.get("max_time_s")
        if walltime is not None and max_s is not None and walltime > max_s:
            raise Refused(
                "RUNLIMIT: Cannot exceed queue's hard limit(s)" + NOT_SUBMITTED, EXIT_FAIL
            )
        if walltime is None and qcfg.get("default_time_s") is not None:
            walltime = int(qcfg["default_time_s"])
        env_spec = req.options.get("env")
        job_env = job_environment(None if env_spec is None else str(env_spec), ctx.environ)
    except Refused as e:
        ctx.out.write(e.stdout)
        ctx.err.write(e.message)
        return e.exit_code

    if req.from_stdin:
        script_text = req.command
    else:
        script_text = "#!/bin/sh\n" + req.command + "\n"
    command = args[first] if job_file is not None else req.command
    spec: dict[str, Any] = {
        "name": req.name or default_job_name(command),
        "queue": queue,
        "nodes": req.nodes,
        "cores_per_node": req.tasks_per_node * req.cpus_per_task,
        "mem_mb_per_node": req.mem_mb_per_node,
        "exclusive": 1 if req.exclusive else 0,
        "walltime_s": walltime,
        "held": 1 if req.options.get("H") else 0,
        "submit_dir": ctx.cwd,
        "workdir": ctx.cwd,
        "stdout": req.stdout,
        "stderr": req.stderr,
        "script": script_text,
    }
    data = {
        "slots": req.slots,
        "tasks_per_node": req.tasks_per_node,
        "cwd": req.workdir,
        "out_overwrite": req.stdout_overwrite,
        "err_overwrite": req.stderr_overwrite,
        "command": command if not req.from_stdin or job_file is not None else "",
        "project": str(req.options.get("P") or "default"),
    }
    if req.memlimit_kb is not None:
        data["memlimit_kb"] = req.memlimit_kb
        data["memlimit_hard"] = req.memlimit_hard
    tasks = None
    if req.array is not None:
        indices, limit, text = req.array
        tasks = list(indices)
        spec["array_limit"] = limit
        spec["array_spec"] = text
        data["index_end"] = max(indices)
        data["index_step"] = indices[1] - indices[0] if len(indices) > 1 else 1
    jobs = ctx.submit(spec, env=job_env, data=data, tasks=tasks, ids_per_task=False)
    ctx.out.write(out.bsub_submitted(jobs[0].job_id, queue, default=req.queue is None))
    return 0

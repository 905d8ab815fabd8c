"""The fake qrsh: `qrsh -inherit [-V] [-v VARS] [-verbose] [-nostdin] [-noshell] HOST COMMAND [ARGS]` starts a
task of the running parallel job named by $JOB_ID on one of its hosts (tight integration, as Open MPI's mpirun
uses it), with the task environment the real shepherd gives and the command's exit status. Interactive qrsh
(without -inherit) is not simulated.

Every text here was seen on Debian's Grid Engine 8.1.9 (qrsh -inherit in a job of a PE with control_slaves
TRUE and of one with FALSE, and outside any job); see tests/sim/test_sge_qrsh.py. Known differences: with
-nostdin the task reads /dev/null (the real builtin starter leaves it a stream that never ends: seen, `qrsh
-inherit -nostdin vm cat` hangs); QRSH_PORT is not set (no qrsh listener); a socket as qrsh's stdin is not passed
on; the number of tasks per host is not limited (seen: two at once in a 2-slot job were both accepted).
"""

from __future__ import annotations

import os

from clusterjob_sim.engine.refusal import is_digits, not_implemented_text

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

IMPLEMENTED = frozenset({"-inherit", "-V", "-v", "-verbose", "-nostdin", "-noshell"})
REFUSED: dict[str, str] = {}
# seen: the options qrsh -inherit takes (the others: `error: Unknown option -now`); the simulator implements
# IMPLEMENTED of them and fails loudly on the rest
INHERIT_ACCEPTS = frozenset(
    {"-inherit", "-V", "-v", "-verbose", "-nostdin", "-noshell", "-cwd", "-pty", "-wd", "-display", "-@",
     "-dl", "-jsv"}
)  # fmt: skip
EXIT_ERROR = 1  # seen: every refusal of qrsh -inherit exits 1
USAGE = 'error: usage with "-inherit" option: "qrsh -inherit ... <host> <command> [args]"\n'
JOB_VARIABLES = (
    "JOB_ID",
    "NSLOTS",
    "NHOSTS",
    "NQUEUES",
    "QUEUE",
    "SGE_TASK_ID",
    "PE",
    "SGE_ROOT",
    "ARC",
)
PETASK = "petask"  # seen: JOB_NAME, REQNAME and REQUEST of a task started by qrsh -inherit


def _options() -> dict[str, str]:
    """qrsh's options by what they take (sge_submit(1)); -pe takes two words."""
    from clusterjob_sim.sge.manual import OPTIONS

    return OPTIONS["qrsh"]


def parse(argv: list[str]) -> tuple[list[tuple[str, list[str]]], list[str]] | str:
    """(options with their values, the words after them), or the error text for a word qrsh does not know."""
    kinds = _options()
    options: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if not word.startswith("-") or word == "-":
            break
        kind = kinds.get(word)
        if kind is None:
            return f'error: invalid option argument "{word}"\n'  # seen: `qrsh -inherit -frob`
        take = 0 if kind == "flag" else 2 if word == "-pe" else 1
        values = argv[i + 1 : i + 1 + take]
        if len(values) < take and word == "-v":
            return "error: -v option must have variable list argument\n"  # seen: `qrsh -inherit -v`
        options.append((word, values))
        i += 1 + take
    return options, argv[i:]


def main(ctx: Context) -> int:
    """qrsh -inherit HOST COMMAND: run COMMAND as a task of $JOB_ID on HOST; its exit status is qrsh's."""
    parsed = parse(list(ctx.argv))
    if isinstance(parsed, str):
        ctx.err.write(parsed)
        return EXIT_ERROR
    options, words = parsed
    names = [name for name, _ in options]
    if "-inherit" not in names:
        if options:
            ctx.err.write(not_implemented_text("qrsh", options[0][0]))
        else:
            ctx.err.write(
                "qrsh: an interactive job (qrsh without -inherit) is not implemented by the clusterjob "
                "simulator (the real qrsh submits one; see simulators/COVERAGE.md)\n"
            )
        return EXIT_ERROR
    job_id = ctx.environ.get("JOB_ID")
    if job_id is None:
        ctx.err.write(
            'error: "qrsh" called with option "-inherit", but "JOB_ID" not set in environment\n'
        )
        return EXIT_ERROR
    if not is_digits(job_id):
        ctx.err.write(f'error: invalid "JOB_ID" {job_id}\n')
        return EXIT_ERROR
    for name in names:
        if name not in INHERIT_ACCEPTS:
            ctx.err.write(f"error: Unknown option {name}\n")
            return EXIT_ERROR
        if name not in IMPLEMENTED:
            ctx.err.write(not_implemented_text("qrsh", name))
            return EXIT_ERROR
    if len(words) < 2:
        ctx.err.write(USAGE)
        return EXIT_ERROR
    host, command = words[0], words[1:]
    failed = f"error: executing task of job {job_id} failed: "
    task_id = ctx.environ.get("SGE_TASK_ID")
    if task_id is None:
        ctx.err.write(failed + 'missing "SGE_TASK_ID" in environment\n')
        return EXIT_ERROR
    engine = ctx.engine
    if host not in [n["name"] for n in engine.nodes]:
        ctx.err.write(failed + f"failed sending task to execd@{host}: can't resolve host name\n")
        return EXIT_ERROR
    job = _accepting_job(engine, int(job_id), task_id, host)
    if job is None:
        ctx.err.write(failed + f'execution daemon on host "{host}" didn\'t accept task\n')
        return EXIT_ERROR
    return _run(ctx, engine, job, host, command, options)


def _accepting_job(engine: Engine, job_id: int, task_id: str, host: str) -> Job | None:
    """The running job (task) whose PE lets it start tasks on `host`, or None (the execd refuses)."""
    index = None if task_id == "undefined" else int(task_id) if is_digits(task_id) else -1
    for job in engine.jobs([job_id], states=("RUNNING",)):
        if job.job_id != job_id or job.array_index != index or host not in job.node_names:
            continue
        pe = job.data.get("pe")
        spec = (engine.config.get("parallel_environments") or {}).get(pe) if pe else None
        if isinstance(spec, dict) and spec.get("control_slaves"):
            return job
    return None


def _stdin_path(nostdin: bool) -> str | None:
    """The task's stdin: qrsh's own (a file or pipe), or none with -nostdin."""
    import stat

    if nostdin:
        return None
    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return "/dev/stdin"
    return None  # a socket cannot be opened again by path: the task reads nothing, as with -nostdin


def task_env(
    ctx: Context, engine: Engine, job: Job, host: str, command: str, task: int, export: bool
) -> tuple[dict[str, str], str]:
    """(environment, working directory) of a task, as the shepherd gives it: the job's environment (the
    caller's with -V), the job's working directory, and the task's own variables (seen, see module doc)."""
    from clusterjob_sim.sge.jobenv import job_dirs, job_launch

    script = os.path.join(engine.spool_dir, "scripts", str(job.rid))
    launch = job_launch(job, engine, script)
    jobdir, tmpdir = job_dirs(engine, job)
    if export:  # seen: -V exports the caller's environment, PE_HOSTFILE and SGE_STD*_PATH included
        env = dict(ctx.environ)
        env["PATH"] = f"{tmpdir}:{env.get('PATH', '')}"
    else:  # seen: the job's environment without PE_HOSTFILE; output paths named after the task
        env = dict(launch.env)
        env.pop("PE_HOSTFILE", None)
        env["SGE_STDOUT_PATH"] = os.path.join(launch.cwd, f"{PETASK}.o{job.job_id}")
        env["SGE_STDERR_PATH"] = os.path.join(launch.cwd, f"{PETASK}.e{job.job_id}")
    for name in JOB_VARIABLES:
        if name in launch.env:
            env[name] = launch.env[name]
    env.update(
        {
            "ENVIRONMENT": "BATCH",
            "JOB_NAME": PETASK,
            "REQNAME": PETASK,
            "REQUEST": PETASK,
            "JOB_SCRIPT": "QRSH",
            "QRSH_COMMAND": command,
            "HOSTNAME": host,
            "SGE_JOB_SPOOL_DIR": os.path.join(jobdir, f"{task}.{host}"),
            "SGE_O_LOGNAME": job.user,
            "SGE_O_PATH": ctx.environ.get("PATH", ""),
            "SGE_RSH_COMMAND": "builtin",
            "TMP": tmpdir,
            "TMPDIR": tmpdir,
            "PWD": launch.cwd,
        }
    )
    return env, launch.cwd


def _login_shell() -> str:
    """The user's login shell: seen, the task runs as `bash -c COMMAND` for a user whose shell is bash."""
    import pwd

    try:
        shell = pwd.getpwuid(os.getuid()).pw_shell
    except KeyError:
        shell = ""
    if not shell or shell.endswith(("nologin", "false")) or not os.access(shell, os.X_OK):
        return "/bin/sh"
    return shell


def _run(
    ctx: Context,
    engine: Engine,
    job: Job,
    host: str,
    words: list[str],
    options: list[tuple[str, list[str]]],
) -> int:
    """Start the task on `host` (here, with that node's environment), wait, and return its exit status."""
    import shutil

    from clusterjob_sim.engine.nodes import node_env
    from clusterjob_sim.engine.tasks import Task, run_tasks

    names = [name for name, _ in options]
    # seen: the words are joined with blanks and given to the user's shell
    command = " ".join(words)
    step = engine.start_step(job, "qrsh", 1, [host], pid=os.getpid())
    task = step.step_id + 1  # seen: a job's tasks count from 1 ("1.vm", "2.vm", ...)
    env, cwd = task_env(ctx, engine, job, host, command, task, "-V" in names)
    for name, values in options:
        if name == "-v":
            for item in values[0].split(","):
                var, eq, value = item.partition("=")
                env[var] = value if eq else ctx.environ.get(var, "")
    env = node_env(engine.spool_dir, host, env)
    if "-verbose" in names:
        ctx.err.write(f'Starting server daemon at host "{host}"\n')
        ctx.err.write(f'Server daemon successfully started with task id "{task}.{host}"\n')
    if "-noshell" in names:
        argv = list(words)
        found = shutil.which(argv[0], path=env.get("PATH")) if "/" not in argv[0] else argv[0]
        if not found or not os.access(found, os.X_OK):
            ctx.err.write(
                f"qrsh_starter: executing child process {argv[0]} failed: No such file or directory\n"
            )
            engine.end_step(step, 1, 0)
            return 1
    else:
        shell = _login_shell()  # seen: $0 is the shell's name (`bash: line 1: ...` in its errors)
        argv = [shell, "-c", command, os.path.basename(shell)]
    stdin = _stdin_path("-nostdin" in names)
    [(code, signum)] = run_tasks([Task(argv, env, cwd, host, stdin=stdin)])
    engine.end_step(step, code, signum)
    return 128 + signum if signum else code  # seen: a task killed by SIGKILL: 137, SIGTERM: 143

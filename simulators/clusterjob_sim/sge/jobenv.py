"""How Grid Engine's execd and shepherd start a job: its environment, PE_HOSTFILE, working directory and
output files (the job_launch hook of clusterjob_sim.sge), and how its slots lie on the granted hosts.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch


def _login_shell(uid: int) -> str:
    """The user's login shell (SHELL in a job without -V), /bin/sh if unknown."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_shell or "/bin/sh"
    except (ImportError, KeyError):
        return "/bin/sh"


def slot_counts(job: Job) -> list[tuple[str, int]]:
    """(host, slots) per granted node: dealt one by one for $round_robin, else filled in order."""
    nodes = job.node_names
    data = job.data
    slots = int(data.get("slots", 1))
    if not nodes:
        return []
    if data.get("rule") == "$round_robin":
        counts = [
            slots // len(nodes) + (1 if i < slots % len(nodes) else 0) for i in range(len(nodes))
        ]
    else:
        per = int(data.get("tasks_per_node", slots)) or 1
        counts = []
        left = slots
        for i in range(len(nodes)):
            take = left if i == len(nodes) - 1 else min(per, left)
            counts.append(take)
            left -= take
    return [(n, c) for n, c in zip(nodes, counts, strict=True) if c > 0]


def _expand_path(text: str, job: Job, home: str, host: str) -> str:
    """An -o/-e path: drop a `host:` prefix, expand $HOME $USER $JOB_ID $JOB_NAME $HOSTNAME $TASK_ID."""
    if ":" in text and "/" not in text.split(":", 1)[0]:
        text = text.split(":", 1)[1]
    task = str(job.array_index) if job.array_index is not None else "undefined"
    for var, value in (
        ("$HOME", home),
        ("$USER", job.user),
        ("$JOB_ID", str(job.job_id)),
        ("$JOB_NAME", job.name),
        ("$HOSTNAME", host),
        ("$TASK_ID", task),
    ):
        text = text.replace(var, value)
    return text


ARCH = "lx-amd64"  # seen: SGE_ARCH and ARC on Debian's 8.1.9 (amd64)


def sge_root(spool: str) -> str:
    """The simulated cluster's SGE_ROOT, made on first use: <spool>/sge_root, whose bin/lx-amd64 is the spool's
    bin folder (the fake qsub, qrsh...). Open MPI looks for qrsh in $SGE_ROOT/bin/$ARC (plm_rsh_component.c)."""
    root = os.path.join(spool, "sge_root")
    arch_dir = os.path.join(root, "bin", ARCH)
    if not os.path.lexists(arch_dir):
        try:
            os.makedirs(os.path.dirname(arch_dir), exist_ok=True)
            os.symlink(os.path.join(spool, "bin"), arch_dir)
        except FileExistsError:
            pass  # another job made it first
    return root


def tmp_root(engine: Engine) -> str:
    """The folder of the jobs' TMP folders: seen, the queue's tmpdir (/tmp) itself, so TMP is short (Python's
    multiprocessing puts AF_UNIX sockets there, at most 107 bytes). The simulator's is a short link in /tmp,
    /tmp/cjsim.<hash of the spool>, to <spool>/sge_tmp, so concurrent spools never share a job's folder."""
    import hashlib

    target = os.path.join(engine.spool_dir, "sge_tmp")
    digest = hashlib.sha1(engine.spool_dir.encode(), usedforsecurity=False).hexdigest()[:10]
    link = os.path.join("/tmp", f"cjsim.{digest}")  # the queue's tmpdir, as real execd
    os.makedirs(target, exist_ok=True)
    if os.path.realpath(link) != os.path.realpath(target):
        _remove_dangling_links()
        try:
            if os.path.islink(link):
                os.unlink(link)  # left by an older spool of the same path
            os.symlink(target, link)
        except FileExistsError:
            pass  # another job made it first
        except OSError:
            return target
    return link


def _remove_dangling_links() -> None:
    """Remove the /tmp/cjsim.* links of spools that no longer exist (a spool is deleted as a folder, which
    cannot remove its link), so that they do not pile up in /tmp; run when a spool makes its own link."""
    try:
        names = [n for n in os.listdir("/tmp") if n.startswith("cjsim.")]
    except OSError:
        return
    for name in names:
        path = os.path.join("/tmp", name)
        if os.path.islink(path) and not os.path.exists(path):
            try:
                os.unlink(path)
            except OSError:
                pass  # another user's, or removed meanwhile


def job_dirs(engine: Engine, job: Job) -> tuple[str, str]:
    """(the job's spool folder, its TMP folder), as execd names them: active_jobs/<id>.<task> and
    <tmpdir>/<id>.<task>.<queue>."""
    task = job.array_index
    jobdir = os.path.join(engine.spool_dir, "sge_active", f"{job.job_id}.{task or 1}")
    tmpdir = os.path.join(tmp_root(engine), f"{job.job_id}.{task or 1}.{job.queue}")
    return jobdir, tmpdir


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """Build the Launch of a Grid Engine job (environment, PE_HOSTFILE, working dir, o/e files)."""
    from clusterjob_sim.engine.jobs import Launch

    data = job.data
    sge_o: dict[str, str] = dict(data.get("sge_o") or {})
    home = str(data.get("home") or sge_o.get("SGE_O_HOME") or "/")
    counts = slot_counts(job)
    host = counts[0][0] if counts else os.uname().nodename
    task = job.array_index
    task_text = str(task) if task is not None else "undefined"
    queue = job.queue
    jobdir, tmpdir = job_dirs(engine, job)
    pe_hostfile = os.path.join(jobdir, "pe_hostfile")
    try:
        os.makedirs(jobdir, exist_ok=True)
        os.makedirs(tmpdir, exist_ok=True)
        if data.get("pe"):
            with open(pe_hostfile, "w", encoding="utf-8") as f:
                f.writelines(f"{h} {n} {queue}@{h} UNDEFINED\n" for h, n in counts)
    except OSError:
        pass
    root = sge_root(engine.spool_dir)
    bindir = os.path.join(engine.spool_dir, "bin")
    shell = str(data.get("shell") or engine.config.get("shell") or "/bin/sh")
    if data.get("export"):
        env = dict(job.env)
        # seen (real job 360, qsub -V): PATH is the job's TMP folder, then the submitter's PATH
        env["PATH"] = f"{tmpdir}:{env['PATH']}" if env.get("PATH") else tmpdir
    else:  # seen: the execd's own environment plus these (the simulator has no execd to inherit)
        env = {
            "HOME": home,
            "USER": job.user,
            "LOGNAME": job.user,
            "SHELL": _login_shell(job.uid),
            # seen: tmpdir:/usr/local/bin:/bin:/usr/bin, the execd's PATH, where Debian has qsub, qrsh...;
            # the simulated cluster's commands are in the spool's bin, before the real ones
            "PATH": f"{tmpdir}:{bindir}:/usr/local/bin:/bin:/usr/bin",
            "TERM": "",
        }
        env.update(job.env)  # -v variables
    env.update(sge_o)
    env.update(
        {
            "SGE_O_HOST": job.submit_host,
            "JOB_ID": str(job.job_id),
            "JOB_NAME": job.name,
            "JOB_SCRIPT": script_path,
            "REQUEST": job.name,
            "REQNAME": job.name,
            "SGE_ACCOUNT": str(data.get("account", "sge")),  # -A, else DEFAULT_ACCOUNT
            "SGE_TASK_ID": task_text,
            "SGE_TASK_FIRST": str(data["task_first"]) if task is not None else "undefined",
            "SGE_TASK_LAST": str(data["task_last"]) if task is not None else "undefined",
            "SGE_TASK_STEPSIZE": str(data["task_step"]) if task is not None else "undefined",
            "NSLOTS": str(int(data.get("slots", 1))),
            "NHOSTS": str(len(counts) or 1),
            "NQUEUES": str(len(counts) or 1),
            "QUEUE": queue,
            "HOSTNAME": host,
            "RESTARTED": "0",
            "SGE_CELL": str(engine.config.get("cluster_name", "default")),
            "SGE_ARCH": ARCH,
            "ARC": ARCH,
            "SGE_ROOT": root,
            "SGE_BINARY_PATH": os.path.join(root, "bin", ARCH),  # seen: <binary_path>/<arch>
            "SGE_JOB_SPOOL_DIR": jobdir,
            "TMP": tmpdir,  # seen: TMP but no TMPDIR on Debian's 8.1.9
            "SGE_STDIN_PATH": "/dev/null",
        }
    )
    if data.get("pe"):  # seen: PE and PE_HOSTFILE only in a job with -pe
        env["PE"] = str(data["pe"])
        env["PE_HOSTFILE"] = pe_hostfile
    cwd = job.workdir or home
    env["PWD"] = cwd
    env["SGE_CWD_PATH"] = cwd
    suffix = f".{task}" if task is not None else ""

    def resolve(path: str | None, letter: str) -> str:
        default = f"{job.name}.{letter}{job.job_id}{suffix}"
        if not path:
            return os.path.join(cwd, default)
        p = os.path.join(cwd, os.path.expanduser(_expand_path(path, job, home, host)))
        if os.path.isdir(p):
            p = os.path.join(p, default)
        return p

    stdout = resolve(job.stdout, "o")
    stderr = None if data.get("merge") else resolve(job.stderr, "e")
    env["SGE_STDOUT_PATH"] = stdout
    env["SGE_STDERR_PATH"] = stderr or stdout
    if engine.config.get("shell_start_mode") == "unix_behavior" and not data.get("shell"):
        with open(script_path, encoding="utf-8", errors="replace") as f:
            argv = [script_path] if f.read(2) == "#!" else [shell, script_path]
    else:
        argv = [shell, script_path]
    argv += [str(a) for a in data.get("args") or []]
    return Launch(argv, env, cwd, stdout, stderr, open_mode="a")

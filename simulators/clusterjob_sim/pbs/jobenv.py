"""How both pbs_moms start a batch job: the user's login shell (or ``-S``), the batch environment plus the
submission's variables, the node file, and the output files (``<name>.o<seq>``, ``-o``/``-e``, ``-j``)."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from clusterjob_sim.engine.jobs import Job, Launch


def user_info(uid: int | None = None, fallback: str = "") -> tuple[str, str, str]:
    """Login name, home directory and login shell of a user (passwd), with sane fallbacks."""
    import os

    uid = os.getuid() if uid is None else uid
    try:
        import pwd

        entry = pwd.getpwuid(uid)
        return entry.pw_name, entry.pw_dir or "/", entry.pw_shell or "/bin/sh"
    except (ImportError, KeyError):
        return fallback or str(uid), os.environ.get("HOME", "/"), "/bin/sh"


def user_home() -> str:
    """This user's home directory: where a PBS job starts unless told otherwise."""
    return user_info()[1]


def batch_env(
    name: str, home: str, shell: str, variables: Sequence[Sequence[str]]
) -> dict[str, str]:
    """A batch job's environment before its ``PBS_*`` variables: the login basics, then the
    submission's (``-v``/``-V``/``PBS_O_*``) variables."""
    env = {
        "HOME": home,
        "LOGNAME": name,
        "USER": name,
        "SHELL": shell,
        "PATH": "/bin:/usr/bin",
        "ENVIRONMENT": "BATCH",
    }
    env.update(dict(variables or []))  # type: ignore[arg-type]
    return env


def launch(
    job: Job,
    script_path: str,
    user: tuple[str, str, str],
    variables: dict[str, str],
    index_sep: str,
    cwd_fallback: str | None,
    site_bin: str = "",
    scratch_dirs: tuple[str, ...] = (),
) -> Launch:
    """Start the script as both pbs_moms do: login shell or -S, batch env plus `variables`, outputs;
    `site_bin` (the spool's commands: qsub, qstat, pbsdsh...) ends PATH, as a site's profile puts it."""
    from clusterjob_sim.engine.jobs import Launch

    name, home, shell = user
    env = batch_env(name, home, shell, job.data.get("variables") or [])
    env.update(variables)
    if (
        site_bin
    ):  # the site's login profile appends the PBS commands (OpenPBS's /etc/profile.d/pbs.sh)
        parts = env.get("PATH", "").split(os.pathsep)
        if site_bin not in parts:
            env["PATH"] = os.pathsep.join([p for p in parts if p] + [site_bin])
    shell_path = str(job.data.get("shell") or shell).split(",")[0].split("@")[0]
    stdout, stderr = job_outputs(job, index_sep)
    return Launch(
        [shell_path, script_path],
        env,
        job.workdir,
        stdout,
        stderr,
        cwd_fallback=cwd_fallback,
        scratch_dirs=scratch_dirs,
    )


def job_outputs(job: Job, index_sep: str) -> tuple[str, str | None]:
    """Output files: ``<name>.o<seq>`` (a sub-job's ``<seq><index_sep><index>``) in the submit
    directory unless -o/-e; joined streams (``-j oe``/``eo``) give one file and None."""
    suffix = (
        f"{job.job_id}" if job.array_index is None else f"{job.job_id}{index_sep}{job.array_index}"
    )
    out = default_file(job.stdout, job, f"{job.name}.o{suffix}")
    err = default_file(job.stderr, job, f"{job.name}.e{suffix}")
    join = job.data.get("join", "n")
    if join == "oe":
        return out, None
    if join == "eo":
        return err, None
    return out, err


def default_file(path: str | None, job: Job, default: str) -> str:
    """An output path: the default name in the submit dir, or inside a given directory."""
    if path is None:
        return os.path.join(job.submit_dir, default)
    if path.endswith("/"):
        return path + default
    return path


def write_nodefile(spool: Any, label: str, hosts: Sequence[str]) -> str:
    """Write the job's node file (one host per line) under ``<spool>/aux`` and return its path."""
    import os

    folder = os.path.join(os.fspath(spool), "aux")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, label)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{h}\n" for h in hosts))
    return path

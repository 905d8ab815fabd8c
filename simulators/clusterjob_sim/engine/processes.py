"""The processes behind jobs: spawning a job's detached runner, its liveness lock, signalling its process group.

A tick spawns the runner (double fork, new session, so no command waits for it and no zombie is left). The runner
holds an flock on <spool>/locks/<rid> for its whole life: a free lock means the runner died. The job's script
runs in the runner's process group, so killpg(runner_pid) reaches the whole job tree.
"""

from __future__ import annotations

import fcntl
import os
import sys

BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from clusterjob_sim.engine.runner import main; main(sys.argv[2:])"
)


def package_parent() -> str:
    """The folder holding the clusterjob_sim package (put on sys.path by -I -S processes)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def lock_path(spool: str | os.PathLike[str], rid: int) -> str:
    """Where the runner of job row `rid` keeps its liveness lock."""
    return os.path.join(spool, "locks", str(rid))


def take_lock(spool: str | os.PathLike[str], rid: int) -> int:
    """Create and lock a job's lock file; the fd is handed to its runner (closed by the caller)."""
    path = lock_path(spool, rid)
    try:
        fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def runner_alive(spool: str | os.PathLike[str], rid: int) -> bool:
    """True while some process (the runner, or the tick about to spawn it) holds the job's lock."""
    try:
        fd = os.open(lock_path(spool, rid), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def remove_lock(spool: str | os.PathLike[str], rid: int) -> None:
    """Delete a job's lock file (after its runner recorded the end)."""
    try:
        os.unlink(lock_path(spool, rid))
    except FileNotFoundError:
        pass


def signal_job(pgid: int, sig: int) -> None:
    """Send `sig` to a job's whole process group (the runner and the script's tree); ignore if gone."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def group_alive(pgid: int) -> bool:
    """True while some process of the group exists (zombies included, until they are reaped)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def spawn(spool: str | os.PathLike[str], rid: int, lock_fd: int) -> None:
    """Start the runner of job row `rid`, detached (new session, orphaned to init), holding `lock_fd`."""
    argv = [
        sys.executable,
        "-I",
        "-S",
        "-c",
        BOOT,
        package_parent(),
        str(spool),
        str(rid),
        str(lock_fd),
    ]
    log = os.path.join(spool, "runner.log")
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.setsid()
            if os.fork() != 0:
                os._exit(0)
            os.setpgid(
                0, 0
            )  # the runner leads the job's process group: killpg(runner_pid) hits all
            os.set_inheritable(lock_fd, True)
            import signal

            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGCHLD):
                signal.signal(sig, signal.SIG_DFL)
            null = os.open(os.devnull, os.O_RDWR)
            err = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.dup2(null, 0)
            os.dup2(null, 1)
            os.dup2(err, 2)
            os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter
        finally:
            os._exit(127)
    os.waitpid(pid, 0)

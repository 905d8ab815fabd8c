"""The detached process that runs one job: script, environment, output files, wall time, end record.

Started by processes.spawn (never by hand). It holds the job's lock for its whole life and runs the script in
its own process group, so a cancel reaches the whole job tree.
"""

from __future__ import annotations

import os
import sys

from clusterjob_sim.engine.core import Engine
from clusterjob_sim.engine.jobs import TIMEOUT
from clusterjob_sim.engine.nodes import node_env
from clusterjob_sim.engine.processes import remove_lock, signal_job
from clusterjob_sim.engine.spool import transaction


class _Flags:
    term = False
    scratch: tuple[str, ...] = ()  # the running job's Launch.scratch_dirs


def _on_term(signum: int, frame: object) -> None:
    _Flags.term = True


def main(argv: list[str]) -> None:
    """Entry point of the spawned runner: argv is SPOOL RID LOCKFD (never run by hand)."""
    import signal

    spool, rid, lock_fd = argv[0], int(argv[1]), int(argv[2])
    os.set_inheritable(lock_fd, False)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGCHLD, lambda s, f: None)

    engine = Engine(spool)
    claimed = False
    code, sig = 1, 0
    try:
        with transaction(engine.conn) as c:
            claimed = bool(
                c.execute(
                    "UPDATE jobs SET runner_pid = ?, pgid = ? WHERE rid = ? AND state = 'RUNNING'",
                    (os.getpid(), os.getpgid(0), rid),
                ).rowcount
            )
        if claimed:
            code, sig = (0, signal.SIGTERM) if _Flags.term else _run(engine, rid, wake_r)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if (
            _Flags.scratch
        ):  # before the job is reported finished, so nobody sees it ended with it still there
            import shutil

            for folder in _Flags.scratch:
                shutil.rmtree(folder, ignore_errors=True)
        if claimed:
            engine.finish(rid, code, sig)
        remove_lock(spool, rid)
        engine.tick()
        engine.close()
        # Leftover background processes of the script die with the job, as under a real scheduler.
        os.killpg(os.getpgid(0), signal.SIGKILL)


def _run(engine: object, rid: int, wake_r: int) -> tuple[int, int]:
    """Run the script; enforce wall time and cancellation; return (exit code, signal number)."""
    import select
    import signal
    import subprocess
    import time

    assert isinstance(engine, Engine)
    job = engine.get(rid)
    if job is None:
        return 1, 0
    script = os.path.join(engine.spool_dir, "scripts", str(rid))
    os.makedirs(os.path.dirname(script), exist_ok=True)
    with open(os.open(script, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o700), "w") as f:
        f.write(job.script)
    launch = engine.module.job_launch(job, engine, script)
    _Flags.scratch = launch.scratch_dirs
    env = launch.env
    if (
        job.node_names
    ):  # the batch script runs on the first node: `hostname` says so, ssh reaches the rest
        env = node_env(engine.spool_dir, job.node_names[0], env)
    cwd = launch.cwd
    if not os.path.isdir(cwd):
        if launch.cwd_fallback is None:
            return 1, 0
        cwd = launch.cwd_fallback
    try:
        out = _open_output(launch.stdout, launch.open_mode)
        err = out if launch.stderr is None else _open_output(launch.stderr, launch.open_mode)
    except OSError as e:
        print(f"job {job.job_id}: cannot open output: {e}", file=sys.stderr)
        return 1, 0
    try:
        proc = subprocess.Popen(
            launch.argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
    except OSError as e:
        print(f"job {job.job_id}: cannot start: {e}", file=sys.stderr)
        return 127 if isinstance(e, FileNotFoundError) else 126, 0
    finally:
        os.close(out)
        if err != out:
            os.close(err)
    deadline = job.start_time + job.walltime_s if job.walltime_s and job.start_time else None
    warn_at = None
    if launch.warn_signal and deadline is not None:
        warn_at = deadline - launch.warn_signal[1]
    grace = float(engine.config.get("kill_wait_s", 2.0))
    kill_at: float | None = None
    term_seen = False
    while True:
        pid, status = os.waitpid(proc.pid, os.WNOHANG)
        if pid:
            break
        now = time.time()
        if warn_at is not None and now >= warn_at and launch.warn_signal:
            _warn(engine, rid, proc.pid, launch.warn_signal)
            warn_at = None
        if deadline is not None and now >= deadline and kill_at is None:
            engine.mark(rid, TIMEOUT)
            _Flags.term = True
        if _Flags.term and not term_seen:
            term_seen = True
            signal_job(os.getpgid(0), signal.SIGTERM)  # our own handler ignores it; the job gets it
            kill_at = time.time() + grace
        if kill_at is not None and time.time() >= kill_at:
            os.kill(proc.pid, signal.SIGKILL)
            kill_at = float("inf")
        waits = [5.0]
        if deadline is not None and kill_at is None:
            waits.append(deadline - now)
        if warn_at is not None:
            waits.append(warn_at - now)
        if kill_at is not None and kill_at != float("inf"):
            waits.append(kill_at - now)
        select.select([wake_r], [], [], max(0.0, min(waits)))
        try:
            os.read(wake_r, 512)
        except BlockingIOError:
            pass
    if os.WIFSIGNALED(status):
        return 0, os.WTERMSIG(status)
    return os.WEXITSTATUS(status), 0


def _warn(engine: Engine, rid: int, script_pid: int, warn: tuple[int, float, bool]) -> None:
    """Send the wall-time warning signal: to the batch script alone, or to every running step's launcher
    (as Slurm's --signal does: "all job steps ... but not the batch shell itself" unless B: is given)."""
    signum, _, batch_only = warn
    job = engine.get(rid)
    pids = [script_pid] if batch_only or job is None else [
        s.pid for s in engine.steps(job) if s.end_time is None and s.pid
    ]  # fmt: skip
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def _open_output(path: str | None, mode: str) -> int:
    """Open a job output file as the scheduler would (truncate or append); None means /dev/null."""
    if path is None:
        return os.open(os.devnull, os.O_WRONLY)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    return os.open(path, flags, 0o644)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])

"""bsub -M enforced as LSF enforces it: a run-time limit on the job's resident memory, never a placement.

IBM LSF 10.1 bsub -M: the limit is passed to the operating system as a per-process RLIMIT_RSS (which Linux
ignores) unless LSB_JOB_MEMLIMIT=y or LSB_MEMLIMIT_ENFORCE=y in lsf.conf, or the limit ends in '!' (a hard
limit); then LSF kills the job when the memory of all its processes together exceeds the limit, sending
SIGINT, SIGTERM, then SIGKILL ("LSF memory limit enforcement", lsf.conf LSB_JOB_MEMLIMIT), and bjobs says
TERM_MEMLIMIT. The simulator does that by polling the resident set size (VmRSS in /proc) of every process
in the job's process group: RLIMIT_AS would limit virtual memory instead (a Python job maps far more than
it uses and would fail at an allocation, not be killed), and RLIMIT_RSS does nothing on Linux.

`wrap(argv, job, engine)` is called by jobenv.job_launch; the watcher then runs as the job's first process
(`python -I -S memlimit.py RID SPOOL LIMIT_KB KILL_WAIT -- argv...`) and the job's command as its child.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

POLL_S = (
    0.2  # how often the group's memory is measured (LSF's sbatchd samples every SBD_SLEEP_TIME)
)
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2")


def enforced(job: Job, config: dict[str, object]) -> bool:
    """Whether LSF kills this job when its memory exceeds -M (LSB_JOB_MEMLIMIT/_ENFORCE or '!')."""
    from clusterjob_sim.lsf.options import yes

    data = job.data
    if data.get("memlimit_kb") is None:
        return False
    return bool(
        data.get("memlimit_hard")
        or yes(config.get("job_memlimit"))
        or yes(config.get("memlimit_enforce"))
    )


def wrap(argv: list[str], job: Job, engine: Engine) -> list[str]:
    """argv run under the watcher when -M is enforced, else argv unchanged."""
    if not enforced(job, engine.config):
        return argv
    from clusterjob_sim.engine.processes import package_parent

    code = (
        f"import sys; sys.path.insert(0, {package_parent()!r}); "
        "from clusterjob_sim.lsf.memlimit import main; sys.exit(main(sys.argv[1:]))"
    )
    limit = float(job.data["memlimit_kb"])
    wait = float(engine.config.get("kill_wait_s", 2) or 0)
    return [
        sys.executable,
        "-I",
        "-S",
        "-c",
        code,
        str(job.rid),
        engine.spool_dir,
        str(limit),
        str(wait),
        "--",
        *argv,
    ]


def group_pids(pgid: int, skip: set[int]) -> list[int]:
    """The processes of the process group `pgid` but those in `skip` (the runner and the watcher)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in skip:
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
            if int(stat[stat.rindex(")") + 2 :].split()[2]) == pgid:  # field 5 of stat: pgrp
                pids.append(int(name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def rss_kb(pids: list[int]) -> int:
    """The resident memory (VmRSS, KB) of these processes together."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError, IndexError):
            continue
    return total


def main(args: list[str]) -> int:
    """Run the job's command as a child; kill the job (TERM_MEMLIMIT) when the group's RSS exceeds the limit."""
    import signal
    import subprocess
    import time

    rid, spool, limit_kb, wait = int(args[0]), args[1], float(args[2]), float(args[3])
    argv = args[5:]

    def ignore(signum: int, frame: object) -> None:
        """Signals to the job's group reach the command directly; the watcher outlives them."""

    for name in FORWARDED:
        signal.signal(getattr(signal, name), ignore)  # caught, not ignored: the child gets defaults
    try:
        child = subprocess.Popen(argv)
    except OSError as e:
        sys.stderr.write(f"{argv[0]}: {e.strerror}\n")
        return 127 if isinstance(e, FileNotFoundError) else 126
    pgid = os.getpgid(0)
    me = os.getpid()
    skip = {me, os.getppid()}  # the watcher and the engine's job runner are not the job's processes
    while child.poll() is None:
        if rss_kb(group_pids(pgid, skip)) > limit_kb:
            _kill(rid, spool, lambda: group_pids(pgid, skip), child, wait)
            break
        time.sleep(POLL_S)
    code = child.wait()
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(me, -code)
        return 128 - code
    return code


def _kill(rid: int, spool: str, pids: Callable[[], list[int]], child: object, wait: float) -> None:
    """Mark the job OUT_OF_MEMORY (bjobs: TERM_MEMLIMIT), then SIGINT, SIGTERM, SIGKILL its processes
    (each process, not the group: the engine's runner shares the group and must see the job end)."""
    import signal
    import subprocess
    import time

    from clusterjob_sim.engine.core import Engine

    engine = Engine(spool)
    try:
        engine.mark(rid, "OUT_OF_MEMORY")
    finally:
        engine.close()
    assert isinstance(child, subprocess.Popen)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        for pid in pids():
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        deadline = time.monotonic() + wait
        while child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if child.poll() is not None:
            return


if __name__ == "__main__":  # pragma: no cover - run through wrap()'s -c line
    sys.exit(main(sys.argv[1:]))

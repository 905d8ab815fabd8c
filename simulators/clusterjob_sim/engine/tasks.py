"""Starting the tasks of a job step on simulated nodes: what srun, pbsdsh, blaunch and qrsh -inherit share.

Each task runs here as a child of the launcher, in the job's process group (a cancel reaches it), with its own
environment (the node's: engine.nodes.node_env) and its output where the launcher says: inherited, or a file
opened once per distinct path so tasks sharing a file never truncate each other's lines. The launcher forwards
SIGINT, SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 to every task and returns each task's (exit code, signal).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2")


class Task:
    """One process of a step: what to run, where (node, cwd), with what environment and output files."""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        cwd: str,
        node: str,
        stdout: str | None = None,
        stderr: str | None = None,
        stdin: str | None = None,
    ) -> None:
        self.argv = argv
        self.env = env
        self.cwd = cwd
        self.node = node
        self.stdout = stdout  # a file path; None: the launcher's own stdout
        self.stderr = stderr  # a file path; None: the launcher's own stderr
        self.stdin = stdin  # a file path; None: /dev/null


def run_tasks(tasks: Sequence[Task], open_mode: str = "w") -> list[tuple[int, int]]:
    """Start every task, wait for all, and return (exit code, signal number) for each in order.

    A task that cannot start (no such program, not executable) ends with 127 or 126 and a message on the
    launcher's stderr, as a shell would say it.
    """
    import signal
    import subprocess
    import sys

    files: dict[str, int] = {}

    def opened(path: str | None, write: bool) -> int | None:
        if path is None:
            return None
        if path not in files:
            if write:
                mode = os.O_APPEND if open_mode == "a" else os.O_TRUNC
                files[path] = os.open(path, os.O_WRONLY | os.O_CREAT | mode, 0o644)
            else:
                files[path] = os.open(path, os.O_RDONLY)
        return files[path]

    procs: list[subprocess.Popen[bytes] | None] = []
    results: list[tuple[int, int]] = []

    def forward(signum: int, frame: object) -> None:
        for p in procs:
            if p is not None and p.returncode is None:
                try:
                    p.send_signal(signum)
                except ProcessLookupError:
                    pass

    previous = {}
    for name in FORWARDED:
        signum = getattr(signal, name)
        previous[signum] = signal.signal(signum, forward)
    try:
        for task in tasks:
            try:
                stdin = opened(task.stdin, False)
                procs.append(
                    subprocess.Popen(
                        task.argv,
                        env=task.env,
                        cwd=task.cwd,
                        stdin=subprocess.DEVNULL if stdin is None else stdin,
                        stdout=opened(task.stdout, True),
                        stderr=opened(task.stderr, True),
                    )
                )
            except OSError as e:
                sys.stderr.write(f"{task.argv[0]}: {e.strerror}\n")
                procs.append(None)
                results.append((127 if isinstance(e, FileNotFoundError) else 126, 0))
                continue
            results.append((0, 0))
        for i, p in enumerate(procs):
            if p is None:
                continue
            code = p.wait()
            results[i] = (0, -code) if code < 0 else (code, 0)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for fd in files.values():
            os.close(fd)
    return results

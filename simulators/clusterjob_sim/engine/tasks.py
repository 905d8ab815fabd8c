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
    from typing import Any

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
        label: str | None = None,
    ) -> None:
        self.argv = argv
        self.env = env
        self.cwd = cwd
        self.node = node
        self.stdout = stdout  # a file path; None: the launcher's own stdout
        self.stderr = stderr  # a file path; None: the launcher's own stderr
        self.stdin = stdin  # a file path; None: /dev/null
        # written before every line of the task's output and error (srun --label: "0: "); a last line without
        # its newline gets one
        self.label = label


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

    labeller = _Labeller()
    previous = {}
    for name in FORWARDED:
        signum = getattr(signal, name)
        previous[signum] = signal.signal(signum, forward)
    try:
        for task in tasks:
            try:
                stdin = opened(task.stdin, False)
                stdout, stderr = opened(task.stdout, True), opened(task.stderr, True)
                if task.label is not None:
                    stdout = labeller.pipe(task.label, 1 if stdout is None else stdout)
                    stderr = labeller.pipe(task.label, 2 if stderr is None else stderr)
                procs.append(
                    subprocess.Popen(
                        task.argv,
                        env=task.env,
                        cwd=task.cwd,
                        stdin=subprocess.DEVNULL if stdin is None else stdin,
                        stdout=stdout,
                        stderr=stderr,
                    )
                )
            except OSError as e:
                labeller.started()
                sys.stderr.write(f"{task.argv[0]}: {e.strerror}\n")
                procs.append(None)
                results.append((127 if isinstance(e, FileNotFoundError) else 126, 0))
                continue
            labeller.started()
            results.append((0, 0))
        for i, p in enumerate(procs):
            if p is None:
                continue
            code = p.wait()
            results[i] = (0, -code) if code < 0 else (code, 0)
        labeller.drain()
    finally:
        labeller.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for fd in files.values():
            os.close(fd)
    return results


class _Labeller:
    """Copies labelled tasks' output, line by line with the label in front, to where it goes (one thread per
    stream; a lock per destination keeps lines whole)."""

    def __init__(self) -> None:
        self.threads: list[Any] = []
        self.locks: dict[int, Any] = {}
        self.child_ends: list[int] = []

    def pipe(self, label: str, dest: int) -> int:
        """A pipe whose reading end is copied to `dest` with `label`; returns the writing end for the task."""
        import threading

        read_end, write_end = os.pipe()
        self.child_ends.append(write_end)
        lock = self.locks.setdefault(dest, threading.Lock())
        thread = threading.Thread(
            target=_copy_labelled, args=(read_end, dest, label.encode(), lock)
        )
        thread.daemon = True
        thread.start()
        self.threads.append(thread)
        return write_end

    def started(self) -> None:
        """The task has its ends of the pipes (or could not start): close ours, so that each copy ends when
        the task's output does."""
        for fd in self.child_ends:
            os.close(fd)
        self.child_ends = []

    def drain(self) -> None:
        """Wait until every copy has reached the end of its task's output."""
        for thread in self.threads:
            thread.join()

    def close(self) -> None:
        for fd in self.child_ends:  # a task that could not start
            os.close(fd)
        self.child_ends = []


def _copy_labelled(read_end: int, dest: int, label: bytes, lock: Any) -> None:
    """Copy one stream to `dest`, each line (a last one without newline gets one) after `label`."""
    pending = b""
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        while True:
            chunk = stream.read(65536)
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            if lines:
                with lock:
                    _write_all(dest, b"".join(label + line + b"\n" for line in lines))
    if pending:
        with lock:
            _write_all(dest, label + pending + b"\n")


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]

"""What the command line shows while a person waits for a run: a live line with the run's state and the
time elapsed, redrawn in place on a terminal and silent otherwise; and, on Ctrl-C, how to follow the run
that keeps going. Plain carriage returns and spaces, no terminal library (the library has no dependency)."""

from __future__ import annotations

import shlex
import shutil
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from clusterjob.status import str_status

if TYPE_CHECKING:
    from clusterjob.result import AsyncResult

__all__ = [
    "WaitLine",
    "follow_commands",
    "format_elapsed",
    "interrupted_message",
    "wait_with_progress",
]

TICK = 1.0
"""Seconds between redraws of the live line (the scheduler is asked only at the run's own pace)."""


def format_elapsed(seconds: float) -> str:
    """``H:MM:SS`` (``D-HH:MM:SS`` past a day), as schedulers print elapsed times."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{days}-{hours:02d}:{minutes:02d}:{secs:02d}" if days else clock


class WaitLine:
    """One line redrawn in place on `stream` when it is a terminal; does nothing when it is not."""

    def __init__(
        self,
        stream: TextIO,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.stream = stream
        self.enabled = _is_terminal(stream) if enabled is None else enabled
        self.clock = clock
        self._shown = 0

    def show(self, text: str) -> None:
        """Replace the line with `text` (cut to the terminal's width, so it never wraps)."""
        if not self.enabled:
            return
        width = max(10, shutil.get_terminal_size((80, 24)).columns - 1)
        text = text[:width]
        self.stream.write("\r" + text.ljust(self._shown))
        self.stream.flush()
        self._shown = len(text)

    def clear(self) -> None:
        """Erase the line, leaving the cursor at its start (what follows prints on a clean line)."""
        if not self.enabled or not self._shown:
            return
        self.stream.write("\r" + " " * self._shown + "\r")
        self.stream.flush()
        self._shown = 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False


def wait_with_progress(
    result: AsyncResult, stream: TextIO, timeout: float | None = None, enabled: bool | None = None
) -> int:
    """result.get(timeout), showing "job ID (backend): STATE, H:MM:SS since submission" on `stream`
    while it waits (a terminal only); the line is erased when the wait ends, however it ends."""
    line = WaitLine(stream, enabled)
    start = line.clock()
    since = result.submitted_at if result.submitted_at is not None else start
    what = "since submission" if result.submitted_at is not None else "waited"

    def draw() -> None:
        state = str_status(result.last_status)
        line.show(
            f"job {result.job_id} ({result.backend}): {state}, "
            f"{format_elapsed(line.clock() - since)} {what}"
        )

    original = result._sleep  # the pauses between polls: redraw through them

    def sleep(seconds: float) -> None:
        end = time.monotonic() + seconds
        while True:
            draw()
            left = end - time.monotonic()
            if left <= 0:
                return
            original(min(TICK, left))

    if line.enabled:
        result._sleep = sleep
        draw()
    try:
        return result.get(timeout)
    finally:
        result._sleep = original
        line.clear()


def follow_commands(result: AsyncResult) -> dict[str, str]:
    """The exact commands that follow, show and cancel `result` later: by its cache file if it has
    one, else by job id, backend and ssh host."""
    if result.cache_file:
        target = [result.cache_file]
    else:
        target = ["--job-id", result.job_id, "--backend", result.backend]
        host = getattr(result.runner, "host", None)
        if isinstance(host, str) and host:
            target += ["--remote", host]
    return {
        verb: shlex.join(["clusterjob", verb, *target]) for verb in ("wait", "status", "cancel")
    }


def interrupted_message(result: AsyncResult) -> str:
    """What Ctrl-C during a wait prints: the run keeps going, and how to follow or cancel it."""
    commands = follow_commands(result)
    return (
        f"clusterjob: interrupted; job {result.job_id} ({result.backend}) was not cancelled "
        f"(last status {str_status(result.last_status)}).\n"
        f"  follow it:  {commands['wait']}\n"
        f"  status:     {commands['status']}\n"
        f"  cancel it:  {commands['cancel']}\n"
    )

"""AsyncResult: one submitted run -- status polled with back-off, wait/get/cancel, and a JSON cache file.

The cache lets a program that restarts pick up its runs instead of submitting them again; it is JSON
(never pickle), written atomically with mode 0600, and checked field by field when read back.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from clusterjob.backends import ClusterjobBackend, get_backend
from clusterjob.errors import (
    CacheError,
    EpilogueWarning,
    JobLostError,
    SchedulerMismatchError,
    TransientCommandError,
)
from clusterjob.runners import CommandOutput, LocalRunner, Runner
from clusterjob.status import (
    CANCELLED,
    COMPLETED,
    PENDING,
    STATUS_CODES,
    UNKNOWN,
    is_finished,
    str_status,
)

__all__ = [
    "CACHE_FORMAT",
    "CACHE_VERSION",
    "AsyncResult",
    "batched_writes",
    "flush_folder",
    "is_unreadable",
    "write_atomically",
]

CACHE_FORMAT = "clusterjob.AsyncResult"
CACHE_VERSION = 1


_batch = threading.local()


@contextlib.contextmanager
def batched_writes() -> Iterator[None]:
    """Inside this block (per thread), write_atomically still writes, fsyncs and renames each file, but
    fsyncs each folder once, on leaving the block (or at flush_folder), instead of once per file.

    Why this is safe: a file's content is durable before its rename (so a crash leaves the old or the
    new content, never a torn file, as before); only the renames wait for their folder's fsync, so a
    crash inside the block may undo status updates made in it -- and nothing outside has been told of
    them yet. A cache file is created at submission before the block is ever entered (submission.py
    writes it with its own folder fsync), so a crash can never lose a submitted job, only turn it back
    to its last durable status, which the next poll asks again. What must not be undone before an
    action outside (an epilogue that runs once) calls flush_folder first. Nested blocks join the
    outermost.
    """
    if getattr(_batch, "folders", None) is not None:
        yield
        return
    _batch.folders = set()
    try:
        yield
    finally:
        folders, _batch.folders = _batch.folders, None
        for folder in sorted(folders):
            _fsync_folder(folder)


def flush_folder(path: str | os.PathLike[str]) -> None:
    """Make the renames of a batched_writes block in the folder of `path` durable now (no-op outside)."""
    folders = getattr(_batch, "folders", None)
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    if folders is not None and folder in folders:
        folders.discard(folder)
        _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_atomically(
    path: str | os.PathLike[str], text: str, mode: int = 0o600, exclusive: bool = False
) -> None:
    """Write `text` so that `path` holds either the old or the whole new content, even after a crash.

    A temporary file in the same folder is written, fsync'ed and renamed over `path`; then the folder is
    fsync'ed so the rename itself is durable (inside batched_writes, once per folder at the end of the
    block; an exclusive write, which creates a file, always at once). Parent folders are created.
    exclusive=True: FileExistsError if `path` exists (the file is hard-linked into place, so two writers
    cannot both succeed).
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    prefix = f".{os.path.basename(target)[:100]}."
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        if exclusive:
            os.link(temporary, target)
            os.unlink(temporary)
        else:
            os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    pending = getattr(_batch, "folders", None)
    if pending is not None and not exclusive:
        pending.add(folder)
    else:
        _fsync_folder(folder)


def _positive_number(value: object) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and value > 0
    )


SILENT_POLLS_MEAN_CANCELLED = 3
"""After cancel(), this many unanswered polls in a row mean the job is gone: CANCELLED. One is not enough:
a garbled answer, or accounting that lags (Grid Engine writes qacct a moment after the end), would turn a
job that really completed into CANCELLED. Only a job the scheduler has reported a state for counts: an id
it never knew stays UNKNOWN after cancel()."""

MISMATCH_POLLS = 5
"""This many polls in a row whose status command succeeded with output the backend cannot read end wait()
with SchedulerMismatchError (a backend for another scheduler, or states it does not know). Not fewer: a
scheduler may now and then print junk (the conformance suite's faults do), and one such answer must not
end a wait; with wait()'s doubling pauses five polls take about 15 s."""


DEFAULT_LOST_AFTER = 3600.0
"""Seconds the scheduler may not know a job before wait() gives up (the `lost_after` attribute's default)."""

LOST_MIN_POLLS = 3
"""A job counts as lost only after at least this many unanswered polls in a row (and `lost_after` seconds)."""


class AsyncResult:
    """One submitted run: ask its status, wait for it, cancel it, and cache it as JSON.

    Once the scheduler reports a final status (COMPLETED, CANCELLED, FAILED) the scheduler is never asked
    again, and the epilogue runs once (locally, in the current folder, as in the original clusterjob).
    """

    from_cache: bool = False
    """True when submit() returned an earlier run cached under the same cache id (nothing submitted)."""

    def __init__(
        self,
        backend: str | ClusterjobBackend,
        job_id: str,
        runner: Runner | None = None,
        *,
        workdir: str = "",
        jobname: str = "",
        cache_file: str | None = None,
        epilogue: str = "",
        max_sleep_interval: float = 900,
        submitted_at: float | None = None,
        status: int = UNKNOWN,
        epilogue_done: bool = False,
        cancel_requested: bool = False,
        unknown_count: int = 0,
        unknown_since: float | None = None,
        lost_after: float = DEFAULT_LOST_AFTER,
        unreadable_count: int = 0,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
        epilogue_runner: Runner | None = None,
    ) -> None:
        if isinstance(backend, ClusterjobBackend):
            self._backend: ClusterjobBackend | None = backend
            self.backend: str = backend.name
        elif isinstance(backend, str) and backend:
            self._backend = None
            self.backend = backend
        else:
            raise TypeError(f"backend must be a backend name or instance, got {backend!r}")
        if not isinstance(job_id, str) or not job_id:
            raise ValueError(f"job_id must be a non-empty str, got {job_id!r}")
        if not _positive_number(max_sleep_interval):
            raise ValueError(
                f"max_sleep_interval must be a positive number, got {max_sleep_interval!r}"
            )
        if not _positive_number(lost_after):
            raise ValueError(f"lost_after must be a positive number of seconds, got {lost_after!r}")
        if status not in STATUS_CODES and status != UNKNOWN:
            raise ValueError(
                f"status must be one of {sorted(STATUS_CODES)} or UNKNOWN ({UNKNOWN}), got {status!r}"
            )
        self.job_id = job_id
        self.runner: Runner = runner if runner is not None else LocalRunner()
        self.workdir = workdir
        self.jobname = jobname
        self.cache_file = cache_file
        self.epilogue = epilogue
        self.max_sleep_interval = max_sleep_interval
        self.submitted_at = submitted_at
        self.epilogue_done = epilogue_done
        self.cancel_requested = cancel_requested
        self.unknown_count = unknown_count
        """How many status queries in a row the scheduler could not answer (0 after any answer)."""
        self.unknown_since = unknown_since
        """Wall-clock time (time.time) of the first of those unanswered queries; None after an answer."""
        self.lost_after = lost_after
        """Seconds the scheduler may not know the job before wait() gives up with JobLostError."""
        self.unreadable_count = unreadable_count
        """How many polls in a row got output the backend could not read (0 after any other answer)."""
        self.last_unreadable: CommandOutput | None = None
        """The last such answer (this process only): what SchedulerMismatchError shows."""
        self.last_error: TransientCommandError | None = None
        self.epilogue_output: CommandOutput | None = None
        self._status = status
        self._sleep: Callable[[float], object] = sleep if sleep is not None else time.sleep
        self._clock: Callable[[], float] = clock if clock is not None else time.monotonic
        self._wall_clock: Callable[[], float] = wall_clock if wall_clock is not None else time.time
        self._epilogue_runner = epilogue_runner

    # ---------------------------------------------------------------------------------- status

    @property
    def backend_instance(self) -> ClusterjobBackend:
        """The backend object: the instance given, or the one registered under `backend`."""
        return self._backend if self._backend is not None else get_backend(self.backend)

    @property
    def last_status(self) -> int:
        """The last known status, without asking the scheduler (UNKNOWN until the scheduler reported one)."""
        return self._status

    @property
    def established(self) -> bool:
        """Whether the scheduler has reported a state for this run at least once."""
        return self._status != UNKNOWN

    @property
    def status(self) -> int:
        """The current status code; asks the scheduler only while the run is not finished.

        UNKNOWN while the scheduler has never reported a state for the run (a job id it does not know);
        after that, the last state it reported when it does not answer (see `unknown_count`, `lost`).
        """
        if not is_finished(self._status):
            self.apply_status(*self._query())
        elif not self.epilogue_done:
            self._finish()
        return self._status

    def query_status(self) -> int | None:
        """Ask the scheduler (running view, then the finished view); None if neither answers."""
        return self._query()[0]

    def _query(self) -> tuple[int | None, CommandOutput | None]:
        """(status or None, the first answer the backend could not read when there was no status)."""
        backend = self.backend_instance
        unreadable: CommandOutput | None = None
        for finished in (False, True):
            out = self.runner.run(backend.cmd_status(self, finished=finished))
            status = backend.get_status(out.stdout, finished=finished)
            if status in STATUS_CODES:
                return status, None
            if unreadable is None and is_unreadable(out):
                unreadable = out
        return None, unreadable

    def apply_status(self, status: int | None, unreadable: CommandOutput | None = None) -> None:
        """Record an answer of the scheduler (None: no answer; `unreadable`: the output, when the status
        command succeeded but the backend could not read it); a final one triggers the epilogue once."""
        if is_finished(self._status):
            return
        if status is None or status not in STATUS_CODES:
            self.unknown_count += 1
            if self.unknown_since is None:
                self.unknown_since = self._wall_clock()
            if unreadable is not None:
                self.unreadable_count += 1
                self.last_unreadable = unreadable
            else:
                self.unreadable_count = 0
            if (
                self.cancel_requested
                and self.established
                and unreadable is None
                and self.unknown_count >= SILENT_POLLS_MEAN_CANCELLED
            ):
                status = CANCELLED  # the scheduler forgot the job after we cancelled it
            else:
                self._save()
                return
        self.unknown_count = 0
        self.unknown_since = None
        self.unreadable_count = 0
        self.last_unreadable = None
        changed = status != self._status
        self._status = status
        if is_finished(status):
            self._finish()
        elif changed:
            self._save()

    @property
    def lost(self) -> bool:
        """Whether the scheduler has not known this unfinished job for `lost_after` seconds and at least
        LOST_MIN_POLLS polls in a row (no answer either way: a scheduler that is down is not counted)."""
        return (
            not is_finished(self._status)
            and not (self.cancel_requested and self.established)
            and self.unknown_since is not None
            and self.unknown_count >= LOST_MIN_POLLS
            and self._wall_clock() - self.unknown_since >= self.lost_after
        )

    def raise_if_lost(self) -> None:
        """JobLostError if the job is `lost` (what wait() and get() raise; the CLI uses it too)."""
        if self.lost:
            assert self.unknown_since is not None
            raise JobLostError(
                self.job_id,
                self.backend,
                str_status(self._status),
                self.unknown_count,
                self._wall_clock() - self.unknown_since,
            )

    @property
    def mismatched(self) -> bool:
        """Whether the last MISMATCH_POLLS polls in a row got answers the backend could not read."""
        return (
            not is_finished(self._status)
            and self.last_unreadable is not None
            and self.unreadable_count >= MISMATCH_POLLS
        )

    def raise_if_mismatched(self) -> None:
        """SchedulerMismatchError if the job is `mismatched` (what wait() raises; the CLI uses it too)."""
        out = self.last_unreadable
        if self.mismatched and out is not None:
            raise SchedulerMismatchError(
                self.job_id, self.backend, out.command, out.stdout, self.unreadable_count
            )

    def _finish(self) -> None:
        """Persist the final status, then run the epilogue (if any) once and persist that it ran.

        Without an epilogue there is nothing to run, so the final status and epilogue_done go in one write.
        With one, the final status is made durable (flush_folder) before the epilogue runs."""
        if not self.epilogue:
            self.epilogue_done = True
        self._save()
        if self.epilogue_done:
            return
        if self.epilogue:
            if self.cache_file:
                flush_folder(self.cache_file)
            runner = self._epilogue_runner or LocalRunner()
            self.epilogue_output = runner.run_script(self.epilogue)
        self.epilogue_done = True
        self._save()
        out = self.epilogue_output
        if out is not None and out.returncode != 0:
            warnings.warn(
                EpilogueWarning(
                    f"epilogue of job {self.job_id} exited with code {out.returncode}: "
                    f"{out.stderr.strip() or out.stdout.strip()}"
                ),
                stacklevel=3,
            )

    def _save(self) -> None:
        if self.cache_file:
            self.dump()

    # ---------------------------------------------------------------------------------- multiprocessing-like

    def ready(self) -> bool:
        """Whether the run has finished (asks the scheduler if needed)."""
        return is_finished(self.status)

    def successful(self) -> bool:
        """Whether the run completed successfully; ValueError if it has not finished yet."""
        if not self.ready():
            raise ValueError(f"job {self.job_id} is not finished yet ({str_status(self._status)})")
        return self._status == COMPLETED

    def wait(self, timeout: float | None = None) -> None:
        """Poll until the run finishes or `timeout` seconds pass; pauses double from 1 s up to the cap.

        Transient failures of the status command (scheduler unreachable) do not end the wait; the last one
        is kept in `last_error`. JobLostError when the scheduler has stopped knowing the job (`lost`);
        SchedulerMismatchError when its answers cannot be read (`mismatched`).
        """
        deadline = None if timeout is None else self._clock() + timeout
        delay = min(1.0, float(self.max_sleep_interval))
        while True:
            try:
                status = self.status
            except TransientCommandError as exc:
                self.last_error = exc
                self.unknown_count += 1
                status = self._status
            if is_finished(status):
                return
            self.raise_if_mismatched()
            self.raise_if_lost()
            pause = delay
            if deadline is not None:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    return
                pause = min(delay, remaining)
            self._sleep(pause)
            delay = min(delay * 2, float(self.max_sleep_interval))

    def get(self, timeout: float | None = None) -> int:
        """Wait for the run and return its final status code; TimeoutError if `timeout` passes first,
        JobLostError if the scheduler stops knowing the job, SchedulerMismatchError if its answers
        cannot be read."""
        self.wait(timeout)
        if not is_finished(self._status):
            raise TimeoutError(
                f"job {self.job_id} did not finish within {timeout} s "
                f"(last status {str_status(self._status)})"
            )
        return self._status

    def cancel(self) -> None:
        """Ask the scheduler to cancel the run, then re-poll; once the scheduler has forgotten a run it had
        reported a state for, it is CANCELLED (an id it never knew stays UNKNOWN)."""
        if is_finished(self._status):
            return
        self.runner.run(self.backend_instance.cmd_cancel(self))
        self.cancel_requested = True
        self._save()
        self.apply_status(*self._query())

    # ---------------------------------------------------------------------------------- JSON cache

    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe cache content (format marker and version first).

        "status" holds one of the original codes (PENDING while no state is established, so that older
        clusterjob releases still read the file) and "status_seen" whether the scheduler reported it.
        """
        return {
            "format": CACHE_FORMAT,
            "version": CACHE_VERSION,
            "job_id": self.job_id,
            "backend": self.backend,
            "runner": self.runner.to_dict(),
            "workdir": self.workdir,
            "jobname": self.jobname,
            "epilogue": self.epilogue,
            "max_sleep_interval": self.max_sleep_interval,
            "submitted_at": self.submitted_at,
            "status": PENDING if self._status == UNKNOWN else self._status,
            "status_seen": self._status != UNKNOWN,
            "epilogue_done": self.epilogue_done,
            "cancel_requested": self.cancel_requested,
            "unknown_count": self.unknown_count,
            "unknown_since": self.unknown_since,
            "lost_after": self.lost_after,
            "unreadable_count": self.unreadable_count,
        }

    def dump(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write the cache file (default: `cache_file`) atomically, readable by the owner only."""
        target = path if path is not None else self.cache_file
        if target is None:
            raise ValueError(f"job {self.job_id}: no path given and no cache_file set")
        write_atomically(target, json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n")

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], backend: str | ClusterjobBackend | None = None
    ) -> AsyncResult:
        """Read a cache file written by dump(); CacheError says what is wrong with a bad one.

        `backend` overrides the registry lookup of the backend name stored in the file (which raises
        UnknownBackendError when nothing is registered under it).
        """
        name = os.fspath(path)
        try:
            with open(name, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            raise CacheError(f"cannot read cache file {name!r}: {exc.strerror or exc}") from exc
        if not raw.strip():
            raise CacheError(f"cache file {name!r} is empty (a crash while it was first written?)")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CacheError(
                f"cache file {name!r} is not valid JSON (truncated or corrupt): {exc}"
            ) from exc
        fields = _check_fields(data, name)
        try:
            runner = Runner.from_dict(fields["runner"])
        except (ValueError, TypeError) as exc:
            raise CacheError(f"cache file {name!r} has a bad 'runner' entry: {exc}") from exc
        backend_obj = get_backend(backend if backend is not None else fields["backend"])
        result = cls(
            backend_obj,
            fields["job_id"],
            runner,
            workdir=fields["workdir"],
            jobname=fields["jobname"],
            cache_file=name,
            epilogue=fields["epilogue"],
            max_sleep_interval=fields["max_sleep_interval"],
            submitted_at=fields["submitted_at"],
            status=fields["status"] if fields["status_seen"] else UNKNOWN,
            epilogue_done=fields["epilogue_done"],
            cancel_requested=fields["cancel_requested"],
            unknown_count=fields["unknown_count"],
            unknown_since=fields["unknown_since"],
            lost_after=fields["lost_after"],
            unreadable_count=fields["unreadable_count"],
        )
        if backend is None or isinstance(backend, str):
            result.backend = fields["backend"] if backend is None else backend
        return result

    def __repr__(self) -> str:
        return (
            f"<AsyncResult job {self.job_id} backend={self.backend!r} on {self.runner.describe()}: "
            f"{str_status(self._status)}>"
        )


def is_unreadable(out: CommandOutput) -> bool:
    """Whether a status command succeeded and printed something (the backend found no status in it)."""
    return out.returncode == 0 and bool(out.stdout.strip())


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_optional_time(value: object) -> bool:
    return value is None or (
        not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    )


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "job_id": (lambda v: isinstance(v, str) and bool(v), "a non-empty string"),
    "backend": (lambda v: isinstance(v, str) and bool(v), "a non-empty string"),
    "runner": (lambda v: isinstance(v, dict), "an object"),
    "workdir": (_is_str, "a string"),
    "jobname": (_is_str, "a string"),
    "epilogue": (_is_str, "a string"),
    "max_sleep_interval": (_positive_number, "a positive number"),
    "submitted_at": (_is_optional_time, "a number or null"),
    "status": (
        lambda v: isinstance(v, int) and not isinstance(v, bool) and v in STATUS_CODES,
        f"one of the status codes {sorted(STATUS_CODES)}",
    ),
    "epilogue_done": (lambda v: isinstance(v, bool), "true or false"),
    "cancel_requested": (lambda v: isinstance(v, bool), "true or false"),
    "unknown_count": (_is_count, "a count >= 0"),
    "unknown_since": (_is_optional_time, "a number or null"),
    "lost_after": (_positive_number, "a positive number"),
    "status_seen": (lambda v: isinstance(v, bool), "true or false"),
    "unreadable_count": (_is_count, "a count >= 0"),
}
_OPTIONAL = {
    "submitted_at": None,
    "cancel_requested": False,
    "unknown_count": 0,
    "unknown_since": None,
    "lost_after": DEFAULT_LOST_AFTER,
    "unreadable_count": 0,
    "status_seen": None,  # computed in _check_fields: files written before it existed hold PENDING
    # also for runs never seen, so only another state proves an answer (the next poll re-establishes it)
}


def _check_fields(data: object, name: str) -> dict[str, Any]:
    """The cache fields, each checked; CacheError names the file and the first problem."""
    if not isinstance(data, Mapping) or data.get("format") != CACHE_FORMAT:
        found = data.get("format") if isinstance(data, Mapping) else type(data).__name__
        raise CacheError(
            f"cache file {name!r} is not a clusterjob AsyncResult cache (expected "
            f'"format": "{CACHE_FORMAT}", found {found!r}); was another file given the same name?'
        )
    version = data.get("version")
    if version != CACHE_VERSION:
        raise CacheError(
            f"cache file {name!r} has version {version!r}, but this clusterjob reads version "
            f"{CACHE_VERSION}; it was written by another clusterjob release"
        )
    fields: dict[str, Any] = {}
    for key, (ok, expected) in _FIELDS.items():
        if key not in data and key in _OPTIONAL:
            fields[key] = _OPTIONAL[key]
            continue
        if key not in data:
            raise CacheError(f"cache file {name!r} lacks the field {key!r}")
        value = data[key]
        if not ok(value):
            raise CacheError(
                f"cache file {name!r}: field {key!r} must be {expected}, got {value!r}"
            )
        fields[key] = value
    if "status_seen" not in data:
        fields["status_seen"] = fields["status"] != PENDING
    elif not fields["status_seen"] and fields["status"] != PENDING:
        raise CacheError(
            f"cache file {name!r}: field 'status' must be {PENDING} (PENDING) when 'status_seen' is "
            f"false, got {fields['status']!r}"
        )
    return fields

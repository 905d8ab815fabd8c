"""Exceptions a user of clusterjob can meet, each saying what was wrong and what to do."""

from __future__ import annotations

import shlex
from collections.abc import Sequence


class ClusterjobError(Exception):
    """Base class of every error clusterjob raises on purpose."""


class InvalidResourceError(ClusterjobError, ValueError):
    """A resource or attribute value is malformed; names the key, the value and the accepted forms."""

    def __init__(self, key: str, value: object, accepted: str, reason: str = "") -> None:
        self.key = key
        self.value = value
        self.accepted = accepted
        self.reason = reason
        why = f" ({reason})" if reason else ""
        super().__init__(f"invalid value {value!r} for {key!r}{why}; accepted: {accepted}")


class UnknownBackendError(ClusterjobError, LookupError):
    """No backend is registered under the requested name."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = sorted(known)
        listing = ", ".join(self.known) or "(none)"
        super().__init__(f"unknown backend {name!r}; registered backends: {listing}")

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class SettingsError(ClusterjobError):
    """A settings file cannot be read or holds something clusterjob does not understand."""


class CacheError(ClusterjobError):
    """A cache file is truncated, corrupt, or not a clusterjob cache file."""


class CommandError(ClusterjobError):
    """A scheduler command failed for good; carries the command, exit code and output."""

    def __init__(
        self,
        command: Sequence[str] | str,
        returncode: int | None,
        stdout: str = "",
        stderr: str = "",
        message: str = "",
    ) -> None:
        self.command = command
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        shown = command if isinstance(command, str) else shlex.join(command)
        detail = message or f"exit code {returncode}"
        err = stderr.strip()
        tail = f": {err}" if err else ""
        super().__init__(f"command {shown!r} failed ({detail}){tail}")


class TransientCommandError(CommandError):
    """A command kept failing in a way that is usually temporary (time-out, scheduler unreachable)."""


class JobLostError(ClusterjobError):
    """The scheduler has not known a job, in its running or its finished view, for too long: waiting
    longer cannot tell how it ended. Nothing is removed: the cache file keeps the run."""

    def __init__(
        self, job_id: str, backend: str, last_status: str, silent_polls: int, silent_seconds: float
    ) -> None:
        self.job_id = job_id
        self.backend = backend
        self.last_status = last_status
        self.silent_polls = silent_polls
        self.silent_seconds = silent_seconds
        super().__init__(
            f"job {job_id} ({backend}) is lost: neither the scheduler's queue nor its accounting has "
            f"known it for {silent_seconds:.0f} s ({silent_polls} polls in a row); "
            + (
                "it never reported a state for it (is the job id right?)"
                if last_status == "UNKNOWN"
                else f"its last known status was {last_status}"
            )
            + ". The scheduler may have purged it (accounting switched off or "
            "expired) or its answers could not be read; look at the job's output files. Raise "
            "lost_after to wait longer; .status keeps asking."
        )


class SchedulerMismatchError(ClusterjobError):
    """The scheduler keeps answering status queries with text the backend cannot read: most often a
    backend for another scheduler (the pbspro backend on a Torque server, say). Waiting cannot help."""

    def __init__(
        self, job_id: str, backend: str, command: Sequence[str] | str, answer: str, polls: int
    ) -> None:
        self.job_id = job_id
        self.backend = backend
        self.command = command
        self.answer = answer
        self.polls = polls
        shown = command if isinstance(command, str) else shlex.join(command)
        excerpt = answer.strip()
        if len(excerpt) > 300:
            excerpt = excerpt[:300] + "..."
        super().__init__(
            f"the {backend!r} backend cannot read the scheduler's answers about job {job_id} "
            f"({polls} polls in a row): {shown!r} succeeded but printed {excerpt!r}. Is the scheduler "
            f"on PATH (or on the remote host) the one the {backend!r} backend is for? Choose the "
            "backend of that scheduler (`clusterjob backends`)."
        )


class SubmissionError(ClusterjobError):
    """The scheduler's answer to a submission held no job id: it refused the job (its own words lead
    the message) or answered something the backend cannot read."""

    def __init__(
        self,
        command: Sequence[str] | str,
        stdout: str,
        stderr: str,
        returncode: int | None = None,
    ) -> None:
        self.command = command
        self.stdout = stdout
        self.stderr = stderr
        self.returncode = returncode
        shown = command if isinstance(command, str) else shlex.join(command)
        said = [" | ".join(t.strip().splitlines()) for t in (stderr, stdout) if t.strip()]
        words = "; ".join(said) or "(nothing)"
        if returncode:
            message = (
                f"the scheduler refused the job: {words} (exit code {returncode} of {shown!r})"
            )
        else:
            code = "" if returncode is None else "exit code 0, "
            message = (
                f"the scheduler answered {words} ({code}{shown!r}), and the backend found no job id "
                "in that answer"
            )
        super().__init__(message)


class SubmissionInDoubtError(CacheError):
    """An earlier submission under the same cache id was interrupted; whether the job exists is unknown."""

    def __init__(self, cache_file: str, marker: str, detail: str = "") -> None:
        self.cache_file = cache_file
        self.marker = marker
        self.detail = detail
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"an earlier submission for cache file {cache_file!r} was interrupted before its job id was "
            f"recorded{extra}, so it may or may not have reached the scheduler. Check the scheduler's queue "
            f"for the job; if it is there, wait for it or cancel it. To submit again, pass force=True "
            f"(or delete the marker {marker!r}); make sure no other process is submitting it right now."
        )


class ResourceKeyWarning(UserWarning):
    """A JobScript keyword that is no common key but looks like a misspelled one (``memory=`` for
    ``mem=``): it is passed to the scheduler as a raw option, which is probably not what was meant."""


class EpilogueWarning(UserWarning):
    """The epilogue of a finished run exited non-zero (the run's status is unaffected)."""

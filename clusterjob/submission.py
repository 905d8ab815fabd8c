"""submit_jobscript: render, upload and submit a JobScript, and cache the run so it is never submitted twice.

Restart-safe protocol for a cached submission (cache file C): (a) atomically write the marker C.submitting;
(b) run the submit command with its stdout going straight to C.response, so the scheduler's answer is on
disk even if this process dies; (c) parse the job id, dump C, remove marker and response. A rerun that finds
the marker recovers the job id from C.response, or, if there is none, refuses to guess
(SubmissionInDoubtError) until the user checks the scheduler and passes force=True.
"""

from __future__ import annotations

import json
import os
import posixpath
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clusterjob.errors import (
    CacheError,
    CommandError,
    InvalidResourceError,
    SubmissionError,
    SubmissionInDoubtError,
    TransientCommandError,
)
from clusterjob.result import AsyncResult, flush_folder, write_atomically
from clusterjob.runners import LocalRunner, Runner, runner_for, split_command

if TYPE_CHECKING:
    from clusterjob.backends import ClusterjobBackend
    from clusterjob.jobscript import JobScript

__all__ = ["CachePaths", "cache_paths", "submit_jobscript"]

MARKER_FORMAT = "clusterjob.submitting"
MARKER_SUFFIX = ".submitting"
"""A cache file's name plus this is its marker: a submission under way (or interrupted) for it."""
_NAME_FORMS = "a non-empty string without '/', '\\' or NUL characters"


@dataclass(frozen=True)
class CachePaths:
    """The three local files of one cached submission."""

    cache: str
    marker: str
    response: str

    def cleanup(self) -> None:
        """Remove marker and response (after the cache file holds the job id, or nothing was submitted)."""
        for path in (self.marker, self.response):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def _check_name(value: object, key: str) -> str:
    if not isinstance(value, str) or not value or any(c in value for c in "/\\\x00"):
        raise InvalidResourceError(key, value, _NAME_FORMS)
    if value in (".", ".."):
        raise InvalidResourceError(key, value, _NAME_FORMS, "not a name")
    return value


def cache_paths(cache_folder: str, cache_prefix: str, cache_id: str) -> CachePaths:
    """``<cache_folder>/<cache_prefix>.<cache_id>.json`` and its ``.submitting``/``.response`` siblings."""
    _check_name(cache_id, "cache_id")
    _check_name(cache_prefix, "cache_prefix")
    cache = os.path.join(os.path.expanduser(cache_folder), f"{cache_prefix}.{cache_id}.json")
    return CachePaths(cache, cache + MARKER_SUFFIX, cache + ".response")


def submit_jobscript(
    jobscript: JobScript,
    block: bool = False,
    cache_id: str | None = None,
    force: bool = False,
    retry: bool = True,
    *,
    runner: Runner | None = None,
) -> AsyncResult:
    """Submit `jobscript` and return its AsyncResult; with `cache_id`, a cached run is returned instead.

    block: wait until the run has finished. force: submit even if a cache file or an interrupted
    submission exists for `cache_id`. retry: retry the submit command on failures that mean "not submitted,
    try again". runner: where commands run (default: from the jobscript's `remote`, `ssh`, `scp`).
    """
    text = jobscript.render()
    backend = jobscript.backend_instance
    if runner is None:
        runner = runner_for(
            jobscript.remote, jobscript.ssh, jobscript.scp, timeout=jobscript.submit_timeout
        )
    paths = None
    if cache_id is not None:
        if not jobscript.cache_folder:
            raise InvalidResourceError(
                "cache_folder",
                jobscript.cache_folder,
                "a folder for cache files",
                f"cache_id {cache_id!r} was given, but caching needs a cache_folder",
            )
        paths = cache_paths(jobscript.cache_folder, jobscript.cache_prefix, cache_id)
        if force:
            paths.cleanup()
        else:
            earlier = _earlier_submission(paths, jobscript, backend, runner)
            if earlier is not None:
                earlier.from_cache = True
                if block:
                    earlier.wait()
                return earlier
    result = _submit(jobscript, text, backend, runner, paths, retry)
    if block:
        result.wait()
    return result


def _submit_dir(jobscript: JobScript) -> str:
    rootdir, workdir = jobscript.rootdir or "", jobscript.workdir or ""
    return posixpath.join(rootdir, workdir) if rootdir else workdir


def _fill(jobscript: JobScript, code: str) -> str:
    """Prologue/epilogue text with ``{key}`` placeholders replaced, as in the job body."""
    return jobscript.fill_placeholders(code) if code else ""


def _new_result(
    jobscript: JobScript,
    backend: ClusterjobBackend,
    runner: Runner,
    job_id: str,
    paths: CachePaths | None,
    submitted_at: float,
) -> AsyncResult:
    result = AsyncResult(
        backend,
        job_id,
        runner,
        workdir=_submit_dir(jobscript),
        jobname=jobscript.jobname,
        cache_file=paths.cache if paths else None,
        epilogue=_fill(jobscript, jobscript.epilogue),
        max_sleep_interval=jobscript.max_sleep_interval,
        lost_after=jobscript.lost_after,
        submitted_at=submitted_at,
    )
    if paths is not None:
        result.dump()
        flush_folder(paths.cache)  # durable before the marker goes, even inside batched_writes
        paths.cleanup()
    return result


def _earlier_submission(
    paths: CachePaths, jobscript: JobScript, backend: ClusterjobBackend, runner: Runner
) -> AsyncResult | None:
    """The run cached, or recovered from an interrupted submission; None if there was none."""
    if os.path.exists(paths.cache):
        try:
            result = AsyncResult.load(paths.cache, backend=backend)
        except CacheError as exc:
            raise CacheError(f"{exc}; to ignore it and submit again, pass force=True") from exc
        paths.cleanup()  # leftovers of a process that died between dump and cleanup
        return result
    if not os.path.exists(paths.marker):
        return None
    marker = _read_marker(paths.marker)
    answer = _read_answer(paths.response)
    job_id = backend.get_job_id(answer) if answer.strip() else None
    if job_id:
        started = marker.get("started_at")
        submitted_at = float(started) if isinstance(started, (int, float)) else time.time()
        return _new_result(jobscript, backend, runner, str(job_id), paths, submitted_at)
    who = ""
    if marker:
        who = (
            f"started {time.ctime(marker['started_at'])}"
            if isinstance(marker.get("started_at"), (int, float))
            else "started"
        ) + f" by process {marker.get('pid')} on {marker.get('host')}"
    got = (
        f"the recorded answer {answer.strip()!r} holds no job id" if answer.strip() else "no answer"
    )
    raise SubmissionInDoubtError(paths.cache, paths.marker, f"{who}; {got}" if who else got)


def _read_answer(path: str) -> str:
    """What the submit command wrote to its response file ('' if it wrote nothing)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def _read_marker(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _submit(
    jobscript: JobScript,
    text: str,
    backend: ClusterjobBackend,
    runner: Runner,
    paths: CachePaths | None,
    retry: bool,
) -> AsyncResult:
    """Prologue, upload, submit (restart-safe when `paths` is given), parse the job id."""
    submit_dir = _submit_dir(jobscript)
    prologue = _fill(jobscript, jobscript.prologue)
    if prologue:
        out = LocalRunner().run_script(prologue)
        if out.returncode != 0:
            raise CommandError(
                out.command,
                out.returncode,
                out.stdout,
                out.stderr,
                "prologue failed; nothing submitted",
            )
    script = posixpath.join(submit_dir, jobscript.script_filename)
    runner.write_file(script, text, 0o755)
    command = backend.cmd_submit(jobscript)
    split_command(command)  # a malformed command fails here, before anything is marked as submitted
    started = time.time()
    if paths is not None:
        marker = {
            "format": MARKER_FORMAT,
            "version": 1,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": started,
            "command": command if isinstance(command, str) else list(command),
            "runner": runner.to_dict(),
        }
        try:
            write_atomically(paths.marker, json.dumps(marker) + "\n", exclusive=True)
        except FileExistsError:
            raise SubmissionInDoubtError(
                paths.cache, paths.marker, "another process started submitting it at the same time"
            ) from None
        try:
            os.unlink(paths.cache)  # force=True: the old run is replaced
        except FileNotFoundError:
            pass
    try:
        out = runner.run(
            command,
            cwd=submit_dir or None,
            stdout_path=paths.response if paths else None,
            retry=retry,
            idempotent=False,
        )
    except TransientCommandError as exc:
        answer = _read_answer(paths.response) if paths is not None else exc.stdout
        job_id = backend.get_job_id(answer) if answer.strip() else None
        if job_id:
            return _new_result(jobscript, backend, runner, str(job_id), paths, started)
        in_doubt = exc.returncode is None or bool(answer.strip())
        if paths is not None and in_doubt:
            raise SubmissionInDoubtError(paths.cache, paths.marker, str(exc)) from exc
        if paths is not None:
            paths.cleanup()
        raise
    except CommandError:  # the program could not be started: nothing was submitted
        if paths is not None:
            paths.cleanup()
        raise
    job_id = backend.get_job_id(out.stdout)
    if not job_id:
        if paths is not None:
            paths.cleanup()
        raise SubmissionError(command, out.stdout, out.stderr, out.returncode)
    return _new_result(jobscript, backend, runner, str(job_id), paths, started)

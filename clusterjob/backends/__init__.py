"""The backend contract (kept exactly as in the original clusterjob API) and the backend registry.

A backend turns a JobScript into scheduler directives and commands, and parses the scheduler's answers.
Backends never run commands themselves (runners do). Reference backends for SLURM, Torque, PBS Pro, LSF and
Grid Engine are registered under ``slurm``, ``pbs``, ``pbspro``, ``lsf`` and ``sge``; third-party packages add
theirs through the entry-point group ``clusterjob.backends`` (an entry point names a backend instance, a
backend class, or a zero-argument callable that returns an instance).
"""

from __future__ import annotations

import importlib
import threading
from abc import ABCMeta, abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from clusterjob.errors import ClusterjobError, UnknownBackendError

if TYPE_CHECKING:
    from clusterjob.jobscript import JobScript
    from clusterjob.result import AsyncResult

Command = Sequence[str] | str
"""A command as subprocess.Popen takes it: a sequence of arguments, or a string (for stdin redirection)."""

ENTRY_POINT_GROUP = "clusterjob.backends"

__all__ = [
    "ENTRY_POINT_GROUP",
    "ClusterjobBackend",
    "Command",
    "ResourcesNotSupportedError",
    "UnknownBackendError",
    "get_backend",
    "known_backends",
    "register_backend",
    "unregister_backend",
]


class ResourcesNotSupportedError(ClusterjobError):
    """Exception to indicate that a backend is unable to encode a resource requirement."""


class ClusterjobBackend(metaclass=ABCMeta):
    """Abstract base class for all clusterjob backends.

    Attributes:
        name (str): (default) name of the backend
        extension (str): extension to be used for job scripts
    """

    name: str = ""
    extension: str = ""

    common_keys = ["name", "queue", "time", "nodes", "ppn", "threads", "mem", "stdout", "stderr"]

    @abstractmethod
    def cmd_submit(self, jobscript: JobScript) -> Command:
        """Given a JobScript instance, return a command that submits the job to the scheduler.

        The returned command must be a sequence of program arguments or a string, see the args argument of
        subprocess.Popen.
        """

    @abstractmethod
    def get_job_id(self, response: str) -> str | None:
        """Given the stdout from the command returned by cmd_submit(), return a job ID as a str, or None if
        the job ID cannot be determined."""

    @abstractmethod
    def cmd_status(self, run: AsyncResult, finished: bool = False) -> Command:
        """Given an AsyncResult instance, return a command (cf. cmd_submit()) that queries the scheduler for
        the job status. If finished=True, the command should be appropriate for a run that has already
        finished."""

    @abstractmethod
    def get_status(self, response: str, finished: bool = False) -> int | None:
        """Given the stdout from the command returned by cmd_status(), return one of the status codes defined
        in clusterjob.status, or None if the status cannot be determined."""

    @abstractmethod
    def cmd_cancel(self, run: AsyncResult) -> Command:
        """Given an AsyncResult instance, return a command (cf. cmd_submit()) that cancels the run."""

    @abstractmethod
    def resource_headers(self, jobscript: JobScript) -> list[str]:
        """Given a JobScript instance, return a list of lines (no trailing newlines) that encode the resource
        requirements, to be added at the top of the rendered job script, between the shebang and the script
        body. At the very least, keys in the jobscript resources dict that are in the list of common_keys must
        be handled, or a ResourcesNotSupportedError must be raised."""

    @abstractmethod
    def replace_body_vars(self, body: str) -> str:
        """Given a multiline string that is the body of the job script, replace the placeholders for
        environment variables with backend-specific realizations, and return the modified body.

        At a minimum $CLUSTERJOB_ID, $CLUSTERJOB_WORKDIR, $CLUSTERJOB_SUBMIT_HOST, $CLUSTERJOB_NAME and
        $CLUSTERJOB_NODELIST (and their ${...} forms) must be handled."""

    # ---- optional extensions beyond the seed contract; the defaults fall back to the seed methods ----

    max_status_ids: int | None = None
    """The scheduler's own limit on job ids in one cmd_status_many call (None: none known).
    refresh_statuses also keeps every call within the OS argument limits, whatever this says."""

    def cmd_status_many(
        self, runs: Sequence[AsyncResult], finished: bool = False
    ) -> Command | None:
        """One command that asks about all `runs` at once, or None when this backend cannot batch.

        A backend that returns a command must also implement get_status_many."""
        return None

    def get_status_many(
        self, response: str, runs: Sequence[AsyncResult], finished: bool = False
    ) -> dict[str, int | None]:
        """Parse the answer to cmd_status_many into {job_id: status or None}; never raises on any text.

        Job ids missing from the answer may be left out of the dict (the caller treats them as unknown)."""
        raise NotImplementedError(f"{type(self).__name__} does not batch status queries")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


# ------------------------------------------------------------------------------------------ registry

_REFERENCE_BACKENDS: Mapping[str, str] = {
    "slurm": "clusterjob.backends.slurm:SlurmBackend",
    "pbs": "clusterjob.backends.pbs:PbsBackend",
    "pbspro": "clusterjob.backends.pbspro:PbsProBackend",
    "lsf": "clusterjob.backends.lsf:LsfBackend",
    "sge": "clusterjob.backends.sge:SgeBackend",
}

_registry: dict[str, ClusterjobBackend] = {}
_lock = threading.RLock()
_defaults_loaded = False


def _check_backend(backend: object) -> ClusterjobBackend:
    """Type and attribute check of a backend about to be registered (a clear TypeError otherwise)."""
    if not isinstance(backend, ClusterjobBackend):
        if isinstance(backend, type) and issubclass(backend, ClusterjobBackend):
            raise TypeError(
                f"register_backend() needs a backend instance, got the class {backend.__name__}; "
                f"call it first: register_backend({backend.__name__}())"
            )
        raise TypeError(
            f"a backend must be an instance of a ClusterjobBackend subclass, got {type(backend).__name__}"
        )
    for attribute in ("name", "extension"):
        value = getattr(backend, attribute, None)
        if not isinstance(value, str) or (attribute == "name" and not value):
            raise TypeError(
                f"backend {type(backend).__name__} needs a str attribute {attribute!r}"
                f"{' that is not empty' if attribute == 'name' else ''}, got {value!r}"
            )
    return backend


def register_backend(backend: ClusterjobBackend, name: str | None = None) -> ClusterjobBackend:
    """Register `backend` under `name` (default: its `name` attribute); replaces any earlier one."""
    _check_backend(backend)
    key = backend.name if name is None else name
    if not isinstance(key, str) or not key:
        raise TypeError(f"a backend name must be a non-empty str, got {key!r}")
    with _lock:
        _registry[key] = backend
    return backend


def unregister_backend(name: str) -> None:
    """Remove a registered backend (UnknownBackendError if there is none under that name)."""
    _load_defaults()
    with _lock:
        if name not in _registry:
            raise UnknownBackendError(name, list(_registry))
        del _registry[name]


def _instantiate(obj: Any, origin: str) -> ClusterjobBackend:
    if isinstance(obj, type) or (callable(obj) and not isinstance(obj, ClusterjobBackend)):
        obj = obj()
    if not isinstance(obj, ClusterjobBackend):
        raise TypeError(f"{origin} gives {type(obj).__name__}, not a ClusterjobBackend")
    return obj


def _load_defaults() -> None:
    """Register the reference backends and the entry-point backends, once, on first use."""
    global _defaults_loaded
    with _lock:
        if _defaults_loaded:
            return
        for name, target in _REFERENCE_BACKENDS.items():
            module_name, _, attr = target.partition(":")
            module = importlib.import_module(module_name)
            _registry.setdefault(name, _instantiate(getattr(module, attr), target))
        _defaults_loaded = True  # only once everything loaded: a failure is raised again next time
        load_entry_points()


def load_entry_points() -> list[str]:
    """Register every backend advertised in the ``clusterjob.backends`` entry-point group.

    Returns the names registered. A broken entry point raises a ClusterjobError naming it, so a typo in a
    plugin's packaging is found, not silently skipped.
    """
    from importlib.metadata import entry_points

    names = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            backend = _instantiate(entry.load(), f"entry point {entry.name!r} ({entry.value})")
        except Exception as exc:
            raise ClusterjobError(
                f"cannot load backend entry point {entry.name!r} = {entry.value!r}: {exc}"
            ) from exc
        register_backend(backend, entry.name)
        names.append(entry.name)
    return names


def get_backend(name: str | ClusterjobBackend) -> ClusterjobBackend:
    """The backend registered under `name` (a backend instance is returned as it is)."""
    if isinstance(name, ClusterjobBackend):
        return name
    if _defaults_loaded:
        found = _registry.get(name)  # a plain dict read: atomic, no lock needed
        if found is not None:
            return found
    _load_defaults()
    with _lock:
        try:
            return _registry[name]
        except KeyError:
            raise UnknownBackendError(str(name), list(_registry)) from None


def known_backends() -> dict[str, ClusterjobBackend]:
    """A copy of the registry: {name: backend}."""
    _load_defaults()
    with _lock:
        return dict(_registry)

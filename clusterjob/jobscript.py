"""JobScript: a job body plus resources, rendered into a script for one scheduler backend.

Keywords that name an attribute (see ``JobScript.attributes``) set it; every other keyword is a resource
(``JobScript.resources``). Defaults come from three layers, later ones winning: the built-in defaults below,
a site settings file (``JobScript.read_defaults(path)``, see clusterjob.settings), and the keywords.
"""

from __future__ import annotations

import difflib
import os
import re
import warnings
from typing import TYPE_CHECKING, Any

from clusterjob.backends import ClusterjobBackend, get_backend
from clusterjob.errors import InvalidResourceError, ResourceKeyWarning
from clusterjob.resources import TEXT_FORMS, check_text, normalize_resources
from clusterjob.settings import BUILTIN_ATTRIBUTES, read_settings

if TYPE_CHECKING:
    from clusterjob.result import AsyncResult


_PLACEHOLDER = re.compile(r"(?<![$\\])\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SHELL_PATH = re.compile(r"^/[^\s\x00]*$")
_COMMON_KEYS = tuple(ClusterjobBackend.common_keys)
_MEANT = {
    "memory": "mem",
    "mem_per_node": "mem",
    "walltime": "time",
    "wall_time": "time",
    "job_name": "name",
    "partition": "queue",
    "nnodes": "nodes",
    "ntasks_per_node": "ppn",
    "tasks_per_node": "ppn",
    "cpus_per_task": "threads",
    "output": "stdout",
    "error": "stderr",
}
"""Keywords other tools use for a common key (and that no scheduler takes as an option of that name)."""
_RAW_LOOKALIKES = frozenset({"nodelist", "nodefile"})
"""Real scheduler options that happen to look like a common key."""


def _meant_key(key: str) -> str | None:
    """The common key or attribute `key` is probably a misspelling of (None: it looks like a raw
    scheduler option, as one-letter keys and '--long-option' names do)."""
    if key in _MEANT:
        return _MEANT[key]
    if len(key) < 3 or "-" in key or key in _RAW_LOOKALIKES:
        return None
    close = difflib.get_close_matches(key, [*_COMMON_KEYS, *BUILTIN_ATTRIBUTES], n=1, cutoff=0.75)
    return close[0] if close else None


class JobScript:
    """A job: body, name, attributes (how/where to submit) and resources (what to ask the scheduler for)."""

    _default_attributes: dict[str, Any] = {}
    _default_resources: dict[str, Any] = {}

    attributes = tuple(BUILTIN_ATTRIBUTES)
    """Names of the keywords that set attributes rather than resources."""

    def __init__(self, body: str, jobname: str, **kwargs: Any) -> None:
        if not isinstance(body, str):
            raise TypeError(f"body must be a str, got {type(body).__name__}")
        check_text(jobname, "jobname")
        self.body = body
        self.backend: str | ClusterjobBackend | None = None
        self.shell: str = "/bin/bash"
        self.remote: str | None = None
        self.rootdir: str = ""
        self.workdir: str = ""
        self.filename: str | None = None
        self.prologue: str = ""
        self.epilogue: str = ""
        self.max_sleep_interval: float = 900
        self.lost_after: float = 3600
        self.cache_folder: str | None = None
        self.cache_prefix: str = "clusterjob"
        self.ssh: str = "ssh"
        self.scp: str = "scp"
        self.submit_timeout: float = 120
        for key, value in {**BUILTIN_ATTRIBUTES, **type(self)._default_attributes}.items():
            setattr(self, key, value)
        self.resources: dict[str, Any] = dict(type(self)._default_resources)
        self.resources["name"] = jobname
        for key, value in kwargs.items():
            if key in BUILTIN_ATTRIBUTES:
                setattr(self, key, value)
            else:
                self.resources[key] = value
                meant = None if key in _COMMON_KEYS else _meant_key(key)
                if meant is not None:
                    warnings.warn(
                        ResourceKeyWarning(
                            f"JobScript keyword {key!r} is not a common key: did you mean "
                            f"{meant!r}? It goes to the scheduler as the raw option {key!r}."
                        ),
                        stacklevel=2,
                    )

    # ---------------------------------------------------------------------------------- defaults

    @classmethod
    def read_defaults(cls, path: str | os.PathLike[str]) -> None:
        """Load site defaults for every later JobScript from a settings file (TOML or INI).

        Backends configured in the file (``[backends.NAME]`` tables) are registered too."""
        settings = read_settings(path)
        settings.register_backends()
        cls._default_attributes = {**cls._default_attributes, **settings.attributes}
        cls._default_resources = {**cls._default_resources, **settings.resources}

    @classmethod
    def clear_defaults(cls) -> None:
        """Forget defaults loaded by read_defaults (back to the built-in ones)."""
        cls._default_attributes = {}
        cls._default_resources = {}

    # ---------------------------------------------------------------------------------- properties

    @property
    def jobname(self) -> str:
        """The job name (stored as the resource ``name``, as in the original API)."""
        return str(self.resources["name"])

    @property
    def backend_instance(self) -> ClusterjobBackend:
        """The backend object for ``self.backend`` (looked up in the registry when it is a name)."""
        if self.backend is None:
            raise InvalidResourceError(
                "backend",
                None,
                "a registered backend name (see `clusterjob backends`) or an instance",
                "no backend set: pass backend=... or set it in a settings file",
            )
        return get_backend(self.backend)

    @property
    def script_filename(self) -> str:
        """The file name the script is written to: `filename`, or jobname + the backend's extension."""
        if self.filename:
            return str(self.filename)
        extension = self.backend_instance.extension
        suffix = extension if not extension or extension.startswith(".") else "." + extension
        return _safe_file_stem(self.jobname) + suffix

    # ---------------------------------------------------------------------------------- rendering

    def validate(self) -> dict[str, Any]:
        """Check every attribute and resource before anything is rendered; returns normal resources."""
        if not isinstance(self.shell, str) or not _SHELL_PATH.match(self.shell):
            raise InvalidResourceError(
                "shell", self.shell, "an absolute path such as '/bin/bash' (no spaces)"
            )
        for key in ("rootdir", "workdir", "filename", "remote"):
            value = getattr(self, key)
            if value not in (None, "") and (
                not isinstance(value, str) or "\n" in value or "\x00" in value
            ):
                raise InvalidResourceError(key, value, TEXT_FORMS)
        if self.remote and (self.remote.startswith("-") or any(c.isspace() for c in self.remote)):
            raise InvalidResourceError(
                "remote",
                self.remote,
                "an ssh host such as 'cluster' or 'user@host', or a ~/.ssh/config alias",
                "no spaces, and not starting with '-'",
            )
        if self.filename and ("/" in self.filename or self.filename in (".", "..")):
            raise InvalidResourceError(
                "filename",
                self.filename,
                "a plain file name (no '/'); the folder is rootdir/workdir",
            )
        for key in ("max_sleep_interval", "lost_after"):
            seconds = getattr(self, key)
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
                raise InvalidResourceError(key, seconds, "a positive number of seconds")
        return normalize_resources(self.resources)

    def render(self) -> str:
        """The full script: shebang, the backend's resource headers, then the body with variables mapped."""
        self.validate()
        backend = self.backend_instance
        headers = backend.resource_headers(self)
        # placeholders first, so the backend's own checks of the body see the text that will be submitted
        body = backend.replace_body_vars(self.fill_placeholders(self.body))
        lines = [f"#!{self.shell}", *headers]
        text = "\n".join(lines) + "\n" + body
        return text if text.endswith("\n") else text + "\n"

    def fill_placeholders(self, body: str) -> str:
        """Replace ``{key}`` by the attribute or resource `key` (``${VAR}`` shell forms are left alone)."""
        if "{" not in body:
            return body

        def value(key: str) -> Any:
            if key == "jobname":
                return self.jobname
            if key in self.resources:
                return self.resources[key]
            if key == "backend":
                return self.backend_instance.name
            return getattr(self, key) if key in BUILTIN_ATTRIBUTES else None

        def substitute(match: re.Match[str]) -> str:
            found = value(match.group(1))
            return match.group(0) if found is None else str(found)

        return _PLACEHOLDER.sub(substitute, body)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"<JobScript {self.jobname!r} backend={self.backend!r}>"

    def submit(
        self,
        block: bool = False,
        cache_id: str | None = None,
        force: bool = False,
        retry: bool = True,
    ) -> AsyncResult:
        """Submit the job; see clusterjob.submission.submit_jobscript for the restart-safe protocol."""
        from clusterjob.submission import submit_jobscript

        return submit_jobscript(self, block=block, cache_id=cache_id, force=force, retry=retry)


def _safe_file_stem(name: str) -> str:
    """A file-name-safe version of a job name (anything but letters, digits, '._-' becomes '_')."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")
    return stem or "job"

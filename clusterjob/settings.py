"""Site settings files: defaults for every JobScript, and backends configured with site options.

Precedence of a value: the built-in defaults below < a settings file < the keyword given to JobScript.
"""

from __future__ import annotations

import configparser
import importlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clusterjob.errors import SettingsError

BUILTIN_ATTRIBUTES: dict[str, Any] = {
    "backend": None,  # a registered backend name or a ClusterjobBackend instance
    "shell": "/bin/bash",
    "remote": None,  # ssh host (alias from ~/.ssh/config is fine); None: submit locally
    "rootdir": "",  # where workdir lives (on the remote host when remote is set)
    "workdir": "",  # folder, relative to rootdir, the job is submitted from
    "filename": None,  # script file name; default: jobname + backend extension
    "prologue": "",  # shell code run where the job is submitted from, before submission
    "epilogue": "",  # shell code run once, after the job is known to be finished
    "max_sleep_interval": 900,  # cap, in seconds, of the back-off between status polls
    "lost_after": 3600,  # seconds the scheduler may not know a job before wait() raises JobLostError
    "cache_folder": None,  # where AsyncResult caches go; None switches caching off
    "cache_prefix": "clusterjob",
    "ssh": "ssh",
    "scp": "scp",
    "submit_timeout": 120,  # seconds one scheduler command may take before it is retried
}
"""Built-in attribute defaults (the lowest layer of the precedence)."""

if sys.version_info >= (3, 11):
    import tomllib as _toml
else:  # pragma: no cover - Python 3.10
    import tomli as _toml


@dataclass
class Settings:
    """What a settings file holds: attribute and resource defaults, and configured backends."""

    attributes: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)
    backends: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> constructor options

    def register_backends(self) -> list[str]:
        """Build and register each configured backend; returns their names."""
        return [configure_backend(name, dict(options)) for name, options in self.backends.items()]


def import_module_here(name: str) -> Any:
    """Import `name` as ``clusterjob check`` does: a module in the current folder is found too.

    A site's backend module usually sits next to its settings file or tests, where ``python -m`` would find
    it; the ``clusterjob`` and ``pytest`` commands do not put the current folder on ``sys.path``. The folder
    is added (at the end, so it never shadows an installed module) only when the module is not found
    otherwise."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        here = os.getcwd()
        if exc.name != name.partition(".")[0] or here in sys.path or "" in sys.path:
            raise
        sys.path.append(here)
        importlib.invalidate_caches()
        return importlib.import_module(name)


def configure_backend(name: str, options: dict[str, Any]) -> str:
    """Register under `name` a backend built from `options` (``class = "module:Class"`` plus keywords).

    Without ``class`` the reference backend registered under `name` is rebuilt with the keywords, so
    ``[backends.sge] pe = "mpi"`` is enough to give Grid Engine a parallel environment."""
    from clusterjob.backends import ClusterjobBackend, get_backend, register_backend

    target = options.pop("class", None)
    if target is None:
        cls: Any = type(get_backend(name))
    else:
        module_name, _, attr = str(target).partition(":")
        try:
            cls = getattr(import_module_here(module_name), attr)
        except (ImportError, AttributeError, ValueError) as exc:
            raise SettingsError(f"backend {name!r}: cannot import class {target!r}: {exc}") from exc
    try:
        backend = cls(**options)
    except TypeError as exc:
        raise SettingsError(
            f"backend {name!r}: bad options {sorted(options)} for {cls.__name__}: {exc}"
        ) from exc
    if not isinstance(backend, ClusterjobBackend):
        raise SettingsError(f"backend {name!r}: {target!r} is not a ClusterjobBackend class")
    register_backend(backend, name)
    return name


def read_settings(path: str | os.PathLike[str]) -> Settings:
    """The Settings in a file.

    TOML: tables ``[attributes]``, ``[resources]`` and ``[backends.NAME]`` (constructor options of a
    backend, optionally ``class = "module:Class"``). INI (the original clusterjob form): sections
    ``[Attributes]`` and ``[Resources]``; INI values are strings, ``true``/``false`` become bools.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"cannot read settings file {str(path)!r}: {exc.strerror}") from exc
    if path.suffix.lower() in (".ini", ".cfg", ".conf"):
        return _read_ini(text, path)
    try:
        data = _toml.loads(text)
    except _toml.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {str(path)!r} is not valid TOML: {exc}") from exc
    unknown = set(data) - {"attributes", "resources", "backends"}
    if unknown:
        raise SettingsError(
            f"settings file {str(path)!r} has unknown tables {sorted(unknown)}; "
            "use [attributes], [resources] and [backends.NAME]"
        )
    attributes = dict(data.get("attributes", {}))
    resources = dict(data.get("resources", {}))
    backends = data.get("backends", {})
    if not all(isinstance(options, dict) for options in backends.values()):
        raise SettingsError(
            f"settings file {str(path)!r}: each backend needs its own table [backends.NAME]"
        )
    _check_attribute_names(attributes, path)
    return Settings(
        attributes, resources, {name: dict(options) for name, options in backends.items()}
    )


def _read_ini(text: str, path: Path) -> Settings:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep key case
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise SettingsError(f"settings file {str(path)!r} is not valid INI: {exc}") from exc
    sections = {s.lower(): s for s in parser.sections()}
    unknown = set(sections) - {"attributes", "resources"}
    if unknown:
        raise SettingsError(
            f"settings file {str(path)!r} has unknown sections {sorted(unknown)}; "
            "use [Attributes] and [Resources]"
        )

    def convert(value: str) -> Any:
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "on"):
            return True
        if lowered in ("false", "no", "off"):
            return False
        if lowered in ("none", ""):
            return None
        return value

    attributes = {
        k: convert(v)
        for k, v in (parser[sections["attributes"]] if "attributes" in sections else {}).items()
    }
    for seconds in ("max_sleep_interval", "lost_after"):
        if seconds in attributes and isinstance(attributes[seconds], str):
            attributes[seconds] = float(attributes[seconds])
    resources = {
        k: convert(v)
        for k, v in (parser[sections["resources"]] if "resources" in sections else {}).items()
    }
    _check_attribute_names(attributes, path)
    return Settings(attributes, resources)


def _check_attribute_names(attributes: Mapping[str, Any], path: Path) -> None:
    unknown = set(attributes) - set(BUILTIN_ATTRIBUTES)
    if unknown:
        raise SettingsError(
            f"settings file {str(path)!r} sets unknown attributes {sorted(unknown)}; "
            f"known attributes: {sorted(BUILTIN_ATTRIBUTES)} (resources go in the resources table)"
        )

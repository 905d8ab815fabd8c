"""pytest plugin of the conformance suite (entry point ``pytest11: clusterjob``): options, simulated-cluster
fixtures and a JSON report for ``clusterjob check``.

Import-light on purpose: pytest loads it in every session of every project that has clusterjob installed, so
nothing heavy (Hypothesis, the simulators, the suite) is imported until a test asks for it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from clusterjob.backends import ClusterjobBackend
    from clusterjob.testing.capabilities import Capabilities

__all__ = [
    "Target",
    "configured_target",
    "load_object",
    "pytest_addoption",
    "pytest_configure",
    "real_mode",
    "real_submit_hosts",
    "real_workdir",
]

_TARGET_KEY = "_clusterjob_target"
_target: Target | None = None
_real: bool = False
_workdir: Path | None = None
_submit_host: str | None = None


@dataclass(frozen=True)
class Target:
    """What ``--cj-backend``/``--cj-scheduler``/``--cj-capabilities`` chose: a backend spec and where to run it."""

    backend: str
    scheduler: str | None = None
    capabilities: str | None = None
    real: bool = False
    """Against the real scheduler on PATH: a reference backend then takes its real-cluster settings."""

    def _reference(self) -> Any:
        from clusterjob.testing.reference import REFERENCE_TARGETS

        reference = REFERENCE_TARGETS.get(self.backend) if ":" not in self.backend else None
        return reference.for_real() if reference is not None and self.real else reference

    def load_backend(self) -> ClusterjobBackend:
        """The backend object named by `backend` (``module:attr``, or a registered backend name)."""
        from clusterjob.backends import ClusterjobBackend, get_backend

        reference = self._reference()
        spec = reference.backend if reference is not None else self.backend
        if ":" not in spec:
            return get_backend(spec)
        obj = load_object(spec)
        if isinstance(obj, type) or (callable(obj) and not isinstance(obj, ClusterjobBackend)):
            obj = obj()
        if not isinstance(obj, ClusterjobBackend):
            raise TypeError(
                f"--cj-backend {self.backend} gives a {type(obj).__name__}, not a ClusterjobBackend "
                "(name a ClusterjobBackend subclass, an instance, or a function returning one)"
            )
        return obj

    def scheduler_name(self) -> str:
        """`scheduler`, else the reference backend's, else the backend's own name."""
        if self.scheduler:
            return self.scheduler
        reference = self._reference()
        if reference is not None:
            return str(reference.scheduler)
        if ":" not in self.backend:
            return self.backend
        raise ValueError(
            f"{self.backend} needs a scheduler: `clusterjob check ... --scheduler NAME` or "
            "`pytest --cj-scheduler NAME`, NAME one of slurm, pbs, pbspro, lsf, sge"
        )

    def load_capabilities(self) -> Capabilities | None:
        """The Capabilities named by `capabilities` (``module:attr``); for a reference backend its own;
        else None (the defaults)."""
        from clusterjob.testing.capabilities import Capabilities

        spec = self.capabilities
        if not spec:
            reference = self._reference()
            spec = reference.capabilities if reference is not None else None
        if not spec:
            return None
        obj = load_object(spec)
        if callable(obj) and not isinstance(obj, Capabilities):
            obj = obj()
        if not isinstance(obj, Capabilities):
            raise TypeError(f"--cj-capabilities {spec} gives a {type(obj).__name__}")
        return obj


def load_object(spec: str) -> Any:
    """The object named by ``package.module:attribute.path`` (a clear error for each way it can be wrong)."""
    from clusterjob.settings import import_module_here

    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"expected MODULE:ATTRIBUTE (e.g. mypkg.backends:MyBackend), got {spec!r}")
    try:
        obj: Any = import_module_here(module_name)  # the current folder too, as `clusterjob check`
    except ImportError as exc:
        raise ValueError(f"cannot import {module_name!r} (from {spec!r}): {exc}") from exc
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{spec!r}: {module_name} has no attribute {attribute!r}") from None
    return obj


def configured_target() -> Target | None:
    """The target chosen on the command line of this pytest session, or None."""
    return _target


def real_mode() -> bool:
    """Whether this pytest session runs against the real scheduler on PATH (``--cj-real``)."""
    return _real


def real_workdir() -> Path | None:
    """``--cj-workdir``: where real-mode jobs keep their files (None: each check's tmp_path)."""
    return _workdir


def real_submit_hosts() -> set[str] | None:
    """``--cj-submit-host``: the names $CLUSTERJOB_SUBMIT_HOST may have in a real-mode job, when the
    scheduler's commands on PATH run on another machine (None: this machine's names)."""
    if not _submit_host:
        return None
    return {_submit_host, _submit_host.split(".", 1)[0]}


# ------------------------------------------------------------------------------------------ hooks


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--cj-*`` options."""
    group = parser.getgroup("clusterjob", "clusterjob backend conformance suite")
    group.addoption(
        "--cj-backend",
        metavar="MODULE:ATTR",
        help="backend to check: a ClusterjobBackend subclass or instance (mypkg.backends:MyBackend), "
        "or a registered backend name; collect clusterjob.testing.target (pytest --pyargs) to run it",
    )
    group.addoption(
        "--cj-scheduler",
        metavar="NAME",
        help="simulated scheduler to check it against: slurm, pbs (Torque; 'torque' works too), "
        "pbspro, lsf, sge",
    )
    group.addoption(
        "--cj-capabilities",
        metavar="MODULE:ATTR",
        help="a clusterjob.testing.Capabilities object for --cj-backend (default: the scheduler's)",
    )
    group.addoption(
        "--cj-profile",
        metavar="NAME",
        help="Hypothesis profile of the suite: clusterjob-default, clusterjob-ci, clusterjob-thorough "
        "(or default, ci, thorough); default $CLUSTERJOB_PROFILE or clusterjob-default",
    )
    group.addoption(
        "--cj-real",
        action="store_true",
        default=False,
        help="run the end-to-end checks against the REAL scheduler found on PATH (no simulated cluster): "
        "short jobs, a unique job-name prefix, bounded waits, every job cancelled at the end; checks that "
        "need the simulator are skipped with the reason",
    )
    group.addoption(
        "--cj-workdir",
        metavar="PATH",
        help="with --cj-real: folder for the jobs' scripts and files, seen by the compute nodes (default: "
        "pytest's tmp_path, fine when jobs run on this machine)",
    )
    group.addoption(
        "--cj-submit-host",
        metavar="HOST",
        help="with --cj-real: the host where the scheduler's commands really run, when those on PATH "
        "are wrappers that run them elsewhere (ssh to a login node); jobs must see it as their submit "
        "host (default: this machine)",
    )
    group.addoption(
        "--cj-report",
        metavar="PATH",
        help="write a JSON summary of the conformance checks (used by `clusterjob check`)",
    )
    group.addoption(
        "--cj-events",
        metavar="PATH",
        help="with --cj-report: append one JSON line per check to PATH as soon as it has finished "
        "(how `clusterjob check` streams its progress)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Remember the chosen target and profile; start collecting the report if asked."""
    global _target, _real, _workdir, _submit_host
    config.addinivalue_line(
        "markers", "cj_check(name): a check of the clusterjob conformance suite (set by the suite)"
    )
    _real = bool(config.getoption("cj_real", False))
    workdir = config.getoption("cj_workdir", None)
    _workdir = Path(str(workdir)).absolute() if workdir else None
    _submit_host = config.getoption("cj_submit_host", None) or None
    backend = config.getoption("cj_backend", None)
    if backend:
        _target = Target(
            backend=str(backend),
            scheduler=config.getoption("cj_scheduler", None),
            capabilities=config.getoption("cj_capabilities", None),
            real=_real,
        )
        if _real:
            from clusterjob.testing.real import probe

            try:
                scheduler = _target.scheduler_name()
            except ValueError as exc:
                raise pytest.UsageError(f"--cj-real: {exc}") from None
            problem = probe(scheduler)
            if problem:
                raise pytest.UsageError(
                    f"--cj-real: {problem} (start the scheduler, or drop --cj-real to check "
                    "against its simulator)"
                )
    profile = config.getoption("cj_profile", None)
    if profile:
        os.environ["CLUSTERJOB_PROFILE"] = str(profile)
    report = config.getoption("cj_report", None)
    if report:
        events = config.getoption("cj_events", None)
        config.pluginmanager.register(
            _Report(Path(report), Path(events) if events else None), "clusterjob-report"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    """Forget the target (pytest.main may run again in the same process)."""
    global _target, _real, _workdir, _submit_host
    _target = None
    _real = False
    _workdir = None
    _submit_host = None


# --------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def cj_profile(request: pytest.FixtureRequest) -> str:
    """Full name of the conformance profile in use (``--cj-profile`` / $CLUSTERJOB_PROFILE)."""
    from clusterjob.testing.profiles import resolve_profile_name

    return resolve_profile_name(request.config.getoption("cj_profile", None))


@pytest.fixture
def cj_simulated_cluster(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """A fresh simulated cluster of ``--cj-scheduler`` (default slurm), its commands first on PATH.

    Delegates to clusterjob_sim's own fixture machinery (``SimCluster``); a test module may override
    ``cj_cluster_config`` to size it. Every job is killed at teardown.
    """
    from clusterjob.testing.simulator import env_overlay, simulated_cluster

    scheduler = request.config.getoption("cj_scheduler", None) or "slurm"
    config = request.getfixturevalue("cj_cluster_config")
    with simulated_cluster(scheduler, tmp_path / "cluster", config) as cluster:
        for key, value in env_overlay(cluster).items():
            monkeypatch.setenv(key, value)
        yield cluster


@pytest.fixture
def cj_cluster_config() -> dict[str, Any]:
    """Overrides of the simulated cluster's configuration for ``cj_simulated_cluster`` (none by default)."""
    return {}


# ----------------------------------------------------------------------------------------- report

_EXAMPLE_MARKERS = (
    "Falsifying example",
    "Falsifying explicit example",
    "Failing test case",
    "state = ",
)


def _error_lines(text: str) -> list[str]:
    """The ``E   ...`` lines of a pytest failure, their common indentation removed."""
    lines = [line[1:] for line in text.splitlines() if line.startswith("E ") or line == "E"]
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return [line[indent:] for line in lines]


def falsifying_example(text: str) -> str:
    """Hypothesis' failing example (or state-machine steps) from a failure report; '' if none."""
    lines = _error_lines(text)
    for start, line in enumerate(lines):
        if line.lstrip().startswith(_EXAMPLE_MARKERS):
            block = []
            for item in lines[start : start + 80]:
                block.append(item)
                if item.strip() in (")", "state.teardown()") or (
                    item.rstrip().endswith(")") and item is lines[start] and "(" in item
                ):
                    break
            return "\n".join(block)
    return ""


def failure_summary(text: str, limit: int = 14) -> str:
    """What went wrong, in a few lines: the error lines before Hypothesis' example."""
    lines = _error_lines(text)
    cut = next(
        (i for i, line in enumerate(lines) if line.lstrip().startswith(_EXAMPLE_MARKERS)),
        len(lines),
    )
    chosen = [line for line in lines[:cut] if line.strip()] or [
        line for line in text.splitlines() if line.strip()
    ][-3:]
    return "\n".join(chosen[:limit])


def _check_name(nodeid: str) -> str:
    name = nodeid.rsplit("::", 1)[-1]
    name = name.split("[", 1)[0]
    return name.removeprefix("test_")


class _Report:
    """Collects each conformance check's outcome and first failure text; written as JSON at the end."""

    def __init__(self, path: Path, events: Path | None = None) -> None:
        self.path = path
        self.events = events
        self.results: dict[str, dict[str, Any]] = {}
        self.errors: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.results.setdefault(
            report.nodeid,
            {"check": _check_name(report.nodeid), "nodeid": report.nodeid, "outcome": "passed"},
        )
        if report.skipped:
            if entry["outcome"] == "passed":
                entry["outcome"] = "skipped"
                reason = report.longrepr
                if isinstance(reason, tuple) and len(reason) == 3:
                    entry["reason"] = str(reason[2]).removeprefix("Skipped: ")
        elif report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
            text = report.longreprtext
            entry["detail"] = text[-6000:]
            entry["falsifying"] = falsifying_example(text)[:4000]
            entry["summary"] = failure_summary(text)

    def pytest_runtest_logfinish(self, nodeid: str, location: object) -> None:
        """One finished check (setup, call and teardown done): its entry, as one JSON line."""
        entry = self.results.get(nodeid)
        if self.events is None or entry is None:
            return
        line = {
            key: entry[key]
            for key in ("check", "nodeid", "outcome", "reason", "summary")
            if key in entry
        }
        with self.events.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(report.longreprtext[-6000:])

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        data = {
            "exitstatus": int(exitstatus),
            "results": list(self.results.values()),
            "collection_errors": self.errors,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(data, indent=1), encoding="utf-8")

"""What every group of checks shares: the settings a subclass fills in, the fixtures (Hypothesis settings,
the cluster) and the helpers that render a job, read it back with the simulator's parser and run a property."""

from __future__ import annotations

import functools
import inspect
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterjob.backends import ClusterjobBackend
from clusterjob.jobscript import JobScript
from clusterjob.result import AsyncResult
from clusterjob.runners import LocalRunner, split_command
from clusterjob.testing import corpus
from clusterjob.testing.capabilities import Capabilities
from clusterjob.testing.plugin import real_mode, real_workdir
from clusterjob.testing.profiles import property_settings, resolve_profile_name
from clusterjob.testing.real import probe, real_cluster
from clusterjob.testing.rules import Mismatch, SchedulerRules, rules_for
from clusterjob.testing.simulator import cluster_config, env_overlay, simulated_cluster
from clusterjob.testing.suite.harness import _E2E

T = TypeVar("T")


@dataclass
class Rendered:
    """A job rendered by the backend: script text, header lines, submit command split into argv."""

    jobscript: JobScript
    script: str
    headers: list[str]
    body: str
    command: Any
    argv: list[str]
    stdin_file: str | None


class ConformanceBase:
    """The settings, fixtures and helpers of BackendConformance (a mixin of every group of checks).

    Never collected (``__test__`` is False until a subclass of BackendConformance sets a backend).
    """

    __test__: ClassVar[bool] = False

    backend: ClassVar[ClusterjobBackend | None] = None
    """The backend instance under test."""
    scheduler: ClassVar[str | None] = None
    """Which simulated scheduler speaks to it: slurm, pbs (Torque; ``torque`` works too), pbspro, lsf,
    sge -- the names of the reference backends."""
    capabilities: ClassVar[Capabilities | None] = None
    """What the backend supports beyond the seed contract (None: ``Capabilities()``)."""
    real_capabilities: ClassVar[Capabilities | None] = None
    """Under ``--cj-real``: the capabilities of the real cluster (its size, ``whole_cluster``, wall-time
    granularity); None: ``capabilities``."""
    cluster_overrides: ClassVar[Mapping[str, Any]] = {}
    """Extra config.json keys of the simulated cluster (e.g. ``{"unit_for_limits": "KB"}``)."""

    # ---------------------------------------------------------------------- configuration

    @property
    def _cj_backend(self) -> ClusterjobBackend:
        backend = type(self).backend
        if backend is None:  # pragma: no cover - __test__ is False then
            pytest.fail(f"{type(self).__name__} sets no backend")
        return backend

    @property
    def _cj_caps(self) -> Capabilities:
        real = type(self).real_capabilities if real_mode() else None
        return real or type(self).capabilities or Capabilities()

    @property
    def _cj_rules(self) -> SchedulerRules:
        return rules_for(str(type(self).scheduler))

    @property
    def _cj_extras(self) -> Mapping[str, tuple[str | bool, ...]]:
        caps = self._cj_caps
        return (
            caps.extra_options if caps.extra_options is not None else self._cj_rules.default_extras
        )

    def _cj_cluster_config(self, **overrides: Any) -> dict[str, Any]:
        return cluster_config(self._cj_caps, {**dict(type(self).cluster_overrides), **overrides})

    # ---------------------------------------------------------------------- fixtures

    @pytest.fixture
    def cj_settings(self, request: pytest.FixtureRequest) -> settings:
        """Hypothesis settings of the property checks, from the chosen ``clusterjob-*`` profile."""
        return property_settings(request.config.getoption("cj_profile", None))

    @pytest.fixture
    def cj_profile_name(self, request: pytest.FixtureRequest) -> str:
        """Full name of the chosen profile."""
        return resolve_profile_name(request.config.getoption("cj_profile", None))

    @pytest.fixture
    def cj_cluster(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
        """A fresh simulated cluster sized from ``capabilities``, first on PATH for this test; under
        ``--cj-real`` the real scheduler on PATH instead (a RealCluster: a folder, a job-name prefix, and
        every job the check submitted cancelled at the end)."""
        if real_mode():
            scheduler = str(type(self).scheduler)
            problem = _real_probe(scheduler)
            if problem:
                pytest.fail(f"--cj-real: {problem}", pytrace=False)
            base = real_workdir()
            if base is None:
                folder = tmp_path / "real"
            else:
                base.mkdir(parents=True, exist_ok=True)
                folder = Path(tempfile.mkdtemp(prefix="clusterjob-check-", dir=base))
                # as open as the --workdir given (mkdtemp makes it 0700): where the jobs run as another
                # user than the check (a container's pbsuser), a workdir they may write is theirs too
                folder.chmod(base.stat().st_mode & 0o777)
            try:
                with real_cluster(scheduler, folder) as real:
                    yield real
            finally:
                if base is not None:
                    shutil.rmtree(folder, ignore_errors=True)
            return
        with simulated_cluster(
            str(type(self).scheduler), tmp_path / "spool", self._cj_cluster_config()
        ) as cluster:
            for key, value in env_overlay(cluster).items():
                monkeypatch.setenv(key, value)
            yield cluster

    # ---------------------------------------------------------------------- helpers

    def _cj_jobscript(
        self, body: str, resources: Mapping[str, Any], **attributes: Any
    ) -> JobScript:
        rest = {k: v for k, v in resources.items() if k != "name"}
        return JobScript(body, resources["name"], backend=self._cj_backend, **attributes, **rest)

    def _cj_render(self, body: str, resources: Mapping[str, Any], **attributes: Any) -> Rendered:
        """Render `body` with `resources` through the backend (errors of the backend propagate)."""
        jobscript = self._cj_jobscript(body, resources, **attributes)
        headers = self._cj_backend.resource_headers(jobscript)
        script = jobscript.render()
        command = self._cj_backend.cmd_submit(jobscript)
        try:
            argv, stdin_file = split_command(command)
        except (TypeError, ValueError) as exc:
            pytest.fail(f"cmd_submit() returned a command no runner can run: {command!r}: {exc}")
        body_text = self._cj_backend.replace_body_vars(body)
        return Rendered(jobscript, script, list(headers), body_text, command, argv, stdin_file)

    def _cj_parse(self, rendered: Rendered, site: bool = True) -> Any:
        """The Allocation the simulator's own directive parser reads from a rendered job; with `site`,
        checked against the simulated cluster's queues and parallel environments too."""
        from clusterjob_sim.activate import scheduler_module

        module = scheduler_module(self._cj_rules.module)
        parse = module.parse_submission
        kwargs: dict[str, Any] = {}
        if site and "config" in inspect.signature(parse).parameters:
            kwargs["config"] = self._cj_cluster_config()
        return parse(rendered.script, list(rendered.argv), **kwargs)

    def _cj_parse_or_fail(self, rendered: Rendered, what: str, site: bool = True) -> Any:
        from clusterjob_sim.engine.allocation import DirectiveError

        try:
            return self._cj_parse(rendered, site)
        except DirectiveError as exc:
            pytest.fail(
                f"{what}: the {self.scheduler} simulator's parser (the real tool's rules) rejects the "
                f"rendered job with exit code {exc.exit_code}:\n  {exc.message.strip()}\n"
                f"rendered script:\n{_indent(rendered.script)}\ncommand: {rendered.command!r}"
            )

    def _cj_run_property(
        self,
        settings_: settings,
        name: str,
        strategy: st.SearchStrategy[T],
        check: Callable[[T], None],
    ) -> None:
        """Run `check` over `strategy` as one Hypothesis test named after this check and backend."""

        def example(value: T) -> None:
            check(value)

        example.__name__ = example.__qualname__ = name
        test = settings_(given(strategy)(example))
        inner = test.hypothesis.inner_test  # type: ignore[attr-defined]
        inner._hypothesis_internal_add_digest = f"{type(self).__qualname__}.{name}".encode()
        test()

    def _cj_sample_job_id(self) -> str:
        """A job id of the kind this backend's get_job_id returns (from a recorded answer)."""
        jobscript = self._cj_jobscript("true\n", {"name": "cjsample"})
        argv = split_command(self._cj_backend.cmd_submit(jobscript))[0]
        for answer in corpus.job_id_answers(str(self.scheduler), argv):
            job_id = _call_quietly(self._cj_backend.get_job_id, answer.text)
            if isinstance(job_id, str) and job_id:
                return job_id
        return "4242"

    def _cj_run(self, job_id: str) -> AsyncResult:
        return AsyncResult(self._cj_backend, job_id, LocalRunner())

    def _cj_e2e(self, cluster: Any, tmp_path: Path) -> _E2E:
        return _E2E(self, cluster, tmp_path)


@functools.cache
def _real_probe(scheduler: str) -> str:
    """Why no real `scheduler` answers here ('' if one does), asked once per process."""
    return probe(scheduler)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _mismatch_message(title: str, problems: Sequence[Mismatch], rendered: Rendered) -> str:
    lines = [title + ":"] + [f"  - {p}" for p in problems]
    lines += ["rendered script:", _indent(rendered.script), f"command: {rendered.command!r}"]
    return "\n".join(lines)


def _call_quietly(function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    try:
        return function(*args, **kwargs)
    except Exception:  # a sample, not a check
        return None

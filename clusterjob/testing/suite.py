"""BackendConformance: the conformance suite as a base test class that ships with clusterjob.

Adoption is one subclass in a test module (never an edit of the tests)::

    from clusterjob.testing import BackendConformance, Capabilities

    class TestMyBackend(BackendConformance):
        backend = MyBackend()
        scheduler = "slurm"
        capabilities = Capabilities(always_adds={"account": "proj1"})   # optional

Each ``test_*`` method is one check; properties draw their examples from the active ``clusterjob-*``
Hypothesis profile, end-to-end checks run real jobs on a fresh simulated cluster of ``scheduler`` -- or,
under ``--cj-real``, on the real scheduler found on PATH (see ``clusterjob.testing.real``).
"""

from __future__ import annotations

import difflib
import functools
import inspect
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from clusterjob.backends import ClusterjobBackend, ResourcesNotSupportedError
from clusterjob.errors import InvalidResourceError
from clusterjob.jobscript import JobScript
from clusterjob.result import AsyncResult
from clusterjob.runners import LocalRunner, split_command
from clusterjob.status import (
    CANCELLED,
    COMPLETED,
    FAILED,
    PENDING,
    RUNNING,
    STATUS_CODES,
    str_status,
)
from clusterjob.testing import corpus
from clusterjob.testing import strategies as cst
from clusterjob.testing.capabilities import CORE_VARIABLES, OPTIONAL_CORE_VARIABLES, Capabilities
from clusterjob.testing.plugin import real_mode, real_submit_hosts, real_workdir
from clusterjob.testing.profiles import property_settings, resolve_profile_name
from clusterjob.testing.real import SIMULATOR_ONLY, RealCluster, probe, real_cluster
from clusterjob.testing.rules import Mismatch, SchedulerRules, rules_for
from clusterjob.testing.simulator import (
    cluster_config,
    env_overlay,
    set_walltime,
    simulated_cluster,
)

__all__ = ["BackendConformance", "Rendered", "replaces_check"]

T = TypeVar("T")

SEVEN_METHODS = (
    "cmd_submit",
    "get_job_id",
    "cmd_status",
    "get_status",
    "cmd_cancel",
    "resource_headers",
    "replace_body_vars",
)
"""The methods of the seed contract."""

CONFIG_ATTRIBUTES = (
    "backend",
    "scheduler",
    "capabilities",
    "real_capabilities",
    "cluster_overrides",
)
"""What a subclass may set (everything else it defines must not shadow the suite)."""

E2E_TIMEOUT_S = 90.0
"""Guard of every end-to-end wait (never a pass/fail criterion: a job that hangs fails with a clear message).
Against a real scheduler the guards come from Capabilities (``queue_wait_s``, ``walltime_kill_delay_s``)."""

REAL_JOB_TIME_S = 300
"""Wall time of every job submitted to a real scheduler (unless a check sets one): a job a check leaves
behind ends by itself. Jobs waiting on a gate give up after the same time."""

REAL_STATUS_SETTLE_S = 30.0
"""How long a real scheduler may take to report a job that has started as RUNNING (e.g. Grid Engine's
transfer state)."""


def replaces_check(function: Callable[..., T]) -> Callable[..., T]:
    """Mark a subclass method that deliberately replaces a suite check or fixture of the same name."""
    function.__cj_replaces_check__ = True  # type: ignore[attr-defined]
    return function


def _is_fixture(value: object) -> bool:
    try:
        from _pytest.fixtures import FixtureFunctionDefinition

        if isinstance(value, FixtureFunctionDefinition):
            return True
    except ImportError:  # pragma: no cover - pytest < 8.4
        pass
    return hasattr(value, "_pytestfixturefunction") or hasattr(value, "_fixture_function_marker")


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


class BackendConformance:
    """Base class of a backend's conformance tests: subclass it, set ``backend`` and ``scheduler``.

    Not collected by itself (``__test__`` is False until a subclass sets a backend).
    """

    __test__: ClassVar[bool] = False

    backend: ClassVar[ClusterjobBackend | None] = None
    """The backend instance under test."""
    scheduler: ClassVar[str | None] = None
    """Which simulated scheduler speaks to it: slurm, pbs (Torque), pbspro, lsf, sge."""
    capabilities: ClassVar[Capabilities | None] = None
    """What the backend supports beyond the seed contract (None: ``Capabilities()``)."""
    real_capabilities: ClassVar[Capabilities | None] = None
    """Under ``--cj-real``: the capabilities of the real cluster (its size, ``whole_cluster``, wall-time
    granularity); None: ``capabilities``."""
    cluster_overrides: ClassVar[Mapping[str, Any]] = {}
    """Extra config.json keys of the simulated cluster (e.g. ``{"unit_for_limits": "KB"}``)."""

    # ---------------------------------------------------------------------- subclass checking

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        protected = _suite_members()
        for name, value in vars(cls).items():
            if name.startswith("__") or name in CONFIG_ATTRIBUTES:
                continue
            if name in protected:
                if getattr(value, "__cj_replaces_check__", False):
                    continue
                kind = "fixture" if _is_fixture(protected[name]) else "check"
                if kind == "fixture" and _is_fixture(value):
                    continue  # a fixture overriding a fixture is how pytest customizes one
                raise TypeError(
                    f"{cls.__name__}.{name} shadows the conformance suite's {kind} {name!r}: "
                    f"rename it, or decorate it with @clusterjob.testing.replaces_check if you really "
                    f"mean to replace the suite's {kind} (declare unsupported features in "
                    f"`capabilities = Capabilities(...)` instead of replacing checks)"
                )
            if not name.startswith(("test", "_")) and not callable(value):
                close = difflib.get_close_matches(name, CONFIG_ATTRIBUTES, n=1, cutoff=0.75)
                if close:
                    raise TypeError(
                        f"{cls.__name__}.{name}: not a setting of BackendConformance; did you mean "
                        f"{close[0]!r}? (settings: {', '.join(CONFIG_ATTRIBUTES)})"
                    )
        backend = getattr(cls, "backend", None)
        if backend is not None:
            if isinstance(backend, type):
                raise TypeError(
                    f"{cls.__name__}.backend must be a backend instance, got the class "
                    f"{backend.__name__}: write `backend = {backend.__name__}()`"
                )
            scheduler = getattr(cls, "scheduler", None)
            if not isinstance(scheduler, str):
                raise TypeError(
                    f"{cls.__name__} sets a backend but no `scheduler = ...` (one of slurm, pbs, "
                    f"pbspro, lsf, sge): the suite needs to know which simulator speaks to it"
                )
            try:
                rules_for(scheduler)
            except ValueError as exc:
                raise TypeError(f"{cls.__name__}.scheduler: {exc}") from None
            for setting in ("capabilities", "real_capabilities"):
                capabilities = getattr(cls, setting, None)
                if capabilities is not None and not isinstance(capabilities, Capabilities):
                    raise TypeError(
                        f"{cls.__name__}.{setting} must be a clusterjob.testing.Capabilities, got "
                        f"{type(capabilities).__name__}"
                    )
        if "__test__" not in vars(cls):
            cls.__test__ = backend is not None

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

    # ====================================================================== (a) the contract

    def test_contract_class(self) -> None:
        """The backend is a ClusterjobBackend with a str name and extension and the seven methods."""
        backend = self._cj_backend
        assert isinstance(backend, ClusterjobBackend), (
            f"{type(backend).__name__} must subclass clusterjob.backends.ClusterjobBackend"
        )
        assert isinstance(backend.name, str) and backend.name, (
            f"backend.name must be a non-empty str, got {backend.name!r}"
        )
        assert isinstance(backend.extension, str), (
            f"backend.extension must be a str, got {backend.extension!r}"
        )
        missing = set(ClusterjobBackend.common_keys) - set(backend.common_keys)
        assert not missing, f"backend.common_keys lost the seed keys {sorted(missing)}"
        for method in SEVEN_METHODS:
            function = getattr(backend, method, None)
            assert callable(function), f"backend.{method} is not a method"
            assert not getattr(function, "__isabstractmethod__", False), f"{method} is abstract"
        for method in ("cmd_status", "get_status"):
            parameters = inspect.signature(getattr(backend, method)).parameters
            assert "finished" in parameters, f"backend.{method} must take finished=False"

    def test_contract_commands(self) -> None:
        """Commands are a sequence of str or a str a runner can split, and name the job they act on."""
        backend = self._cj_backend
        jobscript = self._cj_jobscript("echo hello\n", {"name": "cjcontract"})
        headers = backend.resource_headers(jobscript)
        assert isinstance(headers, list) and all(isinstance(h, str) for h in headers), (
            f"resource_headers() must return a list of str, got {headers!r}"
        )
        assert isinstance(backend.replace_body_vars("echo hi\n"), str)
        job_id = self._cj_sample_job_id()
        run = self._cj_run(job_id)
        commands = {
            "cmd_submit(jobscript)": backend.cmd_submit(jobscript),
            "cmd_status(run)": backend.cmd_status(run),
            "cmd_status(run, finished=True)": backend.cmd_status(run, finished=True),
            "cmd_cancel(run)": backend.cmd_cancel(run),
        }
        for label, command in commands.items():
            ok = isinstance(command, str) or (
                isinstance(command, Sequence)
                and not isinstance(command, (bytes, bytearray))
                and all(isinstance(arg, str) for arg in command)
            )
            assert ok, f"{label} must return a sequence of str or a str, got {command!r}"
            try:
                argv, _ = split_command(command)
            except ValueError as exc:
                pytest.fail(f"{label} returned {command!r}, which no runner can run: {exc}")
            if label != "cmd_submit(jobscript)":
                assert any(job_id in arg for arg in argv), (
                    f"{label} = {command!r} does not name the job {job_id!r}: a status or cancel "
                    "command must ask about this job"
                )
        for text in ("", "\n"):
            assert _call_quietly(backend.get_job_id, text) is None, (
                f"get_job_id({text!r}) must be None (no job id in an empty answer)"
            )

    # ====================================================================== body variables

    def test_body_variables(self, cj_settings: settings) -> None:
        """replace_body_vars maps every core variable ($X and ${X}) and leaves other lines alone."""
        caps = self._cj_caps
        variables = list(caps.core_variables) + (
            list(OPTIONAL_CORE_VARIABLES) if caps.arrays else []
        )
        pattern = _placeholder_pattern(variables)

        def check(body: str) -> None:
            replaced = self._cj_backend.replace_body_vars(body)
            assert isinstance(replaced, str)
            left = pattern.findall(replaced)
            assert not left, (
                f"placeholders left unreplaced: {left}\nbody:\n{body}\nreplaced:\n{replaced}"
            )
            before, after = body.splitlines(), replaced.splitlines()
            assert len(before) == len(after), f"line count changed:\n{body}\n->\n{replaced}"
            for old, new in zip(before, after, strict=True):
                if not pattern.search(old):
                    assert old == new, f"a line without placeholders changed: {old!r} -> {new!r}"

        self._cj_run_property(cj_settings, "body_variables", cst.job_bodies(caps), check)

    def test_body_user_variables_untouched(self) -> None:
        """Placeholders are replaced as whole names: a user's $CLUSTERJOB_IDX or ${CLUSTERJOB_NAMES} stays."""
        body = 'echo "$CLUSTERJOB_IDX ${CLUSTERJOB_NAMES} $CLUSTERJOB_NODELIST_FILE $MY_CLUSTERJOB_ID"\n'
        assert self._cj_backend.replace_body_vars(body) == body, (
            "replace_body_vars changed variables that are not core placeholders (replace whole "
            f"names only): {self._cj_backend.replace_body_vars(body)!r}"
        )

    # ====================================================================== (b) keys encoded or refused

    def test_every_key_encoded_or_refused(self, cj_settings: settings) -> None:
        """Every common key present is seen by the scheduler, or the backend raises ResourcesNotSupportedError."""
        caps = self._cj_caps
        rules = self._cj_rules

        def check(request: cst.ResourceRequest) -> None:
            note(f"resources = {request.resources!r}")
            try:
                rendered = self._cj_render("echo hello\n", request.resources)
            except ResourcesNotSupportedError as exc:
                declared = _declared_unsupported(request.normal, caps)
                assert declared, (
                    f"ResourcesNotSupportedError for a request within the declared capabilities: "
                    f"{exc}\n(declare the limitation in Capabilities if it is real)"
                )
                return
            except InvalidResourceError as exc:
                pytest.fail(f"a valid request was rejected as invalid: {exc}")
            note(f"rendered script:\n{rendered.script}")
            allocation = self._cj_parse_or_fail(rendered, "a valid request")
            requested = set(request.normal)
            problems = [
                m
                for m in rules.compare(request.normal, allocation, caps)
                if set(m.keys) & requested and not m.why.startswith("not requested")
            ]
            assert not problems, _mismatch_message(
                "requested keys the scheduler does not see (silently dropped or mis-encoded)",
                problems,
                rendered,
            )

        strategy = cst.resource_requests(caps, include_unsupported=True)
        self._cj_run_property(cj_settings, "every_key_encoded_or_refused", strategy, check)

    def test_declared_unsupported_refused(self) -> None:
        """Each feature declared unsupported in Capabilities is refused with ResourcesNotSupportedError."""
        caps = self._cj_caps
        requests: list[tuple[str, dict[str, Any]]] = []
        if not caps.multi_node:
            requests.append(("multi_node=False", {"nodes": 2}))
        if not caps.threads:
            requests.append(("threads=False", {"threads": 2}))
        for key, value in (("mem", 1024), ("time", 3600), ("queue", caps.queues[0])):
            if not caps.supports_key(key):
                requests.append((f"{key}=False", {key: value}))
        if not caps.output_paths:
            requests.append(("output_paths=False", {"stdout": "out.txt"}))
        if not requests:
            pytest.skip("the backend declares every common key supported")
        for label, resources in requests:
            with pytest.raises(ResourcesNotSupportedError):
                self._cj_render("true\n", {"name": "cjunsupported", **resources})
                pytest.fail(f"declared {label}, yet {resources} rendered without error")

    # ====================================================================== (c) semantic round trip

    def test_round_trip(self, cj_settings: settings) -> None:
        """What the scheduler's own parser reads from the script is the request: nothing more, nothing less."""
        caps = self._cj_caps
        rules = self._cj_rules
        extras = self._cj_extras

        def check(request: cst.ResourceRequest) -> None:
            note(f"resources = {request.resources!r}")
            try:
                rendered = self._cj_render("echo hello\n", request.resources)
            except (ResourcesNotSupportedError, InvalidResourceError) as exc:
                pytest.fail(
                    f"a valid request within the declared capabilities was refused: "
                    f"{type(exc).__name__}: {exc}"
                )
            note(f"rendered script:\n{rendered.script}")
            allocation = self._cj_parse_or_fail(rendered, "a valid request")
            note(f"the scheduler sees {allocation!r}")
            request_extras = {k: v for k, v in request.normal.items() if k not in cst.COMMON_KEYS}
            problems = rules.compare(request.normal, allocation, caps, request_extras)
            assert not problems, _mismatch_message(
                f"the {rules.name} scheduler does not see the request"
                + (f" ({rules.note})" if rules.note else ""),
                problems,
                rendered,
            )

        strategy = cst.resource_requests(caps, extras=extras)
        self._cj_run_property(cj_settings, "round_trip", strategy, check)

    # ====================================================================== (d) no injection

    def test_no_injection(self, cj_settings: settings) -> None:
        """A hostile name, queue, path or option value is refused, or read back exactly: never a new directive."""
        caps = self._cj_caps
        rules = self._cj_rules
        fields = ["name"]
        if caps.queue:
            fields.append("queue")
        if caps.output_paths:
            fields += ["stdout", "stderr"]
        text_options = caps.text_options if caps.text_options is not None else rules.text_extras
        fields += [f"extra:{key}" for key in text_options]

        @st.composite
        def cases(draw: st.DrawFn, field: str) -> tuple[cst.ResourceRequest, str, str]:
            base = draw(cst.resource_requests(caps, keys=("nodes", "ppn", "time")))
            value = draw(cst.hostile_strings())
            resources, normal = dict(base.resources), dict(base.normal)
            key = field.removeprefix("extra:")
            resources[key] = normal[key] = value
            return cst.ResourceRequest(resources, normal), field, value

        body = "echo body-line-1\necho body-line-2\n"

        def check(case: tuple[cst.ResourceRequest, str, str]) -> None:
            request, field, value = case
            note(f"hostile {field} = {value!r}")
            try:
                rendered = self._cj_render(body, request.resources)
            except (InvalidResourceError, ResourcesNotSupportedError):
                return
            note(f"rendered script:\n{rendered.script}")
            for line in rendered.headers:
                assert line.startswith("#") and not re.search(r"[\n\r]", line), (
                    f"a header line is not one comment line: {line!r}"
                )
            assert rendered.script.endswith(rendered.body), (
                f"the body changed: the rendered script does not end with it:\n{rendered.script}"
            )
            for arg in rendered.argv:
                assert "\n" not in arg and "\x00" not in arg, (
                    f"submit argument {arg!r} breaks a line"
                )
            allocation = self._cj_parse_or_fail(
                rendered, f"hostile {field} {value!r} was accepted by the backend, but", site=False
            )
            request_extras = {k: v for k, v in request.normal.items() if k not in cst.COMMON_KEYS}
            problems = rules.compare(request.normal, allocation, caps, request_extras)
            assert not problems, _mismatch_message(
                f"hostile {field} {value!r} was accepted, but the scheduler does not read it back "
                "exactly (refuse it with InvalidResourceError, or quote it)",
                problems,
                rendered,
            )

        for field in fields:  # one property per field: each gets the profile's number of examples
            name = f"no_injection_{field.replace(':', '_')}"
            self._cj_run_property(cj_settings, name, cases(field), check)

    # ====================================================================== (e) answers

    def test_job_id_answers(self) -> None:
        """get_job_id parses every recorded submission answer of the scheduler (docs/reference)."""
        backend = self._cj_backend
        jobscript = self._cj_jobscript("true\n", {"name": "cjanswers"})
        argv = split_command(backend.cmd_submit(jobscript))[0]
        answers = corpus.job_id_answers(str(self.scheduler), argv)
        if not answers:
            pytest.skip(f"no recorded {self.scheduler} submission answer applies to {argv!r}")
        wrong = []
        for answer in answers:
            got = _call_or_error(backend.get_job_id, answer.text)
            if got not in answer.expected:
                wrong.append(
                    f"{answer.describe()}\n    -> {got!r}, expected one of {answer.expected}"
                )
        assert not wrong, "get_job_id misreads recorded answers:\n" + "\n".join(wrong)

    def test_status_answers(self) -> None:
        """get_status parses every recorded status answer of the scheduler to the right status."""
        backend = self._cj_backend
        run = self._cj_run(self._cj_sample_job_id())
        checked = 0
        wrong = []
        for finished in (False, True):
            argv = split_command(backend.cmd_status(run, finished=finished))[0]
            for answer in corpus.status_answers(str(self.scheduler), argv, run.job_id, finished):
                checked += 1
                got = _call_or_error(backend.get_status, answer.text, finished=finished)
                if got not in answer.expected:
                    shown = str_status(got) if isinstance(got, int) or got is None else repr(got)
                    expected = ", ".join(
                        str_status(e) if isinstance(e, int) or e is None else repr(e)
                        for e in answer.expected
                    )
                    wrong.append(f"{answer.describe()}\n    -> {shown}, expected {expected}")
        if not checked:
            pytest.skip(
                f"no recorded {self.scheduler} status answer applies to this backend's status "
                "commands (the end-to-end checks still read the simulator's answers)"
            )
        assert not wrong, "get_status misreads recorded answers:\n" + "\n".join(wrong)

    def test_batched_status_answers(self) -> None:
        """get_status_many reads recorded answers about several jobs (when the backend batches)."""
        backend = self._cj_backend
        sample = self._cj_run(self._cj_sample_job_id())
        batches = self._cj_caps.batched_status
        if backend.cmd_status_many([sample]) is None:
            assert not batches, "Capabilities.batched_status=True, but cmd_status_many returns None"
            pytest.skip("the backend does not batch status queries")
        assert batches is not False, (
            "Capabilities.batched_status=False, but cmd_status_many batches"
        )
        checked, wrong = 0, []
        for finished in (False, True):
            probe = backend.cmd_status_many(
                [sample, self._cj_run(sample.job_id)], finished=finished
            )
            if probe is None:
                continue
            argv = split_command(probe)[0]
            for answer in corpus.batched_answers(str(self.scheduler), argv, finished):
                runs = [self._cj_run(job_id) for job_id in answer.expected]
                got = _call_or_error(backend.get_status_many, answer.text, runs, finished=finished)
                checked += 1
                if not isinstance(got, dict):
                    wrong.append(f"{answer.note}: get_status_many returned {got!r}")
                    continue
                for job_id, expected in answer.expected.items():
                    if got.get(job_id) not in expected:
                        wrong.append(
                            f"{answer.note}: job {job_id} -> {str_status(got.get(job_id))}, expected "
                            + " or ".join(str_status(e) for e in expected)  # type: ignore[arg-type]
                        )
        if not checked:
            pytest.skip(
                f"no recorded {self.scheduler} answer applies to this backend's batched commands"
            )
        assert not wrong, "get_status_many misreads recorded answers:\n" + "\n".join(wrong)

    def test_answers_never_raise(self, cj_settings: settings) -> None:
        """get_job_id/get_status (and get_status_many) return None or a result on any text; never raise."""
        backend = self._cj_backend
        run = self._cj_run(self._cj_sample_job_id())
        recorded = [a.text for a in corpus.answers_for(str(self.scheduler))]
        for finished in (False, True):
            argv = split_command(backend.cmd_status(run, finished=finished))[0]
            recorded += [
                a.text
                for a in corpus.status_answers(str(self.scheduler), argv, run.job_id, finished)
            ]
        texts = _junk_texts(recorded or ["Submitted batch job 1\n"])
        batched = backend.cmd_status_many([run]) is not None

        def check(case: tuple[str, bool]) -> None:
            text, finished = case
            job_id = backend.get_job_id(text)
            assert job_id is None or (
                isinstance(job_id, str) and job_id and not re.search(r"\s", job_id)
            ), (
                f"get_job_id({text!r}) returned {job_id!r}: a job id must be a str without blanks, or None"
            )
            status = backend.get_status(text, finished=finished)
            assert status is None or status in STATUS_CODES, (
                f"get_status({text!r}) returned {status!r}, not a clusterjob.status code or None"
            )
            if batched:
                many = backend.get_status_many(text, [run], finished=finished)
                assert isinstance(many, dict) and all(
                    v is None or v in STATUS_CODES for v in many.values()
                ), f"get_status_many({text!r}) returned {many!r}"

        self._cj_run_property(
            cj_settings, "answers_never_raise", st.tuples(texts, st.booleans()), check
        )

    # ====================================================================== (f) end to end

    def _cj_e2e(self, cluster: Any, tmp_path: Path) -> _E2E:
        return _E2E(self, cluster, tmp_path)

    def test_e2e_submit_runs_completes(self, cj_cluster: Any, tmp_path: Path) -> None:
        """submit -> a job id -> PENDING or RUNNING -> COMPLETED, on the scheduler."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        gate = e2e.gate("go")
        result = e2e.submit(f"{gate.wait_line}\necho done\n", "cjcomplete")
        assert isinstance(result.job_id, str) and result.job_id
        if e2e.real is None:
            assert e2e.engine_job(result) is not None, (
                f"get_job_id gave {result.job_id!r}, but the scheduler has no such job"
            )
        first = e2e.status(result)
        assert first in (PENDING, RUNNING), (
            f"a job waiting for its gate reported {str_status(first)}"
            + ("" if e2e.real is None else f" ({e2e.answers(result)})")
        )
        e2e.wait_running(result)
        assert e2e.settled_status(result, RUNNING) == RUNNING, (
            "a running job was not reported RUNNING"
            + ("" if e2e.real is None else f" ({e2e.answers(result)})")
        )
        gate.open()
        e2e.expect_final(result, COMPLETED, "a job released from its gate")

    def test_e2e_pending(self, cj_cluster: Any, tmp_path: Path) -> None:
        """A job waiting for a full cluster is PENDING, runs when the cluster frees up, and completes."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        if e2e.real is not None and not self._cj_caps.whole_cluster:
            pytest.skip(
                "needs a full cluster: under --cj-real it runs only with Capabilities(whole_cluster="
                "True), when max_nodes x max_cores_per_node is all the real cluster has"
            )
        gate = e2e.gate("free")
        blocker = e2e.submit(gate.wait_line + "\n", "cjblocker", **e2e.whole_cluster())
        e2e.wait_running(blocker)
        waiting = e2e.submit("echo waited\n", "cjwaiting")
        assert e2e.status(waiting) == PENDING, (
            "a job that cannot start yet was not reported PENDING"
        )
        gate.open()
        e2e.expect_final(blocker, COMPLETED, "the job that filled the cluster")
        e2e.expect_final(waiting, COMPLETED, "the job that waited for it")

    def test_e2e_cancel(self, cj_cluster: Any, tmp_path: Path) -> None:
        """Cancelling a running job and a pending one ends both CANCELLED."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        gate = e2e.gate("never")
        running = e2e.submit(gate.wait_line + "\n", "cjrunning", **e2e.whole_cluster())
        e2e.wait_running(running)
        pending = e2e.submit(gate.wait_line + "\n", "cjpending")
        if e2e.real is None or self._cj_caps.whole_cluster:
            assert e2e.status(pending) == PENDING
        else:  # a real cluster larger than the capabilities say may start it at once
            assert e2e.status(pending) in (PENDING, RUNNING)
        pending.cancel()
        running.cancel()
        e2e.expect_final(pending, CANCELLED, "a cancelled pending job did not end CANCELLED")
        e2e.expect_final(running, CANCELLED, "a cancelled running job did not end CANCELLED")

    def test_e2e_exit_code_failed(self, cj_cluster: Any, tmp_path: Path) -> None:
        """A job whose script exits non-zero ends FAILED."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        result = e2e.submit("echo failing\nexit 3\n", "cjfail")
        e2e.expect_final(result, FAILED, "a job whose script exits 3")

    def test_e2e_walltime_exceeded_failed(self, cj_cluster: Any, tmp_path: Path) -> None:
        """A job killed for exceeding its wall time ends FAILED."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        caps = self._cj_caps
        if e2e.real is not None:
            if not caps.time:
                pytest.skip(
                    "the backend encodes no wall time (Capabilities.time=False): a real scheduler "
                    "cannot be told to stop the job"
                )
            step = caps.walltime_granularity_s or self._cj_rules.time_step_s
            limit = step * -(-10 // step)  # the shortest limit >= 10 s the scheduler enforces
            runs = limit + caps.walltime_kill_delay_s + 60
            slow = e2e.submit(f"sleep {runs}\n", "cjslow", time=limit)
            e2e.wait_running(slow)
            e2e.expect_final(
                slow,
                FAILED,
                f"a job killed at its wall time ({limit} s) did not end FAILED",
                timeout=limit + caps.walltime_kill_delay_s,
            )
            return
        gate = e2e.gate("free")
        blocker = e2e.submit(gate.wait_line + "\n", "cjblocker", **e2e.whole_cluster())
        e2e.wait_running(blocker)
        extra = {"time": 3600} if self._cj_caps.time else {}
        slow = e2e.submit("sleep 60\n", "cjslow", **extra)
        assert set_walltime(e2e.cluster, slow.job_id, 1.0) == 1, (
            "could not shorten the pending job's wall time in the simulator"
        )
        gate.open()
        e2e.expect_final(blocker, COMPLETED, "the job that filled the cluster")
        e2e.expect_final(slow, FAILED, "a job killed at its wall time did not end FAILED")
        assert e2e.engine_job(slow).state == "TIMEOUT"

    def test_e2e_finished_status_from_accounting(self, cj_cluster: Any, tmp_path: Path) -> None:
        """Once a finished job has left the queue view, its status comes from the accounting view."""
        if not self._cj_caps.accounting:
            pytest.skip("the backend declares no accounting view (Capabilities.accounting=False)")
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        if e2e.real is None:
            cj_cluster.configure(**self._cj_rules.forget_finished)
        good = e2e.submit("echo ok\n", "cjgood")
        bad = e2e.submit("exit 5\n", "cjbad")
        if e2e.real is None:
            e2e.wait_engine(good, "COMPLETED")
            e2e.wait_engine(bad, "FAILED")
        else:  # the queue view may still know them: the accounting view must tell all the same
            e2e.expect_final(good, COMPLETED, "a job that exits 0")
            e2e.expect_final(bad, FAILED, "a job that exits 5")
        backend = self._cj_backend
        for result, expected in ((good, COMPLETED), (bad, FAILED)):
            # a real scheduler writes the accounting record shortly after the job's end
            deadline = time.monotonic() + (self._cj_caps.queue_wait_s if e2e.real else 0)
            while True:
                out = result.runner.run(backend.cmd_status(result, finished=True))
                got = backend.get_status(out.stdout, finished=True)
                if got is not None or time.monotonic() > deadline:
                    break
                time.sleep(1.0)
            assert got == expected, (
                f"the accounting view of job {result.job_id} answered {out.stdout!r} "
                f"(stderr {out.stderr!r}); get_status(finished=True) gave {str_status(got)}, "
                f"expected {str_status(expected)}"
            )
            e2e.expect_final(result, expected, "a finished job seen through accounting")

    def test_e2e_core_variables(self, cj_cluster: Any, tmp_path: Path) -> None:
        """Inside a running job every core variable holds the scheduler's value (id, name, dirs, nodes)."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        caps = self._cj_caps
        body, labels = _core_variable_body(caps)
        resources: dict[str, Any] = {}
        nodes = min(2, caps.max_nodes) if caps.multi_node else 1
        if nodes > 1:
            resources.update(e2e.whole_cluster(nodes))
        out_file = e2e.base / "core-variables.out"  # where the compute nodes can write it
        if caps.output_paths:
            resources["stdout"] = str(out_file)
        result = e2e.submit(body, "cjvars", **resources)
        e2e.expect_final(result, COMPLETED, "the job printing the core variables")
        name = e2e.job_name("cjvars")
        text = e2e.job_output(result, out_file)
        values = dict(
            line.split("=", 1)
            for line in text.splitlines()
            if "=" in line and line.startswith("CJ_")
        )
        assert set(values) >= set(labels.values()), (
            f"the job did not print every variable; its output:\n{text}"
        )
        assert values[labels["CLUSTERJOB_ID"]] == result.job_id, (
            f"$CLUSTERJOB_ID is {values[labels['CLUSTERJOB_ID']]!r} in the job, but get_job_id "
            f"returned {result.job_id!r}"
        )
        assert values[labels["CLUSTERJOB_NAME"]] == name, (
            f"$CLUSTERJOB_NAME is {values[labels['CLUSTERJOB_NAME']]!r}, the job is named {name!r}"
        )
        assert _same_dir(values[labels["CLUSTERJOB_WORKDIR"]], e2e.submit_dir), (
            f"$CLUSTERJOB_WORKDIR is {values[labels['CLUSTERJOB_WORKDIR']]!r}, submitted from "
            f"{e2e.submit_dir}"
        )
        assert values[labels["CLUSTERJOB_SUBMIT_HOST"]] in e2e.submit_hosts(), (
            f"$CLUSTERJOB_SUBMIT_HOST is {values[labels['CLUSTERJOB_SUBMIT_HOST']]!r}, expected one "
            f"of {sorted(e2e.submit_hosts())}"
        )
        node_names = _node_names(values[labels["CLUSTERJOB_NODELIST"]])
        assert len(node_names) == nodes, (
            f"$CLUSTERJOB_NODELIST is {values[labels['CLUSTERJOB_NODELIST']]!r}: {len(node_names)} "
            f"distinct nodes, requested {nodes}"
        )
        if e2e.real is None:  # a real scheduler's node names are checked by their count only
            ran_on = e2e.engine_job(result).node_names
            assert set(node_names) == set(ran_on), (
                f"$CLUSTERJOB_NODELIST names {node_names}, the job ran on {ran_on}"
            )

    # ====================================================================== (g) stateful, with faults

    def test_stateful_with_faults(self, tmp_path: Path, cj_profile_name: str) -> None:
        """Many jobs submitted, polled, cancelled and waited on while commands fail, print junk or lose
        answers: no job is lost and none ends in a wrong state."""
        if real_mode():
            pytest.skip(
                f"fault injection (commands that fail, print junk, lose answers) {SIMULATOR_ONLY}"
            )
        from clusterjob.testing.stateful import run_jobs_machine

        run_jobs_machine(self, tmp_path, cj_profile_name)


# ========================================================================== end-to-end helper


class _Gate:
    """A file a job waits for: the job holds its cores until the test opens the gate (on a real scheduler
    for at most `limit_s`, so a job left behind ends by itself)."""

    def __init__(self, path: Path, limit_s: int | None = None) -> None:
        self.path = path
        self.limit_s = limit_s

    @property
    def wait_line(self) -> str:
        if self.limit_s is None:
            return f"while [ ! -e '{self.path}' ]; do sleep 0.05; done"
        return (
            f"cj_n=0; while [ ! -e '{self.path}' ] && [ $cj_n -lt {self.limit_s * 5} ]; "
            "do sleep 0.2; cj_n=$((cj_n+1)); done"
        )

    def open(self) -> None:
        self.path.touch()


class _E2E:
    """Jobs of one end-to-end check: submitted with JobScript.submit, tracked by AsyncResult; on the
    simulated cluster, or on a real scheduler (`real`)."""

    def __init__(self, suite: BackendConformance, cluster: Any, tmp_path: Path) -> None:
        self.suite = suite
        self.cluster = cluster
        self.real: RealCluster | None = cluster if isinstance(cluster, RealCluster) else None
        base = self.real.folder if self.real is not None else tmp_path
        self.base = (
            base  # every file a job reads or writes lives below it (--workdir: seen by the nodes)
        )
        self.submit_dir = base / "submit"
        self.submit_dir.mkdir(parents=True, exist_ok=True)
        self.gates = base / "gates"
        self.gates.mkdir(exist_ok=True)
        self.names: dict[str, str] = {}

    @property
    def timeout(self) -> float:
        """Guard of one wait: a real job may queue behind other users' jobs."""
        return float(self.suite._cj_caps.queue_wait_s) if self.real else E2E_TIMEOUT_S

    def gate(self, name: str) -> _Gate:
        return _Gate(self.gates / name, REAL_JOB_TIME_S if self.real else None)

    def job_name(self, name: str) -> str:
        """The name a job submitted as `name` carries (unique to this check on a real scheduler)."""
        return self.real.job_name(name) if self.real is not None else name

    def _started(self, name: str) -> Path:
        return self.gates / f"started.{name}"

    def whole_cluster(self, nodes: int | None = None) -> dict[str, Any]:
        """Resources that take every core of `nodes` nodes (all nodes by default)."""
        caps = self.suite._cj_caps
        count = caps.max_nodes if nodes is None else nodes
        resources: dict[str, Any] = {"ppn": caps.max_cores_per_node}
        if count > 1 or caps.multi_node:
            resources["nodes"] = count
        return resources

    def submit(self, body: str, name: str, **resources: Any) -> AsyncResult:
        caps = self.suite._cj_caps
        if self.real is not None:
            body = f"touch '{self._started(name)}'\n{body}"  # the job's own word that it runs
            if caps.time and "time" not in resources:
                resources["time"] = min(REAL_JOB_TIME_S, caps.max_time_s)
        jobscript = self.suite._cj_jobscript(
            body,
            {"name": self.job_name(name), **resources},
            rootdir=str(self.submit_dir),
            max_sleep_interval=0.2 if self.real is None else 1.0,
        )
        result = jobscript.submit()
        if self.real is not None:
            self.real.track(result)
        self.names[result.job_id] = name
        return result

    def status(self, result: AsyncResult) -> int:
        return result.status

    def settled_status(self, result: AsyncResult, expected: int) -> int:
        """The run's status; on a real scheduler polled for a while until it is `expected`."""
        status = self.status(result)
        deadline = time.monotonic() + (REAL_STATUS_SETTLE_S if self.real else 0)
        while status != expected and time.monotonic() < deadline:
            time.sleep(0.5)
            status = self.status(result)
        return status

    def answers(self, result: AsyncResult) -> str:
        """What the backend's status commands answer about `result` now, and what it made of them."""
        backend = self.suite._cj_backend
        lines = []
        for finished in (False, True):
            command = backend.cmd_status(result, finished=finished)
            out = result.runner.run(command)
            parsed = backend.get_status(out.stdout, finished=finished)
            lines.append(
                f"{command!r} -> rc {out.returncode}, stdout {_clip(out.stdout)}, stderr "
                f"{_clip(out.stderr)}; get_status(finished={finished}) = {str_status(parsed)}"
            )
        return "\n".join(lines)

    def _held(self, result: AsyncResult) -> str:
        if self.real is not None:
            return f"the real {self.real.scheduler} scheduler answers:\n{self.answers(result)}"
        job = self.engine_job(result)
        return f"the simulated scheduler holds it {job.state if job is not None else 'nowhere'}" + (
            f" (exit code {job.exit_code}, signal {job.signal})" if job is not None else ""
        )

    def final(self, result: AsyncResult, timeout: float | None = None) -> int:
        limit = self.timeout if timeout is None else timeout
        try:
            return result.get(timeout=limit)
        except TimeoutError:
            pytest.fail(
                f"job {result.job_id} did not reach a final status through the backend within "
                f"{limit:.0f} s; last status {str_status(result.last_status)}; {self._held(result)}"
            )

    def expect_final(
        self, result: AsyncResult, expected: int, what: str, timeout: float | None = None
    ) -> None:
        """The run's final status is `expected`; else a failure that shows what the scheduler said."""
        final = self.final(result, timeout)
        if final == expected:
            return
        lines = [
            f"{what}: job {result.job_id} ended {str_status(final)}, expected {str_status(expected)}",
            self._held(result),
        ]
        if self.real is None:
            lines.append(self.answers(result))
        pytest.fail("\n".join(lines))

    def engine_job(self, result: AsyncResult) -> Any:
        if self.real is not None:
            return None
        digits = result.job_id.split(".", 1)[0].split("[", 1)[0]
        engine = self.cluster.engine
        try:
            jobs = engine.jobs([int(digits)]) if digits.isdigit() else []
        finally:
            engine.close()
        return jobs[0] if jobs else None

    def wait_engine(self, result: AsyncResult, state: str) -> None:
        deadline = time.monotonic() + E2E_TIMEOUT_S
        while True:
            job = self.engine_job(result)
            if job is not None and job.state == state:
                return
            if time.monotonic() > deadline:
                seen = job.state if job is not None else "no such job"
                pytest.fail(f"job {result.job_id} never reached {state} in the simulator ({seen})")
            time.sleep(0.05)

    def wait_running(self, result: AsyncResult) -> None:
        """Until the job runs: as the simulator holds it, or, on a real scheduler, as the job itself says."""
        if self.real is None:
            self.wait_engine(result, "RUNNING")
            return
        started = self._started(self.names[result.job_id])
        deadline = time.monotonic() + self.timeout
        while not started.exists():
            if time.monotonic() > deadline:
                pytest.fail(
                    f"job {result.job_id} did not start within {self.timeout:.0f} s "
                    f"(Capabilities.queue_wait_s); {self._held(result)}"
                )
            time.sleep(0.2)

    def submit_hosts(self) -> set[str]:
        here = socket.gethostname()
        hosts = {here, here.split(".", 1)[0]}
        if self.real is not None:
            return real_submit_hosts() or hosts | {socket.getfqdn()}
        engine = self.cluster.engine
        try:
            hosts.add(engine.submit_host)
        finally:
            engine.close()
        return hosts

    def job_output(self, result: AsyncResult, path: Path) -> str:
        if path.exists():
            return path.read_text(encoding="utf-8", errors="replace")
        job = self.engine_job(result)
        candidates = [Path(job.stdout)] if job is not None and job.stdout else []
        candidates += sorted(self.submit_dir.glob("*"))
        for candidate in candidates:
            if candidate.is_file() and "CJ_" in candidate.read_text(errors="replace"):
                return candidate.read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"found no output of job {result.job_id} (looked for {path})")


# ========================================================================== small helpers


@functools.cache
def _real_probe(scheduler: str) -> str:
    """Why no real `scheduler` answers here ('' if one does), asked once per process."""
    return probe(scheduler)


def _suite_members() -> dict[str, object]:
    """Checks, fixtures and helpers of BackendConformance that a subclass must not shadow by mistake."""
    return {
        name: value
        for name, value in vars(BackendConformance).items()
        if not name.startswith("__") and name not in CONFIG_ATTRIBUTES
    }


def _clip(text: str, limit: int = 700) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 20] + f"... ({len(text)} chars)"


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _mismatch_message(title: str, problems: Sequence[Mismatch], rendered: Rendered) -> str:
    lines = [title + ":"] + [f"  - {p}" for p in problems]
    lines += ["rendered script:", _indent(rendered.script), f"command: {rendered.command!r}"]
    return "\n".join(lines)


def _declared_unsupported(normal: Mapping[str, Any], caps: Capabilities) -> bool:
    """Whether a request uses something `caps` declares unsupported (so a refusal is justified)."""
    if not caps.multi_node and normal.get("nodes", 1) > 1:
        return True
    if not caps.threads and "threads" in normal:
        return True
    return any(key in normal and not caps.supports_key(key) for key in cst.COMMON_KEYS)


def _placeholder_pattern(variables: Sequence[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(v) for v in sorted(variables, key=len, reverse=True))
    return re.compile(r"\$\{?(?:" + names + r")(?![A-Za-z0-9_])")


def _call_quietly(function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    try:
        return function(*args, **kwargs)
    except Exception:  # a sample, not a check
        return None


def _call_or_error(function: Callable[..., object], *args: Any, **kwargs: Any) -> object:
    try:
        return function(*args, **kwargs)
    except Exception as exc:  # reported as the result
        return f"raised {type(exc).__name__}: {exc}"


def _junk_texts(recorded: Sequence[str]) -> st.SearchStrategy[str]:
    """Arbitrary text, and recorded answers cut, spliced and salted with junk."""
    pieces = st.sampled_from(list(recorded))

    @st.composite
    def mutated(draw: st.DrawFn) -> str:
        text = draw(pieces)
        if not text:
            return draw(st.text(max_size=40))
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        junk = draw(st.text(max_size=20))
        return text[:start] + junk + text[end:]

    return st.one_of(
        st.text(),
        mutated(),
        st.lists(pieces, max_size=3).map("".join),
        st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    )


def _core_variable_body(caps: Capabilities) -> tuple[str, dict[str, str]]:
    labels = {v: "CJ_" + v.removeprefix("CLUSTERJOB_") for v in CORE_VARIABLES}
    lines = [f'echo "{label}=${{{variable}}}"' for variable, label in labels.items()]
    return "\n".join(lines) + "\n", labels


def _same_dir(a: str, b: Path) -> bool:
    try:
        return Path(a).resolve() == b.resolve()
    except OSError:
        return False


def _node_names(text: str) -> list[str]:
    """Distinct node names of a node list: SLURM's compressed form, or names split by blanks/commas."""
    text = text.strip()
    if "[" in text:
        try:
            from clusterjob_sim.engine.hostlist import expand

            return list(dict.fromkeys(expand(text)))
        except ValueError:
            return [text]
    return list(dict.fromkeys(n for n in re.split(r"[\s,]+", text) if n))

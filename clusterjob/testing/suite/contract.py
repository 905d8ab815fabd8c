"""(a) The contract: the backend is a ClusterjobBackend with the seed's attributes and seven methods, and
its commands are argv a runner can run that name the job they act on."""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import pytest

from clusterjob.backends import ClusterjobBackend
from clusterjob.runners import split_command
from clusterjob.testing.suite.base import ConformanceBase, _call_quietly

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


class ContractChecks(ConformanceBase):
    """The backend's class and commands keep the seed contract."""

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

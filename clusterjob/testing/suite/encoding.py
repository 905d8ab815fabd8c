"""(b) Keys encoded or refused: every common key reaches the scheduler (read by the simulator's own parser)
or the backend raises ResourcesNotSupportedError, and only for what Capabilities declares unsupported."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import note, settings

from clusterjob.backends import ResourcesNotSupportedError
from clusterjob.errors import InvalidResourceError
from clusterjob.testing import strategies as cst
from clusterjob.testing.capabilities import Capabilities
from clusterjob.testing.suite.base import ConformanceBase, _mismatch_message


class EncodingChecks(ConformanceBase):
    """No common key is silently dropped; declared limitations are refused."""

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


def _declared_unsupported(normal: Mapping[str, Any], caps: Capabilities) -> bool:
    """Whether a request uses something `caps` declares unsupported (so a refusal is justified)."""
    if not caps.multi_node and normal.get("nodes", 1) > 1:
        return True
    if not caps.threads and "threads" in normal:
        return True
    return any(key in normal and not caps.supports_key(key) for key in cst.COMMON_KEYS)

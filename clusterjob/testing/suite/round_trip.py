"""(c) Semantic round trip: what the scheduler's own parser reads from the rendered job is exactly the
allocation requested, nothing more and nothing less."""

from __future__ import annotations

import pytest
from hypothesis import note, settings

from clusterjob.backends import ResourcesNotSupportedError
from clusterjob.errors import InvalidResourceError
from clusterjob.testing import strategies as cst
from clusterjob.testing.suite.base import ConformanceBase, _mismatch_message


class RoundTripChecks(ConformanceBase):
    """The scheduler reads back the request, as the scheduler's rules define it."""

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

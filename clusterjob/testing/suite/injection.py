"""(d) No injection: a hostile name, queue, output path or option value is refused, or read back exactly;
it never becomes a new directive, a new command or a broken submit argument."""

from __future__ import annotations

import re

from hypothesis import note, settings
from hypothesis import strategies as st

from clusterjob.backends import ResourcesNotSupportedError
from clusterjob.errors import InvalidResourceError
from clusterjob.testing import strategies as cst
from clusterjob.testing.suite.base import ConformanceBase, _mismatch_message


class InjectionChecks(ConformanceBase):
    """Hostile text in any free-text resource cannot add a directive or a command."""

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

"""Body variables: replace_body_vars maps every core placeholder ($X and ${X}) and nothing else, so a job
body reads the same on every scheduler."""

from __future__ import annotations

import re
from collections.abc import Sequence

from hypothesis import settings

from clusterjob.testing import strategies as cst
from clusterjob.testing.capabilities import OPTIONAL_CORE_VARIABLES
from clusterjob.testing.suite.base import ConformanceBase


class BodyVariableChecks(ConformanceBase):
    """replace_body_vars replaces whole core placeholders, every one, and leaves other text alone."""

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


def _placeholder_pattern(variables: Sequence[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(v) for v in sorted(variables, key=len, reverse=True))
    return re.compile(r"\$\{?(?:" + names + r")(?![A-Za-z0-9_])")

"""A minimal test-only backend: enough contract to test JobScript and the registry in isolation."""

from __future__ import annotations

from typing import Any

from clusterjob.backends import ClusterjobBackend
from clusterjob.resources import normalize_resources


class DummyBackend(ClusterjobBackend):
    """Writes '#DUMMY key=value' headers and maps $CLUSTERJOB_ID to $DUMMY_ID."""

    def __init__(self, name: str = "dummy") -> None:
        self.name = name
        self.extension = ".dummy"

    def cmd_submit(self, jobscript: Any) -> list[str]:
        return ["dummysub", jobscript.script_filename]

    def get_job_id(self, response: str) -> str | None:
        words = response.split()
        return words[-1] if words and words[-1].isdigit() else None

    def cmd_status(self, run: Any, finished: bool = False) -> list[str]:
        return ["dummystat", run.job_id]

    def get_status(self, response: str, finished: bool = False) -> int | None:
        return None

    def cmd_cancel(self, run: Any) -> list[str]:
        return ["dummydel", run.job_id]

    def resource_headers(self, jobscript: Any) -> list[str]:
        normal = normalize_resources(jobscript.resources)
        return [f"#DUMMY {key}={normal[key]}" for key in sorted(normal)]

    def replace_body_vars(self, body: str) -> str:
        return body.replace("${CLUSTERJOB_ID}", "${DUMMY_ID}").replace(
            "$CLUSTERJOB_ID", "$DUMMY_ID"
        )

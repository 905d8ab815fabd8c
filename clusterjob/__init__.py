"""clusterjob: one job script for any HPC batch scheduler, submitted locally or over ssh, tracked to the end.

The main objects are JobScript (what to run and with which resources) and AsyncResult (one submitted run).
"""

from __future__ import annotations

from clusterjob.status import (
    CANCELLED,
    COMPLETED,
    FAILED,
    PENDING,
    RUNNING,
    STATUS_CODES,
    UNKNOWN,
    str_status,
)

__all__ = [
    "CANCELLED",
    "COMPLETED",
    "FAILED",
    "PENDING",
    "RUNNING",
    "STATUS_CODES",
    "UNKNOWN",
    "AsyncResult",
    "JobScript",
    "str_status",
]


def __getattr__(name: str) -> object:
    """Import JobScript and AsyncResult on first use, so `import clusterjob` stays cheap."""
    if name == "JobScript":
        from clusterjob.jobscript import JobScript

        return JobScript
    if name == "AsyncResult":
        from clusterjob.result import AsyncResult

        return AsyncResult
    raise AttributeError(f"module 'clusterjob' has no attribute {name!r}")

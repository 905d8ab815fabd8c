"""Status codes of a run, as in the original clusterjob API.

Negative codes mean "not finished yet"; zero and positive codes are final.
"""

from __future__ import annotations

PENDING = -2
RUNNING = -1
COMPLETED = 0
CANCELLED = 1
FAILED = 2

STATUS_CODES: dict[int, str] = {
    PENDING: "PENDING",
    RUNNING: "RUNNING",
    COMPLETED: "COMPLETED",
    CANCELLED: "CANCELLED",
    FAILED: "FAILED",
}

FINISHED_STATUS = frozenset({COMPLETED, CANCELLED, FAILED})


def str_status(status: int | None) -> str:
    """Name of a status code (`'UNKNOWN'` for None or a code outside STATUS_CODES)."""
    if status is None:
        return "UNKNOWN"
    return STATUS_CODES.get(status, "UNKNOWN")


def is_finished(status: int | None) -> bool:
    """True for the final codes COMPLETED, CANCELLED and FAILED."""
    return status in FINISHED_STATUS

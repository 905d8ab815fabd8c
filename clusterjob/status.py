"""Status codes of a run, as in the original clusterjob API, plus UNKNOWN.

Negative codes mean "not finished yet"; zero and positive codes are final. PENDING..FAILED are the
original API's codes, the states a scheduler reports (STATUS_CODES). UNKNOWN (-3) is clusterjob's own:
no scheduler has reported a state for the run yet (a job id it never knew, or answers it could not read),
so nothing true can be said about it; it is never a scheduler's answer.
"""

from __future__ import annotations

PENDING = -2
RUNNING = -1
COMPLETED = 0
CANCELLED = 1
FAILED = 2
UNKNOWN = -3
"""No state established: the scheduler has not reported one for this run (not part of STATUS_CODES)."""

STATUS_CODES: dict[int, str] = {
    PENDING: "PENDING",
    RUNNING: "RUNNING",
    COMPLETED: "COMPLETED",
    CANCELLED: "CANCELLED",
    FAILED: "FAILED",
}

FINISHED_STATUS = frozenset({COMPLETED, CANCELLED, FAILED})


def str_status(status: int | None) -> str:
    """Name of a status code (`'UNKNOWN'` for UNKNOWN, None or a code outside STATUS_CODES)."""
    if status is None:
        return "UNKNOWN"
    return STATUS_CODES.get(status, "UNKNOWN")


def is_finished(status: int | None) -> bool:
    """True for the final codes COMPLETED, CANCELLED and FAILED."""
    return status in FINISHED_STATUS

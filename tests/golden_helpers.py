"""Golden-file machinery the backend tests share: the four paradigms, and comparing (or regenerating) a file.

Regenerate every golden script with ``CLUSTERJOB_REGENERATE_GOLDEN=1 pytest tests/test_backend_*.py``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from clusterjob.jobscript import JobScript

GOLDEN_ROOT = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("CLUSTERJOB_REGENERATE_GOLDEN", "") not in ("", "0")

PARADIGMS: dict[str, dict[str, Any]] = {
    "mpi": dict(nodes=2, ppn=32, threads=1, time="1:00:00", mem="4G", queue="normal"),
    "openmp": dict(nodes=1, ppn=1, threads=32, time="1:00:00", mem="16G", queue="normal"),
    "hybrid": dict(nodes=4, ppn=2, threads=16, time="2-00:00:00", mem="32G", queue="long"),
    "serial": dict(nodes=1, ppn=1, threads=1, time="1:00:00", mem="1G", queue="short"),
}
"""MPI, OpenMP, hybrid and serial requests (the resource model's four paradigms) with the other keys."""

BODY = (
    'echo "job $CLUSTERJOB_ID ($CLUSTERJOB_NAME) from $CLUSTERJOB_SUBMIT_HOST on '
    '$CLUSTERJOB_NODELIST"\n'
    'cd "${CLUSTERJOB_WORKDIR}"\n'
    "./app\n"
)

SLOT_BODY = (
    'echo "job $CLUSTERJOB_ID ($CLUSTERJOB_NAME) on ${CLUSTERJOB_NODELIST}"\nmpirun ./a.out\n'
)
SLOT_COMMON = dict(time="2:00:00", mem="64G", queue="normal", stdout="out.log", stderr="err.log")
SLOT_PARADIGMS: dict[str, dict[str, Any]] = {
    "mpi": dict(nodes=2, ppn=32, threads=1),
    "openmp": dict(nodes=1, ppn=1, threads=32),
    "hybrid": dict(nodes=4, ppn=2, threads=16),
    "serial": dict(nodes=1, ppn=1, threads=1),
}
"""The LSF and Grid Engine goldens' job (both count slots): body, shared keys, the four shapes."""


def paradigm_script(paradigm: str, backend: Any) -> JobScript:
    """The job of one paradigm, named after it, with its own output files."""
    name = f"{paradigm}_job"
    return JobScript(
        BODY,
        name,
        backend=backend,
        stdout=f"{name}.out",
        stderr=f"{name}.err",
        **PARADIGMS[paradigm],
    )


def assert_golden(rendered: str, backend_name: str, paradigm: str) -> None:
    """`rendered` equals tests/golden/<backend>/<paradigm>.sh (rewritten first when regenerating)."""
    path = GOLDEN_ROOT / backend_name / f"{paradigm}.sh"
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")

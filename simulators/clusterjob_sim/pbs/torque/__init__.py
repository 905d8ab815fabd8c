"""The fake Torque 6.1.3: ``qsub``, ``qstat``, ``qdel`` over the shared engine, answering as Torque does.

Only the hooks of ENGINE_API.md live here (import-light); options.py is what qsub reads, output.py what the
commands print, jobenv.py how a job starts, one module per command, manual.py the real tool's options.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from clusterjob_sim.engine.allocation import Allocation
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch

NAME = "torque"
COMMANDS = {
    "qsub": "clusterjob_sim.pbs.torque.qsub:main",
    "qstat": "clusterjob_sim.pbs.torque.qstat:main",
    "qdel": "clusterjob_sim.pbs.torque.qdel:main",
    "pbsdsh": "clusterjob_sim.pbs.torque.pbsdsh:main",
    "qselect": "clusterjob_sim.pbs.torque.qselect:main",
    "pbsnodes": "clusterjob_sim.pbs.torque.pbsnodes:main",
}
SUBMIT_COMMANDS = ("qsub",)
DEFAULT_CONFIG: dict[str, Any] = {
    "keep_finished_s": 300,  # keep_completed
    "first_job_id": 2480315,  # a server in service (a fresh one starts at 0)
    "queues": {"batch": {"max_time_s": None, "default_time_s": 3600, "nodes": None}},
    "default_queue": "batch",
    "torque_version": "6.1.3",
}
TRANSIENT_ERRORS = {
    "qsub": ("qsub: cannot connect to server simserver (errno=111) Connection refused", 111),
    "qstat": ("qstat: cannot connect to server simserver (errno=111) Connection refused", 111),
    "qdel": ("qdel: cannot connect to server simserver (errno=111) Connection refused", 111),
    "*": ("{cmd}: cannot connect to server simserver (errno=111) Connection refused", 111),
}
LOST_ANSWER = {
    "qsub": ("qsub: submit error (Time out)", 15085 & 0xFF)
}  # Torque 6.1.3's PBSE_TIMEOUT


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """How pbs_mom starts the script: login shell, Torque variables, node file, output files."""
    from clusterjob_sim.pbs.torque.jobenv import job_launch as launch

    return launch(job, engine, script_path)


def parse_submission(
    script_text: str, argv: Sequence[str] = (), config: dict[str, Any] | None = None
) -> Allocation:
    """What Torque's qsub understands from a script and its command line (``argv`` may name the script);
    with a cluster ``config``, also the server's queue and node checks.

    Raises DirectiveError with qsub's exact stderr and exit status when the real qsub refuses.
    """
    from clusterjob_sim.pbs.torque.options import parse_submission as parse

    return parse(script_text, argv, config)

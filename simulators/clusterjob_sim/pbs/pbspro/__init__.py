"""The fake PBS Pro (OpenPBS): ``qsub``, ``qstat``, ``qdel`` over the shared engine, answering as PBS Pro.

Finished jobs leave the server at once, as with OpenPBS's default; with config ``job_history_enable`` true
they live on in its history for ``keep_finished_s`` (job_history_duration) and ``qstat -x`` shows them as F. Only the
hooks of ENGINE_API.md live here (import-light); options.py is what qsub reads, output.py what the commands
print, jobenv.py how a job starts, one module per command, manual.py the real tool's options.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from clusterjob_sim.engine.allocation import Allocation
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch

NAME = "pbspro"
COMMANDS = {
    "qsub": "clusterjob_sim.pbs.pbspro.qsub:main",
    "qstat": "clusterjob_sim.pbs.pbspro.qstat:main",
    "qdel": "clusterjob_sim.pbs.pbspro.qdel:main",
    "pbsdsh": "clusterjob_sim.pbs.pbspro.pbsdsh:main",
    "qselect": "clusterjob_sim.pbs.pbspro.qselect:main",
    "pbsnodes": "clusterjob_sim.pbs.pbspro.pbsnodes:main",
}
SUBMIT_COMMANDS = ("qsub",)
DEFAULT_CONFIG: dict[str, Any] = {
    "keep_finished_s": 14 * 86400,  # job_history_duration (default two weeks)
    "job_history_enable": False,  # the server attribute's default (svr_history_enable = 0)
    "first_job_id": 3905127,  # a server in service; max_job_sequence_id defaults to 9999999
    "queues": {"workq": {"max_time_s": None, "default_time_s": None, "nodes": None}},
    "default_queue": "workq",
    "pbs_version": "22.05.11",
}
TRANSIENT_ERRORS = {  # server down: errno ECONNREFUSED; qstat exits with the connection's -1
    "qsub": ("qsub: cannot connect to server simserver (errno=111)", 111),
    "qstat": ("qstat: cannot connect to server simserver (errno=111)", 255),
    "qdel": ("qdel: cannot connect to server simserver (errno=111)", 111),
    "*": ("{cmd}: cannot connect to server simserver (errno=111)", 111),
}
LOST_ANSWER = {"qsub": ("qsub: Error (15031) submitting job", 15031 & 0xFF)}


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """How pbs_mom starts the script: login shell in $HOME, PBS variables, node file, output files."""
    from clusterjob_sim.pbs.pbspro.jobenv import job_launch as launch

    return launch(job, engine, script_path)


def parse_submission(
    script_text: str, argv: Sequence[str] = (), config: dict[str, Any] | None = None
) -> Allocation:
    """What PBS Pro's qsub understands from a script and its command line (``argv`` may name the
    script); with a cluster ``config``, also the server's queue checks.

    Raises DirectiveError with qsub's exact stderr and exit status when the real qsub refuses.
    """
    from clusterjob_sim.pbs.pbspro.options import parse_submission as parse

    return parse(script_text, argv, config)

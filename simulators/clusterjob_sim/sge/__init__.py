"""Fake (Son of) Grid Engine 8.1.9: qsub, qstat, qacct, qdel over the shared engine (see ENGINE_API.md).

`parse_submission(script_text, argv)` answers like `qsub <argv> script` (options.py: the rules, the
slot-to-node mapping and sources). One module per command (qsub, qstat, qacct, qdel), what they print in
output.py, how a job starts in jobenv.py, the real tools' options in manual.py. Kept import-light: only hooks
here.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from clusterjob_sim.engine.allocation import Allocation
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch
    from clusterjob_sim.sge.options import SgeSite

NAME = "sge"
COMMANDS = {
    "qsub": "clusterjob_sim.sge.qsub:main",
    "qstat": "clusterjob_sim.sge.qstat:main",
    "qacct": "clusterjob_sim.sge.qacct:main",
    "qdel": "clusterjob_sim.sge.qdel:main",
    "qrsh": "clusterjob_sim.sge.qrsh:main",
    "qconf": "clusterjob_sim.sge.qconf:main",
    "qhost": "clusterjob_sim.sge.qhost:main",
}
SUBMIT_COMMANDS = ("qsub",)
DEFAULT_CONFIG: dict[str, Any] = {
    "cluster_name": "default",  # SGE_CELL
    "queues": {"all.q": {"max_time_s": None, "default_time_s": None, "nodes": None}},
    "default_queue": "all.q",
    "keep_finished_s": 0,  # finished jobs leave qstat at once
    "first_job_id": 6203581,  # a qmaster in service; job numbers wrap after 9999999
    "parallel_environments": {
        # control_slaves: whether `qrsh -inherit` may start tasks (false when absent, as qconf -ap's
        # template); tight integration (Open MPI's mpirun, qmake) needs it true
        "smp": {"slots": 9999, "allocation_rule": "$pe_slots", "control_slaves": False},
        "mpi": {"slots": 9999, "allocation_rule": "$fill_up", "control_slaves": True},
        "make": {"slots": 999, "allocation_rule": "$round_robin", "control_slaves": True},
    },
    "shell": "/bin/sh",  # the queue's `shell`: what runs a script without -S (shell_start_mode posix)
    "shell_start_mode": "posix_compliant",  # or "unix_behavior": honour the script's #! line
    "complexes": [],  # names added to the default complex list (`qconf -sc`)
}
_NO_MASTER = 'unable to send message to qmaster using port 6444 on host "{host}": got send error'
TRANSIENT_ERRORS = {
    "qsub": (f"Unable to run job: {_NO_MASTER.format(host='master')}.\nExiting.", 1),
    "*": (f"error: {_NO_MASTER.format(host='master')}", 1),
}  # [unconfirmed] host name and port are the simulator's
LOST_ANSWER = {"qsub": (f"Unable to run job: {_NO_MASTER.format(host='master')}.\nExiting.", 1)}


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """How sge_shepherd starts a job: SGE environment, PE_HOSTFILE, $HOME or -cwd, o/e files."""
    from clusterjob_sim.sge.jobenv import job_launch as launch

    return launch(job, engine, script_path)


def parse_submission(
    script_text: str,
    argv: Sequence[str] = (),
    *,
    pe_rules: Mapping[str, str | int] | None = None,
    site: SgeSite | None = None,
    config: Mapping[str, Any] | None = None,
    cwd: str | None = None,
) -> Allocation:
    """The Allocation Grid Engine grants for `qsub <argv>` with this script; DirectiveError if refused.

    `pe_rules` maps PE names to allocation rules (integer, $pe_slots, $fill_up, $round_robin; see
    options.py); `config` is a simulator config.json; without either, any queue and PE is accepted and a PE
    places all its slots on one host.
    """
    from clusterjob_sim.engine.allocation import Allocation, ArraySpec, DirectiveError
    from clusterjob_sim.sge.options import Refused, SgeSite, parse_qsub

    if site is None:
        site = SgeSite.from_config(config) if config is not None else SgeSite()
    if pe_rules is not None:
        site = SgeSite(
            site.queues,
            pe_rules,
            site.complexes,
            site.slots_per_host,
            site.hosts,
            projects=site.projects,
        )
    try:
        req = parse_qsub(script_text, argv, site=site, cwd=cwd)
    except Refused as e:
        raise DirectiveError(e.message, e.exit_code, e.stdout) from None
    array = None
    if req.array is not None:
        indices, limit, text = req.array
        array = ArraySpec(indices=indices, max_concurrent=limit, text=text)
    return Allocation(
        nodes=req.nodes,
        tasks_per_node=req.tasks_per_node,
        cpus_per_task=1,
        mem_mb_per_node=req.mem_mb_per_node,
        walltime_s=req.walltime_s,
        queue=req.queue,
        name=req.name,
        stdout=req.stdout,
        stderr=req.stderr,
        workdir=req.workdir,
        array=array,
        extra=dict(req.extra),
    )

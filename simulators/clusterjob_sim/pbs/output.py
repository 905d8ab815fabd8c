"""What both qstats show alike: the job view their formatters print (``JobView``), the fields both flavours
fill the same way, exit statuses, and the ``-Q`` queue summary."""

from __future__ import annotations

from clusterjob_sim.pbs.common import PBSE_UNKQUE, exit_code, variable_list_text

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job


class JobView:
    """Everything qstat prints about one job, independent of how the engine stores it.

    Times are epoch seconds (None: not reached). ``resources`` are the requested ones in the order the
    server lists them; ``used`` the resources_used ones. Unset fields keep the class defaults.
    """

    job_id = ""  # full id, e.g. '123.sim' or '123[].sim'
    name = ""
    owner = ""  # 'user@host'
    state = "Q"  # one letter
    substate: str | None = None  # PBS Pro: a finished job's 91/92/93 (None: from the state letter)
    queue = ""
    server = ""
    exec_host: str | None = None
    exec_vnode: str | None = None  # PBS Pro only
    session_id: int | None = None
    exit_status: int | None = None
    ctime: float | None = None
    qtime: float | None = None
    mtime: float | None = None
    etime: float | None = None
    stime: float | None = None  # start time
    comp_time: float | None = None  # Torque completion time
    output_path = ""
    error_path = ""
    join = "n"
    mail_points = "a"
    variable_list = ""
    submit_args = ""
    submit_host = ""
    init_work_dir: str | None = None
    comment: str | None = None
    account: str | None = None
    array_request: str | None = None  # Torque job_array_request / PBS Pro array_indices_submitted
    array_index: int | None = None
    array_state_count: str | None = None  # PBS Pro parent: 'Queued:2 Running:1 Exiting:0 Expired:0'
    array_remaining: str | None = None  # PBS Pro parent: array_indices_remaining
    run_count = 0
    mail_users: str | None = None  # -M
    priority = "0"  # -p
    rerunable = "True"  # -r
    checkpoint = "u"  # -c
    project: str | None = None  # PBS Pro -P (None: the server's default project)

    def __init__(self, **fields: Any) -> None:
        self.resources: list[tuple[str, str]] = []
        self.used: list[tuple[str, str]] = []
        self.extra: list[tuple[str, str]] = []  # site attributes appended at the end
        for key, value in fields.items():
            if not hasattr(self, key):
                raise TypeError(f"JobView has no field {key!r}")
            setattr(self, key, value)


def base_view(job: Job, server: str, outputs: tuple[str, str | None], **fields: Any) -> JobView:
    """The JobView fields both flavours fill alike (owner, queue, paths, variables, times), plus
    `fields` (name, ...); `outputs` are the job's (stdout, stderr) files."""
    data = job.data
    view = JobView(
        owner=f"{job.user}@{job.submit_host}",
        queue=job.queue,
        server=server,
        join=str(data.get("join", "n")),
        mail_points=str(data.get("mail", "a")),
        submit_args=str(data.get("submit_args", "")),
        submit_host=job.submit_host,
        account=data.get("account"),
        **fields,
    )
    for key in ("mail_users", "priority", "rerunable", "checkpoint", "project"):
        if key in data:
            setattr(view, key, str(data[key]))
    view.resources = [(k, v) for k, v in data.get("resources", [])]
    stdout, stderr = outputs
    view.output_path = f"{job.submit_host}:{stdout}"
    view.error_path = f"{job.submit_host}:{stderr or stdout}"
    view.variable_list = variable_list_text(data.get("variables", []))
    view.ctime = view.qtime = view.etime = job.submit_time
    return view


def exit_status(job: Job, over_walltime: int, over_memory: int) -> int | None:
    """Both servers' exit_status: code, 256+signal if killed, 271 after qdel, own codes for limits."""
    if job.state in ("PENDING", "RUNNING"):
        return None
    if job.state == "TIMEOUT":
        return over_walltime
    if job.state == "OUT_OF_MEMORY":
        return over_memory
    if job.signal:
        return 256 + int(job.signal)
    if job.state == "CANCELLED":
        return 271
    return int(job.exit_code or 0)


def job_id_text(job: Job, server: str) -> str:
    """``12.srv`` or, for an array's sub-job, ``12[3].srv``."""
    if job.array_index is None:
        return f"{job.job_id}.{server}"
    return f"{job.job_id}[{job.array_index}].{server}"


def state_counts(jobs: Sequence[Job], letters: str, letter: Callable[[Job], str]) -> dict[str, int]:
    """Jobs per state letter for both qstats' summaries (`letter`: the flavour's; others not counted)."""
    counts = dict.fromkeys(letters, 0)
    for job in jobs:
        shown = letter(job)
        if shown in counts:
            counts[shown] += 1
    return counts


def queue_summary(
    ctx: Context,
    operands: Sequence[str],
    live: Sequence[Job],
    row: Callable[[str, list[Job]], str],
    header: str,
    unknown: str,
) -> int:
    """``qstat -Q`` in both flavours: the flavour's `row` per queue named (all by default) or refusal."""
    queues = ctx.config.get("queues") or {}
    rows = []
    for name in operands or list(queues):
        if name not in queues:
            ctx.err.write(f"{unknown}{name}\n")
            return exit_code(PBSE_UNKQUE)
        rows.append(row(name, [j for j in live if j.queue == name]))
    ctx.out.write(header + "".join(rows))
    return 0

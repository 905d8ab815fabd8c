"""The fake qstat: the plain job listing (own jobs, -u, -s) and `qstat -j` details of active jobs.

Finished jobs leave qstat at once (keep_finished_s 0); the real zombie list (-s z) is not simulated.
"""

from __future__ import annotations

from clusterjob_sim.engine.refusal import is_digits, not_implemented_text
from clusterjob_sim.sge import output as out
from clusterjob_sim.sge.jobenv import slot_counts

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

IMPLEMENTED = frozenset({"-j", "-s", "-u"})
REFUSED: dict[str, str] = {}
# qstat(1)'s other options by what they take ("value", "optional" or "flag"): each is refused as not
# implemented, with the real usage error's exit code
OTHERS = {
    "-explain": "value", "-ext": "flag", "-f": "flag", "-F": "optional", "-g": "value", "-help": "flag",
    "-l": "value", "-ne": "flag", "-ncb": "flag", "-pe": "value", "-pri": "flag", "-q": "value",
    "-qs": "value", "-r": "flag", "-t": "flag", "-U": "value", "-urg": "flag", "-xml": "flag",
    "-dj": "flag", "-dq": "flag",
}  # fmt: skip
# what qsub recorded in job.data and qstat -j shows (see options.recorded_options)
RECORDED = ("account", "reserve", "mail_options", "mail_list", "jobshare", "project")
EXIT_QSTAT_USAGE = 1  # seen: `qstat -frob`, `qstat -s x`


def sge_state(job: Job) -> str:
    """The qstat state letters of an active engine record."""
    if job.state == "RUNNING":
        return "r"
    return "hqw" if job.held else "qw"


def state_letters(text: str) -> set[str]:
    """The simulated states `-s` selects (seen: p includes held jobs; hu and h select them, ho, hs, hd,
    hj and ha do not: the simulator's only hold is the user's, and it has no -a or -hold_jid jobs)."""
    keep: set[str] = set()
    i = 0
    while i < len(text):
        token = (
            text[i : i + 2]
            if text[i] == "h" and text[i + 1 : i + 2] in tuple("uosdja")
            else text[i]
        )
        i += len(token)
        if token in ("p", "a"):
            keep.update(("qw", "hqw"))
        if token in ("r", "a"):
            keep.add("r")
        if token in ("h", "hu"):
            keep.add("hqw")
    return keep


def rows_for(jobs: list[Job]) -> list[out.SgeJobView]:
    """qstat rows: one per running job/task, then pending tasks of an array folded into one row."""
    running: list[out.SgeJobView] = []
    pending: list[out.SgeJobView] = []
    by_array: dict[int, list[Job]] = {}
    for j in jobs:
        data = j.data
        slots = int(data.get("slots", 1))
        is_array = j.array_index is not None
        if j.state == "RUNNING":
            node = j.node_names[0] if j.node_names else ""
            running.append(
                out.SgeJobView(
                    j.job_id,
                    j.name,
                    j.user,
                    "r",
                    j.submit_time,
                    task_id=j.array_index,
                    is_array=is_array,
                    start_time=j.start_time,
                    queue=f"{j.queue}@{node}",
                    slots=slots,
                )
            )
        elif j.state == "PENDING":
            if is_array:
                by_array.setdefault(j.job_id, []).append(j)
            else:
                pending.append(
                    out.SgeJobView(
                        j.job_id, j.name, j.user, sge_state(j), j.submit_time, slots=slots
                    )
                )
    for job_id, tasks in by_array.items():
        first = tasks[0]
        for state in ("qw", "hqw"):
            ids = [
                t.array_index for t in tasks if sge_state(t) == state and t.array_index is not None
            ]
            if ids:
                pending.append(
                    out.SgeJobView(
                        job_id,
                        first.name,
                        first.user,
                        state,
                        first.submit_time,
                        is_array=True,
                        task_range=out.task_ranges(ids),
                        slots=int(first.data.get("slots", 1)),
                    )
                )
    views = running + pending
    sizes = [v.slots for v in views if v.state != "hqw"]
    lo, hi = (min(sizes), max(sizes)) if sizes else (1, 1)
    for v in views:  # seen: held 0; one size of job 0.5; mixed sizes 0.25 (fewest) to 0.75 (most)
        if v.state != "hqw":
            v.priority = 0.25 + 0.5 * (v.slots - lo) / (hi - lo) if hi > lo else 0.5
    pending.sort(key=lambda v: (-v.priority, v.job_id))
    return running + pending


def _job_ids(texts: list[str]) -> list[str]:
    """Job id operands as given, split at commas."""
    return [t for text in texts for t in text.split(",") if t]


def main(ctx: Context) -> int:
    """qstat: the plain listing (own jobs, or -u), -s p|r|h|a, and -j ID details."""
    from clusterjob_sim.engine.jobs import user_name

    args = list(ctx.argv)
    users: list[str] | None = [user_name()]
    states: str | None = None
    job_info: list[str] | None = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-u", "-s", "-j") and i + 1 < len(args):
            value = args[i + 1]
            if a == "-u":
                users = None if value in ("*", "all") else value.split(",")
            elif a == "-s":
                if "z" in value:  # the zombie list (recently finished jobs)
                    ctx.err.write(not_implemented_text("qstat", "-s z"))
                    return EXIT_QSTAT_USAGE
                states = value
            elif a == "-j":
                job_info = _job_ids([value])
            i += 2
            continue
        if a == "-j":  # the real one then lists the scheduler's messages about every pending job
            ctx.err.write(not_implemented_text("qstat", "-j (without a job list)"))
            return EXIT_QSTAT_USAGE
        if a in OTHERS:
            ctx.err.write(not_implemented_text("qstat", a))
            return EXIT_QSTAT_USAGE
        else:
            ctx.err.write(out.invalid_option_text(a))
            return out.EXIT_USAGE
        i += 1
    engine = ctx.engine
    if job_info is not None:
        return _qstat_j(ctx, engine, job_info)
    jobs = [j for j in engine.jobs(view="live") if j.state in out.ACTIVE]
    if users is not None:
        jobs = [j for j in jobs if j.user in users]
    if states:
        keep = state_letters(states)
        jobs = [j for j in jobs if sge_state(j) in keep]
    ctx.out.write(out.qstat_table(rows_for(jobs)))
    return 0


def _qstat_j(ctx: Context, engine: Engine, ids: list[str]) -> int:
    """qstat -j: details of the active jobs named by id, job name or wildcard pattern (seen: `-j nm` and
    `-j 'n*'` show every job so named, in id order); only when none is known, the words on stderr (exit 1;
    seen: `qstat -j 12,99999` shows 12 and says nothing of 99999)."""
    found: list[list[Job]] = []
    for text in ids:
        if is_digits(text):
            jobs = [j for j in engine.jobs([int(text)], view="live") if j.state in out.ACTIVE]
            if jobs:
                found.append(jobs)
            continue
        import fnmatch

        by_id: dict[int, list[Job]] = {}
        for j in engine.jobs(view="live"):
            if j.state in out.ACTIVE and fnmatch.fnmatchcase(j.name, text):
                by_id.setdefault(j.job_id, []).append(j)
        found.extend(by_id[job_id] for job_id in sorted(by_id))
    if not found:
        ctx.err.write(out.qstat_unknown(ids))
        return out.EXIT_REJECTED
    first_node = engine.nodes[0]["name"] if engine.nodes else "node01"
    full = _queue_full(engine)
    for jobs in found:
        ctx.out.write(out.qstat_j(job_detail(jobs, first_node, full)))
    return 0


def _queue_full(engine: Engine) -> bool:
    """Every slot of every host taken by running jobs (the scheduler then drops the queue instance)."""
    used: dict[str, int] = {}
    for j in engine.jobs(states=("RUNNING",), view="live"):
        for host, n in slot_counts(j):
            used[host] = used.get(host, 0) + n
    return all(used.get(n["name"], 0) >= int(n["cores"]) for n in engine.nodes)


def _seconds(resources: dict[str, str]) -> dict[str, str]:
    """Resources as the master keeps them: times in seconds (seen: h_rt=1:00:00 -> 3600, 1.5 -> 2)."""
    from clusterjob_sim.sge.options import TIME_COMPLEXES, parse_time

    shown = {}
    for k, v in resources.items():
        seconds = parse_time(v) if k in TIME_COMPLEXES else None
        shown[k] = str(seconds) if seconds is not None else v
    return shown


def _shown_range(data: dict[str, Any]) -> str | None:
    """A PE range as qstat -j prints it (seen: 2, 1,2, 1-4, and 2-9999999 for an open 2-)."""
    text = data.get("pe_range_text") or data.get("pe_range")
    if not text:
        return None
    return f"{text}9999999" if str(text).endswith("-") else str(text)


def job_detail(tasks: list[Job], first_node: str = "node01", full: bool = True) -> out.SgeJobDetail:
    """The `qstat -j` record of a job from its records (all tasks of an array)."""
    j = tasks[0]
    data = j.data
    sge_o = data.get("sge_o") or {}
    gid = out.primary_gid(j.uid)
    array_text = None
    if j.array_index is not None:
        array_text = f"{data.get('task_first')}-{data.get('task_last')}:{data.get('task_step', 1)}"
    running = [t.array_index or 1 for t in tasks if t.state == "RUNNING"]
    info: list[str] = []
    pending = any(t.state == "PENDING" for t in tasks) and not running
    if pending and full:  # seen: the scheduler's notes while every slot is taken
        info.append(f'queue instance "{j.queue}@{first_node}" dropped because it is full')
        info.append("All queues dropped because of overload or full")
    if any(t.state == "PENDING" and t.held for t in tasks):
        info.append("Job is in hold state")  # seen: after the scheduler's notes
    return out.SgeJobDetail(
        j.job_id,
        j.name,
        j.user,
        j.uid,
        out.group_name(gid),
        gid,
        j.submit_time,
        {str(k): str(v) for k, v in sge_o.items()},
        str(sge_o.get("SGE_O_WORKDIR", j.submit_dir)),
        j.submit_host,
        str(data.get("script_file", "STDIN")),
        cwd=j.workdir if data.get("cwd") else None,
        stdout_path=j.stdout,
        stderr_path=j.stderr,
        merge=bool(data.get("merge")),
        resources=_seconds(data.get("resources") or {}),
        queues=data.get("queues") or [],
        shell_list=data.get("shell"),
        pe=data.get("pe"),
        pe_range=_shown_range(data),
        array_text=array_text,
        running_tasks=running,
        job_args=data.get("args") or [],
        env_list=data.get("env_list") or [],
        scheduling_info=info,
        **{k: data[k] for k in RECORDED if k in data},
    )

"""What LSF's bsub, bjobs and bkill print: formatters over plain job views, and the views of engine records.

Layouts follow OpenLava's lsbatch/cmd/bjobs.c, cmd.sig.c and cmd.err.c (the LSF code base IBM's tools grew
from) and IBM's LSF 10.1 manual for `bjobs -o`; texts marked [unconfirmed] were not checked against a real
LSF 10.
"""

from __future__ import annotations

import time

from clusterjob_sim.engine.refusal import Refused, is_digits

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from clusterjob_sim.engine.jobs import Job

EXIT_FAIL = 255

TABLE_HEADER = "JOBID   USER    STAT  QUEUE      FROM_HOST   EXEC_HOST   JOB_NAME   SUBMIT_TIME\n"
TABLE_ROW = "{id:<7} {user:<7.7} {stat:<5.5} {queue:<10.10} {frm:<11.11} {host:<11.11} {name:<10.10} {sub}\n"
EXTRA_HOST_INDENT = 45  # further exec hosts are printed alone on their own lines, at column 46

FINISHED = ("DONE", "EXIT")


class LsfJobView:
    """One job (or array element) as bjobs sees it; times are epoch seconds."""

    def __init__(
        self,
        job_id: int,
        name: str,
        user: str,
        stat: str,
        queue: str,
        from_host: str,
        submit_time: float,
        *,
        array_index: int = 0,
        exec_hosts: Sequence[str] = (),
        start_time: float | None = None,
        end_time: float | None = None,
        exit_code: int | None = None,
        slots: int = 1,
        cwd: str = "",
        command: str = "",
        output_file: str = "",
        error_file: str = "",
        project: str = "default",
        exit_reason: str = "",
    ) -> None:
        self.job_id = job_id
        self.name = name
        self.user = user
        self.stat = stat  # PEND RUN DONE EXIT PSUSP USUSP SSUSP ...
        self.queue = queue
        self.from_host = from_host
        self.submit_time = submit_time
        self.array_index = array_index  # 0: not an array element
        self.exec_hosts = list(exec_hosts)  # one entry per slot, in order
        self.start_time = start_time
        self.end_time = end_time
        self.exit_code = exit_code
        self.slots = slots
        self.cwd = cwd
        self.command = command
        self.output_file = output_file
        self.error_file = error_file
        self.project = project
        self.exit_reason = exit_reason

    @property
    def display_name(self) -> str:
        """The JOB_NAME bjobs shows: an array element is `name[index]`."""
        return f"{self.name}[{self.array_index}]" if self.array_index else self.name

    @property
    def id_text(self) -> str:
        """`123` or `123[4]`, as bkill and the error messages name a job."""
        return f"{self.job_id}[{self.array_index}]" if self.array_index else str(self.job_id)


def lsf_time(epoch: float | None) -> str:
    """LSF's short time `Oct  4 10:20` (ctime's month, day, hour and minute)."""
    if epoch is None:
        return "-"
    return time.ctime(epoch)[4:16]


def host_groups(hosts: Sequence[str]) -> list[tuple[str, int]]:
    """Consecutive slots on the same host counted: ['a','a','b'] -> [('a', 2), ('b', 1)]."""
    out: list[tuple[str, int]] = []
    for h in hosts:
        if out and out[-1][0] == h:
            out[-1] = (h, out[-1][1] + 1)
        else:
            out.append((h, 1))
    return out


def short_hosts(hosts: Sequence[str]) -> list[str]:
    """Hosts in LSF's compressed form: `4*hostA` for four slots on hostA, `hostB` for one."""
    return [f"{n}*{h}" if n > 1 else h for h, n in host_groups(hosts)]


def truncate_name(name: str, width: int) -> str:
    """LSF shortens a long job name from the left, marking the cut with '*' (TRUNC_STR)."""
    if len(name) <= width:
        return name
    return "*" + name[len(name) - width + 1 :]


# ---------------------------------------------------------------------------------------------------
# bsub / bkill answers
# ---------------------------------------------------------------------------------------------------


def bsub_submitted(job_id: int, queue: str, default: bool) -> str:
    """bsub's success line on stdout."""
    where = "default queue" if default else "queue"
    return f"Job <{job_id}> is submitted to {where} <{queue}>.\n"


def bkill_terminated(job_text: str, signaled: bool = False) -> str:
    """bkill's line for a job it signalled (stdout): terminated for -s KILL or none, else signaled."""
    return f"Job <{job_text}> is being {'signaled' if signaled else 'terminated'}\n"


def bkill_finished(job_text: str) -> str:
    """bkill's stderr line for a job that is already DONE or EXIT."""
    return f"Job <{job_text}>: Job has already finished\n"


def bkill_unknown(job_text: str) -> str:
    """bkill's stderr line for an id it does not know."""
    return f"Job <{job_text}>: No matching job found\n"


def bjobs_not_found(job_text: str) -> str:
    """bjobs' stderr line for an id it does not know (exit code 255)."""
    return f"Job <{job_text}> is not found\n"


def bjobs_nothing(all_jobs: bool) -> str:
    """bjobs' stderr line when no job matches and no id was given."""
    return "No job found\n" if all_jobs else "No unfinished job found\n"


def no_such_queue(queue: str) -> str:
    """bjobs/bkill -q with a queue the cluster does not have (lsb_perror of LSBE_BAD_QUEUE)."""
    return f"{queue}: No such queue\n"


def no_job_found(which: str, job_name: str | None = None, queue: str | None = None) -> str:
    """LSF's jobInfoErr line (cmd.err.c) when a selection matches no job: `which` is "all" (-a),
    "unfinished" (the default), "done" (-d) or "running" (-r); a -J name or -q queue is named."""
    where = f" in queue <{queue}>" if queue is not None else ""
    if job_name is not None:
        return f"Job <{job_name}> is not found{where}\n"
    text = {
        "all": "No job found",
        "unfinished": "No unfinished job found",
        "done": "No DONE/EXIT job found",
        "running": "No running job found",
    }[which]
    return f"{text}{where}\n"


# ---------------------------------------------------------------------------------------------------
# bjobs default table
# ---------------------------------------------------------------------------------------------------


def bjobs_table(jobs: Iterable[LsfJobView], header: bool = True, wide: bool = False) -> str:
    """The default bjobs listing; further exec hosts on lines of their own, as LSF prints them."""
    out: list[str] = []
    rows = list(jobs)
    if header and rows:
        out.append(TABLE_HEADER)
    for j in rows:
        hosts = short_hosts(j.exec_hosts)
        pending = j.stat == "PEND"
        if wide:
            host = "" if pending else (":".join(hosts) or "-")
            out.append(
                f"{j.job_id:<7} {j.user:<7} {j.stat:<5.5} {j.queue:<10} {j.from_host:<11} "
                f"{host:<11} {j.display_name:<10} {lsf_time(j.submit_time)}\n"
            )
            continue
        first = "" if pending else (hosts[0] if hosts else "   -   ")
        out.append(
            TABLE_ROW.format(
                id=j.job_id,
                user=j.user,
                stat=j.stat,
                queue=j.queue,
                frm=j.from_host,
                host=first,
                name=truncate_name(j.display_name, 10),
                sub=lsf_time(j.submit_time),
            )
        )
        if not pending:
            out.extend(" " * EXTRA_HOST_INDENT + h + "\n" for h in hosts[1:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------------
# bjobs -o "field[:[-]width] ... delimiter='c'"
# ---------------------------------------------------------------------------------------------------

FIELD_ALIASES = {"id": "jobid", "name": "job_name", "cmd": "command", "proj": "proj_name"}


def _exit_code(j: LsfJobView) -> str:
    return "-" if j.stat not in FINISHED or not j.exit_code else str(j.exit_code)


def _run_time(j: LsfJobView) -> str:
    if j.start_time is None:
        return "0 second(s)"
    end = j.end_time if j.end_time is not None else time.time()
    return f"{max(0, int(end - j.start_time))} second(s)"


FIELDS: dict[str, Callable[[LsfJobView], str]] = {
    "jobid": lambda j: str(j.job_id),
    "jobindex": lambda j: str(j.array_index),
    "stat": lambda j: j.stat,
    "user": lambda j: j.user,
    "queue": lambda j: j.queue,
    "job_name": lambda j: j.display_name,
    "proj_name": lambda j: j.project,
    "from_host": lambda j: j.from_host,
    "exec_host": lambda j: ":".join(short_hosts(j.exec_hosts)) or "-",
    "first_host": lambda j: j.exec_hosts[0] if j.exec_hosts else "-",
    "nexec_host": lambda j: str(len(host_groups(j.exec_hosts))) if j.exec_hosts else "-",
    "submit_time": lambda j: lsf_time(j.submit_time),
    "start_time": lambda j: lsf_time(j.start_time),
    "finish_time": lambda j: lsf_time(j.end_time),
    "exit_code": _exit_code,
    "exit_reason": lambda j: j.exit_reason or "-",
    "slots": lambda j: str(j.slots),
    "nreq_slot": lambda j: str(j.slots),
    "nalloc_slot": lambda j: str(len(j.exec_hosts)) if j.exec_hosts else "-",
    "sub_cwd": lambda j: j.cwd or "-",
    "command": lambda j: j.command or "-",
    "output_file": lambda j: j.output_file or "-",
    "error_file": lambda j: j.error_file or "-",
    "run_time": _run_time,
    "pend_time": lambda j: (
        f"{max(0, int((j.start_time or time.time()) - j.submit_time))} second(s)"
    ),
}


class OutputField:
    """One column of a `bjobs -o` format: name, optional width, right-justified or not."""

    def __init__(self, name: str, width: int | None = None, right: bool = False) -> None:
        self.name = name
        self.width = width
        self.right = right


def parse_format(spec: str) -> tuple[list[OutputField], str]:
    """A `-o` format string -> (fields, delimiter); Refused for an unknown field."""
    fields: list[OutputField] = []
    delimiter = " "
    for token in spec.split():
        if token.startswith("delimiter="):
            value = token[len("delimiter=") :]
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            delimiter = value
            continue
        name, _, width_s = token.partition(":")
        width_s = width_s.split(":", 1)[0]
        name = FIELD_ALIASES.get(name.lower(), name.lower())
        if name not in FIELDS:
            raise Refused(f"{token}: Illegal field name.\n", EXIT_FAIL)  # [unconfirmed]
        right = width_s.startswith("-")
        digits = width_s.lstrip("-")
        fields.append(OutputField(name, int(digits) if is_digits(digits) else None, right))
    if not fields:
        raise Refused("Output format is empty.\n", EXIT_FAIL)  # [unconfirmed]
    return fields, delimiter


def _cell(f: OutputField, value: str) -> str:
    if f.width is None:
        return value
    if len(value) > f.width:
        value = truncate_name(value, f.width) if f.name == "job_name" else value[: f.width]
    return value.rjust(f.width) if f.right else value.ljust(f.width)


def bjobs_custom(
    jobs: Iterable[LsfJobView], fields: Sequence[OutputField], delimiter: str, header: bool = True
) -> str:
    """A `bjobs -o` listing: an upper-case header line (unless -noheader), then one line per job."""
    rows = list(jobs)
    out: list[str] = []
    if header and rows:
        out.append(delimiter.join(_cell(f, f.name.upper()) for f in fields) + "\n")
    for j in rows:
        out.append(delimiter.join(_cell(f, FIELDS[f.name](j)) for f in fields) + "\n")
    return "".join(out)


def bjobs_long(jobs: Iterable[LsfJobView]) -> str:
    """A short `bjobs -l` record per job [unconfirmed: LSF 10 prints many more lines]."""
    out: list[str] = []
    for k, j in enumerate(jobs):
        if k:
            out.append("-" * 78 + "\n")
        out.append(
            f"\nJob <{j.id_text}>, Job Name <{j.display_name}>, User <{j.user}>, "
            f"Project <{j.project}>, Status <{j.stat}>, Queue <{j.queue}>, "
            f"Command <{j.command}>\n"
        )
        out.append(
            f"{time.ctime(j.submit_time)[:19]}: Submitted from host <{j.from_host}>, "
            f"CWD <{j.cwd}>;\n"
        )
        if j.start_time is not None and j.exec_hosts:
            hosts = ", ".join(f"<{h}>" for h in short_hosts(j.exec_hosts))
            out.append(f"{time.ctime(j.start_time)[:19]}: Started on {hosts};\n")
        if j.end_time is not None and j.stat == "DONE":
            out.append(f"{time.ctime(j.end_time)[:19]}: Done successfully.\n")
        elif j.end_time is not None and j.stat == "EXIT":
            code = j.exit_code if j.exit_code is not None else 0
            out.append(f"{time.ctime(j.end_time)[:19]}: Exited with exit code {code}.\n")
    out.append("\n")
    return "".join(out)


# ---------------------------------------------------------------------------------------------------
# views of engine records
# ---------------------------------------------------------------------------------------------------

ACTIVE = ("PENDING", "RUNNING")


def lsf_stat(job: Job) -> str:
    """The LSF state of an engine record."""
    if job.state == "PENDING":
        return "PSUSP" if job.held else "PEND"
    if job.state == "RUNNING":
        return "RUN"
    if job.state == "COMPLETED":
        return "DONE"
    return "EXIT"


def exit_code(job: Job) -> int | None:
    """The exit code LSF reports: the script's status; 140 after the run limit (TERM_RUNLIMIT), 130
    when bkill'ed while running (SIGINT first), 128+signal when killed otherwise; None if it never ran."""
    if job.state in ACTIVE or job.start_time is None:
        return None
    if job.state == "TIMEOUT":
        return 140
    if job.state == "CANCELLED":
        return 130
    if job.signal:
        return 128 + int(job.signal)
    return job.exit_code


def exit_reason(job: Job) -> str:
    """bjobs' EXIT_REASON for a job that did not end by itself."""
    if job.state == "TIMEOUT":
        return "TERM_RUNLIMIT: job killed after reaching LSF run time limit"
    if job.state == "CANCELLED":
        return "TERM_OWNER: job killed by owner"
    if job.state == "OUT_OF_MEMORY":
        return "TERM_MEMLIMIT: job killed after reaching LSF memory usage limit"
    return ""


def slot_hosts(job: Job) -> list[str]:
    """One host name per slot (LSB_HOSTS order): tasks_per_node on each node, the rest on the last."""
    nodes = job.node_names
    if not nodes:
        return []
    data = job.data
    slots = int(data.get("slots", 1))
    per = int(data.get("tasks_per_node", slots)) or 1
    hosts: list[str] = []
    for i, node in enumerate(nodes):
        count = min(per, slots - per * i) if i < len(nodes) - 1 else slots - per * i
        hosts.extend([node] * max(count, 0))
    return hosts


def job_view(job: Job) -> LsfJobView:
    """The bjobs view of one engine record."""
    data = job.data
    return LsfJobView(
        job.job_id,
        job.name,
        job.user,
        lsf_stat(job),
        job.queue,
        job.submit_host,
        job.submit_time,
        array_index=job.array_index or 0,
        exec_hosts=slot_hosts(job),
        start_time=job.start_time,
        end_time=job.end_time,
        exit_code=exit_code(job),
        slots=int(data.get("slots", 1)),
        cwd=job.submit_dir,
        command=str(data.get("command") or job.name),
        output_file=job.stdout or "",
        error_file=job.stderr or "",
        project=str(data.get("project") or "default"),
        exit_reason=exit_reason(job),
    )

"""What LSF's bsub, bjobs (default, -o, -json, -l), bkill, bqueues, bhosts and lsid print: formatters over
plain job views, and the views of engine records.

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
        kill_reason: str = "",
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
        self.kill_reason = kill_reason  # bkill -C's text

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

# IBM LSF 10.1 bjobs(1) -o, "Table 1. Output fields for bjobs": field name -> recommended width, and the
# aliases. Only the fields below are printed; the other fields of that table are real field names the
# simulator does not fill (NOT_SIMULATED_FIELDS: a loud refusal), anything else is no field name at all.
FIELD_ALIASES = {
    "id": "jobid",
    "name": "job_name",
    "cmd": "command",
    "proj": "proj_name",
    "project": "proj_name",
}
FIELD_WIDTHS = {
    "jobid": 7,
    "jobindex": 8,
    "stat": 5,
    "user": 7,
    "queue": 10,
    "job_name": 10,
    "proj_name": 11,
    "kill_reason": 50,
    "suspend_reason": 50,
    "resume_reason": 50,
    "command": 15,
    "exit_code": 10,
    "exit_reason": 50,
    "from_host": 11,
    "first_host": 11,
    "exec_host": 11,
    "nexec_host": 10,
    "alloc_slot": 20,
    "nalloc_slot": 10,
    "nreq_slot": 10,
    "submit_time": 15,
    "start_time": 15,
    "finish_time": 16,
    "pend_time": 12,
    "run_time": 15,
    "slots": 5,
    "output_file": 11,
    "error_file": 10,
    "sub_cwd": 10,
    "exec_cwd": 10,
}
NOT_SIMULATED_FIELDS = frozenset(
    """user_group ugroup job_description description application app service_class sla job_group group
    job_priority priority rsvid esub kill_issue_host suspend_issue_host resume_issue_host dependency
    pend_reason charged_saap saap pre_exec_command pre_cmd post_exec_command post_cmd
    resize_notification_command resize_cmd pids interactive ask_hosts host_file exclusive
    estimated_start_time estart_time specified_start_time sstart_time specified_terminate_time
    sterminate_time time_left estimated_run_time ertime ru_utime ru_stime %complete warning_action
    warn_act action_warning_time warn_time pendstate ependtime ipendtime estimated_sim_start_time
    esstart_time effective_plimit plimit_remain effective_eplimit eplimit_remain cpu_used idle_factor
    exception_status except_stat mem max_mem avg_mem memlimit swap swaplimit gpu_num gnum gpu_mode
    gmode j_exclusive j_excl gpu_alloc galloc nthreads hrusage min_req_proc max_req_proc
    effective_resreq eresreq combined_resreq cresreq network_req filelimit corelimit stacklimit
    processlimit runtimelimit plimit eplimit input_file output_dir exec_home licproject
    forward_cluster fwd_cluster forward_time fwd_time srcjobid dstjobid source_cluster srcluster
    energy gpfsio cpu_peak cpu_efficiency cpu_peak_efficiency mem_efficiency average_cpu_efficiency
    cpu_peak_reached_duration all""".split()
)
MAX_WIDTH = 4096  # "Valid values for the output width are any positive integer 1 - 4096"


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
    "alloc_slot": lambda j: ":".join(short_hosts(j.exec_hosts)) or "-",
    "submit_time": lambda j: lsf_time(j.submit_time),
    "start_time": lambda j: lsf_time(j.start_time),
    "finish_time": lambda j: lsf_time(j.end_time),
    "exit_code": _exit_code,
    "exit_reason": lambda j: j.exit_reason or "-",
    "kill_reason": lambda j: j.kill_reason or "-",
    "suspend_reason": lambda j: "-",  # the simulator never suspends a job
    "resume_reason": lambda j: "-",
    "slots": lambda j: str(j.slots),
    "nreq_slot": lambda j: str(j.slots),
    "nalloc_slot": lambda j: str(len(j.exec_hosts)) if j.exec_hosts else "-",
    "sub_cwd": lambda j: j.cwd or "-",
    "exec_cwd": lambda j: (j.cwd or "-") if j.start_time is not None else "-",
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


def bad_field(token: str) -> Refused:
    """bjobs' answer to a word of -o that is no field name [unconfirmed: the text volclava's bjobs, an
    OpenLava fork that reimplements LSF's -o, prints; exit code as every LSF usage error]."""
    return Refused(f"<{token}> in the format string is not a valid field name.\n", EXIT_FAIL)


def parse_format(spec: str) -> tuple[list[OutputField], str]:
    """A `-o` format string -> (fields, delimiter), as IBM's bjobs -o describes it: `name` unlimited and
    left-justified, `name:` the recommended width, `name:N` at most N characters, `name:-N` (or `name:-`)
    right-justified; names and aliases in any case; `delimiter='c'` between columns (default a space).
    Refused for an unknown field, loudly for a real field the simulator does not fill."""
    from clusterjob_sim.engine.refusal import not_implemented_text

    fields: list[OutputField] = []
    delimiter = " "
    for token in spec.split():
        if token.lower().startswith("delimiter="):
            value = token[len("delimiter=") :]
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            delimiter = value
            continue
        raw, colon, rest = token.partition(":")
        width_s, _, unit = rest.partition(":")
        key = raw.lower()
        name = FIELD_ALIASES.get(key, key)
        if name not in FIELDS:
            if key in NOT_SIMULATED_FIELDS:
                raise Refused(not_implemented_text("bjobs", f"-o {key}"), EXIT_FAIL)
            raise bad_field(raw)
        if unit:
            raise bad_field(token)  # a unit prefix is only for the memory fields
        right = width_s.startswith("-")
        digits = width_s[1:] if right else width_s
        width: int | None = None
        if digits:
            if not is_digits(digits) or not 1 <= int(digits) <= MAX_WIDTH:
                raise bad_field(token)
            width = int(digits)
        elif colon:
            width = FIELD_WIDTHS[name]
        fields.append(OutputField(name, width, right))
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


def _json_str(text: str) -> str:
    """A JSON string literal (what json.dumps gives, without importing json)."""
    from clusterjob_sim.engine.spool import json_dumps

    return json_dumps(text)


def bjobs_json(
    jobs: Iterable[LsfJobView],
    fields: Sequence[OutputField],
    errors: Sequence[tuple[str, str]] = (),
) -> str:
    """`bjobs -o ... -json`: {"COMMAND":"bjobs","JOBS":n,"RECORDS":[{FIELD: "value", ...}, ...]}, every
    value a string, a missing value "" (IBM LSF 10.1 bjobs -json); a job id bjobs does not know is a
    record {"JOBID": id, "ERROR": message} [unconfirmed: volclava's bjobs, which PSI/J's parser expects].
    Widths do not apply. The layout (two-space indent, no blank after ':') is [unconfirmed]."""
    records: list[str] = []
    for j in jobs:
        items = []
        for f in fields:
            value = FIELDS[f.name](j)
            if value == "-":
                value = ""
            items.append(f"      {_json_str(f.name.upper())}:{_json_str(value)}")
        records.append("    {\n" + ",\n".join(items) + "\n    }")
    for job_text, message in errors:
        records.append(
            "    {\n"
            f'      "JOBID":{_json_str(job_text)},\n      "ERROR":{_json_str(message)}\n'
            "    }"
        )
    body = ",\n".join(records)
    return (
        '{\n  "COMMAND":"bjobs",\n'
        f'  "JOBS":{len(records)},\n'
        '  "RECORDS":[\n' + (body + "\n" if body else "") + "  ]\n}\n"
    )


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
        kill_reason=str(data.get("kill_reason") or ""),
    )


# ---------------------------------------------------------------------------------------------------
# bqueues, bhosts, lsid (default formats)
# ---------------------------------------------------------------------------------------------------

# Recorded from real LSF 10.1 (IBM's LSF-on-Kubernetes chart README, ibm-spectrum-computing-prod) and
# matching OpenLava's bqueues.c prtQueuesShort / IBM's bhosts(1) example columns.
BQUEUES_HEADER = "QUEUE_NAME      PRIO STATUS          MAX JL/U JL/P JL/H NJOBS  PEND   RUN  SUSP\n"
BHOSTS_HEADER = "HOST_NAME          STATUS       JL/U    MAX  NJOBS    RUN  SSUSP  USUSP    RSV\n"
LSID_TEXT = (
    "{version}\n"
    "Copyright International Business Machines Corp. 1992, 2016.\n"
    "US Government Users Restricted Rights - Use, duplication or disclosure restricted by GSA ADP "
    "Schedule Contract with IBM Corp.\n"
    "\n"
    "My cluster name is {cluster}\n"
    "My master name is {master}\n"
)


def bqueues_row(
    name: str, prio: int, status: str, njobs: int, pend: int, run: int, susp: int
) -> str:
    """One queue of the default bqueues listing (no job limits: '-' under MAX, JL/U, JL/P, JL/H)."""
    return (
        f"{name:<15.15} {prio:>3}  {status:<14} {'-':>4} {'-':>4} {'-':>4} {'-':>4} "
        f"{njobs:>5} {pend:>5} {run:>5} {susp:>5}\n"
    )


def bhosts_row(name: str, status: str, max_slots: int, njobs: int, run: int) -> str:
    """One host of the default bhosts listing (no per-user limit, nothing suspended or reserved)."""
    return (
        f"{name:<18.18} {status:<12} {'-':>4} {max_slots:>6} {njobs:>6} {run:>6} "
        f"{0:>6} {0:>6} {0:>6}\n"
    )

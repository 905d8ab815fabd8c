"""What Grid Engine's qsub, qstat, qacct and qdel print: pure formatters over plain job records.

Layouts are Son of Grid Engine 8.1.9's (source/clients/qstat/qstat.c job_stdout_job, common/show_job.c
cull_show_job, qacct/qacct.c showjob) and answers seen from Debian's gridengine 8.1.9 (which differ from
the source in places: no period after "Unable to run job: <reason>", qacct's `mem ... Bs`); texts marked
[unconfirmed] were not checked against a real installation.
"""

from __future__ import annotations

import os
import time

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

EXIT_REJECTED = 1  # seen: "Unable to run job: ...", unknown job ids (qstat -j, qdel, qacct)
EXIT_USAGE = 2  # seen: qsub's invalid option or missing option argument
ACTIVE = ("PENDING", "RUNNING")  # engine states a job is still in qstat (and not yet in qacct)
KILL_SIGNAL = 9  # qdel kills with SIGKILL (no notify): exit_status 128 + 9
QUEUE_WIDTH = 30  # qstat's queue column (longest_queue_length) unless SGE_LONG_QNAMES is set
SEPARATOR = "=" * 62  # qacct / qstat -j record separator

# failed codes qacct explains (sge_sstate descriptions); 0 has none
FAILED_TEXT = {
    0: "",
    1: "assumedly before job",
    19: "before writing exit_status",
    21: "in recognizing job",
    26: "opening input/output file",
    27: "searching requested shell",
    28: "changing into working directory",
    37: "qmaster enforced h_rt, h_cpu, or h_vmem limit",
    100: "assumedly after job",
}

SIGNAL_TEXT = {  # strsignal() on Linux/glibc, for qacct's "(Killed)" after exit_status > 127
    1: "Hangup",
    2: "Interrupt",
    3: "Quit",
    6: "Aborted",
    9: "Killed",
    10: "User defined signal 1",
    12: "User defined signal 2",
    13: "Broken pipe",
    14: "Alarm clock",
    15: "Terminated",
    24: "CPU time limit exceeded",
}


class SgeJobView:
    """One job or array task as qstat sees it; times are epoch seconds."""

    def __init__(
        self,
        job_id: int,
        name: str,
        user: str,
        state: str,
        submit_time: float,
        *,
        task_id: int | None = None,
        task_range: str = "",
        is_array: bool = False,
        start_time: float | None = None,
        queue: str = "",
        slots: int = 1,
        priority: float = 0.0,
    ) -> None:
        self.job_id = job_id
        self.name = name
        self.user = user
        self.state = state  # qw hqw r t Eqw dr ...
        self.submit_time = submit_time
        self.task_id = task_id  # the array task of this row (None: not an array)
        self.task_range = task_range  # for a pending array row: the pending ids, e.g. '3-10:1'
        self.is_array = is_array
        self.start_time = start_time
        self.queue = queue  # the queue instance `all.q@node01` once running
        self.slots = slots
        self.priority = priority

    @property
    def ja_task_text(self) -> str:
        """The ja-task-ID column: the task id, or the pending range, or nothing."""
        if not self.is_array:
            return ""
        return self.task_range or (str(self.task_id) if self.task_id else "")


def invalid_option_text(word: str) -> str:
    """qsub's refusal of an unknown option (seen on Debian's 8.1.9, exit code 2); the simulated qstat, qacct
    and qdel say the same."""
    return f'qsub: invalid option argument "{word}"\n'


def group_name(gid: int) -> str:
    """The group name of gid (its number if unknown), as qstat -j and qacct print the owner's group."""
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return str(gid)


def primary_gid(uid: int) -> int:
    """The primary group id of uid (this process's if unknown)."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_gid
    except (ImportError, KeyError):
        return os.getgid()


def sge_ctime(epoch: float) -> str:
    """qstat's time: MM/DD/YYYY HH:MM:SS in local time."""
    return time.strftime("%m/%d/%Y %H:%M:%S", time.localtime(epoch))


def c_ctime(epoch: float) -> str:
    """C's ctime() without its newline: `Thu May 24 10:54:05 2018`."""
    return time.ctime(epoch)


def task_ranges(ids: Iterable[int]) -> str:
    """Task ids as Grid Engine prints them: runs of a constant step as `a-b:s` (two ids as `a,b`)."""
    nums = sorted(set(ids))
    parts: list[str] = []
    i = 0
    while i < len(nums):
        if i + 1 == len(nums):
            parts.append(f"{nums[i]}")
            break
        step = nums[i + 1] - nums[i]
        j = i + 1
        while j + 1 < len(nums) and nums[j + 1] - nums[j] == step:
            j += 1
        if j == i + 1:  # seen: two pending tasks print as `3,4`
            parts.append(f"{nums[i]},{nums[j]}")
        else:
            parts.append(f"{nums[i]}-{nums[j]}:{step}")
        i = j + 1
    return ",".join(parts)


# ---------------------------------------------------------------------------------------------------
# qsub / qdel answers
# ---------------------------------------------------------------------------------------------------


def array_id_text(job_id: int, ids: Sequence[int], text: str = "") -> str:
    """`123.1-10:2`: the job id and its task range as qsub prints it (get_bulk_jobid_string)."""
    lo, hi = min(ids), max(ids)
    step = 1
    if text:
        _, colon, step_s = text.partition(":")
        if colon and step_s.isascii() and step_s.isdigit():
            step = int(step_s)
    elif len(ids) > 1:
        step = ids[1] - ids[0]
    return f"{job_id}.{lo}-{hi}:{step}"


def qsub_submitted(job_id: int, name: str, array: str | None = None, terse: bool = False) -> str:
    """qsub's success line: `Your job 12 ("x") has been submitted`, the job-array form, or -terse."""
    ident = f"{job_id}.{array}" if array else str(job_id)
    if terse:
        return ident + "\n"
    kind = "job-array" if array else "job"
    return f'Your {kind} {ident} ("{name}") has been submitted\n'


def qdel_deleted(user: str, job_id: int) -> str:
    """qdel's line for a pending job it removed."""
    return f"{user} has deleted job {job_id}\n"


def qdel_registered(user: str, job_id: int) -> str:
    """qdel's line for a running job it will kill."""
    return f"{user} has registered the job {job_id} for deletion\n"


def qdel_registered_task(user: str, job_id: int, task: int) -> str:
    """qdel's line for a running array task it will kill."""
    return f"{user} has registered the job-array task {job_id}.{task} for deletion\n"


def qdel_unknown(job_text: str) -> str:
    """qdel's stdout line for an id it does not know (exit code 1)."""
    return f'denied: job "{job_text}" does not exist\n'


# ---------------------------------------------------------------------------------------------------
# qstat
# ---------------------------------------------------------------------------------------------------


def qstat_header() -> str:
    """The two header lines of plain qstat (job_stdout_job, no -ext/-t/-urg/-pri)."""
    fmt = (
        "%-7.7s %s %s%s%s%s%s %-10.10s %-12.12s %s%-5.5s %s%-"
        + f"{QUEUE_WIDTH}.{QUEUE_WIDTH}"
        + "s %s %s"
    )
    title = fmt % (
        "job-ID", "prior ", "", "", "", "", "", "name", "user", "", "state",
        "submit/start at     ", "queue", "slots", "ja-task-ID ",
    )  # fmt: skip
    dashes = "-" * (93 + QUEUE_WIDTH - 10)
    return f"{title}\n{dashes}\n"


def qstat_row(j: SgeJobView) -> str:
    """One plain qstat line for a job or array task."""
    when = (
        j.start_time if j.start_time is not None and j.state not in ("qw", "hqw") else j.submit_time
    )
    ja = j.ja_task_text if j.is_array else "       "
    return (
        f"{j.job_id:>7} {j.priority:7.5f} {j.name:<10.10} {j.user:<12.12} {j.state:<5.5} "
        f"{sge_ctime(when)} {j.queue:<{QUEUE_WIDTH}.{QUEUE_WIDTH}} {j.slots:>5} {ja}\n"
    )


def qstat_table(rows: Iterable[SgeJobView]) -> str:
    """Plain qstat: nothing at all when no job is listed."""
    lines = [qstat_row(r) for r in rows]
    return qstat_header() + "".join(lines) if lines else ""


def qstat_unknown(job_ids: Sequence[str]) -> str:
    """qstat -j for ids the master does not know (stderr, exit 1; Debian 8.1.9 wording)."""
    return "Following jobs do not exist: \n" + ", ".join(job_ids) + "\n"


class SgeJobDetail:
    """What `qstat -j` shows about one job (the keyword arguments are its optional lines)."""

    def __init__(
        self,
        job_id: int,
        name: str,
        owner: str,
        uid: int,
        group: str,
        gid: int,
        submit_time: float,
        origin: dict[str, str],
        workdir: str,
        host: str,
        script_file: str,
        **optional: Any,
    ) -> None:
        self.job_id = job_id
        self.name = name
        self.owner = owner
        self.uid = uid
        self.group = group
        self.gid = gid
        self.submit_time = submit_time
        self.origin = origin  # the submitter's SGE_O_* variables, only those its environment had
        self.workdir = workdir
        self.host = host
        self.script_file = script_file
        self.cwd: str | None = optional.get("cwd")
        self.stdout_path: str | None = optional.get("stdout_path")
        self.stderr_path: str | None = optional.get("stderr_path")
        self.merge: bool = bool(optional.get("merge", False))
        self.resources: dict[str, str] = dict(optional.get("resources") or {})
        self.queues: list[str] = list(optional.get("queues") or [])
        self.shell_list: str | None = optional.get("shell_list")
        self.pe: str | None = optional.get("pe")
        self.pe_range: str | None = optional.get("pe_range")
        self.array_text: str | None = optional.get("array_text")  # e.g. '1-10:1'
        self.running_tasks: list[int] = list(optional.get("running_tasks") or [])
        self.job_args: list[str] = list(optional.get("job_args") or [])
        self.env_list: list[str] = list(optional.get("env_list") or [])  # -v NAME=value, after TERM
        self.scheduling_info: list[str] = list(optional.get("scheduling_info") or [])
        self.account: str = str(optional.get("account", "sge"))  # -A
        self.reserve: bool = bool(optional.get("reserve", False))  # -R y
        self.mail_options: str = str(optional.get("mail_options") or "")  # -m, e.g. 'abe'
        self.mail_list: str | None = optional.get("mail_list")  # -M; default owner@submit host
        self.jobshare: int = int(optional.get("jobshare") or 0)  # -js
        self.project: str | None = optional.get("project")  # -P


def path_list(text: str) -> str:
    """An -o/-e path as qstat -j shows it: `host:NONE:path` (seen: `vm:NONE:/tmp/x`, `NONE:NONE:x`)."""
    host, colon, path = text.partition(":")
    if not colon:
        host, path = "", text
    return f"{host or 'NONE'}:NONE:{path}"


# seen (8.1.9): qstat -j shows these submitter variables, in this order, each only when the submitter's
# environment had it (qsub under `env -i` shows none of them); SGE_O_MAIL is kept but never shown
ORIGIN_LINES = (
    ("SGE_O_HOME", "sge_o_home:"),
    ("SGE_O_LOGNAME", "sge_o_log_name:"),
    ("SGE_O_PATH", "sge_o_path:"),
    ("SGE_O_SHELL", "sge_o_shell:"),
    ("SGE_O_TZ", "sge_o_tz:"),
)


def qstat_j(d: SgeJobDetail) -> str:
    """`qstat -j ID` (cull_show_job's layout, the common subset of its lines)."""
    out = [
        SEPARATOR + "\n",
        f"job_number:                 {d.job_id}\n",
        f"exec_file:                  job_scripts/{d.job_id}\n",
        f"submission_time:            {c_ctime(d.submit_time)}\n",
        f"owner:                      {d.owner}\n",
        f"uid:                        {d.uid}\n",
        f"group:                      {d.group}\n",
        f"gid:                        {d.gid}\n",
        *(f"{label:<28}{d.origin[var]}\n" for var, label in ORIGIN_LINES if var in d.origin),
        f"sge_o_workdir:              {d.workdir}\n",
        f"sge_o_host:                 {d.host}\n",
        f"account:                    {d.account}\n",
    ]
    if d.cwd:
        out.append(f"cwd:                        {d.cwd}\n")
    if d.stderr_path:
        out.append(f"stderr_path_list:           {path_list(d.stderr_path)}\n")
    if d.reserve:  # seen on 8.1.9: between stderr_path_list and merge
        out.append("reserve:                    y\n")
    if d.merge:
        out.append("merge:                      y\n")
    if d.resources:
        res = ",".join(f"{k}={v}" for k, v in d.resources.items())
        out.append(f"hard resource_list:         {res}\n")
    if d.mail_options:
        out.append(f"mail_options:               {d.mail_options}\n")
    out.append(f"mail_list:                  {d.mail_list or f'{d.owner}@{d.host}'}\n")
    out.append("notify:                     FALSE\n")
    out.append(f"job_name:                   {d.name}\n")
    if d.stdout_path:
        out.append(f"stdout_path_list:           {path_list(d.stdout_path)}\n")
    out.append(f"jobshare:                   {d.jobshare}\n")
    if d.queues:
        out.append(f"hard_queue_list:            {' '.join(d.queues)}\n")
    if d.shell_list:
        out.append(f"shell_list:                 NONE:{d.shell_list}\n")
    out.append(f"env_list:                   {','.join(['TERM=NONE', *d.env_list])}\n")
    if d.job_args:
        out.append(f"job_args:                   {','.join(d.job_args)}\n")
    out.append(f"script_file:                {d.script_file}\n")
    if d.pe:
        out.append(f"parallel environment:  {d.pe} range: {d.pe_range}\n")
    if (
        d.project
    ):  # [source] show_job.c: after the PE, before the array's tasks (no project on the machine)
        out.append(f"project:                    {d.project}\n")
    if d.array_text:
        out.append(f"job-array tasks:            {d.array_text}\n")
    out.append("binding:                    NONE\n")
    out.append("job_type:                   NONE\n")
    for task in d.running_tasks:
        usage = "cpu=00:00:00, mem=0.00000 GB s, io=0.00000 GB, vmem=N/A, maxvmem=N/A"
        out.append(f"{'usage ' + format(task, '>9') + ':':<28}{usage}\n")
        out.append(f"{'binding ' + format(task, '>7') + ':':<28}NONE\n")
    for k, line in enumerate(d.scheduling_info):
        out.append(f"{'scheduling info:' if k == 0 else '':<28}{line}\n")
    return "".join(out)


# ---------------------------------------------------------------------------------------------------
# qacct
# ---------------------------------------------------------------------------------------------------


class SgeAccounting:
    """One accounting record (a job or an array task) as qacct -j prints it."""

    def __init__(
        self,
        qname: str,
        hostname: str,
        group: str,
        owner: str,
        job_name: str,
        job_id: int,
        submit_time: float,
        start_time: float | None,
        end_time: float | None,
        *,
        failed: int = 0,
        exit_status: int = 0,
        task_id: int = 0,
        granted_pe: str = "NONE",
        slots: int = 1,
        project: str = "NONE",
        department: str = "defaultdepartment",
        account: str = "sge",
        priority: int = 0,
        ru_utime: float = 0.0,
        ru_stime: float = 0.0,
        ru_maxrss_kb: float = 0.0,
        maxvmem_bytes: float = 0.0,
        category: str = "",
    ) -> None:
        self.qname = qname
        self.hostname = hostname
        self.group = group
        self.owner = owner
        self.job_name = job_name
        self.job_id = job_id
        self.submit_time = submit_time
        self.start_time = start_time
        self.end_time = end_time
        self.failed = failed
        self.exit_status = exit_status
        self.task_id = task_id  # 0: not an array task ("undefined")
        self.granted_pe = granted_pe
        self.slots = slots
        self.project = project
        self.department = department
        self.account = account
        self.priority = priority
        self.ru_utime = ru_utime
        self.ru_stime = ru_stime
        self.ru_maxrss_kb = ru_maxrss_kb
        self.maxvmem_bytes = maxvmem_bytes
        self.category = category


def memory_text(value: float) -> str:
    """double_print_memory_to_string: `%.3f` scaled by 1024 with K/M/G/T (the caller adds the unit)."""
    for unit in ("", "K", "M", "G", "T"):
        if abs(value) < 1024 or unit == "T":
            return f"{value:.3f}{unit}"
        value /= 1024
    return f"{value:.3f}T"  # pragma: no cover


def _kv(key: str, value: object, width: int = 20) -> str:
    """printf("%-13.12s%-20s\\n"): the key cut to 12 and padded to 13, the value padded to `width`."""
    return f"{key[:12]:<13}{value!s:<{width}}\n"


def qacct_record(r: SgeAccounting) -> str:
    """One `qacct -j` record (showjob of SoGE 8.1.9, trailing blanks included)."""
    wall = 0.0
    if r.start_time is not None and r.end_time is not None:
        wall = max(0.0, r.end_time - r.start_time)
    out = [
        SEPARATOR + "\n",
        _kv("qname", r.qname),
        _kv("hostname", r.hostname),
        _kv("group", r.group),
        _kv("owner", r.owner),
        _kv("project", r.project),
        _kv("department", r.department),
        _kv("jobname", r.job_name),
        _kv("jobnumber", r.job_id),
        _kv("taskid", r.task_id) if r.task_id else f"{'taskid':<13}undefined\n",
        _kv("account", r.account),
        _kv("priority", r.priority),
        f"{'qsub_time':<13}{c_ctime(r.submit_time)}\n",
        f"{'start_time':<13}{c_ctime(r.start_time)}\n"
        if r.start_time
        else f"{'start_time':<13}-/-\n",
        f"{'end_time':<13}{c_ctime(r.end_time)}\n" if r.end_time else f"{'end_time':<13}-/-\n",
        _kv("granted_pe", r.granted_pe),
        _kv("slots", r.slots),
        f"{'failed':<13}{r.failed:<3} {':' if r.failed else ''} {FAILED_TEXT.get(r.failed, '')}\n",
    ]
    status = f"{'exit_status':<13}{r.exit_status:<20}"
    if r.exit_status > 127:
        status += (
            f" ({SIGNAL_TEXT.get(r.exit_status - 128, f'Unknown signal {r.exit_status - 128}')})"
        )
    out.append(status + "\n")
    cpu = r.ru_utime + r.ru_stime
    out += [
        f"{'ru_wallclock':<13}{wall:.0f}s\n",
        f"{'ru_utime':<13}{r.ru_utime:.3f}s\n",
        f"{'ru_stime':<13}{r.ru_stime:.3f}s\n",
        f"{'ru_maxrss':<13}{memory_text(r.ru_maxrss_kb)}B\n",
        f"{'ru_ixrss':<13}{memory_text(0)}B\n",
        f"{'ru_ismrss':<13}{memory_text(0)}B\n",
        f"{'ru_idrss':<13}{memory_text(0)}B\n",
        f"{'ru_isrss':<13}{memory_text(0)}B\n",
    ]
    for key in ("ru_minflt", "ru_majflt", "ru_nswap", "ru_inblock", "ru_oublock", "ru_msgsnd",
                "ru_msgrcv", "ru_nsignals", "ru_nvcsw", "ru_nivcsw"):  # fmt: skip
        out.append(_kv(key, 0))
    out += [
        f"{'cpu':<13}{cpu:.3f}s\n",
        f"{'mem':<13}{memory_text(0)}Bs\n",  # seen on 8.1.9 (the source prints GBs)
        f"{'io':<13}{memory_text(0)}B\n",
        f"{'iow':<13}{0:.3f}s\n",
        f"{'maxvmem':<13}{memory_text(r.maxvmem_bytes)}B\n",
        f"{'arid':<13}undefined\n",
        f"{'ar_sub_time':<13}undefined\n",
        f"{'category':<13}{r.category or 'NONE'}\n",
    ]
    return "".join(out)


def qacct_unknown(job_text: str) -> str:
    """qacct -j for a job not (yet) in the accounting file (stderr, exit code 1)."""
    return f"error: job id {job_text} not found\n"

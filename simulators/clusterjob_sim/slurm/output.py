"""What the Slurm tools print: state and reason names, job id forms, durations, dates, memory sizes, node lists."""

from __future__ import annotations

import time

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

# what -V/--version prints: real Slurm 22.05.8 on the CI machine (Debian 12's build names its package
# slurm-wlm; an upstream build prints "slurm 22.05.8")
VERSION = "slurm-wlm 22.05.8\n"
# engine state -> (squeue long name, short code), in Slurm's job_state enum order (used for sorting)
STATES = {
    "PENDING": ("PENDING", "PD"),
    "RUNNING": ("RUNNING", "R"),
    "SUSPENDED": ("SUSPENDED", "S"),
    "COMPLETED": ("COMPLETED", "CD"),
    "CANCELLED": ("CANCELLED", "CA"),
    "FAILED": ("FAILED", "F"),
    "TIMEOUT": ("TIMEOUT", "TO"),
    "NODE_FAIL": ("NODE_FAIL", "NF"),
    "PREEMPTED": ("PREEMPTED", "PR"),
    "BOOT_FAIL": ("BOOT_FAIL", "BF"),
    "DEADLINE": ("DEADLINE", "DL"),
    "OUT_OF_MEMORY": ("OUT_OF_MEMORY", "OOM"),
}
REASONS = {
    "none": "None",
    "resources": "Resources",
    "priority": "Priority",
    "array_limit": "JobArrayTaskLimit",
    "held": "JobHeldUser",
}


def job_id_text(job: Job) -> str:
    """The id squeue/sacct print: 123, or 120_3 for an array task."""
    if job.array_id is None:
        return str(job.job_id)
    return f"{job.array_id}_{job.array_index}"


def reason_text(job: Job, engine: Engine) -> str:
    """The pending reason as Slurm words it."""
    if job.reason == "held":
        data = job.data
        if data.get("user_hold"):
            return "JobHeldUser"
        return str(data.get("hold_reason") or "JobHeldUser")
    if job.reason == "never":
        queue = engine.config.get("queues", {}).get(job.queue) or {}
        names = queue.get("nodes") or [n["name"] for n in engine.nodes]
        return "PartitionNodeLimit" if job.nodes > len(names) else "Resources"
    return REASONS.get(job.reason, "None")


# why a finished job ended, as squeue's %r / Reason shows it (real Slurm 22.05.8 on the CI machine: exit 3 ->
# NonZeroExitCode, killed by a signal of its own -> JobLaunchFailure, time limit -> TimeLimit); NodeDown and
# OutOfMemory are job_reason_string()'s words for FAIL_DOWN_NODE and FAIL_OOM (slurm_protocol_defs.c) [source]
END_REASONS = {"TIMEOUT": "TimeLimit", "NODE_FAIL": "NodeDown", "OUT_OF_MEMORY": "OutOfMemory"}


def squeue_reason(job: Job, engine: Engine) -> str:
    """squeue's %r: the pending reason; for a finished job why it ended (a job cancelled while pending keeps
    its pending reason, one cancelled while running shows None, as seen)."""
    if job.state == "PENDING" or (job.state == "CANCELLED" and job.start_time is None):
        return reason_text(job, engine)
    if job.data.get(
        "end_reason"
    ):  # a submission refused after its record was made (BadConstraints)
        return str(job.data["end_reason"])
    if job.state == "FAILED":
        return "JobLaunchFailure" if job.signal and not job.exit_code else "NonZeroExitCode"
    return END_REASONS.get(job.state, "None")


def reason_list(job: Job, engine: Engine) -> str:
    """squeue's %R: '(reason)' for a pending, failed, timed out, out-of-memory or past-deadline job, else
    the node list (print.c _print_job_reason_list [source]; seen for PD, F, TO and CA)."""
    if job.state in ("PENDING", "FAILED", "TIMEOUT", "OUT_OF_MEMORY", "DEADLINE"):
        return f"({squeue_reason(job, engine)})"
    return compress_nodes(job) if job.start_time is not None else ""


def wait_status(job: Job) -> int:
    """squeue's exit_code: the raw wait status (exit code << 8 | signal; seen: exit 3 -> 768, scancel of a
    running job -> 15)."""
    return ((job.exit_code or 0) << 8) | (job.signal or 0) if job.finished else 0


def squeue_secs(seconds: float) -> str:
    """Slurm's squeue duration: M:SS, H:MM:SS, D-HH:MM:SS."""
    s = int(seconds)
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    if days:
        return f"{days}-{hours:02d}:{minutes:02d}:{s:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{s:02d}"
    return f"{minutes}:{s:02d}"


def hms(seconds: float) -> str:
    """secs2time_str as sacct prints it: HH:MM:SS, or D-HH:MM:SS."""
    s = int(seconds)
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    if days:
        return f"{days}-{hours:02d}:{minutes:02d}:{s:02d}"
    return f"{hours:02d}:{minutes:02d}:{s:02d}"


def limit_minutes(job: Job) -> int | None:
    """The job's time limit in whole minutes as Slurm stores it (seconds rounded up); None: unlimited."""
    if job.walltime_s is None:
        return None
    return max(1, -(-int(job.walltime_s) // 60))


def squeue_limit(job: Job) -> str:
    """%l: the time limit as squeue prints it."""
    minutes = limit_minutes(job)
    return "UNLIMITED" if minutes is None else squeue_secs(minutes * 60)


def sacct_limit(job: Job) -> str:
    """Timelimit as sacct prints it (mins2time_str)."""
    minutes = limit_minutes(job)
    return "UNLIMITED" if minutes is None else hms(minutes * 60)


def mem_text(mb: int | None, convert: bool = True) -> str:
    """A memory size in MB as squeue %m and scontrol print it (convert_num_unit, CONVERT_NUM_UNIT_EXACT:
    scaled while it stays a multiple of 512; seen: 1024 -> 1G, 1536 -> 1.50G, 5000 -> 5000M); without
    `convert` (squeue --noconvert, CONVERT_NUM_UNIT_NO) always in M."""
    if not mb:
        return "0"
    if not convert:
        return f"{mb}M"
    num, unit = float(mb), 0
    while num >= 1024 and int(num) % 512 == 0:
        num /= 1024
        unit += 1
    suffix = "MGTPE"[unit]
    return f"{int(num)}{suffix}" if int(num) == num else f"{num:.2f}{suffix}"


def min_cpus(job: Job) -> int:
    """MinCPUsNode (squeue %c): cpus per task x --ntasks-per-node (1 when not given) (seen)."""
    data = job.data
    return int(data.get("cpus_per_task", 1)) * int(data.get("ntasks_per_node") or 1)


def pending_nodes(job: Job, engine: Engine) -> int:
    """The node count squeue shows for a pending job: the controller's estimate (node_cnt_wag) of how
    many of the partition's nodes its tasks need, unless --ntasks-per-node fixes it (all seen)."""
    data = job.data
    if data.get("ntasks_per_node"):
        return job.nodes
    ntasks = int(data.get("ntasks") or job.nodes * int(data.get("tasks_per_node", 1)))
    queue = engine.config.get("queues", {}).get(job.queue) or {}
    names = queue.get("nodes")
    cpus = max((n["cores"] for n in engine.nodes if not names or n["name"] in names), default=1)
    per_node = max(1, cpus // int(data.get("cpus_per_task", 1)))
    return max(job.nodes, -(-ntasks // per_node))


def date(ts: float | None, missing: str = "Unknown") -> str:
    """Slurm's date format (%FT%T, local time)."""
    if ts is None:
        return missing
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(ts))


def cpus_of(job: Job, engine: Engine) -> list[int]:
    """CPUs allocated on each node (whole nodes when exclusive)."""
    if job.exclusive and job.node_names:
        cores = {n["name"]: n["cores"] for n in engine.nodes}
        return [cores.get(name, job.cores_per_node) for name in job.node_names]
    return [job.cores_per_node] * max(1, len(job.node_names) or job.nodes)


def repeat_counts(values: list[int]) -> str:
    """Slurm's compressed per-node list: 4(x2),8."""
    parts = []
    i = 0
    while i < len(values):
        j = i
        while j < len(values) and values[j] == values[i]:
            j += 1
        parts.append(f"{values[i]}(x{j - i})" if j - i > 1 else str(values[i]))
        i = j
    return ",".join(parts)


def compress_nodes(job: Job) -> str:
    """The job's node list in Slurm's ranged form (node[01-02])."""
    from clusterjob_sim.engine.hostlist import compress

    return compress(job.node_names)


def parse_format(fmt: str) -> list[tuple[str, str, int, bool]]:
    """Split a squeue/sinfo -o format into (literal prefix, field letter, width, right-justified) items."""
    items = []
    i, literal = 0, ""
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%" or i + 1 >= len(fmt):
            literal += ch
            i += 1
            continue
        i += 1
        right = fmt[i] == "."
        if right:
            i += 1
        start = i
        while i < len(fmt) and "0" <= fmt[i] <= "9":
            i += 1
        width = int(fmt[start:i]) if i > start else 0
        if i >= len(fmt):
            break
        items.append((literal, fmt[i], width, right))
        literal = ""
        i += 1
    if literal:
        items.append((literal, "", 0, False))
    return items

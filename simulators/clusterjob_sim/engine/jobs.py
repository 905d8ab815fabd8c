"""What a job is to the engine: its states, the record of one job (Job), how the runner starts it (Launch).

Also the two look-ups every layer needs: the scheduler module of a spool (load_module) and a uid's login name.
"""

from __future__ import annotations

import os
import sys

from clusterjob_sim.engine import spool as _spool

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType
    from typing import Any

PENDING, RUNNING = "PENDING", "RUNNING"
COMPLETED, FAILED, CANCELLED, TIMEOUT = "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT"
NODE_FAIL, OUT_OF_MEMORY, LOST = "NODE_FAIL", "OUT_OF_MEMORY", "LOST"
ACTIVE_STATES = (PENDING, RUNNING)
FINAL_STATES = (COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, LOST)
# Why a pending job waits (Job.reason); each scheduler module maps these to its own words.
REASONS = ("none", "resources", "priority", "array_limit", "never", "held")

# Columns a submit spec may set (see Engine.submit); the rest are the engine's.
SPEC_KEYS = (
    "name", "user", "uid", "queue", "nodes", "cores_per_node", "mem_mb_per_node", "exclusive",
    "walltime_s", "held", "workdir", "submit_dir", "submit_host", "stdout", "stderr", "script",
    "array_limit", "array_spec",
)  # fmt: skip


class Job:
    """One job record (one task of an array): the row of the jobs table, attributes named as its columns."""

    __slots__ = (
        "array_id",
        "array_index",
        "array_limit",
        "array_spec",
        "cancelled_by",
        "cores_per_node",
        "data_json",
        "end_time",
        "env_json",
        "exclusive",
        "exit_code",
        "held",
        "job_id",
        "lost",
        "mem_mb_per_node",
        "name",
        "nodelist",
        "nodes",
        "pgid",
        "queue",
        "reason",
        "rid",
        "runner_pid",
        "script",
        "signal",
        "split_ids",
        "start_time",
        "state",
        "stderr",
        "stdout",
        "submit_dir",
        "submit_host",
        "submit_time",
        "uid",
        "user",
        "walltime_s",
        "workdir",
    )  # fmt: skip

    rid: int
    job_id: int
    array_id: int | None
    array_index: int | None
    array_limit: int | None
    array_spec: str | None
    name: str
    user: str
    uid: int
    queue: str
    nodes: int
    cores_per_node: int
    mem_mb_per_node: int | None
    exclusive: int
    walltime_s: float | None
    held: int
    workdir: str
    submit_dir: str
    submit_host: str
    stdout: str | None
    stderr: str | None
    script: str
    env_json: str
    data_json: str
    state: str
    reason: str
    submit_time: float
    start_time: float | None
    end_time: float | None
    nodelist: str
    exit_code: int | None
    signal: int | None
    cancelled_by: int | None
    runner_pid: int | None
    pgid: int | None
    lost: int
    split_ids: int

    @property
    def env(self) -> dict[str, str]:
        """The environment recorded at submission (what the scheduler may pass on to the job)."""
        return dict(_spool.json_loads(self.env_json))

    @property
    def data(self) -> dict[str, Any]:
        """The scheduler module's own per-job payload (parsed options it needs later)."""
        return dict(_spool.json_loads(self.data_json))

    @property
    def node_names(self) -> list[str]:
        """The nodes the job runs on, in allocation order (empty while pending)."""
        return self.nodelist.split(",") if self.nodelist else []

    @property
    def finished(self) -> bool:
        """True once the job reached a final state."""
        return self.state not in ACTIVE_STATES

    def elapsed(self, now: float) -> float:
        """Seconds the job has run (0 while pending; up to its end once finished)."""
        if self.start_time is None:
            return 0.0
        return max(0.0, (self.end_time if self.end_time is not None else now) - self.start_time)

    def __repr__(self) -> str:
        idx = "" if self.array_index is None else f"[{self.array_index}]"
        return f"<Job {self.job_id}{idx} rid={self.rid} {self.state} {self.name!r}>"


COLUMNS = (
    "rid, job_id, array_id, array_index, array_limit, array_spec, name, user, uid, queue, nodes, "
    "cores_per_node, mem_mb_per_node, exclusive, walltime_s, held, workdir, submit_dir, submit_host, "
    "stdout, stderr, script, env, data, state, reason, submit_time, start_time, end_time, nodelist, "
    "exit_code, signal, cancelled_by, runner_pid, pgid, lost, split_ids"
)
_ATTRS = tuple(
    c.strip()
    for c in COLUMNS.replace("env,", "env_json,").replace("data,", "data_json,").split(",")
)


def job_from_row(row: Sequence[Any]) -> Job:
    """A Job from one row of `SELECT {COLUMNS} FROM jobs`."""
    job = Job.__new__(Job)
    for attr, value in zip(_ATTRS, row, strict=True):
        setattr(job, attr, value)
    return job


class Step:
    """One job step: tasks a launcher (srun, pbsdsh, blaunch, qrsh -inherit) started inside a running job."""

    __slots__ = (
        "data_json", "end_time", "exit_code", "name", "nodelist", "ntasks", "pid", "rid", "signal",
        "start_time", "state", "step_id",
    )  # fmt: skip
    rid: int
    step_id: int
    name: str
    ntasks: int
    nodelist: str
    state: str
    start_time: float
    end_time: float | None
    exit_code: int | None
    signal: int | None
    pid: int | None  # the launcher's process (signals for the step go to it)
    data_json: str

    @property
    def data(self) -> dict[str, Any]:
        """The launcher's own payload (e.g. its options) kept with the step."""
        return dict(_spool.json_loads(self.data_json))

    @property
    def node_names(self) -> list[str]:
        """The nodes the step's tasks ran on."""
        return self.nodelist.split(",") if self.nodelist else []

    def __repr__(self) -> str:
        return f"<Step {self.rid}.{self.step_id} {self.state} {self.name!r}>"


STEP_COLUMNS = "rid, step_id, name, ntasks, nodelist, state, start_time, end_time, exit_code, signal, pid, data"


_STEP_ATTRS = tuple(c.strip() for c in STEP_COLUMNS.replace("data", "data_json").split(","))


def step_from_row(row: Sequence[Any]) -> Step:
    """A Step from one row of `SELECT {STEP_COLUMNS} FROM steps`."""
    step = Step.__new__(Step)
    for attr, value in zip(_STEP_ATTRS, row, strict=True):
        setattr(step, attr, value)
    return step


class Launch:
    """How the runner starts one job: argv, environment, working directory and output files."""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        cwd: str,
        stdout: str | None,
        stderr: str | None = None,
        *,
        cwd_fallback: str | None = None,
        open_mode: str = "w",
        warn_signal: tuple[int, float, bool] | None = None,
        scratch_dirs: tuple[str, ...] = (),
    ) -> None:
        self.argv = argv  # the program and its arguments (the stored script's path among them)
        self.env = env  # the job's complete environment
        self.cwd = cwd
        self.cwd_fallback = (
            cwd_fallback  # used when cwd is missing (Slurm: /tmp); None: the job fails
        )
        self.stdout = stdout  # None: /dev/null
        self.stderr = stderr  # None: same file as stdout
        self.open_mode = open_mode  # "w" truncate or "a" append
        # (signal, seconds before the wall time, batch script only): Slurm's --signal=[B:]SIG@TIME. Without
        # "batch only" the signal goes to the job's running steps (their launchers forward it to the tasks).
        self.warn_signal = warn_signal
        # Folders the runner removes with their contents once the job has ended: the job's TMPDIR, which
        # pbs_mom and sge_execd remove as the job ends.
        self.scratch_dirs = scratch_dirs


# The scheduler packages by the names config.json and `clusterjob sim` use; "pbs" is another name for torque.
SCHEDULER_PACKAGES = {
    "slurm": "clusterjob_sim.slurm",
    "torque": "clusterjob_sim.pbs.torque",
    "pbspro": "clusterjob_sim.pbs.pbspro",
    "lsf": "clusterjob_sim.lsf",
    "sge": "clusterjob_sim.sge",
}
SCHEDULER_ALIASES = {"pbs": "torque"}


def scheduler_name(name: str) -> str:
    """The canonical name of a scheduler ("pbs" -> "torque"); other names are returned as they are."""
    return SCHEDULER_ALIASES.get(name, name)


def package_of(scheduler: str) -> str:
    """The import path of a scheduler's package (an unknown name: clusterjob_sim.<name>, a third party's)."""
    name = scheduler_name(scheduler)
    return SCHEDULER_PACKAGES.get(name) or f"clusterjob_sim.{name}"


def load_module(config: dict[str, Any]) -> ModuleType:
    """The scheduler package named by the config ('module', else the package of its 'scheduler')."""
    return import_module(config.get("module") or package_of(config["scheduler"]))


def import_module(name: str) -> ModuleType:
    """The module at the absolute dotted path `name`, imported if needed: importlib.import_module without
    importing importlib (a twentieth of a command's import cost, seen with callgrind)."""
    module = sys.modules.get(name)
    if module is None:
        __import__(name)
        module = sys.modules[name]
    return module


def user_name(uid: int | None = None) -> str:
    """The login name of uid (default: this process's user), falling back to $USER or the number."""
    uid = os.getuid() if uid is None else uid
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return os.environ.get("USER") or str(uid)

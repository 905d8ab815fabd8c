"""The Engine: one open spool -- submit, query, cancel, fail, hold, kill and purge jobs; tick the scheduler.

A scheduler package (clusterjob_sim.slurm, ...) parses its tools' options and formats their answers; the engine
stores jobs, starts them when they fit the configured nodes, and tracks them. See ENGINE_API.md.
"""

from __future__ import annotations

import os
import time

from clusterjob_sim.engine import spool as _spool
from clusterjob_sim.engine.jobs import (
    ACTIVE_STATES,
    CANCELLED,
    COLUMNS,
    COMPLETED,
    FAILED,
    LOST,
    NODE_FAIL,
    RUNNING,
    SPEC_KEYS,
    STEP_COLUMNS,
    Job,
    Step,
    job_from_row,
    load_module,
    step_from_row,
    user_name,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path
    from types import ModuleType
    from typing import Any


class Engine:
    """One open spool: its config, nodes and job database; every public method is safe under concurrency."""

    def __init__(self, spool: str | os.PathLike[str], config: dict[str, Any] | None = None) -> None:
        self.spool_dir = os.fspath(spool)  # str: pathlib costs every command a few ms to import
        self.config = config if config is not None else _spool.load_config(self.spool_dir)
        self.conn = _spool.connect(self.spool_dir)
        self.nodes = _spool.normalize_nodes(self.config)
        self._module: ModuleType | None = None

    @property
    def spool(self) -> Path:
        """The spool folder."""
        from pathlib import Path

        return Path(self.spool_dir)

    @property
    def module(self) -> ModuleType:
        """The scheduler module of this spool (imported on first use)."""
        if self._module is None:
            self._module = load_module(self.config)
        return self._module

    def close(self) -> None:
        """Close the database connection."""
        self.conn.close()

    @staticmethod
    def now() -> float:
        """Wall-clock time used for every timestamp (seconds since the epoch)."""
        return time.time()

    @property
    def submit_host(self) -> str:
        """The configured submit host name, else this machine's."""
        return str(self.config.get("submit_host") or os.uname().nodename)

    # -- submission -------------------------------------------------------------------------------------
    def submit(
        self,
        spec: dict[str, Any],
        *,
        env: dict[str, str] | None = None,
        data: dict[str, Any] | None = None,
        tasks: Sequence[int] | None = None,
        ids_per_task: bool | str = True,
        start: bool = True,
    ) -> list[Job]:
        """Record one job, or one record per array task, under fresh ids; start what fits (tick).

        `spec` holds SPEC_KEYS values. With `tasks`, every task gets its own job_id when `ids_per_task`
        is True (consecutive; array id = first task's id), all share one when False (PBS, LSF, SGE:
        123[1], 123.1), or "at_start" (real SLURM): all share the array id while pending, and a task
        gets the next free id when it starts, except the last pending one, which keeps the array id.
        """
        unknown = set(spec) - set(SPEC_KEYS)
        if unknown:
            raise ValueError(f"unknown job fields: {sorted(unknown)}")
        now = self.now()
        fields = {
            "user": user_name(),
            "uid": os.getuid(),
            "submit_host": self.submit_host,
            "submit_dir": os.getcwd(),
            "queue": self.config.get("default_queue", ""),
            **spec,
        }
        fields.setdefault("workdir", fields["submit_dir"])
        fields["env"] = _spool.json_dumps(env or {})
        fields["data"] = _spool.json_dumps(data or {})
        fields["submit_time"] = now
        fields["reason"] = "held" if fields.get("held") else "none"
        indices: list[int | None] = list(tasks) if tasks is not None else [None]
        split = ids_per_task == "at_start" and tasks is not None
        count = len(indices) if ids_per_task is True else 1
        fields["split_ids"] = int(split)
        keys = [*fields, "job_id", "array_id", "array_index"]
        sql = f"INSERT INTO jobs ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})"  # noqa: S608 - constant column names
        with _spool.transaction(self.conn) as c:
            first = self._allocate_ids(count)
            values = list(fields.values())
            rows = []
            for k, index in enumerate(indices):
                job_id = first + k if ids_per_task is True else first
                array_id = first if tasks is not None else None
                rows.append((*values, job_id, array_id, index))
            c.executemany(sql, rows)
            self._bump()
            jobs = [
                job_from_row(r)
                for r in c.execute(
                    f"SELECT {COLUMNS} FROM jobs WHERE rid > last_insert_rowid() - ? ORDER BY rid",  # noqa: S608 - constant column names
                    (len(rows),),
                )
            ]
        if start:
            self.tick()
        return jobs

    def insert_many(self, specs: Iterable[dict[str, Any]]) -> int:
        """Record many finished-or-not jobs in one transaction, as they are (bench and test set-up).

        Each dict holds SPEC_KEYS plus optional state/start_time/end_time/exit_code/signal/nodelist.
        """
        now = self.now()
        n = 0
        with _spool.transaction(self.conn) as c:
            for spec in specs:
                row = {
                    "user": user_name(),
                    "uid": os.getuid(),
                    "queue": self.config.get("default_queue", ""),
                    "submit_time": now,
                    **spec,
                }
                row["job_id"] = self._allocate_ids(1)
                keys = list(row)
                c.execute(
                    f"INSERT INTO jobs ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",  # noqa: S608 - constant column names
                    [row[k] for k in keys],
                )
                n += 1
            self._bump()
        return n

    def _allocate_ids(self, count: int) -> int:
        """Reserve `count` consecutive job ids (inside the caller's transaction); return the first."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'next_id'").fetchone()
        first = int(row[0]) if row else int(self.config.get("first_job_id", 1))
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id', ?)", (first + count,)
        )
        return first

    def _bump(self) -> None:
        """Mark the scheduling state dirty so the next tick looks at the queue again."""
        self.conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'gen'")

    # -- queries ----------------------------------------------------------------------------------------
    def get(self, rid: int) -> Job | None:
        """The record with engine row id `rid`, or None."""
        row = self.conn.execute(f"SELECT {COLUMNS} FROM jobs WHERE rid = ?", (rid,)).fetchone()  # noqa: S608 - constant column names
        return job_from_row(row) if row else None

    def jobs(
        self,
        ids: Iterable[int] | None = None,
        *,
        states: Iterable[str] | None = None,
        users: Iterable[str] | None = None,
        view: str = "all",
    ) -> list[Job]:
        """Records in submission order whose job_id or array_id is in `ids` (None: all), filtered.

        view: "all" (every record, lost ones included), "live" (what the scheduler's status command still
        knows: active, or finished less than keep_finished_s ago, never lost), "accounting" (not lost).
        """
        where: list[str] = []
        args: list[Any] = []
        if ids is not None:
            ids = list(ids)
            marks = ",".join("?" * len(ids))
            where.append(f"(job_id IN ({marks}) OR array_id IN ({marks}))")
            args += ids + ids
        if states is not None:
            states = list(states)
            where.append(f"state IN ({','.join('?' * len(states))})")
            args += states
        if users is not None:
            users = list(users)
            where.append(f"user IN ({','.join('?' * len(users))})")
            args += users
        if view == "live":  # two index searches: an OR here makes SQLite scan the whole table
            where.append(
                "rid IN (SELECT rid FROM jobs WHERE end_time IS NULL "
                "UNION ALL SELECT rid FROM jobs WHERE end_time > ?) AND lost = 0"
            )
            args.append(self.now() - float(self.config.get("keep_finished_s", 0)))
        elif view == "accounting":
            where.append("lost = 0")
        elif view != "all":
            raise ValueError(f"unknown view {view!r}")
        sql = f"SELECT {COLUMNS} FROM jobs"  # noqa: S608 - constant column names
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [job_from_row(r) for r in self.conn.execute(sql + " ORDER BY rid", args)]

    def is_live(self, job: Job) -> bool:
        """True while the scheduler's status command still shows the job (see jobs(view='live'))."""
        if job.lost:
            return False
        keep = float(self.config.get("keep_finished_s", 0))
        return job.end_time is None or job.end_time > self.now() - keep

    def array_tasks(self, job: Job) -> list[Job]:
        """Every task of the array `job` belongs to (just [job] outside arrays)."""
        if job.array_id is None:
            return [job]
        rows = self.conn.execute(
            f"SELECT {COLUMNS} FROM jobs WHERE array_id = ? ORDER BY rid",  # noqa: S608
            (job.array_id,),
        )
        return [job_from_row(r) for r in rows]

    def max_job_id(self) -> int:
        """The highest id handed out so far (first_job_id - 1 when none): tells unknown from purged."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'next_id'").fetchone()
        return (int(row[0]) if row else int(self.config.get("first_job_id", 1))) - 1

    def advance_job_ids(self, next_id: int) -> int:
        """Make `next_id` the next job id handed out, if no id at or above it was handed out yet (ids never
        go back, as on a real scheduler); return the id the next submission will get. For tests that
        mirror a real scheduler's ids or start a simulated cluster where a real one left off."""
        if isinstance(next_id, bool) or not isinstance(next_id, int) or next_id < 1:
            raise ValueError(f"next job id must be a positive integer, not {next_id!r}")
        with _spool.transaction(self.conn) as c:
            current = self.max_job_id() + 1
            if next_id > current:
                c.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id', ?)", (next_id,)
                )
                current = next_id
        return current

    # -- control ----------------------------------------------------------------------------------------
    def cancel(self, jobs: Iterable[Job], uid: int | None = None) -> list[Job]:
        """Cancel pending and running jobs (SIGTERM, SIGKILL after kill_wait_s); return those affected."""
        return self._end(jobs, CANCELLED, uid=os.getuid() if uid is None else uid, sig=15)

    def fail(self, jobs: Iterable[Job], state: str = NODE_FAIL) -> list[Job]:
        """End running jobs abruptly with `state` (NODE_FAIL, OUT_OF_MEMORY): SIGKILL their processes."""
        return self._end(jobs, state, uid=None, sig=9, running_only=True)

    def lose(self, jobs: Iterable[Job]) -> list[Job]:
        """Make jobs vanish (fault 'lost_job'): killed if active, absent from live and accounting views."""
        jobs = list(jobs)
        self._end(jobs, LOST, uid=None, sig=9)
        with _spool.transaction(self.conn) as c:
            c.executemany("UPDATE jobs SET lost = 1 WHERE rid = ?", [(j.rid,) for j in jobs])
        return jobs

    def _end(
        self,
        jobs: Iterable[Job],
        state: str,
        *,
        uid: int | None,
        sig: int,
        running_only: bool = False,
    ) -> list[Job]:
        """Move active jobs to a final state, then signal the running ones' process groups."""
        wanted = [j.rid for j in jobs]
        now = self.now()
        hit: list[Job] = []
        with _spool.transaction(self.conn) as c:
            for rid in wanted:
                row = c.execute(f"SELECT {COLUMNS} FROM jobs WHERE rid = ?", (rid,)).fetchone()  # noqa: S608 - constant column names
                if row is None:
                    continue
                job = job_from_row(row)
                if job.state not in ((RUNNING,) if running_only else ACTIVE_STATES):
                    continue
                c.execute(
                    # A running job ends by our signal unless its runner records otherwise later
                    # (it may not have started the script yet, or may be killed with the job).
                    "UPDATE jobs SET state = ?, end_time = ?, cancelled_by = ?, "
                    "exit_code = CASE WHEN state = 'RUNNING' THEN 0 ELSE exit_code END, "
                    "signal = CASE WHEN state = 'RUNNING' THEN ? ELSE signal END WHERE rid = ?",
                    (state, now, uid, sig, rid),
                )
                hit.append(job)
            if hit:
                self._bump()
        if any(job.state == RUNNING for job in hit):
            from clusterjob_sim.engine import processes  # only when there is a process to signal
        for job in hit:
            if (
                job.state == RUNNING
                and job.pgid
                and processes.runner_alive(self.spool_dir, job.rid)
            ):
                processes.signal_job(job.pgid, sig)
        if hit:
            self.tick()
        return hit

    def set_held(self, jobs: Iterable[Job], held: bool = True) -> int:
        """Hold (never start) or release pending jobs; returns how many changed."""
        with _spool.transaction(self.conn) as c:
            n = 0
            for job in jobs:
                n += c.execute(
                    "UPDATE jobs SET held = ?, reason = ? WHERE rid = ? AND state = 'PENDING'",
                    (int(held), "held" if held else "none", job.rid),
                ).rowcount
            self._bump()
        self.tick()
        return n

    def kill_all(self, timeout: float = 10.0) -> int:
        """Cancel every active job of the spool at once (SIGKILL); wait (bounded) until their processes
        and runners are gone."""
        from clusterjob_sim.engine import processes

        active = self.jobs(states=ACTIVE_STATES)
        hit = self._end(active, CANCELLED, uid=os.getuid(), sig=9)
        deadline = time.monotonic() + timeout
        for job in hit:
            current = self.get(job.rid) or job
            while time.monotonic() < deadline and (
                processes.runner_alive(self.spool_dir, job.rid)
                or (current.pgid and processes.group_alive(current.pgid))
            ):
                if current.pgid:
                    processes.signal_job(current.pgid, 9)
                time.sleep(0.02)
                current = self.get(job.rid) or job
        return len(hit)

    def purge(self, older_than_s: float = 0.0) -> int:
        """Delete finished records that ended more than `older_than_s` ago (live view and accounting)."""
        cutoff = self.now() - older_than_s
        with _spool.transaction(self.conn) as c:
            cur = c.execute(
                "DELETE FROM jobs WHERE end_time IS NOT NULL AND end_time <= ? "
                "AND state NOT IN ('PENDING', 'RUNNING')",
                (cutoff,),
            )
            return int(cur.rowcount)

    # -- runner side ------------------------------------------------------------------------------------
    def mark(self, rid: int, state: str) -> bool:
        """Move a RUNNING job to `state` (e.g. TIMEOUT) now; False if it had already ended."""
        with _spool.transaction(self.conn) as c:
            cur = c.execute(
                "UPDATE jobs SET state = ?, end_time = ? WHERE rid = ? AND state = 'RUNNING'",
                (state, self.now(), rid),
            )
            if cur.rowcount:
                self._bump()
            return bool(cur.rowcount)

    def finish(self, rid: int, exit_code: int, signal: int) -> None:
        """Record how a job's script ended: COMPLETED/FAILED unless cancelled, timed out... before."""
        state = COMPLETED if exit_code == 0 and signal == 0 else FAILED
        with _spool.transaction(self.conn) as c:
            c.execute(
                "UPDATE jobs SET state = CASE WHEN state = 'RUNNING' THEN ? ELSE state END, "
                "end_time = COALESCE(end_time, ?), exit_code = ?, signal = ? WHERE rid = ?",
                (state, self.now(), exit_code, signal, rid),
            )
            self._bump()

    # -- job steps (launchers inside a running job) ---------------------------------------------------
    def start_step(
        self,
        job: Job,
        name: str,
        ntasks: int,
        nodes: Sequence[str],
        data: dict[str, Any] | None = None,
        step_id: int | None = None,
        pid: int | None = None,
    ) -> Step:
        """Record a step of a running job (ids count from 0 unless `step_id` is given) and return it;
        `pid` is the launcher's process, which gets the signals meant for the step."""
        with _spool.transaction(self.conn) as c:
            if step_id is None:
                top = c.execute(
                    "SELECT MAX(step_id) FROM steps WHERE rid = ?", (job.rid,)
                ).fetchone()
                step_id = 0 if top[0] is None else int(top[0]) + 1
            c.execute(
                "INSERT INTO steps (rid, step_id, name, ntasks, nodelist, start_time, pid, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job.rid,
                    step_id,
                    name,
                    ntasks,
                    ",".join(nodes),
                    self.now(),
                    pid,
                    _spool.json_dumps(data or {}),
                ),
            )
            self._bump()
        step = self.step(job.rid, step_id)
        assert step is not None
        return step

    def end_step(self, step: Step, exit_code: int, signal: int, state: str | None = None) -> None:
        """Record how a step ended: COMPLETED/FAILED from its exit, unless `state` says (CANCELLED...)."""
        if state is None:
            state = COMPLETED if exit_code == 0 and signal == 0 else FAILED
        with _spool.transaction(self.conn) as c:
            c.execute(
                "UPDATE steps SET state = ?, end_time = ?, exit_code = ?, signal = ? "
                "WHERE rid = ? AND step_id = ? AND end_time IS NULL",
                (state, self.now(), exit_code, signal, step.rid, step.step_id),
            )
            self._bump()

    def step(self, rid: int, step_id: int) -> Step | None:
        """One step of job row `rid`."""
        row = self.conn.execute(
            f"SELECT {STEP_COLUMNS} FROM steps WHERE rid = ? AND step_id = ?",  # noqa: S608 - constant
            (rid, step_id),
        ).fetchone()
        return step_from_row(row) if row else None

    def steps(self, job: Job) -> list[Step]:
        """The steps of a job in the order they started. A step still running when its job ended was killed
        with it: CANCELLED (as Slurm shows it), or NODE_FAIL / OUT_OF_MEMORY when the job ended so."""
        rows = self.conn.execute(
            f"SELECT {STEP_COLUMNS} FROM steps WHERE rid = ? ORDER BY step_id",  # noqa: S608 - constant
            (job.rid,),
        ).fetchall()
        steps = [step_from_row(r) for r in rows]
        if job.finished:
            for s in steps:
                if s.end_time is None:
                    s.state, s.end_time = (
                        (CANCELLED if job.state == COMPLETED else job.state),
                        job.end_time,
                    )
        return steps

    # -- scheduling -------------------------------------------------------------------------------------
    def tick(self, force: bool = False) -> list[int]:
        """Start pending jobs that fit, in submission order; end jobs whose runner died. Cheap if idle."""
        from clusterjob_sim.engine import scheduling

        return scheduling.tick(self, force)


def kill_all(spool: str | os.PathLike[str], timeout: float = 10.0) -> int:
    """Kill every pending and running job of a spool (SIGKILL) and wait for them; how many there were."""
    engine = Engine(spool)
    try:
        return engine.kill_all(timeout)
    finally:
        engine.close()


def purge(spool: str | os.PathLike[str], older_than_s: float = 0.0) -> int:
    """Delete the finished jobs of a spool that ended more than `older_than_s` ago; how many."""
    engine = Engine(spool)
    try:
        return engine.purge(older_than_s)
    finally:
        engine.close()

"""The scheduling tick: start pending jobs that fit the free cores and memory, and reap dead runners.

Every command and every ending job calls it; a generation counter in the db makes it a single read when
nothing changed since the last tick.
"""

from __future__ import annotations

import os

from clusterjob_sim.engine.spool import transaction

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.core import Engine

DEAD_CHECK_INTERVAL_S = 1.0


def tick(engine: Engine, force: bool = False) -> list[int]:
    """Start what fits, in submission order; return the row ids started (their runners are spawned)."""
    conn = engine.conn
    meta = dict(
        conn.execute("SELECT key, value FROM meta WHERE key IN ('gen', 'tick_gen', 'last_check')")
    )
    now = engine.now()
    check_dead = now - float(meta.get("last_check") or 0) >= DEAD_CHECK_INTERVAL_S
    dirty = meta.get("gen") != meta.get("tick_gen")
    if not (force or dirty or check_dead):
        return []
    if not (force or dirty):
        if conn.execute("SELECT 1 FROM jobs WHERE state = 'RUNNING' LIMIT 1").fetchone() is None:
            return []
    started: list[tuple[int, int]] = []
    try:
        with transaction(conn) as c:
            if check_dead:
                c.execute("UPDATE meta SET value = ? WHERE key = 'last_check'", (now,))
                _reap_dead(engine, now)
            started = _place(engine, now)
            gen = c.execute("SELECT value FROM meta WHERE key = 'gen'").fetchone()[0]
            c.execute("UPDATE meta SET value = ? WHERE key = 'tick_gen'", (gen,))
    except BaseException:
        for _, fd in started:
            os.close(fd)
        raise
    if started:
        from clusterjob_sim.engine import processes  # a read-only command never pays for it
    for rid, fd in started:
        try:
            processes.spawn(engine.spool_dir, rid, fd)
        finally:
            os.close(fd)
    return [rid for rid, _ in started]


def _reap_dead(engine: Engine, now: float) -> None:
    """End RUNNING jobs whose runner died (lock free) as NODE_FAIL and kill what is left of them."""
    rows = engine.conn.execute("SELECT rid, pgid FROM jobs WHERE state = 'RUNNING'").fetchall()
    if rows:
        from clusterjob_sim.engine import processes
    for rid, pgid in rows:
        if processes.runner_alive(engine.spool_dir, rid):
            continue
        engine.conn.execute(
            "UPDATE jobs SET state = 'NODE_FAIL', end_time = ?, signal = COALESCE(signal, 9) "
            "WHERE rid = ?",
            (now, rid),
        )
        engine.conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'gen'")
        if pgid:
            processes.signal_job(pgid, 9)
        processes.remove_lock(engine.spool_dir, rid)


def _queue_nodes(engine: Engine, queue: str) -> list[dict[str, Any]]:
    """The nodes a queue may use: its configured 'nodes' list, else all nodes."""
    q = engine.config.get("queues", {}).get(queue) or {}
    names = q.get("nodes")
    if not names:
        return engine.nodes
    wanted = set(names)
    return [n for n in engine.nodes if n["name"] in wanted]


def _place(engine: Engine, now: float) -> list[tuple[int, int]]:
    """Assign nodes to pending jobs that fit (inside the tick's transaction); return (rid, lock fd)."""
    c = engine.conn
    free_cores = {n["name"]: n["cores"] for n in engine.nodes}
    free_mem = {n["name"]: n["mem_mb"] for n in engine.nodes}
    used: set[str] = set()
    array_running: dict[int, int] = {}
    for nodelist, cores, mem, exclusive, array_id in c.execute(
        "SELECT nodelist, cores_per_node, mem_mb_per_node, exclusive, array_id FROM jobs "
        "WHERE state = 'RUNNING'"
    ):
        if array_id is not None:
            array_running[array_id] = array_running.get(array_id, 0) + 1
        for name in nodelist.split(",") if nodelist else ():
            used.add(name)
            if exclusive:
                free_cores[name] = free_mem[name] = 0
            else:
                free_cores[name] = free_cores.get(name, 0) - cores
                free_mem[name] = free_mem.get(name, 0) - (mem or 0)
    pending = c.execute(
        "SELECT rid, array_id, array_limit, queue, nodes, cores_per_node, mem_mb_per_node, exclusive, "
        "reason, split_ids FROM jobs WHERE state = 'PENDING' AND held = 0 ORDER BY rid"
    ).fetchall()
    started: list[tuple[int, int]] = []
    reasons: list[tuple[str, int]] = []
    blocked = False
    for rid, array_id, limit, queue, nnodes, cores, mem, exclusive, old_reason, split in pending:
        mem = mem or 0
        capable = [
            n["name"]
            for n in _queue_nodes(engine, queue)
            if n["cores"] >= cores and n["mem_mb"] >= mem
        ]
        if len(capable) < nnodes:
            reason = "never"
        elif limit and array_id is not None and array_running.get(array_id, 0) >= limit:
            reason = "array_limit"
        else:
            if exclusive:
                fit = [n for n in capable if n not in used]
            else:
                fit = [n for n in capable if free_cores[n] >= cores and free_mem[n] >= mem]
            if len(fit) >= nnodes:
                chosen = fit[:nnodes]
                for name in chosen:
                    used.add(name)
                    if exclusive:
                        free_cores[name] = free_mem[name] = 0
                    else:
                        free_cores[name] -= cores
                        free_mem[name] -= mem
                if array_id is not None:
                    array_running[array_id] = array_running.get(array_id, 0) + 1
                if split:
                    _split_id(engine, rid, array_id)
                from clusterjob_sim.engine import processes

                fd = processes.take_lock(engine.spool_dir, rid)
                started.append((rid, fd))
                c.execute(
                    "UPDATE jobs SET state = 'RUNNING', start_time = ?, nodelist = ?, reason = 'none' "
                    "WHERE rid = ?",
                    (now, ",".join(chosen), rid),
                )
                continue
            reason = "priority" if blocked else "resources"
            blocked = True
        if reason != old_reason:
            reasons.append((reason, rid))
    if reasons:
        c.executemany("UPDATE jobs SET reason = ? WHERE rid = ?", reasons)
    return started


def _split_id(engine: Engine, rid: int, array_id: int) -> None:
    """A starting SLURM array task leaves the array record: next free id, unless it is the last one."""
    remaining = engine.conn.execute(
        "SELECT COUNT(*) FROM jobs WHERE array_id = ? AND state = 'PENDING' AND rid != ?",
        (array_id, rid),
    ).fetchone()[0]
    if remaining:
        new_id = engine._allocate_ids(1)
        engine.conn.execute("UPDATE jobs SET job_id = ? WHERE rid = ?", (new_id, rid))

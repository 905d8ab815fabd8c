"""refresh_statuses: bring many AsyncResults up to date with one scheduler call per group and view.

Runs are grouped by (backend, runner). A backend that batches (cmd_status_many) is asked once about all
unfinished runs of a group, then once more, in its finished (accounting) view, about the runs the running
view did not mention; a backend that does not batch is asked run by run, as AsyncResult.status would.
"Once" means one call per chunk: the runs are split so that every command fits the OS argument limits
where the runner executes it (Runner.argv_load: 128 KiB per argument, ARG_MAX in all) and the backend's
own `max_status_ids`.
"""

from __future__ import annotations

import json
import math
from collections import deque
from collections.abc import Sequence

from clusterjob.backends import ClusterjobBackend, Command
from clusterjob.result import AsyncResult, batched_writes, is_unreadable
from clusterjob.runners import CommandOutput, Runner
from clusterjob.status import STATUS_CODES, is_finished

__all__ = ["refresh_statuses", "status_chunks"]


def refresh_statuses(results: Sequence[AsyncResult]) -> dict[str, int | None]:
    """Refresh every result; returns {job_id: status}, None for runs the scheduler said nothing about.

    A run without an answer keeps its last known status, UNKNOWN if it never had one (and its
    `unknown_count` grows; answers the backend cannot read count in `unreadable_count`). A non-zero exit
    of the batched command is not an error: SLURM's squeue, for one unknown id, exits 1; its ids are
    simply unknown. Finished runs are not asked about again. Cache files are written inside
    batched_writes (see there why that is crash-safe).
    """
    with batched_writes():  # cache files: one folder fsync per folder, not per file
        return _refresh(results)


def _refresh(results: Sequence[AsyncResult]) -> dict[str, int | None]:
    groups: dict[tuple[int, str], list[AsyncResult]] = {}
    runner_keys: dict[int, str] = {}  # one JSON key per runner object, not per run
    for result in results:
        if is_finished(result.last_status):
            continue
        backend = result.backend_instance
        runner = result.runner
        runner_key = runner_keys.get(id(runner))
        if runner_key is None:
            runner_key = json.dumps(runner.to_dict(), sort_keys=True)
            runner_keys[id(runner)] = runner_key
        groups.setdefault((id(backend), runner_key), []).append(result)
    for runs in groups.values():
        answers, unreadable = _ask(runs[0].backend_instance, runs[0].runner, runs)
        for run in runs:
            run.apply_status(answers.get(run.job_id), unreadable.get(run.job_id))
    statuses: dict[str, int | None] = {}
    for result in results:
        if is_finished(result.last_status):
            _ = result.status  # the epilogue of a run finished earlier, if it has not run yet
            statuses[result.job_id] = result.last_status
        else:
            statuses[result.job_id] = result.last_status if result.unknown_count == 0 else None
    return statuses


def _ask(
    backend: ClusterjobBackend, runner: Runner, runs: Sequence[AsyncResult]
) -> tuple[dict[str, int | None], dict[str, CommandOutput]]:
    """{job_id: status} from the running view, then the finished view for the runs still unknown; and,
    for runs without a status, the first answer the backend could not read (a batched answer counts as
    unreadable only when it names none of the runs asked about)."""
    answers: dict[str, int | None] = {}
    unreadable: dict[str, CommandOutput] = {}
    pending = list(runs)
    for finished in (False, True):
        if not pending:
            break
        for chunk, command in status_chunks(backend, runner, pending, finished):
            if command is None:
                for run in chunk:
                    out = runner.run(backend.cmd_status(run, finished=finished))
                    answers[run.job_id] = backend.get_status(out.stdout, finished=finished)
                    if answers[run.job_id] not in STATUS_CODES and is_unreadable(out):
                        unreadable.setdefault(run.job_id, out)
            else:
                out = runner.run(command)
                parsed = backend.get_status_many(out.stdout, chunk, finished=finished)
                for run in chunk:
                    answers[run.job_id] = parsed.get(run.job_id)
                if is_unreadable(out) and not any(v in STATUS_CODES for v in parsed.values()):
                    for run in chunk:
                        unreadable.setdefault(run.job_id, out)
        pending = [run for run in pending if answers.get(run.job_id) not in STATUS_CODES]
    statuses = {job_id: s if s in STATUS_CODES else None for job_id, s in answers.items()}
    return statuses, {job_id: out for job_id, out in unreadable.items() if statuses[job_id] is None}


def status_chunks(
    backend: ClusterjobBackend,
    runner: Runner,
    runs: Sequence[AsyncResult],
    finished: bool = False,
) -> list[tuple[list[AsyncResult], Command | None]]:
    """`runs` in order, split into chunks whose cmd_status_many fits: at most the backend's
    `max_status_ids` runs, and an argv within the OS limits where `runner` runs it. A chunk too big
    is cut into as many equal parts as its argv_load says, then each part is checked again; a single
    run is never cut. The command is None when the backend does not batch (ask run by run).
    """
    limit = backend.max_status_ids or len(runs) or 1
    todo = deque(list(runs[start : start + limit]) for start in range(0, len(runs), limit))
    chunks: list[tuple[list[AsyncResult], Command | None]] = []
    while todo:
        chunk = todo.popleft()
        command = backend.cmd_status_many(chunk, finished=finished)
        if command is None or len(chunk) == 1:
            chunks.append((chunk, command))
            continue
        load = runner.argv_load(command)
        if load <= 1.0:
            chunks.append((chunk, command))
            continue
        parts = min(len(chunk), max(2, math.ceil(load * 1.02)))
        size = math.ceil(len(chunk) / parts)
        todo.extendleft(reversed([chunk[i : i + size] for i in range(0, len(chunk), size)]))
    return chunks

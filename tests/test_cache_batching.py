"""Cache writes of many runs: one write per finished run without an epilogue, one folder fsync per
folder per refresh_statuses, and the final status durable before an epilogue runs."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from clusterjob.batch import refresh_statuses
from clusterjob.result import AsyncResult, batched_writes, write_atomically
from clusterjob.status import COMPLETED, RUNNING
from tests.test_batch import BatchBackend, FakeCluster


class FsyncLog:
    """Records os.fsync calls as 'dir' or 'file' (the unit under test calls the real os.fsync too)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, events: list[str] | None = None) -> None:
        self.events = events if events is not None else []
        real = os.fsync

        def fsync(fd: int) -> None:
            self.events.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)

    def count(self, kind: str) -> int:
        return self.events.count(kind)


def cached_runs(folder: Path, cluster: FakeCluster, count: int, **kwargs: Any) -> list[AsyncResult]:
    runs = []
    for i in range(count):
        run = AsyncResult(
            BatchBackend(), str(1000 + i), cluster, cache_file=str(folder / f"r{i}.json"), **kwargs
        )
        run.dump()
        runs.append(run)
    return runs


def test_finished_runs_cost_one_write_each_and_one_folder_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = FakeCluster(finished={str(1000 + i): "COMPLETED" for i in range(50)})
    runs = cached_runs(tmp_path, cluster, 50)
    log = FsyncLog(monkeypatch)
    assert set(refresh_statuses(runs).values()) == {COMPLETED}
    assert log.count("file") == 50  # one write per run: final status and epilogue_done together
    assert log.count("dir") == 1  # the renames made durable together
    again = [AsyncResult.load(run.cache_file or "", backend=BatchBackend()) for run in runs]
    assert all(r.last_status == COMPLETED and r.epilogue_done for r in again)


def test_folders_are_each_fsynced_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = FakeCluster(running={str(1000 + i): "RUNNING" for i in range(20)})
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    runs = cached_runs(tmp_path / "a", cluster, 10) + [
        AsyncResult(BatchBackend(), str(1010 + i), cluster, cache_file=str(tmp_path / "b" / f"{i}"))
        for i in range(10)
    ]
    log = FsyncLog(monkeypatch)
    assert set(refresh_statuses(runs).values()) == {RUNNING}
    assert log.count("file") == 20 and log.count("dir") == 2


def test_an_epilogue_runs_only_after_the_final_status_is_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash during the epilogue must not forget that the job finished (else it would run again)."""
    events: list[str] = []
    cluster = FakeCluster(finished={"1000": "COMPLETED", "1001": "COMPLETED"})
    runs = cached_runs(tmp_path, cluster, 2, epilogue="true")
    FsyncLog(monkeypatch, events)

    class Recording:
        def run_script(self, code: str) -> Any:
            events.append("epilogue")
            from clusterjob.runners import CommandOutput

            return CommandOutput(("bash", "-c", code), 0, "", "")

    for run in runs:
        run._epilogue_runner = Recording()  # type: ignore[assignment]
    refresh_statuses(runs)
    first = events.index("epilogue")
    assert events[:first] == ["file", "dir"]  # final status written and its rename made durable
    assert events.count("epilogue") == 2
    assert all(
        AsyncResult.load(run.cache_file or "", backend=BatchBackend()).epilogue_done for run in runs
    )


def test_inside_a_batch_every_file_is_whole_and_creation_is_durable_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = FsyncLog(monkeypatch)
    with batched_writes():
        write_atomically(tmp_path / "x", "one\n")
        assert (tmp_path / "x").read_text() == "one\n" and log.events == ["file"]
        write_atomically(tmp_path / "marker", "m\n", exclusive=True)
        assert log.events == ["file", "file", "dir"]  # an exclusive create does not wait
        with batched_writes():  # nested: joins the outer block
            write_atomically(tmp_path / "y", "two\n")
        assert log.count("dir") == 1
    assert log.count("dir") == 2

"""(f) End to end: submit, status (pending, running, finished), cancel, failure by exit code or wall time,
and a finished job's status from the accounting view, on a simulated cluster or a real scheduler."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from clusterjob.status import (
    CANCELLED,
    COMPLETED,
    FAILED,
    PENDING,
    RUNNING,
    STATUS_CODES,
    str_status,
)
from clusterjob.testing.plugin import real_mode
from clusterjob.testing.simulator import env_overlay, set_walltime, simulated_cluster
from clusterjob.testing.strategies import first_job_ids
from clusterjob.testing.suite.base import ConformanceBase

JOB_ID_EXAMPLES = 5
"""At most this many first job ids are drawn (each costs a fresh simulated cluster and one job)."""


class EndToEndChecks(ConformanceBase):
    """Real jobs through JobScript.submit and AsyncResult end in the right status."""

    def test_e2e_submit_runs_completes(self, cj_cluster: Any, tmp_path: Path) -> None:
        """submit -> a job id -> PENDING or RUNNING -> COMPLETED, on the scheduler."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        gate = e2e.gate("go")
        result = e2e.submit(f"{gate.wait_line}\necho done\n", "cjcomplete")
        assert isinstance(result.job_id, str) and result.job_id
        if e2e.real is None:
            assert e2e.engine_job(result) is not None, (
                f"get_job_id gave {result.job_id!r}, but the scheduler has no such job"
            )
        first = e2e.status(result)
        assert first in (PENDING, RUNNING), (
            f"a job waiting for its gate reported {str_status(first)}"
            + ("" if e2e.real is None else f" ({e2e.answers(result)})")
        )
        e2e.wait_running(result)
        assert e2e.settled_status(result, RUNNING) == RUNNING, (
            "a running job was not reported RUNNING"
            + ("" if e2e.real is None else f" ({e2e.answers(result)})")
        )
        gate.open()
        e2e.expect_final(result, COMPLETED, "a job released from its gate")

    def test_e2e_job_ids_of_any_size(
        self, cj_settings: settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """get_job_id keeps the whole id the scheduler hands out, whatever its size: the simulated
        cluster's first job id is drawn (two digits up to the scheduler's largest id)."""
        if real_mode():
            pytest.skip("a real scheduler's ids are what they are; the simulator's are drawn")
        runs = itertools.count()

        def check(first: int) -> None:
            folder = tmp_path / f"ids{next(runs)}"
            config = self._cj_cluster_config(first_job_id=first)
            with simulated_cluster(str(self.scheduler), folder / "spool", config) as cluster:
                for key, value in env_overlay(cluster).items():
                    monkeypatch.setenv(key, value)
                e2e = self._cj_e2e(cluster, folder)
                result = e2e.submit("true\n", "cjids")
                record = e2e.engine_job(result)
                assert record is not None and record.job_id == first, (
                    f"the scheduler handed out job {first}, but get_job_id gave {result.job_id!r}"
                )
                status = e2e.status(result)
                assert status in STATUS_CODES, (
                    f"job {result.job_id}: no state established ({str_status(status)}); "
                    f"{e2e.answers(result)}"
                )

        few = settings(cj_settings, max_examples=min(cj_settings.max_examples, JOB_ID_EXAMPLES))
        self._cj_run_property(few, "e2e_job_ids", first_job_ids(self._cj_rules.max_job_id), check)

    def test_e2e_pending(self, cj_cluster: Any, tmp_path: Path) -> None:
        """A job waiting for a full cluster is PENDING, runs when the cluster frees up, and completes."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        if e2e.real is not None and not self._cj_caps.whole_cluster:
            pytest.skip(
                "needs a full cluster: under --cj-real it runs only with Capabilities(whole_cluster="
                "True), when max_nodes x max_cores_per_node is all the real cluster has"
            )
        gate = e2e.gate("free")
        blocker = e2e.submit(gate.wait_line + "\n", "cjblocker", **e2e.whole_cluster())
        e2e.wait_running(blocker)
        waiting = e2e.submit("echo waited\n", "cjwaiting")
        assert e2e.status(waiting) == PENDING, (
            "a job that cannot start yet was not reported PENDING"
        )
        gate.open()
        e2e.expect_final(blocker, COMPLETED, "the job that filled the cluster")
        e2e.expect_final(waiting, COMPLETED, "the job that waited for it")

    def test_e2e_cancel(self, cj_cluster: Any, tmp_path: Path) -> None:
        """Cancelling a running job and a pending one ends both CANCELLED."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        gate = e2e.gate("never")
        running = e2e.submit(gate.wait_line + "\n", "cjrunning", **e2e.whole_cluster())
        e2e.wait_running(running)
        pending = e2e.submit(gate.wait_line + "\n", "cjpending")
        if e2e.real is None or self._cj_caps.whole_cluster:
            assert e2e.status(pending) == PENDING
        else:  # a real cluster larger than the capabilities say may start it at once
            assert e2e.status(pending) in (PENDING, RUNNING)
        pending.cancel()
        running.cancel()
        e2e.expect_final(pending, CANCELLED, "a cancelled pending job did not end CANCELLED")
        e2e.expect_final(running, CANCELLED, "a cancelled running job did not end CANCELLED")

    def test_e2e_exit_code_failed(self, cj_cluster: Any, tmp_path: Path) -> None:
        """A job whose script exits non-zero ends FAILED."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        result = e2e.submit("echo failing\nexit 3\n", "cjfail")
        e2e.expect_final(result, FAILED, "a job whose script exits 3")

    def test_e2e_walltime_exceeded_failed(self, cj_cluster: Any, tmp_path: Path) -> None:
        """A job killed for exceeding its wall time ends FAILED."""
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        caps = self._cj_caps
        if e2e.real is not None:
            if not caps.time:
                pytest.skip(
                    "the backend encodes no wall time (Capabilities.time=False): a real scheduler "
                    "cannot be told to stop the job"
                )
            step = caps.walltime_granularity_s or self._cj_rules.time_step_s
            limit = step * -(-10 // step)  # the shortest limit >= 10 s the scheduler enforces
            runs = limit + caps.walltime_kill_delay_s + 60
            slow = e2e.submit(f"sleep {runs}\n", "cjslow", time=limit)
            e2e.wait_running(slow)
            e2e.expect_final(
                slow,
                FAILED,
                f"a job killed at its wall time ({limit} s) did not end FAILED",
                timeout=limit + caps.walltime_kill_delay_s,
            )
            return
        gate = e2e.gate("free")
        blocker = e2e.submit(gate.wait_line + "\n", "cjblocker", **e2e.whole_cluster())
        e2e.wait_running(blocker)
        extra = {"time": 3600} if self._cj_caps.time else {}
        slow = e2e.submit("sleep 60\n", "cjslow", **extra)
        assert set_walltime(e2e.cluster, slow.job_id, 1.0) == 1, (
            "could not shorten the pending job's wall time in the simulator"
        )
        gate.open()
        e2e.expect_final(blocker, COMPLETED, "the job that filled the cluster")
        e2e.expect_final(slow, FAILED, "a job killed at its wall time did not end FAILED")
        assert e2e.engine_job(slow).state == "TIMEOUT"

    def test_e2e_finished_status_from_accounting(self, cj_cluster: Any, tmp_path: Path) -> None:
        """Once a finished job has left the queue view, its status comes from the accounting view."""
        if not self._cj_caps.accounting:
            pytest.skip("the backend declares no accounting view (Capabilities.accounting=False)")
        e2e = self._cj_e2e(cj_cluster, tmp_path)
        if e2e.real is None:
            cj_cluster.configure(**self._cj_rules.forget_finished)
        good = e2e.submit("echo ok\n", "cjgood")
        bad = e2e.submit("exit 5\n", "cjbad")
        if e2e.real is None:
            e2e.wait_engine(good, "COMPLETED")
            e2e.wait_engine(bad, "FAILED")
        else:  # the queue view may still know them: the accounting view must tell all the same
            e2e.expect_final(good, COMPLETED, "a job that exits 0")
            e2e.expect_final(bad, FAILED, "a job that exits 5")
        backend = self._cj_backend
        for result, expected in ((good, COMPLETED), (bad, FAILED)):
            # a real scheduler writes the accounting record shortly after the job's end
            deadline = time.monotonic() + (self._cj_caps.queue_wait_s if e2e.real else 0)
            while True:
                out = result.runner.run(backend.cmd_status(result, finished=True))
                got = backend.get_status(out.stdout, finished=True)
                if got is not None or time.monotonic() > deadline:
                    break
                time.sleep(1.0)
            assert got == expected, (
                f"the accounting view of job {result.job_id} answered {out.stdout!r} "
                f"(stderr {out.stderr!r}); get_status(finished=True) gave {str_status(got)}, "
                f"expected {str_status(expected)}"
            )
            e2e.expect_final(result, expected, "a finished job seen through accounting")

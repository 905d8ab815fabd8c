"""The end-to-end harness: jobs submitted with JobScript.submit and tracked by AsyncResult on the simulated
cluster or a real scheduler, gates that hold a job running, and failures that show what the scheduler said."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from clusterjob.result import AsyncResult
from clusterjob.status import str_status
from clusterjob.testing.plugin import real_submit_hosts
from clusterjob.testing.real import RealCluster

if TYPE_CHECKING:
    from clusterjob.testing.suite.base import ConformanceBase

E2E_TIMEOUT_S = 90.0
"""Guard of every end-to-end wait (never a pass/fail criterion: a job that hangs fails with a clear message).
Against a real scheduler the guards come from Capabilities (``queue_wait_s``, ``walltime_kill_delay_s``)."""

REAL_JOB_TIME_S = 300
"""Wall time of every job submitted to a real scheduler (unless a check sets one): a job a check leaves
behind ends by itself. Jobs waiting on a gate give up after the same time."""

REAL_STATUS_SETTLE_S = 30.0
"""How long a real scheduler may take to report a job that has started as RUNNING (e.g. Grid Engine's
transfer state)."""


class _Gate:
    """A file a job waits for: the job holds its cores until the test opens the gate (on a real scheduler
    for at most `limit_s`, so a job left behind ends by itself)."""

    def __init__(self, path: Path, limit_s: int | None = None) -> None:
        self.path = path
        self.limit_s = limit_s

    @property
    def wait_line(self) -> str:
        if self.limit_s is None:
            return f"while [ ! -e '{self.path}' ]; do sleep 0.05; done"
        return (
            f"cj_n=0; while [ ! -e '{self.path}' ] && [ $cj_n -lt {self.limit_s * 5} ]; "
            "do sleep 0.2; cj_n=$((cj_n+1)); done"
        )

    def open(self) -> None:
        self.path.touch()


class _E2E:
    """Jobs of one end-to-end check: submitted with JobScript.submit, tracked by AsyncResult; on the
    simulated cluster, or on a real scheduler (`real`)."""

    def __init__(self, suite: ConformanceBase, cluster: Any, tmp_path: Path) -> None:
        self.suite = suite
        self.cluster = cluster
        self.real: RealCluster | None = cluster if isinstance(cluster, RealCluster) else None
        base = self.real.folder if self.real is not None else tmp_path
        self.base = (
            base  # every file a job reads or writes lives below it (--workdir: seen by the nodes)
        )
        self.submit_dir = base / "submit"
        self.submit_dir.mkdir(parents=True, exist_ok=True)
        self.gates = base / "gates"
        self.gates.mkdir(exist_ok=True)
        self.names: dict[str, str] = {}

    @property
    def timeout(self) -> float:
        """Guard of one wait: a real job may queue behind other users' jobs."""
        return float(self.suite._cj_caps.queue_wait_s) if self.real else E2E_TIMEOUT_S

    def gate(self, name: str) -> _Gate:
        return _Gate(self.gates / name, REAL_JOB_TIME_S if self.real else None)

    def job_name(self, name: str) -> str:
        """The name a job submitted as `name` carries (unique to this check on a real scheduler)."""
        return self.real.job_name(name) if self.real is not None else name

    def _started(self, name: str) -> Path:
        return self.gates / f"started.{name}"

    def whole_cluster(self, nodes: int | None = None) -> dict[str, Any]:
        """Resources that take every core of `nodes` nodes (all nodes by default)."""
        caps = self.suite._cj_caps
        count = caps.max_nodes if nodes is None else nodes
        resources: dict[str, Any] = {"ppn": caps.max_cores_per_node}
        if count > 1 or caps.multi_node:
            resources["nodes"] = count
        return resources

    def submit(self, body: str, name: str, **resources: Any) -> AsyncResult:
        caps = self.suite._cj_caps
        if self.real is not None:
            body = f"touch '{self._started(name)}'\n{body}"  # the job's own word that it runs
            if caps.time and "time" not in resources:
                resources["time"] = min(REAL_JOB_TIME_S, caps.max_time_s)
        jobscript = self.suite._cj_jobscript(
            body,
            {"name": self.job_name(name), **resources},
            rootdir=str(self.submit_dir),
            max_sleep_interval=0.2 if self.real is None else 1.0,
        )
        result = jobscript.submit()
        if self.real is not None:
            self.real.track(result)
        self.names[result.job_id] = name
        return result

    def status(self, result: AsyncResult) -> int:
        return result.status

    def settled_status(self, result: AsyncResult, expected: int) -> int:
        """The run's status; on a real scheduler polled for a while until it is `expected`."""
        status = self.status(result)
        deadline = time.monotonic() + (REAL_STATUS_SETTLE_S if self.real else 0)
        while status != expected and time.monotonic() < deadline:
            time.sleep(0.5)
            status = self.status(result)
        return status

    def answers(self, result: AsyncResult) -> str:
        """What the backend's status commands answer about `result` now, and what it made of them."""
        backend = self.suite._cj_backend
        lines = []
        for finished in (False, True):
            command = backend.cmd_status(result, finished=finished)
            out = result.runner.run(command)
            parsed = backend.get_status(out.stdout, finished=finished)
            lines.append(
                f"{command!r} -> rc {out.returncode}, stdout {_clip(out.stdout)}, stderr "
                f"{_clip(out.stderr)}; get_status(finished={finished}) = {str_status(parsed)}"
            )
        return "\n".join(lines)

    def _held(self, result: AsyncResult) -> str:
        if self.real is not None:
            return f"the real {self.real.scheduler} scheduler answers:\n{self.answers(result)}"
        job = self.engine_job(result)
        return f"the simulated scheduler holds it {job.state if job is not None else 'nowhere'}" + (
            f" (exit code {job.exit_code}, signal {job.signal})" if job is not None else ""
        )

    def final(self, result: AsyncResult, timeout: float | None = None) -> int:
        limit = self.timeout if timeout is None else timeout
        try:
            return result.get(timeout=limit)
        except TimeoutError:
            pytest.fail(
                f"job {result.job_id} did not reach a final status through the backend within "
                f"{limit:.0f} s; last status {str_status(result.last_status)}; {self._held(result)}"
            )

    def expect_final(
        self, result: AsyncResult, expected: int, what: str, timeout: float | None = None
    ) -> None:
        """The run's final status is `expected`; else a failure that shows what the scheduler said."""
        final = self.final(result, timeout)
        if final == expected:
            return
        lines = [
            f"{what}: job {result.job_id} ended {str_status(final)}, expected {str_status(expected)}",
            self._held(result),
        ]
        if self.real is None:
            lines.append(self.answers(result))
        pytest.fail("\n".join(lines))

    def engine_job(self, result: AsyncResult) -> Any:
        if self.real is not None:
            return None
        digits = result.job_id.split(".", 1)[0].split("[", 1)[0]
        engine = self.cluster.engine
        try:
            jobs = engine.jobs([int(digits)]) if digits.isdigit() else []
        finally:
            engine.close()
        return jobs[0] if jobs else None

    def wait_engine(self, result: AsyncResult, state: str) -> None:
        deadline = time.monotonic() + E2E_TIMEOUT_S
        while True:
            job = self.engine_job(result)
            if job is not None and job.state == state:
                return
            if time.monotonic() > deadline:
                seen = job.state if job is not None else "no such job"
                pytest.fail(f"job {result.job_id} never reached {state} in the simulator ({seen})")
            time.sleep(0.05)

    def wait_running(self, result: AsyncResult) -> None:
        """Until the job runs: as the simulator holds it, or, on a real scheduler, as the job itself says."""
        if self.real is None:
            self.wait_engine(result, "RUNNING")
            return
        started = self._started(self.names[result.job_id])
        deadline = time.monotonic() + self.timeout
        while not started.exists():
            if time.monotonic() > deadline:
                pytest.fail(
                    f"job {result.job_id} did not start within {self.timeout:.0f} s "
                    f"(Capabilities.queue_wait_s); {self._held(result)}"
                )
            time.sleep(0.2)

    def submit_hosts(self) -> set[str]:
        here = socket.gethostname()
        hosts = {here, here.split(".", 1)[0]}
        if self.real is not None:
            return real_submit_hosts() or hosts | {socket.getfqdn()}
        engine = self.cluster.engine
        try:
            hosts.add(engine.submit_host)
        finally:
            engine.close()
        return hosts

    def job_output(self, result: AsyncResult, path: Path) -> str:
        if path.exists():
            return path.read_text(encoding="utf-8", errors="replace")
        job = self.engine_job(result)
        candidates = [Path(job.stdout)] if job is not None and job.stdout else []
        candidates += sorted(self.submit_dir.glob("*"))
        for candidate in candidates:
            if candidate.is_file() and "CJ_" in candidate.read_text(errors="replace"):
                return candidate.read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"found no output of job {result.job_id} (looked for {path})")


def _clip(text: str, limit: int = 700) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 20] + f"... ({len(text)} chars)"

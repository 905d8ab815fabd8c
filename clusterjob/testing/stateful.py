"""The stateful check: a Hypothesis state machine submits, polls, cancels and waits on many jobs while the
simulator's faults are on (transient failures, junk and cut answers, lost submission answers), and checks that
no tracked job is lost and none is ever reported in a final state the scheduler does not hold.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from clusterjob.errors import ClusterjobError, CommandError
from clusterjob.jobscript import JobScript
from clusterjob.result import AsyncResult
from clusterjob.runners import LocalRunner, RetryPolicy
from clusterjob.status import (
    CANCELLED,
    COMPLETED,
    FAILED,
    STATUS_CODES,
    UNKNOWN,
    is_finished,
    str_status,
)
from clusterjob.submission import submit_jobscript
from clusterjob.testing.profiles import stateful_settings
from clusterjob.testing.rules import rules_for
from clusterjob.testing.simulator import ENGINE_STATUS, env_overlay, simulated_cluster

if TYPE_CHECKING:
    from clusterjob.testing.suite import BackendConformance

__all__ = ["OTHER_FAULTS", "SUBMIT_FAULTS", "faults_for", "run_jobs_machine"]

WAIT_TIMEOUT_S = 90.0

SUBMIT_FAULTS: tuple[dict[str, Any], ...] = (
    {"kind": "transient", "probability": 0.15},
    {"kind": "lost_answer", "probability": 0.1},
)
"""Faults of submit commands: a failure that did nothing, and an answer lost after the job was queued."""

OTHER_FAULTS: tuple[dict[str, Any], ...] = (
    {"kind": "transient", "probability": 0.15},
    {"kind": "garbage", "probability": 0.1},
    {"kind": "truncated", "probability": 0.1},
)
"""Faults of status and cancel commands: failures, junk instead of the answer, an answer cut short.

Junk and cut answers are not put on submit commands: a cut ``Submitted batch job 123`` reads as job 12, which
no parser can tell from the truth."""


def faults_for(module: str) -> list[dict[str, Any]]:
    """Fault rules for every command of the simulator module `module`."""
    from clusterjob_sim.activate import scheduler_module

    sim = scheduler_module(module)
    submit = set(getattr(sim, "SUBMIT_COMMANDS", ()))
    rules = []
    for command in getattr(sim, "COMMANDS", {}):
        for fault in SUBMIT_FAULTS if command in submit else OTHER_FAULTS:
            rules.append({**fault, "command": command})
    return rules


KINDS = ("ok", "fail", "hold")
"""Jobs: exit 0 at once, exit 3 at once, or run until released (or cancelled)."""


@dataclass
class TrackedJob:
    """A job the client got an AsyncResult for, and what the test did to it."""

    result: AsyncResult
    kind: str
    name: str
    gate: Path
    cancelled: bool = False
    cancel_in_doubt: bool = False
    released: bool = False
    seen: list[int] = field(default_factory=list)


def run_jobs_machine(suite: BackendConformance, tmp_path: Path, profile: str) -> None:
    """Run the jobs state machine against `suite`'s backend (runs and steps from `profile`)."""
    counter = itertools.count()

    class JobsMachine(_JobsMachine):
        pass

    JobsMachine.suite = suite
    JobsMachine.base = tmp_path
    JobsMachine.counter = counter
    run_state_machine_as_test(JobsMachine, settings=stateful_settings(profile))


class _JobsMachine(RuleBasedStateMachine):
    """Submit, poll, cancel, release and wait on jobs of one fresh simulated cluster per run."""

    suite: BackendConformance
    base: Path
    counter: itertools.count[int]

    jobs = Bundle("jobs")

    def __init__(self) -> None:
        super().__init__()
        run = next(self.counter)
        self.folder = self.base / f"run{run}"
        self.folder.mkdir(parents=True)
        scheduler = str(self.suite.scheduler)
        faults = faults_for(rules_for(scheduler).module)
        config = self.suite._cj_cluster_config(faults=faults, fault_seed=run)
        self._cluster_cm = simulated_cluster(scheduler, self.folder / "spool", config)
        self.cluster = self._cluster_cm.__enter__()
        self.runner = LocalRunner(
            env_overlay(self.cluster),
            retry=RetryPolicy(attempts=8, initial=0.05, factor=1.5, max_delay=0.3),
        )
        self.tracked: list[TrackedJob] = []
        self.gates: list[Path] = []
        self.refused = 0
        self.backend = self.suite._cj_backend
        self.scheduler_rules = rules_for(scheduler)

    # ------------------------------------------------------------------ helpers

    def _engine_job(self, job: TrackedJob) -> Any:
        digits = job.result.job_id.split(".", 1)[0].split("[", 1)[0]
        engine = self.cluster.engine
        try:
            found = engine.jobs([int(digits)]) if digits.isdigit() else []
        finally:
            engine.close()
        return found[0] if found else None

    def _check_answer(self, job: TrackedJob, status: int | None, via_result: bool = False) -> None:
        """A final status must be the one the scheduler holds (checked after the answer: finals stick).

        Through AsyncResult (`via_result`), CANCELLED is also right for a job this test cancelled: after
        cancel() AsyncResult reads "the scheduler no longer knows the job" as CANCELLED, by design (for a
        job it had reported a state for).
        """
        if status is None or not is_finished(status):
            return
        record = self._engine_job(job)
        assert record is not None, f"job {job.result.job_id} is unknown to the scheduler"
        truth = ENGINE_STATUS.get(record.state)
        if via_result and job.cancelled and status == CANCELLED:
            return
        assert truth == status, (
            f"job {job.result.job_id} ({job.kind}) was reported {str_status(status)}, but the "
            f"scheduler holds it {record.state}"
        )

    def _expected(self, job: TrackedJob, record: Any) -> set[int]:
        natural = {"ok": COMPLETED, "fail": FAILED, "hold": COMPLETED}[job.kind]
        if job.cancelled and not job.cancel_in_doubt:
            return {CANCELLED} if job.kind == "hold" and not job.released else {CANCELLED, natural}
        if job.cancel_in_doubt:
            return {CANCELLED, natural}
        return {natural}

    # ------------------------------------------------------------------ rules

    @initialize(target=jobs)
    def start(self) -> Any:
        """One job of each kind first, so that even the simplest run has work to track."""
        return multiple(*(self._submit(kind) for kind in KINDS))

    @rule(target=jobs, kind=st.sampled_from(KINDS))
    def submit(self, kind: str) -> Any:
        return self._submit(kind)

    def _submit(self, kind: str) -> TrackedJob | None:
        number = len(self.gates)
        name = f"cj{kind}{number}"
        gate = self.folder / f"gate{number}"
        self.gates.append(gate)
        body = {
            "ok": "echo ok\n",
            "fail": "echo failing\nexit 3\n",
            "hold": f"while [ ! -e '{gate}' ]; do sleep 0.05; done\n",
        }[kind]
        jobscript = JobScript(
            body,
            name,
            backend=self.backend,
            rootdir=str(self.folder / "submit"),
            max_sleep_interval=0.2,
        )
        try:
            result = submit_jobscript(jobscript, runner=self.runner)
        except (CommandError, ClusterjobError):
            self.refused += (
                1  # the answer was lost or junk: the client knows no job, so tracks none
            )
            return None
        job = TrackedJob(result, kind, name, gate)
        record = self._engine_job(job)
        assert record is not None, (
            f"get_job_id returned {result.job_id!r}, but the scheduler has no such job"
        )
        assert record.name == name, (
            f"get_job_id returned {result.job_id!r}, which is the scheduler's job {record.name!r}, "
            f"not the one just submitted ({name!r})"
        )
        self.tracked.append(job)
        return job

    @rule(job=jobs)
    def poll(self, job: TrackedJob | None) -> None:
        if job is None:
            return
        try:
            status = job.result.status
        except ClusterjobError:
            return  # a command kept failing: the run is unchanged, asked again later
        assert status in STATUS_CODES or status == UNKNOWN  # UNKNOWN: no state reported yet
        job.seen.append(status)
        self._check_answer(job, status, via_result=True)

    @rule(job=jobs)
    def poll_raw(self, job: TrackedJob | None) -> None:
        """The backend's own status command and parser, without AsyncResult's bookkeeping."""
        if job is None:
            return
        for finished in (False, True):
            try:
                out = self.runner.run(self.backend.cmd_status(job.result, finished=finished))
            except ClusterjobError:
                continue
            status = self.backend.get_status(out.stdout, finished=finished)
            assert status is None or status in STATUS_CODES
            self._check_answer(job, status)

    @rule()
    def poll_batched(self) -> None:
        """cmd_status_many/get_status_many (when the backend batches) agree with the scheduler."""
        live = [j for j in self.tracked if not is_finished(j.result.last_status)]
        if not live:
            return
        command = self.backend.cmd_status_many([j.result for j in live])
        if command is None:
            return
        try:
            out = self.runner.run(command)
        except ClusterjobError:
            return
        answers = self.backend.get_status_many(out.stdout, [j.result for j in live])
        for job in live:
            status = answers.get(job.result.job_id)
            assert status is None or status in STATUS_CODES
            self._check_answer(job, status)

    @rule(job=jobs)
    def cancel(self, job: TrackedJob | None) -> None:
        if job is None or is_finished(job.result.last_status):
            return
        job.cancelled = True
        try:
            job.result.cancel()
        except ClusterjobError:
            job.cancel_in_doubt = True

    @rule(job=jobs)
    def release(self, job: TrackedJob | None) -> None:
        if job is None or job.kind != "hold":
            return
        job.gate.touch()
        job.released = True

    @invariant()
    def finals_stick(self) -> None:
        for job in self.tracked:
            finals = [s for s in job.seen if is_finished(s)]
            assert len(set(finals)) <= 1, f"job {job.result.job_id} reported {finals}"

    def teardown(self) -> None:
        try:
            for gate in self.gates:  # untracked twins of lost answers hold cores too
                gate.touch()
            for job in self.tracked:
                job.released = job.released or not job.cancelled
            deadline = time.monotonic() + WAIT_TIMEOUT_S
            for job in self.tracked:
                remaining = max(1.0, deadline - time.monotonic())
                try:
                    final = job.result.get(timeout=remaining)
                except TimeoutError:
                    record = self._engine_job(job)
                    state = record.state if record is not None else "no such job"
                    raise AssertionError(
                        f"job {job.result.job_id} ({job.kind}) was lost: no final status within "
                        f"{WAIT_TIMEOUT_S:.0f} s (last {str_status(job.result.last_status)}, the "
                        f"scheduler holds it {state})"
                    ) from None
                record = self._engine_job(job)
                expected = self._expected(job, record)
                assert final in expected, (
                    f"job {job.result.job_id} ({job.kind}, cancelled={job.cancelled}, released="
                    f"{job.released}) ended {str_status(final)}, expected "
                    f"{' or '.join(str_status(e) for e in sorted(expected))}; the scheduler holds it "
                    f"{record.state if record is not None else 'nowhere'}"
                )
                self._check_answer(job, final, via_result=True)
        finally:
            self._cluster_cm.__exit__(None, None, None)

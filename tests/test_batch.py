"""refresh_statuses: one scheduler call per (backend, runner) and view, whatever the number of runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from clusterjob.backends import ClusterjobBackend
from clusterjob.batch import refresh_statuses
from clusterjob.result import MISMATCH_POLLS, AsyncResult
from clusterjob.runners import CommandOutput, RetryPolicy, Runner
from clusterjob.status import (
    CANCELLED,
    COMPLETED,
    FAILED,
    PENDING,
    RUNNING,
    STATUS_CODES,
    UNKNOWN,
)

NAMES = {name: code for code, name in STATUS_CODES.items()}


class NoBatchBackend(ClusterjobBackend):
    """Test-only backend without batching: `qstat ID` (running view), `qacct ID` (finished view)."""

    name = "nobatch"
    extension = ".sh"

    def cmd_submit(self, jobscript: Any) -> list[str]:
        return ["qsub", jobscript.script_filename]

    def get_job_id(self, response: str) -> str | None:
        return response.strip() or None

    def cmd_status(self, run: Any, finished: bool = False) -> list[str]:
        return ["qacct" if finished else "qstat", run.job_id]

    def get_status(self, response: str, finished: bool = False) -> int | None:
        words = response.split()
        return NAMES.get(words[1]) if len(words) == 2 else None

    def cmd_cancel(self, run: Any) -> list[str]:
        return ["qdel", run.job_id]

    def resource_headers(self, jobscript: Any) -> list[str]:
        return []

    def replace_body_vars(self, body: str) -> str:
        return body


class BatchBackend(NoBatchBackend):
    """The same scheduler, asked about many ids at once: `qstat ID...`, answered by lines 'ID STATE'."""

    name = "batch"

    def cmd_status_many(self, runs: Sequence[AsyncResult], finished: bool = False) -> list[str]:
        return ["qacct" if finished else "qstat", *(run.job_id for run in runs)]

    def get_status_many(
        self, response: str, runs: Sequence[AsyncResult], finished: bool = False
    ) -> dict[str, int | None]:
        answer: dict[str, int | None] = {}
        for line in response.splitlines():
            words = line.split()
            if len(words) == 2:
                answer[words[0]] = NAMES.get(words[1])
        return answer


class FakeCluster(Runner):
    """Answers qstat/qacct from two dicts {job_id: state name}; counts calls. Like squeue, one unknown
    id alone makes qstat exit 1 with an error; among several, unknown ids are left out silently."""

    kind = "fake-cluster-test"

    def __init__(
        self,
        running: Mapping[str, str] | None = None,
        finished: Mapping[str, str] | None = None,
        name: str = "c1",
    ) -> None:
        super().__init__(retry=RetryPolicy(attempts=1))
        self.running = dict(running or {})
        self.finished = dict(finished or {})
        self.name = name
        self.calls: list[list[str]] = []

    def _execute(self, argv: Sequence[str], **kwargs: Any) -> CommandOutput:
        self.calls.append(list(argv))
        program, ids = argv[0], argv[1:]
        table = self.running if program == "qstat" else self.finished
        known = [i for i in ids if i in table]
        if program == "qstat" and len(ids) == 1 and not known:
            return CommandOutput(tuple(argv), 1, "", "qstat: error: Invalid job id specified\n")
        return CommandOutput(tuple(argv), 0, "".join(f"{i} {table[i]}\n" for i in known), "")

    def write_file(self, path: str, text: str, mode: int = 0o755) -> None:
        raise NotImplementedError

    def _spec(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def _from_spec(cls, spec: Mapping[str, Any], **common: Any) -> FakeCluster:
        return cls(name=str(spec["name"]))

    def describe(self) -> str:
        return f"fake cluster {self.name}"


def make_runs(
    backend: ClusterjobBackend, runner: Runner, count: int, **kwargs: Any
) -> list[AsyncResult]:
    return [AsyncResult(backend, str(1000 + i), runner, **kwargs) for i in range(count)]


def test_a_thousand_running_jobs_cost_one_call() -> None:
    cluster = FakeCluster(running={str(1000 + i): "RUNNING" for i in range(1000)})
    runs = make_runs(BatchBackend(), cluster, 1000)
    statuses = refresh_statuses(runs)
    assert len(cluster.calls) == 1
    assert cluster.calls[0][0] == "qstat" and len(cluster.calls[0]) == 1001
    assert set(statuses.values()) == {RUNNING}
    assert all(run.last_status == RUNNING for run in runs)


def test_without_batching_each_job_costs_a_call() -> None:
    cluster = FakeCluster(running={str(1000 + i): "RUNNING" for i in range(1000)})
    runs = make_runs(NoBatchBackend(), cluster, 1000)
    statuses = refresh_statuses(runs)
    assert len(cluster.calls) == 1000
    assert set(statuses.values()) == {RUNNING}


def test_jobs_missing_from_the_running_view_are_asked_in_one_accounting_call() -> None:
    running = {"1000": "RUNNING", "1001": "PENDING", "1002": "RUNNING", "1003": "COMPLETED"}
    finished = {"1004": "COMPLETED", "1005": "FAILED", "1006": "CANCELLED", "1007": "COMPLETED"}
    cluster = FakeCluster(running, finished)
    runs = make_runs(BatchBackend(), cluster, 10)
    statuses = refresh_statuses(runs)
    assert [call[0] for call in cluster.calls] == ["qstat", "qacct"]
    assert sorted(cluster.calls[1][1:]) == ["1004", "1005", "1006", "1007", "1008", "1009"]
    assert statuses == {
        "1000": RUNNING,
        "1001": PENDING,
        "1002": RUNNING,
        "1003": COMPLETED,
        "1004": COMPLETED,
        "1005": FAILED,
        "1006": CANCELLED,
        "1007": COMPLETED,
        "1008": None,
        "1009": None,
    }
    assert runs[8].last_status == UNKNOWN and runs[8].unknown_count == 1  # never seen: no state


def test_a_single_unknown_id_is_not_an_error() -> None:
    """squeue -j ID exits 1 for one purged id; that is information (ask accounting), not a failure."""
    cluster = FakeCluster(finished={"1000": "COMPLETED"})
    runs = make_runs(BatchBackend(), cluster, 1)
    assert refresh_statuses(runs) == {"1000": COMPLETED}
    assert [call[0] for call in cluster.calls] == ["qstat", "qacct"]


def test_finished_runs_are_not_asked_again_and_epilogues_run_once(tmp_path: Path) -> None:
    counter = tmp_path / "epilogues"
    cluster = FakeCluster(running={str(1000 + i): "COMPLETED" for i in range(5)})
    runs = make_runs(BatchBackend(), cluster, 5, epilogue=f"echo x >> '{counter}'")
    refresh_statuses(runs)
    assert len(counter.read_text().splitlines()) == 5
    calls = len(cluster.calls)
    assert refresh_statuses(runs) == {run.job_id: COMPLETED for run in runs}
    assert len(cluster.calls) == calls
    assert len(counter.read_text().splitlines()) == 5


def test_one_call_per_backend_and_runner_group() -> None:
    states = {str(1000 + i): "RUNNING" for i in range(20)}
    first, second = FakeCluster(states, name="a"), FakeCluster(states, name="b")
    same_as_first = FakeCluster(states, name="a")  # same spec: the same cluster
    batch = BatchBackend()
    runs = (
        make_runs(batch, first, 10)
        + make_runs(batch, second, 10)
        + make_runs(batch, same_as_first, 5)
    )
    refresh_statuses(runs)
    assert len(first.calls) + len(same_as_first.calls) == 1
    assert len(second.calls) == 1


@given(
    st.lists(
        st.sampled_from(
            ["run:PENDING", "run:RUNNING", "run:COMPLETED", "acct:COMPLETED", "acct:FAILED", "gone"]
        ),
        max_size=60,
    )
)
def test_refresh_matches_what_the_scheduler_says_in_at_most_two_calls(fates: list[str]) -> None:
    running: dict[str, str] = {}
    finished: dict[str, str] = {}
    expected: dict[str, int | None] = {}
    for i, fate in enumerate(fates):
        job_id = str(1000 + i)
        view, _, state = fate.partition(":")
        if view == "run":
            running[job_id] = state
        elif view == "acct":
            finished[job_id] = state
        expected[job_id] = NAMES[state] if state else None
    cluster = FakeCluster(running, finished)
    runs = make_runs(BatchBackend(), cluster, len(fates))
    assert refresh_statuses(runs) == expected
    programs = [call[0] for call in cluster.calls]
    if not fates:
        assert programs == []
    elif all(fate.startswith("run:") for fate in fates):
        assert programs == ["qstat"]
    else:
        assert programs == ["qstat", "qacct"]
    for run in runs:
        assert run.last_status == (
            expected[run.job_id] if expected[run.job_id] is not None else UNKNOWN
        )


def test_answers_are_kept_in_the_cache(tmp_path: Path) -> None:
    cluster = FakeCluster(running={"1000": "RUNNING"})
    runs = make_runs(BatchBackend(), cluster, 1, cache_file=str(tmp_path / "c.json"))
    refresh_statuses(runs)
    loaded = AsyncResult.load(tmp_path / "c.json", backend=BatchBackend())
    assert loaded.last_status == RUNNING


class Garbled(FakeCluster):
    """A scheduler of another kind: its status command succeeds with text BatchBackend cannot read."""

    def _execute(self, argv: Sequence[str], **kwargs: Any) -> CommandOutput:
        self.calls.append(list(argv))
        return CommandOutput(tuple(argv), 0, "<Data><Job/></Data>\n", "")


def test_a_batched_answer_naming_no_run_counts_as_unreadable_for_each() -> None:
    runs = make_runs(BatchBackend(), Garbled(), 3)
    assert refresh_statuses(runs) == {run.job_id: None for run in runs}
    assert all(run.unreadable_count == 1 and run.last_status == UNKNOWN for run in runs)
    for _ in range(MISMATCH_POLLS - 1):
        refresh_statuses(runs)
    assert all(run.mismatched for run in runs)


def test_a_batched_answer_naming_some_runs_is_no_mismatch_for_the_others() -> None:
    cluster = FakeCluster(running={"1000": "RUNNING"})
    runs = make_runs(BatchBackend(), cluster, 2)
    refresh_statuses(runs)
    assert runs[0].last_status == RUNNING
    assert runs[1].last_status == UNKNOWN and runs[1].unreadable_count == 0

"""AsyncResult: polling stops once final, epilogue once, wait back-off, cancel, and the JSON cache."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import clusterjob.backends as backends_module
from clusterjob.backends import ClusterjobBackend
from clusterjob.errors import (
    CacheError,
    EpilogueWarning,
    JobLostError,
    SchedulerMismatchError,
    TransientCommandError,
    UnknownBackendError,
)
from clusterjob.result import (
    CACHE_FORMAT,
    CACHE_VERSION,
    MISMATCH_POLLS,
    AsyncResult,
    write_atomically,
)
from clusterjob.runners import CommandOutput, LocalRunner, RetryPolicy, Runner, SshRunner
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


class StatusBackend(ClusterjobBackend):
    """Test-only backend: `jobstat ID` answers a state name; `jobacct ID` is the finished view."""

    name = "statustest"
    extension = ".sh"

    def cmd_submit(self, jobscript: Any) -> list[str]:
        return ["jobsub", jobscript.script_filename]

    def get_job_id(self, response: str) -> str | None:
        return response.strip() or None

    def cmd_status(self, run: Any, finished: bool = False) -> list[str]:
        return ["jobacct" if finished else "jobstat", run.job_id]

    def get_status(self, response: str, finished: bool = False) -> int | None:
        return NAMES.get(response.strip())

    def cmd_cancel(self, run: Any) -> list[str]:
        return ["jobdel", run.job_id]

    def resource_headers(self, jobscript: Any) -> list[str]:
        return []

    def replace_body_vars(self, body: str) -> str:
        return body


class ScriptedRunner(Runner):
    """Answers commands from a script of (stdout, returncode) per program name; records every call."""

    kind = "scripted-test"

    def __init__(
        self, answers: Mapping[str, Sequence[str] | Callable[[], str]] | None = None
    ) -> None:
        super().__init__(retry=RetryPolicy(attempts=1))
        self.answers = {k: (v if callable(v) else list(v)) for k, v in (answers or {}).items()}
        self.calls: list[list[str]] = []

    def _execute(self, argv: Sequence[str], **kwargs: Any) -> CommandOutput:
        self.calls.append(list(argv))
        answer = self.answers.get(argv[0], [])
        if callable(answer):
            text = answer()
        else:
            text = answer.pop(0) if len(answer) > 1 else (answer[0] if answer else "")
        if text == "TRANSIENT":
            return CommandOutput(tuple(argv), 1, "", "Unable to contact slurm controller")
        return CommandOutput(tuple(argv), 0 if text else 1, text, "")

    def write_file(self, path: str, text: str, mode: int = 0o755) -> None:
        raise NotImplementedError

    def _spec(self) -> dict[str, Any]:
        return {}

    @classmethod
    def _from_spec(cls, spec: Mapping[str, Any], **common: Any) -> ScriptedRunner:
        return cls()

    def describe(self) -> str:
        return "scripted"

    def programs(self) -> list[str]:
        return [call[0] for call in self.calls]


BACKEND = StatusBackend()


def make(runner: Runner, **kwargs: Any) -> AsyncResult:
    return AsyncResult(BACKEND, "123", runner, **kwargs)


# ------------------------------------------------------------------------------------------ status


def test_status_stops_asking_once_final() -> None:
    runner = ScriptedRunner({"jobstat": ["PENDING", "RUNNING", "COMPLETED"]})
    result = make(runner)
    assert [result.status for _ in range(3)] == [PENDING, RUNNING, COMPLETED]
    for _ in range(5):
        assert result.status == COMPLETED
        assert result.ready()
    assert runner.programs() == ["jobstat"] * 3


def test_finished_view_is_asked_when_the_running_view_says_nothing() -> None:
    runner = ScriptedRunner({"jobstat": [""], "jobacct": ["FAILED"]})
    result = make(runner)
    assert result.status == FAILED
    assert runner.calls == [["jobstat", "123"], ["jobacct", "123"]]
    assert result.successful() is False


def test_unknown_answers_keep_the_last_status_and_are_counted() -> None:
    answers = iter(["RUNNING", "", "", ""])
    runner = ScriptedRunner({"jobstat": lambda: next(answers), "jobacct": [""]})
    result = make(runner)
    assert result.status == RUNNING
    assert result.unknown_count == 0
    assert result.status == RUNNING
    assert result.status == RUNNING
    assert result.unknown_count == 2
    assert runner.programs() == ["jobstat", "jobstat", "jobacct", "jobstat", "jobacct"]


def test_status_codes_outside_the_known_set_count_as_unknown() -> None:
    class Odd(StatusBackend):
        def get_status(self, response: str, finished: bool = False) -> int | None:
            return 17

    result = AsyncResult(Odd(), "1", ScriptedRunner({"jobstat": ["x"], "jobacct": ["x"]}))
    assert result.status == UNKNOWN  # no state established, and none invented
    assert result.unknown_count == 1


def test_successful_raises_before_the_end() -> None:
    result = make(ScriptedRunner({"jobstat": ["RUNNING"]}))
    with pytest.raises(ValueError, match="not finished"):
        result.successful()
    done = make(ScriptedRunner({"jobstat": ["COMPLETED"]}))
    assert done.successful() is True


def test_cancel_then_silence_means_cancelled() -> None:
    runner = ScriptedRunner({"jobstat": ["RUNNING", "", "", ""], "jobacct": ["", "", ""]})
    result = make(runner)
    assert result.status == RUNNING
    result.cancel()
    assert (
        result.last_status == RUNNING
    )  # one silent poll could be a garbled answer or lagging accounting
    assert result.status == RUNNING
    assert result.status == CANCELLED  # the third silent poll in a row
    assert runner.programs() == ["jobstat", "jobdel"] + ["jobstat", "jobacct"] * 3
    calls = len(runner.calls)
    result.cancel()  # a finished run is not cancelled again
    assert result.status == CANCELLED
    assert len(runner.calls) == calls


# ----------------------------------------------------------------------------------- lost jobs


class Clock:
    """A settable wall clock."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_job_the_scheduler_forgot_is_lost_after_time_and_polls() -> None:
    clock = Clock()
    runner = ScriptedRunner({"jobstat": ["RUNNING", ""], "jobacct": [""]})
    result = make(runner, lost_after=600, wall_clock=clock)
    assert result.status == RUNNING
    assert [result.status for _ in range(2)] == [RUNNING, RUNNING]
    assert result.unknown_since == clock.now and not result.lost  # 2 polls, no time
    clock.now += 3600
    assert not result.lost  # an hour, but only 2 polls: one more look first
    assert result.status == RUNNING
    assert result.lost
    with pytest.raises(JobLostError) as info:
        result.raise_if_lost()
    err = info.value
    assert (err.job_id, err.backend, err.last_status, err.silent_polls) == (
        "123",
        "statustest",
        "RUNNING",
        3,
    )
    assert "job 123 (statustest) is lost" in str(err) and "3600 s" in str(err)


def test_wait_and_get_give_up_on_a_lost_job_instead_of_waiting_forever() -> None:
    clock = Clock()
    runner = ScriptedRunner({"jobstat": [""], "jobacct": [""]})

    def sleep(seconds: float) -> None:
        clock.now += seconds

    result = make(runner, lost_after=120, wall_clock=clock, sleep=sleep, max_sleep_interval=30)
    with pytest.raises(JobLostError, match="is lost"):
        result.wait()  # no timeout: without the lost check this never returned
    assert clock.now - 1_000_000.0 >= 120
    with pytest.raises(JobLostError):
        result.get()
    assert result.last_status == UNKNOWN  # nothing invented: no state was ever reported


def test_an_answer_resets_the_lost_clock() -> None:
    clock = Clock()
    runner = ScriptedRunner({"jobstat": ["", "", "", "RUNNING", ""], "jobacct": [""]})
    result = make(runner, lost_after=60, wall_clock=clock)
    assert [result.status for _ in range(3)] == [UNKNOWN] * 3
    clock.now += 30
    assert result.status == RUNNING  # the scheduler knows it again
    assert (result.unknown_count, result.unknown_since) == (0, None)
    clock.now += 120
    assert result.status == RUNNING
    assert result.unknown_since == clock.now and not result.lost


def test_an_unreachable_scheduler_does_not_make_a_job_lost() -> None:
    clock = Clock()
    runner = ScriptedRunner({"jobstat": ["TRANSIENT"]})

    def sleep(seconds: float) -> None:
        clock.now += seconds

    result = make(
        runner, lost_after=10, wall_clock=clock, clock=clock, sleep=sleep, max_sleep_interval=5
    )
    result.wait(timeout=100)  # the wait ends by its timeout, not with JobLostError
    assert result.unknown_since is None and not result.lost
    assert isinstance(result.last_error, TransientCommandError)


def test_a_cancelled_job_is_never_lost() -> None:
    clock = Clock()
    runner = ScriptedRunner({"jobstat": ["RUNNING", ""], "jobacct": [""]})
    result = make(runner, lost_after=1, wall_clock=clock)
    assert result.status == RUNNING
    result.cancel()
    clock.now += 100
    assert result.status == RUNNING and not result.lost  # cancel() polled once already
    assert result.status == CANCELLED


def test_lost_state_survives_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    cache = tmp_path / "run.json"
    runner = ScriptedRunner({"jobstat": [""], "jobacct": [""]})
    result = make(runner, lost_after=300, wall_clock=clock, cache_file=str(cache))
    assert [result.status for _ in range(3)] == [UNKNOWN] * 3
    loaded = AsyncResult.load(cache, backend=BACKEND)
    assert (loaded.unknown_count, loaded.unknown_since, loaded.lost_after) == (3, clock.now, 300)
    data = json.loads(cache.read_text())
    del data["unknown_since"], data["lost_after"]  # a cache written before these fields existed
    cache.write_text(json.dumps(data))
    older = AsyncResult.load(cache, backend=BACKEND)
    assert (older.unknown_since, older.lost_after) == (None, 3600)


@pytest.mark.parametrize("bad", [0, -5, float("nan"), True, "10"])
def test_lost_after_must_be_positive_seconds(bad: object) -> None:
    with pytest.raises(ValueError, match="lost_after"):
        make(ScriptedRunner(), lost_after=bad)


def test_cancel_of_a_job_that_had_completed_keeps_completed() -> None:
    runner = ScriptedRunner({"jobstat": ["RUNNING", "", ""], "jobacct": ["garbage", "COMPLETED"]})
    result = make(runner)
    assert result.status == RUNNING
    result.cancel()
    assert result.status == COMPLETED


def test_cancel_then_still_running_polls_on() -> None:
    runner = ScriptedRunner({"jobstat": ["RUNNING", "CANCELLED"]})
    result = make(runner)
    result.cancel()
    assert result.last_status == RUNNING
    assert result.status == CANCELLED


# ------------------------------------------------------------------------------------------ epilogue


def test_epilogue_runs_exactly_once_even_across_dump_and_load(tmp_path: Path) -> None:
    counter = tmp_path / "epilogue-runs"
    cache = tmp_path / "run.json"
    fake = tmp_path / "jobstat"
    fake.write_text("#!/bin/bash\necho COMPLETED\n")
    fake.chmod(0o755)
    runner = LocalRunner(env={"PATH": f"{tmp_path}:{os.environ['PATH']}"})
    result = make(runner, epilogue=f"echo ran >> '{counter}'", cache_file=str(cache))
    assert result.status == COMPLETED
    assert result.status == COMPLETED
    assert counter.read_text() == "ran\n"
    assert json.loads(cache.read_text())["epilogue_done"] is True
    again = AsyncResult.load(cache, backend=BACKEND)
    assert again.status == COMPLETED
    assert again.get() == COMPLETED
    assert counter.read_text() == "ran\n"


def test_epilogue_pending_in_the_cache_runs_once_after_load_without_asking(tmp_path: Path) -> None:
    """A crash after the final status was saved but before the epilogue ran: the reload runs it."""
    counter = tmp_path / "epilogue-runs"
    cache = tmp_path / "run.json"
    make(
        LocalRunner(), status=FAILED, epilogue=f"echo ran >> '{counter}'", epilogue_done=False
    ).dump(cache)
    loaded = AsyncResult.load(cache, backend=BACKEND)
    recording = ScriptedRunner()
    loaded.runner = recording
    assert loaded.status == FAILED
    assert loaded.status == FAILED
    assert counter.read_text() == "ran\n"
    assert recording.calls == []
    assert AsyncResult.load(cache, backend=BACKEND).epilogue_done is True


def test_failing_epilogue_warns_and_still_counts_as_done() -> None:
    result = make(ScriptedRunner({"jobstat": ["COMPLETED"]}), epilogue="echo oops >&2; exit 3")
    with pytest.warns(EpilogueWarning, match="exited with code 3: oops"):
        assert result.status == COMPLETED
    assert result.epilogue_done
    assert result.epilogue_output is not None and result.epilogue_output.returncode == 3


# ------------------------------------------------------------------------------------------ wait / get


class FakeTime:
    """Injected clock and sleep: sleeping advances the clock; nothing really waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@given(polls=st.integers(0, 30), cap=st.sampled_from([0.5, 1, 3, 8, 60, 900]))
def test_wait_backs_off_exponentially_up_to_the_cap(polls: int, cap: float) -> None:
    answers = ["RUNNING"] * polls + ["COMPLETED"]
    time = FakeTime()
    runner = ScriptedRunner({"jobstat": answers})
    result = make(runner, max_sleep_interval=cap, sleep=time.sleep, clock=time.clock)
    result.wait()
    assert result.last_status == COMPLETED
    assert len(runner.calls) == polls + 1
    assert time.sleeps == [min(min(1.0, cap) * 2**i, cap) for i in range(polls)]


def test_get_with_timeout_raises_timeout_error_and_never_oversleeps() -> None:
    time = FakeTime()
    result = make(
        ScriptedRunner({"jobstat": ["RUNNING"]}),
        max_sleep_interval=4,
        sleep=time.sleep,
        clock=time.clock,
    )
    with pytest.raises(TimeoutError, match="did not finish within 10"):
        result.get(timeout=10)
    assert time.sleeps == [1, 2, 4, 3]
    assert result.last_status == RUNNING


def test_get_returns_the_final_status() -> None:
    time = FakeTime()
    result = make(
        ScriptedRunner({"jobstat": ["PENDING", "RUNNING", "FAILED"]}),
        sleep=time.sleep,
        clock=time.clock,
    )
    assert result.get() == FAILED
    assert time.sleeps == [1, 2]


def test_wait_survives_transient_failures() -> None:
    time = FakeTime()
    runner = ScriptedRunner({"jobstat": ["TRANSIENT", "TRANSIENT", "COMPLETED"]})
    result = make(runner, sleep=time.sleep, clock=time.clock)
    with pytest.raises(TransientCommandError):
        _ = result.status
    result.wait()
    assert result.last_status == COMPLETED
    assert isinstance(result.last_error, TransientCommandError)


# ------------------------------------------------------------------------------------------ JSON cache

TEXT = st.text(st.characters(codec="utf-8"))
RUNNERS = st.one_of(
    st.builds(
        LocalRunner,
        st.dictionaries(st.from_regex(r"\A[A-Z_][A-Z0-9_]{0,8}\Z"), TEXT, max_size=3),
        timeout=st.none() | st.floats(0.1, 1e5),
    ),
    st.builds(
        SshRunner,
        st.from_regex(r"\A[a-z][a-z0-9.@-]{0,15}\Z"),
        options=st.lists(TEXT, max_size=3),
        ssh_config=st.none() | TEXT,
    ),
)


@given(
    job_id=TEXT.filter(bool),
    runner=RUNNERS,
    workdir=TEXT,
    jobname=TEXT,
    epilogue=TEXT,
    interval=st.floats(1e-3, 1e6),
    submitted_at=st.none() | st.floats(0, 4e9),
    status=st.sampled_from(sorted(STATUS_CODES)),
    flags=st.tuples(st.booleans(), st.booleans()),
    unknown=st.integers(0, 10**6),
)
def test_dump_load_round_trip(
    job_id: str,
    runner: Runner,
    workdir: str,
    jobname: str,
    epilogue: str,
    interval: float,
    submitted_at: float | None,
    status: int,
    flags: tuple[bool, bool],
    unknown: int,
) -> None:
    result = AsyncResult(
        BACKEND,
        job_id,
        runner,
        workdir=workdir,
        jobname=jobname,
        epilogue=epilogue,
        max_sleep_interval=interval,
        submitted_at=submitted_at,
        status=status,
        epilogue_done=flags[0],
        cancel_requested=flags[1],
        unknown_count=unknown,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "cache.json")
        result.dump(path)
        loaded = AsyncResult.load(path, backend=BACKEND)
        assert loaded.to_dict() == result.to_dict()
        assert loaded.runner == runner
        assert loaded.cache_file == path
        assert loaded.backend_instance is BACKEND
        assert os.listdir(folder) == ["cache.json"]  # no temporary file left behind


def test_cache_file_is_private_and_marked(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "run.json"
    make(LocalRunner(), cache_file=str(path)).dump()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert (
        (data["format"], data["version"])
        == (CACHE_FORMAT, CACHE_VERSION)
        == ("clusterjob.AsyncResult", 1)
    )


def test_exclusive_atomic_write_never_replaces(tmp_path: Path) -> None:
    target = tmp_path / "marker"
    write_atomically(target, "first\n", exclusive=True)
    with pytest.raises(FileExistsError):
        write_atomically(target, "second\n", exclusive=True)
    assert target.read_text() == "first\n"
    write_atomically(target, "third\n")
    assert target.read_text() == "third\n"
    assert os.listdir(tmp_path) == ["marker"]


def test_dump_without_a_path_is_an_error() -> None:
    with pytest.raises(ValueError, match="no cache_file"):
        make(LocalRunner()).dump()


def good_cache(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "run.json"
    make(LocalRunner(), jobname="j").dump(path)
    return path, path.read_text()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: text[: len(text) // 2], "not valid JSON"),
        (lambda text: "", "empty"),
        (lambda text: "{not json", "not valid JSON"),
        (lambda text: json.dumps({"name": "package.json", "version": "1.0"}), "not a clusterjob"),
        (lambda text: json.dumps([1, 2, 3]), "not a clusterjob"),
        (lambda text: text.replace('"version": 1', '"version": 99'), "version 99"),
        (lambda text: text.replace('"status": -2', '"status": 7'), "'status'"),
        (lambda text: text.replace('"job_id": "123"', '"job_id": 123'), "'job_id'"),
        (lambda text: text.replace('"job_id": "123",', ""), "lacks the field 'job_id'"),
        (lambda text: text.replace('"type": "local"', '"type": "carrier-pigeon"'), "'runner'"),
        (
            lambda text: text.replace('"max_sleep_interval": 900', '"max_sleep_interval": -1'),
            "positive",
        ),
    ],
)
def test_bad_cache_files_raise_cache_error_naming_the_file(
    tmp_path: Path, damage: Callable[[str], str], message: str
) -> None:
    path, text = good_cache(tmp_path)
    path.write_text(damage(text))
    with pytest.raises(CacheError, match=message) as info:
        AsyncResult.load(path, backend=BACKEND)
    assert str(path) in str(info.value)


def test_non_utf8_and_missing_cache_files(tmp_path: Path) -> None:
    path = tmp_path / "binary.json"
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(CacheError, match="not valid JSON"):
        AsyncResult.load(path)
    with pytest.raises(CacheError, match="cannot read"):
        AsyncResult.load(tmp_path / "missing.json")


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry with only what a test registers (reference backends are not needed here)."""
    monkeypatch.setattr(backends_module, "_registry", {})
    monkeypatch.setattr(backends_module, "_defaults_loaded", True)


@pytest.mark.usefixtures("isolated_registry")
def test_load_looks_the_backend_up_by_name(tmp_path: Path) -> None:
    path, _ = good_cache(tmp_path)
    with pytest.raises(UnknownBackendError, match="statustest"):
        AsyncResult.load(path)
    backends_module.register_backend(BACKEND)
    loaded = AsyncResult.load(path)
    assert loaded.backend == "statustest"
    assert loaded.backend_instance is BACKEND


# ------------------------------------------------------------------------------------------ unknown


def test_a_run_is_unknown_until_the_scheduler_reports_a_state() -> None:
    runner = ScriptedRunner({"jobstat": ["", "PENDING"], "jobacct": [""]})
    result = make(runner)
    assert result.last_status == UNKNOWN and not result.established
    assert result.status == UNKNOWN  # no answer: not PENDING
    assert result.status == PENDING and result.established  # the scheduler said so


def test_cancel_of_an_id_never_seen_does_not_make_it_cancelled() -> None:
    runner = ScriptedRunner({"jobstat": [""], "jobacct": [""]})
    result = make(runner)
    result.cancel()
    assert [result.status for _ in range(6)] == [UNKNOWN] * 6
    seen = make(ScriptedRunner({"jobstat": ["RUNNING", ""], "jobacct": [""]}))
    assert seen.status == RUNNING
    seen.cancel()
    assert [seen.status for _ in range(2)] == [RUNNING, CANCELLED]  # a known job that vanished


def test_unreadable_answers_end_a_wait_with_a_mismatch_error() -> None:
    runner = ScriptedRunner({"jobstat": ["<Data><Job>...</Job></Data>"], "jobacct": [""]})
    result = make(runner, sleep=lambda s: None)
    with pytest.raises(SchedulerMismatchError) as info:
        result.wait()
    assert info.value.polls == MISMATCH_POLLS == result.unreadable_count
    assert "<Data><Job>" in str(info.value) and "'statustest' backend" in str(info.value)
    assert runner.programs().count("jobstat") == MISMATCH_POLLS


def test_an_empty_or_failed_answer_is_silence_not_a_mismatch() -> None:
    runner = ScriptedRunner({"jobstat": ["junk", "", "junk", "junk"], "jobacct": [""]})
    result = make(runner)
    for _ in range(4):
        assert result.status == UNKNOWN
    assert result.unreadable_count == 2 and not result.mismatched  # the silent poll broke the run
    assert make(ScriptedRunner({"jobstat": ["RUNNING"]}), unreadable_count=5).status == RUNNING


def test_cache_files_keep_unknown_apart_from_pending_and_old_files_load(tmp_path: Path) -> None:
    cache = tmp_path / "run.json"
    result = make(ScriptedRunner({"jobstat": [""], "jobacct": ["x"]}), cache_file=str(cache))
    assert result.status == UNKNOWN
    data = json.loads(cache.read_text())
    # older releases read "status" (one of the original codes); "status_seen" tells the truth
    assert (data["status"], data["status_seen"], data["unreadable_count"]) == (PENDING, False, 1)
    assert AsyncResult.load(cache, backend=BACKEND).last_status == UNKNOWN
    for status, expected in ((PENDING, UNKNOWN), (RUNNING, RUNNING), (COMPLETED, COMPLETED)):
        old = {**data, "status": status}
        del old["status_seen"], old["unreadable_count"]  # written before these fields existed
        cache.write_text(json.dumps(old))
        loaded = AsyncResult.load(cache, backend=BACKEND)
        assert loaded.last_status == expected and loaded.unreadable_count == 0
    cache.write_text(json.dumps({**data, "status": RUNNING, "status_seen": False}))
    with pytest.raises(CacheError, match="status_seen"):
        AsyncResult.load(cache, backend=BACKEND)

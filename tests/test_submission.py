"""submit_jobscript: end to end with a fake scheduler, locally and over a real sshd; restart safety."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterjob.backends import ClusterjobBackend
from clusterjob.errors import (
    CacheError,
    CommandError,
    InvalidResourceError,
    SubmissionError,
    SubmissionInDoubtError,
    TransientCommandError,
)
from clusterjob.jobscript import JobScript
from clusterjob.resources import normalize_resources
from clusterjob.result import AsyncResult
from clusterjob.runners import LocalRunner, RetryPolicy, SshRunner
from clusterjob.status import COMPLETED, STATUS_CODES
from clusterjob.submission import cache_paths, submit_jobscript

if TYPE_CHECKING:
    from tests.ssh_fixtures import SshServer

pytest_plugins = ("tests.ssh_fixtures",)

REPO = Path(__file__).resolve().parent.parent
NAMES = {name: code for code, name in STATUS_CODES.items()}


class FakeScheduler(ClusterjobBackend):
    """Test-only backend for the fake programs in `bin_dir` (fakesub, fakestat, fakedel)."""

    name = "fakesched"
    extension = ".sh"

    def __init__(self, bin_dir: str) -> None:
        self.bin_dir = bin_dir

    def cmd_submit(self, jobscript: Any) -> list[str]:
        return [os.path.join(self.bin_dir, "fakesub"), jobscript.script_filename]

    def get_job_id(self, response: str) -> str | None:
        match = re.search(r"Submitted batch job (\d+)", response)
        return match.group(1) if match else None

    def cmd_status(self, run: Any, finished: bool = False) -> list[str]:
        return [os.path.join(self.bin_dir, "fakestat"), run.job_id]

    def get_status(self, response: str, finished: bool = False) -> int | None:
        return NAMES.get(response.strip())

    def cmd_cancel(self, run: Any) -> list[str]:
        return [os.path.join(self.bin_dir, "fakedel"), run.job_id]

    def resource_headers(self, jobscript: Any) -> list[str]:
        normal = normalize_resources(jobscript.resources)
        return [f"#FAKE {key}={normal[key]}" for key in sorted(normal)]

    def replace_body_vars(self, body: str) -> str:
        return body.replace("$CLUSTERJOB_ID", "$FAKE_JOB_ID")


def fake_scheduler(folder: Path, before: str = "", after: str = "") -> Path:
    """Write fakesub/fakestat/fakedel into folder/bin; fakesub logs argv, cwd and a run count.

    It prints 'Submitted batch job N' with N = 41 + number of runs; `before` and `after` are bash lines run
    before and after that answer.
    """
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    log = shlex.quote(str(folder / "log"))
    (bin_dir / "fakesub").write_text(
        "#!/bin/bash\n"
        f"mkdir -p {log}\n"
        f"echo run >> {log}/count\n"
        f"n=$(wc -l < {log}/count)\n"
        f'printf "%s\\n" "$PWD" > {log}/cwd\n'
        f'printf "%s\\0" "$@" > {log}/argv\n'
        f"{before}\n"
        'echo "Submitted batch job $((41 + n))"\n'
        f"{after}\n"
    )
    (bin_dir / "fakestat").write_text("#!/bin/bash\necho COMPLETED\n")
    (bin_dir / "fakedel").write_text("#!/bin/bash\nexit 0\n")
    for program in bin_dir.iterdir():
        program.chmod(0o755)
    return bin_dir


def submissions(folder: Path) -> int:
    count = folder / "log" / "count"
    return len(count.read_text().splitlines()) if count.exists() else 0


def make_jobscript(folder: Path, **kwargs: Any) -> JobScript:
    """A small job for FakeScheduler, submitted from folder/'work dir', caching in folder/cache."""
    attributes: dict[str, Any] = {
        "backend": FakeScheduler(str(folder / "bin")),
        "rootdir": str(folder),
        "workdir": "work dir",
        "cache_folder": str(folder / "cache"),
        "nodes": 1,
        "time": "10:00",
    }
    attributes.update(kwargs)
    return JobScript("echo hello $CLUSTERJOB_ID\n", "myjob", **attributes)


def fast_runner() -> LocalRunner:
    return LocalRunner(retry=RetryPolicy(attempts=3, initial=0, max_delay=0), sleep=lambda s: None)


# ------------------------------------------------------------------------------------------ plain submission


def test_local_submission_end_to_end(tmp_path: Path) -> None:
    fake_scheduler(tmp_path)
    jobscript = make_jobscript(tmp_path, cache_folder=None)
    result = jobscript.submit()
    assert isinstance(result, AsyncResult)
    assert result.job_id == "42"
    script = tmp_path / "work dir" / "myjob.sh"
    assert script.read_text() == jobscript.render()
    assert "#FAKE nodes=1" in script.read_text() and "echo hello $FAKE_JOB_ID" in script.read_text()
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert (tmp_path / "log" / "cwd").read_text().strip() == str(tmp_path / "work dir")
    assert (tmp_path / "log" / "argv").read_text() == "myjob.sh\0"
    assert result.workdir == str(tmp_path / "work dir")
    assert result.jobname == "myjob"
    assert result.cache_file is None
    assert isinstance(result.runner, LocalRunner)
    assert result.runner.timeout == jobscript.submit_timeout
    assert result.status == COMPLETED
    assert submissions(tmp_path) == 1


def test_block_waits_for_the_end(tmp_path: Path) -> None:
    fake_scheduler(tmp_path)
    result = submit_jobscript(make_jobscript(tmp_path), block=True, cache_id="b")
    assert result.last_status == COMPLETED
    assert (
        AsyncResult.load(result.cache_file or "", backend=result.backend_instance).last_status
        == COMPLETED
    )


def test_no_job_id_raises_submission_error_with_the_output(tmp_path: Path) -> None:
    fake_scheduler(tmp_path, before="echo 'sbatch: error: invalid account' >&2; echo oops; exit 1")
    jobscript = make_jobscript(tmp_path)
    with pytest.raises(SubmissionError) as info:
        submit_jobscript(jobscript, cache_id="x")
    assert info.value.stdout == "oops\n"
    assert "invalid account" in info.value.stderr
    paths = cache_paths(str(tmp_path / "cache"), "clusterjob", "x")
    assert not any(os.path.exists(p) for p in (paths.cache, paths.marker, paths.response))
    with pytest.raises(SubmissionError):  # nothing in doubt: the next try submits again
        submit_jobscript(jobscript, cache_id="x")
    assert submissions(tmp_path) == 2


def test_prologue_runs_before_and_epilogue_is_kept_with_placeholders(tmp_path: Path) -> None:
    fake_scheduler(tmp_path)
    marker = tmp_path / "prologue-ran"
    jobscript = make_jobscript(
        tmp_path,
        prologue=f"test ! -e {tmp_path}/log/count && echo '{{jobname}} {{workdir}}' > {marker}",
        epilogue="echo {jobname} finished",
    )
    result = jobscript.submit()
    assert marker.read_text() == "myjob work dir\n"
    assert result.epilogue == "echo myjob finished"


def test_failing_prologue_submits_nothing(tmp_path: Path) -> None:
    fake_scheduler(tmp_path)
    with pytest.raises(CommandError, match="prologue failed"):
        make_jobscript(tmp_path, prologue="echo no >&2; exit 3").submit(cache_id="p")
    assert submissions(tmp_path) == 0
    assert not (tmp_path / "cache" / "clusterjob.p.json.submitting").exists()


def test_invalid_resources_submit_nothing(tmp_path: Path) -> None:
    fake_scheduler(tmp_path)
    with pytest.raises(InvalidResourceError):
        make_jobscript(tmp_path, nodes=0).submit(cache_id="r")
    assert submissions(tmp_path) == 0


def test_transient_failure_of_the_submit_command_is_retried(tmp_path: Path) -> None:
    fake_scheduler(
        tmp_path,
        before='if [ "$n" -le 1 ]; then echo "sbatch: error: Unable to contact slurm controller" >&2; exit 1; fi',
    )
    result = submit_jobscript(make_jobscript(tmp_path), cache_id="t", runner=fast_runner())
    assert result.job_id == "43"
    assert submissions(tmp_path) == 2
    fake_scheduler(tmp_path, before="echo 'Unable to contact slurm controller' >&2; exit 1")
    with pytest.raises(TransientCommandError):
        submit_jobscript(make_jobscript(tmp_path), cache_id="u", runner=fast_runner(), retry=False)
    assert submissions(tmp_path) == 3
    assert not (tmp_path / "cache" / "clusterjob.u.json.submitting").exists()


def test_submit_timeout_is_never_retried_and_leaves_the_run_in_doubt(tmp_path: Path) -> None:
    fake_scheduler(tmp_path, before="sleep 60")
    jobscript = make_jobscript(tmp_path, submit_timeout=1)
    with pytest.raises(SubmissionInDoubtError, match="timed out"):
        submit_jobscript(
            jobscript, cache_id="slow", runner=LocalRunner(timeout=1, sleep=lambda s: None)
        )
    assert submissions(tmp_path) == 1
    with pytest.raises(SubmissionInDoubtError):
        submit_jobscript(jobscript, cache_id="slow")
    assert submissions(tmp_path) == 1


def test_submit_command_that_answers_then_hangs_still_gives_the_job(tmp_path: Path) -> None:
    fake_scheduler(tmp_path, after="sleep 60")
    result = submit_jobscript(
        make_jobscript(tmp_path),
        cache_id="hang",
        runner=LocalRunner(timeout=1, sleep=lambda s: None),
    )
    assert result.job_id == "42"
    assert submissions(tmp_path) == 1
    assert sorted(os.listdir(tmp_path / "cache")) == ["clusterjob.hang.json"]


# ------------------------------------------------------------------------------------------ caching


def test_cached_run_is_returned_without_submitting(tmp_path: Path) -> None:
    fake_scheduler(tmp_path)
    jobscript = make_jobscript(tmp_path)
    first = jobscript.submit(cache_id="run1")
    cache = tmp_path / "cache" / "clusterjob.run1.json"
    assert first.cache_file == str(cache)
    assert json.loads(cache.read_text())["job_id"] == "42"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert sorted(p.name for p in cache.parent.iterdir()) == ["clusterjob.run1.json"]
    second = jobscript.submit(cache_id="run1")
    assert second.job_id == "42"
    assert submissions(tmp_path) == 1
    third = jobscript.submit(cache_id="run1", force=True)
    assert third.job_id == "43"
    assert submissions(tmp_path) == 2
    assert json.loads(cache.read_text())["job_id"] == "43"


@given(cache_id=st.text(st.characters(codec="utf-8"), min_size=1, max_size=30))
def test_any_plain_cache_id_caches_inside_the_folder(cache_id: str) -> None:
    bad = "/" in cache_id or "\\" in cache_id or "\x00" in cache_id or cache_id in (".", "..")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        fake_scheduler(folder)
        jobscript = make_jobscript(folder)
        if bad:
            with pytest.raises(InvalidResourceError):
                jobscript.submit(cache_id=cache_id)
            return
        first = jobscript.submit(cache_id=cache_id)
        assert Path(first.cache_file or "").parent == folder / "cache"
        assert jobscript.submit(cache_id=cache_id).job_id == first.job_id
        assert submissions(folder) == 1


@pytest.mark.parametrize("cache_id", ["", "a/b", "../x", "a\x00b", ".", "..", "a\\b", 7])
def test_bad_cache_ids_are_rejected(tmp_path: Path, cache_id: Any) -> None:
    with pytest.raises(InvalidResourceError, match="cache_id"):
        make_jobscript(tmp_path).submit(cache_id=cache_id)


def test_cache_id_without_cache_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidResourceError, match="needs a cache_folder"):
        make_jobscript(tmp_path, cache_folder=None).submit(cache_id="a")


def test_corrupt_cache_is_reported_and_force_replaces_it(tmp_path: Path) -> None:
    fake_scheduler(tmp_path)
    cache = tmp_path / "cache" / "clusterjob.c.json"
    cache.parent.mkdir()
    cache.write_text('{"format": "clusterjob.AsyncResult", "vers')
    with pytest.raises(CacheError, match="force=True"):
        make_jobscript(tmp_path).submit(cache_id="c")
    assert make_jobscript(tmp_path).submit(cache_id="c", force=True).job_id == "42"


# ------------------------------------------------------------------------------------------ restart safety

CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.test_submission import make_jobscript
make_jobscript(Path({folder!r})).submit(cache_id="crash")
print("the submitting process survived", flush=True)
"""


def test_process_killed_after_the_scheduler_answered_never_submits_twice(tmp_path: Path) -> None:
    fake_scheduler(tmp_path, after="kill -9 $PPID")
    child = subprocess.run(
        [sys.executable, "-c", CHILD.format(repo=str(REPO), folder=str(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == -9, child.stderr
    assert "survived" not in child.stdout
    paths = cache_paths(str(tmp_path / "cache"), "clusterjob", "crash")
    assert os.path.exists(paths.marker)
    assert not os.path.exists(paths.cache)
    assert "Submitted batch job 42" in Path(paths.response).read_text()

    fake_scheduler(tmp_path)  # the same scheduler, minus the kill
    result = make_jobscript(tmp_path).submit(cache_id="crash")
    assert result.job_id == "42"
    assert submissions(tmp_path) == 1
    assert sorted(os.listdir(tmp_path / "cache")) == ["clusterjob.crash.json"]
    assert make_jobscript(tmp_path).submit(cache_id="crash").job_id == "42"
    assert submissions(tmp_path) == 1


def test_marker_without_an_answer_is_in_doubt_until_forced(tmp_path: Path) -> None:
    fake_scheduler(tmp_path)
    paths = cache_paths(str(tmp_path / "cache"), "clusterjob", "doubt")
    os.makedirs(tmp_path / "cache")
    Path(paths.marker).write_text(json.dumps({"pid": 4242, "host": "login1", "started_at": 0}))
    jobscript = make_jobscript(tmp_path)
    with pytest.raises(SubmissionInDoubtError) as info:
        jobscript.submit(cache_id="doubt")
    message = str(info.value)
    assert "force=True" in message and "check the scheduler" in message.lower()
    assert "process 4242 on login1" in message and "no answer" in message
    assert isinstance(info.value, CacheError)
    Path(paths.response).write_text("sbatch: error: something else\n")
    with pytest.raises(SubmissionInDoubtError, match="holds no job id"):
        jobscript.submit(cache_id="doubt")
    assert submissions(tmp_path) == 0
    result = jobscript.submit(cache_id="doubt", force=True)
    assert result.job_id == "42"
    assert submissions(tmp_path) == 1
    assert not os.path.exists(paths.marker) and not os.path.exists(paths.response)


def test_two_processes_submitting_the_same_cache_id_at_once_cannot_both_submit(
    tmp_path: Path,
) -> None:
    """The other process's marker appears between our cache check and our marker (via the prologue)."""
    fake_scheduler(tmp_path)
    paths = cache_paths(str(tmp_path / "cache"), "clusterjob", "race")
    prologue = f"mkdir -p {shlex.quote(str(tmp_path / 'cache'))} && echo '{{}}' > {shlex.quote(paths.marker)}"
    with pytest.raises(SubmissionInDoubtError, match="at the same time"):
        make_jobscript(tmp_path, prologue=prologue).submit(cache_id="race")
    assert submissions(tmp_path) == 0
    assert Path(paths.marker).read_text() == "{}\n"


def test_marker_with_an_answer_recovers_the_job(tmp_path: Path) -> None:
    fake_scheduler(tmp_path)
    paths = cache_paths(str(tmp_path / "cache"), "clusterjob", "rec")
    os.makedirs(tmp_path / "cache")
    Path(paths.marker).write_text("not even json")
    Path(paths.response).write_text("Submitted batch job 777\n")
    result = make_jobscript(tmp_path).submit(cache_id="rec")
    assert result.job_id == "777"
    assert submissions(tmp_path) == 0
    assert AsyncResult.load(paths.cache, backend=result.backend_instance).job_id == "777"


# ------------------------------------------------------------------------------------------ over ssh


@pytest.mark.ssh
def test_submission_over_a_real_ssh_connection(ssh_server: SshServer) -> None:
    with tempfile.TemporaryDirectory(prefix="cj remote ") as name:
        folder = Path(name)
        fake_scheduler(folder)
        jobscript = make_jobscript(
            folder,
            remote=ssh_server.alias,
            ssh=f"ssh -F {shlex.quote(ssh_server.config)}",
            workdir="remote work;$(x)",
        )
        result = jobscript.submit(cache_id="over-ssh")
        assert result.job_id == "42"
        assert isinstance(result.runner, SshRunner)
        assert result.runner.host == "cjtest"
        script = folder / "remote work;$(x)" / "myjob.sh"
        assert script.read_text() == jobscript.render()
        assert (folder / "log" / "cwd").read_text().strip() == str(script.parent)
        assert (folder / "log" / "argv").read_text() == "myjob.sh\0"
        assert result.status == COMPLETED
        again = jobscript.submit(cache_id="over-ssh")
        assert again.job_id == "42"
        assert isinstance(again.runner, SshRunner) and again.runner == result.runner
        assert submissions(folder) == 1

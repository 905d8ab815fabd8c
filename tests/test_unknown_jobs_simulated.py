"""Never tell a user something false: a job id the scheduler never knew is UNKNOWN (its own word and exit
code), never PENDING; cancel() does not turn it into CANCELLED; answers a backend cannot read (a backend
for another scheduler) end a wait with SchedulerMismatchError within a few polls. On every simulator."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from clusterjob_sim.pytest_fixtures import SimCluster, sim_cluster  # noqa: F401  (fixture)

from clusterjob.backends import get_backend
from clusterjob.backends.pbs import PbsBackend
from clusterjob.backends.pbspro import PbsProBackend
from clusterjob.batch import refresh_statuses
from clusterjob.cli import EXIT_UNKNOWN
from clusterjob.cli import main as cli_main
from clusterjob.errors import JobLostError, SchedulerMismatchError
from clusterjob.jobscript import JobScript
from clusterjob.result import MISMATCH_POLLS, AsyncResult
from clusterjob.runners import LocalRunner
from clusterjob.status import COMPLETED, PENDING, UNKNOWN

SCHEDULERS = {"slurm": "slurm", "pbs": "torque", "pbspro": "pbspro", "lsf": "lsf", "sge": "sge"}
"""backend name -> the simulator it speaks to."""

NEVER_SEEN = {
    "slurm": "987654",
    "pbs": "987654.simserver",
    "pbspro": "987654.simserver",
    "lsf": "987654",
    "sge": "987654",
}
"""A job id of each scheduler's form that the fresh simulated cluster (first id pinned low) never handed
out."""


@pytest.fixture(params=sorted(SCHEDULERS))
def backend_on_its_simulator(
    request: pytest.FixtureRequest,
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
) -> tuple[str, SimCluster]:
    name = str(request.param)
    return name, sim_cluster(SCHEDULERS[name], first_job_id=1000)


def test_status_of_a_never_seen_job_id_is_unknown_with_its_own_exit_code(
    backend_on_its_simulator: tuple[str, SimCluster], capsys: pytest.CaptureFixture[str]
) -> None:
    name, _ = backend_on_its_simulator
    code = cli_main(["status", "--job-id", NEVER_SEEN[name], "-b", name])
    out, err = capsys.readouterr()
    assert (out, code) == ("UNKNOWN\n", EXIT_UNKNOWN), err
    assert EXIT_UNKNOWN not in (0, 2)  # 0: a state; 2: a usage error
    assert "Traceback" not in err


def test_library_status_cancel_and_batch_refresh_never_invent_a_state(
    backend_on_its_simulator: tuple[str, SimCluster],
) -> None:
    name, _ = backend_on_its_simulator
    result = AsyncResult(get_backend(name), NEVER_SEEN[name], LocalRunner())
    assert not result.established
    assert result.status == UNKNOWN
    result.cancel()  # the scheduler refuses to cancel an id it does not know
    for _ in range(
        5
    ):  # more than SILENT_POLLS_MEAN_CANCELLED: silence after cancel() is not CANCELLED
        assert result.status == UNKNOWN
    assert not result.established and result.cancel_requested
    other = AsyncResult(get_backend(name), NEVER_SEEN[name], LocalRunner())
    assert refresh_statuses([other]) == {NEVER_SEEN[name]: None}
    assert other.last_status == UNKNOWN


def test_a_never_seen_job_after_cancel_still_ends_a_wait_as_lost(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
) -> None:
    sim_cluster("slurm", first_job_id=1000)
    result = AsyncResult("slurm", NEVER_SEEN["slurm"], LocalRunner(), lost_after=0.1)
    result.cancel()
    with pytest.raises(JobLostError, match="never reported a state"):
        result.wait()  # would wait forever if a cancel request exempted an unseen id from "lost"


def test_a_known_job_is_established_and_cached_as_seen(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    sim_cluster("slurm")
    job = JobScript(
        "echo ok\n", "seen", backend="slurm", rootdir=str(tmp_path), workdir="run",
        cache_folder=str(tmp_path / "cache"), max_sleep_interval=0.2,
    )  # fmt: skip
    result = job.submit(cache_id="seen")
    assert result.get(timeout=60) == COMPLETED
    data = json.loads(Path(result.cache_file or "").read_text())
    assert (data["status"], data["status_seen"]) == (COMPLETED, True)


def pbs_job(tmp_path: Path, backend: object, name: str) -> JobScript:
    return JobScript(
        "echo done\n",
        name,
        backend=backend,
        rootdir=str(tmp_path),
        workdir="run",
        cache_folder=str(tmp_path / "cache"),
        max_sleep_interval=0.2,
    )


def test_pbspro_backend_on_torque_ends_with_a_mismatch_error_not_pending_forever(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The issue's case: Torque's `qstat -f` says job_state = C and `qstat -fx` is Torque's XML (its -x),
    neither of which PBS Pro prints (Torque 6.1.3 source, src/cmds/qstat.c: -x is XML output)."""
    cluster = sim_cluster("torque")
    result = pbs_job(tmp_path, PbsProBackend(), "mismatch").submit(cache_id="mismatch")
    cluster.wait_for(lambda: PbsBackend().get_status(cluster.run(["qstat", "-f", result.job_id]).stdout) == COMPLETED)  # fmt: skip
    with pytest.raises(SchedulerMismatchError) as info:
        result.get(timeout=120)  # before: PENDING until the time-out (or forever without one)
    err = info.value
    assert err.backend == "pbspro" and err.job_id == result.job_id
    assert err.polls == MISMATCH_POLLS
    assert f"Job Id: {result.job_id}" in err.answer and f"Job Id: {result.job_id}" in str(err)
    assert "'pbspro' backend cannot read" in str(err)
    assert result.last_status != COMPLETED  # nothing invented either way

    code = cli_main(
        ["status", result.cache_file or ""]
    )  # the cache kept the count: one line, exit 2
    out, errtext = capsys.readouterr()
    assert code == 2 and out == ""
    assert errtext.count("\n") == 1 and errtext.startswith(
        "clusterjob: error: the 'pbspro' backend"
    )


def test_cli_status_by_id_with_the_wrong_backend_says_the_answer_is_unreadable(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster = sim_cluster("torque")
    result = pbs_job(tmp_path, PbsBackend(), "torquejob").submit()
    assert result.get(timeout=60) == COMPLETED
    code = cli_main(["status", "--job-id", result.job_id, "-b", "pbspro"])
    out, err = capsys.readouterr()
    assert (out, code) == ("UNKNOWN\n", EXIT_UNKNOWN)
    assert "'pbspro' backend could not read the scheduler's answer" in err
    assert cluster.run(["qstat", "-f", result.job_id]).returncode == 0


def test_pbs_backend_on_pbspro_reads_it_well_enough_and_is_no_mismatch(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    """The other PBS cross pair: Torque's `qstat -f` parser reads PBS Pro's running view (same layout);
    a finished PBS Pro job leaves `qstat -f` with an error (no -x), which is silence, not an unreadable
    answer -- so no false mismatch is raised while the job runs."""
    sim_cluster("pbspro")
    result = pbs_job(tmp_path, PbsBackend(), "crossjob").submit()
    for _ in range(MISMATCH_POLLS + 1):
        _ = result.status
        assert result.unreadable_count == 0


def test_status_of_a_folder_without_a_scheduler_says_nothing_was_asked(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim_cluster("slurm")
    done = pbs_job(tmp_path, "slurm", "done").submit(cache_id="done")
    assert done.get(timeout=60) == COMPLETED
    held = JobScript(
        "true\n", "held", backend="slurm", rootdir=str(tmp_path), workdir="run",
        cache_folder=str(tmp_path / "cache"), hold=True,
    ).submit(cache_id="held")  # fmt: skip
    assert held.status == PENDING  # established once
    never = AsyncResult("slurm", NEVER_SEEN["slurm"], LocalRunner())
    never.dump(tmp_path / "cache" / "clusterjob.never.json")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no scheduler reachable
    assert cli_main(["status", str(tmp_path / "cache")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"COMPLETED  {done.job_id:<12} ")  # final: nothing to ask
    assert out[1].startswith(f"PENDING    {held.job_id:<12} ") and "not asked" in out[1]
    assert out[2].startswith(f"UNKNOWN    {NEVER_SEEN['slurm']:<12} ") and "not asked" in out[2]
    assert out[3].startswith("NOT ASKED") and "3 run(s) above" in out[3]
    assert out[-1] == "3 runs: 1 COMPLETED, 1 PENDING, 1 UNKNOWN, scheduler not asked"


def test_the_issue_command_as_a_user_types_it(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
) -> None:
    """`clusterjob status --job-id 999 -b slurm` for a job never submitted (it printed PENDING, exit 0)."""
    cluster = sim_cluster("slurm")
    out = subprocess.run(
        [sys.executable, "-m", "clusterjob", "status", "--job-id", "999", "-b", "slurm"],
        capture_output=True, text=True, env=cluster.env, timeout=120,
    )  # fmt: skip
    assert (out.stdout, out.returncode) == ("UNKNOWN\n", 3), out.stderr
    assert out.stderr == ""


def test_submit_wait_with_the_pbspro_backend_on_torque_ends_with_one_line(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    """The issue's `--wait` that hung: it ends after MISMATCH_POLLS polls (about 15 s of back-off)."""
    cluster = sim_cluster("torque")
    body = tmp_path / "job.sh"
    body.write_text("echo done\n")
    out = subprocess.run(
        [sys.executable, "-m", "clusterjob", "submit", str(body), "-b", "pbspro", "--wait"],
        capture_output=True, text=True, env=cluster.env, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    # exit 2, as `clusterjob status` for the same mismatch: the backend does not fit the scheduler
    assert out.returncode == 2 and out.stdout.strip().endswith(".simserver"), out.stderr
    assert out.stderr.count("\n") == 1, out.stderr  # one line, no traceback
    assert out.stderr.startswith("clusterjob: error: the 'pbspro' backend cannot read")

"""PSI/J's `lsf` executor, unchanged from PyPI, against the simulated LSF.

PSI/J submits `bsub FILE` (no redirection) with #BSUB lines in FILE, among them `-nnodes` and `-env`: it is
written for Summit/Lassen-type sites, where lsf.conf sets LSB_BSUB_PARSE_SCRIPT=Y and LSF runs with IBM CSM
(easy mode -nnodes). So the cluster here is such a site (bsub_parse_script=Y, csm=Y); on an LSF with its own
defaults the same submission runs the non-executable FILE as a command and fails (last test). It polls with
`bjobs -o "JOBID STAT EXIT_REASON KILL_REASON SUSPEND_REASON" -json -a ID...`.

Where PSI/J misjudges the real LSF too, the test asserts what PSI/J does and says why:
- its parser reads `entry["reason"]` when EXIT_REASON, KILL_REASON or SUSPEND_REASON is non-empty; real bjobs
  -json writes only the requested field names (IBM bjobs -json), so a killed job (EXIT_REASON "TERM_OWNER: job
  killed by owner") makes every poll fail with KeyError and the job never reaches a final state in PSI/J;
- its script sets PSIJ_NODEFILE="$LSB_HOSTS", but LSB_HOSTS is the list of hosts itself (one name per slot,
  IBM "Environment variables set for job execution"), not a file: a job reading the nodefile fails.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

psij = pytest.importorskip("psij")
from psij.executors.batch.lsf import LsfExecutorConfig  # noqa: E402

SUMMIT_LIKE = {"nodes": 2, "cores_per_node": 2, "bsub_parse_script": "Y", "csm": "Y"}


def lsf_site(cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The activated cluster has its lsf.conf under LSF_ENVDIR (activate.py through the package hooks)."""
    from clusterjob_sim import lsf

    assert os.environ["LSF_ENVDIR"] == lsf.conf_dir(str(cluster.spool))
    assert os.path.exists(os.path.join(lsf.conf_dir(str(cluster.spool)), "lsf.conf"))


@pytest.fixture
def lsf_executor(
    client_cluster: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., tuple[Any, Any]]:
    """Factory: (cluster, PSI/J lsf executor polling every second) for a cluster config."""

    def make(**config: Any) -> tuple[Any, Any]:
        cluster = client_cluster("lsf", **config)
        lsf_site(cluster, monkeypatch)
        executor = psij.JobExecutor.get_instance(
            "lsf",
            config=LsfExecutorConfig(
                work_directory=tmp_path / "psij-work",
                queue_polling_interval=1,
                initial_queue_polling_delay=0,
            ),
        )
        return cluster, executor

    return make


def final(job: Any) -> Any:
    """Wait (bounded) for a final state."""
    import datetime

    status = job.wait(timeout=datetime.timedelta(seconds=60))
    assert status is not None, f"job {job.native_id} did not end: {job.status}"
    return status


def test_psij_lsf_completes_with_output_and_fails(
    lsf_executor: Callable[..., tuple[Any, Any]], tmp_path: Path
) -> None:
    cluster, ex = lsf_executor(**SUMMIT_LIKE)
    out = tmp_path / "out.txt"
    ok = psij.Job(psij.JobSpec(executable="/bin/echo", arguments=["hello"], stdout_path=out))
    ex.submit(ok)
    bad = psij.Job(psij.JobSpec(executable="/bin/false"))
    ex.submit(bad)
    assert final(ok).state == psij.JobState.COMPLETED
    assert out.read_text() == "hello\n"
    status = final(bad)
    assert (status.state, status.exit_code) == (psij.JobState.FAILED, 1)
    issued = cluster.issued()
    assert any(line.startswith("bsub /") for line in issued)
    polls = cluster.answers("bjobs")
    fmt = "JOBID STAT EXIT_REASON KILL_REASON SUSPEND_REASON"
    assert polls and all(a["argv"][:4] == ["-o", fmt, "-json", "-a"] for a in polls)
    assert all(json.loads(a["stdout"])["COMMAND"] == "bjobs" for a in polls if a["rc"] == 0)


def test_psij_lsf_environment(lsf_executor: Callable[..., tuple[Any, Any]], tmp_path: Path) -> None:
    _, ex = lsf_executor(**SUMMIT_LIKE)
    out = tmp_path / "env.txt"
    spec = psij.JobSpec(
        executable="/bin/sh",
        arguments=["-c", 'echo "FOO=$FOO"'],
        environment={"FOO": "bar baz"},
        stdout_path=out,
    )
    job = psij.Job(spec)
    ex.submit(job)
    assert final(job).state == psij.JobState.COMPLETED
    assert out.read_text() == "FOO=bar baz\n"


def test_psij_lsf_multi_node_spec_and_nodefile(
    lsf_executor: Callable[..., tuple[Any, Any]], tmp_path: Path
) -> None:
    cluster, ex = lsf_executor(**SUMMIT_LIKE)
    out = tmp_path / "nodes.txt"
    spec = psij.JobSpec(
        executable="/bin/sh",
        arguments=["-c", 'echo "NODEFILE=$PSIJ_NODEFILE"; cat "$PSIJ_NODEFILE"'],
        stdout_path=out,
        resources=psij.ResourceSpecV1(node_count=2, processes_per_node=1),
    )
    job = psij.Job(spec)
    ex.submit(job)
    status = final(job)
    # #BSUB -nnodes 2 / -n 2: one slot on each of two whole nodes
    assert out.read_text().splitlines()[0] == "NODEFILE=node01 node02"
    # PSI/J's PSIJ_NODEFILE="$LSB_HOSTS" is a host list, not a file: `cat` fails on real LSF as here
    assert (status.state, status.exit_code) == (psij.JobState.FAILED, 1)
    [record] = [j for j in cluster.engine.jobs() if str(j.job_id) == job.native_id]
    assert (record.nodes, record.exclusive) == (2, 1)


def test_psij_lsf_cancel_never_ends_in_psij(
    lsf_executor: Callable[..., tuple[Any, Any]], tmp_path: Path
) -> None:
    cluster, ex = lsf_executor(**SUMMIT_LIKE)
    job = psij.Job(psij.JobSpec(executable="/bin/sleep", arguments=["600"]))
    ex.submit(job)
    import datetime

    assert job.wait(timeout=datetime.timedelta(seconds=60), target_states=[psij.JobState.ACTIVE])
    job.cancel()
    assert any(line.startswith(f"bkill {job.native_id}") for line in cluster.issued())

    def polled_exit() -> bool:
        for answer in cluster.answers("bjobs"):
            if answer["rc"] == 0 and '"TERM_OWNER: job killed by owner"' in answer["stdout"]:
                return True
        return False

    deadline = time.monotonic() + 60
    while not polled_exit():
        assert time.monotonic() < deadline, "PSI/J never polled the killed job"
        time.sleep(0.2)
    # bjobs answered EXIT with EXIT_REASON "TERM_OWNER: job killed by owner"; PSI/J then reads the key
    # "reason", which real LSF never writes, fails the poll and keeps the job in its last state.
    assert not job.status.state.final
    record = next(a for a in cluster.answers("bjobs") if "TERM_OWNER" in a["stdout"])
    [entry] = [r for r in json.loads(record["stdout"])["RECORDS"] if r["JOBID"] == job.native_id]
    assert entry["STAT"] == "EXIT" and "reason" not in entry


def test_psij_lsf_on_a_default_lsf_site_runs_the_script_as_a_command(
    lsf_executor: Callable[..., tuple[Any, Any]],
) -> None:
    cluster, ex = lsf_executor(nodes=1, cores_per_node=2)  # LSB_BSUB_PARSE_SCRIPT=N: LSF's default
    job = psij.Job(psij.JobSpec(executable="/bin/true"))
    ex.submit(job)
    status = final(job)
    # bsub FILE runs FILE, which PSI/J writes without the execute bit: the shell cannot run it, and its
    # #BSUB lines (and the exit-code file they lead to) never happen
    assert status.state == psij.JobState.FAILED
    [record] = cluster.engine.jobs()
    assert record.exit_code == 126

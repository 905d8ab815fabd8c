"""The library and the conformance suite against real Slurm, Grid Engine, Torque and OpenPBS in containers, over
real ssh: the way users reach a cluster (a login node over ssh, a shared file system)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from clusterjob.jobscript import JobScript
from clusterjob.result import AsyncResult
from clusterjob.runners import SshRunner
from clusterjob.status import CANCELLED, COMPLETED, FAILED, RUNNING
from tests.containers.conftest import ContainerCluster


def remote_job(
    cluster: ContainerCluster,
    folder: Path,
    body: str,
    name: str,
    time: object = "5:00",
    **kwargs: object,
) -> JobScript:
    """A job submitted over ssh to the container, its files in the shared folder."""
    return JobScript(
        body,
        name,
        backend=cluster.backend,
        remote=cluster.alias,
        ssh=cluster.ssh,
        scp=cluster.scp,
        rootdir=str(folder),
        workdir="run",
        time=time,
        **kwargs,
    )


def test_job_over_ssh_completes_and_sees_the_scheduler_values(
    container: ContainerCluster, shared_dir: Path
) -> None:
    body = (
        'echo "id=$CLUSTERJOB_ID name=$CLUSTERJOB_NAME dir=$CLUSTERJOB_WORKDIR '
        'host=$CLUSTERJOB_SUBMIT_HOST nodes=$CLUSTERJOB_NODELIST ran=$(hostname)" '
        '> "$CLUSTERJOB_WORKDIR/out.txt"\n'  # Torque and PBS start a job in $HOME, not where it was submitted
    )
    run = remote_job(container, shared_dir, body, "ctrok", nodes=1, ppn=1, mem=100).submit()
    assert isinstance(run.runner, SshRunner)
    assert run.get(timeout=180) == COMPLETED
    fields = dict(
        item.split("=", 1) for item in (shared_dir / "run" / "out.txt").read_text().split()
    )
    assert fields["id"] == run.job_id
    assert fields["name"] == "ctrok"
    assert fields["dir"] == str(shared_dir / "run")
    assert fields["host"] == container.host  # submitted on the login node, not here
    assert fields["ran"] == container.host
    assert container.host in fields["nodes"]


def test_failed_job_over_ssh_is_failed(container: ContainerCluster, shared_dir: Path) -> None:
    run = remote_job(container, shared_dir, "exit 3\n", "ctrfail").submit()
    assert run.get(timeout=180) == FAILED


def test_cancel_over_ssh(container: ContainerCluster, shared_dir: Path) -> None:
    run = remote_job(container, shared_dir, "sleep 300\n", "ctrcancel").submit()
    deadline = time.monotonic() + 180
    while run.status != RUNNING and time.monotonic() < deadline:
        time.sleep(0.5)
    assert run.status == RUNNING
    run.cancel()
    assert run.get(timeout=180) == CANCELLED


def test_job_over_its_walltime_is_failed(pbs_container: ContainerCluster, shared_dir: Path) -> None:
    """MoM kills a job past its walltime; qstat shows Torque exit_status -11, PBS Pro Exit_status -29 (recorded
    in /work/shared/reference/real-pbs-build-notes.md): the run is FAILED, not CANCELLED."""
    run = remote_job(pbs_container, shared_dir, "sleep 300\n", "ctrwall", time=5).submit()
    assert run.get(timeout=240) == FAILED


def test_a_restarted_program_tracks_its_job_over_ssh(
    container: ContainerCluster, shared_dir: Path, tmp_path: Path
) -> None:
    """The cache file keeps how to reach the cluster: a new process loads it and follows the job there."""
    job = remote_job(container, shared_dir, "sleep 2\n", "ctrcache", cache_folder=str(tmp_path))
    run = job.submit(cache_id="restart")
    assert run.cache_file and os.path.exists(run.cache_file)
    again = job.submit(cache_id="restart")  # the same program run again: no second submission
    assert again.job_id == run.job_id
    code = (
        "import sys; from clusterjob.result import AsyncResult; "
        "r = AsyncResult.load(sys.argv[1], backend=sys.argv[2]); print(r.runner.host, r.get(timeout=180))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, run.cache_file, container.backend_name],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [container.alias, str(COMPLETED)]
    assert AsyncResult.load(run.cache_file, backend=container.backend).job_id == run.job_id


def test_conformance_suite_passes_over_ssh(container: ContainerCluster, shared_dir: Path) -> None:
    """`clusterjob check --real` with the scheduler's commands as ssh wrappers (containers/cluster.sh's
    shims), the jobs' files in the shared folder and the container named as the submit host."""
    env = {**os.environ, "PATH": f"{container.shims}{os.pathsep}{os.environ['PATH']}"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "clusterjob",
            "check",
            container.backend_name,
            "--real",
            "--profile",
            "ci",
            "--workdir",
            str(shared_dir),
            "--submit-host",
            container.host,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        cwd=shared_dir,
        check=False,
        umask=0,  # Torque's and OpenPBS's jobs run as pbsuser: the folders the check makes are theirs too
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "all checks passed" in out.stdout
    assert "e2e_core_variables                   pass" in out.stdout

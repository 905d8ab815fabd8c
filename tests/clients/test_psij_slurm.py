"""PSI/J's `slurm` executor, unchanged from PyPI, against the simulated Slurm: it submits with `sbatch FILE`,
polls with `squeue -O JobArrayID,StateCompact,Reason -t all --me`, cancels with `scancel -Q ID`, and its job
script builds the node file with `scontrol show hostnames`.

The jobs use PSI/J's default launcher (`single`, which runs the executable itself); its `srun` launcher is
covered once the simulator has srun (the launcher work of issue 9).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

psij = pytest.importorskip("psij")
from psij import Job, JobAttributes, JobExecutor, JobSpec, JobState, ResourceSpecV1  # noqa: E402
from psij.executors.batch.slurm import SlurmExecutorConfig  # noqa: E402

TIMEOUT = timedelta(seconds=60)


@pytest.fixture
def executor(client_cluster, tmp_path: Path):
    """A PSI/J slurm executor polling every second, its scripts under tmp_path, on a 2-node cluster."""
    cluster = client_cluster("slurm", nodes=2, cores_per_node=4)
    config = SlurmExecutorConfig(work_directory=tmp_path / "psij", queue_polling_interval=1)
    ex = JobExecutor.get_instance("slurm", config=config)
    yield cluster, ex


def spec(tmp_path: Path, executable: str, *args: str, **kw: object) -> JobSpec:
    return JobSpec(executable=executable, arguments=list(args), directory=tmp_path,
                   stdout_path=tmp_path / "out.txt", stderr_path=tmp_path / "err.txt", **kw)  # fmt: skip


def test_completes_with_output(executor, tmp_path: Path) -> None:
    cluster, ex = executor
    job = Job(spec(tmp_path, "/bin/echo", "hello from psij"))
    ex.submit(job)
    status = job.wait(timeout=TIMEOUT)
    assert status is not None and status.state == JobState.COMPLETED, status
    assert status.exit_code == 0
    assert (tmp_path / "out.txt").read_text() == "hello from psij\n"
    issued = cluster.issued()
    assert any(line.startswith("sbatch ") and line.endswith("-> rc 0") for line in issued), issued
    assert "squeue -O JobArrayID,StateCompact,Reason -t all --me  -> rc 0" in issued


def test_failing_job(executor, tmp_path: Path) -> None:
    _, ex = executor
    job = Job(spec(tmp_path, "/bin/sh", "-c", "echo bad >&2; exit 3"))
    ex.submit(job)
    status = job.wait(timeout=TIMEOUT)
    # PSI/J takes the executable's exit code from its own .ec file; the batch script itself exits 0
    # (it ends with `echo $? > ID.ec`), so Slurm reports COMPLETED and PSI/J turns it into FAILED
    assert status is not None and status.state == JobState.FAILED, status
    assert status.exit_code == 3
    assert (tmp_path / "err.txt").read_text() == "bad\n"


def test_cancel(executor, tmp_path: Path) -> None:
    cluster, ex = executor
    job = Job(spec(tmp_path, "/bin/sleep", "60"))
    ex.submit(job)
    job.wait(target_states=[JobState.ACTIVE], timeout=TIMEOUT)
    job.cancel()
    status = job.wait(timeout=TIMEOUT)
    assert status is not None and status.state == JobState.CANCELED, status
    assert any(line.startswith("scancel -Q ") for line in cluster.issued())


def test_environment(executor, tmp_path: Path) -> None:
    _, ex = executor
    job = Job(spec(tmp_path, "/bin/sh", "-c", 'echo "$GREETING $SLURM_JOB_NAME"',
                   environment={"GREETING": "hi there"}, attributes=JobAttributes(
                       duration=timedelta(minutes=5)), name="envjob"))  # fmt: skip
    ex.submit(job)
    status = job.wait(timeout=TIMEOUT)
    assert status is not None and status.state == JobState.COMPLETED, status
    # PSI/J writes no --job-name for a JobSpec name: the job is named after its script, as sbatch names it
    greeting, name = (tmp_path / "out.txt").read_text().rsplit(" ", 1)
    assert (greeting, name.endswith(".job\n")) == ("hi there", True)


def test_multi_node_resources_and_nodefile(executor, tmp_path: Path) -> None:
    cluster, ex = executor
    resources = ResourceSpecV1(node_count=2, processes_per_node=2)
    job = Job(spec(tmp_path, "/bin/sh", "-c",
                   'cat "$PSIJ_NODEFILE"; echo "nodes=$SLURM_JOB_NUM_NODES list=$SLURM_JOB_NODELIST"',
                   resources=resources))  # fmt: skip
    ex.submit(job)
    status = job.wait(timeout=TIMEOUT)
    assert status is not None and status.state == JobState.COMPLETED, status
    # the node file: each node of `scontrol show hostnames` repeated processes_per_node times
    assert (tmp_path / "out.txt").read_text() == (
        "node01\nnode01\nnode02\nnode02\nnodes=2 list=node[01-02]\n"
    )
    answers = cluster.answers("scontrol")
    assert answers and all(a["argv"] == ["show", "hostnames"] and a["rc"] == 0 for a in answers)
    assert answers[0]["stdout"] == "node01\nnode02\n"

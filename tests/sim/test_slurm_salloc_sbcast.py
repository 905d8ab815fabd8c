"""Fake salloc (a new allocation, a command run in it, released) and sbcast (a file copied to a job's nodes).

Real texts seen from Slurm 22.05.8 on this machine (cjcluster, partition short): `salloc -p short -N1 -n1 sh -c
'env | grep ^SLURM_; exit 3'` printed "salloc: Granted job allocation 21" then "salloc: Relinquishing job
allocation 21" on stderr, exited 3, and gave the command SLURM_JOB_ID, SLURM_JOB_NAME=interactive,
SLURM_JOB_NODELIST, SLURM_NNODES, SLURM_NTASKS, SLURM_TASKS_PER_NODE... (no SLURM_PROCID); sacct: FAILED 3:0.
`salloc -p short -N1 nonexistent-cmd`: `salloc: error: _fork_command: Unable to find command
"nonexistent-cmd"`, rc 1. `salloc --wrong`: "salloc: unrecognized option '--wrong'", rc 1. sbcast: see below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_salloc_runs_the_command_in_a_new_allocation(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm", nodes=2, cores_per_node=2)
    show = "echo $SLURM_JOB_ID $SLURM_JOB_NAME $SLURM_JOB_NODELIST $SLURM_NNODES $SLURM_NTASKS ${SLURM_PROCID-none}"
    r = c.run(
        ["salloc", "-N2", "-n2", "sh", "-c", f"{show}; srun hostname | sort; exit 3"], cwd=tmp_path
    )
    assert r.returncode == 3
    assert r.stdout.splitlines() == ["1 interactive node[01-02] 2 2 none", "node01", "node02"]
    assert r.stderr == "salloc: Granted job allocation 1\nsalloc: Relinquishing job allocation 1\n"
    c.wait_for(lambda: c.engine.jobs()[0].finished)
    job = c.engine.jobs()[0]
    assert (job.state, job.exit_code, job.node_names) == ("FAILED", 3, ["node01", "node02"])
    assert [(s.step_id, s.name, s.ntasks) for s in c.engine.steps(job)] == [(0, "hostname", 2)]


def test_salloc_errors(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm", nodes=1, cores_per_node=2)
    r = c.run(["salloc", "-N1", "nonexistent-cmd"], cwd=tmp_path)
    assert (r.returncode, r.stderr) == (
        1,
        "salloc: Granted job allocation 1\n"
        'salloc: error: _fork_command: Unable to find command "nonexistent-cmd"\n'
        "salloc: Relinquishing job allocation 1\n",
    )
    r = c.run(["salloc", "--wrong"])
    assert (r.returncode, r.stderr) == (
        1,
        "salloc: unrecognized option '--wrong'\nTry \"salloc --help\" for more information\n",
    )
    r = c.run(["salloc", "--bell", "true"])
    assert r.returncode == 1 and "option --bell is not implemented" in r.stderr


def test_sbcast_copies_to_the_job_nodes(sim_cluster, tmp_path: Path) -> None:
    # Source: real sbcast 22.05.8 in `sbatch -p short --wrap ...` (job 30): a copy gives rc 0 and no output; a
    # relative DEST is made in the working directory; the texts and exit codes below (an existing DEST without
    # -f: EEXIST 17; a missing folder: ENOENT 2; a missing SOURCE: 255; one operand: 1).
    c = sim_cluster("slurm", nodes=2, cores_per_node=1)
    (tmp_path / "src.txt").write_text("data\n")
    body = (
        "sbcast src.txt $PWD/dest1.txt; echo rc=$?; cat dest1.txt\n"
        "sbcast nosuch /tmp/x; echo rc=$?\n"
        "sbcast src.txt; echo rc=$?\n"
        "sbcast -f src.txt dest2.txt; echo rc=$?; cat dest2.txt\n"
        "sbcast src.txt /nonexist/dir/x; echo rc=$?\n"
        "sbcast src.txt $PWD/dest1.txt; echo rc=$?\n"
    )
    (tmp_path / "job.sh").write_text("#!/bin/sh\n" + body)
    r = c.run(["sbatch", "--parsable", "-N2", "job.sh"], cwd=tmp_path)
    c.wait_for(lambda: all(j.finished for j in c.engine.jobs()))
    out = (tmp_path / f"slurm-{r.stdout.strip()}.out").read_text()
    assert out.splitlines() == [
        "rc=0", "data",
        "sbcast: error: Can't open `nosuch`: No such file or directory", "rc=255",
        "Need two file names, have 1 names", 'Try "sbcast --help" for more information', "rc=1",
        "rc=0", "data",
        "sbcast: error: REQUEST_FILE_BCAST(node[01-02]): No such file or directory", "rc=2",
        "sbcast: error: REQUEST_FILE_BCAST(node[01-02]): File exists", "rc=17",
    ]  # fmt: skip


def test_sbcast_outside_a_job(sim_cluster, tmp_path: Path) -> None:
    # Source: real sbcast 22.05.8 outside any job, and with -j 99999 / a finished job / -j abc (rc 1, 255).
    c = sim_cluster("slurm")
    (tmp_path / "src.txt").write_text("data\n")
    r = c.run(["sbcast", "src.txt", "/tmp/x"], cwd=tmp_path)
    assert (r.returncode, r.stderr) == (
        1,
        "sbcast: error: Need a job id to run this command.  Run from within a Slurm job or use the "
        "--jobid option.\n",
    )
    for job, why in (("99999", "99999 lookup error: Invalid job id specified"),
                     ("abc", "0 lookup error: Invalid job id specified")):  # fmt: skip
        r = c.run(["sbcast", "-j", job, "src.txt", "/tmp/x"], cwd=tmp_path)
        assert (r.returncode, r.stderr) == (255, f"sbcast: error: Slurm job {why}\n")
    job_id = c.run(["sbatch", "--parsable", "--wrap", "true"], cwd=tmp_path).stdout.strip()
    c.wait_for(lambda: c.engine.jobs()[0].finished)
    r = c.run(["sbcast", "-j", job_id, "src.txt", "/tmp/x"], cwd=tmp_path)
    assert (r.returncode, r.stderr) == (
        255,
        f"sbcast: error: Slurm job {job_id} lookup error: Job/step already completing or completed\n",
    )

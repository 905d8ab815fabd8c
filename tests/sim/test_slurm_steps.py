"""Fake sacct's job steps: the steps an in-job launcher records (Engine.start_step/end_step) shown as real
sacct shows them (`ID.0`, `ID.1`, names, states, exit codes), and `-j JOB.STEP` selections.

Source: real Slurm 22.05.8 on the CI machine, job `sbatch -N1 -n2 --wrap 'srun -n2 hostname; srun -J named -n1
false; srun -n1 sleep 1'` and the -j forms asserted below, unless a comment says otherwise. Steps are made here
by calling the engine as srun does (srun itself is tested with srun).
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def job_with_steps(sim_cluster, tmp_path: Path):
    """A 2-cpu job that ran three steps: hostname (2 tasks), named (failed with 1), sleep."""
    c = sim_cluster("slurm", nodes=1, cores_per_node=2)
    job_id = c.run(
        ["sbatch", "--parsable", "-n", "2", "--wrap", "sleep 60"], cwd=tmp_path
    ).stdout.strip()
    c.wait_for(lambda: c.engine.jobs()[0].state == "RUNNING")
    engine = c.engine
    job = engine.jobs()[0]
    for name, ntasks, code in (("hostname", 2, 0), ("named", 1, 1), ("sleep", 1, 0)):
        step = engine.start_step(job, name, ntasks, job.node_names)
        engine.end_step(step, code, 0)
    engine.close()
    return c, job_id


def sacct(c, *argv: str) -> tuple[int, str, str]:
    r = c.run(["sacct", *argv])
    return r.returncode, r.stdout, r.stderr


def test_steps_follow_the_batch_step(job_with_steps) -> None:
    c, j = job_with_steps
    rc, out, err = sacct(
        c, "-j", j, "-o", "JobID,JobName,State,ExitCode,NNodes,NTasks,NodeList,AllocCPUS"
    )
    assert (rc, err) == (0, "")
    assert out.splitlines() == [
        "JobID           JobName      State ExitCode   NNodes   NTasks        NodeList  AllocCPUS ",
        "------------ ---------- ---------- -------- -------- -------- --------------- ---------- ",
        f"{j:<12}       wrap    RUNNING      0:0        1                   node01          2 ",
        f"{j + '.batch':<12}      batch    RUNNING      0:0        1        1          node01          2 ",
        f"{j + '.0':<12}   hostname  COMPLETED      0:0        1        2          node01          2 ",
        f"{j + '.1':<12}      named     FAILED      1:0        1        1          node01          2 ",
        f"{j + '.2':<12}      sleep  COMPLETED      0:0        1        1          node01          2 ",
    ]


def test_step_selection(job_with_steps) -> None:
    c, j = job_with_steps
    fields = ("-n", "-P", "-o", "JobID,State")
    assert sacct(c, *fields, "-j", f"{j}.1") == (0, f"{j}.1|FAILED\n", "")
    assert sacct(c, *fields, "-j", f"{j}.batch,{j}.0") == (
        0,
        f"{j}.batch|RUNNING\n{j}.0|COMPLETED\n",
        "",
    )
    assert sacct(c, *fields, "-j", f"{j}.0.1") == (0, f"{j}.0|COMPLETED\n", "")  # strtol: step 0
    assert sacct(c, *fields, "-j", f"{j}.7") == (0, "", "")
    assert sacct(c, *fields, "-j", f"{j}.extern") == (0, "", "")  # no PrologFlags=Contain
    assert sacct(c, *fields, "-X", "-j", f"{j}.0") == (
        0,
        f"{j}|RUNNING\n",
        "",
    )  # -X: the allocation
    assert sacct(c, *fields, "-j", f"{j},{j}.1")[1].splitlines() == [
        f"{j}|RUNNING", f"{j}.batch|RUNNING", f"{j}.0|COMPLETED", f"{j}.1|FAILED", f"{j}.2|COMPLETED"]  # fmt: skip
    for bad in (f"{j}.x", f"{j}.", f"{j}.-1"):
        assert sacct(c, *fields, "-j", bad) == (1, "", f"sacct: fatal: Bad step specified: {j}\n")


def test_step_running_and_killed_with_the_job(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm", nodes=1, cores_per_node=2)
    j = c.run(["sbatch", "--parsable", "--wrap", "sleep 60"], cwd=tmp_path).stdout.strip()
    c.wait_for(lambda: c.engine.jobs()[0].state == "RUNNING")
    engine = c.engine
    engine.start_step(engine.jobs()[0], "sleep", 1, ["node01"])
    engine.close()
    assert sacct(c, "-n", "-P", "-o", "JobID,State,ExitCode,End", "-j", f"{j}.0") == (
        0, f"{j}.0|RUNNING|0:0|Unknown\n", "")  # fmt: skip
    c.run(["scancel", j])
    c.wait_for(lambda: c.engine.jobs()[0].finished)
    # a step still running when its job is cancelled ends CANCELLED (Engine.steps)
    assert sacct(c, "-n", "-P", "-o", "JobID,State", "-j", f"{j}.0")[1] == f"{j}.0|CANCELLED\n"


def test_snakemake_status_query(sim_cluster, tmp_path: Path) -> None:
    """snakemake's slurm plugin polls `sacct -X --parsable2 --clusters all --noheader --format=JobIdRaw,State
    --starttime NOW-2DAYS --endtime now --name RUNID` and asks each failed step `sacct -j ID.N --format=Reason
    --noheader` (its job_status_query.py and __init__.py)."""
    c = sim_cluster("slurm", nodes=1, cores_per_node=2, cluster_name="cjcluster")
    j = c.run(
        ["sbatch", "--parsable", "-J", "run-uuid", "--wrap", "exit 2"], cwd=tmp_path
    ).stdout.strip()
    c.wait_for(lambda: c.engine.jobs()[0].finished)
    from datetime import datetime, timedelta

    start = f"{datetime.now() - timedelta(days=2):%Y-%m-%dT%H:00}"
    query = ["-X", "--parsable2", "--clusters", "all", "--noheader", "--format=JobIdRaw,State",
             "--starttime", start, "--endtime", "now", "--name", "run-uuid"]  # fmt: skip
    assert sacct(c, *query) == (0, f"{j}|FAILED\n", "")
    # seen: -M with another cluster's name prints no job, rc 0; the local name selects as `all` does
    assert sacct(c, "-n", "-X", "-M", "nope", "-j", j) == (0, "", "")
    assert sacct(c, "-n", "-P", "-X", "-M", "cjcluster", "-j", j, "-o", "JobID,Cluster") == (
        0, f"{j}|cjcluster\n", "")  # fmt: skip
    assert sacct(c, "-j", f"{j}.0", "--format=Reason", "--noheader") == (0, "", "")


@pytest.mark.parametrize(
    ("when", "shown"),
    [("now-2days", True), ("now-1hours", True), ("now-3600", True), ("midnight", True),
     ("2000-01-01", True), ("2000-01-01T10:00", True), ("01/01/00", True), ("now+1days", False)],
)  # fmt: skip
def test_starttime_forms(sim_cluster, tmp_path: Path, when: str, shown: bool) -> None:
    c = sim_cluster("slurm", nodes=1)
    j = c.run(["sbatch", "--parsable", "--wrap", "true"], cwd=tmp_path).stdout.strip()
    c.wait_for(lambda: c.engine.jobs()[0].finished)
    assert sacct(c, "-n", "-X", "-P", "-o", "JobID", "-S", when) == (
        0,
        f"{j}\n" if shown else "",
        "",
    )


@pytest.mark.parametrize(("when", "pos"), [("bogus", 0), ("2026-13-45", 5), ("2026-12-02T13", 11)])
def test_invalid_time(sim_cluster, when: str, pos: int) -> None:
    c = sim_cluster("slurm", nodes=1)
    assert sacct(c, "-X", "-S", when) == (
        1,
        "",
        f"Invalid time specification (pos={pos}): {when}\n",
    )
    assert sacct(c, "-X", "-E", when)[0] == 1

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

"""sbatch --signal=[B:]SIG[@TIME]: the signal reaches the job's steps (srun forwards it to its tasks), or with B:
the batch script alone, TIME seconds before the time limit.

Source: sbatch(1) of slurm-client 22.05.8 (--signal: "Due to the resolution of event handling by Slurm, the
signal may be sent up to 60 seconds earlier than specified"; TIME defaults to 60; B: "signal only the batch
shell, none of the other processes will be signaled"; without it "all job steps will be signalled, but not the
batch shell itself"), and real sbatch 22.05.8 on this machine: `sbatch -p short -t 1 --signal=USR2@50 --wrap
'srun -n1 sh -c "trap \"echo got USR2 in task; exit 7\" USR2; sleep 55 & wait"; echo srun rc=$?'` printed
"got USR2 in task", "srun: error: vm: task 0: Exited with exit code 7", "srun rc=7"; with B:USR2@50 the batch
shell's trap ran; and the refusals (rc 255, the text below).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

LOOP = "while :; do sleep 0.1; done"


def finished_output(c, tmp_path: Path, job_id: str) -> str:
    c.wait_for(lambda: all(j.finished for j in c.engine.jobs()), timeout=60)
    return (tmp_path / f"slurm-{job_id}.out").read_text()


def test_signal_reaches_the_step_tasks(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm", nodes=2, cores_per_node=1)
    body = (
        "trap 'echo batch got USR2' USR2\n"
        f"srun -N2 sh -c 'trap \"echo task $SLURM_PROCID got USR2; exit 7\" USR2; {LOOP}'\n"
        "echo srun rc=$?\n"
    )
    (tmp_path / "job.sh").write_text("#!/bin/sh\n" + body)
    r = c.run(
        ["sbatch", "--parsable", "-N2", "--time=0:40", "--signal=USR2@35", "job.sh"], cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    out = finished_output(c, tmp_path, r.stdout.strip())
    lines = out.splitlines()
    assert sorted(lines[:2]) == ["task 0 got USR2", "task 1 got USR2"]
    assert lines[2:] == ["srun: error: node01: task 0: Exited with exit code 7",
                         "srun: error: node02: task 1: Exited with exit code 7", "srun rc=7"]  # fmt: skip
    job = c.engine.jobs()[0]
    assert job.state == "COMPLETED"  # the batch script went on and ended before its time limit


def test_signal_b_goes_to_the_batch_script_only(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm", nodes=1, cores_per_node=2)
    body = "trap 'echo batch got USR1; exit 0' USR1\n" + LOOP + "\n"
    (tmp_path / "job.sh").write_text("#!/bin/sh\n" + body)
    r = c.run(
        ["sbatch", "--parsable", "--time=0:40", "--signal=B:SIGUSR1@35", "job.sh"], cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert finished_output(c, tmp_path, r.stdout.strip()) == "batch got USR1\n"
    assert c.engine.jobs()[0].state == "COMPLETED"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("USR1", (10, 60, False)), ("B:usr2@5", (12, 5, True)), ("15@0", (15, 0, False)),
     ("SIGHUP", (1, 60, False))],
)  # fmt: skip
def test_signal_values(value: str, expected: tuple[int, int, bool]) -> None:
    from clusterjob_sim.slurm.options import parse_signal

    assert parse_signal(value) == expected


@pytest.mark.parametrize("value", ["FOO", "USR1@x", "USR1@-1", "0", "USR1@70000"])
def test_signal_refusals_as_real_sbatch(sim_cluster, value: str) -> None:
    # Source: real `sbatch -p short --signal=VALUE --wrap true` for each value: this text, rc 255.
    c = sim_cluster("slurm")
    r = c.run(["sbatch", f"--signal={value}", "--wrap", "true"])
    assert (r.returncode, r.stdout, r.stderr) == (
        255,
        "",
        "sbatch: error: Invalid --signal specification\n",
    )


def test_signal_r_flag_not_implemented(sim_cluster) -> None:
    # Real sbatch accepts R: (signal also on a reservation's end); the simulator has no reservations.
    c = sim_cluster("slurm")
    r = c.run(["sbatch", "--signal=R:USR1", "--wrap", "true"])
    assert r.returncode == 255
    assert "is not implemented by the clusterjob simulator" in r.stderr
    assert c.engine.jobs() == []

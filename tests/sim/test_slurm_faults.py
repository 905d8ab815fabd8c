"""Fault injection through config.json, seen from the fake SLURM commands: each kind, limits, seed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

TIMEOUT_SQUEUE = "slurm_load_jobs error: Socket timed out on send/recv operation\n"
TIMEOUT_SBATCH = (
    "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n"
)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    d = tmp_path / "w"
    d.mkdir()
    (d / "ok.sh").write_text("#!/bin/sh\ntrue\n")
    (d / "long.sh").write_text("#!/bin/sh\nsleep 300\n")
    return d


def test_transient_limited_to_command_and_count(sim_cluster, work: Path) -> None:
    c = sim_cluster("slurm")
    c.set_faults([{"kind": "transient", "command": "squeue", "count": 2}])
    job = c.run(["sbatch", "--parsable", "ok.sh"], cwd=work)
    assert job.returncode == 0
    answers = [c.run(["squeue", "-h", "-t", "all", "-o", "%i"]) for _ in range(3)]
    assert [(r.returncode, r.stdout, r.stderr) for r in answers[:2]] == [
        (1, "", TIMEOUT_SQUEUE)
    ] * 2
    assert (answers[2].returncode, answers[2].stdout) == (0, job.stdout)


def test_transient_sbatch_records_nothing(sim_cluster, work: Path) -> None:
    c = sim_cluster("slurm")
    c.set_faults([{"kind": "transient", "command": "sbatch", "count": 1}])
    r = c.run(["sbatch", "ok.sh"], cwd=work)
    assert (r.returncode, r.stdout, r.stderr) == (1, "", TIMEOUT_SBATCH)
    assert c.engine.jobs() == []
    r = c.run(["scancel", "5"])  # other commands have their generic message
    assert r.returncode == 0


def test_generic_message_for_other_commands(sim_cluster) -> None:
    c = sim_cluster("slurm")
    c.set_faults([{"kind": "transient", "command": "scancel"}])
    r = c.run(["scancel", "1"])
    assert (r.returncode, r.stderr) == (
        1,
        "scancel: error: Socket timed out on send/recv operation\n",
    )


def test_slow_still_answers(sim_cluster) -> None:
    c = sim_cluster("slurm")
    c.set_faults([{"kind": "slow", "seconds": 0.3, "command": "squeue", "count": 1}])
    r = c.run(["squeue", "-h"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_garbage_and_truncated(sim_cluster, work: Path) -> None:
    c = sim_cluster("slurm", nodes=1, cores_per_node=1)
    job = c.run(["sbatch", "--parsable", "long.sh"], cwd=work).stdout.strip()
    argv = ["squeue", "-o", "%i %T", "-j", job]
    clean = c.run(argv).stdout
    c.set_faults([{"kind": "garbage", "command": "squeue", "count": 1}])
    garbled = c.run(argv)
    assert garbled.returncode == 0 and garbled.stdout not in ("", clean)
    c.set_faults([{"kind": "truncated", "command": "squeue", "count": 1}])
    cut = c.run(argv).stdout
    assert "\n" not in cut and clean.startswith(cut) and len(cut) < len(clean.split("\n")[0])
    assert c.run(argv).stdout == clean


def test_lost_answer_records_the_job(sim_cluster, work: Path) -> None:
    c = sim_cluster("slurm")
    c.set_faults([{"kind": "lost_answer", "command": "sbatch", "count": 1}])
    r = c.run(["sbatch", "ok.sh"], cwd=work)
    assert (r.returncode, r.stdout, r.stderr) == (1, "", TIMEOUT_SBATCH)
    c.wait_for(
        lambda: c.run(["sacct", "-n", "-X", "-P", "-o", "JobID,State"]).stdout == "1|COMPLETED\n"
    )


def test_lost_job_vanishes(sim_cluster, work: Path) -> None:
    c = sim_cluster("slurm")
    c.set_faults([{"kind": "lost_job", "count": 1}])
    job = c.run(["sbatch", "--parsable", "long.sh"], cwd=work).stdout.strip()
    assert job == "1"
    r = c.run(["squeue", "-h", "-j", job])
    assert (r.returncode, r.stderr) == (1, "slurm_load_jobs error: Invalid job id specified\n")
    assert c.run(["sacct", "-n", "-j", job]).stdout == ""
    assert c.run(["sbatch", "--parsable", "ok.sh"], cwd=work).stdout == "2\n"  # count used up


@pytest.mark.parametrize(
    ("kind", "answer"), [("node_fail", "NODE_FAIL|0:0"), ("oom", "OUT_OF_MEMORY|0:125")]
)
def test_running_job_killed(sim_cluster, work: Path, kind: str, answer: str) -> None:
    c = sim_cluster("slurm")
    job = c.run(["sbatch", "--parsable", "long.sh"], cwd=work).stdout.strip()
    c.wait_for(lambda: c.run(["squeue", "-h", "-o", "%T", "-j", job]).stdout == "RUNNING\n")
    c.set_faults([{"kind": kind, "command": "squeue", "count": 1}])
    c.run(["squeue"])
    line = c.run(["sacct", "-n", "-X", "-P", "-j", job, "-o", "State,ExitCode"]).stdout
    assert line == answer + "\n"


def pattern(c, n: int = 16) -> list[int]:
    return [c.run(["squeue", "-h"]).returncode for _ in range(n)]


def test_probability_reproducible_by_seed(sim_cluster) -> None:
    rule = {"kind": "transient", "command": "squeue", "probability": 0.5}
    first = sim_cluster("slurm", faults=[rule], fault_seed=7)
    a = pattern(first)
    second = sim_cluster("slurm", faults=[rule], fault_seed=7)
    assert pattern(second) == a
    assert set(a) == {0, 1}
    third = sim_cluster("slurm", faults=[rule], fault_seed=8)
    assert pattern(third) != a


def test_count_consumed_atomically_across_processes(sim_cluster) -> None:
    c = sim_cluster("slurm")
    c.set_faults([{"kind": "transient", "command": "squeue", "count": 3}])
    procs = [
        subprocess.Popen(
            ["squeue", "-h"], env=c.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(8)
    ]
    codes = [p.wait(timeout=60) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert sorted(codes) == [0] * 5 + [1] * 3

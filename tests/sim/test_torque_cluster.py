"""The fake Torque driven as a user would: qsub, qstat, qdel as subprocesses on a simulated cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pbs_helpers
import pytest
from pbs_helpers import SERVER, attrs, state, submit, submit_script, wait_state, write

pytestmark = pytest.mark.slow

make, cluster = pbs_helpers.cluster_fixtures("torque")  # Torque's keep_completed at its default


def test_queued_running_completed(cluster: Any) -> None:
    """A job waits (Q) while another holds the cores (R); both end as C with exit_status 0."""
    gate = Path(cluster.path) / "gate"
    write(
        cluster, "hold.sh", f"#PBS -l nodes=2:ppn=2\nwhile [ ! -e {gate} ]; do sleep 0.05; done\n"
    )
    write(cluster, "next.sh", "#PBS -N next\ntrue\n")
    first = submit(cluster, "hold.sh")
    second = submit(cluster, "next.sh")
    assert first == f"0.{SERVER}" and second == f"1.{SERVER}"
    wait_state(cluster, first, "R")
    assert state(cluster, second) == "Q"
    table = cluster.run(["qstat"], cwd=cluster.path).stdout.splitlines()
    assert table[0].startswith("Job ID                    Name             User")
    assert [line.split()[4] for line in table[2:]] == ["R", "Q"]
    gate.touch()
    wait_state(cluster, second, "C")
    assert attrs(cluster, first)["exit_status"] == "0"
    assert attrs(cluster, second)["exit_status"] == "0"
    assert attrs(cluster, second)["Job_Name"] == "next"


def test_failure_keeps_the_exit_code(cluster: Any) -> None:
    """``exit 3``: state C, exit_status 3, the script's output in <name>.o<seq> in the submit dir."""
    job = submit_script(cluster, "fail.sh", "echo out; echo err >&2; exit 3\n")
    wait_state(cluster, job, "C")
    info = attrs(cluster, job)
    assert info["exit_status"] == "3"
    assert info["Output_Path"].endswith(f"/fail.sh.o{job.split('.')[0]}")
    assert (Path(cluster.path) / "fail.sh.o0").read_text() == "out\n"
    assert (Path(cluster.path) / "fail.sh.e0").read_text() == "err\n"


def test_cancel(cluster: Any) -> None:
    """qdel of a running job: silent, then C with exit_status 271; qdel again is refused."""
    job = submit_script(cluster, "sleep.sh", "sleep 60\n")
    wait_state(cluster, job, "R")
    r = cluster.run(["qdel", job.split(".")[0]])
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    wait_state(cluster, job, "C")
    assert attrs(cluster, job)["exit_status"] == "271"
    r = cluster.run(["qdel", job])
    assert r.returncode == 170  # PBSE_BADSTATE 15018 & 0xFF, seen on real 6.1.3
    assert r.stderr == (
        f"qdel: Request invalid for state of job MSG=invalid state for job - COMPLETE {job}\n"
    )


def test_walltime_exceeded(cluster: Any) -> None:
    """Past its walltime pbs_mom kills the job: C with exit_status -11 (JOB_EXEC_OVERLIMIT_WT)."""
    job = submit_script(cluster, "long.sh", "#PBS -l walltime=00:00:01\nsleep 60\n")
    wait_state(cluster, job, "C", timeout=30)
    assert attrs(cluster, job)["exit_status"] == "-11"


def test_array_tasks_see_their_index(cluster: Any) -> None:
    """``-t 1-3``: ``0[].srv``, one sub-job per index with PBS_ARRAYID, outputs ``name.o0-<i>``."""
    script = '#PBS -N arr\necho "$PBS_ARRAYID $PBS_JOBID $PBS_JOBNAME"\n'
    job = submit_script(cluster, "arr.sh", script, "-t", "1-3")
    assert job == f"0[].{SERVER}"
    outputs = [Path(cluster.path) / f"arr.o0-{i}" for i in (1, 2, 3)]
    cluster.wait_for(lambda: all(p.exists() and p.read_text() for p in outputs))
    for i, path in enumerate(outputs, start=1):
        assert path.read_text() == f"{i} 0[{i}].{SERVER} arr-{i}\n"
    wait_state(cluster, job, "C")
    table = cluster.run(["qstat", "-t"], cwd=cluster.path).stdout.splitlines()[2:]
    assert [line.split()[0] for line in table] == [f"0[{i}].{SERVER}" for i in (1, 2, 3)]
    summary = cluster.run(["qstat"], cwd=cluster.path).stdout.splitlines()[2:]
    assert [line.split()[0] for line in summary] == [job]


def test_multi_node_environment(cluster: Any) -> None:
    """nodes=2:ppn=2: a 4-line PBS_NODEFILE, PBS_NUM_NODES/PPN/NP, PBS_O_WORKDIR; starts in $HOME."""
    script = (
        "#PBS -l nodes=2:ppn=2\n"
        'echo "lines=$(wc -l < $PBS_NODEFILE)"\n'
        'echo "hosts=$(sort -u $PBS_NODEFILE | tr "\\n" " ")"\n'
        'echo "nodes=$PBS_NUM_NODES ppn=$PBS_NUM_PPN np=$PBS_NP"\n'
        'echo "workdir=$PBS_O_WORKDIR env=$PBS_ENVIRONMENT queue=$PBS_QUEUE pwd=$(pwd)"\n'
        'echo "home=$HOME o_host=${PBS_O_HOST:+set}"\n'
    )
    job = submit_script(cluster, "env.sh", script)
    wait_state(cluster, job, "C")
    lines = (Path(cluster.path) / "env.sh.o0").read_text().splitlines()
    home = lines[4].split()[0].split("=", 1)[1]
    assert lines[0] == "lines=4"
    assert lines[1] == "hosts=node01 node02 "
    assert lines[2] == "nodes=2 ppn=2 np=4"
    assert lines[3] == f"workdir={cluster.path} env=PBS_BATCH queue=batch pwd={home}"
    assert lines[4].endswith("o_host=set")


def test_workdir_option_and_joined_output(cluster: Any) -> None:
    """``-d DIR`` starts the job there; ``-j oe -o FILE`` puts both streams in FILE."""
    workdir = Path(cluster.path) / "work"
    workdir.mkdir()
    write(cluster, "wd.sh", "pwd\necho oops >&2\n")
    job = submit(cluster, "-d", "work", "-j", "oe", "-o", "both.txt", "wd.sh")
    wait_state(cluster, job, "C")
    assert (Path(cluster.path) / "both.txt").read_text() == f"{workdir}\noops\n"
    r = cluster.run(["qsub", "-d", "missing", "wd.sh"], cwd=cluster.path)
    assert r.returncode == 2
    assert r.stderr.startswith(
        "[qsub: cannot chdir to 'missing' errno: 2 (No such file or directory)]\n\nusage: qsub"
    )


def test_completed_jobs_expire(make: Any) -> None:
    """After keep_completed seconds a finished job is unknown: ``Unknown Job Id Error``, rc 153."""
    c = make(nodes=1, cores_per_node=1, keep_finished_s=0)
    job = submit_script(c, "quick.sh", "true\n")
    c.wait_for(lambda: c.engine.jobs()[0].finished)
    r = c.run(["qstat", job.split(".")[0]])
    assert (r.returncode, r.stdout, r.stderr) == (153, "", f"qstat: Unknown Job Id Error {job}\n")


# Real Torque 6.1.3 asked for more nodes or cores per node than it has (docs/reference/
# real-pbs-build-notes.md, seen; the text is svr_jobfunc.c's chk_resc_limits), exit 190 (PBSE_EXCQRESC 15038)
TOO_BIG = (
    "qsub: submit error (Job exceeds queue resource limits MSG=cannot locate feasible nodes (nodes file "
    "is empty, all systems are busy, or no nodes have the requested feature))\n"
)


@pytest.mark.parametrize(
    "resources",
    ["nodes=5", "nodes=1:ppn=9", "nodes=2:ppn=9", "nodes=5:ppn=1", "procs=1,nodes=1:ppn=64"],
)
def test_impossible_request_refused_at_submission(cluster: Any, resources: str) -> None:
    """More nodes than exist, or more cores per node than any node has: refused, no job (4 x 8 cores)."""
    cluster.configure(nodes=4, cores_per_node=8)
    write(cluster, "ok.sh", "true\n")
    r = cluster.run(["qsub", "-l", resources, "ok.sh"], cwd=cluster.path)
    assert (r.returncode, r.stdout, r.stderr) == (190, "", TOO_BIG)
    assert cluster.engine.jobs() == []


def test_error_answers(cluster: Any) -> None:
    """The refusals of the reference: unknown job, unknown queue, usage errors, missing script."""
    r = cluster.run(["qstat", "42"])
    assert (r.returncode, r.stderr) == (153, f"qstat: Unknown Job Id Error 42.{SERVER}\n")
    r = cluster.run(["qdel", "42"])
    assert (r.returncode, r.stderr) == (153, "qdel: nonexistent job id: 42\n")
    write(cluster, "ok.sh", "true\n")
    r = cluster.run(["qsub", "-q", "nosuch", "ok.sh"], cwd=cluster.path)
    assert (r.returncode, r.stdout) == (172, "")  # seen on real 6.1.3 (real-pbs-build-notes.md)
    assert r.stderr == "qsub: submit error (Unknown queue MSG=requested queue not found)\n"
    r = cluster.run(["qsub", "-l", "nodes=3", "ok.sh"], cwd=cluster.path)
    assert (r.returncode, r.stdout, r.stderr) == (190, "", TOO_BIG)
    r = cluster.run(["qsub", "-j", "x", "ok.sh"], cwd=cluster.path)
    assert r.returncode == 2 and r.stderr.startswith("[qsub: illegal -j value]\n\nusage: qsub")
    r = cluster.run(["qsub", "absent.sh"], cwd=cluster.path)
    assert r.returncode == 1
    assert (
        r.stderr == "qsub: script file 'absent.sh' cannot be loaded - No such file or directory\n"
    )
    write(cluster, "dos.sh", "#PBS -N dos\r\ntrue\r\n")
    r = cluster.run(["qsub", "dos.sh"], cwd=cluster.path)
    assert (r.returncode, r.stderr) == (1, "qsub:  script is written in DOS/Windows text format\n")
    assert cluster.engine.jobs() == []


def test_stdin_script_and_quiet_submit(cluster: Any) -> None:
    """A script on standard input is named STDIN; ``-z`` submits without printing the id."""
    r = cluster.run(["qsub"], input="echo piped\n", cwd=cluster.path)
    assert r.stdout == f"0.{SERVER}\n"
    r = cluster.run(["qsub", "-z"], input="true\n", cwd=cluster.path)
    assert (r.returncode, r.stdout) == (0, "")
    wait_state(cluster, "0", "C")
    assert attrs(cluster, "0")["Job_Name"] == "STDIN"
    assert (Path(cluster.path) / "STDIN.o0").read_text() == "piped\n"


def test_unknown_ids_go_to_stderr_after_the_table(cluster: Any) -> None:
    """qstat with known and unknown ids: rows on stdout, the errors on stderr, rc 153."""
    job = submit_script(cluster, "ok.sh", "sleep 30\n")
    r = cluster.run(["qstat", "7", job])
    assert r.returncode == 153
    assert r.stdout.splitlines()[2].startswith(f"{job} ")
    assert r.stderr == f"qstat: Unknown Job Id Error 7.{SERVER}\n"


def test_faults_answer_in_torques_words(cluster: Any) -> None:
    """A transient fault: Torque's connection error and rc; a lost answer: the job exists, no id."""
    cluster.set_faults([{"kind": "transient", "command": "qstat", "count": 1}])
    r = cluster.run(["qstat"])
    assert r.returncode == 111
    assert r.stderr == "qstat: cannot connect to server simserver (errno=111) Connection refused\n"
    assert cluster.run(["qstat"]).returncode == 0
    cluster.set_faults([{"kind": "lost_answer", "command": "qsub", "count": 1}])
    write(cluster, "ok.sh", "sleep 30\n")
    r = cluster.run(["qsub", "ok.sh"], cwd=cluster.path)
    assert (r.returncode, r.stdout, r.stderr) == (237, "", "qsub: submit error (Time out)\n")
    assert state(cluster, "0") in ("Q", "R")

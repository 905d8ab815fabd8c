"""The fake qsub, qstat, qacct and qdel driven as a user would: real processes, subprocess only.

Jobs that must stay pending or running wait for a gate file, so no test depends on timing; every wait
is a bounded poll.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

Cluster = Any  # clusterjob_sim.pytest_fixtures.SimCluster
ME = pwd.getpwuid(os.getuid()).pw_name


def gated(gate: Path, *directives: str, body: str = "") -> str:
    """A job script that waits until `gate` exists, then runs `body` (sh: the queue's shell)."""
    lines = ["#!/bin/sh", *(f"#$ {d}" for d in directives)]
    lines.append(f'while [ ! -e "{gate}" ]; do sleep 0.05; done')
    if body:
        lines.append(body)
    return "\n".join(lines) + "\n"


def qsub(
    c: Cluster, cwd: Path, text: str, *args: str, name: str = "job.sh", home: Path | None = None
) -> Any:
    """`qsub [args] job.sh` from `cwd` (HOME set to `home`, default `cwd`)."""
    (cwd / name).write_text(text)
    return c.run(["qsub", *args, name], cwd=cwd, env={"HOME": str(home or cwd)})


def job_id(answer: Any) -> str:
    """The id in `Your job N ("name") has been submitted` (or the job-array form)."""
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.split()[2].split(".")[0]


def qstat_rows(c: Cluster) -> list[list[str]]:
    """The words of each job line of plain qstat."""
    return [line.split() for line in c.run(["qstat"]).stdout.splitlines()[2:]]


def states(c: Cluster) -> dict[str, str]:
    """job id -> state letters, from plain qstat."""
    return {row[0]: row[4] for row in qstat_rows(c)}


def qacct(c: Cluster, jid: str) -> dict[str, str]:
    """The key/value lines of `qacct -j ID` (first record)."""
    r = c.run(["qacct", "-j", jid])
    assert r.returncode == 0, r.stderr
    record = r.stdout.split("=" * 62 + "\n")[1]
    return {k: v.strip() for k, _, v in (line.partition(" ") for line in record.splitlines())}


def test_submit_qw_r_then_gone_and_accounted(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    first = qsub(c, tmp_path, gated(tmp_path / "go1"), "-cwd")
    assert (first.stdout, first.stderr) == ('Your job 1 ("job.sh") has been submitted\n', "")
    second = qsub(c, tmp_path, gated(tmp_path / "go2"), "-cwd", "-N", "second")
    assert second.stdout == 'Your job 2 ("second") has been submitted\n'
    c.wait_for(lambda: states(c) == {"1": "r", "2": "qw"})
    lines = c.run(["qstat"]).stdout.splitlines()
    assert lines[0].startswith("job-ID  prior   name       user         state submit/start at")
    assert lines[1] == "-" * 113
    assert lines[2].split()[7] == "all.q@node01"
    (tmp_path / "go1").touch()
    c.wait_for(lambda: states(c) == {"2": "r"})
    record = qacct(c, "1")
    assert (record["jobnumber"], record["failed"], record["exit_status"]) == ("1", "0", "0")
    assert (record["jobname"], record["qname"], record["hostname"]) == ("job.sh", "all.q", "node01")
    assert record["taskid"] == "undefined"
    running = c.run(["qacct", "-j", "2"])
    assert (running.stdout, running.stderr, running.returncode) == (
        "",
        "error: job id 2 not found\n",
        1,
    )
    (tmp_path / "go2").touch()
    c.wait_for(lambda: c.run(["qstat"]).stdout == "")
    assert qacct(c, "2")["exit_status"] == "0"


def test_defaults_run_in_home(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=2)
    home, sub = tmp_path / "home", tmp_path / "sub"
    home.mkdir()
    sub.mkdir()
    body = (
        'echo "PWD=$(pwd)"; echo "JOB_ID=$JOB_ID"; echo "JOB_NAME=$JOB_NAME"; '
        'echo "TASK=$SGE_TASK_ID"; echo "WD=$SGE_O_WORKDIR"; echo "ENV=$ENVIRONMENT"; '
        'echo "NSLOTS=$NSLOTS"; echo "NHOSTS=$NHOSTS"; echo "QUEUE=$QUEUE"; '
        'echo "HOST=$HOSTNAME"; echo "SGE_O_HOST=$SGE_O_HOST"; echo "PE_HOSTFILE=${PE_HOSTFILE-unset}"'
    )
    jid = job_id(qsub(c, sub, "#!/bin/sh\n" + body + "\n", name="run.sh", home=home))
    c.wait_for(lambda: (home / f"run.sh.o{jid}").exists() and not states(c))
    lines = (home / f"run.sh.o{jid}").read_text().splitlines()
    env = dict(line.split("=", 1) for line in lines if "=" in line)
    assert env["PWD"] == str(home)
    assert (env["JOB_ID"], env["JOB_NAME"], env["TASK"]) == (jid, "run.sh", "undefined")
    assert env["WD"] == str(sub)
    # seen on Debian's 8.1.9: ENVIRONMENT is not set
    assert (env["ENV"], env["NSLOTS"], env["NHOSTS"], env["QUEUE"]) == ("", "1", "1", "all.q")
    assert env["HOST"] == "node01"
    assert env["SGE_O_HOST"]
    # seen on Debian's 8.1.9 (real job 326, `env | sort`, 2026-12-02): no PE_HOSTFILE (nor PE) without -pe
    assert env["PE_HOSTFILE"] == "unset"
    assert (home / f"run.sh.e{jid}").read_text() == ""


def test_cwd_and_stdin_submission(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    r = c.run(["qsub", "-cwd"], input="pwd\n", cwd=tmp_path, env={"HOME": "/nonexistent"})
    assert r.stdout == 'Your job 1 ("STDIN") has been submitted\n'
    c.wait_for(lambda: (tmp_path / "STDIN.o1").exists() and not states(c))
    assert (tmp_path / "STDIN.o1").read_text() == f"{tmp_path}\n"


def test_parallel_environment(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=2, cores_per_node=4)
    body = 'echo "NSLOTS=$NSLOTS NHOSTS=$NHOSTS PE=$PE"; cat "$PE_HOSTFILE"'
    text = "#!/bin/sh\n#$ -pe mpi 6\n#$ -cwd\n#$ -j y\n" + body + "\n"
    jid = job_id(qsub(c, tmp_path, text))
    c.wait_for(lambda: (tmp_path / f"job.sh.o{jid}").exists() and not states(c))
    assert (tmp_path / f"job.sh.o{jid}").read_text() == (
        "NSLOTS=6 NHOSTS=2 PE=mpi\n"
        "node01 4 all.q@node01 UNDEFINED\n"
        "node02 2 all.q@node02 UNDEFINED\n"
    )
    record = qacct(c, jid)
    assert (record["granted_pe"], record["slots"]) == ("mpi", "6")


def test_delete_pending_and_running(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    running = job_id(qsub(c, tmp_path, gated(tmp_path / "never"), "-cwd"))
    pending = job_id(qsub(c, tmp_path, gated(tmp_path / "never"), "-cwd"))
    c.wait_for(lambda: states(c) == {running: "r", pending: "qw"})
    r = c.run(["qdel", pending])
    assert (r.stdout, r.stderr, r.returncode) == (f"{ME} has deleted job {pending}\n", "", 0)
    r = c.run(["qdel", running])
    assert r.stdout == f"{ME} has registered the job {running} for deletion\n"
    c.wait_for(lambda: c.run(["qstat"]).stdout == "")
    c.wait_for(lambda: c.run(["qacct", "-j", running]).returncode == 0)
    record = c.run(["qacct", "-j", running]).stdout.splitlines()
    assert "failed       100 : assumedly after job" in record
    assert "exit_status  137                  (Killed)" in record
    never_ran = c.run(["qacct", "-j", pending])
    assert (never_ran.stderr, never_ran.returncode) == (f"error: job id {pending} not found\n", 1)
    again = c.run(["qdel", running])
    assert (again.stdout, again.stderr, again.returncode) == (
        f'denied: job "{running}" does not exist\n',
        "",
        1,
    )


def test_failed_job(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    jid = job_id(qsub(c, tmp_path, "#!/bin/sh\nexit 3\n", "-cwd"))
    c.wait_for(lambda: c.run(["qacct", "-j", jid]).returncode == 0)
    record = qacct(c, jid)
    assert (record["failed"], record["exit_status"]) == ("0", "3")


def test_hard_run_time_limit(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    jid = job_id(qsub(c, tmp_path, "#!/bin/sh\nsleep 60\n", "-cwd", "-l", "h_rt=1"))
    c.wait_for(lambda: c.run(["qacct", "-j", jid]).returncode == 0)
    lines = c.run(["qacct", "-j", jid]).stdout.splitlines()
    assert "failed       37  : qmaster enforced h_rt, h_cpu, or h_vmem limit" in lines
    assert "exit_status  137                  (Killed)" in lines


def test_array_with_task_limit(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=4)
    gate = tmp_path / "go"
    text = gated(gate, "-t 1-4", "-tc 2", "-cwd", "-N arr", body='echo "task=$SGE_TASK_ID"')
    answer = qsub(c, tmp_path, text)
    assert answer.stdout == 'Your job-array 1.1-4:1 ("arr") has been submitted\n'
    jid = job_id(answer)

    def rows() -> list[tuple[str, str]]:
        return [(row[4], row[-1]) for row in qstat_rows(c)]

    c.wait_for(lambda: rows() == [("r", "1"), ("r", "2"), ("qw", "3,4")])  # seen: "3,4"
    gate.touch()
    c.wait_for(lambda: c.run(["qstat"]).stdout == "")
    for task in range(1, 5):
        assert (tmp_path / f"arr.o{jid}.{task}").read_text() == f"task={task}\n"
    records = c.run(["qacct", "-j", jid]).stdout
    assert records.count("=" * 62) == 4
    assert sorted(
        line.split()[1] for line in records.splitlines() if line.startswith("taskid")
    ) == [
        "1",
        "2",
        "3",
        "4",
    ]


def test_terse_submission(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge")
    assert qsub(c, tmp_path, "#!/bin/sh\ntrue\n", "-terse", "-cwd").stdout == "1\n"
    assert (
        qsub(c, tmp_path, "#!/bin/sh\ntrue\n", "-terse", "-t", "1-3", "-cwd").stdout == "2.1-3:1\n"
    )


@pytest.mark.parametrize(
    ("args", "stderr", "rc"),
    [
        (["-frobnicate"], 'qsub: invalid option argument "-frobnicate"\n', 2),
        (
            ["-q", "nosuch.q"],
            'Unable to run job: Job was rejected because job requests unknown queue "nosuch.q"\n'
            "Exiting.\n",
            1,
        ),
        (
            ["-pe", "nosuch", "2"],
            'Unable to run job: job rejected: the requested parallel environment "nosuch" does not '
            "exist\nExiting.\n",
            1,
        ),
        (["-l", "mem=4G"], 'Unable to run job: unknown resource "mem"\nExiting.\n', 1),
    ],
)
def test_submission_errors(
    sim_cluster: Any, tmp_path: Path, args: list[str], stderr: str, rc: int
) -> None:
    c = sim_cluster("sge")
    r = qsub(c, tmp_path, "#!/bin/sh\ntrue\n", *args)
    assert (r.stdout, r.stderr, r.returncode) == ("", stderr, rc)
    assert c.engine.jobs() == []


def test_unreadable_script(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge")
    r = c.run(["qsub", "-b", "y"], cwd=tmp_path)
    assert (r.stdout, r.stderr, r.returncode) == (
        "",
        "qsub: command required for a binary job\n",
        2,
    )
    r = c.run(["qsub", "missing.sh"], cwd=tmp_path)
    assert r.stderr == (
        "Unable to read script file because of error: error opening missing.sh: "
        "No such file or directory\n"
    )
    assert (r.stdout, r.returncode) == ("", 14)


def test_unknown_ids(sim_cluster: Any) -> None:
    c = sim_cluster("sge")
    r = c.run(["qstat", "-j", "99"])
    assert (r.stdout, r.stderr, r.returncode) == ("", "Following jobs do not exist: \n99\n", 1)
    r = c.run(["qacct", "-j", "99"])
    assert (r.stdout, r.stderr, r.returncode) == ("", "error: job id 99 not found\n", 1)
    r = c.run(["qdel", "99"])
    assert (r.stdout, r.stderr, r.returncode) == ('denied: job "99" does not exist\n', "", 1)
    r = c.run(["qstat"])
    assert (r.stdout, r.stderr, r.returncode) == ("", "", 0)


def test_qstat_j_of_a_running_job(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    jid = job_id(qsub(c, tmp_path, gated(tmp_path / "go"), "-cwd", "-l", "h_rt=0:10:0"))
    c.wait_for(lambda: states(c) == {jid: "r"})
    lines = c.run(["qstat", "-j", jid]).stdout.splitlines()
    assert lines[1] == f"job_number:                 {jid}"
    assert "job_name:                   job.sh" in lines
    assert f"sge_o_workdir:              {tmp_path}" in lines
    assert "hard resource_list:         h_rt=600" in lines  # seen: the master keeps seconds
    (tmp_path / "go").touch()
    c.wait_for(lambda: c.run(["qstat", "-j", jid]).returncode == 1)


def test_sync_waits_and_reports_the_exit_code(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    r = qsub(c, tmp_path, "#!/bin/sh\nexit 4\n", "-sync", "y", "-cwd")
    assert r.stdout == 'Your job 1 ("job.sh") has been submitted\n'
    assert r.stderr == "Job 1 exited with exit code 4.\n"  # seen: on stderr
    assert r.returncode == 4


def test_transient_fault_answers_like_an_unreachable_qmaster(sim_cluster: Any) -> None:
    c = sim_cluster("sge")
    c.set_faults([{"kind": "transient", "command": "qstat", "count": 1}])
    r = c.run(["qstat"])
    assert r.returncode == 1
    assert r.stderr.startswith("error: unable to send message to qmaster")
    assert c.run(["qstat"]).returncode == 0


def test_odd_job_ids_are_unknown_not_crashes(sim_cluster: Any) -> None:
    c = sim_cluster("sge")
    for ref in ("1²", "x", "1.²"):
        r = c.run(["qdel", ref])
        assert (r.stdout, r.returncode) == (f'denied: job "{ref}" does not exist\n', 1)
        r = c.run(["qstat", "-j", ref])
        assert (r.stderr, r.returncode) == (f"Following jobs do not exist: \n{ref}\n", 1)
        assert c.run(["qacct", "-j", ref]).returncode == 1


def test_held_job_details_and_categories(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=2)
    answer = qsub(c, tmp_path, "#!/bin/sh\ntrue\n", "-h", "-terse", "-t", "2-10:3", "-cwd")
    assert answer.stdout == "1.2-10:3\n"  # seen: qsub prints the range as given
    rows = qstat_rows(c)
    assert [(r[1], r[4], r[-1]) for r in rows] == [("0.00000", "hqw", "2-8:3")]
    lines = c.run(["qstat", "-j", "1"]).stdout.splitlines()
    assert "job-array tasks:            2-10:3" in lines
    assert lines[-1] == "scheduling info:            Job is in hold state"
    assert c.run(["qdel", "1"]).stdout == f"{ME} has deleted job 1\n"
    jid = job_id(
        qsub(c, tmp_path, "#!/bin/sh\ntrue\n", "-cwd", "-q", "all.q", "-l", "h_rt=0:1:0,h_vmem=1G",
             "-pe", "mpi", "1-2")
    )  # fmt: skip
    c.wait_for(lambda: c.run(["qacct", "-j", jid]).returncode == 0)
    record = qacct(c, jid)
    assert record["category"] == "-q all.q -l h_rt=60,h_vmem=1G -pe mpi 1,2"  # seen
    assert (record["granted_pe"], record["slots"]) == ("mpi", "2")


def test_deleting_a_partly_running_array(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=2)
    jid = job_id(qsub(c, tmp_path, gated(tmp_path / "never", "-t 1-4", "-cwd")))
    c.wait_for(lambda: [row[4] for row in qstat_rows(c)] == ["r", "r", "qw"])
    r = c.run(["qdel", jid])
    assert r.stdout == (
        f"{ME} has registered the job-array task {jid}.1 for deletion\n"
        f"{ME} has registered the job-array task {jid}.2 for deletion\n"
        f"{ME} has deleted job {jid}\n"
    )  # seen on 8.1.9
    c.wait_for(lambda: c.run(["qstat"]).stdout == "")


@pytest.mark.parametrize(("pe", "slots"), [("mpi", "64"), ("smp", "16")])
def test_impossible_request_accepted_and_left_waiting(
    sim_cluster: Any, tmp_path: Path, pe: str, slots: str
) -> None:
    """Real Grid Engine 8.1.9 accepts a request no PE or host can ever hold and leaves it in qw (qsub's
    default is no verification, -w n): docs/recorded/gridengine-8.1.9-impossible-requests.txt. Unlike
    Slurm and Torque it refuses nothing at submission; -w e/v, which would, fails loudly here."""
    c = sim_cluster("sge", nodes=4, cores_per_node=8)
    r = qsub(c, tmp_path, "#!/bin/sh\ntrue\n", "-pe", pe, slots, name="ok.sh")
    assert (r.returncode, r.stderr) == (0, "")
    jid = job_id(r)
    assert r.stdout == f'Your job {jid} ("ok.sh") has been submitted\n'
    c.run(["qstat"])  # a scheduling pass
    row = [line.split() for line in c.run(["qstat"]).stdout.splitlines()[2:]]
    assert [(w[0], w[4], w[-1]) for w in row] == [(jid, "qw", slots)]
    r = c.run(["qsub", "-w", "e", "-pe", pe, slots, "ok.sh"], cwd=tmp_path)
    assert r.returncode == 2 and "-w is not implemented" in r.stderr

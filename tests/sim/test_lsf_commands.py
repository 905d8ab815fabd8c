"""The fake bsub, bjobs and bkill driven as a user would: real processes, subprocess only.

Jobs that must stay pending or running wait for a gate file, so no test depends on timing; every wait
is a bounded poll.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

Cluster = Any  # clusterjob_sim.pytest_fixtures.SimCluster


def gated(gate: Path, *directives: str, body: str = "") -> str:
    """A job script that waits until `gate` exists, then runs `body`."""
    lines = ["#!/bin/sh", *(f"#BSUB {d}" for d in directives)]
    lines.append(f'while [ ! -e "{gate}" ]; do sleep 0.05; done')
    if body:
        lines.append(body)
    return "\n".join(lines) + "\n"


def bsub(c: Cluster, cwd: Path, text: str, *args: str) -> Any:
    """`bsub [args] < job.sh` through a shell, as a user types it."""
    (cwd / "job.sh").write_text(text)
    argv = " ".join(args)
    return c.run(["sh", "-c", f"bsub {argv} < job.sh"], cwd=cwd)


def job_id(answer: Any) -> str:
    """The id in `Job <N> is submitted to ... queue <q>.`"""
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.split("<", 1)[1].split(">", 1)[0]


def field(c: Cluster, fmt: str, ref: str) -> str:
    """One `bjobs -noheader -o FMT REF` answer, stripped."""
    return c.run(["bjobs", "-noheader", "-o", fmt, ref]).stdout.strip()


def test_submit_on_stdin_then_pend_run_done(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1)
    first = bsub(c, tmp_path, gated(tmp_path / "go1", "-J first"))
    assert first.stdout == "Job <1> is submitted to default queue <normal>.\n"
    assert first.stderr == ""
    second = bsub(c, tmp_path, gated(tmp_path / "go2"), "-q", "short")
    assert second.stdout == "Job <2> is submitted to queue <short>.\n"
    c.wait_for(lambda: field(c, "stat", "1") == "RUN")
    assert field(c, "stat", "2") == "PEND"
    table = c.run(["bjobs"])
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert (
        lines[0]
        == "JOBID   USER    STAT  QUEUE      FROM_HOST   EXEC_HOST   JOB_NAME   SUBMIT_TIME"
    )
    assert lines[1].startswith("1       ")
    assert lines[1][16:22] == "RUN   " and lines[1][45:57] == "node01      "
    assert lines[2].startswith("2       ") and lines[2][16:22] == "PEND  "
    (tmp_path / "go1").touch()
    c.wait_for(lambda: field(c, "stat", "1") == "DONE")
    c.wait_for(lambda: field(c, "stat", "2") == "RUN")
    (tmp_path / "go2").touch()
    c.wait_for(lambda: field(c, "stat", "2") == "DONE")
    assert field(c, "jobid stat exec_host delimiter='^'", "1") == "1^DONE^node01"
    assert field(c, "exit_code", "1") == "-"


def test_multi_node_environment(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=2, cores_per_node=2)
    body = (
        'echo "ID=$LSB_JOBID"; echo "NAME=$LSB_JOBNAME"; echo "INDEX=$LSB_JOBINDEX"; '
        'echo "QUEUE=$LSB_QUEUE"; echo "HOSTS=$LSB_HOSTS"; echo "MCPU=$LSB_MCPU_HOSTS"; '
        'echo "NP=$LSB_DJOB_NUMPROC"; echo "SUBCWD=$LS_SUBCWD"; echo "SUBHOST=$LSB_SUB_HOST"; '
        'echo "PWD=$(pwd)"; cat "$LSB_DJOB_HOSTFILE"'
    )
    text = '#!/bin/sh\n#BSUB -n 4\n#BSUB -R "span[ptile=2]"\n#BSUB -o out.%J\n' + body + "\n"
    jid = job_id(bsub(c, tmp_path, text, "-J", "envjob"))
    c.wait_for(lambda: field(c, "stat", jid) == "DONE")
    lines = (tmp_path / f"out.{jid}").read_text().splitlines()
    env = dict(line.split("=", 1) for line in lines if "=" in line)
    assert env["ID"] == jid
    assert env["NAME"] == "envjob"
    assert env["INDEX"] == "0"
    assert env["QUEUE"] == "normal"
    assert env["HOSTS"] == "node01 node01 node02 node02"
    assert env["MCPU"] == "node01 2 node02 2"
    assert env["NP"] == "4"
    assert env["SUBCWD"] == str(tmp_path)
    assert env["PWD"] == str(tmp_path)
    assert env["SUBHOST"]
    assert [ln for ln in lines if "=" not in ln] == ["node01", "node01", "node02", "node02"]
    assert field(c, "exec_host", jid) == "2*node01:2*node02"


def test_cancel_running_pending_and_finished(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1)
    running = job_id(bsub(c, tmp_path, gated(tmp_path / "never")))
    pending = job_id(bsub(c, tmp_path, gated(tmp_path / "never")))
    c.wait_for(lambda: field(c, "stat", running) == "RUN")
    killed = c.run(["bkill", running])
    assert (killed.stdout, killed.stderr, killed.returncode) == (
        f"Job <{running}> is being terminated\n",
        "",
        0,
    )
    c.wait_for(lambda: field(c, "stat", running) == "EXIT")
    assert field(c, "exit_code", running) == "130"
    again = c.run(["bkill", running])
    assert again.stderr == f"Job <{running}>: Job has already finished\n"
    assert (again.stdout, again.returncode) == ("", 255)
    assert c.run(["bkill", pending]).stdout == f"Job <{pending}> is being terminated\n"
    c.wait_for(lambda: field(c, "stat", pending) == "EXIT")
    unknown = c.run(["bkill", "99"])
    assert (unknown.stderr, unknown.returncode) == ("Job <99>: No matching job found\n", 255)


def test_failed_job_reports_its_exit_code(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1)
    jid = job_id(bsub(c, tmp_path, "#!/bin/sh\nexit 3\n"))
    c.wait_for(lambda: field(c, "stat", jid) == "EXIT")
    assert field(c, "exit_code", jid) == "3"


def test_run_limit(sim_cluster: Any, tmp_path: Path) -> None:
    queues = {"normal": {"max_time_s": None, "default_time_s": 1, "nodes": None}}
    c = sim_cluster("lsf", nodes=1, cores_per_node=1, queues=queues)
    jid = job_id(bsub(c, tmp_path, "#!/bin/sh\nsleep 60\n"))
    c.wait_for(lambda: field(c, "stat", jid) == "EXIT")
    assert field(c, "exit_code", jid) == "140"
    assert field(c, "exit_reason delimiter='|'", jid).startswith("TERM_RUNLIMIT")


def test_run_limit_above_the_queue_limit_is_refused(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf")
    r = bsub(c, tmp_path, "#!/bin/sh\n#BSUB -q short\n#BSUB -W 61\nhostname\n")
    assert r.stderr == "RUNLIMIT: Cannot exceed queue's hard limit(s). Job not submitted.\n"
    assert (r.stdout, r.returncode) == ("", 255)


def test_array_with_slot_limit(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=4)
    gate = tmp_path / "go"
    text = gated(gate, '-J "arr[1-4]%2"', "-o out.%J.%I", body='echo "$LSB_JOBINDEX $LSB_JOBNAME"')
    jid = job_id(bsub(c, tmp_path, text))

    def states() -> list[str]:
        return field(c, "jobindex stat", jid).splitlines()

    c.wait_for(lambda: sorted(states()) == ["1 RUN", "2 RUN", "3 PEND", "4 PEND"])
    gate.touch()
    c.wait_for(lambda: states() == ["1 DONE", "2 DONE", "3 DONE", "4 DONE"])
    for i in range(1, 5):
        assert (tmp_path / f"out.{jid}.{i}").read_text() == f"{i} arr[{i}]\n"
    assert c.run(["bkill", jid]).stderr == f"Job <{jid}>: Job has already finished\n"


def test_finished_jobs_stay_for_the_clean_period(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1)
    jid = job_id(bsub(c, tmp_path, "#!/bin/sh\ntrue\n"))
    c.wait_for(lambda: field(c, "stat", jid) == "DONE")
    plain = c.run(["bjobs"])
    assert (plain.stdout, plain.stderr, plain.returncode) == ("", "No unfinished job found\n", 255)
    assert jid in c.run(["bjobs", "-a", "-noheader"]).stdout
    c.configure(keep_finished_s=0)
    gone = c.run(["bjobs", jid])
    assert (gone.stdout, gone.stderr, gone.returncode) == ("", f"Job <{jid}> is not found\n", 255)


def test_bsub_with_a_script_argument_runs_it_as_a_command(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1)
    script = tmp_path / "cmd.sh"
    script.write_text('#!/bin/sh\n#BSUB -J ignored\necho "name=$LSB_JOBNAME"\n')
    script.chmod(0o755)
    jid = job_id(c.run(["bsub", "-o", "o.txt", "./cmd.sh"], cwd=tmp_path))
    c.wait_for(lambda: field(c, "stat", jid) == "DONE")
    assert (tmp_path / "o.txt").read_text() == "name=./cmd.sh\n"


@pytest.mark.parametrize(
    ("args", "script", "stderr"),
    [
        (["-q", "nosuch"], "hostname\n", "nosuch: No such queue. Job not submitted.\n"),
        (["-n", "3"], "hostname\n", "Too many processors requested. Job not submitted.\n"),
        (
            [],
            '#BSUB -n 2\n#BSUB -R "span[ptiles=32]"\nhostname\n',
            "Error in span section. Job not submitted.\n",
        ),
        (["-n", "x"], "hostname\n", "Bad argument for option -n. Job not submitted.\n"),
        (
            ["-W", "1:00:00"],
            "hostname\n",
            "1:00:00: Bad RUNLIMIT specification. Job not submitted.\n",
        ),
    ],
)
def test_submission_errors(
    sim_cluster: Any, tmp_path: Path, args: list[str], script: str, stderr: str
) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=2)
    r = bsub(c, tmp_path, script, *args)
    assert (r.stdout, r.stderr, r.returncode) == ("", stderr, 255)
    assert c.engine.jobs() == []


def test_illegal_option_and_empty_script(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf")
    r = bsub(c, tmp_path, "hostname\n", "-Y")
    assert r.returncode == 255
    assert r.stderr.startswith("bsub: illegal option -- Y\nUsage: bsub ")
    r = bsub(c, tmp_path, "#BSUB -n 1\n")
    assert r.stderr == "No command is specified in the script file. Job not submitted.\n"


def test_bjobs_unknown_ids_and_empty_cluster(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf")
    r = c.run(["bjobs", "99"])
    assert (r.stdout, r.stderr, r.returncode) == ("", "Job <99> is not found\n", 255)
    r = c.run(["bjobs"])
    assert (r.stdout, r.stderr, r.returncode) == ("", "No unfinished job found\n", 255)
    r = c.run(["bjobs", "-o", "nonsense"])
    assert r.returncode == 255


def test_commands_never_write_outside_their_buffers(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf")
    r = c.run(["bjobs", "-noheader", "-o", "stat"], env={"LANG": "C"})
    assert r.stdout == ""
    assert os.path.isdir(c.bin)


def test_transient_fault_answers_like_a_down_lim(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf")
    c.set_faults([{"kind": "transient", "command": "bsub", "count": 1}])
    r = bsub(c, tmp_path, "hostname\n")
    assert r.returncode == 255
    assert r.stderr == (
        "lsb_init: Failed in an LSF library call: LIM is down; try later. Job not submitted.\n"
    )
    assert c.engine.jobs() == []
    assert job_id(bsub(c, tmp_path, "hostname\n")) == "1"


def test_odd_job_ids_are_unknown_not_crashes(sim_cluster: Any) -> None:
    c = sim_cluster("lsf")
    for ref in ("1²", "x", "1[²]", "1[2"):
        r = c.run(["bjobs", ref])
        assert (r.stderr, r.returncode) == (f"Job <{ref}> is not found\n", 255)
        r = c.run(["bkill", ref])
        assert (r.stderr, r.returncode) == (f"Job <{ref}>: No matching job found\n", 255)

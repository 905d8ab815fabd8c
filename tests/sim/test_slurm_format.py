"""Fake squeue's -O/--Format: the real field names, headers, widths and values, and the real errors.

Source of every text asserted here: real Slurm 22.05.8 on the CI machine (cluster 'cjcluster'), observed with
`squeue -t all -O NAME:0|` for every field its manual lists, unless a comment says otherwise.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from clusterjob_sim.activate import create_spool
from clusterjob_sim.engine.command import run_command
from clusterjob_sim.engine.core import Engine
from clusterjob_sim.engine.jobs import user_name
from clusterjob_sim.engine.refusal import not_implemented_text


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return create_spool(tmp_path / "spool", "slurm", nodes=2, cores_per_node=4)


def run(spool: Path, command: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = run_command(spool, command, list(argv), stdin=io.StringIO(""), stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def held(spool: Path, *argv: str) -> str:
    rc, out, err = run(spool, "sbatch", "--parsable", "--hold", *argv, "--wrap", "true")
    assert (rc, err) == (0, ""), err
    return out.strip()


def ended(spool: Path, **spec: object) -> str:
    """Record one finished job (state, exit code, signal as given); return its id."""
    engine = Engine(spool)
    first = engine.max_job_id() + 1
    row = {"name": "done", "nodes": 1, "cores_per_node": 1, "state": "COMPLETED", "exit_code": 0,
           "signal": 0, "start_time": engine.now() - 5, "end_time": engine.now() - 1,
           "nodelist": "node01", "workdir": "/tmp", "walltime_s": 600, **spec}  # fmt: skip
    engine.insert_many([row])
    engine.close()
    return str(first)


def test_psij_poll_answers_as_real_squeue(spool: Path) -> None:
    """PSI/J's status command; real squeue 22.05.8: 20-wide left-justified columns, trailing blanks kept."""
    ok = ended(spool)
    bad = ended(spool, state="FAILED", exit_code=3)
    pend = held(spool)
    rc, out, err = run(spool, "squeue", "-O", "JobArrayID,StateCompact,Reason", "-t", "all", "--me")
    assert (rc, err) == (0, "")
    assert out.splitlines() == [
        "JOBID               ST                  REASON              ",
        f"{ok:<20}CD                  None                ",
        f"{bad:<20}F                   NonZeroExitCode     ",
        f"{pend:<20}PD                  JobHeldUser         ",
    ]


def test_headers_of_the_fields_clients_use(spool: Path) -> None:
    held(spool)
    fields = ("JobArrayID,StateCompact,State,Reason,JobID,Name,UserName,Partition,NumNodes,NumCPUs,"
              "TimeUsed,TimeLimit,NodeList,exit_code,WorkDir,SubmitTime,StartTime,EndTime,ReasonList,"
              "ArrayJobID,ArrayTaskID,UserID,Cluster,STDOUT,NumTasks,cpus-per-task,QOS,Account")  # fmt: skip
    _, out, _ = run(spool, "squeue", "-O", ",".join(f + ":0|" for f in fields.split(",")))
    assert out.splitlines()[0].split("|")[:-1] == [
        "JOBID", "ST", "STATE", "REASON", "JOBID", "NAME", "USER", "PARTITION", "NODES", "CPUS",
        "TIME", "TIME_LIMIT", "NODELIST", "EXIT_CODE", "WORK_DIR", "SUBMIT_TIME", "START_TIME",
        "END_TIME", "NODELIST(REASON)", "ARRAY_JOB_ID", "ARRAY_TASK_ID", "UID", "CLUSTER", "STDOUT",
        "TASKS", "CPUS_PER_TASK", "QOS", "ACCOUNT",
    ]  # fmt: skip


def test_values_per_state(spool: Path) -> None:
    """exit_code is the raw wait status (exit 3 -> 768, scancel of a running job -> 15); failed, timed out
    and pending jobs show '(reason)' in ReasonList; a job killed by its own signal shows JobLaunchFailure."""
    cases = {
        ended(spool): ("CD", "None", "node01", "0"),
        ended(spool, state="FAILED", exit_code=3): (
            "F",
            "NonZeroExitCode",
            "(NonZeroExitCode)",
            "768",
        ),
        ended(spool, state="FAILED", signal=9): (
            "F",
            "JobLaunchFailure",
            "(JobLaunchFailure)",
            "9",
        ),
        ended(spool, state="TIMEOUT", signal=15): ("TO", "TimeLimit", "(TimeLimit)", "15"),
        ended(spool, state="CANCELLED", signal=15): ("CA", "None", "node01", "15"),
        # Source for these two: squeue's print.c _print_job_reason_list and slurm_protocol_defs.c
        # job_reason_string (FAIL_OOM -> OutOfMemory, FAIL_DOWN_NODE -> NodeDown)
        ended(spool, state="OUT_OF_MEMORY", signal=9): ("OOM", "OutOfMemory", "(OutOfMemory)", "9"),
        ended(spool, state="NODE_FAIL", signal=9): ("NF", "NodeDown", "node01", "9"),
        held(spool): ("PD", "JobHeldUser", "(JobHeldUser)", "0"),
    }
    _, out, _ = run(spool, "squeue", "-h", "-t", "all", "-O",
                     "JobID:0|,StateCompact:0|,Reason:0|,ReasonList:0|,exit_code:0")  # fmt: skip
    got = {line.split("|")[0]: tuple(line.split("|")[1:]) for line in out.splitlines()}
    assert got == cases


def test_cancelled_while_pending_keeps_its_reason_and_no_nodes(spool: Path) -> None:
    job = held(spool)
    assert run(spool, "scancel", job)[0] == 0
    out = run(
        spool,
        "squeue",
        "-h",
        "-t",
        "all",
        "-O",
        "StateCompact:0|,Reason:0|,ReasonList:0|,EndTime:0",
    )
    assert out[1].split("|")[:3] == ["CA", "JobHeldUser", ""]


def test_widths_suffixes_and_justification(spool: Path) -> None:
    job = held(spool, "-J", "heldjob")
    # size cuts (the header too), '.' right-justifies, no digits after ':' means no padding, a suffix follows
    assert run(spool, "squeue", "-O", "JobID:5,Name:.10,State:", "-j", job)[1] == (
        f"JOBID      NAMESTATE\n{job[:5]:<5}   heldjobPENDING\n"  # a 7-digit id is cut too
    )
    assert run(spool, "squeue", "-O", "JobID:5x,Name:.10y,State:z", "-j", job)[1] == (
        f"JOBIDx      NAMEySTATEz\n{job[:5]:<5}x   heldjobyPENDINGz\n"
    )
    assert run(spool, "squeue", "-h", "-O", "exit_code:6", "-j", job)[1] == "0     \n"
    assert run(spool, "squeue", "-O", "exit_code:6,Name", "-j", job)[1].startswith("EXIT_CNAME  ")
    # names in any case; empty items skipped; a negative size prints the text and a blank
    assert run(spool, "squeue", "-O", "jobid,,STATE", "-j", job)[1].splitlines()[0] == (
        "JOBID               STATE               "
    )
    assert run(spool, "squeue", "-O", "jobid:-5,state:abc", "-j", job)[1] == (
        f"JOBID STATEabc\n{job} PENDINGabc\n"
    )


def test_unknown_field_is_reported_and_printed_empty(spool: Path) -> None:
    job = held(spool)
    assert run(spool, "squeue", "-O", "foo") == (
        0, "\n\n", "squeue: error: Invalid job format specification: foo\n")  # fmt: skip
    assert run(spool, "squeue", "-O", "JobID:0|,Bogus:7|,Name:0", "-j", job) == (
        0, f"JOBID||NAME\n{job}||wrap\n", "squeue: error: Invalid job format specification: Bogus\n")  # fmt: skip
    # a blank is no separator: one unknown field
    assert run(spool, "squeue", "-O", "JobID State", "-j", job)[2] == (
        "squeue: error: Invalid job format specification: JobID State\n"
    )
    # step fields are no job fields (real: CPUFreq, StepID)
    assert run(spool, "squeue", "-O", "StepID", "-j", job)[2].endswith("specification: StepID\n")


def test_format_and_Format_exclude_each_other_long_does_not(spool: Path) -> None:
    job = held(spool)
    assert run(spool, "squeue", "-o", "%i", "-O", "State") == (
        1, "", "squeue: error: -O (--Format) is incompatible with -o (--format)\n")  # fmt: skip
    assert run(spool, "squeue", "--Format=State", "--format=%i") == (
        1, "", "squeue: error: -o (--format) is incompatible with -O (--Format)\n")  # fmt: skip
    lines = run(spool, "squeue", "-l", "-O", "State", "-j", job)[1].splitlines()
    assert lines[1:] == ["STATE               ", "PENDING             "]


def test_field_the_fake_does_not_compute_fails_loudly(spool: Path) -> None:
    held(spool)
    assert run(spool, "squeue", "-O", "JobID,AllocSID") == (
        1, "", not_implemented_text("squeue", "-O AllocSID"))  # fmt: skip


def test_running_job_fields(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm", nodes=2, cores_per_node=2)
    job = c.run(["sbatch", "--parsable", "-N", "2", "-t", "5", "-J", "runjob", "--wrap", "sleep 30"],
                cwd=tmp_path).stdout.strip()  # fmt: skip
    c.wait_for(lambda: c.engine.jobs()[0].state == "RUNNING")
    fields = "JobID:0|,StateCompact:0|,NodeList:0|,NumNodes:0|,NumCPUs:0|,TimeLimit:0|,UserName:0|,WorkDir:0"
    out = c.run(["squeue", "-h", "-O", fields, "-j", job]).stdout
    assert out == f"{job}|R|node[01-02]|2|2|5:00|{user_name()}|{tmp_path}\n"
    start, end = c.run(["squeue", "-h", "-O", "StartTime:0|,EndTime:0", "-j", job]).stdout.split(
        "|"
    )
    # a running job's EndTime is its start plus its limit (seen: 13:21:02 + 5:00 -> 13:26:02)
    from datetime import datetime, timedelta

    fmt = "%Y-%m-%dT%H:%M:%S"
    assert datetime.strptime(end.strip(), fmt) - datetime.strptime(start, fmt) == timedelta(
        minutes=5
    )
    c.run(["scancel", job])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # PSI/J's list command
        (["--me", "-o", "%i", "-h", "-r", "-t", "all"], "{job}\n"),
        # parsl's fallback when sacct fails: `squeue --noheader --format='%i %t' --job '{ids}'`
        (["--noheader", "--format=%i %t", "--job", "{job}"], "{job} PD\n"),
        # snakemake's squeue status query
        (["--format=%i|%T", "--states=all", "--noheader", "--name", "wrap"], "{job}|PENDING\n"),
    ],
)
def test_client_queries(spool: Path, argv: list[str], expected: str) -> None:
    job = held(spool)
    assert run(spool, "squeue", *[a.format(job=job) for a in argv]) == (
        0,
        expected.format(job=job),
        "",
    )

"""bjobs and bkill selections by project, name, queue and user, and what they say when nothing matches.

Texts: OpenLava lsbatch/cmd/cmd.err.c jobInfoErr() (catgets 801, 808, 814-820: "Job <%s> is not found%s",
"No DONE/EXIT job found%s", "No running job found%s" ... with " in queue <Q>"), lsbatch/lib/lsb.err.c
(LSBE_BAD_QUEUE "No such queue", printed by lsb_perror(queue) as "Q: No such queue") and IBM's LSF 10.1
bkill(1) page (https://www.ibm.com/docs/en/SSWRJV_10.1.0/lsf_command_ref/bkill.1.html: "-J job_name ...
Operates on jobs with the specified job name ... the most recently submitted job"; "Job ID 0 ... all jobs
that satisfy other options").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

Cluster = Any  # clusterjob_sim.pytest_fixtures.SimCluster


def submit(c: Cluster, cwd: Path, *args: str, gate: str = "never") -> str:
    """`bsub ARGS < job.sh` of a job that waits for `gate`; its id."""
    (cwd / "job.sh").write_text(f'#!/bin/sh\nwhile [ ! -e "{cwd / gate}" ]; do sleep 0.05; done\n')
    r = c.run(["sh", "-c", f"bsub {' '.join(args)} < job.sh"], cwd=cwd)
    assert r.returncode == 0, r.stderr
    return r.stdout.split("<", 1)[1].split(">", 1)[0]


def ids(c: Cluster, *args: str) -> list[str]:
    """The JOBID column of `bjobs -noheader -o jobid ARGS`."""
    r = c.run(["bjobs", "-noheader", "-o", "jobid", *args])
    return r.stdout.split()


def answer(r: Any) -> tuple[str, str, int]:
    return (r.stdout, r.stderr, r.returncode)


def stat(c: Cluster, ref: str) -> str:
    return c.run(["bjobs", "-noheader", "-o", "stat", ref]).stdout.strip()


@pytest.fixture
def four(sim_cluster: Any, tmp_path: Path) -> tuple[Cluster, list[str]]:
    """Four waiting jobs: alpha_1 (proj A, normal), alpha_2 (proj B, short), beta (normal), arr[1-2]."""
    c = sim_cluster("lsf", nodes=1, cores_per_node=8)
    jobs = [
        submit(c, tmp_path, "-J", "alpha_1", "-P", "A"),
        submit(c, tmp_path, "-J", "alpha_2", "-P", "B", "-q", "short"),
        submit(c, tmp_path, "-J", "beta"),
        submit(c, tmp_path, "-J", "'arr[1-2]'"),
    ]
    return c, jobs


def test_bjobs_P_filters_by_project(four: tuple[Cluster, list[str]]) -> None:
    c, (a1, a2, beta, arr) = four
    assert ids(c, "-P", "A") == [a1]
    assert ids(c, "-P", "B") == [a2]
    assert ids(c, "-P", "default") == [beta, arr, arr]  # without -P: the project "default"
    assert c.run(["bjobs", "-noheader", "-o", "proj_name", a2]).stdout == "B\n"


def test_bjobs_J_takes_wildcards_and_array_elements(four: tuple[Cluster, list[str]]) -> None:
    c, (a1, a2, beta, arr) = four
    assert ids(c, "-J", "alpha*") == [a1, a2]
    assert ids(c, "-J", "*_2") == [a2]
    assert ids(c, "-J", "*") == [a1, a2, beta, arr, arr]
    assert ids(c, "-J", "beta") == [beta]
    assert ids(c, "-J", "bet") == []
    r = c.run(["bjobs", "-noheader", "-o", "jobid job_name", "-J", "arr[2]"])
    assert r.stdout == f"{arr} arr[2]\n"
    assert c.run(["bjobs", "-noheader", "-o", "job_name", "-J", "arr"]).stdout == (
        "arr[1]\narr[2]\n"
    )


def test_bjobs_q_filters_and_refuses_an_unknown_queue(four: tuple[Cluster, list[str]]) -> None:
    c, (_a1, a2, _beta, _arr) = four
    assert ids(c, "-q", "short") == [a2]
    # Source: lsb.err.c LSBE_BAD_QUEUE through jobInfoErr's lsb_perror(queue)
    assert answer(c.run(["bjobs", "-q", "nosuch"])) == ("", "nosuch: No such queue\n", 255)


def test_empty_selections_say_what_cmd_err_c_says(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=2)
    # Source: cmd.err.c jobInfoErr, catgets 815 / 814 / 816 / 819 / 808 with 801 (" in queue <")
    assert answer(c.run(["bjobs"])) == ("", "No unfinished job found\n", 255)
    assert answer(c.run(["bjobs", "-a"])) == ("", "No job found\n", 255)
    assert answer(c.run(["bjobs", "-d"])) == ("", "No DONE/EXIT job found\n", 255)
    assert answer(c.run(["bjobs", "-r"])) == ("", "No running job found\n", 255)
    assert answer(c.run(["bjobs", "-J", "nojob"])) == ("", "Job <nojob> is not found\n", 255)
    assert answer(c.run(["bjobs", "-q", "short"])) == (
        "",
        "No unfinished job found in queue <short>\n",
        255,
    )
    assert answer(c.run(["bjobs", "-d", "-q", "short"])) == (
        "",
        "No DONE/EXIT job found in queue <short>\n",
        255,
    )
    assert answer(c.run(["bjobs", "-J", "x*", "-q", "short"])) == (
        "",
        "Job <x*> is not found in queue <short>\n",
        255,
    )
    # a pending job is no running job, and an unfinished one is no DONE/EXIT job
    submit(c, tmp_path, "-n", "2")
    submit(c, tmp_path, "-n", "2")
    c.wait_for(lambda: stat(c, "1") == "RUN")
    assert c.run(["bjobs", "-d"]).stderr == "No DONE/EXIT job found\n"
    assert c.run(["bjobs", "-r", "-q", "short"]).stderr == "No running job found in queue <short>\n"
    assert ids(c, "-r") == ["1"]


def test_bkill_J_kills_the_most_recent_matching_job(four: tuple[Cluster, list[str]]) -> None:
    c, (a1, a2, _beta, _arr) = four
    r = c.run(["bkill", "-J", "alpha*"])
    assert answer(r) == (f"Job <{a2}> is being terminated\n", "", 0)
    c.wait_for(lambda: stat(c, a2) == "EXIT")
    assert stat(c, a1) in ("RUN", "PEND")
    r = c.run(["bkill", "-J", "alpha*", "0"])
    assert answer(r) == (f"Job <{a1}> is being terminated\n", "", 0)
    c.wait_for(lambda: stat(c, a1) == "EXIT")
    # Source: cmd.err.c catgets 808 for a name, 815 when nothing unfinished is left
    assert answer(c.run(["bkill", "-J", "alpha*"])) == ("", "Job <alpha*> is not found\n", 255)


def test_bkill_q_and_u_select_the_last_job_and_0_selects_all(
    four: tuple[Cluster, list[str]],
) -> None:
    c, (a1, a2, beta, arr) = four
    r = c.run(["bkill", "-q", "normal"])
    assert answer(r) == (f"Job <{arr}> is being terminated\n", "", 0)
    c.wait_for(lambda: stat(c, f"{arr}[2]") == "EXIT")
    r = c.run(["bkill", "-q", "short", "0"])
    assert answer(r) == (f"Job <{a2}> is being terminated\n", "", 0)
    assert answer(c.run(["bkill", "-q", "nosuch"])) == ("", "nosuch: No such queue\n", 255)
    r = c.run(["bkill", "-u", "all", "0"])
    assert r.returncode == 0
    assert r.stdout == f"Job <{a1}> is being terminated\nJob <{beta}> is being terminated\n"
    for ref in (a1, beta):
        c.wait_for(lambda ref=ref: stat(c, ref) == "EXIT")
    assert answer(c.run(["bkill", "-u", "all", "0"])) == ("", "No unfinished job found\n", 255)
    assert answer(c.run(["bkill", "-q", "short"])) == (
        "",
        "No unfinished job found in queue <short>\n",
        255,
    )


def test_bkill_needs_a_job_or_a_selection(sim_cluster: Any) -> None:
    c = sim_cluster("lsf")
    # Source: OpenLava lsbatch/cmd/cmd.sig.c do_options(): catgets 467, then usage() and exit(-1)
    r = c.run(["bkill"])
    assert (r.stdout, r.returncode) == ("", 255)
    first, usage = r.stderr.split("\n", 1)
    assert first == "Job ID or one of '-m', '-u' '-q' and '-J' must be specified."
    assert usage.startswith("Usage: bkill [-h] [-V] [-l] [-m host_name] [-q queue_name]\n")

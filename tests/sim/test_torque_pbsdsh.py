"""The fake Torque's pbsdsh inside a job: tasks on every virtual node, -u/-n/-c/-h/-o/-s, the task
variables, and the refusals of Torque 6.1.3's src/cmds/pbsdsh.c."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pbs_helpers
import pytest
from pbs_helpers import submit_script, wait_state

pytestmark = pytest.mark.slow

make, cluster = pbs_helpers.cluster_fixtures("torque")


def run_job(c: Any, body: str, resources: str = "nodes=2:ppn=2") -> tuple[str, str]:
    """Submit `body` as a job, wait until it completes, return its (stdout, stderr) files' text."""
    job = submit_script(c, "dsh.sh", f"#PBS -l {resources}\n{body}")
    wait_state(c, job, "C")
    seq = job.split(".")[0]
    out = Path(c.path) / f"dsh.sh.o{seq}"
    err = Path(c.path) / f"dsh.sh.e{seq}"
    return out.read_text(), err.read_text()


def test_every_virtual_node_and_its_variables(cluster: Any) -> None:
    """Without -c/-n one task per $PBS_NODEFILE line; each sees its node and TM numbers."""
    # Source: Torque 6.1.3 man page doc/man1/pbsdsh.1.in ("When run without the -c or the -n option,
    # pbsdsh will spawn the program on all nodes allocated"; PBS_TASKNUM, PBS_NODENUM, PBS_VNODENUM).
    out, err = run_job(
        cluster,
        "pbsdsh sh -c 'echo $(hostname) $PBS_NODENUM $PBS_VNODENUM $PBS_TASKNUM'\necho done\n",
    )
    lines = out.splitlines()
    assert lines[-1] == "done" and err == ""
    rows = sorted(tuple(line.split()) for line in lines[:-1])
    assert [r[:3] for r in rows] == [
        ("node01", "0", "0"),
        ("node01", "0", "1"),
        ("node02", "1", "2"),
        ("node02", "1", "3"),
    ]
    assert len({r[3] for r in rows}) == 4  # distinct task ids


def test_unique_one_node_copies_and_host(cluster: Any) -> None:
    """-u once per host, -n N the N-th virtual node, -c N the first N, -h HOST that host; -s in turn."""
    # Source: Torque 6.1.3 man page doc/man1/pbsdsh.1.in (-c, -n, -h, -s, -u) and src/cmds/pbsdsh.c.
    out, _ = run_job(
        cluster,
        "pbsdsh -u hostname; echo ---; pbsdsh -n 3 hostname; echo ---; pbsdsh -c 3 -s hostname\n"
        "echo ---; pbsdsh -h node02 hostname\n",
    )
    unique, one, copies, host = out.split("---\n")
    assert sorted(unique.split()) == ["node01", "node02"]
    assert one == "node02\n"
    assert copies == "node01\nnode01\nnode02\n"  # -s: one after the other, in node order
    assert host == "node02\n"


def test_o_sends_output_to_pbsdsh(cluster: Any) -> None:
    """-o: the tasks write to pbsdsh's own stdout (here a file), not the job's output."""
    # Source: Torque 6.1.3 src/cmds/pbsdsh.c usage ("-o = direct tasks' stdout and stderr to the
    # corresponding streams of pbsdsh").
    out, _ = run_job(cluster, "pbsdsh -o -u hostname > $PBS_O_WORKDIR/mine.txt\n")
    assert out == ""
    assert sorted((Path(cluster.path) / "mine.txt").read_text().split()) == ["node01", "node02"]


def test_failed_task_and_refusals(cluster: Any) -> None:
    """A task's non-zero exit is reported and pbsdsh still exits 0; -c past the nodes, no program and
    -c with -n are refused with rc 1; outside a job ``not executing under PBS``."""
    # Source: Torque 6.1.3 src/cmds/pbsdsh.c: id is "pbsdsh(%s)" (empty without PBSDEBUG); "%s: task %d
    # exit status %d" when non-zero; "%s: only %d nodes available"; "must specify a program" + usage, exit 1.
    out, err = run_job(
        cluster,
        "pbsdsh -n 1 sh -c 'exit 3'; echo rc=$?\npbsdsh -c 9 true; echo rc=$?\n"
        "pbsdsh; echo rc=$?\npbsdsh -c 1 -n 1 true; echo rc=$?\n",
    )
    assert out == "rc=0\nrc=1\nrc=1\nrc=1\n"
    lines = err.splitlines()
    assert lines[0] == "pbsdsh(): task 1 exit status 3"
    assert lines[1] == "pbsdsh(): only 4 nodes available"
    assert lines[2] == "pbsdsh(): must specify a program"
    assert lines[3].startswith(
        "Usage: pbsdsh [-c copies][-e name[=[value]][,...]][-E][-o][-s][-u][-v]"
    )
    r = cluster.run(
        ["pbsdsh", "hostname"], env={k: v for k, v in cluster.env.items() if k != "PBS_ENVIRONMENT"}
    )
    assert (r.returncode, r.stderr) == (1, "pbsdsh(): not executing under PBS\n")


def test_unimplemented_options_fail_loudly(cluster: Any) -> None:
    """-v (the task manager's event trace) and -e/-E are not simulated: refused, nothing runs."""
    r = cluster.run(["pbsdsh", "-v", "hostname"])
    assert r.returncode == 2 and "-v is not implemented" in r.stderr

"""The fake PBS Pro's pbsdsh inside a job: tasks on every virtual node, -n/-c/-s/-o, the task variables,
and the refusals of OpenPBS 23.06.06's src/cmds/pbsdsh.c."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pbs_helpers
import pytest
from pbs_helpers import submit_script, wait_state

pytestmark = pytest.mark.slow

make, cluster = pbs_helpers.cluster_fixtures("pbspro")


def run_job(c: Any, body: str, select: str = "select=2:ncpus=2:mpiprocs=2") -> tuple[str, str]:
    """Submit `body` as a job in the submit folder, wait until it finished, return (stdout, stderr)."""
    job = submit_script(c, "dsh.sh", f"#PBS -l {select}\ncd $PBS_O_WORKDIR\n{body}")
    wait_state(c, job, "F")
    seq = job.split(".")[0]
    return (Path(c.path) / f"dsh.sh.o{seq}").read_text(), (
        Path(c.path) / f"dsh.sh.e{seq}"
    ).read_text()


def test_every_virtual_node_and_its_variables(cluster: Any) -> None:
    """Without -c/-n one task per virtual node (mpiprocs lines of $PBS_NODEFILE); each task's
    `hostname` answers its node, with its PBS_NODENUM / PBS_VNODENUM / PBS_TASKNUM."""
    # Source: OpenPBS 23.06.06 man page doc/man1/pbsdsh.1B ("Without -c or -n, runs the program on all
    # nodes"; PBS_TASKNUM, PBS_NODENUM, PBS_VNODENUM) and src/cmds/pbsdsh.c (stop = numnodes).
    out, err = run_job(
        cluster, "pbsdsh -- sh -c 'echo $(hostname) $PBS_NODENUM $PBS_VNODENUM'\necho done\n"
    )
    lines = out.splitlines()
    assert lines[-1] == "done" and err == ""
    assert sorted(lines[:-1]) == ["node01 0 0", "node01 0 1", "node02 1 2", "node02 1 3"]


def test_one_node_copies_in_turn(cluster: Any) -> None:
    """-n N: the N-th node, wrapping (nd = (start + c) % numnodes); -c N: N copies from the first."""
    # Source: OpenPBS 23.06.06 src/cmds/pbsdsh.c (nd = (start + c) % numnodes; -s one at a time).
    out, _ = run_job(
        cluster,
        "pbsdsh -n 2 hostname; echo ---; pbsdsh -n 5 hostname; echo ---\npbsdsh -s -c 5 hostname\n",
    )
    one, wrapped, copies = out.split("---\n")
    assert (one, wrapped) == ("node02\n", "node01\n")
    assert copies == "node01\nnode01\nnode02\nnode02\nnode01\n"


def test_o_waits_for_no_obit(cluster: Any) -> None:
    """-o: pbsdsh returns while its task still waits for a gate the script opens afterwards."""
    # Source: OpenPBS 23.06.06 src/cmds/pbsdsh.c usage ("-o = no obits are waited for").
    out, _ = run_job(
        cluster,
        "pbsdsh -o -n 0 -- sh -c 'cd $PBS_O_WORKDIR; while [ ! -e gate ]; do sleep 0.05; done; "
        "touch late'\necho returned; touch gate\n"
        "while [ ! -e late ]; do sleep 0.05; done; echo later\n",
    )
    assert out == "returned\nlater\n"


def test_failed_task_and_refusals(cluster: Any) -> None:
    """A non-zero task is reported on stdout and pbsdsh exits 0; usage errors exit 1; outside a job
    ``not executing under PBS``."""
    # Source: OpenPBS 23.06.06 src/cmds/pbsdsh.c: printf("%s: task 0x%08X exit status %d\n"); usage
    # "Usage: %s [-c copies][-s][-v][-o] -- program [args...]" then exit(1); "%s: not executing under PBS".
    out, err = run_job(
        cluster,
        "pbsdsh -n 1 -- sh -c 'exit 3'; echo rc=$?\npbsdsh; echo rc=$?\n"
        "pbsdsh -c 1 -n 1 true; echo rc=$?\n",
    )
    assert out == "pbsdsh: task 0x00000000 exit status 3\nrc=0\nrc=1\nrc=1\n"
    assert err.splitlines()[0] == "Usage: pbsdsh [-c copies][-s][-v][-o] -- program [args...]"
    env = {k: v for k, v in cluster.env.items() if k != "PBS_ENVIRONMENT"}
    r = cluster.run(["pbsdsh", "hostname"], env=env)
    assert (r.returncode, r.stderr) == (1, "pbsdsh: not executing under PBS\n")
    r = cluster.run(["pbsdsh", "--version"])
    assert (r.returncode, r.stdout) == (0, "pbs_version = 22.05.11\n")

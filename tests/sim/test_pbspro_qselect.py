"""The fake PBS Pro's qselect: full ids of the queued/running/held jobs that match, one a line; an array
once as ``N[]``; the refusals of OpenPBS 23.06.06's src/cmds/qselect.c."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pbs_helpers
import pytest
from pbs_helpers import SERVER, submit_script, wait_state

pytestmark = pytest.mark.slow

make, cluster = pbs_helpers.cluster_fixtures("pbspro")


def test_select_by_state_name_and_arrays(cluster: Any) -> None:
    """-s, -N, -q; finished jobs are not selected without -x; an array is its parent id."""
    # Source: OpenPBS 23.06.06 src/cmds/qselect.c (printf("%s\n") per id; history only with -x/-H) and man
    # page doc/man1/qselect.1B ("-J: limits selection to job arrays", so without it the parent is listed).
    gate = Path(cluster.path) / "gate"
    done = submit_script(cluster, "quick.sh", "true\n")
    wait_state(cluster, done, "F")
    running = submit_script(
        cluster, "hold.sh", f"#PBS -N holder\nwhile [ ! -e {gate} ]; do sleep 0.05; done\n"
    )
    wait_state(cluster, running, "R")
    held = submit_script(cluster, "held.sh", "true\n", "-h")
    array = submit_script(cluster, "arr.sh", "true\n", "-h", "-J", "1-3")
    assert array == f"3[].{SERVER}"
    assert cluster.run(["qselect"]).stdout == f"{running}\n{held}\n{array}\n"
    assert cluster.run(["qselect", "-s", "R"]).stdout == f"{running}\n"
    assert cluster.run(["qselect", "-N", "holder", "-q", "workq"]).stdout == f"{running}\n"
    gate.touch()


def test_refusals(cluster: Any) -> None:
    """Unknown queue rc 170; an operand: usage rc 2; options it lacks fail loudly."""
    # Source: OpenPBS 23.06.06 src/server/req_select.c (PBSE_UNKQUE 15018 -> exit 170, msg_unkque
    # "Unknown queue"), src/cmds/qselect.c (print_usage, exit(2)).
    r = cluster.run(["qselect", "-q", "nowhere"])
    assert (r.returncode, r.stderr) == (170, "qselect: Unknown queue\n")
    r = cluster.run(["qselect", "12"])
    assert r.returncode == 2 and r.stderr.startswith("usage: qselect [-a [op]date_time]")
    assert r.stderr.endswith("\t[-x] [-u user_name]\n       qselect --version\n")
    r = cluster.run(["qselect", "-x"])
    assert r.returncode == 2 and "-x is not implemented" in r.stderr

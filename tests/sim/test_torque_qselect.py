"""The fake Torque's qselect: full ids of the jobs that match, one a line, completed ones too; the
usage and -s checks of Torque 6.1.3's src/cmds/qselect.c."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pbs_helpers
import pytest
from clusterjob_sim.engine.jobs import user_name
from pbs_helpers import SERVER, submit_script, wait_state

pytestmark = pytest.mark.slow

make, cluster = pbs_helpers.cluster_fixtures("torque")


def test_select_by_state_name_user_queue(cluster: Any) -> None:
    """-s letters, -N name, -u user, -q queue; completed jobs stay selectable (keep_completed)."""
    # Source: Torque 6.1.3 src/cmds/qselect.c (printf("%s\n") of each id the server's select returns;
    # -s accepts C E H Q R T W) and man page doc/man1/qselect.1.in.
    gate = Path(cluster.path) / "gate"
    done = submit_script(cluster, "quick.sh", "#PBS -N quick\ntrue\n")
    wait_state(cluster, done, "C")
    running = submit_script(
        cluster, "hold.sh", "#PBS -N holder\n" + f"while [ ! -e {gate} ]; do sleep 0.05; done\n"
    )
    wait_state(cluster, running, "R")
    held = submit_script(cluster, "held.sh", "true\n", "-h")
    assert cluster.run(["qselect"]).stdout == f"{done}\n{running}\n{held}\n"
    assert cluster.run(["qselect", "-s", "R"]).stdout == f"{running}\n"
    assert cluster.run(["qselect", "-s", "HC"]).stdout == f"{done}\n{held}\n"
    assert cluster.run(["qselect", "-N", "holder"]).stdout == f"{running}\n"
    assert cluster.run(["qselect", "-u", user_name(), "-q", "batch", "-s", "Q"]).stdout == ""
    assert cluster.run(["qselect", "-u", "nobody-else"]).stdout == ""
    assert running.endswith(f".{SERVER}")
    gate.touch()


def test_refusals(cluster: Any) -> None:
    """A bad -s letter and an operand: usage, rc 2; an option it lacks fails loudly."""
    # Source: Torque 6.1.3 src/cmds/qselect.c ("qselect: illegal -s value", the usage text, exit(2)).
    r = cluster.run(["qselect", "-s", "Z"])
    assert r.returncode == 2
    assert r.stderr.startswith(
        "qselect: illegal -s value\nusage: qselect                           [-a [op]date_time]"
    )
    r = cluster.run(["qselect", "12"])
    assert r.returncode == 2 and r.stderr.startswith("usage: qselect ")
    r = cluster.run(["qselect", "-A", "proj"])
    assert r.returncode == 2 and "-A is not implemented" in r.stderr

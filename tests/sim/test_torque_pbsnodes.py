"""The fake Torque's pbsnodes -l [STATE] as Torque 6.1.3's src/cmds/pbsnodes.c filters and prints nodes;
the attribute listing (the mom's status report) fails loudly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pbs_helpers
import pytest
from pbs_helpers import submit_script, wait_state

pytestmark = pytest.mark.slow

make, cluster = pbs_helpers.cluster_fixtures("torque")


def test_list_by_state(cluster: Any) -> None:
    """-l alone: down/offline/unknown nodes (none here); -l all / free / job-exclusive / active / up."""
    # Source: Torque 6.1.3 src/cmds/pbsnodes.c (filterbystate: tnsNONE down|offline|unknown; NState words;
    # printf("%-20.20s %s\n", name, state)); ND_* state words in src/include/pbs_ifl.h.
    gate = Path(cluster.path) / "gate"
    job = submit_script(
        cluster, "hold.sh", f"#PBS -l nodes=1:ppn=2\nwhile [ ! -e {gate} ]; do sleep 0.05; done\n"
    )
    wait_state(cluster, job, "R")
    assert cluster.run(["pbsnodes", "-l"]).stdout == ""
    both = "node01               job-exclusive\nnode02               free\n"
    assert cluster.run(["pbsnodes", "-l", "all"]).stdout == both
    assert cluster.run(["pbsnodes", "-l", "up"]).stdout == both
    assert cluster.run(["pbsnodes", "-l", "free"]).stdout == "node02               free\n"
    assert (
        cluster.run(["pbsnodes", "-l", "active"]).stdout == "node01               job-exclusive\n"
    )
    gate.touch()


def test_attribute_listing_fails_loudly(cluster: Any) -> None:
    """The default listing (-a) needs the mom's status report, not simulated: refused, rc 2."""
    r = cluster.run(["pbsnodes"])
    assert r.returncode == 2 and "option -a is not implemented" in r.stderr

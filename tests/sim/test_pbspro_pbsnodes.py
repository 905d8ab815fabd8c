"""The fake PBS Pro's pbsnodes: -a and named hosts as prt_node prints them, -l, the usage and unknown-node
refusals of OpenPBS 23.06.06's src/cmds/pbsnodes.c."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pbs_helpers
import pytest
from pbs_helpers import SERVER, submit_script, wait_state

pytestmark = pytest.mark.slow

make, cluster = pbs_helpers.cluster_fixtures("pbspro")


def test_all_nodes_attributes(make: Any) -> None:
    """``pbsnodes -a``: per node its name, ``     name = value`` lines in the server's attribute order
    (master_node_attr_def.xml: Mom, Port, pbs_version, ntype, state, pcpus, jobs, resources_available,
    resources_assigned, resv_enable, sharing, last_state_change_time, last_used_time), a blank line."""
    # Source: OpenPBS 23.06.06 src/cmds/pbsnodes.c prt_node (printf("     %s", name), ".%s" resource,
    # " = %s\n"; ctime() for last_used_time / last_state_change_time) and
    # src/lib/Libattr/master_node_attr_def.xml (the order).
    c = make(nodes=2, cores_per_node=2, mem_mb_per_node=4096)
    gate = Path(c.path) / "gate"
    job = submit_script(
        c, "hold.sh", f"#PBS -l select=1:ncpus=2\nwhile [ ! -e {gate} ]; do sleep 0.05; done\n"
    )
    wait_state(c, job, "R")
    r = c.run(["pbsnodes", "-a"])
    assert r.returncode == 0 and r.stderr == ""
    blocks = r.stdout.split("\n\n")
    assert blocks[-1] == "" and len(blocks) == 3
    first = blocks[0].splitlines()
    assert first[0] == "node01"
    keys = [line.split(" = ")[0] for line in first[1:]]
    assert keys == [
        "     Mom",
        "     Port",
        "     pbs_version",
        "     ntype",
        "     state",
        "     pcpus",
        "     jobs",
        "     resources_available.arch",
        "     resources_available.host",
        "     resources_available.mem",
        "     resources_available.ncpus",
        "     resources_available.vnode",
        "     resources_assigned.accelerator_memory",
        "     resources_assigned.hbmem",
        "     resources_assigned.mem",
        "     resources_assigned.naccelerators",
        "     resources_assigned.ncpus",
        "     resources_assigned.vmem",
        "     resv_enable",
        "     sharing",
        "     last_state_change_time",
    ]
    values = dict(line.strip().split(" = ", 1) for line in first[1:])
    assert values["state"] == "job-busy"
    assert values["jobs"] == f"{job}/0, {job}/1"
    assert values["resources_assigned.ncpus"] == "2"
    assert values["resources_available.mem"] == "4194304kb"
    second = dict(line.strip().split(" = ", 1) for line in blocks[1].splitlines()[1:])
    assert second["state"] == "free" and "jobs" not in second
    assert job.endswith(SERVER)
    gate.touch()


def test_one_node_list_and_refusals(cluster: Any) -> None:
    """A named host alone; an unknown one ``Node: X,  Error: Unknown node `` rc 1; -l lists down or
    offline nodes (none); no argument: usage, rc 1."""
    # Source: OpenPBS 23.06.06 src/cmds/pbsnodes.c (LISTSP: fprintf(stderr, "Node: %s,  Error: %s\n");
    # msg_unknode "Unknown node " in src/lib/Liblog/pbs_messages.c; LISTMRK; usage then exit(1)).
    r = cluster.run(["pbsnodes", "node02"])
    assert r.returncode == 0 and r.stdout.startswith("node02\n     Mom = node02\n")
    r = cluster.run(["pbsnodes", "nodeX"])
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "Node: nodeX,  Error: Unknown node \n")
    assert cluster.run(["pbsnodes", "-l"]).stdout == ""
    r = cluster.run(["pbsnodes"])
    assert r.returncode == 1
    assert r.stderr.startswith("usage:\tpbsnodes [-{o|r}][-C comment][-s server] host host ...\n")
    r = cluster.run(["pbsnodes", "-o", "node01"])
    assert r.returncode == 2 and "-o is not implemented" in r.stderr

"""Open MPI's mpirun inside a simulated Grid Engine job: tight integration through `qrsh -inherit`.

Open MPI 4.1 (Debian's openmpi-bin, /usr/bin/mpirun) takes Grid Engine's host list from $PE_HOSTFILE (ras
gridengine) and, when SGE_ROOT, ARC, PE_HOSTFILE and JOB_ID are set, starts its daemons on the other hosts with
`qrsh -inherit -nostdin -V -verbose HOST orted ...`, qrsh found on PATH or in $SGE_ROOT/bin/$ARC
(orte/mca/plm/rsh/plm_rsh_component.c, rsh_component_query). Seen on this machine's real Grid Engine 8.1.9
(2026-12-02, job 332 in a PE with control_slaves TRUE): `plm:rsh: using "/bin/qrsh -inherit -nostdin -V
-verbose" for launching`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

# Open MPI jobs run one at a time (xdist group): two mpiruns at once on one machine broke PMIx ("PMIX ERROR:
# ERROR in file .../dstore_base.c at line 1709" in the job's output, seen in CI with two workers)
pytestmark = [
    pytest.mark.xdist_group("openmpi"),
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("mpirun") is None, reason="Open MPI's mpirun is not installed"),
]

SCRIPT = """#!/bin/bash
#$ -pe mpi 4
#$ -cwd
mpirun --allow-run-as-root -np 4 hostname > ranks.txt; echo "rc=$?"
mpirun --allow-run-as-root --mca plm_base_verbose 10 -np 2 true 2>&1 | grep -o 'using "[^"]*"' | sort -u
"""


def test_mpirun_in_a_pe_job_reaches_every_node(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=2, cores_per_node=2)
    (tmp_path / "mpi.sh").write_text(SCRIPT)
    r = c.run(["qsub", "mpi.sh"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    jid = r.stdout.split()[2]
    out = tmp_path / f"mpi.sh.o{jid}"
    c.wait_for(lambda: out.exists() and not c.run(["qstat"]).stdout, timeout=120)
    assert (tmp_path / f"mpi.sh.e{jid}").read_text() == ""
    qrsh = Path(c.spool) / "bin" / "qrsh"
    assert out.read_text() == f'rc=0\nusing "{qrsh} -inherit -nostdin -V -verbose"\n'
    # $fill_up on 2 cores per node: 2 ranks on each node, each printing its simulated node's name
    assert sorted((tmp_path / "ranks.txt").read_text().split()) == ["node01"] * 2 + ["node02"] * 2
    steps = c.engine.steps(c.engine.jobs()[0])
    assert steps and {s.name for s in steps} == {"qrsh"}
    assert {s.state for s in steps} == {"COMPLETED"}

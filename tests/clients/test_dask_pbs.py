"""dask-jobqueue's PBSCluster, unchanged from PyPI, on the simulated Torque and PBS Pro: two worker jobs, a
computation through distributed.Client, then close (which qdels the jobs). Scheduler and workers talk
over 127.0.0.1 only (interface "lo")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("dask_jobqueue")
from dask_jobqueue import PBSCluster
from distributed import Client

# dask-jobqueue 0.9.0 writes `#PBS -l select=1:ncpus=C:mem=M` by default (dask_jobqueue/pbs.py). Real
# Torque 6.1.3 accepts and runs `-l select=1:ncpus=2` (real-pbs-build-notes.md), so the default is what
# both flavours get.
FLAVOURS = ("torque", "pbspro")


@pytest.mark.parametrize("scheduler", FLAVOURS)
def test_two_workers_compute_and_close(
    scheduler: str, client_cluster: Callable[..., Any], tmp_path: Any
) -> None:
    """scale(jobs=2): two qsub'd jobs whose workers join the scheduler; a sum over them; close qdels."""
    c = client_cluster(scheduler, nodes=2, cores_per_node=2, mem_mb_per_node=4096)
    with PBSCluster(
        cores=1,
        memory="1GB",
        processes=1,
        walltime="00:10:00",
        interface="lo",
        scheduler_options={"interface": "lo"},
        log_directory=str(tmp_path / "logs"),
        local_directory=str(tmp_path / "dask"),
    ) as cluster:
        script = cluster.job_script()
        assert "#PBS -l select=1:ncpus=1:mem=954MB" in script
        cluster.scale(jobs=2)
        with Client(cluster) as client:
            client.wait_for_workers(2, timeout=120)
            hosts = client.run(lambda: __import__("os").environ["CLUSTERJOB_SIM_NODE"])
            assert sorted(hosts.values()) == ["node01", "node01"]  # one core each: both fit node01
            assert all(addr.startswith("tcp://127.0.0.1:") for addr in hosts)
            total = client.submit(sum, client.map(lambda x: x * x, range(10))).result(timeout=60)
            assert total == 285
    issued = c.issued()
    assert sum(line.startswith("qsub ") and line.endswith("-> rc 0") for line in issued) == 2, (
        issued
    )
    assert sum(line.startswith("qdel ") for line in issued) >= 1, issued
    c.wait_for(lambda: all(job.finished for job in c.engine.jobs()), timeout=60)
    states = {job.state for job in c.engine.jobs()}
    assert states <= {"CANCELLED", "COMPLETED"}, states

"""dask-jobqueue's SLURMCluster, unchanged from PyPI, against the simulated Slurm: two worker jobs submitted
with sbatch, a computation through distributed.Client, and the jobs cancelled with scancel on close. The
scheduler and the workers talk over the loopback interface only (interface="lo")."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

dask_jobqueue = pytest.importorskip("dask_jobqueue")
distributed = pytest.importorskip("distributed")


def test_scale_compute_close(client_cluster, tmp_path: Path) -> None:
    cluster_sim = client_cluster("slurm", nodes=2, cores_per_node=2, mem_mb_per_node=4000)
    cluster = dask_jobqueue.SLURMCluster(
        cores=1, memory="1GB", processes=1, walltime="00:10:00", interface="lo",
        log_directory=str(tmp_path / "logs"), local_directory=str(tmp_path / "local"), death_timeout=60,
    )  # fmt: skip
    try:
        cluster.scale(jobs=2)
        with distributed.Client(cluster) as client:
            client.wait_for_workers(2, timeout=120)
            assert sum(client.gather(client.map(lambda x: x * x, range(10)))) == 285
            # every worker runs inside its own Slurm job
            job_ids = client.run(lambda: os.environ["SLURM_JOB_ID"])
            first = cluster_sim.config["first_job_id"]  # a realistic, 7-digit id
            assert sorted(job_ids.values()) == [str(first), str(first + 1)]
            assert all(addr.startswith("tcp://127.0.0.1:") for addr in job_ids)
    finally:
        cluster.close()
    issued = cluster_sim.issued()
    submits = [line for line in issued if line.startswith("sbatch ")]
    assert len(submits) == 2 and all(line.endswith("-> rc 0") for line in submits), issued
    cancels = [line for line in issued if line.startswith("scancel ")]
    first = cluster_sim.config["first_job_id"]
    assert sorted(cancels) == [f"scancel {first}  -> rc 0", f"scancel {first + 1}  -> rc 0"], issued
    cluster_sim.wait_for(lambda: all(j.finished for j in cluster_sim.engine.jobs()))
    assert [j.state for j in cluster_sim.engine.jobs()] == ["CANCELLED", "CANCELLED"]

"""dask-jobqueue's SGECluster, unchanged from PyPI, on the simulated Grid Engine: two worker jobs, a computation
through distributed.Client, close. Scheduler and workers listen on 127.0.0.1 only (interface "lo").

What dask-jobqueue 0.9 sends (dask_jobqueue/sge.py and core.py): `qsub SCRIPT` (the job id is the first number
of the answer) and `qdel ID...` when the cluster closes; it never polls.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

dask_jobqueue = pytest.importorskip("dask_jobqueue")
distributed = pytest.importorskip("distributed")


def test_sgecluster_two_jobs_compute_close(
    client_cluster: Callable[..., Any], tmp_path: Path
) -> None:
    cluster = client_cluster("sge", nodes=2, cores_per_node=1)
    logs = tmp_path / "logs"
    with dask_jobqueue.SGECluster(
        cores=1,
        processes=1,
        memory="1GB",
        walltime="00:10:00",
        interface="lo",
        scheduler_options={"interface": "lo"},
        log_directory=str(logs),
    ) as dc:
        dc.scale(jobs=2)
        with distributed.Client(dc) as client:
            client.wait_for_workers(2, timeout=120)
            addresses = list(client.scheduler_info()["workers"])
            assert len(addresses) == 2
            assert all(a.startswith("tcp://127.0.0.1:") for a in addresses)
            total = client.submit(sum, client.map(lambda x: x * x, range(10))).result(timeout=60)
            assert total == 285
            assert "#$ -l h_rt=00:10:00" in dc.job_script()
    cluster.wait_for(lambda: not cluster.engine.jobs(states=("PENDING", "RUNNING")), timeout=60)
    issued = cluster.issued()
    submits = [line for line in issued if line.startswith("qsub ")]
    assert len(submits) == 2 and all(line.endswith("-> rc 0") for line in submits)
    # each answer is the real `Your job N ("dask-worker") has been submitted`
    answers = [a["stdout"] for a in cluster.answers("qsub")]
    assert all(
        re.fullmatch(r'Your job \d+ \("dask-worker"\) has been submitted\n', a) for a in answers
    )
    deletes = [line for line in issued if line.startswith("qdel ")]
    assert deletes and all(line.endswith("-> rc 0") for line in deletes)
    states = {j.state for j in cluster.engine.jobs()}
    assert states == {"CANCELLED"}
    # -o/-e name the log folder (a trailing slash: the default file names inside it); -j y merges
    assert sorted(p.name for p in logs.iterdir()) == sorted(
        f"dask-worker.o{j.job_id}" for j in cluster.engine.jobs()
    )

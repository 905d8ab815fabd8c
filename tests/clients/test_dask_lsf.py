"""dask-jobqueue's LSFCluster, unchanged from PyPI and with its defaults, against the simulated LSF.

Its defaults: `bsub < script` (use-stdin), `#BSUB -M` in the unit it reads from $LSF_ENVDIR/lsf.conf
(LSF_UNIT_FOR_LIMITS; here not defined, LSF's own default, so KB), `bjobs`/`bkill` by id. -M is a run-time
limit on real LSF (enforced only with LSB_JOB_MEMLIMIT / LSB_MEMLIMIT_ENFORCE), never a reason to pend.
The scheduler and the workers listen on the loopback interface only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("dask_jobqueue")
pytest.importorskip("distributed")


def test_dask_lsfcluster_scales_computes_and_closes(
    client_cluster: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from clusterjob_sim import lsf
    from dask_jobqueue import LSFCluster
    from distributed import Client

    cluster = client_cluster("lsf", nodes=2, cores_per_node=2)
    # The activated cluster points LSF_ENVDIR at its lsf.conf, where dask-jobqueue reads the unit of -M.
    assert os.environ["LSF_ENVDIR"] == lsf.conf_dir(str(cluster.spool))

    with LSFCluster(cores=1, memory="1GiB", interface="lo") as dask_cluster:
        script = dask_cluster.job_script()
        assert "#BSUB -M 1073742" in script  # 1 GiB in KB (dask counts 1000 bytes a KB)
        dask_cluster.scale(jobs=2)
        with Client(dask_cluster) as client:
            client.wait_for_workers(2, timeout=120)
            hosts = {w["host"] for w in client.scheduler_info()["workers"].values()}
            assert hosts == {"127.0.0.1"}
            futures = client.map(lambda x: x * x, range(10))
            assert sum(client.gather(futures)) == 285
    jobs = cluster.engine.jobs()
    assert len(jobs) == 2
    issued = cluster.issued()
    submits = cluster.answers("bsub")
    # `bsub < script` through a shell: no arguments, the #BSUB lines read from stdin
    assert [(a["argv"], a["rc"]) for a in submits] == [([], 0), ([], 0)]
    assert any(line.startswith("bkill ") for line in issued)
    cluster.wait_for(lambda: all(j.finished for j in cluster.engine.jobs()))

"""Open MPI's mpirun (Debian's openmpi-bin 4.1.4, /usr/bin/mpirun) over the simulated nodes of each scheduler:
every rank runs on its node, so `hostname` answers node01/node02.

- Slurm: inside an allocation, no host file: Open MPI reads SLURM_JOBID, SLURM_NODELIST and SLURM_TASKS_PER_NODE
  (ras/slurm) and starts its daemons with `srun --ntasks-per-node=1 --kill-on-bad-exit --mpi=none ... orted`
  (plm/slurm; the strings of mca_plm_slurm.so), which the fake srun runs on the simulated nodes.
- Torque and PBS Pro: `--hostfile $PBS_NODEFILE` (one line per slot), the remote daemons over `ssh NODE`.
- LSF: `--hostfile $LSB_DJOB_HOSTFILE` (Debian's Open MPI is built without LSF support, so no blaunch: ssh).
Grid Engine is not here yet: Open MPI reads $PE_HOSTFILE only when it sees a Grid Engine job (SGE_ROOT, ARC,
PE_HOSTFILE, JOB_ID), and then starts its daemons with `qrsh -inherit`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.skipif(shutil.which("mpirun") is None, reason="needs openmpi-bin (mpirun)"),
    pytest.mark.xdist_group("openmpi"),  # see tests/sim/test_sge_mpirun.py
]

# Every simulated node is this one machine, so two of Open MPI's daemons may map hwloc's shared-memory topology at
# the same address and one segfaults (hwloc_shmem_topology_write, seen about once in ten runs): vmhole none
# turns that sharing off, as on a machine where no second daemon runs.
MPIRUN = "mpirun --allow-run-as-root --mca rtc_hwloc_vmhole none {hostfile} -np 4 hostname | sort; echo rc=$?\n"
RANKS = ["node01", "node01", "node02", "node02", "rc=0"]


def run_job(cluster, tmp_path: Path, argv: list[str], body: str) -> str:
    """Submit job.sh with argv (cwd tmp_path), wait until every job ended, return out.txt."""
    script = tmp_path / "job.sh"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    r = cluster.run(argv, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    cluster.wait_for(
        lambda: cluster.engine.jobs() and all(j.finished for j in cluster.engine.jobs()),
        timeout=120,
    )
    assert [j.state for j in cluster.engine.jobs()] == ["COMPLETED"]
    return (tmp_path / "out.txt").read_text()


def test_mpirun_in_a_slurm_allocation(client_cluster, tmp_path: Path) -> None:
    c = client_cluster("slurm", nodes=2, cores_per_node=2)
    argv = ["sbatch", "-N2", "--ntasks-per-node=2", "-o", "out.txt", "job.sh"]
    assert run_job(c, tmp_path, argv, MPIRUN.format(hostfile="")).splitlines() == RANKS
    sruns = [line for line in c.issued() if line.startswith("srun ")]
    assert sruns and all(
        line.startswith("srun --ntasks-per-node=1 --kill-on-bad-exit --mpi=none") for line in sruns
    ), c.issued()
    job = c.engine.jobs()[0]
    assert [(s.name, s.ntasks, s.state) for s in c.engine.steps(job)] == [("orted", 2, "COMPLETED")]


@pytest.mark.parametrize(
    ("scheduler", "select"),
    [("torque", "nodes=2:ppn=2"), ("pbspro", "select=2:ncpus=2:mpiprocs=2")],
)
def test_mpirun_with_pbs_nodefile(
    client_cluster, tmp_path: Path, scheduler: str, select: str
) -> None:
    c = client_cluster(scheduler, nodes=2, cores_per_node=2)
    body = "cd $PBS_O_WORKDIR\n" + MPIRUN.format(hostfile="--hostfile $PBS_NODEFILE")
    argv = ["qsub", "-l", select, "-j", "oe", "-o", str(tmp_path / "out.txt"), "job.sh"]
    assert run_job(c, tmp_path, argv, body).splitlines() == RANKS


def test_mpirun_with_lsb_djob_hostfile(client_cluster, tmp_path: Path) -> None:
    c = client_cluster("lsf", nodes=2, cores_per_node=2)
    body = MPIRUN.format(hostfile="--hostfile $LSB_DJOB_HOSTFILE")
    argv = [
        "bsub",
        "-n",
        "4",
        "-R",
        "span[ptile=2]",
        "-o",
        str(tmp_path / "out.txt"),
        str(tmp_path / "job.sh"),
    ]
    out = run_job(c, tmp_path, argv, body)
    assert out.splitlines()[-5:] == RANKS  # LSF's output file starts with its own header lines

"""Tests against the real schedulers running in containers (containers/cluster.sh up), reached over real ssh.

CLUSTERJOB_CONTAINERS=1 (CI sets it after `containers/cluster.sh up`) switches them on for every scheduler; a
comma-separated list of cluster.sh names (`CLUSTERJOB_CONTAINERS=torque,openpbs`) for those only. Then a container
that does not answer is a test failure, not a skip. The containers share a folder with this machine at the same
path (CLUSTERJOB_SHARED, default /var/tmp/clusterjob-shared), as a cluster's /home or /scratch is shared.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from clusterjob.backends import ClusterjobBackend
from clusterjob.backends.pbs import PbsBackend
from clusterjob.backends.pbspro import PbsProBackend
from clusterjob.backends.sge import SgeBackend
from clusterjob.backends.slurm import SlurmBackend

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("CLUSTERJOB_CONTAINER_STATE", "/var/tmp/clusterjob-containers"))
SHARED = Path(os.environ.get("CLUSTERJOB_SHARED", "/var/tmp/clusterjob-shared"))


@dataclass(frozen=True)
class ContainerCluster:
    """A scheduler in a container: its ssh alias, host name, command shims and the backend for it."""

    name: str  # as containers/cluster.sh names it
    host: str  # the container's host name: the jobs' submit host and node
    backend: ClusterjobBackend
    backend_name: str  # registered reference backend checked by `clusterjob check`
    probe: str

    @property
    def alias(self) -> str:
        return f"clusterjob-{self.name}"

    @property
    def ssh(self) -> str:
        return f"ssh -F {STATE / 'ssh_config'}"

    @property
    def scp(self) -> str:
        return f"scp -F {STATE / 'ssh_config'}"

    @property
    def shims(self) -> Path:
        return STATE / f"bin-{self.name}"


CLUSTERS = {
    "slurm": ContainerCluster("slurm", "slurmhost", SlurmBackend(), "slurm", "sinfo -h -o %t"),
    "gridengine": ContainerCluster(
        "gridengine", "gehost", SgeBackend(pe="mpi", pe_smp="smp"), "sge", "qstat -g c"
    ),
    # jobs come from the normal user pbsuser (the ssh alias logs in as it): Torque's and PBS's qsub refuse root
    "torque": ContainerCluster("torque", "torquehost", PbsBackend(), "pbs", "qstat -B"),
    "openpbs": ContainerCluster("openpbs", "pbshost", PbsProBackend(), "pbspro", "qstat -B"),
}
PBS_CLUSTERS = ("openpbs", "torque")


def _started(name: str) -> bool:
    """Whether CLUSTERJOB_CONTAINERS switches on the tests of container `name`."""
    wanted = os.environ.get("CLUSTERJOB_CONTAINERS", "")
    return wanted == "1" or name in {item.strip() for item in wanted.split(",")}


def _answering(name: str) -> ContainerCluster:
    """The cluster `name` once it answers over ssh (skip unless CLUSTERJOB_CONTAINERS names it)."""
    if not _started(name):
        pytest.skip(
            f"{name} container not started here (containers/cluster.sh up {name}, then CLUSTERJOB_CONTAINERS=1)"
        )
    cluster = CLUSTERS[name]
    answer = subprocess.run(
        [*cluster.ssh.split(), cluster.alias, cluster.probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if answer.returncode != 0 or not answer.stdout.strip():
        pytest.fail(
            f"CLUSTERJOB_CONTAINERS=1 but {cluster.alias} does not answer over ssh: rc {answer.returncode}, "
            f"{answer.stderr.strip()} (containers/cluster.sh up {cluster.name})"
        )
    return cluster


@pytest.fixture(scope="session", params=sorted(CLUSTERS))
def container(request: pytest.FixtureRequest) -> ContainerCluster:
    """Each scheduler container started by containers/cluster.sh."""
    return _answering(request.param)


@pytest.fixture(scope="session", params=PBS_CLUSTERS)
def pbs_container(request: pytest.FixtureRequest) -> ContainerCluster:
    """The Torque and the OpenPBS container."""
    return _answering(request.param)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A fresh folder in the folder shared with the containers (removed afterwards)."""
    folder = SHARED / f"test-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)

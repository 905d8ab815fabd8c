"""Commands the library tells a user to run exist, and answer there as on the real scheduler.

Grid Engine needs a parallel environment for multi-slot jobs; the error names `qconf -spl` to list them.
Real Grid Engine 8.1.9 answers it with one PE name per line (docs/recorded/
gridengine-8.1.9-impossible-requests.txt: `mpi`, `smp`); the simulated one must too.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim.pytest_fixtures import sim_cluster  # noqa: F401  (fixture)

from clusterjob import JobScript
from clusterjob.backends import ResourcesNotSupportedError
from clusterjob.backends.sge import SgeBackend

ROOT = Path(__file__).resolve().parents[1]
RECORDED = ROOT / "docs" / "recorded" / "gridengine-8.1.9-impossible-requests.txt"


def hinted_command(message: str) -> list[str]:
    found = re.search(r"`(qconf [^`]+)`", message)
    assert found, f"no command in {message!r}"
    return shlex.split(found.group(1))


@pytest.mark.parametrize(("nodes", "ppn"), [(2, 4), (1, 4)])
def test_sge_pe_hint_names_a_command_the_simulator_answers(
    sim_cluster: Any,  # noqa: F811
    nodes: int,
    ppn: int,
) -> None:
    with pytest.raises(ResourcesNotSupportedError) as info:
        print(JobScript("hostname\n", "j", backend="sge", nodes=nodes, ppn=ppn))
    argv = hinted_command(str(info.value))
    assert argv == ["qconf", "-spl"]
    real = RECORDED.read_text().split("$ qconf -spl\n", 1)[1].split("[rc=", 1)[0]
    assert real == "mpi\nsmp\n"
    c = sim_cluster(
        "sge",
        parallel_environments={
            "mpi": {"slots": 9999, "allocation_rule": "$fill_up"},
            "smp": {"slots": 9999, "allocation_rule": "$pe_slots"},
        },
    )
    r = c.run(argv)
    assert (r.returncode, r.stdout, r.stderr) == (0, real, "")


def test_bad_pe_name_hint_names_the_same_command() -> None:
    with pytest.raises(ValueError, match="see `qconf -spl`"):
        SgeBackend(pe="no spaces")

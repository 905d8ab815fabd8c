"""Fake scontrol's show entities (hostnames, hostlist, config, partition, node, job) as real scontrol prints them.

Source of every text asserted here: real Slurm 22.05.8 on the CI machine (cluster 'cjcluster', node 'vm',
partitions 'debug' and 'short'), unless a comment says otherwise.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from clusterjob_sim.activate import create_spool
from clusterjob_sim.engine.command import run_command
from clusterjob_sim.engine.refusal import not_implemented_text


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return create_spool(
        tmp_path / "spool", "slurm", nodes=2, cores_per_node=4, mem_mb_per_node=4000,
        queues={"debug": {"max_time_s": 86400}, "short": {"max_time_s": 600, "nodes": ["node02"]}},
        default_queue="debug", cluster_name="cjcluster", keep_finished_s=300,
    )  # fmt: skip


def run(spool: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """scontrol in-process, with `env` as the only node list variables of its environment."""
    out, err = io.StringIO(), io.StringIO()
    saved = {
        k: os.environ.pop(k) for k in ("SLURM_NODELIST", "SLURM_JOB_NODELIST") if k in os.environ
    }
    os.environ.update(env or {})
    try:
        rc = run_command(
            spool, "scontrol", list(argv), stdin=io.StringIO(""), stdout=out, stderr=err
        )
    finally:
        for key in env or {}:
            os.environ.pop(key, None)
        os.environ.update(saved)
    return rc, out.getvalue(), err.getvalue()


HOSTNAMES = [
    (["node[01-03],vm"], (0, "node01\nnode02\nnode03\nvm\n", "")),
    (["a[2,1,1-2]"], (0, "a2\na1\na1\na2\n", "")),  # neither sorted nor unique
    (["a[01-3]"], (0, "a01\na02\na03\n", "")),  # the first number's digits set the width
    (["n1 n2"], (0, "n1\nn2\n", "")),  # a blank separates too
    ([], (0, "", "scontrol: error: host list is empty\n")),
    ([""], (0, "", "scontrol: error: host list is empty\n")),
    (["a[x]"], (0, "", "scontrol: error: _parse_single_range: Invalid range: `x'\nInvalid hostlist: a[x]\n")),
    (["a[3-1]"], (0, "", "scontrol: error: _parse_single_range: Invalid range: `3-1'\nInvalid hostlist: a[3-1]\n")),
    (["b1,a[1-2]b"], (0, "", "Invalid hostlist: b1,a[1-2]b\n")),
    (["a", "b"], (1, "", "too many arguments for keyword:show\n")),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "answer"), HOSTNAMES)
def test_show_hostnames(spool: Path, argv: list[str], answer: tuple[int, str, str]) -> None:
    assert run(spool, "show", "hostnames", *argv) == answer


def test_show_hostnames_reads_slurm_nodelist(spool: Path) -> None:
    # real 22.05.8 reads SLURM_NODELIST; its manual names SLURM_JOB_NODELIST, which it ignores (both seen)
    assert run(spool, "show", "hostnames", env={"SLURM_NODELIST": "n[1-2]"}) == (0, "n1\nn2\n", "")
    assert run(spool, "show", "hostnames", env={"SLURM_JOB_NODELIST": "n[1-2]"})[1] == ""
    assert run(spool, "show", "hostn", "x[1-2]") == (0, "x1\nx2\n", "")  # abbreviated
    assert run(spool, "show", "host", "x[1-2]") == (
        1,
        "",
        "invalid entity:host for keyword:show \n",
    )


def test_show_hostlist(spool: Path) -> None:
    assert run(spool, "show", "hostlist", "n3,n1,n2,m1,n4") == (0, "n[3,1-2],m1,n4\n", "")
    assert run(spool, "show", "hostlistsorted", "n3,n1,n1") == (0, "n[1,1,3]\n", "")
    assert run(spool, "show", "hostlist", "n1,n2,n3") == (0, "n[1-3]\n", "")
    # seen: followed by the usage text, which the simulator leaves out
    assert run(spool, "show", "hostlist")[::2] == (1, "invalid encode argument\n")


def test_show_config(spool: Path) -> None:
    rc, out, err = run(spool, "show", "config")
    assert (rc, err) == (0, "")
    lines = out.splitlines()
    assert re.fullmatch(r"Configuration data as of \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", lines[0])
    assert lines[-2:] == ["", f"Slurmctld(primary) at {lines[-1].split()[2]} is UP"]
    assert "ClusterName             = cjcluster" in lines
    assert "MinJobAge               = 300 sec" in lines  # snakemake's slurm plugin reads it
    assert "MaxArraySize            = 1001" in lines
    assert "SLURM_VERSION           = 22.05.8" in lines
    assert "AccountingStorageBackupHost = (null)" in lines  # a key longer than 23: no padding
    assert "PowerPlugin             = " in lines
    assert len(lines) == 196  # as the real one
    assert run(spool, "show", "config", "x")[1].splitlines()[1:] == lines[1:]  # argument ignored
    assert run(spool, "show", "c")[1].splitlines()[1:] == lines[1:]


def test_show_partition(spool: Path) -> None:
    short = (
        "PartitionName=short\n"
        "   AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL\n"
        "   AllocNodes=ALL Default=NO QoS=N/A\n"
        "   DefaultTime=NONE DisableRootJobs=NO ExclusiveUser=NO GraceTime=0 Hidden=NO\n"
        "   MaxNodes=UNLIMITED MaxTime=00:10:00 MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED\n"
        "   Nodes=node02\n"
        "   PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=NO\n"
        "   OverTimeLimit=NONE PreemptMode=OFF\n"
        "   State=UP TotalCPUs=4 TotalNodes=1 SelectTypeParameters=NONE\n"
        "   JobDefaults=(null)\n"
        "   DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED\n"
        "   TRES=cpu=4,mem=4000M,node=1,billing=4\n"
        "\n"
    )
    assert run(spool, "show", "partition", "short") == (0, short, "")
    everything = run(spool, "show", "partitions")[1]
    assert everything.startswith("PartitionName=debug\n") and everything.endswith(short)
    assert "   AllocNodes=ALL Default=YES QoS=N/A\n" in everything
    assert "MaxTime=1-00:00:00 " in everything
    assert (
        run(spool, "-o", "show", "part", "short")[1]
        == " ".join(line.strip() for line in short.splitlines() if line) + "\n"
    )
    assert run(spool, "show", "partition", "nope") == (1, "", "Partition nope not found\n")
    assert run(spool, "show", "p") == (1, "", "invalid entity:p for keyword:show \n")


def test_show_node(spool: Path) -> None:
    rc, out, err = run(spool, "show", "node", "node02")
    assert (rc, err) == (0, "")
    lines = out.split("\n")
    assert lines[0].startswith("NodeName=node02 Arch=") and lines[0].endswith(" CoresPerSocket=1 ")
    assert lines[1] == "   CPUAlloc=0 CPUEfctv=4 CPUTot=4 CPULoad=0.00"
    assert "   State=IDLE ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A" in lines
    assert "   Partitions=debug,short " in lines
    assert "   CfgTRES=cpu=4,mem=4000M,billing=4" in lines
    assert lines[-3:] == ["   ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s", "", ""]
    assert run(spool, "show", "node", "nope") == (1, "", "Node nope not found\n")
    assert len(run(spool, "-o", "show", "nodes")[1].splitlines()) == 2


def test_show_job_record_ends_like_the_real_one(spool: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    run_command(spool, "sbatch", ["--parsable", "-H", "-p", "short", "--wrap", "true"],
                stdin=io.StringIO(""), stdout=out, stderr=err)  # fmt: skip
    job = out.getvalue().strip()
    text = run(spool, "show", "job", job)[1]
    assert text.endswith("   Power=\n   \n\n")
    assert "   NodeList=\n   NumNodes=1 " in text  # pending: no BatchHost line
    assert "EligibleTime=Unknown\n   AccrueTime=Unknown\n" in text  # held
    assert "   TRES=cpu=1,mem=4000M,node=1,billing=1\n" in text
    assert "   Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=*\n" in text
    assert run(spool, "-o", "show", "job", job)[1].endswith(" Power= \n")


def test_other_entities_fail_loudly(spool: Path) -> None:
    assert run(spool, "show", "topology") == (
        1,
        "",
        not_implemented_text("scontrol", "show topology"),
    )
    assert run(spool, "show", "foo") == (1, "", "invalid entity:foo for keyword:show \n")

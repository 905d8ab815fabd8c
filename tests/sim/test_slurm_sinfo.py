"""Fake sinfo's -o letters as real sinfo prints them, for the calls clients make (snakemake's `sinfo -o %P`,
dask-jobqueue's `sinfo -o %C`) and the other letters of its manual.

Source of every text asserted here: real Slurm 22.05.8 on the CI machine (`sinfo -o "%P|%X|"` for every
letter of the manual), unless a comment says otherwise.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from clusterjob_sim.activate import create_spool
from clusterjob_sim.engine.command import run_command


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return create_spool(
        tmp_path / "spool", "slurm", nodes=2, cores_per_node=2, mem_mb_per_node=4000,
        queues={"debug": {"max_time_s": 86400}, "short": {"max_time_s": 600}}, default_queue="debug",
    )  # fmt: skip


def run(spool: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = run_command(spool, "sinfo", list(argv), stdin=io.StringIO(""), stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


LETTERS = [
    ("n", "HOSTNAMES", "node[01-02]"), ("o", "NODE_ADDR", "node[01-02]"), ("e", "FREE_MEM", "4000"),
    ("m", "MEMORY", "4000"), ("c", "CPUS", "2"), ("C", "CPUS(A/I/O/T)", "0/4/0/4"),
    ("F", "NODES(A/I/O/T)", "0/2/0/2"), ("A", "NODES(A/I)", "0/2"), ("X", "SOCKETS", "2"),
    ("Y", "CORES", "1"), ("Z", "THREADS", "1"), ("z", "S:C:T", "2:1:1"), ("s", "JOB_SIZE", "1-infinite"),
    ("G", "GRES", "(null)"), ("f", "AVAIL_FEATURES", "(null)"), ("b", "ACTIVE_FEATURES", "(null)"),
    ("E", "REASON", "none"), ("H", "TIMESTAMP", "Unknown"), ("h", "OVERSUBSCRIBE", "NO"),
    ("g", "GROUPS", "all"), ("w", "WEIGHT", "1"), ("d", "TMP_DISK", "0"), ("B", "MAX_CPUS_PER_NODE", "UNLIMITED"),
    ("L", "DEFAULTTIME", "n/a"), ("S", "ALLOCNODES", "all"), ("u", "USER", "Unknown"), ("U", "USER", "Unknown"),
    ("V", "CLUSTER", "N/A"), ("I", "PRIO_JOB_FACTOR", "1"), ("p", "PRIO_TIER", "1"), ("M", "PREEMPT_MODE", "OFF"),
    ("r", "ROOT", "no"), ("v", "VERSION", "22.05.8"), ("l", "TIMELIMIT", "1-00:00:00"),
]  # fmt: skip


@pytest.mark.parametrize(("letter", "header", "value"), LETTERS)
def test_letter(spool: Path, letter: str, header: str, value: str) -> None:
    assert run(spool, "-o", f"%P|%{letter}|", "-p", "debug")[1:] == (
        f"PARTITION|{header}|\ndebug*|{value}|\n", "")  # fmt: skip


def test_client_calls(spool: Path) -> None:
    # snakemake's slurm plugin: `sinfo -o %P`; dask-jobqueue's tests: `sinfo -o %C` (partitions sharing
    # nodes merge into one line, each node counted once, as on the real machine: 0/2/0/2 for node vm)
    assert run(spool, "-o", "%P") == (0, "PARTITION\ndebug*\nshort\n", "")
    assert run(spool, "-o", "%C") == (0, "CPUS(A/I/O/T)\n0/4/0/4\n", "")


def test_busy_nodes_split_by_state(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm", nodes=2, cores_per_node=2, mem_mb_per_node=4000, queues={"debug": {}})
    c.run(["sbatch", "--mem=1000", "--wrap", "sleep 30"], cwd=tmp_path)
    c.wait_for(lambda: c.engine.jobs()[0].state == "RUNNING")
    out = c.run(["sinfo", "-h", "-o", "%C %F %t %e %N"]).stdout
    assert out == "1/1/0/2 1/0/0/1 mix 3000 node01\n0/2/0/2 0/1/0/1 idle 4000 node02\n"
    c.kill_all()


def test_invalid_letter_printed_as_written(spool: Path) -> None:
    # an error() per bad letter; the spec is printed as it was written, rc 0 (seen: %k, %-8m)
    assert run(spool, "-o", "%c|%k|%-8m|", "-p", "debug") == (
        0, "CPUS|%k|%-8m|\n2|%k|%-8m|\n",
        "Invalid node format specification: k\nInvalid node format specification: -\n",
    )  # fmt: skip


@pytest.mark.parametrize("command", ["squeue", "sacct", "scontrol", "sinfo"])
def test_version(spool: Path, command: str) -> None:
    # Debian 12's build on the CI machine names its package slurm-wlm (an upstream build: "slurm 22.05.8")
    out, err = io.StringIO(), io.StringIO()
    rc = run_command(spool, command, ["-V"], stdin=io.StringIO(""), stdout=out, stderr=err)
    assert (rc, out.getvalue(), err.getvalue()) == (0, "slurm-wlm 22.05.8\n", "")

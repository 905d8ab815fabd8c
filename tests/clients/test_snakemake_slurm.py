"""snakemake 9 with snakemake-executor-plugin-slurm, unchanged from PyPI, on the simulated Slurm: a two-rule
workflow. Each rule is an sbatch job whose script runs the rule through `srun` (the jobstep plugin); the
executor polls with `sacct -X --parsable2 --clusters all ... --name <run uuid>` and reads MinJobAge from
`scontrol show config`, all answered as the real Slurm 22.05 answers them (tests/sim/test_slurm_*.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

SNAKEFILE = """\
rule all:
    input: "b.txt"

rule a:
    output: "a.txt"
    shell: "hostname > {output}"

rule b:
    input: "a.txt"
    output: "b.txt"
    shell: "cat {input} > {output}; echo done >> {output}"
"""


def test_two_rule_workflow_runs_as_slurm_jobs(
    client_cluster: Callable[..., Any], tmp_path: Path
) -> None:
    cluster = client_cluster("slurm", nodes=2, cores_per_node=2)
    (tmp_path / "Snakefile").write_text(SNAKEFILE)
    venv_bin = os.path.dirname(sys.executable)
    env = {
        **os.environ,
        "PATH": f"{os.environ['PATH']}{os.pathsep}{venv_bin}",
    }  # snakemake inside jobs
    run = subprocess.run(
        [
            os.path.join(venv_bin, "snakemake"), "--executor", "slurm", "--jobs", "2",
            "--default-resources", "slurm_partition=debug", "runtime=5",
            "--slurm-init-seconds-before-status-checks", "1", "--seconds-between-status-checks", "1",
            "--latency-wait", "5",
        ],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    # rule a ran on the first simulated node (through srun inside its job), rule b after it
    assert (tmp_path / "b.txt").read_text() == "node01\ndone\n"
    jobs = cluster.engine.jobs()
    assert [j.state for j in jobs] == ["COMPLETED", "COMPLETED"]
    issued = cluster.issued()
    assert sum(line.startswith("sbatch --parsable --job-name") for line in issued) == 2
    assert any(line.startswith("srun -n1 ") and "-m snakemake" in line for line in issued)
    assert any(line.startswith("sacct -X --parsable2 --clusters all") for line in issued)
    assert [[s.state for s in cluster.engine.steps(j)] for j in jobs] == [
        ["COMPLETED"],
        ["COMPLETED"],
    ]

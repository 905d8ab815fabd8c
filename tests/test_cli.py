"""The clusterjob command as a user runs it: render for every backend and paradigm, errors, and a run's life."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from clusterjob_sim import lsf, sge, slurm
from clusterjob_sim.pbs import pbspro, torque
from clusterjob_sim.pytest_fixtures import SimCluster, sim_cluster  # noqa: F401  (fixture)

from clusterjob.cli import build_parser, main

PARADIGMS = {
    "mpi": ["--nodes", "2", "--ppn", "32", "--threads", "1"],
    "openmp": ["--nodes", "1", "--ppn", "1", "--threads", "32"],
    "hybrid": ["--nodes", "4", "--ppn", "2", "--threads", "16"],
    "serial": ["--nodes", "1", "--ppn", "1", "--threads", "1"],
}
PARSERS = {"slurm": slurm, "pbs": torque, "pbspro": pbspro, "lsf": lsf, "sge": sge}


def cli(
    *argv: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed command in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "clusterjob.cli", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_help_lists_every_command() -> None:
    out = cli("--help")
    assert out.returncode == 0
    for command in (
        "backends",
        "render",
        "submit",
        "status",
        "wait",
        "cancel",
        "sim",
        "check",
        "completion",
    ):
        assert command in out.stdout
    assert "examples:" in out.stdout


def test_backends_lists_the_reference_backends() -> None:
    out = cli("backends")
    assert out.returncode == 0
    assert [line.split()[0] for line in out.stdout.splitlines()] == [
        "lsf",
        "pbs",
        "pbspro",
        "sge",
        "slurm",
    ]


@pytest.mark.parametrize("paradigm", sorted(PARADIGMS))
@pytest.mark.parametrize("backend", sorted(PARSERS))
def test_render_gives_a_script_the_scheduler_reads_as_asked(
    backend: str, paradigm: str, tmp_path: Path
) -> None:
    settings = tmp_path / "site.toml"
    settings.write_text('[backends.sge]\npe = "mpi"\npe_smp = "smp"\n')
    argv = [
        "render",
        "-",
        "--backend",
        backend,
        "--name",
        "sim1",
        "--time",
        "2:00:00",
        "--mem",
        "4G",
        "--settings",
        str(settings),
    ]
    out = cli(*argv, *PARADIGMS[paradigm], stdin="srun ./a.out\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("#!/bin/bash\n")
    assert out.stdout.endswith("srun ./a.out\n")
    if backend == "sge":  # a site whose PE `mpi` puts 32 slots on each host, as the request needs
        allocation = sge.parse_submission(out.stdout, pe_rules={"mpi": 32, "smp": "$pe_slots"})
    else:
        allocation = PARSERS[backend].parse_submission(out.stdout)
    nodes, ppn, threads = (int(PARADIGMS[paradigm][i]) for i in (1, 3, 5))
    assert allocation.nodes == nodes
    assert allocation.cores_per_node == ppn * threads
    assert allocation.walltime_s == 7200
    assert allocation.name == "sim1"


def test_render_reads_a_body_file_and_names_the_job_after_it(tmp_path: Path) -> None:
    body = tmp_path / "analysis.sh"
    body.write_text("echo $CLUSTERJOB_ID\n")
    out = cli(
        "render", str(body), "--backend", "slurm", "--option", "exclusive", "--option", "A=proj"
    )
    assert out.returncode == 0, out.stderr
    assert "#SBATCH --job-name=analysis" in out.stdout
    assert "#SBATCH --exclusive" in out.stdout
    assert "#SBATCH -A proj" in out.stdout
    assert "echo $SLURM_JOB_ID" in out.stdout


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--backend", "slurm", "--time", "1:99"], "invalid value '1:99' for 'time'"),
        (["--backend", "slurm", "--mem", "lots"], "invalid value 'lots' for 'mem'"),
        (["--backend", "slurm", "--nodes", "0"], "'nodes'"),
        (
            ["--backend", "nosuch"],
            "unknown backend 'nosuch'; registered backends: lsf, pbs, pbspro, sge, slurm",
        ),
        (["--backend", "slurm", "--name", "evil\n#SBATCH --x"], "jobname"),
        (["--backend", "sge", "--nodes", "2"], "parallel environment"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(argv: list[str], fragment: str) -> None:
    out = cli("render", "-", *argv, stdin="true\n")
    assert out.returncode == 2
    assert out.stdout == ""
    assert fragment in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_body_file_is_a_clear_error(tmp_path: Path) -> None:
    out = cli("render", str(tmp_path / "nope.sh"), "--backend", "slurm")
    assert out.returncode == 2  # a file named on the command line: a user error
    assert "cannot read the body file" in out.stderr


def test_status_needs_a_cache_file_or_an_id() -> None:
    out = cli("status")
    assert out.returncode == 2
    assert "give a cache file, or --job-id together with --backend" in out.stderr


def test_corrupt_cache_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "run.json"
    bad.write_text('{"format": "something else"}')
    out = cli("status", str(bad))
    assert out.returncode == 1
    assert str(bad) in out.stderr


def test_submit_status_cancel_on_the_simulated_slurm(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    cluster = sim_cluster("slurm")
    body = tmp_path / "job.sh"
    body.write_text("sleep 300\n")
    cache = tmp_path / "cache"
    env = cluster.env
    out = cli(
        "submit",
        str(body),
        "--backend",
        "slurm",
        "--time",
        "10:00",
        "--cache-folder",
        str(cache),
        "--cache-id",
        "run1",
        cwd=tmp_path,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    job_id = out.stdout.strip()
    cache_file = cache / "clusterjob.run1.json"
    assert json.loads(cache_file.read_text())["job_id"] == job_id
    again = cli(
        "submit",
        str(body),
        "--backend",
        "slurm",
        "--cache-folder",
        str(cache),
        "--cache-id",
        "run1",
        cwd=tmp_path,
        env=env,
    )
    assert again.stdout.strip() == job_id  # cached: not submitted twice
    assert cluster.run(["squeue", "-h", "-o", "%i"]).stdout.split() == [job_id]
    cluster.wait_for(lambda: cli("status", str(cache_file), env=env).stdout.strip() == "RUNNING")
    by_id = cli("status", "--job-id", job_id, "--backend", "slurm", env=env)
    assert by_id.stdout.strip() == "RUNNING"
    cancelled = cli("cancel", str(cache_file), env=env)
    assert cancelled.returncode == 0, cancelled.stderr
    cluster.wait_for(lambda: cli("status", str(cache_file), env=env).stdout.strip() == "CANCELLED")


def test_submit_wait_exit_code_follows_the_job(
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    cluster = sim_cluster("lsf")
    good, bad = tmp_path / "good.sh", tmp_path / "bad.sh"
    good.write_text("true\n")
    bad.write_text("exit 3\n")
    ok = cli("submit", str(good), "--backend", "lsf", "--wait", cwd=tmp_path, env=cluster.env)
    assert (ok.returncode, ok.stderr.strip().splitlines()[-1]) == (0, "COMPLETED")
    failed = cli("submit", str(bad), "--backend", "lsf", "--wait", cwd=tmp_path, env=cluster.env)
    assert (failed.returncode, failed.stderr.strip().splitlines()[-1]) == (1, "FAILED")


def test_main_and_parser_are_importable_entry_points() -> None:
    assert build_parser().prog == "clusterjob"
    assert main(["backends"]) == 0

"""Simulated nodes a job can reach (engine.nodes), job steps (Engine.start_step) and the task launcher."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clusterjob_sim.activate import create_spool
from clusterjob_sim.engine.core import Engine
from clusterjob_sim.engine.nodes import NODE_ENV, node_env, split_ssh
from clusterjob_sim.engine.tasks import Task, run_tasks


@pytest.fixture
def spool(tmp_path: Path) -> str:
    return str(create_spool(tmp_path / "spool", "slurm", nodes=2, cores_per_node=2))


def on_node(
    spool: str, node: str, argv: list[str], **kw: object
) -> subprocess.CompletedProcess[str]:
    env = node_env(spool, node, dict(os.environ))
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload]


def test_hostname_answers_the_simulated_node(spool: str) -> None:
    assert on_node(spool, "node02", ["hostname"]).stdout == "node02\n"
    assert on_node(spool, "node02", ["hostname", "-s"]).stdout == "node02\n"


def test_hostname_outside_a_node_is_the_real_one(spool: str) -> None:
    env = node_env(spool, "node01", dict(os.environ))
    del env[NODE_ENV]
    real = subprocess.run(["hostname"], capture_output=True, text=True, check=True).stdout
    assert subprocess.run(["hostname"], env=env, capture_output=True, text=True).stdout == real


def test_ssh_to_a_node_runs_there_with_its_name_and_passes_the_exit_code(spool: str) -> None:
    r = on_node(
        spool, "node01", ["ssh", "-o", "BatchMode=yes", "node02", "hostname; echo $HOME; exit 7"]
    )
    assert (r.stdout, r.returncode) == (f"node02\n{Path.home()}\n", 7)


def test_ssh_passes_stdin_and_joins_words_like_ssh(spool: str) -> None:
    r = on_node(spool, "node01", ["ssh", "user@node02", "tr", "a-z", "A-Z"], input="abc\n")
    assert r.stdout == "ABC\n"


def test_ssh_interactive_login_to_a_node_is_refused_loudly(spool: str) -> None:
    r = on_node(spool, "node01", ["ssh", "node02"])
    assert r.returncode == 255
    assert "not implemented by the clusterjob simulator" in r.stderr


def test_ssh_to_another_host_is_the_real_ssh(spool: str) -> None:
    r = on_node(spool, "node01", ["ssh", "-o", "BatchMode=yes", "no-such-host.invalid", "true"])
    assert r.returncode == 255 and "no-such-host.invalid" in r.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["-p", "22", "-o", "X=1", "host", "a", "b"],
            (["-p", "22", "-o", "X=1"], "host", ["a", "b"]),
        ),
        (["-tt", "-lroot", "host"], (["-tt", "-lroot"], "host", [])),
        (["--", "host", "-x"], ([], "host", ["-x"])),
        (["-p"], (["-p"], None, [])),
    ],
)
def test_ssh_command_lines_split_as_openssh_reads_them(
    argv: list[str], expected: tuple[list[str], str | None, list[str]]
) -> None:
    assert split_ssh(argv) == expected


def test_a_batch_job_runs_on_its_first_node(spool: str, tmp_path: Path) -> None:
    from clusterjob_sim.engine.command import run_command

    out = tmp_path / "out"
    rc = run_command(
        spool,
        "sbatch",
        ["-N", "2", "-o", str(out), "--wrap", "hostname; ssh node02 hostname"],
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert rc == 0
    engine = Engine(spool)
    for _ in range(200):
        if engine.jobs()[0].finished:
            break
        import time

        time.sleep(0.05)
    assert out.read_text() == "node01\nnode02\n"


def test_steps_are_numbered_and_end_with_their_exit(spool: str) -> None:
    engine = Engine(spool)
    (job,) = engine.submit({"script": "#!/bin/sh\nsleep 30\n", "walltime_s": 60})
    engine.tick(force=True)
    job = engine.get(job.rid)
    assert job is not None
    first = engine.start_step(job, "a.out", 2, ["node01"])
    second = engine.start_step(job, "b.out", 1, ["node01"], pid=12345)
    engine.end_step(first, 3, 0)
    steps = engine.steps(job)
    assert [(s.step_id, s.state, s.exit_code) for s in steps] == [
        (0, "FAILED", 3),
        (1, "RUNNING", None),
    ]
    engine.cancel([job])
    job = engine.get(job.rid)
    assert job is not None
    assert [s.state for s in engine.steps(job)] == ["FAILED", "CANCELLED"]
    assert (second.ntasks, second.node_names, second.pid) == (1, ["node01"], 12345)


def test_run_tasks_gives_each_its_exit_and_shares_one_output_file(tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    tasks = [
        Task([sys.executable, "-c", f"print({i}); raise SystemExit({i})"], dict(os.environ), str(tmp_path),
             f"node0{i}", stdout=out)
        for i in range(3)
    ]  # fmt: skip
    tasks.append(Task(["/no/such/program"], {}, str(tmp_path), "node04"))
    assert run_tasks(tasks) == [(0, 0), (1, 0), (2, 0), (127, 0)]
    assert sorted(Path(out).read_text().split()) == ["0", "1", "2"]

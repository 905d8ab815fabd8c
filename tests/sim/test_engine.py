"""The shared engine: ids, placement, runner death, kill_all, purge, concurrency, activation and the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clusterjob_sim import activate
from clusterjob_sim.cli import main as sim_main
from clusterjob_sim.engine import spool as _spool
from clusterjob_sim.engine.core import Engine
from clusterjob_sim.engine.hostlist import compress, expand
from hypothesis import given
from hypothesis import strategies as st

PY = sys.executable


def spec(**kw):
    return {"name": "t", "script": "#!/bin/sh\ntrue\n", "stdout": None, **kw}


def test_ids_start_at_first_job_id_and_grow(tmp_path: Path) -> None:
    spool = activate.create_spool(tmp_path / "s", "slurm", first_job_id=1000, nodes=1)
    e = Engine(spool)
    jobs = [e.submit(spec(held=1))[0].job_id for _ in range(3)]
    tasks = e.submit(spec(held=1), tasks=[1, 2, 3], ids_per_task=False)
    assert jobs == [1000, 1001, 1002]
    assert [(t.job_id, t.array_id, t.array_index) for t in tasks] == [
        (1003, 1003, i) for i in (1, 2, 3)
    ]
    assert e.submit(spec(held=1))[0].job_id == 1004
    assert e.max_job_id() == 1004
    e.close()


def test_advance_job_ids_moves_forward_only(tmp_path: Path) -> None:
    spool = activate.create_spool(tmp_path / "s", "slurm", first_job_id=100, nodes=1)
    e = Engine(spool)
    assert e.advance_job_ids(50) == 100  # before first_job_id: no effect
    assert e.submit(spec(held=1))[0].job_id == 100
    assert e.advance_job_ids(5000) == 5000
    assert e.submit(spec(held=1))[0].job_id == 5000
    assert e.advance_job_ids(4000) == 5001  # ids never go back: nothing is ever handed out twice
    assert e.submit(spec(held=1))[0].job_id == 5001
    for bad in (0, -3, 1.5, True, "7"):
        with pytest.raises(ValueError, match="positive integer"):
            e.advance_job_ids(bad)  # type: ignore[arg-type]
    assert e.max_job_id() == 5001
    e.close()


def test_placement_order_exclusive_and_never(tmp_path: Path) -> None:
    spool = activate.create_spool(tmp_path / "s", "slurm", nodes=2, cores_per_node=2)
    e = Engine(spool)
    blocker = "#!/bin/sh\nsleep 300\n"
    a = e.submit(spec(script=blocker, cores_per_node=2))[0]
    b = e.submit(spec(script=blocker, exclusive=1))[0]
    c = e.submit(spec(script=blocker, nodes=2))[0]
    d = e.submit(spec(script=blocker, nodes=3))[0]
    by_rid = {j.rid: j for j in e.jobs()}
    assert by_rid[a.rid].state == by_rid[b.rid].state == "RUNNING"
    assert by_rid[a.rid].node_names == ["node01"] and by_rid[b.rid].node_names == ["node02"]
    assert (by_rid[c.rid].state, by_rid[c.rid].reason) == ("PENDING", "resources")
    assert (by_rid[d.rid].state, by_rid[d.rid].reason) == ("PENDING", "never")
    e.cancel([by_rid[a.rid], by_rid[b.rid]])
    assert e.get(c.rid).state == "RUNNING" and e.get(c.rid).node_names == ["node01", "node02"]
    assert e.kill_all() == 2
    assert {j.state for j in e.jobs()} == {"CANCELLED"}
    e.close()


def test_runner_death_is_node_fail_and_job_tree_is_killed(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm")
    r = c.run(["sbatch", "--parsable", "--wrap", "sleep 300"], cwd=tmp_path)
    e = c.engine
    job = c.wait_for(
        lambda: next((j for j in e.jobs() if j.runner_pid and j.state == "RUNNING"), None)
    )
    os.kill(job.runner_pid, signal.SIGKILL)
    c.wait_for(lambda: c.run(["sacct", "-n", "-X", "-P", "-o", "State", "-j", r.stdout.strip()]).stdout
               == "NODE_FAIL\n")  # fmt: skip
    c.wait_for(lambda: not _group_alive(job.pgid))
    e.close()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_kill_all_leaves_no_process(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm", nodes=2, cores_per_node=2)
    for _ in range(3):
        c.run(["sbatch", "--wrap", "sleep 300 & sleep 300"], cwd=tmp_path)
    e = c.engine
    running = c.wait_for(lambda: [j for j in e.jobs() if j.pgid] if len(
        [j for j in e.jobs() if j.pgid]) == 3 else None)  # fmt: skip
    assert c.kill_all() == 3
    c.wait_for(lambda: not any(_group_alive(j.pgid) for j in running))
    e.close()


def test_purge_removes_finished_records(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm")
    job = c.run(["sbatch", "--parsable", "--wrap", "true"], cwd=tmp_path).stdout.strip()
    c.wait_for(lambda: "COMPLETED" in c.run(["sacct", "-n", "-X", "-j", job]).stdout)
    assert sim_main(["purge", "slurm", "--spool", str(c.spool)]) == 0
    assert c.run(["sacct", "-n", "-X", "-j", job]).stdout == ""


CONCURRENT = textwrap.dedent(
    """
    import io, sys
    sys.path.insert(0, sys.argv[1])
    from clusterjob_sim.engine.command import run_command
    for _ in range(int(sys.argv[3])):
        out = io.StringIO()
        assert run_command(sys.argv[2], "sbatch", ["--parsable", "--hold", "--wrap", "true"],
                           stdout=out, stderr=sys.stderr) == 0
        print(out.getvalue().strip())
    """
)


def test_concurrent_submissions_never_lose_or_duplicate(tmp_path: Path) -> None:
    spool = activate.create_spool(tmp_path / "s", "slurm", nodes=1, first_job_id=1)
    parent = str(Path(activate.__file__).parent.parent)
    procs = [
        subprocess.Popen(
            [PY, "-c", CONCURRENT, parent, str(spool), "250"], stdout=subprocess.PIPE, text=True
        )
        for _ in range(8)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8
    ids = [int(line) for out in outputs for line in out.split()]
    assert len(ids) == 2000
    assert sorted(ids) == list(range(1, 2001))
    e = Engine(spool)
    assert sorted(j.job_id for j in e.jobs()) == list(range(1, 2001))
    e.close()


def test_hostlist_compress_and_expand() -> None:
    assert compress(["node01", "node02", "node03"]) == "node[01-03]"
    assert compress(["node01", "node03", "node04", "gpu1", "login"]) == "node[01,03-04],gpu1,login"
    assert compress(["node9", "node10"]) == "node[9-10]"
    assert compress(["n1"]) == "n1" and compress([]) == ""
    assert expand("node[01-03,05],gpu1") == ["node01", "node02", "node03", "node05", "gpu1"]


def test_installation_puts_no_sbatch_on_path() -> None:
    assert not (Path(PY).parent / "sbatch").exists()
    assert not (Path(PY).parent / "squeue").exists()


def test_bin_scripts_are_light_and_never_import_clusterjob(tmp_path: Path) -> None:
    spool = activate.create_spool(tmp_path / "s", "slurm")
    text = (spool / "bin" / "sbatch").read_text()
    assert text.startswith(f"#!{PY} -IS\n")
    probe = (
        "import runpy, sys; sys.argv = ['squeue', '-h']; "
        f"sys.path.insert(0, {str(Path(activate.__file__).parent.parent)!r});"
        "from clusterjob_sim.engine.command import run_command;"
        f"run_command({str(spool)!r}, 'squeue', ['-h']);"
        f"run_command({str(spool)!r}, 'sbatch', ['--hold', '--wrap', 'true']);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'clusterjob'))"
    )
    r = subprocess.run([PY, "-I", "-S", "-c", probe], capture_output=True, text=True, check=True)
    assert r.stdout.strip().endswith("[]")


def test_cli_env_and_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spool = tmp_path / "cli"
    assert sim_main(["env", "slurm", "--spool", str(spool), "--config", '{"nodes": 2}']) == 0
    out = capsys.readouterr().out
    assert f"export CLUSTERJOB_SIM_SPOOL={spool}\n" in out
    assert f'export PATH={spool}/bin:"$PATH"\n' in out
    # cwd: the job's slurm-1.out lands there, not in the caller's folder
    r = subprocess.run(
        [PY, "-m", "clusterjob_sim", "run", "slurm", "--", "sh", "-c", "sbatch --wrap true; sinfo -h"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    submitted, *node_lines = r.stdout.splitlines()
    assert submitted == "Submitted batch job 4718093"  # Slurm's realistic default first id
    partitions = {line.split()[0] for line in node_lines}  # node states vary: the job may hold one
    assert partitions == {"batch", "debug*"}
    r = subprocess.run([PY, "-m", "clusterjob_sim", "run", "slurm", "--spool", str(spool), "--",
                        "squeue", "-h"], capture_output=True, text=True)  # fmt: skip
    assert (r.returncode, r.stdout) == (0, "")
    r = subprocess.run([PY, "-m", "clusterjob_sim", "env", "slurm", "--config", "[1]"],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode != 0 and "must be a JSON object" in r.stderr


@given(st.lists(st.integers(0, 120), unique=True, max_size=30), st.sampled_from(["node", "n", "gpu-a"]),
       st.sampled_from([0, 2, 3]))  # fmt: skip
def test_hostlist_round_trip(numbers: list[int], prefix: str, width: int) -> None:
    names = [f"{prefix}{n:0{width}d}" for n in sorted(numbers)]
    if width and any(len(str(n)) > width for n in numbers):
        return  # mixed widths are not one range family
    assert expand(compress(names)) == names


def test_cancel_before_the_runner_started_still_records_the_signal(tmp_path: Path) -> None:
    spool = activate.create_spool(tmp_path / "s", "slurm", nodes=1)
    e = Engine(spool)
    job = e.submit(spec(script="#!/bin/sh\nsleep 300\n"), start=False)[0]
    with _spool.transaction(
        e.conn
    ) as c:  # RUNNING as a tick leaves it, before any runner claims it
        c.execute("UPDATE jobs SET state = 'RUNNING', start_time = 1, nodelist = 'node01' WHERE rid = ?",
                  (job.rid,))  # fmt: skip
    e.cancel([job])
    got = e.get(job.rid)
    assert (got.state, got.exit_code, got.signal, got.cancelled_by) == (
        "CANCELLED",
        0,
        15,
        os.getuid(),
    )
    e.close()


def test_module_level_kill_all_and_purge(sim_cluster, tmp_path: Path) -> None:
    from clusterjob_sim.engine.core import kill_all, purge

    c = sim_cluster("slurm")
    c.run(["sbatch", "--wrap", "sleep 300"], cwd=tmp_path)
    assert kill_all(c.spool) == 1
    assert purge(c.spool) == 1
    assert c.engine.jobs() == []

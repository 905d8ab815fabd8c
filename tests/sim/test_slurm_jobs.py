"""Fake SLURM driven as a user would (subprocess only): job life cycle, cancel, exit codes, arrays, env."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WAIT_GO = '#!/bin/sh\nwhile [ ! -f "{go}" ]; do sleep 0.05; done\n'


def submit(c, *argv: str, cwd: Path | None = None, input: str | None = None) -> str:
    """Submit with --parsable and return the job id."""
    r = c.run(["sbatch", "--parsable", *argv], cwd=cwd, input=input)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout.strip()


def acct(c, ids: str, fields: str = "JobID,State,ExitCode", allocations: bool = True) -> list[str]:
    """sacct -n -P lines for ids."""
    argv = ["sacct", "-n", "-P", "-j", ids, f"--format={fields}"]
    r = c.run(argv[:1] + (["-X"] if allocations else []) + argv[1:])
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def state(c, job_id: str) -> str:
    """squeue -h -o %T -j ID (empty once finished)."""
    return c.run(["squeue", "-h", "-o", "%T", "-j", job_id]).stdout.strip()


def final(c, job_id: str) -> str:
    """Wait until sacct shows the job finished; return its State|ExitCode."""

    def done() -> str | None:
        line = acct(c, job_id, "State,ExitCode")
        return line[0] if line and line[0].split("|")[0] not in ("PENDING", "RUNNING") else None

    return c.wait_for(done)


@pytest.fixture
def job_dir(tmp_path: Path) -> Path:
    d = tmp_path / "work"
    d.mkdir()
    return d


def test_submit_answers_like_sbatch(sim_cluster, job_dir: Path) -> None:
    c = sim_cluster("slurm")
    (job_dir / "ok.sh").write_text("#!/bin/sh\necho hello\n")
    r = c.run(["sbatch", "ok.sh"], cwd=job_dir)
    assert (r.returncode, r.stdout, r.stderr) == (0, "Submitted batch job 1\n", "")
    r = c.run(["sbatch", "--parsable", "ok.sh"], cwd=job_dir)
    assert (r.returncode, r.stdout, r.stderr) == (0, "2\n", "")
    assert final(c, "1") == "COMPLETED|0:0"
    assert (job_dir / "slurm-1.out").read_text() == "hello\n"


def test_pending_running_completed(sim_cluster, job_dir: Path) -> None:
    c = sim_cluster("slurm", nodes=1, cores_per_node=1)
    go = job_dir / "go"
    (job_dir / "wait.sh").write_text(WAIT_GO.format(go=go))
    first = submit(c, "wait.sh", cwd=job_dir)
    second = submit(c, "wait.sh", cwd=job_dir)
    assert state(c, first) == "RUNNING"
    assert state(c, second) == "PENDING"
    reason = c.run(["squeue", "-h", "-o", "%R", "-j", second]).stdout
    assert reason == "(Resources)\n"
    go.touch()
    assert final(c, first) == "COMPLETED|0:0"
    assert final(c, second) == "COMPLETED|0:0"
    assert state(c, first) == ""  # finished, still known: empty answer, rc 0
    r = c.run(["squeue", "-t", "all", "-h", "-o", "%i %T", "-j", f"{first},{second}"])
    assert r.stdout == f"{first} COMPLETED\n{second} COMPLETED\n"


def test_cancel_running_and_pending(sim_cluster, job_dir: Path) -> None:
    c = sim_cluster("slurm", nodes=1, cores_per_node=1)
    (job_dir / "long.sh").write_text("#!/bin/sh\nsleep 300\n")
    running = submit(c, "long.sh", cwd=job_dir)
    pending = submit(c, "long.sh", cwd=job_dir)
    c.wait_for(lambda: state(c, running) == "RUNNING")
    for job_id in (running, pending):
        r = c.run(["scancel", job_id])
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    uid = os.getuid()
    assert final(c, running) == f"CANCELLED by {uid}|0:0"
    assert final(c, pending) == f"CANCELLED by {uid}|0:0"
    assert acct(c, running, allocations=False) == [
        f"{running}|CANCELLED by {uid}|0:0",
        f"{running}.batch|CANCELLED|0:15",
    ]
    table = c.run(["sacct", "-n", "-X", "-j", running, "-o", "JobID,State,ExitCode"]).stdout
    assert table == f"{running:<12} CANCELLED+      0:0 \n"
    assert state(c, running) == ""


def test_exit_code_three_is_failed(sim_cluster, job_dir: Path) -> None:
    c = sim_cluster("slurm")
    job = submit(c, "--wrap", "exit 3", cwd=job_dir)
    assert final(c, job) == "FAILED|3:0"
    assert acct(c, job, allocations=False) == [f"{job}|FAILED|3:0", f"{job}.batch|FAILED|3:0"]


def test_time_limit_gives_timeout(sim_cluster, job_dir: Path) -> None:
    c = sim_cluster("slurm", kill_wait_s=0.5)
    job = submit(c, "--time=0:01", "--wrap", "sleep 300", cwd=job_dir)
    assert final(c, job) == "TIMEOUT|0:0"
    assert acct(c, job, allocations=False)[1] == f"{job}.batch|CANCELLED|0:15"
    assert acct(c, job, "Timelimit")[0] == "00:01:00"


def test_array_with_limit_and_task_environment(sim_cluster, job_dir: Path) -> None:
    c = sim_cluster("slurm", nodes=1, cores_per_node=4)
    go = job_dir / "go"
    script = WAIT_GO.format(go=go) + (
        'echo "$SLURM_JOB_ID $SLURM_ARRAY_JOB_ID $SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT '
        '$SLURM_ARRAY_TASK_MIN $SLURM_ARRAY_TASK_MAX $SLURM_ARRAY_TASK_STEP"\n'
    )
    (job_dir / "array.sh").write_text(script)
    array = submit(c, "--array=1-7:2%2", "array.sh", cwd=job_dir)

    def listing() -> list[str]:
        return c.run(["squeue", "-h", "-o", "%i %T %R", "-j", array]).stdout.splitlines()

    c.wait_for(lambda: sum("RUNNING" in line for line in listing()) == 2)
    lines = listing()
    assert f"{array}_[5,7%2] PENDING (JobArrayTaskLimit)" in lines
    assert sum("RUNNING" in line for line in lines) == 2
    go.touch()
    c.wait_for(lambda: acct(c, array, "State") == ["COMPLETED"] * 4)
    assert [ln.split("|")[0] for ln in acct(c, array)] == [f"{array}_{i}" for i in (1, 3, 5, 7)]
    seen = []
    for index in (1, 3, 5, 7):
        fields = (job_dir / f"slurm-{array}_{index}.out").read_text().split()
        assert fields[1:] == [array, str(index), "4", "1", "7", "2"]
        seen.append(fields[0])
    assert len(set(seen)) == 4  # every task its own SLURM_JOB_ID


def test_multi_node_environment(sim_cluster, job_dir: Path) -> None:
    c = sim_cluster("slurm", nodes=4, cores_per_node=4, cluster_name="simc", submit_host="login1")
    names = (
        "SLURM_JOB_ID SLURM_JOBID SLURM_JOB_NAME SLURM_SUBMIT_DIR SLURM_SUBMIT_HOST SLURM_JOB_NODELIST "
        "SLURM_NODELIST SLURM_JOB_NUM_NODES SLURM_NNODES SLURM_JOB_PARTITION SLURM_CPUS_ON_NODE "
        "SLURM_JOB_CPUS_PER_NODE SLURM_TASKS_PER_NODE SLURM_NTASKS SLURM_CPUS_PER_TASK "
        "SLURM_MEM_PER_NODE SLURM_CLUSTER_NAME SLURMD_NODENAME SLURM_PROCID"
    ).split()
    body = "".join(f'echo "{n}=${n}"\n' for n in names) + 'echo "PWD=$(pwd)"\n'
    (job_dir / "multi.sh").write_text(
        "#!/bin/sh\n#SBATCH --nodes=3\n#SBATCH --ntasks-per-node=2 --cpus-per-task=1\n"
        "#SBATCH --mem=100 -o env.txt -J multi\n" + body
    )
    job = submit(c, "multi.sh", cwd=job_dir)
    assert final(c, job) == "COMPLETED|0:0"
    env = dict(line.split("=", 1) for line in (job_dir / "env.txt").read_text().splitlines())
    assert env == {
        "SLURM_JOB_ID": job, "SLURM_JOBID": job, "SLURM_JOB_NAME": "multi",
        "SLURM_SUBMIT_DIR": str(job_dir), "SLURM_SUBMIT_HOST": "login1",
        "SLURM_JOB_NODELIST": "node[01-03]", "SLURM_NODELIST": "node[01-03]",
        "SLURM_JOB_NUM_NODES": "3", "SLURM_NNODES": "3", "SLURM_JOB_PARTITION": "debug",
        "SLURM_CPUS_ON_NODE": "2", "SLURM_JOB_CPUS_PER_NODE": "2(x3)",
        "SLURM_TASKS_PER_NODE": "2(x3)", "SLURM_NTASKS": "6", "SLURM_CPUS_PER_TASK": "1",
        "SLURM_MEM_PER_NODE": "100", "SLURM_CLUSTER_NAME": "simc", "SLURMD_NODENAME": "node01",
        "SLURM_PROCID": "0", "PWD": str(job_dir),
    }  # fmt: skip
    assert acct(c, job, "NNodes,NodeList,AllocCPUS,ReqMem") == ["3|node[01-03]|6|100M"]


def test_output_patterns_chdir_and_stdin(sim_cluster, job_dir: Path) -> None:
    c = sim_cluster("slurm")
    sub = job_dir / "sub"
    sub.mkdir()
    job = submit(c, "-D", "sub", "-o", "o-%x-%j-%u.txt", "-e", "e-%j.txt", "-J", "pat",
                 input="#!/bin/sh\necho out; echo err >&2; pwd\n", cwd=job_dir)  # fmt: skip
    assert final(c, job) == "COMPLETED|0:0"
    user = c.run(["squeue", "-t", "all", "-h", "-o", "%u", "-j", job]).stdout.strip()
    assert (sub / f"o-pat-{job}-{user}.txt").read_text() == f"out\n{sub}\n"
    assert (sub / f"e-{job}.txt").read_text() == "err\n"
    job = submit(c, input="#!/bin/sh\necho $SLURM_JOB_NAME\n", cwd=job_dir)
    assert final(c, job) == "COMPLETED|0:0"
    assert (job_dir / f"slurm-{job}.out").read_text() == "sbatch\n"


def test_export_none_and_values(sim_cluster, job_dir: Path) -> None:
    c = sim_cluster("slurm")
    script = '#!/bin/sh\necho "A=${A-unset} B=${B-unset} ID=$SLURM_JOB_ID"\n'
    (job_dir / "e.sh").write_text(script)
    env = {"A": "from-submit", "B": "b"}
    all_job = c.run(["sbatch", "--parsable", "e.sh"], cwd=job_dir, env=env).stdout.strip()
    none_job = c.run(
        ["sbatch", "--parsable", "--export=NONE", "e.sh"], cwd=job_dir, env=env
    ).stdout.strip()
    some_job = c.run(
        ["sbatch", "--parsable", "--export=B,A=x", "e.sh"], cwd=job_dir, env=env
    ).stdout.strip()
    for job in (all_job, none_job, some_job):
        assert final(c, job) == "COMPLETED|0:0"
    read = lambda j: (job_dir / f"slurm-{j}.out").read_text()  # noqa: E731
    assert read(all_job) == f"A=from-submit B=b ID={all_job}\n"
    assert read(none_job) == f"A=unset B=unset ID={none_job}\n"
    assert read(some_job) == f"A=x B=b ID={some_job}\n"


def test_scancel_is_silent_for_unknown_and_finished(sim_cluster, job_dir: Path) -> None:
    c = sim_cluster("slurm")
    job = submit(c, "--wrap", "true", cwd=job_dir)
    final(c, job)
    for ids in (["99999"], [job], [job, "424242"]):
        r = c.run(["scancel", *ids])
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = c.run(["scancel", "-v", "99999"])
    assert r.returncode == 1
    assert "Invalid job id specified" in r.stderr

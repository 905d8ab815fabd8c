"""Fake srun: job steps inside an allocation (tasks on the simulated nodes), and outside one.

Real texts seen from Slurm 22.05.8 on this machine (cluster cjcluster, partition short, 2 CPUs, TaskPlugin=task/none),
e.g. `sbatch -p short -n 2 job.sh` with `srun -n2 sh -c 'exit $((SLURM_PROCID+3))'` in it; and the man page
srun(1) of slurm-client 22.05.8 (IO Redirection, INPUT ENVIRONMENT VARIABLES).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run_job(c, tmp_path: Path, body: str, *options: str) -> str:
    """Submit `body` as a batch job (#!/bin/sh), wait for it, return its output file's text."""
    script = tmp_path / "job.sh"
    script.write_text("#!/bin/sh\n" + body)
    r = c.run(["sbatch", "--parsable", *options, str(script)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    job_id = r.stdout.strip()
    c.wait_for(lambda: all(j.finished for j in c.engine.jobs()), timeout=60)
    return (tmp_path / f"slurm-{job_id}.out").read_text()


def test_tasks_get_their_rank_node_and_step(sim_cluster, tmp_path: Path) -> None:
    # Source: real srun in `sbatch -n 2`: every task has SLURM_PROCID, SLURM_LOCALID, SLURM_NODEID,
    # SLURM_STEP_ID=SLURM_STEPID, SLURM_STEP_NUM_TASKS, SLURM_STEP_NODELIST, SLURM_STEP_TASKS_PER_NODE, and
    # SLURM_NTASKS / SLURM_TASKS_PER_NODE of the step (seen: `srun -n1` in a 2-task job gives 1 and 1).
    c = sim_cluster("slurm", nodes=2, cores_per_node=2)
    out = run_job(
        c,
        tmp_path,
        "srun true\n"
        "srun -n3 sh -c 'echo $SLURM_PROCID $SLURM_LOCALID $SLURM_NODEID $SLURM_STEP_ID $SLURM_STEPID "
        "$SLURM_STEP_NUM_TASKS $SLURM_STEP_NODELIST $SLURM_STEP_TASKS_PER_NODE $SLURM_NTASKS "
        "$SLURM_TASKS_PER_NODE $SLURM_JOB_ID $(hostname)' | sort\n",
        "-N2",
        "-n4",
    )
    assert out.splitlines() == [
        "0 0 0 1 1 3 node[01-02] 2,1 3 2,1 1 node01",
        "1 1 0 1 1 3 node[01-02] 2,1 3 2,1 1 node01",
        "2 0 1 1 1 3 node[01-02] 2,1 3 2,1 1 node02",
    ]
    job = c.engine.jobs()[0]
    steps = c.engine.steps(job)
    assert [(s.step_id, s.name, s.ntasks, s.node_names, s.state) for s in steps] == [
        (0, "true", 4, ["node01", "node02"], "COMPLETED"),
        (1, "sh", 3, ["node01", "node02"], "COMPLETED"),
    ]


def test_ntasks_per_node_cpus_per_task_nodes_nodelist(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm", nodes=3, cores_per_node=4)
    out = run_job(
        c,
        tmp_path,
        "srun -n6 --ntasks-per-node=2 sh -c 'echo A $SLURM_PROCID $(hostname)' | sort\n"
        "srun -N1 -n1 sh -c 'echo B $SLURM_NNODES $(hostname)'\n"
        "srun -w node03 -n2 -c 2 sh -c 'echo C $SLURM_PROCID $SLURM_CPUS_PER_TASK $(hostname)' | sort\n"
        "srun -J named -n1 true\n",
        "-N3",
        "--ntasks-per-node=4",
    )
    assert out.splitlines() == [
        "A 0 node01", "A 1 node01", "A 2 node02", "A 3 node02", "A 4 node03", "A 5 node03",
        "B 1 node01",
        "C 0 2 node03", "C 1 2 node03",
    ]  # fmt: skip
    names = [s.name for s in c.engine.steps(c.engine.jobs()[0])]
    assert names == ["sh", "sh", "sh", "named"]


def test_step_errors_as_real_srun(sim_cluster, tmp_path: Path) -> None:
    # Source: real srun 22.05.8 in `sbatch -p short -n 2` (one node): each text below was printed there, with
    # these exit codes (`srun -n 0`: rc 1; `srun -n 3`: rc 1; `srun -N2`: rc 1; `srun -w node9`: rc 1;
    # `srun -c 3`; no command: rc 1; an output folder that does not exist: rc 1).
    c = sim_cluster("slurm", nodes=1, cores_per_node=2)
    out = run_job(
        c,
        tmp_path,
        "srun -n 0 true; echo rc=$?\n"
        "srun -n 3 true; echo rc=$?\n"
        "srun -N2 -n2 true; echo rc=$?\n"
        "srun -w node9 -n1 true; echo rc=$?\n"
        "srun -c 3 -n1 true; echo rc=$?\n"
        "srun -n1; echo rc=$?\n"
        "srun -n1 --output=/nonexist/o.txt true; echo rc=$?\n",
        "-n2",
    )
    job = c.engine.jobs()[0].job_id
    assert out.splitlines() == [
        'srun: error: Invalid numeric value "0" for --ntasks.', "rc=1",
        f"srun: error: Unable to create step for job {job}: More processors requested than permitted",
        "rc=1",
        "srun: error: Only allocated 1 nodes asked for 2", "rc=1",
        f"srun: error: Unable to create step for job {job}: Requested node configuration is not available",
        "rc=1",
        f"srun: error: Unable to create step for job {job}: More processors requested than permitted",
        "rc=1",
        "srun: fatal: No command given to execute.", "rc=1",
        "srun: error: Could not open stdout file: No such file or directory", "rc=1",
    ]  # fmt: skip


def test_exit_codes_and_signals_as_real_srun(sim_cluster, tmp_path: Path) -> None:
    # Source: real srun 22.05.8 (job 16 and 19 on cjcluster): srun exits with the highest task exit code and
    # names each failing task; tasks of one node with one exit code share a line ("tasks 0-1"); a task
    # killed by a signal is named by strsignal and srun exits 128+signal after "Force Terminated"; a
    # program that cannot be executed gives slurmstepd's execve() error and exit code 2 for each task.
    c = sim_cluster("slurm", nodes=1, cores_per_node=2)
    out = run_job(
        c,
        tmp_path,
        "srun -n2 sh -c 'exit $((SLURM_PROCID+3))'; echo rc=$?\n"
        "srun -n2 sh -c 'exit 3'; echo rc=$?\n"
        "srun -n1 sh -c 'kill -TERM $$'; echo rc=$?\n"
        "srun -n1 sh -c 'kill -KILL $$'; echo rc=$?\n"
        "srun -n2 nonexistent-cmd; echo rc=$?\n",
        "-n2",
    )
    job = c.engine.jobs()[0]
    assert out.splitlines() == [
        "srun: error: node01: task 0: Exited with exit code 3",
        "srun: error: node01: task 1: Exited with exit code 4",
        "rc=4",
        "srun: error: node01: tasks 0-1: Exited with exit code 3",
        "rc=3",
        "srun: error: node01: task 0: Terminated",
        f"srun: Force Terminated StepId={job.job_id}.2",
        "rc=143",
        "srun: error: node01: task 0: Killed",
        f"srun: Force Terminated StepId={job.job_id}.3",
        "rc=137",
        "slurmstepd-node01: error: execve(): nonexistent-cmd: No such file or directory",
        "slurmstepd-node01: error: execve(): nonexistent-cmd: No such file or directory",
        "srun: error: node01: tasks 0-1: Exited with exit code 2",
        "rc=2",
    ]
    # Source: real sacct -j 16 after those steps: FAILED 4:0, CANCELLED 0:15, CANCELLED 0:9, FAILED 2:0
    ends = [(s.state, s.exit_code, s.signal) for s in c.engine.steps(job)]
    assert ends == [
        ("FAILED", 4, 0),
        ("FAILED", 3, 0),
        ("CANCELLED", 0, 15),
        ("CANCELLED", 0, 9),
        ("FAILED", 2, 0),
    ]


def test_output_and_error_patterns(sim_cluster, tmp_path: Path) -> None:
    # Source: real srun 22.05.8, job 16: --output=o-%j-%J-%s-%t-%n-%N-%%-%u-%x-%A-%a.txt with -n2 as step 1
    # made o-16-16.1-1-0-0-vm-%-root-job1.sh-16-4294967294.txt and ...-1-0-vm-...; job 18: --error=e-%t.txt
    # --output=o-%2t-%5j.txt made e-0.txt e-1.txt o-00-00018.txt o-01-00018.txt (srun(1): zero padding).
    import getpass

    c = sim_cluster("slurm", nodes=1, cores_per_node=2)
    run_job(
        c,
        tmp_path,
        "srun true\n"
        "srun --output=o-%j-%J-%s-%t-%n-%N-%%-%u-%x-%A-%a.txt -n2 sh -c 'echo task $SLURM_PROCID'\n"
        "srun -n2 --error=e-%t.txt --output=p-%2t-%5j.txt sh -c 'echo out; echo err >&2'\n"
        "srun -n2 -o both.txt sh -c 'echo $SLURM_PROCID'\n",
        "-n2",
        "-J",
        "job1.sh",
    )
    j = c.engine.jobs()[0].job_id
    user = getpass.getuser()
    for t in (0, 1):
        name = f"o-{j}-{j}.1-1-{t}-0-node01-%-{user}-job1.sh-{j}-4294967294.txt"
        assert (tmp_path / name).read_text() == f"task {t}\n"
        assert (tmp_path / f"e-{t}.txt").read_text() == "err\n"
        assert (tmp_path / f"p-0{t}-{j:05d}.txt").read_text() == "out\n"
    assert sorted((tmp_path / "both.txt").read_text().split()) == ["0", "1"]


def test_label(sim_cluster, tmp_path: Path) -> None:
    # Source: real srun 22.05.8 here, as nobody: `srun -n 2 -l sh -c "echo out; echo err >&2; printf partial"`
    # printed "0: out" "1: out" "0: partial" "1: partial" on stdout and "0: err" "1: err" on stderr (a last line
    # without newline gets one); `srun -O -n 11 -l echo x` printed " 0: x" ... "10: x" (as wide as the highest
    # task id), also in the -o file of each task (" 0: y" in lab.0); `srun -n1 -l printf "a\nb\n\nc"` printed
    # "0: a" "0: b" "0: " "0: c".
    c = sim_cluster("slurm", nodes=1, cores_per_node=11)
    out = run_job(
        c,
        tmp_path,
        "srun -n 2 -l sh -c 'echo out; printf partial' | sort\n"
        "srun -n 2 --label sh -c 'echo err >&2' 2>&1 >/dev/null | sort\n"
        "srun -n 11 -l echo x | sort | head -2\n"
        "srun -n 11 -l -o lab.%t echo y\n"
        "srun -n 1 -l printf 'a\\nb\\n\\nc'\n"
        "SLURM_LABELIO=1 srun -n 1 echo env\n",
        "-n11",
    )
    assert out.splitlines() == [
        "0: out",
        "0: partial",
        "1: out",
        "1: partial",
        "0: err",
        "1: err",
        " 0: x",
        " 1: x",
        "0: a",
        "0: b",
        "0: ",
        "0: c",
        "0: env",
    ]
    assert (tmp_path / "lab.0").read_text() == " 0: y\n"
    assert (tmp_path / "lab.10").read_text() == "10: y\n"


def test_cpu_bind_on_a_cluster_without_task_affinity(sim_cluster, tmp_path: Path) -> None:
    # Source: real srun 22.05.8 on cjcluster (TaskPlugin=task/none), job 17/18: every --cpu-bind prints
    # "srun: cluster configuration lacks support for cpu binding", binds nothing, and exports these values
    # (env.c setup_env); quiet exports nothing; an unknown word is refused with rc 1.
    c = sim_cluster("slurm", nodes=1, cores_per_node=2)
    show = "sh -c 'echo ${SLURM_CPU_BIND-unset} ${SLURM_CPU_BIND_TYPE-unset} ${SLURM_CPU_BIND_LIST-unset}'"
    out = run_job(
        c,
        tmp_path,
        "".join(
            f"srun -n1 --cpu-bind={b} {show}; echo rc=$?\n"
            for b in ("none", "cores", "map_cpu:0,1", "mask_cpu:0x1,0x2", "verbose,cores", "quiet")
        )
        + "SLURM_CPU_BIND=none srun -n1 true; echo rc=$?\n"
        + "srun -n1 --cpu-bind=bogus true; echo rc=$?\n",
        "-n2",
    )
    lacks = "srun: cluster configuration lacks support for cpu binding"
    assert out.splitlines() == [
        lacks, "quiet,none none", "rc=0",
        lacks, "quiet,corescores cores cores", "rc=0",
        lacks, "quiet,map_cpu:0,1 map_cpu: 0,1", "rc=0",
        lacks, "quiet,mask_cpu:1,2 mask_cpu: 1,2", "rc=0",
        lacks, "verbose,coresverbose,cores cores verbose,cores", "rc=0",
        lacks, "unset unset unset", "rc=0",
        lacks, "rc=0",
        lacks.replace(lacks, 'srun: error: unrecognized --cpu-bind argument "bogus"'),
        "srun: fatal: Failed to parse --cpu-bind= values.", "rc=1",
    ]  # fmt: skip


def test_export_and_kill_on_bad_exit(sim_cluster, tmp_path: Path) -> None:
    # Source: real srun 22.05.8, job 18: --export=NONE (or a list without ALL) leaves PATH out, so `sh` is not
    # found (slurmstepd's execve error, exit code 2); -K ends the other tasks when one exits non-zero:
    # "_step_signal: Terminating StepId=18.2", "*** STEP 18.2 ON vm CANCELLED AT ... ***", srun exits with the
    # bad task's code (5) and reports only that task.
    c = sim_cluster("slurm", nodes=1, cores_per_node=2)
    out = run_job(
        c,
        tmp_path,
        "FOO=bar srun -n1 --export=NONE sh -c true; echo rc=$?\n"
        "FOO=bar BAZ=q srun -n1 --export=ALL,X=1 sh -c 'echo $FOO ${BAZ} $X'; echo rc=$?\n"
        "srun -K -n2 sh -c 'if [ $SLURM_PROCID = 1 ]; then exit 5; fi; sleep 30; echo survived'; echo rc=$?\n",
        "-n2",
    )
    j = c.engine.jobs()[0].job_id
    lines = out.splitlines()
    assert lines[:5] == [
        "slurmstepd-node01: error: execve(): sh: No such file or directory",
        "srun: error: node01: task 0: Exited with exit code 2",
        "rc=2",
        "bar q 1",
        "rc=0",
    ]
    assert lines[5] == f"srun: launch/slurm: _step_signal: Terminating StepId={j}.2"
    assert lines[6].startswith(f"slurmstepd-node01: error: *** STEP {j}.2 ON node01 CANCELLED AT ")
    assert lines[7:] == ["srun: error: node01: task 1: Exited with exit code 5", "rc=5"]


def test_outside_an_allocation_srun_allocates(sim_cluster, tmp_path: Path) -> None:
    # Source: real `srun -n2 -p short sh -c 'exit $((SLURM_PROCID+3))'` outside any job: a job of its own
    # (named after the command) holding step 0, srun rc 4, the job FAILED 4:0 in sacct; an unknown
    # SLURM_JOB_ID: the two lines below, rc 1.
    c = sim_cluster("slurm", nodes=2, cores_per_node=2)
    r = c.run(["srun", "-N2", "sh", "-c", "echo $SLURM_PROCID $(hostname)"], cwd=tmp_path)
    assert (r.returncode, sorted(r.stdout.splitlines()), r.stderr) == (
        0,
        ["0 node01", "1 node02"],
        "",
    )
    r = c.run(["srun", "-n2", "sh", "-c", "exit $((SLURM_PROCID+3))"], cwd=tmp_path)
    assert r.returncode == 4
    c.wait_for(lambda: all(j.finished for j in c.engine.jobs()))
    jobs = c.engine.jobs()
    assert [(j.name, j.state, j.exit_code) for j in jobs] == [
        ("sh", "COMPLETED", 0),
        ("sh", "FAILED", 4),
    ]
    assert [(s.step_id, s.ntasks, s.state) for s in c.engine.steps(jobs[1])] == [(0, 2, "FAILED")]
    r = c.run(["srun", "-n1", "true"], env={**c.env, "SLURM_JOB_ID": "99999"})
    assert (r.returncode, r.stderr) == (
        1,
        "srun: error: Unable to confirm allocation for job 99999: Invalid job id specified\n"
        "srun: Check SLURM_JOB_ID environment variable. Expired or invalid job 99999\n",
    )


def test_unimplemented_option_fails_loudly(sim_cluster, tmp_path: Path) -> None:
    c = sim_cluster("slurm")
    # Source: real `srun -p short --cpu-bind=help true` on cjcluster: this line on stdout, rc 1, no job.
    r = c.run(["srun", "--cpu-bind=help", "true"])
    assert (r.returncode, r.stdout, r.stderr) == (
        1,
        "CPU bind options not supported with current configuration\n",
        "",
    )
    r = c.run(["srun", "--overlap", "-n1", "true"])
    assert r.returncode == 1
    assert "option --overlap is not implemented by the clusterjob simulator" in r.stderr
    r = c.run(["srun", "--mpi=pmix", "true"])
    assert r.returncode == 1
    assert "option --mpi=pmix is not implemented" in r.stderr
    r = c.run(
        ["srun", "-w", "node01", "true"]
    )  # outside an allocation the simulator places the job
    assert (
        r.returncode == 1
        and "option --nodelist (outside an allocation) is not implemented" in r.stderr
    )
    assert c.engine.jobs() == []
    out = run_job(c, tmp_path, "srun -t 5 true; echo rc=$?\n")  # a step's own time limit
    assert out.splitlines() == [
        "srun: option --time (inside an allocation) is not implemented by the clusterjob simulator "
        "(the real srun has it; see simulators/COVERAGE.md)",
        "rc=1",
    ]

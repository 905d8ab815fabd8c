"""The fake PBS Pro driven as a user would: qsub, qstat, qdel as subprocesses on a simulated cluster."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pbs_helpers
import pytest
from clusterjob_sim.engine.jobs import user_name
from pbs_helpers import SERVER, attrs, state, submit, submit_script, wait_state, write

pytestmark = pytest.mark.slow

make, cluster = pbs_helpers.cluster_fixtures("pbspro")  # job history on (set by make)


def test_queued_running_finished(cluster: Any) -> None:
    """Q while another job holds the cores, R, then F: hidden from plain qstat, shown with -x."""
    gate = Path(cluster.path) / "gate"
    write(
        cluster,
        "hold.sh",
        f"#PBS -l select=2:ncpus=2\nwhile [ ! -e {gate} ]; do sleep 0.05; done\n",
    )
    write(cluster, "next.sh", "#PBS -N next\ntrue\n")
    first = submit(cluster, "hold.sh")
    second = submit(cluster, "next.sh")
    assert (first, second) == (f"0.{SERVER}", f"1.{SERVER}")
    wait_state(cluster, first, "R")
    assert state(cluster, second) == "Q"
    table = cluster.run(["qstat"]).stdout.splitlines()
    assert table[0] == "Job id            Name             User              Time Use S Queue"
    assert [line.split()[4] for line in table[2:]] == ["R", "Q"]
    gate.touch()
    wait_state(cluster, second, "F")
    assert cluster.run(["qstat"]).stdout == ""
    table = cluster.run(["qstat", "-x"]).stdout.splitlines()
    assert [line.split()[4] for line in table[2:]] == ["F", "F"]
    r = cluster.run(["qstat", first])
    assert (r.returncode, r.stdout) == (35, "")
    assert r.stderr == (
        f"qstat: {first} Job has finished, use -x or -H to obtain historical job information\n"
    )
    assert attrs(cluster, first)["Exit_status"] == "0"


def test_failure_keeps_the_exit_code(cluster: Any) -> None:
    """``exit 3``: F with Exit_status 3; outputs <name>.o<seq> / .e<seq> in the submit directory."""
    job = submit_script(cluster, "fail.sh", "echo out; echo err >&2; exit 3\n")
    wait_state(cluster, job, "F")
    assert attrs(cluster, job)["Exit_status"] == "3"
    assert (Path(cluster.path) / "fail.sh.o0").read_text() == "out\n"
    assert (Path(cluster.path) / "fail.sh.e0").read_text() == "err\n"


def test_cancel(cluster: Any) -> None:
    """qdel of a running job: silent, F with Exit_status 271; again: ``Job has finished``, rc 35."""
    job = submit_script(cluster, "sleep.sh", "sleep 60\n")
    wait_state(cluster, job, "R")
    r = cluster.run(["qdel", job])
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    wait_state(cluster, job, "F")
    assert attrs(cluster, job)["Exit_status"] == "271"
    r = cluster.run(["qdel", job])
    assert (r.returncode, r.stderr) == (35, f"qdel: Job has finished {job}\n")


def test_walltime_exceeded(cluster: Any) -> None:
    """Past its walltime the job is killed: F with Exit_status -29 (JOB_EXEC_KILL_WALLTIME)."""
    job = submit_script(cluster, "long.sh", "#PBS -l walltime=00:00:01\nsleep 60\n")
    wait_state(cluster, job, "F", timeout=30)
    assert attrs(cluster, job)["Exit_status"] == "-29"


def test_array_tasks_see_their_index(cluster: Any) -> None:
    """``-J 1-5:2``: ``0[].srv``; sub-jobs get PBS_ARRAY_INDEX/PBS_ARRAY_ID, outputs ``name.o0.<i>``."""
    script = '#PBS -N arr\necho "$PBS_ARRAY_INDEX $PBS_ARRAY_ID $PBS_JOBID"\n'
    job = submit_script(cluster, "arr.sh", script, "-J", "1-5:2")
    assert job == f"0[].{SERVER}"
    outputs = {i: Path(cluster.path) / f"arr.o0.{i}" for i in (1, 3, 5)}
    cluster.wait_for(lambda: all(p.exists() and p.read_text() for p in outputs.values()))
    for i, path in outputs.items():
        assert path.read_text() == f"{i} 0[].{SERVER} 0[{i}].{SERVER}\n"
    wait_state(cluster, job, "F")
    table = cluster.run(["qstat", "-tx"]).stdout.splitlines()[2:]
    assert [line.split()[0] for line in table] == [job] + [f"0[{i}].{SERVER}" for i in (1, 3, 5)]
    assert [line.split()[4] for line in table] == ["F", "X", "X", "X"]
    assert attrs(cluster, job)["array_indices_submitted"] == "1-5:2"


def test_multi_node_environment(cluster: Any) -> None:
    """select=2:ncpus=2:mpiprocs=2: 4 node-file lines, NCPUS, OMP_NUM_THREADS; starts in $HOME."""
    script = (
        "#PBS -l select=2:ncpus=2:mpiprocs=2\n"
        "#PBS -l place=scatter\n"
        'echo "lines=$(wc -l < $PBS_NODEFILE)"\n'
        'echo "hosts=$(sort -u $PBS_NODEFILE | tr "\\n" " ")"\n'
        'echo "ncpus=$NCPUS omp=$OMP_NUM_THREADS env=$PBS_ENVIRONMENT queue=$PBS_QUEUE"\n'
        'echo "workdir=$PBS_O_WORKDIR pwd=$(pwd) home=$HOME tmpdir=${TMPDIR:+set}"\n'
        'echo "jobid=$PBS_JOBID name=$PBS_JOBNAME"\n'
    )
    job = submit_script(cluster, "env.sh", script)
    wait_state(cluster, job, "F")
    lines = (Path(cluster.path) / "env.sh.o0").read_text().splitlines()
    assert lines[0] == "lines=4"
    assert lines[1] == "hosts=node01 node02 "
    assert lines[2] == "ncpus=2 omp=2 env=PBS_BATCH queue=workq"
    home = lines[3].split("home=")[1].split()[0]
    assert lines[3] == f"workdir={cluster.path} pwd={home} home={home} tmpdir=set"
    assert lines[4] == f"jobid={job} name=env.sh"
    info = attrs(cluster, job)
    assert info["exec_host"] == "node01/0*2+node02/0*2"
    assert info["Resource_List.select"] == "2:ncpus=2:mpiprocs=2"


def test_job_tmpdir_is_removed_when_the_job_ends(cluster: Any) -> None:
    """TMPDIR is the job's own folder while it runs and is gone once it has ended, as pbs_mom purges it
    (OpenPBS 23.06 src/server/job_func.c job_purge -> rmtmpdir; TMPDIR=/var/tmp/pbs.ID seen on the real one)."""
    script = 'echo "$TMPDIR"\necho data > "$TMPDIR/scratch"\nls "$TMPDIR"\n'
    job = submit_script(cluster, "tmp.sh", script)
    wait_state(cluster, job, "F")
    seq = job.split(".")[0]
    tmpdir, listing = (Path(cluster.path) / f"tmp.sh.o{seq}").read_text().splitlines()
    assert Path(tmpdir).name == f"pbs.{job}"
    assert listing == "scratch"
    assert not Path(tmpdir).exists()


def test_json_output(cluster: Any) -> None:
    """``qstat -f -F json``: the PBS JSON document with the job under Jobs."""
    import json

    job = submit_script(cluster, "ok.sh", "sleep 30\n")
    r = cluster.run(["qstat", "-f", "-F", "json", job])
    data = json.loads(r.stdout)
    assert set(data) == {"timestamp", "pbs_version", "pbs_server", "Jobs"}
    assert data["pbs_server"] == SERVER
    assert data["Jobs"][job]["Job_Name"] == "ok.sh"
    r = cluster.run(["qstat", "-F", "json", job])
    assert r.returncode == 2 and r.stderr.startswith("qstat: conflicting options.\nusage: \n")


def test_history_disabled(make: Any) -> None:
    """Without job_history_enable a finished job is simply unknown (qstat and qdel rc 153), and the
    server refuses -x/-H outright, which qstat prints per operand yet exits 0."""
    # Source: real OpenPBS 23.06.06 recorded in real-pbs-build-notes.md ("Job history is off by default:
    # a finished job leaves qstat at once (`Unknown Job Id`), and `qstat -x -f -F json ID` prints a JSON
    # stub plus `qstat: PBS is not configured to maintain job history ID` with rc 0"); the text is
    # msg_job_history_notset (src/lib/Liblog/pbs_messages.c), printed by prt_job_err (err_handling.c),
    # rc 0 from src/cmds/qstat.c (any_failed == PBSE_JOBHISTNOTSET -> 0).
    c = make(nodes=1, cores_per_node=1, job_history_enable=False)
    job = submit_script(c, "quick.sh", "true\n")
    c.wait_for(lambda: c.engine.jobs()[0].finished)
    r = c.run(["qstat", job])
    assert (r.returncode, r.stderr) == (153, f"qstat: Unknown Job Id {job}\n")
    r = c.run(["qstat", "-x", job])
    assert (r.returncode, r.stdout) == (0, "")
    assert r.stderr == f"qstat: PBS is not configured to maintain job history {job}\n"
    r = c.run(["qstat", "-x", "-f", "-F", "json", job])
    assert r.returncode == 0
    assert r.stderr == f"qstat: PBS is not configured to maintain job history {job}\n"
    stub = json.loads(r.stdout)
    assert sorted(stub) == ["pbs_server", "pbs_version", "timestamp"]
    r = c.run(["qstat", "-H"])  # job_id_out is empty without an operand
    assert (r.returncode, r.stderr) == (
        0,
        "qstat: PBS is not configured to maintain job history \n",
    )
    r = c.run(["qstat", "-x"])
    assert (r.returncode, r.stdout) == (0, "")
    assert c.run(["qstat"]).stdout == ""  # gone from the live view at once
    r = c.run(["qdel", job])
    assert (r.returncode, r.stderr) == (153, f"qdel: Unknown Job Id {job}\n")


def test_history_is_off_by_default(sim_cluster: Any, tmp_path: Path) -> None:
    """A fresh PBS Pro cluster keeps no history, as OpenPBS's server (svr_history_enable = 0)."""
    # Source: OpenPBS 23.06.06 src/server/svr_func.c `long svr_history_enable = 0; /* disable by default */`
    c = sim_cluster("pbspro", nodes=1, cores_per_node=1)
    assert c.config["job_history_enable"] is False
    (tmp_path / "quick.sh").write_text("true\n")
    job = c.run(["qsub", "quick.sh"], cwd=tmp_path).stdout.strip()
    c.wait_for(lambda: c.engine.jobs()[0].finished)
    r = c.run(["qstat", job])
    assert (r.returncode, r.stderr) == (153, f"qstat: Unknown Job Id {job}\n")


def test_end_states_substate_and_comment(cluster: Any) -> None:
    """How a job ended, in substate and comment: 92 ``and finished``, 93 ``and failed``, 91 ``and
    terminated by USER@HOST`` after qdel (Exit_status 271), 93 ``exceeded resource walltime``."""
    # Source: real OpenPBS 23.06.06 (real-pbs-build-notes.md: exit 3 -> comment `...and failed`; qdel of a
    # running job -> Exit_status 271, comment `...and terminated by pbsuser@vm`; walltime -> -29,
    # `...exceeded resource walltime`); substates JOB_SUBSTATE_TERMINATED 91 / FINISHED 92 / FAILED 93
    # (src/include/job.h) chosen in svr_setjob_histinfo, texts of update_job_finish_comment
    # (src/server/svr_jobfunc.c), USER@HOST = the qdel request's rq_user@rq_host (req_delete.c).
    ok = submit_script(cluster, "ok.sh", "true\n")
    bad = submit_script(cluster, "bad.sh", "exit 3\n")
    wait_state(cluster, ok, "F")
    wait_state(cluster, bad, "F")
    done = attrs(cluster, ok)
    assert (done["substate"], done["Exit_status"]) == ("92", "0")
    assert re.fullmatch(
        r"Job run at \w{3} \w{3} \d\d at \d\d:\d\d on \(node0\d:ncpus=1\) and finished",
        done["comment"],
    )
    failed = attrs(cluster, bad)
    assert (failed["substate"], failed["Exit_status"]) == ("93", "3")
    assert failed["comment"].endswith(") and failed")
    sleeper = submit_script(cluster, "sleep.sh", "sleep 60\n")
    wait_state(cluster, sleeper, "R")
    assert cluster.run(["qdel", sleeper]).returncode == 0
    wait_state(cluster, sleeper, "F")
    killed = attrs(cluster, sleeper)
    assert (killed["substate"], killed["Exit_status"]) == ("91", "271")
    who = f"{user_name()}@{cluster.engine.submit_host}"
    assert killed["comment"].endswith(f") and terminated by {who}"), killed["comment"]
    late = submit_script(cluster, "late.sh", "#PBS -l walltime=00:00:01\nsleep 60\n")
    wait_state(cluster, late, "F")
    over = attrs(cluster, late)
    assert (over["substate"], over["Exit_status"]) == ("93", "-29")
    assert over["comment"].endswith(") and exceeded resource walltime")


def test_error_answers(cluster: Any) -> None:
    """The refusals of the reference: unknown job, unknown queue, CRLF, usage errors."""
    r = cluster.run(["qstat", "42"])
    assert (r.returncode, r.stderr) == (153, f"qstat: Unknown Job Id 42.{SERVER}\n")
    r = cluster.run(["qdel", "42.elsewhere"])
    assert (r.returncode, r.stderr) == (153, "qdel: Unknown Job Id 42.elsewhere\n")
    write(cluster, "ok.sh", "true\n")
    r = cluster.run(["qsub", "-q", "nosuch", "ok.sh"], cwd=cluster.path)
    assert (r.returncode, r.stdout, r.stderr) == (170, "", "qsub: Unknown queue\n")
    write(cluster, "dos.sh", "#!/bin/sh\r\nhostname\r\n")
    r = cluster.run(["qsub", "dos.sh"], cwd=cluster.path)
    assert (r.returncode, r.stderr) == (1, "qsub: script contains cr, lf\n")
    r = cluster.run(["qsub", "-l", "select=1:ncpus=two", "ok.sh"], cwd=cluster.path)
    assert (r.returncode, r.stderr) == (
        166,
        "qsub: Illegal attribute or resource value Resource_List.select\n",
    )
    r = cluster.run(["qsub", "-Z", "ok.sh"], cwd=cluster.path)
    assert r.returncode == 2 and r.stderr.startswith("qsub: invalid option -- 'Z'\nusage: qsub")
    assert cluster.engine.jobs() == []


def test_too_big_stays_queued(cluster: Any) -> None:
    """More chunks than nodes is accepted and never runs; its comment says why."""
    script = "#PBS -l select=3:ncpus=2\n#PBS -l place=scatter\ntrue\n"
    job = submit_script(cluster, "big.sh", script)
    cluster.wait_for(lambda: attrs(cluster, job).get("comment", "").startswith("Can Never Run"))
    assert state(cluster, job) == "Q"


def test_faults_answer_in_pbs_pros_words(cluster: Any) -> None:
    """A transient fault: PBS Pro's connection error (qstat exits 255); the next call works."""
    cluster.set_faults([{"kind": "transient", "command": "qstat", "count": 1}])
    r = cluster.run(["qstat"])
    assert (r.returncode, r.stderr) == (
        255,
        "qstat: cannot connect to server simserver (errno=111)\n",
    )
    assert cluster.run(["qstat"]).returncode == 0


def test_finished_array_lives_in_history_only(cluster: Any) -> None:
    """Once every sub-job ended, plain ``qstat -t`` shows neither the array nor its sub-jobs."""
    job = submit_script(cluster, "arr.sh", "true\n", "-J", "1-2")
    wait_state(cluster, job, "F")
    assert cluster.run(["qstat", "-t"]).stdout == ""
    r = cluster.run(["qstat", "-t", job])
    assert (r.returncode, r.stderr.split(" ")[1]) == (35, job)
    assert len(cluster.run(["qstat", "-tx"]).stdout.splitlines()) == 5

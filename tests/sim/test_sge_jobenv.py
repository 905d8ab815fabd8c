"""The environment of a simulated Grid Engine job against the real one: every variable the real execd sets.

Source for the real names: Grid Engine 8.1.9 (Debian gridengine 8.1.9+dfsg-10+b1) running on this machine,
2026-12-02, jobs 325 (`qsub -cwd -pe mpi 2 envjob.sh`) and 326 (`qsub -cwd envjob.sh`), each printing
`env | sort`, recorded below as REAL_PE_JOB (the variables the execd adds to its own environment).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

# seen: job 325 (-pe mpi 2); values that name the real machine's folders are not compared
REAL_PE_JOB = {
    "ARC": "lx-amd64",
    "HOME": "/root",
    "HOSTNAME": "vm",
    "JOB_ID": "325",
    "JOB_NAME": "envjob.sh",
    "JOB_SCRIPT": "/var/spool/gridengine/execd/vm/job_scripts/325",
    "LOGNAME": "root",
    "NHOSTS": "1",
    "NQUEUES": "1",
    "NSLOTS": "2",
    "PATH": "/tmp/325.1.all.q:/usr/local/bin:/bin:/usr/bin",
    "PE": "mpi",
    "PE_HOSTFILE": "/var/spool/gridengine/execd/vm/active_jobs/325.1/pe_hostfile",
    "PWD": "/tmp/sgereal",
    "QUEUE": "all.q",
    "REQNAME": "envjob.sh",
    "REQUEST": "envjob.sh",
    "RESTARTED": "0",
    "SGE_ACCOUNT": "sge",
    "SGE_ARCH": "lx-amd64",
    "SGE_BINARY_PATH": "/usr/sbin/lx-amd64",
    "SGE_CELL": "default",
    "SGE_CWD_PATH": "/tmp/sgereal",
    "SGE_EXECD_PIDFILE": "/var/run/gridengine/execd.pid",
    "SGE_JOB_SPOOL_DIR": "/var/spool/gridengine/execd/vm/active_jobs/325.1",
    "SGE_O_HOME": "/root",
    "SGE_O_HOST": "vm",
    "SGE_O_SHELL": "/bin/bash",
    "SGE_O_WORKDIR": "/tmp/sgereal",
    "SGE_ROOT": "/var/lib/gridengine",
    "SGE_STDERR_PATH": "/tmp/sgereal/envjob.sh.e325",
    "SGE_STDIN_PATH": "/dev/null",
    "SGE_STDOUT_PATH": "/tmp/sgereal/envjob.sh.o325",
    "SGE_TASK_FIRST": "undefined",
    "SGE_TASK_ID": "undefined",
    "SGE_TASK_LAST": "undefined",
    "SGE_TASK_STEPSIZE": "undefined",
    "SHELL": "/bin/bash",
    "TERM": "",
    "TMP": "/tmp/325.1.all.q",
    "USER": "root",
}
# The simulator has no execd process, hence no pid file to name. SGE_O_SHELL copies the submitter's SHELL and
# is absent when the submitter has none (as real qsub does; CI's `env -i` shell has no SHELL).
NOT_SIMULATED = {"SGE_EXECD_PIDFILE"} | (set() if "SHELL" in os.environ else {"SGE_O_SHELL"})


def run_env_job(c: Any, tmp_path: Path, *args: str) -> dict[str, str]:
    """Submit `env` with `args` from tmp_path and return the job's environment."""
    (tmp_path / "envjob.sh").write_text("#!/bin/sh\nenv\n")
    r = c.run(["qsub", "-cwd", "-j", "y", *args, "envjob.sh"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    jid = r.stdout.split()[2]
    out = tmp_path / f"envjob.sh.o{jid}"
    c.wait_for(lambda: out.exists() and not c.run(["qstat"]).stdout)
    return dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)


def test_pe_job_has_every_variable_of_the_real_one(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=2, cores_per_node=2)
    env = run_env_job(c, tmp_path, "-pe", "mpi", "4")
    assert set(REAL_PE_JOB) - NOT_SIMULATED <= set(env)
    same = (
        "ARC",
        "SGE_ARCH",
        "SGE_CELL",
        "SGE_ACCOUNT",
        "RESTARTED",
        "SGE_STDIN_PATH",
        "TERM",
        "PE",
    )
    assert {k: env[k] for k in same} == {k: REAL_PE_JOB[k] for k in same}
    assert (env["NSLOTS"], env["NHOSTS"], env["NQUEUES"]) == ("4", "2", "2")
    spool = str(c.spool)
    # SGE_ROOT is a folder of the simulated cluster; its bin/<arch> holds the cluster's commands, where Open
    # MPI looks for qrsh ($SGE_ROOT/bin/$ARC, orte/mca/plm/rsh/plm_rsh_component.c)
    assert env["SGE_ROOT"] == os.path.join(spool, "sge_root")
    assert env["SGE_BINARY_PATH"] == os.path.join(env["SGE_ROOT"], "bin", "lx-amd64")
    for command in ("qsub", "qstat", "qdel", "qacct", "qrsh", "qconf", "qhost"):
        assert os.access(os.path.join(env["SGE_BINARY_PATH"], command), os.X_OK), command
    # seen: PATH is <TMP>:the execd's PATH; the simulated commands come before the real ones
    tmp = env["TMP"]
    assert tmp.endswith(f"/{env['JOB_ID']}.1.all.q")
    # seen: TMP is <queue tmpdir /tmp>/<id>.<task>.<queue>, short enough for AF_UNIX sockets in it (Python's
    # multiprocessing); the simulator's is a link in /tmp into the spool
    assert tmp.startswith("/tmp/cjsim.") and len(tmp) < 40
    assert os.path.realpath(tmp).startswith(os.path.realpath(spool))
    assert env["PATH"].split(":")[1:] == [
        tmp,
        os.path.join(spool, "bin"),
        "/usr/local/bin",
        "/bin",
        "/usr/bin",
    ]
    assert env["SGE_JOB_SPOOL_DIR"].endswith(f"/{env['JOB_ID']}.1")
    assert env["PE_HOSTFILE"] == os.path.join(env["SGE_JOB_SPOOL_DIR"], "pe_hostfile")
    assert Path(env["PE_HOSTFILE"]).read_text() == (
        "node01 2 all.q@node01 UNDEFINED\nnode02 2 all.q@node02 UNDEFINED\n"
    )


def test_job_without_pe_has_no_pe_hostfile(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    env = run_env_job(c, tmp_path)
    # seen: job 326 (no -pe) has every variable of job 325 but PE and PE_HOSTFILE, and NSLOTS=1
    assert set(REAL_PE_JOB) - NOT_SIMULATED - {"PE", "PE_HOSTFILE"} <= set(env)
    assert "PE_HOSTFILE" not in env and "PE" not in env
    assert (env["NSLOTS"], env["NHOSTS"]) == ("1", "1")


def test_exported_environment_puts_tmp_first_on_path(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    path = f"/opt/cjx:{c.env['PATH']}"
    (tmp_path / "envjob.sh").write_text("#!/bin/sh\nenv\n")
    r = c.run(["qsub", "-cwd", "-j", "y", "-V", "envjob.sh"], cwd=tmp_path, env={"PATH": path})
    jid = r.stdout.split()[2]
    out = tmp_path / f"envjob.sh.o{jid}"
    c.wait_for(lambda: out.exists() and not c.run(["qstat"]).stdout)
    env = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
    # seen (real job 360, `PATH=/opt/cjx:$PATH qsub -cwd -V -j y v.sh`): PATH=/tmp/360.1.all.q:/opt/cjx:...
    # (the simulator's node commands come first: engine.nodes)
    assert env["PATH"].split(":")[1:] == [env["TMP"], *path.split(":")]
    if "TMPDIR" not in c.env:
        assert "TMPDIR" not in env  # seen: TMPDIR unset (execd sets TMP only)


def test_links_of_deleted_spools_are_removed(tmp_path: Path) -> None:
    """A spool deleted as a folder leaves its /tmp/cjsim.* link dangling; the next spool that makes its link
    removes such links (a live spool's link, and other files, stay)."""
    from clusterjob_sim.sge import jobenv

    gone = tmp_path / "gone"
    gone.mkdir()
    live = tmp_path / "live"
    live.mkdir()
    dangling = Path(f"/tmp/cjsim.test-{os.getpid()}-gone")
    kept = Path(f"/tmp/cjsim.test-{os.getpid()}-live")
    for link, target in ((dangling, gone), (kept, live)):
        if link.is_symlink():
            link.unlink()
        link.symlink_to(target)
    gone.rmdir()
    try:
        jobenv._remove_dangling_links()
        assert not dangling.is_symlink()
        assert kept.is_symlink()
    finally:
        for link in (dangling, kept):
            if link.is_symlink():
                link.unlink()

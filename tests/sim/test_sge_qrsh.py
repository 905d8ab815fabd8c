"""`qrsh -inherit HOST COMMAND`: a task of a running parallel job on one of its hosts, as Grid Engine starts it.

Source for every text: Grid Engine 8.1.9 (Debian gridengine 8.1.9+dfsg-10+b1) on this machine, 2026-12-02:
jobs 327, 328, 329, 331 in a PE `cjtest` ($fill_up, control_slaves TRUE, added for the test and removed after),
job 325/326/333 in PE mpi (control_slaves FALSE) and without a PE, and qrsh outside any job; each line below
says which. The simulated node names (node01...) stand for the real host `vm`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim.engine.refusal import not_implemented_text

pytestmark = pytest.mark.slow

# Each line: a qrsh call inside the job and what the real one answered (seen in job 328/329/331).
SCRIPT = r"""#!/bin/bash
echo "== exit3"; qrsh -inherit node02 'exit 3'; echo "rc=$?"
echo "== words"; qrsh -inherit node02 echo 'a  b' '$HOME'; echo "rc=$?"
echo "== hostname"; qrsh -inherit node02 hostname; echo "rc=$?"
echo "== signal"; qrsh -inherit node02 'kill -9 $$'; echo "rc=$?"
echo "== sigterm"; qrsh -inherit node02 'kill -TERM $$'; echo "rc=$?"
echo "== notfound"; qrsh -inherit node02 /no/such/prog; echo "rc=$?"
echo "== cwd"; cd /; qrsh -inherit node02 pwd; echo "rc=$?"; cd - >/dev/null
echo "== stdin"; echo piped | qrsh -inherit node02 cat; echo "rc=$?"
echo "== v"; qrsh -inherit -v CJ_A=1,CJ_B node02 'echo A=$CJ_A B=$CJ_B'; echo "rc=$?"
echo "== V"; export FOO_CJ=bar; qrsh -inherit -V node02 'echo FOO=$FOO_CJ'; echo "rc=$?"
echo "== noV"; qrsh -inherit node02 'echo FOO=$FOO_CJ PE_HOSTFILE=$PE_HOSTFILE'; echo "rc=$?"
echo "== taskenv"; qrsh -inherit node02 'echo $JOB_NAME $REQNAME $JOB_SCRIPT $ENVIRONMENT $SGE_RSH_COMMAND'
echo "== qrsh_command"; qrsh -inherit node02 'echo "$QRSH_COMMAND"'
echo "== noshell"; qrsh -inherit -noshell node02 echo '$HOME'; echo "rc=$?"
echo "== noshell notfound"; qrsh -inherit -noshell node02 /no/such; echo "rc=$?"
echo "== verbose"; qrsh -inherit -nostdin -V -verbose node02 true; echo "rc=$?"
echo "== now"; qrsh -inherit -now no node02 true; echo "rc=$?"
echo "== nosuch"; qrsh -inherit nosuch hostname; echo "rc=$?"
echo "== nocmd"; qrsh -inherit node02; echo "rc=$?"
echo "== badopt"; qrsh -inherit -frob node02 pwd; echo "rc=$?"
echo "== badtask"; SGE_TASK_ID=7 qrsh -inherit node02 true; echo "rc=$?"
echo "== badjob"; JOB_ID=99999 qrsh -inherit node02 true; echo "rc=$?"
"""


def run_job(c: Any, tmp_path: Path, *args: str) -> tuple[str, str, str]:
    """Submit SCRIPT with `args` (-cwd) and return (job id, its stdout, its stderr)."""
    (tmp_path / "inh.sh").write_text(SCRIPT)
    r = c.run(["qsub", "-cwd", *args, "inh.sh"], cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    jid = r.stdout.split()[2]
    out, err = tmp_path / f"inh.sh.o{jid}", tmp_path / f"inh.sh.e{jid}"
    c.wait_for(lambda: out.exists() and not c.run(["qstat"]).stdout)
    return jid, out.read_text(), err.read_text()


def sections(text: str) -> dict[str, list[str]]:
    """The lines after each `== name` marker."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("== "):
            current = found.setdefault(line[3:], [])
        else:
            current.append(line)
    return found


def test_tasks_of_a_pe_job(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=2, cores_per_node=2)
    jid, out, err = run_job(c, tmp_path, "-pe", "mpi", "4")
    got = sections(out)
    # seen (328): the words are joined with blanks and run by the user's shell; its exit status is qrsh's
    assert got["exit3"] == ["rc=3"]
    assert got["words"] == [f"a b {tmp_path}", "rc=0"]
    assert got["hostname"] == ["node02", "rc=0"]
    assert got["signal"] == ["rc=137"]  # seen (328): a task killed by SIGKILL
    assert got["sigterm"] == ["rc=143"]  # seen (331)
    assert got["notfound"] == ["rc=127"]
    assert got["cwd"] == [str(tmp_path), "rc=0"]  # seen (328): the job's working directory
    assert got["stdin"] == ["piped", "rc=0"]  # seen (327): stdin is passed on
    assert got["v"] == ["A=1 B=", "rc=0"]  # seen (331)
    assert got["V"] == ["FOO=bar", "rc=0"]  # seen (328)
    assert got["noV"] == [
        "FOO= PE_HOSTFILE=",
        "rc=0",
    ]  # seen (328): the job's environment, no PE_HOSTFILE
    # seen (328): the task's own variables
    assert got["taskenv"] == ["petask petask QRSH BATCH builtin"]
    assert got["qrsh_command"] == ['echo "$QRSH_COMMAND"']
    assert got["noshell"] == ["$HOME", "rc=0"]  # seen (331): no shell expands the words
    assert got["noshell notfound"] == ["rc=1"]
    assert got["verbose"] == ["rc=0"]
    for case in ("now", "nosuch", "nocmd", "badopt", "badtask", "badjob"):
        assert got[case] == ["rc=1"], case
    assert err.splitlines() == [
        "bash: line 1: /no/such/prog: No such file or directory",
        "qrsh_starter: executing child process /no/such failed: No such file or directory",
        # seen (327, 329): -verbose; tasks are numbered from 1 in each job (the 16th call here)
        'Starting server daemon at host "node02"',
        'Server daemon successfully started with task id "16.node02"',
        "error: Unknown option -now",  # seen (333)
        f"error: executing task of job {jid} failed: failed sending task to execd@nosuch: "
        "can't resolve host name",
        'error: usage with "-inherit" option: "qrsh -inherit ... <host> <command> [args]"',
        'error: invalid option argument "-frob"',
        f'error: executing task of job {jid} failed: execution daemon on host "node02" '
        "didn't accept task",
        'error: executing task of job 99999 failed: execution daemon on host "node02" '
        "didn't accept task",
    ]
    steps = c.engine.steps(c.engine.jobs()[0])
    assert [s.state for s in steps[:2]] == ["FAILED", "COMPLETED"]


def test_a_pe_without_control_slaves_refuses_tasks(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=2)
    (tmp_path / "job.sh").write_text("#!/bin/sh\nqrsh -inherit node01 hostname; echo rc=$?\n")
    for args in (["-pe", "smp", "2"], []):  # smp: control_slaves FALSE; no PE at all
        r = c.run(["qsub", "-cwd", *args, "job.sh"], cwd=tmp_path)
        jid = r.stdout.split()[2]
        out = tmp_path / f"job.sh.o{jid}"
        c.wait_for(lambda out=out: out.exists() and not c.run(["qstat"]).stdout)
        # seen (325: PE mpi with control_slaves FALSE; 326: no PE)
        assert out.read_text() == "rc=1\n"
        assert (tmp_path / f"job.sh.e{jid}").read_text() == (
            f'error: executing task of job {jid} failed: execution daemon on host "node01" '
            "didn't accept task\n"
        )


def test_outside_a_job(sim_cluster: Any) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    env = {k: v for k, v in c.env.items() if k not in ("JOB_ID", "SGE_TASK_ID")}

    def qrsh(*args: str, **extra: str) -> tuple[str, str, int]:
        import subprocess

        r = subprocess.run(
            ["qrsh", *args], env={**env, **extra}, capture_output=True, text=True, check=False
        )
        return r.stdout, r.stderr, r.returncode

    # seen: `qrsh -inherit vm hostname` on the real machine's shell
    no_job = 'error: "qrsh" called with option "-inherit", but "JOB_ID" not set in environment\n'
    assert qrsh("-inherit", "node01", "hostname") == ("", no_job, 1)
    assert qrsh("-inherit") == ("", no_job, 1)
    assert qrsh("-inherit", "-v") == ("", "error: -v option must have variable list argument\n", 1)
    assert qrsh("-inherit", "-frob") == ("", 'error: invalid option argument "-frob"\n', 1)
    assert qrsh("-inherit", "node01", "true", JOB_ID="abc") == (
        "",
        'error: invalid "JOB_ID" abc\n',
        1,
    )
    assert qrsh("-inherit", "node01", "hostname", JOB_ID="5") == (
        "",
        'error: executing task of job 5 failed: missing "SGE_TASK_ID" in environment\n',
        1,
    )
    usage = 'error: usage with "-inherit" option: "qrsh -inherit ... <host> <command> [args]"\n'
    assert qrsh("-inherit", JOB_ID="5") == ("", usage, 1)
    assert qrsh("-inherit", "node01", "true", JOB_ID="99999", SGE_TASK_ID="undefined") == (
        "",
        'error: executing task of job 99999 failed: execution daemon on host "node01" '
        "didn't accept task\n",
        1,
    )
    # options qrsh -inherit takes but the simulator does not implement fail loudly
    assert qrsh("-inherit", "-cwd", "node01", "true", JOB_ID="5", SGE_TASK_ID="undefined") == (
        "",
        not_implemented_text("qrsh", "-cwd"),
        1,
    )
    # an interactive qrsh (no -inherit) is not simulated
    out, err, rc = qrsh("hostname")
    assert (out, rc) == ("", 1)
    assert "not implemented by the clusterjob simulator" in err

"""`qconf` show options and `qhost` against the real Grid Engine 8.1.9 texts.

Source: Grid Engine 8.1.9 (Debian gridengine 8.1.9+dfsg-10+b1) running on this machine, 2026-12-02: `qconf -sql`,
`-spl`, `-sp mpi`, `-sq all.q`, `-sel`, `-sh`, `-ss`, `-sconf`, the errors of `-sp nosuch`, `-sq nosuch`,
`-sconf vm`/`nosuch`, `-sprjl`, `-frob`; `qhost`, `qhost -q`, `qhost -j` with job 334 (`-pe mpi 2`) running,
`qhost -frob`, `qhost -h nosuch`. Host `vm` there stands for node01/node02 here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim.engine.refusal import not_implemented_text
from clusterjob_sim.sge.qhost import USAGE as QHOST_USAGE

pytestmark = pytest.mark.slow

# seen: `qconf -sp mpi` (its PE has control_slaves FALSE; the simulated mpi PE has TRUE for qrsh -inherit)
REAL_SP_MPI = """pe_name            mpi
slots              9999
user_lists         NONE
xuser_lists        NONE
start_proc_args    NONE
stop_proc_args     NONE
allocation_rule    $fill_up
control_slaves     FALSE
job_is_first_task  TRUE
urgency_slots      min
accounting_summary FALSE
qsort_args         NONE
"""
# seen: `qconf -sq all.q`, from the top to shell_start_mode (the rest: limits INFINITY, and NONE lists)
REAL_SQ_HEAD = """qname                 all.q
hostlist              vm
seq_no                0
load_thresholds       NONE
suspend_thresholds    NONE
nsuspend              1
suspend_interval      00:05:00
priority              0
min_cpu_interval      00:05:00
processors            UNDEFINED
qtype                 BATCH INTERACTIVE
ckpt_list             NONE
pe_list               mpi smp
rerun                 FALSE
slots                 2
tmpdir                /tmp
shell                 /bin/bash
prolog                NONE
epilog                NONE
shell_start_mode      unix_behavior
"""
# seen: `qhost` and `qhost -q -j` with job 334 (2 slots of PE mpi) running on vm
REAL_QHOST_HEAD = (
    "HOSTNAME                ARCH         NCPU NSOC NCOR NTHR  LOAD  MEMTOT  MEMUSE  SWAPTO  SWAPUS\n"
    "----------------------------------------------------------------------------------------------\n"
    "global                  -               -    -    -    -     -       -       -       -       -\n"
)
REAL_HOST_LINE = "vm                      lx-amd64        2    1    2    2  2.31   23.5G  983.5M     0.0     0.0\n"
REAL_JOB_LINES = (
    "   job-ID  prior   name       user         state submit/start at     queue      master ja-task-ID \n"
    "   ----------------------------------------------------------------------------------------------\n"
    "       334 0.50000 s.sh       root         r     12/02/2026 13:32:38 all.q@vm   MASTER        \n"
    "                                                                     all.q@vm   SLAVE         \n"
)


def test_qconf_show_options(sim_cluster: Any) -> None:
    c = sim_cluster(
        "sge",
        nodes=2,
        cores_per_node=2,
        parallel_environments={
            "mpi": {"slots": 9999, "allocation_rule": "$fill_up"},
            "smp": {"slots": 9999, "allocation_rule": "$pe_slots"},
        },
        shell="/bin/bash",
        shell_start_mode="unix_behavior",
    )
    r = c.run(["qconf", "-sql"])
    assert (r.stdout, r.stderr, r.returncode) == ("all.q\n", "", 0)
    assert c.run(["qconf", "-spl"]).stdout == "mpi\nsmp\n"
    assert (
        c.run(["qconf", "-sql", "-spl"]).stdout == "all.q\nmpi\nsmp\n"
    )  # seen: one after the other
    assert c.run(["qconf", "-sp", "mpi"]).stdout == REAL_SP_MPI
    sq = c.run(["qconf", "-sq", "all.q"]).stdout
    assert sq.startswith(
        REAL_SQ_HEAD.replace("hostlist              vm", "hostlist              node01 node02")
    )
    assert sq.endswith("s_vmem                INFINITY\nh_vmem                INFINITY\n")
    assert len(sq.splitlines()) == 50  # seen: 50 lines
    assert c.run(["qconf", "-sel"]).stdout == "node01\nnode02\n"
    host = c.engine.submit_host
    assert c.run(["qconf", "-sh"]).stdout == c.run(["qconf", "-ss"]).stdout == f"{host}\n"
    conf = c.run(["qconf", "-sconf"]).stdout
    assert conf.startswith("#global:\nexecd_spool_dir ")
    assert "rsh_command                  builtin\n" in conf
    assert conf == c.run(["qconf", "-sconf", "global"]).stdout


def test_qconf_errors(sim_cluster: Any) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)

    def answer(*args: str) -> tuple[str, str, int]:
        r = c.run(["qconf", *args])
        return r.stdout, r.stderr, r.returncode

    assert answer("-sp", "nosuch") == ("", "nosuch is not a parallel environment\n", 1)
    assert answer("-sp", "mpi,smp") == ("", "mpi,smp is not a parallel environment\n", 1)
    assert answer("-sq", "nosuch") == (
        "",
        'No cluster queue or queue instance matches the phrase "nosuch"\n',
        1,
    )
    out, err, rc = answer("-sq", "all.q,nosuch")  # seen: all.q printed, then the error
    assert (out.splitlines()[0], err, rc) == (
        "qname                 all.q",
        'No cluster queue or queue instance matches the phrase "nosuch"\n',
        1,
    )
    assert answer("-sconf", "node01") == ("", "configuration node01 not defined\n", 1)
    assert answer("-sconf", "nosuch") == (
        "",
        "can't resolve hostname \"nosuch\": can't resolve host name\n",
        1,
    )
    assert answer("-sprjl") == ("", "no project list defined\n", 1)
    assert answer("-frob") == (
        "",
        'error: invalid option argument "-frob"\nUsage: qconf -help\n',
        1,
    )
    assert answer("-sc") == ("", not_implemented_text("qconf", "-sc"), 1)
    assert answer("-mq", "all.q") == ("", not_implemented_text("qconf", "-mq"), 1)


def run_gated_pe_job(c: Any, tmp_path: Path, slots: int) -> str:
    """A job of PE mpi that runs until the test touches tmp_path/go; returns its id once running."""
    gate = tmp_path / "go"
    (tmp_path / "s.sh").write_text(f'while [ ! -e "{gate}" ]; do sleep 0.05; done\n')
    r = c.run(["qsub", "-cwd", "-pe", "mpi", str(slots), "s.sh"], cwd=tmp_path)
    jid = r.stdout.split()[2]
    c.wait_for(lambda: " r " in c.run(["qstat"]).stdout)
    return jid


def test_qhost(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=2, cores_per_node=2, mem_mb_per_node=24064)
    idle = c.run(["qhost"])
    assert idle.returncode == 0
    # 24064 MB = 23.5G, as the real host's MEMTOT; LOAD is the slots in use (no load sensor)
    node = REAL_HOST_LINE.replace("2.31", "0.00").replace("983.5M", "   0.0")
    assert idle.stdout == REAL_QHOST_HEAD + node.replace("vm    ", "node01") + node.replace(
        "vm    ", "node02"
    )
    jid = run_gated_pe_job(c, tmp_path, 3)
    both = c.run(["qhost", "-q", "-j"]).stdout.splitlines(keepends=True)
    assert both[:3] == REAL_QHOST_HEAD.splitlines(keepends=True)
    assert both[3].startswith(
        "node01                  lx-amd64        2    1    2    2  2.00   23.5G"
    )
    assert both[4] == "   all.q                BIP   0/2/2         \n"  # seen: `   all.q ... 0/2/2`
    assert both[5:7] == REAL_JOB_LINES.splitlines(keepends=True)[:2]
    when = both[7][49:68]
    assert both[7:9] == [
        f"   {jid:>7} 0.50000 s.sh       {c.engine.jobs()[0].user:<12} r     {when} all.q@node MASTER        \n",
        f"{'':69}all.q@node SLAVE         \n",
    ]
    assert both[9].startswith("node02                  lx-amd64        2    1    2    2  1.00")
    assert both[10] == "   all.q                BIP   0/1/2         \n"
    assert both[13].endswith("all.q@node SLAVE         \n")
    assert c.run(["qhost", "-h", "node02"]).stdout.splitlines()[3:] == [both[9].rstrip("\n")]
    (tmp_path / "go").touch()


def test_qhost_errors(sim_cluster: Any) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=1)
    r = c.run(["qhost", "-frob"])
    assert (r.stdout, r.stderr, r.returncode) == (
        "",
        QHOST_USAGE + 'error: invalid option argument "-frob"\n',
        1,
    )
    assert QHOST_USAGE.startswith("SGE 8.1.9\nusage: qhost [options]\n  [-F [resource_attribute]]")
    r = c.run(["qhost", "-h", "nosuch"])
    assert (r.stdout, r.stderr, r.returncode) == (
        "",
        QHOST_USAGE + 'error: can\'t resolve hostname "nosuch"\n',
        1,
    )
    r = c.run(["qhost", "-xml"])
    assert (r.stderr, r.returncode) == (not_implemented_text("qhost", "-xml"), 1)


def test_qhost_j_array_tasks(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("sge", nodes=1, cores_per_node=2)
    gate = tmp_path / "go"
    (tmp_path / "s1.sh").write_text(f'while [ ! -e "{gate}" ]; do sleep 0.05; done\n')
    c.run(["qsub", "-cwd", "-t", "1-2", "s1.sh"], cwd=tmp_path)
    c.wait_for(lambda: c.run(["qstat"]).stdout.count(" r ") == 2)
    lines = c.run(["qhost", "-j"]).stdout.splitlines(keepends=True)
    # seen (real job-array 368.1-2 running on vm): `... all.q@vm   MASTER 1`, the task id unpadded
    assert [line[69:] for line in lines[6:]] == ["all.q@node MASTER 1\n", "all.q@node MASTER 2\n"]
    assert lines[6][:34] == "         1 0.50000 s1.sh      " + c.engine.jobs()[0].user[:4]
    gate.touch()

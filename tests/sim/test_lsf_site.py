"""The simulated LSF site's lsf.conf settings, with LSF's own defaults: LSF_UNIT_FOR_LIMITS, LSB_BSUB_PARSE_SCRIPT,
LSB_JOB_MEMLIMIT / LSB_MEMLIMIT_ENFORCE, and the lsf.conf under LSF_ENVDIR that clients read.

Sources: IBM LSF 10.1 Configuration Reference, lsf.conf (LSF_UNIT_FOR_LIMITS: "The default of KB for these
limits"; LSB_BSUB_PARSE_SCRIPT; LSB_JOB_MEMLIMIT: "When the total memory allocated to all processes in the
job exceeds the memory limit, LSF sends the following signals to kill the job: SIGINT, SIGTERM, then
SIGKILL"), bsub(1) -M ("By default, the limit is specified in KB"; LSF kills the job only with
LSB_MEMLIMIT_ENFORCE / LSB_JOB_MEMLIMIT = y or a hard limit `!`, otherwise the OS gets an RLIMIT_RSS) and
bsub(1) job_script ("The LSB_BSUB_PARSE_SCRIPT parameter must be set to Y in the lsf.conf file to specify a
job script ... does not have to be an executable file").
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim import lsf
from clusterjob_sim.lsf.site import lsf_conf_text

Cluster = Any  # clusterjob_sim.pytest_fixtures.SimCluster


def field(c: Cluster, fmt: str, ref: str) -> str:
    return c.run(["bjobs", "-noheader", "-o", fmt, ref]).stdout.strip()


def job_id(answer: Any) -> str:
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.split("<", 1)[1].split(">", 1)[0]


# ---------------------------------------------------------------------------------- defaults, lsf.conf


def test_defaults_are_lsfs_own() -> None:
    cfg = lsf.DEFAULT_CONFIG
    assert cfg["unit_for_limits"] is None  # LSF_UNIT_FOR_LIMITS not defined: -M in KB
    assert cfg["bsub_parse_script"] == "N"
    assert cfg["job_memlimit"] == "N" and cfg["memlimit_enforce"] == "N"


def test_spool_files_write_an_lsf_conf_under_lsf_envdir(tmp_path: Path) -> None:
    spool = str(tmp_path)
    env = lsf.activate_env(spool, lsf.DEFAULT_CONFIG)
    assert env == {"LSF_ENVDIR": str(tmp_path / "lsf" / "conf")}
    [path] = lsf.spool_files(spool, lsf.DEFAULT_CONFIG)
    assert path == str(tmp_path / "lsf" / "conf" / "lsf.conf")
    text = Path(path).read_text()
    assert f"LSF_CONFDIR={tmp_path / 'lsf' / 'conf'}\n" in text
    assert "LSF_UNIT_FOR_LIMITS" not in text  # not defined: LSF's own default (KB)
    site = {
        **lsf.DEFAULT_CONFIG,
        "unit_for_limits": "mb",
        "bsub_parse_script": "Y",
        "job_memlimit": "y",
    }
    lines = lsf_conf_text("/x", site).splitlines()
    assert lines[1:] == [
        "LSF_CONFDIR=/x",
        "LSF_UNIT_FOR_LIMITS=MB",
        "LSB_BSUB_PARSE_SCRIPT=Y",
        "LSB_JOB_MEMLIMIT=Y",
    ]
    assert lines[0].startswith("#")


def test_dask_jobqueue_reads_the_unit_from_the_written_lsf_conf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lsf_mod = pytest.importorskip("dask_jobqueue.lsf")
    config = {**lsf.DEFAULT_CONFIG, "unit_for_limits": "GB"}
    lsf.spool_files(str(tmp_path), config)
    for key, value in lsf.activate_env(str(tmp_path), config).items():
        monkeypatch.setenv(key, value)
    assert lsf_mod.lsf_detect_units() == "g"
    lsf.spool_files(str(tmp_path), lsf.DEFAULT_CONFIG)
    assert lsf_mod.lsf_detect_units() == "kb"  # not defined: its fallback, LSF's default


# ---------------------------------------------------------------------------------- LSB_BSUB_PARSE_SCRIPT


SCRIPT = '#!/bin/sh\n#BSUB -J parsed\n#BSUB -o out.%J\necho "name=$LSB_JOBNAME args=$#"\n'


@pytest.mark.slow
def test_bsub_file_runs_the_file_as_a_command_by_default(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1)
    (tmp_path / "job.sh").write_text(SCRIPT)  # not executable
    jid = job_id(c.run(["bsub", "-o", "o.txt", "./job.sh"], cwd=tmp_path))
    c.wait_for(lambda: field(c, "stat", jid) == "EXIT")
    assert field(c, "job_name", jid) == "./job.sh"  # its #BSUB lines were not read
    assert field(c, "exit_code", jid) == "126"  # the shell cannot execute it
    assert "Permission denied" in (tmp_path / "o.txt").read_text()


@pytest.mark.slow
def test_parse_script_y_reads_bsub_lines_of_a_non_executable_file(
    sim_cluster: Any, tmp_path: Path
) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1, bsub_parse_script="Y")
    (tmp_path / "job.sh").write_text(SCRIPT)
    r = c.run(["bsub", "job.sh"], cwd=tmp_path)
    assert r.stdout == "Job <1> is submitted to default queue <normal>.\n"
    c.wait_for(lambda: field(c, "stat", "1") == "DONE")
    assert (tmp_path / "out.1").read_text() == "name=parsed args=0\n"
    # the command line wins over the file's #BSUB lines, as over a script on stdin
    jid = job_id(c.run(["bsub", "-J", "cmdline", "job.sh"], cwd=tmp_path))
    c.wait_for(lambda: field(c, "stat", jid) == "DONE")
    assert (tmp_path / f"out.{jid}").read_text() == "name=cmdline args=0\n"
    # a binary file, a command or more than one word stay commands
    jid = job_id(c.run(["bsub", "-o", "t.txt", "/bin/true"], cwd=tmp_path))
    c.wait_for(lambda: field(c, "stat", jid) == "DONE")
    assert field(c, "job_name", jid) == "/bin/true"
    jid = job_id(c.run(["bsub", "-o", "e.txt", "echo", "job.sh"], cwd=tmp_path))
    c.wait_for(lambda: field(c, "stat", jid) == "DONE")
    assert (tmp_path / "e.txt").read_text() == "job.sh\n"


@pytest.mark.slow
def test_parse_script_refuses_what_stdin_refuses(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", bsub_parse_script="Y")
    (tmp_path / "empty.sh").write_text("#BSUB -n 1\n")
    r = c.run(["bsub", "empty.sh"], cwd=tmp_path)
    # Source: OpenLava lsbatch/cmd/cmd.sub.c, a script without a command line
    assert (r.stdout, r.stderr, r.returncode) == (
        "",
        "No command is specified in the script file. Job not submitted.\n",
        255,
    )
    (tmp_path / "q.sh").write_text("#BSUB -q nosuch\nhostname\n")
    r = c.run(["bsub", "q.sh"], cwd=tmp_path)
    assert (r.stderr, r.returncode) == ("nosuch: No such queue. Job not submitted.\n", 255)
    assert c.engine.jobs() == []


# ---------------------------------------------------------------------------------- -M at run time

HOG = f'{sys.executable} -c "import time; x = bytearray(300 * 1024 * 1024); time.sleep(30)"'


@pytest.mark.slow
def test_memlimit_is_no_placement_request(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1, mem_mb_per_node=1000)
    jid = job_id(c.run(["bsub", "-M", "64GB", "-o", "o.txt", "echo ran"], cwd=tmp_path))
    c.wait_for(lambda: field(c, "stat", jid) == "DONE")  # before: pending forever
    assert (tmp_path / "o.txt").read_text() == "ran\n"


@pytest.mark.slow
def test_memlimit_not_enforced_by_default(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1)
    body = HOG.replace("time.sleep(30)", "print(len(x))")
    jid = job_id(c.run(["bsub", "-M", "50000", "-o", "o.txt", body], cwd=tmp_path))
    c.wait_for(lambda: field(c, "stat", jid) == "DONE")
    assert (tmp_path / "o.txt").read_text() == f"{300 * 1024 * 1024}\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("config", "limit"),
    [({"job_memlimit": "Y"}, "50000"), ({"memlimit_enforce": "y"}, "50MB"), ({}, "50000!")],
)
def test_memlimit_enforced_kills_the_job(
    sim_cluster: Any, tmp_path: Path, config: dict[str, str], limit: str
) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1, kill_wait_s=0.5, **config)
    jid = job_id(c.run(["bsub", "-M", limit, "-o", "o.txt", HOG], cwd=tmp_path))
    c.wait_for(lambda: field(c, "stat", jid) == "EXIT")
    # Source: IBM Support Q&A isg3T1018915 (https://www.ibm.com/support/pages/node/677043) quotes it
    assert field(c, "exit_reason delimiter='|'", jid) == (
        "TERM_MEMLIMIT: job killed after reaching LSF memory usage limit"
    )
    small = job_id(c.run(["bsub", "-M", limit, "-o", "s.txt", "echo small"], cwd=tmp_path))
    c.wait_for(lambda: field(c, "stat", small) == "DONE")


def test_activating_an_lsf_cluster_exports_lsf_envdir_with_its_lsf_conf(tmp_path: Path) -> None:
    # What a shell of a real LSF cluster has after sourcing profile.lsf: LSF_ENVDIR naming the folder of
    # lsf.conf (clients such as dask-jobqueue read LSF_UNIT_FOR_LIMITS there).
    from clusterjob_sim import activate

    spool = activate.create_spool(tmp_path / "spool", "lsf", unit_for_limits="GB")
    env = activate.env_vars("lsf", spool)
    conf = Path(env["LSF_ENVDIR"]) / "lsf.conf"
    assert "LSF_UNIT_FOR_LIMITS=GB" in conf.read_text().split("\n")
    assert f"export LSF_ENVDIR={env['LSF_ENVDIR']}\n" in activate.env_lines("lsf", spool)

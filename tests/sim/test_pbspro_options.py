"""Which options the fake PBS Pro acts on, records, refuses or lacks: attributes qsub only records show in
qstat -f, a non-rerunable job cannot be an array, options it lacks fail loudly (command line and directives
alike, nothing submitted), and qstat/qdel refuse what they lack."""

from __future__ import annotations

from typing import Any

import pbs_helpers
import pytest
from clusterjob_sim.engine.refusal import not_implemented_text
from clusterjob_sim.pbs.pbspro import manual, output, qstat
from clusterjob_sim.pbs.pbspro.options import OPTSTRING
from pbs_helpers import attrs, submit_script, write

pytestmark = pytest.mark.slow

make, cluster = pbs_helpers.cluster_fixtures("pbspro")


def letters(optstring: str) -> set[str]:
    """The one-letter options of a getopt string, as ``-x``."""
    return {f"-{c}" for c in optstring if c not in ":-"}


@pytest.mark.parametrize(
    ("command", "optstring", "unlisted"),
    [
        ("qsub", OPTSTRING, set()),
        ("qstat", qstat.QSTAT_OPTSTRING, {"-W"}),  # qstat.c reads -W; the man page does not list it
        ("qdel", "W:x", set()),
    ],
)
def test_every_option_the_parser_knows_is_in_the_manual_list(
    command: str, optstring: str, unlisted: set[str]
) -> None:
    """The parser knows the real getopt string; the manual list names each of its options."""
    assert letters(optstring) - set(manual.OPTIONS[command]) == unlisted


def test_recorded_attributes_show_in_qstat_f(cluster: Any) -> None:
    """-M, -p, -P and -r are only recorded by the server: qstat -f shows them where PBS Pro does."""
    job = submit_script(cluster, "rec.sh", "#PBS -M me@x -p +5 -r n -P proj\ntrue\n", "-h")
    info = attrs(cluster, job)
    assert (info["Mail_Users"], info["Priority"], info["Rerunable"]) == ("me@x", "5", "False")
    assert info["project"] == "proj"
    plain = attrs(cluster, submit_script(cluster, "plain.sh", "true\n", "-h"))
    assert (plain["Priority"], plain["Rerunable"], plain["project"]) == (
        "0",
        "True",
        "_pbs_project_default",
    )
    assert "Mail_Users" not in plain


@pytest.mark.parametrize("argv", [["-r", "n", "-J", "1-3"], ["-J", "1-3", "-r", "n"]])
def test_a_non_rerunable_job_is_no_array(cluster: Any, argv: list[str]) -> None:
    """qsub refuses -r n with -J, in either order (NO_RERUN_ARRAY), then the usage; exit 2."""
    write(cluster, "arr.sh", "true\n")
    r = cluster.run(["qsub", *argv, "arr.sh"], cwd=cluster.path)
    assert (r.returncode, r.stderr) == (2, output.NO_RERUN_ARRAY + output.USAGE)


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["-a", "0101"], "-a"),
        (["-k", "oe"], "-k"),
        (["-W", "block=true"], "-W block"),
        (["-W", "max_run_subjobs=2,depend=afterok:1"], "-W depend"),
        (["-Wfoo=1"], "-W"),
    ],
)
def test_missing_options_fail_loudly_before_the_script_is_read(
    cluster: Any, argv: list[str], option: str
) -> None:
    """Not implemented: the simulator's message, usage status 2, even with no script to read."""
    r = cluster.run(["qsub", *argv, "nosuch.sh"], cwd=cluster.path)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", not_implemented_text("qsub", option))


def test_missing_options_in_directives_fail_loudly_and_submit_nothing(cluster: Any) -> None:
    """A directive the simulator does not implement refuses the job as the command line would."""
    write(cluster, "keep.sh", "#PBS -N x\n#PBS -k oe\ntrue\n")
    r = cluster.run(["qsub", "keep.sh"], cwd=cluster.path)
    assert (r.returncode, r.stderr) == (2, not_implemented_text("qsub", "-k"))
    assert cluster.engine.jobs() == []


def test_max_run_subjobs_by_w_is_implemented(cluster: Any) -> None:
    """``-W max_run_subjobs=N`` is the limit ``-J ...%N`` sets."""
    write(cluster, "arr.sh", "true\n")
    r = cluster.run(
        ["qsub", "-h", "-W", "max_run_subjobs=1", "-J", "1-3", "arr.sh"], cwd=cluster.path
    )
    assert r.returncode == 0, r.stderr
    assert {j.array_limit for j in cluster.engine.jobs()} == {1}


@pytest.mark.parametrize(
    ("command", "argv", "option"),
    [
        ("qstat", ["-Q", "-f"], "-Q -f"),
        ("qstat", ["-B", "-f"], "-B -f"),
        ("qstat", ["-w"], "-w"),
        ("qstat", ["-W", "x"], "-W"),
        ("qdel", ["-x", "0"], "-x"),
        ("qdel", ["-W", "force", "0"], "-W"),
    ],
)
def test_qstat_and_qdel_refuse_what_they_lack(
    cluster: Any, command: str, argv: list[str], option: str
) -> None:
    """qstat and qdel name the option (or combination) they do not implement; exit 2."""
    r = cluster.run([command, *argv])
    assert (r.returncode, r.stdout, r.stderr) == (2, "", not_implemented_text(command, option))

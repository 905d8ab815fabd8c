"""Which options the fake Torque acts on, records, refuses or lacks: attributes qsub only records show in
qstat -f, options it lacks fail loudly (command line and directives alike, nothing submitted), and qstat's
-1, -e, -s, --xml and -p answer as Torque 6.1.3's qstat.c."""

from __future__ import annotations

import re
from typing import Any

import pbs_helpers
import pytest
from clusterjob_sim.engine.refusal import not_implemented_text
from clusterjob_sim.pbs.torque import manual, output, qdel, qstat
from clusterjob_sim.pbs.torque.options import OPTSTRING
from pbs_helpers import SERVER, attrs, submit, submit_script, wait_state, write

pytestmark = pytest.mark.slow

make, cluster = pbs_helpers.cluster_fixtures("torque")


def letters(optstring: str) -> set[str]:
    """The one-letter options of a getopt string, as ``-x``."""
    return {f"-{c}" for c in optstring if c not in ":-"}


@pytest.mark.parametrize(
    ("command", "optstring", "unlisted"),
    [
        ("qsub", OPTSTRING, set()),
        ("qstat", qstat.QSTAT_OPTSTRING, {"-p"}),  # in qstat.c's getopt string, read by no case
        ("qdel", "ab:cm:pW:t:", set()),
    ],
)
def test_every_option_the_parser_knows_is_in_the_manual_list(
    command: str, optstring: str, unlisted: set[str]
) -> None:
    """The parser knows the real getopt string; the manual list names each of its options."""
    assert letters(optstring) - set(manual.OPTIONS[command]) == unlisted


def test_recorded_attributes_show_in_qstat_f(cluster: Any) -> None:
    """-M, -p, -r and -c are only recorded by the server: qstat -f shows them where Torque does."""
    job = submit_script(cluster, "rec.sh", "#PBS -M me@x -p +5 -r n\n#PBS -c enabled\ntrue\n", "-h")
    info = attrs(cluster, job)
    assert (info["Mail_Users"], info["Priority"], info["Rerunable"]) == ("me@x", "5", "False")
    assert info["Checkpoint"] == "enabled"
    text = cluster.run(["qstat", "-f", job]).stdout
    assert text.index("Mail_Points = a\n    Mail_Users = me@x\n") > 0
    plain = attrs(cluster, submit_script(cluster, "plain.sh", "true\n", "-h"))
    assert (plain["Priority"], plain["Rerunable"], plain["Checkpoint"]) == ("0", "True", "u")
    assert "Mail_Users" not in plain


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["-a", "0101"], "-a"),
        (["-W", "depend=afterok:1"], "-W depend"),
        (["-W", "x=PARTITION:a"], "-W"),
        (["-K", "5"], "-K"),
        (["-X"], "-X"),
        (["--about"], "--about"),
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
    write(cluster, "dep.sh", "#PBS -N x\n#PBS -W depend=afterok:1\ntrue\n")
    r = cluster.run(["qsub", "dep.sh"], cwd=cluster.path)
    assert (r.returncode, r.stderr) == (2, not_implemented_text("qsub", "-W depend"))
    assert cluster.engine.jobs() == []


def test_interactive_by_w_is_refused_as_i(cluster: Any) -> None:
    """``-W interactive=true`` asks for an interactive job: refused as -I without a terminal."""
    write(cluster, "i.sh", "true\n")
    r = cluster.run(["qsub", "-W", "interactive=true", "i.sh"], cwd=cluster.path)
    assert (r.returncode, r.stderr) == (1, output.INTERACTIVE)
    assert cluster.engine.jobs() == []


def test_qstat_nodes_on_one_line_and_its_conflict(cluster: Any) -> None:
    """-n -1: the node list on the job's own line (`` -- `` while queued); -1 alone is a conflict."""
    job = submit_script(cluster, "one.sh", "sleep 30\n")
    wait_state(cluster, job, "R")
    held = submit_script(cluster, "held.sh", "true\n", "-h")
    rows = cluster.run(["qstat", "-n", "-1"]).stdout.splitlines()[-2:]
    assert re.fullmatch(rf"{re.escape(job)} .* R .*   node01/0", rows[0])
    assert rows[1].startswith(held) and rows[1].endswith(" H       --     -- ")
    r = cluster.run(["qstat", "-1"])
    assert (r.returncode, r.stderr) == (2, "qstat: conflicting options.\n" + output.QSTAT_USAGE)


def test_qstat_e_lists_sub_jobs_and_xml_long_option(cluster: Any) -> None:
    """-e (execution queues only) asks for no array summary, so sub-jobs show as with -t; --xml is -x."""
    array = submit(cluster, "-h", "-t", "1-2", write(cluster, "arr.sh", "true\n").name)
    assert array == f"0[].{SERVER}"
    ids = [line.split()[0] for line in cluster.run(["qstat", "-e"]).stdout.splitlines()[2:]]
    assert ids == [f"0[1].{SERVER}", f"0[2].{SERVER}"]
    assert cluster.run(["qstat", "--xml"]).stdout == cluster.run(["qstat", "-x"]).stdout


def test_qstat_p_is_a_usage_error_and_q_f_is_missing(cluster: Any) -> None:
    """-p is in qstat.c's getopt string but no case reads it (usage); -Q -f is not implemented."""
    r = cluster.run(["qstat", "-p"])
    assert (r.returncode, r.stderr) == (2, output.QSTAT_USAGE)
    r = cluster.run(["qstat", "-Q", "-f"])
    assert (r.returncode, r.stderr) == (2, not_implemented_text("qstat", "-Q -f"))
    r = cluster.run(["qdel", "-W", "5", "0"])
    assert (r.returncode, r.stderr) == (2, not_implemented_text("qdel", "-W"))
    assert "-a" in qdel.IMPLEMENTED

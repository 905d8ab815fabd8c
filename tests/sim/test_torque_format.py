"""Torque qstat layouts reproduced byte for byte: default table, -f, -a, -x (XML)."""

from __future__ import annotations

import string
import xml.etree.ElementTree as ET

from clusterjob_sim.pbs.output import JobView
from clusterjob_sim.pbs.torque import output as torque_qstat
from hypothesis import given
from hypothesis import strategies as st
from pbs_helpers import recorded_view

HEADER = (
    "Job ID                    Name             User            Time Use S Queue\n"
    "------------------------- ---------------- --------------- -------- - -----\n"
)


def view(**fields: object) -> JobView:
    """A job with the attributes the default table reads."""
    return recorded_view("goerz@login1", "batch", fields)


def test_summary_row() -> None:
    """``%-25s %-16s %-15s %8s %1s %-15s``: the Time Use of a queued job is ``0``."""
    assert torque_qstat.summary_line(view()) == (
        "436036.sdb                coppertest       goerz                  0 R batch          \n"
    )
    assert HEADER == torque_qstat.SUMMARY_HEADER


def test_long_names_keep_their_tail() -> None:
    """A name over 16 characters shows ``...`` and its last 13; from a ``/`` when there is one."""
    assert (
        torque_qstat.summary_line(view(name="abcdefghijklmnopqrst")).split()[1]
        == "...hijklmnopqrst"
    )
    assert (
        torque_qstat.summary_line(view(name="aaaa/bbbbbbbbbbbbbbbb")).split()[1]
        == "...bbbbbbbbbbbbb"
    )


def test_long_ids_are_cut_at_28() -> None:
    """Job ids longer than 22 characters are cut to 28."""
    row = torque_qstat.summary_line(view(job_id="123456789[12345].averyveryverylongserver"))
    assert row.startswith("123456789[12345].averyveryve ")


@given(st.text(alphabet=string.ascii_letters, min_size=1, max_size=30))
def test_rows_have_the_header_width(name: str) -> None:
    """Every row is as wide as the header's dashes plus the queue padding."""
    assert (
        len(torque_qstat.summary_line(view(name=name)))
        == 25 + 1 + 16 + 1 + 15 + 1 + 8 + 1 + 1 + 1 + 15 + 1
    )


def full_job() -> JobView:
    """A completed job."""
    job = view(state="C", ctime=0, comp_time=60, exit_status=271)
    job.resources = [("nodect", "1"), ("nodes", "1:ppn=2"), ("walltime", "00:10:00")]
    job.variable_list = (
        "PBS_O_QUEUE=batch,PBS_O_HOME=/home/goerz," + "PBS_O_PATH=/usr/bin:/bin:" * 3
    )
    return job


def test_full_layout() -> None:
    """Time attributes end with ctime()'s newline; exit_status lowercase; long lists wrap with a tab."""
    text = torque_qstat.format_full(full_job())
    lines = text.split("\n")
    assert lines[0] == "Job Id: 436036.sdb"
    assert lines[1] == "    Job_Name = coppertest"
    assert any(line.startswith("    ctime = ") and line.endswith("1970") for line in lines)
    assert "    exit_status = 271" in lines
    assert "    Resource_List.nodes = 1:ppn=2" in lines
    wrapped = [line for line in lines if line.startswith("\t")]
    assert wrapped and all(len(line) <= torque_qstat.LINESIZE for line in wrapped)
    assert text.endswith("\n\n")


def test_full_one_line_option() -> None:
    """``-f -1``: the line size grows to 65536, nothing wraps."""
    text = torque_qstat.format_full(full_job(), linesize=65536)
    assert not any(line.startswith("\t") for line in text.split("\n"))


def test_xml_output_is_well_formed() -> None:
    """``qstat -x``: a ``<Data>`` document, resources grouped under their list name."""
    text = torque_qstat.format_xml([full_job()])
    root = ET.fromstring(text.split("\n", 1)[1])
    job = root.find("Job")
    assert job is not None
    assert job.findtext("Job_Id") == "436036.sdb"
    assert job.findtext("Resource_List/nodes") == "1:ppn=2"
    assert job.findtext("exit_status") == "271"


def test_alternative_display() -> None:
    """``qstat -a``: the tasks column counts nodes x ppn; -n adds the exec_host line."""
    job = view(session_id=77, exec_host="n1/0-1+n2/0-1")
    job.resources = [("nodect", "2"), ("nodes", "2:ppn=2"), ("walltime", "01:00:00")]
    job.used = [("walltime", "00:00:07")]
    line = torque_qstat.alt_line(job, nodes=True)
    first, second, _ = line.split("\n")
    assert first.split() == [
        "436036.sdb", "goerz", "batch", "coppertest", "77", "2", "4", "--", "01:00:00", "R", "00:00:07"
    ]  # fmt: skip
    assert second == "   n1/0-1+n2/0-1"

"""PBS Pro qstat layouts reproduced byte for byte: default table, -f, -F json, -F dsv, -a."""

from __future__ import annotations

import json
import string

from clusterjob_sim.pbs.output import JobView
from clusterjob_sim.pbs.pbspro import output as pbspro_qstat
from hypothesis import given
from hypothesis import strategies as st
from pbs_helpers import recorded_view

RECORDED_HEADER = (
    "Job id            Name             User              Time Use S Queue\n"
    "----------------  ---------------- ----------------  -------- - -----\n"
)


def view(**fields: object) -> JobView:
    """A finished job with a few attributes set."""
    job = recorded_view("goerz@sdb", "debug", fields)
    job.used = [("cput", "00:00:00")]
    return job


def test_table_matches_a_recorded_answer() -> None:
    """The row of a recorded ``qstat -x 436036`` on a real PBS Pro, padding included."""
    assert pbspro_qstat.format_table([view()]) == (
        RECORDED_HEADER
        + "436036.sdb        coppertest       goerz             00:00:00 R debug           \n"
    )
    assert pbspro_qstat.format_table([]) == ""


def test_table_truncation_marks() -> None:
    """Too long: job id cut after the first server part and to 16 + ``*``; name to 15 + ``*``."""
    row = pbspro_qstat.summary_line(
        view(
            job_id="12345678901234567.server.domain",
            name="abcdefghijklmnop",
            owner="averyveryverylonguser@h",
            queue="q" * 20,
        )
    )
    assert row.startswith("1234567890123456* abcdefghijklmno* averyveryverylo*  ")
    assert row.endswith(" R " + "q" * 15 + "*\n")


def test_queued_job_time_use_is_zero() -> None:
    """No resources_used yet: the Time Use column shows ``0``."""
    job = view(state="Q")
    job.used = []
    assert pbspro_qstat.summary_line(job).split()[3] == "0"


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=40))
def test_table_columns_stay_aligned(name: str) -> None:
    """Every row is the header's width (the Queue column padded to 16)."""
    row = pbspro_qstat.summary_line(view(name=name))
    assert len(row) == len(RECORDED_HEADER.split("\n")[1]) + 12


def full_job() -> JobView:
    """A finished job as the server would show it in history."""
    job = view(state="F", ctime=0, exit_status=3)
    job.resources = [("ncpus", "1"), ("select", "1:ncpus=1"), ("walltime", "00:01:00")]
    job.variable_list = "PBS_O_HOME=/home/u,X=a\\,b,N=007,F=1.5"
    return job


def test_full_layout() -> None:
    """``Job Id:`` line, four-space ``name = value`` lines, Exit_status capitalised, blank line."""
    text = pbspro_qstat.format_full(full_job())
    lines = text.split("\n")
    assert lines[0] == "Job Id: 436036.sdb"
    assert "    job_state = F" in lines
    assert "    Resource_List.select = 1:ncpus=1" in lines
    assert "    Exit_status = 3" in lines
    assert "    Variable_List = PBS_O_HOME=/home/u,X=a\\,b,N=007,F=1.5" in lines
    assert text.endswith("\n\n")


def test_json_is_pbs_json() -> None:
    """``-F json``: PBS's own pretty-printer; numbers unquoted, Variable_List an object."""
    text = pbspro_qstat.format_json([full_job()], "sdb", 1700000000, "22.05.11")
    assert text.startswith(
        '{\n    "timestamp":1700000000,\n    "pbs_version":"22.05.11",\n    "pbs_server":"sdb",\n'
        '    "Jobs":{\n        "436036.sdb":{\n            "Job_Name":"coppertest",\n'
    )
    assert text.endswith("\n        }\n    }\n}\n")
    data = json.loads(text)
    job = data["Jobs"]["436036.sdb"]
    assert job["Exit_status"] == 3
    assert job["resources_used"] == {"cput": "00:00:00"}
    assert job["Resource_List"]["ncpus"] == 1
    assert job["Variable_List"] == {"PBS_O_HOME": "/home/u", "X": "a,b", "N": "007", "F": 1.5}


def test_json_without_jobs_has_no_final_newline() -> None:
    """No job: the top object closes without the trailing newline (pbs_json's indent check)."""
    text = pbspro_qstat.format_json([], "sdb", 5, "22.05.11")
    assert text == '{\n    "timestamp":5,\n    "pbs_version":"22.05.11",\n    "pbs_server":"sdb"\n}'


json_values = st.text(alphabet=string.ascii_letters + string.digits + " -_/:@.", max_size=30)


@given(json_values)
def test_json_value_types(value: str) -> None:
    """A value is a number exactly when strtod reads all of it (no leading zero unless below 1)."""
    node = pbspro_qstat._value_node("k", value)
    if node.quoted:
        assert node.value == value
    else:
        number = pbspro_qstat._strtod_value(value)
        assert value[0] != "0" or number < 1


def test_json_escapes() -> None:
    """Quotes escaped unless already escaped; ``\\,`` and ``\\'`` lose the backslash; controls escaped."""
    assert pbspro_qstat._json_escape('say "hi"', False) == 'say \\"hi\\"'
    assert pbspro_qstat._json_escape('\\"ok', False) == '\\"ok'
    assert pbspro_qstat._json_escape("a\\,b\\'c", False) == "a,b'c"
    assert pbspro_qstat._json_escape("tab\there\n", False) == "tab\\there\\n"
    assert pbspro_qstat._json_escape('full "\\"', True) == 'full \\"\\\\\\"'


def test_dsv() -> None:
    """``-F dsv``: one line, ``|`` between ``name=value`` items, delimiters in values escaped."""
    job = full_job()
    job.comment = "a|b"
    line = pbspro_qstat.format_dsv(job)
    assert line.startswith("Job Id: 436036.sdb|Job_Name=coppertest|Job_Owner=goerz@sdb|")
    assert "|comment=a\\|b|" in line
    assert line.endswith("\n") and line.count("\n") == 1


def test_alternative_display() -> None:
    """``qstat -a`` columns: widths 15/8/8/10/6/3/3/6/5/1/5, long values ending in ``*``."""
    job = view(name="averylongjobname", session_id=4242)
    job.resources = [("ncpus", "8"), ("nodect", "2"), ("walltime", "01:00:00"), ("mem", "4gb")]
    job.used = [("walltime", "00:05:00")]
    assert pbspro_qstat.alt_line(job, False, False) == (
        "436036.sdb      goerz    debug    averylong*   4242   2   8    4gb 01:00 R 00:05\n"
    )
    header = pbspro_qstat.alt_header("sdb").split("\n")
    assert header[1] == "sdb: "
    assert header[3].startswith("Job ID          Username Queue    Jobname    SessID NDS TSK")

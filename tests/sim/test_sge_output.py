"""What the fake qsub, qstat, qacct and qdel print, byte for byte, from plain job records."""

from __future__ import annotations

import time

from clusterjob_sim.sge import output as out
from clusterjob_sim.sge.options import parse_task_range
from hypothesis import given
from hypothesis import strategies as st

T0 = time.mktime((2017, 12, 4, 13, 15, 13, 0, 0, -1))

# recorded from a real Grid Engine (8.1.x) qstat
REAL_HEADER = (
    "job-ID  prior   name       user         state submit/start at     queue"
    "                          slots ja-task-ID "
)
REAL_RUNNING_ROW = (
    " 240979 0.09375 llasso-sub csolislemus  r     12/04/2017 13:15:13 b.q@node09.local"
    "                   1"
)


def test_qstat_header_and_dashes() -> None:
    title, dashes, rest = out.qstat_header().split("\n")
    assert title == REAL_HEADER
    assert dashes == "-" * 113
    assert rest == ""


def test_qstat_rows() -> None:
    running = out.SgeJobView(
        240979,
        "llasso-submit.sh",
        "csolislemus",
        "r",
        T0 - 60,
        start_time=T0,
        queue="b.q@node09.local",
        priority=0.09375,
    )
    assert out.qstat_row(running).rstrip() == REAL_RUNNING_ROW
    assert out.qstat_row(running).endswith("    1        \n")  # slots, then 7 blanks: no task
    pending = out.SgeJobView(5, "arr", "u", "qw", T0, is_array=True, task_range="3-10:1", slots=2)
    line = out.qstat_row(pending)
    assert line.endswith(" " * 30 + "     2 3-10:1\n")
    assert line.startswith("      5 0.00000 arr        u            qw    12/04/2017 13:15:13 ")


def test_no_jobs_no_output() -> None:
    assert out.qstat_table([]) == ""


def test_qsub_answers() -> None:
    assert out.qsub_submitted(12, "job.sh") == 'Your job 12 ("job.sh") has been submitted\n'
    assert out.qsub_submitted(13, "arr", "1-10:1") == (
        'Your job-array 13.1-10:1 ("arr") has been submitted\n'
    )
    assert out.qsub_submitted(12, "job.sh", terse=True) == "12\n"
    assert out.qsub_submitted(13, "arr", "1-10:2", terse=True) == "13.1-10:2\n"


def test_qdel_answers() -> None:
    assert out.qdel_deleted("root", 5) == "root has deleted job 5\n"
    assert out.qdel_registered("root", 5) == "root has registered the job 5 for deletion\n"
    assert out.qdel_registered_task("root", 5, 2) == (
        "root has registered the job-array task 5.2 for deletion\n"
    )
    assert out.qdel_unknown("99") == 'denied: job "99" does not exist\n'


def test_unknown_job_messages() -> None:
    assert out.qstat_unknown(["123"]) == "Following jobs do not exist: \n123\n"
    assert out.qacct_unknown("123") == "error: job id 123 not found\n"


def record(**kw: object) -> str:
    """A qacct record with defaults."""
    base: dict[str, object] = {"failed": 0, "exit_status": 0}
    base.update(kw)
    acct = out.SgeAccounting(
        "all.q", "node01", "users", "alice", "job.sh", 42, T0, T0 + 5, T0 + 65, **base
    )  # type: ignore[arg-type]
    return out.qacct_record(acct)


def test_qacct_record_layout() -> None:
    lines = record().split("\n")
    assert lines[0] == "=" * 62
    assert lines[1] == "qname        all.q               "
    assert lines[8] == "jobnumber    42                  "
    assert lines[9] == "taskid       undefined"
    assert lines[12] == "qsub_time    " + time.ctime(T0)
    assert "failed       0    " in lines
    assert "exit_status  0                   " in lines
    assert "ru_wallclock 60s" in lines
    assert "granted_pe   NONE                " in lines
    assert "arid         undefined" in lines
    assert "ar_sub_time  undefined" in lines
    assert "category     NONE" in lines
    assert "mem          0.000Bs" in lines  # seen on 8.1.9
    assert "io           0.000B" in lines


def test_qacct_killed_and_failed_jobs() -> None:
    deleted = record(failed=100, exit_status=137).split("\n")
    assert "failed       100 : assumedly after job" in deleted
    assert "exit_status  137                  (Killed)" in deleted
    timed_out = record(failed=37, exit_status=137).split("\n")
    assert "failed       37  : qmaster enforced h_rt, h_cpu, or h_vmem limit" in timed_out
    exit3 = record(exit_status=3).split("\n")
    assert "failed       0    " in exit3
    assert "exit_status  3                   " in exit3
    task = record(task_id=7).split("\n")
    assert "taskid       7                   " in task


def test_memory_text() -> None:
    assert out.memory_text(0) == "0.000"
    assert out.memory_text(5284) == "5.160K"
    assert out.memory_text(2028 * 1024) == "1.980M"


@given(st.sets(st.integers(1, 200), min_size=1, max_size=40))
def test_task_ranges_round_trip(ids: set[int]) -> None:
    text = out.task_ranges(ids)
    back: set[int] = set()
    for part in text.split(","):
        parsed = parse_task_range(part)
        assert parsed is not None
        back.update(parsed)
    assert back == ids


def test_qstat_j_lines() -> None:
    detail = out.SgeJobDetail(
        7,
        "job.sh",
        "alice",
        1000,
        "users",
        100,
        T0,
        {"SGE_O_HOME": "/home/alice", "SGE_O_SHELL": "/bin/bash", "SGE_O_MAIL": "/var/mail/alice"},
        "/home/alice/run",
        "login1",
        "job.sh",
        pe="mpi",
        pe_range="8",
        resources={"h_rt": "60"},
        running_tasks=[1],
    )
    text = out.qstat_j(detail)
    lines = text.split("\n")
    assert lines[0] == "=" * 62
    assert lines[1] == "job_number:                 7"
    assert "job_name:                   job.sh" in lines
    assert "sge_o_workdir:              /home/alice/run" in lines
    # seen: only the submitter's variables it had, home before shell, and never the mail folder
    assert lines[8:11] == [
        "sge_o_home:                 /home/alice",
        "sge_o_shell:                /bin/bash",
        "sge_o_workdir:              /home/alice/run",
    ]
    assert not any(line.startswith(("sge_o_path", "sge_o_mail")) for line in lines)
    assert "hard resource_list:         h_rt=60" in lines
    assert "parallel environment:  mpi range: 8" in lines
    usage = "cpu=00:00:00, mem=0.00000 GB s, io=0.00000 GB, vmem=N/A, maxvmem=N/A"
    assert f"usage         1:            {usage}" in lines  # seen layout
    assert "binding       1:            NONE" in lines
    assert "env_list:                   TERM=NONE" in lines
    assert lines.index("binding:                    NONE") < lines.index(
        "job_type:                   NONE"
    )


def test_two_tasks_print_as_a_pair() -> None:
    assert out.task_ranges([3, 4]) == "3,4"  # seen in qstat's ja-task-ID column
    assert out.task_ranges([1, 2, 3]) == "1-3:1"
    assert out.task_ranges([2, 5, 8]) == "2-8:3"
    assert out.task_ranges([7]) == "7"

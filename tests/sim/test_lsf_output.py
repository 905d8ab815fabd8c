"""What the fake bsub, bjobs and bkill print, byte for byte, from plain job records."""

from __future__ import annotations

import time

import pytest
from clusterjob_sim.lsf import output as out
from clusterjob_sim.lsf.options import Refused
from hypothesis import given
from hypothesis import strategies as st

T0 = time.mktime((2024, 10, 4, 10, 20, 0, 0, 0, -1))


def view(**kw: object) -> out.LsfJobView:
    """A job view with defaults for the fields a test does not care about."""
    base: dict[str, object] = {
        "job_id": 123,
        "name": "myjob",
        "user": "alice",
        "stat": "RUN",
        "queue": "normal",
        "from_host": "login1",
        "submit_time": T0,
    }
    base.update(kw)
    positional = [base.pop(k) for k in ("job_id", "name", "user", "stat", "queue", "from_host")]
    return out.LsfJobView(*positional, **base)  # type: ignore[arg-type]


def test_bsub_answers() -> None:
    assert out.bsub_submitted(7, "normal", default=True) == (
        "Job <7> is submitted to default queue <normal>.\n"
    )
    assert (
        out.bsub_submitted(8, "short", default=False) == "Job <8> is submitted to queue <short>.\n"
    )


def test_bkill_and_bjobs_messages() -> None:
    assert out.bkill_terminated("123") == "Job <123> is being terminated\n"
    assert out.bkill_terminated("123[2]", signaled=True) == "Job <123[2]> is being signaled\n"
    assert out.bkill_finished("123") == "Job <123>: Job has already finished\n"
    assert out.bkill_unknown("123") == "Job <123>: No matching job found\n"
    assert out.bjobs_not_found("123") == "Job <123> is not found\n"
    assert out.bjobs_nothing(False) == "No unfinished job found\n"
    assert out.bjobs_nothing(True) == "No job found\n"


def test_lsf_time_is_ctime_month_day_hour_minute() -> None:
    assert out.lsf_time(T0) == "Oct  4 10:20"
    assert out.lsf_time(None) == "-"


def test_default_table_layout() -> None:
    text = out.bjobs_table(
        [
            view(exec_hosts=["node01"] * 4 + ["node02"] * 2),
            view(job_id=124, stat="PEND", name="a_rather_long_job_name"),
        ]
    )
    assert text == (
        "JOBID   USER    STAT  QUEUE      FROM_HOST   EXEC_HOST   JOB_NAME   SUBMIT_TIME\n"
        "123     alice   RUN   normal     login1      4*node01    myjob      Oct  4 10:20\n"
        "                                             2*node02\n"
        "124     alice   PEND  normal     login1                  *_job_name Oct  4 10:20\n"
    )
    assert out.bjobs_table([view()], header=False).startswith("123     alice")
    assert out.bjobs_table([]) == ""


def test_array_elements_show_their_index() -> None:
    v = view(array_index=3, exec_hosts=["node01"])
    assert v.display_name == "myjob[3]"
    assert v.id_text == "123[3]"
    assert " myjob[3]  " in out.bjobs_table([v])


def test_custom_format_with_delimiter() -> None:
    fields, delim = out.parse_format("jobid stat exec_host delimiter='^'")
    assert delim == "^"
    jobs = [view(exec_hosts=["hostA"]), view(job_id=5, stat="PEND")]
    assert out.bjobs_custom(jobs, fields, delim, header=False) == "123^RUN^hostA\n5^PEND^-\n"
    assert out.bjobs_custom(jobs[:1], fields, delim).startswith("JOBID^STAT^EXEC_HOST\n")


def test_custom_format_single_field_and_exit_codes() -> None:
    fields, delim = out.parse_format("stat")
    assert out.bjobs_custom([view()], fields, delim, header=False) == "RUN\n"
    fields, delim = out.parse_format("exit_code")
    done = view(stat="DONE", exit_code=0)
    failed = view(stat="EXIT", exit_code=3)
    running = view(stat="RUN")
    assert out.bjobs_custom([done, failed, running], fields, delim, header=False) == "-\n3\n-\n"


def test_custom_format_widths_and_aliases() -> None:
    fields, delim = out.parse_format("id:5 name:6 stat:-5 queue")
    line = out.bjobs_custom([view(name="abcdefghij")], fields, delim, header=False)
    assert line == "123   *fghij   RUN normal\n"


def test_unknown_field_is_refused() -> None:
    with pytest.raises(Refused) as info:
        out.parse_format("jobid nonsense")
    assert info.value.exit_code == 255


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=20))
def test_short_hosts_keeps_every_slot(hosts: list[str]) -> None:
    total = 0
    for item in out.short_hosts(hosts):
        count, _, name = item.rpartition("*")
        assert name in ("a", "b", "c")
        total += int(count) if count else 1
    assert total == len(hosts)


@given(st.text(min_size=1, max_size=40), st.integers(2, 20))
def test_truncate_name_keeps_the_tail(name: str, width: int) -> None:
    cut = out.truncate_name(name, width)
    assert len(cut) <= max(width, len(name)) and len(cut) <= len(name)
    if len(name) > width:
        assert len(cut) == width and cut.startswith("*") and name.endswith(cut[1:])
    else:
        assert cut == name


def test_long_format_mentions_status_and_exit() -> None:
    text = out.bjobs_long([view(stat="EXIT", exit_code=3, end_time=T0 + 5, start_time=T0)])
    assert "Job <123>, Job Name <myjob>, User <alice>" in text
    assert "Status <EXIT>" in text
    assert "Exited with exit code 3." in text

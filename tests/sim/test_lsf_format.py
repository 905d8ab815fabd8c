"""bjobs -o / -json as IBM's bjobs(1) -o and -json pages describe them, and bsub -env and -nnodes.

Sources: IBM LSF 10.1 bjobs -o ("Table 1. Output fields for bjobs" with the recommended widths and aliases;
"name:" the recommended width, "name:N" at most N characters, '-' right-justified, JOB_NAME cut from the
left with '*', other fields cut at the end, delimiter= a single character; names not case-sensitive;
widths 1 - 4096), bjobs -json ("Displays the customized output in JSON format", "Do not use with the
-noheader option", only with -o), bsub -env ("none", "all, ~VAR, VAR=value", "VAR[=value], ..."; without
-env: "all") and bsub -nnodes (CSM easy mode; default 1). The text for a word that is no field name and the
{"JOBID", "ERROR"} records of unknown ids come from volclava's bjobs (an OpenLava fork that reimplements
LSF's -o/-json); PSI/J's LSF executor skips such "ERROR" records, which it expects from real LSF.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim.lsf import output as out
from clusterjob_sim.lsf.options import Refused
from hypothesis import given
from hypothesis import strategies as st

Cluster = Any  # clusterjob_sim.pytest_fixtures.SimCluster
T0 = time.mktime((2024, 10, 4, 10, 20, 0, 0, 0, -1))


def view(**kw: Any) -> out.LsfJobView:
    base: dict[str, Any] = {"exit_reason": "", "array_index": 0}
    base.update(kw)
    args = [base.pop(k, d) for k, d in (("job_id", 123), ("name", "myjob"), ("user", "alice"))]
    args += [
        base.pop(k, d) for k, d in (("stat", "RUN"), ("queue", "normal"), ("from_host", "login1"))
    ]
    return out.LsfJobView(*args, base.pop("submit_time", T0), **base)


def render(spec: str, *views: out.LsfJobView, header: bool = True) -> str:
    fields, delimiter = out.parse_format(spec)
    return out.bjobs_custom(list(views), fields, delimiter, header=header)


# ---------------------------------------------------------------------------------- -o widths


def test_a_colon_alone_gives_the_recommended_width() -> None:
    # Table 1: jobid 7, stat 5, queue 10, exit_reason 50
    text = render("jobid: stat: queue:", view())
    assert text == "JOBID   STAT  QUEUE     \n123     RUN   normal    \n"
    assert render("exit_reason:", view(), header=False) == "-" + " " * 49 + "\n"


def test_right_justification_truncation_and_case() -> None:
    assert render("JobId:-9 STAT:-", view(), header=False) == "      123   RUN\n"
    assert render("queue:3", view(), header=False) == "nor\n"  # other fields: the end is cut
    assert render("name:4", view(name="abcdefg"), header=False) == "*efg\n"  # JOB_NAME: the start
    assert render("id proj project", view(project="p1")) == "JOBID PROJ_NAME PROJ_NAME\n123 p1 p1\n"


def test_delimiter_and_reasons() -> None:
    v = view(stat="EXIT", exit_code=130, exit_reason="TERM_OWNER: job killed by owner")
    text = render("jobid stat exit_reason kill_reason suspend_reason delimiter='|'", v)
    assert text == (
        "JOBID|STAT|EXIT_REASON|KILL_REASON|SUSPEND_REASON\n"
        "123|EXIT|TERM_OWNER: job killed by owner|-|-\n"
    )


@pytest.mark.parametrize("token", ["nonsense", "jobid:x", "jobid:0", "jobid:4097", "stat:5:G"])
def test_a_word_that_is_no_field_is_refused(token: str) -> None:
    with pytest.raises(Refused) as info:
        out.parse_format(f"stat {token}")
    assert info.value.message == f"<{token}> in the format string is not a valid field name.\n"
    assert info.value.exit_code == 255


def test_a_real_field_the_simulator_does_not_fill_fails_loudly() -> None:
    with pytest.raises(Refused) as info:
        out.parse_format("jobid mem")
    assert (
        "bjobs: option -o mem is not implemented by the clusterjob simulator" in info.value.message
    )


# ---------------------------------------------------------------------------------- -json


def test_json_records_every_value_a_string_missing_values_empty() -> None:
    fields, _ = out.parse_format("JOBID STAT EXIT_REASON KILL_REASON SUSPEND_REASON exit_code:5")
    pend = view(job_id=7, stat="PEND")
    text = out.bjobs_json([pend], fields, [("9", "Job <9> is not found")])
    assert json.loads(text) == {
        "COMMAND": "bjobs",
        "JOBS": 2,
        "RECORDS": [
            {
                "JOBID": "7",
                "STAT": "PEND",
                "EXIT_REASON": "",
                "KILL_REASON": "",
                "SUSPEND_REASON": "",
                "EXIT_CODE": "",
            },
            {"JOBID": "9", "ERROR": "Job <9> is not found"},
        ],
    }
    assert text.startswith('{\n  "COMMAND":"bjobs",\n  "JOBS":2,\n  "RECORDS":[\n    {\n')


@pytest.mark.slow
def test_bjobs_json_through_the_command(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1)
    r = c.run(["bsub", "-o", "/dev/null", "exit 3"], cwd=tmp_path)
    assert r.returncode == 0
    fmt = "JOBID STAT EXIT_REASON KILL_REASON SUSPEND_REASON EXIT_CODE"

    def records() -> list[dict[str, str]]:
        answer = c.run(["bjobs", "-o", fmt, "-json", "-a", "1", "77"])
        assert answer.returncode == 0 and answer.stderr == ""
        return list(json.loads(answer.stdout)["RECORDS"])

    c.wait_for(lambda: records()[0]["STAT"] == "EXIT")
    assert records() == [
        {
            "JOBID": "1",
            "STAT": "EXIT",
            "EXIT_REASON": "",
            "KILL_REASON": "",
            "SUSPEND_REASON": "",
            "EXIT_CODE": "3",
        },
        {"JOBID": "77", "ERROR": "Job <77> is not found"},
    ]
    only_unknown = c.run(["bjobs", "-o", "jobid", "-json", "77"])
    assert only_unknown.returncode == 255  # nothing shown
    assert json.loads(only_unknown.stdout)["RECORDS"] == [
        {"JOBID": "77", "ERROR": "Job <77> is not found"}
    ]


@pytest.mark.slow
@pytest.mark.parametrize("argv", [["-json"], ["-o", "jobid", "-json", "-noheader"]])
def test_json_needs_o_and_no_noheader(sim_cluster: Any, argv: list[str]) -> None:
    c = sim_cluster("lsf")
    r = c.run(["bjobs", *argv])
    assert (r.stdout, r.returncode) == ("", 255)
    assert r.stderr.startswith("Usage: bjobs ")


# ---------------------------------------------------------------------------------- bsub -env


def field(c: Cluster, fmt: str, ref: str) -> str:
    return c.run(["bjobs", "-noheader", "-o", fmt, ref]).stdout.strip()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "seen"),
    [
        (None, "A=1 B=2"),
        ("all", "A=1 B=2"),
        ("none", "A= B="),
        ("all, ~A, B=x", "A= B=x"),
        ("A, C=3", "A=1 B= C=3"),
        ("all, B='p, q'", "A=1 B=p, q"),
    ],
)
def test_bsub_env(sim_cluster: Any, tmp_path: Path, env: str | None, seen: str) -> None:
    c = sim_cluster("lsf", nodes=1, cores_per_node=1)
    show = 'echo "A=$A B=$B' + (' C=$C"' if "C=" in seen else '"')
    lines = ["#!/bin/sh", "#BSUB -o out.txt"]
    if env is not None:
        lines.append(f'#BSUB -env "{env}"')
    (tmp_path / "job.sh").write_text("\n".join([*lines, show]) + "\n")
    r = c.run(["sh", "-c", "bsub < job.sh"], cwd=tmp_path, env={**c.env, "A": "1", "B": "2"})
    assert r.returncode == 0, r.stderr
    c.wait_for(lambda: field(c, "stat", "1") == "DONE")
    assert (tmp_path / "out.txt").read_text() == seen + "\n"


# ---------------------------------------------------------------------------------- bsub -nnodes


@pytest.mark.slow
def test_nnodes_without_csm_is_refused_loudly(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=2, cores_per_node=2)
    r = c.run(["bsub", "-nnodes", "2", "hostname"], cwd=tmp_path)
    assert r.returncode == 255
    assert r.stderr.startswith("bsub: option -nnodes is for easy mode LSF job submission")
    assert c.engine.jobs() == []


@pytest.mark.slow
def test_nnodes_takes_whole_nodes_on_a_csm_site(sim_cluster: Any, tmp_path: Path) -> None:
    c = sim_cluster("lsf", nodes=3, cores_per_node=2, csm="Y")
    body = 'echo "$LSB_MCPU_HOSTS"; cat "$LSB_DJOB_HOSTFILE"'
    r = c.run(["bsub", "-nnodes", "2", "-o", "a.txt", body], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = c.run(["bsub", "-nnodes", "2", "-n", "2", "-o", "b.txt", body], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    c.wait_for(lambda: field(c, "stat", "1") == "DONE" and field(c, "stat", "2") == "DONE")
    assert (tmp_path / "a.txt").read_text().splitlines() == [
        "node01 2 node02 2",
        "node01",
        "node01",
        "node02",
        "node02",
    ]
    assert (tmp_path / "b.txt").read_text().splitlines()[0].endswith(" 1")
    bad = c.run(["bsub", "-nnodes", "0", "hostname"], cwd=tmp_path)
    assert (bad.stderr, bad.returncode) == (
        "Bad argument for option -nnodes. Job not submitted.\n",
        255,
    )


# ---------------------------------------------------------------------------------- never a crash

WORDS = st.sampled_from(
    ["jobid", "stat", "name:", "id:-", "x", ":", "::", "delimiter='|'", "-", "9"]
)


@given(st.lists(WORDS | st.text(max_size=8), max_size=6).map(" ".join))
def test_any_format_parses_or_is_refused(spec: str) -> None:
    try:
        fields, _ = out.parse_format(spec)
    except Refused as e:
        assert e.exit_code == 255 and e.message.endswith("\n")
    else:
        assert fields and out.bjobs_custom([view()], fields, " ")


@given(st.text(max_size=30))
def test_any_env_spec_gives_an_environment_or_is_refused(spec: str) -> None:
    from clusterjob_sim.lsf.options import job_environment

    try:
        env = job_environment(spec, {"A": "1", "PATH": "/bin"})
    except Refused as e:
        assert e.exit_code == 255 and e.message.endswith(". Job not submitted.\n")
    else:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())

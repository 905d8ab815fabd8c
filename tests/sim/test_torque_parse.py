"""What the fake Torque qsub understands from a submission, and its exact refusals (no engine needed)."""

from __future__ import annotations

import string

import pytest
from clusterjob_sim.engine.allocation import DirectiveError
from clusterjob_sim.pbs.torque import options as torque
from hypothesis import given
from hypothesis import strategies as st
from pbs_helpers import check_command_line_wins, submission_parsers

names = st.text(alphabet=string.ascii_letters + string.digits + "_.-", min_size=1, max_size=40)
queues = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=12)


parse, refusal = submission_parsers(torque.parse_submission)


def usage(message: str) -> str:
    """Torque's print_qsub_usage_exit text for one message."""
    return f"[{message}]\n\n{torque.USAGE}\n"


@given(st.integers(1, 64), st.integers(1, 128))
def test_nodes_ppn_is_cores_per_node(nodes: int, ppn: int) -> None:
    """``nodes=N:ppn=P``: N nodes of P processes, one core each."""
    alloc = parse(f"#!/bin/sh\n#PBS -l nodes={nodes}:ppn={ppn}\necho\n")
    assert (alloc.nodes, alloc.tasks_per_node, alloc.cpus_per_task) == (nodes, ppn, 1)
    assert alloc.extra["-l nodes"] == f"{nodes}:ppn={ppn}"


@given(st.integers(1, 16), st.integers(1, 64), st.integers(1, 10**6))
def test_mem_is_the_whole_job(nodes: int, ppn: int, mb: int) -> None:
    """Torque's ``mem`` limits the job: per node it is mem / nodes, rounded up; pmem is per process."""
    alloc = parse(f"#PBS -l nodes={nodes}:ppn={ppn},mem={mb * nodes}mb\n")
    assert alloc.mem_mb_per_node == mb
    alloc = parse(f"#PBS -l nodes={nodes}:ppn={ppn},pmem={mb}mb\n")
    assert alloc.mem_mb_per_node == mb * ppn


@given(st.integers(0, 30), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
def test_walltime(d: int, h: int, m: int, s: int) -> None:
    """``walltime=[[[DD:]HH:]MM:]SS`` in seconds."""
    assert (
        parse(f"#PBS -l walltime={d}:{h}:{m}:{s}\n").walltime_s == ((d * 24 + h) * 60 + m) * 60 + s
    )
    assert parse(f"#PBS -l walltime={h}:{m}:{s}\n").walltime_s == (h * 60 + m) * 60 + s


@given(names, names, queues, queues)
def test_command_line_wins(script_name: str, cli_name: str, script_q: str, cli_q: str) -> None:
    """Directives are read first; the same option on the command line replaces them."""
    check_command_line_wins(parse, script_name, cli_name, script_q, cli_q)


def test_later_directive_wins_and_resources_merge() -> None:
    """Within the script the last occurrence counts; -l merges resource by resource."""
    alloc = parse("#PBS -N a\n#PBS -N b\n#PBS -l nodes=2\n#PBS -l walltime=5\n", "-l", "mem=2gb")
    assert alloc.name == "b"
    assert (alloc.nodes, alloc.walltime_s, alloc.mem_mb_per_node) == (2, 5, 1024)


def test_scan_rules() -> None:
    """Leading white space allowed, ``#!`` skipped, the first command ends the scan."""
    alloc = parse("#!/bin/bash\n\n  #PBS -N early\n# comment\nhostname\n#PBS -N late\n")
    assert alloc.name == "early"


def test_default_name_is_the_basename_cut_to_15() -> None:
    """No -N: the script's basename, at most 15 characters; STDIN when read from standard input."""
    alloc = torque.parse_submission("echo\n", ["qsub", "/some/dir/a_very_long_script_name.sh"])
    assert alloc.name == "a_very_long_scr"
    assert torque.parse_submission("echo\n", []).name == "STDIN"
    assert torque.parse_submission("echo\n", ["-"]).name == "STDIN"


def test_outputs_workdir_and_join() -> None:
    """-o/-e paths as given, -d the working directory, -j oe sends errors to the output file."""
    alloc = parse("#PBS -o out.txt\n#PBS -e err.txt\n#PBS -d /tmp\n")
    assert (alloc.stdout, alloc.stderr, alloc.workdir) == ("out.txt", "err.txt", "/tmp")
    alloc = parse("#PBS -o out.txt -j oe\n")
    assert (alloc.stdout, alloc.stderr, alloc.extra["-j"]) == ("out.txt", "out.txt", "oe")


@given(st.integers(0, 50), st.integers(0, 50), st.none() | st.integers(1, 9))
def test_arrays(first: int, length: int, limit: int | None) -> None:
    """``-t A-B[%L]``: the indices A..B, at most L at once."""
    spec = f"{first}-{first + length}" + ("" if limit is None else f"%{limit}")
    alloc = parse(f"#PBS -t {spec}\n")
    assert alloc.array is not None
    assert alloc.array.indices == tuple(range(first, first + length + 1))
    assert alloc.array.max_concurrent == limit
    assert alloc.array.text == spec


def test_array_lists() -> None:
    """Ranges and single numbers mix; duplicates count once."""
    alloc = parse("", "-t", "1-3,7,2")
    assert alloc.array is not None
    assert alloc.array.indices == (1, 2, 3, 7)


def test_other_options_land_in_extra() -> None:
    """Options without an Allocation field are kept as the tool saw them."""
    alloc = parse(
        "#PBS -A acct -m abe -M me@x -V -v A=1,B=2 -W depend=afterok:12\n#PBS -l cput=1:00\n"
    )
    assert alloc.extra["-A"] == "acct"
    assert alloc.extra["-m"] == "abe"
    assert alloc.extra["-M"] == "me@x"
    assert alloc.extra["-V"] is True
    assert alloc.extra["-v"] == "A=1,B=2"
    assert alloc.extra["-W depend"] == "afterok:12"
    assert alloc.extra["-l cput"] == "1:00"


def test_quotes_stay_in_directive_words() -> None:
    """Torque's make_argv keeps quotes in the word, so a quoted -N value is not a valid name."""
    error = refusal('#PBS -N "my job"\n')
    assert (error.message, error.exit_code) == (usage("qsub: illegal -N value"), 2)
    assert parse("#PBS -N a\\b\n").name == "ab"  # a backslash escapes the next character


@pytest.mark.parametrize(
    ("script", "argv", "message"),
    [
        ("#PBS -j xo\n", (), "qsub: illegal -j value"),
        ("", ("-m", "z"), "qsub: illegal -m value"),
        ("", ("-p", "5000"), "qsub: illegal -p value"),
        ("", ("-r", "maybe"), "qsub: illegal -r value (y/n)"),
        ("", ("-l", "nodes"), "qsub: illegal -l value"),
        ("", ("-l", "nodes=1,procs=2"), "qsub: illegal -l value"),
        ("", ("-c", "sometimes"), "qsub: illegal -c value"),
        ("", ("-a", "tomorrow"), "qsub: illegal -a value"),
        ("", ("-W", "depend=nonsense"), "qsub: illegal -W value"),
        ("", ("-x",), "qsub: '-x' invalid on non-interactive job"),
        ("", ("--foo",), "a single - is not a valid option"),
        ("", ("-J", "1"), "The -J option can only be used in conjunction with -P"),
    ],
)
def test_usage_errors(script: str, argv: tuple[str, ...], message: str) -> None:
    """Bad option values: ``[message]``, blank line, usage, exit 2."""
    error = refusal(script, *argv)
    assert (error.message, error.exit_code) == (usage(message), 2)


def test_unknown_option_prints_getopts_line_first() -> None:
    """An unknown letter: glibc's line, then ``[exiting]`` and the usage."""
    error = refusal("", "-y")
    assert error.message == "qsub: invalid option -- 'y'\n" + usage("exiting")
    assert error.exit_code == 2


def test_two_scripts_are_index_issues() -> None:
    """More than one operand."""
    with pytest.raises(DirectiveError) as info:
        torque.parse_submission("", ["a.sh", "b.sh"])
    assert info.value.message == usage("index issues")


@pytest.mark.parametrize(
    ("argv", "message", "code"),
    [
        (("-t", "5-1"), "qsub: submit error (Bad Job Array Request)\n", 235),
        (("-t", "1-3%0"), "qsub: submit error (Bad Job Array Request)\n", 235),
        (
            ("-l", "walltime=1:xx"),
            "qsub: submit error (Illegal attribute or resource value for Resource_List.walltime)\n",
            168,
        ),
        (
            ("-l", "nodes=2:ppn=0"),
            "qsub: submit error (Illegal attribute or resource value for Resource_List.nodes)\n",
            168,
        ),
        (
            ("-l", "mem=lots"),
            "qsub: submit error (Illegal attribute or resource value for Resource_List.mem)\n",
            168,
        ),
    ],
)
def test_server_refusals(argv: tuple[str, ...], message: str, code: int) -> None:
    """What the server rejects: ``qsub: submit error (...)``, exit errno & 0xFF (Torque 6.1.3's numbers,
    src/include/pbs_error_db.h: PBSE_BADATVAL 15016, PBSE_BAD_ARRAY_REQ 15083)."""
    error = refusal("", *argv)
    assert (error.message, error.exit_code) == (message, code)


def test_script_level_refusals() -> None:
    """DOS line ends, unmatched quotes, and a script name that cannot be a job name."""
    error = refusal("#PBS -N x\r\necho\r\n")
    assert (error.message, error.exit_code) == (torque.DOS_SCRIPT, 1)
    error = refusal("#PBS -N 'x\n")
    assert (error.message, error.exit_code) == ("qsub: unmatched \0\n", 1)
    with pytest.raises(DirectiveError) as info:
        torque.parse_submission("", ["my script.sh"])
    assert info.value.message == usage("qsub: cannot form a valid job name from the script name")


@given(st.text(alphabet=string.printable, max_size=200))
def test_any_script_parses_or_refuses_cleanly(body: str) -> None:
    """Whatever the text, qsub answers with an Allocation or a DirectiveError, never a crash."""
    try:
        alloc = torque.parse_submission(body, ["job.sh"])
    except DirectiveError as error:
        assert error.exit_code in (1, 2, 168, 235)  # Torque 6.1.3 BADATVAL, BAD_ARRAY_REQ
        assert error.message.endswith("\n") or error.message.startswith("qsub: unmatched")
    else:
        assert alloc.nodes >= 1


def test_site_checks_with_a_cluster_config() -> None:
    """With the cluster's config: unknown queue (rc 172), too long for the queue or too big (rc 190): real 6.1.3."""
    config = {
        "nodes": 2,
        "cores_per_node": 4,
        "queues": {"batch": {"max_time_s": 3600, "default_time_s": 600, "nodes": None}},
        "default_queue": "batch",
    }
    assert torque.parse_submission("", ["-l", "nodes=2:ppn=4", "j.sh"], config=config).nodes == 2
    for argv, text, code in (
        (
            ["-q", "other"],
            "qsub: submit error (Unknown queue MSG=requested queue not found)\n",
            172,
        ),
        (["-l", "walltime=2:00:00"], "MSG=cannot satisfy queue max walltime requirement)\n", 190),
        (["-l", "nodes=3"], "no nodes have the requested feature))\n", 190),
        (["-l", "nodes=1:ppn=5"], "no nodes have the requested feature))\n", 190),
    ):
        with pytest.raises(DirectiveError) as info:
            torque.parse_submission("", [*argv, "j.sh"], config=config)
        assert text in info.value.message and info.value.exit_code == code

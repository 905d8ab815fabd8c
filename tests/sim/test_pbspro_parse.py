"""What the fake PBS Pro qsub understands from a submission, and its exact refusals (no engine needed)."""

from __future__ import annotations

import string

import pytest
from clusterjob_sim.engine.allocation import DirectiveError
from clusterjob_sim.pbs.pbspro import options as pbspro
from hypothesis import given
from hypothesis import strategies as st
from pbs_helpers import check_command_line_wins, submission_parsers

names = st.text(
    alphabet=string.ascii_letters + string.digits + "_.-", min_size=1, max_size=40
).filter(lambda n: n[0].isalnum())
queues = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=12)


parse, refusal = submission_parsers(pbspro.parse_submission)


@given(
    st.integers(1, 64), st.integers(1, 64), st.integers(1, 16), st.none() | st.integers(1, 10**5)
)
def test_select_chunks(nodes: int, procs: int, threads: int, mb: int | None) -> None:
    """``select=N:ncpus=P*T:mpiprocs=P:ompthreads=T[:mem=Mmb]``: N nodes, P processes of T threads."""
    chunk = f"{nodes}:ncpus={procs * threads}:mpiprocs={procs}:ompthreads={threads}"
    if mb is not None:
        chunk += f":mem={mb}mb"
    alloc = parse(f"#!/bin/sh\n#PBS -l select={chunk}\n#PBS -l place=scatter\necho\n")
    assert (alloc.nodes, alloc.tasks_per_node, alloc.cpus_per_task) == (nodes, procs, threads)
    assert alloc.mem_mb_per_node == mb
    assert alloc.extra["-l select"] == chunk


def test_select_defaults() -> None:
    """mpiprocs defaults to 1, ompthreads to ncpus (so threads per process = ncpus / mpiprocs)."""
    alloc = parse("#PBS -l select=3:ncpus=8\n")
    assert (alloc.nodes, alloc.tasks_per_node, alloc.cpus_per_task) == (3, 1, 8)
    alloc = parse("#PBS -l select=2:ncpus=8:mpiprocs=4\n")
    assert (alloc.tasks_per_node, alloc.cpus_per_task) == (4, 2)
    alloc = parse("#PBS -l select=2\n")
    assert (alloc.nodes, alloc.tasks_per_node, alloc.cpus_per_task) == (2, 1, 1)


def test_pack_puts_every_chunk_on_one_host() -> None:
    """``place=pack``: one node holding all chunks' processes and memory."""
    alloc = parse("#PBS -l select=4:ncpus=2:mpiprocs=2:mem=1gb\n#PBS -l place=pack\n")
    assert (alloc.nodes, alloc.tasks_per_node, alloc.mem_mb_per_node) == (1, 8, 4096)


def test_old_nodes_syntax_and_job_wide_resources() -> None:
    """``nodes=N:ppn=P`` becomes N chunks of P ranks; job-wide ncpus/mem become one chunk."""
    alloc = parse("#PBS -l nodes=2:ppn=4\n")
    assert (alloc.nodes, alloc.tasks_per_node, alloc.cpus_per_task) == (2, 4, 1)
    alloc = parse("#PBS -l ncpus=6,mem=2gb\n")
    assert (alloc.nodes, alloc.tasks_per_node, alloc.cpus_per_task) == (1, 1, 6)
    assert alloc.mem_mb_per_node == 2048


@given(names, names, queues, queues)
def test_command_line_wins(script_name: str, cli_name: str, script_q: str, cli_q: str) -> None:
    """The command line is read first; a directive never replaces what it set."""
    check_command_line_wins(parse, script_name, cli_name, script_q, cli_q)


def test_directive_precedence_inside_the_script() -> None:
    """Options: the last directive wins; resources (set_resources without add): the first one."""
    alloc = parse("#PBS -N a\n#PBS -N b\n#PBS -l walltime=5\n#PBS -l walltime=9\n")
    assert (alloc.name, alloc.walltime_s) == ("b", 5)


def test_quotes_are_removed_from_directive_words() -> None:
    """PBS Pro's make_argv drops the quotes around a word."""
    assert parse('#PBS -N "quoted"\n').name == "quoted"


def test_default_name() -> None:
    """No -N: the script's basename, whole; STDIN from standard input or for ``-- command``."""
    alloc = pbspro.parse_submission("", ["/x/a_very_long_script_name.sh"])
    assert alloc.name == "a_very_long_script_name.sh"
    assert pbspro.parse_submission("", []).name == "STDIN"
    assert pbspro.parse_submission("", ["--", "/bin/sleep", "1"]).name == "STDIN"


@given(st.integers(0, 100), st.integers(1, 100), st.integers(1, 7), st.none() | st.integers(1, 9))
def test_arrays(first: int, length: int, step: int, limit: int | None) -> None:
    """``-J X-Y[:Z][%N]``: every Z-th index from X to Y, at most N at once."""
    spec = f"{first}-{first + length}:{step}" + ("" if limit is None else f"%{limit}")
    alloc = parse(f"#PBS -J {spec}\n")
    assert alloc.array is not None
    assert alloc.array.indices == tuple(range(first, first + length + 1, step))
    assert alloc.array.max_concurrent == limit


def test_outputs_and_no_workdir_option() -> None:
    """-o/-e as given, -j oe joins; PBS Pro has no -d (the job starts in $HOME)."""
    alloc = parse("#PBS -o out.txt -j oe\n")
    assert (alloc.stdout, alloc.stderr, alloc.workdir) == ("out.txt", "out.txt", None)
    error = refusal("", "-d", "/tmp")
    assert error.message == "qsub: invalid option -- 'd'\n" + pbspro.USAGE


def test_other_options_land_in_extra() -> None:
    """Options without an Allocation field are kept as the tool saw them."""
    alloc = parse("#PBS -A acct -m abe -V -v A=1 -W depend=afterok:12 -P proj\n")
    assert alloc.extra["-A"] == "acct"
    assert alloc.extra["-m"] == "abe"
    assert alloc.extra["-V"] is True
    assert alloc.extra["-v"] == "A=1"
    assert alloc.extra["-W depend"] == "afterok:12"
    assert alloc.extra["-P"] == "proj"


def test_command_line_errors_print_then_usage() -> None:
    """Every bad command-line option is reported, then the usage; exit 2."""
    error = refusal("", "-y", "-r", "maybe", "-l", "junk")
    assert error.message == (
        "qsub: invalid option -- 'y'\n"
        "qsub: illegal -r value\n"
        "qsub: illegal -l value\n" + pbspro.USAGE
    )
    assert error.exit_code == 2


def test_script_must_be_last() -> None:
    """An option after the script is a usage error."""
    with pytest.raises(DirectiveError) as info:
        pbspro.parse_submission("", ["job.sh", "-N", "x"])
    assert (info.value.message, info.value.exit_code) == (pbspro.USAGE, 2)


def test_directive_errors() -> None:
    """A bad directive: its error line, then ``qsub: directive error:`` and its words; exit 1."""
    error = refusal("#PBS -l foo\n")
    assert error.message == "qsub: illegal -l value\nqsub: directive error: -l foo \n"
    assert error.exit_code == 1
    error = refusal("#PBS -N x stray\n")
    assert error.message == "qsub: directive error: -N x stray \n"


@pytest.mark.parametrize(
    ("argv", "message", "code"),
    [
        (("-N", "has space"), "qsub: illegal -N value\n" + pbspro.USAGE, 2),
        (("-N", "_x"), "qsub: illegal -N value\n" + pbspro.USAGE, 2),
        (("-J", "5-1"), "qsub: illegal -J value\n" + pbspro.USAGE, 2),
        (("-J", "3"), "qsub: illegal -J value\n" + pbspro.USAGE, 2),
        (("-j", "xo"), "qsub: illegal -j value\n" + pbspro.USAGE, 2),
        (
            ("-l", "walltime=soon"),
            "qsub: Illegal attribute or resource value Resource_List.walltime\n",
            166,
        ),
        (
            ("-l", "select=2:ncpus=x"),
            "qsub: Illegal attribute or resource value Resource_List.select\n",
            166,
        ),
        (
            ("-l", "place=anywhere"),
            "qsub: Illegal attribute or resource value Resource_List.place\n",
            166,
        ),
        (("-l", "frobs=3"), "qsub: Unknown resource Resource_List.frobs\n", 187),
        (
            ("-l", "select=1:ncpus=2", "-l", "mem=1gb"),
            'qsub: "-lresource=" cannot be used with "select" or "place", resource is: mem\n',
            5,
        ),
        (("-J", "0-20000"), "qsub: Array job exceeds server or queue size limit\n", 3),
        (("-m", "j"), "qsub: mail option 'j' can not be used without array job\n", 1),
        (("-X",), "qsub: X11 Forwarding possible only for interactive jobs\n", 1),
    ],
)
def test_refusals(argv: tuple[str, ...], message: str, code: int) -> None:
    """Client-side (ECL) and server refusals, exact text and exit status."""
    error = refusal("", *argv)
    assert (error.message, error.exit_code) == (message, code)


def test_crlf_script() -> None:
    """DOS line ends are refused before any directive is read."""
    error = refusal("#!/bin/sh\r\nhostname\r\n")
    assert (error.message, error.exit_code) == ("qsub: script contains cr, lf\n", 1)


@given(st.text(alphabet=string.printable, max_size=200))
def test_any_script_parses_or_refuses_cleanly(body: str) -> None:
    """Whatever the text, qsub answers with an Allocation or a DirectiveError, never a crash."""
    try:
        alloc = pbspro.parse_submission(body, ["job.sh"])
    except DirectiveError as error:
        assert error.exit_code in (1, 2, 3, 5, 166, 187)
    else:
        assert alloc.nodes >= 1


def test_site_checks_with_a_cluster_config() -> None:
    """With the cluster's config: unknown queue (rc 170), longer than the queue allows (rc 188)."""
    config = {"queues": {"workq": {"max_time_s": 60}}, "default_queue": "workq"}
    assert (
        pbspro.parse_submission("", ["-l", "walltime=60", "j.sh"], config=config).walltime_s == 60
    )
    with pytest.raises(DirectiveError) as info:
        pbspro.parse_submission("", ["-q", "other", "j.sh"], config=config)
    assert (info.value.message, info.value.exit_code) == ("qsub: Unknown queue\n", 170)
    with pytest.raises(DirectiveError) as info:
        pbspro.parse_submission("", ["-l", "walltime=61", "j.sh"], config=config)
    assert info.value.message == "qsub: Job violates queue and/or server resource limits\n"
    assert info.value.exit_code == 188

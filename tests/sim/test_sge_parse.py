"""Grid Engine's qsub as the simulator reads it: #$ lines, precedence, PEs, resources, refusals."""

from __future__ import annotations

import pytest
from clusterjob_sim import sge
from clusterjob_sim.engine.allocation import Allocation, DirectiveError
from clusterjob_sim.sge.options import (
    SgeSite,
    directive_words,
    parse_memory,
    parse_pe_range,
    parse_qsub,
    parse_task_range,
    parse_time,
    place_slots,
)
from hypothesis import given
from hypothesis import strategies as st

CONFIG = {
    "queues": {"all.q": {}, "long.q": {}},
    "parallel_environments": {
        "smp": {"allocation_rule": "$pe_slots"},
        "mpi": {"allocation_rule": "$fill_up"},
        "rr": {"allocation_rule": "$round_robin"},
        "mpi4": {"allocation_rule": 4},
    },
    "nodes": 3,
    "cores_per_node": 8,
}


def script(*directives: str, body: str = "echo hello") -> str:
    """A shell script with the given #$ lines."""
    return "#!/bin/sh\n" + "".join(f"#$ {d}\n" for d in directives) + body + "\n"


def refusal(text: str, argv: tuple[str, ...] = ()) -> DirectiveError:
    """The DirectiveError parse_submission raises against CONFIG."""
    with pytest.raises(DirectiveError) as info:
        sge.parse_submission(text, argv, config=CONFIG)
    return info.value


# ---------------------------------------------------------------------------------------------------
# slots -> nodes
# ---------------------------------------------------------------------------------------------------


def test_no_pe_is_one_slot() -> None:
    alloc = sge.parse_submission(script())
    assert (alloc.nodes, alloc.tasks_per_node, alloc.cpus_per_task) == (1, 1, 1)
    assert isinstance(alloc, Allocation)


@given(slots=st.integers(1, 200), rule=st.integers(1, 64))
def test_integer_allocation_rule(slots: int, rule: int) -> None:
    alloc = sge.parse_submission(script(f"-pe mpi {slots}"), pe_rules={"mpi": rule})
    assert alloc.nodes == -(-slots // rule)
    assert alloc.tasks_per_node == min(rule, slots)


@given(slots=st.integers(1, 24))
def test_named_allocation_rules(slots: int) -> None:
    smp = sge.parse_submission(script(f"-pe smp {slots}"), config=CONFIG)
    assert (smp.nodes, smp.tasks_per_node) == (1, slots)
    fill = sge.parse_submission(script(f"-pe mpi {slots}"), config=CONFIG)
    assert (fill.nodes, fill.tasks_per_node) == (-(-slots // 8), min(8, slots))
    rr = sge.parse_submission(script(f"-pe rr {slots}"), config=CONFIG)
    assert rr.nodes == min(slots, 3)
    assert rr.nodes * rr.tasks_per_node >= slots


def test_pe_wildcards_and_ranges() -> None:
    alloc = sge.parse_submission(script("-pe mpi* 8-16"), config=CONFIG)
    assert alloc.extra["pe"] == "mpi*"
    assert alloc.total_tasks >= 16  # seen: -pe mpi 1-2 is granted 2 slots
    assert parse_pe_range("4") == 4
    assert parse_pe_range("4-") == 4
    assert parse_pe_range("-6") == 6
    assert parse_pe_range("2-1") == 2
    assert parse_pe_range("x") is None
    assert parse_pe_range("0") is None


def test_unknown_pe_without_rules_places_all_slots_on_one_host() -> None:
    alloc = sge.parse_submission(script("-pe whatever 12"))
    assert (alloc.nodes, alloc.tasks_per_node) == (1, 12)


@given(slots=st.integers(1, 100), per=st.integers(1, 16), hosts=st.integers(1, 10))
def test_place_slots_covers_every_slot(slots: int, per: int, hosts: int) -> None:
    site = SgeSite(slots_per_host=per, hosts=hosts)
    for rule in ("$pe_slots", "$fill_up", "$round_robin", per):
        nodes, tasks = place_slots(slots, rule, site)
        assert nodes >= 1 and tasks >= 1
        assert nodes * tasks >= slots
        assert nodes <= slots
        if rule != "$round_robin":  # round robin deals slots unevenly: 4 on 3 hosts is 2+1+1
            assert (nodes - 1) * tasks < slots


# ---------------------------------------------------------------------------------------------------
# where #$ lines count
# ---------------------------------------------------------------------------------------------------


def test_only_column_zero_directives_count_and_the_whole_file_is_read() -> None:
    text = "#!/bin/sh\n #$ -N indented\necho one\n#$ -N late\n# $ -q long.q\n"
    alloc = sge.parse_submission(text, config=CONFIG)
    assert alloc.name == "late"
    assert alloc.queue is None


def test_command_line_wins() -> None:
    text = script("-N fromscript", "-l h_rt=100", "-q long.q")
    alloc = sge.parse_submission(text, ["-N", "fromcli", "-l", "h_rt=200"], config=CONFIG)
    assert (alloc.name, alloc.walltime_s, alloc.queue) == ("fromcli", 200, "long.q")


def test_binary_jobs_read_no_directives() -> None:
    req = parse_qsub(script("-N x", "-pe smp 4"), ["-b", "y", "sleep", "10"])
    assert req.binary
    assert (req.name, req.slots, req.job_name) == (None, 1, "sleep")
    assert req.script_args == ["10"]


def test_directive_prefix_option() -> None:
    text = "#!/bin/sh\n#PBS -N viaprefix\n#$ -N ignored\nls\n"
    assert sge.parse_submission(text, ["-C", "#PBS"]).name == "viaprefix"
    assert directive_words(text, "") == []


def test_default_job_name_is_the_script_basename_or_stdin() -> None:
    assert parse_qsub(script(), ["qsub", "dir/run.sh"]).job_name == "run.sh"
    assert parse_qsub(script()).job_name == "STDIN"


# ---------------------------------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------------------------------


@given(h=st.integers(0, 999), m=st.integers(0, 59), s=st.integers(0, 59))
def test_h_rt_forms(h: int, m: int, s: int) -> None:
    total = h * 3600 + m * 60 + s
    for text in (f"{h}:{m:02d}:{s:02d}", str(total)):
        assert sge.parse_submission(script(f"-l h_rt={text}")).walltime_s == total
    assert parse_time(f"{h}::") == h * 3600


def test_bad_times_and_memory() -> None:
    for bad in ("abc", "1:2:3:4", "", ":x:", ".", "1.x", "²"):
        assert parse_time(bad) is None
    assert parse_time("1.5") == 2  # seen: accepted
    err = refusal(script("-l h_rt=abc"))
    assert (err.message, err.exit_code) == (
        'Unable to run job: attribute "h_rt" is not a time value\nExiting.\n',
        1,
    )
    err = refusal(script("-l h_vmem=4X"))
    assert err.message == 'Unable to run job: attribute "h_vmem" is not a memory value\nExiting.\n'


@given(value=st.integers(1, 10**5), unit=st.sampled_from(["", "k", "K", "m", "M", "g", "G"]))
def test_memory_values(value: int, unit: str) -> None:
    factor = {"": 1, "k": 1000, "K": 1024, "m": 10**6, "M": 1024**2, "g": 10**9, "G": 1024**3}
    assert parse_memory(f"{value}{unit}") == value * factor[unit]


def test_h_vmem_is_per_slot() -> None:
    alloc = sge.parse_submission(script("-pe smp 4", "-l h_vmem=2G"), config=CONFIG)
    assert alloc.mem_mb_per_node == 4 * 2048
    alloc = sge.parse_submission(script("-pe mpi 12", "-l h_vmem=1G"), config=CONFIG)
    assert (alloc.nodes, alloc.tasks_per_node, alloc.mem_mb_per_node) == (2, 8, 8 * 1024)


@given(lo=st.integers(1, 1000), span=st.integers(0, 1000), step=st.integers(1, 50))
def test_task_ranges(lo: int, span: int, step: int) -> None:
    hi = lo + span
    alloc = sge.parse_submission(script(f"-t {lo}-{hi}:{step}", "-tc 3"))
    assert alloc.array is not None
    assert alloc.array.indices == tuple(range(lo, hi + 1, step))
    assert alloc.array.max_concurrent == 3
    assert parse_task_range(str(lo)) == (lo,)


def test_task_range_forms_qsub_accepts() -> None:
    assert parse_task_range("3-1") == (1, 2, 3)  # seen: read as 1-3
    assert parse_task_range("3:5") == (3, 4, 5)  # seen: read as 3-5
    for bad in ("0-3", "a", "1-3:0", ""):
        assert parse_task_range(bad) is None
    req = parse_qsub(script(), ["-t", "2-10:3"])
    assert req.array == ((2, 5, 8), None, "2-10:3")  # qsub answers 'N.2-10:3'


@pytest.mark.parametrize(
    ("args", "message", "rc"),
    [
        (
            ("-t", "a"),
            'qsub: Numerical value invalid!\nThe initial portion of string "a" contains no '
            "decimal number\n",
            7,
        ),
        (("-t", "1-3:0"), "qsub: Negative or zero step in range is not allowed\n", 7),
        (("-t", "0-3"), "Unable to run job: job rejected: 0 is an invalid task id\nExiting.\n", 1),
        (
            ("-t", "1-2", "-tc", "x"),
            'qsub: invalid task concurrency number "x". Must be an integer greater or equal to '
            "0.\n",
            7,
        ),
        (
            ("-pe", "mpi", "x"),
            'qsub: Numerical value invalid!\nThe initial portion of string "x" contains no '
            "decimal number\n",
            7,
        ),
        (
            ("-pe", "mpi", "0"),
            'Unable to run job: "job" rejected: pe range must be greater than zero\nExiting.\n',
            1,
        ),
        (("-N",), "qsub: -N option must have argument\n", 2),
        (("-pe", "mpi"), "qsub: -pe option must have range as 2nd argument\n", 2),
        (("-q",), "qsub: -q option must have queue list argument\n", 2),
    ],
)
def test_refusals_seen_on_grid_engine_8_1_9(args: tuple[str, ...], message: str, rc: int) -> None:
    err = refusal(script(), args)
    assert (err.message, err.exit_code) == (message, rc)


def test_outputs_workdir_and_extras() -> None:
    alloc = sge.parse_submission(
        script(
            "-o out.txt", "-e err.txt", "-j y", "-wd /tmp/w", "-V", "-S /bin/bash", "-l mem_free=1G"
        ),
        config=CONFIG,
    )
    assert (alloc.stdout, alloc.stderr, alloc.workdir) == ("out.txt", "err.txt", "/tmp/w")
    assert alloc.extra["j"] == "y"
    assert alloc.extra["V"] is True
    assert alloc.extra["S"] == "/bin/bash"
    assert alloc.extra["mem_free"] == "1G"
    assert sge.parse_submission(script("-cwd"), cwd="/data/run").workdir == "/data/run"


# ---------------------------------------------------------------------------------------------------
# refusals
# ---------------------------------------------------------------------------------------------------


def test_invalid_option() -> None:
    err = refusal(script(), ("-frobnicate",))
    assert (err.message, err.exit_code) == ('qsub: invalid option argument "-frobnicate"\n', 2)
    assert refusal(script("-frobnicate")).exit_code == 2


def test_unknown_queue_pe_and_resource() -> None:
    err = refusal(script("-q nosuch.q"))
    assert err.message == (
        'Unable to run job: Job was rejected because job requests unknown queue "nosuch.q"\n'
        "Exiting.\n"
    )
    assert err.exit_code == 1
    err = refusal(script("-pe nosuch 2"))
    assert err.message == (
        'Unable to run job: job rejected: the requested parallel environment "nosuch" does not '
        "exist\nExiting.\n"
    )
    err = refusal(script("-l mem=4G"))
    assert err.message == 'Unable to run job: unknown resource "mem"\nExiting.\n'
    assert sge.parse_submission(script("-q long.q@node01"), config=CONFIG).queue == "long.q@node01"
    err = refusal(script("-q all.q@nosuchhost"))
    assert err.message == (
        "Unable to run job: Job was rejected because job requests unknown queue "
        '"all.q@nosuchhost"\nExiting.\n'
    )


def test_site_complexes_extend_the_defaults() -> None:
    config = {**CONFIG, "complexes": ["mem"]}
    assert sge.parse_submission(script("-l mem=4G"), config=config).extra["mem"] == "4G"


@pytest.mark.parametrize(
    ("name", "what"),
    [(":", "Colon"), ("@", "At"), ("*", "Asterisk"), ("?", "Questionmark"), ("\\", "Backslash")],
)
def test_characters_the_master_refuses_in_job_names(name: str, what: str) -> None:
    err = refusal(script(), ("-N", f"a{name}b"))
    assert (
        err.message == f"Unable to run job: {what} ('{name}') not allowed in objectname\nExiting.\n"
    )
    assert err.exit_code == 1


def test_other_job_name_refusals() -> None:
    err = refusal(script(), ("-N", "a/b"))
    assert (err.message, err.exit_code) == ("qsub: argument to -N option must not contain / \n", 2)
    err = refusal(script(), ("-N", "1abc"))
    assert err.message == (
        'Unable to run job: denied: "1abc" is not a valid object name (cannot start with a digit)\n'
        "Exiting.\n"
    )
    err = refusal(script(), ("-N", ""))
    assert err.message == (
        "Unable to run job: job rejected cause there is no job_name in the request\nExiting.\n"
    )
    assert sge.parse_submission(script(), ("-N", "a.b")).name == "a.b"


@given(st.text(max_size=300))
def test_any_script_parses_or_is_refused(text: str) -> None:
    try:
        sge.parse_submission(text, config=CONFIG)
    except DirectiveError as e:
        assert e.exit_code in (1, 2, 7)
        assert e.message.endswith("\n")


NUMBERISH = st.text(alphabet="0123456789²³¹٣۴߃-:,.", min_size=1, max_size=8)


@given(value=NUMBERISH, option=st.sampled_from(["-t", "-tc", "-pe", "-l"]))
def test_non_ascii_digits_are_refused_not_crashed(value: str, option: str) -> None:
    argv = {"-pe": ["-pe", "mpi4", value], "-l": ["-l", f"h_rt={value},h_vmem={value}"]}.get(
        option, [option, value]
    )
    try:
        sge.parse_submission("hostname\n", argv, config=CONFIG)
    except DirectiveError as e:
        assert e.exit_code in (1, 2, 7)


@pytest.mark.parametrize("value", [",", ",,", ""])
def test_an_empty_queue_list_is_refused(value: str) -> None:
    err = refusal(script(), ("-q", value))
    assert err.message == f'qsub: Wrong queue list format "{value}" specified to -q option\n'
    assert err.exit_code == 7
    assert sge.parse_submission(script(), ("-q", "all.q,,long.q"), config=CONFIG).queue == "all.q"


def test_directive_lines_comments_stray_words_and_bad_options() -> None:
    assert sge.parse_submission("#!/bin/sh\n#$ -N x # a comment\ntrue\n").name == "x"  # seen
    err = refusal("#!/bin/sh\n#$ -N x stray\ntrue\n")
    assert (err.message, err.exit_code) == ("qsub: Unknown option \n\n", 5)  # seen
    err = refusal("#!/bin/sh\n#$ -l h_rt=10 -frob\ntrue\n")
    assert (err.message, err.exit_code) == (
        'Unable to read script file because of error: invalid option argument "-frob"\n',
        2,
    )  # seen


@pytest.mark.parametrize(
    ("directive", "text", "rc"),
    [
        ("-q ,", 'Wrong queue list format "," specified to -q option', 7),
        ("-t a", 'Numerical value invalid!\nThe initial portion of string "a" contains no decimal number', 7),
        ("-tc x -t 1-2", 'invalid task concurrency number "x". Must be an integer greater or equal to 0.', 7),
        ("-pe mpi x", 'Numerical value invalid!\nThe initial portion of string "x" contains no decimal number', 7),
        ("-N a/b", "argument to -N option must not contain / ", 2),
        ("-N", "-N option must have argument", 2),
    ],
)  # fmt: skip
def test_syntax_errors_in_directives_name_the_script(directive: str, text: str, rc: int) -> None:
    err = refusal(f"#!/bin/sh\n#$ {directive}\ntrue\n", ("-q", "all.q", "-N", "ok"))  # seen
    assert (err.message, err.exit_code) == (
        f"Unable to read script file because of error: {text}\n",
        rc,
    )

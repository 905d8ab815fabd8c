"""The PBS heritage shared by the fake Torque and PBS Pro: getopt, directive scan, values, prt_attr."""

from __future__ import annotations

import getopt as pygetopt
import string

from clusterjob_sim.pbs import common as pc
from hypothesis import given
from hypothesis import strategies as st

OPTSTRING = "ab:cN:l:"
letters = st.sampled_from("acbNl")
values = st.text(alphabet=string.ascii_letters + string.digits + "=:,._/", min_size=1, max_size=8)


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """Option words (flags, attached or separate arguments) and operands, in any order."""
    words: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        letter = draw(letters)
        if letter in "ac":
            words.append(f"-{letter}")
        elif draw(st.booleans()):
            words.append(f"-{letter}{draw(values)}")
        else:
            words += [f"-{letter}", draw(values)]
        if draw(st.booleans()):
            words.append(draw(values.filter(lambda v: not v.startswith("-"))))
    return words


@given(command_lines())
def test_getopt_permutes_like_gnu(argv: list[str]) -> None:
    """Options and operands come out as GNU getopt splits them, operands in any position."""
    opts, operands = pc.getopt(argv, OPTSTRING)
    expected_opts, expected_operands = pygetopt.gnu_getopt(argv, OPTSTRING)
    assert [(f"-{o.letter}", o.arg or "") for o in opts] == expected_opts
    assert operands == expected_operands


def test_getopt_errors_are_glibc_messages() -> None:
    """An unknown letter and a missing argument give glibc's two messages, in order."""
    opts, _ = pc.getopt(["-z", "-N"], OPTSTRING, prog="qsub")
    assert [o.error for o in opts] == [
        "qsub: invalid option -- 'z'",
        "qsub: option requires an argument -- 'N'",
    ]


def test_getopt_double_dash_ends_options() -> None:
    """After ``--`` every word is an operand, even one that looks like an option."""
    opts, operands = pc.getopt(["-a", "--", "-c", "x"], OPTSTRING)
    assert [o.letter for o in opts] == ["a"]
    assert operands == ["-c", "x"]


def test_scan_stops_at_the_first_command() -> None:
    """Indented directives count, blanks and comments do not end the scan, a command does."""
    script = (
        "#!/bin/sh\n"
        "#PBS -N one\n"
        "\n"
        "   #PBS -q two\n"
        "# a comment\n"
        ": colon line\n"
        "#PBS -l walltime=1:00 \\\n"
        "  ,mem=1gb\n"
        "echo hi\n"
        "#PBS -N ignored\n"
    )
    assert list(pc.scan_directives(script)) == [
        " -N one",
        " -q two",
        " -l walltime=1:00   ,mem=1gb",
    ]


def test_scan_with_another_prefix() -> None:
    """``qsub -C`` changes the prefix; an empty prefix reads no directive."""
    script = "#MY -N x\n#PBS -N y\n"
    assert list(pc.scan_directives(script, "#MY")) == [" -N x"]
    assert list(pc.scan_directives(script, "")) == []


@given(st.integers(0, 99), st.integers(0, 59), st.integers(0, 59))
def test_time_fields(h: int, m: int, s: int) -> None:
    """``H:M:S``, ``M:S`` and ``S`` are seconds; format_hms prints ``HH:MM:SS`` back."""
    assert pc.parse_time(f"{h}:{m}:{s}") == h * 3600 + m * 60 + s
    assert pc.parse_time(f"{m}:{s}") == m * 60 + s
    assert pc.parse_time(str(s)) == s
    assert pc.format_hms(h * 3600 + m * 60 + s) == f"{h:02d}:{m:02d}:{s:02d}"


def test_time_days_only_where_allowed() -> None:
    """Torque takes ``DD:HH:MM:SS``; PBS Pro's three fields do not."""
    assert pc.parse_time("1:00:00:00", max_fields=4) == 86400
    assert pc.parse_time("1:00:00:00") is None
    assert pc.parse_time("1:x") is None
    assert pc.parse_time("") is None


@given(st.integers(0, 10**6), st.sampled_from(["", "k", "m", "g", "t"]), st.sampled_from("bBw"))
def test_sizes(number: int, scale: str, unit: str) -> None:
    """A PBS size is a count, a magnitude letter and ``b`` or ``w`` (8 bytes), case-insensitive."""
    shift = {"": 0, "k": 10, "m": 20, "g": 30, "t": 40}[scale]
    factor = 8 if unit == "w" else 1
    assert pc.parse_size(f"{number}{scale}{unit}") == (number << shift) * factor
    assert pc.parse_size(f"{number}{scale.upper()}{unit}") == (number << shift) * factor


def test_sizes_rejected() -> None:
    """Anything else is not a size."""
    for bad in ("", "gb", "1.5gb", "1 gb", "1x"):
        assert pc.parse_size(bad) is None
    assert pc.size_to_mb("1025kb") == 2


@given(st.integers(0, 10**7), st.none() | st.integers(0, 999), st.booleans(), st.booleans())
def test_job_ids(seq: int, index: int | None, bracket: bool, server: bool) -> None:
    """``N``, ``N[]``, ``N[i]`` with or without ``.server`` read back what was written."""
    text = str(seq)
    if bracket or index is not None:
        text += f"[{'' if index is None else index}]"
    if server:
        text += ".srv.example"
    jid = pc.parse_job_id(text)
    assert jid is not None
    assert (jid.seq, jid.index, jid.array) == (seq, index, bracket or index is not None)
    assert jid.full("sim") == (text if server else text + ".sim")


def test_not_job_ids() -> None:
    """Queues and junk are not job ids."""
    for text in ("batch", "", "12a", "[1]", "1[x]"):
        assert pc.parse_job_id(text) is None


attr_values = st.text(alphabet=string.ascii_letters + string.digits + ",=/:_-", max_size=300)


@given(st.sampled_from(["Variable_List", "Job_Name", "x"]), attr_values, st.sampled_from([77, 78]))
def test_prt_attr_wraps_without_losing_text(name: str, value: str, limit: int) -> None:
    """Undoing the breaks (newline + tab) gives back the value, empty comma tokens dropped."""
    text = pc.prt_attr(name, None, value, limit)
    assert text.startswith(f"    {name} = ")
    joined = text.replace("\n\t", "")[len(f"    {name} = ") :]
    assert joined == ",".join(t for t in value.split(",") if t)
    for line in text.split("\n")[1:]:
        assert line.startswith("\t")
        assert len(line) <= limit


def test_prt_attr_breaks_at_commas_first() -> None:
    """A list breaks after a comma when the next item does not fit, as qstat -f prints it."""
    value = "PBS_O_HOME=/home/testuser,PBS_O_LOGNAME=testuser," + "PBS_O_PATH=/usr/bin:" * 2
    text = pc.prt_attr("Variable_List", None, value, 78)
    assert (
        text.split("\n")[0]
        == "    Variable_List = PBS_O_HOME=/home/testuser,PBS_O_LOGNAME=testuser,"
    )
    assert text.split("\n")[1] == "\tPBS_O_PATH=/usr/bin:PBS_O_PATH=/usr/bin:"


def test_prt_attr_resource_and_empty_value() -> None:
    """``name.resource = value``; an empty value prints nothing after ``= ``."""
    assert pc.prt_attr("Resource_List", "walltime", "01:00:00", 77) == (
        "    Resource_List.walltime = 01:00:00"
    )
    assert pc.prt_attr("Error_Path", None, "", 77) == "    Error_Path = "


def test_expand_v_takes_missing_values_from_the_environment() -> None:
    """``-v A=1,B``: B's value from the submitter's environment; quotes and ``\\,`` unpacked."""
    env = {"B": "from env"}
    assert pc.expand_v(["A=1,B", "C='x,y',D=a\\,b"], env) == [
        ["A", "1"],
        ["B", "from env"],
        ["C", "x,y"],
        ["D", "a,b"],
    ]
    assert pc.variable_list_text([["D", "a,b"]]) == "D=a\\,b"


def test_expand_v_strict_needs_the_variable() -> None:
    """PBS Pro refuses a bare name it cannot find."""
    try:
        pc.expand_v(["NOPE"], {}, strict=True)
    except pc.QsubError as error:
        assert error.message == "qsub: cannot send environment with the job\n"
        assert error.exit_code == 1
    else:
        raise AssertionError("expected QsubError")


def test_is_executable() -> None:
    """What ends the scan: any non-blank line that is not a comment (``:``/``#!`` at column 0 never)."""
    assert pc.is_executable("echo hi\n")
    assert pc.is_executable("  x\n")
    assert not pc.is_executable("\n")
    assert not pc.is_executable("   # note\n")
    assert not pc.is_executable(": noop\n")
    assert not pc.is_executable("#!/bin/sh\n")

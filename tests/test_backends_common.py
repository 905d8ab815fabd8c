"""Tests of clusterjob.backends._common: value checks, quoting, raw options, core variables, parsing."""

from __future__ import annotations

import re
import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterjob.backends import ResourcesNotSupportedError
from clusterjob.backends._common import (
    CORE_VARIABLES,
    DIRECTIVE_PREFIXES,
    OptionSyntax,
    check_directive_value,
    check_job_id,
    combine_statuses,
    encode_extras,
    extra_items,
    lookup_state,
    parse_qstat_full,
    quote_backslash,
    quote_concat,
    quote_escape,
    replace_core_vars,
    response_text,
    search_job_id,
)
from clusterjob.errors import InvalidResourceError
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING
from tests.backend_test_helpers import pbspro_make_argv

# ------------------------------------------------------------------------ check_directive_value


@pytest.mark.parametrize(
    "value",
    ["a\nb", "a\rb", "a\x00b", "a\x0bb", "a\x1bb", "a\x7fb", "a\u2028b", "a\x85b", "a\ud800b", ""],
)
def test_line_breaking_and_control_characters_are_rejected(value: str) -> None:
    with pytest.raises(InvalidResourceError) as info:
        check_directive_value("name", value)
    assert "'name'" in str(info.value)


@pytest.mark.parametrize("prefix", [*DIRECTIVE_PREFIXES, "#sbatch", "#pbs"])
def test_directive_prefixes_are_rejected_anywhere(prefix: str) -> None:
    with pytest.raises(InvalidResourceError, match="directive prefix"):
        check_directive_value("queue", f"x {prefix} -q evil")


def test_forbidden_characters_and_words_say_why() -> None:
    with pytest.raises(InvalidResourceError, match=r"contains ','.*splits"):
        check_directive_value("k", "a,b", forbidden=",", why="the scheduler splits on ','")
    with pytest.raises(InvalidResourceError, match="'hetjob'"):
        check_directive_value("k", "my-HetJob", forbidden_words=("hetjob",))


def test_plain_values_and_ints_pass() -> None:
    assert check_directive_value("name", "run 1: ünïcode \t tab") == "run 1: ünïcode \t tab"
    assert check_directive_value("A", 12) == "12"
    for bad in (True, None, 1.5, b"x"):
        with pytest.raises(InvalidResourceError):
            check_directive_value("A", bad)


# ------------------------------------------------------------------------------------- quoting

_line_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"),
    min_size=1,
)


@given(_line_text)
def test_quote_backslash_reads_back_as_one_literal_word(value: str) -> None:
    # shlex (POSIX, '#' comments) agrees with sbatch's get_argument on what quote_backslash writes:
    # inside double quotes only '\\' and '\"' are escaped.
    lexer = shlex.shlex(quote_backslash(value), posix=True, punctuation_chars=False)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    assert list(lexer) == [value]


@given(_line_text)
def test_quote_concat_reads_back_as_one_literal_word(value: str) -> None:
    assert pbspro_make_argv(quote_concat(value)) == [value]


@given(_line_text.filter(lambda v: not v.endswith("\\")))
def test_quote_escape_reads_back_as_one_literal_word(value: str) -> None:
    quoted = quote_escape(value)
    assert pbspro_make_argv(quoted) == [value]
    # no quote character is left bare, so Torque (which keeps quotes in words) reads it the same
    assert re.fullmatch(r"""(?:[^"'\\]|\\.)*""", quoted, re.DOTALL)


def test_quoting_leaves_safe_words_bare_and_never_starts_with_a_colon() -> None:
    assert quote_backslash("node-1_a.b/c@d%j=4,5") == "node-1_a.b/c@d%j=4,5"
    assert quote_backslash(":x") == '":x"'
    assert quote_backslash('a"b\\c') == '"a\\"b\\\\c"'
    assert quote_concat('a"b c') == '"a"\'"\'"b c"'
    assert quote_concat("it's") == '"it\'s"'
    assert quote_escape("a b\"c'd\\e") == "a\\ b\\\"c\\'d\\\\e"


# -------------------------------------------------------------------------------- raw options

SYNTAX = OptionSyntax(
    prefix="#X",
    quote=quote_backslash,
    dash_underscores=True,
    backend="test",
    reserved={"job-name": "name"},
)


def test_extras_forms() -> None:
    resources = {
        "name": "ignored (common)",
        "A": "proj 1",
        "mail_type": "END",
        "exclusive": True,
        "V": True,
        "off": False,
        "none": None,
        "count": 3,
    }
    assert extra_items(resources) == [
        ("A", "proj 1"),
        ("mail_type", "END"),
        ("exclusive", True),
        ("V", True),
        ("count", 3),
    ]
    assert encode_extras(resources, SYNTAX) == [
        '#X -A "proj 1"',
        "#X --mail-type=END",
        "#X --exclusive",
        "#X -V",
        "#X --count=3",
    ]


def test_extras_that_duplicate_a_common_key_are_refused() -> None:
    with pytest.raises(InvalidResourceError, match="'name'"):
        encode_extras({"job_name": "x"}, SYNTAX)


def test_extras_without_a_form_are_not_supported() -> None:
    syntax = OptionSyntax(prefix="#X", quote=quote_backslash, long=None, backend="test")
    with pytest.raises(ResourcesNotSupportedError, match=r"'foo'.*long option"):
        encode_extras({"foo": "1"}, syntax)


def test_extras_values_are_checked() -> None:
    with pytest.raises(InvalidResourceError):
        encode_extras({"A": "x\n#X --evil"}, SYNTAX)
    with pytest.raises(InvalidResourceError):
        encode_extras({"bad key": "x"}, SYNTAX)


# ----------------------------------------------------------------------------- core variables

MAPPING = {
    "CLUSTERJOB_ID": "JOBID",
    "CLUSTERJOB_NODELIST": '$(sort -u "$NODEFILE")',
    "CLUSTERJOB_ARRAY_INDEX": "TASK",
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("$CLUSTERJOB_ID", "$JOBID"),
        ("${CLUSTERJOB_ID}", "${JOBID}"),
        ("a$CLUSTERJOB_ID/b", "a$JOBID/b"),
        (
            "$CLUSTERJOB_IDX $CLUSTERJOB_ID_2 ${CLUSTERJOB_IDX}",
            "$CLUSTERJOB_IDX $CLUSTERJOB_ID_2 ${CLUSTERJOB_IDX}",
        ),
        ("${CLUSTERJOB_ID:-none}", "${JOBID:-none}"),
        ("$CLUSTERJOB_ARRAY_INDEX ${CLUSTERJOB_ARRAY_INDEX}", "$TASK ${TASK}"),
        ("$CLUSTERJOB_NODELIST", '$(sort -u "$NODEFILE")'),
        ("${CLUSTERJOB_NODELIST}", '$(sort -u "$NODEFILE")'),
        ("${CLUSTERJOB_NODELIST:-x}", "${CLUSTERJOB_NODELIST:-x}"),
        ("$CLUSTERJOB_WORKDIR", "$CLUSTERJOB_WORKDIR"),  # not in this mapping
        ("no placeholders {x}", "no placeholders {x}"),
    ],
)
def test_replace_core_vars(body: str, expected: str) -> None:
    assert replace_core_vars(body, MAPPING) == expected


def test_core_variables_are_the_documented_ones() -> None:
    assert set(CORE_VARIABLES) >= {
        "CLUSTERJOB_ID",
        "CLUSTERJOB_WORKDIR",
        "CLUSTERJOB_SUBMIT_HOST",
        "CLUSTERJOB_NAME",
        "CLUSTERJOB_NODELIST",
    }


@given(st.text())
def test_replace_core_vars_touches_nothing_without_placeholders(body: str) -> None:
    if "$CLUSTERJOB_" not in body and "${CLUSTERJOB_" not in body:
        assert replace_core_vars(body, MAPPING) == body


# ---------------------------------------------------------------------------- answer parsing

_ID = re.compile(r"job (?P<id>\d+)")


def test_search_job_id_and_response_text() -> None:
    assert search_job_id("banner\n\nmy job 12 ok\njob 13\n", _ID) == "12"
    assert search_job_id(b"job 7\n", _ID) == "7"
    assert search_job_id("x" * 5000 + " job 9", _ID) is None  # absurdly long line skipped
    assert search_job_id(None, _ID) is None
    assert response_text(b"\xff\xfe ok").endswith(" ok")
    assert response_text(12) == ""


@given(st.one_of(st.text(), st.binary(), st.none(), st.integers()))
def test_search_job_id_never_raises(response: object) -> None:
    found = search_job_id(response, _ID)
    assert found is None or found.isdigit()


def test_lookup_state_and_combine() -> None:
    table = {"R": RUNNING, "CD": COMPLETED}
    assert lookup_state("R", table) == RUNNING
    assert lookup_state(" cd ", table) == COMPLETED
    assert lookup_state("??", table) is None
    assert combine_statuses([COMPLETED, RUNNING, PENDING]) == RUNNING
    assert combine_statuses([COMPLETED, PENDING]) == PENDING
    assert combine_statuses([COMPLETED, CANCELLED, FAILED]) == FAILED
    assert combine_statuses([COMPLETED, CANCELLED]) == CANCELLED
    assert combine_statuses([None, 42]) is None
    assert combine_statuses([]) is None
    # a row whose state could not be read may be a task still running: no final status is invented
    assert combine_statuses([COMPLETED, None]) is None
    assert combine_statuses([FAILED, 42, COMPLETED]) is None
    assert combine_statuses([COMPLETED, None, RUNNING]) == RUNNING  # unfinished: true either way


def test_check_job_id() -> None:
    pattern = re.compile(r"\d+")
    assert check_job_id("12", pattern, "digits") == "12"
    assert check_job_id(12, pattern, "digits") == "12"
    for bad in ("-1", "12 13", "", None, True, "12\n"):
        with pytest.raises(InvalidResourceError, match="digits"):
            check_job_id(bad, pattern, "digits")


QSTAT = """\
Job Id: 12.srv
    Job_Name = test
    job_state = R
    Variable_List = PBS_O_HOME=/root,PBS_O_WORKDIR=/tmp,
\tFAKE=x
    job_state = C
    comment = a = b

Job Id: 13.srv.example.org
    job_state = C
    exit_status = 0
"""


def test_parse_qstat_full_blocks_wraps_and_first_value_wins() -> None:
    blocks = parse_qstat_full(QSTAT)
    assert [job for job, _ in blocks] == ["12.srv", "13.srv.example.org"]
    first = blocks[0][1]
    assert first["job_state"] == "R"
    assert first["Variable_List"] == "PBS_O_HOME=/root,PBS_O_WORKDIR=/tmp,FAKE=x"
    assert first["comment"] == "a = b"
    assert blocks[1][1] == {"job_state": "C", "exit_status": "0"}


@given(st.one_of(st.text(), st.binary()))
def test_parse_qstat_full_never_raises(text: object) -> None:
    for job_id, attrs in parse_qstat_full(text):
        assert isinstance(job_id, str) and isinstance(attrs, dict)

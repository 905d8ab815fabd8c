"""Resource validation: every accepted form round-trips, every bad form is rejected with its message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterjob.errors import InvalidResourceError
from clusterjob.resources import (
    MEM_FORMS,
    TIME_FORMS,
    format_dhms,
    format_hms,
    normalize_resources,
    parse_mem,
    parse_positive_int,
    parse_time,
)

seconds = st.integers(min_value=1, max_value=400 * 86400)


@given(seconds)
def test_time_seconds_round_trip_through_hms(value: int) -> None:
    assert parse_time(format_hms(value)) == value
    assert parse_time(value) == value
    assert parse_time(str(value)) == value


@given(seconds)
def test_time_round_trip_through_slurm_form(value: int) -> None:
    assert parse_time(format_dhms(value)) == value


@given(st.integers(0, 30), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
def test_time_day_and_unit_forms_agree(d: int, h: int, m: int, s: int) -> None:
    total = ((d * 24 + h) * 60 + m) * 60 + s
    if total == 0:
        return
    assert parse_time(f"{d}-{h:02d}:{m:02d}:{s:02d}") == total
    assert parse_time(f"{d}d{h}h{m}m{s}s") == total


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45", 45),
        ("30:00", 1800),
        ("1:00:00", 3600),
        ("2-00", 2 * 86400),
        ("1-12:30", 86400 + 12 * 3600 + 30 * 60),
        ("90m", 5400),
        ("2h", 7200),
        ("1d12h", 129600),
        (" 1:00:00 ", 3600),
    ],
)
def test_time_examples(text: str, expected: int) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "0",
        "0:00",
        "-5",
        "1:60",
        "1:00:60",
        "1-24:00",
        "abc",
        "1.5h",
        "1:2:3:4",
        "٣",
        True,
        1.5,
        None,
        -1,
        0,
    ],
)
def test_time_bad_forms_rejected_with_message(bad: object) -> None:
    with pytest.raises(InvalidResourceError) as info:
        parse_time(bad)
    assert info.value.key == "time"
    assert info.value.value == bad
    assert TIME_FORMS in str(info.value)
    assert repr(bad) in str(info.value)


@given(st.integers(min_value=1, max_value=10**9))
def test_mem_megabytes_round_trip(mb: int) -> None:
    assert parse_mem(mb) == mb
    assert parse_mem(f"{mb}M") == mb
    assert parse_mem(f"{mb}MB") == mb
    assert parse_mem(f"{mb * 1024}K") == mb


@given(st.integers(min_value=1, max_value=10**6))
def test_mem_gigabytes_are_1024_megabytes(gb: int) -> None:
    assert parse_mem(f"{gb}G") == gb * 1024
    assert parse_mem(f"{gb}gb") == gb * 1024
    assert parse_mem(f"{gb}GiB") == gb * 1024


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4GB", 4096), ("512M", 512), ("2G", 2048), ("1.5G", 1536), ("1T", 1048576)],
)
def test_mem_examples(text: str, expected: int) -> None:
    assert parse_mem(text) == expected


@pytest.mark.parametrize(
    "bad", ["", "0", "0G", "4 X", "4XB", "512K", "1.1M", "-4G", "4GBB", "G", True, 2.5, None, -3]
)
def test_mem_bad_forms_rejected_with_message(bad: object) -> None:
    with pytest.raises(InvalidResourceError) as info:
        parse_mem(bad)
    assert info.value.key == "mem"
    assert MEM_FORMS in str(info.value)


@given(st.integers(min_value=1, max_value=10**6))
def test_counts_accept_ints_and_digit_strings(n: int) -> None:
    assert parse_positive_int(n, "nodes") == n
    assert parse_positive_int(str(n), "nodes") == n


@pytest.mark.parametrize("bad", [0, -1, "0", "x", "1.0", 1.0, True, None, "", "²"])
def test_counts_reject_non_positive(bad: object) -> None:
    with pytest.raises(InvalidResourceError, match="'ppn'"):
        parse_positive_int(bad, "ppn")


@pytest.mark.parametrize("key", ["name", "queue", "stdout", "stderr"])
@pytest.mark.parametrize(
    "bad", ["a\nb", "a\rb", "a\x00b", "a\x85b", "a\u2028b", "a\x0bb", "", "   ", 5]
)
def test_text_keys_reject_line_breaks_and_nul(key: str, bad: object) -> None:
    with pytest.raises(InvalidResourceError) as info:
        normalize_resources({key: bad})
    assert info.value.key == key


def test_normalize_types_and_passes_extras() -> None:
    normal = normalize_resources(
        {
            "time": "1:00:00",
            "mem": "4GB",
            "nodes": "2",
            "ppn": 4,
            "threads": 1,
            "queue": "q",
            "A": "acct",
            "exclusive": True,
        }
    )
    assert normal == {
        "time": 3600,
        "mem": 4096,
        "nodes": 2,
        "ppn": 4,
        "threads": 1,
        "queue": "q",
        "A": "acct",
        "exclusive": True,
    }


def test_none_common_values_are_dropped() -> None:
    assert normalize_resources({"mem": None, "queue": None}) == {}


@pytest.mark.parametrize(
    ("key", "value"), [("bad key", "x"), ("-x", "1"), ("ok", "a\nb"), ("ok", 1.5), ("ok", ["list"])]
)
def test_extra_options_rejected(key: str, value: object) -> None:
    with pytest.raises(InvalidResourceError):
        normalize_resources({key: value})

"""Validation and normal forms of the common resource keys.

Values in ``JobScript.resources`` stay as the user wrote them (a backend written against the original API
sees them unchanged); `normalize_resources` gives the typed normal form the reference backends encode:
``time`` in seconds, ``mem`` in MB per node, ``nodes``/``ppn``/``threads`` as int, text as str.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from clusterjob.errors import InvalidResourceError

TIME_FORMS = (
    "a positive number of seconds (int), or a string: 'SS', 'MM:SS', 'HH:MM:SS', 'D-HH', 'D-HH:MM', "
    "'D-HH:MM:SS', or units like '90m', '2h', '1d12h', '1h30m15s'"
)
MEM_FORMS = (
    "a positive integer number of MB, or a string with a unit: '512M', '512MB', '4G', '4GB', '1.5G', "
    "'2T', '1048576K' (K/M/G/T are powers of 1024; the result must be a whole number of MB)"
)
POSITIVE_INT_FORMS = "a positive integer (1, 2, ...) or a string of digits"
TEXT_FORMS = (
    "a non-empty string without line breaks (newline, carriage return, ...) or NUL characters"
)
EXTRA_KEY_FORMS = "a name of letters, digits, '_' and '-', starting with a letter"
EXTRA_VALUE_FORMS = "True/False/None, an int, or a string without line breaks or NUL"

INT_KEYS = ("nodes", "ppn", "threads")
TEXT_KEYS = ("name", "queue", "stdout", "stderr")

_HMS = re.compile(r"^(?:(?P<d>\d+)-)?(?P<a>\d+)(?::(?P<b>\d+))?(?::(?P<c>\d+))?$", re.ASCII)
_UNITS = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$", re.ASCII)
_MEM = re.compile(r"^(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[kmgt]i?b?|b)?$", re.IGNORECASE | re.ASCII)
_MEM_FACTOR_KB = {"k": 1, "m": 1024, "g": 1024**2, "t": 1024**3}
_EXTRA_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# NUL plus every character Python's str.splitlines() breaks on (\n, \r, \v, \f, \x1c-\x1e, \x85, \u2028,
# \u2029): a value with one of them could end a directive line for some reader of the script.
_BAD_TEXT = re.compile("[\x00\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def parse_time(value: object, key: str = "time") -> int:
    """Wall time in seconds from any accepted form; raises InvalidResourceError otherwise.

    Colon forms follow SLURM/PBS/Grid Engine: one field is seconds when it stands alone, two fields are
    MM:SS, three HH:MM:SS; with a day prefix 'D-HH[:MM[:SS]]'.
    """
    if isinstance(value, bool):
        raise InvalidResourceError(key, value, TIME_FORMS, "a bool is not a time")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str):
        seconds = _parse_time_text(value.strip(), key, value)
    else:
        raise InvalidResourceError(key, value, TIME_FORMS, f"type {type(value).__name__}")
    if seconds <= 0:
        raise InvalidResourceError(key, value, TIME_FORMS, "must be more than zero")
    return seconds


def _parse_time_text(text: str, key: str, original: object) -> int:
    match = _HMS.match(text)
    if match and text:
        d, a, b, c = (match.group(g) for g in "dabc")
        days = int(d) if d else 0
        if d is not None:  # D-HH[:MM[:SS]]
            hours, minutes, seconds = int(a), int(b or 0), int(c or 0)
        elif c is not None:
            hours, minutes, seconds = int(a), int(b), int(c)
        elif b is not None:
            hours, minutes, seconds = 0, int(a), int(b)
        else:
            hours, minutes, seconds = 0, 0, int(a)
        fields = [x for x in (b, c) if x is not None]
        if any(int(x) >= 60 for x in fields):
            raise InvalidResourceError(
                key, original, TIME_FORMS, "minutes and seconds must be below 60"
            )
        if d is not None and hours >= 24:
            raise InvalidResourceError(
                key, original, TIME_FORMS, "hours after 'D-' must be below 24"
            )
        return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    match = _UNITS.match(text.lower())
    if match and text and any(match.groups()):
        d, h, m, s = (int(g) if g else 0 for g in match.groups())
        return ((d * 24 + h) * 60 + m) * 60 + s
    raise InvalidResourceError(key, original, TIME_FORMS)


@functools.lru_cache(maxsize=256)
def format_hms(seconds: int) -> str:
    """'HH:MM:SS' with hours unbounded (PBS, Grid Engine, sacct style): 90000 -> '25:00:00'."""
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


@functools.lru_cache(maxsize=256)
def format_dhms(seconds: int) -> str:
    """SLURM's 'D-HH:MM:SS' (or 'HH:MM:SS' below a day): 90000 -> '1-01:00:00'."""
    days, rest = divmod(seconds, 86400)
    hms = format_hms(rest)
    return f"{days}-{hms}" if days else hms


def parse_mem(value: object, key: str = "mem") -> int:
    """Memory per node in MB from an int (MB) or a string with a unit; raises InvalidResourceError."""
    if isinstance(value, bool):
        raise InvalidResourceError(key, value, MEM_FORMS, "a bool is not an amount of memory")
    if isinstance(value, int):
        megabytes = value
    elif isinstance(value, str):
        match = _MEM.match(value.strip())
        if not match:
            raise InvalidResourceError(key, value, MEM_FORMS)
        unit = (match.group("unit") or "m").lower()
        if unit == "b":
            raise InvalidResourceError(key, value, MEM_FORMS, "bytes are too small a unit")
        factor_kb = _MEM_FACTOR_KB[unit[0]]
        num = match.group("num")
        whole, _, frac = num.partition(".")
        # exact arithmetic: kilobytes = num * factor_kb, must be a multiple of 1024
        scale = 10 ** len(frac)
        kb_times_scale = int(whole + frac) * factor_kb
        if kb_times_scale % (scale * 1024):
            raise InvalidResourceError(key, value, MEM_FORMS, "not a whole number of MB")
        megabytes = kb_times_scale // (scale * 1024)
    else:
        raise InvalidResourceError(key, value, MEM_FORMS, f"type {type(value).__name__}")
    if megabytes <= 0:
        raise InvalidResourceError(key, value, MEM_FORMS, "must be more than zero")
    return megabytes


def parse_positive_int(value: object, key: str) -> int:
    """A count (nodes, ppn, threads): a positive int or a string of digits."""
    if isinstance(value, bool):
        raise InvalidResourceError(key, value, POSITIVE_INT_FORMS, "a bool is not a count")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        number = int(value.strip())
    else:
        raise InvalidResourceError(key, value, POSITIVE_INT_FORMS)
    if number < 1:
        raise InvalidResourceError(key, value, POSITIVE_INT_FORMS, "must be at least 1")
    return number


def check_text(value: object, key: str) -> str:
    """A name or path: a non-empty str with no newline, CR or NUL (which could end a directive line)."""
    if not isinstance(value, str):
        raise InvalidResourceError(key, value, TEXT_FORMS, f"type {type(value).__name__}")
    if not value.strip():
        raise InvalidResourceError(key, value, TEXT_FORMS, "empty")
    if _BAD_TEXT.search(value):
        raise InvalidResourceError(key, value, TEXT_FORMS, "contains a line break or NUL")
    return value


def check_extra(key: object, value: object) -> None:
    """A raw scheduler option outside common_keys: sane key, and a value that cannot break a line."""
    if not isinstance(key, str) or not _EXTRA_KEY.match(key):
        raise InvalidResourceError(str(key), value, EXTRA_KEY_FORMS, "bad option name")
    if value is None or isinstance(value, (bool, int)):
        return
    if not isinstance(value, str) or _BAD_TEXT.search(value):
        raise InvalidResourceError(key, value, EXTRA_VALUE_FORMS)


_MEMO_TYPES = frozenset((str, int, float, bool, type(None)))
_memo: dict[tuple[tuple[tuple[str, Any], ...], tuple[type, ...]], dict[str, Any]] = {}
_MEMO_SIZE = 256


def normalize_resources(resources: Mapping[str, Any]) -> dict[str, Any]:
    """Validated, typed copy of a resources dict; None values of common keys are dropped.

    Raises InvalidResourceError for the first bad value, naming key, value and accepted forms.
    Resources of plain values (str, int, float, bool, None) are remembered by value and type, so
    rendering (which validates, then lets the backend normalize again) parses them once.
    """
    types = tuple(map(type, resources.values()))
    if _MEMO_TYPES.issuperset(types):
        key = (tuple(resources.items()), types)
        known = _memo.get(key)
        if known is None:
            known = _normalize(resources)
            if len(_memo) >= _MEMO_SIZE:
                _memo.clear()
            _memo[key] = known
        return dict(known)
    return _normalize(resources)


def _normalize(resources: Mapping[str, Any]) -> dict[str, Any]:
    normal: dict[str, Any] = {}
    for key, value in resources.items():
        if key in ("time", "mem", *INT_KEYS, *TEXT_KEYS) and value is None:
            continue
        if key == "time":
            normal[key] = parse_time(value)
        elif key == "mem":
            normal[key] = parse_mem(value)
        elif key in INT_KEYS:
            normal[key] = parse_positive_int(value, key)
        elif key in TEXT_KEYS:
            normal[key] = check_text(value, key)
        else:
            check_extra(key, value)
            normal[key] = value
    return normal

"""Helpers shared by the reference backends: hostile-value checks, directive quoting, raw-option
encoding, core-variable replacement and job-id/state lookup. Nothing here knows one scheduler; each
backend passes its own prefix, quoting rule and tables.

Stable API (imported by slurm.py, pbs.py, pbspro.py, lsf.py, sge.py):

- ``DIRECTIVE_PREFIXES``, ``check_directive_value(key, value, ...)``: reject text that could end a
  directive line, start another directive, or be misread by the scheduler's tokenizer.
- ``quote_backslash(value)`` (sbatch/shell style: quotes plus backslash escapes),
  ``quote_concat(value)`` (quotes without escapes, segments glued; PBS Pro's make_argv) and
  ``quote_escape(value)`` (no quotes, a backslash before each blank, quote and backslash; what
  both Torque's and PBS Pro's make_argv read literally): one token, read literally.
- ``OptionSyntax`` + ``encode_extras(resources, syntax)``: directive lines for keys outside
  ``common_keys`` (one-letter ``-k value``, longer ``--key=value`` or a scheduler form, True a bare
  flag, False/None omitted).
- ``CORE_VARIABLES``, ``replace_core_vars(body, mapping)``: ``$CLUSTERJOB_X``, ``${CLUSTERJOB_X}``.
- ``response_text``, ``search_job_id``, ``lookup_state``: answer parsing that never raises.
- ``unsupported(backend, key, reason)``: a ResourcesNotSupportedError with a uniform message.
- ``check_job_id(job_id, pattern, forms)``: a job id safe to put in a command's argv.
- ``combine_statuses(codes)``: one status for several rows (array tasks, duplicate records).
- ``statuses_by_job(response, runs, rows, code, row_keys, run_key)``: ``get_status_many``'s
  {job id: status} from one batched answer by dict lookups, never raising.
- ``parse_qstat_full(text)``: the ``Job Id:`` blocks of PBS ``qstat -f`` as attribute dicts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from clusterjob.backends import ClusterjobBackend, ResourcesNotSupportedError
from clusterjob.errors import InvalidResourceError

_V = TypeVar("_V")

__all__ = [
    "COMMON_KEYS",
    "CORE_VARIABLES",
    "DIRECTIVE_PREFIXES",
    "OptionSyntax",
    "check_directive_value",
    "check_job_id",
    "combine_statuses",
    "encode_extras",
    "extra_items",
    "lookup_state",
    "parse_qstat_full",
    "quote_backslash",
    "quote_concat",
    "quote_escape",
    "replace_core_vars",
    "response_text",
    "search_job_id",
    "statuses_by_job",
    "unsupported",
]

COMMON_KEYS: tuple[str, ...] = tuple(ClusterjobBackend.common_keys)
"""The resource keys every backend must encode (or reject with ResourcesNotSupportedError)."""

_COMMON_SET = frozenset(COMMON_KEYS)

DIRECTIVE_PREFIXES: tuple[str, ...] = ("#SBATCH", "#SLURM", "#PBS", "#BSUB", "#$")
"""Directive prefixes of the five schedulers (``#SLURM`` is sbatch's old synonym of ``#SBATCH``)."""

_PREFIX_RE = re.compile("|".join(re.escape(p) for p in DIRECTIVE_PREFIXES), re.IGNORECASE)
# C0 controls except TAB, DEL, and what Python's str.splitlines() (so many Python tools) treats
# as line ends; lone surrogates cannot be written as UTF-8 at all.
_BAD_CHARS_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")
_BAD_CHAR_NAMES = {"\n": "a newline", "\r": "a carriage return", "\x00": "a NUL character"}

VALUE_FORMS = (
    "text without line breaks, control characters or a directive prefix "
    "(#SBATCH, #SLURM, #PBS, #BSUB, #$)"
)


def check_directive_value(
    key: str,
    value: object,
    *,
    forbidden: str = "",
    forbidden_words: Iterable[str] = (),
    accepted: str = VALUE_FORMS,
    why: str = "",
) -> str:
    """`value` as str if it is safe on one directive line, else InvalidResourceError saying why.

    Always rejected: a non-str/int or empty value, newline/CR/NUL and other control characters
    (TAB is allowed), Unicode line separators, lone surrogates, any directive prefix. `forbidden`
    adds characters the scheduler cannot take even quoted; `forbidden_words` adds words it acts on
    anywhere in a line (case-insensitive, e.g. sbatch's ``hetjob``); `why` goes in the message.
    """
    if type(value) is str and type(forbidden_words) is tuple:
        return _checked_text(key, value, forbidden, forbidden_words, accepted, why)
    return _check_value(key, value, forbidden, tuple(forbidden_words), accepted, why)


def _check_value(
    key: str,
    value: object,
    forbidden: str,
    forbidden_words: tuple[str, ...],
    accepted: str,
    why: str,
) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidResourceError(key, value, accepted, f"type {type(value).__name__}")
    text = str(value)
    if not text:
        raise InvalidResourceError(key, value, accepted, "empty")
    bad = _BAD_CHARS_RE.search(text)
    if bad:
        char = bad.group(0)
        name = _BAD_CHAR_NAMES.get(char, f"the character U+{ord(char):04X}")
        raise InvalidResourceError(
            key, value, accepted, f"contains {name}, which could end or split a directive line"
        )
    prefix = _PREFIX_RE.search(text)
    if prefix:
        raise InvalidResourceError(
            key, value, accepted, f"contains the directive prefix {prefix.group(0)!r}"
        )
    for char in forbidden:
        if char in text:
            reason = f"contains {char!r}" + (f": {why}" if why else "")
            raise InvalidResourceError(key, value, accepted, reason)
    lowered = text.lower()
    for word in forbidden_words:
        if word.lower() in lowered:
            reason = f"contains {word!r}" + (f": {why}" if why else "")
            raise InvalidResourceError(key, value, accepted, reason)
    return text


_checked_text = functools.lru_cache(maxsize=1024)(_check_value)
"""check_directive_value of a str, remembered (rendering checks the same names and paths again and
again; a value that fails is not remembered and raises each time)."""


_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_./@%+=,^~-][A-Za-z0-9_./:@%+=,^~-]*")
"""Characters no directive tokenizer (sbatch, qsub, bsub, Grid Engine) treats specially; no leading
':' (sbatch aborts on an argument that starts with ':')."""


def quote_backslash(value: str) -> str:
    """One token for tokenizers where a backslash escapes the next character even inside quotes
    (sbatch's get_argument): bare when safe, else double-quoted with ``\\`` and ``"`` escaped."""
    if _SAFE_TOKEN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_concat(value: str) -> str:
    """One token for tokenizers whose quotes run to the same quote with no escapes inside and glue
    adjacent segments (PBS qsub's make_argv): text in double quotes, runs of ``"`` in single quotes,
    e.g. ``a"b c`` -> ``"a"'"'"b c"``."""
    if _SAFE_TOKEN.fullmatch(value):
        return value
    parts = re.split(r'("+)', value)
    return "".join((f"'{part}'" if part.startswith('"') else f'"{part}"') for part in parts if part)


_NEEDS_ESCAPE = re.compile(r"""([\s"'\\])""")


def quote_escape(value: str) -> str:
    """One token for tokenizers where a backslash outside quotes takes the next character literally
    and quotes may be kept in the word (Torque's make_argv keeps them, PBS Pro's drops them): no
    quotes at all, a backslash before each blank, quote and backslash, e.g. ``a "b`` ->
    ``a\\ \\"b``. The caller must refuse a value ending in a backslash: a directive line ending
    in ``\\`` continues on the next line."""
    if _SAFE_TOKEN.fullmatch(value):
        return value
    return _NEEDS_ESCAPE.sub(r"\\\1", value)


def unsupported(backend: str, key: str, reason: str) -> ResourcesNotSupportedError:
    """A ResourcesNotSupportedError naming the backend, the key and why (the caller raises it)."""
    return ResourcesNotSupportedError(f"the {backend} backend cannot encode {key!r}: {reason}")


# ------------------------------------------------------------------------------------ raw options


@dataclass(frozen=True)
class OptionSyntax:
    """How one scheduler writes raw options: directive prefix, quoting, forms of one-letter and
    longer keys. Formats take ``{key}`` and ``{value}`` (already quoted); a format of None means
    that kind of option cannot be written (ResourcesNotSupportedError)."""

    prefix: str
    quote: Callable[[str], str]
    short: str | None = "-{key} {value}"
    short_flag: str | None = "-{key}"
    long: str | None = "--{key}={value}"
    long_flag: str | None = "--{key}"
    dash_underscores: bool = False
    """Write ``mail_type`` as ``mail-type`` (schedulers whose long options never contain '_')."""
    forbidden: str = ""
    """Characters rejected in raw values (see check_directive_value)."""
    forbidden_words: tuple[str, ...] = ()
    why: str = ""
    backend: str = "this"
    reserved: Mapping[str, str] = field(default_factory=dict)
    """Option names (after dash_underscores) a common key already writes: {option: common key}."""


def extra_items(
    resources: Mapping[str, Any], skip: Iterable[str] = COMMON_KEYS
) -> list[tuple[str, Any]]:
    """(key, value) of the raw options (keys outside `skip`), in order, False/None left out."""
    if skip is COMMON_KEYS:
        if _COMMON_SET.issuperset(resources):
            return []  # the usual case: no raw options
        skipped = _COMMON_SET
    else:
        skipped = frozenset(skip)
    return [
        (key, value)
        for key, value in resources.items()
        if key not in skipped and value is not None and value is not False
    ]


def encode_extras(
    resources: Mapping[str, Any],
    syntax: OptionSyntax,
    skip: Iterable[str] = COMMON_KEYS,
) -> list[str]:
    """Directive lines for the raw options in `resources`: ``-k value`` for one-letter keys, the
    long form for longer ones; True a bare flag, False/None nothing; values checked and quoted."""
    lines = []
    for key, value in extra_items(resources, skip):
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", key):
            raise InvalidResourceError(
                str(key), value, "a name of letters, digits, '_' and '-', starting with a letter"
            )
        name = key.replace("_", "-") if syntax.dash_underscores and len(key) > 1 else key
        if name in syntax.reserved:
            common = syntax.reserved[name]
            raise InvalidResourceError(
                key,
                value,
                f"the common key {common!r} instead",
                f"the {syntax.backend} backend already writes this option from {common!r}",
            )
        short = len(key) == 1
        if value is True:
            template = syntax.short_flag if short else syntax.long_flag
            text = None
        else:
            template = syntax.short if short else syntax.long
            text = check_directive_value(
                key,
                value,
                forbidden=syntax.forbidden,
                forbidden_words=syntax.forbidden_words,
                why=syntax.why,
            )
        if template is None:
            kind = "one-letter" if short else "long"
            form = "flag " if value is True else ""
            raise unsupported(syntax.backend, key, f"no way to write a {kind} {form}option")
        quoted = syntax.quote(text) if text is not None else ""
        lines.append(f"{syntax.prefix} " + template.format(key=name, value=quoted))
    return lines


# ------------------------------------------------------------------------------- core variables

CORE_VARIABLES: tuple[str, ...] = (
    "CLUSTERJOB_ID",
    "CLUSTERJOB_WORKDIR",
    "CLUSTERJOB_SUBMIT_HOST",
    "CLUSTERJOB_NAME",
    "CLUSTERJOB_NODELIST",
    "CLUSTERJOB_ARRAY_INDEX",
)
"""Placeholders every reference backend maps (``$X`` and ``${X}`` forms)."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=64)
def _core_vars_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """The ``$NAME``/``${NAME...`` pattern of replace_core_vars for these names (built once)."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(
        r"\$\{(?P<braced>" + alternatives + r")(?P<close>\})?(?(close)|(?=[:#%/^,@\[+=?-]))"
        r"|\$(?P<bare>" + alternatives + r")(?![A-Za-z0-9_])"
    )


def replace_core_vars(body: str, mapping: Mapping[str, str]) -> str:
    """Replace ``$NAME`` and ``${NAME}`` for each NAME in `mapping`, whole names only
    (``$CLUSTERJOB_IDX`` is not ``$CLUSTERJOB_ID`` + ``X``).

    A value that is a variable name (``SLURM_JOB_ID``) is renamed in place, so
    ``${CLUSTERJOB_ID:-x}`` becomes ``${SLURM_JOB_ID:-x}``; any other value is an expression
    (``$(...)``) that replaces ``$NAME`` and ``${NAME}``; an expression's operator forms like
    ``${NAME:-x}`` are left as written.
    """
    if not mapping or "$" not in body:
        return body
    pattern, bare, closed, opened = _core_vars_rules(tuple(mapping.items()))

    def substitute(match: re.Match[str]) -> str:
        name = match.group("bare")
        if name is not None:
            return bare[name]
        name = match.group("braced")
        if match.group("close") is not None:
            return closed[name]
        return opened.get(name, match.group(0))

    return pattern.sub(substitute, body)


@functools.lru_cache(maxsize=64)
def _core_vars_rules(
    items: tuple[tuple[str, str], ...],
) -> tuple[re.Pattern[str], dict[str, str], dict[str, str], dict[str, str]]:
    """replace_core_vars' pattern and what ``$NAME``, ``${NAME}`` and ``${NAME<op>`` become
    (an operator form only for a value that is a variable name), computed once per mapping."""
    bare, closed, opened = {}, {}, {}
    for name, target in items:
        if _IDENTIFIER.fullmatch(target) is not None:
            bare[name], closed[name], opened[name] = (
                "$" + target,
                "${" + target + "}",
                "${" + target,
            )
        else:
            bare[name] = closed[name] = target
    return _core_vars_pattern(tuple(name for name, _ in items)), bare, closed, opened


# ------------------------------------------------------------------------------ answer parsing


def response_text(response: object) -> str:
    """Any answer as str: bytes decoded leniently, None and other objects as ''. Never raises."""
    try:
        if isinstance(response, str):
            return response
        if isinstance(response, (bytes, bytearray, memoryview)):
            return bytes(response).decode("utf-8", errors="replace")
    except Exception:  # noqa: S110 - never raise on an answer
        pass
    return ""


def search_job_id(response: object, pattern: re.Pattern[str], max_line: int = 4096) -> str | None:
    """The ``id`` group (or group 1) of the first line of `response` that `pattern` matches; lines
    longer than `max_line` are skipped (no job id needs one). Never raises."""
    try:
        for line in response_text(response).splitlines():
            if len(line) > max_line:
                continue
            match = pattern.search(line)
            if match:
                groups = match.groupdict()
                found = groups.get("id") if "id" in groups else match.group(1)
                if found:
                    return str(found)
    except Exception:  # never raise on an answer
        return None
    return None


def lookup_state(state: str, table: Mapping[str, int | None]) -> int | None:
    """Status code of a scheduler state by `table` (exact, then stripped upper case), or None."""
    if state in table:
        return table[state]
    return table.get(state.strip().upper())


def check_job_id(job_id: object, pattern: re.Pattern[str], forms: str) -> str:
    """`job_id` as str if `pattern` fully matches it (so it cannot be read as an option or hold
    anything but an id), else InvalidResourceError naming the accepted `forms`."""
    text = str(job_id) if isinstance(job_id, (str, int)) and not isinstance(job_id, bool) else None
    if text is None or not pattern.fullmatch(text):
        raise InvalidResourceError("job_id", job_id, forms, "not a job id this scheduler gives")
    return text


_STATUS_RANK = {-1: 5, -2: 4, 2: 3, 1: 2, 0: 1}  # RUNNING, PENDING, FAILED, CANCELLED, COMPLETED


def combine_statuses(codes: Iterable[int | None]) -> int | None:
    """One status for several rows of one job (array tasks, requeued records): any unfinished row
    wins (RUNNING before PENDING), else the worst final one (FAILED, CANCELLED, COMPLETED). A row whose
    state could not be read (None) may be a task still running: with one, a final status is not
    established (None), while an unfinished row still tells the truth (the job has not finished)."""
    rows = list(codes)
    known = [code for code in rows if code in _STATUS_RANK]
    if not known:
        return None
    combined = max(known, key=lambda code: _STATUS_RANK[code])
    if len(known) < len(rows) and combined >= 0:
        return None  # every readable row is final, but an unreadable one may not be
    return combined


def _own_id(row_id: str) -> tuple[str, ...]:
    return (row_id,)


def _identity(job_id: str) -> str:
    return job_id


def _status_itself(value: object) -> int | None:
    return cast("int | None", value)


def statuses_by_job(
    response: object,
    runs: Iterable[Any],
    rows: Callable[[object], Sequence[tuple[str, _V]]],
    code: Callable[[_V], int | None] | None = None,
    row_keys: Callable[[str], Iterable[str]] = _own_id,
    run_key: Callable[[str], str] = _identity,
) -> dict[str, int | None]:
    """{job id: status} for the `runs` with rows in a batched `response` (``get_status_many``).

    `rows` splits the answer into (row id, value) pairs and `code` turns a value into a status (by
    default the value is the status). A row belongs to every run whose ``run_key(job id)`` is one of
    ``row_keys(row id)`` (default: the same id), so matching is one dict lookup per key of a row,
    linear in runs + rows; several rows of one job are combined. Never raises: on an error, the
    statuses found so far.
    """
    result: dict[str, int | None] = {}
    status = code or _status_itself
    try:
        by_key: dict[str, list[str]] = {}
        for run in runs:
            job_id = str(run.job_id)
            by_key.setdefault(run_key(job_id), []).append(job_id)
        # codes by run key; a key met twice in one row is harmless (combining is idempotent)
        codes: dict[str, list[int | None]] = {}
        for row_id, value in rows(response):
            row_code: int | None = None
            coded = False
            for key in row_keys(row_id):
                if key in by_key:
                    if not coded:
                        row_code, coded = status(value), True
                    codes.setdefault(key, []).append(row_code)
        for key, found in codes.items():
            combined = combine_statuses(found)
            for job_id in by_key[key]:
                result[job_id] = combined
    except Exception:  # never raise on an answer
        return result
    return result


_QSTAT_JOB = re.compile(r"^Job Id:\s*(\S+)")
_QSTAT_ATTR = re.compile(r"^\s+([A-Za-z_][A-Za-z0-9_.]*)\s*=\s?(.*)$")


def parse_qstat_full(text: object) -> list[tuple[str, dict[str, str]]]:
    """``[(job id, {attribute: value})]`` from PBS ``qstat -f`` output (Torque and PBS Pro).

    Attribute lines are indented ``name = value``; a value wrapped over lines goes on in lines that
    start with a TAB. The first value of an attribute in a block wins, so text inside a wrapped
    value (a Variable_List entry, say) cannot pose as a later attribute. Never raises.
    """
    blocks: list[tuple[str, dict[str, str]]] = []
    try:
        attrs: dict[str, str] | None = None
        last: str | None = None
        for line in response_text(text).split("\n"):
            line = line.rstrip("\r")
            job = _QSTAT_JOB.match(line)
            if job:
                attrs = {}
                blocks.append((job.group(1), attrs))
                last = None
                continue
            if attrs is None:
                continue
            if line.startswith("\t"):
                if last is not None:
                    attrs[last] += line[1:]
                continue
            attr = _QSTAT_ATTR.match(line)
            if attr:
                name, value = attr.group(1), attr.group(2).strip()
                if name in attrs:
                    last = None  # a repeated attribute: keep the first, ignore its wrap
                    continue
                attrs[name] = value
                last = name
            else:
                last = None
    except Exception:  # never raise on an answer
        return blocks
    return blocks

"""Hypothesis strategies for backend authors: resource dicts in every accepted form, job names, job bodies that
use the core variables, and hostile strings; all bound to what a backend declares in its Capabilities.

Every strategy of resources yields a `ResourceRequest`: the dict as a user writes it (``resources``)
together with the meaning the suite expects (``normal``: seconds, MB, ints), computed here independently of
clusterjob's own parser, so a wrong parse is caught too.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from clusterjob.testing.capabilities import CORE_VARIABLES, OPTIONAL_CORE_VARIABLES, Capabilities

__all__ = [
    "COMMON_KEYS",
    "HOSTILE_FRAGMENTS",
    "ResourceRequest",
    "core_variable_bodies",
    "core_variable_names",
    "count_forms",
    "counts",
    "extra_options",
    "first_job_ids",
    "hostile_strings",
    "job_bodies",
    "job_names",
    "mem_forms",
    "memory_mb",
    "output_paths",
    "queue_names",
    "resource_dicts",
    "resource_requests",
    "time_forms",
    "wall_times",
]

COMMON_KEYS: tuple[str, ...] = (
    "name",
    "queue",
    "time",
    "nodes",
    "ppn",
    "threads",
    "mem",
    "stdout",
    "stderr",
)
"""The seed contract's common resource keys (ClusterjobBackend.common_keys)."""


@dataclass(frozen=True)
class ResourceRequest:
    """A resources dict as a user writes it, and what it means (``normal``: time in s, mem in MB, ints)."""

    resources: dict[str, Any]
    normal: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The job name (JobScript's positional ``jobname``)."""
        return str(self.resources["name"])

    def without_name(self) -> dict[str, Any]:
        """The resources other than the name, as keyword arguments for JobScript."""
        return {k: v for k, v in self.resources.items() if k != "name"}


# ------------------------------------------------------------------------------------------ time


def first_job_ids(max_job_id: int = 9_999_999, room: int = 1000) -> st.SearchStrategy[int]:
    """The first job id a simulated cluster hands out: from two digits up to a scheduler's largest id
    (less `room` for the jobs of one check), so that a parser that keeps only some digits of an id
    (the first one, say) names a job the scheduler does not have."""
    return st.integers(min_value=10, max_value=max(10, max_job_id - room))


def time_forms(seconds: int) -> st.SearchStrategy[int | str]:
    """Every accepted spelling of `seconds`: int, 'SS', 'MM:SS', 'HH:MM:SS', 'D-HH[:MM[:SS]]', unit forms."""
    if seconds < 1:
        raise ValueError(f"a wall time is at least one second, got {seconds}")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    total_minutes, total_hours = seconds // 60, seconds // 3600
    forms: list[int | str] = [
        seconds,
        str(seconds),
        f"{total_minutes}:{secs:02d}",
        f"{total_hours}:{minutes:02d}:{secs:02d}",
        f"{days}-{hours:02d}:{minutes:02d}:{secs:02d}",
        f"{seconds}s",
    ]
    if secs == 0:
        forms.append(f"{days}-{hours:02d}:{minutes:02d}")
        forms.append(f"{total_minutes}m")
        if minutes == 0:
            forms.append(f"{days}-{hours}")
            forms.append(f"{total_hours}h")
            if hours == 0:
                forms.append(f"{days}d")
    units = "".join(
        f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")) if n
    )
    forms += [units, units.upper()]
    plain = st.sampled_from(sorted(set(forms), key=str))
    return st.one_of(plain, plain.filter(lambda f: isinstance(f, str)).map(lambda f: f" {f} "))


def wall_times(capabilities: Capabilities | None = None) -> st.SearchStrategy[int]:
    """Wall times in seconds up to ``capabilities.max_time_s``, with round values (minutes, hours) favoured."""
    top = (capabilities or Capabilities()).max_time_s
    return st.one_of(
        st.integers(1, top),
        st.integers(1, max(1, top // 60)).map(lambda m: m * 60),
        st.integers(1, max(1, top // 3600)).map(lambda h: h * 3600),
    ).filter(lambda s: s <= top)


# ---------------------------------------------------------------------------------------- memory


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def mem_forms(megabytes: int) -> st.SearchStrategy[int | str]:
    """Every accepted spelling of `megabytes` MB: int, digits, K/M/G/T units (any case, B/iB, a space), 1.5G."""
    if megabytes < 1:
        raise ValueError(f"memory is at least 1 MB, got {megabytes}")
    forms: list[int | str] = [megabytes, str(megabytes)]
    forms += [f"{megabytes}{u}" for u in ("M", "MB", "m", "mb", "Mi", "MiB", " MB")]
    forms += [f"{megabytes * 1024}{u}" for u in ("K", "KB", "k")]
    gigabytes = _decimal_text(Decimal(megabytes) / 1024)
    forms += [f"{gigabytes}{u}" for u in ("G", "GB", "g", "GiB")]
    if megabytes % 1024 == 0:
        forms.append(f"{_decimal_text(Decimal(megabytes) / 1024**2)}T")
    plain = st.sampled_from(sorted(set(forms), key=str))
    return st.one_of(plain, plain.filter(lambda f: isinstance(f, str)).map(lambda f: f" {f} "))


def memory_mb(capabilities: Capabilities | None = None) -> st.SearchStrategy[int]:
    """Memory per node in MB up to ``capabilities.max_mem_mb``, with whole GB favoured."""
    top = (capabilities or Capabilities()).max_mem_mb
    return st.one_of(
        st.integers(1, top), st.integers(1, max(1, top // 1024)).map(lambda g: g * 1024)
    ).filter(lambda m: m <= top)


# ---------------------------------------------------------------------------------------- counts


def count_forms(number: int) -> st.SearchStrategy[int | str]:
    """Every accepted spelling of a count: int, digit string, leading zero, surrounding spaces."""
    return st.sampled_from([number, str(number), f"0{number}", f" {number} "])


def counts(top: int) -> st.SearchStrategy[int]:
    """Counts 1..top."""
    return st.integers(1, max(1, top))


# ------------------------------------------------------------------------------------------ text


def job_names(max_size: int = 15) -> st.SearchStrategy[str]:
    """Names every scheduler takes as they are: a letter, then letters, digits, '_', '.', '-' (<= 15 chars)."""
    return st.from_regex(rf"[A-Za-z][A-Za-z0-9_.-]{{0,{max(0, max_size - 1)}}}", fullmatch=True)


def queue_names(capabilities: Capabilities | None = None) -> st.SearchStrategy[str]:
    """The queues of the simulated cluster declared in ``capabilities.queues``."""
    return st.sampled_from((capabilities or Capabilities()).queues)


_SEGMENT = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,7}", fullmatch=True).filter(
    lambda s: s.lower() != "none"  # sbatch reads the path 'none' as /dev/null
)


def output_paths() -> st.SearchStrategy[str]:
    """Relative and absolute output file paths of plain characters (no scheduler '%' patterns, no leading
    '-' that a tool could take for an option)."""
    relative = st.lists(_SEGMENT, min_size=1, max_size=3).map("/".join)
    named = st.tuples(relative, st.sampled_from(["", ".out", ".err", ".log"])).map("".join)
    return st.one_of(named, named.map(lambda p: "/tmp/" + p))


def extra_options(
    options: Mapping[str, Sequence[str | bool]],
) -> st.SearchStrategy[dict[str, str | bool]]:
    """A subset of the raw `options` ({key: sample values}), each with one of its sample values."""
    keys = sorted(options)
    if not keys:
        return st.just({})
    return st.lists(st.sampled_from(keys), unique=True, max_size=min(3, len(keys))).flatmap(
        lambda chosen: st.fixed_dictionaries({k: st.sampled_from(list(options[k])) for k in chosen})
    )


# ------------------------------------------------------------------------------------- resources


@st.composite
def resource_requests(
    draw: st.DrawFn,
    capabilities: Capabilities | None = None,
    *,
    extras: Mapping[str, Sequence[str | bool]] | None = None,
    keys: Sequence[str] = COMMON_KEYS,
    include_unsupported: bool = False,
) -> ResourceRequest:
    """Valid requests of the common `keys` (each present or not) in any accepted form, plus raw `extras`.

    Sizes stay within `capabilities` (nodes, cores per node, memory, time); keys it declares unsupported are
    left out unless `include_unsupported`, which also lets nodes/threads exceed 1 when not supported.
    """
    caps = capabilities or Capabilities()
    resources: dict[str, Any] = {}
    normal: dict[str, Any] = {}

    def wanted(key: str) -> bool:
        if key not in keys:
            return False
        if not include_unsupported and not caps.supports_key(key):
            return False
        return draw(st.booleans())

    name = draw(job_names())
    resources["name"] = name
    normal["name"] = name
    max_nodes = caps.max_nodes if (caps.multi_node or not include_unsupported) else 2
    if wanted("nodes"):
        nodes = draw(counts(max_nodes))
        resources["nodes"] = draw(count_forms(nodes))
        normal["nodes"] = nodes
    threads = 1
    if (caps.threads or include_unsupported) and wanted("threads"):
        threads = draw(counts(min(caps.max_cores_per_node, 4) if caps.threads else 2))
        resources["threads"] = draw(count_forms(threads))
        normal["threads"] = threads
    if wanted("ppn"):
        ppn = draw(counts(max(1, caps.max_cores_per_node // threads)))
        resources["ppn"] = draw(count_forms(ppn))
        normal["ppn"] = ppn
    if wanted("time"):
        seconds = draw(wall_times(caps))
        resources["time"] = draw(time_forms(seconds))
        normal["time"] = seconds
    if wanted("mem"):
        megabytes = draw(memory_mb(caps))
        resources["mem"] = draw(mem_forms(megabytes))
        normal["mem"] = megabytes
    if wanted("queue"):
        resources["queue"] = normal["queue"] = draw(queue_names(caps))
    for key in ("stdout", "stderr"):
        if wanted(key):
            resources[key] = normal[key] = draw(output_paths())
    if extras:
        chosen = draw(extra_options(extras))
        resources.update(chosen)
        normal.update(chosen)
    # a user's dict has no fixed key order: shuffle it so order-dependent backends are found out
    order = draw(st.permutations(sorted(resources)))
    return ResourceRequest({k: resources[k] for k in order}, normal)


def resource_dicts(
    capabilities: Capabilities | None = None,
    *,
    extras: Mapping[str, Sequence[str | bool]] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid resource dicts (the ``resources`` of `resource_requests`), name included."""
    return resource_requests(capabilities, extras=extras).map(lambda r: r.resources)


# ---------------------------------------------------------------------------------------- bodies


def _placeholder(variable: str) -> st.SearchStrategy[str]:
    return st.sampled_from([f"${variable}", f"${{{variable}}}"])


@st.composite
def core_variable_bodies(
    draw: st.DrawFn, capabilities: Capabilities | None = None
) -> tuple[str, dict[str, str]]:
    """(body, {variable: line label}): a body that prints each core variable on a line of its own,
    ``label=value``, so a test can read back what the scheduler substituted."""
    caps = capabilities or Capabilities()
    variables = list(caps.core_variables)
    if caps.arrays and "CLUSTERJOB_ARRAY_INDEX" not in variables:
        variables.append("CLUSTERJOB_ARRAY_INDEX")
    lines = ["set -u"]
    labels: dict[str, str] = {}
    for variable in variables:
        label = "CJ_" + variable.removeprefix("CLUSTERJOB_")
        labels[variable] = label
        lines.append(f'echo "{label}={draw(_placeholder(variable))}"')
    return "\n".join(lines) + "\n", labels


_PLAIN_LINES = st.sampled_from(
    [
        "echo hello",
        "true",
        "# a comment",
        "",
        "x=1; echo $x",
        'echo "${HOME:-none}"',
        "echo '$CLUSTERJOB_IDX is a user variable'",
        "sleep 0",
    ]
)


def job_bodies(capabilities: Capabilities | None = None) -> st.SearchStrategy[str]:
    """Shell bodies mixing plain lines with core-variable placeholders in both ``$X`` and ``${X}`` forms."""
    caps = capabilities or Capabilities()
    variables = list(caps.core_variables) + (list(OPTIONAL_CORE_VARIABLES) if caps.arrays else [])
    uses = st.sampled_from(variables).flatmap(_placeholder).map(lambda p: f'echo "{p}"')
    return st.lists(st.one_of(_PLAIN_LINES, uses), min_size=1, max_size=8).map(
        lambda lines: "\n".join(lines) + "\n"
    )


# --------------------------------------------------------------------------------------- hostile

HOSTILE_FRAGMENTS: tuple[str, ...] = (
    "\n",
    "\r",
    "\r\n",
    "\x00",
    "\n#SBATCH --mem=1",
    "\n#PBS -l nodes=99",
    "\n#BSUB -n 99",
    "\n#$ -pe smp 99",
    "#SBATCH --nodes=9",
    "#PBS -q evil",
    "#BSUB -q evil",
    "#$ -q evil",
    " --nodes=9",
    " -q evil",
    '"',
    "'",
    ";",
    "; touch pwned",
    "$(touch pwned)",
    "`touch pwned`",
    "\\",
    "\\n",
    '\\"',
    " ",
    "\t",
    "#",
    "&&",
    "|",
    ">",
    "<",
    "*",
    "?",
    "{",
    "}",
    "=",
    ":",
    ",",
    "@",
    "é",
    "名前",
    "\u2028",
    "\x85",
    "\x0b",
    "\x1b[31m",
    "\ufeff",
)
"""Pieces of text that end a directive line, start another, or mean something to a shell or a tokenizer."""

_PLAIN_TEXT = st.text(string.ascii_letters + string.digits + "_-.", min_size=1, max_size=6)


_LINE_BREAKS = re.compile("[\n\r\x00\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def hostile_strings() -> st.SearchStrategy[str]:
    """Strings built to inject a directive or a command: line breaks, NUL, CR, directive prefixes, quotes,
    ``;``, ``$()``, backticks, backslashes and unicode, between plain text; plus arbitrary text.

    Half hold no line break: clusterjob refuses those before any backend sees them, so the others are the
    ones that test a backend's own checks and quoting.
    """
    one_line_fragments = [f for f in HOSTILE_FRAGMENTS if not _LINE_BREAKS.search(f)]
    one_line = st.lists(
        st.one_of(st.sampled_from(one_line_fragments), _PLAIN_TEXT), min_size=1, max_size=6
    ).map("".join)
    built = st.lists(
        st.one_of(st.sampled_from(HOSTILE_FRAGMENTS), _PLAIN_TEXT), min_size=1, max_size=6
    ).map("".join)
    anything = st.text(min_size=1, max_size=20)
    return st.one_of(one_line, built, anything).filter(lambda s: s != "")


def core_variable_names() -> st.SearchStrategy[str]:
    """The seed core variables and the optional array index."""
    return st.sampled_from(CORE_VARIABLES + OPTIONAL_CORE_VARIABLES)

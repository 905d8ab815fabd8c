"""What the backend test modules share: the AsyncResult stand-in, the PBS qsub directive reader,
hostile-value strategies and the checks that a hostile value is refused or read back literally.

Every helper takes what differs between schedulers (the backend, its directive prefix, its reader)
as arguments. What a scheduler reads differently stays in its own module: Torque's make_argv keeps
quotes in words, PBS Pro's drops them, so tests/test_backend_pbs.py has its own tokenizer.
"""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import strategies as st

from clusterjob.backends import _REFERENCE_BACKENDS, ClusterjobBackend, ResourcesNotSupportedError
from clusterjob.errors import InvalidResourceError
from clusterjob.jobscript import BUILTIN_ATTRIBUTES, JobScript
from clusterjob.status import CANCELLED, COMPLETED, FAILED, PENDING, RUNNING

C_SPACE = " \t\n\v\f\r"
"""C's isspace(): the blanks the schedulers' readers split words on."""

ANY_STATUS = (None, PENDING, RUNNING, COMPLETED, CANCELLED, FAILED)
"""Every value get_status may give: what the never-raise tests accept."""

ANSWERS = st.one_of(st.text(), st.binary(), st.text().map(lambda s: s * 500))
"""Any answer a submit command could print: text, bytes, absurdly long lines."""


def run(job_id: str) -> Any:
    """A stand-in for AsyncResult: a backend may use only ``.job_id``."""
    return SimpleNamespace(job_id=job_id)


def assert_commands_refuse(backend: ClusterjobBackend, bad: str) -> None:
    """Status and cancel commands refuse `bad`, so it never reaches the scheduler as an option."""
    with pytest.raises(InvalidResourceError):
        backend.cmd_status(run(bad))
    with pytest.raises(InvalidResourceError):
        backend.cmd_cancel(run(bad))


def assert_registered(name: str, cls: type[ClusterjobBackend], extension: str) -> None:
    """The reference registry maps `name` to `cls`, which has that name and `extension`."""
    module, _, attr = _REFERENCE_BACKENDS[name].partition(":")
    assert getattr(importlib.import_module(module), attr) is cls
    assert (cls.name, cls.extension) == (name, extension)


def bash_stdout(script: str, env: dict[str, str]) -> str:
    """What bash prints running `script` with exactly `env`: a mapped body as the job runs it."""
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True).stdout


# ------------------------------------------------------------------ test-local qsub directive reader


class QsubError(Exception):
    """What qsub would abort with while reading directives."""


def closing_quote(line: str, i: int) -> int:
    """Where the quote at line[i] closes (both qsubs: no escapes inside; unmatched is fatal)."""
    end = line.find(line[i], i + 1)
    if end < 0:
        raise QsubError(f"qsub: unmatched {line[i]}")
    return end


def escaped_char(line: str, i: int) -> str:
    """What the backslash at line[i] takes (both qsubs: one ending the line is fatal)."""
    if i + 1 >= len(line):
        raise QsubError("backslash at the end of the line")
    return line[i + 1]


def pbspro_make_argv(line: str) -> list[str]:
    """PBS Pro's make_argv: a quote runs to the same quote with no escapes inside and is dropped, a
    backslash outside quotes takes the next character, adjacent pieces glue, unquoted whitespace
    splits."""
    args: list[str] = []
    current: list[str] = []
    have = False
    i = 0
    while i < len(line):
        char = line[i]
        if char in "\"'":
            end = closing_quote(line, i)
            current.append(line[i + 1 : end])  # the quotes are dropped (Torque keeps them)
            have, i = True, end + 1
        elif char == "\\":
            current.append(escaped_char(line, i))
            have, i = True, i + 2
        elif char in C_SPACE:
            if have:
                args.append("".join(current))
            current, have = [], False
            i += 1
        else:
            current.append(char)
            have, i = True, i + 1
    if have:
        args.append("".join(current))
    return args


def qsub_directives(script: str, make_argv: Callable[[str], list[str]]) -> list[list[str]]:
    """The arguments of each #PBS line as qsub reads them, split by `make_argv` (Torque's or PBS
    Pro's): leading whitespace allowed, a line ending in a backslash would continue, the first
    non-blank non-'#' line ends the scan."""
    directives = []
    for line in script.split("\n")[1:]:
        stripped = line.lstrip()
        if stripped.startswith("#PBS"):
            if line.rstrip().endswith("\\"):
                raise QsubError("directive continues on the next line")
            directives.append(make_argv(stripped[len("#PBS") :]))
        elif not stripped or stripped.startswith("#"):
            continue
        else:
            break
    return directives


def option_values(directives: list[list[str]], option: str) -> list[str]:
    """Every argument given to a one-letter option."""
    values = []
    for args in directives:
        for index, arg in enumerate(args):
            if arg == f"-{option}":
                values.append(args[index + 1] if index + 1 < len(args) else "")
    return values


def assert_pbs_hostile_value(
    backend: ClusterjobBackend,
    make_argv: Callable[[str], list[str]],
    resource: str,
    key: str,
    value: str,
) -> None:
    """Torque/PBS Pro: `key` (or -l `resource`) = `value` is refused or qsub reads it back."""
    directives = hostile_directives(
        backend, key, value, "#PBS", lambda text: qsub_directives(text, make_argv)
    )
    if directives is None:  # refused
        return
    if key == resource:
        assert option_values(directives, "l") == [f"{resource}={value}"]
    else:
        assert option_values(directives, PBS_KEY_OPTIONS[key]) == [value]


# ----------------------------------------------- hostile values: one directive per key (PBS, SLURM)

HOSTILE_PIECES = [
    "\n", "\r", "\x00", "\t", " ", "#", "#SBATCH", "#PBS", "#BSUB", "#$", '"', "'", "\\", ";",
    "$(", ")", "`", ":", "=", ",", "-",
]  # fmt: skip
"""Pieces of every scheduler's syntax; each backend's list adds its own."""

PBS_HOSTILE_PIECES = [*HOSTILE_PIECES, "-q x", "ü", "\u2028", "{x}", "a", "Z9"]
"""The pieces for Torque and PBS Pro, which read #PBS lines alike."""

PBS_KEY_OPTIONS = {"name": "N", "queue": "q", "stdout": "o", "stderr": "e", "A": "A", "M": "M"}
"""The one-letter qsub option each key is written as, for Torque and PBS Pro alike."""


def hostile_text(pieces: Sequence[str]) -> st.SearchStrategy[str]:
    """Values glued from syntax `pieces` and random text: what a directive reader might misread."""
    return st.lists(
        st.one_of(st.text(max_size=4), st.sampled_from(pieces)), min_size=1, max_size=8
    ).map("".join)


def hostile_directives(
    backend: ClusterjobBackend,
    key: str,
    value: str,
    prefix: str,
    read: Callable[[str], list[list[str]]],
) -> list[list[str]] | None:
    """A job with `key` = `value`: None if refused, else its directives, one `prefix` line a key."""
    body = "echo body\n"
    try:
        if key == "name":
            script = JobScript(body, value, backend=backend)
        else:
            script = JobScript(body, "job", backend=backend, **{key: value})
        text = script.render()
    except (InvalidResourceError, ResourcesNotSupportedError):
        return None
    lines = text.split("\n")
    expected_directives = 1 if key == "name" else 2
    assert lines[0] == "#!/bin/bash"
    assert all(line.startswith(f"{prefix} ") for line in lines[1 : 1 + expected_directives])
    assert text == "\n".join(lines[: 1 + expected_directives]) + "\n" + body
    directives = read(text)
    assert len(directives) == expected_directives
    return directives


# ------------------------------------------- hostile values: words of the whole script (LSF, SGE)

_SPECIALS = " \t\"'#$\\-[]{}:,;&|<>()%@*?!~`=^\x00\n\r\u00a0\u2028"
hostile_words = st.one_of(
    st.text(st.sampled_from(_SPECIALS + "ab"), min_size=1), st.text(min_size=1)
)
"""Shell and scheduler specials, blanks, line breaks, or any text at all."""

extra_keys = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,6}", fullmatch=True).filter(
    lambda k: k not in (*BUILTIN_ATTRIBUTES, *ClusterjobBackend.common_keys, "body", "jobname")
)
"""Names a raw (single-dash) scheduler option may have that are no common key or attribute."""

COMMON_OPTIONS = {"queue": "-q", "stdout": "-o", "stderr": "-e"}
"""The option bsub and Grid Engine's qsub both write the queue and the output paths with."""


def myjob_renderer(default: Callable[[], ClusterjobBackend]) -> Callable[..., str]:
    """A module's script(): renders job 'myjob', by default with a fresh `default()` backend."""

    def script(
        backend: ClusterjobBackend | None = None, body: str = "echo hello\n", **resources: object
    ) -> str:
        """Job 'myjob' with `body` and `resources`, rendered by `backend` or a default one."""
        return JobScript(body, "myjob", backend=backend or default(), **resources).render()

    return script


def assert_common_value_round_trips_or_is_refused(
    backend: ClusterjobBackend,
    key: str,
    value: str,
    read_words: Callable[[str], list[str]],
    name_words: Sequence[str],
) -> None:
    """A hostile name/queue/stdout/stderr is refused, or read back literally by `read_words`."""
    name = value if key == "name" else "job"
    try:
        text = JobScript(
            "echo hello\n", name, backend=backend, **({} if key == "name" else {key: value})
        ).render()
    except (InvalidResourceError, ResourcesNotSupportedError):
        return
    expected = [*name_words, name]
    if key != "name":
        expected += [COMMON_OPTIONS[key], value]
    assert read_words(text) == expected
    assert text.endswith("\necho hello\n")


def assert_raw_option_round_trips_or_is_refused(
    backend: ClusterjobBackend,
    key: str,
    value: object,
    read_words: Callable[[str], list[str]],
    name_words: Sequence[str],
) -> None:
    """A hostile raw option is refused, or `read_words` reads back exactly ``-key [value]``."""
    try:
        text = JobScript("echo hello\n", "job", backend=backend, **{key: value}).render()
    except (InvalidResourceError, ResourcesNotSupportedError):
        return
    expected = [*name_words, "job"]
    if value is True:
        expected.append(f"-{key}")
    elif value is not False and value is not None:
        expected += [f"-{key}", str(value)]
    assert read_words(text) == expected
    assert text.endswith("\necho hello\n")

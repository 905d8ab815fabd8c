"""What the fake Torque and the fake PBS Pro inherited alike from OpenPBS 2.3, reproduced byte for byte.

Both qsubs scan a script the same way (``#PBS`` lines until the first command), split options with glibc's
getopt, read sizes, times, job ids and ``-v`` lists with the same decoders, and both qstats print ``-f``
attributes with the same comma-breaking ``prt_attr``. Stdlib only (re, time): every command imports this.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterator, Sequence

    from clusterjob_sim.engine.allocation import DirectiveError


# PBS error numbers both flavours kept from OpenPBS 2.3 (pbs_error.h); an exit code is the number & 0xFF.
PBSE_UNKJOBID = 15001
PBSE_BADATVAL = 15014
PBSE_UNKQUE = 15018
PBSE_EXCQRESC = 15036


class QsubError(Exception):
    """A refusal of the real tool: exact stderr text and exit code (DirectiveError without dataclasses)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def exit_code(pbs_errno: int) -> int:
    """The exit status a command gets from ``exit(pbs_errno)``."""
    return pbs_errno & 0xFF


def directive_error(error: QsubError) -> DirectiveError:
    """The shared DirectiveError for a QsubError (what parse_submission raises)."""
    from clusterjob_sim.engine.allocation import DirectiveError

    return DirectiveError(error.message, error.exit_code)


# ---------------------------------------------------------------------------------------------------------
# glibc getopt


class Opt:
    """One option getopt returned: its letter (``?`` for an error) and its argument, if it takes one."""

    __slots__ = ("arg", "error", "letter")

    def __init__(self, letter: str, arg: str | None = None, error: str = "") -> None:
        self.letter = letter
        self.arg = arg
        self.error = error  # the line glibc printed on stderr when letter is '?'

    def __repr__(self) -> str:
        return f"Opt({self.letter!r}, {self.arg!r})"


def getopt(argv: Sequence[str], optstring: str, prog: str = "qsub") -> tuple[list[Opt], list[str]]:
    """Split argv (without argv[0]) as glibc's getopt does: permuting, so operands may come first.

    Returns the options in order (errors included as ``Opt('?')`` with glibc's message) and the operands.
    """
    takes_arg = {c for i, c in enumerate(optstring) if c != ":" and optstring[i + 1 : i + 2] == ":"}
    known = {c for c in optstring if c != ":"}
    opts: list[Opt] = []
    operands: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if word == "--":
            operands.extend(argv[i:])
            break
        if not word.startswith("-") or word == "-":
            operands.append(word)
            continue
        j = 1
        while j < len(word):
            c = word[j]
            j += 1
            if c not in known:
                opts.append(Opt("?", error=f"{prog}: invalid option -- '{c}'"))
                continue
            if c not in takes_arg:
                opts.append(Opt(c))
                continue
            if j < len(word):
                opts.append(Opt(c, word[j:]))
            elif i < len(argv):
                opts.append(Opt(c, argv[i]))
                i += 1
            else:
                opts.append(Opt("?", error=f"{prog}: option requires an argument -- '{c}'"))
            break
    return opts, operands


def options_spelled(
    opts: Sequence[Opt], spell: Callable[[Opt], list[str]] | None = None
) -> list[str]:
    """The options given as the manual spells them (``-a``; `spell` may say ``--xml``, ``-W depend``), in
    order, up to the first invalid one: the real tool's own message for that one comes first."""
    out: list[str] = []
    for opt in opts:
        if opt.letter == "?":
            break
        out += spell(opt) if spell else [f"-{opt.letter}"]
    return out


def first_missing(
    opts: Sequence[Opt], known: Container[str], spell: Callable[[Opt], list[str]] | None = None
) -> str | None:
    """The first option given that the real tool has but the simulator does not act on, else None.
    `known`: the command's IMPLEMENTED and REFUSED (options_spelled says how options are named)."""
    return next((o for o in options_spelled(opts, spell) if o not in known), None)


# ---------------------------------------------------------------------------------------------------------
# Scanning a job script for directives


def make_argv(line: str, keep_quotes: bool) -> list[str]:
    """``make_argv``: split a directive at white space, quoted runs grouped, ``\\`` escapes; Torque
    keeps the quotes in the words (``keep_quotes``), PBS Pro removes them."""
    words: list[str] = []
    buf: list[str] = []
    n = len(line)
    c = 0
    while c < n and line[c].isspace():
        c += 1
    start = c
    while c < n:
        ch = line[c]
        if ch in "\"'":
            end = line.find(ch, c + 1)
            if end < 0:
                raise QsubError("qsub: unmatched \0\n", 1)
            buf.append(line[c : end + 1] if keep_quotes else line[c + 1 : end])
            c = end + 1
        elif ch == "\\":
            buf.append(line[c + 1 : c + 2])
            c += 2
        elif ch.isspace():
            words.append("".join(buf))
            buf = []
            while c < n and line[c].isspace():
                c += 1
            start = c
        else:
            buf.append(ch)
            c += 1
    if c != start:
        words.append("".join(buf))
    return words


def is_executable(line: str) -> bool:
    """Whether a script line ends the directive scan (OpenPBS ``isexecutable``): not blank, not a comment.

    Lines starting at column 0 with ``:`` or ``#!`` never end it.
    """
    if line.startswith(":") or line.startswith("#!"):
        return False
    stripped = line.lstrip(" \t\n\r\f\v")
    return bool(stripped) and not stripped.startswith("#")


def directive_options(line: str, prefix: str = "#PBS") -> str | None:
    """The option text of a directive line (leading white space allowed, as ``ispbsdir``), else None."""
    it = line.lstrip(" \t\n\r\f\v")
    if prefix and it.startswith(prefix):
        return it[len(prefix) :]
    return None


def scan_directives(script_text: str, prefix: str = "#PBS") -> Iterator[str]:
    """Yield the option text of every directive before the first command, joining ``\\``-continued lines."""
    lines = script_text.splitlines(keepends=True)
    k = 0
    while k < len(lines):
        line = lines[k]
        k += 1
        opts = directive_options(line, prefix)
        if opts is not None:
            while opts.endswith("\\\n") and k < len(lines):
                opts = opts[:-2] + lines[k]
                k += 1
            yield opts.rstrip("\n")
        elif is_executable(line):
            return


# ---------------------------------------------------------------------------------------------------------
# Values: time, size, job ids, variable lists


def parse_time(value: str, max_fields: int = 3) -> int | None:
    """Seconds in a PBS time ``[[HH:]MM:]SS[.fraction]`` (Torque also takes ``DD:`` in front), else None."""
    text = value.strip()
    if not text:
        return None
    main, dot, frac = text.partition(".")
    if dot and (not frac.isdigit()):
        return None
    parts = main.split(":")
    if len(parts) > max_fields or not all(_digits(p) for p in parts):
        return None
    weights = (1, 60, 3600, 86400)
    seconds = sum(int(p) * w for p, w in zip(reversed(parts), weights, strict=False))
    if dot and int(frac[:1] or "0") >= 5:
        seconds += 1
    return seconds


def format_hms(seconds: int) -> str:
    """``HH:MM:SS`` as PBS prints durations (hours grow past two digits)."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


_SHIFT = {"": 0, "k": 10, "m": 20, "g": 30, "t": 40, "p": 50}


def parse_size(value: str) -> int | None:
    """Bytes in a PBS size (``4gb``, ``512mb``, ``100``, ``2kw``), else None."""
    text = value.strip()
    number = text[: len(text) - len(text.lstrip("0123456789"))]
    rest = text[len(number) :].lower()
    scale = rest[:1] if rest[:1] and rest[:1] in "kmgtp" else ""
    unit = rest[len(scale) :]
    if not number or unit not in ("", "b", "w"):
        return None
    size = int(number) << _SHIFT[scale]
    return size * 8 if unit == "w" else size


def size_to_mb(value: str) -> int | None:
    """A PBS size in whole megabytes, rounded up; None when it is not a size."""
    size = parse_size(value)
    return None if size is None else -(-size // (1 << 20))


class JobId:
    """A job id as a user typed it: ``123``, ``123.srv``, ``123[]``, ``123[4].srv``."""

    __slots__ = ("array", "index", "seq", "server")

    def __init__(
        self, seq: int, index: int | None = None, array: bool = False, server: str | None = None
    ) -> None:
        self.seq = seq
        self.index = index  # the array index of a subjob
        self.array = array  # written with brackets
        self.server = server  # what followed the first dot, if anything

    def full(self, server: str) -> str:
        """The id with the server name appended when the user left it out."""
        bracket = "" if not self.array else f"[{'' if self.index is None else self.index}]"
        return f"{self.seq}{bracket}.{self.server if self.server else server}"


def parse_job_id(text: str) -> JobId | None:
    """Read ``N``, ``N.server``, ``N[]`` or ``N[i].server``; None when it is not a job id."""
    head, _, server = text.strip().partition(".")
    seq, bracket, rest = head.partition("[")
    index = rest[:-1]
    if (
        not _digits(seq)
        or (bracket and (not rest.endswith("]") or (index and not _digits(index))))
        or "\n" in server
    ):
        return None
    return JobId(
        seq=int(seq),
        index=int(index) if bracket and index else None,
        array=bool(bracket),
        server=server or None,
    )


def _digits(text: str) -> bool:
    """A non-empty run of ASCII digits, as C's isdigit() reads them (str.isdigit also takes other scripts)."""
    return text.isascii() and text.isdigit()


def split_commas(
    text: str, keep_quotes: bool = True, escapes: bool = False
) -> tuple[list[str], bool]:
    """The quote-aware comma split of both qsubs' ``-l``/``-v`` lists; also: is a quote left open."""
    items: list[str] = []
    buf: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        i += 1
        if escapes and ch == "\\" and text[i : i + 1] == ",":
            buf.append(",")
            i += 1
        elif quote and ch == quote:
            quote = ""
            if keep_quotes:
                buf.append(ch)
        elif quote:
            buf.append(ch)
        elif ch in "\"'":
            quote = ch
            if keep_quotes:
                buf.append(ch)
        elif ch == ",":
            items.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    items.append("".join(buf))
    return items, bool(quote)


def expand_v(
    lists: Sequence[str], environ: dict[str, str], strict: bool = False
) -> list[list[str]]:
    """``-v A=1,B``: pairs; a name alone takes the submitter's value (strict: missing is an error)."""
    out: list[list[str]] = []
    for text in lists:
        for item in split_commas(text, escapes=True)[0]:
            name, eq, value = item.partition("=")  # an empty item has no name: skipped below
            name = name.strip()
            if not name:
                continue
            if not eq:
                if name not in environ and strict:
                    raise QsubError("qsub: cannot send environment with the job\n", 1)
                value = environ.get(name, "")
            elif len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            out.append([name, value])
    return out


def variable_list_text(pairs: Sequence[Sequence[str]]) -> str:
    """Variable_List as the server shows it: ``NAME=value`` joined by commas, commas in values escaped."""
    return ",".join(f"{k}={v.replace(',', chr(92) + ',')}" for k, v in pairs)


# ---------------------------------------------------------------------------------------------------------
# Printing attributes (qstat -f)


def prt_attr(name: str, resource: str | None, value: str, limit: int) -> str:
    """One ``    name[.resource] = value`` entry, broken at commas as ``prt_attr`` does (no final newline).

    ``limit`` is the line size: 77 in Torque, 78 (CHAR_LINE_LIMIT) in PBS Pro.
    """
    out = [f"    {name}"]
    start = len(name) + 7
    if resource is not None:
        start += len(resource) + 1
        out.append(f".{resource}")
    out.append(" = ")
    tokens = [t for t in value.split(",") if t]  # strtok skips empty tokens
    first = True
    for n, token in enumerate(tokens):
        if len(token) + start < limit:
            out.append(token)
            start += len(token)
        else:
            if not first:
                out.append("\n\t")
                start = 9
            for ch in token:
                out.append(ch)
                start += 1
                if start > limit:
                    start = 8
                    out.append("\n\t")
        if n + 1 < len(tokens):
            first = False
            out.append(",")
    return "".join(out)


def ctime(epoch: float) -> str:
    """C's ctime() without the newline: ``Thu May 14 07:04:20 2020`` in local time."""
    return time.ctime(epoch)

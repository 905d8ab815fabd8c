"""What the Slurm tools read: getopt_long as glibc does it, each command's option table, the options the
simulator does not implement (refused at parse time), job id arguments, and sbatch's #SBATCH directives,
value checks and submission parsing.

Import-light (no re, no shlex, no dataclasses): every command runs this. Messages and exit codes are the real
ones (reference/scheduler-cli.md; Slurm 22.05 src/common/slurm_opt.c, src/sbatch/opt.c and each command's
option parser).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Collection
    from typing import Any

    from clusterjob_sim.engine.allocation import Allocation
    from clusterjob_sim.engine.jobs import Job

REQ, NONE, OPT = 1, 0, 2  # getopt has_arg: required, no argument, optional
# Option tables: long name -> (short letter or "", has_arg), in the order of the tool's own table (getopt_long
# lists ambiguous abbreviations in this order). A name starting with "-" is a short option without a long
# name. Aliases map other names of one option to the name the commands use.
# sbatch 22.05 (seen: '--cluster-constraint' '--chdir' are listed in this order)
LONG: dict[str, tuple[str, int]] = {
    "account": ("A", REQ), "acctg-freq": ("", REQ), "array": ("a", REQ), "batch": ("", REQ),
    "begin": ("b", REQ), "bb": ("", REQ), "bbf": ("", REQ), "cluster-constraint": ("", REQ),
    "chdir": ("D", REQ), "cluster": ("", REQ), "clusters": ("M", REQ), "comment": ("", REQ),
    "container": ("", REQ), "context": ("", REQ), "contiguous": ("", NONE),
    "constraint": ("C", REQ), "core-spec": ("S", REQ), "cores-per-socket": ("", REQ),
    "cpu-freq": ("", REQ), "cpus-per-gpu": ("", REQ), "cpus-per-task": ("c", REQ),
    "deadline": ("", REQ), "delay-boot": ("", REQ), "dependency": ("d", REQ),
    "distribution": ("m", REQ), "error": ("e", REQ), "exclude": ("x", REQ),
    "exclusive": ("", OPT), "export": ("", REQ), "export-file": ("", REQ),
    "extra-node-info": ("B", REQ), "get-user-env": ("", OPT), "gid": ("", REQ),
    "gpu-bind": ("", REQ), "gpu-freq": ("", REQ), "gpus": ("G", REQ), "gpus-per-node": ("", REQ),
    "gpus-per-socket": ("", REQ), "gpus-per-task": ("", REQ), "gres": ("", REQ),
    "gres-flags": ("", REQ), "help": ("h", NONE), "hint": ("", REQ), "hold": ("H", NONE),
    "ignore-pbs": ("", NONE), "input": ("i", REQ), "job-name": ("J", REQ),
    "kill-on-invalid-dep": ("", REQ), "licenses": ("L", REQ), "mail-type": ("", REQ),
    "mail-user": ("", REQ), "mcs-label": ("", REQ), "mem": ("", REQ), "mem-bind": ("", REQ),
    "mem-per-cpu": ("", REQ), "mem-per-gpu": ("", REQ), "mincpus": ("", REQ),
    "network": ("", REQ), "nice": ("", OPT), "no-kill": ("k", OPT), "no-requeue": ("", NONE),
    "nodefile": ("F", REQ), "nodelist": ("w", REQ), "nodes": ("N", REQ), "ntasks": ("n", REQ),
    "ntasks-per-core": ("", REQ), "ntasks-per-gpu": ("", REQ), "ntasks-per-node": ("", REQ),
    "ntasks-per-socket": ("", REQ), "ntasks-per-tres": ("", REQ), "open-mode": ("", REQ),
    "output": ("o", REQ), "overcommit": ("O", NONE), "oversubscribe": ("s", NONE),
    "parsable": ("", NONE), "partition": ("p", REQ), "power": ("", REQ), "prefer": ("", REQ),
    "priority": ("", REQ), "profile": ("", REQ), "propagate": ("", OPT), "qos": ("q", REQ),
    "quiet": ("Q", NONE), "reboot": ("", NONE), "requeue": ("", NONE), "reservation": ("", REQ),
    "signal": ("", REQ), "sockets-per-node": ("", REQ), "spread-job": ("", NONE),
    "switches": ("", REQ), "tasks-per-node": ("", REQ), "test-only": ("", NONE),
    "thread-spec": ("", REQ), "threads-per-core": ("", REQ), "time": ("t", REQ),
    "time-min": ("", REQ), "tmp": ("", REQ), "uid": ("", REQ), "use-min-nodes": ("", NONE),
    "usage": ("", NONE), "verbose": ("v", NONE), "version": ("V", NONE), "wait": ("W", NONE),
    "wait-all-nodes": ("", REQ), "wckey": ("", REQ), "wrap": ("", REQ),
}  # fmt: skip
SHORT = {short: name for name, (short, _) in LONG.items() if short}
ALIASES = {"tasks-per-node": "ntasks-per-node", "cluster": "clusters"}
# squeue 22.05 (src/squeue/opts.c): 'accounts', 'partitions', 'users' are its names; the manual's '--account',
# '--partition', '--user' are their abbreviations; -U is an old spelling of -A
SQUEUE: dict[str, tuple[str, int]] = {
    "accounts": ("A", REQ), "all": ("a", NONE), "array": ("r", NONE), "array-unique": ("", NONE),
    "Format": ("O", REQ), "format": ("o", REQ), "federation": ("", NONE), "help": ("", NONE),
    "hide": ("", NONE), "iterate": ("i", REQ), "jobs": ("j", OPT), "local": ("", NONE),
    "long": ("l", NONE), "licenses": ("L", REQ), "cluster": ("M", REQ), "clusters": ("M", REQ),
    "me": ("", NONE), "name": ("n", REQ), "noconvert": ("", NONE), "node": ("w", REQ),
    "nodes": ("w", REQ), "nodelist": ("w", REQ), "noheader": ("h", NONE), "partitions": ("p", REQ),
    "priority": ("P", NONE), "qos": ("q", REQ), "reservation": ("R", REQ), "sib": ("", NONE),
    "sibling": ("", NONE), "sort": ("S", REQ), "start": ("", NONE), "steps": ("s", OPT),
    "states": ("t", REQ), "usage": ("", NONE), "user": ("u", REQ), "users": ("u", REQ),
    "verbose": ("v", NONE), "version": ("V", NONE), "-U": ("U", REQ),
}  # fmt: skip
SQUEUE_ALIASES = {"cluster": "clusters", "node": "nodelist", "nodes": "nodelist", "sib": "sibling",
                  "users": "user", "-U": "accounts"}  # fmt: skip
# sacct 22.05 (src/sacct/options.c); -t is an old spelling of -X
SACCT: dict[str, tuple[str, int]] = {
    "allusers": ("a", NONE), "accounts": ("A", REQ), "allocations": ("X", NONE), "brief": ("b", NONE),
    "batch-script": ("B", NONE), "completion": ("c", NONE), "constraints": ("C", REQ),
    "delimiter": ("", REQ), "duplicates": ("D", NONE), "federation": ("", NONE),
    "helpformat": ("e", NONE), "help-fields": ("e", NONE), "endtime": ("E", REQ),
    "env-vars": ("", NONE), "file": ("f", REQ), "flags": ("F", REQ), "gid": ("g", REQ),
    "group": ("g", REQ), "help": ("h", NONE), "local": ("", NONE), "name": ("", REQ),
    "nnodes": ("i", REQ), "ncpus": ("I", REQ), "jobs": ("j", REQ), "timelimit-min": ("k", REQ),
    "timelimit-max": ("K", REQ), "long": ("l", NONE), "allclusters": ("L", NONE),
    "cluster": ("M", REQ), "clusters": ("M", REQ), "nodelist": ("N", REQ), "noconvert": ("", NONE),
    "units": ("", REQ), "noheader": ("n", NONE), "fields": ("o", REQ), "format": ("o", REQ),
    "parsable": ("p", NONE), "parsable2": ("P", NONE), "qos": ("q", REQ), "partition": ("r", REQ),
    "reason": ("R", REQ), "state": ("s", REQ), "starttime": ("S", REQ), "truncate": ("T", NONE),
    "uid": ("u", REQ), "use-local-uid": ("", NONE), "usage": ("U", NONE), "user": ("u", REQ),
    "verbose": ("v", NONE), "version": ("V", NONE), "wckeys": ("W", REQ),
    "whole-hetjob": ("", OPT), "associations": ("x", REQ), "json": ("", NONE), "yaml": ("", NONE),
    "-t": ("t", NONE),
}  # fmt: skip
SACCT_ALIASES = {"help-fields": "helpformat", "group": "gid", "cluster": "clusters", "fields": "format",
                 "uid": "user", "-t": "allocations"}  # fmt: skip
# scancel 22.05 (src/scancel/opt.c)
SCANCEL: dict[str, tuple[str, int]] = {
    "account": ("A", REQ), "batch": ("b", NONE), "ctld": ("", NONE), "full": ("f", NONE),
    "help": ("", NONE), "hurry": ("H", NONE), "interactive": ("i", NONE), "cluster": ("M", REQ),
    "clusters": ("M", REQ), "jobname": ("n", REQ), "me": ("", NONE), "name": ("n", REQ),
    "nodelist": ("w", REQ), "partition": ("p", REQ), "qos": ("q", REQ), "quiet": ("Q", NONE),
    "reservation": ("R", REQ), "sibling": ("", REQ), "signal": ("s", REQ), "state": ("t", REQ),
    "usage": ("", NONE), "user": ("u", REQ), "verbose": ("v", NONE), "version": ("V", NONE),
    "wckey": ("", REQ),
}  # fmt: skip
SCANCEL_ALIASES = {"cluster": "clusters", "jobname": "name"}
# scontrol 22.05 (src/scontrol/scontrol.c, the options its manual names); --usage is -h
SCONTROL: dict[str, tuple[str, int]] = {
    "all": ("a", NONE), "cluster": ("M", REQ), "clusters": ("M", REQ), "details": ("d", NONE),
    "federation": ("", NONE), "future": ("F", NONE), "help": ("h", NONE), "hide": ("", NONE),
    "local": ("", NONE), "oneliner": ("o", NONE), "quiet": ("Q", NONE), "sibling": ("", NONE),
    "uid": ("u", REQ), "usage": ("h", NONE), "verbose": ("v", NONE), "version": ("V", NONE),
}  # fmt: skip
SCONTROL_ALIASES = {"cluster": "clusters", "usage": "help"}
# sinfo 22.05 (src/sinfo/opts.c)
SINFO: dict[str, tuple[str, int]] = {
    "all": ("a", NONE), "dead": ("d", NONE), "exact": ("e", NONE), "federation": ("", NONE),
    "help": ("", NONE), "hide": ("", NONE), "iterate": ("i", REQ), "local": ("", NONE),
    "long": ("l", NONE), "cluster": ("M", REQ), "clusters": ("M", REQ), "nodes": ("n", REQ),
    "noconvert": ("", NONE), "noheader": ("h", NONE), "Node": ("N", NONE), "format": ("o", REQ),
    "Format": ("O", REQ), "partition": ("p", REQ), "responding": ("r", NONE),
    "list-reasons": ("R", NONE), "summarize": ("s", NONE), "sort": ("S", REQ), "states": ("t", REQ),
    "reservation": ("T", NONE), "usage": ("", NONE), "verbose": ("v", NONE), "version": ("V", NONE),
}  # fmt: skip
SINFO_ALIASES = {"cluster": "clusters"}
MAX_ARRAY_SIZE = 1001  # MaxArraySize default: indices 0..1000


class OptionError(Exception):
    """An option the real tool rejects: exact stderr text (lines) and exit code."""

    def __init__(self, text: str, exit_code: int) -> None:
        super().__init__(text)
        self.text = text if text.endswith("\n") else text + "\n"
        self.exit_code = exit_code


def _err(message: str, code: int = 255) -> OptionError:
    return OptionError(f"sbatch: error: {message}", code)


def getopt(
    args: list[str],
    prog: str = "sbatch",
    table: dict[str, tuple[str, int]] | None = None,
    *,
    permute: bool = False,
    exit_code: int = 255,
    found: list[tuple[str, str | None]] | None = None,
    aliases: dict[str, str] | None = None,
    spelled: list[str] | None = None,
) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Parse args like glibc getopt_long: (options, operands), each option as (its name after `aliases`,
    value). Without `permute` (sbatch's leading '+'), the first operand ends the options; with it (squeue,
    sacct), operands may sit anywhere. `found` (if given) receives the options one by one, so a caller sees
    those before a refused one; `spelled` receives how each was written ('-X', or '--name' in full)."""
    if table is None:
        table, aliases = LONG, ALIASES if aliases is None else aliases
    aliases = aliases or {}
    short = {s: name for name, (s, _) in table.items() if s}
    try_help = f'Try "{prog} --help" for more information'
    if found is None:
        found = []
    operands: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            operands.extend(args[i + 1 :])
            return found, operands
        if arg.startswith("--"):
            text, eq, value = arg[2:].partition("=")
            name = _resolve_long(text, arg, prog, table, aliases, try_help, exit_code)
            mode = table[name][1]
            if mode == REQ and not eq:
                if i + 1 >= len(args):
                    raise OptionError(
                        f"{prog}: option '--{name}' requires an argument\n{try_help}", exit_code
                    )
                i += 1
                value = args[i]
            elif mode == NONE and eq:
                raise OptionError(
                    f"{prog}: option '--{name}' doesn't allow an argument\n{try_help}", exit_code
                )
            found.append((aliases.get(name, name), value if (eq or mode == REQ) else None))
            if spelled is not None:
                spelled.append(f"--{name}")
        elif arg.startswith("-") and arg != "-":
            j = 1
            while j < len(arg):
                ch = arg[j]
                name = short.get(ch, "")
                if not name:
                    raise OptionError(f"{prog}: invalid option -- '{ch}'\n{try_help}", exit_code)
                mode = table[name][1]
                rest = arg[j + 1 :]
                canonical = aliases.get(name, name)
                if spelled is not None:
                    spelled.append(f"-{ch}")
                if mode == NONE:
                    found.append((canonical, None))
                    j += 1
                    continue
                if rest:
                    found.append((canonical, rest))
                elif mode == REQ:
                    if i + 1 >= len(args):
                        raise OptionError(
                            f"{prog}: option requires an argument -- '{ch}'\n{try_help}", exit_code
                        )
                    i += 1
                    found.append((canonical, args[i]))
                else:
                    found.append((canonical, None))
                break
        elif permute:
            operands.append(arg)
        else:
            return found, operands + args[i:]
        i += 1
    return found, operands


def _long_matches(
    text: str, table: dict[str, tuple[str, int]], aliases: dict[str, str]
) -> list[str]:
    """The long names `--text` may stand for, as glibc reports them: the exact name alone; else every name it
    abbreviates that differs from the first one (another name of the same option does not count)."""
    if text in table and not text.startswith("-"):
        return [text]
    matches = [n for n in table if n.startswith(text) and not n.startswith("-")] if text else []
    if not matches:
        return []
    first = matches[0]
    key = (table[first], aliases.get(first, first))
    return [first] + [m for m in matches[1:] if (table[m], aliases.get(m, m)) != key]


def _resolve_long(
    text: str,
    arg: str,
    prog: str,
    table: dict[str, tuple[str, int]],
    aliases: dict[str, str],
    try_help: str,
    code: int,
) -> str:
    """Exact long option name, or its unique abbreviation, as glibc accepts them."""
    matches = _long_matches(text, table, aliases)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        options = " ".join(f"'--{m}'" for m in matches)
        raise OptionError(
            f"{prog}: option '{arg}' is ambiguous; possibilities: {options}\n{try_help}", code
        )
    raise OptionError(f"{prog}: unrecognized option '{arg}'\n{try_help}", code)


def option_name(
    spelling: str, table: dict[str, tuple[str, int]], aliases: dict[str, str]
) -> str | None:
    """The name (after aliases) a spelling '-X' or '--name' stands for in `table`; None if none."""
    if spelling.startswith("--"):
        matches = _long_matches(spelling[2:], table, aliases)
        name = matches[0] if len(matches) == 1 else None
    else:
        name = next((n for n, (s, _) in table.items() if s and s == spelling[1:]), None)
    return None if name is None else aliases.get(name, name)


def first_refused(
    found: list[tuple[str, str | None]],
    implemented: Collection[str],
    table: dict[str, tuple[str, int]],
    aliases: dict[str, str],
) -> int | None:
    """Index of the first option in `found` the simulator does not act on (None: it acts on all of them).
    `implemented` holds the manual's spellings of the options the command implements."""
    acted_on = {option_name(s, table, aliases) for s in implemented}
    return next((i for i, (name, _) in enumerate(found) if name not in acted_on), None)


def refusal(
    command: str,
    found: list[tuple[str, str | None]],
    spelled: list[str],
    implemented: Collection[str],
    table: dict[str, tuple[str, int]],
    aliases: dict[str, str],
) -> str | None:
    """The stderr text for the first option in `found` the simulator does not implement (None if none):
    every option of the real tool outside `implemented` fails loudly, named as the manual spells it."""
    i = first_refused(found, implemented, table, aliases)
    return None if i is None else not_implemented(command, spelled[i], found[i][0], table, aliases)


def not_implemented(
    command: str,
    spelling: str,
    name: str,
    table: dict[str, tuple[str, int]],
    aliases: dict[str, str],
) -> str:
    """engine.refusal.not_implemented_text for an option written `spelling`, named as the manual spells it
    (that spelling if the manual has it, else the manual's long spelling of the same option)."""
    from clusterjob_sim.engine.refusal import not_implemented_text
    from clusterjob_sim.slurm.manual import OPTIONS

    manual = [o for o, kind in OPTIONS.get(command, {}).items() if kind != "subcommand"]
    if spelling not in manual:
        same = [o for o in manual if option_name(o, table, aliases) == name]
        spelling = next((o for o in same if o.startswith("--")), same[0] if same else spelling)
    return not_implemented_text(command, spelling)


def parse_job_ids(text: str) -> list[tuple[int, int | None]] | None:
    """Ids of -j/--jobs (123, 120_3, comma separated); None if one is malformed."""
    out: list[tuple[int, int | None]] = []
    for item in text.split(","):
        if not item:
            continue
        base, us, task = item.partition("_")
        if not (base.isascii() and base.isdigit()) or (
            us and not (task.isascii() and task.isdigit())
        ):
            return None
        out.append((int(base), int(task) if us else None))
    return out


def select(jobs: list[Job], wanted: list[tuple[int, int | None]]) -> list[Job]:
    """Records matching ids: an array id selects every task, 120_3 one task, a task's own id itself."""
    out = []
    for job in jobs:
        for base, task in wanted:
            if task is None and (job.job_id == base or job.array_id == base):
                out.append(job)
                break
            if task is not None and job.array_id == base and job.array_index == task:
                out.append(job)
                break
    return out


C_SPACE = " \t\n\v\f\r"  # C isspace() in the C locale
SLURM_PREFIX_WARNING = (
    "sbatch: error: Change from #SLURM to #SBATCH in your script and verify the options are valid "
    "in sbatch\n"
)


def directive_args(
    script: str, file: str = "stdin", warnings: list[str] | None = None
) -> list[str]:
    """The arguments of the #SBATCH (and legacy #SLURM) lines before the first command, as Slurm 22.05's
    _opt_batch_script reads them; `file` is the name its fatal errors cite (the script's basename, or
    'stdin'). A `hetjob`/`packjob` word starts the next component of a heterogeneous job: only the first
    component is read [simplification: the simulator submits no heterogeneous jobs]."""
    args: list[str] = []
    for lineno, line in enumerate(script.split("\n"), 1):
        if line.startswith("#SBATCH"):
            rest = line[7:]
        elif line.startswith("#SLURM"):
            rest = line[6:]
            if warnings is not None and SLURM_PREFIX_WARNING not in warnings:
                warnings.append(SLURM_PREFIX_WARNING)  # seen: printed once, the job is submitted
        else:
            stripped = line.lstrip(C_SPACE)
            if stripped and not stripped.startswith("#"):
                break
            continue
        for word in _split_directive(rest, lineno, file):
            if word.lower() in ("hetjob", "packjob"):
                return args
            args.append(word)
    return args


def _fatal(message: str) -> OptionError:
    return OptionError(f"sbatch: fatal: {message}", 1)


def _split_directive(text: str, lineno: int, file: str) -> list[str]:
    """The words of one directive line as Slurm's _get_argument cuts them: a backslash copies the next
    character but cannot protect a blank, quotes group, an unquoted '#' or an empty word ends the line,
    a word starting with ':' is fatal (all seen)."""
    out: list[str] = []
    pos, n = 0, len(text)
    while True:
        i = pos
        while i < n and text[i] in C_SPACE:
            i += 1
        if i < n and text[i] == ":":
            raise _fatal(f"{file}: line {lineno}: Unexpected `:` in [{text[pos:]}]")
        word: list[str] = []
        quote = ""
        escape = False
        while i < n and (quote or text[i] not in C_SPACE):
            ch = text[i]
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
                i += 1
                continue
            elif quote:
                if ch == quote:
                    quote = ""
                    i += 1
                    continue
            elif ch in "\"'":
                quote = ch
                i += 1
                continue
            elif ch == "#":
                break
            word.append(ch)
            i += 1
        if quote:
            raise _fatal(f"{file}: line {lineno}: Unmatched `{quote}` in [{text[pos:]}]")
        if not word:  # nothing copied: _get_argument returns NULL, the rest of the line is skipped
            return out
        out.append("".join(word))
        pos = i


def parse_time(value: str) -> int | None:
    """Seconds of a SLURM time (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, D-); None: unlimited.

    As Slurm 22.05's time_str2mins (seen): no blanks or signs, every field a number, at most one '-'
    before any ':', at most two ':'; 0 means no limit. [difference: Slurm reads '-5' as -5 days]
    """
    if value.upper() in ("INFINITE", "UNLIMITED", "-1"):
        return None
    days = 0
    text = value
    if "-" in text:
        day_text, _, text = text.partition("-")
        if not digits(day_text):
            raise ValueError(value)
        days = int(day_text)
        parts = text.split(":") if text else []
        if len(parts) > 3 or not all(digits(p) for p in parts):
            raise ValueError(value)
        h, m, s = ([int(p) for p in parts] + [0, 0, 0])[:3]
    else:
        parts = text.split(":")
        if len(parts) > 3 or not all(digits(p) for p in parts):
            raise ValueError(value)
        nums = [int(p) for p in parts]
        padded = [0, *nums, 0] if len(nums) == 1 else [0, *nums] if len(nums) == 2 else nums
        h, m, s = padded
    total = ((days * 24 + h) * 60 + m) * 60 + s
    return None if total == 0 else total


def strtol(text: str) -> tuple[int | None, str]:
    """C strtol(text, &end, 10): (value or None when no digits, the text left after it)."""
    i, n = 0, len(text)
    while i < n and text[i] in C_SPACE:
        i += 1
    sign = 1
    if i < n and text[i] in "+-":
        sign = -1 if text[i] == "-" else 1
        i += 1
    start = i
    while i < n and "0" <= text[i] <= "9":
        i += 1
    if i == start:
        return None, text
    return sign * int(text[start:i]), text[i:]


def parse_mem(value: str) -> int:
    """Megabytes of a SLURM memory size, as str_to_mbytes reads it (seen): strtoll, then nothing or one
    of K M G T (any case, an optional B after it); MB by default, K rounded up."""
    number, rest = strtol(value)
    unit = rest.upper()
    if number is None or number < 0 or number >= 2**63 - 1:
        raise ValueError(value)
    if unit in ("K", "KB"):
        return (number + 1023) // 1024
    factor = {"": 1, "M": 1, "MB": 1, "G": 1024, "GB": 1024, "T": 1024**2, "TB": 1024**2}.get(unit)
    if factor is None:
        raise ValueError(value)
    return number * factor


def parse_array(value: str) -> tuple[list[int], int | None]:
    """Task indices and %limit of an --array spec (1-10, 1,3,5, 1-9:2, with an optional %N)."""
    text, pct, limit_text = value.partition("%")
    limit = None
    if pct:
        if not digits(limit_text) or int(limit_text) < 1:
            raise ValueError(value)
        limit = int(limit_text)
    indices: list[int] = []
    for part in text.split(","):
        rng, colon, step_text = part.partition(":")
        lo, dash, hi = rng.partition("-")
        if not digits(lo) or (dash and not digits(hi)) or (colon and not digits(step_text)):
            raise ValueError(value)
        step = int(step_text) if colon else 1
        first, last = int(lo), int(hi) if dash else int(lo)
        if step < 1 or last < first:
            raise ValueError(value)
        indices.extend(range(first, last + 1, step))
    return sorted(set(indices)), limit


# Slurm's sig_name_num table (src/common/proc_args.c): the names --signal and scancel -s accept
SIGNAL_NAMES = {"HUP": 1, "INT": 2, "QUIT": 3, "ABRT": 6, "KILL": 9, "ALRM": 14, "TERM": 15, "USR1": 10,
                "USR2": 12, "URG": 23, "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22}  # fmt: skip


def signal_number(text: str) -> int:
    """sig_name2num: a number (blanks after it allowed), or a name with or without SIG in any case; 0 if
    neither."""
    number, rest = strtol(text)
    if number is not None:
        return number if not rest.strip(C_SPACE) else 0
    name = text.lstrip(C_SPACE)
    if name[:3].upper() == "SIG":
        name = name[3:]
    for key, value in SIGNAL_NAMES.items():
        if name[: len(key)].upper() == key and not name[len(key) :].strip(C_SPACE):
            return value
    return 0


def parse_signal(value: str) -> tuple[int, int, bool]:
    """--signal=[{R|B}:]SIG[@TIME] as get_signal_opts reads it: (signal, seconds, batch only); TIME defaults
    to 60 (sbatch(1)). R: (also for reservations) is not implemented; a signal number Linux has no signal
    for neither (exit 255 for both)."""
    flags = ""
    for prefix in ("RB:", "BR:", "B:", "R:"):
        if value[: len(prefix)].upper() == prefix:
            flags, value = prefix[:-1].upper(), value[len(prefix) :]
            break
    sig_text, at, time_text = value.partition("@")
    number = signal_number(sig_text)
    if number < 1 or number > 0xFFFF:
        raise _err("Invalid --signal specification")
    seconds = 60
    if at:
        parsed, rest = strtol(time_text)
        if parsed is None:
            parsed, rest = 0, time_text  # strtol without digits gives 0 and leaves the text
        if parsed < 0 or parsed > 0xFFFF or rest:
            raise _err("Invalid --signal specification")
        seconds = parsed
    if "R" in flags or number > 64:
        from clusterjob_sim.engine.refusal import not_implemented_text

        what = "R:" if "R" in flags else str(number)
        raise OptionError(not_implemented_text("sbatch", f"--signal={what}..."), 255)
    return number, seconds, flags == "B"


def digits(text: str) -> bool:
    """True for a non-empty run of ASCII digits (str.isdigit also accepts '²' and other scripts)."""
    return text.isascii() and text.isdigit()


def _int(name: str, value: str, positive: bool = True) -> int:
    """A decimal option value as Slurm's parse_int checks it: strtol, nothing after the number (exit 1)."""
    number, rest = strtol(value)
    if rest or number is None or number < 0 or (positive and number <= 0):
        raise _err(f'Invalid numeric value "{value}" for {name}.', 1)
    return number


def _node_count(text: str) -> tuple[int, str]:
    """_str_to_nodes: strtol with a k (x1024) then m (x1048576) suffix; -1 when no number."""
    number, rest = strtol(text)
    if number is None:
        return -1, text
    if rest[:1] in ("k", "K"):
        number, rest = number * 1024, rest[1:]
    if rest[:1] in ("m", "M"):
        number, rest = number * 1024 * 1024, rest[1:]
    return number, rest


def _nodes(value: str) -> int:
    """Minimum node count of -N N or N-M, as verify_node_count checks it (all seen)."""
    if "-" in value:
        lo_text, _, hi_text = value.partition("-")
        lo, rest = _node_count(lo_text)
        if rest.strip(C_SPACE):
            raise _err(f'"{lo_text}" is not a valid node count')
        if lo < 0:
            lo = 1
        hi, rest = _node_count(hi_text)
        if rest.strip(C_SPACE):
            raise _err(f'"{hi_text}" is not a valid node count')
    else:
        lo, rest = _node_count(value)
        if rest.strip(C_SPACE) or lo < 0:
            raise _err(f'"{value}" is not a valid node count')
        hi = lo
    if hi != 0 and hi < lo:
        raise _err(f"Maximum node count {hi} is less than minimum node count {lo}")
    return lo


def apply(opts: dict[str, Any], found: list[tuple[str, str | None]]) -> None:
    """Set parsed options into `opts`, checking values as sbatch does (later options win)."""
    for name, value in found:
        v = value if value is not None else ""
        if name == "time":
            try:
                opts["time"] = parse_time(v)
            except ValueError:
                raise _err("Invalid --time specification") from None
            opts["time_set"] = True
        elif name in ("mem", "mem-per-cpu"):
            try:
                opts[name] = parse_mem(v)
            except ValueError:
                raise _err(f"Invalid --{name} specification") from None
            opts.pop("mem-per-cpu" if name == "mem" else "mem", None)
        elif name == "nodes":
            opts["nodes"] = _nodes(v)
        elif name in ("ntasks", "cpus-per-task", "ntasks-per-node", "ntasks-per-socket"):
            opts[name] = _int(f"--{name}", v)
        elif name == "array":
            try:
                opts["array"] = (v, *parse_array(v))
            except ValueError:
                raise _err("Invalid --array specification", 1) from None
        elif name == "signal":
            opts["signal"] = parse_signal(v)
        elif name == "exclusive" and value is not None:
            if v.lower() not in ("exclusive", "oversubscribe", "user", "mcs"):
                raise _err("Invalid --exclusive specification")  # slurm_opt.c arg_set_exclusive
            opts[name] = v.lower()
        elif LONG[name][1] == NONE or (LONG[name][1] == OPT and value is None):
            opts[name] = True
        else:
            opts[name] = v


def parse_options(
    script: str,
    argv: list[str] | tuple[str, ...],
    file: str | None = None,
    warnings: list[str] | None = None,
    implemented: Collection[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Options of a submission: #SBATCH lines, then the command line (which wins); plus the operands.

    `file` names the script in fatal errors (default: the first operand's basename, else 'stdin');
    `warnings` collects what sbatch prints on stderr for a job it still submits (an OptionError's text
    starts with those printed before it). With `implemented` (the fake sbatch's manual spellings), a
    directive naming another option of the real sbatch fails loudly (exit 255, as a bad option)."""
    cmd_found, operands = getopt(list(argv))
    if file is None:
        file = os.path.basename(operands[0]) if operands else "stdin"
    notes: list[str] = [] if warnings is None else warnings
    opts: dict[str, Any] = {}
    try:
        # sbatch applies each option as getopt_long returns it: the first refusal wins (seen)
        found: list[tuple[str, str | None]] = []
        spelled: list[str] = []
        try:
            _, rest = getopt(directive_args(script, file, notes), found=found, spelled=spelled)
        except OptionError as e:
            apply(opts, found)
            raise e from None
        refused = None if implemented is None else first_refused(found, implemented, LONG, ALIASES)
        if refused is not None:
            apply(opts, found[:refused])  # the options before it are read (and may fail) first
            text = not_implemented("sbatch", spelled[refused], found[refused][0], LONG, ALIASES)
            raise OptionError(text, 255)
        apply(opts, found)
        if rest:
            raise _err(f"Invalid directive found in batch script: {rest[0]}")
        apply(opts, cmd_found)
    except OptionError as e:
        if notes:
            raise OptionError("".join(notes) + e.text, e.exit_code) from None
        raise
    if "ntasks" in opts and "nodes" in opts and opts["ntasks"] < opts["nodes"]:
        if "quiet" not in opts:  # an info() message: -Q lowers the log level below it
            notes.append(
                f"sbatch: Warning: can't run {opts['ntasks']} processes on {opts['nodes']} nodes, "
                f"setting nnodes to {opts['ntasks']}\n"
            )  # seen
        opts["nodes"] = opts["ntasks"]
    return opts, operands


MODELLED = ("nodes", "ntasks", "ntasks-per-node", "cpus-per-task", "mem", "mem-per-cpu", "time",
            "time_set", "partition", "job-name", "output", "error", "chdir", "array")  # fmt: skip


def shape(opts: dict[str, Any]) -> dict[str, Any]:
    """nodes, tasks per node, cpus per task and MB per node that the options ask for."""
    nodes = int(opts.get("nodes", 1))
    if "ntasks-per-node" in opts:
        tpn = int(opts["ntasks-per-node"])
        if "ntasks" in opts and "nodes" not in opts:  # seen: -n 2 --ntasks-per-node=1 -> 2 nodes
            nodes = max(1, int(opts["ntasks"]) // tpn)
    elif "ntasks" in opts:
        tpn = -(-int(opts["ntasks"]) // nodes)
    else:
        tpn = 1
    cpt = int(opts.get("cpus-per-task", 1))
    mem = opts.get("mem")
    if "mem-per-cpu" in opts:
        mem = int(opts["mem-per-cpu"]) * tpn * cpt
    return {"nodes": nodes, "tasks_per_node": tpn, "cpus_per_task": cpt, "mem_mb_per_node": mem}


def check_script(script: str) -> None:
    """sbatch's sanity checks of a batch script (rc 1)."""
    if not script:
        raise _err("Batch script is empty!", 1)
    if not script.strip():
        raise _err("Batch script contains only whitespace!", 1)
    if not script.startswith("#!"):
        raise OptionError(
            "sbatch: error: This does not look like a batch script.  The first\n"
            "sbatch: error: line must start with #! followed by the path to an interpreter.\n"
            "sbatch: error: For instance: #!/bin/sh",
            1,
        )
    if "\0" in script:
        raise OptionError(
            "sbatch: error: The Slurm controller does not allow scripts that\n"
            "sbatch: error: contain a NULL character '\\0'.",
            1,
        )
    if "\r\n" in script:
        raise OptionError(
            "sbatch: error: Batch script contains DOS line breaks (\\r\\n)\n"
            "sbatch: error: instead of expected UNIX line breaks (\\n).",
            1,
        )


def parse_submission(script_text: str, argv: list[str] | tuple[str, ...] = ()) -> Allocation:
    """What sbatch understands from a script and its command line; DirectiveError when it refuses."""
    from clusterjob_sim.engine.allocation import Allocation, ArraySpec, DirectiveError

    try:
        opts, _ = parse_options(script_text, argv)
    except OptionError as e:
        raise DirectiveError(e.text.rstrip("\n"), e.exit_code) from None
    s = shape(opts)
    array = None
    if "array" in opts:
        text, indices, limit = opts["array"]
        array = ArraySpec(tuple(indices), limit, text)
    extra = {k: v for k, v in opts.items() if k not in MODELLED}
    return Allocation(
        nodes=s["nodes"],
        tasks_per_node=s["tasks_per_node"],
        cpus_per_task=s["cpus_per_task"],
        mem_mb_per_node=s["mem_mb_per_node"],
        walltime_s=opts.get("time"),
        queue=opts.get("partition"),
        name=opts.get("job-name"),
        stdout=opts.get("output"),
        stderr=opts.get("error"),
        workdir=os.path.join(opts["chdir"]) if "chdir" in opts else None,
        array=array,
        extra=extra,
    )

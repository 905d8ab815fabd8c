"""How every Slurm command reads its command line: getopt_long as glibc does it, the options the simulator
does not implement (refused by name), and job id arguments (123, 120_3).

Import-light (no re, no typing at run time): every command imports this; a command's own option table is in
its module (sbatch's, shared with #SBATCH directives, in options.py). Messages and exit codes are the real
ones (glibc getopt_long; Slurm 22.05 each command's option parser).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Collection

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job

REQ, NONE, OPT = 1, 0, 2  # getopt has_arg: required, no argument, optional
C_SPACE = " \t\n\v\f\r"  # C isspace() in the C locale


class OptionError(Exception):
    """An option the real tool rejects: exact stderr text (lines) and exit code."""

    def __init__(self, text: str, exit_code: int) -> None:
        super().__init__(text)
        self.text = text if text.endswith("\n") else text + "\n"
        self.exit_code = exit_code


def getopt(
    args: list[str],
    prog: str,
    table: dict[str, tuple[str, int]],
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


def digits(text: str) -> bool:
    """True for a non-empty run of ASCII digits (str.isdigit also accepts '²' and other scripts)."""
    return text.isascii() and text.isdigit()


def read_command_line(
    ctx: Context,
    prog: str,
    table: dict[str, tuple[str, int]],
    implemented: Collection[str],
    usage: str,
    *,
    aliases: dict[str, str] | None = None,
    exit_code: int = 1,
    permute: bool = False,
) -> tuple[list[tuple[str, str | None]], list[str]] | int:
    """getopt, then what a Slurm client does before anything else: --help/--usage print its usage,
    --version its version, and an option the simulator does not implement fails loudly (exit_code).
    Returns (options, operands), or the exit code when the command has already answered."""
    spelled: list[str] = []
    found, operands = getopt(
        ctx.argv,
        prog,
        table,
        exit_code=exit_code,
        permute=permute,
        aliases=aliases,
        spelled=spelled,
    )
    names = {name for name, _ in found}
    if names & {"help", "usage"}:
        ctx.out.write(usage)
        return 0
    if "version" in names:
        ctx.out.write("slurm 22.05.8\n")
        return 0
    refused = refusal(prog, found, spelled, implemented, table, aliases or {})
    if refused:
        ctx.err.write(refused)
        return exit_code
    return found, operands

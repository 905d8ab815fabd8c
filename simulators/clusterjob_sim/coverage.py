"""The coverage table of the simulators, generated from the code: every command of each real scheduler and every
option its manual names, with what the simulator does with it.

Sources, per scheduler package: `manual.py` (OPTIONS: {command: {option: kind}}, kind "flag", "value",
"optional" or "subcommand"; SOURCES: {command: where the list comes from}) and, for each command the simulator
has (the package's COMMANDS), the command module's IMPLEMENTED (options it acts on) and REFUSED ({option: why it
refuses on purpose}). Any other option of the manual is "missing": the command fails loudly on it
(engine.refusal.not_implemented_text). Nothing is accepted and ignored, so there is no such column.

    python -m clusterjob_sim.coverage            # print the table
    python -m clusterjob_sim.coverage --write F  # write it to F (nox -s coverage-table: simulators/COVERAGE.md)
    python -m clusterjob_sim.coverage --check F  # exit 1 if F is not what the code gives
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from clusterjob_sim.engine.jobs import SCHEDULER_PACKAGES

IMPLEMENTED, REFUSED, MISSING = "implemented", "refused", "missing"
STATUSES = (IMPLEMENTED, REFUSED, MISSING)
KINDS = ("flag", "value", "optional", "subcommand")
# The real tools behind each simulated scheduler, in the order the table shows them.
SCHEDULERS = {
    "slurm": "Slurm",
    "torque": "Torque (PBS)",
    "pbspro": "PBS Pro / OpenPBS",
    "lsf": "IBM Spectrum LSF",
    "sge": "Grid Engine",
}


@dataclass(frozen=True)
class Row:
    """One option of one command: what the manual calls it, how it is given, what the simulator does."""

    command: str
    option: str
    kind: str
    status: str
    note: str = ""


def package(scheduler: str) -> ModuleType:
    """The scheduler's package (slurm, pbs.torque, ...)."""
    return importlib.import_module(SCHEDULER_PACKAGES[scheduler])


def manual(scheduler: str) -> ModuleType:
    """The scheduler's manual module: the real commands and their options."""
    return importlib.import_module(f"{SCHEDULER_PACKAGES[scheduler]}.manual")


def command_module(scheduler: str, command: str) -> ModuleType | None:
    """The module implementing `command` in the simulator, or None if the simulator lacks the command."""
    target = getattr(package(scheduler), "COMMANDS", {}).get(command)
    return importlib.import_module(target.partition(":")[0]) if target else None


def rows(scheduler: str) -> list[Row]:
    """Every (command, option) of the real scheduler's manual plus what the simulator implements beyond it."""
    man = manual(scheduler)
    out: list[Row] = []
    for command, options in man.OPTIONS.items():
        module = command_module(scheduler, command)
        implemented = frozenset(getattr(module, "IMPLEMENTED", ())) if module else frozenset()
        refused: dict[str, str] = dict(getattr(module, "REFUSED", {})) if module else {}
        for option, kind in options.items():
            if kind not in KINDS:
                raise ValueError(f"{scheduler} manual: {command} {option}: unknown kind {kind!r}")
            if option in implemented:
                out.append(Row(command, option, kind, IMPLEMENTED))
            elif option in refused:
                out.append(Row(command, option, kind, REFUSED, refused[option]))
            else:
                note = "" if module else "command not simulated"
                out.append(Row(command, option, kind, MISSING, note))
        for option in sorted((implemented | set(refused)) - set(options)):
            raise ValueError(
                f"{scheduler} {command}: {option} is in IMPLEMENTED/REFUSED but not in the manual list"
            )
    return out


def counts(table: Sequence[Row]) -> dict[str, int]:
    """How many options in each column."""
    return {s: sum(r.status == s for r in table) for s in STATUSES}


def render() -> str:
    """The whole COVERAGE.md text."""
    lines = [
        "# Simulator coverage",
        "",
        "Generated from the code by `python -m clusterjob_sim.coverage --write simulators/COVERAGE.md`",
        "(`nox -s coverage-table`); a test fails when this file is stale. For every scheduler: each command of",
        "the real tool and each option its manual names. **implemented**: the simulator acts on it as the real",
        "tool does. **refused**: the simulator refuses it on purpose (the note says why). **missing**: not",
        "implemented yet; the command fails with `<command>: option <option> is not implemented by the",
        "clusterjob simulator` and a non-zero exit code. No option is accepted and ignored.",
        "",
        "| scheduler | commands (simulated / real) | implemented | refused | missing |",
        "|---|---|---|---|---|",
    ]
    tables = {s: rows(s) for s in SCHEDULERS}
    for scheduler, title in SCHEDULERS.items():
        table = tables[scheduler]
        commands = list(manual(scheduler).OPTIONS)
        simulated = [c for c in commands if command_module(scheduler, c)]
        c = counts(table)
        lines.append(
            f"| {title} | {len(simulated)} / {len(commands)} | {c[IMPLEMENTED]} | {c[REFUSED]} "
            f"| {c[MISSING]} |"
        )
    for scheduler, title in SCHEDULERS.items():
        man = manual(scheduler)
        lines += ["", f"## {title} (`clusterjob sim ... {scheduler}`)", ""]
        by_command: dict[str, list[Row]] = {}
        for row in tables[scheduler]:
            by_command.setdefault(row.command, []).append(row)
        for command, command_rows in by_command.items():
            c = counts(command_rows)
            simulated = "simulated" if command_module(scheduler, command) else "**not simulated**"
            lines += [
                f"### `{command}` ({simulated}; {c[IMPLEMENTED]} implemented, {c[REFUSED]} refused, "
                f"{c[MISSING]} missing)",
                "",
                f"Options from: {man.SOURCES[command]}",
                "",
                "| option | takes | status | note |",
                "|---|---|---|---|",
            ]
            for row in command_rows:
                note = row.note.replace("|", "\\|")
                lines.append(f"| `{row.option}` | {row.kind} | {row.status} | {note} |")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print, write or check the coverage table; exit 1 when --check finds it stale."""
    p = argparse.ArgumentParser(
        prog="python -m clusterjob_sim.coverage", description=__doc__.split("\n")[0]
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--write", metavar="FILE", help="write the table to FILE")
    group.add_argument(
        "--check", metavar="FILE", help="exit 1 if FILE differs from the generated table"
    )
    args = p.parse_args(argv)
    text = render()
    if args.write:
        with open(args.write, "w", encoding="utf-8") as f:
            f.write(text)
        return 0
    if args.check:
        try:
            with open(args.check, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = ""
        if current != text:
            print(f"{args.check} is stale: run nox -s coverage-table", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

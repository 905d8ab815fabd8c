"""`sim` command line: `env`, `run`, `kill`, `purge` (`clusterjob sim ...` and `python -m clusterjob_sim`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from clusterjob_sim import activate
from clusterjob_sim.engine.jobs import scheduler_name
from clusterjob_sim.engine.spool import default_spool

SCHEDULERS = ("slurm", "torque", "pbs", "pbspro", "lsf", "sge")  # pbs: another name for torque
EPILOG = """examples:
  eval "$(clusterjob sim env slurm)"           # this shell now has sbatch, squeue, sacct, scancel
  clusterjob sim env slurm --spool /tmp/c1 --config '{"nodes": 2, "cores_per_node": 4}'
  clusterjob sim run slurm -- sh -c 'sbatch --wrap "sleep 1"; squeue'   # fresh spool, removed after
      (also on SIGTERM/SIGHUP, which go on to the command, and Ctrl-C: the spool's jobs are killed)
  clusterjob sim kill slurm                    # kill every job of the default slurm spool
"""


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the sim command."""
    p = argparse.ArgumentParser(
        prog="clusterjob sim",
        description="Simulated batch schedulers whose commands really run jobs as local processes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="action", required=True)
    for name, text in (
        ("env", "create/refresh a spool and print shell export lines activating it"),
        ("run", "run a command with the fake commands on PATH (fresh temp spool unless --spool)"),
        ("kill", "kill every pending and running job of a spool"),
        ("purge", "delete finished jobs of a spool (from the live view and accounting)"),
    ):
        s = sub.add_parser(name, help=text, description=text)
        s.add_argument("scheduler", choices=SCHEDULERS)
        s.add_argument("--spool", type=Path, help="spool folder (default: $CLUSTERJOB_SIM_SPOOL or "
                       "~/.cache/clusterjob-sim/SCHEDULER; run: a fresh temporary one)")  # fmt: skip
        if name in ("env", "run"):
            s.add_argument("--config", default=None, help="JSON object of config.json overrides")
        if name == "purge":
            s.add_argument("--older-than", type=float, default=0.0, metavar="SECONDS")
        if name == "run":
            s.add_argument("cmd", nargs="*", metavar="-- CMD", help="the command to run")
    return p


class _BadConfig(Exception):
    """--config cannot be used (exit 2, one line)."""


def _overrides(text: str | None) -> dict[str, object]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise _BadConfig(f"--config is not valid JSON: {e}") from None
    if not isinstance(value, dict):
        raise _BadConfig("--config must be a JSON object, e.g. '{\"nodes\": 2}'")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sim command with argv (without the program name); return the exit code."""
    try:
        return _main(argv)
    except _BadConfig as e:
        print(f"clusterjob sim: {e}", file=sys.stderr)
        return 2
    except (TypeError, ValueError, KeyError) as e:
        if "--config" not in list(sys.argv[1:] if argv is None else argv):
            raise
        print(f"clusterjob sim: --config has a value of the wrong form: {e}", file=sys.stderr)
        return 2


def _main(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    cmd: list[str] = []
    if "--" in words:  # everything after -- is the command of `run`, never sim's own options
        cut = words.index("--")
        words, cmd = words[:cut], words[cut + 1 :]
    args = build_parser().parse_args(words)
    args.scheduler = scheduler_name(args.scheduler)
    if args.action == "env":
        spool = args.spool or default_spool(args.scheduler)
        try:
            activate.create_spool(spool, args.scheduler, **_overrides(args.config))
        except OSError as e:
            print(f"clusterjob sim env: {e.strerror or e}: {e.filename or spool}", file=sys.stderr)
            return 2
        sys.stdout.write(activate.env_lines(args.scheduler, spool))
        return 0
    if args.action == "run":
        cmd = [*args.cmd, *cmd]
        if not cmd:
            print("clusterjob sim run: give a command after --", file=sys.stderr)
            return 2
        try:
            return activate.run_with(args.scheduler, cmd, args.spool, **_overrides(args.config))
        except FileNotFoundError as e:
            if e.filename not in (None, cmd[0]):
                print(f"clusterjob sim run: {e.strerror}: {e.filename}", file=sys.stderr)
                return 2
            print(f"clusterjob sim run: {e.strerror}: {cmd[0]}", file=sys.stderr)
            return 127
        except OSError as e:  # the spool cannot be made: a folder the user named
            print(f"clusterjob sim run: {e.strerror or e}: {e.filename or ''}", file=sys.stderr)
            return 2
    spool = args.spool or default_spool(args.scheduler)
    if not (Path(spool) / "config.json").exists():
        print(f"clusterjob sim {args.action}: no spool at {spool}", file=sys.stderr)
        return 1
    from clusterjob_sim.engine.core import Engine

    engine = Engine(spool)
    try:
        if args.action == "kill":
            print(f"killed {engine.kill_all()} job(s)")
        else:
            print(f"purged {engine.purge(args.older_than)} job(s)")
    finally:
        engine.close()
    return 0

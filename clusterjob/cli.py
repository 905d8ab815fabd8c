"""The `clusterjob` command: list backends, render/submit a job script, follow or cancel a run,
drive the simulated schedulers (`sim`) and run the conformance suite (`check`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clusterjob.backends import ResourcesNotSupportedError
from clusterjob.errors import ClusterjobError, InvalidResourceError, UnknownBackendError
from clusterjob.status import str_status

DESCRIPTION = """\
Write one job script for any HPC batch scheduler, submit it, and follow it to the end.

examples:
  clusterjob backends
  clusterjob render job.sh --backend slurm --name sim1 --nodes 2 --ppn 32 --time 2:00:00 --mem 4G
  echo 'srun ./a.out' | clusterjob render - --backend pbspro --name sim1 --nodes 2 --ppn 32
  clusterjob submit job.sh --backend slurm --name sim1 --cache-folder ~/.cache/runs --cache-id sim1
  clusterjob status ~/.cache/runs/clusterjob.sim1.json
  clusterjob status ~/.cache/runs          # every cached run there, one scheduler call per backend
  clusterjob status --backend slurm --job-id 123
  clusterjob cancel ~/.cache/runs/clusterjob.sim1.json
  clusterjob sim run slurm -- clusterjob submit job.sh --backend slurm --name demo --wait
  clusterjob check --all

Resource values: --time takes seconds or [D-]HH:MM:SS, MM:SS, '2h', '90m'; --mem takes MB or a unit
('4G', '512M'); any scheduler option the common keys do not cover goes through --option KEY=VALUE
(one-letter keys become '-k value', longer ones '--key=value' in the scheduler's own form).
Site defaults come from --settings FILE (TOML: [attributes] and [resources] tables; or the original
INI form); precedence: built-in < settings file < command line.
"""

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _add_job_options(parser: argparse.ArgumentParser) -> None:
    """Options that describe a job: what to render or submit."""
    parser.add_argument(
        "body", help="file with the job's body (shell commands); '-' reads standard input"
    )
    parser.add_argument("-b", "--backend", help="backend name (see `clusterjob backends`)")
    parser.add_argument(
        "-J", "--name", help="job name (default: the body file's name without suffix)"
    )
    parser.add_argument("--settings", metavar="FILE", help="site defaults (TOML or INI)")
    group = parser.add_argument_group("resources (the common keys)")
    group.add_argument("-q", "--queue", help="partition/queue")
    group.add_argument("-t", "--time", help="wall time: seconds, [D-]HH:MM:SS, MM:SS, 2h, 90m ...")
    group.add_argument("-N", "--nodes", help="number of nodes")
    group.add_argument("--ppn", help="processes per node")
    group.add_argument("--threads", help="threads per process")
    group.add_argument("--mem", help="memory per node: MB, or with a unit (4G, 512M)")
    group.add_argument("-o", "--stdout", help="file for the job's standard output")
    group.add_argument("-e", "--stderr", help="file for the job's standard error")
    group.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY[=VALUE]",
        help="a raw scheduler option outside the common keys (repeatable); KEY alone is a flag",
    )
    attrs = parser.add_argument_group("attributes")
    attrs.add_argument("--shell", help="interpreter for the shebang line (default /bin/bash)")
    attrs.add_argument(
        "--remote", metavar="HOST", help="submit over ssh to HOST (aliases from ~/.ssh/config work)"
    )
    attrs.add_argument(
        "--rootdir", help="folder that holds workdir (on the remote host with --remote)"
    )
    attrs.add_argument("--workdir", help="folder the job is submitted from, relative to rootdir")
    attrs.add_argument(
        "--filename", help="file name of the written script (default: name + extension)"
    )


def _add_run_options(parser: argparse.ArgumentParser, many: bool = False) -> None:
    """Options that identify a submitted run: a cache file (many: files or folders), or a job id with
    its backend."""
    if many:
        parser.add_argument(
            "cache_files",
            nargs="*",
            metavar="CACHE",
            help="cache files written by `clusterjob submit --cache-folder`, or folders of them",
        )
    else:
        parser.add_argument(
            "cache_file", nargs="?", help="cache file written by `clusterjob submit --cache-folder`"
        )
    parser.add_argument("--job-id", help="the scheduler's job id (instead of a cache file)")
    parser.add_argument("-b", "--backend", help="backend name, with --job-id")
    parser.add_argument(
        "--remote", metavar="HOST", help="ssh host the scheduler runs on, with --job-id"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `clusterjob` command (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="clusterjob",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from importlib.metadata import PackageNotFoundError, version

    try:
        own_version = version("clusterjob")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        own_version = "unknown"
    parser.add_argument("--version", action="version", version=f"clusterjob {own_version}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    commands.add_parser("backends", help="list the registered backends")

    render = commands.add_parser("render", help="print the job script a backend would submit")
    _add_job_options(render)

    submit = commands.add_parser("submit", help="submit a job; prints its job id")
    _add_job_options(submit)
    submit.add_argument("--cache-folder", help="keep the run in a cache file here (restart-safe)")
    submit.add_argument(
        "--cache-id", help="name of the cache entry; resubmitting with it returns the cached run"
    )
    submit.add_argument(
        "--force", action="store_true", help="submit even if the cache already holds this run"
    )
    submit.add_argument(
        "--wait",
        action="store_true",
        help="wait until the job has finished; exit 0 only if it completed",
    )

    status = commands.add_parser(
        "status",
        help="print a run's status (PENDING, RUNNING, COMPLETED, ..., UNKNOWN), or a table of many runs",
        description="One cache file (or --job-id): print its status; UNKNOWN (exit 3) when the "
        "scheduler has never reported a state for it (a job id it does not know). Exit 2 when the "
        "backend cannot read the scheduler's answers (a backend for another scheduler). Several cache "
        "files or folders of them: refresh them all with one scheduler call per backend where the "
        "backend can, print one line per run and a summary, and list submissions left in doubt (a "
        ".submitting marker without its cache file). Exit 1 if a run is lost or UNKNOWN, a submission "
        "is in doubt, a file is unreadable or the scheduler could not be asked.",
    )
    _add_run_options(status, many=True)
    cancel = commands.add_parser("cancel", help="cancel a run")
    _add_run_options(cancel)

    commands.add_parser(
        "sim", help="simulated schedulers: `clusterjob sim env|run SCHEDULER ...`", add_help=False
    )
    commands.add_parser(
        "check", help="conformance suite: `clusterjob check BACKEND|--all ...`", add_help=False
    )
    return parser


def _read_body(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ClusterjobError(f"cannot read the body file {path!r}: {exc.strerror}") from exc


def _parse_option(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not key:
        raise InvalidResourceError("--option", text, "KEY=VALUE or KEY (a flag)")
    return key, (value if sep else True)


def _jobscript_from_args(args: argparse.Namespace) -> Any:
    from clusterjob.jobscript import JobScript

    if args.settings:
        JobScript.read_defaults(args.settings)
    body = _read_body(args.body)
    name = args.name or (Path(args.body).stem if args.body != "-" else "job")
    kwargs: dict[str, Any] = {}
    for key in ("backend", "shell", "remote", "rootdir", "workdir", "filename"):
        if getattr(args, key) is not None:
            kwargs[key] = getattr(args, key)
    for key in ("queue", "time", "nodes", "ppn", "threads", "mem", "stdout", "stderr"):
        if getattr(args, key) is not None:
            kwargs[key] = getattr(args, key)
    for option in args.option:
        key, value = _parse_option(option)
        kwargs[key] = value
    return JobScript(body, name, **kwargs)


def _cmd_backends() -> int:
    from clusterjob.backends import known_backends

    for name, backend in sorted(known_backends().items()):
        cls = type(backend)
        print(f"{name:10s} {cls.__module__}.{cls.__qualname__}  (extension {backend.extension!r})")
    return EXIT_OK


def _cmd_render(args: argparse.Namespace) -> int:
    sys.stdout.write(_jobscript_from_args(args).render())
    return EXIT_OK


def _cmd_submit(args: argparse.Namespace) -> int:
    job = _jobscript_from_args(args)
    if args.cache_folder:
        job.cache_folder = args.cache_folder
    if args.cache_id and not job.cache_folder:
        raise ClusterjobError(
            "--cache-id needs --cache-folder (or cache_folder in the settings file)"
        )
    result = job.submit(cache_id=args.cache_id, force=args.force)
    print(result.job_id)
    if result.cache_file:
        print(f"cache: {result.cache_file}", file=sys.stderr)
    if args.wait:
        code = result.get()
        print(str_status(code), file=sys.stderr)
        return EXIT_OK if code == 0 else EXIT_FAILURE
    return EXIT_OK


def _result_from_args(args: argparse.Namespace) -> Any:
    from clusterjob.result import AsyncResult

    if args.cache_file and args.job_id:
        raise ClusterjobError("give either a cache file or --job-id, not both")
    if args.cache_file:
        return AsyncResult.load(args.cache_file)
    if not args.job_id or not args.backend:
        raise ClusterjobError("give a cache file, or --job-id together with --backend")
    from clusterjob.backends import get_backend
    from clusterjob.runners import runner_for

    return AsyncResult(get_backend(args.backend), args.job_id, runner_for(args.remote))


EXIT_UNKNOWN = 3
"""`clusterjob status`: the scheduler has never reported a state for the run (it prints UNKNOWN)."""


def _cmd_status(args: argparse.Namespace) -> int:
    """Print the run's status word. Exit 0: a state the scheduler reported; 3 (EXIT_UNKNOWN): it never
    reported one (an id it does not know); 1: the run is lost; 2: the backend cannot read its answers."""
    from clusterjob.errors import SchedulerMismatchError
    from clusterjob.status import UNKNOWN

    paths: list[str] = list(args.cache_files)
    if len(paths) > 1 or (paths and Path(paths[0]).is_dir()):
        if args.job_id:
            raise ClusterjobError("give either cache files or --job-id, not both")
        from clusterjob.status_report import report_statuses

        return EXIT_OK if report_statuses(paths, sys.stdout) else EXIT_FAILURE
    args.cache_file = paths[0] if paths else None
    result = _result_from_args(args)
    status = result.status
    try:
        result.raise_if_mismatched()
    except SchedulerMismatchError as exc:
        print(f"clusterjob: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(str_status(status))
    result.raise_if_lost()  # a cached run the scheduler stopped knowing: exit 1 with the reason
    unread = result.last_unreadable
    if unread is not None:
        print(
            f"clusterjob: note: the {result.backend!r} backend could not read the scheduler's answer "
            f"about job {result.job_id}: {unread.stdout.strip()[:200]!r}; is the scheduler the one "
            "this backend is for?",
            file=sys.stderr,
        )
    elif result.unknown_count and status != UNKNOWN:
        print(
            f"clusterjob: note: the scheduler did not report job {result.job_id} just now "
            f"({result.unknown_count} poll(s) in a row); {str_status(status)} is its last known state",
            file=sys.stderr,
        )
    return EXIT_UNKNOWN if status == UNKNOWN else EXIT_OK


def _cmd_cancel(args: argparse.Namespace) -> int:
    result = _result_from_args(args)
    result.cancel()
    print(str_status(result.status))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `clusterjob` command; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "sim":
        from clusterjob_sim.cli import main as sim_main

        return int(sim_main(args_list[1:]))
    if args_list and args_list[0] == "check":
        from clusterjob.testing.check import main as check_main

        return int(check_main(args_list[1:]))
    args = build_parser().parse_args(args_list)
    handlers = {
        "backends": lambda: _cmd_backends(),
        "render": lambda: _cmd_render(args),
        "submit": lambda: _cmd_submit(args),
        "status": lambda: _cmd_status(args),
        "cancel": lambda: _cmd_cancel(args),
    }
    try:
        return handlers[args.command]()
    except (InvalidResourceError, UnknownBackendError, ResourcesNotSupportedError) as exc:
        print(f"clusterjob: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ClusterjobError as exc:
        print(f"clusterjob: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

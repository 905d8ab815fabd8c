"""The `clusterjob` command: list backends, render/submit a job script, follow or cancel a run,
drive the simulated schedulers (`sim`) and run the conformance suite (`check`)."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clusterjob.backends import ResourcesNotSupportedError
from clusterjob.errors import (
    ClusterjobError,
    InvalidResourceError,
    SchedulerMismatchError,
    SettingsError,
    UnknownBackendError,
)
from clusterjob.status import COMPLETED, str_status

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
  clusterjob wait ~/.cache/runs/clusterjob.sim1.json    # until it ends; exit 0 if it completed
  clusterjob cancel ~/.cache/runs/clusterjob.sim1.json
  clusterjob sim run slurm -- clusterjob submit job.sh --backend slurm --name demo --wait
  clusterjob check --all
  clusterjob completion bash > ~/.local/share/bash-completion/completions/clusterjob

Resource values: --time takes seconds or [D-]HH:MM:SS, MM:SS, '2h', '90m'; --mem takes MB or a unit
('4G', '512M'); any scheduler option the common keys do not cover goes through --option KEY=VALUE
(one-letter keys become '-k value', longer ones '--key=value' in the scheduler's own form).
Site defaults come from --settings FILE (TOML: [attributes] and [resources] tables; or the original
INI form); precedence: built-in < settings file < command line.
"""

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(ClusterjobError):
    """The command line asks for something impossible (exit 2, one line)."""


class _Interrupted(Exception):
    """Ctrl-C after (or during) a submission; the message says what became of the job and how to
    follow or cancel it."""


USER_ERRORS = (
    UsageError,
    InvalidResourceError,
    UnknownBackendError,
    ResourcesNotSupportedError,
    SettingsError,
    SchedulerMismatchError,
)
"""What a user got wrong on the command line (SchedulerMismatchError: a backend for another scheduler than
the one answering): one line on stderr and exit 2."""


def _seconds(text: str) -> float:
    """argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


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
        help="wait until the job has finished (on a terminal: its state and the time elapsed); "
        "exit 0 only if it completed",
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
    status.add_argument(
        "--wait",
        action="store_true",
        help="one run: wait until it has finished, as `clusterjob wait`",
    )
    wait = commands.add_parser(
        "wait",
        help="wait until a run has finished; prints its final status",
        description="Follow one run (a cache file, or --job-id with --backend) until it has finished, "
        "showing its state and the time elapsed on a terminal; print the final status. Exit 0 if it "
        "completed, 1 if it failed, was cancelled, is lost or --timeout passed, 130 on Ctrl-C (which "
        "does not cancel the job; the commands to follow or cancel it are printed).",
    )
    _add_run_options(wait)
    wait.add_argument(
        "--timeout", type=_seconds, metavar="SECONDS", help="give up waiting after this long"
    )
    cancel = commands.add_parser("cancel", help="cancel a run")
    _add_run_options(cancel)

    commands.add_parser(
        "sim", help="simulated schedulers: `clusterjob sim env|run SCHEDULER ...`", add_help=False
    )
    commands.add_parser(
        "check", help="conformance suite: `clusterjob check BACKEND|--all ...`", add_help=False
    )
    completion = commands.add_parser(
        "completion",
        help="print a shell completion script: `clusterjob completion bash|zsh`",
        description="Print a completion script for the clusterjob command. bash: source it, or save "
        "it as ~/.local/share/bash-completion/completions/clusterjob; zsh: put "
        "`source <(clusterjob completion zsh)` in ~/.zshrc.",
    )
    completion.add_argument("shell", choices=("bash", "zsh"))
    return parser


def _read_body(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read the body file {path!r}: {exc.strerror}") from exc


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
        raise UsageError("--cache-id needs --cache-folder (or cache_folder in the settings file)")
    try:
        result = job.submit(cache_id=args.cache_id, force=args.force)
    except KeyboardInterrupt:
        again = " (submitting again with the same --cache-id recovers it)" if args.cache_id else ""
        raise _Interrupted(
            "clusterjob: interrupted during the submission: the job may or may not have reached "
            f"the scheduler; look for it in the scheduler's queue{again}\n"
        ) from None
    try:
        print(result.job_id, flush=True)
        if result.from_cache:
            print(
                f"cached run returned, nothing submitted: job {result.job_id} was submitted "
                f"earlier under cache id {args.cache_id!r} (--force submits again); cache: "
                f"{result.cache_file}",
                file=sys.stderr,
            )
        elif result.cache_file:
            print(f"cache: {result.cache_file}", file=sys.stderr)
        if not args.wait:
            return EXIT_OK
        code = _wait_for(result)
    except KeyboardInterrupt:
        from clusterjob.progress import interrupted_message

        _ignore_interrupts()
        raise _Interrupted(interrupted_message(result)) from None
    print(str_status(code), file=sys.stderr)
    return EXIT_OK if code == COMPLETED else EXIT_FAILURE


def _wait_for(result: Any, timeout: float | None = None) -> int:
    """Wait for `result` showing its state on a terminal; its final status. Ctrl-C: _Interrupted with
    the commands to follow or cancel the run, which keeps going."""
    from clusterjob.progress import interrupted_message, wait_with_progress

    try:
        return wait_with_progress(result, sys.stderr, timeout)
    except KeyboardInterrupt:
        _ignore_interrupts()
        raise _Interrupted(interrupted_message(result)) from None
    except TimeoutError as exc:
        raise ClusterjobError(str(exc)) from None


def _ignore_interrupts() -> None:
    """After a first Ctrl-C: a second one (or the same one passed on by a wrapper such as `sim run`)
    must not cut the message that tells how to follow the job."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _cmd_wait(args: argparse.Namespace) -> int:
    result = _result_from_args(args)
    code = _wait_for(result, getattr(args, "timeout", None))
    print(str_status(code))
    return EXIT_OK if code == COMPLETED else EXIT_FAILURE


def _result_from_args(args: argparse.Namespace) -> Any:
    from clusterjob.result import AsyncResult

    if args.cache_file and args.job_id:
        raise UsageError("give either a cache file or --job-id, not both")
    if args.cache_file:
        if not Path(args.cache_file).is_file():
            what = (
                "is a folder, not a cache file"
                if Path(args.cache_file).is_dir()
                else "no such file"
            )
            raise UsageError(f"cache file {args.cache_file!r}: {what}")
        return AsyncResult.load(args.cache_file)
    if not args.job_id or not args.backend:
        raise UsageError("give a cache file, or --job-id together with --backend")
    from clusterjob.backends import get_backend
    from clusterjob.runners import runner_for

    try:
        runner = runner_for(args.remote)
    except ValueError as exc:
        raise UsageError(f"--remote: {exc}") from None
    return AsyncResult(get_backend(args.backend), args.job_id, runner)


EXIT_UNKNOWN = 3
"""`clusterjob status`: the scheduler has never reported a state for the run (it prints UNKNOWN)."""


def _cmd_status(args: argparse.Namespace) -> int:
    """Print the run's status word. Exit 0: a state the scheduler reported; 3 (EXIT_UNKNOWN): it never
    reported one (an id it does not know); 1: the run is lost; 2: the backend cannot read its answers."""
    from clusterjob.status import UNKNOWN

    paths: list[str] = list(args.cache_files)
    if len(paths) > 1 or (paths and Path(paths[0]).is_dir()):
        if args.job_id:
            raise UsageError("give either cache files or --job-id, not both")
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
    if args.command == "status" and args.wait:
        if len(args.cache_files) > 1 or (args.cache_files and Path(args.cache_files[0]).is_dir()):
            print("clusterjob: error: status --wait follows one run", file=sys.stderr)
            return EXIT_USAGE
        args.cache_file = args.cache_files[0] if args.cache_files else None
        args.command = "wait"
    handlers = {
        "backends": lambda: _cmd_backends(),
        "render": lambda: _cmd_render(args),
        "submit": lambda: _cmd_submit(args),
        "status": lambda: _cmd_status(args),
        "wait": lambda: _cmd_wait(args),
        "cancel": lambda: _cmd_cancel(args),
        "completion": lambda: _cmd_completion(args),
    }
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return handlers[args.command]()
    except USER_ERRORS as exc:
        print(f"clusterjob: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ClusterjobError as exc:
        print(f"clusterjob: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except _Interrupted as exc:
        sys.stderr.write(str(exc))
        import signal

        signal.signal(signal.SIGINT, signal.default_int_handler)  # as it was (main() in-process)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("\nclusterjob: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`| head`): quietly, as a shell tool does
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13  # SIGPIPE
    except OSError as exc:  # a file or folder the user named: unwritable, missing, not a folder
        print(f"clusterjob: error: {_os_error_line(exc)}", file=sys.stderr)
        return EXIT_USAGE


def _os_error_line(exc: OSError) -> str:
    """An OSError as one line naming the file or folder (a temporary file: its folder)."""
    name = exc.filename
    why = exc.strerror or str(exc)
    if not name:
        return why
    name = str(name)
    base = Path(name).name
    if base.startswith(".") and base.endswith(".tmp"):  # written atomically through a temporary
        return f"cannot write in the folder {str(Path(name).parent)!r}: {why}"
    return f"cannot use {name!r}: {why}"


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Warnings of the library as one line on stderr (no source file and line: this is a command)."""
    print(f"clusterjob: warning: {message}", file=sys.stderr)


def _cmd_completion(args: argparse.Namespace) -> int:
    from clusterjob.completion import completion_script

    sys.stdout.write(completion_script(args.shell, build_parser()))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

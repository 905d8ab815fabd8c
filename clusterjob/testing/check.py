"""``clusterjob check``: run the conformance suite against a backend (or every reference backend) on its
simulated scheduler and print a table of checks, with the first failing example of each failed check.

    clusterjob check mypkg.backends:MyBackend --scheduler slurm [--capabilities mypkg.caps:CAPS]
    clusterjob check slurm                 # a registered backend (reference backends know their scheduler)
    clusterjob check --all --profile ci    # slurm, pbs, pbspro, lsf, sge
    clusterjob check slurm --real          # against the real Slurm on PATH (no simulated cluster)
    clusterjob check --all --real          # every reference backend whose real scheduler answers here
    clusterjob check sge --real --workdir /shared/cj --submit-host login1   # commands are ssh wrappers

Each backend runs in its own ``python -m pytest`` process (isolated from the caller's pytest configuration
and plugins), several at once; exit status 0 when nothing failed, 1 when a check failed, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

__all__ = ["CheckRun", "main", "preflight", "print_progress", "print_report", "run_checks"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_SHORT = {"passed": "pass", "failed": "FAIL", "error": "ERROR", "skipped": "skip"}


@dataclass
class CheckRun:
    """One backend's run of the suite: what was asked, the per-check results, and how it went."""

    label: str
    backend: str
    scheduler: str | None = None
    capabilities: str | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    collection_errors: list[str] = field(default_factory=list)
    returncode: int | None = None
    seconds: float = 0.0
    log: str = ""
    real: bool = False
    """Against the real scheduler on PATH (``--real``)."""
    skipped: str = ""
    """Why the suite did not run at all for this backend (e.g. its real scheduler does not answer here)."""

    @property
    def failed(self) -> bool:
        """Whether any check failed or errored, or the run itself broke."""
        if self.skipped:
            return False
        if self.collection_errors or not self.results:
            return True
        if any(r["outcome"] in ("failed", "error") for r in self.results):
            return True
        return self.returncode not in (0, 5)

    def outcome(self, check: str) -> str:
        """The short outcome of `check` in this run ('' if it did not run)."""
        if self.skipped:
            return _SHORT["skipped"]
        outcomes = [r["outcome"] for r in self.results if r["check"] == check]
        for worst in ("error", "failed", "passed", "skipped"):
            if worst in outcomes:
                return _SHORT[worst]
        return ""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clusterjob check",
        description="Run the clusterjob conformance suite against a backend on a simulated scheduler.",
        epilog="Arguments after '--' go to pytest (e.g. -- -k round_trip -x).",
    )
    parser.add_argument(
        "backend",
        nargs="?",
        help="MODULE:ATTR of a ClusterjobBackend subclass, instance or factory; or a registered name",
    )
    parser.add_argument(
        "--all", action="store_true", help="every reference backend on its simulator"
    )
    parser.add_argument(
        "--scheduler",
        help="simulated scheduler: slurm, pbs (Torque; 'torque' works too), pbspro, lsf, sge",
    )
    parser.add_argument("--capabilities", metavar="MODULE:ATTR", help="a Capabilities object")
    parser.add_argument(
        "--profile",
        default=None,
        help="clusterjob-default (quick), clusterjob-ci (derandomized), clusterjob-thorough; "
        "short names default/ci/thorough work too",
    )
    parser.add_argument(
        "--real",
        action="store_true",
        help="run the end-to-end checks against the REAL scheduler on PATH, not a simulated cluster "
        "(with --all: every reference backend whose real scheduler answers here; the others skip)",
    )
    parser.add_argument(
        "--workdir",
        metavar="PATH",
        help="with --real: folder for the jobs' files, seen by the compute nodes (default: a temporary "
        "folder of this machine)",
    )
    parser.add_argument(
        "--submit-host",
        metavar="HOST",
        help="with --real: the host where the scheduler's commands really run, when those on PATH are "
        "wrappers that run them elsewhere (ssh to a login node or a container); jobs must report it as "
        "their submit host (default: this machine)",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="backends checked at once (default: CPU count)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print pytest's whole output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``clusterjob check``; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    pytest_args: list[str] = []
    if "--" in args_list:
        cut = args_list.index("--")
        args_list, pytest_args = args_list[:cut], args_list[cut + 1 :]
    parser = _parser()
    missing = [name for name in ("pytest", "hypothesis") if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"clusterjob check needs {' and '.join(missing)}: pip install 'clusterjob[test]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    from clusterjob.testing.profiles import resolve_profile_name

    try:
        profile = resolve_profile_name(args.profile)
    except ValueError as exc:
        print(f"clusterjob check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.all == bool(args.backend):
        print("clusterjob check: give a BACKEND or --all (not both)", file=sys.stderr)
        return EXIT_USAGE
    for given, option in ((args.workdir, "--workdir"), (args.submit_host, "--submit-host")):
        if given and not args.real:
            print(f"clusterjob check: {option} goes with --real", file=sys.stderr)
            return EXIT_USAGE
    if args.all:
        from clusterjob.testing.real import probe
        from clusterjob.testing.reference import REFERENCE_TARGETS

        runs = [CheckRun(label=name, backend=name, real=args.real) for name in REFERENCE_TARGETS]
        if args.real:
            for run in runs:
                run.skipped = probe(REFERENCE_TARGETS[run.backend].scheduler)
    else:
        problem = preflight(args.backend, args.scheduler, args.capabilities, real=args.real)
        if problem:
            print(f"clusterjob check: {problem}", file=sys.stderr)
            return EXIT_USAGE
        label = args.backend.rsplit(":", 1)[-1]
        runs = [CheckRun(label, args.backend, args.scheduler, args.capabilities, real=args.real)]
    started = time.monotonic()
    where = "real schedulers on PATH" if args.real else "simulated schedulers"
    print(
        f"clusterjob check: {', '.join(run.label for run in runs)} on {where}, profile {profile}; "
        "one line per check as it finishes",
        flush=True,
    )
    for run in runs:
        if run.skipped:
            print(f"{run.label:<8} skip  (whole suite): {run.skipped}", flush=True)
    try:
        run_checks(
            runs,
            profile,
            pytest_args,
            jobs=args.jobs,
            workdir=args.workdir,
            submit_host=args.submit_host,
            on_result=print_progress(sys.stdout),
        )
    except KeyboardInterrupt:
        print("clusterjob check: interrupted; no summary", file=sys.stderr)
        return 130
    print(flush=True)
    print_report(runs, profile, time.monotonic() - started, sys.stdout, verbose=args.verbose)
    if runs and all(run.skipped for run in runs):
        print(
            "clusterjob check: no real scheduler answers here; nothing was checked", file=sys.stderr
        )
        return EXIT_USAGE
    return EXIT_FAILED if any(run.failed for run in runs) else EXIT_OK


def preflight(
    backend: str, scheduler: str | None, capabilities: str | None, real: bool = False
) -> str:
    """Why the suite cannot run for these options ('' if it can): import the backend and capabilities,
    and check the scheduler name (with `real`: that the real scheduler answers on PATH), here and now
    rather than in a pytest process."""
    from clusterjob.testing.plugin import Target
    from clusterjob.testing.real import probe
    from clusterjob.testing.rules import rules_for

    target = Target(backend, scheduler, capabilities, real=real)
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as the pytest process will have it
    try:
        target.load_backend()
        rules_for(target.scheduler_name())
        target.load_capabilities()
    except Exception as exc:  # any failure is reported, in one line
        return f"{type(exc).__name__}: {exc}"
    if real:
        problem = probe(target.scheduler_name())
        if problem:
            return (
                f"--real: {problem} (start the scheduler, or drop --real to check against its "
                "simulator)"
            )
    return ""


def _pytest_argv(
    run: CheckRun,
    profile: str,
    report: Path,
    ini: Path,
    extra: Sequence[str],
    workdir: str | None = None,
    submit_host: str | None = None,
) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "--pyargs",
        "clusterjob.testing.target",
        "-p",
        "clusterjob.testing.plugin",
        "-p",
        "no:cacheprovider",
        "-c",
        str(ini),
        "--rootdir",
        str(ini.parent),
        "-q",
        "--cj-backend",
        run.backend,
        "--cj-profile",
        profile,
        "--cj-report",
        str(report),
    ]
    if run.scheduler:
        argv += ["--cj-scheduler", run.scheduler]
    if run.capabilities:
        argv += ["--cj-capabilities", run.capabilities]
    if run.real:
        argv.append("--cj-real")
        if workdir:
            argv += ["--cj-workdir", str(Path(workdir).absolute())]
        if submit_host:
            argv += ["--cj-submit-host", submit_host]
    return argv + list(extra)


def run_checks(
    runs: Sequence[CheckRun],
    profile: str,
    pytest_args: Sequence[str] = (),
    jobs: int | None = None,
    workdir: str | None = None,
    submit_host: str | None = None,
    on_result: Callable[[CheckRun, dict[str, Any]], None] | None = None,
) -> None:
    """Run the suite for each of `runs` (several at once; those `skipped` not at all), filling in their
    results. `on_result(run, entry)` is called (from a worker thread) as each check finishes."""
    workers = max(1, jobs or os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="clusterjob-check-") as folder:
        base = Path(folder)
        ini = base / "pytest.ini"
        ini.write_text("[pytest]\naddopts =\n", encoding="utf-8")

        def one(index_run: tuple[int, CheckRun]) -> None:
            index, run = index_run
            if run.skipped:
                return
            report = base / f"report-{index}.json"
            env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
            if profile == "clusterjob-ci":
                env["PYTHONHASHSEED"] = (
                    "0"  # some strategies iterate over sets: same examples each run
                )
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (os.getcwd(), env.get("PYTHONPATH", "")) if p
            )
            events = base / f"events-{index}.jsonl"
            argv = _pytest_argv(run, profile, report, ini, pytest_args, workdir, submit_host)
            argv += ["--cj-events", str(events)]
            start = time.monotonic()
            with tempfile.TemporaryFile(dir=base) as out, tempfile.TemporaryFile(dir=base) as err:
                proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
                _follow_events(proc, events, lambda entry: on_result and on_result(run, entry))
                run.seconds = time.monotonic() - start
                run.returncode = proc.returncode
                out.seek(0)
                err.seek(0)
                run.log = (out.read() + err.read()).decode("utf-8", errors="replace")
            if report.exists():
                data = json.loads(report.read_text(encoding="utf-8"))
                run.results = list(data.get("results", []))
                run.collection_errors = list(data.get("collection_errors", []))

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, enumerate(runs)))


def _follow_events(
    proc: subprocess.Popen[bytes], events: Path, emit: Callable[[dict[str, Any]], object]
) -> None:
    """Until `proc` ends, pass each complete JSON line appended to `events` to `emit`."""
    done = 0
    while True:
        finished = proc.poll() is not None
        try:
            data = events.read_bytes()
        except FileNotFoundError:
            data = b""
        end = data.rfind(b"\n") + 1
        for line in data[done:end].splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                emit(entry)
        done = end
        if finished:
            return
        try:
            proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass


def print_progress(out: TextIO) -> Callable[[CheckRun, dict[str, Any]], None]:
    """A result callback for run_checks printing one line per finished check (thread-safe):
    backend, outcome, check and its parameters, and why it was skipped or how it failed."""
    lock = threading.Lock()

    def show(run: CheckRun, entry: dict[str, Any]) -> None:
        short = _SHORT.get(str(entry.get("outcome")), str(entry.get("outcome")))
        nodeid = str(entry.get("nodeid", ""))
        params = nodeid[nodeid.index("[") :] if "[" in nodeid else ""
        line = f"{run.label:<8} {short:<5} {entry.get('check', '?')}{params}"
        why = entry.get("reason") if short == "skip" else entry.get("summary")
        if why:
            line += f": {str(why).strip().splitlines()[0]}"
        with lock:
            out.write(line + "\n")
            out.flush()

    return show


def print_report(
    runs: Sequence[CheckRun], profile: str, seconds: float, out: TextIO, verbose: bool = False
) -> None:
    """The table of checks (rows) by backend (columns), then the first failure of each failed check."""
    checks: list[str] = []
    for run in runs:
        for result in run.results:
            if result["check"] not in checks:
                checks.append(result["check"])
    width = max([len(c) for c in checks] + [len("check")]) + 2
    columns = [max(len(run.label), 6) + 2 for run in runs]
    where = (
        "against the real schedulers on PATH"
        if any(run.real for run in runs)
        else "on simulated schedulers"
    )
    out.write(f"clusterjob conformance suite, profile {profile}, {where}\n\n")
    out.write(
        "check".ljust(width) + "".join(r.label.ljust(w) for r, w in zip(runs, columns, strict=True))
    )
    out.write("\n" + "-" * (width + sum(columns)) + "\n")
    for check in checks:
        cells = "".join(run.outcome(check).ljust(w) for run, w in zip(runs, columns, strict=True))
        out.write(check.ljust(width) + cells + "\n")
    out.write("-" * (width + sum(columns)) + "\n")
    times = "".join(f"{run.seconds:.0f}s".ljust(w) for run, w in zip(runs, columns, strict=True))
    out.write("time".ljust(width) + times + "\n\n")
    for run in runs:
        _print_failures(run, out, verbose)
    failed = [run.label for run in runs if run.failed]
    total = f"{seconds:.0f} s"
    if failed:
        out.write(f"FAILED: {', '.join(failed)} ({total})\n")
    else:
        out.write(f"all checks passed ({total})\n")


def _print_failures(run: CheckRun, out: TextIO, verbose: bool) -> None:
    if run.skipped:
        out.write(f"-- {run.label}: skipped: {run.skipped}\n")
        return
    if run.collection_errors:
        out.write(f"== {run.label}: the suite could not be set up\n")
        from clusterjob.testing.plugin import failure_summary

        for error in run.collection_errors:
            out.write(_indent(failure_summary(error)) + "\n")
    elif not run.results:
        out.write(f"== {run.label}: pytest ran no checks (exit code {run.returncode})\n")
        out.write(_indent(run.log.strip()[-3000:]) + "\n")
    for result in run.results:
        if result["outcome"] not in ("failed", "error"):
            continue
        out.write(f"== {run.label}: {result['check']} {result['outcome'].upper()}\n")
        if result.get("summary"):
            out.write(_indent(str(result["summary"])) + "\n")
        if result.get("falsifying"):
            out.write(_indent(str(result["falsifying"])) + "\n")
        out.write("\n")
    skipped = [r for r in run.results if r["outcome"] == "skipped" and r.get("reason")]
    if skipped:  # say what could not be checked, and why
        for result in skipped:
            out.write(f"-- {run.label}: {result['check']} skipped: {result['reason']}\n")
    if verbose:
        out.write(f"-- {run.label}: pytest output\n{run.log}\n")


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

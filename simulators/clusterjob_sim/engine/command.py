"""Running one fake command: the Context a scheduler module's command function gets, and fault handling.

The generated bin scripts call run_command(spool, name); so do activate.run_with and the pytest fixture.
"""

from __future__ import annotations

import io
import os
import sys
import time

from clusterjob_sim.engine import spool as _spool

RECORD_ENV = (
    "CLUSTERJOB_SIM_RECORD"  # a file: every command's argv, answers and exit code as JSON lines
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any, TextIO

    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job


class Context:
    """What a command function sees: argv, stdin, buffered out/err, the spool's config and engine."""

    def __init__(
        self,
        spool: str,
        command: str,
        argv: list[str],
        config: dict[str, Any],
        stdin: TextIO | None = None,
    ) -> None:
        self.spool = spool
        self.command = command  # e.g. "sbatch"
        self.argv = argv  # arguments after the program name
        self.config = config
        self.stdin = stdin if stdin is not None else sys.stdin
        self.out = io.StringIO()  # write answers here, never to sys.stdout (faults may alter them)
        self.err = io.StringIO()
        self.environ = dict(os.environ)
        self.cwd = os.getcwd()
        self.submitted: list[
            Job
        ] = []  # filled by submit(); lost_job/lost_answer faults act on these
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """The spool's engine, opened and ticked on first use (so answers reflect finished jobs)."""
        if self._engine is None:
            from clusterjob_sim.engine.core import Engine

            self._engine = Engine(self.spool, self.config)
            self._engine.tick()
        return self._engine

    def submit(self, spec: dict[str, Any], **kwargs: Any) -> list[Job]:
        """Engine.submit, remembering the records so submission faults can act on them."""
        jobs = self.engine.submit(spec, **kwargs)
        self.submitted.extend(jobs)
        return jobs

    def print(self, *args: object) -> None:
        """print() to the command's stdout buffer."""
        print(*args, file=self.out)

    def eprint(self, *args: object) -> None:
        """print() to the command's stderr buffer."""
        print(*args, file=self.err)


def resolve(target: str) -> Any:
    """Import 'package.module:function' and return the function."""
    from clusterjob_sim.engine.jobs import import_module

    mod, _, attr = target.partition(":")
    return getattr(import_module(mod), attr)


def run_command(
    spool: str | os.PathLike[str],
    command: str,
    argv: list[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the simulated `command` against `spool` as its bin script would; return its exit code."""
    from clusterjob_sim.engine.jobs import load_module

    spool = os.fspath(spool)
    config = _spool.load_config(spool)
    module = load_module(config)
    func = resolve(module.COMMANDS[command])
    ctx = Context(spool, command, list(sys.argv[1:] if argv is None else argv), config, stdin)
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    rc = _run_with_faults(ctx, module, func) if config.get("faults") else int(func(ctx))
    out.write(ctx.out.getvalue())
    err.write(ctx.err.getvalue())
    record = os.environ.get(RECORD_ENV)
    if record:
        _record(record, ctx, rc)
    out.flush()
    err.flush()
    if ctx._engine is not None:
        ctx._engine.close()
    return rc


def _record(path: str, ctx: Context, rc: int) -> None:
    """Append one JSON line (the test or caller, command, argv, stdout, stderr, exit code) to `path`."""
    line = _spool.json_dumps(
        {
            "caller": os.environ.get("PYTEST_CURRENT_TEST", ""),
            "command": ctx.command,
            "argv": ctx.argv,
            "stdout": ctx.out.getvalue(),
            "stderr": ctx.err.getvalue(),
            "rc": rc,
        }
    )
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def _message(
    table: dict[str, tuple[str, int]], command: str, rule: dict[str, Any]
) -> tuple[str, int]:
    """The scheduler's text and exit code for a fault, with the rule's own overrides."""
    text, code = table.get(command) or table.get("*") or (f"{command}: error\n", 1)
    text = rule.get("message", text).replace("{cmd}", command)
    if text and not text.endswith("\n"):
        text += "\n"
    return text, int(rule.get("exit_code", code))


def _run_with_faults(ctx: Context, module: Any, func: Any) -> int:
    """Run a command under the spool's fault rules (see faults.py)."""
    from clusterjob_sim.engine import faults

    engine = ctx.engine
    for rule, _ in faults.fire(engine, ctx.command, faults.BEFORE):
        if rule["kind"] == "slow":
            time.sleep(float(rule.get("seconds", 1.0)))
        else:  # transient: the command fails without doing anything
            text, code = _message(getattr(module, "TRANSIENT_ERRORS", {}), ctx.command, rule)
            ctx.err.write(text)
            return code
    rc = int(func(ctx))
    submit_kinds = ("lost_job", "lost_answer")

    def applicable(rule: dict[str, Any]) -> bool:
        if rule["kind"] in submit_kinds:
            return bool(ctx.submitted)
        if rule["kind"] in ("node_fail", "oom"):
            return bool(engine.jobs(states=("RUNNING",)))
        return True

    for rule, rng in faults.fire(engine, ctx.command, faults.AFTER, applicable):
        kind = rule["kind"]
        if kind == "lost_job":
            engine.lose(ctx.submitted)
        elif kind == "lost_answer":
            text, rc = _message(getattr(module, "LOST_ANSWER", {}), ctx.command, rule)
            ctx.out = io.StringIO()
            ctx.err = io.StringIO(text)
            ctx.err.seek(0, io.SEEK_END)
        elif kind in ("node_fail", "oom"):
            _fail_jobs(engine, rule)
        elif kind == "garbage":
            ctx.out = io.StringIO(faults.garble(ctx.out.getvalue(), rng))
        elif kind == "truncated":
            ctx.out = io.StringIO(faults.truncate(ctx.out.getvalue(), rng))
    return rc


def _fail_jobs(engine: Engine, rule: dict[str, Any]) -> None:
    """node_fail: every running job on one node ends NODE_FAIL; oom: the oldest running job, OUT_OF_MEMORY."""
    from clusterjob_sim.engine.jobs import NODE_FAIL, OUT_OF_MEMORY

    running = engine.jobs(states=("RUNNING",))
    if rule["kind"] == "oom":
        engine.fail(running[:1], OUT_OF_MEMORY)
        return
    node = rule.get("node") or running[0].node_names[0]
    engine.fail([j for j in running if node in j.node_names], NODE_FAIL)

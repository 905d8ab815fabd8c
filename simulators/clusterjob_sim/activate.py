"""Putting a simulated scheduler on PATH for one process tree, never by installation.

create_spool() writes config.json, the database and <spool>/bin/<command> scripts (shebang: this interpreter,
-I -S, stdlib only); env_lines() prints the exports; run_with() runs a command with them.
"""

from __future__ import annotations

import copy
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from clusterjob_sim.engine import spool as _spool
from clusterjob_sim.engine.jobs import package_of, scheduler_name
from clusterjob_sim.engine.processes import package_parent

BIN_TEMPLATE = """{shebang}
# The simulated {scheduler} `{command}` of the clusterjob_sim spool {spool}; generated, do not edit.
import gc
gc.disable()  # a command lives for milliseconds: collecting cycles would cost more than it frees
import sys
sys.path.insert(0, {parent!r})
from clusterjob_sim.engine.command import run_command
sys.exit(run_command({spool!r}, {command!r}))
"""
# When the interpreter path cannot sit in a shebang (spaces, too long): a sh/python polyglot.
POLYGLOT = "#!/bin/sh\n''''exec {python} -I -S \"$0\" \"$@\" #'''"


def scheduler_module(scheduler: str, module: str | None = None) -> Any:
    """Import a scheduler's package by scheduler name (see engine.jobs.SCHEDULER_PACKAGES) or module path."""
    import importlib

    return importlib.import_module(module or package_of(scheduler))


def create_spool(path: str | os.PathLike[str], scheduler: str, **config_overrides: Any) -> Path:
    """Create (or refresh) a spool for `scheduler`: config.json, jobs.db, bin/ scripts; return its path.

    Overrides replace top-level config keys (e.g. nodes=2, cores_per_node=4, faults=[...]); an existing
    spool keeps its jobs and the config values not overridden.
    """
    scheduler = scheduler_name(scheduler)
    spool = Path(path).absolute()
    for sub in ("bin", "locks", "scripts"):
        (spool / sub).mkdir(parents=True, exist_ok=True)
    module = scheduler_module(scheduler, config_overrides.get("module"))
    try:
        cfg = _spool.load_config(spool)
    except FileNotFoundError:
        cfg = copy.deepcopy(_spool.BASE_CONFIG)
        cfg.update(copy.deepcopy(getattr(module, "DEFAULT_CONFIG", {})))
    cfg.update(config_overrides)
    cfg["scheduler"] = scheduler
    _spool.write_config(spool, cfg)
    _spool.connect(spool).close()
    write_bin_scripts(spool, scheduler, module)
    write_site_files(spool, module, cfg)
    return spool


def write_site_files(spool: Path, module: Any, config: dict[str, Any]) -> None:
    """The files a scheduler's clients read besides its commands (LSF: lsf.conf), from the config: the
    package's optional hook spool_files(spool, config). Called again whenever the config changes."""
    hook = getattr(module, "spool_files", None)
    if hook is not None:
        hook(str(spool), config)


def site_env(scheduler: str, spool: str | os.PathLike[str]) -> dict[str, str]:
    """The variables a shell of the cluster has besides PATH (LSF: LSF_ENVDIR): the package's optional
    hook activate_env(spool, config)."""
    spool = Path(spool).absolute()
    hook = getattr(scheduler_module(scheduler), "activate_env", None)
    if hook is None:
        return {}
    try:
        config = _spool.load_config(spool)
    except FileNotFoundError:
        config = {}
    return dict(hook(str(spool), config))


def write_bin_scripts(spool: Path, scheduler: str, module: Any) -> list[Path]:
    """Write one executable per command of the scheduler module into <spool>/bin, and the node commands
    (hostname, ssh: engine.nodes) into <spool>/nodebin."""
    from clusterjob_sim.engine import nodes

    python = sys.executable
    shebang = f"#!{python} -IS"
    if " " in python or len(shebang) > 120:
        shebang = POLYGLOT.format(python=shlex.quote(python))
    fields = {
        "shebang": shebang,
        "scheduler": scheduler,
        "spool": str(spool),
        "parent": package_parent(),
    }
    written = [
        _write_script(bin_dir(spool) / command, BIN_TEMPLATE.format(command=command, **fields))
        for command in module.COMMANDS
    ]
    node_bin = Path(nodes.nodebin(str(spool)))
    node_bin.mkdir(exist_ok=True)
    written += [
        _write_script(node_bin / command, nodes.NODE_SCRIPT.format(command=command, **fields))
        for command in nodes.COMMANDS
    ]
    return written


def _write_script(target: Path, text: str) -> Path:
    """Replace an executable script atomically (a running command never reads half a file)."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o755)
    os.replace(tmp, target)
    return target


def bin_dir(spool: str | os.PathLike[str]) -> Path:
    """The folder to put first on PATH to use the spool's fake commands."""
    return Path(spool).absolute() / "bin"


def env_vars(scheduler: str, spool: str | os.PathLike[str]) -> dict[str, str]:
    """The variables that activate a spool (PATH is the new value, given the current $PATH)."""
    scheduler = scheduler_name(scheduler)
    path = os.environ.get("PATH", "")
    return {
        _spool.SPOOL_ENV: str(Path(spool).absolute()),
        "CLUSTERJOB_SIM_SCHEDULER": scheduler,
        **site_env(scheduler, spool),
        "PATH": f"{bin_dir(spool)}{os.pathsep}{path}" if path else str(bin_dir(spool)),
    }


def env_lines(scheduler: str, spool: str | os.PathLike[str]) -> str:
    """Shell export lines activating a spool (eval "$(clusterjob sim env slurm)")."""
    scheduler = scheduler_name(scheduler)
    spool = Path(spool).absolute()
    site = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in site_env(scheduler, spool).items())
    return (
        f"export {_spool.SPOOL_ENV}={shlex.quote(str(spool))}\n"
        f"export CLUSTERJOB_SIM_SCHEDULER={shlex.quote(scheduler)}\n"
        f"{site}"
        f'export PATH={shlex.quote(str(bin_dir(spool)))}:"$PATH"\n'
    )


def run_with(
    scheduler: str,
    argv: list[str],
    spool: str | os.PathLike[str] | None = None,
    **config_overrides: Any,
) -> int:
    """Run argv with the scheduler's fake commands first on PATH; return its exit code (128 + N when
    signal N ended it, as a shell says).

    Without `spool`, a fresh temporary spool is used, and its jobs are killed and it is deleted afterwards,
    also when this process gets SIGTERM, SIGHUP or SIGINT: SIGTERM and SIGHUP are passed on to the command,
    SIGINT (Ctrl-C, which the terminal sends to the command too) is left to it; then the command is
    awaited and the spool cleaned up.
    """
    import shutil
    import subprocess
    import tempfile

    scheduler = scheduler_name(scheduler)
    temp = spool is None
    with _Forwarding() as forwarding:
        path = Path(
            tempfile.mkdtemp(prefix=f"clusterjob-sim-{scheduler}-") if spool is None else spool
        )
        try:
            if temp or config_overrides or not (path / _spool.CONFIG_NAME).exists():
                create_spool(path, scheduler, **config_overrides)
            else:
                module = scheduler_module(scheduler)
                write_bin_scripts(path.absolute(), scheduler, module)
                write_site_files(path.absolute(), module, _spool.load_config(path))
            env = {**os.environ, **env_vars(scheduler, path)}
            if forwarding.received:
                return 128 + forwarding.received
            child = subprocess.Popen(argv, env=env)
            forwarding.child = child
            code = child.wait()
        finally:
            if temp:
                from clusterjob_sim.engine.core import kill_all

                killed = kill_all(path)
                shutil.rmtree(path, ignore_errors=True)
                if killed:
                    print(
                        f"clusterjob sim run: the temporary simulated {scheduler} cluster is gone, "
                        f"and with it its {killed} unfinished job(s)",
                        file=sys.stderr,
                    )
    if forwarding.received and code < 0:
        return 128 + forwarding.received
    return 128 - code if code < 0 else code


class _Forwarding:
    """While `sim run` runs its command: SIGTERM and SIGHUP go on to the command (a second one kills
    it), SIGINT is noted (the terminal sent it to the command as well), and none of them interrupts the
    clean-up. Outside the main thread (where Python cannot handle signals) it does nothing."""

    SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")

    def __init__(self) -> None:
        import subprocess

        self.child: subprocess.Popen[bytes] | None = None
        self.received = 0
        self._saved: dict[int, Any] = {}

    def _handle(self, signum: int, frame: object) -> None:
        import signal

        first = not self.received
        self.received = self.received or signum
        if self.child is None or self.child.poll() is not None or signum == signal.SIGINT:
            return
        self.child.send_signal(signum if first else signal.SIGKILL)

    def __enter__(self) -> _Forwarding:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for name in self.SIGNALS:
                number = getattr(signal, name, None)
                if number is not None:
                    self._saved[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for number, handler in self._saved.items():
            signal.signal(number, handler)

"""The README's code runs as written: its blocks are read from README.md itself, so the README cannot drift.

The short example runs with the command the README gives for it (`clusterjob sim run slurm -- python
example.py`, the default simulated Slurm); the command-line block runs line by line in bash, its first line
putting the default simulated Slurm on PATH; the settings file is read by `JobScript.read_defaults`. The
blocks CI itself runs (install, the two commands, the real schedulers) are named below; a new block that is
neither run here nor named there fails the test.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from clusterjob.backends.sge import SgeBackend
from clusterjob.settings import read_settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
# Blocks whose commands CI runs as its own steps (scripts/setup.sh installs the package, .ci/run runs the
# two commands after starting the real schedulers): named by their section and first line.
RUN_BY_CI = {
    ("Install", "python3 -m venv .venv && .venv/bin/pip install ."),
    ("The two commands", "bash scripts/main.sh"),
    ("The two commands", "bash containers/gridengine/start-local-gridengine.sh --install"),
}
NOT_COMMANDS = {("Layout", "clusterjob/")}  # a picture of the tree


def blocks() -> list[tuple[str, str, str]]:
    """(section heading, language, code) of every fenced block of the README."""
    text = README.read_text(encoding="utf-8")
    found = []
    for m in BLOCK.finditer(text):
        heading = re.findall(r"^#{2,3} (.+)$", text[: m.start()], re.M)[-1]
        found.append((heading, m.group(1), m.group(2)))
    return found


def block(section: str, lang: str) -> str:
    matches = [code for head, lng, code in blocks() if head.startswith(section) and lng == lang]
    assert len(matches) == 1, f"README: expected one {lang} block under {section!r}"
    return matches[0]


def environment(home: Path) -> dict[str, str]:
    """A user's shell: this venv's commands on PATH, a fresh home and cache (the default spool lives there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERJOB_SIM")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["HOME"] = str(home)
    env["XDG_CACHE_HOME"] = str(home / ".cache")
    return env


def test_every_block_is_run_or_named() -> None:
    for head, lang, code in blocks():
        first = code.strip().splitlines()[0]
        named = RUN_BY_CI | NOT_COMMANDS
        if any(head.startswith(h) and first.startswith(f) for h, f in named):
            continue
        assert (head, lang) in {
            ("A short example", "python"),
            ("A short example", "sh"),
            ("Resources (the common keys)", "toml"),
        }, f"README block not run by any test: {head!r} {lang!r} starting {first!r}"


def test_the_ci_blocks_name_files_that_exist() -> None:
    named = [
        (head, path)
        for head, lang, code in blocks()
        if lang == "sh"
        for path in re.findall(r"(?<![\w/.])((?:scripts|containers)/[\w/.-]+\.sh)", code)
    ]
    assert len(named) >= 4
    for head, path in named:
        assert (ROOT / path).is_file(), f"README ({head}) runs {path}, which does not exist"


def test_install_is_from_the_source_tree_not_the_package_index() -> None:
    install = block("Install", "sh")
    assert "pip install ." in install and "pip install '.[test]'" in install
    assert not re.search(r"pip install '?clusterjob", install)


@pytest.mark.slow
def test_short_example_runs_on_the_default_simulated_slurm(tmp_path: Path) -> None:
    (tmp_path / "example.py").write_text(block("A short example", "python"))
    command = re.search(r"`(clusterjob sim run slurm -- python example\.py)`", README.read_text())
    assert command, "README: the command that runs the short example on the simulator"
    r = subprocess.run(
        shlex.split(command.group(1)),
        cwd=tmp_path,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("#!/bin/bash\n#SBATCH")
    assert r.stdout.splitlines()[-1] == "0"  # COMPLETED
    hosts = list(tmp_path.glob("hosts.*"))
    assert len(hosts) == 1
    assert sorted(set(hosts[0].read_text().split())) == ["node01", "node02"]  # 2 nodes x 4 tasks
    assert len(hosts[0].read_text().split()) == 8
    assert (tmp_path / ".cache" / "clusterjob" / "clusterjob.sim1.json").is_file()


@pytest.mark.slow
def test_command_line_block_runs_line_by_line(tmp_path: Path) -> None:
    script = block("A short example", "sh")
    env = environment(tmp_path)
    try:
        r = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        subprocess.run(["clusterjob", "sim", "kill", "slurm"], env=env, capture_output=True)
    failing = [line for line in r.stdout.splitlines() if "FAIL" in line or "ERROR" in line]
    assert r.returncode == 0, r.stderr + "\n".join(failing)
    assert "#PBS -l select=2:ncpus=32:mpiprocs=32:ompthreads=1" in r.stdout  # the render line
    assert (tmp_path / "runs" / "clusterjob.sim1.json").is_file()
    assert re.search(r"^1 runs?: ", r.stdout, re.M)  # the status of the folder
    assert "COMPLETED" in r.stderr  # `submit --wait` (bash -e: it exited 0, i.e. the job completed)
    assert "usage: clusterjob" in r.stdout


def test_settings_file_reads(tmp_path: Path) -> None:
    """The settings example is a valid settings file (read_settings: no process-wide defaults changed)."""
    settings = tmp_path / "site.toml"
    settings.write_text(block("Resources", "toml"))
    read = read_settings(settings)
    assert read.attributes["lost_after"] == 7200 and read.resources["time"] == "1:00:00"
    assert read.backends == {"sge": {"pe": "mpi", "pe_smp": "smp"}}
    SgeBackend(**read.backends["sge"])  # the options the backend takes


# The example's comment names the other backends; each runs the same example with the command the README
# gives (`clusterjob sim run SCHEDULER [--config ...] -- python example.py`), with the queue that cluster has.
OTHER_BACKENDS = [
    ("pbs", '"pbs"', "batch"),
    ("pbspro", '"pbspro"', "workq"),
    ("lsf", '"lsf"', "normal"),
    ("sge", 'SgeBackend(pe="mpi")', "all.q"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("scheduler", "backend", "queue"), OTHER_BACKENDS)
def test_short_example_runs_with_the_other_backends(
    tmp_path: Path, scheduler: str, backend: str, queue: str
) -> None:
    readme = README.read_text()
    example = block("A short example", "python")
    assert f"or pbs, pbspro, lsf, {backend}" in example or scheduler != "sge"
    assert re.search(rf"`{re.escape(queue)}` \(", readme), f"README names queue {queue}"
    example = example.replace('backend="slurm"', f"backend={backend}")
    example = example.replace('queue="batch"', f'queue="{queue}"')
    example = example.replace("srun hostname", "hostname")  # Slurm's launcher: the README says so
    if scheduler == "sge":
        example = "from clusterjob.backends.sge import SgeBackend\n" + example
    (tmp_path / "example.py").write_text(example)
    shown = re.findall(rf"`(clusterjob sim run {scheduler} [^`]*-- python example\.py)`", readme)
    command = shown[0] if shown else f"clusterjob sim run {scheduler} -- python example.py"
    r = subprocess.run(
        shlex.split(command),
        cwd=tmp_path,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "0"  # COMPLETED
    assert len(list(tmp_path.glob("hosts.*"))) == 1

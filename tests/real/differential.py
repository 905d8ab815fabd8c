"""Differential testing: the same command against a REAL scheduler and a simulated one, compared.

Used by test_sim_vs_real_slurm.py and test_sim_vs_real_sge.py. A `Side` runs a scenario's commands (the real
tools by absolute path with the environment this process started with, so a simulated cluster put on PATH
by the `sim_cluster` fixture never shadows them; the fake ones through a SimCluster). Job ids are mirrored:
before each submission the simulated cluster is told to hand out the id the real scheduler gave the same
step, so answers can be compared byte for byte with only dates, elapsed times, usage figures and the two
working folders normalised.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim.pytest_fixtures import SimCluster

from tests.real.conftest import SCHEDULERS

# The environment of this process before any fixture put a simulated cluster first on PATH.
REAL_ENV: dict[str, str] = {
    k: v for k, v in os.environ.items() if not k.startswith("CLUSTERJOB_SIM_")
}
REAL_ENV.setdefault("SGE_ROOT", "/var/lib/gridengine")
REAL_ENV.setdefault("SGE_CELL", "default")

UNKNOWN_ID = "999999"  # a job id neither the real nor the simulated scheduler ever handed out


def real_tool(name: str) -> str:
    """Absolute path of a real scheduler command (never a simulator's: REAL_ENV's PATH has none)."""
    path = shutil.which(name, path=REAL_ENV.get("PATH"))
    if path is None:
        pytest.fail(f"real {name} is not on PATH")
    return path


def require_real(scheduler: str) -> None:
    """Skip unless the real scheduler was announced (conftest's switch); fail if it does not answer."""
    sched = SCHEDULERS[scheduler]
    if os.environ.get(sched.env_var) != "1":
        pytest.skip(
            f"real {sched.name} not started here (set {sched.env_var}=1 after its start script)"
        )
    if shutil.which(sched.probe[0], path=REAL_ENV.get("PATH")) is None:
        pytest.fail(f"{sched.env_var}=1 but {sched.probe[0]} is not on PATH")
    try:
        out = run_real(list(sched.probe), cwd=Path.cwd(), timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{sched.env_var}=1 but {sched.name} does not answer within 60 s")
    if out.rc != 0 or not out.stdout.strip():
        pytest.fail(f"{sched.env_var}=1 but {sched.name} does not answer: {out.stderr.strip()}")


@dataclass(frozen=True)
class Answer:
    """What a command printed and returned."""

    stdout: str
    stderr: str
    rc: int

    def map(self, fn: Callable[[str], str]) -> Answer:
        return Answer(fn(self.stdout), fn(self.stderr), self.rc)

    def __str__(self) -> str:
        return f"rc={self.rc}\n[stdout]\n{self.stdout}[stderr]\n{self.stderr}"


def assert_same(sim: Answer, real: Answer, what: str) -> None:
    """Assert two answers are equal, showing a line diff of what differs."""
    if sim == real:
        return
    import difflib

    parts = [f"{what}: the simulator answers differently from the real tool"]
    if sim.rc != real.rc:
        parts.append(f"exit code: real {real.rc}, simulated {sim.rc}")
    for stream in ("stdout", "stderr"):
        r, s = getattr(real, stream), getattr(sim, stream)
        if r != s:
            diff = difflib.unified_diff(
                r.splitlines(keepends=True), s.splitlines(keepends=True), "real", "simulated"
            )
            parts.append(f"{stream}:\n" + "".join(diff))
    raise AssertionError("\n".join(parts))


def _answer(proc: subprocess.CompletedProcess[str]) -> Answer:
    return Answer(proc.stdout, proc.stderr, proc.returncode)


def _run(
    argv: list[str],
    cwd: Path,
    input: str,
    env: dict[str, str],
    timeout: float,
    executable: str | None = None,
) -> Answer:
    """One command with its stdin text, environment and time limit; its whole answer."""
    proc = subprocess.run(
        argv,
        executable=executable,
        cwd=cwd,
        input=input,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return _answer(proc)


EnvChanges = Mapping[str, str | None]  # variables to set, or (None) to remove, for one command


def changed(env: Mapping[str, str], changes: EnvChanges | None) -> dict[str, str]:
    """A copy of env with changes applied (a None value removes the variable)."""
    out = dict(env)
    for key, value in (changes or {}).items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def run_real(
    argv: Sequence[str],
    cwd: Path,
    input: str = "",
    timeout: float = 60,
    env_changes: EnvChanges | None = None,
) -> Answer:
    """Run a real scheduler command (argv[0] a bare name, as a user types it: getopt's messages start
    with it) with the original environment."""
    env = changed(REAL_ENV, env_changes)
    return _run(list(argv), cwd, input, env, timeout, executable=real_tool(argv[0]))


def run_sim(
    cluster: SimCluster,
    argv: Sequence[str],
    cwd: Path,
    input: str = "",
    timeout: float = 60,
    env_changes: EnvChanges | None = None,
) -> Answer:
    """Run a simulated command (by its path in the spool's bin) with the real commands' environment, so
    what a job records of its submitter (PATH, ...) is the same on both sides."""
    env = changed({**cluster.env, "PATH": REAL_ENV.get("PATH", "")}, env_changes)
    return _run([str(cluster.bin / argv[0]), *argv[1:]], cwd, input, env, timeout)


@dataclass
class Side:
    """One side of a differential scenario: the real scheduler, or a simulated cluster."""

    name: str  # "real" or "sim"
    workdir: Path
    cluster: SimCluster | None = None  # None: the real scheduler
    jobs: RealJobs | None = None  # where the real side registers its jobs for removal
    submitted: list[str] = field(default_factory=list)  # ids of successful submissions, in order
    mirror: list[str] = field(default_factory=list)  # sim: the real ids to hand out, in order
    transcript: list[tuple[str, Answer]] = field(default_factory=list)

    @property
    def real(self) -> bool:
        return self.cluster is None

    def run(
        self,
        argv: Sequence[str],
        input: str = "",
        record: bool = True,
        env_changes: EnvChanges | None = None,
    ) -> Answer:
        """Run a command on this side (in its work folder) and keep its answer in the transcript."""
        if self.cluster is None:
            answer = run_real(argv, self.workdir, input=input, env_changes=env_changes)
        else:
            answer = run_sim(self.cluster, argv, self.workdir, input=input, env_changes=env_changes)
        if record:
            self.transcript.append((" ".join(argv), answer))
        return answer

    def submit(
        self,
        argv: Sequence[str],
        id_of: Callable[[Answer], str | None],
        input: str = "",
        env_changes: EnvChanges | None = None,
    ) -> tuple[Answer, str | None]:
        """Run a submission; on the simulated side first mirror the id the real side got here."""
        if self.cluster is not None and self.mirror:
            self.cluster.advance_job_ids(int(self.mirror[0]))
        answer = self.run(argv, input=input, env_changes=env_changes)
        job_id = id_of(answer) if answer.rc == 0 else None
        if job_id is not None:
            self.submitted.append(job_id)
            if self.jobs is not None:
                self.jobs.add(job_id)
            if self.cluster is not None and self.mirror:
                self.mirror.pop(0)
        return answer, job_id

    def poll(
        self,
        argv: Sequence[str],
        done: Callable[[Answer], bool],
        timeout: float = 60.0,
        interval: float = 0.3,
    ) -> Answer:
        """Repeat a command until `done(answer)`; record only the last answer. Fails after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.run(argv, record=False)
            if done(answer):
                self.transcript.append((" ".join(argv), answer))
                return answer
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{self.name}: `{' '.join(argv)}` did not reach the expected answer within "
                    f"{timeout} s; last answer:\n{answer}"
                )
            time.sleep(interval)


# ---------------------------------------------------------------------------------------------------
# Normalisation: only what must differ between two runs of the same scenario
# ---------------------------------------------------------------------------------------------------

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_DAYS = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
DATE_PATTERNS = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"), "<DATE>"),  # Slurm
    (re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d"), "<DATE>"),  # qstat
    (re.compile(rf"(?:{_DAYS}) (?:{_MONTHS}) [ \d]\d \d\d:\d\d:\d\d \d{{4}}"), "<DATE>"),  # ctime
]


def normalise_dates(text: str) -> str:
    """Dates and times of day to <DATE> (same width of text around them is kept)."""
    for pattern, repl in DATE_PATTERNS:
        text = pattern.sub(repl, text)
    return text


def normalise_paths(text: str, side: Side) -> str:
    """The side's work folder (and its resolved form) to <DIR>."""
    for path in sorted({str(side.workdir), os.path.realpath(side.workdir)}, key=len, reverse=True):
        text = text.replace(path, "<DIR>")
    return text


def compare_transcripts(real: Side, sim: Side, normalise: Callable[[str, Side], str]) -> None:
    """Assert both sides answered every step alike once `normalise` is applied to each text."""
    assert [c for c, _ in real.transcript] == [c for c, _ in sim.transcript]
    if os.environ.get("CLUSTERJOB_DIFF_SHOW"):  # print what was compared (pytest -s)
        for command, answer in real.transcript:
            print(f"$ {command}\n{answer}")
    problems = []
    for (command, r), (_, s) in zip(real.transcript, sim.transcript, strict=True):
        try:
            assert_same(
                s.map(lambda t: normalise(t, sim)), r.map(lambda t: normalise(t, real)), command
            )
        except AssertionError as e:
            problems.append(f"$ {e}")
    assert not problems, "\n\n".join(problems)


class RealJobs:
    """Ids of real jobs submitted by the tests, removed at teardown whatever happened."""

    def __init__(self, cancel: Sequence[str]) -> None:
        self.cancel = tuple(cancel)  # e.g. ("scancel",) or ("qdel",)
        self.ids: list[str] = []

    def __repr__(self) -> str:
        return f"RealJobs({len(self.ids)} to remove)"

    def add(self, job_id: str | None) -> None:
        if job_id:
            self.ids.append(job_id)

    def cleanup(self) -> None:
        pending, self.ids = self.ids, []
        for chunk in range(0, len(pending), 50):
            ids = pending[chunk : chunk + 50]
            try:
                run_real([*self.cancel, *ids], cwd=Path("/"), timeout=60)
            except (subprocess.TimeoutExpired, OSError):
                pass


def real_jobs_fixture(cancel: Sequence[str]) -> Iterator[RealJobs]:
    """Body of a fixture yielding a RealJobs registry that removes its jobs at teardown."""
    jobs = RealJobs(cancel)
    try:
        yield jobs
    finally:
        jobs.cleanup()


def write_scripts(folder: Path, scripts: Mapping[str, str]) -> Path:
    """Create `folder` with the scenario's job scripts (name -> text) in it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in scripts.items():
        (folder / name).write_text(text)
    return folder


def sides(
    scripts: Mapping[str, str],
    real_dir: Path,
    sim_dir: Path,
    cluster: SimCluster,
    real_jobs: RealJobs,
) -> tuple[Side, Side]:
    """The real and the simulated side of a scenario, each in its own folder holding the same scripts."""
    return (
        Side("real", write_scripts(real_dir, scripts), jobs=real_jobs),
        Side("sim", write_scripts(sim_dir, scripts), cluster=cluster),
    )


def replay(
    scenario: Callable[[Side], None], real: Side, sim: Side, normalise: Callable[[str, Side], str]
) -> None:
    """Play a scenario on the real scheduler, then on the simulated one (handing out the same job
    ids), and compare every answer."""
    scenario(real)
    sim.mirror = list(real.submitted)
    scenario(sim)
    compare_transcripts(real, sim, normalise)


def play_both(
    scenario: Callable[[Side], None],
    scripts: Mapping[str, str],
    folder: Path,
    cluster: SimCluster,
    real_jobs: RealJobs,
    normalise: Callable[[str, Side], str],
) -> None:
    """Replay `scenario` on both sides, in `folder`/real and `folder`/sim, each holding `scripts`."""
    real, sim = sides(scripts, folder / "real", folder / "sim", cluster, real_jobs)
    replay(scenario, real, sim, normalise)


def module_sim_cluster(
    scheduler: str, config: Mapping[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SimCluster]:
    """Body of a module-scoped fixture: one simulated cluster shaped like the real one, killed after."""
    cluster = SimCluster(scheduler, tmp_path_factory.mktemp("sim-spool"), **config)
    try:
        yield cluster
    finally:
        cluster.kill_all()

"""What the Torque and PBS Pro tests share: a submit folder per cluster, scripts, qsub, ``qstat -f``
as a dict, the parse helpers and the recorded job the layout tests start from."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim.engine.allocation import Allocation, DirectiveError
from clusterjob_sim.pbs.output import JobView

SERVER = "simserver"
QSTAT_F = {
    "torque": ("-f", "-1"),
    "pbspro": ("-fx",),
}  # Torque: one line each; PBS Pro: history too


def write(c: Any, name: str, text: str) -> Path:
    """A job script in the test's folder."""
    path = Path(c.path) / name
    path.write_text(text)
    return path


def submit(c: Any, *argv: str) -> str:
    """qsub in the test folder; the printed job id."""
    r = c.run(["qsub", *argv], cwd=c.path)
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(rf"\d+(\[\])?\.{SERVER}\n", r.stdout), r.stdout
    return r.stdout.strip()


def submit_script(c: Any, name: str, text: str, *argv: str) -> str:
    """Write a job script and qsub it (`argv`: options before it), the usual start of a cluster test."""
    write(c, name, text)
    return submit(c, *argv, name)


def attrs(c: Any, job: str, *flags: str) -> dict[str, str]:
    """``qstat -f`` of one job (see QSTAT_F) as a dict, wrapped lines joined; empty when unknown."""
    r = c.run(["qstat", *QSTAT_F[c.scheduler], *flags, job], cwd=c.path)
    out: dict[str, str] = {}
    for line in r.stdout.replace("\n\t", "").splitlines():
        name, sep, value = line.strip().partition(" = ")
        if sep:
            out[name] = value
    return out


def state(c: Any, job: str) -> str | None:
    """The job_state qstat -f reports, or None."""
    return attrs(c, job).get("job_state")


def wait_state(c: Any, job: str, letter: str, timeout: float = 30.0) -> None:
    """Wait until qstat -f shows the job in state `letter` (AssertionError after `timeout` s)."""
    c.wait_for(lambda: state(c, job) == letter, timeout=timeout)


class Site:
    """A simulated cluster plus the folder the test submits from (attributes pass through)."""

    def __init__(self, cluster: Any, path: Path) -> None:
        self.cluster = cluster
        self.path = path

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cluster, name)


def site_factory(sim_cluster: Any, tmp_path: Path, scheduler: str) -> Callable[..., Site]:
    """Factory: a `scheduler` cluster (config overrides as keywords) and a fresh submit folder."""

    def factory(**overrides: Any) -> Site:
        folder = tmp_path / f"submit{len(list(tmp_path.glob('submit*')))}"
        folder.mkdir()
        if scheduler == "pbspro":  # history off is the real default; most tests read finished jobs
            overrides.setdefault("job_history_enable", True)
        return Site(sim_cluster(scheduler, **overrides), folder)

    return factory


def cluster_fixtures(scheduler: str) -> tuple[Any, Any]:
    """The fixtures `make` (factory) and `cluster` (2 nodes x 2 cores) of a flavour's cluster tests."""

    @pytest.fixture
    def make(sim_cluster: Any, tmp_path: Path) -> Any:
        """Factory: a cluster of the flavour (config overrides as keywords) and the submit folder."""
        return site_factory(sim_cluster, tmp_path, scheduler)

    @pytest.fixture
    def cluster(make: Any) -> Any:
        """Two nodes of two cores, the flavour's defaults otherwise (keep_completed; PBS Pro: history on)."""
        return make(nodes=2, cores_per_node=2)

    return make, cluster


def submission_parsers(
    parse_submission: Callable[..., Allocation],
) -> tuple[Callable[..., Allocation], Callable[..., DirectiveError]]:
    """``parse`` and ``refusal`` over a flavour's parse_submission, the script named job.sh last."""

    def parse(script: str, *argv: str) -> Allocation:
        """parse_submission with the script named job.sh last on the command line."""
        return parse_submission(script, [*argv, "job.sh"])

    def refusal(script: str, *argv: str) -> DirectiveError:
        """The DirectiveError qsub raises for this submission."""
        with pytest.raises(DirectiveError) as info:
            parse(script, *argv)
        return info.value

    return parse, refusal


def check_command_line_wins(
    parse: Callable[..., Allocation], script_name: str, cli_name: str, script_q: str, cli_q: str
) -> None:
    """The command line beats the script for -N/-q/-l walltime (Torque reads it last, PBS Pro first)."""
    script = f"#PBS -N {script_name}\n#PBS -q {script_q}\n#PBS -l walltime=10\n"
    alloc = parse(script, "-N", cli_name, "-q", f"{cli_q}@server", "-l", "walltime=20")
    assert (alloc.name, alloc.queue, alloc.walltime_s) == (cli_name, cli_q, 20)
    alloc = parse(script)
    assert (alloc.name, alloc.queue, alloc.walltime_s) == (script_name, script_q, 10)


def recorded_view(owner: str, queue: str, fields: dict[str, object]) -> JobView:
    """The running job 436036.sdb (coppertest) both flavours' layout tests were recorded with."""
    base: dict[str, object] = {
        "job_id": "436036.sdb",
        "name": "coppertest",
        "owner": owner,
        "state": "R",
        "queue": queue,
        "server": "sdb",
    }
    base.update(fields)
    return JobView(**base)

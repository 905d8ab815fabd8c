"""The simulated Grid Engine against the REAL Grid Engine 8.1.9 on this machine: same scripts, same answers.

1. Directive semantics (a Hypothesis property): generated job scripts with #$ lines are submitted held
   (`qsub -h`) to the real Grid Engine; what it understood (`qstat -j`) is compared field by field with
   `clusterjob_sim.sge.parse_submission` and line by line with the fake qsub/qstat; scripts the real qsub
   refuses must be refused alike (message and exit code).
2. Answers byte for byte: scenarios replayed against the real Grid Engine and a fresh simulated cluster
   shaped like it, compared after normalising only what must differ (dates, usage figures, work folders).

Runs only with CLUSTERJOB_REAL_SGE=1 (see conftest.py); every real job is deleted at teardown.
"""

from __future__ import annotations

import fnmatch
import os
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim.engine.allocation import Allocation, DirectiveError
from clusterjob_sim.pytest_fixtures import SimCluster, sim_cluster  # noqa: F401 (fixture)
from clusterjob_sim.sge import parse_submission
from clusterjob_sim.sge.options import parse_memory
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.real.differential import (
    UNKNOWN_ID,
    Answer,
    RealJobs,
    Side,
    assert_same,
    compare_transcripts,
    module_sim_cluster,
    normalise_dates,
    normalise_paths,
    play_both,
    real_jobs_fixture,
    require_real,
    run_real,
    run_sim,
    sides,
)

# ---------------------------------------------------------------------------------------------------
# The real Grid Engine, and a simulated one shaped like it
# ---------------------------------------------------------------------------------------------------


class SgeSite:
    """What the real Grid Engine here looks like: its queues, hosts and parallel environments."""

    def __init__(self) -> None:
        cwd = Path("/")
        self.queues = run_real(["qconf", "-sql"], cwd).stdout.split()
        self.hosts = run_real(["qconf", "-sel"], cwd).stdout.split()
        queue = self._conf(["qconf", "-sq", self.queues[0]])
        self.slots = int(queue["slots"].split(",")[0])
        self.shell = queue["shell"]
        self.shell_start_mode = queue["shell_start_mode"]
        self.pe_rules: dict[str, str] = {}
        for pe in run_real(["qconf", "-spl"], cwd).stdout.split():
            self.pe_rules[pe] = self._conf(["qconf", "-sp", pe])["allocation_rule"]

    def rule(self, pe: str) -> str:
        """The allocation rule of a requested PE (a wildcard picks the first PE it matches)."""
        return next(r for name, r in self.pe_rules.items() if fnmatch.fnmatchcase(name, pe))

    @staticmethod
    def _conf(argv: list[str]) -> dict[str, str]:
        out = run_real(argv, Path("/")).stdout
        return {k: v.strip() for k, _, v in (line.partition(" ") for line in out.splitlines())}

    def sim_config(self) -> dict[str, Any]:
        """create_spool overrides making a simulated Grid Engine like this one."""
        return {
            # a freshly installed scheduler's first id: the real ids are mirrored forward from there, and
            # ids only move forward (the simulator's realistic default is in the millions)
            "first_job_id": 1,
            "nodes": [{"name": h, "cores": self.slots, "mem_mb": 4000} for h in self.hosts],
            "queues": {
                q: {"max_time_s": None, "default_time_s": None, "nodes": None} for q in self.queues
            },
            "default_queue": self.queues[0],
            "parallel_environments": {
                pe: {"slots": 9999, "allocation_rule": rule} for pe, rule in self.pe_rules.items()
            },
            "shell": self.shell,
            "shell_start_mode": self.shell_start_mode,
        }


@pytest.fixture(scope="module")
def site() -> SgeSite:
    require_real("sge")
    return SgeSite()


@pytest.fixture(scope="module")
def real_jobs(site: SgeSite) -> Iterator[RealJobs]:
    yield from real_jobs_fixture(("qdel",))


@pytest.fixture(scope="module")
def module_cluster(site: SgeSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    """One simulated Grid Engine like the real one, for the property (its jobs stay held)."""
    yield from module_sim_cluster("sge", site.sim_config(), tmp_path_factory)


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return tmp_path_factory.mktemp("real-directives"), tmp_path_factory.mktemp("sim-directives")


# ---------------------------------------------------------------------------------------------------
# 1. Directive semantics
# ---------------------------------------------------------------------------------------------------

HOST = socket.gethostname().split(".")[0]  # the execution host (start script: hostname -s)
NAME_CHARS = st.sampled_from(
    list("abcXYZ019") + list("-_.+=,%!~^()[]{}<>;&|$") + ["é", "€"]
)  # the master refuses non-ASCII ones ('Error reading answer list'), \t : @ \ * ? and qsub '/'
BAD_NAME_CHARS = st.sampled_from([":", "@", "\\", "*", "?", "/"])
PATH_PIECES = st.one_of(
    st.sampled_from(["$JOB_ID", "$USER", "$JOB_NAME", "$HOME", "$HOSTNAME", "$TASK_ID", "/"]),
    st.text(alphabet="abcxyz019._-", min_size=1, max_size=6),
)
TIMES = st.one_of(
    st.integers(0, 100000).map(str),
    st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)).map(
        lambda t: f"{t[0]}:{t[1]:02d}:{t[2]:02d}"
    ),
    st.tuples(st.integers(0, 200), st.integers(0, 59)).map(lambda t: f"{t[0]}:{t[1]}"),
    st.sampled_from(
        ["::30", "48::", "1.5", "0:0:0", "0", ":5:", "1:2:3:4", "abc", "5:30", "1e3", "1h"]
    ),
)
MEMORIES = st.one_of(
    st.tuples(st.integers(1, 4000), st.sampled_from(["M", "m", "K", "k", "G", "g", ""])).map(
        lambda t: f"{t[0]}{t[1]}"
    ),
    st.sampled_from(["1.5G", "0.5g", "100", "lots", "1X", "1GB", "0x10", "1e3", "1M5"]),
)
PE_RANGES = st.sampled_from(
    ["1", "2", "3", "4", "1-2", "2-", "-2", "2-1", "1-4", "0", "x", "2:1", "1.5", "2x", "+2", "1-x"]
)


def word(value: str, quote: str) -> str:
    """A #$ word for `value`; Grid Engine deletes every quote character of the line's words."""
    return f"{quote}{value}{quote}" if quote else value


@st.composite
def sge_scripts(draw: st.DrawFn) -> str:
    """A job script with #$ option lines (anywhere in the file) asking for a random request; now and then
    a value the real qsub or qmaster refuses."""
    options: list[list[str]] = []
    if draw(st.booleans()):
        name = draw(st.text(NAME_CHARS, min_size=1, max_size=20))
        if draw(st.integers(0, 5)) == 0:
            name += draw(BAD_NAME_CHARS)
        quote = draw(st.sampled_from(["", "", '"', "'"]))
        options.append(["-N", word(name, quote)])
    if draw(st.booleans()):
        queue = draw(st.sampled_from(["all.q", "all.q", f"all.q@{HOST}", "*.q", "nosuchq"]))
        options.append(["-q", queue])
    resources = []
    if draw(st.booleans()):
        resources.append(f"h_rt={draw(TIMES)}")
    if draw(st.booleans()):
        resources.append(f"h_vmem={draw(MEMORIES)}")
    if draw(st.integers(0, 9)) == 0:
        resources.append(
            draw(st.sampled_from(["rt=60", "vmem=1G", "mf=1G", "s_rt=60", "nosuch=1"]))
        )
    if resources:
        if draw(st.booleans()):
            options.append(["-l", ",".join(resources)])
        else:
            options.extend(["-l", r] for r in resources)
    if draw(st.booleans()):
        pe = draw(st.sampled_from(["mpi", "smp", "mpi", "smp", "nosuchpe", "m*"]))
        options.append(["-pe", pe, draw(PE_RANGES)])
    for flag in ("-o", "-e"):
        if draw(st.booleans()):
            path = "".join(draw(st.lists(PATH_PIECES, min_size=1, max_size=4)))
            if draw(st.booleans()):
                path = "/tmp/cj-diff/" + path
            options.append([flag, path])
    if draw(st.booleans()):
        options.append(["-cwd"])
    if draw(st.integers(0, 3)) == 0:
        options.append(["-j", draw(st.sampled_from(["y", "n", "yes"]))])
    if draw(st.integers(0, 5)) == 0:
        options.append([draw(st.sampled_from(["-frobnicate", "-N", "-pe", "stray"]))])
    draw(st.randoms()).shuffle(options)
    body = ["echo start", "sleep 1", "exit 0"]
    lines = ["#!/bin/bash"]
    for opt in options:
        sep = draw(st.sampled_from([" ", " ", "  ", "\t", ""]))
        line = "#$" + sep + " ".join(opt)
        if draw(st.integers(0, 6)) == 0:
            line += " # a comment -N ignored"
        where = draw(st.integers(0, 3))
        if where == 0 and body:  # #$ lines are read anywhere in the file
            lines.append(body.pop(0))
        lines.append(line)
        if draw(st.integers(0, 8)) == 0:
            lines.append("  #$ -N indented-is-ignored")
    lines.extend(body)
    return "\n".join(lines) + "\n"


def qstat_fields(text: str) -> dict[str, str]:
    """`qstat -j` as {key: value} (first occurrence of each key)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        found = re.match(r"^([a-z_][a-z_ ]*?):\s+(.*)$", line)
        if found:
            fields.setdefault(found.group(1), found.group(2))
    return fields


def expected_fields(
    alloc: Allocation, script_name: str, workdir: str, site: SgeSite
) -> dict[str, object]:
    """What `qstat -j` must show for a job the simulator read as `alloc` (None: no such line)."""
    return {
        "job_name": alloc.name if alloc.name is not None else script_name,
        "h_rt": alloc.walltime_s,
        "h_vmem_mb_per_node": alloc.mem_mb_per_node,
        "pe": alloc.extra.get("pe"),
        "nodes x tasks": (alloc.nodes, alloc.tasks_per_node),
        "stdout": alloc.stdout,
        "stderr": alloc.stderr,
        "queue": alloc.queue,
        "cwd": alloc.workdir,
    }


def placement(slots: int, rule: str, slots_per_host: int) -> tuple[int, int]:
    """Nodes x tasks per node of `slots` under a PE's allocation rule, as the Allocation states them
    (one tasks_per_node for all: $fill_up's 3 slots on 2-slot hosts are 2 nodes x 2)."""
    if rule == "$fill_up":
        return -(-slots // slots_per_host), min(slots, slots_per_host)
    if rule == "$pe_slots":
        return 1, slots
    per = int(rule)
    return -(-slots // per), min(per, slots)


def actual_fields(fields: dict[str, str], tasks_per_node: int, site: SgeSite) -> dict[str, object]:
    """The same facts read from the real `qstat -j` (a PE range's slots: its upper end if bounded)."""
    resources = dict(
        item.split("=", 1) for item in fields.get("hard resource_list", "").split(",") if item
    )
    pe = slots = None
    if "parallel environment" in fields:
        found = re.match(r"(\S+) range: (\d+)(?:[-,](\d+))?", fields["parallel environment"])
        assert found, fields["parallel environment"]
        pe, lo, hi = found.groups()
        slots = int(hi) if hi and int(hi) < 9999999 else int(lo)
    mem = None
    if "h_vmem" in resources:
        per_slot = parse_memory(resources["h_vmem"]) or 0.0
        mb = per_slot * tasks_per_node / 1024**2
        mem = int(mb) if int(mb) == mb else int(mb) + 1

    def path(key: str) -> str | None:
        text = fields.get(key)
        if text is None:
            return None
        host, _, rest = text.partition(":")
        _, _, where = rest.partition(":")
        return where if host == "NONE" else f"{host}:{where}"

    return {
        "job_name": fields["job_name"],
        "h_rt": int(resources["h_rt"]) if "h_rt" in resources else None,
        "h_vmem_mb_per_node": mem,
        "pe": pe,
        "nodes x tasks": placement(slots, site.rule(pe), site.slots) if pe and slots else (1, 1),
        "stdout": path("stdout_path_list"),
        "stderr": path("stderr_path_list"),
        "queue": fields.get("hard_queue_list"),
        "cwd": fields.get("cwd"),
    }


QSUB_ARGS = ["qsub", "-h", "-terse", "job.sh"]
REAL_EXAMPLES = int(os.environ.get("CLUSTERJOB_REAL_EXAMPLES", "60"))


def _submitted_id(answer: Answer) -> str | None:
    text = answer.stdout.strip()
    return text if answer.rc == 0 and text.isdigit() else None


LOAD_NOTES = ("dropped because it is full", "All queues dropped because of overload or full")
INFO = "scheduling info:"


def drop_load_notes(text: str) -> str:
    """`qstat -j` without the scheduler's notes on the cluster's load (other users of the real Grid
    Engine share it); the job's own notes (on hold, ...) stay."""
    out: list[str] = []
    notes: list[str] = []

    def flush() -> None:
        kept = [n for n in notes if not any(k in n for k in LOAD_NOTES)]
        out.extend(f"{INFO if i == 0 else '':<28}{n}" for i, n in enumerate(kept))
        notes.clear()

    for line in text.split("\n"):
        if line.startswith(INFO) or (notes and line.startswith(" " * 28)):
            notes.append(line[28:])
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out)


def normalise_detail(text: str, real_dir: Path, sim_dir: Path) -> str:
    """A `qstat -j` answer with its date, the side's work folder and the load notes made comparable."""
    return drop_load_notes(normalise_dates(text)).replace(str(sim_dir), str(real_dir))


# Each example submits a real held job and reads it back (~0.1 s of real scheduler calls). The project's
# profiles (100 examples by default, 500 under HYPOTHESIS_PROFILE=ci) would put hundreds of jobs through
# the real qmaster on every run, so this property sets its own count: 60 by default, more with
# CLUSTERJOB_REAL_EXAMPLES=N for a thorough run.
@settings(
    max_examples=REAL_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(script=sge_scripts())
@example(
    script="#!/bin/bash\n#$ -N myjob\n#$ -q all.q\n#$ -l h_rt=1:00:00,h_vmem=100M\n#$ -pe mpi 2\n"
    "#$ -o out.$JOB_ID -e /tmp/err\n#$ -cwd\necho hi\n"
)
@example(script="#!/bin/bash\necho first\n#$ -pe smp 1-2 -l h_rt=1.5\n#$ -N 'x y'\n")
@example(script="#!/bin/bash\n#$ -N a:b\n")
def test_directives_are_read_as_the_real_qsub_reads_them(
    script: str,
    site: SgeSite,
    real_jobs: RealJobs,
    module_cluster: SimCluster,
    dirs: tuple[Path, Path],
) -> None:
    real_dir, sim_dir = dirs
    for folder in dirs:
        (folder / "job.sh").write_text(script)
    real = run_real(QSUB_ARGS, real_dir)
    job_id = _submitted_id(real)
    real_jobs.add(job_id)
    real_detail = None
    if job_id is not None:
        real_detail = run_real(["qstat", "-j", job_id], real_dir)
        run_real(["qdel", job_id], real_dir)
        module_cluster.advance_job_ids(int(job_id))
    sim = run_sim(module_cluster, QSUB_ARGS, sim_dir)
    assert_same(sim, real, "qsub")
    try:
        alloc: Allocation | None = parse_submission(
            script,
            QSUB_ARGS[1:],
            pe_rules=site.pe_rules,
            config=module_cluster.config,  # the queues and hosts it checks
            cwd=str(real_dir),
        )
        refusal = None
    except DirectiveError as e:
        alloc, refusal = None, e
    if job_id is None:
        assert refusal is not None, f"real qsub refused this script:\n{real}"
        assert (refusal.message, refusal.exit_code) == (real.stderr, real.rc)
        return
    assert refusal is None, f"real qsub accepted what the simulator refuses: {refusal.message}"
    assert alloc is not None and real_detail is not None
    fields = qstat_fields(real_detail.stdout)
    assert actual_fields(fields, alloc.tasks_per_node, site) == expected_fields(
        alloc, "job.sh", str(real_dir), site
    )
    sim_detail = run_sim(module_cluster, ["qstat", "-j", job_id], sim_dir)
    assert_same(
        sim_detail.map(lambda t: normalise_detail(t, real_dir, sim_dir)),
        real_detail.map(lambda t: normalise_detail(t, real_dir, real_dir)),
        "qstat -j",
    )


# ---------------------------------------------------------------------------------------------------
# 2. Answers, byte for byte
# ---------------------------------------------------------------------------------------------------

SCRIPTS = {
    "ok.sh": "#!/bin/bash\nsleep 1\n",
    "fail.sh": "#!/bin/bash\nexit 3\n",
    "long.sh": "#!/bin/bash\nsleep 300\n",
    "timeout.sh": "#!/bin/bash\n#$ -l h_rt=0:0:5\nsleep 300\n",
    "bad.sh": "#!/bin/bash\n#$ -frobnicate\n",
    "stray.sh": "#!/bin/bash\n#$ -N a -N b stray\n",
}


def sge_id(answer: Answer) -> str | None:
    """The job id of qsub's answer (plain, job-array or -terse)."""
    found = re.search(r"(?:^Your job(?:-array)? |^)(\d+)(?:\.\S+)?(?: \(.*\) has been submitted)?$",
                      answer.stdout, re.M)  # fmt: skip
    return found.group(1) if found else None


USAGE_LINE = re.compile(
    r"^(ru_wallclock|ru_\w+|cpu|mem|io|iow|maxvmem)( +)\S.*$", re.M
)  # measured by the kernel: different in every run
PRIORITY = re.compile(r"^( *\d+ )[01]\.\d{5}(?= )", re.M)  # qstat's prior: relative to every job
# of the cluster, other users' too


def sge_normalise(text: str, side: Side) -> str:
    """What must differ between two runs: dates, usage figures, priorities, the scheduler's notes on
    the load at its last run (they come and go with its timing), the work folder."""
    text = USAGE_LINE.sub(r"\1\2<USAGE>", drop_load_notes(normalise_dates(text)))
    return normalise_paths(PRIORITY.sub(r"\1<PRIO>.", text), side)


def my_rows(side: Side) -> Callable[[Answer], Answer]:
    """Plain qstat limited to this side's jobs (other users of the real Grid Engine may have some)."""

    def keep(answer: Answer) -> Answer:
        lines = answer.stdout.splitlines(keepends=True)
        rows = [ln for ln in lines[2:] if ln.split() and ln.split()[0] in side.submitted]
        return Answer("".join(lines[:2] + rows) if rows else "", answer.stderr, answer.rc)

    return keep


QSUB_CASES = [
    ["-h", "ok.sh"],
    ["-h", "-terse", "ok.sh"],
    ["-h", "-N", "named", "-cwd", "ok.sh"],
    ["-h", "-t", "1-3:1", "ok.sh"],
    ["-h", "-N", "a", "-N", "b", "ok.sh"],
    ["-h", "stray.sh"],
    ["-frobnicate", "ok.sh"],
    ["bad.sh"],
    ["missing.sh"],
    ["-q", "nosuchq", "ok.sh"],
    ["-pe", "nosuchpe", "2", "ok.sh"],
    ["-pe", "mpi", "0", "ok.sh"],
    ["-l", "h_rt=abc", "ok.sh"],
    ["-l", "h_rt=5:30", "ok.sh"],
    ["-l", "rt=5", "-N", "1x", "ok.sh"],
    ["-N", "a/b", "ok.sh"],
    ["-N", "a b", "ok.sh"],
    ["-N", "a:b", "-q", "nosuchq", "ok.sh"],
    ["-t", "0", "ok.sh"],
    ["-o", "nosuchhost:/tmp/x", "ok.sh"],
    ["-pe", "mpi"],
    ["-N"],
    [],  # the script from stdin, which is empty
]


def play_on_sge(
    scenario: Callable[[Side], None],
    site: SgeSite,
    make_cluster: Callable[..., SimCluster],
    tmp_path: Path,
    real_jobs: RealJobs,
) -> None:
    """Replay a scenario on the real Grid Engine and on a simulated one shaped like it."""
    cluster = make_cluster("sge", **site.sim_config())
    play_both(scenario, SCRIPTS, tmp_path, cluster, real_jobs, sge_normalise)


def test_qsub_answers(
    site: SgeSite,
    real_jobs: RealJobs,
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    def scenario(side: Side) -> None:
        for case in QSUB_CASES:
            side.submit(["qsub", *case], sge_id)
        for job_id in side.submitted:
            side.run(["qdel", job_id])

    play_on_sge(scenario, site, sim_cluster, tmp_path, real_jobs)


def test_qstat_and_qdel_answers_while_pending_and_running(
    site: SgeSite,
    real_jobs: RealJobs,
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    def scenario(side: Side) -> None:
        _, held = side.submit(["qsub", "-h", "-terse", "-cwd", "ok.sh"], sge_id)
        running = [side.submit(["qsub", "-terse", "-cwd", "long.sh"], sge_id)[1] for _ in "12"]
        assert held and all(running), side.transcript

        def table(answer: Answer) -> bool:  # both slots taken by this side's two jobs
            rows = my_rows(side)(answer).stdout.splitlines()[2:]
            return [r.split()[4] for r in rows] == ["r", "r", "hqw"]

        side.poll(["qstat"], table, timeout=90)
        side.transcript[-1] = ("qstat", my_rows(side)(side.transcript[-1][1]))
        side.run(["qstat", "-j", held])  # on hold, in a full queue
        side.run(["qstat", "-j", UNKNOWN_ID])
        side.run(["qstat", "-j", f"{held},{UNKNOWN_ID}"])
        side.run(["qstat", "-j", f"{UNKNOWN_ID},999998"])
        side.run(["qdel", held])
        side.run(["qdel", *running])
        side.run(["qdel", UNKNOWN_ID])

    play_on_sge(scenario, site, sim_cluster, tmp_path, real_jobs)


# Submitters with different environments: qsub copies HOME, LOGNAME, PATH, MAIL, SHELL and TZ as SGE_O_*
# only when it has them, and qstat -j shows them (CI runs without SHELL; a cron job may have almost nothing).
SUBMITTER_ENVIRONMENTS: list[dict[str, str | None]] = [
    {"SHELL": None},
    {"SHELL": "/bin/zsh", "TZ": "UTC", "LOGNAME": "someone", "MAIL": "/var/mail/someone"},
    {"SHELL": None, "HOME": None, "LOGNAME": None, "TZ": None, "MAIL": None, "PATH": None},
]


def test_qstat_j_shows_what_the_submitters_environment_had(
    site: SgeSite,
    real_jobs: RealJobs,
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    def scenario(side: Side) -> None:
        for changes in SUBMITTER_ENVIRONMENTS:
            _, held = side.submit(
                ["qsub", "-h", "-terse", "-cwd", "ok.sh"], sge_id, env_changes=changes
            )
            assert held, side.transcript
            side.run(["qstat", "-j", held])
            side.run(["qdel", held])

    play_on_sge(scenario, site, sim_cluster, tmp_path, real_jobs)


FINISHED = ("ok.sh", "fail.sh", "timeout.sh", "long.sh")  # the last one is deleted while running


@pytest.fixture(scope="module", autouse=True)
def finished_jobs(
    site: SgeSite, real_jobs: RealJobs, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Side, Side]]:
    """Jobs that end completed, failed (exit 3), deleted while running and killed by h_rt, on both
    sides; started when the module starts so their accounting is written by the time it is read."""
    cluster = SimCluster("sge", tmp_path_factory.mktemp("finished-spool"), **site.sim_config())
    try:
        real, sim = sides(
            SCRIPTS,
            tmp_path_factory.mktemp("real-finished"),
            tmp_path_factory.mktemp("sim-finished"),
            cluster,
            real_jobs,
        )
        for side in (real, sim):
            sim.mirror = list(real.submitted)
            for script in FINISHED:
                side.submit(["qsub", "-terse", "-cwd", script], sge_id)
        for side in (real, sim):
            long = side.submitted[-1]

            def running(answer: Answer, long: str = long) -> bool:
                return any(
                    r.split()[:1] == [long] and " r " in r for r in answer.stdout.splitlines()
                )

            side.poll(["qstat"], running, timeout=90)
            side.transcript.pop()  # the whole table: other jobs may be listed on the real side
            side.run(["qdel", long])
        yield real, sim
    finally:
        cluster.kill_all()


def test_qacct_answers_for_finished_jobs(finished_jobs: tuple[Side, Side]) -> None:
    real, sim = finished_jobs
    for side in (real, sim):
        for job_id in side.submitted:  # real accounting records appear a few seconds after the end
            side.poll(["qacct", "-j", job_id], lambda a: a.rc == 0, timeout=90, interval=1)
        side.run(["qacct", "-j", UNKNOWN_ID])
        side.run(["qstat", "-j", side.submitted[0]])  # finished: unknown to qstat
    compare_transcripts(real, sim, sge_normalise)

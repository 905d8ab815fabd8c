"""The simulated Slurm against the REAL Slurm 22.05 on this machine: same scripts, same answers.

1. Directive semantics (a Hypothesis property): generated job scripts with #SBATCH headers are submitted
   held to the real Slurm; what it understood (`scontrol show job -o`, `squeue -o`) is compared field by
   field with `clusterjob_sim.slurm.parse_submission` and with the fake sbatch/squeue; scripts the real
   sbatch refuses must be refused alike (message and exit code).
2. Answers byte for byte: scenarios replayed against the real Slurm and a fresh simulated cluster shaped like
   it, compared after normalising only what must differ (dates, elapsed times, work folders).

Runs only with CLUSTERJOB_REAL_SLURM=1 (see conftest.py); every real job is cancelled at teardown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from clusterjob_sim.engine.allocation import Allocation, DirectiveError
from clusterjob_sim.pytest_fixtures import SimCluster, sim_cluster  # noqa: F401 (fixture)
from clusterjob_sim.slurm import parse_submission
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.real.differential import (
    UNKNOWN_ID,
    Answer,
    RealJobs,
    Side,
    compare_transcripts,
    module_sim_cluster,
    normalise_dates,
    normalise_paths,
    play_both,
    real_jobs_fixture,
    require_real,
    run_real,
    sides,
)

# ---------------------------------------------------------------------------------------------------
# The real cluster, and a simulated one shaped like it
# ---------------------------------------------------------------------------------------------------


def _minutes(text: str) -> int | None:
    """Minutes of a Slurm time limit as sinfo/scontrol print it (None: UNLIMITED)."""
    if text in ("UNLIMITED", "infinite"):
        return None
    days, _, rest = text.rpartition("-")
    parts = [int(p) for p in rest.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts
    return (int(days or 0) * 24 + h) * 60 + m + (1 if s else 0)


class SlurmSite:
    """What the real Slurm here looks like: its node, its partitions (read from sinfo)."""

    def __init__(self) -> None:
        cwd = Path("/")
        nodes = run_real(["sinfo", "-h", "-N", "-o", "%N %c %m"], cwd).stdout.split("\n")
        name, cpus, mem = nodes[0].split()
        self.node = {"name": name, "cores": int(cpus), "mem_mb": int(mem)}
        self.partitions: dict[str, int | None] = {}
        self.default_partition = ""
        for line in run_real(["sinfo", "-h", "-o", "%P %l"], cwd).stdout.splitlines():
            part, limit = line.split()
            if part.endswith("*"):
                part = part[:-1]
                self.default_partition = part
            self.partitions[part] = _minutes(limit)
        config = run_real(["scontrol", "show", "config"], cwd).stdout
        found = re.search(r"^ClusterName\s*=\s*(\S+)", config, re.M)
        self.cluster_name = found.group(1) if found else "cluster"
        found = re.search(r"^MinJobAge\s*=\s*(\d+)", config, re.M)
        self.min_job_age = int(found.group(1)) if found else 300

    def sim_config(self) -> dict[str, Any]:
        """create_spool overrides making a simulated Slurm like this one."""
        return {
            # a freshly installed scheduler's first id: the real ids are mirrored forward from there, and
            # ids only move forward (the simulator's realistic default is in the millions)
            "first_job_id": 1,
            "nodes": [dict(self.node)],
            "queues": {
                p: {
                    "max_time_s": None if minutes is None else minutes * 60,
                    "default_time_s": None,
                    "nodes": None,
                }
                for p, minutes in self.partitions.items()
            },
            "default_queue": self.default_partition,
            "cluster_name": self.cluster_name,
            "keep_finished_s": self.min_job_age,
            "enforce_part_limits": "NO",
        }


@pytest.fixture(scope="module")
def site() -> SlurmSite:
    require_real("slurm")
    return SlurmSite()


@pytest.fixture(scope="module")
def real_jobs(site: SlurmSite) -> Iterator[RealJobs]:
    yield from real_jobs_fixture(("scancel",))


@pytest.fixture(scope="module")
def module_cluster(
    site: SlurmSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SimCluster]:
    """One simulated cluster like the real one, for the property (its jobs stay held)."""
    yield from module_sim_cluster("slurm", site.sim_config(), tmp_path_factory)


# ---------------------------------------------------------------------------------------------------
# 1. Directive semantics
# ---------------------------------------------------------------------------------------------------


def encode_word(value: str, style: str) -> str:
    """One #SBATCH word that Slurm's directive reader turns back into `value`.

    Slurm's reader: a backslash copies the next character (but cannot protect a blank), quotes group, an
    unquoted '#' ends the line. `style` is bare, dq or sq (bare falls back to dq when it must).
    """
    if style == "bare" and value and not any(c.isspace() for c in value) and value[0] != ":":
        return "".join("\\" + c if c in "\\\"'#" else c for c in value)
    if style == "sq":
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def spell(long: str, short: str | None, value: str, how: int) -> list[str]:
    """An option with its value in one of its spellings: --long=V, --long V, -s V, -sV."""
    if short is None or how < 2:
        return [f"--{long}={value}"] if how % 2 == 0 else [f"--{long}", value]
    return [f"-{short}", value] if how == 2 else [f"-{short}{value}"]


NAME_CHARS = st.sampled_from(
    list("abcXYZ019") + list(" -_.*?$&;|()[]{}!~+,@%=:/<>^`") + ["\\", '"', "'", "#", "é", "€"]
)
OUT_PIECES = st.one_of(
    st.sampled_from(["%j", "%x", "%u", "%A", "%a", "%%", "%N", "%n", "%t", "%s", "%5j", "%3a"]),
    st.text(alphabet="abcxyz019._-", min_size=1, max_size=6),
    st.just("/"),
)

VALID_TIMES = st.one_of(
    st.integers(0, 3000).map(str),
    st.tuples(st.integers(0, 200), st.integers(0, 99)).map(lambda t: f"{t[0]}:{t[1]:02d}"),
    st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)).map(
        lambda t: f"{t[0]}:{t[1]}:{t[2]:02d}"
    ),
    st.tuples(st.integers(0, 30), st.integers(0, 48)).map(lambda t: f"{t[0]}-{t[1]}"),
    st.tuples(st.integers(0, 30), st.integers(0, 23), st.integers(0, 59)).map(
        lambda t: f"{t[0]}-{t[1]}:{t[2]:02d}"
    ),
    st.tuples(st.integers(0, 30), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)).map(
        lambda t: f"{t[0]}-{t[1]:02d}:{t[2]:02d}:{t[3]:02d}"
    ),
    st.sampled_from(["UNLIMITED", "INFINITE", "infinite", "unlimited", "-1", "0", "00:00", "1-"]),
)
BAD_TIMES = st.sampled_from(["abc", "1:2:3:4", "5:", " 5", "1.5", "1-2-3", "1:x", "2h"])
VALID_MEMS = st.one_of(
    st.tuples(st.integers(0, 6000), st.sampled_from(["", "M", "m", "MB"])).map(
        lambda t: f"{t[0]}{t[1]}"
    ),
    st.tuples(st.integers(1, 5), st.sampled_from(["G", "g", "GB"])).map(lambda t: f"{t[0]}{t[1]}"),
    st.tuples(st.integers(1, 9000), st.sampled_from(["K", "k"])).map(lambda t: f"{t[0]}{t[1]}"),
    st.sampled_from(["1T", "+100", " 100"]),
)
BAD_MEMS = st.sampled_from(["lots", "1.5G", "-5", "100X", "0x10", "1e3", "100 ", "G"])
BAD_COUNTS = st.sampled_from(["0", "abc", "1x", "-1", "0x2", "-0", '""', '"1 "'])


def count_word(draw: st.DrawFn, n: int) -> str:
    """A count as strtol reads it: usually plain, sometimes signed, zero-padded or after a blank."""
    return draw(st.sampled_from([str(n), str(n), str(n), f"+{n}", f"0{n}", f'" {n}"']))


@st.composite
def slurm_scripts(draw: st.DrawFn) -> str:
    """A batch script whose #SBATCH header asks for a random shape, in random but legal spellings
    (and, one time in five, with one bad value or word that the real sbatch refuses)."""
    site_cpus = (
        2  # CPUs every node of the real test cluster has at least (start-local-slurm: nproc)
    )
    options: list[list[str]] = []
    has_nodes = draw(st.booleans())
    one_node = False  # -N caps the job at one node (a range 1-3 or 1-0 lets Slurm spread it)
    if has_nodes:
        nodes = draw(st.sampled_from(["1", "1", "1", "+1", '" 1"', "1-1", "1-3", "1-0", "-1"]))
        one_node = nodes not in ("1-3", "1-0")
        options.append(spell("nodes", "N", nodes, draw(st.integers(0, 3))))
    tpn = draw(st.none() | st.integers(1, 3))
    cpt = draw(st.none() | st.integers(1, 3))
    if has_nodes and not one_node:
        tpn = None  # a node range with --ntasks-per-node: see the xfail below
    if tpn is not None:
        spelling = draw(st.sampled_from(["ntasks-per-node", "tasks-per-node"]))
        options.append(spell(spelling, None, count_word(draw, tpn), draw(st.integers(0, 1))))
    if cpt is not None:
        options.append(spell("cpus-per-task", "c", count_word(draw, cpt), draw(st.integers(0, 3))))
    # -n: consistent with the other counts; unless -N caps the job at one node, only as many tasks as
    # fit one node (Slurm spreads more over several: see the xfail below)
    if draw(st.booleans()):
        if tpn is not None:
            ntasks = tpn * (1 if has_nodes else draw(st.integers(1, 2)))
        elif one_node:
            ntasks = draw(st.integers(1, 3))
        else:
            ntasks = draw(st.integers(1, max(1, site_cpus // (cpt or 1))))
        options.append(spell("ntasks", "n", count_word(draw, ntasks), draw(st.integers(0, 3))))
    if draw(st.booleans()):
        options.append(spell("mem", None, draw(VALID_MEMS), draw(st.integers(0, 1))))
    if draw(st.booleans()):
        options.append(spell("time", "t", draw(VALID_TIMES), draw(st.integers(0, 3))))
    if draw(st.booleans()):
        part = draw(st.sampled_from(["debug", "short"]))
        options.append(spell("partition", "p", part, draw(st.integers(0, 3))))
    if draw(st.booleans()):
        name = draw(st.text(NAME_CHARS, min_size=1, max_size=24))
        style = draw(st.sampled_from(["bare", "dq", "sq"]))
        options.append(spell("job-name", "J", encode_word(name, style), draw(st.integers(0, 3))))
    for long, short in (("output", "o"), ("error", "e")):
        if draw(st.booleans()):
            path = "".join(draw(st.lists(OUT_PIECES, min_size=1, max_size=5)))
            if draw(st.booleans()):
                path = "/tmp/cj-diff/" + path
            style = draw(st.sampled_from(["bare", "dq", "sq"]))
            options.append(spell(long, short, encode_word(path, style), draw(st.integers(0, 3))))
    if draw(st.integers(0, 4)) == 0:  # one thing the real sbatch refuses
        bad = draw(
            st.sampled_from(["time", "mem", "cpus", "tpn", "nodes", "word", "option", "quote"])
        )
        if bad == "time":
            options.append(spell("time", "t", draw(BAD_TIMES), draw(st.integers(0, 3))))
        elif bad == "mem":
            options.append(spell("mem", None, draw(BAD_MEMS), 0))
        elif bad == "cpus":
            options.append(spell("cpus-per-task", "c", draw(BAD_COUNTS), draw(st.integers(0, 1))))
        elif bad == "tpn":
            options.append(spell("ntasks-per-node", None, draw(BAD_COUNTS), 0))
        elif bad == "nodes":
            nodes = draw(st.sampled_from(["abc", "2-1", "1-x", "x-1"]))
            options.append(spell("nodes", "N", nodes, draw(st.integers(0, 3))))
        elif bad == "word":
            options.append([draw(st.sampled_from(["foo", "job", "--", "-"]))])
        elif bad == "option":
            options.append([draw(st.sampled_from(["--foo", "-y", "--nod=1", "--hold=1", "-J"]))])
        else:
            options.append(["-J", '"unterminated'])
    draw(st.randoms()).shuffle(options)

    lines = ["#!/bin/bash"]
    i = 0
    while i < len(options):
        take = draw(st.integers(1, 2))
        words = [w for opt in options[i : i + take] for w in opt]
        i += take
        sep = draw(st.sampled_from([" ", "  ", "\t"]))
        line = "#SBATCH" + sep + sep.join(words)
        if draw(st.integers(0, 5)) == 0:
            line += " # a comment -J ignored"
        lines.append(line)
        extra = draw(st.integers(0, 9))
        if extra == 0:
            lines.append("")
        elif extra == 1:
            lines.append("# a comment #SBATCH -J not-this")
        elif extra == 2:
            lines.append("  #SBATCH --job-name=indented-is-ignored")
    lines.append(draw(st.sampled_from(["echo start", "srun hostname", "true"])))
    if draw(st.booleans()):
        lines.append("#SBATCH --job-name=after-the-first-command")
        lines.append("#SBATCH --bogus-after-command")
    lines.append("sleep 1")
    return "\n".join(lines) + "\n"


SCONTROL_KEYS = ("JobId", "JobName", "JobState", "TimeLimit", "Partition", "NumNodes", "NumCPUs",
                 "NumTasks", "CPUs/Task", "NtasksPerN:B:S:C", "MinMemoryNode", "WorkDir", "StdErr",
                 "StdOut")  # fmt: skip
FOLLOWERS = {"JobName": " UserId=", "StdErr": " StdIn=", "StdOut": " Power="}  # values with blanks


def scontrol_show(job_id: str) -> dict[str, str]:
    """Some fields of one real job from `scontrol show job -o` (values of a few may hold blanks)."""
    line = run_real(["scontrol", "show", "job", "-o", job_id], Path("/")).stdout
    fields = {}
    for key in SCONTROL_KEYS:
        start = 6 if key == "JobId" else line.index(f" {key}=") + len(key) + 2
        fields[key] = line[start : line.index(FOLLOWERS.get(key, " "), start)]
    return fields


def scontrol_path(pattern: str, job_id: str, name: str, user: str, workdir: str) -> str:
    """A stdout/stderr pattern as `scontrol show job` displays it (22.05 api/job_info.c _fname_format,
    checked here: %A %a %j %u replaced in turn, then %x; %% %N %5j ... left alone; relative paths
    joined to the work dir)."""
    text = pattern
    for key, value in (("%A", job_id), ("%a", "4294967294"), ("%j", job_id), ("%u", user)):
        text = text.replace(key, value)
    text = text.replace("%x", name)
    return text if text.startswith("/") else f"{workdir}/{text}"


def memory_mb(text: str) -> float:
    """MB of Slurm's memory display (0, 100M, 1.50G, 1T)."""
    factor = {"M": 1, "G": 1024, "T": 1024 * 1024}.get(text[-1:], None)
    return float(text) if factor is None else float(text[:-1]) * factor


def expected_fields(
    alloc: Allocation, job_id: str, script_name: str, workdir: str, site: SlurmSite
) -> dict[str, object]:
    """What `scontrol show job` must show for a job the simulator read as `alloc`."""
    name = script_name if alloc.name is None else alloc.name
    out = alloc.stdout or "slurm-%j.out"
    err = alloc.stderr or out
    partition = alloc.queue or site.default_partition
    return {
        "NumNodes": alloc.nodes,
        "NumTasks": alloc.total_tasks,
        "CPUs/Task": alloc.cpus_per_task,
        "MinMemoryNode": float(alloc.mem_mb_per_node or 0),
        "Partition": partition,
        "JobName": name,
        "StdOut": scontrol_path(out, job_id, name, "root", workdir),
        "StdErr": scontrol_path(err, job_id, name, "root", workdir),
    }


def actual_fields(fields: dict[str, str]) -> dict[str, object]:
    return {
        "NumNodes": int(fields["NumNodes"].split("-")[0]),
        "NumTasks": int(fields["NumTasks"]),
        "CPUs/Task": int(fields["CPUs/Task"]),
        "MinMemoryNode": memory_mb(fields["MinMemoryNode"]),
        "Partition": fields["Partition"],
        "JobName": fields["JobName"],
        "StdOut": fields["StdOut"],
        "StdErr": fields["StdErr"],
    }


SQUEUE_FORMAT = "%i|%P|%u|%T|%r|%D|%C|%l|%m|%c|%j"
SBATCH_ARGS = ["sbatch", "--hold", "--parsable", "job.sh"]
REAL_EXAMPLES = int(os.environ.get("CLUSTERJOB_REAL_EXAMPLES", "60"))


def _submitted_id(answer: Answer) -> str | None:
    if answer.rc != 0 or not answer.stdout.strip():
        return None
    return answer.stdout.strip().split("\n")[-1].split(";")[0]


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return tmp_path_factory.mktemp("real-directives"), tmp_path_factory.mktemp("sim-directives")


# Each example submits a real (held) job and reads it back (~0.1 s of real scheduler calls). The project's
# profiles (100 examples by default, 500 under HYPOTHESIS_PROFILE=ci) would put hundreds of jobs through
# the real controller on every run, so this property sets its own count: 60 by default, more with
# CLUSTERJOB_REAL_EXAMPLES=N for a thorough run.
@settings(
    max_examples=REAL_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(script=slurm_scripts())
@example(script="#!/bin/bash\n#SBATCH -N 1 -n 2 --mem=1536 -t 1:30 -J 'a b' -o o.%j.%x\ntrue\n")
@example(script="#!/bin/bash\n#SBATCH --ntasks-per-node=2 -c 2 -p short -t 20\ntrue\n")
@example(script='#!/bin/bash\n#SBATCH -J "unterminated\ntrue\n')
def test_directives_are_read_as_the_real_sbatch_reads_them(
    script: str,
    site: SlurmSite,
    real_jobs: RealJobs,
    module_cluster: SimCluster,
    dirs: tuple[Path, Path],
) -> None:
    real_dir, sim_dir = dirs
    (real_dir / "job.sh").write_text(script)
    (sim_dir / "job.sh").write_text(script)
    real = run_real(SBATCH_ARGS, real_dir)
    job_id = _submitted_id(real)
    real_jobs.add(job_id)
    real_squeue = real_fields = None
    if job_id is not None:
        real_fields = scontrol_show(job_id)
        real_squeue = run_real(["squeue", "-h", "-o", SQUEUE_FORMAT, "-j", job_id], real_dir)
        run_real(["scancel", job_id], real_dir)
    # the simulator's parser
    try:
        alloc: Allocation | None = parse_submission(script, SBATCH_ARGS[1:])
        refusal = None
    except DirectiveError as e:
        alloc, refusal = None, e
    # the simulator's sbatch and squeue, with the id the real one gave
    if job_id is not None:
        module_cluster.advance_job_ids(int(job_id))
    sim = Answer(*_run(module_cluster, SBATCH_ARGS, sim_dir))
    assert (sim.rc, sim.stderr, sim.stdout) == (real.rc, real.stderr, real.stdout), (
        f"fake sbatch answered differently\n--- real\n{real}--- simulated\n{sim}"
    )
    if job_id is None:
        assert refusal is not None, f"real sbatch refused this script:\n{real}"
        assert (refusal.message, refusal.exit_code) == (real.stderr.rstrip("\n"), real.rc)
        return
    assert refusal is None, f"real sbatch accepted what the simulator refuses: {refusal.message}"
    assert alloc is not None and real_fields is not None and real_squeue is not None
    want = expected_fields(alloc, job_id, "job.sh", str(real_dir), site)
    assert actual_fields(real_fields) == want
    limit = _minutes(real_fields["TimeLimit"])
    if alloc.walltime_s is None:
        assert limit is None or limit == site.partitions[str(want["Partition"])]
    else:
        assert limit == max(1, -(-alloc.walltime_s // 60))
    sim_squeue = Answer(
        *_run(module_cluster, ["squeue", "-h", "-o", SQUEUE_FORMAT, "-j", job_id], sim_dir)
    )
    assert sim_squeue == real_squeue


# Values on sbatch's command line (the other path into parse_submission), edge cases of each reader.
SITE_CHECKED = [["--cluster=x"], ["-M", "x,y"]]  # refused for the site's sake: the fake sbatch only
OPTION_VALUES = [
    *(["-t", v] for v in ["1-", "05", "0:0", "0-0", "0-0:1", "1-24", "1-1:2:3", "1:99:99", "1:60",
                          "10000000", "inFINite", "-1", ":5", "5:", "1--2", "1-2-3", "1:2:3:4",
                          "1-1:2:3:4", "1-:5", "+5", " 5", "5 ", "1:-5", "1.5", "1::", "::", "INF"]),
    *([f"--mem={v}"] for v in ["", "k", "0k", "1k", "1025k", "1kb", "1Kx", "1M ", "1g", "1G5", "1P",
                               "1t", "-0", "00", "99999999999999999999", " +7",
                               "0x10", "1536", "5000"]),
    *(["-N", v] for v in ["", "1k", "1K", " 1", "1 ", "+1", "0-1", "-2", "1-", "3-", "1-1k", "1,2",
                          "1-2:1", "2-1", "1x", "x"]),
    *(["-c", v] for v in [" 1", "+1", "-0", "1 ", "0", "", "01"]),
    *(["--ntasks-per-node", v] for v in ["0", "+2", "2x"]),
    *(["-n", v] for v in ["0", "-1", " 2"]),
    ["-N", "2", "-n", "1"],
    ["-n", "2", "--ntasks-per-node=1"],
    ["--clust=x"], ["--cont"], ["--n=1"], ["--tas=1"], ["--tres-per-task=cpu=1"],
    ["--ntasks-per-so=1"],
    *SITE_CHECKED,
]  # fmt: skip
OPTION_XFAIL = {
    ("-t", "-5"): (
        "real Slurm reads --time=-5 as -5 days (TimeLimit 2982611-04:17:00); the simulator refuses it "
        "as an invalid --time"
    ),
}


@pytest.mark.parametrize(
    "argv",
    [
        *OPTION_VALUES,
        *(
            pytest.param(list(k), marks=pytest.mark.xfail(strict=True, reason=why))
            for k, why in OPTION_XFAIL.items()
        ),
    ],
    ids=lambda argv: " ".join(argv),
)
def test_option_values_are_read_as_the_real_sbatch_reads_them(
    argv: list[str], site: SlurmSite, real_jobs: RealJobs, module_cluster: SimCluster,
    dirs: tuple[Path, Path],
) -> None:  # fmt: skip
    real_dir, sim_dir = dirs
    script = "#!/bin/bash\ntrue\n"
    for folder in dirs:
        (folder / "job.sh").write_text(script)
    args = ["sbatch", "--hold", "--parsable", *argv, "job.sh"]
    real = run_real(args, real_dir)
    job_id = _submitted_id(real)
    real_jobs.add(job_id)
    fields = scontrol_show(job_id) if job_id is not None else None
    if job_id is not None:
        run_real(["scancel", job_id], real_dir)
        module_cluster.advance_job_ids(int(job_id))
    sim = Answer(*_run(module_cluster, args, sim_dir))
    assert sim == real
    if argv in SITE_CHECKED:
        return  # parse_submission knows no site (its clusters, partitions)
    try:
        alloc = parse_submission(script, args[1:])
    except DirectiveError as e:
        assert job_id is None, f"real sbatch accepted what the simulator refuses: {e.message}"
        assert (e.message, e.exit_code) == (real.stderr.rstrip("\n"), real.rc)
        return
    assert job_id is not None and fields is not None, f"real sbatch refused it:\n{real}"
    assert actual_fields(fields) == expected_fields(alloc, job_id, "job.sh", str(real_dir), site)
    limit = _minutes(fields["TimeLimit"])
    if alloc.walltime_s is not None:
        assert limit == max(1, -(-alloc.walltime_s // 60))


def _run(cluster: SimCluster, argv: list[str], cwd: Path) -> tuple[str, str, int]:
    proc = cluster.run(argv, cwd=cwd, input="")
    return proc.stdout, proc.stderr, proc.returncode


@pytest.mark.xfail(
    strict=True,
    reason="without -N, real Slurm spreads -n tasks over as many nodes as their CPUs need (-n 3 on "
    "2-CPU nodes: NumNodes=2, NumTasks=3); the Allocation has one tasks_per_node for every node and "
    "parse_submission does not know the cluster, so it reads nodes=1 x 3 tasks",
)
def test_tasks_beyond_one_node_without_nodes(
    site: SlurmSite, real_jobs: RealJobs, dirs: tuple[Path, Path]
) -> None:
    real_dir, _ = dirs
    script = f"#!/bin/bash\n#SBATCH -n {site.node['cores'] + 1}\ntrue\n"
    (real_dir / "job.sh").write_text(script)
    job_id = _submitted_id(run_real(SBATCH_ARGS, real_dir))
    real_jobs.add(job_id)
    assert job_id is not None
    fields = actual_fields(scontrol_show(job_id))
    run_real(["scancel", job_id], real_dir)
    alloc = parse_submission(script, SBATCH_ARGS[1:])
    assert (fields["NumNodes"], fields["NumTasks"]) == (alloc.nodes, alloc.total_tasks)


@pytest.mark.xfail(
    strict=True,
    reason="with a node range and --ntasks-per-node, real Slurm 22.05's NumCPUs (squeue %C) is not "
    "tasks x cpus-per-task (seen for -N 1-3, tasks x cpus: 2x2 -> 2, 2x3 -> 3, 3x2 -> 6, 3x3 -> 3); "
    "the simulator shows tasks x cpus-per-task",
)
def test_cpu_count_of_a_node_range_with_tasks_per_node(
    site: SlurmSite, real_jobs: RealJobs, module_cluster: SimCluster, dirs: tuple[Path, Path]
) -> None:
    real_dir, sim_dir = dirs
    script = "#!/bin/bash\n#SBATCH -N 1-3 --ntasks-per-node=2 -c 2\ntrue\n"
    for folder in dirs:
        (folder / "job.sh").write_text(script)
    job_id = _submitted_id(run_real(SBATCH_ARGS, real_dir))
    real_jobs.add(job_id)
    assert job_id is not None
    real = run_real(["squeue", "-h", "-o", "%C", "-j", job_id], real_dir)
    run_real(["scancel", job_id], real_dir)
    module_cluster.advance_job_ids(int(job_id))
    _run(module_cluster, SBATCH_ARGS, sim_dir)
    sim = Answer(*_run(module_cluster, ["squeue", "-h", "-o", "%C", "-j", job_id], sim_dir))
    assert sim == real


# ---------------------------------------------------------------------------------------------------
# 2. Answers, byte for byte
# ---------------------------------------------------------------------------------------------------

SCRIPTS = {
    "ok.sh": "#!/bin/bash\ntrue\n",
    "fail.sh": "#!/bin/bash\nexit 3\n",
    "long.sh": "#!/bin/bash\nsleep 300\n",
    "timeout.sh": "#!/bin/bash\n#SBATCH --time=1\nsleep 300\n",
    "noshebang.sh": "echo no shebang\n",
    "empty.sh": "",
    "blank.sh": "  \n\n",
    "dos.sh": "#!/bin/bash\r\necho dos\r\n",
    "nul.sh": "#!/bin/bash\necho \0\n",
    "quote.sh": '#!/bin/bash\n#SBATCH -J "open\ntrue\n',
    "colon.sh": "#!/bin/bash\n#SBATCH -J :x\ntrue\n",
    "legacy.sh": "#!/bin/bash\n#SLURM -J legacy\ntrue\n",
}


def slurm_id(answer: Answer) -> str | None:
    """The job id of sbatch's answer (plain or --parsable)."""
    found = re.search(r"(?:^Submitted batch job |^)(\d+)(?:;\S+)?$", answer.stdout, re.M)
    return found.group(1) if found else None


def slurm_normalise(text: str, side: Side) -> str:
    """What must differ between the two runs: dates and the work folder."""
    return normalise_paths(normalise_dates(text), side)


def new_sim(factory: Callable[..., SimCluster], site: SlurmSite) -> SimCluster:
    return factory("slurm", **site.sim_config())


SBATCH_CASES = [
    ["--hold", "ok.sh"],
    ["--hold", "--parsable", "ok.sh"],
    ["--hold", "--parsable", "-M", "{cluster}", "ok.sh"],
    ["--hold", "-p", "short", "--time=20:00", "ok.sh"],
    ["--hold", "-N", "2", "-n", "1", "ok.sh"],
    ["--hold", "legacy.sh"],
    ["-p", "nopart", "ok.sh"],
    ["--foo", "ok.sh"],
    ["--time=abc", "ok.sh"],
    ["--mem=lots", "ok.sh"],
    ["-c", "0", "ok.sh"],
    ["-N", "2-1", "ok.sh"],
    ["noshebang.sh"],
    ["empty.sh"],
    ["blank.sh"],
    ["dos.sh"],
    ["nul.sh"],
    ["missing.sh"],
    ["quote.sh"],
    ["colon.sh"],
    ["-J"],
    # larger than the partition: pending (PartitionConfig); larger than any node: refused, unless held.
    # The refusal uses up a job id on both sides: it comes last, after the ids the sim mirrors.
    ["-c", "{cores_plus_one}", "ok.sh"],
    ["--hold", "--mem={mem_plus_one}", "ok.sh"],
    ["--mem={mem_plus_one}", "ok.sh"],
]


def test_sbatch_answers(
    site: SlurmSite,
    real_jobs: RealJobs,
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    def scenario(side: Side) -> None:
        for case in SBATCH_CASES:
            argv = [
                a.format(
                    cluster=site.cluster_name,
                    cores_plus_one=site.node["cores"] + 1,
                    mem_plus_one=site.node["mem_mb"] + 1,
                )
                for a in case
            ]
            side.submit(["sbatch", *argv], slurm_id)
        side.run(["scancel", *side.submitted])

    play_both(scenario, SCRIPTS, tmp_path, new_sim(sim_cluster, site), real_jobs, slurm_normalise)


def test_squeue_and_scancel_answers_while_pending_and_running(
    site: SlurmSite,
    real_jobs: RealJobs,
    sim_cluster: Callable[..., SimCluster],  # noqa: F811
    tmp_path: Path,
) -> None:
    def scenario(side: Side) -> None:
        _, held = side.submit(["sbatch", "--hold", "--parsable", "ok.sh"], slurm_id)
        _, running = side.submit(["sbatch", "--parsable", "long.sh"], slurm_id)
        assert held and running, side.transcript
        side.run(["squeue", "-h", "-o", "%T", "-j", held])
        side.poll(["squeue", "-h", "-o", "%T", "-j", running], lambda a: a.stdout == "RUNNING\n")
        side.run(["squeue", "-h", "-o", "%i %T", "-j", f"{held},{running},{UNKNOWN_ID}"])
        side.run(["squeue", "-h", "-o", "%i %P %j %u %t %D %R", "-j", f"{held},{running}"])
        side.run(["squeue", "-h", "-o", "%T", "-j", UNKNOWN_ID])
        side.run(["squeue", "-j", "abc"])
        side.run(["scancel", running])
        side.run(["scancel", held])
        side.poll(["squeue", "-h", "-o", "%T", "-j", running], lambda a: a == Answer("", "", 0))
        side.run(["squeue", "-h", "-o", "%T", "-j", held])
        side.run(["scancel", UNKNOWN_ID])
        side.run(["scancel", "abc"])

    play_both(scenario, SCRIPTS, tmp_path, new_sim(sim_cluster, site), real_jobs, slurm_normalise)


FINISHED = ("timeout.sh", "ok.sh", "fail.sh", "long.sh")  # the last one is cancelled while running


@pytest.fixture(scope="module", autouse=True)
def finished_jobs(
    site: SlurmSite, real_jobs: RealJobs, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Side, Side]]:
    """Jobs that end completed, failed (exit 3), cancelled while running and by their time limit, on
    both sides; started when the module starts, since Slurm's time-limit kill takes a minute or more."""
    cluster = SimCluster("slurm", tmp_path_factory.mktemp("finished-spool"), **site.sim_config())
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
                side.submit(["sbatch", "--parsable", script], slurm_id)
        for side in (real, sim):
            long = side.submitted[-1]
            side.poll(["squeue", "-h", "-o", "%T", "-j", long], lambda a: a.stdout == "RUNNING\n")
            side.run(["scancel", long])
        yield real, sim
    finally:
        cluster.kill_all()


def _all_ended(answer: Answer) -> bool:
    states = [line.split("|")[1] for line in answer.stdout.splitlines() if "|" in line]
    return len(states) == len(FINISHED) and not {"PENDING", "RUNNING"} & set(states)


def test_sacct_and_squeue_answers_for_finished_jobs(finished_jobs: tuple[Side, Side]) -> None:
    real, sim = finished_jobs
    ids = ",".join(real.submitted)
    for side in (real, sim):
        side.poll(
            ["sacct", "-n", "-X", "-P", "-j", ids, "--format=JobID,State,ExitCode"],
            _all_ended,
            timeout=200,  # Slurm checks time limits every 30 s or so and then signals the job
        )
        side.run(
            ["sacct", "-j", ids, "--format=JobID,JobName,State,ExitCode"]
        )  # padded, with steps
        side.run(["sacct", "-n", "-X", "-j", ids, "-o", "JobID,State,ExitCode"])
        side.run(["sacct", "-n", "-X", "-P", "-j", UNKNOWN_ID, "--format=JobID,State,ExitCode"])
        side.run(["squeue", "-h", "-o", "%T", "-j", side.submitted[1]])  # finished: nothing
    compare_transcripts(real, sim, slurm_normalise)

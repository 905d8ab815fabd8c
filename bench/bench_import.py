"""Import cost of every fake command, this tree against another git revision, measured side by side.

Run: python bench/bench_import.py [--baseline REV] [--rounds N] [--instructions]. For each scheduler it creates
one spool with this tree's simulators and one with REV's (extracted with `git archive`) and runs each command
once to learn which modules it imports (sys.modules, in the order they were first imported). The measure is a
replay of exactly those imports in a fresh `python -IS`, after what the bin script runs before its first import
(sys.path; gc.disable() where the script does it):
- by default, the sum of the "self" microseconds `-X importtime` reports (every module, including the
  scheduler package that the command runner loads with importlib, which a plain `-X importtime` of the
  command does not log), median of N interleaved rounds;
- with --instructions, the instructions the replay costs beyond `python -IS -c pass` (valgrind's callgrind:
  one run each, repeatable whatever else the machine is doing, unlike wall time).
Prints both trees and new/old (below 1 is faster). The default REV is 3b37eca, the last commit before the
simulators moved into packages (issue 8).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# scheduler -> (command, args); {job} is a held job submitted at set-up.
CALLS: dict[str, list[tuple[str, list[str]]]] = {
    "slurm": [
        ("sbatch", ["--hold", "job.sh"]),
        ("squeue", []),
        ("sacct", ["-j", "{job}"]),
        ("scancel", ["{job}"]),
        ("scontrol", ["show", "job", "{job}"]),
        ("sinfo", []),
    ],
    "torque": [
        ("qsub", ["-h", "job.sh"]),
        ("qstat", []),
        ("qstat", ["-f", "{job}"]),
        ("qdel", ["{job}"]),
    ],
    "pbspro": [
        ("qsub", ["-h", "job.sh"]),
        ("qstat", []),
        ("qstat", ["-f", "{job}"]),
        ("qdel", ["{job}"]),
    ],
    "lsf": [("bsub", ["-H", "true"]), ("bjobs", []), ("bkill", ["{job}"])],
    "sge": [
        ("qsub", ["-h", "job.sh"]),
        ("qstat", []),
        ("qacct", ["-j", "{job}"]),
        ("qdel", ["{job}"]),
    ],
}
# Runs a bin script as its shebang would (exec, not runpy: runpy imports re, typing, pkgutil) and writes, as
# JSON, the modules it added to sys.modules, in first-import order.
RECORD = """
import sys
before = set(sys.modules)
script, out = sys.argv[1], sys.argv[2]
sys.argv = [script] + sys.argv[3:]
with open(script) as f:
    code = compile(f.read(), script, "exec")
try:
    exec(code, {"__name__": "__main__", "__file__": script})
except SystemExit:
    pass
added = [m for m in sys.modules if m not in before]
import json
with open(out, "w") as f:
    f.write(json.dumps(added))
"""


def extract(rev: str, into: Path) -> Path:
    """The simulators folder of git revision `rev`, written under `into`."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "baseline.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", "-C", str(REPO), "archive", rev, "simulators"], stdout=out, check=True
        )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "simulators"


def make_spool(tree: Path, spool: Path, scheduler: str) -> str:
    """Create a spool with `tree`'s simulators (in a child interpreter) and a held job; return its job id."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from clusterjob_sim.activate import create_spool\n"
        "from clusterjob_sim.engine import Engine\n"
        "create_spool(sys.argv[2], sys.argv[3])\n"
        "jobs = Engine(sys.argv[2]).submit({'name': 'held', 'script': '#!/bin/sh\\ntrue\\n', 'held': 1})\n"
        "print(jobs[0].job_id if isinstance(jobs, list) else jobs.job_id)\n"
    )
    answer = subprocess.run(
        [sys.executable, "-I", "-c", code, str(tree), str(spool), scheduler],
        capture_output=True,
        text=True,
        check=True,
    )
    return answer.stdout.strip().splitlines()[-1]


def command_imports(script: Path, args: list[str], cwd: Path) -> list[str]:
    """The imports one run of the bin script made, as a replayable order: the top-level imports `-X importtime`
    logs (in order; nested ones follow from them), then the modules only sys.modules shows (those the command
    runner loads with importlib.import_module, which the log leaves out). Runs warm (.pyc written first)."""
    out = cwd / "imports.json"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "USER": "bench"}
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-IS", "-c", RECORD, str(script), str(out), *args],
            capture_output=True,
            cwd=cwd,
            env=env,
            check=False,
        )
    added = [m for m in json.loads(out.read_text()) if m != "__main__"]
    log = subprocess.run(
        [sys.executable, "-IS", "-X", "importtime", str(script), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    ).stderr
    logged, top_level = set(), []
    for line in log.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            field = line.rsplit("|", 1)[1]
            name = field.strip()
            logged.add(name)
            if field[:2] == " " + name[:1] and name in added:
                top_level.append(name)
    return top_level + [m for m in added if m not in logged]


def preamble(script: Path) -> list[str]:
    """What the bin script runs before its first import of clusterjob_sim (sys.path, and gc.disable() in
    scripts that do it), so that the replay starts in the same state as the command."""
    lines = []
    for line in script.read_text().splitlines()[1:]:
        if line.startswith(("from clusterjob_sim", "import clusterjob_sim")):
            break
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def replay(script: Path, modules: list[str]) -> str:
    """Python code running the bin script's preamble, then importing `modules` in order."""
    return "\n".join(preamble(script) + [f"import {m}" for m in modules])


def import_us(code: str) -> int:
    """Sum of the self times (us) -X importtime reports for `python -IS -c code`."""
    answer = subprocess.run(
        [sys.executable, "-IS", "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    total = 0
    for line in answer.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            field = line.split(":", 1)[1].split("|")[0].strip()
            if field.isdigit():
                total += int(field)
    return total


def instructions(code: str) -> int:
    """Instructions callgrind counts for `python -IS -c code`."""
    answer = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-IS",
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in answer.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    raise RuntimeError(f"no instruction count from callgrind: {answer.stderr[-500:]}")


def main() -> None:
    """Learn each command's imports in both trees, then measure their replays; print both and new/old."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default="3b37eca", help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions (valgrind) instead"
    )
    parser.add_argument(
        "--only", default=",".join(CALLS), help="schedulers to measure, comma separated"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        root = Path(tmp)
        (root / "job.sh").write_text("#!/bin/sh\ntrue\n")
        trees = {"old": extract(options.baseline, root / "old"), "new": REPO / "simulators"}
        cases: list[tuple[str, str, dict[str, str]]] = []  # (scheduler, call, {tree: replay code})
        for scheduler, calls in CALLS.items():
            if scheduler not in options.only.split(","):
                continue
            if scheduler not in options.only.split(","):
                continue
            jobs = {
                label: make_spool(tree, root / f"{label}-{scheduler}", scheduler)
                for label, tree in trees.items()
            }
            for command, args in calls:
                codes = {}
                for label in trees:
                    script = root / f"{label}-{scheduler}" / "bin" / command
                    modules = command_imports(
                        script, [a.format(job=jobs[label]) for a in args], root
                    )
                    codes[label] = replay(script, modules)
                cases.append((scheduler, " ".join([command, *args]), codes))
        if options.instructions:
            floor = instructions("pass")
            print(
                f"instructions of each command's imports (callgrind; beyond python -IS -c pass: {floor:,})"
            )
            results = {
                (s, c, label): instructions(code) - floor
                for s, c, codes in cases
                for label, code in codes.items()
            }
        else:
            samples: dict[tuple[str, str, str], list[int]] = {}
            for _ in range(options.rounds):
                for s, c, codes in cases:
                    for label, code in codes.items():
                        samples.setdefault((s, c, label), []).append(import_us(code))
            print(
                f"import time of each command's imports (sum of -X importtime self us, median of {options.rounds})"
            )
            results = {key: int(statistics.median(values)) for key, values in samples.items()}
        print(f"old = {options.baseline}, new = this tree")
        print(f"{'scheduler':<8} {'command':<24} {'old':>12} {'new':>12} {'new/old':>8}")
        ratios = []
        for s, c, _codes in cases:
            old, new = results[(s, c, "old")], results[(s, c, "new")]
            ratios.append(new / old)
            print(f"{s:<8} {c:<24} {old:>12,} {new:>12,} {new / old:>8.2f}")
        print(
            f"geometric mean new/old: {statistics.geometric_mean(ratios):.2f}; worst {max(ratios):.2f}"
        )


if __name__ == "__main__":
    main()

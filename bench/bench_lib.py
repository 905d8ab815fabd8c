"""Benchmark of the library (a script, not a test): ratios measured side by side in one run.

Run: python bench/bench_lib.py [--rounds N] [--original DIR]. Prints medians of CPU time (process_time,
so other load on a shared machine counts less) and their ratios:
- refresh_statuses of 1,000 / 10,000 / 100,000 Slurm runs against an in-process squeue/sacct answer
  (the library's own cost; the simulator's is bench_sim.py's): 10k/1k and 100k/10k (goal <= 10x);
- status chunking: splitting 100,000 runs into commands that fit the OS argument limits, against
  building the one (too long) command;
- cache writes of 1,000 runs that finish in one refresh_statuses, against what they cost before
  (two atomic writes per run, each with its folder fsync'ed);
- rendering one script (the same, and a new one each time) against str.format of an equivalent
  template, and, with --original DIR (an unpacked clusterjob 1.1.3 sdist), against the original
  clusterjob's Job.__str__ run in a subprocess between our rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from clusterjob import JobScript
from clusterjob.backends.slurm import SlurmBackend
from clusterjob.batch import refresh_statuses, status_chunks
from clusterjob.result import AsyncResult, write_atomically
from clusterjob.runners import CommandOutput, LocalRunner, RetryPolicy, Runner

BODY = (
    "srun ./simulate --out $CLUSTERJOB_WORKDIR/result.$CLUSTERJOB_ID\necho $CLUSTERJOB_NODELIST\n"
)
RESOURCES: dict[str, Any] = dict(
    nodes=2, ppn=32, threads=1, time="2:00:00", mem="4G", queue="normal", stdout="out.log"
)
TEMPLATE = (
    "#!{interpreter}\n#SBATCH --job-name={name}\n#SBATCH --partition={queue}\n#SBATCH --time={time}\n"
    "#SBATCH --nodes={nodes}\n#SBATCH --ntasks-per-node={ppn}\n#SBATCH --cpus-per-task={threads}\n"
    "#SBATCH --mem={mem}\n#SBATCH --output={out}\n{body}"
)
ORIGINAL = """
import sys, time
sys.path.insert(0, sys.argv[1])
from clusterjob import Job
job = Job({body!r}, "sim1", backend="slurm", nodes=2, threads=32, time="02:00:00", mem=4096,
          queue="normal", stdout="out.log")
str(job)
start = time.process_time()
for _ in range({n}):
    str(job)
print((time.process_time() - start) / {n})
"""


class Squeue(Runner):
    """Answers squeue/sacct -j ID,ID,... in-process: every id RUNNING, or COMPLETED in sacct."""

    kind = "bench-squeue"

    def __init__(self, finished: bool = False) -> None:
        super().__init__(retry=RetryPolicy(attempts=1))
        self.finished = finished

    def _execute(self, argv: Sequence[str], **kwargs: Any) -> CommandOutput:
        ids = argv[list(argv).index("-j") + 1].split(",")
        if argv[0] == "squeue":
            text = "" if self.finished else "".join(f"{i} RUNNING\n" for i in ids)
        else:
            text = "".join(f"{i}|COMPLETED|0:0\n" for i in ids)
        return CommandOutput(tuple(argv), 0, text, "")

    def write_file(self, path: str, text: str, mode: int = 0o755) -> None:
        raise NotImplementedError

    def _spec(self) -> dict[str, Any]:
        return {"finished": self.finished}

    @classmethod
    def _from_spec(cls, spec: Mapping[str, Any], **common: Any) -> Squeue:
        return cls(bool(spec["finished"]))

    def describe(self) -> str:
        return "in-process squeue"


def cpu(action: Callable[[], object]) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def refresh(count: int) -> Callable[[], object]:
    backend, runner = SlurmBackend(), Squeue()
    runs = [AsyncResult(backend, str(10_000_000 + i), runner) for i in range(count)]
    return lambda: refresh_statuses(runs)


def cache_cases(root: str, count: int) -> tuple[Callable[[], object], Callable[[], object]]:
    """(refresh_statuses of `count` cached runs that finish now, the former cost: 2 writes each)."""
    state = {"round": 0}

    def batched() -> None:
        state["round"] += 1
        folder = os.path.join(root, f"new{state['round']}")
        runner = Squeue(finished=True)
        runs = [
            AsyncResult(
                "slurm", str(10_000_000 + i), runner, cache_file=os.path.join(folder, f"{i}.json")
            )
            for i in range(count)
        ]
        refresh_statuses(runs)

    def former() -> None:
        state["round"] += 1
        folder = os.path.join(root, f"old{state['round']}")
        for i in range(count):
            run = AsyncResult("slurm", str(10_000_000 + i), cache_file=os.path.join(folder, f"{i}"))
            for _ in range(2):
                write_atomically(run.cache_file or "", str(run.to_dict()))

    return batched, former


def render_cases() -> dict[str, Callable[[], object]]:
    job = JobScript(BODY, "sim1", backend="slurm", **RESOURCES)
    fresh = iter(range(10**9))

    def new_job() -> str:
        i = next(fresh)
        return str(JobScript(BODY + f"# {i}\n", f"sim{i}", backend="slurm", **RESOURCES))

    def fmt() -> str:
        body = BODY.replace("$CLUSTERJOB_WORKDIR", "$SLURM_SUBMIT_DIR")
        body = body.replace("$CLUSTERJOB_ID", "$SLURM_JOB_ID").replace(
            "$CLUSTERJOB_NODELIST", "$SLURM_JOB_NODELIST"
        )
        return TEMPLATE.format(
            interpreter="/bin/bash", name="sim1", queue="normal", time="02:00:00", nodes=2, ppn=32,
            threads=1, mem=4096, out="out.log", body=body,
        )  # fmt: skip

    return {"render (same script)": job.render, "render (new script)": new_job, "str.format": fmt}


def per_call(action: Callable[[], object], n: int) -> float:
    return cpu(lambda: [action() for _ in range(n)]) / n


def main() -> None:
    """Every case round-robin (so load on the machine hits all alike); medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--original", help="folder of an unpacked clusterjob 1.1.3 sdist")
    args = parser.parse_args()
    samples: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        samples.setdefault(name, []).append(value)

    with tempfile.TemporaryDirectory(prefix="bench-lib-") as root:
        batched, former = cache_cases(root, 1000)
        renders = render_cases()
        runner = LocalRunner()
        runs_100k = [AsyncResult("slurm", str(10_000_000 + i), runner) for i in range(100_000)]
        for _ in range(args.rounds):
            for count in (1_000, 10_000, 100_000):
                add(f"refresh_statuses {count:,} runs", cpu(refresh(count)))
            add(
                "status_chunks 100,000 runs",
                cpu(lambda: status_chunks(SlurmBackend(), runner, runs_100k)),
            )
            add(
                "one cmd_status_many 100,000",
                cpu(lambda: SlurmBackend().cmd_status_many(runs_100k)),
            )
            add("cache: 1,000 runs finish (batched)", cpu(batched))
            add("cache: 1,000 runs, 2 writes each (before)", cpu(former))
            for name, action in renders.items():
                add(name, per_call(action, 2000))
            if args.original:
                script = ORIGINAL.format(body=BODY, n=2000)
                out = subprocess.run(
                    [sys.executable, "-I", "-c", script, args.original],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                add("original clusterjob 1.1.3 Job.__str__", float(out.stdout))
        chunks = status_chunks(SlurmBackend(), runner, runs_100k)
    med = {name: statistics.median(values) for name, values in samples.items()}
    width = max(map(len, med))
    for name, value in med.items():
        unit, scale = ("us", 1e6) if value < 1e-3 else ("ms", 1e3)
        print(f"{name:<{width}}  {value * scale:10.1f} {unit}")
    print(
        f"\n100,000 Slurm runs: {len(chunks)} status calls of at most {max(len(c) for c, _ in chunks):,} ids"
    )
    ratios = [
        ("refresh_statuses 10k / 1k (goal <= 10)", "refresh_statuses 10,000 runs", "refresh_statuses 1,000 runs"),
        ("refresh_statuses 100k / 10k", "refresh_statuses 100,000 runs", "refresh_statuses 10,000 runs"),
        ("status_chunks / one command", "status_chunks 100,000 runs", "one cmd_status_many 100,000"),
        ("cache writes batched / before", "cache: 1,000 runs finish (batched)", "cache: 1,000 runs, 2 writes each (before)"),
        ("render same / str.format", "render (same script)", "str.format"),
        ("render new / str.format", "render (new script)", "str.format"),
        ("render same / original", "render (same script)", "original clusterjob 1.1.3 Job.__str__"),
        ("render new / original", "render (new script)", "original clusterjob 1.1.3 Job.__str__"),
    ]  # fmt: skip
    print()
    for label, top, bottom in ratios:
        if top in med and bottom in med:
            print(f"{label:<40} {med[top] / med[bottom]:6.2f}x")


if __name__ == "__main__":
    main()

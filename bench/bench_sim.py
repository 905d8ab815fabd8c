"""Benchmark of the simulated schedulers' commands (a script, not a test): latency ratios side by side.

Run: python bench/bench_sim.py [--rounds N]. Prints the median wall time of each command and its ratio to
`python -c pass` in the same interpreter (target <= 2x), and squeue/sacct with 10,000 jobs in the spool
against 10 (target <= 2x). The 10,000 jobs are inserted with the engine's own Engine.insert_many.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clusterjob_sim.activate import create_spool, env_vars
from clusterjob_sim.engine.core import Engine


def make_spool(root: Path, name: str, finished: int) -> Path:
    """A slurm spool with 10 held (pending) jobs and `finished` old finished ones (past MinJobAge)."""
    spool = create_spool(root / name, "slurm", nodes=4, cores_per_node=8)
    engine = Engine(spool)
    old = time.time() - 86400
    engine.insert_many(
        {
            "name": f"old{i}",
            "script": "#!/bin/sh\ntrue\n",
            "queue": "debug",
            "state": "COMPLETED",
            "submit_time": old,
            "start_time": old,
            "end_time": old + 1,
            "exit_code": 0,
            "signal": 0,
            "nodelist": "node01",
        }
        for i in range(finished)
    )
    for _ in range(10):
        engine.submit({"name": "held", "script": "#!/bin/sh\ntrue\n", "held": 1, "queue": "debug"})
    engine.close()
    return spool


def timed(argv: list[str], env: dict[str, str] | None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    """Measure every case round-robin (so machine noise hits all alike) and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="bench-sim-") as tmp:
        root = Path(tmp)
        small = make_spool(root, "small", 0)
        big = make_spool(root, "big", 10_000)
        running = create_spool(root / "run", "slurm", nodes=4, cores_per_node=1000)
        env_run = {**env_vars("slurm", running), "HOME": tmp}
        env_small = {**env_vars("slurm", small), "HOME": tmp}
        env_big = {**env_vars("slurm", big), "HOME": tmp}
        job_small = str(Engine(small).jobs(view="live")[-1].job_id)
        job_big = str(Engine(big).jobs(view="live")[-1].job_id)
        cases: dict[str, tuple[list[str], dict[str, str] | None]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], None),
            "sbatch --hold (10 jobs)": (["sbatch", "--hold", "--wrap", "true"], env_small),
            "squeue (10 jobs)": (["squeue"], env_small),
            "squeue (10,010 jobs)": (["squeue"], env_big),
            "squeue -j ID (10 jobs)": (["squeue", "-h", "-o", "%T", "-j", job_small], env_small),
            "squeue -j ID (10,010 jobs)": (["squeue", "-h", "-o", "%T", "-j", job_big], env_big),
            "sacct -j ID (10 jobs)": (["sacct", "-n", "-X", "-P", "-j", job_small], env_small),
            "sacct -j ID (10,010 jobs)": (["sacct", "-n", "-X", "-P", "-j", job_big], env_big),
            "sbatch --hold (10,010 jobs)": (["sbatch", "--hold", "--wrap", "true"], env_big),
        }
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(rounds):
            for name, (argv, env) in cases.items():
                samples[name].append(timed(argv, env))
        # A submission that starts its job forks the job's runner: measured apart, letting each job end
        # before the next sample, so the runners never compete with the other measurements.
        engine = Engine(running)
        samples["sbatch (starts the job)"] = []
        for _ in range(rounds):
            samples["sbatch (starts the job)"].append(timed(["sbatch", "--wrap", "true"], env_run))
            while engine.jobs(states=("PENDING", "RUNNING")):
                time.sleep(0.01)
        engine.close()
        medians = {name: statistics.median(values) * 1000 for name, values in samples.items()}
        base = medians["python -c pass"]
        print(f"median of {rounds} runs each, interleaved; python: {sys.executable}")
        print(f"{'command':32} {'ms':>8} {'x python -c pass':>18}")
        for name, ms in medians.items():
            print(f"{name:32} {ms:8.1f} {ms / base:18.2f}")
        print()
        for what in ("squeue", "squeue -j ID", "sacct -j ID", "sbatch --hold"):
            ratio = medians[f"{what} (10,010 jobs)"] / medians[f"{what} (10 jobs)"]
            print(f"{what:32} 10,010 jobs vs 10: {ratio:.2f}x")


if __name__ == "__main__":
    main()

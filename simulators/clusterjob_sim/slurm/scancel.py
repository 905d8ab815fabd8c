"""Fake scancel: silent, rc 0 even for unknown or finished ids; cancels pending and running jobs."""

from __future__ import annotations

from clusterjob_sim.slurm import output as c
from clusterjob_sim.slurm.cmdline import (
    NONE,
    REQ,
    OptionError,
    getopt,
    parse_job_ids,
    refusal,
    select,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context

# scancel 22.05 (src/scancel/opt.c)
SCANCEL: dict[str, tuple[str, int]] = {
    "account": ("A", REQ), "batch": ("b", NONE), "ctld": ("", NONE), "full": ("f", NONE),
    "help": ("", NONE), "hurry": ("H", NONE), "interactive": ("i", NONE), "cluster": ("M", REQ),
    "clusters": ("M", REQ), "jobname": ("n", REQ), "me": ("", NONE), "name": ("n", REQ),
    "nodelist": ("w", REQ), "partition": ("p", REQ), "qos": ("q", REQ), "quiet": ("Q", NONE),
    "reservation": ("R", REQ), "sibling": ("", REQ), "signal": ("s", REQ), "state": ("t", REQ),
    "usage": ("", NONE), "user": ("u", REQ), "verbose": ("v", NONE), "version": ("V", NONE),
    "wckey": ("", REQ),
}  # fmt: skip
SCANCEL_ALIASES = {"cluster": "clusters", "jobname": "name"}
# The manual's options this fake acts on as scancel does. --ctld only routes the request through the
# controller, which is where a cancel of whole jobs goes anyway: the answer and the effect are the same.
IMPLEMENTED = frozenset({
    "--ctld", "--help", "-n", "--jobname", "--name", "--me", "-p", "--partition", "-Q", "--quiet", "-t",
    "--state",
    "--usage", "-u", "--user", "-v", "--verbose", "-V", "--version",
})  # fmt: skip
_ASKS = "asks on the terminal before each cancel; the simulator's commands never prompt"
REFUSED = {"-i": _ASKS, "--interactive": _ASKS}


def main(ctx: Context) -> int:
    """scancel [-u USER] [-n NAME] [-p PARTITION] [-t STATE] [-v] [JOBID[_TASK] ...]."""
    spelled: list[str] = []
    try:
        found, operands = getopt(
            ctx.argv, "scancel", SCANCEL, permute=True, exit_code=1, aliases=SCANCEL_ALIASES,
            spelled=spelled,
        )  # fmt: skip
    except OptionError as e:
        ctx.err.write(e.text)
        return e.exit_code
    opts: dict[str, Any] = {}
    for name, value in found:  # the last one wins (opt.c keeps one value of each)
        if name == "me":  # --me sets the user to the caller, as -u does
            from clusterjob_sim.engine.jobs import user_name

            name, value = "user", user_name()
        opts[name] = value
    if "help" in opts or "usage" in opts:
        ctx.out.write("Usage: scancel [OPTIONS] [job_id[_array_id][.step_id]]\n")
        return 0
    if "version" in opts:
        ctx.out.write("slurm 22.05.8\n")
        return 0
    refused = refusal("scancel", found, spelled, IMPLEMENTED, SCANCEL, SCANCEL_ALIASES)
    if refused:
        ctx.err.write(refused)
        return 1
    filters = [k for k in ("user", "name", "partition", "state") if k in opts]
    wanted = []
    for word in operands:
        ids = parse_job_ids(word.split(".")[0])
        if ids is None or not ids:
            ctx.err.write(f"scancel: error: Invalid job id {word}\n")
            return 1
        wanted.extend(ids)
    if not wanted and not filters:
        ctx.err.write("scancel: error: No job identification provided\n")
        return 1
    engine = ctx.engine
    active = ("PENDING", "RUNNING")
    if wanted:
        jobs = select(engine.jobs(sorted({b for b, _ in wanted}), view="live"), wanted)
    else:
        jobs = engine.jobs(states=active, view="live")
    jobs = _filter(jobs, opts)
    hit = engine.cancel([j for j in jobs if j.state in active])
    if (
        "verbose" in opts and "quiet" not in opts
    ):  # -Q: "Do not report an error if the specified job is
        for (
            base,
            task,
        ) in wanted:  # already completed" (scancel(1)); without -v nothing is reported anyway
            label = f"{base}_{task}" if task is not None else str(base)
            if not select(hit, [(base, task)]):
                known = select(jobs, [(base, task)])
                why = (
                    "Job/step already completing or completed"
                    if known
                    else "Invalid job id specified"
                )
                ctx.err.write(f"scancel: error: Kill job error on job id {label}: {why}\n")
        return 1 if len(hit) < len(wanted) else 0
    return 0


def _filter(jobs: list[Any], opts: dict[str, Any]) -> list[Any]:
    """Apply scancel's -u (or --me)/-n/-p/-t filters."""
    if opts.get("user"):
        users = opts["user"].split(",")
        jobs = [j for j in jobs if j.user in users or str(j.uid) in users]
    if opts.get("name"):
        jobs = [j for j in jobs if j.name in opts["name"].split(",")]
    if opts.get("partition"):
        jobs = [j for j in jobs if j.queue in opts["partition"].split(",")]
    if opts.get("state"):
        states = {s.upper() for s in opts["state"].split(",")}
        jobs = [
            j for j in jobs if j.state in states or c.STATES.get(j.state, ("", ""))[1] in states
        ]
    return jobs

"""Fake sacct: the accounting view (every job not lost), with job steps, sacct's padding and parsable modes."""

from __future__ import annotations

import time

from clusterjob_sim.slurm import output as c
from clusterjob_sim.slurm.cmdline import (
    NONE,
    OPT,
    REQ,
    OptionError,
    getopt,
    parse_job_ids,
    refusal,
    select,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Step

# sacct 22.05 (src/sacct/options.c); -t is an old spelling of -X
SACCT: dict[str, tuple[str, int]] = {
    "allusers": ("a", NONE), "accounts": ("A", REQ), "allocations": ("X", NONE), "brief": ("b", NONE),
    "batch-script": ("B", NONE), "completion": ("c", NONE), "constraints": ("C", REQ),
    "delimiter": ("", REQ), "duplicates": ("D", NONE), "federation": ("", NONE),
    "helpformat": ("e", NONE), "help-fields": ("e", NONE), "endtime": ("E", REQ),
    "env-vars": ("", NONE), "file": ("f", REQ), "flags": ("F", REQ), "gid": ("g", REQ),
    "group": ("g", REQ), "help": ("h", NONE), "local": ("", NONE), "name": ("", REQ),
    "nnodes": ("i", REQ), "ncpus": ("I", REQ), "jobs": ("j", REQ), "timelimit-min": ("k", REQ),
    "timelimit-max": ("K", REQ), "long": ("l", NONE), "allclusters": ("L", NONE),
    "cluster": ("M", REQ), "clusters": ("M", REQ), "nodelist": ("N", REQ), "noconvert": ("", NONE),
    "units": ("", REQ), "noheader": ("n", NONE), "fields": ("o", REQ), "format": ("o", REQ),
    "parsable": ("p", NONE), "parsable2": ("P", NONE), "qos": ("q", REQ), "partition": ("r", REQ),
    "reason": ("R", REQ), "state": ("s", REQ), "starttime": ("S", REQ), "truncate": ("T", NONE),
    "uid": ("u", REQ), "use-local-uid": ("", NONE), "usage": ("U", NONE), "user": ("u", REQ),
    "verbose": ("v", NONE), "version": ("V", NONE), "wckeys": ("W", REQ),
    "whole-hetjob": ("", OPT), "associations": ("x", REQ), "json": ("", NONE), "yaml": ("", NONE),
    "-t": ("t", NONE),
}  # fmt: skip
SACCT_ALIASES = {"help-fields": "helpformat", "group": "gid", "cluster": "clusters", "fields": "format",
                 "uid": "user", "-t": "allocations"}  # fmt: skip
# The manual's options this fake acts on as sacct does; --local keeps sacct to the local cluster of a
# federation, and the simulated cluster is in none, so it leaves the answer as it is.
IMPLEMENTED = frozenset({
    "-X", "--allocations", "-a", "--allusers", "-b", "--brief", "--delimiter", "-o", "--format", "-h",
    "--help", "-j", "--jobs", "--local", "--name", "-n", "--noheader", "-p",
    "--parsable", "-P", "--parsable2", "-r", "--partition", "-s", "--state", "-u", "--uid", "--user",
    "--usage", "-V", "--version", "-M", "--clusters", "-S", "--starttime", "-E", "--endtime",
})  # fmt: skip
REFUSED: dict[str, str] = {}
# Options sacct accumulates (options.c appends each one's comma separated list to one list): -j, -o, -s,
# -u, -r, --name; every other option keeps its last value.
LISTS = ("jobs", "format", "state", "user", "partition", "name", "clusters")
# sacct.c fields[]: name -> width (negative: left-justified)
WIDTHS = {
    "Account": 10, "AllocCPUS": 10, "AllocNodes": 10, "Cluster": 10, "Comment": 14,
    "Constraints": 19, "CPUTime": 10, "CPUTimeRAW": 10, "DerivedExitCode": 15, "Elapsed": 10,
    "ElapsedRaw": 10, "Eligible": 19, "End": 19, "ExitCode": 8, "Flags": 19, "GID": 6, "Group": 9,
    "JobID": -12, "JobIDRaw": -12, "JobName": 10, "MaxRSS": 10, "MaxVMSize": 10, "NCPUS": 10,
    "NNodes": 8, "NodeList": 15, "NTasks": 8, "Partition": 10, "Priority": 10, "QOS": 10,
    "Reason": 22, "ReqCPUS": 8, "ReqMem": 10, "ReqNodes": 8, "Reservation": 20, "Start": 19,
    "State": 10, "Submit": 19, "Suspended": 10, "SystemCPU": 10, "Timelimit": 10,
    "TimelimitRaw": 10, "TotalCPU": 10, "UID": 6, "User": 9, "UserCPU": 10, "WorkDir": 20,
    "StdOut": 20, "StdErr": 20,
}  # fmt: skip
DATES = ("Start", "End", "Submit", "Eligible")
DEFAULT = "JobID,JobName,Partition,Account,AllocCPUS,State,ExitCode"
BRIEF = "JobID,State,ExitCode"


def main(ctx: Context) -> int:
    """sacct [-n] [-X] [-P|-p] [-j IDS] [-o FIELDS] [-u USERS] [-a] [-s STATES]."""
    spelled: list[str] = []
    try:
        found, operands = getopt(
            ctx.argv, "sacct", SACCT, permute=True, exit_code=1, aliases=SACCT_ALIASES,
            spelled=spelled,
        )  # fmt: skip
        if any(name == "version" for name, _ in found):  # options.c exits at once on -V
            ctx.out.write(c.VERSION)
            return 0
        opts = _options(found)
        if "help" in opts or "usage" in opts:
            ctx.out.write("Usage: sacct [options]\n")
            return 0
        refused = refusal("sacct", found, spelled, IMPLEMENTED, SACCT, SACCT_ALIASES)
        if refused:
            ctx.err.write(refused)
            return 1
        if not ctx.config.get("accounting", True):
            ctx.err.write("Slurm accounting storage is disabled\n")
            return 1
        fields = _fields(opts)
        if operands:  # options.c, after the fields are read
            ctx.err.write("sacct: error: Unknown arguments:\n")
            ctx.err.write("".join(f"sacct: error:  {word}\n" for word in operands))
            return 1
        rows = _rows(ctx, opts)
    except OptionError as e:
        ctx.err.write(e.text)
        return e.exit_code
    parsable = "parsable2" in opts or "parsable" in opts
    trailing = "parsable" in opts and "parsable2" not in opts
    delim = opts.get("delimiter") or "|"
    lines = []
    if "noheader" not in opts:
        names = [name for name, _ in fields]
        if parsable:
            lines.append(delim.join(names) + (delim if trailing else ""))
        else:
            lines.append("".join(_cell(n, w, plus=False) for n, w in fields))
            lines.append("".join("-" * abs(w) + " " for _, w in fields))
    for row in rows:
        vals = [row(name) for name, _ in fields]
        if parsable:
            lines.append(delim.join(vals) + (delim if trailing else ""))
        else:
            lines.append(
                "".join(
                    _cell(v, w, plus=n not in DATES) for v, (n, w) in zip(vals, fields, strict=True)
                )
            )
    if lines:
        ctx.out.write("\n".join(lines) + "\n")
    return 0


def _cell(value: str, width: int, plus: bool) -> str:
    """One fixed-width column as print_fields does it: cut to width ('+' marks a cut), then a space."""
    n = abs(width)
    if len(value) > n:
        value = value[: n - 1] + "+" if plus else value[:n]
    return (value.rjust(n) if width > 0 else value.ljust(n)) + " "


def _options(found: list[tuple[str, str | None]]) -> dict[str, Any]:
    """The options as sacct keeps them: the lists of LISTS joined in command-line order (-j 1 -j 2 is
    -j 1,2), any other option's last value. `-u -1` means every user (options.c)."""
    opts: dict[str, Any] = {}
    for name, value in found:
        if name == "user" and value == "-1":
            opts.pop("user", None)
            opts["allusers"] = None
        elif name in LISTS and name in opts:
            opts[name] = f"{opts[name]},{value}"
        else:
            opts[name] = value
        if name == "user" and value != "-1":
            opts.pop("allusers", None)  # -u after -a selects those users again
        elif name in ("parsable", "parsable2"):  # one setting: the last of -p/-P wins
            opts.pop("parsable2" if name == "parsable" else "parsable", None)
    return opts


def _fields(opts: dict[str, Any]) -> list[tuple[str, int]]:
    """The requested columns with their widths (Name%N sets a width): -o's fields, then --brief's
    (options.c appends them in this order); the default set when none is asked for."""
    parts = [opts["format"]] if opts.get("format") else []
    if "brief" in opts:
        parts.append(BRIEF)
    text = ",".join(parts) or DEFAULT
    lookup = {name.lower(): name for name in WIDTHS}
    out = []
    for item in text.split(","):
        if not item:
            continue
        word, pct, width = item.partition("%")
        name = lookup.get(word.lower())
        if name is None:
            raise OptionError(f'sacct: error: Invalid field requested: "{word}"', 1)
        w = WIDTHS[name]
        if pct and width.lstrip("-").isascii() and width.lstrip("-").isdigit() and int(width):
            w = int(width)
        out.append((name, w))
    return out


def _rows(ctx: Context, opts: dict[str, Any]) -> list[Callable[[str], str]]:
    """Value getters for every printed line (job, then its batch and extern steps)."""
    engine = ctx.engine
    selectors = parse_step_ids(opts["jobs"]) if opts.get("jobs") else []
    wanted = [(base, task) for base, task, _ in selectors]
    whole: set[int] = set()  # rows of jobs asked for without a step: every line
    parts: dict[int, list[str | int]] = {}  # rows of jobs asked for by step: those steps' lines
    if wanted:
        jobs = select(engine.jobs(sorted({b for b, _ in wanted}), view="accounting"), wanted)
        for base, task, step in selectors:
            for job in select(jobs, [(base, task)]):
                if step is None:
                    whole.add(job.rid)
                else:
                    parts.setdefault(job.rid, []).append(step)
    else:
        jobs = engine.jobs(view="accounting")
    # -S/-E: the jobs in the system at some time of [start, end] (eligible before its end, not ended before
    # its start); without -j the start defaults to midnight (options.c)
    now = engine.now()
    begin = parse_time(opts["starttime"], now) if opts.get("starttime") else None
    if begin is None and not wanted:
        begin = time.mktime((*time.localtime(now)[:3], 0, 0, 0, 0, 0, -1))
    end = parse_time(opts["endtime"], now) if opts.get("endtime") else None
    if begin is not None:
        jobs = [j for j in jobs if j.end_time is None or j.end_time >= begin]
    if end is not None:
        jobs = [j for j in jobs if j.submit_time <= end]
    # -M: the simulated cluster answers for its own name and `all` (seen: -M nope prints no job, rc 0)
    if opts.get("clusters"):
        names = opts["clusters"].split(",")
        if "all" not in names and str(engine.config.get("cluster_name", "")) not in names:
            jobs = []
    # options.c: -a, or jobs asked by id without -u, mean every user; else -u's users or the caller
    if "allusers" not in opts and (opts.get("user") or not wanted):
        from clusterjob_sim.engine.jobs import user_name

        users = (opts.get("user") or user_name()).split(",")
        jobs = [j for j in jobs if j.user in users or str(j.uid) in users]
    if opts.get("state"):
        states = {w.upper() for w in opts["state"].split(",")}
        jobs = [
            j for j in jobs if j.state in states or c.STATES.get(j.state, ("", ""))[1] in states
        ]
    if opts.get("name"):
        jobs = [j for j in jobs if j.name in opts["name"].split(",")]
    if opts.get("partition"):
        jobs = [j for j in jobs if j.queue in opts["partition"].split(",")]
    rows: list[Callable[[str], str]] = []
    for job in jobs:
        every = not wanted or job.rid in whole
        if "allocations" in opts or every:  # seen: -X -j 24.0 shows job 24's line
            rows.append(_getter(job, engine, now, ""))
        if "allocations" in opts:
            continue
        lines: list[tuple[str | int, Callable[[str], str]]] = []
        if job.start_time is not None and job.state != "PENDING":
            lines.append(("batch", _getter(job, engine, now, "batch")))
            if ctx.config.get("extern_step"):  # PrologFlags=Contain
                lines.append(("extern", _getter(job, engine, now, "extern")))
        lines += [(st.step_id, _step_getter(job, st, engine, now)) for st in engine.steps(job)]
        asked = parts.get(job.rid, [])
        rows += [get for key, get in lines if every or key in asked]
    return rows


_UNITS = {"": 1, "second": 1, "seconds": 1, "minute": 60, "minutes": 60, "hour": 3600, "hours": 3600,
          "day": 86400, "days": 86400, "week": 604800, "weeks": 604800}  # fmt: skip
_WORDS = {"today": 0, "midnight": 0, "noon": 12, "elevenses": 11, "fika": 15, "teatime": 16}


def parse_time(text: str, now: float) -> float:
    """Epoch seconds of a -S/-E time as Slurm's parse_time reads the usual forms: now[+-N[unit]], today,
    midnight, noon, YYYY-MM-DD[THH:MM[:SS]], MM/DD[/YY], HH:MM[:SS] (today). Anything else: `Invalid time
    specification (pos=N): TEXT`, rc 1 (seen: bogus pos=0, 2026-13-45 pos=5, 2026-12-02T13 pos=11).
    [simplification: the AM/PM, `tomorrow` and YYMMDD forms fail as invalid]"""
    low = text.lower()
    today = list(time.localtime(now)[:3])

    def bad(pos: int) -> OptionError:
        return OptionError(f"Invalid time specification (pos={pos}): {text}", 1)

    def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, sec: int = 0) -> float:
        return time.mktime((y, mo, d, h, mi, sec, 0, 0, -1))

    if low.startswith("now"):
        rest = low[3:]
        if not rest:
            return now
        sign = {"+": 1, "-": -1}.get(rest[:1])
        digits = rest[1:][: len(rest) - 1 - len(rest[1:].lstrip("0123456789"))]
        unit = rest[1 + len(digits) :]
        if sign is None or not digits or unit not in _UNITS:
            raise bad(3)
        return now + sign * int(digits) * _UNITS[unit]
    if low in _WORDS:
        return at(*today, _WORDS[low])

    def number(part: str, pos: int, lo: int, hi: int) -> int:
        if not (part.isascii() and part.isdigit()) or not lo <= int(part) <= hi:
            raise bad(pos)
        return int(part)

    def clock(part: str, pos: int) -> tuple[int, int, int]:
        fields = part.split(":")
        if len(fields) not in (2, 3):
            raise bad(pos)
        h = number(fields[0], pos, 0, 23)
        mi = number(fields[1], pos + len(fields[0]) + 1, 0, 59)
        sec = (
            number(fields[2], pos + len(fields[0]) + len(fields[1]) + 2, 0, 59)
            if len(fields) == 3
            else 0
        )
        return h, mi, sec

    if len(low) >= 10 and low[4:5] == "-" and low[7:8] == "-":
        y = number(low[:4], 0, 1970, 9999)
        mo = number(low[5:7], 5, 1, 12)
        d = number(low[8:10], 8, 1, 31)
        if len(low) == 10:
            return at(y, mo, d)
        if low[10] != "t":
            raise bad(10)
        return at(y, mo, d, *clock(low[11:], 11))
    if "/" in low:
        fields = low.split("/")
        if len(fields) not in (2, 3):
            raise bad(0)
        mo = number(fields[0], 0, 1, 12)
        d = number(fields[1], len(fields[0]) + 1, 1, 31)
        y = today[0]
        if len(fields) == 3:
            y = 2000 + number(fields[2], len(fields[0]) + len(fields[1]) + 2, 0, 99)
        return at(y, mo, d)
    if ":" in low:
        return at(*today, *clock(low, 0))
    raise bad(0)


def parse_step_ids(text: str) -> list[tuple[int, int | None, str | int | None]]:
    """-j's items: JOB, JOB_TASK, each with an optional .STEP (a number, `batch`, `extern`); as sacct reads
    them (seen: 24.0.1 is step 0; 24.x, 24. and 24.-1 are `sacct: fatal: Bad step specified: 24`, rc 1)."""
    out: list[tuple[int, int | None, str | int | None]] = []
    for item in text.split(","):
        if not item:
            continue
        head, dot, step_text = item.partition(".")
        ids = parse_job_ids(head)
        if ids is None or not ids:
            raise OptionError(f"sacct: error: Invalid job id: {item}", 1)
        step: str | int | None = None
        if dot:
            digits = step_text[: len(step_text) - len(step_text.lstrip("0123456789"))]
            if digits:
                step = int(digits)
            elif step_text in ("batch", "extern"):
                step = step_text
            else:
                raise OptionError(f"sacct: fatal: Bad step specified: {head}", 1)
        out.append((*ids[0], step))
    return out


def state_text(job: Job) -> str:
    """The job line's State (CANCELLED by UID)."""
    if job.state == "CANCELLED" and job.cancelled_by is not None:
        return f"CANCELLED by {job.cancelled_by}"
    return job.state


def exit_text(job: Job) -> str:
    """The job line's ExitCode (code:signal) with Slurm's conventions per state."""
    code, sig = job.exit_code or 0, job.signal or 0
    if job.state in ("PENDING", "RUNNING", "COMPLETED", "TIMEOUT", "NODE_FAIL"):
        return "0:0"
    if job.state == "OUT_OF_MEMORY":
        return "0:125"
    return "0:0" if job.state == "CANCELLED" else f"{code}:{sig}"


def _step_state(job: Job, step: str) -> str:
    if job.state == "RUNNING":
        return "RUNNING"
    if step == "extern":
        return "CANCELLED" if job.state == "CANCELLED" else "COMPLETED"
    return {"TIMEOUT": "CANCELLED", "NODE_FAIL": "FAILED"}.get(job.state, job.state)


def _step_getter(job: Job, st: Step, engine: Engine, now: float) -> Callable[[str], str]:
    """Field texts of a numbered step's line (seen on real 22.05.8: `srun -n2 hostname` in a 2-cpu job is
    24.0 hostname COMPLETED 0:0, NTasks 2, AllocCPUS 2 (the job's cpus on the step's nodes); `srun -J named
    false` is 24.1 named FAILED 1:0)."""
    base = _getter(job, engine, now, "batch")
    per_node = dict(zip(job.node_names, c.cpus_of(job, engine), strict=False))
    cpus = sum(per_node.get(n, job.cores_per_node) for n in st.node_names) or sum(
        c.cpus_of(job, engine)
    )
    elapsed = max(0.0, (st.end_time if st.end_time is not None else now) - st.start_time)
    ended = st.end_time is not None and st.state != "RUNNING"
    from clusterjob_sim.engine.hostlist import compress

    values = {
        "JobID": f"{c.job_id_text(job)}.{st.step_id}",
        "JobIDRaw": f"{job.job_id}.{st.step_id}",
        "JobName": st.name,
        "AllocCPUS": str(cpus),
        "NCPUS": str(cpus),
        "State": st.state,
        "ExitCode": f"{st.exit_code or 0}:{st.signal or 0}" if ended else "0:0",
        "Elapsed": c.hms(elapsed),
        "ElapsedRaw": str(int(elapsed)),
        "CPUTime": c.hms(elapsed * cpus),
        "CPUTimeRAW": str(int(elapsed * cpus)),
        "Start": c.date(st.start_time),
        "End": c.date(st.end_time if ended else None),
        "Submit": c.date(st.start_time),
        "Eligible": c.date(st.start_time),
        "NNodes": str(len(st.node_names)),
        "AllocNodes": str(len(st.node_names)),
        "NodeList": compress(st.node_names),
        "NTasks": str(st.ntasks),
    }
    return lambda name: values[name] if name in values else base(name)


def _getter(job: Job, engine: Engine, now: float, step: str) -> Callable[[str], str]:
    """A function giving each field's text for the job line (step '') or a step line."""
    data: dict[str, Any] = job.data
    cpus = 0 if job.start_time is None else sum(c.cpus_of(job, engine))
    elapsed = job.elapsed(now)
    start = job.start_time if job.start_time is not None else job.end_time
    step_exit = "0:0" if step == "extern" or job.state == "RUNNING" else (
        f"{job.exit_code or 0}:{job.signal or 0}")  # fmt: skip
    values: dict[str, str] = {
        "JobID": c.job_id_text(job) + (f".{step}" if step else ""),
        "JobIDRaw": str(job.job_id) + (f".{step}" if step else ""),
        "JobName": step or job.name,
        "Partition": "" if step else job.queue,
        "Account": str(data.get("account") or job.user),
        "AllocCPUS": str(c.cpus_of(job, engine)[0] if step == "batch" else cpus),
        "NCPUS": str(cpus),
        "State": _step_state(job, step) if step else state_text(job),
        "ExitCode": step_exit if step else exit_text(job),
        "DerivedExitCode": "" if step else "0:0",
        "Elapsed": c.hms(elapsed),
        "ElapsedRaw": str(int(elapsed)),
        "CPUTime": c.hms(elapsed * cpus),
        "CPUTimeRAW": str(int(elapsed * cpus)),
        "Start": c.date(start),
        "End": c.date(job.end_time),
        "Submit": c.date(job.start_time if step else job.submit_time),
        "Eligible": c.date(job.submit_time),
        "NNodes": str(len(job.node_names) or job.nodes) if not step or step == "extern" else "1",
        "NodeList": (c.compress_nodes(job) or "None assigned")
        if step != "batch"
        else (job.node_names[0] if job.node_names else ""),
        "AllocNodes": str(len(job.node_names)),
        "ReqMem": f"{job.mem_mb_per_node}M" if job.mem_mb_per_node else "0",
        "ReqCPUS": str(job.nodes * job.cores_per_node),
        "ReqNodes": str(job.nodes),
        "NTasks": "1" if step else "",
        "Timelimit": "" if step else c.sacct_limit(job),
        "TimelimitRaw": "" if step else str(c.limit_minutes(job) or "UNLIMITED"),
        "User": "" if step else job.user,
        "UID": "" if step else str(job.uid),
        "Group": "" if step else job.user,
        "GID": "" if step else str(job.uid),
        "WorkDir": job.workdir,
        "Cluster": str(engine.config.get("cluster_name", "")),
        "QOS": "" if step else str(data.get("qos") or "normal"),
        "Reason": c.reason_text(job, engine) if job.state == "PENDING" else "None",
        "Priority": "" if step else "1",
        "Flags": "" if step else "SchedMain",
    }
    return lambda name: values.get(name, "")

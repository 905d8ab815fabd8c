"""Fake bkill: terminate (or signal with -s) jobs by id, `id[index]`, or by -J/-q/-u (the last such job, all
of them with job id 0).

IBM's bkill(1): without a job id, -J, -q or -u select the most recently submitted matching job; job id 0
selects every matching job. Options of the real bkill the simulator does not act on fail loudly.
"""

from __future__ import annotations

import os

from clusterjob_sim.lsf import output as out
from clusterjob_sim.lsf.options import (
    EXIT_FAIL,
    Refused,
    is_digits,
    name_matches,
    parse_job_ref,
    refuse_unimplemented,
    scan_options,
    select_live,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Sequence

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job

# Every option of the real bkill (manual.py), with its arity, so that parsing stays exact.
FLAGS = frozenset("l b r d h V".split())
VALUES = frozenset("stat app g sla J m q s u C".split())

IMPLEMENTED = frozenset({"-s", "-J", "-q", "-u"})
REFUSED: dict[str, str] = {}

# OpenLava lsbatch/cmd/cmd.sig.c usage() for bkill, printed after the "must be specified" line [source];
# LSF 10's usage names more options [unconfirmed].
USAGE = (
    "Usage: bkill [-h] [-V] [-l] [-m host_name] [-q queue_name]\n"
    "               [-u user_name | -u all] [0] [-r | -s sigval] [-J job_name] \n"
    '               [jobId | "jobId[index_list]"]...\n'
)

KILL_SIGNALS = {"KILL", "SIGKILL", "9", "TERM", "SIGTERM", "15", "INT", "SIGINT", "2"}


def main(ctx: Context) -> int:
    """bkill [-s SIGNAL] [-J NAME] [-q QUEUE] [-u USER|all] [0 | ID | "ID[index]" ...]."""
    from clusterjob_sim.engine.jobs import user_name

    try:
        found, refs = scan_options(ctx.argv, "bkill", FLAGS, VALUES)
        refusal = refuse_unimplemented("bkill", (n for n, _ in found), IMPLEMENTED, REFUSED)
        if refusal is not None:
            raise refusal
    except Refused as e:
        ctx.err.write(e.message)
        return e.exit_code
    values = {n: str(v) for n, v in found if v is not True}
    sig = values["s"].upper() if "s" in values else None
    name, queue, user = values.get("J"), values.get("q"), values.get("u")
    if not refs and name is None and queue is None and user is None:
        ctx.err.write("Job ID or one of '-m', '-u' '-q' and '-J' must be specified.\n" + USAGE)
        return EXIT_FAIL
    queues = ctx.config.get("queues")
    if queue is not None and queues and queue not in queues:
        ctx.err.write(out.no_such_queue(queue))
        return EXIT_FAIL
    engine = ctx.engine

    def matches(job: Job) -> bool:
        owner = user or user_name()
        return (
            (owner == "all" or job.user == owner)
            and (queue is None or job.queue == queue)
            and (name is None or name_matches(name, job))
        )

    if not refs or "0" in refs:
        jobs = [j for j in engine.jobs(view="live") if j.state in out.ACTIVE and matches(j)]
        if not jobs:
            ctx.err.write(out.no_job_found("unfinished", name, queue))
            return EXIT_FAIL
        ids = sorted({j.job_id for j in jobs})
        refs = [str(i) for i in (ids if "0" in refs else ids[-1:])]
    terminating = sig is None or sig.removeprefix("SIG") in {
        s.removeprefix("SIG") for s in KILL_SIGNALS
    }
    selected = name is not None or queue is not None or user is not None
    rc = 0
    for text in refs:
        ref = parse_job_ref(text)
        jobs = select_live(engine, ref) if ref else []
        if selected:
            jobs = [j for j in jobs if matches(j)]
        if not jobs:
            ctx.err.write(out.bkill_unknown(text))
            rc = EXIT_FAIL
            continue
        active = [j for j in jobs if j.state in out.ACTIVE]
        if not active:
            ctx.err.write(out.bkill_finished(text))
            rc = EXIT_FAIL
            continue
        if terminating:
            engine.cancel(active)
        else:
            _signal(active, sig or "TERM")
        ctx.out.write(out.bkill_terminated(text, signaled=not terminating))
    return rc


def _signal(jobs: Sequence[Job], sig: str) -> None:
    """Deliver a non-terminating signal (-s USR1, ...) to running jobs' process groups."""
    import signal as _sig

    name = sig if sig.startswith("SIG") else "SIG" + sig
    num = int(sig) if is_digits(sig) else int(getattr(_sig, name, _sig.SIGTERM))
    for j in jobs:
        if j.state == "RUNNING" and j.pgid:
            try:
                os.killpg(int(j.pgid), num)
            except OSError:
                pass

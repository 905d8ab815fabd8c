"""Fake bjobs: the default table, -w, -l, -o custom columns (also -json); selection by id, state, user, queue,
name, project.

Options of the real bjobs that the simulator does not act on fail loudly at option-parse time (manual.py
lists them all; simulators/COVERAGE.md shows which).
"""

from __future__ import annotations

from clusterjob_sim.lsf import output as out
from clusterjob_sim.lsf.options import (
    EXIT_FAIL,
    Refused,
    name_matches,
    parse_job_ref,
    refuse_unimplemented,
    scan_options,
    select_live,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job

# Every option of the real bjobs (manual.py), with its arity, so that parsing stays exact.
FLAGS = frozenset(
    """A a aff aps cname d data env fwd gpu h help hms hostfile json l noheader p p0 p1 p2 p3 pe pei
    pi plan prio psum r s script ss sum UF V W WF WL WP w X x""".split()
)
VALUES = frozenset("app G g J Jd Lp m N o P q rusage sla U u".split())

# States (-a all, -d finished, -r running; the default: unfinished), the formats the simulator prints
# (-w wide, -l long, -o custom, -noheader) and the filters it applies (-u, -q, -J with '*', -P).
IMPLEMENTED = frozenset(
    {"-a", "-d", "-r", "-w", "-l", "-o", "-json", "-noheader", "-u", "-q", "-J", "-P"}
)
REFUSED: dict[str, str] = {}

USAGE = (
    "Usage: bjobs [-h] [-V] [-w | -l] [-a] [-d] [-p] [-s] [-r] [-noheader]\n"
    "             [-o \"field_name ... [delimiter='character']\"]\n"
    "             [-q queue_name] [-u user_name | -u all] [-J job_name]\n"
    '             [jobId | "jobId[index]" ...]\n'
)  # [unconfirmed] an abbreviation of LSF 10's usage text


def main(ctx: Context) -> int:
    """bjobs [-a | -d | -r] [-w | -l | -o FORMAT [-json]] [-noheader] [-u USER|all] [-q Q] [-J NAME]
    [-P PROJ] [ID...]."""
    from clusterjob_sim.engine.jobs import user_name

    try:
        found, refs = scan_options(ctx.argv, "bjobs", FLAGS, VALUES, USAGE)
        refusal = refuse_unimplemented("bjobs", (n for n, _ in found), IMPLEMENTED, REFUSED)
        if refusal is not None:
            raise refusal
        flags = {n for n, v in found if v is True}
        values = {n: str(v) for n, v in found if v is not True}
        fields = None
        delimiter = " "
        if "json" in flags and ("o" not in values or "noheader" in flags):
            # -json shows -o's fields only; "Do not use with the -noheader option" (IBM bjobs -json)
            raise Refused(
                USAGE, EXIT_FAIL
            )  # [unconfirmed] the usage, as for other bad combinations
        if "o" in values:
            fields, delimiter = out.parse_format(values["o"])
    except Refused as e:
        ctx.err.write(e.message)
        return e.exit_code
    queues = ctx.config.get("queues")
    if "q" in values and queues and values["q"] not in queues:
        ctx.err.write(out.no_such_queue(values["q"]))
        return EXIT_FAIL
    engine = ctx.engine
    rc = 0
    shown: list[Job] = []
    errors: list[tuple[str, str]] = []  # -json: ids bjobs does not know, as records
    as_json = "json" in flags
    if refs:
        for text in refs:
            ref = parse_job_ref(text)
            jobs = select_live(engine, ref) if ref else []
            if not jobs:
                if as_json:
                    errors.append((text, out.bjobs_not_found(text).rstrip("\n")))
                else:
                    ctx.err.write(out.bjobs_not_found(text))
                rc = EXIT_FAIL
            shown.extend(jobs)
    else:
        user = values.get("u", user_name())
        shown = engine.jobs(view="live")
        if user != "all":
            shown = [j for j in shown if j.user == user]
    if "q" in values:
        shown = [j for j in shown if j.queue == values["q"]]
    if "J" in values:
        shown = [j for j in shown if name_matches(values["J"], j)]
    if "P" in values:
        shown = [j for j in shown if str(j.data.get("project") or "default") == values["P"]]
    if "d" in flags:
        shown = [j for j in shown if j.state not in out.ACTIVE]
    elif "r" in flags:
        shown = [j for j in shown if out.lsf_stat(j) == "RUN"]
    elif not refs and "a" not in flags:
        shown = [j for j in shown if j.state in out.ACTIVE]
    views = [out.job_view(j) for j in shown]
    if not views and not refs:
        ctx.err.write(_nothing(flags, values))
        return EXIT_FAIL
    header = "noheader" not in flags
    if as_json and fields is not None:
        ctx.out.write(out.bjobs_json(views, fields, errors))
        return EXIT_FAIL if not views else 0  # an unknown id fails only when nothing was shown
    if fields is not None:
        ctx.out.write(out.bjobs_custom(views, fields, delimiter, header=header))
    elif "l" in flags:
        ctx.out.write(out.bjobs_long(views))
    else:
        ctx.out.write(out.bjobs_table(views, header=header, wide="w" in flags))
    return rc


def _nothing(flags: set[str], values: dict[str, str]) -> str:
    """What bjobs says when its selection is empty (cmd.err.c jobInfoErr, in its order of checks)."""
    if "J" not in values and "q" not in values and not flags & {"d", "r"}:
        return out.bjobs_nothing("a" in flags)
    which = "unfinished"
    if "a" in flags:
        which = "all"
    elif "d" in flags:
        which = "done"
    elif "r" in flags:
        which = "running"
    return out.no_job_found(which, values.get("J"), values.get("q"))

"""The fake Torque's ``pbsdsh``: spawns a program on the job's virtual nodes as Torque 6.1.3's pbsdsh.c
(getopt ``+c:e:n:h:osuvE``, ``pbsdsh()`` in its messages, everything on stderr)."""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs.pbsdsh import TORQUE_USAGE, leading_options, run

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context

OPTSTRING = "c:e:n:h:osuvE"  # pbsdsh.c (with a leading '+': options end at the program)
# Options of the manual (manual.py) this pbsdsh acts on as Torque's does.
IMPLEMENTED = frozenset({"-c", "-n", "-h", "-o", "-s", "-u"})
REFUSED: dict[str, str] = {}
KNOWN = IMPLEMENTED | set(REFUSED)


def main(ctx: Context) -> int:
    """``pbsdsh [-c copies|-n node|-h host] [-o] [-s] [-u] program [args]``; exit 0 once all ran."""
    words, program = leading_options(ctx.argv, OPTSTRING)
    opts, _ = pc.getopt(words, OPTSTRING, prog="pbsdsh")
    missing = pc.first_missing(opts, KNOWN)
    if missing:
        from clusterjob_sim.engine.refusal import not_implemented_text

        ctx.err.write(not_implemented_text("pbsdsh", missing))
        return 2
    values = {o.letter: o.arg or "" for o in opts if o.letter != "?"}
    errors = "".join(o.error + "\n" for o in opts if o.letter == "?")
    bad = bool(errors) or ("c" in values and _atoi(values["c"]) <= 0)
    bad = bad or ("n" in values and _atoi(values["n"]) < 0)
    if "c" in values and "n" in values and _atoi(values["n"]) >= 0:
        bad = True  # -c and -n are mutually exclusive
    if bad or not program:
        if not program:
            errors += "pbsdsh(): must specify a program\n"
        ctx.err.write(errors + TORQUE_USAGE)
        return 1
    values = {k: str(_atoi(v)) if k in "cn" else v for k, v in values.items()}
    return run(ctx, "torque", values, program)


def _atoi(text: str) -> int:
    """C's atoi: the leading digits (with a sign), 0 when none."""
    import re

    match = re.match(r"\s*([+-]?\d+)", text)
    return int(match.group(1)) if match else 0

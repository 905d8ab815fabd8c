"""The fake PBS Pro's ``pbsdsh``: spawns a program on the job's virtual nodes as OpenPBS 23.06.06's
pbsdsh.c (getopt ``c:n:svo``; ``-o`` waits for no obit; messages on stdout)."""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs.pbsdsh import PBSPRO_USAGE, leading_options, run
from clusterjob_sim.pbs.pbspro.output import server_version

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context

OPTSTRING = "c:n:svo"  # pbsdsh.c
# Options of the manual (manual.py) this pbsdsh acts on as OpenPBS's does.
IMPLEMENTED = frozenset({"-c", "-n", "-s", "-o", "--version"})
REFUSED: dict[str, str] = {}
KNOWN = IMPLEMENTED | set(REFUSED)


def main(ctx: Context) -> int:
    """``pbsdsh [-c copies|-n node_index] [-s] [-o] -- program [args]``; exit 0 once spawned."""
    if ctx.argv[:1] == ["--version"]:
        ctx.out.write(f"pbs_version = {server_version(ctx)}\n")
        return 0
    words, program = leading_options(ctx.argv, OPTSTRING)
    opts, _ = pc.getopt(words, OPTSTRING, prog="pbsdsh")
    missing = pc.first_missing(opts, KNOWN)
    if missing:
        from clusterjob_sim.engine.refusal import not_implemented_text

        ctx.err.write(not_implemented_text("pbsdsh", missing))
        return 2
    values = {o.letter: o.arg or "" for o in opts if o.letter != "?"}
    errors = "".join(o.error + "\n" for o in opts if o.letter == "?")
    numbers = {k: _atoi(values[k]) for k in "cn" if k in values}
    bad = bool(errors) or any(v < 0 for v in numbers.values())
    if numbers.get("n", -1) >= 0 and numbers.get("c", -1) >= 0:
        bad = True  # -c and -n are mutually exclusive
    if bad or not program:
        ctx.err.write(errors + PBSPRO_USAGE)
        return 1
    values.update({k: str(v) for k, v in numbers.items()})
    return run(ctx, "pbspro", values, program)


def _atoi(text: str) -> int:
    """C's atoi: the leading digits (with a sign), 0 when none."""
    import re

    match = re.match(r"\s*([+-]?\d+)", text)
    return int(match.group(1)) if match else 0

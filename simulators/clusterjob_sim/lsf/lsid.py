"""Fake lsid: the LSF version, the cluster's name and its management (master) host, as real lsid prints them.

Text recorded from real LSF 10.1 (IBM's LSF-on-Kubernetes chart README; see output.LSID_TEXT). The version
line comes from config "lsid_version", the master from config "master_name" (default: the first node).
"""

from __future__ import annotations

from clusterjob_sim.lsf import output as out
from clusterjob_sim.lsf.options import EXIT_FAIL, refuse_unimplemented

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context

IMPLEMENTED: frozenset[str] = frozenset()
REFUSED: dict[str, str] = {}

USAGE = "Usage: lsid [-h] [-V]\n"  # IBM lsid(1) synopsis


def main(ctx: Context) -> int:
    """lsid: version, cluster name, master name."""
    if ctx.argv:
        options = [a[1:] for a in ctx.argv if a.startswith("-") and len(a) > 1]
        refusal = refuse_unimplemented("lsid", options, IMPLEMENTED, REFUSED)
        ctx.err.write(refusal.message if refusal is not None else USAGE)  # [unconfirmed] operands
        return EXIT_FAIL
    nodes = ctx.engine.nodes
    ctx.out.write(
        out.LSID_TEXT.format(
            version=str(ctx.config.get("lsid_version") or DEFAULT_VERSION),
            cluster=str(ctx.config.get("cluster_name") or "cluster1"),
            master=str(ctx.config.get("master_name") or (nodes[0]["name"] if nodes else "")),
        )
    )
    return 0


DEFAULT_VERSION = (
    "IBM Spectrum LSF Standard 10.1.0.15, Apr 14 2025"  # [unconfirmed] date of the fix pack
)

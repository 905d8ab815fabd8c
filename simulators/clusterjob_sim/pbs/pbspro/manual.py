"""The real OpenPBS 23.06.06's user commands and every option their manuals name, as data for the coverage
table (clusterjob_sim.coverage) and the error path; no command imports this on its normal start-up.

Kinds follow the getopt strings of the sources (``value`` takes an argument). ``-W <name>`` rows are the
attributes the qsub manual lists under ``-W`` (and ``max_run_subjobs``, which qsub.c reads from ``-W`` and
from ``-J ...%N``); any other ``-W`` attribute counts as ``-W``.
"""

from __future__ import annotations

_MAN = "OpenPBS 23.06.06 man page doc/{section}/{command}.{n}B"


def _source(command: str, section: str = "man1") -> str:
    """Where a command's option list comes from: its man page (OPTIONS and SYNOPSIS)."""
    return _MAN.format(section=section, command=command, n=section[-1])


SOURCES = {
    "qsub": _source("qsub") + "; -W max_run_subjobs from src/cmds/qsub.c",
    "qstat": _source("qstat"),
    "qdel": _source("qdel"),
    "qalter": _source("qalter"),
    "qhold": _source("qhold"),
    "qrls": _source("qrls"),
    "qselect": _source("qselect"),
    "qsig": _source("qsig"),
    "qmove": _source("qmove"),
    "qorder": _source("qorder"),
    "qrerun": _source("qrerun"),
    "qmsg": _source("qmsg"),
    "pbsnodes": _source("pbsnodes", "man8"),
    "pbsdsh": _source("pbsdsh"),
    "pbs_rsub": _source("pbs_rsub"),
    "pbs_rstat": _source("pbs_rstat"),
    "pbs_rdel": _source("pbs_rdel"),
    "tracejob": _source("tracejob", "man8"),
}


def _options(
    flags: str = "", values: str = "", extra: dict[str, str] | None = None
) -> dict[str, str]:
    """{option: kind} from one-letter flags and value letters, plus spelled-out entries; every OpenPBS
    user command also answers ``--version``."""
    out = {f"-{c}": "flag" for c in flags}
    out.update({f"-{c}": "value" for c in values})
    out.update(extra or {})
    out["--version"] = "flag"
    return out


_QSUB_W = {
    f"-W {name}": "value"
    for name in (
        "block create_resv_from_job depend group_list pwd release_nodes_on_stageout run_count "
        "sandbox stagein stageout umask max_run_subjobs"
    ).split()
}

OPTIONS: dict[str, dict[str, str]] = {
    "qsub": _options("fGhIVXz", "aAcCejJklmMNopPqrRSuvW", _QSUB_W),
    "qstat": _options("EJptwxfaHirGMn1sTQqB", "uFD"),
    "qdel": _options("x", "W"),
    "qalter": _options("", "aAcehjklmMNopPrSuW"),
    "qhold": _options("", "h"),
    "qrls": _options("", "h"),
    "qselect": _options("HJTx", "aAchlNpPqrstu"),
    "qsig": _options("", "s"),
    "qmove": _options(),
    "qorder": _options(),
    "qrerun": _options("", "W"),
    "qmsg": _options("EO"),
    "pbsnodes": _options("aHjLlorSv", "CDFs"),
    "pbsdsh": _options("osv", "cn"),
    "pbs_rsub": _options("", "DEgGHIlmMNqrRuUW", {"--hosts": "value", "--job": "value"}),
    "pbs_rstat": _options("BfFS"),
    "pbs_rdel": _options(),
    "tracejob": _options("almsvz", "cfnpw"),
}

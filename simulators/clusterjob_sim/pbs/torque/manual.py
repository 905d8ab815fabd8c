"""The real Torque 6.1.3's user commands and every option their manuals name, as data for the coverage table
(clusterjob_sim.coverage) and the error path; no command imports this on its normal start-up.

Kinds follow the getopt strings of the sources (``value`` takes an argument). Options a command's getopt
string has but its man page does not describe are listed too, with the source named in SOURCES. ``-W <name>``
rows are the attributes the qsub manual lists under ``-W``; any other ``-W`` attribute counts as ``-W``.
"""

from __future__ import annotations

_MAN = "Torque 6.1.3 man page doc/{section}/{command}.{n}.in"
_SRC = "src/cmds/{file}.c (torque-6.1.3.tar.gz)"


def _source(command: str, section: str = "man1", extra: str = "", file: str = "") -> str:
    """Where a command's option list comes from: its man page, plus the getopt string if it adds any."""
    n = section[-1]
    text = _MAN.format(section=section, command=command, n=n)
    if extra:
        text += f"; {extra} from the getopt string of " + _SRC.format(file=file or command)
    return text


SOURCES = {
    "qsub": _source("qsub", extra="-E, -J and --version, --about", file="qsub_functions"),
    "qstat": _source("qstat", extra="-c, -C, -E, --version and --about"),
    "qdel": _source("qdel"),
    "qalter": _source("qalter"),
    "qhold": _source("qhold"),
    "qrls": _source("qrls"),
    "qselect": _source("qselect"),
    "qsig": _source("qsig"),
    "qmove": _source("qmove") + " (no options)",
    "qorder": _source("qorder") + " (no options)",
    "qrerun": _source("qrerun"),
    "qmsg": _source("qmsg"),
    "qchkpt": _source("qchkpt") + " (no options)",
    "pbsdsh": _source("pbsdsh"),
    "pbsnodes": _source("pbsnodes", "man8"),
    "tracejob": "getopt string of src/tools/tracejob.c (torque-6.1.3.tar.gz; Torque ships no man page)",
}


def _options(
    flags: str = "", values: str = "", extra: dict[str, str] | None = None
) -> dict[str, str]:
    """{option: kind} from one-letter flags and value letters, plus spelled-out entries."""
    out = {f"-{c}": "flag" for c in flags}
    out.update({f"-{c}": "value" for c in values})
    out.update(extra or {})
    return out


_QSUB_W = {
    f"-W {name}": "value" for name in "depend group_list interactive stagein stageout umask".split()
}

OPTIONS: dict[str, dict[str, str]] = {
    "qsub": _options(
        "EfhInVxXz",
        "aAbcCdDeFijJkKlLmMNopPqrStTuvwW",
        {**_QSUB_W, "--version": "flag", "--about": "flag"},
    ),
    "qstat": _options(
        "f1lxairensGMRtQqBcC",
        "WuE",
        {"--xml": "flag", "--version": "flag", "--about": "flag"},
    ),
    "qdel": _options("acp", "bmtW"),
    "qalter": _options("q", "aAcehjklLmMnNoprStuvWx"),
    "qhold": _options("", "ht"),
    "qrls": _options("", "ht"),
    "qselect": _options("e", "aAchlNpqrsu"),
    "qsig": _options("", "s"),
    "qmove": {},
    "qorder": {},
    "qrerun": _options("f"),
    "qmsg": _options("EO"),
    "qchkpt": {},
    "pbsdsh": _options("osuv", "cnh"),
    "pbsnodes": _options("alxcdoprnq", "ANs", {"-xml": "flag", "--xml": "flag"}),
    "tracejob": _options("qzvamsl", "wpnfc"),
}

"""Grid Engine 8.1.9's user commands and every option their manual pages name, as data (for the coverage table).

Kinds: "flag" (no argument), "value" (one argument; `-pe` takes two), "optional" (an argument that may be left
out). Imported only by clusterjob_sim.coverage and on the error path, never when a command starts.
"""

from __future__ import annotations

_DEBIAN = "Debian gridengine-client 8.1.9+dfsg-10+b1, man1/{page}.1.gz"
_SUBMIT = (
    _DEBIAN.format(page="sge_submit") + " (SUBMIT(1): qsub, qsh, qlogin, qrsh, qalter, qresub)"
)
_ALL_SUBMIT = "qsub qsh qrsh qlogin qalter"

# sge_submit(1) documents six commands at once: each option with the commands its "Available for" line names
# (qsh, qrsh and qlogin "silently ignore" -e and -o, so they take them; -@, -binding and -help name no list).
_SUBMIT_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("-@", "value", "qsub qsh qrsh qlogin"),
    ("-a", "value", "qsub qalter"),
    ("-ac", "value", _ALL_SUBMIT),
    ("-ar", "value", _ALL_SUBMIT),
    ("-A", "value", _ALL_SUBMIT),
    ("-b", "value", "qsub qrsh"),
    ("-binding", "value", _ALL_SUBMIT),
    ("-c", "value", "qsub qalter"),
    ("-ckpt", "value", "qsub qalter"),
    ("-clear", "flag", "qsub qsh qrsh qlogin"),
    ("-cwd", "flag", "qsub qsh qrsh qalter"),
    ("-C", "value", "qsub qrsh"),
    ("-dc", "value", _ALL_SUBMIT),
    ("-display", "value", "qsh qrsh"),
    ("-dl", "value", _ALL_SUBMIT),
    ("-e", "value", _ALL_SUBMIT),
    ("-hard", "flag", _ALL_SUBMIT),
    ("-h", "flag", "qsub"),  # qsub: -h alone; the others take a hold list (below)
    ("-h", "value", "qrsh qalter qresub"),
    ("-help", "flag", _ALL_SUBMIT + " qresub"),
    ("-hold_jid", "value", "qsub qrsh qalter"),
    ("-hold_jid_ad", "value", "qsub qrsh qalter"),
    ("-i", "value", "qsub qalter"),
    ("-inherit", "flag", "qrsh"),
    ("-j", "value", _ALL_SUBMIT),
    ("-js", "value", _ALL_SUBMIT),
    ("-jsv", "value", "qsub qsh qrsh qlogin"),
    ("-l", "value", _ALL_SUBMIT),
    ("-m", "value", _ALL_SUBMIT),
    ("-M", "value", _ALL_SUBMIT),
    ("-masterq", "value", _ALL_SUBMIT),
    ("-notify", "flag", "qsub qrsh qalter"),
    ("-now", "value", "qsub qsh qlogin qrsh"),
    ("-N", "value", _ALL_SUBMIT),
    ("-noshell", "flag", "qrsh"),
    ("-nostdin", "flag", "qrsh"),
    ("-o", "value", _ALL_SUBMIT),
    ("-ot", "value", "qalter"),
    ("-P", "value", _ALL_SUBMIT),
    ("-p", "value", _ALL_SUBMIT),
    ("-pe", "value", _ALL_SUBMIT),
    ("-pty", "value", "qsub qrsh qlogin"),
    ("-q", "value", _ALL_SUBMIT),
    ("-R", "value", _ALL_SUBMIT),
    ("-r", "value", "qsub qalter"),
    ("-sc", "value", _ALL_SUBMIT),
    ("-shell", "value", "qsub"),
    ("-soft", "flag", _ALL_SUBMIT),
    ("-sync", "value", "qsub"),
    ("-S", "value", "qsub qsh qalter"),
    ("-t", "value", "qsub"),
    ("-tc", "value", "qsub qalter"),
    ("-terse", "flag", "qsub"),
    ("-u", "value", "qalter"),
    ("-v", "value", "qsub qrsh qalter"),
    ("-verbose", "flag", "qrsh"),
    ("-verify", "flag", _ALL_SUBMIT),
    ("-V", "flag", "qsub qsh qrsh qalter"),
    ("-w", "value", _ALL_SUBMIT),
    ("-wd", "value", "qsub qsh qrsh qalter"),
)


def _submit_family(command: str) -> dict[str, str]:
    """The options of one of sge_submit(1)'s commands."""
    return {opt: kind for opt, kind, commands in _SUBMIT_OPTIONS if command in commands.split()}


SOURCES: dict[str, str] = {
    "qsub": _SUBMIT,
    "qstat": _DEBIAN.format(page="qstat"),
    "qacct": _DEBIAN.format(page="qacct"),
    "qdel": _DEBIAN.format(page="qdel"),
    "qalter": _SUBMIT,
    "qresub": _SUBMIT,
    "qrsh": _SUBMIT,
    "qsh": _SUBMIT,
    "qlogin": _SUBMIT,
    "qhold": _DEBIAN.format(page="qhold"),
    "qrls": _DEBIAN.format(page="qrls"),
    "qmod": _DEBIAN.format(page="qmod"),
    "qselect": _DEBIAN.format(page="qselect") + " (SYNTAX and OPTIONS)",
    "qhost": _DEBIAN.format(page="qhost"),
    "qquota": _DEBIAN.format(page="qquota"),
    "qconf": _DEBIAN.format(page="qconf") + " (-k{m|s|e[j]} as -km -ks -ke -kej)",
    "qrsub": _DEBIAN.format(page="qrsub"),
    "qrdel": _DEBIAN.format(page="qrdel"),
    "qrstat": _DEBIAN.format(page="qrstat"),
    "qping": _DEBIAN.format(page="qping"),
    "qevent": _DEBIAN.format(page="qevent"),
}

OPTIONS: dict[str, dict[str, str]] = {
    "qsub": _submit_family("qsub"),
    "qstat": {
        "-explain": "value", "-ext": "flag", "-f": "flag", "-F": "optional", "-g": "value", "-help": "flag",
        "-j": "optional", "-l": "value", "-ne": "flag", "-ncb": "flag", "-pe": "value", "-pri": "flag",
        "-q": "value", "-qs": "value", "-r": "flag", "-s": "value", "-t": "flag", "-U": "value",
        "-u": "value", "-urg": "flag", "-xml": "flag", "-dj": "flag", "-dq": "flag",
    },
    "qacct": {
        "-ar": "optional", "-A": "value", "-b": "value", "-d": "value", "-e": "value", "-g": "optional",
        "-h": "optional", "-help": "flag", "-j": "optional", "-l": "value", "-m": "flag", "-o": "optional",
        "-u": "optional", "-pe": "optional", "-q": "optional", "-slots": "optional", "-t": "value",
        "-P": "optional", "-D": "optional", "-f": "value", "-E": "flag",
    },
    "qdel": {"-f": "flag", "-help": "flag", "-t": "value", "-u": "value"},
    "qalter": _submit_family("qalter"),
    "qresub": _submit_family("qresub"),
    "qrsh": _submit_family("qrsh"),
    "qsh": _submit_family("qsh"),
    "qlogin": _submit_family("qlogin"),
    "qhold": {"-h": "value", "-help": "flag", "-u": "value"},
    "qrls": {"-h": "value", "-help": "flag", "-u": "value"},
    "qmod": {
        "-c": "flag", "--clear": "flag", "-cj": "flag", "--clearjob": "flag", "-cq": "flag",
        "--clearqueue": "flag", "-d": "flag", "--disable": "flag", "-e": "flag", "--enable": "flag",
        "-f": "flag", "--force": "flag", "-help": "flag", "--help": "flag", "-r": "flag",
        "--reschedule": "flag", "-rj": "flag", "--reschedulejob": "flag", "-rq": "flag",
        "--reschedulequeue": "flag", "-s": "flag", "--suspend": "flag", "-sj": "flag",
        "--suspendjob": "flag", "-sq": "flag", "--suspendqueue": "flag", "-us": "flag",
        "--unsuspend": "flag", "-usj": "flag", "--unsuspendjob": "flag", "-usq": "flag",
        "--unsuspendqueue": "flag",
    },
    "qselect": {
        "-help": "flag", "-l": "value", "-pe": "value", "-q": "value", "-qs": "value", "-s": "value",
        "-U": "value",
    },
    "qhost": {
        "-F": "optional", "-help": "flag", "-h": "value", "-j": "flag", "-l": "value", "-ncb": "flag",
        "-q": "flag", "-u": "value", "-xml": "flag",
    },
    "qquota": {
        "-h": "value", "-help": "flag", "-l": "value", "-u": "value", "-P": "value", "-pe": "value",
        "-q": "value", "-xml": "flag",
    },
    "qconf": {
        "-Aattr": "value", "-Acal": "value", "-Ackpt": "value", "-Aconf": "value", "-Ae": "value",
        "-Ahgrp": "value", "-Arqs": "value", "-Ap": "value", "-Aprj": "value", "-Aq": "value", "-Au": "value",
        "-Dattr": "value", "-Mattr": "value", "-Mc": "value", "-Mcal": "value", "-Mckpt": "value",
        "-Mconf": "value", "-Me": "value", "-Mhgrp": "value", "-Mrqs": "value", "-Mp": "value",
        "-Mprj": "value", "-Mq": "value", "-Msconf": "value", "-Mstree": "value", "-Mu": "value",
        "-Muser": "value", "-Rattr": "value", "-aattr": "value", "-acal": "value", "-ackpt": "value",
        "-aconf": "value", "-ae": "optional", "-ah": "value", "-ahgrp": "value", "-arqs": "optional",
        "-am": "value", "-ao": "value", "-ap": "value", "-at": "value", "-aprj": "flag", "-aq": "optional",
        "-as": "value", "-astnode": "value", "-astree": "flag", "-Astree": "value", "-au": "value",
        "-Auser": "value", "-auser": "flag", "-bonsai": "flag", "-clearusage": "optional", "-cq": "value",
        "-dattr": "value", "-dcal": "value", "-dckpt": "value", "-dconf": "value", "-de": "value",
        "-dh": "value", "-dhgrp": "value", "-drqs": "value", "-dm": "value", "-do": "value", "-dp": "value",
        "-dprj": "value", "-dq": "value", "-ds": "value", "-dstnode": "value", "-dstree": "flag",
        "-du": "value", "-dul": "value", "-duser": "value", "-help": "flag", "-km": "flag", "-ks": "flag",
        "-ke": "value", "-kej": "value", "-kt": "value", "-kec": "value", "-mattr": "value", "-mc": "flag",
        "-mcal": "value", "-mckpt": "value", "-mconf": "optional", "-me": "value", "-mhgrp": "value",
        "-mrqs": "optional", "-mp": "value", "-mprj": "value", "-mq": "value", "-msconf": "flag",
        "-mstnode": "value", "-mstree": "flag", "-mu": "value", "-muser": "value", "-purge": "value",
        "-rattr": "value", "-rsstnode": "value", "-sc": "flag", "-scal": "value", "-scall": "flag",
        "-sckpt": "value", "-sckptl": "flag", "-sconf": "optional", "-sconfl": "flag", "-sds": "flag",
        "-se": "value", "-sel": "flag", "-secl": "flag", "-sh": "flag", "-shgrp": "value", "-shgrpl": "flag",
        "-shgrp_tree": "value", "-shgrp_resolved": "value", "-srqs": "optional", "-srqsl": "flag",
        "-sm": "flag", "-so": "flag", "-sobjl": "value", "-sp": "value", "-spl": "flag", "-sprj": "value",
        "-sprjl": "flag", "-sq": "value", "-sql": "flag", "-ss": "flag", "-ssconf": "flag",
        "-sstnode": "value", "-sstree": "flag", "-sst": "flag", "-sss": "flag", "-su": "value",
        "-sul": "flag", "-suser": "value", "-suserl": "flag", "-tsm": "flag",
    },
    "qrsub": {
        "-a": "value", "-A": "value", "-ckpt": "value", "-d": "value", "-e": "value", "-he": "value",
        "-help": "flag", "-l": "value", "-m": "value", "-M": "value", "-masterq": "value", "-now": "value",
        "-N": "value", "-w": "value", "-pe": "value", "-q": "value", "-u": "value",
    },
    "qrdel": {"-f": "flag", "-help": "flag", "-u": "value"},
    "qrstat": {"-ar": "value", "-explain": "flag", "-help": "flag", "-u": "value", "-xml": "flag"},
    "qping": {
        "-help": "flag", "-noalias": "flag", "-ssl": "flag", "-tcp": "flag", "-i": "value", "-info": "flag",
        "-f": "flag", "-dump_tag": "value", "-dump": "flag", "-nonewline": "flag",
    },
    "qevent": {
        "-h": "flag", "-help": "flag", "-ts": "flag", "-testsuite": "flag", "-sm": "flag",
        "-subscribe": "flag", "-trigger": "value",
    },
}  # fmt: skip

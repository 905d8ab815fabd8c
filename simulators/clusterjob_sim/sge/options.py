"""What Grid Engine's qsub understands from a submission, and its exact refusals (behind clusterjob_sim.sge).

`parse_qsub(script_text, argv)` answers like `qsub <argv> script`: every `#$` line at column 0 of the
script is an option line (the whole file is scanned), the command line wins over the script, and `-b y`
skips the script's directives. An option of the real qsub that the simulator does not act on (not in
QSUB_IMPLEMENTED) is refused where it is read, with engine.refusal.not_implemented_text. A site's projects
(for -P) are the config's "projects" list (none by default, as on a fresh installation).

Sources: Son of Grid Engine 8.1.9 (source/clients/qsub, libs/sgeobj messages) and answers seen from
Debian's gridengine 8.1.9 (docs/recorded/gridengine-8.1.9.txt and the installation on the development
machine); texts marked [unconfirmed] were not checked.

How slots map onto the Allocation (Grid Engine itself only counts slots, NSLOTS):
  no -pe          -> 1 node x 1 task
  -pe NAME N      -> N slots (a range n-m: m, as the scheduler grants the most it can; n- : n),
                     placed by the PE's allocation_rule (from `pe_rules` or the config's
                     parallel_environments; an unknown PE name without rules counts as $pe_slots):
                     integer R       nodes = ceil(N / R), tasks_per_node = R (at most N)
                     $pe_slots       1 node x N tasks
                     $fill_up        hosts filled to slots_per_host: ceil(N / S) nodes x min(N, S) tasks
                     $round_robin    one slot per host in turn: min(N, hosts) nodes x ceil(N / nodes)
cpus_per_task is always 1 (Grid Engine has no threads-per-task notion); mem_mb_per_node is
h_vmem (a per-slot limit) x tasks_per_node; walltime is h_rt.

Stdlib only and no dataclasses/re/shlex: qsub imports this module on every call.
"""

from __future__ import annotations

import os

from clusterjob_sim.engine.refusal import Refused as Refused
from clusterjob_sim.engine.refusal import is_digits, not_implemented_text
from clusterjob_sim.sge.output import EXIT_REJECTED as EXIT_REJECTED
from clusterjob_sim.sge.output import EXIT_USAGE as EXIT_USAGE
from clusterjob_sim.sge.output import invalid_option_text

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

DIRECTIVE_PREFIX = "#$"
EXIT_SYNTAX = 7  # seen: a malformed number, range or queue list
EXIT_SCRIPT = 14  # seen: qsub's answer to an unreadable script
TIME_COMPLEXES = frozenset({"h_rt", "s_rt", "h_cpu", "s_cpu"})
MEMORY_COMPLEXES = frozenset(
    """h_vmem s_vmem h_rss s_rss h_data s_data h_stack s_stack h_core s_core h_fsize s_fsize
    mem_free mem_total mem_used swap_free swap_total swap_used swap_rsvd virtual_free
    virtual_total virtual_used""".split()
)

# qsub options (SGE 8.1.9, sge_submit(1)) by number of values they take (-binding: one, or two when the
# first is env, pe or set); anything else is an invalid option.
OPTIONS_FLAG = frozenset("clear cwd h hard help notify soft terse verify V".split())
OPTIONS_ONE = frozenset(
    """a ac A ar b binding c ckpt C dc dl e hold_jid hold_jid_ad i j js jsv l m masterq M N
    now o P p pty q R r sc shell sync S t tc v w wd @""".split()
)
OPTIONS_TWO = frozenset({"pe"})
BINDING_INSTANCES = frozenset({"env", "pe", "set"})
# Options of qrsh, qsh and qalter that qsub knows but will not take (seen: `qsub: Unknown option -display x`
# and a blank line, exit code 5), with the number of values each takes.
OTHER_COMMANDS_OPTIONS = {
    "display": 1,
    "ot": 1,
    "verbose": 0,
    "inherit": 0,
    "noshell": 0,
    "nostdin": 0,
}
EXIT_UNKNOWN = 5

# What the simulator acts on as the real qsub does (the manual's spellings; clusterjob_sim.sge.qsub declares
# them). -hard is the default (-soft is not implemented, so every request is hard); -A, -m, -M, -js, -R and
# -P are recorded and shown (qstat -j, qacct, SGE_ACCOUNT): on a default installation (no share tree, no
# reservations, no mail seen by a client) that is all they do. Every other option of qsub(1) is refused
# where it is read (not_implemented_text).
QSUB_IMPLEMENTED = frozenset(
    """-A -b -C -cwd -e -h -hard -j -js -l -m -M -N -o -P -pe -q -R -S -sync -t -tc -terse -v -V
    -wd""".split()
)
QSUB_REFUSED: dict[str, str] = {}
MULTI = frozenset(
    "l v ac dc sc q masterq hold_jid hold_jid_ad M".split()
)  # options that accumulate

# The complexes a fresh Grid Engine installation defines (`qconf -sc`); -l of any other name is refused.
DEFAULT_COMPLEXES = frozenset(
    """arch calendar cpu display_win_gui h_core h_cpu h_data h_fsize h_rss h_rt h_stack h_vmem hostname
    load_avg load_long load_medium load_short m_core m_socket m_thread m_topology m_topology_inuse
    mem_free mem_total mem_used min_cpu_interval np_load_avg np_load_long np_load_medium np_load_short
    num_proc qname rerun s_core s_cpu s_data s_fsize s_rss s_rt s_stack s_vmem seq_no slots swap_free
    swap_rate swap_rsvd swap_total swap_used tmpdir virtual_free virtual_total virtual_used""".split()
)
# `qconf -sc` shortcuts of a fresh installation (seen on 8.1.9; h_rt and h_vmem have none)
SHORTCUTS = {
    "a": "arch", "c": "calendar", "dwg": "display_win_gui", "h": "hostname", "la": "load_avg",
    "ll": "load_long", "lm": "load_medium", "ls": "load_short", "core": "m_core",
    "socket": "m_socket", "thread": "m_thread", "topo": "m_topology", "utopo": "m_topology_inuse",
    "mf": "mem_free", "mt": "mem_total", "mu": "mem_used", "mci": "min_cpu_interval",
    "nla": "np_load_avg", "nll": "np_load_long", "nlm": "np_load_medium", "nls": "np_load_short",
    "p": "num_proc", "q": "qname", "re": "rerun", "seq": "seq_no", "s": "slots", "sf": "swap_free",
    "sr": "swap_rate", "srsv": "swap_rsvd", "st": "swap_total", "su": "swap_used", "tmp": "tmpdir",
    "vf": "virtual_free", "vt": "virtual_total", "vu": "virtual_used",
}  # fmt: skip

# Characters the master refuses in a job name (verify_str_key, QSUB_TABLE) and their message names.
NAME_FORBIDDEN = {
    "\n": "Return",
    "\t": "Tab",
    "\r": "Carriage return",
    ":": "Colon",
    "@": "At",
    "\\": "Backslash",
    "*": "Asterisk",
    "?": "Questionmark",
}


class SgeSite:
    """What qsub checks a submission against (None: accept any queue / PE / resource / project name)."""

    def __init__(
        self,
        queues: Sequence[str] | None = None,
        pe_rules: Mapping[str, str | int] | None = None,
        complexes: frozenset[str] | None = DEFAULT_COMPLEXES,
        slots_per_host: int | None = None,
        hosts: int | None = None,
        host_names: Sequence[str] | None = None,
        projects: Sequence[str] | None = None,
    ) -> None:
        self.projects = tuple(projects) if projects is not None else None  # `qconf -sprjl`
        self.queues = tuple(queues) if queues is not None else None
        self.pe_rules = pe_rules  # PE name -> allocation_rule
        self.complexes = complexes
        self.slots_per_host = slots_per_host
        self.hosts = hosts
        self.host_names = tuple(host_names) if host_names is not None else None  # for -q queue@host

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SgeSite:
        """The site a simulator config.json describes (queues, parallel_environments, nodes)."""
        nodes = config.get("nodes", 1)
        if isinstance(nodes, int):
            per_host = [int(config.get("cores_per_node", 1))] * nodes
        else:
            per_host = [int(n.get("cores", config.get("cores_per_node", 1))) for n in nodes]
        pes = config.get("parallel_environments") or {}
        rules = {
            name: (spec.get("allocation_rule", "$pe_slots") if isinstance(spec, dict) else spec)
            for name, spec in pes.items()
        }
        queues = config.get("queues")
        extra = config.get("complexes")
        from clusterjob_sim.engine.spool import normalize_nodes

        return cls(
            queues=tuple(queues) if queues else None,
            pe_rules=rules,
            complexes=DEFAULT_COMPLEXES | frozenset(extra or ()),
            slots_per_host=max(per_host) if per_host else None,
            hosts=len(per_host) or None,
            host_names=[n["name"] for n in normalize_nodes(dict(config))],
            projects=tuple(config.get("projects") or ()),  # a fresh installation has none
        )


class SgeRequest:
    """Everything qsub took from one submission, in the Allocation's terms plus what the engine needs."""

    def __init__(self) -> None:
        self.nodes = 1
        self.tasks_per_node = 1
        self.mem_mb_per_node: int | None = None
        self.walltime_s: int | None = None
        self.queue: str | None = None
        self.name: str | None = None  # -N
        self.job_name = (
            "STDIN"  # the name qsub records (-N, else the script's basename, else STDIN)
        )
        self.array: tuple[tuple[int, ...], int | None, str] | None = None  # ids, -tc, '1-10:2'
        self.pe_range_text: str = ""  # the PE range as Grid Engine prints it in a job category
        self.stdout: str | None = None
        self.stderr: str | None = None
        self.workdir: str | None = None
        self.extra: dict[str, str | bool] = {}
        self.script_path: str | None = None
        self.script_args: list[str] = []
        self.binary = False
        self.slots = 1
        self.pe: str | None = None
        self.pe_range: str | None = None
        self.rule: str | int | None = None  # the PE's allocation_rule
        self.merge_output = False
        self.cwd = False
        self.held = False
        self.export_env = False  # -V
        self.shell: str | None = None  # -S
        self.resources: dict[str, str] = {}  # -l name=value, later wins
        self.options: dict[str, Any] = {}  # every option qsub kept, by name
        self.terse = False
        self.warnings: list[str] = []  # qsub's stdout warnings (an option set twice)
        self.recorded: dict[str, Any] = {}  # -A -m -M -js -R -P as qstat -j and qacct show them


def invalid_option(word: str) -> Refused:
    """qsub's refusal of an unknown option (seen on Debian's 8.1.9): exit code 2."""
    return Refused(invalid_option_text(word), EXIT_USAGE)


def rejected(reason: str) -> Refused:
    """qsub's refusal of a job the master will not take (seen on 8.1.9: no period after the reason)."""
    return Refused(f"Unable to run job: {reason}\nExiting.\n", EXIT_REJECTED)


def not_a_number(text: str) -> Refused:
    """qsub's answer to a range or count that does not start with a number (seen)."""
    return Refused(
        "qsub: Numerical value invalid!\n"
        f'The initial portion of string "{text}" contains no decimal number\n',
        EXIT_SYNTAX,
    )


def unreadable_script(path: str, why: str = "No such file or directory") -> Refused:
    """qsub's answer to a script it cannot open (seen): exit code 14."""
    return Refused(
        f"Unable to read script file because of error: error opening {path}: {why}\n", EXIT_SCRIPT
    )


# ---------------------------------------------------------------------------------------------------
# Option scanning
# ---------------------------------------------------------------------------------------------------


WARN_ON_REPEAT = frozenset("N pe j A P r a now b shell R dl".split())  # seen on 8.1.9


def split_options(
    args: Sequence[str],
    in_script: bool = False,
    *,
    check: bool = False,
    seen: set[str] | None = None,
    warnings: list[str] | None = None,
    strays: list[str] | None = None,
) -> tuple[list[tuple[str, Any]], int]:
    """Options in order as (name, value) and the index of the script path (or len(args)).

    With `check`, each option's value is checked as it is read (check_syntax); `seen`/`warnings` collect
    qsub's stdout warning for an option set twice in one source (seen: command line, then script)."""
    opts: list[tuple[str, Any]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-") or arg == "-":
            if in_script and strays is not None:  # seen: reported once every line was read
                strays.append(arg)
                i += 1
                continue
            if in_script:
                raise stray_word()
            break
        name = arg[1:]
        if seen is not None and warnings is not None and name in WARN_ON_REPEAT:
            if name in seen:
                warnings.append(
                    f'{"" if in_script else "qsub: "}warning: "{arg}" option has already been set, '
                    "overriding previous setting\n"
                )
            seen.add(name)
        if name in OPTIONS_FLAG:
            not_implemented(arg)
            opts.append((name, True))
        elif name in OPTIONS_ONE or name in OPTIONS_TWO:
            want = 2 if name in OPTIONS_TWO else 1
            if name == "binding" and i + 1 < len(args) and args[i + 1] in BINDING_INSTANCES:
                want = 2
            if len(args) - 1 - i < want:
                not_implemented(arg)
                raise missing_argument(arg, in_script, len(args) - 1 - i)
            values = list(args[i + 1 : i + 1 + want])
            not_implemented(arg)
            opts.append((name, values[0] if want == 1 else tuple(values)))
            i += want
            if check:
                check_syntax(opts[-1:], in_script)
        elif name in OTHER_COMMANDS_OPTIONS:
            words = args[i : i + 1 + OTHER_COMMANDS_OPTIONS[name]]
            raise Refused(f"qsub: Unknown option {' '.join(words)}\n\n", EXIT_UNKNOWN)
        elif in_script:
            raise script_error(f'invalid option argument "{arg}"', EXIT_USAGE)  # seen
        else:
            raise invalid_option(arg)
        i += 1
    return opts, i


def not_implemented(option: str) -> None:
    """Refuse, where it is read, an option of the real qsub that the simulator does not act on."""
    if option in QSUB_REFUSED:
        raise Refused(f"qsub: {option}: {QSUB_REFUSED[option]}\n", EXIT_USAGE)
    if option not in QSUB_IMPLEMENTED:
        raise Refused(not_implemented_text("qsub", option), EXIT_USAGE)


def stray_word() -> Refused:
    """qsub's answer to a word that is no option in a #$ line (seen), once all lines were read."""
    return Refused("qsub: Unknown option \n\n", 5)


def script_error(text: str, exit_code: int) -> Refused:
    """qsub's answer to a bad option in a #$ line: the text after 'Unable to read script file ...'."""
    return Refused(f"Unable to read script file because of error: {text}\n", exit_code)


def missing_argument(option: str, in_script: bool = False, given: int = 0) -> Refused:
    """qsub's answer to an option without its value(s) (all seen on 8.1.9), exit code 2."""
    what = {
        "-pe": "range as 2nd argument" if given else "pe_name argument",
        "-q": "queue list argument",
        "-masterq": "queue list argument",
        "-S": "path_name argument",
        "-t": "a list of task id ranges",
        "-v": "variable list argument",
    }.get(option, "argument")
    text = f"{option} option must have {what}"
    if in_script:
        return script_error(text, EXIT_USAGE)
    return Refused(f"qsub: {text}\n", EXIT_USAGE)


_C_SPACE = " \t\n\v\f\r"


def string_list(text: str, delimiters: str = " \t\n") -> list[str]:
    """Grid Engine's string_list(): words at blanks; a quote keeps blanks in a word.

    Ported step by step, quirk included: the closing quote is seen again as an opening one, so a quoted
    word runs to the end of the line. Backslashes are ordinary characters (seen on 8.1.9:
    `#$ -e /tmp/x\\0y` writes to `/tmp/x\\0y`)."""
    words: list[str] = []
    i, quote, n = 0, 0, len(text)
    while True:
        while i < n and text[i] in delimiters:
            i += 1
        if i >= n:
            return words
        start, at_blank = i, False
        while i < n and not at_blank:
            if quote == 0 and text[i] == '"':
                quote = 2
            elif quote == 0 and text[i] == "'":
                quote = 1
            i += 1
            if quote == 0:
                at_blank = i < n and text[i] in delimiters
            if i < n and ((quote == 2 and text[i] == '"') or (quote == 1 and text[i] == "'")):
                quote = 0
        words.append(text[start:i])
        if i >= n:
            return words
        i += 1


def directive_line_words(rest: str) -> list[str]:
    """The words of one `#$` line as qsub reads them: string_list, then every quote deleted."""
    return [w.replace('"', "").replace("'", "") for w in string_list(rest.strip(_C_SPACE))]


def directive_lines(script_text: str, prefix: str = DIRECTIVE_PREFIX) -> list[list[str]]:
    """The option words of each line that starts with the directive prefix (the whole file is read);
    qsub parses every line on its own: an option's value must be on its line (seen)."""
    lines: list[list[str]] = []
    if not prefix:
        return lines
    for line in script_text.splitlines():
        if not line.startswith(prefix):
            continue
        # seen: the line ends at its first '#', even inside quotes (`-N "x # y" -j y` names the job x)
        lines.append(directive_line_words(line[len(prefix) :].split("#", 1)[0]))
    return lines


def directive_words(script_text: str, prefix: str = DIRECTIVE_PREFIX) -> list[str]:
    """The option words of every directive line, in order."""
    return [w for words in directive_lines(script_text, prefix) for w in words]


def _strip_program(argv: Sequence[str]) -> list[str]:
    """Drop a leading 'qsub' (so a backend's whole argv can be passed)."""
    args = list(argv)
    if args and os.path.basename(args[0]) == "qsub":
        args = args[1:]
    return args


def _merge(*sources: list[tuple[str, Any]]) -> dict[str, Any]:
    """Later sources win; accumulating options (-l, -v, -q ...) collect their values in order."""
    merged: dict[str, Any] = {}
    for source in sources:
        seen_multi: set[str] = set()
        for name, value in source:
            if name in MULTI:
                if name not in seen_multi:
                    merged[name] = []  # a later source replaces an earlier source's list
                    seen_multi.add(name)
                merged[name].append(value)
            else:
                merged[name] = value
    return merged


# ---------------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------------


def c_strtod(text: str) -> float | None:
    """The number C's strtod reads from all of `text` (decimal, exponent, hex, inf/nan; trailing blanks
    allowed), None if anything else is left."""
    t = text.rstrip(" \t")
    if not t or t[0] in " \t" or "_" in t or not t.isascii():
        return None
    try:
        return float(t)
    except ValueError:
        pass
    try:
        return float.fromhex(t) if "x" in t.lower() else None
    except ValueError:
        return None


def parse_time(text: str) -> int | None:
    """A Grid Engine time in seconds, None if invalid (all seen on 8.1.9): one number (strtod; rounded
    half to even: 1.5 -> 2, .5 -> 0) or h:m:s with every field a number or empty (`48::`, `::30`);
    two fields (`5:30`) are not a time."""
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            return None
        nums = [0.0 if p == "" else c_strtod(p) for p in parts]
        if any(n is None for n in nums):
            return None
        h, m, s = (float(n or 0.0) for n in nums)
        total = h * 3600 + m * 60 + s
    else:
        value = c_strtod(text)
        if value is None:
            return None
        total = value
    if total != total or total in (float("inf"), float("-inf")):
        return None
    return round(total)


MEMORY_FACTORS = {
    "": 1,
    "k": 1000,
    "K": 1024,
    "m": 1000**2,
    "M": 1024**2,
    "g": 1000**3,
    "G": 1024**3,
    "t": 1000**4,
    "T": 1024**4,
}


def parse_memory(text: str) -> float | None:
    """A Grid Engine memory value in bytes (`4G` = 4 * 1024^3, `4g` = 4 * 1000^3), None if invalid:
    strtod's number then at most one of k K m M g G t T (seen: 1.5G, 0x10, -1G, inf are accepted)."""
    suffix = text[-1:] if text[-1:] and text[-1:] in MEMORY_FACTORS else ""
    value = c_strtod(text[: len(text) - len(suffix)])
    if value is None:
        return None
    return value * MEMORY_FACTORS[suffix]


def parse_resources(values: Sequence[str], site: SgeSite) -> dict[str, str]:
    """All -l lists as {complex: value} (later wins); unknown complexes are refused like the master."""
    out: dict[str, str] = {}
    for text in values:
        for item in (
            text.replace("\t", ",").replace(" ", ",").split(",")
        ):  # seen: blanks separate too
            if not item:
                continue
            name, eq, value = item.partition("=")
            name = SHORTCUTS.get(name.strip(), name.strip())
            if site.complexes is not None and name not in site.complexes:
                raise rejected(f'unknown resource "{name}"')  # seen
            if eq and not value:
                raise rejected(f'denied: missing value for resource "{name}"')  # seen
            if name in TIME_COMPLEXES and parse_time(value) is None:
                raise rejected(f'attribute "{name}" is not a time value')  # seen
            if name in MEMORY_COMPLEXES and parse_memory(value) is None:
                raise rejected(f'attribute "{name}" is not a memory value')  # seen
            out[name] = value if eq else "TRUE"
    return out


def task_range(text: str) -> tuple[int, int, int]:
    """-t n[-m][:s] -> (first, last, step) as qsub stores them; Refused as qsub refuses a bad one.

    Seen on 8.1.9: `3-1` is read as 1-3, `3:5` as 3-5, a step of 0 and a non-number are refused (task
    id 0 is refused later, by the master).
    """
    rng, colon, step_s = text.partition(":")
    lo_s, dash, hi_s = rng.partition("-")
    if not dash and colon:  # `3:5` is the range 3-5
        lo_s, hi_s, step_s, colon = rng, step_s, "", ""
    for part in (lo_s, hi_s, step_s):
        if part and not is_digits(part):
            raise not_a_number(part)
    if not lo_s:
        raise not_a_number(text)
    lo = int(lo_s)
    hi = int(hi_s) if hi_s else lo
    step = int(step_s) if step_s else 1
    if colon and step == 0:
        raise Refused("qsub: Negative or zero step in range is not allowed\n", EXIT_SYNTAX)
    return min(lo, hi), max(lo, hi), step


def parse_task_range(text: str) -> tuple[int, ...] | None:
    """-t n[-m[:s]] -> task ids, None if qsub would refuse it."""
    try:
        lo, hi, step = task_range(text)
    except Refused:
        return None
    return tuple(range(lo, hi + 1, step)) if lo > 0 else None


def _strtol(text: str) -> tuple[int | None, str]:
    """C strtol(text, &end, 10): (value or None without digits, the rest)."""
    i, n = 0, len(text)
    while i < n and text[i] in " \t\n\v\f\r":
        i += 1
    start = i
    if i < n and text[i] in "+-":
        i += 1
    digits_start = i
    while i < n and "0" <= text[i] <= "9":
        i += 1
    if i == digits_start:
        return None, text
    return int(text[start:i]), text[i:]


def pe_range(text: str) -> tuple[int, int | None]:
    """-pe NAME n | n-m | n- | -m -> (min, max or None); Refused as qsub refuses a bad one.

    As Grid Engine's range parser reads it (seen on 8.1.9): a number (strtol), then any one character
    and a second number; nothing after that one character is an open range (`2x`, `2 ` -> 2-), and
    `2:1` or `1.5` are ranges too; a leading '-' means from 1."""
    if text.startswith("-"):
        lo, rest = 1, text
    else:
        first, rest = _strtol(text)
        if first is None:
            raise not_a_number(text)
        lo = first
        if not rest:
            return lo, lo
    rest = rest[1:]
    if not rest:
        return lo, None
    second, _ = _strtol(rest)
    if second is None:
        raise not_a_number(rest)
    return min(lo, second), max(lo, second)  # a 0 is refused later, by the master


def parse_pe_range(text: str) -> int | None:
    """The slots a -pe range gets: its maximum when bounded (the scheduler grants the most it can),
    else its minimum; None if qsub would refuse it."""
    try:
        lo, hi = pe_range(text)
    except Refused:
        return None
    if lo == 0:
        return None
    return hi if hi is not None else lo


def range_text(lo: int, hi: int | None) -> str:
    """A range as Grid Engine prints it in a job category: `2`, `1,2`, `2-4`, `4-` [seen 1,2]."""
    if hi is None:
        return f"{lo}-"
    if hi == lo:
        return str(lo)
    if hi == lo + 1:
        return f"{lo},{hi}"
    return f"{lo}-{hi}"


# -m: the mail events in the order qstat -j prints them; `n` (no mail) clears them (seen)
MAIL_LETTERS = "abes"


def job_share(text: str) -> int | None:
    """-js: an unsigned integer as strtol reads it (seen: ` 3` and `007` are taken; `-1`, `x` refused)."""
    value, rest = _strtol(text)
    return value if value is not None and value >= 0 and not rest else None


def yes_no(text: str) -> bool | None:
    """y[es]|n[o] in any case (seen for -R: Y, YES, No taken; `ye`, `nope` refused)."""
    return {"y": True, "yes": True, "n": False, "no": False}.get(text.lower())


def mail_list(text: str) -> str:
    """-M user[@host],... as qstat -j shows it (seen: `u1,u2@h` -> `u1@NONE,u2@h`)."""
    return ",".join(a if "@" in a else f"{a}@NONE" for a in text.split(",") if a)


def recorded_options(opts: dict[str, Any]) -> dict[str, Any]:
    """The options qsub only records (-A -m -M -js -R), as qstat -j, qacct and the job show them."""
    rec: dict[str, Any] = {}
    if "A" in opts:
        rec["account"] = str(opts["A"])
    if "m" in opts:
        letters = str(opts["m"])
        rec["mail_options"] = (
            "" if "n" in letters else "".join(c for c in MAIL_LETTERS if c in letters)
        )
    if "M" in opts:
        rec["mail_list"] = ",".join(mail_list(str(v)) for v in opts["M"])
    if "js" in opts:
        rec["jobshare"] = job_share(str(opts["js"]))
    if "R" in opts:
        rec["reserve"] = bool(yes_no(str(opts["R"])))
    return rec


UNREADABLE = "Error reading answer list from qmaster"  # seen: the master's answer to some names


def job_name_error(name: str) -> str | None:
    """The master's refusal of a job name (None: accepted); UNREADABLE for a blank, control or non-ASCII
    character, which qsub only reports when nothing else is wrong (all seen)."""
    if not name:
        return "job rejected cause there is no job_name in the request"
    if (
        "0" <= name[0] <= "9"
    ):  # seen: checked before the characters ('1a:b' is refused for the digit)
        return f'denied: "{name}" is not a valid object name (cannot start with a digit)'
    for ch, label in NAME_FORBIDDEN.items():
        if ch in name:
            what = label if ch in "\n\t\r" else f"{label} ('{ch}')"  # seen: "Tab not allowed"
            return f"{what} not allowed in objectname"
    if any(not ("!" <= ch <= "~") for ch in name):
        return UNREADABLE
    return None


def check_job_name(name: str) -> None:
    """Grid Engine's job-name rules: '/' refused by qsub itself, the rest by the master (all seen)."""
    if "/" in name:
        raise Refused("qsub: argument to -N option must not contain / \n", EXIT_USAGE)
    why = job_name_error(name)
    if why:
        raise rejected(why)


def check_empty_path(text: str) -> None:
    """An -o/-e `[host:]path` with nothing after the host: refused before anything else (seen)."""
    _, colon, path = text.partition(":")
    if not (path if colon else text):
        raise rejected("paths may not be empty strings")


def unknown_host(text: str, site: SgeSite) -> list[str]:
    """The master's refusal of an -o/-e path on a host it does not know (seen), if any."""
    host, colon, _ = text.partition(":")
    if colon and host and site.host_names is not None and host not in site.host_names:
        return [f'can\'t resolve hostname "{host}"']
    return []


def place_slots(slots: int, rule: str | int, site: SgeSite) -> tuple[int, int]:
    """(nodes, tasks_per_node) for `slots` under a PE allocation_rule (see the module docstring)."""
    if isinstance(rule, int) or (isinstance(rule, str) and is_digits(rule.strip())):
        per = max(1, int(rule))
        return -(-slots // per), min(per, slots)
    if rule == "$fill_up" and site.slots_per_host:
        per = site.slots_per_host
        return -(-slots // per), min(per, slots)
    if rule == "$round_robin" and site.hosts:
        nodes = min(slots, site.hosts)
        return nodes, -(-slots // nodes)
    return 1, slots


def _pe_rule(name: str, site: SgeSite) -> str | int:
    """The allocation_rule of a requested PE (wildcards allowed), or refuse an unknown PE."""
    if site.pe_rules is None:
        return "$pe_slots"
    if name in site.pe_rules:
        return site.pe_rules[name]
    import fnmatch

    for pe, rule in site.pe_rules.items():
        if fnmatch.fnmatchcase(pe, name):
            return rule
    raise rejected(
        f'job rejected: the requested parallel environment "{name}" does not exist'
    )  # seen


# ---------------------------------------------------------------------------------------------------
# The submission
# ---------------------------------------------------------------------------------------------------


def parse_qsub(
    script_text: str,
    argv: Sequence[str] = (),
    *,
    site: SgeSite | None = None,
    cwd: str | None = None,
) -> SgeRequest:
    """Read one submission as `qsub <argv>` does (script text given); raise Refused as qsub would."""
    site = site or SgeSite()
    args = _strip_program(argv)
    warnings: list[str] = []  # qsub prints them on stdout, also when it then refuses the job
    try:
        cmd_opts, pos = split_options(args, check=True, seen=set(), warnings=warnings)
        positional = args[pos:]
        cmd = _merge(cmd_opts)
        binary = str(cmd.get("b", "n")).lower().startswith("y")
        script_opts: list[tuple[str, Any]] = []
        if not binary:
            prefix = str(cmd["C"]) if "C" in cmd else DIRECTIVE_PREFIX
            seen: set[str] = set()
            strays: list[str] = []
            for words in directive_lines(script_text, prefix):  # line by line, as qsub reads them
                line_opts, _ = split_options(
                    words, in_script=True, check=True, seen=seen, warnings=warnings, strays=strays
                )
                script_opts.extend(line_opts)
            if strays:
                raise stray_word()
        opts = _merge(script_opts, cmd_opts)
        req = build_request(opts, positional, site, cwd)
    except Refused as e:
        raise Refused(e.message, e.exit_code, "".join(warnings) + e.stdout) from None
    req.binary = binary
    req.warnings = warnings
    return req


def check_syntax(opts: list[tuple[str, Any]], in_script: bool) -> None:
    """qsub's own checks of one source's options (exit codes 2 and 7), in the order it reads them.

    On the command line the message starts with 'qsub: '; from a #$ line with 'Unable to read script
    file because of error: ' (both seen), whether or not the command line overrides the option later.
    """
    try:
        for name, value in opts:
            if name == "N" and "/" in str(value):
                raise Refused("qsub: argument to -N option must not contain / \n", EXIT_USAGE)
            elif name == "t":
                task_range(str(value))
            elif name == "tc" and not is_digits(str(value)):
                raise Refused(
                    f'qsub: invalid task concurrency number "{value}". Must be an integer '
                    "greater or equal to 0.\n",
                    EXIT_SYNTAX,
                )
            elif name == "pe":
                pe_range(str(value[1]))
            elif name == "q" and not [q for q in str(value).split(",") if q]:
                raise Refused(
                    f'qsub: Wrong queue list format "{value}" specified to -q option\n',
                    EXIT_SYNTAX,
                )
            elif name == "m" and not (value and set(str(value)) <= set(MAIL_LETTERS + "n")):
                raise Refused(
                    f'qsub: Wrong mail options list format "{value}" specified to -m option\n',
                    EXIT_SYNTAX,
                )  # seen: also for "a,s" and ""
            elif name == "M" and not value:
                raise Refused(
                    f'qsub: Wrong mail list format "{value}" specified to -M option\n', EXIT_SYNTAX
                )  # seen
            elif name == "js" and job_share(str(value)) is None:
                raise Refused("qsub: invalid jobshare, must be an unsigned integer\n", EXIT_USAGE)
            elif name == "R" and yes_no(str(value)) is None:
                raise Refused(f'qsub: invalid option argument "-R {value}"\n', EXIT_SYNTAX)  # seen
    except Refused as e:
        if in_script and e.message.startswith("qsub: "):
            raise script_error(e.message[len("qsub: ") :].rstrip("\n"), e.exit_code) from None
        raise


def master_checks(
    req: SgeRequest,
    opts: dict[str, Any],
    names: list[str],
    pe_bounds: tuple[int, int | None] | None,
    site: SgeSite,
) -> None:
    """The master's checks that stop at the first refusal: resources, queues, the PE, its range."""
    req.resources = parse_resources(opts.get("l", []), site)
    for q in names:
        cluster_queue, at, host = q.partition("@")
        unknown = site.queues is not None and cluster_queue not in site.queues
        if at and site.host_names is not None and not host.startswith("@"):
            unknown = unknown or host not in site.host_names
        if unknown and "*" not in q:
            raise rejected(f'Job was rejected because job requests unknown queue "{q}"')  # seen
    req.queue = names[0] if names else None
    if pe_bounds is not None:
        req.rule = _pe_rule(str(opts["pe"][0]), site)  # seen: an unknown PE before a 0 range
        if pe_bounds[0] == 0:
            raise rejected('"job" rejected: pe range must be greater than zero')  # seen


def build_request(
    opts: dict[str, Any], positional: list[str], site: SgeSite, cwd: str | None
) -> SgeRequest:
    """Validate merged options in qsub's order and map them onto Allocation terms."""
    req = SgeRequest()
    req.options = opts
    req.script_path = positional[0] if positional else None
    req.script_args = positional[1:]
    # values qsub itself checked (check_syntax) before the master sees them
    bounds = task_range(str(opts["t"])) if "t" in opts else None
    limit = int(opts["tc"]) or None if "tc" in opts else None
    pe_bounds = pe_range(str(opts["pe"][1])) if "pe" in opts else None
    names = [q for text in opts.get("q", []) for q in str(text).split(",") if q]
    # then the master's (exit code 1, "Unable to run job: ..."), in the order seen on 8.1.9: an empty
    # -o/-e path alone; then the first of: task id 0, unknown -o/-e hosts (both), the job name; then
    # the first of: a resource, a queue, a PE, a PE range; every error found is listed
    for key in ("o", "e"):
        if key in opts:
            check_empty_path(str(opts[key]))
    errors: list[str] = []
    hidden = False  # a name the master refuses with an answer qsub cannot read
    if bounds is not None and bounds[0] == 0:
        errors.append("job rejected: 0 is an invalid task id")
    else:
        errors = [
            e for key in ("o", "e") if key in opts for e in unknown_host(str(opts[key]), site)
        ]
        if not errors and "N" in opts:
            why = job_name_error(str(opts["N"]))
            if why == UNREADABLE:
                hidden = True
            elif why:
                errors.append(why)
    try:
        master_checks(req, opts, names, pe_bounds, site)
    except Refused as e:
        errors.append(e.message[len("Unable to run job: ") : -len("\nExiting.\n")])
    if errors:
        raise rejected("\n".join(errors))
    project = str(opts["P"]) if "P" in opts else None
    if project is not None and site.projects is not None and project not in site.projects:
        raise rejected(
            f'job rejected: the requested project "{project}" does not exist'
        )  # seen: after the errors above
    if hidden:
        raise rejected(UNREADABLE)
    req.recorded = recorded_options(opts)
    if project is not None:
        req.recorded["project"] = project
    if "N" in opts:
        req.name = str(opts["N"])
    default_name = os.path.basename(req.script_path) if req.script_path else "STDIN"
    req.job_name = req.name or default_name
    if bounds is not None:
        lo, hi, step = bounds
        req.array = (tuple(range(lo, hi + 1, step)), limit, f"{lo}-{hi}:{step}")
    if pe_bounds is not None:
        pe_lo, pe_hi = pe_bounds
        req.slots = pe_hi if pe_hi is not None else pe_lo
        req.pe, req.pe_range = str(opts["pe"][0]), str(opts["pe"][1])
        req.pe_range_text = range_text(pe_lo, pe_hi)
        req.nodes, req.tasks_per_node = place_slots(req.slots, req.rule or "$pe_slots", site)
    if "h_rt" in req.resources:
        req.walltime_s = parse_time(req.resources["h_rt"])
    per_slot = parse_memory(req.resources["h_vmem"]) if "h_vmem" in req.resources else None
    if per_slot is not None and 0 <= per_slot < float("inf"):  # (-1G, inf, nan are accepted too)
        mb = per_slot * req.tasks_per_node / 1024**2
        req.mem_mb_per_node = int(mb) if int(mb) == mb else int(mb) + 1
    if "o" in opts:
        req.stdout = str(opts["o"])
    if "e" in opts:
        req.stderr = str(opts["e"])
    req.merge_output = str(opts.get("j", "n")).lower().startswith("y")
    req.cwd = "cwd" in opts
    if "wd" in opts:
        req.workdir = str(opts["wd"])
    elif req.cwd:
        req.workdir = cwd or os.getcwd()
    req.held = bool(opts.get("h"))
    req.export_env = bool(opts.get("V"))
    req.shell = str(opts["S"]) if "S" in opts else None
    req.terse = bool(opts.get("terse"))
    modelled = {"N", "t", "tc", "l", "pe", "q", "o", "e", "wd", "cwd"}
    for name, value in opts.items():
        if name in modelled:
            continue
        if isinstance(value, list):
            req.extra[name] = ",".join(str(v) for v in value)
        elif isinstance(value, tuple):
            req.extra[name] = " ".join(str(v) for v in value)
        else:
            req.extra[name] = value
    if req.pe is not None:
        req.extra["pe"] = req.pe
    for name, value in req.resources.items():
        if name not in ("h_rt", "h_vmem"):
            req.extra[name] = value
    return req

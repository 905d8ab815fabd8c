"""What Grid Engine's qsub understands from a submission, and its exact refusals (behind clusterjob_sim.sge).

`parse_qsub(script_text, argv)` answers like `qsub <argv> script`: every `#$` line at column 0 of the
script is an option line (the whole file is scanned), the command line wins over the script, and `-b y`
skips the script's directives. Sources: Son of Grid Engine 8.1.9 (source/clients/qsub, libs/sgeobj
messages) and answers seen from Debian's gridengine 8.1.9 (docs/recorded/gridengine-8.1.9.txt and the
installation on the development machine); texts marked [unconfirmed] were not checked.

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

from clusterjob_sim.lsf_parse import Refused as Refused  # shared: a light exception, shell words
from clusterjob_sim.lsf_parse import is_digits

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

DIRECTIVE_PREFIX = "#$"
EXIT_USAGE = 2  # seen: an invalid option, a missing option argument
EXIT_SYNTAX = 7  # seen: a malformed number, range or queue list
EXIT_SCRIPT = 14  # seen: qsub's answer to an unreadable script
EXIT_REJECTED = 1  # seen: "Unable to run job: ...", "Exiting."
TIME_COMPLEXES = frozenset({"h_rt", "s_rt", "h_cpu", "s_cpu"})
MEMORY_COMPLEXES = frozenset(
    """h_vmem s_vmem h_rss s_rss h_data s_data h_stack s_stack h_core s_core h_fsize s_fsize
    mem_free mem_total mem_used swap_free swap_total swap_used swap_rsvd virtual_free
    virtual_total virtual_used""".split()
)

# qsub options (SGE 8.1.9) by number of values they take; anything else is an invalid option.
OPTIONS_FLAG = frozenset("clear cwd h hard help notify soft terse verify V".split())
OPTIONS_ONE = frozenset(
    """a ac A ar b binding c ckpt C dc display dl e hold_jid hold_jid_ad i j js jsv l m masterq M N
    now o P p pty q R r sc shell sync S t tc tcon v w wd @""".split()
)
OPTIONS_TWO = frozenset({"pe"})
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
SHORTCUTS = {"rt": "h_rt", "vmem": "h_vmem", "mf": "mem_free"}  # a few `qconf -sc` shortcuts

# Characters the master refuses in a job name (verify_str_key, QSUB_TABLE) and their message names.
NAME_FORBIDDEN = {
    "\n": "Return",
    "\t": "Tabulator",
    "\r": "Carriage return",
    ":": "Colon",
    "@": "At",
    "\\": "Backslash",
    "*": "Asterisk",
    "?": "Questionmark",
}


class SgeSite:
    """What qsub checks a submission against (None: accept any queue / PE / resource name)."""

    def __init__(
        self,
        queues: Sequence[str] | None = None,
        pe_rules: Mapping[str, str | int] | None = None,
        complexes: frozenset[str] | None = DEFAULT_COMPLEXES,
        slots_per_host: int | None = None,
        hosts: int | None = None,
        host_names: Sequence[str] | None = None,
    ) -> None:
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
        from clusterjob_sim.spool import normalize_nodes

        return cls(
            queues=tuple(queues) if queues else None,
            pe_rules=rules,
            complexes=DEFAULT_COMPLEXES | frozenset(extra or ()),
            slots_per_host=max(per_host) if per_host else None,
            hosts=len(per_host) or None,
            host_names=[n["name"] for n in normalize_nodes(dict(config))],
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


def invalid_option(word: str) -> Refused:
    """qsub's refusal of an unknown option (seen on Debian's 8.1.9): exit code 2."""
    return Refused(f'qsub: invalid option argument "{word}"\n', EXIT_USAGE)


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


def split_options(
    args: Sequence[str], in_script: bool = False
) -> tuple[list[tuple[str, Any]], int]:
    """Options in order as (name, value) and the index of the script path (or len(args))."""
    opts: list[tuple[str, Any]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-") or arg == "-":
            if in_script:
                raise Refused("qsub: Unknown option \n\n", 5)  # seen: a stray word in a #$ line
            break
        name = arg[1:]
        if name in OPTIONS_FLAG:
            opts.append((name, True))
        elif name in OPTIONS_ONE or name in OPTIONS_TWO:
            want = 2 if name in OPTIONS_TWO else 1
            if len(args) - 1 - i < want:
                raise missing_argument(arg, in_script)
            values = list(args[i + 1 : i + 1 + want])
            opts.append((name, values[0] if want == 1 else tuple(values)))
            i += want
        elif in_script:
            raise script_error(f'invalid option argument "{arg}"', EXIT_USAGE)  # seen
        else:
            raise invalid_option(arg)
        i += 1
    return opts, i


def script_error(text: str, exit_code: int) -> Refused:
    """qsub's answer to a bad option in a #$ line: the text after 'Unable to read script file ...'."""
    return Refused(f"Unable to read script file because of error: {text}\n", exit_code)


def missing_argument(option: str, in_script: bool = False) -> Refused:
    """qsub's answer to an option without its value (seen for -N, -q and -pe on the command line)."""
    what = {
        "-pe": "range as 2nd argument",
        "-q": "queue list argument",
        "-masterq": "queue list argument",
    }.get(option, "argument")
    if in_script:
        return script_error(f"{option} option must have {what}", EXIT_USAGE)  # [unconfirmed]
    return Refused(f"qsub: {option} option must have {what}\n", EXIT_USAGE)


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


def directive_words(script_text: str, prefix: str = DIRECTIVE_PREFIX) -> list[str]:
    """The option words of every line that starts with the directive prefix (the whole file is read)."""
    words: list[str] = []
    if not prefix:
        return words
    for line in script_text.splitlines():
        if not line.startswith(prefix):
            continue
        for w in directive_line_words(line[len(prefix) :]):
            if w.startswith("#"):  # seen: `#$ -N x # a comment` names the job x
                break
            words.append(w)
    return words


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


def parse_time(text: str) -> int | None:
    """A Grid Engine time: seconds, or [[h:]m:]s with empty parts meaning 0 (`48::`); None if invalid."""
    t = text.strip()
    if t.isdigit() and t.isascii():
        return int(t)
    whole, dot, frac = t.partition(".")
    if dot and (whole or frac) and is_digits(whole or "0") and is_digits(frac or "0"):
        return int(float(t) + 0.5)  # seen: h_rt=1.5 is accepted
    parts = t.split(":")
    if len(parts) > 3 or len(parts) < 2:
        return None
    if not all((p.isdigit() and p.isascii()) or p == "" for p in parts):
        return None
    nums = [int(p) if p else 0 for p in parts]
    while len(nums) < 3:
        nums.insert(0, 0)
    h, m, s = nums
    return h * 3600 + m * 60 + s


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
    """A Grid Engine memory value in bytes (`4G` = 4 * 1024^3, `4g` = 4 * 1000^3), None if invalid."""
    t = text.strip()
    suffix = t[-1:] if t[-1:] in MEMORY_FACTORS and t[-1:] else ""
    num = t[: len(t) - len(suffix)]
    try:
        value = float(num)
    except ValueError:
        return None
    if value < 0 or value != value or value == float("inf"):
        return None
    return value * MEMORY_FACTORS[suffix]


def parse_resources(values: Sequence[str], site: SgeSite) -> dict[str, str]:
    """All -l lists as {complex: value} (later wins); unknown complexes are refused like the master."""
    out: dict[str, str] = {}
    for text in values:
        for item in text.split(","):
            if not item:
                continue
            name, eq, value = item.partition("=")
            name = SHORTCUTS.get(name.strip(), name.strip())
            if site.complexes is not None and name not in site.complexes:
                raise rejected(f'unknown resource "{name}"')  # seen
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


def pe_range(text: str) -> tuple[int, int | None]:
    """-pe NAME n | n-m | n- | -m -> (min, max or None); Refused as qsub refuses a bad one."""
    lo_s, dash, hi_s = text.partition("-")
    for part in (lo_s, hi_s):
        if part and not is_digits(part):
            raise not_a_number(part)
    if not lo_s and not hi_s:
        raise not_a_number(text)
    lo = int(lo_s) if lo_s else 1
    hi = int(hi_s) if hi_s else (None if dash else lo)
    if hi is not None:
        lo, hi = min(lo, hi), max(lo, hi)
    return lo, hi  # a 0 is refused later, by the master


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


def check_job_name(name: str) -> None:
    """Grid Engine's job-name rules: '/' refused by qsub itself, the rest by the master (all seen)."""
    if "/" in name:
        raise Refused("qsub: argument to -N option must not contain / \n", EXIT_USAGE)
    if not name:
        raise rejected("job rejected cause there is no job_name in the request")
    for ch, label in NAME_FORBIDDEN.items():
        if ch in name:
            raise rejected(f"{label} ('{ch}') not allowed in objectname")
    if name[0].isdigit():
        raise rejected(f'denied: "{name}" is not a valid object name (cannot start with a digit)')


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
    cmd_opts, pos = split_options(args)
    check_syntax(cmd_opts, in_script=False)
    positional = args[pos:]
    cmd = _merge(cmd_opts)
    binary = str(cmd.get("b", "n")).lower().startswith("y")
    script_opts: list[tuple[str, Any]] = []
    if not binary:
        prefix = str(cmd["C"]) if "C" in cmd else DIRECTIVE_PREFIX
        words = directive_words(script_text, prefix)
        script_opts, _ = split_options(words, in_script=True)
        check_syntax(script_opts, in_script=True)
    opts = _merge(script_opts, cmd_opts)
    req = build_request(opts, positional, site, cwd)
    req.binary = binary
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
    except Refused as e:
        if in_script and e.message.startswith("qsub: "):
            raise script_error(e.message[len("qsub: ") :].rstrip("\n"), e.exit_code) from None
        raise


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
    # then the master's (exit code 1, "Unable to run job: ...")
    if "N" in opts:
        check_job_name(str(opts["N"]))
        req.name = str(opts["N"])
    default_name = os.path.basename(req.script_path) if req.script_path else "STDIN"
    req.job_name = req.name or default_name
    req.resources = parse_resources(opts.get("l", []), site)
    for q in names:
        cluster_queue, at, host = q.partition("@")
        unknown = site.queues is not None and cluster_queue not in site.queues
        if at and site.host_names is not None and not host.startswith("@"):
            unknown = unknown or host not in site.host_names
        if unknown and "*" not in q:
            raise rejected(f'Job was rejected because job requests unknown queue "{q}"')  # seen
    req.queue = names[0] if names else None
    if bounds is not None:
        lo, hi, step = bounds
        if lo == 0:
            raise rejected("job rejected: 0 is an invalid task id")  # seen
        req.array = (tuple(range(lo, hi + 1, step)), limit, f"{lo}-{hi}:{step}")
    if pe_bounds is not None:
        pe_name = str(opts["pe"][0])
        pe_lo, pe_hi = pe_bounds
        if pe_lo == 0:
            raise rejected('"job" rejected: pe range must be greater than zero')  # seen
        req.slots = pe_hi if pe_hi is not None else pe_lo
        req.pe, req.pe_range = pe_name, str(opts["pe"][1])
        req.pe_range_text = range_text(pe_lo, pe_hi)
        req.rule = _pe_rule(pe_name, site)
        req.nodes, req.tasks_per_node = place_slots(req.slots, req.rule, site)
    if "h_rt" in req.resources:
        req.walltime_s = parse_time(req.resources["h_rt"])
    if "h_vmem" in req.resources:
        per_slot = parse_memory(req.resources["h_vmem"]) or 0.0
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

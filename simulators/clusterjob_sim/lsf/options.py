"""What LSF's bsub understands from a submission, and its exact refusals (the parser behind clusterjob_sim.lsf).

`parse_bsub(script_text, argv)` answers like `bsub <argv> < script`: `#BSUB` lines on stdin are honoured
unless the command line names a command (`bsub script.sh` runs the file as a command and reads no
directives). Sources: OpenLava (the open-source LSF ancestor: lsbatch/cmd/cmd.sub.c, lsbatch/lib/lsb.sub.c,
lsb.err.c) for the directive scan and option messages, IBM's LSF 10.1 manual for options and resource
requirement syntax, and outputs recorded from real LSF 10 sites (quoted where used). Texts marked
[unconfirmed] were not checked against a real LSF 10.

Stdlib only and no dataclasses/re/shlex: bsub imports this module on every call.
"""

from __future__ import annotations

import os

from clusterjob_sim.engine.refusal import Refused as Refused
from clusterjob_sim.engine.refusal import is_digits as is_digits

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

EXIT_FAIL = 255  # LSF commands exit(-1) on every refusal
NOT_SUBMITTED = ". Job not submitted.\n"  # do_sub() appends this to every bsub refusal [source]

# LSF_UNIT_FOR_LIMITS (lsf.conf; config key "unit_for_limits"): the unit of -M and rusage[mem=] values
# without a suffix. Not defined (None, LSF's own default and the simulator's): -M and the other limits in
# KB, rusage[mem] in MB (IBM LSF 10.1 lsf.conf LSF_UNIT_FOR_LIMITS, "Default"; bsub -M: "By default, the
# limit is specified in KB"). lsfinstall writes MB into a new cluster's lsf.conf: set "MB" for such a site.
DEFAULT_UNIT_FOR_LIMITS: str | None = None
LIMIT_UNIT_UNDEFINED = "KB"
RUSAGE_UNIT_UNDEFINED = "MB"
UNIT_FACTORS_KB = {"KB": 1, "MB": 1024, "GB": 1024**2, "TB": 1024**3, "PB": 1024**4, "EB": 1024**5}

# bsub options (LSF 10.1, the list in manual.py) that take a value, and those that do not. Everything else
# is an illegal option. The parser knows them all, so their arity is exact; what the simulator acts on is
# bsub.IMPLEMENTED (the command refuses the rest loudly; parse_submission reads them all into `extra`).
OPTIONS_WITH_VALUE = frozenset(
    """a alloc_flags app b C c clusters cn_cu cn_mem core_isolation csm cwd D data datagrp E e env eo
    Ep eptl ext extsched F f freq G g gpu hostfile i is J Jd jobaff jsdl jsdl_strict jsm json k L Lp
    ln_mem ln_slots M m mig n network nnodes notify o oo outdir P p pack ptl Q q R rcacct rnc S s sla
    smt sp stage step_cgroup T t U u v W We w wa wt yaml""".split()
)
OPTIONS_FLAG = frozenset(
    "ar B datachk H h help hl I Ip IS ISp ISs Is IX K N Ne r rn ti tty ul V x XF Zs".split()
)
# Limits whose first occurrence wins (setOption_ skips an rlimit already set); other options: last wins.
FIRST_WINS = frozenset("n W M c C D F S p v T".split())

RESREQ_SECTIONS = ("select", "order", "rusage", "span", "same", "cu", "affinity")

USAGE = (
    "Usage: bsub [-h] [-V] [-H] [-x] [-r | -rn] [-N] [-B] [-I | -Ip | -Is | -K]\n"
    "            [-q queue_name ...] [-m host_name[+[pref_level]] ...]\n"
    "            [-n min_processors[,max_processors]] [-R res_req]\n"
    '            [-J job_name | -J "job_name[index_list]%job_limit"]\n'
    "            [-W [hour:]minute[/host_name | /host_model]] [-M mem_limit]\n"
    "            [-o out_file | -oo out_file] [-e err_file | -eo err_file] [-cwd dir]\n"
    "            [command [argument ...]]\n"
)  # [unconfirmed] an abbreviation of LSF 10's much longer usage text


class LsfSite:
    """What bsub checks a submission against: queues, slot total, units (None: accept anything)."""

    def __init__(
        self,
        queues: Sequence[str] | None = None,
        default_queue: str = "normal",
        max_slots: int | None = None,
        slots_per_host: int | None = None,
        unit_for_limits: str | None = DEFAULT_UNIT_FOR_LIMITS,
        reserve_per_task: bool = False,
        parse_script: bool = False,
        csm: bool = False,
    ) -> None:
        self.queues = tuple(queues) if queues is not None else None
        self.default_queue = default_queue
        self.max_slots = (
            max_slots  # slots in the whole cluster: more -> "Too many processors requested"
        )
        self.slots_per_host = slots_per_host  # what span[ptile='!'] means
        self.unit_for_limits = unit_for_limits  # None: not defined in lsf.conf
        self.reserve_per_task = reserve_per_task  # RESOURCE_RESERVE_PER_TASK: rusage[mem] per slot
        self.parse_script = parse_script  # LSB_BSUB_PARSE_SCRIPT=Y: `bsub FILE` parses FILE
        self.csm = csm  # an LSF with the IBM CSM integration (Summit, Sierra): easy mode -nnodes

    @property
    def limit_unit(self) -> str:
        """The unit of -M (and the other limits) without a suffix."""
        return self.unit_for_limits or LIMIT_UNIT_UNDEFINED

    @property
    def rusage_unit(self) -> str:
        """The unit of rusage[mem=N] without a suffix."""
        return self.unit_for_limits or RUSAGE_UNIT_UNDEFINED

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LsfSite:
        """The site a simulator config.json describes (queues, nodes x cores, unit_for_limits)."""
        nodes = config.get("nodes", 1)
        if isinstance(nodes, int):
            per_host = [int(config.get("cores_per_node", 1))] * nodes
        else:
            per_host = [int(n.get("cores", config.get("cores_per_node", 1))) for n in nodes]
        queues = config.get("queues")
        return cls(
            queues=tuple(queues) if queues else None,
            default_queue=str(config.get("default_queue") or "normal"),
            max_slots=sum(per_host) or None,
            slots_per_host=max(per_host) if per_host else None,
            unit_for_limits=unit_for_limits(config),
            reserve_per_task=bool(config.get("reserve_per_task", False)),
            parse_script=yes(config.get("bsub_parse_script")),
            csm=yes(config.get("csm")),
        )


def yes(value: object) -> bool:
    """An lsf.conf boolean as LSF reads it: y or Y (also true in config.json) is yes, anything else no."""
    return value is True or (isinstance(value, str) and value.strip().upper() in ("Y", "YES"))


def unit_for_limits(config: Mapping[str, Any]) -> str | None:
    """LSF_UNIT_FOR_LIMITS of a config (None: not defined), upper-case with its B (`mb` -> `MB`)."""
    unit = config.get("unit_for_limits", DEFAULT_UNIT_FOR_LIMITS)
    if not unit:
        return None
    text = str(unit).strip().upper()
    return text if text.endswith("B") else text + "B"


class LsfRequest:
    """Everything bsub took from one submission, in the Allocation's terms plus what the engine needs."""

    def __init__(self) -> None:
        self.slots = 1  # -n (the minimum of min,max)
        self.nodes = 1
        self.tasks_per_node = 1
        self.cpus_per_task = 1
        self.mem_mb_per_node: int | None = None  # rusage[mem] (what placement reserves)
        self.memlimit_kb: float | None = None  # -M: a run-time limit, never a placement request
        self.memlimit_hard = False  # -M N! : killed as soon as it is exceeded
        self.walltime_s: int | None = None
        self.queue: str | None = None
        self.name: str | None = None
        self.array: tuple[tuple[int, ...], int | None, str] | None = (
            None  # indices, %limit, '[..]%n'
        )
        self.stdout: str | None = None
        self.stderr: str | None = None
        self.stdout_overwrite = False  # -oo instead of -o
        self.stderr_overwrite = False
        self.workdir: str | None = None
        self.extra: dict[str, str | bool] = {}
        self.command = ""  # the job: the script text read on stdin, or the command line words
        self.from_stdin = True
        self.ptile: int | None = None
        self.hosts_one = False
        self.exclusive = False
        self.options: dict[str, str | bool] = {}  # every option bsub kept, by name
        self.resreq: dict[str, str] = {}  # merged -R sections


def _fail(text: str) -> Refused:
    """A bsub refusal: `text` + '. Job not submitted.' on stderr, exit code 255."""
    return Refused(text + NOT_SUBMITTED, EXIT_FAIL)


# ---------------------------------------------------------------------------------------------------
# Words and options
# ---------------------------------------------------------------------------------------------------


C_BLANKS = "\t\n\v\f\r"


def c_split(text: str) -> list[str]:
    """Words split at the blanks C's isspace() knows (not str.split's Unicode ones, such as U+00A0)."""
    for ch in C_BLANKS:
        text = text.replace(ch, " ")
    return [word for word in text.split(" ") if word]


def split_words(text: str) -> list[str]:
    """Shell-style words (blanks, '...', "...", backslash); ValueError on an unclosed quote.

    A small shlex.split(posix=True) without importing re.
    """
    words: list[str] = []
    cur: list[str] = []
    in_word = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            if in_word:
                words.append("".join(cur))
                cur, in_word = [], False
            i += 1
            continue
        in_word = True
        if ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ValueError("No closing quotation")
            cur.append(text[i + 1 : end])
            i = end + 1
        elif ch == '"':
            i += 1
            while True:
                if i >= n:
                    raise ValueError("No closing quotation")
                c = text[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\" and i + 1 < n and text[i + 1] in '"\\':
                    cur.append(text[i + 1])
                    i += 2
                    continue
                cur.append(c)
                i += 1
        elif ch == "\\":
            if i + 1 >= n:
                raise ValueError("No escaped character")
            cur.append(text[i + 1])
            i += 2
        else:
            cur.append(ch)
            i += 1
    if in_word:
        words.append("".join(cur))
    return words


def split_options(
    args: Sequence[str], prog: str = "bsub"
) -> tuple[list[tuple[str, str | bool]], int]:
    """Options in order as (name, value) and the index of the first command word, as LSF's getopt.

    An exact option name wins; otherwise a value may be glued to its option (`-n4`, `-qnormal`).
    """
    opts: list[tuple[str, str | bool]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-":
            raise _illegal(prog, "")
        if not arg.startswith("-"):
            break
        if arg == "--":
            return opts, i + 1
        name = arg[1:]
        if name in OPTIONS_FLAG:
            opts.append((name, True))
        elif name in OPTIONS_WITH_VALUE:
            if i + 1 >= len(args):
                raise Refused(f"{prog}: option requires an argument -- {name}\n" + USAGE, EXIT_FAIL)
            i += 1
            opts.append((name, args[i]))
        else:
            glued = [o for o in OPTIONS_WITH_VALUE if name.startswith(o) and len(name) > len(o)]
            if not glued:
                raise _illegal(prog, name)
            best = max(glued, key=len)
            opts.append((best, name[len(best) :]))
        i += 1
    return opts, i


def _illegal(prog: str, name: str) -> Refused:
    """LSF's my_getopt answer to an unknown option, then the usage; exit code 255."""
    return Refused(f"{prog}: illegal option -- {name}\n" + USAGE, EXIT_FAIL)


def _directive_line_words(rest: str) -> list[str]:
    """Split the words after '#BSUB' shell-style; an unquoted word starting with '#' ends the line."""
    try:
        words = split_words(rest)
    except ValueError:
        words = c_split(rest)
    out: list[str] = []
    for w in words:
        if w.startswith("#"):
            break
        out.append(w)
    return out


def directive_words(script_text: str) -> tuple[list[str], bool]:
    """All `#BSUB` option words of a script, and whether it holds any command line (cmd.sub.c parseLine).

    Every line is scanned; leading blanks are skipped, so `  #BSUB` and `# BSUB` count too; a `#...BSUB`
    line ending in a backslash continues on the next line; the words must start with '-'.
    """
    words: list[str] = []
    has_command = False
    lines = script_text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("#") and "BSUB" in line:
            while line.endswith("\\") and i < len(lines):
                line = line[:-1] + lines[i]
                i += 1
        s = line.lstrip()
        if not s:
            continue
        if not s.startswith("#"):
            has_command = True
            continue
        s = s[1:].lstrip()
        if not s.startswith("BSUB"):
            continue
        s = s[4:].lstrip()
        if not s.startswith("-"):
            continue
        words.extend(_directive_line_words(s))
    return words, has_command


def strip_program_and_redirect(argv: Sequence[str]) -> list[str]:
    """Drop a leading 'bsub' and any '< file' redirection words (the script text comes separately)."""
    args = list(argv)
    if args and os.path.basename(args[0]) == "bsub":
        args = args[1:]
    out: list[str] = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "<":
            skip = True
            continue
        if a.startswith("<") and len(a) > 1:
            continue
        out.append(a)
    return out


def merge_sources(
    cmdline: list[tuple[str, str | bool]], embedded: list[tuple[str, str | bool]]
) -> tuple[dict[str, str | bool], list[str]]:
    """One value per option: command line over script; within one source, limits keep the first."""
    merged: dict[str, str | bool] = {}
    resreqs: list[str] = []
    for source in (cmdline, embedded):
        seen_here: dict[str, str | bool] = {}
        reqs_here: list[str] = []
        for name, value in source:
            if name == "R":
                reqs_here.append(str(value).lstrip(" "))
                continue
            if name in FIRST_WINS and name in seen_here:
                continue
            seen_here[name] = value
        for name, value in seen_here.items():
            merged.setdefault(name, value)
        if reqs_here and not resreqs:  # a command-line -R masks every embedded -R
            resreqs = reqs_here
    return merged, resreqs


# ---------------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------------


def _isint(text: str) -> bool:
    """OpenLava isint_(): optional sign then digits only."""
    t = text[1:] if text[:1] in ("+", "-") else text
    return t.isdigit() and t.isascii()


def parse_slots(text: str) -> tuple[int, int]:
    """-n min[,max] -> (min, max), with bsub's two messages for a malformed or non-positive value."""
    parts = text.split(",")
    if len(parts) > 2 or not all(_isint(p) for p in parts if p) or not any(parts):
        raise _fail("Bad argument for option -n")  # seen (equinor/ert#1453)
    lo = int(parts[0]) if parts[0] else 1
    hi = int(parts[1]) if len(parts) == 2 and parts[1] else lo
    if lo <= 0 or hi <= 0:
        raise _fail("The number of processors must be a positive integer")  # [source]
    if lo > hi:
        raise _fail("Bad argument for option -n")
    return lo, hi


def parse_runlimit(text: str) -> int:
    """-W [hour:]minute[/host_spec] -> seconds; HH:MM:SS is refused like LSF does."""
    value = text.split("/", 1)[0]
    head, sep, tail = value.partition(":")
    if not _isint(head) or int(head) < 0 or (sep and (not _isint(tail) or int(tail) < 0)):
        raise _fail(f"{text}: Bad RUNLIMIT specification")  # [source] lsb.sub.c
    minutes = int(head) * 60 + int(tail) if sep else int(head)
    return minutes * 60


def memory_kb(text: str, unit_for_limits: str) -> float | None:
    """An LSF memory value (`4096`, `4GB`, `4G`, `1.5T`) in KB, or None if it is not one."""
    t = text.strip().rstrip("!").upper()
    num = t.rstrip("KMGTPEB")
    suffix = t[len(num) :]
    if suffix and not suffix.endswith("B"):
        suffix += "B"
    if not num or suffix not in ("", *UNIT_FACTORS_KB):
        return None
    if not all(("0" <= c <= "9") or c == "." for c in num) or num.count(".") > 1 or num == ".":
        return None
    value = float(num)
    if value <= 0:
        return None
    unit = suffix or unit_for_limits.upper()
    if not unit.endswith("B"):
        unit += "B"
    return value * UNIT_FACTORS_KB.get(unit, 1024)


def kb_to_mb(kb: float) -> int:
    """Whole MB, rounding up (a request is never shrunk)."""
    mb = kb / 1024
    whole = int(mb)
    return whole if whole == mb else whole + 1


def parse_index_list(text: str) -> tuple[int, ...] | None:
    """An LSF array index list `1-10:2,15` as indices in order, or None if malformed."""
    out: list[int] = []
    for item in text.split(","):
        rng, _, step_s = item.partition(":")
        lo_s, dash, hi_s = rng.partition("-")
        if (
            not is_digits(lo_s)
            or (dash and not is_digits(hi_s))
            or (step_s and not is_digits(step_s))
        ):
            return None
        lo = int(lo_s)
        hi = int(hi_s) if dash else lo
        step = int(step_s) if step_s else 1
        if lo < 1 or hi < lo or step < 1 or (step_s and not dash):
            return None
        out.extend(range(lo, hi + 1, step))
    return tuple(out)


def parse_job_name(text: str) -> tuple[str, tuple[tuple[int, ...], int | None, str] | None]:
    """-J 'name' or 'name[index_list]%limit' -> (name, (indices, limit, text) or None)."""
    if "[" not in text:
        if "%" in text or not text:
            raise _fail("Bad job name")  # [unconfirmed]
        return text, None
    base, _, rest = text.partition("[")
    body, close, limit_s = rest.partition("]")
    indices = parse_index_list(body) if close else None
    limit: int | None = None
    if limit_s:
        if not limit_s.startswith("%") or not is_digits(limit_s[1:]) or int(limit_s[1:]) < 1:
            indices = None
        else:
            limit = int(limit_s[1:])
    if not indices:
        raise _fail("Bad job name")  # [unconfirmed]
    return base, (indices, limit, f"[{body}]{limit_s}")


def split_env_list(text: str) -> list[str]:
    """-env's comma-separated items; a value in single quotes may hold commas (`TEST='A, B'`)."""
    items: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in text:
        if ch == "'":
            quoted = not quoted
            continue
        if ch == "," and not quoted:
            items.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    items.append("".join(cur).strip())
    return [item for item in items if item]


def job_environment(spec: str | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The submission environment bsub -env SPEC sends to the job (IBM LSF 10.1 bsub -env): none -> no
    variable; `all[, ~VAR...][, VAR=value...]` -> everything but ~VARs, VAR set to value; `VAR[=value],
    ...` -> only those (a name without value keeps its submission value); no -env is -env "all"."""
    if spec is None:
        return dict(environ)
    items = split_env_list(spec)
    if not items:
        raise _fail("Bad argument for option -env")  # [unconfirmed]
    if items == ["none"]:
        return {}
    if items[0] == "all":
        env = dict(environ)
        rest = items[1:]
    else:
        env = {}
        rest = items
    for item in rest:
        name, eq, value = item.partition("=")
        name = name.strip()
        if name.startswith("~") and items[0] == "all" and not eq:
            env.pop(name[1:].strip(), None)
            continue
        if not name or name in ("none", "all") or any(c in name for c in ",~='\""):
            raise _fail(f"{item}: Bad argument for option -env")  # [unconfirmed]
        if eq:
            env[name] = value
        elif name in environ:
            env[name] = environ[name]
    return env


# ---------------------------------------------------------------------------------------------------
# Resource requirement strings (-R)
# ---------------------------------------------------------------------------------------------------


def split_resreq(text: str) -> dict[str, str]:
    """Sections of one resource requirement string; a leading bare expression is the select section."""
    sections: dict[str, str] = {}
    i, n = 0, len(text)

    def add(name: str, body: str) -> None:
        if name in sections:
            raise _fail(f'Error near "{name}" : duplicate section')  # seen (equinor/ert tests)
        sections[name] = body

    while i < n:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < n and (text[j].isalnum() or text[j] == "_"):
            j += 1
        name = text[i:j]
        if name in RESREQ_SECTIONS and j < n and text[j] == "[":
            depth, k = 0, j
            while k < n:
                if text[k] == "[":
                    depth += 1
                elif text[k] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            if k >= n:
                raise _fail("Bad resource requirement syntax")  # [source] lsb.err.c LSBE_BAD_RESREQ
            add(name, text[j + 1 : k])
            i = k + 1
            continue
        # a bare select expression runs to the next section keyword followed by '['
        m = i
        while m < n:
            if any(
                text.startswith(sec + "[", m) and (m == 0 or not text[m - 1].isalnum())
                for sec in RESREQ_SECTIONS
            ):
                break
            m += 1
        expr = text[i:m].strip()
        if "[" in expr or "]" in expr:
            raise _fail("Bad resource requirement syntax")  # [unconfirmed] an unknown section name
        add("select", expr)
        i = m
    return sections


def merge_resreqs(texts: Iterable[str]) -> dict[str, str]:
    """Several -R strings into one set of sections: selects AND-ed, other sections first-wins."""
    merged: dict[str, str] = {}
    for text in texts:
        for name, body in split_resreq(text).items():
            if name == "select" and "select" in merged and body:
                merged["select"] = f"({merged['select']}) && ({body})" if merged["select"] else body
            else:
                merged.setdefault(name, body)
    return merged


def parse_span(body: str, site: LsfSite) -> tuple[int | None, bool]:
    """span[ptile=N] / span[hosts=1] / span[hosts=-1] -> (ptile, all on one host)."""
    key, eq, value = body.strip().partition("=")
    key, value = key.strip(), value.strip()
    if eq and key == "ptile":
        first = value.split(",", 1)[0].strip()
        if first in ("'!'", '"!"', "!"):
            return site.slots_per_host, False
        if is_digits(first) and int(first) > 0:
            return int(first), False
    elif eq and key == "hosts" and value in ("1", "-1"):
        return None, value == "1"
    elif eq and key in ("block", "stripe") and is_digits(value) and int(value) > 0:
        return None, False
    elif not eq and key == "stripe":
        return None, False
    # seen for span[ptile=None] (BSC-ES/autosubmit#190); an unknown keyword (span[ptiles=32]) assumed alike
    raise _fail("Error in span section")


def parse_rusage_mem(body: str, site: LsfSite) -> int | None:
    """rusage[mem=...] in MB (the first alternative of an `||` list), None if absent."""
    first = body.split("||", 1)[0]
    for item in first.replace(",", ":").split(":"):
        key, eq, value = item.partition("=")
        if key.strip() == "mem":
            kb = memory_kb(value, site.rusage_unit) if eq else None
            if kb is None:
                raise _fail("Error in rusage section")  # seen (equinor/ert tests)
            return kb_to_mb(kb)
    return None


def parse_affinity_cores(body: str) -> int:
    """affinity[core(N)...] / affinity[thread(N)...] -> processing units per task."""
    text = body.strip()
    for unit in ("core", "thread"):
        if text.startswith(unit + "("):
            inner = text[len(unit) + 1 :].split(")", 1)[0].split(",", 1)[0].strip()
            if is_digits(inner) and int(inner) > 0:
                return int(inner)
    if text.startswith(("socket(", "numa(")):
        return 1
    raise _fail("Error in affinity section")  # [unconfirmed]


# ---------------------------------------------------------------------------------------------------
# The submission
# ---------------------------------------------------------------------------------------------------


def parse_bsub(
    script_text: str, argv: Sequence[str] = (), *, site: LsfSite | None = None
) -> LsfRequest:
    """Read one submission as `bsub <argv> < script` does; raise Refused as bsub would."""
    site = site or LsfSite()
    args = strip_program_and_redirect(argv)
    cmd_opts, first_cmd = split_options(args)
    command_words = args[first_cmd:]
    if command_words:  # `bsub [opts] command args`: the command is the job, no #BSUB parsing
        embedded: list[tuple[str, str | bool]] = []
        command = " ".join(command_words)
        from_stdin = False
    else:
        words, has_command = directive_words(script_text)
        embedded, rest = split_options(words)
        if rest < len(words):
            raise _illegal("bsub", words[rest])  # [unconfirmed] a non-option word in a #BSUB line
        if not has_command:
            raise _fail("No command is specified in the script file")  # [source] cmd.sub.c
        command = script_text
        from_stdin = True
    options, resreqs = merge_sources(cmd_opts, embedded)
    req = build_request(options, resreqs, site)
    req.command = command
    req.from_stdin = from_stdin
    return req


def build_request(options: dict[str, str | bool], resreqs: list[str], site: LsfSite) -> LsfRequest:
    """Validate the merged options in bsub's order and map them onto Allocation terms."""
    req = LsfRequest()
    req.options = options
    if "n" in options:
        req.slots, _max = parse_slots(str(options["n"]))
    resreq = merge_resreqs(resreqs)
    req.resreq = resreq
    if "span" in resreq:
        req.ptile, req.hosts_one = parse_span(resreq["span"], site)
    rusage_mb = parse_rusage_mem(resreq["rusage"], site) if "rusage" in resreq else None
    req.cpus_per_task = parse_affinity_cores(resreq["affinity"]) if "affinity" in resreq else 1
    if "W" in options:
        req.walltime_s = parse_runlimit(str(options["W"]))
    if "M" in options:
        kb = memory_kb(str(options["M"]), site.limit_unit)
        if kb is None:
            raise _fail(
                f"{options['M']}: MEMLIMIT value should be a positive integer"
            )  # [unconfirmed]
        req.memlimit_kb = kb
        req.memlimit_hard = str(options["M"]).strip().endswith("!")
    if "J" in options:
        req.name, req.array = parse_job_name(str(options["J"]))
    if "q" in options:
        names = c_split(str(options["q"]))
        if not names:
            raise _fail("No such queue")
        for q in names:
            if site.queues is not None and q not in site.queues:
                raise _fail(
                    f"{q}: No such queue"
                )  # seen: "<queue>: No such queue. Job not submitted."
        req.queue = names[0]
    if site.max_slots is not None and req.slots > site.max_slots:
        raise _fail("Too many processors requested")  # seen (equinor/ert tests)

    if "nnodes" in options:
        _csm_nodes(req, options, site)
    elif req.hosts_one or not req.ptile:
        req.nodes, req.tasks_per_node = 1, req.slots
    else:
        req.nodes = -(-req.slots // req.ptile)
        req.tasks_per_node = min(req.ptile, req.slots)
    if rusage_mb is not None:
        req.mem_mb_per_node = rusage_mb * (req.tasks_per_node if site.reserve_per_task else 1)
    for key, overwrite in (("o", False), ("oo", True)):
        if key in options:
            req.stdout, req.stdout_overwrite = str(options[key]), overwrite
    for key, overwrite in (("e", False), ("eo", True)):
        if key in options:
            req.stderr, req.stderr_overwrite = str(options[key]), overwrite
    if "cwd" in options:
        req.workdir = str(options["cwd"])
    req.exclusive = req.exclusive or bool(options.get("x"))
    modelled = {"n", "W", "M", "J", "q", "o", "e", "cwd"}
    for name, value in options.items():
        if name not in modelled:
            req.extra[name] = value
    for name in ("select", "order", "same", "cu"):
        if name in resreq:
            req.extra[name] = resreq[name]
    return req


NO_CSM = (
    "bsub: option -nnodes is for easy mode LSF job submission with the IBM Cluster Systems Manager (CSM) "
    'integration, which this simulated cluster does not have; set "csm": "Y" in its config for a '
    "Summit-like site\n"
)  # the simulator's own text: what a real LSF without CSM answers is not documented


def _csm_nodes(req: LsfRequest, options: Mapping[str, str | bool], site: LsfSite) -> None:
    """-nnodes N (IBM LSF 10.1 bsub -nnodes, CSM easy mode; default 1): N whole compute nodes for the job;
    its slots (-n, else every core of those nodes) spread evenly over them."""
    if not site.csm:
        raise Refused(NO_CSM, EXIT_FAIL)
    text = str(options["nnodes"])
    if not _isint(text) or int(text) <= 0:
        raise _fail("Bad argument for option -nnodes")  # [unconfirmed]
    nodes = int(text)
    if "n" not in options:
        req.slots = nodes * (site.slots_per_host or 1)
    req.nodes = nodes
    req.tasks_per_node = -(-req.slots // nodes)
    req.exclusive = True


# ---------------------------------------------------------------------------------------------------
# Job ids and the options of bjobs and bkill
# ---------------------------------------------------------------------------------------------------


def parse_job_ref(text: str) -> tuple[int, int | None] | None:
    """`123` or `123[4]` -> (123, 4); None if it is not a job id."""
    base, bracket, rest = text.partition("[")
    if not is_digits(base):
        return None
    if not bracket:
        return int(base), None
    idx = rest[:-1] if rest.endswith("]") else ""
    if not is_digits(idx):
        return None
    return int(base), int(idx)


def select_live(engine: Engine, ref: tuple[int, int | None]) -> list[Job]:
    """The live records of `123` (every element of an array) or `123[4]`."""
    job_id, index = ref
    jobs = [j for j in engine.jobs([job_id], view="live") if j.job_id == job_id]
    if index is not None:
        jobs = [j for j in jobs if j.array_index == index]
    return jobs


def name_matches(pattern: str, job: Job) -> bool:
    """`-J` as bjobs/bkill read it: `*` matches any text (not inside an index), `name[3]` one element."""
    base, idx = pattern, None
    if pattern.endswith("]") and "[" in pattern:
        base, _, rest = pattern.partition("[")
        idx = rest[:-1]
        if not is_digits(idx) or job.array_index != int(idx):
            return False
    parts = base.split("*")
    name = job.name
    if len(parts) == 1:
        return name == base
    if not name.startswith(parts[0]) or not name.endswith(parts[-1]):
        return False
    pos, end = len(parts[0]), len(name) - len(parts[-1])
    for part in parts[1:-1]:
        found = name.find(part, pos, end)
        if found < 0:
            return False
        pos = found + len(part)
    return pos <= end


def scan_options(
    args: Sequence[str], prog: str, flags: Iterable[str], values: Iterable[str], usage: str = ""
) -> tuple[list[tuple[str, str | bool]], list[str]]:
    """LSF's one-dash options anywhere among the operands, as bjobs and bkill read them.

    An exact flag or value option wins; a one-letter value option may have its value glued (`-uall`).
    Refused with the real tool's text and exit code 255 for an unknown option or a missing value.
    """
    flag_set, value_set = frozenset(flags), frozenset(values)
    opts: list[tuple[str, str | bool]] = []
    operands: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if not (a.startswith("-") and len(a) > 1):
            operands.append(a)
            continue
        name = a[1:]
        if name in flag_set:
            opts.append((name, True))
        elif name in value_set:
            if i >= len(args):
                raise Refused(f"{prog}: option requires an argument -- {name}\n", EXIT_FAIL)
            opts.append((name, args[i]))
            i += 1
        elif name[:1] in value_set:
            opts.append((name[:1], name[1:]))
        else:
            raise Refused(f"{prog}: illegal option -- {name}\n{usage}", EXIT_FAIL)
    return opts, operands


def refuse_unimplemented(
    command: str, names: Iterable[str], implemented: Iterable[str], refused: Mapping[str, str]
) -> Refused | None:
    """The refusal for the first option (by its name without the dash) the simulator does not act on.

    A refused option gets a line saying why; any other one the "not implemented" text. Both exit 255,
    LSF's status for a usage error.
    """
    done = frozenset(implemented)
    for name in names:
        option = "-" + name
        if option in done:
            continue
        if option in refused:
            return Refused(
                f"{command}: option {option} is refused by the clusterjob simulator: "
                f"{refused[option]}\n",
                EXIT_FAIL,
            )
        from clusterjob_sim.engine.refusal import not_implemented_text

        return Refused(not_implemented_text(command, option), EXIT_FAIL)
    return None

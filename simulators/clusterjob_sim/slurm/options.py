"""What sbatch reads (its option table, shared by #SBATCH directives), the directives themselves, value checks
and submission parsing. The command-line machinery every command shares is in cmdline.py (re-exported here);
each reporting command's option table is in its own module.

Import-light (no re, no shlex, no dataclasses): sbatch, srun and salloc run this. Messages and exit codes are the real
ones (reference/scheduler-cli.md; Slurm 22.05 src/common/slurm_opt.c, src/sbatch/opt.c and each command's
option parser).
"""

from __future__ import annotations

import os

from clusterjob_sim.slurm.cmdline import (  # noqa: F401  (re-exported: options.py was their home)
    C_SPACE,
    NONE,
    OPT,
    REQ,
    OptionError,
    digits,
    first_refused,
    getopt,
    not_implemented,
    option_name,
    parse_job_ids,
    refusal,
    select,
    strtol,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Collection
    from typing import Any

    from clusterjob_sim.engine.allocation import Allocation

# Option tables: long name -> (short letter or "", has_arg), in the order of the tool's own table (getopt_long
# lists ambiguous abbreviations in this order). A name starting with "-" is a short option without a long
# name. Aliases map other names of one option to the name the commands use.
# sbatch 22.05 (seen: '--cluster-constraint' '--chdir' are listed in this order)
LONG: dict[str, tuple[str, int]] = {
    "account": ("A", REQ), "acctg-freq": ("", REQ), "array": ("a", REQ), "batch": ("", REQ),
    "begin": ("b", REQ), "bb": ("", REQ), "bbf": ("", REQ), "cluster-constraint": ("", REQ),
    "chdir": ("D", REQ), "cluster": ("", REQ), "clusters": ("M", REQ), "comment": ("", REQ),
    "container": ("", REQ), "context": ("", REQ), "contiguous": ("", NONE),
    "constraint": ("C", REQ), "core-spec": ("S", REQ), "cores-per-socket": ("", REQ),
    "cpu-freq": ("", REQ), "cpus-per-gpu": ("", REQ), "cpus-per-task": ("c", REQ),
    "deadline": ("", REQ), "delay-boot": ("", REQ), "dependency": ("d", REQ),
    "distribution": ("m", REQ), "error": ("e", REQ), "exclude": ("x", REQ),
    "exclusive": ("", OPT), "export": ("", REQ), "export-file": ("", REQ),
    "extra-node-info": ("B", REQ), "get-user-env": ("", OPT), "gid": ("", REQ),
    "gpu-bind": ("", REQ), "gpu-freq": ("", REQ), "gpus": ("G", REQ), "gpus-per-node": ("", REQ),
    "gpus-per-socket": ("", REQ), "gpus-per-task": ("", REQ), "gres": ("", REQ),
    "gres-flags": ("", REQ), "help": ("h", NONE), "hint": ("", REQ), "hold": ("H", NONE),
    "ignore-pbs": ("", NONE), "input": ("i", REQ), "job-name": ("J", REQ),
    "kill-on-invalid-dep": ("", REQ), "licenses": ("L", REQ), "mail-type": ("", REQ),
    "mail-user": ("", REQ), "mcs-label": ("", REQ), "mem": ("", REQ), "mem-bind": ("", REQ),
    "mem-per-cpu": ("", REQ), "mem-per-gpu": ("", REQ), "mincpus": ("", REQ),
    "network": ("", REQ), "nice": ("", OPT), "no-kill": ("k", OPT), "no-requeue": ("", NONE),
    "nodefile": ("F", REQ), "nodelist": ("w", REQ), "nodes": ("N", REQ), "ntasks": ("n", REQ),
    "ntasks-per-core": ("", REQ), "ntasks-per-gpu": ("", REQ), "ntasks-per-node": ("", REQ),
    "ntasks-per-socket": ("", REQ), "ntasks-per-tres": ("", REQ), "open-mode": ("", REQ),
    "output": ("o", REQ), "overcommit": ("O", NONE), "oversubscribe": ("s", NONE),
    "parsable": ("", NONE), "partition": ("p", REQ), "power": ("", REQ), "prefer": ("", REQ),
    "priority": ("", REQ), "profile": ("", REQ), "propagate": ("", OPT), "qos": ("q", REQ),
    "quiet": ("Q", NONE), "reboot": ("", NONE), "requeue": ("", NONE), "reservation": ("", REQ),
    "signal": ("", REQ), "sockets-per-node": ("", REQ), "spread-job": ("", NONE),
    "switches": ("", REQ), "tasks-per-node": ("", REQ), "test-only": ("", NONE),
    "thread-spec": ("", REQ), "threads-per-core": ("", REQ), "time": ("t", REQ),
    "time-min": ("", REQ), "tmp": ("", REQ), "uid": ("", REQ), "use-min-nodes": ("", NONE),
    "usage": ("", NONE), "verbose": ("v", NONE), "version": ("V", NONE), "wait": ("W", NONE),
    "wait-all-nodes": ("", REQ), "wckey": ("", REQ), "wrap": ("", REQ),
}  # fmt: skip
SHORT = {short: name for name, (short, _) in LONG.items() if short}
ALIASES = {"tasks-per-node": "ntasks-per-node", "cluster": "clusters"}
MAX_ARRAY_SIZE = 1001  # MaxArraySize default: indices 0..1000


SLURM_PREFIX_WARNING = (
    "sbatch: error: Change from #SLURM to #SBATCH in your script and verify the options are valid "
    "in sbatch\n"
)


def directive_args(
    script: str, file: str = "stdin", warnings: list[str] | None = None
) -> list[str]:
    """The arguments of the #SBATCH (and legacy #SLURM) lines before the first command, as Slurm 22.05's
    _opt_batch_script reads them; `file` is the name its fatal errors cite (the script's basename, or
    'stdin'). A `hetjob`/`packjob` word starts the next component of a heterogeneous job: only the first
    component is read [simplification: the simulator submits no heterogeneous jobs]."""
    args: list[str] = []
    for lineno, line in enumerate(script.split("\n"), 1):
        if line.startswith("#SBATCH"):
            rest = line[7:]
        elif line.startswith("#SLURM"):
            rest = line[6:]
            if warnings is not None and SLURM_PREFIX_WARNING not in warnings:
                warnings.append(SLURM_PREFIX_WARNING)  # seen: printed once, the job is submitted
        else:
            stripped = line.lstrip(C_SPACE)
            if stripped and not stripped.startswith("#"):
                break
            continue
        for word in _split_directive(rest, lineno, file):
            if word.lower() in ("hetjob", "packjob"):
                return args
            args.append(word)
    return args


def _err(message: str, code: int = 255) -> OptionError:
    return OptionError(f"sbatch: error: {message}", code)


def _fatal(message: str) -> OptionError:
    return OptionError(f"sbatch: fatal: {message}", 1)


def _split_directive(text: str, lineno: int, file: str) -> list[str]:
    """The words of one directive line as Slurm's _get_argument cuts them: a backslash copies the next
    character but cannot protect a blank, quotes group, an unquoted '#' or an empty word ends the line,
    a word starting with ':' is fatal (all seen)."""
    out: list[str] = []
    pos, n = 0, len(text)
    while True:
        i = pos
        while i < n and text[i] in C_SPACE:
            i += 1
        if i < n and text[i] == ":":
            raise _fatal(f"{file}: line {lineno}: Unexpected `:` in [{text[pos:]}]")
        word: list[str] = []
        quote = ""
        escape = False
        while i < n and (quote or text[i] not in C_SPACE):
            ch = text[i]
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
                i += 1
                continue
            elif quote:
                if ch == quote:
                    quote = ""
                    i += 1
                    continue
            elif ch in "\"'":
                quote = ch
                i += 1
                continue
            elif ch == "#":
                break
            word.append(ch)
            i += 1
        if quote:
            raise _fatal(f"{file}: line {lineno}: Unmatched `{quote}` in [{text[pos:]}]")
        if not word:  # nothing copied: _get_argument returns NULL, the rest of the line is skipped
            return out
        out.append("".join(word))
        pos = i


def parse_time(value: str) -> int | None:
    """Seconds of a SLURM time (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, D-); None: unlimited.

    As Slurm 22.05's time_str2mins (seen): no blanks or signs, every field a number, at most one '-'
    before any ':', at most two ':'; 0 means no limit. [difference: Slurm reads '-5' as -5 days]
    """
    if value.upper() in ("INFINITE", "UNLIMITED", "-1"):
        return None
    days = 0
    text = value
    if "-" in text:
        day_text, _, text = text.partition("-")
        if not digits(day_text):
            raise ValueError(value)
        days = int(day_text)
        parts = text.split(":") if text else []
        if len(parts) > 3 or not all(digits(p) for p in parts):
            raise ValueError(value)
        h, m, s = ([int(p) for p in parts] + [0, 0, 0])[:3]
    else:
        parts = text.split(":")
        if len(parts) > 3 or not all(digits(p) for p in parts):
            raise ValueError(value)
        nums = [int(p) for p in parts]
        padded = [0, *nums, 0] if len(nums) == 1 else [0, *nums] if len(nums) == 2 else nums
        h, m, s = padded
    total = ((days * 24 + h) * 60 + m) * 60 + s
    return None if total == 0 else total


def parse_mem(value: str) -> int:
    """Megabytes of a SLURM memory size, as str_to_mbytes reads it (seen): strtoll, then nothing or one
    of K M G T (any case, an optional B after it); MB by default, K rounded up."""
    number, rest = strtol(value)
    unit = rest.upper()
    if number is None or number < 0 or number >= 2**63 - 1:
        raise ValueError(value)
    if unit in ("K", "KB"):
        return (number + 1023) // 1024
    factor = {"": 1, "M": 1, "MB": 1, "G": 1024, "GB": 1024, "T": 1024**2, "TB": 1024**2}.get(unit)
    if factor is None:
        raise ValueError(value)
    return number * factor


def parse_array(value: str) -> tuple[list[int], int | None]:
    """Task indices and %limit of an --array spec (1-10, 1,3,5, 1-9:2, with an optional %N)."""
    text, pct, limit_text = value.partition("%")
    limit = None
    if pct:
        if not digits(limit_text) or int(limit_text) < 1:
            raise ValueError(value)
        limit = int(limit_text)
    indices: list[int] = []
    for part in text.split(","):
        rng, colon, step_text = part.partition(":")
        lo, dash, hi = rng.partition("-")
        if not digits(lo) or (dash and not digits(hi)) or (colon and not digits(step_text)):
            raise ValueError(value)
        step = int(step_text) if colon else 1
        first, last = int(lo), int(hi) if dash else int(lo)
        if step < 1 or last < first:
            raise ValueError(value)
        indices.extend(range(first, last + 1, step))
    return sorted(set(indices)), limit


# Slurm's sig_name_num table (src/common/proc_args.c): the names --signal and scancel -s accept
SIGNAL_NAMES = {"HUP": 1, "INT": 2, "QUIT": 3, "ABRT": 6, "KILL": 9, "ALRM": 14, "TERM": 15, "USR1": 10,
                "USR2": 12, "URG": 23, "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22}  # fmt: skip


def signal_number(text: str) -> int:
    """sig_name2num: a number (blanks after it allowed), or a name with or without SIG in any case; 0 if
    neither."""
    number, rest = strtol(text)
    if number is not None:
        return number if not rest.strip(C_SPACE) else 0
    name = text.lstrip(C_SPACE)
    if name[:3].upper() == "SIG":
        name = name[3:]
    for key, value in SIGNAL_NAMES.items():
        if name[: len(key)].upper() == key and not name[len(key) :].strip(C_SPACE):
            return value
    return 0


def parse_signal(value: str) -> tuple[int, int, bool]:
    """--signal=[{R|B}:]SIG[@TIME] as get_signal_opts reads it: (signal, seconds, batch only); TIME defaults
    to 60 (sbatch(1)). R: (also for reservations) is not implemented; a signal number Linux has no signal
    for neither (exit 255 for both)."""
    flags = ""
    for prefix in ("RB:", "BR:", "B:", "R:"):
        if value[: len(prefix)].upper() == prefix:
            flags, value = prefix[:-1].upper(), value[len(prefix) :]
            break
    sig_text, at, time_text = value.partition("@")
    number = signal_number(sig_text)
    if number < 1 or number > 0xFFFF:
        raise _err("Invalid --signal specification")
    seconds = 60
    if at:
        parsed, rest = strtol(time_text)
        if parsed is None:
            parsed, rest = 0, time_text  # strtol without digits gives 0 and leaves the text
        if parsed < 0 or parsed > 0xFFFF or rest:
            raise _err("Invalid --signal specification")
        seconds = parsed
    if "R" in flags or number > 64:
        from clusterjob_sim.engine.refusal import not_implemented_text

        what = "R:" if "R" in flags else str(number)
        raise OptionError(not_implemented_text("sbatch", f"--signal={what}..."), 255)
    return number, seconds, flags == "B"


def _int(name: str, value: str, positive: bool = True) -> int:
    """A decimal option value as Slurm's parse_int checks it: strtol, nothing after the number (exit 1)."""
    number, rest = strtol(value)
    if rest or number is None or number < 0 or (positive and number <= 0):
        raise _err(f'Invalid numeric value "{value}" for {name}.', 1)
    return number


def _node_count(text: str) -> tuple[int, str]:
    """_str_to_nodes: strtol with a k (x1024) then m (x1048576) suffix; -1 when no number."""
    number, rest = strtol(text)
    if number is None:
        return -1, text
    if rest[:1] in ("k", "K"):
        number, rest = number * 1024, rest[1:]
    if rest[:1] in ("m", "M"):
        number, rest = number * 1024 * 1024, rest[1:]
    return number, rest


def _nodes(value: str) -> int:
    """Minimum node count of -N N or N-M, as verify_node_count checks it (all seen)."""
    if "-" in value:
        lo_text, _, hi_text = value.partition("-")
        lo, rest = _node_count(lo_text)
        if rest.strip(C_SPACE):
            raise _err(f'"{lo_text}" is not a valid node count')
        if lo < 0:
            lo = 1
        hi, rest = _node_count(hi_text)
        if rest.strip(C_SPACE):
            raise _err(f'"{hi_text}" is not a valid node count')
    else:
        lo, rest = _node_count(value)
        if rest.strip(C_SPACE) or lo < 0:
            raise _err(f'"{value}" is not a valid node count')
        hi = lo
    if hi != 0 and hi < lo:
        raise _err(f"Maximum node count {hi} is less than minimum node count {lo}")
    return lo


def apply(opts: dict[str, Any], found: list[tuple[str, str | None]]) -> None:
    """Set parsed options into `opts`, checking values as sbatch does (later options win)."""
    for name, value in found:
        v = value if value is not None else ""
        if name == "time":
            try:
                opts["time"] = parse_time(v)
            except ValueError:
                raise _err("Invalid --time specification") from None
            opts["time_set"] = True
        elif name in ("mem", "mem-per-cpu"):
            try:
                opts[name] = parse_mem(v)
            except ValueError:
                raise _err(f"Invalid --{name} specification") from None
            opts.pop("mem-per-cpu" if name == "mem" else "mem", None)
        elif name == "nodes":
            opts["nodes"] = _nodes(v)
        elif name in ("ntasks", "cpus-per-task", "ntasks-per-node", "ntasks-per-socket"):
            opts[name] = _int(f"--{name}", v)
        elif name == "array":
            try:
                opts["array"] = (v, *parse_array(v))
            except ValueError:
                raise _err("Invalid --array specification", 1) from None
        elif name == "signal":
            opts["signal"] = parse_signal(v)
        elif name == "exclusive" and value is not None:
            if v.lower() not in ("exclusive", "oversubscribe", "user", "mcs"):
                raise _err("Invalid --exclusive specification")  # slurm_opt.c arg_set_exclusive
            opts[name] = v.lower()
        elif LONG[name][1] == NONE or (LONG[name][1] == OPT and value is None):
            opts[name] = True
        else:
            opts[name] = v


def parse_options(
    script: str,
    argv: list[str] | tuple[str, ...],
    file: str | None = None,
    warnings: list[str] | None = None,
    implemented: Collection[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Options of a submission: #SBATCH lines, then the command line (which wins); plus the operands.

    `file` names the script in fatal errors (default: the first operand's basename, else 'stdin');
    `warnings` collects what sbatch prints on stderr for a job it still submits (an OptionError's text
    starts with those printed before it). With `implemented` (the fake sbatch's manual spellings), a
    directive naming another option of the real sbatch fails loudly (exit 255, as a bad option)."""
    cmd_found, operands = getopt(list(argv), "sbatch", LONG, aliases=ALIASES)
    if file is None:
        file = os.path.basename(operands[0]) if operands else "stdin"
    notes: list[str] = [] if warnings is None else warnings
    opts: dict[str, Any] = {}
    try:
        # sbatch applies each option as getopt_long returns it: the first refusal wins (seen)
        found: list[tuple[str, str | None]] = []
        spelled: list[str] = []
        try:
            _, rest = getopt(
                directive_args(script, file, notes),
                "sbatch",
                LONG,
                aliases=ALIASES,
                found=found,
                spelled=spelled,
            )
        except OptionError as e:
            apply(opts, found)
            raise e from None
        refused = None if implemented is None else first_refused(found, implemented, LONG, ALIASES)
        if refused is not None:
            apply(opts, found[:refused])  # the options before it are read (and may fail) first
            text = not_implemented("sbatch", spelled[refused], found[refused][0], LONG, ALIASES)
            raise OptionError(text, 255)
        apply(opts, found)
        if rest:
            raise _err(f"Invalid directive found in batch script: {rest[0]}")
        apply(opts, cmd_found)
    except OptionError as e:
        if notes:
            raise OptionError("".join(notes) + e.text, e.exit_code) from None
        raise
    if "ntasks" in opts and "nodes" in opts and opts["ntasks"] < opts["nodes"]:
        if "quiet" not in opts:  # an info() message: -Q lowers the log level below it
            notes.append(
                f"sbatch: Warning: can't run {opts['ntasks']} processes on {opts['nodes']} nodes, "
                f"setting nnodes to {opts['ntasks']}\n"
            )  # seen
        opts["nodes"] = opts["ntasks"]
    return opts, operands


MODELLED = ("nodes", "ntasks", "ntasks-per-node", "cpus-per-task", "mem", "mem-per-cpu", "time",
            "time_set", "partition", "job-name", "output", "error", "chdir", "array")  # fmt: skip


def shape(opts: dict[str, Any]) -> dict[str, Any]:
    """nodes, tasks per node, cpus per task and MB per node that the options ask for."""
    nodes = int(opts.get("nodes", 1))
    if "ntasks-per-node" in opts:
        tpn = int(opts["ntasks-per-node"])
        if "ntasks" in opts and "nodes" not in opts:  # seen: -n 2 --ntasks-per-node=1 -> 2 nodes
            nodes = max(1, int(opts["ntasks"]) // tpn)
    elif "ntasks" in opts:
        tpn = -(-int(opts["ntasks"]) // nodes)
    else:
        tpn = 1
    cpt = int(opts.get("cpus-per-task", 1))
    mem = opts.get("mem")
    if "mem-per-cpu" in opts:
        mem = int(opts["mem-per-cpu"]) * tpn * cpt
    return {"nodes": nodes, "tasks_per_node": tpn, "cpus_per_task": cpt, "mem_mb_per_node": mem}


def check_script(script: str) -> None:
    """sbatch's sanity checks of a batch script (rc 1)."""
    if not script:
        raise _err("Batch script is empty!", 1)
    if not script.strip():
        raise _err("Batch script contains only whitespace!", 1)
    if not script.startswith("#!"):
        raise OptionError(
            "sbatch: error: This does not look like a batch script.  The first\n"
            "sbatch: error: line must start with #! followed by the path to an interpreter.\n"
            "sbatch: error: For instance: #!/bin/sh",
            1,
        )
    if "\0" in script:
        raise OptionError(
            "sbatch: error: The Slurm controller does not allow scripts that\n"
            "sbatch: error: contain a NULL character '\\0'.",
            1,
        )
    if "\r\n" in script:
        raise OptionError(
            "sbatch: error: Batch script contains DOS line breaks (\\r\\n)\n"
            "sbatch: error: instead of expected UNIX line breaks (\\n).",
            1,
        )


def parse_submission(script_text: str, argv: list[str] | tuple[str, ...] = ()) -> Allocation:
    """What sbatch understands from a script and its command line; DirectiveError when it refuses."""
    from clusterjob_sim.engine.allocation import Allocation, ArraySpec, DirectiveError

    try:
        opts, _ = parse_options(script_text, argv)
    except OptionError as e:
        raise DirectiveError(e.text.rstrip("\n"), e.exit_code) from None
    s = shape(opts)
    array = None
    if "array" in opts:
        text, indices, limit = opts["array"]
        array = ArraySpec(tuple(indices), limit, text)
    extra = {k: v for k, v in opts.items() if k not in MODELLED}
    return Allocation(
        nodes=s["nodes"],
        tasks_per_node=s["tasks_per_node"],
        cpus_per_task=s["cpus_per_task"],
        mem_mb_per_node=s["mem_mb_per_node"],
        walltime_s=opts.get("time"),
        queue=opts.get("partition"),
        name=opts.get("job-name"),
        stdout=opts.get("output"),
        stderr=opts.get("error"),
        workdir=os.path.join(opts["chdir"]) if "chdir" in opts else None,
        array=array,
        extra=extra,
    )

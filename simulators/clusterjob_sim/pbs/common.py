"""What the fake Torque and the fake PBS Pro share: their C heritage, reproduced byte for byte.

Both descend from OpenPBS 2.3, so their qsub scans a script the same way (``#PBS`` lines until the first
command), splits options with glibc's getopt, reads sizes and times with the same decoders and prints
``qstat -f`` attributes with the same comma-breaking ``prt_attr``. Stdlib only: the commands import this.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Container, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch


# PBS error numbers both flavours kept from OpenPBS 2.3 (pbs_error.h); an exit code is the number & 0xFF.
PBSE_UNKJOBID = 15001
PBSE_BADATVAL = 15014
PBSE_UNKQUE = 15018
PBSE_EXCQRESC = 15036


class QsubError(Exception):
    """A refusal of the real tool: exact stderr text and exit code (DirectiveError without dataclasses)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class Request:
    """What a qsub understood, in Allocation's terms (a plain class, so commands start fast)."""

    nodes = 1
    tasks_per_node = 1
    cpus_per_task = 1
    mem_mb_per_node: int | None = None
    walltime_s: int | None = None
    queue: str | None = None
    name: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    workdir: str | None = None
    array: tuple[tuple[int, ...], int | None, str] | None = None  # indices, max at once, text

    def __init__(self) -> None:
        self.extra: dict[str, str | bool] = {}

    def allocation(self) -> Any:
        """The shared Allocation dataclass (imported only here: the suite's entry point)."""
        from clusterjob_sim.engine.allocation import Allocation, ArraySpec

        array = None if self.array is None else ArraySpec(*self.array)
        return Allocation(
            nodes=self.nodes,
            tasks_per_node=self.tasks_per_node,
            cpus_per_task=self.cpus_per_task,
            mem_mb_per_node=self.mem_mb_per_node,
            walltime_s=self.walltime_s,
            queue=self.queue,
            name=self.name,
            stdout=self.stdout,
            stderr=self.stderr,
            workdir=self.workdir,
            array=array,
            extra=dict(self.extra),
        )


def exit_code(pbs_errno: int) -> int:
    """The exit status a command gets from ``exit(pbs_errno)``."""
    return pbs_errno & 0xFF


def directive_error(error: QsubError) -> Exception:
    """The shared DirectiveError for a QsubError (what parse_submission raises)."""
    from clusterjob_sim.engine.allocation import DirectiveError

    return DirectiveError(error.message, error.exit_code)


# ---------------------------------------------------------------------------------------------------------
# glibc getopt


class Opt:
    """One option getopt returned: its letter (``?`` for an error) and its argument, if it takes one."""

    __slots__ = ("arg", "error", "letter")

    def __init__(self, letter: str, arg: str | None = None, error: str = "") -> None:
        self.letter = letter
        self.arg = arg
        self.error = error  # the line glibc printed on stderr when letter is '?'

    def __repr__(self) -> str:
        return f"Opt({self.letter!r}, {self.arg!r})"


def getopt(argv: Sequence[str], optstring: str, prog: str = "qsub") -> tuple[list[Opt], list[str]]:
    """Split argv (without argv[0]) as glibc's getopt does: permuting, so operands may come first.

    Returns the options in order (errors included as ``Opt('?')`` with glibc's message) and the operands.
    """
    takes_arg = {c for i, c in enumerate(optstring) if c != ":" and optstring[i + 1 : i + 2] == ":"}
    known = {c for c in optstring if c != ":"}
    opts: list[Opt] = []
    operands: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if word == "--":
            operands.extend(argv[i:])
            break
        if not word.startswith("-") or word == "-":
            operands.append(word)
            continue
        j = 1
        while j < len(word):
            c = word[j]
            j += 1
            if c not in known:
                opts.append(Opt("?", error=f"{prog}: invalid option -- '{c}'"))
                continue
            if c not in takes_arg:
                opts.append(Opt(c))
                continue
            if j < len(word):
                opts.append(Opt(c, word[j:]))
            elif i < len(argv):
                opts.append(Opt(c, argv[i]))
                i += 1
            else:
                opts.append(Opt("?", error=f"{prog}: option requires an argument -- '{c}'"))
            break
    return opts, operands


# ---------------------------------------------------------------------------------------------------------
# Scanning a job script for directives


def make_argv(line: str, keep_quotes: bool) -> list[str]:
    """``make_argv``: split a directive at white space, quoted runs grouped, ``\\`` escapes; Torque
    keeps the quotes in the words (``keep_quotes``), PBS Pro removes them."""
    words: list[str] = []
    buf: list[str] = []
    n = len(line)
    c = 0
    while c < n and line[c].isspace():
        c += 1
    start = c
    while c < n:
        ch = line[c]
        if ch in "\"'":
            end = line.find(ch, c + 1)
            if end < 0:
                raise QsubError("qsub: unmatched \0\n", 1)
            buf.append(line[c : end + 1] if keep_quotes else line[c + 1 : end])
            c = end + 1
        elif ch == "\\":
            buf.append(line[c + 1 : c + 2])
            c += 2
        elif ch.isspace():
            words.append("".join(buf))
            buf = []
            while c < n and line[c].isspace():
                c += 1
            start = c
        else:
            buf.append(ch)
            c += 1
    if c != start:
        words.append("".join(buf))
    return words


def is_executable(line: str) -> bool:
    """Whether a script line ends the directive scan (OpenPBS ``isexecutable``): not blank, not a comment.

    Lines starting at column 0 with ``:`` or ``#!`` never end it.
    """
    if line.startswith(":") or line.startswith("#!"):
        return False
    stripped = line.lstrip(" \t\n\r\f\v")
    return bool(stripped) and not stripped.startswith("#")


def directive_options(line: str, prefix: str = "#PBS") -> str | None:
    """The option text of a directive line (leading white space allowed, as ``ispbsdir``), else None."""
    it = line.lstrip(" \t\n\r\f\v")
    if prefix and it.startswith(prefix):
        return it[len(prefix) :]
    return None


def scan_directives(script_text: str, prefix: str = "#PBS") -> Iterator[str]:
    """Yield the option text of every directive before the first command, joining ``\\``-continued lines."""
    lines = script_text.splitlines(keepends=True)
    k = 0
    while k < len(lines):
        line = lines[k]
        k += 1
        opts = directive_options(line, prefix)
        if opts is not None:
            while opts.endswith("\\\n") and k < len(lines):
                opts = opts[:-2] + lines[k]
                k += 1
            yield opts.rstrip("\n")
        elif is_executable(line):
            return


# ---------------------------------------------------------------------------------------------------------
# Values: time, size, job ids

_TIME_PART = re.compile(r"\d+")


def parse_time(value: str, max_fields: int = 3) -> int | None:
    """Seconds in a PBS time ``[[HH:]MM:]SS[.fraction]`` (Torque also takes ``DD:`` in front), else None."""
    text = value.strip()
    if not text:
        return None
    main, dot, frac = text.partition(".")
    if dot and (not frac.isdigit()):
        return None
    parts = main.split(":")
    if len(parts) > max_fields or not all(_TIME_PART.fullmatch(p) for p in parts):
        return None
    weights = (1, 60, 3600, 86400)
    seconds = sum(int(p) * w for p, w in zip(reversed(parts), weights, strict=False))
    if dot and int(frac[:1] or "0") >= 5:
        seconds += 1
    return seconds


def format_hms(seconds: int) -> str:
    """``HH:MM:SS`` as PBS prints durations (hours grow past two digits)."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


_SIZE = re.compile(r"(\d+)([kmgtp]?)([bw]?)", re.IGNORECASE)
_SHIFT = {"": 0, "k": 10, "m": 20, "g": 30, "t": 40, "p": 50}


def parse_size(value: str) -> int | None:
    """Bytes in a PBS size (``4gb``, ``512mb``, ``100``, ``2kw``), else None."""
    match = _SIZE.fullmatch(value.strip())
    if match is None:
        return None
    number, scale, unit = match.groups()
    size = int(number) << _SHIFT[scale.lower()]
    return size * 8 if unit.lower() == "w" else size


def size_to_mb(value: str) -> int | None:
    """A PBS size in whole megabytes, rounded up; None when it is not a size."""
    size = parse_size(value)
    return None if size is None else -(-size // (1 << 20))


_JOB_ID = re.compile(r"(\d+)(\[(\d*)\])?(?:\.(.*))?")


class JobId:
    """A job id as a user typed it: ``123``, ``123.srv``, ``123[]``, ``123[4].srv``."""

    __slots__ = ("array", "index", "seq", "server")

    def __init__(
        self, seq: int, index: int | None = None, array: bool = False, server: str | None = None
    ) -> None:
        self.seq = seq
        self.index = index  # the array index of a subjob
        self.array = array  # written with brackets
        self.server = server  # what followed the first dot, if anything

    def full(self, server: str) -> str:
        """The id with the server name appended when the user left it out."""
        bracket = "" if not self.array else f"[{'' if self.index is None else self.index}]"
        return f"{self.seq}{bracket}.{self.server if self.server else server}"


def parse_job_id(text: str) -> JobId | None:
    """Read ``N``, ``N.server``, ``N[]`` or ``N[i].server``; None when it is not a job id."""
    match = _JOB_ID.fullmatch(text.strip())
    if match is None:
        return None
    seq, bracket, index, server = match.groups()
    return JobId(
        seq=int(seq),
        index=int(index) if index else None,
        array=bracket is not None,
        server=server or None,
    )


def same_job(job: Job, jid: JobId, exact_array: bool) -> bool:
    """Whether a record is one an id names (PBS Pro, `exact_array`, also tells ``N`` from ``N[]``)."""
    if exact_array and (job.array_index is None) != (not jid.array):
        return False
    return jid.index is None or job.array_index == jid.index


def find_live(engine: Engine, jid: JobId, exact_array: bool = False) -> list[Job]:
    """The live records an id names, as both qdels (and Torque's qstat) look them up."""
    return [j for j in engine.jobs([jid.seq], view="live") if same_job(j, jid, exact_array)]


# ---------------------------------------------------------------------------------------------------------
# Printing attributes (qstat -f)


def prt_attr(name: str, resource: str | None, value: str, limit: int) -> str:
    """One ``    name[.resource] = value`` entry, broken at commas as ``prt_attr`` does (no final newline).

    ``limit`` is the line size: 77 in Torque, 78 (CHAR_LINE_LIMIT) in PBS Pro.
    """
    out = [f"    {name}"]
    start = len(name) + 7
    if resource is not None:
        start += len(resource) + 1
        out.append(f".{resource}")
    out.append(" = ")
    tokens = [t for t in value.split(",") if t]  # strtok skips empty tokens
    first = True
    for n, token in enumerate(tokens):
        if len(token) + start < limit:
            out.append(token)
            start += len(token)
        else:
            if not first:
                out.append("\n\t")
                start = 9
            for ch in token:
                out.append(ch)
                start += 1
                if start > limit:
                    start = 8
                    out.append("\n\t")
        if n + 1 < len(tokens):
            first = False
            out.append(",")
    return "".join(out)


def ctime(epoch: float) -> str:
    """C's ctime() without the newline: ``Thu May 14 07:04:20 2020`` in local time."""
    return time.ctime(epoch)


# ---------------------------------------------------------------------------------------------------------
# A job as the qstat formatters see it


class JobView:
    """Everything qstat prints about one job, independent of how the engine stores it.

    Times are epoch seconds (None: not reached). ``resources`` are the requested ones in the order the
    server lists them; ``used`` the resources_used ones. Unset fields keep the class defaults.
    """

    job_id = ""  # full id, e.g. '123.sim' or '123[].sim'
    name = ""
    owner = ""  # 'user@host'
    state = "Q"  # one letter
    queue = ""
    server = ""
    exec_host: str | None = None
    exec_vnode: str | None = None  # PBS Pro only
    session_id: int | None = None
    exit_status: int | None = None
    ctime: float | None = None
    qtime: float | None = None
    mtime: float | None = None
    etime: float | None = None
    stime: float | None = None  # start time
    comp_time: float | None = None  # Torque completion time
    output_path = ""
    error_path = ""
    join = "n"
    mail_points = "a"
    variable_list = ""
    submit_args = ""
    submit_host = ""
    init_work_dir: str | None = None
    comment: str | None = None
    account: str | None = None
    array_request: str | None = None  # Torque job_array_request / PBS Pro array_indices_submitted
    array_index: int | None = None
    array_state_count: str | None = None  # PBS Pro parent: 'Queued:2 Running:1 Exiting:0 Expired:0'
    array_remaining: str | None = None  # PBS Pro parent: array_indices_remaining
    run_count = 0

    def __init__(self, **fields: Any) -> None:
        self.resources: list[tuple[str, str]] = []
        self.used: list[tuple[str, str]] = []
        self.extra: list[tuple[str, str]] = []  # site attributes appended at the end
        for key, value in fields.items():
            if not hasattr(self, key):
                raise TypeError(f"JobView has no field {key!r}")
            setattr(self, key, value)


# ---------------------------------------------------------------------------------------------------------
# The server's side of a job, kept alike by both flavours


def server_name(config: dict[str, Any]) -> str:
    """The server name in job ids."""
    return str(config.get("server_name") or "simserver")


def site_queue(
    req: Request, config: dict[str, Any], unknown_queue: QsubError, over_walltime: QsubError
) -> tuple[str, dict[str, Any], int | None]:
    """The server's queue checks: the queue, its config and the walltime the job gets (the queue's
    default if unset); `unknown_queue` / `over_walltime` are the flavour's refusals."""
    queues = config.get("queues") or {}
    queue = req.queue or str(config.get("default_queue") or "")
    if queue not in queues:
        raise unknown_queue
    qconf = queues[queue] or {}
    walltime = req.walltime_s
    if walltime is None and qconf.get("default_time_s") is not None:
        walltime = int(qconf["default_time_s"])
    if walltime is not None and qconf.get("max_time_s") is not None:
        if walltime > float(qconf["max_time_s"]):
            raise over_walltime
    return queue, qconf, walltime


def nodes_chunks(spec: str, bad: QsubError, strict: bool) -> list[tuple[int, int]]:
    """(count, ppn) per ``+`` part of ``nodes=``; Torque (`strict`) also refuses odd hosts and properties."""
    chunks: list[tuple[int, int]] = []
    for part in spec.split("+"):
        fields = part.split(":")
        head = fields[0]
        if head.isdigit():
            count = int(head)
        elif not strict or re.fullmatch(r"[A-Za-z][\w.-]*", head):
            count = 1
        else:
            raise bad
        ppn = 1
        for prop in fields[1:]:
            key, eq, value = prop.partition("=")
            if key == "ppn":
                if not value.isdigit() or int(value) < 1:
                    raise bad
                ppn = int(value)
            elif strict and (not key or (eq and not value)):
                raise bad
        if count < 1:
            raise bad
        chunks.append((count, ppn))
    return chunks


def request_paths(req: Request, attrs: dict[str, str | bool]) -> None:
    """Set the queue and output paths from -q/-o/-e/-j, which both qsubs read the same way."""
    if "q" in attrs:
        req.queue = str(attrs["q"]).split("@", 1)[0] or None
    if "o" in attrs:
        req.stdout = str(attrs["o"])
    if "e" in attrs:
        req.stderr = str(attrs["e"])
    if attrs.get("j") == "oe" and req.stdout is not None:
        req.stderr = req.stdout
    elif attrs.get("j") == "eo" and req.stderr is not None:
        req.stdout = req.stderr


def request_extra(
    req: Request,
    attrs: dict[str, str | bool],
    resources: dict[str, str],
    variables: Sequence[str],
    used: Container[str],
) -> None:
    """Keep every option no Request field took (not in `used`) in ``req.extra``, as the tool saw it."""
    for key, value in attrs.items():
        if key not in used:
            req.extra[f"-{key}"] = value
    for name, value in resources.items():
        req.extra[f"-l {name}"] = value
    if variables:
        req.extra["-v"] = ",".join(variables)


def sorted_resources(shown: dict[str, str], walltime: int | None) -> list[list[str]]:
    """Resource_List as both servers keep it: names sorted, the granted walltime as HH:MM:SS."""
    if walltime is not None:
        shown["walltime"] = format_hms(walltime)
    return [[k, shown[k]] for k in sorted(shown)]


# ---------------------------------------------------------------------------------------------------------
# qsub and qdel around each flavour's own texts


def run_qsub(ctx: Context, body: Callable[[Context], int]) -> int:
    """Run a qsub body; a QsubError (the real tool's refusal) becomes its stderr text and exit code."""
    try:
        return body(ctx)
    except QsubError as error:
        ctx.err.write(error.message)
        return error.exit_code


def refuse_interactive(attrs: dict[str, str | bool], message: str) -> None:
    """Refuse ``-I`` with the flavour's `message`, as both qsubs do without a terminal (none here)."""
    if "I" in attrs:
        raise QsubError(message, 1)


def read_script(ctx: Context, script: str | None, missing: str) -> str:
    """The job script: standard input for none or ``-``, else the file (`missing`: the flavour's refusal)."""
    if script is None or script == "-":
        return ctx.stdin.read()
    path = os.path.join(ctx.cwd, script)
    if not os.path.exists(path):
        raise QsubError(missing, 1)
    if not os.path.isfile(path):
        raise QsubError("qsub: script not a file\n", 1)
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", "replace")


def job_variables(
    ctx: Context,
    attrs: dict[str, str | bool],
    lists: Sequence[str],
    where: tuple[str, str, str, str],
    flavor: str,
    strict: bool = False,
) -> list[list[str]]:
    """Variable_List as both qsubs build it: ``PBS_O_*`` (`where`), then -v, then -V's environment."""
    variables = o_variables(ctx.environ, *where, flavor=flavor)
    variables += expand_v(lists, ctx.environ, strict)
    if "V" in attrs:
        variables += [[k, v] for k, v in ctx.environ.items() if not k.startswith("PBS_O_")]
    return variables


def submit_data(
    attrs: dict[str, str | bool], variables: list[list[str]], argv: Sequence[str]
) -> dict[str, Any]:
    """The job data both flavours keep for qstat and the job's start (join, mail, shell, variables...)."""
    return {
        "join": str(attrs.get("j", "n")),
        "mail": str(attrs.get("m", "a")),
        "account": attrs.get("A"),
        "shell": attrs.get("S"),
        "variables": variables,
        "submit_args": " ".join(argv),
    }


def submit_job(
    ctx: Context,
    req: Request,
    attrs: dict[str, str | bool],
    text: str,
    fields: dict[str, Any],
    data: dict[str, Any],
    drop_limit: bool = False,  # PBS Pro keeps -J's %N out of the array text (max_run_subjobs)
) -> int:
    """Submit (`fields`: the flavour's spec values) and print the id unless -z, as both qsubs do."""
    spec: dict[str, Any] = {
        "name": req.name,
        "mem_mb_per_node": req.mem_mb_per_node,
        "held": 1 if "h" in attrs else 0,
        "stdout": output_path(req.stdout, ctx.cwd),
        "stderr": output_path(req.stderr, ctx.cwd),
        "script": text,
        **fields,
    }
    tasks = None
    if req.array is not None:
        tasks, limit, array_text = req.array
        spec["array_limit"] = limit
        spec["array_spec"] = array_text.split("%", 1)[0] if drop_limit else array_text
    jobs = ctx.submit(spec, data=data, tasks=tasks, ids_per_task=False)
    if "z" not in attrs:
        bracket = "[]" if tasks is not None else ""
        ctx.out.write(f"{jobs[0].job_id}{bracket}.{server_name(ctx.config)}\n")
    return 0


def delete_jobs(
    ctx: Context,
    operands: Sequence[str],
    unknown: Callable[[str, str], tuple[str, int]],
    finished: Callable[[str], tuple[str, int]],
    exact_array: bool = False,
    history: bool = True,
    everything: Container[str] = (),
) -> int:
    """qdel's walk over its ids in both flavours: cancel what each names, else the flavour's refusal."""
    engine = ctx.engine
    server = server_name(ctx.config)
    rc = 0
    for operand in operands:
        if operand in everything:
            engine.cancel(engine.jobs(states=("PENDING", "RUNNING")))
            continue
        jid = parse_job_id(operand)
        if jid is None:
            ctx.err.write(f"qdel: illegally formed job identifier: {operand}\n")
            rc = 1
            continue
        full = jid.full(server)
        found = find_live(engine, jid, exact_array)
        if found and not history and all(j.finished for j in found):
            found = []  # without job history a finished job is unknown
        if not found:
            text, rc = unknown(operand, full)
            ctx.err.write(text)
            continue
        if not engine.cancel(found):
            text, rc = finished(full)
            ctx.err.write(text)
    return rc


def state_counts(jobs: Sequence[Job], letters: str, letter: Callable[[Job], str]) -> dict[str, int]:
    """Jobs per state letter for both qstats' summaries (`letter`: the flavour's; others not counted)."""
    counts = dict.fromkeys(letters, 0)
    for job in jobs:
        shown = letter(job)
        if shown in counts:
            counts[shown] += 1
    return counts


def queue_summary(
    ctx: Context,
    operands: Sequence[str],
    live: Sequence[Job],
    row: Callable[[str, list[Job]], str],
    header: str,
    unknown: str,
) -> int:
    """``qstat -Q`` in both flavours: the flavour's `row` per queue named (all by default) or refusal."""
    queues = ctx.config.get("queues") or {}
    rows = []
    for name in operands or list(queues):
        if name not in queues:
            ctx.err.write(f"{unknown}{name}\n")
            return exit_code(PBSE_UNKQUE)
        rows.append(row(name, [j for j in live if j.queue == name]))
    ctx.out.write(header + "".join(rows))
    return 0


def output_path(path: str | None, cwd: str) -> str | None:
    """``-o``/``-e`` as kept by the server: ``host:`` dropped, relative to the submit directory."""
    if path is None:
        return None
    if ":" in path and not path.startswith("/"):
        path = path.split(":", 1)[1]
    full = os.path.normpath(os.path.join(cwd, path))
    if path.endswith("/") or os.path.isdir(full):
        return full + "/"
    return full


def job_id_text(job: Job, server: str) -> str:
    """``12.srv`` or, for an array's sub-job, ``12[3].srv``."""
    if job.array_index is None:
        return f"{job.job_id}.{server}"
    return f"{job.job_id}[{job.array_index}].{server}"


def job_outputs(job: Job, index_sep: str) -> tuple[str, str | None]:
    """Output files: ``<name>.o<seq>`` (a sub-job's ``<seq><index_sep><index>``) in the submit
    directory unless -o/-e; joined streams (``-j oe``/``eo``) give one file and None."""
    suffix = (
        f"{job.job_id}" if job.array_index is None else f"{job.job_id}{index_sep}{job.array_index}"
    )
    out = default_file(job.stdout, job, f"{job.name}.o{suffix}")
    err = default_file(job.stderr, job, f"{job.name}.e{suffix}")
    join = job.data.get("join", "n")
    if join == "oe":
        return out, None
    if join == "eo":
        return err, None
    return out, err


def default_file(path: str | None, job: Job, default: str) -> str:
    """An output path: the default name in the submit dir, or inside a given directory."""
    if path is None:
        return os.path.join(job.submit_dir, default)
    if path.endswith("/"):
        return path + default
    return path


def batch_env(
    name: str, home: str, shell: str, variables: Sequence[Sequence[str]]
) -> dict[str, str]:
    """A batch job's environment before its ``PBS_*`` variables: the login basics, then the
    submission's (``-v``/``-V``/``PBS_O_*``) variables."""
    env = {
        "HOME": home,
        "LOGNAME": name,
        "USER": name,
        "SHELL": shell,
        "PATH": "/bin:/usr/bin",
        "ENVIRONMENT": "BATCH",
    }
    env.update(dict(variables or []))  # type: ignore[arg-type]
    return env


def launch(
    job: Job,
    script_path: str,
    user: tuple[str, str, str],
    variables: dict[str, str],
    index_sep: str,
    cwd_fallback: str | None,
) -> Launch:
    """Start the script as both pbs_moms do: login shell or -S, batch env plus `variables`, outputs."""
    from clusterjob_sim.engine.jobs import Launch

    name, home, shell = user
    env = batch_env(name, home, shell, job.data.get("variables") or [])
    env.update(variables)
    shell_path = str(job.data.get("shell") or shell).split(",")[0].split("@")[0]
    stdout, stderr = job_outputs(job, index_sep)
    return Launch(
        [shell_path, script_path], env, job.workdir, stdout, stderr, cwd_fallback=cwd_fallback
    )


def exit_status(job: Job, over_walltime: int, over_memory: int) -> int | None:
    """Both servers' exit_status: code, 256+signal if killed, 271 after qdel, own codes for limits."""
    if job.state in ("PENDING", "RUNNING"):
        return None
    if job.state == "TIMEOUT":
        return over_walltime
    if job.state == "OUT_OF_MEMORY":
        return over_memory
    if job.signal:
        return 256 + int(job.signal)
    if job.state == "CANCELLED":
        return 271
    return int(job.exit_code or 0)


def base_view(job: Job, server: str, outputs: tuple[str, str | None], **fields: Any) -> JobView:
    """The JobView fields both flavours fill alike (owner, queue, paths, variables, times), plus
    `fields` (name, ...); `outputs` are the job's (stdout, stderr) files."""
    data = job.data
    view = JobView(
        owner=f"{job.user}@{job.submit_host}",
        queue=job.queue,
        server=server,
        join=str(data.get("join", "n")),
        mail_points=str(data.get("mail", "a")),
        submit_args=str(data.get("submit_args", "")),
        submit_host=job.submit_host,
        account=data.get("account"),
        **fields,
    )
    view.resources = [(k, v) for k, v in data.get("resources", [])]
    stdout, stderr = outputs
    view.output_path = f"{job.submit_host}:{stdout}"
    view.error_path = f"{job.submit_host}:{stderr or stdout}"
    view.variable_list = variable_list_text(data.get("variables", []))
    view.ctime = view.qtime = view.etime = job.submit_time
    return view


# ---------------------------------------------------------------------------------------------------------
# Submission environment and the job's files


def user_info(uid: int | None = None, fallback: str = "") -> tuple[str, str, str]:
    """Login name, home directory and login shell of a user (passwd), with sane fallbacks."""
    import os

    uid = os.getuid() if uid is None else uid
    try:
        import pwd

        entry = pwd.getpwuid(uid)
        return entry.pw_name, entry.pw_dir or "/", entry.pw_shell or "/bin/sh"
    except (ImportError, KeyError):
        return fallback or str(uid), os.environ.get("HOME", "/"), "/bin/sh"


def user_home() -> str:
    """This user's home directory: where a PBS job starts unless told otherwise."""
    return user_info()[1]


O_VARIABLES = {
    "torque": ("QUEUE", "HOME", "LOGNAME", "PATH", "MAIL", "SHELL", "LANG", "WORKDIR", "HOST", "SERVER"),
    "pbspro": ("HOME", "LANG", "LOGNAME", "PATH", "MAIL", "SHELL", "TZ", "WORKDIR", "SYSTEM", "QUEUE", "HOST"),
}  # fmt: skip


def o_variables(
    environ: dict[str, str],
    workdir: str,
    host: str,
    queue: str,
    server: str,
    flavor: str = "torque",
) -> list[list[str]]:
    """The ``PBS_O_*`` variables qsub sends with a job, in the order its Variable_List shows them."""
    import os

    known = {
        "QUEUE": queue,
        "WORKDIR": workdir,
        "HOST": host,
        "SERVER": server,
        "SYSTEM": os.uname().sysname,
        "HOME": environ.get("HOME", "/"),
    }
    out: list[list[str]] = []
    for key in O_VARIABLES[flavor]:
        value = known.get(key, environ.get(key))
        if value is not None:
            out.append([f"PBS_O_{key}", value])
    return out


def expand_v(
    lists: Sequence[str], environ: dict[str, str], strict: bool = False
) -> list[list[str]]:
    """``-v A=1,B``: pairs; a name alone takes the submitter's value (strict: missing is an error)."""
    out: list[list[str]] = []
    for text in lists:
        for item in split_commas(text, escapes=True)[0]:
            name, eq, value = item.partition("=")  # an empty item has no name: skipped below
            name = name.strip()
            if not name:
                continue
            if not eq:
                if name not in environ and strict:
                    raise QsubError("qsub: cannot send environment with the job\n", 1)
                value = environ.get(name, "")
            elif len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            out.append([name, value])
    return out


def split_commas(
    text: str, keep_quotes: bool = True, escapes: bool = False
) -> tuple[list[str], bool]:
    """The quote-aware comma split of both qsubs' ``-l``/``-v`` lists; also: is a quote left open."""
    items: list[str] = []
    buf: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        i += 1
        if escapes and ch == "\\" and text[i : i + 1] == ",":
            buf.append(",")
            i += 1
        elif quote and ch == quote:
            quote = ""
            if keep_quotes:
                buf.append(ch)
        elif quote:
            buf.append(ch)
        elif ch in "\"'":
            quote = ch
            if keep_quotes:
                buf.append(ch)
        elif ch == ",":
            items.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    items.append("".join(buf))
    return items, bool(quote)


def variable_list_text(pairs: Sequence[Sequence[str]]) -> str:
    """Variable_List as the server shows it: ``NAME=value`` joined by commas, commas in values escaped."""
    return ",".join(f"{k}={v.replace(',', chr(92) + ',')}" for k, v in pairs)


def write_nodefile(spool: Any, label: str, hosts: Sequence[str]) -> str:
    """Write the job's node file (one host per line) under ``<spool>/aux`` and return its path."""
    import os

    folder = os.path.join(os.fspath(spool), "aux")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, label)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{h}\n" for h in hosts))
    return path

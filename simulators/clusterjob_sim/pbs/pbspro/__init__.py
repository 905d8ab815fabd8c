"""The fake PBS Pro (OpenPBS): ``qsub``, ``qstat``, ``qdel`` over the shared engine, answering as PBS Pro.

Modelled on OpenPBS qsub.c, qsub_sup.c, qstat.c, qdel.c and pbs_json.c: the command line is read first and
script directives never override it; errors are the real texts with the real exit codes (PBS error numbers
& 0xFF). Finished jobs live on in the server's history (job_history_enable): ``qstat -x`` shows them as F.
Import-light: stdlib only at the top, no dataclasses (the bin scripts must start fast).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs.common import JobView, Opt, QsubError, Request

if TYPE_CHECKING:
    from clusterjob_sim.engine.allocation import Allocation
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job, Launch

NAME = "pbspro"
COMMANDS = {
    "qsub": "clusterjob_sim.pbs.pbspro:qsub",
    "qstat": "clusterjob_sim.pbs.pbspro.qstat:qstat",
    "qdel": "clusterjob_sim.pbs.pbspro:qdel",
}
SUBMIT_COMMANDS = ("qsub",)
DEFAULT_CONFIG: dict[str, Any] = {
    "keep_finished_s": 14 * 86400,  # job_history_duration (default two weeks)
    "job_history_enable": True,
    "first_job_id": 0,
    "queues": {"workq": {"max_time_s": None, "default_time_s": None, "nodes": None}},
    "default_queue": "workq",
    "pbs_version": "22.05.11",
}
TRANSIENT_ERRORS = {  # server down: errno ECONNREFUSED; qstat exits with the connection's -1
    "qsub": ("qsub: cannot connect to server simserver (errno=111)", 111),
    "qstat": ("qstat: cannot connect to server simserver (errno=111)", 255),
    "qdel": ("qdel: cannot connect to server simserver (errno=111)", 111),
    "*": ("{cmd}: cannot connect to server simserver (errno=111)", 111),
}
LOST_ANSWER = {"qsub": ("qsub: Error (15031) submitting job", 15031 & 0xFF)}

OPTSTRING = "a:A:c:C:e:fhIj:J:k:l:m:M:N:o:p:q:r:R:S:u:v:VW:XzP:"
LINESIZE = 78  # CHAR_LINE_LIMIT in qstat.c
PBS_VERSION = "22.05.11"

# PBS Pro's own error numbers (pbs_error.h; the shared ones are in pbs_common).
PBSE_UNKRESC = 15035
PBSE_MAXARRAYSIZE = 15107
PBSE_INVALJOBRESC = 15109
PBSE_HISTJOBID = 15139

USAGE = (
    "usage: qsub [-a date_time] [-A account_string] [-c interval]\n"
    "\t[-C directive_prefix] [-e path] [-f ] [-h ] [-I [-X]] [-j oe|eo] [-J X-Y[:Z]]\n"
    "\t[-k keep] [-l resource_list] [-m mail_options] [-M user_list]\n"
    "\t[-N jobname] [-o path] [-p priority] [-P project] [-q queue] [-r y|n]\n"
    "\t[-R o|e|oe] [-S path] [-u user_list] [-W otherattributes=value...]\n"
    "\t[-v variable_list] [-V ] [-z] [script | -- command [arg1 ...]]\n"
    "       qsub --version\n"
)
QSTAT_USAGE = (
    "usage: \n"
    "qstat [-f] [-J] [-p] [-t] [-x] [-E] [-F format | -w] [-D delim]"
    " [ job_identifier... | destination... ]\n"
    "qstat [-a|-i|-r|-H|-T] [-J] [-t] [-u user] [-n] [-s] [-G|-M] [-1] [-w]\n"
    "\t[ job_identifier... | destination... ]\n"
    "qstat -Q [-f] [-F format] [-D delim] [ destination... ]\n"
    "qstat -q [-G|-M] [ destination... ]\n"
    "qstat -B [-f] [-F format] [-D delim] [ server_name... ]\n"
    "qstat --version\n"
)
CRLF_SCRIPT = "qsub: script contains cr, lf\n"
INTERACTIVE = (
    "qsub:\tstandard input and output must be a terminal for\n\tinteractive job submission\n"
)
MAX_ARRAY_SIZE = 10000  # server max_array_size default
HOST_RESOURCES = ("ncpus", "mem", "vmem", "mpiprocs", "ompthreads", "ngpus")
KNOWN_RESOURCES = (
    "walltime select place nodes ncpus mem vmem pmem pvmem cput pcput file nice software mpiprocs "
    "ompthreads ngpus host vnode arch naccelerators accelerator accelerator_model accelerator_memory "
    "preempt_targets min_walltime max_walltime soft_walltime site start_time"
).split()
CHUNK_INTS = ("ncpus", "mpiprocs", "ompthreads", "ngpus", "naccelerators")


def server_error(text: str, pbs_errno: int) -> QsubError:
    """The server (or the client-side ECL check) refusing the job: ``qsub: <text>``."""
    return QsubError(f"qsub: {text}\n", pc.exit_code(pbs_errno))


def bad_resource(resource: str) -> QsubError:
    """An illegal value for one ``Resource_List`` member."""
    return server_error(
        f"Illegal attribute or resource value Resource_List.{resource}", pc.PBSE_BADATVAL
    )


def illegal_option(letter: str) -> QsubError:
    """An attribute the ECL layer rejects: ``qsub: illegal -X value`` then the usage, exit 2."""
    return QsubError(f"qsub: illegal -{letter} value\n{USAGE}", 2)


# ---------------------------------------------------------------------------------------------------------
# Reading a submission


def _split_resources(value: str) -> list[tuple[str, str]] | None:
    """``set_resources``: ``name=value[,name=value]``, quoted commas kept; None when malformed."""
    items, open_quote = pc.split_commas(value, keep_quotes=False)
    if open_quote:
        return None
    out: list[tuple[str, str]] = []
    for item in items:
        name, eq, val = item.strip().partition("=")
        if not eq or not val.strip() or not re.fullmatch(r"[A-Za-z][\w-]*", name.strip()):
            return None
        out.append((name.strip(), val.strip()))
    return out


class _State:
    """Options set so far and the pass (3 command line, 2 script) that set each: later passes never win."""

    def __init__(self) -> None:
        self.attrs: dict[str, str | bool] = {}
        self.resources: dict[str, str] = {}
        self.variables: list[str] = []
        self.set_by: dict[str, int] = {}

    def set(self, key: str, value: str | bool, passet: int) -> None:
        """``if_cmd_line``: set unless a higher-priority pass already did."""
        if self.set_by.get(key, 0) <= passet:
            self.attrs[key] = value
            self.set_by[key] = passet


def _process(opts: Iterable[Opt], state: _State, passet: int) -> list[str]:
    """``process_opts``: the error lines it prints (it goes on after an error, counting them)."""
    errors: list[str] = []
    for opt in opts:
        c, arg = opt.letter, opt.arg or ""
        if c == "?":
            errors.append(opt.error + "\n")
        elif c == "a" and not re.fullmatch(r"(\d\d){2,6}(\.\d\d)?", arg):
            errors.append("qsub: illegal -a value\n")
        elif c == "c" and arg.strip() == "u":
            errors.append("qsub: illegal -c value\n")
        elif c == "r" and arg not in ("y", "n"):
            errors.append("qsub: illegal -r value\n")
        elif c == "J" and "%" in arg:
            spec, _, limit = arg.partition("%")
            if "W max_run_subjobs" in state.attrs:
                errors.append("qsub: multiple max_run_subjobs values found\n")
            else:
                state.set("J", spec, passet)
                state.set("W max_run_subjobs", limit, passet)
        elif c == "l":
            pairs = _split_resources(arg)
            if pairs is None:
                errors.append("qsub: illegal -l value\n")
                continue
            for name, value in pairs:
                if f"l {name}" not in state.set_by or passet == 3:
                    state.resources[name] = value
                    state.set_by[f"l {name}"] = passet
        elif c == "W":
            text = arg.lstrip()
            items = [item.partition("=") for item in text.split(",")] if text else []
            if not items or any(not eq or not k.strip() or not v for k, eq, v in items):
                errors.append("qsub: illegal -W value\n")
                continue
            for key, _, value in items:
                state.set(f"W {key.strip()}", value, passet)
        elif c == "v":
            state.variables.append(arg)
        elif c in ("m", "p"):
            state.set(c, arg.lstrip(), passet)
        else:
            state.set(c, True if opt.arg is None else arg, passet)
    return errors


def default_name(script_path: str | None) -> str:
    """The name qsub sets without ``-N``: ``STDIN`` for standard input or a command, else the basename."""
    if not script_path or script_path == "-":
        return "STDIN"
    return script_path.rsplit("/", 1)[-1]


def split_command_line(argv: Sequence[str]) -> tuple[list[Opt], list[str], list[str]]:
    """getopt over qsub's arguments: options, operands and the errors of a misplaced script operand."""
    args = list(argv)
    if args and os.path.basename(args[0]) == "qsub":
        args = args[1:]
    if "--" in args:
        head = args[: args.index("--")]
        opts, operands = pc.getopt(head, OPTSTRING)
        return opts, ["--", *args[args.index("--") + 1 :]], (["x"] if operands else [])
    opts, operands = pc.getopt(args, OPTSTRING)
    misplaced = [] if not operands or (args and args[-1] == operands[-1]) else ["x"]
    if len(operands) > 1:
        misplaced = ["x"]
    return opts, operands, misplaced


def parse_submission(
    script_text: str, argv: Sequence[str] = (), config: dict[str, Any] | None = None
) -> Allocation:
    """What PBS Pro's qsub understands from a script and its command line (``argv`` may name the
    script); with a cluster ``config``, also the server's queue checks.

    Raises DirectiveError with qsub's exact stderr and exit status when the real qsub refuses.
    """
    try:
        req = read_submission(script_text, argv)[1]
        if config is not None:
            check_site(req, config)
        return req.allocation()  # type: ignore[no-any-return]
    except QsubError as error:
        raise pc.directive_error(error) from None


def read_submission(script_text: str, argv: Sequence[str]) -> tuple[_State, Request]:
    """The command line first, then the directives (never overriding it); options and the request."""
    cmd_opts, operands, misplaced = split_command_line(argv)
    state = _State()
    errors = _process(cmd_opts, state, 3)
    if errors or misplaced:
        raise QsubError("".join(errors) + USAGE, 2)
    if "X" in state.attrs and "I" not in state.attrs:
        raise QsubError("qsub: X11 Forwarding possible only for interactive jobs\n", 1)
    command = bool(operands) and operands[0] == "--"
    if command and len(operands) < 2:
        raise QsubError(USAGE, 2)
    if "N" not in state.attrs:
        state.set("N", default_name(None if command or not operands else operands[0]), 1)
    if not command:
        if "\r\n" in script_text:
            raise QsubError(CRLF_SCRIPT, 1)
        prefix = str(state.attrs.get("C", "#PBS"))
        for options in pc.scan_directives(script_text, prefix):
            words = pc.make_argv(options, keep_quotes=False)
            opts, rest = pc.getopt(words, OPTSTRING)
            errors = _process(opts, state, 2)
            if errors or rest:
                line = "qsub: directive error: " + "".join(f"{w} " for w in words) + "\n"
                raise QsubError("".join(errors) + line, 1)
    return state, _request(state)


def check_job_name(name: str) -> bool:
    """A Job_Name the server takes: 1 to 236 visible characters, the first alphanumeric."""
    return re.fullmatch(r"[A-Za-z0-9][\x21-\x7e]{0,235}", name) is not None


def parse_array(spec: str, limit: str | None) -> tuple[tuple[int, ...], int | None, str]:
    """``-J X-Y[:Z]`` (X < Y, Z >= 1) with ``%N`` given as ``limit``."""
    match = re.fullmatch(r"(\d+)-(\d+)(?::(\d+))?", spec)
    if match is None:
        raise illegal_option("J")
    first, last, step = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    if last <= first or step < 1:
        raise illegal_option("J")
    indices = tuple(range(first, last + 1, step))
    if len(indices) > MAX_ARRAY_SIZE:
        raise server_error("Array job exceeds server or queue size limit", PBSE_MAXARRAYSIZE)
    max_run = None
    if limit is not None:
        if not limit.isdigit() or int(limit) < 1:
            raise illegal_option("W")
        max_run = int(limit)
    text = spec if limit is None else f"{spec}%{limit}"
    return indices, max_run, text


class Chunk:
    """One ``select`` chunk: how many, and its resources (``ncpus``, ``mpiprocs``, ``mem``, ...)."""

    __slots__ = ("count", "resources")

    def __init__(self, count: int, resources: tuple[tuple[str, str], ...]) -> None:
        self.count = count
        self.resources = resources

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of one chunk resource."""
        return dict(self.resources).get(name, default)

    @property
    def ncpus(self) -> int:
        """Cores per chunk (default 1)."""
        return int(self.get("ncpus", "1") or "1")

    @property
    def mpiprocs(self) -> int:
        """MPI ranks per chunk: PBS_NODEFILE lines (default 1 when ncpus > 0)."""
        value = self.get("mpiprocs")
        return int(value) if value is not None else (1 if self.ncpus > 0 else 0)

    @property
    def ompthreads(self) -> int:
        """OMP_NUM_THREADS of the chunk (default: ncpus)."""
        value = self.get("ompthreads")
        return int(value) if value is not None else self.ncpus


def parse_select(spec: str) -> list[Chunk]:
    """``2:ncpus=4:mpiprocs=4+1:ncpus=1``; an illegal spec is the server's BADATVAL."""
    chunks: list[Chunk] = []
    for part in spec.split("+"):
        fields = part.split(":")
        count = 1
        if fields and fields[0].isdigit():
            count = int(fields.pop(0))
        if count < 1 or not part:
            raise bad_resource("select")
        pairs: list[tuple[str, str]] = []
        for item in fields:
            name, eq, value = item.partition("=")
            if not eq or not value or not re.fullmatch(r"[A-Za-z][\w-]*", name):
                raise bad_resource("select")
            if name in CHUNK_INTS and not value.isdigit():
                raise bad_resource("select")
            if name in ("mem", "vmem") and pc.parse_size(value) is None:
                raise bad_resource("select")
            pairs.append((name, value))
        chunks.append(Chunk(count, tuple(pairs)))
    return chunks


_PLACE = re.compile(r"(free|pack|scatter|vscatter)?(:(excl|shared|exclhost)|:group=\w+)*")


def _request(state: _State) -> Request:
    """Turn the merged options into the granted allocation, with the ECL and server checks."""
    attrs, res = state.attrs, state.resources
    if not check_job_name(str(attrs["N"])):
        raise illegal_option("N")
    for letter, pattern in (("j", r"oe|eo|n"), ("k", r"[oed]+|n"), ("m", r"[abej]+|n")):
        if letter in attrs and not re.fullmatch(pattern, str(attrs[letter])):
            raise illegal_option(letter)
    if "p" in attrs and not (
        re.fullmatch(r"[+-]?\d+", str(attrs["p"])) and -1024 <= int(str(attrs["p"])) <= 1023
    ):
        raise illegal_option("p")
    if "j" in str(attrs.get("m", "")) and "J" not in attrs:
        raise QsubError("qsub: mail option 'j' can not be used without array job\n", 1)
    for name in res:
        if name not in KNOWN_RESOURCES:
            raise server_error(f"Unknown resource Resource_List.{name}", PBSE_UNKRESC)
    if "select" in res or "place" in res:
        for name in HOST_RESOURCES:
            if name in res:
                raise server_error(
                    f'"-lresource=" cannot be used with "select" or "place", resource is: {name}',
                    PBSE_INVALJOBRESC,
                )
    alloc = Request()
    alloc.name = str(attrs["N"])
    if "walltime" in res:
        seconds = pc.parse_time(res["walltime"])
        if seconds is None:
            raise bad_resource("walltime")
        alloc.walltime_s = seconds
    if "place" in res and not _PLACE.fullmatch(res["place"]):
        raise bad_resource("place")
    for name in ("mem", "vmem"):
        if name in res and pc.parse_size(res[name]) is None:
            raise bad_resource(name)
    for name in ("ncpus", "mpiprocs", "ompthreads"):
        if name in res and not res[name].isdigit():
            raise bad_resource(name)
    chunks = chunks_of(res)
    pack = res.get("place", "").startswith("pack")
    first = chunks[0]
    if pack:
        alloc.nodes = 1
        alloc.tasks_per_node = sum(ch.count * ch.mpiprocs for ch in chunks) or 1
    else:
        alloc.nodes = sum(ch.count for ch in chunks)
        alloc.tasks_per_node = first.mpiprocs or 1
    alloc.cpus_per_task = int(first.get("ompthreads") or 0) or max(
        1, first.ncpus // max(1, first.mpiprocs)
    )
    mem = first.get("mem")
    if mem is not None:
        mb = -(-(pc.parse_size(mem) or 0) // (1 << 20))
        alloc.mem_mb_per_node = mb * (sum(ch.count for ch in chunks) if pack else 1)
    pc.request_paths(alloc, attrs)
    if "J" in attrs:
        limit = attrs.get("W max_run_subjobs")
        alloc.array = parse_array(str(attrs["J"]), None if limit is None else str(limit))
    used = ("N", "q", "o", "e", "J", "W max_run_subjobs")
    pc.request_extra(alloc, attrs, res, state.variables, used)
    return alloc


def chunks_of(res: dict[str, str]) -> list[Chunk]:
    """The chunks a job gets: its select, else the server's conversion of nodes=/ncpus=/mem=."""
    if "select" in res:
        return parse_select(res["select"])
    if "nodes" in res:
        parts = pc.nodes_chunks(res["nodes"], bad_resource("nodes"), strict=False)
        return [Chunk(n, (("ncpus", str(ppn)), ("mpiprocs", str(ppn)))) for n, ppn in parts]
    pairs = [
        (name, res[name]) for name in ("ncpus", "mem", "mpiprocs", "ompthreads") if name in res
    ]
    return [Chunk(1, tuple(pairs))]


def select_of(res: dict[str, str]) -> str:
    """The ``Resource_List.select`` the server shows for a job."""
    out = []
    for ch in chunks_of(res):
        resources = dict(ch.resources)
        resources.setdefault("ncpus", "1")
        items = "".join(f":{k}={v}" for k, v in resources.items())
        out.append(f"{ch.count}{items}")
    return "+".join(out)


# ---------------------------------------------------------------------------------------------------------
# Error texts of qstat and qdel


def qstat_unknown(full_id: str) -> tuple[str, int]:
    """``qstat`` for an id the server never had (or whose history expired)."""
    return f"qstat: Unknown Job Id {full_id}\n", pc.exit_code(pc.PBSE_UNKJOBID)


def qstat_finished(full_id: str) -> tuple[str, int]:
    """``qstat`` without ``-x`` for a finished job kept in history."""
    return (
        f"qstat: {full_id} Job has finished, use -x or -H to obtain historical job information\n",
        pc.exit_code(PBSE_HISTJOBID),
    )


def qdel_unknown(operand: str, full_id: str) -> tuple[str, int]:
    """``qdel`` for an id the server does not know (PBS Pro names the full id, not the operand)."""
    return f"qdel: Unknown Job Id {full_id}\n", pc.exit_code(pc.PBSE_UNKJOBID)


def qdel_finished(full_id: str) -> tuple[str, int]:
    """``qdel`` for a finished job."""
    return f"qdel: Job has finished {full_id}\n", pc.exit_code(PBSE_HISTJOBID)


# ---------------------------------------------------------------------------------------------------------
# qsub


def qsub(ctx: Context) -> int:
    """``qsub [options] [script | -- command args]``: print ``<seq>.<server>`` (``<seq>[].<server>``)."""
    if ctx.argv[:1] == ["--version"]:
        ctx.out.write(f"pbs_version = {ctx.config.get('pbs_version', PBS_VERSION)}\n")
        return 0
    return pc.run_qsub(ctx, _qsub)


def _qsub(ctx: Context) -> int:
    """The body of qsub; QsubError carries every refusal."""
    _, operands, _ = split_command_line(ctx.argv)
    command = operands[1:] if operands[:1] == ["--"] else None
    script = None if command is not None else (operands[0] if operands else None)
    if command is not None:
        text = "#!/bin/sh\n" + " ".join(_shell_quote(w) for w in command) + "\n"
    else:
        text = pc.read_script(ctx, script, "qsub: script file:: No such file or directory\n")
    state, req = read_submission(text, ctx.argv)
    attrs = state.attrs
    pc.refuse_interactive(attrs, INTERACTIVE)
    config = ctx.config
    queue, walltime = check_site(req, config)
    where = (ctx.cwd, "", queue, "")  # PBS_O_HOST once the -v check passed and the engine is open
    variables = pc.job_variables(ctx, attrs, state.variables, where, "pbspro", strict=True)
    host = ctx.engine.submit_host
    for pair in variables:
        if pair[0] == "PBS_O_HOST":
            pair[1] = host
    res = state.resources
    chunks = chunks_of(res)
    pack = res.get("place", "").startswith("pack")
    if pack:
        nodes, cores = 1, sum(ch.count * ch.ncpus for ch in chunks)
    else:
        nodes, cores = sum(ch.count for ch in chunks), max(ch.ncpus for ch in chunks)
    fields = {
        "queue": queue,
        "nodes": nodes,
        "cores_per_node": max(1, cores),
        "exclusive": 1 if "excl" in res.get("place", "").split(":") else 0,
        "walltime_s": walltime,
        "workdir": pc.user_home(),
        "submit_dir": ctx.cwd,
    }
    data = {
        "chunks": [[ch.count, [list(p) for p in ch.resources]] for ch in chunks],
        "resources": resource_list(res, walltime),
        **pc.submit_data(attrs, variables, ctx.argv),
    }
    return pc.submit_job(ctx, req, attrs, text, fields, data, drop_limit=True)


def check_site(req: Request, config: dict[str, Any]) -> tuple[str, int | None]:
    """The server's queue checks: the queue and the walltime the job gets (its default if unset)."""
    queue, _, walltime = pc.site_queue(
        req,
        config,
        server_error("Unknown queue", pc.PBSE_UNKQUE),
        server_error("Job violates queue and/or server resource limits", pc.PBSE_EXCQRESC),
    )
    return queue, walltime


def _shell_quote(word: str) -> str:
    """A word for the generated ``sh`` script of ``qsub -- command args``."""
    import shlex

    return shlex.quote(word)


def _size_text(size: int) -> str:
    """A byte count as PBS prints sizes: the largest unit that divides it."""
    for unit, shift in (("tb", 40), ("gb", 30), ("mb", 20), ("kb", 10)):
        if size and size % (1 << shift) == 0:
            return f"{size >> shift}{unit}"
    return f"{size}b"


def resource_list(res: dict[str, str], walltime: int | None) -> list[list[str]]:
    """Resource_List as the server shows it: select and its sums (ncpus, nodect, mem), place, walltime."""
    shown = {k: v for k, v in res.items() if k != "nodes"}
    chunks = chunks_of(res)
    shown["select"] = select_of(res)
    shown["ncpus"] = str(sum(ch.count * ch.ncpus for ch in chunks))
    shown["nodect"] = str(sum(ch.count for ch in chunks))
    if any(ch.get("mpiprocs") for ch in chunks):
        shown["mpiprocs"] = str(sum(ch.count * ch.mpiprocs for ch in chunks))
    mem = sum(ch.count * (pc.parse_size(ch.get("mem") or "0") or 0) for ch in chunks)
    if mem:
        shown["mem"] = _size_text(mem)
    shown.setdefault("place", "scatter" if "nodes" in res else "free")
    return pc.sorted_resources(shown, walltime)


# ---------------------------------------------------------------------------------------------------------
# The job's environment


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """How pbs_mom starts the script: login shell in $HOME, PBS variables, node file, output files."""
    server = pc.server_name(engine.config)
    full_id = pc.job_id_text(job, server)
    user = pc.user_info(job.uid, job.user)
    chunks = [
        Chunk(int(c), tuple((str(k), str(v)) for k, v in r)) for c, r in job.data.get("chunks", [])
    ]
    chunks = chunks or [Chunk(1, ())]
    hosts = job.node_names or ["localhost"]
    lines: list[str] = []
    k = 0
    for chunk in chunks:
        for _ in range(chunk.count):
            lines += [hosts[min(k, len(hosts) - 1)]] * chunk.mpiprocs
            k += 1
    nodefile = pc.write_nodefile(engine.spool, full_id, lines)
    tmpdir = os.path.join(os.fspath(engine.spool), "tmp", f"pbs.{full_id}")
    os.makedirs(tmpdir, exist_ok=True)
    variables = {
        "PBS_ENVIRONMENT": "PBS_BATCH",
        "PBS_JOBID": full_id,
        "PBS_JOBNAME": job.name,
        "PBS_QUEUE": job.queue,
        "PBS_NODEFILE": nodefile,
        "PBS_NODENUM": "0",
        "PBS_TASKNUM": "1",
        "PBS_MOMPORT": "15003",
        "PBS_JOBCOOKIE": f"{job.rid:032X}",
        "PBS_JOBDIR": user[1],
        "NCPUS": str(chunks[0].ncpus),
        "OMP_NUM_THREADS": str(chunks[0].ompthreads),
        "TMPDIR": tmpdir,
    }
    if job.array_index is not None:
        variables["PBS_ARRAY_INDEX"] = str(job.array_index)
        variables["PBS_ARRAY_ID"] = f"{job.job_id}[].{server}"
    return pc.launch(job, script_path, user, variables, ".", cwd_fallback="/")


# ---------------------------------------------------------------------------------------------------------
# The server's view of a job


def state_letter(job: Job) -> str:
    """job_state: H held, Q queued, R running; a finished job F, a finished sub-job X."""
    if job.state == "PENDING":
        return "H" if job.held else "Q"
    if job.state == "RUNNING":
        return "R"
    return "F" if job.array_index is None else "X"


def exit_status(job: Job) -> int | None:
    """Exit_status: the script's code; 256+signal when killed (271 after qdel), -29 past walltime."""
    if job.start_time is None:
        return None  # never ran (e.g. deleted while queued): no Exit_status
    return pc.exit_status(job, -29, -27)  # JOB_EXEC_KILL_WALLTIME, JOB_EXEC_KILL_MEM


def _array_state(tasks: list[Job]) -> str:
    """An array's job_state: Q before any sub-job ran, B once one has, F when all finished."""
    if all(t.finished for t in tasks):
        return "F"
    if any(t.start_time is not None for t in tasks):
        return "B"
    return "H" if all(t.held for t in tasks) else "Q"


def _comment(job: Job, chunks: list[Chunk]) -> str | None:
    """The scheduler's comment on a job, as PBS Pro writes it."""
    if job.state == "PENDING":
        if job.reason == "never":
            return "Can Never Run: Insufficient amount of resource: ncpus"
        if job.reason in ("resources", "priority"):
            return "Not Running: Insufficient amount of resource: ncpus"
        return None
    import time

    when = time.strftime("%a %b %d at %H:%M", time.localtime(job.start_time or job.submit_time))
    vnodes = _exec_vnode(job, chunks)
    text = f"Job run at {when} on {vnodes}"
    return text if job.state == "RUNNING" else text + " and finished"


def _exec_vnode(job: Job, chunks: list[Chunk]) -> str:
    """``(node01:ncpus=4:mem=4194304kb)+(node02:ncpus=4)``."""
    parts = []
    hosts = job.node_names
    k = 0
    for chunk in chunks:
        for _ in range(chunk.count):
            host = hosts[min(k, len(hosts) - 1)] if hosts else "localhost"
            item = f"{host}:ncpus={chunk.ncpus}"
            mem = chunk.get("mem")
            if mem:
                item += f":mem={(pc.parse_size(mem) or 0) >> 10}kb"
            parts.append(f"({item})")
            k += 1
    return "+".join(parts)


def job_view(job: Job, engine: Engine, tasks: list[Job] | None = None) -> JobView:
    """Everything qstat shows about one job (or, with ``tasks``, an array's parent ``12[].srv``)."""
    server = pc.server_name(engine.config)
    data = job.data
    chunks = [
        Chunk(int(c), tuple((str(k), str(v)) for k, v in r)) for c, r in data.get("chunks", [])
    ]
    view = pc.base_view(job, server, pc.job_outputs(job, "."), name=job.name)
    if tasks is not None:
        view.job_id = f"{job.job_id}[].{server}"
        view.state = _array_state(tasks)
        view.mtime = max(t.end_time or t.start_time or t.submit_time for t in tasks)
        view.array_request = job.array_spec
        done = [t for t in tasks if t.finished]
        running = [t for t in tasks if t.state == "RUNNING"]
        queued = [t.array_index for t in tasks if t.state == "PENDING"]
        view.array_state_count = (
            f"Queued:{len(queued)} Running:{len(running)} Exiting:0 Expired:{len(done)}"
        )
        view.array_remaining = _ranges([i for i in queued if i is not None]) or "-"
        view.comment = "Job Array Began" if view.state == "B" else None
        return view
    view.job_id = pc.job_id_text(job, server)
    view.state = state_letter(job)
    view.mtime = job.end_time or job.start_time or job.submit_time
    view.comment = _comment(job, chunks)
    if job.array_index is not None:
        view.array_index = job.array_index
    if job.start_time is not None:
        ncpus = sum(ch.count * ch.ncpus for ch in chunks) or 1
        hosts = job.node_names
        k = 0
        parts = []
        for chunk in chunks:
            for _ in range(chunk.count):
                host = hosts[min(k, len(hosts) - 1)] if hosts else "localhost"
                parts.append(f"{host}/0*{chunk.ncpus}" if chunk.ncpus > 1 else f"{host}/0")
                k += 1
        view.exec_host = "+".join(parts)
        view.exec_vnode = _exec_vnode(job, chunks)
        view.used = [
            ("cpupercent", "0"),
            ("cput", "00:00:00"),
            ("mem", "0kb"),
            ("ncpus", str(ncpus)),
            ("vmem", "0kb"),
            ("walltime", pc.format_hms(int(job.elapsed(engine.now())))),
        ]
        view.session_id = job.pgid or job.runner_pid or 0
        view.stime = job.start_time
        view.run_count = 1
        view.init_work_dir = job.workdir
    view.exit_status = exit_status(job)
    return view


def _ranges(indices: list[int]) -> str:
    """``1-3,5`` from sorted indices (array_indices_remaining)."""
    out: list[str] = []
    for i in sorted(indices):
        if out and out[-1].split("-")[-1] == str(i - 1):
            out[-1] = out[-1].split("-")[0] + f"-{i}"
        else:
            out.append(str(i))
    return ",".join(out)


def server_version(ctx: Context) -> str:
    """The pbs_version this simulated server reports."""
    return str(ctx.config.get("pbs_version", PBS_VERSION))


# ---------------------------------------------------------------------------------------------------------
# qdel

QDEL_USAGE = (
    "usage: qdel [-W force|suppress_email=X] [-x] job_identifier...\n       qdel --version\n"
)


def qdel(ctx: Context) -> int:
    """``qdel ID...``: silent on success; ``Unknown Job Id`` rc 153, ``Job has finished`` rc 35."""
    if ctx.argv[:1] == ["--version"]:
        ctx.out.write(f"pbs_version = {server_version(ctx)}\n")
        return 0
    opts, operands = pc.getopt(ctx.argv, "W:x", prog="qdel")
    if any(opt.letter == "?" for opt in opts) or not operands:
        ctx.err.write("".join(o.error + "\n" for o in opts if o.letter == "?") + QDEL_USAGE)
        return 2
    history = bool(ctx.config.get("job_history_enable", True))
    return pc.delete_jobs(
        ctx, operands, qdel_unknown, qdel_finished, exact_array=True, history=history
    )

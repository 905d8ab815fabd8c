"""What the fake PBS Pro's qsub reads: its getopt letters, the command line first and then the ``#PBS``
directives (which never override it), ``select`` chunks and the other ``-l`` resources, with the ECL and
server checks, and the Resource_List the server keeps.

Modelled on OpenPBS qsub.c and qsub_sup.c; errors are the real texts with the real exit codes.
"""

from __future__ import annotations

import os
import re

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs import submit as ps
from clusterjob_sim.pbs.common import Opt, QsubError
from clusterjob_sim.pbs.pbspro.chunk import Chunk
from clusterjob_sim.pbs.pbspro.output import (
    CRLF_SCRIPT,
    NO_RERUN_ARRAY,
    PBSE_INVALJOBRESC,
    PBSE_MAXARRAYSIZE,
    PBSE_UNKRESC,
    USAGE,
    bad_resource,
    illegal_option,
    server_error,
)
from clusterjob_sim.pbs.submit import Request

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    from clusterjob_sim.engine.allocation import Allocation

OPTSTRING = "a:A:c:C:e:fhIj:J:k:l:m:M:N:o:p:q:r:R:S:u:v:VW:XzP:"
HOST_RESOURCES = ("ncpus", "mem", "vmem", "mpiprocs", "ompthreads", "ngpus")
KNOWN_RESOURCES = (
    "walltime select place nodes ncpus mem vmem pmem pvmem cput pcput file nice software mpiprocs "
    "ompthreads ngpus host vnode arch naccelerators accelerator accelerator_model accelerator_memory "
    "preempt_targets min_walltime max_walltime soft_walltime site start_time"
).split()
CHUNK_INTS = ("ncpus", "mpiprocs", "ompthreads", "ngpus", "naccelerators")
MAX_ARRAY_SIZE = 10000  # server max_array_size default


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

    def may_set(self, key: str, passet: int) -> bool:
        """``if_cmd_line``: whether this pass may (re)set `key`."""
        return self.set_by.get(key, 0) <= passet

    def set(self, key: str, value: str | bool, passet: int) -> None:
        """``if_cmd_line``: set unless a higher-priority pass already did."""
        if self.may_set(key, passet):
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
        elif c == "r" and arg == "n" and "J" in state.attrs and state.may_set("r", passet):
            errors.append(NO_RERUN_ARRAY)
        elif c == "J" and state.attrs.get("r", "y") != "y":
            errors.append(NO_RERUN_ARRAY)  # checked whatever pass set -r (roptarg)
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
    ps.request_paths(alloc, attrs)
    if "J" in attrs:
        limit = attrs.get("W max_run_subjobs")
        alloc.array = parse_array(str(attrs["J"]), None if limit is None else str(limit))
    used = ("N", "q", "o", "e", "J", "W max_run_subjobs")
    ps.request_extra(alloc, attrs, res, state.variables, used)
    return alloc


def chunks_of(res: dict[str, str]) -> list[Chunk]:
    """The chunks a job gets: its select, else the server's conversion of nodes=/ncpus=/mem=."""
    if "select" in res:
        return parse_select(res["select"])
    if "nodes" in res:
        parts = ps.nodes_chunks(res["nodes"], bad_resource("nodes"), strict=False)
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


def check_site(req: Request, config: dict[str, Any]) -> tuple[str, int | None]:
    """The server's queue checks: the queue and the walltime the job gets (its default if unset)."""
    queue, _, walltime = srv.site_queue(
        req,
        config,
        server_error("Unknown queue", pc.PBSE_UNKQUE),
        server_error("Job violates queue and/or server resource limits", pc.PBSE_EXCQRESC),
    )
    return queue, walltime


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
    return ps.sorted_resources(shown, walltime)

"""What the fake Torque's qsub reads: its getopt letters, ``#PBS`` directives (read first; the command line
then overrides them), each option's checks as ``process_opts`` makes them, and the request they make.

Modelled on Torque 6.1.3 src/cmds/qsub_functions.c; errors are the real texts with the real exit codes.
"""

from __future__ import annotations

import os
import re

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs import submit as ps
from clusterjob_sim.pbs.common import Opt, QsubError
from clusterjob_sim.pbs.submit import Request
from clusterjob_sim.pbs.torque.output import (
    DOS_SCRIPT,
    PBSE_BAD_ARRAY_REQ,
    PBSE_EXCQRESC,
    PBSE_UNKQUE,
    USAGE,
    bad_value,
    submit_error,
)

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    from clusterjob_sim.engine.allocation import Allocation

OPTSTRING = (
    "a:A:b:c:C:d:D:e:EfF:hi:Ij:J:k:K:l:L:m:M:nN:o:p:P:q:r:S:t:T:u:v:Vw:W:Xxz-:"  # qsub_functions.c
)
CHECKPOINT_WORDS = (
    "n c s u none shutdown periodic enabled interval depth dir".split()  # checkpoint_strings
)
DEFAULT_NAME_LENGTH = 15  # the default job name is the script basename cut to 15 characters


def usage_error(message: str, before: str = "") -> QsubError:
    """``print_qsub_usage_exit``: ``[message]``, a blank line, the usage text, exit 2."""
    return QsubError(f"{before}[{message}]\n\n{USAGE}\n", 2)


def check_job_name(name: str) -> bool:
    """``check_job_name``: 1 to 256 visible characters (no white space)."""
    return re.fullmatch(r"[\x21-\x7e]{1,256}", name) is not None


def _split_resources(value: str) -> list[tuple[str, str]] | None:
    """Split ``-l name=value,name=value`` (commas inside quotes kept); None when malformed."""
    out: list[tuple[str, str]] = []
    for item in pc.split_commas(value)[0]:  # an open quote runs to the end (PBS Pro refuses it)
        name, eq, val = item.strip().partition("=")
        if not eq or not re.fullmatch(r"[A-Za-z_][\w.-]*", name):
            return None
        out.append((name, val.strip().strip("\"'")))
    return out


class _State:
    """Options as qsub's hash tables hold them while directives, then the command line, are read."""

    def __init__(self) -> None:
        self.attrs: dict[str, str | bool] = {}  # option letter (or 'W key') -> value
        self.resources: dict[str, str] = {}  # -l name -> value
        self.variables: list[str] = []  # -v lists


def _process(opts: Iterable[Opt], state: _State) -> None:
    """``process_opts``: validate each option in order, exiting at the first bad one like the real qsub."""
    for opt in opts:
        c, arg = opt.letter, opt.arg or ""
        if c == "?":
            raise usage_error("exiting", before=opt.error + "\n")
        if c == "-":
            raise usage_error("a single - is not a valid option")
        if c == "a" and not re.fullmatch(r"(\d\d){2,6}(\.\d\d)?", arg):
            raise usage_error("qsub: illegal -a value")
        if c == "c":
            words = [w.split("=", 1)[0].strip() for w in arg.strip().split(",")]
            if not arg.strip() or any(w not in CHECKPOINT_WORDS for w in words):
                raise usage_error("qsub: illegal -c value")
        if c == "j" and arg not in ("oe", "eo", "n"):
            raise usage_error("qsub: illegal -j value")
        if c == "k" and arg not in ("o", "e", "oe", "eo", "n"):
            raise usage_error("qsub: illegal -k value")
        if c == "m":
            arg = arg.lstrip()
            if not arg or (arg != "n" and any(ch not in "abe" for ch in arg)):
                raise usage_error("qsub: illegal -m value")
        if c == "N" and not check_job_name(arg):
            raise usage_error("qsub: illegal -N value")
        if c == "p":
            value = arg.lstrip()
            body = value[1:] if value[:1] in ("+", "-") else value
            if not body.isdigit() or not -1024 <= int(value) <= 1023:
                raise usage_error("qsub: illegal -p value")
        if c == "x" and "I" not in state.attrs:
            raise usage_error("qsub: '-x' invalid on non-interactive job")
        if c == "P" and not arg:
            raise usage_error("qsub: -P requires a user name")
        if c == "r" and arg not in ("y", "n"):
            raise usage_error("qsub: illegal -r value (y/n)")
        if c == "l":
            pairs = _split_resources(arg)
            if pairs is None or (",procs=" in arg and "nodes=" in arg):
                raise usage_error("qsub: illegal -l value")
            for name, value in pairs:
                state.resources.pop(name, None)
                state.resources[name] = value
        elif c == "W":
            _process_w(arg, state)
        elif c == "v":
            state.variables.append(arg)
        else:
            state.attrs[c] = True if opt.arg is None else arg
    if "J" in state.attrs and "P" not in state.attrs:
        raise usage_error("The -J option can only be used in conjunction with -P")


def _name_value(text: str) -> tuple[str, str] | None:
    """``get_name_value``: ``name = value`` with the value running to the end of the text."""
    if text[:1] in ("=", ""):
        return None
    match = re.fullmatch(r"\s*([^\s=]+)\s*=\s*(.+)", text, re.DOTALL)
    return (match.group(1), match.group(2)) if match else None


_DEPEND = r"[a-z]+:[^,:]+(:[^,:]+)*(,[a-z]+:[^,:]+(:[^,:]+)*)*"


def _process_w(arg: str, state: _State) -> None:
    """``-W name=value``; text without a name is a resource-manager extension ``x=<text>``."""
    text = arg.lstrip()
    if not text:
        raise usage_error("qsub: illegal -W value")
    pair = _name_value(text) or _name_value(f"x={text}")
    if pair is None:
        raise usage_error("qsub: illegal -W value")
    key, value = pair
    if key == "depend" and not re.fullmatch(_DEPEND, value):
        raise usage_error("qsub: illegal -W value")
    state.attrs[f"W {key}"] = value


def parse_array(spec: str) -> tuple[tuple[int, ...], int | None, str]:
    """Torque ``-t`` ``1-10,15%2``: indices from ranges and single numbers, optional ``%slot_limit``."""
    body, pct, limit = spec.partition("%")
    bad = submit_error("Bad Job Array Request", PBSE_BAD_ARRAY_REQ)
    if pct and not (limit.isdigit() and int(limit) > 0):
        raise bad
    indices: list[int] = []
    seen: set[int] = set()
    for token in body.split(","):
        match = re.fullmatch(r"\s*(\d+)(?:-(\d+))?\s*", token)
        if match is None:
            raise bad
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if last < first:
            raise bad
        for i in range(first, last + 1):
            if i not in seen:
                seen.add(i)
                indices.append(i)
    return tuple(indices), (int(limit) if pct else None), spec


def parse_nodes(spec: str) -> tuple[int, int, list[tuple[int, int]]]:
    """``nodes=2:ppn=4+1:ppn=2:gpus=1`` or ``nodes=host1+host2``: total nodes, first ppn, the parts."""
    chunks = ps.nodes_chunks(spec, bad_value("Resource_List.nodes"), strict=True)
    return sum(n for n, _ in chunks), chunks[0][1], chunks


def default_name(script_path: str | None) -> str:
    """The name qsub gives without ``-N``: ``STDIN`` for standard input, else the basename cut to 15."""
    if not script_path or script_path == "-":
        return "STDIN"
    base = script_path.rsplit("/", 1)[-1]
    if not check_job_name(base):
        raise usage_error("qsub: cannot form a valid job name from the script name")
    return base[:DEFAULT_NAME_LENGTH]


def split_command_line(argv: Sequence[str]) -> tuple[list[Opt], list[str]]:
    """getopt over qsub's arguments (a leading ``qsub`` program name is dropped)."""
    args = list(argv)
    if args and os.path.basename(args[0]) == "qsub":
        args = args[1:]
    return pc.getopt(args, OPTSTRING)


def read_submission(script_text: str, argv: Sequence[str]) -> tuple[_State, Request]:
    """Directives first, then the command line (which wins); the options and what they request."""
    cmd_opts, operands = split_command_line(argv)
    prefix = "#PBS"
    for opt in cmd_opts:
        if opt.letter == "C":
            prefix = opt.arg or ""
    state = _State()
    state.attrs["N"] = default_name(operands[0] if operands else None)
    if "\r\n" in script_text:
        raise QsubError(DOS_SCRIPT, 1)
    for options in pc.scan_directives(script_text, prefix):
        opts, _ = pc.getopt(pc.make_argv(options, keep_quotes=True), OPTSTRING)
        _process(opts, state)
    _process(cmd_opts, state)
    if len(operands) > 1:
        raise usage_error("index issues")
    return state, _request(state)


def parse_submission(
    script_text: str, argv: Sequence[str] = (), config: dict[str, Any] | None = None
) -> Allocation:
    """What Torque's qsub understands from a script and its command line (``argv`` may name the script);
    with a cluster ``config``, also the server's queue and node checks.

    Raises DirectiveError with qsub's exact stderr and exit status when the real qsub refuses.
    """
    try:
        req = read_submission(script_text, argv)[1]
        if config is not None:
            from clusterjob_sim.engine.spool import normalize_nodes

            check_site(req, config, normalize_nodes(config))
        return req.allocation()  # type: ignore[no-any-return]
    except QsubError as error:
        raise pc.directive_error(error) from None


def _request(state: _State) -> Request:
    """Turn the merged options into the requested allocation (server-side value checks included)."""
    attrs, res = state.attrs, state.resources
    req = Request()
    req.name = str(attrs["N"])
    if "nodes" in res:
        req.nodes, req.tasks_per_node, _ = parse_nodes(res["nodes"])
    elif "procs" in res:
        if not res["procs"].isdigit() or int(res["procs"]) < 1:
            raise bad_value("Resource_List.procs")
        req.tasks_per_node = int(res["procs"])
    if "ncpus" in res:
        if not res["ncpus"].isdigit() or int(res["ncpus"]) < 1:
            raise bad_value("Resource_List.ncpus")
        if "nodes" not in res and "procs" not in res:
            req.cpus_per_task = int(res["ncpus"])
    if "walltime" in res:
        seconds = pc.parse_time(res["walltime"], max_fields=4)
        if seconds is None:
            raise bad_value("Resource_List.walltime")
        req.walltime_s = seconds
    for key in ("mem", "pmem", "vmem", "pvmem"):
        if key in res and pc.parse_size(res[key]) is None:
            raise bad_value(f"Resource_List.{key}")
    if "mem" in res:  # the whole job's memory
        req.mem_mb_per_node = -(-(pc.parse_size(res["mem"]) or 0) // (req.nodes << 20))
    elif "pmem" in res:  # memory per process
        size = (pc.parse_size(res["pmem"]) or 0) * req.tasks_per_node
        req.mem_mb_per_node = -(-size // (1 << 20))
    ps.request_paths(req, attrs)
    if "d" in attrs:
        req.workdir = str(attrs["d"])
    if "t" in attrs:
        req.array = parse_array(str(attrs["t"]))
    ps.request_extra(req, attrs, res, state.variables, ("N", "q", "o", "e", "d", "t"))
    return req


def check_site(
    req: Request, config: dict[str, Any], nodes: list[dict[str, Any]]
) -> tuple[str, int | None]:
    """The server's checks against its queues and nodes: the queue and the walltime the job gets."""
    queue, qconf, walltime = srv.site_queue(
        req,
        config,
        submit_error("Unknown queue MSG=requested queue not found", PBSE_UNKQUE),
        submit_error(
            "Job exceeds queue resource limits MSG=cannot satisfy queue max walltime requirement",
            PBSE_EXCQRESC,
        ),
    )
    allowed = qconf.get("nodes")
    cores = req.tasks_per_node * req.cpus_per_task
    fit = [n for n in nodes if (allowed is None or n["name"] in allowed) and n["cores"] >= cores]
    if len(fit) < req.nodes:
        raise submit_error(
            # svr_jobfunc.c chk_resc_limits: node_avail_complex() finds no feasible node set [source];
            # the same text and rc 190 seen on real 6.1.3 (docs/reference/real-pbs-build-notes.md)
            "Job exceeds queue resource limits MSG=cannot locate feasible nodes (nodes file is "
            "empty, all systems are busy, or no nodes have the requested feature)",
            PBSE_EXCQRESC,
        )
    return queue, walltime


def resource_list(res: dict[str, str], req: Request, walltime: int | None) -> list[list[str]]:
    """Resource_List as the server keeps it: sorted names, nodect with nodes, walltime HH:MM:SS."""
    shown = dict(res)
    if "nodes" in shown:
        shown["nodect"] = str(req.nodes)
    else:
        shown.setdefault("nodes", "1")
        shown.setdefault("nodect", "1")
    return ps.sorted_resources(shown, walltime)

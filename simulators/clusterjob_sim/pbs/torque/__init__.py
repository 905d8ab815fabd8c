"""The fake Torque: ``qsub``, ``qstat``, ``qdel`` over the shared engine, answering as Torque does.

Modelled on Torque's qsub_functions.c, qstat.c and qdel.c: directives are read first and the command line
overrides them; errors are the real texts with the real exit codes (PBS error numbers & 0xFF, OpenPBS
numbering). Import-light: stdlib only at the top, no dataclasses (the bin scripts must start fast).
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

NAME = "torque"
COMMANDS = {
    "qsub": "clusterjob_sim.pbs.torque:qsub",
    "qstat": "clusterjob_sim.pbs.torque.qstat:qstat",
    "qdel": "clusterjob_sim.pbs.torque:qdel",
}
SUBMIT_COMMANDS = ("qsub",)
DEFAULT_CONFIG: dict[str, Any] = {
    "keep_finished_s": 300,  # keep_completed
    "first_job_id": 0,
    "queues": {"batch": {"max_time_s": None, "default_time_s": 3600, "nodes": None}},
    "default_queue": "batch",
    "torque_version": "6.1.3",
}
PBSE_BADSTATE = 15016
PBSE_BAD_ARRAY_REQ = 15081
PBSE_TIMEOUT = 15083
TRANSIENT_ERRORS = {
    "qsub": ("qsub: cannot connect to server simserver (errno=111) Connection refused", 111),
    "qstat": ("qstat: cannot connect to server simserver (errno=111) Connection refused", 111),
    "qdel": ("qdel: cannot connect to server simserver (errno=111) Connection refused", 111),
    "*": ("{cmd}: cannot connect to server simserver (errno=111) Connection refused", 111),
}
LOST_ANSWER = {"qsub": ("qsub: submit error (Time out)", PBSE_TIMEOUT & 0xFF)}

OPTSTRING = "a:A:b:c:C:d:D:e:EfF:hIj:J:k:l:m:M:nN:o:p:P:q:r:S:t:T:u:v:Vw:W:Xxz-:"
LINESIZE = 77  # qstat.c linesize for prt_attr
USAGE = (
    "usage: qsub [-a date_time] [-A account_string] [-b secs]\n"
    "    [-c [ none | { enabled | periodic | shutdown |\n"
    "    depth=<int> | dir=<path> | interval=<minutes>}... ]\n"
    "    [-C directive_prefix] [-d path] [-D path]\n"
    "    [-e path] [-h] [-I] [-j oe|eo|n] [-k {oe}] [-l resource_list] [-m n|{abe}]\n"
    "    [-M user_list] [-N jobname] [-o path] [-p priority] [-P proxy_user [-J <jobid]]\n"
    "    [-q queue] [-r y|n] [-S path] [-t number_to_submit] [-T type]  [-u user_list]\n"
    "    [-w] path\n"
    "      [-W additional_attributes] [-v variable_list] [-V ] [-x] [-X] [-z] [script]\n"
)
DOS_SCRIPT = "qsub:  script is written in DOS/Windows text format\n"
INTERACTIVE = (
    "qsub:\tstandard input and output must be a terminal for \n\tinteractive job submission\n"
)
CHECKPOINT_WORDS = (
    "n c s u none shutdown periodic enabled interval depth dir".split()  # checkpoint_strings
)
DEFAULT_NAME_LENGTH = 15  # the default job name is the script basename cut to 15 characters


def usage_error(message: str, before: str = "") -> QsubError:
    """``print_qsub_usage_exit``: ``[message]``, a blank line, the usage text, exit 2."""
    return QsubError(f"{before}[{message}]\n\n{USAGE}\n", 2)


def submit_error(text: str, pbs_errno: int) -> QsubError:
    """A submission the server rejects: ``qsub: submit error (<text>)``, exit errno & 0xFF."""
    return QsubError(f"qsub: submit error ({text})\n", pc.exit_code(pbs_errno))


def bad_value(attribute: str) -> QsubError:
    """The server refusing an attribute or resource value [unconfirmed text]."""
    return submit_error(f"Illegal attribute or resource value for {attribute}", pc.PBSE_BADATVAL)


# ---------------------------------------------------------------------------------------------------------
# Reading a submission


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
    chunks = pc.nodes_chunks(spec, bad_value("Resource_List.nodes"), strict=True)
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
    pc.request_paths(req, attrs)
    if "d" in attrs:
        req.workdir = str(attrs["d"])
    if "t" in attrs:
        req.array = parse_array(str(attrs["t"]))
    pc.request_extra(req, attrs, res, state.variables, ("N", "q", "o", "e", "d", "t"))
    return req


# ---------------------------------------------------------------------------------------------------------
# qsub


def qsub(ctx: Context) -> int:
    """``qsub [options] [script]``: submit, print ``<seq>.<server>`` (arrays ``<seq>[].<server>``)."""
    for word in ctx.argv:
        if word in ("--version", "--about"):
            ctx.err.write(f"Version: {ctx.config.get('torque_version', '6.1.3')}\nCommit: sim\n")
            return 0
    return pc.run_qsub(ctx, _qsub)


def _qsub(ctx: Context) -> int:
    """The body of qsub; QsubError carries every refusal."""
    _, operands = split_command_line(ctx.argv)
    script_path = operands[0] if operands else None
    missing = f"qsub: script file '{script_path}' cannot be loaded - No such file or directory\n"
    text = pc.read_script(ctx, script_path, missing)
    state, req = read_submission(text, ctx.argv)
    attrs = state.attrs
    pc.refuse_interactive(attrs, INTERACTIVE)
    config = ctx.config
    engine = ctx.engine
    queue, walltime = check_site(req, config, engine.nodes)
    workdir = None
    if req.workdir is not None:
        workdir = os.path.normpath(os.path.join(ctx.cwd, req.workdir))
        if not os.path.isdir(workdir):
            errno = 2 if not os.path.exists(workdir) else 20
            raise usage_error(
                f"qsub: cannot chdir to '{req.workdir}' errno: {errno} ({os.strerror(errno)})"
            )
    server = pc.server_name(config)
    submit_dir = os.path.join(ctx.cwd, str(attrs["w"])) if "w" in attrs else ctx.cwd
    fields = {
        "queue": queue,
        "nodes": req.nodes,
        "cores_per_node": req.tasks_per_node * req.cpus_per_task,
        "exclusive": 1 if ("n" in attrs or "E" in attrs) else 0,
        "walltime_s": walltime,
        "workdir": workdir or pc.user_home(),
        "submit_dir": submit_dir,
    }
    where = (submit_dir, engine.submit_host, queue, server)
    variables = pc.job_variables(ctx, attrs, state.variables, where, "torque")
    data = {
        "ppn": req.tasks_per_node,
        "resources": _resource_list(state.resources, req, walltime),
        **pc.submit_data(attrs, variables, ctx.argv),
        "init_work_dir": submit_dir,
    }
    return pc.submit_job(ctx, req, attrs, text, fields, data)


def check_site(
    req: Request, config: dict[str, Any], nodes: list[dict[str, Any]]
) -> tuple[str, int | None]:
    """The server's checks against its queues and nodes: the queue and the walltime the job gets."""
    queue, qconf, walltime = pc.site_queue(
        req,
        config,
        submit_error("Unknown queue MSG=requested queue not found", pc.PBSE_UNKQUE),
        submit_error(
            "Job exceeds queue resource limits MSG=cannot satisfy queue max walltime requirement",
            pc.PBSE_EXCQRESC,
        ),
    )
    allowed = qconf.get("nodes")
    cores = req.tasks_per_node * req.cpus_per_task
    fit = [n for n in nodes if (allowed is None or n["name"] in allowed) and n["cores"] >= cores]
    if len(fit) < req.nodes:
        raise submit_error(
            "Job exceeds queue resource limits MSG=cannot locate feasible nodes (nodes file is "
            "empty, all systems are busy, or requested nodes are not available)",
            pc.PBSE_EXCQRESC,
        )
    return queue, walltime


def _resource_list(res: dict[str, str], req: Request, walltime: int | None) -> list[list[str]]:
    """Resource_List as the server keeps it: sorted names, nodect with nodes, walltime HH:MM:SS."""
    shown = dict(res)
    if "nodes" in shown:
        shown["nodect"] = str(req.nodes)
    else:
        shown.setdefault("nodes", "1")
        shown.setdefault("nodect", "1")
    return pc.sorted_resources(shown, walltime)


# ---------------------------------------------------------------------------------------------------------
# The job's environment


def job_launch(job: Job, engine: Engine, script_path: str) -> Launch:
    """How pbs_mom starts the script: login shell, Torque variables, node file, output files."""
    server = pc.server_name(engine.config)
    full_id = pc.job_id_text(job, server)
    ppn = int(job.data.get("ppn") or job.cores_per_node or 1)
    hosts = job.node_names or ["localhost"]
    nodefile = pc.write_nodefile(engine.spool, full_id, [h for h in hosts for _ in range(ppn)])
    variables = {
        "PBS_ENVIRONMENT": "PBS_BATCH",
        "PBS_JOBID": full_id,
        "PBS_JOBNAME": job_name(job),
        "PBS_QUEUE": job.queue,
        "PBS_SERVER": server,
        "PBS_NODEFILE": nodefile,
        "PBS_NODENUM": "0",
        "PBS_TASKNUM": "1",
        "PBS_VNODENUM": "0",
        "PBS_MOMPORT": "15003",
        "PBS_JOBCOOKIE": f"{job.rid:032X}",
        "PBS_NUM_NODES": str(len(hosts)),
        "PBS_NUM_PPN": str(ppn),
        "PBS_NP": str(ppn * len(hosts)),
        "PBS_VERSION": f"TORQUE-{engine.config.get('torque_version', '6.1.3')}",
    }
    if job.walltime_s is not None:
        variables["PBS_WALLTIME"] = str(int(job.walltime_s))
    if job.array_index is not None:
        variables["PBS_ARRAYID"] = str(job.array_index)
    user = pc.user_info(job.uid, job.user)
    return pc.launch(job, script_path, user, variables, "-", cwd_fallback=None)


def job_name(job: Job) -> str:
    """Torque names an array's sub-jobs ``<name>-<index>``."""
    return job.name if job.array_index is None else f"{job.name}-{job.array_index}"


# ---------------------------------------------------------------------------------------------------------
# qstat


def state_letter(job: Job) -> str:
    """Torque job_state: H held, Q queued, R running, C completed (any end)."""
    if job.state == "PENDING":
        return "H" if job.held else "Q"
    if job.state == "RUNNING":
        return "R"
    return "C"


def exit_status(job: Job) -> int | None:
    """The script's exit code; 256+signal when killed (271 after qdel's SIGTERM); the server's own
    JOB_EXEC_* codes when pbs_mom ended it for a limit (-11 walltime, -10 memory)."""
    return pc.exit_status(job, -11, -10)  # JOB_EXEC_OVERLIMIT_WT, JOB_EXEC_OVERLIMIT_MEM


def _array_state(tasks: list[Job]) -> str:
    """The letter of a summarized array: R if any runs, else Q/H if any waits, else C."""
    letters = [state_letter(t) for t in tasks]
    for letter in ("R", "Q", "H"):
        if letter in letters:
            return letter
    return "C"


def job_view(job: Job, engine: Engine, tasks: list[Job] | None = None) -> JobView:
    """Everything qstat shows about one job (or, with ``tasks``, an array's summary ``12[].srv``)."""
    server = pc.server_name(engine.config)
    data = job.data
    now = engine.now()
    view = pc.base_view(
        job,
        server,
        pc.job_outputs(job, "-"),
        name=job_name(job) if tasks is None else job.name,
        init_work_dir=str(data.get("init_work_dir", job.submit_dir)),
    )
    if tasks is not None:
        view.job_id = f"{job.job_id}[].{server}"
        view.state = _array_state(tasks)
        view.array_request = job.array_spec
        view.mtime = max(t.end_time or t.start_time or t.submit_time for t in tasks)
        return view
    view.job_id = pc.job_id_text(job, server)
    view.state = state_letter(job)
    view.mtime = job.end_time or job.start_time or job.submit_time
    if job.array_index is not None:
        view.array_request = job.array_spec
        view.array_index = job.array_index
    if job.start_time is not None:
        ppn = int(data.get("ppn") or 1)
        view.exec_host = "+".join(
            f"{h}/0-{ppn - 1}" if ppn > 1 else f"{h}/0" for h in job.node_names
        )
        view.used = [
            ("cput", "00:00:00"),
            ("energy_used", "0"),
            ("mem", "0kb"),
            ("vmem", "0kb"),
            ("walltime", pc.format_hms(int(job.elapsed(now)))),
        ]
        view.session_id = job.pgid or job.runner_pid or 0
        view.stime = job.start_time
        view.run_count = 1
    if view.state == "C":
        view.exit_status = exit_status(job)
        view.comp_time = job.end_time
    return view


# ---------------------------------------------------------------------------------------------------------
# qdel

QDEL_USAGE = (
    "usage: qdel [{ -a | -c | -p | -t | -W delay | -m message}] [<JOBID>[<JOBID>]|'all'|'ALL']...\n"
)


def qdel(ctx: Context) -> int:
    """``qdel ID...`` (or ``all``): silent on success; unknown ids ``nonexistent job id``, rc 153."""
    opts, operands = pc.getopt(ctx.argv, "acm:pt:W:b:", prog="qdel")
    for opt in opts:  # Torque stops at the first bad option; PBS Pro lists them all
        if opt.letter == "?":
            ctx.err.write(opt.error + "\n" + QDEL_USAGE)
            return 2
    if not operands:
        ctx.err.write(QDEL_USAGE)
        return 2
    return pc.delete_jobs(ctx, operands, qdel_unknown, qdel_finished, everything=("all", "ALL"))


def qdel_unknown(operand: str, full_id: str) -> tuple[str, int]:
    """``qdel`` for an id the server does not know: Torque repeats the operand as typed."""
    return f"qdel: nonexistent job id: {operand}\n", pc.exit_code(pc.PBSE_UNKJOBID)


def qdel_finished(full_id: str) -> tuple[str, int]:
    """``qdel`` for a completed job Torque still keeps."""
    return (
        f"qdel: Request invalid for state of job MSG=invalid state for job - COMPLETE {full_id}\n",
        pc.exit_code(PBSE_BADSTATE),
    )

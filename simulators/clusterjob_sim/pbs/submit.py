"""What both qsubs do with a submission once its options are read: the request, the ``-l nodes=`` parts,
output paths, the script, the job's variables (``PBS_O_*``, ``-v``, ``-V``) and the submission itself."""

from __future__ import annotations

import os
import re

from clusterjob_sim.pbs.common import QsubError, expand_v, format_hms
from clusterjob_sim.pbs.server import server_name

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterable, Sequence
    from typing import Any

    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.pbs.common import Opt


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


def run_qsub(ctx: Context, body: Callable[[Context], int]) -> int:
    """Run a qsub body; a QsubError (the real tool's refusal) becomes its stderr text and exit code."""
    try:
        return body(ctx)
    except QsubError as error:
        ctx.err.write(error.message)
        return error.exit_code


def refuse_interactive(attrs: dict[str, str | bool], message: str) -> None:
    """Refuse ``-I`` (or Torque's ``-W interactive``) with the flavour's `message`, as both qsubs do
    without a terminal (none here)."""
    if "I" in attrs or "W interactive" in attrs:
        raise QsubError(message, 1)


def spellings(opt: Opt) -> list[str]:
    """How the manual names an option qsub got: ``-a``, or one ``-W <attribute>`` per attribute of a
    ``-W`` list; none for ``--`` words (qsub answers them itself)."""
    if opt.letter == "-":
        return []
    if opt.letter == "W":
        names = [item.partition("=")[0].strip() for item in (opt.arg or "").split(",")]
        return [f"-W {name}" for name in names if name] or ["-W"]
    return [f"-{opt.letter}"]


def attribute_spellings(attrs: dict[str, str | bool]) -> list[str]:
    """The manual names of the options a submission set (its directives included)."""
    return [f"-{key}" if len(key) == 1 else f"-W {key[2:]}" for key in attrs]


def refuse_unimplemented(options: Iterable[str], known: Container[str], manual: str) -> None:
    """Refuse the first option of `options` not in `known` (the command's IMPLEMENTED and REFUSED) with
    the simulator's "not implemented" text and qsub's usage status 2. A ``-W`` attribute the `manual`
    module does not list is named as ``-W``."""
    for option in options:
        if option in known:
            continue
        from clusterjob_sim.engine.refusal import not_implemented_text

        if option.startswith("-W "):
            import importlib

            if option not in importlib.import_module(manual).OPTIONS["qsub"]:
                option = "-W"
        raise QsubError(not_implemented_text("qsub", option), 2)


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
        **recorded_attributes(attrs),
    }


def recorded_attributes(attrs: dict[str, str | bool]) -> dict[str, str]:
    """The job attributes qsub only records and qstat -f shows: Mail_Users (-M), Priority (-p),
    Rerunable (-r), Checkpoint (Torque's -c), project (PBS Pro's -P), as the servers encode them."""
    out: dict[str, str] = {}
    if "M" in attrs:
        out["mail_users"] = str(attrs["M"])
    if "p" in attrs:
        out["priority"] = str(int(str(attrs["p"]).strip()))  # decode_l/encode_l: '+5' is 5
    if "r" in attrs:
        out["rerunable"] = "True" if attrs["r"] == "y" else "False"  # encode_b
    if "c" in attrs:
        out["checkpoint"] = str(attrs["c"]).lstrip()
    if "P" in attrs:
        out["project"] = str(attrs["P"])
    return out


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

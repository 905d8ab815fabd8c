"""The fake PBS Pro's ``qsub``: reads the submission (pbspro.options; a script, standard input or
``-- command args``), checks the server's queues and submits; prints ``<seq>.<server>`` unless ``-z``."""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import jobenv as pj
from clusterjob_sim.pbs import submit as ps
from clusterjob_sim.pbs.pbspro.options import (
    check_site,
    chunks_of,
    read_submission,
    resource_list,
    split_command_line,
)
from clusterjob_sim.pbs.pbspro.output import INTERACTIVE, PBS_VERSION

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context


# Options of the manual (manual.py) this qsub acts on as PBS Pro's does; -M, -p, -P and -r are attributes
# the server only records, shown by qstat -f (Mail_Users, Priority, project, Rerunable); -f (no
# background qsub daemon) is how the simulator always submits.
IMPLEMENTED = frozenset(
    {
        *"-A -C -e -f -h -j -J -l -m -M -N -o -p -P -q -r -S -v -V -z --version".split(),
        "-W max_run_subjobs",
    }
)
REFUSED = {
    "-I": "interactive jobs need a terminal; the simulator has none (refused as qsub without a tty)",
    "-X": "X11 forwarding is for interactive jobs only; refused as the real qsub does without -I",
    "-G": "Windows only: qsub on Linux has no -G (the real invalid-option answer)",
}
KNOWN = IMPLEMENTED | set(REFUSED)
MANUAL = "clusterjob_sim.pbs.pbspro.manual"


def main(ctx: Context) -> int:
    """``qsub [options] [script | -- command args]``: print ``<seq>.<server>`` (``<seq>[].<server>``)."""
    if ctx.argv[:1] == ["--version"]:
        ctx.out.write(f"pbs_version = {ctx.config.get('pbs_version', PBS_VERSION)}\n")
        return 0
    return ps.run_qsub(ctx, _submit)


def _submit(ctx: Context) -> int:
    """The body of qsub; QsubError carries every refusal."""
    opts, operands, _ = split_command_line(ctx.argv)
    ps.refuse_unimplemented(pc.options_spelled(opts, ps.spellings), KNOWN, MANUAL)
    command = operands[1:] if operands[:1] == ["--"] else None
    script = None if command is not None else (operands[0] if operands else None)
    if command is not None:
        text = "#!/bin/sh\n" + " ".join(_shell_quote(w) for w in command) + "\n"
    else:
        text = ps.read_script(ctx, script, "qsub: script file:: No such file or directory\n")
    state, req = read_submission(text, ctx.argv)
    attrs = state.attrs
    ps.refuse_unimplemented(ps.attribute_spellings(attrs), KNOWN, MANUAL)  # from the directives
    ps.refuse_interactive(attrs, INTERACTIVE)
    config = ctx.config
    queue, walltime = check_site(req, config)
    where = (ctx.cwd, "", queue, "")  # PBS_O_HOST once the -v check passed and the engine is open
    variables = ps.job_variables(ctx, attrs, state.variables, where, "pbspro", strict=True)
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
        "workdir": pj.user_home(),
        "submit_dir": ctx.cwd,
    }
    data = {
        "chunks": [[ch.count, [list(p) for p in ch.resources]] for ch in chunks],
        "resources": resource_list(res, walltime),
        **ps.submit_data(attrs, variables, ctx.argv),
    }
    return ps.submit_job(ctx, req, attrs, text, fields, data, drop_limit=True)


def _shell_quote(word: str) -> str:
    """A word for the generated ``sh`` script of ``qsub -- command args``."""
    import shlex

    return shlex.quote(word)

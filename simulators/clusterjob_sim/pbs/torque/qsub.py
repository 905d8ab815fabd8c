"""The fake Torque's ``qsub``: reads the submission (torque.options), checks it against the server's queues
and nodes, and submits it; prints ``<seq>.<server>`` (arrays ``<seq>[].<server>``) unless ``-z``."""

from __future__ import annotations

import os

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import jobenv as pj
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs import submit as ps
from clusterjob_sim.pbs.torque.options import (
    check_site,
    read_submission,
    resource_list,
    split_command_line,
    usage_error,
)
from clusterjob_sim.pbs.torque.output import INTERACTIVE

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context


# Options of the manual (manual.py) this qsub acts on as Torque's does; -c, -M, -p and -r are attributes
# the server only records, shown by qstat -f (Checkpoint, Mail_Users, Priority, Rerunable).
IMPLEMENTED = frozenset(
    "-A -c -C -d -e -E -h -j -l -m -M -n -N -o -p -q -r -S -t -v -V -w -z --version".split()
)
REFUSED = {
    "-I": "interactive jobs need a terminal; the simulator has none (refused as qsub without a tty)",
    "-x": "only for interactive jobs (-I), which the simulator refuses; without -I the real usage error",
    "-W interactive": "an interactive job, as -I: refused as qsub without a tty",
}
KNOWN = IMPLEMENTED | set(REFUSED)
MANUAL = "clusterjob_sim.pbs.torque.manual"


def main(ctx: Context) -> int:
    """``qsub [options] [script]``: submit, print ``<seq>.<server>`` (arrays ``<seq>[].<server>``)."""
    for word in ctx.argv:
        if word == "--version":
            ctx.err.write(f"Version: {ctx.config.get('torque_version', '6.1.3')}\nCommit: sim\n")
            return 0
        if word == "--about":
            return ps.run_qsub(ctx, _about)
    return ps.run_qsub(ctx, _submit)


def _about(ctx: Context) -> int:
    """``--about`` prints the build's folders and hosts: not simulated."""
    ps.refuse_unimplemented(["--about"], KNOWN, MANUAL)
    return 0


def _submit(ctx: Context) -> int:
    """The body of qsub; QsubError carries every refusal."""
    opts, operands = split_command_line(ctx.argv)
    ps.refuse_unimplemented(pc.options_spelled(opts, ps.spellings), KNOWN, MANUAL)
    script_path = operands[0] if operands else None
    missing = f"qsub: script file '{script_path}' cannot be loaded - No such file or directory\n"
    text = ps.read_script(ctx, script_path, missing)
    state, req = read_submission(text, ctx.argv)
    attrs = state.attrs
    ps.refuse_unimplemented(ps.attribute_spellings(attrs), KNOWN, MANUAL)  # from the directives
    ps.refuse_interactive(attrs, INTERACTIVE)
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
    server = srv.server_name(config)
    submit_dir = os.path.join(ctx.cwd, str(attrs["w"])) if "w" in attrs else ctx.cwd
    fields = {
        "queue": queue,
        "nodes": req.nodes,
        "cores_per_node": req.tasks_per_node * req.cpus_per_task,
        "exclusive": 1 if ("n" in attrs or "E" in attrs) else 0,
        "walltime_s": walltime,
        "workdir": workdir or pj.user_home(),
        "submit_dir": submit_dir,
    }
    where = (submit_dir, engine.submit_host, queue, server)
    variables = ps.job_variables(ctx, attrs, state.variables, where, "torque")
    data = {
        "ppn": req.tasks_per_node,
        "resources": resource_list(state.resources, req, walltime),
        **ps.submit_data(attrs, variables, ctx.argv),
        "init_work_dir": submit_dir,
    }
    return ps.submit_job(ctx, req, attrs, text, fields, data)

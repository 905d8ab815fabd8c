"""The fake Torque's ``qsub``: reads the submission (torque.options), checks it against the server's queues
and nodes, and submits it; prints ``<seq>.<server>`` (arrays ``<seq>[].<server>``) unless ``-z``."""

from __future__ import annotations

import os

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


def main(ctx: Context) -> int:
    """``qsub [options] [script]``: submit, print ``<seq>.<server>`` (arrays ``<seq>[].<server>``)."""
    for word in ctx.argv:
        if word in ("--version", "--about"):
            ctx.err.write(f"Version: {ctx.config.get('torque_version', '6.1.3')}\nCommit: sim\n")
            return 0
    return ps.run_qsub(ctx, _submit)


def _submit(ctx: Context) -> int:
    """The body of qsub; QsubError carries every refusal."""
    _, operands = split_command_line(ctx.argv)
    script_path = operands[0] if operands else None
    missing = f"qsub: script file '{script_path}' cannot be loaded - No such file or directory\n"
    text = ps.read_script(ctx, script_path, missing)
    state, req = read_submission(text, ctx.argv)
    attrs = state.attrs
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

"""Fake sbcast: copy a file to every node of a job. The simulated nodes share this machine's file system, so one
copy is the copy each node would have; refusals (an existing file without -f, a missing folder) as real sbcast.

Texts seen from the real sbcast 22.05.8 (cjcluster), cited in tests/sim/test_slurm_salloc_sbcast.py.
"""

from __future__ import annotations

import os

from clusterjob_sim.slurm.cmdline import NONE, OPT, REQ, OptionError, read_command_line

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context

# sbcast 22.05 (src/sbcast/opts.c)
SBCAST: dict[str, tuple[str, int]] = {
    "compress": ("C", OPT), "exclude": ("", REQ), "fanout": ("F", REQ), "force": ("f", NONE),
    "help": ("", NONE), "jobid": ("j", REQ), "preserve": ("p", NONE), "send-libs": ("", OPT),
    "size": ("s", REQ), "timeout": ("t", REQ), "usage": ("", NONE), "verbose": ("v", NONE),
    "version": ("V", NONE),
}  # fmt: skip
IMPLEMENTED = frozenset({"-f", "--force", "-j", "--jobid", "-p", "--preserve", "-V", "--version"})
REFUSED: dict[str, str] = {}
USAGE = "Usage: sbcast [-CfFjpstvV] SOURCE DEST\n"
# The environment variables sbcast reads (sbcast(1) ENVIRONMENT VARIABLES): those it acts on, the others
# fail loudly as their options do.
ENV = {"SBCAST_FORCE": "force", "SBCAST_PRESERVE": "preserve", "SBCAST_COMPRESS": "compress",
       "SBCAST_EXCLUDE": "exclude", "SBCAST_FANOUT": "fanout", "SBCAST_SEND_LIBS": "send-libs",
       "SBCAST_SIZE": "size", "SBCAST_TIMEOUT": "timeout"}  # fmt: skip


def main(ctx: Context) -> int:
    """sbcast [OPTIONS] SOURCE DEST"""
    try:
        return _sbcast(ctx)
    except OptionError as e:
        ctx.err.write(e.text)
        return e.exit_code


def _sbcast(ctx: Context) -> int:
    import shutil

    read = read_command_line(ctx, "sbcast", SBCAST, IMPLEMENTED, USAGE, permute=True)
    if isinstance(read, int):
        return read
    found, operands = read
    env_found = [(name, None) for var, name in ENV.items() if var in ctx.environ]
    for var, name in ENV.items():
        if var in ctx.environ and name not in ("force", "preserve"):
            from clusterjob_sim.engine.refusal import not_implemented_text

            ctx.err.write(not_implemented_text("sbcast", f"{var} (--{name})"))
            return 1
    opts = {name: value for name, value in [*env_found, *found]}
    if len(operands) != 2:
        raise OptionError(
            f'Need two file names, have {len(operands)} names\nTry "sbcast --help" for more information',
            1,
        )
    job_text = str(opts.get("jobid") or ctx.environ.get("SLURM_JOB_ID") or "").partition(".")[0]
    if not job_text:
        raise OptionError(
            "sbcast: error: Need a job id to run this command.  Run from within a Slurm job or use the "
            "--jobid option.",
            1,
        )
    source, dest = (os.path.join(ctx.cwd, p) for p in operands)
    try:
        with open(source, "rb"):
            pass
    except OSError as e:
        raise OptionError(f"sbcast: error: Can't open `{operands[0]}`: {e.strerror}", 255) from None
    from clusterjob_sim.slurm.options import strtol

    number = strtol(job_text)[0] or 0  # atoi: "abc" is job 0 (seen)
    job = (
        next((j for j in ctx.engine.jobs([number]) if j.job_id == number), None)
        if number > 0
        else None
    )
    if job is None or job.finished:
        why = (
            "Invalid job id specified"
            if job is None
            else "Job/step already completing or completed"
        )
        raise OptionError(f"sbcast: error: Slurm job {number} lookup error: {why}", 255)
    if job.state != "RUNNING":
        from clusterjob_sim.engine.refusal import not_implemented_text

        raise OptionError(not_implemented_text("sbcast", "--jobid (a pending job)"), 1)
    from clusterjob_sim.engine.hostlist import compress

    nodes = compress(job.node_names)
    import errno

    if os.path.exists(dest) and "force" not in opts:
        code = errno.EEXIST
    elif not os.path.isdir(os.path.dirname(dest)):
        code = errno.ENOENT
    else:
        code = 0
        try:
            if os.path.realpath(source) != os.path.realpath(dest):
                shutil.copyfile(source, dest)
            if "preserve" in opts:
                shutil.copystat(source, dest)
        except OSError as e:
            code = e.errno or errno.EIO
    if code:
        raise OptionError(f"sbcast: error: REQUEST_FILE_BCAST({nodes}): {os.strerror(code)}", code)
    return 0

"""Fake blaunch: start a job's parallel tasks on its hosts (engine.tasks), as LSF's rsh/ssh replacement.

IBM LSF 10.1 blaunch(8): `blaunch [-n] [-u host_file | -z host_name ... | host_name] [-use-login-shell |
-no-shell] command [argument ...]`; "When no host names are specified, LSF runs tasks on all allocated hosts,
one remote task per job slot"; it "can be used only to launch tasks on remote hosts that are part of a job
allocation. It cannot be used as a stand-alone command." Each run is a job step (Engine.start_step) whose
tasks run here, in the job's process group, with their node's environment (`hostname` answers the node).
"""

from __future__ import annotations

import os

from clusterjob_sim.lsf.options import EXIT_FAIL, Refused, refuse_unimplemented

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context
    from clusterjob_sim.engine.jobs import Job

# stdin from /dev/null (-n), the hosts (-u file, -z list, or one host name), and how the command runs
# (through /bin/sh -c by default, the login shell, or no shell).
IMPLEMENTED = frozenset({"-n", "-u", "-z", "-use-login-shell", "-no-shell"})
REFUSED: dict[str, str] = {}

FLAGS = frozenset({"n", "use-login-shell", "no-shell", "h", "V"})
VALUES = frozenset({"u"})

# The simulator's own texts where IBM's manual gives none [unconfirmed]
NOT_IN_JOB = "blaunch: blaunch can only be used inside an LSF job (LSB_JOBID is not set)\n"
USAGE = (
    "Usage: blaunch [-n] [-u host_file | -z host_name ... | host_name] "
    "[-use-login-shell | -no-shell] command [argument ...]\n"
    "       blaunch [-h | -V]\n"
)  # the synopsis of IBM's blaunch(8)


def _job(ctx: Context) -> Job | None:
    """The running job (or array element) this blaunch runs in, from LSB_JOBID and LSB_JOBINDEX."""
    from clusterjob_sim.engine.refusal import is_digits

    jid, index = ctx.environ.get("LSB_JOBID", ""), ctx.environ.get("LSB_JOBINDEX", "0")
    if not is_digits(jid):
        return None
    idx = int(index) if is_digits(index) else 0
    for job in ctx.engine.jobs([int(jid)]):
        if job.job_id == int(jid) and (job.array_index or 0) == idx and job.state == "RUNNING":
            return job
    return None


def parse(argv: list[str], job_hosts: list[str]) -> tuple[dict[str, object], list[str], list[str]]:
    """(options, hosts or [] for every slot, command words) of a blaunch command line; `job_hosts` are the
    names a first word is taken as a host by (the cluster's hosts)."""
    opts: dict[str, object] = {}
    hosts: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-") or arg == "-":
            break
        name = arg[1:]
        if name == "z":
            i += 1
            opts["z"] = True
            # the hosts follow: names of the allocation, or one quoted word holding several
            while i < len(argv) and (argv[i] in job_hosts or " " in argv[i].strip()):
                hosts.extend(argv[i].split())
                i += 1
            continue
        if name in VALUES:
            if i + 1 >= len(argv):
                raise Refused(f"blaunch: option requires an argument -- {name}\n{USAGE}", EXIT_FAIL)
            opts[name] = argv[i + 1]
            i += 2
            continue
        if name in FLAGS:
            opts[name] = True
            i += 1
            continue
        raise Refused(f"blaunch: illegal option -- {name}\n{USAGE}", EXIT_FAIL)  # [unconfirmed]
    words = argv[i:]
    if "z" not in opts and "u" not in opts and len(words) > 1 and words[0] in job_hosts:
        hosts, words = [words[0]], words[1:]  # `blaunch host command`, as `ssh host command`
    return opts, hosts, words


def main(ctx: Context) -> int:
    """blaunch [-n] [-u FILE | -z HOSTS | HOST] [-use-login-shell | -no-shell] COMMAND [ARG...]."""
    from clusterjob_sim.engine.nodes import node_env
    from clusterjob_sim.engine.tasks import Task, run_tasks
    from clusterjob_sim.lsf.output import slot_hosts

    job = None
    try:
        early = [a[1:] for a in ctx.argv if a.startswith("-") and a[1:] in ("h", "V")]
        refusal = refuse_unimplemented("blaunch", early, IMPLEMENTED, REFUSED)
        if refusal is not None:
            raise refusal
        job = _job(ctx)
        if job is None:
            raise Refused(NOT_IN_JOB, EXIT_FAIL)
        allocated = slot_hosts(job)
        cluster_hosts = [n["name"] for n in ctx.engine.nodes]
        opts, hosts, words = parse(ctx.argv, cluster_hosts)
        refusal = refuse_unimplemented("blaunch", list(opts), IMPLEMENTED, REFUSED)
        if refusal is not None:
            raise refusal
        if "u" in opts:
            path = os.path.join(ctx.cwd, str(opts["u"]))
            try:
                with open(path, encoding="utf-8") as f:
                    hosts = [w for line in f for w in line.split()[:1]]
            except OSError as e:
                raise Refused(f"blaunch: {opts['u']}: {e.strerror}\n", EXIT_FAIL) from None
        if not words:
            raise Refused(USAGE, EXIT_FAIL)
        if not hosts:
            hosts = allocated
        outside = [h for h in hosts if h not in allocated]
        if outside:
            raise Refused(  # [unconfirmed] the simulator's text
                f"blaunch: host <{outside[0]}> is not allocated to job <{job.job_id}>\n", EXIT_FAIL
            )
    except Refused as e:
        ctx.err.write(e.message)
        return e.exit_code
    if "no-shell" in opts:
        argv = list(words)
    elif "use-login-shell" in opts:
        import pwd

        shell = pwd.getpwuid(os.getuid()).pw_shell or "/bin/sh"
        argv = [shell, "-l", "-c", " ".join(words)]
    else:
        argv = ["/bin/sh", "-c", " ".join(words)]
    stdin = os.devnull if "n" in opts else "/dev/stdin"  # like rsh: -n reads nothing
    tasks = []
    for rank, host in enumerate(hosts):
        env = node_env(ctx.spool, host, ctx.environ)
        env["LSF_PM_TASKID"] = str(rank + 1)  # [unconfirmed] the task's id as LSF's PIM numbers it
        tasks.append(Task(argv, env, ctx.cwd, host, stdin=stdin))
    engine = ctx.engine
    step = engine.start_step(job, " ".join(words), len(tasks), sorted(set(hosts), key=hosts.index))
    results = run_tasks(tasks)
    codes = [code if not sig else 128 + sig for code, sig in results]
    worst = next((c for c in codes if c), 0)
    first_sig = next((sig for _, sig in results if sig), 0)
    engine.end_step(step, worst if not first_sig else 0, first_sig)
    return worst

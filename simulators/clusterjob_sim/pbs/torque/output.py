"""What the fake Torque prints: qsub's usage and refusals, qstat's tables (default, ``-a``/``-n``), ``-f``
attributes and ``-x`` XML, qdel's errors, and the job view they are printed from.

Texts and layouts follow Torque 6.1.3 (qsub_functions.c, qstat.c, qdel.c); exit codes are PBS error
numbers & 0xFF (OpenPBS numbering). Stdlib only: every command imports this.
"""

from __future__ import annotations

from clusterjob_sim.pbs import common as pc
from clusterjob_sim.pbs import jobenv as pj
from clusterjob_sim.pbs import output as po
from clusterjob_sim.pbs import server as srv
from clusterjob_sim.pbs.common import PBSE_UNKJOBID, QsubError, exit_code
from clusterjob_sim.pbs.output import JobView

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.core import Engine
    from clusterjob_sim.engine.jobs import Job

# Torque 6.1.3's own error numbers: its src/include/pbs_error_db.h counts them from PBSE_FLOOR = 15000 and
# they moved from OpenPBS 2.3's (kept for PBS Pro in pbs/common.py). Exit codes are the number & 0xFF; seen
# on real 6.1.3: unknown queue 172, impossible request 190, qdel of a finished job 170.
PBSE_BADATVAL = 15016
PBSE_BADSTATE = 15018
PBSE_UNKQUE = 15020
PBSE_EXCQRESC = 15038
PBSE_BAD_ARRAY_REQ = 15083
PBSE_TIMEOUT = 15085

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


def submit_error(text: str, pbs_errno: int) -> QsubError:
    """A submission the server rejects: ``qsub: submit error (<text>)``, exit errno & 0xFF."""
    return QsubError(f"qsub: submit error ({text})\n", pc.exit_code(pbs_errno))


def bad_value(attribute: str) -> QsubError:
    """The server refusing an attribute or resource value [unconfirmed text]."""
    return submit_error(f"Illegal attribute or resource value for {attribute}", PBSE_BADATVAL)


# ---------------------------------------------------------------------------------------------------------
# The server's view of a job


def job_name(job: Job) -> str:
    """Torque names an array's sub-jobs ``<name>-<index>``."""
    return job.name if job.array_index is None else f"{job.name}-{job.array_index}"


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
    return po.exit_status(job, -11, -10)  # JOB_EXEC_OVERLIMIT_WT, JOB_EXEC_OVERLIMIT_MEM


def _array_state(tasks: list[Job]) -> str:
    """The letter of a summarized array: R if any runs, else Q/H if any waits, else C."""
    letters = [state_letter(t) for t in tasks]
    for letter in ("R", "Q", "H"):
        if letter in letters:
            return letter
    return "C"


def job_view(job: Job, engine: Engine, tasks: list[Job] | None = None) -> JobView:
    """Everything qstat shows about one job (or, with ``tasks``, an array's summary ``12[].srv``)."""
    server = srv.server_name(engine.config)
    data = job.data
    now = engine.now()
    view = po.base_view(
        job,
        server,
        pj.job_outputs(job, "-"),
        name=job_name(job) if tasks is None else job.name,
        init_work_dir=str(data.get("init_work_dir", job.submit_dir)),
    )
    if tasks is not None:
        view.job_id = f"{job.job_id}[].{server}"
        view.state = _array_state(tasks)
        view.array_request = job.array_spec
        view.mtime = max(t.end_time or t.start_time or t.submit_time for t in tasks)
        return view
    view.job_id = po.job_id_text(job, server)
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
# qstat


QSTAT_USAGE = (
    "usage: \n"
    "                          qstat [-f [-1]] [-W site_specific] [-x] [ job_identifier... |"
    " destination... ]\n"
    "                          qstat [-a|-i|-r|-e] [-u user] [-n [-1]] [-s] [-t] [-G|-M] [-R]"
    " [job_id... | destination...]\n"
    "                          qstat -Q [-f [-1]] [-W site_specific] [ destination... ]\n"
    "                          qstat -q [-G|-M] [ destination... ]\n"
    "                          qstat -B [-f [-1]] [-W site_specific] [ server_name... ]\n"
    "                          qstat -t\n"
)
SUMMARY_HEADER = (
    "Job ID                    Name             User            Time Use S Queue\n"
    "------------------------- ---------------- --------------- -------- - -----\n"
)
QUEUE_HEADER = (
    "Queue              Max    Tot   Ena   Str   Que   Run   Hld   Wat   Trn   Ext T   Cpt\n"
    "----------------   ---   ----    --    --   ---   ---   ---   ---   ---   --- -   ---\n"
)
UNKNOWN_QUEUE = "qstat: Unknown queue MSG=requested queue not found "  # the queue's name follows


def _summary_name(name: str) -> str:
    """A job name for the table: longer than 16 becomes ``...`` and its tail (from a ``/`` if any)."""
    if len(name) <= 16:
        return name
    cut = len(name) - 16 + 3
    slash = name.find("/", cut)
    tail = name[slash:] if slash >= 0 else name[cut:]
    return ("..." + tail)[:16]


def summary_line(job: JobView) -> str:
    """One row of the default ``qstat`` table (``display_job_summary``), trailing padding included."""
    jid = job.job_id[:28] if len(job.job_id) > 22 else job.job_id
    owner = job.owner.split("@", 1)[0][:15]
    cput = dict(job.used).get("cput", "0")[:8]
    queue = job.queue.split("@", 1)[0][:15]
    name = _summary_name(job.name)
    return f"{jid:<25} {name:<16} {owner:<15} {cput:>8} {job.state[:1]:>1} {queue:<15}\n"


def alt_line(job: JobView, nodes: bool, one_line: bool = False, comment: bool = False) -> str:
    """One row of ``qstat -a`` (``altdsp_statjob``), optionally followed by its node list (-n; with
    -1 on the row's own line, host domains cut, `` -- `` before the job runs) and its comment (-s)."""
    res = dict(job.resources)
    tasks = " -- "
    if "nodes" in res:
        total = 0
        for part in res["nodes"].split("+"):
            fields = part.split(":")
            count = int(fields[0]) if fields[0].isdigit() else 1
            ppn = next(
                (int(f[4:]) for f in fields[1:] if f.startswith("ppn=") and f[4:].isdigit()), 1
            )
            total += count * ppn
        tasks = str(total)
    mem = next((res[k] for k in ("mem", "pmem", "vmem") if k in res), " -- ")
    walltime = res.get("walltime", " -- ")
    elapsed = " -- "
    if job.state not in ("Q", "C", "H"):
        elapsed = dict(job.used).get("walltime", "00:00:00")
    line = (
        f"{job.job_id[:23]:<23} {job.owner.split('@')[0][:11]:<11} {job.queue[:8]:<8} "
        f"{job.name[:16]:<16} {str(job.session_id or ' -- ')[:6]:>6} "
        f"{res.get('nodect', ' -- ')[:5]:>5} {tasks[:6]:>6} {mem[:9]:>9} {walltime[:9]:>9} "
        f"{job.state[:1]:>1} {elapsed[:9]:>9}\n"
    )
    if nodes and one_line:  # linesize 65536: no newline after the row; prt_nodes prints the rest
        hosts = "+".join(h.split(".")[0] for h in (job.exec_host or " -- ").split("+"))
        line = line[:-1] + "   " + hosts + "\n"
    elif nodes and job.exec_host:
        line += "   " + job.exec_host + "\n"
    if comment and job.comment:
        line += f"   {job.comment}\n"
    return line


def alt_header(server: str) -> str:
    """The ``qstat -a`` header: server line, then the two column title lines and the dashes."""
    return (
        f"\n{server}: \n"
        "                                                                                  "
        "Req'd       Req'd       Elap\n"
        "Job ID                  Username    Queue    Jobname          SessID  NDS   TSK   "
        "Memory      Time    S   Time\n"
        "----------------------- ----------- -------- ---------------- ------ ----- ------ "
        "--------- --------- - ---------\n"
    )


_FULL_TIME = ("ctime", "mtime", "qtime", "etime", "start_time", "comp_time")


def full_attributes(job: JobView) -> list[tuple[str, str | None, str]]:
    """The attributes ``qstat -f`` lists for a job, in the server's order (``job_attr_def``)."""
    out: list[tuple[str, str | None, str]] = [
        ("Job_Name", None, job.name),
        ("Job_Owner", None, job.owner),
    ]
    out += [("resources_used", r, v) for r, v in job.used]
    out += [
        ("job_state", None, job.state),
        ("queue", None, job.queue),
        ("server", None, job.server),
    ]
    if job.account:
        out.append(("Account_Name", None, job.account))
    out.append(("Checkpoint", None, job.checkpoint))
    if job.ctime is not None:
        out.append(("ctime", None, str(job.ctime)))
    out.append(("Error_Path", None, job.error_path))
    if job.exec_host:
        out.append(("exec_host", None, job.exec_host))
    out += [
        ("Hold_Types", None, "n"),
        ("Join_Path", None, job.join),
        ("Keep_Files", None, "n"),
        ("Mail_Points", None, job.mail_points),
    ]
    if job.mail_users is not None:
        out.append(("Mail_Users", None, job.mail_users))
    if job.mtime is not None:
        out.append(("mtime", None, str(job.mtime)))
    out += [("Output_Path", None, job.output_path), ("Priority", None, job.priority)]
    if job.qtime is not None:
        out.append(("qtime", None, str(job.qtime)))
    out.append(("Rerunable", None, job.rerunable))
    out += [("Resource_List", r, v) for r, v in job.resources]
    if job.session_id is not None:
        out.append(("session_id", None, str(job.session_id)))
    out.append(("Variable_List", None, job.variable_list))
    if job.comment:
        out.append(("comment", None, job.comment))
    if job.etime is not None:
        out.append(("etime", None, str(job.etime)))
    if job.exit_status is not None:
        out.append(("exit_status", None, str(job.exit_status)))
    if job.submit_args:
        out.append(("submit_args", None, job.submit_args))
    if job.array_request is not None:
        out.append(("job_array_request", None, job.array_request))
    if job.array_index is not None:
        out.append(("job_array_id", None, str(job.array_index)))
    if job.stime is not None:
        out += [("start_time", None, str(job.stime)), ("start_count", None, str(job.run_count))]
    out.append(("fault_tolerant", None, "False"))
    if job.comp_time is not None:
        out.append(("comp_time", None, str(job.comp_time)))
    out.append(("job_radix", None, "0"))
    if job.submit_host:
        out.append(("submit_host", None, job.submit_host))
    if job.init_work_dir is not None:
        out.append(("init_work_dir", None, job.init_work_dir))
    out += [(name, None, value) for name, value in job.extra]
    return out


def format_full(job: JobView, linesize: int = LINESIZE) -> str:
    """One job as ``qstat -f`` prints it: ``Job Id:`` line, attribute lines, then a blank line.

    Time attributes go through ctime(), whose own newline ends their line.
    """
    lines = [f"Job Id: {job.job_id}\n"]
    for name, resource, value in full_attributes(job):
        if name in _FULL_TIME:
            lines.append(pc.prt_attr(name, resource, pc.ctime(float(value)) + "\n", linesize))
        else:
            lines.append(pc.prt_attr(name, resource, value, linesize) + "\n")
    lines.append("\n")
    return "".join(lines)


def _xml_escape(text: str) -> str:
    """MXML's escaping of element text."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def format_xml(jobs: list[JobView]) -> str:
    """``qstat -x``: one ``<Data>`` document, a ``<Job>`` per job, resources grouped (``MXML``)."""
    out = ['<?xml version="1.0"?>\n<Data>']
    for job in jobs:
        out.append(f"<Job><Job_Id>{_xml_escape(job.job_id)}</Job_Id>")
        group: str | None = None
        for name, resource, value in full_attributes(job):
            if name in _FULL_TIME:
                value = str(int(float(value)))
            if resource is None:
                if group is not None:
                    out.append(f"</{group}>")
                    group = None
                out.append(f"<{name}>{_xml_escape(value)}</{name}>")
                continue
            if group != name:
                if group is not None:
                    out.append(f"</{group}>")
                out.append(f"<{name}>")
                group = name
            out.append(f"<{resource}>{_xml_escape(value)}</{resource}>")
        if group is not None:
            out.append(f"</{group}>")
        out.append("</Job>")
    out.append("</Data>\n")
    return "".join(out)


def qstat_unknown(full_id: str) -> tuple[str, int]:
    """``qstat`` for an id the server does not know (or no longer keeps)."""
    return f"qstat: Unknown Job Id Error {full_id}\n", exit_code(PBSE_UNKJOBID)


def queue_row(name: str, jobs: list[Job]) -> str:
    """One ``qstat -Q`` row: the queue's jobs per state, completed ones included."""
    counts = count_states(jobs)
    return (
        f"{name[:16]:<16} {0:>5} {sum(counts.values()):>6} {'yes':>5} {'yes':>5} "
        f"{counts['Q']:>5} {counts['R']:>5} {counts['H']:>5} {0:>5} {0:>5} {0:>5} "
        f"{'E':<1} {counts['C']:>5}\n"
    )


def count_states(jobs: list[Job]) -> dict[str, int]:
    """Jobs per Torque state letter."""
    return po.state_counts(jobs, "QRHC", state_letter)


# ---------------------------------------------------------------------------------------------------------
# qdel

QDEL_USAGE = (
    "usage: qdel [{ -a | -c | -p | -t | -W delay | -m message}] [<JOBID>[<JOBID>]|'all'|'ALL']...\n"
)


def qdel_unknown(operand: str, full_id: str) -> tuple[str, int]:
    """``qdel`` for an id the server does not know: Torque repeats the operand as typed."""
    return f"qdel: nonexistent job id: {operand}\n", pc.exit_code(pc.PBSE_UNKJOBID)


def qdel_finished(full_id: str) -> tuple[str, int]:
    """``qdel`` for a completed job Torque still keeps."""
    return (
        f"qdel: Request invalid for state of job MSG=invalid state for job - COMPLETE {full_id}\n",
        pc.exit_code(PBSE_BADSTATE),
    )

"""The fake qconf: the show options clients read (-sql -sq -spl -sp -sel -sh -ss -sconf -sprjl), from the
simulated cluster's config.json. Every option that changes the configuration, and every other show option,
fails loudly as not implemented.

Formats and errors seen on Debian's Grid Engine 8.1.9 (host `vm`, 2026-12-02; see tests/sim/test_sge_qconf.py).
"""

from __future__ import annotations

from clusterjob_sim.engine.refusal import not_implemented_text

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from typing import Any

    from clusterjob_sim.engine.command import Context

IMPLEMENTED = frozenset({"-sql", "-sq", "-spl", "-sp", "-sel", "-sh", "-ss", "-sconf", "-sprjl"})
REFUSED: dict[str, str] = {}
EXIT_ERROR = 1  # seen: every qconf error exits 1
# seen: `qconf -sconf` (global) on Debian's 8.1.9; execd_spool_dir is the simulated cluster's
GLOBAL_CONF = """#global:
execd_spool_dir              {spool}
mailer                       /usr/bin/mail
xterm                        /usr/bin/xterm
load_sensor                  none
prolog                       none
epilog                       none
shell_start_mode             posix_compliant
login_shells                 bash,sh,ksh,csh,tcsh
min_uid                      0
min_gid                      0
user_lists                   none
xuser_lists                  none
projects                     none
xprojects                    none
enforce_project              false
enforce_user                 auto
load_report_time             00:00:40
max_unheard                  00:05:00
reschedule_unknown           00:00:00
loglevel                     log_warning
administrator_mail           root
set_token_cmd                none
pag_cmd                      none
token_extend_time            none
shepherd_cmd                 none
qmaster_params               none
execd_params                 none
reporting_params             accounting=true reporting=false \\
                             flush_time=00:00:15 joblog=false sharelog=00:00:00
finished_jobs                100
gid_range                    65400-65500
qlogin_command               builtin
qlogin_daemon                builtin
rlogin_command               builtin
rlogin_daemon                builtin
rsh_command                  builtin
rsh_daemon                   builtin
max_aj_instances             2000
max_aj_tasks                 75000
max_u_jobs                   0
max_jobs                     0
auto_user_oticket            0
auto_user_fshare             0
auto_user_default_project    none
auto_user_delete_time        86400
delegated_file_staging       false
reprioritize                 0
jsv_url                      none
jsv_allowed_mod              ac,h,i,e,o,j,M,N,p,w
"""
LIMITS = ("rt", "cpu", "fsize", "data", "stack", "core", "rss", "vmem")


def queue_hosts(config: dict[str, Any], queue: str) -> list[str]:
    """The hosts of a queue: its `nodes`, or every node."""
    from clusterjob_sim.engine.spool import normalize_nodes

    names = [n["name"] for n in normalize_nodes(config)]
    spec = (config.get("queues") or {}).get(queue) or {}
    listed = spec.get("nodes") if isinstance(spec, dict) else None
    return [n for n in names if listed is None or n in listed]


def queue_slots(config: dict[str, Any], host: str) -> int:
    """A queue's slots on a host: the host's cores."""
    from clusterjob_sim.engine.spool import normalize_nodes

    return next((int(n["cores"]) for n in normalize_nodes(config) if n["name"] == host), 0)


def _hms(seconds: Any) -> str:
    """A limit as qconf shows it: HH:MM:SS, or INFINITY."""
    if seconds is None:
        return "INFINITY"
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _field(name: str, value: object, width: int) -> str:
    return f"{name:<{width}} {value}\n"


def queue_text(config: dict[str, Any], queue: str) -> str:
    """`qconf -sq QUEUE`: the cluster queue as the simulated cluster has it."""
    hosts = queue_hosts(config, queue)
    slots = [queue_slots(config, h) for h in hosts]
    if len(set(slots)) <= 1:
        slot_text = str(slots[0] if slots else 1)
    else:  # [unconfirmed] the per-host form of a real multi-host install
        slot_text = "1," + ",".join(f"[{h}={n}]" for h, n in zip(hosts, slots, strict=True))
    spec = (config.get("queues") or {}).get(queue) or {}
    pes = " ".join(config.get("parallel_environments") or {}) or "NONE"
    shell = config.get("shell") or "/bin/sh"
    mode = config.get("shell_start_mode") or "posix_compliant"
    rows: list[tuple[str, object]] = [
        ("qname", queue), ("hostlist", " ".join(hosts) or "NONE"), ("seq_no", 0),
        ("load_thresholds", "NONE"), ("suspend_thresholds", "NONE"), ("nsuspend", 1),
        ("suspend_interval", "00:05:00"), ("priority", 0), ("min_cpu_interval", "00:05:00"),
        ("processors", "UNDEFINED"), ("qtype", "BATCH INTERACTIVE"), ("ckpt_list", "NONE"),
        ("pe_list", pes), ("rerun", "FALSE"), ("slots", slot_text), ("tmpdir", "/tmp"),
        ("shell", shell), ("prolog", "NONE"), ("epilog", "NONE"), ("shell_start_mode", mode),
        ("starter_method", "NONE"), ("suspend_method", "NONE"), ("resume_method", "NONE"),
        ("terminate_method", "NONE"), ("notify", "00:00:60"), ("owner_list", "NONE"),
        ("user_lists", "NONE"), ("xuser_lists", "NONE"), ("subordinate_list", "NONE"),
        ("complex_values", "NONE"), ("projects", "NONE"), ("xprojects", "NONE"),
        ("calendar", "NONE"), ("initial_state", "default"),
    ]  # fmt: skip
    for limit in LIMITS:
        hard = (
            _hms(spec.get("max_time_s")) if limit == "rt" and isinstance(spec, dict) else "INFINITY"
        )
        rows += [(f"s_{limit}", "INFINITY"), (f"h_{limit}", hard)]
    return "".join(_field(k, v, 21) for k, v in rows)


def pe_text(name: str, spec: Any) -> str:
    """`qconf -sp PE`: a parallel environment of the simulated cluster."""
    spec = spec if isinstance(spec, dict) else {"allocation_rule": spec}
    rows: list[tuple[str, object]] = [
        ("pe_name", name), ("slots", spec.get("slots", 9999)), ("user_lists", "NONE"),
        ("xuser_lists", "NONE"), ("start_proc_args", "NONE"), ("stop_proc_args", "NONE"),
        ("allocation_rule", spec.get("allocation_rule", "$pe_slots")),
        ("control_slaves", "TRUE" if spec.get("control_slaves") else "FALSE"),
        ("job_is_first_task", "TRUE"), ("urgency_slots", "min"), ("accounting_summary", "FALSE"),
        ("qsort_args", "NONE"),
    ]  # fmt: skip
    return "".join(_field(k, v, 18) for k, v in rows)


def main(ctx: Context) -> int:
    """qconf -sql | -sq Q[,Q] | -spl | -sp PE | -sel | -sh | -ss | -sconf [global] | -sprjl, one or more."""
    from clusterjob_sim.sge.manual import OPTIONS

    kinds = OPTIONS["qconf"]
    args = list(ctx.argv)
    if not args:
        ctx.err.write(
            "qconf: the usage text (qconf without options) is not implemented by the clusterjob simulator\n"
        )
        return EXIT_ERROR
    config = ctx.config
    queues = list(config.get("queues") or {})
    pes: dict[str, Any] = dict(config.get("parallel_environments") or {})
    i = 0
    while i < len(args):
        a = args[i]
        kind = kinds.get(a)
        if kind is None:
            ctx.err.write(f'error: invalid option argument "{a}"\nUsage: qconf -help\n')
            return EXIT_ERROR
        value = args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("-") else None
        if a not in IMPLEMENTED or (a in ("-sq", "-sp") and value is None):
            ctx.err.write(not_implemented_text("qconf", a))
            return EXIT_ERROR
        if a in ("-sq", "-sp", "-sconf") and value is not None:
            i += 1
        i += 1
        if a == "-sql":
            ctx.out.write("".join(f"{q}\n" for q in sorted(queues)))
        elif a == "-spl":
            if not pes:
                ctx.err.write("no parallel environment defined\n")  # [unconfirmed]
                return EXIT_ERROR
            ctx.out.write("".join(f"{p}\n" for p in sorted(pes)))
        elif a == "-sq":
            for queue in (value or "").split(","):
                if queue not in queues:  # seen: the queues before it are printed
                    ctx.err.write(
                        f'No cluster queue or queue instance matches the phrase "{queue}"\n'
                    )
                    return EXIT_ERROR
                ctx.out.write(queue_text(config, queue))
        elif a == "-sp":
            if value not in pes:
                ctx.err.write(
                    f"{value} is not a parallel environment\n"
                )  # seen: also for "mpi,smp"
                return EXIT_ERROR
            ctx.out.write(pe_text(str(value), pes[str(value)]))
        elif a == "-sel":
            ctx.out.write("".join(f"{n['name']}\n" for n in ctx.engine.nodes))
        elif a in ("-sh", "-ss"):  # seen: the master host is the admin and the submit host
            ctx.out.write(ctx.engine.submit_host + "\n")
        elif a == "-sconf":
            rc = _sconf(ctx, value)
            if rc:
                return rc
        elif a == "-sprjl":
            projects = config.get("projects") or []
            if not projects:
                ctx.err.write("no project list defined\n")  # seen
                return EXIT_ERROR
            ctx.out.write("".join(f"{p}\n" for p in projects))
    return 0


def _sconf(ctx: Context, host: str | None) -> int:
    """-sconf [global|HOST]: the global configuration; hosts have no local one."""
    if host in (None, "global"):
        ctx.out.write(GLOBAL_CONF.format(spool=ctx.spool))
        return 0
    assert host is not None
    names = [n["name"] for n in ctx.engine.nodes] + [ctx.engine.submit_host]
    if host in names:
        ctx.err.write(f"configuration {host} not defined\n")  # seen: `qconf -sconf vm`
    else:
        ctx.err.write(f"can't resolve hostname \"{host}\": can't resolve host name\n")  # seen
    return EXIT_ERROR

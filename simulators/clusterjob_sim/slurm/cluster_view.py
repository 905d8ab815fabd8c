"""What `scontrol show` tells of the cluster rather than of jobs: its configuration, partitions, nodes and host
lists (layouts seen on real Slurm 22.05.8). Kept out of scontrol.py so that `scontrol show job`, what clients
call, does not load it.
"""

from __future__ import annotations

import os

from clusterjob_sim.slurm import output as c

TYPE_CHECKING = False  # typing is not imported at run time: every command pays for imports
if TYPE_CHECKING:
    from clusterjob_sim.engine.command import Context

# `scontrol show config` of real Slurm 22.05.8 on the CI machine, key=value in its order; the {fields} are the
# simulated cluster's (its config.json: cluster_name, keep_finished_s, first_job_id, enforce_part_limits,
# kill_wait_s, extern_step, accounting; its nodes and job ids)
CONFIG = """\
AccountingStorageBackupHost=(null)
AccountingStorageEnforce=none
AccountingStorageHost=localhost
AccountingStorageExternalHost=(null)
AccountingStorageParameters=(null)
AccountingStoragePort=6819
AccountingStorageTRES=cpu,mem,energy,node,billing,fs/disk,vmem,pages
AccountingStorageType={accounting}
AccountingStorageUser=N/A
AccountingStoreFlags=(null)
AcctGatherEnergyType=acct_gather_energy/none
AcctGatherFilesystemType=acct_gather_filesystem/none
AcctGatherInterconnectType=acct_gather_interconnect/none
AcctGatherNodeFreq=0 sec
AcctGatherProfileType=acct_gather_profile/none
AllowSpecResourcesUsage=No
AuthAltTypes=(null)
AuthAltParameters=(null)
AuthInfo=(null)
AuthType=auth/munge
BatchStartTimeout=10 sec
BcastExclude=/lib,/usr/lib,/lib64,/usr/lib64
BcastParameters=(null)
BOOT_TIME={boot}
BurstBufferType=(null)
CliFilterPlugins=(null)
ClusterName={cluster}
CommunicationParameters=(null)
CompleteWait=0 sec
CoreSpecPlugin=core_spec/none
CpuFreqDef=Unknown
CpuFreqGovernors=OnDemand,Performance,UserSpace
CredType=cred/munge
DebugFlags=(null)
DefMemPerNode=UNLIMITED
DependencyParameters=(null)
DisableRootJobs=No
EioTimeout=60
EnforcePartLimits={enforce}
Epilog=(null)
EpilogMsgTime=2000 usec
EpilogSlurmctld=(null)
ExtSensorsType=ext_sensors/none
ExtSensorsFreq=0 sec
FederationParameters=(null)
FirstJobId={first_id}
GetEnvTimeout=2 sec
GresTypes=(null)
GpuFreqDef=high,memory=high
GroupUpdateForce=1
GroupUpdateTime=600 sec
HASH_VAL=Match
HealthCheckInterval=0 sec
HealthCheckNodeState=ANY
HealthCheckProgram=(null)
InactiveLimit=0 sec
InteractiveStepOptions=--interactive --preserve-env --pty $SHELL
JobAcctGatherFrequency=30
JobAcctGatherType=jobacct_gather/none
JobAcctGatherParams=(null)
JobCompHost=localhost
JobCompLoc=/var/log/slurm_jobcomp.log
JobCompPort=0
JobCompType=jobcomp/none
JobCompUser=root
JobContainerType=job_container/none
JobCredentialPrivateKey=(null)
JobCredentialPublicCertificate=(null)
JobDefaults=(null)
JobFileAppend=0
JobRequeue=1
JobSubmitPlugins=(null)
KillOnBadExit=0
KillWait={kill_wait} sec
LaunchParameters=(null)
LaunchType=launch/slurm
Licenses=(null)
LogTimeFormat=iso8601_ms
MailDomain=(null)
MailProg=/bin/mail
MaxArraySize={max_array}
MaxDBDMsgs=20004
MaxJobCount=10000
MaxJobId=67043328
MaxMemPerNode=UNLIMITED
MaxNodeCount={node_count}
MaxStepCount=40000
MaxTasksPerNode=512
MCSPlugin=mcs/none
MCSParameters=(null)
MessageTimeout=10 sec
MinJobAge={min_job_age} sec
MpiDefault=none
MpiParams=(null)
MULTIPLE_SLURMD=Yes
NEXT_JOB_ID={next_id}
NodeFeaturesPlugins=(null)
OverTimeLimit=0 min
PluginDir=/usr/lib/x86_64-linux-gnu/slurm-wlm
PlugStackConfig=(null)
PowerParameters=(null)
PowerPlugin=
PreemptMode=OFF
PreemptType=preempt/none
PreemptExemptTime=00:00:00
PrEpParameters=(null)
PrEpPlugins=prep/script
PriorityParameters=(null)
PrioritySiteFactorParameters=(null)
PrioritySiteFactorPlugin=(null)
PriorityType=priority/basic
PrivateData=none
ProctrackType=proctrack/linuxproc
Prolog=(null)
PrologEpilogTimeout=65534
PrologSlurmctld=(null)
PrologFlags={prolog_flags}
PropagatePrioProcess=0
PropagateResourceLimits=ALL
PropagateResourceLimitsExcept=(null)
RebootProgram=(null)
ReconfigFlags=(null)
RequeueExit=(null)
RequeueExitHold=(null)
ResumeFailProgram=(null)
ResumeProgram=(null)
ResumeRate=300 nodes/min
ResumeTimeout=60 sec
ResvEpilog=(null)
ResvOverRun=0 min
ResvProlog=(null)
ReturnToService=2
RoutePlugin=route/default
SchedulerParameters=(null)
SchedulerTimeSlice=30 sec
SchedulerType=sched/backfill
ScronParameters=(null)
SelectType=select/cons_tres
SelectTypeParameters=CR_CORE
SlurmUser=root(0)
SlurmctldAddr=(null)
SlurmctldDebug=info
SlurmctldHost[0]={host}
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmctldPort=6817
SlurmctldSyslogDebug=(null)
SlurmctldPrimaryOffProg=(null)
SlurmctldPrimaryOnProg=(null)
SlurmctldTimeout=120 sec
SlurmctldParameters=(null)
SlurmdDebug=info
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmdParameters=(null)
SlurmdPidFile=/run/slurmd.pid
SlurmdPort=6818
SlurmdSpoolDir=/var/spool/slurmd
SlurmdSyslogDebug=(null)
SlurmdTimeout=300 sec
SlurmdUser=root(0)
SlurmSchedLogFile=(null)
SlurmSchedLogLevel=0
SlurmctldPidFile=/run/slurmctld.pid
SlurmctldPlugstack=(null)
SLURM_CONF=/etc/slurm/slurm.conf
SLURM_VERSION=22.05.8
SrunEpilog=(null)
SrunPortRange=0-0
SrunProlog=(null)
StateSaveLocation=/var/spool/slurmctld
SuspendExcNodes=(null)
SuspendExcParts=(null)
SuspendProgram=(null)
SuspendRate=60 nodes/min
SuspendTime=INFINITE
SuspendTimeout=30 sec
SwitchParameters=(null)
SwitchType=switch/none
TaskEpilog=(null)
TaskPlugin=task/none
TaskPluginParam=(null type)
TaskProlog=(null)
TCPTimeout=2 sec
TmpFS=/tmp
TopologyParam=(null)
TopologyPlugin=topology/none
TrackWCKey=No
TreeWidth=50
UsePam=No
UnkillableStepProgram=(null)
UnkillableStepTimeout=60 sec
VSizeFactor=0 percent
WaitTime=0 sec
X11Parameters=(null)
"""


def show_hosts(ctx: Context, entity: str, arg: str | None) -> int:
    """hostnames: one name a line, of ARG or else $SLURM_NODELIST (real 22.05.8 reads that variable, not the
    SLURM_JOB_NODELIST its manual names: seen); hostlist/hostlistsorted: the ranged form of ARG."""
    if arg is None and entity != "hostnames":
        ctx.err.write("invalid encode argument\n")  # seen, then the usage text [not printed here]
        return 1
    text = arg if arg is not None else ctx.environ.get("SLURM_NODELIST", "")
    try:
        names = expand_hostlist(text)
    except HostlistError as e:
        ctx.err.write(e.text)
        return 0  # seen: rc 0
    if not names:
        ctx.err.write("scontrol: error: host list is empty\n")  # seen, rc 0
        return 0
    if entity == "hostnames":
        ctx.out.write("".join(f"{n}\n" for n in names))
    else:
        ctx.out.write(
            ranged(sorted(names, key=_host_key) if entity == "hostlistsorted" else names) + "\n"
        )
    return 0


class HostlistError(Exception):
    """A host list real scontrol refuses: its stderr text."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def expand_hostlist(text: str) -> list[str]:
    """The names of a Slurm host list (`a[1-3,7],b01`, blanks or commas between items), in order, as
    scontrol show hostnames prints them (seen: a[01-3] -> a01 a02 a03; a[3-1] and a[x] are invalid ranges;
    text after ']' makes the list invalid)."""
    items, depth, word = [], 0, ""
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if depth == 0 and (ch == "," or ch in " \t\n"):
            items.append(word)
            word = ""
        else:
            word += ch
    items.append(word)
    invalid = f"Invalid hostlist: {text}\n"
    names: list[str] = []
    for item in filter(None, items):
        if "[" not in item and "]" not in item:
            names.append(item)
            continue
        prefix, _, rest = item.partition("[")
        body, closed, suffix = rest.partition("]")
        if not closed or suffix or "[" in body:
            # [difference: real scontrol expands two bracket groups (a[1-2][3-4]) and prints odd names for
            # an unclosed one; the simulator calls both invalid]
            raise HostlistError(invalid)
        for part in body.split(","):
            lo, dash, hi = part.partition("-")
            hi = hi if dash else lo
            if not (lo.isascii() and lo.isdigit() and hi.isascii() and hi.isdigit()) or int(
                hi
            ) < int(lo):
                raise HostlistError(
                    f"scontrol: error: _parse_single_range: Invalid range: `{part}'\n{invalid}"
                )
            names.extend(f"{prefix}{n:0{len(lo)}d}" for n in range(int(lo), int(hi) + 1))
    return names


def _host_key(name: str) -> tuple[str, int, int]:
    i = len(name)
    while i > 0 and name[i - 1].isdigit():
        i -= 1
    return name[:i], len(name) - i, int(name[i:] or -1)


def ranged(names: list[str]) -> str:
    """hostlist_ranged_string: runs of one prefix (and digit count) in order, as real scontrol show hostlist
    writes them (seen: n3,n1,n2,m1,n4 -> n[3,1-2],m1,n4; sorted n1,n1,n3 -> n[1,1,3])."""
    groups: list[tuple[str, int, list[int]]] = []
    for name in names:
        prefix, width, number = _host_key(name)
        if groups and groups[-1][0] == prefix and groups[-1][1] == width and width:
            groups[-1][2].append(number)
        else:
            groups.append((prefix, width, [number] if width else []))
    parts = []
    for prefix, width, numbers in groups:
        if not width:
            parts.append(prefix)
        elif len(numbers) == 1:
            parts.append(f"{prefix}{numbers[0]:0{width}d}")
        else:
            runs: list[str] = []
            start = prev = numbers[0]
            for n in [*numbers[1:], None]:
                if n is not None and n == prev + 1:
                    prev = n
                    continue
                runs.append(f"{start:0{width}d}" + ("" if start == prev else f"-{prev:0{width}d}"))
                if n is not None:
                    start = prev = n
            parts.append(f"{prefix}[{','.join(runs)}]")
    return ",".join(parts)


def show_config(ctx: Context) -> int:
    """`show config`: the real layout (`Configuration data as of DATE`, `%-23s = %s` lines, a blank line,
    the controller's state) with the simulated cluster's values."""
    import time

    from clusterjob_sim.slurm.options import MAX_ARRAY_SIZE

    engine, cfg = ctx.engine, ctx.config
    host = engine.submit_host.split(".")[0]
    try:
        boot = os.path.getmtime(os.path.join(ctx.spool, "config.json"))
    except OSError:
        boot = engine.now()
    values = {
        "accounting": "accounting_storage/slurmdbd" if cfg.get("accounting", True) else "accounting_storage/none",
        "boot": c.date(boot),
        "cluster": cfg.get("cluster_name", ""),
        "enforce": cfg.get("enforce_part_limits", "NO"),
        "first_id": cfg.get("first_job_id", 1),
        "kill_wait": int(cfg.get("kill_wait_s", 2)),
        "max_array": MAX_ARRAY_SIZE,
        "node_count": len(engine.nodes),
        "min_job_age": int(cfg.get("keep_finished_s", 300)),
        "next_id": max(engine.max_job_id() + 1, int(cfg.get("first_job_id", 1))),
        "prolog_flags": "Contain" if cfg.get("extern_step") else "(null)",
        "host": host,
    }  # fmt: skip
    lines = [
        f"Configuration data as of {time.strftime('%Y-%m-%dT%H:%M:%S', time.localtime(engine.now()))}"
    ]
    for line in CONFIG.format(**values).splitlines():
        key, _, value = line.partition("=")
        lines.append(f"{key:<23} = {value}")
    lines += ["", f"Slurmctld(primary) at {host} is UP"]
    ctx.out.write("\n".join(lines) + "\n")
    return 0


def _records(ctx: Context, records: list[list[str]], one_liner: bool) -> None:
    """Records as scontrol prints them: lines indented by 3 and a blank line after each; with -o each on one
    line, its lines joined by blanks (seen)."""
    if one_liner:
        ctx.out.write("".join(" ".join(r) + "\n" for r in records))
    else:
        ctx.out.write("".join("\n   ".join(r) + "\n\n" for r in records))


def _limit_text(seconds: float | None, none: str) -> str:
    if seconds is None:
        return none
    return c.hms(max(1, -(-int(seconds) // 60)) * 60)


def show_partitions(ctx: Context, name: str | None, one_liner: bool) -> int:
    """`show partition [NAME]` (layout seen on real 22.05.8; limits and nodes from the simulated queues)."""
    engine, cfg = ctx.engine, ctx.config
    queues = cfg.get("queues", {})
    if name is not None and name not in queues:
        ctx.err.write(f"Partition {name} not found\n")  # seen, rc 1
        return 1
    records = []
    for part, queue in queues.items():
        if name is not None and part != name:
            continue
        queue = queue or {}
        members = [n for n in engine.nodes if not queue.get("nodes") or n["name"] in queue["nodes"]]
        cpus = sum(n["cores"] for n in members)
        mem = sum(n["mem_mb"] for n in members)
        max_nodes = queue.get("max_nodes")
        records.append([
            f"PartitionName={part}",
            "AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL",
            f"AllocNodes=ALL Default={'YES' if part == cfg.get('default_queue') else 'NO'} QoS=N/A",
            f"DefaultTime={_limit_text(queue.get('default_time_s'), 'NONE')} DisableRootJobs=NO "
            "ExclusiveUser=NO GraceTime=0 Hidden=NO",
            f"MaxNodes={max_nodes if max_nodes is not None else 'UNLIMITED'} "
            f"MaxTime={_limit_text(queue.get('max_time_s'), 'UNLIMITED')} MinNodes=0 LLN=NO "
            "MaxCPUsPerNode=UNLIMITED",
            f"Nodes={ranged([n['name'] for n in members])}",
            "PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=NO",
            "OverTimeLimit=NONE PreemptMode=OFF",
            f"State=UP TotalCPUs={cpus} TotalNodes={len(members)} SelectTypeParameters=NONE",
            "JobDefaults=(null)",
            "DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED",
            f"TRES=cpu={cpus},mem={mem}M,node={len(members)},billing={cpus}",
        ])  # fmt: skip
    _records(ctx, records, one_liner)
    return 0


def show_nodes(ctx: Context, name: str | None, one_liner: bool) -> int:
    """`show node [NAME]` (layout seen on real 22.05.8: CPUs, memory, state and partitions of each simulated
    node; OS is this machine's, load and free memory are not simulated: 0.00 and the node's memory)."""
    engine, cfg = ctx.engine, ctx.config
    names = [n["name"] for n in engine.nodes]
    if name is not None and name not in names:
        ctx.err.write(f"Node {name} not found\n")  # seen, rc 1
        return 1
    used: dict[str, int] = {}
    mem_used: dict[str, int] = {}
    cores = {n["name"]: n["cores"] for n in engine.nodes}
    for job in engine.jobs(states=("RUNNING",)):
        for node in job.node_names:
            used[node] = used.get(node, 0) + (
                cores.get(node, 0) if job.exclusive else job.cores_per_node
            )
            mem_used[node] = mem_used.get(node, 0) + (job.mem_mb_per_node or 0)
    uname = os.uname()
    try:
        boot = c.date(os.path.getmtime(os.path.join(ctx.spool, "config.json")))
    except OSError:
        boot = c.date(engine.now())
    records = []
    for node in engine.nodes:
        if name is not None and node["name"] != name:
            continue
        n = node["name"]
        busy = min(used.get(n, 0), node["cores"])
        state = "IDLE" if busy == 0 else "ALLOCATED" if busy >= node["cores"] else "MIXED"
        parts = [
            p
            for p, q in cfg.get("queues", {}).items()
            if not (q or {}).get("nodes") or n in q["nodes"]
        ]
        alloc = f"cpu={busy}" + (f",mem={mem_used[n]}M" if mem_used.get(n) else "") if busy else ""
        records.append([
            f"NodeName={n} Arch={uname.machine} CoresPerSocket=1 ",
            f"CPUAlloc={busy} CPUEfctv={node['cores']} CPUTot={node['cores']} CPULoad=0.00",
            "AvailableFeatures=(null)",
            "ActiveFeatures=(null)",
            "Gres=(null)",
            f"NodeAddr={n} NodeHostName={n} Version=22.05.8",
            f"OS={uname.sysname} {uname.release} {uname.version} ",
            f"RealMemory={node['mem_mb']} AllocMem={mem_used.get(n, 0)} FreeMem={node['mem_mb']} "
            f"Sockets={node['cores']} Boards=1",
            f"State={state} ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A",
            f"Partitions={','.join(parts)} ",
            f"BootTime={boot} SlurmdStartTime={boot}",
            f"LastBusyTime={boot}",
            f"CfgTRES=cpu={node['cores']},mem={node['mem_mb']}M,billing={node['cores']}",
            f"AllocTRES={alloc}",
            "CapWatts=n/a",
            "CurrentWatts=0 AveWatts=0",
            "ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s",
        ])  # fmt: skip
    _records(ctx, records, one_liner)
    return 0

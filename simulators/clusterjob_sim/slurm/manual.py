"""The real Slurm 22.05.8 user commands and every option their manual pages name, as data.

Read by clusterjob_sim.coverage (simulators/COVERAGE.md) and, on the error path only, by options.refusal to
name a refused option as the manual spells it; never imported when a command starts normally.

Each command's options are written as the manual lists them, in its order: `-x` takes no argument, `-x=` takes
one, `-x[=]` takes an optional one. Where a tag line of the page omits the argument that the option's own text
(and the tool's getopt table) requires, the argument is given here and SOURCES says so. Subcommands (scontrol,
sacctmgr, sreport) are the words the COMMANDS and INTERACTIVE COMMANDS sections name, at most two words.
"""

from __future__ import annotations

_PAGE = "slurm-client 22.05.8-4+deb12u3 (Debian 12), man page usr/share/man/man1/{}.1.gz"
_TEXT = {
    "sbatch": """
        -A= --account= --acctg-freq= -a= --array= --batch= --bb= --bbf= -b= --begin= -D= --chdir=
        --cluster-constraint= -M= --clusters= --comment= -C= --constraint= --container= --contiguous -S=
        --core-spec= --cores-per-socket= --cpu-freq= --cpus-per-gpu= -c= --cpus-per-task= --deadline=
        --delay-boot= -d= --dependency= -m= --distribution= -e= --error= -x= --exclude= --exclusive[=]
        --export= --export-file= -B= --extra-node-info= --get-user-env[=] --gid= --gpu-bind= --gpu-freq=
        -G= --gpus= --gpus-per-node= --gpus-per-socket= --gpus-per-task= --gres= --gres-flags= -h --help
        --hint= -H --hold --ignore-pbs -i= --input= -J= --job-name= --kill-on-invalid-dep= -L= --licenses=
        --mail-type= --mail-user= --mcs-label= --mem= --mem-bind= --mem-per-cpu= --mem-per-gpu=
        --mincpus= --network= --nice[=] -k[=] --no-kill[=] --no-requeue -F= --nodefile= -w= --nodelist=
        -N= --nodes= -n= --ntasks= --ntasks-per-core= --ntasks-per-gpu= --ntasks-per-node=
        --ntasks-per-socket= --open-mode= -o= --output= -O --overcommit -s --oversubscribe --parsable -p=
        --partition= --power= --prefer= --priority= --profile= --propagate[=] -q= --qos= -Q --quiet
        --reboot --requeue --reservation= --signal= --sockets-per-node= --spread-job --switches=
        --test-only --thread-spec= --threads-per-core= -t= --time= --time-min= --tmp= --uid= --usage
        --use-min-nodes -v --verbose -V --version -W --wait --wait-all-nodes= --wckey= --wrap=
    """,
    "squeue": """
        -A= --account= -a --all -r --array --array-unique -M= --clusters= --federation -o= --format= -l
        --long -s[=] --steps[=] -O= --Format= --help --hide -i= --iterate= -j[=] --jobs[=] -L=
        --licenses= --local --me -n= --name= --noconvert -w= --nodelist= -h --noheader -p= --partition= -P
        --priority -q= --qos= -R= --reservation= --sibling -S= --sort= --start -t= --states= --usage -u=
        --user= -v --verbose -V --version
    """,
    "sacct": """
        -A= --accounts= -L --allclusters -X --allocations -a --allusers -x= --associations= -B
        --batch-script -b --brief -M= --clusters= -c --completion -C= --constraints= --delimiter= -D
        --duplicates -E= --endtime= --env-vars --federation -f= --file= -F= --flags= -o= --format= -g=
        --gid= --group= -h --help -e --helpformat -j= --jobs= --json --local -l --long --name= -i=
        --nnodes= -I= --ncpus= --noconvert -N= --nodelist= -n --noheader -p --parsable -P --parsable2 -r=
        --partition= -q= --qos= -R= --reason= -S= --starttime= -s= --state= -K= --timelimit-max= -k=
        --timelimit-min= -T --truncate -u= --uid= --user= --units= --usage --use-local-uid -v --verbose -V
        --version -W= --wckeys= --whole-hetjob[=] --yaml
    """,
    "scancel": """
        -A= --account= -b --batch -M= --clusters= --ctld -f --full --help -H --hurry -i --interactive -n=
        --jobname= --name= --me -w= --nodelist= -p= --partition= -q= --qos= -Q --quiet -R= --reservation=
        --sibling= -s= --signal= -t= --state= --usage -u= --user= -v --verbose -V --version --wckey=
    """,
    "scontrol": """
        -a --all -M= --clusters= -d --details --federation -F --future -h --help --hide --local -o
        --oneliner -Q --quiet --sibling -u= --uid= -v --verbose -V --version
    """,
    "sinfo": """
        -a --all -M= --clusters= -d --dead -e --exact --federation -o= --format= -O= --Format= --help
        --hide -i= --iterate= -R --list-reasons --local -l --long --noconvert -N --Node -n= --nodes= -h
        --noheader -p= --partition= -T --reservation -r --responding -S= --sort= -t= --states= -s
        --summarize --usage -v --verbose -V --version
    """,
    "srun": """
        --accel-bind= -A= --account= --acctg-freq= --bb= --bbf= --bcast[=] --bcast-exclude= -b= --begin=
        -D= --chdir= --cluster-constraint= -M= --clusters= --comment= --compress[=] -C= --constraint=
        --container= --contiguous -S= --core-spec= --cores-per-socket= --cpu-bind= --cpu-freq=
        --cpus-per-gpu= -c= --cpus-per-task= --deadline= --delay-boot= -d= --dependency= -X
        --disable-status -m= --distribution= --epilog= -e= --error= --exact -x= --exclude= --exclusive[=]
        --export= -B= --extra-node-info= --gid= --gpu-bind= --gpu-freq= -G= --gpus= --gpus-per-node=
        --gpus-per-socket= --gpus-per-task= --gres= --gres-flags= -h --help --het-group= --hint= -H
        --hold -I[=] --immediate[=] -i= --input= -J= --job-name= --jobid= -K[=] --kill-on-bad-exit[=] -l
        --label -L= --licenses= --mail-type= --mail-user= --mcs-label= --mem= --mem-bind= --mem-per-cpu=
        --mem-per-gpu= --mincpus= --mpi= --msg-timeout= --multi-prog --network= --nice[=] -Z
        --no-allocate -k[=] --no-kill[=] -F= --nodefile= -w= --nodelist= -N= --nodes= -n= --ntasks=
        --ntasks-per-core= --ntasks-per-gpu= --ntasks-per-node= --ntasks-per-socket= --open-mode= -o=
        --output= -O --overcommit --overlap -s --oversubscribe -p= --partition= --power= --prefer= -E
        --preserve-env --priority= --profile= --prolog= --propagate[=] --pty -q= --qos= -Q --quiet
        --quit-on-interrupt --reboot -r= --relative= --reservation= --resv-ports[=] --send-libs[=]
        --signal= --slurmd-debug= --sockets-per-node= --spread-job --switches= --task-epilog=
        --task-prolog= --test-only --thread-spec= -T= --threads= --threads-per-core= -t= --time=
        --time-min= --tmp= --uid= -u --unbuffered --usage --use-min-nodes -v --verbose -V --version -W=
        --wait= --wckey= --x11[=]
    """,
    "salloc": """
        -A= --account= --acctg-freq= --bb= --bbf= --begin= --bell -D= --chdir= --cluster-constraint= -M=
        --clusters= --comment= -C= --constraint= --container= --contiguous -S= --core-spec=
        --cores-per-socket= --cpu-freq= --cpus-per-gpu= -c= --cpus-per-task= --deadline= --delay-boot= -d=
        --dependency= -m= --distribution= -x= --exclude= --exclusive[=] -B= --extra-node-info=
        --get-user-env[=] --gid= --gpu-bind= --gpu-freq= -G= --gpus= --gpus-per-node= --gpus-per-socket=
        --gpus-per-task= --gres= --gres-flags= -h --help --hint= -H --hold -I[=] --immediate[=] -J=
        --job-name= -K[=] --kill-command[=] -L= --licenses= --mail-type= --mail-user= --mcs-label= --mem=
        --mem-bind= --mem-per-cpu= --mem-per-gpu= --mincpus= --network= --nice[=] --no-bell -k[=]
        --no-kill[=] --no-shell -F= --nodefile= -w= --nodelist= -N= --nodes= -n= --ntasks=
        --ntasks-per-core= --ntasks-per-gpu= --ntasks-per-node= --ntasks-per-socket= -O --overcommit -s
        --oversubscribe -p= --partition= --power= --prefer= --priority= --profile= -q= --qos= -Q --quiet
        --reboot --reservation= --signal= --sockets-per-node= --spread-job --switches= --thread-spec=
        --threads-per-core= -t= --time= --time-min= --tmp= --uid= --usage --use-min-nodes -v --verbose -V
        --version --wait-all-nodes= --wckey= --x11[=]
    """,
    "sbcast": """
        -C[=] --compress[=] --exclude= -F= --fanout= -f --force -j= --jobid= -p --preserve --send-libs[=]
        -s= --size= -t= --timeout= -v --verbose -V --version
    """,
    "sattach": """
        --error-filter= -h --help --input-filter= -l --label --layout --output-filter= --pty -Q --quiet -u
        --usage -V --version -v --verbose
    """,
    "sstat": """
        -a --allsteps -o= --format= --fields= -h --help -e --helpformat -j= --jobs= --noconvert -n
        --noheader -p --parsable -P --parsable2 -i --pidformat --usage -v --verbose -V --version
    """,
    "sprio": """
        -M= --clusters= --federation -o= --format= -l --long --help -j= --jobs= --local -h --noheader -n
        --norm -p= --partition= --sibling -S= --sort= --usage -u= --user= -v --verbose -V --version -w
        --weights
    """,
    "sshare": """
        -A= --accounts= -a --all -M= --clusters= -o= --format= --help -l --long -n --noheader -p
        --parsable -P --parsable2 -m --partition --usage -u= --users= -U --Users -v --verbose -V --version
    """,
    "strigger": """
        -C --backup_slurmctld_assumed_control -B --backup_slurmctld_failure -c
        --backup_slurmctld_resumed_operation --burst_buffer --clear -M= --clusters= -d --down -D --drained
        -F --fail -f --fini --flags= --front_end --get -i= --id= -I --idle -j= --jobid= -n[=] --node[=] -N
        --noheader -o= --offset= -h --primary_database_failure -H --primary_database_resumed_operation -g
        --primary_slurmdbd_failure -G --primary_slurmdbd_resumed_operation -e
        --primary_slurmctld_acct_buffer_full -a --primary_slurmctld_failure -b
        --primary_slurmctld_resumed_control -A --primary_slurmctld_resumed_operation -p= --program= -Q
        --quiet -r --reconfig --set -t --time -u --up --user= -v --verbose -V --version
    """,
    "sreport": """
        -a --all_clusters -M= --cluster= --federation -h --help --local -n --noheader -p --parsable -P
        --parsable2 -Q --quiet -t= -T= --tres= -v --verbose -V --version
    """,
    "sacctmgr": """
        -s --associations -h --help -i --immediate -n --noheader -p --parsable -P --parsable2 -Q --quiet
        -r --readonly -v --verbose -V --version
    """,
    "sdiag": """
        -a --all -M= --cluster= -h --help -r --reset -i --sort-by-id -t --sort-by-time -T --sort-by-time2
        --usage -V --version
    """,
}
_SHOW = ("aliases assoc_mgr bbstat burstbuffer config daemons dwstat federation frontend hostlist "
         "hostlistsorted hostnames job licenses node partition reservation slurmd step topology")  # fmt: skip
_SUBCOMMANDS = {
    "scontrol": (
        "abort", "cancel_reboot", "cluster", "create", "completing", "delete", "errnumstr",
        "fsdampeningfactor", "help", "hold", "notify", "pidinfo", "listpids", "ping", "reboot",
        "reconfigure", "release", "requeue", "requeuehold", "resume", "schedloglevel", "setdebug",
        "setdebugflags", *(f"show {entity}" for entity in _SHOW.split()), "shutdown", "suspend",
        "takeover", "top", "token", "uhold", "update", "version", "wait_job", "write batch_script",
        "write config",
        # INTERACTIVE COMMANDS
        "all", "details", "exit", "hide", "oneliner", "quiet", "quit", "verbose", "!!",
    ),
    "sacctmgr": (
        "add", "archive dump", "archive load", "clear stats", "create", "delete", "dump", "help", "list",
        "load", "modify", "reconfigure", "remove", "show", "shutdown", "version",
        # INTERACTIVE COMMANDS
        "exit", "quiet", "quit", "verbose", "!!",
    ),
    "sreport": (
        "cluster AccountUtilizationByUser", "cluster UserUtilizationByAccount",
        "cluster UserUtilizationByWCKey", "cluster Utilization", "cluster WCKeyUtilizationByUser",
        "job SizesByAccount", "job SizesByAccountAndWckey", "job SizesByWckey", "reservation Utilization",
        "user TopUsage",
        # COMMANDS that change the session
        "exit", "help", "nonparsable", "parsable", "parsable2", "quiet", "quit", "time", "verbose",
        "version", "!!",
    ),
}  # fmt: skip
_NOTES = {
    "sacct": "; -o/--format, -r/--partition, -q/--qos, -S/--starttime, -k/--timelimit-min and "
    "-K/--timelimit-max take a value although their tag lines omit it (their text says so, and so does "
    "sacct's getopt table)",
    "squeue": "; -j/--jobs and -s/--steps take an optional value (squeue's getopt table: j:: s::)",
    "sstat": "; -o/--format/--fields and -j/--jobs take a value although their tag lines omit it",
    "sreport": "; -M/--cluster takes a value although its tag line omits it; subcommands: the reports of "
    "REPORT DESCRIPTION (type and report) and the session commands of COMMANDS",
    "sattach": "; --error-filter, --input-filter and --output-filter take a value (the page writes [=])",
    "scontrol": "; subcommands: COMMANDS and INTERACTIVE COMMANDS, `show` with each entity it lists",
    "sacctmgr": "; subcommands: COMMANDS (the entity words they take are not listed) and INTERACTIVE "
    "COMMANDS",
    "strigger": " (section ARGUMENTS)",
}


def _parse(text: str) -> dict[str, str]:
    """{option: kind} of one command's option text (see the module doc)."""
    out: dict[str, str] = {}
    for word in text.split():
        if word.endswith("[=]"):
            out[word[:-3]] = "optional"
        elif word.endswith("="):
            out[word[:-1]] = "value"
        else:
            out[word] = "flag"
    return out


SOURCES: dict[str, str] = {cmd: _PAGE.format(cmd) + _NOTES.get(cmd, "") for cmd in _TEXT}
OPTIONS: dict[str, dict[str, str]] = {cmd: _parse(text) for cmd, text in _TEXT.items()}
for _cmd, _words in _SUBCOMMANDS.items():
    OPTIONS[_cmd].update(dict.fromkeys(_words, "subcommand"))

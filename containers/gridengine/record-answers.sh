#!/usr/bin/env bash
# Record what a real Grid Engine answers to the commands clusterjob and its simulator use (qsub, qstat,
# qstat -j, qacct -j, qdel), as a transcript: each command, its stdout, stderr and exit code.
# Run where start-local-gridengine.sh has started Grid Engine; output: docs/recorded/gridengine-<ver>.txt.
set -u
out=$(realpath -m "${1:-/dev/stdout}")
work=$(mktemp -d); cd "$work"
run() {  # run a command and print it with its stdout, stderr and exit code
  local so se rc
  so=$("$@" 2>"$work/err"); rc=$?; se=$(cat "$work/err"); LAST_OUT=$so
  { printf '$'; printf ' %q' "$@"; printf '\n'; [ -n "$so" ] && printf '%s\n' "$so"; [ -n "$se" ] && printf '[stderr]\n%s\n' "$se"; printf '[rc=%s]\n\n' "$rc"; } >>"$out"
}
jid() { grep -o '[0-9][0-9]*' <<<"$LAST_OUT" | head -n 1; }
printf '#!/bin/bash\necho "id=$JOB_ID name=$JOB_NAME task=$SGE_TASK_ID nslots=$NSLOTS nhosts=$NHOSTS queue=$QUEUE env=$ENVIRONMENT pwd=$(pwd)"\nsleep 2\n' > ok.sh
printf '#!/bin/bash\nexit 3\n' > fail.sh
printf '#!/bin/bash\nsleep 300\n' > long.sh
printf '#!/bin/bash\nsleep 300\n' > timeout.sh
printf '#!/bin/bash\necho "task=$SGE_TASK_ID first=$SGE_TASK_FIRST last=$SGE_TASK_LAST step=$SGE_TASK_STEPSIZE"\n' > array.sh
echo "# real Grid Engine $(qstat -help | head -n 1) on $(hostname -s), $(date -u +%F); queue all.q, PEs mpi and smp" >"$out"
echo >>"$out"
run qsub ok.sh; ok=$(jid)
run qsub -terse fail.sh; fail=$(jid)
run qsub -cwd long.sh; long=$(jid)
run qsub -cwd -l h_rt=0:0:5 timeout.sh; timeout=$(jid)
run qsub -cwd -t 1-3:1 -tc 2 array.sh; array=$(jid)
run qsub -cwd -pe mpi 2 ok.sh; pe=$(jid)
run qsub -frobnicate ok.sh
run qsub -cwd missing.sh
run qsub -q nosuchq ok.sh
run qsub -pe nosuchpe 2 ok.sh
run qstat
run qstat -j "$ok"
run qstat -j 99999
sleep 12
run qstat
run qstat -j "$long"
run qdel "$long"
run qdel 99999
sleep 10
run qstat
run qacct -j "$ok"
run qacct -j "$fail"
run qacct -j "$long"
run qacct -j "$timeout"
run qacct -j "$array"
run qacct -j "$pe"
run qacct -j 99999
run cat "$HOME/ok.sh.o$ok"
run cat "$work/ok.sh.o$pe"
for f in "$work"/array.sh.o"$array".*; do run cat "$f"; done

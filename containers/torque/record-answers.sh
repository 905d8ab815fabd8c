#!/usr/bin/env bash
# Record what a real Torque answers to the commands clusterjob and its simulator use (qsub and its refusals,
# qstat, qstat -f, qdel, the job's PBS_* environment and $PBS_NODEFILE, output file names, exit statuses), as a
# transcript: each command, its stdout, stderr and exit code. Run as the jobs' user (qsub refuses root) where
# Torque runs, e.g. in the Torque container:
#   ssh -F /var/tmp/clusterjob-containers/ssh_config clusterjob-torque bash -s < containers/torque/record-answers.sh \
#     > docs/recorded/torque-6.1.3.txt
# Waits poll qstat for a state (never a fixed sleep); each gives up after three minutes.
set -u
out=$(realpath -m "${1:-/dev/stdout}")
work=$(mktemp -d "$HOME/record.XXXXXX"); cd "$work"
run() {  # run a command and print it with its stdout, stderr and exit code
  local so se rc
  so=$("$@" 2>"$work/err"); rc=$?; se=$(cat "$work/err"); LAST_OUT=$so
  { printf '$'; printf ' %q' "$@"; printf '\n'; [ -n "$so" ] && printf '%s\n' "$so"; [ -n "$se" ] && printf '[stderr]\n%s\n' "$se"; printf '[rc=%s]\n\n' "$rc"; } >>"$out"
}
state() { qstat -f "$1" 2>/dev/null | sed -n 's/^ *job_state = //p'; }
wait_state() {  # wait until job $1 is in state $2
  for _ in $(seq 360); do [ "$(state "$1")" = "$2" ] && return 0; sleep 0.5; done
  echo "record-answers: job $1 never reached state $2" >&2
}
printf '#!/bin/bash\necho "id=$PBS_JOBID name=$PBS_JOBNAME queue=$PBS_QUEUE o_host=$PBS_O_HOST o_workdir=$PBS_O_WORKDIR"\nenv | grep ^PBS_ | sort\necho nodefile:\ncat "$PBS_NODEFILE"\n' > ok.sh
printf '#!/bin/bash\nexit 3\n' > fail.sh
printf '#!/bin/bash\nsleep 300\n' > long.sh
cores=$(pbsnodes "$(hostname)" | sed -n 's/^ *np = //p')
echo "# real Torque $(qstat --version 2>&1 | sed -n 's/^Version: //p') on $(hostname -s), $(date -u +%F); queue batch (default), one node with np=$cores" >"$out"
echo >>"$out"
run qstat --version
run qsub ok.sh; ok=$LAST_OUT
run qsub -l nodes=1:ppn="$cores" -d "$work" ok.sh; ppn=$LAST_OUT
run qsub fail.sh; fail=$LAST_OUT
run qsub long.sh; long=$LAST_OUT
run qsub -l walltime=5 long.sh; wall=$LAST_OUT
run qsub -q nosuchq ok.sh
run qsub -l nodes=64:ppn=64 ok.sh
run qsub -l walltime=banana ok.sh
run qsub -frobnicate ok.sh
run qsub missing.sh
wait_state "$long" R
run qstat
run qstat "$long"
run qstat -f "$long"
run qdel "$long"
wait_state "$long" C
wait_state "$ok" C
wait_state "$ppn" C
wait_state "$fail" C
run qstat -f "$ok"
run qstat -f "$fail"
run qstat -f "$long"
run qstat 99999
run qstat -f 99999
run qdel "$ok"
run qdel 99999
run ls
for f in ok.sh.o* ok.sh.e*; do run cat "$f"; done
run cat "$work/ok.sh.o${ppn%%.*}"
wait_state "$wall" C
run qstat -f "$wall"
run cat "$work/long.sh.e${wall%%.*}"
rm -rf "$work"

#!/usr/bin/env bash
# Record what a real OpenPBS answers to the commands clusterjob and its simulator use (qsub and its refusals,
# qstat, qstat -f, qstat -x -f, qstat -f -F json -x, qdel, the job's PBS_* environment and $PBS_NODEFILE, output
# file names, exit statuses), as a transcript: each command, its stdout, stderr and exit code. Run as the jobs'
# user (qsub refuses root) where OpenPBS runs with job history on, e.g. in the OpenPBS container:
#   ssh -F /var/tmp/clusterjob-containers/ssh_config clusterjob-openpbs bash -s < containers/openpbs/record-answers.sh \
#     > docs/recorded/openpbs-23.06.06.txt
# Waits poll qstat -x for a state (never a fixed sleep); each gives up after three minutes.
set -u
out=$(realpath -m "${1:-/dev/stdout}")
work=$(mktemp -d "$HOME/record.XXXXXX"); cd "$work"
run() {  # run a command and print it with its stdout, stderr and exit code
  local so se rc
  so=$("$@" 2>"$work/err"); rc=$?; se=$(cat "$work/err"); LAST_OUT=$so
  { printf '$'; printf ' %q' "$@"; printf '\n'; [ -n "$so" ] && printf '%s\n' "$so"; [ -n "$se" ] && printf '[stderr]\n%s\n' "$se"; printf '[rc=%s]\n\n' "$rc"; } >>"$out"
}
state() { qstat -x -f "$1" 2>/dev/null | sed -n 's/^ *job_state = //p'; }
wait_state() {  # wait until job $1 is in state $2
  for _ in $(seq 360); do [ "$(state "$1")" = "$2" ] && return 0; sleep 0.5; done
  echo "record-answers: job $1 never reached state $2" >&2
}
printf '#!/bin/bash\necho "id=$PBS_JOBID name=$PBS_JOBNAME queue=$PBS_QUEUE o_host=$PBS_O_HOST o_workdir=$PBS_O_WORKDIR"\nenv | grep -E "^(PBS_|NCPUS|OMP_NUM_THREADS|TMPDIR)" | sort\necho nodefile:\ncat "$PBS_NODEFILE"\n' > ok.sh
printf '#!/bin/bash\nexit 3\n' > fail.sh
printf '#!/bin/bash\nsleep 300\n' > long.sh
host=$(hostname)
cores=$(pbsnodes "$host" | sed -n 's/^ *resources_available.ncpus = //p')
echo "# real OpenPBS $(qstat --version 2>&1 | sed -n 's/^pbs_version = //p') on $(hostname -s), $(date -u +%F); queue workq (default), one node with ncpus=$cores, job history on" >"$out"
echo >>"$out"
run qstat --version
run qsub ok.sh; ok=$LAST_OUT
run qsub -l select=1:ncpus="$cores":mpiprocs="$cores" ok.sh; sel=$LAST_OUT
run qsub -l nodes=1:ppn="$cores" ok.sh; ppn=$LAST_OUT
run qsub fail.sh; fail=$LAST_OUT
run qsub long.sh; long=$LAST_OUT
run qsub -l walltime=5 long.sh; wall=$LAST_OUT
run qsub -q nosuchq ok.sh
run qsub -l select=64:ncpus=64 ok.sh; never=$LAST_OUT
run qsub -l walltime=banana ok.sh
run qsub -frobnicate ok.sh
run qsub missing.sh
wait_state "$long" R
run qstat
run qstat "$long"
run qstat -f "$long"
run qdel "$long"
for j in "$long" "$ok" "$sel" "$ppn" "$fail"; do wait_state "$j" F; done
run qstat -f "$ok"
run qstat -x -f "$ok"
run qstat -x -f "$fail"
run qstat -x -f "$long"
run qstat -f -F json -x "$fail"
run qstat -x
run qstat -f "$never"
run qstat 99999
run qstat -x -f 99999
run qdel "$ok"
run qdel 99999
run qdel "$never"
run ls
for f in ok.sh.o* ok.sh.e*; do run cat "$f"; done
wait_state "$wall" F
run qstat -x -f "$wall"
run cat "$work/long.sh.e${wall%%.*}"
rm -rf "$work"

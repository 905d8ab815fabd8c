#!/usr/bin/env bash
# Record what a real Slurm answers to the commands clusterjob and its simulator use, as a transcript:
# each command, its stdout, stderr and exit code. Run on a machine where start-local-slurm.sh has started
# Slurm; the transcript (docs/recorded/slurm-<version>.txt) is what the fake Slurm is checked against.
set -u
out=$(realpath -m "${1:-/dev/stdout}")
work=$(mktemp -d); cd "$work"
run() {  # run a command and print it with its stdout, stderr and exit code
  local so se rc
  so=$("$@" 2>"$work/err"); rc=$?; se=$(cat "$work/err"); LAST_OUT=$so
  { printf '$'; printf ' %q' "$@"; printf '\n'; [ -n "$so" ] && printf '%s\n' "$so"; [ -n "$se" ] && printf '[stderr]\n%s\n' "$se"; printf '[rc=%s]\n\n' "$rc"; } >>"$out"
}
printf '#!/bin/bash\n#SBATCH --job-name=okjob\necho "id=$SLURM_JOB_ID name=$SLURM_JOB_NAME nodes=$SLURM_JOB_NODELIST cpus=$SLURM_CPUS_ON_NODE"\nsleep 2\n' > ok.sh
printf '#!/bin/bash\nexit 3\n' > fail.sh
printf '#!/bin/bash\nsleep 300\n' > long.sh
printf '#!/bin/bash\n#SBATCH --time=1\nsleep 300\n' > timeout.sh
printf '#!/bin/bash\necho "task=$SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID count=$SLURM_ARRAY_TASK_COUNT"\n' > array.sh
printf 'echo no shebang\n' > noshebang.sh
: > empty.sh
printf '#!/bin/bash\r\necho dos\r\n' > dos.sh
echo "# real Slurm $(sinfo -V) on $(hostname -s), $(date -u +%F); MinJobAge=300, EnforcePartLimits=NO" >"$out"
echo >>"$out"
run sinfo
jid() { grep -o '[0-9][0-9]*' <<<"$LAST_OUT" | head -n 1; }
run sbatch ok.sh; ok=$(jid)
run sbatch --parsable fail.sh; fail=$(jid)
run sbatch long.sh; long=$(jid)
run sbatch timeout.sh; timeout=$(jid)
run sbatch --array=1-3%2 array.sh; array=$(jid)
run sbatch -p short --time=20:00 ok.sh; over=$(jid)
run sbatch -p nopart ok.sh
run sbatch --foo ok.sh
run sbatch --time=abc ok.sh
run sbatch --mem=lots ok.sh
run sbatch noshebang.sh
run sbatch empty.sh
run sbatch dos.sh
run squeue
run squeue -h -o %T -j "$ok"
run squeue -h -o '%i %T' -j "$ok,$fail,99999"
run squeue -h -o %T -j 99999
run squeue -j abc
sleep 15
run squeue
run squeue -h -o '%i %T %M %l %D %R %N'
run scancel "$long"
sleep 3
run squeue -h -o %T -j "$long"
run squeue -t all -h -o '%i %T'
run scancel 99999
sleep 75
run squeue -t all -h -o '%i %T'
all="$ok,$fail,$long,$timeout,$over"
run sacct -n -X -P -j "$all" --format=JobID,State,ExitCode
run sacct -j "$all" --format=JobID,JobName,State,ExitCode
run sacct -n -X -j "$all" -o JobID,State,ExitCode
run sacct -n -X -P -j "$array" --format=JobID,State,ExitCode
run sacct -n -X -P -j 99999 --format=JobID,State,ExitCode
run cat "slurm-$ok.out"
for f in slurm-"$array"_*.out; do run cat "$f"; done
scancel -u "$(id -un)" 2>/dev/null

#!/bin/bash
#$ -S /bin/bash
#$ -cwd
#$ -N myjob
#$ -q normal
#$ -l h_rt=02:00:00
#$ -pe smp 32
#$ -l h_vmem=2048M
#$ -o out.log
#$ -e err.log
echo "job $JOB_ID ($JOB_NAME) on $(if [ -n "${PE_HOSTFILE:-}" ] && [ -r "$PE_HOSTFILE" ]; then awk '{printf "%s%s", (NR > 1 ? " " : ""), $1}' "$PE_HOSTFILE"; else echo "$HOSTNAME"; fi)"
mpirun ./a.out

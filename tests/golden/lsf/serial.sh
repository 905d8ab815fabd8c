#!/bin/bash
#BSUB -J myjob
#BSUB -q normal
#BSUB -W 2:00
#BSUB -n 1
#BSUB -R "rusage[mem=65536] span[hosts=1]"
#BSUB -M 65536
#BSUB -o out.log
#BSUB -e err.log
echo "job $LSB_JOBID ($LSB_JOBNAME) on $(echo $LSB_MCPU_HOSTS | awk '{for (i = 1; i < NF; i += 2) printf "%s%s", (i > 1 ? " " : ""), $i}')"
mpirun ./a.out

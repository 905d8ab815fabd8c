#!/bin/bash
#PBS -N hybrid_job
#PBS -q long
#PBS -l walltime=48:00:00
#PBS -l nodes=4:ppn=32
#PBS -l mem=131072mb
#PBS -o hybrid_job.out
#PBS -e hybrid_job.err
echo "job $PBS_JOBID ($PBS_JOBNAME) from $PBS_O_HOST on $(sort -u "$PBS_NODEFILE" | paste -sd, -)"
cd "${PBS_O_WORKDIR}"
./app

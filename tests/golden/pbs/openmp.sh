#!/bin/bash
#PBS -N openmp_job
#PBS -q normal
#PBS -l walltime=01:00:00
#PBS -l nodes=1:ppn=32
#PBS -l mem=16384mb
#PBS -o openmp_job.out
#PBS -e openmp_job.err
echo "job $PBS_JOBID ($PBS_JOBNAME) from $PBS_O_HOST on $(sort -u "$PBS_NODEFILE" | paste -sd, -)"
cd "${PBS_O_WORKDIR}"
./app

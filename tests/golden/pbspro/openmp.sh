#!/bin/bash
#PBS -N openmp_job
#PBS -q normal
#PBS -l walltime=01:00:00
#PBS -l select=1:ncpus=32:mpiprocs=1:ompthreads=32:mem=16384mb
#PBS -o openmp_job.out
#PBS -e openmp_job.err
echo "job $PBS_JOBID ($PBS_JOBNAME) from $PBS_O_HOST on $(sort -u "$PBS_NODEFILE" | paste -sd, -)"
cd "${PBS_O_WORKDIR}"
./app

#!/bin/bash
#PBS -N hybrid_job
#PBS -q long
#PBS -l walltime=48:00:00
#PBS -l select=4:ncpus=32:mpiprocs=2:ompthreads=16:mem=32768mb
#PBS -l place=scatter
#PBS -o hybrid_job.out
#PBS -e hybrid_job.err
echo "job $PBS_JOBID ($PBS_JOBNAME) from $PBS_O_HOST on $(sort -u "$PBS_NODEFILE" | paste -sd, -)"
cd "${PBS_O_WORKDIR}"
./app

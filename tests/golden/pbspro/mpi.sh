#!/bin/bash
#PBS -N mpi_job
#PBS -q normal
#PBS -l walltime=01:00:00
#PBS -l select=2:ncpus=32:mpiprocs=32:ompthreads=1:mem=4096mb
#PBS -l place=scatter
#PBS -o mpi_job.out
#PBS -e mpi_job.err
echo "job $PBS_JOBID ($PBS_JOBNAME) from $PBS_O_HOST on $(sort -u "$PBS_NODEFILE" | paste -sd, -)"
cd "${PBS_O_WORKDIR}"
./app

#!/bin/bash
#PBS -N serial_job
#PBS -q short
#PBS -l walltime=01:00:00
#PBS -l select=1:ncpus=1:mpiprocs=1:ompthreads=1:mem=1024mb
#PBS -o serial_job.out
#PBS -e serial_job.err
echo "job $PBS_JOBID ($PBS_JOBNAME) from $PBS_O_HOST on $(sort -u "$PBS_NODEFILE" | paste -sd, -)"
cd "${PBS_O_WORKDIR}"
./app

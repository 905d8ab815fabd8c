#!/bin/bash
#SBATCH --job-name=mpi_job
#SBATCH --partition=normal
#SBATCH --time=01:00:00
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=32
#SBATCH --cpus-per-task=1
#SBATCH --mem=4096
#SBATCH --output=mpi_job.out
#SBATCH --error=mpi_job.err
echo "job $SLURM_JOB_ID ($SLURM_JOB_NAME) from $SLURM_SUBMIT_HOST on $SLURM_JOB_NODELIST"
cd "${SLURM_SUBMIT_DIR}"
./app

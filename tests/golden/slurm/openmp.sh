#!/bin/bash
#SBATCH --job-name=openmp_job
#SBATCH --partition=normal
#SBATCH --time=01:00:00
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=32
#SBATCH --mem=16384
#SBATCH --output=openmp_job.out
#SBATCH --error=openmp_job.err
echo "job $SLURM_JOB_ID ($SLURM_JOB_NAME) from $SLURM_SUBMIT_HOST on $SLURM_JOB_NODELIST"
cd "${SLURM_SUBMIT_DIR}"
./app

#!/bin/bash
#SBATCH --job-name=serial_job
#SBATCH --partition=short
#SBATCH --time=01:00:00
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=1
#SBATCH --mem=1024
#SBATCH --output=serial_job.out
#SBATCH --error=serial_job.err
echo "job $SLURM_JOB_ID ($SLURM_JOB_NAME) from $SLURM_SUBMIT_HOST on $SLURM_JOB_NODELIST"
cd "${SLURM_SUBMIT_DIR}"
./app

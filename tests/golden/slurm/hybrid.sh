#!/bin/bash
#SBATCH --job-name=hybrid_job
#SBATCH --partition=long
#SBATCH --time=2-00:00:00
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=2
#SBATCH --cpus-per-task=16
#SBATCH --mem=32768
#SBATCH --output=hybrid_job.out
#SBATCH --error=hybrid_job.err
echo "job $SLURM_JOB_ID ($SLURM_JOB_NAME) from $SLURM_SUBMIT_HOST on $SLURM_JOB_NODELIST"
cd "${SLURM_SUBMIT_DIR}"
./app

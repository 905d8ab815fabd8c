#!/usr/bin/env bash
# Configure and start a real single-node Slurm (slurmctld + slurmd + slurmdbd with MariaDB, munge) on THIS
# machine, as root, from Debian's packages. Used by CI and by the real-scheduler tests; also the entry point
# of the Slurm container image. Idempotent: running it again restarts the daemons with the same config.
# Needs: slurm-wlm slurmdbd mariadb-server munge (installed by --install).
set -euo pipefail

if [ "${1:-}" = "--install" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm slurmdbd mariadb-server munge slurm-client >/dev/null
fi

host=$(hostname -s)
cpus=$(nproc)
cluster=${CLUSTERJOB_SLURM_CLUSTER:-cjcluster}

# munge: needs a key and /run/munge owned by munge
install -d -o munge -g munge -m 0755 /run/munge
[ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
pkill -x munged 2>/dev/null || true; sleep 0.2
runuser -u munge -- /usr/sbin/munged

# MariaDB for slurmdbd (accounting: sacct)
install -d -o mysql -g mysql /run/mysqld
if ! mysqladmin ping >/dev/null 2>&1; then
  (mysqld_safe --skip-networking=0 --bind-address=127.0.0.1 >/var/log/cj-mysqld.log 2>&1 &)
  for _ in $(seq 60); do mysqladmin ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
mysql -uroot <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurmdbpass';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
FLUSH PRIVILEGES;
SQL

install -d /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurmdbd.conf <<CONF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
PidFile=/run/slurmdbd.pid
LogFile=/var/log/slurm/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StorageUser=slurm
StoragePass=slurmdbpass
StorageLoc=slurm_acct_db
CONF
chmod 0600 /etc/slurm/slurmdbd.conf

cat > /etc/slurm/slurm.conf <<CONF
ClusterName=$cluster
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=root
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=300
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=$host CPUs=$cpus RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=1-00:00:00 State=UP
PartitionName=short Nodes=$host MaxTime=00:10:00 State=UP
CONF

pkill -x slurmctld 2>/dev/null || true; pkill -x slurmd 2>/dev/null || true; pkill -x slurmdbd 2>/dev/null || true
sleep 0.5
/usr/sbin/slurmdbd
for _ in $(seq 60); do sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.5; done
sacctmgr -i add cluster "$cluster" >/dev/null 2>&1 || true
/usr/sbin/slurmctld
/usr/sbin/slurmd
for _ in $(seq 60); do
  state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
  case "$state" in idle*|mix*|alloc*) break ;; esac
  sleep 0.5
done
scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
sinfo
echo "start-local-slurm: Slurm $(sinfo -V | awk '{print $2}') up on $host ($cpus CPUs), cluster $cluster"

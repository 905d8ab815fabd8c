#!/usr/bin/env bash
# Start a one-host OpenPBS 23.06.06 (built into /opt/pbs, PBS_HOME /var/spool/pbs) for this container's host name:
# its init script starts the datastore (PostgreSQL; created on the first start), pbs_server, pbs_sched, pbs_comm
# and pbs_mom, with queue `workq` and this host's node. Job history is switched on (finished jobs stay visible to
# `qstat -x`). Returns once the node is free and the server answers `qstat -B`; fails after two minutes otherwise.
set -euo pipefail
host=$(hostname)
sed -i "s/^PBS_SERVER=.*/PBS_SERVER=$host/" /etc/pbs.conf
/etc/init.d/pbs start
export PATH=/opt/pbs/bin:/opt/pbs/sbin:$PATH
qmgr -c "set server job_history_enable = True"
for _ in $(seq 240); do
  if qstat -B >/dev/null 2>&1 && pbsnodes "$host" 2>/dev/null | grep -q '^ *state = free$'; then
    echo "start-openpbs: OpenPBS 23.06.06 up on $host"
    exit 0
  fi
  sleep 0.5
done
echo "start-openpbs: the node did not become free in two minutes:" >&2
pbsnodes -a >&2 || true
tail -20 /var/spool/pbs/server_logs/* /var/spool/pbs/mom_logs/* >&2 2>/dev/null || true
exit 1

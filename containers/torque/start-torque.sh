#!/usr/bin/env bash
# Configure and start a one-host Torque 6.1.3 (built into /opt/torque, PBS_HOME /var/spool/torque) for this
# container's host name: trqauthd, pbs_server with queue `batch` (the default), pbs_mom, pbs_sched. Returns once
# the node reports `free` and the server answers `qstat -B`; fails after two minutes otherwise.
# Torque's own torque.setup is `#!/bin/sh` with bash syntax (fails under dash), so its steps are done here.
set -euo pipefail
home=/var/spool/torque
host=$(hostname)
echo "$host" > "$home/server_name"
printf '$pbsserver %s\n$usecp *:/ /\n' "$host" > "$home/mom_priv/config"

trqauthd
pbs_server -t create -f
for _ in $(seq 240); do qstat -B >/dev/null 2>&1 && break; sleep 0.5; done
# the settings of Torque's torque.setup (its lines 277-302)
for c in "set server managers += root@$host" "set server operators += root@$host" \
  "set server scheduling = true" "set server keep_completed = 300" "set server mom_job_sync = true" \
  "create queue batch" "set queue batch queue_type = execution" "set queue batch started = true" \
  "set queue batch enabled = true" "set queue batch resources_default.walltime = 1:00:00" \
  "set queue batch resources_default.nodes = 1" "set server default_queue = batch" \
  "create node $host np=$(nproc)"; do
  qmgr -c "$c"
done
pbs_mom
pbs_sched

for _ in $(seq 240); do
  if qstat -B >/dev/null 2>&1 && pbsnodes "$host" 2>/dev/null | grep -q '^ *state = free$'; then
    echo "start-torque: Torque 6.1.3 up on $host"
    exit 0
  fi
  sleep 0.5
done
echo "start-torque: the node did not become free in two minutes:" >&2
pbsnodes -a >&2 || true
tail -20 "$home/server_logs/"* "$home/mom_logs/"* >&2 2>/dev/null || true
exit 1

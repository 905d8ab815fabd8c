#!/usr/bin/env bash
# Entry point of the scheduler images: start sshd (keys from /run/clusterjob/authorized_keys when mounted), then
# the scheduler with the same start script CI runs on a bare machine, then stay up. `docker logs` shows both.
set -euo pipefail
scheduler_start=$1
install -d -m 0700 /root/.ssh /run/sshd
if [ -f /run/clusterjob/authorized_keys ]; then
  install -m 0600 /run/clusterjob/authorized_keys /root/.ssh/authorized_keys
  # images whose jobs must come from a normal user (Torque's and PBS's qsub refuse root) name it here
  if [ -n "${CLUSTERJOB_JOB_USER:-}" ]; then
    home=$(getent passwd "$CLUSTERJOB_JOB_USER" | cut -d: -f6)
    install -d -m 0700 -o "$CLUSTERJOB_JOB_USER" "$home/.ssh"
    install -m 0600 -o "$CLUSTERJOB_JOB_USER" /run/clusterjob/authorized_keys "$home/.ssh/authorized_keys"
  fi
fi
ssh-keygen -A >/dev/null
/usr/sbin/sshd -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no -o UseDNS=no
"$scheduler_start"
echo "clusterjob container ready"
exec sleep infinity

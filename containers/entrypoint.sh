#!/usr/bin/env bash
# Entry point of the scheduler images: start sshd (keys from /run/clusterjob/authorized_keys when mounted), then
# the scheduler with the same start script CI runs on a bare machine, then stay up. `docker logs` shows both.
set -euo pipefail
scheduler_start=$1
install -d -m 0700 /root/.ssh /run/sshd
if [ -f /run/clusterjob/authorized_keys ]; then
  install -m 0600 /run/clusterjob/authorized_keys /root/.ssh/authorized_keys
fi
ssh-keygen -A >/dev/null
/usr/sbin/sshd -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no -o UseDNS=no
"$scheduler_start"
echo "clusterjob container ready"
exec sleep infinity

#!/usr/bin/env bash
# Run the real schedulers in containers and reach them the way users reach a cluster: over ssh, with a folder
# shared at the same path on both sides (as /home or /scratch is on a real cluster).
#
#   containers/cluster.sh up [slurm] [gridengine]   build what is missing, start, wait until the scheduler answers
#   containers/cluster.sh env SCHEDULER            shell lines: PATH with ssh shims for the scheduler's commands,
#                                                  CLUSTERJOB_SHARED, CLUSTERJOB_SSH_CONFIG, CLUSTERJOB_SSH_HOST
#   containers/cluster.sh down                     remove the containers and their network
#
# Containers join their own docker network (clusterjob-net) and publish only sshd, on 127.0.0.1. Images are
# built from BASE (CLUSTERJOB_BASE, default debian:bookworm when docker has it, else the image
# containers/base/build-base-image.sh makes with debootstrap). Needs root and a running docker engine.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
state=${CLUSTERJOB_CONTAINER_STATE:-/var/tmp/clusterjob-containers}
shared=${CLUSTERJOB_SHARED:-/var/tmp/clusterjob-shared}
network=clusterjob-net

port_of() { case $1 in slurm) echo "${CLUSTERJOB_SLURM_SSH_PORT:-2281}" ;; gridengine) echo "${CLUSTERJOB_GE_SSH_PORT:-2282}" ;; esac; }
host_of() { case $1 in slurm) echo slurmhost ;; gridengine) echo gehost ;; esac; }
commands_of() {
  case $1 in
    slurm) echo sbatch squeue sacct scancel sinfo scontrol sacctmgr ;;
    gridengine) echo qsub qstat qdel qacct qconf qhost ;;
  esac
}
probe_of() { case $1 in slurm) echo "sinfo -h -o %t" ;; gridengine) echo "qstat -g c" ;; esac; }
check_name() {
  case $1 in slurm|gridengine) ;; *) echo "cluster.sh: unknown scheduler '$1' (slurm or gridengine)" >&2; exit 2 ;; esac
}

base_image() {
  if [ -n "${CLUSTERJOB_BASE:-}" ]; then echo "$CLUSTERJOB_BASE"; return; fi
  if docker image inspect debian:bookworm >/dev/null 2>&1; then echo debian:bookworm; return; fi
  "$here/base/build-base-image.sh" bookworm >&2
  echo clusterjob/debian:bookworm
}

write_access() {  # the ssh key, config (one Host alias per scheduler) and command shims
  install -d -m 0700 "$state"
  [ -f "$state/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C clusterjob-containers -f "$state/id_ed25519"
  cp "$state/id_ed25519.pub" "$state/authorized_keys"
  : > "$state/ssh_config"
  for s in slurm gridengine; do
    cat >> "$state/ssh_config" <<CONF
Host clusterjob-$s
  HostName 127.0.0.1
  Port $(port_of "$s")
  User root
  IdentityFile $state/id_ed25519
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  BatchMode yes
  ControlMaster auto
  ControlPath $state/cm-%C
  ControlPersist 120
CONF
    install -d "$state/bin-$s"
    for cmd in $(commands_of "$s"); do
      cat > "$state/bin-$s/$cmd" <<SHIM
#!/usr/bin/env bash
# $cmd of the $s container, run over ssh in this folder (the shared folder has the same path there)
args=""
[ \$# -eq 0 ] || printf -v args ' %q' "\$@"
printf -v dir '%q' "\$PWD"
exec ssh -F $state/ssh_config clusterjob-$s "cd \$dir 2>/dev/null || cd /; exec $cmd\$args"
SHIM
      chmod 0755 "$state/bin-$s/$cmd"
    done
  done
}

up() {
  [ $# -gt 0 ] || set -- slurm gridengine
  for s in "$@"; do check_name "$s"; done
  write_access
  install -d -m 1777 "$shared"
  docker network inspect "$network" >/dev/null 2>&1 || docker network create "$network" >/dev/null
  local base=""
  for s in "$@"; do
    if ! docker image inspect "clusterjob/$s" >/dev/null 2>&1; then
      [ -n "$base" ] || base=$(base_image)
      echo "cluster.sh: building clusterjob/$s from $base"
      docker build --network host --build-arg "BASE=$base" -t "clusterjob/$s" -f "$here/$s/Dockerfile" "$here" \
        >"$state/build-$s.log" 2>&1 || { tail -30 "$state/build-$s.log" >&2; exit 1; }
    fi
    docker rm -f "clusterjob-$s" >/dev/null 2>&1 || true
    docker run -d --name "clusterjob-$s" --hostname "$(host_of "$s")" --network "$network" \
      -p "127.0.0.1:$(port_of "$s"):22" -v "$shared:$shared" \
      -v "$state/authorized_keys:/run/clusterjob/authorized_keys:ro" "clusterjob/$s" >/dev/null
  done
  for s in "$@"; do
    local ok=0
    for _ in $(seq 240); do
      if docker logs "clusterjob-$s" 2>&1 | grep -q "^clusterjob container ready" \
        && ssh -F "$state/ssh_config" "clusterjob-$s" "$(probe_of "$s")" >/dev/null 2>&1; then ok=1; break; fi
      if [ "$(docker inspect -f '{{.State.Running}}' "clusterjob-$s")" != true ]; then break; fi
      sleep 0.5
    done
    if [ "$ok" != 1 ]; then
      echo "cluster.sh: clusterjob-$s did not come up; its log:" >&2
      docker logs "clusterjob-$s" 2>&1 | tail -30 >&2
      exit 1
    fi
    echo "cluster.sh: $s up in container clusterjob-$s (ssh alias clusterjob-$s, port $(port_of "$s"))"
  done
}

env_lines() {
  check_name "$1"
  [ -f "$state/ssh_config" ] || { echo "cluster.sh: nothing started yet (cluster.sh up $1)" >&2; exit 1; }
  printf 'export PATH=%q:"$PATH"\n' "$state/bin-$1"
  printf 'export CLUSTERJOB_SHARED=%q CLUSTERJOB_SSH_CONFIG=%q CLUSTERJOB_SSH_HOST=%q\n' \
    "$shared" "$state/ssh_config" "clusterjob-$1"
}

down() {
  for s in slurm gridengine; do docker rm -f "clusterjob-$s" >/dev/null 2>&1 || true; done
  docker network rm "$network" >/dev/null 2>&1 || true
  rm -f "$state"/cm-* 2>/dev/null || true
}

case "${1:-}" in
  up) shift; up "$@" ;;
  env) shift; [ $# -eq 1 ] || { echo "usage: cluster.sh env slurm|gridengine" >&2; exit 2; }; env_lines "$1" ;;
  down) down ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

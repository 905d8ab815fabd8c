#!/usr/bin/env bash
# Run the real schedulers in containers and reach them the way users reach a cluster: over ssh, with a folder
# shared at the same path on both sides (as /home or /scratch is on a real cluster).
#
#   containers/cluster.sh up [slurm] [gridengine] [torque] [openpbs]
#                                                  build what is missing or stale, start, wait until it answers
#   containers/cluster.sh env SCHEDULER            shell lines: PATH with ssh shims for the scheduler's commands,
#                                                  CLUSTERJOB_SHARED, CLUSTERJOB_SSH_CONFIG, CLUSTERJOB_SSH_HOST
#   containers/cluster.sh down                     remove the containers and their network
#
# Containers join their own docker network (clusterjob-net) and publish only sshd, on 127.0.0.1. Images are
# built from BASE (CLUSTERJOB_BASE, default debian:bookworm when docker has it, else the image
# containers/base/build-base-image.sh makes with debootstrap). An image is rebuilt only when its inputs changed
# (label org.clusterjob.inputs: a hash of its build context and base image). Torque and OpenPBS
# are built from the upstream sources in CLUSTERJOB_VENDOR (default: ../shared/vendor next to the repository)
# when it has them, else downloaded; containers/SHA256SUMS pins both. Needs root and a running docker engine.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
state=${CLUSTERJOB_CONTAINER_STATE:-/var/tmp/clusterjob-containers}
shared=${CLUSTERJOB_SHARED:-/var/tmp/clusterjob-shared}
network=clusterjob-net
vendor=${CLUSTERJOB_VENDOR:-$here/../../shared/vendor}
all="slurm gridengine torque openpbs"

port_of() {
  case $1 in
    slurm) echo "${CLUSTERJOB_SLURM_SSH_PORT:-2281}" ;; gridengine) echo "${CLUSTERJOB_GE_SSH_PORT:-2282}" ;;
    torque) echo "${CLUSTERJOB_TORQUE_SSH_PORT:-2283}" ;; openpbs) echo "${CLUSTERJOB_OPENPBS_SSH_PORT:-2284}" ;;
  esac
}
host_of() { case $1 in slurm) echo slurmhost ;; gridengine) echo gehost ;; torque) echo torquehost ;; openpbs) echo pbshost ;; esac; }
user_of() { case $1 in torque|openpbs) echo pbsuser ;; *) echo root ;; esac; }  # qsub of Torque/PBS refuses root
commands_of() {
  case $1 in
    slurm) echo sbatch squeue sacct scancel sinfo scontrol sacctmgr ;;
    gridengine) echo qsub qstat qdel qacct qconf qhost ;;
    torque) echo qsub qstat qdel qselect qalter qhold qrls qsig pbsnodes qmgr tracejob ;;
    openpbs) echo qsub qstat qdel qselect qalter qhold qrls qsig pbsnodes qmgr tracejob pbs_rstat ;;
  esac
}
probe_of() {
  case $1 in
    slurm) echo "sinfo -h -o %t" ;; gridengine) echo "qstat -g c" ;;
    torque|openpbs) echo "pbsnodes -a | grep -q 'state = free' && qstat -B" ;;
  esac
}
run_args_of() {  # docker run options an image needs
  case $1 in
    torque) echo "--cap-add IPC_LOCK" ;;  # pbs_mom calls mlockall() and exits if it fails
  esac
}
sources_of() {  # the upstream files the image is built from (see containers/SHA256SUMS)
  case $1 in
    torque) echo torque-6.1.3.tar.gz torque-6.1.3-gcc7.patch ;;
    openpbs) echo openpbs-23.06.06.tar.gz openpbs-23.06.06-python3.11.patch ;;
  esac
}
check_name() {
  case " $all " in *" $1 "*) ;; *) echo "cluster.sh: unknown scheduler '$1' (one of: $all)" >&2; exit 2 ;; esac
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
  for s in $all; do
    cat >> "$state/ssh_config" <<CONF
Host clusterjob-$s
  HostName 127.0.0.1
  Port $(port_of "$s")
  User $(user_of "$s")
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
    if [ "$(user_of "$s")" != root ]; then  # for administration (qmgr changes, logs)
      sed -n "/^Host clusterjob-$s\$/,\$p" "$state/ssh_config" \
        | sed -e "1s/.*/Host clusterjob-$s-root/" -e 's/^  User .*/  User root/' >> "$state/ssh_config.root"
    fi
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
  if [ -f "$state/ssh_config.root" ]; then cat "$state/ssh_config.root" >> "$state/ssh_config"; rm "$state/ssh_config.root"; fi
}

stage_context() {  # a build context with only what image $1 needs; prints its folder
  local ctx="$state/context-$1" f
  rm -rf "$ctx"
  install -d "$ctx/sources"
  cp "$here/entrypoint.sh" "$here/fetch-source.sh" "$here/SHA256SUMS" "$ctx/"
  cp -r "$here/$1" "$ctx/$1"
  for f in $(sources_of "$1"); do
    if [ -f "$vendor/$f" ]; then cp "$vendor/$f" "$ctx/sources/"; fi
  done
  echo "$ctx"
}

inputs_hash() {  # what the image is made of: its context (sources are pinned by SHA256SUMS), base image, name
  local ctx=$1 base=$2
  {
    (cd "$ctx" && find . -path ./sources -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum)
    docker image inspect -f '{{.Id}}' "$base"
  } | sha256sum | cut -c1-16
}

up() {
  [ $# -gt 0 ] || set -- slurm gridengine
  for s in "$@"; do check_name "$s"; done
  write_access
  install -d -m 1777 "$shared"
  docker network inspect "$network" >/dev/null 2>&1 || docker network create "$network" >/dev/null
  local base ctx hash have t0
  base=$(base_image)
  for s in "$@"; do
    ctx=$(stage_context "$s")
    hash=$(inputs_hash "$ctx" "$base")
    have=$(docker image inspect -f '{{index .Config.Labels "org.clusterjob.inputs"}}' "clusterjob/$s" 2>/dev/null || true)
    if [ "$have" != "$hash" ]; then
      echo "cluster.sh: building clusterjob/$s from $base (inputs $hash; log $state/build-$s.log)"
      t0=$(date +%s)
      docker build --network host --build-arg "BASE=$base" --label "org.clusterjob.inputs=$hash" \
        -t "clusterjob/$s" -f "$ctx/$s/Dockerfile" "$ctx" \
        >"$state/build-$s.log" 2>&1 || { tail -30 "$state/build-$s.log" >&2; exit 1; }
      echo "cluster.sh: built clusterjob/$s in $(( $(date +%s) - t0 )) s"
    else
      echo "cluster.sh: clusterjob/$s is up to date (inputs $hash)"
    fi
    rm -rf "$ctx"
    docker rm -f "clusterjob-$s" >/dev/null 2>&1 || true
    # shellcheck disable=SC2046
    docker run -d --name "clusterjob-$s" --hostname "$(host_of "$s")" --network "$network" $(run_args_of "$s") \
      -p "127.0.0.1:$(port_of "$s"):22" -v "$shared:$shared" \
      -v "$state/authorized_keys:/run/clusterjob/authorized_keys:ro" "clusterjob/$s" >/dev/null
  done
  t0=$(date +%s)
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
    echo "cluster.sh: $s up in container clusterjob-$s (ssh alias clusterjob-$s, port $(port_of "$s"), $(( $(date +%s) - t0 )) s after start)"
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
  for s in $all; do docker rm -f "clusterjob-$s" >/dev/null 2>&1 || true; done
  docker network rm "$network" >/dev/null 2>&1 || true
  rm -f "$state"/cm-* 2>/dev/null || true
}

case "${1:-}" in
  up) shift; up "$@" ;;
  env) shift; [ $# -eq 1 ] || { echo "usage: cluster.sh env slurm|gridengine|torque|openpbs" >&2; exit 2; }; env_lines "$1" ;;
  down) down ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

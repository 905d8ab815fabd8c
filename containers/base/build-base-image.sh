#!/usr/bin/env bash
# Build a Debian base image without a registry: debootstrap a minimal root file system and `docker import` it
# as clusterjob/debian:<suite>. Only for machines that cannot pull debian:<suite>; with a registry, build the
# scheduler images with their default BASE instead. Idempotent: an existing image is kept (--force rebuilds).
# Usage: build-base-image.sh [--force] [bookworm|trixie|bullseye]   (needs root, debootstrap and docker)
set -euo pipefail
force=0
if [ "${1:-}" = "--force" ]; then force=1; shift; fi
suite=${1:-bookworm}
mirror=${CLUSTERJOB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
image=clusterjob/debian:$suite

if [ "$force" = 0 ] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "build-base-image: $image already exists"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "build-base-image: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
root=$(mktemp -d /var/tmp/clusterjob-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase "$suite" "$root" "$mirror" >/var/tmp/clusterjob-debootstrap.log 2>&1 || {
  tail -20 /var/tmp/clusterjob-debootstrap.log >&2; exit 1; }
# the image's apt uses the same mirror; no caches or logs of the host's build in the image
printf 'deb %s %s main\n' "$mirror" "$suite" > "$root/etc/apt/sources.list"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
echo "build-base-image: $image built from debootstrap ($suite, $mirror)"

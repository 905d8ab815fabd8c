#!/bin/sh
# Build-time helper of the Torque and OpenPBS images: put the upstream file NAME in /sources (taken from the build
# context's sources/ when there, else downloaded from URL) and refuse it unless its SHA-256 is the one pinned in
# /sources.sha256 (containers/SHA256SUMS). Usage: fetch-source.sh NAME URL
set -eu
name=$1 url=$2
cd /sources
if [ -f "$name" ]; then
  echo "fetch-source: $name from the build context"
else
  echo "fetch-source: $name from $url"
  curl -fsSL --retry 3 -o "$name" "$url"
fi
line=$(grep "  $name\$" /sources.sha256) || { echo "fetch-source: no pinned SHA-256 for $name" >&2; exit 1; }
echo "$line" | sha256sum -c - || { echo "fetch-source: $name does not have the pinned SHA-256; refusing it" >&2; exit 1; }

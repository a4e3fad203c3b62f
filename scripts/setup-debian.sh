#!/usr/bin/env bash
# Installs the Debian 12 packages ipaq needs. Idempotent: packages already present are skipped.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config
  libfaiss-dev libopenblas-dev liblapack-dev
  libeigen3-dev librocksdb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev libhdf5-dev
  dataset-fashion-mnist gnuplot-nox
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

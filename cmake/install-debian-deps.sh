#!/usr/bin/env bash
# Installs ConceptLens's build, test and benchmark dependencies from Debian 12 packages.
# Skips apt-get entirely when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libopenmpi-dev openmpi-bin libhdf5-openmpi-dev libeigen3-dev
  libboost-serialization-dev libsentencepiece-dev libgtest-dev nlohmann-json3-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev libopenblas-dev
  # the report test opens report.html in headless Chromium and decodes its PNG screenshot
  chromium zlib1g-dev
  # the sanitizer build and its fuzz targets (tests/sanitize): clang 14 with libFuzzer
  clang-14 libclang-rt-14-dev
  # the HPC tests (label hpc): hosts in network namespaces, a real Slurm
  iproute2 slurmctld slurmd slurm-client munge
  # reference tools for golden data and benchmarks (called as /usr/bin/python3)
  python3 python3-numpy python3-scipy python3-fastcluster python3-sklearn python3-h5py
  python3-torch
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-debian-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-debian-deps: installing ${missing[*]}"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null

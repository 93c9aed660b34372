#!/usr/bin/env bash
# The README's first command: install the dependencies (Debian 12), build, and run the main job
# on the bundled default — Ward clustering of the bundled ConceptX point set with 2 MPI ranks.
# Later stages (extraction, alignment, the sweep) grow this into the whole study.
set -euo pipefail
cd "$(dirname "$0")/.."

bash cmake/install-debian-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

# Open MPI refuses to run as root unless told; --oversubscribe allows more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=results/demo
mkdir -p "$out/conceptx"
mpirun --oversubscribe -n 2 build/mpi/conceptlens cluster \
  --points jobs/data/demo/processed-point.npy --vocab jobs/data/demo/processed-vocab.npy \
  --k 5,20 --out "$out/clusters.h5" --conceptx-dir "$out/conceptx"
echo
echo "Wrote $out/clusters.h5 and $out/conceptx/clusters-{5,20}.txt. A few concepts at K = 20:"
awk -F'[|][|][|]' '{ words[$5] = words[$5] " " $1 } END { for (c = 0; c < 5; c++) print "  concept " c ":" words[c] }' \
  "$out/conceptx/clusters-20.txt"

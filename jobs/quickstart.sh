#!/usr/bin/env bash
# The README's first command: install the dependencies (Debian 12), build, and run the main job
# on the bundled default with 2 MPI ranks: extraction of SST-2 dev through the bundled tiny BERT,
# then exact Ward clustering of all its layers. Later stages (alignment, the sweep) grow this into
# the whole study.
set -euo pipefail
cd "$(dirname "$0")/.."

bash cmake/install-debian-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

# Open MPI refuses to run as root unless told; --oversubscribe allows more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=results/demo
mkdir -p "$out/conceptx"
# 1. every word's vector at every layer of the bundled tiny BERT, for SST-2 dev (872 sentences)
mpirun --oversubscribe -n 2 build/mpi/conceptlens extract \
  --model jobs/models/tiny-bert --corpus jobs/data/sst2/sst2-dev.in --out "$out/activations.h5"
# 2. the latent concepts of every layer (ConceptX's selection: at most 10 occurrences per word)
mpirun --oversubscribe -n 2 build/mpi/conceptlens cluster \
  --activations "$out/activations.h5" --layers all --max-per-type 10 --k 100 \
  --out "$out/clusters" --conceptx-dir "$out/conceptx"
echo
echo "Wrote $out/activations.h5, $out/clusters/layer-{0..6}.h5 and $out/conceptx/. Concepts of layer 6 at K = 100:"
awk -F'[|][|][|]' '{ if (length(words[$5]) < 60) words[$5] = words[$5] " " $1 } END { for (c = 0; c < 5; c++) print "  concept " c ":" words[c] }' \
  "$out/conceptx/layer-6/clusters-100.txt"

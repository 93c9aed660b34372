#!/usr/bin/env bash
# The README's first command: install the dependencies (Debian 12), build, and run the main job
# on the bundled default with 2 MPI ranks: extraction of SST-2 dev through the bundled tiny BERT,
# exact Ward clustering of all its layers, and their alignment with the sentiment classes. The
# sweep (issue 6) grows this into the whole study.
set -euo pipefail
cd "$(dirname "$0")/.."

bash cmake/install-debian-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

# Open MPI refuses to run as root unless told; --oversubscribe allows more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=results/demo
mkdir -p "$out/conceptx" "$out/align"
# 1. every word's vector at every layer of the bundled tiny BERT, for SST-2 dev (872 sentences)
mpirun --oversubscribe -n 2 build/mpi/conceptlens extract \
  --model jobs/models/tiny-bert --corpus jobs/data/sst2/sst2-dev.in --out "$out/activations.h5"
# 2. the latent concepts of every layer (ConceptX's selection: at most 10 occurrences per word)
mpirun --oversubscribe -n 2 build/mpi/conceptlens cluster \
  --activations "$out/activations.h5" --layers all --max-per-type 10 --k 100 \
  --out "$out/clusters" --conceptx-dir "$out/conceptx"
# 3. how many concepts of each layer are sentiment (task) concepts: every word carries its
#    sentence's gold class (ConceptX's rule: > 90% of a concept's words from one class)
for layer in 0 1 2 3 4 5 6; do
  mpirun --oversubscribe -n 2 build/mpi/conceptlens align --clusters "$out/clusters/layer-$layer.h5" --k 100 \
    --corpus jobs/data/sst2/sst2-dev.in --labels jobs/data/sst2/sst2-dev.task.label --name sentiment \
    --out "$out/align/layer-$layer-sentiment.json" 2>&1 | grep "align:" | sed "s/^.*align:/  layer $layer:/"
done
echo
echo "Wrote $out/activations.h5, $out/clusters/layer-{0..6}.h5, $out/conceptx/ and $out/align/."
echo "Concepts of layer 6 at K = 100:"
awk -F'[|][|][|]' '{ if (length(words[$5]) < 60) words[$5] = words[$5] " " $1 } END { for (c = 0; c < 5; c++) print "  concept " c ":" words[c] }' \
  "$out/conceptx/layer-6/clusters-100.txt"

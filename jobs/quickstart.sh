#!/usr/bin/env bash
# The README's first command: install the dependencies (Debian 12), build, and run the bundled
# demo study (jobs/demo.toml) with 2 MPI ranks: a really trained tiny BERT and its SST-2
# fine-tuned version, SST-2 dev (sentiment) and 600 EWT sentences (POS) — extraction, exact Ward
# clustering of every layer, alignment with POS and the sentiment classes, fine-tuned vs base,
# the top layer's sentiment concepts as adversarial triggers, results/demo/summary.json and
# results/demo/report.html. Rerunning keeps what is complete.
set -euo pipefail
cd "$(dirname "$0")/.."

bash cmake/install-debian-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

# Open MPI refuses to run as root unless told; --oversubscribe allows more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun --oversubscribe -n 2 build/mpi/conceptlens sweep jobs/demo.toml --out results/demo

echo
echo "Per layer, % of the 100 concepts aligned (results/demo/summary.csv; open results/demo/report.html):"
awk -F, 'NR > 1 && $2 == "sst2" && ($5 == "sentiment" || $5 == "predicted") {
           v[$1 "," $5 "," $3] = sprintf("%3.0f", 100 * $8); layers[$3] = 1 }
         END { printf "  %-15s %-10s  L0  L1  L2  L3  L4  L5  L6\n", "model", "classes"
               for (m = 0; m < 2; m++) {
                 model = m == 0 ? "tiny-bert" : "tiny-bert-sst2"
                 for (s = 0; s < 2; s++) {
                   set = s == 0 ? "sentiment" : "predicted"; line = ""
                   for (l = 0; l <= 6; l++) line = line " " (((model "," set "," l) in v) ? v[model "," set "," l] : "  -")
                   printf "  %-15s %-10s %s\n", model, set, line } } }' results/demo/summary.csv

echo
echo "Polarity concepts of tiny-bert-sst2's layer 6 as adversarial triggers (added before every SST-2"
echo "sentence the model gives the other class; random: triggers of words as frequent):"
awk 'function csv(line, f,   n, i, c, q, v) {  # split one CSV line (quoted fields) into f
       n = 0; v = ""; q = 0
       for (i = 1; i <= length(line); i++) {
         c = substr(line, i, 1)
         if (q && c == "\"" && substr(line, i + 1, 1) == "\"") { v = v c; i++ }
         else if (c == "\"") q = !q
         else if (c == "," && !q) { f[++n] = v; v = "" }
         else v = v c }
       f[++n] = v; return n }
     NR == 1 { printf "  %-7s %-8s %-40s %7s %8s\n", "concept", "class", "trigger", "flip %", "random %"; next }
     { csv($0, f); printf "  %-7s %-8s %-40s %7.1f %8.1f\n", f[1], f[2], f[4], 100 * f[7], 100 * f[8] }' \
  results/demo/tiny-bert-sst2/sst2/triggers/layer-6-k100-sentiment.csv

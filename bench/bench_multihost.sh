#!/usr/bin/env bash
# The distributed Ward chain between hosts: what a chain step costs over TCP between two hosts
# (network namespaces on a bridge, tests/multihost/hosts.sh, as root) against the same 2 ranks
# on one host, and the clustering itself both ways. One command:
#   bash bench/bench_multihost.sh [--n 20000] [--d 768] [--k 600] [--modes vector,matrix] [--seed 0] [--repeat 1]
# Prints:
#   1. conceptlens_bench_mpi_latency (a chain step's 24-byte MPI_Allreduce, a 24-byte ping-pong,
#      a merge's row broadcast) — one host through shared memory, one host over TCP (loopback),
#      two hosts over TCP with --bind-to none, and two hosts with Open MPI's default binding
#      (each host's daemon binds its rank to core 0: on one machine both ranks share a core);
#   2. per mode, `conceptlens cluster` of the same generated points (tests/golden/make_ward_golden.py,
#      float32) on 2 ranks on one host and on 1 rank on each of 2 hosts: the clustering time, the
#      chain's steps and time per step (from the log), the ratio, and whether the linkages match.
# The machine's OpenBLAS kernel is printed; OPENBLAS_CORETYPE is passed on as set.
set -euo pipefail
n=20000 d=768 k=600 modes=vector,matrix seed=0 repeat=1
while [ $# -gt 0 ]; do
  case $1 in
    --n) n=$2; shift 2 ;;
    --d) d=$2; shift 2 ;;
    --k) k=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    *) echo "usage: bash bench/bench_multihost.sh [--n N] [--d D] [--k K] [--modes vector,matrix] [--seed S] [--repeat R]"; exit 1 ;;
  esac
done
repo=$(cd "$(dirname "$0")/.." && pwd)
exe="$repo/build/mpi/conceptlens"
latency="$repo/build/bench/conceptlens_bench_mpi_latency"
[ -x "$exe" ] && [ -x "$latency" ] || { echo "build first: cmake --build build -j2"; exit 1; }
source "$repo/tests/multihost/hosts.sh"
why=$(hosts_can_run) || { echo "cannot make hosts here: $why"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/conceptlens-bench-multihost.XXXXXX")
trap 'hosts_down; rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export HOSTS_TIMEOUT=3600

echo "# bash bench/bench_multihost.sh --n $n --d $d --k $k --modes $modes --seed $seed --repeat $repeat"
echo "# $(getconf _NPROCESSORS_ONLN) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, $(mpirun --version | head -n 1)"
hosts_up 2

echo
echo "## 1. a chain step's messages (conceptlens_bench_mpi_latency, medians of 2000)"
echo "### one host, shared memory (vader)"
mpirun -n 2 --bind-to none "$latency" | tail -n 3
echo "### one host, TCP over loopback"
mpirun -n 2 --bind-to none --mca btl tcp,self --mca btl_tcp_if_include lo "$latency" | tail -n 3
echo "### two hosts, TCP, --bind-to none"
hosts_mpirun -n 2 --map-by node "$latency" 2> >(grep -v setpgid >&2) | tail -n 3
echo "### two hosts, TCP, Open MPI's default binding (each daemon binds its rank to core 0)"
HOSTS_BIND=core hosts_mpirun -n 2 --map-by node --report-bindings "$latency" --repeat 200 2>&1 |
  grep -v setpgid | grep -E "bound to|median"

/usr/bin/python3 - "$repo" "$work/points.npy" "$n" "$d" "$seed" <<'PY'
import importlib.util, sys
import numpy as np
repo, out, n, d, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
spec = importlib.util.spec_from_file_location("gen", repo + "/tests/golden/make_ward_golden.py")
gen = importlib.util.module_from_spec(spec); spec.loader.exec_module(gen)
X, sizes, heavy = gen.make_points(n, d, np.random.default_rng(seed), "float32")
np.save(out, X)
PY

# figures from a clustering log: seconds, chain steps (the vector mode: rounds), us per step (per round)
figures() {
  local log=$1
  local seconds steps per_step
  seconds=$(grep -o "Ward linkage done in [0-9.]*" "$log" | awk '{print $5}')
  steps=$(grep -o "chain: [0-9]* steps" "$log" | awk '{print $2}' || true)  # none in the vector mode
  per_step=$(grep -o "[0-9.]* us per step" "$log" | awk '{print $1}' || true)
  if [ -z "$steps" ]; then
    steps=$(grep -o "rounds: [0-9]* rounds" "$log" | awk '{print $2}')
    per_step=$(echo "$seconds * 1000000 / $steps" | bc -l | xargs printf "%.0f")
  fi
  echo "$seconds $steps $per_step"
}
median() { printf "%s\n" "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo
echo "## 2. conceptlens cluster, n = $n, d = $d, K = $k, 2 ranks, one thread each, medians of $repeat"
printf "| mode | where | seconds | chain steps (vector: rounds) | us per step (per round) | vs one host |\n|---|---|---:|---:|---:|---:|\n"
for mode in ${modes//,/ }; do
  args=(cluster --points "$work/points.npy" --k "$k" --mode "$mode")
  one_s=() one_us=() two_s=() two_us=() same=identical
  for ((round = 1; round <= repeat; round++)); do
    for where in $( ((round % 2)) && echo "one two" || echo "two one"); do
      rm -f "$work/$mode-$where.h5"
      if [ "$where" = one ]; then
        mpirun -n 2 --bind-to none "$exe" "${args[@]}" --out "$work/$mode-one.h5" >"$work/$mode-one.log" 2>&1
      else
        hosts_mpirun -n 2 --map-by node "$exe" "${args[@]}" --out "$work/$mode-two.h5" >"$work/$mode-two.log" 2>&1
      fi
      read -r seconds steps per_step < <(figures "$work/$mode-$where.log")
      eval "${where}_s+=($seconds) ${where}_us+=($per_step)"
    done
    cmp -s "$work/$mode-one.h5" "$work/$mode-two.h5" || same=DIFFERENT
  done
  s1=$(median "${one_s[@]}") s2=$(median "${two_s[@]}")
  printf "| %s | one host, 2 ranks (shared memory) | %s | %s | %s | 1.00 |\n" "$mode" "$s1" "$steps" "$(median "${one_us[@]}")"
  printf "| %s | 2 hosts, 1 rank each (TCP) | %s | %s | %s | %.2f |\n" "$mode" "$s2" "$steps" "$(median "${two_us[@]}")" "$(echo "$s2 / $s1" | bc -l)"
  echo "<!-- $mode: one host ${one_s[*]} s, 2 hosts ${two_s[*]} s; CLUSTERS.h5 $same; $(grep -o '[a-z0-9 ]*products: .*' "$work/$mode-one.log") -->"
done

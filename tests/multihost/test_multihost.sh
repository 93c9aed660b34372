#!/usr/bin/env bash
# Runs across hosts give the same bytes as on one host. Hosts are network namespaces on a bridge
# (tests/multihost/hosts.sh); Open MPI starts its daemons through the rsh launcher and the ranks
# talk TCP between hosts, no shared memory. Checked, each against a run on one host:
#   1. the demo sweep (jobs/demo.toml: extraction into one parallel HDF5 file on the shared
#      filesystem, clustering of every layer, alignments, comparisons) with one rank on each of
#      2 hosts: every output file and summary.json byte-identical;
#   2. `cluster --layers 0,6` with 3 ranks on 2 hosts dealt round-robin, so layer 6's group of
#      2 ranks spans both hosts (the sweep's mode, auto: the vector mode's rounds): the layer
#      files byte-identical;
#   3. `cluster --mode matrix` (the sharded distance matrix) with one rank on each of 3 hosts:
#      byte-identical;
#   4. `sweep --dry-run` with 3 ranks on 2 hosts (2 + 1) lists each host with its own ranks,
#      memory budget per rank and extraction threads;
#   5. ranks of 2 hosts on this one machine bound to the same core (Open MPI's default binding)
#      get a warning naming them (and 3 hosts on 2 cores one about the shared cores, in 3).
# Usage: test_multihost.sh CONCEPTLENS_EXE SOURCE_DIR. Exit 77 (ctest: skipped) with the
# reason where this machine forbids network namespaces.
set -euo pipefail
exe=$(realpath "$1")
source_dir=$(realpath "$2")
source "$source_dir/tests/multihost/hosts.sh"

if ! why=$(hosts_can_run); then
  echo "SKIPPED: multi-host test: $why"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/conceptlens-multihost.XXXXXX")
trap 'hosts_down; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export HOSTS_TIMEOUT=240  # seconds for any one run

step() { echo; echo "== $* ($(date +%T))"; }
fail() { echo "FAILED: $*"; exit 1; }
# same_bytes A B [what]: fails naming the first file that differs
same_files() {
  local a=$1 b=$2 what=$3
  local listed=0
  while IFS= read -r file; do
    listed=$((listed + 1))
    cmp -s "$a/$file" "$b/$file" || fail "$what: $file differs between one host ($a) and several ($b)"
  done < <(cd "$a" && find . -type f \( -name '*.h5' -o -name '*.json' -o -name '*.csv' -o -name '*.key' \) \
             ! -name run-log.json | sort)
  [ "$listed" -gt 0 ] || fail "$what: no outputs in $a"
  [ "$(cd "$a" && find . -type f ! -name run-log.json | sort)" = "$(cd "$b" && find . -type f ! -name run-log.json | sort)" ] ||
    fail "$what: the two runs wrote different files"
  echo "$what: $listed files byte-identical"
}
one_host() { timeout "$HOSTS_TIMEOUT" mpirun --oversubscribe --bind-to none "$@"; }
several() { hosts_mpirun "$@"; }

step "hosts"
HOSTS_SLOTS=2 hosts_up 3
cat "$HOSTS_DIR/hostfile"

cd "$source_dir/jobs"
step "1. the demo sweep on one host (2 ranks) and on 2 hosts (1 rank each)"
# the same command both times (outputs name their inputs' paths): the one-host results move aside
run="$work/run"
one_host -n 2 "$exe" sweep demo.toml --out "$run" >"$work/one.log" 2>&1 || { cat "$work/one.log"; fail "sweep on one host"; }
mv "$run" "$work/one"
several -n 2 --map-by node --host h0,h1 "$exe" sweep demo.toml --out "$run" >"$work/two.log" 2>&1 ||
  { cat "$work/two.log"; fail "sweep on 2 hosts"; }
grep -q "\"ranks\": 2," "$run/run-log.json" || fail "the 2-host sweep did not run on 2 ranks"
same_files "$work/one" "$run" "demo sweep"

activations="$run/tiny-bert/ewt/activations.h5"
step "2. layer groups spanning hosts: 3 ranks on 2 hosts, round-robin (h0 h1 h0), layers 0 and 6"
# 2 layers on 3 ranks: groups {0} and {1,2}; ranks 1 and 2 are on h1 and h0
CONCEPTLENS_LOG_LEVEL=info several -n 3 --map-by node --host h0:2,h1:1 -x CONCEPTLENS_LOG_LEVEL "$exe" cluster --activations "$activations" --layers 0,6 \
  --max-per-type 10 --k 100 --out "$work/groups" >"$work/groups.log" 2>&1 ||
  { cat "$work/groups.log"; fail "cluster --layers on 2 hosts"; }
grep -h "layer .: \|Ward linkage done" "$work/groups.log"
grep -q "layer 6: 2 rank(s)" "$work/groups.log" || { cat "$work/groups.log"; fail "layer 6 was not clustered by a group of 2 ranks"; }
for layer in 0 6; do
  cmp "$work/one/tiny-bert/ewt/clusters/layer-$layer.h5" "$work/groups/layer-$layer.h5" ||
    fail "layer $layer: the 2-host clustering differs from the sweep's on one host"
done
echo "layers 0 and 6: byte-identical to the one-host sweep's"

step "3. the matrix mode on 3 hosts, one rank each, against one rank on one host"
# sentences under 10 words, one occurrence of each word (n = 541): 3 ranks that poll for messages
# share this machine's 2 cores, so every chain step waits for a time slice (milliseconds)
matrix=(cluster --activations "$activations" --layer 6 --max-words 10 --max-per-type 1 --k 50 --mode matrix)
one_host -n 1 "$exe" "${matrix[@]}" --out "$work/matrix-one.h5" >"$work/matrix-one.log" 2>&1 ||
  { cat "$work/matrix-one.log"; fail "matrix mode on one host"; }
several -n 3 --map-by node "$exe" "${matrix[@]}" --out "$work/matrix-three.h5" >"$work/matrix-three.log" 2>&1 ||
  { cat "$work/matrix-three.log"; fail "matrix mode on 3 hosts"; }
grep -q "matrix mode on 3 rank(s)" "$work/matrix-three.log" || { cat "$work/matrix-three.log"; fail "not the matrix mode on 3 ranks"; }
cmp "$work/matrix-one.h5" "$work/matrix-three.h5" || fail "the matrix mode on 3 hosts differs from one host"
grep -h "clustering:\|Ward linkage done" "$work/matrix-three.log"
echo "matrix mode: byte-identical"
if [ "$(getconf _NPROCESSORS_ONLN)" -lt 3 ]; then
  grep -q "3 ranks on 3 hosts run on one machine with $(getconf _NPROCESSORS_ONLN) cores" "$work/matrix-three.log" ||
    fail "no warning that 3 hosts share this machine's $(getconf _NPROCESSORS_ONLN) cores"
fi

step "4. budgets per host: sweep --dry-run with 2 ranks on h0 and 1 on h1"
several -n 3 --host h0:2,h1:1 "$exe" sweep demo.toml --out "$work/dry" --dry-run >"$work/dry.log" 2>&1 ||
  { cat "$work/dry.log"; fail "sweep --dry-run on 2 hosts"; }
sed -n '/^hosts:/,$p' "$work/dry.log"
grep -q "^hosts: 2$" "$work/dry.log" || fail "--dry-run does not list 2 hosts"
grep -Eq "host h0: 2 rank\(s\) \(0,1\), .*extraction threads per rank 1$" "$work/dry.log" || fail "h0's share is wrong"
grep -Eq "host h1: 1 rank\(s\) \(2\), .*extraction threads per rank 2$" "$work/dry.log" || fail "h1's share is wrong"
[ ! -e "$work/dry" ] || fail "--dry-run wrote $work/dry"

step "5. the warning for hosts of one machine bound to the same core (Open MPI's default binding)"
HOSTS_BIND=core several -n 2 --map-by node "$exe" sweep demo.toml --out "$work/dry" --dry-run >"$work/bound.log" 2>&1 ||
  { cat "$work/bound.log"; fail "sweep --dry-run with bound ranks"; }
grep "warning" "$work/bound.log" || fail "no warning that ranks 0 and 1 are bound to the same core of one machine"
grep -q "ranks 0 (host h0) and 1 (host h1) run on one machine but are bound to the same core" "$work/bound.log" ||
  fail "the warning does not name the ranks and hosts"

echo
echo "multi-host: all checks passed"

#!/usr/bin/env bash
# The demo study through a real Slurm (tests/slurm/slurm_cluster.sh: Debian's munged, slurmctld
# and slurmd, started here, stopped at the end), submitted with jobs/slurm/demo.sbatch:
#   1. uninterrupted: the reference summary.json;
#   2. stopped part-way by `scontrol requeue` while a clustering stage runs: Slurm requeues the
#      job, the second run keeps the stages that were complete and ends with a byte-identical
#      summary; `scontrol show job` shows Restarts=1;
#   3. stopped by its time limit: submitted with --time=2 (Slurm sends TERM 60 s before it, as
#      the script asks); once a clustering stage runs, the test freezes the ranks (SIGSTOP, a
#      stalled node), so the limit comes first; the script passes TERM on and requeues itself;
#      the requeued job gets a 15-minute limit (scontrol update) and ends with a byte-identical
#      summary.
# Usage: test_slurm.sh CONCEPTLENS_EXE SOURCE_DIR. Exit 77 (ctest: skipped) with the reason where
# the Slurm daemons are not installed or cannot start.
set -euo pipefail
exe=$(realpath "$1")
source_dir=$(realpath "$2")
source "$source_dir/tests/slurm/slurm_cluster.sh"
fail() { echo "FAILED: $*"; exit 1; }
step() { echo; echo "== $* ($(date +%T))"; }

if ! why=$(slurm_can_run); then
  echo "SKIPPED: Slurm test: $why"
  exit 77
fi
if [ "$(getconf _NPROCESSORS_ONLN)" -lt 2 ]; then
  echo "SKIPPED: Slurm test: the demo job asks for 2 tasks, this machine has $(getconf _NPROCESSORS_ONLN) core"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/conceptlens-slurm.XXXXXX")
trap 'slurm_down; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

step "a one-node Slurm cluster"
slurm_up "$work/slurm" || fail "the Slurm daemons did not start (logs above)"
sinfo

# what demo.sbatch runs: this build, the repository's demo job
export CONCEPTLENS="$exe" CONCEPTLENS_JOB="$source_dir/jobs/demo.toml"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# submit NAME [SBATCH OPTIONS...]: the job id; results in $work/NAME, the job's output in $work/NAME.out
submit() {
  local name=$1
  shift
  CONCEPTLENS_OUT="$work/$name" sbatch --parsable -D "$work" -o "$work/$name.out" "$@" \
    "$source_dir/jobs/slurm/demo.sbatch"
}
field() { scontrol show job "$1" | grep -o "$2=[^ ]*" | head -n 1 | cut -d= -f2; }
# wait_for SECONDS WHAT COMMAND...: polls COMMAND every second
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local waited
  for ((waited = 0; waited < seconds; waited++)); do
    if "$@"; then return 0; fi
    sleep 1
  done
  echo "timed out after $seconds s waiting for $what"
  return 1
}
completed() { [ "$(field "$1" JobState)" = COMPLETED ]; }
cluster_running() { grep -q "cluster/.*: running" "$1" 2>/dev/null; }
show() { echo "--- $1"; cat "$1"; scontrol show job "$2" | grep -E "JobState|Restarts|RunTime" || true; }

step "1. the demo job, uninterrupted"
reference=$(submit reference)
wait_for 400 "job $reference to complete" completed "$reference" || { show "$work/reference.out" "$reference"; fail "job 1"; }
[ -s "$work/reference/summary.json" ] || fail "the uninterrupted job wrote no summary.json"
echo "job $reference: $(field "$reference" JobState), Restarts=$(field "$reference" Restarts)"

step "2. scontrol requeue while a clustering stage runs"
requeued=$(submit requeue)
wait_for 300 "a clustering stage of job $requeued" cluster_running "$work/requeue.out" || { show "$work/requeue.out" "$requeued"; fail "job 2"; }
scontrol requeue "$requeued"
echo "requeued job $requeued at: $(grep ": running" "$work/requeue.out" | tail -n 1)"
wait_for 400 "job $requeued to complete" completed "$requeued" || { show "$work/requeue.out" "$requeued"; fail "job 2"; }
show "$work/requeue.out" "$requeued" | grep -E "^run |complete, kept|JobState|Restarts" | sort | uniq -c | sort -rn | head -n 8
[ "$(field "$requeued" Restarts)" = 1 ] || fail "scontrol show job $requeued: Restarts=$(field "$requeued" Restarts), expected 1"
grep -q "^run 2 of job $requeued" "$work/requeue.out" || fail "the job did not run a second time"
grep -q "complete, kept" "$work/requeue.out" || fail "the requeued run kept no completed stage"
cmp "$work/reference/summary.json" "$work/requeue/summary.json" || fail "the requeued job's summary.json differs"
echo "job $requeued: requeued once, summary.json byte-identical to the uninterrupted job's"

step "3. the time limit: --time=2, ranks frozen once a clustering stage runs"
limited=$(submit timelimit --time=2)
wait_for 300 "a clustering stage of job $limited" cluster_running "$work/timelimit.out" || { show "$work/timelimit.out" "$limited"; fail "job 3"; }
ranks=$(pgrep -f "^$exe sweep .* --out $work/timelimit\$" || true)
[ -n "$ranks" ] || fail "no rank of job $limited found to freeze"
kill -STOP $ranks
echo "froze ranks $(echo $ranks) of job $limited at: $(grep ": running" "$work/timelimit.out" | tail -n 1)"
time_limit_reached() { grep -q "^TERM (time limit near" "$work/timelimit.out"; }
wait_for 200 "Slurm's TERM before the time limit" time_limit_reached || { show "$work/timelimit.out" "$limited"; fail "job 3"; }
kill -CONT $ranks 2>/dev/null || true  # let the TERM that the script passed on end them
requeued_pending() { [ "$(field "$limited" JobState)" = PENDING ] && [ "$(field "$limited" Restarts)" -ge 1 ]; }
wait_for 120 "job $limited to be requeued" requeued_pending || { show "$work/timelimit.out" "$limited"; fail "job 3 did not requeue itself"; }
# Slurm's TERM comes up to a minute before the limit, and this demo is short: give the requeued
# run the time a nightly's second run has (the rest of the study), so that one requeue suffices
scontrol update JobId="$limited" TimeLimit=15
wait_for 400 "job $limited to complete" completed "$limited" || { show "$work/timelimit.out" "$limited"; fail "job 3"; }
show "$work/timelimit.out" "$limited" | grep -E "^run |^TERM|complete, kept|JobState|Restarts" | sort | uniq -c | sort -rn | head -n 8
[ "$(field "$limited" Restarts)" = 1 ] || fail "job $limited: Restarts=$(field "$limited" Restarts), expected 1"
cmp "$work/reference/summary.json" "$work/timelimit/summary.json" || fail "the time-limited job's summary.json differs"
echo "job $limited: stopped by its time limit, requeued itself, summary.json byte-identical to the uninterrupted job's"

echo
echo "Slurm: all checks passed"

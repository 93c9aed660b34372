#!/usr/bin/env python3
"""How close `conceptlens sweep`'s time estimate comes to the time a study takes.

Runs a study (default: the bundled demo, jobs/demo.toml) with `mpirun -n RANKS conceptlens
sweep JOB --out FRESH_DIR`, --repeat times, each into a fresh folder, and compares what
run-log.json says was estimated before the run (from the rates measured at its start) with
what the run took: per stage kind, for the sweep (run-log.json's wall_seconds) and for the whole
command (process start, MPI and LibTorch start-up included). Also prints the processes' CPU
time and the load average before and after, so that a run on a shared machine shows itself.

  /usr/bin/python3 bench/bench_estimate.py [--job jobs/demo.toml] [--ranks 2] [--repeat 3]
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_once(args, out):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = ["mpirun", "--oversubscribe", "-n", str(args.ranks), args.exe, "sweep", args.job, "--out", out]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit("sweep failed:\n" + done.stdout[-3000:])
    with open(os.path.join(out, "run-log.json")) as f:
        log = json.load(f)
    kinds = defaultdict(lambda: [0, 0.0, 0.0])  # stages, estimate, actual
    for stage in log["stages"]:
        k = kinds[stage["id"].split("/")[0]]
        k[0] += 1
        k[1] += stage["estimate_seconds"]
        k[2] += stage["seconds"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"estimate": log["estimate"], "sweep": log["wall_seconds"], "command": wall, "cpu": cpu,
            "kinds": kinds, "load": (load, os.getloadavg()[0])}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--job", default=os.path.join(ROOT, "jobs", "demo.toml"))
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--exe", default=os.path.join(ROOT, "build", "mpi", "conceptlens"))
    args = parser.parse_args()
    print("# " + " ".join([sys.executable, "bench/bench_estimate.py", "--job", os.path.relpath(args.job, ROOT),
                           "--ranks", str(args.ranks), "--repeat", str(args.repeat)]))
    print("# OPENBLAS_CORETYPE=%s (unset: OpenBLAS picks its kernels)" % os.environ.get("OPENBLAS_CORETYPE", ""))
    runs = []
    scratch = tempfile.mkdtemp(prefix="conceptlens-bench-estimate-")
    try:
        for r in range(args.repeat):
            runs.append(run_once(args, os.path.join(scratch, "run%d" % r)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    for r, run in enumerate(runs):
        rates = run["estimate"]["rates"]
        print("\nrun %d: load average %.1f before, %.1f after; rates measured at start: float32 GEMM %.1f GFLOP/s "
              "(%d thread(s)), float64 GEMM %.1f GFLOP/s, memory %.1f GB/s, float32 candidate products %.1f GFLOP/s per rank"
              % (r + 1, run["load"][0], run["load"][1], rates["gemm32_gflops"], rates["threads"],
                 rates["gemm64_gflops"], rates["memory_gbps"], rates["candidates_gflops"]))
        print("%-10s %7s %12s %10s %16s" % ("stages", "count", "estimate s", "actual s", "actual/estimate"))
        for kind, (count, estimate, actual) in run["kinds"].items():
            print("%-10s %7d %12.2f %10.2f %16.2f" % (kind, count, estimate, actual, actual / estimate))
        estimate = run["estimate"]["wall_seconds"]
        print("study: estimate %.1f s; sweep %.1f s (x%.2f); whole command %.1f s (x%.2f); CPU %.1f s over %d ranks"
              % (estimate, run["sweep"], run["sweep"] / estimate, run["command"], run["command"] / estimate,
                 run["cpu"], args.ranks))
    ratios = [run["command"] / run["estimate"]["wall_seconds"] for run in runs]
    median = statistics.median(ratios)
    print("\nwhole command / estimate, median of %d: %.2f -> %s" % (
        len(runs), median, "within a factor of 2" if 0.5 <= median <= 2 else "NOT within a factor of 2"))


if __name__ == "__main__":
    main()

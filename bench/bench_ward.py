#!/usr/bin/python3
"""Ward clustering benchmark: conceptlens against fastcluster and scikit-learn, in one command.

Each tool clusters the same points in its own fresh child process, single-threaded:
  conceptlens            `conceptlens cluster --points P.npy --k K --out OUT.h5 --mode matrix`
                         (the NN-chain on the distance matrix)
  conceptlens-vector     the same with `--mode vector` (the lean mode: rounds of reciprocal
                         nearest neighbours, O(n*d) memory)
  conceptlens-np<P>      the matrix mode under `mpirun -n P` (sharded matrix; e.g.
                         conceptlens-np2); its peak RSS is that of the largest rank
  conceptlens-vector-np<P> the vector mode under `mpirun -n P` (sharded centroids; likewise)
  fastcluster            fastcluster.linkage(X, method='ward', metric='euclidean')
  fastcluster-vector     fastcluster.linkage_vector(X, method='ward', metric='euclidean')
  sklearn                sklearn.cluster.AgglomerativeClustering(n_clusters=K, linkage='ward',
                         compute_distances=True).fit(X), the call ConceptX makes
Printed per tool:
  * cluster s: wall time inside the child around the clustering only. For the Python peers
    that is the linkage call (sklearn: fit); loading the points, importing and cutting the
    tree are left out. For conceptlens it is its log line "Ward linkage done in X s" (reading
    the points and writing the outputs left out), else n/a;
  * process s: wall time of the whole child process (start, imports, load, cluster, write);
  * peak RSS: ru_maxrss of the child from os.wait4 (KiB on Linux), in MiB;
  * ratios of time and of peak memory to conceptlens (or, when it is skipped, to the first
    tool that ran);
  * ARI: adjusted Rand index of the tool's partition at K against fastcluster.linkage's
    partition (the first n-K merges; equal to scipy's cut_tree), and whether the linkage
    matches fastcluster.linkage's (same a, b, size, and heights within 1e-9 relative).
A second table says what each conceptlens run did, from its log (rank 0): the products'
BLAS kernel; for the matrix mode the chain steps and the time per step from the first merge
on; for the vector mode the rounds, merges per round (mean and most), searches per merge (of
clusters whose neighbour list ran empty), the first pass's time, the time in the float32
matrix products and its share of the clustering, the pairs the products bounded (per n^2/2),
the exact float64 re-checks, and the collectives and megabytes rank 0 received.
Every child gets OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1. OPENBLAS_CORETYPE is
passed on unchanged (unset by default) or set with --openblas-coretype, and is printed.

Example:
  /usr/bin/python3 bench/bench_ward.py --n 2000 --d 64 --k 50
  /usr/bin/python3 bench/bench_ward.py --skip sklearn,fastcluster-vector   # n=20000, d=768
  /usr/bin/python3 bench/bench_ward.py --n 50000 --tools conceptlens-vector-np2,conceptlens-np2
"""
import argparse
import importlib.util
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

from spawner import Spawner

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"

TOOLS = {
    "conceptlens": "conceptlens --mode matrix",
    "conceptlens-vector": "conceptlens --mode vector",
    "conceptlens-np2": "conceptlens --mode matrix, 2 ranks",
    "conceptlens-vector-np2": "conceptlens --mode vector, 2 ranks",
    "fastcluster": "fastcluster.linkage",
    "fastcluster-vector": "fastcluster.linkage_vector",
    "sklearn": "sklearn AgglomerativeClustering",
}
DEFAULT_TOOLS = ["conceptlens", "fastcluster", "fastcluster-vector", "sklearn"]
ALIASES = {v: k for k, v in TOOLS.items()}
ALIASES.update({"linkage": "fastcluster", "fastcluster.linkage": "fastcluster",
                "linkage_vector": "fastcluster-vector", "vector": "fastcluster-vector",
                "fastcluster.linkage_vector": "fastcluster-vector",
                "AgglomerativeClustering": "sklearn", "conceptlens-matrix": "conceptlens"})
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
REL_TOL = 1e-9


def tool_key(name):
    key = name if name in TOOLS else ALIASES.get(name)
    m = re.fullmatch(r"conceptlens(-vector)?-np([0-9]+)", name)
    if key is None and m:
        key = name
        TOOLS[key] = "conceptlens --mode %s, %s ranks" % ("vector" if m.group(1) else "matrix", m.group(2))
    if key is None:
        raise SystemExit("unknown tool %r; known: %s, conceptlens[-vector]-np<P>" % (name, ", ".join(TOOLS)))
    return key


def split_list(values):
    out = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


# ---------------------------------------------------------------------------------------------
# Child mode: one Python peer, timed around the clustering only.

def first_n_minus_k_cut(Z, n, k):
    """Partition after the first n-k merges of a scipy linkage, ids by first appearance."""
    import numpy as np
    parent = np.arange(2 * n - 1)

    def find(x):
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for i in range(n - k):
        parent[find(int(Z[i, 0]))] = n + i
        parent[find(int(Z[i, 1]))] = n + i
    roots = [find(i) for i in range(n)]
    return relabel(roots)


def relabel(labels):
    import numpy as np
    mapping = {}
    out = np.empty(len(labels), dtype=np.int32)
    for i, c in enumerate(labels):
        c = int(c)
        if c not in mapping:
            mapping[c] = len(mapping)
        out[i] = mapping[c]
    return out


def vm_rss_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def run_child(args):
    import numpy as np
    tool = args.child
    if tool in ("fastcluster", "fastcluster-vector"):
        import fastcluster
    elif tool == "sklearn":
        from sklearn.cluster import AgglomerativeClustering
    else:
        raise SystemExit("child mode does not run " + tool)
    t0 = time.perf_counter()
    X = np.load(args.points)
    t_load = time.perf_counter() - t0
    rss_before = vm_rss_mib()
    n = X.shape[0]
    Z = None
    t0 = time.perf_counter()
    if tool == "fastcluster":
        Z = fastcluster.linkage(X, method="ward", metric="euclidean")
    elif tool == "fastcluster-vector":
        Z = fastcluster.linkage_vector(X, method="ward", metric="euclidean")
    else:
        model = AgglomerativeClustering(n_clusters=args.k, linkage="ward",
                                        compute_distances=True).fit(X)
    t_cluster = time.perf_counter() - t0
    t0 = time.perf_counter()
    if Z is not None:
        labels = first_n_minus_k_cut(Z, n, args.k)
        np.save(args.linkage_out, Z)
    else:
        labels = relabel(model.labels_)
    t_cut = time.perf_counter() - t0
    np.save(args.labels_out, labels)
    with open(args.result_out, "w") as f:
        json.dump({"cluster_s": t_cluster, "load_s": t_load, "cut_s": t_cut,
                   "rss_before_mib": rss_before}, f)
    return 0


# ---------------------------------------------------------------------------------------------
# Parent mode.

def load_generator():
    path = os.path.join(REPO, "tests", "golden", "make_ward_golden.py")
    spec = importlib.util.spec_from_file_location("make_ward_golden", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def child_env(args):
    env = dict(os.environ)
    env.update(THREAD_ENV)
    if args.openblas_coretype is not None:
        if args.openblas_coretype == "":
            env.pop("OPENBLAS_CORETYPE", None)
        else:
            env["OPENBLAS_CORETYPE"] = args.openblas_coretype
    # Open MPI refuses to start as root without these (a singleton conceptlens is an MPI program).
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    return env


def run_tool_once(spawner, tool, args, points, work, env, rep):
    import numpy as np
    tag = "%s.%d" % (tool, rep)
    labels_path = os.path.join(work, tag + ".labels.npy")
    linkage_path = os.path.join(work, tag + ".linkage.npy")
    result_path = os.path.join(work, tag + ".json")
    log_path = os.path.join(work, tag + ".log")
    if tool.startswith("conceptlens"):
        out = os.path.join(work, tag + ".h5")
        mode = "vector" if tool.startswith("conceptlens-vector") else "matrix"
        cmd = [args.conceptlens, "cluster", "--points", points, "--k", str(args.k),
               "--out", out, "--mode", mode]
        ranks = re.search(r"-np([0-9]+)$", tool)
        if ranks:
            # mpirun waits for its ranks, so wait4's ru_maxrss is the largest rank's peak.
            import shutil
            cmd = [shutil.which("mpirun") or "/usr/bin/mpirun", "--oversubscribe", "-n", ranks.group(1)] + cmd
    else:
        cmd = [PYTHON, os.path.abspath(__file__), "--child", tool, "--points", points,
               "--k", str(args.k), "--labels-out", labels_path, "--linkage-out", linkage_path,
               "--result-out", result_path]
    rc, wall, maxrss_kib = spawner.run(cmd, env, args.timeout, log_path)
    res = {"cmd": cmd, "process_s": wall, "maxrss_kib": maxrss_kib, "rc": rc, "log": log_path,
           "cluster_s": None, "details": {}, "rss_before_mib": None, "labels": None, "linkage": None}
    if rc != 0:
        with open(log_path, "rb") as f:
            res["error"] = f.read()[-2000:].decode("utf-8", "replace")
        return res
    if tool.startswith("conceptlens"):
        import h5py
        with h5py.File(out, "r") as h5:
            key = "labels/k%d" % args.k
            if key not in h5:
                res["rc"] = "no /" + key
                res["error"] = "%s has no /%s (datasets: %s)" % (out, key, list(h5.keys()))
                return res
            res["labels"] = relabel(h5[key][()])
            res["linkage"] = h5["linkage"][()] if "linkage" in h5 else None
        # The log line "Ward linkage done in 12.34 s" (10 ms resolution), and what the run did.
        with open(log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        m = re.findall(r"Ward linkage done in ([0-9.]+) ?s", log)
        if m:
            res["cluster_s"] = float(m[-1])
            res["cluster_s_from"] = "log line"
        res["details"] = parse_details(log)
        os.remove(out)  # keep the temp dir small at large n
    else:
        with open(result_path) as f:
            r = json.load(f)
        res["cluster_s"] = r["cluster_s"]
        res["rss_before_mib"] = r["rss_before_mib"]
        res["labels"] = np.load(labels_path)
        if os.path.exists(linkage_path):
            res["linkage"] = np.load(linkage_path)
            os.remove(linkage_path)
    return res


def compare_linkage(Z, ref):
    import numpy as np
    if Z is None or ref is None:
        return "n/a"
    if Z.shape != ref.shape:
        return "shape %s" % (Z.shape,)
    same = np.all(Z[:, [0, 1, 3]] == ref[:, [0, 1, 3]], axis=1)
    if not same.all():
        return "differs at merge %d" % int(np.argmin(same))
    rel = float(np.max(np.abs(Z[:, 2] - ref[:, 2]) / np.maximum(np.abs(ref[:, 2]), 1e-300)))
    return "same (h %.0e)" % rel if rel <= REL_TOL else "heights %.1e rel" % rel


def fmt(x, spec):
    return "n/a" if x is None else format(x, spec)


def parse_details(log):
    """What a conceptlens run did, from its log lines (see the module docstring)."""
    out = {}
    m = re.findall(r"products: (.+)", log)
    if m:
        out["kernel"] = m[-1].strip()
    c = re.findall(r"chain: ([0-9]+) steps, [0-9.]+ s from the first merge, ([0-9.]+) us per step", log)
    if c:
        out["steps"] = int(c[-1][0])
        out["us_per_step"] = float(c[-1][1])
    r = re.findall(r"rounds: ([0-9]+) rounds, ([0-9]+) merges \(([0-9.]+) per round, at most ([0-9]+)\), "
                   r"([0-9]+) searches after the first pass \(([0-9.]+) per merge\), ([0-9]+) list updates; "
                   r"first pass ([0-9.]+) s, products ([0-9.]+) s of ([0-9.]+) s \(([0-9]+)%\), "
                   r"([0-9.e+]+) pairs bounded \(([0-9.]+) x n\^2/2\), ([0-9]+) exact re-checks; "
                   r"([0-9]+) collectives, ([0-9.]+) MB received", log)
    if r:
        v = r[-1]
        out.update({"rounds": int(v[0]), "merges_per_round": float(v[2]), "max_merges": int(v[3]),
                    "searches_per_merge": float(v[5]), "first_pass_s": float(v[7]),
                    "products_s": float(v[8]), "rounds_s": float(v[9]), "products_share": int(v[10]),
                    "pairs_rel": float(v[12]), "exact": int(v[13]), "collectives": int(v[14]),
                    "mb_received": float(v[15])})
    return out


def print_table(table):
    widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
    for i, r in enumerate(table):
        print("  ".join(str(c).ljust(w) if j == 0 else str(c).rjust(w)
                        for j, (c, w) in enumerate(zip(r, widths))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def default_warm_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return round(min(20.0, 0.8 * int(line.split()[1]) / (1 << 20)), 1)
    except OSError:
        pass
    return 0.0


def main():
    ap = argparse.ArgumentParser(
        description="Ward clustering: conceptlens vs fastcluster vs sklearn, one child process "
                    "per tool, single-threaded.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--n", type=int, default=20000, help="points to generate (default 20000)")
    ap.add_argument("--d", type=int, default=768, help="dimensions to generate (default 768)")
    ap.add_argument("--k", type=int, default=600, help="clusters to cut at (default 600)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the generated points")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool; times are medians")
    ap.add_argument("--points", help="use this .npy ([n, d] float32/float64) instead of "
                                     "generated points (--n/--d/--seed are then ignored)")
    ap.add_argument("--tools", action="append",
                    help="comma-separated tools to run, in order (default: %s; also: "
                         "conceptlens-vector)" % ",".join(DEFAULT_TOOLS))
    ap.add_argument("--skip", action="append", help="comma-separated tools to leave out "
                    "(e.g. sklearn,fastcluster-vector; 'conceptlens' skips both modes)")
    ap.add_argument("--conceptlens", default=os.path.join(REPO, "build", "mpi", "conceptlens"),
                    help="the conceptlens binary (default build/mpi/conceptlens in the repo)")
    ap.add_argument("--openblas-coretype", default=None,
                    help="set OPENBLAS_CORETYPE for every child ('' unsets it); default: "
                         "inherit this shell's setting")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per run (default none)")
    ap.add_argument("--base", default=None,
                    help="the tool the ratios divide by (default: the first conceptlens tool that ran)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--warm-memory-gib", type=float, default=default_warm_gib(),
                    help="touch this much memory once before the runs (default: 80%% of "
                         "MemAvailable, at most 20; 0: off)")
    # child mode (internal)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--labels-out", help=argparse.SUPPRESS)
    ap.add_argument("--linkage-out", help=argparse.SUPPRESS)
    ap.add_argument("--result-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return run_child(args)

    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    tools = [tool_key(t) for t in split_list(args.tools)] or list(DEFAULT_TOOLS)
    skip = set()
    for s in split_list(args.skip):
        if s == "conceptlens":
            skip.update(t for t in TOOLS if t.startswith("conceptlens"))
        else:
            skip.add(tool_key(s))
    tools = [t for t in tools if t not in skip]
    if not tools:
        raise SystemExit("no tools left to run")
    if any(t.startswith("conceptlens") for t in tools):
        args.conceptlens = os.path.abspath(args.conceptlens)
        if not os.access(args.conceptlens, os.X_OK):
            raise SystemExit("conceptlens binary not found at %s (build it, pass --conceptlens, "
                             "or --skip conceptlens)" % args.conceptlens)

    # The exact command line to reproduce this run, with every option resolved.
    repro = [PYTHON, os.path.relpath(os.path.abspath(__file__), os.getcwd())]
    if args.points:
        repro += ["--points", args.points]
    else:
        repro += ["--n", str(args.n), "--d", str(args.d), "--seed", str(args.seed)]
    repro += ["--k", str(args.k), "--repeat", str(args.repeat), "--tools", ",".join(tools)]
    if any(t.startswith("conceptlens") for t in tools):
        repro += ["--conceptlens", args.conceptlens]
    if args.openblas_coretype is not None:
        repro += ["--openblas-coretype", args.openblas_coretype]
    if args.timeout is not None:
        repro += ["--timeout", str(args.timeout)]
    if args.base is not None:
        repro += ["--base", args.base]
    repro += ["--warm-memory-gib", str(args.warm_memory_gib)]
    env = child_env(args)
    coretype = env.get("OPENBLAS_CORETYPE")
    print("# reproduce: " + " ".join(shlex.quote(c) for c in repro))
    print("# OPENBLAS_CORETYPE=%s (in every child); OMP/OPENBLAS/MKL_NUM_THREADS=1" %
          ("<unset>" if coretype is None else coretype))

    work = tempfile.mkdtemp(prefix="bench_ward.")
    try:
        if args.points:
            points = os.path.abspath(args.points)
            X = np.load(points, mmap_mode="r")
            print("# points: %s  n=%d d=%d %s" % (points, X.shape[0], X.shape[1], X.dtype))
            n = X.shape[0]
            del X
        else:
            gen = load_generator()
            rng = np.random.default_rng(args.seed)
            X, sizes, heavy = gen.make_points(args.n, args.d, rng, "float32")
            points = os.path.join(work, "points.npy")
            np.save(points, X)
            n = args.n
            print("# points: generated n=%d d=%d float32 seed=%d: %d Gaussian clusters (sizes "
                  "%d..%d), heavy-tailed dims %s (generator: tests/golden/make_ward_golden.py)"
                  % (n, args.d, args.seed, len(sizes), min(sizes), max(sizes), heavy))
            del X
        if not 1 <= args.k <= n:
            raise SystemExit("--k %d is not in 1..n=%d" % (args.k, n))
        import platform
        print("# host: %s, %d CPUs, python %s, numpy %s" % (
            platform.processor() or platform.machine(), os.cpu_count(),
            platform.python_version(), np.__version__))
        sys.stdout.flush()

        spawner = Spawner()
        if args.warm_memory_gib > 0:
            # On a virtual machine, the first touch of guest memory that the host has not backed
            # yet costs several times an ordinary page fault; which tool meets such memory first
            # is luck. Touch it all once, in a throwaway child, so every tool starts equal.
            warm = [sys.executable, "-c", "import numpy as np; a = np.ones(%d); a[::512] += 1"
                    % int(args.warm_memory_gib * (1 << 30) // 8)]
            t0 = time.time()
            spawner.run(warm, env, None, os.path.join(work, "warm.log"))
            print("# memory warm-up: touched %.1f GiB in a throwaway child (%.1f s)"
                  % (args.warm_memory_gib, time.time() - t0))
        rc, _, floor_kib = spawner.run(["/bin/true"], env, None, os.path.join(work, "true.log"))
        print("# peak RSS floor (ru_maxrss of /bin/true started by the spawner): %.1f MiB"
              % (floor_kib / 1024.0))
        if any(t.startswith("conceptlens") for t in tools):
            # What the executable holds before any data (its libraries, LibTorch's among them).
            rc, _, base_kib = spawner.run([args.conceptlens, "cluster", "--help"], env, None,
                                          os.path.join(work, "help.log"))
            print("# conceptlens's own peak RSS without data (cluster --help): %.1f MiB" % (base_kib / 1024.0))
        results = {}
        for tool in tools:
            runs = []
            for rep in range(args.repeat):
                r = run_tool_once(spawner, tool, args, points, work, env, rep)
                runs.append(r)
                status = "ok" if r["rc"] == 0 else ("TIMEOUT" if r["rc"] is None
                                                     else "FAILED rc=%s" % r["rc"])
                print("#   %-31s run %d: %s, process %.2f s, cluster %s s, peak %.1f MiB" % (
                    TOOLS[tool], rep + 1, status, r["process_s"], fmt(r["cluster_s"], ".2f"),
                    r["maxrss_kib"] / 1024.0))
                sys.stdout.flush()
                if r["rc"] != 0:
                    if r.get("error"):
                        print("#     " + r["error"].strip().replace("\n", "\n#     "))
                    break
            results[tool] = runs
        spawner.close()

        # Reference partition and linkage: fastcluster.linkage (else linkage_vector).
        ref_tool = next((t for t in ("fastcluster", "fastcluster-vector")
                         if t in results and results[t][-1]["rc"] == 0), None)
        ref_labels = results[ref_tool][-1]["labels"] if ref_tool else None
        ref_linkage = results[ref_tool][-1]["linkage"] if ref_tool else None
        ok = [t for t in tools if results[t][-1]["rc"] == 0]
        base = args.base if args.base in ok else next((t for t in ok if t.startswith("conceptlens")),
                                                      ok[0] if ok else None)

        rows = []
        for tool in tools:
            runs = results[tool]
            good = [r for r in runs if r["rc"] == 0]
            if len(good) < len(runs) or not good:
                rc = runs[-1]["rc"]
                rows.append([TOOLS[tool], "TIMEOUT" if rc is None else "FAILED"] + [""] * 8)
                continue
            cl = [r["cluster_s"] for r in good]
            details = dict(good[-1]["details"])
            for key in ("us_per_step", "first_pass_s", "products_s", "rounds_s", "products_share"):
                if key in details:  # medians over the runs, like the times
                    details[key] = statistics.median(r["details"][key] for r in good)
            row = {
                "cluster": statistics.median(cl) if None not in cl else None,
                "process": statistics.median(r["process_s"] for r in good),
                "peak": max(r["maxrss_kib"] for r in good) / 1024.0,
                "before": good[-1]["rss_before_mib"],
                "labels": good[-1]["labels"],
                "linkage": good[-1]["linkage"],
                "details": details,
            }
            results[tool] = row
            rows.append(row)
        b = results.get(base) if base else None
        print()
        print("Ward, n=%d, K=%d, single thread per process; ratios are tool / %s; ARI and linkage against %s"
              % (n, args.k, TOOLS[base] if base else "-", TOOLS[ref_tool] if ref_tool else "-"))
        table = [["tool", "cluster s", "process s", "peak RSS MiB", "RSS before MiB", "time ratio (cluster)",
                  "time ratio (process)", "memory ratio", "ARI", "linkage"]]
        for tool, row in zip(tools, rows):
            if isinstance(row, list):
                table.append(row)
                continue
            def ratio(key):
                if b is None or row[key] is None or b[key] is None or b[key] == 0:
                    return "n/a"
                return "%.2f" % (row[key] / b[key])
            ari = ("%.6f" % adjusted_rand_score(ref_labels, row["labels"])
                   if ref_labels is not None else "n/a")
            link = "ref" if tool == ref_tool else compare_linkage(row["linkage"], ref_linkage)
            table.append([TOOLS[tool], fmt(row["cluster"], ".3f"), "%.3f" % row["process"],
                          "%.1f" % row["peak"], fmt(row["before"], ".1f"), ratio("cluster"),
                          ratio("process"), "%.2f" % (row["peak"] / b["peak"]) if b else "n/a",
                          ari, link])
        print_table(table)
        runs_of = [(tool, row) for tool, row in zip(tools, rows)
                   if tool.startswith("conceptlens") and not isinstance(row, list)]
        if runs_of:
            print()
            print("What the conceptlens runs did (rank 0's log):")
            table = [["tool", "products", "chain steps", "us/step", "rounds", "merges/round (most)",
                      "searches/merge", "first pass s", "products s", "products %", "pairs / (n^2/2)",
                      "exact re-checks", "collectives", "MB received"]]
            for tool, row in runs_of:
                d = row["details"]
                get = lambda key, spec: fmt(d.get(key), spec)
                table.append([TOOLS[tool], d.get("kernel", "n/a"), get("steps", "d"), get("us_per_step", ".2f"),
                              get("rounds", "d"),
                              "%.1f (%d)" % (d["merges_per_round"], d["max_merges"]) if "rounds" in d else "n/a",
                              get("searches_per_merge", ".3f"), get("first_pass_s", ".2f"),
                              get("products_s", ".2f"), get("products_share", "d"), get("pairs_rel", ".2f"),
                              get("exact", "d"), get("collectives", "d"), get("mb_received", ".1f")])
            print_table(table)
        print()
        print("cluster s: inside the child, around the clustering call only (conceptlens: "
              "its log line 'Ward linkage "
              "done in X s', else n/a); process s: the whole child "
              "process. peak RSS: ru_maxrss from os.wait4. RSS before: the Python child's RSS "
              "after imports and loading the points. Times are medians over %d run(s)."
              % args.repeat)
        failed = [t for t in tools if isinstance(results[t], list)]
        return 1 if failed else 0
    finally:
        if args.keep:
            print("# kept " + work)
        else:
            import shutil
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

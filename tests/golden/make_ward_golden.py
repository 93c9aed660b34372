#!/usr/bin/python3
"""Golden Ward linkages and flat partitions from fastcluster (the reference ConceptLens matches).

Writes, for every case in CASES, into tests/golden/ward/ (or --out):

  <case>.points.npy        the input points, float32 or float64, C order, [n, d]
  <case>.linkage.npy       float64 [n-1, 4]: fastcluster.linkage(X64, method='ward',
                           metric='euclidean') (scipy format: a, b, height, size)
  <case>.labels_k<K>.npy   int32 [n]: scipy.cluster.hierarchy.cut_tree(Z, n_clusters=K),
                           relabelled 0..K-1 in order of first appearance over point index

X64 is the input converted to float64 (exact for the float32 case).

The point sets imitate transformer word activations: Gaussian clusters of very different sizes
(2..300 points) and spreads around a shared anisotropic mean, centres on a low-rank subspace, and
a few heavy-tailed "outlier" dimensions (large offset + Student-t noise, like BERT's outlier
dimensions). Every case is checked to be tie-free before it is written:
  * fastcluster.linkage, fastcluster.linkage_vector and scipy.cluster.hierarchy.ward(pdist(X))
    give the same a, b and size columns, and heights within 1e-9 relative;
  * consecutive sorted merge heights differ by more than 1e-9 relative (so the stable sort by
    height, and therefore every cut, cannot depend on rounding);
  * cut_tree agrees with an independent union-find over the first n-K merges, and with
    sklearn.cluster.AgglomerativeClustering(n_clusters=K, linkage='ward') (what ConceptX calls)
    run on the points as stored.
A seed that fails is replaced by seed + 1 (and the seed used is printed and recorded).

With --random N D SEED, writes one larger case into --out instead (the random-set test of
tests/golden/test_ward_golden.cpp, too big to commit): random.points.npy (float32, make_points
with that seed) and random.linkage.npy (fastcluster.linkage_vector of it in float64); exits
with status 3 when two merge heights lie within 1e-9 relative (not tie-free).

Usage:
  /usr/bin/python3 tests/golden/make_ward_golden.py            # (re)write tests/golden/ward/
  /usr/bin/python3 tests/golden/make_ward_golden.py --check    # regenerate in memory, compare
  /usr/bin/python3 tests/golden/make_ward_golden.py --random 20000 16 2 --out /tmp/case
"""
import argparse
import os
import sys

import numpy as np

# (name, n, d, dtype, base seed, Ks)
CASES = [
    ("n40_d3", 40, 3, "float64", 101, [2, 5, 10]),
    ("n200_d16", 200, 16, "float64", 202, [2, 5, 10, 50]),
    ("n500_d64", 500, 64, "float64", 303, [2, 5, 10, 50, 100]),
    ("n1200_d32_f32", 1200, 32, "float32", 404, [2, 5, 10, 50, 100, 600]),
    ("n3000_d8", 3000, 8, "float64", 505, [2, 5, 10, 50, 100, 600, 1000]),
]

REL_TOL = 1e-9
MAX_TRIES = 50


def cluster_sizes(n, rng, lo=2, hi=300):
    """Sizes >= lo summing to n, drawn log-uniformly in [lo, min(hi, n/2)] (many small, a few
    large)."""
    hi = max(lo + 1, min(hi, n // 2))
    sizes = []
    left = n
    while left > 0:
        s = int(round(np.exp(rng.uniform(np.log(lo), np.log(hi)))))
        s = max(lo, min(s, hi))
        if left - s < lo:  # never leave a remainder smaller than lo
            s = left
        sizes.append(s)
        left -= s
    return sizes


def make_points(n, d, rng, dtype="float64"):
    """Activation-like points [n, d]; rows are shuffled so clusters are interleaved in index order."""
    sizes = cluster_sizes(n, rng)
    r = min(d, 16)
    basis = rng.normal(0.0, 1.0, size=(r, d)) / np.sqrt(r)
    mean = rng.normal(0.0, 0.5, size=d)             # shared anisotropic offset (BERT's mean vector)
    dim_scale = np.exp(rng.normal(0.0, 0.35, size=d))  # per-dimension spread
    n_heavy = 1 if d < 8 else (2 if d < 32 else 3)
    heavy = rng.choice(d, size=n_heavy, replace=False)
    heavy_offset = rng.choice([-1.0, 1.0], size=n_heavy) * rng.uniform(4.0, 12.0, size=n_heavy)
    blocks = []
    for s in sizes:
        centre = mean + 3.0 * (rng.normal(0.0, 1.0, size=r) @ basis) + 0.3 * rng.normal(size=d)
        spread = np.exp(rng.uniform(np.log(0.15), np.log(1.2)))
        blocks.append(centre + spread * dim_scale * rng.normal(size=(s, d)))
    X = np.concatenate(blocks, axis=0)
    # Heavy-tailed outlier dimensions: a large common offset plus Student-t (df=3) noise.
    X[:, heavy] = heavy_offset + 1.5 * rng.standard_t(3.0, size=(n, n_heavy))
    X = X[rng.permutation(n)]
    return np.ascontiguousarray(X.astype(dtype)), sizes, sorted(int(h) for h in heavy)


def relabel_first_appearance(labels):
    """Cluster ids 0..K-1 in order of first appearance over point index."""
    labels = np.asarray(labels).ravel()
    mapping = {}
    out = np.empty(labels.shape[0], dtype=np.int32)
    for i, c in enumerate(labels.tolist()):
        if c not in mapping:
            mapping[c] = len(mapping)
        out[i] = mapping[c]
    return out


def union_find_cut(Z, n, k):
    """Partition after the first n-k merges of a scipy linkage (independent of cut_tree)."""
    parent = list(range(2 * n - 1))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in range(n - k):
        a, b = int(Z[i, 0]), int(Z[i, 1])
        parent[find(a)] = n + i
        parent[find(b)] = n + i
    return relabel_first_appearance([find(i) for i in range(n)])


def check_tie_free(X64):
    """Returns (Z, report) when the three reference implementations agree and heights are
    separated; (None, reason) otherwise."""
    import fastcluster
    from scipy.cluster.hierarchy import ward
    from scipy.spatial.distance import pdist

    Z = fastcluster.linkage(X64, method="ward", metric="euclidean")
    Zv = fastcluster.linkage_vector(X64, method="ward", metric="euclidean")
    Zs = ward(pdist(X64))
    for name, other in (("linkage_vector", Zv), ("scipy.ward", Zs)):
        if not np.array_equal(Z[:, [0, 1, 3]], other[:, [0, 1, 3]]):
            return None, "a/b/size differ between fastcluster.linkage and " + name
        rel = np.max(np.abs(Z[:, 2] - other[:, 2]) / np.maximum(np.abs(Z[:, 2]), 1e-300))
        if rel > REL_TOL:
            return None, "heights differ by %.3g relative vs %s" % (rel, name)
    h = Z[:, 2]
    if np.any(np.diff(h) < 0):
        return None, "heights not sorted"
    gaps = np.diff(h) / np.maximum(h[1:], 1e-300)
    min_gap = float(gaps.min()) if gaps.size else float("inf")
    if min_gap <= REL_TOL:
        return None, "two merge heights within %.3g relative" % min_gap
    return Z, {"min_rel_gap": min_gap,
               "max_rel_vs_vector": float(np.max(np.abs(Z[:, 2] - Zv[:, 2]) / h)),
               "max_rel_vs_scipy": float(np.max(np.abs(Z[:, 2] - Zs[:, 2]) / h))}


def build_case(name, n, d, dtype, base_seed, ks):
    from scipy.cluster.hierarchy import cut_tree
    from sklearn.cluster import AgglomerativeClustering

    for attempt in range(MAX_TRIES):
        seed = base_seed + attempt
        rng = np.random.default_rng(seed)
        X, sizes, heavy = make_points(n, d, rng, dtype)
        Z, report = check_tie_free(X.astype(np.float64))
        if Z is None:
            print("  %s: seed %d rejected: %s" % (name, seed, report))
            continue
        labels = {}
        for k in ks:
            lab = relabel_first_appearance(cut_tree(Z, n_clusters=k)[:, 0])
            if not np.array_equal(lab, union_find_cut(Z, n, k)):
                raise SystemExit("%s: cut_tree and union-find disagree at K=%d" % (name, k))
            if lab.max() + 1 != k:
                raise SystemExit("%s: K=%d gave %d clusters" % (name, k, lab.max() + 1))
            sk = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(X).labels_
            if not np.array_equal(lab, relabel_first_appearance(sk)):
                raise SystemExit("%s: sklearn disagrees with cut_tree at K=%d" % (name, k))
            labels[k] = lab
        return X, Z, labels, seed, sizes, heavy, report
    raise SystemExit("%s: no tie-free seed in %d tries from %d" % (name, MAX_TRIES, base_seed))


def random_case(n, d, seed, out):
    """One tie-free case of make_points in `out`: random.points.npy and random.linkage.npy."""
    import fastcluster
    X, _, _ = make_points(n, d, np.random.default_rng(seed), "float32")
    Z = fastcluster.linkage_vector(X.astype(np.float64), method="ward", metric="euclidean")
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "random.points.npy"), X)
    np.save(os.path.join(out, "random.linkage.npy"), Z)
    h = Z[:, 2]
    gaps = np.diff(h) / np.maximum(h[1:], 1e-300)
    if gaps.size and gaps.min() <= REL_TOL:
        print("n=%d d=%d seed=%d: two merge heights within %.3g relative" % (n, d, seed, gaps.min()))
        return 3
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "ward"), help="output folder")
    ap.add_argument("--check", action="store_true",
                    help="do not write; regenerate and compare with the files in --out")
    ap.add_argument("--random", nargs=3, type=int, metavar=("N", "D", "SEED"),
                    help="write one random case (points and fastcluster's linkage) into --out")
    args = ap.parse_args()
    if args.random:
        return random_case(*args.random, args.out)

    import fastcluster
    import scipy
    import sklearn
    print("numpy %s, scipy %s, fastcluster %s, sklearn %s, python %s" % (
        np.__version__, scipy.__version__, fastcluster.__version__, sklearn.__version__,
        sys.version.split()[0]))
    if not args.check:
        os.makedirs(args.out, exist_ok=True)
    bad = 0
    for name, n, d, dtype, base_seed, ks in CASES:
        X, Z, labels, seed, sizes, heavy, report = build_case(name, n, d, dtype, base_seed, ks)
        print("%s: n=%d d=%d %s seed=%d Ks=%s clusters=%d (sizes %d..%d) heavy dims=%s "
              "min rel height gap=%.2e, max rel diff vs linkage_vector=%.1e, vs scipy=%.1e" % (
                  name, n, d, dtype, seed, ks, len(sizes), min(sizes), max(sizes), heavy,
                  report["min_rel_gap"], report["max_rel_vs_vector"], report["max_rel_vs_scipy"]))
        files = {name + ".points.npy": X, name + ".linkage.npy": Z}
        for k, lab in labels.items():
            files["%s.labels_k%d.npy" % (name, k)] = lab
        for fn, arr in files.items():
            path = os.path.join(args.out, fn)
            if args.check:
                old = np.load(path)
                if old.dtype != arr.dtype or not np.array_equal(old, arr):
                    print("  MISMATCH " + fn)
                    bad += 1
            else:
                np.save(path, arr)
    if args.check:
        print("check: %s" % ("OK" if bad == 0 else "%d mismatching files" % bad))
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

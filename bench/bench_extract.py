#!/usr/bin/python3
"""Extraction benchmark: `conceptlens extract` (batched, 1 or 2 ranks; one sentence at a time;
in bfloat16) against NeuroX's way of working in Python, and against the machine's GEMM
throughput, for a BERT-base-sized and a GPT-2-small-sized model (--families; both by default,
in the same run).

For each OpenBLAS setting (--settings; default: OPENBLAS_CORETYPE unset, then SkylakeX; the
variable is set for every process of that setting, the Python peer and mpirun's ranks included)
and each family it runs, with medians over --repeats runs (the runs of the tools are
interleaved: repeat 1 of every tool, then repeat 2, ...):

  gemm                   build/bench/conceptlens_bench_gemm: LibTorch's at::linear GFLOP/s for
                         the four BERT-base products (QKV 768->2304, attention output 768->768,
                         intermediate 768->3072, output 3072->768) at M = --gemm-tokens rows,
                         at 2 threads (1 process), 1 thread, and 1 thread in 2 processes at once
  conceptlens            conceptlens extract, 1 rank x 2 threads (--threads 2)
  conceptlens-np2        mpirun --bind-to none -n 2 conceptlens extract --threads 1
  conceptlens-unbatched  conceptlens extract --batch-tokens 1 (every batch one sentence, no
                         padding: NeuroX's way inside conceptlens), 1 rank x 2 threads
  conceptlens-bf16       conceptlens extract --compute-dtype bfloat16, 1 rank x 2 threads (its
                         vectors are compared with conceptlens's float32 ones: the deviation)
  neurox-way-python      bench/neurox_way.py: one sentence at a time, a transformers-style BERT
                         or GPT-2 forward in PyTorch (the same LibTorch 1.13), 2 threads

The models (bench/make_random_model.py, random weights): bert = BERT-base (12 layers, 768
hidden, the real bert-base-cased vocabulary); gpt2 = GPT-2 small (12 layers, 768 hidden, 50257
embeddings, GPT-2's byte-level BPE with the small vocabulary of the test fixtures).
All extractions: every layer (embeddings + 12), vectors stored float32, aggregation last,
default batch tokens. conceptlens's start line gives its memory estimate per rank (weights +
activations), printed beside the measured peak RSS.

Printed per tool:
  * model s / model words/s: the model phase. conceptlens: from its log line "extract: wrote OUT
    (W words, S s, R words/s)", seconds = W / R (after reading the weights and tokenizing, it
    covers the forward passes and writing the HDF5 file). neurox-way-python: its per-sentence
    loop (forward, hidden states to numpy, word aggregation, h5py dataset per sentence);
  * process s / process words/s: the wall clock of the whole process, measured from outside
    (start, loading the weights, tokenizing, the model phase, writing, exit; under mpirun: the
    whole mpirun);
  * speed-ups (model phase, then whole process) against conceptlens-unbatched and against
    neurox-way-python;
  * useful GFLOP/s and the share of GEMM: useful FLOPs / model s / the GEMM GFLOP/s at the same
    total threads (2 threads in 1 process; for conceptlens-np2, the sum of 2 one-thread
    processes running at once). Useful FLOPs = sum over sentences of, per layer,
    2*T*(4*H*H + 2*H*I) + 4*T*T*H, with T the sentence's tokens including [CLS]/[SEP] for BERT
    (counted by neurox_way.py's tokenizer); padding, the embeddings, softmax, LayerNorm, gelu and
    the pooler are not counted (a decoder computes the whole T x T score matrix too);
  * peak RSS: ru_maxrss of the process from os.wait4 (under mpirun: the largest rank's).

Everything generated (the random BERT-base checkpoint, corpus excerpts, logs, the results JSON)
goes under bench/.cache/ (git-ignored); activation files are deleted after each run.

Examples:
  /usr/bin/python3 bench/bench_extract.py                        # the full measurement
  /usr/bin/python3 bench/bench_extract.py --sentences 20 --repeats 1 --model-layers 2 \\
      --model-hidden 128 --gemm-tokens 256 --warm-memory-gib 0   # a quick check
"""
import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

from spawner import Spawner

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"
CACHE = os.path.join(HERE, ".cache")

TOOLS = ["conceptlens", "conceptlens-np2", "conceptlens-unbatched", "conceptlens-bf16", "neurox-way-python"]
ALL_TOOLS = ["gemm"] + TOOLS
FAMILIES = ["bert", "gpt2"]
LABEL = {
    "conceptlens": "conceptlens 1x{t}",
    "conceptlens-np2": "conceptlens-np2 {t}x1",
    "conceptlens-unbatched": "conceptlens-unbatched 1x{t}",
    "conceptlens-bf16": "conceptlens-bf16 1x{t}",
    "neurox-way-python": "neurox-way-python {t}t",
}


def split_list(values):
    out = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def tail(path, n=1500):
    text = read_text(path).strip()
    return text[-n:]


# ---------------------------------------------------------------------------------------------

def machine_facts():
    model = platform.processor() or platform.machine()
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model in ("", platform.machine(), "x86_64"):
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    fl = line.split(":", 1)[1].split()
                    flags = ",".join(x for x in ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile") if x in fl)
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = "%.1f GiB RAM" % (int(line.split()[1]) / (1 << 20))
    except OSError:
        pass
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return "%s (%s), %d CPUs (%d in this process's affinity), %s" % (model, flags, os.cpu_count(), affinity, mem)


def versions():
    out = ["python %s" % platform.python_version()]
    try:
        r = subprocess.run([PYTHON, "-c", "import numpy, torch; print(numpy.__version__, torch.__version__)"],
                           capture_output=True, text=True, timeout=120)
        np_v, torch_v = r.stdout.split()
        out += ["numpy %s" % np_v, "python torch %s" % torch_v]
    except Exception:  # noqa: BLE001
        pass
    try:
        r = subprocess.run(["mpirun", "--version"], capture_output=True, text=True, timeout=60)
        out.append(r.stdout.splitlines()[0])
    except Exception:  # noqa: BLE001
        pass
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libopenblas0-pthread"],
                           capture_output=True, text=True, timeout=60)
        if r.returncode == 0:
            out.append("OpenBLAS %s (libopenblas0-pthread)" % r.stdout.strip())
    except Exception:  # noqa: BLE001
        pass
    return ", ".join(out)


def base_env():
    env = dict(os.environ)
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.pop("OPENBLAS_VERBOSE", None)
    return env


def setting_env(setting):
    env = base_env()
    if setting == "unset":
        env.pop("OPENBLAS_CORETYPE", None)
    else:
        env["OPENBLAS_CORETYPE"] = setting
    return env


def thread_env(env, threads):
    env = dict(env)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[k] = str(threads)
    return env


def openblas_core(gemm_exe, env):
    """The kernel set OpenBLAS picks under env (OPENBLAS_VERBOSE=2 prints 'Core: X')."""
    e = dict(env)
    e["OPENBLAS_VERBOSE"] = "2"
    try:
        r = subprocess.run([gemm_exe, "--threads", "1", "--tokens", "16", "--repeats", "1", "--warmup", "0"],
                           env=e, capture_output=True, text=True, timeout=120)
        m = re.search(r"Core: (\S+)", r.stdout + r.stderr)
        return m.group(1) if m else "?"
    except Exception:  # noqa: BLE001
        return "?"


def model_family(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        return "gpt2" if json.load(f).get("model_type") == "gpt2" else "bert"


def ensure_model(args, family):
    if args.model:
        return os.path.abspath(args.model)
    cmd = [PYTHON, os.path.join(HERE, "make_random_model.py"), "--family", family, "--layers", str(args.model_layers),
           "--hidden", str(args.model_hidden)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("make_random_model.py failed:\n" + r.stderr)
    sys.stderr.write(r.stderr)
    return r.stdout.strip().splitlines()[-1]


def ensure_corpus(args):
    corpus = os.path.abspath(args.corpus)
    if not args.sentences:
        return corpus
    with open(corpus, encoding="utf-8") as f:
        lines = [line for _, line in zip(range(args.sentences), f)]
    if len(lines) < args.sentences:
        raise SystemExit("%s has only %d sentences (--sentences %d)" % (corpus, len(lines), args.sentences))
    os.makedirs(os.path.join(CACHE, "corpus"), exist_ok=True)
    base = os.path.splitext(os.path.basename(corpus))[0]
    path = os.path.join(CACHE, "corpus", "%s.first%d.in" % (base, args.sentences))
    text = "".join(lines)
    if not os.path.exists(path) or read_text(path) != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return path


def useful_flops(model_dir, corpus, work):
    """Token counts per sentence from neurox_way.py's tokenizer and the FLOPs of the products."""
    counts_path = os.path.join(work, "token_counts.json")
    r = subprocess.run([PYTHON, os.path.join(HERE, "neurox_way.py"), "--model", model_dir, "--corpus", corpus,
                        "--token-counts", counts_path], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("neurox_way.py --token-counts failed:\n" + r.stderr)
    with open(counts_path) as f:
        counts = json.load(f)
    with open(os.path.join(model_dir, "config.json")) as f:
        c = json.load(f)
    L = c.get("num_hidden_layers", c.get("n_layer"))
    H = c.get("hidden_size", c.get("n_embd"))
    I = c.get("intermediate_size", c.get("n_inner")) or 4 * H
    flops = 0
    for T in counts["tokens"]:
        flops += L * (2 * T * (4 * H * H + 2 * H * I) + 4 * T * T * H)
    counts.update({"flops": flops, "layers": L, "hidden": H, "intermediate": I})
    return counts


# ---------------------------------------------------------------------------------------------

def run_gemm(spawner, args, env, threads, log):
    cmd = [args.gemm, "--threads", str(threads), "--tokens", str(args.gemm_tokens)]
    rc, wall, _ = spawner.run(cmd, thread_env(env, threads), args.timeout, log)
    if rc != 0:
        return None, tail(log)
    m = re.search(r"^gemm_gflops ([0-9.]+)", read_text(log), re.M)
    return (float(m.group(1)) if m else None), None


def run_gemm_pair(args, env, logs):
    """len(logs) one-thread processes at once; the sum of their GFLOP/s."""
    cmd = [args.gemm, "--threads", "1", "--tokens", str(args.gemm_tokens)]
    procs = []
    for log in logs:
        f = open(log, "w")
        procs.append((subprocess.Popen(cmd, env=thread_env(env, 1), stdout=f, stderr=subprocess.STDOUT), f))
    total = 0.0
    err = None
    for p, f in procs:
        try:
            rc = p.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
            err = "timeout"
        f.close()
        if rc != 0 and err is None:
            err = tail(f.name)
    if err:
        return None, err
    for log in logs:
        m = re.search(r"^gemm_gflops ([0-9.]+)", read_text(log), re.M)
        if not m:
            return None, tail(log)
        total += float(m.group(1))
    return total, None


def tool_cmd(tool, args, model, corpus, out, result):
    t = args.threads
    if tool == "neurox-way-python":
        return [PYTHON, os.path.join(HERE, "neurox_way.py"), "--model", model, "--corpus", corpus,
                "--threads", str(t), "--out", out, "--result", result]
    cmd = [args.conceptlens, "extract", "--model", model, "--corpus", corpus, "--out", out,
           "--layers", "all", "--dtype", "float32", "--aggregation", "last"]
    if tool == "conceptlens-np2":
        mpirun = shutil.which("mpirun") or "/usr/bin/mpirun"
        return [mpirun, "--oversubscribe", "--bind-to", "none", "-n", str(t)] + cmd + [
            "--threads", "1", "--batch-tokens", str(args.batch_tokens)]
    bt = 1 if tool == "conceptlens-unbatched" else args.batch_tokens
    dtype = ["--compute-dtype", "bfloat16"] if tool == "conceptlens-bf16" else []
    return cmd + ["--threads", str(t), "--batch-tokens", str(bt)] + dtype


START_RE = re.compile(r"extract: (\d+) sentences, (\d+) words, (?:\d+ tokens \([0-9.]+% padding\), )?(\d+) layers of .* in (\d+) batches on (\d+) "
                      r"ranks \((\d+) threads each\)")
WROTE_RE = re.compile(r"extract: wrote .* \((\d+) words, ([0-9.]+) s, ([0-9.]+) words/s\)")
MEMORY_RE = re.compile(r"weights ([0-9.]+) (B|KiB|MiB|GiB|TiB) \(\w+\) \+ activations ([0-9.]+) (B|KiB|MiB|GiB|TiB) per rank")
UNITS = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def cross_check_act(a_h5, b_h5):
    """Max |difference| between two conceptlens ACT.h5 files, over every layer, and the largest |value|."""
    import h5py
    import numpy as np
    worst, scale = 0.0, 0.0
    with h5py.File(a_h5, "r") as a, h5py.File(b_h5, "r") as b:
        for layer in a["layers"]:
            x, y = a["layers"][layer][()], b["layers"][layer][()]
            worst = max(worst, float(np.max(np.abs(x - y))))
            scale = max(scale, float(np.max(np.abs(y))))
    return worst, scale


def cross_check(conceptlens_h5, neurox_h5, layers):
    """Max |difference| between conceptlens's ACT.h5 (/layers/L: [words, H]) and the Python peer's
    NeuroX-layout file (one [layers, words, H] dataset per sentence), layer by layer."""
    import h5py
    import numpy as np
    worst, scale = 0.0, 0.0
    with h5py.File(conceptlens_h5, "r") as a, h5py.File(neurox_h5, "r") as n:
        sentences = sorted((k for k in n.keys() if k.isdigit()), key=int)
        for layer in range(layers):
            ours = np.concatenate([n[k][layer] for k in sentences], axis=0)
            theirs = a["layers/%d" % layer][()]
            if ours.shape != theirs.shape:
                return None, "shapes differ at layer %d: %s vs %s" % (layer, theirs.shape, ours.shape)
            worst = max(worst, float(np.max(np.abs(ours - theirs))))
            scale = max(scale, float(np.max(np.abs(ours))))
    return worst, scale


def run_tool(spawner, tool, args, env, model, corpus, work, tag, keep=False):
    out = os.path.join(work, tag + ".h5")
    result = os.path.join(work, tag + ".json")
    log = os.path.join(work, tag + ".log")
    for p in (out, result):
        if os.path.exists(p):
            os.remove(p)
    cmd = tool_cmd(tool, args, model, corpus, out, result)
    per_rank_threads = 1 if tool == "conceptlens-np2" else args.threads
    rc, wall, maxrss = spawner.run(cmd, thread_env(env, per_rank_threads), args.timeout, log)
    res = {"tool": tool, "cmd": cmd, "rc": rc, "process_s": wall, "maxrss_kib": maxrss, "log": log}
    try:
        if rc != 0:
            res["error"] = tail(log)
            return res
        if tool == "neurox-way-python":
            with open(result) as f:
                r = json.load(f)
            res.update(words=r["words"], model_s=r["loop_s"], forward_s=r["forward_s"], threads=r["torch_threads"])
        else:
            text = read_text(log)
            m = START_RE.search(text)
            w = WROTE_RE.search(text)
            if not m or not w:
                res["rc"] = "no log line"
                res["error"] = tail(log)
                return res
            words, rate = int(w.group(1)), float(w.group(3))
            res.update(words=words, model_s=words / rate if rate > 0 else float(w.group(2)),
                       batches=int(m.group(4)), ranks=int(m.group(5)), threads=int(m.group(6)))
            mem = MEMORY_RE.search(text)
            if mem:
                res["estimate_mib"] = (float(mem.group(1)) * UNITS[mem.group(2)] +
                                       float(mem.group(3)) * UNITS[mem.group(4)]) / (1 << 20)
        return res
    finally:
        res["out"] = out
        if not (keep or args.keep_outputs) and os.path.exists(out):
            os.remove(out)


def fmt(x, spec, na="n/a"):
    return na if x is None else format(x, spec)


def print_table(head, rows):
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    for i, r in enumerate([head] + rows):
        print("  ".join(str(c).ljust(w) if j == 0 else str(c).rjust(w)
                        for j, (c, w) in enumerate(zip(r, widths))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def default_warm_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return round(min(8.0, 0.5 * int(line.split()[1]) / (1 << 20)), 1)
    except OSError:
        pass
    return 0.0


def run_family(spawner, args, env, setting, family, model, counts, corpus, work, gemm, run_tools, check):
    """Every tool's runs on one model under one OpenBLAS setting; prints them and the table.
    Returns (record for the results JSON, failed)."""
    t = args.threads
    words = counts["words"]
    failed = False
    record = {}
    print("### %s: %s" % (family, model))
    runs = {tool: [] for tool in run_tools}
    for rep in range(args.repeats):
        for tool in run_tools:
            keep = check and rep == 0 and tool in ("conceptlens", "neurox-way-python", "conceptlens-bf16")
            r = run_tool(spawner, tool, args, env, model, corpus, work, "%s.%s.%s.%d" % (setting, family, tool, rep),
                         keep)
            runs[tool].append(r)
            label = LABEL[tool].format(t=t)
            if r["rc"] != 0:
                failed = True
                print("#   %-28s run %d: %s after %.2f s\n#     %s" % (
                    label, rep + 1, "TIMEOUT" if r["rc"] is None else "FAILED rc=%s" % r["rc"],
                    r["process_s"], r.get("error", "").replace("\n", "\n#     ")))
            else:
                extra = ""
                if "batches" in r:
                    extra = ", %d batches on %d ranks x %d threads" % (r["batches"], r["ranks"], r["threads"])
                if "forward_s" in r:
                    extra = ", forward alone %.2f s" % r["forward_s"]
                print("#   %-28s run %d: model %.2f s, process %.2f s, peak %.1f MiB%s" % (
                    label, rep + 1, r["model_s"], r["process_s"], r["maxrss_kib"] / 1024.0, extra))
                if r["words"] != words:
                    print("#     WARNING: %d words, the Python tokenizer counted %d" % (r["words"], words))
            sys.stdout.flush()
        if check and rep == 0:
            first = {tool: runs[tool][0] for tool in runs}
            a = first.get("conceptlens")
            n = first.get("neurox-way-python")
            if a and n and a["rc"] == 0 and n["rc"] == 0:
                worst, scale = cross_check(a["out"], n["out"], counts["layers"] + 1)
                if worst is None:
                    print("# cross-check FAILED: " + scale)
                    failed = True
                else:
                    ok = worst <= 1e-3 * max(scale, 1.0)
                    print("# cross-check: conceptlens's and neurox-way-python's word vectors (run 1, all layers) "
                          "differ by at most %.2g (largest |value| %.3g)%s" % (worst, scale, "" if ok else
                                                                                " -- MISMATCH"))
                    failed = failed or not ok
                    record["cross_check_max_abs_diff"] = worst
            b = first.get("conceptlens-bf16")
            if a and b and a["rc"] == 0 and b["rc"] == 0:
                worst, scale = cross_check_act(b["out"], a["out"])
                print("# bfloat16: conceptlens-bf16's word vectors differ from conceptlens's float32 ones by at most "
                      "%.3g (largest |value| %.3g, relative %.2g; all layers, run 1)" % (worst, scale, worst / scale))
                record["bf16_max_abs_diff"] = worst
                record["bf16_scale"] = scale
            if not args.keep_outputs:
                for r in first.values():
                    if os.path.exists(r["out"]):
                        os.remove(r["out"])
            sys.stdout.flush()

    summary = {}
    for tool in run_tools:
        good = [r for r in runs[tool] if r["rc"] == 0]
        if not good or len(good) < len(runs[tool]):
            summary[tool] = None
            continue
        s = {"model_s": statistics.median(r["model_s"] for r in good),
             "process_s": statistics.median(r["process_s"] for r in good),
             "peak_mib": max(r["maxrss_kib"] for r in good) / 1024.0,
             "estimate_mib": good[-1].get("estimate_mib"),
             "words": good[-1]["words"]}
        if "forward_s" in good[-1]:
            s["forward_s"] = statistics.median(r["forward_s"] for r in good)
        ref_key = ("%dx1t" % t if tool == "conceptlens-np2" else "%dt" % t) if t > 1 else "1t"
        s["gemm_ref"] = gemm.get(ref_key)
        s["gemm_ref_key"] = ref_key
        s["useful_gflops"] = counts["flops"] / s["model_s"] / 1e9
        summary[tool] = s

    print()
    print("Extraction, %s, OPENBLAS_CORETYPE=%s: %d sentences, %d words, %d layers + embeddings, %d threads in "
          "all; medians over %d run(s)" % (family, "<unset>" if setting == "unset" else setting, counts["sentences"],
                                           words, counts["layers"], t, args.repeats))
    head = ["tool", "model s", "model words/s", "process s", "process words/s",
            "x unbatched (model/process)", "x python (model/process)", "useful GFLOP/s", "GEMM GFLOP/s",
            "share of GEMM", "peak RSS MiB", "estimate MiB"]
    rows = []
    ub = summary.get("conceptlens-unbatched")
    py = summary.get("neurox-way-python")

    def ratio(s, b):
        if not s or not b:
            return "n/a"
        return "%.2f/%.2f" % (b["model_s"] / s["model_s"], b["process_s"] / s["process_s"])

    for tool in run_tools:
        s = summary[tool]
        label = LABEL[tool].format(t=t)
        if s is None:
            rows.append([label, "FAILED"] + [""] * (len(head) - 2))
            continue
        gref = s["gemm_ref"]
        rows.append([label, "%.2f" % s["model_s"], "%.0f" % (words / s["model_s"]), "%.2f" % s["process_s"],
                     "%.0f" % (words / s["process_s"]), ratio(s, ub), ratio(s, py),
                     "%.1f" % s["useful_gflops"],
                     fmt(gref, ".1f") + ("" if gref is None else " (%s)" % s["gemm_ref_key"]),
                     "n/a" if not gref else "%.0f%%" % (100.0 * s["useful_gflops"] / gref),
                     "%.1f" % s["peak_mib"], fmt(s["estimate_mib"], ".1f")])
    print_table(head, rows)
    if py and "forward_s" in py:
        print("neurox-way-python forward calls alone: %.2f s (%.0f words/s, %.1f useful GFLOP/s); the rest of "
              "its model phase is hidden states to numpy, aggregation and h5py writes"
              % (py["forward_s"], words / py["forward_s"], counts["flops"] / py["forward_s"] / 1e9))
    record.update({"summary": summary, "runs": {k: [{kk: vv for kk, vv in r.items() if kk != "error"} for r in v]
                                                for k, v in runs.items()}})
    sys.stdout.flush()
    return record, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--corpus", default=os.path.join(REPO, "jobs", "data", "sst2", "sst2-dev.in"),
                    help="one sentence per line (default jobs/data/sst2/sst2-dev.in: 872 sentences)")
    ap.add_argument("--sentences", type=int, default=0, help="the first N sentences only (0: all)")
    ap.add_argument("--families", action="append",
                    help="comma-separated, from: %s (default: all; each a random model from make_random_model.py, "
                         "under bench/.cache/models)" % ",".join(FAMILIES))
    ap.add_argument("--model", help="a BERT or GPT-2 checkpoint folder instead of the generated models (one family)")
    ap.add_argument("--model-layers", type=int, default=12, help="layers of the generated model (default 12)")
    ap.add_argument("--model-hidden", type=int, default=768,
                    help="hidden size of the generated model (default 768; heads = hidden/64, "
                         "intermediate = 4*hidden)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per tool and setting; medians (default 3)")
    ap.add_argument("--settings", action="append",
                    help="OPENBLAS_CORETYPE settings, comma-separated; 'unset' removes the variable "
                         "(default: unset,SkylakeX)")
    ap.add_argument("--tools", action="append", help="comma-separated, from: %s (default: all)" % ",".join(ALL_TOOLS))
    ap.add_argument("--skip", action="append", help="comma-separated tools to leave out")
    ap.add_argument("--threads", type=int, default=2,
                    help="total threads (default 2: 1 rank x 2 threads, 2 ranks x 1 thread)")
    ap.add_argument("--batch-tokens", type=int, default=2048, help="conceptlens --batch-tokens (default 2048, as the command)")
    ap.add_argument("--gemm-tokens", type=int, default=2048, help="M of the GEMM benchmark (default 2048)")
    ap.add_argument("--build", default=os.path.join(REPO, "build"),
                    help="the build folder with mpi/conceptlens and bench/conceptlens_bench_gemm "
                         "(default build/ in the repo)")
    ap.add_argument("--conceptlens", help="the conceptlens binary (default BUILD/mpi/conceptlens)")
    ap.add_argument("--gemm", help="the GEMM binary (default BUILD/bench/conceptlens_bench_gemm)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per run (default none)")
    ap.add_argument("--keep-outputs", action="store_true", help="keep the activation files")
    ap.add_argument("--no-cross-check", action="store_true",
                    help="do not compare conceptlens's vectors with neurox-way-python's (first setting, "
                         "run 1; default: compare, tolerance 1e-3 of the largest |value|)")
    ap.add_argument("--warm-memory-gib", type=float, default=default_warm_gib(),
                    help="touch this much memory once before the runs, in a throwaway child "
                         "(default: half of MemAvailable, at most 8; 0: off)")
    ap.add_argument("--json", default=os.path.join(CACHE, "bench_extract", "results.json"),
                    help="write every run's numbers here (default bench/.cache/bench_extract/results.json)")
    args = ap.parse_args()

    tools = split_list(args.tools) or list(ALL_TOOLS)
    skip = set(split_list(args.skip))
    for t in tools + list(skip):
        if t not in ALL_TOOLS:
            raise SystemExit("unknown tool %r; known: %s" % (t, ", ".join(ALL_TOOLS)))
    tools = [t for t in tools if t not in skip]
    run_tools = [t for t in TOOLS if t in tools]
    settings = split_list(args.settings) or ["unset", "SkylakeX"]
    if args.threads < 1 or args.repeats < 1:
        raise SystemExit("--threads and --repeats must be >= 1")
    args.build = os.path.abspath(args.build)
    args.conceptlens = os.path.abspath(args.conceptlens or os.path.join(args.build, "mpi", "conceptlens"))
    args.gemm = os.path.abspath(args.gemm or os.path.join(args.build, "bench", "conceptlens_bench_gemm"))
    if any(t.startswith("conceptlens") for t in tools) and not os.access(args.conceptlens, os.X_OK):
        raise SystemExit("conceptlens not found at %s (build it, or pass --build/--conceptlens)" % args.conceptlens)
    if not os.access(args.gemm, os.X_OK):
        raise SystemExit("conceptlens_bench_gemm not found at %s (cmake --build BUILD --target "
                         "conceptlens_bench_gemm, or pass --build/--gemm)" % args.gemm)

    families = [model_family(args.model)] if args.model else (split_list(args.families) or list(FAMILIES))
    for f in families:
        if f not in FAMILIES:
            raise SystemExit("unknown family %r; known: %s" % (f, ", ".join(FAMILIES)))

    repro = [PYTHON, os.path.relpath(os.path.abspath(__file__), os.getcwd()),
             "--corpus", os.path.relpath(os.path.abspath(args.corpus), os.getcwd()),
             "--sentences", str(args.sentences)]
    if args.model:
        repro += ["--model", args.model]
    else:
        repro += ["--families", ",".join(families), "--model-layers", str(args.model_layers),
                  "--model-hidden", str(args.model_hidden)]
    repro += ["--repeats", str(args.repeats), "--settings", ",".join(settings), "--tools", ",".join(tools),
              "--threads", str(args.threads), "--batch-tokens", str(args.batch_tokens),
              "--gemm-tokens", str(args.gemm_tokens), "--conceptlens", args.conceptlens, "--gemm", args.gemm,
              "--warm-memory-gib", str(args.warm_memory_gib)]
    if args.timeout is not None:
        repro += ["--timeout", str(args.timeout)]
    if args.no_cross_check:
        repro += ["--no-cross-check"]
    if args.keep_outputs:
        repro += ["--keep-outputs"]
    print("# reproduce: " + " ".join(shlex.quote(c) for c in repro))
    print("# host: " + machine_facts())
    print("# software: " + versions())
    print("# load average before the runs: %.2f %.2f %.2f (1, 5, 15 min; anything near the CPU count means "
          "another job is running and the times are not clean)" % os.getloadavg())
    sys.stdout.flush()

    corpus = ensure_corpus(args)
    work = os.path.join(CACHE, "bench_extract", "runs")
    os.makedirs(work, exist_ok=True)
    models, all_counts = {}, {}
    for family in families:
        os.makedirs(os.path.join(work, family), exist_ok=True)
        model = models[family] = ensure_model(args, family)
        counts = all_counts[family] = useful_flops(model, corpus, os.path.join(work, family))
        print("# model %s: %s (%d layers, hidden %d, intermediate %d; all %d hidden states extracted, float32, "
              "aggregation last)" % (family, model, counts["layers"], counts["hidden"], counts["intermediate"],
                                     counts["layers"] + 1))
        print("# corpus: %s: %d sentences, %d words, %d tokens%s (%d..%d per sentence, %d truncated) by "
              "neurox_way.py's %s" % (os.path.relpath(corpus, os.getcwd()), counts["sentences"], counts["words"],
                                      sum(counts["tokens"]), " incl. [CLS]/[SEP]" if family == "bert" else "",
                                      min(counts["tokens"]), max(counts["tokens"]), counts["truncated"],
                                      "WordPiece" if family == "bert" else "byte-level BPE"))
        print("# useful FLOPs: %.4g = sum over sentences and layers of 2*T*(4*H*H + 2*H*I) + 4*T*T*H "
              "(padding, embeddings, softmax/LayerNorm/gelu and the pooler not counted)" % counts["flops"])
    print("# threads: %d in all; conceptlens 1 rank x %d threads, conceptlens-np2 %d ranks x 1 thread "
          "(mpirun --bind-to none), neurox-way-python torch.set_num_threads(%d); OMP/OPENBLAS/MKL_NUM_THREADS "
          "= threads per process" % (args.threads, args.threads, args.threads, args.threads))
    sys.stdout.flush()

    spawner = Spawner()
    if args.warm_memory_gib > 0:
        # On a VM the first touch of memory the host has not backed yet is slow; touch it once.
        t0 = time.time()
        spawner.run([PYTHON, "-c", "import numpy as np; a = np.ones(%d); a[::512] += 1"
                     % int(args.warm_memory_gib * (1 << 30) // 8)], base_env(), None,
                    os.path.join(work, "warm.log"))
        print("# memory warm-up: touched %.1f GiB in a throwaway child (%.1f s)"
              % (args.warm_memory_gib, time.time() - t0))
    rc, _, floor_kib = spawner.run(["/bin/true"], base_env(), None, os.path.join(work, "true.log"))
    print("# peak RSS floor (ru_maxrss of /bin/true started by the spawner): %.1f MiB" % (floor_kib / 1024.0))
    sys.stdout.flush()

    everything = {"reproduce": repro, "models": models, "corpus": corpus, "counts": all_counts, "settings": {}}
    failed = False
    t = args.threads
    for setting in settings:
        env = setting_env(setting)
        core = openblas_core(args.gemm, env)
        print()
        print("## OPENBLAS_CORETYPE=%s (OpenBLAS kernels: %s; load average %.2f)"
              % ("<unset>" if setting == "unset" else setting, core, os.getloadavg()[0]))
        sys.stdout.flush()
        gemm = {}
        if "gemm" in tools:
            par = "%dx1t" % t
            samples = {"%dt" % t: [], "1t": [], par: []} if t > 1 else {"1t": []}
            for rep in range(args.repeats):
                for key in samples:
                    log = os.path.join(work, "%s.gemm-%s.%d.log" % (setting, key, rep))
                    if t > 1 and key == par:
                        g, err = run_gemm_pair(args, env, [log + ".%d" % i for i in range(t)])
                    else:
                        g, err = run_gemm(spawner, args, env, t if key != "1t" else 1, log)
                    if g is None:
                        print("#   gemm %-5s run %d: FAILED\n#     %s" % (key, rep + 1, (err or "").replace("\n", "\n#     ")))
                        failed = True
                    else:
                        samples[key].append(g)
                        print("#   gemm %-5s run %d: %.1f GFLOP/s" % (key, rep + 1, g))
                    sys.stdout.flush()
            gemm = {k: statistics.median(v) for k, v in samples.items() if v}
            print("# GEMM (at::linear, M=%d, the 4 BERT-base products, FLOP-weighted), medians: %s" % (
                args.gemm_tokens, ", ".join("%s %.1f GFLOP/s" % (k if k != "%dx1t" % t else "%d processes x 1t, sum" % t, v)
                                            for k, v in gemm.items())))
        record = {"openblas_core": core, "gemm": gemm}
        for family in families:
            check = (setting == settings[0] and not args.no_cross_check and "conceptlens" in run_tools)
            record[family], family_failed = run_family(spawner, args, env, setting, family, models[family],
                                                       all_counts[family], corpus, os.path.join(work, family), gemm,
                                                       run_tools, check)
            failed = failed or family_failed
        everything["settings"][setting] = record
    spawner.close()

    print()
    print("model s: the model phase (conceptlens: its log line 'extract: wrote ... (W words, S s, R words/s)', as "
          "W/R: after reading the weights and tokenizing, forward passes and writing the HDF5 file; "
          "neurox-way-python: its per-sentence loop of forward, numpy, aggregation and h5py writes). process s: "
          "the wall clock of the whole process from outside (mpirun's for np2). x unbatched / x python: speed-up "
          "(time ratio) against conceptlens-unbatched / neurox-way-python, for the model phase and the whole "
          "process. useful GFLOP/s: useful FLOPs / model s, where padding FLOPs are NOT counted as useful (nor "
          "embeddings, softmax, LayerNorm, gelu, pooler). share of GEMM: useful GFLOP/s / at::linear's GFLOP/s "
          "at the same total threads (%dt: 1 process x %d threads; %dx1t: %d one-thread processes at once, "
          "summed). peak RSS: ru_maxrss from os.wait4 (np2: the largest rank). estimate: conceptlens's own, from its "
          "start line (weights + activations per rank, before any work)." % (t, t, t, t))
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(everything, f, indent=1)
    print("# results: %s; logs: %s" % (os.path.relpath(args.json, os.getcwd()), os.path.relpath(work, os.getcwd())))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

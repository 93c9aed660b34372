#!/usr/bin/python3
"""Builds the demo ConceptX point files from the NeuroX word activations of a fixture model.

Input: an HDF5 file from ../shared/fixtures/hf (default bert_cased.h5), whose sentence groups
hold `sentences/<NNN>/neurox/last` ([layers, words, hidden] float32: NeuroX's default "last"
aggregation) and `sentence_text`.

Output (default jobs/data/demo/):
  processed-point.npy   float32 [n, hidden]: the chosen layer (default: the last one)
  processed-vocab.npy   numpy '<U' strings [n]: ConceptX keys `word|||k|||sent|||tok`
  sentences.in          the corpus, one sentence per line (a copy of the fixture's sentences.txt)

The keys follow ConceptX (hsajjad/ConceptX):
  * `scripts/create_data_single_layer.py` reads the corpus with NeuroX's
    `data_loader.load_data`, which splits each line with `line.strip().split()` and drops every
    sentence whose number of activation rows differs from its number of words (NeuroX truncated
    it). It then writes `f'{token}|||{count}|||{len(sentences)-1}|||{label_idx}'`, where count
    is the 1-based occurrence number of that word type so far, sent is the index among the kept
    sentences, and tok is the word position in the sentence.
  * `scripts/extract_data.py` saves the keys with `np.save(file, list_of_str)`, which gives a
    fixed-width unicode ('<U') array, and the points with `np.save(file, np.array(points))`.
    ConceptX's points went through JSON and come out float64 (exact copies of the float32
    values); here they are float32 by default (--dtype float64 gives ConceptX's dtype).
No frequency filtering (ConceptX's frequency_filter_data.py with min 0 and no caps keeps the same
rows and the same keys).

Usage:
  /usr/bin/python3 jobs/data/make_demo_points.py
  /usr/bin/python3 jobs/data/make_demo_points.py --h5 ../shared/fixtures/hf/bert_cased.h5 \\
      --layer -1 --out jobs/data/demo
"""
import argparse
import collections
import os
import shutil
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(os.path.dirname(REPO), "shared", "fixtures", "hf")

# NeuroX load_data's max_sent_l as ConceptX passes it (create_data_single_layer.py).
MAX_SENT_L = 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--h5", default=os.path.join(FIXTURES, "bert_cased.h5"),
                    help="fixture HDF5 with sentences/<NNN>/neurox/last (default bert_cased.h5)")
    ap.add_argument("--sentences", default=None,
                    help="corpus to copy to <out>/sentences.in (default: sentences.txt beside --h5)")
    ap.add_argument("--layer", type=int, default=-1,
                    help="hidden-state index (0 = embeddings; default -1 = the last layer)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--out", default=os.path.join(HERE, "demo"), help="output folder")
    args = ap.parse_args()

    sentences_path = args.sentences or os.path.join(os.path.dirname(args.h5), "sentences.txt")
    with open(sentences_path, encoding="utf-8") as f:
        corpus = [line.rstrip("\n") for line in f]

    keys, rows = [], []
    counts = collections.Counter()
    kept, dropped = 0, []
    with h5py.File(args.h5, "r") as h5:
        texts = list(h5["sentence_text"].asstr()[()])
        if texts != corpus:
            raise SystemExit("%s does not match sentence_text of %s" % (sentences_path, args.h5))
        num_layers = int(h5.attrs["num_hidden_states"])
        layer = args.layer % num_layers
        for idx, text in enumerate(texts):
            acts = h5["sentences/%03d/neurox/last" % idx][layer]  # [words_out, hidden]
            tokens = text.strip().split()                         # NeuroX load_data
            if len(tokens) > MAX_SENT_L or acts.shape[0] != len(tokens):
                dropped.append((idx, len(tokens), acts.shape[0]))
                continue
            sent = kept  # == len(sentences) - 1 in ConceptX: index among the kept sentences
            kept += 1
            for tok_idx, token in enumerate(tokens):
                counts[token] += 1
                keys.append("%s|||%d|||%d|||%d" % (token, counts[token], sent, tok_idx))
                rows.append(acts[tok_idx])
        attrs = {k: h5.attrs[k] for k in ("model_name", "transformers_version", "seed")}

    points = np.ascontiguousarray(np.stack(rows).astype(args.dtype))
    vocab = np.array(keys)  # what np.save(file, list_of_str) stores: '<U' fixed width
    assert vocab.dtype.kind == "U"
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "processed-point.npy"), points)
    np.save(os.path.join(args.out, "processed-vocab.npy"), vocab)
    shutil.copyfile(sentences_path, os.path.join(args.out, "sentences.in"))

    uniq = np.unique(points, axis=0).shape[0]
    zero = int(np.sum(~points.any(axis=1)))
    print("model %s (transformers %s, seed %s), hidden state %d of 0..%d" % (
        attrs["model_name"], attrs["transformers_version"], attrs["seed"], layer,
        num_layers - 1))
    print("kept %d of %d sentences; dropped (NeuroX load_data: activation rows != words): %s" % (
        kept, len(texts), ", ".join("#%d (%d words, %d rows)" % d for d in dropped) or "none"))
    print("points %s %s, %d distinct rows, %d all-zero rows; vocab %s %s, %d word types" % (
        points.shape, points.dtype, uniq, zero, vocab.shape, vocab.dtype, len(counts)))
    print("wrote %s/{processed-point.npy, processed-vocab.npy, sentences.in}" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""ConceptX's alignment rules, restated independently of ConceptLens, to produce golden numbers.

This is our own restatement (not ConceptX's code) of `align_autotags` in
hsajjad/ConceptX scripts/align_with_auto_tags.py, reading the files ConceptLens reads:

  token level (ConceptX): per cluster, `mapping` = its points in CLUSTERS.h5 order, each with the
    labels of its word (a label string "A|||B" gives A and B);
    unk = number of (point, label) pairs whose label ends with "_UNK";
    skipped when unk / len(mapping) > max_unk;
    best = Counter(labels in that order).most_common(1)[0] (ties: the label met first);
    aligned when best_count / len(mapping) > threshold and "_UNK" not in the label.
  type level (Hawasly et al. 2024): the same, except that a point counts for every label its
    word TYPE carries anywhere in the labelled corpus (a type's labels in the order the corpus
    first gives them), and a cluster with at most --min-types distinct types is skipped.

Run with /usr/bin/python3 (numpy and h5py are Debian packages visible to it only):
  /usr/bin/python3 tests/golden/conceptx_align.py --clusters C.h5 --k K --corpus C.in \
      --labels L.label [--threshold 0.9] [--max-unk 0.4] [--level token|type] [--min-types 5]
It prints JSON: {"k", "threshold", "max_unk", "level", "aligned", "per_label": {label: number of
aligned clusters}, "per_cluster": [[label, share, aligned], ...]} (label "" when skipped).
"""
import argparse
import json
from collections import Counter

import h5py


def read_split_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip().split(" ") for line in f]


def labels_of(label_string):
    return label_string.split("|||")


def type_labels(sentences, labels):
    """Every word type -> the labels it carries anywhere, in the order of first appearance."""
    carried = {}
    for words, word_labels in zip(sentences, labels):
        for word, label_string in zip(words, word_labels):
            tags = carried.setdefault(word, [])
            for label in labels_of(label_string):
                if label not in tags:
                    tags.append(label)
    return carried


def decide(tallies, size, types, args):
    """(label, share, aligned) of one cluster from its label Counter (insertion = meeting order)."""
    if size == 0:
        return ["", 0.0, False]
    if args.level == "type" and types <= args.min_types:
        return ["", 0.0, False]
    unk = sum(count for label, count in tallies.items() if label[-4:] == "_UNK")
    if unk / size > args.max_unk:
        return ["", 0.0, False]
    label, count = tallies.most_common(1)[0]
    share = count / size
    return [label, share, share > args.threshold and "_UNK" not in label]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", required=True)
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--max-unk", type=float, default=0.4)
    parser.add_argument("--level", choices=["token", "type"], default="token")
    parser.add_argument("--min-types", type=int, default=5)
    args = parser.parse_args()

    sentences = read_split_lines(args.corpus)
    labels = read_split_lines(args.labels)
    assert len(sentences) == len(labels), "label and corpus line counts differ"
    for words, word_labels in zip(sentences, labels):
        assert len(words) == len(word_labels), "label and word counts differ"
    carried = type_labels(sentences, labels)

    with h5py.File(args.clusters, "r") as f:
        cluster_of = f[f"labels/k{args.k}"][()].tolist()
        sentence_of = f["points/sentence"][()].tolist()
        word_of = f["points/word"][()].tolist()

    members = [[] for _ in range(args.k)]  # per cluster: (word, label list) in point order
    for cluster, s, w in zip(cluster_of, sentence_of, word_of):
        members[cluster].append((sentences[s][w], labels_of(labels[s][w])))

    per_cluster = []
    for mapping in members:
        tallies = Counter()
        for word, word_labels in mapping:
            for label in (word_labels if args.level == "token" else carried[word]):
                tallies[label] += 1
        per_cluster.append(decide(tallies, len(mapping), len({word for word, _ in mapping}), args))

    aligned_labels = Counter(label for label, _, aligned in per_cluster if aligned)
    print(json.dumps({
        "k": args.k,
        "threshold": args.threshold,
        "max_unk": args.max_unk,
        "level": args.level,
        "aligned": sum(aligned_labels.values()),
        "per_label": dict(sorted(aligned_labels.items())),
        "per_cluster": per_cluster,
    }, indent=1))


if __name__ == "__main__":
    main()

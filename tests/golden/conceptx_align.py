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
  per-set settings (ConceptX's CONFIGURATION, looked up by the set's --name; the options override):
    preprocess, applied to every label first: none; other_unk ("O" -> "O_UNK"; Chunking, NE);
      casing ("MC" -> "title_case", "UP" -> "upper_case", else "lowercase_UNK"; Casing);
    ignore_unks (WORDNET, LIWC): after the unk test, each point keeps only its labels that do
      not end with "_UNK", points left with none are dropped, and the share is over the rest;
    na_unk (align_with_single_auto_tag.py): a label "N/A" also counts in unk.

Run with /usr/bin/python3 (numpy and h5py are Debian packages visible to it only):
  /usr/bin/python3 tests/golden/conceptx_align.py --clusters C.h5 --k K --corpus C.in \
      --labels L.label [--threshold 0.9] [--max-unk 0.4] [--level token|type] [--min-types 5] \
      [--name SET] [--preprocess none|other_unk|casing] [--ignore-unks true|false] [--na-unk true|false]
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


SET_SETTINGS = {  # name: (preprocess, ignore_unks, na_unk); any other name: ("none", False, False)
    "Chunking": ("other_unk", False, False),
    "NE": ("other_unk", False, False),
    "Casing": ("casing", False, False),
    "WORDNET": ("none", True, False),
    "LIWC": ("none", True, False),
}


def rewrite(label, preprocess):
    if preprocess == "other_unk":
        return "O_UNK" if label == "O" else label
    if preprocess == "casing":
        return {"MC": "title_case", "UP": "upper_case"}.get(label, "lowercase_UNK")
    return label


def labels_of(label_string, preprocess="none"):
    return [rewrite(label, preprocess) for label in label_string.split("|||")]


def type_labels(sentences, labels, preprocess):
    """Every word type -> the labels it carries anywhere, in the order of first appearance."""
    carried = {}
    for words, word_labels in zip(sentences, labels):
        for word, label_string in zip(words, word_labels):
            tags = carried.setdefault(word, [])
            for label in labels_of(label_string, preprocess):
                if label not in tags:
                    tags.append(label)
    return carried


def decide(members, types, args):
    """(label, share, aligned) of one cluster from its members' label lists, in point order."""
    if not members:
        return ["", 0.0, False]
    if args.level == "type" and types <= args.min_types:
        return ["", 0.0, False]
    unk = sum(1 for labels in members for label in labels
              if label[-4:] == "_UNK" or (args.na_unk and label == "N/A"))
    if unk / len(members) > args.max_unk:
        return ["", 0.0, False]
    if args.ignore_unks:
        members = [[label for label in labels if label[-4:] != "_UNK"] for labels in members]
        members = [labels for labels in members if labels]
        if not members:
            return ["", 0.0, False]
    tallies = Counter(label for labels in members for label in labels)
    label, count = tallies.most_common(1)[0]
    share = count / len(members)
    return [label, share, share > args.threshold and "_UNK" not in label]


def truth(text):
    if text not in ("true", "false"):
        raise argparse.ArgumentTypeError("expected true or false")
    return text == "true"


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
    parser.add_argument("--name", default="")
    parser.add_argument("--preprocess", choices=["none", "other_unk", "casing"])
    parser.add_argument("--ignore-unks", type=truth)
    parser.add_argument("--na-unk", type=truth)
    args = parser.parse_args()
    defaults = SET_SETTINGS.get(args.name, ("none", False, False))
    for key, default in zip(("preprocess", "ignore_unks", "na_unk"), defaults):
        if getattr(args, key) is None:
            setattr(args, key, default)

    sentences = read_split_lines(args.corpus)
    labels = read_split_lines(args.labels)
    assert len(sentences) == len(labels), "label and corpus line counts differ"
    for words, word_labels in zip(sentences, labels):
        assert len(words) == len(word_labels), "label and word counts differ"
    carried = type_labels(sentences, labels, args.preprocess)

    with h5py.File(args.clusters, "r") as f:
        cluster_of = f[f"labels/k{args.k}"][()].tolist()
        sentence_of = f["points/sentence"][()].tolist()
        word_of = f["points/word"][()].tolist()

    members = [[] for _ in range(args.k)]  # per cluster: (word, label list) in point order
    for cluster, s, w in zip(cluster_of, sentence_of, word_of):
        word = sentences[s][w]
        members[cluster].append((word, labels_of(labels[s][w], args.preprocess) if args.level == "token"
                                 else carried[word]))

    per_cluster = [decide([labels for _, labels in mapping], len({word for word, _ in mapping}), args)
                   for mapping in members]

    aligned_labels = Counter(label for label, _, aligned in per_cluster if aligned)
    print(json.dumps({
        "k": args.k,
        "threshold": args.threshold,
        "max_unk": args.max_unk,
        "level": args.level,
        "preprocess": args.preprocess,
        "ignore_unks": args.ignore_unks,
        "na_unk": args.na_unk,
        "aligned": sum(aligned_labels.values()),
        "per_label": dict(sorted(aligned_labels.items())),
        "per_cluster": per_cluster,
    }, indent=1))


if __name__ == "__main__":
    main()

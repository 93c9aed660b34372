#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/seeds/<target>/) from the project's
own data: real files where they are small (configs, tokenizer settings, job files, corpora and
labels), cut down where they are not (a vocabulary's first lines, a few sentences), and small
hand-made .npy, safetensors and HDF5 recipes in the layouts the readers expect. Every seed is
valid input except those named bad-*, which are refused with an error. Rerun after changing the
layouts: /usr/bin/python3 tests/fuzz/make_seeds.py (numpy only)."""
import json
import os
import shutil
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEEDS = os.path.join(HERE, "seeds")
SEP = "\n%%\n"  # between the files of one input (fuzz_support.hpp: split_parts)


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def lines(text, count):
    return "".join(line + "\n" for line in text.splitlines()[:count])


def seed(target, name, content):
    folder = os.path.join(SEEDS, target)
    os.makedirs(folder, exist_ok=True)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(os.path.join(folder, name), mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
        f.write(content)


def npy_seeds():
    import io
    def saved(array):
        out = io.BytesIO()
        np.save(out, array)
        return out.getvalue()
    seed("fuzz_npy", "points-f32.npy", saved(np.arange(6, dtype=np.float32).reshape(2, 3) / 4))
    seed("fuzz_npy", "points-f64.npy", saved(np.linspace(-1, 1, 8).reshape(4, 2)))
    seed("fuzz_npy", "vocab-unicode.npy", saved(np.array(["the|||0|||0|||0", "caf\u00e9|||0|||0|||1", "a|||b|||0|||1|||2"])))
    seed("fuzz_npy", "vocab-bytes.npy", saved(np.array([b"x|||0|||1|||0", b"y|||0|||1|||1"])))
    seed("fuzz_npy", "labels-i4.npy", saved(np.array([0, 1, 1, 2], dtype="<i4")))
    seed("fuzz_npy", "labels-i8.npy", saved(np.array([3, 0], dtype="<i8")))
    out = io.BytesIO()
    np.lib.format.write_array(out, np.ones((2, 2), dtype=np.float32), version=(2, 0))
    seed("fuzz_npy", "points-v2.npy", out.getvalue())
    seed("fuzz_npy", "bad-nan.npy", saved(np.array([[0.0, np.nan]])))
    seed("fuzz_npy", "bad-fortran.npy", saved(np.asfortranarray(np.ones((2, 3)))))


def safetensors(tensors, metadata=None):
    """tensors: name -> (dtype, shape, bytes), laid out in name order."""
    header, data = {}, b""
    for name in sorted(tensors):
        dtype, shape, payload = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    f32 = np.arange(6, dtype="<f4").tobytes()
    seed("fuzz_safetensors", "two-tensors.safetensors", safetensors(
        {"bert.embeddings.word_embeddings.weight": ("F32", [2, 3], f32),
         "bert.pooler.dense.bias": ("BF16", [4], bytes(range(8)))}, {"format": "pt"}))
    seed("fuzz_safetensors", "scalar-f16.safetensors", safetensors({"s": ("F16", [], b"\x00\x3c")}))
    seed("fuzz_safetensors", "empty-tensor.safetensors", safetensors({"e": ("I64", [0, 5], b""), "u": ("U8", [3], b"abc")}))
    seed("fuzz_safetensors", "no-tensors.safetensors", safetensors({}, {}))


def config_seeds():
    for folder, name in [("tests/data/hf/models/bert_cased", "bert"), ("tests/data/hf/models/albert", "albert"),
                         ("tests/data/hf/models/xlm_roberta", "xlm-roberta"),
                         ("tests/data/hf/models/bert_seqcls", "bert-seqcls"), ("jobs/models/tiny-bert-sst2", "tiny-bert-sst2")]:
        seed("fuzz_model_config", name + ".json", read(folder, "config.json"))
    for folder in ["distilbert", "gpt2", "llama", "roberta"]:
        seed("fuzz_model_config", folder + ".json", read("tests/data/hf_families/models", folder, "config.json"))
    seed("fuzz_model_config", "bad-model-type.json", '{"model_type": "t5", "hidden_size": 8}')


def tokenizer_seeds():
    vocab = lines(read("jobs/models/tiny-bert/vocab.txt"), 400)
    corpus = lines(read("jobs/data/sst2/sst2-dev.in"), 3) + "Caf\u00e9 \u4e2d\u6587 na\u00efve [MASK] 1,000 ``quoted''\n"
    for family, folder in [("wordpiece", "jobs/models/tiny-bert"), ("wordpiece", "tests/data/hf/models/bert_cased"),
                           ("albert", "tests/data/hf/models/albert"), ("xlm-roberta", "tests/data/hf/models/xlm_roberta"),
                           ("llama", "tests/data/hf_families/models/llama"), ("bpe", "tests/data/hf_families/models/gpt2"),
                           ("bpe", "tests/data/hf_families/models/roberta")]:
        name = family + "-" + os.path.basename(folder)
        special = read(folder, "special_tokens_map.json")
        files = [vocab, ""] if family == "wordpiece" else [read(folder, "vocab.json"), read(folder, "merges.txt")] \
            if family == "bpe" else ["", ""]
        seed("fuzz_tokenizer", name, SEP.join([family, read(folder, "tokenizer_config.json"), special] + files + [corpus]))
    no_class = {"do_lower_case": True, "never_split": ["[X]"], "additional_special_tokens": ["[X]"],
                "model_max_length": 1e30, "strip_accents": None}
    seed("fuzz_tokenizer", "wordpiece-no-class", SEP.join(["wordpiece", json.dumps(no_class), "", vocab + "[X]\n", "", corpus]))


JOB = """study = "fuzz"
layers = "{layers}"
k = [{k}]
[paths]
data = "data"
[extract]
aggregation = "last"
batch_tokens = 512
[cluster]
max_per_type = 2
checkpoint_every = 30
mode = "{mode}"
[align]
threshold = 0.9
max_unk = 0.4
level = "token"
[[model]]
name = "base"
path = "models/base"
[[model]]
name = "ft"
path = "models/ft"
base = "base"
[[corpus]]
name = "sst2"
path = "${{data}}/sst2.in"
  [[corpus.labels]]
  name = "sentiment"
  path = "${{data}}/sst2.classes"
  kind = "task"
[[corpus]]
name = "ewt"
path = "data/ewt.in"
  [[corpus.labels]]
  name = "POS"
  path = "data/ewt.label"
  format = "label"
"""


def job_seeds():
    seed("fuzz_job_file", "demo-like.toml", JOB.format(layers="all", k="5, 3", mode="auto"))
    seed("fuzz_job_file", "layers-matrix.toml", JOB.format(layers="0,6", k="2", mode="matrix"))
    seed("fuzz_job_file", "bad-unknown-key.toml", JOB.format(layers="1", k="4", mode="vector") + "colour = 3\n")


def label_seeds():
    ewt_in = lines(read("jobs/data/ewt/en_ewt-dev-600.in"), 3)
    seed("fuzz_corpus_labels", "ewt-xpos.label", SEP.join(["label", ewt_in, lines(read("jobs/data/ewt/en_ewt-dev-600.xpos.label"), 3)]))
    sst_in = lines(read("jobs/data/sst2/sst2-dev.in"), 4)
    seed("fuzz_corpus_labels", "sst2.classes", SEP.join(["classes", sst_in, lines(read("jobs/data/sst2/sst2-dev.classes"), 4)]))
    conllu = read("tests/data/ewt/en_ewt-ud-dev-600.conllu")
    first = conllu[:conllu.index("\n\n", conllu.index("\n\n") + 2) + 2]
    seed("fuzz_corpus_labels", "ewt.conllu", SEP.join(["conllu xpos", lines(ewt_in, 2), first]))
    seed("fuzz_corpus_labels", "chunks.conll2000", SEP.join(["conll2000 chunk", "He reckons .\nYes\n",
                                                             "He PRP B-NP\nreckons VBZ B-VP\n. . O\n\nYes UH O\n"]))
    seed("fuzz_corpus_labels", "multi-labels.label", SEP.join(["label", "a b c\n", "X|||Y Z W|||V|||U\n"]))


ACT = """# ACT.h5 of 2 sentences (3 + 1 words), layers 0 and 2 of a 2-layer model, hidden 3
attr / model str scalar "jobs/models/tiny-bert"
attr / architecture str scalar bert
attr / aggregation str scalar last
attr / corpus_checksum str scalar 0123456789abcdef
attr / tool_version str scalar 0.1.0
attr / hidden_size i64 scalar 3
attr / num_layers i64 scalar 2
dataset /layers/0 f32 4x3 0.5 -1 2.25
dataset /layers/2 {dtype} 4x3
dataset /words/sentence i32 * 0 0 0 1
dataset /words/position i32 * 0 1 2 0
dataset /sentences/offset i64 * 0 3 4
dataset /corpus/text u8 {text_bytes} "the cat sat\\nyes\\n"
{extra}"""

CLUSTERS = """# CLUSTERS.h5 of 4 points: ((0 1) (2 3)), cut at K = 1, 2
attr / method str scalar ward
attr / mode str scalar matrix
attr / n i64 scalar 4
attr / d i64 scalar 3
attr / layer i64 scalar 6
attr / source str scalar act.h5
attr / fingerprint str scalar 0011223344556677
attr / tool_version str scalar 0.1.0
dataset /linkage f64 3x4 0 1 0.5 2 2 3 0.75 2 4 5 2.5 4
dataset /labels/k1 i32 * 0 0 0 0
dataset /labels/k2 i32 * 0 0 1 1
dataset /points/sentence i32 * 0 0 0 1
dataset /points/word i32 * 0 1 2 {word}
"""


def h5_seeds():
    seed("fuzz_activations_file", "act-f32-f16", ACT.format(dtype="f16", text_bytes="16", extra=""))
    seed("fuzz_activations_file", "act-predictions", ACT.format(
        dtype="f32", text_bytes="*", extra="dataset /predictions/class i32 * 1 0\n"
                                            "dataset /predictions/labels str * negative positive\n"
                                            "dataset /predictions/logits f32 2x2\n"))
    seed("fuzz_activations_file", "bad-act-huge-layer", ACT.format(
        dtype="f32", text_bytes="16", extra="dataset /layers/1 f32 4000000000x3\n"))
    seed("fuzz_clusters_file", "clusters", CLUSTERS.format(word="0"))
    seed("fuzz_clusters_file", "bad-clusters-word", CLUSTERS.format(word="-2"))


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    npy_seeds()
    safetensors_seeds()
    config_seeds()
    tokenizer_seeds()
    job_seeds()
    label_seeds()
    h5_seeds()


if __name__ == "__main__":
    main()

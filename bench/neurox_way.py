#!/usr/bin/python3
"""The Python peer of `conceptlens extract`: NeuroX's way of working, one sentence at a time.

NeuroX (transformers_extractor.extract_representations) tokenizes each sentence, runs the
Hugging Face model on it alone (batch of 1, no padding), turns every layer's hidden states into
numpy, picks one vector per word (aggregation 'last': the word's last subword), and writes one
dataset per sentence. This script does the same without transformers (not packaged in Debian):

  * the model: a BERT forward written the way transformers 4.31's BertModel computes it, in
    PyTorch, under torch.inference_mode(): embeddings (word + position + token type 0) and
    LayerNorm; per layer separate query/key/value Linear, scores = q k^T / sqrt(d) + the
    (all-zero) extended attention mask, softmax, context, output dense + residual + LayerNorm,
    intermediate dense + gelu (erf), output dense + residual + LayerNorm; then the pooler
    (tanh(dense(first token))), as BertModel computes it too;
  * the weights: model.safetensors, read with numpy (F32 only, the format
    bench/make_random_model.py writes);
  * the tokenizer: a minimal BertTokenizer (slow): BasicTokenizer (clean text, NFC, CJK chars
    split, whitespace split, punctuation split; cased: no lower-casing or accent stripping) and
    greedy longest-match WordPiece with '##', [UNK] for words over 100 characters or with no
    match. --self-check compares it with the ids transformers gave for the 20 fixture
    sentences (tests/data/hf/bert_cased.json), and the forward with its hidden states.

Timed (time.perf_counter, after the weights are loaded and every sentence is tokenized):
  loop_s     the whole per-sentence loop: forward, hidden states to numpy ([layers, T, H]),
             word aggregation, and (unless --no-write) h5py's create_dataset per sentence
             into --out, as NeuroX's hdf5 writer does;
  forward_s  the model forward calls alone (summed over the sentences).
The result is one JSON object, printed on the last line (and written to --result if given).

Examples:
  /usr/bin/python3 bench/neurox_way.py --self-check
  /usr/bin/python3 bench/neurox_way.py --model DIR --corpus jobs/data/sst2/sst2-dev.in \\
      --sentences 20 --threads 2 --out /tmp/nx.h5
"""
import argparse
import json
import math
import os
import sys
import time
import unicodedata

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from make_random_model import read_safetensors  # noqa: E402


# ---------------------------------------------------------------------------------------------
# Minimal BertTokenizer (transformers 4.31 tokenization_bert.py, slow; cased)

def _is_whitespace(ch):
    if ch in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(ch) == "Zs"


def _is_control(ch):
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch).startswith("C")


def _is_punctuation(ch):
    cp = ord(ch)
    if (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126):
        return True
    return unicodedata.category(ch).startswith("P")


def _is_chinese_char(cp):
    return ((0x4E00 <= cp <= 0x9FFF) or (0x3400 <= cp <= 0x4DBF) or (0x20000 <= cp <= 0x2A6DF)
            or (0x2A700 <= cp <= 0x2B73F) or (0x2B740 <= cp <= 0x2B81F) or (0x2B820 <= cp <= 0x2CEAF)
            or (0xF900 <= cp <= 0xFAFF) or (0x2F800 <= cp <= 0x2FA1F))


class WordPiece:
    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "vocab.txt"), encoding="utf-8") as f:
            self.vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
        cfg_path = os.path.join(model_dir, "tokenizer_config.json")
        cfg = {}
        if os.path.exists(cfg_path):
            with open(cfg_path) as f:
                cfg = json.load(f)
        if cfg.get("do_lower_case", False):
            raise SystemExit("neurox_way.py: only cased BERT tokenizers are implemented "
                             "(%s has do_lower_case true)" % cfg_path)
        self.model_max_length = int(cfg.get("model_max_length", 512))
        self.unk = self.vocab["[UNK]"]
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]
        self.never_split = {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"}

    def basic(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or _is_control(ch):
                continue
            if _is_chinese_char(cp):
                out.append(" %s " % ch)
            elif _is_whitespace(ch):
                out.append(" ")
            else:
                out.append(ch)
        text = unicodedata.normalize("NFC", "".join(out))
        tokens = []
        for tok in text.split():
            if tok in self.never_split:
                tokens.append(tok)
                continue
            cur = []
            for ch in tok:
                if _is_punctuation(ch):
                    if cur:
                        tokens.append("".join(cur))
                        cur = []
                    tokens.append(ch)
                else:
                    cur.append(ch)
            if cur:
                tokens.append("".join(cur))
        return tokens

    def wordpiece(self, token):
        if len(token) > 100:
            return [self.unk]
        ids = []
        start = 0
        while start < len(token):
            end = len(token)
            found = None
            while start < end:
                sub = token[start:end]
                if start > 0:
                    sub = "##" + sub
                if sub in self.vocab:
                    found = self.vocab[sub]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    def word_ids(self, word):
        ids = []
        for tok in self.basic(word):
            ids.extend(self.wordpiece(tok))
        return ids

    def encode(self, words):
        """[CLS] + subwords + [SEP], truncated to model_max_length as encode(truncation=True)
        does; the position of each emitted word's last token (-1 for a word without tokens;
        words cut by truncation are not emitted, as in NeuroX); and the untruncated length."""
        ids = [self.cls]
        counts = []
        for w in words:
            piece = self.word_ids(w)
            ids.extend(piece)
            counts.append(len(piece))
        untruncated = len(ids) + 1
        keep = self.model_max_length - 1
        if len(ids) > keep:
            ids = ids[:keep]
        ids.append(self.sep)
        # NeuroX's walk: n = the non-special positions; a word that does not fit whole ends the
        # sentence (it and every later word are dropped); a zero-count word gets zeros (-1)
        n = len(ids) - 2
        last = []
        counter = 0
        for c in counts:
            if (c != 0 and counter >= n) or counter + c > n:
                break
            last.append(1 + counter + c - 1 if c else -1)
            counter += c
        return ids, last, untruncated


# ---------------------------------------------------------------------------------------------
# BERT forward, transformers 4.31 BertModel style

class Bert:
    def __init__(self, model_dir):
        import torch
        with open(os.path.join(model_dir, "config.json")) as f:
            c = json.load(f)
        if c.get("model_type") != "bert":
            raise SystemExit("neurox_way.py: only model_type bert is implemented")
        if c.get("hidden_act", "gelu") != "gelu":
            raise SystemExit("neurox_way.py: only hidden_act gelu (erf) is implemented")
        self.c = c
        self.layers = c["num_hidden_layers"]
        self.hidden = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.head_size = self.hidden // self.heads
        self.eps = c.get("layer_norm_eps", 1e-12)
        raw = read_safetensors(os.path.join(model_dir, "model.safetensors"))
        prefix = "bert." if any(k.startswith("bert.") for k in raw) else ""
        # copies: torch.from_numpy on a read-only buffer warns, and the tensors must own memory
        self.w = {k[len(prefix):]: torch.from_numpy(np.array(v)) for k, v in raw.items() if k.startswith(prefix)}
        del raw

    def forward(self, input_ids):
        """input_ids: LongTensor [1, T]. Returns the tuple of hidden states (layers + 1), each
        [1, T, H], and the pooler output, as BertModel(output_hidden_states=True) does."""
        import torch
        import torch.nn.functional as F
        w = self.w
        length = input_ids.shape[1]
        h = self.hidden
        x = (F.embedding(input_ids, w["embeddings.word_embeddings.weight"])
             + F.embedding(torch.zeros_like(input_ids), w["embeddings.token_type_embeddings.weight"])
             + F.embedding(torch.arange(length).unsqueeze(0), w["embeddings.position_embeddings.weight"]))
        x = F.layer_norm(x, (h,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        # get_extended_attention_mask of an all-ones attention mask: zeros, [1, 1, 1, T]
        mask = torch.zeros((1, 1, 1, length), dtype=x.dtype)
        states = [x]
        for i in range(self.layers):
            p = "encoder.layer.%d." % i

            def heads(t):
                return t.view(1, length, self.heads, self.head_size).permute(0, 2, 1, 3)

            q = heads(F.linear(x, w[p + "attention.self.query.weight"], w[p + "attention.self.query.bias"]))
            k = heads(F.linear(x, w[p + "attention.self.key.weight"], w[p + "attention.self.key.bias"]))
            v = heads(F.linear(x, w[p + "attention.self.value.weight"], w[p + "attention.self.value.bias"]))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_size)
            scores = scores + mask
            probs = torch.softmax(scores, dim=-1)
            context = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(1, length, h)
            a = F.linear(context, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"])
            a = F.layer_norm(a + x, (h,), w[p + "attention.output.LayerNorm.weight"],
                             w[p + "attention.output.LayerNorm.bias"], self.eps)
            inter = F.gelu(F.linear(a, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"]))
            o = F.linear(inter, w[p + "output.dense.weight"], w[p + "output.dense.bias"])
            x = F.layer_norm(o + a, (h,), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"],
                             self.eps)
            states.append(x)
        pooled = None
        if "pooler.dense.weight" in w:
            pooled = torch.tanh(F.linear(x[:, 0], w["pooler.dense.weight"], w["pooler.dense.bias"]))
        return tuple(states), pooled


def aggregate_last(all_states, last):
    """NeuroX's 'last' aggregation: [layers, words, H]; words without tokens get zeros."""
    out = np.zeros((all_states.shape[0], len(last), all_states.shape[2]), dtype=np.float32)
    for j, t in enumerate(last):
        if t >= 0:
            out[:, j, :] = all_states[:, t, :]
    return out


# ---------------------------------------------------------------------------------------------

def self_check():
    import h5py
    import torch
    torch.set_num_threads(1)
    fixture = os.path.join(REPO, "tests", "data", "hf")
    model_dir = os.path.join(fixture, "models", "bert_cased")
    with open(os.path.join(fixture, "bert_cased.json")) as f:
        meta = json.load(f)
    tok = WordPiece(model_dir)
    bert = Bert(model_dir)
    bad = 0
    worst = 0.0
    with h5py.File(os.path.join(fixture, "bert_cased.h5"), "r") as h5, torch.inference_mode():
        for s in meta["sentences"]:
            ids, last, untruncated = tok.encode(s["words"])
            if ids != s["input_ids"] or untruncated != s["num_tokens_untruncated"]:
                bad += 1
                print("tokenizer MISMATCH sentence %d: %r\n  ours %s (untruncated %d)\n  HF   %s (untruncated %d)"
                      % (s["index"], s["text"], ids, untruncated, s["input_ids"], s["num_tokens_untruncated"]))
                continue
            states, _ = bert.forward(torch.tensor([ids], dtype=torch.long))
            ours = np.array([t[0].numpy() for t in states])
            ref = h5[s["group"] + "/hidden_states"][()]
            diff = float(np.max(np.abs(ours - ref)))
            agg = aggregate_last(ours, last)
            ref_last = h5[s["group"] + "/neurox/last"][()]
            diff_last = float(np.max(np.abs(agg - ref_last))) if agg.shape == ref_last.shape else float("inf")
            worst = max(worst, diff, diff_last)
            if diff > 1e-4 or diff_last > 1e-4:
                bad += 1
                print("forward MISMATCH sentence %d: max |diff| hidden %.3g, neurox/last %.3g (shapes %s %s)"
                      % (s["index"], diff, diff_last, agg.shape, ref_last.shape))
    n = len(meta["sentences"])
    print("self-check: %d/%d fixture sentences: token ids equal to transformers' BertTokenizer, hidden "
          "states and NeuroX 'last' vectors within 1e-4 of BertModel's (max |diff| %.2g)%s"
          % (n - bad, n, worst, "" if bad == 0 else " -- FAILED"))
    return 1 if bad else 0


def read_corpus(path, limit):
    sentences = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            sentences.append(line.split(" ") if line else [])
            if limit and len(sentences) >= limit:
                break
    return sentences


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--model", help="the checkpoint folder (config.json, model.safetensors, vocab.txt)")
    ap.add_argument("--corpus", help="one sentence per line, words separated by single spaces")
    ap.add_argument("--sentences", type=int, default=0, help="the first N sentences only (0: all)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--out", help="the HDF5 file written sentence by sentence (NeuroX's layout)")
    ap.add_argument("--no-write", action="store_true", help="do not write activations")
    ap.add_argument("--result", help="also write the JSON result here")
    ap.add_argument("--token-counts", help="write the tokens per sentence (incl. [CLS]/[SEP], after "
                    "truncation) here as JSON, and exit without loading the model")
    ap.add_argument("--self-check", action="store_true",
                    help="compare tokenizer and forward with the transformers fixtures, then exit")
    args = ap.parse_args()
    if args.self_check:
        return self_check()
    if not args.model or not args.corpus:
        ap.error("--model and --corpus are required (or --self-check)")
    if not args.no_write and not args.out and not args.token_counts:
        ap.error("--out is required unless --no-write")

    t_start = time.perf_counter()
    tok = WordPiece(args.model)
    sentences = read_corpus(args.corpus, args.sentences)
    t0 = time.perf_counter()
    encoded = [tok.encode(words) for words in sentences]
    t_tokenize = time.perf_counter() - t0
    words_in = sum(len(s) for s in sentences)
    words = sum(len(last) for _, last, _ in encoded)  # the words NeuroX emits (truncation drops some)
    if args.token_counts:
        with open(args.token_counts, "w") as f:
            json.dump({"sentences": len(sentences), "words": words, "words_in": words_in,
                       "tokens": [len(ids) for ids, _, _ in encoded],
                       "truncated": sum(1 for ids, _, u in encoded if u > len(ids))}, f)
        return 0

    import torch
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    bert = Bert(args.model)
    t_load = time.perf_counter() - t0

    h5 = None
    if not args.no_write:
        import h5py
        h5 = h5py.File(args.out, "w")
    forward_s = 0.0
    t_loop = time.perf_counter()
    with torch.inference_mode():
        for index, (ids, last, _) in enumerate(encoded):
            input_ids = torch.tensor([ids], dtype=torch.long)
            t1 = time.perf_counter()
            states, _ = bert.forward(input_ids)
            forward_s += time.perf_counter() - t1
            all_states = np.array([t[0].numpy() for t in states])  # [layers + 1, T, H]
            vectors = aggregate_last(all_states, last)
            if h5 is not None:
                h5.create_dataset(str(index), vectors.shape, dtype="float32", data=vectors)
    if h5 is not None:
        h5.create_dataset("sentence_to_index", data=json.dumps(
            {" ".join(s): str(i) for i, s in enumerate(sentences)}))
        h5.close()
    loop_s = time.perf_counter() - t_loop
    tokens = sum(len(ids) for ids, _, _ in encoded)
    result = {"tool": "neurox-way-python", "sentences": len(sentences), "words": words, "words_in": words_in,
              "tokens": tokens,
              "layers": bert.layers + 1, "threads": args.threads, "torch_threads": torch.get_num_threads(),
              "torch_version": torch.__version__, "tokenize_s": t_tokenize, "load_s": t_load,
              "loop_s": loop_s, "forward_s": forward_s, "words_per_s": words / loop_s if loop_s > 0 else None,
              "setup_s": t_loop - t_start, "wrote": None if h5 is None else args.out}
    text = json.dumps(result)
    if args.result:
        with open(args.result, "w") as f:
            f.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The Python peer of `conceptlens extract`: NeuroX's way of working, one sentence at a time.

NeuroX (transformers_extractor.extract_representations) tokenizes each sentence, runs the
Hugging Face model on it alone (batch of 1, no padding), turns every layer's hidden states into
numpy, picks one vector per word (aggregation 'last': the word's last subword), and writes one
dataset per sentence. This script does the same without transformers (not packaged in Debian),
for BERT (model_type bert) and GPT-2 (model_type gpt2) checkpoints:

  * BERT: a forward written the way transformers 4.31's BertModel computes it, in PyTorch,
    under torch.inference_mode(): embeddings (word + position + token type 0) and LayerNorm;
    per layer separate query/key/value Linear, scores = q k^T / sqrt(d) + the (all-zero)
    extended attention mask, softmax, context, output dense + residual + LayerNorm,
    intermediate dense + gelu (erf), output dense + residual + LayerNorm; then the pooler
    (tanh(dense(first token))), as BertModel computes it too;
  * GPT-2: GPT2Model's forward: wte + wpe; per block ln_1, c_attn (addmm, Conv1D weights
    [in, out]), causal softmax(q k^T / sqrt(d)) v (the mask as torch.where with the dtype's
    minimum), c_proj + residual, ln_2, c_fc, gelu_new (NewGELUActivation's formula), c_proj +
    residual; ln_f on the last block's output;
  * the weights: model.safetensors, read with numpy (F32 only, the format
    bench/make_random_model.py writes);
  * the tokenizers: a minimal BertTokenizer (slow): BasicTokenizer (clean text, NFC, CJK chars
    split, whitespace split, punctuation split; cased: no lower-casing or accent stripping) and
    greedy longest-match WordPiece with '##', [UNK] for words over 100 characters or with no
    match; and a minimal GPT2Tokenizer: GPT-2's pre-tokenization pattern (written out with
    unicodedata's categories, as the `regex` module is not packaged here), bytes_to_unicode and
    BPE by merge rank. --self-check compares both with the ids transformers gave for the 20
    fixture sentences (tests/data/hf/bert_cased.json, tests/data/hf_families/gpt2.json), and
    the forwards with transformers' hidden states.

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
# Minimal GPT2Tokenizer (transformers 4.31 tokenization_gpt2.py, slow; add_prefix_space false)

def _bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + \
        list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def _gpt2_pretokenize(text):
    """findall of 's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+."""
    def letter(c):
        return unicodedata.category(c)[0] == "L"

    def number(c):
        return unicodedata.category(c)[0] == "N"

    def space(c):
        return c.isspace() and not "\x1c" <= c <= "\x1f"

    def other(c):
        return not (space(c) or letter(c) or number(c))

    parts = []
    i = 0
    while i < len(text):
        length = 0
        if text[i] == "'":
            for tail in ("s", "t", "re", "ve", "m", "ll", "d"):
                if text.startswith(tail, i + 1):
                    length = 1 + len(tail)
                    break
        for klass in (letter, number, other):
            if length:
                break
            j = i + 1 if text[i] == " " and i + 1 < len(text) and klass(text[i + 1]) else i
            if klass(text[j]):
                while j < len(text) and klass(text[j]):
                    j += 1
                length = j - i
        if not length:
            j = i
            while j < len(text) and space(text[j]):
                j += 1
            length = j - i - (1 if j < len(text) and j - i > 1 else 0)
        parts.append(text[i:i + length])
        i += length
    return parts


class ByteLevelBpe:
    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "vocab.json"), encoding="utf-8") as f:
            self.vocab = json.load(f)
        with open(os.path.join(model_dir, "merges.txt"), encoding="utf-8") as f:
            merges = f.read().split("\n")[1:-1]
        self.ranks = {tuple(m.split()): i for i, m in enumerate(merges)}
        with open(os.path.join(model_dir, "tokenizer_config.json")) as f:
            cfg = json.load(f)
        if cfg.get("add_prefix_space") or cfg.get("add_bos_token"):
            raise SystemExit("neurox_way.py: only GPT-2 tokenizers without add_prefix_space/add_bos_token")
        self.model_max_length = int(cfg.get("model_max_length", 1024))
        self.unk = self.vocab["<|endoftext|>"]
        self.byte_encoder = _bytes_to_unicode()
        self.cache = {}

    def bpe(self, part):
        if part in self.cache:
            return self.cache[part]
        word = [self.byte_encoder[b] for b in part.encode("utf-8")]
        while len(word) > 1:
            pairs = [(self.ranks.get((a, b), float("inf")), a, b) for a, b in zip(word, word[1:])]
            rank, first, second = min(pairs)
            if rank == float("inf"):
                break
            merged = []
            i = 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == first and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        ids = [self.vocab.get(t, self.unk) for t in word]
        self.cache[part] = ids
        return ids

    def word_ids(self, word, first):
        ids = []
        for part in _gpt2_pretokenize(word if first else " " + word):
            ids.extend(self.bpe(part))
        return ids

    def encode(self, words):
        """The ids (no special tokens), truncated to model_max_length; the position of each
        emitted word's last token (NeuroX's walk; its count is its tokens in context, which with
        single spaces are the tokens of " word"); and the untruncated length."""
        ids = []
        counts = []
        for i, w in enumerate(words):
            piece = self.word_ids(w, i == 0)
            ids.extend(piece)
            counts.append(len(piece))
        untruncated = len(ids)
        ids = ids[:self.model_max_length]
        n = len(ids)
        last = []
        counter = 0
        for c in counts:
            if (c != 0 and counter >= n) or counter + c > n:
                break
            last.append(counter + c - 1 if c else -1)
            counter += c
        return ids, last, untruncated


# ---------------------------------------------------------------------------------------------
# BERT forward, transformers 4.31 BertModel style

def read_weights(model_dir, prefix):
    """model.safetensors as torch tensors, without the task model's `prefix` (e.g. "bert.") where
    the checkpoint has it. Copies: torch.from_numpy on a read-only buffer warns, and the tensors
    must own their memory."""
    import torch
    raw = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    if not any(k.startswith(prefix) for k in raw):
        prefix = ""
    return {k[len(prefix):]: torch.from_numpy(np.array(v)) for k, v in raw.items() if k.startswith(prefix)}


class Bert:
    def __init__(self, model_dir):
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
        self.w = read_weights(model_dir, "bert.")

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


class Gpt2:
    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "config.json")) as f:
            c = json.load(f)
        if c.get("model_type") != "gpt2" or c.get("activation_function", "gelu_new") != "gelu_new":
            raise SystemExit("neurox_way.py: a GPT-2 with gelu_new expected")
        self.layers = c["n_layer"]
        self.hidden = c["n_embd"]
        self.heads = c["n_head"]
        self.head_size = self.hidden // self.heads
        self.eps = c.get("layer_norm_epsilon", 1e-5)
        self.w = read_weights(model_dir, "transformer.")

    def forward(self, input_ids):
        """input_ids: LongTensor [1, T]. The hidden states (layers + 1, each [1, T, H]) as
        GPT2Model(output_hidden_states=True) gives them (the last after ln_f), and None."""
        import torch
        import torch.nn.functional as F
        w = self.w
        length = input_ids.shape[1]
        h = self.hidden

        def conv1d(x, name):
            return torch.addmm(w[name + ".bias"], x.view(-1, x.size(-1)), w[name + ".weight"]).view(
                x.size(0), x.size(1), -1)

        def layer_norm(x, name):
            return F.layer_norm(x, (h,), w[name + ".weight"], w[name + ".bias"], self.eps)

        def heads(t):
            return t.view(1, length, self.heads, self.head_size).permute(0, 2, 1, 3)

        x = F.embedding(input_ids, w["wte.weight"]) + F.embedding(torch.arange(length).unsqueeze(0), w["wpe.weight"])
        causal = torch.tril(torch.ones((length, length), dtype=torch.bool)).view(1, 1, length, length)
        states = [x]
        for i in range(self.layers):
            p = "h.%d." % i
            q, k, v = conv1d(layer_norm(x, p + "ln_1"), p + "attn.c_attn").split(h, dim=2)
            q, k, v = heads(q), heads(k), heads(v)
            scores = torch.matmul(q, k.transpose(-1, -2)) / torch.full([], self.head_size ** 0.5, dtype=x.dtype)
            scores = torch.where(causal, scores, torch.full([], torch.finfo(scores.dtype).min, dtype=x.dtype))
            context = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous().view(1, length, h)
            x = conv1d(context, p + "attn.c_proj") + x
            m = conv1d(layer_norm(x, p + "ln_2"), p + "mlp.c_fc")
            m = 0.5 * m * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (m + 0.044715 * torch.pow(m, 3.0))))
            x = conv1d(m, p + "mlp.c_proj") + x
            states.append(layer_norm(x, "ln_f") if i + 1 == self.layers else x)
        return tuple(states), None


def load(model_dir):
    """The tokenizer and the model of a BERT or GPT-2 checkpoint folder."""
    with open(os.path.join(model_dir, "config.json")) as f:
        model_type = json.load(f).get("model_type")
    if model_type == "gpt2":
        return ByteLevelBpe(model_dir), Gpt2
    return WordPiece(model_dir), Bert


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
    bad = 0
    for fixture, name, tokenizer_class, model_class in (("hf", "bert_cased", "BertTokenizer", "BertModel"),
                                                       ("hf_families", "gpt2", "GPT2Tokenizer", "GPT2Model")):
        folder = os.path.join(REPO, "tests", "data", fixture)
        with open(os.path.join(folder, name + ".json")) as f:
            meta = json.load(f)
        tok, model_type = load(os.path.join(folder, "models", name))
        model = model_type(os.path.join(folder, "models", name))
        wrong = 0
        worst = 0.0
        with h5py.File(os.path.join(folder, name + ".h5"), "r") as h5, torch.inference_mode():
            for s in meta["sentences"]:
                ids, last, untruncated = tok.encode(s["words"])
                if ids != s["input_ids"] or untruncated != s["num_tokens_untruncated"]:
                    wrong += 1
                    print("%s tokenizer MISMATCH sentence %d: %r\n  ours %s (untruncated %d)\n  HF   %s (untruncated %d)"
                          % (name, s["index"], s["text"], ids, untruncated, s["input_ids"],
                             s["num_tokens_untruncated"]))
                    continue
                states, _ = model.forward(torch.tensor([ids], dtype=torch.long))
                ours = np.array([t[0].numpy() for t in states])
                ref = h5[s["group"] + "/hidden_states"][()]
                diff = float(np.max(np.abs(ours - ref)))
                agg = aggregate_last(ours, last)
                ref_last = h5[s["group"] + "/neurox/last"][()]
                diff_last = float(np.max(np.abs(agg - ref_last))) if agg.shape == ref_last.shape else float("inf")
                worst = max(worst, diff, diff_last)
                if diff > 1e-4 or diff_last > 1e-4:
                    wrong += 1
                    print("%s forward MISMATCH sentence %d: max |diff| hidden %.3g, neurox/last %.3g (shapes %s %s)"
                          % (name, s["index"], diff, diff_last, agg.shape, ref_last.shape))
        n = len(meta["sentences"])
        print("self-check %s: %d/%d fixture sentences: token ids equal to transformers' %s, hidden states and "
              "NeuroX 'last' vectors within 1e-4 of %s's (max |diff| %.2g)%s"
              % (name, n - wrong, n, tokenizer_class, model_class, worst, "" if wrong == 0 else " -- FAILED"))
        bad += wrong
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
    tok, model_type = load(args.model)
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
    model = model_type(args.model)
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
            states, _ = model.forward(input_ids)
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
              "layers": model.layers + 1, "threads": args.threads, "torch_threads": torch.get_num_threads(),
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

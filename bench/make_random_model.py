#!/usr/bin/python3
"""Writes a randomly initialised BERT or GPT-2 checkpoint folder (Hugging Face layout) for
benchmarks.

--family bert (default): BERT-base's size (BertConfig's defaults: 12 layers, hidden 768, 12
heads, intermediate 3072, max_position_embeddings 512, type_vocab_size 2, gelu) with the real
bert-base-cased WordPiece vocabulary (tests/data/hf/models/bert_cased/vocab.txt, 28996 entries).
--family gpt2: GPT-2 small's size (GPT2Config's defaults: 12 layers, n_embd 768, 12 heads,
n_inner 3072, n_positions 1024, vocab_size 50257, gelu_new, layer_norm_epsilon 1e-5) with the
byte-level BPE tokenizer of tests/data/hf_families/models/gpt2 (1057 tokens, 800 merges: GPT-2's
algorithm, not its vocabulary, which this machine does not have — words split into more tokens
than with GPT-2's 50257; both tools of a benchmark see the same ones).
Weights as _init_weights gives them: every Linear/Conv1D and Embedding weight N(0,
initializer_range = 0.02), biases 0, LayerNorm weight 1 and bias 0, drawn from numpy's
default_rng(--seed) tensor by tensor in state_dict order. Timing does not depend on the values,
only the shapes; they are random so that nothing is accidentally sparse or constant.

Files written into the folder:
  config.json               a BertConfig (architectures [BertModel]) or GPT2Config ([GPT2Model])
  model.safetensors         F32 tensors named as the model's state_dict; written by the small
                            pure-python writer below (8-byte LE header length, JSON header with
                            "__metadata__": {"format": "pt"}, padded with spaces to a multiple of
                            8, then the raw little-endian data in header order)
  tokenizer files           copied from the fixture (vocab.txt or vocab.json + merges.txt,
                            special_tokens_map.json); tokenizer_config.json the fixture's, with
                            model_max_length = the positions
  bench_model.json          the generator's settings; an existing folder whose bench_model.json
                            matches is reused as it is (pass --force to rewrite it)

Examples:
  /usr/bin/python3 bench/make_random_model.py                  # bench/.cache/models/bert-base-seed0
  /usr/bin/python3 bench/make_random_model.py --family gpt2    # bench/.cache/models/gpt2-small-seed0
  /usr/bin/python3 bench/make_random_model.py --layers 2 --hidden 128 --heads 2 --intermediate 512
It prints the folder on its last line.
"""
import argparse
import json
import os
import shutil
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FIXTURES = {"bert": os.path.join(REPO, "tests", "data", "hf", "models", "bert_cased"),
            "gpt2": os.path.join(REPO, "tests", "data", "hf_families", "models", "gpt2")}
TOKENIZER_FILES = {"bert": ("vocab.txt", "special_tokens_map.json"),
                   "gpt2": ("vocab.json", "merges.txt", "special_tokens_map.json")}
CACHE = os.path.join(HERE, ".cache")
GENERATOR_VERSION = 1


def bert_state_dict_shapes(c):
    """(name, shape, kind) in BertModel.state_dict() order; kind: normal | zeros | ones."""
    h, inter = c["hidden_size"], c["intermediate_size"]
    out = [("embeddings.word_embeddings.weight", (c["vocab_size"], h), "normal"),
           ("embeddings.position_embeddings.weight", (c["max_position_embeddings"], h), "normal"),
           ("embeddings.token_type_embeddings.weight", (c["type_vocab_size"], h), "normal"),
           ("embeddings.LayerNorm.weight", (h,), "ones"),
           ("embeddings.LayerNorm.bias", (h,), "zeros")]

    def linear(name, n_out, n_in):
        out.append((name + ".weight", (n_out, n_in), "normal"))
        out.append((name + ".bias", (n_out,), "zeros"))

    def layer_norm(name):
        out.append((name + ".weight", (h,), "ones"))
        out.append((name + ".bias", (h,), "zeros"))

    for i in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % i
        linear(p + "attention.self.query", h, h)
        linear(p + "attention.self.key", h, h)
        linear(p + "attention.self.value", h, h)
        linear(p + "attention.output.dense", h, h)
        layer_norm(p + "attention.output.LayerNorm")
        linear(p + "intermediate.dense", inter, h)
        linear(p + "output.dense", h, inter)
        layer_norm(p + "output.LayerNorm")
    linear("pooler.dense", h, h)
    return out


def gpt2_state_dict_shapes(c):
    """(name, shape, kind) in GPT2Model.state_dict() order; Conv1D weights are [in, out]."""
    h, inter = c["n_embd"], c["n_inner"]
    out = [("wte.weight", (c["vocab_size"], h), "normal"), ("wpe.weight", (c["n_positions"], h), "normal")]

    def conv1d(name, n_in, n_out):
        out.append((name + ".weight", (n_in, n_out), "normal"))
        out.append((name + ".bias", (n_out,), "zeros"))

    def layer_norm(name):
        out.append((name + ".weight", (h,), "ones"))
        out.append((name + ".bias", (h,), "zeros"))

    for i in range(c["n_layer"]):
        p = "h.%d." % i
        layer_norm(p + "ln_1")
        conv1d(p + "attn.c_attn", h, 3 * h)
        conv1d(p + "attn.c_proj", h, h)
        layer_norm(p + "ln_2")
        conv1d(p + "mlp.c_fc", h, inter)
        conv1d(p + "mlp.c_proj", inter, h)
    layer_norm("ln_f")
    return out


def write_safetensors(path, specs, make_tensor):
    """specs: [(name, shape)]; make_tensor(i) returns tensor i as a float32 array of that shape.
    Tensors are produced and written one at a time, so memory stays at one tensor."""
    header = {}
    offset = 0
    for name, shape in specs:
        nbytes = 4 * int(np.prod(shape, dtype=np.int64))
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for i, (name, shape) in enumerate(specs):
            a = np.ascontiguousarray(make_tensor(i), dtype="<f4")
            assert a.shape == tuple(shape), (name, a.shape, shape)
            f.write(a.tobytes())
    os.replace(tmp, path)


def read_safetensors(path):
    """{name: float32 array} from a file written as above (F32 only; numpy views of one buffer)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit("%s: %s is %s; only F32 is read here" % (path, name, info["dtype"]))
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4, offset=begin).reshape(info["shape"])
    return out


def make_config(args, vocab_size):
    if args.family == "gpt2":
        return {
            "activation_function": "gelu_new",
            "architectures": ["GPT2Model"],
            "bos_token_id": 1056,
            "eos_token_id": 1056,
            "initializer_range": 0.02,
            "layer_norm_epsilon": 1e-05,
            "model_type": "gpt2",
            "n_embd": args.hidden,
            "n_head": args.heads,
            "n_inner": args.intermediate,
            "n_layer": args.layers,
            "n_positions": args.max_positions,
            "scale_attn_weights": True,
            "torch_dtype": "float32",
            "transformers_version": "4.31.0",
            "vocab_size": 50257,
        }
    return {
        "architectures": ["BertModel"],
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": args.hidden,
        "initializer_range": 0.02,
        "intermediate_size": args.intermediate,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": args.max_positions,
        "model_type": "bert",
        "num_attention_heads": args.heads,
        "num_hidden_layers": args.layers,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        "transformers_version": "4.31.0",
        "type_vocab_size": 2,
        "use_cache": True,
        "vocab_size": vocab_size,
    }


def default_dir(args):
    base = {"bert": ((12, 768, 12, 3072, 512), "bert-base"), "gpt2": ((12, 768, 12, 3072, 1024), "gpt2-small")}
    sizes, base_name = base[args.family]
    shape = (args.layers, args.hidden, args.heads, args.intermediate, args.max_positions)
    name = base_name if shape == sizes else "%s-L%d-H%d-A%d-I%d-P%d" % ((args.family,) + shape)
    return os.path.join(CACHE, "models", "%s-seed%d" % (name, args.seed))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--family", choices=("bert", "gpt2"), default="bert", help="the architecture (default bert)")
    ap.add_argument("--layers", type=int, default=12, help="num_hidden_layers (default 12)")
    ap.add_argument("--hidden", type=int, default=768, help="hidden_size (default 768)")
    ap.add_argument("--heads", type=int, default=None, help="num_attention_heads (default hidden/64)")
    ap.add_argument("--intermediate", type=int, default=None, help="intermediate_size (default 4*hidden)")
    ap.add_argument("--max-positions", type=int, default=None, help="max_position_embeddings (n_positions) "
                    "and the tokenizer's model_max_length (default 512 for bert, 1024 for gpt2)")
    ap.add_argument("--seed", type=int, default=0, help="numpy default_rng seed (default 0)")
    ap.add_argument("--out", default=None, help="the folder (default bench/.cache/models/<name>-seed<S>)")
    ap.add_argument("--force", action="store_true", help="rewrite even if the folder matches")
    args = ap.parse_args()
    if args.heads is None:
        args.heads = max(1, args.hidden // 64)
    if args.intermediate is None:
        args.intermediate = 4 * args.hidden
    if args.max_positions is None:
        args.max_positions = 1024 if args.family == "gpt2" else 512
    if args.hidden % args.heads != 0:
        raise SystemExit("--hidden %d is not a multiple of --heads %d" % (args.hidden, args.heads))
    out = os.path.abspath(args.out or default_dir(args))

    fixture = FIXTURES[args.family]
    vocab_size = 0
    if args.family == "bert":
        with open(os.path.join(fixture, "vocab.txt"), encoding="utf-8") as f:
            vocab_size = sum(1 for _ in f)
    config = make_config(args, vocab_size)
    stamp = {"generator": "bench/make_random_model.py", "version": GENERATOR_VERSION, "seed": args.seed,
             "init": "Linear/Embedding weights N(0, 0.02), biases 0, LayerNorm (1, 0); numpy default_rng "
                     "standard_normal float32 per tensor in state_dict order",
             "config": config}
    stamp_path = os.path.join(out, "bench_model.json")
    if not args.force and os.path.exists(stamp_path) and os.path.exists(os.path.join(out, "model.safetensors")):
        with open(stamp_path) as f:
            if json.load(f) == stamp:
                print("# reusing %s (same settings)" % out, file=sys.stderr)
                print(out)
                return 0
    os.makedirs(out, exist_ok=True)
    if os.path.exists(stamp_path):
        os.remove(stamp_path)  # written last: a folder without it is incomplete

    specs = gpt2_state_dict_shapes(config) if args.family == "gpt2" else bert_state_dict_shapes(config)
    rng = np.random.default_rng(args.seed)
    std = config["initializer_range"]

    def make_tensor(i):
        _, shape, kind = specs[i]
        if kind == "ones":
            return np.ones(shape, dtype=np.float32)
        if kind == "zeros":
            return np.zeros(shape, dtype=np.float32)
        a = rng.standard_normal(shape, dtype=np.float32)
        a *= np.float32(std)
        return a

    write_safetensors(os.path.join(out, "model.safetensors"), [(n, s) for n, s, _ in specs], make_tensor)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    for name in TOKENIZER_FILES[args.family]:
        shutil.copyfile(os.path.join(fixture, name), os.path.join(out, name))
    with open(os.path.join(fixture, "tokenizer_config.json")) as f:
        tok = json.load(f)
    tok["model_max_length"] = args.max_positions
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump(tok, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(stamp_path, "w") as f:
        json.dump(stamp, f, indent=2, sort_keys=True)
        f.write("\n")
    params = sum(int(np.prod(s)) for _, s, _ in specs)
    print("# wrote %s: %d layers, hidden %d, %d heads, intermediate %d, %d tensors, %.1f M parameters"
          % (out, args.layers, args.hidden, args.heads, args.intermediate, len(specs), params / 1e6),
          file=sys.stderr)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

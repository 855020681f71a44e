"""A small random-weight BERT written as a sentence-transformers folder: config.json and model.safetensors (Hugging
Face BertModel names), tokenizer.json and vocab.txt (a 660-token slice of BERT uncased), the sentence-transformers
configs (mean pooling, Normalize, max_seq_length 48 while tokenizer.json truncates and pads at 32: the trap real
models ship with), and two hand-built ONNX exports of the same weights:

- model.onnx, opset 17 as PyTorch's exporter writes it: LayerNormalization, GELU through Erf, the attention mask
  through Equal/Where, positions through Shape/Gather/Range, head reshapes through Shape/Concat;
- model_opset13.onnx: LayerNormalization decomposed (ReduceMean/Sub/Pow/Sqrt/Div), the mask through Cast/Sub/Mul,
  positions sliced from a constant, and mean pooling inside the graph (a second output, sentence_embedding).

The reference outputs come from a NumPy implementation of BertModel's forward pass in float64 (Hugging Face's
definition); both ONNX files are checked against it with onnxruntime before anything is written.
"""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import save_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

HIDDEN, HEADS, LAYERS, INTERMEDIATE, POSITIONS, TYPES, EPS = 32, 4, 2, 64, 64, 2, 1e-12


class Shape:
    """An encoder's sizes, from a Hugging Face config.json (or the tiny model's constants)."""

    def __init__(self, config=None):
        config = config or {}
        self.hidden = config.get("hidden_size", HIDDEN)
        self.heads = config.get("num_attention_heads", HEADS)
        self.layers = config.get("num_hidden_layers", LAYERS)
        self.eps = config.get("layer_norm_eps", EPS)
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "the new movie is awesome",
    "",
    "Hello, world! How are you?",
    "one two three four five six seven eight nine ten " * 6,
    "query: what is the capital of france?",
    "Ünïcödé café, naïve résumé",
]


def vocabulary(shipped_vocab):
    by_id = sorted(shipped_vocab.items(), key=lambda kv: kv[1])
    keep = []
    for token, i in by_id:
        ascii_piece = token.startswith("##") and len(token) == 3 and token[2].isascii() and token[2].isalnum()
        if token in SPECIALS or 999 <= i < 1200 or 1996 <= i < 2400 or ascii_piece:
            keep.append(token)
    return keep


def weights(vocab_size, seed=20261207):
    rng = np.random.default_rng(seed)
    w = {}

    def normal(*shape, scale=0.2):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    w["embeddings.word_embeddings.weight"] = normal(vocab_size, HIDDEN, scale=1.0)
    w["embeddings.position_embeddings.weight"] = normal(POSITIONS, HIDDEN, scale=0.5)
    w["embeddings.token_type_embeddings.weight"] = normal(TYPES, HIDDEN, scale=0.5)
    w["embeddings.LayerNorm.weight"] = 1 + normal(HIDDEN, scale=0.1)
    w["embeddings.LayerNorm.bias"] = normal(HIDDEN, scale=0.1)
    w["embeddings.position_ids"] = np.arange(POSITIONS, dtype=np.int64)[None, :]
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."
        for name, (out, inp) in {
            "attention.self.query": (HIDDEN, HIDDEN), "attention.self.key": (HIDDEN, HIDDEN),
            "attention.self.value": (HIDDEN, HIDDEN), "attention.output.dense": (HIDDEN, HIDDEN),
            "intermediate.dense": (INTERMEDIATE, HIDDEN), "output.dense": (HIDDEN, INTERMEDIATE),
        }.items():
            w[p + name + ".weight"] = normal(out, inp, scale=1 / np.sqrt(inp))
            w[p + name + ".bias"] = normal(out, scale=0.1)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[p + name + ".weight"] = 1 + normal(HIDDEN, scale=0.1)
            w[p + name + ".bias"] = normal(HIDDEN, scale=0.1)
    w["pooler.dense.weight"] = normal(HIDDEN, HIDDEN, scale=1 / np.sqrt(HIDDEN))
    w["pooler.dense.bias"] = normal(HIDDEN, scale=0.1)
    return w


def reference_forward(w, ids, mask, types, shape=None):
    """Hugging Face BertModel's last_hidden_state, in float64."""
    from math import sqrt
    from scipy.special import erf as verf
    shape = shape or Shape()
    HIDDEN, HEADS, LAYERS, EPS = shape.hidden, shape.heads, shape.layers, shape.eps
    W = {k: v.astype(np.float64) for k, v in w.items() if v.dtype == np.float32}
    b, s = ids.shape
    dh = HIDDEN // HEADS

    def ln(x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + EPS) * W[name + ".weight"] + W[name + ".bias"]

    h = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][np.arange(s)][None] \
        + W["embeddings.token_type_embeddings.weight"][types]
    h = ln(h, "embeddings.LayerNorm")
    extended = (1.0 - mask[:, None, None, :].astype(np.float64)) * np.finfo(np.float32).min
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."

        def lin(x, name):
            return x @ W[p + name + ".weight"].T + W[p + name + ".bias"]

        def heads(x):
            return x.reshape(b, s, HEADS, dh).transpose(0, 2, 1, 3)

        q, k, v = heads(lin(h, "attention.self.query")), heads(lin(h, "attention.self.key")), heads(lin(h, "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / sqrt(dh) + extended
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(b, s, HIDDEN)
        attended = ln(lin(context, "attention.output.dense") + h, p + "attention.output.LayerNorm")
        inner = lin(attended, "intermediate.dense")
        inner = 0.5 * inner * (1 + verf(inner / sqrt(2)))
        h = ln(lin(inner, "output.dense") + attended, p + "output.LayerNorm")
    return h


def mean_pool(hidden, mask, normalize):
    m = mask[..., None].astype(np.float64)
    pooled = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    if normalize:
        pooled = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return pooled


class Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def const(self, value, name=None):
        self.count += 1
        name = name or f"c{self.count}"
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op, inputs, n_out=1, **attrs):
        self.count += 1
        outs = [f"{op.lower()}_{self.count}_{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=f"/{op}_{self.count}", **attrs))
        return outs[0] if n_out == 1 else outs


def onnx_model(w, opset, shape=None):
    shape = shape or Shape()
    HIDDEN, HEADS, LAYERS, EPS = shape.hidden, shape.heads, shape.layers, shape.eps
    g = Graph()
    i64 = lambda v: np.array(v, dtype=np.int64)
    f32 = lambda v: np.array(v, dtype=np.float32)
    word = g.const(w["embeddings.word_embeddings.weight"], "embeddings.word_embeddings.weight")
    pos = g.const(w["embeddings.position_embeddings.weight"], "embeddings.position_embeddings.weight")
    typ = g.const(w["embeddings.token_type_embeddings.weight"], "embeddings.token_type_embeddings.weight")
    shape = g.op("Shape", ["input_ids"])
    seq = g.op("Gather", [shape, g.const(i64(1))], axis=0)
    batch = g.op("Gather", [shape, g.const(i64(0))], axis=0)
    if opset >= 17:
        positions = g.op("Unsqueeze", [g.op("Range", [g.const(i64(0)), seq, g.const(i64(1))]), g.const(i64([0]))])
    else:
        positions = g.op("Slice", [g.const(w["embeddings.position_ids"], "embeddings.position_ids"), g.const(i64([0])),
                                   g.op("Unsqueeze", [seq, g.const(i64([0]))]), g.const(i64([1]))])
    h = g.op("Add", [g.op("Add", [g.op("Gather", [word, "input_ids"]), g.op("Gather", [typ, "token_type_ids"])]),
                     g.op("Gather", [pos, positions])])

    def layer_norm(x, name):
        scale, bias = g.const(w[name + ".weight"], name + ".weight"), g.const(w[name + ".bias"], name + ".bias")
        if opset >= 17:
            return g.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=EPS)
        mean = g.op("ReduceMean", [x], axes=[-1], keepdims=1)
        centred = g.op("Sub", [x, mean])
        var = g.op("ReduceMean", [g.op("Pow", [centred, g.const(f32(2.0))])], axes=[-1], keepdims=1)
        std = g.op("Sqrt", [g.op("Add", [var, g.const(f32(EPS))])])
        return g.op("Add", [g.op("Mul", [g.op("Div", [centred, std]), scale]), bias])

    h = layer_norm(h, "embeddings.LayerNorm")
    mask4 = g.op("Unsqueeze", [g.op("Unsqueeze", ["attention_mask", g.const(i64([1]))]), g.const(i64([2]))])
    if opset >= 17:
        masked = g.op("Equal", [mask4, g.const(i64(0))])
        extended = g.op("Where", [masked, g.const(f32(np.finfo(np.float32).min)), g.const(f32(0.0))])
    else:
        inverted = g.op("Sub", [g.const(f32(1.0)), g.op("Cast", [mask4], to=TensorProto.FLOAT)])
        extended = g.op("Mul", [inverted, g.const(f32(np.finfo(np.float32).min))])
    dh = HIDDEN // HEADS
    unsq = lambda x: g.op("Unsqueeze", [x, g.const(i64([0]))])
    heads_shape = g.op("Concat", [unsq(batch), unsq(seq), g.const(i64([HEADS, dh]))], axis=0)
    merged_shape = g.op("Concat", [unsq(batch), unsq(seq), g.const(i64([HIDDEN]))], axis=0)
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."

        def linear(x, name):
            weight = g.const(np.ascontiguousarray(w[p + name + ".weight"].T), p + name + ".weight")
            return g.op("Add", [g.const(w[p + name + ".bias"], p + name + ".bias"), g.op("MatMul", [x, weight])])

        q = g.op("Transpose", [g.op("Reshape", [linear(h, "attention.self.query"), heads_shape])], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [g.op("Reshape", [linear(h, "attention.self.key"), heads_shape])], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [g.op("Reshape", [linear(h, "attention.self.value"), heads_shape])], perm=[0, 2, 1, 3])
        scores = g.op("Add", [g.op("Div", [g.op("MatMul", [q, k]), g.const(f32(np.sqrt(dh)))]), extended])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merged_shape])
        attended = layer_norm(g.op("Add", [linear(context, "attention.output.dense"), h]), p + "attention.output.LayerNorm")
        inner = linear(attended, "intermediate.dense")
        gelu = g.op("Mul", [g.op("Mul", [inner, g.op("Add", [g.op("Erf", [g.op("Div", [inner, g.const(f32(np.sqrt(2.0)))])]),
                                                             g.const(f32(1.0))])]), g.const(f32(0.5))])
        h = layer_norm(g.op("Add", [linear(gelu, "output.dense"), attended]), p + "output.LayerNorm")
    g.nodes.append(helper.make_node("Identity", [h], ["last_hidden_state"], name="/output"))
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", HIDDEN])]
    if opset < 17:
        m = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", g.const(i64([-1]))])], to=TensorProto.FLOAT)
        m = g.op("Expand", [m, g.op("Shape", ["last_hidden_state"])])
        summed = g.op("ReduceSum", [g.op("Mul", ["last_hidden_state", m]), g.const(i64([1]))], keepdims=0)
        counts = g.op("Clip", [g.op("ReduceSum", [m, g.const(i64([1]))], keepdims=0), g.const(f32(1e-9))])
        g.nodes.append(helper.make_node("Div", [summed, counts], ["sentence_embedding"], name="/pool"))
        outputs.append(helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", HIDDEN]))
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])
              for n in ("input_ids", "attention_mask", "token_type_ids")]
    graph = helper.make_graph(g.nodes, "tiny_bert", inputs, outputs, g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="modelyard-fixtures")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write(out, shipped_vocab):
    folder = os.path.join(out, "tiny-bert")
    os.makedirs(os.path.join(folder, "1_Pooling"), exist_ok=True)
    tokens = vocabulary(shipped_vocab)
    ids = {t: i for i, t in enumerate(tokens)}
    tokenizer = Tokenizer(models.WordPiece(vocab=ids, unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])])
    tokenizer.add_special_tokens(SPECIALS)
    tokenizer.enable_truncation(32)
    tokenizer.enable_padding(length=32, pad_id=ids["[PAD]"], pad_token="[PAD]")
    tokenizer.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as fh:
        fh.write("".join(t + "\n" for t in tokens))

    config = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": HIDDEN, "num_attention_heads": HEADS,
              "num_hidden_layers": LAYERS, "intermediate_size": INTERMEDIATE, "max_position_embeddings": POSITIONS,
              "type_vocab_size": TYPES, "vocab_size": len(tokens), "layer_norm_eps": EPS, "hidden_act": "gelu",
              "pad_token_id": 0, "position_embedding_type": "absolute"}
    files = {
        "config.json": config,
        "modules.json": [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                         {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
        "1_Pooling/config.json": {"word_embedding_dimension": HIDDEN, "pooling_mode_cls_token": False,
                                  "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                                  "pooling_mode_mean_sqrt_len_tokens": False},
        "sentence_bert_config.json": {"max_seq_length": 48, "do_lower_case": False},
        "config_sentence_transformers.json": {"prompts": {"query": "query: ", "passage": "passage: "},
                                              "default_prompt_name": None, "similarity_fn_name": "cosine"},
    }
    for name, value in files.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
            json.dump(value, fh, indent=2)
            fh.write("\n")

    w = weights(len(tokens))
    save_file(w, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})

    # The batch the tests run: ids as sentence-transformers would make them (truncation at max_seq_length 48,
    # padding to the longest input), from the tokenizer without its fixed padding.
    tokenizer.no_padding()
    tokenizer.enable_truncation(48)
    encodings = [tokenizer.encode(s) for s in SENTENCES]
    length = max(len(e.ids) for e in encodings)
    pad = lambda seq: seq + [0] * (length - len(seq))
    input_ids = np.array([pad(e.ids) for e in encodings], dtype=np.int64)
    mask = np.array([pad([1] * len(e.ids)) for e in encodings], dtype=np.int64)
    types = np.zeros_like(input_ids)
    hidden = reference_forward(w, input_ids, mask, types)
    pooled = mean_pool(hidden, mask, normalize=False)
    embeddings = mean_pool(hidden, mask, normalize=True)

    differences = {}
    for name, opset in (("model.onnx", 17), ("model_opset13.onnx", 13)):
        model = onnx_model(w, opset)
        path = os.path.join(folder, name)
        onnx.save(model, path)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        outs = session.run(None, {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": types})
        diff = float(np.abs(outs[0] - hidden).max())
        if len(outs) > 1:
            diff = max(diff, float(np.abs(outs[1] - pooled).max()))
        if diff > 1e-4:
            raise SystemExit(f"{name}: onnxruntime differs from the NumPy reference by {diff}")
        differences[name] = diff

    rounded = lambda a: [float(np.float32(x)) for x in np.asarray(a, dtype=np.float64).ravel()]
    expected = {
        "sentences": SENTENCES, "token_counts": [len(e.ids) for e in encodings],
        "input_ids": input_ids.ravel().tolist(), "attention_mask": mask.ravel().tolist(), "shape": list(input_ids.shape),
        "last_hidden_state": rounded(hidden), "mean_pooled": rounded(pooled), "sentence_embedding": rounded(embeddings),
    }
    with open(os.path.join(out, "tiny-bert.expected.json"), "w", encoding="utf-8") as fh:
        json.dump(expected, fh)
        fh.write("\n")
    return differences

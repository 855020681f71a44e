#!/usr/bin/env python3
"""The embedding benchmark's baselines, one thread each: onnxruntime (Python API; and its C API in process through
scripts/onnx/ort_harness.c when --harness is given) on an all-MiniLM-L6-v2 ONNX export, and sentence-transformers
(PyTorch CPU) on the same model's folder when it is importable.

For every shape (batch 1, 8, 32 x 16 and 128 tokens) it writes the texts and token ids used, so the Swift side
times the very same inputs: texts of common single-token words whose tokenization (with [CLS] and [SEP]) is
exactly the shape's token count.

Usage: bench_baselines.py FOLDER ONNX OUT.json [--harness PATH] [--runs N]
Timing: the median of N calls, best of 3 rounds, after warm-up calls.
"""
import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

BATCHES = (1, 8, 32)
TOKENS = (16, 128)


def timed(call, runs):
    for _ in range(min(runs, 5)):
        call()
    best = None
    for _ in range(3):
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            samples.append(time.perf_counter() - start)
        median = statistics.median(samples)
        best = median if best is None else min(best, median)
    return best


def texts_for(tokenizer, batch, tokens, rng):
    vocab = tokenizer.get_vocab()
    words = [w for w, i in vocab.items() if 2000 <= i < 8000 and w.isalpha() and w.isascii() and len(w) > 2]
    words.sort()
    texts = []
    for _ in range(batch):
        while True:
            text = " ".join(rng.choice(words, size=tokens - 2))
            if len(tokenizer.encode(text).ids) == tokens:
                texts.append(text)
                break
    return texts


def harness_inputs(path, feed):
    with open(path, "wb") as fh:
        fh.write(b"ORTH" + struct.pack("<I", len(feed)))
        for name, array in feed.items():
            fh.write(struct.pack("<I", len(name)) + name.encode())
            fh.write(struct.pack("<iI", 7, array.ndim) + struct.pack(f"<{array.ndim}q", *array.shape))
            raw = np.ascontiguousarray(array).tobytes()
            fh.write(struct.pack("<Q", len(raw)) + raw)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("onnx")
    parser.add_argument("out")
    parser.add_argument("--harness")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    tokenizer = Tokenizer.from_file(os.path.join(args.folder, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"])
    library = None
    if args.harness:
        capi = os.path.join(os.path.dirname(ort.__file__), "capi")
        library = next(os.path.join(capi, f) for f in sorted(os.listdir(capi)) if f.startswith("libonnxruntime.so"))

    st_model = None
    torch_version = None
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        st_model = SentenceTransformer(args.folder, device="cpu")
        torch_version = torch.__version__
    except Exception as error:  # not installed here: the rows say so
        print(f"sentence-transformers not measured: {error}", file=sys.stderr)

    rng = np.random.default_rng(20261207)
    shapes = []
    for tokens in TOKENS:
        for batch in BATCHES:
            texts = texts_for(tokenizer, batch, tokens, rng)
            ids = np.array([tokenizer.encode(t).ids for t in texts], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
            runs = max(3, args.runs * 8 // batch) if tokens == 16 else max(3, args.runs * 2 // batch)
            entry = {"batch": batch, "tokens": tokens, "texts": texts, "input_ids": ids.ravel().tolist(), "runs": runs}
            entry["ort_python_seconds"] = timed(lambda: session.run(None, feed), runs)
            if library:
                with tempfile.TemporaryDirectory() as tmp:
                    path = os.path.join(tmp, "inputs.bin")
                    harness_inputs(path, feed)
                    out = subprocess.run([args.harness, library, args.onnx, path, str(runs)], check=True,
                                         capture_output=True, text=True).stdout
                    entry["ort_c_seconds"] = json.loads(out.strip().splitlines()[-1])["seconds"]
            if st_model is not None:
                entry["st_seconds"] = timed(lambda: st_model.encode(texts, batch_size=batch), runs)
            shapes.append(entry)
            print(f"batch {batch} x {tokens}: ort {entry['ort_python_seconds'] * 1e3:.2f} ms", file=sys.stderr)
    json.dump({"onnxruntime": ort.__version__, "torch": torch_version, "shapes": shapes}, open(args.out, "w"))


if __name__ == "__main__":
    main()

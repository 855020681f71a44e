#!/usr/bin/env python3
"""Times onnxruntime (Python API, one intra-op and one inter-op thread, CPU) on every fixture at batch 1 and
batch 1000 and prints JSON: {"fixtures": {name: {"b1": seconds, "b1000": seconds}}, "onnxruntime": version}.

Inputs: batch 1 is the fixture's first row. Batch 1000 has 1000 different rows: each column's values are drawn,
with a fixed seed, from that column's values in the fixture (NaNs and edge values included), as rows of real
traffic differ. `--rows cyclic` repeats the fixture's 14-20 rows instead; that flatters branchy tree walks
(onnxruntime's), whose branch predictor learns the repeating sequence: measured 3x on LightGBM at batch 1000.
With --inputs-out the exact request tensors are also written as <name>.b1.json / <name>.b1000.json (Open
Inference Protocol v2) so the Swift benchmark times the same data.

Timing: median of `runs` calls, best of 3 rounds, after warm-up.
"""
import argparse
import glob
import json
import os
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

TYPES = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64, "INT32": np.int32, "BOOL": np.bool_}


def decode(entry):
    data = entry["data"]
    if entry["datatype"] == "BYTES":
        return np.array(data, dtype=object).reshape(entry["shape"])
    values = [float(v) if isinstance(v, str) else v for v in data]
    return np.array(values, dtype=TYPES[entry["datatype"]]).reshape(entry["shape"])


def batch_of(array, rows, mode, rng):
    """`rows` rows from a fixture tensor: the first rows cyclically (`cyclic`), or each column drawn on its own
    from that column's values (`mixed`), so that rows differ from each other yet hold only values the fixture has."""
    if array.ndim == 0 or array.shape[0] == 0:
        return array
    if mode == "cyclic" or rows == 1:
        return array[np.arange(rows) % array.shape[0]]
    index = rng.integers(0, array.shape[0], size=(rows,) + array.shape[1:])
    return np.take_along_axis(array, index, axis=0)


def encode(name, array):
    datatype = "BYTES" if array.dtype == object else {v: k for k, v in TYPES.items()}[array.dtype.type]
    flat = array.reshape(-1).tolist()
    if datatype in ("FP32", "FP64"):
        flat = ["NaN" if v != v else ("Infinity" if v == float("inf") else ("-Infinity" if v == float("-inf") else v))
                for v in flat]
    return {"name": name, "shape": list(array.shape), "datatype": datatype, "data": flat}


def timed(session, feed, runs):
    best = None
    for _ in range(3):
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            session.run(None, feed)
            samples.append(time.perf_counter() - start)
        median = statistics.median(samples)
        best = median if best is None else min(best, median)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--inputs-out")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--runs-b1", type=int, default=1000)
    parser.add_argument("--runs-b1000", type=int, default=40)
    parser.add_argument("--rows", choices=["mixed", "cyclic"], default="mixed",
                        help="batch 1000: rows mixed column by column from the fixture's (default), or repeated")
    args = parser.parse_args()
    results = {}
    for path in sorted(glob.glob(os.path.join(args.fixtures, "*.json"))):
        name = os.path.basename(path)[:-5]
        model = os.path.join(args.fixtures, name + ".onnx")
        if not os.path.exists(model) or (args.only and name not in args.only):
            continue
        with open(path) as fh:
            fixture = json.load(fh)
        base = {e["name"]: decode(e) for e in fixture["inputs"]}
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        results[name] = {}
        for batch, runs in ((1, args.runs_b1), (1000, args.runs_b1000)):
            rng = np.random.default_rng(1000)
            feed = {k: batch_of(v, batch, args.rows, rng) for k, v in base.items()}
            if args.inputs_out:
                os.makedirs(args.inputs_out, exist_ok=True)
                with open(os.path.join(args.inputs_out, f"{name}.b{batch}.json"), "w") as fh:
                    json.dump({"inputs": [encode(k, v) for k, v in feed.items()]}, fh)
            for _ in range(min(runs, 20)):
                session.run(None, feed)
            results[name][f"b{batch}"] = timed(session, feed, runs)
        print(f"onnxruntime {name}: b1 {results[name]['b1'] * 1e6:.1f} us, b1000 {results[name]['b1000'] * 1e3:.2f} ms",
              file=sys.stderr)
    json.dump({"onnxruntime": ort.__version__, "fixtures": results}, sys.stdout)
    print()


if __name__ == "__main__":
    main()

"""Baseline for `modelyard-bench evaluation`: scikit-learn computing the re-evaluation metrics.

Writes DIR/model.onnx (a LogisticRegression exported with skl2onnx, no ZipMap) and DIR/evaluation.csv (ROWS held-out
rows, feature_0..feature_19 and label), then times scikit-learn on the same rows: predict, predict_proba and the
five metrics (best of --passes), once on arrays already in memory (its best case) and once including reading the
CSV with pandas' C reader (the fastest CSV reader of the stack). Prints one JSON object with the timings and the
metrics.
"""
import argparse
import json
import os
import time

import numpy as np
import pandas as pd
from skl2onnx import to_onnx
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    x, y = make_classification(n_samples=args.rows + 5_000, n_features=20, n_informative=8, random_state=1207)
    x = x.astype(np.float32)
    model = LogisticRegression(max_iter=500).fit(x[:5_000], y[:5_000])
    xe, ye = x[5_000:], y[5_000:]
    os.makedirs(args.out, exist_ok=True)
    onnx = to_onnx(model, xe[:1], options={id(model): {"zipmap": False}}, target_opset=15)
    with open(os.path.join(args.out, "model.onnx"), "wb") as f:
        f.write(onnx.SerializeToString())
    path = os.path.join(args.out, "evaluation.csv")
    header = ",".join([f"feature_{i}" for i in range(20)] + ["label"])
    np.savetxt(path, np.column_stack([xe, ye]), delimiter=",", header=header, comments="", fmt=["%.9g"] * 20 + ["%d"])

    def metrics(features, truth):
        predicted = model.predict(features)
        scores = model.predict_proba(features)[:, 1]
        return {
            "accuracy": accuracy_score(truth, predicted), "precision": precision_score(truth, predicted),
            "recall": recall_score(truth, predicted), "f1_score": f1_score(truth, predicted),
            "roc_auc": roc_auc_score(truth, scores),
        }

    def best(fn):
        times = []
        for _ in range(args.passes):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        return min(times), result

    in_memory, computed = best(lambda: metrics(xe, ye))

    def from_file():
        frame = pd.read_csv(path)
        return metrics(frame.iloc[:, :20].to_numpy(dtype=np.float32), frame["label"].to_numpy())

    with_parse, _ = best(from_file)
    print(json.dumps({"rows": int(len(ye)), "in_memory_seconds": in_memory, "with_parse_seconds": with_parse, "metrics": computed}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The scikit-learn side of `modelyard-bench sklearn`: trains IsolationForest(n_estimators=200) and
RandomForestClassifier(n_estimators=100) on fixed seeds (20 features, like our users' fraud models), dumps each with
joblib.dump into OUT/<name>/model.joblib, writes the batch-1 and batch-1,000 inputs (OUT/<name>.b1.json,
.b1000.json: lists of rows), writes an MLServer repository for them (OUT/mlserver: settings.json and one
model-settings.json per model, the sklearn runtime answering "predict" for the forest of isolation trees and
"predict_proba" for the classifier), and prints JSON with scikit-learn's own timings, one thread:
  {"sklearn": version, "models": {name: {"b1": s, "b1000": s, "load": s, "method": "score_samples"}}}
Timing: median of `runs` calls, best of 3 rounds, after a warm-up; load: median of 5 joblib.load calls.
Usage: bench_sklearn.py --out DIR [--mlserver-port N]
"""
import argparse
import json
import os
import statistics
import time

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import IsolationForest, RandomForestClassifier  # noqa: E402


def data(seed, rows):
    rng = np.random.RandomState(seed)
    X = rng.randn(rows, 20)
    X[:, 5] = np.round(X[:, 5] * 3)
    y = (X[:, 0] + 0.5 * X[:, 1] - X[:, 2] + 0.3 * rng.randn(rows) > 0.8).astype(np.int64)
    return X, y


def timed(call, runs):
    call()
    best = float("inf")
    for _ in range(3):
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            samples.append(time.perf_counter() - start)
        best = min(best, statistics.median(samples))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--mlserver-port", type=int, default=0)
    args = parser.parse_args()
    X, y = data(0, 20_000)
    test, _ = data(1, 1_000)
    models = {
        "iforest": (IsolationForest(n_estimators=200, random_state=0).fit(X), "score_samples", "predict"),
        "forest": (RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=-1).fit(X, y), "predict_proba",
                   "predict_proba"),
    }
    report = {"sklearn": sklearn.__version__, "models": {}}
    os.makedirs(os.path.join(args.out, "mlserver"), exist_ok=True)
    with open(os.path.join(args.out, "mlserver", "settings.json"), "w") as fh:
        json.dump({"host": "127.0.0.1", "http_port": args.mlserver_port, "grpc_port": 0, "metrics_port": 0,
                   "parallel_workers": 0, "debug": False}, fh)
    for name, (model, method, served) in models.items():
        model.set_params(**({"n_jobs": 1} if "n_jobs" in model.get_params() else {}))
        folder = os.path.join(args.out, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "model.joblib")
        joblib.dump(model, path)
        with open(os.path.join(args.out, f"{name}.b1.json"), "w") as fh:
            json.dump(test[:1].tolist(), fh)
        with open(os.path.join(args.out, f"{name}.b1000.json"), "w") as fh:
            json.dump(test.tolist(), fh)
        call = getattr(model, method)
        loads = []
        for _ in range(5):
            start = time.perf_counter()
            joblib.load(path)
            loads.append(time.perf_counter() - start)
        report["models"][name] = {
            "b1": timed(lambda: call(test[:1]), 300), "b1000": timed(lambda: call(test), 10),
            "load": statistics.median(loads), "method": method, "served": served,
        }
        served_folder = os.path.join(args.out, "mlserver", name)
        os.makedirs(served_folder, exist_ok=True)
        with open(os.path.join(served_folder, "model-settings.json"), "w") as fh:
            json.dump({"name": name, "implementation": "mlserver_sklearn.SKLearnModel",
                       "parameters": {"uri": os.path.abspath(path)}}, fh)
    print(json.dumps(report))


if __name__ == "__main__":
    main()

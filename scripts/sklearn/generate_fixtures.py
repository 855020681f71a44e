#!/usr/bin/env python3
"""Trains each scikit-learn estimator Modelyard reads from joblib files, on fixed seeds, and writes for each:
  NAME.joblib      joblib.dump(model)              (uncompressed)
  NAME.z3.joblib   joblib.dump(model, compress=3)  (zlib)
  NAME.gz.joblib   joblib.dump(model, compress=("gzip", 3))  (only for a few: gzip framing)
  NAME.json        scikit-learn's own outputs on fixed inputs: per case, the rows and, per method the estimator
                   has (predict, predict_proba, decision_function, score_samples, transform), the values or the
                   error scikit-learn raised.
Run once per pinned scikit-learn version (scripts/sklearn/setup-venvs.sh makes the venvs); the Swift tests compare
the native reader with these records (labels exactly, numbers within 1e-6 relative + 1e-9 absolute).
Non-finite numbers are written as the strings "NaN", "Infinity" and "-Infinity".
Usage: generate_fixtures.py --out fixtures/sklearn/VERSION
"""
import argparse
import sys
import json
import math
import os
import warnings

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, GradientBoostingClassifier,
                              GradientBoostingRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              IsolationForest, RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import (ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge, SGDClassifier)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, RobustScaler, StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

warnings.filterwarnings("ignore")
VERSION = tuple(int(p) for p in sklearn.__version__.split(".")[:2])
FEATURES = 5


def data(seed, rows=300):
    rng = np.random.RandomState(seed)
    X = rng.randn(rows, FEATURES) * np.array([1.0, 2.0, 0.5, 10.0, 1.0]) + np.array([0.0, 1.0, -2.0, 50.0, 0.0])
    X[:, 4] = np.round(X[:, 4])  # a column of few values
    score = X[:, 0] + 0.5 * X[:, 1] - X[:, 2] + 0.05 * (X[:, 3] - 50) + 0.3 * rng.randn(rows)
    binary = (score > np.median(score)).astype(np.int64)
    three = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3])).astype(np.int64)
    return X, score, binary, three


X, SCORE, BINARY, THREE = data(0)
WORDS = np.array(["cat", "dog", "émeu"])
CHANNELS = np.array(["web", "app", "store", "émeu"])


def frame(X, three):
    """The same data as a DataFrame with named columns, a string column and an integer one."""
    return pd.DataFrame({
        "amount": X[:, 0], "age": X[:, 1], "balance": X[:, 2], "velocity": X[:, 3],
        "channel": CHANNELS[(three + (X[:, 4] > 0)) % 4], "region": np.abs(X[:, 4]).astype(np.int64) % 3 + 1,
    })


FRAME = frame(X, THREE)
FRAME_MISSING = FRAME.copy()
FRAME_MISSING.loc[::9, "amount"] = np.nan


def frame_estimators():
    """(name, fitted estimator) fitted on the DataFrame: served with one input per named column."""
    numeric = ["amount", "age", "balance", "velocity"]
    yield "one_hot_encoder_frame", OneHotEncoder(handle_unknown="ignore").fit(FRAME[["channel", "region"]])
    yield "column_transformer_frame", ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["channel", "region"])]).fit(FRAME_MISSING)
    yield "column_transformer_pipeline", Pipeline([
        ("prepare", ColumnTransformer([
            ("num", SimpleImputer(strategy="median"), ["amount", "balance"]),
            ("cat", OneHotEncoder(drop="first", handle_unknown="error"), ["channel"])], remainder="passthrough")),
        ("model", LogisticRegression(max_iter=2000))]).fit(FRAME_MISSING, WORDS[THREE])
    yield "random_forest_frame", RandomForestClassifier(4, max_depth=4, random_state=0).fit(FRAME[numeric], BINARY)


def estimators():
    """(name, fitted estimator); seeds fixed, models small so the fixtures stay small."""
    yield "decision_tree_classifier", DecisionTreeClassifier(max_depth=6, random_state=0).fit(X, THREE)
    yield "decision_tree_regressor", DecisionTreeRegressor(max_depth=6, random_state=0).fit(X, SCORE)
    yield "random_forest_classifier", RandomForestClassifier(5, max_depth=5, random_state=0).fit(X, WORDS[BINARY])
    yield "random_forest_classifier_3", RandomForestClassifier(5, max_depth=4, random_state=1).fit(X, WORDS[THREE])
    yield "random_forest_regressor", RandomForestRegressor(5, max_depth=5, random_state=0).fit(X, SCORE)
    yield "extra_trees_classifier", ExtraTreesClassifier(5, max_depth=5, random_state=0).fit(X, THREE)
    yield "extra_trees_regressor", ExtraTreesRegressor(5, max_depth=5, random_state=0).fit(X, SCORE)
    yield "isolation_forest", IsolationForest(n_estimators=4, max_samples=128, random_state=0).fit(X)
    yield "isolation_forest_features", IsolationForest(
        n_estimators=5, max_samples=64, max_features=0.6, contamination=0.1, random_state=0).fit(X)
    yield "gradient_boosting_classifier", GradientBoostingClassifier(
        n_estimators=8, max_depth=3, random_state=0).fit(X, WORDS[BINARY])
    yield "gradient_boosting_classifier_3", GradientBoostingClassifier(
        n_estimators=6, max_depth=2, learning_rate=0.3, random_state=0).fit(X, THREE)
    yield "gradient_boosting_regressor", GradientBoostingRegressor(
        n_estimators=8, max_depth=3, random_state=0).fit(X, SCORE)
    yield "gradient_boosting_regressor_huber", GradientBoostingRegressor(
        loss="huber", n_estimators=5, max_depth=2, random_state=0).fit(X, SCORE)
    yield "hist_gradient_boosting_classifier", HistGradientBoostingClassifier(
        max_iter=8, max_leaf_nodes=8, random_state=0).fit(with_missing(X), WORDS[BINARY])
    yield "hist_gradient_boosting_classifier_3", HistGradientBoostingClassifier(
        max_iter=6, max_leaf_nodes=6, random_state=0).fit(with_missing(X), THREE)
    yield "hist_gradient_boosting_regressor", HistGradientBoostingRegressor(
        max_iter=8, max_leaf_nodes=8, random_state=0).fit(with_missing(X), SCORE)
    yield "hist_gradient_boosting_regressor_poisson", HistGradientBoostingRegressor(
        loss="poisson", max_iter=6, max_leaf_nodes=6, random_state=0).fit(X, np.exp(SCORE / 4))
    yield "logistic_regression_binary", LogisticRegression(max_iter=1000).fit(X, WORDS[BINARY])
    yield "logistic_regression_multinomial", LogisticRegression(max_iter=1000).fit(X, THREE)
    if VERSION < (1, 8):  # one-vs-rest left LogisticRegression in 1.8 (OneVsRestClassifier does it now)
        yield "logistic_regression_ovr", LogisticRegression(multi_class="ovr", max_iter=1000).fit(X, THREE)
    yield "linear_regression", LinearRegression().fit(X, SCORE)
    yield "ridge", Ridge(alpha=2.0).fit(X, SCORE)
    yield "lasso", Lasso(alpha=0.05).fit(X, SCORE)
    yield "elastic_net", ElasticNet(alpha=0.05, l1_ratio=0.3).fit(X, SCORE)
    yield "sgd_classifier", SGDClassifier(random_state=0).fit(X, THREE)
    yield "sgd_classifier_log", SGDClassifier(loss="log_loss", random_state=0).fit(X, WORDS[BINARY])
    yield "linear_svc", LinearSVC(dual=False).fit(X, BINARY)
    yield "linear_svc_3", LinearSVC(dual=False).fit(X, WORDS[THREE])
    yield "standard_scaler", StandardScaler().fit(X)
    yield "min_max_scaler", MinMaxScaler(feature_range=(-1, 2)).fit(X)
    yield "robust_scaler", RobustScaler().fit(X)
    yield "simple_imputer_median", SimpleImputer(strategy="median").fit(with_missing(X))
    yield "column_transformer_indices", ColumnTransformer([
        ("scale", StandardScaler(), [0, 1]), ("keep", "passthrough", slice(2, 4)), ("skip", "drop", [4])]).fit(X)
    yield "one_hot_encoder_numeric", ColumnTransformer([
        ("codes", OneHotEncoder(drop="first", handle_unknown="error"), [4])], remainder="passthrough").fit(X)
    yield "pipeline", Pipeline([
        ("impute", SimpleImputer()), ("standard", StandardScaler()), ("minmax", MinMaxScaler()),
        ("robust", RobustScaler(with_centering=False)), ("model", LogisticRegression(max_iter=1000))]).fit(X, THREE)


def with_missing(X):
    X = X.copy()
    X[::7, 1] = np.nan
    X[::11, 3] = np.nan
    return X


def thresholds(model):
    """Split thresholds of the first tree: inputs exactly on them, and one float32 step either side."""
    tree = getattr(model, "tree_", None)
    if tree is None and hasattr(model, "estimators_"):
        first = model.estimators_[0]
        first = first[0] if isinstance(first, np.ndarray) else first  # gradient boosting: one row of trees per stage
        tree = getattr(first, "tree_", None)
    if tree is None:
        return []
    rows = []
    base = X[0].copy()
    for node in range(min(tree.node_count, 12)):
        if tree.children_left[node] == -1:
            continue
        f, t = tree.feature[node], tree.threshold[node]
        if hasattr(model, "estimators_features_") and model._max_features != X.shape[1]:
            f = model.estimators_features_[0][f]
        t32 = np.float32(t)
        for value in (t, float(t32), float(np.nextafter(t32, np.float32(np.inf))), float(np.nextafter(t32, np.float32(-np.inf)))):
            row = base.copy()
            row[f] = value
            rows.append(row)
    return rows


def frame_cases(model):
    columns = list(model.feature_names_in_)
    _, _, _, three = data(7, rows=16)
    test, _, _, _ = data(7, rows=16)
    rows = frame(test, three)
    edge = pd.DataFrame([
        {"amount": 0.0, "age": 0.0, "balance": 0.0, "velocity": 50.0, "channel": "app", "region": 2},
        {"amount": 1e6, "age": -1e6, "balance": 3.0, "velocity": 0.0, "channel": "émeu", "region": 3},
    ])
    unknown = pd.DataFrame([
        {"amount": 0.5, "age": 1.0, "balance": -2.0, "velocity": 49.0, "channel": "fax", "region": 9},
    ])
    nan = rows[:3].copy()
    nan.loc[0, "amount"] = np.nan
    nan.loc[1, "balance"] = np.nan
    inf = rows[:2].copy()
    inf.loc[0, "age"] = np.inf
    return [(name, df[columns]) for name, df in
            [("rows", pd.concat([rows, edge], ignore_index=True)), ("unknown", unknown), ("nan", nan), ("inf", inf)]]


def cases(model):
    if hasattr(model, "feature_names_in_"):
        return frame_cases(model)
    rng = np.random.RandomState(42)
    test, _, _, _ = data(7, rows=16)
    edge = [np.zeros(FEATURES), np.full(FEATURES, 1e6), np.full(FEATURES, -1e6), np.full(FEATURES, 1e-300),
            np.array([0.1, -0.2, 3.3, 48.0, 1.0])]
    rows = np.vstack([test] + edge + thresholds(model))
    nan = rows[:4].copy()
    nan[0, 0] = np.nan
    nan[1, :] = np.nan
    nan[2, 3] = np.nan
    inf = rows[:2].copy()
    inf[0, 1] = np.inf
    return [("rows", rows), ("nan", nan), ("inf", inf)]


def encode(value):
    if isinstance(value, (list, tuple, np.ndarray)):
        return [encode(v) for v in value]
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if value is None:
        return None
    if isinstance(value, (np.str_, str)):
        return str(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    raise TypeError(f"cannot encode {type(value)}")


def record(name, model):
    methods = [m for m in ("predict", "predict_proba", "decision_function", "score_samples", "transform")
               if hasattr(model, m)]
    out = {"estimator": type(model).__name__, "sklearn": sklearn.__version__, "numpy": np.__version__,
           "features": FEATURES, "cases": []}
    if hasattr(model, "classes_"):
        out["classes"] = encode(model.classes_)
    if hasattr(model, "feature_names_in_"):
        out["inputs"] = [{"name": str(c), "type": "BYTES" if FRAME[c].dtype.kind in "OSUT" else "FP64"}
                         for c in model.feature_names_in_]
    for case, rows in cases(model):
        values = rows.to_numpy(dtype=object).tolist() if isinstance(rows, pd.DataFrame) else rows
        entry = {"name": case, "X": encode(values), "outputs": {}}
        for method in methods:
            try:
                result = getattr(model, method)(rows)
                result = result.toarray() if hasattr(result, "toarray") else result
                entry["outputs"][method] = {"values": encode(np.asarray(result))}
            except (ValueError, AttributeError) as error:
                entry["outputs"][method] = {"error": str(error).splitlines()[0][:200]}
        out["cases"].append(entry)
    return out


def same(a, b):
    """Labels exactly, numbers within 1e-9 relative (BLAS rounding)."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-9 * max(1.0, abs(b))
    return a == b


def check(directory):
    """The committed model files, loaded by this scikit-learn, give the committed outputs on the committed inputs:
    what the Swift tests rely on. Returns the problems found."""
    problems = []
    for name in sorted(f[:-len(".json")] for f in os.listdir(directory) if f.endswith(".json")):
        model = joblib.load(os.path.join(directory, f"{name}.joblib"))
        fresh = json.loads(json.dumps(record(name, model), separators=(",", ":")))
        with open(os.path.join(directory, f"{name}.json")) as fh:
            committed = json.load(fh)
        if [c["name"] for c in fresh["cases"]] != [c["name"] for c in committed["cases"]]:
            problems.append(f"{name}: cases differ")
            continue
        for a, b in zip(fresh["cases"], committed["cases"]):
            if not same(a["X"], b["X"]) or a["outputs"].keys() != b["outputs"].keys() or not all(
                    same(a["outputs"][m].get("values"), b["outputs"][m].get("values")) for m in a["outputs"]):
                problems.append(f"{name}: case '{b['name']}': the committed model's outputs differ from the committed ones")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out")
    parser.add_argument("--check", help="check a committed fixture directory instead of writing one")
    args = parser.parse_args()
    if args.check:
        problems = check(args.check)
        if problems:
            print("\n".join(problems))
            sys.exit(1)
        print(f"{args.check}: the committed models give the committed outputs (scikit-learn {sklearn.__version__})")
        return
    if not args.out:
        parser.error("--out or --check is required")
    os.makedirs(args.out, exist_ok=True)
    count = 0
    for name, model in list(estimators()) + list(frame_estimators()):
        joblib.dump(model, os.path.join(args.out, f"{name}.joblib"))
        joblib.dump(model, os.path.join(args.out, f"{name}.z3.joblib"), compress=3)
        if name in ("random_forest_classifier", "logistic_regression_binary"):
            joblib.dump(model, os.path.join(args.out, f"{name}.gz.joblib"), compress=("gzip", 3))
        with open(os.path.join(args.out, f"{name}.json"), "w") as fh:
            json.dump(record(name, model), fh, separators=(",", ":"))
        count += 1
    print(f"{count} estimators written to {args.out} (scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()

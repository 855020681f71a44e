#!/usr/bin/env python3
"""Trains small models on synthetic data with fixed seeds, exports them to ONNX and records onnxruntime's
outputs on fixed inputs (normal rows, zeros, large magnitudes, split thresholds hit exactly, NaNs for tree models).

Writes <out>/<name>.onnx and <out>/<name>.json. The JSON uses the Open Inference Protocol v2 tensor shape:
{"model": name, "inputs": [{"name", "shape", "datatype", "data"}], "outputs": [...], "notes": {...}}
Non-finite floats are written as the strings "NaN", "Infinity" and "-Infinity" (JSON has no literal for them).
A ZipMap output (a sequence of maps) is recorded densely as FP32 [N, C] in the order of the map keys, which are
listed in notes.zipmap_keys[output name].

Usage: generate_fixtures.py [--out DIR] [--only NAME ...]
"""
import os

# Training must not depend on how many threads the BLAS under numpy uses: multi-threaded reductions sum in a
# different order and the MLP weights (and so the recorded outputs) change in the last bits. Force one thread
# before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np

warnings.filterwarnings("ignore")

import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from skl2onnx import convert_sklearn, to_onnx  # noqa: E402
from skl2onnx.common.data_types import FloatTensorType, StringTensorType  # noqa: E402

N_FEATURES = 20
SKL_OPSET = {"": 17, "ai.onnx.ml": 3}
OIP_TYPES = {
    np.dtype(np.float32): "FP32",
    np.dtype(np.float64): "FP64",
    np.dtype(np.int64): "INT64",
    np.dtype(np.int32): "INT32",
    np.dtype(np.bool_): "BOOL",
}


# ----------------------------------------------------------------------------------------------- data


def classification(n_classes=3, n=600, seed=0):
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=n, n_features=N_FEATURES, n_informative=10, n_redundant=4,
        n_classes=n_classes, n_clusters_per_class=1, random_state=seed)
    return x.astype(np.float32), y


def regression(n=600, seed=0):
    from sklearn.datasets import make_regression

    x, y = make_regression(n_samples=n, n_features=N_FEATURES, n_informative=10, noise=5.0, random_state=seed)
    return x.astype(np.float32), (y / 50.0).astype(np.float64)


def with_nans(x, fraction=0.05, seed=1):
    rng = np.random.RandomState(seed)
    x = x.copy()
    x[rng.rand(*x.shape) < fraction] = np.nan
    return x


def probe_rows(x_train, thresholds=None, nan_rows=False, seed=2):
    """Fixed evaluation rows: 10 held-out-like rows, zeros, large magnitudes, thresholds, NaNs."""
    rng = np.random.RandomState(seed)
    rows = [x_train[i] for i in rng.choice(len(x_train), 10, replace=False)]
    rows.append(np.zeros(N_FEATURES, np.float32))
    rows.append(np.full(N_FEATURES, 1e4, np.float32))
    rows.append(np.full(N_FEATURES, -1e4, np.float32))
    rows.append(rng.normal(0, 3, N_FEATURES).astype(np.float32))
    if thresholds is not None:
        for k in range(3):
            row = rng.normal(0, 1, N_FEATURES).astype(np.float32)
            for feature, value in thresholds[k::3]:
                row[feature] = value
            rows.append(row)
    if nan_rows:
        row = x_train[3].copy()
        row[::3] = np.nan
        rows.append(row)
        rows.append(np.full(N_FEATURES, np.nan, np.float32))
        row = x_train[7].copy()
        row[1::2] = np.nan
        rows.append(row)
    return np.stack(rows).astype(np.float32)


def tree_thresholds(model_proto):
    """(feature, threshold) pairs of the first tree-ensemble node, to hit split values exactly."""
    pairs = []
    for node in model_proto.graph.node:
        if node.op_type.startswith("TreeEnsemble"):
            attrs = {a.name: a for a in node.attribute}
            if "nodes_featureids" not in attrs:
                continue
            features = list(attrs["nodes_featureids"].ints)
            values = list(attrs["nodes_values"].floats)
            modes = [m.decode() for m in attrs["nodes_modes"].strings]
            for f, v, m in zip(features, values, modes):
                if m != "LEAF" and (f, v) not in pairs:
                    pairs.append((f, v))
            break
    return pairs[:30]


# ----------------------------------------------------------------------------------------------- export


def skl(model, x, zipmap=False, extra_options=None):
    options = None
    if not zipmap:
        final = model.steps[-1][1] if hasattr(model, "steps") else model
        options = {id(final): {"zipmap": False}}
    if extra_options is not None:
        options = extra_options
    return to_onnx(model, x[:1], target_opset=SKL_OPSET, options=options)


def model_isolation_forest():
    from sklearn.ensemble import IsolationForest

    x, _ = classification()
    model = IsolationForest(n_estimators=100, random_state=0).fit(x)
    proto = to_onnx(model, x[:1], target_opset=SKL_OPSET)
    return proto, {"X": probe_rows(x, nan_rows=False)}


def model_lof_novelty():
    from sklearn.neighbors import LocalOutlierFactor

    x, _ = classification(n=500)
    model = LocalOutlierFactor(n_neighbors=20, novelty=True).fit(x)
    proto = to_onnx(model, x[:1], target_opset=SKL_OPSET)
    return proto, {"X": probe_rows(x)}


def _scaler_logreg(n_classes, zipmap):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = classification(n_classes=n_classes)
    model = Pipeline([("scaler", StandardScaler()), ("clf", LogisticRegression(max_iter=500))]).fit(x, y)
    return skl(model, x, zipmap=zipmap), {"X": probe_rows(x)}


def model_scaler_logreg():
    return _scaler_logreg(3, False)


def model_scaler_logreg_zipmap():
    return _scaler_logreg(3, True)


def model_logreg_binary():
    return _scaler_logreg(2, False)


def model_random_forest():
    from sklearn.ensemble import RandomForestClassifier

    x, y = classification()
    model = RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0).fit(x, y)
    proto = skl(model, x)
    return proto, {"X": probe_rows(x, tree_thresholds(proto))}


def model_random_forest_binary():
    from sklearn.ensemble import RandomForestClassifier

    x, y = classification(n_classes=2)
    model = RandomForestClassifier(n_estimators=20, max_depth=8, random_state=0).fit(x, y)
    proto = skl(model, x)
    return proto, {"X": probe_rows(x, tree_thresholds(proto))}


def model_gbr():
    from sklearn.ensemble import GradientBoostingRegressor

    x, y = regression()
    model = GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0).fit(x, y)
    proto = skl(model, x, extra_options={})
    return proto, {"X": probe_rows(x, tree_thresholds(proto))}


def model_mlp():
    from sklearn.neural_network import MLPClassifier

    x, y = classification()
    model = MLPClassifier(hidden_layer_sizes=(128, 128), max_iter=200, random_state=0).fit(x, y)
    return skl(model, x), {"X": probe_rows(x)}


def model_mlp_binary():
    from sklearn.neural_network import MLPClassifier

    x, y = classification(n_classes=2)
    model = MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0).fit(x, y)
    return skl(model, x), {"X": probe_rows(x)}


def model_kmeans():
    from sklearn.cluster import KMeans

    x, _ = classification()
    model = KMeans(n_clusters=8, random_state=0, n_init=3).fit(x)
    return to_onnx(model, x[:1], target_opset=SKL_OPSET), {"X": probe_rows(x)}


def model_linear_svc():
    from sklearn.svm import LinearSVC

    x, y = classification()
    model = LinearSVC(random_state=0, max_iter=5000).fit(x, y)
    return to_onnx(model, x[:1], target_opset=SKL_OPSET), {"X": probe_rows(x)}


def model_svc_rbf():
    from sklearn.svm import SVC

    x, y = classification(n=500)
    model = SVC(kernel="rbf", gamma="scale").fit(x, y)
    return to_onnx(model, x[:1], target_opset=SKL_OPSET), {"X": probe_rows(x)}


def model_svc_poly_binary():
    from sklearn.svm import SVC

    x, y = classification(n_classes=2, n=300)
    model = SVC(kernel="poly", degree=3, coef0=0.5, gamma=0.05).fit(x, y)
    return to_onnx(model, x[:1], target_opset=SKL_OPSET), {"X": probe_rows(x)}


def model_svr_rbf():
    from sklearn.svm import SVR

    x, y = regression(n=300)
    model = SVR(kernel="rbf", C=2.0).fit(x, y)
    return to_onnx(model, x[:1], target_opset=SKL_OPSET), {"X": probe_rows(x)}


def model_svr_linear():
    from sklearn.svm import SVR

    x, y = regression(n=200)
    model = SVR(kernel="linear").fit(x, y)
    return to_onnx(model, x[:1], target_opset=SKL_OPSET), {"X": probe_rows(x)}


def model_linear_regressor():
    from sklearn.linear_model import LinearRegression

    x, y = regression()
    model = LinearRegression().fit(x, y)
    return to_onnx(model, x[:1], target_opset=SKL_OPSET), {"X": probe_rows(x)}


def model_linear_regression_double():
    from sklearn.linear_model import Ridge

    x, y = regression()
    x = x.astype(np.float64)
    model = Ridge(alpha=1.0).fit(x, np.stack([y, -2 * y], axis=1))
    proto = to_onnx(model, x[:1], target_opset=SKL_OPSET)
    return proto, {"X": probe_rows(x.astype(np.float32)).astype(np.float64)}


def model_string_label_forest():
    from sklearn.ensemble import RandomForestClassifier

    x, y = classification()
    names = np.array(["cat", "dog", "fish"])[y]
    model = RandomForestClassifier(n_estimators=10, max_depth=6, random_state=0).fit(x, names)
    proto = skl(model, x)
    return proto, {"X": probe_rows(x, tree_thresholds(proto))}


def model_categorical_pipeline():
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    rng = np.random.RandomState(0)
    n = 400
    num = rng.normal(0, 1, (n, 4)).astype(np.float32)
    num[rng.rand(n, 4) < 0.1] = np.nan
    colors = rng.choice(["red", "green", "blue"], n)
    sizes = rng.choice(["S", "M", "L", "XL"], n)
    score = np.nan_to_num(num[:, 0]) + (colors == "red") - 0.5 * (sizes == "S") + rng.normal(0, 0.3, n)
    y = np.digitize(score, [-0.5, 0.7])
    # skl2onnx needs one typed input per column group; rebuild the pipeline on named columns.
    import pandas as pd

    df = pd.DataFrame({"n0": num[:, 0], "n1": num[:, 1], "n2": num[:, 2], "n3": num[:, 3],
                       "color": colors, "size": sizes})
    pre = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]),
         ["n0", "n1", "n2", "n3"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["color", "size"]),
    ])
    model = Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=500))]).fit(df, y)
    types = [(c, FloatTensorType([None, 1])) for c in ["n0", "n1", "n2", "n3"]]
    types += [("color", StringTensorType([None, 1])), ("size", StringTensorType([None, 1]))]
    proto = convert_sklearn(model, initial_types=types, target_opset=SKL_OPSET,
                            options={id(model.steps[-1][1]): {"zipmap": False}})
    probe_n = np.array([[0.1, -1, 2, 0.5], [np.nan, 0, 0, 0], [1, np.nan, np.nan, 3], [0, 0, 0, 0],
                        [5, -5, 1e3, -1e3], [0.3, 0.2, 0.1, np.nan]], dtype=np.float32)
    probe_c = np.array(["red", "green", "blue", "purple", "", "red"], dtype=object)
    probe_s = np.array(["S", "XL", "M", "L", "S", "tiny"], dtype=object)
    inputs = {f"n{i}": probe_n[:, i:i + 1] for i in range(4)}
    inputs["color"] = probe_c.reshape(-1, 1)
    inputs["size"] = probe_s.reshape(-1, 1)
    return proto, inputs


def _lgbm(kind, n_classes=3):
    import lightgbm as lgb
    from onnxmltools import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType as MLFloatTensorType

    if kind == "regressor":
        x, y = regression()
        model = lgb.LGBMRegressor(n_estimators=50, random_state=0, verbose=-1)
    else:
        x, y = classification(n_classes=n_classes)
        model = lgb.LGBMClassifier(n_estimators=50, random_state=0, verbose=-1)
    x = with_nans(x)
    model.fit(x, y)
    proto = convert_lightgbm(model, initial_types=[("X", MLFloatTensorType([None, N_FEATURES]))],
                             target_opset=15, zipmap=False)
    return proto, {"X": probe_rows(np.nan_to_num(x), tree_thresholds(proto), nan_rows=True)}


def model_lgbm_classifier():
    return _lgbm("classifier", 3)


def model_lgbm_binary():
    return _lgbm("classifier", 2)


def model_lgbm_regressor():
    return _lgbm("regressor")


def _xgb(n_classes):
    import xgboost as xgb
    from onnxmltools import convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType as MLFloatTensorType

    x, y = classification(n_classes=n_classes)
    x = with_nans(x)
    model = xgb.XGBClassifier(n_estimators=50, max_depth=4, random_state=0).fit(x, y)
    proto = convert_xgboost(model, initial_types=[("X", MLFloatTensorType([None, N_FEATURES]))], target_opset=15)
    return proto, {"X": probe_rows(np.nan_to_num(x), tree_thresholds(proto), nan_rows=True)}


def model_xgb_classifier():
    return _xgb(3)


def model_xgb_binary():
    return _xgb(2)


def model_torch_like_mlp():
    rng = np.random.RandomState(0)
    sizes = [N_FEATURES, 128, 128, 3]
    nodes, inits = [], []
    current = "input"
    for i in range(3):
        w = (rng.normal(0, 1, (sizes[i + 1], sizes[i])) / math.sqrt(sizes[i])).astype(np.float32)
        b = rng.normal(0, 0.1, sizes[i + 1]).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"fc{i}.weight"), numpy_helper.from_array(b, f"fc{i}.bias")]
        out = "output" if i == 2 else f"/fc{i}/Gemm_output_0"
        nodes.append(helper.make_node("Gemm", [current, f"fc{i}.weight", f"fc{i}.bias"], [out],
                                      name=f"/fc{i}/Gemm", alpha=1.0, beta=1.0, transB=1))
        current = out
        if i < 2:
            nodes.append(helper.make_node("Relu", [current], [f"/act{i}/Relu_output_0"], name=f"/act{i}/Relu"))
            current = f"/act{i}/Relu_output_0"
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", N_FEATURES])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 3])], inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="pytorch",
                              producer_version="2.15.0", ir_version=8)
    x, _ = classification()
    return proto, {"input": probe_rows(x)}


def model_tree_modes():
    """A TreeEnsembleRegressor whose nodes use every branch mode, with NaN tracks and two targets."""
    from sklearn.ensemble import GradientBoostingRegressor

    x, y = regression()
    gbr = GradientBoostingRegressor(n_estimators=12, max_depth=3, random_state=0).fit(x, y)
    base = skl(gbr, x, extra_options={})
    node = [n for n in base.graph.node if n.op_type == "TreeEnsembleRegressor"][0]
    attrs = {a.name: a for a in node.attribute}
    rng = np.random.RandomState(5)
    modes = [m.decode() for m in attrs["nodes_modes"].strings]
    choices = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"]
    new_modes = [m if m == "LEAF" else choices[rng.randint(len(choices))] for m in modes]
    tracks = [int(rng.rand() < 0.5) if m != "LEAF" else 0 for m in modes]
    target_ids = list(attrs["target_ids"].ints)
    target_ids = [t if i % 2 == 0 else 1 for i, t in enumerate(target_ids)]
    new = helper.make_node(
        "TreeEnsembleRegressor", ["X"], ["variable"], domain="ai.onnx.ml", name="TreeEnsembleRegressor",
        n_targets=2, base_values=[0.25, -0.5], post_transform="NONE", aggregate_function="AVERAGE",
        nodes_treeids=list(attrs["nodes_treeids"].ints), nodes_nodeids=list(attrs["nodes_nodeids"].ints),
        nodes_featureids=list(attrs["nodes_featureids"].ints), nodes_values=list(attrs["nodes_values"].floats),
        nodes_modes=new_modes, nodes_truenodeids=list(attrs["nodes_truenodeids"].ints),
        nodes_falsenodeids=list(attrs["nodes_falsenodeids"].ints), nodes_missing_value_tracks_true=tracks,
        target_treeids=list(attrs["target_treeids"].ints), target_nodeids=list(attrs["target_nodeids"].ints),
        target_ids=target_ids, target_weights=list(attrs["target_weights"].floats))
    graph = helper.make_graph(
        [new], "tree_modes", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, N_FEATURES])],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 2])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)],
                              ir_version=8, producer_name="fixture-generator")
    return proto, {"X": probe_rows(x, tree_thresholds(proto), nan_rows=True)}


def model_tree_ensemble_v5():
    """TreeEnsemble (ai.onnx.ml opset 5) built from a small gradient-boosting model, with mixed modes."""
    from sklearn.ensemble import GradientBoostingRegressor

    x, y = regression()
    gbr = GradientBoostingRegressor(n_estimators=10, max_depth=3, random_state=0).fit(x, y)
    rng = np.random.RandomState(7)
    roots, featureids, splits, modes, tracks = [], [], [], [], []
    true_ids, true_leaf, false_ids, false_leaf = [], [], [], []
    leaf_targets, leaf_weights = [], []
    mode_codes = [0, 1, 2, 3]  # LEQ, LT, GTE, GT

    def add(tree, idx, scale):
        """Returns (id, is_leaf) for sklearn node idx."""
        left, right = tree.children_left[idx], tree.children_right[idx]
        if left == -1:
            leaf_targets.append(0)
            leaf_weights.append(float(tree.value[idx][0][0] * scale))
            return len(leaf_weights) - 1, 1
        my = len(featureids)
        featureids.append(int(tree.feature[idx]))
        splits.append(float(np.float32(tree.threshold[idx])))
        mode = mode_codes[rng.randint(4)]
        modes.append(mode)
        tracks.append(int(rng.rand() < 0.3))
        for lst in (true_ids, true_leaf, false_ids, false_leaf):
            lst.append(0)
        a = add(tree, left, scale)
        b = add(tree, right, scale)
        # LEQ/LT: true -> left; GTE/GT: true -> right
        t, f = (a, b) if mode in (0, 1) else (b, a)
        true_ids[my], true_leaf[my] = t
        false_ids[my], false_leaf[my] = f
        return my, 0

    for est in gbr.estimators_[:, 0]:
        root, is_leaf = add(est.tree_, 0, gbr.learning_rate)
        assert not is_leaf
        roots.append(root)
    node = helper.make_node(
        "TreeEnsemble", ["X"], ["Y"], domain="ai.onnx.ml", name="TreeEnsemble5",
        aggregate_function=1, n_targets=1, post_transform=0, tree_roots=roots,
        nodes_featureids=featureids,
        nodes_splits=numpy_helper.from_array(np.array(splits, np.float32)),
        nodes_modes=numpy_helper.from_array(np.array(modes, np.uint8)),
        nodes_truenodeids=true_ids, nodes_trueleafs=true_leaf, nodes_falsenodeids=false_ids,
        nodes_falseleafs=false_leaf, nodes_missing_value_tracks_true=tracks,
        leaf_targetids=leaf_targets, leaf_weights=numpy_helper.from_array(np.array(leaf_weights, np.float32)))
    graph = helper.make_graph(
        [node], "tree_ensemble_v5", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, N_FEATURES])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("ai.onnx.ml", 5)],
                              ir_version=10, producer_name="fixture-generator")
    thresholds = list(zip(featureids, splits))[:30]
    return proto, {"X": probe_rows(x, thresholds, nan_rows=True)}


def model_category_mapper():
    """CategoryMapper both ways plus a string->int64 LabelEncoder and an int64->string LabelEncoder."""
    nodes = [
        helper.make_node("CategoryMapper", ["animal"], ["animal_id"], domain="ai.onnx.ml", name="to_id",
                         cats_strings=["cat", "dog", "fish", "bird"], cats_int64s=[3, 1, 7, 2], default_int64=-1),
        helper.make_node("CategoryMapper", ["animal_id"], ["animal_back"], domain="ai.onnx.ml", name="to_name",
                         cats_strings=["cat", "dog", "fish", "bird"], cats_int64s=[3, 1, 7, 2],
                         default_string="unknown"),
        helper.make_node("LabelEncoder", ["animal"], ["animal_score"], domain="ai.onnx.ml", name="score",
                         keys_strings=["cat", "dog", "fish"], values_floats=[0.5, 1.5, -2.0], default_float=9.0),
        helper.make_node("LabelEncoder", ["animal_id"], ["animal_code"], domain="ai.onnx.ml", name="code",
                         keys_int64s=[3, 1, 7], values_strings=["C", "D", "F"], default_string="?"),
    ]
    graph = helper.make_graph(
        nodes, "category_mapper",
        [helper.make_tensor_value_info("animal", TensorProto.STRING, [None])],
        [helper.make_tensor_value_info("animal_id", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("animal_back", TensorProto.STRING, [None]),
         helper.make_tensor_value_info("animal_score", TensorProto.FLOAT, [None]),
         helper.make_tensor_value_info("animal_code", TensorProto.STRING, [None])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)],
                              ir_version=8, producer_name="fixture-generator")
    animals = np.array(["cat", "dog", "fish", "bird", "cow", "", "Cat", "dog"], dtype=object)
    return proto, {"animal": animals}


def model_standard_ops():
    """One graph exercising the standard ops the converters above do not emit."""
    f = TensorProto.FLOAT
    const = lambda name, arr: helper.make_node(  # noqa: E731
        "Constant", [], [name], name=f"const_{name}", value=numpy_helper.from_array(np.array(arr), name))
    nodes = [
        const("c_vec", np.array([0.5, -1.0, 2.0, 0.0], np.float32)),
        const("c_axes0", np.array([0], np.int64)),
        const("c_axes1", np.array([1], np.int64)),
        const("c_starts", np.array([1], np.int64)),
        const("c_ends", np.array([3], np.int64)),
        const("c_lo", np.array(-1.0, np.float32)),
        const("c_hi", np.array(1.5, np.float32)),
        const("c_k", np.array([2], np.int64)),
        const("c_shape", np.array([0, 2, 2], np.int64)),
        helper.make_node("Add", ["X", "c_vec"], ["a"], name="add"),
        helper.make_node("Tanh", ["a"], ["t"], name="tanh"),
        helper.make_node("Exp", ["t"], ["e"], name="exp"),
        helper.make_node("Min", ["e", "X", "c_vec"], ["mn"], name="min"),
        helper.make_node("Clip", ["mn", "c_lo", "c_hi"], ["clip"], name="clip"),
        helper.make_node("Sigmoid", ["X"], ["sg"], name="sigmoid"),
        helper.make_node("Greater", ["X", "c_vec"], ["gt"], name="greater"),
        helper.make_node("Where", ["gt", "sg", "clip"], ["where"], name="where"),
        helper.make_node("Slice", ["where", "c_starts", "c_ends", "c_axes1"], ["sl"], name="slice"),
        helper.make_node("ReduceSum", ["X", "c_axes1"], ["rs"], name="reducesum", keepdims=1),
        helper.make_node("Unsqueeze", ["rs", "c_axes0"], ["unsq"], name="unsqueeze"),
        helper.make_node("Flatten", ["unsq"], ["flat"], name="flatten", axis=1),
        helper.make_node("Shape", ["X"], ["shape"], name="shape"),
        helper.make_node("Cast", ["shape"], ["shape_f"], name="cast_shape", to=f),
        helper.make_node("Reshape", ["X", "c_shape"], ["r3"], name="reshape3"),
        helper.make_node("Transpose", ["r3"], ["tr"], name="transpose", perm=[0, 2, 1]),
        helper.make_node("Softmax", ["tr"], ["sm"], name="softmax", axis=-1),
        helper.make_node("TopK", ["X", "c_k"], ["topv", "topi"], name="topk", axis=1, largest=1, sorted=1),
        helper.make_node("ArgMax", ["X"], ["amax"], name="argmax", axis=1, keepdims=0, select_last_index=0),
        helper.make_node("Abs", ["X"], ["abs"], name="abs"),
        helper.make_node("Sqrt", ["abs"], ["sqrt"], name="sqrt"),
        helper.make_node("Log", ["sqrt"], ["log"], name="log"),
        helper.make_node("Pow", ["abs", "c_hi"], ["pow"], name="pow"),
        helper.make_node("Sub", ["pow", "log"], ["sub"], name="sub"),
        helper.make_node("Div", ["sub", "c_vec"], ["div"], name="div"),
        helper.make_node("Neg", ["div"], ["neg"], name="neg"),
        helper.make_node("Max", ["neg", "X"], ["mx"], name="max"),
        helper.make_node("Sum", ["mx", "X", "c_vec"], ["sum"], name="sum"),
        helper.make_node("Equal", ["amax", "c_k"], ["eq"], name="equal"),
        helper.make_node("Cast", ["eq"], ["eq_i32"], name="cast_i32", to=TensorProto.INT32),
        helper.make_node("Cast", ["X"], ["x_d"], name="cast_double", to=TensorProto.DOUBLE),
        helper.make_node("Less", ["x_d", "x_d"], ["never"], name="less"),
        helper.make_node("ReduceMean", ["x_d"], ["rm"], name="reducemean", axes=[1], keepdims=0),
        helper.make_node("Gather", ["c_vec", "topi"], ["g"], name="gather", axis=0),
        helper.make_node("Concat", ["sl", "g"], ["cat"], name="concat", axis=1),
        helper.make_node("Squeeze", ["unsq", "c_axes0"], ["sq"], name="squeeze"),
        helper.make_node("MatMul", ["X", "r_w"], ["mm"], name="matmul"),
        helper.make_node("Identity", ["mm"], ["mm_out"], name="identity"),
        helper.make_node("ArgMin", ["X"], ["amin"], name="argmin", axis=0, keepdims=1),
        helper.make_node("ReduceSumSquare", ["X"], ["rss"], name="rss", axes=[0], keepdims=1),
    ]
    rng = np.random.RandomState(3)
    inits = [numpy_helper.from_array(rng.normal(0, 1, (4, 3)).astype(np.float32), "r_w")]
    outputs = ["sum", "flat", "shape_f", "sm", "topv", "topi", "eq_i32", "never", "rm", "cat", "sq", "mm_out",
               "amin", "rss"]
    graph = helper.make_graph(nodes, "standard_ops", [helper.make_tensor_value_info("X", f, ["N", 4])],
                              [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outputs],
                              inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8,
                              producer_name="fixture-generator")
    proto = onnx.shape_inference.infer_shapes(proto)
    for out in proto.graph.output:
        for vi in proto.graph.value_info:
            if vi.name == out.name:
                out.type.CopyFrom(vi.type)
    x = np.array([[0.1, -0.2, 3.0, 0.0], [1.0, 2.0, -3.0, 4.5], [-0.5, 0.25, 0.5, 2.0], [2.0, 2.0, 2.0, 2.0],
                  [-7.0, 8.0, 1e-3, -1e-3]], np.float32)
    return proto, {"X": x}


MODELS = {name[len("model_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("model_")}


# ----------------------------------------------------------------------------------------------- output


def encode_value(v):
    if isinstance(v, (bytes, str)):
        return v.decode() if isinstance(v, bytes) else v
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def encode_tensor(name, array):
    array = np.asarray(array)
    if array.dtype == object or array.dtype.kind in "US":
        datatype = "BYTES"
    else:
        datatype = OIP_TYPES[array.dtype]
    return {"name": name, "shape": list(array.shape), "datatype": datatype,
            "data": [encode_value(v) for v in array.reshape(-1).tolist()]}


def normalise(proto):
    """Makes exports reproducible: fixed graph name, sorted unique opset imports kept as written."""
    proto.graph.name = proto.graph.name if not proto.graph.name.startswith("ONNX(") else "graph"
    return proto


def run_fixture(name, out_dir):
    proto, inputs = MODELS[name]()
    proto = normalise(proto)
    path = os.path.join(out_dir, f"{name}.onnx")
    with open(path, "wb") as fh:
        fh.write(proto.SerializeToString())
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feed = {}
    for inp in session.get_inputs():
        value = inputs[inp.name]
        feed[inp.name] = value
    names = [o.name for o in session.get_outputs()]
    results = session.run(names, feed)
    outputs, notes = [], {}
    for out_name, value in zip(names, results):
        if isinstance(value, list):  # ZipMap: list of {label: prob}
            keys = list(value[0].keys())
            dense = np.array([[row[k] for k in keys] for row in value], dtype=np.float32)
            notes.setdefault("zipmap_keys", {})[out_name] = [encode_value(k) for k in keys]
            outputs.append(encode_tensor(out_name, dense))
        else:
            outputs.append(encode_tensor(out_name, value))
    doc = {"model": name, "inputs": [encode_tensor(k, feed[k]) for k in feed], "outputs": outputs}
    if notes:
        doc["notes"] = notes
    with open(os.path.join(out_dir, f"{name}.json"), "w") as fh:
        json.dump(doc, fh, indent=None, separators=(",", ":"))
        fh.write("\n")
    return os.path.getsize(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "onnx")
    parser.add_argument("--out", default=default_out)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in args.only or MODELS:
        size = run_fixture(name, args.out)
        print(f"{name}: {size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()

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

With --in-process HARNESS (built by scripts/onnx/build-ort-harness.sh) the same inputs are also timed through
onnxruntime's C API, in process, by that harness (it dlopens the wheel's libonnxruntime.so, same version and
session options), so the Python API's per-call cost can be told apart. Each fixture's entry then also has
"c_b1" and "c_b1000" (seconds); fixtures with a string (BYTES) input are not run by the harness: they lack those
keys and are listed under the top-level "in_process_skipped". Fixtures whose outputs hold a sequence of maps
(ZipMap) also get "c_read_b1"/"c_read_b1000" (the C client also reads every map through GetValue) and, for the
same model with its ZipMap nodes removed (probabilities returned as a tensor), "nozipmap_b1"/"nozipmap_b1000"
(Python API) and "c_nozipmap_b1"/"c_nozipmap_b1000" (C API): (b - nozipmap) - (c_b - c_nozipmap) is what building
Python dicts costs the Python API beyond ZipMap's own work. The top-level "identity"
holds the same figures for a one-node Identity model on a [1, 1] float: the bare per-call cost of each API.
Before timing, each fixture's C outputs are checked against the Python API's (exact for integers and strings,
1e-6 relative for floats); a mismatch stops the run.
"""
import argparse
import glob
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


# ---- --in-process: onnxruntime's C API through scripts/onnx/ort_harness.c ----

# ONNX TensorProto element types.
ELEMENT_TYPES = {np.float32: 1, np.uint8: 2, np.int8: 3, np.uint16: 4, np.int16: 5, np.int32: 6, np.int64: 7,
                 np.bool_: 9, np.float16: 10, np.float64: 11, np.uint32: 12, np.uint64: 13}
ELEMENT_DTYPES = {v: k for k, v in ELEMENT_TYPES.items()}


def ort_library():
    """The wheel's libonnxruntime.so (it exports OrtGetApiBase; the Python module links its own copy)."""
    capi = os.path.join(os.path.dirname(ort.__file__), "capi")
    found = sorted(glob.glob(os.path.join(capi, "libonnxruntime.so*")))
    if not found:
        raise SystemExit(f"--in-process: no libonnxruntime.so* in {capi}")
    return found[-1]


def write_tensors(path, feed):
    """The harness's input format: b"ORTH", u32 count, then per tensor u32 name length, name, i32 ONNX element
    type, u32 rank, i64 dims, u64 byte length, raw little-endian row-major bytes."""
    with open(path, "wb") as fh:
        fh.write(b"ORTH" + struct.pack("<I", len(feed)))
        for name, array in feed.items():
            array = np.ascontiguousarray(array)
            array = array.astype(array.dtype.newbyteorder("<"), copy=False)
            raw = array.tobytes()
            encoded = name.encode()
            fh.write(struct.pack("<I", len(encoded)) + encoded)
            fh.write(struct.pack("<iI", ELEMENT_TYPES[array.dtype.type], array.ndim))
            fh.write(struct.pack(f"<{array.ndim}q", *array.shape))
            fh.write(struct.pack("<Q", len(raw)) + raw)


def read_tensors(path):
    """The harness's --dump: the same format; string elements are u32 length + UTF-8 bytes each."""
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:4] != b"ORTH":
        raise ValueError(f"{path}: no ORTH header")
    (count,), at, tensors = struct.unpack_from("<I", data, 4), 8, {}
    for _ in range(count):
        (length,) = struct.unpack_from("<I", data, at)
        name = data[at + 4:at + 4 + length].decode()
        at += 4 + length
        element, rank = struct.unpack_from("<iI", data, at)
        dims = struct.unpack_from(f"<{rank}q", data, at + 8)
        at += 8 + 8 * rank
        (size,) = struct.unpack_from("<Q", data, at)
        raw = data[at + 8:at + 8 + size]
        at += 8 + size
        if element == 8:
            values, offset = [], 0
            while offset < len(raw):
                (n,) = struct.unpack_from("<I", raw, offset)
                values.append(raw[offset + 4:offset + 4 + n].decode())
                offset += 4 + n
            tensors[name] = np.array(values, dtype=object)
        else:
            tensors[name] = np.frombuffer(raw, dtype=ELEMENT_DTYPES[element]).reshape(dims)
    return tensors


def python_outputs(session, feed):
    """The Python API's outputs flattened as the harness dumps them: a list of dicts (ZipMap) becomes
    "<name>#keys" and "<name>#values"."""
    flat = {}
    for meta, value in zip(session.get_outputs(), session.run(None, feed)):
        if isinstance(value, list):
            flat[meta.name + "#keys"] = np.array([k for d in value for k in d.keys()])
            flat[meta.name + "#values"] = np.array([v for d in value for v in d.values()])
        else:
            flat[meta.name] = np.asarray(value)
    return flat


def compare_outputs(name, expected, got):
    if set(expected) != set(got):
        raise SystemExit(f"{name}: C API outputs {sorted(got)} differ from the Python API's {sorted(expected)}")
    for key, want in expected.items():
        have = got[key].reshape(-1)
        want = want.reshape(-1)
        if want.dtype.kind in "fc":
            ok = have.shape == want.shape and np.allclose(have.astype(np.float64), want.astype(np.float64),
                                                          rtol=1e-6, atol=0, equal_nan=True)
        else:
            ok = have.shape == want.shape and all(str(a) == str(b) for a, b in zip(have.tolist(), want.tolist()))
        if not ok:
            raise SystemExit(f"{name}: C API output {key} differs from the Python API's:\n{have[:8]}\n{want[:8]}")


def harness_run(harness, library, model, inputs, runs, *extra):
    result = subprocess.run([harness, library, model, inputs, str(runs), *extra], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{harness} failed on {model}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def without_zipmap(source, path):
    """`source` with each ZipMap node removed: its input tensor (the probabilities) becomes the graph output."""
    import onnx
    from onnx import helper
    model = onnx.load(source)
    graph = model.graph
    for node in [n for n in graph.node if n.op_type == "ZipMap"]:
        for index, output in enumerate(graph.output):
            if output.name == node.output[0]:
                graph.output.remove(output)
                graph.output.insert(index, helper.make_tensor_value_info(node.input[0], onnx.TensorProto.FLOAT, None))
        graph.node.remove(node)
    onnx.save(model, path)


def identity_model(path):
    import onnx
    from onnx import TensorProto, helper
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "identity",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--inputs-out")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--runs-b1", type=int, default=1000)
    parser.add_argument("--runs-b1000", type=int, default=40)
    parser.add_argument("--rows", choices=["mixed", "cyclic"], default="mixed",
                        help="batch 1000: rows mixed column by column from the fixture's (default), or repeated")
    parser.add_argument("--in-process", metavar="HARNESS",
                        help="also time onnxruntime's C API with this ort_harness binary (build-ort-harness.sh)")
    parser.add_argument("--ort-library", help="with --in-process: the libonnxruntime.so to dlopen "
                                              "(default: the one in the onnxruntime wheel)")
    args = parser.parse_args()
    results = {}
    skipped = {}
    library = (args.ort_library or ort_library()) if args.in_process else None
    scratch = tempfile.TemporaryDirectory(prefix="ort-harness-") if args.in_process else None
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
        in_process = bool(args.in_process)
        if in_process and any(v.dtype == object for v in base.values()):
            skipped[name] = "string (BYTES) input"
            in_process = False
        zipmap = in_process and any(o.type.startswith("seq") for o in session.get_outputs())
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
            if in_process:
                tensors = os.path.join(scratch.name, f"{name}.b{batch}.bin")
                write_tensors(tensors, feed)
                dump = os.path.join(scratch.name, f"{name}.b{batch}.out.bin")
                harness_run(args.in_process, library, model, tensors, 0, "--dump", dump)
                compare_outputs(name, python_outputs(session, feed), read_tensors(dump))
                results[name][f"c_b{batch}"] = harness_run(args.in_process, library, model, tensors, runs)["seconds"]
                if zipmap:
                    results[name][f"c_read_b{batch}"] = harness_run(args.in_process, library, model, tensors, runs,
                                                                    "--read")["seconds"]
                    plain = os.path.join(scratch.name, f"{name}.nozipmap.onnx")
                    if not os.path.exists(plain):
                        without_zipmap(model, plain)
                    twin = ort.InferenceSession(plain, options, providers=["CPUExecutionProvider"])
                    for _ in range(min(runs, 20)):
                        twin.run(None, feed)
                    results[name][f"nozipmap_b{batch}"] = timed(twin, feed, runs)
                    results[name][f"c_nozipmap_b{batch}"] = harness_run(args.in_process, library, plain, tensors,
                                                                        runs)["seconds"]
        line = f"onnxruntime {name}: b1 {results[name]['b1'] * 1e6:.1f} us, b1000 {results[name]['b1000'] * 1e3:.2f} ms"
        if "c_b1" in results[name]:
            line += f" | C API: b1 {results[name]['c_b1'] * 1e6:.1f} us, b1000 {results[name]['c_b1000'] * 1e3:.2f} ms"
        print(line, file=sys.stderr)
    report = {"onnxruntime": ort.__version__, "fixtures": results}
    if args.in_process:
        model = os.path.join(scratch.name, "identity.onnx")
        identity_model(model)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        feed = {"x": np.ones((1, 1), dtype=np.float32)}
        for _ in range(20):
            session.run(None, feed)
        tensors = os.path.join(scratch.name, "identity.bin")
        write_tensors(tensors, feed)
        checked = harness_run(args.in_process, library, model, tensors, args.runs_b1)
        report["identity"] = {"b1": timed(session, feed, args.runs_b1), "c_b1": checked["seconds"]}
        report["onnxruntime_c"] = {"library": library, "version": checked["onnxruntime"]}
        report["in_process_skipped"] = skipped
        print(f"identity model: Python API {report['identity']['b1'] * 1e6:.1f} us, "
              f"C API {report['identity']['c_b1'] * 1e6:.1f} us per call", file=sys.stderr)
        scratch.cleanup()
    json.dump(report, sys.stdout)
    print()


if __name__ == "__main__":
    main()

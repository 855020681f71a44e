#!/usr/bin/env python3
"""Benchmarks Modelyard's model serving against MLServer (Seldon's Python inference server), in one run.

What is measured:

  1. Open Inference Protocol v2 REST throughput and latency for a 100-tree random forest
     (RandomForestClassifier(n_estimators=100, random_state=0), 20 features), at batch 1 and batch 100:
     `POST /v2/models/forest/infer` with the same JSON body (`{"inputs": [{"name": "X", "shape": [B, 20],
     "datatype": "FP32", "data": [...]}]}`) against
       - MLServer + mlserver-sklearn serving the forest saved with joblib (its scikit-learn runtime), and
       - `modelyard serve` serving the same forest converted to ONNX with skl2onnx (zipmap off: label and
         probabilities tensors), registered and deployed through Modelyard's REST API.
     Load generator: `wrk` (C, keep-alive) with CONNECTIONS connections on 2 threads for a fixed duration after a
     warm-up of the same shape. Predictions/s = requests/s x batch; p50/p99 are wrk's per-request latencies (from
     writing the request to having the whole response). Failures = socket errors (connect, read, write,
     timeout) + responses with a status >= 400, as wrk counts them; every request body and the answers of both
     servers are validated with a Python client first (HTTP 200, the labels of both servers agree).
     The generator's own ceiling is measured on Modelyard's `GET /v2/health/live` (same connections).
  2. Deploy to first prediction for a ~100 MB model: a Gemm chain X[N,20] -> [N,5000] -> Relu -> [N,5000]
     (a 5000x5000 float32 weight, 100 MB) -> ReduceSum -> Y[N,1] is registered as a new version of the same
     model (upload, mark ready, not timed). While client threads keep sending `POST /api/v1/models/forest/predict`
     (native API, 1 row) without pause, the script sends `POST /api/v1/models/forest/deployments` for it, and
     reports: deploy request -> deploy response (Modelyard loads, sha256-verifies, plans and warms up the model
     before answering), deploy response -> first prediction answered by the new version (its "version" field;
     target < 1 s; negative when the switch was visible before the deploy response arrived), requests sent after
     the deploy response but answered by the old version, the clients' latency while the model was loading, and
     failed requests over the whole run (target 0: any exception or status other than 200).

How:
  * Each server is started by this script on 127.0.0.1 on free ports, in a fresh temporary directory, and stopped
    (its process group: SIGTERM, then SIGKILL) when its side is done, also on Ctrl-C or an error. The servers run
    one at a time (MLServer first, then Modelyard) so that they never compete for the cores.
      - MLServer: `mlserver start DIR` with settings.json {host 127.0.0.1, http_port and grpc_port free (gRPC can
        not be switched off), metrics_endpoint null (no metrics server), debug false (its default, true, logs
        every request), parallel_workers (default 1, MLServer's own default: inference runs in one worker
        process)}, model-settings.json {name forest, implementation mlserver_sklearn.SKLearnModel}; ready when
        `GET /v2/models/forest/ready` answers 200.
      - Modelyard: `<binary> serve --port 0 --data-dir TMP --log-level warning`, ready when it prints
        `modelyard listening on http://127.0.0.1:PORT`.
  * Before each measurement the script waits (a few minutes at most, then warns) until the machine is idle: the
    CPU at most 15% busy over 3 s and the 1-minute load average below 0.5 plus what is left in it of this script's
    own previous measurement (which decays with a 60 s time constant). During each measurement it reads the CPU
    share that other programs took (`other_load` in the JSON) and warns above 10%.

Output: a Markdown table (MLServer, Modelyard, the ratios, whether the targets are met: >= 10x MLServer's
throughput at a lower p99 at each batch size; deploy response -> first new-version prediction < 1 s with zero
failed requests). `--json OUT` also writes every figure.

Usage (normally through scripts/serving/bench.sh, which sets up .venv-serving):
  bench.py [BINARY] [--quick] [--json OUT] [--connections N] [--duration S] [--mlserver-workers N]
"""
import argparse
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version as package_version
from pathlib import Path

import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[2]
N_FEATURES = 20
TREES = 100
SEED = 0
BATCHES = (1, 100)
MODEL = "forest"
SERVER_START_TIMEOUT_S = 120
STOP_GRACE_S = 15
TARGET_THROUGHPUT_RATIO = 10
TARGET_SWITCH_S = 1.0
IDLE_BUSY = 0.15  # the machine counts as idle at most this CPU share busy ...
IDLE_LOADAVG = 0.5  # ... and a 1-minute load average below this plus what is left of our own previous load
OTHER_LOAD_WARN = 0.10
BIG_HIDDEN = 5000  # the deploy test's model: 20x5000 + 5000x5000 float32 weights, about 100 MB
DEPLOY_CLIENTS = 4
WRK_THREADS = 2


class BenchError(Exception):
    """A server misbehaved or could not be started, or a tool is missing."""


def log(message):
    print(message, file=sys.stderr, flush=True)


# --- machine load ------------------------------------------------------------------------------------------


def cpu_times():
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already in user
    return total - idle, total


def session_jiffies(sessions):
    """utime + stime of the live processes whose session id is in `sessions` (the servers we started)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # fields[0] is the state (field 3)
        if int(fields[3]) in sessions:  # field 6: session
            total += int(fields[11]) + int(fields[12])  # fields 14, 15: utime, stime
    return total


class LoadMonitor:
    """Waits for an idle machine before a measurement and measures what other programs took during it."""

    def __init__(self, quick):
        self.cores = os.cpu_count() or 1
        self.hz = os.sysconf("SC_CLK_TCK")
        self.idle_timeout = 10 if quick else 240
        self.own_load = 0.0  # the load average when our last measurement ended
        self.own_end = None
        self.sessions = set()  # sessions of the servers we started
        self.warnings = []

    def wait_idle(self, label):
        start = time.monotonic()
        while True:
            busy0, total0 = cpu_times()
            time.sleep(3)
            busy1, total1 = cpu_times()
            busy = (busy1 - busy0) / max(1, total1 - total0)
            load = os.getloadavg()[0]
            allowed = IDLE_LOADAVG
            if self.own_end is not None:
                allowed += self.own_load * math.exp(-(time.monotonic() - self.own_end) / 60)
            if busy <= IDLE_BUSY and load <= allowed:
                return {"cpu_busy_before": round(busy, 3), "loadavg_before": round(load, 2)}
            if time.monotonic() - start > self.idle_timeout:
                message = (f"{label}: the machine is not idle (CPU {busy:.0%} busy, 1-minute load average {load:.2f},"
                           f" allowed {allowed:.2f}) after {self.idle_timeout} s; measuring anyway, figures skewed")
                log("WARNING: " + message)
                self.warnings.append(message)
                return {"cpu_busy_before": round(busy, 3), "loadavg_before": round(load, 2), "not_idle": True}
            log(f"  waiting for an idle machine before {label}: CPU {busy:.0%} busy, "
                f"load average {load:.2f} (allowed {allowed:.2f})")

    def begin(self):
        t = os.times()
        return (time.monotonic(), cpu_times()[0], session_jiffies(self.sessions),
                (t.user + t.system + t.children_user + t.children_system))

    def end(self, label, started, warmup_s=0.0):
        """The CPU share (of all cores) that processes other than ours took since `started`."""
        wall0, busy0, servers0, own0 = started
        t = os.times()
        wall = time.monotonic() - wall0
        busy = (cpu_times()[0] - busy0) / self.hz
        servers = (session_jiffies(self.sessions) - servers0) / self.hz
        own = (t.user + t.system + t.children_user + t.children_system) - own0
        other = max(0.0, (busy - servers - own) / (self.cores * max(wall, 1e-6)))
        # What this measurement (and its warm-up) added to the 1-minute load average, estimated from the cores our
        # processes kept busy, with a margin for runnable threads that waited for a core; plus what was left of
        # the previous one. The load average decays with a 60 s time constant.
        now = time.monotonic()
        ours = 1.5 * (servers + own) / max(wall, 1e-6)
        left = self.own_load * math.exp(-(now - self.own_end) / 60) if self.own_end is not None else 0.0
        self.own_load = left + ours * (1 - math.exp(-(wall + warmup_s) / 60))
        self.own_end = now
        if other > OTHER_LOAD_WARN:
            message = f"{label}: other programs took {other:.0%} of the CPU during the measurement; figures skewed"
            log("WARNING: " + message)
            self.warnings.append(message)
        return round(other, 3)


# --- processes ---------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process in its own session (so it and its workers can be stopped as a group)."""

    def __init__(self, name, command, workdir, env=None, cwd=None):
        self.name = name
        self.stdout_path = workdir / f"{name}.stdout.log"
        self.stderr_path = workdir / f"{name}.stderr.log"
        with open(self.stdout_path, "w") as out, open(self.stderr_path, "w") as err:
            self.process = subprocess.Popen(command, stdout=out, stderr=err, start_new_session=True,
                                            env=env, cwd=cwd)
        self.session = self.process.pid

    def tail(self, lines=40):
        text = []
        for path in (self.stdout_path, self.stderr_path):
            content = path.read_text(errors="replace").splitlines()
            if content:
                text.append(f"--- {path.name} (last {lines} lines) ---")
                text.extend(content[-lines:])
        return "\n".join(text)

    def check_alive(self):
        if self.process.poll() is not None:
            raise BenchError(f"{self.name} exited with status {self.process.returncode}\n{self.tail()}")

    def stop(self):
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.session, signal.SIGTERM)
            self.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.session, signal.SIGKILL)
            self.process.wait(timeout=STOP_GRACE_S)
        except ProcessLookupError:
            pass
        # Workers that outlived the main process (MLServer's inference pool).
        try:
            os.killpg(self.session, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def wait_ready(server, url, timeout=SERVER_START_TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server.check_alive()
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise BenchError(f"{server.name} was not ready ({url}) within {timeout} s\n{server.tail()}")


def start_mlserver(workdir, model_dir, workers):
    repo = workdir / "mlserver"
    (repo / MODEL).mkdir(parents=True)
    shutil.copy(model_dir / "model.joblib", repo / MODEL / "model.joblib")
    port, grpc_port = free_port(), free_port()
    settings = {"host": "127.0.0.1", "http_port": port, "grpc_port": grpc_port, "metrics_endpoint": None,
                "debug": False, "parallel_workers": workers, "load_models_at_startup": True}
    (repo / "settings.json").write_text(json.dumps(settings, indent=2))
    (repo / MODEL / "model-settings.json").write_text(json.dumps(
        {"name": MODEL, "implementation": "mlserver_sklearn.SKLearnModel",
         "parameters": {"uri": "./model.joblib", "version": "1"}}, indent=2))
    executable = Path(sys.executable).with_name("mlserver")
    env = dict(os.environ)
    # The environments and metrics folders default to the working directory: keep them in the temp dir.
    server = Server("mlserver", [str(executable), "start", str(repo)], workdir, env=env, cwd=repo)
    base = f"http://127.0.0.1:{port}"
    wait_ready(server, f"{base}/v2/models/{MODEL}/ready")
    return server, base, settings


def start_modelyard(binary, workdir):
    data = workdir / "modelyard-data"
    server = Server("modelyard", [str(binary), "serve", "--port", "0", "--data-dir", str(data),
                                  "--log-level", "warning"], workdir)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    prefix = "modelyard listening on "
    while True:
        for line in server.stdout_path.read_text(errors="replace").splitlines():
            if line.startswith(prefix):
                return server, line[len(prefix):].split(" ", 1)[0]
        server.check_alive()
        if time.monotonic() > deadline:
            raise BenchError(f"modelyard did not print its listening line within {SERVER_START_TIMEOUT_S} s\n"
                             f"{server.tail()}")
        time.sleep(0.05)


# --- models ------------------------------------------------------------------------------------------------


def train_forest(workdir):
    import joblib
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    from skl2onnx import to_onnx

    x, y = make_classification(n_samples=10_000, n_features=N_FEATURES, n_informative=10, n_redundant=4,
                               n_classes=3, random_state=SEED)
    x = x.astype(np.float32)
    started = time.monotonic()
    model = RandomForestClassifier(n_estimators=TREES, random_state=SEED).fit(x, y)
    log(f"  trained the forest in {time.monotonic() - started:.1f} s")
    model_dir = workdir / "models"
    model_dir.mkdir()
    joblib.dump(model, model_dir / "model.joblib")
    # The repo's fixture opsets (scripts/onnx/generate_fixtures.py); zipmap off: label + probabilities tensors.
    proto = to_onnx(model, x[:1], target_opset={"": 17, "ai.onnx.ml": 3},
                    options={id(model): {"zipmap": False}})
    (model_dir / "model.onnx").write_bytes(proto.SerializeToString())
    rng = np.random.default_rng(SEED + 1)
    rows = rng.standard_normal((max(BATCHES), N_FEATURES)).astype(np.float32) * 2
    return model_dir, rows, model.predict(rows)


def build_big_model(path):
    """X[N,20] -> Gemm 20x5000 -> Relu -> Gemm 5000x5000 (100 MB) -> ReduceSum(axis 1) -> Y[N,1], float32."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(SEED + 2)
    w1 = (rng.standard_normal((N_FEATURES, BIG_HIDDEN), dtype=np.float32) * 0.1)
    b1 = np.zeros(BIG_HIDDEN, dtype=np.float32)
    w2 = (rng.standard_normal((BIG_HIDDEN, BIG_HIDDEN), dtype=np.float32) * 0.01)
    b2 = np.zeros(BIG_HIDDEN, dtype=np.float32)
    nodes = [
        helper.make_node("Gemm", ["X", "W1", "B1"], ["H1"]),
        helper.make_node("Relu", ["H1"], ["R1"]),
        helper.make_node("Gemm", ["R1", "W2", "B2"], ["H2"]),
        helper.make_node("ReduceSum", ["H2", "axes"], ["Y"], keepdims=1),
    ]
    graph = helper.make_graph(
        nodes, "big",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", N_FEATURES])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 1])],
        initializer=[numpy_helper.from_array(w1, "W1"), numpy_helper.from_array(b1, "B1"),
                     numpy_helper.from_array(w2, "W2"), numpy_helper.from_array(b2, "B2"),
                     numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path.stat().st_size


# --- Modelyard's REST API ----------------------------------------------------------------------------------


class Registry:
    def __init__(self, base):
        self.api = f"{base}/api/v1"
        self.http = requests.Session()

    def _check(self, response, *expected):
        if response.status_code not in expected:
            raise BenchError(f"{response.request.method} {response.request.url} -> HTTP {response.status_code}: "
                             f"{response.text[:1000]}")
        return response

    def create_model(self, name):
        self._check(self.http.post(f"{self.api}/models", json={"name": name}, timeout=60), 200, 201)

    def add_version(self, name, onnx_path):
        """A new version with `onnx_path` as model.onnx, marked ready; returns its semantic version."""
        version = self._check(self.http.post(f"{self.api}/models/{name}/versions", json={}, timeout=60),
                              200, 201).json()["version"]
        with open(onnx_path, "rb") as f:
            self._check(self.http.put(f"{self.api}/models/{name}/versions/{version}/artifacts/model.onnx",
                                      data=f, headers={"Content-Type": "application/octet-stream"},
                                      timeout=600), 201)
        self._check(self.http.patch(f"{self.api}/models/{name}/versions/{version}", json={"status": "ready"},
                                    timeout=60), 200)
        return version

    def deploy(self, name, version, session=None):
        return self._check((session or self.http).post(
            f"{self.api}/models/{name}/deployments", json={"version": version, "environment": "production"},
            timeout=600), 201)


# --- the infer workload ------------------------------------------------------------------------------------


def infer_body(rows):
    return json.dumps({"inputs": [{"name": "X", "shape": list(rows.shape), "datatype": "FP32",
                                   "data": [float(v) for v in rows.reshape(-1)]}]})


def infer_labels(base, body, batch, label_output):
    """One validated request: the labels the server answers for the batch's rows."""
    response = requests.post(f"{base}/v2/models/{MODEL}/infer", data=body,
                             headers={"Content-Type": "application/json"}, timeout=120)
    if response.status_code != 200:
        raise BenchError(f"POST {base}/v2/models/{MODEL}/infer (batch {batch}) -> HTTP {response.status_code}: "
                         f"{response.text[:1000]}")
    outputs = {o["name"]: o for o in response.json()["outputs"]}
    if label_output not in outputs:
        raise BenchError(f"{base}: no output '{label_output}' in {response.text[:500]}")
    data = outputs[label_output]["data"]
    if len(data) != batch:
        raise BenchError(f"{base}: {len(data)} labels for {batch} rows: {response.text[:500]}")
    return [int(v) for v in data]


WRK_SCRIPT = r"""
wrk.method = os.getenv("BENCH_METHOD")
local path = os.getenv("BENCH_BODY")
if path ~= nil and path ~= "" then
  local f = assert(io.open(path, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT {\"requests\": %d, \"duration_us\": %d, \"connect\": %d, \"read\": %d, \"write\": %d, " ..
    "\"status\": %d, \"timeout\": %d, \"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"p999_us\": %d, " ..
    "\"max_us\": %d, \"mean_us\": %.1f}\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
"""


class Wrk:
    def __init__(self, workdir, connections, timeout_s):
        self.binary = shutil.which("wrk")
        if self.binary is None:
            raise BenchError("wrk is not installed (Debian: apt-get install -y wrk; bench.sh does it as root)")
        self.script = workdir / "bench.lua"
        self.script.write_text(WRK_SCRIPT)
        self.workdir = workdir
        self.connections = connections
        self.timeout_s = timeout_s
        self.version = subprocess.run([self.binary, "-v"], capture_output=True, text=True).stdout.split("\n")[0]

    def run(self, url, seconds, method="GET", body=None):
        env = dict(os.environ, BENCH_METHOD=method, BENCH_BODY="")
        if body is not None:
            body_path = self.workdir / "body.json"
            body_path.write_text(body)
            env["BENCH_BODY"] = str(body_path)
        command = [self.binary, f"-t{min(WRK_THREADS, self.connections)}", f"-c{self.connections}",
                   f"-d{seconds}s", f"--timeout={self.timeout_s}s", "-s", str(self.script), url]
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 120)
        match = re.search(r"^BENCH_RESULT (\{.*\})$", done.stdout, re.M)
        if done.returncode != 0 or not match:
            raise BenchError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
        r = json.loads(match.group(1))
        seconds = r["duration_us"] / 1e6
        failures = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
        return {"requests": r["requests"], "seconds": round(seconds, 3),
                "requests_per_s": round(r["requests"] / seconds, 1),
                "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
                "p999_ms": r["p999_us"] / 1000, "max_ms": r["max_us"] / 1000, "mean_ms": round(r["mean_us"] / 1000, 3),
                "failures": failures,
                "errors": {k: r[k] for k in ("connect", "read", "write", "status", "timeout")}}


def measure(monitor, wrk, label, url, *, seconds, warmup, batch=None, body=None, method="POST"):
    idle = monitor.wait_idle(label)
    wrk.run(url, warmup, method=method, body=body)  # warm-up, not counted
    started = monitor.begin()
    result = wrk.run(url, seconds, method=method, body=body)
    result["other_load"] = monitor.end(label, started, warmup)
    result.update(idle)
    if batch is not None:
        result["batch"] = batch
        result["predictions_per_s"] = round(result["requests_per_s"] * batch, 1)
    shown = f"{result['predictions_per_s']:.0f} predictions/s" if batch else f"{result['requests_per_s']:.0f} req/s"
    log(f"  {label}: {shown}, p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, "
        f"{result['failures']} failed of {result['requests']}")
    if result["failures"]:
        log(f"WARNING: {label}: {result['failures']} failed requests: {result['errors']}")
    return result


# --- deploy to first prediction ----------------------------------------------------------------------------


class PredictClients:
    """Threads that send 1-row predictions to the native API without pause and record every answer."""

    def __init__(self, base, row, clients):
        self.url = f"{base}/api/v1/models/{MODEL}/predict"
        self.body = json.dumps({"inputs": [[float(v) for v in row]]})
        self.stop_flag = threading.Event()
        self.records = [[] for _ in range(clients)]  # (sent, received, status, version or error)
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(clients)]

    def _run(self, index):
        session = requests.Session()
        records = self.records[index]
        headers = {"Content-Type": "application/json"}
        while not self.stop_flag.is_set():
            sent = time.perf_counter()
            try:
                response = session.post(self.url, data=self.body, headers=headers, timeout=60)
                received = time.perf_counter()
                version = None
                if response.status_code == 200:
                    version = response.json().get("version")
                    header = response.headers.get("X-Modelyard-Version")
                    if header != version:
                        version = f"mismatch: body {version}, header {header}"
                else:
                    version = f"HTTP {response.status_code}: {response.text[:300]}"
                records.append((sent, received, response.status_code, version))
            except requests.RequestException as error:
                records.append((sent, time.perf_counter(), 0, f"{type(error).__name__}: {error}"))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def all(self):
        return sorted((r for records in self.records for r in records), key=lambda r: r[1])


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def measure_deploy(monitor, registry, base, old_version, workdir, row, quick):
    big = workdir / "models" / "big.onnx"
    size = build_big_model(big)
    log(f"  built a {size / 1e6:.1f} MB ONNX model; uploading it as a new version")
    started = time.monotonic()
    new_version = registry.add_version(MODEL, big)
    upload_s = time.monotonic() - started
    log(f"  uploaded version {new_version} in {upload_s:.1f} s (not part of the figure)")
    idle = monitor.wait_idle("deploy")
    before_s, after_s = (2, 3) if quick else (5, 10)
    deploy_session = requests.Session()
    requests.get(f"{registry.api}/models/{MODEL}", timeout=30)  # warm the connection path
    load = monitor.begin()
    with PredictClients(base, row, DEPLOY_CLIENTS) as clients:
        time.sleep(before_s)
        t_request = time.perf_counter()
        deploy_error = None
        try:
            deploy_response = registry.deploy(MODEL, new_version, session=deploy_session)
            deployment = deploy_response.json()
        except BenchError as error:
            deploy_error = str(error)
            deployment = None
        t_response = time.perf_counter()
        time.sleep(after_s)
    other = monitor.end("deploy", load, before_s)
    records = clients.all()
    ok = [r for r in records if r[2] == 200 and not str(r[3]).startswith("mismatch")]
    failed = [r for r in records if r not in ok]
    first_new = next((r for r in ok if r[3] == new_version), None)
    stale = [r for r in ok if r[0] > t_response and r[3] != new_version]
    during = [(r[1] - r[0]) * 1000 for r in ok if r[1] >= t_request and r[0] <= t_response]
    before = [(r[1] - r[0]) * 1000 for r in ok if r[1] < t_request]
    after_new = [(r[1] - r[0]) * 1000 for r in ok if r[3] == new_version]
    result = {
        "model_bytes": size, "old_version": old_version, "new_version": new_version,
        "upload_s": round(upload_s, 3), "clients": DEPLOY_CLIENTS,
        "deploy_request_to_response_s": round(t_response - t_request, 3),
        "deploy_response_to_first_new_prediction_s":
            round(first_new[1] - t_response, 4) if first_new else None,
        "deploy_request_to_first_new_prediction_s":
            round(first_new[1] - t_request, 4) if first_new else None,
        "requests": len(records), "failed_requests": len(failed),
        "failures_sample": [{"status": r[2], "answer": r[3]} for r in failed[:5]],
        "stale_after_deploy_response": len(stale),
        "answered_by_new_version": sum(1 for r in ok if r[3] == new_version),
        "latency_ms_before_deploy": {"p50": percentile(before, 50), "p99": percentile(before, 99)},
        "latency_ms_while_loading": {"p50": percentile(during, 50), "p99": percentile(during, 99),
                                     "max": max(during) if during else None, "count": len(during)},
        "latency_ms_new_version": {"p50": percentile(after_new, 50), "p99": percentile(after_new, 99)},
        "deploy_error": deploy_error, "deployment": deployment, "other_load": other, **idle,
    }
    if deploy_error:
        log(f"WARNING: the deploy failed: {deploy_error}")
    return result


# --- report ------------------------------------------------------------------------------------------------


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def report(results):
    lines = ["", "## Open Inference Protocol v2 REST (`POST /v2/models/forest/infer`, JSON), "
             f"{results['connections']} connections, {results['duration_s']} s per row", "",
             "| batch | figure | MLServer | Modelyard | ratio (Modelyard's advantage) | target | met |", "|---|---|---|---|---|---|---|"]
    verdicts = []
    for batch in BATCHES:
        m, y = results["mlserver"][f"batch_{batch}"], results["modelyard"][f"batch_{batch}"]
        ratio = y["predictions_per_s"] / m["predictions_per_s"] if m["predictions_per_s"] else None
        p99_ratio = m["p99_ms"] / y["p99_ms"] if y["p99_ms"] else None
        met_throughput = ratio is not None and ratio >= TARGET_THROUGHPUT_RATIO
        met_p99 = y["p99_ms"] < m["p99_ms"]
        no_failures = m["failures"] == 0 and y["failures"] == 0
        verdicts.append(met_throughput and met_p99 and no_failures)
        results["ratios"][f"batch_{batch}"] = {"throughput": round(ratio, 2) if ratio else None,
                                               "p99_mlserver_over_modelyard": round(p99_ratio, 2) if p99_ratio else None,
                                               "throughput_target_met": met_throughput, "p99_target_met": met_p99}
        lines += [
            f"| {batch} | predictions/s | {fmt(m['predictions_per_s'])} | {fmt(y['predictions_per_s'])} | "
            f"{fmt(ratio, 2)}x (Modelyard / MLServer) | >= {TARGET_THROUGHPUT_RATIO}x | {'yes' if met_throughput else 'NO'} |",
            f"| {batch} | p50 latency (ms) | {fmt(m['p50_ms'], 2)} | {fmt(y['p50_ms'], 2)} | "
            f"{fmt(m['p50_ms'] / y['p50_ms'] if y['p50_ms'] else None, 2)}x (MLServer / Modelyard) | | |",
            f"| {batch} | p99 latency (ms) | {fmt(m['p99_ms'], 2)} | {fmt(y['p99_ms'], 2)} | "
            f"{fmt(p99_ratio, 2)}x (MLServer / Modelyard) | > 1x | {'yes' if met_p99 else 'NO'} |",
            f"| {batch} | failed requests | {m['failures']} of {m['requests']:,} | {y['failures']} of "
            f"{y['requests']:,} | | 0 | {'yes' if no_failures else 'NO'} |",
        ]
    ceiling = results["generator_ceiling"]
    lines += ["", f"Load generator ceiling (wrk, `GET /v2/health/live` on Modelyard, same connections): "
                  f"{ceiling['requests_per_s']:,.0f} requests/s, p99 {ceiling['p99_ms']:.2f} ms."]
    for batch in BATCHES:
        rps = results["modelyard"][f"batch_{batch}"]["requests_per_s"]
        if rps > 0.5 * ceiling["requests_per_s"]:
            lines.append(f"Note: Modelyard's batch-{batch} rate is over half the generator's ceiling on this machine "
                         "(client and server share the cores), so it is partly bounded by the client.")
    d = results["deploy"]
    switch = d["deploy_response_to_first_new_prediction_s"]
    met_switch = switch is not None and switch < TARGET_SWITCH_S and not d["deploy_error"]
    met_failures = d["failed_requests"] == 0
    verdicts += [met_switch, met_failures]
    lines += ["", f"## Deploy to first prediction ({d['model_bytes'] / 1e6:.1f} MB ONNX model, "
                  f"{d['clients']} clients sending native predictions throughout)", "",
              "| figure | value | target | met |", "|---|---|---|---|",
              f"| deploy request -> deploy response (loads, verifies, warms up) | {fmt(d['deploy_request_to_response_s'], 3)} s | | |",
              f"| deploy response -> first prediction by {d['new_version']} | "
              f"{fmt(switch * 1000 if switch is not None else None, 1)} ms | < {TARGET_SWITCH_S:g} s | "
              f"{'yes' if met_switch else 'NO'} |",
              f"| deploy request -> first prediction by {d['new_version']} | "
              f"{fmt(d['deploy_request_to_first_new_prediction_s'], 3)} s | | |",
              f"| requests sent after the deploy response answered by the old version | "
              f"{d['stale_after_deploy_response']} | | |",
              f"| client p99 / max latency while loading (ms) | {fmt(d['latency_ms_while_loading']['p99'])} / "
              f"{fmt(d['latency_ms_while_loading']['max'])} (before: p99 {fmt(d['latency_ms_before_deploy']['p99'])}) | | |",
              f"| failed requests (whole run) | {d['failed_requests']} of {d['requests']:,} | 0 | "
              f"{'yes' if met_failures else 'NO'} |"]
    lines += ["", f"All targets met: {'yes' if all(verdicts) else 'NO'}"]
    results["all_targets_met"] = all(verdicts)
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", nargs="?", default=str(ROOT / ".build/release/modelyard"))
    parser.add_argument("--quick", action="store_true", help="short rows (a smoke test; figures not meaningful)")
    parser.add_argument("--json", metavar="OUT", help="also write the figures to this JSON file")
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections (8)")
    parser.add_argument("--duration", type=float, help="seconds per measured row (20; --quick 4)")
    parser.add_argument("--mlserver-workers", type=int, default=1,
                        help="MLServer's parallel_workers (1, its default; 0 runs inference in the server process)")
    args = parser.parse_args()
    binary = Path(args.binary).resolve()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise BenchError(f"modelyard binary not found or not executable: {binary}")
    seconds = int(args.duration or (4 if args.quick else 20))
    warmup = 2 if args.quick else 5
    monitor = LoadMonitor(args.quick)
    workdir = Path(tempfile.mkdtemp(prefix="modelyard-serving-bench-"))
    servers = []

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    results = {
        "binary": str(binary), "quick": args.quick, "connections": args.connections, "duration_s": seconds,
        "warmup_s": warmup, "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                        "python": platform.python_version()},
        "versions": {p: package_version(p) for p in ("mlserver", "mlserver-sklearn", "scikit-learn", "skl2onnx",
                                                       "onnx", "numpy")},
        "mlserver": {}, "modelyard": {}, "ratios": {},
    }
    try:
        wrk = Wrk(workdir, args.connections, timeout_s=30)
        results["versions"]["wrk"] = wrk.version
        log(f"working in {workdir}")
        log("training the forest")
        model_dir, rows, sklearn_labels = train_forest(workdir)
        results["forest_onnx_bytes"] = (model_dir / "model.onnx").stat().st_size
        bodies = {b: infer_body(rows[:b]) for b in BATCHES}

        log("MLServer")
        mlserver, base, settings = start_mlserver(workdir, model_dir, args.mlserver_workers)
        servers.append(mlserver)
        monitor.sessions = {mlserver.session}
        results["mlserver"]["settings"] = settings
        labels = {}
        for batch in BATCHES:
            labels[("mlserver", batch)] = infer_labels(base, bodies[batch], batch, "predict")
        for batch in BATCHES:
            results["mlserver"][f"batch_{batch}"] = measure(
                monitor, wrk, f"MLServer batch {batch}", f"{base}/v2/models/{MODEL}/infer", seconds=seconds,
                warmup=warmup, batch=batch, body=bodies[batch])
        mlserver.check_alive()
        mlserver.stop()

        log("Modelyard")
        modelyard, base = start_modelyard(binary, workdir)
        servers.append(modelyard)
        monitor.sessions = {modelyard.session}
        registry = Registry(base)
        registry.create_model(MODEL)
        version = registry.add_version(MODEL, model_dir / "model.onnx")
        registry.deploy(MODEL, version)
        for batch in BATCHES:
            labels[("modelyard", batch)] = infer_labels(base, bodies[batch], batch, "label")
        mismatches = {}
        for batch in BATCHES:
            a, b = labels[("mlserver", batch)], labels[("modelyard", batch)]
            mismatches[batch] = sum(1 for u, v in zip(a, b) if u != v)
            if a != [int(v) for v in sklearn_labels[:batch]]:
                raise BenchError(f"MLServer's labels differ from scikit-learn's at batch {batch}")
        results["label_mismatches"] = {f"batch_{b}": n for b, n in mismatches.items()}
        if any(mismatches.values()):
            raise BenchError(f"MLServer and Modelyard answer different labels for the same rows: {mismatches}")
        log("  both servers answer the same labels")
        results["generator_ceiling"] = measure(monitor, wrk, "wrk ceiling (GET /v2/health/live)",
                                               f"{base}/v2/health/live", seconds=seconds, warmup=warmup,
                                               method="GET")
        for batch in BATCHES:
            results["modelyard"][f"batch_{batch}"] = measure(
                monitor, wrk, f"Modelyard batch {batch}", f"{base}/v2/models/{MODEL}/infer", seconds=seconds,
                warmup=warmup, batch=batch, body=bodies[batch])
        log("deploy to first prediction")
        results["deploy"] = measure_deploy(monitor, registry, base, version, workdir, rows[0], args.quick)
        modelyard.check_alive()
        modelyard.stop()
        errors = [line for line in modelyard.stderr_path.read_text(errors="replace").splitlines() if line.strip()]
        results["modelyard_stderr"] = errors[-50:]
    except BaseException:
        log(f"(server logs kept in {workdir})")
        raise
    finally:
        for server in servers:
            server.stop()
    results["warnings"] = monitor.warnings
    table = report(results)
    if args.quick:
        table = "\n(--quick: short rows, a smoke test; the figures are not meaningful)\n" + table
    if monitor.warnings:
        table += "\n\nWarnings:\n" + "\n".join(f"- {w}" for w in monitor.warnings)
    print(table)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
        log(f"wrote {args.json}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        log(f"error: {error}")
        sys.exit(2)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)

#!/usr/bin/env python3
"""Benchmarks Modelyard's MLflow-compatible REST API against a real `mlflow server`, in one run.

What is measured (the same client-side workload against both servers):

  1. log-batch throughput: 4 concurrent clients, each logging into its own run, 100 metric points per
     `POST runs/log-batch` (10 keys x 10 steps); reported in metric points per second.
  2. create-model-version: 500 `POST model-versions/create` (source `s3://bucket/path/model`, with a run_id)
     from 4 concurrent clients into one registered model; versions per second, p50 and p99 latency.
  Rows 1 and 2 run 3 rounds each (row 2's rounds add versions 1-500, 501-1,000 and 1,001-1,500 to the same
  model) and report the median round's throughput; row 2's latency percentiles are over all 1,500 requests. One
  round of row 2 takes Modelyard about 0.15 s, where a scheduling hiccup of the 2-core machine moves the figure
  by 20%; MLflow's own rate moved between 126 and 195 versions/s from one run to the next.
  3. get-registered-model: `GET registered-models/get` of a model with 2,000 versions, 1 client; p50, p99.
  4. search-model-versions: `GET model-versions/search` with the filter `name='<model>'` and max_results=10000
     (what `MlflowClient.search_model_versions` sends by default) on that model, 1 client; p50, p99.
  5. get-metric-history: `GET metrics/get-history` of a 10,000-point metric with run_id, run_uuid and
     max_results=25000 (what `MlflowClient.get_metric_history` sends), 1 client; p50, p99.

How:
  * Each server is started by this script on 127.0.0.1, on a free port, with its data in a fresh temporary
    directory, and stopped (process group: SIGTERM, then SIGKILL) when its side is done, also on Ctrl-C or an
    error. The servers run one at a time so that they never compete for the cores; Modelyard goes first so a
    broken build fails in seconds. Once a server is ready, the script waits until the machine is nearly idle (the
    server's start-up work done; a warning if another program keeps it busy) before measuring. During each row it
    measures the CPU share that other programs took (`other_load` in the JSON) and warns above 10%.
      - MLflow: `mlflow server --backend-store-uri sqlite:///TMP/mlflow.db --artifacts-destination TMP/artifacts
        --serve-artifacts` (default workers), ready when `GET /health` answers 200.
      - Modelyard: `<binary> serve --port 0 --data-dir TMP --log-level warning`, ready when it prints
        `modelyard listening on http://127.0.0.1:PORT`.
  * Requests are exactly those the MLflow Python client puts on the wire (paths, query strings, JSON bodies,
    User-Agent and the other headers of its `requests` session), sent over one keep-alive connection per client
    by a minimal HTTP/1.1 client on a raw socket (see `Api`), which costs a fraction of `requests`' CPU per call,
    so the clients leave the cores to the server; row 1's request bodies are encoded before its clock starts.
    Each concurrent client is a separate process, so the GIL is not the bottleneck either.
  * Every measured row starts with a short warm-up per client; the clients then start together (a barrier).
    Throughput = work done / (last client's end - first client's start). Latency = time from sending a request
    to having its whole response body; percentiles are nearest-rank over all requests of the row.
  * Every response is validated (HTTP 200, a JSON object with the expected fields and counts: READY versions,
    no colliding version numbers, the full 2,000 versions, the full 10,000 points, the logged points read back)
    so a broken server cannot produce a fast-looking figure. The first failure stops the benchmark.
  * Populating the 2,000-version model (row 2's 1,500 plus 500 concurrent creates) and the 10,000-point run is
    not measured.

Output: a Markdown table (MLflow, Modelyard, the ratio oriented so that higher is better for Modelyard, and
whether it reaches the 20x target); `--json OUT` also writes the raw figures.

Usage (normally through scripts/mlflow/bench.sh, which sets up .venv-mlflow):
  bench.py [BINARY] [--only mlflow|modelyard] [--quick] [--json OUT]
"""
import argparse
import gzip
import http.client
import json
import math
import multiprocessing
import os
import platform
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zlib
from dataclasses import asdict, dataclass
from importlib.metadata import version as package_version
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
MLFLOW_VERSION = package_version("mlflow")
# The MLflow client identifies itself like this; sent so both servers see the client's exact requests.
HEADERS = {"User-Agent": f"mlflow-python-client/{MLFLOW_VERSION}", "Accept-Encoding": "gzip, deflate", "Accept": "*/*",
           "Connection": "keep-alive"}
REQUEST_TIMEOUT_S = 120  # the client's default (MLFLOW_HTTP_REQUEST_TIMEOUT)
SERVER_START_TIMEOUT_S = 120
STOP_GRACE_S = 15
WARMUP_TIMEOUT_S = 300  # how long a client that finished its warm-up waits for the others
CLIENTS = 4  # concurrent clients of rows 1 and 2
SOURCE = "s3://bucket/path/model"
TARGET_RATIO = 20
QUIET_BUSY = 0.15  # before each side, wait until at most this fraction of the CPU time is busy ...
QUIET_TIMEOUT_S = 60  # ... for at most this long
OTHER_LOAD_WARN = 0.10  # warn when other programs take more than this fraction of the CPU during a row


@dataclass(frozen=True)
class Sizes:
    """The amount of work of each row. FULL makes MLflow's side of each row take roughly 10-40 s here."""

    log_batch_requests: int  # per client, 100 points each
    create_versions: int  # row 2, split over the clients
    model_versions: int  # versions of the model read by rows 3 and 4
    history_points: int  # points of the metric read by row 5
    get_model_requests: int
    search_requests: int
    history_requests: int


FULL = Sizes(log_batch_requests=150, create_versions=500, model_versions=2000, history_points=10000,
             get_model_requests=200, search_requests=100, history_requests=100)
QUICK = Sizes(log_batch_requests=10, create_versions=40, model_versions=200, history_points=1000,
              get_model_requests=20, search_requests=10, history_requests=10)
POINTS_PER_REQUEST = 100
KEYS_PER_REQUEST = 10  # a log-batch request carries KEYS_PER_REQUEST keys x (100 / KEYS_PER_REQUEST) steps
MAX_METRICS_PER_BATCH = 1000  # MLflow's limit per log-batch request, used to populate the history quickly
WARMUP_BATCHES = 5  # per client, before row 1
WARMUP_VERSIONS = 3  # per client, before row 2, into a separate model
WARMUP_READS = 5  # before rows 3-5
ROUNDS = 3  # rounds of each throughput row (1 and 2); the median round is reported


class BenchError(Exception):
    """A server misbehaved (error status, missing field, wrong count) or could not be started."""


# --- HTTP client ---------------------------------------------------------------------------------------------


class Api:
    """Speaks the MLflow REST protocol over one keep-alive HTTP/1.1 connection, validating every answer.

    The requests are byte for byte what the MLflow client sends (method, path, query string, JSON body,
    User-Agent and the other headers of `requests`), written straight to a socket and read back with a minimal
    HTTP/1.1 reader (status line, headers, a Content-Length or chunked body). On two cores shared with the server,
    the client's own CPU decides the figures of the faster server: `requests` costs about 2 ms per call, the
    standard library's http.client about 0.2 ms (its header parsing goes through the email package), this
    reader a fraction of that."""

    def __init__(self, base_url):
        parsed = urllib.parse.urlsplit(base_url)
        self.base_url = base_url
        self.host, self.port = parsed.hostname, parsed.port
        self.head_lines = f"Host: {self.host}:{self.port}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items())
        self.sock = None
        self.buffer = bytearray()

    def _connect(self):
        self.sock = socket.create_connection((self.host, self.port), timeout=REQUEST_TIMEOUT_S)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _fill(self):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        self.buffer += chunk

    def _take(self, size, skip=0):
        """The buffer's first `size` bytes, removed with `skip` more (the buffer is a bytearray: a 1 MB answer
        arriving in 64 KiB reads is appended in place, not copied per read)."""
        data = bytes(self.buffer[:size])
        del self.buffer[:size + skip]
        return data

    def _line(self):
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                return self._take(end, skip=2)
            self._fill()

    def _exactly(self, size):
        while len(self.buffer) < size:
            self._fill()
        return self._take(size)

    def _read_response(self):
        """(status, {lowercase header: value}, body) of one response; the body is read whole."""
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                break
            self._fill()
        head = self._take(end, skip=4).decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise http.client.HTTPException(f"not an HTTP/1.x status line: {lines[0][:100]!r}")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = bytearray()
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():  # trailers, up to the empty line
                        pass
                    break
                body += self._exactly(size)
                self._exactly(2)
            body = bytes(body)
        elif "content-length" in headers:
            body = self._exactly(int(headers["content-length"]))
        else:  # delimited by the end of the connection
            while True:
                try:
                    self._fill()
                except ConnectionResetError:
                    break
            body = self._take(len(self.buffer))
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return int(parts[1]), headers, body

    def _send(self, request):
        """One exchange; a kept-alive connection the server has meanwhile closed is reopened once (the request
        never reached the server then, so resending it cannot apply it twice)."""
        reused = self.sock is not None
        if not reused:
            self._connect()
        try:
            self.sock.sendall(request)
            return self._read_response()
        except (ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
        self._connect()
        self.sock.sendall(request)
        return self._read_response()

    def encode(self, method, endpoint, *, params=None, body=None):
        """The request's bytes: GET parameters go in the query string, other methods send a JSON body, as the
        client does. Returns (bytes, a label for messages)."""
        target = f"/api/2.0/mlflow/{endpoint}"
        if params:
            target += "?" + urllib.parse.urlencode(params, doseq=True)
        payload = b""
        head = f"{method} {target} HTTP/1.1\r\n{self.head_lines}"
        if body is not None:
            payload = json.dumps(body, allow_nan=False).encode()
            head += "Content-Type: application/json\r\n"
        if body is not None or method in ("POST", "PUT", "PATCH"):
            head += f"Content-Length: {len(payload)}\r\n"
        return (head + "\r\n").encode("latin-1") + payload, f"{method} {self.base_url}{target}"

    def call(self, method, endpoint, *, params=None, body=None):
        """Sends one request to /api/2.0/mlflow/<endpoint>; returns (JSON object, seconds until the whole body
        arrived)."""
        return self.send(self.encode(method, endpoint, params=params, body=body))

    def send(self, encoded):
        """Sends a request made by `encode`; returns (JSON object, seconds until the whole body arrived)."""
        request, where = encoded
        start = time.perf_counter()
        try:
            status, headers, content = self._send(request)
        except (OSError, ValueError, http.client.HTTPException) as error:
            self.close()
            raise BenchError(f"{where}: {error}") from None
        elapsed = time.perf_counter() - start
        encoding = headers.get("content-encoding", "").lower()
        if encoding == "gzip":
            content = gzip.decompress(content)
        elif encoding == "deflate":
            content = zlib.decompress(content)
        def problem(what):
            return BenchError(f"{where}: {what}: {content.decode('utf-8', 'replace')[:500]}")

        if status != 200:
            raise problem(f"HTTP {status}")
        if not content:
            return {}, elapsed  # the client accepts an empty 200 as {}
        try:
            data = json.loads(content)
        except ValueError:
            raise problem("the body is not JSON") from None
        if not isinstance(data, dict):
            raise problem("the body is not a JSON object")
        return data, elapsed


def field(data, path, what):
    """data[path[0]][path[1]]..., or a BenchError naming `what` when a level is missing."""
    value = data
    for key in path:
        if not isinstance(value, dict) or key not in value:
            raise BenchError(f"{what}: no '{'.'.join(path)}' in {json.dumps(data)[:500]}")
        value = value[key]
    return value


def check(condition, message):
    if not condition:
        raise BenchError(message)


def now_ms():
    return int(time.time() * 1000)


def create_experiment(api, name):
    data, _ = api.call("POST", "experiments/create", body={"name": name})
    return field(data, ["experiment_id"], "experiments/create")


def create_run(api, experiment_id, name):
    data, _ = api.call("POST", "runs/create", body={"experiment_id": experiment_id, "run_name": name,
                                                    "start_time": now_ms(), "tags": []})
    return field(data, ["run", "info", "run_id"], "runs/create")


def create_registered_model(api, name):
    data, _ = api.call("POST", "registered-models/create", body={"name": name})
    check(field(data, ["registered_model", "name"], "registered-models/create") == name,
          f"registered-models/create answered another model: {data}")


def create_version_request(api, model, run_id):
    """`model-versions/create` as `MlflowClient.create_model_version` sends it (the same bytes every time)."""
    return api.encode("POST", "model-versions/create", body={"name": model, "source": SOURCE, "run_id": run_id})


def create_version(api, model, request):
    """Sends a create_version_request for `model`; returns (version, seconds)."""
    data, elapsed = api.send(request)
    version = field(data, ["model_version"], "model-versions/create")
    check(version.get("status") == "READY", f"model-versions/create: status is not READY: {version}")
    check(version.get("name") == model and version.get("source") == SOURCE,
          f"model-versions/create answered another version: {version}")
    number = version.get("version")
    check(isinstance(number, str) and number.isdigit(),
          f"model-versions/create: the version must be a string of digits: {version}")
    return int(number), elapsed


def metric_points(index):
    """The metrics of the index-th 100-point batch of a run: KEYS_PER_REQUEST keys over consecutive steps."""
    steps = POINTS_PER_REQUEST // KEYS_PER_REQUEST
    base = now_ms()
    return [{"key": f"m{key}", "value": (index * steps + step) * 0.001 + key, "timestamp": base,
             "step": index * steps + step}
            for step in range(steps) for key in range(KEYS_PER_REQUEST)]


def log_batch_request(api, run_id, metrics):
    return api.encode("POST", "runs/log-batch", body={"run_id": run_id, "metrics": metrics})


def log_batch(api, run_id, metrics):
    _, elapsed = api.send(log_batch_request(api, run_id, metrics))
    return elapsed


def metric_history(api, run_id, key):
    """`MlflowClient.get_metric_history` on the wire: one page of up to 25,000 points; returns (points, seconds)."""
    data, elapsed = api.call("GET", "metrics/get-history", params={"run_uuid": run_id, "metric_key": key,
                                                                   "run_id": run_id, "max_results": 25000})
    check(not data.get("next_page_token"), f"get-history paged below 25,000 points: {data.get('next_page_token')}")
    return data.get("metrics", []), elapsed


def search_versions(api, model):
    """`MlflowClient.search_model_versions("name='<model>'")` on the wire; returns (versions, seconds)."""
    data, elapsed = api.call("GET", "model-versions/search", params={"filter": f"name='{model}'", "max_results": 10000})
    check(not data.get("next_page_token"), f"model-versions/search paged below 10,000: {data.get('next_page_token')}")
    return data.get("model_versions", []), elapsed


# --- concurrent clients --------------------------------------------------------------------------------------


def client_process(work, args, base_url, barrier, results, index):
    """Body of one client process: runs work(api, start, *args), where the work calls start() once its warm-up
    is done; start() waits for every client and notes the time. Reports (index, outcome, payload)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the clients
    started = []

    def start():
        barrier.wait(timeout=WARMUP_TIMEOUT_S)
        started.append(time.perf_counter())

    try:
        value = work(Api(base_url), start, *args)
        results.put((index, "ok", {"start": started[0], "end": time.perf_counter(), "value": value}))
    except threading.BrokenBarrierError:
        results.put((index, "aborted", None))
    except Exception as error:  # reported to the parent, which stops the benchmark with it
        barrier.abort()
        message = str(error) if isinstance(error, BenchError) else f"{type(error).__name__}: {error}"
        results.put((index, "error", message))


def run_clients(base_url, work, per_client_args):
    """Runs one client process per entry of per_client_args, all starting their measured part together.
    Returns (seconds from the first start to the last end, [each work's return value])."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(per_client_args))
    results = context.Queue()
    processes = [context.Process(target=client_process, args=(work, args, base_url, barrier, results, index))
                 for index, args in enumerate(per_client_args)]
    for process in processes:
        process.start()
    reports = []
    try:
        while len(reports) < len(processes):
            try:
                reports.append(results.get(timeout=1))
            except queue.Empty:
                reported = {index for index, _, _ in reports}
                dead = [i for i, p in enumerate(processes) if i not in reported and p.exitcode is not None]
                if dead:
                    raise BenchError(f"client {dead[0]} died with exit code {processes[dead[0]].exitcode}")
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
    reports.sort(key=lambda report: report[0])
    errors = [payload for _, outcome, payload in reports if outcome == "error"]
    if errors:
        raise BenchError(errors[0])
    check(all(outcome == "ok" for _, outcome, _ in reports), "a client stopped without reporting an error")
    span = max(p["end"] for _, _, p in reports) - min(p["start"] for _, _, p in reports)
    return span, [payload["value"] for _, _, payload in reports]


def log_batch_client(api, start, run_id, requests_count):
    """Row 1 client: WARMUP_BATCHES then requests_count 100-point batches into its own run. The measured batches
    are encoded before the clock starts, so the row times the servers rather than Python's json.dumps."""
    for index in range(WARMUP_BATCHES):
        log_batch(api, run_id, metric_points(index))
    requests = [log_batch_request(api, run_id, metric_points(index))
                for index in range(WARMUP_BATCHES, WARMUP_BATCHES + requests_count)]
    start()
    for request in requests:
        api.send(request)


def create_versions_client(api, start, model, run_id, count, warmup_model):
    """Row 2 client (and populating): WARMUP_VERSIONS into warmup_model (if any), then count versions of model.
    Returns [(version number, seconds)]."""
    if warmup_model:
        warmup = create_version_request(api, warmup_model, run_id)
        for _ in range(WARMUP_VERSIONS):
            create_version(api, warmup_model, warmup)
    request = create_version_request(api, model, run_id)
    start()
    return [create_version(api, model, request) for _ in range(count)]


def read_client(api, start, read, count):
    """Rows 3-5 client: WARMUP_READS, then count timed calls of read(api) (which validates each answer).
    Returns the latencies in seconds."""
    for _ in range(WARMUP_READS):
        read(api)
    start()
    return [read(api) for _ in range(count)]


class GetModel:
    """Row 3's read: `registered-models/get`; the model's newest version must be listed in latest_versions."""

    def __init__(self, model, newest):
        self.model, self.newest = model, newest

    def __call__(self, api):
        data, elapsed = api.call("GET", "registered-models/get", params={"name": self.model})
        model = field(data, ["registered_model"], "registered-models/get")
        check(model.get("name") == self.model, f"registered-models/get answered another model: {model.get('name')}")
        latest = [v.get("version") for v in model.get("latest_versions", [])]
        check(str(self.newest) in latest, f"registered-models/get: latest_versions {latest} lack {self.newest}")
        return elapsed


class SearchVersions:
    """Row 4's read: all the model's versions in one page."""

    def __init__(self, model, count):
        self.model, self.count = model, count

    def __call__(self, api):
        versions, elapsed = search_versions(api, self.model)
        check(len(versions) == self.count, f"model-versions/search found {len(versions)} versions, not {self.count}")
        return elapsed


class History:
    """Row 5's read: the whole history of one metric, in order."""

    def __init__(self, run_id, key, count):
        self.run_id, self.key, self.count = run_id, key, count

    def __call__(self, api):
        points, elapsed = metric_history(api, self.run_id, self.key)
        check(len(points) == self.count, f"get-history returned {len(points)} points, not {self.count}")
        check(int(points[0]["step"]) == 0 and int(points[-1]["step"]) == self.count - 1,
              f"get-history is not in step order: {points[0]} ... {points[-1]}")
        return elapsed


# --- the workload --------------------------------------------------------------------------------------------


def percentile(samples, p):
    """Nearest-rank percentile, in milliseconds."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def latency_figures(latencies):
    return {"p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "requests": len(latencies)}


def median_round(rounds, key):
    """The round with the median `key` (ROUNDS is odd), as the row's figures; `other_load` is the worst round's,
    so a skewed round flags the row."""
    return {**sorted(rounds, key=lambda r: r[key])[len(rounds) // 2],
            "other_load": max(r["other_load"] for r in rounds)}


def split(total, parts):
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def run_workload(base_url, server_group, sizes, say):
    """Runs rows 1-5 against the server at base_url (process group server_group); returns the figures by row,
    each with `other_load`, the share of the CPU that other programs took meanwhile."""
    api = Api(base_url)
    experiment = create_experiment(api, "bench")
    figures = {}

    def measure(work, per_client_args):
        with OtherLoad(server_group) as load:
            span, values = run_clients(base_url, work, per_client_args)
        if load.share > OTHER_LOAD_WARN:
            say(f"WARNING: other programs took {load.share:.0%} of the CPU meanwhile: this row is skewed")
        return span, values, load.share

    say(f"log-batch: {CLIENTS} clients x {sizes.log_batch_requests} requests x {POINTS_PER_REQUEST} points, "
        f"{ROUNDS} rounds")
    points = CLIENTS * sizes.log_batch_requests * POINTS_PER_REQUEST
    expected = (WARMUP_BATCHES + sizes.log_batch_requests) * POINTS_PER_REQUEST // KEYS_PER_REQUEST
    rounds = []
    for round_index in range(ROUNDS):
        runs = [create_run(api, experiment, f"log-batch-{round_index}-{i}") for i in range(CLIENTS)]
        span, _, other = measure(log_batch_client, [(run, sizes.log_batch_requests) for run in runs])
        for run in runs:
            stored, _ = metric_history(api, run, "m0")
            check(len(stored) == expected, f"run {run}: metric m0 has {len(stored)} points after logging {expected}")
        rounds.append({"points_per_s": points / span, "seconds": span, "other_load": other})
    figures["log_batch"] = {**median_round(rounds, "points_per_s"), "points": points, "rounds": rounds}

    say(f"create-model-version: {sizes.create_versions} versions, {CLIENTS} clients, {ROUNDS} rounds")
    model, run = "bench-model", create_run(api, experiment, "registry")
    create_registered_model(api, model)
    create_registered_model(api, "bench-warmup")
    rounds, latencies, numbers = [], [], []
    for round_index in range(ROUNDS):
        span, per_client, other = measure(
            create_versions_client, [(model, run, n, "bench-warmup") for n in split(sizes.create_versions, CLIENTS)])
        created = [item for items in per_client for item in items]
        first = round_index * sizes.create_versions + 1
        check(sorted(number for number, _ in created) == list(range(first, first + sizes.create_versions)),
              f"{sizes.create_versions} concurrent creates did not yield versions {first}.."
              f"{first + sizes.create_versions - 1}")
        numbers += [number for number, _ in created]
        latencies += [elapsed for _, elapsed in created]
        rounds.append({"versions_per_s": len(created) / span, "seconds": span, "other_load": other})
    figures["create_version"] = {**median_round(rounds, "versions_per_s"), "rounds": rounds,
                                 **latency_figures(latencies)}

    more = sizes.model_versions - len(numbers)
    say(f"(populating: {more} more versions, {sizes.history_points} metric points; not measured)")
    _, per_client = run_clients(base_url, create_versions_client,
                                [(model, run, n, None) for n in split(more, CLIENTS)])
    numbers += [number for items in per_client for number, _ in items]
    check(sorted(numbers) == list(range(1, sizes.model_versions + 1)),
          f"the model's versions are not 1..{sizes.model_versions}")
    history_run = create_run(api, experiment, "history")
    base = now_ms()
    history = [{"key": "loss", "value": 1 / (step + 1), "timestamp": base + step, "step": step}
               for step in range(sizes.history_points)]
    for first in range(0, len(history), MAX_METRICS_PER_BATCH):
        log_batch(api, history_run, history[first:first + MAX_METRICS_PER_BATCH])

    reads = [("get_model", f"get-registered-model ({sizes.model_versions} versions)", sizes.get_model_requests,
              GetModel(model, sizes.model_versions)),
             ("search_versions", f"search-model-versions ({sizes.model_versions} versions)", sizes.search_requests,
              SearchVersions(model, sizes.model_versions)),
             ("history", f"get-metric-history ({sizes.history_points} points)", sizes.history_requests,
              History(history_run, "loss", sizes.history_points))]
    for key, label, count, read in reads:
        say(f"{label}: {count} requests, 1 client")
        _, (latencies,), other = measure(read_client, [(read, count)])
        figures[key] = {**latency_figures(latencies), "other_load": other}
    return figures


# --- servers -------------------------------------------------------------------------------------------------


def machine_ticks():
    """(all, busy) CPU ticks of the whole machine so far, from /proc/stat (Linux)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values), sum(values) - values[3] - values[4]  # minus idle and iowait


def group_ticks(groups):
    """CPU ticks used so far by the processes of these process groups, their reaped children included."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (command)"
        except (OSError, IndexError):
            continue  # the process exited meanwhile
        if int(fields[2]) in groups:
            ticks += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return ticks


def cpu_busy(seconds=1.0):
    """The fraction of the machine's CPU time spent busy over the next `seconds`."""
    total0, busy0 = machine_ticks()
    time.sleep(seconds)
    total1, busy1 = machine_ticks()
    return (busy1 - busy0) / max(1, total1 - total0)


class OtherLoad:
    """Over a `with` block: the fraction of the machine's CPU time used by anything but this benchmark (its
    process group, which holds the client processes) and the server under test (its process group)."""

    def __init__(self, server_group):
        self.groups = {os.getpgrp(), server_group}

    def __enter__(self):
        self.start = (*machine_ticks(), group_ticks(self.groups))
        return self

    def __exit__(self, *_):
        total, busy, ours = (now - then for now, then in zip((*machine_ticks(), group_ticks(self.groups)), self.start))
        self.share = max(0, busy - ours) / max(1, total)


def wait_until_quiet(say):
    """Waits (up to QUIET_TIMEOUT_S) until the machine is nearly idle, so that a server's start-up work or another
    program does not skew the figures; warns if it stays busy. Returns the last busy fraction."""
    deadline = time.monotonic() + QUIET_TIMEOUT_S
    busy = cpu_busy()
    while busy > QUIET_BUSY and time.monotonic() < deadline:
        busy = cpu_busy()
    if busy > QUIET_BUSY:
        say(f"WARNING: the machine is still {busy:.0%} busy before any request (another program or the server's "
            "background work): the figures are skewed")
    return busy


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process in its own process group with its data in a temporary directory; a context manager that
    yields itself once the server answers at `url`, and stops it (and removes the directory) on exit."""

    name = "server"

    def __enter__(self):
        self.directory = tempfile.TemporaryDirectory(prefix=f"bench-{self.name}-")
        self.root = Path(self.directory.name)
        self.log_path = self.root / "server.log"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            self.url = self.wait_ready()
            return self
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise

    def __exit__(self, kind, error, traceback):
        self.stop()
        self.log.close()
        if kind is not None and issubclass(kind, Exception):
            print(f"--- last lines of the {self.name} server's log ---\n{self.log_tail()}", file=sys.stderr)
        self.directory.cleanup()

    def stop(self):
        """SIGTERM to the server's whole process group (MLflow runs workers and job consumers), then SIGKILL to
        whatever is left once the server has exited or after STOP_GRACE_S."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=STOP_GRACE_S)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass

    def log_tail(self, lines=20):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_ready(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the {self.name} server exited with status {self.process.returncode} while starting")
            url = self.ready_url()
            if url:
                return url
            time.sleep(0.2)
        raise BenchError(f"the {self.name} server was not ready after {SERVER_START_TIMEOUT_S} s")


class MlflowServer(Server):
    name = "mlflow"

    def __init__(self):
        self.port = free_port()

    def command(self):
        return [str(Path(sys.executable).parent / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(self.port),
                "--backend-store-uri", f"sqlite:///{self.root / 'mlflow.db'}",
                "--artifacts-destination", str(self.root / "artifacts"), "--serve-artifacts"]

    def ready_url(self):
        url = f"http://127.0.0.1:{self.port}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return url
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        return None


class ModelyardServer(Server):
    name = "modelyard"
    LISTENING = re.compile(rb"modelyard listening on (http://127\.0\.0\.1:\d+)")

    def __init__(self, binary):
        self.binary = binary

    def command(self):
        return [str(self.binary), "serve", "--port", "0", "--data-dir", str(self.root / "data"),
                "--log-level", "warning"]

    def ready_url(self):
        match = self.LISTENING.search(self.log_path.read_bytes())
        return match.group(1).decode() if match else None


# --- report --------------------------------------------------------------------------------------------------

# (row key, figure key, label, higher is better). The target covers throughput and p99; p50 is shown for context.
TABLE = [("log_batch", "points_per_s", "log-batch, 4 clients (points/s)", True),
         ("create_version", "versions_per_s", "create-model-version, 4 clients (versions/s)", True),
         ("create_version", "p50_ms", "create-model-version p50 (ms)", False),
         ("create_version", "p99_ms", "create-model-version p99 (ms)", False),
         ("get_model", "p50_ms", "get-registered-model p50 (ms)", False),
         ("get_model", "p99_ms", "get-registered-model p99 (ms)", False),
         ("search_versions", "p50_ms", "search-model-versions p50 (ms)", False),
         ("search_versions", "p99_ms", "search-model-versions p99 (ms)", False),
         ("history", "p50_ms", "get-metric-history p50 (ms)", False),
         ("history", "p99_ms", "get-metric-history p99 (ms)", False)]
TARGETED = {"points_per_s", "versions_per_s", "p99_ms"}


def ratios(results):
    """Per table line: the ratio oriented so that higher is better for Modelyard (None if a side is missing)."""
    out = {}
    for row, key, _, higher_is_better in TABLE:
        mlflow, modelyard = (results.get(side, {}).get(row, {}).get(key) for side in ("mlflow", "modelyard"))
        if mlflow is None or modelyard is None:
            out[f"{row}.{key}"] = None
        else:
            out[f"{row}.{key}"] = modelyard / mlflow if higher_is_better else mlflow / modelyard
    return out


def number(value, key):
    if value is None:
        return "–"
    return f"{value:,.0f}" if key.endswith("_per_s") else f"{value:,.1f}"


def markdown(results, header):
    lines = [header, "",
             f"| metric | MLflow | Modelyard | ratio (higher = Modelyard better) | target ≥ {TARGET_RATIO}× |",
             "| --- | ---: | ---: | ---: | :---: |"]
    by_line = ratios(results)
    for row, key, label, _ in TABLE:
        mlflow, modelyard = (results.get(side, {}).get(row, {}).get(key) for side in ("mlflow", "modelyard"))
        ratio = by_line[f"{row}.{key}"]
        verdict = ("–" if ratio is None or key not in TARGETED  # p50: context, not a target
                   else "✓" if ratio >= TARGET_RATIO else "✗")
        lines.append(f"| {label} | {number(mlflow, key)} | {number(modelyard, key)} | "
                     f"{'–' if ratio is None else f'{ratio:,.1f}×'} | {verdict} |")
    lines += ["", f"The target is throughput and p99; p50 rows are context (–). Throughput is the median of "
                  f"{ROUNDS} rounds; each round:"]
    for row, key, label, _ in TABLE[:2]:
        each = {side: ", ".join(number(r[key], key) for r in results[side][row]["rounds"])
                for side in ("mlflow", "modelyard") if row in results.get(side, {})}
        lines.append(f"- {label.split(',')[0]}: " + "; ".join(f"{side} {values}" for side, values in each.items()))
    skewed = [f"{side} {row} ({figures['other_load']:.0%})" for side, rows in results.items()
              for row, figures in rows.items() if figures["other_load"] > OTHER_LOAD_WARN]
    if skewed:
        lines += ["", f"Skewed: other programs took over {OTHER_LOAD_WARN:.0%} of the CPU during: {', '.join(skewed)}."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", nargs="?", default=str(ROOT / ".build/release/modelyard"),
                        help="the modelyard binary (default: .build/release/modelyard)")
    parser.add_argument("--only", choices=["mlflow", "modelyard"], help="measure one server only")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--json", metavar="OUT", help="also write the raw figures to this JSON file")
    options = parser.parse_args()

    binary = Path(options.binary).absolute()
    sides = [options.only] if options.only else ["modelyard", "mlflow"]
    if "modelyard" in sides and not os.access(binary, os.X_OK):
        parser.error(f"modelyard binary not found or not executable: {binary}")
    sizes = QUICK if options.quick else FULL
    # SIGTERM unwinds like Ctrl-C, so the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    title = f"Modelyard vs MLflow {MLFLOW_VERSION}, MLflow REST API"
    machine = (f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
              f"{'quick' if options.quick else 'full'} sizes; modelyard: {binary if 'modelyard' in sides else '–'}")
    print(f"{title}\n{machine}", flush=True)
    results, busy_before, failure = {}, {}, None
    for side in sides:
        print(f"== {side}", flush=True)
        started = time.monotonic()
        try:
            with (ModelyardServer(binary) if side == "modelyard" else MlflowServer()) as server:
                say = lambda message: print(f"   {message}", flush=True)
                say(f"server ready at {server.url}")
                busy_before[side] = wait_until_quiet(say)
                results[side] = run_workload(server.url, server.process.pid, sizes, say)
        except BenchError as error:
            failure = f"{side}: {error}"
            break
        print(f"   {side} done in {time.monotonic() - started:.0f} s", flush=True)

    if results:
        print()
        print(markdown(results, f"# {title}\n\n{machine}"))
    if options.json:
        Path(options.json).write_text(json.dumps(
            {"mlflow_version": MLFLOW_VERSION, "cores": os.cpu_count(), "sizes": asdict(sizes),
             "modelyard_binary": str(binary) if "modelyard" in sides else None, "results": results,
             "cpu_busy_before": busy_before, "ratios": ratios(results), "target_ratio": TARGET_RATIO,
             "error": failure}, indent=2) + "\n")
    if failure:
        print(f"\nbenchmark stopped: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the servers and clients are already stopped by then
        sys.exit("interrupted")

"""Fixtures for the MLflow-compatibility suite.

The suite drives the real, unchanged `mlflow` client against a server started once per session:
`modelyard serve` (default) or, with MLFLOW_TEST_TARGET=mlflow, a real `mlflow server`, which proves the
tests encode real MLflow behaviour. A skipped test fails the session: CI must never pass on skips.
"""

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

TARGET = os.environ.get("MLFLOW_TEST_TARGET", "modelyard")
REPO_ROOT = Path(__file__).resolve().parents[2]

# A server bug must fail fast instead of being retried for minutes; nothing may phone home.
os.environ.update(
    {
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
    }
)

import mlflow  # noqa: E402  (imported after the environment above is set)

from helpers import unique  # noqa: E402

sys.path.insert(0, str(REPO_ROOT / "Tests"))  # for the plugin both Python suites share
pytest.register_assert_rewrite("pytest_modelyard")
from pytest_modelyard import (  # noqa: E402
    MODELYARD_BINARY, create_token, modelyard_server, server_logs, startup_failure, stop,
)

pytest_plugins = ["pytest_modelyard"]

if TARGET not in ("modelyard", "mlflow"):
    raise pytest.UsageError(f"MLFLOW_TEST_TARGET must be 'modelyard' or 'mlflow', not {TARGET!r}")



def pytest_configure(config):
    config.addinivalue_line(
        "markers", "modelyard_only: cross-surface checks that need Modelyard's own /api/v1 and CLI"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _mlflow_server(workdir: Path):
    port = _free_port()
    stderr_path = workdir / "stderr.log"
    server_logs.append(stderr_path)
    command = [
        str(Path(sys.executable).with_name("mlflow")), "server", "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", f"sqlite:///{workdir / 'mlflow.db'}",
        "--artifacts-destination", str(workdir / "artifacts"), "--serve-artifacts", "--workers", "1",
    ]
    with open(stderr_path, "w") as err:
        process = subprocess.Popen(
            command, stdout=err, stderr=subprocess.STDOUT, start_new_session=True, cwd=workdir
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                startup_failure(f"mlflow server exited with status {process.returncode}", stderr_path)
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # not accepting or not answering yet
                pass
            if time.monotonic() > deadline:
                startup_failure("mlflow server did not answer /health within 120 s", stderr_path)
            time.sleep(0.5)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """Base URL of the server under test; MLflow's tracking URI points at it for the whole session."""
    workdir = tmp_path_factory.mktemp(f"{TARGET}-server")
    start = modelyard_server if TARGET == "modelyard" else _mlflow_server
    with start(workdir) as url:
        os.environ["MLFLOW_TRACKING_URI"] = url
        mlflow.set_tracking_uri(url)
        yield url


@pytest.fixture
def client(server_url):
    """An MlflowClient talking to the server under test."""
    return mlflow.MlflowClient(tracking_uri=server_url)


@pytest.fixture
def experiment_id(client):
    """A fresh experiment made the active one, so searches in a test see only that test's runs; a run the test
    leaves active is ended afterwards."""
    experiment = mlflow.set_experiment(unique("exp"))
    yield experiment.experiment_id
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture(scope="session")
def modelyard_cli(server_url):
    """Runs the Modelyard CLI against the server; returns the parsed `--json` output."""

    def run(*args: str):
        result = subprocess.run(
            [str(MODELYARD_BINARY), *args, "--url", server_url, "--json"],
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, f"modelyard {' '.join(args)} failed: {result.stderr}"
        return json.loads(result.stdout)

    return run


@pytest.fixture(scope="session")
def classifier():
    """A LogisticRegression fitted on a fixed-seed synthetic dataset, and the features to predict on."""
    features, labels = make_classification(n_samples=200, n_features=6, random_state=42)
    return LogisticRegression(max_iter=500).fit(features, labels), features

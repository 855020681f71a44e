"""One registry, two surfaces: what is written through MLflow is Modelyard's own data, seen the same way by
`/api/v1` and the `modelyard` CLI, and what is registered through `/api/v1` is seen by MLflow."""

import hashlib
import math
from pathlib import Path

import mlflow
import pytest
import requests

from helpers import MLMODEL_TEXT, PIP_REQUIREMENTS, log_model_directory, unique

pytestmark = pytest.mark.modelyard_only


def get_json(server_url: str, path: str, **params):
    response = requests.get(f"{server_url}/api/v1/{path}", params=params, timeout=30)
    assert response.status_code == 200, f"GET /api/v1/{path}: {response.status_code} {response.text}"
    return response.json()


def post_json(server_url: str, path: str, body: dict):
    response = requests.post(f"{server_url}/api/v1/{path}", json=body, timeout=30)
    assert response.status_code in (200, 201), f"POST /api/v1/{path}: {response.status_code} {response.text}"
    return response.json()


def register_from_run(client, experiment_id, tmp_path, name):
    """Creates model `name` through MLflow with version 1 from a new run's model directory."""
    source, run_id = log_model_directory(client, experiment_id, tmp_path)
    client.create_registered_model(name)
    client.create_model_version(name, source, run_id=run_id)
    return source, run_id


def test_registered_model_is_a_modelyard_model(server_url, client):
    """A model created through MLflow is a Modelyard model with the same description and tags."""
    name = unique("xs-model")
    client.create_registered_model(name, tags={"team": "risk", "tier": "gold"}, description="fraud scorer")

    model = get_json(server_url, f"models/{name}")
    assert (model["name"], model["description"], model["tags"]) == (
        name, "fraud scorer", {"team": "risk", "tier": "gold"})

    client.update_registered_model(name, description="fraud scorer v2")
    client.set_registered_model_tag(name, "tier", "silver")
    model = get_json(server_url, f"models/{name}")
    assert (model["description"], model["tags"]) == ("fraud scorer v2", {"team": "risk", "tier": "silver"})


def test_version_number_and_semver_name_the_same_version(server_url, client, experiment_id, tmp_path):
    """MLflow version N and its semantic version are two names of one version: both paths return the same
    JSON, with number, semver, run, tags, stage, status and source."""
    name = unique("xs-version")
    source, run_id = register_from_run(client, experiment_id, tmp_path, name)
    client.set_model_version_tag(name, "1", "validated", "true")
    client.transition_model_version_stage(name, "1", "Staging")

    by_number = get_json(server_url, f"models/{name}/versions/1")
    assert get_json(server_url, f"models/{name}/versions/1.0.0") == by_number
    assert by_number["version"] == "1.0.0"
    assert by_number["number"] == 1
    assert by_number["run_id"] == run_id
    assert by_number["tags"] == {"validated": "true"}
    assert by_number["stage"] == "Staging"
    assert by_number["status"] == "ready"
    assert by_number["source_uri"] == source

    client.create_model_version(name, source, run_id=run_id)
    second = get_json(server_url, f"models/{name}/versions/2")
    assert second["number"] == 2
    assert second["version"] != "1.0.0"
    assert get_json(server_url, f"models/{name}/versions/{second['version']}") == second
    assert second["stage"] == "None"


def test_version_history_is_the_run_metrics(server_url, client, experiment_id, tmp_path):
    """A version registered from a run has the run's metric series as its training history, point for point."""
    name = unique("xs-history")
    with mlflow.start_run() as run:
        for step in range(20):
            mlflow.log_metrics({"loss": 1.0 / (step + 1), "acc": 0.5 + math.sin(step) * 0.01}, step=step)
        source_dir = tmp_path / "model"
        source_dir.mkdir()
        (source_dir / "MLmodel").write_text(MLMODEL_TEXT)
        mlflow.log_artifacts(str(source_dir), artifact_path="model")
    run_id = run.info.run_id
    client.create_registered_model(name)
    client.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run_id)

    logged = sorted(
        (key, point.step, point.value, point.timestamp)
        for key in ("loss", "acc") for point in client.get_metric_history(run_id, key)
    )
    history = get_json(server_url, f"models/{name}/versions/1/history")
    served = sorted((p["name"], p["step"], p["value"], p["timestamp"]) for p in history["points"])
    assert served == logged
    assert len(served) == 40
    assert {summary["name"] for summary in history["summaries"]} == {"loss", "acc"}


def test_logged_model_files_are_version_artifacts(server_url, client, experiment_id, classifier, tmp_path):
    """A sklearn model logged and registered through MLflow has its files as the version's artifacts: same
    paths, sizes and sha256, and a download gives the bytes MLflow downloads."""
    model, _ = classifier
    name = unique("xs-artifacts")
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            model, name="model", registered_model_name=name, pip_requirements=PIP_REQUIREMENTS)

    # The version's own storage location: `models:/NAME/1` would add the client's `registered_model_meta` file.
    location = client.get_model_version_download_uri(name, "1")
    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=location, dst_path=str(tmp_path / "mlflow")))
    files = {str(path.relative_to(local)): path.read_bytes() for path in local.rglob("*") if path.is_file()}
    assert "MLmodel" in files

    manifest = get_json(server_url, f"models/{name}/versions/1/artifacts")["artifacts"]
    assert {entry["path"]: entry["size"] for entry in manifest} == {path: len(data) for path, data in files.items()}
    assert {entry["path"]: entry["sha256"] for entry in manifest} == {
        path: hashlib.sha256(data).hexdigest() for path, data in files.items()}

    response = requests.get(f"{server_url}/api/v1/models/{name}/versions/1/artifacts/MLmodel", timeout=30)
    assert response.status_code == 200
    assert response.content == files["MLmodel"]


def test_production_alias_is_a_deployment(server_url, client, experiment_id, tmp_path):
    """Setting alias `production` through MLflow deploys the version: the deployment history, the model's
    deployed map and the audit log all record it."""
    name = unique("xs-deploy")
    register_from_run(client, experiment_id, tmp_path, name)
    client.set_registered_model_alias(name, "production", "1")

    deployments = get_json(server_url, f"models/{name}/deployments")["deployments"]
    assert [(d["environment"], d["to_version"]) for d in deployments] == [("production", "1.0.0")]
    assert get_json(server_url, f"models/{name}")["deployed"] == {"production": "1.0.0"}
    audit = get_json(server_url, f"models/{name}/audit")["entries"]
    assert any(
        entry["action"] == "deploy" and entry["version"] == "1.0.0"
        and entry["details"].get("environment") == "production"
        for entry in audit
    ), audit


def test_runs_and_experiments_are_modelyards(server_url, client, experiment_id):
    """A run logged through MLflow reads back from /api/v1/runs with its params, tags and latest metrics, and
    its experiment is listed by /api/v1/experiments."""
    run_name = unique("xs-run")
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.log_params({"lr": "0.1", "depth": "4"})
        mlflow.set_tag("team", "risk")
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)

    served = get_json(server_url, f"runs/{run.info.run_id}")
    assert (served["id"], served["experiment_id"], served["name"]) == (run.info.run_id, experiment_id, run_name)
    assert served["status"].upper() == "FINISHED"
    assert served["params"] == {"lr": "0.1", "depth": "4"}
    assert served["tags"]["team"] == "risk"
    assert served["metrics"] == {"loss": 0.2}

    experiments, token = [], None
    while True:
        page = get_json(server_url, "experiments", limit=1000, **({"page_token": token} if token else {}))
        experiments.extend(page["experiments"])
        token = page.get("next_page_token")
        if not token:
            break
    names = {experiment["id"]: experiment["name"] for experiment in experiments}
    assert names[experiment_id] == mlflow.get_experiment(experiment_id).name
    assert names["0"] == "Default"


def test_cli_shows_the_same(server_url, client, experiment_id, tmp_path, modelyard_cli):
    """`modelyard versions show NAME 1` and `modelyard runs show RUN_ID` print what /api/v1 serves."""
    name = unique("xs-cli")
    _, run_id = register_from_run(client, experiment_id, tmp_path, name)

    shown = modelyard_cli("versions", "show", name, "1")
    assert shown["number"] == 1
    assert shown == get_json(server_url, f"models/{name}/versions/1")
    assert modelyard_cli("runs", "show", run_id) == get_json(server_url, f"runs/{run_id}")


def test_native_versions_are_visible_to_mlflow(server_url, client):
    """A model and version registered through /api/v1 are an MLflow registered model and version 1, READY,
    with the same description."""
    name = unique("xs-native")
    post_json(server_url, "models", {"name": name, "description": "made natively"})
    post_json(server_url, f"models/{name}/versions", {"status": "ready", "description": "first native version"})

    version = client.get_model_version(name, "1")
    assert (version.name, version.version, version.status, version.description) == (
        name, "1", "READY", "first native version")
    assert [(v.name, v.version) for v in client.search_model_versions(f"name = '{name}'")] == [(name, "1")]
    assert client.get_registered_model(name).description == "made natively"

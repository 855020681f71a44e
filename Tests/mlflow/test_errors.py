"""Error answers the MLflow client relies on: the right error_code for each mistake, and never a 5xx for a
client's own mistake (the client would retry a 5xx)."""

import time
import uuid

import pytest
import requests
from mlflow.entities import Metric
from mlflow.exceptions import MlflowException

from helpers import log_model_directory, unique


def error_code_of(call, *args, **kwargs) -> str:
    with pytest.raises(MlflowException) as raised:
        call(*args, **kwargs)
    return raised.value.error_code


@pytest.fixture
def registered_version(client, experiment_id, tmp_path):
    """A registered model with version 1."""
    name = unique("err-model")
    source, run_id = log_model_directory(client, experiment_id, tmp_path)
    client.create_registered_model(name)
    client.create_model_version(name, source, run_id=run_id)
    return name


def test_changing_a_param_is_rejected(client, experiment_id):
    """A param is immutable: logging the same value again is fine, a different one is INVALID_PARAMETER_VALUE."""
    run_id = client.create_run(experiment_id).info.run_id
    client.log_param(run_id, "lr", "0.1")
    client.log_param(run_id, "lr", "0.1")
    assert error_code_of(client.log_param, run_id, "lr", "0.2") == "INVALID_PARAMETER_VALUE"
    assert client.get_run(run_id).data.params == {"lr": "0.1"}


def test_unknown_run(client):
    """get_run of an id that was never created is RESOURCE_DOES_NOT_EXIST."""
    assert error_code_of(client.get_run, uuid.uuid4().hex) == "RESOURCE_DOES_NOT_EXIST"


def test_logging_to_a_deleted_run_is_rejected(client, experiment_id):
    """Metrics, params and tags cannot be logged to a deleted run."""
    run_id = client.create_run(experiment_id).info.run_id
    client.delete_run(run_id)
    assert error_code_of(client.log_metric, run_id, "loss", 0.5) == "INVALID_PARAMETER_VALUE"
    assert error_code_of(client.log_param, run_id, "lr", "0.1") == "INVALID_PARAMETER_VALUE"
    assert error_code_of(client.set_tag, run_id, "team", "x") == "INVALID_PARAMETER_VALUE"


def test_log_batch_over_1000_metrics_is_rejected(server_url, client, experiment_id):
    """The client splits a 1001-metric log_batch into requests of at most 1000, which all land; one request
    carrying 1001 metrics is 400 INVALID_PARAMETER_VALUE and logs none of them."""
    run_id = client.create_run(experiment_id).info.run_id
    now = int(time.time() * 1000)
    client.log_batch(run_id, metrics=[Metric("loss", 1.0 / (step + 1), now, step) for step in range(1001)])
    assert len(client.get_metric_history(run_id, "loss")) == 1001

    metrics = [{"key": "acc", "value": 0.5, "timestamp": now, "step": step} for step in range(1001)]
    response = requests.post(
        f"{server_url}/api/2.0/mlflow/runs/log-batch", json={"run_id": run_id, "metrics": metrics}, timeout=30)
    assert (response.status_code, response.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    assert client.get_metric_history(run_id, "acc") == []


@pytest.mark.parametrize("body, field", [
    ({"metrics": [{"key": "acc", "value": "high", "timestamp": 1}]}, "metrics[0].value"),
    ({"metrics": [{"key": "acc", "value": 0.5, "timestamp": 1.5}]}, "metrics[0].timestamp"),
    ({"metrics": [{"key": "acc", "value": 0.5, "timestamp": 1}, {"key": 7, "value": 1, "timestamp": 1}]},
     "metrics[1].key"),
    ({"metrics": [{"key": "acc", "value": 0.5}]}, "timestamp"),
    ({"metrics": {"key": "acc"}}, "metrics"),
    ({"metrics": ["acc"]}, "metrics[0]"),
    ({"params": [{"value": "0.1"}]}, "params[0].key"),
    ({"tags": [{"key": "team", "value": 3}]}, "tags[0].value"),
])
def test_malformed_log_batch_is_rejected(server_url, client, experiment_id, body, field):
    """A log-batch body with a wrongly typed or missing field is 400 INVALID_PARAMETER_VALUE naming the field,
    and logs nothing of the batch."""
    run_id = client.create_run(experiment_id).info.run_id
    response = requests.post(
        f"{server_url}/api/2.0/mlflow/runs/log-batch", json={"run_id": run_id, **body}, timeout=30)
    assert (response.status_code, response.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    assert field in response.json()["message"]
    run = client.get_run(run_id)
    assert run.data.metrics == {} and run.data.params == {}
    assert not any(key == "team" for key in run.data.tags)


def test_log_batch_accepts_what_protobuf_json_allows(server_url, client, experiment_id):
    """Numbers as strings, NaN and infinities as strings, a missing step (0) and nulls for absent fields."""
    run_id = client.create_run(experiment_id).info.run_id
    metrics = [{"key": "a", "value": "0.25", "timestamp": "1000", "step": "3"},
               {"key": "b", "value": "NaN", "timestamp": 1000},
               {"key": "c", "value": "-Infinity", "timestamp": 1000, "step": None}]
    response = requests.post(f"{server_url}/api/2.0/mlflow/runs/log-batch",
                             json={"run_id": run_id, "metrics": metrics, "params": None, "tags": []}, timeout=30)
    assert response.status_code == 200, response.text
    [a] = client.get_metric_history(run_id, "a")
    assert (a.value, a.timestamp, a.step) == (0.25, 1000, 3)
    [b] = client.get_metric_history(run_id, "b")
    assert b.value != b.value and b.step == 0
    [c] = client.get_metric_history(run_id, "c")
    assert c.value == float("-inf")


def test_search_runs_with_or_is_rejected(client, experiment_id):
    """The filter grammar has no OR: INVALID_PARAMETER_VALUE."""
    code = error_code_of(client.search_runs, [experiment_id], "metrics.acc > 0.5 OR params.lr = '0.1'")
    assert code == "INVALID_PARAMETER_VALUE"


def test_registered_model_twice(client):
    """A registered model name is unique: RESOURCE_ALREADY_EXISTS."""
    name = unique("err-dup")
    client.create_registered_model(name)
    assert error_code_of(client.create_registered_model, name) == "RESOURCE_ALREADY_EXISTS"


def test_unknown_registered_model(client):
    """get_registered_model of an unknown name is RESOURCE_DOES_NOT_EXIST."""
    assert error_code_of(client.get_registered_model, unique("err-none")) == "RESOURCE_DOES_NOT_EXIST"


def test_unknown_model_version(client, registered_version):
    """get_model_version of a number never assigned is RESOURCE_DOES_NOT_EXIST."""
    assert error_code_of(client.get_model_version, registered_version, "99") == "RESOURCE_DOES_NOT_EXIST"


def test_transition_to_unknown_stage(client, registered_version):
    """Stages are None, Staging, Production and Archived; anything else is INVALID_PARAMETER_VALUE."""
    code = error_code_of(client.transition_model_version_stage, registered_version, "1", "bogus")
    assert code == "INVALID_PARAMETER_VALUE"


def test_unknown_alias(client, registered_version):
    """Reading an alias that was never set is INVALID_PARAMETER_VALUE (MLflow's answer, not a 404)."""
    code = error_code_of(client.get_model_version_by_alias, registered_version, "nobody")
    assert code == "INVALID_PARAMETER_VALUE"


def test_reserved_alias_latest(client, registered_version):
    """`latest` is reserved for the newest version and cannot be set: INVALID_PARAMETER_VALUE."""
    code = error_code_of(client.set_registered_model_alias, registered_version, "latest", "1")
    assert code == "INVALID_PARAMETER_VALUE"


def test_client_mistakes_never_get_a_5xx(server_url, registered_version):
    """Malformed or unknown-target requests get a 4xx JSON error, never a 5xx the client would retry."""
    api = f"{server_url}/api/2.0/mlflow"
    unknown_run = uuid.uuid4().hex
    requests_to_make = [
        ("GET", "runs/get", {"params": {"run_id": unknown_run}}),
        ("POST", "runs/log-metric", {"json": {"run_id": unknown_run, "key": "loss", "value": 1.0,
                                              "timestamp": 1, "step": 0}}),
        ("POST", "runs/create", {"json": {"experiment_id": "987654321"}}),
        ("GET", "experiments/get", {"params": {"experiment_id": "not-a-number"}}),
        ("POST", "experiments/create", {"json": {}}),
        ("GET", "registered-models/get", {"params": {"name": unique("none")}}),
        ("GET", "model-versions/get", {"params": {"name": registered_version, "version": "abc"}}),
        ("POST", "model-versions/create", {"json": {"name": unique("none"), "source": "s3://bucket/model"}}),
        ("POST", "runs/search", {"json": {"experiment_ids": ["0"], "filter": "bogus.x = 1"}}),
    ]
    for method, path, kwargs in requests_to_make:
        response = requests.request(method, f"{api}/{path}", timeout=30, **kwargs)
        assert 400 <= response.status_code < 500, f"{method} {path}: {response.status_code} {response.text}"
        assert isinstance(response.json().get("error_code"), str), f"{method} {path}: {response.text}"

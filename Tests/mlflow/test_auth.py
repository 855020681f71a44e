"""The unchanged MLflow client against a Modelyard server that requires tokens: MLflow sends
MLFLOW_TRACKING_TOKEN as `Authorization: Bearer`, so tracking and registry calls work with a token whose scopes
allow them, and are refused (401 without a valid token, 403 beyond its scopes) without changing anything."""

import pytest
import requests

import mlflow
from mlflow.exceptions import MlflowException

from conftest import create_token, modelyard_server
from helpers import unique

pytestmark = pytest.mark.modelyard_only


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("modelyard-auth")
    tokens = {
        "admin": create_token(workdir, "admin", "admin"),
        "write": create_token(workdir, "trainer", "write"),
        "read": create_token(workdir, "viewer", "read"),
    }
    with modelyard_server(workdir, "--auth") as url:
        yield url, tokens


def refused(call, status):
    with pytest.raises(MlflowException) as raised:
        call()
    assert raised.value.get_http_status_code() == status, raised.value


def test_mlflow_client_works_with_a_token_and_the_audit_names_it(secured, monkeypatch):
    url, tokens = secured
    client = mlflow.MlflowClient(tracking_uri=url, registry_uri=url)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", tokens["write"])
    experiment = client.create_experiment(unique("secured-exp"))
    run = client.create_run(experiment)
    client.log_metric(run.info.run_id, "loss", 0.25, step=1)
    client.log_param(run.info.run_id, "lr", "0.1")
    client.set_terminated(run.info.run_id)
    name = unique("secured-model")
    client.create_registered_model(name)
    version = client.create_model_version(name, source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    assert version.version == "1"
    assert client.get_metric_history(run.info.run_id, "loss")[0].value == 0.25
    audit = requests.get(
        f"{url}/api/v1/models/{name}/audit", headers={"Authorization": f"Bearer {tokens['read']}"}, timeout=30
    ).json()
    assert {entry["actor"] for entry in audit["entries"]} == {"trainer"}
    # Setting an alias deploys in Modelyard: the write token may not, a deploy-capable one may.
    refused(lambda: client.set_registered_model_alias(name, "production", "1"), 403)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", tokens["admin"])
    client.set_registered_model_alias(name, "production", "1")
    assert client.get_model_version_by_alias(name, "production").version == "1"


def test_without_a_valid_token_the_mlflow_client_is_refused(secured, monkeypatch):
    url, tokens = secured
    client = mlflow.MlflowClient(tracking_uri=url, registry_uri=url)
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
    refused(lambda: client.search_experiments(), 401)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "myd_not-a-real-token")
    refused(lambda: client.create_experiment(unique("nope")), 401)


def test_a_read_token_reads_but_does_not_write(secured, monkeypatch):
    url, tokens = secured
    client = mlflow.MlflowClient(tracking_uri=url, registry_uri=url)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", tokens["read"])
    before = [experiment.name for experiment in client.search_experiments()]
    refused(lambda: client.create_experiment(unique("read-only")), 403)
    refused(lambda: client.create_registered_model(unique("read-only")), 403)
    assert [experiment.name for experiment in client.search_experiments()] == before

"""Logged scikit-learn models and the registry: log_model with registration, register_model from a run and
from a logged model, and loading registered versions back by number and by alias."""

import mlflow
import numpy as np
from mlflow.entities import LoggedModelStatus

from helpers import PIP_REQUIREMENTS, unique


def log_classifier(model, registered_model_name):
    return mlflow.sklearn.log_model(
        model, name="model", registered_model_name=registered_model_name, pip_requirements=PIP_REQUIREMENTS)


def test_log_model_then_register_more_versions(client, experiment_id, classifier):
    """log_model with registered_model_name creates version 1 (READY, sourced from the logged model);
    register_model from `runs:/` and from `models:/<model_id>` add versions 2 and 3 of the same run."""
    model, _ = classifier
    name = unique("clf")
    with mlflow.start_run() as run:
        info = log_classifier(model, name)
    run_id = run.info.run_id
    assert info.registered_model_version == "1"
    assert info.model_id.startswith("m-")

    first = client.get_model_version(name, "1")
    assert (first.version, first.status, first.source, first.run_id) == (
        "1", "READY", f"models:/{info.model_id}", run_id)

    second = mlflow.register_model(f"runs:/{run_id}/model", name)
    assert (second.version, second.status, second.run_id, second.source) == (
        "2", "READY", run_id, f"models:/{info.model_id}")

    third = mlflow.register_model(f"models:/{info.model_id}", name)
    assert (third.version, third.status, third.run_id) == ("3", "READY", run_id)

    listed = client.search_model_versions(f"name = '{name}'")
    assert sorted(version.version for version in listed) == ["1", "2", "3"]
    logged = client.get_logged_model(info.model_id)
    assert (logged.status, logged.source_run_id) == (LoggedModelStatus.READY, run_id)


def test_load_registered_model_by_version_and_alias(client, experiment_id, classifier):
    """A registered sklearn model loads back through `models:/NAME/1` and `models:/NAME@champion` and
    predicts exactly what the in-memory model predicts."""
    model, features = classifier
    name = unique("clf-load")
    with mlflow.start_run():
        log_classifier(model, name)

    by_number = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert np.array_equal(by_number.predict(features), model.predict(features))

    client.set_registered_model_alias(name, "champion", "1")
    by_alias = mlflow.sklearn.load_model(f"models:/{name}@champion")
    assert np.array_equal(by_alias.predict_proba(features), model.predict_proba(features))

"""Runs through the MLflow client: logging, reading back, lifecycle, search, pagination and dataset inputs."""

import math
import time

import mlflow
import pandas as pd
from mlflow.entities import Metric, Param, RunTag, ViewType

from helpers import unique

STEPS = 300


def test_run_logs_params_tags_and_metric_series(client, experiment_id):
    """A run started with a name logs params, tags and 300-step series (one call per point, one batch, and
    per-step log_metrics); get_run shows the latest values and the histories hold every point in order."""
    run_name = unique("series")
    batch_timestamp = int(time.time() * 1000)
    with mlflow.start_run(run_name=run_name) as run:
        run_id = run.info.run_id
        mlflow.log_param("lr", 0.1)
        mlflow.log_params({"layers": 3, "optimizer": "adam"})
        mlflow.set_tag("team", "risk")
        mlflow.set_tags({"owner": "ana", "purpose": "test"})
        for step in range(STEPS):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        client.log_batch(
            run_id,
            metrics=[Metric("acc", math.sin(step) * 1e-3 + 0.5, batch_timestamp, step) for step in range(STEPS)],
        )
        for step in range(50):
            mlflow.log_metrics({"f1": step / 49, "precision": 1 - step / 100}, step=step)
        assert client.get_run(run_id).info.status == "RUNNING"

    finished = client.get_run(run_id)
    assert finished.info.status == "FINISHED"
    assert finished.info.end_time is not None and finished.info.end_time >= finished.info.start_time
    assert finished.info.run_name == run_name
    assert finished.info.experiment_id == experiment_id
    assert finished.info.lifecycle_stage == "active"
    assert finished.data.params == {"lr": "0.1", "layers": "3", "optimizer": "adam"}
    assert finished.data.tags["mlflow.runName"] == run_name
    assert {key: finished.data.tags[key] for key in ("team", "owner", "purpose")} == {
        "team": "risk", "owner": "ana", "purpose": "test"}
    assert finished.data.metrics == {
        "loss": 1.0 / STEPS, "acc": math.sin(STEPS - 1) * 1e-3 + 0.5, "f1": 1.0, "precision": 1 - 49 / 100}

    loss = client.get_metric_history(run_id, "loss")
    assert [(point.step, point.value) for point in loss] == [(step, 1.0 / (step + 1)) for step in range(STEPS)]
    acc = client.get_metric_history(run_id, "acc")
    assert [(point.step, point.value, point.timestamp) for point in acc] == [
        (step, math.sin(step) * 1e-3 + 0.5, batch_timestamp) for step in range(STEPS)]
    f1 = client.get_metric_history(run_id, "f1")
    assert [(point.step, point.value) for point in f1] == [(step, step / 49) for step in range(50)]
    assert client.get_metric_history(run_id, "never-logged") == []


def test_nan_metric_round_trips(client, experiment_id):
    """NaN is a legal metric value and comes back as NaN in the history."""
    run = client.create_run(experiment_id)
    client.log_metric(run.info.run_id, "unstable", float("nan"), step=0)
    client.log_metric(run.info.run_id, "unstable", 0.25, step=1)

    history = client.get_metric_history(run.info.run_id, "unstable")
    assert [point.step for point in history] == [0, 1]
    assert math.isnan(history[0].value)
    assert history[1].value == 0.25


def test_log_batch_and_delete_tag(client, experiment_id):
    """log_batch writes metrics, params and tags at once; delete_tag removes one tag only."""
    run_id = client.create_run(experiment_id).info.run_id
    client.log_batch(
        run_id,
        metrics=[Metric("auc", 0.75, 1_700_000_000_000, 0), Metric("auc", 0.8, 1_700_000_001_000, 1)],
        params=[Param("depth", "4"), Param("seed", "7")],
        tags=[RunTag("keep", "yes"), RunTag("drop", "soon")],
    )
    client.delete_tag(run_id, "drop")

    data = client.get_run(run_id).data
    assert data.metrics == {"auc": 0.8}
    assert data.params == {"depth": "4", "seed": "7"}
    assert data.tags["keep"] == "yes"
    assert "drop" not in data.tags
    assert [(m.step, m.value, m.timestamp) for m in client.get_metric_history(run_id, "auc")] == [
        (0, 0.75, 1_700_000_000_000), (1, 0.8, 1_700_000_001_000)]


def test_set_terminated_failed(client, experiment_id):
    """set_terminated records FAILED with an end time."""
    run_id = client.create_run(experiment_id).info.run_id
    client.set_terminated(run_id, "FAILED")
    info = client.get_run(run_id).info
    assert info.status == "FAILED"
    assert info.end_time is not None and info.end_time >= info.start_time


def test_delete_and_restore_run(client, experiment_id):
    """A deleted run stays readable as deleted, leaves default searches and shows with DELETED_ONLY;
    restore_run brings it back."""
    run_id = client.create_run(experiment_id).info.run_id

    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == []
    deleted = client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)
    assert [r.info.run_id for r in deleted] == [run_id]

    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == [run_id]


def _make_search_runs(client, experiment_id):
    """Four runs with distinct metrics, params, tags, names and statuses; returns name → run id."""
    specs = [
        ("alpha", 0.9, "0.1", "x", "b", "FINISHED"),
        ("apple", 0.6, "0.01", "y", "a", "FINISHED"),
        ("beta", 0.3, "0.1", "x", "c", None),
        ("Avocado", 0.95, "0.5", "z", "d", "FAILED"),
    ]
    ids = {}
    for name, acc, lr, team, x, status in specs:
        run_id = client.create_run(experiment_id, run_name=name).info.run_id
        client.log_batch(
            run_id,
            metrics=[Metric("acc", acc, int(time.time() * 1000), 0)],
            params=[Param("lr", lr), Param("x", x)],
            tags=[RunTag("team", team)],
        )
        if status:
            client.set_terminated(run_id, status)
        ids[name] = run_id
    return ids


def test_search_runs_filters_and_order(client, experiment_id):
    """search_runs filters on metrics, params, tags and attributes (LIKE is case-sensitive), combines
    clauses with AND, and orders by a metric or a param."""
    ids = _make_search_runs(client, experiment_id)

    def names(filter_string="", order_by=None):
        runs = client.search_runs([experiment_id], filter_string=filter_string, order_by=order_by)
        by_id = {run_id: name for name, run_id in ids.items()}
        return [by_id[run.info.run_id] for run in runs]

    assert sorted(names("metrics.acc > 0.5")) == ["Avocado", "alpha", "apple"]
    assert sorted(names("params.lr = '0.1'")) == ["alpha", "beta"]
    assert sorted(names("tags.team = 'x'")) == ["alpha", "beta"]
    assert sorted(names("attributes.run_name LIKE 'a%'")) == ["alpha", "apple"]
    assert sorted(names("attributes.status = 'FINISHED'")) == ["alpha", "apple"]
    assert names("metrics.acc > 0.5 AND tags.team = 'x'") == ["alpha"]

    assert names(order_by=["metrics.acc DESC"]) == ["Avocado", "alpha", "apple", "beta"]
    assert names(order_by=["params.x ASC"]) == ["apple", "alpha", "beta", "Avocado"]


def test_search_runs_pagination(client, experiment_id):
    """max_results=2 over five runs gives pages of 2, 2 and 1 that together hold every run exactly once,
    in the same order as one unpaged search."""
    created = {client.create_run(experiment_id).info.run_id for _ in range(5)}

    pages, token = [], None
    while True:
        page = client.search_runs([experiment_id], max_results=2, page_token=token)
        pages.append([run.info.run_id for run in page])
        token = page.token
        if not token:
            break
    assert [len(page) for page in pages] == [2, 2, 1]
    paged = [run_id for page in pages for run_id in page]
    assert set(paged) == created
    assert paged == [run.info.run_id for run in client.search_runs([experiment_id])]


def test_log_input_dataset(client, experiment_id):
    """A pandas dataset logged with log_input shows up in the run's dataset inputs with its context."""
    frame = pd.DataFrame({"x1": [0.5, 1.5, 2.5], "x2": [1, 2, 3], "label": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(frame, name=unique("train-set"), targets="label")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")

    inputs = client.get_run(run.info.run_id).inputs.dataset_inputs
    assert len(inputs) == 1
    logged = inputs[0].dataset
    expected = dataset.to_dict()
    assert (logged.name, logged.digest, logged.source_type, logged.source, logged.schema, logged.profile) == (
        expected["name"], expected["digest"], expected["source_type"], expected["source"], expected["schema"],
        expected["profile"])
    assert {tag.key: tag.value for tag in inputs[0].tags}["mlflow.data.context"] == "training"

"""The model registry through MlflowClient: models, versions, tags, searches, stages, aliases and deletes."""

from pathlib import Path

import mlflow
import pytest
from mlflow.exceptions import MlflowException

from helpers import MLMODEL_TEXT, log_model_directory, unique


@pytest.fixture
def make_model(client, experiment_id, tmp_path):
    """Creates a registered model with `versions` versions, all from one run's logged model directory.

    Returns `(name, source, run_id)`."""

    def make(versions=1, prefix="reg", **model_fields):
        name = unique(prefix)
        source, run_id = log_model_directory(client, experiment_id, tmp_path)
        client.create_registered_model(name, **model_fields)
        for _ in range(versions):
            client.create_model_version(name, source, run_id=run_id)
        return name, source, run_id

    return make


def version_numbers(model_versions):
    return [version.version for version in model_versions]


def test_create_with_tags_and_description_then_update(client, make_model):
    """A model keeps the tags and description it was created with; update changes the description."""
    name, _, _ = make_model(versions=0, tags={"team": "risk", "kind": "classifier"}, description="first")
    model = client.get_registered_model(name)
    assert (model.name, model.description, model.tags) == (name, "first", {"team": "risk", "kind": "classifier"})

    client.update_registered_model(name, description="second")
    assert client.get_registered_model(name).description == "second"


def test_rename_moves_versions(client, make_model):
    """After a rename the versions answer under the new name and the old name is gone."""
    name, _, _ = make_model(versions=2)
    new_name = unique("renamed")

    client.rename_registered_model(name, new_name)
    assert client.get_registered_model(new_name).name == new_name
    assert client.get_model_version(new_name, "2").name == new_name
    assert sorted(version_numbers(client.search_model_versions(f"name = '{new_name}'"))) == ["1", "2"]
    with pytest.raises(MlflowException) as raised:
        client.get_registered_model(name)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_model_and_version_tags(client, make_model):
    """Model tags and version tags are set and deleted independently."""
    name, _, _ = make_model(versions=1)
    client.set_registered_model_tag(name, "team", "risk")
    client.set_registered_model_tag(name, "temp", "yes")
    client.delete_registered_model_tag(name, "temp")
    client.set_model_version_tag(name, "1", "validated", "true")
    client.set_model_version_tag(name, "1", "temp", "yes")
    client.delete_model_version_tag(name, "1", "temp")

    assert client.get_registered_model(name).tags == {"team": "risk"}
    assert client.get_model_version(name, "1").tags == {"validated": "true"}


def test_search_registered_models(client):
    """search_registered_models filters by name prefix (LIKE) and by tag value."""
    prefix = unique("search")
    tag_value = unique("v")
    for suffix in ("b", "a"):
        client.create_registered_model(f"{prefix}-{suffix}")
    client.create_registered_model(f"{prefix}-c", tags={"k": tag_value})

    by_prefix = client.search_registered_models(f"name LIKE '{prefix}%'")
    assert [model.name for model in by_prefix] == [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"]
    by_tag = client.search_registered_models(f"tags.k = '{tag_value}'")
    assert [model.name for model in by_tag] == [f"{prefix}-c"]


def test_search_model_versions(client, make_model):
    """search_model_versions filters by model name, run id and tag, and orders by version number."""
    name, _, _ = make_model(versions=3)
    other_name, _, other_run_id = make_model(versions=1)
    tag_value = unique("v")
    client.set_model_version_tag(name, "2", "k", tag_value)

    by_name = client.search_model_versions(f"name = '{name}'", order_by=["version_number DESC"])
    assert version_numbers(by_name) == ["3", "2", "1"]
    assert {version.name for version in by_name} == {name}
    by_run = client.search_model_versions(f"run_id = '{other_run_id}'")
    assert [(version.name, version.version) for version in by_run] == [(other_name, "1")]
    by_tag = client.search_model_versions(f"tags.k = '{tag_value}'")
    assert [(version.name, version.version) for version in by_tag] == [(name, "2")]


def test_stages_and_latest_versions(client, make_model):
    """get_latest_versions gives the newest version per stage; moving a version to Staging with
    archive_existing_versions archives the one already there."""
    name, _, _ = make_model(versions=3)
    staged = client.transition_model_version_stage(name, "1", "Staging")
    assert staged.current_stage == "Staging"

    latest = {version.current_stage: version.version for version in client.get_latest_versions(name)}
    assert latest == {"None": "3", "Staging": "1"}
    assert version_numbers(client.get_latest_versions(name, stages=["Staging"])) == ["1"]
    assert client.get_latest_versions(name, stages=["Production"]) == []

    client.transition_model_version_stage(name, "2", "staging", archive_existing_versions=True)
    assert client.get_model_version(name, "1").current_stage == "Archived"
    assert client.get_model_version(name, "2").current_stage == "Staging"
    latest = {version.current_stage: version.version for version in client.get_latest_versions(name)}
    assert latest == {"None": "3", "Staging": "2", "Archived": "1"}


def test_update_version_description(client, make_model):
    """update_model_version changes the description and nothing else."""
    name, source, run_id = make_model(versions=1)
    updated = client.update_model_version(name, "1", description="calibrated")
    assert updated.description == "calibrated"
    stored = client.get_model_version(name, "1")
    assert (stored.description, stored.source, stored.run_id, stored.status) == (
        "calibrated", source, run_id, "READY")


def test_deleted_version_numbers_are_not_reused(client, make_model):
    """Deleting the newest version does not free its number: the next version gets a higher one."""
    name, source, run_id = make_model(versions=2)
    client.delete_model_version(name, "2")
    with pytest.raises(MlflowException) as raised:
        client.get_model_version(name, "2")
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"

    created = client.create_model_version(name, source, run_id=run_id)
    assert created.version == "3"
    assert sorted(version_numbers(client.search_model_versions(f"name = '{name}'"))) == ["1", "3"]


def test_aliases(client, make_model):
    """An alias points at one version, moves when set again, shows on the version and the model, and can be
    deleted."""
    name, _, _ = make_model(versions=2)
    client.set_registered_model_alias(name, "champion", "1")
    assert client.get_model_version_by_alias(name, "champion").version == "1"
    assert client.get_model_version(name, "1").aliases == ["champion"]

    client.set_registered_model_alias(name, "champion", "2")
    client.set_registered_model_alias(name, "challenger", "1")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    assert client.get_model_version(name, "1").aliases == ["challenger"]
    assert client.get_model_version(name, "2").aliases == ["champion"]
    assert client.get_registered_model(name).aliases == {"champion": "2", "challenger": "1"}

    client.delete_registered_model_alias(name, "champion")
    assert client.get_registered_model(name).aliases == {"challenger": "1"}
    assert client.get_model_version(name, "2").aliases == []
    with pytest.raises(MlflowException) as raised:
        client.get_model_version_by_alias(name, "champion")
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"


def test_delete_registered_model(client, make_model):
    """Deleting a model removes it and its versions."""
    name, _, _ = make_model(versions=2)
    client.delete_registered_model(name)
    with pytest.raises(MlflowException) as raised:
        client.get_registered_model(name)
    assert raised.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert client.search_model_versions(f"name = '{name}'") == []


def test_version_from_mlflow_artifacts_source(client, experiment_id, tmp_path):
    """A version created from a run's `mlflow-artifacts:` directory keeps that source and run, and its files
    download back through `models:/NAME/1`."""
    name = unique("reg-source")
    source, run_id = log_model_directory(client, experiment_id, tmp_path)
    client.create_registered_model(name)

    created = client.create_model_version(name, source=source, run_id=run_id)
    assert (created.version, created.status, created.source, created.run_id, created.current_stage) == (
        "1", "READY", source, run_id, "None")
    assert source.startswith("mlflow-artifacts:/")

    downloaded = mlflow.artifacts.download_artifacts(f"models:/{name}/1", dst_path=str(tmp_path / "download"))
    assert (Path(downloaded) / "MLmodel").read_text() == MLMODEL_TEXT

"""Experiments through the MLflow client: create, look up, search, rename, tag, delete and restore."""

import pytest
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException

from helpers import unique


def names_of(experiments):
    return [experiment.name for experiment in experiments]


def test_default_experiment_exists(client):
    """Experiment "0" named Default exists, as `start_run()` without an experiment relies on it."""
    default = client.get_experiment("0")
    assert default.name == "Default"
    assert default.lifecycle_stage == "active"
    assert client.get_experiment_by_name("Default").experiment_id == "0"


def test_create_get_and_get_by_name(client):
    """A created experiment reads back by id and by name with its tags; an unknown name gives None."""
    name = unique("exp-create")
    experiment_id = client.create_experiment(name, tags={"team": "risk", "purpose": "test"})

    by_id = client.get_experiment(experiment_id)
    assert by_id.experiment_id == experiment_id
    assert by_id.name == name
    assert by_id.lifecycle_stage == "active"
    assert by_id.tags == {"team": "risk", "purpose": "test"}
    assert by_id.artifact_location == f"mlflow-artifacts:/{experiment_id}"
    assert by_id.creation_time > 0

    assert client.get_experiment_by_name(name).experiment_id == experiment_id
    assert client.get_experiment_by_name(unique("no-such-experiment")) is None


def test_search_experiments_filter_and_order(client):
    """search_experiments filters by name (=, LIKE) and by tag, and orders by name both ways."""
    prefix = unique("exp-search")
    for suffix in ("b", "a", "c"):
        client.create_experiment(f"{prefix}-{suffix}", tags={"letter": suffix})
    expected = [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"]

    ascending = client.search_experiments(filter_string=f"name LIKE '{prefix}%'", order_by=["name ASC"])
    assert names_of(ascending) == expected
    descending = client.search_experiments(filter_string=f"name LIKE '{prefix}%'", order_by=["name DESC"])
    assert names_of(descending) == expected[::-1]
    exact = client.search_experiments(filter_string=f"name = '{prefix}-b'")
    assert names_of(exact) == [f"{prefix}-b"]
    by_tag = client.search_experiments(filter_string=f"name LIKE '{prefix}%' AND tags.letter = 'c'")
    assert names_of(by_tag) == [f"{prefix}-c"]


def test_rename_and_set_tag(client):
    """Renaming changes the name both lookups see; a set tag appears on the experiment."""
    old_name, new_name = unique("exp-old"), unique("exp-new")
    experiment_id = client.create_experiment(old_name)

    client.rename_experiment(experiment_id, new_name)
    client.set_experiment_tag(experiment_id, "stage", "exploration")

    experiment = client.get_experiment(experiment_id)
    assert experiment.name == new_name
    assert experiment.tags == {"stage": "exploration"}
    assert client.get_experiment_by_name(new_name).experiment_id == experiment_id
    assert client.get_experiment_by_name(old_name) is None


def test_delete_and_restore(client):
    """A deleted experiment stays readable as deleted, is hidden from default searches and shown with
    DELETED_ONLY and ALL; restore brings it back."""
    name = unique("exp-delete")
    experiment_id = client.create_experiment(name)
    name_filter = f"name = '{name}'"

    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    assert names_of(client.search_experiments(filter_string=name_filter)) == []
    assert names_of(client.search_experiments(view_type=ViewType.DELETED_ONLY, filter_string=name_filter)) == [name]
    assert names_of(client.search_experiments(view_type=ViewType.ALL, filter_string=name_filter)) == [name]

    client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"
    assert names_of(client.search_experiments(filter_string=name_filter)) == [name]
    assert names_of(client.search_experiments(view_type=ViewType.DELETED_ONLY, filter_string=name_filter)) == []


def test_duplicate_name_is_rejected(client):
    """Creating a second experiment with a taken name fails with RESOURCE_ALREADY_EXISTS."""
    name = unique("exp-dup")
    client.create_experiment(name)
    with pytest.raises(MlflowException) as raised:
        client.create_experiment(name)
    assert raised.value.error_code == "RESOURCE_ALREADY_EXISTS"

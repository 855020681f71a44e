"""tritonclient against a server that requires tokens: it sends `Authorization: Bearer` through its `headers`
argument; without a token, or with one whose scope or model limit does not cover the call, it is refused."""

import numpy as np
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from conftest import Registry, create_token, load_fixture, modelyard_server, unique

FOREST = load_fixture("random_forest")


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    """A server started with --auth, a deployed forest, and tokens: predict limited to it, read, write."""
    workdir = tmp_path_factory.mktemp("modelyard-auth")
    admin = create_token(workdir, "admin", "admin")
    with modelyard_server(workdir, "--auth") as url:
        registry = Registry(url, token=admin)
        name = unique("secured-forest")
        registry.create_model(name)
        version = registry.add_version(name, "random_forest")
        registry.deploy(name, version["version"])
        other = unique("other-forest")
        registry.create_model(other)
        registry.deploy(other, registry.add_version(other, "random_forest")["version"])
        tokens = {
            "predict": create_token(workdir, "scorer", "predict", "--model", name),
            "read": create_token(workdir, "viewer", "read"),
            "write": create_token(workdir, "writer", "write"),
        }
        client = httpclient.InferenceServerClient(url=url.removeprefix("http://"), network_timeout=60.0)
        yield client, name, other, tokens
        client.close()


def inputs():
    result = []
    for input_name, array in FOREST["inputs"].items():
        tensor = httpclient.InferInput(input_name, list(array.shape), FOREST["datatypes"][("inputs", input_name)])
        tensor.set_data_from_numpy(array, binary_data=True)
        result.append(tensor)
    return result


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def refused(call, status):
    with pytest.raises(InferenceServerException) as raised:
        call()
    assert raised.value.status() == status, raised.value


def test_health_needs_no_token(secured):
    client, *_ = secured
    assert client.is_server_live() and client.is_server_ready()


def test_predict_token_infers_on_its_model_only(secured):
    client, name, other, tokens = secured
    result = client.infer(name, inputs(), headers=bearer(tokens["predict"]))
    for output_name, expected in FOREST["outputs"].items():
        assert result.as_numpy(output_name).shape == expected.shape
    assert client.is_model_ready(name, headers=bearer(tokens["predict"]))
    assert client.get_model_metadata(name, headers=bearer(tokens["predict"]))["name"] == name
    refused(lambda: client.infer(other, inputs(), headers=bearer(tokens["predict"])), "403")


def test_infer_without_a_valid_token_is_refused(secured):
    client, name, _, tokens = secured
    refused(lambda: client.infer(name, inputs()), "401")
    refused(lambda: client.infer(name, inputs(), headers={"Authorization": "Bearer myd_not-a-token"}), "401")
    refused(lambda: client.get_model_metadata(name), "401")


def test_scopes_that_do_not_predict_are_refused(secured):
    client, name, _, tokens = secured
    # read (and every scope that implies it) may look at the model, but only predict (or admin) may run it.
    assert client.get_model_metadata(name, headers=bearer(tokens["read"]))["name"] == name
    refused(lambda: client.infer(name, inputs(), headers=bearer(tokens["read"])), "403")
    refused(lambda: client.infer(name, inputs(), headers=bearer(tokens["write"])), "403")

"""The real `tritonclient[http]` client against Modelyard's Open Inference Protocol (v2) surface, unchanged.

Expected values are onnxruntime's outputs recorded in fixtures/onnx/NAME.json: labels must match exactly, floats
within 1e-5 absolute + 1e-5 relative.
"""

import numpy as np
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from conftest import load_fixture, unique

RANDOM_FOREST = load_fixture("random_forest")
GBR = load_fixture("gbr")
CATEGORICAL = load_fixture("categorical_pipeline")
FOREST_OUTPUTS = ("label", "probabilities")
CATEGORICAL_INPUTS = ("n0", "n1", "n2", "n3", "color", "size")


# --- helpers -------------------------------------------------------------------------------------------------------

def make_inputs(fixture: dict, binary: bool, names=None, bytes_as_str: bool = False) -> list:
    """InferInputs for the fixture's inputs (all of them, or `names` in that order)."""
    inputs = []
    for name in names or fixture["inputs"]:
        array = fixture["inputs"][name]
        datatype = fixture["datatypes"][("inputs", name)]
        if datatype == "BYTES" and bytes_as_str:
            array = np.array([value.decode() for value in array.flatten()], dtype=np.object_).reshape(array.shape)
        tensor = httpclient.InferInput(name, list(array.shape), datatype)
        tensor.set_data_from_numpy(array, binary_data=binary)
        inputs.append(tensor)
    return inputs


def requested(names, binary: bool) -> list:
    return [httpclient.InferRequestedOutput(name, binary_data=binary) for name in names]


def assert_outputs_match(result, fixture: dict, binary: bool | None = None) -> None:
    """Every output the fixture recorded is in the result with the right datatype, shape and values. `binary`
    True/False also checks how the server encoded each output (binary tensor extension vs JSON data)."""
    response = result.get_response()
    assert {output["name"] for output in response["outputs"]} == set(fixture["outputs"]), response
    for name, expected in fixture["outputs"].items():
        described = result.get_output(name)
        assert described["datatype"] == fixture["datatypes"][("outputs", name)], described
        assert list(described["shape"]) == list(expected.shape), described
        if binary is True:
            assert "data" not in described, f"{name} was requested binary but came back as JSON: {described}"
            size = described.get("parameters", {}).get("binary_data_size")
            assert size == expected.size * expected.itemsize, described
        elif binary is False:
            assert "binary_data_size" not in described.get("parameters", {}), described
            assert len(described["data"]) == expected.size, described
        got = result.as_numpy(name)
        assert got is not None, f"no data for output {name}"
        assert got.shape == expected.shape, (name, got.shape, expected.shape)
        if expected.dtype.kind in "iu":
            assert got.dtype == expected.dtype, (name, got.dtype)
            np.testing.assert_array_equal(got, expected, err_msg=name)
        else:
            assert got.dtype == expected.dtype, (name, got.dtype)
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5, equal_nan=True, err_msg=name)


def client_error(call) -> InferenceServerException:
    """Runs `call`, which must fail with an InferenceServerException carrying a 4xx status and a message."""
    with pytest.raises(InferenceServerException) as info:
        call()
    error = info.value
    status = error.status()
    assert status is not None, f"no HTTP status on {error!r}"
    assert 400 <= int(status) < 500, f"expected a 4xx status, got {status}: {error.message()}"
    assert error.message() and "exception occurred in the client" not in error.message(), (
        f"the server's error body was not the v2 {{'error': ...}} shape: {error.message()}"
    )
    return error


# --- 1. server -----------------------------------------------------------------------------------------------------

def test_server_live_ready_and_metadata(triton):
    assert triton.is_server_live() is True
    assert triton.is_server_ready() is True
    metadata = triton.get_server_metadata()
    assert isinstance(metadata["name"], str) and metadata["name"], metadata
    assert isinstance(metadata["version"], str) and metadata["version"], metadata
    assert "binary_tensor_data" in metadata["extensions"], metadata


# --- 2. model metadata and readiness --------------------------------------------------------------------------------

@pytest.mark.parametrize("version", ["", "1.0.0", "1", "@production"], ids=["production", "semantic", "number", "alias"])
def test_model_metadata_and_readiness(triton, deploy_model, version):
    name, versions = deploy_model("forest", "random_forest")
    assert versions[0]["version"] == "1.0.0"

    assert triton.is_model_ready(name, model_version=version) is True
    metadata = triton.get_model_metadata(name, model_version=version)
    assert metadata["name"] == name, metadata
    assert metadata["versions"] == ["1.0.0"], metadata
    assert metadata["platform"], metadata

    inputs = {tensor["name"]: tensor for tensor in metadata["inputs"]}
    assert set(inputs) == {"X"}, metadata
    assert inputs["X"]["datatype"] == "FP32", metadata
    assert len(inputs["X"]["shape"]) == 2 and inputs["X"]["shape"][1] == 20, metadata
    outputs = {tensor["name"]: tensor for tensor in metadata["outputs"]}
    assert set(outputs) == set(FOREST_OUTPUTS), metadata
    assert outputs["label"]["datatype"] == "INT64", metadata
    assert outputs["probabilities"]["datatype"] == "FP32", metadata
    assert outputs["probabilities"]["shape"][-1] == 3, metadata


def test_model_with_nothing_deployed_is_not_ready(triton, deploy_model):
    name, _ = deploy_model("idle", "random_forest", deployed=None)
    # No production deployment: the unversioned model is not ready and has nothing to describe or run.
    assert triton.is_model_ready(name) is False
    client_error(lambda: triton.get_model_metadata(name))
    client_error(lambda: triton.infer(name, make_inputs(RANDOM_FOREST, binary=True)))
    # Its ready version is still addressable directly.
    assert triton.is_model_ready(name, model_version="1") is True
    assert triton.is_model_ready(name, model_version="1.0.0") is True


def test_never_registered_model(triton):
    name = unique("ghost")
    assert triton.is_model_ready(name) is False
    assert triton.is_model_ready(name, model_version="1") is False
    error = client_error(lambda: triton.get_model_metadata(name))
    assert name in error.message(), error.message()
    client_error(lambda: triton.get_model_metadata(name, model_version="1.0.0"))
    client_error(lambda: triton.infer(name, make_inputs(RANDOM_FOREST, binary=True)))


def test_unknown_version_of_known_model(triton, deploy_model):
    name, _ = deploy_model("forest", "random_forest")
    assert triton.is_model_ready(name, model_version="9") is False
    assert triton.is_model_ready(name, model_version="9.9.9") is False
    client_error(lambda: triton.get_model_metadata(name, model_version="9.9.9"))
    client_error(lambda: triton.infer(name, make_inputs(RANDOM_FOREST, binary=True), model_version="9"))


# --- 3. random_forest: binary and JSON ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def forest(deploy_model):
    name, _ = deploy_model("forest", "random_forest")
    return name


def test_infer_binary_inputs_and_outputs(triton, forest):
    result = triton.infer(
        forest, make_inputs(RANDOM_FOREST, binary=True), outputs=requested(FOREST_OUTPUTS, binary=True)
    )
    assert_outputs_match(result, RANDOM_FOREST, binary=True)
    response = result.get_response()
    assert response["model_name"] == forest
    assert response["model_version"] == "1.0.0"


def test_infer_json_inputs_and_outputs(triton, forest):
    result = triton.infer(
        forest, make_inputs(RANDOM_FOREST, binary=False), outputs=requested(FOREST_OUTPUTS, binary=False)
    )
    assert_outputs_match(result, RANDOM_FOREST, binary=False)
    assert result.get_response()["model_version"] == "1.0.0"


def test_infer_default_outputs_are_binary(triton, forest):
    """With no outputs listed, tritonclient sends the request parameter binary_data_output=true: all outputs of
    the model must come back, in binary."""
    result = triton.infer(forest, make_inputs(RANDOM_FOREST, binary=True))
    assert_outputs_match(result, RANDOM_FOREST, binary=True)


@pytest.mark.parametrize("binary_inputs", [True, False], ids=["binary-in", "json-in"])
def test_infer_mixed_output_encodings_and_subset(triton, forest, binary_inputs):
    """One output binary and one JSON in the same response; and only the requested output is returned."""
    result = triton.infer(
        forest,
        make_inputs(RANDOM_FOREST, binary=binary_inputs),
        outputs=[
            httpclient.InferRequestedOutput("label", binary_data=False),
            httpclient.InferRequestedOutput("probabilities", binary_data=True),
        ],
    )
    assert_outputs_match(result, RANDOM_FOREST)
    assert "data" in result.get_output("label")
    assert "data" not in result.get_output("probabilities")

    only = triton.infer(forest, make_inputs(RANDOM_FOREST, binary=binary_inputs), outputs=requested(["label"], True))
    assert [output["name"] for output in only.get_response()["outputs"]] == ["label"]
    np.testing.assert_array_equal(only.as_numpy("label"), RANDOM_FOREST["outputs"]["label"])


def test_infer_request_id_is_echoed(triton, forest):
    result = triton.infer(forest, make_inputs(RANDOM_FOREST, binary=True), request_id="req-42")
    assert result.get_response().get("id") == "req-42", result.get_response()


def test_infer_single_row(triton, forest):
    x = RANDOM_FOREST["inputs"]["X"][3:4]
    tensor = httpclient.InferInput("X", list(x.shape), "FP32")
    tensor.set_data_from_numpy(x)
    result = triton.infer(forest, [tensor], outputs=requested(FOREST_OUTPUTS, binary=True))
    np.testing.assert_array_equal(result.as_numpy("label"), RANDOM_FOREST["outputs"]["label"][3:4])
    np.testing.assert_allclose(
        result.as_numpy("probabilities"), RANDOM_FOREST["outputs"]["probabilities"][3:4], rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("algorithm", ["gzip", "deflate"])
def test_infer_response_compression(triton, forest, algorithm):
    """response_compression_algorithm sends Accept-Encoding; the server may compress or not, the result must hold."""
    result = triton.infer(
        forest, make_inputs(RANDOM_FOREST, binary=True), outputs=requested(FOREST_OUTPUTS, True),
        response_compression_algorithm=algorithm,
    )
    assert_outputs_match(result, RANDOM_FOREST, binary=True)


@pytest.mark.parametrize("algorithm", ["gzip", "deflate"])
def test_infer_request_compression(triton, forest, algorithm):
    """request_compression_algorithm compresses the whole body and sends Content-Encoding (Triton decodes gzip and
    deflate). A server without it must say so with a 4xx naming the encoding, not misreport the body as bad JSON."""
    try:
        result = triton.infer(
            forest, make_inputs(RANDOM_FOREST, binary=True), outputs=requested(FOREST_OUTPUTS, True),
            request_compression_algorithm=algorithm,
        )
    except InferenceServerException as error:
        assert error.status() is not None and 400 <= int(error.status()) < 500, str(error)
        message = error.message().lower()
        assert "encoding" in message or "compress" in message or algorithm in message, (
            f"Content-Encoding: {algorithm} was rejected with a misleading message: {error.message()}"
        )
    else:
        assert_outputs_match(result, RANDOM_FOREST, binary=True)


def test_infer_empty_batch(triton, forest):
    x = np.zeros((0, 20), dtype=np.float32)
    tensor = httpclient.InferInput("X", [0, 20], "FP32")
    tensor.set_data_from_numpy(x)
    result = triton.infer(forest, [tensor])
    assert result.as_numpy("label").shape == (0,)
    assert result.as_numpy("probabilities").shape == (0, 3)


def test_async_infer(triton, forest):
    pending = triton.async_infer(forest, make_inputs(RANDOM_FOREST, binary=True))
    assert_outputs_match(pending.get_result(timeout=60), RANDOM_FOREST, binary=True)


# --- 4. categorical_pipeline: BYTES inputs --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def categorical(deploy_model):
    name, _ = deploy_model("categorical", "categorical_pipeline")
    return name


@pytest.mark.parametrize("bytes_as_str", [False, True], ids=["bytes-objects", "str-objects"])
def test_infer_bytes_inputs_binary(triton, categorical, bytes_as_str):
    inputs = make_inputs(CATEGORICAL, binary=True, names=CATEGORICAL_INPUTS, bytes_as_str=bytes_as_str)
    result = triton.infer(categorical, inputs, outputs=requested(FOREST_OUTPUTS, binary=True))
    assert_outputs_match(result, CATEGORICAL, binary=True)


@pytest.mark.parametrize("bytes_as_str", [False, True], ids=["bytes-objects", "str-objects"])
def test_infer_bytes_inputs_json(triton, categorical, bytes_as_str):
    """JSON mode. The numeric inputs hold NaN, which tritonclient (python-rapidjson, allow_nan by default) writes as
    the bare token NaN. That is not RFC 8259 JSON, but Triton accepts it (TritonJson::Parse uses rapidjson's
    kParseNanAndInfFlag), so a v2 server must too for this client to work unchanged."""
    inputs = make_inputs(CATEGORICAL, binary=False, names=CATEGORICAL_INPUTS, bytes_as_str=bytes_as_str)
    result = triton.infer(categorical, inputs, outputs=requested(FOREST_OUTPUTS, binary=False))
    assert_outputs_match(result, CATEGORICAL, binary=False)


def test_infer_bytes_inputs_json_without_nan(triton, categorical):
    """JSON mode on the rows without NaN (rows 0 and 3), so only standard JSON goes over the wire."""
    rows = [0, 3]
    inputs = []
    for name in CATEGORICAL_INPUTS:
        array = CATEGORICAL["inputs"][name][rows]
        tensor = httpclient.InferInput(name, list(array.shape), CATEGORICAL["datatypes"][("inputs", name)])
        tensor.set_data_from_numpy(array, binary_data=False)
        inputs.append(tensor)
    result = triton.infer(categorical, inputs, outputs=requested(FOREST_OUTPUTS, binary=False))
    np.testing.assert_array_equal(result.as_numpy("label"), CATEGORICAL["outputs"]["label"][rows])
    np.testing.assert_allclose(
        result.as_numpy("probabilities"), CATEGORICAL["outputs"]["probabilities"][rows], rtol=1e-5, atol=1e-5
    )


def test_infer_bytes_inputs_mixed_encodings(triton, categorical):
    """Binary and JSON inputs in one request: the binary section holds only the binary ones, in input order (here
    `color` goes as JSON between binary inputs; the numeric inputs hold NaN, so they stay binary)."""
    inputs = []
    for name in CATEGORICAL_INPUTS:
        inputs += make_inputs(CATEGORICAL, binary=name != "color", names=[name])
    result = triton.infer(categorical, inputs, outputs=requested(FOREST_OUTPUTS, binary=True))
    assert_outputs_match(result, CATEGORICAL, binary=True)


# --- 5. a specific version via model_version ------------------------------------------------------------------------

def test_infer_specific_version(triton, deploy_model):
    name, versions = deploy_model("twoface", "random_forest", "gbr", deployed=0)
    v1, v2 = versions[0]["version"], versions[1]["version"]
    assert v1 != v2

    # Unversioned = production = v1, the classifier.
    result = triton.infer(name, make_inputs(RANDOM_FOREST, binary=True), outputs=requested(FOREST_OUTPUTS, True))
    assert_outputs_match(result, RANDOM_FOREST, binary=True)
    assert result.get_response()["model_version"] == v1

    # v2, the regressor, by registration number and by semantic version, though it is not deployed.
    for version in ("2", v2):
        result = triton.infer(name, make_inputs(GBR, binary=True), model_version=version)
        assert_outputs_match(result, GBR, binary=True)
        assert result.get_response()["model_version"] == v2
        result = triton.infer(
            name, make_inputs(GBR, binary=False), model_version=version, outputs=requested(["variable"], False)
        )
        assert_outputs_match(result, GBR, binary=False)
        metadata = triton.get_model_metadata(name, model_version=version)
        assert [tensor["name"] for tensor in metadata["outputs"]] == ["variable"], metadata
        assert metadata["versions"] == [v2], metadata
        assert triton.is_model_ready(name, model_version=version) is True

    # v1 by number, explicitly.
    result = triton.infer(name, make_inputs(RANDOM_FOREST, binary=True), model_version="1")
    assert_outputs_match(result, RANDOM_FOREST, binary=True)
    assert result.get_response()["model_version"] == v1


# --- 6. client errors ------------------------------------------------------------------------------------------------

def _forest_input(name="X", array=None, datatype="FP32", binary=True):
    array = RANDOM_FOREST["inputs"]["X"] if array is None else array
    tensor = httpclient.InferInput(name, list(array.shape), datatype)
    tensor.set_data_from_numpy(array, binary_data=binary)
    return tensor


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
def test_error_wrong_input_name(triton, forest, binary):
    error = client_error(lambda: triton.infer(forest, [_forest_input(name="Y", binary=binary)]))
    assert "Y" in error.message() or "X" in error.message(), error.message()


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
def test_error_wrong_width(triton, forest, binary):
    narrow = np.ascontiguousarray(RANDOM_FOREST["inputs"]["X"][:, :19])
    error = client_error(lambda: triton.infer(forest, [_forest_input(array=narrow, binary=binary)]))
    assert "X" in error.message() or "shape" in error.message().lower(), error.message()


def test_error_wrong_rank(triton, forest):
    flat = RANDOM_FOREST["inputs"]["X"].reshape(-1)
    client_error(lambda: triton.infer(forest, [_forest_input(array=flat)]))


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
@pytest.mark.parametrize("datatype", ["FP64", "INT32", "BYTES"])
def test_error_wrong_datatype(triton, forest, binary, datatype):
    x = RANDOM_FOREST["inputs"]["X"]
    array = {
        "FP64": x.astype(np.float64),
        "INT32": x.astype(np.int32),
        "BYTES": np.array([str(value).encode() for value in x.flatten()], dtype=np.object_).reshape(x.shape),
    }[datatype]
    error = client_error(lambda: triton.infer(forest, [_forest_input(array=array, datatype=datatype, binary=binary)]))
    message = error.message()
    assert "X" in message and "type" in message.lower(), message


def test_error_binary_size_disagrees_with_shape(triton, forest):
    """The declared shape says 17 rows but the binary section holds 16."""
    tensor = _forest_input(array=np.ascontiguousarray(RANDOM_FOREST["inputs"]["X"][:16]))
    tensor.set_shape([17, 20])
    client_error(lambda: triton.infer(forest, [tensor]))


def test_error_json_data_count_disagrees_with_shape(triton, forest):
    tensor = _forest_input(array=np.ascontiguousarray(RANDOM_FOREST["inputs"]["X"][:16]), binary=False)
    tensor.set_shape([17, 20])
    client_error(lambda: triton.infer(forest, [tensor]))


def test_error_missing_input(triton, categorical):
    inputs = make_inputs(CATEGORICAL, binary=True, names=[name for name in CATEGORICAL_INPUTS if name != "color"])
    error = client_error(lambda: triton.infer(categorical, inputs))
    assert "color" in error.message(), error.message()


def test_error_unknown_requested_output(triton, forest):
    error = client_error(
        lambda: triton.infer(forest, make_inputs(RANDOM_FOREST, binary=True), outputs=requested(["nope"], True))
    )
    assert "nope" in error.message(), error.message()


def test_server_still_serves_after_errors(triton, forest):
    for _ in range(3):
        client_error(lambda: triton.infer(forest, [_forest_input(name="Y")]))
    result = triton.infer(forest, make_inputs(RANDOM_FOREST, binary=True), outputs=requested(FOREST_OUTPUTS, True))
    assert_outputs_match(result, RANDOM_FOREST, binary=True)


# --- 7. hot swap ------------------------------------------------------------------------------------------------------

def test_hot_swap_is_visible(triton, registry, deploy_model):
    name, versions = deploy_model("swap", "random_forest", "gbr", deployed=0)
    v1, v2 = versions[0]["version"], versions[1]["version"]

    before = triton.infer(name, make_inputs(RANDOM_FOREST, binary=True))
    assert_outputs_match(before, RANDOM_FOREST, binary=True)
    assert before.get_response()["model_version"] == v1

    registry.deploy(name, v2)
    assert registry.version(name, v2)["serving"]["servable"] is True, registry.version(name, v2)

    # Both versions take X [N, 20] FP32, so the same client call now reaches the regressor.
    after = triton.infer(name, make_inputs(GBR, binary=True))
    assert_outputs_match(after, GBR, binary=True)
    assert after.get_response()["model_version"] == v2
    assert triton.is_model_ready(name) is True
    metadata = triton.get_model_metadata(name)
    assert metadata["versions"] == [v2], metadata
    assert [tensor["name"] for tensor in metadata["outputs"]] == ["variable"], metadata

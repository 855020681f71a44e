"""all-MiniLM-L6-v2 served by Modelyard, through the clients embedding users already run: OpenAI's Python client
(/v1/embeddings) and tritonclient (Open Inference Protocol, BYTES input). Every vector of the 100 sentences is
within cosine 0.99999 of sentence-transformers', from the ONNX export and from model.safetensors."""

import numpy as np
import pytest
import tritonclient.http as httpclient
from openai import BadRequestError, OpenAI

from conftest import cosines


@pytest.fixture(scope="module")
def openai_client(server_url):
    return OpenAI(base_url=f"{server_url}/v1", api_key="not-needed-without-auth", timeout=600, max_retries=0)


@pytest.mark.parametrize("weights", ["onnx", "safetensors"])
def test_openai_client_gets_sentence_transformers_vectors(openai_client, minilm, versions, weights):
    response = openai_client.embeddings.create(
        model=f"minilm@{versions[weights]}", input=minilm["sentences"], encoding_format="float")
    assert [item.index for item in response.data] == list(range(100))
    got = np.array([item.embedding for item in response.data])
    assert got.shape == (100, 384)
    similarity = cosines(got, minilm["embeddings"])
    assert similarity.min() >= 0.99999, (weights, similarity.min(), int(similarity.argmin()))
    assert response.usage.prompt_tokens == sum(minilm["token_counts"])


def test_openai_client_default_base64_and_the_production_alias(openai_client, minilm, versions):
    # The client asks for base64 by default and decodes it itself.
    response = openai_client.embeddings.create(model="minilm", input=minilm["sentences"][:3])
    got = np.array([item.embedding for item in response.data])
    assert cosines(got, minilm["embeddings"][:3]).min() >= 0.99999
    one = openai_client.embeddings.create(model="minilm@production", input=minilm["sentences"][0])
    assert len(one.data) == 1 and len(one.data[0].embedding) == 384


def test_openai_client_sees_clear_errors(openai_client, versions):
    with pytest.raises(BadRequestError) as refused:
        openai_client.embeddings.create(model="minilm", input="x", dimensions=128)
    assert "dimensions 128 is not offered" in str(refused.value)
    with pytest.raises(BadRequestError) as tokens:
        openai_client.embeddings.create(model="minilm", input=[[101, 2023, 102]])
    assert "token ids" in str(tokens.value)


@pytest.mark.parametrize("binary", [False, True])
def test_tritonclient_embeds_bytes_inputs(server_url, minilm, versions, binary):
    client = httpclient.InferenceServerClient(url=server_url.removeprefix("http://"), network_timeout=600.0)
    try:
        texts = np.array([s.encode() for s in minilm["sentences"][:4]], dtype=np.object_)
        tensor = httpclient.InferInput("text", [4], "BYTES")
        tensor.set_data_from_numpy(texts, binary_data=binary)
        output = httpclient.InferRequestedOutput("embedding", binary_data=binary)
        result = client.infer("minilm", [tensor], outputs=[output])
        got = result.as_numpy("embedding")
        assert got.shape == (4, 384) and got.dtype == np.float32
        assert cosines(got, minilm["embeddings"][:4]).min() >= 0.99999
        metadata = client.get_model_metadata("minilm")
        assert metadata["inputs"] == [{"name": "text", "datatype": "BYTES", "shape": [-1]}], metadata
    finally:
        client.close()

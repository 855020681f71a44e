"""The shipped benchmark suites (suites/) run on all-MiniLM-L6-v2 by the server, checked against an independent
scorer: the sentence-transformers reference vectors of the same texts, ranked and correlated here with NumPy and
SciPy. Both builds of the model (ONNX export, model.safetensors) must reach the reference's scores, and the stored
results must compare side by side in every export format."""

import json
import subprocess
import sys

import numpy as np
import pytest
import requests
from scipy.stats import pearsonr, spearmanr

from conftest import MINILM, REPO_ROOT

SUITES = REPO_ROOT / "suites"


def read_suite(name):
    return [json.loads(line) for line in (SUITES / name).read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def reference_vectors(minilm, tmp_path_factory):
    """Reference vectors of every text of both suites, keyed by text."""
    texts = []
    for record in read_suite("modelyard-mini-retrieval.jsonl") + read_suite("modelyard-mini-pairs.jsonl"):
        for key in ("text", "text1", "text2"):
            if key in record and record[key] not in texts:
                texts.append(record[key])
    work = tmp_path_factory.mktemp("suite-reference")
    (work / "texts.txt").write_text("\n".join(texts) + "\n")
    subprocess.run([sys.executable, str(MINILM), "reference", str(minilm["safetensors"]), str(work / "texts.txt"),
                    str(work / "out.json")], check=True)
    data = json.loads((work / "out.json").read_text())
    assert data["sentences"] == texts
    return dict(zip(texts, np.array(data["embeddings"])))


@pytest.fixture(scope="module")
def suites(server_url):
    for name, file in [("mini-retrieval", "modelyard-mini-retrieval.jsonl"), ("mini-pairs", "modelyard-mini-pairs.jsonl")]:
        put = requests.put(f"{server_url}/api/v1/benchmark-suites/{name}", data=(SUITES / file).read_bytes(), timeout=60)
        assert put.status_code == 201, put.text
    return {"retrieval": "mini-retrieval", "pairs": "mini-pairs"}


def unit(rows):
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def retrieval_oracle(vectors):
    """nDCG@10 (linear gains), MRR@10 and recall@10 by brute force over the reference vectors."""
    records = read_suite("modelyard-mini-retrieval.jsonl")
    queries = [r for r in records if r["type"] == "query"]
    documents = [r for r in records if r["type"] == "document"]
    qrels = {}
    for r in records:
        if r["type"] == "judgement" and r.get("relevance", 1) > 0:
            qrels.setdefault(r["query"], {})[r["document"]] = r.get("relevance", 1)
    scores = unit([vectors[q["text"]] for q in queries]) @ unit([vectors[d["text"]] for d in documents]).T
    ndcg, mrr, recall = [], [], []
    for i, query in enumerate(queries):
        ranked = [documents[j]["id"] for j in np.argsort(-scores[i], kind="stable")[:10]]
        gains = [qrels[query["id"]].get(doc, 0) for doc in ranked]
        ideal = sorted(qrels[query["id"]].values(), reverse=True)[:10]
        discount = 1 / np.log2(np.arange(2, 12))
        ndcg.append(np.dot(gains, discount[:len(gains)]) / np.dot(ideal, discount[:len(ideal)]))
        hits = [rank for rank, gain in enumerate(gains, 1) if gain > 0]
        mrr.append(1 / hits[0] if hits else 0)
        recall.append(len(hits) / len(qrels[query["id"]]))
    return {"ndcg@10": np.mean(ndcg), "mrr@10": np.mean(mrr), "recall@10": np.mean(recall)}


def pairs_oracle(vectors):
    pairs = read_suite("modelyard-mini-pairs.jsonl")
    a, b = unit([vectors[p["text1"]] for p in pairs]), unit([vectors[p["text2"]] for p in pairs])
    similarity = (a * b).sum(axis=1)
    gold = [p["score"] for p in pairs]
    return {"spearman": spearmanr(similarity, gold).statistic, "pearson": pearsonr(similarity, gold).statistic}


@pytest.mark.parametrize("kind", ["retrieval", "pairs"])
@pytest.mark.parametrize("weights", ["onnx", "safetensors"])
def test_suite_scores_match_an_independent_scorer(server_url, versions, suites, reference_vectors, kind, weights):
    run = requests.post(f"{server_url}/api/v1/models/minilm/versions/{versions[weights]}/benchmark",
                        json={"suite": suites[kind]}, timeout=600)
    assert run.status_code == 201, run.text
    result = run.json()["suite"]
    expected = retrieval_oracle(reference_vectors) if kind == "retrieval" else pairs_oracle(reference_vectors)
    assert set(result["metrics"]) == set(expected)
    for name, value in expected.items():
        assert abs(result["metrics"][name] - value) < 1e-4, (weights, name, result["metrics"][name], value)
    # The suites tell a working model from a broken one: MiniLM ranks and scores them well.
    if kind == "retrieval":
        assert expected["ndcg@10"] > 0.8 and expected["recall@10"] > 0.9, expected
    else:
        assert expected["spearman"] > 0.8, expected
    assert [m["batch"] for m in run.json()["measurements"]] == [1, 32]


def test_stored_results_compare_side_by_side(server_url, versions, suites):
    for version in (versions["onnx"], versions["safetensors"]):
        ran = requests.post(f"{server_url}/api/v1/models/minilm/versions/{version}/benchmark",
                            json={"suite": suites["pairs"]}, timeout=600)
        assert ran.status_code == 201, ran.text
    table = requests.get(f"{server_url}/api/v1/models/minilm/benchmarks",
                         params={"suite": suites["pairs"], "versions": f"{versions['onnx']},{versions['safetensors']}"},
                         timeout=60).json()
    assert table["baseline"] == versions["onnx"] and [row["version"] for row in table["rows"]] == [
        versions["onnx"], versions["safetensors"]]
    assert [c["name"] for c in table["columns"]][:2] == ["spearman", "pearson"]
    # The same weights built two ways: quality is unchanged to four decimals.
    assert abs(table["rows"][1]["change_percent"][0]) < 0.01
    csv = requests.get(f"{server_url}/api/v1/models/minilm/benchmarks",
                       params={"suite": suites["pairs"], "format": "csv"}, timeout=60)
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("\r\n") == 3

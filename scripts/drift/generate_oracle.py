#!/usr/bin/env python3
"""Writes the drift oracle fixtures: reference/current pairs (CSV) and Evidently's DataDriftPreset verdicts on them
(JSON: per column the method, the statistic and whether it drifted; the dataset's drifted count and share).
Evidently reads the CSVs back with pandas first, so both sides see the same values and column types (a column of
numbers is numerical, anything else categorical). Scenarios: unshifted, mean shift, variance change, a new
category, a categorical share change, binary columns, missing values, a constant column, small (<= 1,000 rows) and
large (> 1,000 rows) references, a reference with more distinct values than Modelyard keeps exactly, and 1 to 100
columns.
Usage: .venv-drift/bin/python scripts/drift/generate_oracle.py --out fixtures/drift
(the venv: scripts/setup-venv.sh .venv-drift scripts/drift/requirements.txt)
"""
import argparse
import json
import os
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
from evidently import Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

METHODS = {"K-S p_value": "ks", "chi-square p_value": "chisquare", "Z-test p_value": "z",
           "Wasserstein distance (normed)": "wasserstein", "Jensen-Shannon distance": "jensenshannon", "PSI": "psi"}


def frame(rng, rows, shift=0.0, scale=1.0, shares=(0.5, 0.3, 0.2), words=("web", "app", "store"), missing=0.0,
          extra=0):
    data = {
        "amount": np.round(rng.randn(rows) * scale + shift, 4),
        "age": rng.randint(18, 80, rows).astype(float),
        "channel": rng.choice(list(words), rows, p=list(shares)),
        "fraud": rng.choice([0, 1], rows, p=[0.9, 0.1]).astype(float),
        "flag": rng.choice(["yes", "no"], rows),
        "constant": np.full(rows, 7.0),
    }
    for k in range(extra):
        data[f"x{k}"] = np.round(rng.randn(rows) + (shift if k % 2 else 0), 2)
    df = pd.DataFrame(data)
    if missing:
        for column in ("amount", "channel"):
            df.loc[rng.rand(rows) < missing, column] = np.nan
    return df


def scenarios():
    rng = np.random.RandomState(7)
    yield "unshifted_small", frame(rng, 600), frame(rng, 400)
    yield "mean_shift_small", frame(rng, 600), frame(rng, 400, shift=0.4)
    yield "variance_small", frame(rng, 800), frame(rng, 500, scale=2.0)
    yield "new_category_small", frame(rng, 500), frame(rng, 300, words=("web", "app", "kiosk"))
    yield "share_change_small", frame(rng, 700), frame(rng, 400, shares=(0.2, 0.3, 0.5))
    yield "missing_small", frame(rng, 600, missing=0.1), frame(rng, 400, missing=0.3)
    yield "tiny", frame(rng, 40), frame(rng, 25, shift=1.0)
    yield "unshifted_large", frame(rng, 1500), frame(rng, 1000)
    yield "mean_shift_large", frame(rng, 1500), frame(rng, 800, shift=0.3)
    yield "share_change_large", frame(rng, 1300), frame(rng, 700, shares=(0.3, 0.3, 0.4))
    yield "missing_large", frame(rng, 1300, missing=0.05), frame(rng, 800, shift=0.2, missing=0.2)
    yield "wide", frame(rng, 1020, extra=94), frame(rng, 300, shift=0.25, extra=94)
    yield "one_column", frame(rng, 300)[["amount"]], frame(rng, 200, shift=2)[["amount"]]
    # Above the exact size: more than 10,000 distinct reference values, so Modelyard keeps a sketch.
    yield "sketched_reference", frame(rng, 15000)[["amount"]], frame(rng, 3000, shift=0.05)[["amount"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, reference, current in scenarios():
        reference.to_csv(os.path.join(args.out, f"{name}.reference.csv"), index=False)
        current.to_csv(os.path.join(args.out, f"{name}.current.csv"), index=False)
        ref = pd.read_csv(os.path.join(args.out, f"{name}.reference.csv"))
        cur = pd.read_csv(os.path.join(args.out, f"{name}.current.csv"))
        snapshot = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref).dict()
        columns = {}
        dataset = None
        for metric in snapshot["metrics"]:
            config = metric["config"]
            if config["type"].endswith("DriftedColumnsCount"):
                dataset = {"count": metric["value"]["count"], "share": metric["value"]["share"],
                           "drift_share": config["drift_share"]}
            elif config["type"].endswith("ValueDrift"):
                method = METHODS[config["method"]]
                value = float(metric["value"])
                threshold = float(config["threshold"])
                drifted = value <= threshold if method == "ks" else value < threshold if method in ("chisquare", "z") \
                    else value >= threshold
                columns[config["column"]] = {"method": method, "statistic": value, "threshold": threshold,
                                             "drifted": drifted}
        with open(os.path.join(args.out, f"{name}.json"), "w") as fh:
            json.dump({"columns": columns, "dataset": dataset}, fh, indent=1, sort_keys=True)
    print(f"drift oracle written to {args.out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Times Evidently's DataDriftPreset report on a reference/current pair of CSVs (the drift benchmark's baseline):
the CSVs are read with pandas first (not timed), then the report is run and rendered to a dict `--runs` times; the
best time is printed as JSON with each column's statistic, the drifted count, and the process's peak RSS after
loading and after the reports.
Usage: .venv-drift/bin/python scripts/drift/bench_evidently.py --reference r.csv --current c.csv [--runs 1]
"""
import argparse
import json
import resource
import time
import warnings

import pandas as pd

warnings.filterwarnings("ignore")
from evidently import Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--current", required=True)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    reference = pd.read_csv(args.reference)
    current = pd.read_csv(args.current)
    loaded = rss_mb()
    best = float("inf")
    snapshot = None
    for _ in range(args.runs):
        start = time.perf_counter()
        snapshot = Report([DataDriftPreset()]).run(current_data=current, reference_data=reference).dict()
        best = min(best, time.perf_counter() - start)
    columns = {}
    drifted = None
    for metric in snapshot["metrics"]:
        config = metric["config"]
        if config["type"].endswith("DriftedColumnsCount"):
            drifted = metric["value"]["count"]
        elif config["type"].endswith("ValueDrift"):
            columns[config["column"]] = float(metric["value"])
    print(json.dumps({"seconds": best, "drifted": drifted, "columns": columns, "rss_loaded_mb": loaded,
                      "rss_peak_mb": rss_mb()}))


if __name__ == "__main__":
    main()

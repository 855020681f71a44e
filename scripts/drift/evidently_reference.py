#!/usr/bin/env python3
"""Prints the expected values of Tests/DriftStatisticsTests/ColumnDriftTests.swift: Evidently's own default method
choice and stattests (legacy API of the pinned version, scripts/drift/requirements.txt) on columns generated from
the same formulas as the Swift test. Usage: .venv-drift/bin/python scripts/drift/evidently_reference.py
(make the venv with scripts/setup-venv.sh .venv-drift scripts/drift/requirements.txt)."""
import numpy as np, pandas as pd, warnings
warnings.filterwarnings("ignore")
from evidently.legacy.calculations.stattests.registry import _get_default_stattest
from evidently.legacy.calculations.stattests.ks_stattest import _ks_stat_test
from evidently.legacy.calculations.stattests.chisquare_stattest import _chi_stat_test
from evidently.legacy.calculations.stattests.z_stattest import _z_stat_test
from evidently.legacy.calculations.stattests.wasserstein_distance_norm import _wasserstein_distance_norm
from evidently.legacy.calculations.stattests.jensenshannon import _jensenshannon
from evidently.legacy.calculations.stattests.psi import _psi
from evidently.legacy.core import ColumnType
F = {"ks": _ks_stat_test, "chisquare": _chi_stat_test, "z": _z_stat_test, "wasserstein": _wasserstein_distance_norm, "jensenshannon": _jensenshannon, "psi": _psi}
def num(n, a, m, scale, shift): return pd.Series([((i * a) % m) / scale + shift for i in range(n)], dtype=float)
def cat(n, words, a): return pd.Series([words[(i * a) % len(words)] if (i * a) % 7 else words[0] for i in range(n)], dtype=object)
cases = [
 ("numericSmall", num(200, 37, 101, 10, 0), num(150, 53, 89, 10, 0.5), ColumnType.Numerical, None),
 ("numericLarge", num(1500, 37, 1009, 10, 0), num(1200, 53, 997, 10, 3), ColumnType.Numerical, None),
 ("categorical", cat(300, ["a", "b", "c"], 5), cat(200, ["a", "b", "c", "c"], 3), ColumnType.Categorical, None),
 ("binary", cat(400, ["no", "yes"], 3), cat(300, ["no", "yes", "yes"], 2), ColumnType.Categorical, None),
 ("categoricalLarge", cat(2000, ["x", "y", "z", "w"], 3), cat(900, ["x", "y", "z", "new"], 5), ColumnType.Categorical, None),
 ("jsNumeric", num(1500, 37, 1009, 10, 0), num(1200, 53, 997, 10, 3), ColumnType.Numerical, "jensenshannon"),
 ("psiNumeric", num(800, 37, 1009, 10, 0), num(700, 53, 997, 10, 30), ColumnType.Numerical, "psi"),
 ("psiCategorical", cat(300, ["a", "b", "c"], 5), cat(200, ["a", "b", "d"], 3), ColumnType.Categorical, "psi"),
 ("fewNumbers", num(500, 3, 4, 1, 0), num(400, 5, 4, 1, 0), ColumnType.Numerical, None),
]
for name, ref, cur, kind, method in cases:
    m = method or _get_default_stattest(ref, cur, kind).name
    value, drift = F[m](ref, cur, kind, 0.05 if m in ("ks", "chisquare", "z") else 0.1)
    print(f'        ("{name}", "{m}", {float(value)!r}, {bool(drift)}),'.replace("True", "true").replace("False", "false"))

"""A pooled answer across pilots: the mean relative effect of the pilots that started together.

Why a combination of the per-pilot synthetic controls, and not synthetic DiD or
Callaway-Sant'Anna over the treated regions: the funders' question is whether the service
model changed the outcomes *in the pilots*, each judged against its own comparable regions;
each pilot's estimate and uncertainty (from its own out-of-sample errors) are calibrated one by
one (``benchmarks/impact_quality.py``), and combining them keeps that, where a pooled DiD over
two to four treated regions would again rest on placebo inference with few treated units.

Method, per outcome and group of pilots (one region category, or all) that started in the same
year:

* Each pilot's average effect on the log scale, ``l_i = log(observed / counterfactual)`` (so the
  pooled percent change ``100 (exp(l) - 1)`` never passes -100%), with standard error
  ``s_i = se_i / counterfactual_i`` (its relative backtest error) and ``df_i``.
* **Equal weights**, ``l = mean_i l_i``: the pooled effect is the average pilot's. Weights from
  the ``s_i`` would rest on variances estimated from a few effective backtests each, and a pilot
  whose variance is underestimated by chance would get a large weight: on 60 demo worlds without
  an effect, precision weights rejected no effect in 8.3% of tests at the 5% level, equal weights
  in 3.3%.
* **Independent pilots**: variance ``sum_i s_i^2 / n^2``. Each pilot's error comes from its own
  region and its own comparison; what is common to all regions is removed by the comparisons.
  Correlations estimated from a dozen common backtest origins are too noisy to use (clipped at
  zero they inflated the variance: 1.7% rejections; unclipped they deflated it: 6.7%), so the
  mean pairwise correlation of the pilots' backtest errors is reported as a diagnostic
  (``error_correlation``) instead; a large value warns that the interval is too narrow.
* Degrees of freedom by Welch-Satterthwaite from the ``df_i``; interval, p-value and minimum
  detectable effect from ``t``, as for one pilot.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["pool_pilots", "POOLED_COLUMNS"]

POOLED_COLUMNS = ["group", "outcome", "adoption_year", "n_pilots", "pilots", "percent", "percent_lower",
                  "percent_upper", "log_effect", "se_log", "dof", "p_value", "mde_percent", "weights",
                  "error_correlation", "method"]


def pool_pilots(pilots: Mapping[str, Mapping], alpha: float, power: float) -> pd.DataFrame:
    """Pooled effects per group and outcome (module docstring).

    Parameters
    ----------
    pilots : mapping
        Pilot key -> ``{"category": str, "adoption_year": int, "effects": DataFrame,
        "backtests": DataFrame}``: a pilot's ``effects.parquet`` and ``backtests.parquet``
        (:mod:`aoresearch.impact.outputs`). Pilots without post-adoption effects are ignored.
    alpha, power : float

    Returns
    -------
    DataFrame with :data:`POOLED_COLUMNS`; one row per group ("all" and each category with
    at least two pilots) and outcome estimated in at least two of its pilots.
    """
    rows = []
    units = _pilot_rows(pilots)
    if units.empty:
        return pd.DataFrame(columns=POOLED_COLUMNS)
    groups = {"all": units}
    groups |= {category: part for category, part in units.groupby("category")}
    for group, part in groups.items():
        for (outcome, year), cell in part.groupby(["outcome", "adoption_year"]):
            if len(cell) >= 2:
                rows.append(_pool(group, outcome, int(year), cell, pilots, alpha, power))
    frame = pd.DataFrame(rows, columns=POOLED_COLUMNS)
    return frame.sort_values(["outcome", "group"], kind="mergesort").reset_index(drop=True)


def _pilot_rows(pilots: Mapping[str, Mapping]) -> pd.DataFrame:
    records = []
    for key, pilot in pilots.items():
        effects = pilot.get("effects")
        if effects is None or effects.empty:
            continue
        average = effects[(effects["estimator"] == "synthetic_control") & (effects["period"] == "average")]
        for row in average.itertuples():
            usable = np.isfinite(row.se) and row.se > 0 and row.counterfactual > 0 and row.observed > 0
            if usable:
                records.append({"pilot": key, "category": pilot["category"], "adoption_year": pilot["adoption_year"],
                                "outcome": row.outcome, "log_effect": float(np.log(row.observed / row.counterfactual)),
                                "se_log": float(row.se / row.counterfactual), "dof": float(row.dof),
                                "n_post": int((effects["estimator"].eq("synthetic_control") & effects["outcome"].eq(row.outcome)).sum() - 1)})
    return pd.DataFrame(records)


def _pool(group: str, outcome: str, year: int, cell: pd.DataFrame, pilots: Mapping, alpha: float, power: float) -> dict:
    keys = list(cell["pilot"])
    s = cell["se_log"].to_numpy()
    w = np.full(len(keys), 1.0 / len(keys))
    parts = (w * s) ** 2
    se = float(np.sqrt(np.sum(parts)))
    dof = float(np.sum(parts) ** 2 / np.sum(parts**2 / cell["dof"].to_numpy()))
    estimate = float(w @ cell["log_effect"].to_numpy())
    q = float(stats.t.ppf(1 - alpha / 2, dof))
    mde_log = (q + float(stats.t.ppf(power, dof))) * se
    corr = _error_correlation(keys, outcome, int(cell["n_post"].iloc[0]), pilots)
    off_diagonal = corr[~np.eye(len(keys), dtype=bool)]
    method = (f"mean of {len(keys)} pilots' synthetic-control effects on the log scale, pilots independent; "
              f"t with {dof:.1f} df (Welch-Satterthwaite)")
    return {"group": group, "outcome": outcome, "adoption_year": year, "n_pilots": len(keys), "pilots": ",".join(keys),
            "percent": 100 * float(np.expm1(estimate)), "percent_lower": 100 * float(np.expm1(estimate - q * se)),
            "percent_upper": 100 * float(np.expm1(estimate + q * se)), "log_effect": estimate, "se_log": se, "dof": dof,
            "p_value": float(2 * stats.t.sf(abs(estimate) / se, dof)), "mde_percent": 100 * float(-np.expm1(-mde_log)),
            "weights": ",".join(f"{k}:{v:.3f}" for k, v in zip(keys, w)),
            "error_correlation": float(np.nanmean(off_diagonal)) if off_diagonal.size else float("nan"), "method": method}


def _error_correlation(keys: list[str], outcome: str, n_post: int, pilots: Mapping) -> np.ndarray:
    """Correlations of the pilots' ``n_post``-year average relative backtest errors over common
    origins (NaN for a pair with fewer than 3)."""
    series = {}
    for key in keys:
        backtests = pilots[key].get("backtests")
        if backtests is None or backtests.empty:
            continue
        rows = backtests[(backtests["outcome"] == outcome) & (backtests["lead"] < n_post)]
        wide = rows.pivot(index="origin", columns="lead", values="error")
        complete = wide.dropna()
        if wide.shape[1] == n_post and not complete.empty:
            scale = rows.groupby("origin")["counterfactual"].mean().reindex(complete.index)
            series[key] = complete.mean(axis=1) / scale
    corr = np.full((len(keys), len(keys)), np.nan)
    np.fill_diagonal(corr, 1.0)
    for i, a in enumerate(keys):
        for j, b in enumerate(keys[:i]):
            if a in series and b in series:
                common = series[a].index.intersection(series[b].index)
                if len(common) >= 3:
                    x, y = series[a][common].to_numpy(), series[b][common].to_numpy()
                    r = float(x @ y / np.sqrt((x @ x) * (y @ y))) if x.any() and y.any() else 0.0
                    corr[i, j] = corr[j, i] = r
    return corr

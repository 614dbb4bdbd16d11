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
* **Uncertainty from the pooled estimate's own backtests.** At every backtest origin the pilots
  share (same adoption year, same ``fit_start_year``), the equal-weight mean of their relative
  backtest errors is the error the pooled estimate would have made there. Its ``h``-year
  averages give the scale, their overlap and persistence the ``t`` degrees of freedom, exactly
  as for one pilot (:class:`aoresearch.impact._sc_backtest.Backtests`), so interval, p-value and
  minimum detectable effect agree. This keeps the correlation between pilots without
  estimating it: on the real extract the two cities' backtest errors correlate at 0.68
  (``benchmarks/impact_real.py``), and treating pilots as independent (variance
  ``sum_i s_i^2 / n^2`` with Welch-Satterthwaite degrees of freedom, the previous method)
  understates the pooled uncertainty there. On 150 demo worlds per scenario
  (``benchmarks/impact_quality.py --datasets 150 --outcomes oohc_per_1000 --validate-every 0``)
  the 95% coverage of the pooled effect with effect / without effect was 0.953 / 0.980 (all
  four pilots), 0.953 / 0.967 (the two cities), 0.953 / 0.987 (the two counties); the
  independent-pilots method (the same command at commit 02962f0) gave 0.953 / 0.980,
  0.940 / 0.980 and 0.987 / 0.987. The mean
  pairwise correlation of the pilots' errors is reported too (``error_correlation``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aoresearch.impact._sc_backtest import Backtests, TInference

__all__ = ["pool_pilots", "POOLED_COLUMNS"]

POOLED_COLUMNS = ["group", "outcome", "adoption_year", "n_pilots", "pilots", "percent", "percent_lower",
                  "percent_upper", "log_effect", "se_log", "dof", "p_value", "mde_percent", "weights",
                  "error_correlation", "method"]


def pool_pilots(pilots: Mapping[str, Mapping], alpha: float, power: float, min_backtests: int = 5) -> pd.DataFrame:
    """Pooled effects per group and outcome (module docstring).

    Parameters
    ----------
    pilots : mapping
        Pilot key -> ``{"category": str, "adoption_year": int, "effects": DataFrame,
        "backtests": DataFrame}``: a pilot's ``effects.parquet`` and ``backtests.parquet``
        (:mod:`aoresearch.impact.outputs`). Pilots without post-adoption effects are ignored.
    alpha, power : float
    min_backtests : int
        Fewest common backtests behind an interval (``impact.min_backtests``).

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
                rows.append(_pool(group, outcome, int(year), cell, pilots, alpha, power, min_backtests))
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


def _pool(group: str, outcome: str, year: int, cell: pd.DataFrame, pilots: Mapping, alpha: float, power: float,
          min_backtests: int) -> dict:
    keys = list(cell["pilot"])
    n_post = int(cell["n_post"].iloc[0])
    w = np.full(len(keys), 1.0 / len(keys))
    estimate = float(w @ cell["log_effect"].to_numpy())
    inference = _pooled_backtests(keys, outcome, n_post, pilots, min_backtests)
    lower, upper = inference.interval(estimate, alpha)
    corr = _error_correlation(keys, outcome, n_post, pilots)
    off_diagonal = corr[~np.eye(len(keys), dtype=bool)]
    if inference.usable:
        method = (f"mean of {len(keys)} pilots' synthetic-control effects on the log scale; interval from "
                  f"{inference.n} backtests of that mean, t with {inference.dof:.1f} df")
    else:
        method = (f"mean of {len(keys)} pilots' synthetic-control effects on the log scale; no interval: "
                  f"{inference.n} common backtests, impact.min_backtests is {min_backtests}")
    return {"group": group, "outcome": outcome, "adoption_year": year, "n_pilots": len(keys), "pilots": ",".join(keys),
            "percent": 100 * float(np.expm1(estimate)), "percent_lower": 100 * float(np.expm1(lower)),
            "percent_upper": 100 * float(np.expm1(upper)), "log_effect": estimate, "se_log": inference.scale,
            "dof": inference.dof, "p_value": inference.p_value(estimate),
            "mde_percent": 100 * float(-np.expm1(-inference.mde(alpha, power))),
            "weights": ",".join(f"{k}:{v:.3f}" for k, v in zip(keys, w)),
            "error_correlation": float(np.nanmean(off_diagonal)) if off_diagonal.size else float("nan"), "method": method}


def _pooled_backtests(keys: list[str], outcome: str, n_post: int, pilots: Mapping, min_backtests: int) -> TInference:
    """Relative inference for the equal-weight mean effect over ``n_post`` years, from the mean
    of the pilots' relative backtest errors at their common origins and leads (module docstring)."""
    relative = {}
    for key in keys:
        backtests = pilots[key].get("backtests")
        if backtests is None or backtests.empty:
            return TInference(float("nan"), 0.0, 0)
        rows = backtests[backtests["outcome"] == outcome]
        index = pd.MultiIndex.from_frame(rows[["origin", "lead"]])
        relative[key] = pd.Series((rows["error"] / rows["counterfactual"]).to_numpy(), index=index)
    mean = pd.concat(relative, axis=1).dropna().mean(axis=1).unstack("lead").sort_index()
    if mean.empty:
        return TInference(float("nan"), 0.0, 0)
    mean = mean.reindex(columns=range(int(mean.columns.max()) + 1))
    return Backtests(mean.index.to_numpy(), mean.to_numpy(), 0).average(n_post, min_backtests)


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

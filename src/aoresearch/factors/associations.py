"""Fixed-effects panel regressions of outcome rates on risk and protective factors (pyfixest).

Each specification is estimated with year fixed effects, and with region and year fixed
effects, standard errors clustered by region (CRV1). The default ``hiilamo2023`` specification
follows the ecological analysis of Finnish municipalities in Hiilamo (2023, Itla): children
0-17 placed outside the home per 100,000 population aged 0-18 on the share of families with
children receiving social assistance, controlling for the unemployment rate, municipalities with
more than 1,000 children aged 0-17, 1992-2021 and the decades 1992-2001, 2002-2011, 2012-2021.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf

from aoresearch.errors import PanelStructureError
from aoresearch.config.factors import AssociationSpec

__all__ = ["FIXED_EFFECTS", "SIGNIFICANCE", "fit_association", "run_associations", "associations_metrics", "associations_headline"]

log = logging.getLogger(__name__)
FIXED_EFFECTS = {"year": "year", "region+year": "region + year"}
SIGNIFICANCE = 0.05


def _lagged(panel: pd.DataFrame, columns: tuple[str, ...], lag: int) -> pd.DataFrame:
    """Panel with ``<column>`` replaced by its value ``lag`` years earlier in the same region."""
    if lag == 0:
        return panel
    keyed = panel.set_index(["region", "year"])[list(columns)]
    index = pd.MultiIndex.from_arrays([panel["region"].to_numpy(), panel["year"].to_numpy() - lag])
    return panel.assign(**{c: keyed[c].reindex(index).to_numpy() for c in columns})


def fit_association(
    panel: pd.DataFrame, outcome: str, factors: tuple[str, ...], fixed_effects: str,
    years: tuple[int, int], min_children: float = 0.0, weights: str | None = None, lag: int = 0,
) -> pd.DataFrame:
    """Estimate ``outcome ~ factors | fixed effects`` with CRV1 errors by region.

    Returns one row per factor: estimate, std_error, lower, upper (95%), p_value, n_obs,
    n_regions, r2, r2_within.

    Raises
    ------
    PanelStructureError
        If a column is missing or no region-year is left after the filters.
    """
    needed = [outcome, *factors, "children_0_17", *([weights] if weights else [])]
    missing = [c for c in needed if c not in panel.columns]
    if missing:
        raise PanelStructureError(f"association of '{outcome}': panel has no column(s) {missing}.")
    data = _lagged(panel, factors, lag)
    data = data[data["year"].between(*years) & (data["children_0_17"] > min_children)]
    data = data.dropna(subset=[outcome, *factors, *([weights] if weights else [])])
    if data["region"].nunique() < 3:
        raise PanelStructureError(
            f"association of '{outcome}' on {list(factors)} in {years[0]}-{years[1]}: only "
            f"{data['region'].nunique()} regions with complete data and > {min_children:g} children."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(
            f"{outcome} ~ {' + '.join(factors)} | {FIXED_EFFECTS[fixed_effects]}", data,
            vcov={"CRV1": "region"}, weights=weights,
        )
    tidy = fit.tidy()
    return pd.DataFrame({
        "term": list(tidy.index), "estimate": tidy["Estimate"].to_numpy(), "std_error": tidy["Std. Error"].to_numpy(),
        "lower": tidy["2.5%"].to_numpy(), "upper": tidy["97.5%"].to_numpy(), "p_value": tidy["Pr(>|t|)"].to_numpy(),
        "n_obs": int(fit._N), "n_regions": int(data["region"].nunique()),
        "r2": float(fit._r2), "r2_within": float(getattr(fit, "_r2_within", np.nan)),
    })


def run_associations(
    panel: pd.DataFrame, specs: tuple[AssociationSpec, ...], default_outcomes: tuple[str, ...],
    default_factors: tuple[str, ...], roles: dict[str, str],
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Every specification x outcome x period x fixed-effects variant.

    Outcomes or factors without data are skipped with a logged notice, returned in ``skipped``.
    """
    frames, skipped = [], {}
    for spec in specs:
        factors = tuple(f for f in (spec.factors or default_factors) if _has_data(panel, f))
        for f in set(spec.factors or default_factors) - set(factors):
            skipped[f"{spec.name}:{f}"] = "factor has no data in the panel; left out"
        for outcome in spec.outcomes or default_outcomes:
            if not _has_data(panel, outcome) or not factors:
                reason = "outcome has no data in the panel" if factors else "no factor has data"
                skipped[f"{spec.name}:{outcome}"] = reason
                log.warning("associations: %s '%s' skipped: %s", spec.name, outcome, reason)
                continue
            for period, years in spec.periods.items():
                for fe in FIXED_EFFECTS:
                    try:
                        rows = fit_association(panel, outcome, factors, fe, years, spec.min_children, spec.weights, spec.lag)
                    except PanelStructureError as exc:
                        skipped[f"{spec.name}:{outcome}:{period}:{fe}"] = str(exc)
                        log.warning("associations: %s", exc)
                        continue
                    frames.append(rows.assign(
                        spec=spec.name, outcome=outcome, period=period, first_year=years[0], last_year=years[1],
                        fixed_effects=fe, lag=spec.lag, expected_role=rows["term"].map(roles).fillna("unknown"),
                    ))
    columns = ["spec", "outcome", "period", "first_year", "last_year", "fixed_effects", "term", "lag", "expected_role",
               "estimate", "std_error", "lower", "upper", "p_value", "n_obs", "n_regions", "r2", "r2_within"]
    if not frames:
        return pd.DataFrame(columns=columns), skipped
    table = pd.concat(frames, ignore_index=True)[columns]
    return table.sort_values(["spec", "outcome", "first_year", "last_year", "fixed_effects", "term"]).reset_index(drop=True), skipped


def associations_metrics(table: pd.DataFrame, skipped: dict[str, str], synthetic: bool) -> dict:
    """Every fitted model: spec -> outcome -> period -> fixed effects -> N, R2, coefficients with
    95% CI (``data/factors/associations.json``)."""
    out: dict = {}
    for (spec, outcome, period, fe), rows in table.groupby(["spec", "outcome", "period", "fixed_effects"], sort=True):
        first = rows.iloc[0]
        out.setdefault(spec, {}).setdefault(outcome, {}).setdefault(period, {})[fe] = {
            "n_obs": int(first["n_obs"]), "n_regions": int(first["n_regions"]),
            "r2": round(float(first["r2"]), 6), "r2_within": round(float(first["r2_within"]), 6),
            "coefficients": {
                r["term"]: {k: round(float(r[k]), 6) for k in ("estimate", "std_error", "lower", "upper", "p_value")}
                for _, r in rows.iterrows()
            },
        }
    return {"synthetic": bool(synthetic), "specs": out, "skipped": dict(sorted(skipped.items()))}


def associations_headline(table: pd.DataFrame, synthetic: bool) -> dict:
    """The few numbers ``dvc metrics show`` lists (``metrics/associations.json``).

    Returns
    -------
    dict
        ``synthetic`` and ``specs``: per specification ``models`` (outcome x period x fixed
        effects), ``coefficients``, ``significant`` (p-value below :data:`SIGNIFICANCE`) and
        ``median_r2_within``.
    """
    specs = {}
    for spec, rows in table.groupby("spec", sort=True):
        models = rows.drop_duplicates(["outcome", "period", "fixed_effects"])
        specs[spec] = {"models": int(len(models)), "coefficients": int(len(rows)),
                       "significant": int((rows["p_value"] < SIGNIFICANCE).sum()),
                       "median_r2_within": round(float(models["r2_within"].median()), 6)}
    return {"synthetic": bool(synthetic), "specs": specs}


def _has_data(panel: pd.DataFrame, column: str) -> bool:
    return column in panel.columns and panel[column].notna().sum() >= 30

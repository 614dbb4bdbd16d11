"""Build and check one region category's panel (the `panel` stage's work; :mod:`aoresearch.panel.files` writes it)."""

from __future__ import annotations

import pandas as pd

from aoresearch.catalogue import Catalogue
from aoresearch.config import Params
from aoresearch.errors import ParameterError
from aoresearch.panel.build import build_panel
from aoresearch.panel.spec import PanelSpec
from aoresearch.sources.raw import RawData

__all__ = ["make_panel", "panel_summary"]


def make_panel(raw: RawData, catalogue: Catalogue, params: Params, name: str) -> pd.DataFrame:
    """Build panel ``name`` (a key of ``panel.categories``) and check it with :class:`PanelSpec`
    (a pilot's pre-adoption years count where ``impact.headline_outcome`` is observed). Rates of
    indicators not published for the panel's category (catalogue ``levels``) are not required.

    Raises
    ------
    ParameterError
        If ``name`` is not under ``panel.categories``.
    PanelStructureError
        If the panel breaks its contract (see :class:`PanelSpec`).
    """
    if name not in params.panel.categories:
        raise ParameterError(f"panel '{name}' is not under panel.categories {sorted(params.panel.categories)}.")
    category = params.panel.categories[name]
    panel = build_panel(raw, catalogue, category, params.panel.suppression)
    observed_years = range(int(raw.observations["year"].min()), int(raw.observations["year"].max()) + 1)
    spec = PanelSpec(
        columns=tuple(r.column for r in catalogue.rates if catalogue.rate_published_for(r, category)),
        years=observed_years,
        pilots=params.pilots_in(name),
        min_pre_years=params.panel.min_pre_years,
        outcome=params.impact.headline_outcome,
    )
    return spec.check(panel, name=f"panel '{name}'")


def panel_summary(panel: pd.DataFrame, raw: RawData, catalogue: Catalogue) -> dict:
    """Size of the panel, how many suppressed cells were filled in, per count, and the catalogue
    indicators without a column (not published for the panel's category)."""
    flags = [f"{i.key}_imputed" for i in catalogue.indicators if f"{i.key}_imputed" in panel]
    return {
        "regions": int(panel["region"].nunique()),
        "years": [int(panel["year"].min()), int(panel["year"].max())],
        "rows": len(panel),
        "imputed_cells": {c.removesuffix("_imputed"): int(panel[c].sum()) for c in flags},
        "unpublished_indicators": [i.key for i in catalogue.indicators if i.key not in panel],
        "synthetic": raw.is_synthetic,
    }

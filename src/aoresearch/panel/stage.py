"""Build, check and write one region category's panel (the `panel` stage's work)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from aoresearch.catalogue import Catalogue
from aoresearch.config import Params
from aoresearch.errors import ParameterError
from aoresearch.panel.build import build_panel
from aoresearch.panel.spec import PanelSpec
from aoresearch.sources.raw import RawData, atomic_write_text

__all__ = ["make_panel", "write_panel", "panel_summary"]


def make_panel(raw: RawData, catalogue: Catalogue, params: Params, name: str) -> pd.DataFrame:
    """Build panel ``name`` (a key of ``panel.categories``) and check it with :class:`PanelSpec`.

    Raises
    ------
    ParameterError
        If ``name`` is not under ``panel.categories``.
    PanelStructureError
        If the panel breaks its contract (see :class:`PanelSpec`).
    """
    if name not in params.panel.categories:
        raise ParameterError(f"panel '{name}' is not under panel.categories {sorted(params.panel.categories)}.")
    panel = build_panel(raw, catalogue, params.panel.categories[name], params.panel.suppression)
    observed_years = range(int(raw.observations["year"].min()), int(raw.observations["year"].max()) + 1)
    spec = PanelSpec(
        columns=tuple(r.column for r in catalogue.rates),
        years=observed_years,
        pilots=params.pilots_in(name),
        min_pre_years=params.panel.min_pre_years,
        outcome="oohc_per_1000",
    )
    return spec.check(panel, name=f"panel '{name}'")


def panel_summary(panel: pd.DataFrame, raw: RawData, catalogue: Catalogue) -> dict:
    """Size of the panel and how many suppressed cells were filled in, per count."""
    flags = [f"{i.key}_imputed" for i in catalogue.indicators if f"{i.key}_imputed" in panel]
    return {
        "regions": int(panel["region"].nunique()),
        "years": [int(panel["year"].min()), int(panel["year"].max())],
        "rows": len(panel),
        "imputed_cells": {c.removesuffix("_imputed"): int(panel[c].sum()) for c in flags},
        "synthetic": raw.is_synthetic,
    }


def write_panel(panel: pd.DataFrame, summary: dict, out_dir: str | Path, name: str) -> Path:
    """Write ``<out_dir>/<name>.parquet`` and its summary JSON, each through an atomic rename."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.parquet"
    staging = out_dir / f".{name}.parquet.partial"
    panel.to_parquet(staging, index=False)
    staging.replace(target)
    atomic_write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", out_dir / f"{name}.summary.json")
    return target

"""PNG figures of the SHAP attributions: beeswarm, dependence and per-pilot waterfall.

Figures drawn from demo data carry a "SYNTHETIC DEMO DATA" watermark and title mark.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shap  # noqa: E402

__all__ = ["beeswarm_png", "dependence_png", "waterfall_png", "SYNTHETIC_MARK"]

SYNTHETIC_MARK = "SYNTHETIC DEMO DATA"


def _finish(fig: plt.Figure, title: str, synthetic: bool, path: Path) -> Path:
    if synthetic:
        title = f"{title}\n[{SYNTHETIC_MARK}]"
        fig.text(0.5, 0.5, SYNTHETIC_MARK, ha="center", va="center", rotation=25, fontsize=34, color="red", alpha=0.18)
    fig.suptitle(title, fontsize=10)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return path


def beeswarm_png(grouped: pd.DataFrame, values: pd.DataFrame, title: str, synthetic: bool, path: Path, seed: int = 0) -> Path:
    """Beeswarm of grouped SHAP values (n, k); colour = the group's current value (n, k).

    shap's beeswarm shuffles the points with NumPy's global generator; it is seeded with ``seed``
    for the call (and restored after) so the same values give the same PNG bytes.
    """
    explanation = shap.Explanation(
        values=grouped.to_numpy(dtype=float), data=values[grouped.columns].to_numpy(dtype=float),
        feature_names=list(grouped.columns),
    )
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        shap.plots.beeswarm(explanation, show=False, max_display=12, plot_size=(8, 4.5))
    finally:
        np.random.set_state(state)
    return _finish(plt.gcf(), title, synthetic, path)


def dependence_png(grouped: pd.DataFrame, values: pd.DataFrame, factors: list[str], title: str, synthetic: bool, path: Path) -> Path:
    """Scatter of each factor's current value against its grouped SHAP value."""
    fig, axes = plt.subplots(1, max(len(factors), 1), figsize=(4 * max(len(factors), 1), 3.4), squeeze=False)
    for ax, factor in zip(axes[0], factors):
        ax.scatter(values[factor], grouped[factor], s=4, alpha=0.4, color="#1f77b4")
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xlabel(f"{factor} (current value)")
        ax.set_ylabel("SHAP (all lags)")
    fig.tight_layout()
    return _finish(fig, title, synthetic, path)


def waterfall_png(attributions: pd.DataFrame, title: str, synthetic: bool, path: Path) -> Path:
    """Waterfall of one pilot-year's factor contributions (rows of ``pilot_attributions``)."""
    rows = attributions.sort_values("factor")
    explanation = shap.Explanation(
        values=rows["contribution"].to_numpy(dtype=float), base_values=float(rows["base_value"].iloc[0]),
        data=np.round(rows["value"].to_numpy(dtype=float), 2), feature_names=list(rows["factor"]),
    )
    shap.plots.waterfall(explanation, show=False, max_display=12)
    return _finish(plt.gcf(), title, synthetic, path)

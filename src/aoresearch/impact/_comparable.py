"""Comparable donors: the synthetic control's pool for one pilot (``params.yaml: impact.donors``).

The rule, applied after :func:`aoresearch.impact.donor_pool` (same category, no pilot, nothing
inside or around a pilot) and the completeness screen of ``pilot_donors``:

1. **Size class.** The donor's mean number of children aged 0-17 over the pre-adoption years
   lies within a factor ``size_ratio`` of the pilot's. Rates of small towns are dominated by
   count noise, which a synthetic control of a large city would otherwise use to interpolate
   the city's own noise (on the real extract, Tampere's unrestricted fit took Forssa and
   Asikkala and reached a pre-period RMSPE of 9e-15).
2. **Nearest paths.** Of those, the ``max_donors`` with the smallest root mean squared
   difference from the pilot's outcome over the fit window (the ``pre_years`` years before
   adoption) - nearest-neighbour matching on pre-period outcomes.

The size class is fixed for a pilot; the nearest paths are chosen again on each backtest's own
window (:mod:`aoresearch.impact._sc_backtest`), so the backtests repeat the whole procedure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aoresearch.errors import InsufficientDataError

__all__ = ["size_class", "nearest_paths"]


def size_class(sizes: pd.Series, treated: int, ratio: float, min_donors: int, context: str) -> list:
    """Donor ids (index of ``sizes`` other than ``treated``) within a factor ``ratio`` of its size.

    Raises
    ------
    InsufficientDataError
        Fewer than ``min_donors`` remain; the message names ``context`` and the parameter.
    """
    own = float(sizes[treated])
    others = sizes.drop(treated)
    kept = sorted(others.index[(others >= own / ratio) & (others <= own * ratio)])
    if len(kept) < min_donors:
        raise InsufficientDataError(
            f"{context}: {len(kept)} comparable donors have between 1/{ratio:g} and {ratio:g} times the pilot's "
            f"{own:,.0f} children; impact.donors.min_donors is {min_donors}. Raise impact.donors.size_ratio."
        )
    return kept


def nearest_paths(target: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """Row indices of the ``k`` candidate paths nearest to ``target`` (RMS difference), sorted.

    Ties are broken by row order, so the choice is deterministic.
    """
    distance = np.sqrt(np.mean((candidates - target[None, :]) ** 2, axis=1))
    order = np.argsort(distance, kind="stable")[: min(k, candidates.shape[0])]
    return np.sort(order)

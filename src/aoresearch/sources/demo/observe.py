"""From the latent demo world to observed Sotkanet-style long rows.

Counts are drawn (Poisson, binomial) from the expected rates, split by gender, and small
counts are suppressed as Sotkanet does (rows with 1-5 events are absent; zeros are present).

The outcome rates published as primary values (school absences, child psychiatric care) carry
sampling noise that grows as the region shrinks, and are absent for region-years with fewer than
``MIN_CHILDREN_PRIMARY`` (300) children 0-17, as Sotkanet publishes no survey or small-area rate
below its respondent and event thresholds. Without that threshold the noise of the smallest
municipalities (a few dozen children: log SD 0.17-0.3) moved a school-absence percentage by more
than the validation's critical 25 points in a year in 2 of 40 benchmark worlds (session 19's
``benchmarks/impact_quality.py``, seeds 910191 and 920151; both municipalities had under 60
children). The threshold lies far below the impact stage's donor size (``impact.donor_min_children``),
so no comparison region loses data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aoresearch.catalogue import Catalogue
from aoresearch.sources.demo.companions import COMPANIONS, companion_series
from aoresearch.sources.demo.world import DemoWorld

__all__ = ["observe", "suppress_small_counts"]

_FEMALE_SHARE = {"population": 0.488, "placements": 0.46}
# Placement rate of each age group relative to all children 0-17 (before normalisation).
_AGE_GROUPS = {"placements_0_6": (0, 7, 0.55), "placements_7_12": (7, 13, 0.80), "placements_13_17": (13, 18, 1.90)}
MIN_CHILDREN_PRIMARY = 300  # smallest region (children 0-17) with published primary outcome rates (module docstring)
_PRIMARY_OUTCOMES = ("school_absence_pct", "child_psych_outpatient_per_1000", "child_psych_inpatient_per_1000")
_PRIMARY_FACTORS = (
    "unemployment_pct", "adult_psych_care_per_1000", "substance_use_care_per_1000",
    "divorces_per_1000", "chronic_illness_pct", "leisure_participation_pct",
)


def observe(world: DemoWorld, catalogue: Catalogue, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Observed long rows of every catalogue indicator before suppression, shape (n_rows, 6).

    ``rng`` draws the original series in a fixed order; the companion series
    (:mod:`~aoresearch.sources.demo.companions`) of the catalogue draw from generators of their
    own, seeded by ``seed`` and their key, so they change none of the others.
    """
    series: dict[str, tuple[np.ndarray, ...]] = {}
    series.update(_populations(world, rng))
    series.update(_placements(world, rng))
    series.update(_families(world, rng))
    series.update(_primary_values(world, rng))
    keys = {i.key for i in catalogue.indicators}
    series.update({k: (companion_series(world, k, seed, MIN_CHILDREN_PRIMARY),) for k in COMPANIONS if k in keys})
    frames = [_long(world, catalogue, key, genders) for key, genders in series.items()]
    return pd.concat(frames, ignore_index=True)


def _split(total: np.ndarray, share: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    female = rng.binomial(total.astype(np.int64), share).astype(float)
    return total, female, total - female


def _populations(world: DemoWorld, rng) -> dict[str, tuple[np.ndarray, ...]]:
    share = _FEMALE_SHARE["population"]
    by_age = [_split(world.ages[:, :, a], share, rng) for a in range(19)]
    out = {f"population_age_{a}": by_age[a] for a in range(19)}
    out["children_0_17"] = _sum_genders(by_age[:18])
    out["population_0_18"] = _sum_genders(by_age)
    out["population_0_6"] = _sum_genders(by_age[:7])
    return out


def _sum_genders(parts: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    return tuple(sum(p[g] for p in parts) for g in range(3))


def _placements(world: DemoWorld, rng) -> dict[str, tuple[np.ndarray, ...]]:
    ages = world.ages[:, :, :18]
    weights = {k: ages[:, :, lo:hi].sum(axis=2) for k, (lo, hi, _) in _AGE_GROUPS.items()}
    norm = sum(w * m for (w, (_, _, m)) in zip(weights.values(), _AGE_GROUPS.values())) / ages.sum(axis=2)
    rate = world.expected["oohc_per_1000"] / 1000.0
    share = _FEMALE_SHARE["placements"]
    out = {}
    for key, (_, _, multiplier) in _AGE_GROUPS.items():
        counts = rng.poisson(weights[key] * rate * multiplier / norm).astype(float)
        out[key] = _split(counts, share, rng)
    out["placements_0_17"] = _sum_genders(list(out.values()))
    young_adults = rng.poisson(world.ages[:, :, 18] * 6 * rate * 0.35).astype(float)
    out["placements_0_24"] = _split(out["placements_0_17"][0] + young_adults, share, rng)
    return out


def _families(world: DemoWorld, rng) -> dict[str, tuple[np.ndarray, ...]]:
    children = world.children
    families = np.rint(children / rng.normal(1.83, 0.03, size=children.shape))
    receiving = rng.binomial(families.astype(np.int64), world.factors["social_assistance_pct"] / 100.0)
    low_income = rng.binomial(children.astype(np.int64), world.factors["child_low_income_pct"] / 100.0)
    return {
        "families_with_children": (families,),
        "families_social_assistance": (receiving.astype(float),),
        "children_low_income": (low_income.astype(float),),
    }


def _primary_values(world: DemoWorld, rng) -> dict[str, tuple[np.ndarray, ...]]:
    """Rates published as primary values, with sampling noise that shrinks with region size."""
    noise_sd = np.clip(1.2 / np.sqrt(world.children), 0.005, 0.3)
    out = {}
    published = world.children >= MIN_CHILDREN_PRIMARY
    for column in _PRIMARY_OUTCOMES:
        noisy = world.expected[column] * np.exp(noise_sd * rng.standard_normal(noise_sd.shape))
        out[column] = np.where(published, noisy, np.nan)
    for column in _PRIMARY_FACTORS:
        out[column] = world.factors[column]
    return {_key_of(column): (np.round(values, 1),) for column, values in out.items()}


_COLUMN_TO_KEY = {
    "school_absence_pct": "school_absence",
    "child_psych_outpatient_per_1000": "child_psych_outpatient",
    "child_psych_inpatient_per_1000": "child_psych_inpatient",
    "unemployment_pct": "unemployment",
    "adult_psych_care_per_1000": "parental_mental_health",
    "substance_use_care_per_1000": "parental_substance_use",
    "divorces_per_1000": "divorces",
    "chronic_illness_pct": "chronic_illness",
    "leisure_participation_pct": "leisure_participation",
}


def _key_of(column: str) -> str:
    return _COLUMN_TO_KEY[column]


def _long(world: DemoWorld, catalogue: Catalogue, key: str, genders: tuple[np.ndarray, ...]) -> pd.DataFrame:
    indicator = catalogue.by_key(key)
    names = ("total", "female", "male")[: len(genders)]
    n_regions, n_years = genders[0].shape
    frames = []
    for name, values in zip(names, genders):
        frame = pd.DataFrame({
            "indicator": indicator.raw_id,
            "region": np.repeat(world.region_ids, n_years),
            "year": np.tile(world.years, n_regions),
            "gender": name,
            "value": np.nan,
            "abs_value": np.nan,
        })
        frame[indicator.value_column] = values.ravel()
        frames.append(frame[frame[indicator.value_column].notna()])  # unpublished: no row (as Sotkanet)
    return pd.concat(frames, ignore_index=True)


def suppress_small_counts(observations: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Drop rows whose count is 1 to ``suppressed_below - 1``, as Sotkanet publishes none."""
    limits = {i.raw_id: i.suppressed_below for i in catalogue.indicators if i.suppressed_below}
    limit = observations["indicator"].map(limits)
    small = limit.notna() & (observations["abs_value"] > 0) & (observations["abs_value"] < limit)
    return observations[~small].reset_index(drop=True)

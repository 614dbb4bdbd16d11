"""Demo series that follow the latent world without drawing from its random stream.

The world (:mod:`~aoresearch.sources.demo.world`) and the series observed from it
(:mod:`~aoresearch.sources.demo.observe`) draw from one generator in a fixed order, so a new
draw there would change every series drawn after it. The indicators added to the catalogue
later (issue 16) are simulated here instead, each from its own generator seeded by the demo seed
and its catalogue key: adding one changes no earlier series.

Each companion follows a world rate (``base``, an outcome or factor rate column) with an
elasticity, plus a region effect and yearly noise of its own, and is calibrated so that the
child-weighted municipal mean equals its national profile. None of them enters an outcome: the
demo world injects no effect through them, which is why the factor-like ones (single-parent
families, family counselling, early childhood education) are ``context`` in the catalogue.
The national anchors are rough public magnitudes (THL, Statistics Finland) written by hand, not
copied from any data file. Nothing here is real data.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from aoresearch.sources.demo.world import DemoWorld, _calibrate

__all__ = ["Companion", "COMPANIONS", "companion_series", "companion_rng"]


@dataclass(frozen=True)
class Companion:
    """How one demo series follows the world.

    ``base``: world rate column followed (an outcome without the service model's effect, or a factor);
    ``elasticity``: exponent of the base's relative level; ``spread``: log SD of the series' own
    region effect; ``anchors``: national profile (year: level); ``outcome``: published only for
    regions with at least ``observe.MIN_CHILDREN_PRIMARY`` children, with size-dependent noise,
    like the other primary outcome rates; ``percent``: clipped to 0.1-99.
    """

    base: str
    elasticity: float
    spread: float
    anchors: dict[int, float]
    outcome: bool
    percent: bool = False


COMPANIONS: dict[str, Companion] = {
    "youth_psych_outpatient": Companion("child_psych_outpatient_per_1000", 0.8, 0.15, {1990: 45.0, 2005: 90.0, 2024: 190.0}, True),
    "psych_inpatient_periods_0_6": Companion("child_psych_inpatient_per_1000", 0.6, 0.20, {1990: 0.3, 2024: 0.4}, True),
    "psych_inpatient_periods_7_12": Companion("child_psych_inpatient_per_1000", 0.8, 0.20, {1990: 1.0, 2024: 1.6}, True),
    "psych_inpatient_periods_13_17": Companion("child_psych_inpatient_per_1000", 0.9, 0.20, {1990: 5.0, 2010: 7.5, 2024: 9.0}, True),
    "child_welfare_notifications": Companion("oohc_per_1000", 0.7, 0.15, {1990: 2.5, 2008: 4.5, 2024: 7.0}, True, percent=True),
    "open_care_support": Companion("oohc_per_1000", 0.8, 0.15, {1990: 3.0, 2008: 5.5, 2024: 5.0}, True, percent=True),
    "single_parent_families": Companion("divorces_per_1000", 0.8, 0.10, {1990: 15.0, 2010: 20.0, 2024: 21.0}, False, percent=True),
    "family_counselling": Companion("social_assistance_pct", 0.3, 0.20, {1990: 45.0, 2024: 40.0}, False),
    "early_childhood_education": Companion("leisure_participation_pct", 0.3, 0.10, {1990: 50.0, 2010: 62.0, 2024: 75.0}, False, percent=True),
}


def companion_rng(seed: int, key: str) -> np.random.Generator:
    """The generator of series ``key``: independent of the world's and of every other key's."""
    return np.random.default_rng([int(seed), zlib.crc32(key.encode("utf-8"))])


def companion_series(world: DemoWorld, key: str, seed: int, min_children: int) -> np.ndarray:
    """Expected (or, for outcomes, noisily published) rate of companion ``key``, shape (R, T).

    Region-years of outcomes with fewer than ``min_children`` children are NaN (not published).
    Rounded to one decimal, as Sotkanet publishes primary values.
    """
    spec = COMPANIONS[key]
    rng = companion_rng(seed, key)
    base = world.counterfactual[spec.base] if spec.base in world.counterfactual else world.factors[spec.base]
    weights = np.where((world.categories == "KUNTA")[:, None], world.children, 0.0)
    if not weights.any():
        weights = world.children
    relative = base / ((base * weights).sum(axis=0) / weights.sum(axis=0))[None, :]
    region = spec.spread * rng.standard_normal(len(world.region_ids))
    noise = 0.03 * rng.standard_normal(base.shape)
    rate = _calibrate(relative**spec.elasticity * np.exp(region[:, None] + noise), spec.anchors, world.years, weights)
    if spec.outcome:
        noise_sd = np.clip(1.2 / np.sqrt(world.children), 0.005, 0.3)
        rate = np.where(world.children >= min_children, rate * np.exp(noise_sd * rng.standard_normal(rate.shape)), np.nan)
    if spec.percent:
        rate = np.clip(rate, 0.1, 99.0)
    return np.round(rate, 1)

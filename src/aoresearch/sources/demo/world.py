"""The latent world behind the synthetic demo data: sizes, factors and expected outcome rates.

Data-generating process, per simulated region r and year t (log scale):

- risk and protective factors: ``z[f, r, t] = a_f d_r + 0.5 b[f, r] + 0.7 s[f, r, t]`` with a
  region deprivation ``d_r ~ N(0, 1)``, a region effect ``b ~ N(0, 1)`` and an AR(1) shock
  ``s`` (rho = 0.6, unit variance); the factor's rate is ``national_f(t) * exp(c_f z)``;
- outcome rates: ``log lambda[o, r, t] = c_o(t) + alpha[o, r] + mu_r kappa_t
  + sum_f beta[o, f] z[f, r, t - 1] + eps`` where ``beta`` (``profiles.FACTOR_EFFECTS``) are the
  true factor effects, ``kappa_t`` a national random walk loaded by region (``mu_r``), and
  ``eps ~ N(0, 0.04)``; the year constants ``c_o(t)`` (and likewise for factors) are set so
  that the child-weighted mean over municipalities equals the national profile;
- the service model multiplies a pilot's rate by ``1 + effect_o * ramp(t)`` from its adoption
  year, where ``ramp`` rises linearly to 1 over ``ramp_years``.

Pilots draw their latent traits from the middle of the distribution (|z| <= 1) so that a
synthetic comparison of other regions can reproduce them, as it could for the real pilots.

Plausible range. Before the year constants are set, the log deviation of each factor and
outcome rate of a region-year from that year's child-weighted mean log rate is clipped to
+-``_MAX_LOG_DEVIATION`` (1.0): a region's expected rate stays between about 1/e and e = 2.7
times the national level, e.g. at most ~48 placements per 1,000 children at the 2024 level of
17.5, below the catalogue bound of 60 that the data validation enforces (critical) for
populous regions. Without the clip about half of all seeds broke that bound in some wellbeing
services county or large municipality (seed 777: 80 per 1,000 in a county of 17,000 children),
and school absences could exceed 100%. Bounding the N(0, 1) traits would not do: an outcome's
log deviation sums some twenty independent terms (spread and ``beta`` times deprivation, region
effects and shocks, the regional loading of ``kappa_t``) with a between-region SD of ~0.55 for
placements, so the largest of ~60 populous regions over 35 years lies ~2.5 SD (3-4 times the
national rate) out even when no single trait is extreme. The clip changes no parameter above
and no random draw. It binds in ~4% of outcome region-years (0.03% of factor ones), where the
rate stops following ``z`` further out; elsewhere the model and ``beta`` hold exactly. The
service model's effect is applied after it, and the ground truth is read from the clipped rates.

Yearly steps of percentages. A percentage factor moves at most ``_MAX_PERCENT_STEP`` (22)
points from one year to the next (each year is clipped into the previous year's value +-22,
in year order). The Gaussian AR(1) shocks' 5-6 SD tails otherwise moved a small municipality's
leisure participation 26.1 points in a year (61.4% to 87.5%, seed 930106 of
``benchmarks/demo_plausibility.py``, 1 of 800 worlds), past the validation's critical bound of
25 points (``validation.max_percent_change``). The largest step of the pipeline's own world
(params.yaml ``seed``) and of seeds 1-29 is 9-20.5 points, so the clip does not bind there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from aoresearch.sources.demo.profiles import FACTOR_EFFECTS, FACTORS, OUTCOMES, national_profile

__all__ = ["DemoWorld", "simulate_world"]

_SIZE = {"KUNTA": (1400.0, 1.15, 15.0, 110_000.0), "HYVINVOINTIALUE": (40_000.0, 0.55, 4_000.0, 130_000.0)}
_PILOT_SIZE = {"KUNTA": 40_000.0, "HYVINVOINTIALUE": 32_000.0}
_FACTOR_DEPRIVATION_LOAD = {"leisure_participation_pct": -0.5}
_AR_RHO = 0.6
_MAX_PERCENT_STEP = 22.0  # points per year for percentage factors, below validation.max_percent_change (module docstring)
_MAX_LOG_DEVIATION = 1.0  # plausible range of a rate around the national level (module docstring)


@dataclass(frozen=True)
class DemoWorld:
    """Latent arrays of the demo; R regions x T years.

    Attributes
    ----------
    region_ids, categories : ndarray, shape (R,)
    years : ndarray, shape (T,)
    ages : ndarray, shape (R, T, 19)
        Population by single year of age 0..18 (whole persons).
    factors : dict of str to ndarray (R, T)
        Observed factor rates (percent or per 1,000).
    counterfactual, expected : dict of str to ndarray (R, T)
        Outcome rates without and with the service model's effect.
    ramp : ndarray, shape (R, T)
        Share of the full service-model effect in force (0 outside pilots).
    """

    region_ids: np.ndarray
    categories: np.ndarray
    years: np.ndarray
    ages: np.ndarray
    factors: dict[str, np.ndarray]
    counterfactual: dict[str, np.ndarray]
    expected: dict[str, np.ndarray]
    ramp: np.ndarray

    @property
    def children(self) -> np.ndarray:
        """Population aged 0-17, shape (R, T)."""
        return self.ages[:, :, :18].sum(axis=2)


def simulate_world(
    region_ids: np.ndarray,
    categories: np.ndarray,
    years: np.ndarray,
    adoption: Mapping[int, int],
    effect: Mapping[str, float],
    ramp_years: int,
    rng: np.random.Generator,
) -> DemoWorld:
    """Draw the latent world. ``adoption`` maps pilot region id to its adoption year."""
    is_pilot = np.isin(region_ids, list(adoption))
    deprivation = _trait(rng, len(region_ids), is_pilot)
    ages = _ages(rng, categories, years, is_pilot)
    calibrated_on = categories == "KUNTA" if (categories == "KUNTA").any() else np.ones(len(categories), bool)
    weights = np.where(calibrated_on[:, None], ages[:, :, :18].sum(axis=2), 0.0)
    latent = {f: _factor_latent(rng, f, deprivation, len(years) + 1, is_pilot) for f in FACTORS}
    factors = {f: _calibrate(np.exp(FACTORS[f][0] * z[:, 1:]), FACTORS[f][1], years, weights) for f, z in latent.items()}
    factors = {f: _limit_steps(np.clip(v, 0.1, 99.0), _MAX_PERCENT_STEP) if f.endswith("_pct") else v for f, v in factors.items()}
    ramp = _ramp(region_ids, years, adoption, ramp_years)
    counterfactual = {
        o: _calibrate(_outcome_rate(rng, o, years, latent, deprivation, is_pilot), OUTCOMES[o][1], years, weights)
        for o in OUTCOMES
    }
    expected = {o: rate * (1.0 + effect.get(o, 0.0) * ramp) for o, rate in counterfactual.items()}
    return DemoWorld(region_ids, categories, years, ages, factors, counterfactual, expected, ramp)


def _calibrate(relative: np.ndarray, anchors: dict[int, float], years: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Clip each region-year's log deviation from the year's child-weighted mean log rate to
    +-_MAX_LOG_DEVIATION, then scale each year so that the child-weighted municipal mean (all
    regions if no municipality is simulated) equals the national profile."""
    log = np.log(relative)
    deviation = log - (log * weights).sum(axis=0) / weights.sum(axis=0)
    relative = relative * np.exp(np.clip(deviation, -_MAX_LOG_DEVIATION, _MAX_LOG_DEVIATION) - deviation)
    mean = (relative * weights).sum(axis=0) / weights.sum(axis=0)
    return relative * (national_profile(anchors, years) / mean)[None, :]


def _limit_steps(values: np.ndarray, max_step: float) -> np.ndarray:
    """Clip each year into the previous (already limited) year's value +-``max_step``; shape (R, T)."""
    out = values.copy()
    for t in range(1, out.shape[1]):
        out[:, t] = np.clip(out[:, t], out[:, t - 1] - max_step, out[:, t - 1] + max_step)
    return out


def _trait(rng: np.random.Generator, n: int, is_pilot: np.ndarray) -> np.ndarray:
    values = rng.standard_normal(n)
    return np.where(is_pilot, np.clip(values, -1.0, 1.0), values)


def _ages(rng: np.random.Generator, categories: np.ndarray, years: np.ndarray, is_pilot: np.ndarray) -> np.ndarray:
    """Population by single age, shape (R, T, 19)."""
    size = np.empty(len(categories))
    for category, (median, spread, low, high) in _SIZE.items():
        mask = categories == category
        size[mask] = np.clip(median * np.exp(spread * rng.standard_normal(mask.sum())), low, high)
        size[mask & is_pilot] = _PILOT_SIZE[category] * np.exp(0.1 * rng.standard_normal((mask & is_pilot).sum()))
    growth = 0.004 * np.log(size / np.median(size)) + 0.006 * rng.standard_normal(len(size))
    children = size[:, None] * np.exp(growth[:, None] * (years - years.mean())[None, :])
    tilt = 8.0 * growth[:, None] + 0.05 * rng.standard_normal((len(size), 19))
    shares = np.exp(tilt * (np.arange(19) - 9.0)[None, :] / 9.0)
    shares = shares / shares[:, :18].sum(axis=1, keepdims=True)
    return np.rint(children[:, :, None] * shares[:, None, :])


def _factor_latent(rng, factor: str, deprivation: np.ndarray, n_years: int, is_pilot: np.ndarray) -> np.ndarray:
    """Latent z of one factor, shape (R, n_years) with unit variance; column 0 is the year before the first."""
    load = _FACTOR_DEPRIVATION_LOAD.get(factor, 0.5)
    region = _trait(rng, len(deprivation), is_pilot)
    shocks = np.empty((len(deprivation), n_years))
    shocks[:, 0] = rng.standard_normal(len(deprivation))
    innovation = np.sqrt(1 - _AR_RHO**2)
    for t in range(1, n_years):
        shocks[:, t] = _AR_RHO * shocks[:, t - 1] + innovation * rng.standard_normal(len(deprivation))
    return load * deprivation[:, None] + 0.5 * region[:, None] + 0.7 * shocks


def _outcome_rate(rng, outcome: str, years, latent, deprivation, is_pilot) -> np.ndarray:
    """Expected rate without the service model, shape (R, T)."""
    spread = OUTCOMES[outcome][0]
    alpha = spread * (0.8 * _trait(rng, len(deprivation), is_pilot) + 0.6 * deprivation)
    kappa = np.cumsum(0.03 * rng.standard_normal(len(years)))
    loading = _trait(rng, len(deprivation), is_pilot)
    effects = sum(beta * latent[f][:, :-1] for f, beta in FACTOR_EFFECTS[outcome].items())
    noise = 0.04 * rng.standard_normal((len(deprivation), len(years)))
    return np.exp(alpha[:, None] + loading[:, None] * kappa[None, :] + effects + noise)


def _ramp(region_ids: np.ndarray, years: np.ndarray, adoption: Mapping[int, int], ramp_years: int) -> np.ndarray:
    start = np.array([adoption.get(int(r), 10_000) for r in region_ids])[:, None]
    elapsed = years[None, :] - start + 1
    if ramp_years <= 1:
        return (elapsed >= 1).astype(float)
    return np.clip(elapsed / ramp_years, 0.0, 1.0)

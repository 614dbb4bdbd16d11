"""Statistical quality of the impact estimators on generated demo worlds with known effects (issue 12, item 6).

Command (full run: see "Cost" below; ``seconds`` in the JSON has the measured cost)::

    .venv/bin/python benchmarks/impact_quality.py --datasets 200 --n-jobs 2
    .venv/bin/python benchmarks/impact_quality.py --datasets 2 --outcomes oohc_per_1000   # quick trial

writes ``benchmarks/results/impact_quality.json``, prints a markdown table for the README, and
exits 1 when a criterion below is missed (the ``benchmarks/run_all.py`` convention).

Scenarios, ``--datasets`` demo worlds each, with independent seeds that are disjoint from the
seeds the tests use (params.yaml ``seed`` and small integers):

- ``effect``: the service-model effects of params.yaml ``data.demo.effect``; seeds 910001, 910002, ...
- ``null``: every effect 0; seeds 920001, 920002, ...
- ``large`` and ``harmful`` (only with ``--scenarios``): the effects of params.yaml times 3
  (placements 30% lower) and times -2 (placements 20% higher, a service model that harms);
  seeds 930001.. and 940001..; worlds the estimators were not tuned on.

Each world is generated with the municipality and wellbeing-services-county categories only
(``KUNTA``, ``HYVINVOINTIALUE``) over params.yaml ``data.years`` (covering the impact fit
window) and every pilot of params.yaml; the two evaluated pilots are fixed: Tampere
(municipality) and North Karelia (wellbeing services county), with all pilots passed as
``pilots`` so donor pools exclude every pilot. One joblib task per world: generate, build the
panels, validate (only every ``--validate-every``-th world, see "Validation"), and run the
pipeline's :func:`evaluate_outcome` (params.yaml ``impact``, placebo fits serial inside a task)
for both pilots on every ``impact.outcomes`` outcome with data, plus the pooled effect (see
"Pooled effect").

Validation: world ``i`` of a scenario (``i = 0, 1, ...``, seed = base + i + 1) goes through the
pipeline's Great Expectations suites (the raw data and both panels) when ``i`` is a multiple
of ``--validate-every K`` (default 10: worlds 0, 10, 20, ..., i.e. 20 of 200 per scenario;
``K = 0``: none). Validation was about two thirds of the per-world cost and says nothing about
the estimators; a validated world with a critical failure is still evaluated but flagged and
counted. The JSON ``validation`` block has the number of worlds validated and failed per
scenario. That generated worlds pass the critical rules over many seeds is the job of
``tests/sources/test_demo_always_validates.py``; here the sample only guards against the
benchmark's own worlds drifting from what that test covers.

Truth: per post-adoption year, the true effect in rate units from ``ground_truth`` (expected
minus counterfactual rate); "average" is its mean over the post years. Outcomes that the
ground truth does not list (``oohc_per_100k_0_18`` and the age-group placement rates) share the
placement rate of ``oohc_per_1000`` in the generator; their truth is ``oohc_per_1000``'s per-year
effect converted with the pilot's own population counts (the generator's placement model:
expected count = children 0-17 x rate x age-group share). Under the null every truth is 0.

Summaries, per scenario x estimator x pilot type (municipality / county) x period kind
(per-year / average), over all outcomes pooled and per outcome: bias, its Monte Carlo standard
error (MCSE: sd of the errors / sqrt(n), with the world as the independent unit, i.e. clustered
by world when a world contributes several errors), RMSE -- in rate units and in % of the
pilot's mean observed post-period level over the cell's worlds (:func:`reference_levels`; the
rows over all outcomes and the printed table use %, since the outcomes' scales differ by up to
100x) -- coverage of the 95% intervals, and the rejection rate
at ``alpha`` for every reported p-value: each estimator's ``p_value`` column (per year and
average) and ``info["placebo_p_rmspe_ratio"]``; NaN p-values are counted as "not a test" and
left out. Other p-values in ``info`` (pre-trend tests) are tabulated as diagnostics but are not
criteria: their null is parallel pre-trends, which the demo's region-loaded common shocks do not
give. The report's opening verdict is the synthetic-control average ``p_value``, listed
separately.

Power at the reported MDE, without refitting: in every null world, for each pilot and outcome,
the synthetic-control MDE (``power`` row with the actual number of post years) is injected as
a reduction of the pilot's observed outcome in every post-adoption year, and a rejection is
a synthetic-control average p-value < alpha. This is computed exactly from the null world's
own fit: the size class (pre-adoption child counts), the donor choice (nearest pre-adoption
paths), the weights (pre-adoption years) and the backtests (errors only at years before the
adoption year) use no post-adoption value of the pilot, so the injection leaves the
synthetic control and the backtests unchanged; the average effect, the mean over the post
years of observed minus synthetic, becomes exactly ``effect - mde``, and its ``se`` and ``dof``
(from the backtests) stay the same. The re-evaluation's p-value is therefore
``2 * t.sf(|effect - mde| / se, dof)`` with the null fit's average-row ``effect``, ``se`` and
``dof``, and a refit would only reproduce it up to rounding. Consistency check, counted in the
JSON (``power_at_mde_consistency``): the MDE must equal
``(t(1 - alpha/2, dof) + t(power, dof)) * se`` of the same average row.

Pooled effect: in every world, Oulu (municipality) and Central Ostrobothnia (wellbeing
services county), the other two 2020 pilots, are also evaluated, on the headline outcome
``oohc_per_1000`` only, and :func:`aoresearch.impact.pooling.pool_pilots` pools the four pilots'
synthetic-control average effects on the log scale (groups "all", "municipality",
"wellbeing_county"). The truth of a pooled row is ``sum_i w_i * log(1 + att_i / cf_i)`` with the
row's pooled weights ``w_i``, ``att_i`` the pilot's true average effect (rate units) and ``cf_i``
its true average counterfactual rate, both over the post years the estimator reports (from
``ground_truth``; 0 under the null). Recorded: coverage of ``log_effect +- t(1 - alpha/2, dof) *
se_log``, null rejection of its ``p_value``, bias in log points x 100 with its MCSE, and power at
the pooled MDE, analytically as above: a relative reduction ``m = mde_percent / 100`` of every
pooled pilot's post-adoption outcome shifts each log effect, hence the pooled one (the weights
sum to 1), by ``log(1 - m)`` and leaves ``se_log`` and ``dof`` unchanged.

Criteria (written to the JSON, each a boolean with its numbers; average effect, outcomes pooled;
each also for the pooled effect per group, "pooled" rows):

- coverage within 93-97% per estimator and pilot type (both scenarios: both have a known truth);
- null rejection <= 6% for every reported p-value, per pilot type and period kind;
- |bias| <= 2 MCSE per estimator and pilot type (both scenarios);
- power at the MDE within 70-90% per pilot type.

The tolerances are the Monte Carlo noise, no wider: the bias check is exactly |bias| <= 2 MCSE,
and 93-97% coverage and <= 6% rejection are about 2 MCSE of 200 worlds (8 correlated outcomes
per world; every rate in the JSON carries its own MCSE to read a miss against). The power band
70-90% around the nominal 80% is the exception: it allows for the MDE being an approximation
(its MCSE is 1-3 points). A miss at ``--datasets`` below 200 says little.

Cost: the per-world CPU seconds by stage are printed and written to the JSON (``seconds``),
with the estimated time of a full run (``--datasets 200``) at ``--n-jobs``: 200 worlds per
scenario at the measured non-validation cost plus the validated share at the measured
validation cost. Measured with ``--datasets 2`` (all outcomes): about 4.5-5 CPU seconds per
world without validation (evaluation of both pilots on 8 outcomes ~3-4 s, the pooled
effect's two extra fits ~0.5 s), plus 13-16 CPU seconds for a validated world, so a full run
at the default ``--validate-every 10`` is about 1250 CPU seconds per core, i.e. about 21
minutes with 2 idle cores (plus well under a minute of imports per worker).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
OUT = RESULTS / "impact_quality.json"
OLD_OUT = RESULTS / "impact_quality_municipality.json"  # replaced by OUT (both pilot types in one run)

SCENARIOS = {"effect": 910_000, "null": 920_000, "large": 930_000, "harmful": 940_000}  # seed base: world i (0..N-1) has seed base + i + 1
EFFECT_SCALE = {"effect": 1.0, "null": 0.0, "large": 3.0, "harmful": -2.0}  # times params.yaml data.demo.effect
DEFAULT_SCENARIOS = ("effect", "null")
PILOTS = {"tampere": "municipality", "north_karelia": "county"}  # fixed pilot identities -> pilot type
HEADLINE = "oohc_per_1000"  # the pooled effect's outcome
POOLED_PILOTS = ("tampere", "oulu", "north_karelia", "central_ostrobothnia")  # the 2020 pilots, pooled on HEADLINE
POOLED_GROUPS = ("all", "municipality", "wellbeing_county")
VALIDATE_EVERY = 10  # default --validate-every
PANELS = {"municipality": "KUNTA", "wellbeing_county": "HYVINVOINTIALUE"}
ESTIMATORS = ("synthetic_control", "staggered_did", "twfe_event_study")
OPENING = "synthetic_control"  # the report's opening verdict: this estimator's average p_value
COVERAGE_RANGE = (0.93, 0.97)
NULL_REJECTION_MAX = 0.06
BIAS_MCSE = 2.0
POWER_RANGE = (0.70, 0.90)
# demo generator: relative placement rate of each age group (sources/demo/observe.py, private)
_AGE_GROUPS_FALLBACK = {"placements_0_6": (0, 7, 0.55), "placements_7_12": (7, 13, 0.80), "placements_13_17": (13, 18, 1.90)}
_INFO_P = re.compile(r"(^|_)p(_|$)")  # p-values in ``info``; a name with "floor" is a bound, not a test
INFO_CRITERION = ("placebo_p_rmspe_ratio",)  # info p-values whose null is "no effect"


# --------------------------------------------------------------------------------------------
# one world (runs in a joblib worker)


@dataclass(frozen=True)
class _Setup:
    params: object
    validation_params: object
    catalogue: object
    config: object
    pilots: tuple
    pooled: tuple


@lru_cache(maxsize=4)
def _setup(outcomes: tuple[str, ...] | None, intercept: bool | None = None) -> _Setup:
    from aoresearch.catalogue import load_catalogue
    from aoresearch.config import load_params

    params = load_params(REPO / "params.yaml")
    config = params.impact
    config = replace(config, outcomes=tuple(outcomes) if outcomes else config.outcomes, n_jobs=1)
    if intercept is not None:  # --intercept on|off replaces params.yaml impact.intercept
        config = replace(config, intercept=intercept)
    validation_params = replace(params, panel=replace(params.panel, categories=dict(PANELS)))
    pilots = tuple(params.pilot(key) for key in PILOTS)
    pooled = tuple(params.pilot(key) for key in POOLED_PILOTS)
    _warm()
    return _Setup(params, validation_params, load_catalogue(), config, pilots, pooled)


def _warm() -> None:
    """Import the heavy modules once per process, so that a world's seconds are its own cost
    (the lazy imports of the DiD backends alone cost several CPU seconds in the first world)."""
    import csdid.aggte_fnc.aggte  # noqa: F401
    import csdid.att_gt  # noqa: F401
    import great_expectations  # noqa: F401
    import pyfixest.estimation  # noqa: F401

    import aoresearch.impact.evaluate  # noqa: F401
    import aoresearch.impact.pooling  # noqa: F401
    import aoresearch.panel.stage  # noqa: F401
    import aoresearch.sources.demo  # noqa: F401
    import aoresearch.validation  # noqa: F401


def _quiet() -> None:
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def run_world(scenario: str, seed: int, outcomes: tuple[str, ...] | None, validate: bool = True,
              intercept: bool | None = None) -> dict:
    """Generate, (optionally) validate and evaluate one world; return compact rows (see module docstring)."""
    _quiet()
    from scipy import stats

    from aoresearch.panel.stage import make_panel
    from aoresearch.sources.demo import generate_demo

    s = _setup(outcomes, intercept)
    params, catalogue, config = s.params, s.catalogue, s.config
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    clock, cpu = time.perf_counter(), time.process_time()
    start_cpu = cpu

    def lap(name: str) -> None:
        nonlocal clock, cpu
        now, now_cpu = time.perf_counter(), time.process_time()
        seconds[name] = seconds.get(name, 0.0) + now - clock
        cpu_seconds[name] = cpu_seconds.get(name, 0.0) + now_cpu - cpu
        clock, cpu = now, now_cpu

    effect = {k: EFFECT_SCALE[scenario] * float(v) for k, v in params.data.demo.effect.items()}
    demo = replace(params.data.demo, categories=tuple(PANELS.values()), effect=effect)
    raw = generate_demo(catalogue, params.data.years, params.pilots, demo, seed)
    lap("generate")
    panels = {name: make_panel(raw, catalogue, s.validation_params, name) for name in PANELS}
    lap("panels")
    validation = _validate(raw, panels, s) if validate else None
    lap("validation")
    flagged = bool(validation and validation["critical_failures"] > 0)
    world = {"scenario": scenario, "seed": seed}
    estimates, tests, power, problems = [], [], [], []
    headline = {}  # pilot key -> OutcomeEvaluation of HEADLINE, for the pooled effect
    for pilot in s.pilots:
        panel = panels[pilot.category]
        ptype = PILOTS[pilot.key]
        for outcome in config.outcomes:
            rows = panel[panel["region"] == pilot.region]
            if outcome not in panel or rows[outcome].notna().sum() == 0:
                problems.append({**world, "pilot": pilot.key, "outcome": outcome, "kind": "no data", "message": ""})
                continue
            base = {**world, "pilot_type": ptype, "outcome": outcome, "flagged": flagged}
            try:
                result = _evaluate(panel, pilot, params.pilots, outcome, config, seed)
            except Exception as error:  # noqa: BLE001 - one failed fit must not end a long run; counted
                problems.append({**world, "pilot": pilot.key, "outcome": outcome, "kind": type(error).__name__, "message": str(error)[:300]})
                lap("evaluate")
                continue
            if outcome == HEADLINE:
                headline[pilot.key] = result
            truth = _truth(raw.ground_truth, pilot, rows.set_index("year"), outcome, catalogue)
            estimates += _estimate_rows(result.effects, truth, base)
            tests += _info_tests(result.info, base)
            if scenario == "null":
                power.append(_power_at_mde(result, config, base, pilot.key, problems, stats))
            lap("evaluate")
    pooled = _pooled(s, panels, raw.ground_truth, headline, config, seed, world, flagged, problems, stats)
    lap("pooled")
    seconds["cpu"] = time.process_time() - start_cpu  # this process's CPU time (less sensitive to a loaded machine)
    return {"scenario": scenario, "seed": seed, "validated": validate, "seconds": seconds, "cpu_seconds": cpu_seconds,
            "validation": validation, "estimates": estimates, "tests": tests, "power": [p for p in power if p],
            "pooled": pooled, "problems": problems}


def _evaluate(panel, pilot, pilots, outcome, config, seed):
    from aoresearch.impact.evaluate import evaluate_outcome

    return evaluate_outcome(panel, pilot, pilots, outcome, config, seed)


def _validate(raw, panels: dict, s: _Setup) -> dict:
    """The pipeline's raw and panel suites (validate_raw / validate_panels); Data Docs to a temp folder."""
    from aoresearch.validation import load_site_config, validate_panels, validate_raw, validation_config

    config = validation_config(s.validation_params)
    with tempfile.TemporaryDirectory(prefix="impact_quality_gx_") as tmp:
        reports = [
            validate_raw(raw, s.catalogue, config, load_site_config(REPO / "gx", "raw", Path(tmp) / "raw")),
            validate_panels(panels, s.catalogue, config, load_site_config(REPO / "gx", "panels", Path(tmp) / "panels")),
        ]
    critical = [o.label for r in reports for o in r.failures("critical")]
    return {"expectations": sum(r.expectations for r in reports), "critical_failures": len(critical),
            "critical": critical, "warning_failures": sum(r.failed_warning for r in reports)}


def _truth(ground_truth: dict, pilot, rows: pd.DataFrame, outcome: str, catalogue) -> dict:
    """Per-year true effect (rate units) of ``outcome`` for ``pilot``: {year: value}, plus 'source'."""
    service = ground_truth.get("service_model", {}).get("relative_effect", {})
    truth = ground_truth["pilots"][pilot.key]["outcomes"]
    if outcome in truth:
        entry = truth[outcome]
        return {"years": dict(zip(map(int, entry["years"]), map(float, entry["effect_rate"]))),
                "average": entry["att_rate"], "source": "ground_truth"}
    base = truth.get("oohc_per_1000")
    if service and all(float(v) == 0.0 for v in service.values()):
        years = [int(y) for y in (base or {}).get("years", [])]
        return {"years": dict.fromkeys(years, 0.0), "average": 0.0 if years else None, "source": "null"}
    scale = _placement_scale(rows, outcome, catalogue)
    if base is None or scale is None:
        return {"years": {}, "average": None, "source": "unknown"}
    years = [int(y) for y in base["years"]]
    values = {y: float(e) * float(scale.get(y, np.nan)) for y, e in zip(years, base["effect_rate"])}
    return {"years": values, "average": float(np.mean(list(values.values()))), "source": "derived"}


def _placement_scale(rows: pd.DataFrame, outcome: str, catalogue) -> pd.Series | None:
    """Effect on ``outcome`` per unit effect on oohc_per_1000, per year (placement-count rates only).

    In the generator every placement count has expectation children_0_17 * rate * share, with
    ``share`` the age group's share (1 for 0-17); the rate divides it by its denominator
    populations and multiplies by ``per``. Populations are exact counts in the panel.
    """
    try:
        rate = catalogue.rate(outcome)
    except Exception:  # noqa: BLE001
        return None
    try:
        from aoresearch.sources.demo.observe import _AGE_GROUPS as groups
    except ImportError:
        groups = _AGE_GROUPS_FALLBACK
    if rate.indicator != "placements_0_17" and rate.indicator not in groups or not rate.denominators:
        return None
    children = rows["children_0_17"]
    if rate.indicator == "placements_0_17":
        share = 1.0
    else:
        ages = {k: rows[[f"population_age_{a}" for a in range(lo, hi)]].sum(axis=1) * m for k, (lo, hi, m) in groups.items()}
        share = ages[rate.indicator] / sum(ages.values())
    denominator = sum(rows[catalogue.by_raw_id(i).key] for i in rate.denominators)
    return (children * share / denominator * rate.per / 1000.0).rename(None)


def _estimate_rows(effects: pd.DataFrame, truth: dict, base: dict) -> list[dict]:
    out = []
    post = effects[effects["period"] != "average"]["period"].astype(int).unique()
    level = float(effects.loc[effects["period"] == "average", "observed"].mean())  # scale of the % units
    for row in effects.itertuples(index=False):
        if row.period == "average":
            kind = "average"
            years = sorted(int(y) for y in post)
            if truth["average"] is not None and years == sorted(truth["years"]):
                true = truth["average"]
            else:  # mean over the years the estimator reports
                values = [truth["years"].get(y, np.nan) for y in years]
                true = float(np.mean(values)) if values else np.nan
        else:
            kind = "per_year"
            true = truth["years"].get(int(row.period), np.nan)
        out.append({**base, "estimator": row.estimator, "period": str(row.period), "kind": kind,
                    "truth": np.nan if true is None else float(true), "truth_source": truth["source"], "level": level,
                    "effect": float(row.effect), "lower": float(row.lower), "upper": float(row.upper),
                    "p_value": float(row.p_value) if pd.notna(row.p_value) else np.nan})
    return out


def _info_tests(info: dict, base: dict) -> list[dict]:
    out = []
    for key, value in sorted(info.items()):
        if not _INFO_P.search(key) or "floor" in key or isinstance(value, (bool, str, dict, list, tuple)) or value is None:
            continue
        try:
            p = float(value)
        except (TypeError, ValueError):
            continue
        out.append({**base, "source": f"info.{key}", "kind": "test" if key in INFO_CRITERION else "diagnostic", "p_value": p})
    return out


def _power_at_mde(result, config, base: dict, pilot_key: str, problems: list, stats) -> dict | None:
    """Rejection at an injected reduction of exactly the MDE, from the null fit (module docstring)."""
    effects, report = result.effects, {"scenario": base["scenario"], "seed": base["seed"], "pilot": pilot_key, "outcome": base["outcome"]}
    sc = effects[(effects["estimator"] == OPENING) & (effects["period"] != "average")]
    average = effects[(effects["estimator"] == OPENING) & (effects["period"] == "average")]
    n_post = int(sc["period"].nunique())
    row = result.power[result.power["n_post"] == n_post] if not result.power.empty else result.power
    if row.empty or average.empty or not np.isfinite(row["mde"].iloc[0]):
        problems.append({**report, "kind": "no MDE", "message": f"no power row with n_post={n_post} or no average row"})
        return None
    mde = abs(float(row["mde"].iloc[0]))
    effect, se, dof = (float(average[c].iloc[0]) for c in ("effect", "se", "dof"))
    usable = np.isfinite(se) and se > 0 and np.isfinite(dof) and dof > 0
    expected = float((stats.t.ppf(1 - config.alpha / 2, dof) + stats.t.ppf(config.power, dof)) * se) if usable else np.nan
    consistent = bool(usable and np.isclose(mde, expected, rtol=1e-6, atol=0.0))
    shifted = effect - mde
    p = float(2 * stats.t.sf(abs(shifted) / se, dof)) if usable else np.nan
    return {**base, "n_post": n_post, "mde": mde, "mde_percent": float(row["mde_percent"].iloc[0]),
            "effect": shifted, "se": se, "dof": dof, "p_value": p, "rejected": bool(p < config.alpha) if np.isfinite(p) else np.nan,
            "mde_expected": expected, "mde_consistent": consistent}


def _pooled(s: _Setup, panels: dict, ground_truth: dict, headline: dict, config, seed: int, world: dict, flagged: bool,
            problems: list, stats) -> list[dict]:
    """The four 2020 pilots' pooled HEADLINE effect against its log-scale truth (module docstring)."""
    from aoresearch.impact.pooling import pool_pilots

    inputs = {}
    for pilot in s.pooled:
        result = headline.get(pilot.key)
        if result is None and (pilot.key not in PILOTS or HEADLINE not in config.outcomes):  # else: failed above, counted
            try:
                result = _evaluate(panels[pilot.category], pilot, s.params.pilots, HEADLINE, config, seed)
            except Exception as error:  # noqa: BLE001
                problems.append({**world, "pilot": pilot.key, "outcome": HEADLINE, "kind": f"pooled: {type(error).__name__}",
                                 "message": str(error)[:300]})
                continue
        if result is None or result.effects.empty:
            continue
        inputs[pilot.key] = {"category": pilot.category, "adoption_year": pilot.adoption_year,
                             "effects": result.effects, "backtests": result.backtests}
    if len(inputs) < 2:
        problems.append({**world, "pilot": ",".join(inputs), "outcome": HEADLINE, "kind": "pooled: fewer than 2 pilots", "message": ""})
        return []
    table = pool_pilots(inputs, config.alpha, config.power, config.min_backtests)
    table = table[table["outcome"] == HEADLINE]
    truth_parts = {key: _log_truth(ground_truth, key, value["effects"]) for key, value in inputs.items()}
    out = []
    for row in table.itertuples(index=False):
        weights = {k: float(w) for k, w in (item.split(":") for item in row.weights.split(","))}
        total = sum(weights.values())
        truth = float(sum(w / total * truth_parts.get(k, np.nan) for k, w in weights.items()))
        se, dof, estimate = float(row.se_log), float(row.dof), float(row.log_effect)
        usable = np.isfinite(se) and se > 0 and np.isfinite(dof) and dof > 0
        q = float(stats.t.ppf(1 - config.alpha / 2, dof)) if usable else np.nan
        lower, upper = estimate - q * se, estimate + q * se
        record = {**world, "group": row.group, "flagged": flagged, "n_pilots": int(row.n_pilots), "pilots": row.pilots,
                  "weights": row.weights, "log_effect": estimate, "se_log": se, "dof": dof, "p_value": float(row.p_value),
                  "mde_percent": float(row.mde_percent), "truth_log": truth, "lower_log": lower, "upper_log": upper,
                  "covered": float(lower <= truth <= upper) if usable and np.isfinite(truth) else np.nan,
                  "error_x100": 100 * (estimate - truth) if np.isfinite(truth) else np.nan}
        if world["scenario"] == "null":
            shifted = estimate + float(np.log1p(-row.mde_percent / 100)) if np.isfinite(row.mde_percent) else np.nan
            p = float(2 * stats.t.sf(abs(shifted) / se, dof)) if usable and np.isfinite(shifted) else np.nan
            record |= {"p_at_mde": p, "rejected_at_mde": bool(p < config.alpha) if np.isfinite(p) else np.nan}
        out.append(record)
    return out


def _log_truth(ground_truth: dict, key: str, effects: pd.DataFrame) -> float:
    """``log(1 + att / cf)`` of a pilot's HEADLINE over the post years the estimator reports."""
    entry = ground_truth["pilots"][key]["outcomes"].get(HEADLINE)
    if entry is None:
        return float("nan")
    years = effects[(effects["estimator"] == OPENING) & (effects["period"] != "average")]["period"].astype(int)
    by_year = {int(y): (float(e), float(c)) for y, e, c in zip(entry["years"], entry["effect_rate"], entry["counterfactual_rate"])}
    if years.empty or not all(int(y) in by_year for y in years):
        return float("nan")
    att = float(np.mean([by_year[int(y)][0] for y in years]))
    cf = float(np.mean([by_year[int(y)][1] for y in years]))
    return float(np.log1p(att / cf)) if cf > 0 else float("nan")


# --------------------------------------------------------------------------------------------
# summaries


def _clustered(values: pd.Series, clusters: pd.Series) -> tuple[float, float]:
    """Mean of ``values`` and its MCSE with the world as the independent unit."""
    ok = values.notna()
    values, clusters = values[ok].astype(float), clusters[ok]
    n = len(values)
    if n == 0:
        return float("nan"), float("nan")
    mean = float(values.mean())
    sums = (values - mean).groupby(clusters.to_numpy()).sum()
    c = len(sums)
    if c < 2:
        return mean, float("nan")
    return mean, float(np.sqrt((sums**2).sum() * c / (c - 1)) / n)


def reference_levels(est: pd.DataFrame) -> pd.Series:
    """The scale of the % units: per scenario, pilot type and outcome, the mean over worlds of the
    pilot's observed post-period level (one number per cell, not each world's own level).

    Dividing each world's error by that world's observed level (the mean of ratios, used until
    this change) is biased downward even for an unbiased estimator: the error ``observed -
    counterfactual - truth`` and the level share the world's noise, so worlds with a low
    observed rate have negative errors divided by small levels. On the 400 null and effect
    worlds of the run before this change, the DiD's bias was -0.08 to +0.20 per 1,000 in rate
    units (0.05-0.9 MCSE) but -0.3% to -1.6% as a mean of ratios; every one of the 16
    ``oohc_per_1000`` cells was negative that way. A fixed scale per cell makes the % bias the
    rate-unit bias rescaled, with the same ratio to its MCSE.
    """
    return est.groupby(["scenario", "pilot_type", "outcome"])["level"].transform("mean")


def summarise_accuracy(est: pd.DataFrame, by_outcome: bool) -> pd.DataFrame:
    keys = ["scenario", "estimator", "pilot_type", "kind"] + (["outcome"] if by_outcome else [])
    out = []
    est = est.assign(reference_level=reference_levels(est))
    for key, g in est.groupby(keys, sort=True):
        g = g[g["truth"].notna() & g["effect"].notna()]
        if g.empty:
            continue
        error = g["effect"] - g["truth"]
        bias, mcse = _clustered(error, g["seed"])
        error_pct = error / g["reference_level"] * 100.0
        bias_pct, mcse_pct = _clustered(error_pct, g["seed"])
        has_ci = g["lower"].notna() & g["upper"].notna()
        covered = ((g["lower"] <= g["truth"]) & (g["truth"] <= g["upper"])).astype(float).where(has_ci)
        coverage, coverage_mcse = _clustered(covered, g["seed"])
        out.append({**dict(zip(keys, key)), "n": len(g), "worlds": g["seed"].nunique(), "mean_truth": g["truth"].mean(),
                    "bias": bias, "mcse": mcse, "bias_over_mcse": bias / mcse if mcse > 0 else np.nan,
                    "rmse": float(np.sqrt(np.mean(error**2))), "bias_pct": bias_pct, "mcse_pct": mcse_pct,
                    "bias_pct_over_mcse": bias_pct / mcse_pct if mcse_pct > 0 else np.nan,
                    "rmse_pct": float(np.sqrt(np.mean(error_pct**2))), "coverage": coverage, "coverage_mcse": coverage_mcse,
                    "n_without_interval": int((~has_ci).sum()), "median_width": float((g["upper"] - g["lower"]).median())})
    return pd.DataFrame(out)


def summarise_rejection(pvals: pd.DataFrame, alpha: float, by_outcome: bool) -> pd.DataFrame:
    keys = ["scenario", "source", "pilot_type", "kind"] + (["outcome"] if by_outcome else [])
    out = []
    for key, g in pvals.groupby(keys, sort=True):
        tested = g[g["p_value"].notna()]
        rate, mcse = _clustered((tested["p_value"] < alpha).astype(float), tested["seed"])
        out.append({**dict(zip(keys, key)), "n_tests": len(tested), "n_not_a_test": int(g["p_value"].isna().sum()),
                    "rejection_rate": rate, "mcse": mcse})
    return pd.DataFrame(out)


def summarise_power(power: pd.DataFrame, by_outcome: bool) -> pd.DataFrame:
    if power.empty:
        return pd.DataFrame()
    keys = ["pilot_type"] + (["outcome"] if by_outcome else [])
    out = []
    for key, g in power.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        tested = g[g["rejected"].notna()]
        rate, mcse = _clustered(tested["rejected"].astype(float), tested["seed"])
        out.append({**dict(zip(keys, key)), "n": len(tested), "n_not_a_test": int(g["rejected"].isna().sum()),
                    "power": rate, "mcse": mcse, "mean_mde": g["mde"].mean(), "mean_mde_percent": g["mde_percent"].mean()})
    return pd.DataFrame(out)


def summarise_pooled(pooled: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Per scenario x group: bias (log points x 100), MCSE, RMSE, coverage, rejection, power at the MDE."""
    if pooled.empty:
        return pd.DataFrame()
    out = []
    for (scenario, group), g in pooled.groupby(["scenario", "group"], sort=True):
        bias, mcse = _clustered(g["error_x100"], g["seed"])
        coverage, coverage_mcse = _clustered(g["covered"], g["seed"])
        tested = g[g["p_value"].notna()]
        rejection, rejection_mcse = _clustered((tested["p_value"] < alpha).astype(float), tested["seed"])
        row = {"scenario": scenario, "group": group, "n": int(g["error_x100"].notna().sum()), "worlds": g["seed"].nunique(),
               "mean_truth_x100": 100 * g["truth_log"].mean(), "bias_x100": bias, "mcse_x100": mcse,
               "bias_over_mcse": bias / mcse if mcse > 0 else np.nan,
               "rmse_x100": float(np.sqrt(np.nanmean(g["error_x100"] ** 2))), "coverage": coverage, "coverage_mcse": coverage_mcse,
               "n_tests": len(tested), "n_not_a_test": int(g["p_value"].isna().sum()), "rejection_rate": rejection,
               "rejection_mcse": rejection_mcse, "mean_dof": g["dof"].mean(), "mean_se_log_x100": 100 * g["se_log"].mean(),
               "mean_mde_percent": g["mde_percent"].mean(), "mean_n_pilots": g["n_pilots"].mean()}
        if "rejected_at_mde" in g and g["rejected_at_mde"].notna().any():
            at_mde = g[g["rejected_at_mde"].notna()]
            power, power_mcse = _clustered(at_mde["rejected_at_mde"].astype(float), at_mde["seed"])
            row |= {"power_at_mde": power, "power_mcse": power_mcse, "n_power": len(at_mde)}
        out.append(row)
    return pd.DataFrame(out)


def criteria(acc: pd.DataFrame, rej: pd.DataFrame, pwr: pd.DataFrame, pooled: pd.DataFrame) -> dict:
    average = acc[acc["kind"] == "average"]
    cov = [{"scenario": r.scenario, "estimator": r.estimator, "pilot_type": r.pilot_type, "coverage": r.coverage,
            "mcse": r.coverage_mcse, "n": r.n, "pass": bool(COVERAGE_RANGE[0] <= r.coverage <= COVERAGE_RANGE[1])}
           for r in average.itertuples()]
    bias = [{"scenario": r.scenario, "estimator": r.estimator, "pilot_type": r.pilot_type, "units": "% of the pilot's mean post-period level (reference_levels)",
             "bias": r.bias_pct, "mcse": r.mcse_pct, "bias_over_mcse": r.bias_pct_over_mcse, "n": r.n,
             "pass": bool(abs(r.bias_pct) <= BIAS_MCSE * r.mcse_pct)} for r in average.itertuples()]
    null = rej[(rej["scenario"] == "null") & (rej["kind"] != "diagnostic")] if not rej.empty else rej
    nul = [{"source": r.source, "pilot_type": r.pilot_type, "kind": r.kind, "rejection_rate": r.rejection_rate, "mcse": r.mcse,
            "n_tests": r.n_tests, "n_not_a_test": r.n_not_a_test,
            "pass": bool(r.n_tests > 0 and r.rejection_rate <= NULL_REJECTION_MAX)} for r in null.itertuples()]
    pw = [{"estimator": OPENING, "pilot_type": r.pilot_type, "power": r.power, "mcse": r.mcse, "n": r.n,
           "pass": bool(POWER_RANGE[0] <= r.power <= POWER_RANGE[1])} for r in pwr.itertuples()]
    for r in (pooled.itertuples() if not pooled.empty else ()):  # the pooled effect, per group ("pooled" rows)
        cov.append({"scenario": r.scenario, "estimator": "pooled", "pilot_type": r.group, "coverage": r.coverage,
                    "mcse": r.coverage_mcse, "n": r.n, "pass": bool(COVERAGE_RANGE[0] <= r.coverage <= COVERAGE_RANGE[1])})
        bias.append({"scenario": r.scenario, "estimator": "pooled", "pilot_type": r.group, "units": "log points x 100",
                     "bias": r.bias_x100, "mcse": r.mcse_x100, "bias_over_mcse": r.bias_over_mcse, "n": r.n,
                     "pass": bool(abs(r.bias_x100) <= BIAS_MCSE * r.mcse_x100)})
        if r.scenario == "null":
            nul.append({"source": "pooled", "pilot_type": r.group, "kind": "average", "rejection_rate": r.rejection_rate,
                        "mcse": r.rejection_mcse, "n_tests": r.n_tests, "n_not_a_test": r.n_not_a_test,
                        "pass": bool(r.n_tests > 0 and r.rejection_rate <= NULL_REJECTION_MAX)})
            power = getattr(r, "power_at_mde", np.nan)
            pw.append({"estimator": "pooled", "pilot_type": r.group, "power": power, "mcse": getattr(r, "power_mcse", np.nan),
                       "n": getattr(r, "n_power", 0), "pass": bool(POWER_RANGE[0] <= power <= POWER_RANGE[1])})

    def block(rule: str, checks: list) -> dict:
        return {"rule": rule, "pass": bool(checks) and all(c["pass"] for c in checks), "checks": checks}

    return {
        "coverage_93_97": block("95% interval coverage of the average effect within 93-97%, per estimator x pilot type x scenario", cov),
        "null_rejection_le_6pct": block("rejection rate at alpha under the null <= 6%, every reported p-value, per pilot type x period kind", nul),
        "bias_within_2_mcse": block("|bias| of the average effect <= 2 MCSE, per estimator x pilot type x scenario "
                                    "(outcomes pooled in % of each pilot's mean observed post-period level per outcome)", bias),
        "power_at_mde_70_90": block("synthetic-control rejection rate at an injected effect of exactly the reported MDE within 70-90%, per pilot type "
                                    "(computed exactly from the null fit, no refit: module docstring), and of the pooled effect per group", pw),
    }


# --------------------------------------------------------------------------------------------
# output


def _fmt(x: float, digits: int = 3) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.{digits}g}" if abs(x) >= 1000 else f"{x:.{digits}f}"


def markdown(acc: pd.DataFrame, rej: pd.DataFrame, pwr: pd.DataFrame, pooled: pd.DataFrame) -> str:
    lines = ["| estimator | pilot type | bias ± 2 MCSE (%) | RMSE (%) | coverage (effect / null) | null rejection | power at MDE |",
             "|---|---|---|---|---|---|---|"]
    avg = acc[acc["kind"] == "average"].set_index(["scenario", "estimator", "pilot_type"])
    rr = rej.set_index(["scenario", "source", "pilot_type", "kind"]) if not rej.empty else None
    pw = pwr.set_index("pilot_type") if not pwr.empty else None
    for estimator in ESTIMATORS:
        for ptype in ("municipality", "county"):
            if ("effect", estimator, ptype) not in avg.index:
                continue
            e = avg.loc[("effect", estimator, ptype)]
            cov_null = avg.loc[("null", estimator, ptype), "coverage"] if ("null", estimator, ptype) in avg.index else np.nan
            key = ("null", estimator, ptype, "average")
            nr = rr.loc[key, "rejection_rate"] if rr is not None and key in rr.index else np.nan
            power = pw.loc[ptype, "power"] if estimator == OPENING and pw is not None and ptype in pw.index else np.nan
            lines.append(f"| {estimator} | {ptype} | {e['bias_pct']:+.2f} ± {2 * e['mcse_pct']:.2f} | {e['rmse_pct']:.2f} | "
                         f"{_fmt(e['coverage'])} / {_fmt(cov_null)} | {_fmt(nr)} | {_fmt(power)} |")
    pp = pooled.set_index(["scenario", "group"]) if not pooled.empty else None
    for group in POOLED_GROUPS:
        if pp is None or ("effect", group) not in pp.index:
            continue
        e = pp.loc[("effect", group)]
        n = pp.loc[("null", group)] if ("null", group) in pp.index else None
        cov_null, nr = (n["coverage"], n["rejection_rate"]) if n is not None else (np.nan, np.nan)
        power = n.get("power_at_mde", np.nan) if n is not None else np.nan
        lines.append(f"| pooled ({HEADLINE}, log points ×100) | {group} | {e['bias_x100']:+.2f} ± {2 * e['mcse_x100']:.2f} | "
                     f"{e['rmse_x100']:.2f} | {_fmt(e['coverage'])} / {_fmt(cov_null)} | {_fmt(nr)} | {_fmt(power)} |")
    return "\n".join(lines)


def markdown_scenarios(acc: pd.DataFrame, pooled: pd.DataFrame) -> str:
    """Average effect per scenario, estimator and pilot type: bias, RMSE and coverage (every scenario run)."""
    lines = ["| scenario | estimator | pilot type | bias ± 2 MCSE | RMSE | coverage ± 2 MCSE |", "|---|---|---|---|---|---|"]
    for r in acc[acc["kind"] == "average"].sort_values(["scenario", "estimator", "pilot_type"]).itertuples():
        lines.append(f"| {r.scenario} | {r.estimator} | {r.pilot_type} | {r.bias_pct:+.2f} ± {2 * r.mcse_pct:.2f} (%) | "
                     f"{r.rmse_pct:.2f} | {_fmt(r.coverage)} ± {_fmt(2 * r.coverage_mcse)} |")
    for r in (pooled.sort_values(["scenario", "group"]).itertuples() if not pooled.empty else ()):
        lines.append(f"| {r.scenario} | pooled | {r.group} | {r.bias_x100:+.2f} ± {2 * r.mcse_x100:.2f} (log x100) | "
                     f"{r.rmse_x100:.2f} | {_fmt(r.coverage)} ± {_fmt(2 * r.coverage_mcse)} |")
    return "\n".join(lines)


def markdown_tests(rej: pd.DataFrame) -> str:
    null = rej[rej["scenario"] == "null"]
    lines = ["| p-value | pilot type | period | null rejection ± 2 MCSE | tests | not a test |", "|---|---|---|---|---|---|"]
    null = null.assign(last=null["kind"] == "diagnostic").sort_values(["last", "source", "pilot_type", "kind"])
    for r in null.itertuples():
        label = f"{r.source} (opening verdict)" if r.source == OPENING and r.kind == "average" else r.source
        label += " (diagnostic, not a criterion)" if r.kind == "diagnostic" else ""
        lines.append(f"| {label} | {r.pilot_type} | {r.kind} | {_fmt(r.rejection_rate)} ± {_fmt(2 * r.mcse)} | {r.n_tests} | {r.n_not_a_test} |")
    return "\n".join(lines)


def _records(frame: pd.DataFrame) -> list:
    return json.loads(frame.to_json(orient="records", double_precision=6)) if not frame.empty else []


def _progress(iterable, total: int):
    try:
        from tqdm import tqdm

        yield from tqdm(iterable, total=total, desc="worlds", mininterval=5.0, file=sys.stderr)
        return
    except ImportError:
        pass
    start, every = time.perf_counter(), max(1, total // 20)
    for i, item in enumerate(iterable, 1):
        if i % every == 0 or i == total:
            print(f"{i}/{total} worlds, {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
        yield item


def _importable(function):
    """``function`` from this file imported as a module, so workers unpickle it by reference
    (functions of ``__main__`` would be pickled by value, without the per-process setup cache)."""
    if function.__module__ != "__main__":
        return function
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    import importlib

    return getattr(importlib.import_module(Path(__file__).stem), function.__name__)


def _timing(worlds: list[dict], every: int, n_jobs: int) -> dict:
    """Per-world seconds by stage and the estimated cost of a full run (200 worlds per scenario).

    A full run costs, per scenario, 200 x the mean cost without validation plus the number of
    validated worlds (``ceil(200 / every)``) x the mean validation cost of a validated world.
    """
    full = 200
    n_validated_full = -(-full // every) if every else 0
    out: dict = {"cpu_per_world": {}, "elapsed_per_world": {}}
    validation_cpu, validation_wall = [], []
    cpu_total = wall_total = 0.0
    for name in sorted({w["scenario"] for w in worlds}):
        group = [w for w in worlds if w["scenario"] == name]
        if not group:
            continue
        for key, field in (("cpu_per_world", "cpu_seconds"), ("elapsed_per_world", "seconds")):
            stage = pd.DataFrame([{k: v for k, v in w[field].items() if k != "cpu"} for w in group]).fillna(0.0)
            means = {k: round(float(v), 2) for k, v in stage.mean().items()}
            out[key][name] = {**means, "total": round(float(stage.sum(axis=1).mean()), 2)}
        checked = [w for w in group if w["validated"]]
        validation_cpu += [w["cpu_seconds"].get("validation", 0.0) for w in checked]
        validation_wall += [w["seconds"].get("validation", 0.0) for w in checked]
        rest_cpu = np.mean([sum(v for k, v in w["cpu_seconds"].items() if k != "validation") for w in group])
        rest_wall = np.mean([sum(v for k, v in w["seconds"].items() if k not in ("validation", "cpu")) for w in group])
        cpu_total += full * rest_cpu
        wall_total += full * rest_wall
    v_cpu = float(np.mean(validation_cpu)) if validation_cpu else float("nan")
    v_wall = float(np.mean(validation_wall)) if validation_wall else float("nan")
    if n_validated_full:
        cpu_total += len(out["cpu_per_world"]) * n_validated_full * (v_cpu if np.isfinite(v_cpu) else 0.0)
        wall_total += len(out["cpu_per_world"]) * n_validated_full * (v_wall if np.isfinite(v_wall) else 0.0)
    return {**out, "validation_cpu_per_validated_world": round(v_cpu, 2), "validation_elapsed_per_validated_world": round(v_wall, 2),
            "full_run_validated_worlds": n_validated_full * len(out["cpu_per_world"]),
            "estimated_full_run_cpu_s": round(cpu_total / max(1, n_jobs), 0),
            "estimated_full_run_s": round(wall_total / max(1, n_jobs), 0),
            "estimate_note": f"{full} worlds per scenario x mean cost without validation + ceil({full}/validate_every) validated "
                             "worlds per scenario x mean validation cost, / n_jobs; CPU seconds are this process's own "
                             "(idle cores), elapsed ones include the machine's load; heavy imports are done before a world's clock starts"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=200, help="demo worlds per scenario (default 200)")
    parser.add_argument("--n-jobs", type=int, default=2, help="joblib processes, one world per task (default 2)")
    parser.add_argument("--outcomes", nargs="+", default=None, help="restrict impact.outcomes (default: all of them)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"result JSON (default {OUT.relative_to(REPO)})")
    parser.add_argument("--rows", type=Path, default=None, help="also write every estimate row to this CSV (optional)")
    parser.add_argument("--validate-every", type=int, default=VALIDATE_EVERY, metavar="K",
                        help=f"Great Expectations validation of worlds 0, K, 2K, ... of each scenario (default {VALIDATE_EVERY}; 0: none)")
    parser.add_argument("--scenarios", nargs="+", choices=sorted(SCENARIOS), default=list(DEFAULT_SCENARIOS),
                        help="which worlds (default: effect null; module docstring)")
    parser.add_argument("--intercept", choices=("on", "off"), default=None,
                        help="replace params.yaml's impact.intercept (synthetic control with or without an intercept)")
    args = parser.parse_args(argv)
    intercept = None if args.intercept is None else args.intercept == "on"
    if args.validate_every < 0:
        parser.error("--validate-every must be >= 0")
    _quiet()
    outcomes = tuple(args.outcomes) if args.outcomes else None
    setup = _setup(outcomes, intercept)
    alpha = setup.config.alpha
    scenarios = tuple(args.scenarios)
    seeds = {name: [SCENARIOS[name] + i for i in range(1, args.datasets + 1)] for name in scenarios}
    every = args.validate_every
    tasks = [(name, seeds[name][i], every > 0 and i % every == 0) for i in range(args.datasets) for name in scenarios]  # interleaved

    task = _importable(run_world)
    start = time.perf_counter()
    jobs = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(delayed(task)(n, s, outcomes, v, intercept) for n, s, v in tasks)
    worlds = sorted(_progress(jobs, len(tasks)), key=lambda w: (w["scenario"], w["seed"]))
    wall = time.perf_counter() - start

    est = pd.DataFrame([r for w in worlds for r in w["estimates"]])
    tests = pd.DataFrame([r for w in worlds for r in w["tests"]])
    power = pd.DataFrame([r for w in worlds for r in w["power"]])
    pooled_rows = pd.DataFrame([r for w in worlds for r in w["pooled"]])
    problems = [p for w in worlds for p in w["problems"]]
    if est.empty:
        print("no estimates: every evaluation failed", json.dumps(problems[:5], indent=2), file=sys.stderr)
        return 1
    pvals = pd.concat([est.assign(source=est["estimator"])[["scenario", "seed", "source", "pilot_type", "kind", "outcome", "p_value"]],
                       tests[["scenario", "seed", "source", "pilot_type", "kind", "outcome", "p_value"]] if not tests.empty else None],
                      ignore_index=True)
    acc, acc_o = summarise_accuracy(est, False), summarise_accuracy(est, True)
    rej, rej_o = summarise_rejection(pvals, alpha, False), summarise_rejection(pvals, alpha, True)
    pwr, pwr_o = summarise_power(power, False), summarise_power(power, True)
    pooled = summarise_pooled(pooled_rows, alpha)
    checks = criteria(acc, rej, pwr, pooled)
    opening = rej[(rej["source"] == OPENING) & (rej["kind"] == "average")]
    consistency = {"checked": int(len(power)), "mismatches": int((~power["mde_consistent"].astype(bool)).sum()) if not power.empty else 0,
                   "rule": "power-table MDE == (t(1-alpha/2, dof) + t(power, dof)) * se of the synthetic-control average row (rtol 1e-6)",
                   "examples": _records(power[~power["mde_consistent"].astype(bool)].head(5)[
                       ["scenario", "seed", "pilot_type", "outcome", "mde", "mde_expected", "se", "dof"]]) if not power.empty else []}

    timing = _timing(worlds, every, args.n_jobs)
    validated = {name: sum(w["validated"] for w in worlds if w["scenario"] == name) for name in scenarios}
    flagged = {name: sum(bool(w["validation"] and w["validation"]["critical_failures"] > 0) for w in worlds if w["scenario"] == name)
               for name in scenarios}
    rules: dict[str, int] = {}
    for w in worlds:
        for label in set(w["validation"]["critical"] if w["validation"] else ()):
            rules[label] = rules.get(label, 0) + 1
    result = {
        "benchmark": "impact estimators on generated demo worlds with known effects (issue 12, item 6)",
        "command": f".venv/bin/python benchmarks/impact_quality.py --datasets {args.datasets} --n-jobs {args.n_jobs}"
                   f" --validate-every {every}" + (f" --outcomes {' '.join(outcomes)}" if outcomes else "")
                   + (f" --scenarios {' '.join(scenarios)}" if scenarios != DEFAULT_SCENARIOS else "")
                   + (f" --intercept {args.intercept}" if args.intercept else "")
                   + (f" --out {args.out}" if args.out.resolve() != OUT.resolve() else ""),
        "settings": {
            "datasets_per_scenario": args.datasets, "n_jobs": args.n_jobs, "alpha": alpha, "validate_every": every,
            "pooled": {"outcome": HEADLINE, "pilots": list(POOLED_PILOTS), "groups": list(POOLED_GROUPS),
                       "scale": "log(observed / counterfactual); bias in log points x 100",
                       "truth": "sum_i w_i log(1 + att_i / cf_i), ground truth over the reported post years"},
            "power_at_mde": "exact from the null fit without refit: p = 2 t.sf(|effect - mde| / se, dof) (module docstring)",
            "years": [setup.params.data.years.start, setup.params.data.years.stop - 1],
            "categories": list(PANELS.values()), "pilots": PILOTS,
            "all_pilots_excluded_from_donors": [p.key for p in setup.params.pilots],
            "outcomes": list(setup.config.outcomes), "injected_effect": dict(setup.params.data.demo.effect),
            "effect_scale": {name: EFFECT_SCALE[name] for name in scenarios},
            "ramp_years": setup.params.data.demo.ramp_years, "impact_config": asdict(setup.config),
            "mcse": "sd of the errors / sqrt(n), the world as the independent unit (clustered by world)",
            "truth_sources": est.groupby("truth_source").size().to_dict(),
        },
        "seeds": {name: {"first": v[0], "last": v[-1], "n": len(v)} for name, v in seeds.items()},
        "machine": {"cpus": os.cpu_count()},
        "seconds": {"wall": round(wall, 1), "worlds": len(worlds), "wall_per_world": round(wall / len(worlds), 2), **timing},
        "validation": {"validate_every": every,
                       "rule": f"world i (0-based within its scenario) is validated when i % {every} == 0" if every else "no world validated",
                       "worlds_validated": validated, "worlds_with_critical_failure": flagged,
                       "critical_failures_by_rule": dict(sorted(rules.items())),
                       "mean_expectations_per_validated_world": float(np.mean([w["validation"]["expectations"] for w in worlds if w["validation"]]))
                       if any(w["validation"] for w in worlds) else None,
                       "note": "validation is sampled for cost (about 2/3 of a world's cost when every world was validated); "
                               "tests/sources/test_demo_always_validates.py checks generated worlds against the critical rules "
                               "over many seeds; flagged worlds are still evaluated and included in every summary"},
        "power_at_mde_consistency": consistency,
        "problems": {"count": len(problems), "by_kind": pd.Series([p["kind"] for p in problems]).value_counts().to_dict() if problems else {},
                     "examples": problems[:10]},
        "criteria": checks,
        "opening_verdict": _records(opening),
        "tables": {
            "accuracy": _records(acc), "accuracy_by_outcome": _records(acc_o),
            "rejection": _records(rej), "rejection_by_outcome": _records(rej_o),
            "power_at_mde": _records(pwr), "power_at_mde_by_outcome": _records(pwr_o),
            "pooled": _records(pooled),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=float) + "\n", encoding="utf-8")
    if args.out.resolve() == OUT.resolve() and OLD_OUT.exists():
        OLD_OUT.unlink()
    if args.rows:
        est.to_csv(args.rows, index=False)

    print(markdown(acc, rej, pwr, pooled))
    print()
    print(markdown_scenarios(acc, pooled))
    print()
    print(markdown_tests(rej))
    print()
    for r in opening.itertuples():
        print(f"opening verdict (synthetic_control average p_value), {r.pilot_type}, {r.scenario}: rejection {r.rejection_rate:.3f} "
              f"± {2 * r.mcse:.3f} over {r.n_tests} tests")
    print("criteria:", ", ".join(f"{k} {'PASS' if v['pass'] else 'FAIL'}" for k, v in checks.items()))
    print(f"power at MDE: {consistency['checked']} MDEs checked against (t(1-alpha/2,dof)+t(power,dof))*se, "
          f"{consistency['mismatches']} mismatches")
    print(f"validation (every {every}th world): validated {validated}, with a critical failure {flagged}; problems {len(problems)}")
    cpu_world = timing["cpu_per_world"]
    print(f"{len(worlds)} worlds in {wall:.0f} s wall (n_jobs={args.n_jobs}); CPU seconds per world: "
          + "; ".join(f"{name} {v['total']:.1f} ({', '.join(f'{k} {x:.1f}' for k, x in v.items() if k != 'total')})"
                      for name, v in cpu_world.items())
          + f"; validation {timing['validation_cpu_per_validated_world']:.1f} s per validated world")
    print(f"estimated full run (--datasets 200 --validate-every {every}, {timing['full_run_validated_worlds']} validated worlds): "
          f"{timing['estimated_full_run_cpu_s']:.0f} CPU s = {timing['estimated_full_run_cpu_s'] / 3600:.2f} h on {args.n_jobs} idle cores "
          f"({timing['estimated_full_run_s']:.0f} s at this run's elapsed/CPU ratio) -> {args.out}")
    return 0 if all(v["pass"] for v in checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The impact evaluation of one pilot: every outcome, every estimator, tidy result tables.

For each outcome of ``ImpactConfig.outcomes`` with data for the pilot:

1. **Donor pool** (:func:`pilot_donors`): regions of the pilot's category that are not pilots,
   do not contain or lie inside a pilot (``within``), have the outcome in every year of the
   fit window and more than ``donor_min_children`` children in every year.
2. **Synthetic control** (Abadie, Diamond & Hainmueller 2010), outcome-only mode over the
   pre-adoption years of the fit window; in-space placebos (every donor, joblib ``n_jobs``)
   give the p-value (post/pre RMSPE ratio) and the interval of the average effect (inverted
   test, Firpo & Possebom 2018); per-year intervals invert the per-year test on gaps
   standardised by each unit's pre-RMSPE. In-time placebo and leave-one-donor-out refits.
3. **Callaway & Sant'Anna DiD** (csdid) with the pilot as the treated cohort and the donor
   pool as comparison units; **TWFE event study** (pyfixest) beside it. With one treated
   region their analytic standard errors under-cover, so intervals and p-values come from
   studentised placebo DiDs (:mod:`aoresearch.impact._did_placebo`).
4. **Power**: minimum detectable effects from the pre-period gaps for the actual number of
   post years, or per future horizon for a pilot without post-adoption data, which gets a
   baseline and monitoring plan instead of an effect.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from aoresearch.config import Pilot
from aoresearch.errors import AoresearchError, InsufficientDataError, ParameterError
from aoresearch.impact._did_placebo import did_paths, studentised_interval
from aoresearch.impact._donors import donor_pool
from aoresearch.impact._event_study import TwfeEventStudy
from aoresearch.impact._power import baseline_summary, minimum_detectable_effect
from aoresearch.impact._results import effect_estimate, percent_of
from aoresearch.impact._staggered_did import StaggeredDiD
from aoresearch.impact._synthetic_control import SyntheticControl
from aoresearch.impact.config import ImpactConfig

__all__ = ["PilotEvaluation", "OutcomeEvaluation", "evaluate_pilot", "pilot_donors", "find_pilot"]

log = logging.getLogger(__name__)

SC, CS, TWFE = "synthetic_control", "staggered_did", "twfe_event_study"
UNIT, TIME = "region", "year"


@dataclass(frozen=True)
class OutcomeEvaluation:
    """Results of one outcome (tidy frames, each with an ``outcome`` column)."""

    outcome: str
    status: str
    effects: pd.DataFrame
    trajectory: pd.DataFrame
    weights: pd.DataFrame
    placebos: pd.DataFrame
    placebo_gaps: pd.DataFrame
    event_study: pd.DataFrame
    leave_one_out: pd.DataFrame
    power: pd.DataFrame
    info: dict


@dataclass(frozen=True)
class PilotEvaluation:
    """All outcomes of one pilot.

    Attributes
    ----------
    pilot : Pilot
    status : {"effect", "baseline"}
        "baseline" when no outcome has post-adoption data.
    outcomes : tuple of OutcomeEvaluation
    skipped : dict
        Outcome -> reason it was not evaluated.
    data_end_year : int
    synthetic : bool
    """

    pilot: Pilot
    status: str
    outcomes: tuple[OutcomeEvaluation, ...]
    skipped: dict = field(default_factory=dict)
    data_end_year: int = 0
    synthetic: bool = False

    def table(self, name: str) -> pd.DataFrame:
        """Concatenate table ``name`` over outcomes (empty frame if no outcome has rows)."""
        frames = [getattr(o, name) for o in self.outcomes if not getattr(o, name).empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def find_pilot(pilots: Sequence[Pilot], key: str) -> Pilot:
    """The pilot with ``key``.

    Raises
    ------
    ParameterError
        Unknown key; the message lists the known keys.
    """
    for pilot in pilots:
        if pilot.key == key:
            return pilot
    raise ParameterError(f"unknown pilot key {key!r}: params.yaml 'pilots' has {sorted(p.key for p in pilots)}.")


def pilot_regions(pilots: Sequence[Pilot]) -> dict:
    """What every pilot's donor pool excludes: each pilot's region and the regions linked to it.

    The ``pilot_regions`` DVC stage writes this to a file that every ``impact@<pilot>`` stage
    depends on, so changing another pilot's region reruns the pilot's evaluation, while a
    change of another pilot's adoption years (the file's bytes stay the same) does not.
    """
    return {"pilots": [{"key": p.key, "region": p.region, "category": p.category, "within": sorted(p.within)}
                       for p in sorted(pilots, key=lambda p: p.key)]}


def check_pilot_regions(document: dict, pilots: Sequence[Pilot], path: str) -> None:
    """Raise if the pilot-region file at ``path`` is stale with respect to ``pilots``.

    Raises
    ------
    ParameterError
        The file does not describe the pilots of params.yaml.
    """
    if document != pilot_regions(pilots):
        raise ParameterError(f"{path} does not match the pilots in params.yaml; run `dvc repro pilot_regions` first.")


def pilot_donors(panel: pd.DataFrame, pilot: Pilot, pilots: Sequence[Pilot], outcome: str, years: range, min_children: int) -> list:
    """Donor ids for ``pilot`` and ``outcome`` (module docstring, step 1).

    Raises
    ------
    InsufficientDataError
        Fewer than two donors remain.
    """
    regions = panel[[UNIT, "category"]].drop_duplicates(UNIT).rename(columns={UNIT: "id"})
    category = regions.loc[regions["id"] == pilot.region, "category"]
    if category.empty:
        raise InsufficientDataError(f"pilot {pilot.key!r}: region {pilot.region} is not in the panel '{pilot.category}'.")
    contains = {p.region: p.within for p in pilots}
    donors = donor_pool(regions, pilot.region, [p.region for p in pilots], category.iloc[0], contains)
    window = panel[panel[TIME].between(years.start, years.stop - 1) & panel[UNIT].isin(donors)]
    complete = window.groupby(UNIT)[outcome].apply(lambda s: s.notna().sum() == len(years))
    keep = set(complete[complete].index)
    if "children_0_17" in window and min_children > 0:
        big = window.groupby(UNIT)["children_0_17"].min() > min_children
        keep &= set(big[big].index)
    kept = sorted(keep)
    if len(kept) < 2:
        raise InsufficientDataError(
            f"pilot {pilot.key!r}, outcome {outcome!r}: {len(kept)} donors have complete data for {years.start}-{years.stop - 1} "
            f"and more than {min_children} children; at least 2 are needed."
        )
    return kept


def evaluate_pilot(
    panel: pd.DataFrame, pilot: Pilot, pilots: Sequence[Pilot], config: ImpactConfig, seed: int, synthetic: bool = False
) -> PilotEvaluation:
    """Evaluate every configured outcome of ``pilot`` (module docstring).

    Parameters
    ----------
    panel : DataFrame
        Region-year panel of the pilot's category (``data/panel/<category>.parquet``).
    pilot : Pilot
    pilots : sequence of Pilot
        All pilots (excluded from donor pools with the units linked to them).
    config : ImpactConfig
    seed : int
    synthetic : bool
        Whether the panel is synthetic demo data (carried into the outputs).

    Returns
    -------
    PilotEvaluation

    Raises
    ------
    InsufficientDataError
        The pilot's region is not in the panel, or no outcome could be evaluated.
    """
    if pilot.region not in set(panel[UNIT]):
        raise InsufficientDataError(f"pilot {pilot.key!r}: region {pilot.region} ({pilot.name}) is not in panel '{pilot.category}'.")
    results, skipped = [], {}
    for outcome in config.outcomes:
        reason = _missing_reason(panel, pilot, outcome, config)
        if reason is None:
            try:
                results.append(evaluate_outcome(panel, pilot, pilots, outcome, config, seed))
                continue
            except AoresearchError as error:
                reason = str(error)
        log.warning("pilot %s: outcome %s skipped: %s", pilot.key, outcome, reason)
        skipped[outcome] = reason
    if not results:
        raise InsufficientDataError(f"pilot {pilot.key!r}: no outcome could be evaluated: {skipped}")
    status = "effect" if any(r.status == "effect" for r in results) else "baseline"
    end = int(panel.loc[panel[UNIT] == pilot.region, TIME].max())
    return PilotEvaluation(pilot, status, tuple(results), skipped, end, synthetic)


def _missing_reason(panel: pd.DataFrame, pilot: Pilot, outcome: str, config: ImpactConfig) -> str | None:
    if outcome not in panel:
        return f"column {outcome!r} is not in the panel (no data for this indicator in the source)"
    if panel[outcome].isna().all():
        return f"column {outcome!r} has no values in the panel (the data source lacks this indicator)"
    rows = panel[(panel[UNIT] == pilot.region) & (panel[TIME] >= config.fit_start_year)]
    pre = rows.loc[rows[TIME] < pilot.adoption_year, outcome].notna().sum()
    if pre < config.min_pre_years:
        return (f"region {pilot.region} has {pre} pre-adoption years of {outcome!r} from {config.fit_start_year}; "
                f"impact.min_pre_years is {config.min_pre_years}")
    return None


def evaluate_outcome(panel: pd.DataFrame, pilot: Pilot, pilots: Sequence[Pilot], outcome: str, config: ImpactConfig, seed: int) -> OutcomeEvaluation:
    """Evaluate one outcome of one pilot (module docstring, steps 1-4)."""
    treated = panel[(panel[UNIT] == pilot.region) & panel[outcome].notna() & (panel[TIME] >= config.fit_start_year)]
    last = int(treated[TIME].max())
    years = range(config.fit_start_year, last + 1)
    donors = pilot_donors(panel, pilot, pilots, outcome, years, config.donor_min_children)
    window = panel[panel[TIME].between(years.start, last) & panel[UNIT].isin([pilot.region, *donors])]
    window = window[[UNIT, TIME, "region_name", outcome]].reset_index(drop=True)
    names = window.drop_duplicates(UNIT).set_index(UNIT)["region_name"]
    sc = SyntheticControl(min_pre_periods=config.min_pre_years, random_state=seed, n_jobs=config.n_jobs)
    sc.fit(window, unit=UNIT, time=TIME, outcome=outcome, treated=pilot.region, treatment_time=pilot.adoption_year, donors=donors)
    base = _base_frames(sc, outcome, pilot, names, config)
    if sc.n_post_periods_ == 0:
        return _baseline_outcome(sc, outcome, pilot, config, base, len(donors))
    return _effect_outcome(sc, window, outcome, pilot, config, base, names, len(donors))


def _base_frames(sc: SyntheticControl, outcome: str, pilot: Pilot, names: pd.Series, config: ImpactConfig) -> dict:
    observed = sc.gap_ + sc.synthetic_
    trajectory = pd.DataFrame({
        "outcome": outcome, TIME: sc.gap_.index.astype(int), "observed": observed.to_numpy(),
        "synthetic": sc.synthetic_.to_numpy(), "gap": sc.gap_.to_numpy(), "adoption_year": pilot.adoption_year,
    })
    weights = pd.DataFrame({"outcome": outcome, "donor": sc.weights_.index.astype(int), "weight": sc.weights_.to_numpy()})
    weights["donor_name"] = weights["donor"].map(names)
    weights = weights[["outcome", "donor", "donor_name", "weight"]].sort_values(["weight", "donor"], ascending=[False, True])
    placebos = _in_time_placebo(sc, outcome, pilot, config)
    return {"trajectory": trajectory, "weights": weights.reset_index(drop=True), "placebos": placebos}


def _in_time_placebo(sc: SyntheticControl, outcome: str, pilot: Pilot, config: ImpactConfig) -> pd.DataFrame:
    year = config.in_time_placebo_year
    try:
        fake = sc.placebo_in_time(year)
    except AoresearchError as error:
        log.warning("pilot %s, %s: in-time placebo at %s skipped: %s", pilot.key, outcome, year, error)
        return pd.DataFrame()
    observed = (sc.gap_ + sc.synthetic_).reindex(fake.gap.index)
    fake_post = fake.gap.index >= year
    counterfactual = float((observed - fake.gap)[fake_post].mean())
    return pd.DataFrame([{
        "outcome": outcome, "kind": "in_time", "region": pilot.region, "region_name": pilot.name, "fake_year": year,
        "pre_rmspe": fake.pre_rmspe, "post_rmspe": fake.post_rmspe,
        "rmspe_ratio": fake.post_rmspe / fake.pre_rmspe if fake.pre_rmspe > 0 else np.inf,
        "att": fake.att, "percent": percent_of(fake.att, counterfactual), "treated": True, "kept": True,
    }])


def _power_rows(sc: SyntheticControl, outcome: str, config: ImpactConfig, horizons: Sequence[int], baseline: float) -> pd.DataFrame:
    gaps = sc.gap_[sc.gap_.index < sc.treatment_time_]
    rows = []
    for h in horizons:
        m = minimum_detectable_effect(gaps, h, config.alpha, config.power, baseline=baseline)
        rows.append({"outcome": outcome, "n_post": h, "mde": m.mde, "mde_percent": m.mde_percent, "sigma": m.sigma,
                     "rho": m.rho, "design_effect": m.design_effect, "n_pre": m.n_pre, "alpha": m.alpha,
                     "power": m.power, "baseline": m.baseline})
    return pd.DataFrame(rows)


def _baseline_outcome(sc: SyntheticControl, outcome: str, pilot: Pilot, config: ImpactConfig, base: dict, n_donors: int) -> OutcomeEvaluation:
    summary = baseline_summary(sc, config.horizons, config.alpha, config.power)
    power = _power_rows(sc, outcome, config, config.horizons, summary.baseline)
    info = {"status": "baseline", "n_donors": n_donors, "pre_rmspe": sc.pre_rmspe_, "n_pre": sc.n_pre_periods_,
            "baseline": summary.baseline, "synthetic_baseline": summary.synthetic_baseline,
            "last_data_year": int(summary.last_period)}
    empty = pd.DataFrame()
    return OutcomeEvaluation(outcome, "baseline", empty, base["trajectory"], base["weights"], base["placebos"], empty,
                             empty, empty, power, info)


def _effect_outcome(sc, window, outcome, pilot, config, base, names, n_donors) -> OutcomeEvaluation:
    placebo = sc.placebo_in_space(n_jobs=config.n_jobs, pre_mspe_cutoff=config.placebo_pre_mspe_cutoff)
    post = sc.gap_.index >= pilot.adoption_year
    observed = (sc.gap_ + sc.synthetic_)[post]
    did = _did(window, outcome, pilot, config)
    sc_effects = _sc_effects(sc, placebo, observed, outcome, config, did["noise"])
    placebos = _placebo_table(placebo, outcome, names)
    gaps = placebo.gaps.rename_axis(index=TIME, columns=UNIT).stack().rename("gap").reset_index()
    gaps.insert(0, "outcome", outcome)
    loo = _leave_one_out(sc, outcome, names, observed, config)
    power = _power_rows(sc, outcome, config, [int(post.sum())], float(sc.synthetic_[post].mean()))
    sc_events = _sc_event_rows(sc_effects, outcome, pilot)
    effects = pd.concat([sc_effects, did["effects"]], ignore_index=True)
    events = pd.concat([sc_events, did["events"]], ignore_index=True)
    average = sc_effects[sc_effects["period"] == "average"].iloc[0]
    info = {"status": "effect", "n_donors": n_donors, "pre_rmspe": sc.pre_rmspe_, "n_pre": sc.n_pre_periods_,
            "n_placebos_kept": int(placebo.stats["kept"].sum() - 1), "placebo_p_rmspe_ratio": placebo.p_value,
            "pre_trend_p": did["pre_trend_p"], "pre_trend_p_analytic": did["pre_trend_p_analytic"], "att": float(average["effect"])}
    return OutcomeEvaluation(outcome, "effect", effects, base["trajectory"], base["weights"],
                             pd.concat([placebos, base["placebos"]], ignore_index=True), gaps, events, loo, power, info)


def _method(base: str, n_placebos: int, alpha: float) -> str:
    rank = int(np.floor(alpha * (n_placebos + 1) - 1)) + 1 > 0
    return f"{base}; {n_placebos} placebos, " + ("rank test" if rank else "t(J-1) approximation (too few for a rank test)")


def _effect_row(estimator, outcome, period, estimate, lower, upper, observed, alpha, method, p_value) -> dict:
    e = effect_estimate(estimate, lower, upper, observed - estimate, alpha, method, p_value)
    return {"estimator": estimator, "outcome": outcome, "period": str(period), "effect": e.estimate, "lower": e.lower,
            "upper": e.upper, "percent": e.percent, "percent_lower": e.percent_lower, "percent_upper": e.percent_upper,
            "observed": float(observed), "counterfactual": e.counterfactual, "p_value": e.p_value, "method": method}


def _sc_effects(sc, placebo, observed: pd.Series, outcome: str, config: ImpactConfig, noise: pd.Series) -> pd.DataFrame:
    """Per-year and average SC effects with studentised in-space placebo intervals.

    With many donors and few pre-years, placebo synthetic controls often fit their pre-period
    exactly (pre-RMSPE 0, RMSPE ratio infinite), which makes the RMSPE-ratio interval
    unbounded. The interval therefore studentises each unit's gap by its own noise scale
    ``noise`` (the RMS of its pre-period DiD residual, never degenerate); the classic RMSPE-ratio
    p-value of Abadie et al. (2010) is kept in ``placebos.parquet`` and the summary.
    """
    kept = placebo.stats["kept"] & ~placebo.stats["treated"]
    units = placebo.stats.index[kept]
    scale = noise.reindex(units).to_numpy()
    scale0 = float(noise[sc.treated_])
    rows = []
    method = _method("in-space placebo gaps studentised by each region's pre-period noise", len(units), config.alpha)
    for year, value in observed.items():
        lower, upper, p = studentised_interval(float(sc.gap_[year]), scale0, placebo.gaps.loc[year, units].to_numpy() / scale, config.alpha)
        rows.append(_effect_row(SC, outcome, int(year), float(sc.gap_[year]), lower, upper, value, config.alpha, method, p))
    placebo_att = placebo.stats.loc[units, "att"].to_numpy() / scale
    lower, upper, p = studentised_interval(sc.att_, scale0, placebo_att, config.alpha)
    rows.append(_effect_row(SC, outcome, "average", sc.att_, lower, upper, float(observed.mean()), config.alpha, method, p))
    return pd.DataFrame(rows)


def _sc_event_rows(effects: pd.DataFrame, outcome: str, pilot: Pilot) -> pd.DataFrame:
    years = effects[effects["period"] != "average"]
    return pd.DataFrame({"estimator": SC, "outcome": outcome, "event_time": years["period"].astype(int) - pilot.adoption_year,
                         "estimate": years["effect"].to_numpy(), "lower": years["lower"].to_numpy(),
                         "upper": years["upper"].to_numpy(), "p_value": years["p_value"].to_numpy()})


def _placebo_table(placebo, outcome: str, names: pd.Series) -> pd.DataFrame:
    stats = placebo.stats.reset_index().rename(columns={"unit": UNIT})
    stats.insert(0, "outcome", outcome)
    stats.insert(1, "kind", "in_space")
    stats.insert(3, "region_name", stats[UNIT].map(names))
    stats["fake_year"] = np.nan
    stats["percent"] = np.nan
    return stats


def _leave_one_out(sc, outcome: str, names: pd.Series, observed: pd.Series, config: ImpactConfig) -> pd.DataFrame:
    loo = sc.leave_one_out(n_jobs=config.n_jobs)
    if loo.att.empty:
        return pd.DataFrame()
    post_gaps = loo.gaps.loc[observed.index]
    counterfactual = (observed.to_numpy()[:, None] - post_gaps.to_numpy()).mean(axis=0)
    pre = loo.gaps.loc[loo.gaps.index < sc.treatment_time_]
    frame = pd.DataFrame({
        "outcome": outcome, "dropped": loo.att.index.astype(int), "effect": loo.att.to_numpy(),
        "counterfactual": counterfactual, "pre_rmspe": np.sqrt((pre**2).mean()).to_numpy(),
        "dropped_weight": sc.weights_.reindex(loo.att.index).to_numpy(),
    })
    frame["dropped_name"] = frame["dropped"].map(names)
    frame["percent"] = [percent_of(e, c) for e, c in zip(frame["effect"], frame["counterfactual"])]
    frame["full_effect"] = sc.att_
    return frame.sort_values("dropped").reset_index(drop=True)


def _did(window: pd.DataFrame, outcome: str, pilot: Pilot, config: ImpactConfig) -> dict:
    """Callaway & Sant'Anna and TWFE with the pilot as the only treated unit, placebo intervals."""
    frame = window.copy()
    frame["g"] = np.where(frame[UNIT] == pilot.region, pilot.adoption_year, 0)
    wide = frame.pivot(index=UNIT, columns=TIME, values=outcome)
    order = [pilot.region, *[u for u in wide.index if u != pilot.region]]
    Y, times = wide.loc[order].to_numpy(dtype=float), wide.columns.to_numpy()
    cs = StaggeredDiD(control_group=config.control_group, alpha=config.alpha)
    with warnings.catch_warnings():
        # csdid warns that a cohort is small; one treated region is the design here.
        warnings.filterwarnings("ignore", message="Be aware that there are some small groups")
        cs.fit(frame, unit=UNIT, time=TIME, outcome=outcome, group="g")
    varying = did_paths(Y, times, pilot.adoption_year, "varying")
    universal = did_paths(Y, times, pilot.adoption_year, "universal")
    post = times >= pilot.adoption_year
    observed = pd.Series(Y[0, post], index=times[post])
    effects, events = [], []
    method = _method("Conley-Taber placebo DiDs, studentised (one treated region)", Y.shape[0] - 1, config.alpha)
    att_gt = cs.att_gt_.set_index("time")
    for i, year in enumerate(times):
        if year not in att_gt.index:
            continue
        est = float(att_gt.loc[year, "att"])
        lower, upper, p = studentised_interval(est, varying.scale[0], varying.paths[1:, i] / varying.scale[1:], config.alpha)
        events.append({"estimator": CS, "outcome": outcome, "event_time": int(year - pilot.adoption_year), "estimate": est,
                       "lower": lower, "upper": upper, "p_value": p})
        if year >= pilot.adoption_year:
            effects.append(_effect_row(CS, outcome, int(year), est, lower, upper, observed[year], config.alpha, method, p))
    simple = cs.aggregate("simple")
    placebo_avg = varying.average(post)
    lower, upper, p = studentised_interval(simple.overall_att, varying.scale[0], placebo_avg[1:] / varying.scale[1:], config.alpha)
    effects.append(_effect_row(CS, outcome, "average", simple.overall_att, lower, upper, observed.mean(), config.alpha, method, p))
    twfe_effects, twfe_events = _twfe(frame, outcome, pilot, config, universal, times, observed)
    return {"effects": pd.DataFrame(effects + twfe_effects), "events": pd.DataFrame(events + twfe_events),
            "pre_trend_p": _pre_trend_p(varying, times < pilot.adoption_year), "pre_trend_p_analytic": cs.pretest_.p_value,
            "noise": pd.Series(varying.scale, index=order)}


def _pre_trend_p(paths, pre: np.ndarray) -> float:
    """Placebo p-value of the mean squared studentised pre-period ATT(g,t) (joint pre-trend test)."""
    values = paths.paths[:, pre]
    stat = np.nanmean(values**2, axis=1) / paths.scale**2
    return float((1 + np.sum(stat[1:] >= stat[0])) / stat.size)


def _twfe(frame, outcome, pilot, config, universal, times, observed) -> tuple[list, list]:
    low, high = config.event_window
    high = min(high, int(times.max() - pilot.adoption_year))  # no dummies for event times beyond the data
    study = TwfeEventStudy(window=(low, high), reference=-1, alpha=config.alpha)
    study.fit(frame, unit=UNIT, time=TIME, outcome=outcome, group="g")
    event = np.clip(times - pilot.adoption_year, low, high)
    method = _method("Conley-Taber placebo DiDs, studentised (one treated region)", universal.paths.shape[0] - 1, config.alpha)
    events, post_estimates = [], {}
    for row in study.coefficients_.itertuples():
        cols = event == row.event_time
        if row.event_time == -1 or not cols.any():
            events.append({"estimator": TWFE, "outcome": outcome, "event_time": int(row.event_time), "estimate": row.estimate,
                           "lower": np.nan, "upper": np.nan, "p_value": np.nan})
            continue
        placebo = universal.paths[1:, cols].mean(axis=1) / universal.scale[1:]
        lower, upper, p = studentised_interval(row.estimate, universal.scale[0], placebo, config.alpha)
        events.append({"estimator": TWFE, "outcome": outcome, "event_time": int(row.event_time), "estimate": row.estimate,
                       "lower": lower, "upper": upper, "p_value": p})
        if row.event_time >= 0:
            post_estimates[int(row.event_time)] = row.estimate
    effects = []
    by_event = {e["event_time"]: e for e in events}
    for year, value in observed.items():
        e = by_event.get(int(np.clip(year - pilot.adoption_year, low, high)))
        if e is not None:
            effects.append(_effect_row(TWFE, outcome, int(year), e["estimate"], e["lower"], e["upper"], value, config.alpha, method, e["p_value"]))
    post_events = np.clip(times[times >= pilot.adoption_year] - pilot.adoption_year, low, high)
    estimate = float(np.mean([post_estimates.get(int(e), np.nan) for e in post_events]))
    placebo_avg = universal.average(times >= pilot.adoption_year)
    lower, upper, p = studentised_interval(estimate, universal.scale[0], placebo_avg[1:] / universal.scale[1:], config.alpha)
    effects.append(_effect_row(TWFE, outcome, "average", estimate, lower, upper, observed.mean(), config.alpha, method, p))
    return effects, events

"""The impact evaluation of one pilot: every outcome, every estimator, tidy result tables.

For each outcome of ``ImpactConfig.outcomes`` with data for the pilot:

1. **Donor pool** (:func:`pilot_donors`): regions of the pilot's category that are not pilots,
   do not contain or lie inside a pilot (``within``), have the outcome in every year from
   ``fit_start_year`` and more than ``donor_min_children`` children in every year.
2. **Synthetic control** (:mod:`aoresearch.impact._pilot_sc`): comparable donors (size class,
   then the nearest pre-period paths; :mod:`aoresearch.impact._comparable`), penalised weights
   over the ``pre_years`` years before adoption, and intervals, p-values and minimum detectable
   effects from the pilot's own backtest errors (:mod:`aoresearch.impact._sc_backtest`). The
   fit is compared with the pilot's year-to-year noise and flagged when it is overfitted.
   In-space placebos give Abadie et al.'s RMSPE-ratio rank (a test only with enough
   placebos); in-time placebo and leave-one-donor-out refits.
3. **Callaway & Sant'Anna DiD** (csdid) with the pilot as the treated cohort and every eligible
   region as comparison units; **TWFE event study** (pyfixest) beside it, flagged
   ``twfe_equals_did`` when it returns the same numbers (one cohort, no covariates). With one
   treated region the analytic standard errors under-cover, so intervals and p-values come from
   in-time placebo DiDs of the pilot's own history (:mod:`aoresearch.impact._did_backtest`), labelled by what is
   computed: a rank test, or a t(J-1) approximation with too few placebos.
4. **Power**: minimum detectable effects from the same backtest errors as the intervals, for
   the actual number of post years, or per future horizon for a pilot without post-adoption
   data, which gets a baseline and monitoring plan instead of an effect.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from aoresearch.config import Pilot
from aoresearch.errors import AoresearchError, InsufficientDataError, ParameterError
from aoresearch.impact._donors import donor_pool
from aoresearch.impact._comparable import size_class
from aoresearch.impact._pilot_sc import (ScRun, fit_pilot_sc, fit_quality, inference_method, placebo_in_size_class,
                                         placebo_test, power_rows)
from aoresearch.impact._pilot_did import CS, TWFE, did_estimates
from aoresearch.impact._results import effect_row, percent_of
from aoresearch.impact._synthetic_control import SyntheticControl
from aoresearch.config.impact import ImpactConfig
from aoresearch.panel.files import Panel
from aoresearch.progress import track

__all__ = ["PilotEvaluation", "OutcomeEvaluation", "evaluate_pilot", "evaluate_outcome", "sc_inputs", "ScInputs",
           "pilot_donors", "find_pilot", "SC", "CS", "TWFE"]

log = logging.getLogger(__name__)

SC = "synthetic_control"
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
    backtests: pd.DataFrame = field(default_factory=pd.DataFrame)


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


def evaluate_pilot(panel: Panel, pilot: Pilot, pilots: Sequence[Pilot], config: ImpactConfig, seed: int) -> PilotEvaluation:
    """Evaluate every configured outcome of ``pilot`` (module docstring).

    Parameters
    ----------
    panel : Panel
        Region-year panel of the pilot's category (:func:`aoresearch.panel.read_panel`); its
        ``synthetic`` flag is carried into the outputs.
    pilot : Pilot
    pilots : sequence of Pilot
        All pilots (excluded from donor pools with the units linked to them).
    config : ImpactConfig
    seed : int

    Returns
    -------
    PilotEvaluation

    Raises
    ------
    InsufficientDataError
        The pilot's region is not in the panel, or no outcome could be evaluated.
    """
    panel, synthetic = panel.frame, panel.synthetic
    if pilot.region not in set(panel[UNIT]):
        raise InsufficientDataError(f"pilot {pilot.key!r}: region {pilot.region} ({pilot.name}) is not in panel '{pilot.category}'.")
    results, skipped = [], {}
    for outcome in track(config.outcomes, f"impact {pilot.key}", "outcome", log):
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


@dataclass(frozen=True)
class ScInputs:
    """What the synthetic control of one pilot and outcome is fitted on (:func:`sc_inputs`)."""

    eligible: list
    pool: list
    rows: pd.DataFrame
    frame: pd.DataFrame
    Y: pd.DataFrame
    context: str


def sc_inputs(panel: pd.DataFrame, pilot: Pilot, pilots: Sequence[Pilot], outcome: str, config: ImpactConfig) -> ScInputs:
    """Eligible donors (step 1), the pilot's size class and its outcome matrix from ``fit_start_year``.

    Raises
    ------
    InsufficientDataError
        Too few eligible or size-class donors; the message names the pilot, outcome and parameter.
    """
    treated = panel[(panel[UNIT] == pilot.region) & panel[outcome].notna() & (panel[TIME] >= config.fit_start_year)]
    first, last = int(treated[TIME].min()), int(treated[TIME].max())
    eligible = pilot_donors(panel, pilot, pilots, outcome, range(first, last + 1), config.donor_min_children)
    rows = panel[panel[TIME].between(first, last) & panel[UNIT].isin([pilot.region, *eligible])]
    pre_rows = rows[rows[TIME].between(pilot.adoption_year - config.pre_years, pilot.adoption_year - 1)]
    sizes = pre_rows.groupby(UNIT)["children_0_17"].mean() if "children_0_17" in rows else pd.Series(1.0, index=[pilot.region, *eligible])
    context = f"pilot {pilot.key!r}, outcome {outcome!r}"
    pool = size_class(sizes, pilot.region, config.donor_size_ratio, config.min_donors, context)
    frame = rows[rows[UNIT].isin([pilot.region, *pool])][[UNIT, TIME, "region_name", outcome]].reset_index(drop=True)
    Y = frame.pivot(index=UNIT, columns=TIME, values=outcome).loc[[pilot.region, *pool]]
    return ScInputs(eligible, pool, rows, frame, Y, context)


def evaluate_outcome(panel: pd.DataFrame, pilot: Pilot, pilots: Sequence[Pilot], outcome: str, config: ImpactConfig, seed: int) -> OutcomeEvaluation:
    """Evaluate one outcome of one pilot (module docstring, steps 1-4)."""
    inputs = sc_inputs(panel, pilot, pilots, outcome, config)
    eligible, pool, rows, frame, context = inputs.eligible, inputs.pool, inputs.rows, inputs.frame, inputs.context
    names = frame.drop_duplicates(UNIT).set_index(UNIT)["region_name"]
    run = fit_pilot_sc(inputs.Y, frame, pilot.region, pilot.adoption_year, outcome, config, seed)
    base = _base_frames(run.sc, outcome, pilot, names, config)
    quality = fit_quality(run.sc)
    if quality["fit_quality"] == "overfitted":
        log.warning("%s: the synthetic control fits the pre-period more closely (RMSPE %.3g) than the pilot's own "
                    "year-to-year noise (%.3g): overfitting; intervals come from backtests", context,
                    quality["pre_rmspe"], quality["year_to_year_noise"])
    common = {"n_donors": len(run.donors), "n_size_class": len(pool), "n_eligible": len(eligible), **quality,
              "n_pre": run.sc.n_pre_periods_, "n_backtests": int(run.backtests.origins.size)}
    if run.sc.n_post_periods_ == 0:
        return _baseline_outcome(run, outcome, pilot, config, base, common)
    # The DiD compares with every eligible never-treated region (Callaway & Sant'Anna's comparison
    # group), over the synthetic control's window; its placebo inference ranks the pilot among them.
    # Its in-time placebos use the base years of the synthetic control's backtests (the year
    # before each backtest origin onwards), so both methods learn their noise from the same years;
    # the persistence behind its degrees of freedom comes from every pre-adoption year.
    did_rows = rows[[UNIT, TIME, "region_name", outcome]]
    first_base = int(run.backtests.origins.min()) - 1 if run.backtests.origins.size else int(did_rows[TIME].min())
    did_window = did_rows[did_rows[TIME] >= run.window[TIME].min()].reset_index(drop=True)
    return _effect_outcome(run, (did_window, did_rows, first_base), outcome, pilot, config, base, names, common)


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
        log.info("pilot %s, %s: in-time placebo at %s skipped: %s", pilot.key, outcome, year, error)
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


def _baseline_outcome(run: ScRun, outcome: str, pilot: Pilot, config: ImpactConfig, base: dict, common: dict) -> OutcomeEvaluation:
    sc = run.sc
    pre = sc.gap_.index < sc.treatment_time_
    baseline = float((sc.gap_ + sc.synthetic_)[pre].iloc[-3:].mean())
    power = power_rows(run.backtests, outcome, config, config.horizons, baseline)
    info = {"status": "baseline", **common, "baseline": baseline,
            "synthetic_baseline": float(sc.synthetic_[pre].iloc[-3:].mean()), "last_data_year": int(sc.gap_.index[-1])}
    empty = pd.DataFrame()
    return OutcomeEvaluation(outcome, "baseline", empty, base["trajectory"], base["weights"], base["placebos"], empty,
                             empty, empty, power, info, _backtest_table(run, outcome))


def _backtest_table(run: ScRun, outcome: str) -> pd.DataFrame:
    table = run.backtests.table()
    table.insert(0, "outcome", outcome)
    return table


def _effect_outcome(run: ScRun, did_data, outcome, pilot, config, base, names, common) -> OutcomeEvaluation:
    sc = run.sc
    placebo = placebo_in_size_class(run, config)
    post = sc.gap_.index >= pilot.adoption_year
    observed = (sc.gap_ + sc.synthetic_)[post]
    did_window, did_history, first_base = did_data
    did = did_estimates(did_window, outcome, pilot, config, history=did_history, first_base=first_base)
    sc_effects = _sc_effects(run, observed, outcome, config)
    placebos = _placebo_table(placebo, outcome, names)
    gaps = placebo.gaps.rename_axis(index=TIME, columns=UNIT).stack().rename("gap").reset_index()
    gaps.insert(0, "outcome", outcome)
    loo = _leave_one_out(sc, outcome, names, observed, config)
    power = power_rows(run.backtests, outcome, config, [int(post.sum())], float(sc.synthetic_[post].mean()))
    sc_events = _sc_event_rows(sc_effects, outcome, pilot)
    effects = pd.concat([sc_effects, did["effects"]], ignore_index=True)
    events = pd.concat([sc_events, did["events"]], ignore_index=True)
    average = sc_effects[sc_effects["period"] == "average"].iloc[0]
    info = {"status": "effect", **common, **placebo_test(placebo, config),
            "pre_trend_p": did["pre_trend_p"], "pre_trend_p_analytic": did["pre_trend_p_analytic"],
            "twfe_equals_did": did["twfe_equals_did"], "att": float(average["effect"])}
    return OutcomeEvaluation(outcome, "effect", effects, base["trajectory"], base["weights"],
                             pd.concat([placebos, base["placebos"]], ignore_index=True), gaps, events, loo, power, info,
                             _backtest_table(run, outcome))


def _sc_effects(run: ScRun, observed: pd.Series, outcome: str, config: ImpactConfig) -> pd.DataFrame:
    """Per-year and average SC effects with prediction intervals from the pilot's backtests."""
    sc, rows = run.sc, []
    for k, (year, value) in enumerate(observed.items()):
        inference = run.backtests.lead(k, config.min_backtests).scaled(float(sc.synthetic_[year]))
        gap = float(sc.gap_[year])
        lower, upper = inference.interval(gap, config.alpha)
        method = inference_method(inference, f"{k} years after adoption", config)
        rows.append(effect_row(SC, outcome, int(year), gap, lower, upper, value, config.alpha, method,
                                inference.p_value(gap), inference.scale, inference.dof))
    level = float(sc.synthetic_[observed.index].mean())
    inference = run.backtests.average(len(observed), config.min_backtests).scaled(level)
    lower, upper = inference.interval(sc.att_, config.alpha)
    method = inference_method(inference, f"average of {len(observed)} post years", config)
    rows.append(effect_row(SC, outcome, "average", sc.att_, lower, upper, float(observed.mean()), config.alpha, method,
                            inference.p_value(sc.att_), inference.scale, inference.dof))
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
